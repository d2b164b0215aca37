package result

import (
	"bufio"
	"bytes"
	"io"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
)

// Host describes the machine a run ran on, so that a comparison can show
// what else differs between two systems. Fields that could not be read are
// left empty (zero).
type Host struct {
	Hostname string `json:"hostname"`
	// CPUModel is /proc/cpuinfo's model name.
	CPUModel string `json:"cpu_model"`
	// CPUBrand is the brand string the CPUID instruction gives (x86), which
	// a VM's cpuinfo may not show as is.
	CPUBrand string `json:"cpu_brand,omitempty"`
	// CPUCores counts the logical CPUs of the machine (/proc/cpuinfo);
	// UsableCPUs those this process may run on (affinity, cpuset).
	CPUCores   int `json:"cpu_cores"`
	UsableCPUs int `json:"usable_cpus,omitempty"`
	// CPUMHz is CPU 0's clock when the run ended, CPUMaxMHz its maximum
	// (cpufreq), and CPUGovernor its cpufreq governor, e.g. "performance".
	CPUMHz      float64 `json:"cpu_mhz,omitempty"`
	CPUMaxMHz   float64 `json:"cpu_max_mhz,omitempty"`
	CPUGovernor string  `json:"cpu_governor,omitempty"`
	// NUMANodes counts the NUMA nodes (/sys/devices/system/node).
	NUMANodes int `json:"numa_nodes,omitempty"`
	// CgroupCPUs is the CPU quota of the process's cgroup, in CPUs (a
	// container limited to 2.5 CPUs: 2.5); zero when unlimited.
	CgroupCPUs float64 `json:"cgroup_cpu_limit,omitempty"`
	// CgroupMemoryB is the memory limit of the process's cgroup; zero when
	// unlimited.
	CgroupMemoryB uint64 `json:"cgroup_memory_limit_bytes,omitempty"`
	MemoryB       uint64 `json:"memory_bytes"`
	OS            string `json:"os"`
	Kernel        string `json:"kernel"`
	// Hypervisor names the hypervisor, empty on bare metal;
	// HypervisorSource says where the name came from: "cpuid" (the
	// hypervisor's vendor signature), "dmi" (the firmware's vendor and
	// product) or "cpuinfo" (the hypervisor flag alone, name unknown).
	Hypervisor       string `json:"hypervisor,omitempty"`
	HypervisorSource string `json:"hypervisor_source,omitempty"`
	GoVersion        string `json:"go_version"`
	Version          string `json:"gotrt_version"`
	Commit           string `json:"gotrt_commit,omitempty"`
}

// hostFS is where DetectHost reads: root prefixes every path, so tests
// point it at a fixture tree; cpuid stands for the instruction.
type hostFS struct {
	root  string
	cpuid func() (brand, hypervisor string)
}

// maxHostFile bounds what is read of any one /proc or /sys file.
const maxHostFile = 4 << 20

func (fs hostFS) read(path string) []byte {
	f, err := os.Open(filepath.Join(fs.root, path))
	if err != nil {
		return nil
	}
	defer f.Close()
	b, _ := io.ReadAll(io.LimitReader(f, maxHostFile))
	return b
}

func (fs hostFS) readTrim(path string) string { return strings.TrimSpace(string(fs.read(path))) }

// DetectHost describes this machine: CPU model and logical cores
// (/proc/cpuinfo), the CPUID brand string, clock and governor (cpufreq),
// NUMA nodes, the cgroup's CPU and memory limits, memory (/proc/meminfo),
// OS (/etc/os-release) and kernel, the hypervisor (CPUID's vendor
// signature, else DMI, else the cpuinfo flag), and the Go and gotrt
// versions. What cannot be read stays empty; it never fails.
func DetectHost() Host { return detectHost(hostFS{root: "/", cpuid: cpuidInfo}) }

func detectHost(fs hostFS) Host {
	b := BuildInfo()
	h := Host{
		OS:         runtime.GOOS,
		CPUCores:   runtime.NumCPU(),
		UsableCPUs: runtime.NumCPU(),
		GoVersion:  runtime.Version(),
		Version:    gotrtVersion(),
		Commit:     b.Commit,
	}
	h.Hostname, _ = os.Hostname()
	hyperFlag := false
	if b := fs.read("proc/cpuinfo"); b != nil {
		cores := 0
		sc := bufio.NewScanner(bytes.NewReader(b))
		sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				continue
			}
			k, v = strings.TrimSpace(k), strings.TrimSpace(v)
			switch k {
			case "processor":
				cores++
			case "model name", "Model", "cpu model":
				if h.CPUModel == "" {
					h.CPUModel = v
				}
			case "cpu MHz":
				if h.CPUMHz == 0 {
					h.CPUMHz, _ = strconv.ParseFloat(v, 64)
				}
			case "flags", "Features":
				for _, f := range strings.Fields(v) {
					if f == "hypervisor" {
						hyperFlag = true
					}
				}
			}
		}
		if cores > 0 {
			h.CPUCores = cores
		}
	}
	cpufreq := "sys/devices/system/cpu/cpu0/cpufreq/"
	if khz, err := strconv.ParseFloat(fs.readTrim(cpufreq+"scaling_cur_freq"), 64); err == nil && khz > 0 {
		h.CPUMHz = khz / 1000
	}
	if khz, err := strconv.ParseFloat(fs.readTrim(cpufreq+"cpuinfo_max_freq"), 64); err == nil && khz > 0 {
		h.CPUMaxMHz = khz / 1000
	}
	h.CPUGovernor = fs.readTrim(cpufreq + "scaling_governor")
	if ents, err := os.ReadDir(filepath.Join(fs.root, "sys/devices/system/node")); err == nil {
		for _, e := range ents {
			if n, ok := strings.CutPrefix(e.Name(), "node"); ok {
				if _, err := strconv.Atoi(n); err == nil {
					h.NUMANodes++
				}
			}
		}
	}
	h.CgroupCPUs, h.CgroupMemoryB = cgroupLimits(fs)
	for _, line := range strings.Split(string(fs.read("proc/meminfo")), "\n") {
		if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
			if f := strings.Fields(rest); len(f) >= 1 {
				if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
					h.MemoryB = kb * 1024
				}
			}
		}
	}
	for _, line := range strings.Split(string(fs.read("etc/os-release")), "\n") {
		if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
			h.OS = strings.Trim(v, `"`)
		}
	}
	h.Kernel = fs.readTrim("proc/sys/kernel/osrelease")
	var sig string
	if fs.cpuid != nil {
		h.CPUBrand, sig = fs.cpuid()
	}
	vendor := fs.readTrim("sys/class/dmi/id/sys_vendor")
	product := fs.readTrim("sys/class/dmi/id/product_name")
	h.Hypervisor, h.HypervisorSource = hypervisor(sig, hyperFlag, vendor, product)
	return h
}

// cgroupLimits reads the CPU quota (in CPUs) and memory limit of this
// process's cgroup, v2 (cpu.max, memory.max) or v1 (cpu.cfs_quota_us over
// cpu.cfs_period_us, memory.limit_in_bytes); the tightest of the cgroup and
// its ancestors; zero where unlimited or unreadable.
func cgroupLimits(fs hostFS) (cpus float64, mem uint64) {
	v2, v1cpu, v1mem := "", "", ""
	for _, line := range strings.Split(string(fs.read("proc/self/cgroup")), "\n") {
		parts := strings.SplitN(line, ":", 3)
		if len(parts) != 3 {
			continue
		}
		switch {
		case parts[0] == "0" && parts[1] == "":
			v2 = parts[2]
		case strings.Contains(","+parts[1]+",", ",cpu,"):
			v1cpu = parts[2]
		case strings.Contains(","+parts[1]+",", ",memory,"):
			v1mem = parts[2]
		}
	}
	// dirs lists base/path and its ancestors up to base; inside a
	// container the path may not exist under the mount, so base alone is
	// tried too.
	dirs := func(base, path string) []string {
		var ds []string
		for p := filepath.Clean("/" + path); ; p = filepath.Dir(p) {
			ds = append(ds, filepath.Join(base, p))
			if p == "/" {
				return ds
			}
		}
	}
	minCPU := func(q float64) {
		if q > 0 && (cpus == 0 || q < cpus) {
			cpus = q
		}
	}
	minMem := func(m uint64) {
		if m > 0 && (mem == 0 || m < mem) {
			mem = m
		}
	}
	if v2 != "" || (v1cpu == "" && v1mem == "") {
		for _, d := range dirs("sys/fs/cgroup", v2) {
			if f := strings.Fields(fs.readTrim(d + "/cpu.max")); len(f) == 2 && f[0] != "max" {
				q, err1 := strconv.ParseFloat(f[0], 64)
				p, err2 := strconv.ParseFloat(f[1], 64)
				if err1 == nil && err2 == nil && p > 0 {
					minCPU(q / p)
				}
			}
			if v := fs.readTrim(d + "/memory.max"); v != "" && v != "max" {
				if m, err := strconv.ParseUint(v, 10, 64); err == nil {
					minMem(m)
				}
			}
		}
	}
	for _, d := range dirs("sys/fs/cgroup/cpu", v1cpu) {
		q, err1 := strconv.ParseFloat(fs.readTrim(d+"/cpu.cfs_quota_us"), 64)
		p, err2 := strconv.ParseFloat(fs.readTrim(d+"/cpu.cfs_period_us"), 64)
		if err1 == nil && err2 == nil && q > 0 && p > 0 {
			minCPU(q / p)
		}
	}
	for _, d := range dirs("sys/fs/cgroup/memory", v1mem) {
		// v1 writes "no limit" as a huge page-rounded number.
		if m, err := strconv.ParseUint(fs.readTrim(d+"/memory.limit_in_bytes"), 10, 64); err == nil && m < math.MaxInt64/2 {
			minMem(m)
		}
	}
	return cpus, mem
}

// cpuidHypervisors maps CPUID hypervisor vendor signatures to a name.
var cpuidHypervisors = map[string]string{
	"KVMKVMKVM":    "KVM",
	"Linux KVM Hv": "KVM",
	"VMwareVMware": "VMware",
	"Microsoft Hv": "Hyper-V",
	"XenVMMXenVMM": "Xen",
	"TCGTCGTCGTCG": "QEMU (TCG)",
	"bhyve bhyve":  "bhyve",
	"ACRNACRNACRN": "ACRN",
	"VBoxVBoxVBox": "VirtualBox",
	"lrpepyh  vr":  "Parallels",
	"prl hyperv":   "Parallels",
	"QNXQVMBSQG":   "QNX",
}

// knownHypervisors maps DMI vendor/product substrings to a name.
var knownHypervisors = []struct{ match, name string }{
	{"VMware", "VMware"},
	{"QEMU", "KVM/QEMU"},
	{"KVM", "KVM/QEMU"},
	{"Microsoft Corporation", "Hyper-V"},
	{"Xen", "Xen"},
	{"Amazon EC2", "AWS Nitro"},
	{"Google", "Google Compute Engine"},
	{"innotek", "VirtualBox"},
	{"VirtualBox", "VirtualBox"},
	{"Parallels", "Parallels"},
	{"OpenStack", "OpenStack"},
	{"Oxide", "Oxide (bhyve)"},
}

// hypervisor names the hypervisor and where the name came from: CPUID's
// vendor signature, else the DMI strings, else the cpuinfo flag says one is
// present without a name; empty on bare metal.
func hypervisor(sig string, flag bool, vendor, product string) (name, source string) {
	if sig = strings.TrimSpace(sig); sig != "" {
		if n, ok := cpuidHypervisors[sig]; ok {
			return n, "cpuid"
		}
	}
	for _, k := range knownHypervisors {
		if strings.Contains(vendor, k.match) || strings.Contains(product, k.match) {
			return k.name, "dmi"
		}
	}
	if sig != "" {
		return "unknown (" + sig + ")", "cpuid"
	}
	if flag {
		if vendor != "" {
			return "unknown (" + vendor + ")", "cpuinfo"
		}
		return "unknown", "cpuinfo"
	}
	return "", ""
}
