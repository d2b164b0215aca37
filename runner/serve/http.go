package serve

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
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
	case errors.Is(err, ErrNotSupported):
		return http.StatusBadRequest
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
		writeJSON(w, http.StatusOK, httpServerMeta{Name: "gotrt", Version: srv.cfg.Version, Extensions: Extensions})
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
	srv.extensionRoutes(mux, model)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, httpError{Error: fmt.Sprintf("no such endpoint: %s %s", r.Method, r.URL.Path)})
	})
	return mux
}

// The statistics extension's JSON objects: every counter is written, as
// Triton writes them (perf_analyzer reads each one).
type (
	jsonDuration struct {
		Count uint64 `json:"count"`
		NS    uint64 `json:"ns"`
	}
	jsonInferStats struct {
		Success       jsonDuration `json:"success"`
		Fail          jsonDuration `json:"fail"`
		Queue         jsonDuration `json:"queue"`
		ComputeInput  jsonDuration `json:"compute_input"`
		ComputeInfer  jsonDuration `json:"compute_infer"`
		ComputeOutput jsonDuration `json:"compute_output"`
		CacheHit      jsonDuration `json:"cache_hit"`
		CacheMiss     jsonDuration `json:"cache_miss"`
	}
	jsonBatchStats struct {
		BatchSize     uint64       `json:"batch_size"`
		ComputeInput  jsonDuration `json:"compute_input"`
		ComputeInfer  jsonDuration `json:"compute_infer"`
		ComputeOutput jsonDuration `json:"compute_output"`
	}
	jsonModelStats struct {
		Name           string           `json:"name"`
		Version        string           `json:"version"`
		LastInference  uint64           `json:"last_inference"`
		InferenceCount uint64           `json:"inference_count"`
		ExecutionCount uint64           `json:"execution_count"`
		InferenceStats jsonInferStats   `json:"inference_stats"`
		ResponseStats  map[string]any   `json:"response_stats"`
		BatchStats     []jsonBatchStats `json:"batch_stats"`
		MemoryUsage    []any            `json:"memory_usage"`
	}
	jsonStatsResponse struct {
		ModelStats []jsonModelStats `json:"model_stats"`
	}
	jsonShmStatus struct {
		Name     string `json:"name"`
		Key      string `json:"key"`
		Offset   uint64 `json:"offset"`
		ByteSize uint64 `json:"byte_size"`
	}
)

func jd(d *pb.StatisticDuration) jsonDuration {
	return jsonDuration{Count: d.GetCount(), NS: d.GetNs()}
}

func statsJSON(ms *pb.ModelStatistics) jsonModelStats {
	is := ms.GetInferenceStats()
	j := jsonModelStats{Name: ms.GetName(), Version: ms.GetVersion(), LastInference: ms.GetLastInference(),
		InferenceCount: ms.GetInferenceCount(), ExecutionCount: ms.GetExecutionCount(),
		InferenceStats: jsonInferStats{Success: jd(is.GetSuccess()), Fail: jd(is.GetFail()), Queue: jd(is.GetQueue()),
			ComputeInput: jd(is.GetComputeInput()), ComputeInfer: jd(is.GetComputeInfer()), ComputeOutput: jd(is.GetComputeOutput()),
			CacheHit: jd(is.GetCacheHit()), CacheMiss: jd(is.GetCacheMiss())},
		ResponseStats: map[string]any{}, BatchStats: []jsonBatchStats{}, MemoryUsage: []any{}}
	for _, b := range ms.GetBatchStats() {
		j.BatchStats = append(j.BatchStats, jsonBatchStats{BatchSize: b.GetBatchSize(),
			ComputeInput: jd(b.GetComputeInput()), ComputeInfer: jd(b.GetComputeInfer()), ComputeOutput: jd(b.GetComputeOutput())})
	}
	return j
}

// extensionRoutes adds the routes of Triton's extensions: model
// configuration, statistics, model repository, system and CUDA shared
// memory.
func (srv *Server) extensionRoutes(mux *http.ServeMux, model func(func(http.ResponseWriter, *http.Request)) http.HandlerFunc) {
	config := model(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, configJSON(srv.ModelConfig()))
	})
	stats := model(func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, jsonStatsResponse{ModelStats: []jsonModelStats{statsJSON(srv.ModelStatistics())}})
	})
	for _, p := range []string{"/v2/models/{model}", "/v2/models/{model}/versions/{version}"} {
		mux.HandleFunc("GET "+p+"/config", config)
		mux.HandleFunc("GET "+p+"/stats", stats)
	}
	// Every model's statistics; a model named "stats" is not reachable
	// here, as in Triton.
	mux.HandleFunc("GET /v2/models/stats", func(w http.ResponseWriter, _ *http.Request) {
		writeJSON(w, http.StatusOK, jsonStatsResponse{ModelStats: []jsonModelStats{statsJSON(srv.ModelStatistics())}})
	})

	mux.HandleFunc("POST /v2/repository/index", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Ready bool `json:"ready"`
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err == nil && len(bytes.TrimSpace(body)) > 0 {
			err = json.Unmarshal(body, &req)
		}
		if err != nil {
			writeErr(w, badRequest("repository index request: %w", err))
			return
		}
		writeJSON(w, http.StatusOK, srv.repositoryIndex(req.Ready))
	})
	for _, op := range []string{"load", "unload"} {
		mux.HandleFunc("POST /v2/repository/models/{model}/"+op, func(w http.ResponseWriter, r *http.Request) {
			writeErr(w, errFixedModels(op, r.PathValue("model")))
		})
	}

	shmStatus := func(w http.ResponseWriter, r *http.Request) {
		st, err := srv.shm.status(r.PathValue("region"))
		if err != nil {
			writeErr(w, err)
			return
		}
		out := []jsonShmStatus{}
		for _, s := range st {
			out = append(out, jsonShmStatus{Name: s.Name, Key: s.Key, Offset: s.Offset, ByteSize: s.ByteSize})
		}
		writeJSON(w, http.StatusOK, out)
	}
	mux.HandleFunc("GET /v2/systemsharedmemory/status", shmStatus)
	mux.HandleFunc("GET /v2/systemsharedmemory/region/{region}/status", shmStatus)
	mux.HandleFunc("POST /v2/systemsharedmemory/region/{region}/register", func(w http.ResponseWriter, r *http.Request) {
		var req struct {
			Key      *string `json:"key"`
			Offset   uint64  `json:"offset"`
			ByteSize *uint64 `json:"byte_size"`
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, 64<<10))
		if err == nil {
			err = json.Unmarshal(body, &req)
		}
		if err == nil && (req.Key == nil || req.ByteSize == nil) {
			err = errors.New(`want {"key": ..., "offset": ..., "byte_size": ...}`)
		}
		if err != nil {
			writeErr(w, badRequest("register shared memory region %q: %w", r.PathValue("region"), err))
			return
		}
		if err := srv.shm.register(r.PathValue("region"), *req.Key, req.Offset, *req.ByteSize); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	})
	shmUnregister := func(w http.ResponseWriter, r *http.Request) {
		if err := srv.shm.unregister(r.PathValue("region")); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
	mux.HandleFunc("POST /v2/systemsharedmemory/unregister", shmUnregister)
	mux.HandleFunc("POST /v2/systemsharedmemory/region/{region}/unregister", shmUnregister)

	// CUDA shared memory: none registered, none can be; clearing every
	// region succeeds (perf_analyzer clears both kinds before it starts).
	cudaNone := func(w http.ResponseWriter, r *http.Request) {
		if r.PathValue("region") != "" {
			writeErr(w, errCUDAShm)
			return
		}
		if r.Method == http.MethodGet {
			writeJSON(w, http.StatusOK, []any{})
			return
		}
		w.WriteHeader(http.StatusOK)
	}
	mux.HandleFunc("GET /v2/cudasharedmemory/status", cudaNone)
	mux.HandleFunc("GET /v2/cudasharedmemory/region/{region}/status", cudaNone)
	mux.HandleFunc("POST /v2/cudasharedmemory/unregister", cudaNone)
	mux.HandleFunc("POST /v2/cudasharedmemory/region/{region}/unregister", cudaNone)
	mux.HandleFunc("POST /v2/cudasharedmemory/region/{region}/register", func(w http.ResponseWriter, _ *http.Request) {
		writeErr(w, errCUDAShm)
	})
}
