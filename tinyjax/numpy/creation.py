"""Array creation: zeros, ones, full, arange, linspace, eye, tri, meshgrid, ..."""
from __future__ import annotations

import math
import operator

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.trace import Tracer
from ..lax._base import canonical_shape, type_error, value_error
from ._convert import asarray, promote_args_inexact


def _dtype(dtype, default=None):
    if dtype is None:
        return default if default is not None else dtypes.default_float_dtype()
    return dtypes.canonicalize_dtype(dtype)


def zeros(shape, dtype=None, *, device=None):
    """An array of zeros.

    >>> zeros((2,))  # doctest: +SKIP
    Array([0., 0.], dtype=float32)
    """
    return lax.full(canonical_shape(shape), 0, _dtype(dtype))


def ones(shape, dtype=None, *, device=None):
    """An array of ones."""
    return lax.full(canonical_shape(shape), 1, _dtype(dtype))


def empty(shape, dtype=None, *, device=None):
    """An array of zeros (tinyjax arrays are never uninitialized)."""
    return zeros(shape, dtype)


def full(shape, fill_value, dtype=None, *, device=None):
    """An array filled with fill_value (broadcast to shape)."""
    shape = canonical_shape(shape)
    fill = asarray(fill_value, dtype)
    if fill.ndim == 0:
        return lax.full(shape, fill) if dtype is None else lax.full(shape, fill, _dtype(dtype))
    return broadcast_to(fill, shape)


def broadcast_to(array, shape):
    """Broadcast an array to a shape, NumPy-style."""
    x = asarray(array)
    shape = canonical_shape(shape)
    if x.shape == shape:
        return x
    if len(shape) < x.ndim:
        raise value_error(f"Cannot broadcast array of shape {x.shape} to shape {shape}: "
                          f"target has fewer dimensions")
    lead = len(shape) - x.ndim
    for i, d in enumerate(x.shape):
        if d != 1 and d != shape[lead + i]:
            raise value_error(f"Incompatible shapes for broadcasting: {x.shape} and "
                              f"requested shape {shape}")
    keep = tuple(i for i, d in enumerate(x.shape) if d == shape[lead + i])
    if len(keep) != x.ndim:
        x = lax.reshape(x, tuple(x.shape[i] for i in keep))
    return lax.broadcast_in_dim(x, shape, tuple(lead + i for i in keep))


def _like_shape(a, shape):
    return np.shape(a) if shape is None else canonical_shape(shape)


def _like_dtype(a, dtype):
    if dtype is not None:
        return dtypes.canonicalize_dtype(dtype)
    return dtypes.dtype_and_weak(a)[0] if not hasattr(a, "dtype") else \
        dtypes.canonicalize_dtype(a.dtype)


def _like_weak(a, dtype):
    return dtype is None and dtypes.is_weakly_typed(a)


def full_like(a, fill_value, dtype=None, shape=None, *, device=None):
    """An array like `a` (shape and dtype) filled with fill_value."""
    if hasattr(fill_value, "ndim") and fill_value.ndim:
        return broadcast_to(asarray(fill_value, _like_dtype(a, dtype)), _like_shape(a, shape))
    out = lax.full(_like_shape(a, shape), fill_value, _like_dtype(a, dtype))
    if _like_weak(a, dtype):
        out = lax.convert_element_type_p.bind(out, new_dtype=out.dtype, weak_type=True)
    return out


def zeros_like(a, dtype=None, shape=None, *, device=None):
    """Zeros with the shape and dtype of `a`."""
    return full_like(a, 0, dtype, shape)


def ones_like(a, dtype=None, shape=None, *, device=None):
    """Ones with the shape and dtype of `a`."""
    return full_like(a, 1, dtype, shape)


def empty_like(prototype, dtype=None, shape=None, *, device=None):
    """Zeros with the shape and dtype of `prototype`."""
    return full_like(prototype, 0, dtype, shape)


def _concrete(x, what):
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        if v is None:
            from ..core.errors import ConcretizationTypeError
            raise ConcretizationTypeError(
                x, f"jnp.{what} requires concrete (static) bounds because they fix the output "
                   f"shape. ")
        return v
    return x


def arange(start, stop=None, step=None, dtype=None, *, device=None):
    """Evenly spaced values in [start, stop) (static bounds).

    >>> arange(4)  # doctest: +SKIP
    Array([0, 1, 2, 3], dtype=int32)
    """
    start = _concrete(start, "arange")
    stop = _concrete(stop, "arange")
    step = _concrete(step, "arange")
    if stop is None and step is None:
        start, stop, step = 0, start, 1
    elif step is None:
        step = 1
    vals = [np.asarray(v) for v in (start, stop, step)]
    if dtype is None:
        dt = dtypes.result_type(*[v.item() if v.ndim == 0 else v for v in vals])
        if any(v.dtype.kind == "f" for v in vals):
            dt = dtypes.default_float_dtype() if dt.kind != "f" else dt
    else:
        dt = _dtype(dtype)
    if step == 0:
        raise value_error("jnp.arange: step must not be zero")
    start_v, stop_v, step_v = (float(v) if v.dtype.kind == "f" else int(v) for v in vals)
    n = max(0, math.ceil((stop_v - start_v) / step_v))
    if dt.kind in "iu" and all(isinstance(v, int) for v in (start_v, stop_v, step_v)):
        out = lax.iota(dt, n)
        if step_v != 1:
            out = lax.mul(out, lax.full((), step_v, dt))
        if start_v != 0:
            out = lax.add(out, lax.full((), start_v, dt))
        return out
    # float ranges: computed like NumPy (start + i * step) in the output dtype
    return asarray(np.arange(start_v, stop_v, step_v).astype(dt) if n else np.zeros(0, dt), dt)


def linspace(start, stop, num: int = 50, endpoint: bool = True, retstep: bool = False,
             dtype=None, axis: int = 0, *, device=None):
    """`num` evenly spaced samples over [start, stop] (start/stop may be arrays)."""
    num = operator.index(_concrete(num, "linspace"))
    if num < 0:
        raise value_error(f"Number of samples, {num}, must be non-negative.")
    s, e = promote_args_inexact("linspace", start, stop)
    dt = _dtype(dtype, s.dtype)
    compute = np.dtype(np.float64) if dtypes.canonicalize_dtype(np.float64) == np.float64 \
        else s.dtype
    s = lax.convert_element_type(s, compute)
    e = lax.convert_element_type(e, compute)
    bshape = np.broadcast_shapes(s.shape, e.shape)
    s = broadcast_to(s, bshape)
    e = broadcast_to(e, bshape)
    div = (num - 1) if endpoint else num
    out_shape = bshape + (num,)
    nd = len(bshape)
    iota = lax.broadcast_in_dim(lax.iota(compute, num), out_shape, (nd,))
    sb = lax.broadcast_in_dim(s, out_shape, tuple(range(nd)))
    eb = lax.broadcast_in_dim(e, out_shape, tuple(range(nd)))
    if div > 0:
        step = lax.div(lax.sub(eb, sb), lax.full(out_shape, div, compute))
        out = lax.add(sb, lax.mul(iota, step))
        if endpoint and num > 1:
            last = lax.eq(iota, lax.full(out_shape, num - 1, compute))
            out = lax.select(last, eb, out)
        step_out = lax.div(lax.sub(e, s), lax.full(bshape, div, compute))
    else:
        out = sb
        step_out = lax.full(bshape, np.nan, compute)
    axis = axis % (nd + 1)
    if axis != nd:
        perm = list(range(nd))
        perm.insert(axis, nd)
        out = lax.transpose(out, tuple(perm))
    if dt.kind in "iu":
        out = lax.floor(out)
    out = lax.convert_element_type(out, dt)
    if retstep:
        return out, lax.convert_element_type(step_out, dt)
    return out


def logspace(start, stop, num: int = 50, endpoint: bool = True, base=10.0, dtype=None,
             axis: int = 0):
    """base ** linspace(start, stop, num)."""
    lin = linspace(start, stop, num, endpoint, dtype=None, axis=axis)
    b = asarray(base, lin.dtype)
    out = lax.pow(lax.full_like(lin, b) if b.ndim == 0 else b, lin)
    return out if dtype is None else lax.convert_element_type(out, _dtype(dtype))


def geomspace(start, stop, num: int = 50, endpoint: bool = True, dtype=None, axis: int = 0):
    """Numbers spaced evenly on a log scale (a geometric progression)."""
    s, e = promote_args_inexact("geomspace", start, stop)
    sign = lax.sign(s)
    ls = lax.log(lax.abs(s))
    le = lax.log(lax.abs(e))
    out = lax.exp(linspace(ls, le, num, endpoint, axis=axis))
    sign = lax.expand_dims(sign, (axis % out.ndim,)) if sign.ndim else sign
    out = lax.mul(out, broadcast_to(sign, out.shape))
    return out if dtype is None else lax.convert_element_type(out, _dtype(dtype))


def eye(N: int, M: int | None = None, k: int = 0, dtype=None, *, device=None):
    """A 2-D array with ones on the k-th diagonal."""
    N = operator.index(N)
    M = N if M is None else operator.index(M)
    k = operator.index(_concrete(k, "eye"))
    if N < 0 or M < 0:
        raise value_error(f"negative dimensions are not allowed, got N={N}, M={M}")
    dt = _dtype(dtype)
    r = lax.broadcasted_iota(np.dtype(np.int32), (N, M), 0)
    c = lax.broadcasted_iota(np.dtype(np.int32), (N, M), 1)
    return lax.convert_element_type(lax.eq(lax.add(r, lax.full((N, M), k, np.int32)), c), dt)


def identity(n: int, dtype=None):
    """The n x n identity matrix."""
    return eye(n, dtype=dtype)


def tri(N: int, M: int | None = None, k: int = 0, dtype=None):
    """Ones at and below the k-th diagonal."""
    M = N if M is None else M
    dt = _dtype(dtype)
    r = lax.broadcasted_iota(np.dtype(np.int32), (N, M), 0)
    c = lax.broadcasted_iota(np.dtype(np.int32), (N, M), 1)
    return lax.convert_element_type(lax.ge(lax.add(r, lax.full((N, M), k, np.int32)), c), dt)


def _tri_mask(x, k, lower):
    if x.ndim < 2:
        raise value_error(f"{'tril' if lower else 'triu'} requires an array of rank >= 2, "
                          f"got shape {x.shape}")
    n, m = x.shape[-2:]
    mask = tri(n, m, k if lower else k - 1, bool)
    if not lower:
        mask = lax.bitwise_not(mask)
    mask = lax.broadcast_in_dim(mask, x.shape, (x.ndim - 2, x.ndim - 1))
    return lax.select(mask, x, lax.full_like(x, 0))


def tril(m, k: int = 0):
    """Lower triangle of (the last two axes of) m."""
    return _tri_mask(asarray(m), k, True)


def triu(m, k: int = 0):
    """Upper triangle of (the last two axes of) m."""
    return _tri_mask(asarray(m), k, False)


def meshgrid(*xi, copy: bool = True, sparse: bool = False, indexing: str = "xy"):
    """Coordinate matrices from coordinate vectors."""
    if indexing not in ("xy", "ij"):
        raise value_error(f"Valid values for indexing are 'xy' and 'ij', got {indexing!r}")
    args = [asarray(x) for x in xi]
    for a in args:
        if a.ndim != 1:
            raise value_error(f"meshgrid requires 1-D arguments, got shape {a.shape}")
    shape = [a.shape[0] for a in args]
    if indexing == "xy" and len(args) >= 2:
        shape[0], shape[1] = shape[1], shape[0]
    out = []
    for i, a in enumerate(args):
        j = i
        if indexing == "xy" and len(args) >= 2 and i < 2:
            j = 1 - i
        if sparse:
            s = [1] * len(args)
            s[j] = a.shape[0]
            out.append(lax.reshape(a, tuple(s)))
        else:
            out.append(lax.broadcast_in_dim(a, tuple(shape), (j,)))
    return out


def indices(dimensions, dtype=None, sparse: bool = False):
    """An array representing the indices of a grid."""
    dimensions = canonical_shape(dimensions)
    dt = _dtype(dtype, dtypes.default_int_dtype())
    n = len(dimensions)
    out = []
    for i, d in enumerate(dimensions):
        if sparse:
            s = [1] * n
            s[i] = d
            out.append(lax.reshape(lax.iota(dt, d), tuple(s)))
        else:
            out.append(lax.broadcasted_iota(dt, dimensions, i))
    if sparse:
        return tuple(out)
    if not out:
        return zeros((0,), dt)
    return lax.concatenate([lax.expand_dims(o, (0,)) for o in out], 0)


def copy(a, order=None):
    """A copy of a (arrays are immutable, so the same values)."""
    return asarray(a) if not hasattr(a, "copy") else asarray(a).copy() \
        if not isinstance(a, Tracer) else a


def frombuffer(buffer, dtype=float, count: int = -1, offset: int = 0):
    """An array from a bytes buffer (a copy)."""
    return asarray(np.frombuffer(buffer, dtype=dtype, count=count, offset=offset))


def fromfunction(function, shape, *, dtype=float, **kwargs):
    """function(*indices(shape)) evaluated once on index arrays."""
    shape = canonical_shape(shape)
    idx = [lax.broadcasted_iota(_dtype(dtype), shape, i) for i in range(len(shape))]
    return function(*idx, **kwargs)


def fromiter(*args, **kwargs):
    raise type_error("jnp.fromiter is not supported (arrays are built from static data); "
                     "use jnp.asarray(np.fromiter(...)) instead")


def from_dlpack(x, *, device=None, copy=None):
    """An array from an object supporting the DLPack protocol (a copy on CPU)."""
    return asarray(np.from_dlpack(x))
