"""tinyjax.scipy.special against scipy.special (float64 references)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.scipy.special as tsp
from tinyjax.core.config import enable_x64

sp = pytest.importorskip("scipy.special")

# name, scipy reference, arity, domain sampler
def _u(lo, hi):
    return lambda rng, n: rng.uniform(lo, hi, n)


CASES = [
    ("erf", sp.erf, [_u(-4, 4)]), ("erfc", sp.erfc, [_u(-4, 9)]),
    ("erfinv", sp.erfinv, [_u(-0.999, 0.999)]), ("expit", sp.expit, [_u(-30, 30)]),
    ("logit", sp.logit, [_u(0.001, 0.999)]), ("gammaln", sp.gammaln, [_u(0.01, 50)]),
    ("gamma", sp.gamma, [_u(-4.5, 10)]), ("digamma", sp.digamma, [_u(0.05, 30)]),
    ("psi", sp.psi, [_u(0.05, 30)]), ("betaln", sp.betaln, [_u(0.1, 20), _u(0.1, 20)]),
    ("betainc", sp.betainc, [_u(0.2, 10), _u(0.2, 10), _u(0, 1)]),
    ("gammainc", sp.gammainc, [_u(0.1, 20), _u(0, 30)]),
    ("gammaincc", sp.gammaincc, [_u(0.1, 20), _u(0, 30)]),
    ("i0", sp.i0, [_u(-10, 10)]), ("i0e", sp.i0e, [_u(-50, 50)]),
    ("i1", sp.i1, [_u(-10, 10)]), ("i1e", sp.i1e, [_u(-50, 50)]),
    ("zeta", sp.zeta, [_u(1.1, 10), _u(0.5, 5)]),
    ("polygamma", lambda n, x: sp.polygamma(n.astype(int), x),
     [lambda rng, n: rng.integers(0, 4, n).astype(float), _u(0.2, 10)]),
    ("xlogy", sp.xlogy, [lambda rng, n: np.where(rng.random(n) < 0.3, 0, rng.uniform(-3, 3, n)),
                         _u(0.01, 5)]),
    ("xlog1py", sp.xlog1py, [lambda rng, n: np.where(rng.random(n) < 0.3, 0,
                                                     rng.uniform(-3, 3, n)), _u(-0.9, 5)]),
    ("entr", sp.entr, [_u(-1, 3)]), ("rel_entr", sp.rel_entr, [_u(-1, 3), _u(-1, 3)]),
    ("kl_div", sp.kl_div, [_u(-1, 3), _u(-1, 3)]),
    ("ndtr", sp.ndtr, [_u(-30, 10)]), ("ndtri", sp.ndtri, [_u(1e-6, 1 - 1e-6)]),
    ("log_ndtr", sp.log_ndtr, [_u(-60, 12)]),
    ("factorial", lambda n: sp.factorial(n, exact=False), [_u(0, 15)]),
]


@pytest.mark.parametrize("name,ref,samplers", CASES, ids=[c[0] for c in CASES])
@pytest.mark.parametrize("x64", [False, True])
def test_special_matches_scipy(name, ref, samplers, x64):
    rng = np.random.default_rng(len(name))
    args = [s(rng, 200) for s in samplers]
    want = ref(*args)
    if x64:
        with enable_x64():
            got = np.asarray(getattr(tsp, name)(*args))
        assert got.dtype == np.float64
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=1e-300, equal_nan=True)
    else:
        got = np.asarray(getattr(tsp, name)(*[a.astype(np.float32) for a in args]))
        assert got.dtype == np.float32
        want32 = ref(*[a.astype(np.float32).astype(np.float64) for a in args])
        # kl_div / rel_entr cancel near x == y: an absolute bound is the meaningful one there
        atol = 1e-6 if name in ("kl_div", "rel_entr", "entr") else 1e-30
        np.testing.assert_allclose(got, want32, rtol=5e-5, atol=atol, equal_nan=True)


def test_ndtri_and_log_ndtr_tails():
    p = np.array([1e-300, 1e-100, 1e-20, 1e-8, 0.5, 1 - 1e-10])
    with enable_x64():
        np.testing.assert_allclose(np.asarray(tsp.ndtri(p)), sp.ndtri(p), rtol=1e-12)
        x = np.array([-1e4, -200.0, -40.0, -20.5, -19.5, 0.0, 5.0, 40.0])
        np.testing.assert_allclose(np.asarray(tsp.log_ndtr(x)), sp.log_ndtr(x), rtol=1e-12)
    out = np.asarray(tsp.ndtri(np.array([0.0, 1.0, -0.5, 2.0, np.nan], np.float32)))
    np.testing.assert_array_equal(out[:2], [-np.inf, np.inf])
    assert np.isnan(out[2:]).all()
    assert np.isfinite(np.asarray(tsp.log_ndtr(np.float32([-1e4, -50.0])))).all()


@settings(max_examples=20, deadline=None)
@given(st.lists(st.floats(-1e4, 1e4, width=32), min_size=1, max_size=6),
       st.sampled_from([None, 0]))
def test_logsumexp_stable(values, axis):
    a = np.array(values, np.float32)
    got = float(tsp.logsumexp(a, axis=axis))
    want = sp.logsumexp(a.astype(np.float64), axis=axis)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


def test_logsumexp_options():
    a = np.array([[1.0, 2.0, 3.0], [-np.inf, -np.inf, -np.inf]], np.float32)
    b = np.array([[1.0, -1.0, 2.0], [1.0, 1.0, 1.0]], np.float32)
    np.testing.assert_allclose(np.asarray(tsp.logsumexp(a, axis=1)),
                               sp.logsumexp(a, axis=1), rtol=1e-6)
    out, sign = tsp.logsumexp(a, axis=1, b=b, return_sign=True)
    wout, wsign = sp.logsumexp(a, axis=1, b=b, return_sign=True)
    np.testing.assert_allclose(np.asarray(out), wout, rtol=1e-6)
    np.testing.assert_array_equal(np.asarray(sign), wsign)
    assert tsp.logsumexp(a, axis=1, keepdims=True).shape == (2, 1)
    assert np.isnan(float(tsp.logsumexp(np.float32([0.0, 0.0]), b=np.float32([1, -2]))))


def test_softmax_and_multigammaln():
    x = np.random.default_rng(0).normal(size=(3, 4)).astype(np.float32)
    np.testing.assert_allclose(np.asarray(tsp.softmax(x, axis=1)), sp.softmax(x, axis=1),
                               rtol=1e-5)
    np.testing.assert_allclose(np.asarray(tsp.log_softmax(x, axis=0)),
                               sp.log_softmax(x, axis=0), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(float(tsp.multigammaln(np.float32(4.5), 3)),
                               sp.multigammaln(4.5, 3), rtol=1e-5)


def test_special_functions_trace():
    jaxpr = tinyjax.make_jaxpr(lambda x: tsp.ndtri(x) + tsp.log_ndtr(x) + tsp.logsumexp(x))(
        np.full(3, 0.3, np.float32))
    assert jaxpr.out_avals[0].shape == (3,)
