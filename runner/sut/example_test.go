package sut_test

import (
	"fmt"

	"github.com/gotrt/gotrt/runner/sut"
)

// echo is a system under test that answers every sample at once with its
// QSL index: the shape of a SUT, whatever runs behind it.
type echo struct{}

func (echo) Name() string { return "echo" }

func (echo) IssueQuery(samples []sut.QuerySample, c sut.Completer) {
	resp := make([]sut.Response, len(samples))
	for i, s := range samples {
		resp[i] = sut.Response{ID: s.ID, Data: []byte{byte(s.Index)}}
	}
	if err := c.Complete(resp); err != nil {
		c.Fail(err)
	}
}

func (echo) FlushQueries() {}

// printer is a Completer that prints what completes; the load generator's
// records the time and checks every id.
type printer struct{}

func (printer) Complete(rs []sut.Response) error {
	for _, r := range rs {
		fmt.Println("complete", r.ID, r.Data)
	}
	return nil
}

func (printer) Fail(err error) { fmt.Println("fail:", err) }

func Example() {
	var s sut.SystemUnderTest = echo{}
	s.IssueQuery([]sut.QuerySample{{ID: 1, Index: 7}, {ID: 2, Index: 3}}, printer{})

	// Names are read in any letter case and given back as LoadGen spells them.
	sc, err := sut.ParseScenario("offline")
	fmt.Println(sc, err)
	_, err = sut.ParseMode("fast")
	fmt.Println(err)
	// Output:
	// complete 1 [7]
	// complete 2 [3]
	// Offline <nil>
	// bad settings: mode "fast" (want PerformanceOnly, AccuracyOnly or FindPeakPerformance)
}
