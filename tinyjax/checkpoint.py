"""checkpoint / remat: recompute a function's intermediates in the backward pass
instead of saving them, as chosen by a policy.

`checkpoint_p` is a higher-order primitive carrying the function's jaxpr, with a rule
for every interpreter: eager evaluation runs the jaxpr; JVP differentiates the jaxpr;
partial evaluation (linearize) splits it so that only the inputs (plus whatever the
policy saves) become residuals, and the unknown half recomputes the rest; its
transpose replays that half inside the backward pass.
"""
from __future__ import annotations

import functools

from .core import pytree
from .core.abstract import raise_to_shaped
from .core.jaxpr import ClosedJaxpr, eval_jaxpr, pp_param_rules
from .core.trace import Primitive, abstract_eval_rules
from .interpreters import ad
from .interpreters.call_rules import call_batch, call_jvp, call_partial_eval, consts_as_args
from .interpreters.eval import array_impl_rules
from .interpreters.partial_eval import (
    PartialEvalTracer,
    PartialVal,
    partial_eval_jaxpr,
    partial_eval_rules,
    trace_to_jaxpr,
)


class checkpoint_policies:
    """Which intermediate values may be saved for the backward pass."""

    @staticmethod
    def nothing_saveable(prim, *avals, **params) -> bool:
        return False

    @staticmethod
    def everything_saveable(prim, *avals, **params) -> bool:
        return True

    @staticmethod
    def dots_saveable(prim, *avals, **params) -> bool:
        return prim.name in ("dot_general", "conv_general_dilated")

    checkpoint_dots = dots_saveable

    @staticmethod
    def dots_with_no_batch_dims_saveable(prim, *avals, **params) -> bool:
        if prim.name != "dot_general":
            return False
        (_, _), (lb, rb) = params["dimension_numbers"]
        return not lb and not rb


checkpoint_p = Primitive("checkpoint", multiple_results=True)
checkpoint_p.inline_jaxpr_param = "jaxpr"
abstract_eval_rules[checkpoint_p] = lambda *avals, jaxpr, prevent_cse, differentiated, policy: \
    [v.aval for v in jaxpr.jaxpr.outvars]
pp_param_rules[checkpoint_p] = lambda params: {
    "jaxpr": params["jaxpr"], "prevent_cse": params["prevent_cse"],
    "differentiated": params["differentiated"],
    "policy": getattr(params["policy"], "__name__", params["policy"])}


def _checkpoint_impl(*args, jaxpr, prevent_cse, differentiated, policy):
    return eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)


array_impl_rules[checkpoint_p] = _checkpoint_impl


def _closed_to_args(closed: ClosedJaxpr):
    """(jaxpr without constvars, consts as leading arguments)."""
    c, consts = consts_as_args(closed)
    return c.jaxpr, consts


def _checkpoint_jvp(primals, tangents, *, jaxpr, prevent_cse, differentiated, policy):
    return call_jvp(checkpoint_p, jaxpr, primals, tangents,
                    dict(prevent_cse=prevent_cse, differentiated=True, policy=policy),
                    "checkpoint jvp")


ad.jvp_rules[checkpoint_p] = _checkpoint_jvp


def _checkpoint_partial_eval(trace, tracers, *, jaxpr, prevent_cse, differentiated, policy):
    if any(e.primitive in partial_eval_rules for e in jaxpr.jaxpr.eqns):
        # higher-order equations inside (scan, cond, while...) must split by their
        # own rules: trace the split (it saves every residual the unknown half needs)
        return call_partial_eval(
            checkpoint_p, trace, tracers, jaxpr,
            dict(prevent_cse=prevent_cse, differentiated=differentiated, policy=policy),
            "checkpoint partial eval")
    j, consts = _closed_to_args(jaxpr)
    in_unknowns = [False] * len(consts) + [not t.pval.is_known for t in tracers]
    pol = policy or checkpoint_policies.nothing_saveable
    known_j, unknown_j, out_unknowns, num_res = partial_eval_jaxpr(
        j, in_unknowns, saveable=lambda prim, params: pol(prim, **params))
    params = dict(prevent_cse=prevent_cse, differentiated=differentiated, policy=policy)
    known_vals = consts + [t.pval.const for t in tracers if t.pval.is_known]
    known_outs = checkpoint_p.bind(*known_vals, jaxpr=ClosedJaxpr(known_j, []), **params)
    n_known_out = len(known_outs) - num_res
    residuals = known_outs[n_known_out:]
    res_tracers = [trace.instantiate_const(trace.pure(r)) for r in residuals]
    unknown_in = [t for t in tracers if not t.pval.is_known]
    unknown_outs = trace.record(checkpoint_p, res_tracers + unknown_in,
                                dict(jaxpr=ClosedJaxpr(unknown_j, []), **params),
                                avals_out=[v.aval for v in unknown_j.outvars])
    k_it, u_it = iter(known_outs[:n_known_out]), iter(unknown_outs)
    return [next(u_it) if u else PartialEvalTracer(trace, PartialVal.known(next(k_it)), None)
            for u in out_unknowns]


partial_eval_rules[checkpoint_p] = _checkpoint_partial_eval


def _checkpoint_transpose(cts, *args, jaxpr, prevent_cse, differentiated, policy):
    return ad.backward_pass(jaxpr.jaxpr, jaxpr.consts, args, cts)


ad.transpose_rules[checkpoint_p] = _checkpoint_transpose


def checkpoint(fun, *, prevent_cse: bool = True, policy=None, static_argnums=()):
    """Make `fun` recompute its intermediates during the backward pass (jax.checkpoint).

    `policy(prim, *avals, **params) -> bool` says which intermediates may be saved
    (see `checkpoint_policies`); the default saves nothing but the inputs.

    >>> g = grad(checkpoint(lambda x: jnp.sin(jnp.sin(x))))  # doctest: +SKIP
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)

    @functools.wraps(fun)
    def fun_remat(*args, **kwargs):
        statics = {i: args[i] for i in static_argnums}
        dyn = [a for i, a in enumerate(args) if i not in statics]
        flat, in_tree = pytree.tree_flatten((dyn, kwargs))
        from .autodiff import _as_array
        flat = [_as_array(x) for x in flat]
        store = {}

        def flat_fun(*leaves):
            d, kw = pytree.tree_unflatten(in_tree, leaves)
            it = iter(d)
            full = [statics[i] if i in statics else next(it) for i in range(len(args))]
            out = fun(*full, **kw)
            out_leaves, store["tree"] = pytree.tree_flatten(out)
            return out_leaves

        closed = trace_to_jaxpr(flat_fun, [raise_to_shaped(x) for x in flat],
                                name="checkpoint")
        j, consts = _closed_to_args(closed)
        outs = checkpoint_p.bind(*consts, *flat, jaxpr=ClosedJaxpr(j, []),
                                 prevent_cse=prevent_cse, differentiated=False, policy=policy)
        return pytree.tree_unflatten(store["tree"], outs)

    return fun_remat


remat = checkpoint

__all__ = ["checkpoint", "checkpoint_p", "checkpoint_policies", "remat"]


def _checkpoint_batch(trace, vals, dims, *, jaxpr, prevent_cse, differentiated, policy):
    return call_batch(checkpoint_p, jaxpr, vals, dims,
                      dict(prevent_cse=prevent_cse, differentiated=differentiated,
                           policy=policy), "checkpoint vmap", frame=trace.frame)


def _register_batching():
    # a collective rule, so that collectives over the vmap's axis name resolve inside
    from .interpreters.batching import collective_rules
    collective_rules[checkpoint_p] = _checkpoint_batch


_register_batching()
