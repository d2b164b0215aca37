package serve

import (
	"bufio"
	"context"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"

	"github.com/gotrt/gotrt/models/builtin"
)

// TestShutdownAnswersConnectionsInTheBacklog: connections the kernel
// accepted (the client's connect returned and it sent its request) but
// Serve did not Accept yet are answered by a drain, not reset (issue 19).
func TestShutdownAnswersConnectionsInTheBacklog(t *testing.T) {
	m, err := builtin.Default()
	require.NoError(t, err)
	devs, err := builtin.SplitCPU(1, m, builtin.INT8)
	require.NoError(t, err)
	srv, err := New(BuiltinModel(devs), Config{HTTP: "127.0.0.1:0", GRPC: Off, Metrics: Off,
		DrainQuiet: 20 * time.Millisecond})
	require.NoError(t, err)
	srv.cfg.Sched.NoWarmup = true
	srv.acceptGate = make(chan struct{}) // Serve accepts nothing until the drain
	require.NoError(t, srv.Start())
	t.Cleanup(func() { _ = srv.Close() })

	const n = 16
	conns := make([]net.Conn, n)
	for i := range conns {
		c, err := net.DialTimeout("tcp", srv.Addr("http"), 5*time.Second)
		require.NoError(t, err)
		t.Cleanup(func() { _ = c.Close() })
		_, err = c.Write([]byte("GET /v2/health/live HTTP/1.1\r\nHost: x\r\n\r\n"))
		require.NoError(t, err)
		conns[i] = c
	}
	waitBacklog(t, srv.httpLis.Listener, n)
	assert.Zero(t, srv.httpBusy(), "the gate let a connection through before the drain")

	done := make(chan error, 1)
	go func() { done <- srv.Shutdown(context.Background()) }()
	for i, c := range conns {
		require.NoError(t, c.SetReadDeadline(time.Now().Add(10*time.Second)))
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if !assert.NoError(t, err, "connection %d of %d", i, n) {
			continue
		}
		_ = resp.Body.Close()
		assert.Equal(t, http.StatusOK, resp.StatusCode, "connection %d", i)
		assert.True(t, resp.Close, "connection %d: want Connection: close", i)
	}
	assert.NoError(t, <-done)
}

// TestDrainListenerCloseDropsWhatIsLeft: a Close before Accept took the
// drained connections closes them; Accept then reports the close.
func TestDrainListenerCloseDropsWhatIsLeft(t *testing.T) {
	inner, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	l := newDrainListener(inner)
	c, err := net.Dial("tcp", inner.Addr().String())
	require.NoError(t, err)
	defer c.Close()
	waitBacklog(t, inner, 1)
	require.NoError(t, l.drain())
	assert.Len(t, l.queue, 1)
	require.NoError(t, l.Close(), "a close after the drain is no error")
	_, err = l.Accept()
	assert.ErrorIs(t, err, net.ErrClosed)
	require.NoError(t, c.SetReadDeadline(time.Now().Add(5*time.Second)))
	_, err = c.Read(make([]byte, 1))
	assert.Error(t, err, "the dropped connection is closed")
}

// waitBacklog waits until l's accept queue holds n connections: a
// client's connect returns before the kernel queues its connection.
func waitBacklog(t *testing.T, l net.Listener, n int) {
	t.Helper()
	rc, err := l.(*net.TCPListener).SyscallConn()
	require.NoError(t, err)
	var queued uint32
	for range 500 {
		var gerr error
		require.NoError(t, rc.Control(func(fd uintptr) {
			var info *unix.TCPInfo
			// On a listening socket the kernel reports its accept
			// queue's length as tcpi_unacked.
			info, gerr = unix.GetsockoptTCPInfo(int(fd), unix.IPPROTO_TCP, unix.TCP_INFO)
			if gerr == nil {
				queued = info.Unacked
			}
		}))
		require.NoError(t, gerr)
		if queued >= uint32(n) {
			return
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatalf("accept queue holds %d connections, want %d", queued, n)
}
