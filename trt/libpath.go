package trt

import (
	"debug/elf"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
)

// The TensorRT libraries gotrt opens at run time, by base name.
const (
	libInfer  = "libnvinfer"
	libPlugin = "libnvinfer_plugin"
	libParser = "libnvonnxparser"
)

// soname is the file name TensorRT's packages install for a library of
// major version major, e.g. libnvinfer.so.10.
func soname(base string, major int) string { return base + ".so." + strconv.Itoa(major) }

// libraryFile says what to dlopen for library base of major version major:
// with override empty, the soname, which the dynamic loader searches for (as
// it would for a linked library: LD_LIBRARY_PATH, ld.so.cache, the system
// folders); else the override (the value of [EnvLibrary]): a folder holds
// every library under its soname; a file is libnvinfer itself, and the other
// libraries are its siblings. An override that does not exist is an error
// naming the variable.
func libraryFile(base string, major int, override string) (string, error) {
	name := soname(base, major)
	if override == "" {
		return name, nil
	}
	st, err := os.Stat(override)
	if err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return "", fmt.Errorf("%s=%s: no such file or folder", EnvLibrary, override)
		}
		return "", fmt.Errorf("%s=%s: %w", EnvLibrary, override, err)
	}
	abs, err := filepath.Abs(override)
	if err != nil {
		return "", fmt.Errorf("%s=%s: %w", EnvLibrary, override, err)
	}
	switch {
	case st.IsDir():
		return filepath.Join(abs, name), nil
	case base == libInfer:
		return abs, nil
	default:
		return filepath.Join(filepath.Dir(abs), name), nil
	}
}

// pluginLibraryPath checks a user plugin library before it is loaded: it
// must be a regular ELF shared object. It returns its absolute path (so that
// dlopen opens that file, not one the loader finds by name) and whether it
// exports the entry points TensorRT's IPluginRegistry::loadLibrary registers
// plugins through (getCreators, or getPluginCreators before 10); a library
// without them registers its plugins from static initialisers when opened,
// as NVIDIA's MLPerf plugins do.
func pluginLibraryPath(path string) (abs string, creators bool, err error) {
	st, err := os.Stat(path)
	if err != nil {
		return "", false, fmt.Errorf("plugin library %s: %w: %w", path, ErrPluginLibrary, err)
	}
	if !st.Mode().IsRegular() {
		return "", false, fmt.Errorf("plugin library %s: not a regular file: %w", path, ErrPluginLibrary)
	}
	f, err := elf.Open(path)
	if err != nil {
		return "", false, fmt.Errorf("plugin library %s: not an ELF shared library (%v): %w", path, err, ErrPluginLibrary)
	}
	defer f.Close()
	if f.Type != elf.ET_DYN {
		return "", false, fmt.Errorf("plugin library %s: an ELF %v, not a shared library: %w", path, f.Type, ErrPluginLibrary)
	}
	syms, err := f.DynamicSymbols()
	if err != nil && !errors.Is(err, elf.ErrNoSymbols) {
		return "", false, fmt.Errorf("plugin library %s: %v: %w", path, err, ErrPluginLibrary)
	}
	for _, s := range syms {
		if s.Section != elf.SHN_UNDEF && (s.Name == "getCreators" || s.Name == "getPluginCreators") {
			creators = true
			break
		}
	}
	abs, err = filepath.Abs(path)
	if err != nil {
		return "", false, fmt.Errorf("plugin library %s: %w: %w", path, ErrPluginLibrary, err)
	}
	return abs, creators, nil
}

// Library describes the TensorRT library this process loaded ([Load]).
type Library struct {
	// Headers is the TensorRT version of the headers this binary was
	// built with.
	Headers Version
	// Version is the loaded libnvinfer's own version (getInferLibVersion).
	Version Version
	// Path is the file libnvinfer was loaded from.
	Path string
	// Plugin is the file libnvinfer_plugin was loaded from (its plugins
	// registered with initLibNvInferPlugins); empty when it was not.
	Plugin string
	// PluginNote says why libnvinfer_plugin was not loaded, when it was not.
	PluginNote string
}

// String is the library's version and path, e.g. "10.16.0
// (/usr/lib/x86_64-linux-gnu/libnvinfer.so.10)".
func (l Library) String() string {
	if l.Path == "" {
		return l.Version.String()
	}
	return fmt.Sprintf("%s (%s)", l.Version, l.Path)
}

// OlderThanHeaders reports whether the library is an earlier minor release
// than the headers: calls the headers have and the library lacks fail or
// misbehave, so callers warn.
func (l Library) OlderThanHeaders() bool {
	return l.Version.Major == l.Headers.Major && l.Version.Minor < l.Headers.Minor
}
