package runner

import (
	"fmt"
	"github.com/gotrt/gotrt/internal/bounded"
	"strings"
	"time"

	"github.com/gotrt/gotrt/runner/loadgen"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/sched"
)

// Device error policies by name, as `gotrt run --on-device-error` takes
// them: what a device failing mid-run does to the run.
const (
	// OnDeviceErrorFail ends the run on the first device error
	// (sched.FailRun, the default): INVALID, the device's error the reason.
	OnDeviceErrorFail = "fail"
	// OnDeviceErrorContinue drops the failed device and goes on with the
	// others (sched.Continue); its failed batch re-runs on another device.
	// The run is then INVALID, because it did not measure the devices it
	// started with throughout; result.json's scheduler.lost_devices and the
	// summary's warnings say which device left, when, and how many of its
	// samples re-ran elsewhere.
	OnDeviceErrorContinue = "continue"
)

// ParseDeviceErrorPolicy reads a policy name ("fail" or "continue", any
// case; "" is fail) into the scheduler's policy, for Config.Sched.OnFault.
func ParseDeviceErrorPolicy(s string) (sched.FaultPolicy, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", OnDeviceErrorFail:
		return sched.FailRun, nil
	case OnDeviceErrorContinue:
		return sched.Continue, nil
	}
	return 0, fmt.Errorf("%w: on device error %q: want fail or continue", ErrConfig, bounded.Quote(s))
}

// reportLost tells the run's report about the devices the scheduler lost:
// a warning for each (which, when, how many samples re-ran elsewhere) and,
// under the continue policy, an INVALID reason: the run did not measure its
// devices throughout. (Under fail the load generator's reason already
// names the device's error.)
func reportLost(rep *loadgen.Report, st result.Scheduler, policy sched.FaultPolicy) {
	if len(st.Lost) == 0 {
		return
	}
	var ids []string
	var requeued uint64
	for _, l := range st.Lost {
		ids = append(ids, l.ID)
		requeued += l.RequeuedSamples
		rep.AddWarning(fmt.Sprintf("device %s lost %v after the first sample: %s; %d of its samples failed, %d re-ran on other devices",
			l.ID, time.Duration(l.AtNS).Round(time.Millisecond), short(l.Error), l.FailedSamples, l.RequeuedSamples))
	}
	if policy == sched.Continue {
		rep.Invalidate(fmt.Sprintf("device(s) %s lost during the run (%d samples re-ran on other devices): the run did not measure its %d devices throughout",
			strings.Join(ids, ", "), requeued, len(st.Devices)))
	}
}

// reportLostEndpoints tells the run's report about remote endpoints that
// left the run or gave samples back, as reportLost does for local devices:
// a warning for each, in the summary and in result.json (which endpoint,
// when, why, how many of its samples went to others) and, under the
// continue policy, an INVALID reason. (Under fail the client failed the
// run with kserve.ErrEndpointLost, which the load generator's reason
// names.)
func reportLostEndpoints(rep *loadgen.Report, st result.Remote, continued bool) {
	var lost []string
	for _, e := range st.Endpoints {
		var msg string
		switch {
		case e.Lost:
			lost = append(lost, e.Address)
			what := "were sent again to other endpoints"
			if !continued {
				what = "were in flight on it when the run ended"
			}
			msg = fmt.Sprintf("endpoint %s lost %v after the first sample: %s; %d of its samples %s",
				e.Address, time.Duration(e.LostAtNS).Round(time.Millisecond), short(e.Error), e.Requeued, what)
		case e.Requeued > 0:
			msg = fmt.Sprintf("endpoint %s failed requests but stayed in the run: %d of its samples were sent again", e.Address, e.Requeued)
		default:
			continue
		}
		rep.AddWarning(msg)
		rep.Result.Warnings = append(rep.Result.Warnings, msg)
	}
	if continued && len(lost) > 0 {
		rep.Invalidate(fmt.Sprintf("endpoint(s) %s lost during the run (%d samples sent again to other endpoints): the run did not measure its %d endpoints throughout",
			strings.Join(lost, ", "), st.Requeued, len(st.Endpoints)))
	}
}

// shortLen is the most of a user's or device's text an error quotes.
const shortLen = 200

// short cuts s to shortLen bytes (on a rune boundary), marking the cut.
func short(s string) string {
	if len(s) <= shortLen {
		return s
	}
	i := shortLen
	for i > 0 && !utf8RuneStart(s[i]) {
		i--
	}
	return s[:i] + fmt.Sprintf("… (%d bytes)", len(s))
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// wrapDevices, when set (by tests), wraps the devices a run schedules on:
// a real executor that fails or cancels after some batches.
var wrapDevices func([]sched.Device) []sched.Device
