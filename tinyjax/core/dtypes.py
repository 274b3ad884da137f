"""Dtypes, canonicalization, and JAX's type-promotion lattice with weak types.

tinyjax supports twelve dtypes (no bfloat16, no complex). With x64 off (the
default) the 64-bit ones are canonicalized to their 32-bit counterparts.

Promotion follows JAX's lattice, not NumPy's tables. Its nodes are the twelve
dtypes plus two weak nodes: `i*` (a Python int) and `f*` (a Python float).
Each node lists the nodes directly above it::

    bool -> i*
    i*   -> u8, i8
    u8   -> u16, i16        i8  -> i16
    u16  -> u32, i32        i16 -> i32
    u32  -> u64, i64        i32 -> i64     (x64 off: u32 -> u64, i32)
    u64  -> f*              i64 -> f*
    f*   -> f16 -> f32 -> f64

The result of promoting values is the least upper bound (join) of their nodes.
A join landing on `i*`/`f*` is weakly typed and takes the default int/float
dtype. A weakly typed value with a non-default dtype enters the lattice as
its weak node (`i*` or `f*`), except that if every input is weak, the join of
their dtypes is taken and then marked weak. The result dtype of a weak result
is always the default dtype of its kind, as in JAX.

Everything here runs on every eager op, so the joins are precomputed tables
and canonicalization is cached per x64 state (caches are cleared by a
`config.on_change` hook).
"""

from __future__ import annotations

from typing import Any, Iterable

import numpy as np

from tinyjax.core.config import config, x64_enabled

__all__ = [
    "bool_", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
    "uint64", "float16", "float32", "float64",
    "ALL_DTYPES", "DTYPE_CATEGORIES",
    "canonicalize_dtype", "default_float_dtype", "default_int_dtype",
    "default_uint_dtype", "dtype_and_weak", "is_python_scalar", "check_python_int",
    "promote_types", "result_type", "is_weakly_typed", "issubdtype", "can_cast",
    "finfo", "iinfo", "is_float", "is_int", "is_unsigned", "is_bool", "short_name",
]

# ----------------------------------------------------------------------------
# The dtypes

bool_ = np.dtype(np.bool_)
int8 = np.dtype(np.int8)
int16 = np.dtype(np.int16)
int32 = np.dtype(np.int32)
int64 = np.dtype(np.int64)
uint8 = np.dtype(np.uint8)
uint16 = np.dtype(np.uint16)
uint32 = np.dtype(np.uint32)
uint64 = np.dtype(np.uint64)
float16 = np.dtype(np.float16)
float32 = np.dtype(np.float32)
float64 = np.dtype(np.float64)

ALL_DTYPES = (bool_, int8, int16, int32, int64, uint8, uint16, uint32, uint64,
              float16, float32, float64)
_SUPPORTED = frozenset(ALL_DTYPES)

DTYPE_CATEGORIES = {
    "bool": (bool_,),
    "signedinteger": (int8, int16, int32, int64),
    "unsignedinteger": (uint8, uint16, uint32, uint64),
    "integer": (int8, int16, int32, int64, uint8, uint16, uint32, uint64),
    "floating": (float16, float32, float64),
    "number": (int8, int16, int32, int64, uint8, uint16, uint32, uint64,
               float16, float32, float64),
}

_TO_32BIT = {int64: int32, uint64: uint32, float64: float32}

_SHORT_NAMES = {
    bool_: "bool", int8: "i8", int16: "i16", int32: "i32", int64: "i64",
    uint8: "u8", uint16: "u16", uint32: "u32", uint64: "u64",
    float16: "f16", float32: "f32", float64: "f64",
}


def short_name(dtype: Any) -> str:
    """JAX's printer name for a dtype: bool, i8 ... i64, u8 ... u64, f16, f32, f64."""
    try:
        return _SHORT_NAMES[dtype]
    except (KeyError, TypeError):
        return _SHORT_NAMES[_checked_np_dtype(dtype)]


# ----------------------------------------------------------------------------
# Per-x64-state caches. `_state` holds the defaults and is rebuilt on a flip.

class _State:
    __slots__ = ("x64", "float_", "int_", "uint_", "scalar_keys", "weak_default")

    def __init__(self, x64: bool) -> None:
        self.x64 = x64
        self.float_ = float64 if x64 else float32
        self.int_ = int64 if x64 else int32
        self.uint_ = uint64 if x64 else uint32
        # (dtype, weak) for Python scalar values, keyed by exact type.
        self.scalar_keys = {bool: (bool_, False), int: (self.int_, True),
                            float: (self.float_, True)}
        # dtype kind of a weak result -> the dtype it takes.
        self.weak_default = {"b": bool_, "i": self.int_, "u": self.uint_,
                             "f": self.float_}


_state = _State(x64_enabled())
_canon_cache: dict[Any, np.dtype] = {}
_pair_cache: dict[tuple, tuple[np.dtype, bool]] = {}
_set_cache: dict[frozenset, tuple[np.dtype, bool]] = {}
_promote_cache: dict[tuple, np.dtype] = {}


def _on_config_change(name: str, value: Any) -> None:
    global _state
    if name == "jax_enable_x64":
        _state = _State(bool(value))
        _canon_cache.clear()
        _pair_cache.clear()
        _set_cache.clear()
        _promote_cache.clear()


config.on_change(_on_config_change)


def _current_state() -> _State:
    # The hook keeps `_state` in sync; this re-checks for slow paths only.
    state = _state
    x64 = x64_enabled()
    if state.x64 is not x64:
        _on_config_change("jax_enable_x64", x64)
        state = _state
    return state


def default_float_dtype() -> np.dtype:
    return float64 if x64_enabled() else float32


def default_int_dtype() -> np.dtype:
    return int64 if x64_enabled() else int32


def default_uint_dtype() -> np.dtype:
    return uint64 if x64_enabled() else uint32


# ----------------------------------------------------------------------------
# Canonicalization

def _complex_error(dt: np.dtype) -> TypeError:
    return TypeError(f"tinyjax does not support complex dtypes ({dt.name})")


def _checked_np_dtype(dtype: Any) -> np.dtype:
    """np.dtype(dtype), restricted to the twelve supported dtypes (not canonicalized)."""
    if dtype is int:
        return default_int_dtype()
    if dtype is float:
        return default_float_dtype()
    if dtype is complex:
        raise _complex_error(np.dtype(complex))
    try:
        dt = np.dtype(dtype)
    except TypeError as e:
        raise TypeError(f"dtype {dtype!r} not understood") from e
    if dt.byteorder not in "=|":  # a byte-swapped dtype: use the native one
        dt = dt.newbyteorder("=")
    if dt in _SUPPORTED:
        return dt
    if dt.kind == "c":
        raise _complex_error(dt)
    raise TypeError(
        f"tinyjax does not support dtype {dt} (from {dtype!r}); supported dtypes "
        f"are {', '.join(d.name for d in ALL_DTYPES)}")


def canonicalize_dtype(dtype: Any) -> np.dtype:
    """The dtype tinyjax uses for `dtype` now: 64-bit types become 32-bit with x64 off.

    Accepts anything np.dtype accepts; the Python types `int` and `float` mean
    the default int and float dtypes, `bool` means bool.
    """
    try:
        return _canon_cache[dtype]
    except KeyError:
        pass
    except TypeError:  # unhashable dtype-like
        return _canonicalize_uncached(dtype)
    result = _canonicalize_uncached(dtype)
    _canon_cache[dtype] = result
    return result


def _canonicalize_uncached(dtype: Any) -> np.dtype:
    dt = _checked_np_dtype(dtype)
    if not x64_enabled():
        dt = _TO_32BIT.get(dt, dt)
    return dt


# ----------------------------------------------------------------------------
# The (dtype, weak) of a value

def is_python_scalar(x: Any) -> bool:
    return type(x) in (bool, int, float)


def is_weakly_typed(x: Any) -> bool:
    """True for Python ints and floats and for arrays/tracers carrying weak_type=True."""
    t = type(x)
    if t is int or t is float:
        return True
    if t is bool:
        return False
    return bool(getattr(x, "weak_type", False))


def dtype_and_weak(x: Any) -> tuple[np.dtype, bool]:
    """The (dtype, weak_type) pair type promotion sees for `x`.

    Python bool -> (bool, False); Python int / float (values or the types
    themselves) -> (default int / float, True); NumPy arrays, scalars, dtypes
    and dtype specifiers -> (canonical dtype, False); objects with `.dtype`
    and `.weak_type` (tinyjax arrays, tracers, avals) -> (x.dtype, x.weak_type).
    """
    t = type(x)
    key = _state.scalar_keys.get(t)
    if key is not None:
        return key
    weak = getattr(x, "weak_type", None)
    if weak.__class__ is bool:  # tinyjax arrays, tracers, avals (not their classes)
        return x.dtype, weak
    if t is np.ndarray or isinstance(x, np.generic):
        return canonicalize_dtype(x.dtype), False
    if t is np.dtype or isinstance(x, np.dtype):
        return canonicalize_dtype(x), False
    if isinstance(x, type):
        if x is int or x is float:
            return _state.scalar_keys[x]
        return canonicalize_dtype(x), False
    if t is str:
        return canonicalize_dtype(x), False
    if t is complex:
        raise _complex_error(np.dtype(complex))
    dt = getattr(x, "dtype", None)
    if dt is not None:
        if weak is not None:  # weak_type given as a non-bool (e.g. np.bool_)
            return dt, bool(weak)
        return canonicalize_dtype(dt), False
    try:
        dt = np.asarray(x).dtype
    except (TypeError, ValueError) as e:
        raise TypeError(f"Cannot determine the dtype of {x!r}") from e
    return canonicalize_dtype(dt), False


def check_python_int(value: int, dtype: Any) -> None:
    """Raises OverflowError if the Python int `value` does not fit integer `dtype`."""
    dt = canonicalize_dtype(dtype)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if not info.min <= value <= info.max:
            raise OverflowError(f"Python int {value} too large to convert to {dt.name}")


# ----------------------------------------------------------------------------
# The lattice

_I_WEAK = "i*"
_F_WEAK = "f*"
_WEAK_NODES = (_I_WEAK, _F_WEAK)


def _lattice_edges(x64: bool) -> dict[Any, tuple]:
    """Each node -> the nodes immediately above it."""
    edges = {
        bool_: (_I_WEAK,),
        _I_WEAK: (uint8, int8),
        uint8: (uint16, int16),
        uint16: (uint32, int32),
        uint32: (uint64, int64) if x64 else (uint64, int32),
        uint64: (_F_WEAK,),
        int8: (int16,),
        int16: (int32,),
        int32: (int64,),
        int64: (_F_WEAK,),
        _F_WEAK: (float16,),
        float16: (float32,),
        float32: (float64,),
        float64: (),
    }
    return edges


def _build_joins(x64: bool) -> dict[tuple, Any]:
    edges = _lattice_edges(x64)
    upper: dict[Any, frozenset] = {}

    def ups(node: Any) -> frozenset:
        if node not in upper:
            acc = {node}
            for above in edges[node]:
                acc |= ups(above)
            upper[node] = frozenset(acc)
        return upper[node]

    for node in edges:
        ups(node)
    joins = {}
    for a in edges:
        for b in edges:
            common = upper[a] & upper[b]
            least = [n for n in common if upper[n] == common]
            if len(least) != 1:
                raise AssertionError(f"type lattice has no unique join for {a}, {b}")
            joins[a, b] = least[0]
    return joins


_JOINS = {True: _build_joins(True), False: _build_joins(False)}


def _node(dtype: np.dtype, weak: bool) -> Any:
    if not weak or dtype is bool_ or dtype == bool_:
        return dtype
    return _F_WEAK if dtype.kind == "f" else _I_WEAK


def _join_nodes(nodes: Iterable[Any], joins: dict) -> Any:
    it = iter(nodes)
    acc = next(it)
    for n in it:
        acc = joins[acc, n]
    return acc


def _result_from_keys(keys: frozenset) -> tuple[np.dtype, bool]:
    """JAX's promotion of a set of (dtype, weak) keys, as a canonical (dtype, weak)."""
    state = _current_state()
    joins = _JOINS[state.x64]
    dtypes = {d for d, _ in keys}
    if len(dtypes) == 1 and not all(w for _, w in keys):
        # Same dtype, at least one strong: that dtype, strong.
        out, weak = next(iter(dtypes)), False
    elif all(w for _, w in keys):
        # All weak: join the strong dtypes, then mark weak.
        out, weak = _join_nodes(dtypes, joins), True
    else:
        out = _join_nodes({_node(d, w) for d, w in keys}, joins)
        weak = out in _WEAK_NODES
    if out == _F_WEAK:
        out = state.float_
    elif out == _I_WEAK:
        out = state.int_
    if weak:
        if out == bool_:
            return bool_, False
        return state.weak_default[out.kind], True
    return _TO_32BIT.get(out, out) if not state.x64 else out, False


def result_type(*args: Any, return_weak_type_flag: bool = False):
    """The dtype JAX's promotion gives `args` (dtypes, Python scalars, arrays, tracers).

    With `return_weak_type_flag=True`, returns `(dtype, weak_type)`. `None`
    stands for the default float dtype.
    """
    if len(args) == 2 and args[0] is not None and args[1] is not None:
        # The hot path: one binary op.
        pair = (dtype_and_weak(args[0]), dtype_and_weak(args[1]))
        hit = _pair_cache.get(pair)
        if hit is None:
            hit = _result_from_keys(frozenset(pair))
            _pair_cache[pair] = hit
    else:
        if not args:
            raise ValueError("at least one array or dtype is required")
        keys = frozenset(dtype_and_weak(default_float_dtype() if a is None else a)
                         for a in args)
        hit = _set_cache.get(keys)
        if hit is None:
            hit = _result_from_keys(keys)
            _set_cache[keys] = hit
    return hit if return_weak_type_flag else hit[0]


def promote_types(a: Any, b: Any) -> np.dtype:
    """The dtype a binary op on dtypes `a` and `b` computes in (JAX's lattice).

    Python `int`/`float` types count as weak, so `promote_types('uint8', int)`
    is uint8. Unlike jax.numpy.promote_types, the result is canonicalized
    (with x64 off, never a 64-bit dtype).
    """
    try:
        return _promote_cache[a, b]
    except (KeyError, TypeError):
        pass
    state = _current_state()
    keys = []
    for x in (a, b):
        if x is int or x is float:
            keys.append(state.scalar_keys[x])
        else:
            keys.append((_checked_np_dtype(x), False))
    if keys[0] == keys[1]:
        out = keys[0][0] if not keys[0][1] else state.weak_default[keys[0][0].kind]
    else:
        # Join on the raw (uncanonicalized) dtypes with the x64 lattice, then
        # canonicalize, so promote_types(uint64, int8) is the default float.
        node = _JOINS[True][_node(*keys[0]), _node(*keys[1])]
        if node == _F_WEAK:
            out = state.float_
        elif node == _I_WEAK:
            out = state.int_
        else:
            out = node
    if not state.x64:
        out = _TO_32BIT.get(out, out)
    try:
        _promote_cache[a, b] = out
    except TypeError:
        pass
    return out


# ----------------------------------------------------------------------------
# Categories and limits

def _as_dtype_like(x: Any) -> Any:
    """A dtype or abstract scalar type for issubdtype/can_cast."""
    if isinstance(x, (np.dtype, type, str)):
        return x
    dt = getattr(x, "dtype", None)
    return dt if dt is not None else x


def issubdtype(a: Any, b: Any) -> bool:
    """Like np.issubdtype (abstract categories np.floating, np.integer, ... allowed)."""
    return bool(np.issubdtype(_as_dtype_like(a), _as_dtype_like(b)))


def can_cast(from_: Any, to: Any, casting: str = "safe") -> bool:
    """np.can_cast on the dtypes of `from_` and `to`."""
    src = dtype_and_weak(from_)[0] if not isinstance(from_, np.dtype) else from_
    dst = _checked_np_dtype(_as_dtype_like(to)) if not isinstance(to, np.dtype) else to
    return bool(np.can_cast(src, dst, casting=casting))


def finfo(dtype: Any) -> np.finfo:
    dt = canonicalize_dtype(_as_dtype_like(dtype))
    if dt.kind != "f":
        raise ValueError(f"finfo needs a floating dtype, got {dt}")
    return np.finfo(dt)


def iinfo(dtype: Any) -> np.iinfo:
    dt = canonicalize_dtype(_as_dtype_like(dtype))
    if dt.kind not in "iu":
        raise ValueError(f"iinfo needs an integer dtype, got {dt}")
    return np.iinfo(dt)


def is_float(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "f"


def is_int(dtype: Any) -> bool:
    """True for signed and unsigned integer dtypes (not bool)."""
    return np.dtype(dtype).kind in "iu"


def is_unsigned(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "u"


def is_bool(dtype: Any) -> bool:
    return np.dtype(dtype).kind == "b"
