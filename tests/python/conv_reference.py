"""NumPy references of Theano's conv2d, its gradients and pool_2d, written from the
definitions (explicit loops over filter taps and windows), for the op table and the nnet
tests."""

import numpy as np


def resolve_pad(border_mode, filter_hw, dilation=(1, 1)):
    """The one-side pads of a Theano border_mode for a filter of filter_hw (rows, cols)."""
    span = [(f - 1) * d + 1 for f, d in zip(filter_hw, dilation)]
    if border_mode == "valid":
        return (0, 0)
    if border_mode == "full":
        return tuple(s - 1 for s in span)
    if border_mode == "half":
        return tuple(s // 2 for s in span)
    if isinstance(border_mode, int):
        return (border_mode, border_mode)
    return tuple(border_mode)


def _geometry(x_shape, w_shape, pad, stride, dilation):
    oh = (x_shape[2] + 2 * pad[0] - dilation[0] * (w_shape[2] - 1) - 1) // stride[0] + 1
    ow = (x_shape[3] + 2 * pad[1] - dilation[1] * (w_shape[3] - 1) - 1) // stride[1] + 1
    return oh, ow


def _taps(w_shape, oh, ow, stride, dilation):
    """(i, j, row slice, column slice) of every filter tap into the padded input."""
    for i in range(w_shape[2]):
        for j in range(w_shape[3]):
            r0, c0 = i * dilation[0], j * dilation[1]
            yield (i, j, slice(r0, r0 + stride[0] * (oh - 1) + 1, stride[0]),
                   slice(c0, c0 + stride[1] * (ow - 1) + 1, stride[1]))


def conv2d(x, w, border_mode="valid", subsample=(1, 1), filter_dilation=(1, 1), num_groups=1,
           filter_flip=True):
    pad = resolve_pad(border_mode, w.shape[2:], filter_dilation)
    if filter_flip:
        w = w[:, :, ::-1, ::-1]
    oh, ow = _geometry(x.shape, w.shape, pad, subsample, filter_dilation)
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    out = np.zeros((x.shape[0], w.shape[0], oh, ow), np.result_type(x, w))
    cg, kg = w.shape[1], w.shape[0] // num_groups
    for g in range(num_groups):
        xs, ks = slice(g * cg, (g + 1) * cg), slice(g * kg, (g + 1) * kg)
        for i, j, rs, cs in _taps(w.shape, oh, ow, subsample, filter_dilation):
            out[:, ks] += np.einsum("bchw,kc->bkhw", xp[:, xs, rs, cs], w[ks, :, i, j])
    return out


def conv2d_grad_inputs(gy, w, hw, border_mode="valid", subsample=(1, 1),
                       filter_dilation=(1, 1), num_groups=1, filter_flip=True):
    """The adjoint of conv2d in its input, for an input of rows/cols hw."""
    pad = resolve_pad(border_mode, w.shape[2:], filter_dilation)
    if filter_flip:
        w = w[:, :, ::-1, ::-1]
    oh, ow = gy.shape[2:]
    cg, kg = w.shape[1], w.shape[0] // num_groups
    h, wd = int(hw[0]), int(hw[1])
    dxp = np.zeros((gy.shape[0], cg * num_groups, h + 2 * pad[0], wd + 2 * pad[1]),
                   np.result_type(gy, w))
    for g in range(num_groups):
        xs, ks = slice(g * cg, (g + 1) * cg), slice(g * kg, (g + 1) * kg)
        for i, j, rs, cs in _taps(w.shape, oh, ow, subsample, filter_dilation):
            dxp[:, xs, rs, cs] += np.einsum("bkhw,kc->bchw", gy[:, ks], w[ks, :, i, j])
    return dxp[:, :, pad[0]:pad[0] + h, pad[1]:pad[1] + wd]


def conv2d_grad_weights(x, gy, hw, border_mode="valid", subsample=(1, 1),
                        filter_dilation=(1, 1), num_groups=1, filter_flip=True):
    """The adjoint of conv2d in its filters, for filters of rows/cols hw."""
    fh, fw = int(hw[0]), int(hw[1])
    w_shape = (gy.shape[1], x.shape[1] // num_groups, fh, fw)
    pad = resolve_pad(border_mode, (fh, fw), filter_dilation)
    oh, ow = gy.shape[2:]
    xp = np.pad(x, ((0, 0), (0, 0), (pad[0], pad[0]), (pad[1], pad[1])))
    dw = np.zeros(w_shape, np.result_type(x, gy))
    cg, kg = w_shape[1], w_shape[0] // num_groups
    for g in range(num_groups):
        xs, ks = slice(g * cg, (g + 1) * cg), slice(g * kg, (g + 1) * kg)
        for i, j, rs, cs in _taps(w_shape, oh, ow, subsample, filter_dilation):
            dw[ks, :, i, j] = np.einsum("bchw,bkhw->kc", xp[:, xs, rs, cs], gy[:, ks])
    return dw[:, :, ::-1, ::-1] if filter_flip else dw


# ------------------------------------------------------------------------------ pooling
def pool_out_size(n, ws, st, pad, ignore_border):
    """Theano's Pool.out_shape for one axis."""
    v = n + 2 * pad
    if ignore_border:
        return max((v - ws) // st + 1, 0)
    if v == 0:
        return 0
    if st >= ws:
        return (v - 1) // st + 1
    return max(0, (v - 1 - ws + st) // st) + 1


def _windows(shape, ws, st, pad, ignore_border, mode):
    """(r, c, row slice, col slice, divisor) of every window, in input coordinates (Theano's
    Pool.perform, written out)."""
    h, w = shape[-2:]
    oh = pool_out_size(h, ws[0], st[0], pad[0], ignore_border)
    ow = pool_out_size(w, ws[1], st[1], pad[1], ignore_border)
    for r in range(oh):
        pr0 = r * st[0]
        pr1 = min(pr0 + ws[0], h + 2 * pad[0])
        for c in range(ow):
            pc0 = c * st[1]
            pc1 = min(pc0 + ws[1], w + 2 * pad[1])
            r0, r1 = max(pr0, pad[0]) - pad[0], min(pr1, h + pad[0]) - pad[0]
            c0, c1 = max(pc0, pad[1]) - pad[1], min(pc1, w + pad[1]) - pad[1]
            if mode == "average_inc_pad":
                divisor = (pr1 - pr0) * (pc1 - pc0)
            elif mode == "average_exc_pad":
                divisor = (r1 - r0) * (c1 - c0)
            else:
                divisor = 1
            yield r, c, slice(r0, r1), slice(c0, c1), divisor


def _out(x, ws, st, pad, ignore_border):
    oh = pool_out_size(x.shape[-2], ws[0], st[0], pad[0], ignore_border)
    ow = pool_out_size(x.shape[-1], ws[1], st[1], pad[1], ignore_border)
    return np.zeros(x.shape[:-2] + (oh, ow), x.dtype)


def pool_2d(x, ws, stride=None, pad=(0, 0), ignore_border=True, mode="max"):
    st = ws if stride is None else stride
    out = _out(x, ws, st, pad, ignore_border)
    for r, c, rs, cs, divisor in _windows(x.shape, ws, st, pad, ignore_border, mode):
        win = x[..., rs, cs]
        if mode == "max":
            out[..., r, c] = win.max(axis=(-2, -1))
        else:
            out[..., r, c] = win.sum(axis=(-2, -1)) / divisor
    return out


def max_pool_grad(x, maxout, gz, ws, stride=None, pad=(0, 0), ignore_border=True):
    st = ws if stride is None else stride
    gx = np.zeros_like(x)
    for r, c, rs, cs, _ in _windows(x.shape, ws, st, pad, ignore_border, "max"):
        hit = x[..., rs, cs] == maxout[..., r, c][..., None, None]
        gx[..., rs, cs] += np.where(hit, gz[..., r, c][..., None, None], 0)
    return gx


def average_pool_grad(x, gz, ws, stride=None, pad=(0, 0), ignore_border=True, mode="sum"):
    st = ws if stride is None else stride
    gx = np.zeros_like(x)
    for r, c, rs, cs, divisor in _windows(x.shape, ws, st, pad, ignore_border, mode):
        gx[..., rs, cs] += (gz[..., r, c] / divisor)[..., None, None]
    return gx


def max_pool_grad_grad(x, maxout, ggx, ws, stride=None, pad=(0, 0), ignore_border=True):
    st = ws if stride is None else stride
    ggz = _out(x, ws, st, pad, ignore_border)
    for r, c, rs, cs, _ in _windows(x.shape, ws, st, pad, ignore_border, "max"):
        hit = x[..., rs, cs] == maxout[..., r, c][..., None, None]
        ggz[..., r, c] = np.where(hit, ggx[..., rs, cs], 0).sum(axis=(-2, -1))
    return ggz


def _axis_windows(n, ws, st, pad, ignore_border):
    """(slice of the input, real count, count with the padding) of every window along one
    axis."""
    out = []
    for r in range(pool_out_size(n, ws, st, pad, ignore_border)):
        p0, p1 = r * st, min(r * st + ws, n + 2 * pad)
        r0, r1 = max(p0, pad) - pad, min(p1, n + pad) - pad
        out.append((slice(r0, r1), r1 - r0, p1 - p0))
    return out


def pool_3d(x, ws, stride=None, pad=(0, 0, 0), ignore_border=True, mode="max"):
    """Theano's pool_3d over the last three axes, one 3-d window at a time."""
    st = ws if stride is None else stride
    axes = [_axis_windows(x.shape[-3 + k], ws[k], st[k], pad[k], ignore_border)
            for k in range(3)]
    out = np.zeros(x.shape[:-3] + tuple(len(a) for a in axes), x.dtype)
    for i, (sd, nd, pd) in enumerate(axes[0]):
        for j, (sr, nr, pr) in enumerate(axes[1]):
            for k, (sc, nc, pc) in enumerate(axes[2]):
                win = x[..., sd, sr, sc]
                if mode == "max":
                    out[..., i, j, k] = win.max(axis=(-3, -2, -1))
                    continue
                divisor = {"sum": 1, "average_inc_pad": pd * pr * pc,
                           "average_exc_pad": nd * nr * nc}[mode]
                out[..., i, j, k] = win.sum(axis=(-3, -2, -1)) / divisor
    return out


def conv3d(x, w, pad=(0, 0, 0), stride=(1, 1, 1), dilation=(1, 1, 1), groups=1, flip=True):
    """The 3-d convolution, one filter tap at a time (pad: one-side pads per axis)."""
    if flip:
        w = w[:, :, ::-1, ::-1, ::-1]
    xp = np.pad(x, ((0, 0), (0, 0)) + tuple((p, p) for p in pad))
    out_shape = [(xp.shape[2 + a] - dilation[a] * (w.shape[2 + a] - 1) - 1) // stride[a] + 1
                 for a in range(3)]
    out = np.zeros((x.shape[0], w.shape[0], *out_shape), np.result_type(x, w))
    cg, kg = w.shape[1], w.shape[0] // groups
    for g in range(groups):
        xs, ks = slice(g * cg, (g + 1) * cg), slice(g * kg, (g + 1) * kg)
        for tap in np.ndindex(*w.shape[2:]):
            win = tuple(slice(tap[a] * dilation[a],
                              tap[a] * dilation[a] + stride[a] * (out_shape[a] - 1) + 1,
                              stride[a]) for a in range(3))
            out[:, ks] += np.einsum("bcdhw,kc->bkdhw", xp[(slice(None), xs) + win],
                                    w[(ks, slice(None)) + tap])
    return out


def ctc(act, labels, lengths):
    """[cost, grad] of the CTC loss by enumerating every alignment (tiny inputs only): the
    cost -log sum of the paths' probabilities, the gradient softmax - path occupancy."""
    import itertools

    steps, batch, classes = act.shape
    cost = np.zeros(batch, act.dtype)
    grad = np.zeros_like(act)
    for b in range(batch):
        n = int(lengths[b])
        want = [int(v) for v in labels[b] if v != -1]
        z = act[:n, b].astype(np.float64)
        y = np.exp(z - z.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
        total, occupancy = 0.0, np.zeros((n, classes))
        for path in itertools.product(range(classes), repeat=n):
            collapsed = [k for i, k in enumerate(path) if k != 0 and (i == 0 or path[i - 1] != k)]
            if collapsed != want:
                continue
            p = np.prod([y[t, k] for t, k in enumerate(path)]) if n else 1.0
            total += p
            for t, k in enumerate(path):
                occupancy[t, k] += p
        cost[b] = -np.log(total) if total > 0 else np.inf
        if total > 0:
            grad[:n, b] = y - occupancy / total
    return [cost, grad]
