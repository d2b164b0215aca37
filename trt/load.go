//go:build tensorrt

package trt

/*
#cgo LDFLAGS: -ldl
#include <stdlib.h>
#include "dl.h"
#include "shim.h"
*/
import "C"

import (
	"errors"
	"fmt"
	"os"
	"sync"
	"unsafe"
)

// loaded is the process's one load of TensorRT: libnvinfer (and
// libnvinfer_plugin) on the first call that needs them, libnvonnxparser on
// the first builder, user plugin libraries as [LoadPlugins] names them. A
// failure is kept: a process that found no TensorRT does not find it later.
var loaded struct {
	once sync.Once
	lib  Library
	err  error

	parserOnce sync.Once
	parserErr  error

	mu      sync.Mutex
	plugins []string // user plugin libraries loaded, in order
}

// HeaderVersion is the TensorRT version of the headers this binary was built
// with; ok is false in a build without the tensorrt tag.
func HeaderVersion() (v Version, ok bool) { return headerVersion(), true }

// Load opens libnvinfer.so.<major of the headers> (or what [EnvLibrary]
// names) on first use, checks that its major version is the headers', and
// registers TensorRT's own plugins from libnvinfer_plugin when that library
// is there (its absence only matters to plans that use its plugins). It
// returns the library, or a [*LibraryError] matching [ErrNotSupported]
// whose one line names what was tried and the variable to set. Every
// function that needs TensorRT calls it; callers use it to say early, and
// clearly, that TensorRT is missing.
func Load() (Library, error) {
	loaded.once.Do(func() { loaded.lib, loaded.err = openLibrary(os.Getenv(EnvLibrary)) })
	return loaded.lib, loaded.err
}

func openLibrary(override string) (Library, error) {
	h := headerVersion()
	lib := Library{Headers: h}
	file, err := libraryFile(libInfer, h.Major, override)
	if err != nil {
		return lib, &LibraryError{Lib: soname(libInfer, h.Major), Tried: override, Reason: err.Error(), Headers: h}
	}
	if err := dlOpen(C.GOTRT_LIB_INFER, file); err != nil {
		return lib, &LibraryError{Lib: soname(libInfer, h.Major), Tried: file, Reason: err.Error(), Headers: h}
	}
	var v C.int32_t
	if err := call("getInferLibVersion", func(m **C.char) C.int { return C.gotrt_library_version(&v, m) }); err != nil {
		C.gotrt_dl_close(C.GOTRT_LIB_INFER)
		return lib, err
	}
	lib.Version = decodeLibVersion(int32(v))
	lib.Path = dlPath(C.GOTRT_LIB_INFER, file)
	if lib.Version.Major != h.Major {
		// Nothing was created from it: close it, so that no call reaches
		// a library whose classes differ from the headers'.
		C.gotrt_dl_close(C.GOTRT_LIB_INFER)
		return Library{Headers: h}, &LibraryError{Lib: soname(libInfer, h.Major), Tried: lib.Path, Headers: h, Found: lib.Version}
	}
	pname := soname(libPlugin, h.Major)
	pfile, err := libraryFile(libPlugin, h.Major, override)
	if err == nil {
		err = dlOpen(C.GOTRT_LIB_PLUGIN, pfile)
	}
	if err == nil {
		err = call("initLibNvInferPlugins", func(m **C.char) C.int { return C.gotrt_plugins_init(m) })
	}
	if err != nil {
		lib.PluginNote = fmt.Sprintf("%s not loaded: %v", pname, err)
	} else {
		lib.Plugin = dlPath(C.GOTRT_LIB_PLUGIN, pfile)
	}
	return lib, nil
}

// loadParser opens libnvonnxparser, which only `build` needs, next to
// libnvinfer.
func loadParser() error {
	lib, err := Load()
	if err != nil {
		return err
	}
	loaded.parserOnce.Do(func() {
		h := lib.Headers
		override := os.Getenv(EnvLibrary)
		file, err := libraryFile(libParser, h.Major, override)
		if err != nil {
			file = override
		} else {
			err = dlOpen(C.GOTRT_LIB_PARSER, file)
		}
		if err != nil {
			loaded.parserErr = &LibraryError{Lib: soname(libParser, h.Major), Tried: file, Reason: err.Error(), Headers: h}
		}
	})
	return loaded.parserErr
}

// LoadPlugins loads TensorRT plugin libraries, such as those NVIDIA's MLPerf
// engines need, before any plan is deserialized; plugins are process-wide
// in TensorRT, so every later plan sees them. A library that exports
// getCreators (getPluginCreators before TensorRT 10) is handed to TensorRT's
// IPluginRegistry::loadLibrary; any other is dlopen()ed, and registers its
// plugins from its static initialisers. A library loaded before is not
// loaded again. Errors name the file and match [ErrPluginLibrary] (or
// [ErrNotSupported] when TensorRT itself is missing).
func LoadPlugins(paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	if _, err := Load(); err != nil {
		return err
	}
	loaded.mu.Lock()
	defer loaded.mu.Unlock()
	for _, p := range paths {
		abs, creators, err := pluginLibraryPath(p)
		if err != nil {
			return err
		}
		if contains(loaded.plugins, abs) {
			continue
		}
		cpath, free := cstring(abs)
		if creators {
			err = call("IPluginRegistry::loadLibrary", func(m **C.char) C.int { return C.gotrt_plugins_load_library(cpath, m) })
		} else {
			err = callDl(func(m **C.char) C.int { return C.gotrt_dl_open_user(cpath, m) })
		}
		free()
		if err != nil {
			return fmt.Errorf("plugin library %s: %w: %w", p, ErrPluginLibrary, err)
		}
		loaded.plugins = append(loaded.plugins, abs)
	}
	return nil
}

// planEnvironment is what a failed deserialization reports about the
// process: the library and the plugin libraries loaded.
func planEnvironment() planEnv {
	lib, _ := Load()
	env := planEnv{Library: lib.String(), PluginNote: lib.PluginNote}
	if lib.Plugin != "" {
		env.Plugins = append(env.Plugins, lib.Plugin)
	}
	loaded.mu.Lock()
	env.Plugins = append(env.Plugins, loaded.plugins...)
	loaded.mu.Unlock()
	return env
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// dlOpen opens one TensorRT library; the error is the loader's message.
func dlOpen(which C.int, file string) error {
	cfile, free := cstring(file)
	defer free()
	return callDl(func(m **C.char) C.int { return C.gotrt_dl_open(which, cfile, m) })
}

// callDl runs a dl.c call (0 or -1 with a malloc'd message) and returns its
// message as an error.
func callDl(f func(msg **C.char) C.int) error {
	var msg *C.char
	if f(&msg) == 0 {
		return nil
	}
	text := "dlopen failed"
	if msg != nil {
		text = C.GoString(msg)
		C.free(unsafe.Pointer(msg))
	}
	return errors.New(text)
}

// dlPath is the file a library was loaded from, as the loader reports it,
// else the name it was opened by.
func dlPath(which C.int, file string) string {
	if p := C.gotrt_dl_path(which); p != nil {
		return C.GoString(p)
	}
	return file
}
