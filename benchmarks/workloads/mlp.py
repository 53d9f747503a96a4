"""Workload 6: one SGD step (forward, backward, update) of tanh MLPs, float32:
784-500-10 at batch 60 and 784-1000-1000-1000-10 at batch 256."""

from workloads import nn

NAME = "mlp"
TITLE = "MLP forward + backward + update (float32)"
NOTE = "time per step"

NETS = [([784, 500, 10], 60), ([784, 1000, 1000, 1000, 10], 256)]


def cases(smoke):
    nets = [([784, 50, 10], 8), ([784, 100, 100, 10], 16)] if smoke else NETS
    return [{"id": f"{'-'.join(map(str, sizes))} batch {batch}", "sizes": sizes, "batch": batch}
            for sizes, batch in nets]


def setup(case):
    return nn.setup(case["sizes"], case["batch"])


def build(system, case, data):
    return nn.build(system, data)
