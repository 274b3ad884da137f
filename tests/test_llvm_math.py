"""Accuracy and special values of the inline LLVM elementary functions
(tinyjax/lowering/llvm_math.py) against NumPy.

References: NumPy in float64 (float32 functions are checked against the float64
NumPy result, i.e. the correctly rounded float32 value up to double rounding;
float64 functions against NumPy float64; logistic against NumPy long double).
ULP distances are computed exactly on the integer line (`_ulp`), since the float64
conversion in llvm_harness.ulp_error rounds large bit patterns.
"""
import numpy as np
import pytest

from tests.llvm_harness import compiled_map

F32, F64 = np.float32, np.float64
DTYPES = [F32, F64]

# max ULP error asserted, per function and dtype (measured values in
# /work/notes/ulp_llvm_math.md are at or below these)
BOUNDS = {
    "exp": (1, 1), "exp2": (1, 1), "expm1": (1, 1), "log": (1, 1), "log1p": (1, 1),
    "logistic": (2, 2), "tanh": (1, 2), "sinh": (1, 2), "cosh": (1, 1),
    "asinh": (1, 2), "acosh": (1, 2), "atanh": (1, 2), "cbrt": (1, 1), "pow": (1, 1),
}


def _ulp(got, want, dtype):
    """Exact ULP distance; inf/nan/zero-sign must agree exactly (else inf)."""
    dtype = np.dtype(dtype)
    got = np.asarray(got, dtype)
    with np.errstate(over="ignore", invalid="ignore"):
        want = np.asarray(want).astype(dtype)
    itype = {4: np.int32, 8: np.int64}[dtype.itemsize]

    def line(v):
        i = v.view(itype).astype(object)
        mn = int(np.iinfo(itype).min)
        return np.array([mn - k if k < 0 else k for k in i], dtype=object)

    d = np.abs(line(got) - line(want)).astype(np.float64)
    both_nan = np.isnan(got) & np.isnan(want)
    d[both_nan] = 0.0
    d[np.isnan(got) != np.isnan(want)] = np.inf
    inf_bad = (np.isinf(got) | np.isinf(want)) & ~both_nan & (got != want)
    d[inf_bad] = np.inf
    return d


def _logu(rng, n, lo, hi, signed=True):
    v = np.exp(rng.uniform(np.log(lo), np.log(hi), n))
    return v * rng.choice([-1.0, 1.0], n) if signed else v


def _near(points, dtype, k=40):
    """Values within k ulps of each point (in dtype)."""
    out = []
    for p in points:
        with np.errstate(over="ignore"):
            p = dtype(p)
        v = p
        lo = p
        for _ in range(k):
            v = np.nextafter(v, dtype(np.inf))
            lo = np.nextafter(lo, dtype(-np.inf))
            out += [v, lo]
        out.append(p)
    return np.array(out, dtype)


def _ref(name, x):
    xx = x.astype(np.float64)
    with np.errstate(all="ignore"):
        if name == "logistic":
            xl = x.astype(np.longdouble)
            return 1 / (1 + np.exp(-xl))
        return getattr(np, name)(xx)


def _domain(name, dtype, rng):
    fi = np.finfo(dtype)
    tiny, big = float(fi.smallest_subnormal), float(fi.max)
    n = 1500
    parts = [_logu(rng, n, tiny, big), rng.uniform(-3, 3, n // 2),
             rng.uniform(-1e-3, 1e-3, n // 4)]
    f32 = dtype == F32
    ovf = 88.72283 if f32 else 709.782712893384
    edges = {
        "exp": [ovf, -103.97208 if f32 else -745.1332191019411, -87.33655 if f32 else -708.3964185322641,
                [-0.34657359, 0.34657359, 0.0]],
        "exp2": [128.0, -149.0, -126.0, 1024.0 if not f32 else 127.9999, -1074.0, -1022.0, 0.5],
        "expm1": [ovf, -0.34657359, 0.34657359, 40.0, -40.0, 1e-8, -1e-8],
        "log": [1.0, float(fi.tiny), 2.0, 0.5, np.sqrt(2), 1 / np.sqrt(2)],
        "log1p": [-1.0, 0.0, 1.0, -0.29289, 0.41421, 1e-8, -1e-8, 2.0 ** 53],
        "logistic": [0.0, 20.0, -20.0, 40.0, -88.0, -103.0, -709.0, -745.0, 36.0],
        "tanh": [0.55, 1.0, 9.0, 19.0, 22.0, 1e-5],
        "sinh": [22.0, ovf, 710.4758600739439 if not f32 else 89.41599, 1e-5],
        "cosh": [22.0, ovf, 710.4758600739439 if not f32 else 89.41599, 1e-5],
        "asinh": [2.0, 2.0 ** 28, 0.5, 1e-5, 1e150],
        "acosh": [1.0, 2.0, 2.0 ** 28, 1.5, 1e150],
        "atanh": [1.0, -1.0, 0.5, -0.5, 1e-5],
        "cbrt": [1.0, 2.0, 4.0, 8.0, float(fi.tiny), 27.0],
    }[name]
    flat = []
    for e in edges:
        flat += list(e) if isinstance(e, list) else [e, -e]
    parts.append(_near(flat, dtype))
    if name in ("acosh",):
        parts.append(1 + _logu(rng, n // 2, 1e-12, 1.0, signed=False))
    if name in ("atanh",):
        parts.append(1 - _logu(rng, n // 2, 1e-12, 1.0, signed=False))
    if name == "log1p":
        parts.append(-1 + _logu(rng, n // 2, 1e-12, 1.0, signed=False))
    with np.errstate(over="ignore"):
        return np.concatenate([np.asarray(p, np.float64) for p in parts]).astype(dtype)


SPECIALS = [0.0, -0.0, np.inf, -np.inf, np.nan, 1.0, -1.0, 2.0, -2.0, 0.5]

UNARY = ["exp", "exp2", "expm1", "log", "log1p", "logistic", "tanh", "sinh", "cosh",
         "asinh", "acosh", "atanh", "cbrt"]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_accuracy(name, dtype):
    rng = np.random.default_rng(1234)
    x = _domain(name, dtype, rng)
    got = compiled_map(name, dtype)(x)
    err = _ulp(got, _ref(name, x), dtype)
    bound = BOUNDS[name][dtype == F64]
    worst = int(np.argmax(err))
    assert err.max() <= bound, (name, dtype, x[worst], got[worst], err.max())


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", UNARY)
def test_unary_special_values(name, dtype):
    fi = np.finfo(dtype)
    extra = [fi.max, -fi.max, fi.tiny, -fi.tiny, fi.smallest_subnormal,
             -fi.smallest_subnormal]
    x = np.array(SPECIALS + extra, dtype)
    got = compiled_map(name, dtype)(x)
    want = np.asarray(_ref(name, x)).astype(dtype)
    both_nan = np.isnan(got) & np.isnan(want)
    same = (got == want) & (np.signbit(got) == np.signbit(want))
    ok = both_nan | same
    # finite nonzero results only need the accuracy bound
    ok |= np.isfinite(want) & (want != 0) & (_ulp(got, want, dtype) <= BOUNDS[name][dtype == F64])
    assert ok.all(), list(zip(x[~ok], got[~ok], want[~ok]))
    # infinities, nans and zeros (with sign) exactly
    sel = ~np.isfinite(want) | (want == 0)
    assert (both_nan | same)[sel].all()


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_pow_accuracy(dtype):
    rng = np.random.default_rng(99)
    fi = np.finfo(dtype)
    n = 1500
    x = _logu(rng, n, float(fi.smallest_subnormal), float(fi.max), signed=False)
    lim = 103.0 if dtype == F32 else 745.0
    y = rng.uniform(-lim, lim, n) / np.log(x)              # results over the full range
    x2, y2 = rng.uniform(0, 3, n), rng.uniform(-40, 40, n)
    x3 = -_logu(rng, n, 1e-5, 1e5, signed=False)           # negative base, integer exponent
    y3 = rng.integers(-60, 60, n).astype(float)
    x4 = 1 + rng.uniform(-1e-6, 1e-6, n)                   # base near 1, huge exponent
    y4 = _logu(rng, n, 1.0, 1e9)
    X = np.concatenate([x, x2, x3, x4]).astype(dtype)
    Y = np.concatenate([y, y2, y3, y4]).astype(dtype)
    got = compiled_map("pow", dtype, 2)(X, Y)
    with np.errstate(all="ignore"):
        want = np.power(X.astype(np.float64), Y.astype(np.float64))
    err = _ulp(got, want, dtype)
    worst = int(np.argmax(err))
    assert err.max() <= BOUNDS["pow"][dtype == F64], (X[worst], Y[worst], got[worst])


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
def test_pow_special_values(dtype):
    fi = np.finfo(dtype)
    v = np.array([0.0, -0.0, 1.0, -1.0, 0.5, -0.5, 2.0, -2.0, 3.0, -3.0, 2.5, -2.5,
                  np.inf, -np.inf, np.nan, float(fi.smallest_subnormal), -float(fi.max),
                  float(fi.max), 1e300 if dtype == F64 else 1e30], dtype)
    X, Y = (a.ravel() for a in np.meshgrid(v, v))
    got = compiled_map("pow", dtype, 2)(X, Y)
    with np.errstate(all="ignore"):
        want = np.power(X.astype(np.float64), Y.astype(np.float64)).astype(dtype)
    both_nan = np.isnan(got) & np.isnan(want)
    same = (got == want) & (np.signbit(got) == np.signbit(want))
    sel = ~np.isfinite(want) | (want == 0) | (np.abs(want) == 1)
    bad = sel & ~(both_nan | same)
    assert not bad.any(), list(zip(X[bad], Y[bad], got[bad], want[bad]))
    assert (_ulp(got, want, dtype)[~sel] <= 1).all()
    # exact small integer powers (results representable in dtype)
    b = np.arange(-12, 13, dtype=dtype)
    e = np.arange(0, 8, dtype=dtype)
    Bb, Ee = (a.ravel() for a in np.meshgrid(b, e))
    exact = np.power(Bb.astype(np.float64), Ee.astype(np.float64))
    keep = np.abs(exact) <= 2.0 ** np.finfo(dtype).nmant
    Bb, Ee, exact = Bb[keep], Ee[keep], exact[keep].astype(dtype)
    assert (compiled_map("pow", dtype, 2)(Bb, Ee) == exact).all()


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("name", UNARY + ["pow"])
def test_no_calls_and_vectorized(name, dtype):
    nargs = 2 if name == "pow" else 1
    asm = compiled_map(name, dtype, nargs).module.asm()
    assert "call" not in asm, name
    if dtype == F32 and name in ("exp", "log", "tanh", "logistic"):
        assert "ymm" in asm or "vmulps" in asm or "mulps" in asm
