package kserve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
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
	// ErrUnreachable wraps an endpoint that did not answer before the run,
	// or whose host does not resolve.
	ErrUnreachable = errors.New("kserve: endpoint unreachable")
	// ErrNoHost wraps (with ErrUnreachable) an endpoint whose host name
	// does not exist (the resolver says so, not a resolver failure).
	ErrNoHost = errors.New("kserve: no such host")
	// ErrProtocol wraps an endpoint that speaks another protocol than the
	// URL's scheme says (a gRPC URL at an HTTP/1.1 port, or the reverse);
	// the error names the scheme to use.
	ErrProtocol = errors.New("kserve: endpoint speaks another protocol")
	// ErrUnknownModel wraps a model an endpoint does not serve.
	ErrUnknownModel = errors.New("kserve: unknown model")
	// ErrModelNotReady wraps a model an endpoint serves but does not have
	// ready (ModelReady said false).
	ErrModelNotReady = errors.New("kserve: model not ready")
	// ErrModelMismatch wraps a model whose tensors do not fit the samples
	// or the scorer (an output of a datatype or shape it cannot read), or
	// endpoints that disagree about the model.
	ErrModelMismatch = errors.New("kserve: model does not fit")
	// ErrStreamUnsupported wraps an endpoint that does not implement
	// Triton's ModelStreamInfer when ?stream=1 asks for it.
	ErrStreamUnsupported = errors.New("kserve: streaming not supported")
	// ErrEndpointLost is the run's failure when an endpoint is lost mid-run
	// and Options.ContinueOnLoss is not set (--on-device-error fail).
	ErrEndpointLost = errors.New("kserve: endpoint lost")
	// ErrAllLost is reported when every endpoint failed during the run.
	ErrAllLost = errors.New("kserve: every endpoint failed")
	// ErrRequest wraps an answer that is not a transport failure (a request
	// the server refused, a malformed answer): the run cannot go on.
	ErrRequest = errors.New("kserve: request failed")
)

// Options configure a [Client]. Zero fields take the defaults.
type Options struct {
	// Model is the model to run (default "gotrt-builtin").
	Model string
	// Output names the model output the scorer reads (default: the first
	// the model's metadata lists).
	Output string
	// HTTP speaks KServe v2 HTTP/REST instead of gRPC.
	HTTP bool
	// JSON sends HTTP tensors as JSON only. By default inputs go as
	// Triton's binary tensor data and outputs are asked for as binary;
	// an endpoint that refuses binary input (400 to the check before the
	// run) is spoken to in JSON.
	JSON bool
	// Stream sends requests over Triton's ModelStreamInfer instead of
	// unary ModelInfer calls (gRPC only).
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
	// OutputDatatype, when set, is the datatype of the answer the scorer
	// reads, OutputElements (default 1) its elements a sample: an output
	// of another integer datatype is converted (each element checked to
	// fit), any other is refused before the run.
	OutputDatatype string
	OutputElements int
	// ContinueOnLoss keeps the run going when an endpoint is lost mid-run
	// (--on-device-error continue); by default the run fails with
	// [ErrEndpointLost], as a local device's error fails it.
	ContinueOnLoss bool
}

// tensor is a model input or output as the endpoints describe it.
type tensor struct {
	name, datatype string
	shape          []int64 // without the batch dimension
}

// elements is the tensor's element count a sample, 0 when it has no fixed
// size: a variable dimension, or a product past int (a server's metadata
// says so; it would size buffers).
func (t tensor) elements() int {
	n := 1
	for _, d := range t.shape {
		if d <= 0 || d > int64(math.MaxInt/n) {
			return 0
		}
		n *= int(d)
	}
	return n
}

func (t tensor) bytes() int {
	n, size := t.elements(), inferencepb.DatatypeSize(t.datatype)
	if size > 0 && n > math.MaxInt/size {
		return 0
	}
	return size * n
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
	tr   transport
	// grpc is the gRPC client for streaming; nil over HTTP.
	grpc pb.GRPCInferenceServiceClient

	mu       sync.Mutex
	lost     bool
	lostAt   time.Duration
	err      error
	requests uint64
	samples  uint64
	requeued uint64
	strikes  int
	lat      []time.Duration
}

// Client is a [sut.SystemUnderTest] made of KServe v2 endpoints (gotrt
// serve, Triton, KServe) over gRPC or HTTP/REST: samples go into one
// shared queue, and each endpoint's workers take up to MaxBatch of them
// per request, so a faster endpoint takes more. Inputs are the QSL's bytes;
// outputs, raw or typed contents, JSON or binary, become the bytes of
// Options.OutputDatatype, so accuracy mode scores them as a local run's.
//
// Fault policy: a transport failure (the server died, the connection
// broke) puts the request's samples back at the head of the queue for
// another endpoint, and the endpoint leaves the run unless it still
// answers; a sample is completed only when its answer arrives, so none is
// lost or completed twice. An endpoint that leaves the run fails it
// ([ErrEndpointLost]) unless Options.ContinueOnLoss; when no endpoint is
// left, the run fails with [ErrAllLost]. A refused request ([ErrRequest])
// fails the run at once.
type Client struct {
	opt     Options
	src     device.SampleSource
	in, out tensor
	// outAll is every output's elements a sample (0 when one has no fixed
	// size): it sizes the bound on an answer.
	outAll  int
	batched bool // the model has a -1 batch dimension
	eps     []*endpoint

	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	t0once sync.Once
	t0     time.Time // the first sample issued

	mu       sync.Mutex
	cond     *sync.Cond
	q        []entry
	head     int
	closed   bool
	failed   error
	lastC    sut.Completer
	requeued uint64
}

// Dial connects to every endpoint and checks, before the run, that each
// is live, serves opt.Model ready, with one input of SampleBytes per sample
// and an output the scorer can read (OutputDatatype), that all agree, and
// that one request of one sample is answered in a form the client reads
// (over the stream when opt.Stream); then it starts the endpoints'
// workers. src gives the samples' bytes (the QSL). Close releases it all.
func Dial(ctx context.Context, addrs []string, src device.SampleSource, opt Options) (*Client, error) {
	if len(addrs) == 0 {
		return nil, fmt.Errorf("%w: no endpoints", ErrURL)
	}
	if opt.Stream && opt.HTTP {
		return nil, fmt.Errorf("%w: streaming needs gRPC (kserve://)", ErrURL)
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
	if opt.OutputDatatype != "" && opt.OutputElements <= 0 {
		opt.OutputElements = 1
	}
	c := &Client{opt: opt, src: src}
	c.cond = sync.NewCond(&c.mu)
	for i, a := range addrs {
		ep, md, err := c.dial(ctx, a)
		if err != nil {
			return nil, errors.Join(err, c.closeConns())
		}
		c.eps = append(c.eps, ep)
		in, out, outAll, batched, err := tensors(md, opt.Output)
		if err != nil {
			return nil, errors.Join(fmt.Errorf("%w: %s: model %s: %w", ErrModelMismatch, a, opt.Model, err), c.closeConns())
		}
		if i == 0 {
			c.in, c.out, c.outAll, c.batched = in, out, outAll, batched
			if err := c.checkTensors(a, md); err != nil {
				return nil, errors.Join(err, c.closeConns())
			}
		} else if !sameTensor(in, c.in) || !sameTensor(out, c.out) || batched != c.batched {
			return nil, errors.Join(fmt.Errorf("%w: %s and %s describe model %s differently", ErrModelMismatch, addrs[0], a, opt.Model), c.closeConns())
		}
		if err := c.check(ctx, ep); err != nil {
			return nil, errors.Join(err, c.closeConns())
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

// tensors reads a model's input and the output named (the first when
// name is empty), without the batch dimension, from its metadata.
func tensors(md *pb.ModelMetadataResponse, name string) (in, out tensor, outAll int, batched bool, err error) {
	mi, mo := md.GetInputs()[0], md.GetOutputs()[0]
	if name != "" {
		var names []string
		mo = nil
		for _, o := range md.GetOutputs() {
			names = append(names, o.GetName())
			if o.GetName() == name {
				mo = o
			}
		}
		if mo == nil {
			return in, out, 0, false, fmt.Errorf("no output %q (it has %s)", short(name), strings.Join(names, ", "))
		}
	}
	batched = len(mi.GetShape()) > 0 && mi.GetShape()[0] == -1
	cut := func(s []int64) []int64 {
		if batched && len(s) > 0 {
			return s[1:]
		}
		return s
	}
	in = tensor{name: mi.GetName(), datatype: mi.GetDatatype(), shape: cut(mi.GetShape())}
	out = tensor{name: mo.GetName(), datatype: mo.GetDatatype(), shape: cut(mo.GetShape())}
	for _, o := range md.GetOutputs() {
		n := tensor{shape: cut(o.GetShape())}.elements()
		if n == 0 || inferencepb.DatatypeSize(o.GetDatatype()) == 0 || outAll > math.MaxInt-n {
			return in, out, 0, batched, nil
		}
		outAll += n
	}
	return in, out, outAll, batched, nil
}

// checkTensors checks that the model's input takes the samples and its
// output is one the scorer reads (or converts).
func (c *Client) checkTensors(addr string, md *pb.ModelMetadataResponse) error {
	in, out := c.in, c.out
	mi, mo := md.GetInputs()[0], md.GetOutputs()[0]
	for _, o := range md.GetOutputs() {
		if o.GetName() == out.name {
			mo = o
		}
	}
	if in.bytes() == 0 {
		return fmt.Errorf("%w: %s: model %s: input %s %s %v has no fixed size", ErrModelMismatch, addr, c.opt.Model, in.name, in.datatype, mi.GetShape())
	}
	if c.opt.SampleBytes > 0 && in.bytes() != c.opt.SampleBytes {
		return fmt.Errorf("%w: %s: model %s input %s %s %v takes %d bytes a sample, the samples have %d", ErrModelMismatch, addr, c.opt.Model,
			in.name, in.datatype, mi.GetShape(), in.bytes(), c.opt.SampleBytes)
	}
	want := c.opt.OutputDatatype
	switch {
	case out.bytes() == 0:
		return fmt.Errorf("%w: %s: model %s: output %s %s %v has no fixed size", ErrModelMismatch, addr, c.opt.Model, out.name, out.datatype, mo.GetShape())
	case want == "":
	case out.elements() != c.opt.OutputElements:
		return fmt.Errorf("%w: %s: model %s: output %s %s %v holds %d elements a sample; the scorer reads %d %s", ErrModelMismatch, addr, c.opt.Model,
			out.name, out.datatype, mo.GetShape(), out.elements(), c.opt.OutputElements, want)
	case out.datatype != want && !(isInt(out.datatype) && isInt(want)):
		return fmt.Errorf("%w: %s: model %s: output %s is %s; the scorer reads %s class ids (an integer output of another width is converted, %s is not)", ErrModelMismatch, addr, c.opt.Model,
			out.name, out.datatype, want, out.datatype)
	}
	return nil
}

// dial connects to one endpoint, checks it is live and serves the model
// ready, and reads the model's metadata.
func (c *Client) dial(ctx context.Context, addr string) (*endpoint, *pb.ModelMetadataResponse, error) {
	opt := c.opt
	cctx, cancel := context.WithTimeout(ctx, opt.DialTimeout)
	defer cancel()
	if err := resolve(cctx, addr); err != nil {
		var de *net.DNSError
		if errors.As(err, &de) && de.IsNotFound {
			return nil, nil, fmt.Errorf("%w: %w: %s: the host does not resolve: %w", ErrUnreachable, ErrNoHost, addr, err)
		}
		return nil, nil, fmt.Errorf("%w: %s: the host does not resolve: %w", ErrUnreachable, addr, err)
	}
	ep := &endpoint{addr: addr}
	if opt.HTTP {
		ep.tr = newHTTP(addr, opt.Concurrency, !opt.JSON)
	} else {
		g, err := newGRPC(addr)
		if err != nil {
			return nil, nil, fmt.Errorf("%w: %s: %w", ErrURL, addr, err)
		}
		ep.tr, ep.grpc = g, g.cl
	}
	fail := func(e error) (*endpoint, *pb.ModelMetadataResponse, error) {
		return nil, nil, errors.Join(e, ep.tr.close())
	}
	if err := ep.tr.live(cctx); err != nil {
		switch p := sniff(ctx, addr); {
		case p == "HTTP/1.1" && !opt.HTTP:
			return fail(fmt.Errorf("%w: %s answers HTTP/1.1, not gRPC: for KServe v2 over HTTP/REST use %s%s (%w)", ErrProtocol, addr, SchemeHTTP, addr, err))
		case p == "HTTP/2" && opt.HTTP:
			return fail(fmt.Errorf("%w: %s answers HTTP/2 (gRPC), not HTTP/1.1: for KServe v2 over gRPC use %s%s (%w)", ErrProtocol, addr, Scheme, addr, err))
		}
		return fail(fmt.Errorf("%w: %s: %w", ErrUnreachable, addr, err))
	}
	ready, err := ep.tr.modelReady(cctx, opt.Model)
	switch {
	case errors.Is(err, errUnknownModel):
		return fail(fmt.Errorf("%w: %s does not serve %s: %w", ErrUnknownModel, addr, opt.Model, err))
	case err != nil:
		return fail(fmt.Errorf("%w: %s: model ready: %w", ErrUnreachable, addr, err))
	case !ready:
		return fail(fmt.Errorf("%w: %s: model %s is not ready (ModelReady said false)", ErrModelNotReady, addr, opt.Model))
	}
	md, err := ep.tr.metadata(cctx, opt.Model)
	switch {
	case errors.Is(err, errUnknownModel):
		return fail(fmt.Errorf("%w: %s does not serve %s: %w", ErrUnknownModel, addr, opt.Model, err))
	case err != nil:
		return fail(fmt.Errorf("%w: %s: model metadata: %w", ErrUnreachable, addr, err))
	}
	if len(md.GetInputs()) != 1 || len(md.GetOutputs()) < 1 {
		return fail(fmt.Errorf("%w: %s: model %s has %d inputs and %d outputs, want 1 input", ErrModelMismatch, addr, opt.Model, len(md.GetInputs()), len(md.GetOutputs())))
	}
	return ep, md, nil
}

// check sends one request of one sample (zeros) to ep, as the run will
// (over the stream when streaming), and reads its answer as the run will:
// an endpoint without streaming, or one whose answer the client cannot
// read, is named before the run rather than in its middle.
func (c *Client) check(ctx context.Context, ep *endpoint) error {
	cctx, cancel := context.WithTimeout(ctx, c.opt.DialTimeout)
	defer cancel()
	batch := []entry{{index: -1}}
	req, _ := c.request("check", batch, nil)
	var r *pb.ModelInferResponse
	var err error
	if c.opt.Stream {
		r, err = streamOnce(cctx, ep.grpc, req)
		if status.Code(err) == codes.Unimplemented {
			return fmt.Errorf("%w: %s does not implement ModelStreamInfer (drop ?stream=1): %w", ErrStreamUnsupported, ep.addr, err)
		}
	} else {
		r, err = ep.tr.infer(cctx, req, c.answerLimit(1))
		var he *httpError
		if ht, ok := ep.tr.(*httpTransport); ok && ht.binary && errors.As(err, &he) && refusesBinary(he.code) {
			// A server without the binary tensor extension: JSON then
			// (the workers have not started: no one else reads binary).
			ht.binary = false
			if r, err = ep.tr.infer(cctx, req, c.answerLimit(1)); err != nil {
				err = fmt.Errorf("%w (and binary tensors: %w)", err, he)
			}
		}
	}
	if err != nil {
		return fmt.Errorf("%w: %s: a request of one sample before the run: %w", ErrUnreachable, ep.addr, err)
	}
	if _, err := c.outputs(r, 1, nil); err != nil {
		return fmt.Errorf("%w: %s: the answer to a request of one sample before the run: %w", ErrModelMismatch, ep.addr, err)
	}
	return nil
}

// refusesBinary says whether an HTTP status answering a binary body can
// mean the server does not take binary tensors: 400 (Triton's answer to
// what it cannot parse), 415, or 422 (FastAPI's, as KServe's ModelServer
// answers a body that is not a JSON object).
func refusesBinary(code int) bool { return code == 400 || code == 415 || code == 422 }

// streamOnce sends req over a new ModelStreamInfer stream and returns its
// answer.
func streamOnce(ctx context.Context, cl pb.GRPCInferenceServiceClient, req *pb.ModelInferRequest) (*pb.ModelInferResponse, error) {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	st, err := cl.ModelStreamInfer(ctx)
	if err != nil {
		return nil, err
	}
	if err := st.Send(req); err != nil {
		if _, rerr := st.Recv(); rerr != nil {
			return nil, rerr // the stream's real error
		}
		return nil, err
	}
	a, err := st.Recv()
	if err != nil {
		return nil, err
	}
	_ = st.CloseSend()
	if m := a.GetErrorMessage(); m != "" {
		return nil, fmt.Errorf("%w: %s", ErrRequest, short(m))
	}
	return a.GetInferResponse(), nil
}

// answerLimit bounds the answer to a request of n samples on the wire:
// every output's elements, each at most 32 bytes (JSON text of an int64 or
// a double with its separator; binary and protobuf take less), and room
// for the rest of the message.
func (c *Client) answerLimit(n int) int {
	if c.outAll == 0 {
		return maxAnswer
	}
	if n > 0 && c.outAll > (math.MaxInt-1-64<<10)/32/n {
		// Past int the bound would wrap negative and refuse every
		// answer; one below MaxInt leaves room for the reader's +1.
		return math.MaxInt - 1
	}
	return n*c.outAll*32 + 64<<10
}

// outputs reads the answer to a request of n samples: the output c.out
// names, raw or in typed contents, as the bytes of OutputDatatype (or of
// its own datatype when none is set), n × the output's bytes a sample.
// conv is reused for a conversion.
func (c *Client) outputs(r *pb.ModelInferResponse, n int, conv []byte) ([]byte, error) {
	idx := -1
	outs := r.GetOutputs()
	for i, o := range outs {
		if o.GetName() == c.out.name {
			idx = i
			break
		}
	}
	raw := r.GetRawOutputContents()
	if idx < 0 {
		// One unnamed output, or none described but one raw: take it.
		if len(outs) > 1 || (len(outs) == 0 && len(raw) != 1) {
			return nil, fmt.Errorf("%w: the answer has no output %s", ErrRequest, c.out.name)
		}
		idx = 0
	}
	dt := c.out.datatype
	var o *pb.ModelInferResponse_InferOutputTensor
	if idx < len(outs) {
		o = outs[idx]
		if d := o.GetDatatype(); d != "" {
			dt = d
		}
	}
	elems := n * c.out.elements()
	size := inferencepb.DatatypeSize(dt)
	var b []byte
	switch {
	case size == 0:
		return nil, fmt.Errorf("%w: output %s: datatype %q is not a fixed-size type", ErrRequest, c.out.name, dt)
	case idx < len(raw):
		b = raw[idx]
		if len(b) != elems*size {
			return nil, fmt.Errorf("%w: output %s: answer holds %d raw bytes for %d samples of %d %s", ErrRequest, c.out.name, len(b), n, c.out.elements(), dt)
		}
	case o != nil && o.GetContents() != nil:
		var err error
		if b, err = pb.ContentsBytes(dt, o.GetContents(), elems); err != nil {
			return nil, fmt.Errorf("%w: output %s: %w", ErrRequest, c.out.name, err)
		}
	default:
		return nil, fmt.Errorf("%w: output %s: answer holds neither raw nor typed contents for %d samples", ErrRequest, c.out.name, n)
	}
	want := c.opt.OutputDatatype
	if want == "" || want == dt {
		return b, nil
	}
	if !isInt(dt) || !isInt(want) {
		return nil, fmt.Errorf("%w: output %s is %s; the scorer reads %s", ErrRequest, c.out.name, dt, want)
	}
	out, err := convertInts(conv, b, dt, want)
	if err != nil {
		return nil, fmt.Errorf("%w: output %s: %w", ErrRequest, c.out.name, err)
	}
	return out, nil
}

// Name names the system under test.
func (c *Client) Name() string {
	addrs := make([]string, len(c.eps))
	for i, ep := range c.eps {
		addrs[i] = ep.addr
	}
	if c.opt.HTTP {
		return SchemeHTTP + strings.Join(addrs, ",")
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
	c.t0once.Do(func() { c.t0 = time.Now() })
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

// lose handles a transport failure on ep with batch in flight: the batch
// goes back to the queue, and ep leaves the run unless it still says it is
// ready (one of several pods behind a name may have died) and has not
// failed maxStrikes times in a row. It reports whether ep is lost. An
// endpoint leaving the run fails it with [ErrEndpointLost] unless
// ContinueOnLoss; when every endpoint is lost, the run fails with
// [ErrAllLost].
func (c *Client) lose(ep *endpoint, batch []entry, err error) bool {
	if c.ctx.Err() != nil {
		return true // closing: the run is over
	}
	if len(batch) > 0 {
		c.requeue(ep, batch)
	}
	cctx, cancel := context.WithTimeout(c.ctx, time.Second)
	ready, perr := ep.tr.serverReady(cctx)
	cancel()
	ep.mu.Lock()
	ep.strikes++
	if perr == nil && ready && ep.strikes < maxStrikes {
		ep.mu.Unlock()
		return false
	}
	first := !ep.lost
	if first {
		ep.lost, ep.err = true, err
		ep.lostAt = c.sinceFirst()
	}
	at := ep.lostAt
	ep.mu.Unlock()
	c.cond.Broadcast()
	if first && !c.opt.ContinueOnLoss {
		c.fail(fmt.Errorf("%w: %s left the run %v after the first sample: %w", ErrEndpointLost, ep.addr, at.Round(time.Millisecond), err))
		return true
	}
	for _, o := range c.eps {
		if !o.isLost() {
			return true
		}
	}
	c.fail(fmt.Errorf("%w: last: %s: %w", ErrAllLost, ep.addr, err))
	return true
}

// sinceFirst is the time since the first sample was issued (0 before).
func (c *Client) sinceFirst() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.t0.IsZero() {
		return 0
	}
	return time.Since(c.t0)
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
		if e.index < 0 {
			clear(buf[i*sz : (i+1)*sz]) // the check before the run
			continue
		}
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

// deliver completes batch from its answer; conv is the caller's buffer
// for a conversion of the output, returned for reuse.
func (c *Client) deliver(ep *endpoint, batch []entry, r *pb.ModelInferResponse, rtt time.Duration, resp []sut.Response, conv []byte) ([]byte, error) {
	b, err := c.outputs(r, len(batch), conv)
	if err != nil {
		return conv, fmt.Errorf("%s: %w", ep.addr, err)
	}
	if c.opt.OutputDatatype != "" && c.opt.OutputDatatype != c.out.datatype {
		conv = b
	}
	sz := len(b) / len(batch)
	ep.mu.Lock()
	ep.strikes = 0
	ep.requests++
	ep.samples += uint64(len(batch))
	ep.lat = append(ep.lat, rtt)
	ep.mu.Unlock()
	resp = resp[:0]
	for i, e := range batch {
		resp = append(resp, sut.Response{ID: e.id, Data: b[i*sz : (i+1)*sz]})
	}
	// One call per run of samples of the same completer (one in practice).
	for a := 0; a < len(batch); {
		k := a + 1
		for k < len(batch) && batch[k].c == batch[a].c {
			k++
		}
		_ = batch[a].c.Complete(resp[a:k]) // a refusal is the load generator's to count
		a = k
	}
	return conv, nil
}

// unaryLoop is one of an endpoint's request slots, sending ModelInfer calls.
func (c *Client) unaryLoop(ep *endpoint) {
	var batch []entry
	var buf, conv []byte
	var resp []sut.Response
	var seq uint64
	for {
		batch = c.take(ep, batch, nil)
		if batch == nil {
			return
		}
		// Every request carries an id, as the check before the run's did:
		// some servers answer a request without one with an error.
		seq++
		var req *pb.ModelInferRequest
		req, buf = c.request(strconv.FormatUint(seq, 10), batch, buf)
		t0 := time.Now()
		r, err := ep.tr.infer(c.ctx, req, c.answerLimit(len(batch)))
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
		if conv, err = c.deliver(ep, batch, r, time.Since(t0), resp, conv); err != nil {
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
	st, err := ep.grpc.ModelStreamInfer(sctx, grpc.MaxCallRecvMsgSize(c.answerLimit(c.opt.MaxBatch)))
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
		var conv []byte
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
				conv, ferr = c.deliver(ep, p.batch, r, time.Since(p.t0), resp, conv)
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
		errs = append(errs, ep.tr.close())
	}
	return errors.Join(errs...)
}

// Stats returns each endpoint's share of the run so far.
func (c *Client) Stats() result.Remote {
	r := result.Remote{Protocol: "kserve-v2-grpc", Stream: c.opt.Stream, Model: c.opt.Model,
		MaxBatch: c.opt.MaxBatch, Concurrency: c.opt.Concurrency}
	if c.opt.HTTP {
		r.Protocol = "kserve-v2-http-json"
		if ht, ok := c.eps[0].tr.(*httpTransport); ok && ht.binary {
			r.Protocol = "kserve-v2-http-binary"
		}
	}
	c.mu.Lock()
	r.Requeued = c.requeued
	c.mu.Unlock()
	for _, ep := range c.eps {
		ep.mu.Lock()
		e := result.Endpoint{Address: ep.addr, Requests: ep.requests, Samples: ep.samples,
			LatencyNS: latency(ep.lat), Lost: ep.lost, LostAtNS: int64(ep.lostAt), Requeued: ep.requeued}
		if ep.err != nil {
			e.Error = ep.err.Error()
		}
		ep.mu.Unlock()
		r.Endpoints = append(r.Endpoints, e)
	}
	return r
}

// ResetStats zeroes the counts and round trips: an untimed probe run
// before the timed one is left out of Stats. An endpoint lost during the
// probe keeps its loss and the samples it gave back, so that the run still
// reports them.
func (c *Client) ResetStats() {
	var kept uint64
	for _, ep := range c.eps {
		ep.mu.Lock()
		ep.requests, ep.samples, ep.lat = 0, 0, nil
		if !ep.lost {
			ep.requeued = 0
		}
		kept += ep.requeued
		ep.mu.Unlock()
	}
	c.mu.Lock()
	c.requeued = kept
	c.mu.Unlock()
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
