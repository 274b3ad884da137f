"""tinyjax.numpy reductions, statistics, histograms, differences, convolution and
interpolation against NumPy (values) and JAX (result dtypes, NaN conventions,
behaviour where the two differ). JAX's dtypes are written out here, so most
tests need no JAX; the ones marked by `xnp()` compare against it directly."""
import contextlib
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax.core.errors import ConcretizationTypeError

nan = np.nan
RNG = np.random.default_rng(0)
X = RNG.normal(size=(3, 4, 5)).astype(np.float32)
XI = RNG.integers(-5, 6, size=(3, 4, 5)).astype(np.int32)
M = RNG.normal(size=(3, 6)).astype(np.float32)
H = RNG.normal(size=40).astype(np.float32)


def close(got, want, dtype=None, rtol=1e-5, atol=1e-5):
    """Values (NaN == NaN) and shape; dtype (as JAX gives it) when `dtype` is given."""
    got_np = np.asarray(got)
    want = np.asarray(want)
    assert got_np.shape == want.shape, (got_np.shape, want.shape)
    if dtype is not None:
        assert got_np.dtype == np.dtype(dtype), (got_np.dtype, dtype)
    if got_np.dtype == np.bool_ or got_np.dtype.kind in "iu":
        np.testing.assert_array_equal(got_np, want)
    else:
        np.testing.assert_allclose(got_np.astype(np.float64), want.astype(np.float64),
                                   rtol=rtol, atol=atol, equal_nan=True)


def xnp():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    return xnp


def same_as_jax(fn, *args, rtol=1e-5, **kw):
    """fn(jnp, ...) equals fn(jax.numpy, ...): values, shapes, dtypes, weak types."""
    ref = xnp()
    got = fn(jnp, *args, **kw)
    want = fn(ref, *args, **kw)
    gots = got if isinstance(got, (tuple, list)) else [got]
    wants = want if isinstance(want, (tuple, list)) else [want]
    assert len(gots) == len(wants)
    for g, w in zip(gots, wants):
        close(g, w, np.asarray(w).dtype, rtol=rtol)
        assert g.weak_type == w.weak_type, (g.weak_type, w.weak_type)


@contextlib.contextmanager
def _nowarn():
    """Silence NumPy's all-NaN-slice and empty-slice warnings."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        yield


AXES = [None, 0, -1, (0, 2), (2, 0, 1), ()]


# ============================================================================= basic reductions

# name -> NumPy reference
BASIC = {
    "sum": np.sum, "prod": np.prod, "max": np.max, "min": np.min, "amax": np.amax,
    "amin": np.amin, "mean": np.mean, "var": np.var, "std": np.std, "all": np.all,
    "any": np.any, "ptp": np.ptp, "count_nonzero": np.count_nonzero,
}


@pytest.mark.parametrize("name", sorted(BASIC))
@pytest.mark.parametrize("axis", AXES)
@pytest.mark.parametrize("keepdims", [False, True])
def test_basic_reductions_float(name, axis, keepdims):
    x = X * 0.5 + 1 if name == "prod" else X
    got = getattr(jnp, name)(x, axis=axis, keepdims=keepdims)
    want = BASIC[name](x, axis=axis, keepdims=keepdims)
    dtype = {"all": np.bool_, "any": np.bool_, "count_nonzero": np.int32}.get(name, np.float32)
    close(got, want, dtype, rtol=1e-4)


# JAX's result dtypes (from jax 0.10, x64 off) for an input of each dtype
RESULT_DTYPES = {
    #          bool      int8     uint8     int16    int32    uint32   float16   float32
    "sum":   ["int32", "int32", "uint32", "int32", "int32", "uint32", "float16", "float32"],
    "prod":  ["int32", "int32", "uint32", "int32", "int32", "uint32", "float16", "float32"],
    "max":   ["bool", "int8", "uint8", "int16", "int32", "uint32", "float16", "float32"],
    "mean":  ["float32"] * 6 + ["float16", "float32"],
    "var":   ["float32"] * 6 + ["float16", "float32"],
    "median": ["float32"] * 6 + ["float16", "float32"],
    "cumsum": ["int32", "int8", "uint8", "int16", "int32", "uint32", "float16", "float32"],
    "cumulative_sum": ["int32", "int32", "uint32", "int32", "int32", "uint32", "float16",
                       "float32"],
    "nansum": ["int32", "int32", "uint32", "int32", "int32", "uint32", "float16", "float32"],
    "nanmean": ["float32"] * 6 + ["float16", "float32"],
    "argmax": ["int32"] * 8,
    "count_nonzero": ["int32"] * 8,
    "all": ["bool"] * 8,
    "average": ["float32"] * 6 + ["float16", "float32"],
    "trapezoid": ["float32"] * 6 + ["float16", "float32"],
    "diff": ["bool", "int8", "uint8", "int16", "int32", "uint32", "float16", "float32"],
}
IN_DTYPES = ["bool", "int8", "uint8", "int16", "int32", "uint32", "float16", "float32"]


@pytest.mark.parametrize("name", sorted(RESULT_DTYPES))
@pytest.mark.parametrize("k", range(len(IN_DTYPES)))
def test_result_dtypes_like_jax(name, k):
    x = np.array([[1, 0, 1], [1, 1, 0]], dtype=IN_DTYPES[k])
    got = getattr(jnp, name)(x, axis=-1) if name != "median" else jnp.median(x)
    want = RESULT_DTYPES[name][k]
    assert got.dtype == np.dtype(want)
    assert not got.weak_type or name == "diff"
    ref = getattr(np, name)(x.astype(np.float64), axis=-1) if name != "median" else \
        np.median(x.astype(np.float64))
    if name == "diff" and x.dtype == np.bool_:
        ref = np.diff(x)
    close(got, np.asarray(ref).astype(want), rtol=1e-2)


def test_integer_overflow_and_promotion():
    # int8 sums accumulate in int32 (no wraparound), unless promote_integers=False
    x = np.array([100, 100, 100], np.int8)
    close(jnp.sum(x), 300, np.int32)
    close(jnp.sum(x, promote_integers=False), np.int8(300 - 256), np.int8)
    close(jnp.sum(x, dtype=jnp.int8), np.int8(44), np.int8)
    close(jnp.sum(np.array([200, 100], np.uint8)), 300, np.uint32)
    close(jnp.prod(np.array([100, 100], np.int8), dtype="int8"), np.int8(16), np.int8)
    close(jnp.sum(np.array([1, 0, 2]), dtype=bool), True, np.bool_)
    close(jnp.sum(np.arange(300, dtype=np.float16)), np.sum(np.arange(300.)), np.float16,
          rtol=1e-3)
    close(jnp.mean(np.arange(6, dtype=np.float16)), 2.5, np.float16)
    close(jnp.mean(np.arange(6.0), dtype=int), 2, np.int32)


def test_python_scalars_lists_and_methods():
    close(jnp.sum(3), 3, np.int32)
    close(jnp.mean(3.0), 3.0, np.float32)
    close(jnp.max(np.array([[1, 5], [7, 2]]), axis=0), [7, 5], np.int32)
    x = jnp.asarray(X)
    close(x.sum(axis=1), X.sum(axis=1), np.float32, rtol=1e-5)
    close(x.mean(0), X.mean(0), np.float32)
    close(x.std(ddof=1), X.std(ddof=1), np.float32)
    close(x.argmax(axis=2), X.argmax(axis=2), np.int32)
    close(x.cumsum(axis=1), X.cumsum(axis=1), np.float32, rtol=1e-5)
    close(x.ptp(axis=0), np.ptp(X, axis=0), np.float32)
    # reductions are never weakly typed
    assert not jnp.sum(2.0).weak_type and not jnp.max(2).weak_type


@settings(max_examples=25, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3), data=st.data())
def test_reductions_hypothesis(shape, data):
    x = data.draw(st.lists(st.floats(-100, 100, width=32), min_size=int(np.prod(shape)),
                           max_size=int(np.prod(shape))))
    x = np.asarray(x, np.float32).reshape(shape)
    axis = data.draw(st.one_of(st.none(), st.integers(-len(shape), len(shape) - 1)))
    keepdims = data.draw(st.booleans())
    for name in ("sum", "max", "min", "mean", "var", "ptp"):
        close(getattr(jnp, name)(x, axis=axis, keepdims=keepdims),
              getattr(np, name)(x.astype(np.float64), axis=axis, keepdims=keepdims),
              np.float32, rtol=1e-4, atol=1e-3)
    close(jnp.argmax(x, axis=axis, keepdims=keepdims),
          np.argmax(x, axis=axis, keepdims=keepdims), np.int32)
    close(jnp.median(x, axis=axis, keepdims=keepdims),
          np.median(x, axis=axis, keepdims=keepdims), np.float32, rtol=1e-5)


def test_where_and_initial():
    a = np.arange(6.0, dtype=np.float32).reshape(2, 3)
    w = np.array([True, False, True])
    close(jnp.sum(a, axis=1, where=w), np.sum(a, axis=1, where=w), np.float32)
    close(jnp.sum(a, initial=10.0, keepdims=True), np.sum(a, initial=10.0, keepdims=True),
          np.float32)
    close(jnp.prod(a + 1, axis=0, where=np.array([[True], [False]])),
          np.prod(a + 1, axis=0, where=np.array([[True], [False]])), np.float32)
    close(jnp.max(a, axis=1, where=w, initial=-1.0), np.max(a, axis=1, where=w, initial=-1.0),
          np.float32)
    close(jnp.min(a, axis=0, initial=2.0), np.min(a, axis=0, initial=2.0), np.float32)
    close(jnp.max(np.zeros((0, 3), np.float32), axis=0, initial=-2.0), [-2.0] * 3, np.float32)
    close(jnp.max(np.zeros((0, 3), np.float32), axis=1), np.zeros(0), np.float32)
    close(jnp.min(np.arange(6).reshape(2, 3), axis=1, initial=2), [0, 2], np.int32)
    close(jnp.all(np.array([1, 0, 2]), where=np.array([True, False, True])), True, np.bool_)
    close(jnp.any(np.array([0.0, nan])), True, np.bool_)
    close(jnp.mean(a, axis=1, where=w), np.mean(a, axis=1, where=w), np.float32)
    close(jnp.var(a, axis=1, where=w), np.var(a, axis=1, where=w), np.float32)
    close(jnp.std(a, axis=1, where=w, ddof=1), np.std(a, axis=1, where=w, ddof=1), np.float32)
    close(jnp.min(np.array([True, False]), where=np.array([True, False]), initial=True), True,
          np.bool_)
    # where broadcasts against the operand
    close(jnp.sum(a, where=a > 2), np.sum(a, where=a > 2), np.float32)


def test_mean_var_std_variants():
    a = np.arange(12.0, dtype=np.float32).reshape(3, 4) ** 1.5
    close(jnp.var(a, axis=0, ddof=1), np.var(a, axis=0, ddof=1), np.float32, rtol=1e-4)
    close(jnp.std(a, axis=1, correction=0.5), np.std(a, axis=1, correction=0.5), np.float32,
          rtol=1e-4)
    close(jnp.var(a, axis=1, mean=a.mean(1, keepdims=True)),
          np.var(a, axis=1, mean=a.mean(1, keepdims=True)), np.float32, rtol=1e-4)
    close(jnp.var(np.ones((2, 3)), axis=0, ddof=2), [nan] * 3, np.float32)
    close(jnp.var(np.ones((0, 3)), axis=0), [nan] * 3, np.float32)
    close(jnp.mean(np.ones((0, 3)), axis=0), [nan] * 3, np.float32)
    close(jnp.sum(np.ones((0, 3)), axis=0), [0.0] * 3, np.float32)
    close(jnp.mean(np.array([True, False])), 0.5, np.float32)
    close(jnp.std(np.arange(5), dtype=jnp.float16), np.std(np.arange(5)), np.float16, rtol=1e-3)


def test_var_integer_dtype_like_jax():
    # an integer `dtype` gives an (odd) weakly typed float in JAX; follow it
    same_as_jax(lambda m: m.var(m.arange(6.0), dtype="int32"))


def test_count_nonzero_and_ptp():
    a = np.array([[0.0, 1.0, -0.0], [nan, 2.0, 0.0]], np.float32)
    close(jnp.count_nonzero(a), np.count_nonzero(a), np.int32)
    close(jnp.count_nonzero(a, axis=1, keepdims=True), np.count_nonzero(a, axis=1, keepdims=True),
          np.int32)
    close(jnp.ptp(XI, axis=(0, 1), keepdims=True), np.ptp(XI, axis=(0, 1), keepdims=True),
          np.int32)


# ============================================================================= argmax / argmin

@pytest.mark.parametrize("name", ["argmax", "argmin", "nanargmax", "nanargmin"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_arg_reductions(name, axis, keepdims):
    x = X.copy()
    if name.startswith("nan"):
        x[0, 0, :2] = nan
        x[1, 2, 3] = nan
    got = getattr(jnp, name)(x, axis=axis, keepdims=keepdims)
    close(got, getattr(np, name)(x, axis=axis, keepdims=keepdims), np.int32)


def test_arg_reductions_nan_and_ties():
    close(jnp.argmax(np.array([1.0, nan, 3.0, nan])), 1, np.int32)  # first NaN
    close(jnp.argmin(np.array([3, 1, 1, 2])), 1, np.int32)  # first of the ties
    close(jnp.argmax(np.float32(3.0)), 0, np.int32)
    close(jnp.argmax(np.array([[True, False], [False, True]]), axis=1), [0, 1], np.int32)
    close(jnp.nanargmax(np.array([1, 3, 2])), 1, np.int32)


def test_nanarg_all_nan_like_jax():
    # NumPy raises on an all-NaN slice; JAX returns -1 there
    a = np.array([[nan, 1.0], [nan, nan]], np.float32)
    close(jnp.nanargmax(a, axis=1), [1, -1], np.int32)
    close(jnp.nanargmin(a, axis=1), [1, -1], np.int32)
    same_as_jax(lambda m: m.nanargmax(m.asarray(a), axis=1, keepdims=True))


# ============================================================================= nan-reductions

NAN_X = X.copy()
NAN_X[0, :, 1] = nan
NAN_X[2, 1, :] = nan
NAN_X[1, 0, 0] = nan


@pytest.mark.parametrize("name", ["nansum", "nanprod", "nanmax", "nanmin", "nanmean", "nanvar",
                                  "nanstd", "nanmedian"])
@pytest.mark.parametrize("axis", [None, 0, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_nan_reductions(name, axis, keepdims):
    x = NAN_X * 0.3 + 1 if name == "nanprod" else NAN_X
    with _nowarn():
        want = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    close(getattr(jnp, name)(x, axis=axis, keepdims=keepdims), want, np.float32, rtol=1e-4)


def test_nan_reductions_edge_cases():
    a = np.array([[nan, 1.0], [nan, nan]], np.float32)
    close(jnp.nanmax(a, axis=1), [1.0, nan], np.float32)
    close(jnp.nanmax(a, axis=1, initial=0.0), [1.0, 0.0], np.float32)
    close(jnp.nanmin(a, axis=1), [1.0, nan], np.float32)
    close(jnp.nanmean(a, axis=1), [1.0, nan], np.float32)
    close(jnp.nanvar(a, axis=1), [0.0, nan], np.float32)
    close(jnp.nanvar(a, axis=1, ddof=1), [nan, nan], np.float32)
    close(jnp.nansum(a, axis=0, keepdims=True), [[0.0, 1.0]], np.float32)
    close(jnp.nansum(a, initial=5.0), 6.0, np.float32)
    close(jnp.nanprod(a, axis=0), [1.0, 1.0], np.float32)
    close(jnp.nansum(a, where=np.array([False, True])), 1.0, np.float32)
    close(jnp.nanstd(np.array([1.0, nan, 3.0])), 1.0, np.float32)
    # ints: the plain reductions
    close(jnp.nansum(np.array([1, 2], np.int8)), 3, np.int32)
    close(jnp.nanmean(np.array([1, 2])), 1.5, np.float32)
    close(jnp.nanmax(np.array([1, 2])), 2, np.int32)


# ============================================================================= cumulative

@pytest.mark.parametrize("name", ["cumsum", "cumprod", "nancumsum", "nancumprod"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_cumulative(name, axis):
    x = NAN_X * 0.2 + 1 if "prod" in name else NAN_X
    if not name.startswith("nan"):
        x = np.nan_to_num(x)
    close(getattr(jnp, name)(x, axis=axis), getattr(np, name)(x, axis=axis), np.float32,
          rtol=1e-4)
    close(getattr(jnp, name)(XI, axis=axis), getattr(np, name)(XI, axis=axis), np.int32)


def test_cumulative_dtypes():
    b = np.array([True, True, False])
    close(jnp.cumsum(b), [1, 2, 2], np.int32)
    close(jnp.cumsum(np.array([100, 100], np.int8)), np.array([100, -56], np.int8), np.int8)
    close(jnp.cumsum(np.array([0, 2, 0]), dtype=bool), [False, True, True], np.bool_)
    close(jnp.cumsum(np.array([1, 2]), dtype=jnp.float32), [1.0, 3.0], np.float32)
    close(jnp.cumprod(np.float32(3.0)), [3.0], np.float32)
    close(jnp.cumsum(np.zeros((0,), np.float32)), np.zeros(0), np.float32)


@pytest.mark.parametrize("include_initial", [False, True])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_cumulative_sum_prod(include_initial, axis):
    x = XI[0].astype(np.int8)
    close(jnp.cumulative_sum(x, axis=axis, include_initial=include_initial),
          np.cumulative_sum(x, axis=axis, include_initial=include_initial, dtype=np.int32),
          np.int32)
    y = X[0] * 0.3 + 1
    close(jnp.cumulative_prod(y, axis=axis, include_initial=include_initial),
          np.cumulative_prod(y, axis=axis, include_initial=include_initial), np.float32,
          rtol=1e-5)
    close(jnp.cumulative_sum(np.arange(4)), np.cumsum(np.arange(4)), np.int32)
    close(jnp.cumulative_prod(np.array([2, 3], np.uint8), dtype=jnp.int32,
                              include_initial=True), [1, 2, 6], np.int32)


# ============================================================================= quantiles

QS = [0.0, 0.3, 0.5, 0.71, 1.0]


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest",
                                    "inverted_cdf"])
@pytest.mark.parametrize("axis", [None, 1, -1, (0, 2)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_quantile_methods(method, axis, keepdims):
    # q * (n - 1) never ends in exactly .5 here, where NumPy's and JAX's 'nearest' differ
    q = np.array([0.0, 0.31, 0.71, 1.0], np.float32)
    got = jnp.quantile(X, q, axis=axis, method=method, keepdims=keepdims)
    close(got, np.quantile(X, q, axis=axis, method=method, keepdims=keepdims), np.float32,
          rtol=1e-5)
    got = jnp.quantile(X, 0.31, axis=axis, method=method, keepdims=keepdims)
    close(got, np.quantile(X, 0.31, axis=axis, method=method, keepdims=keepdims), np.float32,
          rtol=1e-5)


@pytest.mark.parametrize("method", ["linear", "lower", "higher", "midpoint", "nearest",
                                    "inverted_cdf"])
@pytest.mark.parametrize("axis", [None, 0, 2, (0, 1)])
def test_nanquantile_methods(method, axis):
    q = np.array([0.0, 0.31, 0.71, 1.0], np.float32)
    with _nowarn():
        want = np.nanquantile(NAN_X, q, axis=axis, method=method)
    close(jnp.nanquantile(NAN_X, q, axis=axis, method=method), want, np.float32, rtol=1e-5)
    with _nowarn():
        want = np.nanpercentile(NAN_X, 31, axis=axis, method=method, keepdims=True)
    close(jnp.nanpercentile(NAN_X, 31, axis=axis, method=method, keepdims=True), want,
          np.float32, rtol=1e-5)


def test_percentile_median():
    close(jnp.percentile(X, np.array([10, 50, 90]), axis=1), np.percentile(X, [10, 50, 90], axis=1),
          np.float32, rtol=1e-5)
    close(jnp.median(X, axis=(0, 1), keepdims=True), np.median(X, axis=(0, 1), keepdims=True),
          np.float32)
    close(jnp.median(np.array([1, 2, 3, 4])), 2.5, np.float32)
    close(jnp.median(3.0), 3.0, np.float32)
    close(jnp.median(np.array([[nan, 1.0], [2.0, 3.0]]), axis=1), [nan, 2.5], np.float32)
    close(jnp.nanmedian(np.array([[nan, 1.0], [nan, nan]]), axis=1), [1.0, nan], np.float32)
    close(jnp.quantile(np.arange(10), np.array([0.25, 0.75])), [2.25, 6.75], np.float32)
    close(jnp.quantile(np.arange(10, dtype=np.float16), 0.33), 2.97, np.float16, rtol=1e-3)
    close(jnp.quantile(np.float32(3.0), 0.5), 3.0, np.float32)


def test_quantile_weights_inverted_cdf():
    w = np.abs(X) + 0.1
    close(jnp.quantile(X, 0.4, axis=1, method="inverted_cdf", weights=w),
          np.quantile(X, 0.4, axis=1, method="inverted_cdf", weights=w), np.float32)
    w1 = w[0, :, 0]
    close(jnp.quantile(X, np.array([0.2, 0.9]), axis=1, method="inverted_cdf", weights=w1),
          np.quantile(X, [0.2, 0.9], axis=1, method="inverted_cdf",
                      weights=np.broadcast_to(w1[None, :, None], X.shape)), np.float32)


def test_quantile_like_jax():
    # 'nearest' on a tie (position exactly .5) takes the lower value in JAX
    same_as_jax(lambda m: m.quantile(m.arange(4.0), m.array([0.5, 1 / 6]), method="nearest"))
    same_as_jax(lambda m: m.nanquantile(m.asarray(NAN_X), 0.5, axis=(1, 2), keepdims=True,
                                        method="nearest"))


@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 7), q=st.floats(0, 1), method=st.sampled_from(
    ["linear", "lower", "higher", "midpoint"]), seed=st.integers(0, 2 ** 16))
def test_quantile_hypothesis(n, q, method, seed):
    x = np.random.default_rng(seed).normal(size=(2, n)).astype(np.float32)
    q = np.float32(q)
    close(jnp.quantile(x, q, axis=1, method=method),
          np.quantile(x, q, axis=1, method=method), np.float32, rtol=1e-5, atol=1e-5)


# ============================================================================= average, cov

def test_average():
    close(jnp.average(X), np.average(X), np.float32)
    close(jnp.average(X, axis=(0, 2), keepdims=True), np.average(X, axis=(0, 2), keepdims=True),
          np.float32)
    w = np.arange(1.0, 5.0, dtype=np.float32)
    avg, sw = jnp.average(X, axis=1, weights=w, returned=True)
    want_avg, want_sw = np.average(X, axis=1, weights=w, returned=True)
    close(avg, want_avg, np.float32)
    close(sw, want_sw, np.float32)
    w2 = np.abs(RNG.normal(size=(5, 3))).astype(np.float32)
    avg, sw = jnp.average(X, axis=(2, 0), weights=w2, returned=True, keepdims=True)
    want = np.sum(X * w2.T[:, None, :], axis=(0, 2), keepdims=True) / w2.sum()
    close(avg, want, np.float32)
    close(sw, np.full(want.shape, w2.sum()), np.float32, rtol=1e-5)
    avg, sw = jnp.average(X, axis=1, returned=True)
    close(sw, np.full((3, 5), 4.0), np.float32)
    close(jnp.average(np.arange(4), weights=np.arange(4)), np.average(np.arange(4),
                                                                      weights=np.arange(4)),
          np.float32)
    close(jnp.average(X, weights=np.abs(X)), np.average(X, weights=np.abs(X)), np.float32)


@pytest.mark.parametrize("kw", [
    {}, {"rowvar": False}, {"bias": True}, {"ddof": 0}, {"ddof": 2},
    {"fweights": np.array([1, 2, 3, 1, 1, 2])},
    {"aweights": np.array([0.5, 1.0, 2.0, 1.0, 3.0, 1.0])},
    {"fweights": np.array([1, 2, 3, 1, 1, 2]), "aweights": np.array([0.5, 1, 2, 1, 3, 1.0])},
    {"fweights": np.array([1, 2, 3, 1, 1, 2]), "ddof": 0},
])
def test_cov(kw):
    m = M.T if kw.get("rowvar") is False else M
    close(jnp.cov(m, **kw), np.cov(m, **kw), np.float32, rtol=1e-4)


def test_cov_variants():
    close(jnp.cov(M[0], M[1]), np.cov(M[0], M[1]), np.float32, rtol=1e-4)
    close(jnp.cov(M[0]), np.cov(M[0]), np.float32, rtol=1e-4)
    close(jnp.cov(M, M[:2]), np.cov(M, M[:2]), np.float32, rtol=1e-4)
    close(jnp.cov(M.T, M[:2].T, rowvar=False), np.cov(M.T, M[:2].T, rowvar=False), np.float32,
          rtol=1e-4)
    close(jnp.cov(np.array([[1, 2, 4], [3, 1, 0]])), np.cov(np.array([[1, 2, 4], [3, 1, 0]])),
          np.float32)
    close(jnp.cov(M, dtype=jnp.float16), np.cov(M), np.float16, rtol=1e-2, atol=1e-2)
    close(jnp.cov(np.ones((0, 3))), np.zeros((0, 0)), np.float32)
    close(jnp.cov(np.ones((2, 0))), np.full((2, 2), nan), np.float32)


def test_corrcoef():
    close(jnp.corrcoef(M), np.corrcoef(M), np.float32, rtol=1e-4)
    close(jnp.corrcoef(M, rowvar=False), np.corrcoef(M, rowvar=False), np.float32, rtol=1e-4,
          atol=1e-4)
    close(jnp.corrcoef(M[0], M[1]), np.corrcoef(M[0], M[1]), np.float32, rtol=1e-4)
    close(jnp.corrcoef(M[0]), 1.0, np.float32)
    # clipped into [-1, 1]
    c = np.asarray(jnp.corrcoef(np.array([[0.0, 1.0, 2.0], [2.0, 1.0, 0.0]])))
    assert np.all(np.abs(c) <= 1)


# ============================================================================= histograms

@pytest.mark.parametrize("kw", [
    {}, {"bins": 5}, {"bins": 4, "range": (-1.0, 1.0)}, {"bins": 6, "density": True},
    {"bins": np.array([-2.0, -0.5, 0.0, 0.3, 2.5])}, {"bins": 3, "weights": np.abs(H)},
    {"bins": 7, "range": (-1, 1), "weights": H, "density": True},
])
def test_histogram(kw):
    counts, edges = jnp.histogram(H, **kw)
    want_counts, want_edges = np.histogram(H, **kw)
    close(counts, want_counts, np.float32, rtol=1e-5)
    close(edges, want_edges, np.float32, rtol=1e-6)


def test_histogram_edges_and_constant_input():
    close(jnp.histogram_bin_edges(H, 7), np.histogram_bin_edges(H, 7), np.float32)
    close(jnp.histogram_bin_edges(H, 3, range=(0, 2)), np.histogram_bin_edges(H, 3, range=(0, 2)),
          np.float32)
    close(jnp.histogram_bin_edges(np.array([1, 1, 1]), 2), [0.5, 1.0, 1.5], np.float32)
    counts, edges = jnp.histogram(np.array([3.0, 3.0]), bins=2)
    close(counts, [0.0, 2.0], np.float32)
    close(edges, [2.5, 3.0, 3.5], np.float32)
    # the last bin is closed on the right; values outside the range are ignored
    counts, _ = jnp.histogram(np.array([0.0, 1.0, 2.0, 5.0, -1.0]), bins=2, range=(0, 2))
    close(counts, [1.0, 2.0], np.float32)


def test_bincount():
    x = np.array([0, 1, 1, 5, 3])
    close(jnp.bincount(x), np.bincount(x), np.int32)
    close(jnp.bincount(x, minlength=9), np.bincount(x, minlength=9), np.int32)
    w = np.arange(5.0, dtype=np.float32)
    close(jnp.bincount(x, weights=w), np.bincount(x, weights=w), np.float32)
    # length: values >= length are dropped
    close(jnp.bincount(x, weights=w, length=4), np.bincount(x, weights=w)[:4], np.float32)
    close(jnp.bincount(np.array([True, False, True])), [1, 2], np.int32)
    close(jnp.bincount(np.zeros((0,), np.int32)), np.zeros(0), np.int32)
    close(jnp.bincount(np.zeros((0,), np.int32), minlength=3), np.zeros(3), np.int32)


def test_bincount_negative_like_jax():
    # NumPy rejects negative values; JAX counts them in bin 0
    close(jnp.bincount(np.array([-1, 2, 5]), length=4), [1, 0, 1, 0], np.int32)
    same_as_jax(lambda m: m.bincount(m.array([-3, 0, 2, 2]), m.array([1.0, 2.0, 3.0, 4.0]),
                                     length=3))


@pytest.mark.parametrize("right", [False, True])
@pytest.mark.parametrize("bins", [[-1.0, 0.0, 0.5, 1.0], [1.0, 0.5, 0.0, -1.0], [0.0, 0.0, 1.0],
                                  [0.25]])
def test_digitize(right, bins):
    x = np.concatenate([H, np.array(bins, np.float32)])
    close(jnp.digitize(x, np.array(bins, np.float32), right=right),
          np.digitize(x, np.array(bins, np.float32), right=right), np.int32)


def test_digitize_empty_bins():
    close(jnp.digitize(np.array([1.0, 2.0]), np.zeros((0,), np.float32)), [0, 0], np.int32)


# ============================================================================= differences

@pytest.mark.parametrize("n", [0, 1, 2, 3, 7])
@pytest.mark.parametrize("axis", [0, 1, -1])
def test_diff(n, axis):
    close(jnp.diff(XI, n=n, axis=axis), np.diff(XI, n=n, axis=axis), np.int32)
    close(jnp.diff(X, n=n, axis=axis), np.diff(X, n=n, axis=axis), np.float32, rtol=1e-4,
          atol=1e-4)


def test_diff_prepend_append_bool():
    a = M[:, :4]
    close(jnp.diff(a, prepend=0.0, append=a[:, :1]), np.diff(a, prepend=0.0, append=a[:, :1]),
          np.float32)
    close(jnp.diff(a, axis=0, prepend=np.zeros((1, 4), np.float32)),
          np.diff(a, axis=0, prepend=np.zeros((1, 4))), np.float32)
    close(jnp.diff(a > 0), np.diff(a > 0), np.bool_)
    close(jnp.diff(a > 0, n=2), np.diff(a > 0, n=2), np.bool_)
    close(jnp.diff(np.array([1, 4, 9], np.int8)), [3, 5], np.int8)


def test_ediff1d():
    close(jnp.ediff1d(M), np.ediff1d(M), np.float32, rtol=1e-5)
    close(jnp.ediff1d(np.array([1, 2, 4, 7]), to_begin=-99, to_end=np.array([88, 99])),
          np.ediff1d(np.array([1, 2, 4, 7]), to_begin=-99, to_end=np.array([88, 99])), np.int32)
    close(jnp.ediff1d(np.array([1, 2, 4]), to_end=np.array([[1.5]])), [1, 2, 1], np.int32)
    close(jnp.ediff1d(np.zeros((0,), np.float32)), np.zeros(0), np.float32)
    close(jnp.ediff1d(np.zeros((1,), np.float32)), np.zeros(0), np.float32)


def test_gradient():
    f = (np.arange(12.0, dtype=np.float32).reshape(3, 4) ** 2)
    for g, w in zip(jnp.gradient(f), np.gradient(f)):
        close(g, w, np.float32, rtol=1e-5)
    close(jnp.gradient(f, axis=-1), np.gradient(f, axis=-1), np.float32)
    close(jnp.gradient(f, 2.0, axis=0), np.gradient(f, 2.0, axis=0), np.float32)
    xs = np.array([0.0, 1.0, 3.0, 4.5], np.float32)
    for g, w in zip(jnp.gradient(f, 0.5, xs), np.gradient(f, 0.5, xs)):
        close(g, w, np.float32, rtol=1e-5)
    close(jnp.gradient(np.array([1, 4, 9, 16])), np.gradient(np.array([1, 4, 9, 16])),
          np.float32)
    close(jnp.gradient(np.array([2.0, 5.0])), np.gradient(np.array([2.0, 5.0])), np.float32)
    assert jnp.gradient(np.arange(3.0), axis=()) == []


def test_trapezoid():
    close(jnp.trapezoid(M), np.trapezoid(M), np.float32, rtol=1e-5)
    close(jnp.trapezoid(M, dx=0.5, axis=0), np.trapezoid(M, dx=0.5, axis=0), np.float32)
    xs = np.array([0.0, 1.0, 3.0, 4.0, 7.0, 7.5], np.float32)
    close(jnp.trapezoid(M, x=xs), np.trapezoid(M, x=xs), np.float32, rtol=1e-5)
    x2 = np.cumsum(np.abs(M), axis=0)
    close(jnp.trapezoid(M, x=x2, axis=0), np.trapezoid(M, x=x2, axis=0), np.float32, rtol=1e-5)
    dx = np.array([1.0, 2.0, 3.0, 4.0, 5.0], np.float32)
    close(jnp.trapezoid(M, dx=dx), np.trapezoid(M, dx=dx), np.float32, rtol=1e-5)
    close(jnp.trapezoid(np.array([1, 2, 4])), 4.5, np.float32)
    close(jnp.trapezoid(np.array([2.0])), 0.0, np.float32)


# ============================================================================= convolution

@pytest.mark.parametrize("mode", ["full", "same", "valid"])
@pytest.mark.parametrize("na,nv", [(7, 3), (3, 7), (5, 4), (4, 5), (1, 1), (6, 6)])
def test_convolve_correlate(mode, na, nv):
    a, v = H[:na], H[10:10 + nv]
    close(jnp.convolve(a, v, mode=mode), np.convolve(a, v, mode=mode), np.float32, rtol=1e-4,
          atol=1e-5)
    close(jnp.correlate(a, v, mode=mode), np.correlate(a, v, mode=mode), np.float32, rtol=1e-4,
          atol=1e-5)


def test_convolve_dtypes():
    close(jnp.convolve(np.array([1, 2, 3]), np.array([1, 1])), [1.0, 3.0, 5.0, 3.0], np.float32)
    close(jnp.convolve(np.array([1, 2, 3]), np.array([1, 1]), preferred_element_type=jnp.int32),
          [1, 3, 5, 3], np.int32)
    close(jnp.correlate(np.array([1.0, 2.0, 3.0]), np.array([0.0, 1.0, 0.5])), [3.5],
          np.float32)


# ============================================================================= interpolation

XP = np.sort(H[:10])
FP = H[10:20]


@pytest.mark.parametrize("kw", [{}, {"left": -9.0, "right": 9.0}, {"left": 0.0},
                                {"period": 1.5}, {"period": -2.0}])
def test_interp(kw):
    x = np.concatenate([H, XP, [XP[0] - 1, XP[-1] + 1]]).astype(np.float32)
    close(jnp.interp(x, XP, FP, **kw), np.interp(x, XP, FP, **kw), np.float32, rtol=1e-4,
          atol=1e-5)


def test_interp_variants():
    close(jnp.interp(0.5, np.array([0.0, 1.0]), np.array([0.0, 10.0])), 5.0, np.float32)
    close(jnp.interp(np.array([[0.5, 3.0]]), np.array([0, 1, 2]), np.array([0, 10, 0])),
          [[5.0, 0.0]], np.float32)
    close(jnp.interp(np.array([-1.0, 2.0]), np.array([1.0]), np.array([7.0])), [7.0, 7.0],
          np.float32)
    # repeated xp: the left value of the zero-width segment
    close(jnp.interp(np.array([1.0, 1.5]), np.array([0.0, 1.0, 1.0, 2.0]),
                     np.array([0.0, 1.0, 3.0, 5.0])),
          np.interp(np.array([1.0, 1.5]), np.array([0.0, 1.0, 1.0, 2.0]),
                    np.array([0.0, 1.0, 3.0, 5.0])), np.float32)
    # 'extrapolate' extends the end segments (JAX's extension of NumPy)
    close(jnp.interp(np.array([-1.0, 3.0]), np.array([0.0, 1.0, 2.0]),
                     np.array([0.0, 1.0, 4.0]), left="extrapolate", right="extrapolate"),
          [-1.0, 7.0], np.float32)


# ============================================================================= x64

def test_x64_dtypes_like_jax():
    with tinyjax.config.enable_x64():
        close(jnp.sum(np.array([1, 2], np.int32)), 3, np.int64)
        close(jnp.sum(np.array([1, 2], np.int64)), 3, np.int64)
        close(jnp.sum(np.array([1, 2], np.uint8)), 3, np.uint64)
        # as JAX's to_inexact_dtype: ints up to 32 bits -> float32, int64 -> float64
        close(jnp.mean(np.array([1, 2], np.int32)), 1.5, np.float32)
        close(jnp.mean(np.array([1, 2], np.int64)), 1.5, np.float64)
        close(jnp.mean(np.array([1.0, 2.0])), 1.5, np.float64)
        close(jnp.argmax(np.array([1.0, 2.0])), 1, np.int64)
        close(jnp.median(np.arange(4)), 1.5, np.float64)
        close(jnp.quantile(np.arange(5.0), 0.3), np.quantile(np.arange(5.0), 0.3), np.float64,
              rtol=1e-12)
        close(jnp.bincount(np.array([0, 2])), [1, 0, 1], np.int64)


# ============================================================================= errors

ERRORS = [
    (lambda: jnp.sum(X, axis=3), ValueError, "out of bounds"),
    (lambda: jnp.sum(X, axis=(0, 0)), ValueError, "duplicate value in 'axis'"),
    (lambda: jnp.sum(X, axis=1.0), TypeError, "axis must be an integer"),
    (lambda: jnp.sum(X, out=X), NotImplementedError, "'out' argument to jnp.sum"),
    (lambda: jnp.sum("abc"), TypeError, "requires ndarray or scalar"),
    # lists are not arrays, as in JAX
    (lambda: jnp.sum([1, 2]), TypeError, "requires ndarray or scalar"),
    (lambda: jnp.quantile(X, [0.5]), TypeError, "requires ndarray or scalar"),
    (lambda: jnp.max(np.ones((0, 3))), ValueError, "zero-size array to reduction operation max"),
    (lambda: jnp.min(np.ones((0, 3)), axis=0), ValueError, "which has no identity"),
    (lambda: jnp.nanmax(np.ones((0,))), ValueError, "zero-size array"),
    (lambda: jnp.max(X, where=X > 0), ValueError, "does not have an identity"),
    (lambda: jnp.sum(X, where=np.ones(X.shape, int)), ValueError, "where must be None or a bool"),
    (lambda: jnp.mean(X, where=np.ones(4, bool)), ValueError, "cannot broadcast"),
    (lambda: jnp.sum(X, initial=np.ones(2)), ValueError, "initial value must be a scalar"),
    (lambda: jnp.argmax(np.ones(0)), ValueError, "empty sequence"),
    (lambda: jnp.argmin(np.ones((2, 0)), axis=1), ValueError, "empty sequence"),
    (lambda: jnp.argmax(X, axis=(0, 1)), TypeError, "axis must be an integer"),
    (lambda: jnp.var(X, ddof=1, correction=1), ValueError, "ddof and correction"),
    (lambda: jnp.std(X, dtype=int), ValueError, "must be inexact"),
    (lambda: jnp.ptp(X > 0), TypeError, "bool"),
    (lambda: jnp.cumsum(X, axis=3), ValueError, "out of bounds"),
    (lambda: jnp.cumulative_sum(M), ValueError, "axis was not set"),
    (lambda: jnp.cumulative_prod(np.float32(1)), ValueError, "non-scalar"),
    (lambda: jnp.quantile(X, 0.5, method="foo"), ValueError, "method can only be"),
    (lambda: jnp.quantile(X, np.ones((2, 2))), ValueError, "q must have rank <= 1"),
    (lambda: jnp.quantile(X, 0.5, weights=X), NotImplementedError, "doesn't support weights"),
    (lambda: jnp.quantile(X, 0.5, method="inverted_cdf", weights=np.ones(3)), ValueError,
     "must match the shape"),
    (lambda: jnp.median(X, out=X), ValueError, "does not support overwrite_input"),
    (lambda: jnp.percentile(X, 50, overwrite_input=True), ValueError, "overwrite_input"),
    (lambda: jnp.average(M, weights=np.ones(6)), ValueError, "axis must be specified"),
    (lambda: jnp.average(M, axis=1, weights=np.ones(3)), ValueError, "shape of weights"),
    (lambda: jnp.cov(np.ones((2, 2, 2))), ValueError, "more than 2 dimensions"),
    (lambda: jnp.cov(M, fweights=np.ones(6)), TypeError, "fweights must be integer"),
    (lambda: jnp.cov(M, fweights=np.ones(2, int)), RuntimeError, "incompatible numbers"),
    (lambda: jnp.cov(M, aweights=np.ones((2, 6))), RuntimeError, "multidimensional aweights"),
    (lambda: jnp.cov(M, dtype=int), ValueError, "dtype must be a subclass of float"),
    (lambda: jnp.corrcoef(M, dtype=int), ValueError, "dtype must be a subclass of float"),
    (lambda: jnp.histogram(H, weights=np.ones(3)), ValueError, "same shape"),
    (lambda: jnp.histogram(H, range=(1, 2, 3)), ValueError, "`range` must be"),
    (lambda: jnp.histogram(H, bins="auto"), NotImplementedError, "string values for `bins`"),
    (lambda: jnp.histogram(H, bins=0), ValueError, "bins must be positive"),
    (lambda: jnp.bincount(np.ones(3)), TypeError, "integer type"),
    (lambda: jnp.bincount(np.ones((2, 2), int)), ValueError, "only 1-dimensional"),
    (lambda: jnp.bincount(np.ones(3, int), np.ones(2)), ValueError, "weights shape"),
    (lambda: jnp.bincount(np.ones(3, int), minlength=-1), ValueError, "non-negative"),
    (lambda: jnp.digitize(H, np.ones((2, 2))), ValueError, "1-dimensional"),
    (lambda: jnp.diff(X, n=-1), ValueError, "order must be non-negative"),
    (lambda: jnp.diff(np.float32(1)), ValueError, "at least one dimensional"),
    (lambda: jnp.diff(X, axis=5), ValueError, "out of bounds"),
    (lambda: jnp.ediff1d(np.array([True, False])), TypeError, "bool"),
    (lambda: jnp.gradient(np.ones(1)), ValueError, "at least 2 elements"),
    (lambda: jnp.gradient(M, 1.0, 1.0, 1.0), TypeError, "invalid number of spacing"),
    (lambda: jnp.gradient(M, np.ones(2), axis=1), ValueError, "same length"),
    (lambda: jnp.gradient(M, edge_order=2), NotImplementedError, "edge_order"),
    (lambda: jnp.convolve(M, M), ValueError, "only supports 1-dimensional"),
    (lambda: jnp.correlate(np.ones(0), np.ones(3)), ValueError, "cannot be empty"),
    (lambda: jnp.convolve(np.ones(3), np.ones(3), mode="x"), ValueError, "mode must be one of"),
    (lambda: jnp.interp(1.0, np.ones(3), np.ones(2)), ValueError, "equal size"),
    (lambda: jnp.interp(1.0, np.ones(3), np.ones(3), left="x"), ValueError, "extrapolate"),
    (lambda: jnp.interp(1.0, np.ones(3), np.ones(3), period=np.ones(2)), ValueError,
     "period must be a scalar"),
]


@pytest.mark.parametrize("k", range(len(ERRORS)))
def test_errors(k):
    fn, exc, match = ERRORS[k]
    with pytest.raises(exc, match=match):
        fn()


def test_concrete_value_errors():
    with pytest.raises(ConcretizationTypeError, match="length"):
        tinyjax.make_jaxpr(jnp.bincount)(np.ones(3, np.int32))
    with pytest.raises(ConcretizationTypeError, match="axis"):
        tinyjax.make_jaxpr(lambda a, ax: jnp.sum(a, axis=ax))(X, 1)
    with pytest.raises(ConcretizationTypeError, match="bins"):
        tinyjax.make_jaxpr(lambda a, b: jnp.histogram(a, bins=b))(H, 3)


# ============================================================================= tracing

q2 = np.array([0.25, 0.75], np.float32)
TRACE = [
    ("sum", lambda x: jnp.sum(x, axis=(0, 2)), (X,), (4,)),
    ("prod", lambda x: jnp.prod(x, axis=1, keepdims=True), (X,), (3, 1, 5)),
    ("max", lambda x: jnp.max(x, axis=0, where=x > 0, initial=0.0), (X,), (4, 5)),
    ("min", lambda x: jnp.min(x), (X,), ()),
    ("amax", lambda x: jnp.amax(x, axis=-1), (X,), (3, 4)),
    ("amin", lambda x: jnp.amin(x, axis=-1), (X,), (3, 4)),
    ("mean", lambda x: jnp.mean(x, axis=1, where=x > 0), (X,), (3, 5)),
    ("var", lambda x: jnp.var(x, axis=1, ddof=1), (X,), (3, 5)),
    ("std", lambda x: jnp.std(x, keepdims=True), (X,), (1, 1, 1)),
    ("all", lambda x: jnp.all(x > 0, axis=0), (X,), (4, 5)),
    ("any", lambda x: jnp.any(x > 0, axis=0), (X,), (4, 5)),
    ("argmax", lambda x: jnp.argmax(x, axis=1, keepdims=True), (X,), (3, 1, 5)),
    ("argmin", lambda x: jnp.argmin(x), (X,), ()),
    ("nansum", lambda x: jnp.nansum(x, axis=0), (X,), (4, 5)),
    ("nanprod", lambda x: jnp.nanprod(x, axis=0), (X,), (4, 5)),
    ("nanmax", lambda x: jnp.nanmax(x, axis=0), (X,), (4, 5)),
    ("nanmin", lambda x: jnp.nanmin(x, axis=0), (X,), (4, 5)),
    ("nanmean", lambda x: jnp.nanmean(x, axis=0), (X,), (4, 5)),
    ("nanvar", lambda x: jnp.nanvar(x, axis=0), (X,), (4, 5)),
    ("nanstd", lambda x: jnp.nanstd(x, axis=0), (X,), (4, 5)),
    ("nanargmax", lambda x: jnp.nanargmax(x, axis=2), (X,), (3, 4)),
    ("nanargmin", lambda x: jnp.nanargmin(x, axis=2), (X,), (3, 4)),
    ("nanmedian", lambda x: jnp.nanmedian(x, axis=(0, 1)), (X,), (5,)),
    ("nanpercentile", lambda x: jnp.nanpercentile(x, 50.0 * q2, axis=0), (X,), (2, 4, 5)),
    ("nanquantile", lambda x, q: jnp.nanquantile(x, q, axis=2), (X, q2), (2, 3, 4)),
    ("nancumsum", lambda x: jnp.nancumsum(x, axis=1), (X,), X.shape),
    ("nancumprod", lambda x: jnp.nancumprod(x), (X,), (X.size,)),
    ("cumsum", lambda x: jnp.cumsum(x, axis=1), (X,), X.shape),
    ("cumprod", lambda x: jnp.cumprod(x, axis=-1), (X,), X.shape),
    ("cumulative_sum", lambda x: jnp.cumulative_sum(x, axis=0, include_initial=True), (X,),
     (4, 4, 5)),
    ("cumulative_prod", lambda x: jnp.cumulative_prod(x, axis=2), (X,), X.shape),
    ("ptp", lambda x: jnp.ptp(x, axis=1), (X,), (3, 5)),
    ("count_nonzero", lambda x: jnp.count_nonzero(x, axis=1), (X,), (3, 5)),
    ("median", lambda x: jnp.median(x, axis=1, keepdims=True), (X,), (3, 1, 5)),
    ("percentile", lambda x, q: jnp.percentile(x, q, axis=None), (X, q2), (2,)),
    ("quantile", lambda x, q: jnp.quantile(x, q, axis=(0, 2), method="nearest"), (X, q2),
     (2, 4)),
    ("average", lambda x, w: jnp.average(x, axis=1, weights=w), (X, np.ones(4, np.float32)),
     (3, 5)),
    ("cov", lambda m: jnp.cov(m), (M,), (3, 3)),
    ("corrcoef", lambda m: jnp.corrcoef(m), (M,), (3, 3)),
    ("histogram", lambda h: jnp.histogram(h, bins=5)[0], (H,), (5,)),
    ("histogram_bin_edges", lambda h: jnp.histogram_bin_edges(h, bins=5), (H,), (6,)),
    ("bincount", lambda i: jnp.bincount(i, length=7), (np.array([1, 2, 2], np.int32),), (7,)),
    ("digitize", lambda h, b: jnp.digitize(h, b), (H, np.array([0.0, 1.0], np.float32)), (40,)),
    ("diff", lambda x: jnp.diff(x, n=2, axis=1), (X,), (3, 2, 5)),
    ("ediff1d", lambda h: jnp.ediff1d(h, to_begin=0.0), (H,), (40,)),
    ("gradient", lambda m: jnp.gradient(m, axis=1), (M,), M.shape),
    ("trapezoid", lambda m: jnp.trapezoid(m), (M,), (3,)),
    ("convolve", lambda a, v: jnp.convolve(a, v), (H, H[:3]), (42,)),
    ("correlate", lambda a, v: jnp.correlate(a, v, mode="same"), (H, H[:3]), (40,)),
    ("interp", lambda x, xp, fp: jnp.interp(x, xp, fp), (H, XP, FP), (40,)),
]


@pytest.mark.parametrize("k", range(len(TRACE)), ids=[t[0] for t in TRACE])
def test_traces(k):
    _, fn, args, shape = TRACE[k]
    closed = tinyjax.make_jaxpr(fn)(*args)
    out = closed.out_avals[0]
    assert tuple(out.shape) == shape
    # tracing and eager evaluation agree on the result type
    eager = fn(*args)
    assert eager.shape == shape and eager.dtype == out.dtype


def _modules():
    from tinyjax.numpy import numerical, reductions, statistics
    return reductions, statistics, numerical


def test_every_public_name_is_tested():
    traced = {t[0] for t in TRACE}
    assert {n for m in _modules() for n in m.__all__} == traced


@pytest.mark.parametrize("module", _modules(), ids=lambda m: m.__name__)
def test_docstring_examples(module):
    import doctest

    result = doctest.testmod(module, extraglobs={"jnp": jnp},
                             optionflags=doctest.NORMALIZE_WHITESPACE)
    assert result.failed == 0 and result.attempted >= len(module.__all__)
