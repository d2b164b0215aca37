// Package accuracy scores an MLPerf accuracy log against its benchmark's
// ground truth and judges it against the quality target, as `gotrt
// accuracy` and the accuracy mode of `gotrt run` do: one call, [Check], for
// every benchmark of the catalogue and the built-in model.
//
// The scorers live in sub-packages, one per data set: imagenet (ResNet50
// top-1, as accuracy-imagenet.py), brats (3D-UNet mean DICE, as the r0.7
// accuracy-brats.py), coco (SSD-ResNet34 mAP) and squad (BERT F1). They read
// the log through the leaf package mlperflog, which reads
// mlperf_log_accuracy.json byte for byte as MLPerf's scripts do.
//
// Coverage: a log that leaves part of the data set unscored gets a [Score]
// with its coverage and no verdict, and [ErrPartial], unless the
// [Request] allows a partial log (the scripts score one without a word).
// A score below the target is a verdict, not an error: [Score].Pass says it.
//
// Errors callers branch on: [ErrRequest] (the request cannot be scored as
// asked), [ErrPartial], and the log reader's [ErrMalformedLog],
// [ErrUnknownSample] and [ErrEmptyLog].
package accuracy
