package main

import (
	"fmt"
	"io"

	"github.com/gotrt/gotrt/trt"
)

// requireTensorRT loads TensorRT, and the plugin libraries given, for a
// command that needs it (run --engine, build, inspect). A missing library or
// plugin library is the user's to fix: a usage error (exit 2) whose one line
// names what is missing and the variable to set.
func requireTensorRT(command string, plugins []string) error {
	if _, err := trt.Load(); err != nil {
		return usageError{fmt.Errorf("%s: %w", command, err)}
	}
	if err := trt.LoadPlugins(plugins...); err != nil {
		return usageError{fmt.Errorf("%s: --plugins: %w", command, err)}
	}
	return nil
}

// tensorrtInfo is what `version` and `devices` say about TensorRT.
type tensorrtInfo struct {
	// Headers is the version of the headers the binary was built with.
	Headers string `json:"headers"`
	// Library is the loaded libnvinfer's version, Path its file.
	Library string `json:"library,omitempty"`
	Path    string `json:"path,omitempty"`
	// Plugins is libnvinfer_plugin's file; PluginNote why it is not loaded.
	Plugins    string `json:"plugins,omitempty"`
	PluginNote string `json:"plugins_note,omitempty"`
	// Warning flags a library older than the headers.
	Warning string `json:"warning,omitempty"`
	// Error says why the library did not load.
	Error string `json:"error,omitempty"`
}

// probeTensorRT loads TensorRT and describes it; nil in a build without the
// tensorrt tag. A variable, so that tests stand in for the library.
var probeTensorRT = func() *tensorrtInfo {
	h, ok := trt.HeaderVersion()
	if !ok {
		return nil
	}
	info := &tensorrtInfo{Headers: h.String()}
	lib, err := trt.Load()
	if err != nil {
		info.Error = err.Error()
		return info
	}
	info.Library, info.Path = lib.Version.String(), lib.Path
	info.Plugins, info.PluginNote = lib.Plugin, lib.PluginNote
	if lib.OlderThanHeaders() {
		info.Warning = fmt.Sprintf("library %s is older than the headers %s: calls added since may fail; use TensorRT %s or later",
			lib.Version, h, h)
	}
	return info
}

// writeTensorRT prints the TensorRT lines of `gotrt version`.
func writeTensorRT(w io.Writer, info *tensorrtInfo) {
	if info == nil {
		fmt.Fprintln(w, "tensorrt: not in this build (build with -tags cuda,tensorrt)")
		return
	}
	if info.Error != "" {
		fmt.Fprintf(w, "tensorrt: headers %s, library not loaded: %s\n", info.Headers, info.Error)
		return
	}
	fmt.Fprintf(w, "tensorrt: headers %s, library %s (%s)\n", info.Headers, info.Library, info.Path)
	if info.Plugins != "" {
		fmt.Fprintf(w, "tensorrt plugins: %s\n", info.Plugins)
	} else if info.PluginNote != "" {
		fmt.Fprintf(w, "tensorrt plugins: %s\n", info.PluginNote)
	}
	if info.Warning != "" {
		fmt.Fprintf(w, "tensorrt: warning: %s\n", info.Warning)
	}
}

// tensorrtNote is the one stderr line `devices` adds in a tensorrt build.
func tensorrtNote(info *tensorrtInfo) string {
	switch {
	case info == nil:
		return ""
	case info.Error != "":
		return info.Error
	}
	s := fmt.Sprintf("tensorrt %s (%s; headers %s)", info.Library, info.Path, info.Headers)
	if info.Warning != "" {
		s += "; warning: " + info.Warning
	}
	return s
}
