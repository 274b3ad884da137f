"""Diagonals and index helpers: diag, diagonal, trace, fill_diagonal, the
diag/tril/triu index functions, ravel_multi_index and unravel_index."""
from __future__ import annotations

import builtins
import math

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.errors import ConcretizationTypeError
from ..lax._base import value_error
from ._convert import asarray, check_arraylike, check_out
from .creation import broadcast_to
from .manipulation import (
    _INT32,
    _axis,
    _concrete,
    _jnp,
    _slice_axis,
    _static_int,
    broadcast_shapes,
    ravel,
    tile,
)

__all__ = [
    "diag", "diag_indices", "diag_indices_from", "diagflat", "diagonal", "fill_diagonal",
    "mask_indices", "ravel_multi_index", "trace", "tril_indices", "tril_indices_from",
    "triu_indices", "triu_indices_from", "unravel_index",
]


# ============================================================================= index conversion

def ravel_multi_index(multi_index, dims, mode: str = "raise", order: str = "C", *,
                      dtype=None):
    """Flat indices of the given coordinate arrays into an array of shape `dims`.
    mode: 'raise' (values must be concrete and in range), 'clip', 'wrap'.

    >>> ravel_multi_index((jnp.array([0, 1]), jnp.array([2, 0])), (2, 3))  # doctest: +SKIP
    Array([2, 3], dtype=int32)
    """
    dims = tuple(_static_int(d, "ravel_multi_index", "dims") for d in dims)
    multi_index = tuple(multi_index)
    if len(multi_index) != len(dims):
        raise value_error(f"parameter multi_index must be a sequence of length {len(dims)}, "
                          f"got {len(multi_index)}")
    if mode not in ("raise", "wrap", "clip"):
        raise value_error(f"invalid mode={mode!r}. Expected 'raise', 'wrap', or 'clip'.")
    if order not in ("C", "F"):
        raise value_error(f"invalid order={order!r}. Expected 'C' or 'F'")
    check_arraylike("ravel_multi_index", *multi_index)
    idx = [asarray(i) for i in multi_index]
    for i in idx:
        if i.dtype.kind not in "iu":
            raise value_error(f"dtype={i.dtype!r} is not an integer type.")
    if dtype is not None:
        dt = dtypes.canonicalize_dtype(dtype)
        idx = [asarray(i, dt) for i in idx]
    elif idx:
        dt = dtypes.result_type(*idx)
        idx = [i if i.dtype == dt and not i.weak_type else
               lax.convert_element_type(i, dt) for i in idx]
    if not idx:
        return lax.full((), 0, dtypes.default_int_dtype())
    if mode == "raise":
        for i, d in zip(idx, dims):
            v = _concrete(i, "ravel_multi_index", "with mode='raise' needs concrete indices "
                                                  "to check them; use mode='clip' or 'wrap'.")
            if v.size and (v.min() < 0 or v.max() >= d):
                raise value_error("invalid entry in coordinates array")
    elif mode == "clip":
        idx = [lax.clamp(lax.full((), 0, i.dtype), i, lax.full((), builtins.max(d - 1, 0),
                                                                 i.dtype))
               for i, d in zip(idx, dims)]
    else:
        rem = _jnp().remainder
        idx = [rem(i, lax.full((), builtins.max(d, 1), i.dtype)) for i, d in zip(idx, dims)]
    order_dims = range(len(dims) - 1, -1, -1) if order == "C" else range(len(dims))
    stride = 1
    total = None
    shapes = broadcast_shapes(*(i.shape for i in idx))
    for k in order_dims:
        i = idx[k]
        term = i if stride == 1 else lax.mul(i, lax.full_like(i, stride))
        term = broadcast_to(term, shapes)
        total = term if total is None else lax.add(total, term)
        stride *= dims[k]
    return total


def unravel_index(indices, shape) -> tuple:
    """Coordinate arrays for flat `indices` into an array of `shape`. As in JAX,
    out-of-range indices are clipped (negative ones are first counted from the end).

    >>> unravel_index(jnp.array([1, 5]), (2, 3))  # doctest: +SKIP
    (Array([0, 1], dtype=int32), Array([1, 2], dtype=int32))
    """
    check_arraylike("unravel_index", indices)
    i = asarray(indices)
    shape = tuple(_static_int(d, "unravel_index", "shape") for d in shape)
    if not shape:
        return ()
    total = math.prod(shape)
    if total == 0:
        return tuple(lax.full_like(i, 0) for _ in shape)
    is_int = i.dtype.kind in "iu"
    orig = None
    if is_int and total > int(np.iinfo(i.dtype).max):
        # flat positions do not fit the index dtype: work in the default int
        orig, weak = i.dtype, i.weak_type
        i = lax.convert_element_type(i, dtypes.default_int_dtype())
    if i.dtype.kind == "i" or not is_int:
        neg = lax.lt(i, lax.full_like(i, 0))
        i = lax.select(neg, lax.add(i, lax.full_like(i, total)), i)
    i = lax.clamp(lax.full_like(i, 0), i, lax.full_like(i, total - 1))
    jnp = _jnp()
    out = []
    for d in reversed(shape):
        dd = lax.full_like(i, d)
        if is_int:
            out.append(lax.rem(i, dd))
            i = lax.div(i, dd)
        else:
            out.append(jnp.remainder(i, dd))
            i = jnp.floor_divide(i, dd)
    if orig is not None:
        out = [lax.convert_element_type_p.bind(o, new_dtype=orig, weak_type=weak) for o in out]
    return tuple(reversed(out))


# ============================================================================= diagonals

def diagonal(a, offset: int = 0, axis1: int = 0, axis2: int = 1):
    """The `offset` diagonal of the 2-d sub-arrays in the plane (axis1, axis2);
    that axis pair is removed and the diagonal becomes the last axis.

    >>> diagonal(jnp.arange(9).reshape(3, 3), 1)  # doctest: +SKIP
    Array([1, 5], dtype=int32)
    """
    check_arraylike("diagonal", a)
    x = asarray(a)
    if x.ndim < 2:
        raise value_error("diagonal requires an array of at least two dimensions.")
    offset = _static_int(offset, "diagonal", "offset")
    a1 = _axis(axis1, x.ndim, "diagonal", "axis1")
    a2 = _axis(axis2, x.ndim, "diagonal", "axis2")
    if a1 == a2:
        raise value_error(f"diagonal: axis1 and axis2 cannot be the same, got axis1={axis1}, "
                          f"axis2={axis2}")
    rest = [i for i in range(x.ndim) if i not in (a1, a2)]
    x = lax.transpose(x, tuple(rest) + (a1, a2))
    lead = tuple(x.shape[:-2])
    n, m = x.shape[-2:]
    length = builtins.max(0, builtins.min(n + builtins.min(offset, 0),
                                          m - builtins.max(offset, 0)))
    flat = lax.reshape(x, lead + (n * m,))
    if length == 0:
        return _slice_axis(flat, len(lead), 0, 0)
    # The diagonal is every (m+1)-th element of the flattened matrix, from its first
    # entry: a strided slice, no gather.
    start = offset if offset >= 0 else -offset * m
    return _slice_axis(flat, len(lead), start, start + (length - 1) * (m + 1) + 1, m + 1)


def trace(a, offset: int = 0, axis1: int = 0, axis2: int = 1, dtype=None, out=None):
    """Sum along the `offset` diagonal (dtype like jnp.sum: small ints widen).

    >>> trace(jnp.eye(3))  # doctest: +SKIP
    Array(3., dtype=float32)
    """
    check_out("trace", out)
    d = diagonal(a, offset, axis1, axis2)
    return _jnp().sum(d, axis=-1, dtype=dtype)


def diag(v, k: int = 0):
    """The k-th diagonal of a 2-d array, or a 2-d array with 1-d `v` on its k-th
    diagonal.

    >>> diag(jnp.array([1, 2]))  # doctest: +SKIP
    Array([[1, 0],
           [0, 2]], dtype=int32)
    """
    check_arraylike("diag", v)
    x = asarray(v)
    k = _static_int(k, "diag", "k")
    if x.ndim == 2:
        return diagonal(x, k)
    if x.ndim != 1:
        raise value_error("diag input must be 1d or 2d")
    n = x.shape[0]
    N = n + abs(k)
    # out[i, j] = v[min(i, j)] on the diagonal j - i == k, else 0
    padded = lax.pad(x, lax.full((), 0, x.dtype), [(0, abs(k), 0)])
    rows = lax.broadcasted_iota(_INT32, (N, N), 0)
    cols = lax.broadcasted_iota(_INT32, (N, N), 1)
    vals = lax.broadcast_in_dim(padded, (N, N), (0,) if k >= 0 else (1,))
    mask = lax.eq(lax.sub(cols, rows), lax.full((N, N), k, _INT32))
    return lax.select(mask, vals, lax.full_like(vals, 0))


def diagflat(v, k: int = 0):
    """A 2-d array with the flattened input on its k-th diagonal.

    >>> diagflat(jnp.array([[1, 2]])).shape  # doctest: +SKIP
    (2, 2)
    """
    check_arraylike("diagflat", v)
    return diag(ravel(v), k)


def diag_indices(n: int, ndim: int = 2) -> tuple:
    """Index arrays for the main diagonal of an n x ... x n array.

    >>> diag_indices(2)  # doctest: +SKIP
    (Array([0, 1], dtype=int32), Array([0, 1], dtype=int32))
    """
    n = _static_int(n, "diag_indices", "n")
    ndim = _static_int(ndim, "diag_indices", "ndim")
    if n < 0:
        raise value_error(f"n argument to diag_indices must be nonnegative, got {n}")
    if ndim < 0:
        raise value_error(f"ndim argument to diag_indices must be nonnegative, got {ndim}")
    idx = lax.iota(dtypes.default_int_dtype(), n)
    return (idx,) * ndim


def diag_indices_from(arr) -> tuple:
    """diag_indices for an array whose dimensions are all equal.

    >>> diag_indices_from(jnp.ones((2, 2)))  # doctest: +SKIP
    (Array([0, 1], dtype=int32), Array([0, 1], dtype=int32))
    """
    s = np.shape(arr)
    if len(s) < 2:
        raise value_error("input array must be at least 2-d")
    if len(set(s)) != 1:
        raise value_error("All dimensions of input must be of equal length")
    return diag_indices(s[0], len(s))


def _tri_indices(fun, n, k, m, np_fn):
    n = _static_int(n, fun, "n")
    k = _static_int(k, fun, "k")
    m = n if m is None else _static_int(m, fun, "m")
    if n < 0 or m < 0:
        raise value_error(f"jnp.{fun}: n and m must be non-negative, got n={n}, m={m}")
    i, j = np_fn(n, k, m)
    dt = dtypes.default_int_dtype()
    return asarray(i.astype(dt)), asarray(j.astype(dt))


def tril_indices(n: int, k: int = 0, m: int | None = None) -> tuple:
    """Row and column indices of the lower triangle (at and below diagonal k) of an
    (n, m) array.

    >>> tril_indices(2)  # doctest: +SKIP
    (Array([0, 1, 1], dtype=int32), Array([0, 0, 1], dtype=int32))
    """
    return _tri_indices("tril_indices", n, k, m, np.tril_indices)


def triu_indices(n: int, k: int = 0, m: int | None = None) -> tuple:
    """Row and column indices of the upper triangle (at and above diagonal k).

    >>> triu_indices(2)  # doctest: +SKIP
    (Array([0, 0, 1], dtype=int32), Array([0, 1, 1], dtype=int32))
    """
    return _tri_indices("triu_indices", n, k, m, np.triu_indices)


def _tri_from(fun, arr, k, f):
    s = np.shape(arr)
    if len(s) != 2:
        raise value_error("Only 2-D inputs are accepted")
    return f(s[0], k, s[1])


def tril_indices_from(arr, k: int = 0) -> tuple:
    """tril_indices for the shape of the 2-d array `arr`.

    >>> tril_indices_from(jnp.ones((2, 3)))  # doctest: +SKIP
    (Array([0, 1, 1], dtype=int32), Array([0, 0, 1], dtype=int32))
    """
    return _tri_from("tril_indices_from", arr, k, tril_indices)


def triu_indices_from(arr, k: int = 0) -> tuple:
    """triu_indices for the shape of the 2-d array `arr`.

    >>> triu_indices_from(jnp.ones((2, 3)))  # doctest: +SKIP
    (Array([0, 0, 0, 1, 1], dtype=int32), Array([0, 1, 2, 1, 2], dtype=int32))
    """
    return _tri_from("triu_indices_from", arr, k, triu_indices)


def mask_indices(n: int, mask_func, k: int = 0, *, size: int | None = None) -> tuple:
    """Indices where `mask_func(ones((n, n)), k)` is nonzero (e.g. jnp.triu). Pass
    `size` (with zeros as fill) when the mask is traced.

    >>> mask_indices(3, jnp.triu, 1)  # doctest: +SKIP
    (Array([0, 0, 1], dtype=int32), Array([1, 2, 2], dtype=int32))
    """
    n = _static_int(n, "mask_indices", "n")
    m = asarray(mask_func(lax.full((n, n), 1, _INT32), k))
    v = m.to_concrete_value()
    if v is None:
        if size is None:
            raise ConcretizationTypeError(
                m, "jnp.mask_indices needs a concrete mask, or a static size=. ")
        return tuple(_jnp().nonzero(m, size=size))
    i, j = np.nonzero(np.asarray(v))
    if size is not None:
        size = _static_int(size, "mask_indices", "size")
        i = np.concatenate([i[:size], np.zeros(builtins.max(size - len(i), 0), i.dtype)])
        j = np.concatenate([j[:size], np.zeros(builtins.max(size - len(j), 0), j.dtype)])
    dt = dtypes.default_int_dtype()
    return asarray(i.astype(dt)), asarray(j.astype(dt))


def fill_diagonal(a, val, wrap: bool = False, *, inplace: bool = False):
    """A copy of `a` with its main diagonal set to `val` (repeated cyclically if it
    is an array). For tall 2-d arrays, `wrap=True` restarts the diagonal every
    n+1 rows, as NumPy does. Arrays are immutable: `inplace=True` is an error.

    >>> fill_diagonal(jnp.zeros((2, 2)), 5.0)  # doctest: +SKIP
    Array([[5., 0.],
           [0., 5.]], dtype=float32)
    """
    if inplace:
        raise NotImplementedError("JAX arrays are immutable, must use inplace=False")
    check_arraylike("fill_diagonal", a, val)
    x = asarray(a)
    if x.ndim < 2:
        raise value_error("array must be at least 2-d")
    if x.ndim > 2 and len(set(x.shape)) != 1:
        raise value_error("All dimensions of input must be of equal length")
    if x.ndim == 2:
        n, m = x.shape
        step = m + 1
        end = x.size if wrap else builtins.min(x.size, m * m)
    else:
        step = 1 + int(np.cumprod(x.shape[:-1]).sum())
        end = x.size
    count = len(range(0, end, step))
    if count == 0:
        return x
    v = asarray(val, x.dtype)
    if v.weak_type != x.weak_type:
        v = lax.convert_element_type_p.bind(v, new_dtype=x.dtype, weak_type=x.weak_type)
    if v.ndim == 0:
        v = lax.broadcast_in_dim(v, (count,), ())
    else:
        v = ravel(v)
        if v.shape[0] == 0:
            return x
        if v.shape[0] != count:
            v = _slice_axis(tile(v, -(-count // v.shape[0])), 0, 0, count)
    # Interior padding lays the values out every `step` elements of the flat array.
    tail = x.size - ((count - 1) * step + 1)
    cfg = [(0, tail, step - 1)]
    placed = lax.pad(v, lax.full((), 0, x.dtype), cfg)
    mask = lax.pad(lax.full((count,), True, np.bool_), lax.full((), False, np.bool_), cfg)
    flat = lax.select(mask, placed, ravel(x))
    return lax.reshape(flat, tuple(x.shape))
