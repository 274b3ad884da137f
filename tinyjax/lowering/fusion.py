"""Fusion: decide which values are computed inside their consumers' loops, then
assemble one kernel-IR `Kernel` per materialized value (or per kernel/host
equation).

A value produced by an expr rule is *inlined* (never stored) when recomputing it
where it is read costs little: it has one consumer that reads each element about
once (elementwise ops, reductions, slices, transposes...), or its whole expression
is cheap (`CHEAP`). So `exp(x) * 2 + y` is one loop, `sum(exp(x - m))` one loop
nest, and `broadcast(exp(x))` computes `exp` once per input element.
"""
from __future__ import annotations

import itertools

import numpy as np

from ..core.jaxpr import DropVar, Literal, Var
from . import kir
from .rules import ConstReader, EqnCtx, View, lowering_rules, ravel

CHEAP = 4          # per-element cost below which recomputation is always fine
MAX_DEPTH = 32     # longest chain of inlined equations (bounds recursion in codegen)
MAX_TREE = 600     # bound on the size of one fused expression (compile time)


def eqn_ctx(eqn) -> EqnCtx:
    return EqnCtx(eqn.primitive, eqn.params, [a.aval for a in eqn.invars],
                  [v.aval for v in eqn.outvars])


def rule_for(prim):
    rule = lowering_rules.get(prim)
    if rule is None:
        raise NotImplementedError(f"jit lowering rule for '{prim}' is not implemented")
    return rule


def plan_fusion(jaxpr) -> set:
    """The set of Vars to inline into their consumers.

    A backward pass gives each value the kernel (root) it would be computed in. A
    value joins its consumers' kernel when they all sit in one kernel and read
    each element about once (no recomputation: equal reads are one hash-consed
    expression), or when it is cheap enough to recompute wherever it is read.
    Kernel (non-fusible) consumers accept only cheap producers."""
    consumers: dict = {}
    for eqn in jaxpr.eqns:
        for a in eqn.invars:
            if isinstance(a, Var):
                lst = consumers.setdefault(a, [])
                if not lst or lst[-1] is not eqn:
                    lst.append(eqn)
    outs = {v for v in jaxpr.outvars if isinstance(v, Var)}
    root: dict = {}        # Var -> root key (a Var, or ("multi",)/("kernel", eqn id))
    root_cost: dict = {}   # root key -> accumulated expression cost
    inline: set = set()
    once_path: dict = {}   # Var -> every path to its root reads each element ~once
    depth: dict = {}       # Var -> inlined equations between it and its root
    multi = ("multi",)
    for eqn in reversed(jaxpr.eqns):
        rule = rule_for(eqn.primitive)
        if rule.kind != "expr" or len(eqn.outvars) != 1:
            for v in eqn.outvars:
                root[v] = v
            continue
        v = eqn.outvars[0]
        users = consumers.get(v, [])
        root[v] = v
        if v in outs or not users:
            continue
        own = rule.cost_of(eqn_ctx(eqn))
        roots, once = set(), True
        for ce in users:
            crule = rule_for(ce.primitive)
            if crule.kind == "expr":
                cv = ce.outvars[0]
                roots.add(root[cv])
                cctx = eqn_ctx(ce)
                once = once and once_path.get(cv, True) and all(
                    crule.reads_once_of(cctx, k) for k, a in enumerate(ce.invars) if a is v)
            elif crule.kind == "kernel" and crule.fuse_inputs:
                roots.add(("kernel", id(ce)))
                once = False
            else:
                roots = None
                break
        if roots is None:
            continue
        d = 1 + max(depth.get(ce.outvars[0], 0) for ce in users)
        if d > MAX_DEPTH:
            continue
        if len(roots) == 1 and multi not in roots:
            (r,) = roots
            if isinstance(r, tuple):            # into a kernel's loops: cheap only
                ok = own <= CHEAP and root_cost.get(r, 0) + own <= 2 * CHEAP
            else:
                ok = once or own <= CHEAP
            if ok and root_cost.get(r, 0) + own <= MAX_TREE:
                inline.add(v)
                root[v] = r
                once_path[v] = once
                depth[v] = d
                root_cost[r] = root_cost.get(r, 0) + own
                continue
        if own <= CHEAP and all(not isinstance(r, tuple) or r == multi for r in roots):
            inline.add(v)              # cheap: recompute it in each consumer
            root[v] = multi
            once_path[v] = False
            depth[v] = d
    return inline


class FusedReader:
    """Reads an inlined value by evaluating its rule at the requested index."""

    __slots__ = ("asm", "eqn", "shape", "dtype")

    def __init__(self, asm, eqn):
        self.asm, self.eqn = asm, eqn
        aval = eqn.outvars[0].aval
        self.shape, self.dtype = tuple(aval.shape), np.dtype(aval.dtype)

    def __call__(self, idx):
        idx = tuple(kir.as_expr(i) for i in idx)
        key = (id(self.eqn), tuple(id(i) for i in idx))
        memo = self.asm.memo
        e = memo.get(key)
        if e is None:
            eqn = self.eqn
            readers = [self.asm.reader(a) for a in eqn.invars]
            e = rule_for(eqn.primitive).fn(eqn_ctx(eqn), idx, *readers)
            if e.dtype != self.dtype:
                raise TypeError(f"lowering rule for '{eqn.primitive}' produced {e.dtype}, "
                                f"expected {self.dtype}")
            memo[key] = (e, idx)
            return e
        return e[0]


class KernelInfo:
    """A kernel plus what the listing and the memory plan need to know."""

    __slots__ = ("kernel", "scratch", "prims", "outputs")

    def __init__(self, kernel, scratch, prims, outputs):
        self.kernel, self.scratch, self.prims, self.outputs = kernel, scratch, prims, outputs


class Assembler:
    def __init__(self, jaxpr, buffers: dict, inline: set, host_slots: list, cctx=None):
        self.cctx = cctx                # builds control-flow steps (compiler.CompileContext)
        self.jaxpr = jaxpr
        self.buffers = buffers          # Var -> kir.Buffer (materialized values)
        self.inline = inline
        self.producer = {v: e for e in jaxpr.eqns for v in e.outvars}
        self.memo: dict = {}
        self.host_slots = host_slots    # [(prim, params, in_avals, out_avals)]
        # kernel names are unique in the module, nested bodies included
        self._names = cctx.kernel_names if cctx is not None else itertools.count()

    def reader(self, atom):
        if isinstance(atom, Literal):
            return ConstReader(atom.val, atom.aval.dtype)
        if atom in self.inline:
            return FusedReader(self, self.producer[atom])
        return View(self.buffers[atom], atom.aval.shape)

    def _fused_prims(self, eqn) -> list:
        names, seen, stack = [], set(), [eqn]
        while stack:
            e = stack.pop()
            if id(e) in seen:
                continue
            seen.add(id(e))
            names.append(e.primitive.name)
            for a in e.invars:
                if isinstance(a, Var) and a in self.inline:
                    stack.append(self.producer[a])
        return list(reversed(names))

    def kernels(self) -> list:
        """One kernel per materialized value; consecutive values of the same shape
        that read each other only at the element being computed share one loop
        nest (multi-output loop fusion)."""
        out = []
        self._group = None
        for eqn in self.jaxpr.eqns:
            rule = rule_for(eqn.primitive)
            if rule.kind == "expr" and eqn.outvars[0] in self.inline:
                continue
            if rule.kind == "expr":
                self._add_to_group(eqn, out)
                continue
            self._close_group(out)
            if rule.kind == "control":
                out.append(rule.fn(self.cctx, eqn, self.buffers))
                continue
            self.memo = {}
            kb = kir.KernelBuilder()
            ctx = eqn_ctx(eqn)
            out_bufs = [self.buffers[v] for v in eqn.outvars]
            if rule.kind == "kernel":
                readers = [self.reader(a) for a in eqn.invars]
                views = [View(b, v.aval.shape) for b, v in zip(out_bufs, eqn.outvars)]
                rule.fn(ctx, kb, readers, views)
            else:  # host
                slot = len(self.host_slots)
                self.host_slots.append(eqn)
                in_bufs = [self.buffers[a] if isinstance(a, Var) else None for a in eqn.invars]
                if any(b is None for b in in_bufs):
                    raise NotImplementedError("host call with a literal operand")
                kb.emit(kir.HostCall(slot, in_bufs + out_bufs, eqn.primitive.name))
            params = collect_buffers(kb.body)
            name = f"k{next(self._names)}_{eqn.primitive.name.replace('-', '_')}"
            prims = [eqn.primitive.name]
            out.append(KernelInfo(kir.Kernel(name, params, kb.body, prims[0]), kb.scratch,
                                  prims, [v for v in eqn.outvars if not isinstance(v, DropVar)]))
        self._close_group(out)
        return out

    MAX_GROUP = 48   # stores per merged loop nest

    def _add_to_group(self, eqn, out):
        v = eqn.outvars[0]
        shape = tuple(v.aval.shape)
        buf = self.buffers[v]
        g = self._group
        if g is not None and g["shape"] == shape and len(g["stores"]) < self.MAX_GROUP:
            val = FusedReader(self, eqn)(g["idx"])
            if _reads_only_at(val, g["written"], g["index"]):
                self._group_store(g, eqn, buf, val, v)
                return
        self._close_group(out)
        self.memo = {}
        idx = tuple(kir.fresh("i") for _ in shape)
        body: list = []
        inner = body
        for var_, n in zip(idx, shape):
            f = kir.For(var_, 0, n, [])
            inner.append(f)
            inner = f.body
        g = self._group = {"shape": shape, "idx": idx, "index": ravel(idx, shape),
                           "body": body, "inner": inner, "written": set(), "stores": [],
                           "prims": [], "outputs": [], "first": eqn}
        self._group_store(g, eqn, buf, FusedReader(self, eqn)(idx), v)

    def _group_store(self, g, eqn, buf, val, v):
        g["inner"].append(kir.Store(buf, g["index"], val))
        g["written"].add(buf)
        g["stores"].append(eqn)
        g["prims"].append(self._fused_prims(eqn))
        if not isinstance(v, DropVar):
            g["outputs"].append(v)

    def _close_group(self, out):
        g, self._group = self._group, None
        if g is None:
            return
        first = g["first"]
        name = f"k{next(self._names)}_{first.primitive.name.replace('-', '_')}"
        prims = [p for ps in g["prims"] for p in ps]
        parts = [("fusion: " if len(ps) > 1 else "") + ", ".join(ps) for ps in g["prims"]]
        label = parts[0] if len(parts) == 1 else \
            f"{len(parts)} outputs in one loop: " + " | ".join(parts)
        out.append(KernelInfo(kir.Kernel(name, collect_buffers(g["body"]), g["body"], label),
                              [], prims, g["outputs"]))


def _reads_only_at(e, bufs, index) -> bool:
    """True if every load of a buffer in `bufs` inside `e` is at `index`."""
    return not bufs or all(x.args[0] is index for x in kir.iter_nodes(e)
                           if x.kind == "load" and x.attr in bufs)


def collect_buffers(stmts) -> list:
    """Every buffer a statement list reads or writes, in first-use order."""
    found: dict = {}
    seen: set = set()

    def ex(e):
        for x in kir.iter_nodes(e, seen=seen):
            if x.kind == "load":
                found.setdefault(x.attr, None)

    def st(ss):
        for s in ss:
            if isinstance(s, kir.Store):
                ex(s.index)
                ex(s.value)
                found.setdefault(s.buf, None)
            elif isinstance(s, kir.For):
                ex(s.start)
                ex(s.stop)
                st(s.body)
            elif isinstance(s, kir.Local):
                ex(s.init)
            elif isinstance(s, kir.Assign):
                ex(s.value)
            elif isinstance(s, kir.If):
                ex(s.cond)
                st(s.then)
                st(s.orelse)
            elif isinstance(s, kir.HostCall):
                for b in s.buffers:
                    found.setdefault(b, None)

    st(stmts)
    return list(found)
