"""Polynomials as coefficient arrays, highest degree first (numpy.poly* API)."""
from __future__ import annotations

import operator

import numpy as np

from .. import lax
from ..core.errors import ConcretizationTypeError
from ..lax._base import type_error, value_error
from ._convert import asarray, promote_args_inexact, promote_dtypes, promote_dtypes_inexact

__all__ = ["poly", "polyadd", "polyder", "polydiv", "polyfit", "polyint", "polymul", "polysub",
           "polyval", "roots", "trim_zeros_poly", "vander"]


def _1d(name, p):
    p = asarray(p)
    if p.ndim != 1:
        raise value_error(f"{name} requires a 1-D coefficient array, got shape {p.shape}")
    return p


def polyval(p, x, *, unroll: int = 16):  # unroll: accepted for JAX compatibility
    """Evaluate the polynomial p (highest degree first) at x, by Horner's rule.

    >>> polyval(jnp.array([1.0, 0.0, -1.0]), 3.0)  # doctest: +SKIP
    Array(8., dtype=float32)
    """
    p, x = promote_dtypes(p, x)
    if p.ndim != 1:
        raise value_error(f"polyval requires a 1-D coefficient array, got shape {p.shape}")
    out = lax.full_like(x, 0)
    for i in range(p.shape[0]):
        coef = lax.reshape(lax.slice(p, (i,), (i + 1,)), ())  # rank 0: lax broadcasts it
        out = lax.add(lax.mul(out, x), coef)
    return out


def polyadd(a1, a2):
    """Sum of two polynomials."""
    a1, a2 = promote_dtypes(_1d("polyadd", a1), _1d("polyadd", a2))
    n = max(a1.shape[0], a2.shape[0])
    a1 = lax.pad(a1, lax.full((), 0, a1.dtype), ((n - a1.shape[0], 0, 0),))
    a2 = lax.pad(a2, lax.full((), 0, a2.dtype), ((n - a2.shape[0], 0, 0),))
    return lax.add(a1, a2)


def polysub(a1, a2):
    """Difference of two polynomials."""
    a1, a2 = promote_dtypes(_1d("polysub", a1), _1d("polysub", a2))
    return polyadd(a1, lax.neg(a2))


def polymul(a1, a2, *, trim_leading_zeros: bool = False):
    """Product of two polynomials (the convolution of their coefficients)."""
    a1, a2 = promote_dtypes(_1d("polymul", a1), _1d("polymul", a2))
    n1, n2 = a1.shape[0], a2.shape[0]
    if n1 == 0 or n2 == 0:
        return lax.full((0,), 0, a1.dtype)
    # out[k] = sum_i a1[i] a2[k - i]: an outer product summed along anti-diagonals
    outer = lax.mul(lax.broadcast_in_dim(a1, (n1, n2), (0,)),
                    lax.broadcast_in_dim(a2, (n1, n2), (1,)))
    rows = [lax.pad(lax.reshape(lax.slice(outer, (i, 0), (i + 1, n2)), (n2,)),
                    lax.full((), 0, a1.dtype), ((i, n1 - 1 - i, 0),)) for i in range(n1)]
    out = rows[0]
    for r in rows[1:]:
        out = lax.add(out, r)
    return out


def polyder(p, m: int = 1):
    """The m-th derivative of a polynomial."""
    m = operator.index(m)
    if m < 0:
        raise value_error(f"Order of derivative must be positive, got m={m}")
    (p,) = promote_dtypes(_1d("polyder", p))
    for _ in range(m):
        n = p.shape[0] - 1
        if n <= 0:
            return lax.full((0,), 0, p.dtype)
        powers = lax.convert_element_type(lax.sub(lax.full((n,), n, np.int32),
                                                  lax.iota(np.int32, n)), p.dtype)
        p = lax.mul(lax.slice(p, (0,), (n,)), powers)
    return p


def polyint(p, m: int = 1, k=None):
    """The m-th antiderivative of a polynomial, with integration constants k."""
    m = operator.index(m)
    if m < 0:
        raise value_error(f"Order of integral must be positive, got m={m}")
    (p,) = promote_args_inexact("polyint", _1d("polyint", p))
    ks = [0.0] * m if k is None else list(np.atleast_1d(np.asarray(k)))
    if len(ks) == 1 and m > 1:
        ks = ks * m
    if len(ks) != m:
        raise value_error(f"k must be a scalar or a sequence of length m={m}, got {k!r}")
    for j in range(m):
        n = p.shape[0]
        div = lax.convert_element_type(lax.sub(lax.full((n,), n, np.int32),
                                               lax.iota(np.int32, n)), p.dtype)
        p = lax.concatenate([lax.div(p, div), lax.full((1,), ks[j], p.dtype)], 0)
    return p


def polydiv(u, v, *, trim_leading_zeros: bool = False):
    """Quotient and remainder of polynomial division u / v."""
    u, v = promote_args_inexact("polydiv", _1d("polydiv", u), _1d("polydiv", v))
    m, n = u.shape[0] - 1, v.shape[0] - 1
    if n < 0:
        raise value_error("polydiv: the divisor must have at least one coefficient")
    scale = lax.div(lax.full((), 1, u.dtype), lax.reshape(lax.slice(v, (0,), (1,)), ()))
    q = lax.full((max(m - n + 1, 1),), 0, u.dtype)
    r = u
    for k in range(0, m - n + 1):
        d = lax.mul(scale, lax.reshape(lax.slice(r, (k,), (k + 1,)), ()))
        q = lax.dynamic_update_slice(q, lax.reshape(d, (1,)), (k,))
        upd = lax.mul(d, v)
        r = lax.sub(r, lax.pad(upd, lax.full((), 0, u.dtype), ((k, m - n - k, 0),)))
    return q, r


def poly(seq_of_zeros):
    """Coefficients of the monic polynomial with the given roots (or of a square
    matrix's characteristic polynomial, from its eigenvalues when symmetric)."""
    z = asarray(seq_of_zeros)
    if z.ndim == 2 and z.shape[0] == z.shape[1] and z.shape[0] > 0:
        from . import linalg
        z = linalg.eigvalsh(z)
    elif z.ndim != 1:
        raise value_error(f"poly: input must be 1-D or a square 2-D array, got {z.shape}")
    (z,) = promote_args_inexact("poly", z)
    out = lax.full((1,), 1, z.dtype)
    for i in range(z.shape[0]):
        root = lax.reshape(lax.slice(z, (i,), (i + 1,)), (1,))
        out = polymul(out, lax.concatenate([lax.full((1,), 1, z.dtype), lax.neg(root)], 0))
    return out


def vander(x, N=None, increasing: bool = False):
    """The Vandermonde matrix of x: columns are powers of x."""
    x = asarray(x)
    if x.ndim != 1:
        raise value_error(f"vander: x must be 1-D, got shape {x.shape}")
    N = x.shape[0] if N is None else operator.index(N)
    if N < 0:
        raise value_error("N must be nonnegative")
    cols = []
    acc = lax.full_like(x, 1)
    for _ in range(N):
        cols.append(acc)
        acc = lax.mul(acc, x)
    if not increasing:
        cols = cols[::-1]
    if not cols:
        return lax.full((x.shape[0], 0), 0, x.dtype)
    return lax.concatenate([lax.broadcast_in_dim(c, (x.shape[0], 1), (0,)) for c in cols], 1)


def polyfit(x, y, deg: int, rcond=None, full: bool = False, w=None, cov: bool = False):
    """Least-squares polynomial fit of degree `deg` (coefficients highest first)."""
    from . import linalg
    deg = operator.index(deg)
    if deg < 0:
        raise value_error("expected deg >= 0")
    x, y = promote_dtypes_inexact(x, y)
    if x.ndim != 1 or y.ndim not in (1, 2) or x.shape[0] != y.shape[0]:
        raise type_error(f"polyfit: expected 1-D x and 1-D/2-D y of matching length, got "
                         f"{x.shape} and {y.shape}")
    lhs = vander(x, deg + 1)
    rhs = y
    if w is not None:
        (w,) = promote_args_inexact("polyfit", w)
        lhs = lax.mul(lhs, lax.broadcast_in_dim(w, lhs.shape, (0,)))
        rhs = lax.mul(rhs, lax.broadcast_in_dim(w, rhs.shape, (0,)))
    # scale columns for conditioning, as NumPy does
    scale = lax.sqrt(lax.reduce_sum(lax.mul(lhs, lhs), (0,)))
    scale = lax.select(lax.eq(scale, lax.full_like(scale, 0)), lax.full_like(scale, 1), scale)
    lhs = lax.div(lhs, lax.broadcast_in_dim(scale, lhs.shape, (1,)))
    c, resids, rank, s = linalg.lstsq(lhs, rhs, rcond=rcond)
    c = lax.div(c, lax.broadcast_in_dim(scale, c.shape, (0,)))
    if full:
        return c, resids, rank, s, rcond
    if cov:
        # covariance of the coefficients: inv(A^T A) in the unscaled basis, times the
        # residual variance unless cov == "unscaled" (as numpy.polyfit)
        order = deg + 1
        vbase = linalg.inv(lax.dot_general(lhs, lhs, (((0,), (0,)), ((), ()))))
        vbase = lax.div(vbase, lax.mul(lax.broadcast_in_dim(scale, vbase.shape, (0,)),
                                       lax.broadcast_in_dim(scale, vbase.shape, (1,))))
        if isinstance(cov, str) and cov == "unscaled":
            # numpy (and JAX) keep a trailing axis of 1 here for 2-D y
            fac = lax.full((), 1, vbase.dtype) if y.ndim == 1 else lax.full((1,), 1, vbase.dtype)
        else:
            if x.shape[0] <= order:
                raise value_error("the number of data points must exceed order to scale the "
                                  "covariance matrix")
            fac = lax.div(lax.reshape(resids, ()) if y.ndim == 1 else resids,
                          lax.full((), x.shape[0] - order, vbase.dtype))
        if y.ndim == 1:
            return c, lax.mul(vbase, fac)
        k = fac.shape[0]
        return c, lax.mul(lax.broadcast_in_dim(vbase, vbase.shape + (k,), (0, 1)),
                          lax.broadcast_in_dim(fac, vbase.shape + (k,), (2,)))
    return c


def trim_zeros_poly(p):
    """Drop leading zero coefficients (needs concrete values)."""
    p = _1d("trim_zeros_poly", p)
    v = p.to_concrete_value()
    if v is None:
        raise ConcretizationTypeError(p, "Trimming zeros makes the output shape depend on "
                                         "values. ")
    nz = np.flatnonzero(np.asarray(v))
    start = int(nz[0]) if nz.size else p.shape[0]
    return lax.slice(p, (start,), (p.shape[0],))


def roots(p, *, strip_zeros: bool = True):
    """Roots of a polynomial with real roots (eigenvalues of the companion matrix).

    tinyjax has no complex dtypes: a polynomial with complex roots raises a
    ValueError naming them instead of returning them. Needs concrete coefficients.
    """
    (p,) = promote_args_inexact("roots", _1d("roots", p))
    v = p.to_concrete_value()
    if v is None:
        raise ConcretizationTypeError(p, "roots needs concrete coefficients (the number and "
                                         "kind of roots depend on the values). ")
    v = np.asarray(v)
    if strip_zeros:
        nz = np.flatnonzero(v)
        v = v[nz[0]:nz[-1] + 1] if nz.size else v[:0]
        trailing = 0 if not nz.size else len(np.asarray(p.to_concrete_value())) - 1 - nz[-1]
    else:
        trailing = 0
    n = len(v) - 1
    if n < 1:
        return asarray(np.zeros(trailing, p.dtype))
    companion = np.diag(np.ones(n - 1, np.float64), -1)
    companion[0, :] = -v[1:].astype(np.float64) / float(v[0])
    r = np.linalg.eigvals(companion)
    if np.any(np.abs(r.imag) > 1e-6 * np.maximum(1.0, np.abs(r.real))):
        raise value_error(
            f"roots: this polynomial has complex roots {r[np.abs(r.imag) > 0]}, and tinyjax "
            f"has no complex dtypes.")
    out = np.sort(r.real)[::-1]
    out = np.concatenate([out, np.zeros(trailing)])
    return asarray(out.astype(p.dtype))
