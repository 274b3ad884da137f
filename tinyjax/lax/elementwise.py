"""Elementwise primitives: arithmetic, transcendental and special functions,
comparisons, logical/bitwise ops, shifts, select_n, clamp, conversions.

Each primitive is defined in one block: the primitive, its public function, its
shape/dtype rule and its eager (NumPy) implementation. Binary operations follow
lax's rules: equal dtypes (Python scalars become weakly typed arrays of their
default dtype), and shapes of equal rank that broadcast over size-1 dimensions,
or rank-0 operands.
"""
from __future__ import annotations

import numpy as np

from ..core import dtypes
from ..core.array import Array
from ..interpreters.eval import array_impl_rules, eval_numpy_impl
from ._base import (
    asarray,
    aval,
    broadcast_shapes_lax,
    def_primitive,
    dtype_str,
    shape_str,
    type_error,
)

__all__ = [
    'RoundingMethod',
    'abs',
    'abs_p',
    'acos',
    'acos_p',
    'acosh',
    'acosh_p',
    'add',
    'add_p',
    'and_p',
    'asin',
    'asin_p',
    'asinh',
    'asinh_p',
    'atan',
    'atan2',
    'atan2_p',
    'atan_p',
    'atanh',
    'atanh_p',
    'bessel_i0e',
    'bessel_i0e_p',
    'bessel_i1e',
    'bessel_i1e_p',
    'betainc',
    'bitcast_convert_type',
    'bitcast_convert_type_p',
    'bitwise_and',
    'bitwise_not',
    'bitwise_or',
    'bitwise_xor',
    'cbrt',
    'cbrt_p',
    'ceil',
    'ceil_p',
    'clamp',
    'clamp_p',
    'clz',
    'clz_p',
    'convert_element_type',
    'convert_element_type_p',
    'convert_values',
    'cos',
    'cos_p',
    'cosh',
    'cosh_p',
    'digamma',
    'digamma_p',
    'div',
    'div_p',
    'eq',
    'eq_p',
    'erf',
    'erf_inv',
    'erf_inv_p',
    'erf_p',
    'erfc',
    'erfc_p',
    'exp',
    'exp2',
    'exp2_p',
    'exp_p',
    'expm1',
    'expm1_p',
    'floor',
    'floor_p',
    'ge',
    'ge_p',
    'gt',
    'gt_p',
    'igamma',
    'igamma_p',
    'igammac',
    'igammac_p',
    'integer_pow',
    'integer_pow_p',
    'is_finite',
    'is_finite_p',
    'le',
    'le_p',
    'lgamma',
    'lgamma_p',
    'log',
    'log1p',
    'log1p_p',
    'log_p',
    'logistic',
    'logistic_p',
    'lt',
    'lt_p',
    'max',
    'max_p',
    'min',
    'min_p',
    'mul',
    'mul_p',
    'ne',
    'ne_p',
    'neg',
    'neg_p',
    'nextafter',
    'nextafter_p',
    'not_p',
    'or_p',
    'polygamma',
    'polygamma_p',
    'population_count',
    'population_count_p',
    'pow',
    'pow_p',
    'reduce_precision',
    'reduce_precision_p',
    'reciprocal',
    'regularized_incomplete_beta_p',
    'rem',
    'rem_p',
    'round',
    'round_p',
    'rsqrt',
    'rsqrt_p',
    'select',
    'select_n',
    'select_n_p',
    'shift_left',
    'shift_left_p',
    'shift_right_arithmetic',
    'shift_right_arithmetic_p',
    'shift_right_logical',
    'shift_right_logical_p',
    'sign',
    'sign_p',
    'sin',
    'sin_p',
    'sinh',
    'sinh_p',
    'sqrt',
    'sqrt_p',
    'square',
    'square_p',
    'sub',
    'sub_p',
    'tan',
    'tan_p',
    'tanh',
    'tanh_p',
    'xor_p',
    'zeta',
    'zeta_p',
]

# dtype kinds accepted by each family ('b' bool, 'i' signed, 'u' unsigned, 'f' float)
FLOAT = "f"
INT = "iu"
NUMERIC = "iuf"
INT_OR_BOOL = "biu"
ANY = "biuf"

_KIND_NAMES = {FLOAT: "floating-point", INT: "integer", NUMERIC: "numeric",
               INT_OR_BOOL: "integer or boolean", ANY: "any"}


def _check_kind(name, dtype, kinds):
    if dtype.kind not in kinds:
        raise type_error(
            f"{name} does not accept dtype {dtype.name}; it requires {_KIND_NAMES[kinds]} "
            f"arguments."
        )


# ----------------------------------------------------------------------------- unary

class _Special:
    # special_np is imported on first use (it is larger than everything else here)
    def __getattr__(self, name):
        from . import special_np as mod
        return getattr(mod, name)


special_np = _Special()


def unop_rule(name, kinds, out_dtype=None):
    def rule(x):
        _check_kind(name, x.dtype, kinds)
        if out_dtype is None:
            return aval(x.shape, x.dtype, x.weak_type)
        return aval(x.shape, out_dtype, False)
    return rule


def _unop(name, np_fn, kinds, out_dtype=None):
    p = def_primitive(name, unop_rule(name, kinds, out_dtype), np_fn)

    def fn(x):
        return p.bind(asarray(x))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (lax.{name}).\n\n>>> lax.{name}(x)  # doctest: +SKIP\n"
    return p, fn


def _round_impl(x, rounding_method=0):
    if int(rounding_method) == 1:
        return np.rint(x)
    t = np.trunc(x)
    frac = x - t
    return t + np.where(np.abs(frac) >= 0.5, np.sign(x), 0).astype(x.dtype)


def _logistic(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def _sign(x):
    if x.dtype.kind == "u":
        return (x > 0).astype(x.dtype)
    if x.dtype.kind == "f":
        return np.where(x == 0, x, np.sign(x))  # XLA keeps the sign of zero; np.sign does not
    return np.sign(x)


def _bits(dtype):
    return np.dtype(dtype).itemsize * 8


def _population_count(x):
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    out = np.zeros(x.shape, np.uint64)
    for _ in range(_bits(x.dtype)):
        out += u & np.uint64(1)
        u >>= np.uint64(1)
    return out.astype(x.dtype)


def _clz(x):
    nbits = _bits(x.dtype)
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    out = np.full(x.shape, nbits, np.int64)
    for b in range(nbits):
        hit = ((u >> np.uint64(b)) & np.uint64(1)).astype(bool)
        out = np.where(hit, nbits - 1 - b, out)
    return out.astype(x.dtype)


def _not(x):
    return np.logical_not(x) if x.dtype == np.bool_ else np.invert(x)


neg_p, neg = _unop("neg", np.negative, NUMERIC)
abs_p, abs = _unop("abs", np.abs, NUMERIC)
sign_p, sign = _unop("sign", _sign, NUMERIC)
floor_p, floor = _unop("floor", np.floor, FLOAT)
ceil_p, ceil = _unop("ceil", np.ceil, FLOAT)
is_finite_p, is_finite = _unop("is_finite", np.isfinite, FLOAT, np.dtype(bool))
exp_p, exp = _unop("exp", np.exp, FLOAT)
exp2_p, exp2 = _unop("exp2", np.exp2, FLOAT)
expm1_p, expm1 = _unop("expm1", np.expm1, FLOAT)
log_p, log = _unop("log", np.log, FLOAT)
log1p_p, log1p = _unop("log1p", np.log1p, FLOAT)
sqrt_p, sqrt = _unop("sqrt", np.sqrt, FLOAT)
rsqrt_p, rsqrt = _unop("rsqrt", lambda x: 1 / np.sqrt(x), FLOAT)
cbrt_p, cbrt = _unop("cbrt", np.cbrt, FLOAT)
sin_p, sin = _unop("sin", np.sin, FLOAT)
cos_p, cos = _unop("cos", np.cos, FLOAT)
tan_p, tan = _unop("tan", np.tan, FLOAT)
asin_p, asin = _unop("asin", np.arcsin, FLOAT)
acos_p, acos = _unop("acos", np.arccos, FLOAT)
atan_p, atan = _unop("atan", np.arctan, FLOAT)
sinh_p, sinh = _unop("sinh", np.sinh, FLOAT)
cosh_p, cosh = _unop("cosh", np.cosh, FLOAT)
tanh_p, tanh = _unop("tanh", np.tanh, FLOAT)
asinh_p, asinh = _unop("asinh", np.arcsinh, FLOAT)
acosh_p, acosh = _unop("acosh", np.arccosh, FLOAT)
atanh_p, atanh = _unop("atanh", np.arctanh, FLOAT)
logistic_p, logistic = _unop("logistic", _logistic, FLOAT)
erf_p, erf = _unop("erf", lambda *a: special_np.erf(*a), FLOAT)
erfc_p, erfc = _unop("erfc", lambda *a: special_np.erfc(*a), FLOAT)
erf_inv_p, erf_inv = _unop("erf_inv", lambda *a: special_np.erf_inv(*a), FLOAT)
lgamma_p, lgamma = _unop("lgamma", lambda *a: special_np.lgamma(*a), FLOAT)
digamma_p, digamma = _unop("digamma", lambda *a: special_np.digamma(*a), FLOAT)
bessel_i0e_p, bessel_i0e = _unop("bessel_i0e", lambda *a: special_np.bessel_i0e(*a), FLOAT)
bessel_i1e_p, bessel_i1e = _unop("bessel_i1e", lambda *a: special_np.bessel_i1e(*a), FLOAT)
square_p, square = _unop("square", np.square, NUMERIC)
not_p, bitwise_not = _unop("not", _not, INT_OR_BOOL)
population_count_p, population_count = _unop("population_count", _population_count, INT)
clz_p, clz = _unop("clz", _clz, INT)

round_p = def_primitive("round", lambda x, rounding_method=0: unop_rule("round", FLOAT)(x),
                        _round_impl)


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    """Round to the nearest integer; ties away from zero (default) or to even."""
    return round_p.bind(asarray(x), rounding_method=int(rounding_method))


def _integer_pow_rule(x, y):
    if y < 0 and x.dtype.kind != "f":
        raise type_error(
            f"Integers cannot be raised to negative powers, got integer_pow("
            f"{x.dtype.name}[{','.join(map(str, x.shape))}], {y})")
    return unop_rule("integer_pow", NUMERIC)(x)


def _integer_pow_impl(x, y):
    if y < 0:
        return np.power(x, np.asarray(y, x.dtype))
    if x.dtype.kind in "iu":
        # repeated squaring keeps wrap-around integer semantics
        acc = np.ones_like(x)
        base = x.copy()
        n = y
        while n:
            if n & 1:
                acc = acc * base
            base = base * base
            n >>= 1
        return acc
    return np.power(x, np.asarray(y, x.dtype))


integer_pow_p = def_primitive("integer_pow", _integer_pow_rule, _integer_pow_impl)


def reciprocal(x):
    """1 / x elementwise (lax.reciprocal), as integer_pow(x, -1)."""
    return integer_pow(x, -1)


def integer_pow(x, y: int):
    """x ** y for a static Python int y."""
    if not isinstance(y, (int, np.integer)) or isinstance(y, bool):
        raise type_error(f"integer_pow requires a Python int exponent, got {y!r}")
    return integer_pow_p.bind(asarray(x), y=int(y))


# ----------------------------------------------------------------------------- binary

def binop_rule(name, kinds, out_dtype=None):
    def rule(x, y):
        if x.dtype != y.dtype:
            raise type_error(
                f"lax.{name} requires arguments to have the same dtypes, got "
                f"{dtype_str([x.dtype, y.dtype])}. (Tip: jnp.{name} is a similar function "
                f"that does automatic type promotion on inputs)."
            )
        _check_kind(name, x.dtype, kinds)
        shape = x.shape if x.shape == y.shape else broadcast_shapes_lax(name, x.shape, y.shape)
        if out_dtype is None:
            return aval(shape, x.dtype, x.weak_type and y.weak_type)
        return aval(shape, out_dtype, False)
    return rule


def _binop(name, np_fn, kinds, out_dtype=None):
    p = def_primitive(name, binop_rule(name, kinds, out_dtype), np_fn)
    array_impl_rules[p] = _fast_binop_impl(p, np_fn, kinds, out_dtype)

    def fn(x, y):
        return p.bind(asarray(x), asarray(y))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (lax.{name}).\n\n>>> lax.{name}(x, y)  # doctest: +SKIP\n"
    return p, fn


def _fast_binop_impl(p, np_fn, kinds, out_dtype):
    # Eager fast path for the common case (two Arrays of one dtype and shape):
    # skips building abstract values; everything else takes the checked path.
    def impl(x, y):
        if type(x) is Array and type(y) is Array:
            xv = x._value
            yv = y._value
            dt = xv.dtype
            if dt == yv.dtype and dt.kind in kinds and (
                    xv.shape == yv.shape or not yv.ndim or not xv.ndim):
                with np.errstate(all="ignore"):
                    out = np_fn(xv, yv)
                want = dt if out_dtype is None else out_dtype
                if type(out) is not np.ndarray or out.dtype != want:
                    out = np.asarray(out, want)
                return Array(out, out_dtype is None and x.weak_type and y.weak_type)
        return eval_numpy_impl(p, (x, y), {})
    return impl


def _int_div(x, y):
    if x.dtype.kind == "f":
        return np.true_divide(x, y)
    zero = y == 0
    safe_y = np.where(zero, np.ones_like(y), y)
    if x.dtype.kind == "i":
        # avoid INT_MIN // -1 overflow trap: result wraps to INT_MIN as in XLA
        minus1 = safe_y == -1
        safe_y = np.where(minus1, np.ones_like(y), safe_y)
        q = np.floor_divide(x, safe_y)
        q = np.where((np.remainder(x, safe_y) != 0) & ((x < 0) != (safe_y < 0)), q + 1, q)
        q = np.where(minus1, np.negative(x), q)
        return np.where(zero, np.asarray(-1, x.dtype), q)
    q = np.floor_divide(x, safe_y)
    return np.where(zero, np.asarray(np.iinfo(x.dtype).max, x.dtype), q)


def _rem(x, y):
    if x.dtype.kind == "f":
        return np.fmod(x, y)
    zero = y == 0
    safe_y = np.where(zero, np.ones_like(y), y)
    if x.dtype.kind == "i":
        safe_y = np.where(safe_y == -1, np.ones_like(y), safe_y)
    r = np.fmod(x, safe_y)
    return np.where(zero, x, r)


def _shift_left(x, y):
    nbits = _bits(x.dtype)
    u = np.dtype(f"u{x.dtype.itemsize}")
    yy = y.astype(u, copy=False) if y.dtype.kind == "i" else y
    big = (y < 0) | (yy >= nbits) if y.dtype.kind == "i" else yy >= nbits
    s = np.where(big, 0, yy).astype(u)
    out = np.left_shift(x.view(u) if x.ndim else np.asarray(x).view(u), s)
    return np.where(big, 0, out).astype(u).view(x.dtype)


def _shift_right_logical(x, y):
    nbits = _bits(x.dtype)
    u = np.dtype(f"u{x.dtype.itemsize}")
    yy = y.astype(u)
    big = (y < 0) | (yy >= nbits) if y.dtype.kind == "i" else yy >= nbits
    s = np.where(big, 0, yy).astype(u)
    out = np.right_shift(np.asarray(x).view(u), s)
    return np.where(big, 0, out).astype(u).view(x.dtype)


def _shift_right_arithmetic(x, y):
    nbits = _bits(x.dtype)
    sdt = np.dtype(f"i{x.dtype.itemsize}")
    yy = y.astype(np.dtype(f"u{x.dtype.itemsize}"))
    big = (y < 0) | (yy >= nbits) if y.dtype.kind == "i" else yy >= nbits
    s = np.where(big, nbits - 1, yy).astype(sdt)
    return np.right_shift(np.asarray(x).view(sdt), s).view(x.dtype)


def _logical(np_logical, np_bitwise):
    return lambda x, y: (np_logical if x.dtype == np.bool_ else np_bitwise)(x, y)


def _pow(x, y):
    return np.power(x, y.astype(x.dtype) if y.dtype != x.dtype else y)


add_p, add = _binop("add", np.add, NUMERIC)
sub_p, sub = _binop("sub", np.subtract, NUMERIC)
mul_p, mul = _binop("mul", np.multiply, NUMERIC)
div_p, div = _binop("div", _int_div, NUMERIC)
rem_p, rem = _binop("rem", _rem, NUMERIC)
def _zero_signed(np_fn, zero_pick):
    # NumPy's maximum/minimum return either operand for (+0.0, -0.0); XLA gives +0.0
    # for max and -0.0 for min.
    def fn(x, y):
        out = np_fn(x, y)
        if x.dtype.kind == "f":
            both_zero = (x == 0) & (y == 0)
            if np.any(both_zero):
                out = np.where(both_zero, zero_pick(x, y), out)
        return out
    return fn


max_p, max = _binop("max", _zero_signed(np.maximum, lambda x, y: np.where(
    np.signbit(x) & np.signbit(y), -0.0, 0.0).astype(x.dtype)), ANY)
min_p, min = _binop("min", _zero_signed(np.minimum, lambda x, y: np.where(
    np.signbit(x) | np.signbit(y), -0.0, 0.0).astype(x.dtype)), ANY)
atan2_p, atan2 = _binop("atan2", np.arctan2, FLOAT)
nextafter_p, nextafter = _binop("nextafter", np.nextafter, FLOAT)
and_p, bitwise_and = _binop("and", _logical(np.logical_and, np.bitwise_and), INT_OR_BOOL)
or_p, bitwise_or = _binop("or", _logical(np.logical_or, np.bitwise_or), INT_OR_BOOL)
xor_p, bitwise_xor = _binop("xor", _logical(np.logical_xor, np.bitwise_xor), INT_OR_BOOL)
shift_left_p, shift_left = _binop("shift_left", _shift_left, INT)
shift_right_logical_p, shift_right_logical = _binop(
    "shift_right_logical", _shift_right_logical, INT)
shift_right_arithmetic_p, shift_right_arithmetic = _binop(
    "shift_right_arithmetic", _shift_right_arithmetic, INT)
igamma_p, igamma = _binop("igamma", lambda *a: special_np.igamma(*a), FLOAT)
igammac_p, igammac = _binop("igammac", lambda *a: special_np.igammac(*a), FLOAT)
zeta_p, zeta = _binop("zeta", lambda *a: special_np.zeta(*a), FLOAT)
polygamma_p, polygamma = _binop("polygamma", lambda *a: special_np.polygamma(*a), FLOAT)

_BOOL = np.dtype(bool)
eq_p, eq = _binop("eq", np.equal, ANY, _BOOL)
ne_p, ne = _binop("ne", np.not_equal, ANY, _BOOL)
lt_p, lt = _binop("lt", np.less, ANY, _BOOL)
le_p, le = _binop("le", np.less_equal, ANY, _BOOL)
gt_p, gt = _binop("gt", np.greater, ANY, _BOOL)
ge_p, ge = _binop("ge", np.greater_equal, ANY, _BOOL)


def _pow_rule(x, y):
    _check_kind("pow", x.dtype, FLOAT)
    if y.dtype != x.dtype and y.dtype.kind not in INT:
        raise type_error(
            f"lax.pow requires a floating-point base and an exponent of the same dtype or an "
            f"integer dtype, got {dtype_str([x.dtype, y.dtype])}."
        )
    shape = x.shape if x.shape == y.shape else broadcast_shapes_lax("pow", x.shape, y.shape)
    return aval(shape, x.dtype, x.weak_type and y.weak_type)


pow_p = def_primitive("pow", _pow_rule, _pow)


def pow(x, y):
    """x ** y elementwise, for a floating-point x (y float of the same dtype, or int)."""
    return pow_p.bind(asarray(x), asarray(y))


def _betainc_rule(a, b, x):
    if not (a.dtype == b.dtype == x.dtype):
        raise type_error(
            f"regularized_incomplete_beta requires arguments of one dtype, got "
            f"{dtype_str([a.dtype, b.dtype, x.dtype])}."
        )
    _check_kind("regularized_incomplete_beta", a.dtype, FLOAT)
    shape = broadcast_shapes_lax("regularized_incomplete_beta", a.shape, b.shape, x.shape)
    return aval(shape, a.dtype, a.weak_type and b.weak_type and x.weak_type)


regularized_incomplete_beta_p = def_primitive(
    "regularized_incomplete_beta", _betainc_rule, lambda *a: special_np.betainc(*a))


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    return regularized_incomplete_beta_p.bind(asarray(a), asarray(b), asarray(x))


# ----------------------------------------------------------------------------- select, clamp

def _select_n_rule(which, *cases):
    if not cases:
        raise type_error("select_n requires at least one case")
    c0 = cases[0]
    for c in cases[1:]:
        if c.shape != c0.shape or c.dtype != c0.dtype:
            raise type_error(
                f"select_n cases must have the same shapes and dtypes, got shapes "
                f"{shape_str([c.shape for c in cases])} and dtypes "
                f"{dtype_str([c.dtype for c in cases])}."
            )
    if which.dtype != np.bool_ and which.dtype != np.int32:
        raise type_error(f"select_n which must be bool or int32, got {which.dtype.name}")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise type_error(f"select_n with a boolean which takes at most 2 cases, got {len(cases)}")
    if which.shape and which.shape != c0.shape:
        raise type_error(
            f"select_n which must be scalar or have the same shape as the cases, got "
            f"{which.shape} and {c0.shape}."
        )
    return aval(c0.shape, c0.dtype, all(c.weak_type for c in cases))


def _select_n_impl(which, *cases):
    if len(cases) == 1:
        return cases[0]
    if which.dtype == np.bool_:
        return np.where(which, cases[1], cases[0])
    idx = np.clip(which, 0, len(cases) - 1)
    return np.choose(np.broadcast_to(idx, cases[0].shape), cases)


select_n_p = def_primitive("select_n", _select_n_rule, _select_n_impl)


def select_n(which, *cases):
    """cases[which] elementwise; `which` is bool (two cases) or int32."""
    return select_n_p.bind(asarray(which), *map(asarray, cases))


def select(pred, on_true, on_false):
    """on_true where pred else on_false (lax.select)."""
    return select_n(pred, on_false, on_true)


def _clamp_rule(lo, x, hi):
    for name, b in (("min", lo), ("max", hi)):
        if b.dtype != x.dtype:
            raise type_error(
                f"clamp requires min, operand and max of one dtype, got "
                f"{dtype_str([lo.dtype, x.dtype, hi.dtype])}."
            )
        if b.shape and b.shape != x.shape:
            raise type_error(
                f"clamp {name} must be a scalar or have the operand's shape {x.shape}, "
                f"got {b.shape}."
            )
    _check_kind("clamp", x.dtype, NUMERIC + "b")
    return aval(x.shape, x.dtype, x.weak_type)


clamp_p = def_primitive("clamp", _clamp_rule, lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi))


def clamp(min, x, max):
    """min(max(x, min), max) elementwise."""
    return clamp_p.bind(asarray(min), asarray(x), asarray(max))


# ----------------------------------------------------------------------------- conversions

def _convert_rule(x, new_dtype, weak_type=False):
    if new_dtype.kind == "c":
        raise type_error("tinyjax does not support complex dtypes")
    return aval(x.shape, new_dtype, weak_type)


def convert_values(x: np.ndarray, new_dtype: np.dtype) -> np.ndarray:
    """NumPy conversion with XLA's semantics: float -> int truncates toward zero,
    saturates out-of-range values and maps NaN to 0; anything -> bool is `!= 0`."""
    if new_dtype == np.bool_:
        return x != 0
    if x.dtype.kind == "f" and new_dtype.kind in "iu":
        info = np.iinfo(new_dtype)
        t = np.trunc(x.astype(np.float64))
        t = np.where(np.isnan(t), 0, t)
        out = np.where(t <= info.min, info.min, 0).astype(new_dtype)
        big = t >= float(info.max)
        mid = ~big & (t > info.min)
        np.copyto(out, np.where(mid, t, 0).astype(new_dtype), where=mid)
        np.copyto(out, np.asarray(info.max, new_dtype), where=big)
        return out
    return x.astype(new_dtype)


convert_element_type_p = def_primitive(
    "convert_element_type", _convert_rule,
    lambda x, new_dtype, weak_type=False: convert_values(x, new_dtype))


def convert_element_type(x, new_dtype):
    """Convert to `new_dtype` (canonicalized: 64-bit types need x64)."""
    x = asarray(x)
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if x.dtype == new_dtype and not x.weak_type:
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=False)


def _bitcast_rule(x, new_dtype):
    old, new = x.dtype.itemsize, new_dtype.itemsize
    if old == new:
        shape = x.shape
    elif old > new:
        shape = x.shape + (old // new,)
    else:
        if not x.shape or x.shape[-1] != new // old:
            raise type_error(
                f"bitcast_convert_type from {x.dtype.name} to {new_dtype.name} needs a last "
                f"dimension of size {new // old}, got shape {x.shape}."
            )
        shape = x.shape[:-1]
    return aval(shape, new_dtype, False)


def _bitcast_impl(x, new_dtype):
    old, new = x.dtype.itemsize, new_dtype.itemsize
    x = np.array(x, copy=None, order="C")
    if old == new:
        return x.view(new_dtype)
    if old > new:
        return x.reshape(x.shape + (1,)).view(new_dtype).reshape(x.shape + (old // new,))
    return x.view(new_dtype).reshape(x.shape[:-1])


bitcast_convert_type_p = def_primitive("bitcast_convert_type", _bitcast_rule, _bitcast_impl)


def bitcast_convert_type(x, new_dtype):
    """Reinterpret the bits of x as `new_dtype` (shape changes if widths differ)."""
    return bitcast_convert_type_p.bind(asarray(x), new_dtype=dtypes.canonicalize_dtype(new_dtype))


def _reduce_precision_impl(x, exponent_bits, mantissa_bits):
    finfo = np.finfo(x.dtype)
    src_m = finfo.nmant
    src_e = _bits(x.dtype) - 1 - src_m
    u = np.dtype(f"u{x.dtype.itemsize}")
    bits = np.array(x, copy=None, order="C").view(u).copy()
    one = u.type(1)
    if mantissa_bits < src_m:
        shift = u.type(src_m - mantissa_bits)
        last = (bits >> shift) & one
        bias = (one << (shift - one)) - one + last
        bits = (bits + bias) & ~((one << shift) - one)
    if exponent_bits < src_e:
        sign = bits & (one << u.type(_bits(x.dtype) - 1))
        exp_mask = ((one << u.type(src_e)) - one) << u.type(src_m)
        exp_field = ((bits & exp_mask) >> u.type(src_m)).astype(np.int64)
        src_bias = (1 << (src_e - 1)) - 1
        dst_bias = (1 << (exponent_bits - 1)) - 1
        e = exp_field - src_bias
        over = e > dst_bias
        under = e <= -dst_bias
        inf_bits = exp_mask
        bits = np.where(over, sign | inf_bits, bits)
        bits = np.where(under, sign, bits)
    out = bits.view(x.dtype)
    return np.where(np.isnan(x), x, out)


def _reduce_precision_rule(x, exponent_bits, mantissa_bits):
    _check_kind("reduce_precision", x.dtype, FLOAT)
    if exponent_bits < 1 or mantissa_bits < 0:
        raise type_error(
            f"reduce_precision needs exponent_bits >= 1 and mantissa_bits >= 0, got "
            f"{exponent_bits} and {mantissa_bits}"
        )
    return aval(x.shape, x.dtype, x.weak_type)


reduce_precision_p = def_primitive("reduce_precision", _reduce_precision_rule,
                                   _reduce_precision_impl)


def reduce_precision(x, exponent_bits: int, mantissa_bits: int):
    """Round x to a float format with the given exponent and mantissa widths."""
    return reduce_precision_p.bind(asarray(x), exponent_bits=int(exponent_bits),
                                   mantissa_bits=int(mantissa_bits))
