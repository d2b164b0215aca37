package cuda

import (
	"bufio"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"

	"github.com/gotrt/gotrt/runner/result"
)

// HostCPU describes the host CPU as a device of kind "cpu": its model name
// (from /proc/cpuinfo where there is one), logical CPU count and memory.
func HostCPU() result.Device { return hostCPU("/proc") }

func hostCPU(proc string) result.Device {
	d := result.Device{
		ID:              result.KindCPU,
		Kind:            result.KindCPU,
		Name:            runtime.GOARCH + " CPU",
		Multiprocessors: runtime.NumCPU(),
	}
	if v := procField(filepath.Join(proc, "cpuinfo"), "model name"); v != "" {
		d.Name = v
	}
	if v := procField(filepath.Join(proc, "meminfo"), "MemTotal"); v != "" {
		f := strings.Fields(v) // "32594348 kB"
		if n, err := strconv.ParseUint(f[0], 10, 64); err == nil {
			if len(f) > 1 && f[1] == "kB" {
				n *= 1024
			}
			d.MemoryB = n
		}
	}
	return d
}

// procField returns the value of the first "key : value" line of a /proc file.
func procField(path, key string) string {
	f, err := os.Open(path)
	if err != nil {
		return ""
	}
	defer f.Close()
	s := bufio.NewScanner(f)
	for s.Scan() {
		k, v, ok := strings.Cut(s.Text(), ":")
		if ok && strings.TrimSpace(k) == key {
			return strings.TrimSpace(v)
		}
	}
	return ""
}
