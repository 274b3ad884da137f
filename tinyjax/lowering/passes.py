"""Jaxpr simplification before fusion: inline nested calls (jit, checkpoint),
fold constants, eliminate common subexpressions, drop dead code.

Each pass maps a `Jaxpr` plus its constant values to a new one; `simplify` runs
them in order. Constants stay arguments of the compiled code (constvars), never
addresses baked into it.
"""
from __future__ import annotations

import numpy as np

from ..core.abstract import ShapedArray
from ..core.jaxpr import DropVar, Jaxpr, JaxprEqn, Literal, Var, dce_jaxpr

FOLD_MAX_ELEMENTS = 64   # fold constant expressions up to this output size


def inline_calls(jaxpr: Jaxpr, consts: list):
    """Replace every call-like equation (a primitive with `inline_jaxpr_param`, such
    as jit or checkpoint) by the equations of its jaxpr, recursively."""
    consts = list(consts)
    constvars = list(jaxpr.constvars)
    if not any(getattr(e.primitive, "inline_jaxpr_param", None) for e in jaxpr.eqns):
        return jaxpr, consts
    eqns: list = []

    def walk(j, env, eqn_list, fresh=False):
        def sub(a):
            return env.get(a, a) if isinstance(a, Var) else a

        for e in eqn_list:
            pname = getattr(e.primitive, "inline_jaxpr_param", None)
            if pname:
                closed = e.params[pname]
                inner = closed.jaxpr
                inner_env = {}
                for v, c in zip(inner.constvars, closed.consts):
                    nv = Var(v.aval)
                    constvars.append(nv)
                    consts.append(c)
                    inner_env[v] = nv
                for v, a in zip(inner.invars, e.invars):
                    inner_env[v] = sub(a)
                walk(inner, inner_env, inner.eqns, fresh=True)
                for v, o in zip(e.outvars, inner.outvars):
                    if not isinstance(v, DropVar):
                        env[v] = inner_env.get(o, o) if isinstance(o, Var) else o
            elif fresh:
                outs = []
                for v in e.outvars:
                    nv = DropVar(v.aval) if isinstance(v, DropVar) else Var(v.aval)
                    env[v] = nv
                    outs.append(nv)
                eqns.append(JaxprEqn(e.primitive, [sub(a) for a in e.invars], outs, e.params))
            else:
                eqns.append(JaxprEqn(e.primitive, [sub(a) for a in e.invars], e.outvars,
                                     e.params))

    env: dict = {}
    walk(jaxpr, env, jaxpr.eqns)
    outvars = [env.get(v, v) if isinstance(v, Var) else v for v in jaxpr.outvars]
    return Jaxpr(constvars, jaxpr.invars, outvars, eqns), consts


def _atom_key(a):
    if isinstance(a, Literal):
        return ("lit", np.asarray(a.val, a.aval.dtype).tobytes(), str(a.aval.dtype),
                a.aval.weak_type)
    return ("var", id(a))


def _params_key(params):
    items = []
    for k, v in sorted(params.items()):
        if isinstance(v, np.ndarray):
            v = ("nd", v.dtype.str, v.shape, v.tobytes())
        items.append((k, v))
    key = tuple(items)
    hash(key)
    return key


def cse(jaxpr: Jaxpr) -> Jaxpr:
    """Common-subexpression elimination: equal primitive, params and operands."""
    seen: dict = {}
    env: dict = {}
    eqns = []

    def sub(a):
        return env.get(a, a) if isinstance(a, Var) else a

    for e in jaxpr.eqns:
        invars = [sub(a) for a in e.invars]
        try:
            key = (e.primitive, tuple(_atom_key(a) for a in invars), _params_key(e.params))
        except TypeError:
            key = None
        prev = seen.get(key) if key is not None else None
        if prev is not None and not any(isinstance(v, DropVar) for v in prev.outvars):
            for v, p in zip(e.outvars, prev.outvars):
                env[v] = p
            continue
        ne = JaxprEqn(e.primitive, invars, e.outvars, e.params)
        if key is not None:
            seen[key] = ne
        eqns.append(ne)
    outvars = [sub(v) for v in jaxpr.outvars]
    return Jaxpr(jaxpr.constvars, jaxpr.invars, outvars, eqns)


def fold_constants(jaxpr: Jaxpr, consts: list):
    """Evaluate equations whose operands are all literals or small constants."""
    from ..interpreters.eval import eval_numpy_impl, impl_rules

    known: dict = {v: c for v, c in zip(jaxpr.constvars, consts)}
    constvars, consts = list(jaxpr.constvars), list(consts)
    env: dict = {}
    eqns = []

    def value(a):
        if isinstance(a, Literal):
            return np.asarray(a.val, a.aval.dtype)
        v = known.get(a)
        return None if v is None else np.asarray(getattr(v, "_value", v))

    for e in jaxpr.eqns:
        invars = [env.get(a, a) if isinstance(a, Var) else a for a in e.invars]
        vals = [value(a) for a in invars]
        small = all(int(np.prod(v.aval.shape)) <= FOLD_MAX_ELEMENTS for v in e.outvars)
        if (e.primitive in impl_rules and not e.primitive.multiple_results and small
                and all(v is not None for v in vals) and invars):
            try:
                out = eval_numpy_impl(e.primitive, vals, e.params)
            except Exception:  # leave it to the compiled code (and its error)
                out = None
            if out is not None:
                v = e.outvars[0]
                if out.shape == ():
                    env[v] = Literal(out._value[()], ShapedArray((), out.dtype, out.weak_type))
                else:
                    nv = Var(v.aval)
                    constvars.append(nv)
                    consts.append(out)
                    known[nv] = out
                    env[v] = nv
                continue
        eqns.append(JaxprEqn(e.primitive, invars, e.outvars, e.params))
    outvars = [env.get(v, v) if isinstance(v, Var) else v for v in jaxpr.outvars]
    return Jaxpr(constvars, jaxpr.invars, outvars, eqns), consts


def dce(jaxpr: Jaxpr, consts: list):
    j = dce_jaxpr(jaxpr)
    used = set()
    for e in j.eqns:
        used.update(a for a in e.invars if isinstance(a, Var))
    used.update(v for v in j.outvars if isinstance(v, Var))
    keep = [(v, c) for v, c in zip(j.constvars, consts) if v in used]
    return Jaxpr([v for v, _ in keep], j.invars, j.outvars, j.eqns), [c for _, c in keep]


def simplify(jaxpr: Jaxpr, consts: list):
    jaxpr, consts = inline_calls(jaxpr, consts)
    jaxpr, consts = fold_constants(jaxpr, consts)
    jaxpr = cse(jaxpr)
    jaxpr, consts = dce(jaxpr, consts)
    return jaxpr, consts
