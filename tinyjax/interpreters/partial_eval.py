"""Tracing to a jaxpr: the dynamic jaxpr trace behind `make_jaxpr` (and later jit).

Every primitive applied while this trace is the dynamic one is recorded as an
equation, constants included ("omnistaging"). Scalar constants become inline
literals; other constants (and tracers of outer transformations closed over by
the function) become constvars.
"""
from __future__ import annotations

import numpy as np

from ..core import pytree
from ..core import trace as core
from ..core.abstract import ShapedArray, raise_to_shaped
from ..core.array import Array
from ..core.jaxpr import ClosedJaxpr, Jaxpr, JaxprEqn, Literal, Var
from ..core.trace import Trace, Tracer, abstract_eval_rules


class JaxprTracer(Tracer):
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
        t = JaxprTracer(trace, aval)
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
