"""Automatic differentiation: the JVP interpreter (forward mode, symbolic zeros),
linearization by partial evaluation, and transposition of linear jaxprs (reverse
mode). Rule tables:

- `jvp_rules[prim](primals, tangents, **params) -> (primal_out, tangent_out)`; tangents
  may be `Zero`, and a rule is only called when at least one is not.
- `transpose_rules[prim](cts, *args, **params) -> cotangents per arg`, for linear
  primitives: `args` holds `UndefinedPrimal` for the linear inputs and values for the
  others; `cts` is the output cotangent (a list when multiple_results), never Zero.
"""
from __future__ import annotations

import numpy as np

from ..core import trace as core
from ..core.abstract import ShapedArray, raise_to_shaped
from ..core.ad_util import Zero, add_any_p, add_tangents, float0, instantiate, tangent_aval
from ..core.trace import Trace, Tracer
from .eval import array_impl_rules, impl_rules

jvp_rules: dict = {}
transpose_rules: dict = {}


# ----------------------------------------------------------------------------- helpers for rules

def defjvp(prim, *rules):
    """JVP from one rule per argument: rule(g, *primals, **params) gives that argument's
    contribution to the output tangent (None: the argument is not differentiable)."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero.from_value(out)
        for rule, t in zip(rules, tangents):
            if rule is not None and type(t) is not Zero:
                acc = add_tangents(acc, rule(t, *primals, **params))
        return out, acc
    jvp_rules[prim] = jvp


def defjvp2(prim, *rules):
    """Like defjvp, but each rule also receives the primal output: rule(g, ans, *primals)."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero.from_value(out)
        for rule, t in zip(rules, tangents):
            if rule is not None and type(t) is not Zero:
                acc = add_tangents(acc, rule(t, out, *primals, **params))
        return out, acc
    jvp_rules[prim] = jvp


def deflinear(prim, transpose_rule):
    """A primitive linear in all its arguments: its JVP applies it to the tangents."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if all(type(t) is Zero for t in tangents):
            zeros = [Zero.from_value(o) for o in out] if prim.multiple_results else \
                Zero.from_value(out)
            return out, zeros
        return out, prim.bind(*map(instantiate, tangents), **params)
    jvp_rules[prim] = jvp
    transpose_rules[prim] = transpose_rule


def defjvp_zero(prim):
    """A primitive whose output does not depend differentiably on its inputs (comparisons,
    integer ops, floor, sign, ...): the output tangent is a symbolic zero."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        if prim.multiple_results:
            return out, [Zero.from_value(o) for o in out]
        return out, Zero.from_value(out)
    jvp_rules[prim] = jvp


class UndefinedPrimal:
    """A linear input of a jaxpr being transposed: only its type is known."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    def __repr__(self):
        return f"UndefinedPrimal({self.aval.str_short()})"


def is_undefined_primal(x) -> bool:
    return type(x) is UndefinedPrimal


# add_any is linear: both operands receive the cotangent
deflinear(add_any_p, lambda ct, x, y: [ct if is_undefined_primal(x) else None,
                                        ct if is_undefined_primal(y) else None])
impl_rules[add_any_p] = np.add


# ----------------------------------------------------------------------------- custom_vjp support
# The tangent of a custom_vjp function's output is custom_lin(residuals, tangents): a
# linear primitive whose transpose is the user's bwd function.

custom_lin_p = core.Primitive("custom_lin", multiple_results=True)
core.abstract_eval_rules[custom_lin_p] = lambda *avals, num_res, bwd, out_avals: list(out_avals)


def _custom_lin_impl(*args, num_res, bwd, out_avals):
    raise TypeError("can't apply forward-mode autodiff (jvp) to a custom_vjp function.")


def _custom_lin_transpose(cts, *args, num_res, bwd, out_avals):
    res = args[:num_res]
    cts_in = bwd(list(res), [instantiate(c) if type(c) is Zero else c for c in cts])
    return [None] * num_res + list(cts_in)


def custom_lin(res, tangents, bwd, out_avals):
    out_avals = tuple(tangent_aval(a) for a in out_avals)
    return custom_lin_p.bind(*res, *[instantiate(t) for t in tangents], num_res=len(res),
                             bwd=bwd, out_avals=out_avals)


transpose_rules[custom_lin_p] = _custom_lin_transpose
array_impl_rules[custom_lin_p] = _custom_lin_impl


# ----------------------------------------------------------------------------- the JVP trace

class JVPTracer(Tracer):
    __slots__ = ("primal", "tangent", "_aval")

    def __init__(self, trace, primal, tangent):
        self._trace = trace
        self.primal = primal
        self.tangent = tangent
        self._aval = None

    @property
    def aval(self):
        a = self._aval
        if a is None:
            a = self._aval = raise_to_shaped(self.primal)
        return a

    def to_concrete_value(self):
        p = self.primal
        if isinstance(p, Tracer):
            return p.to_concrete_value()
        return getattr(p, "to_concrete_value", lambda: np.asarray(p))()

    def full_lower(self):
        return self


class JVPTrace(Trace):
    __slots__ = ()

    def pure(self, val):
        return JVPTracer(self, val, Zero.from_value(val))

    lift = pure

    def process_primitive(self, prim, tracers, params):
        primals = [t.primal for t in tracers]
        tangents = [t.tangent for t in tracers]
        if all(type(t) is Zero for t in tangents):
            # nothing to differentiate: no tangent work at all
            out = prim.bind(*primals, **params)
            if prim.multiple_results:
                return [JVPTracer(self, o, Zero.from_value(o)) for o in out]
            return JVPTracer(self, out, Zero.from_value(out))
        rule = jvp_rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"JVP rule for '{prim}' is not implemented")
        primal_out, tangent_out = rule(primals, tangents, **params)
        if prim.multiple_results:
            return [JVPTracer(self, p, t) for p, t in zip(primal_out, tangent_out)]
        return JVPTracer(self, primal_out, tangent_out)

    def process_custom_jvp_call(self, fun, jvp, tracers, symbolic_zeros=False):
        primals = [t.primal for t in tracers]
        tangents = [t.tangent for t in tracers]
        if all(type(t) is Zero for t in tangents):
            outs = fun(*primals)
            return [JVPTracer(self, o, Zero.from_value(o)) for o in outs]
        if not symbolic_zeros:
            tangents = [instantiate(t) for t in tangents]
        primals_out, tangents_out = jvp(primals, tangents)
        return [JVPTracer(self, p, t) for p, t in zip(primals_out, tangents_out)]

    def process_custom_vjp_call(self, fun, fwd, bwd, tracers, out_avals_fn):
        primals = [t.primal for t in tracers]
        tangents = [t.tangent for t in tracers]
        if all(type(t) is Zero for t in tangents):
            outs = fun(*primals)
            return [JVPTracer(self, o, Zero.from_value(o)) for o in outs]
        primals_out, res = fwd(*primals)
        tangents_out = custom_lin(res, tangents, bwd, [raise_to_shaped(p) for p in primals_out])
        return [JVPTracer(self, p, t) for p, t in zip(primals_out, tangents_out)]

    def description(self) -> str:
        return "jvp"


def jvp_flat(fun, primals, tangents):
    """Run `fun(*primals)` carrying `tangents`; returns (primals_out, tangents_out)
    where tangents_out may contain symbolic Zeros."""
    with core.new_main(JVPTrace) as main:
        trace = JVPTrace(main)
        tracers_in = [JVPTracer(trace, p, t) for p, t in zip(primals, tangents)]
        outs = fun(*tracers_in)
        primals_out, tangents_out = [], []
        for o in outs:
            t = trace.full_raise(o)
            primals_out.append(t.primal)
            tangents_out.append(t.tangent)
    return primals_out, tangents_out


# ----------------------------------------------------------------------------- linearize

def linearize_flat(fun, primals):
    """JVP of `fun` at `primals` under partial evaluation: primal outputs are computed,
    the tangent computation is recorded as a linear jaxpr.

    Returns (primals_out, jaxpr, consts, out_info, diff): `jaxpr` maps the tangents of
    the differentiable (floating-point, `diff[i]`) inputs to the output tangents that
    are not symbolically zero; `out_info[i]` is None for those and a Zero otherwise.
    """
    from .partial_eval import PartialVal, partial_eval_flat
    n = len(primals)
    avals = [raise_to_shaped(p) for p in primals]
    # only floating-point inputs carry tangents; the others get symbolic zeros
    diff = [a.dtype.kind == "f" for a in avals]
    pvals_in = [PartialVal.known(p) for p in primals] + \
        [PartialVal.unknown(tangent_aval(a)) for a, d in zip(avals, diff) if d]
    zero_outs: list = []

    def fun_jvp(*args):
        it = iter(args[n:])
        tangents = [next(it) if d else Zero(tangent_aval(a)) for a, d in zip(avals, diff)]
        # the primals are known: run them below the partial-evaluation trace, which then
        # only sees (and records) the tangent computation
        primals_in = [core.full_lower(p) for p in args[:n]]
        primals_out, tangents_out = jvp_flat(fun, primals_in, tangents)
        zero_outs.extend(t if type(t) is Zero else None for t in tangents_out)
        return list(primals_out) + [instantiate(t) for t in tangents_out]

    jaxpr, pvals_out, consts = partial_eval_flat(fun_jvp, pvals_in)
    m = len(pvals_out) // 2
    primals_out = [pv.const for pv in pvals_out[:m]]
    if any(c is None for c in primals_out):
        raise TypeError("linearize: a primal output depends on the tangents")
    tangent_pvals = pvals_out[m:]
    out_info = []
    for pv, z in zip(tangent_pvals, zero_outs):
        # an output tangent known at linearization time is a constant zero
        out_info.append(None if not pv.is_known else (z if z is not None else Zero(pv.aval)))
    return primals_out, jaxpr, consts, out_info, diff


def eval_linear(jaxpr, consts, out_info, tangents, diff):
    """Apply a linearized jaxpr to the tangents of the differentiable inputs."""
    from ..core.jaxpr import eval_jaxpr
    args = [instantiate(t) for t, d in zip(tangents, diff) if d]
    outs = iter(eval_jaxpr(jaxpr, consts, *args))
    return [next(outs) if info is None else info for info in out_info]


# ----------------------------------------------------------------------------- transposition

def backward_pass(jaxpr, consts, args, cts_out):
    """Transpose a jaxpr that is linear in the args given as UndefinedPrimal.

    Equations with no linear input are evaluated forward first (rematerialized
    values); then the linear ones are transposed in reverse order, accumulating
    cotangents with add_any. Returns one cotangent per arg (Zero where none flows).
    """
    from ..core.jaxpr import DropVar, Literal
    primal_env: dict = {}
    linear: set = set()

    def read_primal(v):
        if isinstance(v, Literal):
            return v.value()
        if id(v) in linear:
            return UndefinedPrimal(v.aval)
        return primal_env[id(v)]

    for v, c in zip(jaxpr.constvars, consts):
        primal_env[id(v)] = c
    for v, a in zip(jaxpr.invars, args):
        if is_undefined_primal(a):
            linear.add(id(v))
        else:
            primal_env[id(v)] = a
    linear_eqns = []
    for eqn in jaxpr.eqns:
        if any(not isinstance(v, Literal) and id(v) in linear for v in eqn.invars):
            linear.update(id(v) for v in eqn.outvars)
            linear_eqns.append(eqn)
        else:
            outs = eqn.primitive.bind(*map(read_primal, eqn.invars), **eqn.params)
            if not eqn.primitive.multiple_results:
                outs = [outs]
            for v, o in zip(eqn.outvars, outs):
                if not isinstance(v, DropVar):
                    primal_env[id(v)] = o

    ct_env: dict = {}

    def write_ct(v, ct):
        if ct is None or type(ct) is Zero or isinstance(v, Literal) or id(v) not in linear:
            return
        prev = ct_env.get(id(v))
        ct_env[id(v)] = ct if prev is None else add_tangents(prev, ct)

    for v, ct in zip(jaxpr.outvars, cts_out):
        write_ct(v, ct)
    for eqn in reversed(linear_eqns):
        cts = [ct_env.pop(id(v), None) for v in eqn.outvars]
        if all(c is None for c in cts):
            continue
        rule = transpose_rules.get(eqn.primitive)
        if rule is None:
            raise NotImplementedError(f"transpose rule for '{eqn.primitive}' is not implemented")
        invals = [read_primal(v) for v in eqn.invars]
        if eqn.primitive.multiple_results:
            ct = [c if c is not None else instantiate(Zero(tangent_aval(v.aval)))
                  for c, v in zip(cts, eqn.outvars)]
        else:
            ct = cts[0]
        cts_in = rule(ct, *invals, **eqn.params)
        for v, c in zip(eqn.invars, cts_in):
            write_ct(v, c)
    return [ct_env.get(id(v), Zero(tangent_aval(v.aval))) if is_undefined_primal(a) else None
            for v, a in zip(jaxpr.invars, args)]


def vjp_flat(fun, primals):
    """Returns (primals_out, f_vjp) with f_vjp(cts_out) -> cotangents of the primals."""
    primals_out, jaxpr, consts, out_info, diff = linearize_flat(fun, primals)
    in_avals = [tangent_aval(raise_to_shaped(p)) for p in primals]

    def f_vjp(cts_out):
        cts = [c for c, info in zip(cts_out, out_info) if info is None]
        args = [UndefinedPrimal(a) for a, d in zip(in_avals, diff) if d]
        cts_in = iter(backward_pass(jaxpr, consts, args, cts))
        return [next(cts_in) if d else Zero(a) for a, d in zip(in_avals, diff)]

    return primals_out, f_vjp


__all__ = ["JVPTrace", "JVPTracer", "UndefinedPrimal", "Zero", "defjvp", "defjvp2",
           "deflinear", "defjvp_zero", "float0", "instantiate", "is_undefined_primal",
           "jvp_flat", "jvp_rules", "transpose_rules", "linearize_flat", "eval_linear",
           "backward_pass", "vjp_flat", "tangent_aval"]
