// driver.h: gotrt's own binding of the CUDA driver API (build tag `cuda`).
//
// driver.c dlopen()s libcuda.so.1 at run time and dlsym()s each entry point
// under the versioned name cuda.h maps it to (cuMemAlloc -> cuMemAlloc_v2), so
// the binary links no libcuda and starts on any machine. Each gotrt_cuXxx
// function below calls the driver's cuXxx with the same arguments and adds no
// behaviour; their types come from cuda.h's own prototypes.

#ifndef GOTRT_CUDA_DRIVER_H
#define GOTRT_CUDA_DRIVER_H

#include <stddef.h>
#include <stdint.h>
#include <cuda.h>

// gotrt_cuda_load opens libcuda.so.1 and resolves every entry point. It
// returns NULL on success, else why not (dlerror's text or the missing
// symbol), in a static buffer. Call it once, before any gotrt_cu* function.
const char *gotrt_cuda_load(void);

CUresult gotrt_cuInit(unsigned int flags);
CUresult gotrt_cuDriverGetVersion(int *version);
CUresult gotrt_cuGetErrorName(CUresult r, const char **s);
CUresult gotrt_cuGetErrorString(CUresult r, const char **s);

CUresult gotrt_cuDeviceGetCount(int *n);
CUresult gotrt_cuDeviceGet(CUdevice *dev, int ordinal);
CUresult gotrt_cuDeviceGetName(char *name, int len, CUdevice dev);
CUresult gotrt_cuDeviceGetAttribute(int *v, CUdevice_attribute a, CUdevice dev);
CUresult gotrt_cuDevicePrimaryCtxRetain(CUcontext *ctx, CUdevice dev);
CUresult gotrt_cuDevicePrimaryCtxRelease(CUdevice dev);

CUresult gotrt_cuCtxGetCurrent(CUcontext *ctx);
CUresult gotrt_cuCtxPushCurrent(CUcontext ctx);
CUresult gotrt_cuCtxPopCurrent(CUcontext *ctx);
CUresult gotrt_cuCtxSynchronize(void);

CUresult gotrt_cuStreamCreate(CUstream *s, unsigned int flags);
CUresult gotrt_cuStreamDestroy(CUstream s);
CUresult gotrt_cuStreamSynchronize(CUstream s);
CUresult gotrt_cuStreamWaitEvent(CUstream s, CUevent e, unsigned int flags);
// gotrt_cuLaunchHostFunc queues Go's gotrtHostFn(handle) (a cgo.Handle):
// the C trampoline is the only glue, so Go never turns a uintptr into a pointer.
CUresult gotrt_cuLaunchHostFunc(CUstream s, uintptr_t handle);
CUresult gotrt_cuStreamBeginCapture(CUstream s, CUstreamCaptureMode mode);
CUresult gotrt_cuStreamEndCapture(CUstream s, CUgraph *g);

CUresult gotrt_cuMemAlloc(CUdeviceptr *p, size_t n);
CUresult gotrt_cuMemFree(CUdeviceptr p);
CUresult gotrt_cuMemHostAlloc(void **p, size_t n, unsigned int flags);
CUresult gotrt_cuMemFreeHost(void *p);
CUresult gotrt_cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t n, CUstream s);
CUresult gotrt_cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t n, CUstream s);
CUresult gotrt_cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s);
CUresult gotrt_cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s);

CUresult gotrt_cuEventCreate(CUevent *e, unsigned int flags);
CUresult gotrt_cuEventDestroy(CUevent e);
CUresult gotrt_cuEventRecord(CUevent e, CUstream s);
CUresult gotrt_cuEventSynchronize(CUevent e);
CUresult gotrt_cuEventQuery(CUevent e);
CUresult gotrt_cuEventElapsedTime(float *ms, CUevent start, CUevent end);

CUresult gotrt_cuGraphGetNodes(CUgraph g, CUgraphNode *nodes, size_t *n);
CUresult gotrt_cuGraphInstantiateWithFlags(CUgraphExec *e, CUgraph g, unsigned long long flags);
CUresult gotrt_cuGraphLaunch(CUgraphExec e, CUstream s);
CUresult gotrt_cuGraphExecDestroy(CUgraphExec e);
CUresult gotrt_cuGraphDestroy(CUgraph g);

CUresult gotrt_cuModuleLoadData(CUmodule *m, const void *image);
CUresult gotrt_cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name);
CUresult gotrt_cuModuleUnload(CUmodule m);
CUresult gotrt_cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v);
CUresult gotrt_cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
	unsigned int bx, unsigned int by, unsigned int bz, unsigned int sharedMem, CUstream s,
	void **params, void **extra);

#endif
