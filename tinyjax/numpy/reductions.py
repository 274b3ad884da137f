"""Reductions: sum/prod/max/min/mean/var/..., their NaN-ignoring variants and
cumulative reductions (statistics.py and numerical.py build on the helpers here).

Written only in terms of `tinyjax.lax` and other tinyjax.numpy functions, with
JAX's semantics: sums and products of bools and small ints accumulate in the
default int, means of ints are in the default float, float16 sums accumulate in
float32, results are never weakly typed, and reductions without an identity
(max, min, argmax, ...) refuse empty inputs with a ValueError.
"""
from __future__ import annotations

import builtins
import math
import operator
from typing import Any, Sequence, Union

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.array import Array
from ..core.errors import ConcretizationTypeError
from ..core.trace import Tracer
from ..lax._base import type_error, value_error
from . import ufuncs
from ._convert import (
    _to_dtype,
    asarray,
    check_arraylike,
    check_out,
    promote_dtypes,
    to_inexact_dtype,
)

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "count_nonzero", "cumprod", "cumsum",
    "cumulative_prod", "cumulative_sum", "max", "mean", "min", "nanargmax", "nanargmin",
    "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmin", "nanprod", "nanstd", "nansum",
    "nanvar", "prod", "ptp", "std", "sum", "var",
]

Axis = Union[int, Sequence[int], None]


# ============================================================================= helpers

def _arraylike(name: str, a):
    check_arraylike(name, a)
    return asarray(a)


def _static_index(name: str, what: str, v) -> int:
    """A static Python int argument (axis, n, bins, length, ...)."""
    if isinstance(v, Tracer):
        raise ConcretizationTypeError(
            v, f"The {what} argument of jnp.{name} must be a static Python int. ")
    try:
        return operator.index(v)
    except TypeError:
        raise type_error(f"jnp.{name}: {what} must be an integer, got {v!r}") from None


def _canon_axis(name: str, axis, ndim: int) -> int:
    i = _static_index(name, "axis", axis)
    if not -ndim <= i < ndim:
        raise value_error(f"jnp.{name}: axis {i} is out of bounds for array of dimension {ndim}")
    return i % ndim


def _axes(name: str, axis, ndim: int) -> tuple:
    """Canonical (non-negative, distinct) reduction axes; None means all of them."""
    if axis is None:
        return tuple(range(ndim))
    if isinstance(axis, Tracer):
        raise ConcretizationTypeError(
            axis, f"The axis argument of jnp.{name} must be static (an int or tuple of ints). ")
    seq = tuple(axis) if isinstance(axis, (tuple, list, np.ndarray)) else (axis,)
    out = tuple(_canon_axis(name, a, ndim) for a in seq)
    if len(set(out)) != len(out):
        raise value_error(f"jnp.{name}: duplicate value in 'axis': {axis}")
    return out


def _user_dtype(dtype) -> np.dtype:
    return dtypes.canonicalize_dtype(dtype)


def _promote_int(dt: np.dtype) -> np.dtype:
    """JAX's accumulation dtype for sums/products: bools and ints narrower than the
    default int become the default (unsigned) int."""
    if dt == np.bool_:
        return dtypes.default_int_dtype()
    if dt.kind == "u" and dt.itemsize < dtypes.default_uint_dtype().itemsize:
        return dtypes.default_uint_dtype()
    if dt.kind == "i" and dt.itemsize < dtypes.default_int_dtype().itemsize:
        return dtypes.default_int_dtype()
    return dt


def _upcast_f16(dt: np.dtype) -> np.dtype:
    return np.dtype(np.float32) if dt == np.float16 else dt


def _convert(x, dt) -> Any:
    """convert_element_type to a strongly typed `dt` (a no-op when it already is)."""
    return lax.convert_element_type(x, dt)


def _const(value, dt) -> Array:
    """A concrete scalar of dtype `dt` (stays a literal in jaxprs)."""
    return Array(np.array(value, dtype=dt), False)


def _promote_inexact(*args):
    """Convert args to their common dtype, ints and bools to the default float
    (dtypes only: shapes are left alone)."""
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [_to_dtype(a, to_inexact_dtype(dt), weak) for a in args]


def _isnan(x):
    return lax.ne(x, x)


def _broadcast_to(x, shape: tuple, name: str):
    """NumPy-style broadcast of `x` to `shape` (which it must not enlarge)."""
    shape = tuple(shape)
    if x.shape == shape:
        return x
    try:
        ok = tuple(np.broadcast_shapes(x.shape, shape)) == shape
    except ValueError:
        ok = False
    if not ok:
        raise value_error(f"jnp.{name}: cannot broadcast shape {x.shape} to shape {shape}")
    lead = len(shape) - x.ndim
    keep = tuple(i for i, d in enumerate(x.shape) if d == shape[lead + i])
    if len(keep) != x.ndim:
        x = lax.reshape(x, tuple(x.shape[i] for i in keep))
    return lax.broadcast_in_dim(x, shape, tuple(lead + i for i in keep))


def _check_where(name: str, where, shape):
    if where is None:
        return None
    check_arraylike(name, where)
    w = asarray(where)
    if w.dtype != np.bool_:
        raise value_error(
            f"jnp.{name}: where must be None or a boolean array; got where.dtype={w.dtype.name}.")
    return _broadcast_to(w, shape, name)


def _slice(x, start, stop, axis: int):
    return lax.slice_in_dim(x, start, stop, axis=axis)


def _take1d(a, idx):
    """a[idx] for a 1-D `a` and an int array `idx` of any shape (in-bounds, clamped)."""
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
                                    start_index_map=(0,))
    return lax.gather(a, lax.expand_dims(idx, (idx.ndim,)), dn, (1,), mode="clip")


def _take_along_last(a, idx):
    """take_along_axis(a, idx, axis=-1) with idx of shape a.shape[:-1] + (m,)."""
    nd = a.ndim
    shape = idx.shape
    parts = [lax.broadcasted_iota(idx.dtype, shape + (1,), d) for d in range(nd - 1)]
    parts.append(lax.expand_dims(idx, (nd,)))
    indices = parts[0] if nd == 1 else lax.concatenate(parts, nd)
    dn = lax.GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=tuple(range(nd)),
                                    start_index_map=tuple(range(nd)))
    return lax.gather(a, indices, dn, (1,) * nd, mode="clip")


def _concat(parts, axis: int):
    parts = promote_dtypes(*parts)
    return parts[0] if len(parts) == 1 else lax.concatenate(parts, axis)


# ============================================================================= reductions

_IDENTITY = {"sum": 0, "prod": 1, "max": -np.inf, "min": np.inf, "all": True, "any": False}
_LAX_REDUCER = {"sum": lax.reduce_sum, "prod": lax.reduce_prod, "max": lax.reduce_max,
                "min": lax.reduce_min, "all": lax.reduce_and, "any": lax.reduce_or}
_BOOL_REDUCER = {"sum": lax.reduce_or, "prod": lax.reduce_and, "max": lax.reduce_or,
                 "min": lax.reduce_and, "all": lax.reduce_and, "any": lax.reduce_or}
_LAX_BINARY = {"sum": lax.add, "prod": lax.mul, "max": lax.max, "min": lax.min,
               "all": lax.bitwise_and, "any": lax.bitwise_or}
_BOOL_BINARY = {"sum": lax.bitwise_or, "prod": lax.bitwise_and, "max": lax.bitwise_or,
                "min": lax.bitwise_and, "all": lax.bitwise_and, "any": lax.bitwise_or}


def _identity(kind: str, dt: np.dtype) -> Array:
    v = _IDENTITY[kind]
    if dt == np.bool_:
        return _const(bool(v > 0), dt)
    if dt.kind in "iu" and np.isinf(v):
        info = np.iinfo(dt)
        v = info.min if v < 0 else info.max
    return _const(v, dt)


def _reduction(name: str, kind: str, a, *, axis=None, dtype=None, out=None,
               keepdims: bool = False, initial=None, where=None,
               promote_integers: bool = False, upcast_f16: bool = False):
    check_out(name, out)
    a = _arraylike(name, a)
    has_identity = kind in ("sum", "prod", "all", "any")
    if initial is None and not has_identity and where is not None:
        raise value_error(f"jnp.{name}: reduction operation {name} does not have an identity, "
                          f"so to use a where mask one has to specify 'initial'")
    if kind in ("all", "any"):
        if a.dtype != np.bool_:
            a = lax.ne(a, lax.full_like(a, 0))
    elif kind in ("sum", "prod") and a.dtype == np.bool_:
        a = _convert(a, dtypes.default_int_dtype())
    axes = _axes(name, axis, a.ndim)
    where = _check_where(name, where, a.shape)
    if initial is None and not has_identity and builtins.any(a.shape[d] == 0 for d in axes):
        raise value_error(f"zero-size array to reduction operation {name} which has no "
                          f"identity (shape {a.shape}, axis {axis}); pass initial=")
    if dtype is None:
        result_dtype = _promote_int(a.dtype) if promote_integers else a.dtype
    else:
        result_dtype = _user_dtype(dtype)
    comp = _upcast_f16(result_dtype) if upcast_f16 and dtype is None else result_dtype
    a = _convert(a, comp)
    if where is not None:
        a = lax.select(where, a, lax.broadcast(_identity(kind, comp), a.shape))
    reducer = _BOOL_REDUCER[kind] if comp == np.bool_ else _LAX_REDUCER[kind]
    result = reducer(a, axes) if axes else a
    if initial is not None:
        check_arraylike(name, initial)
        init = _convert(asarray(initial), comp)
        if init.shape != ():
            raise value_error(f"jnp.{name}: initial value must be a scalar. Got array of "
                              f"shape {init.shape}")
        binary = _BOOL_BINARY[kind] if comp == np.bool_ else _LAX_BINARY[kind]
        result = binary(init, result)
    if keepdims and axes:
        result = lax.expand_dims(result, axes)
    return _convert(result, result_dtype)


def sum(a, axis: Axis = None, dtype=None, out=None, keepdims: bool = False,
        initial=None, where=None, promote_integers: bool = True):
    """Sum of array elements over the given axes (bools and small ints sum in the
    default int, as in JAX).

    >>> import tinyjax.numpy as jnp
    >>> jnp.sum(jnp.array([[1, 2], [3, 4]]), axis=0)
    Array([4, 6], dtype=int32)
    """
    return _reduction("sum", "sum", a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                      initial=initial, where=where, promote_integers=promote_integers,
                      upcast_f16=True)


def prod(a, axis: Axis = None, dtype=None, out=None, keepdims: bool = False,
         initial=None, where=None, promote_integers: bool = True):
    """Product of array elements over the given axes.

    >>> jnp.prod(jnp.array([1., 2., 3.]))
    Array(6., dtype=float32)
    """
    return _reduction("prod", "prod", a, axis=axis, dtype=dtype, out=out, keepdims=keepdims,
                      initial=initial, where=where, promote_integers=promote_integers,
                      upcast_f16=True)


def max(a, axis: Axis = None, out=None, keepdims: bool = False, initial=None, where=None):
    """Maximum over the given axes (NaN if any element is NaN). Empty inputs need
    `initial`.

    >>> jnp.max(jnp.array([[1., 5.], [7., 2.]]), axis=1)
    Array([5., 7.], dtype=float32)
    """
    return _reduction("max", "max", a, axis=axis, out=out, keepdims=keepdims,
                      initial=initial, where=where)


def min(a, axis: Axis = None, out=None, keepdims: bool = False, initial=None, where=None):
    """Minimum over the given axes (NaN if any element is NaN).

    >>> jnp.min(jnp.array([[1., 5.], [7., 2.]]), axis=0)
    Array([1., 2.], dtype=float32)
    """
    return _reduction("min", "min", a, axis=axis, out=out, keepdims=keepdims,
                      initial=initial, where=where)


def amax(a, axis: Axis = None, out=None, keepdims: bool = False, initial=None, where=None):
    """Alias of `max`.

    >>> jnp.amax(jnp.array([3, 9, 2]))
    Array(9, dtype=int32)
    """
    return _reduction("amax", "max", a, axis=axis, out=out, keepdims=keepdims,
                      initial=initial, where=where)


def amin(a, axis: Axis = None, out=None, keepdims: bool = False, initial=None, where=None):
    """Alias of `min`.

    >>> jnp.amin(jnp.array([3, 9, 2]))
    Array(2, dtype=int32)
    """
    return _reduction("amin", "min", a, axis=axis, out=out, keepdims=keepdims,
                      initial=initial, where=where)


def all(a, axis: Axis = None, out=None, keepdims: bool = False, *, where=None):
    """Whether all elements (along the given axes) are true / nonzero.

    >>> jnp.all(jnp.array([[True, False], [True, True]]), axis=0)
    Array([ True, False], dtype=bool)
    """
    return _reduction("all", "all", a, axis=axis, out=out, keepdims=keepdims, where=where)


def any(a, axis: Axis = None, out=None, keepdims: bool = False, *, where=None):
    """Whether any element (along the given axes) is true / nonzero.

    >>> jnp.any(jnp.array([0, 0, 3]))
    Array(True, dtype=bool)
    """
    return _reduction("any", "any", a, axis=axis, out=out, keepdims=keepdims, where=where)


def _count(a_shape, axes, keepdims, where, dt):
    """Number of elements reduced (counting only `where` if given), in dtype dt."""
    if where is None:
        return _const(math.prod(a_shape[d] for d in axes), dt)
    return sum(where, axis=axes, dtype=dt, keepdims=keepdims)


def mean(a, axis: Axis = None, dtype=None, out=None, keepdims: bool = False, *, where=None):
    """Arithmetic mean over the given axes (ints and bools give the default float).

    >>> jnp.mean(jnp.array([1, 2, 3, 4]))
    Array(2.5, dtype=float32)
    """
    check_out("mean", out)
    a = _arraylike("mean", a)
    axes = _axes("mean", axis, a.ndim)
    where = _check_where("mean", where, a.shape)
    result_dtype = to_inexact_dtype(a.dtype) if dtype is None else _user_dtype(dtype)
    comp = _upcast_f16(result_dtype) if dtype is None else result_dtype
    total = sum(a, axes, dtype=comp, keepdims=keepdims, where=where)
    return _convert(lax.div(total, _count(a.shape, axes, keepdims, where, comp)), result_dtype)


def _var_dtypes(a_dtype: np.dtype, dtype):
    """(computation dtype, result dtype) of var/std."""
    if dtype is not None:
        dt = _user_dtype(dtype)
        return _upcast_f16(dt), dt
    dt = to_inexact_dtype(a_dtype)
    return _upcast_f16(dt), dt


def _correction(name, ddof, correction):
    if correction is None:
        return ddof
    if not isinstance(ddof, int) or ddof != 0:
        raise value_error(f"jnp.{name}: ddof and correction can't be provided simultaneously.")
    return correction


def var(a, axis: Axis = None, dtype=None, out=None, ddof: int = 0, keepdims: bool = False, *,
        where=None, mean=None, correction: int | float | None = None):
    """Variance over the given axes: mean(|a - a.mean()|**2) * N / (N - ddof); NaN
    when N - ddof <= 0.

    >>> jnp.var(jnp.array([1., 2., 3., 4.]), ddof=1)
    Array(1.6666666, dtype=float32)
    """
    check_out("var", out)
    correction = _correction("var", ddof, correction)
    a = _arraylike("var", a)
    axes = _axes("var", axis, a.ndim)
    where = _check_where("var", where, a.shape)
    comp, result_dtype = _var_dtypes(a.dtype, dtype)
    a = _convert(a, comp)
    if mean is None:
        centre = _mean_for_var(a, axes, comp, where)
    else:
        centre = _convert(_arraylike("var", mean), comp)
    centered = ufuncs.subtract(a, centre)
    centered = lax.mul(centered, centered)
    corr = _const(correction, comp) if isinstance(correction, (int, float)) else \
        _convert(asarray(correction), comp)
    n = lax.sub(_count(a.shape, axes, keepdims, where, comp), corr)
    total = sum(centered, axes, dtype=comp, keepdims=keepdims, where=where)
    result = _convert(lax.div(total, n), result_dtype)
    # (an integer `dtype` gives a weak float here, as in JAX)
    return ufuncs.where(lax.gt(n, lax.full_like(n, 0)), result, np.nan)


def _mean_for_var(a, axes, comp, where):
    return mean(a, axes, dtype=comp, keepdims=True, where=where)


def std(a, axis: Axis = None, dtype=None, out=None, ddof: int = 0, keepdims: bool = False, *,
        where=None, mean=None, correction: int | float | None = None):
    """Standard deviation over the given axes (sqrt of `var`).

    >>> jnp.std(jnp.array([1., 2., 3., 4.]))
    Array(1.118034, dtype=float32)
    """
    check_out("std", out)
    if dtype is not None and _user_dtype(dtype).kind != "f":
        raise value_error(f"dtype argument to jnp.std must be inexact; got {_user_dtype(dtype)}")
    correction = _correction("std", ddof, correction)
    return lax.sqrt(var(a, axis, dtype, None, 0, keepdims, where=where, mean=mean,
                        correction=correction))


def ptp(a, axis: Axis = None, out=None, keepdims: bool = False):
    """Range of values (max - min) over the given axes.

    >>> jnp.ptp(jnp.array([[4, 9], [1, 2]]), axis=1)
    Array([5, 1], dtype=int32)
    """
    check_out("ptp", out)
    a = _arraylike("ptp", a)
    if a.dtype == np.bool_:
        raise type_error("jnp.ptp does not accept dtype bool (max - min is undefined for "
                         "booleans); convert the input to an integer type first.")
    return lax.sub(max(a, axis, keepdims=keepdims), min(a, axis, keepdims=keepdims))


def count_nonzero(a, axis: Axis = None, keepdims: bool = False):
    """Number of nonzero elements over the given axes (default int).

    >>> jnp.count_nonzero(jnp.array([[0, 1], [2, 0]]), axis=0)
    Array([1, 1], dtype=int32)
    """
    a = _arraylike("count_nonzero", a)
    return sum(lax.ne(a, lax.full_like(a, 0)), axis=axis, dtype=dtypes.default_int_dtype(),
               keepdims=keepdims)


# ----------------------------------------------------------------------------- argmax / argmin

def _arg_reduction(name: str, lax_fn, a, axis, out, keepdims):
    check_out(name, out)
    a = _arraylike(name, a)
    if axis is None:
        dims = tuple(range(a.ndim))
        a = lax.reshape(a, (a.size,))
        ax = 0
    else:
        ax = _canon_axis(name, axis, a.ndim)
        dims = (ax,)
    if a.shape[ax] == 0:
        raise value_error(f"jnp.{name}: attempt to get {name.replace('nan', '')} of an empty "
                          f"sequence (shape {a.shape}, axis {axis})")
    result = lax_fn(a, ax, dtypes.default_int_dtype())
    return lax.expand_dims(result, dims) if keepdims else result


def argmax(a, axis: int | None = None, out=None, keepdims: bool | None = None):
    """Index of the maximum along `axis` (of the flattened array if None); the first
    one on ties, the first NaN if there is one.

    >>> jnp.argmax(jnp.array([[1, 9], [7, 2]]), axis=1)
    Array([1, 0], dtype=int32)
    """
    return _arg_reduction("argmax", lax.argmax, a, axis, out, keepdims)


def argmin(a, axis: int | None = None, out=None, keepdims: bool | None = None):
    """Index of the minimum along `axis` (of the flattened array if None).

    >>> jnp.argmin(jnp.array([3., 1., 2.]))
    Array(1, dtype=int32)
    """
    return _arg_reduction("argmin", lax.argmin, a, axis, out, keepdims)


def _nan_arg(name, a, axis, out, keepdims, fill):
    check_out(name, out)
    a = _arraylike(name, a)
    base = argmax if name == "nanargmax" else argmin
    if a.dtype.kind != "f":
        return base(a, axis, keepdims=keepdims)
    nan = _isnan(a)
    res = base(lax.select(nan, lax.full_like(a, fill), a), axis, keepdims=keepdims)
    all_nan = all(nan, axis=axis, keepdims=keepdims)
    return lax.select(all_nan, lax.full_like(res, -1), res)


def nanargmax(a, axis: int | None = None, out=None, keepdims: bool | None = None):
    """argmax ignoring NaNs; -1 where a slice is all NaN (as in JAX).

    >>> jnp.nanargmax(jnp.array([1., jnp.nan, 3.]))
    Array(2, dtype=int32)
    """
    return _nan_arg("nanargmax", a, axis, out, keepdims, -np.inf)


def nanargmin(a, axis: int | None = None, out=None, keepdims: bool | None = None):
    """argmin ignoring NaNs; -1 where a slice is all NaN (as in JAX).

    >>> jnp.nanargmin(jnp.array([jnp.nan, 2., 1.]))
    Array(2, dtype=int32)
    """
    return _nan_arg("nanargmin", a, axis, out, keepdims, np.inf)


# ----------------------------------------------------------------------------- nan-reductions

def _nan_reduction(name, reduction, a, fill, nan_if_all_nan, *, axis, keepdims, where,
                   out, **kw):
    check_out(name, out)
    a = _arraylike(name, a)
    if a.dtype.kind != "f":
        return reduction(a, axis=axis, keepdims=keepdims, where=where, **kw)
    nan = _isnan(a)
    result = reduction(lax.select(nan, lax.full_like(a, fill), a), axis=axis,
                       keepdims=keepdims, where=where, **kw)
    if nan_if_all_nan:
        all_nan = all(nan, axis=axis, keepdims=keepdims)
        result = lax.select(all_nan, lax.full_like(result, np.nan), result)
    return result


def nansum(a, axis: Axis = None, dtype=None, out=None, keepdims: bool = False,
           initial=None, where=None):
    """Sum treating NaNs as zero.

    >>> jnp.nansum(jnp.array([1., jnp.nan, 2.]))
    Array(3., dtype=float32)
    """
    return _nan_reduction("nansum", sum, a, 0, False, axis=axis, keepdims=keepdims,
                          where=where, out=out, dtype=dtype, initial=initial)


def nanprod(a, axis: Axis = None, dtype=None, out=None, keepdims: bool = False,
            initial=None, where=None):
    """Product treating NaNs as one.

    >>> jnp.nanprod(jnp.array([2., jnp.nan, 3.]))
    Array(6., dtype=float32)
    """
    return _nan_reduction("nanprod", prod, a, 1, False, axis=axis, keepdims=keepdims,
                          where=where, out=out, dtype=dtype, initial=initial)


def nanmax(a, axis: Axis = None, out=None, keepdims: bool = False, initial=None, where=None):
    """Maximum ignoring NaNs (NaN where a slice is all NaN, unless `initial` is given).

    >>> jnp.nanmax(jnp.array([1., jnp.nan, 3.]))
    Array(3., dtype=float32)
    """
    return _nan_reduction("nanmax", max, a, -np.inf, initial is None, axis=axis,
                          keepdims=keepdims, where=where, out=out, initial=initial)


def nanmin(a, axis: Axis = None, out=None, keepdims: bool = False, initial=None, where=None):
    """Minimum ignoring NaNs (NaN where a slice is all NaN, unless `initial` is given).

    >>> jnp.nanmin(jnp.array([1., jnp.nan, 3.]))
    Array(1., dtype=float32)
    """
    return _nan_reduction("nanmin", min, a, np.inf, initial is None, axis=axis,
                          keepdims=keepdims, where=where, out=out, initial=initial)


def nanmean(a, axis: Axis = None, dtype=None, out=None, keepdims: bool = False, where=None):
    """Mean ignoring NaNs (NaN where a slice is all NaN).

    >>> jnp.nanmean(jnp.array([1., jnp.nan, 3.]))
    Array(2., dtype=float32)
    """
    check_out("nanmean", out)
    a = _arraylike("nanmean", a)
    if a.dtype.kind != "f":
        return mean(a, axis, dtype, keepdims=keepdims, where=where)
    dt = a.dtype if dtype is None else _user_dtype(dtype)
    count = sum(lax.bitwise_not(_isnan(a)), axis=axis, dtype=dt, keepdims=keepdims,
                where=where)
    return lax.div(nansum(a, axis, dtype=dt, keepdims=keepdims, where=where), count)


def nanvar(a, axis: Axis = None, dtype=None, out=None, ddof: int = 0, keepdims: bool = False,
           where=None, mean=None):
    """Variance ignoring NaNs (NaN where fewer than ddof + 1 values are not NaN).

    >>> jnp.nanvar(jnp.array([1., jnp.nan, 3.]))
    Array(1., dtype=float32)
    """
    check_out("nanvar", out)
    a = _arraylike("nanvar", a)
    axes = _axes("nanvar", axis, a.ndim)
    comp, result_dtype = _var_dtypes(a.dtype, dtype)
    a = _convert(a, comp)
    if mean is None:
        centre = nanmean(a, axes, dtype=comp, keepdims=True, where=where)
    else:
        centre = _convert(_arraylike("nanvar", mean), comp)
    nan = _isnan(a)
    centered = ufuncs.subtract(a, centre)
    centered = lax.select(nan, lax.full_like(centered, 0), centered)
    centered = lax.mul(centered, centered)
    n = sum(lax.bitwise_not(nan), axis=axes, keepdims=keepdims, where=where)
    n = lax.sub(n, _convert(asarray(ddof), n.dtype)) if isinstance(ddof, int) else \
        lax.sub(_convert(n, comp), _convert(asarray(ddof), comp))
    bad = lax.le(n, lax.full_like(n, 0))
    total = sum(centered, axes, keepdims=keepdims, where=where)
    total = lax.select(bad, lax.full_like(total, np.nan), total)
    divisor = _convert(lax.select(bad, lax.full_like(n, 1), n), total.dtype)
    return _convert(lax.div(total, divisor), result_dtype)


def nanstd(a, axis: Axis = None, dtype=None, out=None, ddof: int = 0, keepdims: bool = False,
           where=None, mean=None):
    """Standard deviation ignoring NaNs.

    >>> jnp.nanstd(jnp.array([1., jnp.nan, 3.]))
    Array(1., dtype=float32)
    """
    check_out("nanstd", out)
    return lax.sqrt(nanvar(a, axis, dtype, None, ddof, keepdims, where=where, mean=mean))


# ============================================================================= cumulative

def _cumulative(name, lax_fn, a, axis, dtype, out, nan_fill=None,
                promote_integers: bool = False):
    check_out(name, out)
    a = _arraylike(name, a)
    if axis is None:
        a = lax.reshape(a, (a.size,))
        ax = 0
    else:
        ax = _canon_axis(name, axis, a.ndim)
    if nan_fill is not None and a.dtype.kind == "f":
        a = lax.select(_isnan(a), lax.full_like(a, nan_fill), a)
    if dtype is None:
        result_dtype = _promote_int(a.dtype) if promote_integers or a.dtype == np.bool_ \
            else a.dtype
        comp = result_dtype
    elif _user_dtype(dtype) == np.bool_:
        # lax accumulates numbers only; go through ints of the nonzero mask
        result_dtype = np.dtype(np.bool_)
        if a.dtype != np.bool_:
            a = lax.ne(a, lax.full_like(a, 0))
        comp = _promote_int(result_dtype)
    else:
        result_dtype = comp = _user_dtype(dtype)
    a = _convert(a, comp)
    return _convert(lax_fn(a, ax), result_dtype)


def cumsum(a, axis: int | None = None, dtype=None, out=None):
    """Cumulative sum along `axis` (of the flattened array if None).

    >>> jnp.cumsum(jnp.array([1, 2, 3]))
    Array([1, 3, 6], dtype=int32)
    """
    return _cumulative("cumsum", lax.cumsum, a, axis, dtype, out)


def cumprod(a, axis: int | None = None, dtype=None, out=None):
    """Cumulative product along `axis` (of the flattened array if None).

    >>> jnp.cumprod(jnp.array([1., 2., 3.]))
    Array([1., 2., 6.], dtype=float32)
    """
    return _cumulative("cumprod", lax.cumprod, a, axis, dtype, out)


def nancumsum(a, axis: int | None = None, dtype=None, out=None):
    """Cumulative sum treating NaNs as zero.

    >>> jnp.nancumsum(jnp.array([1., jnp.nan, 2.]))
    Array([1., 1., 3.], dtype=float32)
    """
    return _cumulative("nancumsum", lax.cumsum, a, axis, dtype, out, nan_fill=0)


def nancumprod(a, axis: int | None = None, dtype=None, out=None):
    """Cumulative product treating NaNs as one.

    >>> jnp.nancumprod(jnp.array([2., jnp.nan, 3.]))
    Array([2., 2., 6.], dtype=float32)
    """
    return _cumulative("nancumprod", lax.cumprod, a, axis, dtype, out, nan_fill=1)


def _array_api_cumulative(name, lax_fn, x, axis, dtype, include_initial, identity,
                          promote_integers):
    x = _arraylike(name, x)
    if x.ndim == 0:
        raise value_error(f"jnp.{name}: the input must be non-scalar, however a scalar value "
                          f"or scalar array was given.")
    if axis is None:
        if x.ndim > 1:
            raise value_error(
                f"jnp.{name}: the input array has rank {x.ndim}, however axis was not set to "
                f"an explicit value. The axis argument is only optional for one-dimensional "
                f"arrays.")
        axis = 0
    ax = _canon_axis(name, axis, x.ndim)
    result = _cumulative(name, lax_fn, x, ax, dtype, None, promote_integers=promote_integers)
    if include_initial:
        shape = list(x.shape)
        shape[ax] = 1
        result = lax.concatenate([lax.full(shape, identity, result.dtype), result], ax)
    return result


def cumulative_sum(x, /, *, axis: int | None = None, dtype=None,
                   include_initial: bool = False):
    """Cumulative sum (Array API): small ints accumulate in the default int;
    `include_initial` prepends a zero.

    >>> jnp.cumulative_sum(jnp.array([1, 2, 3]), include_initial=True)
    Array([0, 1, 3, 6], dtype=int32)
    """
    return _array_api_cumulative("cumulative_sum", lax.cumsum, x, axis, dtype,
                                 include_initial, 0, True)


def cumulative_prod(x, /, *, axis: int | None = None, dtype=None,
                    include_initial: bool = False):
    """Cumulative product (Array API); `include_initial` prepends a one.

    >>> jnp.cumulative_prod(jnp.array([1, 2, 3]))
    Array([1, 2, 6], dtype=int32)
    """
    return _array_api_cumulative("cumulative_prod", lax.cumprod, x, axis, dtype,
                                 include_initial, 1, False)
