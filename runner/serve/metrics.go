package serve

import (
	"bufio"
	"fmt"
	"net/http"
	"strconv"
)

// metricsHandler serves GET /metrics in the Prometheus text format, under
// Triton's metric names where Triton has one. Durations are cumulative
// microseconds, as Triton's; the scheduler's per-stage times are summed over
// samples, so queue plus compute times add up to the samples' time inside
// the server.
func (srv *Server) metricsHandler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /metrics", func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/plain; version=0.0.4; charset=utf-8")
		bw := bufio.NewWriter(w)
		srv.writeMetrics(bw)
		_ = bw.Flush() // the scraper may be gone
	})
	return mux
}

func (srv *Server) writeMetrics(w *bufio.Writer) {
	m := &srv.m
	lbl := fmt.Sprintf(`{model=%q,version=%q}`, m.Name, m.version())
	metric := func(name, typ, help string) {
		fmt.Fprintf(w, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, typ)
	}
	one := func(name, typ, help, labels string, v float64) {
		metric(name, typ, help)
		fmt.Fprintf(w, "%s%s %s\n", name, labels, strconv.FormatFloat(v, 'g', -1, 64))
	}
	e := srv.e
	e.stats.mu.Lock()
	success, failure, count, durNS := e.stats.success.Count, e.stats.fail.Count, e.stats.inferCount, e.stats.success.Ns
	e.stats.mu.Unlock()
	st := srv.s.Stats()
	var batches, samples uint64
	var queue, input, infer, output float64 // µs, summed over samples
	for _, d := range st.Devices {
		batches += d.Batches
		samples += d.Samples
		n := float64(d.Samples) / 1e3
		l := d.LatencyNS
		queue += float64(l.QueueWait) * n
		input += float64(l.Stage+l.H2D) * n
		infer += float64(l.DeviceWait+l.Compute) * n
		output += float64(l.D2H+l.Completion) * n
	}
	one("nv_inference_request_success", "counter", "Number of successful inference requests, all batch sizes", lbl, float64(success))
	one("nv_inference_request_failure", "counter", "Number of failed inference requests, all batch sizes", lbl, float64(failure))
	one("nv_inference_count", "counter", "Number of inferences performed (a batch of n counts n)", lbl, float64(count))
	one("nv_inference_pending_request_count", "gauge", "Instantaneous number of requests waiting in the scheduler or running", lbl, float64(e.pending.Load()))
	one("nv_inference_exec_count", "counter", "Number of model executions (batches) performed", lbl, float64(batches))
	one("nv_inference_request_duration_us", "counter", "Cumulative end-to-end inference request handling time", lbl, float64(durNS)/1e3)
	one("nv_inference_queue_duration_us", "counter", "Cumulative time samples waited in the scheduler's queue", lbl, queue)
	one("nv_inference_compute_input_duration_us", "counter", "Cumulative compute input time (staging and host-to-device copy)", lbl, input)
	one("nv_inference_compute_infer_duration_us", "counter", "Cumulative compute inference time", lbl, infer)
	one("nv_inference_compute_output_duration_us", "counter", "Cumulative compute output time (device-to-host copy and completion)", lbl, output)
	metric("gotrt_batch_size_mean", "gauge", "Mean batch size per device since start")
	for _, d := range st.Devices {
		fmt.Fprintf(w, "gotrt_batch_size_mean{device=%q} %s\n", d.ID, strconv.FormatFloat(d.MeanBatch, 'g', -1, 64))
	}
	metric("gotrt_device_utilization", "gauge", "Fraction of time each device was busy since start")
	for _, d := range st.Devices {
		fmt.Fprintf(w, "gotrt_device_utilization{device=%q} %s\n", d.ID, strconv.FormatFloat(d.Utilisation, 'g', -1, 64))
	}
	ready := 0.0
	if srv.Ready() {
		ready = 1
	}
	one("gotrt_server_ready", "gauge", "1 while the server takes inference requests", "", ready)
	if srv.cfg.GPU == nil {
		return
	}
	gpus := srv.cfg.GPU()
	gauge := func(name, help string, f func(GPUReading) float64) {
		metric(name, "gauge", help)
		for _, g := range gpus {
			fmt.Fprintf(w, "%s{gpu_uuid=%q} %s\n", name, g.UUID, strconv.FormatFloat(f(g), 'g', -1, 64))
		}
	}
	gauge("nv_gpu_utilization", "GPU utilization rate [0.0 - 1.0)", func(g GPUReading) float64 { return g.UtilizationPct / 100 })
	gauge("nv_gpu_power_usage", "GPU power usage in watts", func(g GPUReading) float64 { return g.PowerW })
	gauge("nv_gpu_memory_used_bytes", "GPU used memory, in bytes", func(g GPUReading) float64 { return g.MemoryUsedB })
	gauge("nv_gpu_memory_total_bytes", "GPU total memory, in bytes", func(g GPUReading) float64 { return g.MemoryTotalB })
}
