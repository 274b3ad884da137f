"""NumPy-style indexing on tinyjax arrays: `x[idx]`, `x.at[idx].set(v)` and friends,
`take`, `take_along_axis`, `put`, `put_along_axis`. Written only in terms of lax.

How an index becomes lax operations:

- Basic indices (Python ints, slices, None, ...) become `slice`, `rev`, `squeeze`
  and `expand_dims`; traced scalar ints a `dynamic_slice`.
- Anything involving index arrays becomes one `gather` (for reads) or one scatter
  (for `.at[]` updates), following NumPy's rules for where the broadcast
  index-array dims go (in place when the advanced indices are adjacent, else first).

Out-of-bounds behaviour is JAX's: negative indices count from the end, then reads
clamp (`x[idx]`, `.at[idx].get()`) and updates are dropped (`.at[idx].set(v)`).
Boolean masks need concrete values; under tracing they raise
`NonConcreteBooleanIndexError`.
"""
from __future__ import annotations

import operator
import warnings

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.array import Array
from ..core.errors import user_location
from ..core.trace import Tracer
from ..lax.indexing import GatherDimensionNumbers, GatherScatterMode, ScatterDimensionNumbers
from ._convert import asarray, promote_dtypes

__all__ = ['put', 'put_along_axis', 'take', 'take_along_axis']

_INDEX_DTYPE = np.dtype(np.int32)


class NonConcreteBooleanIndexError(IndexError):
    """A boolean mask index was a traced value: its result shape would depend on data."""

    def __init__(self, tracer):
        super().__init__(
            f"Array boolean indices must be concrete; got {tracer.aval.str_short()} "
            f"(traced inside {tracer._trace_description()}). A boolean mask selects a "
            f"data-dependent number of elements, which cannot be traced."
            + user_location()
            + "\n  Use jnp.where(mask, x, fill) to keep the shape, or "
              "jnp.nonzero(mask, size=..., fill_value=...) with a static size.")


def _is_array(x) -> bool:
    return isinstance(x, (Array, Tracer))


def _const(value, dtype) -> Array:
    return Array(np.asarray(value).astype(dtype), False)


# ============================================================================= parsing

_SEQ_MSG = ("Using a non-tuple sequence for multidimensional indexing is not allowed; use "
            "`arr[array(seq)]` instead of `arr[seq]`. See "
            "https://github.com/jax-ml/jax/issues/4564 for more information.")


class _ScalarBool:
    __slots__ = ("value",)

    def __init__(self, value: bool):
        self.value = value


def _check_slice_part(v, idx):
    if v is None:
        return None
    if isinstance(v, Tracer):
        c = v.to_concrete_value()
        if c is None:
            raise IndexError(
                f"Slice entries must be static integers. Got {idx} with a traced value "
                f"({v.aval.str_short()})." + user_location()
                + "\n  Use lax.dynamic_slice / lax.dynamic_slice_in_dim for a slice at a "
                  "traced start, with a static size.")
        v = c
    try:
        return operator.index(v)
    except TypeError:
        raise TypeError(f"slice indices must be integers or None, got {idx}") from None


def _mask(m: np.ndarray):
    return _ScalarBool(bool(m)) if m.ndim == 0 else ("mask", m)


def _parse_entry(e, pos):
    """One element of an index tuple, canonicalized: None, Ellipsis, slice, Python int,
    _ScalarBool, an integer Array/Tracer, or ('mask', np.ndarray of bool)."""
    if e is None or e is Ellipsis:
        return e
    if isinstance(e, slice):
        step = _check_slice_part(e.step, e)
        if step == 0:
            raise ValueError("slice step cannot be zero")
        return slice(_check_slice_part(e.start, e), _check_slice_part(e.stop, e), step)
    if isinstance(e, (bool, np.bool_)):
        return _ScalarBool(bool(e))
    if isinstance(e, (int, np.integer)):
        return int(e)
    if isinstance(e, str):
        raise TypeError(f"tinyjax does not support string indexing; got idx={e!r}")
    if isinstance(e, (list, tuple)):
        if not e:
            return Array(np.zeros((0,), _INDEX_DTYPE), False)
        e = asarray(e)
    elif isinstance(e, (np.ndarray, np.generic)):
        if e.dtype.kind == "b":
            return _mask(np.asarray(e))
        if e.dtype.kind not in "iu":
            raise TypeError(
                f"Indexer must have integer or boolean type, got indexer with type "
                f"{e.dtype.name} at position {pos}, indexer value {e!r}")
        e = asarray(e)
    elif isinstance(e, float):
        raise TypeError(
            f"Indexer must have integer or boolean type, got indexer with type float64 at "
            f"position {pos}, indexer value {e!r}")
    elif not _is_array(e):
        raise IndexError(
            f"only integers, slices (`:`), ellipsis (`...`), newaxis (`None`) and integer "
            f"or boolean arrays are valid indices. Got {e!r}")
    if e.dtype.kind == "b":
        if isinstance(e, Tracer):
            c = e.to_concrete_value()
            if c is None:
                raise NonConcreteBooleanIndexError(e)
            return _mask(np.asarray(c))
        return _mask(np.asarray(e))
    if e.dtype.kind not in "iu":
        raise TypeError(
            f"Indexer must have integer or boolean type, got indexer with type "
            f"{e.dtype.name} at position {pos}")
    return e


def _consumed(e) -> int:
    if e is None or e is Ellipsis or isinstance(e, _ScalarBool):
        return 0
    if isinstance(e, tuple):
        return e[1].ndim
    return 1


def _parse_index(shape, idx):
    """Canonical entries for `shape`: Ellipsis expanded, masks turned into integer
    arrays, and a full slice for every dimension not indexed."""
    if not isinstance(idx, tuple):
        if isinstance(idx, list):
            raise TypeError(_SEQ_MSG)
        idx = (idx,)
    entries = [_parse_entry(e, i) for i, e in enumerate(idx)]
    n_ell = sum(e is Ellipsis for e in entries)
    if n_ell > 1:
        raise IndexError("an index can only have a single ellipsis ('...')")
    used = sum(_consumed(e) for e in entries)
    ndim = len(shape)
    if used > ndim:
        raise IndexError(
            f"Too many indices: array is {ndim}-dimensional, but {used} were indexed")
    out = []
    d = 0
    for i, e in enumerate(entries):
        if e is Ellipsis:
            out.extend([slice(None)] * (ndim - used))
            d += ndim - used
        elif isinstance(e, tuple):
            mask = e[1]
            dims = list(shape[d:d + mask.ndim])
            if list(mask.shape) != dims:
                raise IndexError(
                    f"boolean index did not match shape of indexed array in index {i}: "
                    f"got {mask.shape}, expected {dims}")
            for nz in np.nonzero(mask):
                out.append(Array(nz.astype(_INDEX_DTYPE), False))
            d += mask.ndim
        else:
            out.append(e)
            d += _consumed(e)
    out.extend([slice(None)] * (ndim - d))
    return out


def _expand_scalar_bools(x, entries):
    """NumPy treats a scalar bool as a new axis of length 1 (True) or 0 (False) indexed
    by an integer array; insert that axis into `x` and index it explicitly."""
    dims = []
    d = 0
    new = []
    for e in entries:
        if isinstance(e, _ScalarBool):
            dims.append(d)
            new.append(Array(np.zeros((1 if e.value else 0,), _INDEX_DTYPE), False))
            d += 1
        else:
            new.append(e)
            d += _consumed(e)
    if dims:
        x = lax.expand_dims(x, tuple(dims))
    return x, new, tuple(dims)


# ============================================================================= index arrays

def _index_array(i, n: int, wrap_negative: bool):
    """An integer index array as int32, negative values counting from the end (when
    `wrap_negative`); values beyond int32 saturate, so they stay out of bounds."""
    dt = i.dtype
    if dt.itemsize >= 4 and dt != _INDEX_DTYPE:
        info = np.iinfo(_INDEX_DTYPE)
        hi = _const(info.max, dt)
        if dt.kind == "i":
            i = lax.clamp(_const(info.min, dt), i, hi)
        else:
            i = lax.min(i, hi)
    if i.dtype != _INDEX_DTYPE:
        i = lax.convert_element_type(i, _INDEX_DTYPE)
    if wrap_negative and dt.kind == "i":
        i = lax.select_n(lax.lt(i, _const(0, _INDEX_DTYPE)), i,
                         lax.add(i, _const(n, _INDEX_DTYPE)))
    return i


def _static_index(i: int, n: int, wrap_negative: bool) -> int:
    info = np.iinfo(_INDEX_DTYPE)
    if wrap_negative and i < 0:
        i += n
    return min(max(i, int(info.min)), int(info.max))


def _broadcast_shapes(shapes):
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(
            f"Incompatible shapes for broadcasting: shapes={list(map(tuple, shapes))}"
        ) from None


class _Indexer:
    """An index expression as one gather / scatter over the operand."""

    __slots__ = ("indices", "offset_dims", "collapsed", "index_map", "slice_sizes",
                 "indexed_shape", "newaxis_dims", "static")


def _build_indexer(shape, entries, wrap_negative: bool) -> _Indexer:
    adv_pos = [p for p, e in enumerate(entries)
               if isinstance(e, int) or _is_array(e)]
    b_shape = _broadcast_shapes([np.shape(entries[p]) for p in adv_pos]) if adv_pos else ()
    adjacent = adv_pos == list(range(adv_pos[0], adv_pos[-1] + 1)) if adv_pos else True
    rank = len(shape)
    slice_sizes = [1] * rank
    layout = []   # output items in order: ("new",), ("win", d), ("adv",), ("iota", d, values)
    comps = {}    # operand dim -> ("adv", entry) | ("iota", np array) | ("const", int)
    d = 0
    adv_placed = False
    if adv_pos and not adjacent:
        layout.append(("adv",))
        adv_placed = True
    for e in entries:
        if e is None:
            layout.append(("new",))
            continue
        n = shape[d]
        if isinstance(e, slice):
            start, stop, step = e.indices(n)
            length = len(range(start, stop, step))
            if step == 1:
                layout.append(("win", d))
                slice_sizes[d] = length
                if start and length:
                    comps[d] = ("const", start)
            else:
                values = start + step * np.arange(length, dtype=np.int64)
                layout.append(("iota", d, length))
                comps[d] = ("iota", values)
        else:
            if not adv_placed:
                layout.append(("adv",))
                adv_placed = True
            comps[d] = ("adv", e)
            if n == 0 and int(np.prod(b_shape)) != 0:
                raise IndexError(
                    f"index is out of bounds for axis {d} with size 0: an empty axis cannot "
                    f"be indexed with integers")
        d += 1
    # the batch dims of the gather, in output order
    batch_shape = []
    adv_start = None
    iota_pos = {}
    out_shape = []
    offset_dims = []
    newaxis_dims = []
    for item in layout:
        if item[0] == "new":
            newaxis_dims.append(len(out_shape))
            out_shape.append(1)
        elif item[0] == "win":
            offset_dims.append(len(out_shape) - len(newaxis_dims))
            out_shape.append(slice_sizes[item[1]])
        elif item[0] == "adv":
            adv_start = len(batch_shape)
            batch_shape.extend(b_shape)
            out_shape.extend(b_shape)
        else:
            iota_pos[item[1]] = len(batch_shape)
            batch_shape.append(item[2])
            out_shape.append(item[2])
    batch_shape = tuple(batch_shape)
    nb = len(batch_shape)
    full = batch_shape + (1,)
    index_map = tuple(sorted(comps))
    # One index-vector component per indexed operand dim: known values are built in
    # NumPy (at most broadcast in the jaxpr); index arrays are normalized and broadcast.
    parts = []
    for dim in index_map:
        kind, val = comps[dim]
        if kind == "adv" and not isinstance(val, int):
            arr = _index_array(val, shape[dim], wrap_negative)
            first = adv_start + len(b_shape) - arr.ndim
            parts.append(lax.broadcast_in_dim(arr, full, tuple(range(first, first + arr.ndim))))
        elif kind == "iota":
            parts.append(val.reshape([len(val) if p == iota_pos[dim] else 1 for p in range(nb)]
                                     + [1]))
        else:
            v = val if kind == "const" else _static_index(val, shape[dim], wrap_negative)
            parts.append(np.full((1,) * len(full), v, np.int64))
    static = all(isinstance(p, np.ndarray) for p in parts)
    if static:
        host = [np.broadcast_to(p, full) for p in parts]
        indices = Array((np.concatenate(host, nb) if host else np.zeros(full[:-1] + (0,)))
                        .astype(_INDEX_DTYPE), False)
    else:
        parts = [lax.broadcast_in_dim(Array(p.astype(_INDEX_DTYPE), False), full,
                                      tuple(range(len(full))))
                 if isinstance(p, np.ndarray) else p for p in parts]
        indices = parts[0] if len(parts) == 1 else lax.concatenate(parts, nb)
    ix = _Indexer()
    ix.indices = indices
    ix.offset_dims = tuple(offset_dims)
    ix.collapsed = tuple(sorted(dim for dim, (kind, _) in comps.items() if kind != "const"))
    ix.index_map = index_map
    ix.slice_sizes = tuple(slice_sizes)
    ix.indexed_shape = tuple(out_shape)
    ix.newaxis_dims = tuple(newaxis_dims)
    # Only static ints and slices with positive steps: sorted, unique index vectors.
    ix.static = static and all(
        not (isinstance(e, slice) and e.indices(1)[2] < 0) for e in entries)
    return ix


# ============================================================================= getitem

def _basic_getitem(x, entries, wrap_negative):
    """Static ints (clamped into range), slices and None via slice / rev / squeeze /
    expand_dims, plus dynamic_slice for traced scalar indices."""
    shape = x.shape
    starts, limits, strides = [], [], []
    rev_dims, squeeze_dims, dyn = [], [], {}
    newaxis = []
    d = 0
    out_pos = 0
    for e in entries:
        if e is None:
            newaxis.append(out_pos)
            out_pos += 1
            continue
        n = shape[d]
        if isinstance(e, slice):
            start, stop, step = e.indices(n)
            length = len(range(start, stop, step))
            if step > 0:
                lo, hi, k = start, start + max(length - 1, 0) * step + (1 if length else 0), step
            else:
                lo = start + (length - 1) * step if length else 0
                hi, k = (start + 1 if length else 0), -step
                rev_dims.append(d)
            starts.append(lo)
            limits.append(hi)
            strides.append(k)
            out_pos += 1
        elif isinstance(e, int):
            if n == 0:
                raise IndexError(f"index {e} is out of bounds for axis {d} with size 0")
            i = min(max(e + n if (wrap_negative and e < 0) else e, 0), n - 1)
            starts.append(i)
            limits.append(i + 1)
            strides.append(1)
            squeeze_dims.append(d)
        else:  # 0-d traced or concrete integer array
            if n == 0:
                raise IndexError(f"index is out of bounds for axis {d} with size 0")
            starts.append(0)
            limits.append(n)
            strides.append(1)
            dyn[d] = e
            squeeze_dims.append(d)
        d += 1
    out = x
    if tuple(starts) != (0,) * len(shape) or tuple(limits) != tuple(shape) or \
            any(k != 1 for k in strides):
        out = lax.slice(out, starts, limits,
                        None if all(k == 1 for k in strides) else strides)
    if dyn:
        zero = _const(0, _INDEX_DTYPE)
        idx = [_index_array(dyn[k], shape[k], wrap_negative) if k in dyn else zero
               for k in range(len(shape))]
        sizes = [1 if k in dyn else out.shape[k] for k in range(len(shape))]
        out = lax.dynamic_slice(out, idx, sizes, allow_negative_indices=False)
    if squeeze_dims:
        out = lax.squeeze(out, tuple(squeeze_dims))
    if rev_dims:
        # positions of the reversed dims after squeezing
        kept = [k for k in range(len(shape)) if k not in squeeze_dims]
        out = lax.rev(out, tuple(kept.index(k) for k in rev_dims))
    if newaxis:
        out = lax.expand_dims(out, tuple(newaxis))
    return out


def _rewriting_take(arr, idx, *, indices_are_sorted=False, unique_indices=False, mode=None,
                    fill_value=None, wrap_negative_indices=True):
    x = asarray(arr)
    entries = _parse_index(x.shape, idx)
    parsed_mode = GatherScatterMode.from_any(
        GatherScatterMode.PROMISE_IN_BOUNDS if mode is None else mode)
    if not any(isinstance(e, _ScalarBool) or (_is_array(e) and e.ndim) for e in entries) \
            and parsed_mode is not GatherScatterMode.FILL_OR_DROP:
        return _basic_getitem(x, entries, wrap_negative_indices)
    x, entries, _ = _expand_scalar_bools(x, entries)
    ix = _build_indexer(x.shape, entries, wrap_negative_indices)
    if 0 in ix.indexed_shape:
        return lax.full(ix.indexed_shape, 0, x.dtype)
    dn = GatherDimensionNumbers(offset_dims=ix.offset_dims, collapsed_slice_dims=ix.collapsed,
                                start_index_map=ix.index_map)
    out = lax.gather(x, ix.indices, dn, ix.slice_sizes,
                     indices_are_sorted=indices_are_sorted or ix.static,
                     unique_indices=unique_indices or ix.static,
                     mode=parsed_mode, fill_value=fill_value)
    if ix.newaxis_dims:
        out = lax.expand_dims(out, ix.newaxis_dims)
    return out


def getitem(arr, idx):
    """NumPy-style `arr[idx]` (what `Array.__getitem__` calls).

    Ints, slices (any step), None, `...`, integer arrays (broadcast together, placed
    by NumPy's rules) and concrete boolean masks. Out-of-bounds integer indices clamp,
    as in JAX (NumPy would raise).

    >>> x = jnp.arange(12).reshape(3, 4)
    >>> getitem(x, (slice(None, None, -1), jnp.array([0, 3])))
    Array([[ 8, 11],
           [ 4,  7],
           [ 0,  3]], dtype=int32)
    """
    return _rewriting_take(arr, idx)


# ============================================================================= scatter updates

def _broadcast_to(y, shape):
    if y.shape == tuple(shape):
        return y
    if y.ndim > len(shape):
        raise ValueError(
            f"Cannot broadcast to shape with fewer dimensions: arr_shape={y.shape} "
            f"shape={tuple(shape)}")
    lead = len(shape) - y.ndim
    for a, b in zip(y.shape, shape[lead:]):
        if a not in (1, b):
            raise ValueError(
                f"Incompatible shapes for broadcasting: input shape={y.shape} and requested "
                f"shape={tuple(shape)}")
    return lax.broadcast_in_dim(y, tuple(shape), tuple(range(lead, len(shape))))


def _scatter_update(x, idx, y, scatter_fn, *, indices_are_sorted=False, unique_indices=False,
                    mode=None, wrap_negative_indices=True):
    x = asarray(x)
    dtype, weak = x.dtype, x.weak_type
    y_arr = asarray(y)
    if dtypes.result_type(x, y_arr) != dtype:
        warnings.warn(
            f"scatter inputs have incompatible types: cannot safely cast value from "
            f"dtype={y_arr.dtype} to dtype={dtype}. In future JAX releases this will result "
            f"in an error.", FutureWarning, stacklevel=3)
    entries = _parse_index(x.shape, idx)
    original = x
    x, entries, bool_dims = _expand_scalar_bools(x, entries)
    ix = _build_indexer(x.shape, entries, wrap_negative_indices)
    if 0 in ix.indexed_shape:
        return original
    xp, yp = promote_dtypes(x, y_arr)
    yp = _broadcast_to(yp, ix.indexed_shape)
    if ix.newaxis_dims:
        yp = lax.squeeze(yp, ix.newaxis_dims)
    dn = ScatterDimensionNumbers(update_window_dims=ix.offset_dims,
                                 inserted_window_dims=ix.collapsed,
                                 scatter_dims_to_operand_dims=ix.index_map)
    out = scatter_fn(xp, ix.indices, yp, dn,
                     indices_are_sorted=indices_are_sorted or ix.static,
                     unique_indices=unique_indices or ix.static, mode=mode)
    return _restore(out, bool_dims, dtype, weak)


def _restore(out, bool_dims, dtype, weak):
    if bool_dims:
        out = lax.squeeze(out, bool_dims)
    if out.dtype != dtype or out.weak_type != weak:
        out = lax.convert_element_type_p.bind(out, new_dtype=dtype, weak_type=weak)
    return out


class IndexUpdateRef:
    """`x.at[idx]`: functional versions of the in-place updates `x[idx] op= v`.

    Out-of-bounds updates are dropped (mode=None means 'drop'); `mode='clip'` clamps
    the indices instead. Negative indices count from the end unless
    `wrap_negative_indices=False`.

    >>> jnp.zeros(3).at[1].add(5.0)
    Array([0., 5., 0.], dtype=float32)
    """

    __slots__ = ("array", "index")

    def __init__(self, array, index):
        self.array = array
        self.index = index

    def __repr__(self):
        return f"_IndexUpdateRef({self.array!r}, {self.index!r})"

    def get(self, *, indices_are_sorted=False, unique_indices=False, mode=None,
            fill_value=None, wrap_negative_indices=True):
        """`x[idx]`, with JAX's options: `mode='fill'` returns `fill_value` (default NaN
        / min int / max uint / True) for out-of-bounds indices; 'clip' clamps."""
        return _rewriting_take(self.array, self.index, indices_are_sorted=indices_are_sorted,
                               unique_indices=unique_indices, mode=mode,
                               fill_value=fill_value,
                               wrap_negative_indices=wrap_negative_indices)

    def _update(self, values, fn, indices_are_sorted, unique_indices, mode,
                wrap_negative_indices):
        return _scatter_update(self.array, self.index, values, fn,
                               indices_are_sorted=indices_are_sorted,
                               unique_indices=unique_indices, mode=mode,
                               wrap_negative_indices=wrap_negative_indices)

    def set(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            wrap_negative_indices=True):
        """`x[idx] = values` (with repeated indices, the last value wins)."""
        return self._update(values, lax.scatter, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def add(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            wrap_negative_indices=True):
        """`x[idx] += values` (repeated indices accumulate)."""
        return self._update(values, lax.scatter_add, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def subtract(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 wrap_negative_indices=True):
        """`x[idx] -= values` (repeated indices accumulate)."""
        return self._update(values, lax.scatter_sub, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def multiply(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
                 wrap_negative_indices=True):
        """`x[idx] *= values` (repeated indices accumulate)."""
        return self._update(values, lax.scatter_mul, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    mul = multiply

    def divide(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
               wrap_negative_indices=True):
        """`x[idx] /= values`: `x / ones_like(x).at[idx].multiply(values)`, as in JAX
        (so the result has true-division's dtype)."""
        from . import ufuncs
        x = asarray(self.array)
        ones = lax.full_like(x, 1)
        den = _scatter_update(ones, self.index, values, lax.scatter_mul,
                              indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode,
                              wrap_negative_indices=wrap_negative_indices)
        return ufuncs.divide(x, den)

    def power(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
              wrap_negative_indices=True):
        """`x[idx] **= values`: `x ** ones_like(x).at[idx].multiply(values)`, as in JAX."""
        from . import ufuncs
        x = asarray(self.array)
        ones = lax.full_like(x, 1)
        exp = _scatter_update(ones, self.index, values, lax.scatter_mul,
                              indices_are_sorted=indices_are_sorted,
                              unique_indices=unique_indices, mode=mode,
                              wrap_negative_indices=wrap_negative_indices)
        return ufuncs.power(x, exp)

    def min(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            wrap_negative_indices=True):
        """`x[idx] = minimum(x[idx], values)` (over all repeated indices)."""
        return self._update(values, lax.scatter_min, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)

    def max(self, values, *, indices_are_sorted=False, unique_indices=False, mode=None,
            wrap_negative_indices=True):
        """`x[idx] = maximum(x[idx], values)` (over all repeated indices)."""
        return self._update(values, lax.scatter_max, indices_are_sorted, unique_indices, mode,
                            wrap_negative_indices)


class IndexUpdateHelper:
    """The object behind `x.at`: `x.at[idx]` gives an `IndexUpdateRef`.

    >>> jnp.arange(4).at[jnp.array([0, 0, 5])].add(10)   # 5 is out of bounds: dropped
    Array([20,  1,  2,  3], dtype=int32)
    """

    __slots__ = ("array",)

    def __init__(self, array):
        self.array = array

    def __getitem__(self, index) -> IndexUpdateRef:
        return IndexUpdateRef(self.array, index)

    def __repr__(self):
        return f"_IndexUpdateHelper({self.array!r})"


_IndexUpdateHelper = IndexUpdateHelper
_IndexUpdateRef = IndexUpdateRef


# ============================================================================= take & co

def _check_int_indices(name, indices):
    if indices.dtype.kind not in "iu":
        raise TypeError(f"{name} indices must be of integer type, got {indices.dtype.name}")


def _ravel(x):
    return x if x.ndim == 1 else lax.reshape(x, (x.size,))


def _canonical_axis(axis, ndim, name):
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"{name}: axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _floor_mod(i, n):
    """i mod n with a non-negative result (n > 0), in i's dtype."""
    nn = _const(n, i.dtype)
    r = lax.rem(i, nn)
    if i.dtype.kind == "i":
        r = lax.select_n(lax.lt(r, _const(0, i.dtype)), r, lax.add(r, nn))
    return r


def take(a, indices, axis=None, out=None, mode=None, unique_indices=False,
         indices_are_sorted=False, fill_value=None):
    """Elements of `a` at `indices` along `axis` (flattened `a` when axis is None).

    mode None / 'fill': out-of-bounds indices give `fill_value` (NaN for floats);
    'clip' clamps; 'wrap' wraps around. Negative indices count from the end
    (except under 'clip', where they clamp to 0, as in JAX).

    >>> jnp.take(jnp.array([1.0, 2.0, 3.0]), jnp.array([0, -1, 7]))
    Array([ 1.,  3., nan], dtype=float32)
    """
    if out is not None:
        raise NotImplementedError("The 'out' argument to jnp.take is not supported.")
    a = asarray(a)
    indices = asarray(indices)
    _check_int_indices("take", indices)
    if axis is None:
        a = _ravel(a)
        axis = 0
    else:
        axis = _canonical_axis(axis, a.ndim, "take")
    n = a.shape[axis]
    if mode is None or mode == "fill":
        gmode = GatherScatterMode.FILL_OR_DROP
        indices = _index_array(indices, n, True)
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.take is not supported.")
    elif mode == "wrap":
        gmode = GatherScatterMode.PROMISE_IN_BOUNDS
        if n:
            indices = _index_array(_floor_mod(indices, n), n, False)
    elif mode == "clip":
        gmode = GatherScatterMode.CLIP
        indices = _index_array(indices, n, False)
    else:
        raise ValueError(f"Invalid mode '{mode}' for np.take")
    out_shape = a.shape[:axis] + indices.shape + a.shape[axis + 1:]
    if n == 0:
        if indices.size != 0:
            raise IndexError("Cannot do a non-empty jnp.take() from an empty axis.")
        return lax.full(out_shape, 0, a.dtype)
    if indices.size == 0:
        return lax.full(out_shape, 0, a.dtype)
    k = indices.ndim
    slice_sizes = a.shape[:axis] + (1,) + a.shape[axis + 1:]
    dn = GatherDimensionNumbers(
        offset_dims=tuple(range(axis)) + tuple(range(axis + k, a.ndim + k - 1)),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    idx = lax.expand_dims(indices, (k,))
    return lax.gather(a, idx, dn, slice_sizes, mode=gmode, fill_value=fill_value,
                      unique_indices=unique_indices, indices_are_sorted=indices_are_sorted)


def take_along_axis(arr, indices, axis=-1, mode=None, fill_value=None, *,
                    wrap_negative_indices=None):
    """`arr` indexed along `axis` by `indices` of the same rank (other dims broadcast),
    as `np.take_along_axis`. Out-of-bounds indices give `fill_value` (mode None/'fill').

    >>> x = jnp.array([[10, 30, 20], [60, 40, 50]])
    >>> jnp.take_along_axis(x, jnp.argsort(x, axis=1), axis=1)
    Array([[10, 20, 30],
           [40, 50, 60]], dtype=int32)
    """
    a = asarray(arr)
    indices = asarray(indices)
    _check_int_indices("take_along_axis", indices)
    if axis is None:
        if indices.ndim != 1:
            raise ValueError(
                f"take_along_axis indices must be 1D if axis=None, got shape {indices.shape}")
        a = _ravel(a)
        axis = 0
    rank = a.ndim
    if rank != indices.ndim:
        raise ValueError(
            f"indices and arr must have the same number of dimensions; {indices.ndim} vs. "
            f"{rank}")
    axis = _canonical_axis(axis, rank, "take_along_axis")
    idx_shape = indices.shape
    arr_shape = a.shape[:axis] + (1,) + a.shape[axis + 1:]
    out_shape = _broadcast_shapes([idx_shape, arr_shape])
    n = a.shape[axis]
    if n == 0:
        return lax.full(out_shape, 0, a.dtype)
    if wrap_negative_indices is None:
        wrap_negative_indices = mode != "promise_in_bounds"
    indices = _index_array(indices, n, wrap_negative_indices)
    slice_sizes, offset_dims, obd, ibd, squeeze, keep = [], [], [], [], [], []
    new_i = j = 0
    for i in range(rank):
        if i == axis:
            slice_sizes.append(1)
            start = new_i
            keep.append(i)
            new_i += 1
            j += 1
        elif idx_shape[i] == 1:
            # the whole arr dim is a window: no index needed
            offset_dims.append(i)
            slice_sizes.append(a.shape[i])
            new_i += 1
        elif a.shape[i] == 1:
            # arr broadcasts along the index dim: drop it from arr
            squeeze.append(i)
            keep.append(i)
            j += 1
        else:
            slice_sizes.append(min(a.shape[i], 1))
            obd.append(new_i)
            ibd.append(j)
            keep.append(i)
            new_i += 1
            j += 1
    if squeeze:
        a = lax.squeeze(a, tuple(squeeze))
    gidx = lax.reshape(indices, tuple(idx_shape[i] for i in keep) + (1,))
    dn = GatherDimensionNumbers(offset_dims=tuple(offset_dims), collapsed_slice_dims=(start,),
                                start_index_map=(start,), operand_batching_dims=tuple(obd),
                                start_indices_batching_dims=tuple(ibd))
    return lax.gather(a, gidx, dn, tuple(slice_sizes),
                      mode="fill" if mode is None else mode, fill_value=fill_value)


def _tile_to_size(v, n):
    if v.size == n:
        return v
    if v.size > n:
        return lax.slice(v, (0,), (n,))
    reps = -(-n // v.size)
    return lax.slice(lax.concatenate([v] * reps, 0), (0,), (n,))


def put(a, ind, v, mode=None, *, inplace=True):
    """`a` with `a.flat[ind] = v` (v repeated as needed), as `np.put` but returning a new
    array: pass `inplace=False`. Indices are clipped into range by default (as JAX).

    >>> jnp.put(jnp.zeros(4), jnp.array([0, 2]), 1.0, inplace=False)
    Array([1., 0., 1., 0.], dtype=float32)
    """
    if inplace:
        raise ValueError(
            "jax.numpy.put cannot modify arrays in-place, because JAX arrays are immutable. "
            "Pass inplace=False to instead return an updated array.")
    arr = asarray(a)
    ind = _ravel(asarray(ind))
    _check_int_indices("put", ind)
    vals = _ravel(asarray(v))
    if not arr.size or not ind.size or not vals.size:
        return arr
    vals = _tile_to_size(vals, ind.size)
    size = arr.size
    if mode is None:
        smode = "drop"
        # unravel_index clips into [-size, size), then negatives count from the end
        ind = _index_array(ind, size, False)
        ind = lax.clamp(_const(-size, _INDEX_DTYPE), ind, _const(size - 1, _INDEX_DTYPE))
        ind = lax.select_n(lax.lt(ind, _const(0, _INDEX_DTYPE)), ind,
                           lax.add(ind, _const(size, _INDEX_DTYPE)))
    elif mode == "clip":
        smode = "promise_in_bounds"
        ind = _index_array(ind, size, False)
        ind = lax.clamp(_const(0, _INDEX_DTYPE), ind, _const(size - 1, _INDEX_DTYPE))
    elif mode == "wrap":
        smode = "promise_in_bounds"
        ind = _index_array(_floor_mod(ind, size), size, False)
    elif mode == "raise":
        raise NotImplementedError("The 'raise' mode to jnp.put is not supported.")
    else:
        raise ValueError(f"mode should be one of 'wrap' or 'clip'; got {mode=}")
    coords = []
    for k, dim in enumerate(arr.shape):
        stride = int(np.prod(arr.shape[k + 1:], dtype=np.int64))
        c = lax.div(ind, _const(stride, _INDEX_DTYPE)) if stride != 1 else ind
        coords.append(lax.rem(c, _const(dim, _INDEX_DTYPE)) if k else c)
    return IndexUpdateHelper(arr)[tuple(coords)].set(vals, mode=smode)


def put_along_axis(arr, indices, values, axis, inplace=True, *, mode=None):
    """`arr` with `values` written at `indices` along `axis` (the inverse of
    take_along_axis); pass `inplace=False`.

    >>> jnp.put_along_axis(jnp.zeros((2, 2)), jnp.array([[1], [0]]), 5.0, 1, inplace=False)
    Array([[0., 5.],
           [5., 0.]], dtype=float32)
    """
    if inplace:
        raise ValueError(
            "jax.numpy.put_along_axis cannot modify arrays in-place, because JAX arrays "
            "are immutable. Pass inplace=False to instead return an updated array.")
    a = asarray(arr)
    indices = asarray(indices)
    _check_int_indices("put_along_axis", indices)
    values = asarray(values)
    original_shape = a.shape
    if axis is None:
        a = _ravel(a)
        axis = 0
    if a.ndim != indices.ndim:
        raise ValueError(
            f"put_along_axis arguments 'arr' and 'indices' must have same ndim. Got "
            f"arr.ndim={a.ndim} and indices.ndim={indices.ndim}.")
    axis = _canonical_axis(axis, a.ndim, "put_along_axis")
    try:
        values = _broadcast_to(values, indices.shape)
    except ValueError:
        raise ValueError(
            f"put_along_axis argument 'values' must be broadcastable to 'indices'. Got "
            f"values.shape={values.shape} and indices.shape={indices.shape}.") from None
    idx = []
    for i in range(a.ndim):
        if i == axis:
            idx.append(indices)
        else:
            shp = [1] * a.ndim
            shp[i] = a.shape[i]
            idx.append(Array(np.arange(a.shape[i], dtype=_INDEX_DTYPE).reshape(shp), False))
    out = IndexUpdateHelper(a)[tuple(idx)].set(values, mode=mode)
    if out.shape != original_shape:
        out = lax.reshape(out, original_shape)
    return out
