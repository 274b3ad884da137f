"""tinyjax.scipy.special: special functions with scipy.special's names, written in
terms of lax (so they trace, and later differentiate and compile)."""
from __future__ import annotations

import math

import numpy as np

from .. import lax
from .. import numpy as jnp
from ..core import dtypes
from ..numpy._convert import promote_args_inexact
from ..numpy.ufuncs import broadcast_all

__all__ = [
    "betainc", "betaln", "digamma", "entr", "erf", "erfc", "erfinv", "expit", "factorial",
    "gamma", "gammainc", "gammaincc", "gammaln", "i0", "i0e", "i1", "i1e", "kl_div",
    "log_ndtr", "log_softmax", "logit", "logsumexp", "multigammaln", "ndtr", "ndtri",
    "polygamma", "psi", "rel_entr", "softmax", "xlog1py", "xlogy", "zeta",
]


def _float_args(name, *args):
    return broadcast_all(*promote_args_inexact(name, *args))


def _const(x, v):
    return lax.full_like(x, v)


def erf(x):
    """The error function.

    >>> erf(jnp.array([0.0, 1.0]))  # doctest: +SKIP
    Array([0.       , 0.8427008], dtype=float32)
    """
    (x,) = _float_args("erf", x)
    return lax.erf(x)


def erfc(x):
    """The complementary error function 1 - erf(x), accurate in the tail."""
    (x,) = _float_args("erfc", x)
    return lax.erfc(x)


def erfinv(x):
    """The inverse error function."""
    (x,) = _float_args("erfinv", x)
    return lax.erf_inv(x)


def expit(x):
    """The logistic sigmoid 1 / (1 + exp(-x))."""
    (x,) = _float_args("expit", x)
    return lax.logistic(x)


def logit(x):
    """log(p / (1 - p)), the inverse of expit."""
    (x,) = _float_args("logit", x)
    return lax.log(lax.div(x, lax.sub(_const(x, 1), x)))


def gammaln(x):
    """log |Gamma(x)|."""
    (x,) = _float_args("gammaln", x)
    return lax.lgamma(x)


def gamma(x):
    """The gamma function (NaN at non-positive integers)."""
    (x,) = _float_args("gamma", x)
    fl = lax.floor(x)
    odd = lax.ne(lax.rem(fl, _const(x, 2)), _const(x, 0))
    sign = lax.select(lax.bitwise_and(lax.lt(x, _const(x, 0)), odd), _const(x, -1), _const(x, 1))
    pole = lax.bitwise_and(lax.le(x, _const(x, 0)), lax.eq(x, fl))
    return lax.select(pole, _const(x, np.nan), lax.mul(sign, lax.exp(lax.lgamma(x))))


def digamma(x):
    """The logarithmic derivative of the gamma function."""
    (x,) = _float_args("digamma", x)
    return lax.digamma(x)


psi = digamma


def betaln(a, b):
    """log |B(a, b)|."""
    a, b = _float_args("betaln", a, b)
    return lax.sub(lax.add(lax.lgamma(a), lax.lgamma(b)), lax.lgamma(lax.add(a, b)))


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    a, b, x = _float_args("betainc", a, b, x)
    return lax.betainc(a, b, x)


def gammainc(a, x):
    """The regularized lower incomplete gamma function P(a, x)."""
    a, x = _float_args("gammainc", a, x)
    return lax.igamma(a, x)


def gammaincc(a, x):
    """The regularized upper incomplete gamma function Q(a, x)."""
    a, x = _float_args("gammaincc", a, x)
    return lax.igammac(a, x)


def i0e(x):
    """Exponentially scaled modified Bessel function of order 0."""
    (x,) = _float_args("i0e", x)
    return lax.bessel_i0e(x)


def i1e(x):
    """Exponentially scaled modified Bessel function of order 1."""
    (x,) = _float_args("i1e", x)
    return lax.bessel_i1e(x)


def i0(x):
    """Modified Bessel function of order 0."""
    (x,) = _float_args("i0", x)
    return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i0e(x))


def i1(x):
    """Modified Bessel function of order 1."""
    (x,) = _float_args("i1", x)
    return lax.mul(lax.exp(lax.abs(x)), lax.bessel_i1e(x))


def zeta(x, q=None):
    """The Hurwitz zeta function (Riemann zeta when q is None)."""
    if q is None:
        (x,) = _float_args("zeta", x)
        return lax.zeta(x, _const(x, 1))
    x, q = _float_args("zeta", x, q)
    return lax.zeta(x, q)


def polygamma(n, x):
    """The n-th derivative of digamma (n a non-negative integer)."""
    n, x = _float_args("polygamma", n, x)
    return lax.polygamma(n, x)


def multigammaln(a, d: int):
    """The log of the multivariate gamma function of dimension d."""
    d = int(d)
    (a,) = _float_args("multigammaln", a)
    acc = _const(a, d * (d - 1) / 4 * math.log(math.pi))
    for j in range(d):
        acc = lax.add(acc, lax.lgamma(lax.sub(a, _const(a, j / 2))))
    return acc


def factorial(n, exact: bool = False):
    """n! as Gamma(n + 1) (0 for negative n), as scipy.special.factorial."""
    if exact:
        raise ValueError("factorial with exact=True is not supported; use exact=False")
    (n,) = _float_args("factorial", n)
    out = lax.exp(lax.lgamma(lax.add(n, _const(n, 1))))
    return lax.select(lax.lt(n, _const(n, 0)), _const(n, 0), out)


def xlogy(x, y):
    """x * log(y), with 0 where x == 0."""
    x, y = _float_args("xlogy", x, y)
    zero = lax.eq(x, _const(x, 0))
    return lax.select(zero, _const(x, 0), lax.mul(x, lax.log(y)))


def xlog1py(x, y):
    """x * log1p(y), with 0 where x == 0."""
    x, y = _float_args("xlog1py", x, y)
    zero = lax.eq(x, _const(x, 0))
    return lax.select(zero, _const(x, 0), lax.mul(x, lax.log1p(y)))


def entr(x):
    """-x log x for x > 0, 0 at 0, -inf for x < 0."""
    (x,) = _float_args("entr", x)
    pos = lax.gt(x, _const(x, 0))
    safe = lax.select(pos, x, _const(x, 1))
    val = lax.neg(lax.mul(x, lax.log(safe)))
    return lax.select(pos, val, lax.select(lax.eq(x, _const(x, 0)), _const(x, 0),
                                           lax.select(lax.ne(x, x), x, _const(x, -np.inf))))


def rel_entr(x, y):
    """x log(x / y) elementwise, as scipy.special.rel_entr."""
    x, y = _float_args("rel_entr", x, y)
    zero = _const(x, 0)
    both_pos = lax.bitwise_and(lax.gt(x, zero), lax.gt(y, zero))
    safe_x = lax.select(both_pos, x, _const(x, 1))
    safe_y = lax.select(both_pos, y, _const(x, 1))
    val = lax.mul(x, lax.log(lax.div(safe_x, safe_y)))
    x0 = lax.bitwise_and(lax.eq(x, zero), lax.ge(y, zero))
    return lax.select(both_pos, val, lax.select(x0, zero, _const(x, np.inf)))


def kl_div(x, y):
    """x log(x / y) - x + y elementwise, as scipy.special.kl_div."""
    x, y = _float_args("kl_div", x, y)
    zero = _const(x, 0)
    both_pos = lax.bitwise_and(lax.gt(x, zero), lax.gt(y, zero))
    safe_x = lax.select(both_pos, x, _const(x, 1))
    safe_y = lax.select(both_pos, y, _const(x, 1))
    val = lax.add(lax.sub(lax.mul(x, lax.log(lax.div(safe_x, safe_y))), x), y)
    x0 = lax.bitwise_and(lax.eq(x, zero), lax.ge(y, zero))
    return lax.select(both_pos, val, lax.select(x0, y, _const(x, np.inf)))


# ----------------------------------------------------------------------------- normal CDF

_SQRT1_2 = 1 / math.sqrt(2)
_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def ndtr(x):
    """The standard normal CDF."""
    (x,) = _float_args("ndtr", x)
    z = lax.mul(x, _const(x, _SQRT1_2))
    half = _const(x, 0.5)
    small = lax.lt(lax.abs(z), _const(x, _SQRT1_2))
    center = lax.add(half, lax.mul(half, lax.erf(z)))
    tail = lax.select(lax.gt(z, _const(x, 0)), lax.sub(_const(x, 1), lax.mul(half, lax.erfc(z))),
                      lax.mul(half, lax.erfc(lax.neg(z))))
    return lax.select(small, center, tail)


def _log_ndtr_asymptotic(x, terms):
    # log Phi(x) for x << 0: -x^2/2 - log(-x) - log(2 pi)/2 + log(1 + sum_n (-1)^n (2n-1)!! / x^2n)
    x2 = lax.mul(x, x)
    inv = lax.div(_const(x, 1), x2)
    acc = _const(x, 0)
    coef = 1.0
    power = _const(x, 1)
    for n in range(1, terms + 1):
        coef *= (2 * n - 1)
        power = lax.mul(power, inv)
        acc = lax.add(acc, lax.mul(_const(x, (-1) ** n * coef), power))
    return lax.sub(lax.sub(lax.mul(_const(x, -0.5), x2), lax.log(lax.neg(x))),
                   lax.sub(_const(x, _HALF_LOG_2PI), lax.log1p(acc)))


def log_ndtr(x, series_order: int = 3):
    """log of the standard normal CDF, accurate far into both tails."""
    (x,) = _float_args("log_ndtr", x)
    lower, terms = (-20.0, 6) if x.dtype == np.float64 else (-10.0, max(series_order, 4))
    zero = _const(x, 0)
    asym = _log_ndtr_asymptotic(lax.min(x, _const(x, lower)), terms)
    mid = lax.log(ndtr(lax.clamp(_const(x, lower), x, zero)))
    # for x > 0, Phi(x) = 1 - Phi(-x): log1p keeps the small complement exact
    hi = lax.log1p(lax.neg(ndtr(lax.neg(lax.max(x, zero)))))
    return lax.select(lax.lt(x, _const(x, lower)), asym, lax.select(lax.gt(x, zero), hi, mid))


def ndtri(p):
    """The inverse of the standard normal CDF (the normal quantile function).

    Centre: sqrt(2) erfinv(2p - 1). Tails: Abramowitz & Stegun 26.2.23 as a start,
    refined by Newton steps on log_ndtr(x) = log(p), which stays accurate for tiny p.
    """
    (p,) = _float_args("ndtri", p)
    one, zero, half = _const(p, 1), _const(p, 0), _const(p, 0.5)
    center = lax.mul(_const(p, math.sqrt(2)), lax.erf_inv(lax.sub(lax.mul(_const(p, 2), p), one)))
    q = lax.min(p, lax.sub(one, p))
    q_safe = lax.clamp(_const(p, dtypes.finfo(p.dtype).tiny), q, half)
    t = lax.sqrt(lax.mul(_const(p, -2), lax.log(q_safe)))
    num = lax.add(_const(p, 2.515517), lax.mul(t, lax.add(_const(p, 0.802853),
                                                          lax.mul(t, _const(p, 0.010328)))))
    den = lax.add(one, lax.mul(t, lax.add(_const(p, 1.432788), lax.mul(
        t, lax.add(_const(p, 0.189269), lax.mul(t, _const(p, 0.001308)))))))
    x = lax.neg(lax.sub(t, lax.div(num, den)))
    log_q = lax.log(q_safe)
    for _ in range(4):
        lnd = log_ndtr(x)
        log_pdf = lax.sub(lax.mul(_const(p, -0.5), lax.mul(x, x)), _const(p, _HALF_LOG_2PI))
        x = lax.sub(x, lax.div(lax.sub(lnd, log_q), lax.exp(lax.sub(log_pdf, lnd))))
    tail = lax.select(lax.gt(p, half), lax.neg(x), x)
    out = lax.select(lax.le(lax.abs(lax.sub(p, half)), _const(p, 0.425)), center, tail)
    out = lax.select(lax.eq(p, zero), _const(p, -np.inf), out)
    out = lax.select(lax.eq(p, one), _const(p, np.inf), out)
    bad = lax.bitwise_or(lax.bitwise_or(lax.lt(p, zero), lax.gt(p, one)), lax.ne(p, p))
    return lax.select(bad, _const(p, np.nan), out)


# ----------------------------------------------------------------------------- logsumexp

def logsumexp(a, axis=None, b=None, keepdims: bool = False, return_sign: bool = False,
              where=None):
    """log(sum(b * exp(a))) over `axis`, computed stably.

    >>> logsumexp(jnp.array([1000.0, 1000.0]))  # doctest: +SKIP
    Array(1000.6931, dtype=float32)
    """
    if b is not None:
        a, b = promote_args_inexact("logsumexp", a, b)
        a, b = broadcast_all(a, b)
    else:
        (a,) = promote_args_inexact("logsumexp", a)
    if where is not None:
        a = jnp.where(where, a, -np.inf)
    amax = jnp.max(a, axis=axis, keepdims=True, initial=-np.inf) if a.size == 0 else \
        jnp.max(a, axis=axis, keepdims=True)
    amax = lax.stop_gradient(amax) if hasattr(lax, "stop_gradient") else amax
    amax = jnp.where(jnp.isfinite(amax), amax, 0)
    e = lax.exp(lax.sub(a, jnp.broadcast_to(amax, a.shape)))
    if b is not None:
        e = lax.mul(e, b)
    s = jnp.sum(e, axis=axis, keepdims=True, where=where)
    sign = jnp.sign(s)
    out = lax.add(lax.log(lax.abs(s)), amax)
    if not keepdims:
        out = jnp.squeeze(out, axis=axis) if axis is not None else jnp.reshape(out, ())
        sign = jnp.squeeze(sign, axis=axis) if axis is not None else jnp.reshape(sign, ())
    if return_sign:
        return out, sign
    if b is not None:
        out = jnp.where(sign < 0, np.nan, out)
    return out


def softmax(x, axis=None):
    """exp(x) / sum(exp(x)) over `axis` (all axes by default, as scipy)."""
    (x,) = promote_args_inexact("softmax", x)
    m = jnp.max(x, axis=axis, keepdims=True)
    e = jnp.exp(x - m)
    return e / jnp.sum(e, axis=axis, keepdims=True)


def log_softmax(x, axis=None):
    """x - logsumexp(x) over `axis` (all axes by default, as scipy)."""
    (x,) = promote_args_inexact("log_softmax", x)
    return x - logsumexp(x, axis=axis, keepdims=True)
