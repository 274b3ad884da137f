"""jnp.pad: every NumPy padding mode (constant, edge, reflect, symmetric, wrap,
linear_ramp, maximum, minimum, mean, median), in terms of lax."""
from __future__ import annotations

import builtins

import numpy as np

from .. import lax
from ..lax._base import type_error, value_error
from ._convert import asarray, check_arraylike
from .creation import broadcast_to, linspace
from .manipulation import (
    _concrete,
    _jnp,
    _slice_axis,
)

__all__ = [
    "pad",
]


# ============================================================================= pad

def _pad_pairs(fun: str, arg: str, value, nd: int, integral: bool = True):
    """NumPy's broadcasting of a pad-like argument to one (before, after) pair per axis."""
    if integral:
        v = _concrete(value, fun, f"needs a static {arg} (it fixes the output shape).")
        if v.dtype.kind not in "iu":
            raise type_error(f"`{arg}` must be of integral type.")
        v = v.astype(np.int64)
        shp = v.shape
        if shp in ((), (1,), (2,), (1, 2), (nd, 2)) or (shp == (nd, 1)):
            return [tuple(int(e) for e in row) for row in np.broadcast_to(v, (nd, 2))]
        raise value_error(f"jnp.{fun}: {arg} with nd={nd} has unsupported shape {shp}. Valid "
                          f"shapes are ({nd}, 2), (1, 2), (2,), (1,), or ().")
    # values (possibly traced arrays): same broadcasting, entries kept as objects
    if isinstance(value, (list, tuple)) and any(isinstance(e, (list, tuple)) for e in value):
        rows = [tuple(r) if isinstance(r, (list, tuple)) else (r,) for r in value]
        if len(rows) == 1:
            rows = rows * nd
        if len(rows) != nd or any(len(r) not in (1, 2) for r in rows):
            raise value_error(f"jnp.{fun}: {arg} has an unsupported structure {value!r} for "
                              f"an array of rank {nd}")
        return [(r[0], r[-1]) for r in rows]
    if isinstance(value, (list, tuple)):
        if len(value) == 1:
            return [(value[0], value[0])] * nd
        if len(value) == 2:
            return [(value[0], value[1])] * nd
        raise value_error(f"jnp.{fun}: {arg} has an unsupported structure {value!r}")
    arr = asarray(value)
    if arr.ndim == 0:
        return [(arr, arr)] * nd
    if arr.shape in ((1,), (2,), (1, 2), (nd, 2), (nd, 1), (1, 1)):
        b = broadcast_to(arr, (nd, 2))
        return [(b[i, 0], b[i, 1]) for i in range(nd)]
    raise value_error(f"jnp.{fun}: {arg} of shape {arr.shape} is not valid for an array of "
                      f"rank {nd}")


def _scalar_of(v, dtype):
    """A pad value converted to the array's dtype (floats into ints truncate, as JAX)."""
    x = asarray(v)
    if x.ndim != 0:
        raise value_error(f"jnp.pad: pad values must be scalars, got shape {x.shape}")
    if x.dtype != dtype or x.weak_type:
        x = lax.convert_element_type(x, dtype)
    return x


def _pad_constant(x, widths, values):
    nd = x.ndim
    if all(w == (0, 0) for w in widths):
        return x
    vals = [(_scalar_of(b, x.dtype), _scalar_of(a, x.dtype)) for b, a in values]
    uniform = all(b is vals[0][0] and a is vals[0][0] for b, a in vals)
    if uniform:
        return lax.pad(x, vals[0][0], [(lo, hi, 0) for lo, hi in widths])
    for ax in range(nd):
        lo, hi = widths[ax]
        cfg = [(0, 0, 0)] * nd
        if lo:
            cfg[ax] = (lo, 0, 0)
            x = lax.pad(x, vals[ax][0], cfg)
        if hi:
            cfg[ax] = (0, hi, 0)
            x = lax.pad(x, vals[ax][1], cfg)
    return x


def _repeat_along(piece, axis: int, count: int):
    shp = list(piece.shape)
    shp[axis] = count
    return lax.broadcast_in_dim(piece, tuple(shp), tuple(range(piece.ndim)))


def _check_nonempty(x, ax, lo, hi, mode):
    if x.shape[ax] == 0 and (lo or hi):
        raise value_error(f"Cannot apply '{mode}' padding to empty axis")


def _pad_edge(x, widths):
    for ax, (lo, hi) in enumerate(widths):
        _check_nonempty(x, ax, lo, hi, "edge")
        n = x.shape[ax]
        parts = []
        if lo:
            parts.append(_repeat_along(_slice_axis(x, ax, 0, 1), ax, lo))
        parts.append(x)
        if hi:
            parts.append(_repeat_along(_slice_axis(x, ax, n - 1, n), ax, hi))
        x = lax.concatenate(parts, ax) if len(parts) > 1 else x
    return x


def _pad_wrap(x, widths):
    for ax, (lo, hi) in enumerate(widths):
        _check_nonempty(x, ax, lo, hi, "wrap")
        n = x.shape[ax]
        if not (lo or hi):
            continue
        before = -(-lo // n)
        after = -(-hi // n)
        y = lax.concatenate([x] * (before + 1 + after), ax)
        start = before * n - lo
        x = _slice_axis(y, ax, start, start + lo + n + hi)
    return x


def _pad_reflect(x, widths, symmetric: bool, odd: bool):
    """NumPy's reflect/symmetric padding: reflections of the growing array, one
    chunk (at most one period of the original) per step, so large pads repeat."""
    mode = "symmetric" if symmetric else "reflect"
    for ax, (lo, hi) in enumerate(widths):
        _check_nonempty(x, ax, lo, hi, mode)
        period = x.shape[ax]
        if not (lo or hi):
            continue
        if period == 1 and not symmetric:
            x = _pad_edge(x, [(lo, hi) if i == ax else (0, 0) for i in range(x.ndim)])
            continue
        eo = 1 if symmetric else 0
        cur = x
        while lo > 0 or hi > 0:
            n = cur.shape[ax]
            if symmetric:
                span = n // period * period
            else:
                span = (n - 1) // (period - 1) * (period - 1)
            parts = []
            if lo > 0:
                c = builtins.min(span, lo)
                chunk = lax.rev(_slice_axis(cur, ax, 1 - eo, 1 - eo + c), (ax,))
                if odd:
                    edge = _repeat_along(_slice_axis(cur, ax, 0, 1), ax, c)
                    chunk = lax.sub(lax.add(edge, edge), chunk)
                parts.append(chunk)
                lo -= c
            parts.append(cur)
            if hi > 0:
                c = builtins.min(span, hi)
                stop = n - 1 + eo
                chunk = lax.rev(_slice_axis(cur, ax, stop - c, stop), (ax,))
                if odd:
                    edge = _repeat_along(_slice_axis(cur, ax, n - 1, n), ax, c)
                    chunk = lax.sub(lax.add(edge, edge), chunk)
                parts.append(chunk)
                hi -= c
            cur = lax.concatenate(parts, ax)
        x = cur
    return x


def _pad_linear_ramp(x, widths, end_values):
    for ax, (lo, hi) in enumerate(widths):
        n = x.shape[ax]
        if not (lo or hi):
            continue
        _check_nonempty(x, ax, lo, hi, "linear_ramp")
        parts = []
        for width, end, edge_at in ((lo, end_values[ax][0], 0), (hi, end_values[ax][1], n - 1)):
            if not width:
                parts.append(None)
                continue
            edge = lax.squeeze(_slice_axis(x, ax, edge_at, edge_at + 1), (ax,))
            ramp = linspace(end, edge, width, endpoint=False, dtype=x.dtype, axis=ax)
            if ramp.weak_type != x.weak_type:
                ramp = lax.convert_element_type_p.bind(ramp, new_dtype=x.dtype,
                                                       weak_type=x.weak_type)
            parts.append(ramp)
        pieces = ([parts[0]] if parts[0] is not None else []) + [x] + \
            ([lax.rev(parts[1], (ax,))] if parts[1] is not None else [])
        x = lax.concatenate(pieces, ax)
    return x


def _pad_stats(x, widths, stat: str, stat_length):
    jnp = _jnp()
    func = {"maximum": jnp.max, "minimum": jnp.min, "mean": jnp.mean,
            "median": jnp.median}[stat]
    nd = x.ndim
    if stat_length is None:
        lengths = [(None, None)] * nd
    else:
        lengths = _pad_pairs("pad", "stat_length", stat_length, nd)
        if any(v < 0 for pair in lengths for v in pair):
            raise value_error("index can't contain negative values")
    for ax, (lo, hi) in enumerate(widths):
        n = x.shape[ax]
        if n == 0 and stat in ("maximum", "minimum"):
            raise value_error(f"zero-size array to reduction operation "
                              f"{stat[:3]} which has no identity")
        if not (lo or hi):
            continue
        parts = []
        for width, length, from_end in ((lo, lengths[ax][0], False),
                                        (hi, lengths[ax][1], True)):
            if not width:
                continue
            ln = n if length is None else builtins.min(length, n)
            if ln == 0:
                raise value_error("stat_length of 0 yields no value for padding")
            region = _slice_axis(x, ax, n - ln, n) if from_end else _slice_axis(x, ax, 0, ln)
            v = func(region, axis=ax, keepdims=True)
            if x.dtype.kind in "iu" and v.dtype.kind == "f":
                v = jnp.round(v)
            if v.dtype != x.dtype or v.weak_type != x.weak_type:
                v = lax.convert_element_type_p.bind(v, new_dtype=x.dtype,
                                                    weak_type=x.weak_type)
            parts.append((from_end, _repeat_along(v, ax, width)))
        pieces = [p for e, p in parts if not e] + [x] + [p for e, p in parts if e]
        x = lax.concatenate(pieces, ax)
    return x


_PAD_KWARGS = {
    "constant": {"constant_values"}, "empty": set(), "edge": set(), "wrap": set(),
    "reflect": {"reflect_type"}, "symmetric": {"reflect_type"},
    "linear_ramp": {"end_values"}, "maximum": {"stat_length"}, "minimum": {"stat_length"},
    "mean": {"stat_length"}, "median": {"stat_length"},
}


def pad(array, pad_width, mode: str = "constant", **kwargs):
    """Pad an array, as numpy.pad. `pad_width` (static) is one int, a (before, after)
    pair, or one pair per axis. Modes: constant (constant_values), empty, edge,
    wrap, reflect and symmetric (reflect_type 'even'/'odd'), linear_ramp
    (end_values), maximum, minimum, mean, median (stat_length).

    >>> pad(jnp.array([1, 2, 3]), (1, 2), mode="edge")  # doctest: +SKIP
    Array([1, 1, 2, 3, 3, 3], dtype=int32)
    """
    check_arraylike("pad", array)
    x = asarray(array)
    if callable(mode):
        raise NotImplementedError("jnp.pad: callable modes are not supported by tinyjax")
    if mode not in _PAD_KWARGS:
        raise NotImplementedError(f"Unimplemented padding mode '{mode}' for np.pad.")
    extra = set(kwargs) - _PAD_KWARGS[mode]
    if extra:
        raise value_error(f"unsupported keyword arguments for mode '{mode}': {extra}")
    widths = _pad_pairs("pad", "pad_width", pad_width, x.ndim)
    if any(v < 0 for pair in widths for v in pair):
        raise value_error("index can't contain negative values")
    if x.ndim == 0:
        return x
    if mode in ("constant", "empty"):
        values = _pad_pairs("pad", "constant_values", kwargs.get("constant_values", 0),
                            x.ndim, integral=False)
        return _pad_constant(x, widths, values)
    if mode == "edge":
        return _pad_edge(x, widths)
    if mode == "wrap":
        return _pad_wrap(x, widths)
    if mode in ("reflect", "symmetric"):
        rtype = kwargs.get("reflect_type", "even")
        if rtype not in ("even", "odd"):
            raise value_error(f"jnp.pad: reflect_type must be 'even' or 'odd', got {rtype!r}")
        return _pad_reflect(x, widths, mode == "symmetric", rtype == "odd")
    if mode == "linear_ramp":
        ends = _pad_pairs("pad", "end_values", kwargs.get("end_values", 0), x.ndim,
                          integral=False)
        return _pad_linear_ramp(x, widths, ends)
    return _pad_stats(x, widths, mode, kwargs.get("stat_length"))
