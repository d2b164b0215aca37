package result

// Remote describes a run whose system under test was one or more remote
// inference servers (`gotrt run --sut kserve://…`): the protocol and model,
// and what each endpoint did.
type Remote struct {
	// Protocol is "kserve-v2-grpc", "kserve-v2-http-binary" (HTTP/REST with
	// Triton's binary tensor data) or "kserve-v2-http-json"; Stream says whether requests went over
	// Triton's streaming call (ModelStreamInfer) instead of unary ModelInfer.
	Protocol string `json:"protocol"`
	Stream   bool   `json:"stream"`
	Model    string `json:"model"`
	// MaxBatch is the most samples the client put in one request;
	// Concurrency the requests each endpoint had in flight at most.
	MaxBatch    int        `json:"max_batch"`
	Concurrency int        `json:"concurrency"`
	Endpoints   []Endpoint `json:"endpoints"`
	// Requeued counts samples sent again to another endpoint after theirs
	// failed; each was still completed once.
	Requeued uint64 `json:"requeued_samples"`
}

// Endpoint is one remote server's share of a run.
type Endpoint struct {
	Address  string `json:"address"`
	Requests uint64 `json:"requests"`
	Samples  uint64 `json:"samples"`
	// LatencyNS is the round trip of this endpoint's successful requests,
	// from send to answer (the load generator's own latencies, measured
	// from each sample's scheduled time, are in the result's latency_ns).
	LatencyNS Latency `json:"latency_ns"`
	// Lost is set when the endpoint failed during the run; Error says why,
	// LostAtNS when (ns after the first sample was issued, the Offline
	// probe's first when the run probes), and Requeued counts the samples
	// in flight on it that went elsewhere.
	Lost     bool   `json:"lost,omitempty"`
	Error    string `json:"error,omitempty"`
	LostAtNS int64  `json:"lost_at_ns,omitempty"`
	Requeued uint64 `json:"requeued_samples,omitempty"`
}
