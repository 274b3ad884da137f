"""NumPy-style indexing (tinyjax/numpy/indexing.py): `getitem` (x[idx]), the `.at[]`
updates, take / take_along_axis / put / put_along_axis.

In-bounds results are checked against NumPy (a broad table of index expressions and
hypothesis-generated ones); out-of-bounds behaviour, modes and dtypes against
jax.numpy; error cases by message; jaxprs by their equations and output avals.
The functions are called directly (getitem(x, idx), IndexUpdateHelper(x)[idx]) so
the tests do not depend on how Array.__getitem__ / Array.at are wired.
"""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax.core.array import Array
from tinyjax.core.config import enable_x64
from tinyjax.numpy.indexing import (
    IndexUpdateHelper,
    NonConcreteBooleanIndexError,
    getitem,
    put,
    put_along_axis,
    take,
    take_along_axis,
)

I = np.array
DTYPES = [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32,
          np.float16, np.float32, np.bool_]
INDEX_DTYPES = [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32]
seeds = st.integers(0, 2**32 - 1)


def A(x, dtype=None):
    return Array(np.array(np.asarray(x, dtype)), False)


def at(x, idx):
    return IndexUpdateHelper(x)[idx]


def bits(a):
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return a.view(np.dtype(f"u{a.dtype.itemsize}"))
    return a


def check(out, ref, weak=False):
    ref = np.asarray(ref)
    assert isinstance(out, Array), type(out)
    assert out.dtype == ref.dtype, (out.dtype, ref.dtype)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert out.weak_type == weak
    np.testing.assert_array_equal(bits(out), bits(ref))


def check_vs_jax(out, jout):
    assert out.shape == jout.shape, (out.shape, jout.shape)
    assert out.dtype == jout.dtype, (out.dtype, jout.dtype)
    assert out.weak_type == jout.weak_type, (out.weak_type, jout.weak_type)
    np.testing.assert_array_equal(bits(out), bits(np.asarray(jout)))


def jax_or_skip():
    return pytest.importorskip("jax")


def names(closed):
    return [e.primitive.name for e in closed.jaxpr.eqns]


X = np.arange(3 * 4 * 5, dtype=np.float32).reshape(3, 4, 5)

# Index expressions for X (shape (3, 4, 5)), all in bounds: NumPy is the reference.
INDEX_TABLE = [
    0, -1, 2, (1, 2), (1, 2, 3), (-1, -2, -3), (),
    slice(None), slice(1, 3), slice(None, None, -1), slice(None, None, 2), slice(3, 0, -2),
    slice(-2, None), slice(10, 20), slice(-100, 2), slice(2, 2), slice(5, 0, -1),
    (slice(None), 1), (Ellipsis, 0), (Ellipsis,), Ellipsis, (0, Ellipsis, 1),
    None, (None,), (None, Ellipsis, None), (0, None, slice(1, 3)), (slice(None), None, None, 1),
    (slice(None), slice(10, -10, -1)), (slice(None, None, -2), slice(None, None, -3), 4),
    I([0, 2]), I([-1, 0]), I([[0, 1], [2, 0]]), I([2, 2, 2]), I(1), I(-1),
    (I([0, 1]), I([1, 2])), (I([[0], [1]]), I([1, 2, 3])), (slice(None), I([0, 3])),
    (I([0, 1]), slice(None), I([1, 2])), (0, slice(None), I([1, 2])),
    (I([0, 1]), None, I([1, 2])), (slice(1, 3), None, I([0, 1])),
    (slice(None, None, 2), I([0, 1]), slice(1, None)), (slice(None, None, -2), None, I([1, 2])),
    (Ellipsis, I([0, 4])), (I(1), slice(None)), (slice(None), I([[1]]), I([[0, 1]])),
    (I([], dtype=np.int32),), (I([0, 1, 2]), I([0, 1, 2]), I([0, 1, 2])),
    (slice(None), None, I([1]), None), (1, Ellipsis, None, I([2, 3])),
    (I([0, 1], np.uint8), I([0, -1], np.int16)), (I([2, 0], np.uint32), 1, slice(None, 2)),
    ([0, 1], [1, 2]), ([[0, 1]], slice(None), 2), ((0, 2),), ((0, 1), 1),
    X > 30, (X[:, 0, 0] > 10,), (slice(None), X[0] > 5), (Ellipsis, X[0, 0] > 2),
    True, False, (slice(None), True), (I([0, 1]), slice(None), True), (True, 0),
    (I([True, False, True]), I([1, 3])), ([True, False, True],),
]


@pytest.mark.parametrize("idx", INDEX_TABLE, ids=repr)
def test_getitem_vs_numpy(idx):
    ref = X[idx]
    check(getitem(A(X), idx), ref)


@pytest.mark.parametrize("idx", INDEX_TABLE, ids=repr)
@pytest.mark.parametrize("op", ["set", "add", "multiply", "min", "max"])
def test_at_updates_vs_numpy(idx, op):
    shape = X[idx].shape
    v = (np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape) * 3 - 7) % 11
    ref = X.copy()
    if op == "set":
        ref[idx] = v
    else:
        ufunc = {"add": np.add, "multiply": np.multiply, "min": np.minimum,
                 "max": np.maximum}[op]
        ufunc.at(ref, idx, v)  # unbuffered: repeated indices combine, as in JAX
    check(getattr(at(A(X), idx), op)(A(v)), ref)


@pytest.mark.parametrize("op,ufunc", [("add", np.add), ("subtract", np.subtract),
                                      ("multiply", np.multiply), ("min", np.minimum),
                                      ("max", np.maximum)])
def test_at_repeated_indices(op, ufunc):
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    idx = (I([0, 0, 2, 0, -3]), slice(1, 3))
    v = np.arange(10, dtype=np.int32).reshape(5, 2) - 4
    ref = x.copy()
    ufunc.at(ref, idx, v)
    check(getattr(at(A(x), idx), op)(A(v)), ref)
    # set: the last write wins (as a Python loop over the index)
    ref = x.copy()
    for k, r in enumerate(I([0, 0, 2, 0, -3])):
        ref[r, 1:3] = v[k]
    check(at(A(x), idx).set(A(v)), ref)


@st.composite
def index_exprs(draw, allow_oob=False):
    """A shape and a random index expression for it (ints, slices with any steps,
    None, Ellipsis, integer arrays of broadcastable shapes)."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=4)))
    entries = []
    bshape = tuple(draw(st.lists(st.integers(1, 3), min_size=0, max_size=2)))
    ndims = draw(st.integers(0, len(shape)))
    for d in range(ndims):
        n = shape[d]
        lo, hi = (-n - 3, n + 2) if allow_oob else (-n, n - 1)
        kind = draw(st.sampled_from(["int", "slice", "array", "none", "full"]))
        if kind == "int":
            entries.append(draw(st.integers(lo, hi)))
        elif kind == "slice":
            start = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            stop = draw(st.one_of(st.none(), st.integers(-n - 2, n + 2)))
            step = draw(st.sampled_from([None, 1, 2, 3, -1, -2]))
            entries.append(slice(start, stop, step))
        elif kind == "array":
            # a suffix of the common broadcast shape, some dims 1
            r = draw(st.integers(0, len(bshape)))
            sub = tuple(1 if draw(st.booleans()) else s for s in bshape[len(bshape) - r:])
            vals = draw(st.lists(st.integers(lo, hi), min_size=int(np.prod(sub)),
                                 max_size=int(np.prod(sub))))
            dt = draw(st.sampled_from([np.int32, np.int8, np.int16]))
            entries.append(np.array(vals, dt).reshape(sub))
        elif kind == "none":
            entries.append(None)
            entries.append(slice(None))
        else:
            entries.append(slice(None))
    if draw(st.booleans()):
        # after the entries for the leading dims, so each entry keeps its dim
        entries.append(Ellipsis)
        if draw(st.booleans()):
            entries.append(None)
    if draw(st.booleans()):
        entries.insert(draw(st.integers(0, len(entries))), None)
    return shape, tuple(entries)


@settings(max_examples=30, deadline=None)
@given(index_exprs(), st.sampled_from(DTYPES), seeds)
def test_getitem_random_vs_numpy(case, dtype, seed):
    shape, idx = case
    x = np.random.default_rng(seed).integers(0, 100, size=shape).astype(dtype)
    ref = x[idx]
    check(getitem(A(x), idx), ref)
    closed = tinyjax.make_jaxpr(lambda v: getitem(v, idx))(A(x))
    assert closed.out_avals[0].shape == ref.shape
    assert closed.out_avals[0].dtype == ref.dtype


@settings(max_examples=30, deadline=None)
@given(index_exprs(), seeds, st.sampled_from(["set", "add", "min", "max"]))
def test_at_random_vs_numpy(case, seed, op):
    shape, idx = case
    rng = np.random.default_rng(seed)
    x = rng.integers(-50, 50, size=shape).astype(np.int32)
    sel = x[idx]
    v = rng.integers(-50, 50, size=sel.shape).astype(np.int32)
    ref = x.copy()
    if op == "set":
        # NumPy assigns in index order, so repeated positions keep the last value
        ref[idx] = v
    else:
        ufunc = {"add": np.add, "min": np.minimum, "max": np.maximum}[op]
        pos = np.arange(x.size).reshape(shape)[idx]
        ufunc.at(ref.reshape(-1), pos.ravel(), v.ravel())
    check(getattr(at(A(x), idx), op)(A(v)), ref)


def _oob_results(xa, idx, seed, at_fn, getitem_fn, repeats):
    """The out-of-bounds checks, written once for tinyjax and for JAX."""
    v = np.float32(seed % 7)
    out = [getitem_fn(xa, idx)]
    for mode in ["fill", "clip"]:
        out.append(at_fn(xa, idx).get(mode=mode))
    out.append(at_fn(xa, idx).add(v))
    out.append(at_fn(xa, idx).max(v, mode="clip"))
    if not repeats:
        out.append(at_fn(xa, idx).set(v))
    return out


@settings(max_examples=12, deadline=None)
@given(index_exprs(allow_oob=True), seeds)
def test_out_of_bounds_vs_jax(case, seed):
    jax = jax_or_skip()
    shape, idx = case
    x = np.random.default_rng(seed).standard_normal(shape).astype(np.float32)
    rep = _repeats(shape, idx)
    # one jitted JAX function per example: one compilation
    jouts = jax.jit(lambda v: _oob_results(v, idx, seed, lambda a, i: a.at[i],
                                           lambda a, i: a[i], rep))(x)
    outs = _oob_results(A(x), idx, seed, at, getitem, rep)
    for out, jout in zip(outs, jouts):
        check_vs_jax(out, jout)


def _repeats(shape, idx):
    """Whether idx (possibly out of bounds) selects some position twice, as JAX clamps."""
    size = int(np.prod(shape))
    pos = np.asarray(getitem(A(np.arange(size, dtype=np.int32).reshape(shape)), idx)).ravel()
    return len(np.unique(pos)) != len(pos)


OOB_TABLE = [5, -4, -100, (0, 7), (I([-5, 3, 7, -1]),), (slice(None), I([4, -5, 100])),
             (I([0, 5]), I([0, 9])), (0, 0, I([-6, 5, -5])), (I([2**31 - 1, -2**31]),),
             (I([0, 1, 300], np.uint16), 2)]
OOB_OPS = ["set", "add", "multiply", "subtract", "min", "max", "divide", "power"]


def _oob_table_results(x, idx, at_fn, getitem_fn):
    out = [getitem_fn(x, idx)]
    for mode in [None, "fill", "clip", "promise_in_bounds"]:
        out.append(at_fn(x, idx).get(mode=mode))
        out.append(at_fn(x, idx).get(mode=mode, fill_value=-3.0))
    for op in OOB_OPS:
        for mode in [None, "clip"]:
            out.append(getattr(at_fn(x, idx), op)(2.0, mode=mode))
    out.append(at_fn(x, idx).get(wrap_negative_indices=False))
    out.append(at_fn(x, idx).set(1.0, wrap_negative_indices=False))
    return out


@pytest.fixture(scope="module")
def jax_oob_table():
    jax = jax_or_skip()
    f = jax.jit(lambda v: [_oob_table_results(v, idx, lambda a, i: a.at[i], lambda a, i: a[i])
                           for idx in OOB_TABLE])
    return f(X)


@pytest.mark.parametrize("k", range(len(OOB_TABLE)), ids=[repr(i) for i in OOB_TABLE])
def test_out_of_bounds_table_vs_jax(k, jax_oob_table):
    outs = _oob_table_results(A(X), OOB_TABLE[k], at, getitem)
    for j, (out, jout) in enumerate(zip(outs, jax_oob_table[k])):
        if 9 + 2 * OOB_OPS.index("divide") <= j < 9 + 2 * len(OOB_OPS):
            # x / y and x ** y: the arithmetic may differ from XLA's by an ulp
            np.testing.assert_allclose(np.asarray(out), np.asarray(jout), rtol=1e-6)
            assert out.dtype == jout.dtype and out.shape == jout.shape
        else:
            check_vs_jax(out, jout)


def test_out_of_bounds_semantics():
    x = A(np.arange(10, dtype=np.float32))
    idx = A(np.array([-11, -1, 3, 10, 12], np.int32))
    # reads clamp after negative wrap (-11 -> -1 -> 0)
    check(getitem(x, idx), np.array([0, 9, 3, 9, 9], np.float32))
    check(getitem(x, 12), np.float32(9))
    check(getitem(x, -12), np.float32(0))
    check(at(x, idx).get(mode="fill"), np.array([np.nan, 9, 3, np.nan, np.nan], np.float32))
    check(at(x, idx).get(mode="fill", fill_value=-1), np.array([-1, 9, 3, -1, -1], np.float32))
    # updates are dropped out of bounds, clamped with mode="clip"
    ref = np.arange(10, dtype=np.float32)
    ref[[9, 3]] = -1
    check(at(x, idx).set(-1.0), ref)
    ref = np.arange(10, dtype=np.float32)
    ref[[0, 9, 3]] = -1
    check(at(x, idx).set(-1.0, mode="clip"), ref)
    check(at(x, 10).set(-1.0), np.arange(10, dtype=np.float32))


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("idx_dtype", INDEX_DTYPES)
def test_dtypes(dtype, idx_dtype):
    x = (np.arange(24) % 5).astype(dtype).reshape(4, 6)
    idx = np.array([3, 0, 2], idx_dtype)
    check(getitem(A(x), (slice(None), A(idx))), x[:, idx])
    check(getitem(A(x), (A(idx), 1)), x[idx, 1])
    v = np.ones((4, 3), dtype)
    ref = x.copy()
    ref[:, idx] = v
    check(at(A(x), (slice(None), A(idx))).set(A(v)), ref)
    check(at(A(x), (slice(None), A(idx))).max(A(v)), np.maximum(x, ref))
    if dtype is not np.bool_:
        ref = x.copy()
        ref[:, idx] += v
        check(at(A(x), (slice(None), A(idx))).add(A(v)), ref)


def test_zero_d_and_empty():
    s = A(np.float32(2.5))
    check(getitem(s, ()), np.float32(2.5))
    check(getitem(s, Ellipsis), np.float32(2.5))
    check(getitem(s, None), np.array([2.5], np.float32))
    check(getitem(s, True), np.array([2.5], np.float32))
    check(getitem(s, False), np.zeros((0,), np.float32))
    check(getitem(A(X), A(np.bool_(True))), X[np.bool_(True)])
    check(getitem(A(X), (np.array(False), 0)), X[np.array(False), 0])
    check(at(s, ()).set(1.0), np.float32(1.0))
    check(at(s, ()).add(1.0), np.float32(3.5))
    e = np.zeros((0, 3), np.float32)
    check(getitem(A(e), (slice(None), 1)), e[:, 1])
    check(getitem(A(e), (I([], np.int32),)), e[I([], np.int32)])
    check(getitem(A(X), (I([], np.int32), slice(None), I([], np.int32))),
          X[I([], np.int32), :, I([], np.int32)])
    check(at(A(e), (slice(None), 1)).set(5.0), e)
    check(at(A(X), I([], np.int32)).set(5.0), X)
    with pytest.raises(IndexError, match="out of bounds for axis 0 with size 0"):
        getitem(A(e), 0)


def test_update_value_casting():
    x = np.arange(12, dtype=np.int32).reshape(3, 4)
    with pytest.warns(FutureWarning, match="scatter inputs have incompatible types"):
        out = at(A(x), 0).set(2.7)
    ref = x.copy()
    ref[0] = 2
    check(out, ref)
    with pytest.warns(FutureWarning):
        out = at(A(x), 0).add(A(np.float32(2.7)))
    ref = x.copy()
    ref[0] = (x[0] + np.float32(2.7)).astype(np.int32)
    check(out, ref)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        check(at(A(x), 0).set(7), np.where(np.arange(3)[:, None] == 0, 7, x).astype(np.int32))
    # lists and numpy values as updates
    ref = x.copy()
    ref[1] = [1, 2, 3, 4]
    check(at(A(x), 1).set([1, 2, 3, 4]), ref)
    # divide promotes like true division, as in JAX
    out = at(A(x), 0).divide(2)
    ref = x.astype(np.float32)
    ref[0] /= 2
    check(out, ref)
    # weak type of the operand is kept
    w = Array(np.zeros(3, np.float32), True)
    check(at(w, 1).set(1.0), np.array([0, 1, 0], np.float32), weak=True)


def test_updates_vs_jax_dtypes():
    jax = jax_or_skip()
    ops = ["add", "multiply", "subtract", "min", "max", "divide", "power"]
    idx = (I([0, 2, 0]), slice(1, 3))

    def results(x, v, at_fn):
        return ([getattr(at_fn(x, idx), op)(v) for op in ops]
                + [at_fn(x, idx).get(mode="fill")])

    for dt in [np.int8, np.uint8, np.int32, np.float16, np.float32]:
        x = (np.arange(12) % 7).astype(dt).reshape(3, 4)
        v = np.array(2, dt)
        jouts = jax.jit(lambda a, b: results(a, b, lambda p, i: p.at[i]))(x, v)
        for out, jout in zip(results(A(x), A(v), at), jouts):
            check_vs_jax(out, jout)


def test_at_broadcasting_errors():
    x = A(np.zeros((3, 4), np.float32))
    with pytest.raises(ValueError, match="Cannot broadcast to shape with fewer dimensions"):
        at(x, 0).set(A(np.ones((1, 4), np.float32)))
    with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
        at(x, 0).set(A(np.ones(3, np.float32)))
    # broadcasting over the indexed shape (None dims included)
    ref = np.zeros((3, 4), np.float32)
    ref[:, [1, 2]] = np.array([5, 6], np.float32)
    check(at(x, (slice(None), None, I([1, 2]))).set(A(np.array([[5, 6]], np.float32))), ref)


def test_bool_masks():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    m = x % 3 == 0
    check(getitem(A(x), A(m)), x[m])
    check(getitem(A(x), m), x[m])
    ref = x.copy()
    ref[m] = -1
    check(at(A(x), A(m)).set(-1.0), ref)
    check(getitem(A(x), (A(m[:, 0]), slice(1, 3))), x[m[:, 0], 1:3])
    with pytest.raises(IndexError, match="boolean index did not match shape of indexed array"):
        getitem(A(x), np.ones(4, bool))
    with pytest.raises(IndexError, match=r"got \(3, 5\), expected \[3, 4\]"):
        getitem(A(x), np.ones((3, 5), bool))


def test_bool_mask_under_tracing_raises():
    x = A(np.arange(12, dtype=np.float32).reshape(3, 4))
    with pytest.raises(NonConcreteBooleanIndexError,
                       match=r"Array boolean indices must be concrete; got bool\[3,4\]"):
        tinyjax.make_jaxpr(lambda v: getitem(v, v > 3))(x)
    with pytest.raises(IndexError, match="jnp.where"):
        tinyjax.make_jaxpr(lambda v: at(v, v > 3).set(0.0))(x)
    with pytest.raises(NonConcreteBooleanIndexError, match=r"got bool\[\]"):
        tinyjax.make_jaxpr(lambda v, b: getitem(v, b))(x, A(np.bool_(True)))
    # a concrete mask closed over while tracing is fine
    m = A(np.arange(12).reshape(3, 4) > 8)
    closed = tinyjax.make_jaxpr(lambda v: getitem(v, m))(x)
    assert closed.out_avals[0].shape == (3,)
    assert names(closed)[-1] == "gather"


@pytest.mark.parametrize("idx,exc,match", [
    ((0, 0, 0, 0), IndexError, "Too many indices: array is 3-dimensional, but 4 were indexed"),
    ((X > 1, 0), IndexError, "Too many indices: array is 3-dimensional, but 4 were indexed"),
    (1.0, TypeError, "Indexer must have integer or boolean type, got indexer with type float64"),
    (I([1.0]), TypeError, "Indexer must have integer or boolean type"),
    (A(I([1.0], np.float32)), TypeError, "got indexer with type float32"),
    (slice(0.5, 2), TypeError, "slice indices must be integers or None"),
    (slice(None, None, 0), ValueError, "slice step cannot be zero"),
    ((Ellipsis, Ellipsis), IndexError, "an index can only have a single ellipsis"),
    ("a", TypeError, "does not support string indexing"),
    ([0, 1], TypeError, "Using a non-tuple sequence for multidimensional indexing"),
    ((I([0, 1]), I([0, 1, 2])), ValueError, "Incompatible shapes for broadcasting"),
    ({}, IndexError, "only integers, slices"),
])
def test_getitem_errors(idx, exc, match):
    with pytest.raises(exc, match=match):
        getitem(A(X), idx)
    with pytest.raises(exc, match=match):
        at(A(X), idx).set(0.0)


def test_traced_slice_bounds_error():
    x = A(np.zeros(5, np.float32))
    with pytest.raises(IndexError, match="Slice entries must be static integers"):
        tinyjax.make_jaxpr(lambda v, i: getitem(v, slice(i, 3)))(x, A(np.int32(1)))
    # concrete arrays are fine as slice bounds
    check(getitem(x, slice(A(np.int32(1)), 3)), np.zeros(2, np.float32))


def test_jaxprs():
    x = A(X)
    closed = tinyjax.make_jaxpr(lambda v: getitem(v, (1, slice(None, None, -2), None)))(x)
    assert names(closed) == ["slice", "squeeze", "rev", "broadcast_in_dim"]
    assert closed.out_avals[0].shape == (2, 1, 5)
    closed = tinyjax.make_jaxpr(lambda v: getitem(v, (Ellipsis, 0)))(x)
    assert names(closed) == ["slice", "squeeze"]
    assert "slice[" in str(closed)
    closed = tinyjax.make_jaxpr(lambda v: getitem(v, slice(None)))(x)
    assert names(closed) == []
    closed = tinyjax.make_jaxpr(lambda v, i: getitem(v, i))(x, A(np.int32(1)))
    assert names(closed) == ["lt", "add", "select_n", "dynamic_slice", "squeeze"]
    assert closed.out_avals[0].shape == (4, 5)
    closed = tinyjax.make_jaxpr(lambda v, i: getitem(v, (slice(None), i)))(
        x, A(np.array([0, 3], np.int32)))
    assert names(closed)[-1] == "gather"
    assert closed.out_avals[0].shape == (3, 2, 5)
    assert "mode=GatherScatterMode.PROMISE_IN_BOUNDS" in str(closed)
    closed = tinyjax.make_jaxpr(lambda v, i: at(v, i).add(1.0))(x, A(np.array([0, 0], np.int32)))
    assert names(closed)[-1] == "scatter-add"
    assert closed.out_avals[0].shape == (3, 4, 5)
    assert "mode=GatherScatterMode.FILL_OR_DROP" in str(closed)
    closed = tinyjax.make_jaxpr(lambda v: at(v, 1).set(0.0))(x)
    assert names(closed)[-1] == "scatter"
    assert "indices_are_sorted=True" in str(closed) and "unique_indices=True" in str(closed)
    closed = tinyjax.make_jaxpr(lambda v: at(v, (0, 1)).get(mode="fill"))(x)
    assert names(closed) == ["gather"]
    assert closed.out_avals[0].shape == (5,)
    for op, prim in [("min", "scatter-min"), ("max", "scatter-max"), ("mul", "scatter-mul"),
                     ("subtract", "scatter-sub")]:
        closed = tinyjax.make_jaxpr(lambda v: getattr(at(v, 0), op)(2.0))(x)
        assert names(closed)[-1] == prim


def test_traced_index_values():
    x = A(X)
    idx = np.array([[0, -1], [2, 1]], np.int32)
    closed = tinyjax.make_jaxpr(lambda v, i: getitem(v, (i, slice(None), i)))(x, A(idx))
    assert closed.out_avals[0].shape == (2, 2, 4)
    check(getitem(x, (A(idx), slice(None), A(idx))), X[idx, :, idx])


def test_x64_indices():
    with enable_x64():
        x = np.arange(20, dtype=np.float64).reshape(4, 5)
        idx = np.array([3, -1, 2**40, -2**40], np.int64)
        out = getitem(A(x), A(idx))
        ref = x[[3, 3, 3, 0]]  # beyond the int32 range: clamped, never wrapped
        check(out, ref)
        check(at(A(x), A(idx)).add(1.0), x + (np.arange(4) == 3)[:, None] * 2.0)
        xi = np.arange(6, dtype=np.uint64)
        check(getitem(A(xi), A(np.array([5, 0], np.uint64))), xi[[5, 0]])


# ============================================================================= take & co

@pytest.mark.parametrize("mode", [None, "fill", "clip", "wrap"])
@pytest.mark.parametrize("axis", [None, 0, 1, -1])
def test_take_vs_jax(mode, axis):
    jax = jax_or_skip()
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    idx = np.array([[-13, -1, 3], [10, 12, 0]], np.int32)
    check_vs_jax(take(A(x), A(idx), axis=axis, mode=mode),
                 jax.numpy.take(x, idx, axis=axis, mode=mode))
    check_vs_jax(take(A(x), A(idx), axis=axis, mode=mode, fill_value=-1.0) if mode != "wrap"
                 else take(A(x), A(idx), axis=axis, mode=mode),
                 jax.numpy.take(x, idx, axis=axis, mode=mode,
                                fill_value=-1.0 if mode != "wrap" else None))


def test_take_vs_numpy_and_errors():
    x = np.arange(24, dtype=np.int32).reshape(2, 3, 4)
    idx = np.array([[2, 0], [1, 1]], np.int32)
    for axis in [None, 0, 1, 2, -2]:
        ref = np.take(x, idx if axis is None else idx % x.shape[axis], axis=axis)
        check(take(A(x), A(idx if axis is None else idx % x.shape[axis]), axis=axis), ref)
    check(take(A(x), A(np.zeros((0,), np.int32)), axis=1), np.zeros((2, 0, 4), np.int32))
    check(take(A(x), A(np.int32(5))), np.int32(5))
    with pytest.raises(NotImplementedError, match="The 'raise' mode to jnp.take"):
        take(A(x), A(idx), mode="raise")
    with pytest.raises(ValueError, match="Invalid mode 'bogus'"):
        take(A(x), A(idx), mode="bogus")
    with pytest.raises(TypeError, match="take indices must be of integer type"):
        take(A(x), A(np.ones(2, np.float32)))
    with pytest.raises(IndexError, match="Cannot do a non-empty jnp.take"):
        take(A(np.zeros((0,), np.float32)), A(np.zeros(2, np.int32)))
    closed = tinyjax.make_jaxpr(lambda v, i: take(v, i, axis=1))(A(x), A(idx))
    assert names(closed)[-1] == "gather"
    assert closed.out_avals[0].shape == (2, 2, 2, 4)


@settings(max_examples=25, deadline=None)
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3), seeds, st.data())
def test_take_along_axis_vs_numpy(shape, seed, data):
    shape = tuple(shape)
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    ishape = list(shape)
    ishape[axis] = data.draw(st.integers(0, 5))
    for d in range(len(shape)):
        if d != axis % len(shape) and data.draw(st.booleans()):
            ishape[d] = 1
    n = shape[axis]
    idx = rng.integers(-n, n, size=ishape).astype(np.int32)
    ref = np.take_along_axis(x, np.broadcast_to(idx, np.broadcast_shapes(
        tuple(ishape), tuple(1 if d == axis % len(shape) else s for d, s in enumerate(shape)))),
        axis) if 0 not in ishape else np.zeros(
        np.broadcast_shapes(tuple(ishape), tuple(
            1 if d == axis % len(shape) else s for d, s in enumerate(shape))), np.float32)
    check(take_along_axis(A(x), A(idx), axis), ref)
    # put_along_axis: the inverse (unique positions per line when idx covers the axis)
    v = rng.standard_normal(ishape).astype(np.float32)
    ref = x.copy()
    np.put_along_axis(ref, idx, v, axis)
    if not _line_repeats(idx, axis, n):
        check(put_along_axis(A(x), A(idx), A(v), axis, inplace=False), ref)


def _line_repeats(idx, axis, n):
    if idx.size == 0:
        return False
    moved = np.moveaxis(idx % n, axis, -1).reshape(-1, idx.shape[axis])
    return any(len(np.unique(r)) != len(r) for r in moved)


def test_take_along_axis_vs_jax():
    jax = jax_or_skip()
    b = np.random.default_rng(0).standard_normal((3, 4, 5)).astype(np.float32)
    cases = []
    for axis in [0, 1, 2, -1, None]:
        for ishape in [(3, 4, 5), (1, 4, 5), (3, 1, 5), (3, 4, 1), (1, 1, 7), (2, 4, 5)]:
            if axis is None:
                ishape = (7,)
            idx = np.random.default_rng(1).integers(-7, 7, size=ishape).astype(np.int32)
            other = tuple(1 if d == axis % 3 else s for d, s in enumerate(b.shape)) \
                if axis is not None else (1,)
            try:
                np.broadcast_shapes(ishape, other)
            except ValueError:
                with pytest.raises(ValueError, match="Incompatible shapes for broadcasting"):
                    take_along_axis(A(b), A(idx), axis)
                continue
            for mode in [None, "clip", "fill", "promise_in_bounds"]:
                cases.append((idx, axis, mode))
    jouts = jax.jit(lambda v: [jax.numpy.take_along_axis(v, i, ax, mode=m)
                               for i, ax, m in cases])(b)
    for (idx, axis, mode), jout in zip(cases, jouts):
        check_vs_jax(take_along_axis(A(b), A(idx), axis, mode=mode), jout)
    closed = tinyjax.make_jaxpr(lambda v, i: take_along_axis(v, i, 1))(
        A(b), A(np.zeros((3, 2, 5), np.int32)))
    assert names(closed)[-1] == "gather"
    assert "operand_batching_dims=(0, 2)" in str(closed)
    assert closed.out_avals[0].shape == (3, 2, 5)


def test_take_along_axis_errors():
    x = A(np.zeros((3, 4), np.float32))
    with pytest.raises(TypeError, match="take_along_axis indices must be of integer type"):
        take_along_axis(x, A(np.zeros((3, 4), np.float32)), 1)
    with pytest.raises(ValueError, match="indices and arr must have the same number of dim"):
        take_along_axis(x, A(np.zeros(4, np.int32)), 1)
    with pytest.raises(ValueError, match="must be 1D if axis=None"):
        take_along_axis(x, A(np.zeros((3, 4), np.int32)), None)


def test_put_vs_jax():
    jax = jax_or_skip()
    a = np.arange(10, dtype=np.float32)
    i = np.array([-11, -1, 3, 10, 12], np.int32)
    m = np.ones((3, 3), np.float32)
    i2 = np.array([1, 5, 8], np.int32)
    vs = [np.array([7.0, 8.0], np.float32), np.array([7.0, 8.0, 9.0, 1.0], np.float32)]

    def results(put_fn, a, m, vs):
        return ([put_fn(a, i, 5.0, mode=mode, inplace=False) for mode in [None, "clip", "wrap"]]
                + [put_fn(m, i2, v, inplace=False) for v in vs])

    jouts = jax.jit(lambda a, m, vs: results(jax.numpy.put, a, m, vs))(a, m, vs)
    outs = results(lambda x, j, v, **kw: put(x, A(j), v, **kw), A(a), A(m), [A(v) for v in vs])
    for out, jout in zip(outs, jouts):
        check_vs_jax(out, jout)


def test_put_and_put_along_axis_errors_and_numpy():
    a = np.arange(12, dtype=np.int32).reshape(3, 4)
    ref = a.copy()
    np.put(ref, [0, 5, 11], [-1, -2, -3])
    check(put(A(a), A(np.array([0, 5, 11], np.int32)), A(np.array([-1, -2, -3], np.int32)),
              inplace=False), ref)
    with pytest.raises(ValueError, match="jax.numpy.put cannot modify arrays in-place"):
        put(A(a), A(np.array([0], np.int32)), 1)
    with pytest.raises(ValueError, match="mode should be one of 'wrap' or 'clip'"):
        put(A(a), A(np.array([0], np.int32)), 1, mode="bogus", inplace=False)
    with pytest.raises(ValueError, match="put_along_axis cannot modify arrays in-place"):
        put_along_axis(A(a), A(np.zeros((3, 1), np.int32)), 1, 1)
    with pytest.raises(ValueError, match="'values' must be broadcastable to 'indices'"):
        put_along_axis(A(a), A(np.zeros((3, 1), np.int32)), A(np.ones(4, np.int32)), 1,
                       inplace=False)
    with pytest.raises(ValueError, match="must have same ndim"):
        put_along_axis(A(a), A(np.zeros(3, np.int32)), 1, 1, inplace=False)
    ref = a.copy()
    np.put_along_axis(ref, np.array([[3], [0], [1]]), 9, 1)
    check(put_along_axis(A(a), A(np.array([[3], [0], [1]], np.int32)), 9, 1, inplace=False), ref)
    ref = a.copy().ravel()
    np.put_along_axis(ref, np.array([0, 7]), 9, None)
    check(put_along_axis(A(a), A(np.array([0, 7], np.int32)), 9, None, inplace=False),
          ref.reshape(3, 4))
