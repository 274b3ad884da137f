"""Slicing and indexing primitives (tinyjax/lax/indexing.py): slice, dynamic_slice,
dynamic_update_slice and their *_in_dim helpers, gather, and the scatter family.

Every op is checked against an independent reference (NumPy or a Python loop over
output / update elements written from XLA's semantics) and, where JAX is
installed, against jax.lax: values, dtypes, modes, out-of-bounds and negative
indices, error messages, and make_jaxpr equations and output avals.
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
INDEX_DTYPES = [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32]
MODES = [None, "clip", "fill", "promise_in_bounds"]
SETTINGS = settings(max_examples=25, deadline=None)
FEW = settings(max_examples=10, deadline=None)

G = lax.GatherDimensionNumbers
S = lax.ScatterDimensionNumbers
M = lax.GatherScatterMode

shapes = st.lists(st.integers(0, 4), min_size=0, max_size=3).map(tuple)
nonempty_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple)
seeds = st.integers(0, 2**32 - 1)


def rand(seed, shape, dtype):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return np.asarray(rng.random(shape) < 0.5)
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        lo, hi = max(int(info.min), -100), min(int(info.max), 100)
        return np.asarray(rng.integers(lo, hi, size=shape, endpoint=True)).astype(dtype)
    x = np.asarray(rng.standard_normal(shape) * 10).astype(dtype)
    special = np.array([0.0, -0.0, np.inf, -np.inf, np.nan], dtype)
    mask = rng.random(shape) < 0.1
    x[mask] = rng.choice(special, size=int(mask.sum()))
    return x


def bits(a):
    a = np.asarray(a)
    if a.dtype.kind == "f":
        return a.view(np.dtype(f"u{a.dtype.itemsize}"))
    return a


def check(out, ref, weak=False):
    assert isinstance(out, Array), type(out)
    ref = np.asarray(ref)
    assert out.dtype == ref.dtype, (out.dtype, ref.dtype)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert out.weak_type == weak
    np.testing.assert_array_equal(bits(out), bits(ref))


def check_vs_jax(out, jout):
    assert out.shape == jout.shape, (out.shape, jout.shape)
    assert out.dtype == jout.dtype, (out.dtype, jout.dtype)
    np.testing.assert_array_equal(bits(out), bits(np.asarray(jout)))


def A(x, dtype=None):
    x = np.asarray(x, dtype)
    return Array(np.array(x), False)


def jax_or_skip():
    return pytest.importorskip("jax")


def jdn(dn):
    """The same dimension numbers as jax.lax objects."""
    from jax import lax as jl
    cls = jl.GatherDimensionNumbers if isinstance(dn, G) else jl.ScatterDimensionNumbers
    return cls(*[getattr(dn, f) for f in dn.__dataclass_fields__])


def eqn_names(closed):
    return [e.primitive.name for e in closed.jaxpr.eqns]


# ============================================================================= slice

@st.composite
def slice_args(draw):
    shape = draw(shapes)
    start, limit, stride = [], [], []
    for d in shape:
        s = draw(st.integers(0, d))
        lim = draw(st.integers(s, d))
        start.append(s)
        limit.append(lim)
        stride.append(draw(st.integers(1, 3)))
    return shape, tuple(start), tuple(limit), tuple(stride)


@SETTINGS
@given(slice_args(), st.sampled_from(DTYPES), seeds, st.booleans())
def test_slice_vs_numpy(args, dtype, seed, use_strides):
    shape, start, limit, stride = args
    x = rand(seed, shape, dtype)
    strides = stride if use_strides else None
    out = lax.slice(A(x), start, limit, strides)
    st_ = stride if use_strides else (1,) * len(shape)
    ref = x[tuple(slice(a, b, c) for a, b, c in zip(start, limit, st_))]
    check(out, ref)
    closed = tinyjax.make_jaxpr(lambda v: lax.slice(v, start, limit, strides))(A(x))
    assert eqn_names(closed) == ["slice"]
    assert closed.out_avals[0].shape == ref.shape


def test_slice_weak_type_and_jaxpr_text():
    x = Array(np.arange(10, dtype=np.float32), True)
    out = lax.slice(x, (2,), (8,), (3,))
    check(out, np.array([2.0, 5.0], np.float32), weak=True)
    text = str(tinyjax.make_jaxpr(lambda v: lax.slice(v, (2,), (8,), (3,)))(A(np.zeros(10))))
    assert "slice[limit_indices=(8,) start_indices=(2,) strides=(3,)]" in text
    text = str(tinyjax.make_jaxpr(lambda v: lax.slice(v, (2,), (8,)))(A(np.zeros(10))))
    assert "strides=None" in text


@pytest.mark.parametrize("args,match", [
    (((0, 0), (5, 5)), "limit_indices must be less than or equal to operand shape"),
    (((-1, 0), (4, 5)), "start_indices must have every element be nonnegative"),
    (((3, 0), (2, 5)), "limit_indices must be greater than or equal to start_indices"),
    (((0,), (4,)), "start_indices must have length equal to the number of dimensions"),
    (((0, 0), (4, 5), (0, 1)), "strides must be positive"),
    (((0, 0), (4, 5), (1,)), "strides must have length equal"),
    (((0.5, 0), (4, 5)), "must be a sequence of integers"),
])
def test_slice_errors(args, match):
    with pytest.raises(TypeError, match=match):
        lax.slice(A(np.ones((4, 5))), *args)


def test_slice_in_dim_and_index_in_dim():
    x = np.arange(24, dtype=np.int32).reshape(4, 6)
    check(lax.slice_in_dim(A(x), 1, None, axis=1), x[:, 1:])
    check(lax.slice_in_dim(A(x), -3, -1, axis=1), x[:, -3:-1])
    check(lax.slice_in_dim(A(x), None, 3, 2), x[:3:2])
    check(lax.index_in_dim(A(x), -1), x[-1:])
    check(lax.index_in_dim(A(x), 2, axis=1, keepdims=False), x[:, 2])
    with pytest.raises(IndexError, match="index 4 is out of bounds for axis 0 with size 4"):
        lax.index_in_dim(A(x), 4)
    with pytest.raises(IndexError, match="out of bounds"):
        lax.index_in_dim(A(x), -7, axis=1)
    with pytest.raises(TypeError, match="limit_indices must be less than or equal"):
        lax.slice_in_dim(A(x), 1, 10)


def test_slice_helpers_vs_jax():
    jax = jax_or_skip()
    x = np.arange(24, dtype=np.float32).reshape(4, 6)
    for a, b, s, ax in [(1, None, 1, 1), (-3, -1, 1, 1), (None, 3, 2, 0), (0, 0, 1, 0)]:
        check_vs_jax(lax.slice_in_dim(A(x), a, b, s, ax), jax.lax.slice_in_dim(x, a, b, s, ax))
    for i, ax, k in [(-1, 0, True), (2, 1, False), (0, -1, False)]:
        check_vs_jax(lax.index_in_dim(A(x), i, ax, k), jax.lax.index_in_dim(x, i, ax, k))


# ============================================================================= dynamic_slice

def ds_ref(x, starts, sizes):
    """XLA: each start clamped into [0, dim - size] (after JAX's negative wrap)."""
    lo = []
    for s, d, k in zip(starts, x.shape, sizes):
        s = int(s)
        lo.append(min(max(s, 0), d - k))
    return x[tuple(slice(a, a + k) for a, k in zip(lo, sizes))], lo


@st.composite
def dyn_args(draw):
    shape = draw(shapes)
    sizes = tuple(draw(st.integers(0, d)) for d in shape)
    starts = tuple(draw(st.integers(-d - 3, d + 3)) for d in shape)
    return shape, sizes, starts


@SETTINGS
@given(dyn_args(), st.sampled_from(DTYPES), st.sampled_from(INDEX_DTYPES), seeds)
def test_dynamic_slice_vs_reference(args, dtype, idx_dtype, seed):
    shape, sizes, starts = args
    x = rand(seed, shape, dtype)
    idx_dtype = np.dtype(idx_dtype)
    # values of the index dtype (wrapping, as a cast would)
    starts = [np.asarray(s).astype(idx_dtype) for s in starts]
    wrapped = [int(s) + d if (idx_dtype.kind == "i" and s < 0) else int(s)
               for s, d in zip(starts, shape)]
    ref, lo = ds_ref(x, wrapped, sizes)
    check(lax.dynamic_slice(A(x), [A(s) for s in starts], sizes), ref)
    # without negative wrapping: a negative start clamps to 0
    raw = [int(s) for s in starts]
    ref2, _ = ds_ref(x, raw, sizes)
    check(lax.dynamic_slice(A(x), [A(s) for s in starts], sizes,
                            allow_negative_indices=False), ref2)
    # dynamic_update_slice writes at the same clamped place
    upd = rand(seed + 1, sizes, dtype)
    out = np.array(x)
    out[tuple(slice(a, a + k) for a, k in zip(lo, sizes))] = upd
    check(lax.dynamic_update_slice(A(x), A(upd), [A(s) for s in starts]), out)


@FEW
@given(dyn_args(), seeds)
def test_dynamic_slice_vs_jax(args, seed):
    jax = jax_or_skip()
    shape, sizes, starts = args
    x = rand(seed, shape, np.float32)
    upd = rand(seed + 1, sizes, np.float32)
    check_vs_jax(lax.dynamic_slice(A(x), starts, sizes), jax.lax.dynamic_slice(x, starts, sizes))
    check_vs_jax(lax.dynamic_update_slice(A(x), A(upd), starts),
                 jax.lax.dynamic_update_slice(x, upd, starts))
    js = [np.int32(s) for s in starts]
    check_vs_jax(lax.dynamic_slice(A(x), [A(s) for s in js], sizes,
                                   allow_negative_indices=False),
                 jax.lax.dynamic_slice(x, [jax.numpy.int32(s) for s in js], sizes,
                                       allow_negative_indices=False))


def test_dynamic_slice_in_dim_helpers_vs_jax():
    jax = jax_or_skip()
    jl = jax.lax
    x = np.arange(20, dtype=np.float32).reshape(4, 5)
    for i in [-7, -1, 0, 3, 9, np.int8(-2), np.uint8(200)]:
        check_vs_jax(lax.dynamic_slice_in_dim(A(x), i, 2, 1), jl.dynamic_slice_in_dim(x, i, 2, 1))
        check_vs_jax(lax.dynamic_index_in_dim(A(x), i, 0, False),
                     jl.dynamic_index_in_dim(x, i, 0, False))
        check_vs_jax(lax.dynamic_index_in_dim(A(x), i, 1), jl.dynamic_index_in_dim(x, i, 1))
        u = -np.ones((4, 2), np.float32)
        check_vs_jax(lax.dynamic_update_slice_in_dim(A(x), A(u), i, 1),
                     jl.dynamic_update_slice_in_dim(x, u, i, 1))
        u1 = -np.ones((5,), np.float32)
        check_vs_jax(lax.dynamic_update_index_in_dim(A(x), A(u1), i, 0),
                     jl.dynamic_update_index_in_dim(x, u1, i, 0))
        u2 = -np.ones((4, 1), np.float32)
        check_vs_jax(lax.dynamic_update_index_in_dim(A(x), A(u2), i, 1),
                     jl.dynamic_update_index_in_dim(x, u2, i, 1))
    # a 1-D array of start indices
    starts = np.array([3, -2], np.int32)
    check_vs_jax(lax.dynamic_slice(A(x), A(starts), (2, 2)), jl.dynamic_slice(x, starts, (2, 2)))


def test_dynamic_slice_0d_and_empty():
    x = np.float32(3.5)
    check(lax.dynamic_slice(A(x), (), ()), np.asarray(x))
    check(lax.dynamic_update_slice(A(x), A(np.float32(2)), ()), np.float32(2))
    e = np.zeros((0, 3), np.int32)
    check(lax.dynamic_slice(A(e), (5, -1), (0, 2)), np.zeros((0, 2), np.int32))
    check(lax.dynamic_update_slice(A(e), A(np.zeros((0, 1), np.int32)), (1, 9)), e)


def test_dynamic_slice_traced_jaxpr():
    x = A(np.arange(10, dtype=np.float32))
    closed = tinyjax.make_jaxpr(lambda v, i: lax.dynamic_slice(v, (i,), (3,)))(x, A(np.int32(2)))
    assert eqn_names(closed) == ["lt", "add", "select_n", "dynamic_slice"]
    assert closed.out_avals[0].shape == (3,)
    assert "dynamic_slice[slice_sizes=(3,)]" in str(closed)
    closed = tinyjax.make_jaxpr(
        lambda v, i: lax.dynamic_slice(v, (i,), (3,), allow_negative_indices=False))(
        x, A(np.int32(2)))
    assert eqn_names(closed) == ["dynamic_slice"]
    # unsigned indices cannot be negative: no wrap-around ops
    closed = tinyjax.make_jaxpr(lambda v, u, i: lax.dynamic_update_slice(v, u, (i,)))(
        x, A(np.ones(2, np.float32)), A(np.uint8(2)))
    assert eqn_names(closed) == ["dynamic_update_slice"]
    assert closed.out_avals[0].shape == (10,)
    closed = tinyjax.make_jaxpr(lambda v, i: lax.dynamic_index_in_dim(v, i, keepdims=False))(
        x, A(np.int32(2)))
    assert eqn_names(closed)[-2:] == ["dynamic_slice", "squeeze"]
    assert closed.out_avals[0].shape == ()


@pytest.mark.parametrize("fn,exc,match", [
    (lambda x: lax.dynamic_slice(x, (A(np.int8(1)), A(np.int32(2))), (2, 2)), TypeError,
     "index arguments to dynamic_slice must be integers of the same type, got: int8, int32"),
    (lambda x: lax.dynamic_slice(x, (1.0, 2), (2, 2)), TypeError,
     "must be integers of the same type, got: float32, int32"),
    (lambda x: lax.dynamic_slice(x, (1, 2), (5, 2)), TypeError,
     r"slice_sizes must be less than or equal to operand shape, got slice_sizes \(5, 2\)"),
    (lambda x: lax.dynamic_slice(x, (1, 2), (2, -2)), TypeError,
     "slice_sizes must be greater than or equal to zero"),
    (lambda x: lax.dynamic_slice(x, (1,), (2, 2)), ValueError,
     "Length of slice indices must match number of operand dimensions"),
    (lambda x: lax.dynamic_slice(x, (-1, 0), (2, 2), allow_negative_indices=False), ValueError,
     "Index -1 is out of bounds for dimension 4 if allow_negative_indices=False"),
    (lambda x: lax.dynamic_update_slice(x, A(np.ones((5, 1), np.float32)), (1, 2)), TypeError,
     "update shape must be smaller than operand shape"),
    (lambda x: lax.dynamic_update_slice(x, A(np.ones((2, 1), np.int32)), (1, 2)), TypeError,
     "requires arguments to have the same dtypes, got float32, int32"),
    (lambda x: lax.dynamic_update_slice(x, A(np.ones((2,), np.float32)), (1, 2)), TypeError,
     "update must have the same rank as operand"),
])
def test_dynamic_slice_errors(fn, exc, match):
    with pytest.raises(exc, match=match):
        fn(A(np.ones((4, 5), np.float32)))


def test_dynamic_slice_errors_under_tracing():
    x = A(np.ones((4, 5), np.float32))
    with pytest.raises(TypeError, match="got: int8, int32"):
        tinyjax.make_jaxpr(lambda v, i: lax.dynamic_slice(v, (i, 2), (2, 2)))(x, A(np.int8(1)))


# ============================================================================= gather / scatter

def gather_ref(operand, indices, dn, slice_sizes, mode, fill_value):
    """XLA gather, one output element at a time."""
    mode = M.from_any(M.PROMISE_IN_BOUNDS if mode is None else mode)
    rank = operand.ndim
    batch_shape = indices.shape[:-1]
    out_rank = len(batch_shape) + len(dn.offset_dims)
    batch_pos = [p for p in range(out_rank) if p not in dn.offset_dims]
    window_dims = [d for d in range(rank) if d not in dn.collapsed_slice_dims
                   and d not in dn.operand_batching_dims]
    out_shape = [0] * out_rank
    for p, n in zip(batch_pos, batch_shape):
        out_shape[p] = n
    for p, d in zip(dn.offset_dims, window_dims):
        out_shape[p] = slice_sizes[d]
    out = np.zeros(out_shape, operand.dtype)
    if fill_value is None:
        dt = operand.dtype
        fill_value = (np.nan if dt.kind == "f" else np.iinfo(dt).min if dt.kind == "i"
                      else np.iinfo(dt).max if dt.kind == "u" else True)
    for o in np.ndindex(*out_shape):
        g = tuple(o[p] for p in batch_pos)
        start = [0] * rank
        for k, d in enumerate(dn.start_index_map):
            start[d] = int(indices[g + (k,)])
        for od, bd in zip(dn.operand_batching_dims, dn.start_indices_batching_dims):
            start[od] = g[bd]
        fits = all(0 <= start[d] <= operand.shape[d] - slice_sizes[d]
                   for d in dn.start_index_map)
        lo = [min(max(s, 0), operand.shape[d] - slice_sizes[d]) for d, s in enumerate(start)]
        for j, d in enumerate(window_dims):
            lo[d] += o[dn.offset_dims[j]]
        if mode is M.FILL_OR_DROP and not fits:
            out[o] = np.asarray(fill_value).astype(operand.dtype)
        else:
            out[o] = operand[tuple(lo)]
    return out


def scatter_ref(operand, indices, updates, dn, mode, combine):
    """XLA scatter, one update element at a time in row-major order."""
    mode = M.from_any(mode)
    out = np.array(operand)
    rank = operand.ndim
    uw = dn.update_window_dims
    scatter_pos = [p for p in range(updates.ndim) if p not in uw]
    window_dims = [d for d in range(rank) if d not in dn.inserted_window_dims
                   and d not in dn.operand_batching_dims]
    wsize = [1] * rank
    for p, d in zip(uw, window_dims):
        wsize[d] = updates.shape[p]
    for u in np.ndindex(*updates.shape):
        g = tuple(u[p] for p in scatter_pos)
        start = [0] * rank
        for k, d in enumerate(dn.scatter_dims_to_operand_dims):
            start[d] = int(indices[g + (k,)])
        for od, bd in zip(dn.operand_batching_dims, dn.scatter_indices_batching_dims):
            start[od] = g[bd]
        fits = all(0 <= start[d] <= operand.shape[d] - wsize[d] for d in range(rank))
        if mode is M.CLIP:
            start = [min(max(s, 0), operand.shape[d] - wsize[d]) for d, s in enumerate(start)]
        elif not fits:
            continue
        for j, d in enumerate(window_dims):
            start[d] += u[uw[j]]
        t = tuple(start)
        with np.errstate(all="ignore"):
            out[t] = combine(out[t], updates[u])
    return out


COMBINE = {
    "scatter": lambda a, b: b,
    "scatter_add": lambda a, b: a + b,
    "scatter_sub": lambda a, b: a - b,
    "scatter_mul": lambda a, b: a * b,
    "scatter_min": lambda a, b: np.minimum(a, b),
    "scatter_max": lambda a, b: np.maximum(a, b),
}

# (operand shape, indices batch shape, gather dnums, slice sizes); the scatter twin of
# each uses the gather output shape as the updates shape.
GATHER_CONFIGS = [
    # x[i] on a vector
    ((7,), (4,), G((), (0,), (0,)), (1,)),
    # windows of 3 along a vector
    ((7,), (5,), G((1,), (), (0,)), (3,)),
    # rows of a matrix, window in the middle of the output
    ((5, 4), (2, 3), G((1,), (0,), (0,)), (1, 4)),
    # x[i, j] pairs, 2-D windows partially collapsed
    ((5, 6), (4,), G((1,), (0,), (0, 1)), (1, 3)),
    # index map out of order, window covers the rest
    ((3, 4, 5), (2,), G((1, 2), (1,), (1, 0)), (2, 1, 5)),
    # no indexed dims at all (empty index vector)
    ((3, 4), (2,), G((1, 2), (), ()), (3, 4)),
    # batching dims (take_along_axis style)
    ((3, 5), (3, 4), G((), (1,), (1,), (0,), (0,)), (1, 1)),
    # 0-d operand
    ((), (3,), G((), (), ()), ()),
    # empty batch
    ((4, 3), (0,), G((1,), (0,), (0,)), (1, 3)),
]


def _gather_case(cfg, seed, dtype, idx_dtype=np.int32):
    oshape, bshape, dn, sizes = cfg
    x = rand(seed, oshape, dtype)
    rng = np.random.default_rng(seed + 7)
    k = len(dn.start_index_map)
    idx = np.zeros(bshape + (k,), np.int64)
    for j, d in enumerate(dn.start_index_map):
        n = oshape[d]
        idx[..., j] = rng.integers(-n - 2, n + 3, size=bshape)
    if np.dtype(idx_dtype).kind == "u":
        idx = np.abs(idx)
    return x, idx.astype(idx_dtype), dn, sizes


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(GATHER_CONFIGS), seeds, st.sampled_from(DTYPES),
       st.sampled_from(INDEX_DTYPES), st.sampled_from(MODES))
def test_gather_vs_reference(cfg, seed, dtype, idx_dtype, mode):
    x, idx, dn, sizes = _gather_case(cfg, seed, dtype, idx_dtype)
    fill = None if seed % 2 else 3
    out = lax.gather(A(x), A(idx), dn, sizes, mode=mode, fill_value=fill)
    check(out, gather_ref(x, idx, dn, sizes, mode, fill))


@st.composite
def random_gathers(draw):
    """A random valid gather: operand shape, indexed / collapsed dims, slice sizes,
    batch shape and where the window dims go in the output."""
    shape = tuple(draw(st.lists(st.integers(1, 4), min_size=1, max_size=3)))
    rank = len(shape)
    dims = list(range(rank))
    index_map = tuple(draw(st.permutations(dims))[:draw(st.integers(0, rank))])
    collapsed = tuple(d for d in dims if draw(st.booleans()))
    sizes = tuple(1 if d in collapsed else draw(st.integers(0, shape[d])) for d in dims)
    bshape = tuple(draw(st.lists(st.integers(0, 3), min_size=0, max_size=2)))
    n_window = rank - len(collapsed)
    out_rank = len(bshape) + n_window
    offset = tuple(sorted(draw(st.permutations(range(out_rank)))[:n_window]))
    return shape, bshape, G(offset, collapsed, index_map), sizes


@settings(max_examples=30, deadline=None)
@given(random_gathers(), seeds, st.sampled_from(MODES), st.sampled_from(sorted(COMBINE)))
def test_random_gather_scatter_vs_reference(cfg, seed, mode, name):
    x, idx, dn, sizes = _gather_case(cfg, seed, np.int32)
    out = lax.gather(A(x), A(idx), dn, sizes, mode=mode)
    ref = gather_ref(x, idx, dn, sizes, mode, None)
    check(out, ref)
    sdn = S(dn.offset_dims, dn.collapsed_slice_dims, dn.start_index_map)
    upd = rand(seed + 1, ref.shape, np.int32)
    out = getattr(lax, name)(A(x), A(idx), A(upd), sdn, mode=mode)
    check(out, scatter_ref(x, idx, upd, sdn, mode, COMBINE[name]))


@pytest.mark.parametrize("cfg", GATHER_CONFIGS)
@pytest.mark.parametrize("mode", MODES)
def test_gather_vs_jax(cfg, mode):
    jax = jax_or_skip()
    x, idx, dn, sizes = _gather_case(cfg, 3, np.float32)
    out = lax.gather(A(x), A(idx), dn, sizes, mode=mode)
    check_vs_jax(out, jax.lax.gather(x, idx, jdn(dn), sizes, mode=mode))


def _scatter_case(cfg, seed, dtype, idx_dtype=np.int32):
    x, idx, gdn, sizes = _gather_case(cfg, seed, dtype, idx_dtype)
    out_shape = gather_ref(x, idx, gdn, sizes, "clip", None).shape
    # the scatter window keeps the gather's window sizes
    dn = S(gdn.offset_dims, gdn.collapsed_slice_dims, gdn.start_index_map,
           gdn.operand_batching_dims, gdn.start_indices_batching_dims)
    upd = rand(seed + 3, out_shape, dtype)
    return x, idx, upd, dn


@settings(max_examples=30, deadline=None)
@given(st.sampled_from(GATHER_CONFIGS), seeds, st.sampled_from(DTYPES),
       st.sampled_from(INDEX_DTYPES), st.sampled_from(MODES), st.sampled_from(sorted(COMBINE)))
def test_scatter_vs_reference(cfg, seed, dtype, idx_dtype, mode, name):
    x, idx, upd, dn = _scatter_case(cfg, seed, dtype, idx_dtype)
    fn = getattr(lax, name)
    if dtype is np.bool_ and name in ("scatter_add", "scatter_sub", "scatter_mul"):
        with pytest.raises(TypeError, match="does not accept dtype bool"):
            fn(A(x), A(idx), A(upd), dn, mode=mode)
        return
    out = fn(A(x), A(idx), A(upd), dn, mode=mode)
    ref = scatter_ref(x, idx, upd, dn, mode, COMBINE[name])
    if np.dtype(dtype).kind == "f" and name in ("scatter_add", "scatter_sub", "scatter_mul"):
        # duplicates may accumulate in another order than the loop
        np.testing.assert_allclose(np.asarray(out, np.float64), ref.astype(np.float64),
                                   rtol=2e-3 if dtype is np.float16 else 1e-6)
        assert out.dtype == ref.dtype and out.shape == ref.shape
    else:
        check(out, ref)


@pytest.mark.parametrize("cfg", GATHER_CONFIGS)
@pytest.mark.parametrize("mode", MODES)
def test_scatter_vs_jax(cfg, mode):
    jax = jax_or_skip()
    if cfg[0] == ():
        pytest.skip("XLA's scatter simplifier fails on a 0-d operand (a JAX bug)")
    x, idx, upd, dn = _scatter_case(cfg, 5, np.float32)
    # integer-valued floats: any summation order is exact
    upd = np.round(upd).astype(np.float32)
    upd[~np.isfinite(upd)] = 1
    x = np.round(np.nan_to_num(x, posinf=1, neginf=-1)).astype(np.float32)
    # how often each operand element is written (plain scatter with a repeated
    # position is implementation-defined, so it is compared only without repeats)
    writes = scatter_ref(np.zeros(x.shape, np.int64), idx, np.ones(upd.shape, np.int64), dn,
                         mode, lambda a, b: a + b)
    names = [n for n in sorted(COMBINE)
             if not (n == "scatter" and writes.size and writes.max() > 1)]
    # one jitted JAX function for all the scatters: one compilation
    jouts = jax.jit(lambda a, i, u: [getattr(jax.lax, n)(a, i, u, jdn(dn), mode=mode)
                                     for n in names])(x, idx, upd)
    for name, jout in zip(names, jouts):
        check_vs_jax(getattr(lax, name)(A(x), A(idx), A(upd), dn, mode=mode), jout)


def _sizes(dn, x, upd):
    dropped = set(dn.inserted_window_dims) | set(dn.operand_batching_dims)
    wd = [d for d in range(x.ndim) if d not in dropped]
    sizes = [1] * x.ndim
    for p, d in zip(dn.update_window_dims, wd):
        sizes[d] = upd.shape[p]
    return tuple(sizes)


def test_scatter_duplicates_combine():
    dn = S((), (0,), (0,))
    idx = np.array([[1], [1], [3], [1], [-1], [9]], np.int32)
    upd = np.array([5, 7, 2, 4, 100, 100], np.int32)
    x = np.array([1, 2, 3, 4], np.int32)
    check(lax.scatter_add(A(x), A(idx), A(upd), dn), np.array([1, 18, 3, 6], np.int32))
    check(lax.scatter_sub(A(x), A(idx), A(upd), dn), np.array([1, -14, 3, 2], np.int32))
    check(lax.scatter_mul(A(x), A(idx), A(upd), dn), np.array([1, 280, 3, 8], np.int32))
    check(lax.scatter_min(A(x), A(idx), A(upd), dn), np.array([1, 2, 3, 2], np.int32))
    check(lax.scatter_max(A(x), A(idx), A(upd), dn), np.array([1, 7, 3, 4], np.int32))
    # plain scatter: the last update (row-major order) wins
    check(lax.scatter(A(x), A(idx), A(upd), dn), np.array([1, 4, 3, 2], np.int32))
    # clip: -1 -> 0 and 9 -> 3; the later 100 at position 3 wins over 2
    check(lax.scatter(A(x), A(idx), A(upd), dn, mode="clip"), np.array([100, 4, 3, 100], np.int32))
    # integer wrap-around, as XLA
    x8 = np.array([120], np.int8)
    check(lax.scatter_add(A(x8), A(np.zeros((2, 1), np.int32)), A(np.array([5, 5], np.int8)), dn),
          np.array([-126], np.int8))


def test_scatter_nan_min_max_and_bool():
    dn = S((), (0,), (0,))
    x = np.array([1.0, 2.0, np.nan], np.float32)
    idx = np.array([[0], [1], [2]], np.int32)
    upd = np.array([np.nan, 0.5, 3.0], np.float32)
    check(lax.scatter_min(A(x), A(idx), A(upd), dn), np.array([np.nan, 0.5, np.nan], np.float32))
    check(lax.scatter_max(A(x), A(idx), A(upd), dn), np.array([np.nan, 2.0, np.nan], np.float32))
    b = np.array([True, False, True])
    ub = np.array([False, True, False])
    check(lax.scatter_min(A(b), A(idx), A(ub), dn), np.array([False, False, False]))
    check(lax.scatter_max(A(b), A(idx), A(ub), dn), np.array([True, True, True]))
    check(lax.scatter(A(b), A(idx[:1]), A(ub[:1]), dn), np.array([False, False, True]))


def test_gather_huge_indices_never_read_out_of_bounds():
    x = np.arange(5, dtype=np.float32)
    dn = G((), (0,), (0,))
    for dt in [np.int32, np.uint32, np.int8, np.uint8, np.int16]:
        info = np.iinfo(dt)
        idx = np.array([[info.min], [info.max], [0], [4]], dt)
        out = lax.gather(A(x), A(idx), dn, (1,), mode="clip")
        lo = 0 if info.min < 0 else int(info.min)
        check(out, np.array([x[min(lo, 4)], 4, 0, 4], np.float32))
        out = lax.gather(A(x), A(idx), dn, (1,), mode="fill", fill_value=-1)
        check(out, np.array([-1 if info.min < 0 else 0, -1, 0, 4], np.float32))
        out = lax.scatter_add(A(x), A(idx), A(np.ones(4, np.float32)), S((), (0,), (0,)))
        ref = x.copy()
        ref[0] += 2 if info.min == 0 else 1  # index 0 (and the unsigned minimum, 0)
        ref[4] += 1
        check(out, ref)


def test_gather_fill_defaults_per_dtype():
    dn = G((), (0,), (0,))
    idx = np.array([[7]], np.int32)
    for dt, fill in [(np.float16, np.nan), (np.float32, np.nan), (np.int8, -128),
                     (np.int32, -2**31), (np.uint8, 255), (np.uint32, 2**32 - 1),
                     (np.bool_, True)]:
        out = lax.gather(A(np.zeros(3, dt)), A(idx), dn, (1,), mode="fill")
        check(out, np.array([fill], dt))


def test_gather_scatter_x64():
    jax = jax_or_skip()
    with enable_x64(), jax.enable_x64(True):
        x = np.arange(12, dtype=np.float64).reshape(3, 4)
        idx = np.array([[2], [-1], [2**40], [1]], np.int64)
        dn = G((1,), (0,), (0,))
        for mode in MODES:
            # JAX's FILL_OR_DROP gather wraps int64 indices to int32 first (2**40 -> 0);
            # tinyjax keeps them out of bounds, so that case is compared with 7 instead.
            i = np.where(idx == 2**40, 7, idx) if mode == "fill" else idx
            check_vs_jax(lax.gather(A(x), A(i), dn, (1, 4), mode=mode),
                         jax.lax.gather(x, i, jdn(dn), (1, 4), mode=mode))
        out = lax.gather(A(x), A(np.array([[2**40], [-2**40], [2**31 + 1]], np.int64)), dn,
                         (1, 4), mode="fill")
        assert np.isnan(np.asarray(out)).all()
        sdn = S((1,), (0,), (0,))
        upd = np.ones((4, 4), np.float64)
        for mode in MODES:
            check_vs_jax(lax.scatter_add(A(x), A(idx), A(upd), sdn, mode=mode),
                         jax.lax.scatter_add(x, idx, upd, jdn(sdn), mode=mode))
        xi = np.arange(5, dtype=np.uint64)
        check(lax.dynamic_slice(A(xi), (A(np.int64(-2)),), (2,)), xi[3:5])


def test_gather_scatter_jaxpr():
    x = A(np.zeros(10, np.float32))
    idx = A(np.zeros((6, 1), np.int32))
    dn = G((1,), (), (0,))
    closed = tinyjax.make_jaxpr(lambda v, i: lax.gather(v, i, dn, (3,), mode="fill"))(x, idx)
    assert eqn_names(closed) == ["gather"]
    assert closed.out_avals[0].shape == (6, 3) and closed.out_avals[0].dtype == np.float32
    text = str(closed)
    assert ("dimension_numbers=GatherDimensionNumbers(offset_dims=(1,), collapsed_slice_dims=(), "
            "start_index_map=(0,), operand_batching_dims=(), start_indices_batching_dims=())"
            in text)
    assert "fill_value=nan" in text and "mode=GatherScatterMode.FILL_OR_DROP" in text
    text = str(tinyjax.make_jaxpr(lambda v, i: lax.gather(v, i, dn, (3,)))(x, idx))
    assert "fill_value=None" in text and "mode=GatherScatterMode.PROMISE_IN_BOUNDS" in text
    sdn = S((1,), (), (0,))
    upd = A(np.zeros((6, 3), np.float32))
    for name, prim in [("scatter", "scatter"), ("scatter_add", "scatter-add"),
                       ("scatter_sub", "scatter-sub"), ("scatter_mul", "scatter-mul"),
                       ("scatter_min", "scatter-min"), ("scatter_max", "scatter-max")]:
        closed = tinyjax.make_jaxpr(
            lambda v, i, u: getattr(lax, name)(v, i, u, sdn))(x, idx, upd)
        assert eqn_names(closed) == [prim]
        assert closed.out_avals[0].shape == (10,)
        text = str(closed)
        assert "mode=GatherScatterMode.FILL_OR_DROP" in text
        assert "ScatterDimensionNumbers(update_window_dims=(1,)" in text


def test_weak_type_passes_through():
    x = Array(np.arange(4, dtype=np.float32), True)
    out = lax.gather(x, A(np.array([[1]], np.int32)), G((), (0,), (0,)), (1,))
    check(out, np.array([1.0], np.float32), weak=True)
    out = lax.dynamic_slice(x, (1,), (2,))
    check(out, np.array([1.0, 2.0], np.float32), weak=True)


def test_mode_parsing():
    assert M.from_any(None) is M.FILL_OR_DROP
    assert M.from_any("drop") is M.FILL_OR_DROP
    assert M.from_any("fill") is M.FILL_OR_DROP
    assert M.from_any("clip") is M.CLIP
    assert M.from_any("promise_in_bounds") is M.PROMISE_IN_BOUNDS
    with pytest.raises(ValueError, match='Unknown gather mode "bogus"'):
        M.from_any("bogus")
    dn = G((), (0,), (0,))
    with pytest.raises(ValueError, match="Unknown gather mode"):
        lax.gather(A(np.zeros(3)), A(np.zeros((1, 1), np.int32)), dn, (1,), mode="bogus")
    assert G((1,), [0], (0,)) == G((1,), (0,), (0,))
    assert hash(G((1,), [0], (0,))) == hash(G((1,), (0,), (0,)))


GATHER_ERRORS = [
    ((4, 5), (3, 1), np.float32, G((1,), (0,), (0,)), (1, 5), ValueError,
     "indices must have an integer type"),
    ((4, 5), (3, 1), np.int32, G((1,), (0,), (0, 1)), (1, 5), TypeError,
     "Gather op has 2 elements in start_index_map and the bound of dimension "
     "index_vector_dim=1 of indices is 1"),
    ((4, 5), (3, 1), np.int32, G((1,), (0,), (0,)), (1, 6), TypeError,
     r"Slice size at index 1 in gather op is out of range, must be within \[0, 5 \+ 1\), got 6"),
    ((4, 5), (3, 1), np.int32, G((1,), (0,), (0,)), (2, 5), TypeError,
     "Gather op can only collapse slice dims with bound 1, but bound is 2"),
    ((4, 5), (3, 1), np.int32, G((1,), (0,), (0,)), (1, 5, 1), TypeError,
     "Gather op must have one slice size for every input dimension"),
    ((4, 5), (3, 1), np.int32, G((1, 2), (0,), (0,)), (1, 5), TypeError,
     "All components of the offset index in a gather op must either be a offset dimension"),
    ((4, 5), (3, 1), np.int32, G((2, 1), (), (0,)), (1, 5), TypeError,
     "offset_dims in gather op must be sorted"),
    ((4, 5), (3, 1), np.int32, G((1,), (1, 0), (0,)), (1, 1), TypeError,
     "collapsed_slice_dims in gather op must be sorted"),
    ((4, 5), (3, 1), np.int32, G((1,), (0,), (5,)), (1, 5), TypeError,
     "Invalid start_index_map"),
    ((4, 5), (3,), np.int32, G((1,), (0,), (0,)), (1, 5), TypeError,
     "Offset dimension 0 in gather op is out of bounds"),
    ((4, 5), (3, 1), np.int32, G((1,), (1,), (0,), (0,), (0,)), (1, 1), TypeError,
     "batching dim 0 .size 4. and indices batching dim 0 .size 3. must have equal sizes"),
]


@pytest.mark.parametrize("oshape,ishape,idt,dn,sizes,exc,match", GATHER_ERRORS)
def test_gather_errors(oshape, ishape, idt, dn, sizes, exc, match):
    x = A(np.ones(oshape, np.float32))
    i = A(np.zeros(ishape, idt))
    with pytest.raises(exc, match=match):
        lax.gather(x, i, dn, sizes)
    with pytest.raises(exc, match=match):
        tinyjax.make_jaxpr(lambda a, b: lax.gather(a, b, dn, sizes))(x, i)


@pytest.mark.parametrize("ushape,udt,idt,dn,exc,match", [
    ((3, 6), np.float32, np.int32, S((1,), (0,), (0,)), TypeError,
     "updates bound is 6, operand bound is 5"),
    ((2, 5), np.float32, np.int32, S((1,), (0,), (0,)), TypeError,
     "For scatter dimension 0, updates bound is 2, indices bound is 3"),
    ((3, 5), np.int32, np.int32, S((1,), (0,), (0,)), TypeError,
     "lax.scatter requires arguments to have the same dtypes, got float32, int32"),
    ((3, 5), np.float32, np.float32, S((1,), (0,), (0,)), ValueError,
     "indices must have an integer type"),
    ((3, 5), np.float32, np.int32, S((1,), (0,), (0, 1)), TypeError,
     "Scatter op has 2 elements in scatter_dims_to_operand_dims"),
    ((3, 5, 1), np.float32, np.int32, S((1,), (0,), (0,)), TypeError,
     "Updates tensor must be of rank 2"),
])
def test_scatter_errors(ushape, udt, idt, dn, exc, match):
    x = A(np.ones((4, 5), np.float32))
    with pytest.raises(exc, match=match):
        lax.scatter(x, A(np.zeros((3, 1), idt)), A(np.ones(ushape, udt)), dn)


def test_scatter_bool_add_error():
    b = A(np.ones((4,), bool))
    with pytest.raises(TypeError, match="add does not accept dtype bool"):
        lax.scatter_add(b, A(np.zeros((1, 1), np.int32)), A(np.ones(1, bool)), S((), (0,), (0,)))
    with pytest.raises(TypeError, match="mul does not accept dtype bool"):
        lax.scatter_mul(b, A(np.zeros((1, 1), np.int32)), A(np.ones(1, bool)), S((), (0,), (0,)))
