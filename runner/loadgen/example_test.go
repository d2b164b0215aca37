package loadgen_test

import (
	"context"
	"fmt"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// echoSUT answers every sample at once with one byte: the smallest possible
// system under test.
type echoSUT struct{}

func (echoSUT) Name() string  { return "echo" }
func (echoSUT) FlushQueries() {}
func (echoSUT) IssueQuery(samples []loadgen.QuerySample, c loadgen.Completer) {
	for _, s := range samples {
		_ = c.Complete([]loadgen.Response{{ID: s.ID, Data: []byte{byte(s.Index)}}})
	}
}

// Example embeds the load generator: an accuracy run of a SUT of a few
// lines over a 100-sample data set.
func Example() {
	s := loadgen.DefaultSettings(loadgen.Offline)
	s.Mode = loadgen.AccuracyOnly
	s.MinDuration = 10 * time.Millisecond
	rep, err := loadgen.Run(context.Background(), echoSUT{}, loadgen.NewNullQSL(100, 100), s, loadgen.WithoutHostDetection())
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(rep.Result.Scenario, rep.Result.Mode, "valid:", rep.Result.Valid)
	fmt.Println("responses logged:", rep.AccuracySamples)
	// Output:
	// Offline AccuracyOnly valid: true
	// responses logged: 100
}
