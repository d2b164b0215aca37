package serve_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"google.golang.org/grpc"

	"github.com/gotrt/gotrt/runner/serve"
)

// Triton's clients may compress gRPC requests with gzip or deflate
// (tritonclient's compression_algorithm, perf_analyzer's
// --grpc-compression-algorithm); both were UNIMPLEMENTED ("decompressor is
// not installed").
func TestGRPCCompressedRequests(t *testing.T) {
	model, m := builtinModel(t)
	srv := start(t, model, serve.Config{})
	c := dial(t, srv)
	data, want := images(t, m, 4)
	for _, alg := range []string{"gzip", "deflate"} {
		t.Run(alg, func(t *testing.T) {
			r, err := c.ModelInfer(context.Background(), inferRequest(4, data), grpc.UseCompressor(alg))
			require.NoError(t, err)
			assert.Equal(t, want, classes(t, r))
		})
	}
}
