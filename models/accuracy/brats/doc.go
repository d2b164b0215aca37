// Package brats scores 3D-UNet accuracy logs on BraTS 2019 as the r0.7
// branch of MLPerf's vision/medical_imaging/3d-unet/accuracy-brats.py does,
// from a folder of preprocessed label volumes.
//
// Kept from the script: each response is the network's 4 × 224 × 224 × 160
// class scores in the --output_dtype (float16 by default; int8, int16,
// int32, int64, float32 and float64 too), cast to float16; the padding
// around the case's cropped volume is removed (pad_before = (224 - size) / 2
// per axis, floor division); the class is the argmax over the 4 scores (the
// first maximum wins); the regions are nnU-Net's BraTS regions over labels
// 1, 2, 3 (whole tumour {1, 2, 3}, tumour core {2, 3}, enhancing tumour
// {3}); a region's DICE is 2|P∩T| / (|P| + |T|) and undefined (NaN) when
// both masks are empty; each region's mean skips undefined cases (nanmean),
// is rounded to four decimals as summary.csv writes it, and the reported
// mean is the plain mean of the three rounded region means. The log must
// hold exactly one entry per case (the script asserts the count and that no
// case is missing, so a duplicate is an error).
//
// Differs from the script, which cannot be matched without nnU-Net: the
// script resamples the scores back to each case's original geometry before
// the argmax and compares with the raw NIfTI labels; here the comparison is
// in the preprocessed (cropped, resampled) geometry, against label volumes
// preprocessed the same way as the network input. Scores agree with the
// script to the extent the resampling preserves the segmentation.
//
// The truth folder holds one <case>.npy per case: a (D, H, W) integer, bool
// or integral float array, D ≤ 224, H ≤ 224, W ≤ 160, labels -1 (outside
// the brain, as nnU-Net's preprocessing marks it), 0, 1, 2, 3 in nnU-Net's
// Task043 convention. The QSL order is the order of the case names in
// val_map.txt (or cases.txt) in the folder, first column; without such a
// list, the sorted .npy file names.
package brats
