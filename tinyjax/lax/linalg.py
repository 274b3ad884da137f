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
from ..interpreters import batching
from ..interpreters.ad import Zero, defjvp2, defjvp_zero, jvp_rules, transpose_rules
from . import elementwise as _ew
from . import indexing as _ix
from . import reductions as _red
from . import shapes as _shapes
from ._base import asarray, aval, def_primitive, dtype_str, type_error, value_error
from .convolution import Precision, dot_general

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


# ----------------------------------------------------------------------------- helpers for JVPs
# Tangent formulas are written with lax operations (never NumPy) so they can be traced,
# transposed and differentiated again.

def _mm(a, b):
    """Batched matrix product over the leading dimensions: (..., m, k) @ (..., k, n)."""
    nd = a.ndim
    batch = tuple(range(nd - 2))
    return dot_general(a, b, (((nd - 1,), (nd - 2,)), (batch, batch)),
                       precision=Precision.HIGHEST)


def _tri_mask(shape, k: int = 0):
    """Boolean mask of the lower triangle (col - row <= k) of matrices of `shape`."""
    nd = len(shape)
    rows = _shapes.broadcasted_iota(np.int32, shape, nd - 2)
    cols = _shapes.broadcasted_iota(np.int32, shape, nd - 1)
    return _ew.ge(_ew.add(rows, np.int32(k)), cols)


def _zeros_like(x):
    return _shapes.full(x.shape, 0, x.dtype)


def _tril(x, k: int = 0):
    return _ew.select(_tri_mask(x.shape, k), x, _zeros_like(x))


def _triu(x, k: int = 0):
    return _ew.select(_tri_mask(x.shape, k - 1), _zeros_like(x), x)


def _eye_mask(shape):
    nd = len(shape)
    return _ew.eq(_shapes.broadcasted_iota(np.int32, shape, nd - 2),
                  _shapes.broadcasted_iota(np.int32, shape, nd - 1))


def _eye(shape, dtype):
    """Identity matrices of `shape` (..., n, n) (or rectangular ones)."""
    return _ew.convert_element_type(_eye_mask(shape), dtype)


def _diagonal(x):
    """The diagonal of square matrices: (..., n, n) -> (..., n)."""
    return _red.reduce_sum(_ew.select(_eye_mask(x.shape), x, _zeros_like(x)), (x.ndim - 1,))


def _diag_matrix(d):
    """Square diagonal matrices with diagonal `d`: (..., n) -> (..., n, n)."""
    shape = tuple(d.shape) + (d.shape[-1],)
    full = _shapes.broadcast_in_dim(d, shape, tuple(range(d.ndim - 1)) + (d.ndim,))
    return _ew.select(_eye_mask(shape), full, _shapes.full(shape, 0, d.dtype))


def _row(v, n: int):
    """(..., k) -> (..., n, k): v repeated along a new second-to-last axis (v[..., None, :])."""
    shape = tuple(v.shape[:-1]) + (n, v.shape[-1])
    return _shapes.broadcast_in_dim(v, shape, tuple(range(v.ndim - 1)) + (v.ndim,))


def _col(v, n: int):
    """(..., k) -> (..., k, n): v repeated along a new last axis (v[..., :, None])."""
    shape = tuple(v.shape) + (n,)
    return _shapes.broadcast_in_dim(v, shape, tuple(range(v.ndim)))


def _scalar(x, value):
    return _shapes.full((), value, x.dtype)


def _slice_last2(x, rows, cols):
    """x[..., rows, cols] for Python slices with non-negative static bounds."""
    nd = x.ndim
    start = [0] * nd
    limit = list(x.shape)
    for ax, sl in ((nd - 2, rows), (nd - 1, cols)):
        lo, hi, _ = sl.indices(x.shape[ax])
        start[ax], limit[ax] = lo, hi
    return _ix.slice(x, tuple(start), tuple(limit))


def _permutation_matrix(perm, dtype):
    """P with P[..., i, j] = (perm[..., i] == j), so P @ A == A[..., perm, :]."""
    m = perm.shape[-1]
    shape = tuple(perm.shape) + (m,)
    p = _shapes.broadcast_in_dim(perm, shape, tuple(range(perm.ndim)))
    return _ew.convert_element_type(
        _ew.eq(p, _shapes.broadcasted_iota(perm.dtype, shape, perm.ndim)), dtype)


def _defbatch_leading(prim, core_rank: int = 2):
    """vmap of a primitive that maps over the leading dimensions of its one operand
    (core: the trailing `core_rank`): a batch dim already among the leading ones stays
    where it is (so do the outputs'); one inside the core moves to the front."""
    def rule(vals, dims, **params):
        (x,), (d,) = vals, dims
        if d >= x.ndim - core_rank:
            x, d = batching.moveaxis(x, d, 0), 0
        out = prim.bind(x, **params)
        if prim.multiple_results:
            return out, [d] * len(out)
        return out, d
    batching.batching_rules[prim] = rule


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


def _cholesky_jvp(primals, tangents):
    # A = L L^T  =>  dL = L phi(L^{-1} dA L^{-T}), phi keeping the lower triangle with
    # its diagonal halved (Murray 2016, arXiv:1602.07527), as JAX.
    (x,), (dx,) = primals, tangents
    L = cholesky_p.bind(x)
    tmp = triangular_solve(L, dx, left_side=False, transpose_a=True, lower=True)
    inner = triangular_solve(L, tmp, left_side=True, lower=True)
    half_diag = _ew.select(_eye_mask(inner.shape), _shapes.full(inner.shape, 0.5, inner.dtype),
                           _shapes.full(inner.shape, 1, inner.dtype))
    return L, _mm(L, _ew.mul(_tril(inner), half_diag))


jvp_rules[cholesky_p] = _cholesky_jvp
_defbatch_leading(cholesky_p)


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


def _triangular_solve_jvp_a(g_a, ans, a, b, *, left_side, lower, transpose_a, conjugate_a,
                            unit_diagonal):
    # X = op(A)^{-1} B  =>  dX = -op(A)^{-1} op(dA) X (left side), -X op(dA) op(A)^{-1}
    # (right side); only the triangle of dA that A's solve reads counts.
    m, n = b.shape[-2:]
    k = 1 if unit_diagonal else 0
    g_a = _tril(g_a, -k) if lower else _triu(g_a, k)
    g_a = _ew.neg(g_a)
    if transpose_a:
        g_a = _matrix_transpose(g_a)
    params = dict(left_side=left_side, lower=lower, transpose_a=transpose_a,
                  conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)

    def a_inverse(rhs):
        return triangular_solve_p.bind(a, rhs, **params)

    # a solve costs about a matrix product: pick the cheaper association
    if left_side:
        return a_inverse(_mm(g_a, ans)) if m > n else _mm(a_inverse(g_a), ans)
    return a_inverse(_mm(ans, g_a)) if m < n else _mm(ans, a_inverse(g_a))


def _triangular_solve_transpose(ct, a, b, *, left_side, lower, transpose_a, conjugate_a,
                                unit_diagonal):
    # Linear in b: the adjoint of op(A)^{-1} is op(A)^{-T}.
    return [None, triangular_solve_p.bind(
        a, ct, left_side=left_side, lower=lower, transpose_a=not transpose_a,
        conjugate_a=conjugate_a, unit_diagonal=unit_diagonal)]


defjvp2(triangular_solve_p, _triangular_solve_jvp_a,
        lambda g_b, ans, a, b, **params: triangular_solve_p.bind(a, g_b, **params))
transpose_rules[triangular_solve_p] = _triangular_solve_transpose


def _triangular_solve_batch(vals, dims, *, left_side, **params):
    a, b = vals
    ad, bd = dims
    if ad is None:
        # One matrix for the whole batch: the batch becomes more right-hand sides, the
        # columns of B (left side: op(A) X = B) or its rows (right side: X op(A) = B).
        # Moved next to that axis and merged, it costs a transpose, not copies of A.
        nd = b.ndim
        at = nd - 2 if left_side else nd - 3  # just before the columns / rows
        b = batching.moveaxis(b, bd, at)
        shape = tuple(b.shape)
        merged = shape[:at] + (shape[at] * shape[at + 1],) + shape[at + 2:]
        out = triangular_solve_p.bind(a, _shapes.reshape(b, merged), left_side=left_side,
                                      **params)
        return _shapes.reshape(out, shape), at
    if bd is not None and ad == bd and ad < a.ndim - 2:  # same leading dim: nothing to do
        return triangular_solve_p.bind(a, b, left_side=left_side, **params), ad
    size = a.shape[ad]
    a = batching.bdim_at_front(a, ad, size)
    b = batching.bdim_at_front(b, bd, size)
    return triangular_solve_p.bind(a, b, left_side=left_side, **params), 0


batching.batching_rules[triangular_solve_p] = _triangular_solve_batch


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


def _lu_jvp(primals, tangents):
    # P A = L U  =>  L^{-1} P dA U^{-1} = L^{-1} dL + dU U^{-1}: its strict lower part
    # gives dL = L tril(., -1), the rest dU = triu(.) U (de Hoog, Anderssen & Lukas).
    # L is completed to m x m and U to n x n with identity blocks, as JAX.
    (a,), (a_dot,) = primals, tangents
    lu_, pivots, perm = lu_p.bind(a)
    m, n = a.shape[-2:]
    k = min(m, n)
    nd = a.ndim
    batch = tuple(a.shape[:-2])
    zero = _scalar(lu_, 0)
    no_pad = [(0, 0, 0)] * (nd - 2)
    l_ = _shapes.pad(_tril(_slice_last2(lu_, slice(None), slice(0, k)), -1), zero,
                     no_pad + [(0, 0, 0), (0, m - k, 0)])
    l_ = _ew.add(l_, _eye(batch + (m, m), a.dtype))
    u_eye = _shapes.pad(_eye(batch + (n - k, n - k), a.dtype), zero,
                        no_pad + [(k, 0, 0), (k, 0, 0)])
    u_ = _shapes.pad(_triu(_slice_last2(lu_, slice(0, k), slice(None))), zero,
                     no_pad + [(0, n - k, 0), (0, 0, 0)])
    u_ = _ew.add(u_, u_eye)
    x = _mm(_permutation_matrix(perm, a.dtype), a_dot)  # a_dot[..., perm, :]
    la = triangular_solve_p.bind(l_, x, left_side=True, lower=True, transpose_a=False,
                                 conjugate_a=False, unit_diagonal=True)
    lau = triangular_solve_p.bind(u_, la, left_side=False, lower=False, transpose_a=False,
                                  conjugate_a=False, unit_diagonal=False)
    lu_dot = _ew.add(_mm(l_, _tril(lau, -1)), _mm(_triu(lau), u_))
    return [lu_, pivots, perm], [lu_dot, Zero.from_value(pivots), Zero.from_value(perm)]


jvp_rules[lu_p] = _lu_jvp
_defbatch_leading(lu_p)


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
defjvp_zero(lu_pivots_to_permutation_p)  # integer in, integer out
_defbatch_leading(lu_pivots_to_permutation_p, core_rank=1)


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


def _thin_qr_jvp(q, r, dx):
    """dQ, dR of X = Q R for (..., m, n) with m >= n and Q (m, n) (J. Townsend's
    derivation): with C = Q^T dX R^{-1}, Omega = tril(C, -1) - tril(C, -1)^T,
    dQ = Q (Omega - C) + dX R^{-1} and dR = (C - Omega) R."""
    dx_rinv = triangular_solve(r, dx)  # dX R^{-1} (right-side solve)
    c = _mm(_matrix_transpose(q), dx_rinv)
    c_lower = _tril(c, -1)
    omega = _ew.sub(c_lower, _matrix_transpose(c_lower))
    dq = _ew.add(_mm(q, _ew.sub(omega, c)), dx_rinv)
    dr = _mm(_ew.sub(c, omega), r)
    return dq, dr


def _lu_solve_transposed(lu_, perm, b):
    """Solve A^T X = B given P A = L U packed in `lu_` (square)."""
    y = triangular_solve_p.bind(lu_, b, left_side=True, lower=False, transpose_a=True,
                                conjugate_a=False, unit_diagonal=False)
    z = triangular_solve_p.bind(lu_, y, left_side=True, lower=True, transpose_a=True,
                                conjugate_a=False, unit_diagonal=True)
    return _mm(_matrix_transpose(_permutation_matrix(perm, b.dtype)), z)  # P^T z


def _qr_jvp(primals, tangents, *, pivoting, full_matrices, use_magma):
    (x,), (dx,) = primals, tangents
    q, r = qr_p.bind(x, pivoting=pivoting, full_matrices=full_matrices, use_magma=use_magma)
    m, n = x.shape[-2:]
    if m < n:
        # Wide: X = Q [R1 R2] with square X1 = Q R1, and R2 = Q^T X2, so
        # dR2 = dQ^T X2 + Q^T dX2.
        dq, dr1 = _thin_qr_jvp(q, _slice_last2(r, slice(None), slice(0, m)),
                               _slice_last2(dx, slice(None), slice(0, m)))
        x2 = _slice_last2(x, slice(None), slice(m, None))
        dx2 = _slice_last2(dx, slice(None), slice(m, None))
        dr2 = _ew.add(_mm(_matrix_transpose(dq), x2), _mm(_matrix_transpose(q), dx2))
        return [q, r], [dq, _shapes.concatenate([dr1, dr2], x.ndim - 1)]
    if not full_matrices or m == n:
        dq, dr = _thin_qr_jvp(q, r, dx)
        return [q, r], [dq, dr]
    # Full Q of a tall matrix: the thin part as above; the orthogonal complement
    # Q_mp follows Roberts & Roberts (arXiv:2409.13374, eqs. 32-33), as JAX.
    q_mn = _slice_last2(q, slice(None), slice(0, n))
    q_mp = _slice_last2(q, slice(None), slice(n, None))
    r_nn = _slice_last2(r, slice(0, n), slice(None))
    dq_mn, dr_nn = _thin_qr_jvp(q_mn, r_nn, dx)
    q_nn = _slice_last2(q_mn, slice(0, n), slice(None))
    q_pn = _slice_last2(q_mn, slice(n, None), slice(None))
    dq_nn = _slice_last2(dq_mn, slice(0, n), slice(None))
    dq_pn = _slice_last2(dq_mn, slice(n, None), slice(None))
    batch = tuple(x.shape[:-2])
    lu_, _, perm = lu_p.bind(_ew.sub(q_nn, _eye(batch + (n, n), x.dtype)))
    z_pn_t = _lu_solve_transposed(lu_, perm, _matrix_transpose(q_pn))
    z_pn = _matrix_transpose(z_pn_t)
    dq_mp = _ew.sub(_mm(dq_mn, z_pn_t),
                    _mm(_ew.add(q_mn, _mm(q_mp, z_pn)),
                        _matrix_transpose(_ew.sub(dq_pn, _mm(z_pn, dq_nn)))))
    dq = _shapes.concatenate([dq_mn, dq_mp], x.ndim - 1)
    dr = _shapes.concatenate([dr_nn, _shapes.full(batch + (m - n, n), 0, x.dtype)],
                             x.ndim - 2)
    return [q, r], [dq, dr]


jvp_rules[qr_p] = _qr_jvp
_defbatch_leading(qr_p)


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


def _eigh_jvp(primals, tangents, *, lower, sort_eigenvalues, subset_by_index, algorithm):
    # Non-degenerate perturbation theory: with S = V^T dA V, dw = diag(S) and
    # dV = V (F o S), F_ij = 1 / (w_j - w_i) off the diagonal and 0 on it. As JAX, the
    # primal is recomputed from the symmetrized input; the tangent is used as given.
    (a,), (a_dot,) = primals, tangents
    n = a.shape[-1]
    if not (subset_by_index is None or tuple(subset_by_index) == (0, n)):
        raise NotImplementedError("Derivatives not defined for partial eigen decomposition.")
    v, w = eigh_p.bind(_symmetrize(a), lower=lower, sort_eigenvalues=sort_eigenvalues,
                       subset_by_index=subset_by_index, algorithm=algorithm)
    eye = _eye(tuple(a.shape), a.dtype)
    # 1 / (eye + w_j - w_i) - eye: the diagonal never divides by zero
    f = _ew.sub(_ew.integer_pow(_ew.add(eye, _ew.sub(_row(w, n), _col(w, n))), -1), eye)
    s = _mm(_mm(_matrix_transpose(v), a_dot), v)
    return [v, w], [_mm(v, _ew.mul(f, s)), _diagonal(s)]


jvp_rules[eigh_p] = _eigh_jvp
_defbatch_leading(eigh_p)


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


def _svd_jvp(primals, tangents, *, full_matrices, compute_uv, subset_by_index, algorithm):
    # With dS = U^T dA V: ds = diag(dS); dU, dV from the off-diagonal part of dS
    # (F_ij = 1 / (s_j^2 - s_i^2)), plus the components outside span(U) / span(V)
    # for rectangular A (Townsend, "Differentiating the SVD"), as JAX.
    (a,), (da,) = primals, tangents
    m, n = a.shape[-2:]
    if compute_uv and full_matrices and m != n:
        raise NotImplementedError(
            "Singular value decomposition JVP not implemented for full matrices")
    s, u, vt = svd_p.bind(a, full_matrices=False, compute_uv=True,
                          subset_by_index=subset_by_index, algorithm=algorithm)
    ut, v = _matrix_transpose(u), _matrix_transpose(vt)
    ds_mat = _mm(_mm(ut, da), v)
    ds = _diagonal(ds_mat)
    if not compute_uv:
        return [s], [ds]
    k = s.shape[-1]
    s_row, s_col = _row(s, k), _col(s, k)  # s_j and s_i at [i, j]
    eye = _eye(tuple(s.shape) + (k,), s.dtype)
    s_diffs = _ew.mul(_ew.add(s_row, s_col), _ew.sub(s_row, s_col))
    f = _ew.sub(_ew.div(_scalar(s, 1), _ew.add(s_diffs, eye)), eye)
    dss = _ew.mul(s_row, ds_mat)  # dS diag(s)
    sds = _ew.mul(s_col, ds_mat)  # diag(s) dS
    s_zeros = _ew.convert_element_type(_ew.eq(s, _scalar(s, 0)), s.dtype)
    s_inv = _ew.sub(_ew.div(_scalar(s, 1), _ew.add(s, s_zeros)), s_zeros)
    half = _ew.mul(_scalar(ds_mat, 0.5), _ew.sub(ds_mat, _matrix_transpose(ds_mat)))
    dudv_diag = _ew.mul(half, _diag_matrix(s_inv))
    du = _mm(u, _ew.add(_ew.mul(f, _ew.add(dss, _matrix_transpose(dss))), dudv_diag))
    dv = _mm(v, _ew.mul(f, _ew.add(sds, _matrix_transpose(sds))))
    if m > n:
        dav = _mm(da, v)
        du = _ew.add(du, _ew.div(_ew.sub(dav, _mm(u, _mm(ut, dav))), _row(s, m)))
    if n > m:
        dahu = _mm(_matrix_transpose(da), u)
        dv = _ew.add(dv, _ew.div(_ew.sub(dahu, _mm(v, _mm(vt, dahu))), _row(s, n)))
    return [s, u, vt], [ds, du, _matrix_transpose(dv)]


jvp_rules[svd_p] = _svd_jvp
_defbatch_leading(svd_p)


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
