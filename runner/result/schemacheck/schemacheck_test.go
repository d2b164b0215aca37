package schemacheck_test

import (
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/result/schemacheck"
)

func TestResultsValidate(t *testing.T) {
	pass := true
	full := result.Result{
		SchemaVersion: result.SchemaVersion, Model: "m", Scenario: "Offline", Mode: "PerformanceOnly",
		Valid: true, Reasons: []string{}, Throughput: result.Throughput{Value: 1, Unit: "samples/s"},
		Accuracy: &result.Accuracy{Metric: "top-1", Value: 0.9, Target: 0.8, Pass: &pass},
		Extra:    map[string]any{"peak_qps": 1.5, "trials": []any{map[string]any{"a": 1}}},
	}
	for name, r := range map[string]result.Result{"full": full, "zero": {}} {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		assert.NoError(t, schemacheck.Validate(b), name)
	}
	for doc, want := range map[string]string{
		`{"schema_version": 1}`: "$.schema_version: want string, got integer",
		`{"bogus": true}`:       `property "bogus" is not in the schema`,
	} {
		err := schemacheck.Validate([]byte(doc))
		require.ErrorIs(t, err, schemacheck.ErrInvalid)
		assert.Contains(t, err.Error(), want)
	}
}

// A result.json is checked against the schema of the gotrt that reads it;
// every result gotrt writes passes.
func ExampleValidate() {
	b, _ := json.Marshal(result.Result{SchemaVersion: result.SchemaVersion, Model: "gotrt-builtin"})
	fmt.Println(schemacheck.Validate(b))
	err := schemacheck.Validate([]byte(`{"schema_version": 1}`))
	fmt.Println(errors.Is(err, schemacheck.ErrInvalid))
	// Output:
	// <nil>
	// true
}
