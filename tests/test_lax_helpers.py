"""Small lax helpers built on the primitives: split, reciprocal, broadcast_shapes,
dtype, empty."""
import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax


def test_split():
    x = np.arange(10.0, dtype=np.float32).reshape(5, 2)
    parts = lax.split(x, (2, 0, 3))
    want = np.split(x, [2, 2])
    assert len(parts) == 3
    for p, w in zip(parts, want):
        np.testing.assert_array_equal(np.asarray(p), w)
    cols = lax.split(x, (1, 1), axis=-1)
    np.testing.assert_array_equal(np.asarray(cols[1]), x[:, 1:])
    with pytest.raises(ValueError, match="sum to"):
        lax.split(x, (2, 2))
    jaxpr = tinyjax.make_jaxpr(lambda v: lax.split(v, (2, 3)))(x)
    assert [a.shape for a in jaxpr.out_avals] == [(2, 2), (3, 2)]


def test_reciprocal():
    np.testing.assert_allclose(np.asarray(lax.reciprocal(jnp.array([2.0, -4.0]))), [0.5, -0.25])
    with pytest.raises(TypeError, match="negative powers"):
        lax.reciprocal(jnp.array([2]))


def test_broadcast_shapes_dtype_empty():
    assert lax.broadcast_shapes((2, 1), (3,), ()) == (2, 3)
    with pytest.raises(ValueError, match="Incompatible"):
        lax.broadcast_shapes((2,), (3,))
    assert lax.dtype(2.0) == np.float32 and lax.dtype(jnp.ones(2, jnp.int8)) == np.int8
    assert lax.dtype(np.float64(1), canonicalize=True) == np.float32
    e = lax.empty(np.int32)
    assert e.shape == () and e.dtype == np.int32
