"""The rest of the NumPy namespace: whole-array comparisons (isclose, array_equal),
index helpers (ix_, mgrid, r_, ...), apply_along_axis, window functions and i0,
2-D / N-D histograms, bit packing, unwrap, place, and the thin wrappers around
NumPy's printing, file I/O and frompyfunc (JAX semantics, written in terms of lax)."""
# `bool` and `pow` below are jnp names; Python's are `builtins.*`.
from __future__ import annotations

import builtins
import math
import operator
from typing import Callable, Sequence

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.array import Array
from ..core.errors import ConcretizationTypeError
from ..core.trace import Tracer
from ..lax._base import type_error, value_error
from . import creation, manipulation, numerical, reductions, sorting, statistics, ufuncs
from ._convert import (
    asarray,
    check_arraylike,
    check_out,
    is_array,
    move_axis,
    promote_args_inexact,
    promote_dtypes,
    promote_dtypes_inexact,
)
from .index_tricks import ravel_multi_index
from .indexing import _tile_to_size
from .manipulation import _axis, _concrete, _static_int
from .scalar_types import bool_

__all__ = [
    "allclose", "apply_along_axis", "apply_over_axes", "array_equal", "array_equiv",
    "array_repr", "array_str", "astype", "bartlett", "blackman", "bool", "c_", "fromfile",
    "frompyfunc", "fromstring", "get_printoptions", "hamming", "hanning", "histogram2d",
    "histogramdd", "i0", "index_exp", "isclose", "isscalar", "iterable", "ix_", "kaiser",
    "load", "mgrid", "ogrid", "packbits", "place", "pow", "printoptions", "r_", "s_", "save",
    "savez", "set_printoptions", "unpackbits", "unwrap",
]

# `jnp.bool` is the `bool_` dtype object, as in JAX; `jnp.pow` is `jnp.power`.
bool = bool_  # noqa: A001
pow = ufuncs.power  # noqa: A001


# ============================================================================= comparisons

def isclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: builtins.bool = False):
    """Elementwise `|a - b| <= atol + rtol * |b|`, as JAX: integers and bools are
    compared as floats, infinities are close only to the same infinity, NaN is close
    to nothing (to NaN too with equal_nan=True). `rtol`/`atol` are cast to the
    compared dtype (so float16 rounds atol=1e-8 to zero, as JAX does).

    >>> jnp.isclose(jnp.array([1.0, jnp.inf]), jnp.array([1.0 + 1e-6, jnp.inf]))
    Array([ True,  True], dtype=bool)
    """
    check_arraylike("isclose", a, b)
    a, b = promote_args_inexact("isclose", a, b)
    dt = a.dtype
    rtol = lax.convert_element_type(asarray(rtol), dt)
    atol = lax.convert_element_type(asarray(atol), dt)
    err = ufuncs.abs(ufuncs.subtract(a, b))
    tol = ufuncs.add(atol, ufuncs.multiply(rtol, ufuncs.abs(b)))
    finite = ufuncs.logical_and(ufuncs.isfinite(a), ufuncs.isfinite(b))
    # non-finite pairs are close only when equal: inf == inf, never NaN == NaN
    out = ufuncs.where(finite, ufuncs.less_equal(err, tol), ufuncs.equal(a, b))
    if equal_nan:
        out = ufuncs.logical_or(out, ufuncs.logical_and(ufuncs.isnan(a), ufuncs.isnan(b)))
    return out


def allclose(a, b, rtol=1e-05, atol=1e-08, equal_nan: builtins.bool = False):
    """Whether every pair of elements is `isclose` (a 0-d bool array, as JAX).

    >>> jnp.allclose(jnp.array([1.0, 2.0]), jnp.array([1.0, 2.0 + 1e-6]))
    Array(True, dtype=bool)
    """
    return reductions.all(isclose(a, b, rtol, atol, equal_nan))


def array_equal(a1, a2, equal_nan: builtins.bool = False):
    """Whether two arrays have the same shape and elements (a 0-d bool array).
    Different shapes give False, not an error.

    >>> jnp.array_equal(jnp.array([1, 2]), jnp.array([1.0, 2.0]))
    Array(True, dtype=bool)
    """
    a1, a2 = asarray(a1), asarray(a2)
    if a1.shape != a2.shape:
        return lax.full((), False, np.bool_)
    eq = ufuncs.equal(a1, a2)
    if equal_nan:
        eq = ufuncs.logical_or(eq, ufuncs.logical_and(ufuncs.isnan(a1), ufuncs.isnan(a2)))
    return reductions.all(eq)


def array_equiv(a1, a2):
    """Whether two arrays are equal after broadcasting (False when they do not
    broadcast).

    >>> jnp.array_equiv(jnp.array([1, 2]), jnp.array([[1, 2], [1, 2]]))
    Array(True, dtype=bool)
    """
    a1, a2 = asarray(a1), asarray(a2)
    try:
        manipulation.broadcast_shapes(a1.shape, a2.shape)
    except ValueError:
        return lax.full((), False, np.bool_)
    return reductions.all(ufuncs.equal(a1, a2))


# ============================================================================= small utilities

def astype(x, dtype, /, *, copy: builtins.bool = False, device=None):
    """`x` converted to `dtype` (the Array-API function; dtype=None means the default
    float dtype). The result is never weakly typed. `device` is accepted and ignored.

    >>> jnp.astype(jnp.array([1.5, -2.7]), jnp.int32)
    Array([ 1, -2], dtype=int32)
    """
    check_arraylike("astype", x)
    dt = dtypes.default_float_dtype() if dtype is None else dtypes.canonicalize_dtype(dtype)
    return lax.convert_element_type(asarray(x), dt)


def isscalar(element) -> builtins.bool:
    """Whether `element` is a scalar: a Python/NumPy scalar or any 0-d array (JAX counts
    0-d arrays as scalars, unlike NumPy, so the answer does not change under jit).

    >>> jnp.isscalar(jnp.array(1.0)), jnp.isscalar(jnp.array([1.0]))
    (True, False)
    """
    if np.isscalar(element):
        return True
    if isinstance(element, (np.ndarray, Array, Tracer)):
        return len(element.shape) == 0
    if hasattr(element, "__jax_array__"):
        return asarray(element).ndim == 0
    return False


def iterable(y) -> builtins.bool:
    """Whether `iter(y)` works (0-d arrays are not iterable), as np.iterable.

    >>> jnp.iterable(jnp.zeros(3)), jnp.iterable(jnp.zeros(()))
    (True, False)
    """
    return np.iterable(y)


# ============================================================================= index helpers

def ix_(*args):
    """An open mesh from N 1-D integer arrays: the i-th result has shape 1 everywhere
    but axis i, so `x[jnp.ix_(rows, cols)]` picks a sub-grid.

    >>> jnp.ix_(jnp.array([0, 1]), jnp.array([2, 3, 4]))[1]
    Array([[2, 3, 4]], dtype=int32)
    """
    check_arraylike("ix_", *args)
    n = len(args)
    out = []
    for i, a in enumerate(args):
        a = asarray(a)
        if a.ndim != 1:
            raise value_error(f"Arguments to jnp.ix_ must be 1-dimensional, got shape {a.shape}")
        if a.dtype == np.bool_:
            raise NotImplementedError("Boolean arguments to jnp.ix_ are not implemented")
        shape = [1] * n
        shape[i] = a.shape[0]
        if a.shape[0] == 0:
            # an empty index is an integer index, whatever its dtype (as NumPy)
            out.append(lax.full(shape, 0, dtypes.default_int_dtype()))
        else:
            out.append(lax.broadcast_in_dim(a, tuple(shape), (i,)))
    return tuple(out)


index_exp = np.index_exp
s_ = np.s_


def _static_scalar(v, name: str, what: str):
    """A slice bound of mgrid/ogrid/r_/c_: concrete, never traced."""
    if isinstance(v, Tracer):
        c = v.to_concrete_value()
        if c is None:
            raise ConcretizationTypeError(v, f"The slice {what} of jnp.{name} must be static. ")
        v = c
    if isinstance(v, (np.ndarray, Array)):
        v = np.asarray(v).item()
    return v


def _grid_1d(s: slice, name: str):
    """start:stop:step as arange, or, for an imaginary step Nj, linspace with N points."""
    start = _static_scalar(s.start, name, "start")
    stop = _static_scalar(s.stop, name, "stop")
    step = _static_scalar(s.step, name, "step")
    start = 0 if start is None else start
    step = 1 if step is None else step
    if isinstance(step, (complex, np.complexfloating)):
        return creation.linspace(start, stop, int(abs(step)))
    return creation.arange(start, stop, step)


def _grid_slices(key, name: str) -> list:
    if not isinstance(key, tuple):
        key = (key,)
    for k in key:
        if not isinstance(k, slice):
            raise type_error(f"jnp.{name}[...] takes slices like 0:5 or 0:1:5j, got {k!r}")
    grids = [_grid_1d(k, name) for k in key]
    return promote_dtypes(*grids) if grids else []


class _Mgrid:
    """Dense mesh of slices: `jnp.mgrid[0:2, 0:3]` has shape (2, 2, 3). An imaginary
    step `a:b:Nj` gives N points from a to b inclusive (linspace).

    >>> jnp.mgrid[0:1:3j]
    Array([0. , 0.5, 1. ], dtype=float32)
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, "mgrid")
        grids = _grid_slices(key, "mgrid")
        if not grids:
            return creation.arange(0)
        return manipulation.stack(creation.meshgrid(*grids, indexing="ij"), 0)

    def __repr__(self):
        return "jnp.mgrid"


class _Ogrid:
    """Open (sparse) mesh of slices: `jnp.ogrid[0:2, 0:3]` is arrays of shapes
    (2, 1) and (1, 3).

    >>> jnp.ogrid[0:3]
    Array([0, 1, 2], dtype=int32)
    """

    def __getitem__(self, key):
        if isinstance(key, slice):
            return _grid_1d(key, "ogrid")
        return creation.meshgrid(*_grid_slices(key, "ogrid"), indexing="ij", sparse=True)

    def __repr__(self):
        return "jnp.ogrid"


mgrid = _Mgrid()
ogrid = _Ogrid()


class _AxisConcatenator:
    """`r_` / `c_`: concatenate scalars, arrays and slices (as aranges) along an axis.
    A leading string directive 'axis,ndmin,trans1d' (or 'r' / 'c') sets the axis, the
    minimum rank items are raised to, and where an item's own dims go (NumPy's rules)."""

    axis = 0
    ndmin = 1
    trans1d = -1
    name = "r_"

    def __getitem__(self, key):
        items = key if isinstance(key, tuple) else (key,)
        axis, ndmin, trans1d, matrix = self.axis, self.ndmin, self.trans1d, -1
        if items and isinstance(items[0], str):
            directive, items = items[0], items[1:]
            if directive in ("r", "c"):
                matrix = 0 if directive == "r" else 1
            else:
                try:
                    vals = [int(v) for v in directive.split(",")[:3]]
                except ValueError:
                    raise value_error(f"jnp.{self.name}: could not understand directive "
                                      f"{directive!r}") from None
                axis, ndmin, trans1d = (vals + [ndmin, trans1d][len(vals) - 1:])[:3]
        if not items:
            raise value_error(f"jnp.{self.name}[...] needs at least one item to concatenate")
        parts = []
        for item in items:
            if isinstance(item, slice):
                x = _grid_1d(item, self.name)
            elif isinstance(item, str):
                raise value_error(f"jnp.{self.name}: a string directive must come first")
            else:
                x = asarray(item)
            item_ndim = x.ndim
            if x.ndim < ndmin:
                x = lax.reshape(x, (1,) * (ndmin - x.ndim) + x.shape)
                if trans1d != -1 and ndmin > item_ndim:
                    # the item's own dims start at position trans1d (NumPy's rule)
                    k2 = ndmin - item_ndim
                    k1 = trans1d + k2 + 1 if trans1d < 0 else trans1d
                    perm = list(range(ndmin))
                    x = lax.transpose(x, tuple(perm[:k1] + perm[k2:] + perm[k1:k2]))
            parts.append(x)
        out = manipulation.concatenate(parts, axis=axis)
        if matrix != -1 and out.ndim == 1:
            out = lax.expand_dims(out, (matrix,))
        return out

    def __len__(self):
        return 0

    def __repr__(self):
        return f"jnp.{self.name}"


class _RClass(_AxisConcatenator):
    """Concatenate along the first axis: `jnp.r_[1, 2, 0:3]` is [1, 2, 0, 1, 2].

    >>> jnp.r_[jnp.array([1, 2]), 0, 0:2]
    Array([1, 2, 0, 0, 1], dtype=int32)
    """


class _CClass(_AxisConcatenator):
    """Stack 1-D items as columns, concatenating along the last axis.

    >>> jnp.c_[jnp.array([1, 2]), jnp.array([3, 4])]
    Array([[1, 3],
           [2, 4]], dtype=int32)
    """

    axis = -1
    ndmin = 2
    trans1d = 0
    name = "c_"


r_ = _RClass()
c_ = _CClass()


# ============================================================================= apply

def apply_along_axis(func1d: Callable, axis: int, arr, *args, **kwargs):
    """`func1d(x, *args, **kwargs)` applied to every 1-D slice of `arr` along `axis`;
    the slice results (all of one shape S) replace that axis: the output shape is
    arr.shape[:axis] + S + arr.shape[axis+1:].

    JAX maps func1d with vmap; tinyjax has no vmap yet, so this calls func1d once per
    slice in a Python loop and stacks the results with lax ops. Shapes are static, so
    it is exact and traceable (the jaxpr holds one copy of func1d per slice).

    >>> jnp.apply_along_axis(jnp.sum, 1, jnp.array([[1, 2], [3, 4]]))
    Array([3, 7], dtype=int32)
    """
    check_arraylike("apply_along_axis", arr)
    arr = asarray(arr)
    nd = arr.ndim
    axis = _axis(axis, nd, "apply_along_axis")
    moved = move_axis(arr, axis, -1)
    outer = moved.shape[:-1]
    n = moved.shape[-1]
    count = math.prod(outer)
    rows = lax.reshape(moved, (count, n))
    if count == 0:
        # no slice to apply func1d to: learn its output shape/dtype from a zero slice
        probe = asarray(func1d(lax.full((n,), 0, arr.dtype), *args, **kwargs))
        res = lax.full((0,) + probe.shape, 0, probe.dtype)
    else:
        outs = [asarray(func1d(lax.reshape(lax.slice_in_dim(rows, i, i + 1), (n,)),
                               *args, **kwargs)) for i in builtins.range(count)]
        shapes = {o.shape for o in outs}
        if len(shapes) != 1:
            raise value_error(f"jnp.apply_along_axis: func1d must return arrays of one shape "
                              f"for every slice, got {sorted(shapes)}")
        outs = promote_dtypes(*outs)
        res = lax.concatenate([lax.expand_dims(o, (0,)) for o in outs], 0)
    rshape = res.shape[1:]
    res = lax.reshape(res, outer + rshape)
    k = len(rshape)
    # outer = (leading dims, trailing dims); put func1d's dims between them
    perm = (list(builtins.range(axis)) + [nd - 1 + j for j in builtins.range(k)]
            + [axis + j for j in builtins.range(nd - 1 - axis)])
    return lax.transpose(res, tuple(perm)) if perm != sorted(perm) else res


def apply_over_axes(func: Callable, a, axes: Sequence[int]):
    """Apply `func(a, axis)` for each axis in turn; a result with one dim fewer gets it
    back as size 1 (so reductions behave as with keepdims=True).

    >>> jnp.apply_over_axes(jnp.sum, jnp.ones((2, 3)), [0, 1])
    Array([[6.]], dtype=float32)
    """
    check_arraylike("apply_over_axes", a)
    a = asarray(a)
    if np.ndim(axes) == 0:
        axes = (axes,)
    for ax in axes:
        b = asarray(func(a, ax))
        if b.ndim == a.ndim - 1:
            b = manipulation.expand_dims(b, ax)
        elif b.ndim != a.ndim:
            raise value_error(f"jnp.apply_over_axes: func returned an array of rank {b.ndim} "
                              f"for an input of rank {a.ndim}; it must keep the rank or "
                              f"drop the one axis")
        a = b
    return a


# ============================================================================= windows and i0

def _window_size(M, name: str) -> int:
    if isinstance(M, Tracer):
        v = M.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(M, f"The M argument of jnp.{name} must be static "
                                             f"(a Python int). ")
        M = v
    try:
        M = int(np.asarray(M).item()) if hasattr(M, "shape") else int(M)
    except (TypeError, ValueError):
        raise type_error(f"jnp.{name}: M must be an integer, got {M!r}") from None
    if M < 0:
        raise type_error(f"jnp.{name}: the window length M must be non-negative, got {M}")
    return M


def _window(M, name: str):
    """(n, M-1) for a window of length M > 1, or the all-ones window for M <= 1."""
    M = _window_size(M, name)
    dt = dtypes.default_float_dtype()
    if M <= 1:
        return None, lax.full((M,), 1, dt)
    return lax.iota(dt, M), M - 1


def bartlett(M: int):
    """The Bartlett (triangular) window of length M (default float dtype).

    >>> jnp.bartlett(5)
    Array([0. , 0.5, 1. , 0.5, 0. ], dtype=float32)
    """
    n, m1 = _window(M, "bartlett")
    if n is None:
        return m1
    return ufuncs.subtract(1, ufuncs.divide(ufuncs.abs(ufuncs.subtract(
        ufuncs.add(ufuncs.multiply(2, n), 1), m1 + 1)), m1))


def _cos_term(n, m1, k: int):
    return ufuncs.cos(ufuncs.divide(ufuncs.multiply(k * np.pi, n), m1))


def blackman(M: int):
    """The Blackman window of length M.

    >>> jnp.blackman(3)  # doctest: +SKIP
    Array([-1.4901161e-08,  1.0000000e+00, -1.4901161e-08], dtype=float32)
    """
    n, m1 = _window(M, "blackman")
    if n is None:
        return m1
    return ufuncs.add(ufuncs.subtract(0.42, ufuncs.multiply(0.5, _cos_term(n, m1, 2))),
                      ufuncs.multiply(0.08, _cos_term(n, m1, 4)))


def hamming(M: int):
    """The Hamming window of length M.

    >>> jnp.hamming(3)  # doctest: +SKIP
    Array([0.08, 1.  , 0.08], dtype=float32)
    """
    n, m1 = _window(M, "hamming")
    if n is None:
        return m1
    return ufuncs.subtract(0.54, ufuncs.multiply(0.46, _cos_term(n, m1, 2)))


def hanning(M: int):
    """The Hann window of length M.

    >>> jnp.hanning(5)
    Array([0. , 0.5, 1. , 0.5, 0. ], dtype=float32)
    """
    n, m1 = _window(M, "hanning")
    if n is None:
        return m1
    return ufuncs.multiply(0.5, ufuncs.subtract(1, _cos_term(n, m1, 2)))


def kaiser(M: int, beta):
    """The Kaiser window of length M with shape parameter `beta` (may be traced):
    i0(beta * sqrt(1 - ((n - a) / a)**2)) / i0(beta), a = (M - 1) / 2.

    >>> jnp.kaiser(3, 0.0)
    Array([1., 1., 1.], dtype=float32)
    """
    check_arraylike("kaiser", beta)
    n, m1 = _window(M, "kaiser")
    if n is None:
        return m1
    alpha = 0.5 * m1
    r = ufuncs.divide(ufuncs.subtract(n, alpha), alpha)
    arg = ufuncs.multiply(beta, ufuncs.sqrt(ufuncs.subtract(1, ufuncs.multiply(r, r))))
    return ufuncs.divide(i0(arg), i0(beta))


def i0(x):
    """Modified Bessel function of the first kind, order 0: exp(|x|) * i0e(|x|).
    Integers become floats; +-inf gives NaN, as JAX (inf * 0).

    >>> jnp.i0(jnp.array([0.0, 1.0]))
    Array([1.      , 1.266066], dtype=float32)
    """
    check_arraylike("i0", x)
    (x,) = promote_args_inexact("i0", x)
    if x.dtype.kind != "f":
        raise value_error(f"Unsupported input type to jnp.i0: {x.dtype}")
    ax = lax.abs(x)
    return lax.mul(lax.exp(ax), lax.bessel_i0e(ax))


# ============================================================================= histograms

def histogramdd(sample, bins=10, range: Sequence | None = None, weights=None,
                density: builtins.bool | None = None):
    """Histogram of N points in D dimensions (`sample` of shape (N, D)): (hist, edges)
    with hist of shape (nbins_0, ..., nbins_{D-1}) and a list of D edge arrays.
    `bins` is one int / edge array for every dim, or a sequence of D of them; the last
    bin of each dim is closed on the right; points outside the range are dropped.
    Counts are integers unless weights or density are given (as JAX).

    >>> h, edges = jnp.histogramdd(jnp.array([[0., 0.], [1., 1.], [1., 0.]]), bins=2)
    >>> h
    Array([[1, 0],
           [1, 1]], dtype=int32)
    """
    check_arraylike("histogramdd", sample)
    sample = asarray(sample)
    if weights is None:
        (sample,) = promote_dtypes_inexact(sample)
    else:
        check_arraylike("histogramdd", weights)
        weights = asarray(weights)
        if sample.ndim != 2 or weights.shape != sample.shape[:1]:
            raise value_error(f"jnp.histogramdd: should have one weight for each sample; got "
                              f"weights of shape {weights.shape} for sample of shape "
                              f"{sample.shape}")
        sample, weights = promote_dtypes_inexact(sample, weights)
    if sample.ndim != 2:
        raise value_error(f"jnp.histogramdd: sample must be a 2-D array of shape (N, D), got "
                          f"shape {sample.shape}")
    N, D = sample.shape
    if range is not None and (len(range) != D or builtins.any(
            r is not None and len(r) != 2 for r in range)):
        raise value_error(f"jnp.histogramdd: for sample.shape={(N, D)}, range must be a "
                          f"sequence of {D} pairs or Nones; got range={range!r}")
    try:
        nb = len(bins)
    except TypeError:
        per_dim = [bins] * D
    else:
        if nb != D:
            raise value_error(f"jnp.histogramdd: should be a bin for each dimension; got "
                              f"{nb} bins for {D} dimensions")
        per_dim = list(bins)
    idx, edges = [], []
    for i in builtins.range(D):
        col = lax.reshape(lax.slice_in_dim(sample, i, i + 1, axis=1), (N,))
        e = statistics.histogram_bin_edges(col, per_dim[i], None if range is None else range[i])
        k = e.shape[0]
        j = sorting.searchsorted(e, col, side="right")
        # a value equal to the last edge falls in the last bin (closed on the right)
        last = lax.reshape(lax.slice_in_dim(e, k - 1, k), ())
        j = ufuncs.where(ufuncs.equal(col, last), ufuncs.subtract(j, 1), j)
        idx.append(j)
        edges.append(e)
    # each dim gets an underflow bin 0 and an overflow bin len(edges), trimmed at the end
    ext = tuple(e.shape[0] + 1 for e in edges)
    flat = ravel_multi_index(tuple(idx), ext, mode="clip")
    hist = statistics.bincount(flat, weights, length=math.prod(ext))
    hist = lax.reshape(hist, ext)
    hist = lax.slice(hist, (1,) * D, tuple(s - 1 for s in ext))
    if density:
        hist = lax.convert_element_type(hist, sample.dtype)
        hist = ufuncs.divide(hist, reductions.sum(hist))
        for i, e in enumerate(edges):
            shape = [1] * D
            shape[i] = ext[i] - 2
            hist = ufuncs.divide(hist, lax.reshape(numerical.diff(e), tuple(shape)))
    return hist, edges


def histogram2d(x, y, bins=10, range: Sequence | None = None, weights=None,
                density: builtins.bool | None = None):
    """2-D histogram of points (x[i], y[i]): (hist, x_edges, y_edges). `bins` is an
    int or edge array for both axes, or a pair of them.

    >>> h, xe, ye = jnp.histogram2d(jnp.array([0., 1., 1.]), jnp.array([0., 1., 0.]), bins=2)
    >>> h
    Array([[1, 0],
           [1, 1]], dtype=int32)
    """
    check_arraylike("histogram2d", x, y)
    x, y = asarray(x), asarray(y)
    if x.ndim != 1 or x.shape != y.shape:
        raise value_error(f"jnp.histogram2d: x and y must be 1-D arrays of one length, got "
                          f"shapes {x.shape} and {y.shape}")
    try:
        nb = len(bins)
    except TypeError:
        nb = 1
    if nb not in (1, 2):
        bins = [bins, bins]  # one array of edges, shared by both axes
    x, y = promote_dtypes(x, y)
    sample = manipulation.stack([x, y], axis=1)
    hist, edges = histogramdd(sample, bins, range, weights, density)
    return hist, edges[0], edges[1]


# ============================================================================= bits

def _bitorder(bitorder: str) -> None:
    if bitorder not in ("little", "big"):
        raise value_error(f"'bitorder' must be either 'little' or 'big', got {bitorder!r}")


def _bit_weights(bitorder: str, ndim: int):
    """[1, 2, 4, ..., 128] (little) or reversed (big), as uint8 of rank `ndim`."""
    order = np.arange(8) if bitorder == "little" else np.arange(7, -1, -1)
    w = asarray(np.left_shift(np.uint8(1), order.astype(np.uint8)))
    return lax.reshape(w, (1,) * (ndim - 1) + (8,))


def packbits(a, axis: int | None = None, bitorder: str = "big"):
    """Pack the truth values of an integer/bool array into uint8 bytes along `axis`
    (flattened when None), zero-padding the axis to a multiple of 8.

    >>> jnp.packbits(jnp.array([1, 0, 1, 1, 0, 0, 0, 0, 1]))
    Array([176, 128], dtype=uint8)
    """
    check_arraylike("packbits", a)
    arr = asarray(a)
    if arr.dtype.kind not in "iub":
        raise type_error(f"jnp.packbits: expected an input array of integer or boolean data "
                         f"type, got {arr.dtype.name}")
    _bitorder(bitorder)
    bits = lax.convert_element_type(ufuncs.not_equal(arr, 0), np.uint8)
    if axis is None:
        bits, axis = manipulation.ravel(bits), 0
    axis = _axis(axis, bits.ndim, "packbits")
    bits = move_axis(bits, axis, -1)
    n = bits.shape[-1]
    pad = -n % 8
    if pad:
        bits = lax.pad(bits, lax.full((), 0, np.uint8), [(0, 0, 0)] * (bits.ndim - 1)
                       + [(0, pad, 0)])
    bits = lax.reshape(bits, bits.shape[:-1] + ((n + pad) // 8, 8))
    packed = lax.reduce_sum(lax.mul(bits, _bit_weights(bitorder, bits.ndim)), (bits.ndim - 1,))
    return move_axis(packed, -1, axis)


def unpackbits(a, axis: int | None = None, count: int | None = None, bitorder: str = "big"):
    """Unpack a uint8 array into its bits (0/1 as uint8) along `axis` (flattened when
    None); `count` keeps that many bits (zero-padded if larger; negative drops from
    the end).

    >>> jnp.unpackbits(jnp.array([2], dtype=jnp.uint8))
    Array([0, 0, 0, 0, 0, 0, 1, 0], dtype=uint8)
    """
    check_arraylike("unpackbits", a)
    arr = asarray(a)
    if arr.dtype != np.uint8:
        raise type_error(f"jnp.unpackbits: expected an input array of unsigned byte data type "
                         f"(uint8), got {arr.dtype.name}")
    _bitorder(bitorder)
    if axis is None:
        arr, axis = manipulation.ravel(arr), 0
    axis = _axis(axis, arr.ndim, "unpackbits")
    arr = move_axis(arr, axis, -1)
    x = lax.expand_dims(arr, (arr.ndim,))
    w = _bit_weights(bitorder, x.ndim)
    bits = lax.convert_element_type(lax.ne(lax.bitwise_and(x, w), lax.full((), 0, np.uint8)),
                                    np.uint8)
    bits = lax.reshape(bits, arr.shape[:-1] + (arr.shape[-1] * 8,))
    if count is not None:
        count = _static_int(count, "unpackbits", "count")
        n = bits.shape[-1]
        if count > n:
            bits = lax.pad(bits, lax.full((), 0, np.uint8), [(0, 0, 0)] * (bits.ndim - 1)
                           + [(0, count - n, 0)])
        else:
            stop = len(builtins.range(n)[:count])
            bits = lax.slice_in_dim(bits, 0, stop, axis=bits.ndim - 1)
    return move_axis(bits, -1, axis)


# ============================================================================= unwrap, place

def unwrap(p, discont=None, axis: int = -1, *, period=2 * np.pi):
    """Unwrap a periodic signal: wherever consecutive values along `axis` jump by more
    than `discont` (default period/2), add multiples of `period` to undo the jump.
    Integer input with an integer period stays integer (as NumPy and JAX).

    >>> jnp.unwrap(jnp.array([0.0, 6.0]))
    Array([ 0.      , -0.283185], dtype=float32)
    """
    check_arraylike("unwrap", p)
    p, period = promote_dtypes(asarray(p), period)
    if p.ndim == 0:
        raise value_error("jnp.unwrap needs an array with at least one dimension, got a "
                          "0-d array")
    axis = _axis(axis, p.ndim, "unwrap")
    if p.shape[axis] == 0:
        return p
    integer = p.dtype.kind in "iu"
    half = ufuncs.floor_divide(period, 2) if integer else ufuncs.divide(period, 2)
    if discont is None:
        discont = ufuncs.divide(period, 2)
    dd = numerical.diff(p, axis=axis)
    ddmod = ufuncs.subtract(ufuncs.mod(ufuncs.add(dd, half), period), half)
    # a jump of exactly +period/2 stays +period/2 (mod maps it to -period/2)
    ddmod = ufuncs.where(ufuncs.logical_and(ufuncs.equal(ddmod, ufuncs.negative(half)),
                                            ufuncs.greater(dd, 0)), half, ddmod)
    correct = ufuncs.where(ufuncs.less(ufuncs.abs(dd), discont), 0,
                           ufuncs.subtract(ddmod, dd))
    n = p.shape[axis]
    head = lax.slice_in_dim(p, 0, 1, axis=axis)
    tail = ufuncs.add(lax.slice_in_dim(p, 1, n, axis=axis), reductions.cumsum(correct, axis))
    return manipulation.concatenate([head, tail], axis=axis)


def place(arr, mask, vals, *, inplace: builtins.bool = True):
    """`arr` with the positions where `mask` is true set to `vals` in order (`vals`
    repeated as needed), as np.place but returning the result: pass inplace=False
    (tinyjax arrays are immutable). Traceable: the mask's true count needs no
    concrete value.

    >>> jnp.place(jnp.arange(5), jnp.arange(5) % 2 == 0, jnp.array([9, 8]), inplace=False)
    Array([9, 1, 8, 3, 9], dtype=int32)
    """
    check_arraylike("place", arr, mask, vals)
    data, m, v = asarray(arr), asarray(mask), manipulation.ravel(asarray(vals))
    if inplace:
        raise value_error("jnp.place cannot modify arrays in-place, because tinyjax arrays "
                          "are immutable. Pass inplace=False to instead return an updated "
                          "array.")
    if data.size != m.size:
        raise value_error(f"jnp.place: arr and mask must be the same size, got {data.size} "
                          f"and {m.size}")
    if v.size == 0:
        raise value_error("jnp.place: cannot place values from an empty array")
    if data.size == 0:
        return data
    # positions of the true entries, padded with an out-of-range index that is dropped
    (pos,) = sorting.nonzero(manipulation.ravel(m), size=m.size, fill_value=m.size)
    v = _tile_to_size(v, m.size)
    out = manipulation.ravel(data).at[pos].set(v, mode="drop")
    return lax.reshape(out, data.shape)


# ============================================================================= NumPy wrappers

def _concrete_array(x, fun: str):
    """The NumPy value of x for printing / saving: traced values have none."""
    if isinstance(x, Tracer):
        return _concrete(x, fun, "needs a concrete array (it prints or writes the values); "
                                 "call it outside of traced functions.")
    return x


def array_repr(arr, max_line_width=None, precision=None, suppress_small=None) -> str:
    """NumPy's repr of the concrete array (np.array_repr).

    >>> jnp.array_repr(jnp.arange(3))
    'Array([0, 1, 2], dtype=int32)'
    """
    return np.array_repr(_concrete_array(arr, "array_repr"), max_line_width, precision,
                         suppress_small)


def array_str(a, max_line_width=None, precision=None, suppress_small=None) -> str:
    """NumPy's str of the concrete array (np.array_str).

    >>> jnp.array_str(jnp.arange(3.0))
    '[0. 1. 2.]'
    """
    return np.array_str(_concrete_array(a, "array_str"), max_line_width, precision,
                        suppress_small)


printoptions = np.printoptions
get_printoptions = np.get_printoptions
set_printoptions = np.set_printoptions


def save(file, arr, allow_pickle: builtins.bool = True) -> None:
    """Write a concrete array to a .npy file (np.save).

    >>> jnp.save("x.npy", jnp.arange(3))  # doctest: +SKIP
    """
    np.save(file, np.asarray(_concrete_array(arr, "save")), allow_pickle=allow_pickle)


def savez(file, *args, **kwds) -> None:
    """Write concrete arrays to an uncompressed .npz archive (np.savez).

    >>> jnp.savez("xy.npz", x=jnp.arange(3), y=jnp.ones(2))  # doctest: +SKIP
    """
    args = [np.asarray(_concrete_array(a, "savez")) for a in args]
    kwds = {k: np.asarray(_concrete_array(a, "savez")) if is_array(a) else a
            for k, a in kwds.items()}
    np.savez(file, *args, **kwds)


def load(file, *args, **kwargs):
    """Read a .npy file as a tinyjax array (np.load); .npz archives and dtypes tinyjax
    does not support come back as NumPy returns them (as JAX).

    >>> jnp.load("x.npy")  # doctest: +SKIP
    Array([0, 1, 2], dtype=int32)
    """
    out = np.load(file, *args, **kwargs)
    if isinstance(out, np.ndarray):
        try:
            return asarray(out)
        except TypeError:
            return out
    return out


def fromstring(string: str, dtype=float, count: int = -1, *, sep: str):
    """A 1-D array from text data (np.fromstring with a required `sep`).

    >>> jnp.fromstring("1 2 3", dtype=int, sep=" ")
    Array([1, 2, 3], dtype=int32)
    """
    return asarray(np.fromstring(string, dtype=dtype, count=count, sep=sep))


def fromfile(file, dtype=float, count: int = -1, sep: str = "", offset: int = 0):
    """A 1-D array from a binary or text file (np.fromfile, then asarray). Reading a
    file is a side effect: do not call it inside traced functions.

    >>> jnp.fromfile("x.bin", dtype=jnp.float32)  # doctest: +SKIP
    """
    return asarray(np.fromfile(file, dtype=dtype, count=count, sep=sep, offset=offset))


class _PyFuncUfunc:
    """What jnp.frompyfunc returns: calling it applies the Python function to each
    element of the broadcast (concrete) inputs, passed as 0-d arrays, and stacks the
    results. JAX builds this on vectorize (vmap), which tinyjax does not have yet, so
    traced inputs raise ConcretizationTypeError."""

    def __init__(self, func: Callable, nin: int, nout: int, identity=None):
        self.func = func
        self.nin = operator.index(nin)
        self.nout = operator.index(nout)
        self.identity = identity
        self.__name__ = getattr(func, "__name__", type(func).__name__)
        self.__doc__ = getattr(func, "__doc__", None)

    def __repr__(self):
        return f"<jnp.ufunc '{self.__name__}'>"

    def __call__(self, *args, out=None, where=None):
        check_out(self.__name__, out)
        if where is not None:
            raise NotImplementedError(f"jnp.ufunc '{self.__name__}': where= is not supported")
        if len(args) != self.nin:
            raise type_error(f"jnp.ufunc '{self.__name__}' takes {self.nin} positional "
                             f"arguments, got {len(args)}")
        check_arraylike(self.__name__, *args)
        arrs = [asarray(a) for a in args]
        vals = []
        for a in arrs:
            v = a.to_concrete_value()
            if v is None:
                raise ConcretizationTypeError(
                    a, f"jnp.frompyfunc({self.__name__}) calls the Python function on each "
                       f"element, so it needs concrete inputs (tinyjax has no vmap yet). ")
            vals.append(np.asarray(v))
        shape = manipulation.broadcast_shapes(*(a.shape for a in arrs))
        vals = [np.broadcast_to(v, shape) for v in vals]
        weak = [a.weak_type for a in arrs]

        def call(idx):
            elems = [Array(np.array(v[idx], dtype=v.dtype), w) for v, w in zip(vals, weak)]
            r = _as_tuple(self.func(*elems), self.nout)
            if len(r) != self.nout:
                raise value_error(f"jnp.ufunc '{self.__name__}' expected {self.nout} outputs, "
                                  f"got {len(r)}")
            return [asarray(o) for o in r]

        if math.prod(shape) == 0:
            # no element to call the function on: its dtypes come from zero elements
            zeros = [Array(np.zeros((), v.dtype), w) for v, w in zip(vals, weak)]
            probe = [asarray(o) for o in _as_tuple(self.func(*zeros), self.nout)]
            outs = [lax.full(shape + o.shape, 0, o.dtype) for o in probe]
        else:
            results = [call(idx) for idx in np.ndindex(*shape)]
            outs = []
            for j in builtins.range(self.nout):
                col = promote_dtypes(*(r[j] for r in results))
                data = np.stack([np.asarray(c) for c in col]).reshape(shape + col[0].shape)
                outs.append(Array(data, col[0].weak_type))
        return outs[0] if self.nout == 1 else tuple(outs)

    def outer(self, A, B, /):
        """func applied to every pair (A[i...], B[j...]): shape A.shape + B.shape."""
        if self.nin != 2:
            raise value_error(f"jnp.ufunc '{self.__name__}'.outer needs a two-argument "
                              f"function, got nin={self.nin}")
        check_arraylike("outer", A, B)
        A, B = asarray(A), asarray(B)
        return self(lax.reshape(A, A.shape + (1,) * B.ndim), B)


def _as_tuple(r, nout: int) -> tuple:
    return (r,) if nout == 1 else tuple(r)


def frompyfunc(func: Callable, /, nin: int, nout: int, *, identity=None) -> _PyFuncUfunc:
    """A ufunc-like object applying the Python function `func` (of `nin` arguments and
    `nout` results) elementwise, with broadcasting; `.outer` works too. Inputs must be
    concrete (JAX maps with vmap, which tinyjax does not have yet).

    >>> add = jnp.frompyfunc(lambda x, y: x + y, 2, 1)
    >>> add(jnp.arange(3), 1)
    Array([1, 2, 3], dtype=int32)
    """
    if not callable(func):
        raise type_error(f"jnp.frompyfunc: func must be callable, got {func!r}")
    return _PyFuncUfunc(func, nin, nout, identity)
