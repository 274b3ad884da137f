"""Lowering rules: reductions (fusible with their producers), cumulative ops, sort.

- `reduce_*`: expr rules, one `kir.reduce` each, so producers fuse into the loop.
  float16 sums/products accumulate in float32 and round once; max/min of floats
  reduce the IEEE total-order integer key of each element (NaN mapped to the top
  or bottom), which propagates NaN and orders -0.0 below +0.0 in one integer
  max/min reduction.
- `argmax`/`argmin`: expr rules. For operands of at most 32 bits, one int64
  max/min reduction of `key << 32 | position` (ties: lowest index; NaN: the
  first NaN); for 64-bit operands, the extremum's key and then the lowest index
  that attains it.
- cumulative ops: kernel rules, a sequential loop along the axis: one local
  accumulator per row when the axis is last, else a scratch row of accumulators
  with the trailing axes innermost (contiguous, vectorizable).
- `sort`/`top_k`: kernel rules. Each row sorts an int64 "item" array in a scratch
  buffer, then gathers every operand through the permutation it encodes. With one
  key of at most 32 bits the item is the packed `key << 32 | index` (stable for
  free): an LSD radix sort on the key bytes for long rows, else merge sort. Otherwise
  the item is the index, compared lexicographically through per-row scratch copies
  of the integer keys, by a stable bottom-up merge sort (insertion-sorted runs of
  `RUN`; rows of up to 2*RUN are insertion-sorted). Keys: floats as total-order
  integers with -0.0 == +0.0 and NaNs last (sort), the bits' total order reversed
  (top_k, whose small k keep a sorted list of the best k in one scan instead).
"""
from __future__ import annotations

import contextlib

import numpy as np

from ..lax import reductions as red
from . import kir
from .rules import def_expr, def_kernel, strides_of

I64 = kir.INDEX
F32 = np.dtype(np.float32)
LOW32 = 0xFFFFFFFF


# ----------------------------------------------------------------------------- helpers

def _sint(dt) -> np.dtype:
    return np.dtype(f"i{np.dtype(dt).itemsize}")


def _imax(dt) -> int:
    return int(np.iinfo(_sint(dt)).max)


def _imin(dt) -> int:
    return int(np.iinfo(_sint(dt)).min)


def _ordered_bits(v: kir.Expr) -> kir.Expr:
    """The float `v` as a signed integer of its width, ordered as the IEEE total
    order (-NaN < -inf < ... < -0.0 < +0.0 < ... < +inf < +NaN)."""
    bits = kir.bitcast(v, _sint(v.dtype))
    return kir.select(bits < 0, kir.op("xor", bits, _imax(v.dtype)), bits)


def _from_ordered_bits(k: kir.Expr, dt) -> kir.Expr:
    """Inverse of `_ordered_bits`."""
    bits = kir.select(k < 0, kir.op("xor", k, _imax(k.dtype)), k)
    return kir.bitcast(bits, dt)


def _float_minmax_key(v: kir.Expr, nan_high: bool) -> kir.Expr:
    """Ordered integer key of float v with every NaN at the top (or bottom)."""
    nan = _imax(v.dtype) if nan_high else _imin(v.dtype)
    return kir.select(kir.op("isnan", v), kir.as_expr(nan, _sint(v.dtype)), _ordered_bits(v))


def _compare_key(v: kir.Expr, nan_high: bool = True) -> kir.Expr:
    """An integer key of v ordered like lax.sort/argmax compare: -0.0 == +0.0 and
    every NaN above (or below) everything; bool as uint8; integers as they are."""
    dt = v.dtype
    if dt == kir.BOOL:
        return kir.cast(v, np.uint8)
    if dt.kind != "f":
        return v
    z = kir.select(kir.op("eq", v, kir.const(0, dt)), kir.const(0, dt), v)
    return _float_minmax_key(z, nan_high)


def _total_order_key(v: kir.Expr) -> kir.Expr:
    """top_k's key: the IEEE total order on the bits (bool as uint8)."""
    if v.dtype == kir.BOOL:
        return kir.cast(v, np.uint8)
    if v.dtype.kind == "f":
        return _ordered_bits(v)
    return v


def _centered64(k: kir.Expr) -> kir.Expr:
    """An integer key of at most 32 bits as an int64 in [-2**31, 2**31), same order."""
    if k.dtype == np.uint32:
        return kir.cast(k, I64) - (1 << 31)
    return kir.cast(k, I64)


def _packable(dt) -> bool:
    return np.dtype(dt).itemsize <= 4


def _acc_dtype(dt):
    return F32 if dt == np.float16 else dt


def _size(shape) -> int:
    return int(np.prod(shape, dtype=np.int64))


# ----------------------------------------------------------------------------- reduce_*

def _identity(kind, dt):
    dt = np.dtype(dt)
    if kind == "add":
        return np.zeros((), dt)[()]
    if kind == "mul":
        return np.ones((), dt)[()]
    if kind in ("or", "xor"):
        return np.zeros((), dt)[()]
    if kind == "and":
        return np.array(True) if dt == kir.BOOL else np.array(-1).astype(dt)[()]
    if kind == "max":
        return red._max_identity(dt)[()]
    if kind == "min":
        return red._min_identity(dt)[()]
    raise ValueError(kind)


def _reduce_loops(idx, shape, axes):
    it = iter(idx)
    full, loops = [], []
    for d, n in enumerate(shape):
        if d in axes:
            v = kir.fresh("r")
            loops.append((v, n))
            full.append(v)
        else:
            full.append(next(it))
    return tuple(full), loops


def _reduce_rule(kind):
    def rule(ctx, idx, x):
        axes = tuple(ctx.params["axes"])
        dt = np.dtype(x.dtype)
        if not axes:
            return x(tuple(idx))
        if 0 in x.shape:
            return kir.const(_identity(kind, dt), dt)
        full, loops = _reduce_loops(idx, x.shape, axes)
        v = x(full)
        if kind in ("add", "mul"):
            acc = _acc_dtype(dt)
            r = kir.reduce(kind, kir.const(_identity(kind, acc), acc), loops, kir.cast(v, acc))
            if kind == "add" and acc.kind == "f":
                r = kir.op("add", r, kir.const(0.0, acc))  # a sum of -0.0s is +0.0
            return kir.cast(r, dt)
        if kind in ("max", "min") and dt.kind == "f":
            nan_high = kind == "max"
            init = _ordered_bits(kir.const(_identity(kind, dt), dt))
            r = kir.reduce(kind, init, loops, _float_minmax_key(v, nan_high))
            return _from_ordered_bits(r, dt)
        return kir.reduce(kind, kir.const(_identity(kind, dt), dt), loops, v)
    return rule


def _reduce_cost(ctx):
    n = 1
    for d in ctx.params["axes"]:
        n *= ctx.in_avals[0].shape[d]
    return 1 + n


for _p, _kind in ((red.reduce_sum_p, "add"), (red.reduce_prod_p, "mul"),
                  (red.reduce_max_p, "max"), (red.reduce_min_p, "min"),
                  (red.reduce_and_p, "and"), (red.reduce_or_p, "or"),
                  (red.reduce_xor_p, "xor")):
    def_expr(_p, _reduce_rule(_kind), cost=_reduce_cost)


# ----------------------------------------------------------------------------- argmax, argmin

def _argminmax_rule(is_max):
    kind = "max" if is_max else "min"

    def rule(ctx, idx, x):
        axis, = ctx.params["axes"]
        out_dt = ctx.out_dtype
        n = x.shape[axis]
        if 0 in x.shape or n == 1:
            return kir.const(0, out_dt)
        r = kir.fresh("r")
        full = tuple(idx[:axis]) + (r,) + tuple(idx[axis:])
        key = _compare_key(x(full), nan_high=is_max)
        if _packable(x.dtype) and n <= LOW32:
            pos = (LOW32 - r) if is_max else r
            packed = kir.op("or", kir.op("shl", _centered64(key), 32), pos)
            init = kir.const(np.iinfo(np.int64).min if is_max else np.iinfo(np.int64).max, I64)
            best = kir.reduce(kind, init, [(r, n)], packed)
            low = kir.op("and", best, LOW32)
            pos = (LOW32 - low) if is_max else low
            return kir.cast(pos, out_dt)
        # 64-bit operands: the extremal key, then the lowest index attaining it
        kdt = key.dtype
        init = kir.const(np.iinfo(kdt).min if is_max else np.iinfo(kdt).max, kdt)
        r2 = kir.fresh("r")
        best = kir.reduce(kind, init, [(r2, n)],
                          _compare_key(x(tuple(idx[:axis]) + (r2,) + tuple(idx[axis:])),
                                       nan_high=is_max))
        # evaluating `best` in the init hoists it out of the index loop
        init_pos = kir.select(kir.op("eq", best, best), kir.const(n), kir.const(n - 1))
        first = kir.reduce("min", init_pos, [(r, n)],
                           kir.select(kir.op("eq", key, best), r, kir.const(n)))
        return kir.cast(first, out_dt)
    return rule


def _argminmax_cost(ctx):
    return 2 + ctx.in_avals[0].shape[ctx.params["axes"][0]]


def_expr(red.argmax_p, _argminmax_rule(True), cost=_argminmax_cost)
def_expr(red.argmin_p, _argminmax_rule(False), cost=_argminmax_cost)


# ----------------------------------------------------------------------------- row loops

@contextlib.contextmanager
def _rows(kb, shape, axis):
    """Loops over every index but `axis`; yields a function pos -> full index."""
    with contextlib.ExitStack() as stack:
        outer = [stack.enter_context(kb.loop(n)) if d != axis else None
                 for d, n in enumerate(shape)]

        def at(pos):
            return tuple(pos if d == axis else outer[d] for d in range(len(shape)))
        yield at


# ----------------------------------------------------------------------------- cumulative

def _logaddexp(a, b):
    """NumPy's npy_logaddexp: exact for equal arguments (infinities), NaN-propagating."""
    dt = a.dtype
    ln2 = kir.const(np.log(2.0), dt)
    d = kir.op("sub", a, b)
    zero = kir.const(0, dt)
    pos = kir.op("add", a, kir.op("log1p", kir.op("exp", kir.op("neg", d))))
    neg = kir.op("add", b, kir.op("log1p", kir.op("exp", d)))
    r = kir.select(kir.op("gt", d, zero), pos, kir.select(kir.op("le", d, zero), neg, d))
    return kir.select(kir.op("eq", a, b), kir.op("add", a, ln2), r)


def _cumulative_rule(kind):
    def rule(ctx, kb, readers, outs):
        x, = readers
        out, = outs
        axis, reverse = ctx.params["axis"], ctx.params["reverse"]
        shape = tuple(x.shape)
        dt = np.dtype(x.dtype)
        n = shape[axis]
        if 0 in shape:
            return
        float_key = kind in ("max", "min") and dt.kind == "f"
        if float_key:      # running max/min of the total-order keys (NaN sticks)
            acc_dt = _sint(dt)
            init = _ordered_bits(kir.const(_identity(kind, dt), dt))
        elif kind == "logaddexp":
            acc_dt = _acc_dtype(dt)
            init = kir.const(-np.inf, acc_dt)
        else:
            acc_dt = _acc_dtype(dt) if kind in ("add", "mul") else dt
            init = kir.const(_identity(kind, acc_dt), acc_dt)

        def step(acc, v, j):
            if float_key:
                return kir.op(kind, acc, _float_minmax_key(v, kind == "max"))
            v = kir.cast(v, acc_dt)
            if kind == "logaddexp":   # the first element as it is (keeps -0.0)
                return kir.select(kir.op("eq", j, 0), v, _logaddexp(acc, v))
            return kir.op(kind, acc, v)

        def final(acc):
            return _from_ordered_bits(acc, dt) if float_key else kir.cast(acc, dt)

        copy = n == 1 and kind in ("add", "logaddexp")   # a lone element as it is
        trail = shape[axis + 1:]
        with contextlib.ExitStack() as stack:
            lead = [stack.enter_context(kb.loop(m)) for m in shape[:axis]]
            if not trail:
                acc = None if copy else kb.local(acc_dt, init, prefix="acc")
                with kb.loop(n) as j:
                    p = (n - 1 - j) if reverse else j
                    v = x(tuple(lead) + (p,))
                    if copy:
                        out.store(kb, tuple(lead) + (p,), v)
                    else:
                        kb.assign(acc, step(acc, v, j))
                        out.store(kb, tuple(lead) + (p,), final(acc))
                return
            # the axis is not the last: a row of accumulators, the trailing axes
            # innermost (contiguous, vectorizable)
            size = _size(trail)
            accs = None if copy else kb.new_scratch(acc_dt, size, name="acc")
            if not copy:
                with kb.loop(size, prefix="z") as t:
                    kb.store(accs, t, init)
            with kb.loop(n) as j:
                p = (n - 1 - j) if reverse else j
                with contextlib.ExitStack() as inner:
                    tix = [inner.enter_context(kb.loop(m)) for m in trail]
                    full = tuple(lead) + (p,) + tuple(tix)
                    v = x(full)
                    if copy:
                        out.store(kb, full, v)
                    else:
                        flat = kir.const(0)
                        for i, st in zip(tix, strides_of(trail)):
                            flat = flat + i * st
                        kb.store(accs, flat, step(kir.load(accs, flat), v, j))
                        out.store(kb, full, final(kir.load(accs, flat)))
    return rule


for _p, _kind in ((red.cumsum_p, "add"), (red.cumprod_p, "mul"), (red.cummax_p, "max"),
                  (red.cummin_p, "min"), (red.cumlogsumexp_p, "logaddexp")):
    def_kernel(_p, _cumulative_rule(_kind))


# ----------------------------------------------------------------------------- sorting machinery

RUN = 8   # insertion-sorted run length before the merge passes


def _insertion_sort(kb, items, lo, hi, less):
    """Stable insertion sort of items[lo:hi] (Exprs) in place."""
    with kb.loop(hi, start=lo + 1, prefix="s") as t:
        cur = kb.local(I64, kir.load(items, t), prefix="cur")
        pos = kb.local(I64, t, prefix="pos")
        go = kb.local(kir.BOOL, kir.const(True, kir.BOOL), prefix="go")
        with kb.loop(t - lo, prefix="u") as u:
            s = t - 1 - u
            with kb.if_(go):
                prev = kir.load(items, s)
                with kb.if_(less(cur, prev)):
                    kb.store(items, s + 1, prev)
                    kb.assign(pos, s)
                with kb.else_():
                    kb.assign(go, kir.const(False, kir.BOOL))
        kb.store(items, pos, cur)


def _sort_items(kb, items, n, less) -> int:
    """Sort items[0:n] of the int64 scratch `items` (size 2n) by `less(a, b)`, stably.
    Returns the offset (0 or n) of the sorted run."""
    if n <= 1:
        return 0
    if n <= 2 * RUN:
        _insertion_sort(kb, items, kir.const(0), kir.const(n), less)
        return 0
    nruns = -(-n // RUN)
    with kb.loop(nruns, prefix="b") as q:
        lo = q * RUN
        _insertion_sort(kb, items, lo, kir.op("min", lo + RUN, n), less)
    passes = 0
    w = RUN
    while w < n:
        passes += 1
        w *= 2
    with kb.loop(passes, prefix="p") as p:
        width = kir.op("shl", kir.const(RUN), p)
        src = kir.op("and", p, 1) * n
        dst = n - src
        two = width * 2
        npairs = (two + (n - 1)) // two
        with kb.loop(npairs, prefix="q") as q:
            lo = q * two
            mid = kir.op("min", lo + width, n)
            hi = kir.op("min", lo + two, n)
            i = kb.local(I64, lo, prefix="mi")
            j = kb.local(I64, mid, prefix="mj")
            with kb.loop(hi, start=lo, prefix="k") as k:
                # clamped: in bounds even when one side is exhausted
                a = kir.load(items, src + kir.op("min", i, mid - 1))
                b = kir.load(items, src + kir.op("min", j, hi - 1))
                take_b = kb.local(kir.BOOL, kir.op("and", kir.op("lt", j, hi),
                                  kir.op("or", kir.op("ge", i, mid), less(b, a))), prefix="tb")
                kb.store(items, dst + k, kir.select(take_b, b, a))
                step = kir.cast(take_b, I64)
                kb.assign(j, j + step)
                kb.assign(i, i + (1 - step))
    return (passes % 2) * n


RADIX_MIN = 256   # rows at least this long sort a packed key by radix


def _radix_sort_packed(kb, items, n):
    """Stable LSD radix sort of the packed `key << 32 | index` items[0:n] by their
    high 32 bits (the indices are increasing, so this sorts the int64 values), one
    byte per pass; a pass is skipped when every item has the same byte. Returns the
    offset (a local: 0 or n) of the sorted run in `items` (size 2n)."""
    cnt = kb.new_scratch(I64, 256, name="counts")
    src = kb.local(I64, 0, prefix="src")
    sign = kir.const(np.int64(np.iinfo(np.int64).min), I64)

    def digit(v, shift):   # the byte of the key taken as unsigned (sign bit flipped)
        return kir.op("and", kir.op("lshr", kir.op("xor", v, sign), shift), 255)

    with kb.loop(4, prefix="d") as d:
        shift = d * 8 + 32
        with kb.loop(256, prefix="c") as c:
            kb.store(cnt, c, kir.const(0))
        with kb.loop(n, prefix="h") as j:
            dg = kb.local(I64, digit(kir.load(items, src + j), shift), prefix="dg")
            kb.store(cnt, dg, kir.load(cnt, dg) + 1)
        first = digit(kir.load(items, src), shift)
        with kb.if_(kir.op("ne", kir.load(cnt, first), n)):
            acc = kb.local(I64, 0, prefix="acc")
            with kb.loop(256, prefix="c") as c:
                cc = kb.local(I64, kir.load(cnt, c), prefix="cc")
                kb.store(cnt, c, acc)
                kb.assign(acc, acc + cc)
            dst = n - src
            with kb.loop(n, prefix="m") as j:
                v = kb.local(I64, kir.load(items, src + j), prefix="v")
                dg = kb.local(I64, digit(v, shift), prefix="dg")
                pos = kb.local(I64, kir.op("min", kir.load(cnt, dg), n - 1), prefix="pos")
                kb.store(items, dst + pos, v)
                kb.store(cnt, dg, pos + 1)
            kb.assign(src, n - src)
    return src


def _row_sorter(kb, readers, keyfns, at, n):
    """Emit the sort of one row (readers at `at(pos)`) by the keys `keyfns[k](value)`
    (lexicographically, stable). Returns perm(j) -> Expr: the source position of
    the j-th element (valid after the emitted statements)."""
    items = kb.new_scratch(I64, 2 * n, name="items")
    if len(keyfns) == 1 and n <= (1 << 31):
        probe = keyfns[0](readers[0](at(kir.const(0))))
        if _packable(probe.dtype):
            # one narrow key: sort the int64 `key << 32 | position` directly
            with kb.loop(n, prefix="f") as j:
                key = _centered64(keyfns[0](readers[0](at(j))))
                kb.store(items, j, kir.op("or", kir.op("shl", key, 32), j))
            if n >= RADIX_MIN:
                off = _radix_sort_packed(kb, items, n)
            else:
                off = _sort_items(kb, items, n, lambda a, b: kir.op("lt", a, b))
            return lambda j: kir.op("and", kir.load(items, off + j), LOW32)
    keybufs = []
    for r, fn in zip(readers, keyfns):
        probe = fn(r(at(kir.const(0))))
        buf = kb.new_scratch(probe.dtype, n, name="keys")
        with kb.loop(n, prefix="f") as j:
            kb.store(buf, j, fn(r(at(j))))
        keybufs.append(buf)
    with kb.loop(n, prefix="f") as j:
        kb.store(items, j, j)

    def less(a, b):
        res = None
        for buf in reversed(keybufs):
            ka, kb_ = kir.load(buf, a), kir.load(buf, b)
            lt = kir.op("lt", ka, kb_)
            res = lt if res is None else kir.op("or", lt, kir.op("and", kir.op("eq", ka, kb_),
                                                                   res))
        return res
    off = _sort_items(kb, items, n, less)
    return lambda j: kir.load(items, off + j)


def _sort_rule(ctx, kb, readers, outs):
    dim, num_keys = ctx.params["dimension"], ctx.params["num_keys"]
    shape = tuple(readers[0].shape)
    n = shape[dim]
    if 0 in shape:
        return
    with _rows(kb, shape, dim) as at:
        if n == 1:
            for r, o in zip(readers, outs):
                o.store(kb, at(kir.const(0)), r(at(kir.const(0))))
            return
        perm = _row_sorter(kb, readers[:num_keys], [_compare_key] * num_keys, at, n)
        with kb.loop(n, prefix="g") as j:
            src = perm(j)
            for r, o in zip(readers, outs):
                o.store(kb, at(j), r(at(src)))


def_kernel(red.sort_p, _sort_rule)


TOPK_SELECT_MAX = 16   # top_k with k up to this keeps a sorted list of the k best


def _select_smallest(kb, x, keyfn, at, n, k):
    """The k smallest elements of a row by `keyfn` (ties: lower position first),
    in order, by one scan that inserts into a sorted list of k items. Returns
    perm(j) -> the position of the j-th (j < k)."""
    best = kb.new_scratch(I64, k, name="best")
    if _packable(keyfn(x(at(kir.const(0)))).dtype) and n <= LOW32:
        def item_of(j):
            return kir.op("or", kir.op("shl", _centered64(keyfn(x(at(j)))), 32), j)

        def less(a, b):
            return kir.op("lt", a, b)

        def decode(it):
            return kir.op("and", it, LOW32)
    else:
        def item_of(j):
            return j

        def less(a, b):   # a later item never precedes an equal earlier one
            return kir.op("lt", keyfn(x(at(a))), keyfn(x(at(b))))

        def decode(it):
            return it
    cnt = kb.local(I64, 0, prefix="cnt")
    with kb.loop(n, prefix="e") as j:
        it = kb.local(I64, item_of(j), prefix="it")
        ins = kb.local(kir.BOOL, kir.op("lt", cnt, k), prefix="ins")
        with kb.if_(kir.op("not", ins)):   # full: only items before the last get in
            kb.assign(ins, less(it, kir.load(best, k - 1)))
        with kb.if_(ins):
            m = kb.local(I64, kir.op("min", cnt, k - 1), prefix="m")
            pos = kb.local(I64, m, prefix="pos")
            go = kb.local(kir.BOOL, kir.const(True, kir.BOOL), prefix="go")
            with kb.loop(m, prefix="u") as u:
                s = m - 1 - u
                with kb.if_(go):
                    prev = kb.local(I64, kir.load(best, s), prefix="prev")
                    with kb.if_(less(it, prev)):
                        kb.store(best, s + 1, prev)
                        kb.assign(pos, s)
                    with kb.else_():
                        kb.assign(go, kir.const(False, kir.BOOL))
            kb.store(best, pos, it)
            kb.assign(cnt, kir.op("min", cnt + 1, k))
    return lambda j: decode(kir.load(best, j))


def _top_k_rule(ctx, kb, readers, outs):
    k, axis = ctx.params["k"], ctx.params["axis"]
    x, = readers
    vals, idxs = outs
    shape = tuple(x.shape)
    n = shape[axis]
    if k == 0 or 0 in shape:
        return
    with _rows(kb, shape, axis) as at:
        if n == 1:
            vals.store(kb, at(kir.const(0)), x(at(kir.const(0))))
            idxs.store(kb, at(kir.const(0)), kir.const(0, idxs.dtype))
            return

        def desc_key(v):   # ascending in this key = descending in the total order
            return kir.op("not", _total_order_key(v))
        if k <= TOPK_SELECT_MAX and k < n:
            perm = _select_smallest(kb, x, desc_key, at, n, k)
        else:
            perm = _row_sorter(kb, [x], [desc_key], at, n)
        with kb.loop(k, prefix="g") as j:
            src = perm(j)
            vals.store(kb, at(j), x(at(src)))
            idxs.store(kb, at(j), kir.cast(src, idxs.dtype))


def_kernel(red.top_k_p, _top_k_rule)
