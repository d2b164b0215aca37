//go:build tensorrt

// dl.c: TensorRT opened at run time (see dl.h).
//
// The factory functions below carry the names TensorRT's headers declare
// (extern "C", e.g. NvInferRuntime.h's createInferRuntime_INTERNAL), so the
// headers' inline wrappers in shim.cc call them; each forwards to the symbol
// of the same name in the library dlopen()ed here. Their signatures are the
// headers' own, the same in TensorRT 8.6, 10.x and 11.x (checked against
// each): void* (void* logger, int32_t version) for the runtime and builder,
// void* (void* network, void* logger, int version) for the ONNX parser,
// int32_t (void) for getInferLibVersion, bool (void* logger, char const*
// libNamespace) for initLibNvInferPlugins, IPluginRegistry* (void) for
// getPluginRegistry. They are hidden: the binary does not export them, so a
// plugin library that calls getPluginRegistry binds to libnvinfer's, never
// to these.

#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "dl.h"

#define GOTRT_HIDDEN __attribute__((visibility("hidden")))

typedef int32_t (*version_fn)(void);
typedef void* (*create_fn)(void*, int32_t);
typedef void* (*parser_fn)(void*, void*, int);
typedef bool (*plugins_fn)(void*, char const*);
typedef void* (*registry_fn)(void);

static struct {
	void* lib[3];
	version_fn getInferLibVersion;
	create_fn createInferRuntime;
	create_fn createInferBuilder;
	registry_fn getPluginRegistry;
	plugins_fn initLibNvInferPlugins;
	parser_fn createNvOnnxParser;
} trt;

static char* dup_message(char const* a, char const* b) {
	size_t n = strlen(a) + strlen(b) + 1;
	char* s = malloc(n);
	if (s != NULL) {
		snprintf(s, n, "%s%s", a, b);
	}
	return s;
}

static void* resolve(void* lib, char const* name, char const* path, char** err) {
	dlerror();
	void* p = dlsym(lib, name);
	if (p == NULL && err != NULL) {
		char buf[512];
		snprintf(buf, sizeof buf, "%s lacks %s (not a TensorRT library of the version built for)", path, name);
		*err = dup_message(buf, "");
	}
	return p;
}

int gotrt_dl_open(int which, char const* path, char** err) {
	if (which < GOTRT_LIB_INFER || which > GOTRT_LIB_PARSER || path == NULL) {
		if (err != NULL) {
			*err = dup_message("gotrt_dl_open: bad argument", "");
		}
		return -1;
	}
	if (trt.lib[which] != NULL) {
		return 0;
	}
	// RTLD_GLOBAL: as if the binary were linked against it, so that plugin
	// libraries loaded later bind to this libnvinfer.
	void* lib = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL) {
		char const* e = dlerror();
		if (err != NULL) {
			*err = dup_message(e != NULL ? e : path, e != NULL ? "" : ": dlopen failed");
		}
		return -1;
	}
	switch (which) {
	case GOTRT_LIB_INFER: {
		void* v = resolve(lib, "getInferLibVersion", path, err);
		void* r = v ? resolve(lib, "createInferRuntime_INTERNAL", path, err) : NULL;
		void* b = r ? resolve(lib, "createInferBuilder_INTERNAL", path, err) : NULL;
		void* g = b ? resolve(lib, "getPluginRegistry", path, err) : NULL;
		if (g == NULL) {
			dlclose(lib);
			return -1;
		}
		trt.getInferLibVersion = (version_fn)v;
		trt.createInferRuntime = (create_fn)r;
		trt.createInferBuilder = (create_fn)b;
		trt.getPluginRegistry = (registry_fn)g;
		break;
	}
	case GOTRT_LIB_PLUGIN: {
		void* p = resolve(lib, "initLibNvInferPlugins", path, err);
		if (p == NULL) {
			dlclose(lib);
			return -1;
		}
		trt.initLibNvInferPlugins = (plugins_fn)p;
		break;
	}
	case GOTRT_LIB_PARSER: {
		void* p = resolve(lib, "createNvOnnxParser_INTERNAL", path, err);
		if (p == NULL) {
			dlclose(lib);
			return -1;
		}
		trt.createNvOnnxParser = (parser_fn)p;
		break;
	}
	}
	trt.lib[which] = lib;
	return 0;
}

char const* gotrt_dl_path(int which) {
	void* sym = NULL;
	switch (which) {
	case GOTRT_LIB_INFER:
		sym = (void*)trt.getInferLibVersion;
		break;
	case GOTRT_LIB_PLUGIN:
		sym = (void*)trt.initLibNvInferPlugins;
		break;
	case GOTRT_LIB_PARSER:
		sym = (void*)trt.createNvOnnxParser;
		break;
	}
	Dl_info info;
	if (sym == NULL || dladdr(sym, &info) == 0) {
		return NULL;
	}
	return info.dli_fname;
}

void gotrt_dl_close(int which) {
	if (which < GOTRT_LIB_INFER || which > GOTRT_LIB_PARSER || trt.lib[which] == NULL) {
		return;
	}
	switch (which) {
	case GOTRT_LIB_INFER:
		trt.getInferLibVersion = NULL;
		trt.createInferRuntime = NULL;
		trt.createInferBuilder = NULL;
		trt.getPluginRegistry = NULL;
		break;
	case GOTRT_LIB_PLUGIN:
		trt.initLibNvInferPlugins = NULL;
		break;
	case GOTRT_LIB_PARSER:
		trt.createNvOnnxParser = NULL;
		break;
	}
	dlclose(trt.lib[which]);
	trt.lib[which] = NULL;
}

int gotrt_dl_open_user(char const* path, char** err) {
	void* lib = dlopen(path, RTLD_NOW | RTLD_GLOBAL);
	if (lib == NULL) {
		char const* e = dlerror();
		if (err != NULL) {
			*err = dup_message(e != NULL ? e : path, e != NULL ? "" : ": dlopen failed");
		}
		return -1;
	}
	return 0;
}

// The factories TensorRT's headers call. Before the library is open they
// fail as the real ones do on error (0, NULL, false): Go opens the library
// before any shim call that reaches them.

GOTRT_HIDDEN int32_t getInferLibVersion(void) {
	return trt.getInferLibVersion != NULL ? trt.getInferLibVersion() : 0;
}

GOTRT_HIDDEN void* createInferRuntime_INTERNAL(void* logger, int32_t version) {
	return trt.createInferRuntime != NULL ? trt.createInferRuntime(logger, version) : NULL;
}

GOTRT_HIDDEN void* createInferBuilder_INTERNAL(void* logger, int32_t version) {
	return trt.createInferBuilder != NULL ? trt.createInferBuilder(logger, version) : NULL;
}

GOTRT_HIDDEN void* getPluginRegistry(void) {
	return trt.getPluginRegistry != NULL ? trt.getPluginRegistry() : NULL;
}

GOTRT_HIDDEN bool initLibNvInferPlugins(void* logger, char const* libNamespace) {
	return trt.initLibNvInferPlugins != NULL && trt.initLibNvInferPlugins(logger, libNamespace);
}

GOTRT_HIDDEN void* createNvOnnxParser_INTERNAL(void* network, void* logger, int version) {
	return trt.createNvOnnxParser != NULL ? trt.createNvOnnxParser(network, logger, version) : NULL;
}
