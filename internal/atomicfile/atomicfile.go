// Package atomicfile writes a file whole or not at all, and never through a
// symbolic link.
//
// [Write] renders into a new temporary file in the destination's folder
// (created with O_EXCL, so it cannot be a link someone planted), flushes it
// to disk and renames it over the destination. A reader sees the old file
// or the new one, never a half-written one; a run that fails while writing
// leaves no partial file behind. Rename replaces a symbolic link at the
// destination with the new file rather than writing to what it points at,
// so a link planted as out/result.json cannot make gotrt overwrite another
// file, as root or not. The folder itself may be a link: that is the
// user's choice of where results go.
package atomicfile

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
)

// Perm is the mode of the files Write creates. It is set with chmod, so the
// umask does not narrow it (reading the umask is racy in a Go program).
const Perm = 0o644

// ErrNotRegular is returned by Write when the destination exists and is
// neither a regular file nor a symbolic link (a folder, a device, a FIFO):
// replacing it would destroy something that is not a result file.
var ErrNotRegular = errors.New("not a regular file")

// Write writes what fn renders to path atomically: into a temporary file in
// path's folder, synced, then renamed over path. On any error the temporary
// file is removed and path is left as it was.
func Write(path string, fn func(io.Writer) error) (err error) {
	if st, err := os.Lstat(path); err == nil && !st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0 {
		return fmt.Errorf("write %s: %w (%s)", path, ErrNotRegular, st.Mode().Type())
	}
	dir, base := filepath.Split(path)
	if dir == "" {
		dir = "."
	}
	f, err := os.CreateTemp(dir, "."+base+".tmp-*")
	if err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	tmp := f.Name()
	defer func() {
		if err != nil {
			_ = f.Close()
			_ = os.Remove(tmp)
		}
	}()
	w := bufio.NewWriterSize(f, 1<<16)
	if err := fn(w); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := w.Flush(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	// CreateTemp makes 0600 files; results are for everyone to read.
	if err := f.Chmod(Perm); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Sync(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

// WriteBytes writes b to path as [Write] does.
func WriteBytes(path string, b []byte) error {
	return Write(path, func(w io.Writer) error {
		_, err := w.Write(b)
		return err
	})
}

// Remove removes path if it exists: a file or a symbolic link (never what
// the link points at). A folder or other non-file is refused with
// ErrNotRegular; a path that does not exist is no error.
func Remove(path string) error {
	st, err := os.Lstat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if !st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0 {
		return fmt.Errorf("remove %s: %w (%s)", path, ErrNotRegular, st.Mode().Type())
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

// CheckDir makes sure dir exists (creating it and its parents) and that a
// file can be created in it, so that a long run does not find out at the
// end that its results cannot be kept. It names the problem: dir is a
// file, or not writable.
func CheckDir(dir string) error {
	if st, err := os.Stat(dir); err == nil && !st.IsDir() {
		return fmt.Errorf("%s is a file, not a folder", dir)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("cannot create folder %s: %w", dir, err)
	}
	f, err := os.CreateTemp(dir, ".gotrt-write-check-*")
	if err != nil {
		return fmt.Errorf("%s is not writable: %w", dir, err)
	}
	name := f.Name()
	_ = f.Close()
	return os.Remove(name)
}
