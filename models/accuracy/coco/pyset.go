package coco

// pythonSetOrder returns the distinct values of ids in the order CPython
// (3.7 and later) iterates list(set(ids)) for Python ints. accuracy-coco.py's
// --remove-48-empty-images builds its image list this way, so the QSL index
// of an image depends on the hash-table layout of a CPython set: open
// addressing with 9 linear probes, perturbation shift 5, growth to four
// times the used count once fill*5 >= mask*3.
func pythonSetOrder(ids []int64) []int64 {
	const (
		minSize      = 8
		linearProbes = 9
		perturbShift = 5
	)
	type slot struct {
		used bool
		hash uint64
		key  int64
	}
	table := make([]slot, minSize)
	mask := uint64(minSize - 1)
	fill := 0

	insertClean := func(t []slot, mask uint64, key int64, hash uint64) {
		perturb := hash
		i := hash & mask
		for {
			if !t[i].used {
				t[i] = slot{used: true, hash: hash, key: key}
				return
			}
			if i+linearProbes <= mask {
				for j := uint64(1); j <= linearProbes; j++ {
					if !t[i+j].used {
						t[i+j] = slot{used: true, hash: hash, key: key}
						return
					}
				}
			}
			perturb >>= perturbShift
			i = (i*5 + 1 + perturb) & mask
		}
	}
	resize := func(minUsed int) {
		newSize := uint64(minSize)
		for newSize <= uint64(minUsed) {
			newSize <<= 1
		}
		nt := make([]slot, newSize)
		for _, s := range table {
			if s.used {
				insertClean(nt, newSize-1, s.key, s.hash)
			}
		}
		table, mask = nt, newSize-1
	}

	for _, key := range ids {
		hash := pythonIntHash(key)
		perturb := hash
		i := hash & mask
		found := false
	probe:
		for {
			probes := uint64(0)
			if i+linearProbes <= mask {
				probes = linearProbes
			}
			for j := uint64(0); j <= probes; j++ {
				s := &table[i+j]
				if !s.used {
					*s = slot{used: true, hash: hash, key: key}
					break probe
				}
				if s.hash == hash && s.key == key {
					found = true
					break probe
				}
			}
			perturb >>= perturbShift
			i = (i*5 + 1 + perturb) & mask
		}
		if found {
			continue
		}
		fill++
		if uint64(fill)*5 >= mask*3 {
			if fill > 50000 {
				resize(fill * 2)
			} else {
				resize(fill * 4)
			}
		}
	}
	out := make([]int64, 0, fill)
	for _, s := range table {
		if s.used {
			out = append(out, s.key)
		}
	}
	return out
}

// pythonIntHash is CPython's hash of an int: the value modulo 2**61-1 with
// the sign kept, and -1 mapped to -2, as an unsigned machine word.
func pythonIntHash(v int64) uint64 {
	const modulus = 1<<61 - 1
	var h int64
	if v >= 0 {
		h = int64(uint64(v) % modulus)
	} else {
		h = -int64(uint64(-v) % modulus) // -v overflows only for MinInt64, whose magnitude 2**63 still converts right
		if h == -1 {
			h = -2
		}
	}
	return uint64(h)
}
