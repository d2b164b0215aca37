//go:build cuda

package cuda

// #include <stdint.h>
import "C"

import "runtime/cgo"

// gotrtHostFn runs a function queued by [Stream.LaunchHostFunc], on a CUDA
// driver thread, exactly once.
//
//export gotrtHostFn
func gotrtHostFn(h C.uintptr_t) {
	handle := cgo.Handle(h)
	f := handle.Value().(func())
	handle.Delete()
	f()
}
