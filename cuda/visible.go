package cuda

import (
	"fmt"
	"strconv"
	"strings"
)

// allVisible lists what CUDA sees without CUDA_VISIBLE_DEVICES: every GPU in
// NVML order, a MIG-enabled GPU replaced by its MIG instances.
func allVisible(gpus []candidate) []candidate {
	var out []candidate
	for _, g := range gpus {
		if g.dev.MIGEnabled {
			out = append(out, g.migs...)
			continue
		}
		out = append(out, g)
	}
	return out
}

// selectVisible applies a CUDA_VISIBLE_DEVICES value the way CUDA does: a
// comma-separated list of NVML indices, GPU UUIDs ("GPU-..." or a unique
// prefix of one) and MIG UUIDs ("MIG-..." or the older
// "MIG-GPU-<uuid>/<gi>/<ci>"), in the order given; the first entry that names
// no device, or one already listed, ends the list. An empty value hides all.
func selectVisible(gpus []candidate, spec string) ([]candidate, []string) {
	var (
		out  []candidate
		seen = map[string]bool{}
	)
	if strings.TrimSpace(spec) == "" {
		return nil, nil
	}
	for _, entry := range strings.Split(spec, ",") {
		entry = strings.TrimSpace(entry)
		found, why := lookupVisible(gpus, entry)
		if why == "" {
			for _, c := range found {
				if seen[c.dev.UUID] {
					why = "it repeats " + c.dev.UUID
					break
				}
			}
		}
		if why != "" {
			return out, []string{fmt.Sprintf("%s: entry %q ignored with all after it: %s", VisibleDevicesEnv, entry, why)}
		}
		for _, c := range found {
			seen[c.dev.UUID] = true
			out = append(out, c)
		}
	}
	return out, nil
}

// lookupVisible resolves one entry; why is non-empty when it names nothing.
func lookupVisible(gpus []candidate, entry string) (found []candidate, why string) {
	switch {
	case entry == "":
		return nil, "empty entry"
	case strings.HasPrefix(entry, "MIG-GPU-"):
		parts := strings.Split(strings.TrimPrefix(entry, "MIG-"), "/")
		if len(parts) != 3 {
			return nil, "want MIG-GPU-<uuid>/<gpu instance>/<compute instance>"
		}
		gi, err1 := strconv.Atoi(parts[1])
		ci, err2 := strconv.Atoi(parts[2])
		if err1 != nil || err2 != nil {
			return nil, "bad instance ids"
		}
		for _, g := range gpus {
			if g.dev.UUID != parts[0] {
				continue
			}
			for _, m := range g.migs {
				if m.dev.MIG.GPUInstance == gi && m.dev.MIG.ComputeInstance == ci {
					return []candidate{m}, ""
				}
			}
		}
		return nil, "no such MIG instance"
	case strings.HasPrefix(entry, "MIG-"):
		var all []candidate
		for _, g := range gpus {
			all = append(all, g.migs...)
		}
		return byUUIDPrefix(all, entry)
	case strings.HasPrefix(entry, "GPU-"):
		found, why := byUUIDPrefix(gpus, entry)
		return expandMIG(found), why
	}
	idx, err := strconv.Atoi(entry)
	if err != nil {
		return nil, "not an index or a GPU-/MIG- UUID"
	}
	for _, g := range gpus {
		if g.dev.NVMLIndex == idx {
			return expandMIG([]candidate{g}), ""
		}
	}
	return nil, "no GPU with that index"
}

func byUUIDPrefix(cs []candidate, prefix string) ([]candidate, string) {
	var match []candidate
	for _, c := range cs {
		if c.dev.UUID == prefix {
			return []candidate{c}, ""
		}
		if strings.HasPrefix(c.dev.UUID, prefix) {
			match = append(match, c)
		}
	}
	switch len(match) {
	case 0:
		return nil, "no device with that UUID"
	case 1:
		return match, ""
	}
	return nil, fmt.Sprintf("the prefix matches %d devices", len(match))
}

// expandMIG puts a MIG-enabled GPU's instances in its place.
func expandMIG(cs []candidate) []candidate {
	if len(cs) == 1 && cs[0].dev.MIGEnabled {
		return cs[0].migs
	}
	return cs
}
