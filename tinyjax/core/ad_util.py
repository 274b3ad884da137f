"""The few generic operations differentiation needs itself: symbolic zeros, adding
tangents/cotangents of any type (`add_any`), and JAX's float0 tangent dtype."""
from __future__ import annotations

import numpy as np

from .abstract import ShapedArray, float0, raise_to_shaped
from .array import Array
from .trace import Primitive, abstract_eval_rules


class Zero:
    """A symbolic zero tangent/cotangent: its type, and no data (no work is done on it)."""

    __slots__ = ("aval",)

    def __init__(self, aval: ShapedArray):
        self.aval = aval

    @staticmethod
    def from_value(x) -> "Zero":
        return Zero(tangent_aval(raise_to_shaped(x)))

    def __repr__(self):
        return f"Zero({self.aval.str_short()})"


def tangent_aval(aval: ShapedArray) -> ShapedArray:
    """The type of a tangent of a value of type `aval` (float0 for ints and bools)."""
    if aval.dtype.kind == "f":
        return aval  # avals are immutable: share it
    return ShapedArray(aval.shape, float0, False)


def zeros_like_aval(aval: ShapedArray):
    """Concrete zeros of type `aval` (a constant, wherever it is used)."""
    if aval.dtype == float0:
        return np.zeros(aval.shape, float0)
    return Array(np.zeros(aval.shape, aval.dtype), aval.weak_type)


def instantiate(t):
    """A tangent as a value: symbolic zeros become concrete zeros."""
    return zeros_like_aval(t.aval) if type(t) is Zero else t


# add_any: the sum used to accumulate tangents and cotangents (same types in and out)
add_any_p = Primitive("add_any")


def _add_any_rule(x, y):
    if x.shape != y.shape or x.dtype != y.dtype:
        raise TypeError(f"add_any requires equal types, got {x.str_short()} and {y.str_short()}")
    return ShapedArray(x.shape, x.dtype, x.weak_type and y.weak_type)


abstract_eval_rules[add_any_p] = _add_any_rule


def add_tangents(x, y):
    """x + y for tangents, where either may be a symbolic Zero."""
    if type(x) is Zero:
        return y
    if type(y) is Zero:
        return x
    if isinstance(x, np.ndarray) and x.dtype == float0:
        return x
    return add_any_p.bind(x, y)
