"""The rest of `jax.random`'s distributions, built on the core samplers of
`tinyjax.random` (which re-exports everything here).

Every sampler uses JAX 0.10's construction and keys, so for a given key it draws
the same uniform/normal bits as `jax.random`. Most then apply the float
transform exactly as XLA's CPU code does: the float32 `log`/`log1p` kernels
of `tinyjax.random`, XLA's `exp` (reproduced below), its fused multiply-adds
and its rewrite of a division by a broadcast scalar into a multiplication by
the reciprocal. Results that match JAX bit for bit (float32, checked in
tests/test_random_distributions.py): gumbel (all modes), exponential, laplace,
logistic, rayleigh, pareto, wald, lognormal, triangular, geometric, loggamma,
beta, chisquare, t, poisson, binomial, multinomial; gamma too for most shape
parameters. The others agree to a few ulps: XLA calls glibc's `tanf`/`powf`
(cauchy, weibull_min, generalized_normal, ball, gamma with a < 1), its `rsqrt`
is approximate (gamma's `1/3 / sqrt(d)`: ~1 ulp for some a), and its
reductions and linear algebra sum in an order that depends on the shape
(maxwell, double_sided_maxwell, dirichlet, f, multivariate_normal, orthogonal).
float64 uses tinyjax's own transcendental functions throughout.

The samplers JAX writes with `while_loop` (gamma and everything built on it,
poisson, binomial) are emulated with a fixed number of vectorized rounds,
because tinyjax has no `while_loop` yet. Each round does what one iteration of
JAX's loop does, with a mask standing in for the loop's exit, so an element
gets JAX's value whenever JAX finishes it within the rounds we run; the round
counts below make running out rarer than about one element in 10^9 (it then
keeps a valid value of its support, drawn from a rejected proposal or truncated).

`tinyjax.random` is imported inside each function (`_random()`): it imports this
module at its end, so a top-level import would be circular.
"""
from __future__ import annotations

import functools
import math
import operator
from typing import Sequence

import numpy as np

from . import lax
from . import numpy as jnp
from .core import dtypes
from .core.array import Array
from .custom_derivatives import custom_jvp

__all__ = [
    "ball", "beta", "binomial", "cauchy", "chisquare", "dirichlet",
    "double_sided_maxwell", "exponential", "f", "gamma", "generalized_normal",
    "geometric", "gumbel", "laplace", "loggamma", "logistic", "lognormal",
    "maxwell", "multinomial", "multivariate_normal", "orthogonal", "pareto",
    "poisson", "rayleigh", "t", "triangular", "wald", "weibull_min",
]

Shape = Sequence[int]

# Rounds of the emulated while loops (see the module docstring). A round costs
# one or two threefry evaluations over the whole sample.
_GAMMA_ROUNDS = 8          # Marsaglia-Tsang accepts >= 95% per round
_GAMMA_NORMAL_ROUNDS = 4   # v = 1 + c*x <= 0 has probability <= 0.72% per draw
_KNUTH_ROUNDS = 40         # Knuth's Poisson method needs k + 1 rounds, lam < 10
_PTRS_ROUNDS = 14          # transformed rejection accepts >= 85% per round
_BINOMIAL_INVERSION_ROUNDS = 40   # k + 1 rounds, n * p <= 10
_FULL_COUNTING_ROUNDS = 20  # then only the elements still going (< 0.4% for mean 10)
_BTRS_ROUNDS = 14          # and BTRS >= 80%


# ----------------------------------------------------------------------------- helpers

def _random():
    from . import random as _r  # lazy: tinyjax.random imports this module
    return _r


def _vmap(fun, keys):
    from .vmap import vmap
    return vmap(fun)(keys)


def _check_key(name: str, key):
    return _random()._check_key(name, key)


def _log(x):
    # XLA's float32 log, bit for bit (tinyjax.random reproduces its kernel)
    return _random()._log(x)


def _log1p(x):
    # log1p(+-0) is +-0 exactly (the emulated kernel loses the sign of zero)
    return jnp.where(x == 0, x, _random()._log1p(x))


_EXP_F32 = []


def _exp(x):
    """XLA's float32 exp, bit for bit (float16 through float32; float64: lax.exp)."""
    if not _EXP_F32:
        f = custom_jvp(_random()._via_f32(_exp_f32_impl, lax.exp))
        f.defjvps(lambda g, ans, x: g * ans)
        _EXP_F32.append(f)
    return _EXP_F32[0](x)


def _exp_f32_impl(x):
    # Cephes expf as XLA's CPU backend emits it: exp(x) = exp(a) * 2**n with
    # n = floor(x / ln 2 + 1/2) clamped to [-127, 127], ln 2 in two parts, each
    # multiply-add fused (FMA), and subnormal results flushed to zero.
    _r = _random()
    f32 = np.float32
    x = jnp.clip(x, f32(-104), f32(88.8))
    n = jnp.floor(_r._fma_c(x, f32(1.44269504088896341), f32(0.5)))
    n = jnp.clip(n, f32(-127), f32(127))
    a = _r._fma_c(n, f32(-0.693359375), x)
    a = _r._fma_c(n, f32(2.12194440e-4), a)
    z = _r._fma_c(a, f32(1.9875691500e-4), f32(1.3981999507e-3))
    for coef in (8.3334519073e-3, 4.1665795894e-2, 1.6666665459e-1, 5.0000001201e-1):
        z = _r._fma_c(z, a, f32(coef))
    z = _r._fma(z, a * a, a) + f32(1)
    bits = lax.shift_left(lax.convert_element_type(n, np.int32) + np.int32(127), np.int32(23))
    out = z * lax.bitcast_convert_type(bits, np.float32)
    return jnp.where(jnp.abs(out) < np.finfo(np.float32).tiny, f32(0), out)


def _float_dtype(name: str, dtype) -> np.dtype:
    dt = dtypes.canonicalize_dtype(float if dtype is None else dtype)
    if not dtypes.issubdtype(dt, np.floating):
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {dt}")
    return dt


def _int_dtype(name: str, dtype) -> np.dtype:
    dt = dtypes.canonicalize_dtype(int if dtype is None else dtype)
    if not dtypes.issubdtype(dt, np.integer):
        raise ValueError(f"dtype argument to `{name}` must be an int dtype, got {dt}")
    return dt


def _canon_shape(shape) -> tuple[int, ...]:
    try:
        return tuple(operator.index(d) for d in shape)
    except TypeError:
        raise TypeError(f"shape must be a sequence of integers, got {shape!r}") from None


def _check_shape(name: str, shape: tuple, *param_shapes) -> None:
    if param_shapes:
        try:
            full = np.broadcast_shapes(shape, *param_shapes)
        except ValueError:
            full = None
        if full is None or tuple(full) != tuple(shape):
            raise ValueError(
                f"{name} parameter shapes must be broadcast-compatible with shape "
                f"argument, and the result of broadcasting the shapes must equal the "
                f"shape argument, but got result {full} for shape argument "
                f"{tuple(shape)}.")


def _shape_from(name: str, shape, *args) -> tuple[int, ...]:
    """`shape`, checked against the parameters' shapes; their broadcast if None."""
    arg_shapes = [np.shape(a) for a in args]
    if shape is None:
        return tuple(lax.broadcast_shapes(*arg_shapes)) if arg_shapes else ()
    shape = _canon_shape(shape)
    _check_shape(name, shape, *arg_shapes)
    return shape


def _check_safe_cast(name: str, dtype, *args) -> None:
    # JAX raises its TypePromotionError, a ValueError, for the same arguments.
    for a in args:
        src = dtypes.dtype_and_weak(a)[0]
        if src != dtype and dtypes.result_type(a, dtype) != dtype:
            raise ValueError(f"In arguments to {name}, cannot safely cast argument of "
                             f"type {src} to {dtype}")


def _static_value(x):
    """x as a NumPy value if it is a constant (a Python or NumPy number or array):
    such parameters may decide which of JAX's branches are needed at all."""
    if isinstance(x, (bool, int, float, np.generic, np.ndarray)):
        return np.asarray(x, dtype=np.float64)
    return None


def _as(x, dtype):
    return lax.convert_element_type(x, dtype)


def _full(shape, value, dtype):
    return lax.full(tuple(shape), value, dtype)


# Draws for a batch of keys, one per key (what `vmap` of split/uniform/normal
# over the keys gives): threefry directly on the key words, without vmap's
# per-operation cost. `split(k, num)` hashes the counters (0, i), i < num; a
# scalar draw hashes (0, 0) and xors the two output words.

def _split_each(keys, num: int):
    """(n, 2) keys -> (num, n, 2): `split(k, num)` of each key."""
    _r = _random()
    counts = lax.iota(np.uint32, num)[:, None]
    w1, w2 = _r._threefry2x32(keys[None, :, 0], keys[None, :, 1], np.uint32(0), counts)
    return jnp.stack([w1, w2], -1)


def _bits_each(keys):
    _r = _random()
    w1, w2 = _r._threefry2x32(keys[:, 0], keys[:, 1], np.uint32(0), np.uint32(0))
    return lax.bitwise_xor(w1, w2)


def _uniform_each(keys, dtype):
    """`uniform(k, (), dtype)` for each key: [0, 1) from the top mantissa bits."""
    if dtype != np.float32:
        _r = _random()
        return _vmap(lambda k: _r.uniform(k, (), dtype), keys)
    fbits = lax.bitwise_or(lax.shift_right_logical(_bits_each(keys), np.uint32(9)),
                           np.uint32(0x3F800000))
    return lax.bitcast_convert_type(fbits, np.float32) - np.float32(1)


def _normal_each(keys, dtype):
    """`normal(k, (), dtype)` for each key: sqrt(2) erf_inv(u), u uniform in (-1, 1)."""
    _r = _random()
    if dtype != np.float32:
        return _vmap(lambda k: _r.normal(k, (), dtype), keys)
    lo = np.nextafter(np.float32(-1), np.float32(0))
    span = np.float32(1) - lo                 # as uniform(minval=lo, maxval=1) computes it
    floats = _uniform_each(keys, dtype)
    u = jnp.maximum(lo, _fma(floats, span, lo))
    return np.float32(np.sqrt(2)) * _r._erf_inv(u)


# ----------------------------------------------------------------------------- simple transforms of uniform bits

def gumbel(key, shape: Shape = (), dtype=None, mode: str | None = None) -> Array:
    """Standard Gumbel samples, density `exp(-(x + exp(-x)))`.

    `mode` is "low" (the default: one uniform per sample, largest value ~16 in
    float32), "high" (two uniforms, ~32) or "highest" (float32: 64 random bits).

    >>> from tinyjax import random
    >>> random.gumbel(random.PRNGKey(0), (3,)).shape
    (3,)
    """
    key = _check_key("gumbel", key)
    dtype = _float_dtype("gumbel", dtype)
    shape = _canon_shape(shape)
    mode = _random()._gumbel_mode(mode)
    return _random()._gumbel(key, shape, dtype, mode)


def exponential(key, shape: Shape = (), dtype=None) -> Array:
    """Standard exponential samples, density `exp(-x)` on `[0, inf)`.

    >>> from tinyjax import random
    >>> float(random.exponential(random.PRNGKey(0))) >= 0
    True
    """
    key = _check_key("exponential", key)
    dtype = _float_dtype("exponential", dtype)
    u = _random().uniform(key, _canon_shape(shape), dtype)
    return -_log1p(-u)     # log of 1 - u in (0, 1]: never log(0)


def laplace(key, shape: Shape = (), dtype=None) -> Array:
    """Standard Laplace samples, density `exp(-|x|) / 2`.

    >>> from tinyjax import random
    >>> random.laplace(random.PRNGKey(0), (2, 2)).dtype
    dtype('float32')
    """
    key = _check_key("laplace", key)
    dtype = _float_dtype("laplace", dtype)
    u = _random().uniform(key, _canon_shape(shape), dtype,
                          -1.0 + float(dtypes.finfo(dtype).epsneg), 1.0)
    return jnp.sign(u) * _log1p(-jnp.abs(u))


def logistic(key, shape: Shape = (), dtype=None) -> Array:
    """Standard logistic samples, density `exp(-x) / (1 + exp(-x))**2`.

    >>> from tinyjax import random
    >>> random.logistic(random.PRNGKey(0), (3,)).shape
    (3,)
    """
    key = _check_key("logistic", key)
    dtype = _float_dtype("logistic", dtype)
    x = _random().uniform(key, _canon_shape(shape), dtype,
                          float(dtypes.finfo(dtype).tiny), 1.0)
    return _log(x) - _log1p(-x)


def cauchy(key, shape: Shape = (), dtype=None) -> Array:
    """Standard Cauchy samples, density proportional to `1 / (1 + x**2)`.

    >>> from tinyjax import random
    >>> random.cauchy(random.PRNGKey(0), (3,)).shape
    (3,)
    """
    key = _check_key("cauchy", key)
    dtype = _float_dtype("cauchy", dtype)
    u = _random().uniform(key, _canon_shape(shape), dtype,
                          float(dtypes.finfo(dtype).eps), 1.0)
    return jnp.tan(_as(np.pi, dtype) * (u - 0.5))


def pareto(key, b, shape: Shape | None = None, dtype=None) -> Array:
    """Pareto samples, density `b / x**(b + 1)` on `[1, inf)`.

    >>> from tinyjax import random
    >>> bool((random.pareto(random.PRNGKey(0), 3.0, (4,)) >= 1).all())
    True
    """
    key = _check_key("pareto", key)
    dtype = _float_dtype("pareto", dtype)
    shape = _shape_from("pareto", shape, b)
    _check_safe_cast("pareto", dtype, b)
    e = exponential(key, shape, dtype)
    return _exp(_div_by(e, _as(b, dtype)))


def weibull_min(key, scale, concentration, shape: Shape = (), dtype=None) -> Array:
    """Weibull samples with the given scale and concentration (shape) parameters.

    >>> from tinyjax import random
    >>> random.weibull_min(random.PRNGKey(0), 1.0, 2.0, (3,)).shape
    (3,)
    """
    key = _check_key("weibull_min", key)
    dtype = _float_dtype("weibull_min", dtype)
    u = _random().uniform(key, _canon_shape(shape), dtype, 0.0, 1.0)
    return jnp.power(-_log1p(-u), 1.0 / concentration) * scale


def rayleigh(key, scale, shape: Shape | None = None, dtype=None) -> Array:
    """Rayleigh samples, density proportional to `x exp(-x**2 / (2 scale**2))`.

    >>> from tinyjax import random
    >>> random.rayleigh(random.PRNGKey(0), 2.0, (3,)).shape
    (3,)
    """
    key = _check_key("rayleigh", key)
    dtype = _float_dtype("rayleigh", dtype)
    shape = _shape_from("rayleigh", shape, scale)
    _check_safe_cast("rayleigh", dtype, scale)
    u = _random().uniform(key, shape, dtype)
    scale = jnp.broadcast_to(_as(scale, dtype), shape)
    return scale * jnp.sqrt(_log(u) * -2.0)


def wald(key, mean, shape: Shape | None = None, dtype=None) -> Array:
    """Wald (inverse Gaussian) samples with the given mean and unit shape.

    >>> from tinyjax import random
    >>> bool((random.wald(random.PRNGKey(0), 1.0, (4,)) > 0).all())
    True
    """
    key = _check_key("wald", key)
    dtype = _float_dtype("wald", dtype)
    shape = _shape_from("wald", shape, mean)
    _check_safe_cast("wald", dtype, mean)
    _r = _random()
    k1, k2 = _r.split(key, 2)
    mean = jnp.broadcast_to(_as(mean, dtype), shape)
    v = _r.normal(k1, shape, dtype)
    z = _r.uniform(k2, shape, dtype)
    y = lax.integer_pow(v, 2)
    y_sq = lax.integer_pow(y, 2)
    mean_sq = lax.integer_pow(mean, 2)
    # the multiply-adds fused as XLA fuses them
    sqrt_term = jnp.sqrt(_fma(4 * mean, y, mean_sq * y_sq))
    x = _fma(-(mean * 0.5), sqrt_term, _fma(mean_sq * y, 0.5, mean))
    return jnp.where(z <= mean / (mean + x), x, mean_sq / x)


def geometric(key, p, shape: Shape | None = None, dtype=None) -> Array:
    """Geometric samples: the number of Bernoulli(p) trials up to the first success.

    >>> from tinyjax import random
    >>> bool((random.geometric(random.PRNGKey(0), 0.3, (5,)) >= 1).all())
    True
    """
    key = _check_key("geometric", key)
    dtype = _int_dtype("geometric", dtype)
    shape = _shape_from("geometric", shape, p)
    (p,) = _promote_inexact(p)
    u = _random().uniform(key, shape, p.dtype)
    u = jnp.where(u == 0, 1, u)      # as JAX: u = 0 is read as 1, avoiding log(0)
    g = jnp.floor(_div_by(_log(u), _log1p(-p))) + 1
    return g.astype(dtype)


def _promote_inexact(*args):
    from .numpy._convert import promote_dtypes_inexact
    return promote_dtypes_inexact(*args)


def triangular(key, left, mode, right, shape: Shape | None = None, dtype=None) -> Array:
    """Triangular samples on `[left, right]` with peak at `mode`.

    >>> from tinyjax import random
    >>> x = random.triangular(random.PRNGKey(0), 0.0, 0.5, 1.0, (4,))
    >>> bool(((x >= 0) & (x <= 1)).all())
    True
    """
    key = _check_key("triangular", key)
    dtype = _float_dtype("triangular", dtype)
    shape = _shape_from("triangular", shape, left, mode, right)
    _check_safe_cast("triangular", dtype, left, mode, right)
    left, mode, right = (jnp.broadcast_to(_as(v, dtype), shape) for v in (left, mode, right))
    fc = (mode - left) / (right - left)
    u = _random().uniform(key, shape, dtype)
    out1 = left + jnp.sqrt(u * (right - left) * (mode - left))
    out2 = right - jnp.sqrt((1 - u) * (right - left) * (right - mode))
    return jnp.where(u < fc, out1, out2)


def lognormal(key, sigma=np.float32(1), shape: Shape | None = None, dtype=None) -> Array:
    """Log-normal samples: `exp(sigma * normal)`.

    >>> from tinyjax import random
    >>> bool((random.lognormal(random.PRNGKey(0), 0.5, (4,)) > 0).all())
    True
    """
    key = _check_key("lognormal", key)
    dtype = _float_dtype("lognormal", dtype)
    shape = _shape_from("lognormal", shape, sigma)
    _check_safe_cast("lognormal", dtype, sigma)
    return _exp(_random().normal(key, shape, dtype) * _as(sigma, dtype))


def maxwell(key, shape: Shape = (), dtype=None) -> Array:
    """One-sided Maxwell samples: the length of a standard normal 3-vector.

    >>> from tinyjax import random
    >>> random.maxwell(random.PRNGKey(0), (2,)).shape
    (2,)
    """
    key = _check_key("maxwell", key)
    dtype = _float_dtype("maxwell", dtype)
    z = _random().normal(key, _canon_shape(shape) + (3,), dtype)
    return jnp.sqrt(jnp.sum(z * z, axis=-1))


def double_sided_maxwell(key, loc, scale, shape: Shape = (), dtype=None) -> Array:
    """Double-sided Maxwell samples, density proportional to `z**2 exp(-z**2 / 2)`
    with `z = (x - loc) / scale`.

    As in JAX, the result shape is `shape + broadcast(loc, scale).shape`, and
    with `shape=()` the parameters' shape is used for `shape` (so it appears twice).

    >>> from tinyjax import random
    >>> random.double_sided_maxwell(random.PRNGKey(0), 0.0, 1.0, (3,)).shape
    (3,)
    """
    key = _check_key("double_sided_maxwell", key)
    dtype = _float_dtype("double_sided_maxwell", dtype)
    shape = _canon_shape(shape)
    params_shape = tuple(lax.broadcast_shapes(np.shape(loc), np.shape(scale)))
    if not shape:
        shape = params_shape
    shape = shape + params_shape
    _r = _random()
    maxwell_key, rademacher_key = _r.split(key)
    rvs = maxwell(maxwell_key, shape, dtype)
    sign = _r.rademacher(rademacher_key, shape, dtype)
    return sign * rvs * scale + loc


# ----------------------------------------------------------------------------- normal-based: linear algebra

def multivariate_normal(key, mean, cov, shape: Shape | None = None, dtype=None,
                        method: str = "cholesky") -> Array:
    """Multivariate normal samples with the given mean `(..., n)` and covariance
    `(..., n, n)`; `method` ('cholesky', 'eigh' or 'svd') factors `cov`.

    >>> from tinyjax import random
    >>> import tinyjax.numpy as jnp
    >>> random.multivariate_normal(random.PRNGKey(0), jnp.zeros(2), jnp.eye(2), (5,)).shape
    (5, 2)
    """
    key = _check_key("multivariate_normal", key)
    mean, cov = _promote_inexact(mean, cov)
    if method not in {"svd", "eigh", "cholesky"}:
        raise ValueError("method must be one of {'svd', 'eigh', 'cholesky'}")
    dtype = mean.dtype if dtype is None else _float_dtype("multivariate_normal", dtype)
    if not dtypes.issubdtype(dtype, np.floating):
        raise ValueError(f"dtype argument to `multivariate_normal` must be a float "
                         f"dtype, got {dtype}")
    if mean.ndim < 1:
        raise ValueError(f"multivariate_normal requires mean.ndim >= 1, got "
                         f"mean.ndim == {mean.ndim}")
    if cov.ndim < 2:
        raise ValueError(f"multivariate_normal requires cov.ndim >= 2, got "
                         f"cov.ndim == {cov.ndim}")
    n = mean.shape[-1]
    if cov.shape[-2:] != (n, n):
        raise ValueError(f"multivariate_normal requires cov.shape == (..., n, n) for "
                         f"n={n}, but got cov.shape == {cov.shape}.")
    if shape is None:
        shape = tuple(lax.broadcast_shapes(mean.shape[:-1], cov.shape[:-2]))
    else:
        shape = _canon_shape(shape)
        _check_shape("normal", shape, mean.shape[:-1], cov.shape[:-2])
    if method == "svd":
        u, s, _ = jnp.linalg.svd(cov)
        factor = u * jnp.sqrt(s[..., None, :])
    elif method == "eigh":
        w, v = jnp.linalg.eigh(cov)
        factor = v * jnp.sqrt(w[..., None, :])
    else:
        factor = jnp.linalg.cholesky(cov)
    z = _random().normal(key, shape + mean.shape[-1:], dtype)
    return mean + jnp.einsum("...ij,...j->...i", factor, z)


def orthogonal(key, n: int, shape: Shape = (), dtype=None, m: int | None = None) -> Array:
    """Random `(*shape, n, m)` matrices with orthonormal columns (or rows, when
    `n < m`), Haar-distributed: QR of a normal matrix, signs fixed by diag(R).

    >>> from tinyjax import random
    >>> import tinyjax.numpy as jnp
    >>> q = random.orthogonal(random.PRNGKey(0), 3)
    >>> bool(jnp.allclose(q @ q.T, jnp.eye(3), atol=1e-5))
    True
    """
    key = _check_key("orthogonal", key)
    dtype = _float_dtype("orthogonal", dtype)
    shape = _canon_shape(shape)
    n = operator.index(n)
    m = n if m is None else operator.index(m)
    z = _random().normal(key, (*shape, max(n, m), min(n, m)), dtype)
    q, r = jnp.linalg.qr(z)
    d = jnp.diagonal(r, axis1=-2, axis2=-1)
    x = q * jnp.expand_dims(jnp.sign(d), -2)
    return jnp.swapaxes(x, -1, -2) if n < m else x


# ----------------------------------------------------------------------------- gamma family

def _fma(a, b, c):
    """a * b + c rounded once: XLA fuses a multiply whose only use is an add."""
    dt = jnp.result_type(a)
    a, b, c = jnp.broadcast_arrays(a, _as(b, dt), _as(c, dt))
    return _random()._fma(a, b, c)


def _div_by(a, b):
    """a / b as XLA computes it: a divisor broadcast to a's shape becomes a
    multiplication by its reciprocal (XLA's algebraic simplifier)."""
    if jnp.shape(b) != jnp.shape(a):
        return a * (1 / b)
    return a / b


def _fma1(x, c):
    """1 + x * c with one rounding, as XLA computes it."""
    return _fma(x, c, 1)


def _first(mask, m: int):
    """Indices of m elements, those where `mask` holds first (m is static)."""
    return jnp.argsort(jnp.logical_not(mask), stable=True)[:m]


def _subset_size(n: int, fraction: int) -> int:
    # room for several times the expected number of stragglers, plus slack for small n
    return min(n, n // fraction + 32)


def _mt_rejected(X, V, U, d):
    """The condition of JAX's Marsaglia-Tsang loop: True while the proposal is
    rejected. V <= 0 (our inner rounds ran out, impossible in JAX) also rejects."""
    keep_going = ((U >= 1 - 0.0331 * (X * X))
                  & (_log(U) >= X * 0.5 + d * ((1 - V) + _log(V))))
    return keep_going | (V <= 0)


def _first_true(ok, axis=0):
    """Index of the first True along `axis`; the last index where there is none."""
    n = ok.shape[axis]
    return jnp.where(jnp.any(ok, axis), jnp.argmax(ok, axis), n - 1)


def _pick(values, j):
    """values[j[i], i] for each i (values: (rounds, m))."""
    return jnp.take_along_axis(values, j[None, :], 0)[0]


def _mt_normal(x_keys, c, dtype):
    """JAX's inner loop: x ~ N(0, 1) from successive keys until v = 1 + c x > 0.

    The first draw is made for every element; the redraws (needed with
    probability < 0.72%) for a static-size subset holding every element that
    needs one, all rounds of them in one batch.
    """
    next_keys, sub = _split_each(x_keys, 2)
    x = _normal_each(sub, dtype)
    v = _fma1(x, c)
    rounds = _GAMMA_NORMAL_ROUNDS - 1
    m = _subset_size(x.shape[0], 64)
    idx = _first(v <= 0, m)
    kk, subs = next_keys[idx], []
    for _ in range(rounds):
        kk, s = _split_each(kk, 2)
        subs.append(s)
    xs = jnp.reshape(_normal_each(jnp.concatenate(subs, 0), dtype), (rounds, m))
    vs = _fma1(xs, jnp.broadcast_to(c[idx], (rounds, m)))
    j = _first_true(vs > 0)
    redo = v[idx] <= 0
    x = x.at[idx].set(jnp.where(redo, _pick(xs, j), x[idx]))
    v = v.at[idx].set(jnp.where(redo, _pick(vs, j), v[idx]))
    return x, v


def _mt_proposal(keys, c, dtype):
    """One iteration of JAX's loop body: the next keys and a proposal (X, V, U)."""
    new_keys, x_keys, u_keys = _split_each(keys, 3)
    x, v = _mt_normal(x_keys, c, dtype)
    return new_keys, x * x, v * v * v, _uniform_each(u_keys, dtype)


def _gamma_impl(key, a, shape: tuple, dtype, log_space: bool):
    """Marsaglia-Tsang, per element with its own key as in JAX.

    JAX's loop makes one proposal per iteration until one is accepted; the
    proposals do not depend on the loop state, so we make them all at once: the
    first for every element (>= 95% accept it), the others for a static-size
    subset holding every element still going (`_first`). An element left out of
    it would keep a rejected proposal, but that needs more than n/8 + 32
    rejections out of n, for which the odds are nil.
    """
    _r = _random()
    a = jnp.broadcast_to(_as(a, dtype), shape)
    size = math.prod(shape)
    if size == 0:
        return jnp.zeros(shape, dtype)
    keys = _r.split(key, size)                      # one key per element, as JAX
    alpha_orig = jnp.reshape(a, (size,))
    boost_mask = alpha_orig >= 1
    alpha = jnp.where(boost_mask, alpha_orig, alpha_orig + 1)
    d = alpha - 1.0 / 3.0
    c = (1.0 / 3.0) / jnp.sqrt(d)

    keys, boost_keys = _split_each(keys, 2)
    keys, X, V, U = _mt_proposal(keys, c, dtype)
    rejected = _mt_rejected(X, V, U, d)
    rounds = _GAMMA_ROUNDS - 1
    m = _subset_size(size, 8)
    idx = _first(rejected, m)
    kk, x_keys, u_keys = keys[idx], [], []
    for _ in range(rounds):
        kk, xk, uk = _split_each(kk, 3)
        x_keys.append(xk)
        u_keys.append(uk)
    c_r = jnp.reshape(jnp.broadcast_to(c[idx], (rounds, m)), (rounds * m,))
    x, v = _mt_normal(jnp.concatenate(x_keys, 0), c_r, dtype)
    u = _uniform_each(jnp.concatenate(u_keys, 0), dtype)
    Xs, Vs, Us = (jnp.reshape(t, (rounds, m)) for t in (x * x, v * v * v, u))
    j = _first_true(~_mt_rejected(Xs, Vs, Us, jnp.broadcast_to(d[idx], (rounds, m))))
    V = V.at[idx].set(jnp.where(rejected[idx], _pick(Vs, j), V[idx]))
    V = jnp.where(V > 0, V, 1)   # only if every inner round failed in the last round
    if log_space:
        log_samples = _log1p(-_uniform_each(boost_keys, dtype))   # -exponential
        log_boost = jnp.where(boost_mask | (log_samples == 0), 0,
                              log_samples * (1 / alpha_orig))
        out = (_log(d) + _log(V)) + log_boost
    else:
        samples = 1 - _uniform_each(boost_keys, dtype)
        boost = jnp.where(boost_mask, 1, jnp.power(samples, 1 / alpha_orig))
        out = (d * V) * boost
    return jnp.reshape(out, shape)


@functools.partial(custom_jvp, nondiff_argnums=(2, 3, 4))
def _gamma(key, a, shape: tuple, dtype, log_space: bool):
    """_gamma_impl, differentiable in `a` like JAX's gamma: by implicit
    reparameterization, dx/da = -(dF/da) / f for the gamma CDF F and density f."""
    return _gamma_impl(key, a, shape, dtype, log_space)


@_gamma.defjvp
def _gamma_jvp(shape, dtype, log_space, primals, tangents):
    key, a = primals
    da = tangents[1]
    out = _gamma(key, a, shape, dtype, log_space)
    a = jnp.broadcast_to(a, shape)
    x = jnp.exp(out) if log_space else out
    x = jnp.maximum(x, np.finfo(dtype).tiny)    # underflowed samples, as JAX
    log_density = (a - 1) * jnp.log(x) - x - lax.lgamma(a)
    dx_da = -lax.igamma_grad_a(a, x) / jnp.exp(log_density)
    if log_space:
        dx_da = dx_da / x
    return out, dx_da * jnp.broadcast_to(da, shape)


def _gamma_args(name, key, a, shape, dtype):
    key = _check_key(name, key)
    dtype = _float_dtype(name, dtype)
    if shape is None:
        shape = tuple(np.shape(a))
    else:
        shape = _canon_shape(shape)
        _check_shape(name, shape, np.shape(a))
    return key, shape, dtype


def gamma(key, a, shape: Shape | None = None, dtype=None) -> Array:
    """Standard gamma samples, density proportional to `x**(a - 1) exp(-x)`, `a > 0`.

    Divide by a rate (or multiply by a scale) for other gamma distributions.
    Same algorithm and keys as JAX (Marsaglia-Tsang per element, with the
    `a < 1` boost), run in a fixed number of rounds: see the module docstring.

    >>> from tinyjax import random
    >>> random.gamma(random.PRNGKey(0), 2.0, (3,)).shape
    (3,)
    """
    key, shape, dtype = _gamma_args("gamma", key, a, shape, dtype)
    return _gamma(key, _as(a, dtype), shape, dtype, False)


def loggamma(key, a, shape: Shape | None = None, dtype=None) -> Array:
    """The log of standard gamma samples, computed in log space: accurate where
    `gamma` underflows to 0 (small `a`). `exp(loggamma(k, a))` ~ `gamma(k, a)`.

    >>> from tinyjax import random
    >>> bool((random.loggamma(random.PRNGKey(0), 0.01, (3,)) < 0).all())
    True
    """
    key, shape, dtype = _gamma_args("loggamma", key, a, shape, dtype)
    return _gamma(key, _as(a, dtype), shape, dtype, True)


def beta(key, a, b, shape: Shape | None = None, dtype=None) -> Array:
    """Beta samples, density proportional to `x**(a - 1) (1 - x)**(b - 1)` on [0, 1].

    >>> from tinyjax import random
    >>> x = random.beta(random.PRNGKey(0), 2.0, 3.0, (4,))
    >>> bool(((x >= 0) & (x <= 1)).all())
    True
    """
    key = _check_key("beta", key)
    dtype = _float_dtype("beta", dtype)
    _check_safe_cast("beta", dtype, a, b)
    shape = _shape_from("beta", shape, a, b)
    key_a, key_b = _random().split(key)
    a = jnp.broadcast_to(_as(a, dtype), shape)
    b = jnp.broadcast_to(_as(b, dtype), shape)
    log_gamma_a = _gamma(key_a, a, shape, dtype, True)
    log_gamma_b = _gamma(key_b, b, shape, dtype, True)
    # gamma_a / (gamma_a + gamma_b), scaled by the larger one so nothing underflows
    log_max = jnp.maximum(log_gamma_a, log_gamma_b)
    gamma_a_scaled = _exp(log_gamma_a - log_max)
    gamma_b_scaled = _exp(log_gamma_b - log_max)
    return gamma_a_scaled / (gamma_a_scaled + gamma_b_scaled)


def dirichlet(key, alpha, shape: Shape | None = None, dtype=None) -> Array:
    """Dirichlet samples for concentrations `alpha` of shape `(..., n)`; the result
    has shape `shape + (n,)` (default `alpha.shape`) and sums to 1 over the last axis.

    >>> from tinyjax import random
    >>> import tinyjax.numpy as jnp
    >>> x = random.dirichlet(random.PRNGKey(0), jnp.array([1.0, 2.0, 3.0]), (4,))
    >>> x.shape
    (4, 3)
    """
    key = _check_key("dirichlet", key)
    dtype = _float_dtype("dirichlet", dtype)
    if np.ndim(alpha) < 1:
        raise ValueError(f"dirichlet requires alpha.ndim >= 1, got alpha.ndim == "
                         f"{np.ndim(alpha)}")
    alpha_shape = tuple(np.shape(alpha))
    if shape is None:
        shape = alpha_shape[:-1]
    else:
        shape = _canon_shape(shape)
        _check_shape("dirichlet", shape, alpha_shape[:-1])
    log_g = _gamma(key, _as(alpha, dtype), shape + alpha_shape[-1:], dtype, True)
    # softmax over the last axis, as jax.nn.softmax computes it
    unnormalized = _exp(log_g - lax.stop_gradient(jnp.max(log_g, -1, keepdims=True)))
    return unnormalized / jnp.sum(unnormalized, -1, keepdims=True)


def chisquare(key, df, shape: Shape | None = None, dtype=None) -> Array:
    """Chi-square samples with `df` degrees of freedom: `2 * gamma(df / 2)`.

    >>> from tinyjax import random
    >>> bool((random.chisquare(random.PRNGKey(0), 3.0, (4,)) > 0).all())
    True
    """
    key = _check_key("chisquare", key)
    dtype = _float_dtype("chisquare", dtype)
    shape = _shape_from("chisquare", shape, df)
    _check_safe_cast("chisquare", dtype, df)
    half_df = _as(df, dtype) / _as(2, dtype)
    return _exp(_gamma(key, half_df, shape, dtype, True)) * 2


def f(key, dfnum, dfden, shape: Shape | None = None, dtype=None) -> Array:
    """F-distribution samples: `(chi2(dfnum) / dfnum) / (chi2(dfden) / dfden)`.

    >>> from tinyjax import random
    >>> random.f(random.PRNGKey(0), 3.0, 5.0, (2,)).shape
    (2,)
    """
    key = _check_key("f", key)
    dtype = _float_dtype("f", dtype)
    shape = _shape_from("f", shape, dfnum, dfden)
    _check_safe_cast("f", dtype, dfnum, dfden)
    dfnum, dfden = _as(dfnum, dtype), _as(dfden, dtype)
    key_dfd, key_dfn = _random().split(key)
    chi2_dfn = chisquare(key_dfn, dfnum, shape, dtype)
    chi2_dfd = chisquare(key_dfd, dfden, shape, dtype)
    return (chi2_dfn / dfnum) / (chi2_dfd / dfden)


def t(key, df, shape: Shape | None = None, dtype=None) -> Array:
    """Student's t samples with `df` degrees of freedom: `normal * sqrt(df/2 / gamma(df/2))`.

    >>> from tinyjax import random
    >>> random.t(random.PRNGKey(0), 5.0, (3,)).shape
    (3,)
    """
    key = _check_key("t", key)
    dtype = _float_dtype("t", dtype)
    shape = _shape_from("t", shape, df)
    _check_safe_cast("t", dtype, df)
    _r = _random()
    key_n, key_g = _r.split(key)
    n = _r.normal(key_n, shape, dtype)
    half_df = _as(df, dtype) / _as(2, dtype)
    g = _gamma(key_g, half_df, shape, dtype, False)
    return n * jnp.sqrt(half_df / g)


def generalized_normal(key, p: float, shape: Shape = (), dtype=None) -> Array:
    """Generalized normal samples, density proportional to `exp(-|x|**p)`, `p > 0`.

    >>> from tinyjax import random
    >>> random.generalized_normal(random.PRNGKey(0), 1.5, (3,)).shape
    (3,)
    """
    key = _check_key("generalized_normal", key)
    dtype = _float_dtype("generalized_normal", dtype)
    shape = _canon_shape(shape)
    return _generalized_normal(key, p, shape, dtype)


def _generalized_normal(key, p, shape, dtype):
    _r = _random()
    k_gamma, k_sign = _r.split(key)
    inv_p = 1 / _weak_float(p)
    g = _gamma(k_gamma, _as(inv_p, dtype), shape, dtype, False)
    r = _r.rademacher(k_sign, shape, dtype)
    return r * g ** inv_p


def _weak_float(p):
    # JAX traces p, so integer p still divides and powers in floating point
    p = jnp.asarray(p)
    return p if dtypes.issubdtype(p.dtype, np.floating) else p.astype(float)


def ball(key, d: int, p: float = 2, shape: Shape = (), dtype=None) -> Array:
    """Samples uniform in the unit L^p ball of dimension `d`; shape `(*shape, d)`.

    >>> from tinyjax import random
    >>> import tinyjax.numpy as jnp
    >>> x = random.ball(random.PRNGKey(0), 3, shape=(5,))
    >>> bool((jnp.linalg.norm(x, axis=-1) <= 1).all())
    True
    """
    key = _check_key("ball", key)
    dtype = _float_dtype("ball", dtype)
    shape = _canon_shape(shape)
    d = operator.index(d)
    _r = _random()
    k1, k2 = _r.split(key)
    g = _generalized_normal(k1, p, (*shape, d), dtype)
    e = exponential(k2, shape, dtype)
    p = _weak_float(p)
    return g / ((jnp.sum(jnp.abs(g) ** p, -1) + e) ** (1 / p))[..., None]


# ----------------------------------------------------------------------------- discrete: poisson, binomial, multinomial

def _key_chain(key, rounds: int, num: int):
    """The subkeys JAX's loops draw: each round `key, *subs = split(key, num)`.
    Returns num - 1 arrays of shape (rounds, 2)."""
    _r = _random()
    subs = []
    for _ in range(rounds):
        keys = _r.split(key, num)
        key = keys[0]
        subs.append(keys[1:])
    return [jnp.stack([s_[i] for s_ in subs]) for i in range(num - 1)]


def _uniform_rounds(keys, shape: tuple, dtype, flat_idx=None):
    """(rounds, 2) keys -> (rounds, *shape): `uniform(keys[r], shape, dtype)` each;
    with `flat_idx` (m,), only those elements of the flattened draws: (rounds, m)."""
    _r = _random()
    if dtype != np.float32:
        u = _vmap(lambda k: _r.uniform(k, shape, dtype), keys)
        if flat_idx is None:
            return u
        return jnp.reshape(u, (u.shape[0], -1))[:, flat_idx]
    if flat_idx is None:
        counts = jnp.reshape(lax.iota(np.uint32, math.prod(shape)), (1,) + shape)
    else:
        shape = tuple(flat_idx.shape)
        counts = lax.convert_element_type(flat_idx, np.uint32)[None]
    lead = (keys.shape[0],) + (1,) * len(shape)
    w1, w2 = _r._threefry2x32(jnp.reshape(keys[:, 0], lead), jnp.reshape(keys[:, 1], lead),
                              np.uint32(0), counts)
    fbits = lax.bitwise_or(lax.shift_right_logical(lax.bitwise_xor(w1, w2), np.uint32(9)),
                           np.uint32(0x3F800000))
    return lax.bitcast_convert_type(fbits, np.float32) - np.float32(1)


def _blocks(rounds: int, shape: tuple):
    """Round ranges to draw together: many rounds for small arrays (fewer, larger
    operations), one at a time for large ones (which stay in cache)."""
    step = max(1, min(rounds, (1 << 16) // max(1, math.prod(shape))))
    return [(i, min(i + step, rounds)) for i in range(0, rounds, step)]


def _counting_loop(subkeys, shape, dtype, counting, step):
    """JAX's Knuth-style loops: each round, count the elements still going
    (`counting(total)`), then add this round's `step(u)` of a uniform draw u to
    their running total. An element is frozen once it stops, so extra rounds
    change nothing. The first rounds run on every element; the rest only on a
    static-size subset holding every element still going (`_first`), drawing
    just those elements' uniforms. Returns (count, still going)."""
    n, rounds = math.prod(shape), subkeys.shape[0]
    count, total = _full((n,), 0, dtype), _full((n,), 0, dtype)
    first = min(rounds, _FULL_COUNTING_ROUNDS)

    def run(count, total, keys, idx, cnt):
        for start, stop in _blocks(keys.shape[0], (cnt.shape[0],)):
            inc = step(_uniform_rounds(keys[start:stop], (n,), dtype, idx), idx)
            for r in range(inc.shape[0]):
                count = jnp.where(counting(total, idx), count + 1, count)
                total = total + inc[r]
        return count, total

    count, total = run(count, total, subkeys[:first], None, count)
    if first < rounds:
        idx = _first(counting(total, None), _subset_size(n, 16))
        c_s, t_s = run(count[idx], total[idx], subkeys[first:], idx, count[idx])
        count, total = count.at[idx].set(c_s), total.at[idx].set(t_s)
    return jnp.reshape(count, shape), jnp.reshape(counting(total, None), shape)


def _poisson_knuth(key, lam, shape, dtype):
    # multiply uniforms (add their logs) until the product drops below exp(-lam)
    (subkeys,) = _key_chain(key, _KNUTH_ROUNDS, 2)
    neg_lam = jnp.reshape(-lam, (-1,))

    def going(log_prod, idx):
        return log_prod > (neg_lam if idx is None else neg_lam[idx])

    k, _ = _counting_loop(subkeys, shape, np.float32, going, lambda u, idx: _log(u))
    return (k - 1).astype(dtype)


def _replay_rejection(accept, k, k_out, accepted):
    """JAX's rejection loops: every round, accepted elements take the round's k,
    until the round after which every element has been accepted once (the loop's
    exit). accept, k: (rounds, *shape). Returns the updated (k_out, accepted)."""
    for r in range(k.shape[0]):
        running = jnp.any(~accepted)
        take = accept[r] & running
        k_out = jnp.where(take, k[r], k_out)
        accepted = accepted | take
    return k_out, accepted


def _poisson_rejection(key, lam, shape, dtype):
    # Hormann's transformed rejection (PTRS), all rounds' proposals at once
    log_lam = _log(lam)
    b = 0.931 + 2.53 * jnp.sqrt(lam)
    a = -0.059 + 0.02483 * b
    inv_alpha = 1.1239 + 1.1328 / (b - 3.4)
    v_r = 0.9277 - 3.6224 / (b - 2)
    keys_u, keys_v = _key_chain(key, _PTRS_ROUNDS, 3)
    k_out, accepted = _full(shape, -1, lam.dtype), _full(shape, False, np.bool_)
    for start, stop in _blocks(_PTRS_ROUNDS, shape):
        u = _uniform_rounds(keys_u[start:stop], shape, lam.dtype) - 0.5
        v = _uniform_rounds(keys_v[start:stop], shape, lam.dtype)
        u_shifted = 0.5 - jnp.abs(u)
        k = jnp.floor((2 * a / u_shifted + b) * u + lam + 0.43)
        s = _log(v * inv_alpha / (a / (u_shifted * u_shifted) + b))
        t_ = -lam + k * log_lam - lax.lgamma(k + 1)
        accept1 = (u_shifted >= 0.07) & (v <= v_r)
        reject = (k < 0) | ((u_shifted < 0.013) & (v > u_shifted))
        k_out, accepted = _replay_rejection(accept1 | (~reject & (s <= t_)), k,
                                            k_out, accepted)
    # never accepted in our rounds (odds ~1e-10): the mode, not JAX's -1 placeholder
    return jnp.where(accepted, k_out, jnp.floor(lam)).astype(dtype)


def poisson(key, lam, shape: Shape | None = None, dtype=None) -> Array:
    """Poisson samples with rate `lam >= 0` (computed in float32, as JAX).

    Knuth's method for `lam < 10`, Hormann's transformed rejection otherwise,
    with JAX's keys; the loops run a fixed number of rounds (module docstring).

    >>> from tinyjax import random
    >>> random.poisson(random.PRNGKey(0), 3.0, (4,)).dtype
    dtype('int32')
    """
    key = _check_key("poisson", key)
    dtype = _int_dtype("poisson", dtype)
    shape = tuple(np.shape(lam)) if shape is None else _canon_shape(shape)
    lam_in = lam
    lam = _as(jnp.broadcast_to(lam, shape), np.float32)
    use_knuth = (lam != lam) | (lam < 10)
    lam_knuth = jnp.where(use_knuth, lam, 0.0)
    lam_rejection = jnp.where(use_knuth, 1e5, lam)
    # JAX runs both methods and selects; with a constant `lam` one may be unused
    lam_static = _static_value(lam_in)
    knuth = rejection = None
    if lam_static is None or not (lam_static >= 10.001).all():
        knuth = _poisson_knuth(key, lam_knuth, shape, dtype)
    if lam_static is None or not (lam_static < 9.999).all():
        rejection = _poisson_rejection(key, lam_rejection, shape, dtype)
    if knuth is None or rejection is None:
        result = rejection if knuth is None else knuth
    else:
        result = jnp.where(use_knuth, knuth, rejection)
    return jnp.where(lam == 0, jnp.zeros_like(result), result)


_STIRLING_TAIL = np.array([
    0.0810614667953272, 0.0413406959554092, 0.0276779256849983, 0.02079067210376509,
    0.0166446911898211, 0.0138761288230707, 0.0118967099458917, 0.0104112652619720,
    0.00925546218271273, 0.00833056343336287])


def _stirling_approx_tail(k):
    """log(k!) minus its Stirling approximation: a table to 9, then the series."""
    table = jnp.asarray(_STIRLING_TAIL.astype(k.dtype))
    use_table = k <= 9
    k = lax.clamp(_as(0, k.dtype), k, _as(9, k.dtype))
    kp1sq = (k + 1) * (k + 1)
    approx = (1.0 / 12 - (1.0 / 360 - 1.0 / 1260 / kp1sq) / kp1sq) / (k + 1)
    idx = jnp.floor(k).astype(np.int32)
    return jnp.where(use_table, jnp.take(table, idx), approx)


def _binomial_inversion(key, count, prob, shape, dtype):
    # Count geometric waiting times until their sum passes `count`. JAX splits
    # this loop's key as `subkey, key = split(key)`.
    _r = _random()
    subkeys = []
    for _ in range(_BINOMIAL_INVERSION_ROUNDS):
        subkey, key = _r.split(key)
        subkeys.append(subkey)
    flat_count = jnp.reshape(count, (-1,))
    log1minusprob = jnp.reshape(_log1p(-prob), (-1,))

    def going(geom_sum, idx):
        return geom_sum <= (flat_count if idx is None else flat_count[idx])

    def geom(u, idx):
        return jnp.ceil(_log(u) / (log1minusprob if idx is None else log1minusprob[idx]))

    num_geom, _ = _counting_loop(jnp.stack(subkeys), shape, prob.dtype, going, geom)
    return (num_geom - 1).astype(dtype)


def _btrs(key, count, prob, shape, dtype):
    # Hormann's BTRS transformed rejection, all rounds' proposals at once
    stddev = jnp.sqrt(count * prob * (1 - prob))
    b = 1.15 + 2.53 * stddev
    a = -0.0873 + 0.0248 * b + 0.01 * prob
    c = count * prob + 0.5
    v_r = 0.92 - 4.2 / b
    r = prob / (1 - prob)
    alpha = (2.83 + 5.1 / b) * stddev
    m = jnp.floor((count + 1) * prob)
    keys_u, keys_v = _key_chain(key, _BTRS_ROUNDS, 3)
    k_out, accepted = _full(shape, -1, prob.dtype), _full(shape, False, np.bool_)
    for start, stop in _blocks(_BTRS_ROUNDS, shape):
        u = _uniform_rounds(keys_u[start:stop], shape, prob.dtype)
        v = _uniform_rounds(keys_v[start:stop], shape, prob.dtype)
        u = u - 0.5
        us = 0.5 - jnp.abs(u)
        accept1 = (us >= 0.07) & (v <= v_r)
        k = jnp.floor((2 * a / us + b) * u + c)
        reject = (k < 0) | (k > count)
        v = _log(v * alpha / (a / (us * us) + b))
        ub = ((m + 0.5) * _log((m + 1) / (r * (count - m + 1)))
              + (count + 1) * _log((count - m + 1) / (count - k + 1))
              + (k + 0.5) * _log(r * (count - k + 1) / (k + 1))
              + _stirling_approx_tail(m)
              + _stirling_approx_tail(count - m)
              - _stirling_approx_tail(k)
              - _stirling_approx_tail(count - k))
        k_out, accepted = _replay_rejection(accept1 | (~reject & (v <= ub)), k,
                                            k_out, accepted)
    return jnp.where(accepted, k_out, m).astype(dtype)   # m: the mode (see poisson)


def binomial(key, n, p, shape: Shape | None = None, dtype=None) -> Array:
    """Binomial samples: successes in `n` trials of probability `p` (a float dtype,
    as JAX). Inversion for `n * min(p, 1 - p) <= 10`, BTRS rejection otherwise.

    >>> from tinyjax import random
    >>> x = random.binomial(random.PRNGKey(0), 10, 0.3, (4,))
    >>> bool(((x >= 0) & (x <= 10)).all())
    True
    """
    key = _check_key("binomial", key)
    dtype = _float_dtype("binomial", dtype)
    if shape is None:
        shape = tuple(lax.broadcast_shapes(np.shape(n), np.shape(p)))
    else:
        shape = _canon_shape(shape)
        _check_shape("binomial", shape, np.shape(n), np.shape(p))
    (prob,) = _promote_inexact(p)
    count = jnp.broadcast_to(_as(n, prob.dtype), shape)
    prob = jnp.broadcast_to(prob, shape)
    p_lt_half = prob < 0.5
    q = jnp.where(p_lt_half, prob, 1.0 - prob)
    count_nan_or_neg = (count != count) | (count < 0.0)
    count_inf = jnp.isinf(count)
    q_is_nan = q != q
    q_l_0 = q < 0.0
    q = jnp.where(q_is_nan | q_l_0, 0.01, q)
    use_inversion = count_nan_or_neg | (count * q <= 10.0)
    count = jnp.floor(count)
    count_inv = jnp.where(use_inversion, count, 0.0)
    count_btrs = jnp.where(use_inversion, 1e4, count)
    q_btrs = jnp.where(use_inversion, 0.5, q)
    # JAX runs both methods and selects; with constant n and p one may be unused
    n_static, p_static = _static_value(n), _static_value(p)
    inversion = btrs = None
    if n_static is not None and p_static is not None:
        with np.errstate(invalid="ignore"):
            nq = np.floor(n_static) * np.minimum(p_static, 1 - p_static)
            sure_inversion = bool(np.all((nq <= 9.999) | ~(n_static >= 0)))
            sure_btrs = bool(np.all(nq > 10.001))
    else:
        sure_inversion = sure_btrs = False
    if not sure_btrs:
        inversion = _binomial_inversion(key, count_inv, q, shape, dtype)
    if not sure_inversion:
        btrs = _btrs(key, count_btrs, q_btrs, shape, dtype)
    if inversion is None or btrs is None:
        samples = btrs if inversion is None else inversion
    else:
        samples = jnp.where(use_inversion, inversion, btrs)
    invalid = q_l_0 | q_is_nan | count_nan_or_neg
    samples = jnp.where(invalid, np.nan, samples).astype(dtype)
    samples = jnp.where(count_inf & ~invalid, np.inf, samples).astype(dtype)
    keep = p_lt_half | count_nan_or_neg | q_is_nan | count_inf
    return jnp.where(keep, samples, count.astype(dtype) - samples)


def multinomial(key, n, p, *, shape: Shape | None = None, dtype=None, unroll=1) -> Array:
    """Multinomial counts of `n` trials over the outcomes along the last axis of `p`.

    One binomial per outcome on the trials left over, with JAX's keys. As in
    JAX 0.10, `shape` (default `p.shape`) is the whole result shape, outcome
    axis included.

    >>> from tinyjax import random
    >>> import tinyjax.numpy as jnp
    >>> x = random.multinomial(random.PRNGKey(0), 10, jnp.array([0.2, 0.3, 0.5]))
    >>> float(x.sum())
    10.0
    """
    del unroll   # a Python loop over the (static) number of outcomes
    key = _check_key("multinomial", key)
    dtype = _float_dtype("multinomial", dtype)
    n, p = _promote_inexact(n, p)
    shape = tuple(p.shape) if shape is None else _canon_shape(shape)
    n = jnp.broadcast_to(n, shape[:-1])
    p = jnp.moveaxis(jnp.broadcast_to(p, shape), -1, 0)
    num_outcomes = p.shape[0]
    # remaining[i] = p[i] + ... + p[-1]: the success ratio of outcome i among the rest
    remaining = [None] * num_outcomes
    acc = None
    for i in reversed(range(num_outcomes)):
        acc = p[i] if acc is None else acc + p[i]
        remaining[i] = acc
    keys = _random().split(key, num_outcomes)
    remainder, counts = n, []
    for i in range(num_outcomes):
        ratio = p[i] / jnp.where(remaining[i] == 0, 1, remaining[i])
        count = binomial(keys[i], remainder, jnp.clip(ratio, 0, 1), dtype=remainder.dtype)
        counts.append(count)
        remainder = remainder - count
    if not counts:
        return jnp.zeros(shape, dtype)
    return jnp.stack(counts, -1).astype(dtype)
