"""tinyjax.scipy.linalg: SciPy's linear algebra API on tinyjax arrays.

Built on the `tinyjax.lax.linalg` decompositions and `tinyjax.numpy.linalg`;
every function maps over leading (batch) dimensions. As in JAX, the SciPy
arguments `overwrite_*` and `check_finite` are accepted and ignored (arrays are
immutable, and compiled code cannot check values), and no function raises on
singular or non-positive-definite inputs: those give inf/NaN.
"""
from __future__ import annotations

import warnings

import numpy as np

from .. import lax
from ..core import dtypes
from ..lax import linalg as lax_linalg
from ..lax._base import value_error
from ..numpy import creation, indexing, products, reductions, ufuncs
from ..numpy import linalg as jnp_linalg
from ..numpy._convert import (
    _to_dtype,
    asarray,
    check_arraylike,
    promote_dtypes,
    promote_dtypes_inexact,
)
from ..numpy.index_tricks import diagonal as _diagonal
from ..numpy.manipulation import atleast_1d as _atleast_1d
from ..numpy.manipulation import atleast_2d as _atleast_2d
from ..numpy.manipulation import flip as _flip
from ..numpy.sorting import argsort as _argsort

__all__ = [
    "block_diag",
    "cho_factor",
    "cho_solve",
    "cholesky",
    "det",
    "eigh",
    "expm",
    "inv",
    "lu",
    "lu_factor",
    "lu_solve",
    "qr",
    "solve",
    "solve_triangular",
    "svd",
    "toeplitz",
]


# ----------------------------------------------------------------------------- helpers

def _inexact(name: str, *args):
    """Arrays of the common dtype of `args`, integers and bools becoming floats."""
    check_arraylike(f"tinyjax.scipy.linalg.{name}", *args)
    return promote_dtypes_inexact(*[asarray(a) for a in args])


def _check_square(name: str, a, what: str = "a") -> None:
    if a.ndim < 2 or a.shape[-1] != a.shape[-2]:
        raise value_error(
            f"tinyjax.scipy.linalg.{name}: {what} must have shape [..., n, n] (a batch of "
            f"square matrices), got shape {tuple(a.shape)}.")


def _mT(x):
    n = x.ndim
    return lax.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _broadcast_batch(name: str, *shapes) -> tuple:
    try:
        return tuple(np.broadcast_shapes(*[tuple(s) for s in shapes]))
    except ValueError:
        raise value_error(
            f"tinyjax.scipy.linalg.{name}: batch dimensions "
            f"{', '.join(str(tuple(s)) for s in shapes)} do not broadcast together.") from None


def _rhs(name: str, a, b):
    """SciPy/JAX's reading of a right-hand side: a 1-D `b` is one vector; a `b`
    with one dimension fewer than `a` whose last dimension is n is a batch of
    vectors (deprecated in JAX: FutureWarning); anything else a batch of
    matrices [..., n, k]. Returns (b as a batch of matrices broadcast with a's
    batch, the common batch shape, whether the result drops the last axis)."""
    n = a.shape[-1]
    if b.ndim == 0:
        raise value_error(
            f"tinyjax.scipy.linalg.{name}: b must have at least 1 dimension, got a scalar.")
    if b.ndim == 1:
        if b.shape[0] != n:
            raise value_error(
                f"tinyjax.scipy.linalg.{name}: incompatible shapes {tuple(a.shape)} and "
                f"{tuple(b.shape)}: b must have length {n}.")
        batch = tuple(a.shape[:-2])
        return creation.broadcast_to(lax.expand_dims(b, (1,)), batch + (n, 1)), batch, True
    if a.ndim == b.ndim + 1 and b.shape[-1] == n:
        warnings.warn(
            f"tinyjax.scipy.linalg.{name}: batched 1-D solves with b.ndim > 1 are "
            f"deprecated (as in JAX) and will become batched 2-D solves; use "
            f"{name}(..., b[..., None])[..., 0] instead.", FutureWarning, stacklevel=3)
        batch = _broadcast_batch(name, a.shape[:-2], b.shape[:-1])
        bm = creation.broadcast_to(lax.expand_dims(b, (b.ndim,)), batch + (n, 1))
        return bm, batch, True
    if b.shape[-2] != n:
        raise value_error(
            f"tinyjax.scipy.linalg.{name}: incompatible shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}: b must have shape [..., {n}, k] or [{n}].")
    batch = _broadcast_batch(name, a.shape[:-2], b.shape[:-2])
    return creation.broadcast_to(b, batch + tuple(b.shape[-2:])), batch, False


def _bcast(x, batch, core):
    return creation.broadcast_to(x, tuple(batch) + tuple(core))


# ----------------------------------------------------------------------------- triangular / Cholesky

def solve_triangular(a, b, trans=0, lower: bool = False, unit_diagonal: bool = False,
                     overwrite_b: bool = False, debug=None, check_finite: bool = True):
    """Solve ``op(a) @ x = b`` for triangular `a` (only the triangle named by
    `lower` is read); op is the identity for trans=0/'N' and the transpose for
    trans=1/'T' or 2/'C'.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import solve_triangular
    >>> solve_triangular(jnp.array([[2.0, 0.0], [1.0, 1.0]]), jnp.array([2.0, 3.0]), lower=True)
    Array([1., 2.], dtype=float32)
    """
    del overwrite_b, debug, check_finite
    if trans in (0, "N"):
        transpose = False
    elif trans in (1, "T", 2, "C"):
        transpose = True
    else:
        raise value_error(
            f"tinyjax.scipy.linalg.solve_triangular: invalid 'trans' value {trans!r}; expected "
            f"0, 1, 2, 'N', 'T' or 'C'.")
    a, b = _inexact("solve_triangular", a, b)
    _check_square("solve_triangular", a)
    bm, batch, vector = _rhs("solve_triangular", a, b)
    n = a.shape[-1]
    x = lax_linalg.triangular_solve(_bcast(a, batch, (n, n)), bm, left_side=True,
                                    lower=bool(lower), transpose_a=transpose,
                                    unit_diagonal=bool(unit_diagonal))
    return x[..., 0] if vector else x


def cholesky(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """Cholesky factor of symmetric positive-definite matrices: upper U with
    ``a = U.T @ U`` (default) or lower L with ``a = L @ L.T``. Only the named
    triangle of `a` is read; the other triangle of the result is zero.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import cholesky
    >>> cholesky(jnp.array([[4.0, 2.0], [2.0, 5.0]]))
    Array([[2., 1.],
           [0., 2.]], dtype=float32)
    """
    del overwrite_a, check_finite
    (a,) = _inexact("cholesky", a)
    _check_square("cholesky", a)
    if lower:
        return lax_linalg.cholesky(a, symmetrize_input=False)
    return _mT(lax_linalg.cholesky(_mT(a), symmetrize_input=False))


def cho_factor(a, lower: bool = False, overwrite_a: bool = False, check_finite: bool = True):
    """Cholesky factorisation for `cho_solve`: returns ``(c, lower)``.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import cho_factor
    >>> c, low = cho_factor(jnp.array([[4.0, 2.0], [2.0, 5.0]]))
    >>> low
    False
    """
    return cholesky(a, lower=lower), lower


def cho_solve(c_and_lower, b, overwrite_b: bool = False, check_finite: bool = True):
    """Solve ``a @ x = b`` given ``(c, lower) = cho_factor(a)``.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import cho_factor, cho_solve
    >>> cho_solve(cho_factor(jnp.array([[4.0, 0.0], [0.0, 2.0]])), jnp.array([1.0, 1.0]))
    Array([0.25, 0.5 ], dtype=float32)
    """
    del overwrite_b, check_finite
    if not isinstance(c_and_lower, (tuple, list)) or len(c_and_lower) != 2:
        raise value_error(
            "tinyjax.scipy.linalg.cho_solve: the first argument must be the pair (c, lower) "
            "returned by cho_factor.")
    c, lower = c_and_lower
    c, b = _inexact("cho_solve", c, b)
    _check_square("cho_solve", c, "c")
    bm, batch, vector = _rhs("cho_solve", c, b)
    n = c.shape[-1]
    c = _bcast(c, batch, (n, n))
    # lower: a = L L^T, solve L y = b then L^T x = y; upper: a = U^T U.
    y = lax_linalg.triangular_solve(c, bm, left_side=True, lower=bool(lower),
                                    transpose_a=not lower)
    x = lax_linalg.triangular_solve(c, y, left_side=True, lower=bool(lower),
                                    transpose_a=bool(lower))
    return x[..., 0] if vector else x


# ----------------------------------------------------------------------------- LU

def lu(a, permute_l: bool = False, overwrite_a: bool = False, check_finite: bool = True,
       p_indices: bool = False):
    """LU decomposition with partial pivoting, ``a = p @ l @ u``, of a batch of
    (m, n) matrices: returns ``(p, l, u)`` with l (m, k) unit lower triangular
    and u (k, n) upper triangular, k = min(m, n); ``(p @ l, u)`` with
    `permute_l`; with `p_indices`, p is the int32 row index array such that
    ``a = l[p] @ u``.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import lu
    >>> p, l, u = lu(jnp.array([[1.0, 2.0], [3.0, 4.0]]))
    >>> p
    Array([[0., 1.],
           [1., 0.]], dtype=float32)
    """
    del overwrite_a, check_finite
    (a,) = _inexact("lu", a)
    if a.ndim < 2:
        raise value_error(
            f"tinyjax.scipy.linalg.lu: a must have at least 2 dimensions, got shape "
            f"{tuple(a.shape)}.")
    m, n = a.shape[-2:]
    k = min(m, n)
    lu_, _, perm = lax_linalg.lu(a)
    unit = creation.eye(m, k, dtype=a.dtype)
    lower = creation.tril(lu_, -1)[..., :, :k] + unit
    upper = creation.triu(lu_)[..., :k, :]
    if p_indices:
        p = lax.convert_element_type(_argsort(perm, axis=-1), np.int32)  # perm^-1
    else:
        # Row r of a is row c of l @ u where perm[c] == r.
        p = lax.convert_element_type(
            lax.expand_dims(perm, (perm.ndim - 1,))
            == lax.expand_dims(lax.iota(np.int32, m), (1,)), a.dtype)
    if permute_l:
        if p_indices:
            idx = creation.broadcast_to(lax.expand_dims(p, (p.ndim,)), lower.shape)
            return indexing.take_along_axis(lower, idx, axis=-2), upper
        return products.matmul(p, lower), upper
    return p, lower, upper


def lu_factor(a, overwrite_a: bool = False, check_finite: bool = True):
    """LU factorisation for `lu_solve`: ``(lu, piv)`` with L (unit diagonal,
    not stored) and U packed in `lu` and `piv` the 0-based row swaps (int32).

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import lu_factor
    >>> lu_factor(jnp.array([[1.0, 2.0], [3.0, 4.0]]))[1]
    Array([1, 1], dtype=int32)
    """
    del overwrite_a, check_finite
    (a,) = _inexact("lu_factor", a)
    if a.ndim < 2:
        raise value_error(
            f"tinyjax.scipy.linalg.lu_factor: a must have at least 2 dimensions, got shape "
            f"{tuple(a.shape)}.")
    lu_, pivots, _ = lax_linalg.lu(a)
    return lu_, pivots


def lu_solve(lu_and_piv, b, trans: int = 0, overwrite_b: bool = False,
             check_finite: bool = True):
    """Solve ``a @ x = b`` (trans=0) or ``a.T @ x = b`` (trans=1 or 2) given
    ``(lu, piv) = lu_factor(a)``.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import lu_factor, lu_solve
    >>> lu_solve(lu_factor(jnp.array([[2.0, 0.0], [0.0, 4.0]])), jnp.array([1.0, 1.0]))
    Array([0.5 , 0.25], dtype=float32)
    """
    del overwrite_b, check_finite
    if trans not in (0, 1, 2):
        raise value_error(
            f"tinyjax.scipy.linalg.lu_solve: 'trans' must be 0, 1 or 2, got {trans!r}.")
    if not isinstance(lu_and_piv, (tuple, list)) or len(lu_and_piv) != 2:
        raise value_error(
            "tinyjax.scipy.linalg.lu_solve: the first argument must be the pair (lu, piv) "
            "returned by lu_factor.")
    lu_, piv = lu_and_piv
    lu_, b = _inexact("lu_solve", lu_, b)
    _check_square("lu_solve", lu_, "lu")
    piv = asarray(piv)
    n = lu_.shape[-1]
    if piv.dtype != np.int32:
        piv = lax.convert_element_type(piv, np.int32)
    if tuple(piv.shape) != tuple(lu_.shape[:-1]):
        raise value_error(
            f"tinyjax.scipy.linalg.lu_solve: piv must have shape {tuple(lu_.shape[:-1])} to "
            f"match lu of shape {tuple(lu_.shape)}, got {tuple(piv.shape)}.")
    perm = lax_linalg.lu_pivots_to_permutation(piv, n)
    bm, batch, vector = _rhs("lu_solve", lu_, b)
    x = jnp_linalg._lu_solve(_bcast(lu_, batch, (n, n)), _bcast(perm, batch, (n,)), bm,
                             trans=0 if trans == 0 else 1)
    return x[..., 0] if vector else x


# ----------------------------------------------------------------------------- other decompositions

def qr(a, overwrite_a: bool = False, lwork=None, mode: str = "full", pivoting: bool = False,
       check_finite: bool = True):
    """QR decomposition ``a = q @ r``. mode 'full' (q: (m, m), r: (m, n)),
    'economic' (q: (m, k), r: (k, n)) or 'r' (returns the 1-tuple ``(r,)``, r
    as in 'full').

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import qr
    >>> q, r = qr(jnp.ones((3, 2)))
    >>> q.shape, r.shape
    ((3, 3), (3, 2))
    """
    del overwrite_a, lwork, check_finite
    if pivoting:
        raise NotImplementedError(
            "tinyjax.scipy.linalg.qr: pivoting=True (column-pivoted QR) is not implemented.")
    if mode in ("full", "r"):
        full = True
    elif mode == "economic":
        full = False
    else:
        raise value_error(
            f"tinyjax.scipy.linalg.qr: unsupported mode {mode!r}; expected 'full', "
            f"'economic' or 'r'.")
    (a,) = _inexact("qr", a)
    if a.ndim < 2:
        raise value_error(
            f"tinyjax.scipy.linalg.qr: a must have at least 2 dimensions, got shape "
            f"{tuple(a.shape)}.")
    q, r = lax_linalg.qr(a, full_matrices=full)
    return (r,) if mode == "r" else (q, r)


def svd(a, full_matrices: bool = True, compute_uv: bool = True, overwrite_a: bool = False,
        check_finite: bool = True, lapack_driver: str = "gesdd"):
    """Singular value decomposition ``a = u @ diag(s) @ vh``: returns
    ``(u, s, vh)``, or s alone when `compute_uv` is False.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import svd
    >>> svd(jnp.array([[0.0, 2.0], [1.0, 0.0]]), compute_uv=False)
    Array([2., 1.], dtype=float32)
    """
    del overwrite_a, check_finite
    if lapack_driver not in ("gesdd", "gesvd"):
        raise value_error(
            f"tinyjax.scipy.linalg.svd: lapack_driver must be 'gesdd' or 'gesvd', got "
            f"{lapack_driver!r}.")
    (a,) = _inexact("svd", a)
    if a.ndim < 2:
        raise value_error(
            f"tinyjax.scipy.linalg.svd: a must have at least 2 dimensions, got shape "
            f"{tuple(a.shape)}.")
    if compute_uv:
        return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=True)
    return lax_linalg.svd(a, full_matrices=full_matrices, compute_uv=False)


def eigh(a, b=None, lower: bool = True, eigvals_only: bool = False, overwrite_a: bool = False,
         overwrite_b: bool = False, turbo: bool = True, eigvals=None, type: int = 1,
         check_finite: bool = True, *, subset_by_index=None):
    """Eigenvalues (ascending) and eigenvectors of a symmetric `a`, or of the
    generalized problem with a symmetric positive-definite `b`:
    type 1 ``a @ v = w * (b @ v)``, type 2 ``a @ b @ v = w * v``, type 3
    ``b @ a @ v = w * v``. Returns ``(w, v)``, or w with `eigvals_only`.

    The generalized problem is reduced to a standard one with the Cholesky
    factor of b (b = L L^T); eigenvectors are normalised as LAPACK's sygv:
    ``v.T @ b @ v = I`` (types 1, 2), ``v.T @ inv(b) @ v = I`` (type 3).
    As in JAX, `a` is symmetrized, so `lower` only selects the triangle of `b`.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import eigh
    >>> eigh(jnp.array([[2.0, 0.0], [0.0, 1.0]]), eigvals_only=True)
    Array([1., 2.], dtype=float32)
    """
    del overwrite_a, overwrite_b, turbo, check_finite
    if eigvals is not None:
        raise NotImplementedError(
            "tinyjax.scipy.linalg.eigh: the deprecated 'eigvals' argument is not supported; "
            "use subset_by_index=(lo, hi + 1) instead.")
    if type not in (1, 2, 3):
        raise value_error(f"tinyjax.scipy.linalg.eigh: type must be 1, 2 or 3, got {type!r}.")
    if subset_by_index is not None:
        lo, hi = (int(i) for i in subset_by_index)
        subset_by_index = (lo, hi + 1)  # SciPy's range is inclusive, lax's is not
    if b is None:
        (a,) = _inexact("eigh", a)
        _check_square("eigh", a)
        v, w = lax_linalg.eigh(a, lower=bool(lower), subset_by_index=subset_by_index)
        return w if eigvals_only else (w, v)
    a, b = _inexact("eigh", a, b)
    _check_square("eigh", a)
    _check_square("eigh", b, "b")
    if a.shape[-1] != b.shape[-1]:
        raise value_error(
            f"tinyjax.scipy.linalg.eigh: a and b must have the same matrix size, got shapes "
            f"{tuple(a.shape)} and {tuple(b.shape)}.")
    n = a.shape[-1]
    batch = _broadcast_batch("eigh", a.shape[:-2], b.shape[:-2])
    a = _bcast(a, batch, (n, n))
    b = _bcast(b, batch, (n, n))
    L = cholesky(b, lower=True) if lower else _mT(cholesky(b, lower=False))
    a = (a + _mT(a)) / _to_dtype(2, a.dtype, False)

    def tri(x, transpose):
        return lax_linalg.triangular_solve(L, x, left_side=True, lower=True,
                                           transpose_a=transpose)

    if type == 1:
        c = tri(_mT(tri(a, False)), False)  # L^-1 A L^-T
    else:
        c = products.matmul(_mT(L), products.matmul(a, L))  # L^T A L
    v, w = lax_linalg.eigh(c, subset_by_index=subset_by_index)
    if eigvals_only:
        return w
    v = products.matmul(L, v) if type == 3 else tri(v, True)
    return w, v


# ----------------------------------------------------------------------------- expm

# Padé(13) coefficients b_0..b_13 and the largest 1-norm for which the [13/13]
# approximant is accurate to double precision, from Higham (2005), "The scaling
# and squaring method for the matrix exponential revisited", Table 2.3 and (2.8).
_PADE13 = (64764752532480000.0, 32382376266240000.0, 7771770303897600.0,
           1187353796428800.0, 129060195264000.0, 10559470521600.0, 670442572800.0,
           33522128640.0, 1323241920.0, 40840800.0, 960960.0, 16380.0, 182.0, 1.0)
_THETA13 = 5.371920351148152


def expm(A, *, upper_triangular: bool = False, max_squarings: int = 16):
    """Matrix exponential by scaling and squaring with a [13/13] Padé
    approximant (Higham 2005), batched over leading dimensions.

    A is scaled by 2**-s so that its 1-norm is at most theta_13 = 5.37, the
    approximant r(A) = (V - U)^-1 (V + U) is formed, and squared s times. All of
    it is data-independent control flow: the squarings run `max_squarings`
    times, each kept only where needed; matrices needing more squarings give
    NaN (as JAX). float16 is computed in float32.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import expm
    >>> expm(jnp.zeros((2, 2)))
    Array([[1., 0.],
           [0., 1.]], dtype=float32)
    """
    (A,) = _inexact("expm", A)
    _check_square("expm", A, "A")
    max_squarings = int(max_squarings)
    out_dtype = A.dtype
    if A.dtype == np.float16:
        A = lax.convert_element_type(A, np.float32)
    n = A.shape[-1]
    if n == 0:
        return lax.convert_element_type(A, out_dtype)

    def c(v):
        return asarray(np.array(v, A.dtype))

    def expand(x):  # batch-shaped -> broadcastable against the matrices
        return lax.expand_dims(x, (x.ndim, x.ndim + 1))

    norm1 = reductions.max(reductions.sum(ufuncs.abs(A), axis=-2), axis=-1)
    s = ufuncs.maximum(c(0), ufuncs.ceil(ufuncs.log2(norm1 / c(_THETA13))))
    A = A * expand(ufuncs.exp2(-s))
    eye = creation.eye(n, dtype=A.dtype)
    b = [c(v) for v in _PADE13]
    mm = products.matmul
    A2 = mm(A, A)
    A4 = mm(A2, A2)
    A6 = mm(A4, A2)
    U = mm(A, mm(A6, b[13] * A6 + b[11] * A4 + b[9] * A2)
           + b[7] * A6 + b[5] * A4 + b[3] * A2 + b[1] * eye)
    V = (mm(A6, b[12] * A6 + b[10] * A4 + b[8] * A2)
         + b[6] * A6 + b[4] * A4 + b[2] * A2 + b[0] * eye)
    if upper_triangular:
        R = solve_triangular(V - U, V + U)
    else:
        R = jnp_linalg.solve(V - U, V + U)
    for i in range(max_squarings):
        R = ufuncs.where(expand(s > c(i)), mm(R, R), R)
    R = ufuncs.where(expand(s > c(max_squarings)), c(np.nan), R)
    return lax.convert_element_type(R, out_dtype)


# ----------------------------------------------------------------------------- inverse / det / solve

def inv(a, overwrite_a: bool = False, check_finite: bool = True):
    """Inverse of a batch of square matrices (inf/NaN where singular).

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import inv
    >>> inv(jnp.array([[2.0, 0.0], [0.0, 4.0]]))
    Array([[0.5 , 0.  ],
           [0.  , 0.25]], dtype=float32)
    """
    del overwrite_a, check_finite
    return jnp_linalg.inv(a)


def det(a, overwrite_a: bool = False, check_finite: bool = True):
    """Determinant of a batch of square matrices.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import det
    >>> det(jnp.array([[1.0, 2.0], [3.0, 4.0]]))
    Array(-2., dtype=float32)
    """
    del overwrite_a, check_finite
    return jnp_linalg.det(a)


_ASSUME = {
    "gen": "gen", "general": "gen", "sym": "gen", "symmetric": "gen", "her": "gen",
    "hermitian": "gen", "pos": "pos", "positive definite": "pos",
    "lower triangular": "lower", "upper triangular": "upper", "diagonal": "diagonal",
}


def solve(a, b, lower: bool = False, overwrite_a: bool = False, overwrite_b: bool = False,
          debug: bool = False, check_finite: bool = True, assume_a: str = "gen",
          transposed: bool = False):
    """Solve ``a @ x = b`` (``a.T @ x = b`` with `transposed`).

    `assume_a` picks the method: 'gen'/'sym'/'her' (LU with partial pivoting),
    'pos' (Cholesky, reading the triangle named by `lower`), 'lower
    triangular', 'upper triangular' or 'diagonal'. A 1-D b is one vector;
    otherwise b is a batch of matrices [..., n, k] (NumPy 2 rule).

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import solve
    >>> solve(jnp.array([[4.0, 2.0], [2.0, 5.0]]), jnp.array([2.0, 1.0]), assume_a="pos")
    Array([0.5, 0. ], dtype=float32)
    """
    del overwrite_a, overwrite_b, debug, check_finite
    kind = _ASSUME.get(assume_a) if isinstance(assume_a, str) else None
    if kind is None:
        raise value_error(
            f"tinyjax.scipy.linalg.solve: assume_a must be one of {sorted(_ASSUME)}, got "
            f"{assume_a!r}.")
    a, b = _inexact("solve", a, b)
    _check_square("solve", a)
    if transposed:
        a = _mT(a)
        if kind == "lower":
            kind = "upper"
        elif kind == "upper":
            kind = "lower"
    if kind == "gen":
        return jnp_linalg.solve(a, b)
    bm, batch, vector = jnp_linalg._solve_rhs("solve", a, b)
    n = a.shape[-1]
    a = _bcast(a, batch, (n, n))
    if kind == "pos":
        x = cho_solve(cho_factor(a, lower=lower), bm)
    elif kind == "diagonal":
        d = _diagonal(a, 0, -2, -1)
        x = bm / lax.expand_dims(d, (d.ndim,))
    else:
        x = lax_linalg.triangular_solve(a, bm, left_side=True, lower=kind == "lower")
    return x[..., 0] if vector else x


# ----------------------------------------------------------------------------- special matrices

def block_diag(*arrs):
    """Block-diagonal matrix of the given (at most 2-D) arrays.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import block_diag
    >>> block_diag(jnp.ones((1, 2)), jnp.array(3.0))
    Array([[1., 1., 0.],
           [0., 0., 3.]], dtype=float32)
    """
    if not arrs:
        return creation.zeros((1, 0), dtypes.default_float_dtype())
    check_arraylike("tinyjax.scipy.linalg.block_diag", *arrs)
    arrs = promote_dtypes(*arrs)
    for i, x in enumerate(arrs):
        if x.ndim > 2:
            raise value_error(
                f"tinyjax.scipy.linalg.block_diag: arguments must have at most 2 dimensions, "
                f"got shape {tuple(x.shape)} at argument {i}.")
    mats = [_atleast_2d(x) for x in arrs]
    total = sum(x.shape[1] for x in mats)
    zero = asarray(np.array(0, mats[0].dtype))
    rows, col = [], 0
    for x in mats:
        w = x.shape[1]
        rows.append(lax.pad(x, zero, [(0, 0, 0), (col, total - col - w, 0)]))
        col += w
    return lax.concatenate(rows, 0)


def toeplitz(c, r=None):
    """Toeplitz matrix with first column `c` and first row `r` (r[0] is
    ignored; r defaults to c). Leading dimensions of c and r are batch
    dimensions and broadcast.

    >>> import tinyjax.numpy as jnp
    >>> from tinyjax.scipy.linalg import toeplitz
    >>> toeplitz(jnp.array([1, 2, 3]), jnp.array([1, 4]))
    Array([[1, 4],
           [2, 1],
           [3, 2]], dtype=int32)
    """
    if r is None:
        check_arraylike("tinyjax.scipy.linalg.toeplitz", c)
        c = asarray(c)
        r = c
    else:
        check_arraylike("tinyjax.scipy.linalg.toeplitz", c, r)
        c, r = promote_dtypes(c, r)
    c, r = _atleast_1d(c), _atleast_1d(r)
    batch = _broadcast_batch("toeplitz", c.shape[:-1], r.shape[:-1])
    m, n = c.shape[-1], r.shape[-1]
    if m == 0 or n == 0:
        return creation.zeros(batch + (m, n), c.dtype)
    c = _bcast(c, batch, (m,))
    r = _bcast(r, batch, (n,))
    # elems = c reversed, then r without its first entry: T[i, j] = elems[m-1-i+j].
    elems = lax.concatenate([_flip(c, -1), r[..., 1:]], len(batch))
    idx = (m - 1) - np.arange(m)[:, None] + np.arange(n)[None, :]
    return indexing.take(elems, idx.astype(np.int32), axis=-1)


from ..core.errors import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals())
