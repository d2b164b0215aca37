// logger_test.cc checks the shim's logger against the TensorRT headers
// without the TensorRT library: it includes shim.cc whole (so the logger's
// internals are in reach), calls nothing of TensorRT, and links with
// unresolved TensorRT and CUDA symbols ignored (-no-pie, so that the
// loader accepts them). TestShimLogger in
// ../../shimtest_test.go builds and runs it where TENSORRT_INC is set.

#include "../../shim.cc"

#include <thread>

namespace {

int failures = 0;

void expect(bool ok, char const* what, std::string const& got) {
	if (!ok) {
		std::fprintf(stderr, "FAIL: %s (got \"%s\")\n", what, got.c_str());
		++failures;
	}
}

std::string failWith(char const* what) {
	char* msg = nullptr;
	fail(&msg, GOTRT_ERR_FAILED, what);
	std::string s = msg != nullptr ? msg : "";
	std::free(msg);
	return s;
}

} // namespace

int main() {
	logger().printSeverity.store(-1); // keep the test's output quiet

	// An error TensorRT logs on the calling thread is the call's message.
	begin();
	logger().log(ILogger::Severity::kERROR, "own thread error");
	std::string got = failWith("fallback");
	expect(got == "own thread error", "own thread's error", got);

	// An error TensorRT logs from a thread of its own (a builder worker)
	// during the call is attached too; it used to be printed and lost.
	begin();
	std::thread([] { logger().log(ILogger::Severity::kERROR, "worker thread error"); }).join();
	logger().log(ILogger::Severity::kINTERNAL_ERROR, "own again");
	got = failWith("fallback");
	expect(got == "own again; worker thread error", "worker thread's error attached", got);

	// Errors logged before the call began belong to no later call.
	std::thread([] { logger().log(ILogger::Severity::kERROR, "stale"); }).join();
	begin();
	got = failWith("fallback");
	expect(got == "fallback", "nothing logged during the call: the shim's own description", got);

	// Warnings are not errors.
	begin();
	std::thread([] { logger().log(ILogger::Severity::kWARNING, "just a warning"); }).join();
	got = failWith("fallback");
	expect(got == "fallback", "warnings are not attached", got);

	// A bad argument's message is its own, whatever was logged before.
	begin();
	logger().log(ILogger::Severity::kERROR, "earlier");
	char* msg = nullptr;
	int rc = gotrt_engine_num_io_tensors(nullptr, nullptr, &msg);
	got = msg != nullptr ? msg : "";
	std::free(msg);
	expect(rc == GOTRT_ERR_INVALID_ARGUMENT && got == "e is null", "null handle", got);

	// More foreign errors than the ring holds: the newest are kept.
	begin();
	std::thread([] {
		for (int i = 0; i < 40; ++i) {
			logger().log(ILogger::Severity::kERROR, ("e" + std::to_string(i)).c_str());
		}
	}).join();
	got = failWith("fallback");
	expect(got.find("e39") != std::string::npos && got.find("e7;") == std::string::npos && got.find("e8") == 0,
	       "the ring keeps the last 32", got);

	if (failures == 0) {
		std::printf("logger ok\n");
	}
	return failures == 0 ? 0 : 1;
}
