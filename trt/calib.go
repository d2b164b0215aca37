package trt

import (
	"bufio"
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
)

// CalibrationAlgorithm is the INT8 calibrator a cache was written by; its
// values are nvinfer1::CalibrationAlgoType's.
type CalibrationAlgorithm int32

// Calibration algorithms.
const (
	CalibLegacy   CalibrationAlgorithm = 0 // "LegacyCalibration"
	CalibEntropy  CalibrationAlgorithm = 1 // "EntropyCalibration"
	CalibEntropy2 CalibrationAlgorithm = 2 // "EntropyCalibration2", what MLPerf caches use
	CalibMinMax   CalibrationAlgorithm = 3 // "MinMaxCalibration"
)

var calibNames = map[string]CalibrationAlgorithm{
	"LegacyCalibration":   CalibLegacy,
	"EntropyCalibration":  CalibEntropy,
	"EntropyCalibration2": CalibEntropy2,
	"MinMaxCalibration":   CalibMinMax,
}

func (a CalibrationAlgorithm) String() string {
	for n, v := range calibNames {
		if v == a {
			return n
		}
	}
	return "calibration(" + strconv.Itoa(int(a)) + ")"
}

// CalibrationCache is a TensorRT INT8 calibration cache, as MLPerf ships one
// per model: a header line "TRT-<version>-<algorithm>" and one line per
// tensor, "<name>: <scale as the hex bits of a float32>".
type CalibrationCache struct {
	// Version is the number in the header, e.g. "7000" or "8601".
	Version string
	// Algorithm is the calibrator that wrote the cache.
	Algorithm CalibrationAlgorithm
	// Scales maps tensor names to their INT8 scales.
	Scales map[string]float32
	// Data is the cache as read, what TensorRT is given.
	Data []byte
}

// ParseCalibrationCache reads a calibration cache; file names it in errors,
// which match [ErrCalibrationCache].
func ParseCalibrationCache(file string, data []byte) (*CalibrationCache, error) {
	bad := func(line int, format string, args ...any) error {
		return fmt.Errorf("calibration cache %s: line %d: %s: %w", file, line, fmt.Sprintf(format, args...), ErrCalibrationCache)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	if !sc.Scan() {
		return nil, bad(1, "empty")
	}
	header := strings.TrimSpace(sc.Text())
	parts := strings.SplitN(header, "-", 3)
	if len(parts) != 3 || parts[0] != "TRT" {
		return nil, bad(1, "header %q is not TRT-<version>-<algorithm>", header)
	}
	algo, ok := calibNames[parts[2]]
	if !ok {
		return nil, bad(1, "unknown calibration algorithm %q", parts[2])
	}
	c := &CalibrationCache{Version: parts[1], Algorithm: algo, Scales: map[string]float32{}, Data: data}
	for n := 2; sc.Scan(); n++ {
		line := strings.TrimSpace(sc.Text())
		if line == "" {
			continue
		}
		// Tensor names may hold ':' (TensorFlow names such as "input:0"), so
		// the scale follows the last ": ".
		i := strings.LastIndex(line, ": ")
		if i <= 0 {
			return nil, bad(n, "%q is not <tensor>: <hex scale>", line)
		}
		name, hex := line[:i], strings.TrimSpace(line[i+2:])
		bits, err := strconv.ParseUint(hex, 16, 32)
		if err != nil {
			return nil, bad(n, "tensor %q: scale %q is not 8 hex digits", name, hex)
		}
		c.Scales[name] = math.Float32frombits(uint32(bits))
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("calibration cache %s: %w: %w", file, ErrCalibrationCache, err)
	}
	if len(c.Scales) == 0 {
		return nil, bad(2, "no tensor scales")
	}
	return c, nil
}

// LibraryVersion reads the header's version number as getInferLibVersion
// encodes it ("8601" is 8.6.1, "7000" 7.0.0, "100300" 10.3.0).
func (c *CalibrationCache) LibraryVersion() (Version, error) {
	n, err := strconv.ParseInt(c.Version, 10, 32)
	if err != nil || n <= 0 {
		return Version{}, fmt.Errorf("calibration cache: version %q is not a tensorrt version number: %w", c.Version, ErrCalibrationCache)
	}
	return decodeLibVersion(int32(n)), nil
}

// CheckVersion compares the version that wrote the cache with the loaded
// library's. TensorRT promises no cache carries across releases; it skips
// one it cannot use (its maintainers' word, NVIDIA/TensorRT#1378), and
// gotrt's calibrator has no batches to calibrate from instead. So: a cache
// of a newer TensorRT than
// the library is refused (the library cannot know its format); one of
// another release is accepted with a warning, for TensorRT to judge (MLPerf
// ships caches written by older releases); the same major.minor is silent.
// file names the cache in the messages.
func (c *CalibrationCache) CheckVersion(file string, lib Version) (warning string, err error) {
	v, err := c.LibraryVersion()
	if err != nil {
		return "", fmt.Errorf("calibration cache %s: %w", file, err)
	}
	switch {
	case v.Major > lib.Major || (v.Major == lib.Major && v.Minor > lib.Minor):
		return "", fmt.Errorf("calibration cache %s was written by tensorrt %d.%d, newer than the loaded %s: %w",
			file, v.Major, v.Minor, lib, ErrCalibrationCache)
	case v.Major != lib.Major || v.Minor != lib.Minor:
		return fmt.Sprintf("calibration cache %s was written by tensorrt %d.%d, the loaded library is %s: "+
			"tensorrt skips a cache it cannot use, and the build then fails to calibrate", file, v.Major, v.Minor, lib), nil
	}
	return "", nil
}
