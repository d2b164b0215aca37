package trt

import (
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/gotrt/gotrt/internal/gpuerr"
)

// ErrNotSupported means TensorRT is not available: a build without the
// tensorrt tag, or a feature the TensorRT version lacks. It is
// [gpuerr.ErrNotSupported].
var ErrNotSupported = gpuerr.ErrNotSupported

// Sentinel errors callers branch on; the errors returned wrap them.
var (
	// ErrClosed means a handle was used after Close; it is
	// [gpuerr.ErrClosed], the same in every layer.
	ErrClosed = gpuerr.ErrClosed
	// ErrInUse means Close was refused because children are still open; it
	// is [gpuerr.ErrInUse], the same in every layer.
	ErrInUse = gpuerr.ErrInUse
	// ErrPlanCorrupt means a plan file is empty, truncated or not a plan.
	ErrPlanCorrupt = errors.New("plan is truncated or corrupt")
	// ErrPlanVersion means a plan was built by another TensorRT version.
	ErrPlanVersion = errors.New("plan was built by another tensorrt version")
	// ErrPlanDevice means a plan was built for another GPU or platform.
	ErrPlanDevice = errors.New("plan was built for another gpu")
	// ErrIOMismatch means an engine's IO tensors differ from what the model expects.
	ErrIOMismatch = errors.New("engine io does not match the model")
	// ErrBatchTooLarge means a batch lies outside the engine profile's range.
	ErrBatchTooLarge = errors.New("batch size outside the engine profile")
	// ErrCalibrationCache means a calibration cache cannot be read.
	ErrCalibrationCache = errors.New("bad calibration cache")
	// ErrLibraryVersion means the TensorRT library found is of another major
	// version than the headers this binary was built with; a
	// [*LibraryError] carries both.
	ErrLibraryVersion = errors.New("tensorrt library of another major version")
	// ErrPluginMissing means a plan needs a plugin no loaded library
	// registers; a [*PluginError] names it.
	ErrPluginMissing = errors.New("plan needs a plugin that is not loaded")
	// ErrPluginLibrary means a plugin library given by the user cannot be
	// loaded (missing, not a shared library, or its loading failed).
	ErrPluginLibrary = errors.New("cannot load plugin library")
)

// EnvLibrary names the environment variable that points gotrt at a TensorRT
// library (libnvinfer.so.N) or the folder holding it, instead of the dynamic
// loader's search for libnvinfer.so.<major of the headers>.
const EnvLibrary = "GOTRT_TENSORRT_LIB"

// LibraryError says why a TensorRT library could not be used: it is not
// found, lacks an entry point, or is of another major version than the
// headers. It matches [ErrNotSupported] (this process cannot run TensorRT),
// and [ErrLibraryVersion] for a version mismatch. Its text is one line that
// names what was tried and the variable to set.
type LibraryError struct {
	// Lib is the library's file name, e.g. "libnvinfer.so.10".
	Lib string
	// Tried is what was opened: the file name (searched by the dynamic
	// loader) or the path from EnvLibrary.
	Tried string
	// Reason is the loader's message, empty for a version mismatch.
	Reason string
	// Headers is the TensorRT version the binary was built with.
	Headers Version
	// Found is the library's version when it loaded but is of another
	// major version; zero otherwise.
	Found Version
}

func (e *LibraryError) Error() string {
	where := e.Tried
	if !strings.Contains(e.Tried, "/") {
		where = e.Tried + " on the loader's search path"
	}
	fix := fmt.Sprintf("install TensorRT %d.x or set %s to its library or folder", e.Headers.Major, EnvLibrary)
	if e.Found != (Version{}) {
		return fmt.Sprintf("tensorrt: %s is TensorRT %s but this gotrt was built with TensorRT %s headers: %s",
			where, e.Found, e.Headers, fix)
	}
	reason := strings.TrimPrefix(e.Reason, e.Tried+": ")
	return fmt.Sprintf("tensorrt: cannot load %s (tried %s: %s): %s", e.Lib, where, reason, fix)
}

// Is makes the error match [ErrNotSupported], and [ErrLibraryVersion] for
// a version mismatch.
func (e *LibraryError) Is(target error) bool {
	return target == ErrNotSupported || (target == ErrLibraryVersion && e.Found != (Version{}))
}

// PluginError says a plan needs a TensorRT plugin that no loaded library
// registers (TensorRT's "could not find plugin"). It matches
// [ErrPluginMissing].
type PluginError struct {
	// Plugin is the plugin's name as TensorRT logged it, e.g.
	// "RnRes2FullFusion_TRT"; empty when the message named none.
	Plugin string
	// Version is the plugin's version, empty when not logged.
	Version string
	// Loaded lists the plugin libraries this process loaded
	// (libnvinfer_plugin and those from [LoadPlugins]).
	Loaded []string
	// Note says why libnvinfer_plugin is not among them, if it is not.
	Note string
}

func (e *PluginError) Error() string {
	name := e.Plugin
	if name == "" {
		name = "a plugin"
	}
	if e.Version != "" {
		name += " version " + e.Version
	}
	loaded := "none"
	if len(e.Loaded) > 0 {
		loaded = strings.Join(e.Loaded, ", ")
	}
	msg := fmt.Sprintf("needs tensorrt plugin %s, which no loaded plugin library registers (loaded: %s)", name, loaded)
	if e.Note != "" {
		msg += "; " + e.Note
	}
	return msg + "; load the library that defines it with --plugins LIB.so"
}

// Is makes the error match [ErrPluginMissing].
func (e *PluginError) Is(target error) bool { return target == ErrPluginMissing }

// Code is the status a shim call returns. It implements error, with a
// fixed description usable without the TensorRT library, so errors.Is(err,
// trt.ErrOutOfMemory) matches any *Error with that code.
type Code int32

// Status codes of the shim (shim.h GOTRT_ERR_*).
const (
	CodeOK              Code = 0
	CodeInvalidArgument Code = 1
	CodeFailed          Code = 2
	CodeOutOfMemory     Code = 3
	CodeException       Code = 4
	CodeNotSupported    Code = 5
	CodeCUDA            Code = 6
)

// Code sentinels for errors.Is.
var (
	ErrInvalidArgument error = CodeInvalidArgument
	ErrFailed          error = CodeFailed
	ErrOutOfMemory     error = CodeOutOfMemory
	ErrException       error = CodeException
	ErrCUDA            error = CodeCUDA
)

var codeText = map[Code]string{
	CodeOK:              "success",
	CodeInvalidArgument: "invalid argument",
	CodeFailed:          "tensorrt call failed",
	CodeOutOfMemory:     "out of memory",
	CodeException:       "c++ exception",
	CodeNotSupported:    "not supported by this tensorrt",
	CodeCUDA:            "cuda runtime error",
}

func (c Code) Error() string {
	if s, ok := codeText[c]; ok {
		return s
	}
	return fmt.Sprintf("unknown status %d", int32(c))
}

// Is makes CodeNotSupported match [ErrNotSupported].
func (c Code) Is(target error) bool { return c == CodeNotSupported && target == ErrNotSupported }

// Error is a failed TensorRT call: the operation, the shim's status code and
// the message TensorRT logged (or the shim's description when it logged none).
type Error struct {
	Op   string // the TensorRT call, e.g. "deserializeCudaEngine"
	Code Code   // the shim status
	Msg  string // TensorRT's message
}

func (e *Error) Error() string {
	if e.Msg == "" {
		return fmt.Sprintf("tensorrt %s: %v", e.Op, e.Code)
	}
	return fmt.Sprintf("tensorrt %s: %s", e.Op, e.Msg)
}

// Unwrap returns the Code, so errors.Is matches the code sentinels.
func (e *Error) Unwrap() error { return e.Code }

// newError is the Go half of the one status-to-error helper: it returns nil
// for CodeOK and an *Error otherwise.
func newError(op string, code Code, msg string) error {
	if code == CodeOK {
		return nil
	}
	return &Error{Op: op, Code: code, Msg: strings.TrimSpace(msg)}
}

// unsupported is the error of every entry point of a build without TensorRT.
func unsupported(feature string) error {
	return &gpuerr.UnsupportedError{Feature: feature, Hint: "build with -tags cuda,tensorrt"}
}

// closedError says which handle was used after Close.
func closedError(what string) error { return fmt.Errorf("trt: %s: %w", what, ErrClosed) }

// planEnv is what planError adds from the process: the loaded library and
// plugin libraries.
type planEnv struct {
	Library    string   // "10.16.0 (/usr/lib/.../libnvinfer.so.10)"
	Plugins    []string // plugin libraries loaded
	PluginNote string   // why libnvinfer_plugin is not loaded, if not
}

// planError wraps a failed deserialization of the plan from file, adding the
// plan sentinel that TensorRT's message points to: a missing plugin becomes
// a [*PluginError] naming it, and a version mismatch names the plan's and the
// library's versions where TensorRT's message gives them.
func planError(file string, env planEnv, err error) error {
	var te *Error
	if !errors.As(err, &te) {
		return fmt.Errorf("plan %s: %w", file, err)
	}
	if name, version, ok := classifyPluginMessage(te.Msg); ok {
		pe := &PluginError{Plugin: name, Version: version, Loaded: env.Plugins, Note: env.PluginNote}
		return fmt.Errorf("plan %s: %w: %w", file, pe, err)
	}
	kind := classifyPlanMessage(te.Msg)
	if kind == ErrPlanVersion {
		lib, plan := planVersions(te.Msg)
		switch {
		case lib != "" && plan != "":
			return fmt.Errorf("plan %s: built by tensorrt %s, the loaded library is tensorrt %s: rebuild the plan: %w: %w",
				file, plan, lib, kind, err)
		case env.Library != "":
			return fmt.Errorf("plan %s: the loaded library is tensorrt %s: %w: %w", file, env.Library, kind, err)
		}
	}
	if kind != nil {
		return fmt.Errorf("plan %s: %w: %w", file, kind, err)
	}
	return fmt.Errorf("plan %s: %w", file, err)
}

// pluginMessage matches TensorRT's "could not find plugin" in its forms:
// 8.x "getPluginCreator could not find plugin: NAME version: 1" (older
// without the colons), 10.x "IPluginRegistry::getCreator: ... Cannot find
// plugin: NAME, version: 1, namespace:.".
var pluginMessage = regexp.MustCompile(`(?i)(?:could not|cannot) find plugin:?\s*([A-Za-z0-9_.:\-]+?),?\s+version:?\s*([A-Za-z0-9_.\-]+)`)

// classifyPluginMessage reports whether TensorRT's message says a plugin is
// missing, and which, when it says so.
func classifyPluginMessage(msg string) (name, version string, ok bool) {
	if m := pluginMessage.FindStringSubmatch(msg); m != nil {
		return m[1], strings.TrimRight(m[2], ",."), true
	}
	l := strings.ToLower(msg)
	if strings.Contains(l, "iplugincreator not found") || strings.Contains(l, "could not find plugin") ||
		strings.Contains(l, "cannot find plugin") {
		return "", "", true
	}
	return "", "", false
}

// planVersionMessage is TensorRT's "expecting library version L got P":
// L is the running library's version, P the plan's.
var planVersionMessage = regexp.MustCompile(`expecting library version ([0-9][0-9.]*[0-9]) got ([0-9][0-9.]*[0-9])`)

// planVersions returns the library's and the plan's versions from
// TensorRT's version-mismatch message, or empty strings where it names none.
func planVersions(msg string) (library, plan string) {
	if m := planVersionMessage.FindStringSubmatch(msg); m != nil {
		return m[1], m[2]
	}
	return "", ""
}

// classifyPlanMessage maps what TensorRT logs when deserializeCudaEngine
// fails to a plan sentinel, or nil when the message says none of them. The
// phrases are TensorRT's own, e.g. "The engine plan file is not compatible
// with this version of TensorRT, expecting library version 10.3.0.26 got
// 10.0.1.6", "Version tag does not match", "The engine plan file is generated
// on an incompatible device, expecting compute 8.6 got compute 7.5", "Platform
// specific tag mismatch", "Magic tag does not match".
func classifyPlanMessage(msg string) error {
	m := strings.ToLower(msg)
	switch {
	case strings.Contains(m, "incompatible device"),
		strings.Contains(m, "platform specific tag mismatch"),
		strings.Contains(m, "compute capability"):
		return ErrPlanDevice
	case strings.Contains(m, "not compatible with this version"),
		strings.Contains(m, "version tag does not match"),
		strings.Contains(m, "expecting library version"):
		return ErrPlanVersion
	case strings.Contains(m, "magic tag"),
		strings.Contains(m, "serialization assertion"),
		strings.Contains(m, "truncated"),
		strings.Contains(m, "corrupt"):
		return ErrPlanCorrupt
	}
	return nil
}
