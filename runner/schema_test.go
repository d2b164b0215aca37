package runner_test

import (
	"bytes"
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result/schemacheck"
)

// Every kind of result.json a run writes matches result.schema.json: each
// scenario, accuracy, and a built-in run
// with the scheduler's and telemetry's sections.
func TestWrittenResultsMatchTheSchema(t *testing.T) {
	short := runner.Overrides{MinDuration: 50 * time.Millisecond, MinQueryCount: 10}
	cfgs := map[string]runner.Config{
		"builtin Offline":  {Overrides: runner.Overrides{MinDuration: 200 * time.Millisecond}, TelemetryInterval: 20 * time.Millisecond},
		"builtin accuracy": {Mode: loadgen.AccuracyOnly},
	}
	for _, sc := range []loadgen.Scenario{loadgen.Offline, loadgen.Server, loadgen.SingleStream, loadgen.MultiStream} {
		cfgs["null "+string(sc)] = runner.Config{SUT: "null", Scenario: sc, Overrides: short}
	}
	for name, cfg := range cfgs {
		t.Run(name, func(t *testing.T) {
			rep, err := runner.Run(context.Background(), cfg)
			require.NoError(t, err)
			var b bytes.Buffer
			require.NoError(t, rep.WriteResult(&b))
			assert.NoError(t, schemacheck.Validate(b.Bytes()))
		})
	}
}
