# syntax=docker/dockerfile:1
#
# gotrt with the GPU path: TensorRT on CUDA (-tags cuda,tensorrt).
#
# One binary for every host: gotrt links no TensorRT and no CUDA library (it
# dlopen()s libcuda.so.1, and libnvinfer.so.10 on first use), so the binary
# built here also starts where TensorRT is missing (the built-in model and
# `gotrt devices` work; --engine, build and inspect say what is missing).
# The image runs it on NVIDIA's TensorRT container 24.12 (TensorRT 10.7,
# CUDA 12.6.3, Ubuntu 24.04), whose libnvinfer, libnvinfer_plugin and
# libnvonnxparser it loads from the default library path. Another 10.x
# container works the same: pass it as TRT_IMAGE; plans must then be built
# with that TensorRT. Using the NGC images means accepting NVIDIA's licences
# for TensorRT and CUDA.
#
# Pinning: the two bases are named by tag below. For a reproducible build
# pin each by digest as well, tag@sha256:..., through the build arguments
# (the digests were not reachable where this file was written, so none is
# filled in here rather than an unchecked one):
#
#   docker buildx imagetools inspect nvcr.io/nvidia/tensorrt:24.12-py3   # shows the digest
#   docker build --build-arg TRT_IMAGE=nvcr.io/nvidia/tensorrt:24.12-py3@sha256:<digest> ...
#
# Version stamp: make docker passes VERSION and COMMIT (git describe, git
# rev-parse HEAD), which `gotrt version` and result.json report; .git is not
# in the build context, so a plain docker build reports "devel".
#
#   make docker                       # or: docker build --build-arg VERSION=v0.1.0 --build-arg COMMIT=$(git rev-parse HEAD) -t gotrt .
#   docker run --rm --gpus all gotrt version
#   docker run --rm --gpus all gotrt devices
#   docker run --rm --gpus all -v $PWD/engines:/engines:ro gotrt inspect /engines/resnet50-int8.plan
#   docker run --rm --gpus all -v $PWD/engines:/engines:ro gotrt inspect --plugins /engines/libplugins.so /engines/mlperf.plan
#
# User: the image runs as the unprivileged user gotrt (uid 10001, gid 10001,
# home /home/gotrt, the working directory). A bind mount the container
# writes to must be writable by that uid; the simplest is to run as yourself:
#
#   mkdir -p runs && docker run --rm --gpus all --user $(id -u):$(id -g) \
#     -v $PWD/runs:/runs gotrt run --out /runs/offline
#
# third_party/tensorrt/README.md says more, for vGPU VMs and MIG slices too.

ARG TRT_IMAGE=nvcr.io/nvidia/tensorrt:24.12-py3
ARG GO_IMAGE=golang:1.26.8
ARG VERSION=devel
ARG COMMIT=

FROM ${GO_IMAGE} AS go

FROM ${TRT_IMAGE} AS build
ARG VERSION
ARG COMMIT
COPY --from=go /usr/local/go /usr/local/go
# TensorRT's headers are on the default include path of this image, CUDA's
# under /usr/local/cuda/include. Nothing is linked but libc and libstdc++.
ENV PATH=/usr/local/go/bin:$PATH \
    GOTOOLCHAIN=local \
    CGO_ENABLED=1 \
    CGO_CFLAGS="-O2 -Wno-deprecated-declarations -I/usr/local/cuda/include" \
    CGO_CXXFLAGS="-O2 -I/usr/local/cuda/include"
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -tags cuda,tensorrt -trimpath \
      -ldflags "-X github.com/gotrt/gotrt/runner/result.Version=${VERSION} -X github.com/gotrt/gotrt/runner/result.Commit=${COMMIT}" \
      -o /out/gotrt ./cmd/gotrt
# The binary must need no TensorRT or CUDA library at load time.
RUN readelf -d /out/gotrt | grep NEEDED && \
    ! readelf -d /out/gotrt | grep -E 'NEEDED.*(nvinfer|nvonnx|cudart|libcuda)'

# The NGC TensorRT image again, as the run-time base: it holds libnvinfer.so.10
# and the libraries it loads (the builder resources, libnvinfer_plugin,
# libnvonnxparser) on the default library path.
FROM ${TRT_IMAGE}
COPY --from=build /out/gotrt /usr/local/bin/gotrt
RUN groupadd --gid 10001 gotrt && \
    useradd --create-home --uid 10001 --gid 10001 gotrt && \
    gotrt version && \
    gotrt version | grep -q '^tensorrt: headers .*, library [0-9]'
# The NVIDIA container toolkit mounts the driver (libcuda, libnvidia-ml) for
# these capabilities.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# Unprivileged: uid 10001 (see the top of this file for bind mounts).
USER 10001:10001
WORKDIR /home/gotrt
ENTRYPOINT ["gotrt"]
CMD ["help"]
