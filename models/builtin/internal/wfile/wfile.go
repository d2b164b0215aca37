// Package wfile reads and writes the built-in model's weights file: a gzip
// stream holding a magic, the architecture, the training provenance, the FP32
// reference accuracy, the INT8 calibration thresholds, the float32
// little-endian parameters and a CRC-32 of everything before it.
package wfile

import (
	"bytes"
	"compress/gzip"
	"encoding/binary"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"math"

	"github.com/gotrt/gotrt/models/builtin/internal/nn"
)

// ErrCorrupt is wrapped by every error about a malformed file.
var ErrCorrupt = errors.New("corrupt weights file")

var magic = [8]byte{'G', 'O', 'T', 'R', 'T', 'N', 'N', '1'}

// File is the decoded content.
type File struct {
	Arch nn.Arch
	// Provenance of the training run.
	Seed         uint64
	Steps, Batch uint32
	LR           float64
	// TestTop1 is the FP32 reference top-1 on the first TestCount held-out
	// samples.
	TestTop1  float64
	TestCount uint32
	// Thresholds[i] is the calibrated clipping threshold of layer i's input
	// (Thresholds[0], the image, is 1).
	Thresholds [4]float32
	Params     []float32
}

type header struct {
	Magic               [8]byte
	C1, C2, C3, Classes uint32
	Seed                uint64
	Steps, Batch        uint32
	LR, TestTop1        float64
	TestCount           uint32
	Thresholds          [4]float32
	NParams             uint32
}

// Encode writes f gzipped.
func Encode(w io.Writer, f *File) error {
	var buf bytes.Buffer
	h := header{
		Magic: magic, C1: uint32(f.Arch.C1), C2: uint32(f.Arch.C2), C3: uint32(f.Arch.C3), Classes: uint32(f.Arch.Classes),
		Seed: f.Seed, Steps: f.Steps, Batch: f.Batch, LR: f.LR, TestTop1: f.TestTop1, TestCount: f.TestCount,
		Thresholds: f.Thresholds, NParams: uint32(len(f.Params)),
	}
	if err := binary.Write(&buf, binary.LittleEndian, &h); err != nil {
		return fmt.Errorf("encode weights: %w", err)
	}
	if err := binary.Write(&buf, binary.LittleEndian, f.Params); err != nil {
		return fmt.Errorf("encode weights: %w", err)
	}
	_ = binary.Write(&buf, binary.LittleEndian, crc32.ChecksumIEEE(buf.Bytes()))
	// A fixed header (no name, no time) keeps the file reproducible.
	zw, err := gzip.NewWriterLevel(w, gzip.BestCompression)
	if err != nil {
		return fmt.Errorf("encode weights: %w", err)
	}
	if _, err := zw.Write(buf.Bytes()); err != nil {
		return fmt.Errorf("encode weights: %w", err)
	}
	if err := zw.Close(); err != nil {
		return fmt.Errorf("encode weights: %w", err)
	}
	return nil
}

// maxRaw bounds the decompressed size, so a crafted file cannot exhaust memory.
const maxRaw = 64 << 20

// Decode reads a file written by [Encode]. Any damage gives an error
// wrapping [ErrCorrupt].
func Decode(data []byte) (*File, error) {
	zr, err := gzip.NewReader(bytes.NewReader(data))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	raw, err := io.ReadAll(io.LimitReader(zr, maxRaw+1))
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if len(raw) > maxRaw {
		return nil, fmt.Errorf("%w: larger than %d bytes", ErrCorrupt, maxRaw)
	}
	var h header
	hs := binary.Size(h)
	if len(raw) < hs+4 {
		return nil, fmt.Errorf("%w: %d bytes is too short", ErrCorrupt, len(raw))
	}
	body, sum := raw[:len(raw)-4], binary.LittleEndian.Uint32(raw[len(raw)-4:])
	if got := crc32.ChecksumIEEE(body); got != sum {
		return nil, fmt.Errorf("%w: checksum %08x, want %08x", ErrCorrupt, got, sum)
	}
	if err := binary.Read(bytes.NewReader(body), binary.LittleEndian, &h); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if h.Magic != magic {
		return nil, fmt.Errorf("%w: bad magic %q", ErrCorrupt, h.Magic[:])
	}
	f := &File{
		Arch: nn.Arch{C1: int(h.C1), C2: int(h.C2), C3: int(h.C3), Classes: int(h.Classes)},
		Seed: h.Seed, Steps: h.Steps, Batch: h.Batch, LR: h.LR, TestTop1: h.TestTop1, TestCount: h.TestCount,
		Thresholds: h.Thresholds,
	}
	if err := f.Arch.Validate(); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	if int(h.NParams) != f.Arch.ParamCount() || len(body) != hs+4*int(h.NParams) {
		return nil, fmt.Errorf("%w: %d parameters in %d bytes, architecture needs %d", ErrCorrupt, h.NParams, len(body)-hs, f.Arch.ParamCount())
	}
	for _, t := range f.Thresholds {
		if !(t > 0) || math.IsInf(float64(t), 0) {
			return nil, fmt.Errorf("%w: bad calibration threshold %v", ErrCorrupt, t)
		}
	}
	f.Params = make([]float32, h.NParams)
	if err := binary.Read(bytes.NewReader(body[hs:]), binary.LittleEndian, f.Params); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrCorrupt, err)
	}
	return f, nil
}
