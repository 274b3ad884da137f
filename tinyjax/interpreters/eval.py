"""Eager evaluation: the trace at the bottom of the stack.

`impl_rules[prim]` is a NumPy-level function: it receives `np.ndarray`s and the
primitive's params and returns NumPy values. This module checks the arguments
with the primitive's abstract-eval rule first (so eager errors match traced
ones), then converts the result to exactly the dtype and weak type that rule
promises. Primitives whose implementation works on tinyjax values (higher-order
primitives such as jit or cond) register in `array_impl_rules` instead.
"""
from __future__ import annotations

import numpy as np

from ..core import trace as core
from ..core.abstract import ShapedArray
from ..core.array import Array
from ..core.trace import Trace, abstract_eval_rules

impl_rules: dict = {}
array_impl_rules: dict = {}


def _aval_and_value(x):
    if type(x) is Array:
        return x.aval, x._value  # the aval is cached on the Array
    if isinstance(x, np.ndarray):
        return ShapedArray(x.shape, x.dtype, False), x
    raise TypeError(
        f"primitive arguments must be arrays, got {type(x).__name__}: {x!r}"
    )


def _wrap(out, aval: ShapedArray, prim=None) -> Array:
    if type(out) is not np.ndarray or out.dtype != aval.dtype:
        out = np.asarray(out, dtype=aval.dtype)
    if out.shape != aval.shape:
        raise RuntimeError(
            f"internal error: the eager implementation of '{prim}' returned shape "
            f"{out.shape}, but its shape rule promises {aval.shape}. Please report this."
        )
    return Array(out, aval.weak_type)


_rule_cache: dict = {}
_RULE_CACHE_SIZE = 4096


def _abstract_eval_cached(prim, avals, params):
    """The primitive's shape rule, memoized on (primitive, input types, params): eager
    code calls the same primitive on the same types over and over."""
    try:
        key = (prim, tuple(avals), tuple(params.items()))
        out = _rule_cache.get(key)
    except TypeError:  # unhashable params
        return abstract_eval_rules[prim](*avals, **params)
    if out is None:
        out = abstract_eval_rules[prim](*avals, **params)
        if len(_rule_cache) >= _RULE_CACHE_SIZE:
            _rule_cache.clear()
        _rule_cache[key] = out
    return out


def eval_apply(prim, args, params):
    array_impl = array_impl_rules.get(prim)
    if array_impl is not None:
        return array_impl(*args, **params)
    return eval_numpy_impl(prim, args, params)


def eval_numpy_impl(prim, args, params):
    """Check args with the abstract-eval rule, run the NumPy impl, wrap the result."""
    impl = impl_rules.get(prim)
    if impl is None:
        raise NotImplementedError(f"eager rule for '{prim}' is not implemented")
    avals = []
    vals = []
    for a in args:
        av, v = _aval_and_value(a)
        avals.append(av)
        vals.append(v)
    out_aval = _abstract_eval_cached(prim, avals, params)
    out = impl(*vals, **params)
    if prim.multiple_results:
        return [_wrap(o, a, prim) for o, a in zip(out, out_aval)]
    return _wrap(out, out_aval, prim)


class EvalTrace(Trace):
    """Applies primitives to concrete values right away."""

    __slots__ = ()

    def pure(self, val):
        return val

    lift = pure

    def process_primitive(self, prim, tracers, params):
        return eval_apply(prim, tracers, params)

    def description(self) -> str:
        return "eager evaluation"


core.set_eval_interpreter(EvalTrace, eval_apply)


def quiet(fn):
    """Wrap a NumPy implementation so floating-point warnings stay silent, as in JAX."""

    def impl(*args, **params):
        with np.errstate(all="ignore"):
            return fn(*args, **params)

    impl.__name__ = getattr(fn, "__name__", "impl")
    return impl
