"""GPU benchmarks of issue 13, each a ratio against a figure of the same run:

- fused elementwise a * b + exp(c) over n float32 (1e8): bandwidth against the device-to-device
  copy bandwidth (PyTorch's copy_ where PyTorch sees the GPU, else Theon's own device copy);
- sum and max over each axis of a 4096 x 4096 float32 matrix: bandwidth against the same copy;
- an MLP 784-1024-1024-10 (ReLU, softmax cross-entropy) SGD step at batch 512 float32 against
  PyTorch eager on the same device, where PyTorch has it;
- the call overhead of a tiny function (10 elements): an update of a device shared variable
  (no transfer) and a host round trip.

Inputs live on the device (shared variables); each Theon function returns one element computed
on the device, so every call ends with a small device-to-host copy that waits for the kernels.

python benchmarks/gpu.py [--device cuda0] [--small] [--repeats 9] [--out FILE]

`--small` shrinks every size so the script runs on PoCL (`--device opencl0:0 --small`): a smoke
check that the benchmark works, not speed figures.
"""

import argparse
import json

import numpy as np

import theon
import theon.tensor as T
from harness import interleaved_median_times
from theon.tensor import nnet


def torch_device(device):
    """PyTorch and its device for `device` when it is a CUDA device PyTorch can use, else None."""
    if not device.startswith("cuda"):
        return None
    try:
        import torch
    except ImportError:
        return None
    if not torch.cuda.is_available():
        return None
    return torch, torch.device(f"cuda:{device[4:] or 0}")


def torch_timed(torch, fn):
    """`fn` followed by a synchronisation, so its time covers the kernels it queued."""
    def run():
        fn()
        torch.cuda.synchronize()
    return run


def shared(value, device, name):
    return theon.shared(value, name, target=device)


def copy_bandwidth(args, n, peer):
    """Bytes per second of a device-to-device copy of n float32 (read + write), and its source."""
    if peer:
        torch, dev = peer
        src, dst = torch.ones(n, device=dev), torch.empty(n, device=dev)
        [t] = interleaved_median_times([torch_timed(torch, lambda: dst.copy_(src))], args.repeats)
        return 8 * n / t, "PyTorch copy_"
    # Theon's device copy: alloc of a same-shaped value is one copy kernel on the device.
    a = shared(np.ones(n, np.float32), args.device, "a")
    out = shared(np.zeros(n, np.float32), args.device, "out")
    new = T.alloc(a, n)
    f = theon.function([], new[:1], updates=[(out, new)])
    [t] = interleaved_median_times([f], args.repeats)
    return 8 * n / t, "Theon device copy (alloc)"


def elementwise(args, n, copy_bw):
    rng = np.random.default_rng(0)
    values = [rng.standard_normal(n).astype(np.float32) for _ in range(3)]
    a, b, c = (shared(v, args.device, name) for v, name in zip(values, "abc"))
    out = shared(np.zeros(n, np.float32), args.device, "out")
    new = a * b + T.exp(c)
    f = theon.function([], new[:1], updates=[(out, new)])
    f()
    np.testing.assert_allclose(out.get_value(), values[0] * values[1] + np.exp(values[2]),
                               rtol=1e-5, atol=1e-6)
    [t] = interleaved_median_times([f], args.repeats)
    bw = 16 * n / t
    return {"workload": f"fused a * b + exp(c), n={n} float32", "ms": 1e3 * t,
            "GB/s": bw / 1e9, "fraction of copy bandwidth": bw / copy_bw}


def reductions(args, side, copy_bw, peer):
    xv = np.random.default_rng(1).standard_normal((side, side)).astype(np.float32)
    x = shared(xv, args.device, "x")
    rows = []
    for name, op, ref in (("sum", T.sum, np.sum), ("max", T.max, np.max)):
        for axis in (0, 1):
            f = theon.function([], op(x, axis=axis))
            np.testing.assert_allclose(f(), ref(xv, axis=axis), rtol=1e-3, atol=1e-3)
            fns = [f]
            if peer:
                torch, dev = peer
                xt = torch.from_numpy(xv).to(dev)
                top = getattr(torch, "amax" if name == "max" else "sum")
                fns.append(torch_timed(torch, lambda top=top, axis=axis: top(xt, dim=axis)))
            times = interleaved_median_times(fns, args.repeats)
            bw = 4 * side * side / times[0]
            row = {"workload": f"{name} over axis {axis} of {side}x{side} float32",
                   "ms": 1e3 * times[0], "GB/s": bw / 1e9,
                   "fraction of copy bandwidth": bw / copy_bw}
            if peer:
                row["PyTorch ms (kernel only, result stays on the GPU)"] = 1e3 * times[1]
            rows.append(row)
    return rows


def mlp(args, sizes, batch, peer):
    rng = np.random.default_rng(2)
    init = [(rng.standard_normal((i, o)) / np.sqrt(i)).astype(np.float32)
            for i, o in zip(sizes, sizes[1:])]
    xv = rng.standard_normal((batch, sizes[0])).astype(np.float32)
    yv = rng.integers(0, sizes[-1], batch).astype(np.int64)
    lr = np.float32(0.01)
    ws = [shared(w, args.device, f"W{i}") for i, w in enumerate(init)]
    bs = [shared(np.zeros(w.shape[1], np.float32), args.device, f"b{i}")
          for i, w in enumerate(init)]
    X, y = shared(xv, args.device, "X"), theon.shared(yv, "y")
    h = X
    for i, (w, b) in enumerate(zip(ws, bs)):
        h = h.dot(w) + b
        if i < len(ws) - 1:
            h = nnet.relu(h)
    loss = T.mean(nnet.categorical_crossentropy(nnet.softmax(h), y))
    params = ws + bs
    grads = theon.grad(loss, params)
    with theon.config.change_flags(device=args.device):
        step = theon.function([], loss, updates=[(p, p - lr * g) for p, g in zip(params, grads)],
                              profile=True)
    first = float(step())
    h = xv
    for i, w in enumerate(init):
        h = h @ w if i == len(init) - 1 else np.maximum(h @ w, 0)
    logp = h - h.max(axis=1, keepdims=True)
    logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
    np.testing.assert_allclose(first, -logp[np.arange(batch), yv].mean(), rtol=1e-4)
    fallbacks = sorted({op for op, k in step.profile.node_kernels if k.startswith("host fallback")})
    fns = [step]
    if peer:
        torch, dev = peer
        tw = [torch.tensor(w, device=dev, requires_grad=True) for w in init]
        tb = [torch.zeros(w.shape[1], device=dev, requires_grad=True) for w in init]
        tx, ty = torch.from_numpy(xv).to(dev), torch.from_numpy(yv).to(dev)

        def torch_step():
            h = tx
            for i, (w, b) in enumerate(zip(tw, tb)):
                h = h @ w + b
                if i < len(tw) - 1:
                    h = torch.relu(h)
            loss = torch.nn.functional.cross_entropy(h, ty)
            loss.backward()
            with torch.no_grad():
                for p in tw + tb:
                    p -= lr * p.grad
                    p.grad = None
            return loss.item()
        fns.append(torch_step)
    times = interleaved_median_times(fns, args.repeats)
    row = {"workload": f"MLP {'-'.join(map(str, sizes))} SGD step, batch {batch} float32",
           "ms": 1e3 * times[0], "first loss": first,
           "nodes on the host (fallback)": fallbacks}
    if peer:
        row["PyTorch eager ms"] = 1e3 * times[1]
        row["Theon / PyTorch"] = times[0] / times[1]
    return row


def call_overhead(args):
    s = shared(np.zeros(10, np.float32), args.device, "s")
    on_device = theon.function([], [], updates=[(s, s + 1)])
    x = T.fvector("x")
    with theon.config.change_flags(device=args.device):
        round_trip = theon.function([x], x + 1)
    xv = np.zeros(10, np.float32)
    np.testing.assert_array_equal(round_trip(xv), xv + 1)
    t_dev, t_trip = interleaved_median_times([on_device, lambda: round_trip(xv)], args.repeats,
                                             calls=100)
    return {"workload": "tiny function, 10 float32", "us, update on the device (no wait)":
            1e6 * t_dev, "us, host in and out": 1e6 * t_trip}


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--device", default="cuda0")
    p.add_argument("--small", action="store_true", help="sizes for PoCL: a smoke check only")
    p.add_argument("--repeats", type=int, default=9)
    p.add_argument("--out", help="also write the results as JSON to this file")
    args = p.parse_args()
    theon.config.compile_wait = True
    n, side = (10**5, 256) if args.small else (10**8, 4096)
    sizes, batch = ([784, 64, 64, 10], 32) if args.small else ([784, 1024, 1024, 10], 512)
    peer = torch_device(args.device)
    copy_bw, copy_source = copy_bandwidth(args, n, peer)
    results = {"device": args.device, "runtime": theon._core.device_name(args.device),
               "small (not speed figures)": args.small,
               "copy bandwidth GB/s": copy_bw / 1e9, "copy measured with": copy_source,
               "rows": [elementwise(args, n, copy_bw), *reductions(args, side, copy_bw, peer),
                        mlp(args, sizes, batch, peer), call_overhead(args)]}
    text = json.dumps(results, indent=1)
    print(text)
    if args.out:
        with open(args.out, "w") as f:
            f.write(text + "\n")


if __name__ == "__main__":
    main()
