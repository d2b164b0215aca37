package report

import (
	"os"
	"testing"
)

func TestZZView(t *testing.T) {
	if os.Getenv("VIEW") == "" {
		t.Skip()
	}
	bm, vg := seed()
	vg.Runs[0].Result.Valid = false
	c, _ := Compare([]*System{bm, vg})
	WriteComparison("/tmp/view", c)
	var calls []int
	s, _ := Scale(t.Context(), t.TempDir(), []int{1, 2, 4}, seedScaling(t, &calls), nil)
	WriteScaling("/tmp/view", s)
}
