//go:build linux

package npy_test

import (
	"os"
	"path/filepath"
	"testing"

	"golang.org/x/sys/unix"

	"github.com/gotrt/gotrt/models/npy"
)

// benchFile returns a 1 GiB INT8 .npy file ([1024, 3, 512, 682]-ish: 1 GiB
// of data), generating it once in $GOTRT_NPY_BENCH_DIR or /tmp. Delete it
// after benchmarking.
func benchFile(b *testing.B) string {
	dir := os.Getenv("GOTRT_NPY_BENCH_DIR")
	if dir == "" {
		dir = os.TempDir()
	}
	p := filepath.Join(dir, "gotrt_npy_bench_1gib.npy")
	if _, err := os.Stat(p); err == nil {
		return p
	}
	data := make([]byte, 1<<30)
	for i := range data {
		data[i] = byte(i * 31)
	}
	if err := npy.WriteFile(p, npy.Int8Type, []int{1 << 14, 1 << 16}, data); err != nil {
		b.Fatal(err)
	}
	return p
}

// dropCache asks the kernel to evict the file's clean pages
// (posix_fadvise DONTNEED), so the next read comes from the disk.
func dropCache(b *testing.B, p string) {
	f, err := os.Open(p)
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if err := unix.Fdatasync(int(f.Fd())); err != nil {
		b.Fatal(err)
	}
	if err := unix.Fadvise(int(f.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
		b.Fatal(err)
	}
}

func benchRead(b *testing.B, cold bool) {
	p := benchFile(b)
	buf := make([]byte, 1<<30)
	for i := range buf { // fault the buffer in, as a pinned buffer would be
		buf[i] = 0
	}
	b.SetBytes(1 << 30)
	b.ResetTimer()
	for range b.N {
		if cold {
			b.StopTimer()
			dropCache(b, p)
			b.StartTimer()
		}
		if _, err := npy.Read(p, buf); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRead1GiBWarm reads a 1 GiB INT8 file from the page cache into a
// caller-provided buffer.
func BenchmarkRead1GiBWarm(b *testing.B) { benchRead(b, false) }

// BenchmarkRead1GiBCold evicts the file from the page cache before each read.
func BenchmarkRead1GiBCold(b *testing.B) { benchRead(b, true) }
