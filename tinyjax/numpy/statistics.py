"""Statistics: quantiles and medians, averages, covariance and correlation,
histograms and binning (JAX semantics, written in terms of lax)."""
# `sum`, `max`, ... below are tinyjax.numpy reductions; Python's are `builtins.*`.
from __future__ import annotations

import builtins
import math
from typing import Sequence

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.errors import ConcretizationTypeError
from ..core.trace import Tracer
from ..lax._base import type_error, value_error
from . import ufuncs
from ._convert import (
    asarray,
    check_arraylike,
    move_axis,
    promote_dtypes,
    to_inexact_dtype,
)
from .reductions import (
    Axis,
    _axes,
    _broadcast_to,
    _concat,
    _const,
    _convert,
    _isnan,
    _promote_inexact,
    _static_index,
    _take_along_last,
    _user_dtype,
    any,
    max,
    mean,
    min,
    sum,
)

__all__ = [
    "average", "bincount", "corrcoef", "cov", "digitize", "histogram", "histogram_bin_edges",
    "median", "nanmedian", "nanpercentile", "nanquantile", "percentile", "quantile",
]


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
