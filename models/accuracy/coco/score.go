package coco

import (
	"encoding/binary"
	"fmt"
	"math"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// Options are the flags of accuracy-coco.py that change the result.
type Options struct {
	// UseInvMap maps the model's class index c to the c-th category id of
	// the annotation file (in file order, index 0 unused), as --use-inv-map.
	UseInvMap bool
	// RemoveEmpty48 indexes the QSL by the images that have at least one
	// annotation, in the order accuracy-coco.py's
	// --remove-48-empty-images builds them (list(set(...)) of CPython),
	// instead of the file order of "images".
	RemoveEmpty48 bool
}

// Result is the score of one accuracy log.
type Result struct {
	// MAP is COCO AP at IoU 0.50:0.95 (Stats[0]), a fraction in [0, 1].
	MAP float64
	// Stats are COCOeval.stats in pycocotools' order (see [Eval.Stats]).
	Stats [12]float64
	// Images is the number of distinct images evaluated: those with a
	// record in the log, with or without detections.
	Images int
	// DataSet is the number of images the log's qsl_idx indexes (the
	// annotation file's images, less the empty ones with RemoveEmpty48):
	// the log covers the data set when Images equals it.
	DataSet int
	// Detections is the number of detections read from the log.
	Detections int
	// NoResults counts images whose record had fewer than 7 values: they
	// are evaluated with no detections.
	NoResults int
	// Duplicates counts records skipped because an earlier record had the
	// same qsl_idx (the first one wins, as in accuracy-coco.py).
	Duplicates int
	// UnknownCategory counts detections whose category is not in the
	// annotation file; COCOeval does not evaluate them.
	UnknownCategory int
}

// Score scores an SSD accuracy log against a COCO instances file as
// accuracy-coco.py does. Each record's data is float32 little-endian groups
// of 7 values: QSL image index, ymin, xmin, ymax, xmax (relative to the
// image), score, class. Boxes are scaled by the image's width and height
// from the annotation file and handed to COCOeval as x, y, w, h.
//
// Bad input is an error naming the annotation file and the log entry: a
// qsl_idx outside the image list, data that is not whole float32s or not
// whole groups of 7, an image index in the data that disagrees with qsl_idx
// (the script only prints that), a non-finite value, and a class outside the
// inverse map. An empty log is an error; a log without any detection scores
// 0 (pycocotools fails on it).
func Score(records []mlperflog.Record, annotationsFile string, opt Options) (*Result, error) {
	gt, err := LoadAnnotations(annotationsFile)
	if err != nil {
		return nil, err
	}
	dets, imgIDs, res, err := Detections(records, gt, opt)
	if err != nil {
		return nil, fmt.Errorf("coco %s: %w", annotationsFile, err)
	}
	if cells := int64(len(gt.CategoryIDs)) * int64(len(imgIDs)); cells > MaxCells {
		return nil, fmt.Errorf("coco %s: %w: %d categories × %d images scored is %d cells, more than %d",
			annotationsFile, bounded.ErrTooLarge, len(gt.CategoryIDs), len(imgIDs), cells, MaxCells)
	}
	e := Evaluate(gt, dets, imgIDs)
	res.Stats = e.Stats
	res.MAP = e.Stats[0]
	return res, nil
}

// imageMap returns the list that the log's qsl_idx indexes.
func imageMap(gt *Annotations, opt Options) ([]Image, error) {
	if !opt.RemoveEmpty48 {
		return gt.Images, nil
	}
	var ids []int64
	for _, c := range gt.CategoryIDs {
		for _, a := range gt.Annotations {
			if a.CategoryID == c {
				ids = append(ids, a.ImageID)
			}
		}
	}
	order := pythonSetOrder(ids)
	out := make([]Image, len(order))
	for i, id := range order {
		im, ok := gt.Image(id)
		if !ok {
			return nil, fmt.Errorf("an annotation names image id %d, which is not in the images list", id)
		}
		out[i] = im
	}
	return out, nil
}

// Detections converts accuracy-log records into COCO detections as
// accuracy-coco.py does, returning them in log order with the ids of the
// images to evaluate. The returned Result has only the counts filled in.
func Detections(records []mlperflog.Record, gt *Annotations, opt Options) ([]Detection, []int64, *Result, error) {
	if len(records) == 0 {
		return nil, nil, nil, fmt.Errorf("accuracy log has no records")
	}
	images, err := imageMap(gt, opt)
	if err != nil {
		return nil, nil, nil, err
	}
	catKnown := make(map[int64]bool, len(gt.CategoryIDs))
	for _, c := range gt.CategoryIDs {
		catKnown[c] = true
	}
	res := &Result{DataSet: len(images)}
	seen := make(map[int]bool, len(records))
	imgSet := make(map[int64]bool, len(records))
	var imgIDs []int64
	var dets []Detection
	for n, r := range records {
		idx := r.QSLIdx
		if seen[idx] {
			res.Duplicates++
			continue
		}
		seen[idx] = true
		if idx < 0 || idx >= len(images) {
			return nil, nil, nil, fmt.Errorf("log entry %d: qsl_idx %d outside the %d images", n, idx, len(images))
		}
		if len(r.Data)%4 != 0 {
			return nil, nil, nil, fmt.Errorf("log entry %d (qsl_idx %d): %d bytes is not a whole number of float32s", n, idx, len(r.Data))
		}
		nf := len(r.Data) / 4
		im := images[idx]
		if !imgSet[im.ID] {
			imgSet[im.ID] = true
			imgIDs = append(imgIDs, im.ID)
		}
		if nf < 7 {
			res.NoResults++
			continue
		}
		if nf%7 != 0 {
			return nil, nil, nil, fmt.Errorf("log entry %d (qsl_idx %d): %d float32s is not a whole number of 7-value detections", n, idx, nf)
		}
		for g := 0; g < nf/7; g++ {
			var v [7]float32
			for j := range v {
				v[j] = math.Float32frombits(binary.LittleEndian.Uint32(r.Data[(g*7+j)*4:]))
				if math.IsNaN(float64(v[j])) || math.IsInf(float64(v[j]), 0) {
					return nil, nil, nil, fmt.Errorf("log entry %d (qsl_idx %d): detection %d: value %d is %v", n, idx, g, j, v[j])
				}
			}
			if int64(v[0]) != int64(idx) {
				return nil, nil, nil, fmt.Errorf("log entry %d (qsl_idx %d): detection %d: image index %v disagrees with qsl_idx", n, idx, g, v[0])
			}
			// float32 * int promotes to float64 (NumPy 1.x); the products
			// and differences are then exact or rounded once, as in Python.
			// The conversions keep the compiler from fusing these
			// products into the subtractions below.
			ymin := float64(float64(v[1]) * im.Height)
			xmin := float64(float64(v[2]) * im.Width)
			ymax := float64(float64(v[3]) * im.Height)
			xmax := float64(float64(v[4]) * im.Width)
			label := int64(v[6]) // int() truncates toward zero
			if opt.UseInvMap {
				if label < 0 || label > int64(len(gt.CategoryIDs)) {
					return nil, nil, nil, fmt.Errorf("log entry %d (qsl_idx %d): detection %d: class %d outside the inverse label map (1..%d)", n, idx, g, label, len(gt.CategoryIDs))
				}
				if label > 0 { // inv_map[0] is an unused 0
					label = gt.CategoryIDs[label-1]
				}
			}
			if !catKnown[label] {
				res.UnknownCategory++
			}
			dets = append(dets, Detection{
				ImageID:    im.ID,
				CategoryID: label,
				BBox:       [4]float64{xmin, ymin, xmax - xmin, ymax - ymin},
				Score:      float64(v[5]),
			})
		}
	}
	res.Images = len(imgIDs)
	res.Detections = len(dets)
	return dets, imgIDs, res, nil
}
