package report

import (
	"io"

	"github.com/gotrt/gotrt/runner/result"
)

type scalingJSON struct {
	Model    string      `json:"model"`
	Scenario string      `json:"scenario"`
	Unit     string      `json:"unit"`
	Valid    bool        `json:"valid"`
	Points   []pointJSON `json:"points"`
}

type pointJSON struct {
	Devices    int            `json:"devices"`
	Dir        string         `json:"dir"`
	Throughput float64        `json:"throughput"`
	SpeedUp    float64        `json:"speedup"`
	Efficiency float64        `json:"efficiency"`
	Valid      bool           `json:"valid"`
	Reasons    []string       `json:"reasons,omitempty"`
	Simulated  bool           `json:"simulated,omitempty"`
	StartTime  string         `json:"start_time,omitempty"`
	LatencyNS  result.Latency `json:"latency_ns"`
	Telemetry  RunTelemetry   `json:"telemetry"`
	Warnings   []string       `json:"warnings,omitempty"`
}

// WriteJSON writes the scaling study as one JSON document: per device
// count the throughput, speed-up, efficiency, verdict, latency and
// telemetry.
func (s *Scaling) WriteJSON(w io.Writer) error {
	doc := scalingJSON{Valid: s.Valid(), Points: []pointJSON{}}
	if len(s.Points) > 0 {
		r0 := s.Points[0].Result
		doc.Model, doc.Scenario, doc.Unit = r0.Model, r0.Scenario, r0.Throughput.Unit
	}
	for _, p := range s.Points {
		r := p.Result
		doc.Points = append(doc.Points, pointJSON{Devices: p.Devices, Dir: p.Dir, Throughput: r.Throughput.Value,
			SpeedUp: p.SpeedUp, Efficiency: p.Efficiency, Valid: r.Valid, Reasons: r.Reasons, Simulated: isSimulated(r),
			StartTime: r.StartTime, LatencyNS: r.LatencyNS, Telemetry: telemetryOf(r), Warnings: r.Warnings})
	}
	return writeJSON(w, doc)
}

// Write prints the scaling study in format f: its table, or JSON.
func (s *Scaling) Write(w io.Writer, f Format) error {
	if f == JSON {
		return s.WriteJSON(w)
	}
	return WriteTables(w, f, s.Tables(f)...)
}
