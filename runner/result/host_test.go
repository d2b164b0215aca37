package result

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fixture writes files under a temp root: path → content.
func fixture(t *testing.T, files map[string]string) string {
	root := t.TempDir()
	for p, c := range files {
		full := filepath.Join(root, p)
		require.NoError(t, os.MkdirAll(filepath.Dir(full), 0o755))
		require.NoError(t, os.WriteFile(full, []byte(c), 0o644))
	}
	return root
}

func TestDetectHostReadsTheMachine(t *testing.T) {
	root := fixture(t, map[string]string{
		"proc/cpuinfo": "processor\t: 0\nmodel name\t: AMD EPYC\ncpu MHz\t\t: 2096.000\nflags\t\t: fpu hypervisor\n\n" +
			"processor\t: 1\nmodel name\t: AMD EPYC\n",
		"proc/meminfo":              "MemTotal:       24576000 kB\n",
		"etc/os-release":            "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\n",
		"proc/sys/kernel/osrelease": "6.1.0\n",
		"sys/devices/system/cpu/cpu0/cpufreq/scaling_cur_freq": "3500000\n",
		"sys/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq": "3700000\n",
		"sys/devices/system/cpu/cpu0/cpufreq/scaling_governor": "performance\n",
		"sys/devices/system/node/node0/cpulist":                "0-63\n",
		"sys/devices/system/node/node1/cpulist":                "64-127\n",
		"sys/devices/system/node/online":                       "0-1\n",
		"proc/self/cgroup":                                     "0::/kubepods/pod1/ctr\n",
		"sys/fs/cgroup/kubepods/pod1/ctr/cpu.max":              "250000 100000\n",
		"sys/fs/cgroup/kubepods/pod1/ctr/memory.max":           "max\n",
		"sys/fs/cgroup/kubepods/pod1/memory.max":               "8589934592\n",
		"sys/fs/cgroup/kubepods/cpu.max":                       "max 100000\n",
	})
	h := detectHost(hostFS{root: root, cpuid: func() (string, string) { return "AMD EPYC 9654 96-Core Processor", "KVMKVMKVM" }})
	assert.Equal(t, "AMD EPYC", h.CPUModel)
	assert.Equal(t, "AMD EPYC 9654 96-Core Processor", h.CPUBrand)
	assert.Equal(t, 2, h.CPUCores)
	assert.Equal(t, 3500.0, h.CPUMHz, "cpufreq wins over cpuinfo")
	assert.Equal(t, 3700.0, h.CPUMaxMHz)
	assert.Equal(t, "performance", h.CPUGovernor)
	assert.Equal(t, 2, h.NUMANodes)
	assert.Equal(t, 2.5, h.CgroupCPUs)
	assert.Equal(t, uint64(8<<30), h.CgroupMemoryB, "the parent's limit binds")
	assert.Equal(t, uint64(24576000*1024), h.MemoryB)
	assert.Equal(t, "Debian GNU/Linux 12 (bookworm)", h.OS)
	assert.Equal(t, "KVM", h.Hypervisor)
	assert.Equal(t, "cpuid", h.HypervisorSource)
}

func TestCgroupV1Limits(t *testing.T) {
	root := fixture(t, map[string]string{
		"proc/self/cgroup":                                      "4:memory:/docker/abc\n3:cpu,cpuacct:/docker/abc\n",
		"sys/fs/cgroup/cpu/cpu.cfs_quota_us":                    "150000\n",
		"sys/fs/cgroup/cpu/cpu.cfs_period_us":                   "100000\n",
		"sys/fs/cgroup/memory/memory.limit_in_bytes":            "9223372036854771712\n", // no limit
		"sys/fs/cgroup/memory/docker/abc/memory.limit_in_bytes": "1073741824\n",
	})
	cpus, mem := cgroupLimits(hostFS{root: root})
	assert.Equal(t, 1.5, cpus, "the container's view: its cgroup is the mount's root")
	assert.Equal(t, uint64(1<<30), mem)

	cpus, mem = cgroupLimits(hostFS{root: t.TempDir()})
	assert.Zero(t, cpus)
	assert.Zero(t, mem)
}

func TestHypervisorSources(t *testing.T) {
	for _, tc := range []struct {
		sig             string
		flag            bool
		vendor, product string
		name, source    string
	}{
		{"", false, "", "", "", ""},
		{"VMwareVMware", true, "", "", "VMware", "cpuid"},
		{"bhyve bhyve ", true, "", "", "bhyve", "cpuid"},
		{"", true, "QEMU", "Standard PC (Q35 + ICH9, 2009)", "KVM/QEMU", "dmi"},
		{"NewHV", true, "", "", "unknown (NewHV)", "cpuid"},
		{"", true, "Acme", "", "unknown (Acme)", "cpuinfo"},
		{"", true, "", "", "unknown", "cpuinfo"},
	} {
		n, s := hypervisor(tc.sig, tc.flag, tc.vendor, tc.product)
		assert.Equal(t, [2]string{tc.name, tc.source}, [2]string{n, s}, "%+v", tc)
	}
}

func TestDetectHostOnThisMachine(t *testing.T) {
	h := DetectHost()
	assert.NotEmpty(t, h.GoVersion)
	assert.Positive(t, h.CPUCores)
	t.Logf("%+v", h)
}
