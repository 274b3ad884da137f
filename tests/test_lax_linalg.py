"""tinyjax.lax.linalg: cholesky, triangular_solve, lu, lu_pivots_to_permutation,
qr, eigh and svd.

Each decomposition is checked through its defining identities in float64
(L L^T = A, P A = L U, Q R = A with Q orthogonal, V diag(w) V^T = A,
U S Vh = A), on batched inputs with hypothesis-chosen shapes including empty
ones, and against JAX (where installed) for the conventions the identities
leave open: pivots, LAPACK's QR signs, NaN outputs, output shapes and dtypes.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax.core.config import enable_x64
from tinyjax.lax import linalg

SETTINGS = settings(max_examples=25, deadline=None)
batch_shapes = st.sampled_from([(), (), (2,), (3,), (2, 2), (0,)])
sizes = st.integers(0, 5)
seeds = st.integers(0, 2**31)


class _JittedLinalg:
    """jax.lax.linalg with every call jitted (keyword arguments static): one XLA
    compilation per call instead of one per internal op keeps the oracle cheap."""

    def __init__(self, jax):
        self._jax = jax

    def __getattr__(self, name):
        fn = getattr(self._jax.lax.linalg, name)

        def call(x, *static, **kw):
            return self._jax.jit(lambda v: fn(v, *static, **kw))(x)

        return call


def jax_linalg():
    return _JittedLinalg(pytest.importorskip("jax"))


def tol(dtype):
    return {np.dtype(np.float16): 2e-2, np.dtype(np.float32): 2e-4,
            np.dtype(np.float64): 1e-10}[np.dtype(dtype)]


def close(a, b, dtype, scale=1.0):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol(dtype), atol=tol(dtype) * scale)


def T(x):
    return np.swapaxes(x, -1, -2)


def spd(rng, batch, n, dtype=np.float32):
    a = rng.standard_normal(batch + (n, n))
    return (a @ T(a) + n * np.eye(n)).astype(dtype)


def symmetric(rng, batch, n, dtype=np.float32):
    a = rng.standard_normal(batch + (n, n))
    return ((a + T(a)) / 2).astype(dtype)


def avals(f, *args):
    return tinyjax.make_jaxpr(f)(*args).out_avals


# ============================================================================= cholesky

@SETTINGS
@given(batch=batch_shapes, n=sizes, seed=seeds)
def test_cholesky_reconstructs(batch, n, seed):
    rng = np.random.default_rng(seed)
    a = spd(rng, batch, n)
    # symmetrize_input=False reads only the lower triangle: garbage above is ignored
    noisy = np.where(np.tril(np.ones((n, n), bool)), a, np.float32(1e6))
    for x, sym in ((a, True), (noisy, False)):
        L = np.asarray(linalg.cholesky(x, symmetrize_input=sym))
        assert L.shape == a.shape and L.dtype == np.float32
        np.testing.assert_array_equal(np.triu(L, 1), 0)
        assert (np.diagonal(L, axis1=-2, axis2=-1) > 0).all()
        L64 = L.astype(np.float64)
        close(L64 @ T(L64), a, np.float32, scale=np.abs(a).max(initial=1))
    (av,) = avals(lambda v: linalg.cholesky(v), a)
    assert av.shape == a.shape and av.dtype == np.float32


@pytest.mark.parametrize("shape", [(1, 1), (16, 3, 3), (4, 2, 5, 5)])
def test_cholesky_vs_jax(shape):
    jl = jax_linalg()
    rng = np.random.default_rng(len(shape))
    a = spd(rng, shape[:-2], shape[-1])
    if a.ndim > 2:
        a[(0,) * (a.ndim - 2)] *= -1  # one batch member not positive definite
    want = np.asarray(jl.cholesky(a))
    got = np.asarray(linalg.cholesky(a))
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    fin = ~np.isnan(want)
    close(got[fin], want[fin], np.float32, scale=np.abs(want[fin]).max(initial=1))


def test_cholesky_not_positive_definite_gives_nan_lower_triangle():
    got = np.asarray(linalg.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)))
    np.testing.assert_array_equal(np.isnan(got), [[True, False], [True, True]])
    assert got[0, 1] == 0
    got = np.asarray(linalg.cholesky(np.array([[np.nan, 1.0], [1.0, 2.0]], np.float32)))
    assert np.isnan(got[np.tril_indices(2)]).all() and got[0, 1] == 0


def test_cholesky_dtypes():
    a = np.array([[4, 2], [2, 5]], np.int32)
    got = linalg.cholesky(a)  # (a + a^T) / 2 promotes to float, as in JAX
    assert got.dtype == np.float32
    np.testing.assert_allclose(np.asarray(got), [[2, 0], [1, 2]])
    got = linalg.cholesky(a.astype(np.float16))
    assert got.dtype == np.float16
    np.testing.assert_allclose(np.asarray(got, np.float32), [[2, 0], [1, 2]])
    with enable_x64():
        rng = np.random.default_rng(0)
        a = spd(rng, (2,), 4, np.float64)
        L = np.asarray(linalg.cholesky(a))
        assert L.dtype == np.float64
        close(L @ T(L), a, np.float64, scale=np.abs(a).max())


@pytest.mark.parametrize("call,exc,match", [
    (lambda: linalg.cholesky(np.ones((2, 3), np.float32)), ValueError, "square"),
    (lambda: linalg.cholesky(np.ones((3,), np.float32)), TypeError, "rank at least 2"),
    (lambda: linalg.cholesky(np.eye(2, dtype=np.int32), symmetrize_input=False), TypeError,
     "does not accept dtype int32"),
])
def test_cholesky_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ============================================================================= triangular_solve

def well_conditioned_triangular(rng, batch, m, dtype=np.float32):
    a = rng.standard_normal(batch + (m, m)) * 0.3
    d = rng.uniform(1, 2, batch + (m,)) * rng.choice([-1, 1], batch + (m,))
    idx = np.arange(m)
    a[..., idx, idx] = d
    return a.astype(dtype)


@SETTINGS
@given(batch=batch_shapes, m=sizes, n=st.integers(0, 3), left_side=st.booleans(),
       lower=st.booleans(), transpose_a=st.booleans(), unit_diagonal=st.booleans(),
       seed=seeds)
def test_triangular_solve_solves(batch, m, n, left_side, lower, transpose_a, unit_diagonal,
                                 seed):
    rng = np.random.default_rng(seed)
    a = well_conditioned_triangular(rng, batch, m)
    b = rng.standard_normal(batch + ((m, n) if left_side else (n, m))).astype(np.float32)
    x = np.asarray(linalg.triangular_solve(
        a, b, left_side=left_side, lower=lower, transpose_a=transpose_a,
        unit_diagonal=unit_diagonal))
    assert x.shape == b.shape and x.dtype == np.float32
    # the triangle actually used, as float64
    t = np.tril(a) if lower else np.triu(a)
    t = t.astype(np.float64)
    if unit_diagonal:
        t[..., np.arange(m), np.arange(m)] = 1
    op = T(t) if transpose_a else t
    lhs = op @ x if left_side else x @ op
    close(lhs, b, np.float32, scale=max(1.0, np.abs(x).max(initial=1)))


@pytest.mark.parametrize("left_side,lower,transpose_a,unit_diagonal",
                         [(True, True, False, False), (False, False, True, True),
                          (True, False, True, False), (False, True, False, True)])
@pytest.mark.parametrize("vector", [False, True])
def test_triangular_solve_vs_jax(left_side, lower, transpose_a, unit_diagonal, vector):
    jax = pytest.importorskip("jax")
    rng = np.random.default_rng(0)
    batch, m = (8,), 4
    a = well_conditioned_triangular(rng, batch, m)
    bshape = batch + ((m,) if vector else (m, 2) if left_side else (2, m))
    b = rng.standard_normal(bshape).astype(np.float32)
    kw = dict(left_side=left_side, lower=lower, transpose_a=transpose_a,
              unit_diagonal=unit_diagonal)
    want = np.asarray(jax.jit(lambda p, q: jax.lax.linalg.triangular_solve(p, q, **kw))(a, b))
    got = np.asarray(linalg.triangular_solve(a, b, **kw))
    assert got.shape == want.shape
    close(got, want, np.float32, scale=np.abs(want).max(initial=1))


def test_triangular_solve_singular_matches_jax():
    got = np.asarray(linalg.triangular_solve(np.zeros((2, 2), np.float32),
                                             np.ones((2, 2), np.float32), left_side=True))
    np.testing.assert_array_equal(got, [[np.nan, np.nan], [np.inf, np.inf]])


def test_triangular_solve_jaxpr():
    a = np.eye(3, dtype=np.float32)
    jaxpr = tinyjax.make_jaxpr(
        lambda p, q: linalg.triangular_solve(p, q, left_side=True, lower=True))(a, np.ones(
            (3, 2), np.float32))
    (eqn,) = jaxpr.jaxpr.eqns
    assert eqn.primitive is linalg.triangular_solve_p
    assert eqn.params == dict(left_side=True, lower=True, transpose_a=False,
                              conjugate_a=False, unit_diagonal=False)
    assert jaxpr.out_avals[0].shape == (3, 2)


@pytest.mark.parametrize("call,exc,match", [
    (lambda: linalg.triangular_solve(np.ones((2, 3, 3), np.float32),
                                     np.ones((4, 3, 3), np.float32)),
     ValueError, "same batch dimensions"),
    (lambda: linalg.triangular_solve(np.ones((3, 3), np.float32), np.ones((4, 4), np.float32)),
     ValueError, "Incompatible shapes"),
    (lambda: linalg.triangular_solve(np.ones((3, 4), np.float32), np.ones((3, 4), np.float32)),
     ValueError, "square"),
    (lambda: linalg.triangular_solve(np.ones((3, 3), np.float32), np.ones((3, 3), np.float16)),
     TypeError, "same dtypes"),
    (lambda: linalg.triangular_solve(np.ones((3, 3), np.int32), np.ones((3, 3), np.int32)),
     TypeError, "does not accept dtype int32"),
])
def test_triangular_solve_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ============================================================================= lu

def check_lu(a, lu_, piv, perm):
    a, lu_, piv, perm = (np.asarray(v) for v in (a, lu_, piv, perm))
    m, n = a.shape[-2:]
    k = min(m, n)
    assert lu_.shape == a.shape and lu_.dtype == a.dtype
    assert piv.shape == a.shape[:-2] + (k,) and piv.dtype == np.int32
    assert perm.shape == a.shape[:-2] + (m,) and perm.dtype == np.int32
    L = np.tril(lu_, -1)[..., :, :k].astype(np.float64) + np.eye(m, k)
    U = np.triu(lu_)[..., :k, :].astype(np.float64)
    pa = np.take_along_axis(a.astype(np.float64), perm[..., :, None].astype(np.int64), axis=-2)
    close(L @ U, pa, a.dtype, scale=max(1.0, np.abs(a).max(initial=1)))
    # partial pivoting: |L| <= 1
    assert (np.abs(L) <= 1 + 1e-6).all()
    # pivots and permutation agree, and the permutation is one
    np.testing.assert_array_equal(np.asarray(linalg.lu_pivots_to_permutation(piv, m)), perm)
    np.testing.assert_array_equal(np.sort(perm, axis=-1), np.broadcast_to(np.arange(m),
                                                                          perm.shape))


@SETTINGS
@given(batch=batch_shapes, m=sizes, n=sizes, seed=seeds, ints=st.booleans())
def test_lu_reconstructs(batch, m, n, seed, ints):
    rng = np.random.default_rng(seed)
    if ints:  # ties in the pivot search and exactly singular matrices
        a = rng.integers(-2, 3, batch + (m, n)).astype(np.float32)
    else:
        a = rng.standard_normal(batch + (m, n)).astype(np.float32)
    check_lu(a, *linalg.lu(a))
    out = avals(linalg.lu, a)
    assert [(v.shape, v.dtype) for v in out] == [
        (a.shape, np.float32), (batch + (min(m, n),), np.int32), (batch + (m,), np.int32)]


@pytest.mark.parametrize("shape", [(1, 1), (40, 4, 4), (20, 5, 3), (20, 2, 5), (3, 2, 3, 3)])
def test_lu_vs_jax(shape):
    jl = jax_linalg()
    a = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    want = [np.asarray(v) for v in jl.lu(a)]
    got = [np.asarray(v) for v in linalg.lu(a)]
    np.testing.assert_array_equal(got[1], want[1])  # pivots
    np.testing.assert_array_equal(got[2], want[2])  # permutation
    close(got[0], want[0], np.float32, scale=np.abs(want[0]).max(initial=1) * 10)


def test_lu_singular_and_examples_match_jax():
    z = linalg.lu(np.zeros((3, 3), np.float32))
    np.testing.assert_array_equal(np.asarray(z[0]), np.zeros((3, 3)))
    assert np.asarray(z[1]).tolist() == [0, 1, 2] and np.asarray(z[2]).tolist() == [0, 1, 2]
    a = np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], np.float32)
    lu_, piv, perm = linalg.lu(a)
    assert np.asarray(piv).tolist() == [2, 2] and np.asarray(perm).tolist() == [2, 0, 1]
    np.testing.assert_allclose(np.asarray(lu_), [[5, 6], [0.2, 0.8], [0.6, 0.5]], rtol=1e-5)
    with enable_x64():
        a = np.random.default_rng(0).standard_normal((2, 4, 4))
        out = linalg.lu(a)
        assert out[0].dtype == np.float64 and out[1].dtype == np.int32
        check_lu(a, *out)


@SETTINGS
@given(batch=batch_shapes, k=st.integers(0, 4), extra=st.integers(0, 2), seed=seeds)
def test_lu_pivots_to_permutation_vs_loop(batch, k, extra, seed):
    size = k + extra
    rng = np.random.default_rng(seed)
    piv = rng.integers(0, max(size, 1), batch + (k,)).astype(np.int32)
    piv = np.maximum(piv, np.arange(k, dtype=np.int32)) if size else piv
    want = np.empty(batch + (size,), np.int32)
    for idx in np.ndindex(*batch):
        p = list(range(size))
        for i, j in enumerate(piv[idx]):
            p[i], p[j] = p[j], p[i]
        want[idx] = p
    np.testing.assert_array_equal(np.asarray(linalg.lu_pivots_to_permutation(piv, size)), want)


def test_lu_pivots_to_permutation_out_of_range_matches_jax():
    jl = jax_linalg()
    rng = np.random.default_rng(0)
    for size, k in [(1, 1), (3, 2), (5, 5)]:
        piv = rng.integers(-8, 9, (200, k)).astype(np.int32)
        np.testing.assert_array_equal(
            np.asarray(linalg.lu_pivots_to_permutation(piv, size)),
            np.asarray(jl.lu_pivots_to_permutation(piv, size)))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: linalg.lu(np.eye(2, dtype=np.int32)), TypeError, "does not accept dtype int32"),
    (lambda: linalg.lu(np.ones(3, np.float32)), TypeError, "rank at least 2"),
    (lambda: linalg.lu_pivots_to_permutation(np.array([2, 2, 2], np.int32), 2), ValueError,
     "has to exceed"),
    (lambda: linalg.lu_pivots_to_permutation(np.array([2, 2], np.int16), 4), TypeError,
     "int32"),
])
def test_lu_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ============================================================================= qr

@SETTINGS
@given(batch=batch_shapes, m=sizes, n=sizes, full=st.booleans(), seed=seeds)
def test_qr_reconstructs(batch, m, n, full, seed):
    a = np.random.default_rng(seed).standard_normal(batch + (m, n)).astype(np.float32)
    q, r = (np.asarray(v) for v in linalg.qr(a, full_matrices=full))
    k = m if full else min(m, n)
    assert q.shape == batch + (m, k) and r.shape == batch + (k, n)
    assert q.dtype == r.dtype == np.float32
    np.testing.assert_array_equal(np.tril(r, -1), 0)
    q64 = q.astype(np.float64)
    close(T(q64) @ q64, np.broadcast_to(np.eye(k), batch + (k, k)), np.float32)
    close(q64 @ r, a, np.float32, scale=max(1.0, np.abs(a).max(initial=1)))
    assert [v.shape for v in avals(lambda v: linalg.qr(v, full_matrices=full), a)] == [
        q.shape, r.shape]


@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (20, 4, 4), (20, 5, 3), (20, 3, 5),
                                   (2, 2, 3, 2)])
@pytest.mark.parametrize("full", [True, False])
def test_qr_vs_jax(shape, full):
    jl = jax_linalg()
    a = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    want = [np.asarray(v) for v in jl.qr(a, full_matrices=full)]
    got = [np.asarray(v) for v in linalg.qr(a, full_matrices=full)]
    assert [g.shape for g in got] == [w.shape for w in want]
    # LAPACK's Householder signs; the trailing columns of a full Q (m > n) are only
    # determined up to the orthogonal complement, so compare R and the first min(m, n).
    k = min(shape[-2:])
    close(got[1], want[1], np.float32, scale=np.abs(a).max(initial=1))
    close(got[0][..., :k], want[0][..., :k], np.float32)


def test_qr_pivoting_not_implemented():
    with pytest.raises(NotImplementedError, match="pivoting"):
        linalg.qr(np.eye(3, dtype=np.float32), pivoting=True)
    with pytest.raises(TypeError, match="does not accept dtype int32"):
        linalg.qr(np.eye(3, dtype=np.int32))


# ============================================================================= eigh

@SETTINGS
@given(batch=batch_shapes, n=sizes, seed=seeds, lower=st.booleans())
def test_eigh_reconstructs(batch, n, seed, lower):
    rng = np.random.default_rng(seed)
    a = symmetric(rng, batch, n)
    v, w = (np.asarray(x) for x in linalg.eigh(a))
    assert v.shape == a.shape and w.shape == batch + (n,)
    assert v.dtype == w.dtype == np.float32
    assert (np.diff(w, axis=-1) >= 0).all()
    v64 = v.astype(np.float64)
    close(T(v64) @ v64, np.broadcast_to(np.eye(n), a.shape), np.float32)
    close((v64 * w[..., None, :]) @ T(v64), a, np.float32, scale=max(1, np.abs(a).max(initial=1)))
    close(w, np.linalg.eigvalsh(a.astype(np.float64)), np.float32, scale=4)
    # without symmetrization only the `lower` (or upper) triangle is read
    keep = np.tril(np.ones((n, n), bool)) if lower else np.triu(np.ones((n, n), bool))
    noisy = np.where(keep, a, np.float32(1e3))
    v2, w2 = linalg.eigh(noisy, lower=lower, symmetrize_input=False)
    close(np.asarray(w2), w, np.float32, scale=4)
    out = avals(linalg.eigh, a)
    assert [x.shape for x in out] == [a.shape, batch + (n,)]


@pytest.mark.parametrize("shape", [(1, 1), (30, 3, 3), (2, 3, 4, 4)])
def test_eigh_vs_jax(shape):
    jl = jax_linalg()
    a = symmetric(np.random.default_rng(sum(shape)), shape[:-2], shape[-1])
    vj, wj = (np.asarray(x) for x in jl.eigh(a))
    v, w = (np.asarray(x) for x in linalg.eigh(a))
    close(w, wj, np.float32, scale=4)
    assert v.shape == vj.shape and v.dtype == vj.dtype
    # eigenvector signs are not specified: compare |v_i . vj_i| = 1 where the
    # eigenvalues are well separated
    gaps = np.diff(wj, axis=-1)
    sep = np.ones(wj.shape, bool)
    sep[..., 1:] &= gaps > 1e-2
    sep[..., :-1] &= gaps > 1e-2
    dots = np.abs(np.sum(v.astype(np.float64) * vj, axis=-2))
    close(dots[sep], np.ones_like(dots[sep]), np.float32)


def test_eigh_subset_and_errors():
    a = np.diag(np.arange(4.0, dtype=np.float32))
    v, w = linalg.eigh(a, subset_by_index=(1, 3))
    assert v.shape == (4, 2)
    np.testing.assert_allclose(np.asarray(w), [1, 2])
    with pytest.raises(ValueError, match=r"shape \[..., n, n\]"):
        linalg.eigh(np.ones((2, 3), np.float32), symmetrize_input=False)
    with pytest.raises(ValueError, match="subset_by_index"):
        linalg.eigh(a, subset_by_index=(3, 5))
    with pytest.raises(TypeError, match="rank at least 2"):
        linalg.eigh(np.ones(3, np.float32), symmetrize_input=False)
    jaxpr = tinyjax.make_jaxpr(linalg.eigh)(a)
    eqn = jaxpr.jaxpr.eqns[-1]
    assert eqn.primitive is linalg.eigh_p
    assert eqn.params == dict(lower=True, sort_eigenvalues=True, subset_by_index=None,
                              algorithm=None)
    assert [e.primitive.name for e in jaxpr.jaxpr.eqns[:-1]] == ["transpose", "add", "div"]


# ============================================================================= svd

@SETTINGS
@given(batch=batch_shapes, m=sizes, n=sizes, full=st.booleans(), seed=seeds)
def test_svd_reconstructs(batch, m, n, full, seed):
    a = np.random.default_rng(seed).standard_normal(batch + (m, n)).astype(np.float32)
    u, s, vh = (np.asarray(x) for x in linalg.svd(a, full_matrices=full))
    k = min(m, n)
    assert s.shape == batch + (k,)
    assert u.shape == batch + (m, m if full else k)
    assert vh.shape == batch + (n if full else k, n)
    assert (s >= 0).all() and (np.diff(s, axis=-1) <= 0).all()
    u64, vh64 = u.astype(np.float64), vh.astype(np.float64)
    close(T(u64) @ u64, np.broadcast_to(np.eye(u.shape[-1]), batch + (u.shape[-1],) * 2),
          np.float32)
    close(vh64 @ T(vh64), np.broadcast_to(np.eye(vh.shape[-2]), batch + (vh.shape[-2],) * 2),
          np.float32)
    close((u64[..., :, :k] * s[..., None, :]) @ vh64[..., :k, :], a, np.float32,
          scale=max(1, np.abs(a).max(initial=1)))
    s_only = np.asarray(linalg.svd(a, compute_uv=False))
    close(s_only, s, np.float32, scale=max(1, s.max(initial=1)))
    assert [x.shape for x in avals(lambda v: linalg.svd(v, full_matrices=full), a)] == [
        u.shape, s.shape, vh.shape]


@pytest.mark.parametrize("shape", [(0, 3), (20, 4, 4), (20, 5, 3), (2, 3, 2, 4)])
def test_svd_vs_jax(shape):
    jl = jax_linalg()
    a = np.random.default_rng(sum(shape)).standard_normal(shape).astype(np.float32)
    for full in (True, False):
        want = [np.asarray(x) for x in jl.svd(a, full_matrices=full)]
        got = [np.asarray(x) for x in linalg.svd(a, full_matrices=full)]
        assert [g.shape for g in got] == [w.shape for w in want]
        assert [g.dtype for g in got] == [w.dtype for w in want]
        close(got[1], want[1], np.float32, scale=max(1, want[1].max(initial=1)))


def test_svd_nan_subset_and_errors():
    u, s, vh = linalg.svd(np.array([[np.nan, 1.0], [1.0, 2.0]], np.float32))
    assert np.isnan(np.asarray(u)).all() and np.isnan(np.asarray(s)).all()
    assert np.isnan(np.asarray(vh)).all()
    a = np.diag(np.array([3.0, 2.0, 1.0], np.float32))
    u, s, vh = linalg.svd(a, full_matrices=False, subset_by_index=(0, 2))
    assert np.asarray(s).tolist() == [3.0, 2.0] and u.shape == (3, 2) and vh.shape == (2, 3)
    with pytest.raises(ValueError, match="full_matrices and subset_by_index"):
        linalg.svd(a, subset_by_index=(0, 1))
    with pytest.raises(TypeError, match="does not accept dtype int32"):
        linalg.svd(np.eye(2, dtype=np.int32))
    jaxpr = tinyjax.make_jaxpr(lambda v: linalg.svd(v, compute_uv=False))(a)
    (eqn,) = jaxpr.jaxpr.eqns
    assert eqn.primitive is linalg.svd_p and eqn.params["compute_uv"] is False
    assert [v.shape for v in jaxpr.out_avals] == [(3,)]
    with enable_x64():
        a = np.random.default_rng(1).standard_normal((2, 3, 3))
        u, s, vh = (np.asarray(x) for x in linalg.svd(a))
        assert s.dtype == np.float64
        close((u * s[..., None, :]) @ vh, a, np.float64, scale=10)
