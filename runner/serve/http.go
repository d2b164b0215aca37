package serve

import (
	"bytes"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"time"
)

// The v2 REST API's JSON objects.
type (
	httpTensorMeta struct {
		Name     string  `json:"name"`
		Datatype string  `json:"datatype"`
		Shape    []int64 `json:"shape"`
	}
	httpModelMeta struct {
		Name     string           `json:"name"`
		Versions []string         `json:"versions"`
		Platform string           `json:"platform"`
		Inputs   []httpTensorMeta `json:"inputs"`
		Outputs  []httpTensorMeta `json:"outputs"`
	}
	httpServerMeta struct {
		Name       string   `json:"name"`
		Version    string   `json:"version"`
		Extensions []string `json:"extensions"`
	}
	httpInput struct {
		Name       string          `json:"name"`
		Datatype   string          `json:"datatype"`
		Shape      []int64         `json:"shape"`
		Parameters map[string]any  `json:"parameters,omitempty"`
		Data       json.RawMessage `json:"data"`
	}
	httpOutputReq struct {
		Name       string         `json:"name"`
		Parameters map[string]any `json:"parameters,omitempty"`
	}
	httpInferRequest struct {
		ID         string          `json:"id,omitempty"`
		Parameters map[string]any  `json:"parameters,omitempty"`
		Inputs     []httpInput     `json:"inputs"`
		Outputs    []httpOutputReq `json:"outputs,omitempty"`
	}
	httpOutput struct {
		Name     string  `json:"name"`
		Datatype string  `json:"datatype"`
		Shape    []int64 `json:"shape"`
		Data     any     `json:"data"`
	}
	httpInferResponse struct {
		ModelName    string       `json:"model_name"`
		ModelVersion string       `json:"model_version"`
		ID           string       `json:"id,omitempty"`
		Outputs      []httpOutput `json:"outputs"`
	}
	httpError struct {
		Error string `json:"error"`
	}
)

// httpStatus is a request error's HTTP status.
func httpStatus(err error) int {
	switch {
	case errors.Is(err, ErrUnknownModel):
		return http.StatusNotFound
	case errors.Is(err, ErrBadRequest):
		return http.StatusBadRequest
	case errors.Is(err, ErrUnavailable):
		return http.StatusServiceUnavailable
	}
	return http.StatusInternalServerError
}

func writeJSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v) // the client may be gone
}

func writeErr(w http.ResponseWriter, err error) {
	writeJSON(w, httpStatus(err), httpError{Error: err.Error()})
}

// httpHandler routes the v2 REST API. Health answers 200 or 400 with no
// body, as Triton does; errors are {"error": "..."}.
func (srv *Server) httpHandler() http.Handler {
	mux := http.NewServeMux()
	health := func(ok func() bool) http.HandlerFunc {
		return func(w http.ResponseWriter, _ *http.Request) {
			if ok() {
				w.WriteHeader(http.StatusOK)
				return
			}
			w.WriteHeader(http.StatusBadRequest)
		}
	}
	mux.HandleFunc("GET /v2/health/live", health(func() bool { return true }))
	mux.HandleFunc("GET /v2/health/ready", health(srv.Ready))
	mux.HandleFunc("GET /v2", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, httpServerMeta{Name: "gotrt", Version: srv.cfg.Version, Extensions: []string{}})
	})
	model := func(h func(w http.ResponseWriter, r *http.Request)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			if err := srv.m.checkModel(r.PathValue("model"), r.PathValue("version")); err != nil {
				writeErr(w, err)
				return
			}
			h(w, r)
		}
	}
	meta := model(func(w http.ResponseWriter, _ *http.Request) {
		m := &srv.m
		tm := func(t Tensor) []httpTensorMeta {
			return []httpTensorMeta{{Name: t.Name, Datatype: t.Datatype, Shape: t.batchShape()}}
		}
		writeJSON(w, http.StatusOK, httpModelMeta{Name: m.Name, Versions: []string{m.version()}, Platform: m.Platform,
			Inputs: tm(m.Input), Outputs: tm(m.Output)})
	})
	ready := model(health(srv.Ready))
	infer := model(srv.httpInfer)
	for _, p := range []string{"/v2/models/{model}", "/v2/models/{model}/versions/{version}"} {
		mux.HandleFunc("GET "+p, meta)
		mux.HandleFunc("GET "+p+"/ready", ready)
		mux.HandleFunc("POST "+p+"/infer", infer)
	}
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, httpError{Error: fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path)})
	})
	return mux
}

// httpInfer runs POST /v2/models/{model}/infer with JSON tensors.
func (srv *Server) httpInfer(w http.ResponseWriter, r *http.Request) {
	j := &job{start: time.Now(), ready: make(chan struct{}), done: closeReady}
	n, in, req, err := srv.readHTTP(w, r)
	if err == nil {
		err = srv.e.submit(r.Context(), j, n, in)
	}
	if err != nil {
		srv.e.record(j, err)
		writeErr(w, err)
		return
	}
	select {
	case <-j.ready:
	case <-r.Context().Done():
		srv.e.record(j, r.Context().Err())
		return // the client is gone
	}
	srv.e.record(j, j.err)
	if j.err != nil {
		writeErr(w, j.err)
		return
	}
	m := &srv.m
	data, err := decodeOutput(m.Output.Datatype, j.out)
	if err != nil {
		writeErr(w, err)
		return
	}
	writeJSON(w, http.StatusOK, httpInferResponse{ModelName: m.Name, ModelVersion: m.version(), ID: req.ID,
		Outputs: []httpOutput{{Name: m.Output.Name, Datatype: m.Output.Datatype,
			Shape: append([]int64{int64(n)}, m.Output.Shape...), Data: data}}})
}

// readHTTP reads and checks an infer request body of at most
// MaxRequestBytes.
func (srv *Server) readHTTP(w http.ResponseWriter, r *http.Request) (int, []byte, *httpInferRequest, error) {
	limit := int64(srv.cfg.MaxRequestBytes)
	if r.ContentLength > limit {
		return 0, nil, nil, badRequest("request body of %d bytes exceeds the limit of %d", r.ContentLength, limit)
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, limit))
	if err != nil {
		var mb *http.MaxBytesError
		if errors.As(err, &mb) {
			return 0, nil, nil, badRequest("request body exceeds the limit of %d bytes", limit)
		}
		return 0, nil, nil, badRequest("reading the request body: %w", err)
	}
	var req httpInferRequest
	if err := json.Unmarshal(body, &req); err != nil {
		return 0, nil, nil, badRequest("request body: %w", err)
	}
	m := &srv.m
	if len(req.Inputs) != 1 {
		return 0, nil, nil, badRequest("%d inputs, model %s has 1 (%s)", len(req.Inputs), m.Name, m.Input.Name)
	}
	t := req.Inputs[0]
	n, err := m.checkInput(t.Name, t.Datatype, t.Shape, srv.cfg.MaxRequestBatch)
	if err != nil {
		return 0, nil, nil, err
	}
	err = m.checkOutputs(func(yield func(string) bool) {
		for _, o := range req.Outputs {
			if !yield(o.Name) {
				return
			}
		}
	})
	if err != nil {
		return 0, nil, nil, err
	}
	count := n * m.Input.Bytes() / DatatypeSize(m.Input.Datatype)
	in, err := jsonElements(t.Data, m.Input.Datatype, count)
	if err != nil {
		return 0, nil, nil, badRequest("input %s: data: %w", t.Name, err)
	}
	return n, in, &req, nil
}

// jsonElements reads a JSON tensor's data, flat or nested arrays of numbers
// in row-major order, into little-endian bytes of datatype dt: exactly
// count elements, each in the type's range.
func jsonElements(raw json.RawMessage, dt string, count int) ([]byte, error) {
	size := DatatypeSize(dt)
	var lo, hi float64
	switch dt {
	case "UINT8", "UINT16", "UINT32":
		lo, hi = 0, math.Exp2(float64(8*size))-1
	case "INT8", "INT16", "INT32":
		hi = math.Exp2(float64(8*size-1)) - 1
		lo = -hi - 1
	case "FP32":
		lo, hi = -math.MaxFloat32, math.MaxFloat32
	default:
		return nil, fmt.Errorf("JSON data of %s is not supported", dt)
	}
	out := make([]byte, 0, count*size)
	dec := json.NewDecoder(bytes.NewReader(raw))
	depth, got := 0, 0
	for {
		tok, err := dec.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch v := tok.(type) {
		case json.Delim:
			switch v {
			case '[':
				if depth++; depth > 8 {
					return nil, errors.New("arrays nested deeper than 8")
				}
			case ']':
				depth--
			default:
				return nil, errors.New("want arrays of numbers")
			}
		case float64:
			if depth == 0 {
				return nil, errors.New("want an array of numbers")
			}
			if got++; got > count {
				return nil, fmt.Errorf("more than %d elements (the shape's)", count)
			}
			if v < lo || v > hi || (dt != "FP32" && v != math.Trunc(v)) {
				return nil, fmt.Errorf("element %d: %v is not a %s", got-1, v, dt)
			}
			switch {
			case dt == "FP32":
				out = binary.LittleEndian.AppendUint32(out, math.Float32bits(float32(v)))
			case lo < 0:
				out = binary.LittleEndian.AppendUint32(out, uint32(int32(v)))[:len(out)+size]
			default:
				out = binary.LittleEndian.AppendUint32(out, uint32(v))[:len(out)+size]
			}
		default:
			return nil, fmt.Errorf("element %d: %v is not a number", got, tok)
		}
	}
	if got != count {
		return nil, fmt.Errorf("%d elements, the shape needs %d", got, count)
	}
	return out, nil
}

// decodeOutput turns an output's little-endian bytes into JSON numbers.
func decodeOutput(dt string, b []byte) (any, error) {
	switch dt {
	case "INT32":
		v := make([]int32, len(b)/4)
		for i := range v {
			v[i] = int32(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return v, nil
	case "FP32":
		v := make([]float32, len(b)/4)
		for i := range v {
			v[i] = math.Float32frombits(binary.LittleEndian.Uint32(b[4*i:]))
		}
		return v, nil
	case "UINT8":
		v := make([]uint16, len(b))
		for i := range v {
			v[i] = uint16(b[i])
		}
		return v, nil
	}
	return nil, fmt.Errorf("%w: output datatype %s has no JSON form here", ErrInternal, dt)
}
