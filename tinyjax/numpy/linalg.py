"""tinyjax.numpy.linalg: NumPy's linear algebra API on tinyjax arrays.

Every function is written in terms of the `tinyjax.lax.linalg` decompositions
(LU, Cholesky, QR, symmetric eigendecomposition, SVD, triangular solves) and
ordinary jnp operations, and maps over any leading (batch) dimensions. Results
that would need complex dtypes (`eig`, `eigvals`) are not provided: tinyjax has
no complex dtypes. Singular inputs never raise: as in JAX they give inf/NaN.
"""
from __future__ import annotations

import math
import operator
from typing import NamedTuple

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.errors import ConcretizationTypeError
from ..lax import linalg as lax_linalg
from ..lax._base import canonical_axis, type_error, value_error
from . import creation, indexing, products, reductions, sorting, ufuncs
from ._convert import asarray, check_arraylike, promote_dtypes_inexact
from .index_tricks import diagonal as _jnp_diagonal
from .index_tricks import trace as _jnp_trace
from .manipulation import expand_dims as _expand_dims
from .manipulation import flip as _flip
from .manipulation import moveaxis as _moveaxis

__all__ = [
    "cholesky",
    "cond",
    "cross",
    "det",
    "diagonal",
    "eigh",
    "eigvalsh",
    "inv",
    "lstsq",
    "matmul",
    "matrix_norm",
    "matrix_power",
    "matrix_rank",
    "matrix_transpose",
    "multi_dot",
    "norm",
    "outer",
    "pinv",
    "qr",
    "slogdet",
    "solve",
    "svd",
    "svdvals",
    "tensordot",
    "tensorinv",
    "tensorsolve",
    "trace",
    "vecdot",
    "vector_norm",
]


class EighResult(NamedTuple):
    eigenvalues: object
    eigenvectors: object


class QRResult(NamedTuple):
    Q: object
    R: object


class SlogdetResult(NamedTuple):
    sign: object
    logabsdet: object


class SVDResult(NamedTuple):
    U: object
    S: object
    Vh: object


# ----------------------------------------------------------------------------- helpers

def _inexact(name: str, *args):
    """Arrays of the common dtype of `args`, integers and bools becoming floats."""
    check_arraylike(f"jnp.linalg.{name}", *args)
    return promote_dtypes_inexact(*[asarray(a) for a in args])


def _check_square(name: str, a) -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise value_error(
            f"jnp.linalg.{name}: argument must have shape [..., n, n] (a batch of square "
            f"matrices), got shape {tuple(a.shape)}.")


def _check_matrix(name: str, a) -> None:
    if a.ndim < 2:
        raise value_error(
            f"jnp.linalg.{name}: argument must have at least 2 dimensions [..., m, n], got "
            f"shape {tuple(a.shape)}.")


def _mT(x):
    n = x.ndim
    return lax.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _diag(x):
    return _jnp_diagonal(x, 0, -2, -1)


def _const(x, value):
    """A scalar of x's dtype (not weakly typed)."""
    return asarray(np.array(value, x.dtype))


def _batch_eye(n: int, batch: tuple, dtype):
    return creation.broadcast_to(creation.eye(n, dtype=dtype), tuple(batch) + (n, n))


def _broadcast_batch(name: str, *shapes) -> tuple:
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise value_error(
            f"jnp.linalg.{name}: batch dimensions {', '.join(str(tuple(s)) for s in shapes)} "
            f"do not broadcast together.") from None


def _lu_solve(lu, perm, b, trans: int = 0):
    """Solve A x = b (trans=0) or A^T x = b (trans=1) from the LU factors of A
    (P A = L U, rows of P A = A[perm]). `lu`, `perm` and the matrix `b` share
    their batch dimensions."""
    if trans == 0:
        idx = creation.broadcast_to(lax.expand_dims(perm, (perm.ndim,)), b.shape)
        x = indexing.take_along_axis(b, idx, axis=-2)
        x = lax_linalg.triangular_solve(lu, x, left_side=True, lower=True, unit_diagonal=True)
        return lax_linalg.triangular_solve(lu, x, left_side=True, lower=False)
    # A^T = U^T L^T P: solve with U^T, then L^T, then undo the row permutation.
    x = lax_linalg.triangular_solve(lu, b, left_side=True, lower=False, transpose_a=True)
    x = lax_linalg.triangular_solve(lu, x, left_side=True, lower=True, transpose_a=True,
                                    unit_diagonal=True)
    inv_perm = sorting.argsort(perm, axis=-1)
    idx = creation.broadcast_to(lax.expand_dims(inv_perm, (inv_perm.ndim,)), x.shape)
    return indexing.take_along_axis(x, idx, axis=-2)


def _solve_rhs(name: str, a, b):
    """NumPy 2's rule for the right-hand side of a batched solve: a 1-D `b` is a
    vector, anything else a batch of matrices [..., n, k]. Returns b as a matrix
    broadcast to the common batch shape, the batch shape, and whether b was a vector."""
    n = a.shape[-1]
    if b.ndim == 0:
        raise value_error(
            f"jnp.linalg.{name}: right-hand side must have at least 1 dimension, got a "
            f"scalar.")
    if b.ndim == 1:
        if b.shape[0] != n:
            raise value_error(
                f"jnp.linalg.{name}: incompatible shapes {tuple(a.shape)} and "
                f"{tuple(b.shape)}: b must have length {n}.")
        batch = tuple(a.shape[:-2])
        return creation.broadcast_to(lax.expand_dims(b, (1,)), batch + (n, 1)), batch, True
    if b.shape[-2] != n:
        hint = ""
        if a.ndim == b.ndim + 1 and b.shape[-1] == n:
            hint = (" A b of shape [..., n] with b.ndim > 1 is a batch of matrices, not of "
                    "vectors (NumPy 2 rule); for a batch of vectors use "
                    "solve(a, b[..., None])[..., 0].")
        raise value_error(
            f"jnp.linalg.{name}: incompatible shapes {tuple(a.shape)} and {tuple(b.shape)}: "
            f"b must have shape [..., {n}, k] or [{n}].{hint}")
    batch = _broadcast_batch(name, a.shape[:-2], b.shape[:-2])
    return creation.broadcast_to(b, batch + tuple(b.shape[-2:])), batch, False


# ----------------------------------------------------------------------------- decompositions

def cholesky(a, *, upper: bool = False, symmetrize_input: bool = True):
    """Cholesky factor of symmetric positive-definite matrices: ``a = L @ L.T``
    (or ``U.T @ U`` with ``upper=True``). Not positive definite gives NaNs.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.cholesky(jnp.array([[4.0, 2.0], [2.0, 5.0]]))
    Array([[2., 0.],
           [1., 2.]], dtype=float32)
    """
    (a,) = _inexact("cholesky", a)
    _check_square("cholesky", a)
    L = lax_linalg.cholesky(a, symmetrize_input=symmetrize_input)
    return _mT(L) if upper else L


def qr(a, mode: str = "reduced"):
    """QR decomposition ``a = Q @ R``. `mode` is 'reduced' (Q: [..., m, k],
    R: [..., k, n], k = min(m, n)), 'complete' (Q: [..., m, m], R: [..., m, n]) or
    'r' (R only, as in 'reduced').

    >>> import tinyjax.numpy as jnp
    >>> q, r = jnp.linalg.qr(jnp.ones((4, 2)))
    >>> q.shape, r.shape
    ((4, 2), (2, 2))
    """
    (a,) = _inexact("qr", a)
    _check_matrix("qr", a)
    if mode == "raw":
        raise NotImplementedError(
            "jnp.linalg.qr: mode='raw' (Householder reflectors and tau) is not implemented "
            "in tinyjax; use mode='reduced' or 'complete'.")
    if mode in ("reduced", "r", "full"):
        full = False
    elif mode == "complete":
        full = True
    else:
        raise value_error(
            f"jnp.linalg.qr: unsupported mode {mode!r}; expected 'reduced', 'complete' or 'r'.")
    q, r = lax_linalg.qr(a, full_matrices=full)
    return r if mode == "r" else QRResult(q, r)


def eigh(a, UPLO: str | None = None, symmetrize_input: bool = True) -> EighResult:
    """Eigenvalues (ascending) and unit eigenvectors (columns) of symmetric
    matrices. Without `symmetrize_input`, only the triangle named by UPLO is read.

    >>> import tinyjax.numpy as jnp
    >>> w, v = jnp.linalg.eigh(jnp.array([[2.0, 1.0], [1.0, 2.0]]))
    >>> w
    Array([1., 3.], dtype=float32)
    """
    if UPLO is None or UPLO == "L":
        lower = True
    elif UPLO == "U":
        lower = False
    else:
        raise value_error(f"jnp.linalg.eigh: UPLO must be None, 'L' or 'U', got {UPLO!r}.")
    (a,) = _inexact("eigh", a)
    _check_square("eigh", a)
    v, w = lax_linalg.eigh(a, lower=lower, symmetrize_input=symmetrize_input)
    return EighResult(w, v)


def eigvalsh(a, UPLO: str | None = "L", *, symmetrize_input: bool = True):
    """Eigenvalues (ascending) of symmetric matrices.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.eigvalsh(jnp.array([[2.0, 1.0], [1.0, 2.0]]))
    Array([1., 3.], dtype=float32)
    """
    return eigh(a, UPLO, symmetrize_input=symmetrize_input).eigenvalues


def svd(a, full_matrices: bool = True, compute_uv: bool = True, hermitian: bool = False,
        subset_by_index=None):
    """Singular value decomposition ``a = U @ diag(S) @ Vh`` with S descending.

    With ``compute_uv=False`` only S is returned. ``hermitian=True`` computes it
    from a symmetric eigendecomposition (S = |eigenvalues|).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.svd(jnp.array([[3.0, 0.0], [0.0, -4.0]]), compute_uv=False)
    Array([4., 3.], dtype=float32)
    """
    (a,) = _inexact("svd", a)
    _check_matrix("svd", a)
    if hermitian:
        _check_square("svd", a)
        v, w = lax_linalg.eigh(a, subset_by_index=subset_by_index)
        s = ufuncs.abs(w)
        # Descending |w|; equal values keep the reverse of their ascending order (JAX).
        order = _flip(sorting.argsort(s, axis=-1), axis=-1)
        s = indexing.take_along_axis(s, order, axis=-1)
        if not compute_uv:
            return s
        sign = indexing.take_along_axis(ufuncs.sign(w), order, axis=-1)
        idx = creation.broadcast_to(lax.expand_dims(order, (order.ndim - 1,)), v.shape)
        u = indexing.take_along_axis(v, idx, axis=-1)
        vh = _mT(u * lax.expand_dims(sign, (sign.ndim - 1,)))
        return SVDResult(u, s, vh)
    if compute_uv:
        u, s, vh = lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True,
                                  subset_by_index=subset_by_index)
        return SVDResult(u, s, vh)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=False,
                          subset_by_index=subset_by_index)


def svdvals(x, /):
    """Singular values of a batch of matrices, descending.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.svdvals(jnp.array([[0.0, 2.0], [1.0, 0.0]]))
    Array([2., 1.], dtype=float32)
    """
    return svd(x, compute_uv=False)


# ----------------------------------------------------------------------------- solve / inverse / det

def solve(a, b):
    """Solve ``a @ x = b`` for x, a batch of square matrices `a`.

    NumPy 2 batching: a 1-D `b` of length n is one vector (result [..., n]);
    otherwise `b` is a batch of matrices [..., n, k] whose batch dimensions
    broadcast against those of `a`. Singular `a` gives inf/NaN, never an error.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.solve(jnp.array([[2.0, 0.0], [0.0, 4.0]]), jnp.array([1.0, 1.0]))
    Array([0.5 , 0.25], dtype=float32)
    """
    a, b = _inexact("solve", a, b)
    if a.ndim < 2:
        raise value_error(
            f"jnp.linalg.solve: left-hand array must have at least 2 dimensions, got shape "
            f"{tuple(a.shape)}.")
    _check_square("solve", a)
    bm, batch, vector = _solve_rhs("solve", a, b)
    lu, _, perm = lax_linalg.lu(a)
    n = a.shape[-1]
    lu = creation.broadcast_to(lu, batch + (n, n))
    perm = creation.broadcast_to(perm, batch + (n,))
    x = _lu_solve(lu, perm, bm)
    return x[..., 0] if vector else x


def inv(a):
    """Inverse of a batch of square matrices (inf/NaN where singular).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.inv(jnp.array([[2.0, 0.0], [0.0, 4.0]]))
    Array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    (a,) = _inexact("inv", a)
    _check_square("inv", a)
    lu, _, perm = lax_linalg.lu(a)
    return _lu_solve(lu, perm, _batch_eye(a.shape[-1], a.shape[:-2], a.dtype))


def _slogdet_lu(a):
    n = a.shape[-1]
    lu, pivots, _ = lax_linalg.lu(a)
    d = _diag(lu)
    singular = reductions.any(d == _const(d, 0), axis=-1)
    swaps = reductions.count_nonzero(pivots != lax.iota(np.int32, n), axis=-1)
    parity = (swaps + reductions.count_nonzero(d < _const(d, 0), axis=-1)) % 2
    sign = ufuncs.where(singular, _const(d, 0),
                        lax.convert_element_type(1 - 2 * parity, a.dtype))
    logdet = ufuncs.where(singular, _const(d, -np.inf),
                          reductions.sum(ufuncs.log(ufuncs.abs(d)), axis=-1))
    return sign, logdet


def _slogdet_qr(a):
    q, r = lax_linalg.qr(a, full_matrices=True)
    d = _diag(r)
    # det(Q) is +-1; its sign is read off Q's own (well-conditioned) LU.
    qsign, _ = _slogdet_lu(q)
    sign = reductions.prod(ufuncs.sign(d), axis=-1) * qsign
    return sign, reductions.sum(ufuncs.log(ufuncs.abs(d)), axis=-1)


def slogdet(a, *, method: str | None = None) -> SlogdetResult:
    """Sign and natural log of the absolute determinant (sign 0 and logabsdet
    -inf for singular matrices). `method` is 'lu' (default) or 'qr'.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.slogdet(jnp.array([[1.0, 2.0], [3.0, 4.0]])).sign
    Array(-1., dtype=float32)
    """
    (a,) = _inexact("slogdet", a)
    _check_square("slogdet", a)
    if method is None or method == "lu":
        return SlogdetResult(*_slogdet_lu(a))
    if method == "qr":
        return SlogdetResult(*_slogdet_qr(a))
    raise value_error(
        f"jnp.linalg.slogdet: unknown method {method!r}; supported methods are 'lu' (None) "
        f"and 'qr'.")


def det(a):
    """Determinant of a batch of square matrices (closed forms for 2x2 and 3x3,
    LU otherwise, as JAX).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.det(jnp.array([[1.0, 2.0], [3.0, 4.0]]))
    Array(-2., dtype=float32)
    """
    (a,) = _inexact("det", a)
    _check_square("det", a)
    n = a.shape[-1]
    if n == 1:
        return a[..., 0, 0]
    if n == 2:
        return a[..., 0, 0] * a[..., 1, 1] - a[..., 0, 1] * a[..., 1, 0]
    if n == 3:
        e = [[a[..., i, j] for j in range(3)] for i in range(3)]
        return (e[0][0] * (e[1][1] * e[2][2] - e[1][2] * e[2][1])
                - e[0][1] * (e[1][0] * e[2][2] - e[1][2] * e[2][0])
                + e[0][2] * (e[1][0] * e[2][1] - e[1][1] * e[2][0]))
    sign, logdet = _slogdet_lu(a)
    return sign * ufuncs.exp(logdet)


def matrix_power(a, n: int):
    """``a`` raised to the integer power ``n`` by repeated squaring (negative n
    inverts first; n = 0 gives the identity).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.matrix_power(jnp.array([[1, 1], [0, 1]]), 5)
    Array([[1, 5],
           [0, 1]], dtype=int32)
    """
    check_arraylike("jnp.linalg.matrix_power", a)
    a = asarray(a)
    if a.ndim < 2:
        raise type_error(
            f"jnp.linalg.matrix_power: {a.ndim}-dimensional array given; the array must be "
            f"at least two-dimensional.")
    if a.shape[-1] != a.shape[-2]:
        raise type_error(
            f"jnp.linalg.matrix_power: the last 2 dimensions must be square, got shape "
            f"{tuple(a.shape)}.")
    try:
        n = operator.index(n)
    except TypeError:
        raise type_error(
            f"jnp.linalg.matrix_power: exponent must be an integer, got {n!r}.") from None
    if n == 0:
        return _batch_eye(a.shape[-1], a.shape[:-2], a.dtype)
    if n < 0:
        a, n = inv(a), -n
    result = None
    power = a
    while True:
        if n & 1:
            result = power if result is None else products.matmul(result, power)
        n >>= 1
        if not n:
            return result
        power = products.matmul(power, power)


def pinv(a, rtol=None, hermitian: bool = False, *, rcond=None):
    """Moore-Penrose pseudo-inverse from the SVD; singular values at most
    ``rtol * largest`` are dropped (default rtol = 10 * max(m, n) * eps).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.pinv(jnp.array([[1.0, 0.0], [0.0, 0.0]]))
    Array([[1., 0.],
           [0., 0.]], dtype=float32)
    """
    if rcond is not None:
        if rtol is not None:
            raise value_error("jnp.linalg.pinv: only one of rtol and rcond may be specified.")
        rtol = rcond
    (a,) = _inexact("pinv", a)
    _check_matrix("pinv", a)
    m, n = a.shape[-2:]
    if m == 0 or n == 0:
        return creation.zeros(tuple(a.shape[:-2]) + (n, m), a.dtype)
    if rtol is None:
        rtol = _const(a, 10.0 * max(m, n) * dtypes.finfo(a.dtype).eps)
    rtol = asarray(rtol)
    u, s, vh = svd(a, full_matrices=False, hermitian=hermitian)
    rtol = lax.convert_element_type(rtol, s.dtype)
    cutoff = lax.expand_dims(rtol, (rtol.ndim,)) * s[..., :1]
    s = ufuncs.where(s > cutoff, s, _const(s, np.inf))
    return products.matmul(_mT(vh), _mT(u) / lax.expand_dims(s, (s.ndim,)))


def lstsq(a, b, rcond=None, *, numpy_resid: bool = False):
    """Least-squares solution of ``a @ x = b`` for 2-D `a`; returns ``(x, resid,
    rank, s)`` as JAX: resid holds the squared residual norms of the columns of
    b (with ``numpy_resid=True``, empty when rank < n or m <= n, as NumPy).

    >>> import tinyjax.numpy as jnp
    >>> a = jnp.array([[2.0, 0.0], [0.0, 1.0], [0.0, 0.0]])
    >>> x, resid, rank, s = jnp.linalg.lstsq(a, jnp.array([2.0, 3.0, 4.0]))
    >>> x, resid, rank
    (Array([1., 3.], dtype=float32), Array([16.], dtype=float32), Array(2, dtype=int32))
    """
    a, b = _inexact("lstsq", a, b)
    if a.ndim != 2:
        raise type_error(
            f"jnp.linalg.lstsq: {a.ndim}-dimensional array a given; a must be "
            f"two-dimensional (tinyjax, like JAX, does not batch lstsq).")
    if b.ndim not in (1, 2):
        raise type_error(
            f"jnp.linalg.lstsq: {b.ndim}-dimensional array b given; b must be one- or "
            f"two-dimensional.")
    if a.shape[0] != b.shape[0]:
        raise value_error(
            f"jnp.linalg.lstsq: leading dimensions of a and b must match, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}.")
    vector = b.ndim == 1
    if vector:
        b = lax.expand_dims(b, (1,))
    m, n = a.shape
    eps = dtypes.finfo(a.dtype).eps
    if a.size == 0:
        s = creation.zeros((0,), a.dtype)
        rank = asarray(np.array(0, dtypes.default_int_dtype()))
        x = creation.zeros((n, b.shape[1]), a.dtype)
    else:
        if rcond is None:
            rcond = _const(a, eps * max(m, n))
        else:
            rcond = asarray(rcond)
            rcond = ufuncs.where(rcond < 0, _const(a, eps), lax.convert_element_type(rcond,
                                                                                    a.dtype))
        u, s, vh = lax_linalg.svd(a, full_matrices=False)
        keep = (s > _const(s, 0)) & (s >= rcond * s[0])
        rank = reductions.sum(keep, dtype=dtypes.default_int_dtype())
        s_inv = ufuncs.where(keep, _const(s, 1) / ufuncs.where(keep, s, _const(s, 1)),
                             _const(s, 0))
        x = products.matmul(_mT(vh), lax.expand_dims(s_inv, (1,)) * products.matmul(_mT(u), b))
    if numpy_resid:
        r = rank.to_concrete_value()
        if r is None:
            raise ConcretizationTypeError(
                rank, "jnp.linalg.lstsq with numpy_resid=True needs the rank concretely, "
                "since the residual's shape depends on it; use numpy_resid=False under "
                "jit/tracing. ")
        empty_resid = int(r) < n or m <= n
    else:
        empty_resid = False
    if empty_resid:
        resid = creation.zeros((0,), a.dtype)
    else:
        resid = vector_norm(b - products.matmul(a, x), axis=0) ** 2
    if vector:
        x = x[:, 0]
    return x, resid, rank, s


def matrix_rank(M, rtol=None, *, hermitian: bool = False, tol=None):
    """Number of singular values above a threshold (default int dtype, batched).

    As in JAX, `rtol` (or its alias `tol`) is compared with the singular values
    directly; the default is ``max(s) * max(m, n) * eps``. Arrays with fewer
    than 2 dimensions have rank 1 unless all zero.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.matrix_rank(jnp.array([[1.0, 2.0], [2.0, 4.0]]))
    Array(1, dtype=int32)
    """
    if tol is not None:
        if rtol is not None:
            raise value_error("jnp.linalg.matrix_rank: only one of tol or rtol may be given.")
        rtol = tol
    (M,) = _inexact("matrix_rank", M)
    if M.ndim < 2:
        return lax.convert_element_type(reductions.any(M != _const(M, 0)), np.int32)
    s = svd(M, full_matrices=False, compute_uv=False, hermitian=hermitian)
    if rtol is None:
        rtol = reductions.max(s, axis=-1, initial=0) * _const(
            s, max(M.shape[-2:]) * dtypes.finfo(s.dtype).eps)
    else:
        rtol = lax.convert_element_type(asarray(rtol), s.dtype)
    rtol = lax.expand_dims(rtol, (rtol.ndim,))
    return reductions.sum(s > rtol, axis=-1, dtype=dtypes.default_int_dtype())


def cond(x, p=None):
    """Condition number of a batch of matrices in the norm `p` (None/2/-2 from
    the singular values; other orders need square matrices and use
    ``norm(x, p) * norm(inv(x), p)``; singular matrices give inf).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.cond(jnp.array([[2.0, 0.0], [0.0, 1.0]]))
    Array(2., dtype=float32)
    """
    (x,) = _inexact("cond", x)
    if x.ndim < 2:
        raise value_error(
            f"jnp.linalg.cond: input must have at least 2 dimensions, got shape "
            f"{tuple(x.shape)}.")
    if x.shape[-1] == 0 or x.shape[-2] == 0:
        raise value_error(
            f"jnp.linalg.cond: input must not be empty, got shape {tuple(x.shape)}.")
    if p is None or p == 2:
        s = svdvals(x)
        return s[..., 0] / s[..., -1]
    if p == -2:
        s = svdvals(x)
        r = s[..., -1] / s[..., 0]
    else:
        if x.shape[-1] != x.shape[-2]:
            raise value_error(
                f"jnp.linalg.cond: for p={p!r} the matrices must be square, got shape "
                f"{tuple(x.shape)}.")
        r = norm(x, ord=p, axis=(-2, -1)) * norm(inv(x), ord=p, axis=(-2, -1))
    # NaN from inverting a singular matrix means an infinite condition number,
    # unless the input itself held NaNs.
    nan_in = reductions.any(ufuncs.isnan(x), axis=(-2, -1))
    return ufuncs.where(ufuncs.isnan(r) & ~nan_in, _const(r, np.inf), r)


def tensorinv(a, ind: int = 2):
    """Inverse of `a` for tensordot with `ind` leading axes: the result has shape
    ``a.shape[ind:] + a.shape[:ind]``.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.tensorinv(jnp.eye(6).reshape(2, 3, 6), ind=2).shape
    (6, 2, 3)
    """
    check_arraylike("jnp.linalg.tensorinv", a)
    a = asarray(a)
    ind = operator.index(ind)
    if ind <= 0:
        raise value_error(f"jnp.linalg.tensorinv: ind must be a positive integer, got {ind}.")
    lead, rest = tuple(a.shape[:ind]), tuple(a.shape[ind:])
    if math.prod(lead) != math.prod(rest):
        raise value_error(
            f"jnp.linalg.tensorinv: the product of the first ind={ind} dimensions must equal "
            f"that of the remaining ones, got shape {tuple(a.shape)}.")
    out = inv(lax.reshape(a, (math.prod(lead), math.prod(rest))))
    return lax.reshape(out, rest + lead)


def tensorsolve(a, b, axes=None):
    """Solve ``tensordot(a, x, axes=x.ndim) = b`` for x (x has shape
    ``a.shape[b.ndim:]`` after moving `axes` of a to the end).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.tensorsolve(jnp.eye(6).reshape(2, 3, 6), jnp.ones((2, 3))).shape
    (6,)
    """
    check_arraylike("jnp.linalg.tensorsolve", a, b)
    a, b = asarray(a), asarray(b)
    if axes is not None:
        axes = tuple(axes)
        a = _moveaxis(a, axes, tuple(range(a.ndim - len(axes), a.ndim)))
    out_shape = tuple(a.shape[b.ndim:])
    if tuple(a.shape[:b.ndim]) != tuple(b.shape):
        raise value_error(
            f"jnp.linalg.tensorsolve: after moving axes to the end, the leading shape of a "
            f"must equal b's shape; got a.shape={tuple(a.shape)}, b.shape={tuple(b.shape)}.")
    if b.size != math.prod(out_shape):
        raise value_error(
            f"jnp.linalg.tensorsolve: prod(a.shape[:b.ndim]) must equal "
            f"prod(a.shape[b.ndim:]); got a.shape={tuple(a.shape)}, b.ndim={b.ndim}.")
    x = solve(lax.reshape(a, (b.size, math.prod(out_shape))), lax.reshape(b, (b.size,)))
    return lax.reshape(x, out_shape)


def _chain_order(dims):
    """Optimal parenthesisation of a matrix chain (classic dynamic programme):
    split[i][j] is where the product of matrices i..j splits."""
    k = len(dims) - 1
    cost = [[0] * k for _ in range(k)]
    split = [[0] * k for _ in range(k)]
    for length in range(1, k):
        for i in range(k - length):
            j = i + length
            best = None
            for s in range(i, j):
                c = cost[i][s] + cost[s + 1][j] + dims[i] * dims[s + 1] * dims[j + 1]
                if best is None or c < best:
                    best, split[i][j] = c, s
            cost[i][j] = best
    return split


def multi_dot(arrays, *, precision=None):
    """Product of a chain of matrices, multiplied in the cheapest order. The
    first array may be 1-D (a row vector) and the last 1-D (a column vector).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.multi_dot([jnp.ones(3), jnp.ones((3, 4)), jnp.ones(4)])
    Array(12., dtype=float32)
    """
    arrays = list(arrays)
    check_arraylike("jnp.linalg.multi_dot", *arrays)
    arrs = [asarray(x) for x in arrays]
    if len(arrs) < 2:
        raise value_error(
            f"jnp.linalg.multi_dot: needs at least two arrays, got {len(arrs)}.")
    shapes = [tuple(x.shape) for x in arrs]
    if not (arrs[0].ndim in (1, 2) and arrs[-1].ndim in (1, 2)
            and all(x.ndim == 2 for x in arrs[1:-1])):
        raise value_error(
            f"jnp.linalg.multi_dot: arrays must be 2-D, except the first and last, which may "
            f"be 1-D; got shapes {shapes}.")
    if any(x.shape[-1] != y.shape[0] for x, y in zip(arrs[:-1], arrs[1:])):
        raise value_error(
            f"jnp.linalg.multi_dot: the last dimension of each array must match the first of "
            f"the next; got shapes {shapes}.")
    first_vec, last_vec = arrs[0].ndim == 1, arrs[-1].ndim == 1
    if first_vec:
        arrs[0] = lax.expand_dims(arrs[0], (0,))
    if last_vec:
        arrs[-1] = lax.expand_dims(arrs[-1], (1,))
    dims = [arrs[0].shape[0]] + [x.shape[1] for x in arrs]
    split = _chain_order(dims)

    def product(i, j):
        if i == j:
            return arrs[i]
        s = split[i][j]
        return products.matmul(product(i, s), product(s + 1, j), precision=precision)

    out = product(0, len(arrs) - 1)
    if first_vec:
        out = out[0]
    if last_vec:
        out = out[..., 0]
    return out


# ----------------------------------------------------------------------------- norms

def _vector_ord(name, x, ord, axis, keepdims):
    if ord is None or ord == 2:
        if x.dtype.kind != "f":
            (x,) = _inexact(name, x)
        return ufuncs.sqrt(reductions.sum(x * x, axis=axis, keepdims=keepdims))
    if isinstance(ord, str):
        hint = ""
        if ord in ("inf", "-inf"):
            hint = f" Use {'-' if ord[0] == '-' else ''}jnp.inf instead."
        raise value_error(f"jnp.linalg.{name}: invalid order {ord!r} for a vector norm.{hint}")
    if ord == np.inf:
        return reductions.max(ufuncs.abs(x), axis=axis, keepdims=keepdims, initial=0)
    if ord == -np.inf:
        return reductions.min(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    if ord == 1:
        return reductions.sum(ufuncs.abs(x), axis=axis, keepdims=keepdims)
    if x.dtype.kind != "f":
        (x,) = _inexact(name, x)
    if ord == 0:
        return reductions.sum(x != _const(x, 0), axis=axis, keepdims=keepdims, dtype=x.dtype)
    p = float(ord)
    total = reductions.sum(ufuncs.abs(x) ** _const(x, p), axis=axis, keepdims=keepdims)
    return total ** _const(total, 1.0 / p)


def vector_norm(x, /, *, axis=None, keepdims: bool = False, ord=2):
    """Vector p-norm over `axis` (all axes when None): ord 2 (default), 1, inf,
    -inf, 0 (count of nonzeros) or any other p (``sum(|x|**p)**(1/p)``).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.vector_norm(jnp.array([3.0, -4.0]))
    Array(5., dtype=float32)
    """
    check_arraylike("jnp.linalg.vector_norm", x)
    return _vector_ord("vector_norm", asarray(x), ord, axis, keepdims)


def _matrix_ord(x, ord, row, col, keepdims):
    if ord is None or ord in ("fro", "f"):
        return ufuncs.sqrt(reductions.sum(x * x, axis=(row, col), keepdims=keepdims))
    if isinstance(ord, str) and ord != "nuc":
        raise value_error(f"jnp.linalg.norm: invalid order {ord!r} for a matrix norm.")
    if ord in (1, -1, np.inf, -np.inf):
        # 1 / -1: largest / smallest column sum; inf / -inf: the same over rows.
        summed, other = (row, col) if ord in (1, -1) else (col, row)
        sums = reductions.sum(ufuncs.abs(x), axis=summed, keepdims=True)
        if ord > 0:
            out = reductions.max(sums, axis=other, keepdims=True, initial=0)
        else:
            out = reductions.min(sums, axis=other, keepdims=True)
        return out if keepdims else lax.squeeze(out, tuple(sorted((row, col))))
    if ord in ("nuc", 2, -2):
        s = svdvals(_moveaxis(x, (row, col), (-2, -1)))
        if ord == 2:
            out = reductions.max(s, axis=-1, initial=0)
        elif ord == -2:
            out = reductions.min(s, axis=-1)
        else:
            out = reductions.sum(s, axis=-1)
        return _expand_dims(out, tuple(sorted((row, col)))) if keepdims else out
    raise value_error(f"jnp.linalg.norm: invalid order {ord!r} for a matrix norm.")


def norm(x, ord=None, axis=None, keepdims: bool = False):
    """Matrix or vector norm, as numpy.linalg.norm.

    One axis gives a vector norm (see `vector_norm`); two axes a matrix norm:
    ord None/'fro' (Frobenius), 'nuc' (sum of singular values), 1/-1 (max/min
    column sum), inf/-inf (max/min row sum), 2/-2 (largest/smallest singular
    value). With axis=None, 1-D and 2-D inputs use their vector/matrix norm and
    ord=None flattens any input.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.norm(jnp.array([[1.0, 2.0], [3.0, 4.0]]), ord=1)
    Array(6., dtype=float32)
    """
    (x,) = _inexact("norm", x)
    if axis is None:
        if ord is None:
            return ufuncs.sqrt(reductions.sum(x * x, keepdims=keepdims))
        axis = tuple(range(x.ndim))
    elif isinstance(axis, (tuple, list)):
        axis = tuple(canonical_axis(a, x.ndim) for a in axis)
    else:
        axis = (canonical_axis(axis, x.ndim),)
    if len(set(axis)) != len(axis):
        raise value_error(f"jnp.linalg.norm: duplicate axes given: axis={axis}.")
    if len(axis) == 1:
        return _vector_ord("norm", x, 2 if ord is None else ord, axis, keepdims)
    if len(axis) == 2:
        return _matrix_ord(x, ord, axis[0], axis[1], keepdims)
    raise value_error(
        f"jnp.linalg.norm: improper number of axes for a norm: axis={axis} for an array of "
        f"shape {tuple(x.shape)}. Pass one axis for a vector norm or two for a matrix norm.")


def matrix_norm(x, /, *, keepdims: bool = False, ord="fro"):
    """Matrix norm over the last two axes (see `norm` for the orders).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.matrix_norm(jnp.array([[3.0, 0.0], [0.0, 4.0]]))
    Array(5., dtype=float32)
    """
    (x,) = _inexact("matrix_norm", x)
    _check_matrix("matrix_norm", x)
    return norm(x, ord=ord, axis=(-2, -1), keepdims=keepdims)


# ----------------------------------------------------------------------------- array-API re-exports

def outer(x1, x2, /):
    """Outer product of two 1-D arrays.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.outer(jnp.array([1, 2]), jnp.array([3, 4]))
    Array([[3, 4],
           [6, 8]], dtype=int32)
    """
    check_arraylike("jnp.linalg.outer", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    if x1.ndim != 1 or x2.ndim != 1:
        raise value_error(
            f"jnp.linalg.outer: input arrays must be one-dimensional, got ndims {x1.ndim} and "
            f"{x2.ndim}.")
    return products.outer(x1, x2)


def cross(x1, x2, /, *, axis: int = -1):
    """Cross product of (batches of) 3-vectors along `axis`.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.cross(jnp.array([1.0, 0.0, 0.0]), jnp.array([0.0, 1.0, 0.0]))
    Array([0., 0., 1.], dtype=float32)
    """
    check_arraylike("jnp.linalg.cross", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    n1 = x1.shape[canonical_axis(axis, x1.ndim)] if x1.ndim else 1
    n2 = x2.shape[canonical_axis(axis, x2.ndim)] if x2.ndim else 1
    if n1 != 3 or n2 != 3:
        raise value_error(
            f"jnp.linalg.cross: both inputs must be (arrays of) 3-vectors along axis {axis}, "
            f"got sizes {n1} and {n2}.")
    return products.cross(x1, x2, axis=axis)


def diagonal(x, /, *, offset: int = 0):
    """Diagonals of the matrices formed by the last two axes.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.diagonal(jnp.arange(4).reshape(2, 2))
    Array([0, 3], dtype=int32)
    """
    check_arraylike("jnp.linalg.diagonal", x)
    x = asarray(x)
    _check_matrix("diagonal", x)
    return _jnp_diagonal(x, offset, -2, -1)


def trace(x, /, *, offset: int = 0, dtype=None):
    """Sum of the diagonals of the matrices formed by the last two axes.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.trace(jnp.ones((2, 3, 3)))
    Array([3., 3.], dtype=float32)
    """
    check_arraylike("jnp.linalg.trace", x)
    x = asarray(x)
    _check_matrix("trace", x)
    return _jnp_trace(x, offset, -2, -1, dtype=dtype)


def matmul(x1, x2, /, *, precision=None, preferred_element_type=None):
    """Matrix product (jnp.matmul).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.matmul(jnp.ones((2, 3)), jnp.ones((3, 4))).shape
    (2, 4)
    """
    return products.matmul(x1, x2, precision=precision,
                           preferred_element_type=preferred_element_type)


def matrix_transpose(x, /):
    """Swap the last two axes.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.matrix_transpose(jnp.ones((5, 2, 3))).shape
    (5, 3, 2)
    """
    check_arraylike("jnp.linalg.matrix_transpose", x)
    x = asarray(x)
    if x.ndim < 2:
        raise value_error(
            f"jnp.linalg.matrix_transpose: needs at least 2 dimensions, got shape "
            f"{tuple(x.shape)}.")
    return _mT(x)


def vecdot(x1, x2, /, *, axis: int = -1, precision=None, preferred_element_type=None):
    """Dot product of vectors along `axis`, broadcasting the other dimensions.

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.vecdot(jnp.array([1.0, 2.0]), jnp.array([3.0, 4.0]))
    Array(11., dtype=float32)
    """
    return products.vecdot(x1, x2, axis=axis, precision=precision,
                           preferred_element_type=preferred_element_type)


def tensordot(x1, x2, /, *, axes=2, precision=None, preferred_element_type=None):
    """Tensor contraction over `axes` (jnp.tensordot).

    >>> import tinyjax.numpy as jnp
    >>> jnp.linalg.tensordot(jnp.ones((2, 3)), jnp.ones((3, 4)), axes=1).shape
    (2, 4)
    """
    return products.tensordot(x1, x2, axes=axes, precision=precision,
                              preferred_element_type=preferred_element_type)


from ..core.errors import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals())
