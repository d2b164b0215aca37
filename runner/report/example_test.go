package report_test

import (
	"context"
	"fmt"
	"os"

	"github.com/gotrt/gotrt/runner/report"
	"github.com/gotrt/gotrt/runner/result"
)

func run(model, scenario string, tput float64) report.Run {
	return report.Run{Path: model + "/" + scenario, Result: &result.Result{
		SchemaVersion: result.SchemaVersion, Model: model, Scenario: scenario, Mode: "PerformanceOnly",
		Valid: true, Throughput: result.Throughput{Value: tput, Unit: "samples/s"},
	}}
}

// Example compares two systems as the seed study did: per-GPU throughput of
// 4x T4 on bare metal and 4x T4-16Q vGPUs, the vGPU as a ratio of bare metal.
func Example() {
	bareMetal := &report.System{Name: "bare-metal", Runs: []report.Run{
		run("resnet50", "Offline", 5961), run("resnet50", "Server", 5451), run("ssd-resnet34", "Offline", 137),
	}}
	vgpu := &report.System{Name: "vgpu", Runs: []report.Run{
		run("resnet50", "Offline", 5681), run("resnet50", "Server", 5100), run("ssd-resnet34", "Offline", 134),
	}}
	c, err := report.Compare([]*report.System{bareMetal, vgpu})
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := c.Table().Write(os.Stdout, report.Markdown); err != nil {
		fmt.Println(err)
	}
	// Output:
	// ### MLPerf metric by benchmark and scenario (performance relative to bare-metal)
	//
	// | Benchmark    | Scenario | Metric     | Unit      | bare-metal |  vgpu | vgpu/bare-metal |
	// | ------------ | -------- | ---------- | --------- | ---------: | ----: | --------------: |
	// | resnet50     | Offline  | throughput | samples/s |       5961 |  5681 |           0.953 |
	// | resnet50     | Server   | throughput | samples/s |       5451 |  5100 |           0.936 |
	// | ssd-resnet34 | Offline  | throughput | samples/s |      137.0 | 134.0 |           0.978 |
	//
	// Metric per scenario as MLPerf's: Offline samples/s; Server scheduled samples/s within the latency bound; SingleStream p90 latency; MultiStream p99 latency.
}

// ExampleScale runs a stand-in benchmark over 1, 2 and 4 devices; a real
// program passes a function over runner.Run that writes the run's logs into
// dir (see cmd/gotrt/scale.go).
func ExampleScale() {
	out, err := os.MkdirTemp("", "scale")
	if err != nil {
		fmt.Println(err)
		return
	}
	defer os.RemoveAll(out)
	seed := map[int]float64{1: 1453, 2: 2896, 4: 5681} // the seed study's ResNet50 Offline on T4-16Q vGPUs
	run := func(ctx context.Context, devices int, dir string) (*result.Result, error) {
		return run("resnet50", "Offline", seed[devices]).Result, nil
	}
	s, err := report.Scale(context.Background(), out, []int{1, 2, 4}, run, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	if err := s.Table().Write(os.Stdout, report.Text); err != nil {
		fmt.Println(err)
	}
	// Output:
	// Scaling of resnet50 Offline over device count
	//
	// Devices  Throughput (samples/s)  Speed-up  Efficiency  Result
	// -------  ----------------------  --------  ----------  ------
	//       1                    1453     1.00x     100.0 %  VALID
	//       2                    2896     1.99x      99.7 %  VALID
	//       4                    5681     3.91x      97.7 %  VALID
	//
	// Speed-up is throughput over that of 1 device(s); efficiency is speed-up over the device ratio.
}
