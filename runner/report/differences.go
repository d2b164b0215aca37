package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/runner/result"
)

// TensorRTVersionKey is the key of result.Result.Extra under which runs
// recorded the TensorRT version they used before the schema had
// result.Device.TensorRT; the comparison reads either.
const TensorRTVersionKey = "tensorrt_version"

// property reads one property of a run; "" when the run does not say.
type property struct {
	name string
	get  func(r *result.Result) []string
}

func one(s string) []string {
	if s == "" {
		return nil
	}
	return []string{s}
}

// gpus returns the run's GPU and MIG devices.
func gpus(r *result.Result) []result.Device {
	var ds []result.Device
	for _, d := range r.Devices {
		if d.Kind == result.KindGPU || d.Kind == result.KindMIG {
			ds = append(ds, d)
		}
	}
	return ds
}

func fromDevices(r *result.Result, f func(d result.Device) string) []string {
	var vs []string
	for _, d := range gpus(r) {
		if v := f(d); v != "" {
			vs = append(vs, v)
		}
	}
	return vs
}

var properties = []property{
	{"CPU model", func(r *result.Result) []string { return one(r.Host.CPUModel) }},
	{"CPU cores", func(r *result.Result) []string {
		if r.Host.CPUCores <= 0 {
			return nil
		}
		return one(strconv.Itoa(r.Host.CPUCores))
	}},
	{"Host memory", func(r *result.Result) []string {
		if r.Host.MemoryB == 0 {
			return nil
		}
		return one(fmt.Sprintf("%.0f GiB", float64(r.Host.MemoryB)/(1<<30)))
	}},
	{"OS", func(r *result.Result) []string { return one(r.Host.OS) }},
	{"Kernel", func(r *result.Result) []string { return one(r.Host.Kernel) }},
	{"Hypervisor", func(r *result.Result) []string { return one(r.Host.Hypervisor) }},
	{"Devices", func(r *result.Result) []string { return one(deviceSummary(r.Devices)) }},
	{"Virtualisation", func(r *result.Result) []string {
		return fromDevices(r, func(d result.Device) string {
			if d.Kind == result.KindMIG && d.Virtualization == "" {
				return "mig"
			}
			return d.Virtualization
		})
	}},
	{"Device profile", func(r *result.Result) []string {
		return fromDevices(r, func(d result.Device) string {
			switch {
			case d.MIG != nil && d.MIG.Profile != "":
				return "MIG " + d.MIG.Profile
			case d.Virtualization == result.VirtVGPUGuest:
				if d.VGPU != nil && d.VGPU.Product != "" {
					return d.Name + " (" + d.VGPU.Product + ")"
				}
				return d.Name
			}
			return ""
		})
	}},
	{"Driver", func(r *result.Result) []string {
		return fromDevices(r, func(d result.Device) string { return d.DriverVersion })
	}},
	{"CUDA", func(r *result.Result) []string {
		return fromDevices(r, func(d result.Device) string { return d.CUDADriverVersion })
	}},
	{"TensorRT", func(r *result.Result) []string {
		if v := fromDevices(r, func(d result.Device) string { return d.TensorRT }); len(v) > 0 {
			return v
		}
		if v, ok := r.Extra[TensorRTVersionKey].(string); ok {
			return one(v)
		}
		return nil
	}},
	{"gotrt", func(r *result.Result) []string { return one(r.Host.Version) }},
}

// deviceSummary counts devices by name and kind: "4 × Tesla T4".
func deviceSummary(ds []result.Device) string {
	var order []string
	n := map[string]int{}
	for _, d := range ds {
		name := d.Name
		if name == "" {
			name = d.Kind
		}
		if d.Kind == result.KindSimulated {
			name = "simulated " + name
		}
		if name == "" {
			continue
		}
		if n[name] == 0 {
			order = append(order, name)
		}
		n[name]++
	}
	var parts []string
	for _, name := range order {
		parts = append(parts, fmt.Sprintf("%d × %s", n[name], name))
	}
	return strings.Join(parts, " + ")
}

// differences reads each property from every run of every system: a
// system's value lists its runs' distinct values.
func differences(systems []*System) []Difference {
	var ds []Difference
	for _, p := range properties {
		d := Difference{Field: p.name}
		for _, s := range systems {
			var vals []string
			seen := map[string]bool{}
			for _, run := range s.Runs {
				for _, v := range p.get(run.Result) {
					if !seen[v] {
						seen[v] = true
						vals = append(vals, v)
					}
				}
			}
			v := strings.Join(vals, ", ")
			if v == "" {
				v = Missing
			}
			d.Values = append(d.Values, v)
		}
		for _, v := range d.Values[1:] {
			d.Differs = d.Differs || v != d.Values[0]
		}
		ds = append(ds, d)
	}
	return ds
}
