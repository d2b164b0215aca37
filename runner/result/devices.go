package result

// Device describes one device a run used (or discovery found).
type Device struct {
	ID   string `json:"id"`
	Kind string `json:"kind"` // "gpu", "mig", "cpu", "simulated"
	Name string `json:"name"`
}

// Telemetry is what was sampled during a run.
type Telemetry struct{}
