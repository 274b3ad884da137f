"""jit of the elementwise primitives agrees with their eager (NumPy) implementations.

Every primitive of lax/elementwise.py is compiled (tinyjax/lowering/lower_elementwise.py)
and compared with eager evaluation on special values (signed zeros, infinities,
NaN, extremes, subnormals, out-of-range shift amounts and selectors...) in every
dtype it accepts: integer and boolean results exactly, floats within a few ulps.
Math functions whose LLVM code generator is not there yet are skipped.
"""
from __future__ import annotations

import itertools
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax as tj
import tinyjax.numpy as jnp
from tinyjax import lax
from tinyjax.core.ad_util import add_any_p
from tinyjax.core.config import enable_x64

FLOATS = ("float16", "float32")
SIGNED = ("int8", "int16", "int32")
UNSIGNED = ("uint8", "uint16", "uint32")
INTS = SIGNED + UNSIGNED
NUMERIC = FLOATS + INTS
ALL = NUMERIC + ("bool",)
X64_FLOATS = ("float64",)
X64_INTS = ("int64", "uint64")

rng = np.random.default_rng(0)


def _rng(dtype):
    return np.random.default_rng(zlib.crc32(np.dtype(dtype).name.encode()))


# ----------------------------------------------------------------------------- helpers

def float_values(dtype, n_random=48):
    dt = np.dtype(dtype)
    fi = np.finfo(dt)
    rng = _rng(dt)
    special = [0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 1.5, -1.5, 2.5, -2.5, 3.0, -3.0, 0.25,
               2.0, -2.0, 10.0, -7.75, 100.0, -1000.0, 1e-3, 0.49999997, -0.49999997,
               np.inf, -np.inf, np.nan, -np.nan, float(fi.tiny), -float(fi.tiny),
               float(fi.smallest_subnormal), -float(fi.smallest_subnormal),
               float(fi.max), float(fi.min), float(fi.eps), 1 - float(fi.epsneg)]
    r = np.concatenate([rng.standard_normal(n_random // 2) * 3,
                        rng.standard_normal(n_random // 2) * 10.0 ** rng.integers(-6, 6, n_random // 2)])
    with np.errstate(all="ignore"):
        return np.concatenate([np.array(special, np.float64), r]).astype(dt)


def int_values(dtype, n_random=24):
    dt = np.dtype(dtype)
    ii = np.iinfo(dt)
    rng = _rng(dt)
    special = [0, 1, 2, 3, 7, 8, 100, ii.max, ii.max - 1, ii.min, ii.min + 1]
    if dt.kind == "i":
        special += [-1, -2, -3, -7, -8, -100]
    r = rng.integers(ii.min, ii.max, n_random, dtype=dt, endpoint=True)
    return np.concatenate([np.array(special).astype(dt), r])


def values(dtype, **kw):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return np.array([False, True, True, False, True])
    return float_values(dt, **kw) if dt.kind == "f" else int_values(dt, **kw)


def pairs(dtype, k=14):
    """All pairs of the first k special values, plus random pairs."""
    v = values(dtype)
    base = v[:k] if v.size > k else v
    a, b = (np.array(t) for t in zip(*itertools.product(base, base)))
    c, d = v.copy(), np.roll(v, 7)
    return np.concatenate([a, c]), np.concatenate([b, d])


def _arr(x):
    return jnp.asarray(np.asarray(x))


def run_both(f, *args, **kw):
    args = [_arr(a) if isinstance(a, np.ndarray) else a for a in args]
    expect = f(*args, **kw)
    got = tj.jit(lambda *a: f(*a, **kw))(*args)
    return got, expect


def check_many(fns, *args, signed_zero=False, **tol):
    """Compile the functions `fns` ({name: f} or {name: (f, tol)}) as one jit (one
    module, one kernel each) and compare every result with eager."""
    fns = {k: (v if isinstance(v, tuple) else (v, tol)) for k, v in fns.items()}
    arrs = [_arr(a) if isinstance(a, np.ndarray) else a for a in args]
    expect = {k: f(*arrs) for k, (f, _) in fns.items()}
    got = tj.jit(lambda *a: {k: f(*a) for k, (f, _) in fns.items()})(*arrs)
    for k, (f, t) in fns.items():
        assert_close(got[k], expect[k], signed_zero=signed_zero, err=k, **t)
        assert getattr(got[k], "weak_type", False) == getattr(expect[k], "weak_type", False)


def assert_close(got, expect, ulps=0, rtol=0.0, atol=0.0, signed_zero=False, err=""):
    g, e = np.asarray(got), np.asarray(expect)
    assert g.dtype == e.dtype, (g.dtype, e.dtype, err)
    assert g.shape == e.shape, (g.shape, e.shape, err)
    if e.dtype.kind != "f":
        np.testing.assert_array_equal(g, e, err_msg=err)
        return
    gn, en = np.isnan(g), np.isnan(e)
    bad = gn != en
    ok = ~gn & ~en
    with np.errstate(all="ignore"):
        g64, e64 = g.astype(np.float64), e.astype(np.float64)
        same = (g64 == e64)
        spacing = np.abs(np.spacing(e)).astype(np.float64)
        tol = ulps * spacing + rtol * np.abs(e64) + atol
        close = same | (np.abs(g64 - e64) <= tol)
    bad |= ok & ~close
    if signed_zero:
        bad |= ok & (g64 == 0) & (np.signbit(g) != np.signbit(e))
    if bad.any():
        i = np.flatnonzero(bad.reshape(-1))[:8]
        raise AssertionError(f"{err}: {bad.sum()} mismatches; got {g.reshape(-1)[i]} "
                             f"expected {e.reshape(-1)[i]}")


def check(f, *args, ulps=0, rtol=0.0, atol=0.0, signed_zero=False, **kw):
    got, expect = run_both(f, *args, **kw)
    if isinstance(expect, (tuple, list)):
        for g, e in zip(got, expect):
            assert_close(g, e, ulps, rtol, atol, signed_zero, err=getattr(f, "__name__", ""))
    else:
        assert_close(got, expect, ulps, rtol, atol, signed_zero, err=getattr(f, "__name__", ""))
        assert getattr(got, "weak_type", False) == getattr(expect, "weak_type", False)
    return got, expect



# ----------------------------------------------------------------------------- arithmetic

EXACT_BINARY = {f.__name__: f for f in (lax.add, lax.sub, lax.mul, lax.div, lax.rem, lax.max,
                                        lax.min)}
COMPARISONS = {n: getattr(lax, n) for n in ("eq", "ne", "lt", "le", "gt", "ge")}


@pytest.mark.parametrize("dtype", NUMERIC)
def test_binary_arithmetic(dtype):
    check_many(EXACT_BINARY, *pairs(dtype), signed_zero=True)


def test_max_min_bool_and_signed_zero():
    mm = {"max": lax.max, "min": lax.min}
    check_many(mm, *pairs("bool"))
    z = np.array([0.0, -0.0, 0.0, -0.0, np.nan, 1.0, -0.0], np.float32)
    w = np.array([-0.0, 0.0, 0.0, -0.0, -0.0, np.nan, np.nan], np.float32)
    check_many(mm, z, w, signed_zero=True)
    check_many(mm, w, z, signed_zero=True)


@pytest.mark.parametrize("dtype", INTS)
def test_int_div_rem_edges(dtype):
    ii = np.iinfo(dtype)
    xs = np.array([ii.min, ii.min, ii.max, 7, -7 if ii.min < 0 else 7, 0, 5, ii.min], dtype)
    ys = np.array([-1 if ii.min < 0 else 1, 0, 0, 2, 2, 0, ii.max, 1], dtype)
    dr = {"div": lax.div, "rem": lax.rem}
    check_many(dr, xs, ys)
    # constant divisors (literals in the jaxpr) take another code path
    fns = {}
    for c in (0, 1, 3, -1 if ii.min < 0 else 2, ii.max):
        for n, f in dr.items():
            fns[f"{n}_{c}"] = lambda x, f=f, c=c: f(x, np.array(c, dtype))
    check_many(fns, values(dtype))


@pytest.mark.parametrize("dtype", NUMERIC)
def test_unary_numeric(dtype):
    check_many({n: getattr(lax, n) for n in ("neg", "abs", "sign", "square")}, values(dtype),
               signed_zero=True)


@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_float_exact(dtype):
    x = np.concatenate([values(dtype), np.arange(-6, 6.5, 0.25).astype(dtype),
                        np.array([0.49999997, -0.3, -0.0, 0.5000001, 2049.0], dtype)])
    fns = {n: getattr(lax, n) for n in ("floor", "ceil", "is_finite", "sqrt", "rsqrt")}
    fns["round_away"] = lambda a: lax.round(a, 0)
    fns["round_even"] = lambda a: lax.round(a, 1)
    check_many(fns, x, signed_zero=True)


def test_nextafter():
    for dtype in FLOATS:
        check(lax.nextafter, *pairs(dtype, k=16), signed_zero=True)


def test_add_any_and_stop_gradient():
    x, y = values("float32"), np.roll(values("float32"), 3)
    check_many({"add_any": lambda a, b: add_any_p.bind(a, b),
                "stop_gradient": lambda a, b: lax.stop_gradient(a)}, x, y)
    check(lambda a, b: add_any_p.bind(a, b), values("int8"), np.roll(values("int8"), 1))
    # add_any from a gradient, under jit
    f = tj.grad(lambda v: jnp.sum(jnp.sin(v) * v + v * v))
    check(f, np.linspace(-2, 2, 9).astype(np.float32), ulps=4)


# ----------------------------------------------------------------------------- comparisons, bits

@pytest.mark.parametrize("dtype", ALL)
def test_comparisons(dtype):
    check_many(COMPARISONS, *pairs(dtype))


@pytest.mark.parametrize("dtype", INTS + ("bool",))
def test_bitwise(dtype):
    fns = {n: getattr(lax, n) for n in ("bitwise_and", "bitwise_or", "bitwise_xor")}
    fns["not"] = lambda a, b: lax.bitwise_not(a)
    check_many(fns, *pairs(dtype))


@pytest.mark.parametrize("dtype", INTS)
def test_shifts_and_bit_counts(dtype):
    nbits = np.dtype(dtype).itemsize * 8
    xv = values(dtype)[:12]
    amounts = list(range(0, nbits + 3)) + [np.iinfo(dtype).max, 100]
    if np.dtype(dtype).kind == "i":
        amounts += [-1, -nbits, np.iinfo(dtype).min]
    a, b = (np.array(t) for t in zip(*itertools.product(xv, amounts)))
    fns = {n: getattr(lax, n) for n in ("shift_left", "shift_right_logical",
                                         "shift_right_arithmetic")}
    fns["population_count"] = lambda a, b: lax.population_count(a)
    fns["clz"] = lambda a, b: lax.clz(a)
    check_many(fns, a.astype(dtype), b.astype(dtype))


# ----------------------------------------------------------------------------- math functions

UNARY_MATH = ["exp", "exp2", "expm1", "log", "log1p", "logistic", "tanh", "sinh", "cosh",
              "asinh", "acosh", "atanh", "cbrt", "sin", "cos", "tan", "asin", "acos",
              "atan", "erf", "erfc"]
UNARY_SPECIAL = ["erf_inv", "lgamma", "digamma", "bessel_i0e", "bessel_i1e"]


def _math_inputs(dtype):
    v = values(dtype)
    extra = np.array([-0.99, 0.99, 0.9, -0.9, 1e-4, -1e-4, 20.0, -20.0, 80.0, -80.0,
                      88.7, 89.0, 700.0, 0.75, 1.25, 4.5, 1e4, -1e4, 31.4], np.float64)
    with np.errstate(all="ignore"):
        x = np.concatenate([v, extra.astype(dtype)])
    return np.concatenate([x, np.linspace(-1, 1, 41).astype(dtype)])


def _math_tol(dtype):
    # float16: NumPy computes some of them (logistic) in several rounded steps
    return dict(ulps=4 if np.dtype(dtype) != np.float16 else 2)


def _special_tol(dtype):
    return dict(rtol=1e-5, atol=1e-6) if dtype == "float32" else dict(rtol=2e-3, atol=1e-3)


@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_math(dtype):
    check_many({n: getattr(lax, n) for n in UNARY_MATH}, _math_inputs(dtype),
               **_math_tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_special(dtype):
    check_many({n: getattr(lax, n) for n in UNARY_SPECIAL}, _math_inputs(dtype),
               **_special_tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_binary_special(dtype):
    a = np.array([0.5, 1.0, 2.0, 3.5, 10.0, 0.1, 1.5, 2.0, 4.0, 1.0, -1.0, 0.0, np.nan, 3.0,
                  30.0], dtype)
    x = np.array([0.5, 2.0, 0.3, 3.0, 12.0, 0.01, 5.0, 1.5, 0.0, np.inf, 1.0, 1.0, 1.0, 2.5,
                  25.0], dtype)
    n = np.array([0, 1, 2, 3, 1, 0, 2, 4, 1, 1, -1, 0.5, np.nan, 3, 0], dtype)
    fns = {k: getattr(lax, k) for k in ("igamma", "igammac", "igamma_grad_a", "zeta")}
    fns["polygamma"] = lambda a, x, n: lax.polygamma(n, x)
    fns = {k: (lambda a, x, n, f=f: f(a, x)) if k != "polygamma" else f
           for k, f in fns.items()}
    fns["betainc"] = lambda a, x, n: lax.betainc(a, lax.add(a, x), lax.div(x, x + a))
    if dtype == "float16":   # the same code as float32, widened: a few suffice
        fns = {k: fns[k] for k in ("igamma", "polygamma", "betainc")}
    check_many(fns, a, x, n, **_special_tol(dtype))
    check(lambda x: lax.betainc(np.array(2.0, dtype), np.array(3.0, dtype), x),
          np.linspace(0, 1, 11).astype(dtype), **_special_tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_atan2_pow(dtype):
    check_many({"atan2": lax.atan2, "pow": lax.pow}, *pairs(dtype, k=18), signed_zero=True,
               **_math_tol(dtype))


@pytest.mark.parametrize("dtype", FLOATS)
def test_pow_int_exponent(dtype):
    xv = values(dtype)[:20]
    fns, args = {}, []
    for k, ydtype in enumerate(("int8", "int32", "uint8", "uint32")):
        ys = int_values(ydtype)[:11]
        a, b = (np.array(t) for t in zip(*itertools.product(xv, ys)))
        args += [a.astype(dtype), b.astype(ydtype)]
        fns[ydtype] = lambda *z, k=k: lax.pow(z[2 * k], z[2 * k + 1])
    check_many(fns, *args, **_math_tol(dtype))


POWERS = [0, 1, 2, 3, 4, 5, 7, 8, 13, 31, 64, 255, 256, 257, 1000, -1, -2, -3, -8, -300, -1000]


@pytest.mark.parametrize("dtype", FLOATS + ("int8", "int32", "uint8", "uint32"))
def test_integer_pow(dtype):
    x = values(dtype)
    is_float = np.dtype(dtype).kind == "f"
    if is_float:
        x = np.concatenate([x, np.linspace(-2, 2, 33).astype(dtype)])
    fns = {f"y={y}": (lambda a, y=y: lax.integer_pow(a, y)) for y in POWERS
           if y >= 0 or is_float}
    check_many(fns, x, ulps=2)


# ----------------------------------------------------------------------------- select, clamp

@pytest.mark.parametrize("dtype", ALL)
def test_select_n_bool(dtype):
    a, b = values(dtype), np.roll(values(dtype), 5)
    which = (np.arange(a.size) % 3 == 0)
    check_many({"arr": lambda w, a, b: lax.select_n(w, a, b),
                "true": lambda w, a, b: lax.select_n(np.array(True), a, b),
                "false": lambda w, a, b: lax.select_n(np.array(False), a, b),
                "one": lambda w, a, b: lax.select_n(w, a)}, which, a, b)


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_select_n_int32(n):
    cases = [np.arange(12, dtype=np.float32).reshape(3, 4) * (k + 1) for k in range(n)]
    which = np.array([[-5, -1, 0, 1], [2, 3, 4, 5], [100, np.iinfo(np.int32).min,
                                                      np.iinfo(np.int32).max, 1]], np.int32)
    fns = {"arr": lambda w, *c: lax.select_n(w, *c),
           "select": lambda w, *c: lax.select(w > 0, c[0], c[-1])}
    for s in (-3, 0, 1, n - 1, n, 99):
        fns[f"w={s}"] = lambda w, *c, s=s: lax.select_n(np.array(s, np.int32), *c)
    check_many(fns, which, *cases)


@pytest.mark.parametrize("dtype", NUMERIC + ("bool",))
def test_clamp(dtype):
    x = values(dtype)
    v = values(dtype)
    lo, hi = v[1], v[min(7, v.size - 1)]
    if np.dtype(dtype).kind == "f":
        lo, hi = -1.5, 2.5
    lo, hi = np.asarray(lo, dtype), np.asarray(hi, dtype)
    check_many({"scalar": lambda x, l, h: lax.clamp(lo, x, hi),
                "array": lambda x, l, h: lax.clamp(l, x, h),        # lo > hi in places
                "mixed": lambda x, l, h: lax.clamp(lo, x, h)},
               x, np.roll(v, 3), np.roll(v, 11), signed_zero=True)


def test_clamp_nan_and_zeros():
    for dtype in FLOATS:
        x = np.array([np.nan, 0.0, -0.0, 1.0, -0.0, 0.0, 3.0], dtype)
        lo = np.array([0.0, -0.0, 0.0, np.nan, -0.0, 0.0, -1.0], dtype)
        hi = np.array([1.0, 0.0, -0.0, 2.0, np.nan, -0.0, 2.0], dtype)
        check_many({"array": lax.clamp,
                    "scalar": lambda l, x, h: lax.clamp(np.array(-0.0, dtype), x,
                                                        np.array(0.0, dtype))},
                   lo, x, hi, signed_zero=True)


# ----------------------------------------------------------------------------- conversions

def _convert_inputs(src):
    x = values(src)
    if np.dtype(src).kind == "f":
        extra = [127.5, 128.0, -128.5, -129.0, 255.9, 256.0, 65535.5, 65536.0, 32767.9,
                 -32768.9, 2147483520.0, 2147483648.0, -2147483648.0, 4294967040.0,
                 4294967296.0, -0.9, 0.9, 3e9, -3e9, 2.0 ** 63, -2.0 ** 63, 2.0 ** 64, 1e19,
                 -1e19, 9.2e18]
        with np.errstate(all="ignore"):
            x = np.concatenate([x, np.array(extra).astype(src)])
    return x


def _converts(dsts):
    return {d: (lambda a, d=d: lax.convert_element_type(a, np.dtype(d))) for d in dsts}


@pytest.mark.parametrize("src", ALL)
def test_convert_element_type(src):
    check_many(_converts(ALL), _convert_inputs(src), signed_zero=True)


def test_convert_x64():
    with enable_x64():
        for src in X64_FLOATS + X64_INTS + ALL:
            dsts = ALL + X64_FLOATS + X64_INTS
            if src not in X64_FLOATS + X64_INTS:
                dsts = X64_FLOATS + X64_INTS
            check_many(_converts(dsts), _convert_inputs(src), signed_zero=True)


def test_convert_f64_to_f16_rounds_once():
    with enable_x64():
        one = 1.0
        x = np.array([one + 2 ** -11 + 2 ** -30, one + 2 ** -11 - 2 ** -30, one + 2 ** -11,
                      one + 3 * 2 ** -11, 65519.99, 65520.0, 2 ** -25 + 2 ** -40, 2 ** -25,
                      -(one + 2 ** -11 + 2 ** -40), 6e-8, 1e-300, 1e300, np.nan, -np.inf])
        x = np.concatenate([x, rng.standard_normal(64) * 10.0 ** rng.integers(-8, 5, 64)])
        check(lambda a: lax.convert_element_type(a, np.float16), x, signed_zero=True)


BITCAST_PAIRS = [("float32", "int32"), ("float32", "uint32"), ("int32", "float32"),
                 ("float16", "int16"), ("uint16", "float16"), ("int8", "uint8"),
                 ("uint8", "bool"), ("bool", "int8"),
                 ("float32", "uint8"), ("int32", "int16"), ("float32", "float16"),
                 ("uint16", "int8"), ("int8", "int32"), ("uint8", "float32"),
                 ("int16", "float32"), ("float16", "uint32"), ("uint8", "uint16")]
BITCAST_PAIRS_X64 = [("float64", "int64"), ("float64", "uint32"), ("int64", "float16"),
                     ("uint8", "float64"), ("float32", "float64"), ("uint64", "int8"),
                     ("int16", "uint64")]


def _check_bitcast(pairs_):
    for src, dst in pairs_:
        s, d = np.dtype(src).itemsize, np.dtype(dst).itemsize
        v = values(src)
        if src == "uint8" and dst == "bool":
            v = np.array([0, 1, 1, 0], np.uint8)
        k = max(d // s, 1)
        n = (v.size // (2 * k)) * 2 * k
        x = v[:n].reshape(-1, k) if d > s else v[:n]
        xs = x.reshape((2, -1) + x.shape[1:])
        f = lambda a, dst=dst: lax.bitcast_convert_type(a, np.dtype(dst))  # noqa: E731
        inputs = [x, xs] + ([x[:1].reshape(())] if d <= s else [])  # 0-d operands too
        for a in inputs:
            got, expect = run_both(f, a)
            g, e = np.asarray(got), np.asarray(expect)
            assert (g.dtype, g.shape) == (e.dtype, e.shape), (src, dst)
            assert g.tobytes() == e.tobytes(), (src, dst, g, e)


def test_bitcast_convert_type():
    _check_bitcast(BITCAST_PAIRS)


def test_bitcast_x64():
    with enable_x64():
        _check_bitcast(BITCAST_PAIRS_X64)


REDUCE_PRECISION = [(8, 7), (5, 10), (4, 3), (5, 2), (8, 23), (11, 52), (2, 1), (8, 0),
                    (1, 5), (6, 10), (3, 9), (11, 20)]


def _check_reduce_precision(x):
    fns = {f"{e},{m}": (lambda a, e=e, m=m: lax.reduce_precision(a, e, m))
           for e, m in REDUCE_PRECISION}
    arr = _arr(x)
    got = tj.jit(lambda a: {k: f(a) for k, f in fns.items()})(arr)
    for k, f in fns.items():
        g, ex = np.asarray(got[k]), np.asarray(f(arr))
        assert g.dtype == ex.dtype
        nan = np.isnan(ex)
        np.testing.assert_array_equal(np.isnan(g), nan)
        assert g[~nan].tobytes() == ex[~nan].tobytes(), k


@pytest.mark.parametrize("dtype", FLOATS)
def test_reduce_precision(dtype):
    _check_reduce_precision(np.concatenate([values(dtype),
                                            np.linspace(-3, 3, 61).astype(dtype)]))


def test_reduce_precision_f64():
    with enable_x64():
        _check_reduce_precision(np.concatenate([values("float64"),
                                                np.array([1e-310, 1e300, 1 + 2 ** -9])]))


# ----------------------------------------------------------------------------- x64

def test_x64_binary():
    with enable_x64():
        for dtype in X64_FLOATS + X64_INTS:
            fns = dict(EXACT_BINARY, **COMPARISONS)
            if dtype == "float64":
                fns["nextafter"] = lax.nextafter
            check_many(fns, *pairs(dtype), signed_zero=True)


def test_x64_weak_types():
    with enable_x64():
        for dtype in ("float64", "int64", "uint64", "float32", "int32", "float16"):
            is_float = np.dtype(dtype).kind == "f"
            check_many({"add": lambda a: a + 1, "affine": lambda a: a * 2 - 3,
                        "max": lambda a: jnp.maximum(a, 0),
                        "div": lambda a: a / 3 if is_float else a // 3,
                        "pow": lambda a: a ** 2,
                        "where": lambda a: jnp.where(a > 1, a, 1.5 if is_float else 2)},
                       values(dtype), ulps=1)


def test_x64_ints_bits():
    with enable_x64():
        for dtype in X64_INTS:
            v = values(dtype)
            fns = {"popcnt": lax.population_count, "clz": lax.clz, "not": lax.bitwise_not,
                   "neg": lax.neg, "abs": lax.abs, "sign": lax.sign,
                   "pow3": lambda a: lax.integer_pow(a, 3)}
            check_many(fns, v)
            amounts = np.array([0, 1, 31, 32, 63, 64, 65, 200], dtype)
            a, b = (np.array(t) for t in zip(*itertools.product(v[:10], amounts)))
            check_many({n: getattr(lax, n) for n in ("shift_left", "shift_right_logical",
                                                     "shift_right_arithmetic")},
                       a.astype(dtype), b.astype(dtype))


def test_x64_math():
    names = ["exp", "log", "sin", "tanh", "erf", "sqrt", "cbrt", "log1p", "atan", "expm1",
             "rsqrt", "logistic"]
    with enable_x64():
        fns = {n: getattr(lax, n) for n in names}
        fns["lgamma"] = (lax.lgamma, dict(rtol=1e-12, atol=1e-13))
        check_many(fns, _math_inputs("float64"), ulps=4)


def test_x64_pow():
    with enable_x64():
        check(lax.pow, *pairs("float64", k=18), ulps=4)
        fns = {f"y={y}": (lambda a, y=y: lax.integer_pow(a, y)) for y in POWERS}
        check_many(fns, np.concatenate([values("float64"), np.linspace(-3, 3, 25)]), ulps=4)


# ----------------------------------------------------------------------------- shapes, types

def test_zero_d_and_empty():
    for dtype in ("float32", "int8", "bool"):
        z = values(dtype)[:1].reshape(())
        e = values(dtype)[:0].reshape(0, 3)
        binop = lax.max if dtype == "bool" else lax.add
        for a in (z, e):
            check_many({"binop": lambda a: binop(a, a),
                        "select": lambda a: lax.select_n(a == a, a, a),
                        "f16": lambda a: lax.convert_element_type(a, np.float16),
                        "i32": lambda a: lax.convert_element_type(a, np.int32)}, a)
    check_many({"exp": lax.exp, "u8": lambda a: lax.bitcast_convert_type(a, np.uint8),
                "clamp": lambda a: lax.clamp(np.float32(0), a, np.float32(1))},
               np.zeros((2, 0), np.float32))
    check(lambda a: lax.bitcast_convert_type(a, np.float32), np.zeros((0, 4), np.uint8))


def test_size_one_broadcasting():
    x = np.arange(3, dtype=np.float32).reshape(3, 1)
    y = np.arange(4, dtype=np.float32).reshape(1, 4) - 1.5
    check_many({"add": lax.add, "atan2": (lax.atan2, dict(ulps=4)),
                "max": lambda a, b: lax.max(a, np.float32(2.0)),
                "fused": (lambda a, b: lax.mul(lax.exp(a), b), dict(ulps=2)),
                "betainc": (lambda a, b: lax.betainc(a + 1, b + 2, np.float32(0.4)),
                            dict(rtol=1e-5))}, x, y)
    check(lax.div, np.arange(6, dtype=np.int32).reshape(2, 1, 3),
          np.array([2, 0, -1, 3], np.int32).reshape(1, 4, 1))


def test_weak_types():
    for dtype in ("float16", "float32", "int8", "uint8", "int32"):
        is_float = np.dtype(dtype).kind == "f"
        check_many({"add": lambda a: a + 1, "affine": lambda a: a * 2 - 3,
                    "max": lambda a: jnp.maximum(a, 0),
                    "div": lambda a: a / 3 if is_float else a // 3}, values(dtype))
    check(lambda: jnp.float32(1.5) * 2)                 # no inputs at all
    check(lambda a: a + 1.5, np.array(2.0, np.float16))
    check(lambda a: (a * 0.1).astype(np.int32), np.arange(10, dtype=np.int8))


def test_fused_chains():
    x = np.linspace(-3, 3, 40).astype(np.float32).reshape(8, 5)
    y = np.linspace(1, 2, 40).astype(np.float32).reshape(8, 5)
    f = lambda a, b: lax.select_n(a > 0, lax.exp(a) * 2 + lax.log(b),  # noqa: E731
                                  lax.integer_pow(a, 3) - lax.rsqrt(b))
    check(f, x, y, ulps=4)
    g = lambda a, b: (lax.max(a, b), lax.convert_element_type(a * b, np.int8),  # noqa: E731
                      lax.clamp(np.float32(-1), a, np.float32(1)))
    check(g, x, y, ulps=2)
    h = lambda a: lax.reduce_precision(lax.tanh(a), 8, 7).astype(np.float16)  # noqa: E731
    check(h, x, ulps=1)


# ----------------------------------------------------------------------------- jnp functions

JNP_BINARY = ["floor_divide", "remainder", "fmod", "power", "true_divide", "maximum",
              "minimum", "add", "subtract", "multiply", "arctan2", "hypot", "copysign",
              "logaddexp", "float_power", "heaviside", "fmax", "fmin", "nextafter",
              "left_shift", "right_shift", "bitwise_and"]
JNP_UNARY = ["sign", "floor", "ceil", "round", "rint", "trunc", "fix", "abs", "negative",
             "reciprocal", "square", "sqrt", "cbrt", "exp", "exp2", "expm1", "log2", "log10",
             "sinc", "deg2rad", "signbit", "isnan", "isinf", "isfinite", "logical_not",
             "invert", "positive"]


def _eager_ok(fn, *args):
    try:
        fn(*[_arr(a) for a in args])
        return True
    except Exception:  # noqa: BLE001 - the function rejects this dtype eagerly
        return False


@pytest.mark.parametrize("dtype", ("float32", "int32", "uint8", "int8", "float16"))
def test_jnp_binary(dtype):
    x, y = pairs(dtype, k=12)
    kind = np.dtype(dtype).kind
    if kind != "f":
        y_pow = (np.abs(y.astype(np.int64)) % 9).astype(dtype)
        y_shift = (np.abs(y.astype(np.int64)) % (8 * np.dtype(dtype).itemsize + 3)).astype(dtype)
    else:
        y_pow = y_shift = y
    fns = {}
    for name in JNP_BINARY:
        fn = getattr(jnp, name, None)
        if fn is None:
            continue
        yy = y_pow if name == "power" else y_shift if "shift" in name else y
        if _eager_ok(fn, x, yy):
            fns[name] = lambda a, b, c, d, fn=fn, name=name: fn(
                a, c if name == "power" else d if "shift" in name else b)
    check_many(fns, x, y, y_pow, y_shift, ulps=2 if dtype == "float16" else 4)


@pytest.mark.parametrize("dtype", ("float32", "int32", "uint8", "bool", "float16"))
def test_jnp_unary(dtype):
    x = values(dtype)
    fns = {n: getattr(jnp, n) for n in JNP_UNARY if hasattr(jnp, n)}
    fns = {n: f for n, f in fns.items() if _eager_ok(f, x)}
    check_many(fns, x, ulps=4)   # exact for integer results


@pytest.mark.parametrize("dtype", ("float32", "int32", "uint32", "int8"))
def test_jnp_power_divmod_clip_where(dtype):
    x = values(dtype)
    fns = {}
    for p in (0, 1, 2, 3, 5):
        fns[f"power{p}"] = lambda a, b, p=p: jnp.power(a, p)
        fns[f"pow{p}"] = lambda a, b, p=p: a ** p
    fns["divmod"] = jnp.divmod
    fns["ops"] = lambda a, b: (a // b, a % b)
    fns["clip"] = lambda a, b: jnp.clip(a, 1, 5)
    fns["where"] = lambda a, b: jnp.where(a > 2, a, 0)
    fns["select"] = lambda a, b: jnp.select([a < 1, a > 5], [a, a * 2], 7)
    got = tj.jit(lambda a, b: {k: f(a, b) for k, f in fns.items()})(_arr(x), _arr(np.roll(x, 3)))
    for k, f in fns.items():
        e = f(_arr(x), _arr(np.roll(x, 3)))
        for g1, e1 in zip(got[k] if isinstance(e, tuple) else [got[k]],
                          e if isinstance(e, tuple) else [e]):
            assert_close(g1, e1, ulps=2, err=k)


# ----------------------------------------------------------------------------- properties

_BIN = [lax.add, lax.sub, lax.mul, lax.div, lax.rem, lax.max, lax.min, lax.eq, lax.lt,
        lax.ne]


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(_BIN), st.sampled_from(NUMERIC), st.integers(0, 2 ** 32 - 1),
       st.sampled_from([(), (5,), (2, 3), (3, 1), (1, 4, 1)]))
def test_property_binary(f, dtype, seed, shape):
    r = np.random.default_rng(seed)
    v = values(dtype)
    x = np.asarray(r.choice(v, size=shape), dtype)
    y = np.asarray(r.choice(v, size=(1, 4) if shape == (3, 1) else shape), dtype)
    got, expect = run_both(f, x, y)
    assert_close(got, expect, signed_zero=True, err=f.__name__)


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(["int8", "uint8", "int16", "uint32", "int32", "float16", "float32",
                        "bool"]),
       st.sampled_from(["int8", "uint8", "int16", "uint32", "int32", "float16", "float32",
                        "bool"]),
       st.integers(0, 2 ** 32 - 1))
def test_property_convert(src, dst, seed):
    r = np.random.default_rng(seed)
    x = np.asarray(r.choice(_convert_inputs(src), size=(4, 3)), src)
    got, expect = run_both(lambda a: lax.convert_element_type(a, np.dtype(dst)), x)
    assert_close(got, expect, signed_zero=True)
