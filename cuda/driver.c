//go:build cuda

// driver.c: the C half of gotrt's CUDA driver binding (see driver.h).
//
// Why dlopen and not -lcuda: a binary linked against libcuda.so.1 cannot even
// start where the driver is absent (a CPU node, a container without the
// NVIDIA runtime), and gotrt must start everywhere and fall back to the CPU.
// libcuda.so.1 is the driver's own soname; every driver since CUDA 3.2 keeps
// exporting the versioned entry points cuda.h maps to, so resolving the names
// the header picked calls exactly what a binary linked against it would.

#include <dlfcn.h>
#include <stdio.h>

#include "driver.h"

#define GOTRT_STR2(x) #x
// GOTRT_STR expands x first: GOTRT_STR(cuMemAlloc) is "cuMemAlloc_v2".
#define GOTRT_STR(x) GOTRT_STR2(x)

// Every driver entry point gotrt calls, by the name a CUDA program writes.
#define GOTRT_DRIVER_CALLS(X) \
	X(cuInit) \
	X(cuDriverGetVersion) \
	X(cuGetErrorName) \
	X(cuGetErrorString) \
	X(cuDeviceGetCount) \
	X(cuDeviceGet) \
	X(cuDeviceGetName) \
	X(cuDeviceGetAttribute) \
	X(cuDevicePrimaryCtxRetain) \
	X(cuDevicePrimaryCtxRelease) \
	X(cuCtxGetCurrent) \
	X(cuCtxPushCurrent) \
	X(cuCtxPopCurrent) \
	X(cuCtxSynchronize) \
	X(cuStreamCreate) \
	X(cuStreamDestroy) \
	X(cuStreamSynchronize) \
	X(cuStreamWaitEvent) \
	X(cuLaunchHostFunc) \
	X(cuStreamBeginCapture) \
	X(cuStreamEndCapture) \
	X(cuMemAlloc) \
	X(cuMemFree) \
	X(cuMemHostAlloc) \
	X(cuMemFreeHost) \
	X(cuMemcpyHtoDAsync) \
	X(cuMemcpyDtoHAsync) \
	X(cuMemcpyDtoDAsync) \
	X(cuMemsetD8Async) \
	X(cuEventCreate) \
	X(cuEventDestroy) \
	X(cuEventRecord) \
	X(cuEventSynchronize) \
	X(cuEventQuery) \
	X(cuEventElapsedTime) \
	X(cuGraphGetNodes) \
	X(cuGraphInstantiateWithFlags) \
	X(cuGraphLaunch) \
	X(cuGraphExecDestroy) \
	X(cuGraphDestroy) \
	X(cuModuleLoadData) \
	X(cuModuleGetFunction) \
	X(cuModuleUnload) \
	X(cuFuncSetAttribute) \
	X(cuLaunchKernel)

// One pointer per entry point, typed by cuda.h's prototype of the name the
// header maps it to: p_cuMemAlloc has the type of &cuMemAlloc_v2. Taking
// the type references no symbol, so nothing links against libcuda.
#define GOTRT_POINTER(f) static __typeof__(&f) p_##f;
GOTRT_DRIVER_CALLS(GOTRT_POINTER)

static char why[512];

#define GOTRT_RESOLVE(f) \
	p_##f = (__typeof__(p_##f))dlsym(lib, GOTRT_STR(f)); \
	if (p_##f == NULL) { \
		snprintf(why, sizeof why, "libcuda.so.1 lacks %s (driver too old)", GOTRT_STR(f)); \
		return why; \
	}

const char *gotrt_cuda_load(void) {
	// Never closed: the driver stays loaded for the life of the process, as
	// it would if the binary were linked against it.
	void *lib = dlopen("libcuda.so.1", RTLD_NOW | RTLD_LOCAL);
	if (lib == NULL) {
		const char *e = dlerror();
		snprintf(why, sizeof why, "%s", e != NULL ? e : "libcuda.so.1: dlopen failed");
		return why;
	}
	GOTRT_DRIVER_CALLS(GOTRT_RESOLVE)
	return NULL;
}

CUresult gotrt_cuInit(unsigned int flags) { return p_cuInit(flags); }
CUresult gotrt_cuDriverGetVersion(int *version) { return p_cuDriverGetVersion(version); }
CUresult gotrt_cuGetErrorName(CUresult r, const char **s) { return p_cuGetErrorName(r, s); }
CUresult gotrt_cuGetErrorString(CUresult r, const char **s) { return p_cuGetErrorString(r, s); }

CUresult gotrt_cuDeviceGetCount(int *n) { return p_cuDeviceGetCount(n); }
CUresult gotrt_cuDeviceGet(CUdevice *dev, int ordinal) { return p_cuDeviceGet(dev, ordinal); }
CUresult gotrt_cuDeviceGetName(char *name, int len, CUdevice dev) { return p_cuDeviceGetName(name, len, dev); }
CUresult gotrt_cuDeviceGetAttribute(int *v, CUdevice_attribute a, CUdevice dev) {
	return p_cuDeviceGetAttribute(v, a, dev);
}
CUresult gotrt_cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev) { return p_cuDevicePrimaryCtxRetain(ctx, dev); }
CUresult gotrt_cuDevicePrimaryCtxRelease(CUdevice dev) { return p_cuDevicePrimaryCtxRelease(dev); }

CUresult gotrt_cuCtxGetCurrent(CUcontext *ctx) { return p_cuCtxGetCurrent(ctx); }
CUresult gotrt_cuCtxPushCurrent(CUcontext ctx) { return p_cuCtxPushCurrent(ctx); }
CUresult gotrt_cuCtxPopCurrent(CUcontext *ctx) { return p_cuCtxPopCurrent(ctx); }
CUresult gotrt_cuCtxSynchronize(void) { return p_cuCtxSynchronize(); }

CUresult gotrt_cuStreamCreate(CUstream *s, unsigned int flags) { return p_cuStreamCreate(s, flags); }
CUresult gotrt_cuStreamDestroy(CUstream s) { return p_cuStreamDestroy(s); }
CUresult gotrt_cuStreamSynchronize(CUstream s) { return p_cuStreamSynchronize(s); }
CUresult gotrt_cuStreamWaitEvent(CUstream s, CUevent e, unsigned int flags) { return p_cuStreamWaitEvent(s, e, flags); }
// gotrtHostFn is exported by hostfunc.go.
extern void gotrtHostFn(uintptr_t handle);
static void CUDA_CB gotrt_host_trampoline(void *data) { gotrtHostFn((uintptr_t)data); }
CUresult gotrt_cuLaunchHostFunc(CUstream s, uintptr_t handle) {
	return p_cuLaunchHostFunc(s, gotrt_host_trampoline, (void *)handle);
}
CUresult gotrt_cuStreamBeginCapture(CUstream s, CUstreamCaptureMode mode) { return p_cuStreamBeginCapture(s, mode); }
CUresult gotrt_cuStreamEndCapture(CUstream s, CUgraph *g) { return p_cuStreamEndCapture(s, g); }

CUresult gotrt_cuMemAlloc(CUdeviceptr *p, size_t n) { return p_cuMemAlloc(p, n); }
CUresult gotrt_cuMemFree(CUdeviceptr p) { return p_cuMemFree(p); }
CUresult gotrt_cuMemHostAlloc(void **p, size_t n, unsigned int flags) { return p_cuMemHostAlloc(p, n, flags); }
CUresult gotrt_cuMemFreeHost(void *p) { return p_cuMemFreeHost(p); }
CUresult gotrt_cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t n, CUstream s) {
	return p_cuMemcpyHtoDAsync(dst, src, n, s);
}
CUresult gotrt_cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t n, CUstream s) {
	return p_cuMemcpyDtoHAsync(dst, src, n, s);
}
CUresult gotrt_cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
	return p_cuMemcpyDtoDAsync(dst, src, n, s);
}
CUresult gotrt_cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) {
	return p_cuMemsetD8Async(dst, v, n, s);
}

CUresult gotrt_cuEventCreate(CUevent *e, unsigned int flags) { return p_cuEventCreate(e, flags); }
CUresult gotrt_cuEventDestroy(CUevent e) { return p_cuEventDestroy(e); }
CUresult gotrt_cuEventRecord(CUevent e, CUstream s) { return p_cuEventRecord(e, s); }
CUresult gotrt_cuEventSynchronize(CUevent e) { return p_cuEventSynchronize(e); }
CUresult gotrt_cuEventQuery(CUevent e) { return p_cuEventQuery(e); }
CUresult gotrt_cuEventElapsedTime(float *ms, CUevent start, CUevent end) { return p_cuEventElapsedTime(ms, start, end); }

CUresult gotrt_cuGraphGetNodes(CUgraph g, CUgraphNode *nodes, size_t *n) { return p_cuGraphGetNodes(g, nodes, n); }
CUresult gotrt_cuGraphInstantiateWithFlags(CUgraphExec *e, CUgraph g, unsigned long long flags) {
	return p_cuGraphInstantiateWithFlags(e, g, flags);
}
CUresult gotrt_cuGraphLaunch(CUgraphExec e, CUstream s) { return p_cuGraphLaunch(e, s); }
CUresult gotrt_cuGraphExecDestroy(CUgraphExec e) { return p_cuGraphExecDestroy(e); }
CUresult gotrt_cuGraphDestroy(CUgraph g) { return p_cuGraphDestroy(g); }

CUresult gotrt_cuModuleLoadData(CUmodule *m, const void *image) { return p_cuModuleLoadData(m, image); }
CUresult gotrt_cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name) {
	return p_cuModuleGetFunction(f, m, name);
}
CUresult gotrt_cuModuleUnload(CUmodule m) { return p_cuModuleUnload(m); }
CUresult gotrt_cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v) { return p_cuFuncSetAttribute(f, a, v); }
CUresult gotrt_cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
	unsigned int bx, unsigned int by, unsigned int bz, unsigned int sharedMem, CUstream s,
	void **params, void **extra) {
	return p_cuLaunchKernel(f, gx, gy, gz, bx, by, bz, sharedMem, s, params, extra);
}
