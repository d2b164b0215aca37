package result_test

import (
	"encoding/json"
	"fmt"

	"github.com/gotrt/gotrt/runner/result"
)

// A result.json is plain JSON of [result.Result]; a tool reads it back with
// encoding/json and checks the schema's major version first.
func Example() {
	data := []byte(`{
  "schema_version": "1.0",
  "model": "gotrt-builtin",
  "scenario": "Offline",
  "mode": "AccuracyOnly",
  "valid": true,
  "reasons": [],
  "throughput": {"value": 88281.5, "unit": "samples/s"},
  "accuracy": {"metric": "top-1", "value": 0.9808, "target": 0.972, "pass": true, "covered": 5000, "total": 5000}
}`)
	var r result.Result
	if err := json.Unmarshal(data, &r); err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(r.SchemaVersion == result.SchemaVersion, r.Model, r.Scenario, r.Throughput.Value, r.Throughput.Unit)
	fmt.Println(r.Accuracy.Metric, r.Accuracy.Value, r.Accuracy.Passed())

	// An accuracy run that was interrupted scored part of the data set: it
	// has a value and its coverage, and no verdict.
	r.Accuracy = &result.Accuracy{Metric: "top-1", Value: 0.98, Target: 0.972, Covered: 1024, Total: 5000}
	out, _ := json.Marshal(r.Accuracy)
	fmt.Println(string(out), r.Accuracy.Passed())
	// Output:
	// true gotrt-builtin Offline 88281.5 samples/s
	// top-1 0.9808 true
	// {"metric":"top-1","value":0.98,"target":0.972,"covered":1024,"total":5000} false
}
