package serve_test

import (
	"context"
	"fmt"

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
