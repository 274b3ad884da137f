"""Activation, normalisation and attention functions with jax.nn's names and semantics.

Written only in terms of tinyjax.numpy and lax, so each one traces, differentiates and
vmaps. The dtype of a result (weak type included) follows from the same jnp
operations JAX composes, so it matches JAX's for every input kind.

>>> import tinyjax.numpy as jnp
>>> from tinyjax import nn
>>> nn.relu(jnp.array([-1.0, 2.0]))
Array([0., 2.], dtype=float32)
"""
from __future__ import annotations

import math
import operator
from typing import Any

import numpy as np

from .. import lax
from .. import numpy as jnp
from ..core import dtypes
from ..custom_derivatives import custom_jvp
from ..numpy._convert import promote_args_inexact
from ..scipy import special as _special

__all__ = [
    "celu", "dot_product_attention", "elu", "gelu", "glu", "hard_sigmoid", "hard_silu",
    "hard_swish", "hard_tanh", "identity", "leaky_relu", "log1mexp", "log_sigmoid",
    "log_softmax", "logmeanexp", "logsumexp", "mish", "one_hot", "relu", "relu6", "selu",
    "sigmoid", "silu", "soft_sign", "softmax", "softplus", "sparse_plus", "sparse_sigmoid",
    "squareplus", "standardize", "swish", "tanh",
]

Axis = Any  # int, tuple of ints, or None


def _canonicalize_axis(axis, ndim: int) -> int:
    axis = operator.index(axis)
    if not -ndim <= axis < ndim:
        raise ValueError(f"axis {axis} is out of bounds for array of dimension {ndim}")
    return axis % ndim


def _zero_unless(cond, g):
    return lax.select(cond, g, lax.full_like(g, 0))


# ----------------------------------------------------------------------------- rectifiers

@custom_jvp
def relu(x):
    """Rectified linear unit max(x, 0); its derivative at 0 is 0, as JAX's.

    >>> relu(jnp.array([-2.0, 0.0, 3.0]))
    Array([0., 0., 3.], dtype=float32)
    """
    return jnp.maximum(x, 0)


# the subgradient at 0 is taken to be 0 (as JAX), not max's tie-splitting 0.5
relu.defjvps(lambda g, ans, x: _zero_unless(lax.gt(x, lax.full_like(x, 0)), g))


@custom_jvp
def relu6(x):
    """min(max(x, 0), 6); derivative 0 at both kinks, as JAX's.

    >>> relu6(jnp.array([-1.0, 3.0, 7.0]))
    Array([0., 3., 6.], dtype=float32)
    """
    return jnp.minimum(jnp.maximum(x, 0), 6.0)


relu6.defjvps(lambda g, ans, x: _zero_unless(
    lax.bitwise_and(lax.gt(x, lax.full_like(x, 0)), lax.lt(x, lax.full_like(x, 6))), g))


def leaky_relu(x, negative_slope=0.01):
    """x where x >= 0, negative_slope * x elsewhere.

    >>> leaky_relu(jnp.array([-2.0, 2.0]), 0.5)
    Array([-1.,  2.], dtype=float32)
    """
    return jnp.where(jnp.greater_equal(x, 0), x, jnp.multiply(negative_slope, x))


def elu(x, alpha=1.0):
    """Exponential linear unit: x for x > 0, alpha * (exp(x) - 1) otherwise.

    >>> elu(jnp.array([-1.0, 1.0]))
    Array([-0.63212055,  1.        ], dtype=float32)
    """
    pos = jnp.greater(x, 0)
    # expm1 only ever sees non-positive values, so its gradient cannot overflow
    safe_x = jnp.where(pos, 0.0, x)
    return jnp.where(pos, x, jnp.multiply(alpha, jnp.expm1(safe_x)))


_SELU_ALPHA = 1.6732632423543772848170429916717
_SELU_SCALE = 1.0507009873554804934193349852946


def selu(x):
    """Scaled ELU with the self-normalising constants of Klambauer et al. (2017).

    >>> selu(jnp.array([1.0]))
    Array([1.050701], dtype=float32)
    """
    return jnp.multiply(_SELU_SCALE, elu(x, _SELU_ALPHA))


def celu(x, alpha=1.0):
    """Continuously differentiable ELU: max(x, 0) + alpha * expm1(min(x, 0) / alpha).

    >>> celu(jnp.array([-1.0, 1.0]), alpha=2.0)
    Array([-0.78693867,  1.        ], dtype=float32)
    """
    neg = jnp.divide(jnp.minimum(x, 0.0), alpha)
    return jnp.add(jnp.maximum(x, 0.0), jnp.multiply(alpha, jnp.expm1(neg)))


def gelu(x, approximate: bool = True):
    """Gaussian error linear unit: x * Phi(x), or its tanh approximation (the default).

    >>> gelu(jnp.array([1.0]), approximate=False)
    Array([0.8413447], dtype=float32)
    """
    (x,) = promote_args_inexact("gelu", x)
    if approximate:
        c = jnp.asarray(np.sqrt(2 / np.pi), x.dtype)
        inner = jnp.multiply(c, jnp.add(x, jnp.multiply(0.044715, jnp.power(x, 3))))
        return jnp.multiply(x, jnp.multiply(0.5, jnp.add(1.0, jnp.tanh(inner))))
    c = jnp.asarray(np.sqrt(0.5), x.dtype)
    out = jnp.multiply(jnp.multiply(0.5, x), lax.erfc(jnp.multiply(jnp.negative(x), c)))
    return jnp.asarray(out, x.dtype)


# ----------------------------------------------------------------------------- sigmoids

def sigmoid(x):
    """The logistic function 1 / (1 + exp(-x)).

    >>> sigmoid(jnp.array([0.0]))
    Array([0.5], dtype=float32)
    """
    return lax.logistic(x)


def silu(x):
    """Sigmoid linear unit x * sigmoid(x) (also called swish).

    >>> silu(jnp.array([1.0]))
    Array([0.7310586], dtype=float32)
    """
    x = jnp.asarray(x)
    return jnp.multiply(x, sigmoid(x))


swish = silu


@custom_jvp
def _softplus(x):
    return jnp.logaddexp(x, 0)


# the derivative is sigmoid(x) everywhere, 1/2 at 0 included (as JAX's logaddexp rule);
# differentiating logaddexp's max/abs formulation would split the kink at 0 wrongly
_softplus.defjvps(lambda g, ans, x: jnp.multiply(g, lax.logistic(x)))


def softplus(x):
    """log(1 + exp(x)), computed as logaddexp(x, 0) so it neither overflows nor
    loses the tail; its derivative is sigmoid(x).

    >>> softplus(jnp.array([0.0, 1e4]))
    Array([6.931472e-01, 1.000000e+04], dtype=float32)
    """
    # promoted together with logaddexp's 0, so a bool input gives a weak float as JAX's
    x, _ = promote_args_inexact("softplus", x, 0)
    return _softplus(x)


def log_sigmoid(x):
    """log(sigmoid(x)) = -softplus(-x), finite for every finite x.

    >>> log_sigmoid(jnp.array([0.0, -1e4]))
    Array([-6.931472e-01, -1.000000e+04], dtype=float32)
    """
    return jnp.negative(softplus(jnp.negative(x)))


def soft_sign(x):
    """x / (|x| + 1).

    >>> soft_sign(jnp.array([1.0, -3.0]))
    Array([ 0.5 , -0.75], dtype=float32)
    """
    return jnp.divide(x, jnp.add(jnp.abs(x), 1))


def hard_tanh(x):
    """x clipped to [-1, 1].

    >>> hard_tanh(jnp.array([-2.0, 0.5, 2.0]))
    Array([-1. ,  0.5,  1. ], dtype=float32)
    """
    return jnp.where(jnp.greater(x, 1), 1, jnp.where(jnp.less(x, -1), -1, x))


def hard_sigmoid(x):
    """relu6(x + 3) / 6, a piecewise-linear sigmoid.

    >>> hard_sigmoid(jnp.array([0.0, 3.0]))
    Array([0.5, 1. ], dtype=float32)
    """
    return jnp.divide(relu6(jnp.add(x, 3.0)), 6.0)


def hard_silu(x):
    """x * hard_sigmoid(x) (also called hard_swish).

    >>> hard_silu(jnp.array([1.0]))
    Array([0.6666667], dtype=float32)
    """
    x = jnp.asarray(x)
    return jnp.multiply(x, hard_sigmoid(x))


hard_swish = hard_silu


def sparse_sigmoid(x):
    """0.5 * clip(x + 1, 0, 2): the derivative of sparse_plus (Martins et al., 2016).

    >>> sparse_sigmoid(jnp.array([-2.0, 0.0, 2.0]))
    Array([0. , 0.5, 1. ], dtype=float32)
    """
    return jnp.multiply(0.5, jnp.clip(jnp.add(x, 1.0), 0.0, 2.0))


def sparse_plus(x):
    """0 for x <= -1, (x + 1)**2 / 4 on (-1, 1), x for x >= 1.

    >>> sparse_plus(jnp.array([-2.0, 0.0, 2.0]))
    Array([0.  , 0.25, 2.  ], dtype=float32)
    """
    quad = jnp.divide(jnp.square(jnp.add(x, 1.0)), 4)
    return jnp.where(jnp.less_equal(x, -1.0), 0.0, jnp.where(jnp.greater_equal(x, 1.0), x, quad))


def squareplus(x, b=4):
    """(x + sqrt(x**2 + b)) / 2, a smooth algebraic relu.

    >>> squareplus(jnp.array([0.0]))
    Array([1.], dtype=float32)
    """
    return jnp.divide(jnp.add(x, jnp.sqrt(jnp.add(jnp.square(x), b))), 2)


def mish(x):
    """x * tanh(softplus(x)).

    >>> mish(jnp.array([1.0]))
    Array([0.8650984], dtype=float32)
    """
    return jnp.multiply(x, jnp.tanh(softplus(x)))


def identity(x):
    """The argument, unchanged (as an array).

    >>> identity(jnp.array([1.0]))
    Array([1.], dtype=float32)
    """
    return jnp.asarray(x)


tanh = jnp.tanh


def log1mexp(x):
    """log(1 - exp(-x)) for x >= 0, accurate for small and large x (Maechler, 2012):
    log(-expm1(-x)) below log 2, log1p(-exp(-x)) above.

    >>> log1mexp(jnp.array([1e-8, 50.0]))
    Array([-1.8420681e+01, -1.9287499e-22], dtype=float32)
    """
    if jnp.asarray(x).dtype == np.bool_:
        raise TypeError("log1mexp does not accept boolean arrays (it negates its input)")
    (x,) = promote_args_inexact("log1mexp", x)
    small = jnp.less(x, math.log(2))
    # each branch sees only inputs where it is finite, so the unused one cannot put a
    # NaN into the gradient
    x_small = jnp.where(small, x, 0.5)
    x_large = jnp.where(small, 1.0, x)
    return jnp.where(small, jnp.log(jnp.negative(jnp.expm1(jnp.negative(x_small)))),
                     jnp.log1p(jnp.negative(jnp.exp(jnp.negative(x_large)))))


# ----------------------------------------------------------------------------- over an axis

def glu(x, axis: int = -1):
    """Gated linear unit: split x in halves a, b along `axis` and return a * sigmoid(b).

    >>> glu(jnp.array([1.0, 2.0, 0.0, 0.0]))
    Array([0.5, 1. ], dtype=float32)
    """
    x = jnp.asarray(x)
    size = x.shape[axis]
    if size % 2:
        raise ValueError(f"glu: axis {axis} of an array of shape {x.shape} has odd size "
                         f"{size}; it must split into two equal halves.")
    a, b = jnp.split(x, 2, axis)
    return jnp.multiply(a, sigmoid(b))


def logsumexp(a, axis: Axis = None, b=None, keepdims: bool = False, return_sign: bool = False,
              where=None):
    """log(sum(b * exp(a))) over `axis`, shifted by the maximum so it never overflows
    (the same function as tinyjax.scipy.special.logsumexp).

    >>> logsumexp(jnp.array([1e4, 1e4]))
    Array(10000.693, dtype=float32)
    """
    return _special.logsumexp(a, axis=axis, b=b, keepdims=keepdims, return_sign=return_sign,
                              where=where)


def logmeanexp(x, axis: Axis = None, where=None, keepdims: bool = False):
    """log(mean(exp(x))) over `axis` = logsumexp(x) - log(n), n the number of elements
    reduced (those selected by `where`).

    >>> logmeanexp(jnp.array([1.0, 1.0]))
    Array(1., dtype=float32)
    """
    lse = logsumexp(x, axis=axis, keepdims=keepdims, where=where)
    x = jnp.asarray(x)
    if where is None:
        axes = range(x.ndim) if axis is None else \
            (axis,) if isinstance(axis, int) else tuple(axis)
        n = math.prod(x.shape[_canonicalize_axis(d, x.ndim)] for d in axes)
        return jnp.subtract(lse, jnp.asarray(math.log(n), lse.dtype))
    count = jnp.sum(jnp.broadcast_to(jnp.asarray(where), x.shape), axis=axis,
                    keepdims=keepdims, dtype=lse.dtype)
    return jnp.subtract(lse, jnp.log(count))


def _max_where(x, axis, where):
    if where is None:
        return jnp.max(x, axis, keepdims=True)
    return jnp.max(x, axis, keepdims=True, where=where, initial=-np.inf)


def _softmax(x, axis, where):
    m = _max_where(x, axis, where)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    e = jnp.exp(jnp.subtract(x_safe, m))
    out = jnp.divide(e, jnp.sum(e, axis, keepdims=True, where=where))
    return out if where is None else jnp.where(where, out, 0)


def _log_softmax(x, axis, where):
    m = _max_where(x, axis, where)
    x_safe = x if where is None else jnp.where(where, x, -np.inf)
    shifted = jnp.subtract(x_safe, m)
    out = jnp.subtract(shifted, jnp.log(jnp.sum(jnp.exp(shifted), axis, keepdims=True,
                                                where=where)))
    return out if where is None else jnp.where(where, out, -np.inf)


# JAX gives both a custom JVP: the derivative of the max shift cancels exactly, and the
# rule never differentiates exp at the (possibly -inf) masked entries.
_softmax_cj = custom_jvp(_softmax, nondiff_argnums=(1,))
_log_softmax_cj = custom_jvp(_log_softmax, nondiff_argnums=(1,))


@_softmax_cj.defjvp
def _softmax_jvp(axis, primals, tangents):
    x, where = primals
    t = tangents[0]
    y = _softmax(x, axis, where)
    dot = jnp.sum(jnp.multiply(y, t), axis, keepdims=True, where=where)
    return y, jnp.multiply(y, jnp.subtract(t, dot))


@_log_softmax_cj.defjvp
def _log_softmax_jvp(axis, primals, tangents):
    x, where = primals
    t = tangents[0]
    y = _log_softmax(x, axis, where)
    dot = jnp.sum(jnp.multiply(jnp.exp(y), t), axis, keepdims=True, where=where)
    out_t = jnp.subtract(t, dot)
    return y, out_t if where is None else jnp.where(where, out_t, 0)


def _inexact(x):
    (x,) = promote_args_inexact("softmax", x)
    return x


def softmax(x, axis: Axis = -1, where=None):
    """exp(x) / sum(exp(x)) along `axis` (default the last); entries outside `where`
    are excluded and come out 0.

    >>> softmax(jnp.array([0.0, 0.0]))
    Array([0.5, 0.5], dtype=float32)
    """
    return _softmax_cj(_inexact(x), axis, where)


def log_softmax(x, axis: Axis = -1, where=None):
    """x - logsumexp(x) along `axis` (default the last), computed stably; entries
    outside `where` come out -inf.

    >>> log_softmax(jnp.array([0.0, 0.0]))
    Array([-0.6931472, -0.6931472], dtype=float32)
    """
    return _log_softmax_cj(_inexact(x), axis, where)


def standardize(x, axis: Axis = -1, mean=None, variance=None, epsilon=1e-5, where=None, *,
                algorithm: str = "fast"):
    """(x - mean) / sqrt(variance + epsilon), the statistics taken along `axis` unless
    given. algorithm='fast' takes the variance as mean(x**2) - mean(x)**2, 'stable' as
    mean((x - mean(x))**2).

    >>> standardize(jnp.array([1.0, 3.0]))
    Array([-0.999995,  0.999995], dtype=float32)
    """
    if algorithm not in ("fast", "stable"):
        raise ValueError(f"standardize: algorithm must be 'fast' or 'stable', got {algorithm!r}")
    x = jnp.asarray(x)
    if mean is None:
        mean = jnp.mean(x, axis, keepdims=True, where=where)
    if variance is None:
        if algorithm == "fast":
            # x * x rather than square: it also takes bool x (JAX's square does)
            variance = jnp.subtract(
                jnp.mean(jnp.multiply(x, x), axis, keepdims=True, where=where),
                jnp.square(mean))
        else:
            variance = jnp.mean(jnp.square(jnp.subtract(x, mean)), axis, keepdims=True,
                                where=where)
    scale = lax.rsqrt(jnp.add(jnp.asarray(variance), epsilon))
    return jnp.multiply(jnp.subtract(x, jnp.asarray(mean)), scale)


# ----------------------------------------------------------------------------- encodings

def one_hot(x, num_classes: int, *, dtype=None, axis: int = -1):
    """One-hot encode the integers in x along a new axis of size num_classes; values
    outside [0, num_classes) encode as all zeros.

    >>> one_hot(jnp.array([0, 2, 5]), 3)
    Array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 0., 0.]], dtype=float32)
    """
    try:
        num_classes = operator.index(num_classes)
    except TypeError:
        raise TypeError(f"one_hot: num_classes must be a concrete Python int, got "
                        f"{num_classes!r}") from None
    x = jnp.asarray(x)
    dtype = dtypes.default_float_dtype() if dtype is None else dtype
    ax = _canonicalize_axis(axis, x.ndim + 1)
    rhs_shape = [1] * x.ndim
    rhs_shape.insert(ax, num_classes)
    lhs = lax.expand_dims(x, (ax,))
    rhs = lax.broadcasted_iota(x.dtype, tuple(rhs_shape), ax)
    return jnp.asarray(jnp.equal(lhs, rhs), dtype)


# ----------------------------------------------------------------------------- attention

def _attention_bias_or_mask(name, a, unbatched, full_shape):
    """Broadcast a bias/mask given for (B)NTS to the full (B, N, T, S) shape."""
    a = jnp.asarray(a)
    if unbatched and a.ndim == 4:
        if a.shape[0] != 1:
            raise ValueError(f"dot_product_attention: {name} of shape {a.shape} has a batch "
                             f"dimension, but the query is unbatched (TNH)")
        a = a[0]
    if a.ndim > 4 or not _broadcastable(a.shape, full_shape[1:] if unbatched else full_shape):
        raise ValueError(f"dot_product_attention: {name} of shape {a.shape} is not "
                         f"broadcastable to {'NTS' if unbatched else 'BNTS'} = "
                         f"{full_shape[1:] if unbatched else full_shape}")
    return jnp.broadcast_to(a, full_shape)


def _broadcastable(shape, target):
    if len(shape) > len(target):
        return False
    return all(s in (1, t) for s, t in zip(shape[::-1], target[::-1]))


def dot_product_attention(query, key, value, bias=None, mask=None, *, scale=None,
                          is_causal: bool = False, query_seq_lengths=None,
                          key_value_seq_lengths=None, local_window_size=None,
                          implementation=None, return_residual: bool = False):
    """softmax(Q K^T * scale + bias) V per head, as jax.nn.dot_product_attention
    (its 'xla' implementation).

    Shapes: query (B, T, N, H), key and value (B, S, K, H) with N a multiple of K
    (grouped-query attention: query head n reads key/value head n // (N // K)); the B
    axis may be left out everywhere. bias and mask (True = attend) broadcast to
    (B, N, T, S). The logits are formed in at least float32 and the softmax runs in
    float32; masked logits are set to -0.7 * finfo.max, so a fully masked row averages
    every value. With return_residual, also returns the logsumexp of the logits, shape
    (B, T, N).

    >>> q = jnp.ones((2, 3, 4, 8)); kv = jnp.ones((2, 5, 2, 8))
    >>> dot_product_attention(q, kv, kv, is_causal=True).shape
    (2, 3, 4, 8)
    """
    if implementation not in (None, "xla"):
        raise NotImplementedError(
            f"dot_product_attention: implementation={implementation!r} is not available in "
            f"tinyjax; use None or 'xla'.")
    q, k, v = jnp.asarray(query), jnp.asarray(key), jnp.asarray(value)
    if q.ndim not in (3, 4) or k.ndim != q.ndim:
        raise ValueError(f"dot_product_attention: query and key must both be BTNH (4-d) or "
                         f"TNH (3-d) arrays; got shapes {q.shape} and {k.shape}")
    if v.shape != k.shape:
        raise ValueError(f"dot_product_attention: value shape should be {k.shape} (the key's),"
                         f" but got {v.shape}")
    if not (q.dtype == k.dtype == v.dtype):
        raise ValueError(f"dot_product_attention: query, key and value must share a dtype; "
                         f"got {q.dtype}, {k.dtype}, {v.dtype}")
    unbatched = q.ndim == 3
    if unbatched:
        q, k, v = (lax.expand_dims(a, (0,)) for a in (q, k, v))
    B, T, N, H = q.shape
    Bk, S, K, Hk = k.shape
    if Bk != B or Hk != H:
        raise ValueError(f"dot_product_attention: key shape {k.shape} does not match the "
                         f"query shape {q.shape} in the batch or head dimension")
    if N % K:
        raise ValueError(f"dot_product_attention: the number of query heads ({N}) must be a "
                         f"multiple of the number of key/value heads ({K})")
    G = N // K
    scale = 1.0 / math.sqrt(H) if scale is None else scale
    full = (B, N, T, S)

    logits_dtype = jnp.promote_types(q.dtype, np.float32)
    qg = jnp.reshape(q, (B, T, K, G, H))
    logits = jnp.einsum("btkgh,bskh->bkgts", qg, k, preferred_element_type=logits_dtype)
    logits = jnp.multiply(logits, jnp.asarray(scale, logits.dtype))
    if bias is not None:
        b = _attention_bias_or_mask("bias", bias, unbatched, full)
        logits = jnp.asarray(jnp.add(logits, jnp.reshape(b, (B, K, G, T, S))), logits.dtype)

    keep = None

    def both(m):
        return m if keep is None else jnp.logical_and(keep, m)

    if mask is not None:
        m = _attention_bias_or_mask("mask", mask, unbatched, full)
        keep = both(jnp.asarray(m, bool))
    t_idx = lax.broadcasted_iota(np.int32, (T, S), 0)
    s_idx = lax.broadcasted_iota(np.int32, (T, S), 1)
    if is_causal:
        keep = both(jnp.broadcast_to(jnp.less_equal(s_idx, t_idx), full))
    if local_window_size is not None:
        left, right = (local_window_size, local_window_size) \
            if isinstance(local_window_size, int) else local_window_size
        win = jnp.logical_and(jnp.greater_equal(s_idx, jnp.subtract(t_idx, left)),
                              jnp.less_equal(s_idx, jnp.add(t_idx, right)))
        keep = both(jnp.broadcast_to(win, full))
    q_valid = None
    if query_seq_lengths is not None:
        ql = jnp.reshape(jnp.asarray(query_seq_lengths), (B, 1, 1, 1))
        q_valid = jnp.less(jnp.reshape(jnp.arange(T), (1, 1, T, 1)), ql)
        keep = both(jnp.broadcast_to(q_valid, full))
    if key_value_seq_lengths is not None:
        kl = jnp.reshape(jnp.asarray(key_value_seq_lengths), (B, 1, 1, 1))
        keep = both(jnp.broadcast_to(jnp.less(jnp.reshape(jnp.arange(S), (1, 1, 1, S)), kl),
                                     full))
    if keep is not None:
        large_negative = jnp.asarray(-0.7 * float(jnp.finfo(logits.dtype).max), logits.dtype)
        logits = jnp.where(jnp.reshape(keep, (B, K, G, T, S)), logits, large_negative)

    logits = jnp.asarray(logits, np.float32)
    probs = jnp.asarray(softmax(logits, axis=-1), k.dtype)
    out = jnp.einsum("bkgts,bskh->btkgh", probs, v)
    out = jnp.reshape(out, (B, T, N, H))
    if q_valid is not None:
        out = jnp.multiply(out, jnp.asarray(jnp.reshape(q_valid, (B, T, 1, 1)), out.dtype))
    if unbatched:
        out = out[0]
    if not return_residual:
        return out
    lse = jnp.transpose(jnp.reshape(logsumexp(logits, axis=-1), (B, N, T)), (0, 2, 1))
    lse = jnp.asarray(lse, q.dtype)
    return out, (lse[0] if unbatched else lse)
