package runner_test

import (
	"context"
	"fmt"

	"github.com/gotrt/gotrt/runner"
	"github.com/gotrt/gotrt/runner/loadgen"
)

// Example runs the built-in model in accuracy mode on the CPU, as
// `gotrt run --mode accuracy` does, and prints the verdict.
func Example() {
	rep, err := runner.Run(context.Background(), runner.Config{Mode: loadgen.AccuracyOnly})
	if err != nil {
		fmt.Println(err)
		return
	}
	a := rep.Result.Accuracy
	fmt.Println(rep.Result.Model, rep.Result.Mode, a.Metric, "pass:", a.Passed())
	// Output: gotrt-builtin AccuracyOnly top-1 pass: true
}
