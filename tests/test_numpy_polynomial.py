"""jnp polynomial functions against numpy's, plus aliases and small helpers."""
import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp


def eq(a, b, rtol=1e-5, atol=1e-5):
    a = np.asarray(a)
    assert a.shape == np.shape(b), (a.shape, np.shape(b))
    np.testing.assert_allclose(a, b, rtol=rtol, atol=atol)


P = np.array([2.0, -3.0, 0.5, 1.0], np.float32)
Q = np.array([1.0, 2.0], np.float32)


def test_polyval():
    x = np.linspace(-2, 2, 7).astype(np.float32)
    eq(jnp.polyval(P, x), np.polyval(P, x))
    eq(jnp.polyval(P, 1.5), np.polyval(P, 1.5))
    with pytest.raises(ValueError, match="1-D"):
        jnp.polyval(np.ones((2, 2)), 1.0)


def test_polyadd_polysub_polymul_polydiv():
    eq(jnp.polyadd(P, Q), np.polyadd(P, Q))
    eq(jnp.polysub(Q, P), np.polysub(Q, P))
    eq(jnp.polymul(P, Q), np.polymul(P, Q))
    q, r = jnp.polydiv(P, Q)
    wq, wr = np.polydiv(P, Q)
    eq(q, wq)
    eq(np.asarray(r)[-len(wr):], wr)  # JAX keeps leading zeros in the remainder
    assert r.shape == P.shape


@pytest.mark.parametrize("m", [0, 1, 2, 5])
def test_polyder_polyint(m):
    eq(jnp.polyder(P, m), np.polyder(P, m))
    eq(jnp.polyint(P, m), np.polyint(P, m))
    eq(jnp.polyint(P, 2, k=[1.0, 2.0]), np.polyint(P, 2, k=[1.0, 2.0]))


def test_poly_roots_vander():
    roots = np.array([1.0, -2.0, 0.5], np.float32)
    eq(jnp.poly(roots), np.poly(roots))
    eq(jnp.roots(np.poly(roots).astype(np.float32)), np.sort(roots)[::-1], rtol=1e-4)
    eq(jnp.roots(np.array([0.0, 1.0, -3.0, 2.0, 0.0], np.float32)), [2.0, 1.0, 0.0], rtol=1e-4)
    with pytest.raises(ValueError, match="complex"):
        jnp.roots(np.array([1.0, 0.0, 1.0], np.float32))
    with pytest.raises(TypeError, match="concrete"):
        tinyjax.make_jaxpr(jnp.roots)(P)
    eq(jnp.vander(Q, 3), np.vander(Q, 3))
    eq(jnp.vander(Q, 3, increasing=True), np.vander(Q, 3, increasing=True))
    eq(jnp.trim_zeros_poly(np.array([0.0, 0.0, 1.0, 2.0], np.float32)), [1.0, 2.0])


def test_polyfit():
    x = np.linspace(0, 1, 20)
    y = 3 * x ** 2 - x + 0.5
    eq(jnp.polyfit(x, y, 2), np.polyfit(x, y, 2), rtol=1e-3, atol=1e-3)
    w = np.linspace(1, 2, 20)
    eq(jnp.polyfit(x, y, 2, w=w), np.polyfit(x, y, 2, w=w), rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("cov", [True, "unscaled"])
def test_polyfit_cov(cov):
    rng = np.random.default_rng(0)
    x = np.linspace(0, 1, 20)
    y = 3 * x ** 2 - x + 0.5 + 0.01 * rng.normal(size=20)
    c, v = jnp.polyfit(x, y, 2, cov=cov)
    wc, wv = np.polyfit(x, y, 2, cov=cov)
    eq(c, wc, rtol=1e-3, atol=1e-3)
    eq(v, wv, rtol=2e-2, atol=1e-6)
    y2 = np.stack([y, 2 * y], axis=1)
    c2, v2 = jnp.polyfit(x, y2, 2, cov=cov)
    wc2, wv2 = np.polyfit(x, y2, 2, cov=cov)
    eq(v2, wv2, rtol=2e-2, atol=1e-6)


def test_polynomials_trace():
    jaxpr = tinyjax.make_jaxpr(lambda p, x: jnp.polyval(jnp.polyder(p), x))(P, np.ones(3))
    assert jaxpr.out_avals[0].shape == (3,)


# aliases must be the same functions as their canonical names
ALIASES = [("acos", "arccos"), ("acosh", "arccosh"), ("asin", "arcsin"), ("asinh", "arcsinh"),
           ("atan", "arctan"), ("atanh", "arctanh"), ("atan2", "arctan2"), ("around", "round"),
           ("round_", "round"), ("conj", "conjugate"), ("bitwise_invert", "bitwise_not"),
           ("bitwise_left_shift", "left_shift"), ("bitwise_right_shift", "right_shift")]


@pytest.mark.parametrize("alias,name", ALIASES)
def test_aliases_agree(alias, name):
    x = np.array([0.25, -0.5, 0.75], np.float32)
    args = (x,)
    if name in ("arctan2",):
        args = (x, x[::-1].copy())
    if name in ("arccosh",):
        args = (x + 2,)
    if name in ("bitwise_not",):
        args = (np.array([1, -3], np.int32),)
    if name in ("left_shift", "right_shift"):
        args = (np.array([8, -8], np.int32), np.array([1, 2], np.int32))
    np.testing.assert_array_equal(np.asarray(getattr(jnp, alias)(*args)),
                                  np.asarray(getattr(jnp, name)(*args)))


def test_real_only_helpers():
    x = jnp.asarray(np.array([1.0, -2.0], np.float32))
    assert not jnp.iscomplexobj(x) and jnp.isrealobj(x)
    np.testing.assert_array_equal(np.asarray(jnp.isreal(x)), [True, True])
    np.testing.assert_array_equal(np.asarray(jnp.iscomplex(x)), [False, False])
    np.testing.assert_array_equal(np.asarray(jnp.from_dlpack(np.arange(3.0))), [0, 1, 2])
    with pytest.raises(TypeError, match="fromiter"):
        jnp.fromiter(iter([1, 2]), float)
