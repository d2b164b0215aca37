//go:build !linux

package serve

import "fmt"

// mapShm: POSIX shared memory by key is implemented on Linux only.
func mapShm(path string, offset, size uint64) ([]byte, func() error, error) {
	return nil, nil, fmt.Errorf("%w: system shared memory on this OS", ErrNotSupported)
}
