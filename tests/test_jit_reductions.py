"""jit lowering of the reduction family (tinyjax/lowering/lower_reductions.py):
reduce_*, argmax/argmin, cumulative ops, sort and top_k, compared with the eager
implementation. Integer/bool results are exact; float max/min/sort/top_k are exact
down to the sign of zeros and NaN positions; sums/products within a few ULP."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.config import enable_x64

RNG = np.random.default_rng(1234)

DT32 = ["bool", "int8", "uint8", "int16", "uint16", "int32", "uint32", "float16", "float32"]
DT64 = ["int64", "uint64", "float64"]
NUM32 = [d for d in DT32 if d != "bool"]
FLOATS = ["float16", "float32", "float64"]


def _data(shape, dtype, special=True, rng=RNG):
    """Random values of `dtype`, with edge values (and NaN/inf/zeros of both signs
    for floats) sprinkled in."""
    dtype = np.dtype(dtype)
    n = int(np.prod(shape))
    if dtype == np.bool_:
        return rng.integers(0, 2, size=shape).astype(bool)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(int(info.min), -50), min(int(info.max), 50)
        v = rng.integers(lo, hi, size=n, endpoint=True).astype(dtype)
        if special and n:
            edges = np.array([info.min, info.max, 0, 1], dtype=object)
            k = rng.integers(0, n, size=min(n, 3))
            v[k] = [dtype.type(e) for e in rng.choice(edges, size=len(k))]
        return v.reshape(shape)
    v = (rng.standard_normal(n) * 4).astype(dtype)
    if special and n:
        edges = np.array([np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0], dtype)
        k = rng.integers(0, n, size=max(1, n // 6))
        v[k] = rng.choice(edges, size=len(k))
    return v.reshape(shape)


def _same(got, want, exact=True, rtol=None):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if want.dtype.kind != "f":
        np.testing.assert_array_equal(got, want)
        return
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    ok = ~np.isnan(want)
    if exact:
        np.testing.assert_array_equal(got[ok], want[ok])
        np.testing.assert_array_equal(np.signbit(got[ok]), np.signbit(want[ok]))
    else:
        if rtol is None:
            rtol = {2: 4e-3, 4: 2e-6, 8: 1e-13}[want.dtype.itemsize]
        np.testing.assert_allclose(got[ok].astype(np.float64), want[ok].astype(np.float64),
                                   rtol=rtol, atol=rtol)


def check(f, *args, exact=True, rtol=None):
    got = tinyjax.jit(f)(*args)
    want = f(*args)
    if isinstance(want, (tuple, list)):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            _same(g, w, exact, rtol)
    else:
        _same(got, want, exact, rtol)


# ----------------------------------------------------------------------------- reduce_*

REDUCERS = {
    "sum": lax.reduce_sum, "prod": lax.reduce_prod, "max": lax.reduce_max,
    "min": lax.reduce_min, "and": lax.reduce_and, "or": lax.reduce_or, "xor": lax.reduce_xor,
}


def _reducer_dtypes(name, dts):
    if name in ("sum", "prod"):
        return [d for d in dts if d != "bool"]
    if name in ("and", "or", "xor"):
        return [d for d in dts if not d.startswith("float")]
    return dts


REDUCE_SHAPES = [((), ()), ((5,), ()), ((7,), (0,)), ((3, 4), (1,)), ((3, 4), (0,)),
                 ((2, 3, 4), (0, 2)), ((2, 3, 4), (0, 1, 2)), ((0, 3), (0,)), ((3, 0), (1,)),
                 ((0, 3), (1,)), ((1, 37), (1,))]


@pytest.mark.parametrize("name", list(REDUCERS))
def test_reduce_all_dtypes(name):
    fn = REDUCERS[name]
    for dt in _reducer_dtypes(name, DT32):
        for shape, axes in REDUCE_SHAPES:
            x = _data(shape, dt, special=name not in ("sum", "prod"))
            if name == "prod" and np.dtype(dt).kind == "f":
                x = (RNG.uniform(0.5, 1.5, size=shape)).astype(dt)
            check(lambda x: fn(x, axes), x, exact=name not in ("sum", "prod"))


@pytest.mark.parametrize("name", list(REDUCERS))
def test_reduce_x64(name):
    fn = REDUCERS[name]
    with enable_x64():
        for dt in _reducer_dtypes(name, DT64):
            for shape, axes in REDUCE_SHAPES[:8]:
                x = _data(shape, dt, special=name not in ("sum", "prod"))
                if name == "prod" and np.dtype(dt).kind == "f":
                    x = RNG.uniform(0.5, 1.5, size=shape).astype(dt)
                check(lambda x: fn(x, axes), x, exact=name not in ("sum", "prod"))


def test_reduce_max_min_nan_and_signed_zeros():
    z = np.array([[-0.0, 0.0], [0.0, -0.0], [-0.0, -0.0], [0.0, 0.0]], np.float32)
    for f in (lax.reduce_max, lax.reduce_min):
        check(lambda x: f(x, (1,)), z)
        check(lambda x: f(x, (1,)), z.astype(np.float16))
    x = np.array([[1.0, np.nan, 3.0], [-np.nan, -np.inf, 2.0], [np.inf, 1.0, -np.inf]],
                 np.float32)
    for f in (lax.reduce_max, lax.reduce_min):
        check(lambda x: f(x, (1,)), x)
        check(lambda x: f(x, (0,)), x)
    e = np.zeros((0, 3), np.float32)
    check(lambda x: lax.reduce_max(x, (0,)), e)     # -inf
    check(lambda x: lax.reduce_min(x, (0,)), e)     # +inf


def test_reduce_sum_float16_accumulates_in_float32():
    x = np.full((4096,), 1.0, np.float16)   # a float16 running sum would stall at 2048
    check(lambda x: lax.reduce_sum(x, (0,)), x)
    y = RNG.uniform(0, 1, size=(3, 1000)).astype(np.float16)
    check(lambda x: lax.reduce_sum(x, (1,)), y, exact=False)
    check(lambda x: lax.reduce_prod(x, (1,)),
          RNG.uniform(0.99, 1.01, size=(3, 300)).astype(np.float16), exact=False)
    # a sum of -0.0s is +0.0 (XLA starts from +0.0)
    check(lambda x: lax.reduce_sum(x, (0,)), np.array([-0.0, -0.0], np.float32))


def test_reduce_integer_wraparound():
    x = np.array([100, 100, 100], np.int8)
    check(lambda x: lax.reduce_sum(x, (0,)), x)
    check(lambda x: lax.reduce_prod(x, (0,)), x)
    u = np.array([0xFFFFFFFF, 2], np.uint32)
    check(lambda x: lax.reduce_sum(x, (0,)), u)
    check(lambda x: lax.reduce_max(x, (0,)), u)
    check(lambda x: lax.reduce_min(x, (0,)), u)


def test_reduce_fuses_with_producers():
    def f(x, y):
        return lax.reduce_max(lax.exp(x) * y, (1,)), lax.reduce_sum(x * y, (0,))
    x, y = _data((5, 6), "float32", False), _data((5, 6), "float32", False)
    check(f, x, y, exact=False)
    text = tinyjax.jit(f).lower(x, y).compile().as_text()
    assert "fusion: exp, mul, reduce_max" in text


def test_reduce_of_a_broadcast():
    def f(x):
        b = lax.broadcast_in_dim(x, (3, 4), (1,))
        return lax.reduce_min(b, (1,)), lax.reduce_sum(b, (0,))
    check(f, _data((4,), "float32", special=False), exact=False)


# ----------------------------------------------------------------------------- argmax / argmin

@pytest.mark.parametrize("which", ["argmax", "argmin"])
def test_argminmax_all_dtypes(which):
    fn = getattr(lax, which)
    for dt in DT32:
        for shape, axis in [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 5), 1), ((1,), 0),
                            ((4, 1), 1), ((0, 3), 1), ((3, 40), 1)]:
            x = _data(shape, dt)
            check(lambda x: fn(x, axis, np.int32), x)


@pytest.mark.parametrize("which", ["argmax", "argmin"])
def test_argminmax_x64_and_index_dtypes(which):
    fn = getattr(lax, which)
    with enable_x64():
        for dt in DT64 + ["float32", "uint32", "int8"]:
            for shape, axis in [((5,), 0), ((3, 7), 1), ((4, 3, 2), 0)]:
                x = _data(shape, dt)
                for idt in (np.int64, np.uint8, np.int16):
                    check(lambda x: fn(x, axis, idt), x)


def test_argminmax_nan_ties_and_zeros():
    cases = [
        [1.0, np.nan, 3.0, np.nan],      # first NaN wins
        [-np.nan, 5.0, np.nan],          # a negative NaN is a NaN too
        [2.0, 7.0, 7.0, 1.0, 1.0],       # ties: lowest index
        [-0.0, 0.0, -1.0],               # -0.0 == +0.0
        [0.0, -0.0, 1.0],
        [-np.inf, -np.inf],
        [np.inf, np.nan],
    ]
    for c in cases:
        for dt in FLOATS:
            with enable_x64():
                x = np.array(c, dt)
                check(lambda x: lax.argmax(x, 0, np.int32), x)
                check(lambda x: lax.argmin(x, 0, np.int32), x)
    u = np.array([0, 0xFFFFFFFF, 0x80000000, 0xFFFFFFFF, 0], np.uint32)
    check(lambda x: lax.argmax(x, 0, np.int32), u)
    check(lambda x: lax.argmin(x, 0, np.int32), u)
    with enable_x64():
        u = np.array([3, 2**64 - 1, 2**63, 2**64 - 1, 3], np.uint64)
        check(lambda x: lax.argmax(x, 0, np.int32), u)
        check(lambda x: lax.argmin(x, 0, np.int32), u)
        i = np.array([5, -2**63, 2**63 - 1, -2**63, 2**63 - 1], np.int64)
        check(lambda x: lax.argmax(x, 0, np.int32), i)
        check(lambda x: lax.argmin(x, 0, np.int32), i)


def test_argmax_fused_with_producer():
    x = _data((6, 9), "float32", special=False)
    check(lambda x: lax.argmax(x * 2.0 - 1.0, 1, np.int32), x)


# ----------------------------------------------------------------------------- cumulative

CUMS = {"cumsum": lax.cumsum, "cumprod": lax.cumprod, "cummax": lax.cummax,
        "cummin": lax.cummin, "cumlogsumexp": lax.cumlogsumexp}
CUM_SHAPES = [((5,), 0), ((3, 4), 0), ((3, 4), 1), ((2, 3, 4), 1), ((1,), 0), ((4, 1), 1),
              ((0,), 0), ((2, 0), 1), ((0, 3), 1), ((2, 33), 1)]


@pytest.mark.parametrize("name", list(CUMS))
def test_cumulative_all_dtypes(name):
    fn = CUMS[name]
    dts = FLOATS[:2] if name == "cumlogsumexp" else NUM32
    for dt in dts:
        for k, (shape, axis) in enumerate(CUM_SHAPES):
            for reverse in ((False, True) if k in (2, 3) else (k % 2 == 1,)):
                if name == "cumprod" and np.dtype(dt).kind == "f":
                    x = RNG.uniform(0.5, 1.5, size=shape).astype(dt)
                else:
                    x = _data(shape, dt, special=name in ("cummax", "cummin"))
                exact = name in ("cummax", "cummin") or np.dtype(dt).kind != "f"
                check(lambda x: fn(x, axis, reverse), x, exact=exact)


@pytest.mark.parametrize("name", list(CUMS))
def test_cumulative_x64(name):
    fn = CUMS[name]
    dts = ["float64"] if name == "cumlogsumexp" else DT64
    with enable_x64():
        for dt in dts:
            for shape, axis in CUM_SHAPES[:6]:
                for reverse in (False, True):
                    x = _data(shape, dt, special=name in ("cummax", "cummin"))
                    exact = name in ("cummax", "cummin") or np.dtype(dt).kind != "f"
                    check(lambda x: fn(x, axis, reverse), x, exact=exact)


def test_cumulative_special_values():
    x = np.array([-0.0, -0.0, 0.0, -0.0, np.nan, 1.0, -np.inf], np.float32)
    for name in ("cummax", "cummin"):
        for reverse in (False, True):
            check(lambda x: CUMS[name](x, 0, reverse), x)
            check(lambda x: CUMS[name](x, 0, reverse), x.astype(np.float16))
    z = np.array([-0.0, -0.0, -0.0], np.float32)
    check(lambda x: lax.cumsum(x, 0), z)                 # +0.0 (XLA adds to +0.0)
    check(lambda x: lax.cumsum(x, 0), z[:1])             # length 1: the input
    check(lambda x: lax.cumprod(x, 0), z)
    inf = np.array([-np.inf, -np.inf, np.inf, np.inf, 0.0, np.nan, 1.0], np.float32)
    check(lambda x: lax.cumlogsumexp(x, 0), inf, exact=False)
    check(lambda x: lax.cumlogsumexp(x, 0, True), inf, exact=False)
    big = np.full((3000,), 1.0, np.float16)              # float16 accumulates in float32
    check(lambda x: lax.cumsum(x, 0), big)
    w = np.array([120, 100, -128, 7], np.int8)           # integer wraparound
    check(lambda x: lax.cumsum(x, 0), w)
    check(lambda x: lax.cumprod(x, 0), w)


# ----------------------------------------------------------------------------- sort

SORT_SIZES = [1, 2, 3, 16, 17, 33, 100, 300]   # insertion, merge, radix (>= 256)


@pytest.mark.parametrize("dt", DT32)
def test_sort_one_operand(dt):
    for n in SORT_SIZES:
        x = _data((2, n), dt)
        check(lambda x: lax.sort(x), x)
    x = _data((5, 3, 4), dt)
    for d in range(3):
        check(lambda x: lax.sort(x, d), x)
    check(lambda x: lax.sort(x), _data((0,), dt))
    check(lambda x: lax.sort(x, 0), _data((0, 3), dt))
    check(lambda x: lax.sort(x, 1), _data((2, 0), dt))


def test_sort_x64():
    with enable_x64():
        for dt in DT64:
            for n in (1, 5, 17, 64):
                x = _data((3, n), dt)
                check(lambda x: lax.sort(x), x)
        check(lambda x: lax.sort(x), np.array([2**64 - 1, 0, 2**63, 5], np.uint64))


def test_sort_float_order_nan_last_zeros_equal():
    x = np.array([np.nan, 1.0, -0.0, -np.inf, 0.0, -np.nan, np.inf, -0.0, -1.0, 0.0] * 3,
                 np.float32)
    ids = np.arange(x.size, dtype=np.int32)
    check(lambda x: lax.sort(x), x)
    # the permutation (stable: zeros and NaNs keep their relative order)
    check(lambda x, i: lax.sort((x, i), num_keys=1), x, ids)
    check(lambda x, i: lax.sort((x, i), num_keys=1), x.astype(np.float16), ids)
    with enable_x64():
        check(lambda x, i: lax.sort((x, i), num_keys=1), x.astype(np.float64), ids)


def test_sort_stable_multi_operand():
    for n in (7, 40, 129):
        k = RNG.integers(0, 4, size=(2, n)).astype(np.int32)
        v = _data((2, n), "float32")
        b = _data((2, n), "bool")
        check(lambda k, v, b: lax.sort((k, v, b), num_keys=1), k, v, b)
        check(lambda k, v, b: lax.sort((k, v, b), num_keys=2), k, v, b)
        check(lambda k, v, b: lax.sort((b, k, v), num_keys=2), k, v, b)
        check(lambda k, v, b: lax.sort((b, k, v), num_keys=3), k, v, b)
        check(lambda k, v: lax.sort((k, v), dimension=0, num_keys=1), k, v)
    with enable_x64():
        k = RNG.integers(0, 3, size=(50,)).astype(np.int64)
        v = RNG.integers(0, 3, size=(50,)).astype(np.uint8)
        w = np.arange(50.0)
        check(lambda k, v, w: lax.sort((k, v, w), num_keys=2), k, v, w)
        check(lambda k, v, w: lax.sort((v, w, k), num_keys=1), k, v, w)


def test_sort_key_val_and_fused_input():
    k = _data((4, 20), "float32")
    v = np.arange(80, dtype=np.int32).reshape(4, 20)
    check(lambda k, v: lax.sort_key_val(k, v), k, v)
    check(lambda k, v: lax.sort_key_val(-k, v * 2), k, v)


def test_sort_large_is_merge_sorted():
    x = RNG.standard_normal((20000,)).astype(np.float32)
    check(lambda x: lax.sort(x), x)
    i = RNG.integers(-5, 5, size=(3, 3000)).astype(np.int16)
    check(lambda x, y: lax.sort((x, y), num_keys=1), i, np.arange(9000, dtype=np.int32).reshape(3, 3000))
    with enable_x64():
        f = RNG.integers(-5, 5, size=(3000,)).astype(np.float64)
        check(lambda x, y: lax.sort((x, y), num_keys=1), f, np.arange(3000))


@settings(max_examples=30, deadline=None)
@given(st.lists(st.sampled_from([0.0, -0.0, 1.0, -1.0, 2.5, np.inf, -np.inf, np.nan, -np.nan]),
                min_size=1, max_size=60),
       st.sampled_from(["float16", "float32"]))
def test_sort_hypothesis(vals, dt):
    x = np.array(vals, dt)
    ids = np.arange(x.size, dtype=np.int32)
    check(lambda x, i: lax.sort((x, i), num_keys=1), x, ids)
    check(lambda x: lax.top_k(x, min(3, x.size)), x)


# ----------------------------------------------------------------------------- top_k

@pytest.mark.parametrize("dt", NUM32 + ["bool"])
def test_top_k_all_dtypes(dt):
    for shape, k in [((5,), 2), ((5,), 5), ((5,), 0), ((3, 4), 1), ((2, 2, 6), 3),
                     ((1,), 1), ((2, 40), 7), ((0, 4), 2), ((3, 17), 17)]:
        x = _data(shape, dt)
        check(lambda x: lax.top_k(x, k), x)


def test_top_k_x64_and_axis():
    with enable_x64():
        for dt in DT64:
            x = _data((3, 25), dt)
            check(lambda x: lax.top_k(x, 4), x)
    x = _data((6, 5), "float32")
    check(lambda x: lax.top_k(x, 2, axis=0), x)


def test_top_k_total_order():
    x = np.array([0.0, -0.0, np.nan, -np.nan, np.inf, -np.inf, 1.0, 1.0, -0.0, np.nan],
                 np.float32)
    for dt in ("float16", "float32"):
        check(lambda x: lax.top_k(x, x.size), x.astype(dt))
    with enable_x64():
        check(lambda x: lax.top_k(x, 6), x.astype(np.float64))
    big = RNG.integers(0, 10, size=(2, 500)).astype(np.float32)
    check(lambda x: lax.top_k(x, 20), big)
