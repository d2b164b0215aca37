#!/usr/bin/env python3
"""torch_peer.py: PyTorch running gotrt's built-in model, the peer of its GPU
executor (models/builtin/gpu).

It runs the same network with the same weights on the same held-out samples,
written by `go run ./models/builtin/gpu/cmd/gpuexport -out DIR`
(tools/gpu/build.sh does it): FP32 and FP16 (cuDNN convolutions), and INT8
(the CPU executor's arithmetic with torch._int_mm, which must give the CPU
INT8 classes exactly). Inputs start as uint8 in pinned host memory; the
argmax comes back to pinned host memory; one batch at a time, as the issue's
figures. It reports samples/s end to end and compute only (inputs resident),
per batch size, and optionally torch.compile.

  python3 torch_peer.py --data DIR [--batches 256,1024,4096,16384]
      [--modes fp16,fp32,int8] [--seconds 1] [--compile MODE] [--json FILE]
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import torch
import torch.nn.functional as F


def load(data):
    with open(os.path.join(data, "builtin-weights.json")) as f:
        d = json.load(f)
    x = np.fromfile(os.path.join(data, "builtin-samples.u8"), dtype=np.uint8)
    return d, x.reshape(-1, 1, d["Side"], d["Side"])


class Net(torch.nn.Module):
    """The FP32 reference network; conv weights come as K×N with K ordered
    (ky, kx, cin), the FC's K as the HWC flattening of the 4×4×C3 map."""

    def __init__(self, d):
        super().__init__()
        chans = [1, d["C1"], d["C2"], d["C3"]]
        self.convs = torch.nn.ModuleList()
        for i in range(3):
            cin, cout = chans[i], chans[i + 1]
            w = torch.tensor(d["W"][i], dtype=torch.float32).reshape(3, 3, cin, cout).permute(3, 2, 0, 1)
            conv = torch.nn.Conv2d(cin, cout, 3, padding=1)
            with torch.no_grad():
                conv.weight.copy_(w)
                conv.bias.copy_(torch.tensor(d["B"][i], dtype=torch.float32))
            self.convs.append(conv)
        c3, k = d["C3"], d["Classes"]
        wfc = torch.tensor(d["W"][3], dtype=torch.float32).reshape(4, 4, c3, k).permute(2, 0, 1, 3).reshape(16 * c3, k)
        self.fc = torch.nn.Linear(16 * c3, k)
        with torch.no_grad():
            self.fc.weight.copy_(wfc.t())
            self.fc.bias.copy_(torch.tensor(d["B"][3], dtype=torch.float32))

    def forward(self, u8):
        x = u8.to(self.fc.weight.dtype) / 255
        for conv in self.convs:
            x = F.max_pool2d(F.relu(conv(x)), 2)
        return self.fc(torch.flatten(x, 1)).argmax(1)


class Int8Net:
    """The CPU INT8 executor's arithmetic: uint8 activations (≤ 127, so valid
    int8), int8 weights, int32 sums by torch._int_mm, 2×2 max-pool of the
    sums, float32 requantisation in the same order, FC logits and the first
    maximum."""

    def __init__(self, d, dev):
        p = d["Int8"]
        self.dev = dev
        self.inq = torch.tensor(p["InQ"], dtype=torch.uint8, device=dev)
        chans = [1, d["C1"], d["C2"], d["C3"]]
        self.w, self.mult, self.qbias = [], [], []
        for i in range(3):
            k, n = 9 * chans[i], chans[i + 1]
            w = torch.tensor(p["W"][i], dtype=torch.int8).reshape(k, n)
            kp = (k + 7) // 8 * 8  # _int_mm wants K a multiple of 8
            wp = torch.zeros(kp, n, dtype=torch.int8)
            wp[:k] = w
            self.w.append(wp.to(dev))
            self.mult.append(torch.tensor(p["Mult"][i], dtype=torch.float32, device=dev))
            self.qbias.append(torch.tensor(p["QBias"][i], dtype=torch.float32, device=dev))
        k, n = 16 * d["C3"], d["Classes"]
        wfc = torch.zeros(k, 16, dtype=torch.int8)  # N padded to 16
        wfc[:, :n] = torch.tensor(p["W"][3], dtype=torch.int8).reshape(k, n)
        self.wfc = wfc.to(dev)
        self.classes = n
        self.fcs = torch.tensor(p["FCScale"], dtype=torch.float32, device=dev)
        self.fcb = torch.tensor(p["FCBias"], dtype=torch.float32, device=dev)

    def __call__(self, u8):
        n = u8.shape[0]
        x = self.inq[u8.long()].permute(0, 2, 3, 1).to(torch.int8)  # NHWC
        for i in range(3):
            _, h, w, c = x.shape
            xp = torch.zeros(n, h + 2, w + 2, c, dtype=torch.int8, device=self.dev)
            xp[:, 1:-1, 1:-1, :] = x
            cols = torch.cat([xp[:, ky:ky + h, kx:kx + w, :] for ky in range(3) for kx in range(3)], dim=3)
            cols = cols.reshape(n * h * w, 9 * c)
            kp = self.w[i].shape[0]
            if kp != 9 * c:
                cols = F.pad(cols, (0, kp - 9 * c))
            acc = torch._int_mm(cols, self.w[i])  # int32 [n·h·w, cout]
            cout = acc.shape[1]
            m = acc.view(n, h // 2, 2, w // 2, 2, cout).amax(dim=(2, 4))
            v = m.to(torch.float32) * self.mult[i]
            v = v + self.qbias[i]
            v = v + 0.5
            x = v.to(torch.int32).clamp_(0, 127).to(torch.int8)  # .to truncates, as Go's int32()
        acc = torch._int_mm(x.reshape(n, -1), self.wfc)[:, : self.classes]
        logits = acc.to(torch.float32) * self.fcs
        logits = logits + self.fcb
        return logits.argmax(1)


def accuracy(fn, x, labels, dev, batch=1000):
    out = []
    with torch.no_grad():
        for s in range(0, len(x), batch):
            out.append(fn(torch.from_numpy(x[s:s + batch]).to(dev)).cpu())
    pred = torch.cat(out).numpy()
    return pred, float((pred == labels).mean())


def bench(fn, x, batch, seconds, dev):
    """End to end (pinned uint8 in, argmax to pinned host, a batch at a time)
    and compute only (inputs resident, events around the loop)."""
    reps = (batch + len(x) - 1) // len(x)
    host = torch.from_numpy(np.concatenate([x] * reps)[:batch]).pin_memory()
    hout = torch.empty(batch, dtype=torch.int64).pin_memory()
    din = torch.empty_like(host, device=dev)
    stream = torch.cuda.current_stream()
    with torch.no_grad():
        for _ in range(3):
            din.copy_(host, non_blocking=True)
            hout.copy_(fn(din), non_blocking=True)
        stream.synchronize()
        n, t0 = 0, time.perf_counter()
        while True:
            din.copy_(host, non_blocking=True)
            hout.copy_(fn(din), non_blocking=True)
            stream.synchronize()
            n += 1
            el = time.perf_counter() - t0
            if el >= seconds and n >= 3:
                break
        e2e = batch * n / el
        start, end = torch.cuda.Event(enable_timing=True), torch.cuda.Event(enable_timing=True)
        k = max(3, n)
        start.record()
        for _ in range(k):
            fn(din)
        end.record()
        end.synchronize()
        compute = batch * k / (start.elapsed_time(end) / 1e3)
    return e2e, compute


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", default=os.path.dirname(os.path.abspath(__file__)))
    ap.add_argument("--batches", default="256,1024,4096,16384")
    ap.add_argument("--modes", default="fp16,fp32,int8")
    ap.add_argument("--seconds", type=float, default=1.0)
    ap.add_argument("--compile", default="", help="torch.compile mode for FP16 (e.g. max-autotune); empty: none")
    ap.add_argument("--compile-batches", default="4096")
    ap.add_argument("--no-accuracy", action="store_true", help="skip the pass over the held-out samples")
    ap.add_argument("--json", default="")
    a = ap.parse_args()

    dev = torch.device("cuda")
    torch.backends.cudnn.benchmark = True
    d, x = load(a.data)
    labels = np.array(d["Labels"])
    cpu_int8 = np.array(d["CPUInt8"])
    res = {"torch": torch.__version__, "cuda": torch.version.cuda, "gpu": torch.cuda.get_device_name(dev),
           "fp32_top1_reference": d["FP32Top1"], "int8_top1_cpu": d["Int8Top1"], "modes": {}}
    print(f"torch {torch.__version__} cuda {torch.version.cuda} on {res['gpu']}", flush=True)

    fns = {}
    net = Net(d).to(dev).eval()
    for mode in a.modes.split(","):
        if mode == "fp32":
            fns[mode] = net
        elif mode == "fp16":
            fns[mode] = Net(d).to(dev).half().eval()
        elif mode == "int8":
            fns[mode] = Int8Net(d, dev)
        else:
            sys.exit(f"unknown mode {mode}")
    if a.compile:
        t0 = time.perf_counter()
        fns["fp16-compile-" + a.compile] = torch.compile(Net(d).to(dev).half().eval(), mode=a.compile)
        res["compile_started"] = t0

    for mode, fn in fns.items():
        r = {}
        res["modes"][mode] = r
        try:
            if not a.no_accuracy:
                t0 = time.perf_counter()
                pred, top1 = accuracy(fn, x, labels, dev)
                r["top1"] = top1
                r["equal_to_cpu_int8"] = int((pred == cpu_int8).sum())
                r["first_run_s"] = round(time.perf_counter() - t0, 2)
                print(f"{mode}: top-1 {top1:.4f} over {len(x)} samples, {r['equal_to_cpu_int8']} classes equal to the "
                      f"CPU INT8 executor's (first pass {r['first_run_s']} s)", flush=True)
            batches = a.compile_batches if mode.startswith("fp16-compile") else a.batches
            r["batches"] = {}
            for b in [int(s) for s in batches.split(",")]:
                e2e, comp = bench(fn, x, b, a.seconds, dev)
                r["batches"][b] = {"e2e_samples_per_s": e2e, "compute_samples_per_s": comp}
                print(f"{mode:>12} batch {b:>6}: end to end {e2e / 1e6:7.3f} M samples/s, compute only "
                      f"{comp / 1e6:7.3f} M samples/s", flush=True)
        except Exception as err:  # one mode failing (an op missing in this torch) must not end the others
            r["error"] = repr(err)
            print(f"{mode}: FAILED: {err!r}", flush=True)
    runs = [(v["e2e_samples_per_s"], m, b) for m, r in res["modes"].items() for b, v in r.get("batches", {}).items()]
    if runs:
        best = max(runs)
        res["best_e2e"] = {"samples_per_s": best[0], "mode": best[1], "batch": best[2]}
        print(f"best end to end: {best[0] / 1e6:.3f} M samples/s ({best[1]}, batch {best[2]})")
    if a.json:
        with open(a.json, "w") as f:
            json.dump(res, f, indent=1)


if __name__ == "__main__":
    main()
