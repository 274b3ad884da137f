"""tinyjax.lax.linalg: matrix decompositions and triangular solves (jax.lax.linalg).

Every primitive works on the trailing two dimensions and maps over any leading
(batch) dimensions. Inputs are floating point (float16 is computed in float32
and rounded). The eager implementations use NumPy's LAPACK bindings where those
give LAPACK's (and so JAX's CPU) conventions, and plain NumPy loops otherwise
(LU with partial pivoting, triangular solves), vectorized over the batch.
"""
from __future__ import annotations

import enum

import numpy as np

from ..core import dtypes
from . import elementwise as _ew
from . import shapes as _shapes
from ._base import asarray, aval, def_primitive, dtype_str, type_error, value_error

__all__ = [
    'EighImplementation',
    'SvdAlgorithm',
    'cholesky',
    'cholesky_p',
    'eigh',
    'eigh_p',
    'lu',
    'lu_p',
    'lu_pivots_to_permutation',
    'lu_pivots_to_permutation_p',
    'qr',
    'qr_p',
    'svd',
    'svd_p',
    'triangular_solve',
    'triangular_solve_p',
]


class SvdAlgorithm(enum.Enum):
    """SVD algorithm hint; tinyjax computes every one with LAPACK's gesdd."""

    DEFAULT = "default"
    QR = "QR"
    JACOBI = "Jacobi"
    POLAR = "polar"
    DIVIDE_AND_CONQUER = "divide_and_conquer"


class EighImplementation(enum.Enum):
    """Symmetric eigensolver hint; tinyjax computes every one with LAPACK's syevd."""

    QR = "qr"
    JACOBI = "jacobi"
    QDWH = "qdwh"


# ----------------------------------------------------------------------------- helpers

def _split(name: str, avals, ranks):
    """Check rank >= r and floating dtypes; return (batch_dims, core_shapes)."""
    batches, cores = [], []
    for i, (x, r) in enumerate(zip(avals, ranks)):
        if x.ndim < r:
            raise type_error(
                f"Input {i} to {name} must have rank at least {r}, but got shape={x.shape}")
        batches.append(x.shape[:x.ndim - r])
        cores.append(x.shape[x.ndim - r:])
    return batches, cores


def _check_float(name: str, x, position: int = 0):
    if x.dtype.kind != "f":
        raise type_error(
            f"{name} does not accept dtype {x.dtype.name} at position {position}. Accepted "
            f"dtypes at position {position} are subtypes of floating.")


def _work_dtype(dt: np.dtype) -> np.dtype:
    # LAPACK has no half precision: compute float16 in float32 and round once.
    return np.dtype(np.float32) if dt == np.float16 else dt


def _per_matrix(fn, x, nan_shapes):
    """Apply a NumPy LAPACK routine to a batch; matrices where it fails
    (LinAlgError: not positive definite, no convergence) give all-NaN outputs."""
    try:
        return fn(x)
    except np.linalg.LinAlgError:
        pass
    batch = x.shape[:-2]
    flat = x.reshape((int(np.prod(batch, dtype=np.int64)),) + x.shape[-2:])
    outs = [np.full((flat.shape[0],) + s, np.nan, x.dtype) for s in nan_shapes]
    for i in range(flat.shape[0]):
        try:
            res = fn(flat[i])
        except np.linalg.LinAlgError:
            continue
        res = res if isinstance(res, tuple) else (res,)
        for o, r in zip(outs, res):
            o[i] = r
    outs = tuple(o.reshape(batch + o.shape[1:]) for o in outs)
    return outs if len(outs) > 1 else outs[0]


def _matrix_transpose(x):
    n = np.ndim(x)
    return _shapes.transpose(x, tuple(range(n - 2)) + (n - 1, n - 2))


def _symmetrize(x):
    """(x + x^T) / 2, as JAX's linalg functions do before a symmetric decomposition."""
    x = asarray(x)
    if x.ndim < 2 or x.shape[-1] != x.shape[-2]:
        return x  # let the primitive's shape rule report the problem
    if x.dtype.kind != "f":  # JAX's x / 2 promotes integers to the default float
        x = _ew.convert_element_type(x, dtypes.default_float_dtype())
    two = asarray(np.array(2, x.dtype))
    return _ew.div(_ew.add(x, _matrix_transpose(x)), two)


# ----------------------------------------------------------------------------- cholesky

def _cholesky_rule(x):
    (batch,), ((m, n),) = _split("cholesky", [x], [2])
    _check_float("cholesky", x)
    if m != n:
        raise value_error(
            f"The input to cholesky must be a square matrix. Got shape {x.shape[-2:]}.")
    return aval(x.shape, x.dtype, x.weak_type)


def _cholesky_impl(x):
    w = x.astype(_work_dtype(x.dtype))
    # np.linalg.cholesky reads only the lower triangle, as LAPACK potrf('L') does.
    out = _per_matrix(np.linalg.cholesky, w, [w.shape[-2:]])
    return np.tril(out).astype(x.dtype)


cholesky_p = def_primitive("cholesky", _cholesky_rule, _cholesky_impl)


def cholesky(x, *, symmetrize_input: bool = True):
    """Lower Cholesky factor L of symmetric positive-definite matrices: A = L L^T.

    With `symmetrize_input` the input is first replaced by (A + A^T) / 2;
    otherwise only its lower triangle is read. A matrix that is not positive
    definite gives NaNs in the lower triangle (zeros above), as in JAX.

    >>> linalg.cholesky(jnp.array([[4.0, 2.0], [2.0, 5.0]]))  # doctest: +SKIP
    Array([[2., 0.],
           [1., 2.]], dtype=float32)
    """
    x = _symmetrize(x) if symmetrize_input else asarray(x)
    return cholesky_p.bind(x)


# ----------------------------------------------------------------------------- triangular_solve

def _triangular_solve_rule(a, b, *, left_side, lower, transpose_a, conjugate_a,
                           unit_diagonal):
    name = "triangular_solve"
    (ab, bb), (ashape, bshape) = _split(name, [a, b], [2, 2])
    _check_float(name, a, 0)
    _check_float(name, b, 1)
    if a.dtype != b.dtype:
        raise type_error(
            f"lax.{name} requires arguments to have the same dtypes, got "
            f"{dtype_str([a.dtype, b.dtype])}.")
    if ashape[0] != ashape[1]:
        raise value_error(
            f"The first input to {name} must be a square matrix. Got shape {ashape}.")
    common = -2 if left_side else -1
    if ashape[-1] != bshape[common]:
        raise value_error(
            f"Incompatible shapes for arguments to {name}: {a.shape} and {b.shape}.")
    if ab != bb:
        raise value_error(
            f"{name} requires a and b to have the same batch dimensions, got {a.shape} and "
            f"{b.shape}.")
    return aval(b.shape, b.dtype, a.weak_type and b.weak_type)


def _triangular_solve_impl(a, b, *, left_side, lower, transpose_a, conjugate_a,
                           unit_diagonal):
    wdt = _work_dtype(b.dtype)
    a = a.astype(wdt)
    b = b.astype(wdt)
    if not left_side:  # X op(A) = B  <=>  op(A)^T X^T = B^T
        b = np.swapaxes(b, -1, -2)
        transpose_a = not transpose_a
    # Keep only the triangle named by `lower`; the other one is never read.
    t = np.tril(a) if lower else np.triu(a)
    m = t.shape[-1]
    if unit_diagonal:
        idx = np.arange(m)
        t[..., idx, idx] = 1
    if transpose_a:
        t = np.swapaxes(t, -1, -2)
        lower = not lower
    x = np.zeros(b.shape, wdt)
    rows = range(m) if lower else range(m - 1, -1, -1)
    for i in rows:
        cols = slice(0, i) if lower else slice(i + 1, m)
        s = np.matmul(t[..., i:i + 1, cols], x[..., cols, :])[..., 0, :]
        r = b[..., i, :] - s
        x[..., i, :] = r if unit_diagonal else r / t[..., i, i][..., None]
    if not left_side:
        x = np.swapaxes(x, -1, -2)
    return x.astype(b.dtype)


triangular_solve_p = def_primitive("triangular_solve", _triangular_solve_rule,
                                   _triangular_solve_impl)


def triangular_solve(a, b, *, left_side: bool = False, lower: bool = False,
                     transpose_a: bool = False, conjugate_a: bool = False,
                     unit_diagonal: bool = False):
    """Solve op(A) X = B (left_side) or X op(A) = B for triangular A.

    `lower` picks the triangle of A that is read; op transposes A when
    `transpose_a`. `b` may have one dimension fewer than `a` (a vector).

    >>> a = jnp.array([[2.0, 0.0], [1.0, 1.0]])  # doctest: +SKIP
    >>> linalg.triangular_solve(a, jnp.array([2.0, 3.0]), left_side=True, lower=True)  # doctest: +SKIP
    Array([1., 2.], dtype=float32)
    """
    a, b = asarray(a), asarray(b)
    singleton = b.ndim == a.ndim - 1
    if singleton:
        b = _shapes.expand_dims(b, (-1 if left_side else -2,))
    out = triangular_solve_p.bind(
        a, b, left_side=bool(left_side), lower=bool(lower), transpose_a=bool(transpose_a),
        conjugate_a=False, unit_diagonal=bool(unit_diagonal))
    if singleton:
        out = _shapes.squeeze(out, (out.ndim - 1 if left_side else out.ndim - 2,))
    return out


# ----------------------------------------------------------------------------- lu

def _lu_rule(x):
    (batch,), ((m, n),) = _split("lu", [x], [2])
    _check_float("lu", x)
    i32 = np.dtype(np.int32)
    return [aval(x.shape, x.dtype, x.weak_type), aval(batch + (min(m, n),), i32),
            aval(batch + (m,), i32)]


def _lu_impl(x):
    batch = x.shape[:-2]
    m, n = x.shape[-2:]
    k = min(m, n)
    nb = int(np.prod(batch, dtype=np.int64))
    a = x.astype(_work_dtype(x.dtype)).reshape((nb, m, n)).copy()
    perm = np.tile(np.arange(m, dtype=np.int32), (nb, 1))
    pivots = np.zeros((nb, k), np.int32)
    rows = np.arange(nb)
    for j in range(k):
        # LAPACK's i?amax: the first entry of largest magnitude; a NaN wins only
        # when it comes first, since later comparisons with it are all false.
        col = np.abs(a[:, j:, j])
        first_nan = np.isnan(col[:, 0])
        p = np.argmax(np.where(np.isnan(col), -1, col), axis=1)
        p = np.where(first_nan, 0, p) + j
        pivots[:, j] = p
        swap = p != j
        if swap.any():
            r, pr = rows[swap], p[swap]
            a[r, j], a[r, pr] = a[r, pr], a[r, j].copy()
            perm[r, j], perm[r, pr] = perm[r, pr], perm[r, j].copy()
        piv = a[:, j, j]
        nonzero = piv != 0  # a zero pivot leaves the column unscaled, as getrf does
        scale = np.where(nonzero, piv, 1)[:, None]
        a[:, j + 1:, j] = np.where(nonzero[:, None], a[:, j + 1:, j] / scale, a[:, j + 1:, j])
        a[:, j + 1:, j + 1:] -= a[:, j + 1:, j:j + 1] * a[:, j:j + 1, j + 1:]
    return [a.reshape(batch + (m, n)).astype(x.dtype), pivots.reshape(batch + (k,)),
            perm.reshape(batch + (m,))]


lu_p = def_primitive("lu", _lu_rule, _lu_impl, multiple_results=True)


def lu(x):
    """LU decomposition with partial pivoting (LAPACK getrf): P A = L U.

    Returns ``(lu, pivots, permutation)``: L (unit diagonal, not stored) below
    the diagonal of `lu` and U on and above it; `pivots` (int32, min(m, n)) are
    the row swaps applied in order; `permutation` (int32, m) is their result.

    >>> lu_, piv, perm = linalg.lu(jnp.array([[1.0, 2.0], [3.0, 4.0]]))  # doctest: +SKIP
    >>> piv, perm  # doctest: +SKIP
    (Array([1, 1], dtype=int32), Array([1, 0], dtype=int32))
    """
    return tuple(lu_p.bind(asarray(x)))


# ----------------------------------------------------------------------------- lu_pivots_to_permutation

def _lu_pivots_to_permutation_rule(pivots, *, permutation_size):
    name = "lu_pivots_to_permutation"
    (batch,), ((k,),) = _split(name, [pivots], [1])
    if pivots.dtype != np.int32:
        raise type_error(
            f"{name} does not accept dtype {pivots.dtype.name} at position 0. Accepted dtypes "
            f"at position 0 are subtypes of int32.")
    if not permutation_size >= k:
        raise value_error(
            f"Output permutation size {permutation_size} has to exceed the trailing dimension "
            f"of the pivots. Got pivots size {k}")
    return aval(batch + (permutation_size,), np.int32)


def _lu_pivots_to_permutation_impl(pivots, *, permutation_size):
    batch = pivots.shape[:-1]
    k = pivots.shape[-1]
    nb = int(np.prod(batch, dtype=np.int64))
    piv = pivots.reshape(nb, k).astype(np.int64)
    perm = np.tile(np.arange(permutation_size, dtype=np.int32), (nb, 1))
    rows = np.arange(nb)
    for i in range(k):
        # JAX swaps with a gather and a scatter: negative indices wrap, reads clamp,
        # writes out of bounds are dropped.
        j = piv[:, i]
        j = np.where(j < 0, j + permutation_size, j)
        read = np.clip(j, 0, permutation_size - 1)
        xi = perm[:, i].copy()
        perm[:, i] = perm[rows, read]
        ok = (j >= 0) & (j < permutation_size)
        perm[rows[ok], j[ok]] = xi[ok]
    return perm.reshape(batch + (permutation_size,))


lu_pivots_to_permutation_p = def_primitive(
    "lu_pivots_to_permutation", _lu_pivots_to_permutation_rule,
    _lu_pivots_to_permutation_impl)


def lu_pivots_to_permutation(pivots, permutation_size: int):
    """The permutation produced by applying the row swaps `pivots` to arange(size).

    >>> linalg.lu_pivots_to_permutation(jnp.array([2, 2, 2], jnp.int32), 5)  # doctest: +SKIP
    Array([2, 0, 1, 3, 4], dtype=int32)
    """
    return lu_pivots_to_permutation_p.bind(asarray(pivots),
                                           permutation_size=int(permutation_size))


# ----------------------------------------------------------------------------- qr

def _qr_rule(x, *, pivoting, full_matrices, use_magma):
    (batch,), ((m, n),) = _split("qr", [x], [2])
    _check_float("qr", x)
    k = m if full_matrices else min(m, n)
    return [aval(batch + (m, k), x.dtype, x.weak_type),
            aval(batch + (k, n), x.dtype, x.weak_type)]


def _qr_impl(x, *, pivoting, full_matrices, use_magma):
    w = x.astype(_work_dtype(x.dtype))
    # NumPy's qr is LAPACK geqrf + orgqr, so the signs match JAX on CPU.
    q, r = np.linalg.qr(w, mode="complete" if full_matrices else "reduced")
    return [q.astype(x.dtype), r.astype(x.dtype)]


qr_p = def_primitive("qr", _qr_rule, _qr_impl, multiple_results=True)


def qr(x, *, pivoting: bool = False, full_matrices: bool = True, use_magma=None):
    """QR decomposition A = Q R with orthogonal Q and upper-triangular R.

    Q is (m, m) and R (m, n) with `full_matrices`, else (m, k) and (k, n),
    k = min(m, n). Signs follow LAPACK (geqrf/orgqr), as JAX's CPU backend.

    >>> q, r = linalg.qr(jnp.array([[3.0, 1.0], [4.0, 2.0]]))  # doctest: +SKIP
    >>> r  # doctest: +SKIP
    Array([[-5. , -2.2],
           [ 0. ,  0.4]], dtype=float32)
    """
    if pivoting:
        raise NotImplementedError(
            "tinyjax.lax.linalg.qr does not implement pivoting=True (column-pivoted QR).")
    return tuple(qr_p.bind(asarray(x), pivoting=False, full_matrices=bool(full_matrices),
                           use_magma=use_magma))


# ----------------------------------------------------------------------------- eigh

def _check_subset(name, subset_by_index, n):
    if subset_by_index is None:
        return n
    lo, hi = subset_by_index
    if not 0 <= lo <= hi <= n:
        raise value_error(
            f"{name} subset_by_index must satisfy 0 <= start <= end <= {n}, got "
            f"{subset_by_index}.")
    return hi - lo


def _eigh_rule(x, *, lower, sort_eigenvalues, subset_by_index, algorithm):
    (batch,), ((m, n),) = _split("eigh", [x], [2])
    _check_float("eigh", x)
    if m != n:
        raise value_error(
            f"Argument to symmetric eigendecomposition must have shape [..., n, n], got shape "
            f"{x.shape}")
    d = _check_subset("eigh", subset_by_index, n)
    return [aval(batch + (n, d), x.dtype, x.weak_type), aval(batch + (d,), x.dtype,
                                                            x.weak_type)]


def _eigh_impl(x, *, lower, sort_eigenvalues, subset_by_index, algorithm):
    wdt = _work_dtype(x.dtype)
    w_ = x.astype(wdt)
    n = x.shape[-1]

    def solve(a):
        w, v = np.linalg.eigh(a, UPLO="L" if lower else "U")  # ascending, syevd
        return v, w

    v, w = _per_matrix(solve, w_, [(n, n), (n,)])
    if subset_by_index is not None:
        lo, hi = subset_by_index
        v, w = v[..., lo:hi], w[..., lo:hi]
    return [v.astype(x.dtype), w.astype(x.dtype)]


eigh_p = def_primitive("eigh", _eigh_rule, _eigh_impl, multiple_results=True)


def eigh(x, *, lower: bool = True, symmetrize_input: bool = True,
         sort_eigenvalues: bool = True, subset_by_index=None, implementation=None):
    """Eigendecomposition of symmetric matrices; returns ``(v, w)`` (vectors first).

    ``v[..., :, i]`` is the unit eigenvector for eigenvalue ``w[..., i]``;
    eigenvalues ascend. Without `symmetrize_input`, only the triangle named by
    `lower` is read. `subset_by_index=(start, end)` keeps eigenvalues
    start..end-1.

    >>> v, w = linalg.eigh(jnp.array([[2.0, 1.0], [1.0, 2.0]]))  # doctest: +SKIP
    >>> w  # doctest: +SKIP
    Array([1., 3.], dtype=float32)
    """
    x = _symmetrize(x) if symmetrize_input else asarray(x)
    if subset_by_index is not None:
        subset_by_index = tuple(int(i) for i in subset_by_index)
    if implementation is not None and not isinstance(implementation, EighImplementation):
        raise type_error(f"eigh implementation must be an EighImplementation, got "
                         f"{implementation!r}")
    v, w = eigh_p.bind(x, lower=bool(lower), sort_eigenvalues=bool(sort_eigenvalues),
                       subset_by_index=subset_by_index, algorithm=implementation)
    return v, w


# ----------------------------------------------------------------------------- svd

def _svd_rule(x, *, full_matrices, compute_uv, subset_by_index, algorithm):
    (batch,), ((m, n),) = _split("svd", [x], [2])
    _check_float("svd", x)
    rank = min(m, n)
    if subset_by_index is not None:
        if full_matrices and tuple(subset_by_index) != (0, rank):
            raise value_error("full_matrices and subset_by_index cannot both be set")
        rank = min(rank, _check_subset("svd", subset_by_index, rank))
    s = aval(batch + (rank,), x.dtype, x.weak_type)
    if not compute_uv:
        return [s]
    return [s, aval(batch + (m, m if full_matrices else rank), x.dtype, x.weak_type),
            aval(batch + (n if full_matrices else rank, n), x.dtype, x.weak_type)]


def _svd_impl(x, *, full_matrices, compute_uv, subset_by_index, algorithm):
    w = x.astype(_work_dtype(x.dtype))
    m, n = x.shape[-2:]
    k = min(m, n)
    if compute_uv:
        def solve(a):
            u, s, vh = np.linalg.svd(a, full_matrices=full_matrices)
            return s, u, vh
        shapes = [(k,), (m, m if full_matrices else k), (n if full_matrices else k, n)]
        s, u, vh = _per_matrix(solve, w, shapes)
        if subset_by_index is not None:
            lo, hi = subset_by_index
            s, u, vh = s[..., lo:hi], u[..., lo:hi], vh[..., lo:hi, :]
        return [s.astype(x.dtype), u.astype(x.dtype), vh.astype(x.dtype)]
    s = _per_matrix(lambda a: np.linalg.svd(a, compute_uv=False), w, [(k,)])
    if subset_by_index is not None:
        s = s[..., subset_by_index[0]:subset_by_index[1]]
    return [s.astype(x.dtype)]


svd_p = def_primitive("svd", _svd_rule, _svd_impl, multiple_results=True)


def svd(x, *, full_matrices: bool = True, compute_uv: bool = True, subset_by_index=None,
        algorithm=None):
    """Singular value decomposition A = U diag(s) Vh, singular values descending.

    Returns ``(u, s, vh)``, or only ``s`` when `compute_uv` is False.

    >>> linalg.svd(jnp.array([[3.0, 0.0], [0.0, 4.0]]), compute_uv=False)  # doctest: +SKIP
    Array([4., 3.], dtype=float32)
    """
    if subset_by_index is not None:
        subset_by_index = tuple(int(i) for i in subset_by_index)
    if algorithm is not None and not isinstance(algorithm, SvdAlgorithm):
        raise type_error(f"svd algorithm must be None or an SvdAlgorithm, got {algorithm!r}")
    out = svd_p.bind(asarray(x), full_matrices=bool(full_matrices),
                     compute_uv=bool(compute_uv), subset_by_index=subset_by_index,
                     algorithm=algorithm)
    if compute_uv:
        s, u, vh = out
        return u, s, vh
    return out[0]


from ..core.errors import wrap_namespace as _wrap_namespace  # noqa: E402

_wrap_namespace(globals())
