package result

import (
	"bufio"
	"bytes"
	"os"
	"runtime"
	"strconv"
	"strings"
)

// Host describes the machine a run ran on, so that a comparison can show
// what else differs between two systems.
type Host struct {
	Hostname   string `json:"hostname"`
	CPUModel   string `json:"cpu_model"`
	CPUCores   int    `json:"cpu_cores"`
	MemoryB    uint64 `json:"memory_bytes"`
	OS         string `json:"os"`
	Kernel     string `json:"kernel"`
	Hypervisor string `json:"hypervisor,omitempty"`
	GoVersion  string `json:"go_version"`
	Version    string `json:"gotrt_version"`
}

// hostFS holds the paths DetectHost reads, so tests can point them at
// fixtures.
type hostFS struct {
	cpuinfo, meminfo, osRelease, kernel, sysVendor, productName string
}

var linuxHostFS = hostFS{
	cpuinfo:     "/proc/cpuinfo",
	meminfo:     "/proc/meminfo",
	osRelease:   "/etc/os-release",
	kernel:      "/proc/sys/kernel/osrelease",
	sysVendor:   "/sys/class/dmi/id/sys_vendor",
	productName: "/sys/class/dmi/id/product_name",
}

// DetectHost describes this machine: CPU model and logical cores
// (/proc/cpuinfo), memory (/proc/meminfo), OS (/etc/os-release) and kernel,
// the hypervisor where one shows (the cpuinfo "hypervisor" flag, then the
// DMI vendor), and the Go and gotrt versions. What cannot be read stays
// empty; it never fails.
func DetectHost() Host { return detectHost(linuxHostFS) }

func detectHost(fs hostFS) Host {
	h := Host{
		OS:        runtime.GOOS,
		CPUCores:  runtime.NumCPU(),
		GoVersion: runtime.Version(),
		Version:   gotrtVersion(),
	}
	h.Hostname, _ = os.Hostname()
	hyperFlag := false
	if b, err := os.ReadFile(fs.cpuinfo); err == nil {
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
	if b, err := os.ReadFile(fs.meminfo); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if rest, ok := strings.CutPrefix(line, "MemTotal:"); ok {
				f := strings.Fields(rest)
				if len(f) >= 1 {
					if kb, err := strconv.ParseUint(f[0], 10, 64); err == nil {
						h.MemoryB = kb * 1024
					}
				}
			}
		}
	}
	if b, err := os.ReadFile(fs.osRelease); err == nil {
		for _, line := range strings.Split(string(b), "\n") {
			if v, ok := strings.CutPrefix(line, "PRETTY_NAME="); ok {
				h.OS = strings.Trim(v, `"`)
			}
		}
	}
	if b, err := os.ReadFile(fs.kernel); err == nil {
		h.Kernel = strings.TrimSpace(string(b))
	}
	vendor := readTrim(fs.sysVendor)
	product := readTrim(fs.productName)
	h.Hypervisor = hypervisor(hyperFlag, vendor, product)
	return h
}

func readTrim(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
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
}

// hypervisor names the hypervisor from the DMI strings, or says one is
// present (the CPU flag) without a name; empty on bare metal.
func hypervisor(flag bool, vendor, product string) string {
	for _, k := range knownHypervisors {
		if strings.Contains(vendor, k.match) || strings.Contains(product, k.match) {
			return k.name
		}
	}
	if flag {
		if vendor != "" {
			return "unknown (" + vendor + ")"
		}
		return "unknown"
	}
	return ""
}
