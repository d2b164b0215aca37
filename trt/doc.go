// Package trt holds gotrt's thin bindings over the TensorRT C++ API and the
// GPU executor built on them.
//
// The bindings are an extern "C" shim (shim.h, shim.cc) with one function per
// TensorRT call, compiled by cgo under the build tag "tensorrt". Without that
// tag the same Go API compiles and every entry point returns an error that
// matches [ErrNotSupported] and says to build with -tags cuda,tensorrt. The
// executor ([OpenDevice]), which also needs package cuda, is built under
// "cuda,tensorrt". The pure-Go parts (IO validation against expected tensors,
// engine-inspector JSON parsing, calibration-cache reading, the mapping of
// TensorRT failures to errors) build and are tested everywhere.
//
// # Loading TensorRT
//
// A tensorrt build links no TensorRT or CUDA library, so it starts on any
// host. [Load] opens libnvinfer.so.<major of the headers> (or the file or
// folder [EnvLibrary] names) on first use, refuses one of another major
// version, and registers libnvinfer_plugin's plugins where that library is
// present; [NewRuntime] and [NewBuilder] call it (the builder also opens
// libnvonnxparser). Without TensorRT they return a [*LibraryError] matching
// [ErrNotSupported] whose one line names the library and the variable.
// [LoadPlugins] loads the plugin libraries a plan needs; a plan that needs
// one no library registers fails with a [*PluginError] naming it.
//
// # Ownership
//
// Every native handle has one owner and is released by Close, which is safe
// on a nil receiver and on a second call. Close an [ExecutionContext] (and its
// [Graph]s) before its [Engine], and an Engine before its [Runtime]: a parent
// with open children refuses to close and says so ([ErrInUse]). Using a handle
// after Close returns an error matching [ErrClosed], never a crash. No
// finalizers free anything; a handle that is never closed leaks.
//
// A Runtime, an Engine and a Builder may be used from several goroutines; an
// ExecutionContext belongs to one goroutine (one per CUDA stream). Calls that
// touch the GPU need the device's CUDA context current on the calling thread:
// the executor runs them inside cuda.Context.Do.
//
// # Errors
//
// A failed TensorRT call returns a *[Error] carrying the operation, a [Code]
// and the message TensorRT logged; match codes with errors.Is (for example
// errors.Is(err, trt.ErrOutOfMemory)). Loading a plan wraps the cause in
// [ErrPlanCorrupt], [ErrPlanVersion] or [ErrPlanDevice] where TensorRT's
// message says which, and names the file. [ValidateIO] and [CheckBatch]
// return errors matching [ErrIOMismatch] and [ErrBatchTooLarge] that name the
// file and the tensor. Only nil and errors matching [ErrNotSupported] are
// conclusive answers to "can this build run TensorRT".
//
// # Versions
//
// The shim targets TensorRT 10.x and keeps 8.6 building (#if
// NV_TENSORRT_MAJOR): both use the named-tensor API (setTensorAddress,
// setInputShape, enqueueV3). INT8 engines are built from an ONNX model and a
// calibration cache on 8.6 and 10.x; TensorRT 11 removed the calibrators, so
// there INT8 comes from an explicitly quantized (Q/DQ) ONNX model and the
// shim's calibration calls return [ErrNotSupported].
package trt
