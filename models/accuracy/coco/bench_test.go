package coco

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

// valSizedCase writes a synthetic annotation file the size of COCO val2017
// (5,000 images, about 36,000 boxes over 80 categories) and an accuracy log
// of 100 detections per image, most of them near a ground-truth box.
func valSizedCase(b *testing.B) (string, []mlperflog.Record) {
	b.Helper()
	r := rand.New(rand.NewPCG(1, 2))
	const nImg, nCat, perImg = 5000, 80, 100
	cats := make([]tCat, nCat)
	for k := range cats {
		cats[k] = tCat{int64(k*1 + 1 + k/10)} // gaps, as in COCO's 1..90
	}
	var imgs []tImg
	var anns []tAnn
	var records []mlperflog.Record
	for i := 0; i < nImg; i++ {
		W, H := 640.0, 480.0
		imgs = append(imgs, tImg{ID: int64(i*7 + 1), Width: W, Height: H})
		var mine []tAnn
		for n := 1 + r.IntN(13); n > 0; n-- {
			s := math.Exp(2 + r.Float64()*4)
			a := tAnn{ID: int64(len(anns) + 1), ImageID: int64(i*7 + 1), CategoryID: cats[r.IntN(nCat)].ID,
				BBox: [4]float64{r.Float64() * (W - s/2), r.Float64() * (H - s/2), s / 2 * (0.5 + r.Float64()), s / 2 * (0.5 + r.Float64())}}
			a.Area = a.BBox[2] * a.BBox[3] * 0.7
			if r.IntN(100) == 0 {
				a.IsCrowd = 1
			}
			anns = append(anns, a)
			mine = append(mine, a)
		}
		var data []byte
		for d := 0; d < perImg; d++ {
			var bb [4]float64
			var cls float64
			if d < 3*len(mine) && r.IntN(3) > 0 {
				g := mine[d%len(mine)]
				for c := range bb {
					bb[c] = g.BBox[c] + (r.Float64()-0.5)*0.2*g.BBox[2+c%2]
				}
				cls = float64(indexOf(cats, g.CategoryID) + 1)
			} else {
				bb = [4]float64{r.Float64() * 600, r.Float64() * 440, 4 + r.Float64()*200, 4 + r.Float64()*200}
				cls = float64(1 + r.IntN(nCat))
			}
			v := []float32{float32(i), float32(bb[1] / H), float32(bb[0] / W), float32((bb[1] + bb[3]) / H), float32((bb[0] + bb[2]) / W), float32(r.Float64()), float32(cls)}
			for _, x := range v {
				data = binary.LittleEndian.AppendUint32(data, math.Float32bits(x))
			}
		}
		records = append(records, mlperflog.Record{SeqID: uint64(i), QSLIdx: i, Data: data})
	}
	js, err := json.Marshal(map[string]any{"images": imgs, "annotations": anns, "categories": cats})
	if err != nil {
		b.Fatal(err)
	}
	p := filepath.Join(b.TempDir(), "instances.json")
	if err := os.WriteFile(p, js, 0o644); err != nil {
		b.Fatal(err)
	}
	return p, records
}

func indexOf(cats []tCat, id int64) int {
	for k, c := range cats {
		if c.ID == id {
			return k
		}
	}
	return -1
}

// BenchmarkScoreVal2017Sized times Score end to end (annotation JSON load,
// log conversion with --use-inv-map, COCOeval) on val2017-sized data.
func BenchmarkScoreVal2017Sized(b *testing.B) {
	ann, records := valSizedCase(b)
	b.ResetTimer()
	for b.Loop() {
		res, err := Score(records, ann, Options{UseInvMap: true})
		if err != nil {
			b.Fatal(err)
		}
		if res.Detections != 500000 {
			b.Fatalf("%d detections", res.Detections)
		}
	}
	gt, err := LoadAnnotations(ann)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportMetric(float64(len(gt.Annotations)), "gt-boxes")
}

// BenchmarkEvaluateVal2017Sized times COCOeval alone (evaluate, accumulate,
// summarize).
func BenchmarkEvaluateVal2017Sized(b *testing.B) {
	ann, records := valSizedCase(b)
	gt, err := LoadAnnotations(ann)
	if err != nil {
		b.Fatal(err)
	}
	dets, ids, _, err := Detections(records, gt, Options{UseInvMap: true})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		e := Evaluate(gt, dets, ids)
		if e.Stats[0] <= 0 {
			b.Fatalf("mAP %v", e.Stats[0])
		}
	}
}
