package report

import (
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestReadResult(t *testing.T) {
	dir := t.TempDir()
	good := writeResult(t, filepath.Join(dir, "good", ResultFile), mkResult("resnet50", "Offline", 5961))
	r, err := ReadResult(good)
	require.NoError(t, err)
	assert.Equal(t, "resnet50", r.Model)
	assert.Equal(t, 5961.0, r.Throughput.Value)

	write := func(name, body string) string {
		p := filepath.Join(dir, name)
		require.NoError(t, os.WriteFile(p, []byte(body), 0o644))
		return p
	}
	for _, tc := range []struct {
		description string
		path        string
		is          error
		contains    string
	}{
		{"newer major version", write("v2.json", `{"schema_version": "2.0", "model": "x"}`), ErrSchemaVersion, `schema_version "2.0"`},
		{"no schema version", write("none.json", `{"model": "x"}`), ErrSchemaVersion, "no schema_version"},
		{"not json", write("bad.json", "{\n\"schema_version\": \"1.0\",\n oops}"), nil, "line 3"},
		{"wrong type", write("type.json", "{\"schema_version\": \"1.0\",\n\"valid\": \"yes\"}"), nil, "line 2"},
		{"missing file", filepath.Join(dir, "nope.json"), fs.ErrNotExist, "nope.json"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			_, err := ReadResult(tc.path)
			require.Error(t, err)
			if tc.is != nil {
				assert.ErrorIs(t, err, tc.is)
			}
			assert.Contains(t, err.Error(), tc.contains)
			assert.Contains(t, err.Error(), filepath.Base(tc.path), "the error names the file")
		})
	}

	minor := write("minor.json", `{"schema_version": "1.7", "model": "bert-99", "new_field": [1, 2]}`)
	r, err = ReadResult(minor)
	require.NoError(t, err, "a newer minor version is read, unknown fields ignored")
	assert.Equal(t, "bert-99", r.Model)
}

func TestLoadSystem(t *testing.T) {
	dir := t.TempDir()
	bm := filepath.Join(dir, "bare-metal")
	writeResult(t, filepath.Join(bm, "resnet50", "Offline", ResultFile), mkResult("resnet50", "Offline", 5961))
	writeResult(t, filepath.Join(bm, "resnet50", "Server", ResultFile), mkResult("resnet50", "Server", 5451))
	require.NoError(t, os.WriteFile(filepath.Join(bm, "notes.json"), []byte("not read"), 0o644))
	// An earlier run's logs, moved aside while a run goes on: not a run.
	writeResult(t, filepath.Join(bm, "resnet50", "Offline", ".gotrt-previous-123", ResultFile), mkResult("resnet50", "Offline", 1))

	s, err := LoadSystem(bm, "")
	require.NoError(t, err)
	assert.Equal(t, "bare-metal", s.Name)
	require.Len(t, s.Runs, 2)
	assert.Equal(t, "Offline", s.Runs[0].Result.Scenario)
	assert.Equal(t, "Server", s.Runs[1].Result.Scenario)

	s, err = LoadSystem(filepath.Join(bm, "resnet50", "Server", ResultFile), "")
	require.NoError(t, err)
	assert.Equal(t, "Server", s.Name, "a result.json is named after its folder")
	require.Len(t, s.Runs, 1)

	other := writeResult(t, filepath.Join(dir, "vgpu-t4.json"), mkResult("resnet50", "Offline", 5681))
	s, err = LoadSystem(other, "")
	require.NoError(t, err)
	assert.Equal(t, "vgpu-t4", s.Name)

	empty := filepath.Join(dir, "empty")
	require.NoError(t, os.Mkdir(empty, 0o755))
	_, err = LoadSystem(empty, "")
	assert.ErrorIs(t, err, ErrNoResults)
	assert.Contains(t, err.Error(), "empty")

	writeResult(t, filepath.Join(dir, "broken", "a", ResultFile), mkResult("resnet50", "Offline", 1))
	require.NoError(t, os.MkdirAll(filepath.Join(dir, "broken", "b"), 0o755))
	require.NoError(t, os.WriteFile(filepath.Join(dir, "broken", "b", ResultFile), []byte(`{"schema_version": "9"}`), 0o644))
	_, err = LoadSystem(filepath.Join(dir, "broken"), "")
	assert.ErrorIs(t, err, ErrSchemaVersion)
	assert.Contains(t, err.Error(), filepath.Join("broken", "b", ResultFile))
}

func TestLoadSystemsNames(t *testing.T) {
	dir := t.TempDir()
	a := writeResult(t, filepath.Join(dir, "x", "run", ResultFile), mkResult("resnet50", "Offline", 1))
	b := writeResult(t, filepath.Join(dir, "y", "run", ResultFile), mkResult("resnet50", "Offline", 2))
	ss, err := LoadSystems([]string{a, b}, nil)
	require.NoError(t, err)
	assert.Equal(t, "run", ss[0].Name)
	assert.Equal(t, "run#2", ss[1].Name, "repeated names are told apart")

	ss, err = LoadSystems([]string{a, b}, []string{"bare metal", "vGPU"})
	require.NoError(t, err)
	assert.Equal(t, "vGPU", ss[1].Name)

	_, err = LoadSystems([]string{a, b}, []string{"one"})
	assert.ErrorContains(t, err, "1 names for 2 systems")
	_, err = LoadSystems([]string{a, b}, []string{"same", "same"})
	assert.ErrorIs(t, err, ErrDuplicate)
}
