package main

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gotrt/gotrt/internal/atomicfile"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/report"
)

// asidePrefix names the hidden folder in --out that holds an earlier run's
// logs while a run goes on.
const asidePrefix = ".gotrt-previous-"

// outDir is a run's --out folder, held (locked) from before the run until
// its logs are written.
type outDir struct {
	path  string
	lock  *outLock
	aside string
	moved []string
}

// prepareOut checks a run's --out folder before the run starts, so that a
// folder that cannot hold the logs (a file, a read-only place, a folder
// where a log file goes) is a usage error at once rather than a lost
// measurement at the end. It locks the folder against another gotrt
// writing it (see lockOut), deals with what a killed run left there (see
// recoverAside; notes go to w), and moves an earlier run's logs aside
// (into a hidden folder in out), so that a run that then fails, or is
// killed, leaves no result.json that looks like its own; settle puts them
// back if the run never started for a bad flag the runner found, and
// otherwise removes them. close releases the lock once the logs are
// written.
func prepareOut(out string, w io.Writer) (*outDir, error) {
	if err := checkOut(out); err != nil {
		return nil, err
	}
	lk, err := lockOut(out)
	if err != nil {
		return nil, fmt.Errorf("--out: %w", err)
	}
	d := &outDir{path: out, lock: lk}
	if err := d.prepare(w); err != nil {
		d.close()
		return nil, err
	}
	return d, nil
}

func (d *outDir) prepare(w io.Writer) error {
	out := d.path
	// A folder (or FIFO, device...) where a log file goes is the user's:
	// moving it aside and removing it would destroy it.
	if err := checkOutFiles(out, loadgen.LogFiles); err != nil {
		return fmt.Errorf("--out: %w", err)
	}
	removeTemps(out)
	if err := recoverAside(out, w); err != nil {
		return err
	}
	for _, name := range loadgen.LogFiles {
		p := filepath.Join(out, name)
		if _, err := os.Lstat(p); err != nil {
			continue
		}
		if d.aside == "" {
			var err error
			if d.aside, err = os.MkdirTemp(out, asidePrefix); err != nil {
				return fmt.Errorf("--out: %w", err)
			}
		}
		if err := os.Rename(p, filepath.Join(d.aside, name)); err != nil {
			return fmt.Errorf("--out: move the earlier run's %s aside: %w", name, err)
		}
		d.moved = append(d.moved, name)
	}
	return nil
}

// settle puts the earlier run's logs back when runErr says nothing ran (a
// usage error), and otherwise removes them.
func (d *outDir) settle(runErr error) {
	if d == nil || d.aside == "" {
		return
	}
	if runErr != nil && exitCode(runErr) == exitUsage {
		// Nothing ran: the earlier logs are still the latest.
		for _, name := range d.moved {
			dst := filepath.Join(d.path, name)
			if _, err := os.Lstat(dst); err == nil {
				continue
			}
			_ = os.Rename(filepath.Join(d.aside, name), dst)
		}
	}
	removeAside(d.aside)
	d.aside = ""
}

// close settles (as for a failed run, if settle was not called) and
// releases the lock. It is safe on nil and twice.
func (d *outDir) close() {
	if d == nil {
		return
	}
	d.settle(errors.New("run did not finish"))
	d.lock.release()
	d.lock = nil
}

// removeTemps removes the temporary files of a write that a killed run
// left half done (atomicfile's ".NAME.tmp-*", CheckDir's probe): under
// the lock, no live gotrt owns them.
func removeTemps(out string) {
	pats := []string{".gotrt-write-check-*"}
	for _, name := range loadgen.LogFiles {
		pats = append(pats, "."+name+".tmp-*")
	}
	for _, pat := range pats {
		ms, _ := filepath.Glob(filepath.Join(out, pat))
		for _, m := range ms {
			_ = atomicfile.Remove(m) // files and links only
		}
	}
}

// recoverAside deals with the folders of earlier logs a killed run (SIGKILL,
// out of memory, a crash) left in out: under the lock no live run owns
// them. When out holds no log file, the killed run wrote none, and the
// newest such folder holds the latest whole logs: they are put back (and
// then treated as any earlier run's logs). When out holds log files, the
// killed run wrote them as it ended, and the folders hold older logs: they
// are removed. Either way a line on w says what was found and done.
func recoverAside(out string, w io.Writer) error {
	ms, _ := filepath.Glob(filepath.Join(out, asidePrefix+"*"))
	type found struct {
		path string
		mod  int64
	}
	var dirs []found
	for _, m := range ms {
		if st, err := os.Lstat(m); err == nil && st.IsDir() {
			dirs = append(dirs, found{m, st.ModTime().UnixNano()})
		}
	}
	if len(dirs) == 0 {
		return nil
	}
	sort.Slice(dirs, func(i, j int) bool { return dirs[i].mod > dirs[j].mod })
	haveLogs := false
	for _, name := range loadgen.LogFiles {
		if _, err := os.Lstat(filepath.Join(out, name)); err == nil {
			haveLogs = true
		}
	}
	names := make([]string, len(dirs))
	for i, d := range dirs {
		names[i] = filepath.Base(d.path)
	}
	what := fmt.Sprintf("gotrt: --out %s: found %s, the earlier logs a run moved aside before it was killed", out, strings.Join(names, ", "))
	if haveLogs {
		fmt.Fprintf(w, "%s; %s holds newer logs, so they are removed\n", what, out)
	} else {
		var back []string
		for _, name := range loadgen.LogFiles {
			src := filepath.Join(dirs[0].path, name)
			if st, err := os.Lstat(src); err != nil || (!st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0) {
				continue
			}
			if err := os.Rename(src, filepath.Join(out, name)); err != nil {
				return fmt.Errorf("--out: put back %s: %w", src, err)
			}
			back = append(back, name)
		}
		if len(back) > 0 {
			fmt.Fprintf(w, "%s; the killed run wrote no logs, so they are put back (%s)\n", what, strings.Join(back, ", "))
		} else {
			fmt.Fprintf(w, "%s; they hold no logs and are removed\n", what)
		}
	}
	for _, d := range dirs {
		if !removeAside(d.path) {
			fmt.Fprintf(w, "gotrt: --out %s: kept %s: it holds something other than gotrt's logs; look inside, and move or remove it yourself\n", out, d.path)
		}
	}
	return nil
}

// removeAside removes a folder of moved logs: the log files in it, then
// the folder, and says whether the folder went. Anything else found there
// (a folder of the user's that an older gotrt moved aside) stays, and so
// does the folder.
func removeAside(dir string) bool {
	for _, name := range loadgen.LogFiles {
		_ = atomicfile.Remove(filepath.Join(dir, name))
	}
	err := os.Remove(dir)
	return err == nil || errors.Is(err, fs.ErrNotExist)
}

// kindOf names a file mode's kind for an error.
func kindOf(m fs.FileMode) string {
	switch {
	case m.IsDir():
		return "folder"
	case m&fs.ModeNamedPipe != 0:
		return "named pipe"
	case m&fs.ModeSocket != 0:
		return "socket"
	case m&fs.ModeDevice != 0:
		return "device"
	case m&fs.ModeSymlink != 0:
		return "symbolic link"
	}
	return "special file"
}

// checkOut checks that --out can be created and written, removing nothing.
func checkOut(out string) error {
	if out == "" {
		return usageError{errors.New("--out is empty")}
	}
	if err := atomicfile.CheckDir(out); err != nil {
		return usageError{fmt.Errorf("--out: %w", err)}
	}
	return nil
}

// checkOutFiles refuses, before any work, an --out whose named files
// cannot be replaced: a folder or other non-file where one goes (a file or
// a link is replaced, never written through).
func checkOutFiles(out string, names []string) error {
	for _, name := range names {
		p := filepath.Join(out, name)
		if st, err := os.Lstat(p); err == nil && !st.Mode().IsRegular() && st.Mode()&fs.ModeSymlink == 0 {
			return usageError{fmt.Errorf("%s is a %s, not a file gotrt may replace: move it away or choose another folder", p, kindOf(st.Mode()))}
		}
	}
	return nil
}

// reportFiles are the files report writes at the top of a folder for base
// (scale, compare): its charts, tables and JSON, and extra.
func reportFiles(base string, extra ...string) []string {
	names := []string{base + ".svg", base + ".png", base + ".json"}
	for _, f := range report.Formats {
		names = append(names, base+"."+f.Ext())
	}
	return append(names, extra...)
}
