// Package accuracy reads mlperf_log_accuracy.json, the accuracy log LoadGen
// writes, byte for byte as MLPerf's accuracy scripts read it, and holds the
// shape every scorer reports: [Score].
//
// The scorers live in sub-packages, one per data set: imagenet (ResNet50
// top-1, as accuracy-imagenet.py), brats (3D-UNet mean DICE, as the r0.7
// accuracy-brats.py), coco (SSD-ResNet34 mAP) and squad (BERT F1).
//
// A log entry is {"seq_id": n, "qsl_idx": i, "data": "<hex>"}; data is the
// SUT's response bytes in hex, upper or lower case, with ASCII whitespace
// allowed between bytes as Python's bytes.fromhex allows it. Malformed JSON,
// a missing key, a negative qsl_idx or malformed hex is an error wrapping
// [ErrMalformedLog] that names the file and the entry. Scorers report a
// qsl_idx outside the ground truth with [ErrUnknownSample].
package accuracy
