"""Array creation functions against NumPy (values) and JAX (dtypes, weak types)."""
import numpy as np
import pytest

import tinyjax
import tinyjax.numpy as jnp


def eq(a, b):
    a = np.asarray(a)
    assert a.shape == np.shape(b), (a.shape, np.shape(b))
    np.testing.assert_allclose(a.astype(np.float64), np.asarray(b, np.float64), rtol=1e-6,
                               atol=1e-6)


def test_array_and_asarray_dtypes():
    assert jnp.array([1, 2]).dtype == np.int32
    assert jnp.array([1.0, 2]).dtype == np.float32
    assert jnp.array([True, 1]).dtype == np.int32
    assert jnp.array(np.arange(3.0)).dtype == np.float32  # float64 canonicalized
    assert jnp.array(2.0).weak_type and not jnp.array([2.0]).weak_type
    assert jnp.asarray(3, dtype=jnp.float32).dtype == np.float32
    assert jnp.array([[1, 2], [3, 4]], ndmin=3).shape == (1, 2, 2)
    assert jnp.array([]).dtype == np.float32
    eq(jnp.array([jnp.ones(2), [3.0, 4.0]]), [[1, 1], [3, 4]])
    with pytest.raises(ValueError, match="inhomogeneous"):
        jnp.array([1, [2, 3]])
    with pytest.raises(TypeError, match="complex"):
        jnp.asarray(np.array([1j]))


def test_array_of_traced_values():
    jaxpr = tinyjax.make_jaxpr(lambda x: jnp.array([x, 2 * x, 1.0]))(np.float32(1))
    assert jaxpr.out_avals[0].shape == (3,)


def test_zeros_ones_full_empty():
    eq(jnp.zeros((2, 3)), np.zeros((2, 3)))
    assert jnp.zeros(3).dtype == np.float32 and jnp.zeros(3, int).dtype == np.int32
    eq(jnp.ones(4, jnp.int8), np.ones(4))
    assert jnp.ones(4, jnp.int8).dtype == np.int8
    eq(jnp.full((2, 2), 7), np.full((2, 2), 7))
    assert jnp.full((2,), 7).dtype == np.int32
    eq(jnp.full((2, 3), [1.0, 2.0, 3.0]), np.full((2, 3), [1.0, 2.0, 3.0]))
    eq(jnp.empty((0, 2)), np.empty((0, 2)))
    assert jnp.zeros(()).shape == ()
    with pytest.raises(ValueError, match="negative"):
        jnp.zeros((-1,))


def test_like_functions():
    x = jnp.asarray(np.arange(6, dtype=np.int16).reshape(2, 3))
    assert jnp.zeros_like(x).dtype == np.int16 and jnp.zeros_like(x).shape == (2, 3)
    eq(jnp.ones_like(x, dtype=jnp.float32), np.ones((2, 3)))
    eq(jnp.full_like(x, 3, shape=(4,)), np.full(4, 3))
    assert jnp.empty_like(x).shape == (2, 3)
    assert jnp.zeros_like(2.0).weak_type
    assert jnp.full((2,), 7).weak_type and not jnp.full((2,), 7, jnp.int32).weak_type


@pytest.mark.parametrize("args,kw", [((5,), {}), ((2, 9), {}), ((2, 9, 3), {}), ((9, 2, -2), {}),
                                     ((0.5, 3.0, 0.5), {}), ((5,), {"dtype": jnp.float32}),
                                     ((3, 1), {}), ((0,), {})])
def test_arange(args, kw):
    got = jnp.arange(*args, **kw)
    want = np.arange(*args, **{k: np.dtype(v.dtype) for k, v in kw.items()})
    eq(got, want)
    if all(isinstance(a, int) for a in args) and not kw:
        assert got.dtype == np.int32
    else:
        assert got.dtype == np.float32


def test_arange_traced_bound_error():
    with pytest.raises(TypeError, match="concrete|static"):
        tinyjax.make_jaxpr(lambda n: jnp.arange(n))(3)


@pytest.mark.parametrize("num,endpoint", [(5, True), (5, False), (1, True), (0, True), (7, True)])
def test_linspace(num, endpoint):
    eq(jnp.linspace(-1.0, 2.0, num, endpoint=endpoint), np.linspace(-1, 2, num, endpoint=endpoint))
    out, step = jnp.linspace(0.0, 1.0, num, endpoint=endpoint, retstep=True)
    _, wstep = np.linspace(0.0, 1.0, num, endpoint=endpoint, retstep=True)
    if num > 1:
        np.testing.assert_allclose(float(step), wstep, rtol=1e-6)


def test_linspace_array_bounds_and_axis():
    s, e = np.array([0.0, 1.0]), np.array([1.0, 3.0])
    eq(jnp.linspace(s, e, 4), np.linspace(s, e, 4))
    eq(jnp.linspace(s, e, 4, axis=1), np.linspace(s, e, 4, axis=1))
    eq(jnp.linspace(0, 10, 4, dtype=jnp.int32), np.linspace(0, 10, 4, dtype=np.int32))


def test_logspace_geomspace():
    eq(jnp.logspace(0.0, 2.0, 3), np.logspace(0, 2, 3))
    eq(jnp.logspace(0.0, 3.0, 4, base=2.0), np.logspace(0, 3, 4, base=2.0))
    np.testing.assert_allclose(np.asarray(jnp.geomspace(1.0, 1000.0, 4)),
                               np.geomspace(1, 1000, 4), rtol=1e-5)
    np.testing.assert_allclose(np.asarray(jnp.geomspace(-1.0, -100.0, 3)),
                               np.geomspace(-1, -100, 3), rtol=1e-5)


def test_eye_identity_tri():
    for args in [(3,), (3, 4), (4, 3, 1), (3, 3, -2), (0,)]:
        eq(jnp.eye(*args), np.eye(*args))
    eq(jnp.identity(3, dtype=jnp.int32), np.identity(3))
    assert jnp.identity(3, dtype=jnp.int32).dtype == np.int32
    for args in [(3,), (3, 4, 1), (4, 3, -1)]:
        eq(jnp.tri(*args), np.tri(*args))


@pytest.mark.parametrize("k", [-1, 0, 2])
def test_tril_triu(k):
    x = np.arange(24.0).reshape(2, 3, 4)
    eq(jnp.tril(x, k), np.tril(x, k))
    eq(jnp.triu(x, k), np.triu(x, k))
    with pytest.raises(ValueError, match="rank"):
        jnp.tril(jnp.ones(3))


@pytest.mark.parametrize("indexing", ["xy", "ij"])
@pytest.mark.parametrize("sparse", [False, True])
def test_meshgrid(indexing, sparse):
    a, b, c = np.arange(3.0), np.arange(4.0), np.arange(2.0)
    got = jnp.meshgrid(a, b, c, indexing=indexing, sparse=sparse)
    want = np.meshgrid(a, b, c, indexing=indexing, sparse=sparse)
    for g, w in zip(got, want):
        eq(g, w)


def test_indices_and_fromfunction():
    eq(jnp.indices((2, 3)), np.indices((2, 3)))
    for g, w in zip(jnp.indices((2, 3), sparse=True), np.indices((2, 3), sparse=True)):
        eq(g, w)
    eq(jnp.fromfunction(lambda i, j: i + 2 * j, (2, 3)),
       np.fromfunction(lambda i, j: i + 2 * j, (2, 3)))


def test_broadcast_to_and_copy():
    eq(jnp.broadcast_to(np.arange(3.0), (2, 3)), np.broadcast_to(np.arange(3.0), (2, 3)))
    eq(jnp.broadcast_to(np.ones((3, 1)), (2, 3, 4)), np.ones((2, 3, 4)))
    with pytest.raises(ValueError, match="broadcast"):
        jnp.broadcast_to(np.ones(3), (4,))
    x = jnp.arange(3)
    eq(jnp.copy(x), [0, 1, 2])
    eq(jnp.frombuffer(np.arange(3, dtype=np.float32).tobytes(), dtype=np.float32), [0, 1, 2])


def test_scalar_types_make_arrays():
    x = jnp.float32(1.5)
    assert x.dtype == np.float32 and x.shape == () and not x.weak_type
    assert jnp.int8(300 - 256).dtype == np.int8
    assert np.dtype(jnp.float32) == np.float32
    assert jnp.zeros(2, jnp.uint8).dtype == np.uint8
    assert jnp.issubdtype(jnp.float32, jnp.floating)
    assert jnp.isdtype(np.int8, "signed integer") and not jnp.isdtype(np.int8, "real floating")
    assert jnp.finfo(jnp.float32).eps == np.finfo(np.float32).eps
    assert jnp.iinfo(jnp.int8).max == 127
    assert jnp.result_type(jnp.int8, jnp.uint8) == np.int16
    assert jnp.promote_types(jnp.float16, jnp.int32) == np.float16


def test_x64_mode():
    from tinyjax.core.config import enable_x64
    with enable_x64():
        assert jnp.array(np.arange(3.0)).dtype == np.float64
        assert jnp.arange(3).dtype == np.int64
        assert jnp.zeros(2).dtype == np.float64
    assert jnp.zeros(2).dtype == np.float32
