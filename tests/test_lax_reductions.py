"""lax reductions, argmax/argmin, generic reduce, cumulative ops, sort and top_k.

Each primitive is checked against an independent reference (NumPy in float64 /
int64, or a Python loop) and, where JAX is installed, bit for bit against
jax.lax (including the sign of zeros and the place of NaNs), on hypothesis
shapes with 0-d, empty and size-1 axes, all 32-bit dtypes and edge values.
"""
import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.config import enable_x64

DTYPES = [np.bool_, np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32,
          np.float16, np.float32]
NUMERIC = [d for d in DTYPES if d is not np.bool_]
INTLIKE = [d for d in DTYPES if np.dtype(d).kind in "biu"]
FLOATS = [np.float16, np.float32]
SPECIALS = [np.nan, -np.nan, np.inf, -np.inf, 0.0, -0.0, 1.0, -1.0]

shapes = st.lists(st.integers(0, 3), max_size=4).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple)
seeds = st.integers(0, 2**32 - 1)
SETTINGS = settings(max_examples=25, deadline=None)
JAX_SETTINGS = settings(max_examples=15, deadline=None)  # each new shape compiles in JAX


def values(seed, shape, dtype, kind="general"):
    """Random values with ties; floats include NaN, -NaN, +-inf and +-0.0."""
    rng = np.random.default_rng(seed)
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if rng.random() < 0.5:
            return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
        return rng.integers(max(info.min, -3), min(info.max, 3), shape, endpoint=True).astype(dt)
    if kind == "prod":  # magnitudes that cannot overflow float16 in <= 81 factors
        x = rng.choice([1.0, 1.125, 0.875], shape) * rng.choice([-1.0, 1.0], shape)
    else:
        mode = rng.integers(3)
        if mode == 0:
            x = rng.standard_normal(shape) * 10
        elif mode == 1:
            x = rng.integers(-3, 4, shape).astype(np.float64)  # ties
        else:  # signed zeros that often are the max / min of a group
            x = rng.choice([-0.0, 0.0, -1.0, 1.0], shape)
    special = rng.random(shape) < 0.2
    x = np.where(special, rng.choice(SPECIALS, shape), x)
    return np.asarray(x, dt)


@st.composite
def shape_and_axes(draw, shape_strategy=shapes):
    shape = draw(shape_strategy)
    perm = draw(st.permutations(range(len(shape))))
    k = draw(st.integers(0, len(shape)))
    return shape, tuple(perm[:k])


def bits(a):
    """The bit pattern of an array (so -0.0 != 0.0 and NaNs compare by sign)."""
    a = np.ascontiguousarray(np.asarray(a))
    if a.dtype.kind == "f":
        return a.view(np.dtype(f"u{a.dtype.itemsize}"))
    return a


def assert_bits_equal(got, want, canonical_nan=False):
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    assert got.shape == want.shape, (got.shape, want.shape)
    if canonical_nan and got.dtype.kind == "f":  # NaN sign is not specified
        nan = np.isnan(want)
        np.testing.assert_array_equal(np.isnan(got), nan)
        got, want = np.where(nan, 0, got).astype(got.dtype), np.where(nan, 0, want).astype(got.dtype)
    np.testing.assert_array_equal(bits(got), bits(want))


def assert_close_sum(got, want64, abs_sum64, dtype):
    """Float reductions: XLA's accumulation order is unspecified, so compare to the
    float64 result within a tolerance scaled by the sum of magnitudes."""
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype)
    want = np.asarray(want64, np.float64)
    g = got.astype(np.float64)
    np.testing.assert_array_equal(np.isnan(g), np.isnan(want))
    fin = np.isfinite(want)
    np.testing.assert_array_equal(g[~fin & ~np.isnan(want)], want[~fin & ~np.isnan(want)])
    eps = 4e-3 if np.dtype(dtype) == np.float16 else 1e-6
    info = np.finfo(dtype)
    big = np.abs(want) > info.max  # overflow in the narrow type
    with np.errstate(over="ignore"):
        want = want.astype(dtype).astype(np.float64)  # round (and flush) like the result
    ok = np.isclose(g, want, rtol=eps, atol=eps * abs_sum64 + 2 * info.smallest_subnormal) | big
    assert ok[fin].all(), (got, want)


def jax_lax():
    jax = pytest.importorskip("jax")
    return jax.lax


# ----------------------------------------------------------------------------- reductions

REDUCERS = {
    "reduce_sum": NUMERIC,
    "reduce_prod": NUMERIC,
    "reduce_max": DTYPES,
    "reduce_min": DTYPES,
    "reduce_and": INTLIKE,
    "reduce_or": INTLIKE,
    "reduce_xor": INTLIKE,
}


def numpy_reduce(name, x, axes):
    """Reference in float64 / int64 (ints wrap by the final cast)."""
    with np.errstate(all="ignore"):
        return _numpy_reduce(name, x, axes)


def _numpy_reduce(name, x, axes):
    dt = x.dtype
    if name in ("reduce_sum", "reduce_prod"):
        wide = np.float64 if dt.kind == "f" else (np.uint64 if dt.kind == "u" else np.int64)
        fn = np.sum if name == "reduce_sum" else np.prod
        r = fn(x.astype(wide), axis=axes)
        return r if dt.kind == "f" else np.asarray(r).astype(dt)
    if name in ("reduce_max", "reduce_min"):
        ident = {"reduce_max": -np.inf, "reduce_min": np.inf}[name]
        if dt.kind in "iu":
            ident = np.iinfo(dt).min if name == "reduce_max" else np.iinfo(dt).max
        if dt == np.bool_:
            ident = name == "reduce_min"
        fn = np.max if name == "reduce_max" else np.min
        return np.asarray(fn(x, axis=axes, initial=ident), dt)
    ufunc = {"reduce_and": np.bitwise_and, "reduce_or": np.bitwise_or,
             "reduce_xor": np.bitwise_xor}[name]
    return np.asarray(ufunc.reduce(x, axis=axes), dt)


@pytest.mark.parametrize("name", sorted(REDUCERS))
@SETTINGS
@given(sa=shape_and_axes(), seed=seeds, data=st.data())
def test_reduction_vs_numpy(name, sa, seed, data):
    shape, axes = sa
    dtype = data.draw(st.sampled_from(REDUCERS[name]))
    x = values(seed, shape, dtype, "prod" if name == "reduce_prod" else "general")
    got = getattr(lax, name)(x, axes)
    want = numpy_reduce(name, x, axes)
    assert got.shape == np.shape(want)
    if x.dtype.kind == "f" and name in ("reduce_sum", "reduce_prod"):
        mag = np.sum(np.abs(x.astype(np.float64)), axis=axes) if name == "reduce_sum" else 0
        assert_close_sum(got, want, np.nan_to_num(mag, posinf=0), dtype)
    elif x.dtype.kind == "f":  # max/min: exact up to the sign of zero (NumPy picks either)
        np.testing.assert_array_equal(np.asarray(got), want)
        assert np.asarray(got).dtype == want.dtype
    else:
        assert_bits_equal(got, want)


@pytest.mark.parametrize("name", sorted(REDUCERS))
@settings(max_examples=12, deadline=None)
@given(sa=shape_and_axes(), seed=seeds, data=st.data())
def test_reduction_vs_jax(name, sa, seed, data):
    jlax = jax_lax()
    shape, axes = sa
    dtype = data.draw(st.sampled_from(REDUCERS[name]))
    x = values(seed, shape, dtype, "prod" if name == "reduce_prod" else "general")
    got = getattr(lax, name)(x, axes)
    want = np.asarray(getattr(jlax, name)(x, axes))
    if x.dtype.kind == "f" and name in ("reduce_sum", "reduce_prod"):
        mag = np.sum(np.abs(x.astype(np.float64)), axis=axes) if name == "reduce_sum" else 0
        want64 = numpy_reduce(name, x, axes)
        assert_close_sum(got, want64, np.nan_to_num(mag, posinf=0), dtype)
        assert_close_sum(want, want64, np.nan_to_num(mag, posinf=0), dtype)
    else:
        # max/min: bit-exact, so +0.0 wins over -0.0 in max and NaN propagates
        assert_bits_equal(got, want, canonical_nan=True)


def test_reduction_edge_values():
    z = np.array([-0.0, 0.0], np.float32)
    assert_bits_equal(lax.reduce_max(z, (0,)), np.float32(0.0))
    assert_bits_equal(lax.reduce_max(z[::-1], (0,)), np.float32(0.0))
    assert_bits_equal(lax.reduce_min(z, (0,)), np.float32(-0.0))
    assert_bits_equal(lax.reduce_min(z[::-1], (0,)), np.float32(-0.0))
    assert_bits_equal(lax.reduce_max(np.array([-0.0, -0.0], np.float32), (0,)), np.float32(-0.0))
    assert np.isnan(lax.reduce_max(np.array([1.0, np.nan, np.inf], np.float32), (0,)))
    assert np.isnan(lax.reduce_min(np.array([np.nan, -np.inf], np.float16), (0,)))
    # empty reductions give the identity
    assert lax.reduce_max(np.zeros((0,), np.float16), (0,)) == -np.inf
    assert lax.reduce_min(np.zeros((2, 0), np.float32), (1,)).tolist() == [np.inf, np.inf]
    assert lax.reduce_max(np.zeros((0,), np.int8), (0,)) == -128
    assert lax.reduce_min(np.zeros((0,), np.uint16), (0,)) == 65535
    assert not bool(lax.reduce_max(np.zeros((0,), bool), (0,)))
    assert bool(lax.reduce_min(np.zeros((0,), bool), (0,)))
    assert lax.reduce_and(np.zeros((0,), np.uint8), (0,)) == 255
    assert lax.reduce_and(np.zeros((0,), np.int32), (0,)) == -1
    assert lax.reduce_or(np.zeros((0, 3), np.int8), (0,)).tolist() == [0, 0, 0]
    assert lax.reduce_prod(np.zeros((0,), np.float32), (0,)) == 1
    assert lax.reduce_sum(np.zeros((0,), np.uint32), (0,)) == 0
    # integers wrap around
    assert lax.reduce_sum(np.array([100, 100], np.int8), (0,)) == -56
    assert lax.reduce_prod(np.array([16, 16], np.uint8), (0,)) == 0
    assert lax.reduce_sum(np.array([2**31 - 1, 1], np.int32), (0,)) == -2**31
    # 0-d operand, no axes
    assert_bits_equal(lax.reduce_sum(np.float32(-0.0), ()), np.float32(-0.0))
    # XLA sums start from +0.0
    assert_bits_equal(lax.reduce_sum(np.array([-0.0, -0.0], np.float32), (0,)), np.float32(0.0))
    assert_bits_equal(lax.reduce_prod(np.array([-0.0, 1.0], np.float32), (0,)), np.float32(-0.0))
    assert lax.reduce_xor(np.array([True, True, True]), (0,)).dtype == np.bool_
    assert bool(lax.reduce_xor(np.array([True, True, True]), (0,)))


@pytest.mark.parametrize("fn, x, axes, exc, match", [
    (lax.reduce_sum, np.ones(3, np.float32), (-1,), ValueError, r"out-of-bounds.*float32\[3\]"),
    (lax.reduce_max, np.ones(3, np.float32), (1,), ValueError, "out-of-bounds"),
    (lax.reduce_sum, np.ones((2, 3), np.float32), (0, 0), ValueError, "duplicate value"),
    (lax.reduce_and, np.ones(3, np.int32), (1, 1), ValueError, "duplicate value"),
    (lax.reduce_sum, np.ones(3, bool), (0,), TypeError, "reduce_sum does not accept dtype bool"),
    (lax.reduce_prod, np.ones(3, bool), (0,), TypeError, "reduce_prod does not accept dtype bool"),
    (lax.reduce_and, np.ones(3, np.float32), (0,), TypeError, "bool or int, got float32"),
    (lax.reduce_or, np.ones(3, np.float16), (0,), TypeError, "bool or int"),
    (lax.reduce_xor, np.ones(3, np.float32), (0,), TypeError, "bool or int"),
])
def test_reduction_errors(fn, x, axes, exc, match):
    with pytest.raises(exc, match=match):
        fn(x, axes)
    with pytest.raises(exc, match=match):
        tinyjax.make_jaxpr(lambda v: fn(v, axes))(x)


# ----------------------------------------------------------------------------- argmax, argmin

def loop_argminmax(x, axis, is_max):
    """First NaN if any, else the first extremum (-0.0 == 0.0)."""
    xm = np.moveaxis(x, axis, -1)
    out = np.zeros(xm.shape[:-1], np.int64)
    for idx in np.ndindex(*xm.shape[:-1]):
        row = list(xm[idx])
        best = 0
        for i, v in enumerate(row):
            if x.dtype.kind == "f" and np.isnan(v):
                best = i
                break
            if (v > row[best]) if is_max else (v < row[best]):
                best = i
        out[idx] = best
    return out


@pytest.mark.parametrize("name", ["argmax", "argmin"])
@settings(max_examples=15, deadline=None)
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_argminmax(name, shape, seed, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    index_dtype = data.draw(st.sampled_from([np.int32, np.int8, np.uint8, np.int16]))
    axis = data.draw(st.integers(0, len(shape) - 1))
    x = values(seed, shape, dtype)
    got = getattr(lax, name)(x, axis, index_dtype)
    want = loop_argminmax(x, axis, name == "argmax").astype(index_dtype)
    assert_bits_equal(got, want)
    jlax = jax_lax()
    assert_bits_equal(got, np.asarray(getattr(jlax, name)(x, axis, index_dtype)))


def test_argminmax_edge_values():
    x = np.array([3.0, np.nan, 1.0, np.nan, 5.0, -np.nan, 0.0, -0.0, np.inf, -np.inf], np.float32)
    assert lax.argmax(x, 0, np.int32) == 1 and lax.argmin(x, 0, np.int32) == 1
    assert lax.argmax(np.array([1.0, 5, 5, 2], np.float32), 0, np.int32) == 1
    assert lax.argmin(np.array([0.0, -0.0], np.float32), 0, np.int32) == 0
    assert lax.argmax(np.array([-np.inf, -np.inf], np.float32), 0, np.int32) == 0
    assert lax.argmax(np.array([False, True, True]), 0, np.int32) == 1
    out = lax.argmax(np.zeros((0, 3), np.float32), 1, np.int32)
    assert out.shape == (0,) and out.dtype == np.int32
    assert lax.argmax(np.ones(4, np.float32), 0, np.int64).dtype == np.int32  # no x64


@pytest.mark.parametrize("args, exc, match", [
    ((np.ones(3, np.float32), 1, np.int32), ValueError, r"invalid axis 1 for operand shape \(3,\)"),
    ((np.ones(3, np.float32), -1, np.int32), ValueError, "invalid axis -1"),
    ((np.float32(1), 0, np.int32), ValueError, "invalid axis 0"),
    ((np.ones((3, 0), np.float32), 1, np.int32), ValueError, "non-empty reduced dimension"),
    ((np.ones(3, np.float32), 0, np.float32), TypeError, "index_dtype must be an integer type"),
    ((np.ones(3, np.float32), 0, np.bool_), TypeError, "index_dtype must be an integer type"),
])
def test_argminmax_errors(args, exc, match):
    for fn in (lax.argmax, lax.argmin):
        with pytest.raises(exc, match=match):
            fn(*args)


# ----------------------------------------------------------------------------- cumulative

CUMULATIVE = ["cumsum", "cumprod", "cummax", "cummin", "cumlogsumexp"]


def loop_cumulative(name, x, axis, reverse):
    """Running reduction with a Python loop over the axis, in float64 / wide ints."""
    with np.errstate(all="ignore"):
        return _loop_cumulative(name, x, axis, reverse)


def _loop_cumulative(name, x, axis, reverse):
    xm = np.moveaxis(x, axis, 0)
    if reverse:
        xm = xm[::-1]
    wide = {"f": np.float64, "i": np.int64, "u": np.uint64}[x.dtype.kind]
    out = np.empty(xm.shape, wide)
    acc = None
    for i in range(xm.shape[0]):
        v = xm[i].astype(wide)
        if acc is None:
            acc = v
        elif name == "cumsum":
            acc = acc + v
        elif name == "cumprod":
            acc = acc * v
        elif name == "cummax":
            acc = np.where(np.isnan(acc) | (acc > v), acc, v)
        elif name == "cummin":
            acc = np.where(np.isnan(acc) | (acc < v), acc, v)
        else:  # log(exp(acc) + exp(v)), shifted by the max
            m = np.maximum(acc, v)
            ms = np.where(np.isfinite(m), m, 0)
            acc = np.where(np.isneginf(acc) & np.isneginf(v), -np.inf,
                           ms + np.log(np.exp(acc - ms) + np.exp(v - ms)))
        out[i] = acc
    if reverse:
        out = out[::-1]
    out = np.moveaxis(out, 0, axis)
    return out if x.dtype.kind == "f" else out.astype(x.dtype)


@pytest.mark.parametrize("name", CUMULATIVE)
@SETTINGS
@given(shape=nonempty_shapes, seed=seeds, reverse=st.booleans(), data=st.data())
def test_cumulative_vs_loop(name, shape, seed, reverse, data):
    dtype = data.draw(st.sampled_from(FLOATS if name == "cumlogsumexp" else NUMERIC))
    axis = data.draw(st.integers(0, len(shape) - 1))
    x = values(seed, shape, dtype, "prod" if name == "cumprod" else "general")
    got = getattr(lax, name)(x, axis, reverse)
    want = loop_cumulative(name, x, axis, reverse)
    assert got.shape == x.shape and got.dtype == x.dtype
    if x.dtype.kind != "f":
        assert_bits_equal(got, want)
    elif name in ("cummax", "cummin"):
        np.testing.assert_array_equal(np.asarray(got), want.astype(dtype))
    elif name == "cumsum":
        mag = loop_cumulative("cumsum", np.abs(x), axis, reverse)
        assert_close_sum(got, want, np.nan_to_num(mag, posinf=0), dtype)
    else:
        assert_close_sum(got, want, 0, dtype)


@pytest.mark.parametrize("name", CUMULATIVE)
@settings(max_examples=10, deadline=None)
@given(shape=nonempty_shapes, seed=seeds, reverse=st.booleans(), data=st.data())
def test_cumulative_vs_jax(name, shape, seed, reverse, data):
    jlax = jax_lax()
    dtype = data.draw(st.sampled_from(FLOATS if name == "cumlogsumexp" else NUMERIC))
    axis = data.draw(st.integers(0, len(shape) - 1))
    x = values(seed, shape, dtype, "prod" if name == "cumprod" else "general")
    got = getattr(lax, name)(x, axis, reverse)
    want = np.asarray(getattr(jlax, name)(x, axis, reverse))
    if x.dtype.kind != "f" or name in ("cummax", "cummin"):
        assert_bits_equal(got, want, canonical_nan=True)  # incl. +0.0 > -0.0
    else:
        assert got.dtype == want.dtype
        tol = 2e-2 if dtype == np.float16 else 1e-5
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                                   rtol=tol, atol=tol * (1 + np.nanmax(np.abs(
                                       np.nan_to_num(want, posinf=0, neginf=0)), initial=0)))


def test_cumulative_edge_values():
    x = np.array([1.0, np.nan, 3.0, 0.0, -0.0, 0.0], np.float32)
    assert np.isnan(np.asarray(lax.cummax(x))[1:]).all()
    assert_bits_equal(lax.cummax(np.array([-1.0, -0.0, 0.0, -0.0], np.float32)),
                      np.array([-1.0, -0.0, 0.0, 0.0], np.float32))
    assert_bits_equal(lax.cummin(np.array([1.0, 0.0, -0.0, 0.0], np.float32)),
                      np.array([1.0, 0.0, -0.0, -0.0], np.float32))
    assert_bits_equal(lax.cumsum(np.array([100, 100, 100], np.int8)),
                      np.array([100, -56, 44], np.int8))
    assert_bits_equal(lax.cumprod(np.array([2, 3, 4], np.int32), reverse=True),
                      np.array([24, 12, 4], np.int32))
    # numerically stable: exp(1000) overflows
    big = lax.cumlogsumexp(np.array([1000.0, 1000.0, -np.inf], np.float32))
    np.testing.assert_allclose(np.asarray(big), [1000.0, 1000.0 + np.log(2), 1000.0 + np.log(2)],
                               rtol=1e-6)
    tiny = np.asarray(lax.cumlogsumexp(np.array([-np.inf, -np.inf, -1000.0], np.float32)))
    assert_bits_equal(tiny[:2], np.array([-np.inf, -np.inf], np.float32))
    assert float(tiny[2]) == -1000.0
    assert lax.cumlogsumexp(np.array([np.inf, 1.0], np.float32)).tolist() == [np.inf, np.inf]
    assert lax.cumsum(np.zeros((2, 0), np.float32), 1).shape == (2, 0)
    assert_bits_equal(lax.cumsum(np.array([-0.0, -0.0], np.float32)), np.zeros(2, np.float32))
    assert_bits_equal(lax.cumsum(np.array([-0.0], np.float32)), np.array([-0.0], np.float32))
    assert lax.cummax(np.array([3, 1, 4, 1, 5], np.uint8), reverse=True).tolist() == [5, 5, 5, 5, 5]


@pytest.mark.parametrize("name", CUMULATIVE)
def test_cumulative_errors(name):
    fn = getattr(lax, name)
    with pytest.raises(ValueError, match="negative axes"):
        fn(np.ones((2, 3), np.float32), -1)
    with pytest.raises(ValueError, match=r"axis 2 is out of bounds for array of shape \(2, 3\)"):
        fn(np.ones((2, 3), np.float32), 2)
    with pytest.raises(ValueError, match="out of bounds"):
        fn(np.float32(1), 0)
    with pytest.raises(TypeError, match=f"{name} does not accept dtype bool"):
        fn(np.ones(3, bool))
    if name == "cumlogsumexp":
        with pytest.raises(TypeError, match="floating-point"):
            fn(np.ones(3, np.int32))


# ----------------------------------------------------------------------------- sort

def sort_key(v):
    """lax.sort's comparator as a Python key: -0.0 == 0.0, every NaN last and equal."""
    if isinstance(v, np.floating):
        return (1, 0.0) if np.isnan(v) else (0, float(v) + 0.0)
    return (0, int(v))


def loop_sort(operands, dimension, num_keys):
    moved = [np.moveaxis(o, dimension, -1) for o in operands]
    outs = [np.empty_like(m) for m in moved]
    for idx in np.ndindex(*moved[0].shape[:-1]):
        rows = [m[idx] for m in moved]
        n = rows[0].shape[0]
        perm = sorted(range(n), key=lambda i: tuple(sort_key(r[i]) for r in rows[:num_keys]))
        for out, r in zip(outs, rows):
            out[idx] = r[perm]
    return [np.moveaxis(o, -1, dimension) for o in outs]


@JAX_SETTINGS
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_sort_single(shape, seed, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    dimension = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = values(seed, shape, dtype)
    got = lax.sort(x, dimension=dimension)
    want, = loop_sort([x], dimension % len(shape), 1)
    assert_bits_equal(got, want)  # stable: -0.0 / 0.0 and NaNs keep their order
    assert_bits_equal(got, np.sort(x, axis=dimension, kind="stable"))
    jlax = jax_lax()
    assert_bits_equal(got, np.asarray(jlax.sort(x, dimension=dimension)))


@JAX_SETTINGS
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_sort_multi_operand(shape, seed, data):
    n_ops = data.draw(st.integers(1, 3))
    num_keys = data.draw(st.integers(1, n_ops))
    dts = [data.draw(st.sampled_from(DTYPES)) for _ in range(n_ops)]
    dimension = data.draw(st.integers(0, len(shape) - 1))
    ops = [values(seed + i, shape, dt) for i, dt in enumerate(dts)]
    got = lax.sort(ops, dimension=dimension, num_keys=num_keys)
    assert isinstance(got, tuple) and len(got) == n_ops
    for g, w in zip(got, loop_sort(ops, dimension, num_keys)):
        assert_bits_equal(g, w)
    jlax = jax_lax()
    for g, w in zip(got, jlax.sort(tuple(ops), dimension=dimension, num_keys=num_keys)):
        assert_bits_equal(g, np.asarray(w))


@settings(max_examples=15, deadline=None)
@given(shape=nonempty_shapes, seed=seeds, data=st.data())
def test_sort_key_val_and_unstable(shape, seed, data):
    kdt = data.draw(st.sampled_from(DTYPES))
    keys = values(seed, shape, kdt)
    vals = np.arange(keys.size, dtype=np.int32).reshape(shape)
    k, v = lax.sort_key_val(keys, vals)
    wk, wv = loop_sort([keys, vals], len(shape) - 1, 1)
    assert_bits_equal(k, wk)
    assert_bits_equal(v, wv)
    # is_stable=False may order ties either way, but the keys come out sorted
    (ku,) = [lax.sort(keys, is_stable=False)]
    canon = lambda a: np.where(np.asarray(a) == 0, 0, a) if keys.dtype.kind == "f" else a
    assert_bits_equal(canon(ku), canon(wk), canonical_nan=True)


def test_sort_edge_values():
    x = np.array([3.0, np.nan, 1.0, -np.nan, 5.0, 0.0, -0.0, np.inf, -np.inf], np.float32)
    out = np.asarray(lax.sort(x))
    assert_bits_equal(out[:6], np.array([-np.inf, 0.0, -0.0, 1.0, 3.0, 5.0], np.float32))
    assert out[6] == np.inf and np.isnan(out[7:]).all()
    assert_bits_equal(out[7:], x[[1, 3]])  # NaNs keep their order (and sign) at the end
    assert_bits_equal(lax.sort(np.array([-0.0, 0.0, -0.0], np.float32)),
                      np.array([-0.0, 0.0, -0.0], np.float32))
    assert lax.sort(np.array([True, False, True])).tolist() == [False, True, True]
    assert lax.sort(np.array([255, 0, 128], np.uint8)).tolist() == [0, 128, 255]
    assert lax.sort(np.zeros((3, 0), np.float32)).shape == (3, 0)
    a, b, c = lax.sort((np.array([1.0, 1, 0], np.float32), np.array([3, 2, 1], np.int8),
                        np.array([True, False, True])), num_keys=2)
    assert a.tolist() == [0, 1, 1] and b.tolist() == [1, 2, 3] and c.tolist() == [True, False, True]


@pytest.mark.parametrize("call, exc, match", [
    (lambda: lax.sort(np.float32(1.0)), ValueError, "axis -1 is out of bounds"),
    (lambda: lax.sort(np.ones(3, np.float32), dimension=1), ValueError, "out of bounds"),
    (lambda: lax.sort([np.ones(3), np.ones(4)]), TypeError,
     r"equal shapes, got: \(3,\) \(4,\)"),
    (lambda: lax.sort_key_val(np.ones(3), np.ones(4)), TypeError, "equal shapes"),
    (lambda: lax.sort([]), TypeError, "at least one operand"),
    (lambda: lax.sort([np.ones(3)], num_keys=2), ValueError, "num_keys=2 must be between 1"),
    (lambda: lax.sort([np.ones(3)], num_keys=0), ValueError, "num_keys=0 must be between 1"),
    (lambda: lax.sort(np.ones(3), num_keys=2), ValueError, "must equal 1 for a single operand"),
])
def test_sort_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ----------------------------------------------------------------------------- top_k

def total_order_key(v):
    """IEEE totalOrder as a Python key: -NaN < -inf < ... < -0.0 < 0.0 < ... < inf < NaN."""
    if isinstance(v, np.floating):
        neg = bool(np.signbit(v))
        if np.isnan(v):
            return (-1 if neg else 1, 0.0, 0)
        return (0, float(v), 0 if neg else 1)
    return (0, int(v), 0)


def loop_top_k(x, k, axis):
    xm = np.moveaxis(x, axis, -1)
    vals = np.empty(xm.shape[:-1] + (k,), x.dtype)
    idxs = np.empty(xm.shape[:-1] + (k,), np.int32)
    for idx in np.ndindex(*xm.shape[:-1]):
        row = xm[idx]
        # reverse=True keeps equal elements in their original order (lower index first)
        perm = sorted(range(len(row)), key=lambda i: total_order_key(row[i]), reverse=True)[:k]
        vals[idx] = row[perm]
        idxs[idx] = perm
    return np.moveaxis(vals, -1, axis), np.moveaxis(idxs, -1, axis)


@JAX_SETTINGS
@given(shape=st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple), seed=seeds,
       data=st.data())
def test_top_k(shape, seed, data):
    dtype = data.draw(st.sampled_from(DTYPES))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    k = data.draw(st.integers(0, shape[axis]))
    x = values(seed, shape, dtype)
    vals, idxs = lax.top_k(x, k, axis=axis)
    wv, wi = loop_top_k(x, k, axis % len(shape))
    assert_bits_equal(vals, wv)
    assert_bits_equal(idxs, wi)
    jlax = jax_lax()
    jv, ji = jlax.top_k(x, k, axis=axis)
    assert_bits_equal(vals, np.asarray(jv))
    assert_bits_equal(idxs, np.asarray(ji))


def test_top_k_edge_values():
    x = np.array([3.0, np.nan, 1.0, np.nan, 5.0, -np.nan, 0.0, -0.0, np.inf, -np.inf], np.float32)
    v, i = lax.top_k(x, 10)
    assert i.tolist() == [1, 3, 8, 4, 0, 2, 6, 7, 9, 5]  # +NaN first, -NaN last
    v, i = lax.top_k(np.array([0.0, -0.0, 0.0, -0.0], np.float32), 4)
    assert i.tolist() == [0, 2, 1, 3]  # +0.0 ranks above -0.0
    v, i = lax.top_k(np.array([1, 3, 3, 2, 3], np.int32), 3)
    assert v.tolist() == [3, 3, 3] and i.tolist() == [1, 2, 4]
    v, i = lax.top_k(np.array([-128, 127, 0], np.int8), 3)
    assert v.tolist() == [127, 0, -128] and v.dtype == np.int8 and i.dtype == np.int32
    v, i = lax.top_k(np.array([True, False, True]), 2)
    assert v.tolist() == [True, True] and i.tolist() == [0, 2]
    v, i = lax.top_k(np.ones((2, 3), np.float32), 0)
    assert v.shape == (2, 0) and i.shape == (2, 0)
    v, i = lax.top_k(np.zeros((3, 0), np.float32), 0)
    assert v.shape == (3, 0)


@pytest.mark.parametrize("call, exc, match", [
    (lambda: lax.top_k(np.ones(3, np.float32), 4), ValueError,
     r"no larger than size along axis; got k=4 with shape=\[3\]"),
    (lambda: lax.top_k(np.ones(3, np.float32), -1), ValueError, "must be nonnegative, got -1"),
    (lambda: lax.top_k(np.float32(1.0), 0), ValueError, "out of bounds for array of dimension 0"),
    (lambda: lax.top_k(np.ones((2, 3), np.float32), 1, axis=2), ValueError, "out of bounds"),
    (lambda: lax.top_k(np.ones(3, np.float32), 1.5), TypeError, "k must be an integer"),
])
def test_top_k_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ----------------------------------------------------------------------------- generic reduce

@pytest.mark.parametrize("comp, init, prim", [
    (lax.add, 0.0, "reduce_sum"),
    (lax.mul, 1.0, "reduce_prod"),
    (lax.max, -np.inf, "reduce_max"),
    (lax.min, np.inf, "reduce_min"),
    (lambda a, b: lax.add(a, b), 0.0, "reduce_sum"),  # recognised by tracing
    (lambda a, b: lax.max(b, a), -np.inf, "reduce_max"),
])
def test_reduce_monoids(comp, init, prim):
    x = values(1, (3, 4), np.float32)
    got = lax.reduce(x, init, comp, (1,))
    want = getattr(lax, prim)(x, (1,))
    assert_bits_equal(got, want)
    jaxpr = tinyjax.make_jaxpr(lambda v: lax.reduce(v, init, comp, (1,)))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == [prim]
    assert jaxpr.out_avals[0].shape == (3,) and jaxpr.out_avals[0].dtype == np.float32


@pytest.mark.parametrize("dtype, comp, init, prim", [
    (np.int32, lax.bitwise_and, -1, "reduce_and"),
    (np.int32, lax.bitwise_or, 0, "reduce_or"),
    (np.int32, lax.bitwise_xor, 0, "reduce_xor"),
    (np.bool_, lax.bitwise_and, True, "reduce_and"),
    (np.bool_, lax.bitwise_or, False, "reduce_or"),
    (np.bool_, lax.max, False, "reduce_max"),
    (np.uint8, lax.max, np.uint8(0), "reduce_max"),
    (np.int8, lax.min, np.int8(127), "reduce_min"),
])
def test_reduce_integer_monoids(dtype, comp, init, prim):
    x = values(7, (2, 5), dtype)
    jaxpr = tinyjax.make_jaxpr(lambda v: lax.reduce(v, init, comp, (0, 1)))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == [prim]
    assert_bits_equal(lax.reduce(x, init, comp, (0, 1)), getattr(lax, prim)(x, (0, 1)))


def test_reduce_vs_jax():
    jlax = jax_lax()
    x = values(3, (3, 4), np.float32)
    xi = values(4, (3, 4), np.int32)
    fin = np.nan_to_num(x, nan=0.0, posinf=1.0, neginf=-1.0)
    cases = [
        (x, np.float32(0.0), lax.add, jlax.add, (0,)),
        (x, np.float32(-np.inf), lax.max, jlax.max, (1,)),
        (xi, np.int32(0), lax.bitwise_or, jlax.bitwise_or, (0, 1)),
        # not the identity: combined once with the result, as XLA on CPU does
        (fin, np.float32(1.0), lax.add, jlax.add, (0,)),
        (fin, np.float32(5.0), lax.max, jlax.max, (0, 1)),
        (xi, np.int32(3), lax.mul, jlax.mul, (1,)),
        (np.zeros((2, 0), np.float32), np.float32(2.0), lax.mul, jlax.mul, (1,)),
    ]
    for v, init, comp, jcomp, dims in cases:
        got = lax.reduce(v, init, comp, dims)
        want = np.asarray(jlax.reduce(v, init, jcomp, dims))
        if v.dtype.kind == "f":
            np.testing.assert_allclose(np.asarray(got), want, rtol=1e-6)
            assert np.asarray(got).dtype == want.dtype
        else:
            assert_bits_equal(got, want)


def test_reduce_fold_custom_computations():
    jlax = jax_lax()
    x = values(5, (3, 4), np.float32)
    x = np.nan_to_num(x, nan=2.0, posinf=3.0, neginf=-3.0)
    absmax = lambda a, b: lax.max(lax.abs(a), lax.abs(b))
    jabsmax = lambda a, b: jlax.max(jlax.abs(a), jlax.abs(b))
    for dims in [(0,), (1,), (0, 1), ()]:
        got = lax.reduce(x, np.float32(0), absmax, dims)
        want = np.max(np.abs(x), axis=dims, initial=0) if dims else np.abs(x)
        if dims:
            np.testing.assert_array_equal(np.asarray(got), want)
            np.testing.assert_array_equal(
                np.asarray(got), np.asarray(jlax.reduce(x, np.float32(0), jabsmax, dims)))

    # a variadic (value, index) argmax reducer over two operands
    idx = np.broadcast_to(np.arange(4, dtype=np.int32), (3, 4)).copy()

    def argmax_comp(acc, new, m=lax):
        (av, ai), (bv, bi) = acc, new
        take_b = m.bitwise_or(m.gt(bv, av), m.bitwise_and(m.eq(bv, av), m.lt(bi, ai)))
        return m.select(take_b, bv, av), m.select(take_b, bi, ai)

    inits = (np.float32(-np.inf), np.int32(0))
    v, i = lax.reduce((x, idx), inits, argmax_comp, (1,))
    np.testing.assert_array_equal(np.asarray(i), np.argmax(x, axis=1))
    np.testing.assert_array_equal(np.asarray(v), np.max(x, axis=1))
    jv, ji = jlax.reduce((x, idx), inits, lambda a, b: argmax_comp(a, b, jlax), (1,))
    np.testing.assert_array_equal(np.asarray(i), np.asarray(ji))
    # empty reduction: the init values, broadcast
    v, i = lax.reduce((x[:, :0], idx[:, :0]), inits, argmax_comp, (1,))
    assert np.asarray(v).tolist() == [-np.inf] * 3 and np.asarray(i).tolist() == [0] * 3
    # dict pytrees
    out = lax.reduce({"a": x}, {"a": np.float32(0)}, lambda p, q: {"a": absmax(p["a"], q["a"])},
                     (0,))
    np.testing.assert_array_equal(np.asarray(out["a"]), np.max(np.abs(x), axis=0))


def test_reduce_errors():
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="same tree structure"):
        lax.reduce((x, x), (np.float32(0),), lambda a, b: a, (0,))
    with pytest.raises(ValueError, match=r"non-scalar initial value: \[\(2,\)\]"):
        lax.reduce(x, np.zeros(2, np.float32), lax.add, (0,))
    with pytest.raises(ValueError, match="out-of-bounds"):
        lax.reduce(x, 0.0, lax.add, (2,))
    with pytest.raises(ValueError, match="duplicate value"):
        lax.reduce(x, 1.0, lax.add, (0, 0))
    with pytest.raises(TypeError, match="should match corresponding initial value dtypes"):
        lax.reduce(x.astype(np.float16), 1.0, lax.add, (0,))
    with pytest.raises(TypeError, match="equal shapes"):
        lax.reduce((x, x[0]), (np.float32(0), np.float32(0)), lambda a, b: a, (0,))
    with pytest.raises(TypeError, match="reduce_sum does not accept dtype bool"):
        lax.reduce(np.ones(3, bool), False, lax.add, (0,))
    with pytest.raises(NotImplementedError, match="lax.add, lax.mul, lax.max"):
        tinyjax.make_jaxpr(
            lambda v: lax.reduce(v, 0.0, lambda a, b: lax.max(lax.abs(a), lax.abs(b)), (0,)))(x)


# ----------------------------------------------------------------------------- exhaustive edge values

@pytest.mark.parametrize("dtype", FLOATS)
def test_every_triple_of_edge_values_vs_jax(dtype):
    """All 512 rows of three values from {+-0, +-1, +-inf, +-NaN}: bit-exact vs JAX."""
    jax = pytest.importorskip("jax")
    jlax = jax.lax
    pool = np.array([-0.0, 0.0, -1.0, 1.0, np.inf, -np.inf, np.nan, -np.nan], dtype)
    x = pool[np.stack(np.meshgrid(*[np.arange(8)] * 3, indexing="ij"), -1).reshape(-1, 3)]
    x_cols = np.ascontiguousarray(x.T)
    for name in ["reduce_max", "reduce_min"]:
        assert_bits_equal(getattr(lax, name)(x, (1,)), np.asarray(getattr(jlax, name)(x, (1,))),
                          canonical_nan=True)
        assert_bits_equal(getattr(lax, name)(x_cols, (0,)),
                          np.asarray(getattr(jlax, name)(x_cols, (0,))), canonical_nan=True)
    for name in ["cummax", "cummin"]:
        for reverse in (False, True):
            assert_bits_equal(getattr(lax, name)(x, 1, reverse),
                              np.asarray(getattr(jlax, name)(x, 1, reverse)), canonical_nan=True)
    for name in ["argmax", "argmin"]:
        assert_bits_equal(getattr(lax, name)(x, 1, np.int32),
                          np.asarray(getattr(jlax, name)(x, 1, np.int32)))
    assert_bits_equal(lax.sort(x), np.asarray(jlax.sort(x)))
    assert_bits_equal(lax.sort(x_cols, dimension=0), np.asarray(jlax.sort(x_cols, dimension=0)))
    keys2 = np.asarray(np.arange(512) % 2, np.int32)[:, None] * np.ones(3, np.int32)
    for g, w in zip(lax.sort((x, keys2), num_keys=2), jlax.sort((x, keys2), num_keys=2)):
        assert_bits_equal(g, np.asarray(w))
    for k in (0, 1, 3):
        for g, w in zip(lax.top_k(x, k), jlax.top_k(x, k)):
            assert_bits_equal(g, np.asarray(w))


# ----------------------------------------------------------------------------- jaxprs and avals

def _norm_jaxpr(text):
    text = text.replace(" out_sharding=None", "")
    text = re.sub(r"\s+", " ", text).strip()
    return text.replace("[ ", "[").replace(" ]", "]")


def _cases(lx):
    """(function of lax, input) pairs; the function takes the lax module to use."""
    f32 = np.ones((3, 4), np.float32)
    i8 = np.ones((2, 3), np.int8)
    b = np.ones((2, 3), bool)
    return [
        (lambda m, x: m.reduce_sum(x, (0,)), f32),
        (lambda m, x: m.reduce_prod(x, (0, 1)), f32),
        (lambda m, x: m.reduce_max(x, ()), i8),
        (lambda m, x: m.reduce_min(x, (1,)), b),
        (lambda m, x: (m.reduce_and(x, (1,)), m.reduce_or(x, (0,)), m.reduce_xor(x, (0, 1))), b),
        (lambda m, x: m.argmax(x, 1, np.int32), f32),
        (lambda m, x: m.argmin(x, 0, np.uint8), i8),
        (lambda m, x: (m.cumsum(x, 1, True), m.cumprod(x), m.cummax(x, 1), m.cummin(x)), f32),
        (lambda m, x: m.cumlogsumexp(x, 1, reverse=True), f32),
        (lambda m, x: m.sort(x), f32),
        (lambda m, x: m.sort((x, x, x), dimension=0, num_keys=2), i8),
        (lambda m, x: m.sort_key_val(x, x, is_stable=False), f32),
        (lambda m, x: m.top_k(x, 2), f32),
        (lambda m, x: m.top_k(x, 1, axis=0), i8),
        (lambda m, x: m.reduce(x, 0.0, m.add, (0,)), f32),
    ]


def test_jaxprs_match_jax():
    jax = pytest.importorskip("jax")
    for (f, x), (jf, _) in zip(_cases(lax), _cases(jax.lax)):
        ours = tinyjax.make_jaxpr(lambda v: f(lax, v))(x)
        theirs = jax.make_jaxpr(lambda v: jf(jax.lax, v))(x)
        assert _norm_jaxpr(str(ours)) == _norm_jaxpr(str(theirs))
        assert [(a.shape, a.dtype, a.weak_type) for a in ours.out_avals] == \
            [(a.shape, a.dtype, a.weak_type) for a in theirs.out_avals]


def test_weak_types_match_jax():
    jax = pytest.importorskip("jax")
    ours_in = tinyjax.Array(np.ones((2, 3), np.float32), True)
    theirs_in = jax.lax.broadcast(1.0, (2, 3))
    ours_int = tinyjax.Array(np.ones((2, 3), np.int32), True)
    theirs_int = jax.lax.broadcast(1, (2, 3))
    fns = [
        lambda m, x, i: m.reduce_sum(x, (0,)),
        lambda m, x, i: m.reduce_max(x, (0, 1)),
        lambda m, x, i: m.reduce_or(i, (0,)),
        lambda m, x, i: m.argmax(x, 0, np.int32),
        lambda m, x, i: m.cumsum(x, 1),
        lambda m, x, i: m.sort(x),
        lambda m, x, i: m.top_k(x, 2),  # JAX keeps the weak type on the int32 indices too
        lambda m, x, i: m.reduce(x, 0.0, m.add, (0,)),
        lambda m, x, i: m.reduce(x, np.float32(0.0), m.add, (0,)),
        lambda m, x, i: m.reduce(x, 1.0, m.add, (0,)),
    ]
    for f in fns:
        ours = tinyjax.make_jaxpr(lambda x, i: f(lax, x, i))(ours_in, ours_int).out_avals
        theirs = jax.make_jaxpr(lambda x, i: f(jax.lax, x, i))(theirs_in, theirs_int).out_avals
        assert [(a.shape, a.dtype, a.weak_type) for a in ours] == \
            [(a.shape, a.dtype, a.weak_type) for a in theirs]
        eager = f(lax, ours_in, ours_int)
        eager = eager if isinstance(eager, (tuple, list)) else [eager]
        assert [(e.shape, e.dtype, e.weak_type) for e in eager] == \
            [(a.shape, a.dtype, a.weak_type) for a in theirs]


@settings(max_examples=15, deadline=None)
@given(sa=shape_and_axes(), data=st.data())
def test_traced_avals_match_eager(sa, data):
    shape, axes = sa
    dtype = data.draw(st.sampled_from(NUMERIC))
    x = values(0, shape, dtype)
    fns = [lambda v: lax.reduce_sum(v, axes), lambda v: lax.reduce_max(v, axes)]
    if shape:
        fns += [lambda v: lax.sort(v, 0), lambda v: lax.cummin(v, 0, True),
                lambda v: lax.top_k(v, shape[-1])]
    for f in fns:
        out = f(x)
        out = list(out) if isinstance(out, (tuple, list)) else [out]
        avals = tinyjax.make_jaxpr(f)(x).out_avals
        assert [(a.shape, a.dtype) for a in avals] == [(o.shape, o.dtype) for o in out]


# ----------------------------------------------------------------------------- x64

@pytest.mark.parametrize("dtype", [np.int64, np.uint64, np.float64])
def test_x64(dtype):
    with enable_x64():
        x = values(11, (3, 5), dtype)
        assert_bits_equal(lax.reduce_max(x, (1,)), np.asarray(np.max(x, axis=1), dtype))
        assert lax.reduce_sum(x, (0,)).dtype == dtype
        if np.dtype(dtype).kind != "f":
            assert_bits_equal(lax.reduce_sum(x, (0,)), np.sum(x, axis=0, dtype=dtype))
            assert_bits_equal(lax.cumsum(x, 1), np.cumsum(x, axis=1, dtype=dtype))
        assert_bits_equal(lax.sort(x), np.sort(x, axis=-1, kind="stable"))
        v, i = lax.top_k(x, 5)
        wv, wi = loop_top_k(x, 5, 1)
        assert_bits_equal(v, wv)
        assert_bits_equal(i, wi)
        assert lax.argmax(x, 0, np.int64).dtype == np.int64
