"""scan: a loop over the leading axis of arrays, carrying state (jax.lax.scan), and
what is built on it: `map` and (on plain lax ops) `associative_scan`.

`scan_p` carries the loop body as a closed jaxpr,

    scan_p.bind(*consts, *init_carry, *xs, jaxpr, num_consts, num_carry, length,
                reverse, unroll, linear)
    jaxpr: (*consts, *carry, *x_slices) -> (*carry, *y_slices)

and returns (*final_carry, *ys), the ys stacked along a new leading axis of size
`length` (ys[i] is the output of step i; with reverse=True the steps run from
length-1 down to 0). `linear` says, per operand, whether the body is known to be
linear in it (informational, as in JAX).

Every interpreter has a rule: eager evaluation loops over the jaxpr; JVP runs the
tangents through the carry (a fixpoint decides which carries get tangents);
partial evaluation splits the loop into a known scan, which also stacks the
residuals of every step, and an unknown scan that consumes them; transposition runs
the linear scan backwards; batching maps over the batch (a fixpoint decides which
carries are batched).
"""
from __future__ import annotations

import inspect
import operator

import numpy as np

from ..core import batch_util, dtypes, pytree
from ..core import trace as core
from ..core.abstract import ShapedArray, float0, raise_to_shaped
from ..core.ad_util import Zero, add_tangents, instantiate, tangent_aval
from ..core.array import Array
from ..core.errors import ConcretizationTypeError
from ..core.jaxpr import ClosedJaxpr, Jaxpr, Literal, dce_jaxpr, eval_jaxpr
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
    PartialEvalTrace,
    PartialEvalTracer,
    PartialVal,
    partial_eval_rules,
    trace_to_jaxpr,
    tracers_to_jaxpr,
)
from . import elementwise as _ew
from . import indexing as _ix
from . import shapes as _sh
from ._base import asarray, canonical_axis
from ._base import same_shape_dtype as _same
from ._base import split_list as _split

__all__ = ["associative_scan", "map", "scan", "scan_p"]


# ============================================================================= the primitive

scan_p = Primitive("scan", multiple_results=True)


def _scan_abstract_eval(*avals, jaxpr, num_consts, num_carry, length, reverse, unroll,
                        linear):
    j = jaxpr.jaxpr
    if len(j.invars) != len(avals):
        raise TypeError(f"scan: the body takes {len(j.invars)} inputs but scan was given "
                        f"{len(avals)} operands")
    if len(linear) != len(avals):
        raise TypeError(f"scan: `linear` has {len(linear)} entries for {len(avals)} operands")
    consts, carry, xs = _split(avals, num_consts, num_carry)
    in_avals = [v.aval for v in j.invars]
    body_consts, body_carry, body_xs = _split(in_avals, num_consts, num_carry)
    for i, (a, b) in enumerate(zip(consts, body_consts)):
        if not _same(a, b):
            raise TypeError(f"scan: constant operand {i} has type {a.str_short()} but the body "
                            f"takes {b.str_short()}")
    for i, (a, b) in enumerate(zip(carry, body_carry)):
        if not _same(a, b):
            raise TypeError(f"scan: carry operand {i} has type {a.str_short()} but the body "
                            f"takes {b.str_short()}")
    for i, (a, b) in enumerate(zip(xs, body_xs)):
        if a.shape != (length,) + tuple(b.shape) or a.dtype != b.dtype:
            raise TypeError(f"scan: scanned operand {i} has type {a.str_short()}, but the body "
                            f"takes slices of type {b.str_short()} and length={length}")
    out_avals = [v.aval for v in j.outvars]
    if len(out_avals) < num_carry:
        raise TypeError(f"scan: the body returns {len(out_avals)} values, fewer than "
                        f"num_carry={num_carry}")
    carry_out, ys = out_avals[:num_carry], out_avals[num_carry:]
    for i, (a, b) in enumerate(zip(body_carry, carry_out)):
        if not _same(a, b):
            raise TypeError(
                f"scan body function carry input and carry output must have equal types, but "
                f"carry {i} is {a.str_short()} on input and {b.str_short()} on output")
    return list(carry_out) + [ShapedArray((length,) + tuple(y.shape), y.dtype, y.weak_type)
                              for y in ys]


abstract_eval_rules[scan_p] = _scan_abstract_eval


# ----------------------------------------------------------------------------- eager

def _np(x):
    return x._value if type(x) is Array else np.asarray(x)


def _scan_impl(*args, jaxpr, num_consts, num_carry, length, reverse, unroll, linear):
    consts, carry, xs = _split(args, num_consts, num_carry)
    j = jaxpr.jaxpr
    x_avals = [v.aval for v in j.invars[num_consts + num_carry:]]
    y_avals = [v.aval for v in j.outvars[num_carry:]]
    xs_np = [_np(x) for x in xs]
    ys = [np.empty((length,) + tuple(a.shape), a.dtype) for a in y_avals]
    for step in range(length):
        i = length - 1 - step if reverse else step
        x_i = [Array(x[i, ...], a.weak_type) for x, a in zip(xs_np, x_avals)]
        outs = eval_jaxpr(j, jaxpr.consts, *consts, *carry, *x_i)
        carry = outs[:num_carry]
        for buf, y in zip(ys, outs[num_carry:]):
            buf[i] = _np(y)
    out_avals = [v.aval for v in j.outvars[:num_carry]]
    carry = [c if type(c) is Array and c.weak_type == a.weak_type
             else Array(np.asarray(_np(c), a.dtype), a.weak_type)
             for c, a in zip(carry, out_avals)]
    return carry + [Array(y, a.weak_type) for y, a in zip(ys, y_avals)]


array_impl_rules[scan_p] = _scan_impl


def _bind_scan(closed, consts, carry, xs, *, length, reverse, unroll, linear):
    """Bind scan_p on a freshly traced body whose constvars become leading consts."""
    cj, hoisted = consts_as_args(closed)
    linear = (False,) * len(hoisted) + tuple(linear)
    return scan_p.bind(*hoisted, *consts, *carry, *xs, jaxpr=cj,
                       num_consts=len(hoisted) + len(consts), num_carry=len(carry),
                       length=length, reverse=reverse, unroll=unroll, linear=linear)


# ----------------------------------------------------------------------------- JVP

def _nonzero(t) -> bool:
    if type(t) is Zero:
        return False
    return raise_to_shaped(t).dtype != float0


def _scan_jvp(primals, tangents, *, jaxpr, num_consts, num_carry, length, reverse, unroll,
              linear):
    nc, nk = num_consts, num_carry
    j = jaxpr.jaxpr
    ny = len(j.outvars) - nk
    nz = [_nonzero(t) for t in tangents]
    const_nz, init_nz, xs_nz = _split(nz, nc, nk)
    in_avals = [v.aval for v in j.invars]
    const_avals, carry_avals, x_avals = _split(in_avals, nc, nk)

    carry_nz = list(init_nz)
    for _ in range(nk + 1):
        closed, out_nz = _jvp_body(jaxpr, const_avals, carry_avals, x_avals,
                                   const_nz, carry_nz, xs_nz, nk)
        new = [a or b for a, b in zip(carry_nz, out_nz[:nk])]
        if new == carry_nz:
            break
        carry_nz = new
    ys_nz = out_nz[nk:]

    consts, init, xs = _split(primals, nc, nk)
    const_t, init_t, xs_t = _split(tangents, nc, nk)
    lin_c, lin_k, lin_x = _split(linear, nc, nk)
    new_consts = consts + [t for t, n in zip(const_t, const_nz) if n]
    new_carry = init + [instantiate(t) for t, n in zip(init_t, carry_nz) if n]
    new_xs = xs + [t for t, n in zip(xs_t, xs_nz) if n]
    new_linear = (lin_c + [True] * sum(const_nz) + lin_k + [True] * sum(carry_nz)
                  + lin_x + [True] * sum(xs_nz))
    outs = _bind_scan(closed, new_consts, new_carry, new_xs, length=length, reverse=reverse,
                      unroll=unroll, linear=new_linear)
    carry_out, carry_dot, ys, ys_dot = _split(outs, nk, sum(carry_nz), ny)
    cd, yd = iter(carry_dot), iter(ys_dot)
    out_avals = _scan_abstract_eval(*[raise_to_shaped(p) for p in primals], jaxpr=jaxpr,
                                    num_consts=nc, num_carry=nk, length=length,
                                    reverse=reverse, unroll=unroll, linear=linear)
    tangents_out = [next(cd) if n else Zero(tangent_aval(a))
                    for n, a in zip(carry_nz, out_avals[:nk])]
    tangents_out += [next(yd) if n else Zero(tangent_aval(a))
                     for n, a in zip(ys_nz, out_avals[nk:])]
    return carry_out + ys, tangents_out


def _jvp_body(jaxpr, const_avals, carry_avals, x_avals, const_nz, carry_nz, xs_nz, nk):
    """Trace the JVP of the body with operands (consts, const tangents, carry, carry
    tangents, xs, xs tangents) -> (carry, carry tangents, ys, ys tangents). Carry
    tangents are those in `carry_nz`; ys tangents the nonzero ones. Returns the
    closed jaxpr and which outputs (carry, ys) have nonzero tangents."""
    j = jaxpr.jaxpr
    groups = [(const_avals, const_nz), (carry_avals, carry_nz), (x_avals, xs_nz)]
    in_avals = []
    for avals, nzs in groups:
        in_avals += avals + [tangent_aval(a) for a, n in zip(avals, nzs) if n]
    out_nz: list = []

    def fun(*args):
        primals, tangents, i = [], [], 0
        for avals, nzs in groups:
            n_p, n_t = len(avals), sum(nzs)
            primals += args[i:i + n_p]
            it = iter(args[i + n_p:i + n_p + n_t])
            tangents += [next(it) if n else Zero(tangent_aval(a)) for a, n in zip(avals, nzs)]
            i += n_p + n_t
        po, to = ad.jvp_flat(lambda *a: eval_jaxpr(j, jaxpr.consts, *a), primals, tangents)
        out_nz.clear()
        out_nz.extend(_nonzero(t) for t in to)
        carry_t = [instantiate(t) for t, n in zip(to[:nk], carry_nz) if n]
        ys_t = [t for t in to[nk:] if _nonzero(t)]
        return list(po[:nk]) + carry_t + list(po[nk:]) + ys_t

    closed = trace_to_jaxpr(fun, in_avals, name="scan jvp")
    return closed, list(out_nz)


ad.jvp_rules[scan_p] = _scan_jvp


# ----------------------------------------------------------------------------- partial eval

def _partial_eval_body(jaxpr, in_unknowns, instantiate):
    """Split a body jaxpr (no constvars) by running it under partial evaluation, so
    that higher-order primitives inside split too (their partial-eval rules apply).

    Returns (known, unknown, out_unknowns, num_res): `known` is a ClosedJaxpr (known
    inputs -> known outputs + residuals), `unknown` a Jaxpr (residuals + unknown
    inputs -> unknown outputs). Outputs in `instantiate` are made unknown (a known
    value becomes a residual). Every known value the unknown part needs is saved."""
    in_avals = [v.aval for v in jaxpr.invars]
    store = {}

    def known_fun(*known_args):
        it = iter(known_args)
        pvals = [PartialVal.unknown(a) if u else PartialVal.known(next(it))
                 for a, u in zip(in_avals, in_unknowns)]
        with core.new_main(PartialEvalTrace) as main:
            trace = PartialEvalTrace(main)
            tracers_in = [trace.new_arg(p) for p in pvals]
            outs = eval_jaxpr(jaxpr, [], *tracers_in)
            tracers_out = [trace.full_raise(o) for o in outs]
            tracers_out = [trace.instantiate_const(t) if inst else t
                           for t, inst in zip(tracers_out, instantiate)]
            out_uk = [not t.pval.is_known for t in tracers_out]
            uk_jaxpr, residuals = tracers_to_jaxpr(
                [t for t in tracers_in if not t.pval.is_known],
                [t for t, u in zip(tracers_out, out_uk) if u])
            known_outs = [t.pval.const for t, u in zip(tracers_out, out_uk) if not u]
        store["unknown"] = Jaxpr([], list(uk_jaxpr.constvars) + list(uk_jaxpr.invars),
                                 uk_jaxpr.outvars, uk_jaxpr.eqns)
        store["out_uk"] = out_uk
        store["num_res"] = len(residuals)
        return known_outs + list(residuals)

    known = trace_to_jaxpr(known_fun, [a for a, u in zip(in_avals, in_unknowns) if not u],
                           name="scan partial eval")
    return known, store["unknown"], store["out_uk"], store["num_res"]


def _scan_partial_eval(trace, tracers, *, jaxpr, num_consts, num_carry, length, reverse,
                       unroll, linear):
    nc, nk = num_consts, num_carry
    j = jaxpr.jaxpr
    ny = len(j.outvars) - nk
    unknowns = [not t.pval.is_known for t in tracers]
    const_uk, init_uk, xs_uk = _split(unknowns, nc, nk)

    carry_uk = list(init_uk)
    for _ in range(nk + 1):
        known_closed, unknown_j, out_uk, num_res = _partial_eval_body(
            j, const_uk + carry_uk + xs_uk, carry_uk + [False] * ny)
        new = [a or b for a, b in zip(carry_uk, out_uk[:nk])]
        if new == carry_uk:
            break
        carry_uk = new
    ys_uk = out_uk[nk:]
    known_cj, hoisted = consts_as_args(known_closed)
    known_j = known_cj.jaxpr

    consts_t, init_t, xs_t = _split(tracers, nc, nk)
    known_consts = hoisted + [t.pval.const for t, u in zip(consts_t, const_uk) if not u]
    known_init = [t.pval.const for t, u in zip(init_t, carry_uk) if not u]
    known_xs = [t.pval.const for t, u in zip(xs_t, xs_uk) if not u]
    n_kc, n_kk = len(known_consts), len(known_init)

    # residuals computed from the known consts alone are loop-invariant: compute them
    # once, outside the loop, and pass them to the unknown scan as consts; known xs
    # used as residuals are forwarded as they are; the rest are stacked by the known scan
    n_known_out = len(known_j.outvars) - num_res
    residuals = known_j.outvars[n_known_out:]
    invariant = {id(v) for v in known_j.invars[:n_kc]}
    for eqn in known_j.eqns:
        if all(isinstance(v, Literal) or id(v) in invariant for v in eqn.invars):
            invariant.update(id(v) for v in eqn.outvars)
    xs_in = {id(v): k for k, v in enumerate(known_j.invars[n_kc + n_kk:])}
    kinds = []   # per residual: "const", "xs" or "stacked"
    for r in residuals:
        if isinstance(r, Literal) or id(r) in invariant:
            kinds.append("const")
        elif id(r) in xs_in:
            kinds.append("xs")
        else:
            kinds.append("stacked")
    const_res_vars = [r for r, k in zip(residuals, kinds) if k == "const"]
    if const_res_vars:
        hoist = dce_jaxpr(Jaxpr([], known_j.invars[:n_kc], const_res_vars, known_j.eqns))
        const_res = eval_jaxpr(hoist, [], *known_consts)
    else:
        const_res = []
    # a value saved twice (the same variable) is stacked once
    stacked_index: dict = {}
    stacked_vars = []
    for r, k in zip(residuals, kinds):
        if k == "stacked" and id(r) not in stacked_index:
            stacked_index[id(r)] = len(stacked_vars)
            stacked_vars.append(r)
    body_known = dce_jaxpr(Jaxpr([], known_j.invars, known_j.outvars[:n_known_out] +
                                 stacked_vars, known_j.eqns))
    lin_c, lin_k, lin_x = _split(linear, nc, nk)
    known_linear = ([False] * len(hoisted) + [l for l, u in zip(lin_c, const_uk) if not u] +
                    [l for l, u in zip(lin_k, carry_uk) if not u] +
                    [l for l, u in zip(lin_x, xs_uk) if not u])
    known_outs = scan_p.bind(*known_consts, *known_init, *known_xs,
                             jaxpr=ClosedJaxpr(body_known, []), num_consts=n_kc,
                             num_carry=n_kk, length=length, reverse=reverse, unroll=unroll,
                             linear=tuple(known_linear))
    known_vals, stacked_unique = known_outs[:n_known_out], known_outs[n_known_out:]
    stacked_res = [stacked_unique[stacked_index[id(r)]]
                   for r, k in zip(residuals, kinds) if k == "stacked"]

    # the unknown scan: consts (invariant residuals, unknown consts), carry (unknown
    # carries), xs (stacked residuals, unknown xs)
    res_vars = unknown_j.invars[:num_res]
    uk_c, uk_k, uk_x = _split(unknown_j.invars[num_res:], sum(const_uk), sum(carry_uk))
    by_kind = {"const": [], "xs": [], "stacked": []}
    for v, k in zip(res_vars, kinds):
        by_kind[k].append(v)
    xs_res_vals = [known_xs[xs_in[id(r)]] for r, k in zip(residuals, kinds) if k == "xs"]
    body_unknown = Jaxpr([], by_kind["const"] + uk_c + uk_k + by_kind["xs"] +
                         by_kind["stacked"] + uk_x, unknown_j.outvars, unknown_j.eqns)

    def res_tracer(v):
        return trace.instantiate_const(trace.pure(v))

    uk_consts = [t for t, u in zip(consts_t, const_uk) if u]
    uk_init = [t for t, u in zip(init_t, carry_uk) if u]
    uk_xs = [t for t, u in zip(xs_t, xs_uk) if u]
    operands = ([res_tracer(r) for r in const_res] + uk_consts + uk_init +
                [res_tracer(r) for r in xs_res_vals] + [res_tracer(r) for r in stacked_res] +
                uk_xs)
    n_res_xs = len(xs_res_vals) + len(stacked_res)
    unknown_linear = ([False] * len(const_res) +
                      [l for l, u in zip(lin_c, const_uk) if u] +
                      [l for l, u in zip(lin_k, carry_uk) if u] +
                      [False] * n_res_xs + [l for l, u in zip(lin_x, xs_uk) if u])
    params = dict(jaxpr=ClosedJaxpr(body_unknown, []),
                  num_consts=len(const_res) + len(uk_consts), num_carry=len(uk_init),
                  length=length, reverse=reverse, unroll=unroll, linear=tuple(unknown_linear))
    unknown_outs = trace.record(scan_p, operands, params)

    k_it, u_it = iter(known_vals), iter(unknown_outs)
    return [next(u_it) if u else PartialEvalTracer(trace, PartialVal.known(next(k_it)), None)
            for u in carry_uk + ys_uk]


partial_eval_rules[scan_p] = _scan_partial_eval


# ----------------------------------------------------------------------------- transpose

def _slice_aval(x):
    a = raise_to_shaped(x)
    return ShapedArray(tuple(a.shape[1:]), a.dtype, a.weak_type)


def _scan_transpose(cts, *args, jaxpr, num_consts, num_carry, length, reverse, unroll,
                    linear):
    nc, nk = num_consts, num_carry
    j = jaxpr.jaxpr
    ny = len(j.outvars) - nk
    consts, init, xs = _split(args, nc, nk)
    const_lin = [ad.is_undefined_primal(c) for c in consts]
    xs_lin = [ad.is_undefined_primal(x) for x in xs]
    if not any(const_lin) and not any(ad.is_undefined_primal(c) for c in init) and \
            not any(xs_lin):
        return [None] * len(args)
    ct_carry, ct_ys = _split(cts, nk)[:2]
    ct_carry = [instantiate(c) for c in ct_carry]
    ct_ys = [instantiate(c) for c in ct_ys]
    in_avals = [v.aval for v in j.invars]
    const_avals, carry_avals, x_avals = _split(in_avals, nc, nk)
    res_consts = [c for c, lin in zip(consts, const_lin) if not lin]
    res_xs = [x for x, lin in zip(xs, xs_lin) if not lin]
    lin_const_avals = [tangent_aval(a) for a, lin in zip(const_avals, const_lin) if lin]
    n_rc, n_lc, n_rx = len(res_consts), len(lin_const_avals), len(res_xs)

    def body(*vals):
        rc, acc, ctc, cty, rx = _split(vals, n_rc, n_lc, nk, ny)
        it_c, it_x = iter(rc), iter(rx)
        full = ([ad.UndefinedPrimal(a) if lin else next(it_c)
                 for a, lin in zip(const_avals, const_lin)] +
                [ad.UndefinedPrimal(a) for a in carry_avals] +
                [ad.UndefinedPrimal(a) if lin else next(it_x)
                 for a, lin in zip(x_avals, xs_lin)])
        cts_in = ad.backward_pass(j, jaxpr.consts, full, list(ctc) + list(cty))
        ct_c, ct_k, ct_x = _split(cts_in, nc, nk)
        ct_c = [c for c, lin in zip(ct_c, const_lin) if lin]
        acc = [instantiate(add_tangents(a, c)) for a, c in zip(acc, ct_c)]
        ct_x = [instantiate(c) for c, lin in zip(ct_x, xs_lin) if lin]
        return acc + [instantiate(c) for c in ct_k] + ct_x

    body_avals = ([raise_to_shaped(c) for c in res_consts] + lin_const_avals +
                  [raise_to_shaped(c) for c in ct_carry] + [_slice_aval(c) for c in ct_ys] +
                  [_slice_aval(x) for x in res_xs])
    closed = trace_to_jaxpr(body, body_avals, name="scan transpose")
    acc0 = [instantiate(Zero(a)) for a in lin_const_avals]
    outs = _bind_scan(closed, res_consts, acc0 + ct_carry, ct_ys + res_xs, length=length,
                      reverse=not reverse, unroll=unroll,
                      linear=[False] * n_rc + [True] * (n_lc + nk + ny) + [False] * n_rx)
    ct_consts, ct_init, ct_xs = _split(outs, n_lc, nk)
    it_c, it_x = iter(ct_consts), iter(ct_xs)
    return ([next(it_c) if lin else None for lin in const_lin] +
            [c if ad.is_undefined_primal(a) else None for a, c in zip(init, ct_init)] +
            [next(it_x) if lin else None for lin in xs_lin])


ad.transpose_rules[scan_p] = _scan_transpose


# ----------------------------------------------------------------------------- batching

def _batch_body(jaxpr, size, axis_name, in_batched, instantiate_out):
    """Trace the body batched along axis 0 of the inputs in `in_batched`; outputs are
    batched along axis 0 when they depend on the batch or `instantiate_out` says so.
    Returns (closed jaxpr, which outputs are batched)."""
    j = jaxpr.jaxpr
    in_avals = [ShapedArray((size,) + tuple(v.aval.shape), v.aval.dtype, v.aval.weak_type)
                if b else v.aval for v, b in zip(j.invars, in_batched)]
    out_b: list = []

    def fun(*args):
        results, batched = batch_eval_jaxpr(jaxpr, args, in_batched, size, axis_name,
                                            force=instantiate_out)
        out_b[:] = batched
        return results

    closed = trace_to_jaxpr(fun, in_avals, name="scan vmap")
    return closed, list(out_b)


def _scan_batch(trace, vals, dims, *, jaxpr, num_consts, num_carry, length, reverse, unroll,
                linear):
    nc, nk = num_consts, num_carry
    frame = trace.frame
    size = frame.size
    ny = len(jaxpr.jaxpr.outvars) - nk
    batched = [d is not None for d in dims]
    const_b, init_b, xs_b = _split(batched, nc, nk)
    carry_b = list(init_b)
    for _ in range(nk + 1):
        closed, out_b = _batch_body(jaxpr, size, frame.name, const_b + carry_b + xs_b,
                                    carry_b + [False] * ny)
        new = [a or b for a, b in zip(carry_b, out_b[:nk])]
        if new == carry_b:
            break
        carry_b = new
    consts, init, xs = _split(vals, nc, nk)
    const_d, init_d, xs_d = _split(dims, nc, nk)
    consts = [c if d is None else batch_util.moveaxis(c, d, 0) for c, d in zip(consts, const_d)]
    init = [matchaxis(c, d, 0, size) if b else c for c, d, b in zip(init, init_d, carry_b)]
    xs = [x if d is None else batch_util.moveaxis(x, d, 1) for x, d in zip(xs, xs_d)]
    outs = _bind_scan(closed, consts, init, xs, length=length, reverse=reverse, unroll=unroll,
                      linear=linear)
    out_dims = [0 if b else None for b in carry_b] + [1 if b else None for b in out_b[nk:]]
    return outs, out_dims


# a collective rule: it sees the vmap's trace (its axis name and size), so collectives
# over that axis inside the body resolve in the batched body
collective_rules[scan_p] = _scan_batch


# ============================================================================= the API

def _infer_length(xs_flat, length):
    lengths = []
    for x in xs_flat:
        shape = raise_to_shaped(x).shape
        if not shape:
            raise ValueError(f"scan got value with no leading axis to scan over: {x}.")
        lengths.append(shape[0])
    if length is not None:
        try:
            length = operator.index(length)
        except TypeError:
            if isinstance(length, Tracer):
                raise ConcretizationTypeError(
                    length, "The `length` argument to `scan` expects a concrete `int` value. "
                    "For scan-like iteration with a dynamic length, use `while_loop` or "
                    "`fori_loop`.\n") from None
            try:
                length = int(length)
            except (TypeError, ValueError):
                raise TypeError(f"The `length` argument to `scan` expects an int, got "
                                f"{length!r}.") from None
        if not all(length == n for n in lengths):
            raise ValueError(f"scan got `length` argument of {length} which disagrees with "
                             f"leading axis sizes {lengths}.")
        if length < 0:
            raise ValueError(f"scan got a negative `length` argument: {length}.")
        return length
    unique = set(lengths)
    if len(unique) > 1:
        raise ValueError("scan got values with different leading axis sizes: "
                         f"{', '.join(str(n) for n in lengths)}.")
    if not unique:
        raise ValueError("scan got no values to scan over and `length` not provided.")
    return lengths[0]


def _carry_name(f):
    try:
        params = list(inspect.signature(f).parameters)
    except (TypeError, ValueError):
        return None
    return params[0] if params else None


def _check_carry_type(name, f, init, init_tree, init_avals, out_tree, out_avals):
    """JAX's error for a carry whose structure or types change in the body."""
    carry_name = _carry_name(f)

    def component(path):
        if carry_name:
            return (f"the input carry component {carry_name}{pytree.keystr(path)}" if path
                    else f"the input carry {carry_name}")
        return (f"the input carry at path {pytree.keystr(path)}" if path
                else "the input carry")

    if init_tree != out_tree:
        raise TypeError(
            f"{name} function carry input and carry output must have the same pytree "
            f"structure, but they differ:\n\n"
            f"The input carry{' ' + carry_name if carry_name else ''} has pytree structure "
            f"{init_tree}, but the carry output has pytree structure {out_tree}.\n\n"
            "Revise the function so that the carry output has the same pytree structure as "
            "the carry input.")
    paths = [p for p, _ in pytree.tree_flatten_with_path(init)[0]]
    if len(paths) != len(init_avals):
        paths = [()] * len(init_avals)
    diffs = []
    for path, a, b in zip(paths, init_avals, out_avals):
        if _same(a, b):
            continue
        why = []
        if a.dtype != b.dtype:
            why.append("the dtypes do not match")
        if a.shape != b.shape:
            why.append("the shapes do not match")
        diffs.append(f"{component(path)} has type {a.str_short()} but the corresponding "
                     f"output carry component has type {b.str_short()}, so "
                     f"{' and '.join(why)}")
    if not diffs:
        return
    if len(diffs) == 1:
        d = diffs[0]
        differences = d[0].upper() + d[1:] + ".\n"
    else:
        differences = "".join(f"  * {d};\n" for d in diffs[:-1]) + f"  * {diffs[-1]}.\n"
    raise TypeError(
        f"{name} function carry input and carry output must have equal types, but they "
        f"differ:\n\n{differences}\n"
        "Revise the function so that all output types match the corresponding input types.")


def scan(f, init, xs=None, length=None, reverse=False, unroll=1, _split_transpose=False):
    """Loop `f` over the leading axis of `xs`, carrying state (jax.lax.scan).

    Semantically::

        def scan(f, init, xs, length=None):
            carry, ys = init, []
            for x in xs:          # length steps when xs is None
                carry, y = f(carry, x)
                ys.append(y)
            return carry, np.stack(ys)

    `init`, `xs` and the outputs are pytrees; the carry must keep its structure,
    shapes and dtypes.

    >>> lax.scan(lambda c, x: (c + x, c * x), 0., jnp.arange(3.))  # doctest: +SKIP
    (Array(3., dtype=float32), Array([0., 1., 2.], dtype=float32))
    """
    if not callable(f):
        raise TypeError("lax.scan: f argument should be a callable.")
    init_flat, init_tree = pytree.tree_flatten(init)
    xs_flat, xs_tree = pytree.tree_flatten(xs)
    init_flat = [asarray(x) for x in init_flat]
    xs_flat = [asarray(x) for x in xs_flat]
    length = _infer_length(xs_flat, length)
    if isinstance(unroll, Tracer):
        raise ConcretizationTypeError(
            unroll, "The `unroll` argument to `scan` expects a concrete `int` or `bool` "
            "value.\n")
    if isinstance(unroll, (bool, np.bool_)):
        unroll = max(length, 1) if unroll else 1
    unroll = operator.index(unroll)
    if unroll < 0:
        raise ValueError("`unroll` must be a `bool` or a non-negative `int`.")
    nk = len(init_flat)
    x_avals = [ShapedArray(tuple(x.shape[1:]), x.dtype, x.weak_type) for x in xs_flat]

    def trace_body(carry_avals):
        store = {}

        def flat_fun(*args):
            carry = pytree.tree_unflatten(init_tree, args[:nk])
            x = pytree.tree_unflatten(xs_tree, args[nk:])
            out = f(carry, x)
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError(f"scan body output must be a pair, got {out}.")
            c_flat, store["carry_tree"] = pytree.tree_flatten(out[0])
            y_flat, store["y_tree"] = pytree.tree_flatten(out[1])
            store["nc"] = len(c_flat)
            return [asarray(v) for v in c_flat] + [asarray(v) for v in y_flat]

        closed = trace_to_jaxpr(flat_fun, list(carry_avals) + x_avals, name="scan")
        out_avals = [v.aval for v in closed.jaxpr.outvars]
        return closed, store, out_avals[:store["nc"]]

    init_avals = [x.aval for x in init_flat]
    closed, store, carry_out_avals = trace_body(init_avals)
    if store["carry_tree"] != init_tree:
        _check_carry_type("scan body", f, init, init_tree, init_avals, store["carry_tree"],
                          carry_out_avals)
    # weakly typed initial carries (Python scalars) take the type the body gives them
    changed = False
    for i, (a, b) in enumerate(zip(init_avals, carry_out_avals)):
        if a.weak_type and not _same(a, b):
            init_flat[i] = _ew.convert_element_type(init_flat[i], dtypes.result_type(
                init_flat[i], b))
            changed = True
    if changed:
        init_avals = [x.aval for x in init_flat]
        closed, store, carry_out_avals = trace_body(init_avals)
    _check_carry_type("scan body", f, init, init_tree, init_avals, store["carry_tree"],
                      carry_out_avals)
    outs = _bind_scan(closed, [], init_flat, xs_flat, length=length, reverse=bool(reverse),
                      unroll=unroll, linear=[False] * (nk + len(xs_flat)))
    carry = pytree.tree_unflatten(init_tree, outs[:nk])
    ys = pytree.tree_unflatten(store["y_tree"], outs[nk:])
    return carry, ys


# ----------------------------------------------------------------------------- map

def _vmap0(f, x):
    """vmap(f)(x) over axis 0 of every leaf (the batching interpreter, without the
    public API above lax)."""
    from ..interpreters.batching import batch_flat
    leaves, tree = pytree.tree_flatten(x)
    size = leaves[0].shape[0]
    store = {}

    def flat_f(*ls):
        out = f(pytree.tree_unflatten(tree, ls))
        o_flat, store["tree"] = pytree.tree_flatten(out)
        return [asarray(o) for o in o_flat]

    outs = batch_flat(flat_f, leaves, [0] * len(leaves), lambda n: [0] * n, size)
    return pytree.tree_unflatten(store["tree"], outs)


def map(f, xs, *, batch_size: int | None = None):
    """Apply `f` to each slice of `xs` along its leading axis and stack the results
    (jax.lax.map). With `batch_size`, slices are processed `batch_size` at a time
    under vmap (the remainder in one more vmap); `batch_size=0` is one full vmap.

    >>> lax.map(lambda x: x * 2, jnp.arange(3))  # doctest: +SKIP
    Array([0, 2, 4], dtype=int32)
    """
    if batch_size is None:
        _, ys = scan(lambda _, x: ((), f(x)), (), xs)
        return ys
    batch_size = operator.index(batch_size)
    if batch_size < 0:
        raise ValueError(f"lax.map: batch_size must be non-negative, got {batch_size}.")
    leaves, tree = pytree.tree_flatten(xs)
    leaves = [asarray(x) for x in leaves]
    if not leaves:
        _, ys = scan(lambda _, x: ((), f(x)), (), xs)
        return ys
    n = leaves[0].shape[0]
    num_batches, remainder = (0, n) if batch_size == 0 else divmod(n, batch_size)
    done = num_batches * batch_size
    scan_ys = None
    if num_batches:
        scan_xs = pytree.tree_unflatten(tree, [
            _sh.reshape(_ix.slice_in_dim(x, 0, done), (num_batches, batch_size) + x.shape[1:])
            for x in leaves])
        _, scan_ys = scan(lambda _, x: ((), _vmap0(f, x)), (), scan_xs)
        scan_ys = pytree.tree_map(
            lambda y: _sh.reshape(y, (y.shape[0] * y.shape[1],) + tuple(y.shape[2:])), scan_ys)
    if remainder or scan_ys is None:
        rem_xs = pytree.tree_unflatten(tree, [_ix.slice_in_dim(x, done, None) for x in leaves])
        rem_ys = _vmap0(f, rem_xs)
        if scan_ys is None:
            return rem_ys
        return pytree.tree_map(lambda a, b: _sh.concatenate([a, b], 0), scan_ys, rem_ys)
    return scan_ys


# ----------------------------------------------------------------------------- associative_scan

def _interleave(a, b, axis):
    """Interleave a and b along `axis` (a first; len(a) == len(b) or len(b) + 1)."""
    na, nb = a.shape[axis], b.shape[axis]
    a_pad = [(0, 0, 0)] * a.ndim
    b_pad = [(0, 0, 0)] * b.ndim
    a_pad[axis] = (0, 1 if na == nb else 0, 1)
    b_pad[axis] = (1, 0 if na == nb else 1, 1)
    op = _ew.bitwise_or if a.dtype == np.bool_ else _ew.add
    za = Array(np.zeros((), a.dtype), False)
    zb = Array(np.zeros((), b.dtype), False)
    return op(_sh.pad(a, za, a_pad), _sh.pad(b, zb, b_pad))


def associative_scan(fn, elems, reverse: bool = False, axis: int = 0):
    """Inclusive scan with an associative binary `fn`, in O(log n) parallel steps
    (jax.lax.associative_scan). `elems` is a pytree of arrays sharing the size of
    `axis`; `fn(a, b)` combines two such pytrees elementwise along it.

    >>> lax.associative_scan(lax.add, jnp.arange(5))  # doctest: +SKIP
    Array([ 0,  1,  3,  6, 10], dtype=int32)
    """
    if not callable(fn):
        raise TypeError("lax.associative_scan: fn argument should be callable.")
    elems_flat, tree = pytree.tree_flatten(elems)
    elems_flat = [asarray(e) for e in elems_flat]
    if not elems_flat:
        return elems
    if reverse:
        elems_flat = [_sh.rev(e, (canonical_axis(axis, e.ndim),)) for e in elems_flat]

    def combine(a_flat, b_flat):
        c = fn(pytree.tree_unflatten(tree, a_flat), pytree.tree_unflatten(tree, b_flat))
        c_flat, c_tree = pytree.tree_flatten(c)
        if c_tree != tree:
            raise TypeError(f"lax.associative_scan: fn must return a pytree of the structure "
                            f"of elems ({tree}), got {c_tree}.")
        return [asarray(x) for x in c_flat]

    axis = canonical_axis(axis, elems_flat[0].ndim)
    num_elems = int(elems_flat[0].shape[axis])
    if not all(int(e.shape[axis]) == num_elems for e in elems_flat[1:]):
        raise ValueError("Array inputs to associative_scan must have the same first "
                         f"dimension. (saw: {[tuple(e.shape) for e in elems_flat]})")

    def sl(e, start, limit, stride=1):
        return _ix.slice_in_dim(e, start, limit, stride, axis)

    def _scan(elems):
        n = elems[0].shape[axis]
        if n < 2:
            return elems
        # combine adjacent pairs, scan the half-length result recursively
        reduced = combine([sl(e, 0, -1, 2) for e in elems], [sl(e, 1, None, 2) for e in elems])
        odd = _scan(reduced)
        if n % 2 == 0:
            even = combine([sl(e, 0, -1) for e in odd], [sl(e, 2, None, 2) for e in elems])
        else:
            even = combine(odd, [sl(e, 2, None, 2) for e in elems])
        # the first element of a scan is the first element of the input
        even = [_sh.concatenate([sl(e, 0, 1), r], axis) for e, r in zip(elems, even)]
        return [_interleave(e, o, axis) for e, o in zip(even, odd)]

    scans = _scan(elems_flat)
    if reverse:
        scans = [_sh.rev(s, (axis,)) for s in scans]
    return pytree.tree_unflatten(tree, scans)
