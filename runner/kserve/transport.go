package kserve

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"net"
	"strings"
	"time"

	"google.golang.org/grpc"
	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/credentials/insecure"
	"google.golang.org/grpc/status"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// transport is one endpoint's side of the protocol, gRPC or HTTP/REST. The
// client speaks in the gRPC messages; the HTTP transport translates.
// Errors: a failure of the connection (the server died, a reset) satisfies
// transient; errUnknownModel marks a model the server does not serve.
type transport interface {
	live(ctx context.Context) error
	serverReady(ctx context.Context) (bool, error)
	modelReady(ctx context.Context, model string) (bool, error)
	metadata(ctx context.Context, model string) (*pb.ModelMetadataResponse, error)
	// infer sends one request; the answer may be at most limit bytes on
	// the wire.
	infer(ctx context.Context, req *pb.ModelInferRequest, limit int) (*pb.ModelInferResponse, error)
	close() error
}

// errBroken marks a transport failure of the HTTP transport (gRPC's are
// told by status code): errors.Is(err, errBroken) for a [brokenError].
var errBroken = errors.New("transport failure")

// brokenError is a failure of the server or of the path to it, retried on
// another endpoint; its text is the failure's own.
type brokenError struct{ err error }

func (e brokenError) Error() string        { return e.err.Error() }
func (e brokenError) Unwrap() error        { return e.err }
func (e brokenError) Is(target error) bool { return target == errBroken }

func broken(err error) error { return brokenError{err} }

// errUnknownModel marks an answer that says the server has no such model.
var errUnknownModel = errors.New("no such model")

// transient says whether err is the transport failing (retry elsewhere)
// rather than the server refusing the request.
func transient(err error) bool {
	if errors.Is(err, errBroken) {
		return true
	}
	switch status.Code(err) {
	case codes.Unavailable, codes.Aborted, codes.Canceled, codes.DeadlineExceeded, codes.Unknown, codes.Internal:
		return true
	}
	return false
}

// grpcTransport speaks the protocol over gRPC.
type grpcTransport struct {
	conn *grpc.ClientConn
	cl   pb.GRPCInferenceServiceClient
}

func newGRPC(addr string) (*grpcTransport, error) {
	conn, err := grpc.NewClient(addr,
		grpc.WithTransportCredentials(insecure.NewCredentials()),
		// Sized per call from the model's output (infer's limit); this is
		// the bound of the small calls.
		grpc.WithDefaultCallOptions(grpc.MaxCallRecvMsgSize(maxAnswer), grpc.MaxCallSendMsgSize(64<<20)),
		// A headless Service's name resolves to every pod: spread over them.
		grpc.WithDefaultServiceConfig(`{"loadBalancingConfig":[{"round_robin":{}}]}`))
	if err != nil {
		return nil, err
	}
	return &grpcTransport{conn: conn, cl: pb.NewGRPCInferenceServiceClient(conn)}, nil
}

func (g *grpcTransport) live(ctx context.Context) error {
	_, err := g.cl.ServerLive(ctx, &pb.ServerLiveRequest{})
	return err
}

func (g *grpcTransport) serverReady(ctx context.Context) (bool, error) {
	r, err := g.cl.ServerReady(ctx, &pb.ServerReadyRequest{})
	return r.GetReady(), err
}

func (g *grpcTransport) modelReady(ctx context.Context, model string) (bool, error) {
	r, err := g.cl.ModelReady(ctx, &pb.ModelReadyRequest{Name: model})
	if status.Code(err) == codes.NotFound {
		return false, fmt.Errorf("%w: %w", errUnknownModel, err)
	}
	return r.GetReady(), err
}

func (g *grpcTransport) metadata(ctx context.Context, model string) (*pb.ModelMetadataResponse, error) {
	md, err := g.cl.ModelMetadata(ctx, &pb.ModelMetadataRequest{Name: model})
	if status.Code(err) == codes.NotFound {
		return nil, fmt.Errorf("%w: %w", errUnknownModel, err)
	}
	return md, err
}

func (g *grpcTransport) infer(ctx context.Context, req *pb.ModelInferRequest, limit int) (*pb.ModelInferResponse, error) {
	return g.cl.ModelInfer(ctx, req, grpc.MaxCallRecvMsgSize(limit))
}

func (g *grpcTransport) close() error { return g.conn.Close() }

// maxAnswer bounds an answer whose size the model's metadata does not fix
// (a variable dimension, BYTES).
const maxAnswer = 64 << 20

// sniff says what protocol addr speaks when a call failed: "HTTP/1.1" when
// it answers a plain HTTP request, "HTTP/2" when it opens with an HTTP/2
// SETTINGS frame (a gRPC server does, before reading anything), "" when it
// cannot tell. It reads at most 64 bytes.
func sniff(ctx context.Context, addr string) string {
	ctx, cancel := context.WithTimeout(ctx, 2*time.Second)
	defer cancel()
	var d net.Dialer
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return ""
	}
	defer conn.Close()
	dl, _ := ctx.Deadline()
	_ = conn.SetDeadline(dl)
	// A gRPC server speaks first: read before writing anything.
	var buf [64]byte
	_ = conn.SetReadDeadline(time.Now().Add(300 * time.Millisecond))
	n, _ := conn.Read(buf[:])
	if n >= 9 && buf[3] == 0x4 { // a frame header of type SETTINGS
		return "HTTP/2"
	}
	_ = conn.SetDeadline(dl)
	host, _, _ := net.SplitHostPort(addr)
	if _, err := fmt.Fprintf(conn, "GET /v2/health/live HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n", host); err != nil {
		return ""
	}
	n, _ = conn.Read(buf[:])
	switch {
	case bytes.HasPrefix(buf[:n], []byte("HTTP/1.")):
		return "HTTP/1.1"
	case n >= 9 && buf[3] == 0x4, n >= 9 && buf[3] == 0x7: // SETTINGS or GOAWAY
		return "HTTP/2"
	}
	return ""
}

// resolve checks that addr's host resolves, so that a misspelt name is
// named as such rather than as a connection failure.
func resolve(ctx context.Context, addr string) error {
	host, _, err := net.SplitHostPort(addr)
	if err != nil {
		return err
	}
	if net.ParseIP(strings.Trim(host, "[]")) != nil {
		return nil
	}
	_, err = net.DefaultResolver.LookupHost(ctx, host)
	return err
}
