"""Tracing to a jaxpr: the dynamic jaxpr trace behind `make_jaxpr` (and later jit).

Every primitive applied while this trace is the dynamic one is recorded as an
equation, constants included ("omnistaging"). Scalar constants become inline
literals; other constants (and tracers of outer transformations closed over by
the function) become constvars.
"""
from __future__ import annotations

import weakref

import numpy as np

from ..core import pytree
from ..core import trace as core
from ..core.abstract import ShapedArray, raise_to_shaped
from ..core.array import Array
from ..core.jaxpr import ClosedJaxpr, DropVar, Jaxpr, JaxprEqn, Literal, Var, dce_jaxpr
from ..core.trace import Trace, Tracer, abstract_eval_rules
from .eval import _abstract_eval_cached


class DynamicJaxprTracer(Tracer):
    __slots__ = ("_aval",)

    def __init__(self, trace, aval: ShapedArray):
        self._trace = trace
        self._aval = aval

    @property
    def aval(self):
        return self._aval


class JaxprBuilder:
    """Collects equations, constants and the tracer -> variable map of one trace."""

    def __init__(self, name: str = "make_jaxpr"):
        self.name = name
        self.eqns: list = []
        self.tracer_to_var: dict = {}  # id(tracer) -> Var | Literal
        self.tracers: list = []  # keep tracers alive so their ids stay unique
        self.const_tracers: dict = {}  # id(const value) -> tracer
        self.constvar_vals: list = []  # (Var, value)

    def new_tracer(self, trace, aval, var):
        t = DynamicJaxprTracer(trace, aval)
        self.tracers.append(t)
        self.tracer_to_var[id(t)] = var
        return t

    def getvar(self, t):
        return self.tracer_to_var[id(t)]

    def to_jaxpr(self, in_tracers, out_tracers):
        constvars = [v for v, _ in self.constvar_vals]
        consts = [c for _, c in self.constvar_vals]
        invars = [self.getvar(t) for t in in_tracers]
        outvars = [self.getvar(t) for t in out_tracers]
        return ClosedJaxpr(Jaxpr(constvars, invars, outvars, self.eqns), consts)


def _is_literalable(val) -> bool:
    return not isinstance(val, Tracer) and np.shape(val) == () and (
        type(val) is Array or isinstance(val, (np.ndarray, np.generic, bool, int, float))
    )


class DynamicJaxprTrace(Trace):
    __slots__ = ()

    @property
    def builder(self) -> JaxprBuilder:
        return self.main.payload

    def new_arg(self, aval):
        return self.builder.new_tracer(self, aval, Var(aval))

    def pure(self, val):
        b = self.builder
        t = b.const_tracers.get(id(val))
        if t is not None:
            return t
        aval = raise_to_shaped(val)
        if _is_literalable(val):
            var = Literal(np.asarray(val).item() if not isinstance(val, Array) else val.item(),
                          aval)
        else:
            var = Var(aval)
            b.constvar_vals.append((var, val))
        t = b.new_tracer(self, aval, var)
        b.const_tracers[id(val)] = t
        b.tracers.append(val)  # keep the constant alive: its id is a key
        return t

    lift = pure

    def process_primitive(self, prim, tracers, params):
        b = self.builder
        avals_in = [t.aval for t in tracers]
        rule = abstract_eval_rules.get(prim)
        if rule is None:
            raise NotImplementedError(f"abstract evaluation rule for '{prim}' is not implemented")
        out_avals = rule(*avals_in, **params)
        multiple = prim.multiple_results
        outs = out_avals if multiple else [out_avals]
        out_tracers = [b.new_tracer(self, a, Var(a)) for a in outs]
        b.eqns.append(
            JaxprEqn(prim, [b.getvar(t) for t in tracers],
                     [b.getvar(t) for t in out_tracers], dict(params))
        )
        return out_tracers if multiple else out_tracers[0]

    def description(self) -> str:
        return f"{self.builder.name} tracing"


def trace_to_jaxpr(fun, in_avals, name: str = "make_jaxpr"):
    """Trace `fun(*tracers) -> list of outputs` to a ClosedJaxpr."""
    builder = JaxprBuilder(name)
    with core.new_main(DynamicJaxprTrace, dynamic=True, payload=builder) as main:
        trace = DynamicJaxprTrace(main)
        in_tracers = [trace.new_arg(a) for a in in_avals]
        outs = fun(*in_tracers)
        out_tracers = [trace.full_raise(o) for o in outs]
        closed = builder.to_jaxpr(in_tracers, out_tracers)
    return closed


def trace_pytree_fn(fun, args, kwargs, name: str = "make_jaxpr"):
    """Trace a pytree-in / pytree-out function. Returns (closed_jaxpr, out_treedef)."""
    flat_args, in_tree = pytree.tree_flatten((args, kwargs))
    in_avals = [_arg_aval(x, name) for x in flat_args]
    out_tree_box = []

    def flat_fun(*tracers):
        a, k = pytree.tree_unflatten(in_tree, tracers)
        out = fun(*a, **k)
        flat_out, out_tree = pytree.tree_flatten(out)
        out_tree_box.append(out_tree)
        return flat_out

    closed = trace_to_jaxpr(flat_fun, in_avals, name)
    return closed, out_tree_box[0]


def _arg_aval(x, name):
    if not (isinstance(x, (Array, Tracer, np.ndarray, np.generic, bool, int, float))):
        raise TypeError(
            f"Argument {x!r} of type {type(x).__name__} passed to {name} is not a valid array "
            f"type. Pass arrays or scalars, or mark the argument static (static_argnums)."
        )
    return raise_to_shaped(x)


# ============================================================================= partial evaluation
# Known values are computed right away (by the trace below); unknown ones are recorded
# as recipes and assembled into a jaxpr. linearize = JVP under this trace, with the
# primals known and the tangents unknown.

class PartialVal:
    """A value that is either known (`const`) or unknown (only its `aval`)."""

    __slots__ = ("aval", "const")

    def __init__(self, aval, const):
        self.aval = aval
        self.const = const

    @classmethod
    def known(cls, val) -> "PartialVal":
        return cls(raise_to_shaped(val), val)

    @classmethod
    def unknown(cls, aval) -> "PartialVal":
        return cls(aval, None)

    @property
    def is_known(self) -> bool:
        return self.const is not None


class _LambdaBinding:
    __slots__ = ()


class _ConstRecipe:
    __slots__ = ("val",)

    def __init__(self, val):
        self.val = val


class _EqnRecipe:
    __slots__ = ("prim", "tracers_in", "params", "avals_out", "tracer_refs_out")

    def __init__(self, prim, tracers_in, params, avals_out, tracer_refs_out):
        self.prim = prim
        self.tracers_in = tracers_in
        self.params = params
        self.avals_out = avals_out
        self.tracer_refs_out = tracer_refs_out


class PartialEvalTracer(Tracer):
    __slots__ = ("pval", "recipe")

    def __init__(self, trace, pval: PartialVal, recipe):
        self._trace = trace
        self.pval = pval
        self.recipe = recipe

    @property
    def aval(self):
        return self.pval.aval

    def full_lower(self):
        return self.pval.const if self.pval.is_known else self

    def to_concrete_value(self):
        c = self.pval.const
        if c is None:
            return None
        return c.to_concrete_value() if hasattr(c, "to_concrete_value") else np.asarray(c)


# primitive -> rule(trace, tracers, **params) -> output tracers, for higher-order
# primitives (remat, ...) that split their own work into known and unknown parts
partial_eval_rules: dict = {}


class PartialEvalTrace(Trace):
    __slots__ = ()

    def new_arg(self, pval: PartialVal):
        if pval.is_known:
            return PartialEvalTracer(self, pval, None)
        return PartialEvalTracer(self, pval, _LambdaBinding())

    def pure(self, val):
        return PartialEvalTracer(self, PartialVal.known(val), None)

    lift = pure

    def instantiate_const(self, tracer: PartialEvalTracer) -> PartialEvalTracer:
        if tracer.pval.is_known:
            return PartialEvalTracer(self, PartialVal.unknown(tracer.aval),
                                     _ConstRecipe(tracer.pval.const))
        return tracer

    def process_primitive(self, prim, tracers, params):
        if all(t.pval.is_known for t in tracers):
            return prim.bind(*[t.pval.const for t in tracers], **params)
        rule = partial_eval_rules.get(prim)
        if rule is not None:
            return rule(self, tracers, **params)
        return self.record(prim, tracers, params)

    def record(self, prim, tracers, params, avals_out=None):
        """Stage `prim` out into the jaxpr being built (its inputs made unknown)."""
        tracers_in = [self.instantiate_const(t) for t in tracers]
        if avals_out is None:
            avals_out = _abstract_eval_cached(prim, [t.aval for t in tracers_in], params)
            if not prim.multiple_results:
                avals_out = [avals_out]
        outs = [PartialEvalTracer(self, PartialVal.unknown(a), None) for a in avals_out]
        recipe = _EqnRecipe(prim, tracers_in, dict(params), avals_out,
                            [weakref.ref(t) for t in outs])
        for t in outs:
            t.recipe = recipe
        return outs if prim.multiple_results else outs[0]

    def description(self) -> str:
        return "partial evaluation (linearize)"


def _toposort(out_tracers):
    order, seen = [], set()

    def visit(t):
        if id(t) in seen:
            return
        seen.add(id(t))
        recipe = t.recipe
        if isinstance(recipe, _EqnRecipe):
            for u in recipe.tracers_in:
                visit(u)
        order.append(t)

    for t in out_tracers:
        visit(t)
    return order


def tracers_to_jaxpr(in_tracers, out_tracers):
    """Assemble the recipes reachable from `out_tracers` into a jaxpr (so dead code is
    never emitted). Returns (jaxpr, consts)."""
    tracer_to_var: dict = {}
    constvars, consts, eqns = [], [], []
    processed_eqns: set = set()
    for t in in_tracers:
        tracer_to_var[id(t)] = Var(t.aval)
    for t in _toposort(out_tracers):
        r = t.recipe
        if id(t) in tracer_to_var:
            continue
        if isinstance(r, _LambdaBinding):
            raise ValueError("tracer is an input of another function being linearized")
        if isinstance(r, _ConstRecipe):
            v = Var(t.aval)
            tracer_to_var[id(t)] = v
            constvars.append(v)
            consts.append(r.val)
        elif isinstance(r, _EqnRecipe):
            if id(r) in processed_eqns:
                continue
            processed_eqns.add(id(r))
            outvars = []
            for ref, a in zip(r.tracer_refs_out, r.avals_out):
                o = ref()
                if o is None:
                    outvars.append(DropVar(a))
                else:
                    v = Var(a)
                    tracer_to_var[id(o)] = v
                    outvars.append(v)
            eqns.append(JaxprEqn(r.prim, [tracer_to_var[id(u)] for u in r.tracers_in],
                                 outvars, r.params))
    invars = [tracer_to_var[id(t)] for t in in_tracers]
    outvars = [tracer_to_var[id(t)] for t in out_tracers]
    return Jaxpr(constvars, invars, outvars, eqns), consts


def partial_eval_flat(fun, pvals_in):
    """Run `fun` with some inputs known and some unknown. Returns (jaxpr, pvals_out,
    consts): the jaxpr maps the unknown inputs to the unknown outputs."""
    with core.new_main(PartialEvalTrace) as main:
        trace = PartialEvalTrace(main)
        tracers_in = [trace.new_arg(p) for p in pvals_in]
        outs = fun(*tracers_in)
        tracers_out = [trace.full_raise(o) for o in outs]
        pvals_out = [t.pval for t in tracers_out]
        unknown_in = [t for t in tracers_in if not t.pval.is_known]
        unknown_out = [t for t in tracers_out if not t.pval.is_known]
        jaxpr, consts = tracers_to_jaxpr(unknown_in, unknown_out)
    return jaxpr, pvals_out, consts


def partial_eval_jaxpr(jaxpr: Jaxpr, in_unknowns, saveable=lambda prim, params: False):
    """Split a jaxpr (without constvars) into a known part and an unknown part.

    known jaxpr:   known inputs -> known outputs + residuals
    unknown jaxpr: residuals + unknown inputs -> unknown outputs
    A known value the unknown part needs is a residual if it is a known input or the
    output of a `saveable` equation; otherwise the unknown part recomputes it (this is
    what rematerialization policies choose). Returns (known_jaxpr, unknown_jaxpr,
    out_unknowns, num_residuals).
    """
    unknown: set = {id(v) for v, u in zip(jaxpr.invars, in_unknowns) if u}
    producer: dict = {}
    for eqn in jaxpr.eqns:
        if any(isinstance(v, Var) and id(v) in unknown for v in eqn.invars):
            unknown.update(id(v) for v in eqn.outvars)
        for v in eqn.outvars:
            producer[id(v)] = eqn
    out_unknowns = [isinstance(v, Var) and id(v) in unknown for v in jaxpr.outvars]
    known_inputs = {id(v) for v, u in zip(jaxpr.invars, in_unknowns) if not u}

    residuals: list = []
    res_ids: set = set()
    recompute: list = []
    recompute_ids: set = set()

    def need_known(v):
        if not isinstance(v, Var) or id(v) in res_ids or id(v) in recompute_ids:
            return
        if id(v) in known_inputs:
            res_ids.add(id(v))
            residuals.append(v)
            return
        eqn = producer[id(v)]
        if saveable(eqn.primitive, eqn.params):
            res_ids.add(id(v))
            residuals.append(v)
            return
        if id(eqn) not in recompute_ids:
            recompute_ids.add(id(eqn))
            recompute_ids.update(id(o) for o in eqn.outvars)
            for u in eqn.invars:
                need_known(u)
            recompute.append(eqn)

    unknown_eqns = [e for e in jaxpr.eqns if id(e.outvars[0]) in unknown]
    for eqn in unknown_eqns:
        for v in eqn.invars:
            if isinstance(v, Var) and id(v) not in unknown:
                need_known(v)
    known_eqns = [e for e in jaxpr.eqns if id(e.outvars[0]) not in unknown]
    known_outs = [v for v, u in zip(jaxpr.outvars, out_unknowns) if not u]
    known_jaxpr = dce_jaxpr(Jaxpr([], [v for v, u in zip(jaxpr.invars, in_unknowns) if not u],
                                  known_outs + residuals, known_eqns))
    recompute_order = [e for e in jaxpr.eqns if id(e) in recompute_ids]
    unknown_jaxpr = dce_jaxpr(Jaxpr(
        [], residuals + [v for v, u in zip(jaxpr.invars, in_unknowns) if u],
        [v for v, u in zip(jaxpr.outvars, out_unknowns) if u],
        recompute_order + unknown_eqns))
    return known_jaxpr, unknown_jaxpr, out_unknowns, len(residuals)
