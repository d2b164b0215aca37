package coco

import (
	"sort"
)

// refEval is a second, deliberately plain implementation of pycocotools'
// COCOeval (bbox) written from cocoeval.py's structure: evalImgs as
// dictionaries of float matrices, accumulate with cumulative sums over
// concatenated arrays, summarize with a naive mean. It shares no code with
// eval.go, so the tests compare two independent readings of the Python.
func refEval(gt *Annotations, dets []Detection, imgIDs []int64) [12]float64 {
	// params: np.linspace values, written out (see TestThresholdsAreNumpyLinspace)
	iou := [10]float64{0.5, 0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85, 0.8999999999999999, 0.95}
	var rec [101]float64
	for i := range rec {
		rec[i] = float64(i) / 100
	}
	for _, i := range []int{35, 41, 47, 57, 69, 70, 82, 83, 94, 95} {
		rec[i] = float64(i) * 0.01 // differs from i/100 in the last bit
	}
	type rng struct{ lo, hi float64 }
	areas := []rng{{0, 1e10}, {0, 1024}, {1024, 9216}, {9216, 1e10}}
	mdets := []int{1, 10, 100}

	imgs := map[int64]bool{}
	for _, id := range imgIDs {
		imgs[id] = true
	}
	var imgList []int64
	for id := range imgs {
		imgList = append(imgList, id)
	}
	sort.Slice(imgList, func(a, b int) bool { return imgList[a] < imgList[b] })
	catList := append([]int64(nil), gt.CategoryIDs...)
	sort.Slice(catList, func(a, b int) bool { return catList[a] < catList[b] })
	cats := map[int64]bool{}
	for _, c := range catList {
		cats[c] = true
	}

	type g struct {
		id         int64
		box        [4]float64
		area       float64
		crowd      bool
		ignoreFlag bool
	}
	type d struct {
		id    int
		box   [4]float64
		area  float64
		score float64
	}
	type key struct{ img, cat int64 }
	gts := map[key][]g{}
	dts := map[key][]d{}
	for _, a := range gt.Annotations {
		if imgs[a.ImageID] && cats[a.CategoryID] {
			k := key{a.ImageID, a.CategoryID}
			gts[k] = append(gts[k], g{id: a.ID, box: a.BBox, area: a.Area, crowd: a.IsCrowd, ignoreFlag: a.IsCrowd})
		}
	}
	for n, x := range dets {
		if imgs[x.ImageID] && cats[x.CategoryID] {
			k := key{x.ImageID, x.CategoryID}
			dts[k] = append(dts[k], d{id: n + 1, box: x.BBox, area: x.BBox[2] * x.BBox[3], score: x.Score})
		}
	}
	iouOf := func(db, gb [4]float64, crowd bool) float64 {
		// intersection of [x, x+w] × [y, y+h]
		ix := minf(db[0]+db[2], gb[0]+gb[2]) - maxf(db[0], gb[0])
		iy := minf(db[1]+db[3], gb[1]+gb[3]) - maxf(db[1], gb[1])
		if ix <= 0 || iy <= 0 {
			return 0
		}
		inter := ix * iy
		if crowd {
			return inter / (db[2] * db[3])
		}
		return inter / (db[2]*db[3] + gb[2]*gb[3] - inter)
	}

	type evalImg struct {
		dtScores  []float64
		dtm, dtIg [][]float64 // [T][D]
		gtIg      []bool
	}
	// evalImgs[k][a][i]
	evalImgs := make([][][]*evalImg, len(catList))
	for ki, c := range catList {
		evalImgs[ki] = make([][]*evalImg, len(areas))
		for ai, ar := range areas {
			evalImgs[ki][ai] = make([]*evalImg, len(imgList))
			for ii, im := range imgList {
				G := append([]g(nil), gts[key{im, c}]...)
				D := append([]d(nil), dts[key{im, c}]...)
				if len(G) == 0 && len(D) == 0 {
					continue
				}
				ign := make([]bool, len(G))
				for j := range G {
					ign[j] = G[j].ignoreFlag || G[j].area < ar.lo || G[j].area > ar.hi
				}
				gi := make([]int, len(G))
				for j := range gi {
					gi[j] = j
				}
				sort.SliceStable(gi, func(a, b int) bool { return !ign[gi[a]] && ign[gi[b]] })
				sg := make([]g, len(G))
				sIgn := make([]bool, len(G))
				for j, x := range gi {
					sg[j], sIgn[j] = G[x], ign[x]
				}
				sort.SliceStable(D, func(a, b int) bool { return D[a].score > D[b].score })
				if len(D) > 100 {
					D = D[:100]
				}
				ev := &evalImg{gtIg: sIgn}
				for _, x := range D {
					ev.dtScores = append(ev.dtScores, x.score)
				}
				gtm := make([][]float64, 10)
				ev.dtm = make([][]float64, 10)
				ev.dtIg = make([][]float64, 10)
				for t := range iou {
					gtm[t] = make([]float64, len(sg))
					ev.dtm[t] = make([]float64, len(D))
					ev.dtIg[t] = make([]float64, len(D))
					for di, dd := range D {
						best := iou[t]
						if best > 1-1e-10 {
							best = 1 - 1e-10
						}
						m := -1
						for gj, gg := range sg {
							if gtm[t][gj] > 0 && !gg.crowd {
								continue
							}
							if m > -1 && !sIgn[m] && sIgn[gj] {
								break
							}
							v := iouOf(dd.box, gg.box, gg.crowd)
							if v < best {
								continue
							}
							best, m = v, gj
						}
						if m == -1 {
							continue
						}
						if sIgn[m] {
							ev.dtIg[t][di] = 1
						}
						ev.dtm[t][di] = float64(sg[m].id)
						gtm[t][m] = float64(dd.id)
					}
					for di, dd := range D {
						if ev.dtm[t][di] == 0 && (dd.area < ar.lo || dd.area > ar.hi) {
							ev.dtIg[t][di] = 1
						}
					}
				}
				evalImgs[ki][ai][ii] = ev
			}
		}
	}

	// accumulate: precision[t][r][k][a][m], recall[t][k][a][m]
	K := len(catList)
	prec := make([][][][][]float64, 10)
	recl := make([][][][]float64, 10)
	for t := range prec {
		prec[t] = make([][][][]float64, 101)
		for r := range prec[t] {
			prec[t][r] = make([][][]float64, K)
			for k := range prec[t][r] {
				prec[t][r][k] = make([][]float64, 4)
				for a := range prec[t][r][k] {
					prec[t][r][k][a] = []float64{-1, -1, -1}
				}
			}
		}
		recl[t] = make([][][]float64, K)
		for k := range recl[t] {
			recl[t][k] = make([][]float64, 4)
			for a := range recl[t][k] {
				recl[t][k][a] = []float64{-1, -1, -1}
			}
		}
	}
	for k := 0; k < K; k++ {
		for a := range areas {
			for mi, md := range mdets {
				var E []*evalImg
				for _, e := range evalImgs[k][a] {
					if e != nil {
						E = append(E, e)
					}
				}
				if len(E) == 0 {
					continue
				}
				type entry struct {
					score float64
					dtm   [10]float64
					dtIg  [10]float64
				}
				var all []entry
				npig := 0
				for _, e := range E {
					for di := 0; di < len(e.dtScores) && di < md; di++ {
						en := entry{score: e.dtScores[di]}
						for t := 0; t < 10; t++ {
							en.dtm[t], en.dtIg[t] = e.dtm[t][di], e.dtIg[t][di]
						}
						all = append(all, en)
					}
					for _, ig := range e.gtIg {
						if !ig {
							npig++
						}
					}
				}
				if npig == 0 {
					continue
				}
				sort.SliceStable(all, func(x, y int) bool { return all[x].score > all[y].score })
				for t := 0; t < 10; t++ {
					nd := len(all)
					rc := make([]float64, nd)
					pr := make([]float64, nd)
					tp, fp := 0.0, 0.0
					for i, en := range all {
						if en.dtIg[t] == 0 {
							if en.dtm[t] != 0 {
								tp++
							} else {
								fp++
							}
						}
						rc[i] = tp / float64(npig)
						pr[i] = tp / (fp + tp + 2.220446049250313e-16)
					}
					if nd > 0 {
						recl[t][k][a][mi] = rc[nd-1]
					} else {
						recl[t][k][a][mi] = 0
					}
					for i := nd - 1; i > 0; i-- {
						if pr[i] > pr[i-1] {
							pr[i-1] = pr[i]
						}
					}
					for r := range rec {
						pi := sort.SearchFloat64s(rc, rec[r])
						if pi < nd {
							prec[t][r][k][a][mi] = pr[pi]
						} else {
							prec[t][r][k][a][mi] = 0
						}
					}
				}
			}
		}
	}

	mean := func(v []float64) float64 {
		if len(v) == 0 {
			return -1
		}
		s := 0.0
		for _, x := range v {
			s += x
		}
		return s / float64(len(v))
	}
	ap := func(tsel []int, a, m int) float64 {
		var v []float64
		for _, t := range tsel {
			for r := 0; r < 101; r++ {
				for k := 0; k < K; k++ {
					if x := prec[t][r][k][a][m]; x > -1 {
						v = append(v, x)
					}
				}
			}
		}
		return mean(v)
	}
	ar := func(a, m int) float64 {
		var v []float64
		for t := 0; t < 10; t++ {
			for k := 0; k < K; k++ {
				if x := recl[t][k][a][m]; x > -1 {
					v = append(v, x)
				}
			}
		}
		return mean(v)
	}
	allT := []int{0, 1, 2, 3, 4, 5, 6, 7, 8, 9}
	return [12]float64{
		ap(allT, 0, 2), ap([]int{0}, 0, 2), ap([]int{5}, 0, 2),
		ap(allT, 1, 2), ap(allT, 2, 2), ap(allT, 3, 2),
		ar(0, 0), ar(0, 1), ar(0, 2), ar(1, 2), ar(2, 2), ar(3, 2),
	}
}

func minf(a, b float64) float64 {
	if a < b {
		return a
	}
	return b
}

func maxf(a, b float64) float64 {
	if a > b {
		return a
	}
	return b
}
