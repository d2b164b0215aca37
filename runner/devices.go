package runner

import (
	"cmp"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"strings"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/gotrt/gotrt/cuda"
	"github.com/gotrt/gotrt/internal/bounded"
	"github.com/gotrt/gotrt/internal/gpuerr"
	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/result"
)

// Device selection. Config.Devices reads as CUDA_VISIBLE_DEVICES does, plus
// the CPU:
//
//	"" or "all"   every visible GPU, vGPU and MIG instance when the run can
//	              use them, else the whole CPU as one device
//	"cpu"         the whole CPU as one device
//	"cpu:N"       the CPU split into N devices of equal cores
//	"0,2"         GPUs by CUDA ordinal (the INDEX column of `gotrt devices`)
//	"GPU-…"       a GPU by UUID or a unique prefix of one (a MIG-enabled GPU
//	              stands for its MIG instances)
//	"MIG-…"       a MIG instance by UUID (or MIG-GPU-<uuid>/<gi>/<ci>)
//
// Counts are not device names: a bare number is an index, and Config.Count
// (what `gotrt scale --counts` steps) says how many devices to use.

// errNoCUDATag is why a binary without the cuda tag runs the built-in model
// on the CPU whatever the machine holds; it matches cuda.ErrNotSupported.
var errNoCUDATag error = &gpuerr.UnsupportedError{Feature: "the built-in model on a GPU", Hint: "this gotrt was built without -tags cuda"}

// gpuDevice is the built-in model on one GPU (models/builtin/gpu).
type gpuDevice interface {
	device.Device
	Kind() string
	Close() error
}

// gpuUsable says why this process cannot run the built-in model on a GPU, or
// nil when it can; openGPU opens the model on one GPU. Both are variables so
// that the GPU path's wiring is tested without a GPU.
var (
	gpuUsable       = usableGPU
	openGPU         = openBuiltinGPU
	cudaDeviceCount = cuda.DeviceCount
)

// GPUUsable says why this process cannot run the built-in model on a GPU
// (a build without -tags cuda, no usable CUDA device), or nil when it can.
// The error matches cuda.ErrNotSupported.
func GPUUsable() error { return gpuUsable() }

// gpuMaxBatch is the scheduler's default largest batch for the built-in
// model on a GPU. Measured on an H200 (tools/gpu/check.sh, 10 s Offline
// runs): 24 streams × 16384 reached 19.5M samples/s VALID, 16 × 8192
// 10.6M, 8 × 4096 6.3M, 4 × 2048 6.0M, while one executor alone runs
// 21–23M at any of these sizes: per batch the host pays a scheduler take,
// a staging copy and a completion, which a larger batch amortises. A
// Server batch stays small all the same: the adaptive policy sizes it from
// the latency bound.
const gpuMaxBatch = 16384

// specKind is what a device spec names.
type specKind int

const (
	specAll  specKind = iota // "" or "all"
	specCPU                  // "cpu" or "cpu:N"
	specGPUs                 // indices and UUIDs
)

// deviceSpec is a parsed Config.Devices.
type deviceSpec struct {
	raw     string
	kind    specKind
	split   int      // cpu:N; 0 for "cpu"
	entries []string // GPU indices and UUIDs, in the order given
}

// parseDevices reads a device spec; it checks the form only (whether the
// named GPUs exist is resolveGPUs's business).
func parseDevices(s string) (deviceSpec, error) {
	spec := deviceSpec{raw: s}
	t := strings.TrimSpace(s)
	switch lt := strings.ToLower(t); {
	case lt == "" || lt == "all":
		return spec, nil
	case lt == "cpu":
		spec.kind = specCPU
		return spec, nil
	case strings.HasPrefix(lt, "cpu:"):
		n, err := strconv.Atoi(t[len("cpu:"):])
		if err != nil || n < 1 {
			return spec, fmt.Errorf("%w: devices %q: want cpu:N with N ≥ 1", ErrConfig, bounded.Quote(s))
		}
		spec.kind, spec.split = specCPU, n
		return spec, nil
	}
	spec.kind = specGPUs
	seen := map[string]bool{}
	for _, e := range strings.Split(t, ",") {
		e = strings.TrimSpace(e)
		switch {
		case e == "":
			return spec, fmt.Errorf("%w: devices %q: empty entry", ErrConfig, bounded.Quote(s))
		case strings.HasPrefix(e, "GPU-") || strings.HasPrefix(e, "MIG-"):
		default:
			if n, err := strconv.Atoi(e); err != nil || n < 0 {
				return spec, fmt.Errorf("%w: devices %q: %q is not a GPU index, a GPU-/MIG- UUID, cpu, cpu:N or all", ErrConfig, bounded.Quote(s), bounded.Quote(e))
			}
		}
		if seen[e] {
			return spec, fmt.Errorf("%w: devices %q: %s is named twice", ErrConfig, bounded.Quote(s), bounded.Quote(e))
		}
		seen[e] = true
		spec.entries = append(spec.entries, e)
	}
	return spec, nil
}

// countHint is appended to errors about a lone number, which users of the
// former --devices N may mean as a count.
func (s deviceSpec) countHint() string {
	if len(s.entries) == 1 {
		if n, err := strconv.Atoi(s.entries[0]); err == nil && n > 0 {
			return " (--devices takes GPU indices or UUIDs, not a count: `gotrt scale --counts N` runs on N devices)"
		}
	}
	return ""
}

// resolveGPUs finds the devices spec names among the visible ones, in the
// order named. Indices are CUDA ordinals (devs[i].Index); UUIDs match whole
// or by a unique prefix.
func resolveGPUs(spec deviceSpec, devs []result.Device) ([]result.Device, error) {
	var (
		out  []result.Device
		seen = map[string]string{} // device ID → the entry that named it
	)
	for _, e := range spec.entries {
		found, why := lookupGPU(e, devs)
		if why != "" {
			return nil, fmt.Errorf("%w: devices %q: %s: %s; visible: %s%s", ErrConfig, bounded.Quote(spec.raw), e, why, visible(devs), spec.countHint())
		}
		for _, d := range found {
			if prev, ok := seen[d.ID]; ok {
				return nil, fmt.Errorf("%w: devices %q: %s and %s both name %s", ErrConfig, bounded.Quote(spec.raw), prev, e, d.ID)
			}
			seen[d.ID] = e
			out = append(out, d)
		}
	}
	return out, nil
}

// lookupGPU resolves one entry; why is non-empty when it names nothing.
func lookupGPU(e string, devs []result.Device) (found []result.Device, why string) {
	switch {
	case strings.HasPrefix(e, "MIG-GPU-"):
		parts := strings.Split(strings.TrimPrefix(e, "MIG-"), "/")
		if len(parts) != 3 {
			return nil, "want MIG-GPU-<uuid>/<gpu instance>/<compute instance>"
		}
		gi, err1 := strconv.Atoi(parts[1])
		ci, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			return nil, "bad instance ids"
		}
		for _, d := range devs {
			if m := d.MIG; m != nil && m.ParentUUID == parts[0] && m.GPUInstance == gi && m.ComputeInstance == ci {
				return []result.Device{d}, ""
			}
		}
		return nil, "no such MIG instance"
	case strings.HasPrefix(e, "MIG-"):
		var match []result.Device
		for _, d := range devs {
			if d.Kind != result.KindMIG {
				continue
			}
			if d.UUID == e {
				return []result.Device{d}, ""
			}
			if strings.HasPrefix(d.UUID, e) {
				match = append(match, d)
			}
		}
		return unique(match, "MIG instance")
	case strings.HasPrefix(e, "GPU-"):
		// A MIG-enabled GPU is visible through its instances only: its
		// UUID stands for all of them, as in CUDA_VISIBLE_DEVICES.
		physical := func(d result.Device) string {
			if d.MIG != nil {
				return d.MIG.ParentUUID
			}
			return d.UUID
		}
		var uuids []string
		for _, d := range devs {
			if u := physical(d); strings.HasPrefix(u, e) && (len(uuids) == 0 || uuids[len(uuids)-1] != u) {
				uuids = append(uuids, u)
			}
		}
		for _, u := range uuids {
			if u == e {
				uuids = []string{u}
				break
			}
		}
		switch len(uuids) {
		case 0:
			return nil, "no visible GPU with that UUID"
		case 1:
		default:
			return nil, fmt.Sprintf("the prefix matches %d GPUs", len(uuids))
		}
		for _, d := range devs {
			if physical(d) == uuids[0] {
				found = append(found, d)
			}
		}
		return found, ""
	}
	i, _ := strconv.Atoi(e) // parseDevices checked the form
	for _, d := range devs {
		if d.Index == i {
			return []result.Device{d}, ""
		}
	}
	return nil, "no GPU with that index"
}

func unique(match []result.Device, what string) ([]result.Device, string) {
	switch len(match) {
	case 0:
		return nil, "no visible " + what + " with that UUID"
	case 1:
		return match, ""
	}
	return nil, fmt.Sprintf("the prefix matches %d devices", len(match))
}

// visible sums up the visible GPUs for an error message.
func visible(devs []result.Device) string {
	if len(devs) == 0 {
		return "none"
	}
	ids := make([]string, len(devs))
	for i, d := range devs {
		ids[i] = strconv.Itoa(d.Index)
		if d.UUID != "" {
			ids[i] += " " + d.UUID
		}
	}
	return strings.Join(ids, ", ") + " (see gotrt devices)"
}

// firstN applies Config.Count to a list of GPUs.
func firstN(spec deviceSpec, gpus []result.Device, count int) ([]result.Device, error) {
	if count <= 0 {
		return gpus, nil
	}
	if count > len(gpus) {
		return nil, fmt.Errorf("%w: %d devices asked for, but devices %q names %d GPU(s)", ErrConfig, count, bounded.Quote(spec.raw), len(gpus))
	}
	return gpus[:count], nil
}

// placement is where a built-in run's work goes.
type placement struct {
	// gpus are the GPUs and MIG instances to run on; empty for the CPU.
	gpus []result.Device
	// The CPU as split devices of equal cores (cpu:N), or as oneCore
	// devices of one core each (Config.Count); the whole CPU when both are 0.
	split, oneCore int
	// note is one line for the user on why the CPU runs the model on a
	// machine that has GPUs; empty otherwise.
	note string
}

// placeBuiltin decides where the built-in model runs: on the GPUs when the
// spec allows them, this binary has the cuda tag and a GPU is usable, else
// on the CPU with a note saying why. Naming GPUs that cannot run is an
// ErrConfig naming the reason.
func placeBuiltin(cfg *Config, inv *cuda.Inventory, prec builtin.Precision) (placement, error) {
	spec, err := parseDevices(cfg.Devices)
	if err != nil {
		return placement{}, err
	}
	if cfg.Count < 0 {
		return placement{}, fmt.Errorf("%w: count %d: must not be negative", ErrConfig, cfg.Count)
	}
	cpu := func(note string) (placement, error) {
		p := placement{split: spec.split, note: note}
		if cfg.Count > 0 {
			if spec.split > 0 {
				return placement{}, fmt.Errorf("%w: devices %q with a count of %d: give cpu or all, and the count", ErrConfig, bounded.Quote(spec.raw), cfg.Count)
			}
			if cfg.Count > runtime.NumCPU() {
				return placement{}, fmt.Errorf("%w: %d devices asked for: this machine has %d cores, so 1 to %d one-core devices", ErrConfig, cfg.Count, runtime.NumCPU(), runtime.NumCPU())
			}
			p.oneCore = cfg.Count
		}
		return p, nil
	}
	// visible is what GPU names resolve against: NVML's inventory, or where
	// CUDA works without NVML (a container given the compute capability
	// alone) the GPUs CUDA counts, by ordinal, without UUIDs or telemetry.
	visible, noNVML := inv.Devices, ""
	if !inv.GPUs() {
		visible = nil
		if spec.kind != specCPU && gpuUsable() == nil {
			visible = cudaGPUs()
			noNVML = fmt.Sprintf("NVML lists no GPU (%v): running on the %d GPU(s) CUDA reports, without GPU telemetry", causeOf(inv), len(visible))
		}
	}
	switch spec.kind {
	case specCPU:
		return cpu("")
	case specAll:
		why := gpuUsable()
		switch {
		case errors.Is(why, errNoCUDATag) && !inv.GPUs():
			// The default build on a machine without a GPU: as ever, quietly.
			return cpu("")
		case errors.Is(why, errNoCUDATag):
			return cpu(fmt.Sprintf("this gotrt was built without -tags cuda: running the built-in model on the CPU, not on the %d GPU(s)", len(inv.Devices)))
		case why != nil:
			return cpu(fmt.Sprintf("no GPU usable (%v): running the built-in model on the CPU", why))
		case len(visible) == 0:
			return cpu(fmt.Sprintf("CUDA works but lists no GPU (%v): running the built-in model on the CPU", causeOf(inv)))
		case prec != builtin.INT8:
			return cpu(fmt.Sprintf("the GPU kernels are INT8 only: running %s on the CPU", prec))
		}
		gpus, err := firstN(spec, visible, cfg.Count)
		return placement{gpus: gpus, note: noNVML}, err
	}
	if len(visible) == 0 {
		return placement{}, fmt.Errorf("%w: devices %q: no GPU on this machine (%v): use all, cpu or cpu:N%s", ErrConfig, bounded.Quote(spec.raw), causeOf(inv), spec.countHint())
	}
	gpus, err := resolveGPUs(spec, visible)
	if err != nil {
		return placement{}, err
	}
	if why := gpuUsable(); why != nil {
		return placement{}, fmt.Errorf("%w: devices %q: no GPU usable: %w", ErrConfig, bounded.Quote(spec.raw), why)
	}
	if prec != builtin.INT8 {
		return placement{}, fmt.Errorf("%w: devices %q: the GPU kernels are INT8 only, not %s (use --devices cpu for %s)", ErrConfig, bounded.Quote(spec.raw), prec, prec)
	}
	gpus, err = firstN(spec, gpus, cfg.Count)
	return placement{gpus: gpus, note: noNVML}, err
}

// cudaGPUs lists the devices CUDA counts, by ordinal; nil when it cannot.
func cudaGPUs() []result.Device {
	n, err := cudaDeviceCount()
	if err != nil {
		return nil
	}
	out := make([]result.Device, n)
	for i := range out {
		out[i] = result.Device{Index: i, ID: fmt.Sprintf("cuda:%d", i), Kind: result.KindGPU}
	}
	return out
}

// placeEngine picks the GPUs a catalogue model's TensorRT engine runs on.
func placeEngine(cfg *Config, inv *cuda.Inventory) ([]result.Device, error) {
	spec, err := parseDevices(cfg.Devices)
	if err != nil {
		return nil, err
	}
	if spec.kind == specCPU {
		return nil, fmt.Errorf("%w: devices %q: model %s runs a TensorRT engine, on GPUs only", ErrConfig, bounded.Quote(spec.raw), cfg.model())
	}
	if cfg.Count < 0 {
		return nil, fmt.Errorf("%w: count %d: must not be negative", ErrConfig, cfg.Count)
	}
	if !inv.GPUs() {
		return nil, fmt.Errorf("no GPU for a TensorRT engine: %v: %w", causeOf(inv), cuda.ErrNotSupported)
	}
	gpus := inv.Devices
	if spec.kind == specGPUs {
		if gpus, err = resolveGPUs(spec, inv.Devices); err != nil {
			return nil, err
		}
	}
	return firstN(spec, gpus, cfg.Count)
}

func causeOf(inv *cuda.Inventory) error {
	if inv == nil || inv.Cause == nil {
		return errors.New("no device discovered")
	}
	return inv.Cause
}

// inventory returns the devices the run may use: cfg.Inventory when the
// caller discovered them, else one discovery through cfg.NVML (go-nvml's
// nvml.New() when nil). release closes what inventory opened, and nothing
// of the caller's.
func (c *Config) inventory() (inv *cuda.Inventory, release func(), err error) {
	if c.Inventory != nil {
		return c.Inventory, func() {}, nil
	}
	lib := c.NVML
	if lib == nil {
		lib = nvml.New()
	}
	inv, err = cuda.Discover(lib)
	if err != nil {
		return nil, nil, err
	}
	for _, w := range inv.Warnings {
		c.logf("warning: %s", w)
	}
	return inv, func() { _ = inv.Close() }, nil
}

// DeviceCount says how many devices a count may ask for with cfg's Devices
// (Config.Count, `gotrt scale --counts`): the GPUs the run would use, or on
// the CPU its cores (one core per device).
func DeviceCount(cfg Config) (int, error) {
	if cfg.SUT == "null" {
		return runtime.NumCPU(), nil
	}
	inv, release, err := cfg.inventory()
	if err != nil {
		return 0, err
	}
	defer release()
	cfg.Count = 0
	if cfg.model() != BuiltinModel {
		gpus, err := placeEngine(&cfg, inv)
		return len(gpus), err
	}
	prec, err := cfg.precision()
	if err != nil {
		return 0, err
	}
	p, err := placeBuiltin(&cfg, inv, prec)
	switch {
	case err != nil:
		return 0, err
	case len(p.gpus) > 0:
		return len(p.gpus), nil
	case p.split > 0:
		return 0, fmt.Errorf("%w: devices %q: a count runs on one-core devices; use cpu or all", ErrConfig, cfg.Devices)
	}
	return runtime.NumCPU(), nil
}

// precision is the built-in model's precision from cfg.Precision.
func (c *Config) precision() (builtin.Precision, error) {
	if c.Precision == "" {
		return builtin.INT8, nil
	}
	p, err := builtin.ParsePrecision(c.Precision)
	if err != nil {
		return 0, fmt.Errorf("%w: precision: %w", ErrConfig, err)
	}
	return p, nil
}

// builtinDevices opens the built-in model where p puts it, a GPU with the
// given streams (0: its default). close releases the GPU devices; call it
// after the scheduler has closed their executors.
func builtinDevices(p placement, m *builtin.Model, prec builtin.Precision, streams int) (devs []device.Device, infos []result.Device, close func() error, err error) {
	if len(p.gpus) == 0 {
		var cpus []*builtin.Device
		switch {
		case p.oneCore > 0:
			cpus, err = builtin.SplitCores(p.oneCore, p.oneCore, m, prec)
		case p.split > 0:
			cpus, err = builtin.SplitCPU(p.split, m, prec)
		default:
			cpus, err = builtin.SplitCPU(1, m, prec)
		}
		if err != nil {
			return nil, nil, nil, err
		}
		for _, d := range cpus {
			devs = append(devs, d)
			infos = append(infos, d.Info())
		}
		return devs, infos, func() error { return nil }, nil
	}
	var open []gpuDevice
	closeAll := func() error {
		var errs []error
		for _, d := range open {
			errs = append(errs, d.Close())
		}
		open = nil
		return errors.Join(errs...)
	}
	for _, g := range p.gpus {
		d, err := openGPU(g.Index, g.ID, m, streams)
		if err != nil {
			return nil, nil, nil, errors.Join(fmt.Errorf("open %s (%s): %w", g.ID, g.Name, err), closeAll())
		}
		open = append(open, d)
		devs = append(devs, d)
		if i, ok := d.(interface{ Info() result.Device }); ok && g.Name == "" {
			// Known to CUDA alone (no NVML): the device names itself.
			di := i.Info()
			g.Name, g.Kind = di.Name, cmp.Or(di.Kind, g.Kind)
		}
		infos = append(infos, g)
	}
	return devs, infos, closeAll, nil
}

// describe says in words what ran the built-in model, for result.json and
// the summary, e.g. "builtin-cnn int8 on GPU (2× NVIDIA H200, gotrt's CUDA
// kernels)".
func describe(p placement, prec builtin.Precision, devs []device.Device) string {
	if len(p.gpus) == 0 {
		cores := 0
		for _, d := range devs {
			if s, ok := d.(interface{ Streams() int }); ok {
				cores += s.Streams()
			}
		}
		return fmt.Sprintf("%s %s on the CPU (%d device(s), %d cores)", builtin.Name, prec, len(devs), cores)
	}
	count := map[string]int{}
	var order []string
	for _, g := range p.gpus {
		if count[g.Name] == 0 {
			order = append(order, g.Name)
		}
		count[g.Name]++
	}
	parts := make([]string, len(order))
	for i, n := range order {
		parts[i] = fmt.Sprintf("%d× %s", count[n], n)
	}
	return fmt.Sprintf("%s %s on GPU (%s, gotrt's CUDA kernels)", builtin.Name, prec, strings.Join(parts, ", "))
}
