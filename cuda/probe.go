package cuda

import (
	"github.com/NVIDIA/go-nvml/pkg/dl"
)

// probeLibrary checks that a shared library loads, without calling into it.
func probeLibrary(name string) error {
	lib := dl.New(name, dl.RTLD_LAZY|dl.RTLD_LOCAL)
	if err := lib.Open(); err != nil {
		return err
	}
	return lib.Close()
}
