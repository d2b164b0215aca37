package coco

import (
	"math"
	"slices"
	"sort"
)

// Detection is one detection in pycocotools' result format: image id,
// category id, box as x, y, width, height, and score.
type Detection struct {
	ImageID    int64
	CategoryID int64
	BBox       [4]float64
	Score      float64
}

// Eval holds COCOeval's bbox results: the precision and recall arrays that
// accumulate() fills, and the 12 summary statistics.
type Eval struct {
	// CatIDs are the evaluated categories, sorted (COCOeval.params.catIds).
	CatIDs []int64
	// ImgIDs are the evaluated images, sorted and distinct.
	ImgIDs []int64
	// Precision is indexed [t][r][k][a][m] in C order: T=10 IoU thresholds,
	// R=101 recall thresholds, K categories, A=4 area ranges, M=3 maxDets.
	// -1 marks a setting with no ground truth, as in pycocotools.
	Precision []float64
	// Recall is indexed [t][k][a][m], -1 where there is no ground truth.
	Recall []float64
	// Stats are COCOeval.stats in pycocotools' order: AP, AP50, AP75,
	// AP small/medium/large, AR1, AR10, AR100, AR small/medium/large.
	Stats [12]float64
}

const (
	numIoU    = 10
	numRec    = 101
	numArea   = 4
	numMaxDet = 3
)

var (
	// iouThrs is np.linspace(.5, 0.95, 10) bit for bit: i*step + start, with
	// the last value set to stop.
	iouThrs = func() [numIoU]float64 {
		var t [numIoU]float64
		start, stop := 0.5, 0.95 // variables: Go constant arithmetic is exact
		step := (stop - start) / 9
		for i := range t {
			t[i] = float64(float64(i)*step) + 0.5
		}
		t[numIoU-1] = 0.95
		return t
	}()
	// recThrs is np.linspace(.0, 1.00, 101) bit for bit.
	recThrs = func() [numRec]float64 {
		var t [numRec]float64
		stop := 1.0
		step := stop / 100
		for i := range t {
			t[i] = float64(float64(i)*step) + 0
		}
		t[numRec-1] = 1
		return t
	}()
	areaRng = [numArea][2]float64{{0, 1e5 * 1e5}, {0, 32 * 32}, {32 * 32, 96 * 96}, {96 * 96, 1e5 * 1e5}}
	maxDets = [numMaxDet]int{1, 10, 100}
)

// eps is np.spacing(1).
const eps = 2.220446049250313e-16

type gtObj struct {
	id    int64
	box   [4]float64
	area  float64
	crowd bool
}

type dtObj struct {
	box   [4]float64
	area  float64
	score float64
}

// cellResult is evaluateImg's output for one image and category, for all
// four area ranges: the detections (sorted by score, at most 100) and per
// detection and area range a bitmask over IoU thresholds of "matched to a gt
// with a nonzero id" and of "ignored".
type cellResult struct {
	img     int // index into ImgIDs
	scores  []float64
	matched [][numArea]uint16
	ignored [][numArea]uint16
	npig    [numArea]int // ground truths not ignored, per area range
}

// Evaluate runs COCOeval (iouType "bbox", default parameters) on the given
// ground truth and detections over the images imgIDs, with the semantics of
// pycocotools' evaluate, accumulate and summarize. Detections of images not
// in imgIDs or of categories not in gt are not evaluated, as in pycocotools.
// Detections are taken in slice order, which decides ties in score.
func Evaluate(gt *Annotations, dets []Detection, imgIDs []int64) *Eval {
	imgs := slices.Clone(imgIDs)
	slices.Sort(imgs)
	imgs = slices.Compact(imgs)
	cats := slices.Clone(gt.CategoryIDs)
	slices.Sort(cats)
	cats = slices.Compact(cats)
	imgIdx := make(map[int64]int, len(imgs))
	for i, id := range imgs {
		imgIdx[id] = i
	}
	catIdx := make(map[int64]int, len(cats))
	for k, id := range cats {
		catIdx[id] = k
	}
	K, I := len(cats), len(imgs)

	// Bucket gts and dts by cell k*I+i, keeping file order inside a cell
	// (a counting sort, which is stable).
	cellOf := func(img, cat int64) int {
		i, ok := imgIdx[img]
		if !ok {
			return -1
		}
		k, ok := catIdx[cat]
		if !ok {
			return -1
		}
		return k*I + i
	}
	gtCell := make([]int32, len(gt.Annotations))
	dtCell := make([]int32, len(dets))
	gtStart := make([]int32, K*I+1)
	dtStart := make([]int32, K*I+1)
	for j, a := range gt.Annotations {
		c := cellOf(a.ImageID, a.CategoryID)
		gtCell[j] = int32(c)
		if c >= 0 {
			gtStart[c+1]++
		}
	}
	for j, d := range dets {
		c := cellOf(d.ImageID, d.CategoryID)
		dtCell[j] = int32(c)
		if c >= 0 {
			dtStart[c+1]++
		}
	}
	for c := 0; c < K*I; c++ {
		gtStart[c+1] += gtStart[c]
		dtStart[c+1] += dtStart[c]
	}
	gts := make([]gtObj, gtStart[K*I])
	dts := make([]dtObj, dtStart[K*I])
	gtFill := slices.Clone(gtStart[:K*I])
	dtFill := slices.Clone(dtStart[:K*I])
	for j, a := range gt.Annotations {
		if c := gtCell[j]; c >= 0 {
			gts[gtFill[c]] = gtObj{id: a.ID, box: a.BBox, area: a.Area, crowd: a.IsCrowd}
			gtFill[c]++
		}
	}
	for j, d := range dets {
		if c := dtCell[j]; c >= 0 {
			// loadRes: area = w*h of the result box.
			dts[dtFill[c]] = dtObj{box: d.BBox, area: float64(d.BBox[2] * d.BBox[3]), score: d.Score}
			dtFill[c]++
		}
	}

	e := &Eval{
		CatIDs:    cats,
		ImgIDs:    imgs,
		Precision: make([]float64, numIoU*numRec*K*numArea*numMaxDet),
		Recall:    make([]float64, numIoU*K*numArea*numMaxDet),
	}
	for i := range e.Precision {
		e.Precision[i] = -1
	}
	for i := range e.Recall {
		e.Recall[i] = -1
	}

	var w evalWork
	cells := make([]cellResult, 0, I)
	for k := 0; k < K; k++ {
		cells = cells[:0]
		for i := 0; i < I; i++ {
			c := k*I + i
			g := gts[gtStart[c]:gtStart[c+1]]
			d := dts[dtStart[c]:dtStart[c+1]]
			if len(g) == 0 && len(d) == 0 {
				continue // evaluateImg returns None
			}
			cells = append(cells, w.evaluateCell(i, g, d))
		}
		w.accumulate(e, k, K, cells)
	}
	e.summarize(K)
	return e
}

// evalWork holds scratch buffers reused across cells.
type evalWork struct {
	order  []int
	ious   []float64
	gtOrd  []int
	gtIg   []bool
	gtUsed []bool

	refs   []detRef
	tp, fp []float64
	rc, pr []float64
}

// evaluateCell is computeIoU plus evaluateImg for all area ranges.
func (w *evalWork) evaluateCell(img int, g []gtObj, d []dtObj) cellResult {
	// Detections by score, highest first, stable (np.argsort mergesort on
	// -score), at most maxDets[-1].
	w.order = w.order[:0]
	for j := range d {
		w.order = append(w.order, j)
	}
	sort.SliceStable(w.order, func(a, b int) bool { return d[w.order[a]].score > d[w.order[b]].score })
	D := min(len(d), maxDets[numMaxDet-1])
	G := len(g)
	sorted := make([]dtObj, D)
	for j := 0; j < D; j++ {
		sorted[j] = d[w.order[j]]
	}
	res := cellResult{
		img:     img,
		scores:  make([]float64, D),
		matched: make([][numArea]uint16, D),
		ignored: make([][numArea]uint16, D),
	}
	for j := range sorted {
		res.scores[j] = sorted[j].score
	}

	// maskUtils.iou: ious[d][g], intersection over union, or over the
	// detection's area for a crowd gt.
	w.ious = w.ious[:0]
	for j := 0; j < D; j++ {
		for gi := 0; gi < G; gi++ {
			w.ious = append(w.ious, boxIoU(sorted[j].box, g[gi].box, g[gi].crowd))
		}
	}

	for a := 0; a < numArea; a++ {
		lo, hi := areaRng[a][0], areaRng[a][1]
		// _ignore: crowd or area outside the range; gts sorted with ignored
		// ones last, stably.
		w.gtOrd = w.gtOrd[:0]
		w.gtIg = w.gtIg[:0]
		for gi := range g {
			if !(g[gi].crowd || g[gi].area < lo || g[gi].area > hi) {
				w.gtOrd = append(w.gtOrd, gi)
			}
		}
		npig := len(w.gtOrd)
		for gi := range g {
			if g[gi].crowd || g[gi].area < lo || g[gi].area > hi {
				w.gtOrd = append(w.gtOrd, gi)
			}
		}
		for p := range w.gtOrd {
			w.gtIg = append(w.gtIg, p >= npig)
		}
		res.npig[a] = npig
		for t := 0; t < numIoU; t++ {
			w.gtUsed = w.gtUsed[:0]
			for range w.gtOrd {
				w.gtUsed = append(w.gtUsed, false)
			}
			bit := uint16(1) << t
			for j := 0; j < D; j++ {
				if G == 0 {
					break
				}
				best := min(iouThrs[t], 1-1e-10)
				m := -1
				for p, gi := range w.gtOrd {
					if w.gtUsed[p] && !g[gi].crowd {
						continue
					}
					if m > -1 && !w.gtIg[m] && w.gtIg[p] {
						break
					}
					v := w.ious[j*G+gi]
					if v < best {
						continue
					}
					best = v
					m = p
				}
				if m == -1 {
					continue
				}
				if w.gtIg[m] {
					res.ignored[j][a] |= bit
				}
				// dtm holds the gt id; an id of 0 reads as "unmatched"
				// in accumulate, as in pycocotools.
				if g[w.gtOrd[m]].id != 0 {
					res.matched[j][a] |= bit
				}
				w.gtUsed[m] = true
			}
			// Unmatched detections outside the area range are ignored.
			for j := 0; j < D; j++ {
				if res.matched[j][a]&bit == 0 && (sorted[j].area < lo || sorted[j].area > hi) {
					res.ignored[j][a] |= bit
				}
			}
		}
	}
	return res
}

// boxIoU is bbIou of pycocotools' maskApi.c for one pair of x,y,w,h boxes.
func boxIoU(d, g [4]float64, crowd bool) float64 {
	w := math.Min(float64(d[2]+d[0]), float64(g[2]+g[0])) - math.Max(d[0], g[0])
	if w <= 0 {
		return 0
	}
	h := math.Min(float64(d[3]+d[1]), float64(g[3]+g[1])) - math.Max(d[1], g[1])
	if h <= 0 {
		return 0
	}
	i := float64(w * h)
	da := float64(d[2] * d[3])
	var u float64
	if crowd {
		u = da
	} else {
		ga := float64(g[2] * g[3])
		u = float64(da+ga) - i
	}
	return i / u
}

type detRef struct {
	cell, det int32
	score     float64
}

// accumulate fills precision and recall for category k from its cells
// (images in ascending order), as COCOeval.accumulate does.
func (w *evalWork) accumulate(e *Eval, k, K int, cells []cellResult) {
	if len(cells) == 0 {
		return
	}
	for m := 0; m < numMaxDet; m++ {
		maxDet := maxDets[m]
		// Concatenate each image's first maxDet detections in image order,
		// then sort by score, stably (mergesort on -score).
		w.refs = w.refs[:0]
		for c := range cells {
			n := min(len(cells[c].scores), maxDet)
			for j := 0; j < n; j++ {
				w.refs = append(w.refs, detRef{cell: int32(c), det: int32(j), score: cells[c].scores[j]})
			}
		}
		slices.SortStableFunc(w.refs, func(x, y detRef) int {
			switch {
			case x.score > y.score:
				return -1
			case x.score < y.score:
				return 1
			}
			return 0
		})
		nd := len(w.refs)
		for a := 0; a < numArea; a++ {
			npig := 0
			for c := range cells {
				npig += cells[c].npig[a]
			}
			if npig == 0 {
				continue
			}
			for t := 0; t < numIoU; t++ {
				bit := uint16(1) << t
				w.rc, w.pr = w.rc[:0], w.pr[:0]
				var tp, fp float64
				for _, r := range w.refs {
					c := &cells[r.cell]
					if c.ignored[r.det][a]&bit == 0 {
						if c.matched[r.det][a]&bit != 0 {
							tp++
						} else {
							fp++
						}
					}
					w.rc = append(w.rc, tp/float64(npig))
					w.pr = append(w.pr, tp/float64(float64(fp+tp)+eps))
				}
				ri := ((t*K+k)*numArea+a)*numMaxDet + m
				if nd > 0 {
					e.Recall[ri] = w.rc[nd-1]
				} else {
					e.Recall[ri] = 0
				}
				for i := nd - 1; i > 0; i-- {
					if w.pr[i] > w.pr[i-1] {
						w.pr[i-1] = w.pr[i]
					}
				}
				// np.searchsorted(rc, recThrs, side='left'); thresholds past
				// the end keep precision 0.
				pos := 0
				for r := 0; r < numRec; r++ {
					for pos < nd && w.rc[pos] < recThrs[r] {
						pos++
					}
					q := 0.0
					if pos < nd {
						q = w.pr[pos]
					}
					e.Precision[(((t*numRec+r)*K+k)*numArea+a)*numMaxDet+m] = q
				}
			}
		}
	}
}

// summarize computes the 12 stats of COCOeval.summarize.
func (e *Eval) summarize(K int) {
	const all, small, medium, large = 0, 1, 2, 3
	ap := func(iou int, a, m int) float64 { // iou -1: all thresholds
		var vals []float64
		for t := 0; t < numIoU; t++ {
			if iou >= 0 && t != iou {
				continue
			}
			for r := 0; r < numRec; r++ {
				for k := 0; k < K; k++ {
					if v := e.Precision[(((t*numRec+r)*K+k)*numArea+a)*numMaxDet+m]; v > -1 {
						vals = append(vals, v)
					}
				}
			}
		}
		return npMean(vals)
	}
	ar := func(a, m int) float64 {
		var vals []float64
		for t := 0; t < numIoU; t++ {
			for k := 0; k < K; k++ {
				if v := e.Recall[((t*K+k)*numArea+a)*numMaxDet+m]; v > -1 {
					vals = append(vals, v)
				}
			}
		}
		return npMean(vals)
	}
	e.Stats = [12]float64{
		ap(-1, all, 2), ap(thrIndex(0.5), all, 2), ap(thrIndex(0.75), all, 2),
		ap(-1, small, 2), ap(-1, medium, 2), ap(-1, large, 2),
		ar(all, 0), ar(all, 1), ar(all, 2),
		ar(small, 2), ar(medium, 2), ar(large, 2),
	}
}

// thrIndex is np.where(iouThr == p.iouThrs): the index of an exactly equal
// threshold. pycocotools relies on .5 and .75 being exact; if one were not,
// the stat would be -1, as here (index -2 matches nothing).
func thrIndex(v float64) int {
	for i, t := range iouThrs {
		if t == v {
			return i
		}
	}
	return -2
}

// npMean is np.mean of a 1-D float64 array: numpy's pairwise sum divided by
// the count, or -1 for no values (summarize's convention).
func npMean(v []float64) float64 {
	if len(v) == 0 {
		return -1
	}
	return pairwiseSum(v) / float64(len(v))
}

// pairwiseSum is numpy's pairwise_sum for contiguous float64 data: a plain
// loop under 8 values, 8 interleaved partial sums up to 128, and halves
// (rounded down to a multiple of 8) above.
func pairwiseSum(a []float64) float64 {
	n := len(a)
	switch {
	case n < 8:
		res := 0.0
		for _, x := range a {
			res += x
		}
		return res
	case n <= 128:
		var r [8]float64
		copy(r[:], a[:8])
		i := 8
		for ; i < n-n%8; i += 8 {
			for j := 0; j < 8; j++ {
				r[j] += a[i+j]
			}
		}
		res := float64(float64(r[0]+r[1])+float64(r[2]+r[3])) + float64(float64(r[4]+r[5])+float64(r[6]+r[7]))
		for ; i < n; i++ {
			res += a[i]
		}
		return res
	default:
		n2 := n / 2
		n2 -= n2 % 8
		return pairwiseSum(a[:n2]) + pairwiseSum(a[n2:])
	}
}
