"""Shape manipulation: reshape, transpose and friends, joining and splitting,
tiling and repetition, flips and rolls, insertion and deletion (padding lives in
padding.py, diagonals and index conversion in index_tricks.py). NumPy's
signatures, JAX's semantics, written only in terms of lax.

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
from .creation import broadcast_to

__all__ = [
    "append", "array_split", "atleast_1d", "atleast_2d", "atleast_3d", "block",
    "broadcast_arrays", "broadcast_shapes", "column_stack", "concat", "concatenate", "delete",
    "dsplit", "dstack", "expand_dims", "flip", "fliplr", "flipud", "hsplit", "hstack",
    "insert", "matrix_transpose", "moveaxis", "ndim", "permute_dims", "ravel", "repeat",
    "reshape", "resize", "roll", "rollaxis", "rot90", "row_stack", "shape", "size", "split",
    "squeeze", "stack", "swapaxes", "tile", "transpose", "trim_zeros", "unstack", "vsplit",
    "vstack",
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
