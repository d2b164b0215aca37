# syntax=docker/dockerfile:1
#
# gotrt with the GPU path: TensorRT on CUDA (-tags cuda,tensorrt).
#
# The base is NVIDIA's TensorRT container 24.12 (TensorRT 10.7, CUDA 12.6.3,
# Ubuntu 24.04): a TensorRT 10.x whose CUDA is 12.x, since gorgonia.org/cu does
# not build against CUDA 13 headers. Using the NGC images means accepting
# NVIDIA's licences for TensorRT and CUDA.
#
# Pinning: the three bases are named by tag below. For a reproducible build
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
ARG RUNTIME_IMAGE=nvcr.io/nvidia/cuda:12.6.3-runtime-ubuntu24.04
ARG GO_IMAGE=golang:1.26.8
ARG VERSION=devel
ARG COMMIT=

FROM ${GO_IMAGE} AS go

FROM ${TRT_IMAGE} AS build
ARG VERSION
ARG COMMIT
COPY --from=go /usr/local/go /usr/local/go
# TensorRT's headers and libraries are on the default paths of this image;
# CUDA is under /usr/local/cuda, with libcuda's link stub in lib64/stubs (the
# driver provides the real libcuda.so.1 at run time).
ENV PATH=/usr/local/go/bin:$PATH \
    GOTOOLCHAIN=local \
    CGO_ENABLED=1 \
    CGO_CFLAGS="-O2 -Wno-deprecated-declarations -I/usr/local/cuda/include" \
    CGO_CXXFLAGS="-O2 -I/usr/local/cuda/include" \
    CGO_LDFLAGS="-L/usr/local/cuda/lib64 -L/usr/local/cuda/lib64/stubs"
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -tags cuda,tensorrt -trimpath \
      -ldflags "-X github.com/gotrt/gotrt/runner/result.Version=${VERSION} -X github.com/gotrt/gotrt/runner/result.Commit=${COMMIT}" \
      -o /out/bin/gotrt ./cmd/gotrt
# The TensorRT libraries the binary links (libnvinfer, the ONNX parser) and
# the builder resources libnvinfer loads at run time.
RUN mkdir -p /out/lib && \
    cp -a /usr/lib/$(uname -m)-linux-gnu/libnvinfer.so.10* \
          /usr/lib/$(uname -m)-linux-gnu/libnvinfer_builder_resource*.so* \
          /usr/lib/$(uname -m)-linux-gnu/libnvonnxparser.so.10* /out/lib/ && \
    ldd /out/bin/gotrt

FROM ${RUNTIME_IMAGE}
COPY --from=build /out/lib/ /usr/local/lib/gotrt/
COPY --from=build /out/bin/gotrt /usr/local/bin/gotrt
RUN echo /usr/local/lib/gotrt > /etc/ld.so.conf.d/gotrt.conf && ldconfig && \
    groupadd --gid 10001 gotrt && \
    useradd --create-home --uid 10001 --gid 10001 gotrt
# The NVIDIA container toolkit mounts the driver (libcuda, libnvidia-ml) for
# these capabilities.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
# Unprivileged: uid 10001 (see the top of this file for bind mounts).
USER 10001:10001
WORKDIR /home/gotrt
ENTRYPOINT ["gotrt"]
CMD ["help"]
