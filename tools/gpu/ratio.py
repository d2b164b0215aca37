#!/usr/bin/env python3
"""ratio.py: read gotrt result.json files for tools/gpu/check.sh.

  ratio.py peak FINDPEAK.json              the confirmed find-peak QPS, or nothing
  ratio.py ratio OFFLINE.json FINDPEAK.json [SERVER.json]
                                           one line: Offline, peak, plain run, ratio
  ratio.py qps FRACTION OFFLINE.json       FRACTION of the Offline rate, or nothing

A find-peak result is VALID only when its peak held a full-length
confirmation run (extra.peak_qps); Offline counts only when VALID.
"""
import json
import sys


def load(path):
    try:
        with open(path) as f:
            return json.load(f)
    except (OSError, ValueError):
        return None


def peak(d):
    if not d or not d.get("valid"):
        return None
    q = (d.get("extra") or {}).get("peak_qps")
    return float(q) if q else None


def offline(d):
    if not d or not d.get("valid"):
        return None
    return float(d["throughput"]["value"])


def main(argv):
    if len(argv) == 2 and argv[0] == "peak":
        p = peak(load(argv[1]))
        if p:
            print(round(p))
        return 0
    if len(argv) == 3 and argv[0] == "qps":
        o = offline(load(argv[2]))
        if o:
            print(round(float(argv[1]) * o))
        return 0
    if len(argv) in (3, 4) and argv[0] == "ratio":
        o = offline(load(argv[1]))
        p = peak(load(argv[2]))
        s = load(argv[3]) if len(argv) == 4 else None
        plain = "not run" if s is None else ("VALID" if s.get("valid") else "INVALID")
        r = round(p / o, 3) if o and p else "-"
        print(f"offline {round(o) if o else 'INVALID or missing'} samples/s"
              f" | server peak {round(p) if p else 'none confirmed'} QPS"
              f" | plain server run at the peak {plain}"
              f" | server/offline {r}")
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
