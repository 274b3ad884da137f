"""Helpers shared by the linear-algebra tests: tolerances and well-behaved matrices."""
import contextlib

import numpy as np

from tinyjax.core.config import enable_x64


def tol(dtype):
    return {np.dtype(np.float16): 2e-2, np.dtype(np.float32): 2e-4,
            np.dtype(np.float64): 1e-10}[np.dtype(dtype)]


def close(a, b, dtype=np.float32, scale=1.0):
    np.testing.assert_allclose(np.asarray(a, np.float64), np.asarray(b, np.float64),
                               rtol=tol(dtype), atol=tol(dtype) * scale)


def T(x):
    return np.swapaxes(x, -1, -2)


def rand(rng, shape, dtype=np.float32):
    return rng.standard_normal(shape).astype(dtype)


def well_conditioned(rng, batch, n, dtype=np.float32):
    return (rng.standard_normal(batch + (n, n)) + 3 * n * np.eye(n)).astype(dtype) / n


def spd(rng, batch, n, dtype=np.float32):
    a = rng.standard_normal(batch + (n, n))
    return (a @ T(a) + n * np.eye(n)).astype(dtype)


def symmetric(rng, batch, n, dtype=np.float32):
    a = rng.standard_normal(batch + (n, n))
    return ((a + T(a)) / 2).astype(dtype)


def x64(dtype):
    """enable_x64 for float64 cases, a no-op context otherwise."""
    return enable_x64() if np.dtype(dtype) == np.float64 else contextlib.nullcontext()
