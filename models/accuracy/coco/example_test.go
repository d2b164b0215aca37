package coco_test

import (
	"encoding/binary"
	"fmt"
	"math"
	"os"
	"path/filepath"

	"github.com/gotrt/gotrt/models/accuracy/coco"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// An SSD record holds groups of 7 float32: image index, ymin, xmin, ymax,
// xmax (relative to the image), score and class. Here one image has two
// people; the model finds one of them, plus a false positive with a lower
// score.
func ExampleScore() {
	dir, err := os.MkdirTemp("", "coco-example")
	if err != nil {
		panic(err)
	}
	defer os.RemoveAll(dir)
	ann := filepath.Join(dir, "instances_val2017.json")
	err = os.WriteFile(ann, []byte(`{
	  "images": [{"id": 139, "width": 640, "height": 480, "file_name": "000000000139.jpg"}],
	  "categories": [{"id": 1, "name": "person"}],
	  "annotations": [
	    {"id": 1, "image_id": 139, "category_id": 1, "bbox": [64, 48, 128, 192], "area": 20000, "iscrowd": 0},
	    {"id": 2, "image_id": 139, "category_id": 1, "bbox": [320, 240, 160, 120], "area": 15000, "iscrowd": 0}
	  ]}`), 0o644)
	if err != nil {
		panic(err)
	}
	var data []byte
	for _, v := range []float32{
		0, 0.1, 0.1, 0.5, 0.3, 0.9, 1, // finds the first person
		0, 0.0, 0.8, 0.2, 1.0, 0.4, 1, // false positive
	} {
		data = binary.LittleEndian.AppendUint32(data, math.Float32bits(v))
	}
	res, err := coco.Score([]mlperflog.Record{{QSLIdx: 0, Data: data}}, ann, coco.Options{})
	if err != nil {
		panic(err)
	}
	fmt.Printf("mAP %.3f over %d image(s), %d detections\n", res.MAP, res.Images, res.Detections)
	fmt.Printf("AR@100 %.3f\n", res.Stats[8])
	// Output:
	// mAP 0.505 over 1 image(s), 2 detections
	// AR@100 0.500
}
