"""Shape primitives: broadcast_in_dim, reshape, squeeze, transpose, rev, pad,
concatenate and iota, plus the functions JAX builds on them (broadcast,
broadcast_to_rank, expand_dims, broadcasted_iota, collapse, full, full_like,
zeros_like_array).

Each primitive is defined in one block: the primitive, its public function, its
shape rule, its eager (NumPy) implementation and its derivative rules (all of
these primitives are linear: a transpose rule each; iota has a zero JVP). Params and error messages
follow `jax.lax` 0.10 (without the `sharding` params). The public functions
skip the bind where JAX does (an identity transpose or reshape of an array
returns it unchanged), so jaxprs come out with the same equations as JAX's.
"""
from __future__ import annotations

import operator

import numpy as np

from ..core import batch_util as _batch_util
from ..core import dtypes
from ..core.array import Array
from ..core.errors import ConcretizationTypeError
from ..core.jaxpr import pp_param_rules
from ..core.trace import Tracer
from ..interpreters.ad import defjvp_zero, deflinear, is_undefined_primal
from ..interpreters.batching import batching_rules, bdim_at_front, matchaxis, not_mapped
from ._base import asarray, aval, def_primitive, type_error, value_error
from .elementwise import convert_element_type_p, convert_values, select_n, sub

__all__ = [
    'broadcast',
    'broadcast_in_dim',
    'broadcast_in_dim_p',
    'broadcast_to_rank',
    'broadcasted_iota',
    'collapse',
    'concatenate',
    'concatenate_p',
    'expand_dims',
    'full',
    'full_like',
    'iota',
    'iota_p',
    'pad',
    'pad_p',
    'reshape',
    'reshape_p',
    'rev',
    'rev_p',
    'squeeze',
    'squeeze_p',
    'transpose',
    'transpose_p',
    'zeros_like_array',
    'broadcast_shapes',
    'dtype',
    'empty',
    'split',
]


# ----------------------------------------------------------------------------- helpers

def _is_array(x) -> bool:
    """JAX's `isinstance(x, jax.Array)`: concrete arrays and tracers, not NumPy values."""
    return isinstance(x, (Array, Tracer))


def _static_ints(seq, fun: str, arg: str) -> tuple:
    """A user's static integer sequence as a tuple of Python ints (sign unchecked:
    the shape rules reject negative entries with JAX's messages)."""
    if isinstance(seq, (int, np.integer)) and not isinstance(seq, bool):
        seq = (seq,)
    try:
        items = tuple(seq)
    except TypeError:
        raise type_error(
            f"{fun} {arg} must be a sequence of integers, got {seq!r}.") from None
    out = []
    for d in items:
        if isinstance(d, Tracer):
            raise ConcretizationTypeError(
                d, f"The {arg} argument of lax.{fun} must be static (Python ints), "
                   f"got a traced value in {arg}.\n")
        try:
            out.append(operator.index(d))
        except TypeError:
            if arg in ("shape", "new_sizes"):
                raise type_error(
                    f"Shapes must be 1D sequences of concrete values of integer type, "
                    f"got {items}.") from None
            raise type_error(
                f"{fun} {arg} must have every element be an integer type, got "
                f"{tuple(type(x) for x in items)}.") from None
    return tuple(out)


def _static_int(d, fun: str, arg: str) -> int:
    if isinstance(d, Tracer):
        raise ConcretizationTypeError(
            d, f"The {arg} argument of lax.{fun} must be a static Python int.\n")
    try:
        return operator.index(d)
    except TypeError:
        raise type_error(f"{fun} {arg} must be an integer, got {d!r}.") from None


def _check_shapelike(fun: str, arg: str, obj) -> None:
    """Rule-side check of a shape-like param: a tuple of non-negative ints."""
    if not isinstance(obj, (tuple, list)):
        raise type_error(f"{fun} {arg} must be of type tuple/list/ndarray, got {type(obj)}.")
    if not all(isinstance(d, (int, np.integer)) for d in obj):
        raise type_error(
            f"{fun} {arg} must have every element be an integer type, got "
            f"{tuple(type(d) for d in obj)}.")
    if not all(d >= 0 for d in obj):
        raise type_error(f"{fun} {arg} must have every element be nonnegative, got {obj}.")


def _canonicalize_axis(axis, ndim: int) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise value_error(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis + ndim if axis < 0 else axis


def _contiguous(x: np.ndarray) -> np.ndarray:
    # (np.ascontiguousarray would turn a 0-d array into a 1-d one)
    return x if x.flags.c_contiguous else np.array(x, order="C")


def _user_dtype(dtype) -> np.dtype:
    return dtypes.canonicalize_dtype(dtype)


def _sum(x, axes):
    # (imported here: reductions' own rules build on this module)
    from .reductions import reduce_sum
    return reduce_sum(x, tuple(axes))


def _zero_scalar(dtype) -> Array:
    return Array(np.zeros((), dtype), False)


# ----------------------------------------------------------------------------- broadcast_in_dim

def _broadcast_in_dim_rule(x, *, shape, broadcast_dimensions):
    _check_shapelike("broadcast_in_dim", "shape", shape)
    _check_shapelike("broadcast_in_dim", "broadcast_dimensions", broadcast_dimensions)
    ndim = len(x.shape)
    if ndim != len(broadcast_dimensions):
        raise type_error(
            f"broadcast_in_dim broadcast_dimensions must have length equal to operand ndim; "
            f"got broadcast_dimensions {broadcast_dimensions} for operand ndim {ndim}.")
    if len(shape) < ndim:
        raise type_error(
            f"broadcast_in_dim target broadcast shape must have equal or higher rank to the "
            f"operand shape; got operand ndim {ndim} and target broadcast ndim {len(shape)}.")
    if not set(broadcast_dimensions) <= set(range(len(shape))):
        raise type_error(
            f"broadcast_in_dim broadcast_dimensions must be a subset of output dimensions, "
            f"got {broadcast_dimensions} for operand ndim {ndim} and shape {shape}.")
    if not all(x.shape[i] in (1, shape[d]) for i, d in enumerate(broadcast_dimensions)):
        raise type_error(
            f"broadcast_in_dim operand dimension sizes must either be 1, or be equal to "
            f"their corresponding dimensions in the target broadcast shape; got operand of "
            f"shape {x.shape}, target broadcast shape {shape}, broadcast_dimensions "
            f"{broadcast_dimensions}.")
    if len(set(broadcast_dimensions)) != len(broadcast_dimensions):
        raise type_error(
            f"broadcast_in_dim broadcast_dimensions must not contain duplicates, got "
            f"broadcast_dimensions {broadcast_dimensions}.")
    return aval(shape, x.dtype, x.weak_type)


def _broadcast_in_dim_impl(x, *, shape, broadcast_dimensions):
    # Operand dims may map to output dims out of order (an implicit transpose):
    # sort them into output order, then insert the new size-1 dims and broadcast.
    order = sorted(range(x.ndim), key=lambda i: broadcast_dimensions[i])
    xt = np.transpose(x, order)
    expanded = [1] * len(shape)
    for i in order:
        expanded[broadcast_dimensions[i]] = x.shape[i]
    return np.array(np.broadcast_to(xt.reshape(expanded), shape), order="C")


broadcast_in_dim_p = def_primitive("broadcast_in_dim", _broadcast_in_dim_rule,
                                   _broadcast_in_dim_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings
# as JAX prints it: the shape is in the output type; empty broadcast_dimensions hidden
pp_param_rules[broadcast_in_dim_p] = lambda params: (
    {"broadcast_dimensions": params["broadcast_dimensions"]}
    if params["broadcast_dimensions"] else {})


def _broadcast_in_dim_transpose(ct, x, *, shape, broadcast_dimensions):
    # Sum over the new dims and over the dims a size-1 operand dim was broadcast to,
    # put the surviving dims back in operand order, then restore the size-1 dims.
    in_shape = x.aval.shape
    unit = tuple(i for i, n in enumerate(in_shape) if n == 1)
    kept = [d for i, d in enumerate(broadcast_dimensions) if i not in unit]
    summed = [d for d in range(len(shape)) if d not in kept]
    big = [d for d in summed if shape[d] != 1]
    out = _sum(ct, big)
    if len(big) != len(summed):  # summing a size-1 dim is a reshape
        out = reshape(out, tuple(shape[d] for d in range(len(shape))
                                 if d in kept or (d not in big and d not in summed)))
    order = sorted(kept)
    out = transpose(out, tuple(order.index(d) for d in kept))
    return [expand_dims(out, unit) if unit else out]


deflinear(broadcast_in_dim_p, _broadcast_in_dim_transpose)


def _broadcast_in_dim_batch(vals, dims, *, shape, broadcast_dimensions):
    # The batch dim becomes a new output dim placed right after the output dim of the
    # operand dim before it, so broadcast_dimensions stay in order and nothing moves.
    (x,), (d,) = vals, dims
    bd = broadcast_dimensions
    q = bd[d - 1] + 1 if d > 0 else 0
    new_bd = (tuple(b + (b >= q) for b in bd[:d]) + (q,)
              + tuple(b + (b >= q) for b in bd[d:]))
    return broadcast_in_dim(x, shape[:q] + (x.shape[d],) + shape[q:], new_bd), q


batching_rules[broadcast_in_dim_p] = _broadcast_in_dim_batch


def broadcast_in_dim(operand, shape, broadcast_dimensions):
    """Broadcast `operand` to `shape`; operand dimension i becomes output dimension
    `broadcast_dimensions[i]` (size 1 or equal to it); other output dims are new.

    >>> lax.broadcast_in_dim(jnp.arange(3), (2, 3), (1,))  # doctest: +SKIP
    Array([[0, 1, 2],
           [0, 1, 2]], dtype=int32)
    """
    shape = _static_ints(shape, "broadcast_in_dim", "shape")
    dims = _static_ints(broadcast_dimensions, "broadcast_in_dim", "broadcast_dimensions")
    operand = asarray(operand)
    # The identity: JAX forwards the operand (its jaxprs have no equation for it).
    if tuple(operand.shape) == shape and dims == tuple(range(len(shape))):
        return operand
    return broadcast_in_dim_p.bind(operand, shape=shape, broadcast_dimensions=dims)


def broadcast(operand, sizes):
    """Add leading dimensions of the given `sizes`: the result has shape
    `(*sizes, *operand.shape)`.

    >>> lax.broadcast(jnp.ones(3), (2,)).shape  # doctest: +SKIP
    (2, 3)
    """
    sizes = _static_ints(sizes, "broadcast", "shape")
    if not sizes:
        return asarray(operand)
    shape = np.shape(operand)
    dims = tuple(range(len(sizes), len(sizes) + len(shape)))
    return broadcast_in_dim(operand, sizes + tuple(shape), dims)


def broadcast_to_rank(x, rank: int):
    """Add leading dimensions of size 1 to give `x` rank `rank`.

    >>> lax.broadcast_to_rank(jnp.ones(3), 3).shape  # doctest: +SKIP
    (1, 1, 3)
    """
    ndim = np.ndim(x)
    rank = _static_int(rank, "broadcast_to_rank", "rank")
    if ndim == rank:
        return asarray(x)
    return broadcast(x, (1,) * (rank - ndim))


def expand_dims(array, dimensions):
    """Insert dimensions of size 1 at the (output) positions `dimensions`.

    Built on broadcast_in_dim, as in JAX, so it traces to a broadcast_in_dim.

    >>> lax.expand_dims(jnp.ones((2, 3)), (0, 2)).shape  # doctest: +SKIP
    (1, 2, 1, 3)
    """
    given = dimensions
    dimensions = _static_ints(dimensions, "expand_dims", "dimensions")
    if len(set(dimensions)) != len(dimensions):
        raise value_error(f"repeated axis in lax.expand_dims: {given}")
    shape = np.shape(array)
    ndim_out = len(shape) + len(dimensions)
    dims = [_canonicalize_axis(d, ndim_out) for d in dimensions]
    if len(set(dims)) != len(dims):  # again after canonicalizing: (0, -3) on rank 1
        raise value_error(f"repeated axis in lax.expand_dims: {dims}")
    out_shape = list(shape)
    for d in sorted(dims):
        out_shape.insert(d, 1)
    kept = tuple(i for i in range(ndim_out) if i not in dims)
    return broadcast_in_dim(array, tuple(out_shape), kept)


# ----------------------------------------------------------------------------- reshape

def _reshape_rule(x, *, new_sizes, dimensions):
    if not all(d >= 0 for d in new_sizes):
        hint = (" lax.reshape does not infer a -1 dimension; use tinyjax.numpy.reshape "
                "for that." if -1 in new_sizes else "")
        raise type_error(f"reshape new_sizes must all be positive, got {new_sizes}.{hint}")
    if dimensions is not None and sorted(dimensions) != list(range(len(x.shape))):
        raise type_error(
            f"reshape dimensions must be a permutation of operand dimensions, got dimensions "
            f"{dimensions} for shape {x.shape}.")
    if int(np.prod(new_sizes, dtype=np.int64)) != x.size:
        raise type_error(
            f"reshape total size must be unchanged, got new_sizes {new_sizes} for shape "
            f"{x.shape}.")
    return aval(new_sizes, x.dtype, x.weak_type)


def _reshape_impl(x, *, new_sizes, dimensions):
    if dimensions is not None:
        x = np.transpose(x, dimensions)
    return _contiguous(x).reshape(new_sizes)


reshape_p = def_primitive("reshape", _reshape_rule, _reshape_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _reshape_transpose(ct, x, *, new_sizes, dimensions):
    in_shape = x.aval.shape
    if dimensions is None:
        return [reshape(ct, in_shape)]
    permuted = reshape(ct, tuple(in_shape[d] for d in dimensions))
    return [transpose(permuted, tuple(int(i) for i in np.argsort(dimensions)))]


deflinear(reshape_p, _reshape_transpose)


def _reshape_batch(vals, dims, *, new_sizes, dimensions):
    # Fold "batch dim first" into the reshape's own transposition (`dimensions`).
    (x,), (d,) = vals, dims
    perm = range(len(x.shape) - 1) if dimensions is None else dimensions
    full_perm = (d,) + tuple(p + (p >= d) for p in perm)
    return reshape(x, (x.shape[d],) + tuple(new_sizes), full_perm), 0


batching_rules[reshape_p] = _reshape_batch


def reshape(operand, new_sizes, dimensions=None):
    """Reshape `operand` to `new_sizes` (row-major order); with `dimensions`, first
    transpose the operand by that permutation.

    >>> lax.reshape(jnp.arange(6), (2, 3))  # doctest: +SKIP
    Array([[0, 1, 2],
           [3, 4, 5]], dtype=int32)
    >>> lax.reshape(jnp.arange(6).reshape(2, 3), (6,), (1, 0))  # doctest: +SKIP
    Array([0, 3, 1, 4, 2, 5], dtype=int32)
    """
    new_sizes = _static_ints(new_sizes, "reshape", "new_sizes")
    shape = tuple(np.shape(operand))
    if dimensions is None:
        dims, same_dims = None, True
    else:
        dims = _static_ints(dimensions, "reshape", "dimensions")
        same_dims = dims == tuple(range(len(shape)))
    # JAX binds a reshape of a 0-d array even when it is the identity; so do we.
    if shape and shape == new_sizes and same_dims and _is_array(operand):
        return operand
    return reshape_p.bind(asarray(operand), new_sizes=new_sizes,
                          dimensions=None if same_dims else dims)


def collapse(operand, start_dimension: int, stop_dimension: int | None = None):
    """Collapse dimensions [start_dimension, stop_dimension) into one (row-major);
    `stop_dimension=None` collapses through the last dimension.

    >>> lax.collapse(jnp.ones((2, 3, 4)), 0, 2).shape  # doctest: +SKIP
    (6, 4)
    """
    operand = asarray(operand)
    shape = tuple(operand.shape)
    lo, hi, _ = slice(start_dimension, stop_dimension).indices(len(shape))
    if hi < lo:
        raise value_error(
            f"Invalid dimension range passed to collapse: {shape}"
            f"[{start_dimension}:{stop_dimension}]")
    size = int(np.prod(shape[lo:hi], dtype=np.int64))
    return reshape(operand, shape[:lo] + (size,) + shape[hi:])


# ----------------------------------------------------------------------------- squeeze

def _squeeze_rule(x, *, dimensions):
    if len(set(dimensions)) != len(dimensions):
        raise value_error(f"dimensions are not unique: {dimensions}")
    if not all(0 <= d < len(x.shape) for d in dimensions):
        raise value_error(f"dimensions outside range [0, ndim): {dimensions}")
    if any(x.shape[d] != 1 for d in dimensions):
        raise value_error(
            f"cannot select an axis to squeeze out which has size not equal to one, got "
            f"shape={x.shape} and dimensions={dimensions}")
    return aval(tuple(s for i, s in enumerate(x.shape) if i not in dimensions),
                x.dtype, x.weak_type)


squeeze_p = def_primitive(
    "squeeze", _squeeze_rule,
    lambda x, *, dimensions: _contiguous(np.squeeze(x, axis=dimensions)),
    quiet_impl=False)  # moves data only: no floating-point warnings
deflinear(squeeze_p, lambda ct, x, *, dimensions: [expand_dims(ct, dimensions)])



def _squeeze_batch(vals, dims, *, dimensions):
    (x,), (d,) = vals, dims
    out = squeeze_p.bind(x, dimensions=tuple(a + (a >= d) for a in dimensions))
    return out, d - sum(1 for a in dimensions if a < d)


batching_rules[squeeze_p] = _squeeze_batch


def squeeze(array, dimensions):
    """Remove the size-1 dimensions listed in `dimensions` (negative values count
    from the end).

    >>> lax.squeeze(jnp.ones((1, 3, 1)), (0, -1)).shape  # doctest: +SKIP
    (3,)
    """
    ndim = np.ndim(array)
    dims = tuple(sorted(_canonicalize_axis(d, ndim)
                        for d in _static_ints(dimensions, "squeeze", "dimensions")))
    if not dims and _is_array(array):
        return array
    return squeeze_p.bind(asarray(array), dimensions=dims)


# ----------------------------------------------------------------------------- transpose

def _transpose_rule(x, *, permutation):
    if not isinstance(permutation, (tuple, list)):
        raise type_error(
            f"transpose permutation must be a tuple/list/ndarray, got {type(permutation)}.")
    if tuple(sorted(permutation)) != tuple(range(len(x.shape))):
        raise type_error(
            f"transpose permutation isn't a permutation of operand dimensions, got "
            f"permutation {permutation} for operand shape {x.shape}.")
    return aval(tuple(x.shape[i] for i in permutation), x.dtype, x.weak_type)


transpose_p = def_primitive(
    "transpose", _transpose_rule,
    lambda x, *, permutation: _contiguous(np.transpose(x, permutation)),
    quiet_impl=False)  # moves data only: no floating-point warnings
deflinear(transpose_p, lambda ct, x, *, permutation: [
    transpose(ct, tuple(int(i) for i in np.argsort(permutation)))])


def _transpose_batch(vals, dims, *, permutation):
    # the batch dim stays where it is; the other dims permute around it
    (x,), (d,) = vals, dims
    perm = [p + (p >= d) for p in permutation]
    perm.insert(d, d)
    return transpose(x, tuple(perm)), d


batching_rules[transpose_p] = _transpose_batch


def transpose(operand, permutation):
    """Permute the dimensions: output dimension i is operand dimension permutation[i].

    >>> lax.transpose(jnp.ones((2, 3, 4)), (2, 0, 1)).shape  # doctest: +SKIP
    (4, 2, 3)
    """
    permutation = _static_ints(permutation, "transpose", "permutation")
    if permutation == tuple(range(np.ndim(operand))) and _is_array(operand):
        return operand
    return transpose_p.bind(asarray(operand), permutation=permutation)


# ----------------------------------------------------------------------------- rev

def _rev_rule(x, *, dimensions):
    _check_shapelike("rev", "dimensions", dimensions)
    if len(set(dimensions)) != len(dimensions):
        raise type_error(f"rev dimensions must be unique, got {dimensions}.")
    if dimensions and not max(dimensions) < len(x.shape):
        raise type_error(
            f"rev dimensions must all be less than operand ndim, got dimensions {dimensions} "
            f"for operand ndim {len(x.shape)}.")
    return aval(x.shape, x.dtype, x.weak_type)


rev_p = def_primitive(
    "rev", _rev_rule,
    lambda x, *, dimensions: _contiguous(np.flip(x, dimensions)) if dimensions
    else x,
    quiet_impl=False)  # moves data only: no floating-point warnings
deflinear(rev_p, lambda ct, x, *, dimensions: [rev(ct, dimensions)])



def _rev_batch(vals, dims, *, dimensions):
    (x,), (d,) = vals, dims
    return rev_p.bind(x, dimensions=tuple(a + (a >= d) for a in dimensions)), d


batching_rules[rev_p] = _rev_batch


def rev(operand, dimensions):
    """Reverse the order of elements along each of `dimensions` (non-negative).

    >>> lax.rev(jnp.arange(3), (0,))  # doctest: +SKIP
    Array([2, 1, 0], dtype=int32)
    """
    return rev_p.bind(asarray(operand), dimensions=_static_ints(dimensions, "rev", "dimensions"))


# ----------------------------------------------------------------------------- pad

def _dilate_dim(d: int, interior: int) -> int:
    return 0 if d == 0 else 1 + (interior + 1) * (d - 1)


def _pad_rule(x, padding_value, *, padding_config):
    if padding_value.shape != ():
        raise value_error(
            f"padding_value must be a scalar; got np.shape(padding_value)="
            f"{padding_value.shape}")
    if len(padding_config) != len(x.shape):
        raise value_error(
            f"length of padding_config must equal the number of axes of operand, got "
            f"padding_config {padding_config} for operand shape {x.shape}")
    if not all(i >= 0 for _, _, i in padding_config):
        raise value_error(
            f"interior padding in padding_config must be nonnegative, got padding_config "
            f"{padding_config}")
    out = tuple(lo + hi + _dilate_dim(d, i) for (lo, hi, i), d in zip(padding_config, x.shape))
    if not all(d >= 0 for d in out):
        raise value_error(
            f"Dimension size after padding is not at least 0, got result shape {out}, for "
            f"padding_config {padding_config} and operand shape {x.shape}")
    if x.dtype != padding_value.dtype:
        raise type_error(
            f"pad operand and padding_value must be same dtype: got {x.dtype.name} and "
            f"{padding_value.dtype.name}.")
    return aval(out, x.dtype, x.weak_type and padding_value.weak_type)


def _pad_impl(x, padding_value, *, padding_config):
    # Pad with the positive parts of low/high around the interior-dilated operand,
    # then crop the negative parts off the ends (XLA's semantics).
    grown, place, crop = [], [], []
    for (lo, hi, interior), d in zip(padding_config, x.shape):
        dil = _dilate_dim(d, interior)
        start = max(lo, 0)
        n = start + dil + max(hi, 0)
        grown.append(n)
        place.append(slice(start, start + dil, interior + 1))
        crop.append(slice(max(-lo, 0), n - max(-hi, 0)))
    out = np.full(grown, padding_value, dtype=x.dtype)
    out[tuple(place)] = x
    return _contiguous(out[tuple(crop)])


pad_p = def_primitive("pad", _pad_rule, _pad_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _pad_transpose(ct, x, padding_value, *, padding_config):
    # The operand's cotangent: undo low/high (negative padding comes back as zeros),
    # then take every (interior + 1)-th element. The padding value went to every
    # output element that did not come from the operand.
    from .indexing import slice as _slice
    unpadded = pad(ct, _zero_scalar(ct.dtype), [(-lo, -hi, 0) for lo, hi, _ in padding_config])
    ct_x = _slice(unpadded, (0,) * unpadded.ndim, unpadded.shape,
                  tuple(i + 1 for _, _, i in padding_config))
    ct_pv = None
    if is_undefined_primal(padding_value):
        ct_pv = sub(_sum(ct, range(ct.ndim)), _sum(ct_x, range(ct_x.ndim)))
    return [ct_x if is_undefined_primal(x) else None, ct_pv]


deflinear(pad_p, _pad_transpose)


def _pad_batch(vals, dims, *, padding_config):
    x, padding_value = vals
    xd, pd = dims
    if xd is not_mapped:
        cfg = padding_config
    else:
        cfg = padding_config[:xd] + ((0, 0, 0),) + padding_config[xd:]
    if pd is not_mapped:
        return pad_p.bind(x, padding_value, padding_config=cfg), xd
    # A padding value per example: pad with zeros, then select each example's value
    # at the padded positions (a mask of them is the padding of an all-True operand).
    size = padding_value.shape[0]
    dtype = padding_value.dtype
    padded = pad_p.bind(x, _zero_scalar(dtype), padding_config=cfg)
    padded = bdim_at_front(padded, xd, size)
    in_shape = tuple(s for i, s in enumerate(x.shape) if i != xd)
    mask = pad_p.bind(broadcast(Array(np.ones((), bool), False), in_shape),
                      Array(np.zeros((), bool), False), padding_config=padding_config)
    out_shape = padded.shape
    mask = broadcast_in_dim(mask, out_shape, tuple(range(1, len(out_shape))))
    fill = broadcast_in_dim(padding_value, out_shape, (0,))
    return select_n(mask, fill, padded), 0


batching_rules[pad_p] = _pad_batch


def _padding_config(padding_config) -> tuple:
    try:
        cfg = tuple(tuple(_static_ints(t, "pad", "padding_config")) for t in padding_config)
    except TypeError:
        raise type_error(
            f"pad padding_config must be a sequence of (low, high, interior) integer "
            f"triples, got {padding_config!r}.") from None
    if not all(len(t) == 3 for t in cfg):
        raise type_error(
            f"pad padding_config must be a sequence of (low, high, interior) integer "
            f"triples, got {padding_config!r}.")
    return cfg


def pad(operand, padding_value, padding_config):
    """Pad `operand` with the scalar `padding_value`: `padding_config` gives one
    (low, high, interior) triple per dimension. Negative low/high remove elements;
    interior inserts that many values between neighbouring elements.

    >>> lax.pad(jnp.array([1, 2, 3]), 0, [(1, -1, 1)])  # doctest: +SKIP
    Array([0, 1, 0, 2, 0], dtype=int32)
    """
    return pad_p.bind(asarray(operand), asarray(padding_value),
                      padding_config=_padding_config(padding_config))


# ----------------------------------------------------------------------------- concatenate

def _concatenate_rule(*operands, dimension):
    if not operands:
        raise type_error("concatenate expects at least one operand, got 0.")
    shapes = ", ".join(str(tuple(o.shape)) for o in operands)
    if len({len(o.shape) for o in operands}) != 1:
        raise type_error(
            f"Cannot concatenate arrays with different numbers of dimensions: got {shapes}.")
    if not 0 <= dimension < len(operands[0].shape):
        raise type_error(
            f"concatenate dimension out of bounds: dimension {dimension} for shapes {shapes}.")
    rest = [o.shape[:dimension] + o.shape[dimension + 1:] for o in operands]
    if any(r != rest[0] for r in rest):
        raise type_error(
            f"Cannot concatenate arrays with shapes that differ in dimensions other than the "
            f"one being concatenated: concatenating along dimension {dimension} for shapes "
            f"{shapes}.")
    if any(o.dtype != operands[0].dtype for o in operands):
        raise type_error(
            f"lax.concatenate requires arguments to have the same dtypes, got "
            f"{', '.join(o.dtype.name for o in operands)}. (Tip: jnp.concatenate is a "
            f"similar function that does automatic type promotion on inputs).")
    s = operands[0].shape
    size = sum(o.shape[dimension] for o in operands)
    return aval(s[:dimension] + (size,) + s[dimension + 1:], operands[0].dtype,
                all(o.weak_type for o in operands))


concatenate_p = def_primitive(
    "concatenate", _concatenate_rule,
    lambda *xs, dimension: np.concatenate(xs, axis=dimension),
    quiet_impl=False)  # moves data only: no floating-point warnings


def _concatenate_transpose(ct, *operands, dimension):
    from .indexing import slice_in_dim
    out, start = [], 0
    for o in operands:
        size = (o.aval.shape if is_undefined_primal(o) else np.shape(o))[dimension]
        out.append(slice_in_dim(ct, start, start + size, axis=dimension)
                   if is_undefined_primal(o) else None)
        start += size
    return out


deflinear(concatenate_p, _concatenate_transpose)


def _concatenate_batch(vals, dims, *, dimension):
    # Every operand gets the batch dim where the first batched one has it (unbatched
    # operands are broadcast along it).
    d, size = next((d, v.shape[d]) for v, d in zip(vals, dims) if d is not not_mapped)
    args = [matchaxis(v, vd, d, size) for v, vd in zip(vals, dims)]
    return concatenate_p.bind(*args, dimension=dimension + (dimension >= d)), d


batching_rules[concatenate_p] = _concatenate_batch


def concatenate(operands, dimension: int):
    """Concatenate a sequence of arrays of one dtype along `dimension` (non-negative).

    >>> lax.concatenate([jnp.zeros(2), jnp.ones(1)], 0)  # doctest: +SKIP
    Array([0., 0., 1.], dtype=float32)
    """
    operands = list(operands)
    if not operands:
        raise value_error("concatenate requires a non-empty sequences of arrays")
    if len(operands) == 1 and _is_array(operands[0]):
        return operands[0]
    dimension = _static_int(dimension, "concatenate", "dimension")
    return concatenate_p.bind(*map(asarray, operands), dimension=dimension)


# ----------------------------------------------------------------------------- iota

def _iota_rule(*, dtype, shape, dimension):
    _check_shapelike("iota", "shape", shape)
    if dtype.kind not in "iuf":
        raise type_error(
            f"iota does not accept dtype {dtype.name}. Accepted dtypes are subtypes of "
            f"integer, floating.")
    if not 0 <= dimension < len(shape):
        raise value_error(
            f"iota dimension must be between 0 and len(shape), got dimension={dimension} for "
            f"shape={shape}")
    return aval(shape, dtype, False)


def _iota_impl(*, dtype, shape, dimension):
    # Count in int64 then convert: integers wrap and floats round as XLA's iota does.
    r = np.arange(shape[dimension], dtype=np.int64).astype(dtype)
    view = [1] * len(shape)
    view[dimension] = shape[dimension]
    return np.array(np.broadcast_to(r.reshape(view), shape))


iota_p = def_primitive("iota", _iota_rule, _iota_impl)  # quiet: float16 iota overflows
defjvp_zero(iota_p)
# (no batching rule: iota has no operands, so it is never batched)


def broadcasted_iota(dtype, shape, dimension: int):
    """An array of `shape` whose values count 0, 1, ... along `dimension`.

    >>> lax.broadcasted_iota(jnp.int32, (2, 3), 1)  # doctest: +SKIP
    Array([[0, 1, 2],
           [0, 1, 2]], dtype=int32)
    """
    dtype = _user_dtype(dtype)
    shape = _static_ints(shape, "broadcasted_iota", "shape")
    dimension = _static_int(dimension, "broadcasted_iota", "dimension")
    return iota_p.bind(dtype=dtype, shape=shape, dimension=dimension)


def iota(dtype, size: int):
    """The vector [0, 1, ..., size - 1] of dtype `dtype`.

    >>> lax.iota(jnp.int32, 4)  # doctest: +SKIP
    Array([0, 1, 2, 3], dtype=int32)
    """
    return broadcasted_iota(dtype, (size,), 0)


# ----------------------------------------------------------------------------- full

def _wrap_int(v: int, dtype: np.dtype):
    """A Python int converted the way JAX converts one (two's-complement wrap-around)."""
    if dtype.kind in "iu":
        bits = 8 * dtype.itemsize
        v %= 1 << bits
        if dtype.kind == "i" and v >= 1 << (bits - 1):
            v -= 1 << bits
        return np.array(v, dtype)
    if dtype == np.bool_:
        return np.array(v != 0)
    return np.array(float(v)).astype(dtype)


def _convert_fill(x, dtype: np.dtype, weak_type: bool):
    """`x` as a value of `dtype` with the weak-type flag `weak_type`: concrete
    scalars are converted now (so they stay jaxpr literals), arrays and tracers
    through convert_element_type."""
    if _is_array(x):
        if x.dtype == dtype and x.weak_type == weak_type:
            return x
        return convert_element_type_p.bind(x, new_dtype=dtype, weak_type=weak_type)
    if type(x) is int:
        return Array(_wrap_int(x, dtype), weak_type)
    v = np.asarray(x)
    if v.dtype == object or v.dtype.kind not in "biuf":
        raise type_error(f"fill_value {x!r} of type {type(x).__name__} is not a valid scalar")
    return Array(np.asarray(convert_values(v, dtype), dtype), weak_type)


def full(shape, fill_value, dtype=None):
    """An array of `shape` filled with the scalar `fill_value` (converted to
    `dtype` if given; otherwise of fill_value's dtype and weak type).

    >>> lax.full((2,), 1.5)  # doctest: +SKIP
    Array([1.5, 1.5], dtype=float32, weak_type=True)
    """
    shape = _static_ints(shape, "full", "shape")
    if np.shape(fill_value):
        raise type_error(
            f"full must be called with scalar fill_value, got fill_value.shape "
            f"{np.shape(fill_value)}.")
    if dtype is None:
        fill_dtype, weak = dtypes.dtype_and_weak(fill_value)
    else:
        fill_dtype, weak = _user_dtype(dtype), False
    return broadcast(_convert_fill(fill_value, fill_dtype, weak), shape)


def full_like(x, fill_value, dtype=None, shape=None):
    """An array like `x` (its shape and dtype, unless `shape` / `dtype` are given)
    filled with `fill_value`.

    >>> lax.full_like(jnp.zeros((2, 2), jnp.int8), 3)  # doctest: +SKIP
    Array([[3, 3],
           [3, 3]], dtype=int8)
    """
    fill_shape = tuple(np.shape(x)) if shape is None else _static_ints(shape, "full_like",
                                                                       "shape")
    x_dtype, x_weak = dtypes.dtype_and_weak(x)
    weak = dtype is None and x_weak
    fill_dtype = x_dtype if dtype is None else _user_dtype(dtype)
    if np.shape(fill_value):
        raise type_error(
            f"full must be called with scalar fill_value, got fill_value.shape "
            f"{np.shape(fill_value)}.")
    return full(fill_shape, _convert_fill(fill_value, fill_dtype, weak))


def zeros_like_array(x):
    """Zeros of x's shape, dtype and weak type (`full_like(x, 0)`).

    >>> lax.zeros_like_array(jnp.ones(2))  # doctest: +SKIP
    Array([0., 0.], dtype=float32)
    """
    return full_like(x, 0)


def broadcast_shapes(*shapes) -> tuple:
    """The shape NumPy-style broadcasting gives these shapes (lax.broadcast_shapes).

    >>> lax.broadcast_shapes((2, 1), (3,))  # doctest: +SKIP
    (2, 3)
    """
    try:
        return tuple(np.broadcast_shapes(*(tuple(s) for s in shapes)))
    except ValueError:
        raise value_error(
            f"Incompatible shapes for broadcasting: {', '.join(str(tuple(s)) for s in shapes)}"
        ) from None


def dtype(x, *, canonicalize: bool = False) -> np.dtype:
    """The dtype of an array or Python scalar (canonicalized for x64 if asked)."""
    dt = dtypes.dtype_and_weak(x)[0] if not hasattr(x, "dtype") else np.dtype(x.dtype)
    return dtypes.canonicalize_dtype(dt) if canonicalize else dt


def empty(dtype):
    """A 0-d array of `dtype` with an unspecified value (zero here)."""
    return full((), 0, dtype)


def split(operand, sizes, axis: int = 0):
    """Split `operand` along `axis` into pieces of the given static sizes.

    >>> [p.shape for p in lax.split(jnp.zeros((5, 2)), (2, 3))]  # doctest: +SKIP
    [(2, 2), (3, 2)]
    """
    from .indexing import slice_in_dim
    x = asarray(operand)
    if not -x.ndim <= axis < max(x.ndim, 1):
        raise value_error(f"split: axis {axis} is out of bounds for array of rank {x.ndim}")
    axis %= x.ndim
    sizes = tuple(operator.index(s) for s in sizes)
    if any(s < 0 for s in sizes) or sum(sizes) != x.shape[axis]:
        raise value_error(
            f"split: sizes must be non-negative and sum to the dimension size "
            f"{x.shape[axis]}, got {sizes}")
    out, start = [], 0
    for size in sizes:
        out.append(slice_in_dim(x, start, start + size, axis=axis))
        start += size
    return out



# ----------------------------------------------------------------------------- for vmap
# The batching interpreter moves and creates batch axes with these (core.batch_util).

def _moveaxis_for_batching(x, src: int, dst: int):
    nd = len(x.shape)
    src, dst = src % nd, dst % nd
    perm = [d for d in range(nd) if d != src]
    perm.insert(dst, src)
    return transpose(x, tuple(perm))


def _new_axis_for_batching(x, size: int, axis: int):
    x = asarray(x)
    nd = len(x.shape)
    shape = x.shape[:axis] + (size,) + x.shape[axis:]
    return broadcast_in_dim(x, shape, tuple(i if i < axis else i + 1 for i in range(nd)))


_batch_util.install(_moveaxis_for_batching, _new_axis_for_batching)
