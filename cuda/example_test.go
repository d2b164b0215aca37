package cuda_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock"
	"github.com/NVIDIA/go-nvml/pkg/nvml/mock/server"

	"github.com/gotrt/gotrt/cuda"
)

// Discover on go-nvml's DGX H100 mock (production passes nvml.New()), with
// MIG on GPU 0 and CUDA_VISIBLE_DEVICES=0,2.
func ExampleDiscover() {
	lib := h100Server(4, nvml.GPU_VIRTUALIZATION_MODE_NONE)
	twoMIGs(lib)

	inv, err := cuda.Discover(lib, cuda.WithVisibleDevices("0,2"), cuda.WithHost(testHost))
	if err != nil {
		fmt.Println(err)
		return
	}
	defer inv.Close()
	for _, d := range inv.Devices {
		fmt.Printf("%s %s %q %s %d GiB\n", d.ID, d.Kind, d.Name, d.Virtualization, d.MemoryB>>30)
	}
	// Output:
	// cuda:0 mig "NVIDIA H100 80GB HBM3 MIG 1g.10gb" bare-metal 9 GiB
	// cuda:1 mig "NVIDIA H100 80GB HBM3 MIG 3g.40gb" bare-metal 39 GiB
	// cuda:2 gpu "NVIDIA H100 80GB HBM3" bare-metal 80 GiB
}

// Without the NVML library discovery falls back to the CPU, with one line
// saying why.
func ExampleDiscover_noLibrary() {
	lib := &mock.Interface{InitFunc: func() nvml.Return { return nvml.ERROR_LIBRARY_NOT_FOUND }}
	inv, _ := cuda.Discover(lib, cuda.WithHost(testHost))
	fmt.Println(inv.Devices[0].Kind, inv.Devices[0].Name)
	fmt.Println(errors.Is(inv.Cause, cuda.ErrNoNVML))
	// Output:
	// cpu Test CPU
	// true
}

// A Sampler records GPU and host telemetry during a run.
func ExampleSampler() {
	lib := h100Server(1, nvml.GPU_VIRTUALIZATION_MODE_NONE)
	instrument(lib.Devices[0].(*server.Device), []uint32{250_000, 350_000}, []uint64{0, 3_000_000})
	inv, _ := cuda.Discover(lib, cuda.WithAllDevices(), cuda.WithHost(testHost))
	defer inv.Close()

	s, _ := cuda.NewSampler(inv, time.Hour)
	_ = s.Start()
	// ... the run ...
	tel, _ := s.Stop()
	tel.SetSamples(60_000, map[string]int64{"cuda:0": 60_000})

	d := tel.Devices[0]
	fmt.Printf("%s: power mean %.0f W max %.0f W, %.0f J (%s), %.0f samples/J\n",
		d.ID, d.PowerW.Mean, d.PowerW.Max, d.EnergyJ, d.EnergySource, d.SamplesPerJoule)
	// Output:
	// cuda:0: power mean 300 W max 350 W, 3000 J (counter), 20 samples/J
}

// The CUDA layer: a batch round trip on one stream. It needs the `cuda`
// build tag and a GPU; elsewhere NewContext returns an error matching
// ErrNotSupported.
func ExampleNewContext() {
	ctx, err := cuda.NewContext(0)
	if errors.Is(err, cuda.ErrNotSupported) {
		fmt.Println("no CUDA here:", err)
		return
	}
	if err != nil {
		panic(err)
	}
	defer ctx.Close()

	stream, _ := ctx.NewStream()
	defer stream.Close()
	in, _ := ctx.AllocHost(1 << 20) // pinned
	defer in.Close()
	out, _ := ctx.AllocHost(1 << 20)
	defer out.Close()
	dev, _ := ctx.AllocDevice(1 << 20)
	defer dev.Close()
	done, _ := ctx.NewEvent()
	defer done.Close()

	_ = stream.CopyHtoD(dev, 0, in.Bytes())
	// ... enqueue the engine on stream.Handle() ...
	_ = stream.CopyDtoH(out.Bytes(), dev, 0)
	_ = done.Record(stream)
	_ = done.Synchronize()
}

// A kernel of our own: load PTX (embedded with go:embed in real code), look
// up the kernel and launch it on a stream. Each argument fills one 8-byte
// parameter slot. Available says up front whether to use the GPU at all.
func ExampleStream_Launch() {
	if err := cuda.Available(); err != nil {
		fmt.Println("running on the CPU:", err) // one line: why there is no GPU
		return
	}
	ctx, err := cuda.NewContext(0)
	if err != nil {
		panic(err)
	}
	defer ctx.Close() // last: it refuses (ErrInUse) while its children are open

	var ptx []byte // add_bytes(u8 *data, u32 n, u32 k): data[i] += k
	mod, err := ctx.LoadModule(ptx)
	if err != nil {
		panic(err)
	}
	defer mod.Close()
	addBytes, _ := mod.Function("add_bytes")
	stream, _ := ctx.NewStream()
	defer stream.Close()
	buf, _ := ctx.AllocDevice(4096)
	defer buf.Close()

	block := cuda.Dim3{X: 256, Y: 1, Z: 1}
	grid := cuda.Dim3{X: 4096 / 256, Y: 1, Z: 1}
	_ = stream.Launch(addBytes, grid, block, 0, uint64(buf.Ptr()), 4096, 1)
	_ = stream.Synchronize()
}
