"""Lowering rules: linear algebra.

The decompositions (cholesky, eigh, lu, qr, svd) are host rules: the compiled code
calls their eager NumPy/LAPACK implementation once per call of the primitive, on
whole (batched) buffers. `triangular_solve` and `lu_pivots_to_permutation` are
generated code (kernel rules) following the eager implementations step by step.
"""
from __future__ import annotations

import numpy as np

from ..lax import linalg as la
from . import kir
from .rules import View, def_host, def_kernel

for _p in (la.cholesky_p, la.eigh_p, la.lu_p, la.qr_p, la.svd_p):
    def_host(_p)


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


def _batch_loops(kb, batch):
    """Open one loop per batch dimension; returns (blocks, index tuple)."""
    blocks, idx = [], []
    for n in batch:
        blk = kb.loop(n, prefix="b")
        idx.append(blk.__enter__())
        blocks.append(blk)
    return blocks, tuple(idx)


def _close(blocks):
    for blk in reversed(blocks):
        blk.__exit__(None, None, None)


# ----------------------------------------------------------------------------- triangular_solve

def _triangular_solve(ctx, kb, readers, outs):
    """op(A) X = B (left_side) or X op(A) = B, as the eager implementation: in the
    work dtype (float32 for float16, rounded once at the end), a right-side solve
    is the left-side solve of the transposes, and row i of X is
    (B[i] - T[i, cols] @ X[cols]) / T[i, i] in substitution order, where only the
    triangle of A named by `lower` is read and `unit_diagonal` takes T[i, i] = 1."""
    a, b = readers
    out = outs[0]
    p = ctx.params
    left, trans = bool(p["left_side"]), bool(p["transpose_a"])
    unit = bool(p["unit_diagonal"])
    if not left:
        trans = not trans
    lower = bool(p["lower"]) != trans     # the triangle of T = op(A) that is used
    dtype = np.dtype(out.dtype)
    wdt = np.dtype(np.float32) if dtype == np.float16 else dtype
    batch = tuple(out.shape[:-2])
    m = a.shape[-1]
    n = out.shape[-1] if left else out.shape[-2]
    if _size(out.shape) == 0:
        return

    def t_at(bi, i, k):                   # T[i, k] in the work dtype
        return kir.cast(a(bi + ((k, i) if trans else (i, k))), wdt)

    def b_at(bi, i, j):                   # B'[i, j] (B' = B, or B^T on the right)
        return kir.cast(b(bi + ((i, j) if left else (j, i))), wdt)

    if wdt == dtype:
        def x_idx(bi, i, j):
            return bi + ((i, j) if left else (j, i))

        def x_load(bi, i, j):
            return out(x_idx(bi, i, j))

        def x_store(bi, i, j, v):
            out.store(kb, x_idx(bi, i, j), v)
    else:
        shape = batch + (m, n)
        scratch = kb.new_scratch(wdt, _size(shape), "x")
        xs = View(scratch, shape)

        def x_load(bi, i, j):
            return xs(bi + (i, j))

        def x_store(bi, i, j, v):
            xs.store(kb, bi + (i, j), v)

    blocks, bi = _batch_loops(kb, batch)
    with kb.loop(n, prefix="j") as j:
        with kb.loop(m, prefix="s") as step:
            i = step if lower else (m - 1) - step
            k = kir.fresh("k")
            if lower:                     # columns 0 .. i-1
                extent, col = i, k
            else:                         # columns i+1 .. m-1
                extent, col = (m - 1) - i, i + 1 + k
            dot = kir.reduce("add", kir.const(0, wdt), [(k, extent)],
                             kir.op("mul", t_at(bi, i, col), x_load(bi, col, j)))
            r = kir.op("sub", b_at(bi, i, j), dot)
            if not unit:
                r = kir.op("div", r, t_at(bi, i, i))
            x_store(bi, i, j, r)
    if wdt != dtype:
        with kb.loop(m, prefix="i") as i:
            with kb.loop(n, prefix="j") as j:
                out.store(kb, bi + ((i, j) if left else (j, i)),
                          kir.cast(x_load(bi, i, j), dtype))
    _close(blocks)


def_kernel(la.triangular_solve_p, _triangular_solve)


# ----------------------------------------------------------------------------- lu_pivots_to_permutation

def _lu_pivots_to_permutation(ctx, kb, readers, outs):
    """perm = arange(size); for each pivot i in order, swap perm[i] and perm[j]
    (j = pivots[i], negative j counting from the end; the read of perm[j] is
    clamped into range and a write out of range is dropped, as the eager impl)."""
    (piv,), (out,) = readers, outs
    size = int(ctx.params["permutation_size"])
    batch = tuple(out.shape[:-1])
    k = piv.shape[-1]
    if _size(out.shape) == 0:
        return
    i32 = np.dtype(np.int32)
    blocks, bi = _batch_loops(kb, batch)
    with kb.loop(size, prefix="p") as q:
        out.store(kb, bi + (q,), kir.cast(q, i32))
    if k:
        with kb.loop(k, prefix="i") as i:
            j = kir.cast(piv(bi + (i,)), kir.INDEX)
            j = kir.select(kir.op("lt", j, 0), j + size, j)
            read = kir.op("min", kir.op("max", j, 0), size - 1)
            xi = kb.local(i32, out(bi + (i,)), prefix="xi")
            out.store(kb, bi + (i,), out(bi + (read,)))
            with kb.if_(kir.op("and", kir.op("ge", j, 0), kir.op("lt", j, size))):
                out.store(kb, bi + (j,), xi)
    _close(blocks)


def_kernel(la.lu_pivots_to_permutation_p, _lu_pivots_to_permutation)
