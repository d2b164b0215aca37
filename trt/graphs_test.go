package trt

import (
	"errors"
	"fmt"
	"testing"
	"unsafe"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeContext is a stand-in for an execution context: it records the calls
// made on it, in order.
type fakeContext struct {
	id     int
	calls  []string
	failOn string
	closed bool
	log    *[]string
}

func (c *fakeContext) rec(s string) error {
	c.calls = append(c.calls, s)
	*c.log = append(*c.log, fmt.Sprintf("ctx%d %s", c.id, s))
	if s == c.failOn {
		return errors.New("stand-in failure in " + s)
	}
	return nil
}

func (c *fakeContext) SetOptimizationProfile(i int, _ unsafe.Pointer) error {
	return c.rec(fmt.Sprintf("profile %d", i))
}
func (c *fakeContext) SetInputShape(name string, s Shape) error {
	return c.rec(fmt.Sprintf("shape %s %v", name, s))
}
func (c *fakeContext) SetTensorAddress(name string, p uintptr) error {
	return c.rec(fmt.Sprintf("address %s %#x", name, p))
}
func (c *fakeContext) EnqueueV3(unsafe.Pointer) error { return c.rec("enqueue") }
func (c *fakeContext) CaptureGraph(unsafe.Pointer) (*Graph, error) {
	if err := c.rec("capture"); err != nil {
		return nil, err
	}
	return &Graph{}, nil
}
func (c *fakeContext) Close() error { c.closed = true; return nil }

// Each batch size is captured from a context of its own, whose shapes are
// set once, for that size; none is reused for another size.
func TestCaptureGraphsOneContextPerGraph(t *testing.T) {
	var log []string
	var ctxs []*fakeContext
	gc := graphCapture{
		profile: 1,
		newContext: func() (graphContext, error) {
			c := &fakeContext{id: len(ctxs), log: &log}
			ctxs = append(ctxs, c)
			return c, nil
		},
		bind: func(c graphContext, n int) error {
			if err := c.SetInputShape("input", Shape{int64(n), 3}); err != nil {
				return err
			}
			return c.SetTensorAddress("input", 0x1000)
		},
		sync: func() error { return nil },
	}
	graphs, err := captureGraphs(graphSizes([]int{8, 1, 8, 0, 99}, 32), gc)
	require.NoError(t, err)
	require.Len(t, graphs, 2)
	require.Len(t, ctxs, 2, "one context per captured size")
	assert.Same(t, ctxs[0], graphs[1].ctx)
	assert.Same(t, ctxs[1], graphs[8].ctx)
	assert.Equal(t, []string{"profile 1", "shape input 1x3", "address input 0x1000", "enqueue", "capture"}, ctxs[0].calls)
	assert.Equal(t, []string{"profile 1", "shape input 8x3", "address input 0x1000", "enqueue", "capture"}, ctxs[1].calls)
	for _, g := range graphs {
		require.NoError(t, g.close())
	}
	assert.True(t, ctxs[0].closed && ctxs[1].closed)
}

func TestCaptureGraphsFailureNamesBatchAndClosesContext(t *testing.T) {
	var log []string
	var ctxs []*fakeContext
	gc := graphCapture{
		newContext: func() (graphContext, error) {
			c := &fakeContext{id: len(ctxs), log: &log}
			if len(ctxs) == 1 {
				c.failOn = "capture"
			}
			ctxs = append(ctxs, c)
			return c, nil
		},
		bind: func(graphContext, int) error { return nil },
		sync: func() error { return nil },
	}
	graphs, err := captureGraphs([]int{1, 4}, gc)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "cuda graph for batch 4: stand-in failure in capture")
	assert.Len(t, graphs, 1, "the graphs captured so far, for the caller to close")
	assert.True(t, ctxs[1].closed)
	assert.False(t, ctxs[0].closed)
}

func TestProfileFor(t *testing.T) {
	v86 := Version{Major: 8, Minor: 6, Patch: 1}
	v10 := Version{Major: 10, Minor: 16}
	for _, tc := range []struct {
		description              string
		lib                      Version
		stream, profiles, graphs int
		want                     int
		err                      string
	}{
		{"10.x shares profiles", v10, 3, 2, 0, 1, ""},
		{"10.x graphs", v10, 0, 1, 2, 0, ""},
		{"8.6 a profile per stream", v86, 1, 2, 0, 1, ""},
		{"8.6 more streams than profiles", v86, 2, 2, 0, 0, "stream 2 would share one of the plan's 2 profiles: run at most 2 streams"},
		{"8.6 graphs", v86, 0, 2, 1, 0, "cuda graphs need an execution context per captured batch size"},
		{"no profile", v10, 0, 0, 0, 0, "no optimization profile"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, err := profileFor(tc.lib, tc.stream, tc.profiles, tc.graphs)
			if tc.err != "" {
				require.Error(t, err)
				assert.Contains(t, err.Error(), tc.err)
				if tc.profiles > 0 {
					assert.ErrorIs(t, err, ErrNotSupported)
					assert.Contains(t, err.Error(), "tensorrt 8.6.1")
				}
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
		})
	}
}
