"""Lowering rules: shape and layout primitives (index maps, fusible).

Every rule maps an output multi-index to operand multi-indices with static
shape arithmetic; indices that depend on the output position are clamped into
the operand before any load (a `select` evaluates both of its sides), so no rule
reads outside a buffer, and none reads a zero-size operand.
"""
from __future__ import annotations

import numpy as np

from ..lax import shapes as sh
from . import kir
from .rules import View, clamp_index, def_expr, strides_of


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _zero(ctx) -> kir.Expr:
    """The value of an element of an empty output (never evaluated)."""
    return kir.const(0, ctx.out_dtype)


def ravel_dims(idx, shape) -> kir.Expr:
    """Row-major offset of `idx` in `shape` (as `rules.ravel`, skipping size-1 dims)."""
    flat = kir.const(0)
    for i, n, s in zip(idx, shape, strides_of(shape)):
        if n != 1:
            flat = flat + kir.as_expr(i) * s
    return flat


def unravel_dims(flat, shape) -> list:
    """Multi-index of `flat` (known to lie in [0, prod(shape))) in `shape`: no
    remainder on the outermost dimension, nothing for size-1 dimensions."""
    out = []
    stride = _size(shape)
    for k, n in enumerate(shape):
        stride //= max(n, 1)
        if n == 1:
            out.append(kir.const(0))
        elif k == 0 or all(m == 1 for m in shape[:k]):
            out.append(flat // stride)
        else:
            out.append((flat // stride) % n)
    return out


def reshape_groups(a, b) -> list:
    """Split the dimensions of shapes `a` and `b` (same nonzero size) into minimal
    consecutive groups of equal size: [(a_dims, b_dims)]."""
    groups, i, j = [], 0, 0
    while i < len(a) or j < len(b):
        ga, gb, pa, pb = [], [], 1, 1
        if i < len(a):
            ga.append(i)
            pa *= a[i]
            i += 1
        if j < len(b):
            gb.append(j)
            pb *= b[j]
            j += 1
        while pa != pb:
            if pa < pb:
                ga.append(i)
                pa *= a[i]
                i += 1
            else:
                gb.append(j)
                pb *= b[j]
                j += 1
        groups.append((ga, gb))
    return groups


def same_order_read(x, idx, out_shape) -> kir.Expr:
    """Read `x` (of the same size as `out_shape`) at the element whose row-major
    position is that of `idx` in `out_shape`: one flat load from a buffer, else a
    multi-index for the producer's rule."""
    if type(x) is View:
        return kir.load(x.buf, ravel_dims(idx, out_shape))
    return x(reshape_index(idx, out_shape, x.shape))


def reshape_index(idx, out_shape, in_shape) -> tuple:
    """The multi-index in `in_shape` of the element at `idx` in `out_shape` (row-major
    reshape); both shapes have the same nonzero size."""
    src = [None] * len(in_shape)
    for ga, gb in reshape_groups(tuple(in_shape), tuple(out_shape)):
        if len(ga) == 1 and len(gb) == 1:
            src[ga[0]] = idx[gb[0]]
            continue
        flat = ravel_dims([idx[q] for q in gb], [out_shape[q] for q in gb])
        for d, e in zip(ga, unravel_dims(flat, [in_shape[d] for d in ga])):
            src[d] = e
    return tuple(src)


# ----------------------------------------------------------------------------- broadcast_in_dim

def _broadcast_in_dim(ctx, idx, x):
    if _size(ctx.out_aval.shape) == 0:
        return _zero(ctx)
    dims = ctx.params["broadcast_dimensions"]
    if type(x) is View and _size(x.shape) == _size(ctx.out_aval.shape) and \
            list(dims) == sorted(dims):   # only size-1 dimensions inserted
        return same_order_read(x, idx, ctx.out_aval.shape)
    return x(tuple(kir.const(0) if x.shape[k] == 1 else idx[d] for k, d in enumerate(dims)))


def_expr(sh.broadcast_in_dim_p, _broadcast_in_dim, cost=0,
         reads_once=lambda ctx: ctx.in_avals[0].size == ctx.out_aval.size)


# ----------------------------------------------------------------------------- reshape

def _reshape(ctx, idx, x):
    out_shape = tuple(ctx.out_aval.shape)
    if _size(out_shape) == 0:
        return _zero(ctx)
    dims = ctx.params.get("dimensions")
    if dims is None or tuple(dims) == tuple(range(len(x.shape))):
        return same_order_read(x, idx, out_shape)
    # reshape of transpose(x, dims)
    t_shape = tuple(x.shape[d] for d in dims)
    t_idx = reshape_index(idx, out_shape, t_shape)
    src = [None] * len(x.shape)
    for k, d in enumerate(dims):
        src[d] = t_idx[k]
    return x(tuple(src))


def_expr(sh.reshape_p, _reshape, cost=0)


# ----------------------------------------------------------------------------- squeeze

def _squeeze(ctx, idx, x):
    if _size(ctx.out_aval.shape) == 0:
        return _zero(ctx)
    if type(x) is View:
        return same_order_read(x, idx, ctx.out_aval.shape)
    dims = set(ctx.params["dimensions"])
    it = iter(idx)
    return x(tuple(kir.const(0) if d in dims else next(it) for d in range(len(x.shape))))


def_expr(sh.squeeze_p, _squeeze, cost=0)


# ----------------------------------------------------------------------------- transpose

def _transpose(ctx, idx, x):
    if _size(ctx.out_aval.shape) == 0:
        return _zero(ctx)
    perm = ctx.params["permutation"]
    src = [None] * len(perm)
    for k, p in enumerate(perm):
        src[p] = idx[k]
    return x(tuple(src))


def_expr(sh.transpose_p, _transpose, cost=0)


# ----------------------------------------------------------------------------- rev

def _rev(ctx, idx, x):
    if _size(ctx.out_aval.shape) == 0:
        return _zero(ctx)
    dims = set(ctx.params["dimensions"])
    return x(tuple((n - 1) - i if d in dims and n > 1 else i
                   for d, (i, n) in enumerate(zip(idx, x.shape))))


def_expr(sh.rev_p, _rev, cost=0)


# ----------------------------------------------------------------------------- pad

def _pad(ctx, idx, x, pv):
    out_shape = tuple(ctx.out_aval.shape)
    if _size(out_shape) == 0:
        return _zero(ctx)
    fill = pv(())
    if _size(x.shape) == 0:
        return fill
    ok = None
    src = []
    for (lo, hi, interior), i, n, m in zip(ctx.params["padding_config"], idx, x.shape,
                                           out_shape):
        step = interior + 1
        dil = 1 + step * (n - 1)
        t = kir.as_expr(i) - lo          # position in the dilated operand
        conds = []
        if lo > 0:                       # t < 0 somewhere
            conds.append(t >= 0)
        if m - 1 - lo >= dil:            # t >= dil somewhere
            conds.append(t < dil)
        tc = clamp_index(t, 0, dil - 1) if conds else t
        if step > 1:
            conds.append(kir.op("eq", tc % step, kir.const(0)))
            tc = tc // step
        src.append(tc)
        for c in conds:
            ok = c if ok is None else kir.op("and", ok, c)
    v = x(tuple(src))
    return v if ok is None else kir.select(ok, v, fill)


def_expr(sh.pad_p, _pad, cost=2,
         reads_once=lambda ctx: ctx.out_aval.size <= 2 * max(ctx.in_avals[0].size, 1))


# ----------------------------------------------------------------------------- concatenate

def _concatenate(ctx, idx, *xs):
    out_shape = tuple(ctx.out_aval.shape)
    if _size(out_shape) == 0:
        return _zero(ctx)
    dim = ctx.params["dimension"]
    parts, start = [], 0
    for x in xs:
        n = x.shape[dim]
        if n:
            parts.append((x, start, n))
        start += n
    i = kir.as_expr(idx[dim])
    val = None
    for x, s, n in reversed(parts):
        j = i - s
        if len(parts) > 1:
            j = clamp_index(j, 0, n - 1)
        v = x(tuple(idx[:dim]) + (j,) + tuple(idx[dim + 1:]))
        val = v if val is None else kir.select(i < s + n, v, val)
    return val


def _concat_parts(ctx) -> int:
    dim = ctx.params["dimension"]
    return sum(1 for a in ctx.in_avals if a.shape[dim])


def_expr(sh.concatenate_p, _concatenate, cost=lambda ctx: _concat_parts(ctx),
         reads_once=lambda ctx: _concat_parts(ctx) <= 1)


# ----------------------------------------------------------------------------- iota

def _iota(ctx, idx):
    if _size(ctx.out_aval.shape) == 0:
        return _zero(ctx)
    return kir.cast(kir.as_expr(idx[ctx.params["dimension"]]), ctx.out_dtype)


def_expr(sh.iota_p, _iota, cost=1)


# convert_element_type: see lower_elementwise.py
