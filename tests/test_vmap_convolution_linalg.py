"""vmap of the contraction / windowed family (dot_general, conv_general_dilated,
reduce_window_{sum,max,min}) and of lax.linalg (cholesky, triangular_solve, lu,
lu_pivots_to_permutation, qr, eigh, svd).

Each rule is checked against its specification: `vmap(f, in_axes, out_axes)` equals
a Python loop of eager calls stacked along `out_axes`, for batch dims at the front,
in the middle and at the end, unbatched operands mixed with batched ones, batch
sizes 1 and 3, and vmap nested twice. The contractions must stay ONE primitive
application (checked on the jaxpr), and derivatives compose with vmap both ways.
`jax.vmap` is the oracle where installed.
"""
import functools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax

try:
    import jax
except ImportError:  # the oracle is optional: those checks skip without it
    jax = None

needs_jax = pytest.mark.skipif(jax is None, reason="needs jax as the oracle")
LA = lax.linalg
SETTINGS = settings(max_examples=15, deadline=None)
RTOL = ATOL = 2e-4


# ----------------------------------------------------------------------------- helpers

def _listify(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def loop_vmap(f, in_axes, out_axes=0):
    """The specification of vmap: call f on each example and stack the results."""
    def run(*args):
        sizes = {np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None}
        (size,) = sizes
        outs = []
        for i in range(size):
            ex = [a if ax is None else np.take(np.asarray(a), i, axis=ax)
                  for a, ax in zip(args, in_axes)]
            outs.append([np.asarray(o) for o in _listify(f(*ex))])
        return [np.stack([o[j] for o in outs], axis=out_axes) for j in range(len(outs[0]))]
    return run


def batched(rng, shape, axis, size, dtype=np.float32):
    """A random operand of example shape `shape` with a batch of `size` at `axis`
    (None: unbatched, the example itself)."""
    if axis is None:
        return rng.standard_normal(shape).astype(dtype)
    x = rng.standard_normal((size,) + tuple(shape)).astype(dtype)
    return np.moveaxis(x, 0, axis)


def check(f, args, in_axes, out_axes=0, rtol=RTOL, atol=ATOL):
    got = _listify(tinyjax.vmap(f, in_axes=in_axes, out_axes=out_axes)(*args))
    want = loop_vmap(f, in_axes, out_axes)(*args)
    assert len(got) == len(want)
    for g, w in zip(got, want):
        g = np.asarray(g)
        assert g.shape == w.shape and g.dtype == w.dtype, (g.shape, w.shape, g.dtype, w.dtype)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return got


def check_nested(f, args, inner_axes, outer_axes, inner_out=0, outer_out=0):
    """vmap(vmap(f)) against a double loop."""
    got = _listify(tinyjax.vmap(tinyjax.vmap(f, inner_axes, inner_out), outer_axes,
                                outer_out)(*args))
    want = loop_vmap(lambda *a: loop_vmap(f, inner_axes, inner_out)(*a), outer_axes,
                     outer_out)(*args)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g), w, rtol=RTOL, atol=ATOL)


def count_eqns(f, args, name):
    jaxpr = tinyjax.make_jaxpr(f)(*args)
    return [e.primitive.name for e in jaxpr.jaxpr.eqns].count(name)


def test_helpers_spec():
    # the reference itself: stacking slices of a batched identity gives the input back
    x = np.arange(24.0).reshape(2, 3, 4)
    for ax in (0, 1, 2):
        np.testing.assert_array_equal(loop_vmap(lambda v: v, (ax,), ax)(x)[0], x)


# ============================================================================= dot_general

# (lhs example shape, rhs example shape, dimension numbers)
DOT_CASES = [
    ((3, 4), (4, 5), (((1,), (0,)), ((), ()))),  # matmul
    ((4,), (4,), (((0,), (0,)), ((), ()))),  # inner product
    ((3,), (5,), (((), ()), ((), ()))),  # outer product
    ((4, 3), (5, 4), (((0,), (1,)), ((), ()))),  # transposed contraction
    ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,)))),  # batch matmul
    ((3, 2, 4, 6), (4, 2, 6, 5), (((2, 3), (0, 2)), ((1,), (1,)))),  # 2 contracting, batch
    ((2, 3, 4), (4, 2), (((2,), (0,)), ((0,), (1,)))),  # batch dims in different places
]
DOT_AXES = [(0, 0), (0, None), (None, 0), (1, -1), (-1, 1), (None, -1), (-1, None)]


@pytest.mark.parametrize("case", range(len(DOT_CASES)))
@pytest.mark.parametrize("in_axes", DOT_AXES)
def test_dot_general_vs_loop(case, in_axes):
    ls, rs, dn = DOT_CASES[case]
    (lc, _), (lb, _) = dn
    out_rank = len(ls) + len(rs) - 2 * len(lc) - len(lb)
    rng = np.random.default_rng(case)
    for size in (1, 3):
        args = [batched(rng, ls, in_axes[0], size), batched(rng, rs, in_axes[1], size)]
        for out_axes in (0, 1, -1) if out_rank else (0, -1):
            check(lambda a, b: lax.dot_general(a, b, dn), args, in_axes, out_axes)


@SETTINGS
@given(data=st.data())
def test_dot_general_random_dimension_numbers(data):
    # any split of each operand's dims into batch / contracting / free, any batch dims
    nb, nc, nl, nr = (data.draw(st.integers(0, 2)) for _ in range(4))
    sizes = [2, 3, 4, 5, 1, 2, 3]
    bsz, csz = sizes[:nb], sizes[nb:nb + nc]
    lroles = data.draw(st.permutations(["b"] * nb + ["c"] * nc + ["f"] * nl))
    rroles = data.draw(st.permutations(["b"] * nb + ["c"] * nc + ["f"] * nr))

    def layout(roles):
        shape, bd, cd = [], [], []
        bi = ci = 0
        for i, r in enumerate(roles):
            if r == "b":
                shape.append(bsz[bi])
                bd.append(i)
                bi += 1
            elif r == "c":
                shape.append(csz[ci])
                cd.append(i)
                ci += 1
            else:
                shape.append(3)
        return tuple(shape), tuple(bd), tuple(cd)

    ls, lb, lc = layout(lroles)
    rs, rb, rc = layout(rroles)
    # contracting dims are paired in order; permute the rhs pairing for variety
    perm = data.draw(st.permutations(range(nc)))
    rc = tuple(rc[p] for p in perm)
    rs = list(rs)
    for ld_, rd_ in zip(lc, rc):  # paired contracting dims agree in size
        rs[rd_] = ls[ld_]
    dn = ((lc, rc), (lb, rb))
    la = data.draw(st.sampled_from([None] + list(range(-len(ls) - 1, len(ls) + 1))))
    ra = data.draw(st.sampled_from(([None] if la is not None else []) +
                                   list(range(-len(rs) - 1, len(rs) + 1))))
    size = data.draw(st.sampled_from([1, 3]))
    rng = np.random.default_rng(0)
    args = [batched(rng, ls, la, size), batched(rng, tuple(rs), ra, size)]
    out_rank = nb + nl + nr + 1
    out_axes = data.draw(st.integers(-out_rank, out_rank - 1))
    check(lambda a, b: lax.dot_general(a, b, dn), args, (la, ra), out_axes)


@pytest.mark.parametrize("in_axes", [(0, None), (None, 0), (0, 0), (1, 1), (None, 1)])
def test_matmul_is_one_dot_general(in_axes):
    rng = np.random.default_rng(0)
    args = [batched(rng, (3, 4), in_axes[0], 5), batched(rng, (4, 2), in_axes[1], 5)]
    f = tinyjax.vmap(jnp.matmul, in_axes=in_axes)
    assert count_eqns(f, args, "dot_general") == 1
    check(jnp.matmul, args, in_axes)


def test_matmul_in_axes_0_none_jaxpr_has_no_loop():
    rng = np.random.default_rng(0)
    args = [batched(rng, (3, 4), 0, 5), batched(rng, (4, 2), None, 5)]
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(jnp.matmul, in_axes=(0, None)))(*args)
    names = [e.primitive.name for e in jaxpr.jaxpr.eqns]
    assert names == ["dot_general"]  # the batch is a free lhs dim: not even a transpose


def test_dot_general_integer_and_preferred_type():
    rng = np.random.default_rng(1)
    a = rng.integers(-5, 5, (3, 2, 4)).astype(np.int32)
    b = rng.integers(-5, 5, (4, 3)).astype(np.int32)
    f = functools.partial(lax.dot_general, dimension_numbers=(((1,), (0,)), ((), ())),
                          preferred_element_type=np.float32)
    got = check(f, [a, b], (0, None), 1)
    assert np.asarray(got[0]).dtype == np.float32


@needs_jax
@pytest.mark.parametrize("in_axes", DOT_AXES)
def test_dot_general_vs_jax(in_axes):
    ls, rs, dn = DOT_CASES[5]
    rng = np.random.default_rng(7)
    args = [batched(rng, ls, in_axes[0], 3), batched(rng, rs, in_axes[1], 3)]
    got = tinyjax.vmap(lambda a, b: lax.dot_general(a, b, dn), in_axes)(*args)
    want = jax.vmap(lambda a, b: jax.lax.dot_general(a, b, dn), in_axes)(*args)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=RTOL, atol=ATOL)


def test_dot_general_nested():
    # pairwise products of two batches: vmap over a's batch, then over b's
    rng = np.random.default_rng(2)
    a = rng.standard_normal((4, 3, 5)).astype(np.float32)
    b = rng.standard_normal((5, 2, 6)).astype(np.float32)

    def f(x, y):
        return lax.dot_general(x, y, (((1,), (0,)), ((), ())))

    check_nested(f, [a, b], (None, 1), (0, None))
    check_nested(f, [a, b], (0, None), (None, 1), inner_out=1, outer_out=-1)
    # both batched at both levels
    c = rng.standard_normal((4, 3, 2, 5)).astype(np.float32)
    d = rng.standard_normal((2, 5, 6, 4)).astype(np.float32)
    check_nested(f, [c, d], (1, 0), (0, 3))
    f2 = tinyjax.vmap(tinyjax.vmap(f, (1, 0)), (0, 3))
    assert count_eqns(f2, [c, d], "dot_general") == 1


# ============================================================================= conv

# (lhs example shape, rhs example shape, dimension numbers, feature groups, batch groups)
CONV_CASES = [
    ((2, 4, 7, 6), (6, 4, 3, 2), None, 1, 1),
    ((2, 7, 6, 4), (3, 2, 4, 6), ("NHWC", "HWIO", "NHWC"), 1, 1),
    ((2, 6, 7, 6), (4, 3, 3, 2), None, 2, 1),  # feature groups
    ((2, 7, 6, 6), (3, 2, 2, 6), ("NHWC", "HWIO", "NHWC"), 3, 1),
    ((4, 3, 7, 6), (6, 3, 3, 2), None, 1, 2),  # batch groups
    ((7, 4, 6, 3), (3, 6, 3, 2), ("HNWC", "HOIW", "CWNH"), 1, 2),
    ((7, 2, 6, 6), (3, 2, 6, 2), ("HNWC", "HIOW", "CWNH"), 3, 1),
    ((2, 3, 9), (4, 3, 3), ("NCH", "OIH", "NCH"), 1, 1),  # 1-D
]
CONV_AXES = [(0, 0), (0, None), (None, 0), (2, -1), (-1, 1), (None, 3)]


def _conv_fn(dn, G, B):
    def f(x, w):
        return lax.conv_general_dilated(x, w, window_strides=(1, 2)[:x.ndim - 2],
                                        padding=((1, 0), (0, 1))[:x.ndim - 2],
                                        lhs_dilation=(1, 2)[:x.ndim - 2],
                                        rhs_dilation=(2, 1)[:x.ndim - 2],
                                        dimension_numbers=dn, feature_group_count=G,
                                        batch_group_count=B)
    return f


@pytest.mark.parametrize("case", range(len(CONV_CASES)))
@pytest.mark.parametrize("in_axes", CONV_AXES)
def test_conv_vs_loop(case, in_axes):
    ls, rs, dn, G, B = CONV_CASES[case]
    in_axes = tuple(None if a is None else min(a, len(ls)) for a in in_axes)
    rng = np.random.default_rng(case)
    f = _conv_fn(dn, G, B)
    for size in (1, 3):
        args = [batched(rng, ls, in_axes[0], size), batched(rng, rs, in_axes[1], size)]
        for out_axes in ((0, 1, -1) if size == 3 else (0,)):
            check(f, args, in_axes, out_axes)
        assert count_eqns(tinyjax.vmap(f, in_axes), args, "conv_general_dilated") == 1


@needs_jax
@pytest.mark.parametrize("case", [0, 3, 4, 5])
@pytest.mark.parametrize("in_axes", [(0, 0), (1, None), (None, 2)])
def test_conv_vs_jax(case, in_axes):
    ls, rs, dn, G, B = CONV_CASES[case]
    rng = np.random.default_rng(3)
    args = [batched(rng, ls, in_axes[0], 3), batched(rng, rs, in_axes[1], 3)]
    got = tinyjax.vmap(_conv_fn(dn, G, B), in_axes)(*args)

    def jf(x, w):
        return jax.lax.conv_general_dilated(x, w, (1, 2), ((1, 0), (0, 1)), (1, 2), (2, 1),
                                            dn, G, B)

    want = jax.vmap(jf, in_axes)(*args)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=RTOL, atol=ATOL)


def test_conv_nested():
    ls, rs, dn, G, _ = CONV_CASES[3]
    f = _conv_fn(dn, G, 1)
    rng = np.random.default_rng(4)
    x = rng.standard_normal((2,) + ls).astype(np.float32)
    w = rng.standard_normal((3,) + rs).astype(np.float32)
    # every image with every kernel; then both batched at both levels
    check_nested(f, [x, w], (None, 0), (0, None))
    x2 = rng.standard_normal((2, 3) + ls).astype(np.float32)
    w2 = rng.standard_normal((3, 2) + rs).astype(np.float32)
    check_nested(f, [x2, w2], (0, 0), (0, 1), inner_out=-1, outer_out=1)
    f2 = tinyjax.vmap(tinyjax.vmap(f, (0, 0)), (0, 1))
    assert count_eqns(f2, [x2, w2], "conv_general_dilated") == 1


def test_conv_transpose_batched():
    # lax.conv_transpose (dilated input) under vmap, kernel shared
    rng = np.random.default_rng(5)
    x = rng.standard_normal((3, 1, 5, 5, 2)).astype(np.float32)
    w = rng.standard_normal((3, 3, 2, 4)).astype(np.float32)

    def f(a, k):
        return lax.conv_transpose(a, k, (2, 2), "SAME")

    check(f, [x, w], (0, None), 1)


# ============================================================================= reduce_window

RW_CASES = [
    # (example shape, window, strides, padding, base dilation, window dilation)
    ((5, 6), (2, 3), (1, 2), "VALID", None, None),
    ((5, 6), (3, 2), (2, 1), "SAME", None, None),
    ((7,), (3,), (2,), ((1, 2),), (2,), (1,)),
    ((4, 5), (2, 2), (1, 1), ((0, 1), (1, 0)), (1, 2), (2, 1)),
    ((), (), (), (), None, None),  # rank 0
]
RW_OPS = [(lax.add, 0.0), (lax.max, -np.inf), (lax.min, np.inf)]


@pytest.mark.parametrize("case", range(len(RW_CASES)))
@pytest.mark.parametrize("op", range(3))
def test_reduce_window_vs_loop(case, op):
    shape, win, strides, pad, bd, wd = RW_CASES[case]
    comp, init = RW_OPS[op]

    def f(x):
        return lax.reduce_window(x, init, comp, win, strides, pad, bd, wd)

    rng = np.random.default_rng(case)
    for axis in (0, 1, -1) if shape else (0,):
        for size in (1, 3):
            x = batched(rng, shape, axis, size)
            for out_axes in (0, -1):
                check(f, [x], (axis,), out_axes)


def test_reduce_window_nested_and_integer():
    x = np.random.default_rng(6).integers(-9, 9, (2, 3, 5, 4)).astype(np.int32)

    def f(v):
        return lax.reduce_window(v, np.iinfo(np.int32).min, lax.max, (2, 2), (1, 2), "SAME")

    check_nested(f, [x], (1,), (3,), inner_out=1)
    check(lambda v: lax.reduce_window(v, 0, lax.add, (1, 2, 2), (1, 1, 1), "VALID"), [x],
          (2,), 2)


@needs_jax
def test_reduce_window_vs_jax():
    x = np.random.default_rng(7).standard_normal((5, 3, 6)).astype(np.float32)

    def f(mod, v):
        return mod.lax.reduce_window(v, -np.inf, mod.lax.max, (2, 3), (2, 1), "SAME")

    got = tinyjax.vmap(functools.partial(f, tinyjax), 1)(x)
    want = jax.vmap(functools.partial(f, jax), 1)(x)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want))


# ============================================================================= linalg

def _spd(rng, shape, axis, size, n):
    """Batched symmetric positive-definite matrices with the batch at `axis`."""
    a = rng.standard_normal((size,) + tuple(shape) + (n, n))
    a = a @ np.swapaxes(a, -1, -2) + n * np.eye(n)
    return np.moveaxis(a.astype(np.float32), 0, axis)


LINALG_UNARY = {
    "cholesky": lambda x: LA.cholesky(x),
    "cholesky_nosym": lambda x: LA.cholesky(x, symmetrize_input=False),
    "lu": LA.lu,
    "qr_full": LA.qr,
    "qr_reduced": lambda x: LA.qr(x, full_matrices=False),
    "eigh": lambda x: LA.eigh(x),
    "eigh_subset": lambda x: LA.eigh(x, symmetrize_input=False, subset_by_index=(1, 3)),
    "svd": lambda x: LA.svd(x, full_matrices=False),
    "svd_s": lambda x: LA.svd(x, compute_uv=False),
}


@pytest.mark.parametrize("name", sorted(LINALG_UNARY))
@pytest.mark.parametrize("lead,axis", [((), 0), ((), -1), ((), 1), ((2,), 0), ((2,), 1),
                                       ((2,), -2)])
def test_linalg_unary_vs_loop(name, lead, axis):
    f = LINALG_UNARY[name]
    rng = np.random.default_rng(8)
    for size in (1, 3):
        x = _spd(rng, lead, axis, size, 4)
        for out_axes in (0, -1) if size == 3 else (0,):
            check(f, [x], (axis,), out_axes, rtol=1e-3, atol=1e-3)


@pytest.mark.parametrize("name", ["qr_reduced", "svd_s", "lu"])
def test_linalg_rectangular(name):
    f = LINALG_UNARY[name]
    rng = np.random.default_rng(9)
    for shape in ((3, 5, 2), (3, 2, 5)):
        x = rng.standard_normal(shape).astype(np.float32)
        check(f, [x], (1,), 0, rtol=1e-3, atol=1e-3)


def test_lu_pivots_to_permutation():
    rng = np.random.default_rng(10)
    piv = rng.integers(0, 6, (3, 2, 4)).astype(np.int32)
    for axis in (0, 1, 2, -1):
        p = np.moveaxis(piv, 0, axis)
        check(lambda v: LA.lu_pivots_to_permutation(v, 6), [p], (axis,), 1)
    check_nested(lambda v: LA.lu_pivots_to_permutation(v, 6), [piv], (0,), (2,))


def triangular(rng, axis, size, m):
    """Well-conditioned (m, m) matrices (diagonal shifted by 4), batch at `axis`."""
    a = rng.standard_normal((size, m, m)) + 4 * np.eye(m)
    a = a.astype(np.float32)
    return a[0] if axis is None else np.moveaxis(a, 0, axis)


TRI_AXES = [(0, 0), (None, 0), (0, None), (None, 1), (None, -1), (1, 2), (-1, None), (2, -1)]


@pytest.mark.parametrize("left_side", [True, False])
@pytest.mark.parametrize("lower,transpose_a,unit", [(True, False, False), (False, True, False),
                                                    (True, True, True)])
@pytest.mark.parametrize("in_axes", TRI_AXES)
def test_triangular_solve_vs_loop(left_side, lower, transpose_a, unit, in_axes):
    m, n = 4, 3
    bshape = (m, n) if left_side else (n, m)

    def f(a, b):
        return LA.triangular_solve(a, b, left_side=left_side, lower=lower,
                                   transpose_a=transpose_a, unit_diagonal=unit)

    rng = np.random.default_rng(11)
    for size in (1, 3):
        a = triangular(rng, in_axes[0], size, m)
        b = batched(rng, bshape, in_axes[1], size)
        for out_axes in (0, 1, -1) if size == 3 else (0,):
            check(f, [a, b], in_axes, out_axes)


def test_triangular_solve_leading_batch_and_vector():
    rng = np.random.default_rng(12)
    a = rng.standard_normal((2, 3, 4, 4)).astype(np.float32) + 4 * np.eye(4, dtype=np.float32)
    b = rng.standard_normal((2, 3, 4, 5)).astype(np.float32)
    v = rng.standard_normal((3, 4)).astype(np.float32)

    def f(x, y):
        return LA.triangular_solve(x, y, left_side=True, lower=True)

    check(f, [a, b], (1, 1), 0)  # batch dims coincide among the leading ones
    check(f, [a, b[:, 0]], (1, None), 2)
    check(f, [a[0], b], (None, 0), 0)
    # a vector right-hand side (b one rank lower than a) batched, a shared
    check(f, [a[0, 0], v], (None, 0))
    check(f, [a[0], v], (0, 0), -1)


def test_triangular_solve_one_matrix_is_not_broadcast():
    # a shared matrix with a batched right-hand side: the batch joins B's columns (left
    # side) or rows (right side); the jaxpr never broadcasts A
    rng = np.random.default_rng(13)
    a = rng.standard_normal((4, 4)).astype(np.float32) + 4 * np.eye(4, dtype=np.float32)
    for left_side, bshape in ((True, (5, 4, 3)), (False, (5, 3, 4))):
        b = rng.standard_normal(bshape).astype(np.float32)

        def f(x, y, left_side=left_side):
            return LA.triangular_solve(x, y, left_side=left_side, lower=True)

        jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(f, (None, 0)))(a, b)
        names = [e.primitive.name for e in jaxpr.jaxpr.eqns]
        assert "broadcast_in_dim" not in names and names.count("triangular_solve") == 1


def test_linalg_nested():
    rng = np.random.default_rng(14)
    x = _spd(rng, (2,), 0, 3, 4)  # (3, 2, 4, 4)
    check_nested(lambda v: LA.cholesky(v), [x], (0,), (1,))
    check_nested(LA.eigh, [x], (0,), (1,), inner_out=-1)
    a = np.tril(x) + 0.0
    b = rng.standard_normal((3, 4, 5, 2)).astype(np.float32)

    def solve(p, q):
        return LA.triangular_solve(p, q, left_side=True, lower=True)

    check_nested(solve, [a[:, 0], b], (None, 2), (0, 0))
    check_nested(solve, [a, b], (0, 0), (1, 3))


@needs_jax
@pytest.mark.parametrize("in_axes", [(0, 0), (None, 0), (0, None), (None, 2)])
def test_triangular_solve_vs_jax(in_axes):
    rng = np.random.default_rng(15)
    a = triangular(rng, in_axes[0], 3, 4)
    b = batched(rng, (3, 4), in_axes[1], 3)

    def f(mod, p, q):
        return mod.lax.linalg.triangular_solve(p, q, left_side=False, lower=False,
                                               transpose_a=True)

    got = tinyjax.vmap(functools.partial(f, tinyjax), in_axes)(a, b)
    want = jax.vmap(functools.partial(f, jax), in_axes)(a, b)
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-3, atol=1e-3)


# ============================================================================= with grad

def test_vmap_of_grad_dot_and_conv():
    rng = np.random.default_rng(16)
    w = rng.standard_normal((4, 2)).astype(np.float32)
    xs = rng.standard_normal((5, 3, 4)).astype(np.float32)

    def loss(w_, x):
        return jnp.sum(jnp.tanh(x @ w_))

    per_example = check(tinyjax.grad(loss), [w, xs], (None, 0))
    np.testing.assert_allclose(np.asarray(per_example[0]).sum(0),
                               np.asarray(tinyjax.grad(loss)(w, xs.reshape(15, 4))),
                               rtol=1e-4, atol=1e-5)
    f = _conv_fn(("NHWC", "HWIO", "NHWC"), 1, 1)
    k = rng.standard_normal((3, 2, 4, 6)).astype(np.float32)
    imgs = rng.standard_normal((3, 2, 7, 6, 4)).astype(np.float32)

    def conv_loss(k_, x):
        return jnp.sum(f(x, k_) ** 2)

    check(tinyjax.grad(conv_loss), [k, imgs], (None, 0), rtol=1e-3, atol=1e-3)
    check(tinyjax.grad(conv_loss, argnums=1), [k, imgs], (None, 0), rtol=1e-3, atol=1e-3)


def test_grad_of_vmap():
    rng = np.random.default_rng(17)
    w = rng.standard_normal((4, 2)).astype(np.float32)
    xs = rng.standard_normal((5, 3, 4)).astype(np.float32)

    def per_example(w_, x):
        return jnp.sum(lax.reduce_window(x @ w_, -np.inf, lax.max, (2, 1), (1, 1), "VALID"))

    def total(w_):
        return jnp.sum(tinyjax.vmap(per_example, (None, 0))(w_, xs))

    def total_loop(w_):
        return sum(per_example(w_, xs[i]) for i in range(5))

    np.testing.assert_allclose(np.asarray(tinyjax.grad(total)(w)),
                               np.asarray(tinyjax.grad(total_loop)(w)), rtol=1e-4, atol=1e-5)


def test_vmap_of_grad_linalg():
    rng = np.random.default_rng(18)
    x = _spd(rng, (), 0, 3, 3)
    b = rng.standard_normal((3, 2)).astype(np.float32)

    def f(a):
        chol = LA.cholesky(a)
        return jnp.sum(LA.triangular_solve(chol, b, left_side=True, lower=True) ** 2)

    check(tinyjax.grad(f), [x], (0,), rtol=1e-3, atol=1e-3)
    if jax is not None:
        def jf(a):
            chol = jax.lax.linalg.cholesky(a)
            return jax.numpy.sum(jax.lax.linalg.triangular_solve(
                chol, b, left_side=True, lower=True) ** 2)

        np.testing.assert_allclose(np.asarray(tinyjax.vmap(tinyjax.grad(f))(x)),
                                   np.asarray(jax.vmap(jax.grad(jf))(x)), rtol=1e-3, atol=1e-3)
