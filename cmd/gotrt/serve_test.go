package main

import (
	"bytes"
	"context"
	"net"
	"os"
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
		{"serve", "--max-batch", "0"},
		{"serve", "--precision", "int4"},
		{"serve", "extra"},
	} {
		_, _, err := execCmd(t, newServeCmd(), args...)
		assert.Equal(t, exitUsage, exitCode(err), "%v: %v", args, err)
	}
}

func TestRunRemoteUnreachableFailsBeforeTheRun(t *testing.T) {
	_, _, err := execCmd(t, newRunCmd(runner.Run), "run", "--sut", "kserve://"+freePort(t), "--out", t.TempDir(), "--progress", "off")
	require.Error(t, err)
	assert.Contains(t, err.Error(), "unreachable")
	_, _, err = execCmd(t, newRunCmd(runner.Run), "run", "--sut", "kserve://a:1/x", "--out", t.TempDir(), "--progress", "off")
	assert.Equal(t, exitUsage, exitCode(err))
}
