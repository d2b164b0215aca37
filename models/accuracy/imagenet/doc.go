// Package imagenet scores ResNet50 accuracy logs as MLPerf's
// vision/classification_and_detection/tools/accuracy-imagenet.py does:
// top-1 accuracy against the labels of val_map.txt.
//
// The script's semantics, kept here: the QSL index is the line number of
// val_map.txt; each response's bytes are read as an array of the --dtype
// (float32, the default, int32 or int64) and only its first element counts,
// truncated to an integer; when a sample appears more than once the first
// entry wins and the others are counted as dupes; the accuracy is over the
// distinct samples in the log, not over all of val_map.txt; and no label
// offset is applied: a model with a background class (1001 outputs) must
// subtract one before logging, as the reference backends do. [Options]
// LabelOffset lets a user score such a log anyway; it is zero by default.
//
// Where the script would crash (a qsl_idx past the end of val_map.txt, a
// response shorter than one element or not a whole number of elements, a
// NaN or infinite float, an empty log, a blank val_map line) Score returns
// an error naming the entry; a negative qsl_idx, which Python would index
// from the end, is rejected by the log reader.
package imagenet
