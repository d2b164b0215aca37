package loadgen

import (
	"math/rand/v2"
	"slices"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The order statistics of sorted runs are those of one sort of all the
// values: every rank, counts above a bound, the sum; with duplicates,
// negative values, empty and single runs.
func TestSortedRunsMatchOneSort(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for _, tc := range []struct {
		description string
		runs        []int
		spread      int64
	}{
		{"one run", []int{1000}, 1 << 40},
		{"many runs of uneven sizes", []int{1, 0, 500, 37, 0, 2000, 3}, 1 << 40},
		{"heavy duplicates", []int{300, 300, 300}, 5},
		{"one value", []int{10, 10}, 1},
		{"negative values", []int{100, 200}, -1},
	} {
		t.Run(tc.description, func(t *testing.T) {
			var runs [][]int64
			var all []int64
			for _, n := range tc.runs {
				run := make([]int64, n)
				for i := range run {
					switch {
					case tc.spread < 0:
						run[i] = r.Int64N(2000) - 1000
					default:
						run[i] = r.Int64N(tc.spread)
					}
				}
				all = append(all, run...)
				runs = append(runs, run)
			}
			slices.Sort(all)
			o := newSortedRuns(runs)
			require.Equal(t, len(all), o.len())
			var sum int64
			for _, v := range all {
				sum += v
			}
			assert.Equal(t, sum, o.sum())
			for i := range all {
				if o.at(i) != all[i] {
					t.Fatalf("rank %d: %d, one sort says %d", i, o.at(i), all[i])
				}
			}
			for _, v := range []int64{all[0] - 1, all[len(all)/2], all[len(all)-1], all[len(all)-1] + 1} {
				assert.Equal(t, countAbove(sortedSlice(all), v), countAbove(o, v), "above %d", v)
			}
			want := newLatStats(sortedSlice(all), 0.99)
			assert.Equal(t, want, newLatStats(o, 0.99))
		})
	}
}
