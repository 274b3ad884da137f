"""Numerical calculus on arrays: finite differences, gradients, the trapezoid rule,
1-D convolution/correlation and linear interpolation (JAX semantics, in lax)."""
# `sum`, `max`, ... below are tinyjax.numpy reductions; Python's are `builtins.*`.
from __future__ import annotations

import builtins
from typing import Sequence

import numpy as np

from .. import lax
from ..core import dtypes
from ..lax._base import type_error, value_error
from . import ufuncs
from ._convert import (
    asarray,
    check_arraylike,
    move_axis,
    promote_dtypes,
)
from .reductions import (
    _axes,
    _canon_axis,
    _concat,
    _convert,
    _promote_inexact,
    _slice,
    _static_index,
    _take1d,
    sum,
)
from .statistics import _searchsorted

__all__ = [
    "convolve", "correlate", "diff", "ediff1d", "gradient", "interp", "trapezoid",
]


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
