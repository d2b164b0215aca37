package serve

import (
	"compress/gzip"
	"compress/zlib"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// HeaderContentLength is the binary tensor data extension's header: the
// length of the JSON at the start of a body that binary tensors follow.
const HeaderContentLength = "Inference-Header-Content-Length"

// httpTensor is one input or requested output of an HTTP inference
// request, as read from its JSON. Byte slices point into the body.
type httpTensor struct {
	name, datatype []byte
	shape          []int64
	hasShape       bool
	data           []byte // the "data" value, unparsed
	binSize        int64  // binary_data_size, -1 if not given
	binary         int8   // binary_data: -1 not given, 0 false, 1 true
	shm            shmRef
	hasShm         bool
}

// httpRequest is an HTTP inference request's JSON.
type httpRequest struct {
	id           []byte
	binaryOutput bool // binary_data_output
	inputs       []httpTensor
	outputs      []httpTensor
}

// tensorParams reads a tensor's parameters: the binary tensor data and
// shared memory ones are checked and kept; others are ignored. kind is
// "input" or "output", for errors.
func (r *jsonReader) tensorParams(t *httpTensor, kind string) error {
	var region, size, off param // kind 0: not given
	what := func() string { return kind + " " + strconv.Quote(string(t.name)) }
	err := r.params(func(k []byte, v param) error {
		switch string(k) {
		case "binary_data_size":
			n, ok := v.int64()
			if !ok || n < 0 {
				return badRequest("%s: parameter binary_data_size: %s is not a byte count", what(), paramText(v))
			}
			t.binSize = n
		case "binary_data":
			if v.kind != 'b' {
				return badRequest("%s: parameter binary_data: %s is not true or false", what(), paramText(v))
			}
			t.binary = int8(btoi(v.b))
		case "classification":
			return fmt.Errorf("%w: %s: parameter classification (the classification extension)", ErrNotSupported, what())
		case "shared_memory_region":
			region = v
		case "shared_memory_byte_size":
			size = v
		case "shared_memory_offset":
			off = v
		}
		return nil
	})
	if err != nil || (region.kind == 0 && size.kind == 0 && off.kind == 0) {
		return err
	}
	if region.kind == 0 || size.kind == 0 {
		return badRequest("%s: shared_memory_region and shared_memory_byte_size go together", what())
	}
	if region.kind != 's' || len(region.s) == 0 {
		return badRequest("%s: shared_memory_region: %s is not a region name", what(), paramText(region))
	}
	t.shm.region, t.hasShm = string(region.s), true
	var ok bool
	if t.shm.size, ok = size.int64(); !ok || t.shm.size < 0 {
		return badRequest("%s: shared_memory_byte_size: %s is not a byte count", what(), paramText(size))
	}
	if off.kind != 0 {
		if t.shm.offset, ok = off.int64(); !ok || t.shm.offset < 0 {
			return badRequest("%s: shared_memory_offset: %s is not a byte offset", what(), paramText(off))
		}
	}
	return nil
}

func paramText(v param) string {
	switch v.kind {
	case 'b':
		return strconv.FormatBool(v.b)
	case 's':
		return strconv.Quote(string(v.s))
	}
	return string(v.num)
}

// parseHTTPRequest reads an inference request's JSON into req: id,
// parameters, inputs and outputs; unknown fields are skipped. At most
// maxTensors inputs and outputs each are kept.
func parseHTTPRequest(b []byte, req *httpRequest) error {
	const maxTensors = 64
	r := &jsonReader{b: b}
	tensor := func(list *[]httpTensor, kind string) error {
		return r.array(func() error {
			if len(*list) == maxTensors {
				return badRequest("more than %d %ss", maxTensors, kind)
			}
			*list = append(*list, httpTensor{binSize: -1, binary: -1})
			t := &(*list)[len(*list)-1]
			return r.object(func(k []byte) error {
				var err error
				switch string(k) {
				case "name":
					t.name, err = r.str()
				case "datatype":
					t.datatype, err = r.str()
				case "shape":
					t.shape, err = r.int64s(16)
					t.hasShape = true
				case "data":
					t.data, err = r.span()
				case "parameters":
					return r.tensorParams(t, kind)
				default:
					err = r.skip(1)
				}
				return err
			})
		})
	}
	err := r.object(func(k []byte) error {
		var err error
		switch string(k) {
		case "id":
			if r.peek() == 'n' {
				return r.literal("null")
			}
			req.id, err = r.str()
		case "parameters":
			err = r.params(func(k []byte, v param) error {
				if string(k) == "binary_data_output" {
					if v.kind != 'b' {
						return badRequest("parameter binary_data_output: %s is not true or false", paramText(v))
					}
					req.binaryOutput = v.b
				}
				return nil
			})
		case "inputs":
			err = tensor(&req.inputs, "input")
		case "outputs":
			if r.peek() == 'n' {
				return r.literal("null")
			}
			err = tensor(&req.outputs, "output")
		default:
			err = r.skip(1)
		}
		return err
	})
	if err == nil {
		err = r.end()
	}
	if err != nil {
		if errors.Is(err, ErrBadRequest) || errors.Is(err, ErrNotSupported) {
			return err
		}
		return badRequest("request JSON: %w", err)
	}
	return nil
}

// bodyPool recycles request bodies and response buffers.
var bodyPool = sync.Pool{New: func() any { return new([]byte) }}

func getBuf(n int) *[]byte {
	p := bodyPool.Get().(*[]byte)
	if cap(*p) < n {
		*p = make([]byte, 0, n)
	}
	*p = (*p)[:0]
	return p
}

func putBuf(p *[]byte) {
	if cap(*p) <= 64<<20 {
		bodyPool.Put(p)
	}
}

// readBody reads a body of at most limit bytes into a pooled buffer,
// decompressed when its Content-Encoding is gzip or deflate (as Triton's
// clients may send it; the limit holds for the decompressed bytes).
func readBody(w http.ResponseWriter, r *http.Request, limit int64) (*[]byte, error) {
	if r.ContentLength > limit {
		return nil, badRequest("request body of %d bytes exceeds the limit of %d (the largest request this model takes)", r.ContentLength, limit)
	}
	var body io.Reader = http.MaxBytesReader(w, r.Body, limit)
	size := int(max(r.ContentLength, 0))
	switch enc := strings.ToLower(r.Header.Get("Content-Encoding")); enc {
	case "", "identity":
	case "gzip", "deflate":
		var zr io.ReadCloser
		var err error
		if enc == "gzip" {
			zr, err = gzip.NewReader(body)
		} else {
			zr, err = zlib.NewReader(body)
		}
		if err != nil {
			return nil, badRequest("request body: Content-Encoding %s: %w", enc, err)
		}
		defer zr.Close()
		// One byte past the limit tells a body over it.
		body, size = io.LimitReader(zr, limit+1), 4*size
	default:
		return nil, badRequest("request body: Content-Encoding %q is not supported (gzip, deflate or none)", enc)
	}
	p := getBuf(min(size, int(limit)) + 1)
	b := *p
	lr := body
	for {
		if len(b) == cap(b) {
			b = append(b, 0)[:len(b)]
		}
		n, err := lr.Read(b[len(b):cap(b)])
		b = b[:len(b)+n]
		if err == io.EOF && int64(len(b)) > limit {
			err = &http.MaxBytesError{Limit: limit}
		}
		if err == io.EOF {
			break
		}
		if err != nil {
			*p = b
			putBuf(p)
			var mb *http.MaxBytesError
			if errors.As(err, &mb) {
				return nil, badRequest("request body exceeds the limit of %d bytes (the largest request this model takes)", limit)
			}
			return nil, badRequest("reading the request body: %w", err)
		}
	}
	*p = b
	return p, nil
}

// httpPlan is a checked HTTP inference request.
type httpPlan struct {
	request
	id     string // copied: the response reuses the body's buffer
	binary bool   // the output goes as binary data
	outShm bool
}

// planHTTP checks an HTTP inference request whose body is b: the JSON
// header, then binary tensor data when the header length is given
// (hdr, or -1 without the header).
func (srv *Server) planHTTP(b []byte, hdr int) (p httpPlan, err error) {
	defer func() {
		if err != nil {
			p.done()
		}
	}()
	m := &srv.m
	if hdr == 0 {
		// A raw binary request: the body is one sample of the one input,
		// and the outputs come back binary.
		if len(b) != srv.e.inSize {
			return p, badRequest("raw binary request (%s 0): %d bytes, one sample of input %s is %d", HeaderContentLength, len(b), m.Input.Name, srv.e.inSize)
		}
		p.n, p.in, p.binary = 1, b, true
		return p, nil
	}
	js, bin := b, []byte(nil)
	if hdr > 0 {
		js, bin = b[:hdr], b[hdr:]
	}
	var inputs, outputs [1]httpTensor // room for the usual request
	req := httpRequest{inputs: inputs[:0], outputs: outputs[:0]}
	if err := parseHTTPRequest(js, &req); err != nil {
		return p, err
	}
	p.id = string(req.id)
	if len(req.inputs) != 1 {
		return p, badRequest("%d inputs, model %s has 1 (%s)", len(req.inputs), m.Name, m.Input.Name)
	}
	in := &req.inputs[0]
	if !in.hasShape {
		return p, badRequest("input %q: no shape", in.name)
	}
	n, err := m.checkInput(canon(in.name, m.Input.Name), canon(in.datatype, m.Input.Datatype), in.shape, srv.cfg.MaxRequestBatch)
	if err != nil {
		return p, err
	}
	p.n = n
	p.binary = req.binaryOutput
	for i := range req.outputs {
		o := &req.outputs[i]
		name := canon(o.name, m.Output.Name)
		if err := m.checkOutputs(func(yield func(string) bool) { yield(name) }); err != nil {
			return p, err
		}
		if o.binary >= 0 {
			p.binary = o.binary == 1
		}
		if o.hasShm {
			if o.binary == 1 {
				return p, badRequest("output %s: both shared memory and binary_data", name)
			}
			buf, release, err := srv.shm.acquire(o.shm, "output", name, n*srv.e.outSize, true)
			if err != nil {
				return p, err
			}
			p.out, p.outShm, p.release = buf, true, append(p.release, release)
		}
	}
	want := n * srv.e.inSize
	what := srv.inputWhat
	given := btoi(in.data != nil) + btoi(in.binSize >= 0) + btoi(in.hasShm)
	switch {
	case given != 1:
		return p, badRequest("%s: give exactly one of data, parameters.binary_data_size and parameters.shared_memory_region", what)
	case in.binSize >= 0:
		if hdr < 0 {
			return p, badRequest("%s: binary_data_size without the %s header", what, HeaderContentLength)
		}
		if in.binSize != int64(len(bin)) {
			return p, badRequest("%s: binary_data_size %d, but %d bytes of binary data follow the %d-byte JSON header", what, in.binSize, len(bin), hdr)
		}
		if len(bin) != want {
			return p, badRequest("%s: binary_data_size %d, shape %v needs %d", what, in.binSize, in.shape, want)
		}
		p.in = bin
		return p, nil
	case len(bin) > 0:
		return p, badRequest("%d bytes of binary data after the JSON header, but no input has binary_data_size", len(bin))
	case in.hasShm:
		p.in, err = srv.shm.read(in.shm, "input", m.Input.Name, want)
		return p, err
	}
	buf := make([]byte, want)
	if err := elements(in.data, m.Input.Datatype, buf); err != nil {
		return p, badRequest("%s: data: %w", what, err)
	}
	p.in = buf
	return p, nil
}

// canon is b as a string: s itself when they are equal (no copy).
func canon(b []byte, s string) string {
	if string(b) == s {
		return s
	}
	return string(b)
}

// headerLength reads the Inference-Header-Content-Length header: -1 when
// absent.
func headerLength(r *http.Request, bodyLen int) (int, error) {
	v, ok := r.Header[HeaderContentLength]
	if !ok {
		return -1, nil
	}
	if len(v) != 1 {
		return 0, badRequest("%s given %d times", HeaderContentLength, len(v))
	}
	n, err := strconv.Atoi(v[0])
	if err != nil || n < 0 {
		return 0, badRequest("%s: %q is not a byte count", HeaderContentLength, v[0])
	}
	if n > bodyLen {
		return 0, badRequest("%s: %d is more than the body's %d bytes", HeaderContentLength, n, bodyLen)
	}
	return n, nil
}

// httpInfer runs POST /v2/models/{model}[/versions/{v}]/infer: JSON
// tensors, binary tensor data, or shared memory.
func (srv *Server) httpInfer(w http.ResponseWriter, r *http.Request) {
	j := &job{start: time.Now(), ready: make(chan struct{}), done: closeReady}
	body, err := readBody(w, r, int64(srv.cfg.MaxRequestBytes))
	if err != nil {
		srv.e.record(j, err)
		writeErr(w, err)
		return
	}
	var p httpPlan
	hdr, err := headerLength(r, len(*body))
	if err == nil {
		p, err = srv.planHTTP(*body, hdr)
	}
	if err == nil {
		err = srv.e.submit(r.Context(), j, p.n, p.in)
	}
	if err != nil {
		putBuf(body)
		srv.e.record(j, err)
		writeErr(w, err)
		return
	}
	select {
	case <-j.ready:
	case <-r.Context().Done():
		// The samples still read the body and the regions: let go of them
		// once they are done.
		go func() { <-j.ready; p.done(); putBuf(body) }()
		srv.e.record(j, r.Context().Err())
		return // the client is gone
	}
	err = p.finish(j)
	srv.e.record(j, err)
	if err != nil {
		putBuf(body)
		writeErr(w, err)
		return
	}
	// The response reuses the body's buffer: its bytes are read no more.
	out := *body
	out, hlen, err := srv.appendResponse(out[:0], &p, j)
	*body = out
	if err != nil {
		putBuf(body)
		writeErr(w, err)
		return
	}
	h := w.Header()
	if hlen >= 0 {
		h.Set("Content-Type", "application/octet-stream")
		h.Set(HeaderContentLength, strconv.Itoa(hlen))
	} else {
		h.Set("Content-Type", "application/json")
	}
	h.Set("Content-Length", strconv.Itoa(len(out)))
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(out) // the client may be gone
	putBuf(body)
}

// appendResponse appends the answer to p: the JSON, then the output's
// bytes when it goes as binary data (hlen is then the JSON's length, else
// -1). An output in shared memory has neither data nor binary data.
func (srv *Server) appendResponse(dst []byte, p *httpPlan, j *job) (out []byte, hlen int, err error) {
	m := &srv.m
	srv.jsonOnce.Do(func() {
		// What every answer says of the model, written once.
		srv.jsonHead = appendJSONString(append(appendJSONString([]byte(`{"model_name":`), m.Name), `,"model_version":`...), m.version())
		srv.jsonOut = appendJSONString(append(appendJSONString([]byte(`,"outputs":[{"name":`), m.Output.Name), `,"datatype":`...), m.Output.Datatype)
	})
	dst = append(dst, srv.jsonHead...)
	if len(p.id) > 0 {
		dst = append(dst, `,"id":`...)
		dst = appendJSONString(dst, p.id)
	}
	dst = append(dst, srv.jsonOut...)
	dst = append(dst, `,"shape":[`...)
	dst = strconv.AppendInt(dst, int64(j.n), 10)
	for _, d := range m.Output.Shape {
		dst = append(dst, ',')
		dst = strconv.AppendInt(dst, d, 10)
	}
	dst = append(dst, ']')
	switch {
	case p.outShm:
		dst = append(dst, "}]}"...)
		return dst, -1, nil
	case p.binary:
		dst = append(dst, `,"parameters":{"binary_data_size":`...)
		dst = strconv.AppendInt(dst, int64(len(j.out)), 10)
		dst = append(dst, "}}]}"...)
		hlen = len(dst)
		return append(dst, j.out...), hlen, nil
	}
	dst = append(dst, `,"data":`...)
	dst, err = appendElements(dst, m.Output.Datatype, j.out)
	if err != nil {
		return nil, 0, fmt.Errorf("output %s: %w", m.Output.Name, err)
	}
	return append(dst, "}]}"...), -1, nil
}
