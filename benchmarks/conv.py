"""conv2d forward on the shapes of VGG-16's first three convolutions, one LeNet-5 training
step (examples/lenet.py, batch 128) and a ResNet basic block (64 channels, 56x56) forward and
backward, float32, against NumPy (sliding windows + tensordot, the same im2col-by-BLAS idea)
for the forward, PyTorch eager when installed and JAX (jit; benchmarks/conv_jax_peers.py) when
installed (benchmarks/setup_peers.sh), timed interleaved in one process.

python benchmarks/conv.py [--batch 4] [--resnet-batch 32] [--repeats 7] [--threads 0]

Prints the median time of each and its ratio to Theon's.
"""

import argparse
import importlib.util
import pathlib

import numpy as np

import conv_jax_peers
import harness
import theon
import theon.tensor as T
from theon.tensor.nnet import conv2d

# (name, channels in, rows/cols, channels out) of VGG-16's conv1_1, conv1_2, conv2_1 (3x3,
# 'half' padding).
VGG = [("conv1_1", 3, 224, 64), ("conv1_2", 64, 224, 64), ("conv2_1", 64, 112, 128)]


def interleaved_medians(fns, repeats):
    return dict(zip(fns, harness.interleaved_median_times(list(fns.values()), repeats)))


def numpy_conv_half(x, w):
    """Cross-correlation of the flipped filters ('half' padding) by sliding windows and one
    tensordot."""
    p = w.shape[2] // 2
    xp = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    win = np.lib.stride_tricks.sliding_window_view(xp, w.shape[2:], axis=(2, 3))
    out = np.tensordot(win, w[:, :, ::-1, ::-1], axes=([1, 4, 5], [1, 2, 3]))
    return out.transpose(0, 3, 1, 2)


def torch_module():
    try:
        import torch
    except ImportError:
        return None
    return torch


def jax_modules():
    try:
        import jax
        import jax.numpy as jnp
    except ImportError:
        return None
    return jax, jnp


def report(title, medians):
    base = medians["theon"]
    print(title)
    for name, t in medians.items():
        print(f"  {name:8s} {t * 1e3:9.2f} ms   {t / base:5.2f}x theon")


def bench_vgg(batch, repeats, torch, jax_mods=None):
    rng = np.random.default_rng(0)
    for name, cin, size, cout in VGG:
        x = rng.standard_normal((batch, cin, size, size), dtype=np.float32)
        w = rng.standard_normal((cout, cin, 3, 3), dtype=np.float32)
        xv, wv = T.tensor4("x", dtype="float32"), T.tensor4("w", dtype="float32")
        f = theon.function([xv, wv], conv2d(xv, wv, border_mode="half"))
        got = f(x, w)
        np.testing.assert_allclose(got, numpy_conv_half(x, w), rtol=1e-3, atol=1e-3)
        fns = {"theon": lambda: f(x, w), "numpy": lambda: numpy_conv_half(x, w)}
        if torch is not None:
            xt, wt = torch.from_numpy(x), torch.from_numpy(w[:, :, ::-1, ::-1].copy())
            np.testing.assert_allclose(torch.nn.functional.conv2d(xt, wt, padding=1).numpy(),
                                       got, rtol=1e-3, atol=1e-3)
            fns["torch"] = lambda: torch.nn.functional.conv2d(xt, wt, padding=1)
        if jax_mods is not None:
            jax, jnp = jax_mods
            conv = jax.jit(lambda a, b: jax.lax.conv_general_dilated(
                a, b, (1, 1), "SAME", dimension_numbers=("NCHW", "OIHW", "NCHW")))
            xj, wj = jnp.asarray(x), jnp.asarray(w[:, :, ::-1, ::-1].copy())
            np.testing.assert_allclose(np.asarray(conv(xj, wj)), got, rtol=1e-3, atol=1e-3)
            fns["jax"] = lambda: conv(xj, wj).block_until_ready()
        report(f"conv2d forward {name}: input ({batch}, {cin}, {size}, {size}), filters "
               f"({cout}, {cin}, 3, 3), float32", interleaved_medians(fns, repeats))


def torch_lenet_step(torch, lenet):
    """The same network and Adam step in PyTorch eager."""
    nn = torch.nn
    model = nn.Sequential(
        nn.Conv2d(1, 6, 5), nn.BatchNorm2d(6, eps=1e-4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(6, 16, 5), nn.BatchNorm2d(16, eps=1e-4), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(256, 120), nn.ReLU(), nn.Dropout(0.3), nn.Linear(120, 84),
        nn.ReLU(), nn.Linear(84, 10))
    opt = torch.optim.Adam(model.parameters(), lr=2e-3)
    loss = nn.CrossEntropyLoss()

    def step(x, y):
        opt.zero_grad()
        cost = loss(model(x), y)
        cost.backward()
        opt.step()
        return cost
    return step


def bench_lenet(repeats, torch, jax_mods=None):
    path = pathlib.Path(__file__).resolve().parents[1] / "examples" / "lenet.py"
    spec = importlib.util.spec_from_file_location("lenet_example", path)
    lenet = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(lenet)
    rng = np.random.default_rng(1)
    x = rng.random((128, 1, 28, 28), dtype=np.float32)
    y = rng.integers(0, 10, 128).astype(np.int32)
    _, step, _ = lenet.compile_lenet()
    fns = {"theon": lambda: step(x, y)}
    if torch is not None:
        tstep = torch_lenet_step(torch, lenet)
        xt, yt = torch.from_numpy(x), torch.from_numpy(y.astype(np.int64))
        fns["torch"] = lambda: tstep(xt, yt)
    if jax_mods is not None:
        jstep = conv_jax_peers.lenet_step(*jax_mods)
        xj, yj = jax_mods[1].asarray(x), jax_mods[1].asarray(y)
        fns["jax"] = lambda: jstep(xj, yj)
    report("LeNet-5 training step (forward, backward, Adam), batch 128, float32",
           interleaved_medians(fns, repeats))


def bench_resnet_block(batch, repeats, torch, jax_mods=None):
    """relu(bn(conv(relu(bn(conv(x))))) + x), 3x3 convolutions of 64 channels, batch
    normalization in training mode: the gradients of the sum of the output with respect to
    the input and every parameter."""
    from theon.tensor.nnet import bn, relu

    rng = np.random.default_rng(2)
    x = rng.standard_normal((batch, 64, 56, 56), dtype=np.float32)
    ws = [rng.standard_normal((64, 64, 3, 3), dtype=np.float32) * 0.05 for _ in range(2)]
    xv = T.tensor4("x", dtype="float32")
    wv = [T.tensor4(f"w{i}", dtype="float32") for i in range(2)]
    gv = [T.fvector(f"g{i}") for i in range(2)]
    bv = [T.fvector(f"b{i}") for i in range(2)]
    h = xv
    for i in range(2):
        h = conv2d(h, wv[i], border_mode="half", filter_flip=False)
        h = bn.batch_normalization_train(h, gv[i], bv[i], "spatial", epsilon=1e-5)[0]
        h = relu(h) if i == 0 else relu(h + xv)
    params = [xv] + wv + gv + bv
    f = theon.function(params, theon.grad(T.sum(h), params))
    ones, zeros = np.ones(64, np.float32), np.zeros(64, np.float32)
    args = [x] + ws + [ones, ones, zeros, zeros]
    fns = {"theon": lambda: f(*args)}
    if torch is not None:
        nn = torch.nn
        convs = [nn.Conv2d(64, 64, 3, padding=1, bias=False) for _ in range(2)]
        norms = [nn.BatchNorm2d(64, eps=1e-5) for _ in range(2)]
        for conv, w in zip(convs, ws):
            conv.weight.data = torch.from_numpy(w)
        xt = torch.from_numpy(x).requires_grad_()

        def torch_step():
            t = torch.relu(norms[0](convs[0](xt)))
            t = torch.relu(norms[1](convs[1](t)) + xt)
            t.sum().backward()
        fns["torch"] = torch_step
    if jax_mods is not None:
        grads = conv_jax_peers.resnet_block_gradients(*jax_mods)
        jargs = [jax_mods[1].asarray(a) for a in args]
        for got, want in zip(f(*args), grads(*jargs)):
            want = np.asarray(want)
            assert np.linalg.norm(got - want) <= 1e-3 * np.linalg.norm(want), "JAX disagrees"
        fns["jax"] = lambda: [g.block_until_ready() for g in grads(*jargs)]
    report(f"ResNet basic block forward + backward: input ({batch}, 64, 56, 56), float32",
           interleaved_medians(fns, repeats))


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--batch", type=int, default=4)
    p.add_argument("--resnet-batch", type=int, default=32)
    p.add_argument("--repeats", type=int, default=7)
    p.add_argument("--threads", type=int, default=0, help="config.num_threads (0: every core)")
    args = p.parse_args()
    theon.config.compile_wait = True
    theon.config.num_threads = args.threads
    theon.config.floatX = "float32"
    torch = torch_module()
    if torch is not None and args.threads:
        torch.set_num_threads(args.threads)
    jax_mods = jax_modules()
    print(f"threads: {args.threads or 'all'}, median of {args.repeats}, interleaved; PyTorch "
          f"{'not installed' if torch is None else torch.__version__}; JAX "
          f"{'not installed' if jax_mods is None else jax_mods[0].__version__}")
    bench_vgg(args.batch, args.repeats, torch, jax_mods)
    bench_lenet(args.repeats, torch, jax_mods)
    bench_resnet_block(args.resnet_batch, max(3, args.repeats // 2), torch, jax_mods)


if __name__ == "__main__":
    main()
