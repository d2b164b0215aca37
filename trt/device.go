package trt

// DeviceConfig says how [OpenDevice] sets up one GPU.
type DeviceConfig struct {
	// ID names the device in results and errors; default "gpu<ordinal>".
	ID string
	// Ordinal is the CUDA device index (as CUDA_VISIBLE_DEVICES numbers them).
	Ordinal int
	// Plan is the path of the serialized engine; it must have been built
	// for this GPU model and the TensorRT version linked in.
	Plan string
	// Expect lists the IO tensors the model needs; when given, the engine is
	// checked against it before any run ([ValidateIO]) and a sample's bytes
	// are laid out in its order. Empty trusts the engine and uses its order.
	Expect []TensorSpec
	// GraphBatches lists batch sizes to capture as CUDA graphs per stream
	// (small Server batches gain most); other sizes run a plain enqueue.
	GraphBatches []int
}
