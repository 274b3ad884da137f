"""Shape primitives (tinyjax/lax/shapes.py): broadcast_in_dim, reshape, squeeze,
expand_dims, transpose, rev, pad, concatenate, iota, collapse, full, full_like.

Every op is checked against an independent reference (a Python loop over output
indices or NumPy) and, where JAX is installed, against jax.lax itself: values
(bit for bit), dtype and weak type, error types and messages, and the
equations / params / output avals of make_jaxpr.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.array import Array
from tinyjax.core.config import enable_x64

DTYPES = [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32,
          np.float16, np.float32, np.bool_]
NUMERIC = [d for d in DTYPES if d is not np.bool_]
X64_DTYPES = [np.int64, np.uint64, np.float64]

SETTINGS = settings(max_examples=25, deadline=None)

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
dtypes_ = st.sampled_from(DTYPES)
seeds = st.integers(0, 2**32 - 1)


def rand(seed, shape, dtype):
    """Random values of `dtype`, including extremes, signed zeros, inf and nan."""
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        return np.asarray(rng.integers(info.min, info.max, size=shape, dtype=dtype,
                                       endpoint=True))
    x = np.asarray(rng.standard_normal(shape) * 100).astype(dtype)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan, 1.5], dtype)
    mask = rng.random(shape) < 0.2
    x[mask] = rng.choice(special, size=int(mask.sum()))
    return x


def bits(a):
    """An array's bit pattern, so that nan == nan and -0.0 != 0.0."""
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return a.view(np.dtype(f"u{a.dtype.itemsize}"))
    return a


def check(out, ref, dtype=None, weak=False):
    """`out` is a tinyjax Array equal bit for bit to `ref`, with the given dtype/weak type."""
    assert isinstance(out, Array), type(out)
    if dtype is None:
        assert isinstance(ref, (np.ndarray, np.generic)), "give the dtype of a list reference"
        dtype = ref.dtype
    ref = np.asarray(ref)
    dtype = np.dtype(dtype)
    assert out.dtype == dtype, (out.dtype, dtype)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert out.weak_type == weak
    np.testing.assert_array_equal(bits(out), bits(ref.astype(dtype)))


def check_vs_jax(out, jout):
    """Same values (bitwise), shape, dtype and weak type as a jax.Array."""
    assert out.shape == jout.shape, (out.shape, jout.shape)
    assert out.dtype == jout.dtype, (out.dtype, jout.dtype)
    assert out.weak_type == jout.weak_type, (out.weak_type, jout.weak_type)
    np.testing.assert_array_equal(bits(out), bits(np.asarray(jout)))


def jax_or_skip():
    return pytest.importorskip("jax")


def loop_ref(out_shape, dtype, source):
    """Reference by a Python loop: out[idx] = source(idx)."""
    out = np.empty(out_shape, dtype)
    for idx in np.ndindex(*out_shape):
        out[idx] = source(idx)
    return out


# ----------------------------------------------------------------------------- strategies

@st.composite
def broadcast_cases(draw):
    in_shape = draw(st.lists(st.sampled_from([0, 1, 1, 2, 3]), max_size=3).map(tuple))
    out_rank = len(in_shape) + draw(st.integers(0, 2))
    dims = tuple(draw(st.permutations(range(out_rank)))[:len(in_shape)])
    out_shape = [draw(st.integers(0, 3)) for _ in range(out_rank)]
    for i, d in enumerate(dims):
        if in_shape[i] != 1 or draw(st.booleans()):
            out_shape[d] = in_shape[i]
    return in_shape, tuple(out_shape), dims


def _factorizations(n, k, draw):
    """A random shape of rank k with product n."""
    if n == 0:
        shape = [draw(st.integers(0, 3)) for _ in range(k)]
        shape[draw(st.integers(0, k - 1))] = 0
        return tuple(shape)
    shape = [1] * k
    m, p = n, 2
    primes = []
    while m > 1:
        while m % p == 0:
            primes.append(p)
            m //= p
        p += 1
    for q in primes:
        shape[draw(st.integers(0, k - 1))] *= q
    return tuple(shape)


@st.composite
def reshape_cases(draw):
    in_shape = draw(shapes)
    size = int(np.prod(in_shape))
    k = draw(st.integers(1 if size != 1 else 0, 4)) if size else draw(st.integers(1, 4))
    new_sizes = _factorizations(size, k, draw) if k else ()
    dims = draw(st.none() | st.permutations(range(len(in_shape))).map(tuple))
    return in_shape, new_sizes, dims


@st.composite
def pad_cases(draw):
    in_shape = draw(st.lists(st.integers(0, 4), max_size=3).map(tuple))
    config = []
    for d in in_shape:
        lo, hi, interior = draw(st.integers(-4, 3)), draw(st.integers(-4, 3)), draw(
            st.integers(0, 2))
        dil = 0 if d == 0 else 1 + (interior + 1) * (d - 1)
        if lo + hi + dil < 0:
            hi = -lo - dil + draw(st.integers(0, 1))
        config.append((lo, hi, interior))
    return in_shape, tuple(config)


def pad_ref(x, pv, config):
    """XLA's pad, element by element: output index o in a dimension reads the
    interior-dilated operand at o - low, when that lands on an operand element."""
    out_shape = tuple(lo + hi + (0 if d == 0 else 1 + (i + 1) * (d - 1))
                      for (lo, hi, i), d in zip(config, x.shape))

    def source(idx):
        src = []
        for o, (lo, _, i), d in zip(idx, config, x.shape):
            j = o - lo
            if j < 0 or j % (i + 1) or j // (i + 1) >= d:
                return pv
            src.append(j // (i + 1))
        return x[tuple(src)]

    return loop_ref(out_shape, x.dtype, source)


# ----------------------------------------------------------------------------- broadcast_in_dim

@SETTINGS
@given(broadcast_cases(), dtypes_, seeds)
def test_broadcast_in_dim_vs_loop(case, dtype, seed):
    in_shape, out_shape, dims = case
    x = rand(seed, in_shape, dtype)
    ref = loop_ref(out_shape, x.dtype, lambda idx: x[tuple(
        0 if in_shape[i] == 1 else idx[d] for i, d in enumerate(dims))])
    check(lax.broadcast_in_dim(x, out_shape, dims), ref)


@SETTINGS
@given(broadcast_cases(), dtypes_, seeds)
def test_broadcast_in_dim_vs_jax(case, dtype, seed):
    jax = jax_or_skip()
    in_shape, out_shape, dims = case
    if in_shape == out_shape and dims != tuple(range(len(dims))):
        # JAX 0.10 forwards the operand whenever the shapes agree, dropping the
        # transpose that broadcast_dimensions asks for (StableHLO's semantics,
        # which tinyjax keeps: see test_broadcast_in_dim_vs_loop).
        return
    x = rand(seed, in_shape, dtype)
    check_vs_jax(lax.broadcast_in_dim(x, out_shape, dims),
                 jax.lax.broadcast_in_dim(x, out_shape, dims))


def test_broadcast_in_dim_transposes_when_shapes_agree():
    x = np.arange(4, dtype=np.int32).reshape(2, 2)
    check(lax.broadcast_in_dim(x, (2, 2), (1, 0)), x.T)
    jaxpr = tinyjax.make_jaxpr(lambda x: lax.broadcast_in_dim(x, (2, 2), (1, 0)))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["broadcast_in_dim"]


def test_broadcast_in_dim_weak_scalar_and_identity():
    out = lax.broadcast_in_dim(2.5, (2, 3), ())
    check(out, np.full((2, 3), 2.5, np.float32), weak=True)
    x = lax.broadcast_in_dim(np.ones(3, np.int8), (3,), (0,))  # bound: operand is NumPy
    assert lax.broadcast_in_dim(x, (3,), (0,)) is x  # an Array: forwarded as in JAX
    check(lax.broadcast_in_dim(True, (2,), ()), np.array([True, True]))


@SETTINGS
@given(shapes, st.lists(st.integers(0, 3), max_size=2).map(tuple), dtypes_, seeds)
def test_broadcast_and_broadcast_to_rank(shape, sizes, dtype, seed):
    x = rand(seed, shape, dtype)
    check(lax.broadcast(x, sizes), np.broadcast_to(x, sizes + shape))
    rank = len(shape) + len(sizes)
    check(lax.broadcast_to_rank(x, rank), x.reshape((1,) * len(sizes) + shape))
    jax = pytest.importorskip("jax")
    check_vs_jax(lax.broadcast(x, sizes), jax.lax.broadcast(x, sizes))
    check_vs_jax(lax.broadcast_to_rank(x, rank), jax.lax.broadcast_to_rank(x, rank))


# ----------------------------------------------------------------------------- reshape, collapse

@SETTINGS
@given(reshape_cases(), dtypes_, seeds)
def test_reshape_vs_numpy_and_jax(case, dtype, seed):
    in_shape, new_sizes, dims = case
    x = rand(seed, in_shape, dtype)
    ref = np.reshape(x if dims is None else np.transpose(x, dims), new_sizes)
    out = lax.reshape(x, new_sizes, dims)
    check(out, ref)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.reshape(x, new_sizes, dims))


def test_reshape_dimensions_transpose_first():
    x = np.arange(6, dtype=np.int32).reshape(2, 3)
    check(lax.reshape(x, (6,), (1, 0)), [0, 3, 1, 4, 2, 5], np.int32)
    check(lax.reshape(x, (3, 2), [1, 0]), [[0, 3], [1, 4], [2, 5]], np.int32)
    check(lax.reshape(1.0, (1, 1)), [[1.0]], np.float32, weak=True)
    check(lax.reshape(np.zeros((0, 3), np.uint8), (3, 0, 5)), np.zeros((3, 0, 5), np.uint8))


@SETTINGS
@given(shapes, st.integers(-5, 5), st.none() | st.integers(-5, 5), dtypes_, seeds)
def test_collapse(shape, start, stop, dtype, seed):
    x = rand(seed, shape, dtype)
    lo, hi, _ = slice(start, stop).indices(len(shape))
    if hi < lo:
        with pytest.raises(ValueError, match="Invalid dimension range passed to collapse"):
            lax.collapse(x, start, stop)
        return
    ref = x.reshape(shape[:lo] + (int(np.prod(shape[lo:hi])),) + shape[hi:])
    out = lax.collapse(x, start, stop)
    check(out, ref)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.collapse(jax.numpy.asarray(x), start, stop))


# ----------------------------------------------------------------------------- squeeze, expand_dims

@st.composite
def squeeze_cases(draw):
    shape = draw(st.lists(st.sampled_from([0, 1, 1, 2, 3]), max_size=4).map(tuple))
    ones = [i for i, d in enumerate(shape) if d == 1]
    chosen = draw(st.lists(st.sampled_from(ones), unique=True)) if ones else []
    dims = tuple(d - len(shape) if draw(st.booleans()) else d for d in chosen)
    return shape, dims


@SETTINGS
@given(squeeze_cases(), dtypes_, seeds)
def test_squeeze(case, dtype, seed):
    shape, dims = case
    x = rand(seed, shape, dtype)
    out = lax.squeeze(x, dims)
    check(out, np.squeeze(x, axis=dims) if dims else x)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.squeeze(x, dims))


@st.composite
def expand_cases(draw):
    shape = draw(st.lists(st.integers(0, 3), max_size=3).map(tuple))
    k = draw(st.integers(0, 3))
    n = len(shape) + k
    pos = draw(st.permutations(range(n)))[:k]
    dims = tuple(p - n if draw(st.booleans()) else p for p in pos)
    return shape, dims


@SETTINGS
@given(expand_cases(), dtypes_, seeds)
def test_expand_dims(case, dtype, seed):
    shape, dims = case
    x = rand(seed, shape, dtype)
    out = lax.expand_dims(x, dims)
    check(out, np.expand_dims(x, dims))
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.expand_dims(x, dims))


def test_expand_dims_traces_to_broadcast_in_dim():
    jaxpr = tinyjax.make_jaxpr(lambda x: lax.expand_dims(x, (0, 2)))(np.ones((2, 3)))
    (eqn,) = jaxpr.eqns
    assert eqn.primitive.name == "broadcast_in_dim"
    assert eqn.params["broadcast_dimensions"] == (1, 3)
    assert jaxpr.out_avals[0].shape == (1, 2, 1, 3)


# ----------------------------------------------------------------------------- transpose, rev

@st.composite
def perm_cases(draw):
    shape = draw(shapes)
    return shape, tuple(draw(st.permutations(range(len(shape)))))


@SETTINGS
@given(perm_cases(), dtypes_, seeds)
def test_transpose(case, dtype, seed):
    shape, perm = case
    x = rand(seed, shape, dtype)
    ref = loop_ref(tuple(shape[p] for p in perm), x.dtype,
                   lambda idx: x[tuple(idx[perm.index(i)] for i in range(len(shape)))])
    out = lax.transpose(x, perm)
    check(out, ref)
    check(lax.transpose(x, np.array(perm, dtype=np.int64)), ref)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.transpose(x, perm))


@st.composite
def rev_cases(draw):
    shape = draw(shapes)
    dims = draw(st.lists(st.integers(0, max(len(shape) - 1, 0)), unique=True,
                         max_size=len(shape)).map(tuple))
    return shape, dims


@SETTINGS
@given(rev_cases(), dtypes_, seeds)
def test_rev(case, dtype, seed):
    shape, dims = case
    x = rand(seed, shape, dtype)
    ref = x[tuple(slice(None, None, -1) if i in dims else slice(None) for i in range(len(shape)))]
    out = lax.rev(x, dims)
    check(out, ref)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.rev(x, dims))


# ----------------------------------------------------------------------------- pad

@SETTINGS
@given(pad_cases(), dtypes_, seeds)
def test_pad_vs_loop_and_jax(case, dtype, seed):
    in_shape, config = case
    x = rand(seed, in_shape, dtype)
    pv = rand(seed + 1, (), dtype)
    out = lax.pad(x, pv, config)
    check(out, pad_ref(x, pv, config))
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.pad(x, pv, config))


def test_pad_examples_and_weak_types():
    x = np.array([1, 2, 3, 4, 5], np.int32)
    i32 = np.int32
    check(lax.pad(x, 0, [(-1, -2, 0)]), [2, 3], i32)
    check(lax.pad(x[:4], 0, [(0, 0, 1)]), [1, 0, 2, 0, 3, 0, 4], i32)
    check(lax.pad(x[:3], -9, [(1, -1, 1)]), [-9, 1, -9, 2, -9], i32)
    check(lax.pad(x[:2], 7, [(-4, 3, 0)]), [7], i32)  # low crops into the high padding
    check(lax.pad(np.zeros((0,), np.int32), 1, [(2, 1, 3)]), [1, 1, 1], i32)
    check(lax.pad(3.0, 0.0, []), np.float32(3.0), weak=True)
    check(lax.pad(np.float32(3.0), 0.0, []), np.float32(3.0))  # weak only if both are
    check(lax.pad(np.array([True]), False, [(1, 0, 0)]), [False, True], np.bool_)


# ----------------------------------------------------------------------------- concatenate

@st.composite
def concat_cases(draw):
    rank = draw(st.integers(1, 3))
    base = [draw(st.integers(0, 3)) for _ in range(rank)]
    dim = draw(st.integers(0, rank - 1))
    n = draw(st.integers(1, 4))
    out = []
    for _ in range(n):
        s = list(base)
        s[dim] = draw(st.integers(0, 3))
        out.append(tuple(s))
    return out, dim


@SETTINGS
@given(concat_cases(), dtypes_, seeds)
def test_concatenate(case, dtype, seed):
    shapes_, dim = case
    xs = [rand(seed + i, s, dtype) for i, s in enumerate(shapes_)]
    out = lax.concatenate(xs, dim)
    check(out, np.concatenate(xs, axis=dim))
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.concatenate(xs, dim))


def test_concatenate_single_and_weak():
    x = lax.full((2,), 1.0)
    assert lax.concatenate([x], 0) is x
    check(lax.concatenate((x, x), 0), np.ones(4, np.float32), weak=True)
    check(lax.concatenate([x, np.zeros(1, np.float32)], 0), [1, 1, 0], np.float32)


# ----------------------------------------------------------------------------- iota

@SETTINGS
@given(st.lists(st.integers(0, 4), min_size=1, max_size=3).map(tuple),
       st.data(), st.sampled_from(NUMERIC))
def test_broadcasted_iota(shape, data, dtype):
    dim = data.draw(st.integers(0, len(shape) - 1))
    ref = loop_ref(shape, dtype, lambda idx: idx[dim])
    out = lax.broadcasted_iota(dtype, shape, dim)
    check(out, ref, dtype)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.broadcasted_iota(dtype, shape, dim))


@pytest.mark.parametrize("dtype,size", [(np.uint8, 300), (np.int8, 300), (np.float16, 3000),
                                        (np.float16, 70000), (np.int32, 0), (np.float32, 5),
                                        (int, 4), (float, 4)])
def test_iota_wraps_and_rounds(dtype, size):
    out = lax.iota(dtype, size)
    dt = tinyjax.core.dtypes.canonicalize_dtype(dtype)
    with np.errstate(over="ignore"):  # float16 overflows to inf past 65504, as expected
        want = np.arange(size, dtype=np.int64).astype(dt)
    check(out, want, dt)
    jax = pytest.importorskip("jax")
    check_vs_jax(out, jax.lax.iota(dtype, size))


# ----------------------------------------------------------------------------- full, full_like

FILLS = [0, 1, -1, 300, 2**40, 2.5, -2.7, 0.1, float("inf"), float("nan"), True, False,
         np.float32(1.5), np.int8(-3), np.uint16(7), np.bool_(True), np.float16(0.5),
         np.array(4, np.int16)]


@pytest.mark.parametrize("fill", FILLS, ids=repr)
@pytest.mark.parametrize("dtype", [None] + DTYPES)
def test_full_vs_jax(fill, dtype):
    jax = jax_or_skip()
    shape = (2, 3)
    out = lax.full(shape, fill, dtype)
    check_vs_jax(out, jax.lax.full(shape, fill, dtype))
    x = np.zeros((3,), np.int16)
    check_vs_jax(lax.full_like(x, fill, dtype), jax.lax.full_like(x, fill, dtype))
    check_vs_jax(lax.full_like(2.0, fill, dtype, (1, 2)),
                 jax.lax.full_like(2.0, fill, dtype, (1, 2)))


def test_full_and_full_like_vs_numpy():
    check(lax.full((2, 3), 1.5), np.full((2, 3), 1.5, np.float32), weak=True)
    check(lax.full((), 7), np.int32(7), weak=True)
    check(lax.full(3, True), np.ones(3, bool))
    check(lax.full((0, 2), 1.0, np.float16), np.zeros((0, 2), np.float16))
    check(lax.full((2,), 2.7, np.int32), [2, 2], np.int32)  # truncates toward zero
    check(lax.full((2,), -2.7, np.uint8), [0, 0], np.uint8)  # saturates
    check(lax.full((2,), float("nan"), np.int32), [0, 0], np.int32)
    check(lax.full((2,), 300, np.int8), [44, 44], np.int8)  # Python ints wrap, as in JAX
    check(lax.full((2,), -1, np.uint8), [255, 255], np.uint8)
    # XLA's conversion for NumPy float scalars too (JAX 0.10 casts those with
    # NumPy, whose out-of-range float -> int cast is undefined: INT_MIN here).
    check(lax.full((2,), np.float32(1e10), np.int32), [2**31 - 1] * 2, np.int32)
    x = np.arange(4, dtype=np.uint16).reshape(2, 2)
    check(lax.full_like(x, 9), np.full((2, 2), 9, np.uint16))
    check(lax.full_like(x, 9, np.float32, (3,)), np.full(3, 9, np.float32))
    check(lax.full_like(1.0, 2), np.float32(2), weak=True)
    check(lax.full_like(lax.full((2,), 1.0), 3), [3, 3], np.float32, weak=True)
    check(lax.zeros_like_array(x), np.zeros((2, 2), np.uint16))
    check(lax.zeros_like_array(lax.full((2,), 1.0)), [0, 0], np.float32, weak=True)


def test_full_traced_fill_value():
    def f(v):
        return lax.full((2, 2), v), lax.full((3,), v, np.int32)
    jaxpr = tinyjax.make_jaxpr(f)(np.float32(1.5))
    assert [e.primitive.name for e in jaxpr.eqns] == [
        "broadcast_in_dim", "convert_element_type", "broadcast_in_dim"]
    a, b = f(np.float32(1.5))
    check(a, np.full((2, 2), 1.5, np.float32))
    check(b, np.full(3, 1, np.int32))


# ----------------------------------------------------------------------------- x64

@pytest.mark.parametrize("dtype", X64_DTYPES)
def test_x64_dtypes(dtype):
    with enable_x64():
        x = rand(0, (2, 3), dtype)
        check(lax.transpose(x, (1, 0)), x.T)
        check(lax.reshape(x, (3, 2)), x.reshape(3, 2))
        check(lax.broadcast_in_dim(x, (4, 2, 3), (1, 2)), np.broadcast_to(x, (4, 2, 3)))
        check(lax.pad(x, dtype(0), ((1, -1, 1), (0, 2, 0))),
              pad_ref(x, dtype(0), ((1, -1, 1), (0, 2, 0))))
        check(lax.concatenate([x, x], 1), np.concatenate([x, x], 1))
        check(lax.rev(x, (0, 1)), x[::-1, ::-1])
        check(lax.iota(dtype, 5), np.arange(5, dtype=dtype))
        check(lax.full((2,), 2**40, dtype), np.full(2, 2**40, dtype))
        check(lax.full((2,), 1.5), np.full(2, 1.5), np.float64, weak=True)
        check(lax.full((2,), 1), np.full(2, 1), np.int64, weak=True)
        jax = pytest.importorskip("jax")
        with jax.enable_x64(True):
            check_vs_jax(lax.pad(x, dtype(0), ((1, -1, 1), (0, 2, 0))),
                         jax.lax.pad(x, dtype(0), ((1, -1, 1), (0, 2, 0))))
            check_vs_jax(lax.full((2,), 1.5), jax.lax.full((2,), 1.5))
            check_vs_jax(lax.iota(dtype, 5), jax.lax.iota(dtype, 5))
    # back to 32 bits: 64-bit requests are canonicalized
    check(lax.iota(np.int64, 3), np.arange(3, dtype=np.int32))


# ----------------------------------------------------------------------------- errors

X = np.ones((2, 3), np.float32)
H = np.ones((2,), np.float16)

# (id, call(lax_module)) pairs that raise in both tinyjax and JAX with the same
# exception type and the same first line (tinyjax may add a hint or a period).
ERROR_CASES = [
    ("reshape_negative", lambda L: L.reshape(X, (-1, 6))),
    ("reshape_dims_dup", lambda L: L.reshape(X, (6,), (0, 0))),
    ("reshape_dims_short", lambda L: L.reshape(X, (6,), (0,))),
    ("reshape_float_shape", lambda L: L.reshape(X, (6.0,))),
    ("bid_dims_len", lambda L: L.broadcast_in_dim(X, (2, 3), (0,))),
    ("bid_rank", lambda L: L.broadcast_in_dim(X, (3,), (0, 1))),
    ("bid_sizes", lambda L: L.broadcast_in_dim(X, (2, 4), (0, 1))),
    ("bid_subset", lambda L: L.broadcast_in_dim(X, (2, 3, 3), (0, 3))),
    ("bid_dup", lambda L: L.broadcast_in_dim(np.ones((3, 3)), (3, 3), (0, 0))),
    ("bid_neg_shape", lambda L: L.broadcast_in_dim(X, (2, -3), (0, 1))),
    ("bid_neg_dims", lambda L: L.broadcast_in_dim(X, (2, 3, 4), (-3, -2))),
    ("broadcast_neg", lambda L: L.broadcast(X, (-1,))),
    ("squeeze_not_one", lambda L: L.squeeze(X, (0,))),
    ("squeeze_oob", lambda L: L.squeeze(X, (2,))),
    ("squeeze_dup", lambda L: L.squeeze(np.ones((1, 3)), (0, 0))),
    ("squeeze_dup_neg", lambda L: L.squeeze(np.ones((1, 3)), (0, -2))),
    ("squeeze_scalar", lambda L: L.squeeze(np.float32(1), (0,))),
    ("expand_dup", lambda L: L.expand_dims(X, (0, 0))),
    ("expand_dup_canon", lambda L: L.expand_dims(X, (0, -4))),
    ("expand_oob", lambda L: L.expand_dims(X, (5,))),
    ("transpose_short", lambda L: L.transpose(X, (0,))),
    ("transpose_dup", lambda L: L.transpose(X, (0, 0))),
    ("transpose_neg", lambda L: L.transpose(X, (-1, 0))),
    ("rev_dup", lambda L: L.rev(X, (0, 0))),
    ("rev_oob", lambda L: L.rev(X, (2,))),
    ("rev_neg", lambda L: L.rev(X, (-1,))),
    ("pad_config_len", lambda L: L.pad(X, np.float32(0), ((1, 1, 0),))),
    ("pad_interior_neg", lambda L: L.pad(X, np.float32(0), ((1, 1, -1), (0, 0, 0)))),
    ("pad_negative_size", lambda L: L.pad(X, np.float32(0), ((-3, 0, 0), (0, 0, 0)))),
    ("pad_dtype_weak_int", lambda L: L.pad(X, 0, ((1, 1, 0), (0, 0, 0)))),
    ("pad_dtype_f16", lambda L: L.pad(X, np.float16(0), ((1, 1, 0), (0, 0, 0)))),
    ("pad_dtype_i8", lambda L: L.pad(np.ones(2, np.int8), 0, ((1, 1, 0),))),
    ("pad_value_shape", lambda L: L.pad(X, np.zeros(2, np.float32), ((1, 1, 0), (0, 0, 0)))),
    ("concat_empty", lambda L: L.concatenate([], 0)),
    ("concat_rank", lambda L: L.concatenate([H, H[None]], 0)),
    ("concat_rank_scalar", lambda L: L.concatenate([H, 1.0], 0)),
    ("concat_oob", lambda L: L.concatenate([H, H], 1)),
    ("concat_neg", lambda L: L.concatenate([H, H], -1)),
    ("concat_scalars", lambda L: L.concatenate([np.float32(1), np.float32(1)], 0)),
    ("concat_shapes", lambda L: L.concatenate([X, X[:1, :2]], 0)),
    ("concat_dtypes", lambda L: L.concatenate([H, np.ones(2, np.float32)], 0)),
    ("iota_dim", lambda L: L.broadcasted_iota(np.int32, (2, 3), 2)),
    ("iota_dim_neg", lambda L: L.broadcasted_iota(np.int32, (2, 3), -1)),
    ("iota_scalar", lambda L: L.broadcasted_iota(np.int32, (), 0)),
    ("iota_neg_size", lambda L: L.iota(np.int32, -1)),
    ("full_nonscalar", lambda L: L.full((2,), np.ones(2))),
    ("full_neg_shape", lambda L: L.full((2, -1), 1.5)),
    ("full_like_nonscalar", lambda L: L.full_like(X, np.ones(2))),
    ("collapse_range", lambda L: L.collapse(np.ones((2, 3, 4)), 2, 1)),
]


def _first_line(e):
    return str(e).split("\n")[0].rstrip(" .")


@pytest.mark.parametrize("name,call", ERROR_CASES, ids=[c[0] for c in ERROR_CASES])
def test_errors_match_jax(name, call):
    jax = jax_or_skip()
    with pytest.raises(Exception) as jexc:
        call(jax.lax)
    with pytest.raises(jexc.type) as exc:
        call(lax)
    assert _first_line(exc.value).startswith(_first_line(jexc.value)), (
        str(exc.value), str(jexc.value))


def test_error_messages_name_shapes():
    # Our own checks, with or without JAX (several stricter than JAX's).
    with pytest.raises(TypeError, match=r"reshape total size must be unchanged, got new_sizes "
                                        r"\(5,\) for shape \(2, 3\)\."):
        lax.reshape(X, (5,))
    with pytest.raises(TypeError, match=r"does not infer a -1 dimension"):
        lax.reshape(X, (-1,))
    with pytest.raises(TypeError, match=r"iota does not accept dtype bool"):
        lax.iota(np.bool_, 3)
    with pytest.raises(TypeError, match=r"broadcast_in_dim operand dimension sizes must either "
                                        r"be 1.*\(2, 3\), target broadcast shape \(2, 4\)"):
        lax.broadcast_in_dim(X, (2, 4), (0, 1))
    with pytest.raises(TypeError, match=r"pad operand and padding_value must be same dtype: "
                                        r"got float32 and int32"):
        lax.pad(X, 0, ((0, 0, 0), (0, 0, 0)))
    with pytest.raises(TypeError, match=r"padding_config must be a sequence of \(low, high, "
                                        r"interior\)"):
        lax.pad(X, 0.0, ((0, 0), (0, 0)))
    with pytest.raises(TypeError, match="not support complex"):
        lax.iota(np.complex64, 3)
    # the user's line is named
    with pytest.raises(TypeError, match=r"test_lax_shapes.py:\d+"):
        lax.transpose(X, (0,))


def test_errors_at_trace_time_and_static_params():
    with pytest.raises(TypeError, match="reshape total size must be unchanged"):
        tinyjax.make_jaxpr(lambda x: lax.reshape(x, (7,)))(X)
    with pytest.raises(TypeError, match="Abstract tracer value"):
        tinyjax.make_jaxpr(lambda x, n: lax.broadcast(x, (n,)))(X, 3)
    with pytest.raises(TypeError, match="Abstract tracer value"):
        tinyjax.make_jaxpr(lambda n: lax.iota(np.int32, n))(3)


def test_padding_config_lists_accepted():
    # JAX needs tuples here (it hashes the params); tinyjax canonicalizes lists.
    check(lax.pad(np.arange(2, dtype=np.int32), 0, [[1, 0, 1]]), [0, 0, 0, 1], np.int32)


# ----------------------------------------------------------------------------- jaxprs

J = np.arange(6, dtype=np.float32).reshape(2, 3)
JAXPR_CASES = [
    ("bid", lambda L, x: L.broadcast_in_dim(x, (4, 2, 3), (1, 2)), (J,)),
    ("bid_transposing", lambda L, x: L.broadcast_in_dim(x, (3, 5, 2), (2, 0)), (J,)),
    ("bid_identity", lambda L, x: L.broadcast_in_dim(x, (2, 3), (0, 1)), (J,)),
    ("bid_identity_numpy", lambda L, x: L.broadcast_in_dim(J, (2, 3), (0, 1)), (J,)),
    ("expand_dims_numpy", lambda L, x: L.expand_dims(J, ()), (J,)),
    ("transpose_numpy", lambda L, x: L.transpose(J, (0, 1)), (J,)),
    ("bid_weak_scalar", lambda L, x: L.broadcast_in_dim(x, (2,), ()), (1.0,)),
    ("broadcast", lambda L, x: L.broadcast(x, (5,)), (J,)),
    ("broadcast_to_rank", lambda L, x: L.broadcast_to_rank(x, 4), (J,)),
    ("reshape", lambda L, x: L.reshape(x, (3, 2)), (J,)),
    ("reshape_dims", lambda L, x: L.reshape(x, (3, 2), (1, 0)), (J,)),
    ("reshape_identity_dims", lambda L, x: L.reshape(x, (3, 2), (0, 1)), (J,)),
    ("reshape_same", lambda L, x: L.reshape(x, (2, 3)), (J,)),
    ("reshape_scalar", lambda L, x: L.reshape(x, ()), (np.float32(1),)),
    ("collapse", lambda L, x: L.collapse(x, 0, 2), (J,)),
    ("squeeze", lambda L, x: L.squeeze(x, (-1, 0)), (np.ones((1, 3, 1), np.int8),)),
    ("squeeze_none", lambda L, x: L.squeeze(x, ()), (J,)),
    ("expand_dims", lambda L, x: L.expand_dims(x, (0, -1)), (J,)),
    ("expand_dims_none", lambda L, x: L.expand_dims(x, ()), (J,)),
    ("transpose", lambda L, x: L.transpose(x, (1, 0)), (J,)),
    ("transpose_identity", lambda L, x: L.transpose(x, (0, 1)), (J,)),
    ("rev", lambda L, x: L.rev(x, (1,)), (J,)),
    ("rev_none", lambda L, x: L.rev(x, ()), (J,)),
    ("pad", lambda L, x: L.pad(x, 0.0, ((1, -1, 2), (0, 0, 0))), (J,)),
    ("pad_weak", lambda L, x: L.pad(x, 0.0, ()), (2.0,)),
    ("concatenate", lambda L, x: L.concatenate([x, x, x], 1), (J,)),
    ("concatenate_one", lambda L, x: L.concatenate([x], 0), (J,)),
    ("iota", lambda L, x: L.iota(np.uint8, 4), (J,)),
    ("broadcasted_iota", lambda L, x: L.broadcasted_iota(np.float16, (2, 3), 1), (J,)),
    ("full", lambda L, x: L.full((2, 3), 1.0), (J,)),
    ("full_int", lambda L, x: L.full((2,), 2.7, np.int32), (J,)),
    ("full_scalar", lambda L, x: L.full((), 1.0), (J,)),
    ("full_traced", lambda L, x: L.full((2,), x), (np.float32(3),)),
    ("full_traced_convert", lambda L, x: L.full((2,), x, np.int8), (np.float32(3),)),
    ("full_like", lambda L, x: L.full_like(x, 2), (J,)),
    ("full_like_dtype_shape", lambda L, x: L.full_like(x, 2, np.uint16, (4,)), (J,)),
    ("full_like_weak", lambda L, x: L.full_like(x, 2), (1.0,)),
]


def _jax_params(eqn):
    return {k: v for k, v in eqn.params.items() if k != "sharding"}


@pytest.mark.parametrize("name,f,args", JAXPR_CASES, ids=[c[0] for c in JAXPR_CASES])
def test_make_jaxpr_matches_jax(name, f, args):
    ours = tinyjax.make_jaxpr(lambda *a: f(lax, *a))(*args)
    # output avals, and the outputs agree with eager evaluation
    eager = f(lax, *args)
    for a, e in zip(ours.out_avals, [eager]):
        assert (a.shape, a.dtype, a.weak_type) == (e.shape, e.dtype, e.weak_type)
    tinyjax.core.jaxpr.check_jaxpr(ours)
    jax = pytest.importorskip("jax")
    theirs = jax.make_jaxpr(lambda *a: f(jax.lax, *a))(*args)
    assert [(a.shape, a.dtype, a.weak_type) for a in ours.out_avals] == [
        (a.shape, a.dtype, a.weak_type) for a in theirs.out_avals]
    assert [e.primitive.name for e in ours.eqns] == [
        e.primitive.name for e in theirs.jaxpr.eqns]
    for e, je in zip(ours.eqns, theirs.jaxpr.eqns):
        assert e.params == _jax_params(je), (e.params, je.params)
        assert [v.aval.str_short() for v in e.outvars] == [
            v.aval.str_short(short_dtypes=True) for v in je.outvars]
    # Literals (inline scalars) where JAX has them
    assert [type(v).__name__ == "Literal" for e in ours.eqns for v in e.invars] == [
        type(v).__name__ == "Literal" for e in theirs.jaxpr.eqns for v in e.invars]


def test_jaxpr_printing_of_shape_params():
    text = str(tinyjax.make_jaxpr(
        lambda x: lax.concatenate([lax.rev(lax.transpose(x, (1, 0)), (0,)),
                                   lax.pad(lax.transpose(x, (1, 0)), 0.0, ((0, 0, 0),
                                                                           (0, 0, 0)))], 0))(J))
    assert "transpose[permutation=(1, 0)]" in text
    assert "rev[dimensions=(0,)]" in text
    assert "pad[padding_config=((0, 0, 0), (0, 0, 0))]" in text
    assert "concatenate[dimension=0]" in text
    assert "f32[6,2]" in text
