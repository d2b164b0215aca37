package loadgen

import (
	"runtime"
	"testing"

	"github.com/stretchr/testify/assert"
)

func TestIssuersFollowTheTargetUpToTheProcessors(t *testing.T) {
	procs := min(runtime.GOMAXPROCS(0), MaxIssueThreads)
	for _, c := range []struct {
		fixed uint64
		per   float64
		qps   float64
		want  int
	}{
		{0, 0, 1e9, 1},                 // LoadGen: one goroutine
		{0, 5e6, 1e5, 1},               // below one goroutine's share
		{0, 5e6, 5e6, 1},               // exactly one share
		{0, 5e6, 5.1e6, min(2, procs)}, // a second share
		{0, 5e6, 1e12, procs},          // never more than the processors
		{3, 5e6, 1e12, 3},              // a fixed count wins
		{1, 5e6, 1e12, 1},              // even a fixed one
		{MaxIssueThreads + 9, 0, 1, MaxIssueThreads},
	} {
		e := EffectiveSettings{Scenario: Server, TargetQPS: c.qps, ServerNumIssueQueryThreads: c.fixed, ServerIssueQPSPerThread: c.per}
		assert.Equal(t, c.want, e.issuers(), "%+v", c)
	}
}
