"""The remaining jax.numpy names (tinyjax/numpy/misc.py) against NumPy (values) and
JAX (dtypes, weak types, semantics where the two differ, errors)."""
import io

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax.core.config import enable_x64
from tinyjax.core.errors import ConcretizationTypeError
from tinyjax.numpy import misc

RNG = np.random.default_rng(0)
nan, inf = np.nan, np.inf
mk = tinyjax.make_jaxpr


def same(got, want):
    """Exact equality of values (NaN == NaN), shape and dtype."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


def close(got, want, dtype, rtol=2e-6, atol=1e-6):
    """Values close to NumPy's (computed in float64), with JAX's result dtype."""
    got = np.asarray(got)
    assert got.dtype == np.dtype(dtype), (got.dtype, dtype)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    np.testing.assert_allclose(got, want, rtol=rtol, atol=atol)


def xnp():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    return xnp


def like_jax(got, want):
    """Same values, dtype and weak type as a JAX result."""
    same(got, want)
    assert got.weak_type == want.weak_type, (got.weak_type, want.weak_type)


def out_shapes(fn, *args):
    return [tuple(a.shape) for a in mk(fn)(*args).out_avals]


# ============================================================================= isclose & co

def _pairs(seed, n=12):
    """Pairs clearly close or clearly apart (never on the tolerance boundary)."""
    r = np.random.default_rng(seed)
    a = r.normal(size=n).astype(np.float32) * 10.0 ** r.integers(-3, 4, n)
    rel = r.choice([0.0, 1e-7, 3e-6, 1e-3, 1.0], n)
    b = (a * (1 + rel)).astype(np.float32)
    return a, b


@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.booleans())
def test_isclose_matches_numpy(seed, equal_nan):
    a, b = _pairs(seed)
    a[:3] = [inf, nan, -inf]
    b[:4] = [inf, nan, inf, -inf]
    got = misc.isclose(a, b, equal_nan=equal_nan)
    same(got, np.isclose(a, b, equal_nan=equal_nan))
    assert not got.weak_type
    same(misc.isclose(a, b, rtol=1e-2, atol=0.0), np.isclose(a, b, rtol=1e-2, atol=0.0))
    same(misc.allclose(a[3:], b[3:]), np.bool_(np.allclose(a[3:], b[3:])))


def test_isclose_infinities_nans_and_broadcasting():
    a = np.array([inf, -inf, nan, inf, 1.0, nan], np.float32)
    b = np.array([inf, inf, nan, 1.0, inf, 1.0], np.float32)
    same(misc.isclose(a, b), [True, False, False, False, False, False])
    same(misc.isclose(a, b, equal_nan=True), [True, False, True, False, False, False])
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    same(misc.isclose(x, np.float32(1.0)), np.isclose(x, 1.0))
    same(misc.isclose(x, x[0]), np.isclose(x, x[0]))
    same(misc.isclose(1.0, 1.0 + 1e-9), np.bool_(True))


def test_isclose_dtypes_like_jax():
    ref = xnp()
    # integers are compared as floats (2**24 + 1 rounds to 2**24 in float32), as JAX
    for a, b, kw in [(np.int32(2 ** 24 + 1), np.int32(2 ** 24), dict(rtol=0, atol=0)),
                     (np.array([1, 2], np.int8), 1, {}),
                     (np.array([True, False]), np.array([True, True]), {}),
                     (np.array([1, 2], np.uint32), np.array([1, 3], np.uint32), {}),
                     (np.float16(0), np.float16(1e-8), {}),  # atol rounds to 0 in float16
                     (np.array([1.0, 2.0], np.float16), 1.0, {}),
                     (1, 2, {}), (1.0, 1.0, {})]:
        like_jax(misc.isclose(a, b, **kw), ref.isclose(a, b, **kw))
    like_jax(misc.allclose(1.0, 1.0), ref.allclose(1.0, 1.0))
    with pytest.raises(TypeError, match="isclose requires ndarray or scalar"):
        misc.isclose([1.0], 1.0)


def test_isclose_traces_with_traced_tolerances():
    a, b = np.ones(4, np.float32), np.full(4, 1.1, np.float32)
    jaxpr = mk(lambda a, r: misc.isclose(a, b, rtol=r))(a, 0.2)
    assert [str(v) for v in jaxpr.out_avals] == ["ShapedArray(bool[4])"]
    assert out_shapes(lambda a: misc.allclose(a, b, atol=0.5), a) == [()]


def test_array_equal_and_equiv():
    a = np.array([1, 2, 3], np.int32)
    same(misc.array_equal(a, [1.0, 2.0, 3.0]), np.bool_(True))
    same(misc.array_equal(a, [1, 2, 4]), np.bool_(False))
    # a shape mismatch is an answer (False), not an error
    same(misc.array_equal(a, a[:2]), np.bool_(False))
    same(misc.array_equal(a, a[None]), np.bool_(False))
    f = np.array([1.0, nan], np.float32)
    same(misc.array_equal(f, f), np.bool_(False))
    same(misc.array_equal(f, f, equal_nan=True), np.bool_(True))
    same(misc.array_equal(a, a, equal_nan=True), np.bool_(True))
    same(misc.array_equiv(a, np.stack([a, a])), np.bool_(True))
    same(misc.array_equiv(a, np.stack([a, a + 1])), np.bool_(False))
    same(misc.array_equiv(a, np.ones((2, 2))), np.bool_(False))  # does not broadcast
    same(misc.array_equiv(1, np.ones((2, 2))), np.bool_(True))
    for x, y in [(a, a), (a, a[:2]), (f, f)]:
        assert misc.array_equal(x, y) == np.array_equal(x, y)
        assert misc.array_equiv(x, y) == np.array_equiv(x, y)
    ref = xnp()
    like_jax(misc.array_equal([1, 2], [1, 2]), ref.array_equal([1, 2], [1, 2]))
    # JAX 0.10.2 raises TypeError here (its ValueError guard misses lax's TypeError);
    # tinyjax answers False, as NumPy and JAX's documentation say
    like_jax(misc.array_equiv(a, a[:1] + 1), ref.array_equiv(a, a[:1] + 1))
    with pytest.raises(TypeError, match="cannot convert str"):
        misc.array_equal("ab", [1, 2])
    assert out_shapes(lambda x: misc.array_equal(x, x, equal_nan=True), f) == [()]
    assert out_shapes(lambda x: misc.array_equiv(x, x[:1]), f) == [()]


# ============================================================================= utilities

def test_astype():
    ref = xnp()
    x = np.array([1.5, -2.7, 0.0], np.float32)
    same(misc.astype(x, jnp.int32), x.astype(np.int32))
    same(misc.astype(x, "float16"), x.astype(np.float16))
    same(misc.astype(x, bool), x.astype(bool))
    same(misc.astype(x, jnp.uint8, copy=True, device=None), ref.astype(x, ref.uint8))
    same(misc.astype(np.array([-1, 300]), jnp.uint8), ref.astype(np.array([-1, 300]), "uint8"))
    # NaN and out-of-range floats convert as JAX does
    big = np.array([-1.5, 3e10, nan], np.float32)
    same(misc.astype(big, jnp.int32), ref.astype(big, ref.int32))
    # dtype=None is the default float; the result is never weakly typed
    like_jax(misc.astype(np.arange(3), None), ref.astype(np.arange(3), None))
    like_jax(misc.astype(jnp.asarray(2), jnp.int32), ref.astype(ref.asarray(2), ref.int32))
    like_jax(misc.astype(3, jnp.float32), ref.astype(3, ref.float32))
    with enable_x64():
        assert misc.astype(np.arange(3, dtype=np.int32), None).dtype == np.float64
    with pytest.raises(TypeError, match="astype requires ndarray or scalar"):
        misc.astype([1, 2], jnp.float32)
    with pytest.raises(TypeError, match="foo"):
        misc.astype(x, "foo")
    assert out_shapes(lambda x: misc.astype(x, jnp.int8), x) == [(3,)]


def test_pow_and_bool_aliases():
    assert misc.pow is jnp.ufuncs.power
    assert misc.bool is jnp.bool_
    same(misc.pow(jnp.arange(4), 2), np.arange(4, dtype=np.int32) ** 2)
    same(misc.bool(1), np.bool_(True))
    assert misc.bool == np.bool_
    same(jnp.zeros(2, dtype=misc.bool), np.zeros(2, bool))
    ref = xnp()
    like_jax(misc.pow(jnp.arange(3), 2.0), ref.pow(ref.arange(3), 2.0))


def test_isscalar_and_iterable_like_jax():
    ref = xnp()
    cases = [1, 1.0, True, np.float32(1), np.array(1.0), np.array([1.0]), "a", None, [1],
             (1,), jnp.array(1.0), jnp.array([1.0])]
    for c in cases:
        want_c = ref.asarray(c) if isinstance(c, type(jnp.array(1))) else c
        assert misc.isscalar(c) == ref.isscalar(want_c), c
        assert misc.iterable(c) == ref.iterable(want_c), c
    assert misc.isscalar(jnp.array(1.0)) and not misc.isscalar(jnp.zeros(2))
    assert not misc.iterable(jnp.zeros(())) and misc.iterable(jnp.zeros(3))
    seen = []
    mk(lambda x: seen.append((misc.isscalar(x), misc.isscalar(x[0]), misc.iterable(x))) or x)(
        np.zeros(3, np.float32))
    assert seen == [(False, True, True)]


# ============================================================================= index helpers

def test_ix_matches_numpy():
    rows, cols = np.array([0, 2]), np.array([1, 3, 4])
    got = misc.ix_(rows, cols)
    want = np.ix_(rows, cols)
    assert len(got) == 2
    for g, w in zip(got, want):
        same(g, w.astype(np.int32))
    x = np.arange(30).reshape(5, 6)
    same(jnp.asarray(x)[misc.ix_(rows, cols)], x[np.ix_(rows, cols)].astype(np.int32))
    assert misc.ix_() == ()
    # dtypes are kept; an empty index is an integer index
    ref = xnp()
    for args in [(np.array([1, 2], np.int8),), (np.array([], np.float32), np.array([1]))]:
        for g, w in zip(misc.ix_(*args), ref.ix_(*args)):
            like_jax(g, w)
    with pytest.raises(ValueError, match=r"1-dimensional, got shape \(2, 2\)"):
        misc.ix_(np.ones((2, 2), np.int32))
    with pytest.raises(NotImplementedError, match="Boolean"):
        misc.ix_(np.array([True, False]))
    with pytest.raises(TypeError, match="ix_ requires ndarray or scalar"):
        misc.ix_([0, 1])
    assert out_shapes(lambda a: misc.ix_(a, a[:2]), np.arange(4)) == [(4, 1), (1, 2)]


def test_index_exp_and_s_are_numpys():
    assert misc.s_[1:2, ::-1] == np.s_[1:2, ::-1]
    assert misc.s_[3] == 3
    assert misc.index_exp[1:2] == (slice(1, 2),)
    assert misc.index_exp[1:2, ...] == np.index_exp[1:2, ...]
    x = np.arange(12).reshape(3, 4)
    same(jnp.asarray(x)[misc.s_[1:, ::2]], x[1:, ::2].astype(np.int32))


@pytest.mark.parametrize("key", [
    np.s_[0:3], np.s_[:4], np.s_[0:3, 0:2], np.s_[1:7:2, -2:1], np.s_[0:1:3j],
    np.s_[0:1:0.25], np.s_[0:1:5j, 0:3], np.s_[0:3, 0:4, 1:3], np.s_[5:0:-2]])
def test_mgrid_ogrid_match_numpy(key):
    want = np.mgrid[key]
    dt = np.float32 if want.dtype.kind == "f" else np.int32
    close(misc.mgrid[key], want, dt)
    got_o, want_o = misc.ogrid[key], np.ogrid[key]
    if isinstance(want_o, np.ndarray):
        close(got_o, want_o, dt)
    else:
        assert len(got_o) == len(want_o)
        for g, w in zip(got_o, want_o):
            close(g, w, dt)


def test_mgrid_ogrid_like_jax():
    ref = xnp()
    like_jax(misc.mgrid[()], ref.mgrid[()])
    assert misc.ogrid[()] == []
    like_jax(misc.mgrid[0:3, 0:1:3j], ref.mgrid[0:3, 0:1:3j])
    with enable_x64():
        assert misc.mgrid[0:1:3j].dtype == np.float64
    with pytest.raises(TypeError, match="takes slices"):
        misc.mgrid[3]
    with pytest.raises(TypeError, match="takes slices"):
        misc.ogrid[0:2, 1]
    with pytest.raises(ConcretizationTypeError, match="slice stop of jnp.mgrid"):
        mk(lambda n: misc.mgrid[0:n])(3)
    # a concrete 0-d array is a fine bound
    same(misc.mgrid[0:jnp.asarray(3)], np.arange(3, dtype=np.int32))


R_CASES = [
    lambda m, a, b: m.r_[1, 2, a],
    lambda m, a, b: m.r_[a, 0:3, 5],
    lambda m, a, b: m.r_[0:1:3j, a],
    lambda m, a, b: m.r_["0,2", a, a + 1],
    lambda m, a, b: m.r_["0,2,0", a, a],
    lambda m, a, b: m.r_["1,2,0", a, a],
    lambda m, a, b: m.r_["-1", b, b[:, :1]],
    lambda m, a, b: m.r_["r", a, a],
    lambda m, a, b: m.r_["c", a, a],
    lambda m, a, b: m.r_[b, b],
    lambda m, a, b: m.c_[a, a + 1],
    lambda m, a, b: m.c_[a[None], 0, 0, a[None]],
    lambda m, a, b: m.c_[0:3, a],
    lambda m, a, b: m.c_[b, b],
    lambda m, a, b: m.c_["0", a, a],
    lambda m, a, b: m.r_["0,3,-1", a, a],
]


@pytest.mark.filterwarnings("ignore:the matrix subclass")  # NumPy's r_['r', ...]
@pytest.mark.parametrize("case", range(len(R_CASES)))
def test_r_c_match_numpy(case):
    a = np.array([1, 2, 3], np.int32)
    b = np.arange(6, dtype=np.int32).reshape(2, 3)
    want = R_CASES[case](np, a, b)
    close(R_CASES[case](misc, a, b), want, np.float32 if want.dtype.kind == "f" else np.int32)


def test_r_c_like_jax():
    ref = xnp()
    for fn in [lambda m: m.r_[1, 2], lambda m: m.r_[1.0, 2], lambda m: m.r_[True, False],
               lambda m: m.r_[[]], lambda m: m.c_[1, 2], lambda m: m.r_[0:3, 5],
               lambda m: m.r_[np.ones((2, 2), np.float32), np.zeros((1, 2), np.float32)]]:
        like_jax(fn(misc), fn(ref))
    assert len(misc.r_) == 0 and len(misc.c_) == 0
    with pytest.raises(ValueError, match="could not understand directive 'a'"):
        misc.r_["a", 1]
    with pytest.raises(ValueError, match="string directive must come first"):
        misc.r_[1, "0"]
    with pytest.raises(ValueError, match="at least one item"):
        misc.r_[()]
    # traced items are fine (they are concatenated), traced slice bounds are not
    assert out_shapes(lambda x: misc.r_[x, 1.0, 0:2], np.ones(2, np.float32)) == [(5,)]
    assert out_shapes(lambda x: misc.c_[x, x], np.ones(2, np.float32)) == [(2, 2)]
    with pytest.raises(ConcretizationTypeError, match="slice stop of jnp.r_"):
        mk(lambda n: misc.r_[0:n])(3)


# ============================================================================= apply

@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_apply_along_axis_matches_numpy(axis):
    x = RNG.normal(size=(2, 3, 4)).astype(np.float32)
    for f, g in [(jnp.sum, np.sum),
                 (lambda r: r[::-1] * 2, lambda r: r[::-1] * 2),
                 (lambda r: jnp.outer(r, r[:2]), lambda r: np.outer(r, r[:2])),
                 (lambda r: jnp.stack([r.min(), r.max()]), lambda r: np.stack([r.min(),
                                                                             r.max()]))]:
        close(misc.apply_along_axis(f, axis, x), np.apply_along_axis(g, axis, x),
              np.float32, rtol=1e-5)


def test_apply_along_axis_args_dtypes_and_tracing():
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    got = misc.apply_along_axis(lambda r, p, scale=1: jnp.sum(r ** p) * scale, 1, x, 2,
                                scale=3)
    same(got, (np.sum(x ** 2, axis=1) * 3).astype(np.int32))
    same(misc.apply_along_axis(jnp.mean, 0, x), np.mean(x, axis=0).astype(np.float32))
    # empty outer dims: func1d's output shape still shows in the result
    e = np.zeros((0, 4), np.float32)
    close(misc.apply_along_axis(lambda r: r[:2], 1, e), np.zeros((0, 2)), np.float32)
    same(misc.apply_along_axis(jnp.sum, 0, np.arange(5)), np.int32(10))
    with pytest.raises(ValueError, match="out of bounds"):
        misc.apply_along_axis(jnp.sum, 2, x)
    with pytest.raises(ValueError, match="one shape"):
        misc.apply_along_axis(lambda r: r[:int(r[0]) % 8 // 4 + 1], 1, x)
    with pytest.raises(TypeError, match="apply_along_axis requires ndarray"):
        misc.apply_along_axis(jnp.sum, 0, [1, 2])
    assert out_shapes(lambda a: misc.apply_along_axis(jnp.cumsum, 0, a), x) == [(3, 4)]
    assert out_shapes(lambda a: misc.apply_along_axis(lambda r: jnp.outer(r, r), 1, a),
                      x) == [(3, 4, 4)]


def test_apply_over_axes():
    x = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    for axes in [[0], [0, 2], [1, 0], (2,), 1, [-1]]:
        same(misc.apply_over_axes(jnp.sum, x, axes), np.apply_over_axes(np.sum, x, axes)
             .astype(np.int32))
    same(misc.apply_over_axes(lambda a, ax: jnp.cumsum(a, axis=ax), x, [0, 1]),
         np.apply_over_axes(lambda a, ax: np.cumsum(a, axis=ax), x, [0, 1]).astype(np.int32))
    with pytest.raises(ValueError, match="must keep the rank"):
        misc.apply_over_axes(lambda a, ax: a.sum(), x, [0])
    assert out_shapes(lambda a: misc.apply_over_axes(jnp.max, a, [0, 2]), x) == [(1, 3, 1)]


# ============================================================================= windows, i0

WINDOWS = ["bartlett", "blackman", "hamming", "hanning"]
assert [misc.bartlett, misc.blackman, misc.hamming, misc.hanning] == [getattr(misc, n)
                                                                      for n in WINDOWS]


@pytest.mark.parametrize("name", WINDOWS)
def test_windows_match_numpy(name):
    f, g = getattr(misc, name), getattr(np, name)
    for M in [0, 1, 2, 3, 4, 7, 16]:
        close(f(M), g(M), np.float32)
    close(f(np.int32(5)), g(5), np.float32)
    close(f(jnp.asarray(5)), g(5), np.float32)
    close(f(4.7), g(4), np.float32)  # truncated, as JAX's int(M)
    with enable_x64():
        close(f(6), g(6), np.float64, rtol=1e-12, atol=1e-12)
    with pytest.raises(ConcretizationTypeError, match=f"M argument of jnp.{name}"):
        mk(f)(5)
    with pytest.raises(TypeError, match="must be non-negative"):
        f(-1)
    with pytest.raises(TypeError, match="M must be an integer"):
        f(None)


def test_window_values_like_jax():
    ref = xnp()
    for name in WINDOWS:
        np.testing.assert_allclose(getattr(misc, name)(9), getattr(ref, name)(9), atol=2e-7)
    np.testing.assert_allclose(misc.kaiser(9, 4.0), ref.kaiser(9, 4.0), rtol=1e-6)


def test_kaiser_matches_numpy():
    for M, beta in [(0, 3.0), (1, 3.0), (2, 0.5), (5, 3.0), (8, 14.0), (6, 0.0)]:
        close(misc.kaiser(M, beta), np.kaiser(M, beta), np.float32, rtol=1e-5)
    close(misc.kaiser(4, 3), np.kaiser(4, 3), np.float32, rtol=1e-5)
    with enable_x64():
        close(misc.kaiser(5, 3.0), np.kaiser(5, 3.0), np.float64, rtol=1e-12)
    # beta may be traced, M may not
    assert out_shapes(lambda b: misc.kaiser(5, b), 2.0) == [(5,)]
    with pytest.raises(ConcretizationTypeError, match="M argument of jnp.kaiser"):
        mk(lambda m: misc.kaiser(m, 1.0))(5)


def test_i0_matches_numpy_and_jax_dtypes():
    x = np.array([0.0, 0.5, 1.0, -2.0, 10.0, -30.0], np.float32)
    close(misc.i0(x), np.i0(x.astype(np.float64)), np.float32, rtol=2e-6)
    close(misc.i0(np.arange(4)), np.i0(np.arange(4.0)), np.float32, rtol=2e-6)
    with enable_x64():
        close(misc.i0(np.arange(4.0)), np.i0(np.arange(4.0)), np.float64, rtol=1e-13)
    ref = xnp()
    for a in [1.0, np.float16(1.0), True, np.array([1, 2], np.int8)]:
        got, want = misc.i0(a), ref.i0(a)
        assert (got.dtype, got.weak_type) == (want.dtype, want.weak_type), a
        np.testing.assert_allclose(got, want, rtol=1e-3)
    # exp(inf) * i0e(inf) = inf * 0: NaN at the infinities, as JAX
    same(misc.i0(np.array([inf, -inf, nan], np.float32)), np.full(3, nan, np.float32))
    assert out_shapes(misc.i0, x) == [(6,)]


# ============================================================================= histograms

def _sample(seed, n=40, d=2):
    return np.random.default_rng(seed).normal(size=(n, d)).astype(np.float32)


@settings(max_examples=10, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from([1, 2, 3]), st.sampled_from([1, 3, 5]))
def test_histogramdd_matches_numpy(seed, d, bins):
    s = _sample(seed, d=d)
    h, edges = misc.histogramdd(s, bins=bins)
    hn, en = np.histogramdd(s, bins=bins)
    same(h, hn.astype(np.int32))
    assert isinstance(edges, list) and len(edges) == d
    for e, w in zip(edges, en):
        close(e, w, np.float32, rtol=1e-5)
    w = np.random.default_rng(seed).random(s.shape[0]).astype(np.float32)
    close(misc.histogramdd(s, bins, weights=w)[0], np.histogramdd(s, bins, weights=w)[0],
          np.float32, rtol=1e-5)
    close(misc.histogramdd(s, bins, density=True)[0], np.histogramdd(s, bins, density=True)[0],
          np.float32, rtol=1e-4)


def test_histogramdd_bins_ranges_and_errors():
    s = _sample(1, d=3)
    rng3 = [(-1, 1), None, (0, 2)]
    bins = [2, np.array([-1.0, 0.0, 0.5, 2.0]), 4]
    h, edges = misc.histogramdd(s, bins=bins, range=rng3)
    hn, en = np.histogramdd(s, bins=bins, range=[(-1, 1), (s[:, 1].min(), s[:, 1].max()),
                                                  (0, 2)])
    same(h, hn.astype(np.int32))
    for e, w in zip(edges, en):
        close(e, w, np.float32, rtol=1e-5)
    # values on the last edge count in the last bin; outside the range they are dropped
    pts = np.array([[0.0, 0.0], [1.0, 1.0], [2.0, 0.5], [-1.0, 0.5]], np.float32)
    same(misc.histogramdd(pts, bins=2, range=[(0, 1), (0, 1)])[0],
         np.histogramdd(pts, bins=2, range=[(0, 1), (0, 1)])[0].astype(np.int32))
    with pytest.raises(ValueError, match="should be a bin for each dimension"):
        misc.histogramdd(s, bins=[2, 3])
    with pytest.raises(ValueError, match="range must be a sequence of 3 pairs"):
        misc.histogramdd(s, range=[(0, 1)])
    with pytest.raises(ValueError, match="one weight for each sample"):
        misc.histogramdd(s, weights=np.ones(3))
    with pytest.raises(ValueError, match=r"2-D array of shape \(N, D\)"):
        misc.histogramdd(s[:, 0])


def test_histogramdd_dtypes_like_jax():
    ref = xnp()
    for kw in [{}, dict(density=True), dict(weights=np.ones(5, np.float32))]:
        for s in [np.arange(10).reshape(5, 2), np.ones((5, 2), np.float32)]:
            got, want = misc.histogramdd(s, bins=3, **kw), ref.histogramdd(s, bins=3, **kw)
            assert got[0].dtype == want[0].dtype and not got[0].weak_type
            assert [e.dtype for e in got[1]] == [e.dtype for e in want[1]]
    with enable_x64():
        assert misc.histogramdd(np.ones((3, 2)), bins=2)[0].dtype == np.int64


def test_histogram2d_matches_numpy():
    s = _sample(2)
    x, y = s[:, 0], s[:, 1]
    for bins in [3, [2, 4], np.array([-2.0, 0.0, 0.5, 2.0]), [np.array([-1.0, 0.0, 1.0]), 3]]:
        h, xe, ye = misc.histogram2d(x, y, bins=bins)
        hn, xn, yn = np.histogram2d(x, y, bins=bins)
        same(h, hn.astype(np.int32))
        close(xe, xn, np.float32, rtol=1e-5)
        close(ye, yn, np.float32, rtol=1e-5)
    w = np.abs(x)
    close(misc.histogram2d(x, y, 4, range=[(-1, 1), (-2, 2)], weights=w, density=True)[0],
          np.histogram2d(x, y, 4, range=[(-1, 1), (-2, 2)], weights=w, density=True)[0],
          np.float32, rtol=1e-4)
    ref = xnp()
    got, want = misc.histogram2d(x, y, bins=[2, 3]), ref.histogram2d(x, y, bins=[2, 3])
    assert [g.dtype for g in got] == [w.dtype for w in want]
    with pytest.raises(ValueError, match="x and y must be 1-D arrays of one length"):
        misc.histogram2d(x, y[:3])


def test_histograms_trace():
    s = _sample(3)
    assert out_shapes(lambda s: misc.histogramdd(s, bins=3)[0], s) == [(3, 3)]
    assert out_shapes(lambda s, w: misc.histogramdd(s, [2, 4], weights=w, density=True),
                      s, s[:, 0]) == [(2, 4), (3,), (5,)]
    assert out_shapes(lambda x, y: misc.histogram2d(x, y, bins=[2, 3]), s[:, 0],
                      s[:, 1]) == [(2, 3), (3,), (4,)]


# ============================================================================= bits

@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from([None, 0, 1, -1]),
       st.sampled_from(["big", "little"]), st.sampled_from([np.uint8, np.int32, np.bool_]))
def test_packbits_unpackbits_match_numpy(seed, axis, bitorder, dtype):
    r = np.random.default_rng(seed)
    shape = tuple(int(n) for n in r.integers(1, 13, 2))
    a = r.integers(-1, 2, shape).astype(dtype)
    packed = misc.packbits(a, axis=axis, bitorder=bitorder)
    same(packed, np.packbits(a != 0, axis=axis, bitorder=bitorder))
    u = packed.to_concrete_value() if hasattr(packed, "to_concrete_value") else packed
    u = np.asarray(u)
    same(misc.unpackbits(u, axis=axis, bitorder=bitorder),
         np.unpackbits(u, axis=axis, bitorder=bitorder))
    for count in [0, 3, 8, -3, 20]:
        same(misc.unpackbits(u, axis=axis, count=count, bitorder=bitorder),
             np.unpackbits(u, axis=axis, count=count, bitorder=bitorder))


def test_packbits_edge_cases_and_errors():
    same(misc.packbits(1), np.packbits(1))
    same(misc.packbits(np.zeros(0, np.uint8)), np.packbits(np.zeros(0, np.uint8)))
    same(misc.unpackbits(np.uint8(3)), np.unpackbits(np.array([3], np.uint8)))
    with pytest.raises(TypeError, match="integer or boolean"):
        misc.packbits(np.array([1.0, 0.0]))
    with pytest.raises(TypeError, match="uint8"):
        misc.unpackbits(np.array([2], np.int32))
    with pytest.raises(ValueError, match="'little' or 'big'"):
        misc.packbits(np.ones(3, np.uint8), bitorder="foo")
    with pytest.raises(ValueError, match="'little' or 'big'"):
        misc.unpackbits(np.ones(3, np.uint8), bitorder="foo")
    with pytest.raises(ValueError, match="out of bounds"):
        misc.packbits(np.ones((2, 2), np.uint8), axis=3)
    a = np.ones((9, 2), np.uint8)
    assert out_shapes(lambda a: misc.packbits(a, axis=0), a) == [(2, 2)]
    assert out_shapes(lambda a: misc.unpackbits(a, axis=1, count=5), a) == [(9, 5)]


# ============================================================================= unwrap, place

@settings(max_examples=20, deadline=None)
@given(st.integers(0, 10 ** 6), st.sampled_from([0, 1, -1]))
def test_unwrap_matches_numpy(seed, axis):
    r = np.random.default_rng(seed)
    p = np.cumsum(r.normal(scale=2.0, size=(5, 6)), axis=axis).astype(np.float32)
    w = np.angle(np.exp(1j * p)).astype(np.float32)  # wrapped into (-pi, pi]
    close(misc.unwrap(w, axis=axis), np.unwrap(w.astype(np.float64), axis=axis), np.float32,
          rtol=1e-4, atol=2e-4)
    close(misc.unwrap(p, discont=4.0, axis=axis),
          np.unwrap(p.astype(np.float64), discont=4.0, axis=axis), np.float32, rtol=1e-4,
          atol=2e-4)
    q = r.integers(0, 360, (3, 5))
    same(misc.unwrap(q, axis=axis, period=360), np.unwrap(q, axis=axis, period=360)
         .astype(np.int32))


def test_unwrap_dtypes_like_jax_and_errors():
    ref = xnp()
    q = np.array([0, 3, 5, 8, 1], np.int32)
    p = np.array([0, 1, 2, 7, 8, 2, -4.0], np.float32)
    for fn in [lambda m: m.unwrap(q, period=6), lambda m: m.unwrap(q, period=6.0),
               lambda m: m.unwrap(q), lambda m: m.unwrap(p),
               lambda m: m.unwrap(m.asarray([0.0, 7.0])),
               lambda m: m.unwrap(np.zeros((0,), np.float32)),
               lambda m: m.unwrap(np.array([[0.0, 7.0], [1.0, 8.0]], np.float32), axis=0)]:
        got, want = fn(misc), fn(ref)
        assert (got.dtype, got.weak_type, got.shape) == (want.dtype, want.weak_type, want.shape)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    with pytest.raises(ValueError, match="at least one dimension"):
        misc.unwrap(1.0)
    with pytest.raises(ValueError, match="out of bounds"):
        misc.unwrap(p, axis=1)
    assert out_shapes(lambda a: misc.unwrap(a, axis=0), np.ones((4, 3), np.float32)) == [(4, 3)]


def _np_place(a, m, v):
    a = np.array(a)
    np.place(a, m, v)
    return a


def test_place_matches_numpy():
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    for m, v in [(x % 2 == 0, np.array([10, 20], np.int32)), (x > 4, np.array([7], np.int32)),
                 (x % 3, 5),
                 (np.zeros_like(x, bool), np.array([1], np.int32)),
                 (x < 100, np.arange(20, dtype=np.int32))]:
        same(misc.place(x, m, v, inplace=False), _np_place(x, m, v))
    f = np.linspace(0, 1, 5).astype(np.float32)
    v = np.array([-1.0, -2.0], np.float32)
    same(misc.place(f, f > 0.3, v, inplace=False), _np_place(f, f > 0.3, v))
    same(misc.place(np.zeros(0, np.float32), np.zeros(0, bool), 1.0, inplace=False),
         np.zeros(0, np.float32))
    with pytest.raises(TypeError, match="place requires ndarray or scalar"):
        misc.place(x, x > 2, [1, 2], inplace=False)


def test_place_like_jax_and_traces():
    x = np.arange(6, dtype=np.int32)
    with pytest.raises(ValueError, match="inplace=False"):
        misc.place(x, x > 2, 1)
    with pytest.raises(ValueError, match="empty array"):
        misc.place(x, np.zeros(6, bool), np.array([], np.int32), inplace=False)
    with pytest.raises(ValueError, match="same size, got 6 and 5"):
        misc.place(x, np.zeros(5, bool), 1, inplace=False)
    ref = xnp()
    with pytest.warns(FutureWarning):
        like_jax(misc.place(x, x % 2 == 0, np.array([10.5, 20.0]), inplace=False),
                 ref.place(x, x % 2 == 0, np.array([10.5, 20.0]), inplace=False))
    # the mask may be traced: its true positions are found with a static size
    assert out_shapes(lambda m: misc.place(x, m, 7, inplace=False), x > 2) == [(6,)]


# ============================================================================= NumPy wrappers

def test_array_repr_str_and_printoptions():
    x = jnp.arange(3)
    assert misc.array_repr(x) == "Array([0, 1, 2], dtype=int32)"
    assert misc.array_repr(np.arange(3)) == np.array_repr(np.arange(3))
    assert misc.array_str(jnp.arange(3.0)) == "[0. 1. 2.]"
    y = np.array([1.23456, 2.0], np.float32)
    assert misc.array_str(jnp.asarray(y), precision=2) == np.array_str(y, precision=2)
    assert misc.array_repr(jnp.arange(3), max_line_width=10) == (
        "Array([0,\n       1,\n       2],\n      dtype=int32)")
    assert misc.get_printoptions() == np.get_printoptions()
    with misc.printoptions(precision=2):
        assert misc.get_printoptions()["precision"] == 2
        assert misc.array_str(jnp.asarray(y)) == "[1.23 2.  ]"
    old = misc.get_printoptions()
    try:
        misc.set_printoptions(precision=3)
        assert np.get_printoptions()["precision"] == 3
    finally:
        np.set_printoptions(**old)
    for fn in (misc.array_repr, misc.array_str):
        with pytest.raises(ConcretizationTypeError, match="concrete array"):
            mk(fn)(np.ones(2, np.float32))


def test_save_savez_load(tmp_path):
    x = jnp.arange(4)
    f = io.BytesIO()
    misc.save(f, x)
    f.seek(0)
    got = misc.load(f)
    assert type(got) is type(x)
    same(got, np.arange(4, dtype=np.int32))
    path = tmp_path / "x.npy"
    misc.save(path, jnp.ones((2, 2), jnp.float16))
    same(misc.load(path), np.ones((2, 2), np.float16))
    np.save(tmp_path / "s.npy", np.array(["a", "b"]))  # no tinyjax dtype: stays NumPy
    assert isinstance(misc.load(tmp_path / "s.npy"), np.ndarray)
    misc.savez(tmp_path / "z.npz", jnp.arange(2), y=jnp.ones(3), z=np.zeros(1))
    with misc.load(tmp_path / "z.npz") as z:
        same(z["arr_0"], np.arange(2, dtype=np.int32))
        same(z["y"], np.ones(3, np.float32))
        assert isinstance(z["y"], np.ndarray)  # .npz entries are NumPy's, as JAX
    with pytest.raises(ConcretizationTypeError, match="concrete array"):
        mk(lambda a: misc.save(io.BytesIO(), a) or a)(np.ones(2, np.float32))
    with pytest.raises(ConcretizationTypeError, match="concrete array"):
        mk(lambda a: misc.savez(io.BytesIO(), a=a) or a)(np.ones(2, np.float32))


def test_fromstring_fromfile(tmp_path):
    ref = xnp()
    same(misc.fromstring("1 2 3", sep=" "), ref.fromstring("1 2 3", sep=" "))
    same(misc.fromstring("1,2,3", dtype=int, sep=","), np.array([1, 2, 3], np.int32))
    same(misc.fromstring("1,2,3", dtype=np.int8, count=2, sep=","), np.array([1, 2], np.int8))
    with pytest.raises(TypeError, match="sep"):
        misc.fromstring("1 2 3")
    path = tmp_path / "d.bin"
    np.arange(5, dtype=np.float32).tofile(path)
    same(misc.fromfile(path, dtype=np.float32), np.arange(5, dtype=np.float32))
    same(misc.fromfile(path, dtype=np.float32, count=2, offset=4), np.array([1, 2], np.float32))
    (tmp_path / "t.txt").write_text("1 2 3")
    same(misc.fromfile(tmp_path / "t.txt", dtype=np.int32, sep=" "),
         np.array([1, 2, 3], np.int32))


def test_frompyfunc():
    ref = xnp()
    add = misc.frompyfunc(lambda x, y: x + y, 2, 1)
    add_ref = ref.frompyfunc(lambda x, y: x + y, 2, 1)
    assert (add.nin, add.nout, add.identity) == (2, 1, None)
    assert repr(add) == "<jnp.ufunc '<lambda>'>"
    a = np.arange(3, dtype=np.int32)
    f = np.arange(3, dtype=np.float32)
    for args in [(a, 1), (1, 2), (f, np.ones((2, 1), np.float32)), (a, 2.5)]:
        like_jax(add(*args), add_ref(*args))
    like_jax(add.outer(a, a[:2]), add_ref.outer(a, a[:2]))
    # the function sees 0-d arrays, so jnp semantics (int32 arithmetic, where, ...) apply
    clip = misc.frompyfunc(lambda x: jnp.where(x > 1, x, -x), 1, 1, identity=0)
    same(clip(a), np.array([0, -1, 2], np.int32))
    assert clip.identity == 0
    two = misc.frompyfunc(lambda x: (x, x * 2), 1, 2)
    got = two(a)
    assert isinstance(got, tuple) and len(got) == 2
    same(got[0], a)
    same(got[1], a * 2)
    same(add(np.zeros((0, 2), np.float32), 1), np.zeros((0, 2), np.float32))
    with pytest.raises(TypeError, match="takes 2 positional arguments, got 1"):
        add(a)
    with pytest.raises(ValueError, match="expected 2 outputs, got 3"):
        misc.frompyfunc(lambda x: (x, x, x), 1, 2)(a)
    with pytest.raises(TypeError, match="must be callable"):
        misc.frompyfunc(3, 1, 1)
    with pytest.raises(ValueError, match="two-argument"):
        clip.outer(a, a)
    with pytest.raises(NotImplementedError, match="out"):
        add(a, a, out=a)
    with pytest.raises(ConcretizationTypeError, match="no vmap yet"):
        mk(lambda x: add(x, 1))(a)
