"""custom_jvp and custom_vjp: functions whose derivative rule is given by the user.

The rule is used only by differentiation; every other transformation (eager
evaluation, tracing to a jaxpr) runs the function itself.
"""
from __future__ import annotations

import functools
import inspect

from .autodiff import _as_array
from .core import pytree
from .core import trace as core
from .core.abstract import raise_to_shaped
from .core.ad_util import Zero, zeros_like_aval


def _resolve_args(fun, args, kwargs):
    if not kwargs:
        return tuple(args)
    try:
        sig = inspect.signature(fun)
    except (TypeError, ValueError):
        raise TypeError("keyword arguments to a custom_jvp/custom_vjp function need a "
                        "function with an inspectable signature") from None
    bound = sig.bind(*args, **kwargs)
    bound.apply_defaults()
    return tuple(bound.arguments.values())


def _prepare(obj, args, kwargs):
    """Shared by custom_jvp/custom_vjp calls: split off the nondiff args, flatten the
    differentiable ones, and make the flat version of the function (its output tree is
    left in `store`)."""
    args = _resolve_args(obj.fun, args, kwargs)
    nd = obj.nondiff_argnums
    nondiff, diff = _split(args, nd)
    flat, in_tree = pytree.tree_flatten(diff)
    flat = [_as_array(a) for a in flat]
    store = {}

    def rebuild(leaves):
        return _rebuild(nd, nondiff, pytree.tree_unflatten(in_tree, leaves), len(args))

    def fun_flat(*leaves):
        leaves_out, store["tree"] = pytree.tree_flatten(obj.fun(*rebuild(leaves)))
        return leaves_out

    return nondiff, diff, flat, in_tree, rebuild, fun_flat, store


def _split(args, nondiff_argnums):
    nondiff = tuple(args[i] for i in nondiff_argnums)
    diff = tuple(a for i, a in enumerate(args) if i not in nondiff_argnums)
    return nondiff, diff


def _rebuild(nondiff_argnums, nondiff, diff, n):
    it_nd, it_d = iter(nondiff), iter(diff)
    return [next(it_nd) if i in nondiff_argnums else next(it_d) for i in range(n)]


class custom_jvp:
    """A function with a custom forward-mode rule (reverse mode derives from it).

    >>> @custom_jvp
    ... def f(x):
    ...     return jnp.sin(x)
    >>> @f.defjvp
    ... def f_jvp(primals, tangents):
    ...     (x,), (t,) = primals, tangents
    ...     return f(x), jnp.cos(x) * t
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.jvp = None
        self.symbolic_zeros = False

    def defjvp(self, jvp, symbolic_zeros: bool = False):
        """Set the rule jvp(*nondiff_args, primals, tangents) -> (primal_out, tangent_out)."""
        self.jvp = jvp
        self.symbolic_zeros = symbolic_zeros
        return jvp

    def defjvps(self, *jvps):
        """One rule per differentiable argument: jvp_i(g_i, primal_out, *primals) -> the
        output tangent's part from argument i (None: that argument has no derivative)."""
        if self.nondiff_argnums:
            raise TypeError("defjvps is not supported with nondiff_argnums; use defjvp")

        def jvp(primals, tangents):
            primal_out = self(*primals)
            acc = None
            for rule, t in zip(jvps, tangents):
                if rule is None:
                    continue
                part = rule(t, primal_out, *primals)
                acc = part if acc is None else pytree.tree_map(lambda a, b: a + b, acc, part)
            if acc is None:
                acc = pytree.tree_map(lambda o: zeros_like_aval(raise_to_shaped(_as_array(o))),
                                      primal_out)
            return primal_out, acc

        self.defjvp(jvp)

    def __call__(self, *args, **kwargs):
        if self.jvp is None:
            raise AttributeError(f"No JVP defined for custom_jvp function "
                                 f"{getattr(self.fun, '__name__', self.fun)} using defjvp.")
        nondiff, _, flat, in_tree, _, fun_flat, store = _prepare(self, args, kwargs)

        def jvp_flat(primals, tangents):
            p = tuple(pytree.tree_unflatten(in_tree, primals))
            t = tuple(pytree.tree_unflatten(in_tree, tangents))
            po, to = self.jvp(*nondiff, p, t)
            po_leaves, po_tree = pytree.tree_flatten(po)
            to_leaves, to_tree = pytree.tree_flatten(to)
            if po_tree != to_tree:
                raise TypeError(f"Custom JVP rule must produce primal and tangent outputs with "
                                f"equal container (pytree) structures, but got {po_tree} and "
                                f"{to_tree} respectively.")
            store["tree"] = po_tree
            return [_as_array(x) for x in po_leaves], [_as_array(x) for x in to_leaves]

        trace = core.find_top_trace(flat)
        tracers = [trace.full_raise(a) for a in flat]
        outs = trace.process_custom_jvp_call(fun_flat, jvp_flat, tracers,
                                             symbolic_zeros=self.symbolic_zeros)
        return pytree.tree_unflatten(store["tree"], [core.full_lower(o) for o in outs])


class custom_vjp:
    """A function with a custom reverse-mode rule given by fwd and bwd.

    fwd(*args) -> (output, residuals); bwd(*nondiff_args, residuals, output_cotangent) ->
    a tuple with one cotangent per differentiable argument.
    """

    def __init__(self, fun, nondiff_argnums=()):
        functools.update_wrapper(self, fun)
        self.fun = fun
        self.nondiff_argnums = tuple(nondiff_argnums)
        self.fwd = None
        self.bwd = None

    def defvjp(self, fwd, bwd, symbolic_zeros: bool = False, optimize_remat: bool = False):
        """Set the forward (fwd) and backward (bwd) rules."""
        self.fwd = fwd
        self.bwd = bwd

    def __call__(self, *args, **kwargs):
        if self.fwd is None:
            raise AttributeError(f"No VJP defined for custom_vjp function "
                                 f"{getattr(self.fun, '__name__', self.fun)} using defvjp.")
        nondiff, diff, flat, in_tree, rebuild, fun_flat, store = _prepare(self, args, kwargs)
        in_avals = [raise_to_shaped(a) for a in flat]

        def fwd_flat(*leaves):
            res_out = self.fwd(*rebuild(leaves))
            if not (isinstance(res_out, (tuple, list)) and len(res_out) == 2):
                raise TypeError("Custom VJP fwd rule must return a pair (output, residuals)")
            out, res = res_out
            out_leaves, store["tree"] = pytree.tree_flatten(out)
            res_leaves, store["res_tree"] = pytree.tree_flatten(res)
            return [_as_array(o) for o in out_leaves], [_as_array(r) for r in res_leaves]

        def bwd_flat(res_leaves, cts):
            res = pytree.tree_unflatten(store["res_tree"], res_leaves)
            ct = pytree.tree_unflatten(store["tree"], cts)
            cts_in = self.bwd(*nondiff, res, ct)
            if not isinstance(cts_in, (tuple, list)):
                raise TypeError("Custom VJP bwd rule must produce a tuple of cotangents, one "
                                f"per differentiable argument; got {type(cts_in).__name__}")
            if len(cts_in) != len(diff):
                raise TypeError(f"Custom VJP bwd rule must produce a tuple of length equal to "
                                f"the number of differentiable arguments ({len(diff)}), got "
                                f"{len(cts_in)}")
            leaves = []
            for arg, c in zip(diff, cts_in):
                arg_leaves = pytree.tree_leaves(arg)
                c_leaves = [None] * len(arg_leaves) if c is None else pytree.tree_leaves(c)
                leaves.extend(c_leaves)
            out = []
            for a, c in zip(in_avals, leaves):
                out.append(Zero(a) if c is None else _as_array(c))
            return out

        trace = core.find_top_trace(flat)
        tracers = [trace.full_raise(a) for a in flat]
        outs = trace.process_custom_vjp_call(fun_flat, fwd_flat, bwd_flat, tracers, None)
        return pytree.tree_unflatten(store["tree"], [core.full_lower(o) for o in outs])


def closure_convert(fun, *example_args):
    """Return (converted_fun, consts): the closed-over arrays of `fun` become explicit
    trailing arguments, so a custom_vjp can differentiate with respect to them."""
    from .api import make_jaxpr
    from .core.jaxpr import eval_jaxpr
    closed, out_shape = make_jaxpr(fun, return_shape=True)(*example_args)
    consts = list(closed.consts)
    n_args = len(pytree.tree_leaves(example_args))

    def converted(*args_and_consts):
        args, cs = args_and_consts[:len(example_args)], args_and_consts[len(example_args):]
        flat = pytree.tree_leaves(args)
        if len(flat) != n_args:
            raise TypeError("closure_convert: wrong number of arguments")
        outs = eval_jaxpr(closed.jaxpr, list(cs), *flat)
        return pytree.tree_unflatten(pytree.tree_structure(out_shape), outs)

    return converted, consts


__all__ = ["closure_convert", "custom_jvp", "custom_vjp"]
