// Package coco scores SSD detections against COCO ground truth as MLPerf's
// accuracy-coco.py does, with a Go port of pycocotools' COCOeval for
// bounding boxes.
//
// [Score] reads nothing but the annotation file; the records come from
// [mlperflog.ReadLog]. Records are taken in log order: the first record of a
// qsl_idx wins and later ones are counted in [Result.Duplicates]. Only the
// images that have a record are evaluated. [Evaluate] is COCOeval itself
// (iouType "bbox", default parameters): IoU thresholds .50:.05:.95,
// 101-point interpolated precision, area ranges all/small/medium/large,
// maxDets 1/10/100, crowd regions and ignore flags, stable sorts by score,
// and numpy's pairwise summation for the means, so that its statistics
// match pycocotools to the last bit on the same detections.
//
// Two choices where Python's behaviour depends on its version: box
// coordinates are scaled in float64 (NumPy 1.x promotes float32 times a
// Python int to float64; NumPy 2 keeps float32, which can move a
// coordinate by one float32 ulp), and the --remove-48-empty-images image
// order follows CPython 3.7+ set iteration.
//
// Errors name the annotation file and the log entry; nothing is skipped
// silently. Score returns no partial result with an error.
package coco
