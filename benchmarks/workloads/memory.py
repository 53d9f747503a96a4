"""Workload 9: peak memory of the MLP training steps of workload 6 at batch 4096: the rise of the
process's resident-set high-water mark over its size just before the function is built, through
building it and three SGD steps. Compilation that a system does in other processes (the
workers of torch.compile's Inductor) is not counted."""

import gc

import harness
from workloads import nn

NAME = "memory"
TITLE = "Peak memory of MLP training at batch 4096 (float32)"
NOTE = "peak RSS above the process's size before building (build + 3 steps); lower is better"

NETS = [[784, 500, 10], [784, 1000, 1000, 1000, 10]]


def cases(smoke):
    nets, batch = ([[784, 50, 10]], 64) if smoke else (NETS, 4096)
    return [{"id": f"{'-'.join(map(str, s))} batch {batch}", "sizes": s, "batch": batch}
            for s in nets]


def measure(system, case, args):
    data = nn.setup(case["sizes"], case["batch"])
    data.pop("expected")
    gc.collect()
    if not harness.reset_peak_rss():
        return {"status": "error", "note": "cannot reset the peak RSS (/proc/self/clear_refs)"}
    base = harness.rss_bytes()
    fn = nn.build(system, data)
    for _ in range(3):
        fn()
    rise = harness.peak_rss_bytes() - base
    return {"status": "ok", "cost": rise, "value": rise / 2**20}


def format_value(v):
    return f"{v:,.0f} MB"
