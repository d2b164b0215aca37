package loadgen

import "sync/atomic"

// Per-sample and per-query state grows in chunks as queries are generated:
// no per-sample allocation, no up-front allocation sized from a guess, and
// an element never moves once written, so Complete can read and CAS it
// while the issuing goroutine grows the table. Chunks are kept and reused
// by the next trial of the run.

const (
	chunkShift = 14
	chunkSize  = 1 << chunkShift
	chunkMask  = chunkSize - 1
)

// sampleChunk is the state of chunkSize consecutive samples of a trial.
type sampleChunk struct {
	// done[i] is the sample's completion time + 1 (ns from the trial
	// start), 0 while outstanding; written once by CAS.
	done [chunkSize]int64
	idx  [chunkSize]int32 // QSL index
	acc  [chunkSize / 64]uint64
}

// sampleTable maps a sample's position in the trial to its chunk. Only the
// issuing goroutine grows it; it publishes each new directory before it
// raises the trial's issued count, so a reader that loads the issued count
// and then the directory finds every issued sample's chunk.
type sampleTable struct {
	dir    atomic.Pointer[[]*sampleChunk]
	chunks []*sampleChunk // the issuing goroutine's view; its backing array keeps chunks of earlier trials beyond len
}

// reset empties the table for a new trial, keeping its chunks for reuse.
func (t *sampleTable) reset() {
	t.chunks = t.chunks[:0]
	d := t.chunks
	t.dir.Store(&d)
}

// grow makes room for n samples. A chunk kept from an earlier trial is
// cleared before reuse.
func (t *sampleTable) grow(n int) {
	need := (n + chunkMask) >> chunkShift
	if need <= len(t.chunks) {
		return
	}
	for len(t.chunks) < need {
		if len(t.chunks) < cap(t.chunks) {
			c := t.chunks[:len(t.chunks)+1][len(t.chunks)]
			if c != nil {
				clear(c.done[:])
				clear(c.acc[:])
				t.chunks = t.chunks[:len(t.chunks)+1]
				continue
			}
		}
		c := new(sampleChunk)
		// Touch done now: a fresh chunk's pages come zero from the OS
		// untouched, and the completions that first write them would take
		// their page faults during the timed run (a fresh process missed
		// find-peak's confirmed peak by that).
		clear(c.done[:])
		t.chunks = append(t.chunks, c)
	}
	d := t.chunks
	t.dir.Store(&d)
}

func (t *sampleTable) setIdx(i int, v int32) {
	t.chunks[i>>chunkShift].idx[i&chunkMask] = v
}

func (t *sampleTable) idx(i int) int32 { return t.chunks[i>>chunkShift].idx[i&chunkMask] }

func (t *sampleTable) markAcc(i int) {
	j := i & chunkMask
	t.chunks[i>>chunkShift].acc[j>>6] |= 1 << (j & 63)
}

// chunkList is a growable list of int64 in chunks, used by one goroutine at
// a time (per-query times: the Server schedule, stream issue times). Its
// chunks are kept for the next trial.
type chunkList struct {
	c [][]int64
	n int
}

func (l *chunkList) reset() { l.n = 0 }

func (l *chunkList) push(v int64) {
	ci := l.n >> chunkShift
	if ci == len(l.c) {
		l.c = append(l.c, make([]int64, chunkSize))
	}
	l.c[ci][l.n&chunkMask] = v
	l.n++
}

func (l *chunkList) at(i int) int64 { return l.c[i>>chunkShift][i&chunkMask] }

func (l *chunkList) len() int { return l.n }
