# Build gotrt with its version stamped and go-nvml's cgo quiet.
#
#   make            # ./gotrt, the default build (CPU and NVML, no GPU needed)
#   make install    # into $(go env GOPATH)/bin
#   make docker     # the GPU image (-tags cuda,tensorrt), see Dockerfile
#
# go-nvml's generated cgo calls NVML functions that nvml.h marks deprecated,
# so gcc prints ~150 lines of -Wdeprecated-declarations warnings on a first
# build. They are harmless; CGO_CFLAGS turns them off (it replaces Go's
# default "-O2 -g", hence both).

VERSION ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo devel)
COMMIT  ?= $(shell git rev-parse HEAD 2>/dev/null)
LDFLAGS := -X github.com/gotrt/gotrt/runner/result.Version=$(VERSION) \
           -X github.com/gotrt/gotrt/runner/result.Commit=$(COMMIT)
export CGO_CFLAGS ?= -O2 -g -Wno-deprecated-declarations

.PHONY: build install docker test
build:
	go build -ldflags "$(LDFLAGS)" -o gotrt ./cmd/gotrt

install:
	go install -ldflags "$(LDFLAGS)" ./cmd/gotrt

docker:
	docker build --build-arg VERSION=$(VERSION) --build-arg COMMIT=$(COMMIT) -t gotrt:$(VERSION) .

test:
	go test ./...
