package serve

import (
	"compress/zlib"
	"io"

	"google.golang.org/grpc/encoding"
	// Triton's clients offer gzip request compression
	// (--grpc-compression-algorithm gzip); grpc-go decodes it once the
	// codec is registered.
	_ "google.golang.org/grpc/encoding/gzip"
)

// deflateCompressor is gRPC's "deflate" message encoding, which gRPC core
// (Triton's clients) writes as zlib-wrapped deflate; grpc-go has no codec
// of that name built in. grpc-go bounds what a decompressor yields by the
// server's largest message, so no request inflates past it.
type deflateCompressor struct{}

func (deflateCompressor) Compress(w io.Writer) (io.WriteCloser, error) { return zlib.NewWriter(w), nil }

func (deflateCompressor) Decompress(r io.Reader) (io.Reader, error) { return zlib.NewReader(r) }

func (deflateCompressor) Name() string { return "deflate" }

func init() { encoding.RegisterCompressor(deflateCompressor{}) }
