package kserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	"github.com/gotrt/gotrt/runner/device"
	"github.com/gotrt/gotrt/runner/kserve/inferencepb"
	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
	"github.com/gotrt/gotrt/runner/result"
	"github.com/gotrt/gotrt/runner/sut"
)

// Errors callers branch on.
var (
	// ErrURL wraps a malformed kserve:// address list.
	ErrURL = errors.New("kserve: bad address")
	// ErrUnreachable wraps an endpoint that did not answer before the run.
	ErrUnreachable = errors.New("kserve: endpoint unreachable")
	// ErrUnknownModel wraps a model an endpoint does not serve, or does not
	// have ready.
	ErrUnknownModel = errors.New("kserve: unknown model")
	// ErrModelMismatch wraps a model whose tensors do not fit the samples,
	// or endpoints that disagree about the model.
	ErrModelMismatch = errors.New("kserve: model does not fit")
	// ErrAllLost is reported when every endpoint failed during the run.
	ErrAllLost = errors.New("kserve: every endpoint failed")
	// ErrRequest wraps an answer that is not a transport failure (a request
	// the server refused, a malformed answer): the run cannot go on.
	ErrRequest = errors.New("kserve: request failed")
)

// Scheme is the prefix of a --sut value naming KServe v2 gRPC endpoints.
const Scheme = "kserve://"

// ParseURL reads "kserve://HOST:PORT[,HOST:PORT…][?stream=1&batch=N&concurrency=N]"
// into addresses and the [Options] the query sets. A host without a port
// gets Triton's gRPC port, 8001.
func ParseURL(s string) ([]string, Options, error) {
	var opt Options
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		return nil, opt, fmt.Errorf("%w: %q does not start with %s", ErrURL, s, Scheme)
	}
	rest, query, _ := strings.Cut(rest, "?")
	if query != "" {
		vals, err := url.ParseQuery(query)
		if err != nil {
			return nil, opt, fmt.Errorf("%w: %q: %w", ErrURL, s, err)
		}
		for k, v := range vals {
			val := v[len(v)-1]
			var err error
			switch k {
			case "stream":
				opt.Stream, err = strconv.ParseBool(val)
			case "batch":
				opt.MaxBatch, err = strconv.Atoi(val)
				if err == nil && (opt.MaxBatch < 1 || opt.MaxBatch > 4096) {
					err = errors.New("want 1 to 4096")
				}
			case "concurrency":
				opt.Concurrency, err = strconv.Atoi(val)
				if err == nil && (opt.Concurrency < 1 || opt.Concurrency > 1024) {
					err = errors.New("want 1 to 1024")
				}
			default:
				err = errors.New("unknown parameter (want stream, batch or concurrency)")
			}
			if err != nil {
				return nil, opt, fmt.Errorf("%w: %q: %s=%s: %w", ErrURL, s, k, val, err)
			}
		}
	}
	var out []string
	for _, a := range strings.Split(rest, ",") {
		a = strings.TrimSpace(a)
		if a == "" || strings.ContainsAny(a, "/?#@ ") {
			return nil, opt, fmt.Errorf("%w: %q: want kserve://HOST:PORT[,HOST:PORT…]", ErrURL, s)
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(strings.Trim(a, "[]"), "8001")
		}
		if slices.Contains(out, a) {
			return nil, opt, fmt.Errorf("%w: %q names %s twice", ErrURL, s, a)
		}
		out = append(out, a)
	}
	return out, opt, nil
}

// Options configure a [Client]. Zero fields take the defaults.
type Options struct {
	// Model is the model to run (default "gotrt-builtin").
	Model string
	// Stream sends requests over Triton's ModelStreamInfer instead of
	// unary ModelInfer calls.
	Stream bool
	// MaxBatch is the most samples per request (default 64): an Offline
	// query is cut into requests of MaxBatch samples, and Server queries
	// waiting for a free request slot go out together.
	MaxBatch int
	// Concurrency is the most requests in flight per endpoint (default 4,
	// or 8 when streaming).
	Concurrency int
	// DialTimeout bounds each endpoint's checks before the run (default
	// 5 s).
	DialTimeout time.Duration
	// SampleBytes, when set, is the size of a sample of the QSL; an
	// endpoint whose model input has another size is refused.
	SampleBytes int
}

// tensor is a model input or output as the endpoints describe it.
type tensor struct {
	name, datatype string
	shape          []int64 // without the batch dimension
}

func (t tensor) bytes() int {
	n := inferencepb.DatatypeSize(t.datatype)
	for _, d := range t.shape {
		if d <= 0 {
			return 0
		}
		n *= int(d)
	}
	return n
}

// entry is one queued sample and who hears of it.
type entry struct {
	id    uint64
	index int
	c     sut.Completer
}

// endpoint is one server and its statistics (under mu).
type endpoint struct {
	addr string
	conn *grpc.ClientConn
	cl   pb.GRPCInferenceServiceClient

	mu       sync.Mutex
	lost     bool
	err      error
	requests uint64
	samples  uint64
	requeued uint64
	strikes  int
	lat      []time.Duration
}

// Client is a [sut.SystemUnderTest] made of KServe v2 gRPC endpoints (gotrt
// serve, Triton, KServe): samples go into one shared queue, and each
// endpoint's workers take up to MaxBatch of them per request, so a faster
// endpoint takes more. Inputs are the QSL's bytes, outputs the servers' raw
// output bytes, so accuracy mode scores them as a local run's.
//
// Fault policy: a transport failure (the server died, the connection
// broke) puts the request's samples back at the head of the queue for
// another endpoint, and the endpoint leaves the run unless it still
// answers; a sample is completed only when its answer arrives, so none is
// lost or completed twice. When no endpoint is left, the run fails with
// [ErrAllLost]. A refused request ([ErrRequest]) fails the run at once.
type Client struct {
	opt     Options
	src     device.SampleSource
	in, out tensor
	batched bool // the model has a -1 batch dimension
	eps     []*endpoint

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu       sync.Mutex
	cond     *sync.Cond
	q        []entry
	head     int
	closed   bool
	failed   error
	lastC    sut.Completer
	requeued uint64
}

// Dial connects to every endpoint, checks that each is live and serves
// opt.Model ready, with one input of SampleBytes per sample, and that all
// agree; then it starts the endpoints' workers. src gives the samples'
// bytes (the QSL). Close releases it all.
func Dial(ctx context.Context, addrs []string, src device.SampleSource, opt Options) (*Client, error) {
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: no endpoints", ErrURL)
	}
	if opt.Model == "" {
		opt.Model = "gotrt-builtin"
	}
	if opt.MaxBatch <= 0 {
		opt.MaxBatch = 64
	}
	if opt.Concurrency <= 0 {
		opt.Concurrency = 4
		if opt.Stream {
			opt.Concurrency = 8
		}
	}
	if opt.DialTimeout <= 0 {
		opt.DialTimeout = 5 * time.Second
	}
	c := &Client{opt: opt, src: src}
	c.cond = sync.NewCond(&c.mu)
	for i, a := range addrs {
		ep, in, out, batched, err := dial(ctx, a, opt)
		if err != nil {
			return nil, errors.Join(err, c.closeConns())
		}
		c.eps = append(c.eps, ep)
		if i == 0 {
			c.in, c.out, c.batched = in, out, batched
			continue
		}
		if !sameTensor(in, c.in) || !sameTensor(out, c.out) || batched != c.batched {
			return nil, errors.Join(fmt.Errorf("%w: %s and %s describe model %s differently", ErrModelMismatch, addrs[0], a, opt.Model), c.closeConns())
		}
	}
	if !c.batched {
		c.opt.MaxBatch = 1
	}
	c.ctx, c.cancel = context.WithCancel(context.Background())
	for _, ep := range c.eps {
		if opt.Stream {
			c.wg.Go(func() { c.streamLoop(ep) })
			continue
		}
		for range c.opt.Concurrency {
			c.wg.Go(func() { c.unaryLoop(ep) })
		}
	}
	return c, nil
}

func sameTensor(a, b tensor) bool {
	return a.name == b.name && a.datatype == b.datatype && slices.Equal(a.shape, b.shape)
}

// dial connects to one endpoint and reads its model's tensors.
func dial(ctx context.Context, addr string, opt Options) (ep *endpoint, in, out tensor, batched bool, err error) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(64<<20), grpc.MaxCallSendMsgSize(64<<20)),
		// A headless Service's name resolves to every pod: spread over them.
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}]}`))
	if err != nil {
		return nil, in, out, false, fmt.Errorf("%w: %s: %w", ErrURL, addr, err)
	}
	ep = &endpoint{addr: addr, conn: conn, cl: pb.NewGRPCInferenceServiceClient(conn)}
	fail := func(e error) (*endpoint, tensor, tensor, bool, error) {
		return nil, in, out, false, errors.Join(e, conn.Close())
	}
	cctx, cancel := context.WithTimeout(ctx, opt.DialTimeout)
	defer cancel()
	if _, err := ep.cl.ServerLive(cctx, &pb.ServerLiveRequest{}); err != nil {
		return fail(fmt.Errorf("%w: %s: %w", ErrUnreachable, addr, err))
	}
	r, err := ep.cl.ModelReady(cctx, &pb.ModelReadyRequest{Name: opt.Model})
	switch {
	case status.Code(err) == codes.NotFound:
		return fail(fmt.Errorf("%w: %s does not serve %s: %w", ErrUnknownModel, addr, opt.Model, err))
	case err != nil:
		return fail(fmt.Errorf("%w: %s: model ready: %w", ErrUnreachable, addr, err))
	case !r.GetReady():
		return fail(fmt.Errorf("%w: %s: model %s is not ready", ErrUnknownModel, addr, opt.Model))
	}
	md, err := ep.cl.ModelMetadata(cctx, &pb.ModelMetadataRequest{Name: opt.Model})
	if err != nil {
		return fail(fmt.Errorf("%w: %s: model metadata: %w", ErrUnreachable, addr, err))
	}
	if len(md.GetInputs()) != 1 || len(md.GetOutputs()) < 1 {
		return fail(fmt.Errorf("%w: %s: model %s has %d inputs and %d outputs, want 1 input", ErrModelMismatch, addr, opt.Model, len(md.GetInputs()), len(md.GetOutputs())))
	}
	mi, mo := md.GetInputs()[0], md.GetOutputs()[0]
	batched = len(mi.GetShape()) > 0 && mi.GetShape()[0] == -1
	cut := func(s []int64) []int64 {
		if batched && len(s) > 0 {
			return s[1:]
		}
		return s
	}
	in = tensor{name: mi.GetName(), datatype: mi.GetDatatype(), shape: cut(mi.GetShape())}
	out = tensor{name: mo.GetName(), datatype: mo.GetDatatype(), shape: cut(mo.GetShape())}
	if in.bytes() == 0 || out.bytes() == 0 {
		return fail(fmt.Errorf("%w: %s: model %s: input %s %s %v or output %s %s %v has no fixed size", ErrModelMismatch, addr, opt.Model,
			in.name, in.datatype, mi.GetShape(), out.name, out.datatype, mo.GetShape()))
	}
	if opt.SampleBytes > 0 && in.bytes() != opt.SampleBytes {
		return fail(fmt.Errorf("%w: %s: model %s input %s %s %v takes %d bytes a sample, the samples have %d", ErrModelMismatch, addr, opt.Model,
			in.name, in.datatype, mi.GetShape(), in.bytes(), opt.SampleBytes))
	}
	return ep, in, out, batched, nil
}

// Name names the system under test.
func (c *Client) Name() string {
	addrs := make([]string, len(c.eps))
	for i, ep := range c.eps {
		addrs[i] = ep.addr
	}
	return Scheme + strings.Join(addrs, ",")
}

// IssueQuery queues the samples for the endpoints' workers; it never
// blocks on the network.
func (c *Client) IssueQuery(samples []sut.QuerySample, comp sut.Completer) {
	c.mu.Lock()
	if c.closed || c.failed != nil {
		err := c.failed
		c.mu.Unlock()
		if err == nil {
			err = errors.New("kserve: client closed")
		}
		comp.Fail(err)
		return
	}
	c.lastC = comp
	for _, s := range samples {
		c.q = append(c.q, entry{id: s.ID, index: s.Index, c: comp})
	}
	c.mu.Unlock()
	if len(samples) == 1 {
		c.cond.Signal()
	} else {
		c.cond.Broadcast()
	}
}

// FlushQueries does nothing: workers never wait to fill a request.
func (c *Client) FlushQueries() {}

// take waits for samples and moves up to MaxBatch of them into buf; it
// returns nil when the client closed, failed, ep was lost or stop says so.
func (c *Client) take(ep *endpoint, buf []entry, stop func() bool) []entry {
	c.mu.Lock()
	defer c.mu.Unlock()
	for {
		if c.closed || c.failed != nil || ep.isLost() || (stop != nil && stop()) {
			if len(c.q) > c.head {
				c.cond.Signal() // pass a wake-up meant for work on
			}
			return nil
		}
		if n := len(c.q) - c.head; n > 0 {
			n = min(n, c.opt.MaxBatch)
			buf = append(buf[:0], c.q[c.head:c.head+n]...)
			clear(c.q[c.head : c.head+n])
			c.head += n
			switch {
			case c.head == len(c.q):
				c.q, c.head = c.q[:0], 0
			case c.head >= 4096 && c.head > len(c.q)/2:
				// A queue that never empties (a long Server run) would
				// grow without end: move the waiting samples to the front.
				k := copy(c.q, c.q[c.head:])
				clear(c.q[k:])
				c.q, c.head = c.q[:k], 0
			}
			return buf
		}
		c.cond.Wait()
	}
}

// requeue puts samples back at the head of the queue, in order, for any
// endpoint to take.
func (c *Client) requeue(ep *endpoint, batch []entry) {
	c.mu.Lock()
	if c.head >= len(batch) {
		c.head -= len(batch)
		copy(c.q[c.head:], batch)
	} else {
		c.q = append(slices.Clone(batch), c.q[c.head:]...)
		c.head = 0
	}
	c.requeued += uint64(len(batch))
	c.mu.Unlock()
	ep.mu.Lock()
	ep.requeued += uint64(len(batch))
	ep.mu.Unlock()
	c.cond.Broadcast()
}

func (ep *endpoint) isLost() bool {
	ep.mu.Lock()
	defer ep.mu.Unlock()
	return ep.lost
}

// transient says whether err is the transport failing (retry elsewhere)
// rather than the server refusing the request.
func transient(err error) bool {
	switch status.Code(err) {
	case codes.Unavailable, codes.Aborted, codes.Canceled, codes.DeadlineExceeded, codes.Unknown, codes.Internal:
		return true
	}
	return false
}

// lose handles a transport failure on ep with batch in flight: the batch
// goes back to the queue, and ep leaves the run unless it still says it is
// ready (one of several pods behind a name may have died) and has not
// failed maxStrikes times in a row. It reports whether ep is lost. When
// every endpoint is lost, the run fails with [ErrAllLost].
func (c *Client) lose(ep *endpoint, batch []entry, err error) bool {
	if c.ctx.Err() != nil {
		return true // closing: the run is over
	}
	if len(batch) > 0 {
		c.requeue(ep, batch)
	}
	cctx, cancel := context.WithTimeout(c.ctx, time.Second)
	r, perr := ep.cl.ServerReady(cctx, &pb.ServerReadyRequest{})
	cancel()
	ep.mu.Lock()
	ep.strikes++
	if perr == nil && r.GetReady() && ep.strikes < maxStrikes {
		ep.mu.Unlock()
		return false
	}
	if !ep.lost {
		ep.lost, ep.err = true, err
	}
	ep.mu.Unlock()
	c.cond.Broadcast()
	for _, o := range c.eps {
		if !o.isLost() {
			return true
		}
	}
	c.fail(fmt.Errorf("%w: last: %s: %w", ErrAllLost, ep.addr, err))
	return true
}

// maxStrikes is how many transport failures in a row an endpoint that
// still says it is ready may have before it leaves the run.
const maxStrikes = 3

// fail ends the run: every completer with queued samples, and the last
// one seen, hears err once.
func (c *Client) fail(err error) {
	c.mu.Lock()
	if c.failed != nil {
		c.mu.Unlock()
		return
	}
	c.failed = err
	var cs []sut.Completer
	for _, e := range c.q[c.head:] {
		if !slices.Contains(cs, e.c) {
			cs = append(cs, e.c)
		}
	}
	if c.lastC != nil && !slices.Contains(cs, c.lastC) {
		cs = append(cs, c.lastC)
	}
	c.q, c.head = nil, 0
	c.mu.Unlock()
	c.cond.Broadcast()
	for _, comp := range cs {
		comp.Fail(err)
	}
}

// request builds the request of batch, its input bytes staged in buf.
func (c *Client) request(id string, batch []entry, buf []byte) (*pb.ModelInferRequest, []byte) {
	sz := c.in.bytes()
	buf = slices.Grow(buf[:0], len(batch)*sz)[:len(batch)*sz]
	for i, e := range batch {
		copy(buf[i*sz:(i+1)*sz], c.src.SampleData(e.index))
	}
	shape := c.in.shape
	if c.batched {
		shape = append([]int64{int64(len(batch))}, c.in.shape...)
	}
	return &pb.ModelInferRequest{
		ModelName: c.opt.Model, Id: id,
		Inputs:           []*pb.ModelInferRequest_InferInputTensor{{Name: c.in.name, Datatype: c.in.datatype, Shape: shape}},
		Outputs:          []*pb.ModelInferRequest_InferRequestedOutputTensor{{Name: c.out.name}},
		RawInputContents: [][]byte{buf},
	}, buf
}

// deliver completes batch from its answer.
func (c *Client) deliver(ep *endpoint, batch []entry, r *pb.ModelInferResponse, rtt time.Duration, resp []sut.Response) error {
	sz := c.out.bytes()
	raw := r.GetRawOutputContents()
	if len(raw) < 1 || len(raw[0]) != len(batch)*sz {
		got := 0
		if len(raw) > 0 {
			got = len(raw[0])
		}
		return fmt.Errorf("%w: %s: answer holds %d output bytes for %d samples of %d", ErrRequest, ep.addr, got, len(batch), sz)
	}
	ep.mu.Lock()
	ep.strikes = 0
	ep.requests++
	ep.samples += uint64(len(batch))
	ep.lat = append(ep.lat, rtt)
	ep.mu.Unlock()
	resp = resp[:0]
	for i, e := range batch {
		resp = append(resp, sut.Response{ID: e.id, Data: raw[0][i*sz : (i+1)*sz]})
	}
	// One call per run of samples of the same completer (one in practice).
	for a := 0; a < len(batch); {
		b := a + 1
		for b < len(batch) && batch[b].c == batch[a].c {
			b++
		}
		_ = batch[a].c.Complete(resp[a:b]) // a refusal is the load generator's to count
		a = b
	}
	return nil
}

// unaryLoop is one of an endpoint's request slots, sending ModelInfer calls.
func (c *Client) unaryLoop(ep *endpoint) {
	var batch []entry
	var buf []byte
	var resp []sut.Response
	for {
		batch = c.take(ep, batch, nil)
		if batch == nil {
			return
		}
		var req *pb.ModelInferRequest
		req, buf = c.request("", batch, buf)
		t0 := time.Now()
		r, err := ep.cl.ModelInfer(c.ctx, req)
		if err != nil {
			if transient(err) {
				if c.lose(ep, batch, err) {
					return
				}
				continue
			}
			c.fail(fmt.Errorf("%w: %s: %w", ErrRequest, ep.addr, err))
			return
		}
		if err := c.deliver(ep, batch, r, time.Since(t0), resp); err != nil {
			c.fail(err)
			return
		}
	}
}

// streamLoop runs one ModelStreamInfer stream to ep: this goroutine sends,
// another receives; answers are matched by request id. When the stream
// breaks, every request without an answer is requeued, and a new stream
// is opened unless the endpoint is lost.
func (c *Client) streamLoop(ep *endpoint) {
	for !ep.isLost() && c.ctx.Err() == nil {
		if c.runStream(ep) {
			return
		}
	}
}

// sent is a request in flight on a stream.
type sent struct {
	batch []entry
	t0    time.Time
}

// runStream runs one stream until it breaks; it reports whether the
// endpoint is done (lost, or the client closed or failed).
func (c *Client) runStream(ep *endpoint) (done bool) {
	sctx, cancel := context.WithCancel(c.ctx)
	defer cancel()
	st, err := ep.cl.ModelStreamInfer(sctx)
	if err != nil {
		return c.lose(ep, nil, err)
	}
	var (
		mu      sync.Mutex
		pending = map[string]sent{}
		broke   error
		fatal   error
	)
	isBroken := func() bool {
		mu.Lock()
		defer mu.Unlock()
		return broke != nil
	}
	// breakStream records the first failure, takes every unanswered
	// request back to the queue and wakes the sender.
	breakStream := func(err error) {
		mu.Lock()
		if broke != nil {
			mu.Unlock()
			return
		}
		broke = err
		var back []sent
		for _, p := range pending {
			back = append(back, p)
		}
		clear(pending)
		mu.Unlock()
		cancel()
		slices.SortFunc(back, func(a, b sent) int { return a.t0.Compare(b.t0) })
		for i := len(back) - 1; i >= 0; i-- {
			c.requeue(ep, back[i].batch)
		}
		c.cond.Broadcast()
	}
	tokens := make(chan struct{}, c.opt.Concurrency)
	recvDone := make(chan struct{})
	go func() {
		defer close(recvDone)
		var resp []sut.Response
		for {
			a, err := st.Recv()
			if err != nil {
				breakStream(err)
				return
			}
			r := a.GetInferResponse()
			mu.Lock()
			p, ok := pending[r.GetId()]
			delete(pending, r.GetId())
			mu.Unlock()
			var ferr error
			switch {
			case !ok:
				ferr = fmt.Errorf("%w: %s: answer to unknown request id %q", ErrRequest, ep.addr, r.GetId())
			case a.GetErrorMessage() != "":
				ferr = fmt.Errorf("%w: %s: %s", ErrRequest, ep.addr, a.GetErrorMessage())
			default:
				ferr = c.deliver(ep, p.batch, r, time.Since(p.t0), resp)
			}
			if ferr != nil {
				mu.Lock()
				fatal = ferr
				mu.Unlock()
				breakStream(ferr)
				return
			}
			<-tokens
		}
	}()
	var buf []byte
	var seq uint64
	for {
		select {
		case tokens <- struct{}{}:
		case <-sctx.Done():
		}
		if sctx.Err() != nil {
			break
		}
		batch := c.take(ep, nil, isBroken)
		if batch == nil {
			break
		}
		seq++
		id := strconv.FormatUint(seq, 10)
		var req *pb.ModelInferRequest
		req, buf = c.request(id, batch, buf)
		mu.Lock()
		if broke != nil {
			mu.Unlock()
			c.requeue(ep, batch)
			break
		}
		pending[id] = sent{batch: batch, t0: time.Now()}
		mu.Unlock()
		if err := st.Send(req); err != nil {
			// The stream's real error comes from Recv.
			breakStream(err)
			break
		}
	}
	// We stopped sending: answers in flight still arrive unless the stream
	// broke or the client is closing.
	_ = st.CloseSend()
	<-recvDone
	mu.Lock()
	why, ferr := broke, fatal
	mu.Unlock()
	switch {
	case ferr != nil:
		c.fail(ferr)
		return true
	case c.ctx.Err() != nil:
		return true
	case why == nil || errors.Is(why, io.EOF):
		return true // we stopped sending and every answer came
	}
	return c.lose(ep, nil, why)
}

// Close stops the workers, cancels requests in flight (their samples are
// never completed: the run is over) and closes the connections. It is safe
// to call twice.
func (c *Client) Close() error {
	c.mu.Lock()
	already := c.closed
	c.closed = true
	c.mu.Unlock()
	if already {
		return nil
	}
	c.cond.Broadcast()
	if c.cancel != nil {
		c.cancel()
	}
	c.wg.Wait()
	return c.closeConns()
}

func (c *Client) closeConns() error {
	var errs []error
	for _, ep := range c.eps {
		errs = append(errs, ep.conn.Close())
	}
	return errors.Join(errs...)
}

// Stats returns each endpoint's share of the run so far.
func (c *Client) Stats() result.Remote {
	r := result.Remote{Protocol: "kserve-v2-grpc", Stream: c.opt.Stream, Model: c.opt.Model,
		MaxBatch: c.opt.MaxBatch, Concurrency: c.opt.Concurrency}
	c.mu.Lock()
	r.Requeued = c.requeued
	c.mu.Unlock()
	for _, ep := range c.eps {
		ep.mu.Lock()
		e := result.Endpoint{Address: ep.addr, Requests: ep.requests, Samples: ep.samples,
			LatencyNS: latency(ep.lat), Lost: ep.lost, Requeued: ep.requeued}
		if ep.err != nil {
			e.Error = ep.err.Error()
		}
		ep.mu.Unlock()
		r.Endpoints = append(r.Endpoints, e)
	}
	return r
}

// ResetStats zeroes the counts and round trips (not the lost endpoints):
// an untimed probe run before the timed one is left out of Stats.
func (c *Client) ResetStats() {
	c.mu.Lock()
	c.requeued = 0
	c.mu.Unlock()
	for _, ep := range c.eps {
		ep.mu.Lock()
		ep.requests, ep.samples, ep.requeued, ep.lat = 0, 0, 0, nil
		ep.mu.Unlock()
	}
}

// latency summarises round trips by an exact sort.
func latency(d []time.Duration) result.Latency {
	if len(d) == 0 {
		return result.Latency{}
	}
	s := slices.Clone(d)
	slices.Sort(s)
	var sum time.Duration
	for _, v := range s {
		sum += v
	}
	p := func(q float64) int64 { return int64(s[min(len(s)-1, int(q*float64(len(s))))]) }
	return result.Latency{Min: int64(s[0]), Mean: int64(sum) / int64(len(s)), P50: p(.5), P90: p(.9),
		P95: p(.95), P97: p(.97), P99: p(.99), P999: p(.999), Max: int64(s[len(s)-1])}
}

var _ sut.SystemUnderTest = (*Client)(nil)
