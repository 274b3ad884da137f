"""vmap of the reductions family: reduce_*, argmax/argmin, the cumulative ops, sort and
top_k, and the tinyjax.numpy functions built on them.

The specification is the Python loop: `vmap(f, in_axes, out_axes)(xs)` equals `f`
applied eagerly to every example and stacked along `out_axes`, for batch dims at the
front, in the middle and at the end, batch sizes 1 and 3, nested vmaps and batched /
unbatched operand mixes. `jax.vmap` is a second oracle, and the jaxpr of a vmapped
primitive holds that primitive once (the batch is never looped over).
"""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax

EXAMPLE = (4, 5)  # the per-example operand shape of most cases


# ----------------------------------------------------------------------------- the oracle

def _stack(outs, axis):
    if isinstance(outs[0], (tuple, list)):
        return type(outs[0])(_stack([o[i] for o in outs], axis) for i in range(len(outs[0])))
    return np.stack([np.asarray(o) for o in outs], axis=axis)


def loop(f, in_axes=0, out_axes=0):
    """vmap's meaning: f on each example, stacked along out_axes."""
    def looped(*args):
        axes = in_axes if isinstance(in_axes, tuple) else (in_axes,) * len(args)
        size = next(np.shape(a)[ax] for a, ax in zip(args, axes) if ax is not None)
        outs = [f(*[a if ax is None else np.take(np.asarray(a), i, axis=ax)
                    for a, ax in zip(args, axes)]) for i in range(size)]
        return _stack(outs, out_axes)
    return looped


def assert_same(got, want, exact=False):
    if isinstance(want, (tuple, list)):
        assert isinstance(got, (tuple, list)) and len(got) == len(want)
        for g, w in zip(got, want):
            assert_same(g, w, exact)
        return
    got, want = np.asarray(got), np.asarray(want)
    assert got.dtype == want.dtype
    assert got.shape == want.shape
    if exact or want.dtype.kind not in "fc":
        np.testing.assert_array_equal(got, want)
        if want.dtype.kind == "f":  # signed zeros too (a NaN's sign bit is noise)
            num = ~np.isnan(want)
            np.testing.assert_array_equal(np.signbit(got[num]), np.signbit(want[num]))
    else:
        np.testing.assert_allclose(got, want, rtol=2e-6, atol=1e-6)


def fit_out_axis(f, example, out_axis):
    """out_axis, or 0 where the per-example result is a scalar (only axis 0 exists)."""
    out = f(example)
    nd = np.ndim(out[0] if isinstance(out, (tuple, list)) else out)
    return out_axis if -nd - 1 <= out_axis <= nd else 0


def batched(rng, make, example_shape, axis, size):
    """`size` examples from make(rng, shape) stacked along `axis`."""
    return np.stack([make(rng, example_shape) for _ in range(size)], axis=axis)


# ----------------------------------------------------------------------------- inputs

def floats(rng, shape):
    return rng.standard_normal(shape).astype(np.float32)


def near_one(rng, shape):
    return rng.uniform(0.5, 1.5, shape).astype(np.float32)


def specials(rng, shape):
    """Ties, signed zeros, infinities and NaNs (where max/min/sort/argmax differ)."""
    pool = np.array([0., -0., 1., -1., 2., np.inf, -np.inf, np.nan], np.float32)
    return rng.choice(pool, shape, p=[.2, .2, .15, .15, .1, .08, .07, .05])


def small_ints(rng, shape):
    return rng.integers(-3, 4, shape).astype(np.int32)


def uint8s(rng, shape):
    return rng.integers(0, 256, shape).astype(np.uint8)


def bools(rng, shape):
    return rng.random(shape) < 0.6


# (id, f(lax module) -> per-example function, input maker, exact comparison)
CASES = [
    ("reduce_sum_()", lambda L: lambda x: L.reduce_sum(x, ()), floats, False),
    ("reduce_sum_0", lambda L: lambda x: L.reduce_sum(x, (0,)), floats, False),
    ("reduce_sum_1", lambda L: lambda x: L.reduce_sum(x, (1,)), floats, False),
    ("reduce_sum_01", lambda L: lambda x: L.reduce_sum(x, (0, 1)), floats, False),
    ("reduce_sum_int", lambda L: lambda x: L.reduce_sum(x, (1,)), small_ints, True),
    ("reduce_prod_1", lambda L: lambda x: L.reduce_prod(x, (1,)), near_one, False),
    ("reduce_prod_int", lambda L: lambda x: L.reduce_prod(x, (0, 1)), small_ints, True),
    ("reduce_max_0", lambda L: lambda x: L.reduce_max(x, (0,)), specials, True),
    ("reduce_max_01", lambda L: lambda x: L.reduce_max(x, (1, 0)), specials, True),
    ("reduce_min_1", lambda L: lambda x: L.reduce_min(x, (1,)), specials, True),
    ("reduce_min_int", lambda L: lambda x: L.reduce_min(x, (0,)), small_ints, True),
    ("reduce_and_bool", lambda L: lambda x: L.reduce_and(x, (1,)), bools, True),
    ("reduce_or_bool", lambda L: lambda x: L.reduce_or(x, (0,)), bools, True),
    ("reduce_xor_bool", lambda L: lambda x: L.reduce_xor(x, (0, 1)), bools, True),
    ("reduce_and_u8", lambda L: lambda x: L.reduce_and(x, (0,)), uint8s, True),
    ("reduce_or_i32", lambda L: lambda x: L.reduce_or(x, (1,)), small_ints, True),
    ("reduce_xor_u8", lambda L: lambda x: L.reduce_xor(x, (1,)), uint8s, True),
    ("argmax_0", lambda L: lambda x: L.argmax(x, 0, np.int32), specials, True),
    ("argmax_1", lambda L: lambda x: L.argmax(x, 1, np.int32), small_ints, True),
    ("argmin_1_int16", lambda L: lambda x: L.argmin(x, 1, np.int16), specials, True),
    ("argmin_0", lambda L: lambda x: L.argmin(x, 0, np.int32), small_ints, True),
    ("cumsum_0", lambda L: lambda x: L.cumsum(x, 0), floats, False),
    ("cumsum_1_rev", lambda L: lambda x: L.cumsum(x, 1, reverse=True), floats, False),
    ("cumsum_int", lambda L: lambda x: L.cumsum(x, 1), small_ints, True),
    ("cumprod_1", lambda L: lambda x: L.cumprod(x, 1), near_one, False),
    ("cumprod_0_rev", lambda L: lambda x: L.cumprod(x, 0, reverse=True), near_one, False),
    ("cummax_1", lambda L: lambda x: L.cummax(x, 1), specials, True),
    ("cummax_0_rev", lambda L: lambda x: L.cummax(x, 0, reverse=True), small_ints, True),
    ("cummin_0", lambda L: lambda x: L.cummin(x, 0), specials, True),
    ("cummin_1_rev", lambda L: lambda x: L.cummin(x, 1, reverse=True), floats, True),
    ("cumlogsumexp_1", lambda L: lambda x: L.cumlogsumexp(x, 1), floats, False),
    ("cumlogsumexp_0_rev", lambda L: lambda x: L.cumlogsumexp(x, 0, reverse=True), floats,
     False),
    ("sort_-1", lambda L: lambda x: L.sort(x), specials, True),
    ("sort_0", lambda L: lambda x: L.sort(x, dimension=0), specials, True),
    ("sort_int", lambda L: lambda x: L.sort(x, dimension=1), small_ints, True),
    ("sort_key_val", lambda L: lambda x: L.sort_key_val(x, -x), small_ints, True),
    ("top_k_last", lambda L: lambda x: L.top_k(x, 3), specials, True),
    ("top_k_axis0", lambda L: lambda x: L.top_k(x, 2, axis=0), small_ints, True),
]
CASE_IDS = [c[0] for c in CASES]


# ----------------------------------------------------------------------------- vmap == loop

@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("in_axis,out_axis", [(0, 0), (1, -1), (-1, 1), (2, 0)])
@pytest.mark.parametrize("size", [1, 3])
def test_vmap_matches_loop(case, in_axis, out_axis, size):
    name, make_f, make_x, exact = case
    rng = np.random.default_rng(zlib.crc32(repr((name, in_axis, out_axis, size)).encode()))
    f = make_f(lax)
    xs = batched(rng, make_x, EXAMPLE, in_axis % 3, size)
    out_axis = fit_out_axis(f, xs.take(0, in_axis), out_axis)
    got = tinyjax.vmap(f, in_axis, out_axis)(xs)
    assert_same(got, loop(f, in_axis, out_axis)(xs), exact)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_nested_vmap_matches_double_loop(case):
    name, make_f, make_x, exact = case
    rng = np.random.default_rng(len(name))
    f = make_f(lax)
    # inner batch (size 2) at axis 1 of the per-outer-example value, outer (size 3) last
    xs = batched(rng, lambda r, s: batched(r, make_x, EXAMPLE, 1, 2), (), 3, 3)
    got = tinyjax.vmap(tinyjax.vmap(f, 1, 0), -1, 1)(xs)
    assert_same(got, loop(loop(f, 1, 0), -1, 1)(xs), exact)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_vmap_matches_jax(case):
    jax = pytest.importorskip("jax")
    name, make_f, make_x, exact = case
    rng = np.random.default_rng(len(name) + 7)
    xs = batched(rng, make_x, EXAMPLE, 1, 3)
    got = tinyjax.vmap(make_f(lax), 1, -1)(xs)
    want = jax.vmap(make_f(jax.lax), 1, -1)(xs)
    want = type(want)(np.asarray(w) for w in want) if isinstance(want, tuple) else \
        np.asarray(want)
    assert_same(got, want, exact)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
def test_vmapped_primitive_is_applied_once(case):
    """The batched jaxpr holds the primitive once: no loop over the batch."""
    name, make_f, make_x, _ = case
    f = make_f(lax)
    x = make_x(np.random.default_rng(0), EXAMPLE)
    prims = [e.primitive for e in tinyjax.make_jaxpr(f)(x).jaxpr.eqns]
    xs = batched(np.random.default_rng(0), make_x, EXAMPLE, 1, 3)
    batched_prims = [e.primitive for e in
                     tinyjax.make_jaxpr(tinyjax.vmap(f, 1, 1))(xs).jaxpr.eqns]
    for p in set(prims):
        assert batched_prims.count(p) == prims.count(p), (name, batched_prims)


# ----------------------------------------------------------------------------- property test

@settings(max_examples=15, deadline=None)
@given(shape=st.lists(st.integers(1, 4), min_size=1, max_size=3),
       size=st.integers(1, 3), data=st.data())
def test_random_axes_match_loop(shape, size, data):
    nd = len(shape)
    axes = tuple(data.draw(st.permutations(range(nd)))[:data.draw(st.integers(0, nd))])
    axis = data.draw(st.integers(0, nd - 1))
    in_axis = data.draw(st.integers(-nd - 1, nd))
    out_axis = data.draw(st.integers(0, nd))
    fns = [lambda x: lax.reduce_sum(x, axes), lambda x: lax.reduce_max(x, axes),
           lambda x: lax.argmin(x, axis, np.int32), lambda x: lax.cumsum(x, axis),
           lambda x: lax.sort(x, dimension=axis), lambda x: lax.top_k(x, 1, axis=axis)]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**16)))
    xs = batched(rng, small_ints, tuple(shape), in_axis % (nd + 1), size)
    for f in fns:
        o = fit_out_axis(f, xs.take(0, in_axis), out_axis)
        assert_same(tinyjax.vmap(f, in_axis, o)(xs), loop(f, in_axis, o)(xs))


# ----------------------------------------------------------------------------- multi-operand sort

SORT_MIXES = [  # in_axes of (keys, values)
    (0, None), (None, 0), (1, -1), (-1, None), (None, 1), (2, 0),
]


@pytest.mark.parametrize("in_axes", SORT_MIXES)
@pytest.mark.parametrize("dimension", [0, 1])
def test_sort_key_val_batched_and_unbatched_operands(in_axes, dimension):
    rng = np.random.default_rng(dimension)
    keys = [small_ints(rng, EXAMPLE) for _ in range(3)]
    vals = [floats(rng, EXAMPLE) for _ in range(3)]
    args = [keys[0] if in_axes[0] is None else np.stack(keys, in_axes[0] % 3),
            vals[0] if in_axes[1] is None else np.stack(vals, in_axes[1] % 3)]

    def f(k, v):
        return lax.sort((k, v), dimension=dimension, num_keys=1)
    got = tinyjax.vmap(f, in_axes, 1)(*args)
    assert_same(got, loop(f, in_axes, 1)(*args), exact=True)


@pytest.mark.parametrize("in_axes", [(0, None, 1), (None, 2, None), (None, None, 0),
                                     (1, 0, -1)])
def test_sort_num_keys_two_three_operands(in_axes):
    rng = np.random.default_rng(sum(a or 0 for a in in_axes))
    makers = (small_ints, small_ints, floats)
    args = [m(rng, EXAMPLE) if ax is None else batched(rng, m, EXAMPLE, ax % 3, 3)
            for m, ax in zip(makers, in_axes)]

    def f(a, b, c):
        return lax.sort((a, b, c), dimension=1, num_keys=2)
    got = tinyjax.vmap(f, in_axes, -1)(*args)
    assert_same(got, loop(f, in_axes, -1)(*args), exact=True)
    jax = pytest.importorskip("jax")
    want = jax.vmap(lambda a, b, c: jax.lax.sort((a, b, c), dimension=1, num_keys=2),
                    in_axes, -1)(*args)
    assert_same(got, tuple(np.asarray(w) for w in want), exact=True)


def test_batched_sort_is_one_sort_of_equal_shapes():
    keys = np.zeros((4, 3, 5), np.int32)
    vals = np.zeros(EXAMPLE, np.float32)
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lambda k, v: lax.sort_key_val(k, v, 0),
                                            (1, None)))(keys, vals).jaxpr
    sorts = [e for e in jaxpr.eqns if e.primitive is lax.sort_p]
    assert len(sorts) == 1
    eqn, = sorts
    assert [v.aval.shape for v in eqn.invars] == [(4, 3, 5)] * 2
    assert eqn.params["dimension"] == 0 and eqn.params["num_keys"] == 1


# ----------------------------------------------------------------------------- params

def test_reduction_axes_shift_past_the_batch_dim():
    xs = np.zeros((4, 3, 5), np.float32)
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lambda x: lax.reduce_sum(x, (0, 1)), 1, 0))(xs)
    eqn = next(e for e in jaxpr.jaxpr.eqns if e.primitive is lax.reduce_sum_p)
    assert eqn.params["axes"] == (0, 2)


def test_argmax_keeps_index_dtype():
    xs = np.random.default_rng(0).standard_normal((3, 4, 5)).astype(np.float32)
    out = tinyjax.vmap(lambda x: lax.argmax(x, 1, np.int16), 2)(xs)
    assert out.dtype == np.int16
    np.testing.assert_array_equal(out, np.argmax(xs, axis=1).T)


def test_cumulative_axis_shifts_and_batch_dim_stays():
    xs = np.zeros((4, 3, 5), np.float32)
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lambda x: lax.cummax(x, 1), 1, 1))(xs).jaxpr
    eqn, = jaxpr.eqns  # no transposes: the batch dim is already where out_axes wants it
    assert eqn.primitive is lax.cummax_p and eqn.params["axis"] == 2


@pytest.mark.parametrize("in_axis", [0, 1, 2])
def test_top_k_keeps_its_axis_last(in_axis):
    xs = np.zeros((3, 4, 5), np.float32)
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lambda x: lax.top_k(x, 2), in_axis))(xs).jaxpr
    eqn = next(e for e in jaxpr.eqns if e.primitive is lax.top_k_p)
    assert eqn.params["axis"] == 2


def test_unbatched_operand_is_not_batched():
    """An operand that vmap does not map stays unbatched through the reduction."""
    x = np.arange(20, dtype=np.float32).reshape(EXAMPLE)
    ys = np.arange(3, dtype=np.float32)
    out = tinyjax.vmap(lambda y: lax.reduce_sum(x, (0,)) * y)(ys)
    np.testing.assert_allclose(out, x.sum(0)[None] * ys[:, None])


# ----------------------------------------------------------------------------- with autodiff

def test_vmap_of_grad_of_reduce_max_matches_loop_and_jax():
    rng = np.random.default_rng(1)
    xs = small_ints(rng, (3,) + EXAMPLE).astype(np.float32)  # ties share the gradient

    def f(x):
        return lax.reduce_max(x, (1,)).sum()
    g = tinyjax.grad(f)
    got = tinyjax.vmap(g, 0, 1)(xs)
    assert_same(got, loop(g, 0, 1)(xs))
    jax = pytest.importorskip("jax")
    want = jax.vmap(jax.grad(lambda x: jax.lax.reduce_max(x, (1,)).sum()), 0, 1)(xs)
    assert_same(got, np.asarray(want))


def test_grad_of_vmapped_cumprod_and_sort():
    rng = np.random.default_rng(2)
    xs = near_one(rng, (4, 3, 5))
    w = floats(rng, EXAMPLE)

    def per_example(x):
        return (lax.cumprod(x, 1) * w).sum() + (lax.sort(x, 0) * w).sum()

    def total(xs):
        return tinyjax.vmap(per_example, 1)(xs).sum()
    got = tinyjax.grad(total)(xs)
    want = loop(tinyjax.grad(per_example), 1, 1)(xs)
    assert_same(got, want)
    jax = pytest.importorskip("jax")

    def jax_example(x):
        return (jax.lax.cumprod(x, 1) * w).sum() + (jax.lax.sort(x, dimension=0) * w).sum()
    assert_same(got, np.asarray(jax.grad(lambda xs: jax.vmap(jax_example, 1)(xs).sum())(xs)))


def test_vmap_of_grad_of_top_k_and_cumlogsumexp():
    rng = np.random.default_rng(3)
    xs = floats(rng, (3,) + EXAMPLE)

    def f(x):
        return lax.top_k(x, 2)[0].sum() + lax.cumlogsumexp(x, 0)[-1].sum()
    g = tinyjax.grad(f)
    assert_same(tinyjax.vmap(g, 2, 2)(np.moveaxis(xs, 0, 2)), loop(g, 0, 2)(xs))


# ----------------------------------------------------------------------------- tinyjax.numpy

JNP_CASES = [
    ("sum", lambda x: jnp.sum(x), floats),
    ("sum_axis0", lambda x: jnp.sum(x, axis=0), floats),
    ("sum_keepdims", lambda x: jnp.sum(x, axis=-1, keepdims=True), floats),
    ("mean", lambda x: jnp.mean(x), floats),
    ("mean_axis1", lambda x: jnp.mean(x, axis=1), floats),
    ("max", lambda x: jnp.max(x), floats),
    ("max_axis0", lambda x: jnp.max(x, axis=0), specials),
    ("argmax", lambda x: jnp.argmax(x), floats),
    ("argmax_axis1", lambda x: jnp.argmax(x, axis=1), specials),
    ("cumsum", lambda x: jnp.cumsum(x), floats),
    ("cumsum_axis0", lambda x: jnp.cumsum(x, axis=0), small_ints),
    ("sort", lambda x: jnp.sort(x), specials),
    ("sort_axis0", lambda x: jnp.sort(x, axis=0), floats),
    ("argsort", lambda x: jnp.argsort(x), small_ints),
    ("argsort_axis0", lambda x: jnp.argsort(x, axis=0), floats),
    ("median", lambda x: jnp.median(x), floats),
    ("median_axis1", lambda x: jnp.median(x, axis=1), floats),
]


@pytest.mark.parametrize("case", JNP_CASES, ids=[c[0] for c in JNP_CASES])
@pytest.mark.parametrize("in_axis,out_axis", [(0, 0), (-1, 1), (1, -1)])
def test_vmap_of_jnp_matches_loop(case, in_axis, out_axis):
    name, f, make_x = case
    rng = np.random.default_rng(len(name) + in_axis)
    xs = batched(rng, make_x, EXAMPLE, in_axis % 3, 3)
    out_axis = fit_out_axis(f, xs.take(0, in_axis), out_axis)
    got = tinyjax.vmap(f, in_axis, out_axis)(xs)
    assert_same(got, loop(f, in_axis, out_axis)(xs))


def test_nested_vmap_of_jnp_median_and_argsort():
    xs = floats(np.random.default_rng(4), (2, 4, 3, 5))
    for f in (lambda x: jnp.median(x, axis=0), lambda x: jnp.argsort(x, axis=-1)):
        got = tinyjax.vmap(tinyjax.vmap(f, 1), 0)(xs)
        assert_same(got, loop(loop(f, 1), 0)(xs))
