package dataset_test

import (
	"encoding/binary"
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/models/catalog"
	"github.com/gotrt/gotrt/models/dataset"
	"github.com/gotrt/gotrt/models/npy"
)

// sampleBytes is the content of sample i: every byte holds i+1 plus its
// position, so a mixed-up sample is visible.
func sampleBytes(i, n int) []byte {
	b := make([]byte, n)
	for k := range b {
		b[k] = byte(i*7 + k + 1)
	}
	return b
}

func writeResNetFiles(t *testing.T, n int) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range n {
		p := filepath.Join(dir, fmt.Sprintf("ILSVRC2012_val_%08d.JPEG.npy", i+1))
		require.NoError(t, npy.WriteFile(p, npy.Int8Type, []int{3, 224, 224}, sampleBytes(i, 3*224*224)))
		files = append(files, p)
	}
	return files
}

func resnet(t *testing.T) catalog.Entry {
	e, err := catalog.Lookup("resnet50")
	require.NoError(t, err)
	return e
}

func TestPerSampleFilesLoadIntoOneBuffer(t *testing.T) {
	files := writeResNetFiles(t, 6)
	q, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files}},
		TotalSampleCount: 6, PerformanceSampleCount: 3})
	require.NoError(t, err)
	defer q.Close()
	assert.Equal(t, "resnet50", q.Name())
	assert.Equal(t, 6, q.TotalSampleCount())
	assert.Equal(t, 3, q.PerformanceSampleCount())

	require.NoError(t, q.LoadSamplesToRAM([]int{4, 1, 4, 5}))
	size := 3 * 224 * 224
	buf := q.Buffer(0)
	require.Len(t, buf, 3*size, "one buffer sized for the performance set")
	for _, i := range []int{4, 1, 5} {
		d := q.SampleData(i)
		assert.Equal(t, sampleBytes(i, size), d, "sample %d", i)
		s := q.Slot(i)
		assert.Same(t, &buf[s*size], &d[0], "sample %d is a view of the contiguous buffer", i)
	}
	assert.Nil(t, q.SampleData(0), "not loaded")

	allocs := testing.AllocsPerRun(100, func() { _ = q.SampleData(5) })
	assert.Zero(t, allocs)

	require.NoError(t, q.UnloadSamplesFromRAM([]int{4, 1, 5}))
	require.ErrorIs(t, q.UnloadSamplesFromRAM([]int{4}), dataset.ErrIndex)
	require.NoError(t, q.LoadSamplesToRAM([]int{0, 2, 3}))
	assert.Same(t, &buf[0], &q.Buffer(0)[0], "the buffer is reused across sets")
	assert.Equal(t, sampleBytes(3, size), q.SampleData(3))
}

func TestGrowKeepsLoadedSamples(t *testing.T) {
	files := writeResNetFiles(t, 4)
	q, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files}},
		TotalSampleCount: 4, PerformanceSampleCount: 1})
	require.NoError(t, err)
	require.NoError(t, q.LoadSamplesToRAM([]int{2}))
	require.NoError(t, q.LoadSamplesToRAM([]int{0, 1, 3}))
	for i := range 4 {
		assert.Equal(t, sampleBytes(i, 3*224*224), q.SampleData(i))
	}
}

func TestBadInputs(t *testing.T) {
	size := 3 * 224 * 224
	tests := []struct {
		description string
		corrupt     func(t *testing.T, files []string)
		want        error
		wantIn      string
	}{
		{"missing file", func(t *testing.T, f []string) { require.NoError(t, os.Remove(f[2])) }, os.ErrNotExist, "sample 2"},
		{"truncated file", func(t *testing.T, f []string) {
			st, _ := os.Stat(f[1])
			require.NoError(t, os.Truncate(f[1], st.Size()-10))
		}, npy.ErrTruncated, "sample 1"},
		{"wrong dtype", func(t *testing.T, f []string) {
			require.NoError(t, npy.WriteFile(f[3], npy.Float32Type, []int{3, 224, 224}, make([]byte, 4*size)))
		}, dataset.ErrMismatch, "sample 3"},
		{"wrong shape", func(t *testing.T, f []string) {
			require.NoError(t, npy.WriteFile(f[0], npy.Int8Type, []int{224, 224, 3}, make([]byte, size)))
		}, dataset.ErrMismatch, "sample 0"},
	}
	for _, tc := range tests {
		t.Run(tc.description, func(t *testing.T) {
			files := writeResNetFiles(t, 4)
			tc.corrupt(t, files)
			q, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files}}, TotalSampleCount: 4})
			require.NoError(t, err)
			err = q.LoadSamplesToRAM([]int{0, 1, 2, 3})
			require.ErrorIs(t, err, tc.want)
			assert.Contains(t, err.Error(), tc.wantIn)
			assert.Contains(t, err.Error(), filepath.Dir(files[0]), "the error names the file")
			for i := range 4 {
				assert.Nil(t, q.SampleData(i), "a failed load leaves nothing loaded")
			}
		})
	}
}

func TestTooFewSamplesAndBadIndex(t *testing.T) {
	files := writeResNetFiles(t, 2)
	_, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files}}})
	require.ErrorIs(t, err, dataset.ErrTooFewSamples)
	assert.Contains(t, err.Error(), "2 files for 50000 samples")

	q, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files}}, TotalSampleCount: 2})
	require.NoError(t, err)
	require.ErrorIs(t, q.LoadSamplesToRAM([]int{0, 2}), dataset.ErrIndex)
	require.NoError(t, q.LoadSamplesToRAM([]int{0}), "a rejected call claims nothing")

	_, err = dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files, Format: catalog.CHW32}}, TotalSampleCount: 2})
	require.ErrorIs(t, err, dataset.ErrMismatch)
}

func TestCHW4Files(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "a.npy")
	require.NoError(t, npy.WriteFile(p, npy.Int8Type, []int{224, 224, 4}, sampleBytes(0, 224*224*4)))
	q, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: []string{p}, Format: catalog.CHW4}}, TotalSampleCount: 1})
	require.NoError(t, err)
	require.NoError(t, q.LoadSamplesToRAM([]int{0}))
	assert.Len(t, q.SampleData(0), 224*224*4)
}

// Linear files feeding a CHW4 engine input are converted once, at load:
// SampleData holds the engine's layout (200,704 bytes, not 150,528).
func TestLinearFilesFeedCHW4(t *testing.T) {
	files := writeResNetFiles(t, 2)
	q, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files, Feed: catalog.CHW4}},
		TotalSampleCount: 2, PerformanceSampleCount: 2})
	require.NoError(t, err)
	defer q.Close()
	assert.Equal(t, 224*224*4, q.SampleBytes(0))
	require.NoError(t, q.LoadSamplesToRAM([]int{1, 0}))
	for i := range 2 {
		want := make([]byte, 224*224*4)
		require.NoError(t, dataset.LinearToVectorized(want, sampleBytes(i, 3*224*224), []int{3, 224, 224}, 1, 4))
		got := q.SampleData(i)
		require.Len(t, got, len(want))
		assert.Equal(t, want, got, "sample %d", i)
		// Pixel (0,0): channels 0..2 then the zero pad.
		assert.Equal(t, []byte{sampleBytes(i, 1)[0], byte(i*7 + 224*224 + 1), byte(i*7 + 2*224*224 + 1), 0}, got[:4])
	}

	// The same from one array (rows read, then converted).
	dir := t.TempDir()
	arr := filepath.Join(dir, "input_tensor_0.npy")
	require.NoError(t, npy.WriteFile(arr, npy.Int8Type, []int{2, 3, 224, 224}, append(sampleBytes(0, 3*224*224), sampleBytes(1, 3*224*224)...)))
	qa, err := dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Array: arr, Feed: catalog.CHW4}},
		TotalSampleCount: 2, PerformanceSampleCount: 2})
	require.NoError(t, err)
	defer qa.Close()
	require.NoError(t, qa.LoadSamplesToRAM([]int{0, 1}))
	assert.Equal(t, q.SampleData(1), qa.SampleData(1))

	// A layout the catalogue does not list, or one the QSL cannot make, is refused.
	_, err = dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files, Feed: catalog.CHW32}}, TotalSampleCount: 2})
	require.ErrorIs(t, err, dataset.ErrMismatch)
	assert.Contains(t, err.Error(), "int8 in chw32 is not a layout of this tensor")
	_, err = dataset.New(dataset.Config{Entry: resnet(t), Inputs: []dataset.Source{{Files: files, Format: catalog.CHW4, Feed: catalog.Linear}}, TotalSampleCount: 2})
	require.ErrorIs(t, err, dataset.ErrMismatch)
	assert.Contains(t, err.Error(), "data in chw4 cannot be converted to the engine's linear")
}

// writeBERT writes NVIDIA's three feature arrays, [n, 384] int32 each;
// input_ids is big-endian to check the conversion.
func writeBERT(t *testing.T, n int) []dataset.Source {
	t.Helper()
	dir := t.TempDir()
	var srcs []dataset.Source
	for k, name := range []string{"input_ids", "segment_ids", "input_mask"} {
		dt := npy.Int32Type
		var order binary.AppendByteOrder = binary.LittleEndian
		if k == 0 {
			dt.BigEndian = true
			order = binary.BigEndian
		}
		data := make([]byte, 0, n*384*4)
		for i := range n * 384 {
			data = order.AppendUint32(data, uint32(k*1000000+i))
		}
		p := filepath.Join(dir, name+".npy")
		require.NoError(t, npy.WriteFile(p, dt, []int{n, 384}, data))
		srcs = append(srcs, dataset.Source{Array: p})
	}
	return srcs
}

func TestSingleArrayMultiInput(t *testing.T) {
	e, err := catalog.Lookup("bert-99")
	require.NoError(t, err)
	q, err := dataset.New(dataset.Config{Entry: e, Inputs: writeBERT(t, 5), TotalSampleCount: 5})
	require.NoError(t, err)
	defer q.Close()
	require.NoError(t, q.LoadSamplesToRAM([]int{3, 0}))
	d := q.SampleData(3)
	require.Len(t, d, 3*384*4)
	for k := range 3 {
		part := d[k*384*4 : (k+1)*384*4]
		assert.Equal(t, uint32(k*1000000+3*384), binary.LittleEndian.Uint32(part), "input %d of sample 3", k)
		assert.Equal(t, uint32(k*1000000+3*384+383), binary.LittleEndian.Uint32(part[383*4:]))
		assert.Equal(t, part, q.SampleTensor(3, k))
	}
	assert.Len(t, q.Buffer(1), 5*384*4)
	assert.Zero(t, testing.AllocsPerRun(100, func() { _ = q.SampleData(0) }))

	_, err = dataset.New(dataset.Config{Entry: e, Inputs: writeBERT(t, 5)})
	require.ErrorIs(t, err, dataset.ErrTooFewSamples)
	assert.Contains(t, err.Error(), "input_ids.npy")
}

func ExampleQSL() {
	dir, _ := os.MkdirTemp("", "qsl")
	defer os.RemoveAll(dir)
	e, _ := catalog.Lookup("resnet50")
	var files []string
	for i := range 4 {
		p := filepath.Join(dir, fmt.Sprintf("img%d.JPEG.npy", i))
		img := make([]byte, 3*224*224)
		img[0] = byte(i)
		_ = npy.WriteFile(p, npy.Int8Type, []int{3, 224, 224}, img)
		files = append(files, p)
	}
	q, err := dataset.New(dataset.Config{Entry: e, Inputs: []dataset.Source{{Files: files}},
		TotalSampleCount: 4, PerformanceSampleCount: 2})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer q.Close()
	if err := q.LoadSamplesToRAM([]int{3, 1}); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(len(q.Buffer(0)), q.SampleData(3)[0], q.SampleData(1)[0])
	// Output: 301056 3 1
}

func TestFilesFromMap(t *testing.T) {
	dir := t.TempDir()
	vm := filepath.Join(dir, "val_map.txt")
	require.NoError(t, os.WriteFile(vm, []byte("ILSVRC2012_val_00000001.JPEG 65\nILSVRC2012_val_00000002.JPEG 970\n"), 0o644))
	files, err := dataset.FilesFromMap(vm, "/data/pre", ".npy")
	require.NoError(t, err)
	assert.Equal(t, []string{
		filepath.Join("/data/pre", "ILSVRC2012_val_00000001.JPEG.npy"),
		filepath.Join("/data/pre", "ILSVRC2012_val_00000002.JPEG.npy"),
	}, files)

	require.NoError(t, os.WriteFile(vm, []byte("a 1\n\nb 2\n"), 0o644))
	_, err = dataset.FilesFromMap(vm, dir, ".npy")
	require.ErrorContains(t, err, vm+":2: blank line")

	_, err = dataset.FilesFromMap(filepath.Join(dir, "missing.txt"), dir, ".npy")
	require.ErrorIs(t, err, os.ErrNotExist)
}
