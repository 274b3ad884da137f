"""Parameter initializers with jax.nn.initializers' names, signatures and values.

A factory such as `glorot_normal()` returns `init(key, shape, dtype=None)`. Random
draws come from tinyjax.random (bit-compatible with JAX's threefry PRNG), and the
arithmetic that scales them is done in the same dtype and order as JAX's, so for the
same key an initializer gives JAX's numbers. `dtype=None` means the default float
type (float32; float64 with jax_enable_x64).

>>> import tinyjax.random as random
>>> init = glorot_normal()
>>> init(random.PRNGKey(0), (3, 4)).shape
(3, 4)
"""
from __future__ import annotations

import math
import operator
from typing import Any, Protocol, Sequence

import numpy as np

from .. import lax
from .. import numpy as jnp
from ..core import dtypes

__all__ = [
    "Initializer", "constant", "delta_orthogonal", "glorot_normal", "glorot_uniform",
    "he_normal", "he_uniform", "kaiming_normal", "kaiming_uniform", "lecun_normal",
    "lecun_uniform", "normal", "ones", "orthogonal", "truncated_normal", "uniform",
    "variance_scaling", "xavier_normal", "xavier_uniform", "zeros",
]


class Initializer(Protocol):
    """init(key, shape, dtype=None) -> Array."""

    def __call__(self, key: Any, shape: Sequence[int], dtype: Any = None) -> Any: ...


def _random():
    # imported when an initializer runs: nn must import without tinyjax.random's
    # (large) module, and random may itself be mid-import when nn is
    from .. import random
    return random


def _shape(shape) -> tuple:
    return tuple(operator.index(d) for d in shape)


def _float_dtype(name, dtype):
    """The canonical float dtype an initializer works in (None: the default float)."""
    dt = dtypes.default_float_dtype() if dtype is None else \
        dtypes.canonicalize_dtype(np.dtype(dtype))
    if dt.kind != "f":
        raise ValueError(f"dtype argument to `{name}` must be a float dtype, got {dt}")
    return dt


# ----------------------------------------------------------------------------- constants

def zeros(key, shape, dtype=None):
    """An array of zeros (the key is ignored).

    >>> zeros(None, (2,))
    Array([0., 0.], dtype=float32)
    """
    dt = dtypes.default_float_dtype() if dtype is None else dtype
    return jnp.zeros(_shape(shape), dt)


def ones(key, shape, dtype=None):
    """An array of ones (the key is ignored).

    >>> ones(None, (2,))
    Array([1., 1.], dtype=float32)
    """
    dt = dtypes.default_float_dtype() if dtype is None else dtype
    return jnp.ones(_shape(shape), dt)


def constant(value, dtype=None) -> Initializer:
    """An initializer filling the array with `value`.

    >>> constant(-7.0)(None, (2,))
    Array([-7., -7.], dtype=float32)
    """
    def init(key, shape, dtype=dtype):
        dt = dtypes.default_float_dtype() if dtype is None else dtype
        return jnp.full(_shape(shape), value, dt)

    return init


# ----------------------------------------------------------------------------- plain random

def uniform(scale=1e-2, dtype=None) -> Initializer:
    """An initializer drawing uniformly from [0, scale).

    >>> import tinyjax.random as random
    >>> uniform(1.0)(random.PRNGKey(0), (2, 2)).shape
    (2, 2)
    """
    def init(key, shape, dtype=dtype):
        dt = _float_dtype("uniform", dtype)
        return jnp.multiply(_random().uniform(key, _shape(shape), dt), jnp.asarray(scale, dt))

    return init


def normal(stddev=1e-2, dtype=None) -> Initializer:
    """An initializer drawing from a centred normal with standard deviation `stddev`.

    >>> import tinyjax.random as random
    >>> normal(1.0)(random.PRNGKey(0), (2, 2)).shape
    (2, 2)
    """
    def init(key, shape, dtype=dtype):
        dt = _float_dtype("normal", dtype)
        return jnp.multiply(_random().normal(key, _shape(shape), dt), jnp.asarray(stddev, dt))

    return init


def truncated_normal(stddev=1e-2, dtype=None, lower=-2.0, upper=2.0) -> Initializer:
    """An initializer drawing stddev * (a standard normal truncated to [lower, upper]).
    Note `stddev` scales the truncated draw; it is not the result's standard deviation.

    >>> import tinyjax.random as random
    >>> truncated_normal(1.0)(random.PRNGKey(0), (2, 2)).shape
    (2, 2)
    """
    def init(key, shape, dtype=dtype):
        dt = _float_dtype("truncated_normal", dtype)
        draw = _random().truncated_normal(key, lower, upper, _shape(shape), dt)
        return jnp.multiply(draw, jnp.asarray(stddev, dt))

    return init


# ----------------------------------------------------------------------------- variance scaling

def _axes_size(shape, axes, what):
    if isinstance(axes, int):
        axes = (axes,)
    size = 1
    for a in axes:
        if not -len(shape) <= a < len(shape):
            raise ValueError(
                f"Can't compute input and output sizes of a {len(shape)}-dimensional weights "
                f"tensor with {what}={a}: pass a shape with that axis (at least 2-d for the "
                f"default in_axis=-2, out_axis=-1), or different axes.")
        size *= shape[a]
    return size


def _compute_fans(shape, in_axis, out_axis, batch_axis):
    """(fan_in, fan_out): the in/out axis sizes times the receptive field, which is the
    product of every axis that is neither in, out nor batch."""
    in_size = _axes_size(shape, in_axis, "in_axis")
    out_size = _axes_size(shape, out_axis, "out_axis")
    batch_size = _axes_size(shape, batch_axis, "batch_axis")
    # sequential true division, as JAX, so non-integral receptive fields round alike
    receptive = math.prod(shape) / in_size / out_size / batch_size
    return in_size * receptive, out_size * receptive


# the standard deviation of a standard normal truncated to [-2, 2]
_TRUNC_STD = 0.87962566103423978

_MODES = ("fan_in", "fan_out", "fan_avg", "fan_geo_avg")
_DISTRIBUTIONS = ("truncated_normal", "normal", "uniform")


def variance_scaling(scale, mode: str, distribution: str, in_axis=-2, out_axis=-1,
                     batch_axis=(), dtype=None) -> Initializer:
    """An initializer whose draws have variance scale / n, n depending on `mode`:
    fan_in, fan_out, their mean ('fan_avg') or geometric mean ('fan_geo_avg'), the fans
    computed from `in_axis`, `out_axis` and `batch_axis` (other axes are the receptive
    field). `distribution` is 'truncated_normal' (at +-2 standard deviations, rescaled
    by 1 / 0.8796 so the variance is as asked), 'normal' or 'uniform'.

    >>> import tinyjax.random as random
    >>> w = variance_scaling(2.0, "fan_in", "normal")(random.PRNGKey(0), (256, 128))
    >>> w.shape
    (256, 128)
    """
    if mode not in _MODES:
        raise ValueError(f"invalid mode for variance scaling initializer: {mode!r}; "
                         f"use one of {_MODES}")
    if distribution not in _DISTRIBUTIONS:
        raise ValueError(f"invalid distribution for variance scaling initializer: "
                         f"{distribution!r}; use one of {_DISTRIBUTIONS}")

    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        dt = _float_dtype("variance_scaling", dtype)
        fan_in, fan_out = _compute_fans(shape, in_axis, out_axis, batch_axis)
        n = {"fan_in": fan_in, "fan_out": fan_out, "fan_avg": (fan_in + fan_out) / 2,
             "fan_geo_avg": math.sqrt(fan_in * fan_out)}[mode]
        variance = jnp.asarray(scale / n, dt)
        random = _random()
        if distribution == "truncated_normal":
            stddev = jnp.divide(jnp.sqrt(variance), jnp.asarray(_TRUNC_STD, dt))
            return jnp.multiply(random.truncated_normal(key, -2, 2, shape, dt), stddev)
        if distribution == "normal":
            return jnp.multiply(random.normal(key, shape, dt), jnp.sqrt(variance))
        bound = jnp.sqrt(jnp.multiply(jnp.asarray(3, dt), variance))
        return jnp.multiply(random.uniform(key, shape, dt, -1), bound)

    return init


def glorot_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """Glorot/Xavier normal: variance_scaling(1.0, 'fan_avg', 'truncated_normal').

    >>> import tinyjax.random as random
    >>> glorot_normal()(random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    return variance_scaling(1.0, "fan_avg", "truncated_normal", in_axis, out_axis,
                            batch_axis, dtype)


def glorot_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """Glorot/Xavier uniform: variance_scaling(1.0, 'fan_avg', 'uniform').

    >>> import tinyjax.random as random
    >>> glorot_uniform()(random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    return variance_scaling(1.0, "fan_avg", "uniform", in_axis, out_axis, batch_axis, dtype)


def lecun_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """LeCun normal: variance_scaling(1.0, 'fan_in', 'truncated_normal').

    >>> import tinyjax.random as random
    >>> lecun_normal()(random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    return variance_scaling(1.0, "fan_in", "truncated_normal", in_axis, out_axis,
                            batch_axis, dtype)


def lecun_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """LeCun uniform: variance_scaling(1.0, 'fan_in', 'uniform').

    >>> import tinyjax.random as random
    >>> lecun_uniform()(random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    return variance_scaling(1.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


def he_normal(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """He/Kaiming normal: variance_scaling(2.0, 'fan_in', 'truncated_normal').

    >>> import tinyjax.random as random
    >>> he_normal()(random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    return variance_scaling(2.0, "fan_in", "truncated_normal", in_axis, out_axis,
                            batch_axis, dtype)


def he_uniform(in_axis=-2, out_axis=-1, batch_axis=(), dtype=None) -> Initializer:
    """He/Kaiming uniform: variance_scaling(2.0, 'fan_in', 'uniform').

    >>> import tinyjax.random as random
    >>> he_uniform()(random.PRNGKey(0), (3, 4)).shape
    (3, 4)
    """
    return variance_scaling(2.0, "fan_in", "uniform", in_axis, out_axis, batch_axis, dtype)


xavier_normal = glorot_normal
xavier_uniform = glorot_uniform
kaiming_normal = he_normal
kaiming_uniform = he_uniform


# ----------------------------------------------------------------------------- orthogonal

def orthogonal(scale=1.0, column_axis: int = -1, dtype=None) -> Initializer:
    """An initializer for (semi-)orthogonal matrices: the array, viewed as a matrix whose
    columns run along `column_axis`, has orthonormal rows or columns (whichever there
    are fewer of), times `scale`. Made as Q of the QR factorisation of a normal draw,
    with the signs of R's diagonal folded in so the distribution is uniform (Haar).

    >>> import tinyjax.random as random
    >>> w = orthogonal()(random.PRNGKey(0), (4, 3))
    >>> bool(jnp.allclose(w.T @ w, jnp.eye(3), atol=1e-5))
    True
    """
    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        dt = _float_dtype("orthogonal", dtype)
        if len(shape) < 2:
            raise ValueError(f"orthogonal initializer requires at least a 2D shape, got "
                             f"{shape}")
        n_cols = shape[column_axis]
        n_rows = math.prod(shape) // n_cols
        tall = n_rows >= n_cols
        a = _random().normal(key, (n_rows, n_cols) if tall else (n_cols, n_rows), dt)
        q, r = jnp.linalg.qr(a)
        q = jnp.multiply(q, lax.expand_dims(jnp.sign(jnp.diagonal(r)), (0,)))
        if not tall:
            q = jnp.transpose(q)
        ax = column_axis % len(shape)
        q = jnp.reshape(q, shape[:ax] + shape[ax + 1:] + (n_cols,))
        q = jnp.moveaxis(q, -1, ax)
        return jnp.multiply(jnp.asarray(scale, dt), q)

    return init


def delta_orthogonal(scale=1.0, column_axis: int = -1, dtype=None) -> Initializer:
    """The delta-orthogonal initializer for 1-, 2- and 3-d convolution kernels (shape
    spatial... + (in, out), in <= out; Xiao et al., 2018): zero except at the spatial
    centre, which holds an orthogonal (in, out) matrix.

    >>> import tinyjax.random as random
    >>> w = delta_orthogonal()(random.PRNGKey(0), (3, 3, 4, 4))
    >>> float(jnp.abs(w[0, 0]).max())
    0.0
    """
    def init(key, shape, dtype=dtype):
        shape = _shape(shape)
        dt = _float_dtype("delta_orthogonal", dtype)
        if len(shape) not in (3, 4, 5):
            raise ValueError(f"Delta orthogonal initializer requires a 3D, 4D or 5D shape, "
                             f"got {shape}")
        if shape[-1] < shape[-2]:
            raise ValueError(f"`fan_in` must be less or equal than `fan_out`: shape {shape} "
                             f"has {shape[-2]} input and {shape[-1]} output channels")
        ortho = orthogonal(scale=scale, column_axis=column_axis, dtype=dt)(key, shape[-2:])
        centre = tuple((k - 1) // 2 for k in shape[:-2])
        return jnp.zeros(shape, dt).at[centre].set(ortho)

    return init
