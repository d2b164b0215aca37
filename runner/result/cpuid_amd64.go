package result

import (
	"encoding/binary"
	"strings"
)

// cpuid executes the CPUID instruction (cpuid_amd64.s).
func cpuid(eaxArg, ecxArg uint32) (eax, ebx, ecx, edx uint32)

// cpuidInfo returns the CPU's brand string (leaves 0x80000002-4) and, when
// the hypervisor bit of leaf 1 is set, the hypervisor's vendor signature
// (leaf 0x40000000, e.g. "KVMKVMKVM", "VMwareVMware", "Microsoft Hv").
func cpuidInfo() (brand, hypervisor string) {
	le := func(b []byte, regs ...uint32) []byte {
		for _, r := range regs {
			b = binary.LittleEndian.AppendUint32(b, r)
		}
		return b
	}
	if maxExt, _, _, _ := cpuid(0x80000000, 0); maxExt >= 0x80000004 {
		var b []byte
		for leaf := uint32(0x80000002); leaf <= 0x80000004; leaf++ {
			a, bx, c, d := cpuid(leaf, 0)
			b = le(b, a, bx, c, d)
		}
		brand = strings.TrimSpace(strings.TrimRight(string(b), "\x00"))
	}
	if _, _, c, _ := cpuid(1, 0); c&(1<<31) != 0 {
		_, bx, c, d := cpuid(0x40000000, 0)
		hypervisor = strings.TrimRight(string(le(nil, bx, c, d)), "\x00")
	}
	return brand, hypervisor
}
