// Package dataset is a query sample library (QSL) over inputs preprocessed
// the way MLPerf submitters preprocess them: one .npy file per sample (as
// NVIDIA's preprocessing writes ImageNet, COCO and BraTS) or one .npy array
// holding every sample along its first axis (as it writes the BERT
// features).
//
// A [QSL] implements runner/sut.QuerySampleLibrary and
// runner/device.SampleSource. LoadSamplesToRAM reads the requested samples
// into ONE contiguous buffer per input tensor (sized for the performance
// sample count on first use, reused while it is big enough) so that a GPU
// layer can pin or upload it whole; [QSL.Buffer] exposes it. Every file is
// checked against the catalogue (dtype, per-sample shape, C order) before
// its bytes are used.
//
// Errors name the file and the sample: a missing file wraps
// os.ErrNotExist, a short one npy.ErrTruncated, a wrong dtype or shape
// [ErrMismatch], too few samples for the QSL size [ErrTooFewSamples], and an
// index outside the QSL or not loaded [ErrIndex].
//
// LoadSamplesToRAM and UnloadSamplesFromRAM must not run concurrently with
// each other or with SampleData of the samples they touch; LoadGen's
// protocol guarantees that. SampleData itself is safe for concurrent use and
// does not allocate.
package dataset
