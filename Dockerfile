# syntax=docker/dockerfile:1
#
# gotrt with the GPU path: TensorRT on CUDA (-tags cuda,tensorrt).
#
# The base is NVIDIA's TensorRT container 24.12 (TensorRT 10.7, CUDA 12.6.3,
# Ubuntu 24.04): a TensorRT 10.x whose CUDA is 12.x, since gorgonia.org/cu does
# not build against CUDA 13 headers. Pin it by digest for reproducible builds
# (docker buildx imagetools inspect nvcr.io/nvidia/tensorrt:24.12-py3). Using
# the NGC images means accepting NVIDIA's licences for TensorRT and CUDA.
#
#   docker build -t gotrt .
#   docker run --rm --gpus all gotrt devices
#   docker run --rm --gpus all -v $PWD/engines:/engines gotrt inspect /engines/resnet50-int8.plan
#
# third_party/tensorrt/README.md says more, for vGPU VMs and MIG slices too.

ARG TRT_IMAGE=nvcr.io/nvidia/tensorrt:24.12-py3
ARG RUNTIME_IMAGE=nvcr.io/nvidia/cuda:12.6.3-runtime-ubuntu24.04
ARG GO_IMAGE=golang:1.26.8

FROM ${GO_IMAGE} AS go

FROM ${TRT_IMAGE} AS build
COPY --from=go /usr/local/go /usr/local/go
# TensorRT's headers and libraries are on the default paths of this image;
# CUDA is under /usr/local/cuda, with libcuda's link stub in lib64/stubs (the
# driver provides the real libcuda.so.1 at run time).
ENV PATH=/usr/local/go/bin:$PATH \
    GOTOOLCHAIN=local \
    CGO_ENABLED=1 \
    CGO_CFLAGS="-O2 -I/usr/local/cuda/include" \
    CGO_CXXFLAGS="-O2 -I/usr/local/cuda/include" \
    CGO_LDFLAGS="-L/usr/local/cuda/lib64 -L/usr/local/cuda/lib64/stubs"
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN go build -tags cuda,tensorrt -trimpath -o /out/bin/gotrt ./cmd/gotrt
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
    useradd --create-home --uid 10001 gotrt
# The NVIDIA container toolkit mounts the driver (libcuda, libnvidia-ml) for
# these capabilities.
ENV NVIDIA_VISIBLE_DEVICES=all \
    NVIDIA_DRIVER_CAPABILITIES=compute,utility
USER gotrt
WORKDIR /home/gotrt
ENTRYPOINT ["gotrt"]
CMD ["help"]
