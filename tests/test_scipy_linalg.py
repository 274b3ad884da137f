"""tinyjax.scipy.linalg against scipy.linalg (and JAX where the two differ).

Solvers, factorisations with a unique form (Cholesky, LU with partial
pivoting), expm, block_diag and toeplitz are compared value for value with
SciPy; QR, SVD and eigh through their identities and convention-free parts.
Batched inputs, float32 and float64 (enable_x64), singular inputs (inf/NaN, no
exception), error messages, and tracing with make_jaxpr.
"""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linalg_helpers import T, close, rand, spd, symmetric, well_conditioned, x64

import tinyjax
import tinyjax.scipy.linalg as S
from tinyjax.core.config import enable_x64

sl = pytest.importorskip("scipy.linalg")

SETTINGS = settings(max_examples=20, deadline=None)
batch_shapes = st.sampled_from([(), (), (2,), (3,), (2, 2), (0,)])
seeds = st.integers(0, 2**31)
DTYPES = [np.float32, np.float64]


def per_matrix(fn, *arrays):
    """Apply a 2-D SciPy function to each matrix of a batch (older SciPy has no batching)."""
    batch = arrays[0].shape[:-2]
    flat = [a.reshape((int(np.prod(batch)),) + a.shape[len(batch):]) for a in arrays]
    outs = [fn(*args) for args in zip(*flat)]
    if not outs:
        return None
    return np.stack(outs).reshape(batch + np.shape(outs[0]))


def test_namespace():
    assert set(S.__all__) == {
        "block_diag", "cho_factor", "cho_solve", "cholesky", "det", "eigh", "expm", "inv",
        "lu", "lu_factor", "lu_solve", "qr", "solve", "solve_triangular", "svd", "toeplitz"}
    for name in S.__all__:
        assert callable(getattr(S, name)) and getattr(S, name).__doc__


# ============================================================================= triangular solves

@SETTINGS
@given(batch=batch_shapes, n=st.integers(1, 5), seed=seeds, lower=st.booleans(),
       trans=st.sampled_from([0, 1, 2, "N", "T", "C"]), unit=st.booleans(),
       vector=st.booleans(), dtype=st.sampled_from(DTYPES))
def test_solve_triangular(batch, n, seed, lower, trans, unit, vector, dtype):
    rng = np.random.default_rng(seed)
    a = well_conditioned(rng, batch, n, dtype)
    b = rand(rng, (n,) if vector else batch + (n, 2), dtype)
    with x64(dtype):
        got = S.solve_triangular(a, b, trans=trans, lower=lower, unit_diagonal=unit)
    assert got.dtype == dtype
    if a.size:
        want = per_matrix(lambda m, r: sl.solve_triangular(
            m, r, trans=trans, lower=lower, unit_diagonal=unit), a,
            np.broadcast_to(b, batch + b.shape) if vector else b)
        close(got, want, dtype, scale=10)
    assert got.shape == batch + b.shape[-1:] if vector else batch + (n, 2)


def test_solve_triangular_broadcasts_and_reads_one_triangle():
    rng = np.random.default_rng(0)
    a = well_conditioned(rng, (3,), 4)
    b = rand(rng, (4, 2))
    got = S.solve_triangular(a, b, lower=True)  # b is broadcast over a's batch
    assert got.shape == (3, 4, 2)
    close(got, per_matrix(lambda m: sl.solve_triangular(m, b, lower=True), a))
    junk = np.tril(a) + np.triu(np.full((4, 4), 1e3, np.float32), 1)
    close(S.solve_triangular(junk, b, lower=True), got)
    # ints are promoted to float32, as in JAX
    assert S.solve_triangular(np.eye(2, dtype=np.int32), np.ones(2, np.int32)).dtype == \
        np.float32


def test_solve_triangular_batched_vector_rhs_warns_as_jax():
    a = np.broadcast_to(np.eye(3, dtype=np.float32) * 2, (4, 3, 3))
    with pytest.warns(FutureWarning, match="batched 1-D solves"):
        got = S.solve_triangular(a, np.ones((4, 3), np.float32))
    assert got.shape == (4, 3)
    close(got, np.full((4, 3), 0.5))


def test_solve_triangular_errors():
    a = np.eye(3, dtype=np.float32)
    with pytest.raises(ValueError, match="invalid 'trans' value 5"):
        S.solve_triangular(a, np.ones(3, np.float32), trans=5)
    with pytest.raises(ValueError, match=r"shape \[\.\.\., n, n\].*\(3, 4\)"):
        S.solve_triangular(np.ones((3, 4), np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="must have length 3"):
        S.solve_triangular(a, np.ones(4, np.float32))
    with pytest.raises(ValueError, match=r"b must have shape \[\.\.\., 3, k\]"):
        S.solve_triangular(a, np.ones((4, 2), np.float32))


def test_solve_triangular_singular_gives_nonfinite():
    a = np.array([[1.0, 0.0], [1.0, 0.0]], np.float32)
    got = np.asarray(S.solve_triangular(a, np.ones(2, np.float32), lower=True))
    assert not np.isfinite(got).all()


# ============================================================================= Cholesky

@pytest.mark.parametrize("lower", [False, True])
@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky_cho_factor_cho_solve(lower, dtype):
    rng = np.random.default_rng(1)
    a = spd(rng, (2,), 4, dtype)
    b = rand(rng, (2, 4, 3), dtype)
    v = rand(rng, (4,), dtype)
    with x64(dtype):
        c = S.cholesky(a, lower=lower)
        cf = S.cho_factor(a, lower=lower)
        x = S.cho_solve(cf, b)
        xv = S.cho_solve(cf, v)
    assert c.dtype == dtype and cf[1] is lower
    close(c, per_matrix(lambda m: sl.cholesky(m, lower=lower), a), dtype, scale=10)
    close(cf[0], c, dtype)
    close(x, np.linalg.solve(a, b), dtype, scale=10)
    close(xv, np.linalg.solve(a, v), dtype, scale=10)
    c = np.asarray(c)
    close(c @ T(c) if lower else T(c) @ c, a, dtype, scale=10)


def test_cholesky_reads_one_triangle_and_nan_when_not_pd():
    a = spd(np.random.default_rng(2), (), 3)
    up = np.triu(a) + np.tril(np.full((3, 3), 7.0, np.float32), -1)
    lo = np.tril(a) + np.triu(np.full((3, 3), 7.0, np.float32), 1)
    close(S.cholesky(up), sl.cholesky(a))
    close(S.cholesky(lo, lower=True), sl.cholesky(a, lower=True))
    bad = np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)
    assert np.isnan(np.asarray(S.cholesky(bad))).any()
    with pytest.raises(ValueError, match=r"cholesky: a must have shape .*\(2, 3\)"):
        S.cholesky(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="pair \\(c, lower\\)"):
        S.cho_solve(np.eye(2, dtype=np.float32), np.ones(2, np.float32))


# ============================================================================= LU

@pytest.mark.parametrize("shape", [(4, 4), (3, 5), (5, 3), (2, 3, 3), (2, 1, 4, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lu(shape, dtype):
    a = rand(np.random.default_rng(3), shape, dtype)
    with x64(dtype):
        p, l, u = S.lu(a)
        pl, u2 = S.lu(a, permute_l=True)
        pi, _, _ = S.lu(a, p_indices=True)
        pli, _ = S.lu(a, permute_l=True, p_indices=True)
    wp, wl, wu = sl.lu(a)
    assert p.dtype == dtype and pi.dtype == np.int32
    np.testing.assert_array_equal(p, wp)
    close(l, wl, dtype, scale=10)
    close(u, wu, dtype, scale=10)
    close(pl, sl.lu(a, permute_l=True)[0], dtype, scale=10)
    close(pli, pl, dtype)
    close(u2, u, dtype)
    np.testing.assert_array_equal(pi, sl.lu(a, p_indices=True)[0])
    close(np.asarray(p) @ np.asarray(l) @ np.asarray(u), a, dtype, scale=10)


@pytest.mark.parametrize("dtype", DTYPES)
def test_lu_factor_and_lu_solve(dtype):
    rng = np.random.default_rng(4)
    a = well_conditioned(rng, (3,), 4, dtype)
    b = rand(rng, (3, 4, 2), dtype)
    v = rand(rng, (4,), dtype)
    with x64(dtype):
        lu, piv = S.lu_factor(a)
        xs = {t: S.lu_solve((lu, piv), b, trans=t) for t in (0, 1, 2)}
        xv = S.lu_solve((lu, piv), v, trans=1)
    assert piv.dtype == np.int32 and lu.dtype == dtype
    for i in range(3):
        wlu, wpiv = sl.lu_factor(a[i])
        close(lu[i], wlu, dtype, scale=10)
        np.testing.assert_array_equal(piv[i], wpiv)
        for t in (0, 1, 2):
            close(xs[t][i], sl.lu_solve((wlu, wpiv), b[i], trans=t), dtype, scale=10)
        close(xv[i], sl.lu_solve((wlu, wpiv), v, trans=1), dtype, scale=10)


def test_lu_singular_and_errors():
    sing = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    p, l, u = map(np.asarray, S.lu(sing))
    close(p @ l @ u, sing)
    assert not np.isfinite(np.asarray(S.lu_solve(S.lu_factor(sing),
                                                 np.ones(2, np.float32)))).all()
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        S.lu(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        S.lu_factor(np.ones(3, np.float32))
    lu_piv = S.lu_factor(np.eye(2, dtype=np.float32))
    with pytest.raises(ValueError, match="'trans' must be 0, 1 or 2, got 3"):
        S.lu_solve(lu_piv, np.ones(2, np.float32), trans=3)
    with pytest.raises(ValueError, match=r"piv must have shape \(2,\)"):
        S.lu_solve((lu_piv[0], np.zeros(3, np.int32)), np.ones(2, np.float32))
    with pytest.raises(ValueError, match="pair \\(lu, piv\\)"):
        S.lu_solve(lu_piv[0], np.ones(2, np.float32))


# ============================================================================= QR / SVD / eigh

@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_qr(shape, dtype):
    a = rand(np.random.default_rng(5), shape, dtype)
    m, n = shape[-2:]
    k = min(m, n)
    with x64(dtype):
        q, r = S.qr(a)
        qe, re = S.qr(a, mode="economic")
        (r_only,) = S.qr(a, mode="r")
    assert q.shape == shape[:-2] + (m, m) and r.shape == shape[:-2] + (m, n)
    assert qe.shape == shape[:-2] + (m, k) and re.shape == shape[:-2] + (k, n)
    q, r, qe, re = map(np.asarray, (q, r, qe, re))
    close(q @ r, a, dtype, scale=10)
    close(qe @ re, a, dtype, scale=10)
    close(T(q) @ q, np.broadcast_to(np.eye(m), q.shape), dtype, scale=10)
    close(r_only, r, dtype)
    close(np.abs(re), np.abs(per_matrix(lambda x: sl.qr(x, mode="economic")[1], a)), dtype,
          scale=10)


def test_qr_errors():
    a = np.ones((3, 3), np.float32)
    with pytest.raises(ValueError, match="unsupported mode 'raw'"):
        S.qr(a, mode="raw")
    with pytest.raises(NotImplementedError, match="pivoting"):
        S.qr(a, pivoting=True)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        S.qr(np.ones(3, np.float32))


@pytest.mark.parametrize("shape", [(5, 3), (3, 5), (2, 4, 4)])
def test_svd(shape):
    a = rand(np.random.default_rng(6), shape)
    u, s, vh = map(np.asarray, S.svd(a))
    ue, se, vhe = map(np.asarray, S.svd(a, full_matrices=False))
    assert u.shape[-1] == shape[-2] and vh.shape[-2] == shape[-1]
    close(s, per_matrix(lambda x: sl.svd(x, compute_uv=False), a), scale=10)
    close(S.svd(a, compute_uv=False), s)
    close((ue * se[..., None, :]) @ vhe, a, scale=10)
    with pytest.raises(ValueError, match="lapack_driver"):
        S.svd(a, lapack_driver="foo")


@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh_standard(dtype):
    a = symmetric(np.random.default_rng(7), (2,), 4, dtype)
    with x64(dtype):
        w, v = S.eigh(a)
        w_only = S.eigh(a, eigvals_only=True)
        w_sub = S.eigh(a, eigvals_only=True, subset_by_index=(1, 2))
    assert w.dtype == dtype
    want = per_matrix(lambda x: sl.eigh(x, eigvals_only=True), a)
    close(w, want, dtype, scale=10)
    close(w_only, want, dtype, scale=10)
    close(w_sub, want[..., 1:3], dtype, scale=10)
    w, v = np.asarray(w), np.asarray(v)
    close(a @ v, v * w[..., None, :], dtype, scale=10)


@pytest.mark.parametrize("type", [1, 2, 3])
@pytest.mark.parametrize("lower", [True, False])
@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh_generalized(type, lower, dtype):
    rng = np.random.default_rng(8)
    a = symmetric(rng, (2,), 4, dtype)
    b = spd(rng, (2,), 4, dtype)
    with x64(dtype):
        w, v = S.eigh(a, b, lower=lower, type=type)
        w_only = S.eigh(a, b, type=type, eigvals_only=True)
    want = per_matrix(lambda x, y: sl.eigh(x, y, type=type, eigvals_only=True), a, b)
    close(w, want, dtype, scale=100)
    close(w_only, want, dtype, scale=100)
    w, v = np.asarray(w, np.float64), np.asarray(v, np.float64)
    a, b = a.astype(np.float64), b.astype(np.float64)
    lhs = {1: a @ v, 2: a @ b @ v, 3: b @ a @ v}[type]
    rhs = {1: b @ v * w[..., None, :], 2: v * w[..., None, :], 3: v * w[..., None, :]}[type]
    close(lhs, rhs, dtype, scale=100)
    # LAPACK sygv normalisation
    norm = T(v) @ (np.linalg.inv(b) if type == 3 else b) @ v
    close(norm, np.broadcast_to(np.eye(4), norm.shape), dtype, scale=100)


def test_eigh_errors():
    a = np.eye(3, dtype=np.float32)
    with pytest.raises(ValueError, match="type must be 1, 2 or 3"):
        S.eigh(a, a, type=4)
    with pytest.raises(NotImplementedError, match="eigvals"):
        S.eigh(a, eigvals=(0, 1))
    with pytest.raises(ValueError, match="same matrix size"):
        S.eigh(a, np.eye(2, dtype=np.float32))
    with pytest.raises(ValueError, match=r"b must have shape .*\(2, 3\)"):
        S.eigh(a, np.ones((2, 3), np.float32))


# ============================================================================= expm

@SETTINGS
@given(batch=batch_shapes, n=st.integers(0, 5), seed=seeds,
       scale=st.sampled_from([1e-3, 0.3, 1.0, 4.0, 20.0]), dtype=st.sampled_from(DTYPES))
def test_expm(batch, n, seed, scale, dtype):
    a = (scale * np.random.default_rng(seed).standard_normal(batch + (n, n))).astype(dtype)
    with x64(dtype):
        got = S.expm(a)
    assert got.shape == a.shape and got.dtype == dtype
    want = per_matrix(lambda m: sl.expm(m.astype(np.float64)), a)
    if want is not None:
        # relative to each matrix's largest entry: float32 loses ~log2(squarings) digits
        big = np.abs(want).max(axis=(-1, -2), keepdims=True) if n else 1.0
        rel = 50 if np.dtype(dtype) == np.float32 else 1000
        close(np.asarray(got, np.float64) / big, want / big, dtype, scale=rel)


def test_expm_special_cases():
    close(S.expm(np.zeros((3, 3), np.float32)), np.eye(3))
    d = np.diag(np.array([1.0, -2.0, 0.5], np.float32))
    close(S.expm(d), np.diag(np.exp([1.0, -2.0, 0.5])))
    rot = np.array([[0.0, -np.pi / 3], [np.pi / 3, 0.0]], np.float32)
    c, s = np.cos(np.pi / 3), np.sin(np.pi / 3)
    close(S.expm(rot), [[c, -s], [s, c]])
    nil = np.array([[0.0, 1.0, 2.0], [0.0, 0.0, 3.0], [0.0, 0.0, 0.0]], np.float32)
    close(S.expm(nil), sl.expm(nil))
    up = np.triu(rand(np.random.default_rng(9), (2, 4, 4)))
    close(S.expm(up, upper_triangular=True), per_matrix(sl.expm, up), scale=10)
    assert S.expm(np.eye(2, dtype=np.int32)).dtype == np.float32
    assert S.expm(np.eye(2, dtype=np.float16)).dtype == np.float16
    close(S.expm(np.eye(2, dtype=np.float16)), np.e * np.eye(2))


def test_expm_too_many_squarings_and_nonfinite_give_nan():
    # the 1-norm 1e9 needs ~28 squarings, more than max_squarings=16: NaN, as JAX
    assert np.isnan(np.asarray(S.expm(np.diag(np.array([1e9, 1.0], np.float32))))).all()
    assert np.isnan(np.asarray(S.expm(np.full((2, 2), np.nan, np.float32)))).all()
    assert np.isnan(np.asarray(S.expm(np.array([[np.inf, 0.0], [0.0, 1.0]],
                                                np.float32)))).all()
    # with more squarings allowed it is computed
    with enable_x64():
        got = S.expm(np.diag(np.array([-1e6, 1.0])), max_squarings=24)
    close(got, np.diag([0.0, np.e]), np.float64)


def test_expm_errors():
    with pytest.raises(ValueError, match=r"expm: A must have shape .*\(2, 3\)"):
        S.expm(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"\(3,\)"):
        S.expm(np.ones(3, np.float32))


# ============================================================================= inv / det / solve

def test_inv_and_det():
    a = well_conditioned(np.random.default_rng(10), (2, 3), 4)
    close(S.inv(a), np.linalg.inv(a), scale=10)
    close(S.det(a), np.linalg.det(a), scale=10)
    sing = np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)
    assert not np.isfinite(np.asarray(S.inv(sing))).all()
    assert float(S.det(sing)) == 0.0
    with enable_x64():
        assert S.det(np.eye(3)).dtype == np.float64


@pytest.mark.parametrize("assume_a", ["gen", "sym", "her", "pos", "general", "symmetric",
                                      "positive definite"])
@pytest.mark.parametrize("dtype", DTYPES)
def test_solve(assume_a, dtype):
    rng = np.random.default_rng(11)
    a = spd(rng, (2,), 4, dtype)
    b = rand(rng, (2, 4, 3), dtype)
    v = rand(rng, (4,), dtype)
    with x64(dtype):
        x = S.solve(a, b, assume_a=assume_a)
        xv = S.solve(a, v, assume_a=assume_a, lower=True)
    assert x.dtype == dtype and x.shape == (2, 4, 3) and xv.shape == (2, 4)
    close(x, np.linalg.solve(a, b), dtype, scale=10)
    close(xv, np.linalg.solve(a, v), dtype, scale=10)


def test_solve_structured_and_transposed():
    rng = np.random.default_rng(12)
    a = well_conditioned(rng, (), 4)
    b = rand(rng, (4, 2))
    for kind in ("lower triangular", "upper triangular", "diagonal"):
        m = {"lower triangular": np.tril(a), "upper triangular": np.triu(a),
             "diagonal": np.diag(np.diag(a))}[kind]
        close(S.solve(m, b, assume_a=kind), np.linalg.solve(m, b), scale=10)
        close(S.solve(m, b, assume_a=kind, transposed=True), np.linalg.solve(m.T, b),
              scale=10)
    close(S.solve(a, b, transposed=True), sl.solve(a, b, transposed=True), scale=10)


def test_solve_errors():
    a = np.eye(3, dtype=np.float32)
    with pytest.raises(ValueError, match="assume_a must be one of .* got 'foo'"):
        S.solve(a, np.ones(3, np.float32), assume_a="foo")
    with pytest.raises(ValueError, match=r"solve: a must have shape .*\(3, 4\)"):
        S.solve(np.ones((3, 4), np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="must have length 3"):
        S.solve(a, np.ones(2, np.float32), assume_a="pos")


# ============================================================================= block_diag / toeplitz

def test_block_diag():
    rng = np.random.default_rng(13)
    arrs = [rand(rng, (2, 3)), np.float32(5.0), np.arange(3, dtype=np.int32),
            rand(rng, (0, 2)), rand(rng, (1, 1))]
    got = S.block_diag(*arrs)
    want = sl.block_diag(*arrs)
    assert got.shape == want.shape and got.dtype == np.float32
    close(got, want)
    ints = S.block_diag(np.ones((2, 2), np.int32), np.int32(3))
    assert ints.dtype == np.int32
    np.testing.assert_array_equal(ints, sl.block_diag(np.ones((2, 2)), 3))
    empty = S.block_diag()
    assert empty.shape == (1, 0)  # as SciPy and JAX
    with pytest.raises(ValueError, match=r"at most 2 dimensions, got shape \(2, 2, 2\) at "
                                         r"argument 1"):
        S.block_diag(np.ones(2, np.float32), np.ones((2, 2, 2), np.float32))


def test_toeplitz():
    c = np.array([1, 2, 3], np.int32)
    r = np.array([1.0, 4.0, 5.0, 6.0], np.float32)
    got = S.toeplitz(c)
    assert got.dtype == np.int32
    np.testing.assert_array_equal(got, sl.toeplitz(c))
    got = S.toeplitz(c, r)
    assert got.dtype == np.float32 and got.shape == (3, 4)
    np.testing.assert_array_equal(got, sl.toeplitz(c, r))
    np.testing.assert_array_equal(S.toeplitz(np.float32(3)), [[3.0]])
    assert S.toeplitz(np.zeros(0, np.float32), r).shape == (0, 4)
    # leading dimensions are batch dimensions, broadcast between c and r
    cb = rand(np.random.default_rng(14), (2, 3))
    got = S.toeplitz(cb, r)
    assert got.shape == (2, 3, 4)
    for i in range(2):
        close(got[i], sl.toeplitz(cb[i], r))
    close(S.toeplitz(cb)[1], sl.toeplitz(cb[1]))
    with pytest.raises(ValueError, match="do not broadcast"):
        S.toeplitz(np.ones((2, 3), np.float32), np.ones((3, 3), np.float32))


# ============================================================================= tracing

def _trace_cases():
    rng = np.random.default_rng(15)
    a = well_conditioned(rng, (2,), 3)
    s = spd(rng, (2,), 3)
    v = rand(rng, (3,))
    r = rand(rng, (4, 3))
    return [
        ("solve_triangular", lambda x: S.solve_triangular(x, v, lower=True), a, [(2, 3)]),
        ("cholesky", S.cholesky, s, [(2, 3, 3)]),
        ("cho_factor", lambda x: S.cho_factor(x)[0], s, [(2, 3, 3)]),
        ("cho_solve", lambda x: S.cho_solve(S.cho_factor(x, lower=True), v), s, [(2, 3)]),
        ("lu", S.lu, r, [(4, 4), (4, 3), (3, 3)]),
        ("lu_permute_l", lambda x: S.lu(x, permute_l=True), r, [(4, 3), (3, 3)]),
        ("lu_factor", S.lu_factor, a, [(2, 3, 3), (2, 3)]),
        ("lu_solve", lambda x: S.lu_solve(S.lu_factor(x), v, trans=1), a, [(2, 3)]),
        ("qr", S.qr, r, [(4, 4), (4, 3)]),
        ("qr_r", lambda x: S.qr(x, mode="r"), r, [(4, 3)]),
        ("svd", S.svd, r, [(4, 4), (3,), (3, 3)]),
        ("eigh", S.eigh, s, [(2, 3), (2, 3, 3)]),
        ("eigh_generalized", lambda x: S.eigh(x, s, type=2), a, [(2, 3), (2, 3, 3)]),
        ("expm", S.expm, a, [(2, 3, 3)]),
        ("inv", S.inv, a, [(2, 3, 3)]),
        ("det", S.det, a, [(2,)]),
        ("solve", lambda x: S.solve(x, v, assume_a="pos"), s, [(2, 3)]),
        ("block_diag", lambda x: S.block_diag(x[0], x[1, 0]), a, [(4, 6)]),
        ("toeplitz", lambda x: S.toeplitz(x[0], x[1]), a, [(3, 3, 3)]),
    ]


@pytest.mark.parametrize("name,fn,arg,shapes", _trace_cases(),
                         ids=lambda c: c if isinstance(c, str) else "")
def test_traces_with_make_jaxpr(name, fn, arg, shapes):
    closed = tinyjax.make_jaxpr(fn)(arg)
    assert [tuple(o.shape) for o in closed.out_avals] == shapes
    eager = tinyjax.tree_util.tree_leaves(fn(arg))
    assert [tuple(np.shape(e)) for e in eager] == shapes


def test_expm_is_data_independent_under_tracing():
    # the squarings are selects, not Python branches: one jaxpr serves every norm
    jaxpr = tinyjax.make_jaxpr(S.expm)(np.zeros((2, 2), np.float32))
    prims = [e.primitive.name for e in jaxpr.jaxpr.eqns]
    assert prims.count("dot_general") >= 16 + 6
