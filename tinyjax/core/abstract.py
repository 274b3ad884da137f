"""Abstract values: what a tracer knows about an array (shape, dtype, weak type)."""
from __future__ import annotations

import numpy as np

from . import dtypes


class ShapedArray:
    """The abstract value of an array: its shape, dtype and weak-type flag.

    >>> ShapedArray((3,), np.dtype('float32')).str_short()
    'f32[3]'
    """

    __slots__ = ("shape", "dtype", "weak_type", "_hash")
    array_abstraction_level = 1

    def __init__(self, shape, dtype, weak_type=False):
        self.shape = shape
        self.dtype = dtype
        self.weak_type = weak_type
        self._hash = None

    @property
    def ndim(self) -> int:
        return len(self.shape)

    @property
    def size(self) -> int:
        n = 1
        for d in self.shape:
            n *= d
        return n

    def update(self, shape=None, dtype=None, weak_type=None) -> "ShapedArray":
        return ShapedArray(
            self.shape if shape is None else tuple(shape),
            self.dtype if dtype is None else dtype,
            self.weak_type if weak_type is None else weak_type,
        )

    def strip_weak_type(self) -> "ShapedArray":
        return ShapedArray(self.shape, self.dtype, False) if self.weak_type else self

    def str_short(self) -> str:
        return f"{dtypes.short_name(self.dtype)}[{','.join(map(str, self.shape))}]"

    def __eq__(self, other):
        return (
            type(other) is ShapedArray
            and self.shape == other.shape
            and self.dtype == other.dtype
            and self.weak_type == other.weak_type
        )

    def __hash__(self):
        h = self._hash
        if h is None:
            h = self._hash = hash((self.shape, self.dtype, self.weak_type))
        return h

    def __repr__(self):
        weak = ", weak_type=True" if self.weak_type else ""
        return f"ShapedArray({self.dtype.name}[{','.join(map(str, self.shape))}]{weak})"

    __str__ = __repr__


# JAX's tangent dtype for integer and boolean values: zero bits per element.
float0 = np.dtype([("float0", np.void, 0)])


def raise_to_shaped(x) -> ShapedArray:
    """The ShapedArray of anything array-like (Array, tracer, numpy array, Python scalar)."""
    aval = getattr(x, "aval", None)
    if aval is not None:
        return aval
    if type(x) is np.ndarray and x.dtype == float0:
        return ShapedArray(x.shape, float0, False)
    dtype, weak = dtypes.dtype_and_weak(x)
    return ShapedArray(np.shape(x), dtype, weak)
