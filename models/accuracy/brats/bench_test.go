package brats_test

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"path/filepath"
	"testing"

	"github.com/gotrt/gotrt/models/accuracy/brats"
	"github.com/gotrt/gotrt/models/accuracy/mlperflog"
	"github.com/gotrt/gotrt/models/npy"
)

// BenchmarkScoreCases scores 4 cases of a realistic cropped size
// (144×176×144 voxels, 64 MB float16 responses each) from memory; ns/op
// divided by 4 is the per-case cost (the full set has 67).
func BenchmarkScoreCases(b *testing.B) {
	const n = 4
	shape := [3]int{144, 176, 144}
	vox := shape[0] * shape[1] * shape[2]
	dir := b.TempDir()
	rng := rand.New(rand.NewPCG(3, 4))
	var recs []mlperflog.Record
	for c := range n {
		lab := make([]byte, vox)
		pred := make([]int, vox)
		for v := range lab {
			l := 0
			if rng.IntN(10) == 0 {
				l = 1 + rng.IntN(3)
			}
			lab[v] = byte(l)
			pred[v] = l
			if rng.IntN(20) == 0 {
				pred[v] = rng.IntN(4)
			}
		}
		name := fmt.Sprintf("case%02d", c)
		if err := npy.WriteFile(filepath.Join(dir, name+".npy"), npy.Int8Type, shape[:], lab); err != nil {
			b.Fatal(err)
		}
		resp := make([]byte, 4*plane*2)
		v := 0
		for d := range shape[0] {
			for h := range shape[1] {
				for w := range shape[2] {
					binary.LittleEndian.PutUint16(resp[2*(pred[v]*plane+offset(shape, d, h, w)):], 0x3c00)
					v++
				}
			}
		}
		recs = append(recs, mlperflog.Record{QSLIdx: c, Data: resp})
	}
	b.ResetTimer()
	for range b.N {
		if _, err := brats.Score(recs, dir, brats.Options{}); err != nil {
			b.Fatal(err)
		}
	}
}
