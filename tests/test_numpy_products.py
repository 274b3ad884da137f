"""dot, matmul, tensordot, einsum and friends against NumPy (values) and JAX
(dtypes, weak types, error cases); every contraction must be one dot_general."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp

RNG = np.random.default_rng(0)


def rand(*shape, dtype=np.float32):
    if np.dtype(dtype).kind == "b":
        return RNG.random(shape) < 0.5
    if np.dtype(dtype).kind in "iu":
        return RNG.integers(0, 5, shape).astype(dtype)
    return RNG.standard_normal(shape).astype(dtype)


def close(got, want, rtol=2e-5, atol=2e-5):
    got = np.asarray(got)
    assert got.shape == np.shape(want), (got.shape, np.shape(want))
    np.testing.assert_allclose(got.astype(np.float64), np.asarray(want, np.float64),
                               rtol=rtol, atol=atol)


def count_eqns(fn, *args, name="dot_general"):
    jaxpr = tinyjax.make_jaxpr(fn)(*args)
    return sum(1 for e in jaxpr.jaxpr.eqns if e.primitive.name == name), jaxpr


# ----------------------------------------------------------------------------- dot family

DOT_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((2, 3, 4), (5, 4, 6)),
    ((4,), (2, 4, 3)), ((), (3,)), ((2, 3), ()), ((0, 3), (3, 2)), ((2, 0), (0, 4)),
]


@pytest.mark.parametrize("sa,sb", DOT_SHAPES)
def test_dot_matches_numpy(sa, sb):
    a, b = rand(*sa), rand(*sb)
    got = jnp.dot(a, b)
    close(got, np.dot(a, b))
    assert got.dtype == np.float32
    if sa and sb:
        n, _ = count_eqns(jnp.dot, a, b)
        assert n == 1


MATMUL_SHAPES = [
    ((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)), ((2, 3), (3, 4)), ((5, 2, 3), (3, 4)),
    ((2, 1, 3, 4), (5, 4, 2)), ((1, 3, 4), (6, 1, 4, 2)), ((4,), (2, 4, 3)), ((2, 2, 3), (3,)),
    ((7, 1, 2, 3), (1, 5, 3, 4)), ((0, 2, 3), (3, 4)), ((2, 0), (0, 3)),
]


@pytest.mark.parametrize("sa,sb", MATMUL_SHAPES)
def test_matmul_broadcasting_one_dot_general(sa, sb):
    a, b = rand(*sa), rand(*sb)
    got = jnp.matmul(a, b)
    close(got, np.matmul(a, b))
    close(jnp.asarray(a) @ b, np.matmul(a, b))
    n, jaxpr = count_eqns(jnp.matmul, a, b)
    assert n == 1
    assert jaxpr.out_avals[0].shape == np.matmul(a, b).shape
    # broadcast batch dims are never materialised
    assert not any(e.primitive.name == "broadcast_in_dim" for e in jaxpr.jaxpr.eqns)


def test_matmul_dtypes_match_jax():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    cases = [(np.int8, np.int8), (np.int8, np.int16), (np.bool_, np.bool_),
             (np.float16, np.int32), (np.uint8, np.int8), (np.float16, np.float32)]
    for da, db in cases:
        a, b = rand(2, 3, dtype=da), rand(3, 2, dtype=db)
        got, want = jnp.matmul(a, b), xnp.matmul(a, b)
        assert got.dtype == want.dtype, (da, db, got.dtype, want.dtype)
        close(got, np.asarray(want))
    got = jnp.dot(rand(2, 3, dtype=np.int8), rand(3, dtype=np.int8),
                  preferred_element_type=jnp.float32)
    assert got.dtype == np.float32
    assert jnp.dot(2.0, 3.0).weak_type == xnp.dot(2.0, 3.0).weak_type
    assert jnp.dot(rand(2, 3, dtype=np.int8), 2.0).dtype == np.float32


def test_matmul_errors():
    with pytest.raises(ValueError, match="ndim at least 1"):
        jnp.matmul(jnp.ones((2, 3)), 2.0)
    with pytest.raises(TypeError, match="contracting dimensions"):
        jnp.matmul(jnp.ones((2, 3)), jnp.ones((4, 2)))
    with pytest.raises(ValueError, match="incompatible batch shapes"):
        jnp.matmul(jnp.ones((2, 3, 4)), jnp.ones((5, 4, 3)))
    with pytest.raises(TypeError, match="not aligned"):
        jnp.dot(jnp.ones((2, 3)), jnp.ones(4))
    with pytest.raises(TypeError, match="ndarray or scalar"):
        jnp.dot([1, 2], jnp.ones(2))


def test_vdot_inner_outer():
    a, b = rand(3, 4), rand(12)
    close(jnp.vdot(a, b), np.vdot(a, b))
    with pytest.raises(TypeError, match="same number of elements"):
        jnp.vdot(a, rand(11))
    for sa, sb in [((2, 3), (5, 3)), ((3,), (3,)), ((2, 4, 3), (3,)), ((2, 3), ())]:
        x, y = rand(*sa), rand(*sb)
        close(jnp.inner(x, y), np.inner(x, y))
    with pytest.raises(TypeError, match="last dimensions differ"):
        jnp.inner(rand(2, 3), rand(4))
    x, y = rand(2, 3), np.arange(4, dtype=np.int32)
    got = jnp.outer(x, y)
    close(got, np.outer(x, y))
    assert got.dtype == np.float32
    assert jnp.outer(2, 3.0).shape == (1, 1)
    with pytest.raises(NotImplementedError, match="out"):
        jnp.outer(x, y, out=np.zeros((6, 4)))


def test_vecdot_matvec_vecmat():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    for sa, sb, axis in [((3, 4), (2, 1, 4), -1), ((4, 3), (4, 1), 0), ((5,), (5,), -1),
                         ((2, 3, 4), (3, 4), -1)]:
        a, b = rand(*sa), rand(*sb)
        got = jnp.vecdot(a, b, axis=axis)
        close(got, np.asarray(xnp.vecdot(a, b, axis=axis)))
        assert count_eqns(lambda a, b: jnp.vecdot(a, b, axis=axis), a, b)[0] == 1
    with pytest.raises(ValueError, match="axes must match"):
        jnp.vecdot(rand(3, 4), rand(2, 1, 4), axis=0)
    for sa, sb in [((5, 3, 4), (2, 1, 4)), ((3, 4), (4,)), ((2, 3), (7, 3))]:
        a, b = rand(*sa), rand(*sb)
        close(jnp.matvec(a, b), np.matvec(a, b))
        assert count_eqns(jnp.matvec, a, b)[0] == 1
    for sa, sb in [((4,), (2, 4, 3)), ((5, 1, 4), (3, 4, 2))]:
        a, b = rand(*sa), rand(*sb)
        close(jnp.vecmat(a, b), np.vecmat(a, b))
        assert count_eqns(jnp.vecmat, a, b)[0] == 1
    with pytest.raises(TypeError, match="contracting dimensions differ"):
        jnp.matvec(rand(3, 4), rand(3))


@pytest.mark.parametrize("axes", [2, 1, 0, -1, ([1, 2], [1, 0]), (1, 1), ([0], [2])])
def test_tensordot(axes):
    a, b = rand(2, 3, 4), rand(4, 3, 2)
    if axes == 2:
        b = rand(3, 4, 5)
    if axes == 1:
        b = rand(4, 5)
    try:
        want = np.tensordot(a, b, axes)
    except ValueError:
        with pytest.raises(TypeError):
            jnp.tensordot(a, b, axes)
        return
    close(jnp.tensordot(a, b, axes), want)
    assert count_eqns(lambda a, b: jnp.tensordot(a, b, axes), a, b)[0] == 1


def test_tensordot_errors():
    with pytest.raises(TypeError, match="contracting dimensions differ"):
        jnp.tensordot(rand(2, 3), rand(4, 3), axes=([0], [0]))
    with pytest.raises(TypeError, match="same length"):
        jnp.tensordot(rand(2, 3), rand(2, 3), axes=([0, 1], [0]))
    with pytest.raises(TypeError, match="exceeds the rank"):
        jnp.tensordot(rand(2, 3), rand(3), axes=2)


def test_kron():
    for sa, sb in [((2, 3), (4,)), ((2, 2), (2, 1, 2)), ((), (3,)), ((3,), (2, 2))]:
        a = rand(*sa, dtype=np.int32)
        b = rand(*sb, dtype=np.float32)
        got = jnp.kron(a, b)
        close(got, np.kron(a, b))
        assert got.dtype == np.float32
    assert jnp.kron(2, np.arange(3, dtype=np.int8)).dtype == np.int8


def test_cross():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    cases = [((5, 3), (3,), {}), ((5, 2), (2,), {}), ((5, 2), (3,), {}), ((3,), (4, 2), {}),
             ((3, 5), (5, 3), dict(axisa=0, axisc=0)), ((2, 3, 5), (1, 3, 5), dict(axis=1))]
    for sa, sb, kw in cases:
        a, b = rand(*sa), rand(*sb)
        got, want = jnp.cross(a, b, **kw), np.asarray(xnp.cross(a, b, **kw))
        close(got, want)
        if sa[-1] == 3 and sb[-1] == 3 and not kw:
            close(got, np.cross(a, b))
    got = jnp.cross(rand(3, dtype=np.int8), rand(3, dtype=np.int8))
    assert got.dtype == np.int8
    with pytest.raises(ValueError, match="must be 2 or 3"):
        jnp.cross(rand(5, 4), rand(3))
    with pytest.raises(TypeError, match="boolean"):
        jnp.cross(np.ones(3, bool), np.ones(3, bool))


# ----------------------------------------------------------------------------- einsum

EINSUM_CASES = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),                   # matrix product
    ("ij,jk", [(2, 3), (3, 4)]),                       # implicit output
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 5)]),        # matrix chain
    ("ij,jk,kl,lm->im", [(2, 3), (3, 4), (4, 5), (5, 2)]),
    ("bij,bjk->bik", [(5, 2, 3), (5, 3, 4)]),          # batch matmul
    ("bij,bjk->bki", [(5, 2, 3), (5, 3, 4)]),
    ("ii", [(3, 3)]),                                  # trace
    ("ii->i", [(3, 3)]),                               # diagonal
    ("iij,jk", [(3, 3, 4), (4, 2)]),                   # diagonal inside a product
    ("iji->j", [(3, 4, 3)]),
    ("ii,ij,jk,kk->", [(3, 3), (3, 3), (3, 3), (3, 3)]),
    ("ij->", [(2, 3)]),                                # total sum
    ("ij->j", [(2, 3)]),
    ("ij->ji", [(2, 3)]),                              # transpose
    ("i,j->ij", [(3,), (4,)]),                         # outer product
    ("i,j,k->ijk", [(2,), (3,), (4,)]),
    ("i,i", [(5,), (5,)]),                             # inner product
    (",i->i", [(), (3,)]),                             # scalar operand
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (5, 3, 4)]),  # ellipsis broadcasting
    ("...i,...i", [(3, 4), (4,)]),
    ("i...->...", [(3, 2, 2)]),
    ("...ii->...i", [(2, 3, 3)]),
    ("ab,cd,ef->", [(2, 3), (3, 4), (4, 5)]),          # disconnected operands
    ("ij,ij->ij", [(2, 1), (2, 4)]),                   # size-1 label broadcasting
    ("ijk,ikl,lm->jm", [(2, 3, 4), (2, 4, 5), (5, 6)]),
    ("Ba,aA", [(2, 3), (3, 4)]),                       # upper case letters
    ("abc,cd,dbe->ae", [(2, 3, 4), (4, 5), (5, 3, 2)]),
    ("ij,jk,ki->", [(3, 4), (4, 5), (5, 3)]),           # cyclic trace
    ("i,i,i->i", [(4,), (4,), (4,)]),                  # hadamard
    ("ijk,jkl->il", [(2, 3, 4), (3, 4, 5)]),
]


@pytest.mark.parametrize("optimize", ["greedy", False, "optimal", True])
@pytest.mark.parametrize("spec,shapes", EINSUM_CASES)
def test_einsum_matches_numpy(spec, shapes, optimize):
    ops = [rand(*s) for s in shapes]
    want = np.einsum(spec, *ops)
    got = jnp.einsum(spec, *ops, optimize=optimize)
    close(got, want, rtol=1e-4, atol=1e-4)
    assert got.dtype == np.float32


def test_einsum_three_operands_two_dot_generals():
    a, b, c = rand(2, 3), rand(3, 4), rand(4, 5)
    n, jaxpr = count_eqns(lambda a, b, c: jnp.einsum("ij,jk,kl->il", a, b, c), a, b, c)
    assert n == 2
    assert jaxpr.out_avals[0].shape == (2, 5)
    n, _ = count_eqns(lambda a, b, c: jnp.einsum("bij,bjk,bkl->bil", a, b, c),
                      rand(2, 3, 4), rand(2, 4, 5), rand(2, 5, 6))
    assert n == 2
    for optimize in (False, "optimal"):
        n, _ = count_eqns(lambda a, b, c: jnp.einsum("ij,jk,kl", a, b, c, optimize=optimize),
                          a, b, c)
        assert n == 2


def test_einsum_interleaved_form():
    a, b = rand(2, 3), rand(3, 4)
    close(jnp.einsum(a, [0, 1], b, [1, 2], [0, 2]), a @ b)
    close(jnp.einsum(a, [0, 1], b, [1, 2]), a @ b)
    x = rand(5, 2, 3)
    close(jnp.einsum(x, [Ellipsis, 0, 1], a, [0, 1], [Ellipsis]),
          np.einsum(x, [Ellipsis, 0, 1], a, [0, 1], [Ellipsis]))


def test_einsum_dtypes_match_jax():
    pytest.importorskip("jax")
    import jax.numpy as xnp
    i8 = rand(200, 3, dtype=np.int8)
    cases = [
        ("ij->", (i8,), {}),
        ("ij,j->", (rand(2, 3, dtype=np.int8), rand(3, dtype=np.float16)), {}),
        (",j->j", (3.0, rand(3, dtype=np.float16)), {}),
        ("ij,j->i", (rand(2, 3, dtype=np.int8), rand(3, dtype=np.int8)),
         dict(preferred_element_type=np.float32)),
        ("ij->", (np.ones((5, 3), bool),), {}),
        ("ij,jk", (rand(3, 3, dtype=bool), rand(3, 3, dtype=bool)), {}),
        ("ij->j", (rand(2, 3, dtype=bool),), {}),
        ("ii->i", (rand(3, 3, dtype=np.uint8),), {}),
        ("...i->i", (rand(2, 3),), {}),   # JAX sums the dropped ellipsis; NumPy raises
        ("i->...i", (rand(3),), {}),
    ]
    for spec, ops, kw in cases:
        got, want = jnp.einsum(spec, *ops, **kw), xnp.einsum(spec, *ops, **kw)
        assert got.dtype == want.dtype, (spec, got.dtype, want.dtype)
        assert got.weak_type == want.weak_type, spec
        np.testing.assert_array_equal(np.asarray(got), np.asarray(want))


def test_einsum_errors():
    with pytest.raises(ValueError, match="correct number of indices"):
        jnp.einsum("ij->", 3.0)
    with pytest.raises(ValueError, match="size of label 'j'"):
        jnp.einsum("ij,jk", jnp.ones((2, 2)), jnp.ones((3, 4)))
    with pytest.raises(ValueError, match="does not appear in the input"):
        jnp.einsum("ij->k", jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="more than once"):
        jnp.einsum("ij->ii", jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="operand subscript"):
        jnp.einsum("ij,jk", jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="invalid subscript character"):
        jnp.einsum("i1", jnp.ones((2, 2)))
    with pytest.raises(ValueError, match="unknown optimize"):
        jnp.einsum("ij,jk", jnp.ones((2, 2)), jnp.ones((2, 2)), optimize="bogus")
    with pytest.raises(NotImplementedError, match="out"):
        jnp.einsum("ii", jnp.ones((2, 2)), out=np.zeros(()))
    with pytest.raises(ValueError, match="contraction path"):
        jnp.einsum("ij,jk,kl", *[jnp.ones((2, 2))] * 3, optimize=[(0, 1)])


def test_einsum_explicit_path_and_precision():
    ops = [rand(2, 3), rand(3, 4), rand(4, 5)]
    want = np.einsum("ij,jk,kl->il", *ops)
    for path in (["einsum_path", (1, 2), (0, 1)], [(0, 2), (0, 1)], [(0, 1, 2)]):
        close(jnp.einsum("ij,jk,kl->il", *ops, optimize=path), want, rtol=1e-4, atol=1e-4)
    close(jnp.einsum("ij,jk,kl->il", *ops, precision="highest",
                     preferred_element_type=jnp.float32), want, rtol=1e-4, atol=1e-4)


def test_einsum_path_like_numpy():
    a, b, c = np.ones((10, 20)), np.ones((20, 3)), np.ones((3, 40))
    for spec, ops in [("ij,jk,kl->il", (a, b, c)), ("ij,jk->ik", (a, b)),
                      ("ij,kl,jk->il", (a, c, b)), ("ij->i", (a,))]:
        path, desc = jnp.einsum_path(spec, *ops, optimize="greedy")
        want, _ = np.einsum_path(spec, *ops, optimize="greedy")
        assert path == want, (spec, path, want)
        assert "Complete contraction" in desc and "Largest intermediate" in desc
        close(jnp.einsum(spec, *ops, optimize=path), np.einsum(spec, *ops))
    path, _ = jnp.einsum_path("ij,jk,kl->il", a, b, c, optimize="optimal")
    assert path == np.einsum_path("ij,jk,kl->il", a, b, c, optimize="optimal")[0]
    path, _ = jnp.einsum_path("ij,jk,kl->il", a, b, c, optimize=False)
    assert path == ["einsum_path", (0, 1), (0, 1)]


def test_einsum_optimal_beats_greedy_on_flops():
    # a chain where the orders differ a lot in cost; optimal must be no worse
    shapes = [(2, 30), (30, 3), (3, 40), (40, 2), (2, 50)]
    ops = [np.ones(s) for s in shapes]
    spec = "ab,bc,cd,de,ef->af"

    def flops(path):
        return float(jnp.einsum_path(spec, *ops, optimize=path)[1]
                     .split("Optimized FLOP count:")[1].split()[0])
    greedy, _ = jnp.einsum_path(spec, *ops, optimize="greedy")
    optimal, _ = jnp.einsum_path(spec, *ops, optimize="optimal")
    assert flops(optimal) <= flops(greedy)
    close(jnp.einsum(spec, *[o.astype(np.float32) for o in ops], optimize="optimal"),
          np.einsum(spec, *ops))


_letters = "abcdef"


@st.composite
def einsum_problems(draw):
    n_ops = draw(st.integers(1, 4))
    sizes = {c: draw(st.integers(1, 4)) for c in _letters}
    terms = []
    for _ in range(n_ops):
        k = draw(st.integers(0, 3))
        terms.append("".join(draw(st.lists(st.sampled_from(_letters), min_size=k, max_size=k))))
    used = sorted(set("".join(terms)))
    out = "".join(draw(st.permutations(used))[:draw(st.integers(0, len(used)))])
    spec = ",".join(terms) + "->" + out
    shapes = [tuple(sizes[c] for c in t) for t in terms]
    return spec, shapes


@settings(max_examples=25, deadline=None)
@given(einsum_problems(), st.sampled_from(["greedy", False, "optimal"]))
def test_einsum_random_expressions(problem, optimize):
    spec, shapes = problem
    ops = [rand(*s) for s in shapes]
    want = np.einsum(spec, *[o.astype(np.float64) for o in ops])
    close(jnp.einsum(spec, *ops, optimize=optimize), want, rtol=1e-4, atol=1e-4)


def test_products_trace():
    mk = tinyjax.make_jaxpr
    a, b = rand(2, 3), rand(3, 4)
    assert mk(jnp.dot)(a, b).out_avals[0].shape == (2, 4)
    assert mk(jnp.tensordot)(rand(2, 3, 4), rand(3, 4, 5)).out_avals[0].shape == (2, 5)
    assert mk(jnp.inner)(a, rand(5, 3)).out_avals[0].shape == (2, 5)
    assert mk(jnp.outer)(a, b).out_avals[0].shape == (6, 12)
    assert mk(jnp.vdot)(a, a).out_avals[0].shape == ()
    assert mk(jnp.kron)(a, b).out_avals[0].shape == (6, 12)
    assert mk(jnp.cross)(rand(4, 3), rand(3)).out_avals[0].shape == (4, 3)
    assert mk(lambda x: jnp.einsum("ii->i", x))(rand(3, 3)).out_avals[0].shape == (3,)
