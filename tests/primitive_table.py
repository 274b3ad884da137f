"""One table of every lax primitive: how to call it, on which inputs, and an
independent NumPy reference. It drives the eager-vs-NumPy property tests now, and
the JVP/VJP, vmap and jit checks of later milestones: a new primitive gets all of
them by adding one row.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np
from scipy import special as sp

from tinyjax import lax

FLOATS = ("float16", "float32")
INTS = ("int8", "int16", "int32", "uint8", "uint16", "uint32")
SIGNED = ("int8", "int16", "int32")
BOOL = ("bool",)
NUMERIC = FLOATS + INTS
ALL = NUMERIC + BOOL


@dataclasses.dataclass(frozen=True)
class Arg:
    """One operand: allowed dtypes and value domain."""

    dtypes: tuple
    domain: str = "any"  # any | real | positive | unit | open_unit | ge1 | nonzero | small_int
    # | shift | index
    shape: str = "elementwise"  # elementwise | scalar | same


@dataclasses.dataclass(frozen=True)
class Case:
    name: str  # the primitive's name (primitive.name)
    fun: Callable  # tinyjax call on arrays
    ref: Callable  # NumPy reference on numpy arrays (float64 for floats)
    args: tuple
    rtol: float = 1e-6  # for float32; float16 uses max(rtol, 2e-3)
    atol: float = 0.0
    same_dtype: bool = True  # all operands share one dtype (drawn once)
    shapes: Callable | None = None  # custom: rng -> list of shapes
    params: dict = dataclasses.field(default_factory=dict)
    exact: bool = False  # integer-valued results compared exactly
    note: str = ""


def _ref_int_div(x, y):
    if x.dtype.kind == "f":
        return x / y
    with np.errstate(all="ignore"):
        q = np.trunc(x.astype(np.float64) / np.where(y == 0, 1, y).astype(np.float64))
    q = np.where(y == 0, -1 if x.dtype.kind == "i" else np.iinfo(x.dtype).max, q)
    return q.astype(np.int64).astype(x.dtype) if x.dtype.kind == "i" else q.astype(x.dtype)


def _ref_rem(x, y):
    if x.dtype.kind == "f":
        return np.fmod(x, y)
    safe = np.where(y == 0, 1, y)
    r = np.fmod(x.astype(np.int64), safe.astype(np.int64))
    return np.where(y == 0, x, r).astype(x.dtype)


def _ref_round(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)) if x.dtype.kind == "f" else x


def _ref_logistic(x):
    return sp.expit(x)


def _ref_shift_left(x, y):
    nbits = x.dtype.itemsize * 8
    out = np.left_shift(x.astype(np.int64), np.clip(y, 0, 63).astype(np.int64))
    out = np.where((y < 0) | (y >= nbits), 0, out)
    return out.astype(np.uint64).astype(x.dtype) if x.dtype.kind == "u" else \
        (out & ((1 << nbits) - 1)).astype(np.uint64).astype(f"u{x.dtype.itemsize}").view(x.dtype)


def _ref_shift_right_logical(x, y):
    nbits = x.dtype.itemsize * 8
    u = x.view(f"u{x.dtype.itemsize}").astype(np.uint64)
    out = u >> np.clip(y, 0, 63).astype(np.uint64)
    out = np.where((y < 0) | (y >= nbits), 0, out)
    return out.astype(f"u{x.dtype.itemsize}").view(x.dtype)


def _ref_shift_right_arithmetic(x, y):
    nbits = x.dtype.itemsize * 8
    s = x.view(f"i{x.dtype.itemsize}").astype(np.int64)
    sh = np.where((y < 0) | (y >= nbits), nbits - 1, y).astype(np.int64)
    return (s >> sh).astype(f"i{x.dtype.itemsize}").view(x.dtype)


def _ref_popcount(x):
    u = x.view(f"u{x.dtype.itemsize}")
    return np.array([bin(int(v)).count("1") for v in u.ravel()], np.int64).reshape(
        x.shape).astype(x.dtype)


def _ref_clz(x):
    nbits = x.dtype.itemsize * 8
    u = x.view(f"u{x.dtype.itemsize}")
    return np.array([nbits - int(v).bit_length() for v in u.ravel()], np.int64).reshape(
        x.shape).astype(x.dtype)


def _ref_convert(x, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return x != 0
    if x.dtype.kind == "f" and dtype.kind in "iu":
        info = np.iinfo(dtype)
        t = np.trunc(np.nan_to_num(x.astype(np.float64), nan=0.0))
        return np.clip(t, info.min, info.max).astype(dtype)
    return x.astype(dtype)


def _ref_digamma(x):
    out = sp.psi(x)
    return np.where((x <= 0) & (x == np.floor(x)), np.nan, out)


def _unary(name, fn, ref, dtypes=FLOATS, domain="any", **kw):
    return Case(name, fn, ref, (Arg(dtypes, domain),), **kw)


def _binary(name, fn, ref, dtypes=FLOATS, domains=("any", "any"), **kw):
    return Case(name, fn, ref, (Arg(dtypes, domains[0]), Arg(dtypes, domains[1])), **kw)


ELEMENTWISE = [
    _unary("neg", lax.neg, np.negative, NUMERIC, exact=True),
    _unary("abs", lax.abs, np.abs, NUMERIC, exact=True),
    _unary("sign", lax.sign, np.sign, NUMERIC, exact=True),
    _unary("floor", lax.floor, np.floor, exact=True),
    _unary("ceil", lax.ceil, np.ceil, exact=True),
    _unary("round", lax.round, _ref_round, exact=True),
    _unary("is_finite", lax.is_finite, np.isfinite, exact=True),
    _unary("exp", lax.exp, np.exp, rtol=2e-6),
    _unary("exp2", lax.exp2, np.exp2, rtol=2e-6),
    _unary("expm1", lax.expm1, np.expm1, rtol=2e-6),
    _unary("log", lax.log, np.log, domain="positive"),
    _unary("log1p", lax.log1p, np.log1p, domain="positive"),
    _unary("sqrt", lax.sqrt, np.sqrt, domain="positive"),
    _unary("rsqrt", lax.rsqrt, lambda x: 1 / np.sqrt(x), domain="positive", rtol=2e-6),
    _unary("cbrt", lax.cbrt, np.cbrt),
    _unary("sin", lax.sin, np.sin, domain="real", atol=1e-6),
    _unary("cos", lax.cos, np.cos, domain="real", atol=1e-6),
    _unary("tan", lax.tan, np.tan, domain="unit", rtol=2e-6),
    _unary("asin", lax.asin, np.arcsin, domain="unit"),
    _unary("acos", lax.acos, np.arccos, domain="unit"),
    _unary("atan", lax.atan, np.arctan),
    _unary("sinh", lax.sinh, np.sinh, domain="real", rtol=2e-6),
    _unary("cosh", lax.cosh, np.cosh, domain="real", rtol=2e-6),
    _unary("tanh", lax.tanh, np.tanh, atol=1e-7),
    _unary("asinh", lax.asinh, np.arcsinh, rtol=2e-6),
    _unary("acosh", lax.acosh, np.arccosh, domain="ge1", rtol=2e-6),
    _unary("atanh", lax.atanh, np.arctanh, domain="open_unit", rtol=2e-6),
    _unary("logistic", lax.logistic, _ref_logistic, rtol=2e-6, atol=1e-7),
    _unary("erf", lax.erf, sp.erf, rtol=2e-6, atol=1e-7),
    _unary("erfc", lax.erfc, sp.erfc, domain="real", rtol=1e-5),
    _unary("erf_inv", lax.erf_inv, sp.erfinv, domain="open_unit", rtol=1e-5),
    _unary("lgamma", lax.lgamma, sp.gammaln, domain="positive", rtol=1e-5, atol=1e-6),
    _unary("digamma", lax.digamma, _ref_digamma, domain="positive", rtol=1e-5, atol=1e-6),
    _unary("bessel_i0e", lax.bessel_i0e, sp.i0e, domain="real", rtol=1e-5),
    _unary("bessel_i1e", lax.bessel_i1e, sp.i1e, domain="real", rtol=1e-5, atol=1e-7),
    _unary("square", lax.square, np.square, NUMERIC, domain="real", exact=True),
    _unary("not", lax.bitwise_not, lambda x: ~x, INTS + BOOL, exact=True),
    _unary("population_count", lax.population_count, _ref_popcount, INTS, exact=True),
    _unary("clz", lax.clz, _ref_clz, INTS, exact=True),
    _unary("integer_pow", lambda x: lax.integer_pow(x, 3), lambda x: x.astype(np.float64) ** 3
           if x.dtype.kind == "f" else x ** 3, NUMERIC, domain="real", rtol=2e-6, exact=False),
    _binary("add", lax.add, np.add, NUMERIC, exact=True),
    _binary("sub", lax.sub, np.subtract, NUMERIC, exact=True),
    _binary("mul", lax.mul, np.multiply, NUMERIC, exact=True),
    _binary("div", lax.div, _ref_int_div, NUMERIC, domains=("any", "nonzero"), rtol=2e-6),
    _binary("rem", lax.rem, _ref_rem, NUMERIC, domains=("real", "nonzero"), rtol=1e-5, atol=1e-5),
    _binary("max", lax.max, np.maximum, ALL, exact=True),
    _binary("min", lax.min, np.minimum, ALL, exact=True),
    _binary("pow", lax.pow, np.power, domains=("positive", "real"), rtol=1e-5),
    _binary("atan2", lax.atan2, np.arctan2, rtol=2e-6),
    _binary("nextafter", lax.nextafter, np.nextafter, exact=True),
    _binary("and", lax.bitwise_and, np.bitwise_and, INTS + BOOL, exact=True),
    _binary("or", lax.bitwise_or, np.bitwise_or, INTS + BOOL, exact=True),
    _binary("xor", lax.bitwise_xor, np.bitwise_xor, INTS + BOOL, exact=True),
    _binary("shift_left", lax.shift_left, _ref_shift_left, INTS, domains=("any", "shift"),
            exact=True),
    _binary("shift_right_logical", lax.shift_right_logical, _ref_shift_right_logical, INTS,
            domains=("any", "shift"), exact=True),
    _binary("shift_right_arithmetic", lax.shift_right_arithmetic, _ref_shift_right_arithmetic,
            INTS, domains=("any", "shift"), exact=True),
    _binary("igamma", lax.igamma, sp.gammainc, domains=("positive", "positive"), rtol=1e-4,
            atol=1e-6),
    _binary("igammac", lax.igammac, sp.gammaincc, domains=("positive", "positive"), rtol=1e-4,
            atol=1e-6),
    _binary("zeta", lax.zeta, sp.zeta, domains=("ge1", "positive"), rtol=1e-4),
    _binary("polygamma", lax.polygamma,
            lambda n, x: sp.polygamma(np.round(n), x), domains=("small_int", "positive"),
            rtol=1e-4, atol=1e-5),
    _binary("eq", lax.eq, np.equal, ALL, exact=True),
    _binary("ne", lax.ne, np.not_equal, ALL, exact=True),
    _binary("lt", lax.lt, np.less, ALL, exact=True),
    _binary("le", lax.le, np.less_equal, ALL, exact=True),
    _binary("gt", lax.gt, np.greater, ALL, exact=True),
    _binary("ge", lax.ge, np.greater_equal, ALL, exact=True),
    Case("regularized_incomplete_beta", lax.betainc, sp.betainc,
         (Arg(FLOATS, "positive"), Arg(FLOATS, "positive"), Arg(FLOATS, "open01")),
         rtol=1e-4, atol=1e-6),
    Case("select_n", lambda p, a, b: lax.select_n(p, a, b), lambda p, a, b: np.where(p, b, a),
         (Arg(BOOL, "any", "same"), Arg(ALL, "any", "same"), Arg(ALL, "any", "same")),
         same_dtype=False, exact=True),
    Case("clamp", lambda x: lax.clamp(np.asarray(-0.5, x.dtype), x, np.asarray(0.5, x.dtype)),
         lambda x: np.clip(x, -0.5, 0.5), (Arg(FLOATS, "real"),), exact=True),
    Case("convert_element_type",
         lambda x: lax.convert_element_type(x, np.int32), lambda x: _ref_convert(x, np.int32),
         (Arg(ALL),), exact=True),
    Case("bitcast_convert_type",
         lambda x: lax.bitcast_convert_type(x, np.dtype(f"u{x.dtype.itemsize}")),
         lambda x: x.view(f"u{x.dtype.itemsize}"), (Arg(NUMERIC),), exact=True),
    Case("reduce_precision", lambda x: lax.reduce_precision(x, 5, 10),
         lambda x: x.astype(np.float16).astype(x.dtype), (Arg(("float32",), "real"),),
         exact=True),
]

# Families added by their own modules' rows (see below): every primitive that
# exists in tinyjax.lax must appear in ALL_CASES (test_primitives checks this).
ALL_CASES = list(ELEMENTWISE)


def cases_by_name():
    return {c.name: c for c in ALL_CASES}


def domain_values(rng, domain, dtype, shape):
    """Random values of `dtype` inside `domain`, with edge values mixed in."""
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if domain == "shift":
            return rng.integers(-2, info.bits + 3, size=shape).clip(info.min, info.max).astype(
                dtype)
        if domain == "nonzero":
            v = rng.integers(max(info.min, -100), min(info.max, 100), size=shape, endpoint=True)
            return np.where(v == 0, 1, v).astype(dtype)
        if domain in ("real", "positive", "small_int"):
            lo = 0 if (domain == "positive" or dtype.kind == "u") else -10
            return rng.integers(lo, 11, size=shape).astype(dtype)
        edges = np.array([info.min, info.max, 0, 1, -1 if info.min < 0 else 2], np.int64)
        v = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np.int64)
        if n:
            mask = rng.random(shape) < 0.2
            v = np.where(mask, edges[rng.integers(0, len(edges), size=shape)], v)
        return v.astype(dtype)
    # floats
    lo_hi = {"any": (-50.0, 50.0), "real": (-5.0, 5.0), "positive": (0.05, 20.0),
             "unit": (-1.0, 1.0), "open_unit": (-0.99, 0.99), "ge1": (1.05, 20.0),
             "nonzero": (0.5, 10.0), "small_int": (0.0, 3.0), "open01": (0.01, 0.99)}
    lo, hi = lo_hi[domain]
    v = rng.uniform(lo, hi, size=shape)
    if domain == "nonzero":
        v *= np.where(rng.random(shape) < 0.5, -1, 1)
    if domain == "small_int":
        v = np.round(v)
    if domain == "any" and n:
        finfo = np.finfo(dtype)
        edges = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, float(finfo.max),
                          float(finfo.tiny), -float(finfo.tiny), 1.0, -1.0])
        mask = rng.random(shape) < 0.25
        v = np.where(mask, edges[rng.integers(0, len(edges), size=shape)], v)
    return v.astype(dtype)
