package runner_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/trt"
)

func TestEngineSpecsCoverTheCatalogue(t *testing.T) {
	for _, e := range catalog.All() {
		specs, err := runner.EngineSpecs(e)
		require.NoError(t, err, e.ID)
		require.Len(t, specs, len(e.Inputs)+len(e.Outputs), e.ID)
		for i, in := range e.Inputs {
			assert.Equal(t, in.Name, specs[i].Name)
			assert.Equal(t, string(in.DType), specs[i].DataType.String(), "%s %s", e.ID, in.Name)
			assert.Equal(t, string(in.Format), specs[i].Formats[0].String(), "%s %s", e.ID, in.Name)
		}
	}
}

func TestDataSources(t *testing.T) {
	bert, err := catalog.Lookup("bert-99")
	require.NoError(t, err)
	dir := t.TempDir()
	for _, in := range bert.Inputs {
		require.NoError(t, os.WriteFile(filepath.Join(dir, in.Name+".npy"), nil, 0o644))
	}
	srcs, err := runner.DataSources(bert, dir)
	require.NoError(t, err)
	require.Len(t, srcs, len(bert.Inputs))
	assert.Equal(t, filepath.Join(dir, bert.Inputs[2].Name+".npy"), srcs[2].Array)

	// A missing input is named.
	require.NoError(t, os.Remove(filepath.Join(dir, bert.Inputs[1].Name+".npy")))
	_, err = runner.DataSources(bert, dir)
	assert.ErrorIs(t, err, runner.ErrConfig)
	assert.Contains(t, err.Error(), bert.Inputs[1].Name)

	_, err = runner.DataSources(bert, filepath.Join(dir, "nope"))
	assert.ErrorIs(t, err, runner.ErrConfig)
}

func TestBuildInputs(t *testing.T) {
	in, err := runner.BuildInputs("resnet50")
	require.NoError(t, err)
	require.Len(t, in, 1)
	assert.Equal(t, "input_tensor_0", in[0].Name)
	assert.Equal(t, trt.Int8, in[0].DataType)
	assert.Equal(t, []trt.Format{trt.Linear, trt.CHW4}, in[0].Formats)

	in, err = runner.BuildInputs("bert-99")
	require.NoError(t, err)
	assert.Len(t, in, 3)

	_, err = runner.BuildInputs("nope")
	assert.ErrorIs(t, err, runner.ErrConfig)
}
