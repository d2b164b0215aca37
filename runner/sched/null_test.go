package sched_test

import (
	"sync"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// countCompleter closes done when left samples have completed.
type countCompleter struct {
	mu   sync.Mutex
	left int
	done chan struct{}
}

func (c *countCompleter) Complete(r []loadgen.Response) error {
	c.mu.Lock()
	c.left -= len(r)
	if c.left == 0 {
		close(c.done)
	}
	c.mu.Unlock()
	return nil
}

func (c *countCompleter) Fail(error) {}
