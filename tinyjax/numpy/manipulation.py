"""Shape manipulation: reshape, transpose and friends, joining and splitting,
tiling and repetition, flips and rolls, padding, insertion and deletion, index
conversion and diagonals. NumPy's signatures, JAX's semantics, written only in
terms of lax.

Everything that fixes an output shape (reshape sizes, split points, pad widths,
inserted/deleted indices, repeat counts without `total_repeat_length`) must be
static; values that only move data around (a roll's shift, a pad's constant,
a diagonal's fill value) may be traced.
"""
from __future__ import annotations

import builtins
import math
import operator
from collections.abc import Sequence

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.errors import ConcretizationTypeError
from ..core.trace import Tracer
from ..lax._base import type_error, value_error
from ._convert import asarray, check_arraylike, check_out, is_array, promote_dtypes
from .creation import broadcast_to, linspace

__all__ = [
    "append", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "block",
    "broadcast_arrays", "broadcast_shapes", "column_stack", "concat", "concatenate",
    "delete", "diag", "diag_indices", "diag_indices_from", "diagflat", "diagonal", "dsplit",
    "dstack", "expand_dims", "fill_diagonal", "flip", "fliplr", "flipud", "hsplit", "hstack",
    "insert", "mask_indices", "matrix_transpose", "moveaxis", "ndim", "pad", "permute_dims",
    "ravel", "ravel_multi_index", "repeat", "reshape", "resize", "roll", "rollaxis", "rot90",
    "row_stack", "shape", "size", "split", "squeeze", "stack", "swapaxes", "tile", "trace",
    "transpose", "tril_indices", "tril_indices_from", "trim_zeros", "triu_indices",
    "triu_indices_from", "unravel_index", "unstack", "vsplit", "vstack",
]

_INT32 = np.dtype(np.int32)


# ============================================================================= helpers

def _jnp():
    # Sibling families (reductions, sorting, indexing) are looked up at call time:
    # they import this module's names through tinyjax.numpy themselves.
    from .. import numpy as jnp
    return jnp


def _axis(axis, ndim: int, fun: str = "", what: str = "axis") -> int:
    """A static axis canonicalized into [0, ndim), with NumPy's error message."""
    if isinstance(axis, Tracer):
        raise ConcretizationTypeError(
            axis, f"The {what} argument of jnp.{fun} must be a static Python int. ")
    try:
        a = operator.index(axis)
    except TypeError:
        raise type_error(f"jnp.{fun}: {what} must be an integer, got {axis!r}") from None
    if not -ndim <= a < ndim:
        raise value_error(f"axis {a} is out of bounds for array of dimension {ndim}")
    return a + ndim if a < 0 else a


def _axes(axes, ndim: int, fun: str, what: str = "axis") -> tuple:
    """One axis or a sequence of axes, canonicalized (duplicates kept)."""
    if isinstance(axes, (tuple, list)):
        return tuple(_axis(a, ndim, fun, what) for a in axes)
    return (_axis(axes, ndim, fun, what),)


def _static_int(x, fun: str, what: str) -> int:
    """A Python int from a static value (a concrete 0-d array is accepted)."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(
                x, f"The {what} argument of jnp.{fun} must be static (a Python int). ")
        x = v
    if isinstance(x, float) or (hasattr(x, "dtype") and np.dtype(x.dtype).kind not in "iub"):
        raise type_error(f"jnp.{fun}: {what} must be an integer, got {x!r}")
    try:
        return operator.index(x) if not hasattr(x, "dtype") else int(np.asarray(x).item())
    except (TypeError, ValueError):
        raise type_error(f"jnp.{fun}: {what} must be an integer, got {x!r}") from None


def _concrete(x, fun: str, why: str) -> np.ndarray:
    """The concrete NumPy value of x, or ConcretizationTypeError if it is traced."""
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        if v is None:
            raise ConcretizationTypeError(x, f"jnp.{fun} {why} ")
        return np.asarray(v)
    return np.asarray(x)


def _slice_axis(x, axis: int, start: int, stop: int, step: int = 1):
    """x[..., start:stop:step, ...] along `axis` with static, in-range bounds."""
    if start == 0 and stop == x.shape[axis] and step == 1:
        return x
    starts = [0] * x.ndim
    limits = list(x.shape)
    strides = [1] * x.ndim
    starts[axis], limits[axis], strides[axis] = start, stop, step
    return lax.slice(x, starts, limits, None if step == 1 else strides)


def _take_static(x, idx, axis: int):
    """x[..., idx, ...] for a concrete 1-d integer index array (in range).

    Runs of consecutive indices become slices joined by one concatenate (the
    usual case for insert/delete/split); scattered indices become a gather.
    """
    idx = np.asarray(idx, dtype=np.int64).reshape(-1)
    n = len(idx)
    if n == x.shape[axis] and np.array_equal(idx, np.arange(n)):
        return x
    if n == 0:
        return _slice_axis(x, axis, 0, 0)
    breaks = np.nonzero(np.diff(idx) != 1)[0] + 1
    runs = np.split(idx, breaks)
    if len(runs) <= 8:
        return lax.concatenate([_slice_axis(x, axis, int(r[0]), int(r[-1]) + 1) for r in runs],
                               axis)
    return _gather_axis(x, asarray(idx.astype(np.int32)), axis)


def _gather_axis(x, idx, axis: int):
    """x[..., idx, ...] for a 1-d (possibly traced) integer index array; indices are
    clamped into range, as JAX's gathers are."""
    dn = lax.GatherDimensionNumbers(
        offset_dims=tuple(i for i in range(x.ndim) if i != axis),
        collapsed_slice_dims=(axis,), start_index_map=(axis,))
    sizes = tuple(1 if i == axis else d for i, d in enumerate(x.shape))
    return lax.gather(x, lax.reshape(idx, (idx.shape[0], 1)), dn, sizes,
                      mode=lax.GatherScatterMode.CLIP)


# ============================================================================= reshape & co

def _reshape_sizes(shape_in: tuple, size: int, newshape, fun: str = "reshape") -> tuple:
    if isinstance(newshape, Tracer) and newshape.to_concrete_value() is None:
        raise ConcretizationTypeError(newshape, f"The shape argument of jnp.{fun} must be "
                                                f"static. ")
    try:
        dims = (operator.index(newshape),)
    except TypeError:
        try:
            dims = tuple(newshape)
        except TypeError:
            raise type_error(f"jnp.{fun}: shape must be an int or a sequence of ints, "
                             f"got {newshape!r}") from None
        dims = tuple(_static_int(d, fun, "shape") for d in dims)
    if dims.count(-1) > 1:
        raise type_error(
            f"can only specify one unknown axis size with a `-1` value, got {dims}")
    known = math.prod(d for d in dims if d != -1)
    if any(d < -1 for d in dims):
        raise type_error(
            f"cannot reshape array of shape {shape_in} (size {size}) into shape {dims} "
            f"(size {math.prod(dims)})")
    if -1 in dims:
        if known == 0 or size % known:
            raise type_error(
                f"cannot reshape array of shape {shape_in} (size {size}) into shape {dims} "
                f"because the product of specified axis sizes ({known}) does not evenly "
                f"divide {size}")
        dims = tuple(size // known if d == -1 else d for d in dims)
    elif known != size:
        raise type_error(
            f"cannot reshape array of shape {shape_in} (size {size}) into shape {dims} "
            f"(size {known})")
    return dims


def reshape(a, shape=None, order: str = "C", *, newshape=None, copy=None):
    """Give `a` a new shape with the same number of elements; one dimension may be
    -1 (inferred). `order='F'` reads and writes the elements in column-major order.

    >>> reshape(jnp.arange(6), (2, -1))  # doctest: +SKIP
    Array([[0, 1, 2],
           [3, 4, 5]], dtype=int32)
    """
    if newshape is not None:
        if shape is not None:
            raise type_error("jnp.reshape got both 'shape' and the deprecated 'newshape'")
        shape = newshape
    if shape is None:
        raise type_error("jnp.reshape() missing required argument: 'shape'")
    check_arraylike("reshape", a)
    x = asarray(a)
    dims = _reshape_sizes(tuple(x.shape), x.size, shape)
    if order == "C":
        return lax.reshape(x, dims)
    if order == "F":
        rev_in = tuple(reversed(range(x.ndim)))
        rev_out = tuple(reversed(range(len(dims))))
        return lax.transpose(lax.reshape(x, tuple(reversed(dims)), rev_in or None), rev_out)
    if order == "A":
        raise NotImplementedError("np.reshape order=A is not implemented.")
    raise value_error(f"jnp.reshape: order must be one of 'C' or 'F', got {order!r}")


def ravel(a, order: str = "C"):
    """The elements of `a` as a 1-d array (row-major, or column-major with 'F').

    >>> ravel(jnp.ones((2, 3))).shape  # doctest: +SKIP
    (6,)
    """
    check_arraylike("ravel", a)
    if order == "K":
        raise NotImplementedError("Ravel not implemented for order='K'.")
    x = asarray(a)
    if order == "C" and x.ndim == 1:
        return x
    return reshape(x, (x.size,), order)


def transpose(a, axes: Sequence[int] | None = None):
    """Permute the axes of `a` (reverse them when `axes` is None).

    >>> transpose(jnp.ones((2, 3, 4)), (1, 0, 2)).shape  # doctest: +SKIP
    (3, 2, 4)
    """
    check_arraylike("transpose", a)
    x = asarray(a)
    if axes is None:
        perm = tuple(reversed(range(x.ndim)))
    else:
        if not isinstance(axes, (tuple, list)):
            axes = (axes,)
        perm = tuple(_axis(ax, x.ndim, "transpose") for ax in axes)
    return lax.transpose(x, perm)


def permute_dims(a, /, axes: tuple):
    """Array API spelling of `transpose(a, axes)`.

    >>> permute_dims(jnp.ones((2, 3)), (1, 0)).shape  # doctest: +SKIP
    (3, 2)
    """
    return transpose(a, axes)


def matrix_transpose(x, /):
    """Swap the last two axes (a batch of matrices transposed).

    >>> matrix_transpose(jnp.ones((5, 2, 3))).shape  # doctest: +SKIP
    (5, 3, 2)
    """
    check_arraylike("matrix_transpose", x)
    x = asarray(x)
    if x.ndim < 2:
        raise value_error(f"x must be at least two-dimensional for matrix_transpose; "
                          f"got ndim={x.ndim}")
    perm = tuple(range(x.ndim - 2)) + (x.ndim - 1, x.ndim - 2)
    return lax.transpose(x, perm)


def moveaxis(a, source, destination):
    """Move axes `source` to positions `destination`; the others keep their order.

    >>> moveaxis(jnp.ones((2, 3, 4)), 0, -1).shape  # doctest: +SKIP
    (3, 4, 2)
    """
    check_arraylike("moveaxis", a)
    x = asarray(a)
    src = _axes(source, x.ndim, "moveaxis", "source")
    dst = _axes(destination, x.ndim, "moveaxis", "destination")
    if len(src) != len(dst):
        raise value_error(f"Inconsistent number of elements: {len(src)} vs {len(dst)}")
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise value_error(f"jnp.moveaxis: repeated axis in source {source} or destination "
                          f"{destination}")
    perm = [i for i in range(x.ndim) if i not in src]
    for d, s in sorted(zip(dst, src)):
        perm.insert(d, s)
    return lax.transpose(x, tuple(perm))


def swapaxes(a, axis1: int, axis2: int):
    """Interchange two axes.

    >>> swapaxes(jnp.ones((2, 3, 4)), 0, 2).shape  # doctest: +SKIP
    (4, 3, 2)
    """
    check_arraylike("swapaxes", a)
    x = asarray(a)
    i = _axis(axis1, x.ndim, "swapaxes", "axis1")
    j = _axis(axis2, x.ndim, "swapaxes", "axis2")
    perm = list(range(x.ndim))
    perm[i], perm[j] = perm[j], perm[i]
    return lax.transpose(x, tuple(perm))


def rollaxis(a, axis: int, start: int = 0):
    """Roll `axis` backwards until it lies before position `start` (prefer moveaxis).

    >>> rollaxis(jnp.ones((2, 3, 4)), 2).shape  # doctest: +SKIP
    (4, 2, 3)
    """
    check_arraylike("rollaxis", a)
    x = asarray(a)
    n = x.ndim
    ax = _axis(axis, n, "rollaxis")
    start = operator.index(start)
    if not -n <= start <= n:
        raise value_error(f"start={start} must satisfy {-n}<=start<={n}")
    if start < 0:
        start += n
    if ax < start:
        start -= 1
    if ax == start:
        return x
    return moveaxis(x, ax, start)


def squeeze(a, axis: int | Sequence[int] | None = None):
    """Remove size-1 axes (all of them, or those listed in `axis`, which must be 1).

    >>> squeeze(jnp.ones((1, 3, 1))).shape  # doctest: +SKIP
    (3,)
    """
    check_arraylike("squeeze", a)
    x = asarray(a)
    if axis is None:
        dims = tuple(i for i, d in enumerate(x.shape) if d == 1)
    else:
        dims = _axes(axis, x.ndim, "squeeze")
    return lax.squeeze(x, dims)


def expand_dims(a, axis: int | Sequence[int]):
    """Insert size-1 axes at the positions `axis` of the result.

    >>> expand_dims(jnp.ones(3), (0, 2)).shape  # doctest: +SKIP
    (1, 3, 1)
    """
    check_arraylike("expand_dims", a)
    x = asarray(a)
    if not isinstance(axis, (tuple, list)):
        axis = (axis,)
    return lax.expand_dims(x, tuple(axis))


def _atleast(arys, nd: int, fun: str):
    out = []
    for a in arys:
        check_arraylike(fun, a)
        x = asarray(a)
        if x.ndim < nd:
            if nd == 3 and x.ndim == 1:
                x = lax.reshape(x, (1, x.shape[0], 1))
            elif nd == 3 and x.ndim == 2:
                x = lax.reshape(x, x.shape + (1,))
            else:
                x = lax.reshape(x, (1,) * (nd - x.ndim) + tuple(x.shape))
        out.append(x)
    return out[0] if len(out) == 1 else out


def atleast_1d(*arys):
    """View inputs as arrays of at least one dimension (one array, or a list).

    >>> atleast_1d(1.0)  # doctest: +SKIP
    Array([1.], dtype=float32, weak_type=True)
    """
    return _atleast(arys, 1, "atleast_1d")


def atleast_2d(*arys):
    """View inputs as arrays of at least two dimensions (new axes in front).

    >>> atleast_2d(jnp.ones(3)).shape  # doctest: +SKIP
    (1, 3)
    """
    return _atleast(arys, 2, "atleast_2d")


def atleast_3d(*arys):
    """View inputs as arrays of at least three dimensions: (N,) -> (1, N, 1),
    (M, N) -> (M, N, 1).

    >>> atleast_3d(jnp.ones((2, 3))).shape  # doctest: +SKIP
    (2, 3, 1)
    """
    return _atleast(arys, 3, "atleast_3d")


def broadcast_shapes(*shapes) -> tuple:
    """The shape that arrays of the given shapes broadcast to (NumPy's rules).

    >>> broadcast_shapes((2, 1), (3,))  # doctest: +SKIP
    (2, 3)
    """
    canon = []
    for s in shapes:
        try:
            canon.append((operator.index(s),))
        except TypeError:
            canon.append(tuple(operator.index(d) for d in s))
    ndim = max((len(s) for s in canon), default=0)
    out = []
    for i in range(ndim):
        ds = {s[len(s) - ndim + i] for s in canon if len(s) - ndim + i >= 0}
        big = ds - {1}
        if len(big) > 1:
            raise value_error(f"Incompatible shapes for broadcasting: shapes={canon}")
        out.append(big.pop() if big else 1)
    return tuple(out)


def broadcast_arrays(*args) -> list:
    """Broadcast arrays against each other (a list of arrays of one shape).

    >>> [x.shape for x in broadcast_arrays(jnp.ones((2, 1)), jnp.ones(3))]  # doctest: +SKIP
    [(2, 3), (2, 3)]
    """
    check_arraylike("broadcast_arrays", *args)
    xs = [asarray(a) for a in args]
    s = broadcast_shapes(*(x.shape for x in xs))
    return [broadcast_to(x, s) for x in xs]


# ============================================================================= joining

def _convert_all(fun: str, arrays, dtype):
    check_arraylike(fun, *arrays)
    if dtype is not None:
        dt = dtypes.canonicalize_dtype(dtype)
        return [asarray(a, dt) for a in arrays]
    return promote_dtypes(*arrays)


def _merge_leading(x, axis: int):
    """Concatenate the sub-arrays x[0], x[1], ... along `axis` (of the sub-arrays)."""
    k, rest = x.shape[0], tuple(x.shape[1:])
    y = moveaxis(x, 0, axis)
    return lax.reshape(y, rest[:axis] + (k * rest[axis],) + rest[axis + 1:])


def concatenate(arrays, axis: int | None = 0, dtype=None):
    """Join arrays along an existing axis (`axis=None` flattens them first); dtypes
    are promoted like arithmetic unless `dtype` is given.

    >>> concatenate([jnp.zeros(2), jnp.ones(1)])  # doctest: +SKIP
    Array([0., 0., 1.], dtype=float32)
    """
    if is_array(arrays) or isinstance(arrays, np.ndarray):
        x = asarray(arrays)
        if dtype is not None:
            x = asarray(x, dtype)
        if x.ndim == 0:
            raise value_error("Zero-dimensional arrays cannot be concatenated.")
        if axis is None:
            return ravel(x)
        if x.ndim == 1:
            raise value_error("Zero-dimensional arrays cannot be concatenated.")
        return _merge_leading(x, _axis(axis, x.ndim - 1, "concatenate"))
    arrays = list(arrays)
    if not arrays:
        raise value_error("Need at least one array to concatenate.")
    xs = _convert_all("concatenate", arrays, dtype)
    if axis is None:
        xs = [ravel(x) for x in xs]
        axis = 0
    if any(x.ndim == 0 for x in xs):
        raise value_error("Zero-dimensional arrays cannot be concatenated.")
    axis = _axis(axis, xs[0].ndim, "concatenate")
    return lax.concatenate(xs, axis)


def concat(arrays, /, *, axis: int | None = 0):
    """Array API spelling of `concatenate`.

    >>> concat([jnp.zeros(2), jnp.ones(1)])  # doctest: +SKIP
    Array([0., 0., 1.], dtype=float32)
    """
    return concatenate(arrays, axis)


def stack(arrays, axis: int = 0, out=None, dtype=None):
    """Join arrays of one shape along a new axis.

    >>> stack([jnp.zeros(2), jnp.ones(2)], axis=1).shape  # doctest: +SKIP
    (2, 2)
    """
    check_out("stack", out)
    if is_array(arrays) or isinstance(arrays, np.ndarray):
        x = asarray(arrays) if dtype is None else asarray(arrays, dtype)
        if x.ndim == 0:
            raise type_error("jnp.stack: len() of unsized object (a 0-d array)")
        return moveaxis(x, 0, _axis(axis, x.ndim, "stack"))
    arrays = list(arrays)
    if not arrays:
        raise value_error("Need at least one array to stack.")
    xs = _convert_all("stack", arrays, dtype)
    shapes = {tuple(x.shape) for x in xs}
    if len(shapes) != 1:
        raise value_error(f"All input arrays must have the same shape. Got "
                          f"{', '.join(str(tuple(x.shape)) for x in xs)}.")
    axis = _axis(axis, xs[0].ndim + 1, "stack")
    return lax.concatenate([lax.expand_dims(x, (axis,)) for x in xs], axis)


def _stack_family(fun: str, tup, dtype, reshape_fn, axis_fn):
    """vstack/hstack/dstack/column_stack: reshape each piece, then concatenate."""
    if is_array(tup) or isinstance(tup, np.ndarray):
        x = asarray(tup) if dtype is None else asarray(tup, dtype)
        if x.ndim == 0:
            raise type_error(f"jnp.{fun}: len() of unsized object (a 0-d array)")
        piece = reshape_fn(tuple(x.shape[1:]))
        x = lax.reshape(x, (x.shape[0],) + piece)
        return _merge_leading(x, axis_fn(len(piece)))
    tup = list(tup)
    if not tup:
        raise value_error(f"jnp.{fun}: need at least one array to concatenate.")
    xs = _convert_all(fun, tup, dtype)
    xs = [lax.reshape(x, reshape_fn(tuple(x.shape))) for x in xs]
    return lax.concatenate(xs, axis_fn(xs[0].ndim))


def _shape_2d(s):
    return (1, 1) if len(s) == 0 else (1,) + s if len(s) == 1 else s


def vstack(tup, dtype=None):
    """Stack arrays vertically (along axis 0, after making them at least 2-d).

    >>> vstack([jnp.ones(3), jnp.zeros(3)]).shape  # doctest: +SKIP
    (2, 3)
    """
    return _stack_family("vstack", tup, dtype, _shape_2d, lambda nd: 0)


row_stack = vstack


def hstack(tup, dtype=None):
    """Stack arrays horizontally (along axis 1, or axis 0 for 1-d arrays).

    >>> hstack([jnp.ones(2), jnp.zeros(3)]).shape  # doctest: +SKIP
    (5,)
    """
    return _stack_family("hstack", tup, dtype, lambda s: s if s else (1,),
                         lambda nd: 0 if nd == 1 else 1)


def dstack(tup, dtype=None):
    """Stack arrays depth-wise (along axis 2, after making them at least 3-d).

    >>> dstack([jnp.ones((2, 2)), jnp.zeros((2, 2))]).shape  # doctest: +SKIP
    (2, 2, 2)
    """
    def shape_3d(s):
        return (1, 1, 1) if not s else (1, s[0], 1) if len(s) == 1 else \
            s + (1,) if len(s) == 2 else s
    return _stack_family("dstack", tup, dtype, shape_3d, lambda nd: 2)


def column_stack(tup):
    """Stack 1-d arrays as columns of a 2-d array (2-d arrays are joined as is).

    >>> column_stack([jnp.ones(3), jnp.zeros(3)]).shape  # doctest: +SKIP
    (3, 2)
    """
    def shape_col(s):
        return (1, 1) if not s else (s[0], 1) if len(s) == 1 else s
    return _stack_family("column_stack", tup, None, shape_col, lambda nd: 1)


def block(arrays):
    """Assemble an array from nested lists of blocks: the innermost lists are
    joined along the last axis, the next along the second-to-last, and so on.

    >>> block([[jnp.ones((2, 2)), jnp.zeros((2, 1))], [jnp.ones((1, 3))]]).shape  # doctest: +SKIP
    (3, 3)
    """
    def depth(x, path):
        if isinstance(x, tuple):
            raise value_error(f"jax.numpy.block does not allow tuples, got {x!r} at "
                              f"arrays{path}")
        if isinstance(x, list):
            if not x:
                raise value_error("jax.numpy.block does not allow empty list arguments")
            ds = {depth(e, path + f"[{i}]") for i, e in enumerate(x)}
            if len(ds) != 1:
                raise value_error("Mismatched list depths in jax.numpy.block")
            return ds.pop() + 1
        return 0

    d = depth(arrays, "")
    if d == 0:
        check_arraylike("block", arrays)
        return asarray(arrays)
    leaves = []

    def collect(x):
        if isinstance(x, list):
            for e in x:
                collect(e)
        else:
            leaves.append(x)
    collect(arrays)
    check_arraylike("block", *leaves)
    promoted = iter(promote_dtypes(*leaves))
    rank = max(d, max(np.ndim(leaf) for leaf in leaves))

    def build(x, level):
        if not isinstance(x, list):
            y = next(promoted)
            return lax.reshape(y, (1,) * (rank - y.ndim) + tuple(y.shape)) \
                if y.ndim < rank else y
        parts = [build(e, level + 1) for e in x]
        return lax.concatenate(parts, rank - d + level)
    return build(arrays, 0)


# ============================================================================= splitting

def _split_points(fun: str, n: int, indices_or_sections, equal: bool) -> list:
    ios = indices_or_sections
    if isinstance(ios, Tracer) or isinstance(ios, np.ndarray) or hasattr(ios, "shape"):
        ios = _concrete(ios, fun, "needs concrete split indices or sections (they fix "
                                  "the output shapes).")
        ios = ios.item() if ios.ndim == 0 else [int(i) for i in ios]
    if isinstance(ios, (list, tuple)):
        pts = [0] + [_static_int(i, fun, "indices_or_sections") for i in ios] + [n]
        sizes = [b - a for a, b in zip(pts[:-1], pts[1:])]
        if any(s < 0 for s in sizes):
            raise value_error(f"Sizes passed to split must be nonnegative, got {sizes} "
                              f"(split points {list(ios)} on an axis of size {n})")
        return pts
    k = _static_int(ios, fun, "indices_or_sections")
    if k <= 0:
        raise value_error("number sections must be larger than 0.")
    if equal and n % k:
        raise value_error(f"array split does not result in an equal division: rest is "
                          f"{n % k}")
    q, r = divmod(n, k)
    sizes = [q + 1] * r + [q] * (k - r)
    return list(np.cumsum([0] + sizes))


def _split(fun, ary, ios, axis, equal) -> list:
    check_arraylike(fun, ary)
    x = asarray(ary)
    axis = _axis(axis, x.ndim, fun)
    pts = _split_points(fun, x.shape[axis], ios, equal)
    return [_slice_axis(x, axis, int(a), int(b)) for a, b in zip(pts[:-1], pts[1:])]


def split(ary, indices_or_sections, axis: int = 0) -> list:
    """Split into equal sections, or at the given (sorted, static) indices.

    >>> [p.shape for p in split(jnp.arange(6), [2, 5])]  # doctest: +SKIP
    [(2,), (3,), (1,)]
    """
    return _split("split", ary, indices_or_sections, axis, True)


def array_split(ary, indices_or_sections, axis: int = 0) -> list:
    """Like split, but a number of sections need not divide the axis: the first
    `n % sections` parts get one extra element.

    >>> [p.shape for p in array_split(jnp.arange(7), 3)]  # doctest: +SKIP
    [(3,), (2,), (2,)]
    """
    return _split("array_split", ary, indices_or_sections, axis, False)


def hsplit(ary, indices_or_sections) -> list:
    """split along axis 1 (axis 0 for 1-d arrays).

    >>> [p.shape for p in hsplit(jnp.ones((2, 4)), 2)]  # doctest: +SKIP
    [(2, 2), (2, 2)]
    """
    nd = np.ndim(ary)
    if nd == 0:
        raise value_error("hsplit only works on arrays of 1 or more dimensions")
    return _split("hsplit", ary, indices_or_sections, 1 if nd > 1 else 0, True)


def vsplit(ary, indices_or_sections) -> list:
    """split along axis 0.

    >>> [p.shape for p in vsplit(jnp.ones((4, 2)), 2)]  # doctest: +SKIP
    [(2, 2), (2, 2)]
    """
    if np.ndim(ary) == 0:
        raise value_error("vsplit only works on arrays of 1 or more dimensions")
    return _split("vsplit", ary, indices_or_sections, 0, True)


def dsplit(ary, indices_or_sections) -> list:
    """split along axis 2 (the array must have at least 3 dimensions).

    >>> [p.shape for p in dsplit(jnp.ones((1, 1, 4)), 2)]  # doctest: +SKIP
    [(1, 1, 2), (1, 1, 2)]
    """
    if np.ndim(ary) < 3:
        raise value_error("dsplit only works on arrays of 3 or more dimensions")
    return _split("dsplit", ary, indices_or_sections, 2, True)


def unstack(x, /, *, axis: int = 0) -> tuple:
    """The slices of x along `axis`, as a tuple (the inverse of stack).

    >>> [p.shape for p in unstack(jnp.ones((2, 3)), axis=1)]  # doctest: +SKIP
    [(2,), (2,), (2,)]
    """
    check_arraylike("unstack", x)
    x = asarray(x)
    if x.ndim == 0:
        raise value_error("Unstack requires arrays with rank > 0, however a scalar array "
                          "was passed.")
    axis = _axis(axis, x.ndim, "unstack")
    return tuple(lax.squeeze(_slice_axis(x, axis, i, i + 1), (axis,))
                 for i in range(x.shape[axis]))


# ============================================================================= tile & repeat

def tile(A, reps):
    """Repeat the whole array `reps` times along each axis.

    >>> tile(jnp.array([1, 2]), (2, 2))  # doctest: +SKIP
    Array([[1, 2, 1, 2],
           [1, 2, 1, 2]], dtype=int32)
    """
    check_arraylike("tile", A)
    x = asarray(A)
    try:
        reps = (operator.index(reps),)
    except TypeError:
        reps = tuple(_static_int(r, "tile", "reps") for r in reps)
    if any(r < 0 for r in reps):
        raise value_error(f"jnp.tile: reps must be non-negative, got {reps}")
    nd = max(len(reps), x.ndim)
    reps = (1,) * (nd - len(reps)) + reps
    s = (1,) * (nd - x.ndim) + tuple(x.shape)
    if all(r == 1 for r in reps):
        return lax.reshape(x, s)
    big = tuple(d for pair in zip(reps, s) for d in pair)
    y = lax.broadcast_in_dim(lax.reshape(x, s), big, tuple(range(1, 2 * nd, 2)))
    return lax.reshape(y, tuple(r * d for r, d in zip(reps, s)))


def _repeat_scalar(x, r: int, axis: int):
    if r == 1:
        return x
    n = x.shape[axis]
    shp = tuple(x.shape)
    big = shp[:axis + 1] + (r,) + shp[axis + 1:]
    dims = tuple(i if i <= axis else i + 1 for i in range(x.ndim))
    y = lax.broadcast_in_dim(x, big, dims)
    return lax.reshape(y, shp[:axis] + (n * r,) + shp[axis + 1:])


def _fit_length(x, axis: int, length: int):
    """Truncate, or extend with copies of the last element, to `length` along axis."""
    n = x.shape[axis]
    if length <= n:
        return _slice_axis(x, axis, 0, length)
    last = _slice_axis(x, axis, n - 1, n)
    shp = list(x.shape)
    shp[axis] = length - n
    return lax.concatenate([x, lax.broadcast_in_dim(last, tuple(shp), tuple(range(x.ndim)))],
                           axis)


def repeat(a, repeats, axis: int | None = None, *, total_repeat_length: int | None = None):
    """Repeat each element `repeats` times (an int, or one count per element along
    `axis`). Array `repeats` must be concrete unless `total_repeat_length` (the
    static output length) is given; extra output positions repeat the last element.

    >>> repeat(jnp.array([1, 2, 3]), jnp.array([1, 0, 2]))  # doctest: +SKIP
    Array([1, 3, 3], dtype=int32)
    """
    check_arraylike("repeat", a)
    x = asarray(a)
    if axis is None:
        x = ravel(x)
        axis = 0
    else:
        axis = _axis(axis, x.ndim, "repeat")
    if total_repeat_length is not None:
        total_repeat_length = _static_int(total_repeat_length, "repeat",
                                          "total_repeat_length")
    n = x.shape[axis]
    if isinstance(repeats, (int, np.integer)) and not isinstance(repeats, bool):
        r = operator.index(repeats)
        if r < 0:
            raise value_error(f"jnp.repeat: repeats must be non-negative, got {r}")
        out = _repeat_scalar(x, r, axis)
        if total_repeat_length is not None and n > 0:
            out = _fit_length(out, axis, total_repeat_length)
        return out
    if isinstance(repeats, float):
        raise type_error(f"jnp.repeat: repeats must be an integer, got {repeats!r}")
    if isinstance(repeats, (list, tuple)):
        repeats = np.asarray(repeats)
    check_arraylike("repeat", repeats)
    reps = asarray(repeats)
    if reps.dtype.kind not in "iu":
        raise type_error(f"jnp.repeat: repeats must have an integer dtype, got "
                         f"{reps.dtype.name}")
    if reps.ndim > 1 or (reps.ndim == 1 and reps.shape[0] not in (1, n)):
        raise value_error(f"jnp.repeat: repeats of shape {reps.shape} cannot be broadcast "
                          f"to the {n} elements along axis {axis}")
    concrete = reps.to_concrete_value() if total_repeat_length is None else None
    if total_repeat_length is None:
        if concrete is None:
            raise ConcretizationTypeError(
                reps, "jnp.repeat needs concrete repeats (they fix the output shape), or "
                      "the static output length as total_repeat_length=. ")
        counts = np.broadcast_to(np.asarray(concrete), (n,)).astype(np.int64)
        if (counts >= 0).all():
            if reps.ndim == 0 or len(set(counts.tolist())) == 1:
                return _repeat_scalar(x, int(counts[0]) if n else 0, axis)
            return _take_static(x, np.repeat(np.arange(n), counts), axis)
        # negative counts: JAX's result (the total is the plain sum of the counts)
        total_repeat_length = int(counts.sum())
        if total_repeat_length < 0:
            raise value_error(f"jnp.repeat: repeats {counts.tolist()} sum to a negative "
                              f"length")
    if n == 0:
        return x
    if total_repeat_length == 0:
        return _slice_axis(x, axis, 0, 0)
    if reps.ndim == 0 or reps.shape[0] == 1:
        reps = lax.broadcast_in_dim(lax.reshape(reps, ()), (n,), ())
    # Output position p reads element #{j < n-1 : ends_j <= p}, ends_j the end of
    # element j's run: scatter a 1 at each end (negative ends count from the back, as
    # indices do in JAX; ends past the output are dropped), then a cumsum.
    reps = lax.convert_element_type(reps, _INT32)
    length = total_repeat_length
    ends = _slice_axis(lax.cumsum(reps, 0), 0, 0, n - 1)
    ends = lax.select(lax.lt(ends, lax.full_like(ends, 0)),
                      lax.add(ends, lax.full_like(ends, length)), ends)
    marks = lax.scatter_add(
        lax.full((length,), 0, _INT32), lax.reshape(ends, (n - 1, 1)),
        lax.full((n - 1,), 1, _INT32),
        lax.ScatterDimensionNumbers(update_window_dims=(), inserted_window_dims=(0,),
                                    scatter_dims_to_operand_dims=(0,)),
        mode=lax.GatherScatterMode.FILL_OR_DROP)
    idx = lax.cumsum(marks, 0)
    return _gather_axis(x, idx, axis)


# ============================================================================= flips & rolls

def flip(m, axis: int | Sequence[int] | None = None):
    """Reverse the order of elements along `axis` (all axes when None).

    >>> flip(jnp.array([1, 2, 3]))  # doctest: +SKIP
    Array([3, 2, 1], dtype=int32)
    """
    check_arraylike("flip", m)
    x = asarray(m)
    dims = tuple(range(x.ndim)) if axis is None else _axes(axis, x.ndim, "flip")
    return lax.rev(x, dims)


def fliplr(m):
    """Reverse the order of columns (axis 1).

    >>> fliplr(jnp.eye(2))  # doctest: +SKIP
    Array([[0., 1.],
           [1., 0.]], dtype=float32)
    """
    return flip(m, 1)


def flipud(m):
    """Reverse the order of rows (axis 0).

    >>> flipud(jnp.array([1, 2]))  # doctest: +SKIP
    Array([2, 1], dtype=int32)
    """
    return flip(m, 0)


def rot90(m, k: int = 1, axes: tuple = (0, 1)):
    """Rotate by 90 degrees `k` times in the plane of `axes` (from the first axis
    towards the second).

    >>> rot90(jnp.array([[1, 2], [3, 4]]))  # doctest: +SKIP
    Array([[2, 4],
           [1, 3]], dtype=int32)
    """
    check_arraylike("rot90", m)
    x = asarray(m)
    axes = tuple(axes)
    if len(axes) != 2:
        raise value_error(f"jnp.rot90: len(axes) must be 2, got axes={axes}")
    a0, a1 = (_axis(ax, x.ndim, "rot90") for ax in axes)
    if a0 == a1:
        raise value_error("Axes must be different")
    k = _static_int(k, "rot90", "k") % 4
    if k == 0:
        return x
    if k == 2:
        return lax.rev(x, (a0, a1))
    perm = list(range(x.ndim))
    perm[a0], perm[a1] = perm[a1], perm[a0]
    if k == 1:
        return lax.transpose(lax.rev(x, (a1,)), tuple(perm))
    return lax.rev(lax.transpose(x, tuple(perm)), (a1,))


def roll(a, shift, axis: int | Sequence[int] | None = None):
    """Roll elements along axes: element i moves to i + shift (mod the size).
    `shift` may be traced; with `axis=None` the flattened array is rolled.

    >>> roll(jnp.arange(5), 2)  # doctest: +SKIP
    Array([3, 4, 0, 1, 2], dtype=int32)
    """
    check_arraylike("roll", a)
    x = asarray(a)
    if axis is None:
        return lax.reshape(roll(ravel(x), shift, 0), tuple(x.shape))
    axes = _axes(axis, x.ndim, "roll")
    if not isinstance(shift, (Tracer,)) or shift.to_concrete_value() is not None:
        sh = np.asarray(_concrete(shift, "roll", ""))
        if sh.dtype.kind not in "biuf":
            raise type_error(f"jnp.roll: shift must be numeric, got {shift!r}")
        sh = sh.astype(np.int64)
        if sh.ndim > 1:
            raise value_error(f"jnp.roll: shift must be a scalar or 1-d, got shape {sh.shape}")
        try:
            sh_b, ax_b = np.broadcast_arrays(sh, np.asarray(axes))
        except ValueError:
            raise value_error(f"jnp.roll: shift of shape {sh.shape} and {len(axes)} axes "
                              f"cannot be broadcast together") from None
        totals = {}
        for s, ax in zip(sh_b.reshape(-1).tolist(), ax_b.reshape(-1).tolist()):
            totals[ax] = totals.get(ax, 0) + s
        for ax, s in totals.items():
            n = x.shape[ax]
            if n == 0 or s % n == 0:
                continue
            s %= n
            x = lax.concatenate([_slice_axis(x, ax, n - s, n), _slice_axis(x, ax, 0, n - s)],
                                ax)
        return x
    # traced shifts: slice a window of size n out of [x, x] at start n - (shift mod n)
    sh = asarray(shift)
    if sh.ndim > 1:
        raise value_error(f"jnp.roll: shift must be a scalar or 1-d, got shape {sh.shape}")
    if sh.dtype.kind not in "iu":
        sh = lax.convert_element_type(sh, dtypes.default_int_dtype())
    m = sh.shape[0] if sh.ndim else 1
    if len(axes) != m and m != 1 and len(axes) != 1:
        raise value_error(f"jnp.roll: shift of shape {sh.shape} and {len(axes)} axes "
                          f"cannot be broadcast together")
    k = builtins.max(m, len(axes))
    shifts = [lax.reshape(_slice_axis(sh, 0, i if m > 1 else 0, (i if m > 1 else 0) + 1), ())
              if sh.ndim else sh for i in range(k)]
    axes = axes * k if len(axes) == 1 else axes
    totals = {}
    for s, ax in zip(shifts, axes):
        totals[ax] = s if ax not in totals else lax.add(totals[ax], s)
    rem = _jnp().remainder
    for ax, s in totals.items():
        n = x.shape[ax]
        if n == 0:
            continue
        start = lax.sub(lax.full_like(s, n), rem(s, lax.full_like(s, n)))
        x = lax.dynamic_slice_in_dim(lax.concatenate([x, x], ax), start, n, ax)
    return x


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


# ============================================================================= resize, append, insert, delete, trim

def resize(a, new_shape):
    """An array of `new_shape` filled with the elements of `a` (flattened), repeated
    cyclically as needed (zeros if `a` is empty).

    >>> resize(jnp.arange(3), (2, 2))  # doctest: +SKIP
    Array([[0, 1],
           [2, 0]], dtype=int32)
    """
    check_arraylike("resize", a)
    x = asarray(a)
    try:
        shp = (operator.index(new_shape),)
    except TypeError:
        shp = tuple(_static_int(d, "resize", "new_shape") for d in new_shape)
    if any(d < 0 for d in shp):
        raise value_error("all elements of `new_shape` must be non-negative")
    total = math.prod(shp)
    flat = ravel(x)
    if x.size == 0:
        return lax.full_like(x, 0, shape=shp)
    reps = -(-total // x.size)
    if reps > 1:
        flat = tile(flat, reps)
    return lax.reshape(_slice_axis(flat, 0, 0, total), shp)


def append(arr, values, axis: int | None = None):
    """`values` appended at the end of `arr` (both flattened when axis is None).

    >>> append(jnp.array([1, 2]), 3)  # doctest: +SKIP
    Array([1, 2, 3], dtype=int32)
    """
    check_arraylike("append", arr, values)
    if axis is None:
        return concatenate([ravel(arr), ravel(values)], 0)
    return concatenate([arr, values], axis)


def _index_obj(fun: str, obj, n: int):
    """A concrete insert/delete index object as (int ndarray, was_scalar)."""
    if isinstance(obj, slice):
        return np.arange(n)[obj], False
    if isinstance(obj, (list, tuple)):
        raise type_error(f"{fun} requires ndarray or scalar arguments, got {type(obj)} at "
                         f"position 1.")
    v = _concrete(obj, fun, "needs concrete (static) indices (they fix the output shape).")
    return v, v.ndim == 0


def insert(arr, obj, values, axis: int | None = None):
    """Insert `values` before the given index or indices along `axis` (the array
    is flattened when axis is None). Indices are static and clipped into range,
    as in JAX.

    >>> insert(jnp.array([1, 2, 3]), 1, 9)  # doctest: +SKIP
    Array([1, 9, 2, 3], dtype=int32)
    """
    check_arraylike("insert", arr, values)
    x = asarray(arr)
    if axis is None:
        x = ravel(x)
        axis = 0
    axis = _axis(axis, x.ndim, "insert")
    n = x.shape[axis]
    idx, scalar = _index_obj("insert", obj, n)
    if idx.ndim > 1:
        raise value_error(f"jnp.insert(): obj must be a slice, a one-dimensional array, or a "
                          f"scalar; got {obj}")
    if idx.dtype.kind not in "iu" and not (idx.size == 0 and not scalar):
        raise value_error(f"jnp.insert(): index array must be integer typed; got {obj}")
    idx = idx.astype(np.int64)
    vals = asarray(values, x.dtype)
    if vals.weak_type != x.weak_type:
        vals = lax.convert_element_type_p.bind(vals, new_dtype=x.dtype, weak_type=x.weak_type)
    if vals.ndim < x.ndim:
        vals = lax.reshape(vals, (1,) * (x.ndim - vals.ndim) + tuple(vals.shape))
    if scalar or idx.size == 1:
        # one index inserts `values` as a block (for a scalar index, the leading axis
        # of `values` runs along `axis`), as NumPy does
        if scalar:
            vals = moveaxis(vals, 0, axis)
        k = vals.shape[axis]
        idx = np.full((k,), idx.item(), np.int64)
    else:
        k = len(idx)
    target = list(x.shape)
    target[axis] = k
    try:
        vals = broadcast_to(vals, tuple(target))
    except ValueError:
        raise value_error(f"jnp.insert: values of shape {tuple(vals.shape)} cannot be "
                          f"broadcast to {tuple(target)}") from None
    if k == 0:
        return x
    idx = np.where(idx < 0, idx + n, idx).clip(0, n)
    order = np.argsort(idx, kind="stable")
    pos = np.empty(k, np.int64)
    pos[order] = idx[order] + np.arange(k)
    perm = np.empty(n + k, np.int64)
    is_new = np.zeros(n + k, bool)
    is_new[pos] = True
    perm[pos] = n + np.arange(k)
    perm[~is_new] = np.arange(n)
    return _take_static(lax.concatenate([x, vals], axis), perm, axis)


def delete(arr, obj, axis: int | None = None, *, assume_unique_indices: bool = False):
    """Remove the entries at the given (static) indices, or a slice or boolean
    mask, along `axis` (the array is flattened when axis is None).

    >>> delete(jnp.array([1, 2, 3, 4]), [0, 2])  # doctest: +SKIP
    Array([2, 4], dtype=int32)
    """
    check_arraylike("delete", arr)
    x = asarray(arr)
    if axis is None:
        x = ravel(x)
        axis = 0
    axis = _axis(axis, x.ndim, "delete")
    n = x.shape[axis]
    if isinstance(obj, (list, tuple)):
        obj = np.asarray(obj)
        if obj.size == 0:
            obj = obj.astype(np.int64)
    idx, _ = _index_obj("delete", obj, n)
    if idx.dtype == np.bool_:
        if idx.shape != (n,):
            raise value_error("np.delete(arr, obj): for boolean indices, obj must be "
                              "one-dimensional with length matching specified axis.")
        keep = ~idx
    else:
        if idx.dtype.kind not in "iu":
            raise value_error(f"np.delete(arr, obj): got obj.dtype={idx.dtype}; must be "
                              f"integer or bool.")
        idx = idx.reshape(-1).astype(np.int64)
        bad = (idx < -n) | (idx >= n)
        if bad.any():
            raise IndexError(f"index {int(idx[bad][0])} is out of bounds for axis {axis} with "
                             f"size {n}")
        keep = np.ones(n, bool)
        keep[np.where(idx < 0, idx + n, idx)] = False
    return _take_static(x, np.nonzero(keep)[0], axis)


def trim_zeros(filt, trim: str = "fb", axis: int | Sequence[int] | None = None):
    """Trim leading ('f') and/or trailing ('b') zeros (along every axis of an n-d
    array, or those in `axis`). The input must be concrete: the result's shape
    depends on its values.

    >>> trim_zeros(jnp.array([0, 0, 1, 2, 0]))  # doctest: +SKIP
    Array([1, 2], dtype=int32)
    """
    check_arraylike("trim_zeros", filt)
    x = asarray(filt)
    v = _concrete(x, "trim_zeros", "needs a concrete input: the output shape depends on "
                                   "its values.")
    if x.ndim == 0:
        return x
    t = trim.lower()
    front, back = "f" in t, "b" in t
    axes = range(x.ndim) if axis is None else _axes(axis, x.ndim, "trim_zeros")
    nz = v != 0
    for ax in sorted(set(axes)):
        n = x.shape[ax]
        other = tuple(i for i in range(x.ndim) if i != ax)
        hits = np.nonzero(nz.any(axis=other) if other else nz)[0]
        if len(hits) == 0:
            start, stop = 0, 0
        else:
            start = int(hits[0]) if front else 0
            stop = int(hits[-1]) + 1 if back else n
        x = _slice_axis(x, ax, start, stop)
    return x


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


# ============================================================================= introspection

def ndim(a) -> int:
    """The number of dimensions of `a` (arrays, scalars and nested sequences).

    >>> ndim([[1, 2]])  # doctest: +SKIP
    2
    """
    return len(shape(a))


def shape(a) -> tuple:
    """The shape of `a` as a tuple of ints.

    >>> shape([[1, 2]])  # doctest: +SKIP
    (1, 2)
    """
    if hasattr(a, "shape") and not isinstance(a, type):
        return tuple(a.shape)
    return tuple(np.shape(a))


def size(a, axis: int | Sequence[int] | None = None) -> int:
    """The number of elements of `a` (or along the given axis or axes).

    >>> size(jnp.ones((2, 3)), 1)  # doctest: +SKIP
    3
    """
    s = shape(a)
    if axis is None:
        return math.prod(s)
    return math.prod(s[ax] for ax in _axes(axis, len(s), "size"))
