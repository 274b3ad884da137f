"""Reductions and statistics: sum/prod/max/min/mean/var/..., their NaN-ignoring
variants, cumulative reductions, quantiles, averages and covariances, histograms,
finite differences, 1-D convolution and interpolation.

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
    move_axis,
    promote_dtypes,
    to_inexact_dtype,
)

__all__ = [
    "all", "amax", "amin", "any", "argmax", "argmin", "average", "bincount", "convolve",
    "corrcoef", "correlate", "count_nonzero", "cov", "cumprod", "cumsum", "cumulative_prod",
    "cumulative_sum", "diff", "digitize", "ediff1d", "gradient", "histogram",
    "histogram_bin_edges", "interp", "max", "mean", "median", "min", "nanargmax",
    "nanargmin", "nancumprod", "nancumsum", "nanmax", "nanmean", "nanmedian", "nanmin",
    "nanpercentile", "nanprod", "nanquantile", "nanstd", "nansum", "nanvar", "percentile",
    "prod", "ptp", "quantile", "std", "sum", "trapezoid", "var",
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


# ============================================================================= quantiles

_METHODS = ("linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf")


def _quantile(name, a, q, axis, method, keepdims, squash_nans, weights):
    if method not in _METHODS:
        raise value_error(f"jnp.{name}: method can only be 'linear', 'lower', 'higher', "
                          f"'midpoint', 'nearest' or 'inverted_cdf', got {method!r}")
    if weights is not None and method != "inverted_cdf":
        raise NotImplementedError(f"jnp.{name}: method {method!r} doesn't support weights. "
                                  f"Only method 'inverted_cdf' supports weights.")
    a = asarray(a)
    (q,) = _promote_inexact(asarray(q))
    if q.ndim > 1:
        raise value_error(f"jnp.{name}: q must have rank <= 1, got shape {q.shape}")
    if weights is not None:
        a, weights = _promote_inexact(a, asarray(weights))
    else:
        (a,) = _promote_inexact(a)
    a = _convert(a, a.dtype)
    axes = _axes(name, axis, a.ndim)
    if weights is not None and weights.shape != a.shape:
        if axis is None:
            raise value_error(f"jnp.{name}: weights shape {weights.shape} must match the shape "
                              f"of a {a.shape} when axis is None.")
        want = tuple(a.shape[ax] for ax in axes)
        if weights.shape != want:
            raise value_error(f"jnp.{name}: weights shape {weights.shape} must match the "
                              f"reduction axes {want}")
        order = tuple(np.argsort(axes))
        weights = lax.broadcast_in_dim(lax.transpose(weights, order), a.shape,
                                       tuple(sorted(axes)))
    in_shape = a.shape
    keep = tuple(d for d in range(a.ndim) if d not in axes)
    keep_shape = tuple(a.shape[d] for d in keep)
    n = math.prod(a.shape[d] for d in axes)
    out_dtype = a.dtype

    def flatten(x):  # reduced axes last, merged into one
        x = lax.transpose(x, keep + axes)
        return lax.reshape(x, keep_shape + (n,))

    a = flatten(a)
    if weights is not None:
        weights = flatten(weights)
    m = 1 if q.ndim == 0 else q.shape[0]
    qf = lax.reshape(q, (m,))
    last = len(keep_shape)
    bshape = keep_shape + (m,)

    if n == 0:
        result = lax.full(bshape, np.nan, out_dtype)
    elif method == "inverted_cdf":
        result = _inverted_cdf(a, qf, weights, squash_nans, last, bshape)
    else:
        nan = _isnan(a)
        if squash_nans:
            # one kind of NaN, so that they all sort last
            a = lax.select(nan, lax.full_like(a, np.nan), a)
            a = lax.sort(a, dimension=last)
            counts = sum(lax.bitwise_not(nan), axis=last, dtype=q.dtype)
            counts = lax.broadcast_in_dim(counts, bshape, tuple(range(last)))
            pos = lax.mul(lax.broadcast_in_dim(qf, bshape, (last,)),
                          lax.sub(counts, lax.full_like(counts, 1)))
            hi_bound = lax.sub(counts, lax.full_like(counts, 1))
        else:
            # a slice holding a NaN has the quantiles NaN
            any_nan = lax.broadcast_in_dim(any(nan, axis=last), a.shape, tuple(range(last)))
            a = lax.select(any_nan, lax.full_like(a, np.nan), a)
            a = lax.sort(a, dimension=last)
            pos = lax.broadcast_in_dim(lax.mul(qf, _const(n - 1, q.dtype)), bshape, (last,))
            hi_bound = lax.full(bshape, n - 1, q.dtype)
        low = lax.floor(pos)
        high = lax.ceil(pos)
        high_w = lax.sub(pos, low)
        low_w = lax.sub(lax.full_like(high_w, 1), high_w)
        zero = lax.full_like(low, 0)
        low = lax.max(zero, lax.min(low, hi_bound))
        high = lax.max(zero, lax.min(high, hi_bound))
        idt = dtypes.default_int_dtype()
        low_v = _take_along_last(a, _convert(low, idt))
        high_v = _take_along_last(a, _convert(high, idt))
        if method == "linear":
            result = lax.add(lax.mul(_convert(low_v, q.dtype), low_w),
                             lax.mul(_convert(high_v, q.dtype), high_w))
        elif method == "lower":
            result = low_v
        elif method == "higher":
            result = high_v
        elif method == "nearest":
            result = lax.select(lax.le(high_w, lax.full_like(high_w, 0.5)), low_v, high_v)
        else:  # midpoint
            result = lax.mul(lax.add(low_v, high_v), lax.full_like(low_v, 0.5))
    # (*keep, m) -> (m, *keep) -> q.shape + keep [+ kept dims]
    result = move_axis(result, last, 0)
    if keepdims:
        kept = tuple(1 if d in axes else size for d, size in enumerate(in_shape))
        result = lax.reshape(result, q.shape + kept)
    else:
        result = lax.reshape(result, q.shape + keep_shape)
    return _convert(result, out_dtype)


def _inverted_cdf(a, qf, weights, squash_nans, last, bshape):
    """The smallest sorted value whose cumulative weight reaches q * total weight."""
    n = a.shape[-1]
    if weights is None:
        weights = lax.full_like(a, 1)
    nan = _isnan(a)
    a = lax.select(nan, lax.full_like(a, np.nan), a)
    a, weights = lax.sort_key_val(a, weights, dimension=last)
    nan = _isnan(a)
    zeros = lax.full_like(weights, 0)
    bad_w = lax.bitwise_or(lax.lt(weights, zeros), _isnan(weights))
    clean = lax.select(lax.bitwise_or(bad_w, nan), zeros, weights)
    cum = lax.cumsum(clean, last)
    total = lax.slice_in_dim(cum, n - 1, n, axis=last)            # (*keep, 1)
    target = lax.mul(lax.broadcast_in_dim(qf, bshape, (last,)),
                     _convert(lax.broadcast_in_dim(lax.reshape(total, bshape[:-1]), bshape,
                                                   tuple(range(last))), qf.dtype))
    # idx = number of cumulative weights strictly below the target
    cshape = bshape + (n,)
    less = lax.lt(_convert(lax.broadcast_in_dim(cum, cshape, tuple(range(last)) + (last + 1,)),
                           qf.dtype),
                  lax.broadcast_in_dim(target, cshape, tuple(range(last + 1))))
    idt = dtypes.default_int_dtype()
    idx = sum(less, axis=last + 1, dtype=idt)
    if squash_nans:
        valid = sum(lax.bitwise_not(nan), axis=last, dtype=idt)
    else:
        valid = lax.full(bshape[:-1], n, idt)
    limit = lax.broadcast_in_dim(lax.sub(valid, lax.full_like(valid, 1)), bshape,
                                 tuple(range(last)))
    idx = lax.max(lax.full_like(idx, 0), lax.min(idx, limit))
    result = _take_along_last(a, idx)
    force_nan = any(bad_w, axis=last)
    if squash_nans:
        force_nan = lax.bitwise_or(force_nan, lax.eq(valid, lax.full_like(valid, 0)))
    else:
        force_nan = lax.bitwise_or(force_nan, any(nan, axis=last))
    force_nan = lax.broadcast_in_dim(force_nan, bshape, tuple(range(last)))
    return lax.select(force_nan, lax.full_like(result, np.nan), result)


def _check_quantile_args(name, a, q, out, overwrite_input, weights):
    check_arraylike(name, a, q)
    if weights is not None:
        check_arraylike(name, weights)
    if overwrite_input or out is not None:
        raise value_error(f"jnp.{name} does not support overwrite_input=True or out != None")


def quantile(a, q, axis: int | tuple | None = None, out=None, overwrite_input: bool = False,
             method: str = "linear", keepdims: bool = False, *, weights=None):
    """q-th quantile(s) of the data along the given axes (q in [0, 1]); methods
    'linear', 'lower', 'higher', 'midpoint', 'nearest' and 'inverted_cdf' (the only
    one that takes `weights`). NaN if a slice holds a NaN.

    >>> jnp.quantile(jnp.array([1., 2., 3., 4.]), 0.5)
    Array(2.5, dtype=float32)
    """
    _check_quantile_args("quantile", a, q, out, overwrite_input, weights)
    return _quantile("quantile", a, q, axis, method, keepdims, False, weights)


def nanquantile(a, q, axis: int | tuple | None = None, out=None,
                overwrite_input: bool = False, method: str = "linear",
                keepdims: bool = False, *, weights=None):
    """quantile ignoring NaNs (NaN where a slice is all NaN).

    >>> jnp.nanquantile(jnp.array([1., jnp.nan, 3.]), 0.5)
    Array(2., dtype=float32)
    """
    _check_quantile_args("nanquantile", a, q, out, overwrite_input, weights)
    return _quantile("nanquantile", a, q, axis, method, keepdims, True, weights)


def _percent(q):
    (q,) = _promote_inexact(asarray(q))
    return lax.div(q, lax.full_like(q, 100))


def percentile(a, q, axis: int | tuple | None = None, out=None,
               overwrite_input: bool = False, method: str = "linear",
               keepdims: bool = False, *, weights=None):
    """q-th percentile(s) of the data (q in [0, 100]); see `quantile`.

    >>> jnp.percentile(jnp.array([1., 2., 3., 4., 5.]), 25)
    Array(2., dtype=float32)
    """
    _check_quantile_args("percentile", a, q, out, overwrite_input, weights)
    return _quantile("percentile", a, _percent(q), axis, method, keepdims, False, weights)


def nanpercentile(a, q, axis: int | tuple | None = None, out=None,
                  overwrite_input: bool = False, method: str = "linear",
                  keepdims: bool = False, *, weights=None):
    """percentile ignoring NaNs.

    >>> jnp.nanpercentile(jnp.array([1., jnp.nan, 3.]), 50)
    Array(2., dtype=float32)
    """
    _check_quantile_args("nanpercentile", a, q, out, overwrite_input, weights)
    return _quantile("nanpercentile", a, _percent(q), axis, method, keepdims, True, weights)


def median(a, axis: int | tuple | None = None, out=None, overwrite_input: bool = False,
           keepdims: bool = False):
    """Median along the given axes (NaN if a slice holds a NaN).

    >>> jnp.median(jnp.array([[1., 3.], [2., 5.]]), axis=0)
    Array([1.5, 4. ], dtype=float32)
    """
    _check_quantile_args("median", a, 0.5, out, overwrite_input, None)
    return _quantile("median", a, 0.5, axis, "midpoint", keepdims, False, None)


def nanmedian(a, axis: int | tuple | None = None, out=None, overwrite_input: bool = False,
              keepdims: bool = False):
    """Median ignoring NaNs.

    >>> jnp.nanmedian(jnp.array([1., jnp.nan, 3., 4.]))
    Array(3., dtype=float32)
    """
    _check_quantile_args("nanmedian", a, 0.5, out, overwrite_input, None)
    return _quantile("nanmedian", a, 0.5, axis, "midpoint", keepdims, True, None)


# ============================================================================= average, cov

def average(a, axis: Axis = None, weights=None, returned: bool = False,
            keepdims: bool = False):
    """Weighted average along the given axes; with `returned`, also the sum of the
    weights (broadcast to the shape of the average).

    >>> jnp.average(jnp.array([1., 2., 3.]), weights=jnp.array([3., 1., 0.]))
    Array(1.25, dtype=float32)
    """
    if weights is None:
        check_arraylike("average", a)
        (a,) = _promote_inexact(asarray(a))
        axes = _axes("average", axis, a.ndim)
        avg = mean(a, axes, keepdims=keepdims)
        wsum = lax.full((), math.prod(a.shape[d] for d in axes), avg.dtype)
    else:
        check_arraylike("average", a, weights)
        a, w = _promote_inexact(asarray(a), asarray(weights))
        axes = _axes("average", axis, a.ndim)
        if a.shape != w.shape:
            if axis is None:
                raise value_error(f"jnp.average: axis must be specified when shapes of a "
                                  f"{a.shape} and weights {w.shape} differ.")
            want = tuple(a.shape[d] for d in axes)
            if w.shape != want:
                raise value_error(f"jnp.average: shape of weights {w.shape} must be consistent "
                                  f"with shape of a {a.shape} along axis {axis} ({want}).")
            w = lax.transpose(w, tuple(np.argsort(axes)))
            w = lax.reshape(w, tuple(d if i in axes else 1 for i, d in enumerate(a.shape)))
        wsum = sum(w, axis=axes, keepdims=keepdims)
        avg = lax.div(sum(ufuncs.multiply(a, w), axis=axes, keepdims=keepdims), wsum)
    if returned:
        if wsum.shape != avg.shape:
            wsum = _broadcast_to(wsum, avg.shape, "average")
        return avg, wsum
    return avg


def _atleast_2d(x):
    if x.ndim >= 2:
        return x
    return lax.reshape(x, (1,) * (2 - x.ndim) + x.shape)


def cov(m, y=None, rowvar: bool = True, bias: bool = False, ddof: int | None = None,
        fweights=None, aweights=None, dtype=None):
    """Covariance matrix of the variables in the rows (or columns if not `rowvar`)
    of `m` (and `y`), with optional frequency and analytic weights.

    >>> jnp.cov(jnp.array([[0., 1., 2.], [2., 1., 0.]]))
    Array([[ 1., -1.],
           [-1.,  1.]], dtype=float32)
    """
    if y is not None:
        check_arraylike("cov", m, y)
        m, y = _promote_inexact(asarray(m), asarray(y))
        if y.ndim > 2:
            raise value_error(f"jnp.cov: y has more than 2 dimensions (shape {y.shape})")
    else:
        check_arraylike("cov", m)
        (m,) = _promote_inexact(asarray(m))
    if m.ndim > 2:
        raise value_error(f"jnp.cov: m has more than 2 dimensions (shape {m.shape})")
    if dtype is not None and _user_dtype(dtype).kind != "f":
        raise value_error(f"jnp.cov: dtype must be a subclass of float; got dtype={dtype}")
    X = _atleast_2d(m)
    if not rowvar and m.ndim != 1:
        X = lax.transpose(X, (1, 0))
    if X.shape[0] == 0:
        return lax.full((0, 0), 0, X.dtype)
    if y is not None:
        Y = _atleast_2d(y)
        if not rowvar and Y.shape[0] != 1:
            Y = lax.transpose(Y, (1, 0))
        X = _concat([X, Y], 0)
    p, n = X.shape
    if n == 0:
        return lax.full(() if p == 1 else (p, p), np.nan, X.dtype)
    if ddof is None:
        ddof = 1 if not bias else 0
    w = None
    if fweights is not None:
        check_arraylike("cov", fweights)
        fw = asarray(fweights)
        if fw.ndim > 1:
            raise RuntimeError("jnp.cov: cannot handle multidimensional fweights")
        if fw.shape[0] != n:
            raise RuntimeError(f"jnp.cov: incompatible numbers of samples ({n}) and fweights "
                               f"({fw.shape[0]})")
        if fw.dtype.kind not in "iu":
            raise type_error(f"jnp.cov: fweights must be integer, got {fw.dtype.name}")
        w = ufuncs.abs(fw)
    aw = None
    if aweights is not None:
        check_arraylike("cov", aweights)
        aw = asarray(aweights)
        if aw.ndim > 1:
            raise RuntimeError("jnp.cov: cannot handle multidimensional aweights")
        if aw.shape[0] != n:
            raise RuntimeError(f"jnp.cov: incompatible numbers of samples ({n}) and aweights "
                               f"({aw.shape[0]})")
        aw = ufuncs.abs(aw)
        w = aw if w is None else ufuncs.multiply(w, aw)
    if dtype is not None:
        dt = _user_dtype(dtype)
        X = _convert(X, dt)
        w = None if w is None else _convert(w, dt)
    avg, w_sum = average(X, axis=1, weights=None if w is None else
                         lax.broadcast_in_dim(asarray(w), X.shape, (1,)), returned=True)
    w_sum = lax.slice_in_dim(w_sum, 0, 1)
    w_sum = lax.reshape(w_sum, ())
    if w is None:
        f = _const(n - ddof, X.dtype)
    elif ddof == 0:
        f = w_sum
    elif aw is None:
        f = ufuncs.subtract(w_sum, ddof)
    else:
        f = ufuncs.subtract(w_sum, ufuncs.true_divide(
            ufuncs.multiply(ddof, sum(ufuncs.multiply(w, aw))), w_sum))
    X = ufuncs.subtract(X, lax.expand_dims(avg, (1,)))
    Xw = X if w is None else ufuncs.multiply(X, lax.expand_dims(asarray(w), (0,)))
    c = lax.dot_general(X, Xw, (((1,), (1,)), ((), ())))
    c = ufuncs.true_divide(c, f)
    return lax.reshape(c, ()) if p == 1 else c


def corrcoef(x, y=None, rowvar: bool = True, dtype=None):
    """Pearson correlation coefficients (cov normalised by the standard deviations,
    clipped to [-1, 1]).

    >>> jnp.corrcoef(jnp.array([[0., 1., 2.], [2., 1., 0.]]))
    Array([[ 1., -1.],
           [-1.,  1.]], dtype=float32)
    """
    check_arraylike("corrcoef", x)
    if dtype is not None and _user_dtype(dtype).kind != "f":
        raise value_error(f"jnp.corrcoef: dtype must be a subclass of float; got dtype={dtype}")
    c = cov(x, y, rowvar, dtype=dtype)
    if c.ndim == 0:
        return lax.div(c, c)
    p = c.shape[0]
    eye = lax.eq(lax.broadcasted_iota(np.int32, (p, p), 0),
                 lax.broadcasted_iota(np.int32, (p, p), 1))
    d = sum(lax.select(eye, c, lax.full_like(c, 0)), axis=1)
    s = lax.sqrt(d)
    c = lax.div(c, lax.broadcast_in_dim(s, (p, p), (0,)))
    c = lax.div(c, lax.broadcast_in_dim(s, (p, p), (1,)))
    return lax.clamp(lax.full((), -1, c.dtype), c, lax.full((), 1, c.dtype))


# ============================================================================= histograms

def _searchsorted(a, v, side, method=None):
    from .sorting import searchsorted  # (imported late: sorting is a sibling module)
    return searchsorted(a, v, side=side, **({} if method is None else {"method": method}))


def histogram_bin_edges(a, bins=10, range: Sequence | None = None, weights=None):
    """Edges of the bins `histogram` would use: `bins` itself when it is an array,
    else `bins + 1` evenly spaced edges over `range` (default [a.min(), a.max()]).

    >>> jnp.histogram_bin_edges(jnp.array([0., 1., 4.]), bins=4)
    Array([0., 1., 2., 3., 4.], dtype=float32)
    """
    if isinstance(bins, str):
        raise NotImplementedError("jnp.histogram_bin_edges: string values for `bins` are "
                                  "not implemented.")
    check_arraylike("histogram_bin_edges", a, bins)
    arr = asarray(a)
    dt = to_inexact_dtype(arr.dtype)
    if np.ndim(bins) == 1:
        return _convert(asarray(bins), dt)
    nbins = _static_index("histogram_bin_edges", "bins", bins)
    if nbins < 1:
        raise value_error(f"jnp.histogram_bin_edges: bins must be positive, got {nbins}")
    if range is None:
        lo, hi = _convert(min(arr), dt), _convert(max(arr), dt)
    else:
        r = asarray(range, dtype=dt)
        if r.shape != (2,):
            raise value_error(f"jnp.histogram_bin_edges: `range` must be either None or a "
                              f"sequence of two scalars, got shape {r.shape}")
        lo = lax.reshape(lax.slice_in_dim(r, 0, 1), ())
        hi = lax.reshape(lax.slice_in_dim(r, 1, 2), ())
    same = lax.eq(lo, hi)
    half = lax.full((), 0.5, dt)
    lo = lax.select(same, lax.sub(lo, half), lo)
    hi = lax.select(same, lax.add(hi, half), hi)
    from .creation import linspace
    return linspace(lo, hi, nbins + 1, dtype=dt)


def histogram(a, bins=10, range: Sequence | None = None, weights=None,
              density: bool | None = None):
    """Histogram of `a` (flattened): (counts, bin_edges). The last bin is closed on
    the right; values outside the range are ignored.

    >>> counts, edges = jnp.histogram(jnp.array([0., 1., 1., 3.]), bins=3)
    >>> counts
    Array([1., 2., 1.], dtype=float32)
    """
    check_arraylike("histogram", a)
    if weights is None:
        (x,) = _promote_inexact(asarray(a))
        w = lax.full_like(x, 1, x.dtype)
    else:
        check_arraylike("histogram", weights)
        x, w = asarray(a), asarray(weights)
        if x.shape != w.shape:
            raise value_error(f"jnp.histogram: weights should have the same shape as a; got "
                              f"{w.shape} and {x.shape}.")
        x, w = _promote_inexact(x, w)
    x = _convert(x, x.dtype)
    w = _convert(w, w.dtype)
    edges = histogram_bin_edges(x, bins, range)
    nb = edges.shape[0]
    x = lax.reshape(x, (x.size,))
    w = lax.reshape(w, (w.size,))
    idx = _searchsorted(edges, x, "right")
    last_edge = lax.reshape(lax.slice_in_dim(edges, nb - 1, nb), ())
    idx = lax.select(lax.eq(x, lax.broadcast(last_edge, x.shape)),
                     lax.full_like(idx, nb - 1), idx)
    # bin 0 collects values below the range, bin nb those above it
    counts = _scatter_add_1d(lax.full((nb + 1,), 0, w.dtype), idx, w)
    counts = lax.slice_in_dim(counts, 1, nb)
    if density:
        widths = lax.sub(lax.slice_in_dim(edges, 1, nb), lax.slice_in_dim(edges, 0, nb - 1))
        total = sum(counts)
        counts = lax.div(lax.div(counts, _convert(widths, counts.dtype)),
                         lax.broadcast(total, counts.shape))
    return counts, edges


def _scatter_add_1d(operand, idx, updates):
    dn = lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                     scatter_dims_to_operand_dims=(0,))
    return lax.scatter_add(operand, lax.expand_dims(idx, (1,)), updates, dn, mode="drop")


def bincount(x, weights=None, minlength: int = 0, *, length: int | None = None):
    """Number of occurrences of each value in the non-negative int array `x` (the sum
    of `weights` there, if given). Negative values count as 0 and values >= length
    are dropped, as in JAX. Under jit, pass a static `length`.

    >>> jnp.bincount(jnp.array([0, 1, 1, 3]))
    Array([1, 2, 0, 1], dtype=int32)
    """
    check_arraylike("bincount", x)
    x = asarray(x)
    if x.dtype == np.bool_:
        x = _convert(x, np.int32)
    if x.dtype.kind not in "iu":
        raise type_error(f"jnp.bincount: x argument must have an integer type; got "
                         f"{x.dtype.name}")
    if x.ndim != 1:
        raise value_error(f"jnp.bincount: only 1-dimensional input supported, got shape "
                          f"{x.shape}.")
    minlength = _static_index("bincount", "minlength", minlength)
    if minlength < 0:
        raise value_error(f"jnp.bincount: minlength must be non-negative, got {minlength}")
    if length is None:
        xv = x.to_concrete_value()
        if xv is None:
            raise ConcretizationTypeError(
                x, "jnp.bincount needs the values of x to find the output length; pass a "
                   "static `length=` argument to use it under jit or vmap. ")
        xv = np.asarray(xv)
        length = builtins.max(minlength, int(builtins.max(0, xv.max())) + 1 if xv.size else 0)
    else:
        length = _static_index("bincount", "length", length)
    if weights is None:
        w = lax.full(x.shape, 1, dtypes.default_int_dtype())
    else:
        check_arraylike("bincount", weights)
        w = asarray(weights)
        if w.shape != x.shape:
            raise value_error(f"jnp.bincount: weights shape {w.shape} must match x shape "
                              f"{x.shape}")
    if length == 0 or x.size == 0:
        return lax.full((length,), 0, w.dtype)
    idx = lax.max(x, lax.full_like(x, 0))
    return _scatter_add_1d(lax.full((length,), 0, w.dtype), idx, w)


def digitize(x, bins, right: bool = False, *, method: str | None = None):
    """Indices of the bins (monotonic `bins`, increasing or decreasing) to which
    each value in `x` belongs.

    >>> jnp.digitize(jnp.array([0.5, 1.5, 3.0]), jnp.array([0., 1., 2.]))
    Array([1, 2, 3], dtype=int32)
    """
    check_arraylike("digitize", x, bins)
    x, b = asarray(x), asarray(bins)
    if isinstance(right, Tracer):
        raise ConcretizationTypeError(right, "The right argument of jnp.digitize must be "
                                             "static. ")
    if b.ndim != 1:
        raise value_error(f"jnp.digitize: bins must be a 1-dimensional array; got shape "
                          f"{b.shape}")
    nb = b.shape[0]
    if nb == 0:
        return lax.full(x.shape, 0, np.int32)
    side = "left" if right else "right"
    up = _searchsorted(b, x, side, method)
    down = ufuncs.subtract(nb, _searchsorted(lax.rev(b, (0,)), x, side, method))
    increasing = lax.ge(lax.reshape(lax.slice_in_dim(b, nb - 1, nb), ()),
                        lax.reshape(lax.slice_in_dim(b, 0, 1), ()))
    up, down = promote_dtypes(up, down)
    return lax.select(lax.broadcast(increasing, up.shape), up, down)


# ============================================================================= differences

def diff(a, n: int = 1, axis: int = -1, prepend=None, append=None):
    """n-th discrete difference along `axis` (`!=` for booleans), optionally after
    prepending / appending values.

    >>> jnp.diff(jnp.array([1, 4, 9, 16]))
    Array([3, 5, 7], dtype=int32)
    """
    check_arraylike("diff", a)
    arr = asarray(a)
    n = _static_index("diff", "n", n)
    _static_index("diff", "axis", axis)
    if n == 0:
        return arr
    if n < 0:
        raise value_error(f"jnp.diff: order must be non-negative but got {n}")
    if arr.ndim == 0:
        raise value_error(f"jnp.diff requires input that is at least one dimensional; got "
                          f"shape {arr.shape}")
    ax = _canon_axis("diff", axis, arr.ndim)
    parts = []
    for extra in (prepend, arr, append):
        if extra is None or extra is arr:
            if extra is arr:
                parts.append(arr)
            continue
        check_arraylike("diff", extra)
        e = asarray(extra)
        if e.ndim == 0:
            shape = list(arr.shape)
            shape[ax] = 1
            e = lax.broadcast(e, tuple(shape))
        parts.append(e)
    if len(parts) > 1:
        arr = _concat(parts, ax)
    for _ in range(n):
        d = arr.shape[ax]
        hi, lo = _slice(arr, builtins.min(1, d), d, ax), _slice(arr, 0, builtins.max(d - 1, 0), ax)
        arr = lax.ne(hi, lo) if arr.dtype == np.bool_ else lax.sub(hi, lo)
    return arr


def ediff1d(ary, to_end=None, to_begin=None):
    """Differences between consecutive elements of the flattened array, with
    optional values added at the start and end.

    >>> jnp.ediff1d(jnp.array([1, 2, 4, 7]), to_begin=-99)
    Array([-99,   1,   2,   3], dtype=int32)
    """
    check_arraylike("ediff1d", ary)
    arr = asarray(ary)
    arr = lax.reshape(arr, (arr.size,))
    if arr.dtype == np.bool_:
        raise type_error("jnp.ediff1d does not accept dtype bool (subtraction of booleans); "
                         "use jnp.diff, which gives `!=`, or convert to int.")
    k = arr.shape[0]
    result = lax.sub(_slice(arr, builtins.min(1, k), k, 0),
                     _slice(arr, 0, builtins.max(k - 1, 0), 0))
    parts = [result]
    if to_begin is not None:
        check_arraylike("ediff1d", to_begin)
        b = _convert(asarray(to_begin), arr.dtype)
        parts.insert(0, lax.reshape(b, (b.size,)))
    if to_end is not None:
        check_arraylike("ediff1d", to_end)
        e = _convert(asarray(to_end), arr.dtype)
        parts.append(lax.reshape(e, (e.size,)))
    return parts[0] if len(parts) == 1 else lax.concatenate(parts, 0)


def gradient(f, *varargs, axis: int | Sequence[int] | None = None,
             edge_order: int | None = None):
    """Gradient by second-order central differences in the interior and first-order
    one-sided differences at the edges; `varargs` give scalar spacings or 1-D
    coordinates per axis. A list of arrays when several axes are taken.

    >>> jnp.gradient(jnp.array([1., 2., 4., 7.]))
    Array([1. , 1.5, 2.5, 3. ], dtype=float32)
    """
    if edge_order is not None:
        raise NotImplementedError("The 'edge_order' argument to jnp.gradient is not supported.")
    check_arraylike("gradient", f, *varargs)
    a, *spacing = _promote_inexact(*[asarray(v) for v in (f, *varargs)])
    axes = _axes("gradient", axis, a.ndim)
    if not axes:
        return []
    if builtins.min(a.shape[d] for d in axes) < 2:
        raise value_error(f"jnp.gradient: shape of array {a.shape} too small to calculate a "
                          f"numerical gradient, at least 2 elements are required.")
    if len(spacing) == 0:
        dx = [None] * len(axes)
    elif len(spacing) == 1:
        dx = spacing * len(axes)
    elif len(spacing) == len(axes):
        dx = spacing
    else:
        raise type_error(f"jnp.gradient: invalid number of spacing arguments {len(spacing)} "
                         f"for axis={axis}")
    grads = [_gradient_along(a, h, ax) for ax, h in zip(axes, dx)]
    return grads[0] if len(axes) == 1 else grads


def _gradient_along(a, h, ax):
    d = a.shape[ax]

    def sl(x, s, e):
        return _slice(x, s, e, ax)

    upper = lax.sub(sl(a, 1, 2), sl(a, 0, 1))
    lower = lax.sub(sl(a, d - 1, d), sl(a, d - 2, d - 1))
    if h is None or h.ndim == 0:
        inner = ufuncs.multiply(lax.sub(sl(a, 2, d), sl(a, 0, d - 2)), 0.5)
        if h is not None:
            inner, upper, lower = (ufuncs.true_divide(t, h) for t in (inner, upper, lower))
    elif h.ndim == 1:
        if h.shape[0] != d:
            raise value_error("jnp.gradient: spacing arrays must have the same length as the "
                              f"dimension along which the gradient is calculated ({h.shape[0]} "
                              f"!= {d}).")
        shape = [1] * a.ndim
        shape[ax] = d
        x = lax.reshape(_convert(h, a.dtype), tuple(shape))
        upper = ufuncs.true_divide(upper, lax.sub(sl(x, 1, 2), sl(x, 0, 1)))
        lower = ufuncs.true_divide(lower, lax.sub(sl(x, d - 1, d), sl(x, d - 2, d - 1)))
        dx1 = lax.sub(sl(x, 1, d - 1), sl(x, 0, d - 2))
        dx2 = lax.sub(sl(x, 2, d), sl(x, 1, d - 1))
        ca = lax.div(lax.neg(dx2), lax.mul(dx1, lax.add(dx1, dx2)))
        cb = lax.div(lax.sub(dx2, dx1), lax.mul(dx1, dx2))
        cc = lax.div(dx1, lax.mul(dx2, lax.add(dx1, dx2)))
        inner = ufuncs.add(ufuncs.add(ufuncs.multiply(ca, sl(a, 0, d - 2)),
                                      ufuncs.multiply(cb, sl(a, 1, d - 1))),
                           ufuncs.multiply(cc, sl(a, 2, d)))
    else:
        raise value_error(f"jnp.gradient: spacing arrays must be 1D arrays or scalars, got "
                          f"shape {h.shape}")
    return _concat([upper, inner, lower], ax)


def trapezoid(y, x=None, dx=1.0, axis: int = -1):
    """Integral of `y` along `axis` by the trapezoidal rule, at sample points `x`
    (or with uniform spacing `dx`).

    >>> jnp.trapezoid(jnp.array([1., 2., 3.]))
    Array(4., dtype=float32)
    """
    if x is None:
        check_arraylike("trapezoid", y)
        (ya,) = _promote_inexact(asarray(y))
        dxa = asarray(dx)
        ax = _canon_axis("trapezoid", axis, ya.ndim)
        if dxa.ndim > 0:
            dxa = lax.broadcast_to_rank(dxa, ya.ndim)
            dxa = move_axis(dxa, ax, ya.ndim - 1)
    else:
        check_arraylike("trapezoid", y, x)
        ya, xa = _promote_inexact(asarray(y), asarray(x))
        ax = _canon_axis("trapezoid", axis, ya.ndim)
        if xa.ndim == 1:
            dxa = diff(xa)
        else:
            dxa = move_axis(diff(xa, axis=ax), ax, xa.ndim - 1)
    ya = move_axis(ya, ax, ya.ndim - 1)
    k = ya.shape[-1]
    last = ya.ndim - 1
    if dxa.ndim == 0 or dxa.shape[-1] == 1:
        d = dxa if dxa.ndim == 0 else lax.reshape(dxa, dxa.shape[:-1])
        ends = ufuncs.add(_slice(ya, 0, builtins.min(1, k), last),
                          _slice(ya, builtins.max(k - 1, 0), k, last))
        ends = lax.reshape(ends, ya.shape[:-1]) if k else sum(ends, axis=-1)
        total = ufuncs.subtract(sum(ya, axis=-1), ufuncs.multiply(0.5, ends))
        return ufuncs.multiply(d, total)
    pairs = ufuncs.add(_slice(ya, 1, k, last), _slice(ya, 0, builtins.max(k - 1, 0), last))
    return ufuncs.multiply(0.5, sum(ufuncs.multiply(dxa, pairs), axis=-1))


# ============================================================================= 1-D convolution

def _conv1d(name, x, y, mode, precision, preferred_element_type):
    check_arraylike(name, x, y)
    x, y = asarray(x), asarray(y)
    if x.ndim != 1 or y.ndim != 1:
        raise value_error(f"jnp.{name}() only supports 1-dimensional inputs, got shapes "
                          f"{x.shape} and {y.shape}.")
    if preferred_element_type is None:
        x, y = _promote_inexact(x, y)
    else:
        x, y = promote_dtypes(x, y)
    x, y = _convert(x, x.dtype), _convert(y, y.dtype)
    if x.shape[0] == 0 or y.shape[0] == 0:
        raise value_error(f"jnp.{name}: inputs cannot be empty, got shapes {x.shape} and "
                          f"{y.shape}.")
    reverse_out = False
    if name == "correlate":
        if x.shape[0] < y.shape[0]:
            x, y = y, x
            reverse_out = True
    else:
        if x.shape[0] < y.shape[0]:
            x, y = y, x
        y = lax.rev(y, (0,))
    k = y.shape[0]
    if mode == "valid":
        padding = [(0, 0)]
    elif mode == "same":
        padding = [(k // 2, k - k // 2 - 1)]
    elif mode == "full":
        padding = [(k - 1, k - 1)]
    else:
        raise value_error(f"jnp.{name}: mode must be one of ['full', 'same', 'valid'], got "
                          f"{mode!r}")
    out = lax.conv_general_dilated(lax.reshape(x, (1, 1, x.shape[0])),
                                   lax.reshape(y, (1, 1, k)), (1,), padding,
                                   precision=precision,
                                   preferred_element_type=preferred_element_type)
    out = lax.reshape(out, (out.shape[-1],))
    return lax.rev(out, (0,)) if reverse_out else out


def convolve(a, v, mode: str = "full", *, precision=None, preferred_element_type=None):
    """Discrete linear convolution of two 1-D arrays (modes 'full', 'same', 'valid').

    >>> jnp.convolve(jnp.array([1., 2., 3.]), jnp.array([0., 1., 0.5]))
    Array([0. , 1. , 2.5, 4. , 1.5], dtype=float32)
    """
    return _conv1d("convolve", a, v, mode, precision, preferred_element_type)


def correlate(a, v, mode: str = "valid", *, precision=None, preferred_element_type=None):
    """Cross-correlation of two 1-D arrays (modes 'valid', 'same', 'full').

    >>> jnp.correlate(jnp.array([1., 2., 3.]), jnp.array([0., 1., 0.5]))
    Array([3.5], dtype=float32)
    """
    return _conv1d("correlate", a, v, mode, precision, preferred_element_type)


# ============================================================================= interpolation

def interp(x, xp, fp, left=None, right=None, period=None):
    """Piecewise-linear interpolation of the points (xp, fp) (xp increasing) at x;
    `left`/`right` give the values outside [xp[0], xp[-1]] ('extrapolate' to
    extend the end segments), `period` makes xp periodic.

    >>> jnp.interp(jnp.array([0.5, 2.5]), jnp.array([0., 1., 2.]), jnp.array([0., 10., 0.]))
    Array([5., 0.], dtype=float32)
    """
    check_arraylike("interp", x, xp, fp)
    x, xp, fp = asarray(x), asarray(xp), asarray(fp)
    if xp.shape != fp.shape or xp.ndim != 1:
        raise value_error(f"jnp.interp: xp and fp must be one-dimensional arrays of equal "
                          f"size, got shapes {xp.shape} and {fp.shape}")
    if xp.shape[0] == 0:
        raise value_error("jnp.interp: xp and fp must not be empty")
    x, xp = _promote_inexact(x, xp)
    (fp,) = _promote_inexact(fp)
    extrapolate = {}
    for side, val in (("left", left), ("right", right)):
        if isinstance(val, str):
            if val != "extrapolate":
                raise value_error(f"jnp.interp: the only valid string value of `{side}` is "
                                  f"'extrapolate', but got: {val!r}")
            extrapolate[side] = True
        else:
            extrapolate[side] = False
    if period is not None:
        check_arraylike("interp", period)
        if np.ndim(period) != 0:
            raise value_error(f"jnp.interp: period must be a scalar; got shape "
                              f"{np.shape(period)}")
        period = ufuncs.abs(period)
        x = ufuncs.remainder(x, period)
        xp = ufuncs.remainder(xp, period)
        xp, fp = lax.sort_key_val(xp, fp)
        k = xp.shape[0]
        xp = _concat([ufuncs.subtract(_slice(xp, k - 1, k, 0), period), xp,
                      ufuncs.add(_slice(xp, 0, 1, 0), period)], 0)
        fp = _concat([_slice(fp, k - 1, k, 0), fp, _slice(fp, 0, 1, 0)], 0)
        x, xp = promote_dtypes(x, xp)
    k = xp.shape[0]
    i = _searchsorted(xp, x, "right")
    # a single point: both ends clamp to it (dx = 0 selects fp[0])
    i = lax.clamp(lax.full((), 1, i.dtype), i, lax.full((), builtins.max(k - 1, 1), i.dtype))
    im1 = lax.sub(i, lax.full_like(i, 1))
    f_hi, f_lo = _take1d(fp, i), _take1d(fp, im1)
    x_hi, x_lo = _take1d(xp, i), _take1d(xp, im1)
    df = lax.sub(f_hi, f_lo)
    dx = lax.sub(x_hi, x_lo)
    delta = lax.sub(x, x_lo)
    # a (near-)zero-width segment takes its left value, and keeps gradients finite
    eps = np.spacing(dtypes.finfo(xp.dtype).eps)
    dx0 = lax.le(lax.abs(dx), lax.full_like(dx, eps))
    safe_dx = lax.select(dx0, lax.full_like(dx, 1), dx)
    step = ufuncs.multiply(lax.div(delta, safe_dx), df)
    f = ufuncs.where(dx0, f_lo, ufuncs.add(f_lo, step))
    if period is None:
        def end(arr, j):
            return lax.reshape(_slice(arr, j, j + 1, 0), ())
        if not extrapolate["left"]:
            lv = end(fp, 0) if left is None else left
            f = ufuncs.where(lax.lt(x, lax.broadcast(end(xp, 0), x.shape)), lv, f)
        if not extrapolate["right"]:
            rv = end(fp, k - 1) if right is None else right
            f = ufuncs.where(lax.gt(x, lax.broadcast(end(xp, k - 1), x.shape)), rv, f)
    return f
