/*
 * shim.h: the C face of gotrt's TensorRT bindings.
 *
 * Each function wraps exactly one TensorRT call, is
 * named gotrt_<object>_<verb>, takes opaque handles, returns its outputs
 * through pointer arguments and returns an int status (GOTRT_OK or one of the
 * GOTRT_ERR_* codes). On failure *err receives a malloc'd, NUL-terminated
 * message (the errors TensorRT logged during the call, else a description of
 * what failed) that the caller frees with free(); err may be NULL. No C++
 * exception crosses this boundary. The shim adds no behaviour of its own.
 *
 * Handles have one owner: the caller releases each with its *_destroy
 * function, contexts before engines before runtimes. Borrowed pointers
 * (tensor names, inspector strings) stay valid until the object that owns
 * them is destroyed or, for inspector strings, until the next inspector call.
 *
 * Compiled by cgo under the Go build tag "tensorrt" against TensorRT 8.6 or
 * 10.x headers (11.x builds too, without INT8 calibration); see
 * third_party/tensorrt/README.md.
 */
#ifndef GOTRT_SHIM_H
#define GOTRT_SHIM_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Status codes; trt.Code in Go mirrors them. */
enum {
	GOTRT_OK = 0,
	GOTRT_ERR_INVALID_ARGUMENT = 1, /* a NULL handle, an unknown enum value */
	GOTRT_ERR_FAILED = 2,           /* TensorRT reported failure (false, NULL, -1) */
	GOTRT_ERR_OUT_OF_MEMORY = 3,    /* std::bad_alloc */
	GOTRT_ERR_EXCEPTION = 4,        /* any other C++ exception */
	GOTRT_ERR_NOT_SUPPORTED = 5,    /* the TensorRT version built against lacks the call */
	GOTRT_ERR_CUDA = 6              /* a CUDA runtime call failed */
};

/* Largest rank of a TensorRT Dims. */
#define GOTRT_MAX_DIMS 8

/* TensorIOMode values (as nvinfer1::TensorIOMode). */
enum { GOTRT_IO_NONE = 0, GOTRT_IO_INPUT = 1, GOTRT_IO_OUTPUT = 2 };

/* TensorLocation values (as nvinfer1::TensorLocation). */
enum { GOTRT_LOCATION_DEVICE = 0, GOTRT_LOCATION_HOST = 1 };

/* OptProfileSelector values (as nvinfer1::OptProfileSelector). */
enum { GOTRT_PROFILE_MIN = 0, GOTRT_PROFILE_OPT = 1, GOTRT_PROFILE_MAX = 2 };

/* LayerInformationFormat values (as nvinfer1::LayerInformationFormat). */
enum { GOTRT_LAYER_INFO_ONELINE = 0, GOTRT_LAYER_INFO_JSON = 1 };

/* Builder flags: gotrt's own numbering, mapped to nvinfer1::BuilderFlag,
 * whose values differ between TensorRT versions. */
enum {
	GOTRT_FLAG_FP16 = 1,
	GOTRT_FLAG_INT8 = 2,
	GOTRT_FLAG_TF32 = 3,
	GOTRT_FLAG_GPU_FALLBACK = 4,
	GOTRT_FLAG_SPARSE_WEIGHTS = 5,
	GOTRT_FLAG_DETAILED_PROFILING = 6 /* ProfilingVerbosity::kDETAILED, for the inspector */
};

/* Calibration algorithms (as nvinfer1::CalibrationAlgoType). */
enum {
	GOTRT_CALIB_LEGACY = 0,
	GOTRT_CALIB_ENTROPY = 1,
	GOTRT_CALIB_ENTROPY2 = 2,
	GOTRT_CALIB_MINMAX = 3
};

typedef struct gotrt_runtime gotrt_runtime;     /* nvinfer1::IRuntime */
typedef struct gotrt_engine gotrt_engine;       /* nvinfer1::ICudaEngine */
typedef struct gotrt_context gotrt_context;     /* nvinfer1::IExecutionContext */
typedef struct gotrt_inspector gotrt_inspector; /* nvinfer1::IEngineInspector */
typedef struct gotrt_builder gotrt_builder;     /* nvinfer1::IBuilder */
typedef struct gotrt_network gotrt_network;     /* nvinfer1::INetworkDefinition */
typedef struct gotrt_tensor gotrt_tensor;       /* nvinfer1::ITensor (borrowed) */
typedef struct gotrt_config gotrt_config;       /* nvinfer1::IBuilderConfig */
typedef struct gotrt_profile gotrt_profile;     /* nvinfer1::IOptimizationProfile (owned by the builder) */
typedef struct gotrt_parser gotrt_parser;       /* nvonnxparser::IParser */
typedef struct gotrt_calibrator gotrt_calibrator; /* a calibrator that only replays a cache */
typedef struct gotrt_host_memory gotrt_host_memory; /* nvinfer1::IHostMemory */

/* Versions. */

/* Wraps getInferLibVersion: the encoded version of the loaded library. */
int gotrt_library_version(int32_t* version, char** err);
/* Reports NV_TENSORRT_MAJOR/MINOR/PATCH of the headers the shim was built with. */
int gotrt_header_version(int32_t* major, int32_t* minor, int32_t* patch, char** err);

/* Logger. */

/* Sets the most verbose ILogger::Severity (0 internal error ... 4 verbose)
 * that the shared logger prints to stderr; errors are always recorded for the
 * failing call whatever this level. */
int gotrt_logger_set_severity(int32_t severity, char** err);

/* Plugins (libnvinfer_plugin and libraries of the user's). */

/* Wraps initLibNvInferPlugins(logger, ""): registers TensorRT's own plugins
 * (libnvinfer_plugin must be loaded). */
int gotrt_plugins_init(char** err);
/* Wraps getPluginRegistry()->loadLibrary(path): for a plugin library that
 * exports getCreators or getPluginCreators. */
int gotrt_plugins_load_library(const char* path, char** err);

/* Runtime. */

/* Wraps createInferRuntime. */
int gotrt_runtime_create(gotrt_runtime** out, char** err);
/* Wraps delete IRuntime. */
int gotrt_runtime_destroy(gotrt_runtime* rt, char** err);
/* Wraps IRuntime::deserializeCudaEngine. */
int gotrt_runtime_deserialize(gotrt_runtime* rt, const void* plan, size_t size, gotrt_engine** out, char** err);

/* Engine. */

/* Wraps delete ICudaEngine. */
int gotrt_engine_destroy(gotrt_engine* e, char** err);
/* Wraps ICudaEngine::getNbIOTensors. */
int gotrt_engine_num_io_tensors(gotrt_engine* e, int32_t* n, char** err);
/* Wraps ICudaEngine::getIOTensorName; *name is borrowed from the engine. */
int gotrt_engine_io_tensor_name(gotrt_engine* e, int32_t index, const char** name, char** err);
/* Wraps ICudaEngine::getTensorIOMode. */
int gotrt_engine_tensor_io_mode(gotrt_engine* e, const char* name, int32_t* mode, char** err);
/* Wraps ICudaEngine::getTensorDataType. */
int gotrt_engine_tensor_data_type(gotrt_engine* e, const char* name, int32_t* dtype, char** err);
/* Wraps ICudaEngine::getTensorShape; dims holds GOTRT_MAX_DIMS entries. */
int gotrt_engine_tensor_shape(gotrt_engine* e, const char* name, int64_t* dims, int32_t* rank, char** err);
/* Wraps ICudaEngine::getTensorFormat (profile 0). */
int gotrt_engine_tensor_format(gotrt_engine* e, const char* name, int32_t* format, char** err);
/* Wraps ICudaEngine::getTensorVectorizedDim (-1: not vectorized). */
int gotrt_engine_tensor_vectorized_dim(gotrt_engine* e, const char* name, int32_t* dim, char** err);
/* Wraps ICudaEngine::getTensorComponentsPerElement; *n is -1 for a tensor
 * that is not vectorized (TensorRT 10 and later), which is no failure. */
int gotrt_engine_tensor_components(gotrt_engine* e, const char* name, int32_t* n, char** err);
/* Wraps ICudaEngine::getTensorLocation (GOTRT_LOCATION_HOST for a shape
 * tensor TensorRT reads from host memory). */
int gotrt_engine_tensor_location(gotrt_engine* e, const char* name, int32_t* location, char** err);
/* Wraps ICudaEngine::getNbOptimizationProfiles. */
int gotrt_engine_num_profiles(gotrt_engine* e, int32_t* n, char** err);
/* Wraps ICudaEngine::getProfileShape. */
int gotrt_engine_profile_shape(gotrt_engine* e, const char* name, int32_t profile, int32_t selector,
                               int64_t* dims, int32_t* rank, char** err);
/* Wraps ICudaEngine::getNbLayers. */
int gotrt_engine_num_layers(gotrt_engine* e, int32_t* n, char** err);
/* Wraps ICudaEngine::getDeviceMemorySizeV2 (getDeviceMemorySize before 10.1). */
int gotrt_engine_device_memory_size(gotrt_engine* e, int64_t* bytes, char** err);
/* Wraps ICudaEngine::createEngineInspector. */
int gotrt_engine_create_inspector(gotrt_engine* e, gotrt_inspector** out, char** err);
/* Wraps ICudaEngine::createExecutionContext. */
int gotrt_engine_create_context(gotrt_engine* e, gotrt_context** out, char** err);

/* Engine inspector. */

/* Wraps delete IEngineInspector. */
int gotrt_inspector_destroy(gotrt_inspector* in, char** err);
/* Wraps IEngineInspector::getLayerInformation; *info is borrowed. */
int gotrt_inspector_layer_info(gotrt_inspector* in, int32_t layer, int32_t format, const char** info, char** err);
/* Wraps IEngineInspector::getEngineInformation; *info is borrowed. */
int gotrt_inspector_engine_info(gotrt_inspector* in, int32_t format, const char** info, char** err);

/* Wraps IEngineInspector::setExecutionContext: layers of a dynamic-shape
 * engine show their formats and precisions only under a context whose input
 * shapes are all set. */
int gotrt_inspector_set_context(gotrt_inspector* in, gotrt_context* c, char** err);

/* Execution context. */

/* Wraps delete IExecutionContext. */
int gotrt_context_destroy(gotrt_context* c, char** err);
/* Wraps IExecutionContext::setOptimizationProfileAsync. */
int gotrt_context_set_profile(gotrt_context* c, int32_t profile, void* stream, char** err);
/* Wraps IExecutionContext::setInputShape. */
int gotrt_context_set_input_shape(gotrt_context* c, const char* name, const int64_t* dims, int32_t rank, char** err);
/* Wraps IExecutionContext::getTensorShape. */
int gotrt_context_tensor_shape(gotrt_context* c, const char* name, int64_t* dims, int32_t* rank, char** err);
/* Wraps IExecutionContext::setTensorAddress; ptr is a device address (CUdeviceptr). */
int gotrt_context_set_tensor_address(gotrt_context* c, const char* name, uint64_t ptr, char** err);
/* Wraps IExecutionContext::enqueueV3. */
int gotrt_context_enqueue_v3(gotrt_context* c, void* stream, char** err);

/* Builder. */

/* Wraps createInferBuilder. */
int gotrt_builder_create(gotrt_builder** out, char** err);
/* Wraps delete IBuilder. */
int gotrt_builder_destroy(gotrt_builder* b, char** err);
/* Wraps IBuilder::createNetworkV2 (explicit batch on 8.6, the default since 10). */
int gotrt_builder_create_network(gotrt_builder* b, gotrt_network** out, char** err);
/* Wraps IBuilder::createBuilderConfig. */
int gotrt_builder_create_config(gotrt_builder* b, gotrt_config** out, char** err);
/* Wraps IBuilder::createOptimizationProfile; the builder owns the profile. */
int gotrt_builder_create_profile(gotrt_builder* b, gotrt_profile** out, char** err);
/* Wraps IBuilder::buildSerializedNetwork. */
int gotrt_builder_build_serialized(gotrt_builder* b, gotrt_network* n, gotrt_config* c, gotrt_host_memory** out,
                                   char** err);

/* Wraps delete INetworkDefinition. */
int gotrt_network_destroy(gotrt_network* n, char** err);
/* Wraps INetworkDefinition::getNbInputs. */
int gotrt_network_num_inputs(gotrt_network* n, int32_t* count, char** err);
/* Wraps INetworkDefinition::getInput; the tensor is borrowed from the network. */
int gotrt_network_input(gotrt_network* n, int32_t index, gotrt_tensor** out, char** err);
/* Wraps ITensor::getName. */
int gotrt_tensor_name(gotrt_tensor* t, const char** name, char** err);
/* Wraps ITensor::getDimensions. */
int gotrt_tensor_dims(gotrt_tensor* t, int64_t* dims, int32_t* rank, char** err);
/* Wraps ITensor::getType. */
int gotrt_tensor_data_type(gotrt_tensor* t, int32_t* dtype, char** err);

/* Wraps ITensor::setType (GOTRT_ERR_NOT_SUPPORTED on TensorRT 11, whose
 * networks are strongly typed). */
int gotrt_tensor_set_data_type(gotrt_tensor* t, int32_t dtype, char** err);
/* Wraps ITensor::setAllowedFormats; formats is a bitmask of 1 << TensorFormat. */
int gotrt_tensor_set_allowed_formats(gotrt_tensor* t, uint32_t formats, char** err);

/* Wraps delete IBuilderConfig. */
int gotrt_config_destroy(gotrt_config* c, char** err);
/* Wraps IBuilderConfig::setMemoryPoolLimit(kWORKSPACE). */
int gotrt_config_set_workspace(gotrt_config* c, uint64_t bytes, char** err);
/* Wraps IBuilderConfig::setFlag (or setProfilingVerbosity for GOTRT_FLAG_DETAILED_PROFILING). */
int gotrt_config_set_flag(gotrt_config* c, int32_t flag, char** err);
/* Wraps IBuilderConfig::addOptimizationProfile. */
int gotrt_config_add_profile(gotrt_config* c, gotrt_profile* p, int32_t* index, char** err);
/* Wraps IBuilderConfig::setCalibrationProfile. */
int gotrt_config_set_calibration_profile(gotrt_config* c, gotrt_profile* p, char** err);
/* Wraps IBuilderConfig::setInt8Calibrator; the calibrator must outlive the build. */
int gotrt_config_set_int8_calibrator(gotrt_config* c, gotrt_calibrator* cal, char** err);

/* Wraps IOptimizationProfile::setDimensions. */
int gotrt_profile_set_dimensions(gotrt_profile* p, const char* name, int32_t selector, const int64_t* dims,
                                 int32_t rank, char** err);

/* Creates an IInt8Calibrator of the given algorithm that feeds no batches
 * and replays a copy of cache (a calibration cache such as MLPerf ships). */
int gotrt_calibrator_create(int32_t algorithm, const void* cache, size_t size, gotrt_calibrator** out, char** err);
/* Deletes a calibrator made by gotrt_calibrator_create. */
int gotrt_calibrator_destroy(gotrt_calibrator* cal, char** err);

/* Wraps IHostMemory::data and IHostMemory::size; *data is borrowed. */
int gotrt_host_memory_data(gotrt_host_memory* m, const void** data, size_t* size, char** err);
/* Wraps delete IHostMemory. */
int gotrt_host_memory_destroy(gotrt_host_memory* m, char** err);

/* ONNX parser (GOTRT_ERR_NOT_SUPPORTED where NvOnnxParser.h was absent at build time). */

/* Wraps nvonnxparser::createParser. */
int gotrt_parser_create(gotrt_network* n, gotrt_parser** out, char** err);
/* Wraps delete IParser. */
int gotrt_parser_destroy(gotrt_parser* p, char** err);
/* Wraps IParser::parseFromFile; on failure *err lists the parser's errors. */
int gotrt_parser_parse_from_file(gotrt_parser* p, const char* path, char** err);

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_SHIM_H */
