package serve

import (
	"errors"
	"fmt"
	"maps"
	"runtime/debug"
	"slices"
	"strings"
	"sync"
)

// Limits of the system shared memory extension, by default: a client may
// register at most DefaultShmRegions regions of DefaultShmBytes in all.
const (
	DefaultShmRegions = 256
	DefaultShmBytes   = 4 << 30
)

// ErrNotSupported wraps a request for a protocol part this server does not
// implement (CUDA shared memory, loading or unloading models): gRPC
// UNIMPLEMENTED, HTTP 400.
var ErrNotSupported = errors.New("not supported")

// errCUDAShm answers every CUDA shared memory registration.
var errCUDAShm = fmt.Errorf("%w: CUDA shared memory (gotrt serve implements system shared memory only)", ErrNotSupported)

// shmRegion is a registered region of a POSIX shared memory object, mapped
// into the server. data is the region (offset applied); the mapping stays
// until the region is unregistered and no request uses it.
type shmRegion struct {
	name, key    string
	offset, size uint64
	data         []byte
	unmap        func() error
	refs         int  // requests using the region; under shmRegistry.mu
	gone         bool // unregistered; unmapped when refs reaches 0
}

// shmRegistry holds the registered regions by name.
type shmRegistry struct {
	mu         sync.Mutex
	regions    map[string]*shmRegion
	bytes      uint64
	maxRegions int
	maxBytes   uint64
	closed     bool
}

// shmStatus is one registered region, as the status call lists it.
type shmStatus struct {
	Name, Key        string
	Offset, ByteSize uint64
}

// register maps byteSize bytes at offset of the shared memory object key
// (as shm_open names it: "/name") and registers them as name.
func (r *shmRegistry) register(name, key string, offset, byteSize uint64) error {
	switch {
	case name == "":
		return badRequest("shared memory region: empty name")
	case len(name) > 256:
		return badRequest("shared memory region name of %d bytes: at most 256", len(name))
	case byteSize == 0:
		return badRequest("shared memory region %q: byte_size 0", name)
	case byteSize > r.maxBytes || offset > r.maxBytes<<1:
		return badRequest("shared memory region %q: byte_size %d at offset %d exceeds the limit of %d bytes", name, byteSize, offset, r.maxBytes)
	}
	path, err := shmPath(key)
	if err != nil {
		return badRequest("shared memory region %q: %w", name, err)
	}
	r.mu.Lock()
	switch {
	case r.closed:
		r.mu.Unlock()
		return fmt.Errorf("%w: server is shutting down", ErrUnavailable)
	case r.regions[name] != nil:
		r.mu.Unlock()
		return badRequest("shared memory region %q is already registered", name)
	case len(r.regions) >= r.maxRegions:
		r.mu.Unlock()
		return badRequest("shared memory region %q: %d regions are registered, the most this server keeps", name, r.maxRegions)
	case r.bytes+byteSize > r.maxBytes:
		r.mu.Unlock()
		return badRequest("shared memory region %q: %d bytes with the %d registered exceed the limit of %d", name, byteSize, r.bytes, r.maxBytes)
	}
	// Held while mapping, so two registrations never pass the limits
	// together; mapping is quick.
	defer r.mu.Unlock()
	data, unmap, err := mapShm(path, offset, byteSize)
	if err != nil {
		return badRequest("shared memory region %q: key %q: %w", name, key, err)
	}
	if r.regions == nil {
		r.regions = map[string]*shmRegion{}
	}
	r.regions[name] = &shmRegion{name: name, key: key, offset: offset, size: byteSize, data: data, unmap: unmap}
	r.bytes += byteSize
	return nil
}

// shmPath is where Linux keeps the POSIX shared memory object key: one
// name, optionally after a leading slash, in /dev/shm.
func shmPath(key string) (string, error) {
	k := strings.TrimPrefix(key, "/")
	if k == "" || len(k) > 255 || strings.ContainsAny(k, "/\x00") || k == "." || k == ".." {
		return "", fmt.Errorf("key %q is not a shared memory object name (want /name)", key)
	}
	return "/dev/shm/" + k, nil
}

// unregister removes the region name, or every region when name is "". A
// region in use by a request stays mapped until the request is answered.
func (r *shmRegistry) unregister(name string) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name != "" && r.regions[name] == nil {
		return badRequest("shared memory region %q is not registered", name)
	}
	var errs []error
	for n, g := range r.regions {
		if name != "" && n != name {
			continue
		}
		delete(r.regions, n)
		r.bytes -= g.size
		g.gone = true
		if g.refs == 0 {
			errs = append(errs, g.unmap())
		}
	}
	return errors.Join(errs...)
}

// close unregisters every region and refuses new ones.
func (r *shmRegistry) close() error {
	err := r.unregister("")
	r.mu.Lock()
	r.closed = true
	r.mu.Unlock()
	return err
}

// status lists the region name, or every region when name is "".
func (r *shmRegistry) status(name string) ([]shmStatus, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if name != "" && r.regions[name] == nil {
		return nil, badRequest("shared memory region %q is not registered", name)
	}
	var out []shmStatus
	for _, n := range slices.Sorted(maps.Keys(r.regions)) {
		if name != "" && n != name {
			continue
		}
		g := r.regions[n]
		out = append(out, shmStatus{Name: g.name, Key: g.key, Offset: g.offset, ByteSize: g.size})
	}
	return out, nil
}

// shmRef is a tensor's shared memory parameters: the region, and the
// offset and size of the tensor's bytes in it.
type shmRef struct {
	region       string
	offset, size int64
}

// acquire returns the bytes ref names, exactly want bytes long for an
// input (at least want for an output, of which the first want are
// returned), and holds the region until release is called. kind and name
// name the tensor in errors.
func (r *shmRegistry) acquire(ref shmRef, kind, name string, want int, output bool) ([]byte, func(), error) {
	what := func() string { return kind + " " + name }
	r.mu.Lock()
	defer r.mu.Unlock()
	g := r.regions[ref.region]
	switch {
	case g == nil:
		return nil, nil, badRequest("%s: shared memory region %q is not registered", what(), ref.region)
	case ref.offset < 0 || ref.size < 0 || uint64(ref.offset) > g.size || uint64(ref.size) > g.size-uint64(ref.offset):
		return nil, nil, badRequest("%s: shared_memory_offset %d and shared_memory_byte_size %d are out of bounds of region %q (%d bytes)",
			what(), ref.offset, ref.size, ref.region, g.size)
	case !output && ref.size != int64(want):
		return nil, nil, badRequest("%s: shared_memory_byte_size %d, the shape needs %d", what(), ref.size, want)
	case output && ref.size < int64(want):
		return nil, nil, badRequest("%s: shared_memory_byte_size %d is too small for the output's %d bytes", what(), ref.size, want)
	}
	g.refs++
	var once sync.Once
	release := func() {
		once.Do(func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if g.refs--; g.refs == 0 && g.gone {
				_ = g.unmap() // nothing to tell the request that is done
			}
		})
	}
	return g.data[ref.offset : ref.offset+int64(want) : ref.offset+int64(want)], release, nil
}

// read copies an input's want bytes out of the region ref names. The
// server works on its own copy: a client that truncates its object while
// registered makes the copy fault, which becomes an error here instead of a
// crash in a device's goroutine.
func (r *shmRegistry) read(ref shmRef, kind, name string, want int) ([]byte, error) {
	b, release, err := r.acquire(ref, kind, name, want, false)
	if err != nil {
		return nil, err
	}
	defer release()
	out := make([]byte, want)
	if err := safeCopy(out, b); err != nil {
		return nil, badRequest("%s %s: shared memory region %q: %w", kind, name, ref.region, err)
	}
	return out, nil
}

// safeCopy copies src to dst, turning a memory fault (a shared memory
// object truncated under its mapping) into an error.
func safeCopy(dst, src []byte) (err error) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("memory fault in the region (was its object truncated?): %v", p)
		}
	}()
	copy(dst, src)
	return nil
}
