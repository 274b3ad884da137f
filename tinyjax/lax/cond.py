"""Structured conditionals: `cond` and `switch`, one higher-order primitive.

`cond_p.bind(index, *operands, branches=(ClosedJaxpr, ...))` runs `branches[index]`
on the operands. Every branch takes the same operands and returns values of the same
types; each is a ClosedJaxpr without constants (values the branch functions close over
are hoisted to leading operands, shared by all branches). `index` is an int32 scalar
that `switch` has clamped into range (`cond` maps False -> 0 and True -> 1, so the
branches are `(false_fun, true_fun)`, as in JAX).

Rules for every interpreter sit next to the primitive: shape rule, eager impl (a
Python dispatch on the concrete index), JVP (every branch differentiated with the
same tangent pattern), partial evaluation (known index: a known cond computing the
residuals, then an unknown cond consuming them), transpose (a cond of the transposed
branches) and batching (an unbatched index keeps one cond of batched branches; a
batched one runs every branch and selects per example).
"""
from __future__ import annotations

import os

import numpy as np

from ..core import batch_util, pytree
from ..core.abstract import ShapedArray, float0, raise_to_shaped
from ..core.ad_util import Zero, tangent_aval
from ..core.array import Array
from ..core.config import config
from ..core.jaxpr import ClosedJaxpr, Jaxpr, Literal, Var, eval_jaxpr
from ..core.trace import Primitive, Tracer, abstract_eval_rules
from ..interpreters import ad
from ..interpreters.batching import batch_flat, bdim_at_front, collective_rules, not_mapped
from ..interpreters.eval import array_impl_rules
from ..interpreters.partial_eval import (
    PartialEvalTracer,
    PartialVal,
    partial_eval_flat,
    partial_eval_rules,
    trace_to_jaxpr,
)
from ._base import asarray, type_error, value_error
from .elementwise import clamp, convert_element_type, eq, ne, select_n, stop_gradient
from .shapes import broadcast_in_dim, full

__all__ = ["cond", "cond_p", "switch"]

_INT32 = np.dtype(np.int32)


# ----------------------------------------------------------------------------- helpers

def _same_type(a: ShapedArray, b: ShapedArray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype


def _types_str(avals) -> str:
    return ", ".join(a.str_short() for a in avals)


def _zeros(aval: ShapedArray):
    """Zeros of type `aval`, made inside the function being traced (a broadcast scalar
    literal, so no large constant is captured)."""
    if aval.dtype == float0:
        return np.zeros(aval.shape, float0)
    return full(aval.shape, 0, aval.dtype)


def _instantiate(t):
    return _zeros(t.aval) if type(t) is Zero else t


def _join_consts(closed_jaxprs):
    """Hoist the constants of several branch jaxprs to shared leading operands.

    Returns (branches, consts): every branch takes all `consts` (deduplicated by
    identity) first and ignores the ones it does not use; its ClosedJaxpr has none.
    """
    consts, where, slots = [], {}, []
    for c in closed_jaxprs:
        mine, taken = [], set()
        for v in c.consts:
            k = where.get(id(v))
            if k is None or k in taken:   # a new value (or one this branch binds twice)
                k = where[id(v)] = len(consts)
                consts.append(v)
            taken.add(k)
            mine.append(k)
        slots.append(mine)
    branches = []
    for c, mine in zip(closed_jaxprs, slots):
        j = c.jaxpr
        lead = [Var(raise_to_shaped(v)) for v in consts]
        for var, k in zip(j.constvars, mine):
            lead[k] = var
        branches.append(ClosedJaxpr(Jaxpr([], lead + list(j.invars), j.outvars, j.eqns), []))
    return tuple(branches), consts


def _sub_jaxprs(params):
    for v in params.values():
        for x in (v if isinstance(v, (tuple, list)) else (v,)):
            if isinstance(x, ClosedJaxpr):
                yield x.jaxpr
            elif isinstance(x, Jaxpr):
                yield x


def _uses_collectives(jaxprs) -> bool:
    """Whether any equation (at any depth) needs the vmap's named axis."""
    for j in jaxprs:
        for eqn in j.eqns:
            if eqn.primitive in collective_rules:
                subs = list(_sub_jaxprs(eqn.params))
                if not subs or _uses_collectives(subs):
                    return True
    return False


def _eval_batched(br: ClosedJaxpr, args, axis_name):
    """Evaluate a branch inside `batch_flat`. Collectives over the vmap's axis act even
    on values that are not batched (a literal, an unbatched operand), so their inputs
    are raised into the batching trace first; other equations see values as they are."""
    if axis_name is None:
        return eval_jaxpr(br.jaxpr, br.consts, *args)
    trace = batch_util.axis_frame(axis_name).main.trace()
    env: dict = {}

    def read(v):
        return v.value() if isinstance(v, Literal) else env[id(v)]

    for v, a in zip(br.jaxpr.invars, args):
        env[id(v)] = a
    for v, c in zip(br.jaxpr.constvars, br.consts):
        env[id(v)] = c
    for eqn in br.jaxpr.eqns:
        ins = [read(v) for v in eqn.invars]
        if eqn.primitive in collective_rules:
            ins = [trace.full_raise(x) for x in ins]
        outs = eqn.primitive.bind(*ins, **eqn.params)
        if not eqn.primitive.multiple_results:
            outs = [outs]
        for v, o in zip(eqn.outvars, outs):
            env[id(v)] = o
    return [read(v) for v in br.jaxpr.outvars]


def _batched_outputs(jaxpr: Jaxpr, in_batched) -> list:
    """Which outputs of `jaxpr` vmap can produce batched, given which inputs are: those
    depending on a batched input, or on an equation that reads the named axis (a
    superset of what batching produces, which is all `batch_flat` needs)."""
    batched = {id(v) for v, b in zip(jaxpr.invars, in_batched) if b}
    for eqn in jaxpr.eqns:
        if eqn.primitive in collective_rules or \
                any(isinstance(v, Var) and id(v) in batched for v in eqn.invars):
            batched.update(id(v) for v in eqn.outvars)
    return [isinstance(v, Var) and id(v) in batched for v in jaxpr.outvars]


# ----------------------------------------------------------------------------- cond_p

cond_p = Primitive("cond", multiple_results=True)


def _cond_abstract_eval(index, *operands, branches):
    if not isinstance(branches, tuple) or not branches:
        raise type_error(f"cond requires a non-empty tuple of branches, got {branches!r}")
    if index.shape != () or index.dtype != _INT32:
        raise type_error(f"cond index must be an int32 scalar, got {index.str_short()}")
    for i, br in enumerate(branches):
        if not isinstance(br, ClosedJaxpr) or br.consts:
            raise type_error(f"cond branch {i} must be a ClosedJaxpr without constants")
        ins = br.in_avals
        if len(ins) != len(operands) or not all(map(_same_type, ins, operands)):
            raise type_error(
                f"cond branch {i} takes inputs ({_types_str(ins)}) but is called with "
                f"operands ({_types_str(operands)})")
    outs0 = branches[0].out_avals
    for i, br in enumerate(branches[1:], 1):
        outs = br.out_avals
        if len(outs) != len(outs0) or not all(map(_same_type, outs, outs0)):
            raise type_error(
                f"cond branches must have equal output types: branch 0 returns "
                f"({_types_str(outs0)}) but branch {i} returns ({_types_str(outs)})")
    # a weakly typed output only if every branch returns it weakly typed
    return [ShapedArray(a.shape, a.dtype, all(br.out_avals[k].weak_type for br in branches))
            for k, a in enumerate(outs0)]


abstract_eval_rules[cond_p] = _cond_abstract_eval


def _cond_impl(index, *operands, branches):
    i = int(np.clip(np.asarray(index), 0, len(branches) - 1))
    br = branches[i]
    out_avals = _cond_abstract_eval(raise_to_shaped(index),
                                    *map(raise_to_shaped, operands), branches=branches)
    outs = eval_jaxpr(br.jaxpr, br.consts, *operands)
    return [Array(np.asarray(o), a.weak_type) if type(o) is Array and o.weak_type != a.weak_type
            else o for o, a in zip(outs, out_avals)]


array_impl_rules[cond_p] = _cond_impl


# -- JVP: one cond over primals and nonzero tangents; every branch is differentiated
# with the same input pattern and instantiates the same output tangents

def _jvp_branch(br: ClosedJaxpr, avals, nonzero, out_nonzero):
    """Trace the JVP of one branch: (primals, nonzero tangents) -> (primals, tangents
    selected by `out_nonzero`, or the branch's own nonzero ones if None)."""
    n = len(avals)
    seen = []

    def jvp_fun(*args):
        it = iter(args[n:])
        ts = [next(it) if nz else Zero(tangent_aval(a)) for a, nz in zip(avals, nonzero)]
        po, to = ad.jvp_flat(lambda *a: eval_jaxpr(br.jaxpr, br.consts, *a), args[:n], ts)
        pattern = [type(t) is not Zero for t in to] if out_nonzero is None else out_nonzero
        seen.append(pattern)
        return list(po) + [_instantiate(t) for t, p in zip(to, pattern) if p]

    in_avals = list(avals) + [tangent_aval(a) for a, nz in zip(avals, nonzero) if nz]
    return trace_to_jaxpr(jvp_fun, in_avals, name="cond jvp"), seen[0]


def _cond_jvp(primals, tangents, *, branches):
    index, *ops = primals
    op_tangents = tangents[1:]
    nonzero = [type(t) is not Zero for t in op_tangents]
    avals = [raise_to_shaped(p) for p in ops]
    traced = [_jvp_branch(br, avals, nonzero, None) for br in branches]
    n_out = len(branches[0].out_avals)
    out_nz = [any(pat[k] for _, pat in traced) for k in range(n_out)]
    jaxprs = [c if pat == out_nz else _jvp_branch(br, avals, nonzero, out_nz)[0]
              for (c, pat), br in zip(traced, branches)]
    new_branches, consts = _join_consts(jaxprs)
    outs = cond_p.bind(index, *consts, *ops,
                       *[t for t, nz in zip(op_tangents, nonzero) if nz],
                       branches=new_branches)
    primals_out, t_it = outs[:n_out], iter(outs[n_out:])
    tangents_out = [next(t_it) if nz else Zero(tangent_aval(raise_to_shaped(p)))
                    for p, nz in zip(primals_out, out_nz)]
    return primals_out, tangents_out


ad.jvp_rules[cond_p] = _cond_jvp


# -- partial evaluation (linearize). An unknown index makes everything unknown. A known
# index splits every branch; the outputs unknown in any branch are unknown in all (a
# branch that knows one passes it on as a residual), and the branches' residuals are
# laid out in shared slots (one slot per type, zeros where a branch has none).

def _split_branch(br: ClosedJaxpr, in_unknowns, in_avals):
    """Partially evaluate one branch, given which inputs are unknown.

    The branch runs under the partial-evaluation trace with its known inputs being
    tracers of the known jaxpr under construction, so nested higher-order primitives
    split by their own rules and their known work lands in the known jaxpr. Returns
    (known, unknown, out_unknowns, res_src):
    known (ClosedJaxpr): known inputs -> known outputs + residuals (each value once);
    unknown (Jaxpr): residual inputs + unknown inputs -> unknown outputs;
    res_src: where each residual input of `unknown` comes from, ("res", r) for output r
    of the known jaxpr's residuals or ("in", j) for known input j itself.
    """
    store = {}

    def known_fun(*known_args):
        it = iter(known_args)
        pvals = [PartialVal.unknown(a) if uk else PartialVal.known(next(it))
                 for a, uk in zip(in_avals, in_unknowns)]
        uj, pvals_out, res = partial_eval_flat(
            lambda *a: eval_jaxpr(br.jaxpr, br.consts, *a), pvals)
        inputs = {id(x): j for j, x in enumerate(known_args)}
        unique, where, src = [], {}, []
        for r in res:
            if id(r) in inputs:
                src.append(("in", inputs[id(r)]))
                continue
            if id(r) not in where:
                where[id(r)] = len(unique)
                unique.append(r)
            src.append(("res", where[id(r)]))
        store["unknown"] = Jaxpr([], list(uj.constvars) + list(uj.invars), uj.outvars, uj.eqns)
        store["out_uk"] = [not pv.is_known for pv in pvals_out]
        store["src"] = src
        return [pv.const for pv in pvals_out if pv.is_known] + unique

    known_avals = [a for a, uk in zip(in_avals, in_unknowns) if not uk]
    known = trace_to_jaxpr(known_fun, known_avals, name="cond known")
    return known, store["unknown"], store["out_uk"], store["src"]


def _cond_partial_eval(trace, tracers, *, branches):
    idx_t, *op_ts = tracers
    if not idx_t.pval.is_known:
        return trace.record(cond_p, tracers, dict(branches=branches))
    index = idx_t.pval.const
    in_unknowns = [not t.pval.is_known for t in op_ts]
    splits = [_split_branch(br, in_unknowns, [t.aval for t in op_ts]) for br in branches]
    n_out = len(branches[0].out_avals)
    out_uk = [any(s[2][k] for s in splits) for k in range(n_out)]
    n_res = [len(known.out_avals) - (n_out - sum(uk_i)) for known, _, uk_i, _ in splits]

    # the residuals a branch computes: its own, then its known outputs that another
    # branch leaves unknown (forwarded through the unknown cond). They are laid out in
    # slots shared by all branches (a branch fills the others' with zeros).
    res_avals = []
    for (known, _, uk_i, _), nres in zip(splits, n_res):
        outs = known.out_avals
        n_known = len(outs) - nres
        forced = [outs[j] for j, k in enumerate(k for k in range(n_out) if not uk_i[k])
                  if out_uk[k]]
        res_avals.append(list(outs[n_known:]) + forced)
    slots, assign = [], []
    for avs in res_avals:
        used, idxs = set(), []
        for a in avs:
            j = next((j for j, s in enumerate(slots) if s == a and j not in used), None)
            if j is None:
                slots.append(a)
                j = len(slots) - 1
            used.add(j)
            idxs.append(j)
        assign.append(idxs)
    # known operands used directly as residuals go to the unknown cond as they are
    fwd = sorted({j for s in splits for kind, j in s[3] if kind == "in"})
    fwd_pos = {j: i for i, j in enumerate(fwd)}

    known_avals = [t.aval for t in op_ts if t.pval.is_known]
    unknown_avals = [t.aval for t in op_ts if not t.pval.is_known]
    known_jaxprs, unknown_jaxprs = [], []
    for (known, unknown, uk_i, src), nres, idxs in zip(splits, n_res, assign):
        def known_fn(*args, known=known, uk_i=uk_i, nres=nres, idxs=idxs):
            outs = eval_jaxpr(known.jaxpr, known.consts, *args)
            n_known = len(outs) - nres
            res, visible, ko = list(outs[n_known:]), [], iter(outs[:n_known])
            for k in range(n_out):
                if not uk_i[k]:
                    (res if out_uk[k] else visible).append(next(ko))
            slot_vals = [None] * len(slots)
            for j, r in zip(idxs, res):
                slot_vals[j] = r
            return visible + [_zeros(a) if v is None else v for v, a in zip(slot_vals, slots)]

        def unknown_fn(*args, unknown=unknown, uk_i=uk_i, nres=nres, idxs=idxs, src=src):
            ns, nf = len(slots), len(fwd)
            slot_vals, fwd_vals, uops = args[:ns], args[ns:ns + nf], args[ns + nf:]
            mine = [slot_vals[j] for j in idxs]
            res = [mine[r] if kind == "res" else fwd_vals[fwd_pos[r]] for kind, r in src]
            outs = iter(eval_jaxpr(unknown, [], *res, *uops))
            forced = iter(mine[nres:])
            return [next(outs) if uk_i[k] else next(forced) for k in range(n_out) if out_uk[k]]

        known_jaxprs.append(trace_to_jaxpr(known_fn, known_avals, name="cond known"))
        unknown_jaxprs.append(trace_to_jaxpr(
            unknown_fn, slots + [known_avals[j] for j in fwd] + unknown_avals,
            name="cond unknown"))

    known_branches, kconsts = _join_consts(known_jaxprs)
    known_vals = [t.pval.const for t in op_ts if t.pval.is_known]
    known_outs = cond_p.bind(index, *kconsts, *known_vals, branches=known_branches)
    n_visible = n_out - sum(out_uk)
    visible, res_vals = known_outs[:n_visible], known_outs[n_visible:]
    u_it = iter(())
    if any(out_uk):
        unknown_branches, uconsts = _join_consts(unknown_jaxprs)
        lead = [trace.instantiate_const(trace.pure(v))
                for v in [index, *uconsts, *res_vals, *[known_vals[j] for j in fwd]]]
        unknown_in = [t for t in op_ts if not t.pval.is_known]
        u_it = iter(trace.record(cond_p, lead + unknown_in, dict(branches=unknown_branches)))
    k_it = iter(visible)
    return [next(u_it) if uk else PartialEvalTracer(trace, PartialVal.known(next(k_it)), None)
            for uk in out_uk]


partial_eval_rules[cond_p] = _cond_partial_eval


# -- transpose: linear in the operands given as UndefinedPrimal; the others (and the
# index) are residuals. The result is a cond of the transposed branches.

def _cond_transpose(cts, index, *ops, branches):
    if ad.is_undefined_primal(index):
        raise ValueError("cond is not linear in its index and cannot be transposed")
    undefined = [ad.is_undefined_primal(a) for a in ops]
    if not any(undefined):
        return [None] * (1 + len(ops))
    res = [a for a, u in zip(ops, undefined) if not u]
    out_avals = branches[0].out_avals
    ct_nonzero = [type(c) is not Zero and not (isinstance(c, np.ndarray) and c.dtype == float0)
                  for c in cts]
    nz_cts = [c for c, nz in zip(cts, ct_nonzero) if nz]

    def transposed_branch(br):
        def transposed(*vals):
            it = iter(vals[:len(res)])
            args = [ad.UndefinedPrimal(a.aval) if u else next(it) for a, u in zip(ops, undefined)]
            cit = iter(vals[len(res):])
            cts_out = [next(cit) if nz else Zero(tangent_aval(a))
                       for a, nz in zip(out_avals, ct_nonzero)]
            cts_in = ad.backward_pass(br.jaxpr, br.consts, args, cts_out)
            return [_instantiate(c) for c, u in zip(cts_in, undefined) if u]

        in_avals = [raise_to_shaped(r) for r in res] + [raise_to_shaped(c) for c in nz_cts]
        return trace_to_jaxpr(transposed, in_avals, name="cond transpose")

    new_branches, consts = _join_consts([transposed_branch(br) for br in branches])
    outs = iter(cond_p.bind(index, *consts, *res, *nz_cts, branches=new_branches))
    return [None] + [next(outs) if u else None for u in undefined]


ad.transpose_rules[cond_p] = _cond_transpose


# -- batching. A collective rule: it sees the vmap's frame, so collectives over its
# axis name inside the branches resolve (and it is asked even when nothing is batched).

def _cond_batch(trace, vals, dims, *, branches):
    frame = trace.frame
    size, axis_name = frame.size, frame.name
    index, *ops = vals
    idim, *odims = dims
    n_out = len(branches[0].out_avals)
    if all(d is not_mapped for d in dims) and \
            not _uses_collectives([br.jaxpr for br in branches]):
        return cond_p.bind(*vals, branches=branches), [not_mapped] * n_out

    if idim is not not_mapped:
        # a predicate per example: run every branch on every example and select. An
        # example's operands reach the branches it does not take through stop_gradient,
        # so no gradient flows through an untaken branch.
        index = bdim_at_front(index, idim, size)
        ops = [bdim_at_front(x, d, size) for x, d in zip(ops, odims)]
        per_branch = []
        for i, br in enumerate(branches):
            if len(branches) > 1:
                taken = eq(index, np.int32(i))
                bops = [select_n(broadcast_in_dim(taken, x.shape, (0,)), stop_gradient(x), x)
                        if x.dtype.kind == "f" else x for x in ops]
            else:
                bops = ops
            per_branch.append(batch_flat(
                lambda *a, br=br: _eval_batched(br, a, axis_name), bops,
                [0] * len(ops), [0] * n_out, size, axis_name=axis_name))
        outs = []
        for k in range(n_out):
            cases = [outs_i[k] for outs_i in per_branch]
            which = broadcast_in_dim(index, cases[0].shape, (0,))
            outs.append(select_n(which, *cases))
        return outs, [0] * n_out

    # one index for the whole batch: one cond of batched branches (batch axes first)
    ops = [x if d is not_mapped else bdim_at_front(x, d, size) for x, d in zip(ops, odims)]
    in_dims = [not_mapped if d is not_mapped else 0 for d in odims]
    in_batched = [d is not not_mapped for d in odims]
    out_batched = [any(bs) for bs in zip(*[_batched_outputs(br.jaxpr, in_batched)
                                           for br in branches])] if n_out else []
    out_dims = [0 if b else not_mapped for b in out_batched]
    in_avals = [raise_to_shaped(x) for x in ops]

    def batched_branch(br):
        def fun(*args):
            return batch_flat(lambda *a: _eval_batched(br, a, axis_name), args, in_dims,
                              out_dims, size, axis_name=axis_name)
        return trace_to_jaxpr(fun, in_avals, name="cond vmap")

    new_branches, consts = _join_consts([batched_branch(br) for br in branches])
    outs = cond_p.bind(index, *consts, *ops, branches=new_branches)
    return outs, out_dims


collective_rules[cond_p] = _cond_batch


# ----------------------------------------------------------------------------- the API

class _NoOperand:
    def __repr__(self):
        return "<no operand>"


_no_operand = _NoOperand()


def _fun_desc(fun) -> str:
    name = getattr(fun, "__name__", type(fun).__name__)
    code = getattr(fun, "__code__", None)
    if code is None:
        return name
    return f"{name} at {os.path.basename(code.co_filename)}:{code.co_firstlineno}"


def _leaf_paths(tree) -> list:
    dummy = pytree.tree_unflatten(tree, [0] * tree.num_leaves)
    return [pytree.keystr(p) for p, _ in pytree.tree_flatten_with_path(dummy)[0]]


def _trace_branches(funs, names, kind, operands):
    """Trace each branch function on the flattened operands. Returns (closed jaxprs,
    flat operands, out_tree), with the output types checked against the first
    branch's (and weak types unified)."""
    leaves, in_tree = pytree.tree_flatten(operands)
    ops = [asarray(x) for x in leaves]
    in_avals = [raise_to_shaped(x) for x in ops]
    trees = []

    def flat_fun(fun, name):
        def f(*args):
            out = fun(*pytree.tree_unflatten(in_tree, args))
            out_leaves, tree = pytree.tree_flatten(out)
            trees.append(tree)
            res = []
            for o in out_leaves:
                if not isinstance(o, (Array, Tracer, np.ndarray, np.generic, bool, int, float)):
                    raise type_error(
                        f"{kind} branch {name} ({_fun_desc(fun)}) returned a value of type "
                        f"{type(o).__name__}, which is not a valid JAX type: {o!r}")
                res.append(asarray(o))
            return res
        return f

    closed = [trace_to_jaxpr(flat_fun(f, n), in_avals, name=kind)
              for f, n in zip(funs, names)]
    head = "\n\n" + "\n".join(f"{n} is {_fun_desc(f)}" for f, n in zip(funs, names)) + "\n\n"
    for i in range(1, len(funs)):
        if trees[i] != trees[0]:
            raise type_error(
                f"{kind} branch outputs must have the same pytree structure, but they "
                f"differ:{head}{names[0]} output has structure {trees[0]!r} but {names[i]} "
                f"output has structure {trees[i]!r}.\n\nRevise {names[0]} and/or {names[i]} "
                f"so that they have the same pytree structure.")
    paths = _leaf_paths(trees[0])
    for i in range(1, len(funs)):
        for k, (a, b) in enumerate(zip(closed[0].out_avals, closed[i].out_avals)):
            if _same_type(a, b):
                continue
            what = "shapes" if a.shape != b.shape else "dtypes"
            at = f" at path {paths[k]}" if paths[k] else ""
            raise type_error(
                f"{kind} branches must have equal output types but they differ.{head}"
                f"The output of {names[0]}{at} has type {a.str_short()} but the "
                f"corresponding output of {names[i]} has type {b.str_short()}, so the "
                f"{what} do not match.\n\nRevise {names[0]} and/or {names[i]} so that all "
                f"output types match.")
    # an output is weakly typed only if it is in every branch: convert the others
    weak = [all(c.out_avals[k].weak_type for c in closed)
            for k in range(len(closed[0].out_avals))]
    for i, c in enumerate(closed):
        if any(a.weak_type and not w for a, w in zip(c.out_avals, weak)):
            def strong(*args, c=c):
                outs = eval_jaxpr(c.jaxpr, c.consts, *args)
                return [convert_element_type(o, o.dtype) if raise_to_shaped(o).weak_type
                        and not w else o for o, w in zip(outs, weak)]
            closed[i] = trace_to_jaxpr(strong, in_avals, name=kind)
    return closed, ops, trees[0]


def _is_concrete(x) -> bool:
    return not isinstance(x, Tracer) or x.to_concrete_value() is not None


def _operands(operands, operand):
    """The positional operands, or the single `operand=` keyword (not both)."""
    if operand is _no_operand:
        return operands
    if operands:
        raise type_error(
            f"if 'operand' keyword is passed then no positional operands can be passed, "
            f"got operand={operand!r} and positional operands {operands!r}")
    return (operand,)


def cond(pred, true_fun, false_fun, *operands, operand=_no_operand):
    """`true_fun(*operands)` if `pred` else `false_fun(*operands)`, as one primitive
    that every transformation understands (jax.lax.cond).

    `pred` is a scalar bool or number (nonzero is true); both functions are traced,
    and must return pytrees of the same structure and types.

    >>> cond(x > 0, lambda x: x * 2, lambda x: -x, x)  # doctest: +SKIP
    """
    operands = _operands(operands, operand)
    if not (callable(true_fun) and callable(false_fun)):
        raise type_error("lax.cond: true_fun and false_fun arguments should be callable.")
    if isinstance(pred, (list, tuple, str, dict)) or pred is None:
        raise type_error(f"Pred must be a scalar, got {pred} of type {type(pred)}")
    pred = asarray(pred)
    if pred.shape != ():
        raise type_error(f"Pred must be a scalar, got {pred} of shape {pred.shape}.")
    if pred.dtype.kind not in "biuf":
        raise type_error(f"Pred type must be either boolean or number, got {pred.dtype.name}.")
    if config.jax_disable_jit and _is_concrete(pred):
        return true_fun(*operands) if bool(pred) else false_fun(*operands)
    if pred.dtype != np.bool_:
        pred = ne(pred, np.zeros((), pred.dtype))
    index = convert_element_type(pred, np.int32)
    # traced (and named in errors) true_fun first, as JAX; index 0 is false_fun
    (true_j, false_j), ops, out_tree = _trace_branches(
        (true_fun, false_fun), ("true_fun", "false_fun"), "cond", operands)
    branches, consts = _join_consts([false_j, true_j])
    outs = cond_p.bind(index, *consts, *ops, branches=branches)
    return pytree.tree_unflatten(out_tree, outs)


def switch(index, branches, *operands, operand=_no_operand):
    """`branches[index](*operands)`, with `index` clamped into range (jax.lax.switch).

    >>> switch(i, [jnp.sin, jnp.cos, lambda x: x], x)  # doctest: +SKIP
    """
    operands = _operands(operands, operand)
    funs = tuple(branches)
    if not funs:
        raise value_error("Empty branch sequence")
    if not all(callable(f) for f in funs):
        raise type_error("lax.switch: branches argument should be a sequence of callables.")
    if isinstance(index, (list, tuple, str, dict)) or index is None:
        raise type_error(f"Branch index must be scalar, got {index} of type {type(index)}")
    index = asarray(index)
    if index.shape != ():
        raise type_error(f"Branch index must be scalar, got {index} of shape {index.shape}.")
    if index.dtype.kind not in "iu":
        raise type_error(f"Index type must be an integer, got {index} as {index.dtype.name}")
    if len(funs) == 1:
        return funs[0](*operands)
    index = convert_element_type(index, np.int32)
    if config.jax_disable_jit and _is_concrete(index):
        i = int(np.clip(int(index), 0, len(funs) - 1))
        return funs[i](*operands)
    index = clamp(np.int32(0), index, np.int32(len(funs) - 1))
    names = tuple(f"branch {i}" for i in range(len(funs)))
    closed, ops, out_tree = _trace_branches(funs, names, "switch", operands)
    jaxprs, consts = _join_consts(closed)
    outs = cond_p.bind(index, *consts, *ops, branches=jaxprs)
    return pytree.tree_unflatten(out_tree, outs)

