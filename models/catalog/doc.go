// Package catalog is gotrt's benchmark catalogue: one [Entry] per MLPerf
// Inference v0.7 datacenter benchmark of the seed study (resnet50,
// ssd-resnet34, bert-99, bert-99.9, 3d-unet-99, 3d-unet-99.9) with its input
// and output tensors as NVIDIA's v0.7 TensorRT engines have them, its QSL
// size and performance sample count, server latency bound, quality target and
// scenarios.
//
// [CheckEngine] compares an engine's IO tensors, given as plain
// [EngineTensor] values so that this package does not depend on the TensorRT
// bindings, with an entry before a run. Its errors wrap [ErrTensorMismatch]
// and name the tensor; [Lookup] reports an unknown id with [ErrUnknownModel].
package catalog
