package serve

import (
	"fmt"

	pb "github.com/gotrt/gotrt/runner/kserve/inferencepb"
	"github.com/gotrt/gotrt/runner/result"
)

// Extensions are the names of Triton's protocol extensions this server
// implements, as server metadata lists them.
var Extensions = []string{
	"binary_tensor_data",
	"model_configuration",
	"statistics",
	"model_repository",
	"system_shared_memory",
}

// DataType is the model configuration's name of a protocol datatype
// ("UINT8" is TYPE_UINT8, "BYTES" is TYPE_STRING), TYPE_INVALID when
// unknown.
func DataType(dt string) pb.DataType {
	if dt == "BYTES" {
		return pb.DataType_TYPE_STRING
	}
	if v, ok := pb.DataType_value["TYPE_"+dt]; ok {
		return pb.DataType(v)
	}
	return pb.DataType_TYPE_INVALID
}

// ModelConfig is the served model's configuration as Triton's model
// configuration extension gives it: max_batch_size is the most samples a
// request may carry; dims leave out the batch dimension; the dynamic
// batcher's preferred batch size is the scheduler's largest batch and its
// queue delay the scheduler's batch timeout; one instance group per device,
// of KIND_GPU (a GPU or MIG instance) or KIND_CPU, with one instance per
// stream.
func (srv *Server) ModelConfig() *pb.ModelConfig {
	m := &srv.m
	c := &pb.ModelConfig{
		Name:     m.Name,
		Platform: m.Platform,
		Backend:  "gotrt",
		VersionPolicy: &pb.ModelVersionPolicy{PolicyChoice: &pb.ModelVersionPolicy_Latest_{
			Latest: &pb.ModelVersionPolicy_Latest{NumVersions: 1}}},
		MaxBatchSize:           int32(srv.cfg.MaxRequestBatch),
		Input:                  []*pb.ModelInput{{Name: m.Input.Name, DataType: DataType(m.Input.Datatype), Dims: m.Input.Shape}},
		Output:                 []*pb.ModelOutput{{Name: m.Output.Name, DataType: DataType(m.Output.Datatype), Dims: m.Output.Shape}},
		ModelTransactionPolicy: &pb.ModelTransactionPolicy{},
	}
	st := srv.s.Stats()
	maxBatch := 0
	for _, d := range st.Devices {
		maxBatch = max(maxBatch, d.MaxBatch)
		g := &pb.ModelInstanceGroup{Name: m.Name + "_" + d.ID, Kind: pb.ModelInstanceGroup_KIND_CPU, Count: int32(d.Streams)}
		if d.Kind == result.KindGPU || d.Kind == result.KindMIG {
			g.Kind = pb.ModelInstanceGroup_KIND_GPU
			// The GPU's CUDA ordinal, where the device tells it.
			for _, dev := range m.Devices {
				if info, ok := dev.(interface{ Info() result.Device }); ok && dev.ID() == d.ID {
					g.Gpus = []int32{int32(info.Info().Index)}
				}
			}
		}
		c.InstanceGroup = append(c.InstanceGroup, g)
	}
	db := &pb.ModelDynamicBatching{MaxQueueDelayMicroseconds: uint64(srv.cfg.Sched.BatchTimeout.Microseconds())}
	if maxBatch > 0 {
		db.PreferredBatchSize = []int32{int32(maxBatch)}
	}
	c.SchedulingChoice = &pb.ModelConfig_DynamicBatching{DynamicBatching: db}
	return c
}

// The model configuration as JSON, with the fields Triton prints (every
// scalar, even at its default) and int64 fields as numbers, as Triton's
// HTTP endpoint writes them.
type (
	jsonModelConfig struct {
		Name                   string                 `json:"name"`
		Platform               string                 `json:"platform"`
		Backend                string                 `json:"backend"`
		VersionPolicy          jsonVersionPolicy      `json:"version_policy"`
		MaxBatchSize           int32                  `json:"max_batch_size"`
		Input                  []jsonModelInput       `json:"input"`
		Output                 []jsonModelOutput      `json:"output"`
		DynamicBatching        jsonDynamicBatching    `json:"dynamic_batching"`
		InstanceGroup          []jsonInstanceGroup    `json:"instance_group"`
		ModelTransactionPolicy jsonTransactionPolicy  `json:"model_transaction_policy"`
		Parameters             map[string]interface{} `json:"parameters"`
	}
	jsonVersionPolicy struct {
		Latest struct {
			NumVersions uint32 `json:"num_versions"`
		} `json:"latest"`
	}
	jsonModelInput struct {
		Name             string  `json:"name"`
		DataType         string  `json:"data_type"`
		Format           string  `json:"format"`
		Dims             []int64 `json:"dims"`
		IsShapeTensor    bool    `json:"is_shape_tensor"`
		AllowRaggedBatch bool    `json:"allow_ragged_batch"`
		Optional         bool    `json:"optional"`
	}
	jsonModelOutput struct {
		Name          string  `json:"name"`
		DataType      string  `json:"data_type"`
		Dims          []int64 `json:"dims"`
		LabelFilename string  `json:"label_filename"`
		IsShapeTensor bool    `json:"is_shape_tensor"`
	}
	jsonDynamicBatching struct {
		PreferredBatchSize        []int32 `json:"preferred_batch_size"`
		MaxQueueDelayMicroseconds uint64  `json:"max_queue_delay_microseconds"`
		PreserveOrdering          bool    `json:"preserve_ordering"`
	}
	jsonInstanceGroup struct {
		Name  string  `json:"name"`
		Kind  string  `json:"kind"`
		Count int32   `json:"count"`
		GPUs  []int32 `json:"gpus"`
	}
	jsonTransactionPolicy struct {
		Decoupled bool `json:"decoupled"`
	}
)

// configJSON is c as Triton's HTTP model configuration endpoint writes it.
func configJSON(c *pb.ModelConfig) jsonModelConfig {
	j := jsonModelConfig{Name: c.GetName(), Platform: c.GetPlatform(), Backend: c.GetBackend(),
		MaxBatchSize: c.GetMaxBatchSize(), Parameters: map[string]interface{}{}}
	j.VersionPolicy.Latest.NumVersions = c.GetVersionPolicy().GetLatest().GetNumVersions()
	for _, in := range c.GetInput() {
		j.Input = append(j.Input, jsonModelInput{Name: in.GetName(), DataType: in.GetDataType().String(),
			Format: in.GetFormat().String(), Dims: nonNil(in.GetDims())})
	}
	for _, out := range c.GetOutput() {
		j.Output = append(j.Output, jsonModelOutput{Name: out.GetName(), DataType: out.GetDataType().String(), Dims: nonNil(out.GetDims())})
	}
	db := c.GetDynamicBatching()
	j.DynamicBatching = jsonDynamicBatching{PreferredBatchSize: nonNil(db.GetPreferredBatchSize()),
		MaxQueueDelayMicroseconds: db.GetMaxQueueDelayMicroseconds(), PreserveOrdering: db.GetPreserveOrdering()}
	for _, g := range c.GetInstanceGroup() {
		j.InstanceGroup = append(j.InstanceGroup, jsonInstanceGroup{Name: g.GetName(), Kind: g.GetKind().String(),
			Count: g.GetCount(), GPUs: nonNil(g.GetGpus())})
	}
	j.ModelTransactionPolicy.Decoupled = c.GetModelTransactionPolicy().GetDecoupled()
	return j
}

func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// repositoryEntry is one model of the repository index.
type repositoryEntry struct {
	Name    string `json:"name"`
	Version string `json:"version"`
	State   string `json:"state"`
	Reason  string `json:"reason"`
}

// repositoryIndex lists the served model: READY, or UNAVAILABLE with the
// reason while the server is not ready. ready leaves out a model that is
// not.
func (srv *Server) repositoryIndex(ready bool) []repositoryEntry {
	e := repositoryEntry{Name: srv.m.Name, Version: srv.m.version(), State: "READY"}
	if !srv.Ready() {
		e.State, e.Reason = "UNAVAILABLE", "the server is shutting down or its devices failed"
		if ready {
			return []repositoryEntry{}
		}
	}
	return []repositoryEntry{e}
}

// errFixedModels answers a load or unload.
func errFixedModels(op, model string) error {
	return fmt.Errorf("%w: models are fixed when the server starts (%s %q)", ErrNotSupported, op, model)
}
