package loadgen

// Scenario is an MLPerf Inference scenario.
type Scenario string

// The four scenarios, spelled as in mlperf.conf.
const (
	SingleStream Scenario = "SingleStream"
	MultiStream  Scenario = "MultiStream"
	Server       Scenario = "Server"
	Offline      Scenario = "Offline"
)

// Mode is a LoadGen test mode.
type Mode string

// The test modes, spelled as LoadGen's log spells them.
const (
	PerformanceOnly     Mode = "PerformanceOnly"
	AccuracyOnly        Mode = "AccuracyOnly"
	FindPeakPerformance Mode = "FindPeakPerformance"
)
