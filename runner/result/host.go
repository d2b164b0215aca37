package result

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
