package runner

import (
	"fmt"

	"github.com/gotrt/gotrt/models/builtin"
	"github.com/gotrt/gotrt/runner/sched"
)

// checkStreams refuses more streams than a CPU device has cores: each of
// its streams computes on a core of its own. Said before the run, as a
// config error naming the flag's value, rather than as a device failure in
// warm-up.
func checkStreams(devs []sched.Device, sc sched.Config) error {
	for _, d := range devs {
		s, ok := d.(*builtin.Device)
		if !ok {
			continue
		}
		n := sc.Streams
		if o, ok := sc.PerDevice[d.ID()]; ok && o.Streams > 0 {
			n = o.Streams
		}
		if n > s.Streams() {
			return fmt.Errorf("%w: streams %d: CPU device %s has %d core(s), and each stream needs one", ErrConfig, n, d.ID(), s.Streams())
		}
	}
	return nil
}
