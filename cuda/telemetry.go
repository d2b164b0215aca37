package cuda

import (
	"bufio"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/NVIDIA/go-nvml/pkg/nvml"

	"github.com/gotrt/gotrt/runner/result"
)

// ErrSamplerState means Start or Stop was called out of order.
var ErrSamplerState = errors.New("sampler used out of order")

// SamplerOption configures [NewSampler].
type SamplerOption func(*Sampler)

// WithProcDir makes the sampler read system CPU use from dir/stat instead of
// /proc/stat (tests).
func WithProcDir(dir string) SamplerOption { return func(s *Sampler) { s.procDir = dir } }

// Sampler samples, on its own goroutine, each GPU's utilisation, power,
// energy, SM clock, memory in use and clock throttling, and the CPU use of
// this process and of the whole host, every interval, from Start to Stop.
// With an [Inventory] of no GPU it samples the host alone. A Sampler is
// started once and stopped once; Start and Stop are not for concurrent use.
type Sampler struct {
	interval time.Duration
	procDir  string
	devs     []*devAcc
	host     hostAcc

	mu      sync.Mutex
	state   int // 0 new, 1 running, 2 stopped
	quit    chan struct{}
	done    chan struct{}
	summary *result.Telemetry

	rounds      int
	first, last time.Time
}

// NewSampler returns a sampler of inv's GPUs (none when inv is nil or holds
// the CPU alone) and of the host, every interval.
func NewSampler(inv *Inventory, interval time.Duration, opts ...SamplerOption) (*Sampler, error) {
	if interval <= 0 {
		return nil, fmt.Errorf("cuda sampler: interval %v: must be positive", interval)
	}
	s := &Sampler{interval: interval, procDir: "/proc"}
	for _, o := range opts {
		o(s)
	}
	if inv.GPUs() {
		for i, d := range inv.Devices {
			s.devs = append(s.devs, &devAcc{id: d.ID, uuid: d.UUID, h: inv.handles[i], off: map[string]bool{}})
		}
	}
	return s, nil
}

// Start takes a first sample and starts the sampling goroutine.
func (s *Sampler) Start() error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.state != 0 {
		return fmt.Errorf("cuda sampler: start: %w", ErrSamplerState)
	}
	s.state = 1
	s.sample(time.Now())
	s.quit, s.done = make(chan struct{}), make(chan struct{})
	go s.loop()
	return nil
}

func (s *Sampler) loop() {
	defer close(s.done)
	t := time.NewTicker(s.interval)
	defer t.Stop()
	for {
		select {
		case <-s.quit:
			return
		case now := <-t.C:
			s.sample(now)
		}
	}
}

// Stop ends the sampling goroutine, takes a last sample and returns the
// summary. A second Stop returns the same summary.
func (s *Sampler) Stop() (*result.Telemetry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch s.state {
	case 0:
		return nil, fmt.Errorf("cuda sampler: stop before start: %w", ErrSamplerState)
	case 2:
		return s.summary, nil
	}
	close(s.quit)
	<-s.done
	s.sample(time.Now())
	s.state = 2
	s.summary = s.summarize()
	return s.summary, nil
}

func (s *Sampler) sample(now time.Time) {
	if s.rounds == 0 {
		s.first = now
	}
	s.last = now
	s.rounds++
	for _, d := range s.devs {
		d.sample(now)
	}
	s.host.sample(now, s.procDir)
}

func (s *Sampler) summarize() *result.Telemetry {
	t := &result.Telemetry{
		IntervalNS: s.interval.Nanoseconds(),
		DurationNS: s.last.Sub(s.first).Nanoseconds(),
		Samples:    s.rounds,
		Host: result.HostTelemetry{
			CPUs:          runtime.NumCPU(),
			ProcessCPUPct: s.host.proc.stat(),
			SystemCPUPct:  s.host.sys.stat(),
		},
	}
	allEnergy := len(s.devs) > 0
	for _, d := range s.devs {
		dt := d.summary()
		if dt.EnergySource == "" {
			allEnergy = false
		}
		t.EnergyJ += dt.EnergyJ
		t.Devices = append(t.Devices, dt)
	}
	if !allEnergy {
		t.EnergyJ = 0
	}
	return t
}

// acc accumulates a mean and a maximum.
type acc struct {
	sum, max float64
	n        int
}

func (a *acc) add(v float64) {
	if a.n == 0 || v > a.max {
		a.max = v
	}
	a.sum += v
	a.n++
}

func (a *acc) stat() *result.Stat {
	if a.n == 0 {
		return nil
	}
	return &result.Stat{Mean: a.sum / float64(a.n), Max: a.max}
}

// devAcc is one device's running totals.
type devAcc struct {
	id, uuid string
	h        nvml.Device
	off      map[string]bool // metrics the device does not report

	util, memUtil, power, sm, memUsed acc

	energyFirst, energyLast uint64
	energyN                 int
	powerJ                  float64 // power integrated over time
	lastPowerW              float64
	lastPowerT              time.Time
	throttle                map[string]int
}

// ok records a metric's return code; a metric the device does not support is
// not asked for again.
func (d *devAcc) ok(metric string, ret nvml.Return) bool {
	switch ret {
	case nvml.SUCCESS:
		return true
	case nvml.ERROR_NOT_SUPPORTED, nvml.ERROR_FUNCTION_NOT_FOUND, nvml.ERROR_NO_PERMISSION:
		d.off[metric] = true
	}
	return false
}

func (d *devAcc) sample(now time.Time) {
	if !d.off["util"] {
		if u, ret := d.h.GetUtilizationRates(); d.ok("util", ret) {
			d.util.add(float64(u.Gpu))
			d.memUtil.add(float64(u.Memory))
		}
	}
	if !d.off["power"] {
		if mw, ret := d.h.GetPowerUsage(); d.ok("power", ret) {
			w := float64(mw) / 1000
			d.power.add(w)
			if !d.lastPowerT.IsZero() {
				d.powerJ += (w + d.lastPowerW) / 2 * now.Sub(d.lastPowerT).Seconds()
			}
			d.lastPowerW, d.lastPowerT = w, now
		}
	}
	if !d.off["energy"] {
		if mj, ret := d.h.GetTotalEnergyConsumption(); d.ok("energy", ret) {
			if d.energyN == 0 {
				d.energyFirst = mj
			}
			d.energyLast = mj
			d.energyN++
		}
	}
	if !d.off["sm"] {
		if mhz, ret := d.h.GetClockInfo(nvml.CLOCK_SM); d.ok("sm", ret) {
			d.sm.add(float64(mhz))
		}
	}
	if !d.off["mem"] {
		if m, ret := d.h.GetMemoryInfo(); d.ok("mem", ret) {
			d.memUsed.add(float64(m.Used))
		}
	}
	if !d.off["throttle"] {
		if r, ret := d.h.GetCurrentClocksEventReasons(); d.ok("throttle", ret) {
			for _, name := range throttleNames(r) {
				if d.throttle == nil {
					d.throttle = map[string]int{}
				}
				d.throttle[name]++
			}
		}
	}
}

func (d *devAcc) summary() result.DeviceTelemetry {
	t := result.DeviceTelemetry{
		ID:                   d.id,
		UUID:                 d.uuid,
		UtilizationPct:       d.util.stat(),
		MemoryUtilizationPct: d.memUtil.stat(),
		PowerW:               d.power.stat(),
		SMClockMHz:           d.sm.stat(),
		MemoryUsedB:          d.memUsed.stat(),
		ThrottleReasons:      d.throttle,
	}
	switch {
	case d.energyN >= 2 && d.energyLast >= d.energyFirst:
		t.EnergyJ, t.EnergySource = float64(d.energyLast-d.energyFirst)/1000, "counter"
	case d.power.n >= 2:
		t.EnergyJ, t.EnergySource = d.powerJ, "power"
	}
	return t
}

// throttleReasons names the clock event reasons gotrt reports; idling and
// "none" are not throttling.
var throttleReasons = map[uint64]string{
	nvml.ClocksEventReasonApplicationsClocksSetting: "applications_clocks",
	nvml.ClocksEventReasonSwPowerCap:                "sw_power_cap",
	nvml.ClocksThrottleReasonHwSlowdown:             "hw_slowdown",
	nvml.ClocksEventReasonSyncBoost:                 "sync_boost",
	nvml.ClocksEventReasonSwThermalSlowdown:         "sw_thermal",
	nvml.ClocksThrottleReasonHwThermalSlowdown:      "hw_thermal",
	nvml.ClocksThrottleReasonHwPowerBrakeSlowdown:   "hw_power_brake",
	nvml.ClocksEventReasonDisplayClockSetting:       "display_clock",
}

func throttleNames(bits uint64) []string {
	var out []string
	for bit, name := range throttleReasons {
		if bits&bit != 0 {
			out = append(out, name)
		}
	}
	sort.Strings(out)
	return out
}

// hostAcc follows this process's CPU time (getrusage) and the system's
// (/proc/stat) between samples.
type hostAcc struct {
	proc, sys acc

	n                 int
	lastT             time.Time
	lastProc          time.Duration
	lastBusy, lastTot uint64
	sysOK             bool
}

func (h *hostAcc) sample(now time.Time, procDir string) {
	procCPU, procErr := processCPU()
	busy, total, sysErr := systemCPU(filepath.Join(procDir, "stat"))
	if h.n > 0 {
		if dt := now.Sub(h.lastT); dt > 0 && procErr == nil {
			pct := 100 * float64(procCPU-h.lastProc) / (float64(dt) * float64(runtime.NumCPU()))
			h.proc.add(math.Max(0, math.Min(100, pct)))
		}
		if sysErr == nil && h.sysOK && total > h.lastTot {
			h.sys.add(100 * float64(busy-h.lastBusy) / float64(total-h.lastTot))
		}
	}
	h.n++
	h.lastT, h.lastProc = now, procCPU
	h.lastBusy, h.lastTot, h.sysOK = busy, total, sysErr == nil
}

// processCPU is the user plus system CPU time of this process so far.
func processCPU() (time.Duration, error) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, err
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano()), nil
}

// systemCPU reads the aggregate "cpu" line of /proc/stat: busy and total
// ticks, busy being all but idle and iowait.
func systemCPU(path string) (busy, total uint64, err error) {
	f, err := os.Open(path)
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fields := strings.Fields(sc.Text())
		if len(fields) < 5 || fields[0] != "cpu" {
			continue
		}
		var idle uint64
		// user nice system idle iowait irq softirq steal (guest time is
		// already counted in user and nice).
		for i, f := range fields[1:min(len(fields), 9)] {
			v, err := strconv.ParseUint(f, 10, 64)
			if err != nil {
				return 0, 0, fmt.Errorf("%s: bad cpu line: %w", path, err)
			}
			total += v
			if i == 3 || i == 4 {
				idle += v
			}
		}
		return total - idle, total, nil
	}
	return 0, 0, fmt.Errorf("%s: no cpu line", path)
}
