"""Elementwise NumPy functions (jnp.add, jnp.sin, ...), written in terms of lax.

Each follows NumPy's signature and JAX's semantics: implicit dtype promotion on
JAX's lattice, NumPy broadcasting, and integer inputs to transcendental
functions promoted to the default float.
"""
from __future__ import annotations

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.array import Array
from ..lax._base import type_error
from ._convert import (
    asarray,
    check_arraylike,
    promote_args,
    promote_args_inexact,
    promote_dtypes,
    promote_shapes,
)


def _one(name, lax_fn, inexact=False, kinds=None):
    def fn(x, /):
        if type(x) is not Array or (inexact and x.dtype.kind != "f"):
            check_arraylike(name, x)
            (x,) = promote_args_inexact(name, x) if inexact else promote_dtypes(x)
        if kinds is not None and x.dtype.kind not in kinds:
            raise type_error(f"jnp.{name} does not accept dtype {x.dtype.name}")
        return lax_fn(x)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise {name}, as numpy.{name}.\n\n"
                  f">>> import tinyjax.numpy as jnp\n>>> jnp.{name}(jnp.array([0.5]))"
                  f"  # doctest: +SKIP\n")
    return fn


# Array kinds whose dtype a weakly typed Python scalar of this type leaves unchanged
_SCALAR_KEEPS = {float: "f", int: "iuf"}


def _weak_scalar(v, dtype):
    if dtype.kind in "iu":
        dtypes.check_python_int(v, dtype)
    return Array(np.array(v, dtype), True)


def _two(name, lax_fn, inexact=False):
    def fn(x1, x2, /):
        # fast paths (same results as the general path below): two arrays of one
        # dtype and shape, or an array and a Python scalar that keeps its dtype
        t1, t2 = type(x1), type(x2)
        if t1 is Array:
            kind = x1.dtype.kind
            if t2 is Array:
                if x1.dtype == x2.dtype and x1.shape == x2.shape and (kind == "f" or not inexact):
                    return lax_fn(x1, x2)
            elif kind in _SCALAR_KEEPS.get(t2, "") and (kind == "f" or not inexact):
                return lax_fn(x1, _weak_scalar(x2, x1.dtype))
        elif t2 is Array:
            kind = x2.dtype.kind
            if kind in _SCALAR_KEEPS.get(t1, "") and (kind == "f" or not inexact):
                return lax_fn(_weak_scalar(x1, x2.dtype), x2)
        check_arraylike(name, x1, x2)
        a, b = promote_args_inexact(name, x1, x2) if inexact else promote_args(name, x1, x2)
        return lax_fn(a, b)

    fn.__name__ = fn.__qualname__ = name
    fn.__doc__ = (f"Elementwise {name} with broadcasting, as numpy.{name}.\n\n"
                  f">>> import tinyjax.numpy as jnp\n>>> jnp.{name}(jnp.array([1.0]), 2.0)"
                  f"  # doctest: +SKIP\n")
    return fn


# -- arithmetic (booleans: add is or, multiply is and, as in JAX)
def _add(x, y):
    return lax.bitwise_or(x, y) if x.dtype == np.bool_ else lax.add_p.bind(x, y)


def _mul(x, y):
    return lax.bitwise_and(x, y) if x.dtype == np.bool_ else lax.mul_p.bind(x, y)


def _sub(x, y):
    if x.dtype == np.bool_:
        raise type_error("jnp.subtract of two boolean arrays is not supported; "
                         "use jnp.logical_xor or jnp.not_equal instead.")
    return lax.sub_p.bind(x, y)


add = _two("add", _add)
multiply = _two("multiply", _mul)
subtract = _two("subtract", _sub)
true_divide = _two("true_divide", lambda x, y: lax.div_p.bind(x, y), inexact=True)
divide = true_divide
maximum = _two("maximum", lambda x, y: lax.max_p.bind(x, y))
minimum = _two("minimum", lambda x, y: lax.min_p.bind(x, y))
arctan2 = _two("arctan2", lax.atan2, inexact=True)
atan2 = arctan2
nextafter = _two("nextafter", lax.nextafter, inexact=True)


def _floor_divide(x, y):
    if x.dtype == np.bool_:
        return lax.bitwise_and(x, y)
    if x.dtype.kind in "iu":
        q = lax.div(x, y)
        if x.dtype.kind == "u":
            return q
        # round toward -inf: one less where the signs differ and the division is inexact
        # (sign, not `< 0`, so that x // 0 follows JAX: -1 for x == 0, else -2)
        fix = lax.bitwise_and(lax.ne(lax.sign(x), lax.sign(y)),
                              lax.ne(lax.rem(x, y), lax.full_like(x, 0)))
        return lax.select(fix, lax.sub(q, lax.full_like(q, 1)), q)
    # NumPy's float floor_divide: (x - fmod(x, y)) / y, corrected toward -inf and rounded
    zero = lax.full_like(x, 0)
    mod = lax.rem(x, y)
    div = lax.div(lax.sub(x, mod), y)
    ind = lax.bitwise_and(lax.ne(mod, zero), lax.ne(lax.sign(y), lax.sign(mod)))
    div = lax.select(ind, lax.sub(div, lax.full_like(div, 1)), div)
    div = lax.round(div, lax.RoundingMethod.TO_NEAREST_EVEN)
    # division by zero gives x / y (±inf, nan), as NumPy 2 and JAX
    return lax.select(lax.eq(y, zero), lax.div(x, y), div)


def _remainder(x, y):
    if x.dtype == np.bool_:
        raise type_error("jnp.remainder does not accept boolean arrays")
    r = lax.rem(x, y)
    zero = lax.full_like(r, 0)
    if x.dtype.kind != "u":
        fix = lax.bitwise_and(lax.ne(r, zero), lax.ne(lax.lt(r, zero), lax.lt(y, zero)))
        r = lax.select(fix, lax.add(r, y), r)
    if x.dtype.kind in "iu":
        r = lax.select(lax.eq(y, zero), zero, r)  # x % 0 == 0 for integers, as NumPy and JAX
    return r


def _fmod(x, y):
    r = lax.rem(x, y)
    if x.dtype.kind in "iu":
        zero = lax.full_like(r, 0)
        r = lax.select(lax.eq(y, zero), zero, r)
    return r


floor_divide = _two("floor_divide", _floor_divide)
remainder = _two("remainder", _remainder)
mod = remainder
fmod = _two("fmod", _fmod)


def divmod(x1, x2, /):
    """(floor_divide(x1, x2), remainder(x1, x2))."""
    return floor_divide(x1, x2), remainder(x1, x2)


def power(x1, x2, /):
    """x1 ** x2 elementwise, as numpy.power (integer powers exact by repeated squaring).

    >>> power(jnp.array([2, 3]), 3)  # doctest: +SKIP
    Array([ 8, 27], dtype=int32)
    """
    check_arraylike("power", x1, x2)
    if isinstance(x2, int) and not isinstance(x2, bool):
        (x,) = promote_dtypes(x1)
        if x.dtype != np.bool_:
            return lax.integer_pow(x, x2)  # negative powers of ints raise, as in JAX
    x, y = promote_args("power", x1, x2)
    if x.dtype.kind in "iub":
        if x.dtype == np.bool_:
            raise type_error("jnp.power does not accept boolean arrays")
        return _int_power(x, y)
    return lax.pow(x, y)


def _int_power(x, y):
    # square-and-multiply over the exponent's bits; negative exponents give 0 (or ±1)
    x, y = broadcast_all(x, y)
    one = lax.full_like(x, 1)
    acc = one
    base = x
    e = y
    for _ in range(x.dtype.itemsize * 8):
        bit = lax.ne(lax.bitwise_and(e, lax.full_like(e, 1)), lax.full_like(e, 0))
        acc = lax.select(bit, lax.mul(acc, base), acc)
        base = lax.mul(base, base)
        e = lax.shift_right_logical(e, lax.full_like(e, 1))
    if y.dtype.kind == "i":
        neg = lax.lt(y, lax.full_like(y, 0))
        # x ** negative: 1 if x == 1, ±1 if x == -1, else 0 (numpy raises; JAX computes)
        xm1 = lax.eq(x, lax.full_like(x, -1)) if x.dtype.kind == "i" else lax.full_like(neg, 0)
        odd = lax.ne(lax.bitwise_and(y, lax.full_like(y, 1)), lax.full_like(y, 0))
        negval = lax.select(lax.eq(x, one), one, lax.select(
            xm1, lax.select(odd, lax.full_like(x, -1), one), lax.full_like(x, 0)))
        acc = lax.select(neg, negval, acc)
    return acc


def float_power(x1, x2, /):
    """x1 ** x2 computed in the widest float available."""
    x, y = promote_args_inexact("float_power", x1, x2)
    return lax.pow(x, y)


def negative(x, /):
    """-x elementwise."""
    (x,) = promote_dtypes(x)
    if x.dtype == np.bool_:
        raise type_error("jnp.negative does not accept boolean arrays; use jnp.logical_not")
    return lax.neg(x)


def positive(x, /):
    """+x elementwise (a copy)."""
    (x,) = promote_dtypes(x)
    return x


def absolute(x, /):
    """|x| elementwise."""
    (x,) = promote_dtypes(x)
    if x.dtype == np.bool_ or x.dtype.kind == "u":
        return x
    return lax.abs(x)


abs = absolute
fabs = _one("fabs", lax.abs, inexact=True)


def sign(x, /):
    """-1, 0 or 1 by sign (NaN for NaN)."""
    (x,) = promote_dtypes(x)
    if x.dtype == np.bool_:
        return x
    return lax.sign(x)


exp = _one("exp", lax.exp, True)
exp2 = _one("exp2", lax.exp2, True)
expm1 = _one("expm1", lax.expm1, True)
log = _one("log", lax.log, True)
log1p = _one("log1p", lax.log1p, True)
sqrt = _one("sqrt", lax.sqrt, True)
cbrt = _one("cbrt", lax.cbrt, True)
sin = _one("sin", lax.sin, True)
cos = _one("cos", lax.cos, True)
tan = _one("tan", lax.tan, True)
arcsin = asin = _one("arcsin", lax.asin, True)
arccos = acos = _one("arccos", lax.acos, True)
arctan = atan = _one("arctan", lax.atan, True)
sinh = _one("sinh", lax.sinh, True)
cosh = _one("cosh", lax.cosh, True)
tanh = _one("tanh", lax.tanh, True)
arcsinh = asinh = _one("arcsinh", lax.asinh, True)
arccosh = acosh = _one("arccosh", lax.acosh, True)
arctanh = atanh = _one("arctanh", lax.atanh, True)
floor = _one("floor", lambda x: x if x.dtype.kind in "biu" else lax.floor(x))
ceil = _one("ceil", lambda x: x if x.dtype.kind in "biu" else lax.ceil(x))
trunc = _one("trunc", lambda x: x if x.dtype.kind in "biu" else lax.select(
    lax.lt(x, lax.full_like(x, 0)), lax.ceil(x), lax.floor(x)))
fix = trunc
rint = _one("rint", lambda x: x if x.dtype.kind in "biu" else lax.round(
    x, lax.RoundingMethod.TO_NEAREST_EVEN), True)


def _log_base(base):
    def f(x):
        return lax.div(lax.log(x), lax.full_like(x, np.log(base)))
    return f


log2 = _one("log2", _log_base(2.0), True)
log10 = _one("log10", _log_base(10.0), True)


def square(x, /):
    """x * x elementwise."""
    (x,) = promote_dtypes(x)
    return lax.integer_pow(x, 2)


def reciprocal(x, /):
    """1 / x elementwise (integer inputs stay integer, as in NumPy)."""
    (x,) = promote_dtypes(x)
    return lax.integer_pow(x, -1) if x.dtype.kind == "f" else lax.div(lax.full_like(x, 1), x)


def round(a, decimals: int = 0, out=None):
    """Round to `decimals` decimals, ties to even (as numpy.round)."""
    if out is not None:
        raise TypeError("The 'out' argument to jnp.round is not supported.")
    (x,) = promote_dtypes(a)
    if x.dtype.kind in "biu":
        if decimals < 0:
            raise NotImplementedError("integer jnp.round with decimals < 0 is not implemented")
        return x
    if decimals == 0:
        return lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN)
    factor = lax.full_like(x, 10.0 ** decimals)
    return lax.div(lax.round(lax.mul(x, factor), lax.RoundingMethod.TO_NEAREST_EVEN), factor)


around = round
round_ = round


# -- comparisons and logic
equal = _two("equal", lax.eq)
not_equal = _two("not_equal", lax.ne)
less = _two("less", lax.lt)
less_equal = _two("less_equal", lax.le)
greater = _two("greater", lax.gt)
greater_equal = _two("greater_equal", lax.ge)


def _bool_args(name, *xs):
    return [asarray(x, bool) if not (hasattr(x, "dtype") and x.dtype == np.bool_) else x
            for x in xs]


def logical_and(x1, x2, /):
    """x1 and x2 elementwise, as booleans."""
    return lax.bitwise_and(*promote_shapes("logical_and", *_bool_args("logical_and", x1, x2)))


def logical_or(x1, x2, /):
    """x1 or x2 elementwise, as booleans."""
    return lax.bitwise_or(*promote_shapes("logical_or", *_bool_args("logical_or", x1, x2)))


def logical_xor(x1, x2, /):
    """x1 xor x2 elementwise, as booleans."""
    return lax.bitwise_xor(*promote_shapes("logical_xor", *_bool_args("logical_xor", x1, x2)))


def logical_not(x, /):
    """not x elementwise, as booleans."""
    return lax.bitwise_not(*_bool_args("logical_not", x))


def _int_or_bool(name, fn):
    def g(x, y):
        if x.dtype.kind == "f":
            raise type_error(f"jnp.{name} requires integer or boolean arrays, got {x.dtype.name}")
        return fn(x, y)
    return g


bitwise_and = _two("bitwise_and", _int_or_bool("bitwise_and", lax.bitwise_and))
bitwise_or = _two("bitwise_or", _int_or_bool("bitwise_or", lax.bitwise_or))
bitwise_xor = _two("bitwise_xor", _int_or_bool("bitwise_xor", lax.bitwise_xor))


def bitwise_not(x, /):
    """~x elementwise (integers and booleans)."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind == "f":
        raise type_error(f"jnp.bitwise_not requires integer or boolean arrays, got {x.dtype.name}")
    return lax.bitwise_not(x)


invert = bitwise_invert = bitwise_not
left_shift = bitwise_left_shift = _two("left_shift", lax.shift_left)


def _right_shift(x, y):
    if x.dtype.kind == "u":
        return lax.shift_right_logical(x, y)
    return lax.shift_right_arithmetic(x, y)


right_shift = bitwise_right_shift = _two("right_shift", _right_shift)


def bitwise_count(x, /):
    """Number of 1 bits in |x| (as numpy.bitwise_count), as uint8."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind not in "iub":
        raise type_error(f"jnp.bitwise_count requires integer arguments, got {x.dtype.name}")
    return lax.convert_element_type(lax.population_count(absolute(x)), np.uint8)


# -- float classification
def isfinite(x, /):
    """True where x is neither inf nor NaN."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind != "f":
        return lax.full_like(x, True, bool)
    return lax.is_finite(x)


def isinf(x, /):
    """True where x is ±inf."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind != "f":
        return lax.full_like(x, False, bool)
    return lax.eq(lax.abs(x), lax.full_like(x, np.inf))


def isnan(x, /):
    """True where x is NaN."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind != "f":
        return lax.full_like(x, False, bool)
    return lax.ne(x, x)


def isposinf(x, /):
    """True where x is +inf."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind != "f":
        return lax.full_like(x, False, bool)
    return lax.eq(x, lax.full_like(x, np.inf))


def isneginf(x, /):
    """True where x is -inf."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind != "f":
        return lax.full_like(x, False, bool)
    return lax.eq(x, lax.full_like(x, -np.inf))


def signbit(x, /):
    """True where the sign bit is set (including -0.0 and -NaN)."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind == "u" or x.dtype == np.bool_:
        return lax.full_like(x, False, bool)
    if x.dtype.kind == "i":
        return lax.lt(x, lax.full_like(x, 0))
    ibits = np.dtype(f"i{x.dtype.itemsize}")
    return lax.lt(lax.bitcast_convert_type(x, ibits), lax.full_like(x, 0, ibits))


def copysign(x1, x2, /):
    """|x1| with the sign of x2."""
    x, y = broadcast_all(*promote_args_inexact("copysign", x1, x2))
    return lax.select(signbit(y), lax.neg(lax.abs(x)), lax.abs(x))


def hypot(x1, x2, /):
    """sqrt(x1**2 + x2**2) without undue overflow."""
    x, y = promote_args_inexact("hypot", x1, x2)
    x, y = lax.abs(x), lax.abs(y)
    big, small = lax.max(x, y), lax.min(x, y)
    safe = lax.select(lax.eq(big, lax.full_like(big, 0)), lax.full_like(big, 1), big)
    r = lax.div(small, safe)
    out = lax.mul(big, lax.sqrt(lax.add(lax.full_like(r, 1), lax.mul(r, r))))
    return lax.select(lax.eq(big, lax.full_like(big, np.inf)), big, out)


def logaddexp(x1, x2, /):
    """log(exp(x1) + exp(x2)) computed stably."""
    x, y = promote_args_inexact("logaddexp", x1, x2)
    amax = lax.max(x, y)
    delta = lax.sub(x, y)
    isnan_ = lax.ne(delta, delta)
    out = lax.add(amax, lax.log1p(lax.exp(lax.neg(lax.abs(delta)))))
    return lax.select(isnan_, lax.add(x, y), out)


def logaddexp2(x1, x2, /):
    """log2(2**x1 + 2**x2) computed stably."""
    x, y = promote_args_inexact("logaddexp2", x1, x2)
    amax = lax.max(x, y)
    delta = lax.sub(x, y)
    isnan_ = lax.ne(delta, delta)
    ln2 = lax.full_like(x, np.log(2))
    out = lax.add(amax, lax.div(lax.log1p(lax.exp2(lax.neg(lax.abs(delta)))), ln2))
    return lax.select(isnan_, lax.add(x, y), out)


def deg2rad(x, /):
    """Degrees to radians."""
    (x,) = promote_args_inexact("deg2rad", x)
    return lax.mul(x, lax.full_like(x, np.pi / 180))


def rad2deg(x, /):
    """Radians to degrees."""
    (x,) = promote_args_inexact("rad2deg", x)
    return lax.mul(x, lax.full_like(x, 180 / np.pi))


radians = deg2rad
degrees = rad2deg


def sinc(x, /):
    """sin(pi x) / (pi x), with sinc(0) = 1."""
    (x,) = promote_args_inexact("sinc", x)
    zero = lax.eq(x, lax.full_like(x, 0))
    safe = lax.select(zero, lax.full_like(x, 1), x)
    pix = lax.mul(safe, lax.full_like(x, np.pi))
    return lax.select(zero, lax.full_like(x, 1), lax.div(lax.sin(pix), pix))


def heaviside(x1, x2, /):
    """0 where x1 < 0, x2 where x1 == 0, 1 where x1 > 0."""
    x, h = broadcast_all(*promote_args_inexact("heaviside", x1, x2))
    zero = lax.full_like(x, 0)
    return lax.select(lax.lt(x, zero), zero, lax.select(lax.eq(x, zero), h, lax.full_like(x, 1)))


def ldexp(x1, x2, /):
    """x1 * 2**x2."""
    check_arraylike("ldexp", x1, x2)
    x, = promote_args_inexact("ldexp", x1)
    e = asarray(x2)
    if e.dtype.kind not in "iub":
        raise type_error(f"jnp.ldexp exponent must be an integer array, got {e.dtype.name}")
    x, two = broadcast_all(*promote_shapes("ldexp", x, lax.convert_element_type(e, x.dtype)))
    return lax.mul(x, lax.exp2(two))


def frexp(x, /):
    """Mantissa in [0.5, 1) and integer exponent with x = m * 2**e."""
    (x,) = promote_args_inexact("frexp", x)
    ax = lax.abs(x)
    finite_nonzero = lax.bitwise_and(lax.is_finite(x), lax.ne(x, lax.full_like(x, 0)))
    safe = lax.select(finite_nonzero, ax, lax.full_like(x, 1))
    e = lax.add(lax.floor(lax.div(lax.log(safe), lax.full_like(x, np.log(2)))),
                lax.full_like(x, 1))
    m = lax.div(safe, lax.exp2(e))
    # correct rounding of log2 near powers of two
    hi = lax.ge(m, lax.full_like(m, 1))
    lo = lax.lt(m, lax.full_like(m, 0.5))
    e = lax.select(hi, lax.add(e, lax.full_like(e, 1)), lax.select(lo, lax.sub(
        e, lax.full_like(e, 1)), e))
    m = lax.div(safe, lax.exp2(e))
    m = lax.select(lax.lt(x, lax.full_like(x, 0)), lax.neg(m), m)
    m = lax.select(finite_nonzero, m, x)
    e = lax.select(finite_nonzero, e, lax.full_like(e, 0))
    return m, lax.convert_element_type(e, dtypes.default_int_dtype())


def modf(x, /, out=None):
    """(fractional part, integral part), both with the sign of x."""
    (x,) = promote_args_inexact("modf", x)
    whole = trunc(x)
    return lax.sub(x, whole), whole


def broadcast_all(*arrays):
    """Broadcast arrays (of one rank or rank 0) to their common shape."""
    shape = tuple(np.broadcast_shapes(*(a.shape for a in arrays)))
    return [a if a.shape == shape else lax.broadcast_in_dim(
        a, shape, tuple(range(len(shape) - a.ndim, len(shape)))) for a in arrays]


def _nan_ignoring(name, lax_fn):
    def fn(x1, x2, /):
        x, y = broadcast_all(*promote_args(name, x1, x2))
        if x.dtype.kind != "f":
            return lax_fn(x, y)
        return lax.select(lax.ne(x, x), y, lax.select(lax.ne(y, y), x, lax_fn(x, y)))
    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name[1:]}imum ignoring NaNs (as numpy.{name})."
    return fn


fmax = _nan_ignoring("fmax", lax.max)
fmin = _nan_ignoring("fmin", lax.min)


def gcd(x1, x2):
    """Greatest common divisor, elementwise (integers)."""
    x, y = promote_args("gcd", x1, x2)
    if x.dtype.kind not in "iu":
        raise type_error(f"jnp.gcd requires integer arguments, got {x.dtype.name}")
    x, y = broadcast_all(lax.abs(x), lax.abs(y))
    # Euclid's algorithm unrolled to the maximal number of steps for the bit width
    for _ in range(int(x.dtype.itemsize * 8 * 1.5) + 2):
        zero = lax.eq(y, lax.full_like(y, 0))
        safe_y = lax.select(zero, lax.full_like(y, 1), y)
        x, y = lax.select(zero, x, y), lax.select(zero, y, lax.rem(x, safe_y))
    return x


def lcm(x1, x2):
    """Least common multiple, elementwise (integers)."""
    x, y = broadcast_all(*promote_args("lcm", x1, x2))
    g = gcd(x, y)
    zero = lax.eq(g, lax.full_like(g, 0))
    safe = lax.select(zero, lax.full_like(g, 1), g)
    return lax.select(zero, lax.full_like(g, 0), lax.abs(lax.mul(lax.div(x, safe), y)))


def conjugate(x, /):
    """Complex conjugate: the identity on real arrays (tinyjax has no complex dtypes)."""
    return asarray(x)


conj = conjugate


def real(x, /):
    """Real part: the identity on real arrays."""
    return asarray(x)


def imag(x, /):
    """Imaginary part: zeros for real arrays."""
    x = asarray(x)
    return lax.full_like(x, 0)


def angle(z, deg: bool = False):
    """Angle of z: 0 for non-negative reals, pi for negative ones."""
    (x,) = promote_args_inexact("angle", z)
    a = lax.atan2(lax.full_like(x, 0), x)
    return rad2deg(a) if deg else a


def iscomplexobj(x) -> bool:
    return False


def isrealobj(x) -> bool:
    return True


def isreal(x):
    return lax.full_like(asarray(x), True, bool)


def iscomplex(x):
    return lax.full_like(asarray(x), False, bool)


def spacing(x, /):
    """Distance from x to the next representable number away from zero."""
    (x,) = promote_args_inexact("spacing", x)
    inf = lax.full_like(x, np.inf)
    toward = lax.select(signbit(x), lax.neg(inf), inf)
    return lax.sub(lax.nextafter(x, toward), x)


# -- selection
def where(condition, x=None, y=None, /, *, size=None, fill_value=None):
    """x where condition else y, with broadcasting (one-argument form: nonzero).

    >>> where(jnp.array([True, False]), 1.0, 2.0)  # doctest: +SKIP
    Array([1., 2.], dtype=float32)
    """
    if x is None and y is None:
        from . import nonzero
        return nonzero(condition, size=size, fill_value=fill_value)
    if x is None or y is None:
        raise ValueError("Either both or neither of the x and y arguments should be provided "
                         "to jnp.where.")
    check_arraylike("where", condition, x, y)
    c = asarray(condition)
    if c.dtype != np.bool_:
        c = lax.ne(c, lax.full_like(c, 0))
    a, b = promote_dtypes(x, y)
    c, a, b = broadcast_all(*promote_shapes("where", c, a, b))
    return lax.select(c, a, b)


def clip(arr=None, /, min=None, max=None, *, a=None, a_min=None, a_max=None):
    """Clip values to [min, max] (either bound may be None)."""
    x = arr if arr is not None else a
    lo = min if min is not None else a_min
    hi = max if max is not None else a_max
    (x,) = promote_dtypes(x)
    if lo is not None:
        x = maximum(x, lo)
    if hi is not None:
        x = minimum(x, hi)
    return x


def nan_to_num(x, copy: bool = True, nan=0.0, posinf=None, neginf=None):
    """Replace NaN by `nan` and ±inf by the largest finite values (or the given ones)."""
    (x,) = promote_dtypes(x)
    if x.dtype.kind != "f":
        return x
    info = dtypes.finfo(x.dtype)
    posinf = info.max if posinf is None else posinf
    neginf = info.min if neginf is None else neginf
    out = lax.select(lax.ne(x, x), lax.full_like(x, nan), x)
    out = lax.select(lax.eq(out, lax.full_like(x, np.inf)), lax.full_like(x, posinf), out)
    return lax.select(lax.eq(out, lax.full_like(x, -np.inf)), lax.full_like(x, neginf), out)
