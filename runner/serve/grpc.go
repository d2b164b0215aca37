package serve

import (
	"context"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"sync"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
)

// grpcService implements inference.GRPCInferenceService.
type grpcService struct {
	pb.UnimplementedGRPCInferenceServiceServer
	srv *Server
}

// grpcError turns a request error into its gRPC status.
func grpcError(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, ErrUnknownModel):
		return status.Error(codes.NotFound, err.Error())
	case errors.Is(err, ErrBadRequest):
		return status.Error(codes.InvalidArgument, err.Error())
	case errors.Is(err, ErrUnavailable):
		return status.Error(codes.Unavailable, err.Error())
	case errors.Is(err, ErrNotSupported):
		return status.Error(codes.Unimplemented, err.Error())
	case errors.Is(err, context.DeadlineExceeded):
		return status.Error(codes.DeadlineExceeded, err.Error())
	case errors.Is(err, context.Canceled):
		return status.Error(codes.Canceled, err.Error())
	}
	return status.Error(codes.Internal, err.Error())
}

func (g *grpcService) ServerLive(context.Context, *pb.ServerLiveRequest) (*pb.ServerLiveResponse, error) {
	return &pb.ServerLiveResponse{Live: true}, nil
}

func (g *grpcService) ServerReady(context.Context, *pb.ServerReadyRequest) (*pb.ServerReadyResponse, error) {
	return &pb.ServerReadyResponse{Ready: g.srv.Ready()}, nil
}

func (g *grpcService) ModelReady(_ context.Context, r *pb.ModelReadyRequest) (*pb.ModelReadyResponse, error) {
	if err := g.srv.m.checkModel(r.GetName(), r.GetVersion()); err != nil {
		return nil, grpcError(err)
	}
	return &pb.ModelReadyResponse{Ready: g.srv.Ready()}, nil
}

func (g *grpcService) ServerMetadata(context.Context, *pb.ServerMetadataRequest) (*pb.ServerMetadataResponse, error) {
	return &pb.ServerMetadataResponse{Name: "gotrt", Version: g.srv.cfg.Version, Extensions: slices.Clone(Extensions)}, nil
}

func (g *grpcService) ModelMetadata(_ context.Context, r *pb.ModelMetadataRequest) (*pb.ModelMetadataResponse, error) {
	m := &g.srv.m
	if err := m.checkModel(r.GetName(), r.GetVersion()); err != nil {
		return nil, grpcError(err)
	}
	meta := func(t Tensor) *pb.ModelMetadataResponse_TensorMetadata {
		return &pb.ModelMetadataResponse_TensorMetadata{Name: t.Name, Datatype: t.Datatype, Shape: t.batchShape()}
	}
	return &pb.ModelMetadataResponse{
		Name: m.Name, Versions: []string{m.version()}, Platform: m.Platform,
		Inputs:  []*pb.ModelMetadataResponse_TensorMetadata{meta(m.Input)},
		Outputs: []*pb.ModelMetadataResponse_TensorMetadata{meta(m.Output)},
	}, nil
}

// request is a checked inference request: n samples whose input bytes are
// in; out, when set, is where the output goes (a shared memory region)
// instead of the answer. release lets go of the shared memory regions it
// holds, once answered.
type request struct {
	n       int
	in, out []byte
	release []func()
}

// finish writes a finished job's output to its shared memory region, if it
// has one, and lets go of the regions. A fault writing the region (its
// object truncated) fails the request.
func (r *request) finish(j *job) error {
	defer r.done()
	if j.err != nil || r.out == nil {
		return j.err
	}
	if err := safeCopy(r.out, j.out); err != nil {
		return badRequest("output: %w", err)
	}
	return nil
}

func (r *request) done() {
	for _, f := range r.release {
		f()
	}
	r.release = nil
}

// grpcShm reads a tensor's shared memory parameters; ok is false when it
// has none.
func grpcShm(params map[string]*pb.InferParameter, kind, name string) (ref shmRef, ok bool, err error) {
	if len(params) == 0 {
		return ref, false, nil
	}
	what := kind + " " + name
	region, hasRegion := params["shared_memory_region"]
	size, hasSize := params["shared_memory_byte_size"]
	off, hasOff := params["shared_memory_offset"]
	if !hasRegion && !hasSize && !hasOff {
		return ref, false, nil
	}
	if !hasRegion || !hasSize {
		return ref, false, badRequest("%s: shared_memory_region and shared_memory_byte_size go together", what)
	}
	if _, isStr := region.GetParameterChoice().(*pb.InferParameter_StringParam); !isStr || region.GetStringParam() == "" {
		return ref, false, badRequest("%s: shared_memory_region is not a region name", what)
	}
	ref.region = region.GetStringParam()
	num := func(p *pb.InferParameter, name string) (int64, error) {
		switch v := p.GetParameterChoice().(type) {
		case *pb.InferParameter_Int64Param:
			if v.Int64Param >= 0 {
				return v.Int64Param, nil
			}
		case *pb.InferParameter_Uint64Param:
			if v.Uint64Param <= math.MaxInt64 {
				return int64(v.Uint64Param), nil
			}
		}
		return 0, badRequest("%s: %s is not a non-negative integer", what, name)
	}
	if ref.size, err = num(size, "shared_memory_byte_size"); err != nil {
		return ref, false, err
	}
	if hasOff {
		if ref.offset, err = num(off, "shared_memory_offset"); err != nil {
			return ref, false, err
		}
	}
	return ref, true, nil
}

// prepare checks a request and returns its batch size and input bytes.
// Nothing of a bad request reaches the scheduler; a request prepare
// accepted is given back with req.done once answered.
func (srv *Server) prepare(r *pb.ModelInferRequest) (req request, err error) {
	defer func() {
		if err != nil {
			req.done()
		}
	}()
	m := &srv.m
	if err := m.checkModel(r.GetModelName(), r.GetModelVersion()); err != nil {
		return req, err
	}
	if len(r.GetInputs()) != 1 {
		return req, badRequest("%d inputs, model %s has 1 (%s)", len(r.GetInputs()), m.Name, m.Input.Name)
	}
	in := r.GetInputs()[0]
	n, err := m.checkInput(in.GetName(), in.GetDatatype(), in.GetShape(), srv.cfg.MaxRequestBatch)
	if err != nil {
		return req, err
	}
	req.n = n
	for _, o := range r.GetOutputs() {
		if err := m.checkOutputs(func(yield func(string) bool) { yield(o.GetName()) }); err != nil {
			return req, err
		}
		if _, ok := o.GetParameters()["classification"]; ok {
			return req, fmt.Errorf("%w: output %s: parameter classification (the classification extension)", ErrNotSupported, o.GetName())
		}
		ref, ok, err := grpcShm(o.GetParameters(), "output", o.GetName())
		if err != nil {
			return req, err
		}
		if ok {
			b, release, err := srv.shm.acquire(ref, "output", o.GetName(), n*srv.e.outSize, true)
			if err != nil {
				return req, err
			}
			req.out, req.release = b, append(req.release, release)
		}
	}
	want := n * srv.e.inSize
	raw := r.GetRawInputContents()
	ref, isShm, err := grpcShm(in.GetParameters(), "input", in.GetName())
	switch {
	case err != nil:
		return req, err
	case isShm && (len(raw) > 0 || in.GetContents() != nil):
		return req, badRequest("input %s: shared memory and data both given", in.GetName())
	case isShm:
		req.in, err = srv.shm.read(ref, "input", in.GetName(), want)
		return req, err
	case len(raw) > 0 && in.GetContents() != nil:
		return req, badRequest("input %s: both raw_input_contents and contents", in.GetName())
	case len(raw) > 1:
		return req, badRequest("%d raw_input_contents for 1 input", len(raw))
	case len(raw) == 1:
		if len(raw[0]) != want {
			return req, badRequest("input %s: %d bytes of raw contents, shape %v needs %d", in.GetName(), len(raw[0]), in.GetShape(), want)
		}
		req.in = raw[0]
		return req, nil
	}
	b, err := contentsBytes(m.Input.Datatype, in.GetContents(), n*int(m.Input.Bytes()/DatatypeSize(m.Input.Datatype)))
	if err != nil {
		return req, badRequest("input %s: %w", in.GetName(), err)
	}
	req.in = b
	return req, nil
}

// contentsBytes converts typed tensor contents of count elements to
// raw little-endian bytes (inferencepb.ContentsBytes, which the client
// reads answers with too).
func contentsBytes(dt string, c *pb.InferTensorContents, count int) ([]byte, error) {
	if c == nil {
		return nil, errors.New("no data (neither contents nor raw_input_contents)")
	}
	return pb.ContentsBytes(dt, c, count)
}

// response builds the answer to a finished job: the output in
// raw_output_contents, or an empty entry there when it went to shared
// memory, as Triton answers.
func (srv *Server) response(r *pb.ModelInferRequest, j *job, toShm bool) *pb.ModelInferResponse {
	m := &srv.m
	shape := append([]int64{int64(j.n)}, m.Output.Shape...)
	out := j.out
	if toShm {
		out = []byte{}
	}
	return &pb.ModelInferResponse{
		ModelName: m.Name, ModelVersion: m.version(), Id: r.GetId(),
		Outputs:           []*pb.ModelInferResponse_InferOutputTensor{{Name: m.Output.Name, Datatype: m.Output.Datatype, Shape: shape}},
		RawOutputContents: [][]byte{out},
	}
}

func closeReady(j *job) { close(j.ready) }

func (g *grpcService) ModelInfer(ctx context.Context, r *pb.ModelInferRequest) (*pb.ModelInferResponse, error) {
	srv := g.srv
	j := &job{start: time.Now(), ready: make(chan struct{}), done: closeReady}
	req, err := srv.prepare(r)
	if err == nil {
		err = srv.e.submit(ctx, j, req.n, req.in)
	}
	if err != nil {
		req.done()
		srv.e.record(j, err)
		return nil, grpcError(err)
	}
	select {
	case <-j.ready:
	case <-ctx.Done():
		// The samples finish anyway and free their slots; nobody waits.
		// The shared memory regions are let go once they have.
		go func() { <-j.ready; req.done() }()
		srv.e.record(j, ctx.Err())
		return nil, grpcError(ctx.Err())
	}
	toShm := req.out != nil
	err = req.finish(j)
	srv.e.record(j, err)
	if err != nil {
		return nil, grpcError(err)
	}
	return srv.response(r, j, toShm), nil
}

// ModelStreamInfer answers each request of the stream as its samples finish,
// in completion order, matched by id. A bad request is answered with
// error_message and the stream goes on. While the server drains, the
// stream takes no new request, answers those it took, and ends with
// UNAVAILABLE; requests the client sent after that were never taken and
// may be sent elsewhere.
func (g *grpcService) ModelStreamInfer(stream pb.GRPCInferenceService_ModelStreamInferServer) error {
	srv := g.srv
	ctx := stream.Context()
	limit := srv.cfg.StreamInflight
	// Room for every answer in flight (tokens bound them) plus one
	// rejection, so a done callback never blocks.
	out := make(chan *pb.ModelStreamInferResponse, limit+1)
	tokens := make(chan struct{}, limit)
	recvErr := make(chan error, 1)
	var mu sync.Mutex
	inflight := 0
	stopped := false // under mu: the stream takes no more requests

	go func() {
		for {
			r, err := stream.Recv()
			if err != nil {
				recvErr <- err
				return
			}
			select {
			case tokens <- struct{}{}:
			case <-ctx.Done():
				recvErr <- ctx.Err()
				return
			}
			mu.Lock()
			if stopped {
				mu.Unlock()
				recvErr <- nil
				return
			}
			inflight++
			mu.Unlock()
			j := &job{start: time.Now()}
			req, err := srv.prepare(r)
			j.done = func(j *job) {
				toShm := req.out != nil
				err := req.finish(j)
				srv.e.record(j, err)
				if err != nil {
					out <- &pb.ModelStreamInferResponse{ErrorMessage: err.Error(), InferResponse: &pb.ModelInferResponse{Id: r.GetId()}}
					return
				}
				out <- &pb.ModelStreamInferResponse{InferResponse: srv.response(r, j, toShm)}
			}
			if err == nil {
				err = srv.e.submit(ctx, j, req.n, req.in)
			}
			if err != nil {
				j.err = err
				j.done(j)
			}
		}
	}()

	var endErr error
	recvDone := false
	drain := srv.draining
	for {
		mu.Lock()
		idle := inflight == 0
		mu.Unlock()
		if idle && (recvDone || drain == nil) {
			break
		}
		select {
		case a := <-out:
			err := stream.Send(a)
			mu.Lock()
			inflight--
			mu.Unlock()
			<-tokens
			if err != nil {
				return err // the client is gone; its samples finish unseen
			}
		case err := <-recvErr:
			recvDone = true
			if err != nil && !errors.Is(err, io.EOF) {
				endErr = err
			}
			mu.Lock()
			stopped = true
			mu.Unlock()
		case <-ctx.Done():
			// Close cut the connection, or the client went away.
			return status.FromContextError(ctx.Err()).Err()
		case <-drain:
			drain = nil
			mu.Lock()
			stopped = true
			mu.Unlock()
			endErr = status.Error(codes.Unavailable, "server is shutting down")
		}
	}
	if endErr != nil && status.Code(endErr) == codes.Unknown {
		return status.FromContextError(endErr).Err()
	}
	return endErr
}

func (g *grpcService) ModelConfig(_ context.Context, r *pb.ModelConfigRequest) (*pb.ModelConfigResponse, error) {
	if err := g.srv.m.checkModel(r.GetName(), r.GetVersion()); err != nil {
		return nil, grpcError(err)
	}
	return &pb.ModelConfigResponse{Config: g.srv.ModelConfig()}, nil
}

func (g *grpcService) ModelStatistics(_ context.Context, r *pb.ModelStatisticsRequest) (*pb.ModelStatisticsResponse, error) {
	if r.GetName() == "" && r.GetVersion() != "" {
		return nil, grpcError(badRequest("version %q without a model name", r.GetVersion()))
	}
	if r.GetName() != "" {
		if err := g.srv.m.checkModel(r.GetName(), r.GetVersion()); err != nil {
			return nil, grpcError(err)
		}
	}
	return &pb.ModelStatisticsResponse{ModelStats: []*pb.ModelStatistics{g.srv.ModelStatistics()}}, nil
}

func (g *grpcService) RepositoryIndex(_ context.Context, r *pb.RepositoryIndexRequest) (*pb.RepositoryIndexResponse, error) {
	var models []*pb.RepositoryIndexResponse_ModelIndex
	for _, e := range g.srv.repositoryIndex(r.GetReady()) {
		models = append(models, &pb.RepositoryIndexResponse_ModelIndex{Name: e.Name, Version: e.Version, State: e.State, Reason: e.Reason})
	}
	return &pb.RepositoryIndexResponse{Models: models}, nil
}

func (g *grpcService) RepositoryModelLoad(_ context.Context, r *pb.RepositoryModelLoadRequest) (*pb.RepositoryModelLoadResponse, error) {
	return nil, grpcError(errFixedModels("load", r.GetModelName()))
}

func (g *grpcService) RepositoryModelUnload(_ context.Context, r *pb.RepositoryModelUnloadRequest) (*pb.RepositoryModelUnloadResponse, error) {
	return nil, grpcError(errFixedModels("unload", r.GetModelName()))
}

func (g *grpcService) SystemSharedMemoryStatus(_ context.Context, r *pb.SystemSharedMemoryStatusRequest) (*pb.SystemSharedMemoryStatusResponse, error) {
	st, err := g.srv.shm.status(r.GetName())
	if err != nil {
		return nil, grpcError(err)
	}
	out := &pb.SystemSharedMemoryStatusResponse{Regions: map[string]*pb.SystemSharedMemoryStatusResponse_RegionStatus{}}
	for _, s := range st {
		out.Regions[s.Name] = &pb.SystemSharedMemoryStatusResponse_RegionStatus{Name: s.Name, Key: s.Key, Offset: s.Offset, ByteSize: s.ByteSize}
	}
	return out, nil
}

func (g *grpcService) SystemSharedMemoryRegister(_ context.Context, r *pb.SystemSharedMemoryRegisterRequest) (*pb.SystemSharedMemoryRegisterResponse, error) {
	if err := g.srv.shm.register(r.GetName(), r.GetKey(), r.GetOffset(), r.GetByteSize()); err != nil {
		return nil, grpcError(err)
	}
	return &pb.SystemSharedMemoryRegisterResponse{}, nil
}

func (g *grpcService) SystemSharedMemoryUnregister(_ context.Context, r *pb.SystemSharedMemoryUnregisterRequest) (*pb.SystemSharedMemoryUnregisterResponse, error) {
	if err := g.srv.shm.unregister(r.GetName()); err != nil {
		return nil, grpcError(err)
	}
	return &pb.SystemSharedMemoryUnregisterResponse{}, nil
}

// CudaSharedMemoryStatus lists no region: none can be registered.
func (g *grpcService) CudaSharedMemoryStatus(_ context.Context, r *pb.CudaSharedMemoryStatusRequest) (*pb.CudaSharedMemoryStatusResponse, error) {
	if r.GetName() != "" {
		return nil, grpcError(errCUDAShm)
	}
	return &pb.CudaSharedMemoryStatusResponse{Regions: map[string]*pb.CudaSharedMemoryStatusResponse_RegionStatus{}}, nil
}

func (g *grpcService) CudaSharedMemoryRegister(context.Context, *pb.CudaSharedMemoryRegisterRequest) (*pb.CudaSharedMemoryRegisterResponse, error) {
	return nil, grpcError(errCUDAShm)
}

// CudaSharedMemoryUnregister of every region (an empty name) succeeds, as
// there are none: perf_analyzer clears both kinds before it starts.
func (g *grpcService) CudaSharedMemoryUnregister(_ context.Context, r *pb.CudaSharedMemoryUnregisterRequest) (*pb.CudaSharedMemoryUnregisterResponse, error) {
	if r.GetName() != "" {
		return nil, grpcError(errCUDAShm)
	}
	return &pb.CudaSharedMemoryUnregisterResponse{}, nil
}
