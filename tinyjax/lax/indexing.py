"""Slicing and indexing primitives: static slices, dynamic (traced-start) slices
and updates, and XLA's general gather / scatter.

Out-of-bounds behaviour follows XLA and JAX, and no implementation here ever
reads or writes outside its operand, whatever the indices:

- `slice` takes static, validated bounds.
- `dynamic_slice` / `dynamic_update_slice` clamp each start index into
  `[0, dim - size]`, so the window always fits.
- `gather` clamps the start of each window (modes CLIP and PROMISE_IN_BOUNDS)
  or returns `fill_value` for every window that does not fit (FILL_OR_DROP).
- the scatters clamp (CLIP) or drop every update window that does not fit
  (FILL_OR_DROP and PROMISE_IN_BOUNDS, as XLA does).

Duplicate scatter indices combine with the scatter's operation (`np.add.at`
etc.); for plain `scatter` the last update in row-major order of the updates
wins, deterministically.

Each primitive's JVP and transpose rules follow its definition. They are JAX's
(the same primitives in the same modes), so derivatives at out-of-bounds or
duplicate indices are JAX's too: e.g. the transpose of a PROMISE_IN_BOUNDS
gather is a scatter-add that drops what the gather clamped.
"""
from __future__ import annotations

import dataclasses
import enum
import operator

import numpy as np

from ..core import dtypes
from ..core.array import Array
from ..core.trace import Tracer
from ..interpreters.ad import (
    Zero,
    defjvp,
    deflinear,
    instantiate,
    is_undefined_primal,
    jvp_rules,
    transpose_rules,
)
from ..interpreters.batching import batching_rules, bdim_at_front, matchaxis, moveaxis, not_mapped
from . import elementwise as _ew
from ._base import (
    asarray,
    aval,
    canonical_axis,
    def_primitive,
    dtype_str,
    type_error,
    value_error,
)
from .shapes import (
    broadcast_in_dim,
    concatenate,
    expand_dims,
    full,
    iota,
    pad,
    reshape,
    squeeze,
)

__all__ = [
    'GatherDimensionNumbers',
    'GatherScatterMode',
    'ScatterDimensionNumbers',
    'dynamic_index_in_dim',
    'dynamic_slice',
    'dynamic_slice_in_dim',
    'dynamic_slice_p',
    'dynamic_update_index_in_dim',
    'dynamic_update_slice',
    'dynamic_update_slice_in_dim',
    'dynamic_update_slice_p',
    'gather',
    'gather_p',
    'index_in_dim',
    'scatter',
    'scatter_add',
    'scatter_add_p',
    'scatter_max',
    'scatter_max_p',
    'scatter_min',
    'scatter_min_p',
    'scatter_mul',
    'scatter_mul_p',
    'scatter_p',
    'scatter_sub',
    'scatter_sub_p',
    'slice',
    'slice_in_dim',
    'slice_p',
]

_slice_builtin = slice  # `slice` below is the lax function


def _int_tuple(seq, what: str) -> tuple:
    out = []
    for v in seq:
        if isinstance(v, Tracer):
            raise type_error(f"{what} must be static Python ints, got a traced value {v.aval.str_short()}")
        try:
            out.append(operator.index(v))
        except TypeError:
            raise type_error(f"{what} must be a sequence of integers, got {tuple(seq)!r}") from None
    return tuple(out)


def _zero_scalar(dtype) -> Array:
    return Array(np.zeros((), dtype), False)


def _scalar_like(x, v) -> Array:
    return Array(np.array(v, x.dtype), False)


# ============================================================================= slice

def _slice_rule(operand, *, start_indices, limit_indices, strides):
    shape = operand.shape
    n = len(shape)
    if len(start_indices) != n:
        raise type_error(
            f"slice start_indices must have length equal to the number of dimensions of the "
            f"operand, got start_indices {start_indices} for operand shape {shape}.")
    if len(limit_indices) != n:
        raise type_error(
            f"slice limit_indices must have the same length as start_indices, got "
            f"start_indices {start_indices} and limit_indices {limit_indices}.")
    if any(s < 0 for s in start_indices):
        raise type_error(
            f"slice start_indices must have every element be nonnegative, got {start_indices}.")
    if any(lim > d for lim, d in zip(limit_indices, shape)):
        raise type_error(
            f"slice limit_indices must be less than or equal to operand shape, got "
            f"limit_indices {limit_indices} for operand shape {shape}.")
    if any(lim < s for s, lim in zip(start_indices, limit_indices)):
        raise type_error(
            f"slice limit_indices must be greater than or equal to start_indices, got "
            f"start_indices {start_indices} and limit_indices {limit_indices}.")
    if strides is None:
        strides = (1,) * n
    else:
        if len(strides) != n:
            raise type_error(
                f"slice strides must have length equal to the number of dimensions of the "
                f"operand, got strides {strides} for operand shape {shape}.")
        if any(s <= 0 for s in strides):
            raise type_error(f"slice strides must be positive, got {strides}")
    out = tuple(0 if lim == s else (lim - s + st - 1) // st
                for s, lim, st in zip(start_indices, limit_indices, strides))
    return aval(out, operand.dtype, operand.weak_type)


def _slice_impl(operand, *, start_indices, limit_indices, strides):
    st = strides or (1,) * operand.ndim
    return operand[tuple(_slice_builtin(s, lim, k)
                         for s, lim, k in zip(start_indices, limit_indices, st))]


slice_p = def_primitive("slice", _slice_rule, _slice_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _slice_transpose(ct, x, *, start_indices, limit_indices, strides):
    # zeros before, after and (for strides > 1) between the elements the slice took
    config = []
    for d, s, k, n in zip(x.aval.shape, start_indices, strides or (1,) * ct.ndim, ct.shape):
        end = s + 1 + (n - 1) * k if n else s  # one past the last element taken
        config.append((s, d - end, k - 1))
    return [pad(ct, _zero_scalar(ct.dtype), config)]


deflinear(slice_p, _slice_transpose)


def _slice_batch(vals, dims, *, start_indices, limit_indices, strides):
    # the whole batch dim, in place
    (x,), (d,) = vals, dims
    return slice_p.bind(
        x, start_indices=start_indices[:d] + (0,) + start_indices[d:],
        limit_indices=limit_indices[:d] + (x.shape[d],) + limit_indices[d:],
        strides=None if strides is None else strides[:d] + (1,) + strides[d:]), d


batching_rules[slice_p] = _slice_batch


def slice(operand, start_indices, limit_indices, strides=None):
    """A static slice `operand[start:limit:stride, ...]` (bounds must lie in the operand).

    >>> lax.slice(jnp.arange(10), (2,), (8,), (3,))
    Array([2, 5], dtype=int32)
    """
    start = _int_tuple(start_indices, "slice start_indices")
    limit = _int_tuple(limit_indices, "slice limit_indices")
    strides = None if strides is None else _int_tuple(strides, "slice strides")
    return slice_p.bind(asarray(operand), start_indices=start, limit_indices=limit,
                        strides=strides)


def slice_in_dim(operand, start_index, limit_index, stride: int = 1, axis: int = 0):
    """`lax.slice` along one axis; negative or None bounds count from the end / mean the edge.

    >>> lax.slice_in_dim(jnp.arange(6).reshape(2, 3), 1, None, axis=1)
    Array([[1, 2],
           [4, 5]], dtype=int32)
    """
    operand = asarray(operand)
    shape = operand.shape
    axis = canonical_axis(axis, len(shape))
    d = shape[axis]
    start = 0 if start_index is None else operator.index(start_index)
    limit = d if limit_index is None else operator.index(limit_index)
    start = start + d if start < 0 else start
    limit = limit + d if limit < 0 else limit
    starts = [0] * len(shape)
    limits = list(shape)
    strides = [1] * len(shape)
    starts[axis], limits[axis], strides[axis] = start, limit, operator.index(stride)
    return slice(operand, starts, limits, strides)


def index_in_dim(operand, index: int, axis: int = 0, keepdims: bool = True):
    """`operand[..., index, ...]` for a static index along `axis`.

    >>> lax.index_in_dim(jnp.arange(6).reshape(2, 3), -1, axis=1, keepdims=False)
    Array([2, 5], dtype=int32)
    """
    operand = asarray(operand)
    axis = canonical_axis(axis, operand.ndim)
    d = operand.shape[axis]
    index = operator.index(index)
    wrapped = index + d if index < 0 else index
    if not 0 <= wrapped < d:
        raise IndexError(f"index {index} is out of bounds for axis {axis} with size {d}")
    out = slice_in_dim(operand, wrapped, wrapped + 1, 1, axis)
    return out if keepdims else squeeze(out, (axis,))


# ============================================================================= dynamic_slice

def _check_start_avals(name, starts):
    dts = [s.dtype for s in starts]
    if any(d.kind not in "iu" for d in dts) or len(set(dts)) > 1:
        raise type_error(
            f"index arguments to {name} must be integers of the same type, got: "
            f"{dtype_str(dts)}")
    for s in starts:
        if s.shape != ():
            raise type_error(
                f"index arguments to {name} must be scalars, got an index of shape {s.shape}")


def _dynamic_slice_rule(operand, *starts, slice_sizes):
    shape = operand.shape
    if len(starts) != len(shape):
        raise type_error(
            f"dynamic_slice got {len(starts)} start indices for an operand of shape {shape}; "
            f"it needs one per dimension.")
    _check_start_avals("dynamic_slice", starts)
    if len(slice_sizes) != len(shape):
        raise type_error(
            f"dynamic_slice slice_sizes must have length equal to the number of dimensions "
            f"of the operand, got slice_sizes {slice_sizes} for operand shape {shape}.")
    if any(s < 0 for s in slice_sizes):
        raise type_error(
            f"slice slice_sizes must be greater than or equal to zero, got slice_sizes of "
            f"{slice_sizes}.")
    if any(s > d for s, d in zip(slice_sizes, shape)):
        raise type_error(
            f"slice slice_sizes must be less than or equal to operand shape, got slice_sizes "
            f"{slice_sizes} for operand shape {shape}.")
    return aval(slice_sizes, operand.dtype, operand.weak_type)


def _clamped_starts(starts, shape, sizes):
    # Clamp in Python ints: no overflow whatever the index dtype.
    return [min(max(int(s), 0), d - k) for s, d, k in zip(starts, shape, sizes)]


def _dynamic_slice_impl(operand, *starts, slice_sizes):
    lo = _clamped_starts(starts, operand.shape, slice_sizes)
    return operand[tuple(_slice_builtin(s, s + k) for s, k in zip(lo, slice_sizes))]


dynamic_slice_p = def_primitive("dynamic_slice", _dynamic_slice_rule, _dynamic_slice_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _dynamic_slice_jvp(primals, tangents, *, slice_sizes):
    # linear in the operand; the start indices are integers (no tangent)
    x, *starts = primals
    out = dynamic_slice_p.bind(x, *starts, slice_sizes=slice_sizes)
    g = tangents[0]
    if type(g) is Zero:
        return out, Zero.from_value(out)
    return out, dynamic_slice_p.bind(g, *starts, slice_sizes=slice_sizes)


def _dynamic_slice_transpose(ct, x, *starts, slice_sizes):
    # the update clamps its start exactly as the slice did
    zeros = full(x.aval.shape, 0, ct.dtype)
    return [dynamic_update_slice_p.bind(zeros, ct, *starts)] + [None] * len(starts)


jvp_rules[dynamic_slice_p] = _dynamic_slice_jvp
transpose_rules[dynamic_slice_p] = _dynamic_slice_transpose


def _batch_size(vals, dims) -> int:
    return next(v.shape[d] for v, d in zip(vals, dims) if d is not not_mapped)


def _zero_start(starts) -> Array:
    return Array(np.zeros((), starts[0].dtype if starts else np.int32), False)


def _stacked_starts(starts, dims, size):
    """Scalar start indices (some batched, of shape (size,)) as one (size, n) array of
    index vectors, one per example."""
    cols = [broadcast_in_dim(s, (size, 1), () if d is not_mapped else (0,))
            for s, d in zip(starts, dims)]
    return concatenate(cols, 1)


def _dynamic_slice_batch(vals, dims, *, slice_sizes):
    x, *starts = vals
    xd, *sds = dims
    if all(d is not_mapped for d in sds):
        # only the operand is batched: slice the whole batch dim too, in place
        return dynamic_slice_p.bind(x, *starts[:xd], _zero_start(starts), *starts[xd:],
                                    slice_sizes=slice_sizes[:xd] + (x.shape[xd],)
                                    + slice_sizes[xd:]), xd
    # Per-example starts: a gather of one window per example, clamped as dynamic_slice
    # clamps (mode CLIP), with the operand's batch dim paired with the indices'.
    size = _batch_size(vals, dims)
    indices = _stacked_starts(starts, sds, size)
    n = len(starts)
    window = tuple(range(1, n + 1))
    if xd is not_mapped:
        dn = GatherDimensionNumbers(offset_dims=window, collapsed_slice_dims=(),
                                    start_index_map=tuple(range(n)))
        sizes = tuple(slice_sizes)
    else:
        x = moveaxis(x, xd, 0)
        dn = GatherDimensionNumbers(offset_dims=window, collapsed_slice_dims=(),
                                    start_index_map=window, operand_batching_dims=(0,),
                                    start_indices_batching_dims=(0,))
        sizes = (1,) + tuple(slice_sizes)
    return gather_p.bind(x, indices, dimension_numbers=dn, slice_sizes=sizes,
                         indices_are_sorted=True, unique_indices=True,
                         mode=GatherScatterMode.CLIP, fill_value=None), 0


batching_rules[dynamic_slice_p] = _dynamic_slice_batch


def _split_starts(start_indices):
    """A sequence of scalars, or a 1-D array, as a list of scalar index values."""
    if isinstance(start_indices, (Array, Tracer, np.ndarray)):
        if np.ndim(start_indices) != 1:
            raise value_error(
                f"Slice indices must be a 1D sequence, got {np.shape(start_indices)}")
        if isinstance(start_indices, np.ndarray):
            return list(start_indices)
        arr = start_indices
        return [squeeze(slice(arr, (k,), (k + 1,)), (0,)) for k in range(arr.shape[0])]
    return list(start_indices)


def _normalize_start(i, d: int, allow_negative: bool):
    """Make one start index non-negative the way JAX does (i + d when i < 0), emitting
    `lt`/`add`/`select_n` for traced values; static values are fixed up in Python."""
    if isinstance(i, np.ndarray):
        i = asarray(i)  # as in JAX, a NumPy array is a value, not a static index
    if isinstance(i, (Array, Tracer)):
        if i.dtype.kind == "u" or not allow_negative:
            return i
        if i.dtype.kind != "i":
            return i  # the shape rule reports the bad dtype
        zero = Array(np.zeros((), i.dtype), False)
        dim = Array(np.asarray(d).astype(i.dtype), False)
        return _ew.select_n(_ew.lt(i, zero), i, _ew.add(i, dim))
    if isinstance(i, (bool, float)) or (isinstance(i, np.generic) and i.dtype.kind not in "iu"):
        return asarray(i)  # the shape rule reports the bad dtype
    if isinstance(i, (int, np.integer)):
        v = int(i)
        if v < 0:
            if not allow_negative:
                raise value_error(
                    f"Index {v} is out of bounds for dimension {d} if "
                    f"allow_negative_indices=False")
            v += d
        if isinstance(i, np.integer):
            dt = dtypes.canonicalize_dtype(i.dtype)
            return Array(np.asarray(v).astype(dt), False)
        return asarray(v)
    return asarray(i)


def _dynamic_starts(operand, start_indices, allow_negative_indices, name):
    starts = _split_starts(start_indices)
    if len(starts) != operand.ndim:
        raise value_error(
            f"Length of slice indices must match number of operand dimensions "
            f"({len(starts)} vs {operand.shape})")
    if isinstance(allow_negative_indices, bool):
        allow = [allow_negative_indices] * len(starts)
    else:
        allow = [bool(a) for a in allow_negative_indices]
        if len(allow) != len(starts):
            raise value_error(
                f"{name}: allow_negative_indices must be a bool or one bool per dimension, "
                f"got {len(allow)} for {len(starts)} dimensions")
    return [_normalize_start(i, d, a) for i, d, a in zip(starts, operand.shape, allow)]


def dynamic_slice(operand, start_indices, slice_sizes, *, allow_negative_indices=True):
    """Slice of static size `slice_sizes` at traced `start_indices`.

    Negative starts count from the end (unless `allow_negative_indices=False`); then each
    start is clamped so the slice lies inside the operand, as in XLA.

    >>> lax.dynamic_slice(jnp.arange(10), (8,), (3,))   # start clamped to 7
    Array([7, 8, 9], dtype=int32)
    """
    operand = asarray(operand)
    starts = _dynamic_starts(operand, start_indices, allow_negative_indices, "dynamic_slice")
    sizes = _int_tuple(slice_sizes, "dynamic_slice slice_sizes")
    return dynamic_slice_p.bind(operand, *starts, slice_sizes=sizes)


def _zero_like_index(i):
    if isinstance(i, (Array, Tracer, np.ndarray, np.generic)):
        return Array(np.zeros((), dtypes.canonicalize_dtype(i.dtype)), False)
    return 0


def dynamic_slice_in_dim(operand, start_index, slice_size: int, axis: int = 0, *,
                         allow_negative_indices: bool = True):
    """`dynamic_slice` along one axis (the other axes are kept whole).

    >>> lax.dynamic_slice_in_dim(jnp.arange(10), 4, 3)
    Array([4, 5, 6], dtype=int32)
    """
    operand = asarray(operand)
    axis = canonical_axis(axis, operand.ndim)
    starts = [_zero_like_index(start_index)] * operand.ndim
    sizes = list(operand.shape)
    starts[axis] = start_index
    sizes[axis] = operator.index(slice_size)
    allow = [True] * operand.ndim
    allow[axis] = allow_negative_indices
    return dynamic_slice(operand, starts, sizes, allow_negative_indices=allow)


def dynamic_index_in_dim(operand, index, axis: int = 0, keepdims: bool = True, *,
                         allow_negative_indices: bool = True):
    """`operand[..., index, ...]` for a traced index along `axis` (clamped into range).

    >>> lax.dynamic_index_in_dim(jnp.arange(10), 12, keepdims=False)
    Array(9, dtype=int32)
    """
    operand = asarray(operand)
    axis = canonical_axis(axis, operand.ndim)
    out = dynamic_slice_in_dim(operand, index, 1, axis,
                               allow_negative_indices=allow_negative_indices)
    return out if keepdims else squeeze(out, (axis,))


# ----------------------------------------------------------------------------- dynamic_update_slice

def _dynamic_update_slice_rule(operand, update, *starts):
    if operand.dtype != update.dtype:
        raise type_error(
            f"lax.dynamic_update_slice requires arguments to have the same dtypes, got "
            f"{dtype_str([operand.dtype, update.dtype])}.")
    if len(update.shape) != len(operand.shape):
        raise type_error(
            f"dynamic_update_slice update must have the same rank as operand, got update "
            f"shape {update.shape} for operand shape {operand.shape}.")
    if len(starts) != len(operand.shape):
        raise type_error(
            f"dynamic_update_slice got {len(starts)} start indices for an operand of shape "
            f"{operand.shape}; it needs one per dimension.")
    _check_start_avals("dynamic_update_slice", starts)
    if any(u > d for u, d in zip(update.shape, operand.shape)):
        raise type_error(
            f"dynamic_update_slice update shape must be smaller than operand shape, got "
            f"update shape {update.shape} for operand shape {operand.shape}.")
    return aval(operand.shape, operand.dtype, operand.weak_type)


def _dynamic_update_slice_impl(operand, update, *starts):
    lo = _clamped_starts(starts, operand.shape, update.shape)
    out = np.array(operand, copy=True)
    out[tuple(_slice_builtin(s, s + k) for s, k in zip(lo, update.shape))] = update
    return out


dynamic_update_slice_p = def_primitive(
    "dynamic_update_slice", _dynamic_update_slice_rule, _dynamic_update_slice_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _dynamic_update_slice_jvp(primals, tangents):
    # linear in the operand and the update together
    x, u, *starts = primals
    gx, gu = tangents[:2]
    out = dynamic_update_slice_p.bind(x, u, *starts)
    if type(gx) is Zero and type(gu) is Zero:
        return out, Zero.from_value(out)
    return out, dynamic_update_slice_p.bind(instantiate(gx), instantiate(gu), *starts)


def _dynamic_update_slice_transpose(ct, x, u, *starts):
    u_shape = u.aval.shape if is_undefined_primal(u) else tuple(np.shape(u))
    ct_x = ct_u = None
    if is_undefined_primal(x):  # the overwritten window gets no cotangent
        ct_x = dynamic_update_slice_p.bind(ct, full(u_shape, 0, ct.dtype), *starts)
    if is_undefined_primal(u):
        ct_u = dynamic_slice_p.bind(ct, *starts, slice_sizes=u_shape)
    return [ct_x, ct_u] + [None] * len(starts)


jvp_rules[dynamic_update_slice_p] = _dynamic_update_slice_jvp
transpose_rules[dynamic_update_slice_p] = _dynamic_update_slice_transpose


def _dynamic_update_slice_batch(vals, dims):
    x, u, *starts = vals
    xd, ud, *sds = dims
    size = _batch_size(vals, dims)
    if all(d is not_mapped for d in sds):
        # one start for every example: the batch dim is one more (whole) window dim
        d = xd if xd is not not_mapped else ud
        x, u = matchaxis(x, xd, d, size), matchaxis(u, ud, d, size)
        return dynamic_update_slice_p.bind(x, u, *starts[:d], _zero_start(starts),
                                           *starts[d:]), d
    # Per-example starts: a scatter of one window per example, clamped as
    # dynamic_update_slice clamps (mode CLIP); the examples are paired batching dims.
    x, u = bdim_at_front(x, xd, size), bdim_at_front(u, ud, size)
    indices = _stacked_starts(starts, sds, size)
    window = tuple(range(1, len(starts) + 1))
    dn = ScatterDimensionNumbers(update_window_dims=window, inserted_window_dims=(),
                                 scatter_dims_to_operand_dims=window,
                                 operand_batching_dims=(0,), scatter_indices_batching_dims=(0,))
    return scatter_p.bind(x, indices, u, dimension_numbers=dn, indices_are_sorted=True,
                          unique_indices=True, mode=GatherScatterMode.CLIP), 0


batching_rules[dynamic_update_slice_p] = _dynamic_update_slice_batch


def dynamic_update_slice(operand, update, start_indices, *, allow_negative_indices=True):
    """Write `update` into `operand` at traced `start_indices` (clamped so it fits).

    >>> lax.dynamic_update_slice(jnp.zeros(5, jnp.int32), jnp.ones(2, jnp.int32), (4,))
    Array([0, 0, 0, 1, 1], dtype=int32)
    """
    operand = asarray(operand)
    update = asarray(update)
    starts = _dynamic_starts(operand, start_indices, allow_negative_indices,
                             "dynamic_update_slice")
    return dynamic_update_slice_p.bind(operand, update, *starts)


def dynamic_update_slice_in_dim(operand, update, start_index, axis: int, *,
                                allow_negative_indices: bool = True):
    """`dynamic_update_slice` with the start given along one axis (0 elsewhere).

    >>> lax.dynamic_update_slice_in_dim(jnp.zeros((2, 3)), jnp.ones((2, 1)), 1, axis=1)
    Array([[0., 1., 0.],
           [0., 1., 0.]], dtype=float32)
    """
    operand = asarray(operand)
    axis = canonical_axis(axis, operand.ndim)
    starts = [_zero_like_index(start_index)] * operand.ndim
    starts[axis] = start_index
    allow = [True] * operand.ndim
    allow[axis] = allow_negative_indices
    return dynamic_update_slice(operand, update, starts, allow_negative_indices=allow)


def dynamic_update_index_in_dim(operand, update, index, axis: int, *,
                                allow_negative_indices: bool = True):
    """Write `update` (with or without the `axis` dimension) at `index` along `axis`.

    >>> lax.dynamic_update_index_in_dim(jnp.zeros((2, 3)), jnp.ones(2), 0, axis=1)
    Array([[1., 0., 0.],
           [1., 0., 0.]], dtype=float32)
    """
    operand = asarray(operand)
    update = asarray(update)
    axis = canonical_axis(axis, operand.ndim)
    if update.ndim == operand.ndim - 1:
        update = expand_dims(update, (axis,))
    return dynamic_update_slice_in_dim(operand, update, index, axis,
                                       allow_negative_indices=allow_negative_indices)


# ============================================================================= gather / scatter

class GatherScatterMode(enum.Enum):
    """How gather and scatter treat out-of-bounds indices.

    CLIP: clamp each window's start so the whole window is in bounds.
    FILL_OR_DROP: a gathered window that does not fit is filled with `fill_value`;
      a scattered window that does not fit is dropped.
    PROMISE_IN_BOUNDS: the caller promises in-bounds indices; as in XLA, gathers
      clamp and scatters drop when the promise is broken.
    """
    CLIP = enum.auto()
    FILL_OR_DROP = enum.auto()
    PROMISE_IN_BOUNDS = enum.auto()
    ONE_HOT = enum.auto()

    @staticmethod
    def from_any(s) -> "GatherScatterMode":
        if isinstance(s, GatherScatterMode):
            return s
        if s == "clip":
            return GatherScatterMode.CLIP
        if s is None or s == "fill" or s == "drop":
            return GatherScatterMode.FILL_OR_DROP
        if s == "promise_in_bounds":
            return GatherScatterMode.PROMISE_IN_BOUNDS
        if s == "one_hot":
            return GatherScatterMode.ONE_HOT
        raise ValueError(f'Unknown gather mode "{s}"')


# Dimension numbers are frozen dataclasses rather than NamedTuples (JAX's choice) so
# that jaxprs print their field names; field order and defaults are JAX's.
@dataclasses.dataclass(frozen=True)
class GatherDimensionNumbers:
    """Describes a gather (XLA's GatherDimensionNumbers; the index vector is the last
    dimension of the indices).

    offset_dims: output dims holding the slice (window) dims, in order.
    collapsed_slice_dims: operand dims of slice size 1 dropped from the output.
    start_index_map: the operand dim each component of an index vector indexes.
    operand_batching_dims / start_indices_batching_dims: paired batch dims.

    >>> dn = GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(0,),
    ...                             start_index_map=(0,))
    """
    offset_dims: tuple
    collapsed_slice_dims: tuple
    start_index_map: tuple
    operand_batching_dims: tuple = ()
    start_indices_batching_dims: tuple = ()

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _int_tuple(getattr(self, f.name),
                                                        f"GatherDimensionNumbers.{f.name}"))

    def _replace(self, **kw):
        return dataclasses.replace(self, **kw)


@dataclasses.dataclass(frozen=True)
class ScatterDimensionNumbers:
    """Describes a scatter (XLA's ScatterDimensionNumbers; the index vector is the last
    dimension of the indices).

    update_window_dims: dims of `updates` that are window dims, in order.
    inserted_window_dims: operand dims of window size 1 absent from `updates`.
    scatter_dims_to_operand_dims: the operand dim each index-vector component indexes.
    operand_batching_dims / scatter_indices_batching_dims: paired batch dims.

    >>> dn = ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
    ...                              scatter_dims_to_operand_dims=(0,))
    """
    update_window_dims: tuple
    inserted_window_dims: tuple
    scatter_dims_to_operand_dims: tuple
    operand_batching_dims: tuple = ()
    scatter_indices_batching_dims: tuple = ()

    def __post_init__(self):
        for f in dataclasses.fields(self):
            object.__setattr__(self, f.name, _int_tuple(getattr(self, f.name),
                                                        f"ScatterDimensionNumbers.{f.name}"))

    def _replace(self, **kw):
        return dataclasses.replace(self, **kw)


def _is_sorted_unique(t) -> bool:
    return all(a < b for a, b in zip(t, t[1:]))


def _check_dims(op, what, dims, bound, *, sorted_=False):
    for d in dims:
        if not 0 <= d < bound:
            raise type_error(
                f"{what} in {op} op must be in [0, {bound}); got {dims}.")
    if len(set(dims)) != len(dims):
        raise type_error(f"{what} in {op} op must not repeat; got {dims}.")
    if sorted_ and not _is_sorted_unique(dims):
        raise type_error(f"{what} in {op} op must be sorted; got {dims}.")


def _check_index_vector(op, indices, index_map, map_name, operand_rank):
    if indices.dtype.kind not in "iu":
        raise value_error("indices must have an integer type")
    if len(indices.shape) < 1:
        raise type_error(
            f"{op} indices must have at least one dimension (the index vector, last); "
            f"got indices of shape {indices.shape}.")
    if len(index_map) != indices.shape[-1]:
        raise type_error(
            f"{op.capitalize()} op has {len(index_map)} elements in {map_name} and the bound "
            f"of dimension index_vector_dim={len(indices.shape) - 1} of indices is "
            f"{indices.shape[-1]}. These two numbers must be equal.")
    for d in index_map:
        if not 0 <= d < operand_rank:
            raise type_error(
                f"Invalid {map_name}; domain is [0, {operand_rank}), got: "
                f"{index_map.index(d)}->{d}.")
    if len(set(index_map)) != len(index_map):
        raise type_error(f"{map_name} in {op} op must not repeat; got {index_map}.")


def _check_batching(op, operand, indices, obd, ibd, collapsed, collapsed_name, index_map,
                    map_name, indices_name):
    _check_dims(op, "operand_batching_dims", obd, len(operand.shape), sorted_=True)
    _check_dims(op, indices_name, ibd, len(indices.shape) - 1)
    if len(obd) != len(ibd):
        raise type_error(
            f"{op} requires operand_batching_dims and {indices_name} of the same length, "
            f"got {obd} and {ibd}.")
    for a, b in zip(obd, ibd):
        if operand.shape[a] != indices.shape[b]:
            raise type_error(
                f"{op} operand batching dim {a} (size {operand.shape[a]}) and indices "
                f"batching dim {b} (size {indices.shape[b]}) must have equal sizes.")
    both = set(obd) & set(collapsed)
    if both:
        raise type_error(
            f"{op} operand_batching_dims and {collapsed_name} must not overlap; "
            f"got {sorted(both)}.")
    both = set(obd) & set(index_map)
    if both:
        raise type_error(
            f"{op} operand_batching_dims and {map_name} must not overlap; got {sorted(both)}.")


def _gather_rule(operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                 unique_indices, mode, fill_value):
    dn = dimension_numbers
    shape = operand.shape
    rank = len(shape)
    if indices.dtype.kind not in "iu":
        raise value_error("indices must have an integer type")
    batch_shape = indices.shape[:-1]
    out_rank = len(dn.offset_dims) + len(batch_shape)
    for d in dn.offset_dims:
        if not 0 <= d < out_rank:
            raise type_error(
                f"Offset dimension {dn.offset_dims.index(d)} in gather op is out of bounds; "
                f"got {d}, but should have been in [0, {out_rank})")
    if not _is_sorted_unique(dn.offset_dims):
        raise type_error(f"offset_dims in gather op must be sorted; got {dn.offset_dims}")
    _check_index_vector("gather", indices, dn.start_index_map, "start_index_map", rank)
    _check_dims("gather", "collapsed_slice_dims", dn.collapsed_slice_dims, rank)
    if not _is_sorted_unique(dn.collapsed_slice_dims):
        raise type_error(
            f"collapsed_slice_dims in gather op must be sorted; got {dn.collapsed_slice_dims}")
    _check_batching("gather", operand, indices, dn.operand_batching_dims,
                    dn.start_indices_batching_dims, dn.collapsed_slice_dims,
                    "collapsed_slice_dims", dn.start_index_map, "start_index_map",
                    "start_indices_batching_dims")
    if len(slice_sizes) != rank:
        raise type_error(
            f"Gather op must have one slice size for every input dimension; got: "
            f"len(slice_sizes)={len(slice_sizes)}, input_shape.rank={rank}")
    for i, (s, d) in enumerate(zip(slice_sizes, shape)):
        if not 0 <= s <= d:
            raise type_error(
                f"Slice size at index {i} in gather op is out of range, must be within "
                f"[0, {d} + 1), got {s}.")
    for pos, d in enumerate(dn.collapsed_slice_dims):
        if slice_sizes[d] != 1:
            raise type_error(
                f"Gather op can only collapse slice dims with bound 1, but bound is "
                f"{slice_sizes[d]} for index {d} at position {pos}.")
    for pos, d in enumerate(dn.operand_batching_dims):
        if slice_sizes[d] > 1:
            raise type_error(
                f"Gather op can only have operand batching dims with bound 0/1, but bound "
                f"is {slice_sizes[d]} for index {d} at position {pos}.")
    dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
    window = [slice_sizes[d] for d in range(rank) if d not in dropped]
    if len(window) != len(dn.offset_dims):
        raise type_error(
            f"All components of the offset index in a gather op must either be a offset "
            f"dimension or explicitly collapsed/batching; got len(slice_sizes)="
            f"{len(slice_sizes)}, output_slice_sizes={tuple(window)}, collapsed_slice_dims="
            f"{dn.collapsed_slice_dims}, operand_batching_dims={dn.operand_batching_dims}.")
    if not isinstance(mode, GatherScatterMode) or mode is GatherScatterMode.ONE_HOT:
        raise value_error(f"gather: unsupported mode {mode!r}")
    out = []
    w = iter(window)
    b = iter(batch_shape)
    offset = set(dn.offset_dims)
    for p in range(out_rank):
        out.append(next(w) if p in offset else next(b))
    return aval(out, operand.dtype, operand.weak_type)


def _index_values(indices: np.ndarray) -> np.ndarray:
    """Indices as int64 without wrap-around (uint64 values above int64 max saturate)."""
    if indices.dtype == np.uint64:
        return np.minimum(indices, np.uint64(2**62)).astype(np.int64)
    return indices.astype(np.int64, copy=False)


def _window_starts(operand_shape, indices, index_map, obd, ibd, window_sizes):
    """Per operand dim, the start of each window (int64, broadcastable to the batch
    shape `indices.shape[:-1]`), and a mask of the windows that fit in the operand."""
    batch_shape = indices.shape[:-1]
    nb = len(batch_shape)
    idx = _index_values(indices)
    starts = [np.zeros((1,) * nb, np.int64) for _ in operand_shape]
    ok = np.ones(batch_shape, bool)
    for k, d in enumerate(index_map):
        s = idx[..., k]
        upper = operand_shape[d] - window_sizes[d]
        ok &= (s >= 0) & (s <= upper)
        starts[d] = s
    for od, bd in zip(obd, ibd):
        shp = [1] * nb
        shp[bd] = batch_shape[bd]
        starts[od] = np.arange(batch_shape[bd], dtype=np.int64).reshape(shp)
    return starts, ok


def _full_coords(starts, window_sizes, window_dims, out_rank, batch_positions,
                 window_positions):
    """Operand coordinates of every output (or update) element: start + window offset,
    each an int64 array broadcastable to the output shape."""
    coords = []
    wpos = dict(zip(window_dims, window_positions))
    for d, s in enumerate(starts):
        shp = [1] * out_rank
        for p, n in zip(batch_positions, s.shape):
            shp[p] = n
        c = s.reshape(shp)
        if d in wpos:
            shp = [1] * out_rank
            shp[wpos[d]] = window_sizes[d]
            c = c + np.arange(window_sizes[d], dtype=np.int64).reshape(shp)
        coords.append(c)
    return coords


def _gather_impl(operand, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                 unique_indices, mode, fill_value):
    dn = dimension_numbers
    shape = operand.shape
    rank = len(shape)
    batch_shape = indices.shape[:-1]
    out_rank = len(batch_shape) + len(dn.offset_dims)
    batch_positions = [p for p in range(out_rank) if p not in set(dn.offset_dims)]
    dropped = set(dn.collapsed_slice_dims) | set(dn.operand_batching_dims)
    window_dims = [d for d in range(rank) if d not in dropped]
    out_shape = [0] * out_rank
    for p, n in zip(batch_positions, batch_shape):
        out_shape[p] = n
    for p, d in zip(dn.offset_dims, window_dims):
        out_shape[p] = slice_sizes[d]
    out_shape = tuple(out_shape)
    if 0 in out_shape:
        return np.zeros(out_shape, operand.dtype)
    starts, ok = _window_starts(shape, indices, dn.start_index_map, dn.operand_batching_dims,
                                dn.start_indices_batching_dims, slice_sizes)
    # Clamp so every read is in bounds; FILL_OR_DROP then masks the windows that did not fit.
    starts = [np.clip(s, 0, d - k) for s, d, k in zip(starts, shape, slice_sizes)]
    coords = _full_coords(starts, slice_sizes, window_dims, out_rank, batch_positions,
                          dn.offset_dims)
    out = operand[tuple(coords)] if rank else operand
    out = np.broadcast_to(out, out_shape)
    if mode is GatherScatterMode.FILL_OR_DROP and not ok.all():
        mshape = [1] * out_rank
        for p, n in zip(batch_positions, batch_shape):
            mshape[p] = n
        fill = np.asarray(fill_value).astype(operand.dtype) if fill_value is not None \
            else _default_fill(operand.dtype)
        out = np.where(ok.reshape(mshape), out, fill)
    return np.array(out, copy=True)


def _default_fill(dtype):
    dtype = np.dtype(dtype)
    if dtype.kind == "f":
        return np.asarray(np.nan, dtype)
    if dtype.kind == "i":
        return np.asarray(np.iinfo(dtype).min, dtype)
    if dtype.kind == "u":
        return np.asarray(np.iinfo(dtype).max, dtype)
    return np.asarray(True, dtype)


gather_p = def_primitive("gather", _gather_rule, _gather_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _gather_jvp(g, x, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                unique_indices, mode, fill_value):
    # the same gather of the tangent; windows out of bounds under FILL_OR_DROP read 0
    return gather_p.bind(g, indices, dimension_numbers=dimension_numbers,
                         slice_sizes=slice_sizes, indices_are_sorted=indices_are_sorted,
                         unique_indices=unique_indices, mode=mode,
                         fill_value=0 if mode is GatherScatterMode.FILL_OR_DROP else None)


def _gather_transpose(ct, x, indices, *, dimension_numbers, slice_sizes, indices_are_sorted,
                      unique_indices, mode, fill_value):
    # Scatter-add the cotangent back with the same mode: CLIP clamps the windows as
    # the gather did, FILL_OR_DROP drops the windows that read fill_value, and
    # PROMISE_IN_BOUNDS drops too (as JAX's does, although the gather clamped).
    dn = dimension_numbers
    sdn = ScatterDimensionNumbers(
        update_window_dims=dn.offset_dims, inserted_window_dims=dn.collapsed_slice_dims,
        scatter_dims_to_operand_dims=dn.start_index_map,
        operand_batching_dims=dn.operand_batching_dims,
        scatter_indices_batching_dims=dn.start_indices_batching_dims)
    zeros = full(x.aval.shape, 0, ct.dtype)
    return [scatter_add_p.bind(zeros, indices, ct, dimension_numbers=sdn,
                               indices_are_sorted=indices_are_sorted,
                               unique_indices=unique_indices, mode=mode), None]


defjvp(gather_p, _gather_jvp, None)
transpose_rules[gather_p] = _gather_transpose


def _shift(dims) -> tuple:
    return tuple(d + 1 for d in dims)


def _gather_batch(vals, dims, *, dimension_numbers, slice_sizes, indices_are_sorted,
                  unique_indices, mode, fill_value):
    operand, indices = vals
    od, idd = dims
    dn = dimension_numbers
    if idd is not_mapped:
        # the batch dim is one more (whole) window dim, first in the output
        operand = moveaxis(operand, od, 0)
        dn = GatherDimensionNumbers(
            offset_dims=(0,) + _shift(dn.offset_dims),
            collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
            start_index_map=_shift(dn.start_index_map),
            operand_batching_dims=_shift(dn.operand_batching_dims),
            start_indices_batching_dims=dn.start_indices_batching_dims)
        slice_sizes = (operand.shape[0],) + tuple(slice_sizes)
    elif od is not_mapped:
        # one more batch dim of the indices, first in the output. Indices unique or
        # sorted within each example are not so across examples.
        indices = moveaxis(indices, idd, 0)
        dn = dn._replace(offset_dims=_shift(dn.offset_dims),
                         start_indices_batching_dims=_shift(dn.start_indices_batching_dims))
        indices_are_sorted = unique_indices = False
    else:
        # both: a pair of batching dims (each example gathers from its own operand)
        operand, indices = moveaxis(operand, od, 0), moveaxis(indices, idd, 0)
        dn = GatherDimensionNumbers(
            offset_dims=_shift(dn.offset_dims),
            collapsed_slice_dims=_shift(dn.collapsed_slice_dims),
            start_index_map=_shift(dn.start_index_map),
            operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
            start_indices_batching_dims=(0,) + _shift(dn.start_indices_batching_dims))
        slice_sizes = (1,) + tuple(slice_sizes)
    return gather_p.bind(operand, indices, dimension_numbers=dn, slice_sizes=slice_sizes,
                         indices_are_sorted=indices_are_sorted,
                         unique_indices=unique_indices, mode=mode, fill_value=fill_value), 0


batching_rules[gather_p] = _gather_batch


def _static_scalar(v, what):
    if v is None:
        return None
    if isinstance(v, Tracer):
        raise type_error(f"{what} must be a static scalar, got a traced value {v.aval.str_short()}")
    if isinstance(v, (Array, np.ndarray, np.generic)):
        return np.asarray(v).item()
    return v


def gather(operand, start_indices, dimension_numbers: GatherDimensionNumbers, slice_sizes, *,
           unique_indices: bool = False, indices_are_sorted: bool = False, mode=None,
           fill_value=None):
    """XLA's gather: for each index vector (the last dim of `start_indices`), the slice
    of size `slice_sizes` starting there; `dimension_numbers` say how the pieces are laid
    out. `mode=None` means PROMISE_IN_BOUNDS (windows clamped into range); with
    `mode='fill'`, out-of-bounds windows read `fill_value` (default NaN for floats, the
    minimum for signed, maximum for unsigned ints, True for bool).

    >>> dn = GatherDimensionNumbers(offset_dims=(), collapsed_slice_dims=(0,),
    ...                             start_index_map=(0,))
    >>> lax.gather(jnp.arange(5.0), jnp.array([[3], [9]]), dn, (1,), mode="fill")
    Array([ 3., nan], dtype=float32)
    """
    if not isinstance(dimension_numbers, GatherDimensionNumbers):
        raise type_error(
            f"gather dimension_numbers must be a GatherDimensionNumbers, got "
            f"{type(dimension_numbers).__name__}")
    operand = asarray(operand)
    start_indices = asarray(start_indices)
    parsed = GatherScatterMode.from_any(
        GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    if parsed is GatherScatterMode.ONE_HOT:
        raise NotImplementedError("gather mode 'one_hot' is not supported by tinyjax")
    if parsed is GatherScatterMode.FILL_OR_DROP:
        fill_value = _static_scalar(fill_value, "gather fill_value")
        if fill_value is None:
            fill_value = _default_fill(operand.dtype).item()
    else:
        fill_value = None
    return gather_p.bind(
        operand, start_indices, dimension_numbers=dimension_numbers,
        slice_sizes=_int_tuple(slice_sizes, "gather slice_sizes"),
        unique_indices=bool(unique_indices), indices_are_sorted=bool(indices_are_sorted),
        mode=parsed, fill_value=fill_value)


# ----------------------------------------------------------------------------- scatter

_NUMERIC = "iuf"
_ANY = "biuf"


def _scatter_rule_for(name, kinds):
    combiner = name.partition("-")[2] or "scatter"

    def rule(operand, indices, updates, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        dn = dimension_numbers
        shape = operand.shape
        rank = len(shape)
        if operand.dtype != updates.dtype:
            raise type_error(
                f"lax.{name.replace('-', '_')} requires arguments to have the same dtypes, "
                f"got {dtype_str([operand.dtype, updates.dtype])}.")
        if operand.dtype.kind not in kinds:
            raise type_error(
                f"{combiner} does not accept dtype {operand.dtype.name} at position 0. "
                f"Accepted dtypes at position 0 are subtypes of integer, floating.")
        _check_index_vector("scatter", indices, dn.scatter_dims_to_operand_dims,
                            "scatter_dims_to_operand_dims", rank)
        _check_dims("scatter", "update_window_dims", dn.update_window_dims,
                    len(updates.shape), sorted_=True)
        _check_dims("scatter", "inserted_window_dims", dn.inserted_window_dims, rank,
                    sorted_=True)
        _check_batching("scatter", operand, indices, dn.operand_batching_dims,
                        dn.scatter_indices_batching_dims, dn.inserted_window_dims,
                        "inserted_window_dims", dn.scatter_dims_to_operand_dims,
                        "scatter_dims_to_operand_dims", "scatter_indices_batching_dims")
        n_batch = len(indices.shape) - 1
        if len(updates.shape) != len(dn.update_window_dims) + n_batch:
            raise type_error(
                f"Updates tensor must be of rank {len(dn.update_window_dims) + n_batch}; "
                f"got {len(updates.shape)}.")
        dropped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
        window_dims = [d for d in range(rank) if d not in dropped]
        if len(window_dims) != len(dn.update_window_dims):
            raise type_error(
                f"Scatter op has window of size {len(dn.update_window_dims) + len(dropped)}; "
                f"doesn't match operand of rank {rank}.")
        for p, d in zip(dn.update_window_dims, window_dims):
            if updates.shape[p] > shape[d]:
                raise type_error(
                    f"Bounds of the window dimensions of updates must not exceed the bounds "
                    f"of the corresponding dimensions of operand. For dimension {p}, updates "
                    f"bound is {updates.shape[p]}, operand bound is {shape[d]}.")
        for d in dropped:
            if shape[d] < 1:
                raise type_error(
                    f"scatter inserts a window of size 1 into operand dimension {d} of size 0.")
        scatter_dims = [p for p in range(len(updates.shape)) if p not in set(dn.update_window_dims)]
        for k, p in enumerate(scatter_dims):
            if updates.shape[p] != indices.shape[k]:
                raise type_error(
                    f"Bounds of the scatter dimensions of updates must be the same as the "
                    f"bounds of the corresponding dimensions of scatter indices. For scatter "
                    f"dimension {k}, updates bound is {updates.shape[p]}, indices bound is "
                    f"{indices.shape[k]}.")
        if not isinstance(mode, GatherScatterMode) or mode is GatherScatterMode.ONE_HOT:
            raise value_error(f"{name}: unsupported mode {mode!r}")
        return aval(shape, operand.dtype, operand.weak_type)
    return rule


def _scatter_coords(operand, indices, updates, dn, mode):
    """Flat operand positions and update values of every update element that is
    written (windows that do not fit are dropped, or clamped under CLIP)."""
    shape = operand.shape
    rank = len(shape)
    if updates.size == 0 or operand.size == 0:
        return np.zeros((0,), np.int64), updates.reshape(-1)
    dropped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
    window_dims = [d for d in range(rank) if d not in dropped]
    window_sizes = [1] * rank
    for p, d in zip(dn.update_window_dims, window_dims):
        window_sizes[d] = updates.shape[p]
    starts, ok = _window_starts(shape, indices, dn.scatter_dims_to_operand_dims,
                                dn.operand_batching_dims, dn.scatter_indices_batching_dims,
                                window_sizes)
    starts = [np.clip(s, 0, d - k) for s, d, k in zip(starts, shape, window_sizes)]
    urank = updates.ndim
    batch_positions = [p for p in range(urank) if p not in set(dn.update_window_dims)]
    coords = _full_coords(starts, window_sizes, window_dims, urank, batch_positions,
                          dn.update_window_dims)
    coords = [np.broadcast_to(c, updates.shape) for c in coords]
    flat = np.ravel_multi_index(tuple(coords), shape) if rank else \
        np.zeros(updates.shape, np.int64)
    flat = flat.reshape(-1)
    vals = updates.reshape(-1)
    if mode is not GatherScatterMode.CLIP and not ok.all():
        mshape = [1] * urank
        for p, n in zip(batch_positions, indices.shape[:-1]):
            mshape[p] = n
        keep = np.broadcast_to(ok.reshape(mshape), updates.shape).reshape(-1)
        flat, vals = flat[keep], vals[keep]
    return flat, vals


def _scatter_impl_for(ufunc):
    def impl(operand, indices, updates, *, dimension_numbers, indices_are_sorted,
             unique_indices, mode):
        flat, vals = _scatter_coords(operand, indices, updates, dimension_numbers, mode)
        # (C order: `view` below must be a view, whatever the operand's strides)
        out = np.array(operand, copy=True, order="C")
        view = out.reshape(-1)
        if ufunc is None:
            # Plain scatter: the last update (row-major order of `updates`) to each
            # position wins, deterministically.
            if flat.size:
                rev = flat[::-1]
                _, first = np.unique(rev, return_index=True)
                keep = flat.size - 1 - first
                view[flat[keep]] = vals[keep]
        else:
            ufunc.at(view, flat, vals)
        return out
    return impl


def _def_scatter(name, ufunc, kinds):
    return def_primitive(name, _scatter_rule_for(name, kinds), _scatter_impl_for(ufunc))


scatter_p = _def_scatter("scatter", None, _ANY)
scatter_add_p = _def_scatter("scatter-add", np.add, _NUMERIC)
scatter_sub_p = _def_scatter("scatter-sub", np.subtract, _NUMERIC)
scatter_mul_p = _def_scatter("scatter-mul", np.multiply, _NUMERIC)
scatter_min_p = _def_scatter("scatter-min", np.minimum, _ANY)
scatter_max_p = _def_scatter("scatter-max", np.maximum, _ANY)


def _scatter_batch_for(prim):
    def rule(vals, dims, *, dimension_numbers, indices_are_sorted, unique_indices, mode):
        # The result differs per example whatever is batched, so the operand and the
        # updates always get the batch dim first (broadcast if unbatched).
        operand, indices, updates = vals
        od, idd, ud = dims
        size = _batch_size(vals, dims)
        dn = dimension_numbers
        operand = bdim_at_front(operand, od, size)
        updates = bdim_at_front(updates, ud, size)
        if idd is not_mapped:
            # the batch dim is one more (whole) window dim, first in the updates
            dn = ScatterDimensionNumbers(
                update_window_dims=(0,) + _shift(dn.update_window_dims),
                inserted_window_dims=_shift(dn.inserted_window_dims),
                scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
                operand_batching_dims=_shift(dn.operand_batching_dims),
                scatter_indices_batching_dims=dn.scatter_indices_batching_dims)
        else:
            # a pair of batching dims: each example scatters into its own operand
            indices = moveaxis(indices, idd, 0)
            dn = ScatterDimensionNumbers(
                update_window_dims=_shift(dn.update_window_dims),
                inserted_window_dims=_shift(dn.inserted_window_dims),
                scatter_dims_to_operand_dims=_shift(dn.scatter_dims_to_operand_dims),
                operand_batching_dims=(0,) + _shift(dn.operand_batching_dims),
                scatter_indices_batching_dims=(0,) + _shift(dn.scatter_indices_batching_dims))
        return prim.bind(operand, indices, updates, dimension_numbers=dn,
                         indices_are_sorted=indices_are_sorted,
                         unique_indices=unique_indices, mode=mode), 0
    return rule


for _p in (scatter_p, scatter_add_p, scatter_sub_p, scatter_mul_p, scatter_min_p,
           scatter_max_p):
    batching_rules[_p] = _scatter_batch_for(_p)


# ----------------------------------------------------------------------------- scatter derivatives
#
# Every rule below follows JAX's: the same primitives with the same modes, so
# out-of-bounds and duplicate indices give JAX's derivatives. `_gather_from` is the
# gather that reads back, for each update element, the operand element it went to.

def _gather_from(operand, indices, dn: ScatterDimensionNumbers, updates_shape, *,
                 mode=GatherScatterMode.PROMISE_IN_BOUNDS):
    """The gather inverse to a scatter with dimension numbers `dn`: it reads, for each
    element of updates of shape `updates_shape`, the operand element it would write
    (windows that do not fit read 0 under FILL_OR_DROP, are clamped otherwise)."""
    gdn = GatherDimensionNumbers(
        offset_dims=dn.update_window_dims, collapsed_slice_dims=dn.inserted_window_dims,
        start_index_map=dn.scatter_dims_to_operand_dims,
        operand_batching_dims=dn.operand_batching_dims,
        start_indices_batching_dims=dn.scatter_indices_batching_dims)
    dropped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
    window = iter(updates_shape[p] for p in dn.update_window_dims)
    sizes = tuple(1 if d in dropped else next(window) for d in range(len(operand.shape)))
    return gather_p.bind(operand, indices, dimension_numbers=gdn, slice_sizes=sizes,
                         indices_are_sorted=False, unique_indices=False, mode=mode,
                         fill_value=0 if mode is GatherScatterMode.FILL_OR_DROP else None)


def _scatter_addsub_jvp(prim):
    def jvp(primals, tangents, **params):
        # linear in the operand and the updates together
        x, indices, u = primals
        gx, _, gu = tangents
        out = prim.bind(x, indices, u, **params)
        if type(gx) is Zero and type(gu) is Zero:
            return out, Zero.from_value(out)
        return out, prim.bind(instantiate(gx), indices, instantiate(gu), **params)
    return jvp


def _scatter_addsub_transpose(prim):
    def transpose(ct, x, indices, u, *, dimension_numbers, indices_are_sorted,
                  unique_indices, mode):
        ct_u = None
        if is_undefined_primal(u):
            # dropped windows get 0 (FILL_OR_DROP); PROMISE_IN_BOUNDS clamps, as in JAX
            ct_u = _gather_from(ct, indices, dimension_numbers, u.aval.shape, mode=mode)
            if prim is scatter_sub_p:
                ct_u = _ew.neg(ct_u)
        return [ct if is_undefined_primal(x) else None, None, ct_u]
    return transpose


for _p in (scatter_add_p, scatter_sub_p):
    jvp_rules[_p] = _scatter_addsub_jvp(_p)
    transpose_rules[_p] = _scatter_addsub_transpose(_p)


def _scatter_jvp(primals, tangents, *, dimension_numbers, indices_are_sorted,
                 unique_indices, mode):
    x, indices, u = primals
    gx, _, gu = tangents
    dn = dimension_numbers
    params = dict(dimension_numbers=dn, indices_are_sorted=indices_are_sorted,
                  unique_indices=unique_indices, mode=mode)
    out = scatter_p.bind(x, indices, u, **params)
    if type(gx) is Zero and type(gu) is Zero:
        return out, Zero.from_value(out)
    gx, gu = instantiate(gx), instantiate(gu)
    if unique_indices:  # no two updates meet: scatter the tangents the same way
        return out, scatter_p.bind(gx, indices, gu, **params)
    # Which update element wins each position? Scatter a distinct id (1, 2, ...) per
    # update window with the same (last-writer-wins) scatter, and read the ids back:
    # an update element contributes iff its id survived; an operand element iff no
    # update landed on it. The tangent is then a scatter-add of the masked tangents,
    # linear in both, so it transposes without a transpose rule for scatter.
    id_shape = tuple(1 if p in dn.update_window_dims else n for p, n in enumerate(u.shape))
    n_ids = int(np.prod(id_shape, dtype=np.int64))
    id_dtype = np.dtype(np.int32)
    ids = reshape(_ew.add(iota(id_dtype, n_ids), Array(np.ones((), id_dtype), False)),
                  id_shape)
    ids = broadcast_in_dim(ids, tuple(u.shape), tuple(range(len(id_shape))))
    scattered = scatter_p.bind(full(x.shape, 0, id_dtype), indices, ids, **params)
    won = _ew.eq(ids, _gather_from(scattered, indices, dn, u.shape))
    untouched = _ew.eq(scattered, _zero_scalar(id_dtype))
    gx = _ew.select_n(untouched, full(x.shape, 0, gx.dtype), gx)
    gu = _ew.select_n(won, full(u.shape, 0, gu.dtype), gu)
    return out, scatter_add_p.bind(gx, indices, gu, **params)


def _scatter_transpose(ct, x, indices, u, *, dimension_numbers, indices_are_sorted,
                       unique_indices, mode):
    # The JVP above only emits a linear scatter when unique_indices is promised.
    if not unique_indices:
        raise NotImplementedError(
            "scatter transpose is only implemented where unique_indices=True")
    u_shape = u.aval.shape if is_undefined_primal(u) else tuple(np.shape(u))
    ct_x = ct_u = None
    if is_undefined_primal(x):  # the positions the updates overwrote get no cotangent
        ct_x = scatter_p.bind(ct, indices, full(u_shape, 0, ct.dtype),
                              dimension_numbers=dimension_numbers,
                              indices_are_sorted=indices_are_sorted, unique_indices=True,
                              mode=mode)
    if is_undefined_primal(u):
        ct_u = _gather_from(ct, indices, dimension_numbers, u_shape, mode=mode)
    return [ct_x, None, ct_u]


jvp_rules[scatter_p] = _scatter_jvp
transpose_rules[scatter_p] = _scatter_transpose


def _scatter_mul_jvp_updates(g, x, indices, u, *, dimension_numbers, indices_are_sorted,
                             unique_indices, mode):
    # With unique indices each output element is x * (one update) or x.
    if not unique_indices:
        raise NotImplementedError(
            "scatter_mul gradients are only implemented if `unique_indices=True`")
    spread = scatter_add_p.bind(full(x.shape, 0, x.dtype), indices, g,
                                dimension_numbers=dimension_numbers,
                                indices_are_sorted=indices_are_sorted,
                                unique_indices=unique_indices, mode=mode)
    return _ew.mul(x, spread)


def _scatter_mul_transpose(ct, x, indices, u, *, dimension_numbers, indices_are_sorted,
                           unique_indices, mode):
    # linear in the operand (for fixed updates)
    ct_x = ct_u = None
    if is_undefined_primal(x):
        ct_x = scatter_mul_p.bind(ct, indices, u, dimension_numbers=dimension_numbers,
                                  indices_are_sorted=indices_are_sorted,
                                  unique_indices=unique_indices, mode=mode)
    if is_undefined_primal(u):
        if not unique_indices:
            raise NotImplementedError(
                "scatter_mul gradients are only implemented if `unique_indices=True`")
        ct_u = _gather_from(_ew.mul(ct, x), indices, dimension_numbers, u.aval.shape,
                            mode=mode)
    return [ct_x, None, ct_u]


defjvp(scatter_mul_p,
       lambda g, x, indices, u, **params: scatter_mul_p.bind(g, indices, u, **params),
       None, _scatter_mul_jvp_updates)
transpose_rules[scatter_mul_p] = _scatter_mul_transpose


def _scatter_extremal_jvp(prim):
    def jvp(primals, tangents, *, dimension_numbers, indices_are_sorted, unique_indices,
            mode):
        # The tangent at each position is the mean of the tangents of every value that
        # attains the min/max there: the operand element if it survived, and each
        # update element equal to the result.
        x, indices, u = primals
        dn = dimension_numbers
        out = prim.bind(x, indices, u, dimension_numbers=dn,
                        indices_are_sorted=indices_are_sorted,
                        unique_indices=unique_indices, mode=mode)
        gx, _, gu = tangents
        if type(gx) is Zero and type(gu) is Zero:
            return out, Zero.from_value(out)
        gx, gu = instantiate(gx), instantiate(gu)

        def count(vals):  # per update element: vals summed over its output position
            drop = dict(dimension_numbers=dn, indices_are_sorted=False,
                        unique_indices=False, mode=GatherScatterMode.FILL_OR_DROP)
            total = scatter_add_p.bind(full(x.shape, 0, x.dtype), indices, vals, **drop)
            return _gather_from(total, indices, dn, u.shape)

        before = _gather_from(x, indices, dn, u.shape)
        after = _gather_from(out, indices, dn, u.shape)
        won = _ew.eq(u, after)
        kept = _ew.eq(before, after)
        zeros_u = full(u.shape, 0, u.dtype)
        ones_u = full(u.shape, 1, u.dtype)
        n_won = count(_ew.select_n(won, zeros_u, ones_u))
        n_refs = count(ones_u)
        one = _scalar_like(u, 1)
        share_kept = _ew.div(one, _ew.add(n_won, one))  # the operand is one more winner
        u_coef = _ew.select_n(won, zeros_u,
                              _ew.select_n(kept, _ew.div(one, n_won), share_kept))
        # the operand's tangent is scattered in whole below; each update element takes
        # its share of the correction (its weight minus one) off again
        x_coef = _ew.div(_ew.sub(_ew.select_n(kept, zeros_u, share_kept), one), n_refs)
        t_u = _ew.add(_ew.mul(_gather_from(gx, indices, dn, u.shape), x_coef),
                      _ew.mul(gu, u_coef))
        return out, scatter_add_p.bind(gx, indices, t_u, dimension_numbers=dn,
                                       indices_are_sorted=indices_are_sorted,
                                       unique_indices=unique_indices, mode=mode)
    return jvp


jvp_rules[scatter_min_p] = _scatter_extremal_jvp(scatter_min_p)
jvp_rules[scatter_max_p] = _scatter_extremal_jvp(scatter_max_p)


def _bind_scatter(prim, operand, scatter_indices, updates, dimension_numbers,
                  indices_are_sorted, unique_indices, mode):
    if not isinstance(dimension_numbers, ScatterDimensionNumbers):
        raise type_error(
            f"{prim.name} dimension_numbers must be a ScatterDimensionNumbers, got "
            f"{type(dimension_numbers).__name__}")
    parsed = GatherScatterMode.from_any(mode)
    if parsed is GatherScatterMode.ONE_HOT:
        raise NotImplementedError(f"{prim.name} mode 'one_hot' is not supported by tinyjax")
    return prim.bind(asarray(operand), asarray(scatter_indices), asarray(updates),
                     dimension_numbers=dimension_numbers,
                     indices_are_sorted=bool(indices_are_sorted),
                     unique_indices=bool(unique_indices), mode=parsed)


def scatter(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers, *,
            indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """XLA's scatter: write each window of `updates` at its index vector (the last dim of
    `scatter_indices`). `mode=None` means FILL_OR_DROP: windows that do not fit are
    dropped. With duplicate indices the last update wins.

    >>> dn = ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
    ...                              scatter_dims_to_operand_dims=(0,))
    >>> lax.scatter(jnp.zeros(4), jnp.array([[1], [7]]), jnp.array([5.0, 6.0]), dn)
    Array([0., 5., 0., 0.], dtype=float32)
    """
    return _bind_scatter(scatter_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_add(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like `scatter`, but adds the updates (duplicates accumulate).

    >>> dn = ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
    ...                              scatter_dims_to_operand_dims=(0,))
    >>> lax.scatter_add(jnp.zeros(3), jnp.array([[1], [1]]), jnp.array([5.0, 6.0]), dn)
    Array([ 0., 11.,  0.], dtype=float32)
    """
    return _bind_scatter(scatter_add_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_sub(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like `scatter`, but subtracts the updates (duplicates accumulate).

    >>> lax.scatter_sub(jnp.zeros(3), jnp.array([[1], [1]]), jnp.ones(2), dn)  # doctest: +SKIP
    Array([ 0., -2.,  0.], dtype=float32)
    """
    return _bind_scatter(scatter_sub_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_mul(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like `scatter`, but multiplies by the updates (duplicates accumulate).

    >>> lax.scatter_mul(jnp.ones(3), jnp.array([[1], [1]]), jnp.array([2., 3.]), dn)  # doctest: +SKIP
    Array([1., 6., 1.], dtype=float32)
    """
    return _bind_scatter(scatter_mul_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_min(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like `scatter`, but keeps the minimum of the operand and all its updates.

    >>> lax.scatter_min(jnp.zeros(3), jnp.array([[1], [1]]), jnp.array([-2., 3.]), dn)  # doctest: +SKIP
    Array([ 0., -2.,  0.], dtype=float32)
    """
    return _bind_scatter(scatter_min_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)


def scatter_max(operand, scatter_indices, updates, dimension_numbers: ScatterDimensionNumbers,
                *, indices_are_sorted: bool = False, unique_indices: bool = False, mode=None):
    """Like `scatter`, but keeps the maximum of the operand and all its updates.

    >>> lax.scatter_max(jnp.zeros(3), jnp.array([[1], [1]]), jnp.array([-2., 3.]), dn)  # doctest: +SKIP
    Array([0., 3., 0.], dtype=float32)
    """
    return _bind_scatter(scatter_max_p, operand, scatter_indices, updates, dimension_numbers,
                         indices_are_sorted, unique_indices, mode)
