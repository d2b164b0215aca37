//go:build tensorrt

// shim.cc implements shim.h over the TensorRT C++ API: one extern "C"
// function per TensorRT call, every C++ exception caught, and the errors
// TensorRT logged during a call returned as that call's message.

#include "shim.h"

#include <NvInfer.h>
#include <NvInferPlugin.h>
#include <NvInferVersion.h>

#if defined(__has_include)
#if __has_include(<NvOnnxParser.h>)
#include <NvOnnxParser.h>
#define GOTRT_HAVE_ONNX 1
#endif
#endif

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <exception>
#include <new>
#include <string>
#include <vector>

using namespace nvinfer1;

namespace {

#if NV_TENSORRT_MAJOR >= 10
using DimValue = int64_t;
#else
using DimValue = int32_t;
#endif

// Logger is the one ILogger of the process (TensorRT expects the same logger
// for every runtime and builder). It prints messages up to a settable
// severity and records errors for the shim call that caused them: a call's
// own thread records into a per-thread buffer, which the call clears first;
// TensorRT's own threads (the builder's workers, for one) never enter the
// shim, so what they log goes to a small shared ring, numbered, and a call
// collects the entries numbered after its start. Two calls running at once
// on different threads may both see a message of TensorRT's threads; none
// is lost.
class Logger final : public ILogger {
public:
	void log(Severity severity, char const* msg) noexcept override {
		try {
			if (static_cast<int32_t>(severity) <= printSeverity.load()) {
				std::fprintf(stderr, "tensorrt: %s\n", msg);
			}
			if (severity == Severity::kINTERNAL_ERROR || severity == Severity::kERROR) {
				if (shimThread()) {
					append(recorded(), msg);
				} else {
					recordForeign(msg);
				}
			}
		} catch (...) {
			// A logger must not throw; an unrecorded message is the lesser loss.
		}
	}

	// recorded is the calling thread's errors since its call began.
	static std::string& recorded() {
		thread_local std::string buf;
		return buf;
	}

	// shimThread is true on a thread that has made a shim call.
	static bool& shimThread() {
		thread_local bool on = false;
		return on;
	}

	// callStart is the ring's number when the thread's call began.
	static uint64_t& callStart() {
		thread_local uint64_t n = 0;
		return n;
	}

	// begin starts a call on this thread.
	void begin() {
		shimThread() = true;
		recorded().clear();
		callStart() = seq.load();
	}

	// callErrors is what the calling thread's call has seen logged: its own
	// thread's errors, then those of TensorRT's threads since it began.
	std::string callErrors() {
		std::string msg = recorded();
		lock();
		uint64_t const end = seq.load();
		uint64_t first = callStart();
		if (end - first > kRing) {
			first = end - kRing;
		}
		for (uint64_t n = first; n < end; ++n) {
			append(msg, ring[n % kRing]);
		}
		unlock();
		return msg;
	}

	std::atomic<int32_t> printSeverity{static_cast<int32_t>(Severity::kWARNING)};

private:
	static constexpr uint64_t kRing = 32;

	static void append(std::string& to, std::string const& msg) {
		if (!to.empty()) {
			to += "; ";
		}
		to += msg;
	}

	void recordForeign(char const* msg) {
		lock();
		try {
			ring[seq.load() % kRing] = msg;
			seq.fetch_add(1);
		} catch (...) {
		}
		unlock();
	}

	// A spin lock: the ring is touched briefly and rarely (on errors).
	void lock() {
		while (busy.test_and_set(std::memory_order_acquire)) {
		}
	}
	void unlock() { busy.clear(std::memory_order_release); }

	std::atomic_flag busy = ATOMIC_FLAG_INIT;
	std::atomic<uint64_t> seq{0};
	std::string ring[kRing];
};

Logger& logger() {
	static Logger l;
	return l;
}

// begin starts a shim call: it clears the thread's recorded errors and
// notes where the shared ring of other threads' errors stands.
void begin() { logger().begin(); }

// loggedErrors is what TensorRT has logged as errors during the current
// call, on this thread or on TensorRT's own.
std::string loggedErrors() { return logger().callErrors(); }

// fail sets *err to the TensorRT errors logged during the call, or to what
// when none were, and returns code.
int fail(char** err, int code, char const* what) {
	if (err != nullptr) {
		std::string msg = loggedErrors();
		if (msg.empty()) {
			msg = what;
		}
		Logger::recorded().clear();
		*err = static_cast<char*>(std::malloc(msg.size() + 1));
		if (*err != nullptr) {
			std::memcpy(*err, msg.c_str(), msg.size() + 1);
		}
	}
	return code;
}

// invalid reports a bad argument, which TensorRT never saw: its message is
// what alone, whatever an earlier call on the thread logged.
int invalid(char** err, char const* what) {
	begin();
	return fail(err, GOTRT_ERR_INVALID_ARGUMENT, what);
}

// caught turns the exception in flight into a status.
int caught(char** err) {
	try {
		throw;
	} catch (std::bad_alloc const&) {
		return fail(err, GOTRT_ERR_OUT_OF_MEMORY, "out of host memory");
	} catch (std::exception const& e) {
		return fail(err, GOTRT_ERR_EXCEPTION, e.what());
	} catch (...) {
		return fail(err, GOTRT_ERR_EXCEPTION, "unknown c++ exception");
	}
}

int toDims(int64_t const* dims, int32_t rank, Dims* out) {
	if (rank < 0 || rank > Dims::MAX_DIMS || (rank > 0 && dims == nullptr)) {
		return GOTRT_ERR_INVALID_ARGUMENT;
	}
	out->nbDims = rank;
	for (int32_t i = 0; i < rank; ++i) {
		out->d[i] = static_cast<DimValue>(dims[i]);
	}
	return GOTRT_OK;
}

int fromDims(Dims const& d, int64_t* dims, int32_t* rank, char** err) {
	if (d.nbDims < 0) {
		return fail(err, GOTRT_ERR_FAILED, "tensorrt returned invalid dimensions");
	}
	if (d.nbDims > GOTRT_MAX_DIMS) {
		return fail(err, GOTRT_ERR_FAILED, "tensorrt returned more dimensions than the shim holds");
	}
	*rank = d.nbDims;
	for (int32_t i = 0; i < d.nbDims; ++i) {
		dims[i] = static_cast<int64_t>(d.d[i]);
	}
	return GOTRT_OK;
}

template <class T>
T* as(void* p) {
	return static_cast<T*>(p);
}

// The shim's enums are TensorRT's values where TensorRT's are stable.
static_assert(GOTRT_MAX_DIMS == Dims::MAX_DIMS, "GOTRT_MAX_DIMS must match Dims::MAX_DIMS");
static_assert(GOTRT_IO_INPUT == static_cast<int>(TensorIOMode::kINPUT), "TensorIOMode::kINPUT");
static_assert(GOTRT_IO_OUTPUT == static_cast<int>(TensorIOMode::kOUTPUT), "TensorIOMode::kOUTPUT");
static_assert(GOTRT_PROFILE_MIN == static_cast<int>(OptProfileSelector::kMIN), "OptProfileSelector::kMIN");
static_assert(GOTRT_PROFILE_OPT == static_cast<int>(OptProfileSelector::kOPT), "OptProfileSelector::kOPT");
static_assert(GOTRT_PROFILE_MAX == static_cast<int>(OptProfileSelector::kMAX), "OptProfileSelector::kMAX");
static_assert(GOTRT_LAYER_INFO_JSON == static_cast<int>(LayerInformationFormat::kJSON), "LayerInformationFormat");
static_assert(GOTRT_LOCATION_DEVICE == static_cast<int>(TensorLocation::kDEVICE), "TensorLocation::kDEVICE");
static_assert(GOTRT_LOCATION_HOST == static_cast<int>(TensorLocation::kHOST), "TensorLocation::kHOST");
static_assert(static_cast<int>(DataType::kINT8) == 2 && static_cast<int>(DataType::kFP8) == 6, "DataType values");
static_assert(static_cast<int>(TensorFormat::kCHW4) == 3 && static_cast<int>(TensorFormat::kCHW32) == 5,
              "TensorFormat values");

#if NV_TENSORRT_MAJOR < 11
// The INT8 calibrator is deprecated from TensorRT 10.1 and gone in 11; gotrt
// uses it on purpose to replay MLPerf calibration caches.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"

// CacheCalibrator feeds no batches and replays a calibration cache, so a
// build with it calibrates from the cache alone.
template <class Base>
class CacheCalibrator final : public Base {
public:
	explicit CacheCalibrator(std::vector<char> cache) : cache_(std::move(cache)) {}
	int32_t getBatchSize() const noexcept override { return 1; }
	bool getBatch(void**, char const**, int32_t) noexcept override { return false; }
	void const* readCalibrationCache(std::size_t& length) noexcept override {
		length = cache_.size();
		return cache_.empty() ? nullptr : cache_.data();
	}
	void writeCalibrationCache(void const*, std::size_t) noexcept override {}

private:
	std::vector<char> cache_;
};

IInt8Calibrator* newCalibrator(int32_t algorithm, std::vector<char> cache) {
	switch (algorithm) {
	case GOTRT_CALIB_ENTROPY:
		return new CacheCalibrator<IInt8EntropyCalibrator>(std::move(cache));
	case GOTRT_CALIB_ENTROPY2:
		return new CacheCalibrator<IInt8EntropyCalibrator2>(std::move(cache));
	case GOTRT_CALIB_MINMAX:
		return new CacheCalibrator<IInt8MinMaxCalibrator>(std::move(cache));
	default:
		return nullptr;
	}
}

static_assert(GOTRT_CALIB_ENTROPY2 == static_cast<int>(CalibrationAlgoType::kENTROPY_CALIBRATION_2),
              "CalibrationAlgoType::kENTROPY_CALIBRATION_2");
static_assert(GOTRT_CALIB_MINMAX == static_cast<int>(CalibrationAlgoType::kMINMAX_CALIBRATION),
              "CalibrationAlgoType::kMINMAX_CALIBRATION");
#pragma GCC diagnostic pop
#endif

} // namespace

#define GOTRT_NULL_CHECK(p)                                                                                            \
	do {                                                                                                               \
		if ((p) == nullptr) {                                                                                          \
			return invalid(err, #p " is null");                                                                        \
		}                                                                                                              \
	} while (0)

extern "C" {

int gotrt_library_version(int32_t* version, char** err) {
	GOTRT_NULL_CHECK(version);
	try {
		begin();
		*version = getInferLibVersion();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_header_version(int32_t* major, int32_t* minor, int32_t* patch, char** err) {
	GOTRT_NULL_CHECK(major);
	GOTRT_NULL_CHECK(minor);
	GOTRT_NULL_CHECK(patch);
	*major = NV_TENSORRT_MAJOR;
	*minor = NV_TENSORRT_MINOR;
	*patch = NV_TENSORRT_PATCH;
	return GOTRT_OK;
}

int gotrt_logger_set_severity(int32_t severity, char** err) {
	if (severity < static_cast<int32_t>(ILogger::Severity::kINTERNAL_ERROR) ||
	    severity > static_cast<int32_t>(ILogger::Severity::kVERBOSE)) {
		return invalid(err, "severity out of range");
	}
	logger().printSeverity.store(severity);
	return GOTRT_OK;
}

// Plugins. initLibNvInferPlugins and getPluginRegistry are dl.c's
// forwarders to the loaded libnvinfer_plugin and libnvinfer.

int gotrt_plugins_init(char** err) {
	try {
		begin();
		// The ILogger*, as the headers' own factories pass it.
		if (!initLibNvInferPlugins(static_cast<ILogger*>(&logger()), "")) {
			return fail(err, GOTRT_ERR_FAILED, "initLibNvInferPlugins failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_plugins_load_library(const char* path, char** err) {
	GOTRT_NULL_CHECK(path);
	try {
		begin();
		IPluginRegistry* reg = getPluginRegistry();
		if (reg == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "getPluginRegistry returned null");
		}
		if (reg->loadLibrary(path) == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "IPluginRegistry::loadLibrary failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

// Runtime.

int gotrt_runtime_create(gotrt_runtime** out, char** err) {
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IRuntime* rt = createInferRuntime(logger());
		if (rt == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createInferRuntime failed");
		}
		*out = reinterpret_cast<gotrt_runtime*>(rt);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_runtime_destroy(gotrt_runtime* rt, char** err) {
	try {
		begin();
		delete reinterpret_cast<IRuntime*>(rt);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_runtime_deserialize(gotrt_runtime* rt, const void* plan, size_t size, gotrt_engine** out, char** err) {
	GOTRT_NULL_CHECK(rt);
	GOTRT_NULL_CHECK(plan);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		ICudaEngine* e = reinterpret_cast<IRuntime*>(rt)->deserializeCudaEngine(plan, size);
		if (e == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "deserializeCudaEngine failed");
		}
		*out = reinterpret_cast<gotrt_engine*>(e);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

// Engine.

#define ENGINE(e) reinterpret_cast<ICudaEngine*>(e)

int gotrt_engine_destroy(gotrt_engine* e, char** err) {
	try {
		begin();
		delete ENGINE(e);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_num_io_tensors(gotrt_engine* e, int32_t* n, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(n);
	try {
		begin();
		*n = ENGINE(e)->getNbIOTensors();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_io_tensor_name(gotrt_engine* e, int32_t index, const char** name, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	try {
		begin();
		char const* s = ENGINE(e)->getIOTensorName(index);
		if (s == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "getIOTensorName: index out of range");
		}
		*name = s;
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_io_mode(gotrt_engine* e, const char* name, int32_t* mode, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(mode);
	try {
		begin();
		TensorIOMode m = ENGINE(e)->getTensorIOMode(name);
		if (m == TensorIOMode::kNONE) {
			return fail(err, GOTRT_ERR_FAILED, "getTensorIOMode: not an input or output tensor");
		}
		*mode = static_cast<int32_t>(m);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_data_type(gotrt_engine* e, const char* name, int32_t* dtype, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(dtype);
	try {
		begin();
		*dtype = static_cast<int32_t>(ENGINE(e)->getTensorDataType(name));
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_shape(gotrt_engine* e, const char* name, int64_t* dims, int32_t* rank, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(dims);
	GOTRT_NULL_CHECK(rank);
	try {
		begin();
		return fromDims(ENGINE(e)->getTensorShape(name), dims, rank, err);
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_format(gotrt_engine* e, const char* name, int32_t* format, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(format);
	try {
		begin();
		*format = static_cast<int32_t>(ENGINE(e)->getTensorFormat(name));
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_vectorized_dim(gotrt_engine* e, const char* name, int32_t* dim, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(dim);
	try {
		begin();
		*dim = ENGINE(e)->getTensorVectorizedDim(name);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_components(gotrt_engine* e, const char* name, int32_t* n, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(n);
	try {
		begin();
		// -1 is no failure: TensorRT 10 and 11 return it for a tensor that is
		// not vectorized (NvInferRuntime.h, getTensorComponentsPerElement).
		// The caller reads it together with getTensorVectorizedDim.
		*n = ENGINE(e)->getTensorComponentsPerElement(name);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_tensor_location(gotrt_engine* e, const char* name, int32_t* location, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(location);
	try {
		begin();
		*location = static_cast<int32_t>(ENGINE(e)->getTensorLocation(name));
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_num_profiles(gotrt_engine* e, int32_t* n, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(n);
	try {
		begin();
		*n = ENGINE(e)->getNbOptimizationProfiles();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_profile_shape(gotrt_engine* e, const char* name, int32_t profile, int32_t selector,
                               int64_t* dims, int32_t* rank, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(dims);
	GOTRT_NULL_CHECK(rank);
	if (selector < GOTRT_PROFILE_MIN || selector > GOTRT_PROFILE_MAX) {
		return invalid(err, "profile selector out of range");
	}
	try {
		begin();
		Dims d = ENGINE(e)->getProfileShape(name, profile, static_cast<OptProfileSelector>(selector));
		return fromDims(d, dims, rank, err);
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_num_layers(gotrt_engine* e, int32_t* n, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(n);
	try {
		begin();
		*n = ENGINE(e)->getNbLayers();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_device_memory_size(gotrt_engine* e, int64_t* bytes, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(bytes);
	try {
		begin();
#if NV_TENSORRT_MAJOR > 10 || (NV_TENSORRT_MAJOR == 10 && NV_TENSORRT_MINOR >= 1)
		*bytes = ENGINE(e)->getDeviceMemorySizeV2();
#else
		*bytes = static_cast<int64_t>(ENGINE(e)->getDeviceMemorySize());
#endif
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_create_inspector(gotrt_engine* e, gotrt_inspector** out, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IEngineInspector* in = ENGINE(e)->createEngineInspector();
		if (in == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createEngineInspector failed");
		}
		*out = reinterpret_cast<gotrt_inspector*>(in);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_engine_create_context(gotrt_engine* e, gotrt_context** out, char** err) {
	GOTRT_NULL_CHECK(e);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IExecutionContext* c = ENGINE(e)->createExecutionContext();
		if (c == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createExecutionContext failed");
		}
		*out = reinterpret_cast<gotrt_context*>(c);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

#undef ENGINE

// Engine inspector.

#define INSPECTOR(i) reinterpret_cast<IEngineInspector*>(i)

int gotrt_inspector_destroy(gotrt_inspector* in, char** err) {
	try {
		begin();
		delete INSPECTOR(in);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_inspector_layer_info(gotrt_inspector* in, int32_t layer, int32_t format, const char** info, char** err) {
	GOTRT_NULL_CHECK(in);
	GOTRT_NULL_CHECK(info);
	if (format != GOTRT_LAYER_INFO_ONELINE && format != GOTRT_LAYER_INFO_JSON) {
		return invalid(err, "layer information format out of range");
	}
	try {
		begin();
		char const* s = INSPECTOR(in)->getLayerInformation(layer, static_cast<LayerInformationFormat>(format));
		if (s == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "getLayerInformation failed");
		}
		*info = s;
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_inspector_engine_info(gotrt_inspector* in, int32_t format, const char** info, char** err) {
	GOTRT_NULL_CHECK(in);
	GOTRT_NULL_CHECK(info);
	if (format != GOTRT_LAYER_INFO_ONELINE && format != GOTRT_LAYER_INFO_JSON) {
		return invalid(err, "layer information format out of range");
	}
	try {
		begin();
		char const* s = INSPECTOR(in)->getEngineInformation(static_cast<LayerInformationFormat>(format));
		if (s == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "getEngineInformation failed");
		}
		*info = s;
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_inspector_set_context(gotrt_inspector* in, gotrt_context* c, char** err) {
	GOTRT_NULL_CHECK(in);
	GOTRT_NULL_CHECK(c);
	try {
		begin();
		if (!INSPECTOR(in)->setExecutionContext(reinterpret_cast<IExecutionContext const*>(c))) {
			return fail(err, GOTRT_ERR_FAILED, "setExecutionContext failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

#undef INSPECTOR

// Execution context.

#define CONTEXT(c) reinterpret_cast<IExecutionContext*>(c)

int gotrt_context_destroy(gotrt_context* c, char** err) {
	try {
		begin();
		delete CONTEXT(c);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_context_set_profile(gotrt_context* c, int32_t profile, void* stream, char** err) {
	GOTRT_NULL_CHECK(c);
	try {
		begin();
		if (!CONTEXT(c)->setOptimizationProfileAsync(profile, static_cast<cudaStream_t>(stream))) {
			return fail(err, GOTRT_ERR_FAILED, "setOptimizationProfileAsync failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_context_set_input_shape(gotrt_context* c, const char* name, const int64_t* dims, int32_t rank, char** err) {
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(name);
	Dims d{};
	if (toDims(dims, rank, &d) != GOTRT_OK) {
		return invalid(err, "rank out of range");
	}
	try {
		begin();
		if (!CONTEXT(c)->setInputShape(name, d)) {
			return fail(err, GOTRT_ERR_FAILED, "setInputShape failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_context_tensor_shape(gotrt_context* c, const char* name, int64_t* dims, int32_t* rank, char** err) {
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(name);
	GOTRT_NULL_CHECK(dims);
	GOTRT_NULL_CHECK(rank);
	try {
		begin();
		return fromDims(CONTEXT(c)->getTensorShape(name), dims, rank, err);
	} catch (...) {
		return caught(err);
	}
}

int gotrt_context_set_tensor_address(gotrt_context* c, const char* name, uint64_t ptr, char** err) {
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(name);
	try {
		begin();
		if (!CONTEXT(c)->setTensorAddress(name, reinterpret_cast<void*>(static_cast<uintptr_t>(ptr)))) {
			return fail(err, GOTRT_ERR_FAILED, "setTensorAddress failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_context_enqueue_v3(gotrt_context* c, void* stream, char** err) {
	GOTRT_NULL_CHECK(c);
	try {
		begin();
		if (!CONTEXT(c)->enqueueV3(static_cast<cudaStream_t>(stream))) {
			return fail(err, GOTRT_ERR_FAILED, "enqueueV3 failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

#undef CONTEXT

// Builder.

#define BUILDER(b) reinterpret_cast<IBuilder*>(b)
#define NETWORK(n) reinterpret_cast<INetworkDefinition*>(n)
#define CONFIG(c) reinterpret_cast<IBuilderConfig*>(c)
#define PROFILE(p) reinterpret_cast<IOptimizationProfile*>(p)

int gotrt_builder_create(gotrt_builder** out, char** err) {
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IBuilder* b = createInferBuilder(logger());
		if (b == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createInferBuilder failed");
		}
		*out = reinterpret_cast<gotrt_builder*>(b);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_builder_destroy(gotrt_builder* b, char** err) {
	try {
		begin();
		delete BUILDER(b);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_builder_create_network(gotrt_builder* b, gotrt_network** out, char** err) {
	GOTRT_NULL_CHECK(b);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
#if NV_TENSORRT_MAJOR >= 10
		// Explicit batch is the only mode since TensorRT 10; kEXPLICIT_BATCH is deprecated.
		NetworkDefinitionCreationFlags flags = 0U;
#else
		NetworkDefinitionCreationFlags flags =
		    1U << static_cast<uint32_t>(NetworkDefinitionCreationFlag::kEXPLICIT_BATCH);
#endif
		INetworkDefinition* n = BUILDER(b)->createNetworkV2(flags);
		if (n == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createNetworkV2 failed");
		}
		*out = reinterpret_cast<gotrt_network*>(n);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_builder_create_config(gotrt_builder* b, gotrt_config** out, char** err) {
	GOTRT_NULL_CHECK(b);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IBuilderConfig* c = BUILDER(b)->createBuilderConfig();
		if (c == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createBuilderConfig failed");
		}
		*out = reinterpret_cast<gotrt_config*>(c);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_builder_create_profile(gotrt_builder* b, gotrt_profile** out, char** err) {
	GOTRT_NULL_CHECK(b);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IOptimizationProfile* p = BUILDER(b)->createOptimizationProfile();
		if (p == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "createOptimizationProfile failed");
		}
		*out = reinterpret_cast<gotrt_profile*>(p);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_builder_build_serialized(gotrt_builder* b, gotrt_network* n, gotrt_config* c, gotrt_host_memory** out,
                                   char** err) {
	GOTRT_NULL_CHECK(b);
	GOTRT_NULL_CHECK(n);
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		IHostMemory* m = BUILDER(b)->buildSerializedNetwork(*NETWORK(n), *CONFIG(c));
		if (m == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "buildSerializedNetwork failed");
		}
		*out = reinterpret_cast<gotrt_host_memory*>(m);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_network_destroy(gotrt_network* n, char** err) {
	try {
		begin();
		delete NETWORK(n);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_network_num_inputs(gotrt_network* n, int32_t* count, char** err) {
	GOTRT_NULL_CHECK(n);
	GOTRT_NULL_CHECK(count);
	try {
		begin();
		*count = NETWORK(n)->getNbInputs();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_network_input(gotrt_network* n, int32_t index, gotrt_tensor** out, char** err) {
	GOTRT_NULL_CHECK(n);
	GOTRT_NULL_CHECK(out);
	try {
		begin();
		ITensor* t = NETWORK(n)->getInput(index);
		if (t == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "getInput: index out of range");
		}
		*out = reinterpret_cast<gotrt_tensor*>(t);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_tensor_name(gotrt_tensor* t, const char** name, char** err) {
	GOTRT_NULL_CHECK(t);
	GOTRT_NULL_CHECK(name);
	try {
		begin();
		*name = reinterpret_cast<ITensor*>(t)->getName();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_tensor_dims(gotrt_tensor* t, int64_t* dims, int32_t* rank, char** err) {
	GOTRT_NULL_CHECK(t);
	GOTRT_NULL_CHECK(dims);
	GOTRT_NULL_CHECK(rank);
	try {
		begin();
		return fromDims(reinterpret_cast<ITensor*>(t)->getDimensions(), dims, rank, err);
	} catch (...) {
		return caught(err);
	}
}

int gotrt_tensor_data_type(gotrt_tensor* t, int32_t* dtype, char** err) {
	GOTRT_NULL_CHECK(t);
	GOTRT_NULL_CHECK(dtype);
	try {
		begin();
		*dtype = static_cast<int32_t>(reinterpret_cast<ITensor*>(t)->getType());
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_tensor_set_data_type(gotrt_tensor* t, int32_t dtype, char** err) {
	GOTRT_NULL_CHECK(t);
#if NV_TENSORRT_MAJOR < 11
	try {
		begin();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		reinterpret_cast<ITensor*>(t)->setType(static_cast<DataType>(dtype));
#pragma GCC diagnostic pop
		// setType reports a refused type through the logger only.
		if (!loggedErrors().empty()) {
			return fail(err, GOTRT_ERR_FAILED, "setType failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	(void)dtype;
	return fail(err, GOTRT_ERR_NOT_SUPPORTED,
	            "tensorrt 11 networks are strongly typed: an input's type is the onnx model's");
#endif
}

int gotrt_tensor_set_allowed_formats(gotrt_tensor* t, uint32_t formats, char** err) {
	GOTRT_NULL_CHECK(t);
	try {
		begin();
		reinterpret_cast<ITensor*>(t)->setAllowedFormats(static_cast<TensorFormats>(formats));
		if (!loggedErrors().empty()) {
			return fail(err, GOTRT_ERR_FAILED, "setAllowedFormats failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_config_destroy(gotrt_config* c, char** err) {
	try {
		begin();
		delete CONFIG(c);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_config_set_workspace(gotrt_config* c, uint64_t bytes, char** err) {
	GOTRT_NULL_CHECK(c);
	try {
		begin();
		CONFIG(c)->setMemoryPoolLimit(MemoryPoolType::kWORKSPACE, static_cast<std::size_t>(bytes));
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_config_set_flag(gotrt_config* c, int32_t flag, char** err) {
	GOTRT_NULL_CHECK(c);
	try {
		begin();
		switch (flag) {
#if NV_TENSORRT_MAJOR < 11
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		case GOTRT_FLAG_FP16:
			CONFIG(c)->setFlag(BuilderFlag::kFP16);
			return GOTRT_OK;
		case GOTRT_FLAG_INT8:
			CONFIG(c)->setFlag(BuilderFlag::kINT8);
			return GOTRT_OK;
#pragma GCC diagnostic pop
#else
		case GOTRT_FLAG_FP16:
		case GOTRT_FLAG_INT8:
			return fail(err, GOTRT_ERR_NOT_SUPPORTED,
			            "tensorrt 11 has no precision flags: build from an explicitly quantized (q/dq) onnx model");
#endif
		case GOTRT_FLAG_TF32:
			CONFIG(c)->setFlag(BuilderFlag::kTF32);
			return GOTRT_OK;
		case GOTRT_FLAG_GPU_FALLBACK:
			CONFIG(c)->setFlag(BuilderFlag::kGPU_FALLBACK);
			return GOTRT_OK;
		case GOTRT_FLAG_SPARSE_WEIGHTS:
			CONFIG(c)->setFlag(BuilderFlag::kSPARSE_WEIGHTS);
			return GOTRT_OK;
		case GOTRT_FLAG_DETAILED_PROFILING:
			CONFIG(c)->setProfilingVerbosity(ProfilingVerbosity::kDETAILED);
			return GOTRT_OK;
		default:
			return invalid(err, "unknown builder flag");
		}
	} catch (...) {
		return caught(err);
	}
}

int gotrt_config_add_profile(gotrt_config* c, gotrt_profile* p, int32_t* index, char** err) {
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(p);
	GOTRT_NULL_CHECK(index);
	try {
		begin();
		int32_t i = CONFIG(c)->addOptimizationProfile(PROFILE(p));
		if (i < 0) {
			return fail(err, GOTRT_ERR_FAILED, "addOptimizationProfile: invalid profile");
		}
		*index = i;
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_config_set_calibration_profile(gotrt_config* c, gotrt_profile* p, char** err) {
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(p);
#if NV_TENSORRT_MAJOR < 11
	try {
		begin();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		bool ok = CONFIG(c)->setCalibrationProfile(PROFILE(p));
#pragma GCC diagnostic pop
		if (!ok) {
			return fail(err, GOTRT_ERR_FAILED, "setCalibrationProfile failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	return fail(err, GOTRT_ERR_NOT_SUPPORTED, "tensorrt 11 has no int8 calibration");
#endif
}

int gotrt_config_set_int8_calibrator(gotrt_config* c, gotrt_calibrator* cal, char** err) {
	GOTRT_NULL_CHECK(c);
	GOTRT_NULL_CHECK(cal);
#if NV_TENSORRT_MAJOR < 11
	try {
		begin();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		CONFIG(c)->setInt8Calibrator(reinterpret_cast<IInt8Calibrator*>(cal));
#pragma GCC diagnostic pop
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	return fail(err, GOTRT_ERR_NOT_SUPPORTED, "tensorrt 11 has no int8 calibration");
#endif
}

int gotrt_profile_set_dimensions(gotrt_profile* p, const char* name, int32_t selector, const int64_t* dims,
                                 int32_t rank, char** err) {
	GOTRT_NULL_CHECK(p);
	GOTRT_NULL_CHECK(name);
	if (selector < GOTRT_PROFILE_MIN || selector > GOTRT_PROFILE_MAX) {
		return invalid(err, "profile selector out of range");
	}
	Dims d{};
	if (toDims(dims, rank, &d) != GOTRT_OK) {
		return invalid(err, "rank out of range");
	}
	try {
		begin();
		if (!PROFILE(p)->setDimensions(name, static_cast<OptProfileSelector>(selector), d)) {
			return fail(err, GOTRT_ERR_FAILED, "setDimensions failed");
		}
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_calibrator_create(int32_t algorithm, const void* cache, size_t size, gotrt_calibrator** out, char** err) {
	GOTRT_NULL_CHECK(out);
	if (size > 0 && cache == nullptr) {
		return invalid(err, "cache is null");
	}
#if NV_TENSORRT_MAJOR < 11
	try {
		begin();
		char const* p = static_cast<char const*>(cache);
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		IInt8Calibrator* cal = newCalibrator(algorithm, std::vector<char>(p, p + size));
#pragma GCC diagnostic pop
		if (cal == nullptr) {
			return invalid(err, "unsupported calibration algorithm");
		}
		*out = reinterpret_cast<gotrt_calibrator*>(cal);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	(void)algorithm;
	return fail(err, GOTRT_ERR_NOT_SUPPORTED, "tensorrt 11 has no int8 calibration");
#endif
}

int gotrt_calibrator_destroy(gotrt_calibrator* cal, char** err) {
#if NV_TENSORRT_MAJOR < 11
	try {
		begin();
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wdeprecated-declarations"
		delete reinterpret_cast<IInt8Calibrator*>(cal);
#pragma GCC diagnostic pop
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	(void)err;
	return cal == nullptr ? GOTRT_OK : GOTRT_ERR_NOT_SUPPORTED;
#endif
}

int gotrt_host_memory_data(gotrt_host_memory* m, const void** data, size_t* size, char** err) {
	GOTRT_NULL_CHECK(m);
	GOTRT_NULL_CHECK(data);
	GOTRT_NULL_CHECK(size);
	try {
		begin();
		IHostMemory* h = reinterpret_cast<IHostMemory*>(m);
		*data = h->data();
		*size = h->size();
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

int gotrt_host_memory_destroy(gotrt_host_memory* m, char** err) {
	try {
		begin();
		delete reinterpret_cast<IHostMemory*>(m);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
}

#undef BUILDER
#undef CONFIG
#undef PROFILE

// ONNX parser.

int gotrt_parser_create(gotrt_network* n, gotrt_parser** out, char** err) {
	GOTRT_NULL_CHECK(n);
	GOTRT_NULL_CHECK(out);
#ifdef GOTRT_HAVE_ONNX
	try {
		begin();
		nvonnxparser::IParser* p = nvonnxparser::createParser(*NETWORK(n), logger());
		if (p == nullptr) {
			return fail(err, GOTRT_ERR_FAILED, "nvonnxparser::createParser failed");
		}
		*out = reinterpret_cast<gotrt_parser*>(p);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	return fail(err, GOTRT_ERR_NOT_SUPPORTED, "built without NvOnnxParser.h: no onnx parser");
#endif
}

int gotrt_parser_destroy(gotrt_parser* p, char** err) {
#ifdef GOTRT_HAVE_ONNX
	try {
		begin();
		delete reinterpret_cast<nvonnxparser::IParser*>(p);
		return GOTRT_OK;
	} catch (...) {
		return caught(err);
	}
#else
	(void)err;
	return p == nullptr ? GOTRT_OK : GOTRT_ERR_NOT_SUPPORTED;
#endif
}

int gotrt_parser_parse_from_file(gotrt_parser* p, const char* path, char** err) {
	GOTRT_NULL_CHECK(p);
	GOTRT_NULL_CHECK(path);
#ifdef GOTRT_HAVE_ONNX
	try {
		begin();
		nvonnxparser::IParser* parser = reinterpret_cast<nvonnxparser::IParser*>(p);
		if (parser->parseFromFile(path, static_cast<int>(ILogger::Severity::kWARNING))) {
			return GOTRT_OK;
		}
		// The parser keeps its own error list; it says more than the log.
		std::string msg;
		for (int i = 0; i < parser->getNbErrors(); ++i) {
			nvonnxparser::IParserError const* e = parser->getError(i);
			if (e == nullptr) {
				continue;
			}
			if (!msg.empty()) {
				msg += "; ";
			}
			msg += e->desc();
#if NV_TENSORRT_MAJOR >= 10
			char const* node = e->nodeName();
			if (node != nullptr && node[0] != '\0') {
				msg += std::string(" (node ") + node + ")";
			}
#endif
		}
		if (!msg.empty()) {
			Logger::recorded() = msg;
		}
		return fail(err, GOTRT_ERR_FAILED, "parseFromFile failed");
	} catch (...) {
		return caught(err);
	}
#else
	return fail(err, GOTRT_ERR_NOT_SUPPORTED, "built without NvOnnxParser.h: no onnx parser");
#endif
}

#undef NETWORK

} // extern "C"
