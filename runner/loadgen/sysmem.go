package loadgen

import (
	"bufio"
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"path"
	"strconv"
	"strings"
)

// systemMemory is SystemMemory over fsys, the root file system (a test
// passes its own).
func systemMemory(fsys fs.FS) (int64, string, error) {
	b, err := readSmall(fsys, "proc/meminfo")
	if err != nil {
		return 0, "", err
	}
	var total int64
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		f := strings.Fields(sc.Text())
		if len(f) >= 2 && f[0] == "MemTotal:" {
			kb, err := strconv.ParseInt(f[1], 10, 64)
			if err == nil && kb > 0 && kb < 1<<50 {
				total = kb << 10
			}
		}
	}
	if total == 0 {
		return 0, "", errors.New("/proc/meminfo: no MemTotal")
	}
	src := "/proc/meminfo MemTotal"
	if lim, file := cgroupLimit(fsys); lim > 0 && lim < total {
		total, src = lim, file
	}
	return total, src, nil
}

// cgroupLimit returns the tightest memory limit on this process's cgroup
// and the file it is in; 0 when none is set or none can be read.
func cgroupLimit(fsys fs.FS) (int64, string) {
	b, err := readSmall(fsys, "proc/self/cgroup")
	if err != nil {
		b = nil
	}
	var best int64
	var file string
	take := func(p string) {
		v, err := readSmall(fsys, p)
		if err != nil {
			return
		}
		s := strings.TrimSpace(string(v))
		n, err := strconv.ParseInt(s, 10, 64)
		// "max" (v2) or a page-rounded 2^63 (v1) mean no limit.
		if err != nil || n <= 0 || n >= 1<<60 {
			return
		}
		if best == 0 || n < best {
			best, file = n, "/"+p
		}
	}
	// The cgroup root as mounted (a container's own cgroup), then the
	// process's path and its ancestors, whose limits apply too.
	take("sys/fs/cgroup/memory.max")
	take("sys/fs/cgroup/memory/memory.limit_in_bytes")
	sc := bufio.NewScanner(bytes.NewReader(b))
	for sc.Scan() {
		parts := strings.SplitN(sc.Text(), ":", 3)
		if len(parts) != 3 || !strings.HasPrefix(parts[2], "/") || strings.Contains(parts[2], "..") {
			continue
		}
		var dir, name string
		switch {
		case parts[0] == "0" && parts[1] == "":
			dir, name = "sys/fs/cgroup", "memory.max"
		case hasController(parts[1], "memory"):
			dir, name = "sys/fs/cgroup/memory", "memory.limit_in_bytes"
		default:
			continue
		}
		for p := path.Clean(parts[2]); p != "/" && p != "."; p = path.Dir(p) {
			take(path.Join(dir, p, name))
		}
	}
	return best, file
}

func hasController(list, c string) bool {
	for _, s := range strings.Split(list, ",") {
		if s == c {
			return true
		}
	}
	return false
}

// readSmall reads a /proc or /sys file of at most memoryFileLimit bytes.
func readSmall(fsys fs.FS, name string) ([]byte, error) {
	f, err := fsys.Open(name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	b, err := io.ReadAll(io.LimitReader(f, memoryFileLimit+1))
	if err != nil {
		return nil, err
	}
	if len(b) > memoryFileLimit {
		return nil, fmt.Errorf("/%s: more than %d bytes", name, memoryFileLimit)
	}
	return b, nil
}
