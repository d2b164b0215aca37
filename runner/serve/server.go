package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/keepalive"
	"google.golang.org/grpc/reflection"

	"github.com/gotrt/gotrt/runner/clock"
	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/kserve/inferencepb"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/sched"
)

// Triton's default listen addresses, on the loopback interface: a server
// is reachable from elsewhere only when told so.
const (
	DefaultHTTP    = "127.0.0.1:8000"
	DefaultGRPC    = "127.0.0.1:8001"
	DefaultMetrics = "127.0.0.1:8002"
)

// Defaults of [Config].
const (
	DefaultMaxRequestBatch = 256
	DefaultSlots           = 4096
	DefaultStreamInflight  = 256
	DefaultReadTimeout     = 30 * time.Second
	DefaultIdleTimeout     = 2 * time.Minute
	DefaultDrainTimeout    = 30 * time.Second
	DefaultDrainQuiet      = 100 * time.Millisecond
)

// Off, as a listen address, disables that listener.
const Off = "off"

// Config holds a server's addresses, limits and scheduler knobs. The zero
// value listens on Triton's ports on 127.0.0.1 with the defaults above.
type Config struct {
	// HTTP, GRPC and Metrics are listen addresses ("" the default, Off for
	// none); port 0 picks a free port, see [Server.Addr].
	HTTP, GRPC, Metrics string
	// Sched holds the scheduler's knobs (the dynamic batcher).
	Sched sched.Config
	// Clock is the scheduler's clock (nil: [clock.NewReal]); devices that
	// compute on the server's own cores want one whose waits park while
	// every lane computes, [clock.NewRealSharingCores]
	// (runner.BuiltinDevices.Clock says which).
	Clock clock.Clock
	// MaxRequestBatch is the most samples one request may carry.
	MaxRequestBatch int
	// Slots is the most samples in flight across all requests; a request
	// waits for room, within its deadline.
	Slots int
	// MaxRequestBytes bounds a request message (gRPC) or body (HTTP);
	// default: room for MaxRequestBatch samples written as JSON numbers
	// (the largest encoding), see [RequestBytesFor].
	MaxRequestBytes int
	// MaxShmRegions and MaxShmBytes bound the system shared memory regions
	// clients may register: how many, and their bytes in all (defaults
	// DefaultShmRegions, DefaultShmBytes).
	MaxShmRegions int
	MaxShmBytes   int64
	// StreamInflight is the most requests one stream has in flight; the
	// stream reads no more until one is answered.
	StreamInflight int
	// ReadTimeout bounds reading a request's headers and body, and a gRPC
	// connection's handshake: a slow client is dropped (default 30 s).
	// WriteTimeout bounds an HTTP request from the end of its headers to the
	// end of the answer (default: ReadTimeout plus a minute). IdleTimeout
	// closes idle connections (default 2 min).
	ReadTimeout, WriteTimeout, IdleTimeout time.Duration
	// DrainTimeout bounds [Server.Shutdown] when its context has no
	// deadline (default 30 s). DrainQuiet is how long a drain waits with
	// no HTTP request in progress before it closes idle keep-alive
	// connections (default 100 ms): a client between two requests sends
	// its next on its open connection in that time and has it answered
	// (with "Connection: close") instead of racing the close.
	DrainTimeout, DrainQuiet time.Duration
	// Version is reported by server metadata.
	Version string
	// GPU, when set, gives the GPUs' current readings for /metrics.
	GPU func() []GPUReading
	// Log receives a line per listener and per error; nil discards.
	Log io.Writer
}

// GPUReading is one GPU's current utilisation, power and memory, for the
// nv_gpu_* metrics.
type GPUReading struct {
	UUID           string
	UtilizationPct float64
	PowerW         float64
	MemoryUsedB    float64
	MemoryTotalB   float64
}

func (c *Config) defaults(in Tensor) {
	c.HTTP = cmpStr(c.HTTP, DefaultHTTP)
	c.GRPC = cmpStr(c.GRPC, DefaultGRPC)
	c.Metrics = cmpStr(c.Metrics, DefaultMetrics)
	c.MaxRequestBatch = cmpInt(c.MaxRequestBatch, DefaultMaxRequestBatch)
	c.Slots = cmpInt(c.Slots, max(DefaultSlots, c.MaxRequestBatch))
	c.MaxRequestBytes = cmpInt(c.MaxRequestBytes, RequestBytesFor(in, c.MaxRequestBatch))
	c.MaxShmRegions = cmpInt(c.MaxShmRegions, DefaultShmRegions)
	if c.MaxShmBytes == 0 {
		c.MaxShmBytes = DefaultShmBytes
	}
	c.StreamInflight = cmpInt(c.StreamInflight, DefaultStreamInflight)
	if c.ReadTimeout == 0 {
		c.ReadTimeout = DefaultReadTimeout
	}
	if c.WriteTimeout == 0 {
		c.WriteTimeout = c.ReadTimeout + time.Minute
	}
	if c.IdleTimeout == 0 {
		c.IdleTimeout = DefaultIdleTimeout
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = DefaultDrainTimeout
	}
	if c.DrainQuiet == 0 {
		c.DrainQuiet = DefaultDrainQuiet
	}
	c.Version = cmpStr(c.Version, "dev")
}

// RequestBytesFor is the default body limit for requests of up to batch
// samples of input t: the samples written as JSON numbers with room for
// separators, spaces and nesting (8 bytes an element of 1 or 2 bytes, 32
// for wider ones: "255, " and "-1.2345678e-30, " fit), plus 64 KiB for the
// rest of the request. A binary or gRPC request is smaller.
func RequestBytesFor(t Tensor, batch int) int {
	size := DatatypeSize(t.Datatype)
	if size == 0 {
		return 64 << 10
	}
	per := 8
	if size > 2 {
		per = 32
	}
	return batch*(t.Bytes()/size)*per + 64<<10
}

func cmpStr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

func cmpInt(v, def int) int {
	if v == 0 {
		return def
	}
	return v
}

// ErrConfig wraps a bad Config or Model.
var ErrConfig = errors.New("serve: bad config")

// Server serves one model over the KServe v2 protocol, on gRPC and HTTP,
// with Prometheus metrics, over gotrt's scheduler and the model's devices.
// Use it as New, Start, then Shutdown (drains) or Close (does not). A
// Server is not reused.
type Server struct {
	cfg Config
	m   Model
	s   *sched.Scheduler
	e   *engine

	batches batchStats
	shm     shmRegistry

	// The start of every HTTP answer's JSON, written once.
	jsonOnce          sync.Once
	jsonHead, jsonOut []byte
	inputWhat         string // "input NAME", for errors

	grpcSrv *grpc.Server
	httpSrv *http.Server
	metSrv  *http.Server
	lis     [3]net.Listener // http, grpc, metrics
	// httpLis wraps lis[0], so a drain answers the connections in its
	// backlog; httpDone is closed when its Serve returns. acceptGate, set
	// by a test, holds its Accept back until closed or the drain.
	httpLis    *drainListener
	httpDone   chan struct{}
	acceptGate chan struct{}

	// HTTP connections by state, to drain: a connection is busy while new
	// or active.
	connMu sync.Mutex
	conns  map[net.Conn]http.ConnState

	ready    atomic.Bool
	draining chan struct{}
	drainOne sync.Once
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	errMu    sync.Mutex
	serveErr error
	closeErr error
	closed   sync.Once
}

// New checks m and cfg and builds the scheduler over m's devices; nothing
// listens or runs until Start.
func New(m Model, cfg Config) (*Server, error) {
	if err := m.validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrConfig, err)
	}
	cfg.defaults(m.Input)
	switch {
	case cfg.MaxRequestBatch < 1 || cfg.Slots < cfg.MaxRequestBatch:
		return nil, fmt.Errorf("%w: max request batch %d, slots %d: want 1 ≤ batch ≤ slots", ErrConfig, cfg.MaxRequestBatch, cfg.Slots)
	case cfg.MaxRequestBytes < m.Input.Bytes():
		return nil, fmt.Errorf("%w: max request bytes %d below one sample (%d)", ErrConfig, cfg.MaxRequestBytes, m.Input.Bytes())
	case cfg.MaxShmRegions < 0 || cfg.MaxShmBytes < 0:
		return nil, fmt.Errorf("%w: shared memory limits %d regions, %d bytes", ErrConfig, cfg.MaxShmRegions, cfg.MaxShmBytes)
	case cfg.StreamInflight < 1:
		return nil, fmt.Errorf("%w: stream in-flight %d", ErrConfig, cfg.StreamInflight)
	case cfg.ReadTimeout < 0 || cfg.WriteTimeout < 0 || cfg.IdleTimeout < 0 || cfg.DrainTimeout < 0 || cfg.DrainQuiet < 0:
		return nil, fmt.Errorf("%w: negative timeout", ErrConfig)
	}
	srv := &Server{cfg: cfg, m: m, draining: make(chan struct{}), inputWhat: "input " + m.Input.Name}
	srv.shm.maxRegions, srv.shm.maxBytes = cfg.MaxShmRegions, uint64(cfg.MaxShmBytes)
	// The engine is the scheduler's sample source and its completer.
	srv.e = newEngine(&srv.m, nil, cfg.Slots)
	// The scheduler runs the devices wrapped, so each batch is timed for
	// the statistics extension.
	devs := make([]device.Device, len(m.Devices))
	for i, d := range m.Devices {
		devs[i] = timedDevice{Device: d, st: &srv.batches}
	}
	var sopts []sched.Option
	if cfg.Clock != nil {
		sopts = append(sopts, sched.WithClock(cfg.Clock))
	}
	s, err := sched.New(devs, srv.e, cfg.Sched, sopts...)
	if err != nil {
		return nil, err
	}
	srv.s, srv.e.s = s, s
	return srv, nil
}

// SetGPU sets Config.GPU, the GPU readings /metrics shows; call it before
// Start.
func (srv *Server) SetGPU(read func() []GPUReading) { srv.cfg.GPU = read }

// Model is the served model.
func (srv *Server) Model() Model { return srv.m }

// Start opens the devices (warming them up), binds the listeners and serves
// until Shutdown or Close. It returns once the server is ready.
func (srv *Server) Start() error {
	ctx, cancel := context.WithCancel(context.Background())
	srv.cancel = cancel
	if err := srv.s.Start(ctx); err != nil {
		cancel()
		return err
	}
	srv.batches.counting.Store(true) // warm-up is over
	addrs := [3]string{srv.cfg.HTTP, srv.cfg.GRPC, srv.cfg.Metrics}
	for i, a := range addrs {
		if a == Off {
			continue
		}
		l, err := net.Listen("tcp", a)
		if err != nil {
			return errors.Join(fmt.Errorf("serve: listen %s: %w", a, err), srv.Close())
		}
		if i == 0 {
			srv.httpLis = newDrainListener(l)
			srv.httpLis.gate = srv.acceptGate
			l = srv.httpLis
		}
		srv.lis[i] = l
	}
	srv.grpcSrv = grpc.NewServer(
		grpc.MaxRecvMsgSize(srv.cfg.MaxRequestBytes),
		grpc.ConnectionTimeout(srv.cfg.ReadTimeout),
		grpc.MaxConcurrentStreams(1024),
		grpc.KeepaliveParams(keepalive.ServerParameters{MaxConnectionIdle: srv.cfg.IdleTimeout}),
		grpc.KeepaliveEnforcementPolicy(keepalive.EnforcementPolicy{MinTime: 5 * time.Second, PermitWithoutStream: true}),
	)
	inferencepb.RegisterGRPCInferenceServiceServer(srv.grpcSrv, &grpcService{srv: srv})
	reflection.Register(srv.grpcSrv)
	srv.httpSrv = srv.newHTTP(srv.closeWhenDraining(srv.httpHandler()))
	srv.httpSrv.ConnState = srv.trackConn
	srv.metSrv = srv.newHTTP(srv.metricsHandler())
	srv.ready.Store(true)
	srv.httpDone = make(chan struct{})
	if l := srv.lis[0]; l != nil {
		srv.goServe("http", func() error { defer close(srv.httpDone); return srv.httpSrv.Serve(l) })
	} else {
		close(srv.httpDone)
	}
	if l := srv.lis[1]; l != nil {
		srv.goServe("grpc", func() error { return srv.grpcSrv.Serve(l) })
	}
	if l := srv.lis[2]; l != nil {
		srv.goServe("metrics", func() error { return srv.metSrv.Serve(l) })
	}
	return nil
}

func (srv *Server) newHTTP(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: srv.cfg.ReadTimeout,
		ReadTimeout:       srv.cfg.ReadTimeout,
		WriteTimeout:      srv.cfg.WriteTimeout,
		IdleTimeout:       srv.cfg.IdleTimeout,
		MaxHeaderBytes:    64 << 10,
	}
}

// closeWhenDraining answers with "Connection: close" once the server
// drains, so that a client's next request goes elsewhere instead of
// racing the connection's close.
func (srv *Server) closeWhenDraining(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.ServeHTTP(&drainWriter{ResponseWriter: w, draining: srv.draining}, r)
	})
}

// drainWriter adds "Connection: close" to an answer written while the
// server drains.
type drainWriter struct {
	http.ResponseWriter
	draining <-chan struct{}
	wrote    bool
}

func (w *drainWriter) WriteHeader(code int) {
	if !w.wrote {
		w.wrote = true
		select {
		case <-w.draining:
			w.Header().Set("Connection", "close")
		default:
		}
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *drainWriter) Write(b []byte) (int, error) {
	if !w.wrote {
		w.WriteHeader(http.StatusOK)
	}
	return w.ResponseWriter.Write(b)
}

func (srv *Server) trackConn(c net.Conn, st http.ConnState) {
	srv.connMu.Lock()
	defer srv.connMu.Unlock()
	if srv.conns == nil {
		srv.conns = map[net.Conn]http.ConnState{}
	}
	switch st {
	case http.StateClosed, http.StateHijacked:
		delete(srv.conns, c)
	default:
		srv.conns[c] = st
	}
}

// httpBusy counts the HTTP connections that are new or active.
func (srv *Server) httpBusy() int {
	srv.connMu.Lock()
	defer srv.connMu.Unlock()
	n := 0
	for _, st := range srv.conns {
		if st == http.StateNew || st == http.StateActive {
			n++
		}
	}
	return n
}

// waitHTTPQuiet waits until no HTTP connection has been busy for
// Config.DrainQuiet, or ctx ends.
func (srv *Server) waitHTTPQuiet(ctx context.Context) {
	t := time.NewTicker(5 * time.Millisecond)
	defer t.Stop()
	quietSince := time.Now()
	for {
		if srv.httpBusy() > 0 {
			quietSince = time.Now()
		} else if time.Since(quietSince) >= srv.cfg.DrainQuiet {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (srv *Server) goServe(name string, serve func() error) {
	srv.wg.Go(func() {
		err := serve()
		if err == nil || errors.Is(err, http.ErrServerClosed) || errors.Is(err, grpc.ErrServerStopped) {
			return
		}
		select {
		case <-srv.draining:
			return // the drain closed the listener
		default:
		}
		srv.errMu.Lock()
		if srv.serveErr == nil {
			srv.serveErr = fmt.Errorf("serve: %s: %w", name, err)
		}
		srv.errMu.Unlock()
	})
}

// Addr is the address a listener is bound to ("http", "grpc" or
// "metrics"), or "" when it is off or the server is not started.
func (srv *Server) Addr(name string) string {
	i := map[string]int{"http": 0, "grpc": 1, "metrics": 2}[name]
	if l := srv.lis[i]; l != nil {
		return l.Addr().String()
	}
	return ""
}

// Ready says whether the server takes inference requests: started, its
// devices running, and not draining.
func (srv *Server) Ready() bool { return srv.ready.Load() && srv.e.healthy() }

// Shutdown drains the server: it stops being ready, stops accepting
// connections and requests, lets every request in flight finish (streams
// answer what they took, then end with UNAVAILABLE), then stops the
// scheduler and the devices. If ctx ends first (or DrainTimeout passes when
// ctx has no deadline), the rest is cut off. It returns the first error a
// listener or device met.
func (srv *Server) Shutdown(ctx context.Context) error {
	if _, ok := ctx.Deadline(); !ok {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, srv.cfg.DrainTimeout)
		defer cancel()
	}
	srv.ready.Store(false)
	srv.drainOne.Do(func() { close(srv.draining) })
	var wg sync.WaitGroup
	var herr, derr error
	if srv.httpSrv != nil {
		wg.Go(func() {
			// Stop accepting, but take the connections already in the
			// backlog (their clients sent requests); once Serve handed
			// them all over it returns. Then answer what comes on open
			// connections (each answer closes its connection), then close
			// the idle ones.
			if l := srv.httpLis; l != nil {
				if err := l.drain(); err != nil {
					derr = fmt.Errorf("serve: http: drain backlog: %w", err)
				}
				select {
				case <-srv.httpDone:
				case <-ctx.Done():
				}
			}
			srv.waitHTTPQuiet(ctx)
			herr = srv.httpSrv.Shutdown(ctx)
		})
	}
	if srv.grpcSrv != nil {
		wg.Go(func() {
			done := make(chan struct{})
			go func() { srv.grpcSrv.GracefulStop(); close(done) }()
			select {
			case <-done:
			case <-ctx.Done():
				srv.grpcSrv.Stop()
				<-done
			}
		})
	}
	wg.Wait()
	return errors.Join(derr, herr, srv.Close())
}

// Close stops everything at once: connections are cut and requests in
// flight fail. It returns the first error a listener or device met; a
// second call returns the same.
func (srv *Server) Close() error {
	srv.closed.Do(func() {
		srv.ready.Store(false)
		srv.drainOne.Do(func() { close(srv.draining) })
		if srv.grpcSrv != nil {
			srv.grpcSrv.Stop()
		}
		var errs []error
		for _, h := range []*http.Server{srv.httpSrv, srv.metSrv} {
			if h != nil {
				errs = append(errs, h.Close())
			}
		}
		for _, l := range srv.lis {
			if l != nil {
				_ = l.Close() // already closed by Serve's owner, or never served
			}
		}
		srv.e.close()
		errs = append(errs, srv.s.Close())
		// Requests still holding a region unmap it when they end.
		errs = append(errs, srv.shm.close())
		// Samples the scheduler dropped will never be answered: release
		// whoever still waits for them.
		srv.e.abort(fmt.Errorf("%w: server closed", ErrUnavailable))
		if srv.cancel != nil {
			srv.cancel()
		}
		srv.wg.Wait()
		srv.errMu.Lock()
		errs = append(errs, srv.serveErr)
		srv.errMu.Unlock()
		srv.closeErr = errors.Join(errs...)
	})
	return srv.closeErr
}

// Pending is the number of requests whose samples are in the scheduler.
func (srv *Server) Pending() int { return int(srv.e.pending.Load()) }

// Stats are the scheduler's statistics so far.
func (srv *Server) Stats() result.Scheduler { return srv.s.Stats() }

// drainListener is a listener that, on drain, hands over the connections
// waiting in the kernel's backlog instead of letting the close reset them:
// their clients' connect() returned and they may have sent their request,
// so the drain answers them like any other (issue 19).
type drainListener struct {
	net.Listener
	gate <-chan struct{} // a test's hold on Accept; nil lets it run

	draining chan struct{} // closed as the drain begins
	drained  chan struct{} // closed once the backlog is queued and the socket closed
	drainOne sync.Once

	mu     sync.Mutex
	queue  []net.Conn
	closed bool
}

func newDrainListener(l net.Listener) *drainListener {
	return &drainListener{Listener: l, draining: make(chan struct{}), drained: make(chan struct{})}
}

// Accept returns the next connection: from the socket, or once draining
// from the drained backlog; net.ErrClosed when both are done.
func (l *drainListener) Accept() (net.Conn, error) {
	if l.gate != nil {
		select {
		case <-l.gate:
		case <-l.draining:
		}
	}
	c, err := l.Listener.Accept()
	if err == nil {
		return c, nil
	}
	select {
	case <-l.draining:
	default:
		return nil, err
	}
	<-l.drained
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.queue) > 0 {
		c := l.queue[0]
		l.queue[0], l.queue = nil, l.queue[1:]
		return c, nil
	}
	return nil, err
}

// drain takes the backlog's connections into the queue Accept hands over,
// then closes the socket. A connection whose handshake ends between the
// two is still reset: the kernel has no way to stop a listening socket
// from completing handshakes short of closing it. It returns the error of
// the backlog's accept, if any.
func (l *drainListener) drain() error {
	var err error
	l.drainOne.Do(func() {
		close(l.draining)
		var conns []net.Conn
		if tl, ok := l.Listener.(*net.TCPListener); ok {
			conns, err = acceptBacklog(tl)
			if errors.Is(err, net.ErrClosed) {
				err = nil // Close came first: there is no backlog
			}
		}
		_ = l.Listener.Close() // unblocks an Accept waiting on the socket
		l.mu.Lock()
		if l.closed { // Close came first: no one takes them
			for _, c := range conns {
				_ = c.Close()
			}
		} else {
			l.queue = append(l.queue, conns...)
		}
		l.mu.Unlock()
		close(l.drained)
	})
	return err
}

// Close closes the socket and the drained connections Accept did not hand
// over yet. After a drain the socket is already closed: that is no error
// (http.Server.Shutdown closes its listeners again).
func (l *drainListener) Close() error {
	err := l.Listener.Close()
	l.mu.Lock()
	l.closed = true
	q := l.queue
	l.queue = nil
	l.mu.Unlock()
	for _, c := range q {
		_ = c.Close()
	}
	select {
	case <-l.draining:
		return nil
	default:
		return err
	}
}
