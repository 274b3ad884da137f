"""Lowering rules: contractions and windowed ops (lax/convolution.py).

- `dot_general` is a kernel. When the rhs's last dimension is one of its free
  dimensions (the "n" of an (m, k) @ (k, n) product), each output row (batch, m)
  is accumulated as a sum over k of `a[m, k] * b[k, :]`, the innermost loop running
  over the n-contiguous output row so LLVM vectorizes it; otherwise each output
  element is a `kir.reduce` over the contracting dimensions.
- `conv_general_dilated` and `reduce_window_{sum,max,min}` are expr rules (each
  output element is a `kir.reduce` over its window), so they fuse with their
  consumers. Padding and dilation holes are handled by clamping the index before
  the load and selecting the padding value afterwards.

The numerics follow the eager implementations: mixed operand dtypes of a dot are
converted to the result dtype first; floats narrower than float32 accumulate in
float32 and round once; integer contractions wrap (computed in the output dtype,
which is the same modulo 2**bits as eager's int64 accumulation); boolean
contractions are an OR of ANDs; padding of a convolution is a zero operand (so
0 * inf in the kernel still gives NaN, as in eager).
"""
from __future__ import annotations

import math

import numpy as np

from ..lax import convolution as cv
from . import kir
from .rules import View, clamp_index, def_expr, def_kernel, ravel

# ----------------------------------------------------------------------------- helpers

def _acc_dtype(in_dt: np.dtype, out_dt: np.dtype) -> np.dtype:
    """The dtype a contraction accumulates in (bool: OR of ANDs)."""
    acc = cv._compute_dtype(np.dtype(in_dt), np.dtype(out_dt))
    if acc.kind == "f":
        return acc
    # integer/bool operands, integer/bool result: exact modulo 2**64 in eager, then
    # wrapped to the output, which equals wrapping arithmetic in the output dtype
    return np.dtype(out_dt)


def _zero(dt) -> kir.Expr:
    return kir.const(0, dt)


def _mul(a, b):
    return kir.op("and", a, b) if a.dtype == kir.BOOL else kir.op("mul", a, b)


def _sum_op(dt) -> str:
    return "or" if np.dtype(dt) == kir.BOOL else "add"


def _combine(acc, v):
    return kir.op(_sum_op(acc.dtype), acc, v)


def _element_converter(lhs_dt, rhs_dt, out_dt, acc_dt):
    """fn(value) converting an operand element as eager does: to the result dtype
    first when the operand dtypes differ, then to the accumulation dtype."""
    mixed = np.dtype(lhs_dt) != np.dtype(rhs_dt)

    def convert(v):
        if mixed:
            v = kir.cast(v, out_dt)
        return kir.cast(v, acc_dt)
    return convert


def _size(shape) -> int:
    return math.prod(shape)


# ----------------------------------------------------------------------------- dot_general

def _store_all(kb, out, value):
    """out[...] = value everywhere."""
    with _Nest(kb, out.shape) as idx:
        out.store(kb, idx, value)


class _Nest:
    """A nest of `kb.loop`s as one context manager: yields the tuple of loop vars."""

    def __init__(self, kb, extents, prefix="i"):
        self.kb, self.extents, self.prefix = kb, list(extents), prefix
        self.blocks = []

    def __enter__(self):
        vs = []
        for n in self.extents:
            blk = self.kb.loop(n, prefix=self.prefix)
            vs.append(blk.__enter__())
            self.blocks.append(blk)
        return tuple(vs)

    def __exit__(self, *exc):
        for blk in reversed(self.blocks):
            blk.__exit__(None, None, None)
        return False


def _coefficient(e, v, memo):
    """The coefficient of index variable `v` in int64 expression `e` when `e` is
    affine in `v` (sums and products by constants), else None."""
    key = id(e)
    if key in memo:
        return memo[key]
    if e is v:
        r = 1
    elif e.kind in ("const", "var"):
        r = 0
    elif e.kind == "op" and e.attr in ("add", "sub") and len(e.args) == 2:
        a, b = (_coefficient(x, v, memo) for x in e.args)
        r = None if a is None or b is None else (a + b if e.attr == "add" else a - b)
    elif e.kind == "op" and e.attr == "mul" and len(e.args) == 2:
        a, b = e.args
        ca, cb = _coefficient(a, v, memo), _coefficient(b, v, memo)
        if ca == 0 and cb == 0:
            r = 0
        elif a.kind == "const" and cb is not None:
            r = int(a.attr) * cb
        elif b.kind == "const" and ca is not None:
            r = int(b.attr) * ca
        else:
            r = None
    else:
        r = 0 if all(_coefficient(x, v, memo) == 0 for x in e.args) else None
    memo[key] = r
    return r


def _unit_stride(reader, shape, dim, strict=False) -> bool:
    """Does reading `reader` along dimension `dim` walk memory with stride 1 (or 0
    unless `strict`) in every buffer it loads from? Probed on symbolic indices."""
    probe = tuple(kir.fresh("p") for _ in shape)
    e = reader(probe)
    v = probe[dim]
    memo: dict = {}
    seen, stack, strides = set(), [e], []
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        if x.kind == "load":
            strides.append(_coefficient(x.args[0], v, memo))
        stack.extend(x.args)
    if strict:
        return bool(strides) and all(s in (0, 1) for s in strides) and 1 in strides
    return all(s in (0, 1) for s in strides)


def _dot_general(ctx, kb, readers, outs):
    lhs, rhs = readers
    out = outs[0]
    (lc, rc), (lb, rb) = ctx.params["dimension_numbers"]
    lshape, rshape = tuple(ctx.in_avals[0].shape), tuple(ctx.in_avals[1].shape)
    l_dt, r_dt = np.dtype(ctx.in_avals[0].dtype), np.dtype(ctx.in_avals[1].dtype)
    out_dt = ctx.out_dtype
    in_dt = out_dt if l_dt != r_dt else l_dt
    acc_dt = _acc_dtype(in_dt, out_dt)
    conv = _element_converter(l_dt, r_dt, out_dt, acc_dt)

    lfree = [d for d in range(len(lshape)) if d not in lc and d not in lb]
    rfree = [d for d in range(len(rshape)) if d not in rc and d not in rb]
    bshape = [lshape[d] for d in lb]
    mshape = [lshape[d] for d in lfree]
    nshape = [rshape[d] for d in rfree]
    kshape = [lshape[d] for d in lc]
    if _size(out.shape) == 0:
        return
    if _size(kshape) == 0:  # empty contraction: zeros (never read the empty operands)
        _store_all(kb, out, kir.cast(_zero(acc_dt), out_dt))
        return

    def lhs_at(bv, mv, kv):
        idx = [None] * len(lshape)
        for d, v in zip(lb, bv):
            idx[d] = v
        for d, v in zip(lfree, mv):
            idx[d] = v
        for d, v in zip(lc, kv):
            idx[d] = v
        return conv(lhs(tuple(idx)))

    def rhs_at(bv, nv, kv):
        idx = [None] * len(rshape)
        for d, v in zip(rb, bv):
            idx[d] = v
        for d, v in zip(rfree, nv):
            idx[d] = v
        for d, v in zip(rc, kv):
            idx[d] = v
        return conv(rhs(tuple(idx)))

    nb, nm = len(bshape), len(mshape)
    # Which strategy: decided on the memory strides of what the readers load (an
    # operand may be a fused transpose, so its logical layout says little).
    axpy = bool(rfree) and nshape[-1] > 1 and _unit_stride(rhs, rshape, rfree[-1])
    if not axpy:
        # out[b, m, n] = reduce over k of lhs[b, m, k] * rhs[b, k, n]; the innermost
        # reduction loop runs over a contracting dim contiguous in memory if any
        score = [_unit_stride(lhs, lshape, dl, strict=True) +
                 _unit_stride(rhs, rshape, dr, strict=True) for dl, dr in zip(lc, rc)]
        order = sorted(range(len(kshape)), key=lambda j: score[j])
        with _Nest(kb, bshape + mshape + nshape) as ov:
            bv, mv, nv = ov[:nb], ov[nb:nb + nm], ov[nb + nm:]
            kv = [kir.fresh("k") for _ in kshape]
            body = _mul(lhs_at(bv, mv, kv), rhs_at(bv, nv, kv))
            total = kir.reduce(_sum_op(acc_dt), _zero(acc_dt),
                               [(kv[j], kshape[j]) for j in order], body)
            out.store(kb, ov, kir.cast(total, out_dt))
        return

    # Row accumulation: for each (b, m), row[:] = sum_k lhs[b, m, k] * rhs[b, k, :],
    # blocked MR rows by KR contracting positions: the innermost loop reads KR rows
    # of the rhs once for MR output rows, and adds KR products to each output
    # element in k order (the same order, and result, as one k at a time).
    # The free dimensions of the rhs that end it form one flat, contiguous n range
    # when the rhs is a buffer; otherwise loop over them one by one.
    nrow = _size(nshape)
    tail = len(rfree)
    while tail > 0 and rfree[tail - 1] == len(rshape) - (len(rfree) - tail + 1):
        tail -= 1
    flat_n = isinstance(rhs, View) and tail == 0
    direct = acc_dt == out_dt
    mr = _MR if nm else 1
    kr = _KR
    row_buf = None if direct else kb.new_scratch(acc_dt, mr * nrow, name="dotrow")
    rows_shape = tuple(out.shape[:nb + nm])

    def n_loop(body):
        """body(nv, nflat) inside loops over the row's n positions."""
        if flat_n:
            with kb.loop(nrow, prefix="n") as j:
                body(None, j)
        else:
            with _Nest(kb, nshape, prefix="n") as nv:
                body(nv, ravel(nv, nshape))

    def rhs_row(bv, nv, nflat, kv):
        if nv is not None:
            return rhs_at(bv, nv, kv)
        idx = [kir.const(0)] * len(rshape)
        for d, v in zip(rb, bv):
            idx[d] = v
        for d, v in zip(rc, kv):
            idx[d] = v
        return conv(kir.load(rhs.buf, ravel(idx, rshape) + nflat))

    def rows_body(bv, mvs):
        """Accumulate the output rows (bv, mv) for mv in mvs."""
        if direct:
            bases = [ravel(tuple(bv) + tuple(mv), rows_shape) * nrow for mv in mvs]
            buf = out.buf
        else:
            bases = [kir.const(r * nrow) for r in range(len(mvs))]
            buf = row_buf

        def init(nv, nflat):
            for base in bases:
                kb.store(buf, base + nflat, _zero(acc_dt))
        n_loop(init)

        def k_body(kvs):
            a = [[kb.local(acc_dt, lhs_at(bv, mv, kv), prefix="a") for kv in kvs]
                 for mv in mvs]

            def update(nv, nflat):
                bs = [rhs_row(bv, nv, nflat, kv) for kv in kvs]
                for r, base in enumerate(bases):
                    s = kir.load(buf, base + nflat)
                    for t, bt in enumerate(bs):
                        s = _combine(s, _mul(a[r][t], bt))
                    kb.store(buf, base + nflat, s)
            n_loop(update)

        if not kshape:  # an outer product
            k_body([()])
        else:
            with _Nest(kb, kshape[:-1], prefix="k") as kouter:
                _blocked(kb, kshape[-1], kr,
                         lambda ks: k_body([tuple(kouter) + (k,) for k in ks]), prefix="k")

        if not direct:
            def finish(nv, nflat):
                for mv, base in zip(mvs, bases):
                    kb.store(out.buf, ravel(tuple(bv) + tuple(mv), rows_shape) * nrow + nflat,
                             kir.cast(kir.load(buf, base + nflat), out_dt))
            n_loop(finish)

    if nm:
        with _Nest(kb, bshape + mshape[:-1]) as ov:
            bv, mouter = ov[:nb], ov[nb:]
            _blocked(kb, mshape[-1], mr,
                     lambda ms: rows_body(bv, [tuple(mouter) + (m,) for m in ms]), prefix="m")
    else:
        with _Nest(kb, bshape) as bv:
            rows_body(bv, [()])


_MR = 4   # output rows per block
_KR = 4   # contracting positions per block


def _blocked(kb, n, r, body, prefix="i"):
    """body(indices) for the indices 0..n-1 taken r at a time, then one at a time
    for the remainder."""
    nblk = n // r if r > 1 else 0
    if nblk:
        with kb.loop(nblk, prefix=prefix) as j:
            body([j * r + t for t in range(r)])
    if nblk * r < n:
        with kb.loop(n, start=nblk * r, prefix=prefix) as j:
            body([j])


def_kernel(cv.dot_general_p, _dot_general)


# ----------------------------------------------------------------------------- windows

def _window_index(o, k, *, stride, wdil, lo, size, bdil, n_out, n_win):
    """(clamped operand index, valid-or-None) for output position `o` and window
    offset `k` of one dimension: position o*stride + k*wdil - lo in the operand
    dilated by `bdil` (holes between elements) and padded by `lo` at the start."""
    pos = o * stride + k * wdil - lo
    last = (size - 1) * bdil        # last position holding an operand element
    lo_pos = -lo
    hi_pos = (n_out - 1) * stride + (n_win - 1) * wdil - lo
    checks = []
    if lo_pos < 0 or hi_pos > last:
        clamped = clamp_index(pos, 0, last)
        if lo_pos < 0:
            checks.append(pos >= 0)
        if hi_pos > last:
            checks.append(pos <= last)
    else:
        clamped = pos
    if bdil > 1:
        checks.append(kir.op("eq", clamped % bdil, 0))
        clamped = clamped // bdil
    valid = None
    for c in checks:
        valid = c if valid is None else kir.op("and", valid, c)
    return clamped, valid


def _and(a, b):
    if a is None:
        return b
    if b is None:
        return a
    return kir.op("and", a, b)


# ----------------------------------------------------------------------------- conv

def _conv(ctx, idx, lhs, rhs):
    p = ctx.params
    lsp, rsp, osp = (tuple(s) for s in p["dimension_numbers"])
    lshape, rshape = tuple(ctx.in_avals[0].shape), tuple(ctx.in_avals[1].shape)
    out_shape = tuple(ctx.out_aval.shape)
    in_dt = np.dtype(ctx.in_avals[0].dtype)
    out_dt = ctx.out_dtype
    acc_dt = _acc_dtype(in_dt, out_dt)
    nsp = len(lshape) - 2
    G, B = p["feature_group_count"], p["batch_group_count"]
    N = lshape[lsp[0]]
    O, I = rshape[rsp[0]], rshape[rsp[1]]
    window = [rshape[rsp[2 + j]] for j in range(nsp)]
    if _size(rshape) == 0:  # no window or no input features: zeros
        return kir.cast(_zero(acc_dt), out_dt)

    on, oo = idx[osp[0]], idx[osp[1]]
    if B > 1:
        per = O // B
        batch = (oo // per) * (N // B) + on
        chan0 = None
    else:
        batch = on
        per = O // G
        chan0 = (oo // per) * I if G > 1 else None
    ic = kir.fresh("c")
    kv = [kir.fresh("w") for _ in range(nsp)]
    loops = [(ic, I)] + list(zip(kv, window))

    rv = kir.cast(rhs(tuple(_place(rsp, [oo, ic] + kv))), acc_dt)
    if _size(lshape) == 0:  # only padding: zeros (times the kernel, as eager)
        lv = _zero(acc_dt)
    else:
        chan = ic if chan0 is None else chan0 + ic
        pos, valid = [], None
        for j in range(nsp):
            lo, _ = p["padding"][j]
            i_j, v_j = _window_index(
                idx[osp[2 + j]], kv[j], stride=p["window_strides"][j],
                wdil=p["rhs_dilation"][j], lo=lo, size=lshape[lsp[2 + j]],
                bdil=p["lhs_dilation"][j], n_out=out_shape[osp[2 + j]], n_win=window[j])
            pos.append(i_j)
            valid = _and(valid, v_j)
        lv = kir.cast(lhs(tuple(_place(lsp, [batch, chan] + pos))), acc_dt)
        if valid is not None:
            lv = kir.select(valid, lv, _zero(acc_dt))
    total = kir.reduce(_sum_op(acc_dt), _zero(acc_dt), loops, _mul(lv, rv))
    return kir.cast(total, out_dt)


def _place(spec, canonical):
    """Operand multi-index from canonical (batch/out, feature/in, *spatial) indices."""
    idx = [None] * len(spec)
    for j, d in enumerate(spec):
        idx[d] = canonical[j]
    return idx


def _conv_cost(ctx):
    rshape = ctx.in_avals[1].shape
    rsp = ctx.params["dimension_numbers"][1]
    return 2 + 3 * _size(rshape) // max(1, rshape[rsp[0]])


def_expr(cv.conv_general_dilated_p, _conv, cost=_conv_cost, reads_once=False)


# ----------------------------------------------------------------------------- reduce_window

def _reduce_window_rule(kind):
    op_name = "add" if kind == "sum" else kind

    def rule(ctx, idx, x):
        p = ctx.params
        dt = np.dtype(ctx.in_avals[0].dtype)
        shape = tuple(ctx.in_avals[0].shape)
        if not shape:  # a rank-0 operand is its own window
            return x(())
        ident = cv._identity(kind, dt)
        if _size(shape) == 0:  # only padding
            return kir.const(ident, dt)
        acc_dt = np.dtype(np.float32) if (kind == "sum" and dt == np.float16) else dt
        out_shape = tuple(ctx.out_aval.shape)
        loops, full, valid = [], [], None
        for d, n in enumerate(shape):
            w = p["window_dimensions"][d]
            k = kir.fresh("w") if w > 1 else kir.const(0)
            if w > 1:
                loops.append((k, w))
            i_d, v_d = _window_index(
                idx[d], k, stride=p["window_strides"][d], wdil=p["window_dilation"][d],
                lo=p["padding"][d][0], size=n, bdil=p["base_dilation"][d],
                n_out=out_shape[d], n_win=w)
            full.append(i_d)
            valid = _and(valid, v_d)
        v = kir.cast(x(tuple(full)), acc_dt)
        if valid is not None:
            v = kir.select(valid, v, kir.const(ident, acc_dt))
        if not loops:
            return kir.cast(v, dt)
        # -0.0 is the identity of float addition (an all -0.0 window sums to -0.0)
        init = kir.const(-0.0 if (kind == "sum" and acc_dt.kind == "f") else ident, acc_dt)
        return kir.cast(kir.reduce(op_name, init, loops, v), dt)

    return rule


def _window_cost(ctx):
    return 2 + 2 * _size(ctx.params["window_dimensions"])


def _window_reads_once(ctx):
    p = ctx.params
    return all(w == 1 or (w - 1) * d + 1 <= s for w, d, s in
               zip(p["window_dimensions"], p["window_dilation"], p["window_strides"]))


for _kind, _prim in (("sum", cv.reduce_window_sum_p), ("max", cv.reduce_window_max_p),
                     ("min", cv.reduce_window_min_p)):
    def_expr(_prim, _reduce_window_rule(_kind), cost=_window_cost,
             reads_once=_window_reads_once)
del _kind, _prim
