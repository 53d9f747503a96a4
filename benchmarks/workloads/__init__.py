"""One module per workload of the benchmark suite, in the order of the table.

Each module defines NAME, TITLE, NOTE (how to read its rows), cases(smoke) (a list of dicts with
an "id"), setup(case) (the NumPy inputs and the expected result), build(system, case, data) (a
zero-argument callable running one call of that system, or NotApplicable) and, where the figure
is not seconds per call, value(case, seconds) with UNIT."""

ORDER = ["call", "elemwise", "reduce", "gemm", "logreg", "mlp", "softmax_xent", "compile",
         "memory", "eos", "rows"]
