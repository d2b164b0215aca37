// A STAND-IN for libnvinfer, libnvinfer_plugin and libnvonnxparser: a test
// tool, never a TensorRT. Built by .ci/trt-check.sh and trt's load tests with
// the soname of the real library (-Wl,-soname,libnvinfer.so.10), it exports
// the entry points gotrt resolves and answers as a TensorRT without a GPU
// would: getInferLibVersion returns STANDIN_MAJOR.STANDIN_MINOR.STANDIN_PATCH
// (TensorRT's encoding), every factory returns NULL (so creating a runtime,
// a builder or a parser fails with TensorRT's "failed"), and
// initLibNvInferPlugins succeeds, registering nothing. It lets the loading,
// version checks and error paths run where no TensorRT can be installed;
// only a real TensorRT can show that deserializing and running work.
//
//   gcc -shared -fPIC -DSTANDIN_MAJOR=10 -DSTANDIN_MINOR=16 -DSTANDIN_PATCH=0
//     -Wl,-soname,libnvinfer.so.10 -o libnvinfer.so.10 libnvinfer_standin.c

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifndef STANDIN_MAJOR
#error "define STANDIN_MAJOR, STANDIN_MINOR and STANDIN_PATCH"
#endif

int32_t getInferLibVersion(void) {
#if STANDIN_MAJOR >= 10
	return STANDIN_MAJOR * 10000 + STANDIN_MINOR * 100 + STANDIN_PATCH;
#else
	return STANDIN_MAJOR * 1000 + STANDIN_MINOR * 100 + STANDIN_PATCH;
#endif
}

void* createInferRuntime_INTERNAL(void* logger, int32_t version) {
	(void)logger;
	(void)version;
	return NULL;
}

void* createInferBuilder_INTERNAL(void* logger, int32_t version) {
	(void)logger;
	(void)version;
	return NULL;
}

void* getPluginRegistry(void) { return NULL; }

bool initLibNvInferPlugins(void* logger, char const* libNamespace) {
	(void)logger;
	(void)libNamespace;
	return true;
}

void* createNvOnnxParser_INTERNAL(void* network, void* logger, int version) {
	(void)network;
	(void)logger;
	(void)version;
	return NULL;
}

#ifdef STANDIN_CREATORS
// A plugin library in TensorRT 10's loadLibrary form exports getCreators.
void* getCreators(int32_t* nbCreators) {
	*nbCreators = 0;
	return NULL;
}
#endif
