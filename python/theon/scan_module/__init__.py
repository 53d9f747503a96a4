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
    """Returned by a step function to end the loop after the step where ``condition`` holds.

    Returned alone or with the step's outputs and updates, it makes scan a while loop bounded
    by ``n_steps``.

    Parameters
    ----------
    condition : scalar Variable
        The loop stops after the step where it is nonzero.

    Examples
    --------
    >>> from theon.scan_module import until
    >>> x = T.dscalar('x')
    >>> out, _ = theon.scan(lambda p: (p * 2, until(p * 2 > 50)), outputs_info=x, n_steps=100)
    >>> theon.function([x], out)(5.0)
    array([10., 20., 40., 80.])
    """

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


def _with_default_updates(outputs, updates, cond):
    """The step's updates plus, as Theano's scan adds them, the default updates of the shared
    variables the step reads and does not update itself (a random stream's state): each step
    then draws from the state the step before left, and the loop's last state is the update
    scan returns. Without this every step would draw the same numbers."""
    from theon.graph import inputs as graph_inputs

    updates = OrderedDict(updates)
    frontier = list(outputs) + list(updates.values()) + ([cond] if cond is not None else [])
    while frontier:
        added = []
        for v in graph_inputs(frontier):
            if not v.is_shared or v in updates:
                continue
            update = v.default_update
            if update is not None:
                updates[v] = update
                added.append(update)
        frontier = added
    return updates


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
    """A symbolic loop: ``fn`` applied step after step, as Theano's scan.

    ``fn`` is called once per step with, in order, the sequences' rows (one argument per tap),
    the earlier values of the recurrent outputs (one per tap) and the non-sequences. It
    returns the step's outputs, and optionally a dict of shared-variable updates and an
    ``until`` condition.

    Parameters
    ----------
    fn : callable
        The step function, called once on placeholder variables to build the loop's body.
    sequences : Variable, dict or list of them
        Iterated over their first dimension; ``dict(input=x, taps=[-1, 0])`` passes several
        rows per step.
    outputs_info : Variable, dict, None or list of them
        The initial values of the recurrent outputs (None for an output not fed back);
        ``dict(initial=x0, taps=[-2, -1])`` feeds back several earlier values.
    non_sequences : Variable or list of Variable
        Passed unchanged to every step.
    n_steps : int or scalar Variable
        The number of steps (default: the length of the shortest sequence).
    truncate_gradient : int
        Back-propagate through this many steps only (-1: all).
    go_backwards : bool
        Iterate the sequences from the last row to the first.
    mode : str or Mode
        How the body is compiled.
    name : str
        Shown in printed graphs and profiles.
    profile, allow_gc : bool
        Accepted for Theano's signature.
    strict : bool
        Require every variable the step uses to be passed as an argument.
    return_list : bool
        Return a list even for a single output.

    Returns
    -------
    outputs : Variable or list of Variable
        Each output of every step, stacked along a new first dimension.
    updates : OrderedDict
        The updates of the shared variables the step updated, to give to ``function``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> acc, updates = theon.scan(lambda v, total: total + v, sequences=x,
    ...                           outputs_info=T.constant(0.0))
    >>> theon.function([x], acc, updates=updates)([1., 2., 3.])
    array([1., 3., 6.])
    """
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
    updates = _with_default_updates(outputs, updates, cond)
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
    """Applies ``fn`` to each row of the sequences (Theano's map): scan without recurrence.

    Parameters
    ----------
    fn : callable
        Takes a row of each sequence, then the non-sequences.
    sequences : Variable or list of Variable
        Iterated over their first dimension.
    non_sequences : Variable or list of Variable
        Passed unchanged to every call.
    truncate_gradient, go_backwards, mode, name
        As for scan.

    Returns
    -------
    outputs : Variable or list of Variable
        The results, stacked along a new first dimension.
    updates : OrderedDict
        Shared-variable updates, to give to ``function``.

    Examples
    --------
    >>> x = T.dmatrix('x')
    >>> sums, _ = theon.map(lambda row: row.sum(), sequences=x)
    >>> theon.function([x], sums)(np.arange(6.).reshape(2, 3))
    array([ 3., 12.])
    """
    return scan(fn, sequences=sequences, outputs_info=None, non_sequences=non_sequences,
                truncate_gradient=truncate_gradient, go_backwards=go_backwards, mode=mode,
                name=name)


def reduce(fn, sequences, outputs_info, non_sequences=None, go_backwards=False, mode=None,
           name=None):
    """Folds the sequences into the outputs (Theano's reduce): scan's last values.

    Parameters
    ----------
    fn : callable
        Takes a row of each sequence, the values so far, then the non-sequences.
    sequences : Variable or list of Variable
        Iterated over their first dimension.
    outputs_info : Variable or list of Variable
        The initial values.
    non_sequences : Variable or list of Variable
        Passed unchanged to every call.
    go_backwards, mode, name
        As for scan.

    Returns
    -------
    outputs : Variable or list of Variable
        The final value of each output.
    updates : OrderedDict
        Shared-variable updates, to give to ``function``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> total, _ = theon.reduce(lambda v, acc: acc + v, x, T.constant(0.0))
    >>> theon.function([x], total)([1., 2., 3.])
    array(6.)
    """
    outs, updates = scan(fn, sequences=sequences, outputs_info=outputs_info,
                         non_sequences=non_sequences, go_backwards=go_backwards, mode=mode,
                         name=name, return_list=True)
    last = [o[-1] for o in outs]
    if len(last) == 1:
        return last[0], updates
    return (last or None), updates


def foldl(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the first row to the last.

    Parameters
    ----------
    fn, sequences, outputs_info, non_sequences, mode, name
        As for reduce.

    Returns
    -------
    outputs : Variable or list of Variable
        The final value of each output.
    updates : OrderedDict
        Shared-variable updates, to give to ``function``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> last, _ = theon.foldl(lambda v, acc: acc * 10 + v, x, T.constant(0.0))
    >>> theon.function([x], last)([1., 2., 3.])
    array(123.)
    """
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=False, mode=mode,
                  name=name)


def foldr(fn, sequences, outputs_info, non_sequences=None, mode=None, name=None):
    """reduce from the last row to the first.

    Parameters
    ----------
    fn, sequences, outputs_info, non_sequences, mode, name
        As for reduce.

    Returns
    -------
    outputs : Variable or list of Variable
        The final value of each output.
    updates : OrderedDict
        Shared-variable updates, to give to ``function``.

    Examples
    --------
    >>> x = T.dvector('x')
    >>> last, _ = theon.foldr(lambda v, acc: acc * 10 + v, x, T.constant(0.0))
    >>> theon.function([x], last)([1., 2., 3.])
    array(321.)
    """
    return reduce(fn, sequences, outputs_info, non_sequences, go_backwards=True, mode=mode,
                  name=name)
