"""tinyjax.numpy shape manipulation (tinyjax/numpy/manipulation.py) against NumPy (values)
and JAX (dtypes, weak types, and the places where JAX's semantics differ from
NumPy's). Traced code paths (a roll by a traced shift, a repeat with traced counts)
are checked by evaluating the traced jaxpr equation by equation."""
import importlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax.core.array import Array
from tinyjax.core.errors import ConcretizationTypeError
from tinyjax.core.jaxpr import Literal

SETTINGS = settings(max_examples=25, deadline=None)
seeds = st.integers(0, 2**31 - 1)
small_shapes = st.lists(st.integers(0, 4), min_size=0, max_size=4).map(tuple)
pos_shapes = st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple)
DTYPES = [np.int8, np.uint8, np.int16, np.int32, np.uint32, np.float16, np.float32, np.bool_]


def rand(seed, shape, dtype=np.float32):
    rng = np.random.default_rng(seed)
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        return rng.integers(0 if dtype.kind == "u" else -50, 50, size=shape).astype(dtype)
    return (rng.standard_normal(shape) * 10).astype(dtype)


def check(out, ref, dtype=None, weak=False):
    """`out` is a tinyjax Array equal to `ref` (NaN-aware), of `dtype` (default: ref's)."""
    assert isinstance(out, Array), type(out)
    ref = np.asarray(ref)
    assert out.shape == ref.shape, (out.shape, ref.shape)
    assert out.dtype == np.dtype(dtype if dtype is not None else ref.dtype), (out.dtype, dtype)
    assert out.weak_type == weak, (out.weak_type, weak)
    np.testing.assert_array_equal(np.asarray(out), ref.astype(out.dtype))


def check_list(outs, refs):
    assert len(outs) == len(refs)
    for o, r in zip(outs, refs):
        check(o, r)


def run_jaxpr(closed, *args):
    """Evaluate a traced jaxpr eagerly, one equation at a time."""
    jaxpr = closed.jaxpr
    env = dict(zip(jaxpr.constvars, closed.consts))
    env.update(zip(jaxpr.invars, [jnp.asarray(a) for a in args]))

    def read(v):
        return Array(np.asarray(v.val, v.aval.dtype), v.aval.weak_type) \
            if isinstance(v, Literal) else env[v]
    for eqn in jaxpr.eqns:
        outs = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
        outs = outs if eqn.primitive.multiple_results else [outs]
        env.update(zip(eqn.outvars, outs))
    return [read(v) for v in jaxpr.outvars]


def traced(f, *args):
    """f's outputs computed through its jaxpr (all args traced) and the jaxpr's avals."""
    closed = tinyjax.make_jaxpr(f)(*args)
    return run_jaxpr(closed, *args), closed.out_avals


# ============================================================================= reshape & co

@SETTINGS
@given(pos_shapes, seeds, st.sampled_from(["C", "F"]), st.data())
def test_reshape_matches_numpy(shape, seed, order, data):
    x = rand(seed, shape)
    perm = data.draw(st.permutations(list(shape)))
    target = list(perm) + [1] * data.draw(st.integers(0, 2))
    if data.draw(st.booleans()):
        target[data.draw(st.integers(0, len(target) - 1))] = -1
    check(jnp.reshape(x, tuple(target), order=order), np.reshape(x, tuple(target), order=order))
    check(jnp.ravel(x, order), np.ravel(x, order))


def test_reshape_forms_and_errors():
    x = jnp.arange(6)
    check(jnp.reshape(x, -1), np.arange(6, dtype=np.int32))
    check(jnp.reshape(x, newshape=(3, 2)), np.arange(6).reshape(3, 2), np.int32)
    check(x.reshape(2, 3), np.arange(6).reshape(2, 3), np.int32)
    check(jnp.reshape(2.0, (1, 1)), np.full((1, 1), 2.0), np.float32, weak=True)
    check(jnp.reshape(x, (jnp.int32(2), 3)), np.arange(6).reshape(2, 3), np.int32)
    with pytest.raises(TypeError, match="only specify one unknown axis"):
        jnp.reshape(x, (-1, -1))
    with pytest.raises(TypeError, match="does not evenly divide 6"):
        jnp.reshape(x, (-1, 4))
    with pytest.raises(TypeError, match=r"into shape \(2, -2\)"):
        jnp.reshape(x, (2, -2))
    with pytest.raises(TypeError, match=r"cannot reshape array of shape \(6,\).*\(4,\)"):
        jnp.reshape(x, (4,))
    with pytest.raises(TypeError, match="missing required argument"):
        jnp.reshape(x)
    with pytest.raises(NotImplementedError, match="order=A"):
        jnp.reshape(x, (2, 3), order="A")
    with pytest.raises(NotImplementedError, match="order='K'"):
        jnp.ravel(x, order="K")
    with pytest.raises(TypeError, match="integer"):
        jnp.reshape(x, (2.0, 3))


@SETTINGS
@given(pos_shapes, seeds, st.data())
def test_axis_permutations_match_numpy(shape, seed, data):
    x = rand(seed, shape)
    nd = len(shape)
    perm = data.draw(st.permutations(range(nd)))
    check(jnp.transpose(x, perm), np.transpose(x, perm))
    check(jnp.transpose(x), np.transpose(x))
    check(jnp.permute_dims(x, tuple(perm)), np.transpose(x, perm))
    ax = st.integers(-nd, nd - 1)
    a, b = data.draw(ax), data.draw(ax)
    check(jnp.swapaxes(x, a, b), np.swapaxes(x, a, b))
    check(jnp.moveaxis(x, a, b), np.moveaxis(x, a, b))
    k = data.draw(st.integers(0, nd))
    src = data.draw(st.permutations(range(nd)))[:k]
    dst = data.draw(st.permutations(range(-nd, 0)))[:k]
    check(jnp.moveaxis(x, src, dst), np.moveaxis(x, src, dst))
    start = data.draw(st.integers(-nd, nd))
    check(jnp.rollaxis(x, a, start), np.rollaxis(x, a, start))
    if nd >= 2:
        check(jnp.matrix_transpose(x), np.swapaxes(x, -1, -2))


def test_axis_permutation_errors():
    x = jnp.ones((2, 3, 4))
    with pytest.raises(TypeError, match="isn't a permutation"):
        jnp.transpose(x, (0, 0, 1))
    with pytest.raises(ValueError, match="axis 3 is out of bounds for array of dimension 3"):
        jnp.transpose(x, (0, 1, 3))
    with pytest.raises(ValueError, match="at least two-dimensional"):
        jnp.matrix_transpose(jnp.ones(3))
    with pytest.raises(ValueError, match="Inconsistent number of elements: 2 vs 1"):
        jnp.moveaxis(x, (0, 1), (1,))
    with pytest.raises(ValueError, match="axis 5 is out of bounds"):
        jnp.moveaxis(x, 0, 5)
    with pytest.raises(ValueError, match="repeated axis"):
        jnp.moveaxis(x, (0, 0), (1, 2))
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        jnp.swapaxes(x, 0, 3)
    with pytest.raises(ValueError, match=r"start=5 must satisfy -3<=start<=3"):
        jnp.rollaxis(x, 2, 5)


@SETTINGS
@given(st.lists(st.integers(1, 3), min_size=0, max_size=4).map(tuple), seeds, st.data())
def test_squeeze_expand_dims_match_numpy(shape, seed, data):
    x = rand(seed, shape)
    check(jnp.squeeze(x), np.squeeze(x))
    ones = [i for i, d in enumerate(shape) if d == 1]
    if ones:
        axes = tuple(data.draw(st.lists(st.sampled_from(ones), min_size=1, unique=True)))
        check(jnp.squeeze(x, axes), np.squeeze(x, axes))
    nd_out = len(shape) + 2
    axes = tuple(data.draw(st.lists(st.integers(-nd_out, nd_out - 1), min_size=2, max_size=2)
                 .filter(lambda a: a[0] % nd_out != a[1] % nd_out)))
    check(jnp.expand_dims(x, axes), np.expand_dims(x, axes))


def test_squeeze_expand_dims_errors():
    with pytest.raises(ValueError, match="cannot select an axis to squeeze out"):
        jnp.squeeze(jnp.ones((1, 2)), axis=1)
    with pytest.raises(ValueError, match="axis 3 is out of bounds"):
        jnp.squeeze(jnp.ones((1, 2, 1)), 3)
    with pytest.raises(ValueError, match="repeated axis"):
        jnp.expand_dims(jnp.ones(2), (0, 0))
    with pytest.raises(ValueError, match="out of bounds"):
        jnp.expand_dims(jnp.ones(2), 3)
    check(jnp.expand_dims(2.0, (0, -1)), np.full((1, 1), 2.0), np.float32, weak=True)


def test_atleast_nd():
    check(jnp.atleast_1d(1.0), np.array([1.0]), np.float32, weak=True)
    outs = jnp.atleast_2d(1.0, np.ones(2))
    check(outs[0], np.ones((1, 1)), np.float32, weak=True)
    check(outs[1], np.ones((1, 2)), np.float32)
    for s in [(), (3,), (2, 3), (2, 3, 4), (1, 2, 3, 4)]:
        x = rand(0, s)
        check(jnp.atleast_1d(x), np.atleast_1d(x))
        check(jnp.atleast_2d(x), np.atleast_2d(x))
        check(jnp.atleast_3d(x), np.atleast_3d(x))
    assert jnp.atleast_1d() == []


def test_broadcast_shapes_and_arrays():
    assert jnp.broadcast_shapes((2, 1), (3,)) == (2, 3)
    assert jnp.broadcast_shapes(3, (2, 1)) == (2, 3)
    assert jnp.broadcast_shapes() == ()
    assert jnp.broadcast_shapes((0, 1), (1, 5)) == (0, 5)
    with pytest.raises(ValueError, match=r"Incompatible shapes for broadcasting: shapes=\["):
        jnp.broadcast_shapes((2, 1), (3, 4))
    a, b = jnp.broadcast_arrays(1.0, jnp.ones(2, "int8"))
    check(a, np.ones(2), np.float32, weak=True)
    check(b, np.ones(2), np.int8)
    x, y = rand(1, (2, 1, 3)), rand(2, (4, 1))
    check_list(jnp.broadcast_arrays(x, y), np.broadcast_arrays(x, y))


# ============================================================================= joining

@SETTINGS
@given(pos_shapes, st.integers(1, 4), seeds, st.data())
def test_concatenate_stack_match_numpy(shape, n, seed, data):
    nd = len(shape)
    axis = data.draw(st.integers(-nd, nd - 1))
    parts = []
    for i in range(n):
        s = list(shape)
        s[axis] = data.draw(st.integers(0, 3))
        parts.append(rand(seed + i, tuple(s)))
    check(jnp.concatenate(parts, axis), np.concatenate(parts, axis))
    check(jnp.concat(parts, axis=None), np.concatenate(parts, axis=None))
    same = [rand(seed + i, shape) for i in range(n)]
    saxis = data.draw(st.integers(-nd - 1, nd))
    check(jnp.stack(same, saxis), np.stack(same, saxis))
    stacked = np.stack(same)
    check(jnp.stack(stacked, saxis), np.stack(list(stacked), saxis))
    check(jnp.concatenate(stacked, axis), np.concatenate(list(stacked), axis))
    for name in ["vstack", "hstack", "dstack", "column_stack"]:
        if name == "column_stack" and nd > 2:
            continue
        check(getattr(jnp, name)(same), getattr(np, name)(same))
        check(getattr(jnp, name)(stacked), getattr(np, name)(stacked))
    check(jnp.row_stack(same), np.vstack(same))


def test_joining_dtypes_follow_jax():
    i8 = jnp.ones(1, "int8")
    check(jnp.concatenate([jnp.array([1.0]), 2 * i8]), np.array([1.0, 2.0]), np.float32)
    check(jnp.concatenate([jnp.array([1], "int8"), np.array([3])]), np.array([1, 3]), np.int32)
    check(jnp.concatenate([i8, jnp.array([3])], dtype="float16"), np.array([1, 3]), np.float16)
    check(jnp.stack([1, 2.0]), np.array([1.0, 2.0]), np.float32, weak=True)
    check(jnp.hstack([1, 2]), np.array([1, 2]), np.int32, weak=True)
    check(jnp.vstack([1, 2]), np.array([[1], [2]]), np.int32, weak=True)
    check(jnp.dstack([1, 2]), np.array([[[1, 2]]]), np.int32, weak=True)
    check(jnp.append(jnp.ones((2, 2), "int8"), 2.5), np.array([1, 1, 1, 1, 2.5]), np.float32,
          weak=True)
    check(jnp.stack([jnp.arange(2), jnp.arange(2, dtype="uint8")], dtype="float32"),
          np.array([[0, 1], [0, 1]]), np.float32)
    check(jnp.concatenate([jnp.arange(2, dtype="uint8"), jnp.arange(2, dtype="int8")]),
          np.array([0, 1, 0, 1]), np.int16)


def test_joining_errors():
    with pytest.raises(ValueError, match="Zero-dimensional arrays cannot be concatenated"):
        jnp.concatenate([1, 2])
    with pytest.raises(ValueError, match="Need at least one array to concatenate"):
        jnp.concatenate([])
    with pytest.raises(TypeError, match="differ in dimensions other than"):
        jnp.concatenate([jnp.zeros((2, 2)), jnp.ones((3, 3))])
    with pytest.raises(ValueError, match="axis 2 is out of bounds for array of dimension 2"):
        jnp.concatenate([jnp.zeros((2, 2)), jnp.ones((3, 2))], axis=2)
    with pytest.raises(TypeError, match="concatenate requires ndarray or scalar"):
        jnp.concatenate([[1, 2], [3]])
    with pytest.raises(ValueError, match="Need at least one array to stack"):
        jnp.stack([])
    with pytest.raises(ValueError, match=r"same shape. Got \(2,\), \(3,\)"):
        jnp.stack([jnp.ones(2), jnp.ones(3)])


def test_block():
    check(jnp.block([[1, 2], [3, 4]]), np.array([[1, 2], [3, 4]]), np.int32, weak=True)
    a, b, c = rand(0, (2, 2)), rand(1, (2, 1)), rand(2, (1, 3))
    check(jnp.block([[a, b], [c]]), np.block([[a, b], [c]]))
    check(jnp.block([rand(3, 2), rand(4, 3)]), np.block([rand(3, 2), rand(4, 3)]))
    d = [[[rand(5, (2,))]], [[rand(6, (2,))]]]
    check(jnp.block(d), np.block(d))
    check(jnp.block(2.0), np.array(2.0), np.float32, weak=True)
    check(jnp.block([[a], [np.ones(2, np.int8)]]), np.block([[a], [np.ones(2)]]), np.float32)
    with pytest.raises(ValueError, match="Mismatched list depths"):
        jnp.block([[1, 2], 3])
    with pytest.raises(ValueError, match="does not allow empty list"):
        jnp.block([])
    with pytest.raises(ValueError, match="does not allow tuples"):
        jnp.block(([1, 2], [3, 4]))


# ============================================================================= splitting

@SETTINGS
@given(pos_shapes, seeds, st.data())
def test_split_family_matches_numpy(shape, seed, data):
    x = rand(seed, shape)
    nd = len(shape)
    axis = data.draw(st.integers(-nd, nd - 1))
    n = shape[axis]
    k = data.draw(st.integers(1, 5))
    check_list(jnp.array_split(x, k, axis), np.array_split(x, k, axis))
    if n % k == 0:
        check_list(jnp.split(x, k, axis), np.split(x, k, axis))
    pts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    check_list(jnp.split(x, pts, axis), np.split(x, pts, axis))
    check_list(jnp.array_split(x, np.array(pts, np.int32), axis), np.array_split(x, pts, axis))
    check_list(jnp.unstack(x, axis=axis), list(np.moveaxis(x, axis, 0)))
    if n % 1 == 0 and shape[0] % 1 == 0:
        check_list(jnp.vsplit(x, 1), [x])
    if nd >= 2 and shape[1] % 2 == 0:
        check_list(jnp.hsplit(x, 2), np.hsplit(x, 2))
    if nd >= 3:
        check_list(jnp.dsplit(x, [1]), np.dsplit(x, [1]))


def test_split_errors_and_jax_semantics():
    with pytest.raises(ValueError, match="does not result in an equal division: rest is 2"):
        jnp.split(jnp.arange(6), 4)
    # JAX (unlike NumPy) rejects split points that run backwards or past the end
    with pytest.raises(ValueError, match="Sizes passed to split must be nonnegative"):
        jnp.split(jnp.arange(6), [2, 10, 1])
    with pytest.raises(ValueError, match="number sections must be larger than 0"):
        jnp.array_split(jnp.arange(6), 0)
    with pytest.raises(ValueError, match="dsplit only works on arrays of 3 or more"):
        jnp.dsplit(jnp.ones((2, 2)), 2)
    with pytest.raises(ValueError, match="rank > 0"):
        jnp.unstack(jnp.ones(()))
    check_list(jnp.vsplit(jnp.arange(6), 2), np.split(np.arange(6, dtype=np.int32), 2))


# ============================================================================= tile & repeat

@SETTINGS
@given(small_shapes, seeds, st.data())
def test_tile_repeat_match_numpy(shape, seed, data):
    x = rand(seed, shape, data.draw(st.sampled_from(DTYPES)))
    reps = tuple(data.draw(st.lists(st.integers(0, 3), max_size=4)))
    check(jnp.tile(x, reps), np.tile(x, reps))
    r = data.draw(st.integers(0, 3))
    check(jnp.repeat(x, r), np.repeat(x, r))
    if shape:
        axis = data.draw(st.integers(-len(shape), len(shape) - 1))
        check(jnp.repeat(x, r, axis), np.repeat(x, r, axis))
        counts = np.array(data.draw(st.lists(st.integers(0, 3), min_size=shape[axis],
                                             max_size=shape[axis])), np.int32)
        check(jnp.repeat(x, counts, axis), np.repeat(x, counts, axis))
        total = data.draw(st.integers(0, 8))
        out = jnp.repeat(x, counts, axis, total_repeat_length=total)
        if shape[axis]:
            # JAX: truncate, or read the input's last element past the repeated ones
            idx = np.repeat(np.arange(shape[axis]), counts)
            idx = np.concatenate([idx, np.full(max(total - len(idx), 0), shape[axis] - 1)])
            check(out, np.take(x, idx[:total], axis))


def test_tile_repeat_special_cases():
    check(jnp.tile(2.0, 3), np.full(3, 2.0), np.float32, weak=True)
    check(jnp.repeat(2.0, 3), np.full(3, 2.0), np.float32, weak=True)
    check(jnp.tile(jnp.ones(2), ()), np.ones(2), np.float32)
    check(jnp.repeat(jnp.array([1, 2, 3]), 2, total_repeat_length=4), np.array([1, 1, 2, 2]),
          np.int32)
    check(jnp.repeat(jnp.ones(2), 3, total_repeat_length=8), np.ones(8), np.float32)
    check(jnp.repeat(jnp.array([1, 2, 3]), jnp.array([2])), np.array([1, 1, 2, 2, 3, 3]),
          np.int32)
    check(jnp.repeat(jnp.array([[1, 2], [3, 4]]), jnp.array([2, 1]), axis=1,
                     total_repeat_length=5), np.array([[1, 1, 2, 2, 2], [3, 3, 4, 4, 4]]),
          np.int32)
    with pytest.raises(ValueError, match="reps must be non-negative"):
        jnp.tile(jnp.ones(2), -1)
    with pytest.raises(ValueError, match="repeats must be non-negative"):
        jnp.repeat(jnp.ones(2), -1)
    with pytest.raises(TypeError, match="repeats must be an integer"):
        jnp.repeat(jnp.ones(2), 2.5)
    with pytest.raises(TypeError, match="integer dtype"):
        jnp.repeat(jnp.ones(2), jnp.array([1.0, 2.0]))
    with pytest.raises(ValueError, match=r"repeats of shape \(2,\) cannot be broadcast"):
        jnp.repeat(jnp.array([1, 2, 3]), jnp.array([1, 2]))
    with pytest.raises(ConcretizationTypeError, match="total_repeat_length"):
        tinyjax.make_jaxpr(lambda r: jnp.repeat(jnp.arange(3), r))(jnp.array([1, 1, 1]))


def test_repeat_negative_counts_like_jax():
    # JAX's results (jax 0.10): the output length is the plain sum of the counts
    x = np.array([1, 2, 3], np.int32)
    cases = {(2, -1, 2): ([1, 2, 3], [1, 2, 3, 3, 3]), (-3, 2, 2): ([2], [1, 1, 2, 2, 3]),
             (1, 2, -2): ([1], [1, 2, 2, 3, 3]), (0, 0, 0): ([], [3, 3, 3, 3, 3]),
             (-1, 0, 2): ([3], [1, 1, 1, 1, 3])}
    for r, (plain, total5) in cases.items():
        r = np.array(r, np.int32)
        check(jnp.repeat(x, r), np.array(plain, np.int32))
        check(jnp.repeat(x, r, total_repeat_length=5), np.array(total5, np.int32))


@SETTINGS
@given(st.lists(st.integers(-1, 3), min_size=1, max_size=5), st.integers(0, 9), seeds)
def test_repeat_traced_counts(counts, total, seed):
    """Traced repeats with total_repeat_length: the scatter/cumsum/gather path."""
    x = rand(seed, (2, len(counts)))
    counts = np.array(counts, np.int32)
    (out,), avals = traced(lambda a, r: jnp.repeat(a, r, axis=1, total_repeat_length=total),
                           x, counts)
    assert avals[0].shape == (2, total)
    eager = jnp.repeat(x, counts, axis=1, total_repeat_length=total)
    check(out, np.asarray(eager))
    if (counts >= 0).all() and counts.sum() == total:
        check(out, np.repeat(x, counts, axis=1))


# ============================================================================= flips & rolls

@SETTINGS
@given(small_shapes, seeds, st.data())
def test_flip_rot90_roll_match_numpy(shape, seed, data):
    x = rand(seed, shape)
    nd = len(shape)
    check(jnp.flip(x), np.flip(x))
    if nd:
        axes = tuple(data.draw(st.lists(st.integers(0, nd - 1), unique=True)))
        check(jnp.flip(x, axes), np.flip(x, axes))
        check(jnp.flipud(x), np.flipud(x))
        shift = data.draw(st.integers(-10, 10))
        ax = data.draw(st.integers(-nd, nd - 1))
        check(jnp.roll(x, shift, ax), np.roll(x, shift, ax))
        shifts = tuple(data.draw(st.lists(st.integers(-6, 6), min_size=1, max_size=3)))
        axs = tuple(data.draw(st.lists(st.integers(0, nd - 1), min_size=len(shifts),
                                       max_size=len(shifts))))
        check(jnp.roll(x, shifts, axs), np.roll(x, shifts, axs))
    check(jnp.roll(x, 3), np.roll(x, 3))
    if nd >= 2:
        check(jnp.fliplr(x), np.fliplr(x))
        k = data.draw(st.integers(-5, 5))
        a0, a1 = data.draw(st.permutations(range(nd)))[:2]
        check(jnp.rot90(x, k, (a0, a1)), np.rot90(x, k, (a0, a1)))


@SETTINGS
@given(pos_shapes, seeds, st.data())
def test_roll_traced_shift(shape, seed, data):
    x = rand(seed, shape)
    nd = len(shape)
    axes = tuple(data.draw(st.lists(st.integers(-nd, nd - 1), min_size=1, max_size=3)))
    shifts = np.array(data.draw(st.lists(st.integers(-9, 9), min_size=len(axes),
                                         max_size=len(axes))), np.int32)
    (out,), avals = traced(lambda a, s: jnp.roll(a, s, axes), x, shifts)
    assert avals[0].shape == shape
    check(out, np.roll(x, tuple(shifts.tolist()), axes))
    (out,), _ = traced(lambda a, s: jnp.roll(a, s), x, np.int32(shifts[0]))
    check(out, np.roll(x, int(shifts[0])))


def test_flip_roll_errors():
    x = jnp.arange(12).reshape(3, 4)
    with pytest.raises(TypeError, match="rev dimensions must be unique"):
        jnp.flip(x, (0, 0))
    with pytest.raises(ValueError, match="axis 3 is out of bounds for array of dimension 2"):
        jnp.flip(x, 3)
    with pytest.raises(ValueError, match="axis 1 is out of bounds for array of dimension 1"):
        jnp.fliplr(jnp.ones(3))
    with pytest.raises(ValueError, match="Axes must be different"):
        jnp.rot90(x, axes=(0, 0))
    with pytest.raises(ValueError, match="len\\(axes\\) must be 2"):
        jnp.rot90(x, axes=(0, 1, 2))
    with pytest.raises(ValueError, match="cannot be broadcast"):
        jnp.roll(x, (1, 2, 3), (0, 1))
    with pytest.raises(ValueError, match="axis 2 is out of bounds"):
        jnp.roll(x, 1, 2)
    check(jnp.roll(2.0, 1), np.array(2.0), np.float32, weak=True)
    check(jnp.roll(jnp.arange(5), 2.5), np.roll(np.arange(5), 2), np.int32)  # JAX truncates
    check(jnp.roll(jnp.ones((0, 3)), 1, 0), np.ones((0, 3)), np.float32)


# ============================================================================= pad

PAD_MODES = ["constant", "edge", "wrap", "reflect", "symmetric", "maximum", "minimum",
             "mean", "median", "empty"]


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=3).map(tuple), seeds,
       st.sampled_from(PAD_MODES), st.sampled_from([np.float32, np.int32]), st.data())
def test_pad_matches_numpy(shape, seed, mode, dtype, data):
    x = rand(seed, shape, dtype)
    nd = len(shape)
    widths = [tuple(data.draw(st.lists(st.integers(0, 9), min_size=2, max_size=2)))
              for _ in range(nd)]
    form = data.draw(st.sampled_from(["full", "pair", "int"]))
    pw = widths if form == "full" else widths[0] if form == "pair" else widths[0][0]
    kw = {}
    if mode == "constant" and data.draw(st.booleans()):
        kw["constant_values"] = [tuple(data.draw(st.lists(st.integers(-5, 5), min_size=2,
                                                          max_size=2))) for _ in range(nd)]
    if mode in ("reflect", "symmetric"):
        kw["reflect_type"] = data.draw(st.sampled_from(["even", "odd"]))
    if mode in ("maximum", "minimum", "mean", "median") and data.draw(st.booleans()):
        kw["stat_length"] = [tuple(data.draw(st.lists(st.integers(1, 5), min_size=2,
                                                      max_size=2))) for _ in range(nd)]
    out = jnp.pad(x, pw, mode, **kw)
    ref = np.pad(x, pw, "constant" if mode == "empty" else mode, **kw)
    if mode in ("mean", "median") and dtype == np.float32:
        np.testing.assert_allclose(np.asarray(out), ref, rtol=1e-5, atol=1e-5)
        assert out.dtype == np.float32
    elif mode == "median" and dtype == np.int32:
        # NumPy rounds medians half away from zero, JAX (and tinyjax) half to even
        assert out.dtype == np.int32
        np.testing.assert_allclose(np.asarray(out), ref, atol=1)
    else:
        check(out, ref)


@SETTINGS
@given(st.lists(st.integers(1, 4), min_size=1, max_size=2).map(tuple), seeds, st.data())
def test_pad_linear_ramp_matches_numpy(shape, seed, data):
    x = rand(seed, shape)
    widths = [tuple(data.draw(st.lists(st.integers(0, 5), min_size=2, max_size=2)))
              for _ in shape]
    ends = [tuple(data.draw(st.lists(st.integers(-9, 9), min_size=2, max_size=2)))
            for _ in shape]
    out = jnp.pad(x, widths, "linear_ramp", end_values=ends)
    assert out.dtype == np.float32
    np.testing.assert_allclose(np.asarray(out), np.pad(x, widths, "linear_ramp",
                                                       end_values=ends), rtol=1e-5, atol=1e-5)


def test_pad_semantics_like_jax():
    a = jnp.array([1, 2, 4, 7])
    check(jnp.pad(a, 1, constant_values=1.7), np.array([1, 1, 2, 4, 7, 1]), np.int32)
    check(jnp.pad(2.0, 2), np.array(2.0), np.float32, weak=True)
    check(jnp.pad(jnp.ones((1,)), 2, mode="reflect"), np.ones(5), np.float32)
    # bool means are not rounded: any nonzero mean is True
    check(jnp.pad(jnp.array([True, False]), 2, mode="mean"),
          np.array([True, True, True, False, True, True]))
    check(jnp.pad(a, 9, mode="reflect", reflect_type="odd"),
          np.pad(np.asarray(a), 9, mode="reflect", reflect_type="odd"))
    check(jnp.pad(a, 2, "linear_ramp", end_values=(5, -1)),
          np.pad(np.asarray(a), 2, "linear_ramp", end_values=(5, -1)))
    c = jnp.arange(6.0).reshape(2, 3)
    check(jnp.pad(c, 1, constant_values=jnp.array([[1.0, 2.0], [3.0, 4.0]])),
          np.pad(np.asarray(c), 1, constant_values=[[1, 2], [3, 4]]))


def test_pad_errors():
    a = jnp.array([1, 2, 4, 7])
    with pytest.raises(ValueError, match="stat_length of 0 yields no value"):
        jnp.pad(a, 3, mode="maximum", stat_length=0)
    with pytest.raises(ValueError, match="index can't contain negative values"):
        jnp.pad(a, -1)
    for mode in ["edge", "reflect", "wrap", "symmetric"]:
        with pytest.raises(ValueError, match=f"Cannot apply '{mode}' padding to empty axis"):
            jnp.pad(jnp.ones((0,)), 2, mode=mode)
    with pytest.raises(ValueError, match="zero-size array to reduction operation max"):
        jnp.pad(jnp.ones((0,)), 0, mode="maximum")
    with pytest.raises(NotImplementedError, match="Unimplemented padding mode 'foo'"):
        jnp.pad(a, 2, mode="foo")
    with pytest.raises(ValueError, match="unsupported keyword arguments for mode 'edge'"):
        jnp.pad(a, 2, mode="edge", constant_values=3)
    with pytest.raises(ValueError, match=r"unsupported shape \(2, 2\)"):
        jnp.pad(a, ((1, 2), (3, 4)))
    with pytest.raises(TypeError, match="`pad_width` must be of integral type"):
        jnp.pad(a, 1.5)
    with pytest.raises(ValueError, match="reflect_type must be"):
        jnp.pad(a, 1, "reflect", reflect_type="foo")
    with pytest.raises(ConcretizationTypeError, match="pad_width"):
        tinyjax.make_jaxpr(lambda w: jnp.pad(a, w))(2)


def test_pad_traced_constant():
    x = rand(0, (2, 3))
    (out,), avals = traced(lambda a, c: jnp.pad(a, ((1, 0), (2, 1)), constant_values=c), x,
                           np.float32(7))
    assert avals[0].shape == (3, 6)
    check(out, np.pad(x, ((1, 0), (2, 1)), constant_values=7))


# ============================================================================= resize, append, insert, delete, trim

@SETTINGS
@given(small_shapes, small_shapes, seeds)
def test_resize_append_match_numpy(shape, new_shape, seed):
    x = rand(seed, shape)
    check(jnp.resize(x, new_shape), np.resize(x, new_shape))
    y = rand(seed + 1, new_shape)
    check(jnp.append(x, y), np.append(x, y))
    if shape:
        z = rand(seed + 2, (2,) + shape[1:])
        check(jnp.append(x, z, axis=0), np.append(x, z, axis=0))


@SETTINGS
@given(pos_shapes, seeds, st.data())
def test_insert_delete_match_numpy(shape, seed, data):
    x = rand(seed, shape, np.int32)
    nd = len(shape)
    axis = data.draw(st.sampled_from([None] + list(range(-nd, nd))))
    n = x.size if axis is None else shape[axis]
    idx = data.draw(st.integers(-n, n))
    v = np.int32(data.draw(st.integers(-9, 9)))
    check(jnp.insert(x, idx, v, axis), np.insert(x, idx, v, axis))
    many = np.array(data.draw(st.lists(st.integers(-n, n), max_size=4)), np.int64)
    vals = np.arange(len(many), dtype=np.int32) + 100
    if axis is None or nd == 1:
        check(jnp.insert(x, many, vals, axis), np.insert(x, many, vals, axis))
    check(jnp.insert(x, many, v, axis), np.insert(x, many, v, axis))
    sl = slice(*data.draw(st.tuples(st.integers(-n, n), st.integers(-n, n),
                                    st.sampled_from([1, 2, -1]))))
    check(jnp.insert(x, sl, v, axis), np.insert(x, sl, v, axis))
    check(jnp.delete(x, sl, axis), np.delete(x, sl, axis))
    dels = np.array(data.draw(st.lists(st.integers(-n, n - 1), max_size=4)), np.int64)
    check(jnp.delete(x, dels, axis), np.delete(x, dels, axis))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=n, max_size=n)), bool)
    check(jnp.delete(x, mask, axis), np.delete(x, mask, axis))
    if n:
        i = data.draw(st.integers(-n, n - 1))
        check(jnp.delete(x, i, axis), np.delete(x, i, axis))


def test_insert_delete_jax_semantics_and_errors():
    x = jnp.array([1, 2])
    # JAX clips out-of-range insertion points (NumPy raises)
    check(jnp.insert(x, 5, 2), np.array([1, 2, 2]), np.int32)
    check(jnp.insert(x, -3, 2), np.array([2, 1, 2]), np.int32)
    check(jnp.insert(x, jnp.array([1, 0, 5, -9]), 3), np.array([3, 3, 1, 3, 2, 3]), np.int32)
    check(jnp.insert(x, 1, 2.5), np.array([1, 2, 2]), np.int32)
    check(jnp.insert(2.0, 0, 3), np.array([3.0, 2.0]), np.float32, weak=True)
    m = np.array([[1, 2], [3, 4]], np.int32)
    check(jnp.insert(m, 1, np.array([[7, 8], [5, 6]], np.int32), axis=1),
          np.insert(m, 1, [[7, 8], [5, 6]], axis=1))
    check(jnp.insert(m, np.array([1]), np.array([7, 8], np.int32), axis=1),
          np.insert(m, [1], [7, 8], axis=1))
    check(jnp.delete(jnp.arange(30), np.arange(0, 30, 3)), np.delete(np.arange(30), np.arange(
        0, 30, 3)).astype(np.int32))
    with pytest.raises(TypeError, match="insert requires ndarray or scalar arguments"):
        jnp.insert(x, [1, 0], 3)
    with pytest.raises(ValueError, match="one-dimensional array, or a scalar"):
        jnp.insert(x, np.array([[1]]), 3)
    with pytest.raises(ValueError, match="index array must be integer typed"):
        jnp.insert(x, 1.5, 3)
    with pytest.raises(ValueError, match="cannot be broadcast"):
        jnp.insert(x, np.array([1, 0, 1]), np.array([7, 8]))
    with pytest.raises(IndexError, match="index 5 is out of bounds for axis 0 with size 3"):
        jnp.delete(jnp.array([1, 2, 3]), np.array([0, 5]))
    with pytest.raises(ValueError, match="for boolean indices, obj must be one-dimensional"):
        jnp.delete(jnp.array([1, 2, 3]), np.array([True, False]))
    with pytest.raises(ValueError, match="must be integer or bool"):
        jnp.delete(jnp.array([1, 2, 3]), 1.0)
    with pytest.raises(ConcretizationTypeError, match="concrete"):
        tinyjax.make_jaxpr(lambda i: jnp.delete(jnp.arange(3), i))(1)


def test_trim_zeros():
    for v in [[0, 0, 1, 2, 0], [0, 0, 0], [1, 0, 1], [], [0, 3]]:
        a = np.array(v, np.int32)
        for trim in ["fb", "f", "b", "F", "B"]:
            check(jnp.trim_zeros(a, trim), np.trim_zeros(a, trim))
    m = np.array([[0, 0, 0], [0, 1, 0], [0, 0, 0]], np.float32)
    check(jnp.trim_zeros(m), np.array([[1.0]], np.float32))
    check(jnp.trim_zeros(m, axis=0), m[1:2])
    check(jnp.trim_zeros(m, "f", axis=-1), m[:, 1:])
    check(jnp.trim_zeros(np.zeros((2, 3), np.float32)), np.zeros((0, 0), np.float32))
    check(jnp.trim_zeros(2.0), np.array(2.0), np.float32, weak=True)
    with pytest.raises(ConcretizationTypeError, match="concrete input"):
        tinyjax.make_jaxpr(jnp.trim_zeros)(jnp.ones(3))


# ============================================================================= index conversion

@SETTINGS
@given(pos_shapes, seeds, st.sampled_from(["C", "F"]))
def test_ravel_unravel_match_numpy(dims, seed, order):
    rng = np.random.default_rng(seed)
    coords = tuple(rng.integers(0, d, size=5).astype(np.int32) for d in dims)
    check(jnp.ravel_multi_index(coords, dims, order=order),
          np.ravel_multi_index(coords, dims, order=order).astype(np.int32))
    wild = tuple(rng.integers(-2 * d, 2 * d, size=5).astype(np.int32) for d in dims)
    check(jnp.ravel_multi_index(wild, dims, mode="wrap", order=order),
          np.ravel_multi_index(wild, dims, mode="wrap", order=order).astype(np.int32))
    check(jnp.ravel_multi_index(wild, dims, mode="clip", order=order),
          np.ravel_multi_index(wild, dims, mode="clip", order=order).astype(np.int32))
    size = int(np.prod(dims))
    flat = rng.integers(0, size, size=(2, 3)).astype(np.int32)
    check_list(jnp.unravel_index(flat, dims),
               [c.astype(np.int32) for c in np.unravel_index(flat, dims)])
    # out of range: JAX counts negative indices from the end, then clips
    wildflat = rng.integers(-3 * size, 3 * size, size=6).astype(np.int32)
    fixed = np.clip(np.where(wildflat < 0, wildflat + size, wildflat), 0, size - 1)
    check_list(jnp.unravel_index(wildflat, dims),
               [c.astype(np.int32) for c in np.unravel_index(fixed, dims)])


def test_index_conversion_dtypes_and_errors():
    check(jnp.ravel_multi_index((jnp.int8(0), 1), (2, 3)), np.array(1), np.int8)
    check(jnp.ravel_multi_index((0, 1), (2, 3)), np.array(1), np.int32)
    check(jnp.ravel_multi_index((np.array([[1], [2]]), np.array([3, 4])), (3, 5)),
          np.array([[8, 9], [13, 14]]), np.int32)
    check(jnp.ravel_multi_index((np.array([1]),), (3,), dtype="int8"), np.array([1]), np.int8)
    a, b = jnp.unravel_index(3, (2, 3))
    check(a, np.array(1), np.int32, weak=True)
    check(b, np.array(0), np.int32, weak=True)
    assert jnp.unravel_index(3, ()) == ()
    out = jnp.unravel_index(jnp.array([1, 250], "uint8"), (20, 20))
    check_list(out, [np.array([0, 12], np.uint8), np.array([1, 10], np.uint8)])
    out = jnp.unravel_index(jnp.array([1, -2], "int8"), (20, 20))
    check_list(out, [np.array([0, 19], np.int8), np.array([1, 18], np.int8)])
    with pytest.raises(ValueError, match="invalid entry in coordinates array"):
        jnp.ravel_multi_index((np.array([0, 1, 5]), np.array([1, -1, 2])), (2, 3))
    with pytest.raises(ValueError, match="is not an integer type"):
        jnp.ravel_multi_index((np.array([0.0]), 1), (2, 3))
    with pytest.raises(ValueError, match="sequence of length 2"):
        jnp.ravel_multi_index((np.array([0]),), (2, 3))
    with pytest.raises(ValueError, match="invalid order='X'"):
        jnp.ravel_multi_index((0, 1), (2, 3), order="X")
    with pytest.raises(ValueError, match="invalid mode='foo'"):
        jnp.ravel_multi_index((0, 1), (2, 3), mode="foo")
    with pytest.raises(ConcretizationTypeError, match="mode='raise'"):
        tinyjax.make_jaxpr(lambda i: jnp.ravel_multi_index((i, i), (2, 3)))(1)


# ============================================================================= diagonals

@SETTINGS
@given(st.lists(st.integers(0, 4), min_size=2, max_size=4).map(tuple), seeds, st.data())
def test_diagonal_trace_match_numpy(shape, seed, data):
    x = rand(seed, shape, data.draw(st.sampled_from([np.float32, np.int32, np.int8])))
    nd = len(shape)
    a1, a2 = data.draw(st.permutations(range(-nd, 0)))[:2]
    off = data.draw(st.integers(-5, 5))
    check(jnp.diagonal(x, off, a1, a2), np.diagonal(x, off, a1, a2))
    t = jnp.trace(x, off, a1, a2)
    ref = np.trace(x, off, a1, a2)
    assert t.dtype == (np.float32 if x.dtype == np.float32 else np.int32)
    np.testing.assert_allclose(np.asarray(t), ref, rtol=1e-5, atol=1e-4)


@SETTINGS
@given(st.integers(0, 5), st.integers(-6, 6), seeds)
def test_diag_diagflat_match_numpy(n, k, seed):
    v = rand(seed, (n,))
    check(jnp.diag(v, k), np.diag(v, k))
    m = rand(seed, (n, n + 1))
    check(jnp.diag(m, k), np.diag(m, k))
    check(jnp.diagflat(m, k), np.diagflat(m, k))


def test_diag_helpers():
    check(jnp.diag(2.0 * jnp.ones(2)), np.diag([2.0, 2.0]), np.float32)
    check(jnp.diagonal(2.0 * jnp.ones((2, 2))), np.array([2.0, 2.0]), np.float32)
    assert jnp.trace(jnp.ones((3, 3), "uint8")).dtype == np.uint32
    assert jnp.trace(jnp.ones((3, 3), "bool")).dtype == np.int32
    assert jnp.trace(jnp.ones((3, 3), "float16")).dtype == np.float16
    check(jnp.trace(jnp.ones((3, 3), "int8"), dtype="int8"), np.array(3), np.int8)
    with pytest.raises(ValueError, match="diag input must be 1d or 2d"):
        jnp.diag(jnp.ones((2, 2, 2)))
    with pytest.raises(ValueError, match="at least two dimensions"):
        jnp.diagonal(jnp.ones(3))
    with pytest.raises(ValueError, match="at least two dimensions"):
        jnp.trace(jnp.ones(3))
    with pytest.raises(ValueError, match="cannot be the same"):
        jnp.diagonal(jnp.ones((2, 2)), 0, 0, 0)
    with pytest.raises(TypeError, match="integer"):
        jnp.diag(jnp.ones(2), 1.5)
    with pytest.raises(NotImplementedError, match="out"):
        jnp.trace(jnp.ones((2, 2)), out=jnp.ones(()))


def test_diag_and_triangle_indices():
    for n, nd in [(3, 2), (2, 3), (0, 2), (2, 0)]:
        check_list(jnp.diag_indices(n, nd), [x.astype(np.int32) for x in np.diag_indices(n, nd)])
    check_list(jnp.diag_indices_from(jnp.ones((3, 3))), [np.arange(3, dtype=np.int32)] * 2)
    with pytest.raises(ValueError, match="must be nonnegative, got -1"):
        jnp.diag_indices(-1)
    with pytest.raises(ValueError, match="All dimensions of input must be of equal length"):
        jnp.diag_indices_from(jnp.ones((2, 3)))
    with pytest.raises(ValueError, match="at least 2-d"):
        jnp.diag_indices_from(jnp.ones((2,)))
    for n, k, m in [(3, 0, None), (3, 1, 4), (4, -1, 2), (0, 0, 0), (3, 5, None)]:
        check_list(jnp.tril_indices(n, k, m),
                   [x.astype(np.int32) for x in np.tril_indices(n, k, m)])
        check_list(jnp.triu_indices(n, k, m),
                   [x.astype(np.int32) for x in np.triu_indices(n, k, m)])
    a = np.ones((4, 3))
    check_list(jnp.tril_indices_from(a, 1), [x.astype(np.int32) for x in
                                             np.tril_indices_from(a, 1)])
    check_list(jnp.triu_indices_from(a, -1), [x.astype(np.int32) for x in
                                              np.triu_indices_from(a, -1)])
    with pytest.raises(ValueError, match="Only 2-D inputs are accepted"):
        jnp.tril_indices_from(jnp.ones((2, 3, 3)))
    check_list(jnp.mask_indices(3, jnp.triu, 1),
               [x.astype(np.int32) for x in np.mask_indices(3, np.triu, 1)])
    check_list(jnp.mask_indices(3, jnp.triu, 1, size=5),
               [np.array([0, 0, 1, 0, 0], np.int32), np.array([1, 2, 2, 0, 0], np.int32)])
    check_list(jnp.mask_indices(3, jnp.tril, -1, size=2),
               [np.array([1, 2], np.int32), np.array([0, 0], np.int32)])


@SETTINGS
@given(st.sampled_from([(3, 3), (5, 2), (2, 5), (4, 4), (7, 3), (2, 2, 2), (3, 3, 3), (0, 0)]),
       st.booleans(), st.integers(0, 4), seeds)
def test_fill_diagonal_matches_numpy(shape, wrap, nvals, seed):
    a = rand(seed, shape)
    val = rand(seed + 1, (nvals,)) if nvals else np.float32(7.5)
    ref = a.copy()
    np.fill_diagonal(ref, val, wrap=wrap)
    check(jnp.fill_diagonal(a, val, wrap=wrap, inplace=False), ref)


def test_fill_diagonal_semantics():
    check(jnp.fill_diagonal(jnp.zeros((2, 2), "int32"), 2.5), np.eye(2) * 2, np.int32)
    x = rand(0, (3, 3))
    (out,), avals = traced(lambda a, v: jnp.fill_diagonal(a, v), x, np.float32(4))
    ref = x.copy()
    np.fill_diagonal(ref, 4)
    check(out, ref)
    with pytest.raises(NotImplementedError, match="must use inplace=False"):
        jnp.fill_diagonal(jnp.zeros((3, 3)), 5, inplace=True)
    with pytest.raises(ValueError, match="All dimensions of input must be of equal length"):
        jnp.fill_diagonal(jnp.zeros((2, 2, 3)), 1.0)
    with pytest.raises(ValueError, match="at least 2-d"):
        jnp.fill_diagonal(jnp.zeros((2,)), 1.0)


def test_ndim_shape_size():
    assert (jnp.ndim([[1, 2]]), jnp.shape([[1, 2]]), jnp.size([[1, 2]])) == (2, (1, 2), 2)
    x = jnp.ones((2, 3))
    assert (jnp.ndim(x), jnp.shape(x), jnp.size(x), jnp.size(x, 1), jnp.size(x, (0, 1))) == \
        (2, (2, 3), 6, 3, 6)
    assert (jnp.ndim(2.0), jnp.shape(2.0), jnp.size(2.0)) == (0, (), 1)
    with pytest.raises(ValueError, match="axis 5 is out of bounds"):
        jnp.size(x, 5)
    jaxpr = tinyjax.make_jaxpr(lambda a: jnp.ones(jnp.shape(a)[::-1]) * jnp.size(a))(x)
    assert jaxpr.out_avals[0].shape == (3, 2)


# ============================================================================= tracing

X = np.arange(24, dtype=np.float32).reshape(2, 3, 4)
SQ = np.arange(9, dtype=np.float32).reshape(3, 3)
V = np.arange(4, dtype=np.float32)

TRACE_CASES = [
    ("reshape", lambda x: jnp.reshape(x, (4, -1), order="F"), X, [(4, 6)]),
    ("ravel", lambda x: jnp.ravel(x), X, [(24,)]),
    ("transpose", lambda x: jnp.transpose(x), X, [(4, 3, 2)]),
    ("permute_dims", lambda x: jnp.permute_dims(x, (1, 0, 2)), X, [(3, 2, 4)]),
    ("matrix_transpose", jnp.matrix_transpose, X, [(2, 4, 3)]),
    ("moveaxis", lambda x: jnp.moveaxis(x, 0, -1), X, [(3, 4, 2)]),
    ("swapaxes", lambda x: jnp.swapaxes(x, 0, 2), X, [(4, 3, 2)]),
    ("rollaxis", lambda x: jnp.rollaxis(x, 2), X, [(4, 2, 3)]),
    ("squeeze", lambda x: jnp.squeeze(x[None]), X, [(2, 3, 4)]),
    ("expand_dims", lambda x: jnp.expand_dims(x, (0, 4)), X, [(1, 2, 3, 4, 1)]),
    ("atleast_1d", jnp.atleast_1d, np.float32(1), [(1,)]),
    ("atleast_2d", jnp.atleast_2d, V, [(1, 4)]),
    ("atleast_3d", jnp.atleast_3d, V, [(1, 4, 1)]),
    ("broadcast_arrays", lambda x: jnp.broadcast_arrays(x, V[:, None, None, None]), X,
     [(4, 2, 3, 4)] * 2),
    ("concatenate", lambda x: jnp.concatenate([x, x], 1), X, [(2, 6, 4)]),
    ("concat", lambda x: jnp.concat([x, x], axis=None), X, [(48,)]),
    ("stack", lambda x: jnp.stack([x, x], -1), X, [(2, 3, 4, 2)]),
    ("vstack", lambda x: jnp.vstack([x, x]), V, [(2, 4)]),
    ("hstack", lambda x: jnp.hstack([x, x]), V, [(8,)]),
    ("dstack", lambda x: jnp.dstack([x, x]), V, [(1, 4, 2)]),
    ("column_stack", lambda x: jnp.column_stack([x, x]), V, [(4, 2)]),
    ("row_stack", lambda x: jnp.row_stack([x, x]), V, [(2, 4)]),
    ("block", lambda x: jnp.block([[x, x], [x, x]]), SQ, [(6, 6)]),
    ("split", lambda x: jnp.split(x, [1], axis=2), X, [(2, 3, 1), (2, 3, 3)]),
    ("array_split", lambda x: jnp.array_split(x, 2, axis=1), X, [(2, 2, 4), (2, 1, 4)]),
    ("hsplit", lambda x: jnp.hsplit(x, 3), X, [(2, 1, 4)] * 3),
    ("vsplit", lambda x: jnp.vsplit(x, 2), X, [(1, 3, 4)] * 2),
    ("dsplit", lambda x: jnp.dsplit(x, 2), X, [(2, 3, 2)] * 2),
    ("unstack", lambda x: jnp.unstack(x, axis=1), X, [(2, 4)] * 3),
    ("tile", lambda x: jnp.tile(x, (2, 1)), SQ, [(6, 3)]),
    ("repeat", lambda x: jnp.repeat(x, 2, axis=0), SQ, [(6, 3)]),
    ("flip", jnp.flip, X, [(2, 3, 4)]),
    ("fliplr", jnp.fliplr, SQ, [(3, 3)]),
    ("flipud", jnp.flipud, SQ, [(3, 3)]),
    ("rot90", jnp.rot90, X, [(3, 2, 4)]),
    ("roll", lambda x: jnp.roll(x, 1, 0), X, [(2, 3, 4)]),
    ("pad", lambda x: jnp.pad(x, 2, "reflect"), SQ, [(7, 7)]),
    ("resize", lambda x: jnp.resize(x, (2, 7)), SQ, [(2, 7)]),
    ("append", lambda x: jnp.append(x, x), V, [(8,)]),
    ("insert", lambda x: jnp.insert(x, 1, 5.0), V, [(5,)]),
    ("delete", lambda x: jnp.delete(x, [0, 2]), V, [(2,)]),
    ("ravel_multi_index", lambda i: jnp.ravel_multi_index((i, i), (4, 4), mode="clip"),
     np.arange(3, dtype=np.int32), [(3,)]),
    ("unravel_index", lambda i: jnp.unravel_index(i, (2, 3)), np.arange(3, dtype=np.int32),
     [(3,), (3,)]),
    ("diag", jnp.diag, V, [(4, 4)]),
    ("diagflat", jnp.diagflat, SQ, [(9, 9)]),
    ("diagonal", lambda x: jnp.diagonal(x, 1, 2, 1), X, [(2, 2)]),
    ("trace", jnp.trace, SQ, [()]),
    ("fill_diagonal", lambda x: jnp.fill_diagonal(x, 1.0), SQ, [(3, 3)]),
    ("diag_indices_from", jnp.diag_indices_from, SQ, [(3,), (3,)]),
    ("tril_indices_from", jnp.tril_indices_from, SQ, [(6,), (6,)]),
    ("triu_indices_from", jnp.triu_indices_from, SQ, [(6,), (6,)]),
]


@pytest.mark.parametrize("name,f,arg,shapes", TRACE_CASES, ids=[c[0] for c in TRACE_CASES])
def test_traces(name, f, arg, shapes):
    outs, avals = traced(lambda x: f(x), arg)
    assert [a.shape for a in avals] == shapes
    eager = f(jnp.asarray(arg))
    eager = list(eager) if isinstance(eager, (list, tuple)) else [eager]
    check_list(outs, [np.asarray(e) for e in eager])


def test_every_public_name_is_covered():
    mods = [importlib.import_module(f"tinyjax.numpy.{m}")
            for m in ("manipulation", "padding", "index_tricks")]
    traced_names = {c[0] for c in TRACE_CASES}
    static_only = {"broadcast_shapes", "diag_indices", "tril_indices", "triu_indices",
                   "mask_indices", "trim_zeros", "ndim", "shape", "size"}
    assert {n for m in mods for n in m.__all__} == traced_names | static_only
    for mod in mods:
        for name in mod.__all__:
            public = getattr(jnp, name)
            assert getattr(public, "__wrapped__", public) is getattr(mod, name)
            assert getattr(mod, name).__doc__


# ============================================================================= JAX oracle

JAX_CASES = [
    "j.reshape(j.arange(24).reshape(2,3,4), (4,-1), order='F')",
    "j.concatenate([j.array([1], 'int8'), j.array([3], 'uint8')])",
    "j.concatenate([j.ones(2, 'float16'), j.ones(1, 'int32')])",
    "j.stack([j.ones(2, 'bool'), j.ones(2, 'bool')])",
    "j.hstack([j.ones(2, 'int16'), 3.0])",
    "j.block([[1, 2.0], [3, 4]])",
    "j.tile(j.ones(2, 'int8'), 2)",
    "j.repeat(j.array([1,2,3]), j.array([1,0,2]), total_repeat_length=6)",
    "j.pad(j.arange(6).reshape(2,3), 2, mode='median')",
    "j.pad(j.arange(6, dtype='int8').reshape(2,3), ((1,2),(2,1)), mode='mean')",
    "j.pad(j.ones(3, 'float16'), 2, mode='linear_ramp', end_values=5)",
    "j.pad(j.arange(5, dtype='uint8'), 3, mode='symmetric', reflect_type='odd')",
    "j.pad(2., 2, mode='edge')",
    "j.resize(2., 3)",
    "j.insert(j.array([1.,2]), 1, j.array([3,4],'int8'))",
    "j.insert(j.array([1,2], 'uint8'), j.array([1, 0, 1]), j.array([7,8,9]))",
    "j.delete(j.array([1,2,3], 'int16'), j.array([0, 0, -1]))",
    "j.unravel_index(j.array([-1, 5, 6, 100, -100]), (2,3))",
    "j.unravel_index(j.array([1,2],dtype=j.uint8), (2,3))",
    "j.ravel_multi_index((j.array([0,1,5], 'int16'), j.array([1,-1,2], 'int16')), (2,3), mode='wrap')",
    "j.trace(j.ones((3,3),'int8'))",
    "j.trace(j.ones((2,3),'uint16'), 1)",
    "j.diag(j.array([1, 2], 'int8'), -1)",
    "j.diagflat(j.ones((2,2), 'bool'))",
    "j.fill_diagonal(j.zeros((5,2), 'int8'), j.array([1, 2, 3], 'int8'), inplace=False)",
    "j.diagonal(j.ones((2,3,4), 'float16'), 1, 0, 2)",
    "j.atleast_3d(j.int8(3))",
    "j.rot90(j.ones((2, 3), 'uint8'), 3)",
    "j.roll(j.arange(10, dtype='int8').reshape(2,5), (1, -1), (1, 0))",
    "j.tril_indices(3, 1, 4)",
    "j.mask_indices(4, j.triu, 1)",
]


@pytest.mark.parametrize("expr", JAX_CASES)
def test_against_jax(expr):
    jax = pytest.importorskip("jax")
    want = eval(expr, {"j": jax.numpy})
    got = eval(expr, {"j": jnp})
    want = list(want) if isinstance(want, (list, tuple)) else [want]
    got = list(got) if isinstance(got, (list, tuple)) else [got]
    assert len(got) == len(want)
    for g, w in zip(got, want):
        check(g, np.asarray(w), weak=w.weak_type)
