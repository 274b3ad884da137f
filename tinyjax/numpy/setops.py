"""unique (and its Array-API variants) and set operations: intersect1d, union1d,
setdiff1d, setxor1d, isin. Sort-based; `size=`/`fill_value=` as in JAX."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

from .. import lax
from ..lax._base import value_error
from ._convert import asarray, check_arraylike, move_axis, promote_dtypes
from .sorting import (
    _axis,
    _check_size,
    _compact,
    _count,
    _equal_sorted,
    _fill,
    _index_dtype,
    _iota,
    _not,
    _ravel,
    _resize,
    _take1d,
    searchsorted,
)

__all__ = [
    "UniqueAllResult",
    "UniqueCountsResult",
    "UniqueInverseResult",
    "intersect1d",
    "isin",
    "setdiff1d",
    "setxor1d",
    "union1d",
    "unique",
    "unique_all",
    "unique_counts",
    "unique_inverse",
    "unique_values",
]


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
