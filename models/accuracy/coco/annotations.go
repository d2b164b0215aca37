package coco

import (
	"bytes"
	"encoding/json"
	"fmt"
	"math"

	"github.com/gotrt/gotrt/internal/bounded"
)

// Image is one entry of the annotation file's "images" list.
type Image struct {
	ID       int64
	Width    float64
	Height   float64
	FileName string
}

// Annotation is one ground-truth object of the annotation file. Area is the
// file's own "area" field (the segmentation area for COCO), which is what
// COCOeval compares against the area ranges, not the box area.
type Annotation struct {
	ID         int64
	ImageID    int64
	CategoryID int64
	BBox       [4]float64 // x, y, width, height
	Area       float64
	IsCrowd    bool
}

// Annotations is a parsed COCO instances file, as pycocotools' COCO object
// indexes it.
type Annotations struct {
	Images      []Image      // file order
	Annotations []Annotation // file order
	CategoryIDs []int64      // file order of "categories", as COCO.getCatIds returns them

	imgByID map[int64]int // image id → index into Images
}

type rawImage struct {
	ID       *int64   `json:"id"`
	Width    *float64 `json:"width"`
	Height   *float64 `json:"height"`
	FileName string   `json:"file_name"`
}

type rawAnn struct {
	ID         *int64          `json:"id"`
	ImageID    *int64          `json:"image_id"`
	CategoryID *int64          `json:"category_id"`
	BBox       []float64       `json:"bbox"`
	Area       *float64        `json:"area"`
	IsCrowd    json.RawMessage `json:"iscrowd"`
}

type rawCat struct {
	ID *int64 `json:"id"`
}

type rawFile struct {
	Images      []rawImage `json:"images"`
	Annotations []rawAnn   `json:"annotations"`
	Categories  []rawCat   `json:"categories"`
}

// Bounds on what COCOeval allocates from an annotation file and a log:
// its precision table grows with the categories, its per-(category, image)
// cells with both.
const (
	MaxCategories = 2048
	MaxCells      = 1 << 26
)

// LoadAnnotations reads a COCO instances JSON file (such as
// annotations/instances_val2017.json). Only the fields COCOeval's bbox
// evaluation reads are kept. A missing field, a duplicate image or
// annotation id, or a non-finite number is an error naming the file and the
// entry: pycocotools would fail on these later, or silently let the last
// duplicate win.
func LoadAnnotations(path string) (*Annotations, error) {
	// Streamed with a size limit: a file that is not JSON fails at its
	// first bad byte, a huge one at the limit.
	var raw rawFile
	if err := bounded.DecodeJSON(path, "COCO annotation file", bounded.AnnotationsLimit, &raw); err != nil {
		return nil, fmt.Errorf("read coco annotations: %w", err)
	}
	return fromRaw(path, &raw)
}

func parseAnnotations(path string, b []byte) (*Annotations, error) {
	var raw rawFile
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("coco annotations %s: %w", path, err)
	}
	return fromRaw(path, &raw)
}

// fromRaw checks the decoded file and keeps what COCOeval reads.
func fromRaw(path string, raw *rawFile) (*Annotations, error) {
	if raw.Images == nil {
		return nil, fmt.Errorf("coco annotations %s: no \"images\" list", path)
	}
	if raw.Categories == nil {
		return nil, fmt.Errorf("coco annotations %s: no \"categories\" list", path)
	}
	if len(raw.Categories) > MaxCategories {
		// COCOeval's tables grow with the categories (97 KB each): a 4 MB
		// file of 100k categories would need 9.7 GB.
		return nil, fmt.Errorf("coco annotations %s: %w: %d categories, more than the %d scored (COCO has 80, LVIS 1203)",
			path, bounded.ErrTooLarge, len(raw.Categories), MaxCategories)
	}
	a := &Annotations{
		Images:      make([]Image, len(raw.Images)),
		Annotations: make([]Annotation, len(raw.Annotations)),
		CategoryIDs: make([]int64, len(raw.Categories)),
		imgByID:     make(map[int64]int, len(raw.Images)),
	}
	for i, im := range raw.Images {
		if im.ID == nil || im.Width == nil || im.Height == nil {
			return nil, fmt.Errorf("coco annotations %s: image %d: missing id, width or height", path, i)
		}
		if !finite(*im.Width) || !finite(*im.Height) {
			return nil, fmt.Errorf("coco annotations %s: image %d (id %d): width and height must be finite", path, i, *im.ID)
		}
		if _, dup := a.imgByID[*im.ID]; dup {
			return nil, fmt.Errorf("coco annotations %s: image %d: duplicate image id %d", path, i, *im.ID)
		}
		a.imgByID[*im.ID] = i
		a.Images[i] = Image{ID: *im.ID, Width: *im.Width, Height: *im.Height, FileName: im.FileName}
	}
	seenCat := make(map[int64]bool, len(raw.Categories))
	for i, c := range raw.Categories {
		if c.ID == nil {
			return nil, fmt.Errorf("coco annotations %s: category %d: missing id", path, i)
		}
		if seenCat[*c.ID] {
			return nil, fmt.Errorf("coco annotations %s: category %d: duplicate category id %d", path, i, *c.ID)
		}
		seenCat[*c.ID] = true
		a.CategoryIDs[i] = *c.ID
	}
	seenAnn := make(map[int64]bool, len(raw.Annotations))
	for i, r := range raw.Annotations {
		if r.ID == nil || r.ImageID == nil || r.CategoryID == nil || r.Area == nil {
			return nil, fmt.Errorf("coco annotations %s: annotation %d: missing id, image_id, category_id or area", path, i)
		}
		if len(r.BBox) != 4 {
			return nil, fmt.Errorf("coco annotations %s: annotation %d (id %d): bbox has %d values, want 4", path, i, *r.ID, len(r.BBox))
		}
		if seenAnn[*r.ID] {
			return nil, fmt.Errorf("coco annotations %s: annotation %d: duplicate annotation id %d", path, i, *r.ID)
		}
		seenAnn[*r.ID] = true
		crowd, err := parseCrowd(r.IsCrowd)
		if err != nil {
			return nil, fmt.Errorf("coco annotations %s: annotation %d (id %d): %w", path, i, *r.ID, err)
		}
		ann := Annotation{ID: *r.ID, ImageID: *r.ImageID, CategoryID: *r.CategoryID, Area: *r.Area, IsCrowd: crowd}
		copy(ann.BBox[:], r.BBox)
		for _, v := range append(ann.BBox[:], ann.Area) {
			if !finite(v) {
				return nil, fmt.Errorf("coco annotations %s: annotation %d (id %d): bbox and area must be finite", path, i, *r.ID)
			}
		}
		a.Annotations[i] = ann
	}
	return a, nil
}

// parseCrowd reads iscrowd as pycocotools does (int(o['iscrowd'])): a number
// or a boolean, nonzero meaning crowd. A missing field is an error, since
// COCOeval.computeIoU fails on it.
func parseCrowd(m json.RawMessage) (bool, error) {
	m = bytes.TrimSpace(m)
	switch string(m) {
	case "":
		return false, fmt.Errorf("missing iscrowd")
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	var f float64
	if err := json.Unmarshal(m, &f); err != nil {
		return false, fmt.Errorf("iscrowd %s is not a number or boolean", m)
	}
	return math.Trunc(f) != 0, nil
}

// Image returns the image with the given id.
func (a *Annotations) Image(id int64) (Image, bool) {
	i, ok := a.imgByID[id]
	if !ok {
		return Image{}, false
	}
	return a.Images[i], true
}

func finite(v float64) bool { return !math.IsNaN(v) && !math.IsInf(v, 0) }
