package serve

import (
	"fmt"
	"os"

	"golang.org/x/sys/unix"
)

// mapShm maps size bytes at offset of the shared memory object at path,
// read-write and shared (outputs are written there). The object must be a
// regular file, not reached through a symlink, at least offset+size long.
func mapShm(path string, offset, size uint64) ([]byte, func() error, error) {
	fd, err := unix.Open(path, unix.O_RDWR|unix.O_NOFOLLOW|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, nil, fmt.Errorf("open %s: %w", path, err)
	}
	defer unix.Close(fd) // the mapping outlives the descriptor
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, nil, fmt.Errorf("stat %s: %w", path, err)
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, nil, fmt.Errorf("%s is not a shared memory object", path)
	}
	if st.Size < 0 || uint64(st.Size) < offset || uint64(st.Size)-offset < size {
		return nil, nil, fmt.Errorf("offset %d and byte_size %d are out of bounds of %s (%d bytes)", offset, size, path, st.Size)
	}
	page := uint64(os.Getpagesize())
	start := offset / page * page
	b, err := unix.Mmap(fd, int64(start), int(offset-start+size), unix.PROT_READ|unix.PROT_WRITE, unix.MAP_SHARED)
	if err != nil {
		return nil, nil, fmt.Errorf("mmap %s: %w", path, err)
	}
	return b[offset-start:], func() error { return unix.Munmap(b) }, nil
}
