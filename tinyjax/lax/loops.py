"""Loops: `while_p` and the public `while_loop` / `fori_loop`.

`while_p` is a higher-order primitive carrying two closed jaxprs (constants hoisted
to explicit leading operands, so `consts == []`):

    while_p.bind(*cond_consts, *body_consts, *init, cond_jaxpr=, body_jaxpr=,
                 cond_nconsts=, body_nconsts=)
    cond_jaxpr: (*cond_consts, *carry) -> bool[]
    body_jaxpr: (*body_consts, *carry) -> carry

Its rules: eager evaluation (a Python loop over `eval_jaxpr`), JVP (the nonzero carry
tangents join the carry; the predicate sees primals only), batching (a batched
predicate runs the loop while any example continues and freezes the others with a
select), and partial evaluation, which computes the known carries with a smaller loop
and stages the whole loop out for the unknown ones, so `linearize` works; the staged
loop has no transpose, which is why reverse-mode differentiation of `while_loop`
raises, as in JAX. `fori_loop` with static bounds is a `scan`, hence differentiable.
"""
from __future__ import annotations

import inspect

import numpy as np

from ..core import dtypes, pytree
from ..core.abstract import ShapedArray, raise_to_shaped
from ..core.ad_util import Zero, instantiate, tangent_aval
from ..core.config import config
from ..core.errors import ConcretizationTypeError
from ..core.jaxpr import ClosedJaxpr, dce_jaxpr, eval_jaxpr
from ..core.trace import Primitive, Tracer, abstract_eval_rules
from ..interpreters import ad
from ..interpreters.batching import (
    batch_eval_jaxpr,
    collective_rules,
    matchaxis,
)
from ..interpreters.call_rules import consts_as_args
from ..interpreters.eval import array_impl_rules
from ..interpreters.partial_eval import (
    PartialEvalTracer,
    PartialVal,
    partial_eval_flat,
    partial_eval_rules,
    trace_to_jaxpr,
)
from ._base import asarray
from ._base import same_shape_dtype as _same_type
from ._base import split_list as _split
from .elementwise import _const, add, convert_element_type, lt, select_n
from .reductions import reduce_or
from .shapes import broadcast_in_dim

__all__ = ["fori_loop", "while_loop", "while_p"]

_REVERSE_MODE_ERROR = (
    "Reverse-mode differentiation does not work for lax.while_loop or lax.fori_loop with "
    "dynamic start/stop values. Try using lax.scan, or using fori_loop with static "
    "start/stop.")


def _close(fun, in_avals, name):
    """Trace `fun` to a ClosedJaxpr with consts == [] (its constants, hoisted to leading
    inputs, are returned alongside)."""
    closed, consts = consts_as_args(trace_to_jaxpr(fun, in_avals, name=name))
    return closed, consts


# ----------------------------------------------------------------------------- the primitive

while_p = Primitive("while", multiple_results=True)


def _while_abstract_eval(*avals, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cconst_avals, bconst_avals, carry_avals = _split(avals, cond_nconsts, body_nconsts)
    if len(cond_jaxpr.in_avals) != cond_nconsts + len(carry_avals):
        raise TypeError(f"while_loop cond_jaxpr takes {len(cond_jaxpr.in_avals)} inputs, but "
                        f"got {cond_nconsts} consts and {len(carry_avals)} carries")
    if len(body_jaxpr.in_avals) != body_nconsts + len(carry_avals):
        raise TypeError(f"while_loop body_jaxpr takes {len(body_jaxpr.in_avals)} inputs, but "
                        f"got {body_nconsts} consts and {len(carry_avals)} carries")
    for what, jaxpr, operands in (("cond", cond_jaxpr, cconst_avals + carry_avals),
                                  ("body", body_jaxpr, bconst_avals + carry_avals)):
        for k, (a, b) in enumerate(zip(operands, jaxpr.in_avals)):
            if not _same_type(a, b):
                raise TypeError(f"while_loop {what} function input {k} has type "
                                f"{b.str_short()} but the operand has type {a.str_short()}")
    pred = cond_jaxpr.out_avals
    if len(pred) != 1 or pred[0].shape != () or pred[0].dtype != np.bool_:
        raise TypeError("while_loop cond function must return a boolean scalar, but got "
                        f"output type(s) {pred}.")
    outs = body_jaxpr.out_avals
    if len(outs) != len(carry_avals) or not all(map(_same_type, carry_avals, outs)):
        raise TypeError(
            "while_loop body function carry input and carry output must have equal types, "
            f"got ({', '.join(a.str_short() for a in carry_avals)}) and "
            f"({', '.join(a.str_short() for a in outs)})")
    return list(outs)


abstract_eval_rules[while_p] = _while_abstract_eval


def _while_impl(*args, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    cconsts, bconsts, carry = _split(args, cond_nconsts, body_nconsts)
    cj, bj = cond_jaxpr.jaxpr, body_jaxpr.jaxpr
    while bool(eval_jaxpr(cj, cond_jaxpr.consts, *cconsts, *carry)[0]):
        carry = eval_jaxpr(bj, body_jaxpr.consts, *bconsts, *carry)
    # a loop that never ran returns its init: give it the promised (weak) types
    out = []
    for x, a in zip(carry, body_jaxpr.out_avals):
        x = asarray(x)
        if not isinstance(x, Tracer) and x.weak_type != a.weak_type:
            x = type(x)(x._value, a.weak_type)
        out.append(x)
    return out


array_impl_rules[while_p] = _while_impl


# ----------------------------------------------------------------------------- JVP

def _is_float(aval) -> bool:
    return aval.dtype.kind == "f"


def _jvp_body(body_jaxpr, bconst_nz, carry_nz):
    """Trace the JVP of the body: (*bconsts, *bconst_dots, *carry, *carry_dots) ->
    (*carry, *carry_dots), dots only where nonzero. Returns (closed, extra consts,
    which carry tangent outputs are nonzero)."""
    nb = len(bconst_nz)
    bavals, cavals = body_jaxpr.in_avals[:nb], body_jaxpr.in_avals[nb:]
    nbd = sum(bconst_nz)
    out_nz: list = []

    def fun(*args):
        bc, bcd, carry, cd = _split(args, nb, nbd, len(cavals))
        it_b, it_c = iter(bcd), iter(cd)
        bdots = [next(it_b) if z else Zero(tangent_aval(a)) for a, z in zip(bavals, bconst_nz)]
        cdots = [next(it_c) if z else Zero(tangent_aval(a)) for a, z in zip(cavals, carry_nz)]
        po, to = ad.jvp_flat(lambda *a: eval_jaxpr(body_jaxpr.jaxpr, body_jaxpr.consts, *a),
                             bc + carry, bdots + cdots)
        out_nz.extend(type(t) is not Zero and _is_float(a)
                      for t, a in zip(to, body_jaxpr.out_avals))
        # carry_nz holds only for float carries
        dots = [instantiate(t) for t, z in zip(to, carry_nz) if z]
        return list(po) + dots

    in_avals = (list(bavals) + [tangent_aval(a) for a, z in zip(bavals, bconst_nz) if z]
                + list(cavals) + [tangent_aval(a) for a, z in zip(cavals, carry_nz) if z])
    closed, consts = _close(fun, in_avals, "while body jvp")
    return closed, consts, out_nz


def _while_jvp(primals, tangents, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    avals = [raise_to_shaped(p) for p in primals]
    # integer and boolean values have no tangent (float0 ones are zeros)
    tangents = [t if type(t) is not Zero and _is_float(a) else Zero(tangent_aval(a))
                for t, a in zip(tangents, avals)]
    nz = [type(t) is not Zero for t in tangents]
    _, bconst_nz, init_nz = _split(nz, cond_nconsts, body_nconsts)
    cconsts, bconsts, init = _split(primals, cond_nconsts, body_nconsts)
    _, bconst_dots, init_dots = _split(tangents, cond_nconsts, body_nconsts)
    nc = len(init)

    carry_nz = list(init_nz)
    for _ in range(nc + 1):   # each round adds a nonzero carry tangent: at most nc rounds
        body, extra, out_nz = _jvp_body(body_jaxpr, bconst_nz, carry_nz)
        new = [a or b for a, b in zip(carry_nz, out_nz)]
        if new == carry_nz:
            break
        carry_nz = new
    else:
        raise AssertionError("while_loop JVP: fixpoint not reached")

    cavals = cond_jaxpr.in_avals
    dot_avals = [tangent_aval(a) for a, z in zip(body_jaxpr.out_avals, carry_nz) if z]
    cond, cextra = _close(
        lambda *a: eval_jaxpr(cond_jaxpr.jaxpr, cond_jaxpr.consts, *a[:len(cavals)]),
        list(cavals) + dot_avals, "while cond jvp")
    bdots = [t for t, z in zip(bconst_dots, bconst_nz) if z]
    idots = [instantiate(t) for t, z in zip(init_dots, carry_nz) if z]
    outs = while_p.bind(*cextra, *cconsts, *extra, *bconsts, *bdots, *init, *idots,
                        cond_jaxpr=cond, body_jaxpr=body,
                        cond_nconsts=len(cextra) + cond_nconsts,
                        body_nconsts=len(extra) + len(bconsts) + len(bdots))
    primals_out, dots_out = outs[:nc], iter(outs[nc:])
    tangents_out = [next(dots_out) if z else Zero(tangent_aval(a))
                    for z, a in zip(carry_nz, body_jaxpr.out_avals)]
    return primals_out, tangents_out


ad.jvp_rules[while_p] = _while_jvp


# ----------------------------------------------------------------------------- partial eval

def _known_part(closed, in_unknowns, keep=None):
    """Partially evaluate `closed` with the `in_unknowns` inputs unknown, by running it
    under partial evaluation (so nested loops split too). Returns (the known part: known
    inputs -> the known outputs at positions `keep`, or all known outputs if None; which
    outputs are unknown). The unknown part is not needed: the whole loop is staged."""
    avals = closed.in_avals
    out_uk: list = []

    def fun(*known):
        it = iter(known)
        pvals = [PartialVal.unknown(a) if u else PartialVal.known(next(it))
                 for a, u in zip(avals, in_unknowns)]
        _, pvals_out, _ = partial_eval_flat(
            lambda *a: eval_jaxpr(closed.jaxpr, closed.consts, *a), pvals)
        out_uk.extend(not pv.is_known for pv in pvals_out)
        return [pv.const for i, pv in enumerate(pvals_out)
                if pv.is_known and (keep is None or keep[i])]

    known, consts = _close(fun, [a for a, u in zip(avals, in_unknowns) if not u],
                           "while partial eval")
    # the known half also computed residuals for the unknown half, unused here
    return ClosedJaxpr(dce_jaxpr(known.jaxpr), []), consts, out_uk


def _while_partial_eval(trace, tracers, *, cond_jaxpr, body_jaxpr, cond_nconsts,
                        body_nconsts):
    # The known carries are computed by a loop over the known part of the body; the
    # unknown ones by the whole loop, staged out (recomputing the known part, as JAX
    # does). linearize works; transposing the staged loop raises (see below).
    params = dict(cond_jaxpr=cond_jaxpr, body_jaxpr=body_jaxpr, cond_nconsts=cond_nconsts,
                  body_nconsts=body_nconsts)
    unknowns = [not t.pval.is_known for t in tracers]
    cconst_uk, bconst_uk, carry_uk = _split(unknowns, cond_nconsts, body_nconsts)
    for _ in range(len(carry_uk) + 1):   # each round adds an unknown carry
        keep = [not u for u in carry_uk]
        body_known, bextra, out_uk = _known_part(body_jaxpr, bconst_uk + carry_uk, keep)
        new = [a or b for a, b in zip(carry_uk, out_uk)]
        if new == carry_uk:
            break
        carry_uk = new
    else:
        raise AssertionError("while_loop partial eval: fixpoint not reached")
    if all(carry_uk):
        return trace.record(while_p, tracers, params)
    cond_known, cextra, (cond_uk,) = _known_part(cond_jaxpr, cconst_uk + carry_uk)
    if cond_uk:
        return trace.record(while_p, tracers, params)

    cconsts, bconsts, init = _split([t.pval.const for t in tracers], cond_nconsts,
                                    body_nconsts)
    known = [x for x, u in zip(cconsts + bconsts + init, cconst_uk + bconst_uk + carry_uk)
             if not u]
    ncc = cond_nconsts - sum(cconst_uk)
    nbc = body_nconsts - sum(bconst_uk)
    known_out = while_p.bind(*cextra, *known[:ncc], *bextra, *known[ncc:ncc + nbc],
                             *known[ncc + nbc:], cond_jaxpr=cond_known, body_jaxpr=body_known,
                             cond_nconsts=len(cextra) + ncc, body_nconsts=len(bextra) + nbc)
    staged = trace.record(while_p, tracers, params)
    known_it = iter(known_out)
    return [t if u else PartialEvalTracer(trace, PartialVal.known(next(known_it)), None)
            for t, u in zip(staged, carry_uk)]


partial_eval_rules[while_p] = _while_partial_eval


def _while_transpose_error(*args, **params):
    raise ValueError(_REVERSE_MODE_ERROR)


ad.transpose_rules[while_p] = _while_transpose_error


# ----------------------------------------------------------------------------- batching

def _batch_eval(closed, vals, batched, size, name, force=None):
    """(outputs, which are batched) of `closed` under a fresh vmap over axis `name`."""
    return batch_eval_jaxpr(closed, vals, batched, size, name, force)


def _batched_aval(a, size):
    return ShapedArray((size,) + tuple(a.shape), a.dtype, a.weak_type)


def _out_batched(closed, batched, size, name):
    """Which outputs of `closed` are batched when the `batched` inputs are."""
    box: list = []

    def fun(*args):
        outs, bat = _batch_eval(closed, args, batched, size, name)
        box.append(bat)
        return outs

    trace_to_jaxpr(fun, [_batched_aval(a, size) if b else a
                         for a, b in zip(closed.in_avals, batched)], name="while vmap")
    return box[0]


def _while_batch(trace, vals, dims, *, cond_jaxpr, body_jaxpr, cond_nconsts, body_nconsts):
    frame = trace.frame
    size, name = frame.size, frame.name
    vals = [v if d is None else matchaxis(v, d, 0, size) for v, d in zip(vals, dims)]
    bat = [d is not None for d in dims]
    cconst_bat, bconst_bat, init_bat = _split(bat, cond_nconsts, body_nconsts)
    cconsts, bconsts, init = _split(vals, cond_nconsts, body_nconsts)
    nc = len(init)

    carry_bat = list(init_bat)
    for _ in range(nc + 1):   # each round batches one more carry: at most nc rounds
        out_bat = _out_batched(body_jaxpr, bconst_bat + carry_bat, size, name)
        new = [a or b for a, b in zip(carry_bat, out_bat)]
        if new == carry_bat:
            break
        carry_bat = new
    else:
        raise AssertionError("while_loop vmap: fixpoint not reached")
    (pred_bat,) = _out_batched(cond_jaxpr, cconst_bat + carry_bat, size, name)
    if pred_bat:
        carry_bat = [True] * nc

    def bav(avals, batched):
        return [_batched_aval(a, size) if b else a for a, b in zip(avals, batched)]

    ncc, nbc = len(cconsts), len(bconsts)
    cavals = bav(cond_jaxpr.in_avals, cconst_bat + carry_bat)
    bavals = bav(body_jaxpr.in_avals, bconst_bat + carry_bat)
    if not pred_bat:
        def cond_fun(*args):
            return _batch_eval(cond_jaxpr, args, cconst_bat + carry_bat, size, name)[0]

        def body_fun(*args):
            return _batch_eval(body_jaxpr, args, bconst_bat + carry_bat, size, name,
                               force=carry_bat)[0]

        cond, cextra = _close(cond_fun, cavals, "while cond vmap")
        body, bextra = _close(body_fun, bavals, "while body vmap")
        body_consts = bextra + bconsts
    else:
        # Run while any example's predicate holds; an example whose predicate is
        # false keeps its carry (the body still runs on it, and the result is dropped).
        def pred_of(cc, carry):
            (p,), _ = _batch_eval(cond_jaxpr, cc + carry, cconst_bat + carry_bat, size, name,
                                  force=[True])
            return p

        def cond_fun(*args):
            return [reduce_or(pred_of(list(args[:ncc]), list(args[ncc:])), (0,))]

        def body_fun(*args):
            cc, bc, carry = _split(args, ncc, nbc)
            p = pred_of(cc, carry)
            new, _ = _batch_eval(body_jaxpr, bc + carry, bconst_bat + carry_bat, size, name,
                                 force=carry_bat)
            return [select_n(broadcast_in_dim(p, x.shape, (0,)), x, y)
                    for x, y in zip(carry, new)]

        cond, cextra = _close(cond_fun, cavals, "while cond vmap")
        body, bextra = _close(body_fun, cavals[:ncc] + bavals, "while body vmap")
        body_consts = bextra + cconsts + bconsts
    init = [matchaxis(x, None, 0, size) if b and not ib else x
            for x, b, ib in zip(init, carry_bat, init_bat)]
    outs = while_p.bind(*cextra, *cconsts, *body_consts, *init, cond_jaxpr=cond,
                        body_jaxpr=body, cond_nconsts=len(cextra) + ncc,
                        body_nconsts=len(body_consts))
    return outs, [0 if b else None for b in carry_bat]


# a collective rule: it sees the vmap's frame, so collectives over its axis name inside
# the loop resolve, and its axis size is known even when only consts are batched
collective_rules[while_p] = _while_batch


# ----------------------------------------------------------------------------- the API

def _type_str(a: ShapedArray) -> str:
    s = f"{np.dtype(a.dtype).name}[{','.join(map(str, a.shape))}]"
    return s + " (weakly typed)" if a.weak_type else s


def _mismatch_extra(a: ShapedArray, b: ShapedArray) -> str:
    what = []
    if a.dtype != b.dtype:
        what.append("the dtypes do not match")
    if tuple(a.shape) != tuple(b.shape):
        what.append("the shapes do not match")
    return ", so " + " and ".join(what) if what else ""


def _carry_name(fun, index=0):
    try:
        params = list(inspect.signature(fun).parameters)
    except (TypeError, ValueError):
        return None
    return params[index] if len(params) > index else None


def _describer(fun, index=0, strip=0):
    name = _carry_name(fun, index)

    def component(path):
        path = path[strip:]
        if name:
            return (f"the input carry component {name}{pytree.keystr(path)}" if path
                    else f"the input carry {name}")
        return (f"the input carry at path {pytree.keystr(path)}" if path
                else "the input carry")
    return component


def _check_carry_type(component, in_tree, in_paths, in_avals, out_tree, out_avals):
    if in_tree != out_tree:
        raise TypeError(
            "body_fun output and input must have the same pytree structure, but they "
            f"differ:\n\nthe input carry structure is:\n{in_tree}\nthe output carry "
            f"structure is:\n{out_tree}\n\nRevise the function so that the carry output "
            "has the same pytree structure as the carry input.")
    diffs = [f"{component(p)} has type {_type_str(a)} but the corresponding output carry "
             f"component has type {_type_str(b)}{_mismatch_extra(a, b)}"
             for p, a, b in zip(in_paths, in_avals, out_avals) if not _same_type(a, b)]
    if not diffs:
        return
    if len(diffs) == 1:
        text = diffs[0][0].upper() + diffs[0][1:] + ".\n"
    else:
        text = "".join(f"  * {d};\n" for d in diffs[:-1]) + f"  * {diffs[-1]}.\n"
    raise TypeError(
        "body_fun output and input must have identical types, but they differ:\n\n"
        f"{text}\nRevise the function so that all output types match the corresponding "
        "input types.")


def _trace_carry_fun(fun, in_tree, in_avals, name):
    store = {}

    def flat_fun(*leaves):
        out = fun(pytree.tree_unflatten(in_tree, leaves))
        flat, store["tree"] = pytree.tree_flatten(out)
        return [asarray(x) for x in flat]

    closed = trace_to_jaxpr(flat_fun, in_avals, name=name)
    return closed, store["tree"]


def _while_loop(cond_fun, body_fun, init_val, component):
    if config.jax_disable_jit:
        try:
            val = pytree.tree_map(asarray, init_val)
            while cond_fun(val):
                val = pytree.tree_map(asarray, body_fun(val))
            return val
        except ConcretizationTypeError:
            pass   # a transformation is active (vmap, ...): use the primitive
    leaves_with_paths, in_tree = pytree.tree_flatten_with_path(init_val)
    paths = [p for p, _ in leaves_with_paths]
    init = [asarray(x) for _, x in leaves_with_paths]

    def trace_both(init):
        avals = [raise_to_shaped(x) for x in init]
        cond, cond_tree = _trace_carry_fun(cond_fun, in_tree, avals, "while_cond")
        body, body_tree = _trace_carry_fun(body_fun, in_tree, avals, "while_body")
        if cond_tree.num_leaves != 1 or cond_tree != pytree.tree_structure(0):
            raise TypeError(f"cond_fun must return a boolean scalar, but got pytree "
                            f"{cond_tree}.")
        pred = cond.out_avals
        if pred[0].shape != () or pred[0].dtype != np.bool_:
            raise TypeError(f"cond_fun must return a boolean scalar, but got output "
                            f"type(s) {pred}.")
        return avals, cond, body, body_tree

    avals, cond, body, body_tree = trace_both(init)
    if body_tree != in_tree:
        _check_carry_type(component, in_tree, paths, avals, body_tree, body.out_avals)
    # a weakly typed init (a Python scalar) takes the type the body gives it, as in JAX
    changed = False
    for k, (x, a, b) in enumerate(zip(init, avals, body.out_avals)):
        if a.weak_type and not _same_type(a, b):
            init[k] = convert_element_type(x, dtypes.result_type(a, b))
            changed = True
    if changed:
        avals, cond, body, body_tree = trace_both(init)
    _check_carry_type(component, in_tree, paths, avals, body_tree, body.out_avals)
    cond, cond_consts = consts_as_args(cond)
    body, body_consts = consts_as_args(body)
    outs = while_p.bind(*cond_consts, *body_consts, *init, cond_jaxpr=cond, body_jaxpr=body,
                        cond_nconsts=len(cond_consts), body_nconsts=len(body_consts))
    return pytree.tree_unflatten(in_tree, outs)


def while_loop(cond_fun, body_fun, init_val):
    """Call `body_fun` repeatedly while `cond_fun` is True (jax.lax.while_loop).

    Semantically ::

        val = init_val
        while cond_fun(val):
            val = body_fun(val)
        return val

    but as one primitive: the carry (any pytree) must keep its structure, shapes and
    dtypes across iterations, and `cond_fun` must return a boolean scalar. Forward-mode
    differentiation works; reverse mode does not (use `scan`, or `fori_loop` with
    static bounds).

    >>> while_loop(lambda c: c[0] < 5, lambda c: (c[0] + 1, c[1] * 2.0), (0, 1.0))
    ... # doctest: +SKIP
    (Array(5, dtype=int32, weak_type=True), Array(32., dtype=float32, weak_type=True))
    """
    if not (callable(body_fun) and callable(cond_fun)):
        raise TypeError("lax.while_loop: body_fun and cond_fun arguments should be callable.")
    return _while_loop(cond_fun, body_fun, init_val, _describer(body_fun))


def _concrete_int(x):
    """int(x) when x is concretely known (a Python/NumPy/tinyjax value, or a tracer with
    a concrete value behind it), else None."""
    if isinstance(x, Tracer):
        x = x.to_concrete_value()
        if x is None:
            return None
    try:
        return int(np.asarray(x))
    except (TypeError, ValueError):
        return None


def fori_loop(lower, upper, body_fun, init_val, *, unroll=None):
    """Loop `body_fun(i, val)` for i from `lower` to `upper` (jax.lax.fori_loop).

    Semantically ::

        val = init_val
        for i in range(lower, upper):
            val = body_fun(i, val)
        return val

    With concrete bounds the loop is a `scan` of known length (reverse-differentiable;
    `unroll` is passed on); with traced bounds it is a `while_loop` (forward-mode
    differentiable only).

    >>> fori_loop(0, 4, lambda i, x: x + i, 0.0)  # doctest: +SKIP
    Array(6., dtype=float32, weak_type=True)
    """
    if not callable(body_fun):
        raise TypeError("lax.fori_loop: body_fun argument should be callable.")
    lower_a, upper_a = asarray(lower), asarray(upper)
    lower_dtype, upper_dtype = lower_a.dtype, upper_a.dtype
    if lower_dtype == upper_dtype:
        dtype = lower_dtype
    else:
        # a weakly typed bound (a Python int) takes the other's integer type, as in JAX
        dtype = None
        if lower_dtype.kind == "i" and upper_dtype.kind == "i":
            lower_weak, upper_weak = dtypes.is_weakly_typed(lower), dtypes.is_weakly_typed(upper)
            if lower_weak and not upper_weak:
                dtype = upper_dtype
            elif upper_weak and not lower_weak:
                dtype = lower_dtype
        if dtype is None:
            raise TypeError("lower and upper arguments to fori_loop must have equal types, "
                            f"got {lower_dtype.name} and {upper_dtype.name}")

    lo, hi = _concrete_int(lower), _concrete_int(upper)
    scan = None
    if lo is not None and hi is not None:
        try:
            from .scan import scan  # lazily: scan may come to use this module
        except ImportError:
            scan = None
    if scan is not None:
        length = max(hi - lo, 0)
        if config.jax_disable_jit and length == 0:
            return init_val
        if unroll is None or unroll is False:
            unroll = 1
        elif unroll is True:
            unroll = max(length, 1)

        def scanned_fun(loop_carry, _):
            i, x = loop_carry
            return (i + 1, body_fun(i, x)), None

        (_, result), _ = scan(scanned_fun, (lo, init_val), None, length=length,
                              unroll=unroll)
        return result
    if lo is None or hi is None:
        if unroll is not None and unroll is not False and unroll != 1:
            raise ValueError("Can only use `unroll` in `fori_loop` if the loop bounds are "
                             "statically known.")
    if lower_dtype != dtype:
        lower_a = convert_element_type(lower_a, dtype)
    if upper_dtype != dtype:
        upper_a = convert_element_type(upper_a, dtype)

    def cond(loop_carry):
        i, u, _ = loop_carry
        return lt(i, u)

    def body(loop_carry):
        i, u, x = loop_carry
        return add(i, _const(i, 1)), u, body_fun(i, x)

    component = _describer(body_fun, index=1, strip=1)
    _, _, result = _while_loop(cond, body, (lower_a, upper_a, init_val), component)
    return result
