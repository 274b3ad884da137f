"""Rules shared by call-like higher-order primitives (jit, checkpoint), which carry
a closed jaxpr: JVP and batching both build a transformed jaxpr by tracing, then
bind the same primitive on it, so the result stays one call (compiled, for jit)."""
from __future__ import annotations

from ..core.abstract import raise_to_shaped
from ..core.ad_util import Zero, instantiate, tangent_aval
from ..core.jaxpr import ClosedJaxpr, Jaxpr, eval_jaxpr
from . import ad
from .partial_eval import (
    PartialEvalTracer,
    PartialVal,
    partial_eval_flat,
    trace_to_jaxpr,
)


def consts_as_args(closed: ClosedJaxpr):
    """(a ClosedJaxpr taking its constants as leading arguments, the constants)."""
    j = closed.jaxpr
    return ClosedJaxpr(Jaxpr([], list(j.constvars) + list(j.invars), j.outvars, j.eqns), []), \
        list(closed.consts)


def bind_traced(prim, fun, in_avals, args, params, trace_name):
    """Trace `fun` at `in_avals` and bind `prim` on (its constants + args)."""
    closed, consts = consts_as_args(trace_to_jaxpr(fun, in_avals, name=trace_name))
    return prim.bind(*consts, *args, jaxpr=closed, **params)


def call_jvp(prim, closed, primals, tangents, params, trace_name):
    """JVP of a call: one call of `prim` on the primals and the nonzero tangents."""
    nonzero = [type(t) is not Zero for t in tangents]
    n = len(primals)
    avals = [raise_to_shaped(p) for p in primals]

    def jvp_fun(*args):
        it = iter(args[n:])
        ts = [next(it) if nz else Zero(tangent_aval(a)) for a, nz in zip(avals, nonzero)]
        po, to = ad.jvp_flat(lambda *a: eval_jaxpr(closed.jaxpr, closed.consts, *a),
                             args[:n], ts)
        return list(po) + [instantiate(t) for t in to]

    in_avals = avals + [tangent_aval(a) for a, nz in zip(avals, nonzero) if nz]
    outs = bind_traced(prim, jvp_fun, in_avals,
                       list(primals) + [t for t, nz in zip(tangents, nonzero) if nz],
                       params, trace_name)
    m = len(closed.jaxpr.outvars)
    return outs[:m], outs[m:]


def call_batch(prim, closed, vals, dims, params, trace_name, frame=None):
    """vmap of a call: one call of `prim` on the batched jaxpr (batch axes first).
    `frame` (the vmap's axis frame) binds its axis name inside, for collectives."""
    from .batching import batch_flat, moveaxis
    size = frame.size if frame is not None else \
        next(v.shape[d] for v, d in zip(vals, dims) if d is not None)
    vals = [v if d is None else moveaxis(v, d, 0) for v, d in zip(vals, dims)]
    in_dims = [None if d is None else 0 for d in dims]
    n_out = len(closed.jaxpr.outvars)

    def batched(*args):
        return batch_flat(lambda *a: eval_jaxpr(closed.jaxpr, closed.consts, *a), args,
                          in_dims, [0] * n_out, size,
                          axis_name=None if frame is None else frame.name)

    outs = bind_traced(prim, batched, [raise_to_shaped(v) for v in vals], vals, params,
                       trace_name)
    return outs, [0] * n_out


def call_partial_eval(prim, trace, tracers, closed, params, trace_name):
    """Split a call into a known call (known outputs + residuals) and an unknown
    one recorded on `trace`. The split is found by *tracing* the jaxpr under partial
    evaluation, so each inner primitive (loops, conditionals...) splits by its own
    rule; every known value the unknown half needs is saved as a residual."""
    j, consts = consts_as_args(closed)
    known = [True] * len(consts) + [t.pval.is_known for t in tracers]
    avals = [raise_to_shaped(c) for c in consts] + [t.aval for t in tracers]
    box = {}

    def known_fun(*known_vals):
        it = iter(known_vals)
        pvals = [PartialVal.known(next(it)) if k else PartialVal.unknown(a)
                 for k, a in zip(known, avals)]
        ujaxpr, pvals_out, res = partial_eval_flat(
            lambda *a: eval_jaxpr(j.jaxpr, j.consts, *a), pvals)
        box.update(ujaxpr=ujaxpr, out_known=[p.is_known for p in pvals_out], n_res=len(res))
        return [p.const for p in pvals_out if p.is_known] + list(res)

    known_vals = list(consts) + [t.pval.const for t in tracers if t.pval.is_known]
    kclosed, kconsts = consts_as_args(trace_to_jaxpr(
        known_fun, [raise_to_shaped(v) for v in known_vals], name=trace_name))
    known_outs = prim.bind(*kconsts, *known_vals, jaxpr=kclosed, **params)
    n_known_out = len(known_outs) - box["n_res"]
    uj = box["ujaxpr"]
    unknown_closed = ClosedJaxpr(Jaxpr([], list(uj.constvars) + list(uj.invars), uj.outvars,
                                       uj.eqns), [])
    res_tracers = [trace.instantiate_const(trace.pure(r)) for r in known_outs[n_known_out:]]
    unknown_in = [t for t in tracers if not t.pval.is_known]
    unknown_outs = trace.record(prim, res_tracers + unknown_in,
                                dict(jaxpr=unknown_closed, **params),
                                avals_out=[v.aval for v in uj.outvars])
    k_it, u_it = iter(known_outs[:n_known_out]), iter(unknown_outs)
    return [PartialEvalTracer(trace, PartialVal.known(next(k_it)), None) if k else next(u_it)
            for k in box["out_known"]]
