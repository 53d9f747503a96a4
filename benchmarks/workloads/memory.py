"""Workload 9: peak memory of the MLP training steps of workload 6 at batch 4096: the highest
resident set size during three SGD steps, over the process's size just before the function was
built. The first step (compilation included) runs before the high-water mark is reset, so
memory a compiler frees again does not count, while what it keeps (generated code, caches,
buffers held between calls) does."""

import gc

import harness
import systems
from workloads import nn

NAME = "memory"
TITLE = "Peak memory of MLP training at batch 4096 (float32)"
NOTE = ("peak RSS during 3 steps (after a first, compiling one) above the process's size "
        "before building; lower is better")

NETS = [[784, 500, 10], [784, 1000, 1000, 1000, 10]]

# glibc otherwise raises its mmap threshold after the first large free and keeps later large
# blocks on the heap, so the resident size would hold on to freed temporaries; a fixed threshold
# returns them, and the high-water mark then follows what is live.
WORKER_ENV = {"MALLOC_MMAP_THRESHOLD_": "131072"}


def cases(smoke):
    nets, batch = ([[784, 50, 10]], 64) if smoke else (NETS, 4096)
    return [{"id": f"{'-'.join(map(str, s))} batch {batch}", "sizes": s, "batch": batch}
            for s in nets]


def measure(system, case, args):
    systems.load(system)
    # No reference step here: its freed temporaries would stay in the process and hide the
    # working memory of whatever runs after.
    data = nn.setup(case["sizes"], case["batch"], reference=False)
    gc.collect()
    if not harness.reset_peak_rss():
        return {"status": "error", "note": "cannot reset the peak RSS (/proc/self/clear_refs)"}
    base = harness.rss_bytes()
    fn = nn.build(system, data)
    fn()
    gc.collect()
    harness.reset_peak_rss()
    for _ in range(3):
        fn()
    rise = harness.peak_rss_bytes() - base
    return {"status": "ok", "cost": rise, "value": rise / 2**20}


def format_value(v):
    return f"{v:,.0f} MB"
