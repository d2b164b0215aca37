package kserve

import (
	"errors"
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

// Schemes of a --sut value naming KServe v2 endpoints: Scheme and
// SchemeGRPC speak gRPC, SchemeHTTP HTTP/REST.
const (
	Scheme     = "kserve://"
	SchemeGRPC = "kserve+grpc://"
	SchemeHTTP = "kserve+http://"
)

// IsURL says whether s names KServe v2 endpoints (any of the schemes).
func IsURL(s string) bool {
	return strings.HasPrefix(s, Scheme) || strings.HasPrefix(s, SchemeGRPC) || strings.HasPrefix(s, SchemeHTTP)
}

// ParseURL reads "kserve://HOST:PORT[,HOST:PORT…][?stream=1&batch=N&concurrency=N&output=NAME]"
// (gRPC; kserve+grpc:// is the same) or
// "kserve+http://HOST:PORT[,…][?batch=N&concurrency=N&binary=0&output=NAME]" (HTTP/REST)
// into addresses and the [Options] the query sets. A host without a port
// gets Triton's port: 8001 for gRPC, 8000 for HTTP.
func ParseURL(s string) ([]string, Options, error) {
	var opt Options
	rest, ok := strings.CutPrefix(s, Scheme)
	if !ok {
		rest, ok = strings.CutPrefix(s, SchemeGRPC)
	}
	if !ok {
		rest, ok = strings.CutPrefix(s, SchemeHTTP)
		opt.HTTP = ok
	}
	if !ok {
		return nil, opt, fmt.Errorf("%w: %q does not start with %s, %s or %s", ErrURL, short(s), Scheme, SchemeGRPC, SchemeHTTP)
	}
	rest, query, _ := strings.Cut(rest, "?")
	if query != "" {
		vals, err := url.ParseQuery(query)
		if err != nil {
			return nil, opt, fmt.Errorf("%w: %q: %w", ErrURL, short(s), err)
		}
		for k, v := range vals {
			val := v[len(v)-1]
			var err error
			switch k {
			case "stream":
				opt.Stream, err = strconv.ParseBool(val)
				if err == nil && opt.Stream && opt.HTTP {
					err = errors.New("streaming needs gRPC (kserve://)")
				}
			case "binary":
				var b bool
				b, err = strconv.ParseBool(val)
				opt.JSON = !b
				if err == nil && !opt.HTTP {
					err = errors.New("binary tensors are an HTTP setting (kserve+http://)")
				}
			case "output":
				opt.Output = val
				if val == "" || len(val) > 256 {
					err = errors.New("want an output name")
				}
			case "batch":
				opt.MaxBatch, err = strconv.Atoi(val)
				if err == nil && (opt.MaxBatch < 1 || opt.MaxBatch > 4096) {
					err = errors.New("want 1 to 4096")
				}
			case "concurrency":
				opt.Concurrency, err = strconv.Atoi(val)
				if err == nil && (opt.Concurrency < 1 || opt.Concurrency > 1024) {
					err = errors.New("want 1 to 1024")
				}
			default:
				err = errors.New("unknown parameter (want stream, batch, concurrency, binary or output)")
			}
			if err != nil {
				return nil, opt, fmt.Errorf("%w: %q: %s=%s: %w", ErrURL, short(s), short(k), short(val), err)
			}
		}
	}
	port := "8001"
	if opt.HTTP {
		port = "8000"
	}
	var out []string
	for _, a := range strings.Split(rest, ",") {
		a = strings.TrimSpace(a)
		if a == "" || strings.ContainsAny(a, "/?#@ ") {
			return nil, opt, fmt.Errorf("%w: %q: want kserve://HOST:PORT[,HOST:PORT…] or kserve+http://HOST:PORT[,…]", ErrURL, short(s))
		}
		if _, _, err := net.SplitHostPort(a); err != nil {
			a = net.JoinHostPort(strings.Trim(a, "[]"), port)
		}
		if slices.Contains(out, a) {
			return nil, opt, fmt.Errorf("%w: %q names %s twice", ErrURL, short(s), a)
		}
		out = append(out, a)
	}
	return out, opt, nil
}

// short cuts a user's text quoted in an error to 200 bytes.
func short(s string) string {
	if len(s) <= 200 {
		return s
	}
	i := 200
	for i > 0 && s[i]&0xC0 == 0x80 {
		i--
	}
	return s[:i] + fmt.Sprintf("… (%d bytes)", len(s))
}
