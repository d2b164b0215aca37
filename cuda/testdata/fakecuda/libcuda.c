// fakecuda: a SIMULATOR of the CUDA driver API, a test tool only.
//
// .ci/cuda-check.sh builds it as libcuda.so.1 and runs the cuda package's
// GPU tests against it on CI's GPU-less machine, so that the Go binding (the
// dlopen and entry-point names, making the context current before each call,
// the Close policy, the Launch parameter block, capture into graphs) runs on
// every change, not only on a GPU host. It proves nothing about real GPUs:
// "device" memory is host memory, work runs at once on the calling thread,
// and the only kernel it knows is the tests' add_bytes(u8 *data, u32 n,
// u32 k), run on the CPU.
//
// Including cuda.h gives each function the versioned name and the prototype
// the header maps it to (cuMemAlloc is defined as cuMemAlloc_v2), which are
// the names the binding resolves. Every call that needs a current context
// checks for one, as the driver does, so a missing push fails here too.

#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <cuda.h>

#define FAKE_MAX_NODES 64

struct CUctx_st { int retained; };
struct CUmod_st { int loaded; };
struct CUfunc_st { int kind; };
struct CUevent_st { double ms; };

enum node_kind { N_HTOD, N_DTOH, N_DTOD, N_MEMSET, N_LAUNCH, N_HOSTFN, N_EVENT };

struct node {
	enum node_kind kind;
	void *dst;
	const void *src;
	size_t n;
	unsigned char value;
	uint64_t args[3]; // add_bytes(data, n, k), copied when recorded
	unsigned int threads;
	CUhostFn fn;
	void *data;
	CUevent ev;
};

struct CUgraph_st {
	int n;
	struct node nodes[FAKE_MAX_NODES];
};
struct CUgraphExec_st { struct CUgraph_st g; };
struct CUstream_st { struct CUgraph_st *capture; };

static struct CUctx_st primary;
static struct CUfunc_st add_bytes_fn;
static __thread CUcontext stack[16];
static __thread int depth;

static double now_ms(void) {
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static CUresult need_context(void) {
	return depth > 0 && stack[depth - 1] != NULL && stack[depth - 1]->retained > 0
		? CUDA_SUCCESS : CUDA_ERROR_INVALID_CONTEXT;
}

static void run(struct node *x) {
	switch (x->kind) {
	case N_HTOD: case N_DTOH: case N_DTOD: memmove(x->dst, x->src, x->n); break;
	case N_MEMSET: memset(x->dst, x->value, x->n); break;
	case N_LAUNCH: {
		unsigned char *d = (unsigned char *)(uintptr_t)x->args[0];
		uint32_t n = (uint32_t)x->args[1], k = (uint32_t)x->args[2];
		for (uint32_t i = 0; i < x->threads && i < n; i++) d[i] += (unsigned char)k;
		break;
	}
	case N_HOSTFN: x->fn(x->data); break;
	case N_EVENT: x->ev->ms = now_ms(); break;
	}
}

// submit runs x now, or records it when s is capturing.
static CUresult submit(CUstream s, struct node x) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	if (s != NULL && s->capture != NULL) {
		if (s->capture->n == FAKE_MAX_NODES) return CUDA_ERROR_OUT_OF_MEMORY;
		s->capture->nodes[s->capture->n++] = x;
		return CUDA_SUCCESS;
	}
	run(&x);
	return CUDA_SUCCESS;
}

CUresult cuInit(unsigned int flags) { return flags == 0 ? CUDA_SUCCESS : CUDA_ERROR_INVALID_VALUE; }
CUresult cuDriverGetVersion(int *v) { *v = 12040; return CUDA_SUCCESS; }

CUresult cuGetErrorName(CUresult r, const char **s) {
	switch (r) {
	case CUDA_ERROR_INVALID_VALUE: *s = "CUDA_ERROR_INVALID_VALUE"; return CUDA_SUCCESS;
	case CUDA_ERROR_INVALID_CONTEXT: *s = "CUDA_ERROR_INVALID_CONTEXT"; return CUDA_SUCCESS;
	case CUDA_ERROR_NOT_FOUND: *s = "CUDA_ERROR_NOT_FOUND"; return CUDA_SUCCESS;
	default: *s = NULL; return CUDA_ERROR_INVALID_VALUE;
	}
}
CUresult cuGetErrorString(CUresult r, const char **s) {
	*s = NULL;
	return cuGetErrorName(r, s) == CUDA_SUCCESS ? (*s = "fakecuda error", CUDA_SUCCESS) : CUDA_ERROR_INVALID_VALUE;
}

CUresult cuDeviceGetCount(int *n) { *n = 1; return CUDA_SUCCESS; }
CUresult cuDeviceGet(CUdevice *d, int ordinal) {
	if (ordinal != 0) return CUDA_ERROR_INVALID_DEVICE;
	*d = 0;
	return CUDA_SUCCESS;
}
CUresult cuDeviceGetName(char *name, int len, CUdevice d) {
	if (d != 0 || len <= 0) return CUDA_ERROR_INVALID_VALUE;
	strncpy(name, "fakecuda simulator", (size_t)len - 1);
	name[len - 1] = 0;
	return CUDA_SUCCESS;
}
CUresult cuDeviceGetAttribute(int *v, CUdevice_attribute a, CUdevice d) {
	if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
	switch (a) {
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR: *v = 9; break;
	case CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR: *v = 0; break;
	case CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT: *v = 132; break;
	case CU_DEVICE_ATTRIBUTE_MAX_SHARED_MEMORY_PER_BLOCK_OPTIN: *v = 227 << 10; break;
	case CU_DEVICE_ATTRIBUTE_MAX_THREADS_PER_BLOCK: *v = 1024; break;
	default: *v = 1; break;
	}
	return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRetain(CUcontext *c, CUdevice d) {
	if (d != 0) return CUDA_ERROR_INVALID_DEVICE;
	primary.retained++;
	*c = &primary;
	return CUDA_SUCCESS;
}
CUresult cuDevicePrimaryCtxRelease(CUdevice d) {
	if (d != 0 || primary.retained == 0) return CUDA_ERROR_INVALID_CONTEXT;
	primary.retained--;
	return CUDA_SUCCESS;
}

CUresult cuCtxGetCurrent(CUcontext *c) { *c = depth > 0 ? stack[depth - 1] : NULL; return CUDA_SUCCESS; }
CUresult cuCtxPushCurrent(CUcontext c) {
	if (c == NULL || c->retained == 0) return CUDA_ERROR_INVALID_CONTEXT;
	if (depth == 16) return CUDA_ERROR_INVALID_VALUE;
	stack[depth++] = c;
	return CUDA_SUCCESS;
}
CUresult cuCtxPopCurrent(CUcontext *c) {
	if (depth == 0) return CUDA_ERROR_INVALID_CONTEXT;
	depth--;
	if (c != NULL) *c = stack[depth];
	return CUDA_SUCCESS;
}
CUresult cuCtxSynchronize(void) { return need_context(); }

CUresult cuStreamCreate(CUstream *s, unsigned int flags) {
	(void)flags;
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	*s = calloc(1, sizeof **s);
	return *s != NULL ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult cuStreamDestroy(CUstream s) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	free(s);
	return CUDA_SUCCESS;
}
CUresult cuStreamSynchronize(CUstream s) {
	if (s != NULL && s->capture != NULL) return CUDA_ERROR_STREAM_CAPTURE_UNSUPPORTED;
	return need_context();
}
CUresult cuStreamWaitEvent(CUstream s, CUevent e, unsigned int flags) {
	(void)s; (void)e; (void)flags;
	return need_context();
}
CUresult cuLaunchHostFunc(CUstream s, CUhostFn fn, void *data) {
	struct node x = {.kind = N_HOSTFN, .fn = fn, .data = data};
	return submit(s, x);
}
CUresult cuStreamBeginCapture(CUstream s, CUstreamCaptureMode mode) {
	(void)mode;
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	if (s == NULL || s->capture != NULL) return CUDA_ERROR_ILLEGAL_STATE;
	s->capture = calloc(1, sizeof *s->capture);
	return s->capture != NULL ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult cuStreamEndCapture(CUstream s, CUgraph *g) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	if (s == NULL || s->capture == NULL) return CUDA_ERROR_ILLEGAL_STATE;
	*g = s->capture;
	s->capture = NULL;
	return CUDA_SUCCESS;
}

CUresult cuMemAlloc(CUdeviceptr *p, size_t n) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	void *m = malloc(n);
	if (m == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
	*p = (CUdeviceptr)(uintptr_t)m;
	return CUDA_SUCCESS;
}
CUresult cuMemFree(CUdeviceptr p) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	free((void *)(uintptr_t)p);
	return CUDA_SUCCESS;
}
CUresult cuMemHostAlloc(void **p, size_t n, unsigned int flags) {
	(void)flags;
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	*p = malloc(n);
	return *p != NULL ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult cuMemFreeHost(void *p) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	free(p);
	return CUDA_SUCCESS;
}
CUresult cuMemcpyHtoDAsync(CUdeviceptr dst, const void *src, size_t n, CUstream s) {
	struct node x = {.kind = N_HTOD, .dst = (void *)(uintptr_t)dst, .src = src, .n = n};
	return submit(s, x);
}
CUresult cuMemcpyDtoHAsync(void *dst, CUdeviceptr src, size_t n, CUstream s) {
	struct node x = {.kind = N_DTOH, .dst = dst, .src = (const void *)(uintptr_t)src, .n = n};
	return submit(s, x);
}
CUresult cuMemcpyDtoDAsync(CUdeviceptr dst, CUdeviceptr src, size_t n, CUstream s) {
	struct node x = {.kind = N_DTOD, .dst = (void *)(uintptr_t)dst, .src = (const void *)(uintptr_t)src, .n = n};
	return submit(s, x);
}
CUresult cuMemsetD8Async(CUdeviceptr dst, unsigned char v, size_t n, CUstream s) {
	struct node x = {.kind = N_MEMSET, .dst = (void *)(uintptr_t)dst, .value = v, .n = n};
	return submit(s, x);
}

CUresult cuEventCreate(CUevent *e, unsigned int flags) {
	(void)flags;
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	*e = calloc(1, sizeof **e);
	return *e != NULL ? CUDA_SUCCESS : CUDA_ERROR_OUT_OF_MEMORY;
}
CUresult cuEventDestroy(CUevent e) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	free(e);
	return CUDA_SUCCESS;
}
CUresult cuEventRecord(CUevent e, CUstream s) {
	struct node x = {.kind = N_EVENT, .ev = e};
	return submit(s, x);
}
CUresult cuEventSynchronize(CUevent e) { (void)e; return need_context(); }
CUresult cuEventQuery(CUevent e) { (void)e; return need_context(); }
CUresult cuEventElapsedTime(float *ms, CUevent start, CUevent end) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	*ms = (float)(end->ms - start->ms);
	return CUDA_SUCCESS;
}

CUresult cuGraphGetNodes(CUgraph g, CUgraphNode *nodes, size_t *n) {
	if (nodes != NULL) return CUDA_ERROR_NOT_SUPPORTED;
	*n = (size_t)g->n;
	return CUDA_SUCCESS;
}
CUresult cuGraphInstantiateWithFlags(CUgraphExec *e, CUgraph g, unsigned long long flags) {
	(void)flags;
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	*e = malloc(sizeof **e);
	if (*e == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
	(*e)->g = *g;
	return CUDA_SUCCESS;
}
CUresult cuGraphLaunch(CUgraphExec e, CUstream s) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	if (s != NULL && s->capture != NULL) return CUDA_ERROR_NOT_SUPPORTED;
	for (int i = 0; i < e->g.n; i++) run(&e->g.nodes[i]);
	return CUDA_SUCCESS;
}
CUresult cuGraphExecDestroy(CUgraphExec e) { free(e); return CUDA_SUCCESS; }
CUresult cuGraphDestroy(CUgraph g) { free(g); return CUDA_SUCCESS; }

CUresult cuModuleLoadData(CUmodule *m, const void *image) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	if (strstr(image, ".entry add_bytes(") == NULL) return CUDA_ERROR_INVALID_PTX;
	*m = calloc(1, sizeof **m);
	if (*m == NULL) return CUDA_ERROR_OUT_OF_MEMORY;
	(*m)->loaded = 1;
	return CUDA_SUCCESS;
}
CUresult cuModuleGetFunction(CUfunction *f, CUmodule m, const char *name) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	if (m == NULL || !m->loaded) return CUDA_ERROR_INVALID_HANDLE;
	if (strcmp(name, "add_bytes") != 0) return CUDA_ERROR_NOT_FOUND;
	*f = &add_bytes_fn;
	return CUDA_SUCCESS;
}
CUresult cuModuleUnload(CUmodule m) {
	CUresult r = need_context();
	if (r != CUDA_SUCCESS) return r;
	free(m);
	return CUDA_SUCCESS;
}
CUresult cuFuncSetAttribute(CUfunction f, CUfunction_attribute a, int v) {
	if (f != &add_bytes_fn) return CUDA_ERROR_INVALID_HANDLE;
	if (a == CU_FUNC_ATTRIBUTE_MAX_DYNAMIC_SHARED_SIZE_BYTES && (v < 0 || v > (227 << 10))) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	return CUDA_SUCCESS;
}
CUresult cuLaunchKernel(CUfunction f, unsigned int gx, unsigned int gy, unsigned int gz,
	unsigned int bx, unsigned int by, unsigned int bz, unsigned int shared, CUstream s,
	void **params, void **extra) {
	if (f != &add_bytes_fn || extra != NULL) return CUDA_ERROR_INVALID_HANDLE;
	if (gx == 0 || gy == 0 || gz == 0 || bx == 0 || by == 0 || bz == 0 || bx * by * bz > 1024 ||
		shared > (227u << 10) || params == NULL) {
		return CUDA_ERROR_INVALID_VALUE;
	}
	// The driver reads each parameter's own size: 8 bytes for the pointer,
	// 4 for each u32 (the low half of its slot).
	struct node x = {.kind = N_LAUNCH, .threads = gx * bx};
	memcpy(&x.args[0], params[0], 8);
	uint32_t n, k;
	memcpy(&n, params[1], 4);
	memcpy(&k, params[2], 4);
	x.args[1] = n;
	x.args[2] = k;
	return submit(s, x);
}
