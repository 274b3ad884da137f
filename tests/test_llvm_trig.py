"""Accuracy and special values of the inline LLVM trigonometric functions
(tinyjax/lowering/llvm_trig.py): sin, cos, tan, asin, acos, atan, atan2.

Reference: NumPy in float64 (float32 results are checked against the float64 NumPy
result rounded to float32, i.e. the correctly rounded value up to double rounding).
For float64 arguments that lie extremely close to a multiple of pi/2 the system
libm behind NumPy is itself off (glibc 2.36: cos(0x1.4c96c11134d36p+577) has a
relative error of 1.6e-11), so those cases compare against literals computed
offline with mpmath at 500 digits.
ULP distances are exact integer distances (`_ulp`); inf/nan/signed zeros must match.
"""
import re

import numpy as np
import pytest

from tests.llvm_harness import compiled_map

F32, F64 = np.float32, np.float64
DTYPES = [F32, F64]
UNARY = ["sin", "cos", "tan", "asin", "acos", "atan"]
NP = {"sin": np.sin, "cos": np.cos, "tan": np.tan, "asin": np.arcsin,
      "acos": np.arccos, "atan": np.arctan, "atan2": np.arctan2}

# max ULP error asserted (brief: <= 2 for sin/cos, <= 4 for the others). The
# measured maxima are 1 for every function and dtype (/work/notes/ulp_llvm_trig.md).
BOUND = {"sin": 2, "cos": 2, "tan": 2, "asin": 2, "acos": 2, "atan": 2, "atan2": 2}


def _ulp(got, want, dtype):
    """Exact ULP distance on the integer line; nan must meet nan, inf must equal."""
    dtype = np.dtype(dtype)
    got = np.asarray(got, dtype)
    want = np.asarray(want, dtype)
    itype = {4: np.int32, 8: np.int64}[dtype.itemsize]
    mn = np.iinfo(itype).min

    def line(v):
        i = v.view(itype).astype(np.int64)
        return np.where(i < 0, mn - i, i)

    a, b = line(got), line(want)
    approx = np.abs(a.astype(np.float64) - b.astype(np.float64))
    with np.errstate(over="ignore"):
        exact = np.abs(a - b).astype(np.float64)
    d = np.where(approx < 2.0 ** 52, exact, approx)
    both_nan = np.isnan(got) & np.isnan(want)
    d[both_nan] = 0.0
    d[np.isnan(got) != np.isnan(want)] = np.inf
    d[(np.isinf(got) | np.isinf(want)) & ~both_nan & (got != want)] = np.inf
    return d


def _ref(name, *args):
    dtype = args[0].dtype
    with np.errstate(all="ignore"):
        return NP[name](*(a.astype(np.float64) for a in args)).astype(dtype)


def _logu(rng, n, lo, hi):
    return np.exp(rng.uniform(np.log(lo), np.log(hi), n)) * rng.choice([-1.0, 1.0], n)


def _inputs(name, dtype, rng):
    fi = np.finfo(dtype)
    n = 3000
    if name in ("sin", "cos", "tan"):
        k = rng.integers(1, 2 ** 20, n).astype(np.float64)
        parts = [
            _logu(rng, n, float(fi.smallest_subnormal), float(fi.max)),   # whole range
            _logu(rng, n, 1e-3, 1e4),
            (k * (np.pi / 2)) * (1 + rng.uniform(-1e-7, 1e-7, n)),        # near k pi/2
            _logu(rng, n, 2.0 ** -30, 2.0 ** -20),                        # tiny threshold
        ]
    elif name in ("asin", "acos"):
        parts = [
            rng.uniform(-1, 1, n),
            (1 - np.exp(rng.uniform(-40, 0, n))) * rng.choice([-1.0, 1.0], n),   # near +-1
            (0.5 + rng.uniform(-1e-3, 1e-3, n)) * rng.choice([-1.0, 1.0], n),    # branch
            _logu(rng, n, float(fi.smallest_subnormal), 1e-3),
        ]
    else:  # atan
        parts = [
            _logu(rng, n, float(fi.smallest_subnormal), float(fi.max)),
            _logu(rng, n, 1e-3, 1e3),
            np.sqrt(2) - 1 + rng.uniform(-1e-4, 1e-4, n),                  # branch points
            np.sqrt(2) + 1 + rng.uniform(-1e-4, 1e-4, n),
        ]
    with np.errstate(over="ignore"):
        return np.concatenate(parts).astype(dtype)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_accuracy(name, dtype):
    rng = np.random.default_rng(1234)
    x = _inputs(name, dtype, rng)
    x = x[np.isfinite(x)]
    got = compiled_map(name, dtype)(x)
    d = _ulp(got, _ref(name, x), dtype)
    i = int(np.argmax(d))
    assert d[i] <= BOUND[name], (name, dtype, x[i], got[i], d[i])


@pytest.mark.parametrize("dtype", DTYPES)
def test_atan2_accuracy(dtype):
    rng = np.random.default_rng(99)
    fi = np.finfo(dtype)
    n = 4000
    big = float(fi.max) ** 0.5
    ys = [_logu(rng, n, 1e-30, 1e30), _logu(rng, n, float(fi.tiny), float(fi.max))]
    xs = [_logu(rng, n, 1e-30, 1e30), _logu(rng, n, float(fi.tiny), float(fi.max))]
    y3 = _logu(rng, n, 1 / big, big)                       # |y| ~ |x|
    ys.append(y3)
    xs.append(y3 * (1 + rng.uniform(-1e-3, 1e-3, n)) * rng.choice([-1.0, 1.0], n))
    y4 = _logu(rng, n, 1e-3, 1e3)                          # |y| ~ tan(pi/8) |x|
    ys.append(y4)
    xs.append(y4 / ((np.sqrt(2) - 1) * (1 + rng.uniform(-1e-4, 1e-4, n))))
    with np.errstate(over="ignore"):
        y = np.concatenate(ys).astype(dtype)
        x = np.concatenate(xs).astype(dtype)
    ok = np.isfinite(x) & np.isfinite(y)
    y, x = y[ok], x[ok]
    got = compiled_map("atan2", dtype, 2)(y, x)
    d = _ulp(got, _ref("atan2", y, x), dtype)
    i = int(np.argmax(d))
    assert d[i] <= BOUND["atan2"], (dtype, y[i], x[i], got[i], d[i])


def _specials(dtype):
    fi = np.finfo(dtype)
    v = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0,
         float(fi.tiny), -float(fi.tiny), float(fi.smallest_subnormal),
         -float(fi.smallest_subnormal), float(fi.max), -float(fi.max), 2.0 ** -27, 2.0 ** -40,
         float(np.nextafter(dtype(1), dtype(2))), -float(np.nextafter(dtype(1), dtype(2))),
         float(np.nextafter(dtype(1), dtype(0))), -float(np.nextafter(dtype(1), dtype(0))),
         float(dtype(np.pi / 2)), float(dtype(np.pi))]
    return np.array(v, dtype)


def _same(a, b):
    return (np.isnan(a) & np.isnan(b)) | ((a == b) & (np.signbit(a) == np.signbit(b)))


EXACT = {  # special inputs whose results must match NumPy bit for bit (sign of zero too)
    "sin": [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0 ** -27, 2.0 ** -40, "tiny", "sub"],
    "cos": [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0 ** -40, "tiny", "sub"],
    "tan": [0.0, -0.0, np.inf, -np.inf, np.nan, 2.0 ** -40, "tiny", "sub"],
    "asin": [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, -2.0, "tiny", "sub",
             "above1"],
    "acos": [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, -2.0, "tiny", "sub",
             "above1"],
    "atan": [0.0, -0.0, np.inf, -np.inf, np.nan, "tiny", "sub", "max"],
}


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY)
def test_special_values(name, dtype):
    fi = np.finfo(dtype)
    named = {"tiny": float(fi.tiny), "sub": float(fi.smallest_subnormal),
             "max": float(fi.max), "above1": float(np.nextafter(dtype(1), dtype(2)))}
    vals = []
    for v in EXACT[name]:
        v = named.get(v, v) if isinstance(v, str) else v
        vals += [v, -v]
    x = np.array(vals, dtype)
    got = compiled_map(name, dtype)(x)
    want = _ref(name, x)
    bad = ~_same(got, want)
    assert not bad.any(), (name, dtype, x[bad], got[bad], want[bad])
    # every special input: within the bound, nan exactly where NumPy gives nan
    x = _specials(dtype)
    got = compiled_map(name, dtype)(x)
    d = _ulp(got, _ref(name, x), dtype)
    assert d.max() <= BOUND[name], (name, dtype, x[d > BOUND[name]])


@pytest.mark.parametrize("dtype", DTYPES)
def test_atan2_special_values(dtype):
    s = _specials(dtype)
    yy, xx = (a.ravel() for a in np.meshgrid(s, s))
    got = compiled_map("atan2", dtype, 2)(yy, xx)
    want = _ref("atan2", yy, xx)
    d = _ulp(got, want, dtype)
    assert d.max() <= BOUND["atan2"]
    # zeros and infinities (the C99 table) exactly, signed zeros included
    special = (np.isinf(yy) | np.isinf(xx) | (yy == 0) | (xx == 0) | np.isnan(yy)
               | np.isnan(xx))
    bad = special & ~_same(got, want)
    assert not bad.any(), list(zip(yy[bad], xx[bad], got[bad], want[bad]))


# float64 arguments closest to multiples of pi/2 (|x 2/pi - k| down to 2^-61.5):
# (x, sin x, cos x, tan x), correctly rounded (mpmath, 500 digits).
HARD64 = [
    ("0x1.6ac5b262ca1ffp+849", "0x1.0000000000000p+0", "-0x1.14ae72e6ba22fp-61", "-0x1.d9ba9a7975636p+60"),
    ("0x1.6c6cbc45dc8dep+5", "0x1.0000000000000p+0", "-0x1.6d61b58c99c43p-61", "-0x1.66b9ebc4850c6p+60"),
    ("0x1.6ac5b262ca1ffp+850", "-0x1.14ae72e6ba22fp-60", "-0x1.0000000000000p+0", "0x1.14ae72e6ba22fp-60"),
    ("0x1.6c6cbc45dc8dep+6", "-0x1.6d61b58c99c43p-60", "-0x1.0000000000000p+0", "0x1.6d61b58c99c43p-60"),
    ("0x1.b951f1572eba5p+23", "-0x1.0000000000000p+0", "-0x1.f54f5227a4e84p-60", "0x1.057584c429b3ap+59"),
    ("0x1.504cac51f1eafp+131", "-0x1.0000000000000p+0", "-0x1.0cb604d34f341p-59", "0x1.e7c7d0f43f81ep+58"),
    ("0x1.6ac5b262ca1ffp+851", "0x1.14ae72e6ba22fp-59", "0x1.0000000000000p+0", "0x1.14ae72e6ba22fp-59"),
    ("0x1.e009c53148be1p+991", "0x1.0000000000000p+0", "0x1.295a3b0a64b1dp-59", "0x1.b8cbf7ecfaffap+58"),
    ("0x1.6c6cbc45dc8dep+7", "0x1.6d61b58c99c43p-59", "0x1.0000000000000p+0", "0x1.6d61b58c99c43p-59"),
    ("0x1.4c96c11134d36p+577", "-0x1.0000000000000p+0", "0x1.6ec67bcf77522p-59", "-0x1.655cf9e23c4d7p+58"),
    ("0x1.cfe482285f8edp+860", "-0x1.0000000000000p+0", "-0x1.d08f59c32bfa3p-59", "0x1.1a246b6f92457p+58"),
    ("0x1.db41f3cb71d7bp+680", "0x1.0000000000000p+0", "0x1.e09878d22e29dp-59", "0x1.10ba6f3f467d7p+58"),
    ("0x1.69eab0985179bp+246", "-0x1.0000000000000p+0", "-0x1.61ecec9c577fdp-58", "0x1.72567cb9047a9p+57"),
    ("0x1.66bd5424e5655p+91", "0x1.7a6b2243e72f6p-57", "-0x1.0000000000000p+0", "-0x1.7a6b2243e72f6p-57"),
    ("0x1.6c6cbc45dc8dep+10", "0x1.6d61b58c99c43p-56", "0x1.0000000000000p+0", "0x1.6d61b58c99c43p-56"),
    ("0x1.8c091fdf23d65p+363", "-0x1.0000000000000p+0", "0x1.6ddc678d2d05cp-55", "-0x1.66419e4bbed24p+54"),
]

# float32 arguments closest to multiples of pi/2 (found by an exhaustive search over
# all float32; the first has |x 2/pi - k| = 2^-29.9)
HARD32 = [7.729178919452902e+28, 21999384576.0, 1.5458357838905804e+29, 43998769152.0,
          252.89820861816406, 3.0916715677811608e+29, 4.638183382783466e+25,
          1522788990976.0, 8.11762663906456e+22, 87997538304.0, 505.7964172363281,
          4.3865578967101227e+33]


def test_hard_reduction_f64():
    x = np.array([float.fromhex(r[0]) for r in HARD64])
    x = np.concatenate([x, -x])
    for col, name in ((1, "sin"), (2, "cos"), (3, "tan")):
        want = np.array([float.fromhex(r[col]) for r in HARD64])
        want = np.concatenate([want, want if name == "cos" else -want])
        got = compiled_map(name, F64)(x)
        d = _ulp(got, want, F64)
        assert d.max() <= 1, (name, x[d > 1], got[d > 1], want[d > 1])


def test_hard_reduction_f32():
    x = np.array(HARD32, F32)
    x = np.concatenate([x, -x])
    for name in ("sin", "cos", "tan"):
        got = compiled_map(name, F32)(x)
        d = _ulp(got, _ref(name, x), F32)
        assert d.max() <= 1, (name, x[d > 1])


@pytest.mark.parametrize("dtype", DTYPES)
def test_vector_and_scalar_paths_agree(dtype):
    # 4099 elements: the vectorized loop and its scalar remainder must compute the
    # same function (the remainder is the tail of the array)
    rng = np.random.default_rng(7)
    x = _logu(rng, 4099, 1e-3, 1e6).astype(dtype)
    for name in ("sin", "cos", "tan", "atan"):
        f = compiled_map(name, dtype)
        full = f(x)
        tail = np.concatenate([f(x[i:i + 1]) for i in range(4090, 4099)])
        assert np.array_equal(full[4090:], tail)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("name", UNARY + ["atan2"])
def test_no_calls_and_vectorized(name, dtype):
    f = compiled_map(name, dtype, 2 if name == "atan2" else 1)
    asm = f.module.asm()
    assert not re.search(r"^\s*call", asm, re.M), name
    assert "ymm" in asm or "zmm" in asm or re.search(r"\tv\w+p[sd]\s.*xmm", asm), name


def test_two_over_pi_bits_and_tables():
    # the module computes pi with integers (Machin); 2/pi's first 256 bits, checked
    # offline against mpmath
    from fractions import Fraction

    from tinyjax.lowering import llvm_trig as T
    top = T._TWO_OVER_PI >> (T._PBITS - 256)
    assert top == 0xA2F9836E4E441529FC2757D1F534DDC0DB6295993C439041FE5163ABDEBBC561
    assert T.PIO2_HI == np.pi / 2 and T.PI_HI == np.pi
    # float32 table: double-double of (2^e 2/pi) mod 8; float64 table: 53-bit chunks
    t32 = T._table_f32()
    for be in (1, 127, 150, 200, 254):
        b = T._two_over_pi_times_pow2_mod8(be - 150)
        assert abs(Fraction(t32[2 * be]) + Fraction(t32[2 * be + 1]) - b) <= b * 2.0 ** -104
    t64 = T._table_f64()
    for j in (0, 5, 32):
        g = T._two_over_pi_times_pow2_mod8(T._E0_F64 + 32 * j)
        chunks = [Fraction(c) for c in t64[4 * j: 4 * j + 4]]
        assert 0 <= g - sum(chunks) < Fraction(1, 1 << 208)
        for k, c in enumerate(chunks):
            assert (c * (1 << (50 + 53 * k))).denominator == 1 and c < 8 / (1 << (53 * k))
