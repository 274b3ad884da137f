"""dtype objects of tinyjax.numpy: `jnp.float32` works as a dtype and, called,
makes a 0-d array (`jnp.float32(1.5)`), as in JAX."""
from __future__ import annotations

import numpy as np

from ..core import dtypes


class _ScalarMeta(type):
    def __call__(cls, x=0):
        from ._convert import asarray
        return asarray(x, cls.dtype)

    def __repr__(cls):
        return f"<class 'tinyjax.numpy.{cls.__name__}'>"

    def __eq__(cls, other):
        try:
            return np.dtype(cls.dtype) == np.dtype(other)
        except TypeError:
            return False

    def __hash__(cls):
        return hash(cls.dtype)


def _scalar_type(name, np_type):
    return _ScalarMeta(name, (), {"dtype": np.dtype(np_type), "__doc__":
                                  f"The {name} dtype; `{name}(x)` makes a 0-d array."})


bool_ = _scalar_type("bool_", np.bool_)
int8 = _scalar_type("int8", np.int8)
int16 = _scalar_type("int16", np.int16)
int32 = _scalar_type("int32", np.int32)
int64 = _scalar_type("int64", np.int64)
uint8 = _scalar_type("uint8", np.uint8)
uint16 = _scalar_type("uint16", np.uint16)
uint32 = _scalar_type("uint32", np.uint32)
uint64 = _scalar_type("uint64", np.uint64)
float16 = _scalar_type("float16", np.float16)
float32 = _scalar_type("float32", np.float32)
float64 = _scalar_type("float64", np.float64)
# defaults follow x64, as jnp.int_ / jnp.float_ do
int_ = int64
uint = uint64
float_ = float64
double = float64
single = float32
half = float16

# abstract categories are NumPy's
generic = np.generic
number = np.number
integer = np.integer
signedinteger = np.signedinteger
unsignedinteger = np.unsignedinteger
inexact = np.inexact
floating = np.floating
complexfloating = np.complexfloating
character = np.character
flexible = np.flexible
object_ = np.object_
dtype = np.dtype


def result_type(*args):
    """The dtype JAX's promotion lattice gives for these arrays/dtypes/scalars."""
    return dtypes.result_type(*args)


def promote_types(a, b):
    """The promoted dtype of two dtypes (JAX's lattice)."""
    return dtypes.promote_types(a, b)


def can_cast(from_, to, casting: str = "safe") -> bool:
    """Whether a cast from `from_` to `to` is allowed under `casting`."""
    return dtypes.can_cast(from_, to, casting)


def issubdtype(arg1, arg2) -> bool:
    """Whether dtype arg1 is a subtype of arg2 (abstract categories allowed)."""
    return dtypes.issubdtype(arg1, arg2)


def isdtype(dtype, kind) -> bool:
    """Array-API kind check: 'bool', 'signed integer', 'unsigned integer', 'integral',
    'real floating', 'complex floating', 'numeric', or a dtype / tuple of them."""
    dt = np.dtype(dtype)
    if isinstance(kind, tuple):
        return any(isdtype(dt, k) for k in kind)
    table = {"bool": "b", "signed integer": "i", "unsigned integer": "u", "integral": "iu",
             "real floating": "f", "complex floating": "c", "numeric": "iufc"}
    if isinstance(kind, str):
        if kind not in table:
            raise ValueError(f"Unrecognized data type kind: {kind!r}")
        return dt.kind in table[kind]
    return dt == np.dtype(kind)


def finfo(dtype):
    """Machine limits of a float dtype (np.finfo)."""
    return dtypes.finfo(dtype)


def iinfo(int_type):
    """Machine limits of an integer dtype (np.iinfo)."""
    return dtypes.iinfo(getattr(int_type, "dtype", int_type))
