"""A gRPC client gotrt did not write: Python's grpcio (Debian's python3-grpcio)
over stubs that interop_test.go generates from the project's own .proto files
with grpc_tools (python3-grpc-tools). It makes the calls one check names and
prints one JSON object on stdout: the responses as protobuf's json_format
writes them (proto field names, defaults included), or, for a call that fails,
{"error": {"code": "NOT_FOUND", "details": "..."}}. The Go test asserts.

    python3 grpc_client.py STUBDIR ADDR CHECK [ARGS...]

CHECK is one of: metadata, config, infer INPUTFILE N, stream INPUTFILE N,
statistics, index, repository_load, shm INPUTFILE N, cuda_shm.
"""

import json
import mmap
import os
import sys

STUBS, ADDR, CHECK = sys.argv[1], sys.argv[2], sys.argv[3]
ARGS = sys.argv[4:]
sys.path.insert(0, STUBS)

import grpc  # noqa: E402
from google.protobuf import json_format  # noqa: E402

import grpc_service_pb2 as pb  # noqa: E402
import grpc_service_pb2_grpc as pbg  # noqa: E402

MODEL = "gotrt-builtin"
TIMEOUT = 30


def as_dict(msg):
    """A message as a dict, with fields left at their defaults printed too
    (a KIND_GPU instance group or a zero count must be seen, not omitted)."""
    try:
        return json_format.MessageToDict(
            msg, preserving_proto_field_name=True, including_default_value_fields=True)
    except TypeError:  # protobuf >= 5.26 renamed the option
        return json_format.MessageToDict(
            msg, preserving_proto_field_name=True, always_print_fields_with_no_presence=True)


def call(method, request):
    """One unary call; its response, or the error it ended with."""
    try:
        return as_dict(getattr(stub, method)(request, timeout=TIMEOUT))
    except grpc.RpcError as e:
        return {"error": {"code": e.code().name, "details": e.details()}}


def infer_request(data, n, **input_params):
    req = pb.ModelInferRequest(model_name=MODEL, id="interop")
    t = req.inputs.add(name="input", datatype="UINT8", shape=[n, 32, 32])
    for k, v in input_params.items():
        set_param(t.parameters[k], v)
    if data is not None:
        req.raw_input_contents.append(data)
    return req


def set_param(p, v):
    if isinstance(v, bool):
        p.bool_param = v
    elif isinstance(v, int):
        p.int64_param = v
    else:
        p.string_param = v


def read_input():
    with open(ARGS[0], "rb") as f:
        data = f.read()
    return data, int(ARGS[1])


channel = grpc.insecure_channel(ADDR, options=[
    ("grpc.max_send_message_length", 64 << 20), ("grpc.max_receive_message_length", 64 << 20)])
stub = pbg.GRPCInferenceServiceStub(channel)


def run_check(out):
    if CHECK == "metadata":
        out["server"] = call("ServerMetadata", pb.ServerMetadataRequest())
        out["model"] = call("ModelMetadata", pb.ModelMetadataRequest(name=MODEL))
        out["unknown_model"] = call("ModelMetadata", pb.ModelMetadataRequest(name="no-such-model"))
        out["live"] = call("ServerLive", pb.ServerLiveRequest())
        out["ready"] = call("ServerReady", pb.ServerReadyRequest())
        out["model_ready"] = call("ModelReady", pb.ModelReadyRequest(name=MODEL))

    elif CHECK == "config":
        out["config"] = call("ModelConfig", pb.ModelConfigRequest(name=MODEL))
        out["config_version"] = call("ModelConfig", pb.ModelConfigRequest(name=MODEL, version="1"))
        out["unknown_model"] = call("ModelConfig", pb.ModelConfigRequest(name="no-such-model"))

    elif CHECK == "infer":
        data, n = read_input()
        req = infer_request(data, n)
        req.outputs.add(name="output")
        out["infer"] = call("ModelInfer", req)
        bad = infer_request(data[:-1], n)
        out["short_input"] = call("ModelInfer", bad)

    elif CHECK == "stream":
        data, n = read_input()
        per = len(data) // n

        def requests():
            for i in range(n):
                r = infer_request(data[i * per:(i + 1) * per], 1)
                r.id = "s%d" % i
                yield r
            bad = infer_request(data[:per - 1], 1)
            bad.id = "bad"
            yield bad

        answers = []
        try:
            for resp in stub.ModelStreamInfer(requests(), timeout=TIMEOUT):
                answers.append(as_dict(resp))
        except grpc.RpcError as e:
            answers.append({"error": {"code": e.code().name, "details": e.details()}})
        out["stream"] = answers

    elif CHECK == "statistics":
        out["model"] = call("ModelStatistics", pb.ModelStatisticsRequest(name=MODEL))
        out["all"] = call("ModelStatistics", pb.ModelStatisticsRequest())
        out["unknown_model"] = call("ModelStatistics", pb.ModelStatisticsRequest(name="no-such-model"))

    elif CHECK == "index":
        out["index"] = call("RepositoryIndex", pb.RepositoryIndexRequest())
        out["index_ready"] = call("RepositoryIndex", pb.RepositoryIndexRequest(ready=True))

    elif CHECK == "repository_load":
        out["load"] = call("RepositoryModelLoad", pb.RepositoryModelLoadRequest(model_name=MODEL))
        out["unload"] = call("RepositoryModelUnload", pb.RepositoryModelUnloadRequest(model_name=MODEL))

    elif CHECK == "shm":
        # One real POSIX shared-memory region (/dev/shm), as Triton's
        # shm_utils makes: the input at offset 0, the output after it.
        data, n = read_input()
        key = "/gotrt-interop-%d" % os.getpid()
        out_size = 4 * n
        path = "/dev/shm" + key
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600)
        try:
            os.ftruncate(fd, len(data) + out_size)
            region = mmap.mmap(fd, len(data) + out_size)
            region[:len(data)] = data
            region[len(data):] = b"\xff" * out_size
            out["register_in"] = call("SystemSharedMemoryRegister", pb.SystemSharedMemoryRegisterRequest(
                name="in", key=key, offset=0, byte_size=len(data)))
            out["register_out"] = call("SystemSharedMemoryRegister", pb.SystemSharedMemoryRegisterRequest(
                name="out", key=key, offset=len(data), byte_size=out_size))
            out["register_again"] = call("SystemSharedMemoryRegister", pb.SystemSharedMemoryRegisterRequest(
                name="in", key=key, offset=0, byte_size=len(data)))
            out["register_missing"] = call("SystemSharedMemoryRegister", pb.SystemSharedMemoryRegisterRequest(
                name="missing", key="/gotrt-interop-no-such-region", offset=0, byte_size=16))
            out["status"] = call("SystemSharedMemoryStatus", pb.SystemSharedMemoryStatusRequest())
            out["status_in"] = call("SystemSharedMemoryStatus", pb.SystemSharedMemoryStatusRequest(name="in"))
            req = infer_request(None, n, shared_memory_region="in", shared_memory_byte_size=len(data))
            o = req.outputs.add(name="output")
            set_param(o.parameters["shared_memory_region"], "out")
            set_param(o.parameters["shared_memory_byte_size"], out_size)
            out["infer"] = call("ModelInfer", req)
            out["output_region"] = list(region[len(data):])
            out["unregister_in"] = call("SystemSharedMemoryUnregister",
                                        pb.SystemSharedMemoryUnregisterRequest(name="in"))
            out["status_after_unregister"] = call("SystemSharedMemoryStatus", pb.SystemSharedMemoryStatusRequest())
            out["infer_unregistered"] = call("ModelInfer", infer_request(
                None, n, shared_memory_region="in", shared_memory_byte_size=len(data)))
            out["unregister_all"] = call("SystemSharedMemoryUnregister", pb.SystemSharedMemoryUnregisterRequest())
            out["status_empty"] = call("SystemSharedMemoryStatus", pb.SystemSharedMemoryStatusRequest())
            region.close()
        finally:
            os.close(fd)
            os.unlink(path)

    elif CHECK == "cuda_shm":
        out["register"] = call("CudaSharedMemoryRegister", pb.CudaSharedMemoryRegisterRequest(
            name="gpu", raw_handle=b"\0" * 64, device_id=0, byte_size=1024))
        out["status"] = call("CudaSharedMemoryStatus", pb.CudaSharedMemoryStatusRequest())

    else:
        sys.exit("unknown check %r" % CHECK)


out = {}
try:
    run_check(out)
except AttributeError as e:
    # The stubs lack a message or method: the project's proto does not
    # have that part of Triton's protocol.
    sys.exit("grpc_client.py %s: not in the stubs generated from the project's proto: %s" % (CHECK, e))
channel.close()
json.dump(out, sys.stdout)
