"""Sorting, searching, set operations and selection against NumPy (values) and
JAX (layouts NumPy leaves unspecified, padding with size=, dtypes, errors)."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax.core.errors import ConcretizationTypeError

RNG = np.random.default_rng(0)
nan = np.nan


def same(got, want):
    """Exact equality of values (NaN == NaN), shape and dtype."""
    got = np.asarray(got)
    want = np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    np.testing.assert_array_equal(got, want)


def same_values(got, want):
    """Equal values and shape; NumPy's int64 indices are compared by value."""
    got = np.asarray(got)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    np.testing.assert_array_equal(got, np.asarray(want))


def xnp():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    return xnp


def same_as_jax(fn, *args, **kw):
    """fn(jnp, ...) must equal fn(jax.numpy, ...) (values, shapes, dtypes), tuples too."""
    ref = xnp()
    got, want = fn(jnp, *args, **kw), fn(ref, *args, **kw)
    if isinstance(want, tuple):
        assert isinstance(got, tuple) and len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
    else:
        same(got, want)


def int_dtype_arrays(shape_st=st.integers(0, 12)):
    return st.tuples(shape_st, st.integers(0, 10 ** 6)).map(
        lambda t: np.random.default_rng(t[1]).integers(-3, 4, t[0]).astype(np.int32))


FLOATS_WITH_SPECIALS = np.array([3., nan, 1., -nan, 0., -0., np.inf, -np.inf, 1., 2.5],
                                np.float32)


# ----------------------------------------------------------------------------- sort / argsort

@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.uint8, np.int32, np.bool_,
                                   np.float16])
@pytest.mark.parametrize("axis", [-1, 0, None])
def test_sort_argsort_match_numpy(dtype, axis):
    x = RNG.integers(0, 4, (3, 5)).astype(dtype)
    same(jnp.sort(x, axis=axis), np.sort(x, axis=axis))
    same_values(jnp.argsort(x, axis=axis), np.argsort(x, axis=axis, kind="stable"))
    assert jnp.argsort(x, axis=axis).dtype == np.int32
    assert jnp.asarray(x).sort(axis=axis).shape == np.sort(x, axis=axis).shape


def test_sort_nans_last_and_descending_like_jax():
    x = FLOATS_WITH_SPECIALS
    same(jnp.sort(x), np.sort(x))
    same_values(jnp.argsort(x), np.argsort(x, kind="stable"))
    same_as_jax(lambda m: m.sort(x, descending=True))
    same_as_jax(lambda m: m.argsort(x, descending=True))
    i = np.array([1, 1, 0, 2, 1])
    # stable descending keeps equal elements in their original order
    same_values(jnp.argsort(i, descending=True), [3, 0, 1, 4, 2])
    same_as_jax(lambda m: m.argsort(i, descending=True, stable=False))
    same(jnp.argsort(i, dtype=jnp.int16), np.argsort(i).astype(np.int16))


@settings(max_examples=25, deadline=None)
@given(int_dtype_arrays(), st.booleans())
def test_argsort_property(x, descending):
    perm = np.asarray(jnp.argsort(x, descending=descending))
    key = -x.astype(np.int64) if descending else x
    same_values(perm, np.argsort(key, kind="stable"))


def test_sort_errors_and_edge_shapes():
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.sort(jnp.array(3))
    same(jnp.sort(jnp.array(3), axis=None), np.array([3], np.int32))
    with pytest.raises(TypeError, match="'order' argument"):
        jnp.sort(jnp.ones(3), order="x")
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.argsort(jnp.ones((2, 3)), axis=2)
    same(jnp.sort(np.zeros((0, 3), np.float32)), np.zeros((0, 3), np.float32))
    assert jnp.argsort(np.zeros((2, 0))).shape == (2, 0)


def test_lexsort():
    k1, k2 = np.array([1, 2, 1, 2, 0]), np.array([0, 0, 1, 1, 0])
    same_values(jnp.lexsort([k1, k2]), np.lexsort([k1, k2]))
    same_values(jnp.lexsort(np.stack([k1, k2])), np.lexsort(np.stack([k1, k2])))
    keys = [RNG.integers(0, 3, (4, 6)) for _ in range(3)]
    for axis in (0, 1, -1):
        same_values(jnp.lexsort(keys, axis=axis), np.lexsort(keys, axis=axis))
    f = np.array([nan, 1., 1., -1.], np.float32)
    same_values(jnp.lexsort([np.array([3, 2, 1, 0]), f]), np.lexsort([[3, 2, 1, 0], f]))
    with pytest.raises(TypeError, match="len > 0"):
        jnp.lexsort([])
    with pytest.raises(ValueError, match="same shape"):
        jnp.lexsort([k1, k1[:2]])


# ----------------------------------------------------------------------------- searchsorted

METHODS = ["scan", "scan_unrolled", "sort", "compare_all"]


@pytest.mark.parametrize("method", METHODS)
@pytest.mark.parametrize("side", ["left", "right"])
def test_searchsorted_matches_numpy(method, side):
    a = np.array([1, 2, 2, 3, 5, 5, 5, 9])
    v = np.array([[0, 1, 2], [4, 5, 10]])
    same_values(jnp.searchsorted(a, v, side=side, method=method),
                np.searchsorted(a, v, side=side))
    # NaN-aware like NumPy: NaN counts as the largest value; -0.0 == 0.0
    a = np.array([-1., -0., 0., 1., nan, nan], np.float32)
    v = np.array([0., -0., nan, 5., 0.5, -3., np.inf], np.float32)
    same_values(jnp.searchsorted(a, v, side=side, method=method),
                np.searchsorted(a, v, side=side))
    assert jnp.searchsorted(a, v, side=side, method=method).dtype == np.int32
    same_values(jnp.searchsorted(a, 0.5, side=side, method=method),
                np.searchsorted(a, 0.5, side=side))


@settings(max_examples=25, deadline=None)
@given(int_dtype_arrays(st.integers(0, 20)), int_dtype_arrays(st.integers(0, 6)),
       st.sampled_from(["left", "right"]), st.sampled_from(METHODS))
def test_searchsorted_property(a, v, side, method):
    a = np.sort(a)
    same_values(jnp.searchsorted(a, v, side=side, method=method),
                np.searchsorted(a, v, side=side))


def test_searchsorted_sorter_and_errors():
    a, v = np.array([3, 1, 2]), np.array([[1, 2], [3, 4]])
    s = np.argsort(a)
    same_values(jnp.searchsorted(a, v, sorter=s), np.searchsorted(a, v, sorter=s))
    same_values(jnp.searchsorted(np.array([], np.float32), np.array([1., 2.])), [0, 0])
    with pytest.raises(ValueError, match="1-dimensional"):
        jnp.searchsorted(jnp.ones((2, 2)), 1.0)
    with pytest.raises(ValueError, match="side='middle'"):
        jnp.searchsorted(jnp.ones(3), 1.0, side="middle")
    with pytest.raises(ValueError, match="method='foo'"):
        jnp.searchsorted(jnp.ones(3), 1.0, method="foo")


# ----------------------------------------------------------------------------- partition

def test_partition_and_argpartition_like_jax():
    a = np.array([5., 1., nan, 3., 1., 7., 2.], np.float32)
    for kth in range(-7, 7):
        if kth in (-7, -1, 0, 3, 6):
            same_as_jax(lambda m: m.partition(a, kth))
            same_as_jax(lambda m: m.argpartition(a, kth))
        # NumPy's contract: the kth element is in sorted position, smaller before
        p = np.asarray(jnp.partition(a, kth))
        same(p[kth], np.sort(a)[kth])
        np.testing.assert_array_equal(np.sort(p[:kth % 7 + 1]), np.sort(a)[:kth % 7 + 1])
    m2 = np.array([[3, 1, 2], [0, 5, 4], [7, 7, 1]])
    same_as_jax(lambda m: m.partition(m2, 1, axis=0))
    same_as_jax(lambda m: m.argpartition(m2, 1, axis=0))
    # unsigned zeros and booleans are fine (JAX's negate-and-top_k is not)
    same_values(jnp.partition(np.array([0, 5, 3, 0], np.uint8), 1)[:2], [0, 0])
    same_values(jnp.partition(np.array([True, False, True]), 0)[0], False)
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.partition(np.array([3, 1, 2]), 3)
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.argpartition(jnp.array(3), 0)


# ----------------------------------------------------------------------------- nonzero family

def test_nonzero_flatnonzero_argwhere_match_numpy():
    for x in [np.array([[0, 1], [2, 0]]), RNG.integers(0, 2, (3, 4, 2)),
              np.array([0., nan, -0., 2.], np.float32), np.zeros((2, 0)), np.array([True])]:
        got, want = jnp.nonzero(x), np.nonzero(x)
        assert len(got) == len(want)
        for g, w in zip(got, want):
            same_values(g, w)
            assert g.dtype == np.int32
        same_values(jnp.flatnonzero(x), np.flatnonzero(x))
        same_values(jnp.argwhere(x), np.argwhere(x))
        same_values(jnp.where(x)[0], np.where(x)[0])
    same_values(jnp.argwhere(np.array(1)), np.argwhere(np.array(1)))
    same_values(jnp.argwhere(np.array(0)), np.argwhere(np.array(0)))
    same_values(jnp.flatnonzero(np.array(3)), np.flatnonzero(np.array(3)))
    with pytest.raises(ValueError, match="0d arrays"):
        jnp.nonzero(jnp.array(1))


def test_nonzero_size_and_fill_value_like_jax():
    x = np.array([[0, 1], [2, 0]])
    same_as_jax(lambda m: m.nonzero(x, size=3, fill_value=(7, 8)))
    same_as_jax(lambda m: m.nonzero(x, size=1))
    same_as_jax(lambda m: m.nonzero(x, size=4))
    same_as_jax(lambda m: m.argwhere(x, size=3, fill_value=(7, 8)))
    same_as_jax(lambda m: m.argwhere(x, size=3, fill_value=9))
    same_as_jax(lambda m: m.flatnonzero(x, size=3, fill_value=-1))
    with pytest.raises(ValueError, match="tuple of length 2"):
        jnp.nonzero(x, size=3, fill_value=(1, 2, 3))


@settings(max_examples=25, deadline=None)
@given(int_dtype_arrays(st.integers(0, 16)), st.integers(0, 20))
def test_nonzero_size_property(x, size):
    (got,) = jnp.nonzero(x, size=size, fill_value=-1)
    want = np.nonzero(x)[0][:size]
    same_values(got, np.concatenate([want, -np.ones(size - len(want), int)]))


def test_data_dependent_shapes_need_size_under_tracing():
    x = np.array([3., 0., 1., 0., 2.], np.float32)
    mk = tinyjax.make_jaxpr
    for fn in (jnp.nonzero, jnp.flatnonzero, jnp.argwhere, jnp.unique,
               lambda x: jnp.compress(x > 0, x), lambda x: jnp.extract(x > 0, x),
               lambda x: jnp.intersect1d(x, x), lambda x: jnp.union1d(x, x),
               lambda x: jnp.setdiff1d(x, x), lambda x: jnp.setxor1d(x, x),
               lambda x: jnp.where(x)):
        with pytest.raises(ConcretizationTypeError, match="size"):
            mk(fn)(x)


def test_everything_traces_with_size():
    x = np.array([3., 0., 1., 0., 2.], np.float32)
    mk = tinyjax.make_jaxpr
    cases = {
        (5,): [jnp.sort, lambda x: jnp.argsort(x, descending=True),
               lambda x: jnp.lexsort([x, -x]),
               lambda x: jnp.searchsorted(jnp.sort(x), x),
               lambda x: jnp.searchsorted(jnp.sort(x), x, method="sort"),
               lambda x: jnp.partition(x, 2), lambda x: jnp.argpartition(x, 2),
               lambda x: jnp.isin(x, x[:2]), lambda x: jnp.select([x > 1], [x]),
               lambda x: jnp.choose(jnp.array([0, 1, 0, 1, 0]), [x, -x], mode="clip"),
               lambda x: jnp.piecewise(x, [x > 1], [lambda x: x * 2, 0.])],
        (3,): [lambda x: jnp.nonzero(x, size=3)[0], lambda x: jnp.flatnonzero(x, size=3),
               lambda x: jnp.unique(x, size=3), lambda x: jnp.unique_values(x, size=3),
               lambda x: jnp.where(x, size=3)[0]],
        (2,): [lambda x: jnp.intersect1d(x, x[:2], size=2),
               lambda x: jnp.union1d(x, x, size=2), lambda x: jnp.setdiff1d(x, x[:2], size=2),
               lambda x: jnp.setxor1d(x, x[:2], size=2), lambda x: jnp.compress(x > 0, x, size=2),
               lambda x: jnp.extract(x > 0, x, size=2)],
        (3, 1): [lambda x: jnp.argwhere(x, size=3)],
    }
    for shape, fns in cases.items():
        for fn in fns:
            jaxpr = mk(fn)(x)
            assert jaxpr.out_avals[0].shape == shape
            assert np.asarray(fn(x)).shape == shape
    outs = mk(lambda x: jnp.unique_all(x, size=4))(x).out_avals
    assert [a.shape for a in outs] == [(4,), (4,), (5,), (4,)]


# ----------------------------------------------------------------------------- unique

@pytest.mark.parametrize("x", [
    np.array([3, 1, 1, 2, 3, 3]), RNG.integers(0, 4, (3, 4)), np.array([1.5, nan, 1.5, nan]),
    np.array([0., -0., 1.]), np.array([], np.float32), np.array([True, False, True]),
    np.array(5),
])
def test_unique_matches_numpy(x):
    got = jnp.unique(x, return_index=True, return_inverse=True, return_counts=True)
    want = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        same_values(g, w)
    assert got[0].dtype == jnp.asarray(x).dtype
    assert all(g.dtype == np.int32 for g in got[1:])
    same_values(jnp.unique(x), np.unique(x))


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_unique_axis_matches_numpy(axis):
    x = np.array([[3, 1, 3], [1, 2, 1], [3, 1, 3], [0, 0, 0]])
    got = jnp.unique(x, axis=axis, return_index=True, return_inverse=True, return_counts=True)
    want = np.unique(x, axis=axis, return_index=True, return_inverse=True, return_counts=True)
    for g, w in zip(got, want):
        same_values(g, np.reshape(w, np.shape(g)))
    x3 = RNG.integers(0, 2, (4, 2, 3))
    same_values(jnp.unique(x3, axis=0), np.unique(x3, axis=0))
    same_values(jnp.unique(np.array([[nan, 1.], [nan, 1.]], np.float32), axis=0),
                [[nan, 1.]])
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.unique(jnp.ones((2, 3)), axis=3)


# Outputs of jax.numpy 0.10.2 for padded / NaN cases (recorded: live JAX calls on
# these many small eager ops dominate the runtime). `same_as_jax` spot-checks live.
U = np.array([3, 1, 1, nan, nan, 2], np.float32)
R2 = np.array([[3, 1], [1, 2], [3, 1]])
KW = dict(return_index=True, return_inverse=True, return_counts=True)
A = np.array([1, 3, 3, 5, nan], np.float32)
B = np.array([3, 5, 7, nan, 1, 1], np.float32)
JAX_RECORDED = [
    ('intersect1d(A, B, return_indices=True, size=5)', (np.array([1.0, 3.0, 5.0, 1.0, 1.0], np.float32), np.array([0, 1, 3, 5, 5], np.int32), np.array([4, 0, 1, 6, 6], np.int32))),
    ('intersect1d(A, B, return_indices=True, size=5, fill_value=-2)', (np.array([1.0, 3.0, 5.0, -2.0, -2.0], np.float32), np.array([0, 1, 3, 5, 5], np.int32), np.array([4, 0, 1, 6, 6], np.int32))),
    ('intersect1d(np.array([1, 2]), np.array([3, 4]), size=2, return_indices=True)', (np.array([0, 0], np.int32), np.array([2, 2], np.int32), np.array([2, 2], np.int32))),
    ('union1d(A, B)', np.array([1.0, 3.0, 5.0, 7.0, nan], np.float32)),
    ('union1d(A, B, size=8)', np.array([1.0, 3.0, 5.0, 7.0, nan, 1.0, 1.0, 1.0], np.float32)),
    ('union1d(A, B, size=8, fill_value=0)', np.array([1.0, 3.0, 5.0, 7.0, nan, 0.0, 0.0, 0.0], np.float32)),
    ('setdiff1d(B, A, size=4)', np.array([7.0, nan, 0.0, 0.0], np.float32)),
    ('setdiff1d(B, A, size=4, fill_value=9)', np.array([7.0, nan, 9.0, 9.0], np.float32)),
    ('setxor1d(A, B)', np.array([7.0, nan, nan], np.float32)),
    ('setxor1d(np.array([1, 2, 3]), np.array([2, 4]), size=5)', np.array([1, 3, 4, 1, 1], np.int32)),
    ('unique(u, size=6, **kw)', (np.array([1.0, 2.0, 3.0, nan, 1.0, 1.0], np.float32), np.array([1, 5, 0, 3, 1, 1], np.int32), np.array([2, 0, 0, 3, 3, 1], np.int32), np.array([2, 1, 1, 2, 0, 0], np.int32))),
    ('unique(u, size=2, **kw)', (np.array([1.0, 2.0], np.float32), np.array([1, 5], np.int32), np.array([2, 0, 0, 3, 3, 1], np.int32), np.array([2, 1], np.int32))),
    ('unique(u, size=6, fill_value=-1, equal_nan=False, **kw)', (np.array([1.0, 2.0, 3.0, nan, nan, -1.0], np.float32), np.array([1, 5, 0, 3, 4, 1], np.int32), np.array([2, 0, 0, 3, 4, 1], np.int32), np.array([2, 1, 1, 1, 1, 0], np.int32))),
    ('unique(r2, axis=0, size=4, **kw)', (np.array([[1, 2], [3, 1], [1, 2], [1, 2]], np.int32), np.array([1, 0, 1, 1], np.int32), np.array([1, 0, 1], np.int32), np.array([1, 2, 0, 0], np.int32))),
    ('unique(r2, axis=1, **kw)', (np.array([[1, 3], [2, 1], [1, 3]], np.int32), np.array([1, 0], np.int32), np.array([1, 0], np.int32), np.array([1, 1], np.int32))),
]


@pytest.mark.parametrize("expr,want", JAX_RECORDED, ids=[e for e, _ in JAX_RECORDED])
def test_padding_and_nan_layouts_recorded_from_jax(expr, want):
    got = eval("jnp." + expr, {"jnp": jnp, "np": np, "A": A, "B": B, "u": U, "r2": R2,
                               "kw": KW})
    if isinstance(want, tuple):
        assert len(got) == len(want)
        for g, w in zip(got, want):
            same(g, w)
    else:
        same(got, want)


def test_unique_size_padding_like_jax():
    same_as_jax(lambda m: m.unique(U, size=6, **KW))
    same_as_jax(lambda m: m.unique(U, equal_nan=False, **KW))
    same_as_jax(lambda m: m.unique(np.array(5), return_inverse=True))
    same_values(jnp.unique(np.array([], np.float32), size=2, fill_value=3), [3., 3.])
    with pytest.raises(ValueError, match="fill_value must be specified"):
        jnp.unique(np.array([], np.float32), size=2)


def test_unique_array_api_variants_like_jax():
    u = np.array([3, 1, 1, nan, nan, 2], np.float32)
    m2 = np.array([[3, 1], [1, 2]])
    for name in ("unique_values", "unique_counts", "unique_inverse", "unique_all"):
        same_as_jax(lambda m: getattr(m, name)(u))
        same_as_jax(lambda m: getattr(m, name)(m2))
        same_as_jax(lambda m: getattr(m, name)(u, size=7, fill_value=0))
    res = jnp.unique_all(u)
    assert type(res).__name__ == "UniqueAllResult"
    assert res._fields == ("values", "indices", "inverse_indices", "counts")
    assert jnp.unique_counts(u)._fields == ("values", "counts")
    assert jnp.unique_inverse(u)._fields == ("values", "inverse_indices")


@settings(max_examples=25, deadline=None)
@given(int_dtype_arrays(st.integers(0, 15)), st.integers(1, 10))
def test_unique_property(x, size):
    vals, idx, inv, cnt = jnp.unique(x, return_index=True, return_inverse=True,
                                     return_counts=True)
    wv, wi, winv, wc = np.unique(x, return_index=True, return_inverse=True, return_counts=True)
    for g, w in ((vals, wv), (idx, wi), (inv, winv), (cnt, wc)):
        same_values(g, w)
    if x.size:
        pv, pi, pc = jnp.unique(x, size=size, return_index=True, return_counts=True)
        k = min(size, len(wv))
        same_values(pv[:k], wv[:k])
        same_values(pi[:k], wi[:k])
        same_values(pc[:k], wc[:k])
        assert np.all(np.asarray(pv[k:]) == wv[0]) and np.all(np.asarray(pc[k:]) == 0)


# ----------------------------------------------------------------------------- set operations

def test_set_operations_match_numpy():
    for a, b in [(A, B), (np.array([4, 1, 2, 1]), np.array([2, 5, 4])),
                 (np.array([], np.int32), np.array([1, 2])), (RNG.integers(0, 5, (2, 3)),
                                                              RNG.integers(0, 5, 4))]:
        same_values(jnp.intersect1d(a, b), np.intersect1d(a, b))
        for g, w in zip(jnp.intersect1d(a, b, return_indices=True),
                        np.intersect1d(a, b, return_indices=True)):
            same_values(g, w)
        same_values(jnp.setdiff1d(a, b), np.setdiff1d(a, b))
        same_values(jnp.setxor1d(a, b), np.setxor1d(a, b))
        if not np.isnan(np.asarray(a, float)).any():
            same_values(jnp.union1d(a, b), np.union1d(a, b))
    same_values(jnp.setdiff1d(np.array([3, 1, 5]), np.array([1]), assume_unique=True),
                np.setdiff1d(np.array([3, 1, 5]), np.array([1]), assume_unique=True))
    same_values(jnp.intersect1d(np.array([3, 1, 5]), np.array([5, 3]), assume_unique=True),
                np.intersect1d(np.array([3, 1, 5]), np.array([5, 3]), assume_unique=True))
    same_values(jnp.setxor1d(np.array([3, 1, 5]), np.array([5, 2]), assume_unique=True),
                np.setxor1d(np.array([3, 1, 5]), np.array([5, 2]), assume_unique=True))


def test_set_operations_size_and_dtypes_like_jax():
    same_as_jax(lambda m: m.intersect1d(A, B, return_indices=True, size=5, fill_value=-2))
    same_as_jax(lambda m: m.setdiff1d(np.array([], np.int32), np.array([2, 4]), size=3))
    same_as_jax(lambda m: m.union1d(np.array([1, 2], np.int8), np.array([2., 4.], np.float32)))
    same_as_jax(lambda m: m.intersect1d(np.array([1, 2], np.int8), np.array([2, 4], np.uint8)))


@pytest.mark.parametrize("method", ["auto", "compare_all", "binary_search", "sort"])
def test_isin(method):
    x = np.array([[1, 2], [nan, 4]], np.float32)
    t = np.array([2, nan, 4], np.float32)
    same(jnp.isin(x, t, method=method), np.isin(x, t))
    same(jnp.isin(x, t, invert=True, method=method), np.isin(x, t, invert=True))
    xi = RNG.integers(0, 10, (3, 4))
    same(jnp.isin(xi, np.array([2, 5, 7]), method=method), np.isin(xi, [2, 5, 7]))
    same(jnp.isin(xi, np.array([], np.int32), method=method), np.zeros((3, 4), bool))
    same(jnp.isin(np.array([1, 2, 3]), np.array([2.5, 3.0]), method=method),
         np.array([False, False, True]))
    same(jnp.isin(3, np.array([2, 3]), method=method), np.array(True))


def test_isin_errors():
    with pytest.raises(TypeError, match="ndarray or scalar"):
        jnp.isin(3, [2, 3])
    with pytest.raises(ValueError, match="method='foo'"):
        jnp.isin(3, np.array([2, 3]), method="foo")


# ----------------------------------------------------------------------------- select & co

def test_select():
    x = np.arange(6)
    conds, choices = [x < 2, x > 3], [x, x ** 2]
    same_values(jnp.select(conds, choices, default=-1), np.select(conds, choices, -1))
    same_as_jax(lambda m: m.select([np.array([True, False, False]), np.array([True, True, False])],
                                   [np.array([1, 2, 3]), np.array([4., 5, 6], np.float32)],
                                   default=-1))
    same_as_jax(lambda m: m.select([np.array([1, 0, 0])], [np.array([1, 2, 3])]))
    same_as_jax(lambda m: m.select([np.array([True, False])], [np.array([3, 4], np.int8)],
                                   default=2))
    # broadcasting of conditions, choices and default
    same_values(jnp.select([np.array([[True], [False]])], [np.arange(3)], 7),
                np.select([np.array([[True], [False]])], [np.arange(3)], 7))
    with pytest.raises(ValueError, match="non-empty"):
        jnp.select([], [])
    with pytest.raises(ValueError, match="length equal"):
        jnp.select([np.array([True])], [1, 2])


def test_choose():
    c = [np.array([1, 2, 3]), np.array([4, 5, 6]), 7]
    same_values(jnp.choose(np.array([0, 1, 2]), c), np.choose([0, 1, 2], c))
    same_values(jnp.choose(np.array([0, 3, -1]), c, mode="clip"),
                np.choose([0, 3, -1], c, mode="clip"))
    same_values(jnp.choose(np.array([0, 3, -1]), c, mode="wrap"),
                np.choose([0, 3, -1], c, mode="wrap"))
    a2 = np.array([[0, 1], [1, 0]])
    same_values(jnp.choose(a2, np.array([[1, 2], [3, 4]])), np.choose(a2, [[1, 2], [3, 4]]))
    same_as_jax(lambda m: m.choose(np.array([0, 1, 0]), [np.array([1, 2, 3], np.int8),
                                                         np.array([4., 5, 6], np.float32)]))
    with pytest.raises(ValueError, match="invalid entry"):
        jnp.choose(np.array([0, 3]), c)
    with pytest.raises(ValueError, match="integer typed"):
        jnp.choose(np.array([0., 1.]), c)
    with pytest.raises(ValueError, match="mode='foo'"):
        jnp.choose(np.array([0, 1]), c, mode="foo")
    with pytest.raises(ConcretizationTypeError, match="mode='wrap'"):
        tinyjax.make_jaxpr(lambda a: jnp.choose(a, c))(np.array([0, 1, 1]))
    jaxpr = tinyjax.make_jaxpr(lambda a: jnp.choose(a, c, mode="wrap"))(np.array([0, 1, 1]))
    assert jaxpr.out_avals[0].shape == (3,)


def test_compress_and_extract():
    a = np.arange(12).reshape(4, 3)
    for cond, axis in [([1, 0, 1], 1), ([1, 0, 1, 0], 0), ([1, 0, 1], None), ([0, 1], 0),
                       ([True, False, True, False, False], 0)]:
        same_values(jnp.compress(np.array(cond), a, axis=axis), np.compress(cond, a, axis=axis))
    same_as_jax(lambda m: m.compress(np.array([True, False, True]), a.astype(np.float32),
                                     axis=1, size=3, fill_value=-1))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.compress(np.array([1, 0, 1, 0, 1]), a, axis=0)
    with pytest.raises(ValueError, match="1D"):
        jnp.compress(np.array([[True, False, True]]), a, axis=1)
    cond = a % 2
    same_values(jnp.extract(cond, a), np.extract(cond, a))
    same_as_jax(lambda m: m.extract(cond, a.astype(np.float32), size=8))
    same_as_jax(lambda m: m.extract(cond, a, size=3))


def test_piecewise():
    x = np.array([-2., -1, 0, 1, 2], np.float32)
    for conds, funcs in [([x < 0], [lambda x: -x]),
                         ([x < 0, x > 0], [lambda x: -x, 7]),
                         ([x < 0, x > -1.5], [lambda x: -x, 7]),     # later condition wins
                         ([x < 0, x > 0], [lambda x: -x, 7, lambda x: x + 100])]:
        same(jnp.piecewise(x, conds, funcs), np.piecewise(x, conds, funcs))
    same_as_jax(lambda m: m.piecewise(np.arange(4), [np.arange(4) < 2], [1.7, 2.5]))
    same_as_jax(lambda m: m.piecewise(x, np.stack([x < 0, x > 0]), [lambda x: -x, 3]))
    same(jnp.piecewise(x, [x < 0], [lambda x, k: k * x], 3.0), np.piecewise(x, [x < 0],
                                                                           [lambda x, k: k * x],
                                                                           3.0))
    with pytest.raises(ValueError, match="either 2 or 3 functions"):
        jnp.piecewise(x, [x < 0, x > 0], [lambda x: -x])


def test_index_dtypes_under_x64():
    from tinyjax.core.config import enable_x64
    x = np.array([3., 0., 1., 0., 2.])
    with enable_x64():
        assert jnp.sort(x).dtype == np.float64
        # default-int results follow x64 ...
        for r in (jnp.argsort(x), jnp.lexsort([x]), jnp.nonzero(x)[0], jnp.argwhere(x),
                  *jnp.unique(x, return_index=True, return_inverse=True,
                              return_counts=True)[1:],
                  *jnp.intersect1d(x, x, return_indices=True)[1:]):
            assert r.dtype == np.int64
        # ... while searchsorted and argpartition stay int32, as in JAX
        assert jnp.searchsorted(np.sort(x), x).dtype == np.int32
        assert jnp.argpartition(x, 1).dtype == np.int32
        same_values(jnp.argsort(x), np.argsort(x, kind="stable"))
