// engine_test.cc runs shim functions on stand-ins for TensorRT's engine,
// inspector and network tensor: classes derived from the implementation
// interfaces of NvInferImpl.h (apiv::VCudaEngine and kin), whose every
// method TestShim generates from the header in use (fakes.h: each returns a
// zero value) and whose few methods under test are overridden here. The
// public classes (ICudaEngine ...) are inline wrappers over those, so the
// shim's code runs as it would on a real engine, without the library.

#include "../../shim.cc"

#include "fakes.h"

#include <string>

namespace {

int failures = 0;

void expect(bool ok, char const* what, std::string const& got) {
	if (!ok) {
		std::fprintf(stderr, "FAIL: %s (got \"%s\")\n", what, got.c_str());
		++failures;
	}
}

// The engine: a linear tensor "lin" (TensorRT 10 and 11 say -1 components),
// a CHW4 tensor "vec", a host-located shape tensor "shape".
class Engine final : public FakeVCudaEngine {
public:
	int32_t getTensorComponentsPerElement(char const* name) const noexcept override {
		return std::string(name) == "vec" ? 4 : -1;
	}
	int32_t getTensorVectorizedDim(char const* name) const noexcept override {
		return std::string(name) == "vec" ? 1 : -1;
	}
	TensorLocation getTensorLocation(char const* name) const noexcept override {
		return std::string(name) == "shape" ? TensorLocation::kHOST : TensorLocation::kDEVICE;
	}
};

struct EngineHandle : ICudaEngine {
	explicit EngineHandle(apiv::VCudaEngine* impl) { mImpl = impl; }
};

class Inspector final : public FakeVEngineInspector {
public:
	bool setExecutionContext(IExecutionContext const* c) noexcept override {
		context = c;
		return c != nullptr;
	}
	IExecutionContext const* context = nullptr;
};

struct InspectorHandle : IEngineInspector {
	explicit InspectorHandle(apiv::VEngineInspector* impl) { mImpl = impl; }
};

class Tensor final : public FakeVTensor {
public:
	void setAllowedFormats(TensorFormats f) noexcept override {
		if (f == 0) {
			logger().log(ILogger::Severity::kERROR, "no format allowed");
			return;
		}
		formats = f;
	}
	TensorFormats formats = 0;
};

struct TensorHandle : ITensor {
	explicit TensorHandle(apiv::VTensor* impl) { mImpl = impl; }
};

std::string take(char* msg) {
	std::string s = msg != nullptr ? msg : "";
	std::free(msg);
	return s;
}

} // namespace

int main() {
	logger().printSeverity.store(-1);

	Engine impl;
	EngineHandle engine(&impl);
	auto* e = reinterpret_cast<gotrt_engine*>(static_cast<ICudaEngine*>(&engine));
	char* msg = nullptr;

	// Finding 1: -1 components is a linear tensor, not a failure.
	int32_t n = 0;
	int rc = gotrt_engine_tensor_components(e, "lin", &n, &msg);
	expect(rc == GOTRT_OK && n == -1, "components of a linear tensor pass through", take(msg));
	msg = nullptr;
	rc = gotrt_engine_tensor_components(e, "vec", &n, &msg);
	expect(rc == GOTRT_OK && n == 4, "components of a CHW4 tensor", take(msg));
	msg = nullptr;

	// Finding 8: a shape tensor TensorRT keeps on the host says so.
	int32_t loc = -1;
	rc = gotrt_engine_tensor_location(e, "shape", &loc, &msg);
	expect(rc == GOTRT_OK && loc == GOTRT_LOCATION_HOST, "host-located tensor", take(msg));
	msg = nullptr;
	rc = gotrt_engine_tensor_location(e, "lin", &loc, &msg);
	expect(rc == GOTRT_OK && loc == GOTRT_LOCATION_DEVICE, "device-located tensor", take(msg));
	msg = nullptr;

	// Finding 8: the inspector is given the execution context.
	Inspector iimpl;
	InspectorHandle inspector(&iimpl);
	auto* in = reinterpret_cast<gotrt_inspector*>(static_cast<IEngineInspector*>(&inspector));
	auto* ctx = reinterpret_cast<gotrt_context*>(&iimpl); // any non-null address stands for a context
	rc = gotrt_inspector_set_context(in, ctx, &msg);
	expect(rc == GOTRT_OK && iimpl.context == reinterpret_cast<IExecutionContext const*>(ctx),
	       "inspector context set", take(msg));
	msg = nullptr;
	rc = gotrt_inspector_set_context(in, nullptr, &msg);
	expect(rc == GOTRT_ERR_INVALID_ARGUMENT, "null context refused", take(msg));
	msg = nullptr;

	// Finding 7: a build input's allowed formats; a refusal TensorRT only
	// logs is the call's failure.
	Tensor timpl;
	TensorHandle tensor(&timpl);
	auto* t = reinterpret_cast<gotrt_tensor*>(static_cast<ITensor*>(&tensor));
	rc = gotrt_tensor_set_allowed_formats(t, (1U << 0) | (1U << 3), &msg);
	expect(rc == GOTRT_OK && timpl.formats == 9U, "linear and chw4 allowed", take(msg));
	msg = nullptr;
	rc = gotrt_tensor_set_allowed_formats(t, 0, &msg);
	std::string got = take(msg);
	msg = nullptr;
	expect(rc == GOTRT_ERR_FAILED && got == "no format allowed", "logged refusal returned", got);
	rc = gotrt_tensor_set_data_type(t, static_cast<int32_t>(DataType::kINT8), &msg);
	got = take(msg);
	msg = nullptr;
#if NV_TENSORRT_MAJOR < 11
	expect(rc == GOTRT_OK, "int8 input type set", got);
#else
	expect(rc == GOTRT_ERR_NOT_SUPPORTED, "tensorrt 11 has no setType", got);
#endif

	if (failures == 0) {
		std::printf("engine stand-ins ok (tensorrt %d.%d)\n", NV_TENSORRT_MAJOR, NV_TENSORRT_MINOR);
	}
	return failures == 0 ? 0 : 1;
}
