//go:build cuda

package cuda

// #include <cuda.h>
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
	var n int
	err := g.c.Do(func() (err error) {
		n, err = graphNodes(g.g)
		return err
	})
	return n, err
}

// Instantiate makes an executable graph, launchable many times.
func (g *Graph) Instantiate() (*GraphExec, error) {
	if g == nil || g.c == nil {
		return nil, fmt.Errorf("cuda graph instantiate: %w", ErrClosed)
	}
	var e C.CUgraphExec
	err := g.c.Do(func() (err error) {
		e, err = graphInstantiate(g.g)
		return err
	})
	if err != nil {
		return nil, fmt.Errorf("cuda graph instantiate: %w", err)
	}
	g.c.open.Add(1)
	return &GraphExec{c: g.c, e: e}, nil
}

// Close destroys the graph (its instances stay valid). Safe on nil and twice.
func (g *Graph) Close() error {
	if g == nil || g.c == nil {
		return nil
	}
	c := g.c
	g.c = nil
	c.open.Add(-1)
	return c.Do(func() error { return graphDestroy(g.g) })
}

// GraphExec is an instantiated graph.
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
	return x.c.Do(func() error { return graphLaunch(x.e, s.Handle()) })
}

// Close destroys the executable graph. Safe on nil and twice.
func (x *GraphExec) Close() error {
	if x == nil || x.c == nil {
		return nil
	}
	c := x.c
	x.c = nil
	c.open.Add(-1)
	return c.Do(func() error { return graphExecDestroy(x.e) })
}
