"""Shared machinery for defining lax primitives: registration, operand coercion,
shape-rule helpers and errors that point at the user's line."""
from __future__ import annotations

import numpy as np

from ..core import dtypes
from ..core.abstract import ShapedArray
from ..core.array import Array
from ..core.errors import user_location
from ..core.trace import Primitive, Tracer, abstract_eval_rules
from ..interpreters.eval import array_impl_rules, impl_rules, quiet


def def_primitive(name: str, abstract_eval, impl=None, *, multiple_results: bool = False,
                  quiet_impl: bool = True, array_impl=None) -> Primitive:
    """Create a primitive with its shape/dtype rule and eager implementation.

    `impl` works on NumPy arrays (see interpreters.eval); `quiet_impl` silences
    NumPy floating-point warnings, as JAX has none. `array_impl` instead works on
    tinyjax values (for primitives that call other primitives).
    """
    p = Primitive(name, multiple_results)
    abstract_eval_rules[p] = abstract_eval
    if impl is not None:
        impl_rules[p] = quiet(impl) if quiet_impl else impl
    if array_impl is not None:
        array_impl_rules[p] = array_impl
    return p


def type_error(msg: str) -> TypeError:
    return TypeError(msg + user_location())


def value_error(msg: str) -> ValueError:
    return ValueError(msg + user_location())


def shape_str(shapes) -> str:
    return ", ".join(str(tuple(s)) for s in shapes)


def dtype_str(dts) -> str:
    return ", ".join(np.dtype(d).name for d in dts)


def asarray(x):
    """Operand coercion for lax: arrays and tracers pass; NumPy values and Python
    scalars become Arrays (Python scalars weakly typed, in their default dtype)."""
    if isinstance(x, (Array, Tracer)):
        return x
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        dt, weak = dtypes.dtype_and_weak(x)
        if dt.kind in "iu" and not isinstance(x, bool):
            dtypes.check_python_int(x, dt)
        return Array(np.array(x, dtype=dt), weak)
    if isinstance(x, (np.ndarray, np.generic)):
        dt = dtypes.canonicalize_dtype(x.dtype)
        return Array(np.array(x, dtype=dt), False)
    if isinstance(x, (list, tuple)):
        raise type_error(
            f"lax operations take arrays, not {type(x).__name__}s; "
            f"use tinyjax.numpy.asarray({type(x).__name__}) first"
        )
    if hasattr(x, "__array__"):
        v = np.asarray(x)
        return Array(np.array(v, dtype=dtypes.canonicalize_dtype(v.dtype)), False)
    raise type_error(f"value {x!r} of type {type(x).__name__} is not a valid array")


def canonical_shape(shape, what: str = "shape") -> tuple:
    """Check a static shape: a tuple of non-negative Python ints."""
    try:
        shape = tuple(shape)
    except TypeError:
        shape = (shape,)
    out = []
    for d in shape:
        if isinstance(d, Tracer):
            from ..core.errors import ConcretizationTypeError
            raise ConcretizationTypeError(
                d, f"The {what} argument must be static (Python ints), got a traced value. "
            )
        try:
            di = int(d.__index__())
        except (AttributeError, TypeError):
            raise type_error(f"{what} must be a tuple of integers, got {shape!r}") from None
        if di < 0:
            raise value_error(f"{what} has a negative dimension: {shape!r}")
        out.append(di)
    return tuple(out)


def canonical_axis(axis: int, ndim: int, what: str = "axis") -> int:
    a = int(axis)
    if not -ndim <= a < max(ndim, 1) or (ndim == 0 and a not in (0, -1)):
        raise value_error(f"{what} {axis} is out of bounds for array of rank {ndim}")
    return a % ndim if ndim else 0


def broadcast_shapes_lax(name: str, *shapes) -> tuple:
    """lax's elementwise broadcasting: equal ranks with size-1 dims, or rank-0 operands."""
    nonscalar = [s for s in shapes if len(s)]
    if not nonscalar:
        return ()
    ranks = {len(s) for s in nonscalar}
    if len(ranks) != 1:
        raise type_error(
            f"{name}: arrays must have the same number of dimensions, got shapes "
            f"{shape_str(shapes)}. Use broadcast_in_dim or tinyjax.numpy, which broadcasts."
        )
    out = []
    for ds in zip(*nonscalar):
        big = {d for d in ds if d != 1}
        if len(big) > 1:
            raise type_error(
                f"{name} got incompatible shapes for broadcasting: {shape_str(shapes)}."
            )
        out.append(big.pop() if big else 1)
    return tuple(out)


def aval(shape, dtype, weak_type=False) -> ShapedArray:
    return ShapedArray(tuple(shape), np.dtype(dtype), weak_type)


def split_list(seq, *sizes) -> list:
    """`seq` cut into consecutive pieces of the given sizes, plus the rest."""
    out, i = [], 0
    for n in sizes:
        out.append(list(seq[i:i + n]))
        i += n
    out.append(list(seq[i:]))
    return out


def same_shape_dtype(a, b) -> bool:
    """JAX's typematch for carries and branch outputs: shape and dtype agree (weak
    types may differ)."""
    return tuple(a.shape) == tuple(b.shape) and a.dtype == b.dtype
