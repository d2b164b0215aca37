package clock_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"go.uber.org/goleak"

	"github.com/gotrt/gotrt/runner/clock"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func TestVirtualJumpsToTheNextDeadline(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	start := time.Now()
	assert.True(t, v.SleepUntil(time.Hour, nil))
	assert.Equal(t, time.Hour, v.Now())
	assert.Less(t, time.Since(start), time.Second, "an hour of virtual time takes no real time")
	assert.True(t, v.SleepUntil(time.Minute, nil), "a past deadline returns at once")
	assert.Equal(t, time.Hour, v.Now())
}

func TestVirtualWakesSleepersInDeadlineOrder(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	var mu sync.Mutex
	var order []time.Duration
	var wg sync.WaitGroup
	// Started with clock.Go, the sleepers hold time still until each has
	// slept, and let go when they return.
	for _, d := range []time.Duration{3, 1, 2} {
		wg.Add(1)
		clock.Go(v, func() {
			defer wg.Done()
			v.SleepUntil(d*time.Millisecond, nil)
			mu.Lock()
			order = append(order, v.Now())
			mu.Unlock()
		})
	}
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	v.SleepUntil(clock.Never, all)
	if n := v.Stalls(); n > 0 {
		// A woken sleeper went 2 s without a clock call (a starved
		// machine: busy-test under the race detector) and the watchdog
		// moved time on, as it is there to do.
		t.Skipf("the watchdog moved time %d times: order %v", n, order)
	}
	assert.Equal(t, []time.Duration{time.Millisecond, 2 * time.Millisecond, 3 * time.Millisecond}, order)
}

func TestEventWakesTheWaiterBeforeTimeMoves(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	ev := clock.NewEvent(v)
	got := make(chan time.Duration, 1)
	var wg sync.WaitGroup
	wg.Add(1)
	clock.Go(v, func() {
		// Woken by the clock, this goroutine holds time still until it
		// waits again, so the setter cannot run ahead of it.
		v.SleepUntil(time.Millisecond, nil)
		wg.Add(1)
		clock.Go(v, func() {
			defer wg.Done()
			v.SleepUntil(10*time.Millisecond, nil)
			ev.Set()
			// The setter sleeps again at once; time must not move past
			// 10ms before the woken waiter has run.
			v.SleepUntil(time.Second, nil)
		})
		reached := ev.Wait(clock.Never)
		assert.False(t, reached)
		got <- v.Now()
		wg.Done()
	})
	assert.Equal(t, 10*time.Millisecond, <-got)
	wg.Wait()
	assert.Zero(t, v.Stalls())
}

func TestEventSetBeforeWaitIsKept(t *testing.T) {
	for _, tc := range []struct {
		description string
		c           clock.Clock
	}{{"virtual", clock.NewVirtual(0)}, {"real", clock.NewReal()}} {
		t.Run(tc.description, func(t *testing.T) {
			ev := clock.NewEvent(tc.c)
			ev.Set()
			ev.Set() // one pending wake-up, not two
			assert.False(t, ev.Wait(clock.Never))
			assert.True(t, ev.Wait(tc.c.Now()+time.Millisecond), "the deadline, no second wake-up")
		})
	}
}

func TestVirtualSleepEndsWhenDoneCloses(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	done := make(chan struct{})
	res := make(chan bool)
	// Time stands still while this goroutine holds it: without the hold
	// the clock may jump to the sleeper's deadline before done closes (it
	// did under the race detector in CI).
	v.Hold()
	go func() { res <- v.SleepUntil(time.Hour, done) }()
	close(done)
	assert.False(t, <-res)
	assert.Less(t, v.Now(), time.Hour)
}

func TestVirtualMovesOnWhenAWokenGoroutineLeavesTheClock(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	// The first goroutine is woken at 1ms and then blocks elsewhere for
	// good; the watchdog must let the second one's deadline come.
	block := make(chan struct{})
	clock.Go(v, func() {
		v.SleepUntil(time.Millisecond, nil)
		<-block
	})
	assert.True(t, v.SleepUntil(2*time.Millisecond, nil))
	close(block)
	assert.Equal(t, uint64(1), v.Stalls(), "the watchdog moved time on once")
}

func TestGoHoldsTimeUntilTheGoroutineSleeps(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	var wg sync.WaitGroup
	wg.Add(2)
	var slow time.Duration
	// The first goroutine is slow to reach its first wait (20 ms of real
	// time); the second sleeps at once. Time must not jump to the second's
	// deadline before the first has slept.
	clock.Go(v, func() {
		defer wg.Done()
		time.Sleep(20 * time.Millisecond)
		v.SleepUntil(time.Millisecond, nil)
		slow = v.Now()
	})
	clock.Go(v, func() {
		defer wg.Done()
		v.SleepUntil(5*time.Millisecond, nil)
	})
	all := make(chan struct{})
	go func() { wg.Wait(); close(all) }()
	v.SleepUntil(clock.Never, all)
	assert.Equal(t, time.Millisecond, slow)
	assert.Zero(t, v.Stalls(), "exact accounting, no watchdog")
}

func TestBindAccountsLikeGo(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	res := make(chan time.Duration, 1)
	f := clock.Bind(v, func() time.Duration {
		time.Sleep(20 * time.Millisecond)
		v.SleepUntil(time.Millisecond, nil)
		return v.Now()
	})
	// Until f runs, time stands still, even though nothing sleeps yet.
	go func() { res <- f() }()
	assert.True(t, v.SleepUntil(3*time.Millisecond, nil))
	assert.Equal(t, time.Millisecond, <-res)
	assert.Equal(t, 3*time.Millisecond, v.Now())
	assert.Zero(t, v.Stalls())
	// On the real clock Bind and Go add nothing.
	r := clock.NewReal()
	assert.Equal(t, 7, clock.Bind(r, func() int { return 7 })())
	clock.Hold(r)
}

func TestHoldKeepsTimeStillUntilTheHolderSleeps(t *testing.T) {
	v := clock.NewVirtual(0)
	defer v.Stop()
	clock.Hold(v)
	woke := make(chan time.Duration, 1)
	clock.Go(v, func() {
		v.SleepUntil(5*time.Millisecond, nil)
		woke <- v.Now()
	})
	time.Sleep(20 * time.Millisecond) // real time: the sleeper is parked
	assert.Zero(t, v.Now(), "the holder has not slept: time stands still")
	assert.True(t, v.SleepUntil(10*time.Millisecond, nil))
	assert.Equal(t, 5*time.Millisecond, <-woke)
	assert.Zero(t, v.Stalls())
}

func ExampleVirtual() {
	v := clock.NewVirtual(0)
	defer v.Stop()
	// A minute of simulated time passes at once.
	v.SleepUntil(time.Minute, nil)
	fmt.Println(v.Now())
	// Output: 1m0s
}
