package kserve

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"time"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// httpTransport speaks KServe v2 HTTP/REST: JSON tensors, and Triton's
// binary tensor data extension (the JSON header, then the tensors' bytes,
// its length in Inference-Header-Content-Length) unless binary is off.
// Connections are kept and reused, one per request slot.
type httpTransport struct {
	base string // http://HOST:PORT
	hc   *http.Client
	// binary sends inputs as binary tensors and asks binary outputs; set
	// before the workers start, read-only after.
	binary bool
}

// inferenceHeader is the binary tensor data extension's header: the length
// of the JSON object that starts the body.
const inferenceHeader = "Inference-Header-Content-Length"

// maxSmallAnswer bounds the answers to health and metadata calls.
const maxSmallAnswer = 1 << 20

func newHTTP(addr string, conns int, binary bool) *httpTransport {
	d := &net.Dialer{Timeout: 5 * time.Second, KeepAlive: 30 * time.Second}
	tr := &http.Transport{
		Proxy:               nil, // a benchmark goes straight to the server
		DialContext:         d.DialContext,
		MaxIdleConns:        conns + 2,
		MaxIdleConnsPerHost: conns + 2,
		IdleConnTimeout:     90 * time.Second,
		// The bound on an answer counts bytes on the wire.
		DisableCompression: true,
	}
	return &httpTransport{base: "http://" + addr, hc: &http.Client{Transport: tr}, binary: binary}
}

func (h *httpTransport) close() error {
	h.hc.CloseIdleConnections()
	return nil
}

// httpError is an answer with a status other than 200.
type httpError struct {
	code int
	msg  string
}

func (e *httpError) Error() string {
	if e.msg == "" {
		return fmt.Sprintf("HTTP %d", e.code)
	}
	return fmt.Sprintf("HTTP %d: %s", e.code, e.msg)
}

// do sends req and reads at most limit bytes of its answer. A failed
// connection, a cut answer or a 500, 502, 503 or 504 wraps errBroken (the
// server or the path to it failed); another status than 200 is an
// *httpError; an answer over limit is an error that names the limit.
func (h *httpTransport) do(req *http.Request, limit int) (*http.Response, []byte, error) {
	resp, err := h.hc.Do(req)
	if err != nil {
		return nil, nil, broken(err)
	}
	defer resp.Body.Close()
	if resp.ContentLength > int64(limit) {
		return nil, nil, fmt.Errorf("%s %s: answer of %d bytes is over the %d this request may take", req.Method, req.URL.Path, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, int64(limit)+1))
	if err != nil {
		return nil, nil, broken(fmt.Errorf("%s %s: reading the answer: %w", req.Method, req.URL.Path, err))
	}
	if len(body) > limit {
		return nil, nil, fmt.Errorf("%s %s: answer over the %d bytes this request may take", req.Method, req.URL.Path, limit)
	}
	if resp.StatusCode != http.StatusOK {
		he := &httpError{code: resp.StatusCode, msg: errorText(body)}
		switch resp.StatusCode {
		case http.StatusInternalServerError, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
			return resp, body, broken(fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, he))
		}
		return resp, body, fmt.Errorf("%s %s: %w", req.Method, req.URL.Path, he)
	}
	return resp, body, nil
}

// errorText is the "error" of a JSON error answer, or its text, short.
func errorText(body []byte) string {
	var e struct {
		Error string `json:"error"`
	}
	if json.Unmarshal(body, &e) == nil && e.Error != "" {
		return short(e.Error)
	}
	return short(string(bytes.TrimSpace(body)))
}

func (h *httpTransport) get(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.base+path, nil)
	if err != nil {
		return nil, err
	}
	_, body, err := h.do(req, maxSmallAnswer)
	return body, err
}

func (h *httpTransport) live(ctx context.Context) error {
	_, err := h.get(ctx, "/v2/health/live")
	return err
}

func (h *httpTransport) serverReady(ctx context.Context) (bool, error) {
	_, err := h.get(ctx, "/v2/health/ready")
	var he *httpError
	if errors.As(err, &he) && he.code == http.StatusServiceUnavailable {
		return false, nil
	}
	return err == nil, err
}

func modelPath(model string) string { return "/v2/models/" + url.PathEscape(model) }

func (h *httpTransport) modelReady(ctx context.Context, model string) (bool, error) {
	body, err := h.get(ctx, modelPath(model)+"/ready")
	var he *httpError
	switch {
	case errors.As(err, &he) && he.code == http.StatusNotFound:
		return false, fmt.Errorf("%w: %w", errUnknownModel, err)
	case errors.As(err, &he) && he.code == http.StatusServiceUnavailable:
		return false, nil // KServe's ModelNotReady
	case err != nil:
		return false, err
	}
	// The protocol says 200 means ready; KServe adds {"ready": …}.
	var r struct {
		Ready *bool `json:"ready"`
	}
	if json.Unmarshal(body, &r) == nil && r.Ready != nil {
		return *r.Ready, nil
	}
	return true, nil
}

func (h *httpTransport) metadata(ctx context.Context, model string) (*pb.ModelMetadataResponse, error) {
	body, err := h.get(ctx, modelPath(model))
	var he *httpError
	if errors.As(err, &he) && he.code == http.StatusNotFound {
		return nil, fmt.Errorf("%w: %w", errUnknownModel, err)
	}
	if err != nil {
		return nil, err
	}
	var md struct {
		Name     string   `json:"name"`
		Versions []string `json:"versions"`
		Platform string   `json:"platform"`
		Inputs   []struct {
			Name     string  `json:"name"`
			Datatype string  `json:"datatype"`
			Shape    []int64 `json:"shape"`
		} `json:"inputs"`
		Outputs []struct {
			Name     string  `json:"name"`
			Datatype string  `json:"datatype"`
			Shape    []int64 `json:"shape"`
		} `json:"outputs"`
	}
	if err := json.Unmarshal(body, &md); err != nil {
		return nil, fmt.Errorf("model metadata: %w", err)
	}
	r := &pb.ModelMetadataResponse{Name: md.Name, Versions: md.Versions, Platform: md.Platform}
	for _, t := range md.Inputs {
		r.Inputs = append(r.Inputs, &pb.ModelMetadataResponse_TensorMetadata{Name: t.Name, Datatype: t.Datatype, Shape: t.Shape})
	}
	for _, t := range md.Outputs {
		r.Outputs = append(r.Outputs, &pb.ModelMetadataResponse_TensorMetadata{Name: t.Name, Datatype: t.Datatype, Shape: t.Shape})
	}
	return r, nil
}

// infer sends req (one input, its bytes in raw_input_contents) as JSON or
// binary tensors and reads the answer, JSON or binary, into a response
// whose raw_output_contents holds every output's bytes.
func (h *httpTransport) infer(ctx context.Context, req *pb.ModelInferRequest, limit int) (*pb.ModelInferResponse, error) {
	body, hdrLen, err := h.encode(req)
	if err != nil {
		return nil, err
	}
	hr, err := http.NewRequestWithContext(ctx, http.MethodPost, h.base+modelPath(req.GetModelName())+"/infer", bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	if hdrLen < len(body) {
		hr.Header.Set("Content-Type", "application/octet-stream")
		hr.Header.Set(inferenceHeader, strconv.Itoa(hdrLen))
	} else {
		hr.Header.Set("Content-Type", "application/json")
	}
	resp, ans, err := h.do(hr, limit)
	if err != nil {
		return nil, err
	}
	r, err := decodeAnswer(resp.Header.Get(inferenceHeader), ans)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrRequest, hr.URL.Path, err)
	}
	return r, nil
}

// encode writes req's JSON header and, when binary, the input's bytes
// after it; hdrLen is the header's length.
func (h *httpTransport) encode(req *pb.ModelInferRequest) (body []byte, hdrLen int, err error) {
	in := req.GetInputs()[0]
	raw := req.GetRawInputContents()[0]
	q := func(s string) []byte { b, _ := json.Marshal(s); return b }
	b := make([]byte, 0, 256+len(raw)*4)
	b = append(b, `{`...)
	if id := req.GetId(); id != "" {
		b = append(b, `"id":`...)
		b = append(b, q(id)...)
		b = append(b, ',')
	}
	b = append(b, `"inputs":[{"name":`...)
	b = append(b, q(in.GetName())...)
	b = append(b, `,"datatype":`...)
	b = append(b, q(in.GetDatatype())...)
	b = append(b, `,"shape":[`...)
	for i, d := range in.GetShape() {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, d, 10)
	}
	b = append(b, ']')
	if h.binary {
		b = append(b, `,"parameters":{"binary_data_size":`...)
		b = strconv.AppendInt(b, int64(len(raw)), 10)
		b = append(b, `}}]`...)
	} else {
		b = append(b, `,"data":`...)
		if b, err = appendJSONData(b, in.GetDatatype(), raw); err != nil {
			return nil, 0, fmt.Errorf("%w: input %s: %w", ErrRequest, in.GetName(), err)
		}
		b = append(b, `}]`...)
	}
	if outs := req.GetOutputs(); len(outs) > 0 {
		b = append(b, `,"outputs":[`...)
		for i, o := range outs {
			if i > 0 {
				b = append(b, ',')
			}
			b = append(b, `{"name":`...)
			b = append(b, q(o.GetName())...)
			if h.binary {
				b = append(b, `,"parameters":{"binary_data":true}`...)
			}
			b = append(b, '}')
		}
		b = append(b, ']')
	}
	if h.binary {
		b = append(b, `,"parameters":{"binary_data_output":true}`...)
	}
	b = append(b, '}')
	hdrLen = len(b)
	if h.binary {
		b = append(b, raw...)
	}
	return b, hdrLen, nil
}

// appendJSONData appends raw, little-endian elements of dt, as a flat
// JSON array of numbers (or booleans).
func appendJSONData(b []byte, dt string, raw []byte) ([]byte, error) {
	size := pb.DatatypeSize(dt)
	if size == 0 || dt == "FP16" || dt == "BF16" {
		return nil, fmt.Errorf("datatype %s has no JSON form here: use binary tensors", dt)
	}
	b = append(b, '[')
	for i := 0; i+size <= len(raw); i += size {
		if i > 0 {
			b = append(b, ',')
		}
		e := raw[i : i+size]
		var u uint64
		for k := size - 1; k >= 0; k-- {
			u = u<<8 | uint64(e[k])
		}
		switch {
		case dt == "BOOL":
			b = strconv.AppendBool(b, u != 0)
		case dt == "FP32":
			b = strconv.AppendFloat(b, float64(math.Float32frombits(uint32(u))), 'g', -1, 32)
		case dt == "FP64":
			b = strconv.AppendFloat(b, math.Float64frombits(u), 'g', -1, 64)
		case isSigned(dt):
			shift := 64 - 8*size
			b = strconv.AppendInt(b, int64(u<<shift)>>shift, 10)
		default:
			b = strconv.AppendUint(b, u, 10)
		}
	}
	return append(b, ']'), nil
}

// httpAnswer is the JSON of an inference answer (or its header, when
// binary tensors follow).
type httpAnswer struct {
	ModelName    string `json:"model_name"`
	ModelVersion string `json:"model_version"`
	ID           string `json:"id"`
	Outputs      []struct {
		Name       string          `json:"name"`
		Datatype   string          `json:"datatype"`
		Shape      []int64         `json:"shape"`
		Parameters map[string]any  `json:"parameters"`
		Data       json.RawMessage `json:"data"`
	} `json:"outputs"`
}

// decodeAnswer reads an answer body: JSON alone, or (hdr set) a JSON
// header of hdr bytes followed by the binary outputs in the header's
// order, each binary_data_size long. Every output's bytes go to
// raw_output_contents.
func decodeAnswer(hdr string, body []byte) (*pb.ModelInferResponse, error) {
	js, bin := body, []byte(nil)
	if hdr != "" {
		n, err := strconv.Atoi(hdr)
		if err != nil || n < 0 || n > len(body) {
			return nil, fmt.Errorf("%s %q: want the JSON header's length, at most the body's %d bytes", inferenceHeader, short(hdr), len(body))
		}
		js, bin = body[:n], body[n:]
	}
	var a httpAnswer
	if err := json.Unmarshal(js, &a); err != nil {
		return nil, fmt.Errorf("answer: %w", err)
	}
	r := &pb.ModelInferResponse{ModelName: a.ModelName, ModelVersion: a.ModelVersion, Id: a.ID}
	for _, o := range a.Outputs {
		r.Outputs = append(r.Outputs, &pb.ModelInferResponse_InferOutputTensor{Name: o.Name, Datatype: o.Datatype, Shape: o.Shape})
		n := 1
		for _, d := range o.Shape {
			if d < 0 || d > math.MaxInt32 || n*int(d) > maxAnswer {
				return nil, fmt.Errorf("output %s: shape %v", o.Name, o.Shape)
			}
			n *= int(d)
		}
		if sz, ok := o.Parameters["binary_data_size"]; ok {
			f, ok := sz.(float64)
			if !ok || f < 0 || f > float64(len(bin)) || f != math.Trunc(f) {
				return nil, fmt.Errorf("output %s: binary_data_size %v: want a size within the %d bytes after the header", o.Name, sz, len(bin))
			}
			r.RawOutputContents = append(r.RawOutputContents, bin[:int(f)])
			bin = bin[int(f):]
			continue
		}
		c, err := jsonContents(o.Datatype, o.Data, n)
		if err != nil {
			return nil, fmt.Errorf("output %s: data: %w", o.Name, err)
		}
		raw, err := pb.ContentsBytes(o.Datatype, c, n)
		if err != nil {
			return nil, fmt.Errorf("output %s: %w", o.Name, err)
		}
		r.RawOutputContents = append(r.RawOutputContents, raw)
	}
	if len(bin) > 0 {
		return nil, fmt.Errorf("%d bytes after the binary outputs", len(bin))
	}
	return r, nil
}

// jsonContents reads a JSON tensor's data, a flat or nested array in
// row-major order, into the typed contents field of datatype dt: exactly
// n elements. Integers keep their 64 bits (no float64 on the way).
func jsonContents(dt string, data []byte, n int) (*pb.InferTensorContents, error) {
	c := &pb.InferTensorContents{}
	got, depth := 0, 0
	for i := 0; i < len(data); {
		ch := data[i]
		switch ch {
		case ' ', '\t', '\n', '\r', ',':
			i++
			continue
		case '[':
			if depth++; depth > 32 {
				return nil, errors.New("arrays nested deeper than 32")
			}
			i++
			continue
		case ']':
			if depth--; depth < 0 {
				return nil, errors.New("unbalanced ]")
			}
			i++
			continue
		}
		if depth == 0 {
			return nil, errors.New("want an array")
		}
		if got++; got > n {
			return nil, fmt.Errorf("more than the %d elements of the shape", n)
		}
		j := i + 1
		if ch == '"' {
			for j < len(data) && data[j] != '"' {
				if data[j] == '\\' {
					j++
				}
				j++
			}
			if j >= len(data) {
				return nil, errors.New("unterminated string")
			}
			j++
		} else {
			for j < len(data) && !bytes.ContainsRune([]byte(" \t\n\r,]"), rune(data[j])) {
				j++
			}
		}
		tok := string(data[i:j])
		if err := addElement(c, dt, tok); err != nil {
			return nil, fmt.Errorf("element %d: %w", got-1, err)
		}
		i = j
	}
	if depth != 0 {
		return nil, errors.New("unbalanced [")
	}
	if got != n {
		return nil, fmt.Errorf("%d elements, the shape needs %d", got, n)
	}
	return c, nil
}

// addElement appends one JSON value of datatype dt to its contents field.
func addElement(c *pb.InferTensorContents, dt, tok string) error {
	bad := func(err error) error { return fmt.Errorf("%s is not a %s: %w", short(tok), dt, err) }
	integral := func() (string, error) {
		// A float with no fraction (3.0, 1e3) is an integer written loosely.
		if f, err := strconv.ParseFloat(tok, 64); err == nil && f == math.Trunc(f) && math.Abs(f) < 1<<53 {
			return strconv.FormatFloat(f, 'f', 0, 64), nil
		}
		return tok, nil
	}
	switch dt {
	case "BOOL":
		switch tok {
		case "true":
			c.BoolContents = append(c.BoolContents, true)
		case "false":
			c.BoolContents = append(c.BoolContents, false)
		default:
			return bad(errors.New("want true or false"))
		}
	case "INT8", "INT16", "INT32", "INT64":
		if _, err := strconv.ParseInt(tok, 10, 64); err != nil {
			tok, _ = integral()
		}
		v, err := strconv.ParseInt(tok, 10, 64)
		if err != nil {
			return bad(err)
		}
		if dt == "INT64" {
			c.Int64Contents = append(c.Int64Contents, v)
		} else {
			if v < math.MinInt32 || v > math.MaxInt32 {
				return bad(errRange)
			}
			c.IntContents = append(c.IntContents, int32(v))
		}
	case "UINT8", "UINT16", "UINT32", "UINT64":
		if _, err := strconv.ParseUint(tok, 10, 64); err != nil {
			tok, _ = integral()
		}
		v, err := strconv.ParseUint(tok, 10, 64)
		if err != nil {
			return bad(err)
		}
		if dt == "UINT64" {
			c.Uint64Contents = append(c.Uint64Contents, v)
		} else {
			if v > math.MaxUint32 {
				return bad(errRange)
			}
			c.UintContents = append(c.UintContents, uint32(v))
		}
	case "FP32", "FP64":
		// Python's json writes NaN, Infinity and -Infinity bare.
		switch tok {
		case "NaN":
			tok = "NaN"
		case "Infinity":
			tok = "+Inf"
		case "-Infinity":
			tok = "-Inf"
		}
		v, err := strconv.ParseFloat(tok, 64)
		if err != nil && !errors.Is(err, strconv.ErrRange) {
			return bad(err)
		}
		if dt == "FP32" {
			c.Fp32Contents = append(c.Fp32Contents, float32(v))
		} else {
			c.Fp64Contents = append(c.Fp64Contents, v)
		}
	case "BYTES":
		var s string
		if err := json.Unmarshal([]byte(tok), &s); err != nil {
			return bad(err)
		}
		c.BytesContents = append(c.BytesContents, []byte(s))
	default:
		return fmt.Errorf("datatype %q has no JSON form: ask for binary outputs", dt)
	}
	return nil
}
