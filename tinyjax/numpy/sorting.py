"""Sorting, searching, set operations and data-dependent selection.

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
from typing import Callable, NamedTuple, Sequence

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.errors import ConcretizationTypeError
from ..core.trace import Tracer
from ..lax._base import type_error, value_error
from ..lax.indexing import GatherDimensionNumbers
from . import ufuncs
from ._convert import asarray, check_arraylike, is_array, move_axis, promote_dtypes

__all__ = [
    "UniqueAllResult",
    "UniqueCountsResult",
    "UniqueInverseResult",
    "argpartition",
    "argsort",
    "argwhere",
    "choose",
    "compress",
    "extract",
    "flatnonzero",
    "intersect1d",
    "isin",
    "lexsort",
    "nonzero",
    "partition",
    "piecewise",
    "searchsorted",
    "select",
    "setdiff1d",
    "setxor1d",
    "sort",
    "union1d",
    "unique",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
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


# ----------------------------------------------------------------------------- unique

class UniqueAllResult(NamedTuple):
    """Result of `unique_all` (Array API)."""
    values: object
    indices: object
    inverse_indices: object
    counts: object


class UniqueCountsResult(NamedTuple):
    """Result of `unique_counts` (Array API)."""
    values: object
    counts: object


class UniqueInverseResult(NamedTuple):
    """Result of `unique_inverse` (Array API)."""
    values: object
    inverse_indices: object


def _sorted_firsts(cols, equal_nan: bool):
    """For row keys `cols` (1-D arrays of equal length, compared lexicographically):
    the stable sort permutation, the sorted columns and the mask of entries that
    differ from their predecessor (first of each run)."""
    n = cols[0].shape[0]
    iota = _iota(n)
    res = lax.sort(list(cols) + [iota], num_keys=len(cols))
    scols, perm = res[:-1], res[-1]
    if n == 0:
        return perm, scols, lax.full((0,), True, np.bool_)
    same = None
    for c in scols:
        eq = _equal_sorted(lax.slice(c, (1,), (n,)), lax.slice(c, (0,), (n - 1,)), equal_nan)
        same = eq if same is None else lax.bitwise_and(same, eq)
    if same is None:  # rows with no columns are all equal
        same = lax.full((n - 1,), True, np.bool_)
    first = lax.concatenate([lax.full((1,), True, np.bool_), _not(same)], 0)
    return perm, scols, first


def _unique_impl(name, cols, return_index, return_inverse, return_counts, equal_nan, size,
                 fill_value):
    """Unique rows of the columns `cols` (1-D each, compared lexicographically).

    Returns a dict: 'values' (list of value columns), 'index' (first
    occurrences), 'valid', and if asked 'counts' and 'inverse' (input order)."""
    n = cols[0].shape[0]
    idt = _index_dtype()
    perm, scols, first = _sorted_firsts(cols, equal_nan)
    if size is None:
        size = _count(name, first)
    elif n == 0 and size > 0 and fill_value is None:
        raise value_error(f"jnp.{name}: for zero-sized input with nonzero size argument, "
                          "fill_value must be specified")
    starts = _iota(n, idt)
    # one extra entry so the last kept run's count can see the next run's start
    compacted, valid = _compact(first, list(scols) + [perm, starts], min(size + 1, n) or size)
    vals = [_resize(c, size) for c in compacted[:-2]]
    index = _resize(compacted[-2], size)
    start_ext, valid_ext = compacted[-1], valid
    valid = _resize(valid, size, False)
    if size:
        if fill_value is not None:
            vals = _fill_rows(vals, valid, fill_value)
        elif n:  # default fill: the smallest unique value (row)
            vals = [_fill(v, valid, lax.index_in_dim(v, 0, keepdims=False)) for v in vals]
        index = _fill(index, valid, lax.index_in_dim(index, 0, keepdims=False))
    out = {"values": vals, "index": index, "valid": valid}
    if return_counts:
        m = start_ext.shape[0]
        nxt = lax.concatenate([lax.slice(start_ext, (1,), (m,)),
                               lax.full((1,), n, idt)], 0) if m else start_ext
        nxt_valid = lax.concatenate([lax.slice(valid_ext, (1,), (m,)),
                                     lax.full((1,), False, np.bool_)], 0) if m else valid_ext
        nxt = lax.select(nxt_valid, nxt, lax.full_like(nxt, n))
        counts = lax.sub(nxt, start_ext)
        counts = _resize(counts, size)
        out["counts"] = lax.select(valid, counts, lax.full_like(counts, 0))
    if return_inverse:
        run = lax.sub(lax.cumsum(lax.convert_element_type(first, idt)), lax.full((n,), 1, idt)) \
            if n else lax.full((0,), 0, idt)
        _, inv = lax.sort([perm, run], num_keys=1)
        out["inverse"] = inv
    return out


def _fill_rows(vals, valid, fill_value):
    fill = asarray(fill_value)
    if fill.ndim == 0:
        return [_fill(v, valid, fill) for v in vals]
    flat = _ravel(fill)
    if flat.shape[0] != len(vals):
        raise value_error(
            f"fill_value of shape {tuple(fill.shape)} does not match the unique row shape")
    return [_fill(v, valid, lax.index_in_dim(flat, i, keepdims=False))
            for i, v in enumerate(vals)]


def unique(ar, return_index: bool = False, return_inverse: bool = False,
           return_counts: bool = False, axis: int | None = None, *, equal_nan: bool = True,
           size: int | None = None, fill_value=None, sorted: bool = True):
    """Sorted unique elements of `ar` (of its slices along `axis` if given), with
    optionally the first indices, the inverse (reconstructing `ar`) and counts.

    With `size`, the outputs have exactly `size` entries: padded with
    `fill_value` (default: the smallest unique value), indices padded with the
    first index and counts with 0. NaNs are all equal if `equal_nan`.

    >>> import tinyjax.numpy as jnp
    >>> jnp.unique(jnp.array([3, 1, 3, 2]))
    Array([1, 2, 3], dtype=int32)
    >>> jnp.unique(jnp.array([3, 1, 3]), return_counts=True)
    (Array([1, 3], dtype=int32), Array([1, 2], dtype=int32))
    """
    check_arraylike("unique", ar)
    ar = asarray(ar)
    size = _check_size("unique", size)
    del sorted  # results are always sorted (allowed by the Array API)
    if axis is None:
        x = _ravel(ar) if ar.ndim != 1 else ar
        res = _unique_impl("unique", [x], return_index, return_inverse, return_counts,
                           equal_nan, size, fill_value)
        values = res["values"][0]
        inv_shape = tuple(ar.shape)
    else:
        axis = _axis("unique", axis, ar.ndim)
        moved = move_axis(ar, axis, 0)
        n = moved.shape[0]
        rest = tuple(moved.shape[1:])
        m = int(np.prod(rest, dtype=np.int64))
        rows = lax.reshape(moved, (n, m))
        cols = [lax.index_in_dim(rows, j, 1, keepdims=False) for j in range(m)]
        if not cols:
            cols_for_sort = [lax.full((n,), 0, np.int32)]
        else:
            cols_for_sort = cols
        res = _unique_impl("unique", cols_for_sort, return_index, return_inverse,
                           return_counts, equal_nan, size, fill_value)
        k = res["index"].shape[0]
        if cols:
            vals = lax.concatenate([lax.expand_dims(c, (1,)) for c in res["values"]], 1)
        else:
            vals = lax.full((k, 0), 0, ar.dtype)
        values = move_axis(lax.reshape(vals, (k,) + rest), 0, axis)
        inv_shape = (n,)
    out = [values]
    if return_index:
        out.append(res["index"])
    if return_inverse:
        out.append(lax.reshape(res["inverse"], inv_shape))
    if return_counts:
        out.append(res["counts"])
    return out[0] if len(out) == 1 else tuple(out)


def unique_values(x, /, *, size: int | None = None, fill_value=None):
    """Sorted unique values (Array API; NaNs are all distinct).

    >>> import tinyjax.numpy as jnp
    >>> jnp.unique_values(jnp.array([2, 1, 2]))
    Array([1, 2], dtype=int32)
    """
    return unique(x, equal_nan=False, size=size, fill_value=fill_value)


def unique_counts(x, /, *, size: int | None = None, fill_value=None) -> UniqueCountsResult:
    """Unique values and their counts (Array API; NaNs are all distinct).

    >>> import tinyjax.numpy as jnp
    >>> jnp.unique_counts(jnp.array([2, 1, 2])).counts
    Array([1, 2], dtype=int32)
    """
    v, c = unique(x, return_counts=True, equal_nan=False, size=size, fill_value=fill_value)
    return UniqueCountsResult(v, c)


def unique_inverse(x, /, *, size: int | None = None, fill_value=None) -> UniqueInverseResult:
    """Unique values and the inverse indices (shaped like `x`) rebuilding `x`.

    >>> import tinyjax.numpy as jnp
    >>> jnp.unique_inverse(jnp.array([2, 1, 2])).inverse_indices
    Array([1, 0, 1], dtype=int32)
    """
    v, inv = unique(x, return_inverse=True, equal_nan=False, size=size, fill_value=fill_value)
    return UniqueInverseResult(v, inv)


def unique_all(x, /, *, size: int | None = None, fill_value=None) -> UniqueAllResult:
    """Unique values, first indices, inverse indices and counts (Array API).

    >>> import tinyjax.numpy as jnp
    >>> jnp.unique_all(jnp.array([2, 1, 2])).indices
    Array([1, 0], dtype=int32)
    """
    v, i, inv, c = unique(x, return_index=True, return_inverse=True, return_counts=True,
                          equal_nan=False, size=size, fill_value=fill_value)
    return UniqueAllResult(v, i, inv, c)


# ----------------------------------------------------------------------------- set operations

def _set_args(name, ar1, ar2):
    check_arraylike(name, ar1, ar2)
    a, b = promote_dtypes(asarray(ar1), asarray(ar2))
    return _ravel(a), _ravel(b)


def _unique_masked(x, equal_nan: bool = True):
    """Sorted unique entries of 1-D x moved to the front: (values, first index, valid)."""
    perm, (sx,), first = _sorted_firsts([x], equal_nan)
    (u, idx), valid = _compact(first, [sx, perm], x.shape[0])
    return u, idx, valid


def _finish(name, mask, operands, size, fills):
    """Compact `operands` where `mask`, to `size` (concrete count if None), filling."""
    if size is None:
        size = _count(name, mask, "the input arrays")
    outs, valid = _compact(mask, operands, size)
    return [_fill(o, valid, f) if f is not None else o for o, f in zip(outs, fills)], valid


def _default_fill(vals, valid, size):
    """The first (smallest) kept value, or 0 when nothing is kept (JAX's default)."""
    if size == 0:
        return None
    first = lax.index_in_dim(vals, 0, keepdims=False)
    has = lax.index_in_dim(valid, 0, keepdims=False)
    return lax.select(has, first, lax.full_like(first, 0))


def intersect1d(ar1, ar2, assume_unique: bool = False, return_indices: bool = False, *,
                size: int | None = None, fill_value=None):
    """Sorted unique values found in both arrays (flattened), optionally with the
    indices of their first occurrences in each.

    >>> import tinyjax.numpy as jnp
    >>> jnp.intersect1d(jnp.array([1, 3, 4, 3]), jnp.array([3, 1, 2, 1]))
    Array([1, 3], dtype=int32)
    """
    a, b = _set_args("intersect1d", ar1, ar2)
    size = _check_size("intersect1d", size)
    n1, n2 = a.shape[0], b.shape[0]
    idt = _index_dtype()
    if assume_unique:
        u1, i1, v1 = a, _iota(n1, idt), lax.full((n1,), True, np.bool_)
        u2, i2, v2 = b, _iota(n2, idt), lax.full((n2,), True, np.bool_)
    else:
        u1, i1, v1 = _unique_masked(a)
        u2, i2, v2 = _unique_masked(b)
    n = n1 + n2
    if n1 == 0 or n2 == 0:
        mask = lax.full((max(n - 1, 0),), False, np.bool_)
        aux = lax.concatenate([u1, u2], 0)
        ind1 = ind2 = lax.concatenate([i1, i2], 0)
        vals, ind1, ind2 = [lax.slice(x, (0,), (max(n - 1, 0),)) for x in (aux, ind1, ind2)]
    else:
        aux = lax.concatenate([u1, u2], 0)
        src = lax.concatenate([lax.full((n1,), False, np.bool_), lax.full((n2,), True, np.bool_)],
                              0)
        valid = lax.concatenate([v1, v2], 0)
        ind = lax.concatenate([i1, i2], 0)
        _, aux, _, valid, ind = lax.sort([_not(valid), aux, src, valid, ind], num_keys=3)
        lo = lambda x: lax.slice(x, (0,), (n - 1,))  # noqa: E731
        hi = lambda x: lax.slice(x, (1,), (n,))  # noqa: E731
        mask = lax.bitwise_and(lax.bitwise_and(lo(valid), hi(valid)), lax.eq(lo(aux), hi(aux)))
        vals, ind1, ind2 = lo(aux), lo(ind), hi(ind)
    if size is None:
        size = _count("intersect1d", mask, "the input arrays")
    (vals, ind1, ind2), valid = _compact(mask, [vals, ind1, ind2], size)
    fill = fill_value if fill_value is not None else _default_fill(vals, valid, size)
    vals = _fill(vals, valid, fill) if size else vals
    if not return_indices:
        return vals
    ind1 = _fill(ind1, valid, n1)
    ind2 = _fill(ind2, valid, n2)
    return vals, ind1, ind2


def union1d(ar1, ar2, *, size: int | None = None, fill_value=None):
    """Sorted unique values found in either array (flattened).

    >>> import tinyjax.numpy as jnp
    >>> jnp.union1d(jnp.array([3, 1]), jnp.array([2, 1]))
    Array([1, 2, 3], dtype=int32)
    """
    a, b = _set_args("union1d", ar1, ar2)
    size = _check_size("union1d", size)
    return unique(lax.concatenate([a, b], 0), size=size, fill_value=fill_value)


def setdiff1d(ar1, ar2, assume_unique: bool = False, *, size: int | None = None,
              fill_value=None):
    """Sorted unique values of `ar1` not in `ar2` (with `assume_unique`, the values
    of `ar1` not in `ar2`, in their original order). `fill_value` defaults to 0.

    >>> import tinyjax.numpy as jnp
    >>> jnp.setdiff1d(jnp.array([4, 1, 2, 1]), jnp.array([2, 5]))
    Array([1, 4], dtype=int32)
    """
    a, b = _set_args("setdiff1d", ar1, ar2)
    size = _check_size("setdiff1d", size)
    if assume_unique:
        u, valid = a, lax.full(tuple(a.shape), True, np.bool_)
    else:
        u, _, valid = _unique_masked(a)
    mask = lax.bitwise_and(valid, _not(isin(u, b)))
    (vals,), _ = _finish("setdiff1d", mask, [u], size, [0 if fill_value is None else fill_value])
    return vals


def setxor1d(ar1, ar2, assume_unique: bool = False, *, size: int | None = None,
             fill_value=None):
    """Sorted unique values found in exactly one of the arrays (flattened).

    >>> import tinyjax.numpy as jnp
    >>> jnp.setxor1d(jnp.array([1, 2, 3]), jnp.array([2, 4]))
    Array([1, 3, 4], dtype=int32)
    """
    a, b = _set_args("setxor1d", ar1, ar2)
    size = _check_size("setxor1d", size)
    n1, n2 = a.shape[0], b.shape[0]
    if assume_unique:
        u1, v1 = a, lax.full((n1,), True, np.bool_)
        u2, v2 = b, lax.full((n2,), True, np.bool_)
    else:
        u1, _, v1 = _unique_masked(a)
        u2, _, v2 = _unique_masked(b)
    n = n1 + n2
    aux = lax.concatenate([u1, u2], 0)
    valid = lax.concatenate([v1, v2], 0)
    if n:
        _, aux, valid = lax.sort([_not(valid), aux, valid], num_keys=2)
    if n > 1:
        neq = lax.ne(lax.slice(aux, (1,), (n,)), lax.slice(aux, (0,), (n - 1,)))
        t = lax.full((1,), True, np.bool_)
        # an entry is kept if it differs from both neighbours (or the neighbour is padding)
        nxt_valid = lax.concatenate([lax.slice(valid, (1,), (n,)),
                                     lax.full((1,), False, np.bool_)], 0)
        differs_prev = lax.concatenate([t, neq], 0)
        differs_next = lax.bitwise_or(lax.concatenate([neq, t], 0), _not(nxt_valid))
        mask = lax.bitwise_and(valid, lax.bitwise_and(differs_prev, differs_next))
    else:
        mask = valid
    if size is None:
        size = _count("setxor1d", mask, "the input arrays")
    (vals,), ok = _compact(mask, [aux], size)
    fill = fill_value if fill_value is not None else _default_fill(vals, ok, size)
    return _fill(vals, ok, fill) if size else vals


def isin(element, test_elements, assume_unique: bool = False, invert: bool = False, *,
         method: str = "auto"):
    """Boolean array of `element`'s shape: whether each entry occurs in
    `test_elements` (compared with ==, so NaN is never found).

    `method`: 'compare_all' (all pairs), 'binary_search' or 'sort' (search the
    sorted test elements), or 'auto'.

    >>> import tinyjax.numpy as jnp
    >>> jnp.isin(jnp.array([1, 2, 3]), jnp.array([2, 5, 3]))
    Array([False,  True,  True], dtype=bool)
    """
    check_arraylike("isin", element, test_elements)
    methods = ("auto", "compare_all", "binary_search", "sort")
    if method not in methods:
        raise value_error(
            f"method={method!r} is not implemented; options are 'compare_all', "
            "'binary_search', 'sort', and 'auto'")
    x, t = promote_dtypes(asarray(element), asarray(test_elements))
    t = _ravel(t)
    if method == "auto":
        method = "compare_all" if x.size * t.shape[0] <= (1 << 22) else "binary_search"
    if t.shape[0] == 0:
        found = lax.full(tuple(x.shape), False, np.bool_)
    elif method == "compare_all":
        shape = tuple(x.shape) + (t.shape[0],)
        eq = lax.eq(lax.broadcast_in_dim(x, shape, tuple(range(x.ndim))),
                    lax.broadcast_in_dim(t, shape, (x.ndim,)))
        found = lax.reduce_or(eq, (x.ndim,))
    else:
        ts = lax.sort(t)
        pos = searchsorted(ts, x, method="sort" if method == "sort" else "scan")
        found = lax.eq(_take1d(ts, pos), x)
    return _not(found) if invert else found


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
    if out is not None:
        raise NotImplementedError("jnp.choose: the 'out' argument is not supported: tinyjax "
                                  "arrays are immutable. Use the returned array instead.")
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
    if out is not None:
        raise NotImplementedError("jnp.compress: the 'out' argument is not supported: tinyjax "
                                  "arrays are immutable. Use the returned array instead.")
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
