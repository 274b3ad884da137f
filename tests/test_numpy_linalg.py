"""tinyjax.numpy.linalg against numpy.linalg (and JAX where the two differ).

Decompositions whose signs are conventional (QR, eigh, SVD, Cholesky) are
checked through their defining identities plus the convention-free parts
(eigenvalues, singular values, |R| diagonal); solvers, inverses, determinants
and norms against NumPy's values. Every function is checked on batched inputs,
in float32 and (under enable_x64) float64, for its result dtype, its errors, and
that it traces with make_jaxpr.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from linalg_helpers import T, close, rand, spd, symmetric, well_conditioned, x64

import tinyjax
import tinyjax.numpy as jnp
from tinyjax.core.config import enable_x64
from tinyjax.core.errors import ConcretizationTypeError

L = jnp.linalg
SETTINGS = settings(max_examples=20, deadline=None)
batch_shapes = st.sampled_from([(), (), (2,), (3,), (2, 2), (0,)])
sizes = st.integers(0, 5)
seeds = st.integers(0, 2**31)
DTYPES = [np.float32, np.float64]


def jax_np():
    return pytest.importorskip("jax").numpy


SINGULAR = np.array([[1.0, 2.0, 3.0], [2.0, 4.0, 6.0], [1.0, 1.0, 1.0]], np.float32)


# ============================================================================= namespace

def test_namespace_lists_every_public_function():
    expected = {
        "cholesky", "cond", "cross", "det", "diagonal", "eigh", "eigvalsh", "inv", "lstsq",
        "matmul", "matrix_norm", "matrix_power", "matrix_rank", "matrix_transpose",
        "multi_dot", "norm", "outer", "pinv", "qr", "slogdet", "solve", "svd", "svdvals",
        "tensordot", "tensorinv", "tensorsolve", "trace", "vecdot", "vector_norm"}
    assert set(L.__all__) == expected
    for name in L.__all__:
        assert callable(getattr(L, name)) and getattr(L, name).__doc__
    # results would be complex: out of scope in tinyjax
    assert not hasattr(L, "eig") and not hasattr(L, "eigvals")


# ============================================================================= norms

VECTOR_ORDS = [None, 2, 1, np.inf, -np.inf, 0, 3, -1, 0.5]
MATRIX_ORDS = [None, "fro", "nuc", 1, -1, 2, -2, np.inf, -np.inf]


@pytest.mark.parametrize("ord", VECTOR_ORDS)
@pytest.mark.parametrize("axis", [0, -1, 1])
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm_vector_orders(ord, axis, keepdims):
    x = rand(np.random.default_rng(0), (3, 4, 2))
    x[0, 0, 0] = 0.0  # exercises ord=0 and the negative orders
    got = L.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    with np.errstate(divide="ignore"):
        want = np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == np.float32
    close(got, want)


@pytest.mark.parametrize("ord", MATRIX_ORDS)
@pytest.mark.parametrize("axis", [(0, 1), (1, 0), (-1, 0), (2, 1)])
@pytest.mark.parametrize("keepdims", [False, True])
def test_norm_matrix_orders(ord, axis, keepdims):
    x = rand(np.random.default_rng(1), (3, 4, 5))
    got = L.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    want = np.linalg.norm(x, ord=ord, axis=axis, keepdims=keepdims)
    assert got.shape == want.shape and got.dtype == np.float32
    close(got, want)


@pytest.mark.parametrize("shape", [(), (5,), (3, 4), (2, 3, 4)])
def test_norm_axis_none(shape):
    x = rand(np.random.default_rng(2), shape)
    close(L.norm(x), np.linalg.norm(x))
    assert L.norm(x, keepdims=True).shape == np.linalg.norm(x, keepdims=True).shape
    if len(shape) in (1, 2):  # ord given: the whole array is one vector or matrix
        close(L.norm(x, ord=1), np.linalg.norm(x, ord=1))
        close(L.norm(x, ord=np.inf, keepdims=True), np.linalg.norm(x, ord=np.inf,
                                                                   keepdims=True))


def test_norm_dtypes():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    assert L.norm(x).dtype == np.float32  # ints are promoted, as in JAX
    close(L.norm(x, ord=1), np.linalg.norm(x, ord=1))
    assert L.norm(x.astype(np.float16)).dtype == np.float16
    with enable_x64():
        assert L.norm(x.astype(np.float64), 2).dtype == np.float64
        assert L.norm(x.astype(np.int64)).dtype == np.float64
        assert L.norm(x).dtype == np.float32  # int32 -> float32 even with x64 (JAX)


def test_norm_empty():
    assert float(L.norm(np.zeros((0, 3), np.float32), ord=2)) == 0.0
    assert float(L.norm(np.zeros((0,), np.float32), ord=np.inf)) == 0.0
    assert float(L.norm(np.zeros((3, 0), np.float32), ord=np.inf)) == 0.0


def test_norm_errors():
    x = np.ones((2, 3, 4), np.float32)
    with pytest.raises(ValueError, match="improper number of axes"):
        L.norm(x, ord=2)
    with pytest.raises(ValueError, match="invalid order 3 for a matrix norm"):
        L.norm(x[0], ord=3)
    with pytest.raises(ValueError, match="invalid order 'fro' for a vector norm"):
        L.norm(x, ord="fro", axis=0)
    with pytest.raises(ValueError, match="Use jnp.inf instead"):
        L.norm(x, ord="inf", axis=0)
    with pytest.raises(ValueError, match="duplicate axes"):
        L.norm(x, axis=(1, 1))
    with pytest.raises(ValueError, match="out of bounds"):
        L.norm(x, axis=3)
    with pytest.raises(TypeError, match="requires ndarray or scalar"):
        L.norm([1.0, 2.0])


@pytest.mark.parametrize("ord", VECTOR_ORDS[1:])
@pytest.mark.parametrize("axis", [None, 1, (0, 2)])
def test_vector_norm(ord, axis):
    x = rand(np.random.default_rng(3), (3, 4, 2))
    for keepdims in (False, True):
        got = L.vector_norm(x, ord=ord, axis=axis, keepdims=keepdims)
        want = np.linalg.vector_norm(x, ord=ord, axis=axis, keepdims=keepdims)
        assert got.shape == want.shape
        close(got, want)


def test_vector_norm_integer_dtypes_follow_jax():
    jjnp = jax_np()
    x = np.array([1, -2, 3], np.int32)
    for ord in (2, np.inf, -np.inf, 1):
        got, want = L.vector_norm(x, ord=ord), jjnp.linalg.vector_norm(x, ord=ord)
        assert got.dtype == want.dtype and float(got) == float(want)
    # where JAX fails on integers (0, negative and fractional p) tinyjax promotes to float
    close(L.vector_norm(x, ord=0), 3.0)
    close(L.vector_norm(x, ord=-1), np.linalg.vector_norm(x.astype(float), ord=-1))


@pytest.mark.parametrize("ord", MATRIX_ORDS[1:])
def test_matrix_norm(ord):
    x = rand(np.random.default_rng(4), (2, 3, 4))
    for keepdims in (False, True):
        got = L.matrix_norm(x, ord=ord, keepdims=keepdims)
        want = np.linalg.matrix_norm(x, ord=ord, keepdims=keepdims)
        assert got.shape == want.shape
        close(got, want)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.matrix_norm(np.ones(3, np.float32))


# ============================================================================= inv / solve / det

@SETTINGS
@given(batch=batch_shapes, n=sizes, seed=seeds, dtype=st.sampled_from(DTYPES))
def test_inv(batch, n, seed, dtype):
    a = well_conditioned(np.random.default_rng(seed), batch, n, dtype)
    with x64(dtype):
        got = L.inv(a)
    assert got.shape == a.shape and got.dtype == dtype
    close(got, np.linalg.inv(a), dtype, scale=10)


def test_inv_singular_gives_nonfinite_without_error():
    got = np.asarray(L.inv(SINGULAR))
    assert not np.isfinite(got).all()
    got = np.asarray(L.inv(np.array([[1.0, 2.0], [2.0, 4.0]], np.float32)))
    assert np.isinf(got).all()  # JAX gives [[-inf, inf], [inf, -inf]]


def test_inv_dtypes_and_errors():
    assert L.inv(np.eye(3, dtype=np.int32)).dtype == np.float32
    assert L.inv(np.eye(2, dtype=np.float16)).dtype == np.float16
    with pytest.raises(ValueError, match=r"jnp.linalg.inv: .*\[\.\.\., n, n\].*\(2, 3\)"):
        L.inv(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"got shape \(3,\)"):
        L.inv(np.ones(3, np.float32))


@SETTINGS
@given(batch=batch_shapes, n=st.integers(1, 5), k=st.integers(1, 3), seed=seeds,
       dtype=st.sampled_from(DTYPES))
def test_solve_matrix_rhs(batch, n, k, seed, dtype):
    rng = np.random.default_rng(seed)
    a = well_conditioned(rng, batch, n, dtype)
    b = rand(rng, batch + (n, k), dtype)
    with x64(dtype):
        got = L.solve(a, b)
    assert got.dtype == dtype
    close(got, np.linalg.solve(a, b), dtype, scale=10)


def test_solve_vector_rhs_and_broadcasting():
    rng = np.random.default_rng(5)
    a = well_conditioned(rng, (2, 3), 4)
    b = rand(rng, (4,))
    got = L.solve(a, b)  # a 1-D b is one vector for every matrix of the batch
    assert got.shape == (2, 3, 4)
    close(got, np.linalg.solve(a, b))
    b = rand(rng, (5, 1, 4, 2))  # batch dims broadcast: (2, 3) with (5, 1)
    with pytest.raises(ValueError, match="do not broadcast"):
        L.solve(a, b)
    b = rand(rng, (3, 4, 2))
    got = L.solve(a, b)
    assert got.shape == (2, 3, 4, 2)
    close(got, np.linalg.solve(a, b))
    got = L.solve(a[0, 0], rand(rng, (6, 4, 2)))
    assert got.shape == (6, 4, 2)


def test_solve_promotes_and_handles_singular():
    a = np.array([[2, 0], [0, 4]], np.int32)
    got = L.solve(a, np.array([1, 1], np.int32))
    assert got.dtype == np.float32
    close(got, [0.5, 0.25])
    assert not np.isfinite(np.asarray(L.solve(SINGULAR, np.ones(3, np.float32)))).all()


def test_solve_errors():
    a = np.ones((2, 3, 3), np.float32)
    with pytest.raises(ValueError, match="batch of matrices, not of vectors"):
        L.solve(a, np.ones((2, 3), np.float32))  # NumPy 2 rule, as JAX
    with pytest.raises(ValueError, match="left-hand array must have at least 2"):
        L.solve(np.ones(3, np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="must have length 3"):
        L.solve(a, np.ones(4, np.float32))
    with pytest.raises(ValueError, match="square"):
        L.solve(np.ones((3, 4), np.float32), np.ones(3, np.float32))
    with pytest.raises(ValueError, match="at least 1 dimension"):
        L.solve(a, np.float32(1.0))


@SETTINGS
@given(batch=batch_shapes, n=sizes, seed=seeds, dtype=st.sampled_from(DTYPES))
def test_det_and_slogdet(batch, n, seed, dtype):
    rng = np.random.default_rng(seed)
    a = (rng.standard_normal(batch + (n, n)) + np.eye(n)).astype(dtype)
    with x64(dtype):
        d = L.det(a)
        sign, logdet = L.slogdet(a)
        qsign, qlogdet = L.slogdet(a, method="qr")
    want_sign, want_logdet = np.linalg.slogdet(a)
    assert d.shape == batch and d.dtype == dtype and sign.dtype == dtype
    close(d, np.linalg.det(a), dtype, scale=10)
    close(sign, want_sign, dtype)
    close(logdet, want_logdet, dtype, scale=10)
    close(qsign, want_sign, dtype)
    close(qlogdet, want_logdet, dtype, scale=10)


def test_det_singular_and_special_sizes():
    assert float(L.det(SINGULAR)) == pytest.approx(0.0, abs=1e-5)
    s = L.slogdet(SINGULAR)
    assert s._fields == ("sign", "logabsdet")
    assert float(s.sign) == 0.0 and float(s.logabsdet) == -np.inf
    z = np.zeros((4, 4), np.float32)
    assert float(L.det(z)) == 0.0 and float(L.slogdet(z).sign) == 0.0
    # 0x0 matrices have determinant 1
    assert float(L.det(np.zeros((0, 0), np.float32))) == 1.0
    assert tuple(map(float, L.slogdet(np.zeros((0, 0), np.float32)))) == (1.0, 0.0)
    a = np.array([[1, 2], [3, 4]], np.int32)
    assert L.det(a).dtype == np.float32 and float(L.det(a)) == pytest.approx(-2.0)
    a6 = np.diag(np.array([2, -1, 3, 1, 1, -2], np.float32))
    close(L.det(a6), 12.0)
    assert float(L.slogdet(a6).sign) == 1.0


def test_det_errors():
    with pytest.raises(ValueError, match=r"jnp.linalg.det: .*\(2, 3\)"):
        L.det(np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match=r"jnp.linalg.slogdet: .*\(3,\)"):
        L.slogdet(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="unknown method 'foo'"):
        L.slogdet(np.eye(2, dtype=np.float32), method="foo")


# ============================================================================= decompositions

@pytest.mark.parametrize("dtype", DTYPES)
def test_cholesky(dtype):
    a = spd(np.random.default_rng(6), (2, 3), 4, dtype)
    with x64(dtype):
        low = L.cholesky(a)
        up = L.cholesky(a, upper=True)
    assert low.dtype == dtype
    close(low, np.linalg.cholesky(a), dtype, scale=10)
    close(up, np.linalg.cholesky(a, upper=True), dtype, scale=10)
    close(np.asarray(low) @ T(np.asarray(low)), a, dtype, scale=10)


def test_cholesky_not_positive_definite_gives_nan():
    got = np.asarray(L.cholesky(np.array([[1.0, 2.0], [2.0, 1.0]], np.float32)))
    assert np.isnan(got).any()
    with pytest.raises(ValueError, match=r"jnp.linalg.cholesky: .*\(2, 3\)"):
        L.cholesky(np.ones((2, 3), np.float32))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3), (2, 5, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_qr(shape, dtype):
    a = rand(np.random.default_rng(7), shape, dtype)
    m, n = shape[-2:]
    k = min(m, n)
    with x64(dtype):
        q, r = L.qr(a)
        qc, rc = L.qr(a, mode="complete")
        r_only = L.qr(a, mode="r")
    assert q.shape == shape[:-2] + (m, k) and r.shape == shape[:-2] + (k, n)
    assert qc.shape == shape[:-2] + (m, m) and rc.shape == shape[:-2] + (m, n)
    assert q.dtype == dtype
    q, r, qc, rc = map(np.asarray, (q, r, qc, rc))
    close(q @ r, a, dtype, scale=10)
    close(qc @ rc, a, dtype, scale=10)
    close(T(qc) @ qc, np.broadcast_to(np.eye(m), qc.shape), dtype, scale=10)
    np.testing.assert_array_equal(np.tril(r, -1), 0)
    close(r_only, r, dtype)
    close(np.abs(r), np.abs(np.linalg.qr(a)[1]), dtype, scale=10)


def test_qr_errors():
    with pytest.raises(ValueError, match="unsupported mode 'foo'"):
        L.qr(np.ones((2, 2), np.float32), mode="foo")
    with pytest.raises(NotImplementedError, match="raw"):
        L.qr(np.ones((2, 2), np.float32), mode="raw")
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.qr(np.ones(3, np.float32))
    assert L.qr(np.ones((2, 2), np.float32))._fields == ("Q", "R")


@pytest.mark.parametrize("dtype", DTYPES)
def test_eigh(dtype):
    a = symmetric(np.random.default_rng(8), (2, 3), 4, dtype)
    with x64(dtype):
        w, v = L.eigh(a)
        wv = L.eigvalsh(a)
    assert w.dtype == dtype and v.shape == a.shape
    w, v = np.asarray(w), np.asarray(v)
    close(w, np.linalg.eigvalsh(a), dtype, scale=10)
    close(wv, w, dtype)
    close(a @ v, v * w[..., None, :], dtype, scale=10)
    close(T(v) @ v, np.broadcast_to(np.eye(4), v.shape), dtype, scale=10)


def test_eigh_uplo_reads_one_triangle():
    a = symmetric(np.random.default_rng(9), (), 3)
    lower_only = np.tril(a) + np.triu(np.full((3, 3), 100.0, np.float32), 1)
    upper_only = np.triu(a) + np.tril(np.full((3, 3), 100.0, np.float32), -1)
    want = np.linalg.eigvalsh(a)
    close(L.eigvalsh(lower_only, "L", symmetrize_input=False), want)
    close(L.eigvalsh(upper_only, "U", symmetrize_input=False), want)
    close(L.eigh(upper_only, UPLO="U", symmetrize_input=False).eigenvalues, want)
    assert L.eigh(a)._fields == ("eigenvalues", "eigenvectors")
    with pytest.raises(ValueError, match="UPLO must be None, 'L' or 'U'"):
        L.eigh(a, UPLO="X")
    with pytest.raises(ValueError, match=r"jnp.linalg.eigh: .*\(2, 3\)"):
        L.eigh(np.ones((2, 3), np.float32))


@pytest.mark.parametrize("shape", [(4, 3), (3, 4), (2, 3, 3), (2, 2, 5, 2)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_svd(shape, dtype):
    a = rand(np.random.default_rng(10), shape, dtype)
    m, n = shape[-2:]
    k = min(m, n)
    with x64(dtype):
        u, s, vh = L.svd(a)
        ur, sr, vhr = L.svd(a, full_matrices=False)
        s_only = L.svd(a, compute_uv=False)
        sv = L.svdvals(a)
    assert u.shape == shape[:-2] + (m, m) and vh.shape == shape[:-2] + (n, n)
    assert ur.shape == shape[:-2] + (m, k) and vhr.shape == shape[:-2] + (k, n)
    assert s.dtype == dtype
    want = np.linalg.svd(a, compute_uv=False)
    for x in (s, sr, s_only, sv):
        close(x, want, dtype, scale=10)
    ur, sr, vhr = map(np.asarray, (ur, sr, vhr))
    close((ur * sr[..., None, :]) @ vhr, a, dtype, scale=10)
    assert L.svd(a)._fields == ("U", "S", "Vh")


def test_svd_hermitian():
    a = symmetric(np.random.default_rng(11), (2,), 4)
    u, s, vh = map(np.asarray, L.svd(a, hermitian=True))
    close(s, np.linalg.svd(a, compute_uv=False), scale=10)
    assert (np.diff(s, axis=-1) <= 0).all()
    close((u * s[..., None, :]) @ vh, a, scale=10)
    close(L.svd(a, hermitian=True, compute_uv=False), s)
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.svd(np.ones(3, np.float32))


# ============================================================================= pinv / lstsq / rank

@pytest.mark.parametrize("shape", [(4, 3), (3, 5), (2, 3, 3)])
def test_pinv(shape):
    rng = np.random.default_rng(12)
    a = rand(rng, shape)
    close(L.pinv(a), np.linalg.pinv(a), scale=10)
    # rank deficient: a column of zeros and a duplicated row
    d = a.copy()
    d[..., 0] = 0.0
    d[..., -1, :] = d[..., 0, :]
    close(L.pinv(d), np.linalg.pinv(d), scale=10)
    close(L.pinv(d, rtol=0.5), np.linalg.pinv(d, rtol=0.5), scale=10)
    close(L.pinv(d, rcond=0.5), np.linalg.pinv(d, rtol=0.5), scale=10)


def test_pinv_hermitian_empty_and_errors():
    a = symmetric(np.random.default_rng(13), (), 4)
    close(L.pinv(a, hermitian=True), np.linalg.pinv(a, hermitian=True), scale=10)
    assert L.pinv(np.ones((2, 0, 3), np.float32)).shape == (2, 3, 0)
    assert L.pinv(np.eye(2, dtype=np.int32)).dtype == np.float32
    with pytest.raises(ValueError, match="only one of rtol and rcond"):
        L.pinv(a, rtol=0.1, rcond=0.1)


@pytest.mark.parametrize("m,n,k", [(5, 3, None), (5, 3, 2), (3, 5, 2), (4, 4, None)])
@pytest.mark.parametrize("dtype", DTYPES)
def test_lstsq(m, n, k, dtype):
    rng = np.random.default_rng(14)
    a = rand(rng, (m, n), dtype)
    b = rand(rng, (m,) if k is None else (m, k), dtype)
    with x64(dtype):
        x, resid, rank, s = L.lstsq(a, b, numpy_resid=True)
        x2, resid2, _, _ = L.lstsq(a, b)
    wx, wresid, wrank, ws = np.linalg.lstsq(a, b)
    close(x, wx, dtype, scale=10)
    close(resid, wresid, dtype, scale=10)
    assert int(rank) == wrank and x.dtype == dtype
    close(s, ws, dtype, scale=10)
    close(x2, x, dtype)
    # JAX's default resid: squared norms of every column of b - a @ x
    r = np.asarray(b, np.float64) - np.asarray(a, np.float64) @ np.asarray(x2, np.float64)
    close(resid2, np.atleast_1d((r ** 2).sum(axis=0)), dtype, scale=10)


def test_lstsq_rank_deficient_rcond_and_errors():
    a = np.array([[1.0, 2.0], [2.0, 4.0], [3.0, 6.0]], np.float32)
    b = np.array([1.0, 2.0, 2.0], np.float32)
    x, resid, rank, s = L.lstsq(a, b, numpy_resid=True)
    wx, wresid, wrank, _ = np.linalg.lstsq(a, b)
    close(x, wx)
    assert int(rank) == 1 and resid.shape == (0,) and wresid.shape == (0,)
    assert rank.dtype == np.int32
    assert int(L.lstsq(rand(np.random.default_rng(0), (4, 3)), np.ones(4, np.float32),
                       rcond=10.0)[2]) == 0
    with pytest.raises(TypeError, match="must be two-dimensional"):
        L.lstsq(np.ones((2, 3, 3), np.float32), np.ones((2, 3), np.float32))
    with pytest.raises(ValueError, match="leading dimensions of a and b must match"):
        L.lstsq(np.ones((3, 2), np.float32), np.ones(4, np.float32))
    with pytest.raises(ConcretizationTypeError, match="numpy_resid"):
        tinyjax.make_jaxpr(lambda a: L.lstsq(a, b, numpy_resid=True))(a)


def test_matrix_rank():
    rng = np.random.default_rng(15)
    a = rand(rng, (3, 5, 4))
    a[1, :, 0] = a[1, :, 1]  # rank 3
    a[2] = 0.0  # rank 0
    got = L.matrix_rank(a)
    np.testing.assert_array_equal(got, np.linalg.matrix_rank(a))
    assert got.dtype == np.int32
    assert L.matrix_rank(np.zeros(3, np.float32)).dtype == np.int32
    assert int(L.matrix_rank(np.array([0.0, 1.0], np.float32))) == 1
    assert int(L.matrix_rank(np.zeros(3, np.float32))) == 0
    with enable_x64():
        assert L.matrix_rank(a).dtype == np.int64
    with pytest.raises(ValueError, match="only one of tol or rtol"):
        L.matrix_rank(a, rtol=0.1, tol=0.1)


def test_matrix_rank_tolerance_is_absolute_as_in_jax():
    jjnp = jax_np()
    a = np.diag(np.array([10.0, 1.0, 0.1], np.float32))
    for t in (0.05, 0.5, 5.0):
        assert int(L.matrix_rank(a, t)) == int(jjnp.linalg.matrix_rank(a, t))
        assert int(L.matrix_rank(a, tol=t)) == int(jjnp.linalg.matrix_rank(a, tol=t))


# ============================================================================= power / multi_dot / cond

@pytest.mark.parametrize("n", [-3, -1, 0, 1, 2, 3, 5, 8])
def test_matrix_power(n):
    a = well_conditioned(np.random.default_rng(16), (2,), 3)
    close(L.matrix_power(a, n), np.linalg.matrix_power(a, n), scale=100)
    ai = np.array([[1, 1], [1, 0]], np.int32)
    if n >= 0:
        got = L.matrix_power(ai, n)
        assert got.dtype == np.int32
        np.testing.assert_array_equal(got, np.linalg.matrix_power(ai, n))
    else:
        assert L.matrix_power(ai, n).dtype == np.float32


def test_matrix_power_errors():
    with pytest.raises(TypeError, match="at least two-dimensional"):
        L.matrix_power(np.ones(3, np.float32), 2)
    with pytest.raises(TypeError, match="must be square"):
        L.matrix_power(np.ones((2, 3), np.float32), 2)
    with pytest.raises(TypeError, match="exponent must be an integer"):
        L.matrix_power(np.eye(2, dtype=np.float32), 1.5)


def test_multi_dot():
    rng = np.random.default_rng(17)
    shapes = [(10,), (10, 100), (100, 5), (5, 50), (50,)]
    arrs = [rand(rng, s) for s in shapes]
    close(L.multi_dot(arrs), np.linalg.multi_dot(arrs), scale=100)
    for k in range(2, 5):
        sub = [rand(rng, (3, 4)), rand(rng, (4, 2)), rand(rng, (2, 6)), rand(rng, (6, 3))][:k]
        got = L.multi_dot(sub)
        want = np.linalg.multi_dot(sub)
        assert got.shape == want.shape
        close(got, want, scale=10)
    assert L.multi_dot([np.ones(3, np.float32), np.ones(3, np.float32)]).shape == ()
    assert L.multi_dot([np.ones((2, 3), np.int32), np.ones((3, 2), np.int32)]).dtype == np.int32


def test_multi_dot_chain_order_is_optimal():
    from tinyjax.numpy.linalg import _chain_order
    # (10x30)(30x5)(5x60): (AB)C costs 4500, A(BC) 27000
    assert _chain_order([10, 30, 5, 60])[0][2] == 1
    assert _chain_order([40, 20, 30, 10, 30])[0][3] == 2


def test_multi_dot_errors():
    with pytest.raises(ValueError, match="at least two arrays"):
        L.multi_dot([np.ones((2, 2), np.float32)])
    with pytest.raises(ValueError, match="must be 2-D"):
        L.multi_dot([np.ones((2, 2), np.float32), np.ones(2, np.float32),
                     np.ones(2, np.float32)])
    with pytest.raises(ValueError, match="must match the first"):
        L.multi_dot([np.ones((2, 3), np.float32), np.ones((2, 3), np.float32)])


@pytest.mark.parametrize("p", [None, 2, -2, 1, -1, np.inf, -np.inf, "fro", "nuc"])
def test_cond(p):
    a = well_conditioned(np.random.default_rng(18), (2,), 4)
    close(L.cond(a, p), np.linalg.cond(a, p), scale=100)
    if p not in (None, 2, -2):
        # a singular matrix has infinite condition number (JAX turns the NaNs into inf)
        assert float(L.cond(np.array([[1.0, 2.0], [2.0, 4.0]], np.float32), p)) == np.inf
    assert np.isnan(float(L.cond(np.full((2, 2), np.nan, np.float32), p)))


def test_cond_errors():
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.cond(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="must not be empty"):
        L.cond(np.ones((0, 0), np.float32))
    with pytest.raises(ValueError, match="must be square"):
        L.cond(np.ones((2, 3), np.float32), 1)
    close(L.cond(np.array([[1.0, 0.0], [0.0, 2.0], [0.0, 0.0]], np.float32)), 2.0)


# ============================================================================= tensor functions

def test_tensorinv_and_tensorsolve():
    rng = np.random.default_rng(19)
    a = (rand(rng, (6, 6)) + 6 * np.eye(6, dtype=np.float32)).reshape(2, 3, 6)
    close(L.tensorinv(a, 2), np.linalg.tensorinv(a, 2), scale=10)
    a1 = (rand(rng, (4, 4)) + 4 * np.eye(4, dtype=np.float32)).reshape(4, 2, 2)
    close(L.tensorinv(a1, 1), np.linalg.tensorinv(a1, 1), scale=10)
    b = rand(rng, (2, 3))
    close(L.tensorsolve(a, b), np.linalg.tensorsolve(a, b), scale=10)
    at = np.moveaxis(a, 2, 0)  # axes=(0,) moves it back to the end
    close(L.tensorsolve(at, b, axes=(0,)), np.linalg.tensorsolve(at, b, axes=(0,)), scale=10)
    with pytest.raises(ValueError, match="product of the first ind=1"):
        L.tensorinv(a, 1)
    with pytest.raises(ValueError, match="positive integer"):
        L.tensorinv(a, 0)
    with pytest.raises(ValueError, match="leading shape of a must equal b's shape"):
        L.tensorsolve(a, np.ones((3, 2), np.float32))
    with pytest.raises(ValueError, match="prod"):
        L.tensorsolve(np.ones((2, 3, 4), np.float32), np.ones((2, 3), np.float32))


def test_array_api_functions():
    rng = np.random.default_rng(20)
    x, y = rand(rng, (2, 3, 3)), rand(rng, (3, 3))
    v, w = rand(rng, (3,)), rand(rng, (4,))
    close(L.outer(v, w), np.linalg.outer(v, w))
    close(L.cross(x, y), np.linalg.cross(x, y))
    close(L.cross(x, y, axis=-2), np.linalg.cross(x, y, axis=-2))
    close(L.diagonal(x, offset=1), np.linalg.diagonal(x, offset=1))
    close(L.trace(x, offset=-1), np.linalg.trace(x, offset=-1))
    assert L.trace(np.ones((3, 3), np.int8)).dtype == np.int32  # as jnp.sum
    close(L.matmul(x, y), np.linalg.matmul(x, y))
    close(L.matrix_transpose(x), np.linalg.matrix_transpose(x))
    close(L.vecdot(x, y), np.linalg.vecdot(x, y))
    close(L.vecdot(x, x, axis=0), np.linalg.vecdot(x, x, axis=0))
    close(L.tensordot(x, y, axes=1), np.linalg.tensordot(x, y, axes=1))
    close(L.tensordot(x, y, axes=([1, 2], [0, 1])), np.linalg.tensordot(x, y, axes=([1, 2],
                                                                                  [0, 1])))


def test_array_api_function_errors():
    with pytest.raises(ValueError, match="must be one-dimensional"):
        L.outer(np.ones((2, 2), np.float32), np.ones(2, np.float32))
    with pytest.raises(ValueError, match="3-vectors along axis -1, got sizes 2 and 2"):
        L.cross(np.ones(2, np.float32), np.ones(2, np.float32))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.diagonal(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.trace(np.ones(3, np.float32))
    with pytest.raises(ValueError, match="at least 2 dimensions"):
        L.matrix_transpose(np.ones(3, np.float32))


# ============================================================================= tracing

def _trace_cases():
    rng = np.random.default_rng(21)
    a = well_conditioned(rng, (2,), 3)
    s = spd(rng, (2,), 3)
    v = rand(rng, (3,))
    r = rand(rng, (4, 3))
    t = (rand(rng, (6, 6)) + 6 * np.eye(6, dtype=np.float32)).reshape(2, 3, 6)
    return [
        ("norm", lambda x: L.norm(x), a, [()]),
        ("norm_2", lambda x: L.norm(x, 2, axis=(1, 2), keepdims=True), a, [(2, 1, 1)]),
        ("vector_norm", lambda x: L.vector_norm(x, ord=3, axis=-1), a, [(2, 3)]),
        ("matrix_norm", lambda x: L.matrix_norm(x, ord="nuc"), a, [(2,)]),
        ("inv", L.inv, a, [(2, 3, 3)]),
        ("solve", lambda x: L.solve(x, v), a, [(2, 3)]),
        ("det", L.det, a, [(2,)]),
        ("det_5x5", L.det, rand(rng, (5, 5)), [()]),
        ("slogdet", L.slogdet, a, [(2,), (2,)]),
        ("slogdet_qr", lambda x: L.slogdet(x, method="qr"), a, [(2,), (2,)]),
        ("cholesky", L.cholesky, s, [(2, 3, 3)]),
        ("qr", L.qr, r, [(4, 3), (3, 3)]),
        ("eigh", L.eigh, s, [(2, 3), (2, 3, 3)]),
        ("eigvalsh", L.eigvalsh, s, [(2, 3)]),
        ("svd", L.svd, r, [(4, 4), (3,), (3, 3)]),
        ("svd_hermitian", lambda x: L.svd(x, hermitian=True), s, [(2, 3, 3), (2, 3),
                                                                 (2, 3, 3)]),
        ("svdvals", L.svdvals, r, [(3,)]),
        ("pinv", L.pinv, r, [(3, 4)]),
        ("lstsq", lambda x: L.lstsq(x, np.ones(4, np.float32)), r, [(3,), (1,), (), (3,)]),
        ("matrix_power", lambda x: L.matrix_power(x, -5), a, [(2, 3, 3)]),
        ("matrix_rank", L.matrix_rank, a, [(2,)]),
        ("multi_dot", lambda x: L.multi_dot([v, x[0], x[1]]), a, [(3,)]),
        ("cond", L.cond, a, [(2,)]),
        ("cond_1", lambda x: L.cond(x, 1), a, [(2,)]),
        ("tensorinv", L.tensorinv, t, [(6, 2, 3)]),
        ("tensorsolve", lambda x: L.tensorsolve(x, np.ones((2, 3), np.float32)), t, [(6,)]),
        ("outer", lambda x: L.outer(x, x), v, [(3, 3)]),
        ("cross", lambda x: L.cross(x, x[::-1]), a, [(2, 3, 3)]),
        ("diagonal", L.diagonal, a, [(2, 3)]),
        ("trace", L.trace, a, [(2,)]),
        ("matmul", lambda x: L.matmul(x, x), a, [(2, 3, 3)]),
        ("matrix_transpose", L.matrix_transpose, r, [(3, 4)]),
        ("vecdot", lambda x: L.vecdot(x, x), a, [(2, 3)]),
        ("tensordot", lambda x: L.tensordot(x, x, axes=1), r[:3], [(3, 3)]),
    ]


@pytest.mark.parametrize("name,fn,arg,shapes", _trace_cases(), ids=lambda c: c
                         if isinstance(c, str) else "")
def test_traces_with_make_jaxpr(name, fn, arg, shapes):
    closed = tinyjax.make_jaxpr(fn)(arg)
    assert [tuple(o.shape) for o in closed.out_avals] == shapes
    assert len(closed.jaxpr.eqns) > 0 or name in ("matrix_transpose",)
    # the eager result has the traced shapes
    eager = tinyjax.tree_util.tree_leaves(fn(arg))
    assert [tuple(np.shape(e)) for e in eager] == shapes
