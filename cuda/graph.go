//go:build cuda

package cuda

// #include "driver.h"
import "C"

import "fmt"

// Graph is a captured sequence of stream work (see [Stream.Capture]).
type Graph struct {
	c *Context
	g C.CUgraph
}

// Nodes returns the number of operations in the graph.
func (g *Graph) Nodes() (int, error) {
	if g == nil || g.c == nil {
		return 0, fmt.Errorf("cuda graph: %w", ErrClosed)
	}
	var n C.size_t
	err := g.c.run(func() error { return checkC("cuGraphGetNodes", C.gotrt_cuGraphGetNodes(g.g, nil, &n)) })
	return int(n), err
}

// Instantiate makes an executable graph, launchable many times.
func (g *Graph) Instantiate() (*GraphExec, error) {
	if g == nil || g.c == nil {
		return nil, fmt.Errorf("cuda graph instantiate: %w", ErrClosed)
	}
	c := g.c
	if err := c.acquire("graph instantiate"); err != nil {
		return nil, err
	}
	var e C.CUgraphExec
	err := c.run(func() error {
		return checkC("cuGraphInstantiateWithFlags", C.gotrt_cuGraphInstantiateWithFlags(&e, g.g, 0))
	})
	if err != nil {
		c.release()
		return nil, fmt.Errorf("cuda graph instantiate: %w", err)
	}
	return &GraphExec{c: c, e: e}, nil
}

// Close destroys the graph (its instances stay valid). Safe on nil and twice.
func (g *Graph) Close() error {
	if g == nil || g.c == nil {
		return nil
	}
	c := g.c
	g.c = nil
	err := c.run(func() error { return checkC("cuGraphDestroy", C.gotrt_cuGraphDestroy(g.g)) })
	c.release()
	return err
}

// GraphExec is an instantiated graph. Close it before the [Module]s whose
// kernels it launches.
type GraphExec struct {
	c *Context
	e C.CUgraphExec
}

// Launch queues the whole graph on s.
func (x *GraphExec) Launch(s *Stream) error {
	if x == nil || x.c == nil {
		return fmt.Errorf("cuda graph launch: %w", ErrClosed)
	}
	if err := s.live(); err != nil {
		return err
	}
	pushed, err := x.c.enter()
	if err != nil {
		return err
	}
	r := C.gotrt_cuGraphLaunch(x.e, s.s)
	x.c.exit(pushed)
	return checkC("cuGraphLaunch", r)
}

// Close destroys the executable graph. Safe on nil and twice.
func (x *GraphExec) Close() error {
	if x == nil || x.c == nil {
		return nil
	}
	c := x.c
	x.c = nil
	err := c.run(func() error { return checkC("cuGraphExecDestroy", C.gotrt_cuGraphExecDestroy(x.e)) })
	c.release()
	return err
}
