//go:build !amd64

package result

// cpuidInfo has no CPUID to read off amd64; /proc/cpuinfo's model name
// stands for the brand.
func cpuidInfo() (brand, hypervisor string) { return "", "" }
