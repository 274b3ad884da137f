"""The compiler's table of lowering rules, one entry per primitive.

Three kinds of rule (see `../shared/DESIGN.md`, "The compiler"):

- **expr** (`def_expr`, `def_elementwise`): the primitive is a pure function of its
  operands' elements. `fn(ctx, idx, *readers) -> Expr` returns the output element
  at multi-index `idx` (a tuple of int64 Exprs), reading operands through
  `readers` (`r(idx_tuple) -> Expr`, with `r.shape`, `r.dtype`). The fusion pass
  may inline such a primitive into its consumers, so chains of them become one
  loop; reductions are expr rules too (a `kir.reduce` node), which fuses them with
  their elementwise producers.
- **kernel** (`def_kernel`): `fn(ctx, kb, readers, outs)` writes statements into a
  `kir.KernelBuilder`; `outs` are `View`s of the output buffers. Used for sort,
  dot_general, convolution, scatter, cumulative ops...
- **host** (`def_host`): the compiled code calls back into the host once per call
  of the primitive, on whole buffers (the linear-algebra decompositions, which use
  LAPACK through NumPy). Never per element.

Rules must keep every load in bounds whatever the data (clamp indices *before*
any select: a `select` evaluates both sides).
"""
from __future__ import annotations

import numpy as np

from . import kir

lowering_rules: dict = {}


class EqnCtx:
    """What a rule knows about the equation it lowers."""

    __slots__ = ("prim", "params", "in_avals", "out_avals")

    def __init__(self, prim, params, in_avals, out_avals):
        self.prim, self.params = prim, params
        self.in_avals, self.out_avals = list(in_avals), list(out_avals)

    @property
    def out_aval(self):
        return self.out_avals[0]

    @property
    def out_dtype(self):
        return np.dtype(self.out_avals[0].dtype)


class LoweringRule:
    __slots__ = ("kind", "fn", "cost", "reads_once", "fuse_inputs")

    def __init__(self, kind, fn, cost=1, reads_once=True, fuse_inputs=True):
        self.kind, self.fn = kind, fn
        self.cost = cost                # per output element: int or fn(ctx) -> int
        # bool, fn(ctx), or fn(ctx, k) with fn.per_operand = True: each element of
        # the operand(s) is read about once per output element
        self.reads_once = reads_once
        self.fuse_inputs = fuse_inputs  # kernel rules: may cheap producers be inlined?

    def cost_of(self, ctx) -> int:
        return self.cost(ctx) if callable(self.cost) else self.cost

    def reads_once_of(self, ctx, k=None) -> bool:
        """Whether each element of operand `k` (every operand: None) is read about
        once per output element."""
        f = self.reads_once
        if not callable(f):
            return f
        if getattr(f, "per_operand", False):
            ks = range(len(ctx.in_avals)) if k is None else [k]
            return all(f(ctx, j) for j in ks)
        return f(ctx)


def def_expr(prim, fn, cost=1, reads_once=True):
    lowering_rules[prim] = LoweringRule("expr", fn, cost, reads_once)
    return fn


def def_elementwise(prim, fn, cost=1):
    """`fn(ctx, *operand_elements) -> Expr`; operands of rank 0 broadcast, and so do
    an operand's dimensions of size 1 where the output's are larger (lax allows
    `add(f32[2,3], f32[1,1])`)."""
    def read(r, idx):
        if not r.shape:
            return r(())
        return r(tuple(kir.const(0) if n == 1 else i for i, n in zip(idx, r.shape)))

    def rule(ctx, idx, *readers):
        return fn(ctx, *[read(r, idx) for r in readers])

    def reads_once(ctx, k):   # operand k is read once unless it broadcasts
        return int(np.prod(ctx.in_avals[k].shape)) == int(np.prod(ctx.out_aval.shape))
    reads_once.per_operand = True
    lowering_rules[prim] = LoweringRule("expr", rule, cost, reads_once)
    return fn


def def_kernel(prim, fn, fuse_inputs=True):
    lowering_rules[prim] = LoweringRule("kernel", fn, fuse_inputs=fuse_inputs)
    return fn


def def_host(prim):
    lowering_rules[prim] = LoweringRule("host", None)


# ----------------------------------------------------------------------------- buffers

def strides_of(shape) -> tuple:
    out, acc = [], 1
    for d in reversed(shape):
        out.append(acc)
        acc *= d
    return tuple(reversed(out))


def ravel(idx, shape) -> kir.Expr:
    """Row-major flat offset of multi-index `idx` in an array of `shape`."""
    flat = kir.const(0)
    for i, s in zip(idx, strides_of(shape)):
        flat = flat + kir.as_expr(i) * s
    return flat


def unravel(flat, shape) -> tuple:
    """The multi-index of row-major offset `flat` (non-negative) in `shape`."""
    out = []
    for s, n in zip(strides_of(shape), shape):
        out.append((flat // s) % n if n != 1 else kir.const(0))
    return tuple(out)


class View:
    """A buffer seen as an array of `shape`: a reader, and a target for stores."""

    __slots__ = ("buf", "shape")

    def __init__(self, buf: kir.Buffer, shape):
        self.buf, self.shape = buf, tuple(shape)

    @property
    def dtype(self):
        return self.buf.dtype

    def __call__(self, idx) -> kir.Expr:
        return kir.load(self.buf, ravel(idx, self.shape))

    load = __call__

    def store(self, kb: kir.KernelBuilder, idx, value) -> None:
        kb.store(self.buf, ravel(idx, self.shape), value)


class ConstReader:
    """A scalar literal read at any index."""

    __slots__ = ("value", "shape", "dtype")

    def __init__(self, value, dtype):
        self.dtype = np.dtype(dtype)
        self.value = kir.const(value, self.dtype)
        self.shape = ()

    def __call__(self, idx):
        return self.value


def clamp_index(i, lo, hi) -> kir.Expr:
    """min(max(i, lo), hi) on int64 index expressions."""
    return kir.op("min", kir.op("max", kir.as_expr(i), lo), hi)
