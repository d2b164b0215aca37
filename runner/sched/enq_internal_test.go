package sched

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner/loadgen"
)

// scriptClock is a test tool: a clock whose readings are given in turn.
type scriptClock struct{ at []time.Duration }

func (c *scriptClock) Now() time.Duration {
	t := c.at[0]
	if len(c.at) > 1 {
		c.at = c.at[1:]
	}
	return t
}
func (c *scriptClock) SleepUntil(time.Duration, <-chan struct{}) bool { return true }

// idleDevice is a test tool: a device whose executors never open (the test
// starts no workers).
type idleDevice struct{}

func (idleDevice) ID() string { return "idle0" }
func (idleDevice) NewExecutor(int, int) (Executor, error) {
	return nil, ErrConfig
}

type nopCompleter struct{}

func (nopCompleter) Complete([]loadgen.Response) error { return nil }
func (nopCompleter) Fail(error)                        {}

// Several issuers read the clock before the lock, so a later query can
// carry an earlier reading: the queue keeps its enqueue times in order,
// since the batching deadlines read them from its head.
func TestQueueEnqueueTimesStayInOrder(t *testing.T) {
	c := &scriptClock{at: []time.Duration{10 * time.Millisecond, 7 * time.Millisecond, 12 * time.Millisecond}}
	s, err := New([]Device{idleDevice{}}, nil, Config{MaxBatch: 4, NoWarmup: true}, WithClock(c))
	require.NoError(t, err)
	s.state = running // no workers: the queue only fills
	for id := range uint64(3) {
		s.IssueQuery([]loadgen.QuerySample{{ID: id}}, nopCompleter{})
	}
	require.Equal(t, 3, s.q.n)
	assert.Equal(t, []time.Duration{10 * time.Millisecond, 10 * time.Millisecond, 12 * time.Millisecond},
		[]time.Duration{s.q.at(0).enq, s.q.at(1).enq, s.q.at(2).enq})
}
