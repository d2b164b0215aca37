//go:build !tensorrt

package trt

// HeaderVersion is the TensorRT version of the headers this binary was built
// with; ok is false in a build without the tensorrt tag, as here.
func HeaderVersion() (v Version, ok bool) { return Version{}, false }

// Load opens the TensorRT library; this build returns an error matching
// ErrNotSupported.
func Load() (Library, error) { return Library{}, unsupported("tensorrt library") }

// LoadPlugins loads TensorRT plugin libraries; this build returns an error
// matching ErrNotSupported when any is named.
func LoadPlugins(paths ...string) error {
	if len(paths) == 0 {
		return nil
	}
	return unsupported("tensorrt plugins")
}
