// Package handle holds the one close policy that every native parent handle
// of gotrt follows (a CUDA context, a TensorRT runtime, engine or device, the
// built-in model's GPU device): children close first. A parent with open
// children refuses to close with an error wrapping [gpuerr.ErrInUse], names
// how many are open and stays usable; once they are closed, Close succeeds;
// a second Close is harmless; opening a child after Close fails with
// [gpuerr.ErrClosed].
//
// Counting the children and releasing the parent happen under one lock, so a
// child opened concurrently with Close either is refused or makes Close
// refuse: no child ever outlives its parent.
package handle

import (
	"fmt"
	"sync"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// Parent tracks the open children of a native handle. The zero value is a
// live parent with no children. A Parent must not be copied after first use.
type Parent struct {
	mu     sync.Mutex
	open   int
	closed bool
}

// Acquire registers a child about to be opened. It fails, wrapping
// [gpuerr.ErrClosed], once the parent is closed. Every successful Acquire is
// matched by one Release: when the child closes, or when opening it failed.
func (p *Parent) Acquire(what string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return fmt.Errorf("%s: %w", what, gpuerr.ErrClosed)
	}
	p.open++
	return nil
}

// Release undoes one Acquire.
func (p *Parent) Release() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.open > 0 {
		p.open--
	}
}

// Open returns the number of children open now.
func (p *Parent) Open() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.open
}

// Closed reports whether Close has released the parent.
func (p *Parent) Closed() bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.closed
}

// Close calls release once, when no child is open, holding the lock so no
// child can be acquired meanwhile. With children open it returns an error
// wrapping [gpuerr.ErrInUse] that names what and how many, and calls
// nothing. After a successful Close (even one whose release returned an
// error: the native handle is gone either way) it returns nil.
func (p *Parent) Close(what string, release func() error) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return nil
	}
	if p.open > 0 {
		return fmt.Errorf("%s: %d children still open: %w", what, p.open, gpuerr.ErrInUse)
	}
	p.closed = true
	if release == nil {
		return nil
	}
	return release()
}
