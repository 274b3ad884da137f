"""Sorting, searching and data-dependent selection (unique and set operations,
built on the same compaction, live in setops.py).

Everything is built on `lax.sort` (stable, NaNs last, -0.0 == 0.0), scans and
gathers. Functions whose output shape depends on the data (nonzero, unique,
compress, the set operations, ...) take `size=` and `fill_value=` as in JAX;
without `size` they need concrete (non-traced) inputs to learn the size.

Compaction ("keep the entries where mask is True, in order") is one stable
sort keyed on ``~mask``: the selected entries move to the front in their
original order, and `size` slices or pads the front part.
"""
from __future__ import annotations

import operator
from typing import Callable, Sequence

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.errors import ConcretizationTypeError
from ..core.trace import Tracer
from ..lax._base import type_error, value_error
from ..lax.indexing import GatherDimensionNumbers
from . import ufuncs
from ._convert import asarray, check_arraylike, check_out, is_array, promote_dtypes

__all__ = [
    "argpartition",
    "argsort",
    "argwhere",
    "choose",
    "compress",
    "extract",
    "flatnonzero",
    "lexsort",
    "nonzero",
    "partition",
    "piecewise",
    "searchsorted",
    "select",
    "sort",
]


# ----------------------------------------------------------------------------- helpers

def _index_dtype():
    return dtypes.default_int_dtype()


def _axis(name: str, axis, ndim: int) -> int:
    try:
        a = operator.index(axis)
    except TypeError:
        raise type_error(f"jnp.{name}: axis must be an integer or None, got {axis!r}") from None
    if not -ndim <= a < ndim:
        raise value_error(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return a % ndim


def _static_int(name: str, what: str, v) -> int:
    if isinstance(v, Tracer):
        c = v.to_concrete_value()
        if c is None:
            raise ConcretizationTypeError(v, f"The {what} argument of jnp.{name} must be static. ")
        v = c
    try:
        return operator.index(v) if not isinstance(v, np.ndarray) else int(v.item())
    except TypeError:
        raise type_error(f"jnp.{name}: {what} must be an integer, got {v!r}") from None


def _ravel(x):
    return x if x.ndim == 1 else lax.reshape(x, (x.size,))


def _iota(n: int, dtype=None):
    return lax.iota(dtype or _index_dtype(), n)


def _not(x):
    return lax.bitwise_not(x)


def _nonzero_mask(x):
    return x if x.dtype == np.bool_ else lax.ne(x, lax.full_like(x, 0))


def _isnan(x):
    return lax.ne(x, x)


def _concrete(name: str, x, why: str):
    """The NumPy value of `x`, or ConcretizationTypeError if it is traced."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(
                x, f"The error arose in jnp.{name}(): {why} ")
        return np.asarray(v)
    return np.asarray(x)


def _count(name: str, mask, what: str = "the first argument") -> int:
    """Concrete number of True entries of `mask` (sizes data-dependent outputs)."""
    v = _concrete(name, mask,
                  f"its output size depends on the values of {what}. To use it under jit or "
                  "other transformations, pass a static `size=` argument (with an optional "
                  "`fill_value=`).")
    return int(np.count_nonzero(v))


def _check_size(name: str, size):
    if size is None:
        return None
    size = _static_int(name, "size", size)
    if size < 0:
        raise value_error(f"jnp.{name}: size must be non-negative, got {size}")
    return size


def _resize(x, size: int, pad_value=0):
    """First `size` entries of 1-D `x`, padded with `pad_value` if it is shorter."""
    n = x.shape[0]
    if size <= n:
        return x if size == n else lax.slice(x, (0,), (size,))
    pad = lax.full((size - n,), pad_value, x.dtype)
    return lax.concatenate([x, pad], 0) if n else pad


def _compact(mask, operands: Sequence, size: int):
    """Stable-partition 1-D `operands` so entries where `mask` is True come first;
    return them resized to `size` and a validity mask (position < count)."""
    n = mask.shape[0]
    if n == 0:
        outs = [lax.full((size,), 0, o.dtype) for o in operands]
        return outs, lax.full((size,), False, np.bool_)
    res = lax.sort([_not(mask)] + list(operands), num_keys=1)
    valid = _resize(_not(res[0]), size, False)
    return [_resize(o, size) for o in res[1:]], valid


def _fill(x, valid, fill_value):
    """x where valid, else fill_value (converted to x's dtype)."""
    if fill_value is None:
        return x
    fill = asarray(fill_value)
    if fill.ndim:
        raise value_error(f"fill_value must be a scalar, got an array of shape {fill.shape}")
    fill = lax.convert_element_type(fill, x.dtype)
    return lax.select(valid, x, lax.broadcast_in_dim(fill, tuple(x.shape), ()))


def _take1d(a, idx):
    """a[idx] for 1-D `a` and integer `idx` of any shape (indices clamped)."""
    dn = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,), start_index_map=(0,))
    idx = lax.convert_element_type(idx, np.int32) if idx.dtype != np.int32 else idx
    return lax.gather(a, lax.expand_dims(idx, (idx.ndim,)), dn, (1,), mode="clip")


def _take_axis(a, idx, axis: int):
    """a.take(idx, axis) for 1-D integer `idx` (indices clamped)."""
    offset = tuple(d for d in range(a.ndim) if d != axis)
    dn = GatherDimensionNumbers(offset_dims=offset, collapsed_slice_dims=(axis,),
                                start_index_map=(axis,))
    sizes = tuple(1 if d == axis else s for d, s in enumerate(a.shape))
    idx = lax.convert_element_type(idx, np.int32) if idx.dtype != np.int32 else idx
    return lax.gather(a, lax.expand_dims(idx, (1,)), dn, sizes, mode="clip")


def _lt(x, y):
    """x < y in the sort order (NaN above everything, -0.0 == 0.0)."""
    lt = lax.lt(x, y)
    if x.dtype.kind != "f":
        return lt
    return lax.bitwise_or(lt, lax.bitwise_and(_isnan(y), _not(_isnan(x))))


def _le(x, y):
    """x <= y in the sort order (NaN above everything, NaN <= NaN)."""
    le = lax.le(x, y)
    if x.dtype.kind != "f":
        return le
    return lax.bitwise_or(le, _isnan(y))


def _equal_sorted(x, y, equal_nan: bool):
    eq = lax.eq(x, y)
    if equal_nan and x.dtype.kind == "f":
        eq = lax.bitwise_or(eq, lax.bitwise_and(_isnan(x), _isnan(y)))
    return eq


# ----------------------------------------------------------------------------- sort

def _check_sort_args(name: str, kind, order):
    if order is not None:
        raise type_error(f"'order' argument to {name} is not supported.")
    del kind  # JAX ignores the algorithm choice; every sort here is stable


def sort(a, axis: int | None = -1, *, kind=None, order=None, stable: bool = True,
         descending: bool = False):
    """Sorted copy of `a` along `axis` (flattened if None). NaNs sort last and the
    sort is stable; `descending` reverses the order.

    >>> import tinyjax.numpy as jnp
    >>> jnp.sort(jnp.array([3., jnp.nan, 1., 2.]))
    Array([ 1.,  2.,  3., nan], dtype=float32)
    """
    check_arraylike("sort", a)
    _check_sort_args("sort", kind, order)
    a = asarray(a)
    if axis is None:
        a, axis = _ravel(a), 0
    axis = _axis("sort", axis, a.ndim)
    out = lax.sort(a, dimension=axis, is_stable=bool(stable))
    return lax.rev(out, (axis,)) if descending else out


def argsort(a, axis: int | None = -1, *, kind=None, order=None, stable: bool = True,
            descending: bool = False, dtype=None):
    """Indices that sort `a` along `axis` (flattened if None). Stable: equal
    elements keep their original order, also when `descending`. NaNs sort last.

    >>> import tinyjax.numpy as jnp
    >>> jnp.argsort(jnp.array([3, 1, 2, 1]))
    Array([1, 3, 2, 0], dtype=int32)
    """
    check_arraylike("argsort", a)
    _check_sort_args("argsort", kind, order)
    a = asarray(a)
    if axis is None:
        a, axis = _ravel(a), 0
    axis = _axis("argsort", axis, a.ndim)
    idx_dtype = _index_dtype() if dtype is None else dtypes.canonicalize_dtype(dtype)
    if idx_dtype.kind not in "iu":
        raise type_error(f"jnp.argsort: dtype must be an integer type, got {idx_dtype.name}")
    iota = lax.broadcasted_iota(idx_dtype, tuple(a.shape), axis)
    if not descending:
        return lax.sort([a, iota], dimension=axis, is_stable=bool(stable), num_keys=1)[1]
    if not stable:
        return lax.rev(lax.sort([a, iota], dimension=axis, num_keys=1)[1], (axis,))
    # stable descending: sort the reversed array, so ties come out highest index
    # first, reverse that, and map the indices back
    perm = lax.sort([lax.rev(a, (axis,)), iota], dimension=axis, num_keys=1)[1]
    last = lax.full_like(perm, a.shape[axis] - 1)
    return lax.sub(last, lax.rev(perm, (axis,)))


def lexsort(keys, axis: int = -1):
    """Indirect stable sort on several keys; the last key is the primary one.

    >>> import tinyjax.numpy as jnp
    >>> jnp.lexsort([jnp.array([1, 2, 1]), jnp.array([0, 0, -1])])
    Array([2, 0, 1], dtype=int32)
    """
    if is_array(keys) or isinstance(keys, np.ndarray):
        keys = asarray(keys)
        keys = [lax.index_in_dim(keys, i, 0, keepdims=False) for i in range(keys.shape[0])] \
            if keys.ndim else [keys]
    keys = list(keys)
    if not keys:
        raise type_error("need sequence of keys with len > 0 in lexsort")
    check_arraylike("lexsort", *keys)
    keys = [asarray(k) for k in keys]
    shape = keys[0].shape
    if any(k.shape != shape for k in keys[1:]):
        raise value_error(
            "all keys need to be the same shape in lexsort, got shapes "
            + ", ".join(str(tuple(k.shape)) for k in keys))
    if not shape:
        return lax.full((), 0, _index_dtype())
    axis = _axis("lexsort", axis, len(shape))
    iota = lax.broadcasted_iota(_index_dtype(), tuple(shape), axis)
    return lax.sort(keys[::-1] + [iota], dimension=axis, num_keys=len(keys))[-1]


# ----------------------------------------------------------------------------- searchsorted

def _search_compare_all(a, v, cmp):
    # counts of a-entries before each v: a broadcast against a new trailing axis of v
    shape = tuple(v.shape) + (a.shape[0],)
    ab = lax.broadcast_in_dim(a, shape, (v.ndim,))
    vb = lax.broadcast_in_dim(v, shape, tuple(range(v.ndim)))
    hits = lax.convert_element_type(cmp(ab, vb), np.int32)
    return lax.reduce_sum(hits, (v.ndim,))


def _search_scan(a, v, cmp):
    """Binary search, unrolled for the static number of halvings."""
    n = a.shape[0]
    idt = np.int32
    lo = lax.full(tuple(v.shape), 0, idt)
    hi = lax.full(tuple(v.shape), n, idt)
    one = lax.full_like(lo, 1)
    for _ in range(int(n).bit_length()):
        mid = lax.div(lax.add(lo, hi), lax.full_like(lo, 2))
        go_right = cmp(_take1d(a, mid), v)
        active = lax.lt(lo, hi)
        lo = lax.select(lax.bitwise_and(active, go_right), lax.add(mid, one), lo)
        hi = lax.select(lax.bitwise_and(active, _not(go_right)), mid, hi)
    return lo


def _search_sort(a, v, side: str):
    """Sort a and v together; a query's result is the number of a-entries before it."""
    n, m = a.shape[0], v.size
    idt = np.int32
    vf = _ravel(v)
    keys = lax.concatenate([a, vf], 0)
    # among equal keys, 'left' puts queries before a's entries, 'right' after
    is_a = lax.concatenate([lax.full((n,), True, np.bool_), lax.full((m,), False, np.bool_)], 0)
    order_key = is_a if side == "left" else _not(is_a)
    pos = _iota(n + m, np.int32)
    _, _, is_a_s, pos_s = lax.sort([keys, order_key, is_a, pos], num_keys=2)
    before = lax.sub(lax.cumsum(lax.convert_element_type(is_a_s, idt)),
                     lax.convert_element_type(is_a_s, idt))
    # back to the original order: sort by the original position
    _, counts = lax.sort([pos_s, before], num_keys=1)
    return lax.reshape(lax.slice(counts, (n,), (n + m,)), tuple(v.shape))


def searchsorted(a, v, side: str = "left", sorter=None, *, method: str = "scan"):
    """Indices where the elements of `v` would be inserted into the sorted 1-D
    array `a` to keep it sorted (NaNs count as largest, as in NumPy's sort).

    `method` picks the algorithm: 'scan' / 'scan_unrolled' (binary search),
    'sort' (one joint sort) or 'compare_all' (compare every pair).

    >>> import tinyjax.numpy as jnp
    >>> jnp.searchsorted(jnp.array([1., 2., 3.]), jnp.array([2., 0., 5.]))
    Array([1, 0, 3], dtype=int32)

    The result is int32 (also under x64), as in JAX.
    """
    check_arraylike("searchsorted", a, v)
    if side not in ("left", "right"):
        raise value_error(f"invalid argument side={side!r}, expected 'left' or 'right'")
    methods = ("compare_all", "scan", "scan_unrolled", "sort")
    if method not in methods:
        raise value_error(f"invalid argument method={method!r}, expected one of {list(methods)}")
    a, v = asarray(a), asarray(v)
    if a.ndim != 1:
        raise value_error(f"a should be 1-dimensional, got shape {tuple(a.shape)}")
    if sorter is not None:
        a = _take1d(a, asarray(sorter))
    a, v = promote_dtypes(a, v)
    if a.shape[0] == 0 or v.size == 0:
        return lax.full(tuple(v.shape), 0, np.int32)
    cmp = _lt if side == "left" else _le
    if method == "compare_all":
        return _search_compare_all(a, v, cmp)
    if method == "sort":
        return _search_sort(a, v, side)
    return _search_scan(a, v, cmp)


# ----------------------------------------------------------------------------- partition

def _kth(name: str, kth, n: int) -> int:
    k = _static_int(name, "kth", kth)
    if not -n <= k < n:
        raise value_error(f"jnp.{name}: kth(={kth}) out of bounds for axis of size {n}")
    return k % n


def partition(a, kth: int, axis: int = -1):
    """Partial sort: the kth element lands where a full sort would put it, the
    first kth+1 entries are the smallest in ascending order and the rest are
    the larger ones in descending order (JAX's layout).

    >>> import tinyjax.numpy as jnp
    >>> jnp.partition(jnp.array([5, 1, 4, 2, 3]), 1)
    Array([1, 2, 5, 4, 3], dtype=int32)
    """
    check_arraylike("partition", a)
    a = asarray(a)
    if a.ndim == 0:
        raise value_error("axis -1 is out of bounds for array of dimension 0")
    axis = _axis("partition", axis, a.ndim)
    n = a.shape[axis]
    k = _kth("partition", kth, n)
    s = lax.sort(a, dimension=axis)
    bottom = lax.slice_in_dim(s, 0, k + 1, axis=axis)
    top = lax.rev(lax.slice_in_dim(s, k + 1, n, axis=axis), (axis,))
    return lax.concatenate([bottom, top], axis)


def argpartition(a, kth: int, axis: int = -1):
    """Indices that partition `a` (see `partition`): the first kth+1 are the
    indices of the smallest entries in sorted order, the rest the other indices
    in increasing order (JAX's layout).

    >>> import tinyjax.numpy as jnp
    >>> jnp.argpartition(jnp.array([5, 1, 4, 2, 3]), 1)
    Array([1, 3, 0, 2, 4], dtype=int32)
    """
    check_arraylike("argpartition", a)
    a = asarray(a)
    if a.ndim == 0:
        raise value_error("axis -1 is out of bounds for array of dimension 0")
    axis = _axis("argpartition", axis, a.ndim)
    n = a.shape[axis]
    k = _kth("argpartition", kth, n)
    shape = tuple(a.shape)
    iota = lax.broadcasted_iota(np.int32, shape, axis)  # int32 even under x64, as JAX
    perm = lax.sort([a, iota], dimension=axis, num_keys=1)[1]
    bottom = lax.slice_in_dim(perm, 0, k + 1, axis=axis)
    # rank of each entry = inverse permutation; the others keep index order
    _, rank = lax.sort([perm, iota], dimension=axis, num_keys=1)
    in_bottom = lax.le(rank, lax.full_like(rank, k))
    rest = lax.sort([in_bottom, iota], dimension=axis, num_keys=1)[1]
    top = lax.slice_in_dim(rest, 0, n - k - 1, axis=axis)
    return lax.concatenate([bottom, top], axis)


# ----------------------------------------------------------------------------- nonzero

def _fill_tuple(fill_value, n: int):
    if fill_value is None:
        return (None,) * n
    if isinstance(fill_value, (tuple, list)) or (
            (is_array(fill_value) or isinstance(fill_value, np.ndarray))
            and np.ndim(fill_value) == 1):
        vals = list(fill_value)
        if len(vals) != n:
            raise value_error(
                f"fill_value must be a scalar or a tuple of length {n}; got {fill_value!r}")
        return tuple(vals)
    if np.ndim(fill_value) != 0:
        raise value_error(
            f"fill_value must be a scalar or a tuple of length {n}; got {fill_value!r}")
    return (fill_value,) * n


def nonzero(a, *, size: int | None = None, fill_value=None) -> tuple:
    """Indices of the nonzero elements, one int array per dimension.

    With `size`, exactly `size` indices per dimension are returned (truncated,
    or padded with `fill_value`, default 0), which makes it usable under jit.

    >>> import tinyjax.numpy as jnp
    >>> jnp.nonzero(jnp.array([[0, 3], [4, 0]]))
    (Array([0, 1], dtype=int32), Array([1, 0], dtype=int32))
    >>> jnp.nonzero(jnp.array([0, 5, 6]), size=3, fill_value=-1)
    (Array([ 1,  2, -1], dtype=int32),)
    """
    check_arraylike("nonzero", a)
    a = asarray(a)
    if a.ndim == 0:
        raise value_error("Calling nonzero on 0d arrays is not allowed. "
                          "Use jnp.atleast_1d(scalar).nonzero() instead.")
    size = _check_size("nonzero", size)
    mask = _ravel(_nonzero_mask(a))
    if size is None:
        size = _count("nonzero", mask)
    fills = _fill_tuple(fill_value, a.ndim)
    idt = _index_dtype()
    (flat,), valid = _compact(mask, [_iota(a.size, idt)], size)
    out = []
    stride = a.size
    for d, fill in zip(a.shape, fills):
        span, stride = stride, (stride // d if d else 0)
        idx = flat
        if stride > 1:
            idx = lax.div(idx, lax.full_like(idx, stride))
        if d and span < a.size:
            idx = lax.rem(idx, lax.full_like(idx, d))
        out.append(_fill(idx, valid, 0 if fill is None else fill))
    return tuple(out)


def flatnonzero(a, *, size: int | None = None, fill_value=None):
    """Indices of the nonzero elements of the flattened array.

    >>> import tinyjax.numpy as jnp
    >>> jnp.flatnonzero(jnp.array([[0, 3], [4, 0]]))
    Array([1, 2], dtype=int32)
    """
    check_arraylike("flatnonzero", a)
    return nonzero(_ravel(asarray(a)), size=size, fill_value=fill_value)[0]


def argwhere(a, *, size: int | None = None, fill_value=None):
    """Indices of the nonzero elements as a (count, ndim) array.

    >>> import tinyjax.numpy as jnp
    >>> jnp.argwhere(jnp.array([[0, 3], [4, 0]]))
    Array([[0, 1],
           [1, 0]], dtype=int32)
    """
    check_arraylike("argwhere", a)
    a = asarray(a)
    if a.ndim == 0:
        idx = nonzero(lax.reshape(a, (1,)), size=size, fill_value=fill_value)[0]
        return lax.full((idx.shape[0], 0), 0, idx.dtype)
    cols = nonzero(a, size=size, fill_value=fill_value)
    return lax.concatenate([lax.expand_dims(c, (1,)) for c in cols], 1)


# ----------------------------------------------------------------------------- selection

def select(condlist, choicelist, default=0):
    """Elementwise: the value from the first choice whose condition holds, else
    `default` (all broadcast together).

    >>> import tinyjax.numpy as jnp
    >>> x = jnp.arange(5)
    >>> jnp.select([x < 2, x > 3], [x, x ** 2], default=-1)
    Array([ 0,  1, -1, -1, 16], dtype=int32)
    """
    condlist, choicelist = list(condlist), list(choicelist)
    if len(condlist) != len(choicelist):
        raise value_error(
            f"condlist must have length equal to choicelist ({len(condlist)} vs "
            f"{len(choicelist)})")
    if not condlist:
        raise value_error("condlist must be non-empty")
    check_arraylike("select", *condlist, *choicelist, default)
    conds = [_nonzero_mask(asarray(c)) for c in condlist]
    vals = promote_dtypes(*choicelist, default)
    arrays = ufuncs.broadcast_all(*conds, *vals)
    conds, vals = arrays[:len(conds)], arrays[len(conds):]
    out = vals[-1]
    for c, v in zip(reversed(conds), reversed(vals[:-1])):
        out = lax.select(c, v, out)
    return out


def choose(a, choices, out=None, mode: str = "raise"):
    """Build an array from `choices` with the index array `a`:
    ``out[i] = choices[a[i]][i]`` (everything broadcast). `mode` treats
    out-of-range indices: 'raise' (needs a concrete `a`), 'wrap' or 'clip'.

    >>> import tinyjax.numpy as jnp
    >>> jnp.choose(jnp.array([0, 1, 0]), [jnp.array([1, 2, 3]), jnp.array([7, 8, 9])])
    Array([1, 8, 3], dtype=int32)
    """
    check_out("choose", out)
    if mode not in ("raise", "wrap", "clip"):
        raise value_error(f"mode={mode!r} not understood. Must be 'raise', 'wrap', or 'clip'")
    check_arraylike("choose", a)
    a = asarray(a)
    if a.dtype.kind not in "iu":
        raise value_error(f"`a` array must be integer typed, got {a.dtype.name}")
    if is_array(choices) or isinstance(choices, np.ndarray):
        choices = asarray(choices)
        choices = [lax.index_in_dim(choices, i, 0, keepdims=False)
                   for i in range(choices.shape[0])] if choices.ndim else [choices]
    choices = list(choices)
    if not choices:
        raise value_error("jnp.choose: choices must be a non-empty sequence")
    check_arraylike("choose", *choices)
    n = len(choices)
    if mode == "raise":
        v = _concrete("choose", a, "mode='raise' checks the index values, which needs a "
                                   "concrete `a`. Use mode='wrap' or mode='clip' instead.")
        if v.size and (v.min() < 0 or v.max() >= n):
            raise value_error("invalid entry in choice array")
    elif mode == "wrap":
        a = ufuncs.remainder(a, n)
    else:
        a = ufuncs.clip(a, 0, n - 1)
    vals = promote_dtypes(*choices)
    arrays = ufuncs.broadcast_all(a, *vals)
    which = lax.convert_element_type(arrays[0], np.int32)
    return lax.select_n(which, *arrays[1:])


def compress(condition, a, axis: int | None = None, *, size: int | None = None,
             fill_value=0, out=None):
    """The slices of `a` along `axis` (flattened if None) where the 1-D
    `condition` is nonzero. With `size`, exactly `size` slices, padded with
    `fill_value`.

    >>> import tinyjax.numpy as jnp
    >>> jnp.compress(jnp.array([1, 0, 1]), jnp.arange(6).reshape(2, 3), axis=1)
    Array([[0, 2],
           [3, 5]], dtype=int32)
    """
    check_out("compress", out)
    check_arraylike("compress", condition, a)
    cond = asarray(condition)
    if cond.ndim != 1:
        raise value_error(f"condition must be a 1D array, got shape {tuple(cond.shape)}")
    a = asarray(a)
    if axis is None:
        a, axis = _ravel(a), 0
    axis = _axis("compress", axis, a.ndim)
    size = _check_size("compress", size)
    cond = _nonzero_mask(cond)
    n, c = a.shape[axis], cond.shape[0]
    if c > n:
        # like JAX, extra True entries are an error; checked only when they are
        # concrete (under tracing the extra entries are ignored)
        extra = lax.slice(cond, (n,), (c,))
        v = extra.to_concrete_value() if isinstance(extra, Tracer) else np.asarray(extra)
        if v is not None and np.any(v):
            raise value_error("condition contains entries that are out of bounds")
        cond = lax.slice(cond, (0,), (n,))
    elif c < n:
        cond = lax.concatenate([cond, lax.full((n - c,), False, np.bool_)], 0)
    if size is None:
        size = _count("compress", cond, "the condition")
    (idx,), valid = _compact(cond, [_iota(n, np.int32)], size)
    taken = _take_axis(a, idx, axis) if n else lax.full(
        tuple(size if d == axis else s for d, s in enumerate(a.shape)), 0, a.dtype)
    mask = lax.broadcast_in_dim(valid, tuple(taken.shape), (axis,))
    fill = lax.convert_element_type(asarray(fill_value), a.dtype)
    return lax.select(mask, taken, lax.broadcast_in_dim(fill, tuple(taken.shape), ()))


def extract(condition, arr, *, size: int | None = None, fill_value=0):
    """The elements of `arr` where `condition` is nonzero, both flattened.

    >>> import tinyjax.numpy as jnp
    >>> x = jnp.arange(6).reshape(2, 3)
    >>> jnp.extract(x % 2 == 0, x)
    Array([0, 2, 4], dtype=int32)
    """
    check_arraylike("extract", condition, arr)
    return compress(_ravel(asarray(condition)), _ravel(asarray(arr)), size=size,
                    fill_value=fill_value)


def piecewise(x, condlist, funclist: list, *args, **kw):
    """Evaluate a piecewise function: where ``condlist[k]`` holds, the result is
    ``funclist[k](x, *args, **kw)`` (or the constant ``funclist[k]``); a later
    true condition wins; one extra function is the default ("otherwise");
    elsewhere the result is 0. The result has `x`'s dtype.

    Each function is applied to the whole array (it must be elementwise), and
    the pieces are combined with `where`.

    >>> import tinyjax.numpy as jnp
    >>> x = jnp.array([-2., 0., 3.])
    >>> jnp.piecewise(x, [x < 0, x > 0], [lambda x: -x, lambda x: x ** 2])
    Array([2., 0., 9.], dtype=float32)
    """
    check_arraylike("piecewise", x)
    x = asarray(x)
    if is_array(condlist) or isinstance(condlist, (np.ndarray, bool, np.bool_)):
        cl = asarray(condlist)
        if cl.ndim == x.ndim + 1:
            conds = [lax.index_in_dim(cl, i, 0, keepdims=False) for i in range(cl.shape[0])]
        else:
            conds = [cl]
    else:
        conds = list(condlist)
        if conds and x.ndim and not isinstance(conds[0], (list, tuple)) and \
                np.ndim(conds[0]) == 0:
            conds = [condlist]
    conds = [_nonzero_mask(asarray(c)) for c in conds]
    funcs = list(funclist)
    nc, nf = len(conds), len(funcs)
    if nf == nc + 1:
        any_true = lax.full(tuple(np.broadcast_shapes(*[c.shape for c in conds], x.shape)),
                            False, np.bool_) if nc else lax.full(tuple(x.shape), False, np.bool_)
        for c in conds:
            any_true = ufuncs.logical_or(any_true, c)
        conds.append(_not(any_true))
    elif nf != nc:
        raise value_error(
            f"with {nc} condition(s), either {nc} or {nc + 1} functions are expected; got {nf}")
    out = lax.full_like(x, 0)
    for c, f in zip(conds, funcs):
        val = f(x, *args, **kw) if callable(f) else f
        val = asarray(val)
        val = lax.convert_element_type(val, x.dtype) if val.dtype != x.dtype or val.weak_type \
            else val
        out = ufuncs.where(c, val, out)
    return lax.convert_element_type(out, x.dtype) if out.dtype != x.dtype else out


_ = (Callable,)
