package coco

import (
	"encoding/binary"
	"encoding/json"
	"math"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
)

type tImg struct {
	ID     int64   `json:"id"`
	Width  float64 `json:"width"`
	Height float64 `json:"height"`
}

type tAnn struct {
	ID         int64      `json:"id"`
	ImageID    int64      `json:"image_id"`
	CategoryID int64      `json:"category_id"`
	BBox       [4]float64 `json:"bbox"`
	Area       float64    `json:"area"`
	IsCrowd    int        `json:"iscrowd"`
}

type tCat struct {
	ID int64 `json:"id"`
}

func box(id, img, cat int64, x, y, w, h float64) tAnn {
	return tAnn{ID: id, ImageID: img, CategoryID: cat, BBox: [4]float64{x, y, w, h}, Area: w * h}
}

func writeAnns(t *testing.T, imgs []tImg, anns []tAnn, cats []int64) string {
	t.Helper()
	var cs []tCat
	for _, c := range cats {
		cs = append(cs, tCat{c})
	}
	b, err := json.Marshal(map[string]any{"images": imgs, "annotations": anns, "categories": cs})
	require.NoError(t, err)
	p := filepath.Join(t.TempDir(), "instances.json")
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

// det is one SSD output group: image index, ymin, xmin, ymax, xmax
// (relative), score, class.
type det [7]float32

func rec(idx int, dets ...det) mlperflog.Record {
	var b []byte
	for _, d := range dets {
		for _, v := range d {
			b = binary.LittleEndian.AppendUint32(b, math.Float32bits(v))
		}
	}
	return mlperflog.Record{QSLIdx: idx, Data: b}
}

// rel returns the SSD group for an absolute x,y,w,h box in a W×H image.
func rel(idx int, W, H float64, x, y, w, h float64, score float32, class float32) det {
	return det{float32(idx), float32(y / H), float32(x / W), float32((y + h) / H), float32((x + w) / W), score, class}
}

func TestThresholdsAreNumpyLinspace(t *testing.T) {
	// Values printed by np.linspace(.5, .95, 10) and np.linspace(0, 1, 101).
	assert.Equal(t, 0.75, iouThrs[5])
	assert.Equal(t, 0.8999999999999999, iouThrs[8])
	assert.Equal(t, 0.35000000000000003, recThrs[35])
	assert.Equal(t, 0.5, recThrs[50])
	assert.Equal(t, 1.0, recThrs[100])
	assert.Equal(t, 5, thrIndex(0.75))
}

func TestScorePerfectDetectionScalesAndReordersBox(t *testing.T) {
	// 512×256 image; gt box x=64 y=64 w=192 h=128 (area 24576: large).
	ann := writeAnns(t, []tImg{{ID: 42, Width: 512, Height: 256}}, []tAnn{box(1, 42, 7, 64, 64, 192, 128)}, []int64{7})
	r := rec(0, det{0, 0.25, 0.125, 0.75, 0.5, 0.9, 7}) // ymin, xmin, ymax, xmax
	gt, err := LoadAnnotations(ann)
	require.NoError(t, err)
	dets, imgs, _, err := Detections([]mlperflog.Record{r}, gt, Options{})
	require.NoError(t, err)
	require.Len(t, dets, 1)
	assert.Equal(t, [4]float64{64, 64, 192, 128}, dets[0].BBox)
	assert.Equal(t, []int64{42}, imgs)

	res, err := Score([]mlperflog.Record{r}, ann, Options{})
	require.NoError(t, err)
	// Precision is tp/(tp+fp+eps), so a perfect AP is 1/(1+eps) as in
	// pycocotools.
	want := [12]float64{1, 1, 1, -1, -1, 1, 1, 1, 1, -1, -1, 1}
	for i := range want {
		assert.InDelta(t, want[i], res.Stats[i], 1e-15, "stat %d", i)
	}
	assert.Less(t, res.MAP, 1.0)
	assert.Equal(t, 1, res.Images)
	assert.Equal(t, 1, res.Detections)
}

func TestScoreNoDetections(t *testing.T) {
	ann := writeAnns(t, []tImg{{ID: 1, Width: 100, Height: 100}, {ID: 2, Width: 100, Height: 100}},
		[]tAnn{box(1, 1, 1, 10, 10, 50, 50), box(2, 2, 1, 10, 10, 50, 50)}, []int64{1})
	t.Run("one image without results", func(t *testing.T) {
		res, err := Score([]mlperflog.Record{rec(0, rel(0, 100, 100, 10, 10, 50, 50, 0.8, 1)), rec(1)}, ann, Options{})
		require.NoError(t, err)
		assert.Equal(t, 2, res.Images)
		assert.Equal(t, 1, res.NoResults)
		// One of two gts found with the only detection: precision 1 up to
		// recall .5 (51 thresholds), AR 0.5.
		assert.InDelta(t, 51.0/101, res.MAP, 1e-15)
		assert.Equal(t, 0.5, res.Stats[8])
	})
	t.Run("no detections at all", func(t *testing.T) {
		res, err := Score([]mlperflog.Record{rec(0), rec(1)}, ann, Options{})
		require.NoError(t, err)
		assert.Equal(t, 0, res.Detections)
		assert.Equal(t, [12]float64{0, 0, 0, -1, 0, -1, 0, 0, 0, -1, 0, -1}, res.Stats)
	})
	t.Run("images without a record are not evaluated", func(t *testing.T) {
		res, err := Score([]mlperflog.Record{rec(0, rel(0, 100, 100, 10, 10, 50, 50, 0.8, 1))}, ann, Options{})
		require.NoError(t, err)
		assert.Equal(t, 1, res.Images)
		assert.InDelta(t, 1.0, res.MAP, 1e-15)
	})
}

func TestScoreCrowdRegion(t *testing.T) {
	imgs := []tImg{{ID: 1, Width: 1000, Height: 1000}}
	for _, tc := range []struct {
		description string
		crowd       int
		want        float64
	}{
		// The detection inside the crowd region matches it (IoU over its own
		// area is 1) and is ignored: only the true positive counts.
		{"crowd region ignores the detection inside it", 1, 1},
		// As a normal gt the region is missed and the detection (IoU 0.01)
		// is a false positive ranked first: precision .5 up to recall .5.
		{"same region without iscrowd", 0, 0.5 * 51 / 101},
	} {
		t.Run(tc.description, func(t *testing.T) {
			region := box(2, 1, 1, 500, 500, 400, 400)
			region.IsCrowd = tc.crowd
			ann := writeAnns(t, imgs, []tAnn{box(1, 1, 1, 10, 10, 200, 200), region}, []int64{1})
			r := rec(0,
				rel(0, 1000, 1000, 600, 600, 40, 40, 0.95, 1), // inside the region
				rel(0, 1000, 1000, 10, 10, 200, 200, 0.9, 1),  // on the normal gt
			)
			res, err := Score([]mlperflog.Record{r}, ann, Options{})
			require.NoError(t, err)
			assert.InDelta(t, tc.want, res.MAP, 1e-15)
			assert.InDelta(t, tc.want, res.Stats[1], 1e-15)
		})
	}
}

func TestScoreEmptyGroundTruth(t *testing.T) {
	imgs := []tImg{{ID: 1, Width: 100, Height: 100}, {ID: 2, Width: 100, Height: 100}}
	ann := writeAnns(t, imgs, []tAnn{box(1, 1, 1, 10, 10, 50, 50)}, []int64{1, 2})
	t.Run("category without ground truth does not count", func(t *testing.T) {
		r := rec(0, rel(0, 100, 100, 10, 10, 50, 50, 0.5, 1), rel(0, 100, 100, 0, 0, 30, 30, 0.9, 2))
		res, err := Score([]mlperflog.Record{r}, ann, Options{})
		require.NoError(t, err)
		assert.InDelta(t, 1.0, res.MAP, 1e-15)
	})
	t.Run("image without ground truth contributes false positives", func(t *testing.T) {
		res, err := Score([]mlperflog.Record{
			rec(0, rel(0, 100, 100, 10, 10, 50, 50, 0.5, 1)),
			rec(1, rel(1, 100, 100, 10, 10, 50, 50, 0.9, 1)),
		}, ann, Options{})
		require.NoError(t, err)
		assert.InDelta(t, 0.5, res.MAP, 1e-15)
	})
}

func TestScoreDuplicateDetections(t *testing.T) {
	ann := writeAnns(t, []tImg{{ID: 1, Width: 100, Height: 100}},
		[]tAnn{box(1, 1, 1, 0, 0, 40, 40), box(2, 1, 1, 50, 50, 40, 40)}, []int64{1})
	r := rec(0,
		rel(0, 100, 100, 0, 0, 40, 40, 0.9, 1),
		rel(0, 100, 100, 0, 0, 40, 40, 0.8, 1), // duplicate: false positive
		rel(0, 100, 100, 50, 50, 40, 40, 0.7, 1),
	)
	res, err := Score([]mlperflog.Record{r}, ann, Options{})
	require.NoError(t, err)
	// tp 1,1,2; fp 0,1,1; recall .5,.5,1; precision 1,.5,2/3 → envelope
	// 1,2/3,2/3: 51 thresholds at 1 and 50 at 2/3.
	want := (51 + 50*(2/(3+eps))) / 101
	assert.InDelta(t, want, res.MAP, 1e-15)
	assert.Equal(t, 0.5, res.Stats[6]) // AR@1
	assert.Equal(t, 1.0, res.Stats[7]) // AR@10
}

func TestScoreTiesFollowImageIDNotLogOrder(t *testing.T) {
	// Equal scores: the concatenation in image-id order decides, and the
	// stable sort keeps it.
	for _, tc := range []struct {
		description string
		gtImage     int64
		want        float64
	}{
		{"false positive on the lower image id ranks first", 2, 0.5},
		{"true positive on the lower image id ranks first", 1, 1},
	} {
		t.Run(tc.description, func(t *testing.T) {
			imgs := []tImg{{ID: 1, Width: 100, Height: 100}, {ID: 2, Width: 100, Height: 100}}
			ann := writeAnns(t, imgs, []tAnn{box(1, tc.gtImage, 1, 10, 10, 50, 50)}, []int64{1})
			res, err := Score([]mlperflog.Record{
				rec(1, rel(1, 100, 100, 10, 10, 50, 50, 0.5, 1)),
				rec(0, rel(0, 100, 100, 10, 10, 50, 50, 0.5, 1)),
			}, ann, Options{})
			require.NoError(t, err)
			assert.InDelta(t, tc.want, res.MAP, 1e-15)
		})
	}
}

func TestScoreRecallThresholdsAreLinspaceBits(t *testing.T) {
	// 100 small gts, 35 found: recall reaches 0.35 but the 36th threshold
	// is 35*0.01 = 0.35000000000000003, so only 35 of 101 thresholds get
	// precision 1 (36 with thresholds i/100).
	var anns []tAnn
	var dets []det
	for i := 0; i < 100; i++ {
		x, y := float64(i%10)*100, float64(i/10)*100
		anns = append(anns, box(int64(i+1), 1, 1, x, y, 20, 20))
		if i < 35 {
			dets = append(dets, rel(0, 1000, 1000, x, y, 20, 20, float32(1-float64(i)/100), 1))
		}
	}
	ann := writeAnns(t, []tImg{{ID: 1, Width: 1000, Height: 1000}}, anns, []int64{1})
	res, err := Score([]mlperflog.Record{rec(0, dets...)}, ann, Options{})
	require.NoError(t, err)
	assert.InDelta(t, 35.0/101, res.MAP, 1e-15)
	assert.InDelta(t, 35.0/101, res.Stats[3], 1e-15) // all small
	assert.Equal(t, 0.35, res.Stats[8])
}

func TestDetectionsRecordSemantics(t *testing.T) {
	imgs := []tImg{{ID: 10, Width: 100, Height: 100}, {ID: 20, Width: 100, Height: 100}, {ID: 30, Width: 100, Height: 100}}
	anns := []tAnn{box(1, 10, 3, 0, 0, 10, 10), box(2, 30, 1, 0, 0, 10, 10)}
	ann := writeAnns(t, imgs, anns, []int64{3, 1})
	gt, err := LoadAnnotations(ann)
	require.NoError(t, err)

	t.Run("first record of a qsl_idx wins", func(t *testing.T) {
		d, ids, res, err := Detections([]mlperflog.Record{
			rec(1, rel(1, 100, 100, 0, 0, 10, 10, 0.1, 1)),
			rec(1, rel(1, 100, 100, 0, 0, 10, 10, 0.2, 1), rel(1, 100, 100, 0, 0, 10, 10, 0.3, 1)),
		}, gt, Options{})
		require.NoError(t, err)
		require.Len(t, d, 1)
		assert.InDelta(t, 0.1, d[0].Score, 1e-7)
		assert.Equal(t, []int64{20}, ids)
		assert.Equal(t, 1, res.Duplicates)
	})
	t.Run("inverse map takes categories in file order", func(t *testing.T) {
		d, _, _, err := Detections([]mlperflog.Record{rec(0, rel(0, 100, 100, 0, 0, 10, 10, 0.5, 1), rel(0, 100, 100, 0, 0, 10, 10, 0.5, 2))}, gt, Options{UseInvMap: true})
		require.NoError(t, err)
		assert.Equal(t, int64(3), d[0].CategoryID)
		assert.Equal(t, int64(1), d[1].CategoryID)
	})
	t.Run("unknown categories are counted", func(t *testing.T) {
		_, _, res, err := Detections([]mlperflog.Record{rec(0, rel(0, 100, 100, 0, 0, 10, 10, 0.5, 7))}, gt, Options{})
		require.NoError(t, err)
		assert.Equal(t, 1, res.UnknownCategory)
	})
	t.Run("remove-48 indexes only annotated images", func(t *testing.T) {
		// Image 20 has no annotation: qsl_idx 1 is image 30.
		_, ids, _, err := Detections([]mlperflog.Record{rec(1, rel(1, 100, 100, 0, 0, 10, 10, 0.5, 1))}, gt, Options{RemoveEmpty48: true})
		require.NoError(t, err)
		assert.Equal(t, []int64{30}, ids)
	})
}

func TestScoreBadInput(t *testing.T) {
	imgs := []tImg{{ID: 1, Width: 100, Height: 100}}
	ann := writeAnns(t, imgs, []tAnn{box(1, 1, 1, 0, 0, 10, 10)}, []int64{1})
	good := rel(0, 100, 100, 0, 0, 10, 10, 0.5, 1)
	nan := good
	nan[5] = float32(math.NaN())
	wrongIdx := good
	wrongIdx[0] = 3
	bigClass := good
	bigClass[6] = 2
	for _, tc := range []struct {
		description string
		records     []mlperflog.Record
		opt         Options
		want        string
	}{
		{"empty log", nil, Options{}, "no records"},
		{"qsl_idx outside the images", []mlperflog.Record{rec(1, good)}, Options{}, "log entry 0: qsl_idx 1 outside the 1 images"},
		{"partial float32", []mlperflog.Record{{QSLIdx: 0, Data: []byte{1, 2, 3}}}, Options{}, "log entry 0 (qsl_idx 0): 3 bytes"},
		{"partial detection", []mlperflog.Record{{QSLIdx: 0, Data: rec(0, good, good).Data[:4*8]}}, Options{}, "8 float32s"},
		{"image index disagrees", []mlperflog.Record{rec(0, wrongIdx)}, Options{}, "image index 3 disagrees"},
		{"nan score", []mlperflog.Record{rec(0, nan)}, Options{}, "value 5 is NaN"},
		{"class outside inverse map", []mlperflog.Record{rec(0, bigClass)}, Options{UseInvMap: true}, "class 2 outside"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := Score(tc.records, ann, tc.opt)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), ann)
		})
	}
}

func TestLoadAnnotationsBadInput(t *testing.T) {
	dir := t.TempDir()
	for _, tc := range []struct {
		description, json, want string
	}{
		{"not json", `{"images": [`, "unexpected end"},
		{"no images", `{"categories": []}`, `no "images" list`},
		{"missing iscrowd", `{"images":[{"id":1,"width":1,"height":1}],"categories":[{"id":1}],"annotations":[{"id":5,"image_id":1,"category_id":1,"bbox":[0,0,1,1],"area":1}]}`, "annotation 0 (id 5): missing iscrowd"},
		{"duplicate annotation id", `{"images":[{"id":1,"width":1,"height":1}],"categories":[{"id":1}],"annotations":[{"id":5,"image_id":1,"category_id":1,"bbox":[0,0,1,1],"area":1,"iscrowd":0},{"id":5,"image_id":1,"category_id":1,"bbox":[0,0,1,1],"area":1,"iscrowd":0}]}`, "annotation 1: duplicate annotation id 5"},
		{"short bbox", `{"images":[{"id":1,"width":1,"height":1}],"categories":[{"id":1}],"annotations":[{"id":5,"image_id":1,"category_id":1,"bbox":[0,0,1],"area":1,"iscrowd":0}]}`, "bbox has 3 values"},
		{"image without size", `{"images":[{"id":1}],"categories":[]}`, "image 0: missing id, width or height"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			p := filepath.Join(dir, "a.json")
			require.NoError(t, os.WriteFile(p, []byte(tc.json), 0o644))
			_, err := LoadAnnotations(p)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
			assert.Contains(t, err.Error(), p)
		})
	}
	_, err := LoadAnnotations(filepath.Join(dir, "missing.json"))
	require.ErrorIs(t, err, os.ErrNotExist)
}

// randomCase builds images with gts of every size, some crowds, and
// detections around them (jittered, duplicated, missing) plus false
// positives, with scores on a coarse grid so that ties are common.
func randomCase(r *rand.Rand, nImg int) (*Annotations, []Detection, []int64) {
	gt := &Annotations{CategoryIDs: []int64{5, 1, 3, 9}, imgByID: map[int64]int{}} // 9 has no gts
	var dets []Detection
	var ids []int64
	annID := int64(1)
	for i := 0; i < nImg; i++ {
		id := int64(r.IntN(1000) + 1)
		if _, dup := gt.imgByID[id]; dup {
			continue
		}
		gt.imgByID[id] = len(gt.Images)
		gt.Images = append(gt.Images, Image{ID: id, Width: 640, Height: 480})
		if r.IntN(4) > 0 {
			ids = append(ids, id)
		}
		for n := r.IntN(12); n > 0; n-- {
			cat := []int64{5, 1, 3}[r.IntN(3)]
			s := []float64{8, 20, 31, 33, 60, 96, 97, 200}[r.IntN(8)] * (0.8 + 0.4*r.Float64())
			b := [4]float64{r.Float64() * 400, r.Float64() * 300, s * (0.5 + r.Float64()), s * (0.5 + r.Float64())}
			a := Annotation{ID: annID, ImageID: id, CategoryID: cat, BBox: b, Area: b[2] * b[3] * (0.6 + 0.4*r.Float64()), IsCrowd: r.IntN(7) == 0}
			annID++
			gt.Annotations = append(gt.Annotations, a)
			for k := r.IntN(3); k > 0; k-- {
				j := b
				for c := range j {
					j[c] += (r.Float64() - 0.5) * 0.3 * b[2+c%2]
				}
				dets = append(dets, Detection{ImageID: id, CategoryID: cat, BBox: j, Score: float64(r.IntN(10)) / 10})
			}
		}
		for n := r.IntN(5); n > 0; n-- {
			cat := []int64{5, 1, 3, 9, 11}[r.IntN(5)]
			b := [4]float64{r.Float64() * 500, r.Float64() * 400, 5 + r.Float64()*150, 5 + r.Float64()*150}
			dets = append(dets, Detection{ImageID: id, CategoryID: cat, BBox: b, Score: float64(r.IntN(10)) / 10})
		}
		if i == 0 { // more than 100 detections in one image and category
			for n := 0; n < 130; n++ {
				b := [4]float64{r.Float64() * 500, r.Float64() * 400, 5 + r.Float64()*150, 5 + r.Float64()*150}
				dets = append(dets, Detection{ImageID: id, CategoryID: 1, BBox: b, Score: float64(r.IntN(20)) / 20})
			}
		}
	}
	return gt, dets, ids
}

func TestEvaluateMatchesReferenceImplementation(t *testing.T) {
	for seed := uint64(1); seed <= 40; seed++ {
		r := rand.New(rand.NewPCG(seed, 99))
		gt, dets, ids := randomCase(r, 2+r.IntN(15))
		got := Evaluate(gt, dets, ids).Stats
		want := refEval(gt, dets, ids)
		for i := range want {
			assert.InDelta(t, want[i], got[i], 1e-12, "seed %d stat %d", seed, i)
		}
	}
}
