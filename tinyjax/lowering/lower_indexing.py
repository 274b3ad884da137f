"""Lowering rules: slicing and indexing primitives.

`slice`, `dynamic_slice`, `dynamic_update_slice` and `gather` are index maps (expr
rules, fusible); the scatters are kernel rules (copy the operand to the output,
then combine the updates into it one by one in row-major order of `updates`,
which is the order of the eager `ufunc.at`).

Indices read from arrays are converted to int64 without wrap-around (uint64
values saturate at 2**62, as the eager `_index_values` does) and clamped into the
operand before any load or store; scatter windows that do not fit are skipped
(FILL_OR_DROP, PROMISE_IN_BOUNDS) or clamped (CLIP), like the eager code.
"""
from __future__ import annotations

import warnings

import numpy as np

from ..lax import indexing as ix
from . import kir
from .rules import clamp_index, def_expr, def_kernel

_CLIP = ix.GatherScatterMode.CLIP
_FILL = ix.GatherScatterMode.FILL_OR_DROP


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _zero(ctx) -> kir.Expr:
    return kir.const(0, ctx.out_dtype)


def index_value(e: kir.Expr) -> kir.Expr:
    """An integer array element as an int64 index, without wrap-around."""
    if e.dtype == np.uint64:
        e = kir.op("min", e, kir.const(2 ** 62, np.uint64))
    return kir.cast(e, kir.INDEX)


def _and(a, b):
    return b if a is None else kir.op("and", a, b)


# ----------------------------------------------------------------------------- slice

def _slice(ctx, idx, x):
    if _size(ctx.out_aval.shape) == 0:
        return _zero(ctx)
    p = ctx.params
    strides = p["strides"] or (1,) * len(x.shape)
    return x(tuple(kir.as_expr(i) * st + s
                   for i, s, st in zip(idx, p["start_indices"], strides)))


def_expr(ix.slice_p, _slice, cost=0)


# ----------------------------------------------------------------------------- dynamic_slice

def _clamped_starts(starts, shape, sizes) -> list:
    """Each start clamped into [0, dim - size] (the eager `_clamped_starts`)."""
    return [clamp_index(index_value(s(())), 0, n - k) if n - k > 0 else kir.const(0)
            for s, n, k in zip(starts, shape, sizes)]


def _dynamic_slice(ctx, idx, x, *starts):
    sizes = ctx.params["slice_sizes"]
    if _size(sizes) == 0:
        return _zero(ctx)
    lo = _clamped_starts(starts, x.shape, sizes)
    return x(tuple(s + i for s, i in zip(lo, idx)))


def_expr(ix.dynamic_slice_p, _dynamic_slice, cost=lambda ctx: 1 + len(ctx.params["slice_sizes"]))


# ----------------------------------------------------------------------------- dynamic_update_slice

def _dynamic_update_slice(ctx, idx, x, u, *starts):
    if _size(x.shape) == 0:
        return _zero(ctx)
    if _size(u.shape) == 0:
        return x(idx)
    lo = _clamped_starts(starts, x.shape, u.shape)
    inside = None
    uidx = []
    for i, s, n, k in zip(idx, lo, x.shape, u.shape):
        if k == n:              # the update spans the dimension: start is 0
            uidx.append(i)
            continue
        inside = _and(inside, kir.op("and", i >= s, i < s + k))
        uidx.append(clamp_index(kir.as_expr(i) - s, 0, k - 1))
    if inside is None:
        return u(tuple(uidx))
    return kir.select(inside, u(tuple(uidx)), x(idx))


def_expr(ix.dynamic_update_slice_p, _dynamic_update_slice,
         cost=lambda ctx: 2 + 2 * len(ctx.out_aval.shape),
         reads_once=lambda ctx: 2 * ctx.in_avals[1].size >= ctx.in_avals[0].size)


# ----------------------------------------------------------------------------- gather

def _fill_constant(fill_value, dtype) -> kir.Expr:
    dtype = np.dtype(dtype)
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        if fill_value is not None:
            v = np.asarray(fill_value).astype(dtype)
        else:
            v = ix._default_fill(dtype)
    return kir.const(v[()], dtype)


def _window_coords(x_shape, ind, bidx, widx, index_map, obd, ibd, window_dims,
                   window_sizes, check):
    """Operand coordinates (clamped starts + window offsets) of one element, and the
    condition that its window fits (None when not `check` or always true)."""
    rank = len(x_shape)
    starts = [kir.const(0)] * rank
    ok = None
    for k, d in enumerate(index_map):
        s = index_value(ind(tuple(bidx) + (kir.const(k),)))
        upper = x_shape[d] - window_sizes[d]
        if check:
            ok = _and(ok, kir.op("and", s >= 0, s <= upper))
        starts[d] = clamp_index(s, 0, upper)
    for od, bd in zip(obd, ibd):
        starts[od] = kir.as_expr(bidx[bd])
    wpos = dict(zip(window_dims, widx))
    coords = tuple(starts[d] + wpos[d] if d in wpos else starts[d] for d in range(rank))
    return coords, ok


def _gather(ctx, idx, x, ind):
    out_shape = tuple(ctx.out_aval.shape)
    if _size(out_shape) == 0:
        return _zero(ctx)
    p = ctx.params
    dn = p["dimension_numbers"]
    sizes = p["slice_sizes"]
    mode = p["mode"]
    rank = len(x.shape)
    offset = set(dn.offset_dims)
    bidx = [idx[q] for q in range(len(out_shape)) if q not in offset]
    dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
    window_dims = [d for d in range(rank) if d not in dropped]
    coords, ok = _window_coords(
        x.shape, ind, bidx, [idx[q] for q in dn.offset_dims], dn.start_index_map,
        dn.operand_batching_dims, dn.start_indices_batching_dims, window_dims, sizes,
        check=mode is _FILL)
    v = x(coords)
    if ok is None:
        return v
    return kir.select(ok, v, _fill_constant(p.get("fill_value"), x.dtype))


def_expr(ix.gather_p, _gather,
         cost=lambda ctx: 1 + 3 * len(ctx.params["dimension_numbers"].start_index_map),
         reads_once=False)


# ----------------------------------------------------------------------------- scatter

def _loop_nest(kb, shape):
    """Enter a row-major loop nest over `shape`; returns (indices, blocks)."""
    idx, blocks = [], []
    for n in shape:
        blk = kb.loop(n)
        idx.append(blk.__enter__())
        blocks.append(blk)
    return tuple(idx), blocks


def _exit(blocks):
    for blk in reversed(blocks):
        blk.__exit__(None, None, None)


_TIES: dict = {}


def _numpy_tie(name, dtype) -> str:
    """Which value `np.maximum.at` / `np.minimum.at` keeps for equal operands of
    different sign (+0.0 and -0.0): 'first' (the current one), 'second' (the update),
    or 'sign' (max: +0.0, min: -0.0). It depends on the dtype and on NumPy's SIMD
    kernels (float32/float64 on x86 keep the update; float16 keeps the current)."""
    key = (name, np.dtype(dtype))
    tie = _TIES.get(key)
    if tie is None:
        ufunc = np.maximum if name == "max" else np.minimum
        v = np.array([0.0, -0.0], dtype)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore")
            ufunc.at(v, np.array([0, 1]), np.array([-0.0, 0.0], dtype))
        a, b = (bool(s) for s in np.signbit(v))   # op(+0, -0), op(-0, +0)
        tie = "second" if (a, b) == (True, False) else "first" if (a, b) == (False, True) \
            else "sign"
        _TIES[key] = tie
    return tie


def _float_minmax(name, a, b):
    """NumPy's maximum/minimum of floats `a` (current) and `b` (update): NaN in either
    propagates; ties between +0.0 and -0.0 resolve as NumPy's do on this machine."""
    tie = _numpy_tie(name, a.dtype)
    if tie == "first":
        return kir.op(name, a, b)
    strict = kir.op("gt" if name == "max" else "lt", a, b)
    r = kir.select(kir.op("or", strict, kir.op("isnan", a)), a, b)
    if tie == "second":
        return r
    ut = np.dtype(f"u{a.dtype.itemsize}")
    bits = kir.op("and" if name == "max" else "or", kir.bitcast(a, ut), kir.bitcast(b, ut))
    return kir.select(kir.op("eq", a, b), kir.bitcast(bits, a.dtype), r)


def _combine(name, cur, val):
    if name is None:
        return val
    if name in ("max", "min") and cur.dtype.kind == "f":
        return _float_minmax(name, cur, val)
    return kir.op(name, cur, val)


def _scatter_rule(combiner):
    def rule(ctx, kb, readers, outs):
        x, ind, u = readers
        out = outs[0]
        shape = tuple(x.shape)
        if _size(shape) == 0:
            return
        # 1. out = operand
        idx, blocks = _loop_nest(kb, shape)
        out.store(kb, idx, x(idx))
        _exit(blocks)
        if _size(u.shape) == 0:
            return
        # 2. combine every update element, in row-major order of `updates`
        p = ctx.params
        dn = p["dimension_numbers"]
        rank = len(shape)
        wset = set(dn.update_window_dims)
        dropped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
        window_dims = [d for d in range(rank) if d not in dropped]
        window_sizes = [1] * rank
        for q, d in zip(dn.update_window_dims, window_dims):
            window_sizes[d] = u.shape[q]
        uidx, blocks = _loop_nest(kb, u.shape)
        bidx = [uidx[q] for q in range(len(u.shape)) if q not in wset]
        coords, ok = _window_coords(
            shape, ind, bidx, [uidx[q] for q in dn.update_window_dims],
            dn.scatter_dims_to_operand_dims, dn.operand_batching_dims,
            dn.scatter_indices_batching_dims, window_dims, window_sizes,
            check=p["mode"] is not _CLIP)
        if ok is None:
            out.store(kb, coords, _combine(combiner, out(coords), u(uidx)))
        else:
            with kb.if_(ok):
                out.store(kb, coords, _combine(combiner, out(coords), u(uidx)))
        _exit(blocks)
    return rule


for _prim, _comb in ((ix.scatter_p, None), (ix.scatter_add_p, "add"),
                     (ix.scatter_sub_p, "sub"), (ix.scatter_mul_p, "mul"),
                     (ix.scatter_min_p, "min"), (ix.scatter_max_p, "max")):
    def_kernel(_prim, _scatter_rule(_comb))
