/*
 * dl.h: loading TensorRT at run time (build tag "tensorrt").
 *
 * gotrt links no TensorRT library: a binary that did could not start where
 * TensorRT is absent, not even for the built-in model. dl.c dlopen()s
 * libnvinfer (and, when asked, libnvinfer_plugin and libnvonnxparser) and
 * defines the few extern "C" factory functions that TensorRT's headers'
 * inline wrappers call (createInferRuntime -> createInferRuntime_INTERNAL,
 * ...): each forwards to the symbol dlsym() found in the loaded library.
 * Everything else the shim does is a virtual call through the objects those
 * factories return, which needs no link symbol.
 *
 * The Go side (load.go) picks the file names, calls these once under a
 * sync.Once and turns failures into errors; messages returned through err
 * are malloc'd and freed by the caller.
 */
#ifndef GOTRT_DL_H
#define GOTRT_DL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Which library a call is about. */
enum { GOTRT_LIB_INFER = 0, GOTRT_LIB_PLUGIN = 1, GOTRT_LIB_PARSER = 2 };

/* gotrt_dl_open opens one TensorRT library (path: a file name the dynamic
 * loader searches for, or a path) and resolves its entry points. It returns
 * 0, or -1 with *err set to why not (dlerror's text, or the missing symbol).
 * A library already open is not opened again. */
int gotrt_dl_open(int which, const char* path, char** err);

/* gotrt_dl_path returns the file the open library was loaded from (as
 * dladdr reports it), or NULL when it is not open. Borrowed, static. */
const char* gotrt_dl_path(int which);

/* gotrt_dl_close closes a library opened by gotrt_dl_open and forgets its
 * entry points (used when libnvinfer turns out to be of the wrong major
 * version, before anything was created from it). */
void gotrt_dl_close(int which);

/* gotrt_dl_open_user opens a user plugin library (RTLD_NOW | RTLD_GLOBAL, so
 * that its static initialisers register its plugins with the registry of the
 * libnvinfer already loaded, as NVIDIA's MLPerf harness does). It returns 0,
 * or -1 with *err set. Never closed: its plugins stay registered. */
int gotrt_dl_open_user(const char* path, char** err);

#ifdef __cplusplus
}
#endif

#endif /* GOTRT_DL_H */
