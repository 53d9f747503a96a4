"""Symbolic loops, as Theano's ``theano.scan``: ``scan``, ``map``, ``reduce``, ``foldl``,
``foldr`` and ``until``.

The Python part only calls the user's step function once on placeholder variables to build the
loop's body; the loop itself is one ``Scan`` node (src/ops/scan/) whose body is compiled once
and run step after step in C++.
"""

from collections import OrderedDict

import numpy as np

from theon import _core
from theon._location import user_location
from theon.tensor._build import Variable, as_tensor_variable, build

__all__ = ["scan", "map", "reduce", "foldl", "foldr", "until"]


class until:
    """Returned by a step function (alone or with its outputs and updates) to end the loop
    after the step where ``condition`` is true: a while loop bounded by ``n_steps``."""

    def __init__(self, condition):
        condition = as_tensor_variable(condition)
        if condition.ndim != 0:
            raise TypeError(f"until: the condition must be a scalar, got {condition.type}")
        self.condition = condition


def _as_list(x):
    if x is None:
        return []
    if isinstance(x, (list, tuple)):
        return list(x)
    return [x]


def _placeholder(type_source, name, drop_first=False):
    shape = list(type_source.static_shape)
    if drop_first:
        shape = shape[1:]
    return _core.input(type_source.dtype, shape, name, user_location())


def _is_update_pairs(x):
    return (isinstance(x, (list, tuple)) and len(x) > 0 and
            all(isinstance(p, (list, tuple)) and len(p) == 2 and isinstance(p[0], Variable)
                and p[0].is_shared for p in x))


def _split_return(ret):
    """(outputs, updates, condition) from what the step function returned: outputs, an update
    dict or list of pairs, an until, or a tuple of those (Theano's forms)."""
    outputs, updates, cond = [], OrderedDict(), None

    def take(part):
        nonlocal cond
        if isinstance(part, until):
            cond = part.condition
        elif isinstance(part, dict):
            updates.update(part)
        elif _is_update_pairs(part):
            updates.update(OrderedDict(part))
        else:
            return False
        return True

    if ret is None:
        return outputs, updates, cond
    if isinstance(ret, tuple) and any(
            isinstance(p, (dict, until)) or _is_update_pairs(p) for p in ret):
        for part in ret:
            if not take(part):
                outputs.extend(_as_list(part))
    elif not take(ret):
        outputs = _as_list(ret)
    return outputs, updates, cond


def _sequence(seq, go_backwards):
    if isinstance(seq, dict):
        var, taps = seq.get("input"), seq.get("taps", [0])
        taps = [0] if taps is None else _as_list(taps)
    else:
        var, taps = seq, [0]
    var = as_tensor_variable(var)
    if var.ndim == 0:
        raise ValueError(f"scan: a sequence must have at least one dimension, got {var.type}")
    if not taps:
        raise ValueError("scan: a sequence needs at least one tap")
    if go_backwards:
        var = var[::-1]
    return var, [int(t) for t in taps]


def _output_info(info):
    """(initial, taps) of one outputs_info entry; initial None for outputs not fed back."""
    if info is None:
        return None, []
    if isinstance(info, dict):
        init = info.get("initial")
        if init is None:
            return None, []
        taps = [int(t) for t in _as_list(info.get("taps", [-1]))]
    else:
        init, taps = info, [-1]
    if not taps:
        return None, []
    if any(t >= 0 for t in taps):
        raise ValueError(f"scan: the taps of an output must be negative, got {taps}")
    if len(set(taps)) != len(taps):
        raise ValueError(f"scan: repeated taps {taps}")
    return as_tensor_variable(init), taps


def _mode_name(mode):
    if mode is None:
        return ""
    if isinstance(mode, str):
        return mode
    return getattr(mode, "name", None) or getattr(mode, "optimizer", None) or ""


def scan(fn, sequences=None, outputs_info=None, non_sequences=None, n_steps=None,
         truncate_gradient=-1, go_backwards=False, mode=None, name=None, profile=False,
         allow_gc=None, strict=False, return_list=False):
    """Theano's scan: calls ``fn`` once per step with the sequences' rows (one argument per
    tap), the earlier values of the recurrent outputs (one per tap) and the non-sequences, and
    returns ``(outputs, updates)``: the stacked outputs (one variable, or a list), and the
    updates of the shared variables the step function updated, to give to ``function``."""
    seqs = [_sequence(s, go_backwards) for s in _as_list(sequences)]
    infos = [_output_info(o) for o in _as_list(outputs_info)]
    non_seqs = _as_list(non_sequences)

    # Sequences: one slice per tap, so that the loop reads row t of each.
    seq_args, seq_outer, lengths = [], [], []
    for var, taps in seqs:
        lo, hi = min(min(taps), 0), max(max(taps), 0)
        for k in taps:
            stop = k - hi
            sliced = var[k - lo:stop if stop != 0 else None]
            seq_outer.append(sliced)
            seq_args.append(_placeholder(var, f"{var.name}[t{k:+d}]" if var.name else None,
                                         drop_first=True))
            lengths.append(sliced.shape[0])
    if n_steps is not None:
        lengths.append(as_tensor_variable(n_steps))
    if not lengths:
        raise ValueError("scan: give sequences or n_steps (the number of steps)")
    steps = lengths[0]
    for length in lengths[1:]:
        steps = build("minimum", steps, length)
    if steps.dtype != "int64":
        steps = build("cast", steps, dtype="int64")

    # Recurrent outputs: a buffer of initial rows (W = minus the widest tap) and one
    # placeholder per tap, handed to fn in the order the taps were given.
    tap_args, inits, recurrent = [], [], []
    for i, (init, taps) in enumerate(infos):
        if init is None:
            continue
        window = -min(taps)
        if taps == [-1]:
            buffer = build("expand_dims", init, axis=[0])
            row = init
        else:
            if init.ndim == 0:
                raise ValueError(f"scan: outputs_info[{i}] with taps {taps} needs an initial "
                                 f"value with {window} rows, got a scalar")
            buffer = init[:window]
            row = None
        args = {k: (_placeholder(row, None) if row is not None else
                    _placeholder(init, None, drop_first=True)) for k in taps}
        tap_args.append([args[k] for k in taps])
        inits.append(buffer)
        recurrent.append((i, sorted(taps), [args[k] for k in sorted(taps)]))

    # Non-sequences: a placeholder for each expression; shared variables and constants are
    # handed over as they are (the body reads them directly; the op turns them into inputs).
    nonseq_args, nonseq_phs, nonseq_outer = [], [], []
    for v in non_seqs:
        if isinstance(v, Variable) and not v.is_shared and not v.is_constant:
            ph = _placeholder(v, v.name)
            nonseq_args.append(ph)
            nonseq_phs.append(ph)
            nonseq_outer.append(v)
        else:
            nonseq_args.append(v if isinstance(v, Variable) else as_tensor_variable(v))

    args = list(seq_args)
    for group in tap_args:
        args.extend(group)
    args.extend(nonseq_args)
    outputs, updates, cond = _split_return(fn(*args))
    outputs = [as_tensor_variable(o) for o in outputs]
    if len(infos) > len(outputs):
        raise ValueError(f"scan: outputs_info has {len(infos)} entries, the step function "
                         f"returned {len(outputs)} outputs")
    infos += [(None, [])] * (len(outputs) - len(infos))
    for shared in updates:
        if not (isinstance(shared, Variable) and shared.is_shared):
            raise TypeError(f"scan: updates must be of shared variables, got {shared!r}")
    if strict:
        _check_strict(outputs + list(updates.values()) + ([cond] if cond is not None else []),
                      set(args) | set(non_seqs))

    rec_index = [i for i, _, _ in recurrent]
    stacked_index = [i for i in range(len(outputs)) if i not in rec_index]
    inner_inputs = seq_args + [a for _, _, ph in recurrent for a in ph] + nonseq_phs
    inner_outputs = ([outputs[i] for i in rec_index] + [outputs[i] for i in stacked_index] +
                     [as_tensor_variable(u) for u in updates.values()] +
                     ([cond] if cond is not None else []))
    outer = [steps] + seq_outer + inits + list(updates.keys()) + nonseq_outer
    layout = {}
    if recurrent:
        layout["taps"] = [t for _, taps, _ in recurrent for t in taps]
        layout["tap_counts"] = [len(taps) for _, taps, _ in recurrent]
    layout.update(n_seqs=len(seq_args), n_nitsot=len(stacked_index), n_carried=len(updates),
                  n_nonseqs=len(nonseq_outer), until=cond is not None, name=name or "",
                  mode=_mode_name(mode), truncate_gradient=int(truncate_gradient),
                  n_inner_inputs=len(inner_inputs), n_inner_outputs=len(inner_outputs))
    variables = [as_tensor_variable(v) for v in inner_inputs + inner_outputs + outer]
    results = _core.build("scan", variables, layout, user_location())
    by_position = [None] * len(outputs)
    for r, (i, taps, _) in enumerate(recurrent):
        by_position[i] = results[r][-min(taps):]
    for s, i in enumerate(stacked_index):
        by_position[i] = results[len(recurrent) + s]
    for i, out in enumerate(by_position):
        if name:
            out.name = f"{name}[{i}]" if len(by_position) > 1 else name
    finals = results[len(recurrent) + len(stacked_index):]
    new_updates = OrderedDict(zip(updates.keys(), finals))
    if return_list:
        return by_position, new_updates
    if not by_position:
        return None, new_updates
    return (by_position[0] if len(by_position) == 1 else by_position), new_updates


def _check_strict(outputs, allowed):
    from theon.graph import inputs as graph_inputs

    for v in graph_inputs(outputs):
        if v.is_constant or v in allowed:
            continue
        raise ValueError(f"scan(strict=True): the step function reads {v._label()}, which is "
                         f"neither an argument nor among the non_sequences")


def map(fn, sequences, non_sequences=None, truncate_gradient=-1, go_backwards=False,
        mode=None, name=None):
    """Applies ``fn`` to each row of the sequences (Theano's map): scan without recurrence."""
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode,
                name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None,
           name=None):
    """Folds the sequences into the outputs (Theano's reduce): the last value of each output
    of scan, and the updates."""
    outs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info,
                         non_sequences=non_sequences, go_backwards=go_backwards, mode=mode,
                         name=name, return_list=True)
    last = [o[-1] for o in outs]
    if len(last) == 1:
        return last[0], updates
    return (last or None), updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the first row to the last."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode,
                  name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the last row to the first."""
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode,
                  name=name)
