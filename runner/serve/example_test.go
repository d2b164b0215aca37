package serve_test

import (
	"context"
	"fmt"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/credentials/insecure"

	"github.com/gotrt/gotrt/models/builtin"
	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
	"github.com/gotrt/gotrt/runner/serve"
)

// Serve the built-in model on loopback and classify one image over gRPC.
func Example() {
	m, _ := builtin.Default()
	devs, _ := builtin.SplitCPU(1, m, builtin.INT8)
	cfg := serve.Config{HTTP: serve.Off, Metrics: serve.Off, GRPC: "127.0.0.1:0"}
	srv, err := serve.New(serve.BuiltinModel(devs), cfg)
	if err != nil {
		panic(err)
	}
	if err := srv.Start(); err != nil {
		panic(err)
	}
	defer srv.Shutdown(context.Background())

	conn, _ := grpc.NewClient(srv.Addr("grpc"), grpc.WithTransportCredentials(insecure.NewCredentials()))
	defer conn.Close()
	cl := pb.NewGRPCInferenceServiceClient(conn)
	md, _ := cl.ModelMetadata(context.Background(), &pb.ModelMetadataRequest{Name: serve.BuiltinName})
	fmt.Println(md.GetName(), md.GetInputs()[0].GetName(), md.GetInputs()[0].GetDatatype(), md.GetInputs()[0].GetShape())
	r, err := cl.ModelInfer(context.Background(), &pb.ModelInferRequest{
		ModelName:        serve.BuiltinName,
		Inputs:           []*pb.ModelInferRequest_InferInputTensor{{Name: "input", Datatype: "UINT8", Shape: []int64{1, 32, 32}}},
		RawInputContents: [][]byte{make([]byte, 32*32)},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(r.GetOutputs()[0].GetName(), r.GetOutputs()[0].GetShape(), len(r.GetRawOutputContents()[0]), "bytes")
	// Output:
	// gotrt-builtin input UINT8 [-1 32 32]
	// output [1 1] 4 bytes
}

// The model configuration Triton's clients read before they send load:
// the most samples a request may carry, the tensors without the batch
// dimension, the dynamic batcher's settings.
func ExampleServer_ModelConfig() {
	m, _ := builtin.Default()
	devs, _ := builtin.SplitCPU(1, m, builtin.INT8)
	cfg := serve.Config{MaxRequestBatch: 64}
	cfg.Sched.MaxBatch, cfg.Sched.Streams, cfg.Sched.BatchTimeout = 16, 1, 500*time.Microsecond
	srv, err := serve.New(serve.BuiltinModel(devs), cfg)
	if err != nil {
		panic(err)
	}
	defer srv.Close()
	c := srv.ModelConfig()
	fmt.Println(c.GetName(), "max_batch_size", c.GetMaxBatchSize())
	fmt.Println(c.GetInput()[0].GetName(), c.GetInput()[0].GetDataType(), c.GetInput()[0].GetDims())
	fmt.Println(c.GetOutput()[0].GetName(), c.GetOutput()[0].GetDataType(), c.GetOutput()[0].GetDims())
	db := c.GetDynamicBatching()
	fmt.Println("preferred", db.GetPreferredBatchSize(), "delay", db.GetMaxQueueDelayMicroseconds(), "µs")
	fmt.Println(c.GetInstanceGroup()[0].GetKind(), c.GetInstanceGroup()[0].GetCount())
	fmt.Println(serve.Extensions)
	// Output:
	// gotrt-builtin max_batch_size 64
	// input TYPE_UINT8 [32 32]
	// output TYPE_INT32 [1]
	// preferred [16] delay 500 µs
	// KIND_CPU 1
	// [binary_tensor_data model_configuration statistics model_repository system_shared_memory]
}
