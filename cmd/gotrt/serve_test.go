package main

import (
	"bytes"
	"context"
	"net"
	"os"
	"runtime"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/gotrt/gotrt/runner"
)

func freePort(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	a := l.Addr().String()
	require.NoError(t, l.Close())
	return a
}

func TestServeThenRunAgainstItThenDrain(t *testing.T) {
	grpcAddr := freePort(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	root := &cobra.Command{Use: "gotrt", SilenceUsage: true, SilenceErrors: true}
	root.AddCommand(newServeCmd())
	var out bytes.Buffer
	root.SetOut(&out)
	root.SetErr(&out)
	root.SetArgs([]string{"serve", "--http", "off", "--metrics", "off", "--grpc", grpcAddr})
	done := make(chan error, 1)
	go func() { done <- root.ExecuteContext(ctx) }()
	require.Eventually(t, func() bool {
		c, err := net.Dial("tcp", grpcAddr)
		if err == nil {
			_ = c.Close()
		}
		return err == nil
	}, 30*time.Second, 10*time.Millisecond, "gotrt serve listens")

	dir := t.TempDir()
	// A query of 5500 samples expected at 1M/s, where loopback does ~35k/s:
	// a busy machine only makes the run longer, never INVALID.
	stdout, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--sut", "kserve://"+grpcAddr, "--out", dir, "--progress", "off",
		"--no-probe", "--user-conf", userConf(t, "*.Offline.target_qps = 1000000\n*.*.min_duration = 5\n"))
	require.NoError(t, err)
	assert.Contains(t, stdout, "SUT name : kserve://"+grpcAddr)
	assert.Contains(t, stdout, "Result is : VALID")
	r := readResult(t, dir)
	require.NotNil(t, r.Remote)
	require.Len(t, r.Remote.Endpoints, 1)
	assert.Positive(t, r.Remote.Endpoints[0].Samples)

	// SIGTERM drains, then the command returns nil: exit status 0.
	require.NoError(t, syscall.Kill(os.Getpid(), syscall.SIGTERM))
	require.NoError(t, <-done)
	assert.Contains(t, out.String(), "gotrt serve: draining")
	assert.Contains(t, out.String(), "gotrt serve: stopped after")
}

func TestServeBadFlagsAreUsageErrors(t *testing.T) {
	for _, args := range [][]string{
		{"serve", "--devices", "0,1"},
		{"serve", "--precision", "int4"},
		{"serve", "extra"},
	} {
		_, _, err := execCmd(t, newServeCmd(), args...)
		assert.Equal(t, exitUsage, exitCode(err), "%v: %v", args, err)
	}
}

// Out-of-range flags stop serve with exit 2, naming the flag and its
// range, before any device or listener opens.
func TestServeFlagRangesAreCheckedFirst(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--streams", "100000"}, "--streams 100000: want 0 (the device's own count) to 64"},
		{[]string{"--streams", "-1"}, "--streams -1: want 0"},
		{[]string{"--max-batch", "0"}, "--max-batch 0: want 1 to 65536"},
		{[]string{"--max-batch", "100000000"}, "--max-batch 100000000: want 1 to"},
		{[]string{"--max-batch", "5000", "--devices", "cpu"}, "--max-batch 5000: want 1 to 4096 on the CPU"},
		{[]string{"--batch-timeout", "-1ms"}, "--batch-timeout -1ms: want 0 to 1m0s"},
		{[]string{"--batch-timeout", "2h"}, "--batch-timeout 2h0m0s: want 0 to 1m0s"},
		{[]string{"--max-request-batch", "0"}, "--max-request-batch 0: want 1 to 4096"},
		{[]string{"--max-request-batch", "1000000"}, "--max-request-batch 1000000: want 1 to 4096"},
		{[]string{"--drain-timeout", "-1s"}, "--drain-timeout -1s: want 0 to 24h0m0s"},
		{[]string{"--http", "off", "--grpc", "off", "--metrics", "off"}, "--http and --grpc are both off"},
		{[]string{"--http", "off", "--grpc", "off"}, "--http and --grpc are both off"},
		{[]string{"--http", "localhost"}, `--http "localhost": want HOST:PORT`},
		{[]string{"--grpc", "127.0.0.1:99999"}, `--grpc "127.0.0.1:99999": want HOST:PORT`},
		{[]string{"--metrics", "127.0.0.1:-1"}, `--metrics "127.0.0.1:-1": want HOST:PORT`},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, _, err := execCmd(t, newServeCmd(), append([]string{"serve"}, tc.args...)...)
			assert.Equal(t, exitUsage, exitCode(err), "%v", err)
			require.Error(t, err)
			assert.Contains(t, err.Error(), tc.want)
		})
	}
	// A CPU device has as many streams as its cores.
	_, _, err := execCmd(t, newServeCmd(), "serve", "--devices", "cpu:1", "--streams", strconv.Itoa(runtime.NumCPU()+1), "--http", "off", "--metrics", "off", "--grpc", "127.0.0.1:0")
	if runtime.NumCPU()+1 <= maxServeStreams {
		assert.Equal(t, exitUsage, exitCode(err), "%v", err)
		assert.ErrorContains(t, err, "the streams of device")
	}
}

func TestServeListenLineSaysEveryInterface(t *testing.T) {
	for _, tc := range []struct {
		asked, bound, shown string
		every               bool
	}{
		{"0.0.0.0:8000", "[::]:8000", "0.0.0.0:8000", true},
		{"0.0.0.0:0", "[::]:41234", "0.0.0.0:41234", true},
		{"[::]:8001", "[::]:8001", "[::]:8001", true},
		{":8002", "[::]:8002", ":8002", true},
		{"127.0.0.1:0", "127.0.0.1:5555", "127.0.0.1:5555", false},
		{"localhost:8000", "127.0.0.1:8000", "localhost:8000", false},
	} {
		shown, every := listenLine(tc.asked, tc.bound)
		assert.Equal(t, tc.shown, shown, tc.asked)
		assert.Equal(t, tc.every, every, tc.asked)
	}
}

// serve gives the scheduler the batch timeout as asked, 0 as no wait (not
// the scheduler's default), and 2 ms by default; the model configuration
// shows it.
func TestServePassesTheBatchTimeoutThrough(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want uint64 // µs
	}{
		{nil, 2000},
		{[]string{"--batch-timeout", "0"}, 0},
		{[]string{"--batch-timeout", "300us"}, 300},
	} {
		cmd := newServeCmd()
		f := &serveFlags{}
		require.NoError(t, cmd.ParseFlags(tc.args))
		fl := cmd.Flags()
		f.http, _ = fl.GetString("http")
		f.grpc, _ = fl.GetString("grpc")
		f.metrics, _ = fl.GetString("metrics")
		f.devices = "cpu:1"
		f.maxBatch, _ = fl.GetInt("max-batch")
		f.requestBatch, _ = fl.GetInt("max-request-batch")
		f.batchTimeout, _ = fl.GetDuration("batch-timeout")
		f.drain, _ = fl.GetDuration("drain-timeout")
		srv, closeDevs, err := f.build()
		require.NoError(t, err)
		assert.Equal(t, tc.want, srv.ModelConfig().GetDynamicBatching().GetMaxQueueDelayMicroseconds(), "%v", tc.args)
		if tc.want == 0 {
			assert.Equal(t, noWait, f.config().Sched.BatchTimeout, "0 reaches the scheduler as no wait")
		}
		require.NoError(t, srv.Close())
		require.NoError(t, closeDevs())
	}
}

func TestRunRemoteUnreachableFailsBeforeTheRun(t *testing.T) {
	_, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--sut", "kserve://"+freePort(t), "--out", t.TempDir(), "--progress", "off")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreachable")
	_, _, err = execCmd(t, newRunCmd(runner.Run), "run", "--sut", "kserve://a:1/x", "--out", t.TempDir(), "--progress", "off")
	assert.Equal(t, exitUsage, exitCode(err))
}
