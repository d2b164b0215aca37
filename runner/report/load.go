package report

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/runner/result"
)

// ResultFile is the name of a run's result file inside its folder.
const ResultFile = "result.json"

// Sentinel errors; callers test for them with errors.Is.
var (
	// ErrSchemaVersion is returned for a result.json whose schema has
	// another major version than this build's [result.SchemaVersion].
	ErrSchemaVersion = errors.New("unsupported result schema version")
	// ErrNoResults is returned for a folder that holds no result.json.
	ErrNoResults = errors.New("no result.json found")
	// ErrNoSharedBenchmark is returned by [Compare] for a system that
	// shares no (model, scenario) with the first system.
	ErrNoSharedBenchmark = errors.New("no benchmark and scenario in common")
	// ErrDuplicate is returned when one system holds two performance
	// results for the same model and scenario, or two systems share a name.
	ErrDuplicate = errors.New("duplicate")
)

// Run is one result.json and where it was read from.
type Run struct {
	Path   string
	Result *result.Result
}

// System is one machine's results: the runs read from one argument of
// `gotrt compare`.
type System struct {
	// Name labels the system in tables and charts.
	Name string
	// Path is the file or folder the runs were read from.
	Path string
	// Runs are in path order.
	Runs []Run
}

// ReadResult reads one result.json. It refuses a file without a
// schema_version or whose major version differs from this build's
// ([ErrSchemaVersion]); errors name the file.
func ReadResult(path string) (*result.Result, error) {
	// A result file has a size and a kind: a named pipe, /dev/zero or a
	// 1 GB sparse file is refused at once, not read.
	b, err := bounded.ReadFile(path, "result file", bounded.ResultLimit)
	if err != nil {
		return nil, fmt.Errorf("read result: %w", err)
	}
	r, err := DecodeResult(b)
	if err != nil {
		return nil, fmt.Errorf("read result %s: %w", path, err)
	}
	return r, nil
}

// DecodeResult decodes the bytes of a result.json, checking its schema
// version first.
func DecodeResult(b []byte) (*result.Result, error) {
	var head struct {
		SchemaVersion *string `json:"schema_version"`
	}
	if err := json.Unmarshal(b, &head); err != nil {
		return nil, fmt.Errorf("not a result.json: %w", jsonError(b, err))
	}
	if head.SchemaVersion == nil {
		return nil, fmt.Errorf("not a gotrt result: no schema_version: %w", ErrSchemaVersion)
	}
	if major(*head.SchemaVersion) != major(result.SchemaVersion) {
		return nil, fmt.Errorf("schema_version %q, this gotrt reads %s.x: %w",
			*head.SchemaVersion, major(result.SchemaVersion), ErrSchemaVersion)
	}
	var r result.Result
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("bad result.json: %w", jsonError(b, err))
	}
	return &r, nil
}

func major(v string) string {
	m, _, _ := strings.Cut(strings.TrimPrefix(strings.TrimSpace(v), "v"), ".")
	return m
}

// jsonError adds the line number to a JSON syntax or type error.
func jsonError(b []byte, err error) error {
	var off int64 = -1
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		off = se.Offset
	case errors.As(err, &te):
		off = te.Offset
	}
	if off < 0 || off > int64(len(b)) {
		return err
	}
	line := 1 + bytes.Count(b[:off], []byte("\n"))
	return fmt.Errorf("line %d: %w", line, err)
}

// LoadSystem reads a system from path: a result file, or a folder whose
// result.json files (in any sub-folder) are the system's runs. An empty
// name is derived from the path (the folder's name, or for a file the name
// of the folder holding it).
func LoadSystem(path, name string) (*System, error) {
	st, err := os.Stat(path)
	if err != nil {
		return nil, fmt.Errorf("read system: %w", err)
	}
	s := &System{Name: name, Path: path}
	if s.Name == "" {
		s.Name = systemName(path, st.IsDir())
	}
	if !st.IsDir() {
		r, err := ReadResult(path)
		if err != nil {
			return nil, err
		}
		s.Runs = []Run{{Path: path, Result: r}}
		return s, nil
	}
	var files []string
	err = filepath.WalkDir(path, func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && p != path && strings.HasPrefix(d.Name(), ".gotrt-previous-") {
			// An earlier run's logs that gotrt moved aside while a run
			// goes on (or that a killed run left): not a run of the system.
			return fs.SkipDir
		}
		if !d.IsDir() && d.Name() == ResultFile {
			files = append(files, p)
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("read system %s: %w", path, err)
	}
	if len(files) == 0 {
		return nil, fmt.Errorf("%s: %w", path, ErrNoResults)
	}
	sort.Strings(files)
	for _, f := range files {
		r, err := ReadResult(f)
		if err != nil {
			return nil, err
		}
		s.Runs = append(s.Runs, Run{Path: f, Result: r})
	}
	return s, nil
}

func systemName(path string, dir bool) string {
	abs, err := filepath.Abs(path)
	if err != nil {
		abs = filepath.Clean(path)
	}
	if !dir {
		base := filepath.Base(abs)
		if base != ResultFile {
			return strings.TrimSuffix(base, filepath.Ext(base))
		}
		abs = filepath.Dir(abs)
	}
	return filepath.Base(abs)
}

// LoadSystems reads one system per path. names, when not empty, gives
// the systems' names in order and must be as long as paths; otherwise
// names come from the paths, and repeated ones get a "#2", "#3" suffix.
func LoadSystems(paths, names []string) ([]*System, error) {
	return LoadSystemsFunc(paths, names, nil)
}

// LoadSystemsFunc is [LoadSystems] calling done, when not nil, as each
// system has been read (i counts from 0), for a progress line.
func LoadSystemsFunc(paths, names []string, done func(i int, s *System)) ([]*System, error) {
	if len(names) > 0 && len(names) != len(paths) {
		return nil, fmt.Errorf("%d names for %d systems", len(names), len(paths))
	}
	var systems []*System
	seen := map[string]int{}
	for i, p := range paths {
		name := ""
		if len(names) > 0 {
			name = strings.TrimSpace(names[i])
			if name == "" {
				return nil, fmt.Errorf("name %d is empty", i+1)
			}
		}
		s, err := LoadSystem(p, name)
		if err != nil {
			return nil, err
		}
		seen[s.Name]++
		if n := seen[s.Name]; n > 1 {
			if len(names) > 0 {
				return nil, fmt.Errorf("%w system name %q", ErrDuplicate, s.Name)
			}
			s.Name = fmt.Sprintf("%s#%d", s.Name, n)
		}
		systems = append(systems, s)
		if done != nil {
			done(i, s)
		}
	}
	return systems, nil
}
