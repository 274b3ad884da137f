"""Conversion of user values to arrays and JAX's implicit promotion, shared by
every tinyjax.numpy function. Written in terms of lax only."""
from __future__ import annotations

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.array import Array
from ..core.trace import Tracer
from ..lax._base import type_error

_SCALARS = (bool, int, float)


def is_array(x) -> bool:
    return isinstance(x, (Array, Tracer))


def _np_to_array(v: np.ndarray, dtype=None) -> Array:
    if v.dtype.kind in "cOUSV" and dtype is None:
        if v.dtype.kind == "c":
            raise type_error("tinyjax does not support complex dtypes")
        raise type_error(f"cannot convert a NumPy array of dtype {v.dtype} to a tinyjax array")
    dt = dtypes.canonicalize_dtype(v.dtype if dtype is None else dtype)
    if dt.kind in "iu" and v.dtype.kind == "f":
        out = lax.convert_values(v, dt)
    else:
        out = np.array(v, dtype=dt)  # copies: the Array must own its buffer
    return Array(out, False)


def _scalar_to_array(x, dtype=None) -> Array:
    if dtype is None:
        dt, weak = dtypes.dtype_and_weak(x)
        if dt.kind in "iu" and not isinstance(x, bool):
            dtypes.check_python_int(x, dt)
        return Array(np.array(x, dtype=dt), weak)
    dt = dtypes.canonicalize_dtype(dtype)
    return Array(lax.convert_values(np.asarray(x), dt) if dt.kind in "iub" and isinstance(x, float)
                 else np.array(x, dtype=dt), False)


def _has_traced(seq) -> bool:
    for e in seq:
        if isinstance(e, (list, tuple)):
            if _has_traced(e):
                return True
        elif is_array(e):
            return True
    return False


def _stack_nested(seq, dtype):
    """jnp.array([[x, 1.], [y, 2.]]) with arrays/tracers inside: stack recursively."""
    if isinstance(seq, (list, tuple)):
        parts = [_stack_nested(e, dtype) for e in seq]
        if not parts:
            return Array(np.zeros((0,), dtype=dtype), False)
        shapes = {p.shape for p in parts}
        if len(shapes) != 1:
            raise type_error(
                f"array: inhomogeneous shapes in nested sequence: {sorted(shapes)}"
            )
        return lax.concatenate([lax.expand_dims(p, (0,)) for p in parts], 0)
    return asarray(seq, dtype)


def asarray(a, dtype=None, order=None, *, copy=None) -> Array:
    """Convert `a` to a tinyjax array (Python scalars stay weakly typed).

    >>> asarray([1, 2])
    Array([1, 2], dtype=int32)
    """
    if isinstance(a, (Array, Tracer)):
        if dtype is None:
            return a
        dt = dtypes.canonicalize_dtype(dtype)
        if dt == a.dtype and not a.weak_type:
            return a
        return lax.convert_element_type(a, dt)
    if isinstance(a, _SCALARS) and not isinstance(a, np.generic):
        return _scalar_to_array(a, dtype)
    if isinstance(a, (np.ndarray, np.generic)):
        return _np_to_array(np.asarray(a), dtype)
    if isinstance(a, (list, tuple)):
        if _has_traced(a):
            leaves = []
            _collect(a, leaves)
            dt = dtypes.canonicalize_dtype(dtype) if dtype is not None else \
                dtypes.result_type(*leaves) if leaves else dtypes.default_float_dtype()
            return _stack_nested(a, dt)
        v = np.array(a)
        if v.dtype == object:
            raise type_error(f"array: could not convert {type(a).__name__} {a!r} to an array")
        if dtype is None and v.dtype.kind == "f" and v.size == 0:
            v = v.astype(dtypes.default_float_dtype())
        return _np_to_array(v, dtype)
    if hasattr(a, "__jax_array__"):
        return asarray(a.__jax_array__(), dtype)
    if hasattr(a, "__array__"):
        return _np_to_array(np.asarray(a), dtype)
    if a is None:
        raise type_error("None is not a valid value for a tinyjax array")
    raise type_error(f"cannot convert {type(a).__name__} {a!r} to a tinyjax array")


def _collect(seq, out):
    for e in seq:
        if isinstance(e, (list, tuple)):
            _collect(e, out)
        else:
            out.append(e)


def array(object, dtype=None, copy=True, order="K", ndmin=0) -> Array:
    """Create an array (as jnp.array); Python scalars stay weakly typed.

    >>> array([1.0, 2.0])
    Array([1., 2.], dtype=float32)
    """
    out = asarray(object, dtype)
    if ndmin > out.ndim:
        out = lax.reshape(out, (1,) * (ndmin - out.ndim) + out.shape)
    if copy and isinstance(out, Array) and out is object:
        out = Array(out._value, out.weak_type)
    return out


def promote_dtypes(*args):
    """Convert args to arrays of their common dtype (JAX's promotion lattice)."""
    if len(args) == 2:
        x, y = args
        if type(x) is Array and type(y) is Array and x.dtype == y.dtype \
                and x.weak_type == y.weak_type:
            return [x, y]
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    return [_to_dtype(a, dt, weak) for a in args]


def _to_dtype(a, dt, weak):
    if isinstance(a, (Array, Tracer)):
        if a.dtype == dt and a.weak_type == weak:
            return a
        return lax.convert_element_type_p.bind(a, new_dtype=dt, weak_type=weak)
    if isinstance(a, _SCALARS) and not isinstance(a, np.generic):
        if dt.kind in "iu" and not isinstance(a, bool):
            if isinstance(a, float):
                raise type_error(f"cannot convert Python float {a} to integer dtype {dt.name}")
            dtypes.check_python_int(a, dt)
        return Array(np.array(a, dtype=dt), weak)
    arr = asarray(a)
    if arr.dtype == dt and arr.weak_type == weak:
        return arr
    return lax.convert_element_type_p.bind(arr, new_dtype=dt, weak_type=weak)


def promote_shapes(name, *args):
    """NumPy rank promotion: prepend size-1 dims so non-scalar args share a rank
    (lax broadcasts size-1 dims and rank-0 operands itself)."""
    if len(args) < 2:
        return list(args)
    ranks = [len(a.shape) for a in args]
    r = max(ranks)
    if all(k == r or k == 0 for k in ranks):
        return list(args)
    return [a if k in (0, r) else lax.broadcast_to_rank(a, r) for a, k in zip(args, ranks)]


def promote_args(name, *args):
    """Promote dtypes, then shapes, of a NumPy-style function's array arguments."""
    return promote_shapes(name, *promote_dtypes(*args))


def to_inexact_dtype(dt: np.dtype) -> np.dtype:
    """The float dtype an integer/bool result is computed in, as JAX 0.10: 64-bit
    integers give the default float (float64 under x64), narrower ones float32."""
    if dt.kind == "f":
        return dt
    return dtypes.default_float_dtype() if dt.itemsize == 8 else np.dtype(np.float32)


def promote_dtypes_inexact(*args):
    """Convert args to their common dtype, integer/bool results becoming floats."""
    dt, weak = dtypes.result_type(*args, return_weak_type_flag=True)
    dt = to_inexact_dtype(dt)
    return [_to_dtype(a, dt, weak) for a in args]


def promote_args_inexact(name, *args):
    """Like promote_args, but integer/bool results become floats (to_inexact_dtype)."""
    return promote_shapes(name, *promote_dtypes_inexact(*args))


def check_out(name: str, out) -> None:
    """NumPy's `out=` cannot be honoured: arrays are immutable."""
    if out is not None:
        raise NotImplementedError(
            f"The 'out' argument to jnp.{name} is not supported: tinyjax arrays are immutable; "
            f"use the returned array instead.")


def move_axis(x, src: int, dst: int):
    """x with static axis `src` moved to position `dst` (one transpose, or none)."""
    src, dst = src % x.ndim, dst % x.ndim
    if src == dst:
        return x
    perm = [d for d in range(x.ndim) if d != src]
    perm.insert(dst, src)
    return lax.transpose(x, tuple(perm))


def check_arraylike(name, *args):
    for i, a in enumerate(args):
        if not (is_array(a) or isinstance(a, (np.ndarray, np.generic, bool, int, float))):
            raise type_error(
                f"{name} requires ndarray or scalar arguments, got {type(a).__name__} at "
                f"position {i}."
            )
