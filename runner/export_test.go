package runner

import "github.com/gotrt/gotrt/runner/sched"

// SetDeviceWrapper makes every run wrap its devices with f until the
// returned restore is called (tests of faults and interruptions on the real
// executors).
func SetDeviceWrapper(f func([]sched.Device) []sched.Device) (restore func()) {
	wrapDevices = f
	return func() { wrapDevices = nil }
}
