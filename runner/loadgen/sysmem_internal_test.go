package loadgen

import (
	"testing"
	"testing/fstest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The memory a run may use is the smaller of MemTotal and the tightest
// cgroup limit on the process's cgroup path (v2 or v1); "max" and v1's
// huge "unlimited" value are no limit.
func TestSystemMemoryTakesTheTightestLimit(t *testing.T) {
	meminfo := &fstest.MapFile{Data: []byte("MemTotal:       24576000 kB\nMemFree:  1 kB\n")}
	total := int64(24576000) << 10
	for _, tc := range []struct {
		description string
		files       fstest.MapFS
		want        int64
		src         string
	}{
		{"no cgroup", fstest.MapFS{"proc/meminfo": meminfo}, total, "/proc/meminfo MemTotal"},
		{"v2 root without a limit", fstest.MapFS{"proc/meminfo": meminfo,
			"sys/fs/cgroup/memory.max": {Data: []byte("max\n")}}, total, "/proc/meminfo MemTotal"},
		{"v2 container root", fstest.MapFS{"proc/meminfo": meminfo,
			"sys/fs/cgroup/memory.max": {Data: []byte("4294967296\n")}}, 4 << 30, "/sys/fs/cgroup/memory.max"},
		{"v2 nested: the parent is tighter", fstest.MapFS{"proc/meminfo": meminfo,
			"proc/self/cgroup":                           {Data: []byte("0::/a/b\n")},
			"sys/fs/cgroup/a/memory.max":                 {Data: []byte("2147483648\n")},
			"sys/fs/cgroup/a/b/memory.max":               {Data: []byte("max\n")},
			"sys/fs/cgroup/memory.max":                   {Data: []byte("max\n")},
			"sys/fs/cgroup/a/b/memory.max.ignored_extra": {Data: []byte("1\n")}}, 2 << 30, "/sys/fs/cgroup/a/memory.max"},
		{"v1 unlimited", fstest.MapFS{"proc/meminfo": meminfo,
			"proc/self/cgroup": {Data: []byte("5:memory:/docker/x\n")},
			"sys/fs/cgroup/memory/docker/x/memory.limit_in_bytes": {Data: []byte("9223372036854771712\n")}}, total, "/proc/meminfo MemTotal"},
		{"v1 limited", fstest.MapFS{"proc/meminfo": meminfo,
			"proc/self/cgroup": {Data: []byte("7:cpu,cpuacct:/x\n5:memory,hugetlb:/docker/x\n")},
			"sys/fs/cgroup/memory/docker/x/memory.limit_in_bytes": {Data: []byte("1073741824\n")}}, 1 << 30, "/sys/fs/cgroup/memory/docker/x/memory.limit_in_bytes"},
		{"a limit above MemTotal", fstest.MapFS{"proc/meminfo": meminfo,
			"sys/fs/cgroup/memory.max": {Data: []byte("1099511627776\n")}}, total, "/proc/meminfo MemTotal"},
	} {
		t.Run(tc.description, func(t *testing.T) {
			got, src, err := systemMemory(tc.files)
			require.NoError(t, err)
			assert.Equal(t, tc.want, got)
			assert.Equal(t, tc.src, src)
		})
	}
	_, _, err := systemMemory(fstest.MapFS{"proc/meminfo": {Data: []byte("nothing\n")}})
	assert.ErrorContains(t, err, "no MemTotal")
	_, _, err = systemMemory(fstest.MapFS{"proc/meminfo": {Data: make([]byte, memoryFileLimit+1)}})
	assert.ErrorContains(t, err, "more than")
}
