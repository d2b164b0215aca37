//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// lockName is the lock file in --out while a gotrt writes there.
const lockName = ".gotrt.lock"

// outLock is an --out folder held by this process: an exclusive flock(2)
// on lockName, which holds this process's pid and host. The kernel drops
// the lock when the process ends however it ends (SIGKILL included), so a
// lock file a killed run left behind locks nothing and needs no cleanup.
type outLock struct {
	f    *os.File
	path string
}

// lockOut takes dir's lock, or says which gotrt holds it (usage error,
// exit 2) without waiting. dir exists.
func lockOut(dir string) (*outLock, error) {
	p := filepath.Join(dir, lockName)
	for try := 0; ; try++ {
		f, err := os.OpenFile(p, os.O_RDWR|os.O_CREATE|syscall.O_NOFOLLOW, 0o644)
		if err != nil {
			if errors.Is(err, syscall.ELOOP) {
				return nil, usageError{fmt.Errorf("%s is a symbolic link: gotrt's lock file must be a file; remove it", p)}
			}
			return nil, usageError{fmt.Errorf("lock %s: %w", p, err)}
		}
		if st, err := f.Stat(); err != nil || !st.Mode().IsRegular() {
			_ = f.Close()
			return nil, usageError{fmt.Errorf("%s is not a file: it is gotrt's lock file; remove it", p)}
		}
		err = syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB)
		if errors.Is(err, syscall.EWOULDBLOCK) {
			holder := lockHolder(f)
			_ = f.Close()
			return nil, usageError{fmt.Errorf("%s is in use by another gotrt (%s), which writes there: wait for it to end or choose another folder", dir, holder)}
		}
		if err != nil {
			// A file system without flock (some network mounts): go on
			// unlocked rather than refuse every run there.
			_ = f.Close()
			return &outLock{}, nil
		}
		// The holder before us removes the file as it lets go: a lock on
		// a file no longer at p guards nothing; open p afresh.
		if st, err := os.Lstat(p); err != nil || !sameFile(f, st) {
			_ = f.Close()
			if try < 10 {
				continue
			}
			return nil, fmt.Errorf("lock %s: it keeps being replaced", p)
		}
		host, _ := os.Hostname()
		_ = f.Truncate(0)
		_, _ = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), host)), 0)
		return &outLock{f: f, path: p}, nil
	}
}

// sameFile says whether st is the file f has open.
func sameFile(f *os.File, st os.FileInfo) bool {
	fst, err := f.Stat()
	return err == nil && os.SameFile(fst, st)
}

// lockHolder reads "pid host" from a lock file another gotrt holds; it
// writes them just after taking the lock, so an empty file is read again
// briefly.
func lockHolder(f *os.File) string {
	var b []byte
	for i := 0; i < 20; i++ {
		b, _ = io.ReadAll(io.LimitReader(io.NewSectionReader(f, 0, 256), 256))
		if len(bytes.TrimSpace(b)) > 0 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	fs := strings.Fields(string(b))
	if len(fs) == 0 {
		return "pid unknown"
	}
	s := "pid " + quote(fs[0])
	if host, _ := os.Hostname(); len(fs) > 1 && fs[1] != host {
		s += " on host " + quote(fs[1])
	}
	return s
}

// release removes the lock file and lets go of the lock; nil-safe and
// idempotent.
func (l *outLock) release() {
	if l == nil || l.f == nil {
		return
	}
	// Remove before unlocking: one who opened the file meanwhile sees, once
	// it holds the lock, that the file is gone, and opens afresh.
	_ = os.Remove(l.path)
	_ = l.f.Close()
	l.f = nil
}
