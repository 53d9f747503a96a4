"""Workload 5: one SGD step of logistic regression (784 -> 10, softmax + NLL, gradient, update
of shared parameters), float32, at batch 1, 60 and 512; examples per second."""

from workloads import nn

NAME = "logreg"
TITLE = "Logistic regression SGD step (784 -> 10, float32)"
NOTE = "examples per second (higher is better); 'Theon / best' is the ratio of step times"
UNIT = "ex/s"


def cases(smoke):
    return [{"id": f"batch {b}", "batch": b} for b in ((1, 8) if smoke else (1, 60, 512))]


def setup(case):
    return nn.setup([784, 10], case["batch"])


def build(system, case, data):
    return nn.build(system, data)


def value(case, seconds):
    return case["batch"] / seconds


def format_value(v):
    return f"{v:,.0f}"
