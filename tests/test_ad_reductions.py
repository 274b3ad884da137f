"""Derivative rules of the reductions family: reduce_*, argmax/argmin, cumulative ops,
sort and top_k.

JVPs are checked in float64 against central finite differences and against
`jax.jvp` (also where finite differences say nothing: zeros in products, ties in
max/min, infinities in cumlogsumexp); second derivatives by nesting the JVP; the
transpose rules of the linear primitives by the dot-product identity.
"""
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.abstract import ShapedArray
from tinyjax.core.array import Array
from tinyjax.core.config import enable_x64
from tinyjax.interpreters.ad import (
    UndefinedPrimal,
    Zero,
    instantiate,
    jvp_flat,
    transpose_rules,
)

EPS = 1e-6


def seed_of(*key) -> int:
    """A seed that is the same in every run (str hashes are salted per process)."""
    return zlib.crc32(repr(key).encode())


def _arr(x):
    return Array(np.asarray(x))


def jvp(f, x, t):
    """(f(x), df(x)[t]) for a function of one array; the tangent may be a Zero."""
    (p,), (tan,) = jvp_flat(lambda a: [f(a)], [_arr(x)], [_arr(t)])
    return p, tan


def jvp_value(f, x, t):
    """The tangent of f at x along t as a float64 NumPy array."""
    return np.asarray(instantiate(jvp(f, x, t)[1]))


def fd(f, x, t, eps=EPS):
    """Central finite difference of f at x along t."""
    return (np.asarray(f(_arr(x + eps * t))) - np.asarray(f(_arr(x - eps * t)))) / (2 * eps)


def distinct(rng, shape):
    """float64 values far from ties (for max/min/sort/top_k)."""
    n = int(np.prod(shape))
    return (rng.permutation(n).reshape(shape) + 0.3 * rng.random(shape)).astype(np.float64)


def with_zeros(rng, shape):
    """Normal values with about a third of them exactly zero (products)."""
    x = rng.standard_normal(shape)
    return np.where(rng.random(shape) < 0.3, 0.0, x)


# name -> (tinyjax function, jax function or None, input maker)
CASES = {
    "reduce_sum": (lambda x: lax.reduce_sum(x, (0, 2)),
                   lambda jl, x: jl.reduce_sum_p.bind(x, axes=(0, 2)), "normal"),
    "reduce_prod": (lambda x: lax.reduce_prod(x, (0, 2)),
                    lambda jl, x: jl.reduce_prod_p.bind(x, axes=(0, 2)), "normal"),
    "reduce_prod_all": (lambda x: lax.reduce_prod(x, (0, 1, 2)),
                        lambda jl, x: jl.reduce_prod_p.bind(x, axes=(0, 1, 2)), "normal"),
    "reduce_max": (lambda x: lax.reduce_max(x, (1,)),
                   lambda jl, x: jl.reduce_max_p.bind(x, axes=(1,)), "distinct"),
    "reduce_min": (lambda x: lax.reduce_min(x, (0, 2)),
                   lambda jl, x: jl.reduce_min_p.bind(x, axes=(0, 2)), "distinct"),
    "cumsum": (lambda x: lax.cumsum(x, 1), lambda jl, x: jl.cumsum(x, 1), "normal"),
    "cumsum_rev": (lambda x: lax.cumsum(x, 2, True),
                   lambda jl, x: jl.cumsum(x, 2, True), "normal"),
    "cumprod": (lambda x: lax.cumprod(x, 1), lambda jl, x: jl.cumprod(x, 1), "normal"),
    "cumprod_rev": (lambda x: lax.cumprod(x, 0, True),
                    lambda jl, x: jl.cumprod(x, 0, True), "normal"),
    "cummax": (lambda x: lax.cummax(x, 1), lambda jl, x: jl.cummax(x, 1), "distinct"),
    "cummax_rev": (lambda x: lax.cummax(x, 2, True),
                   lambda jl, x: jl.cummax(x, 2, True), "distinct"),
    "cummin": (lambda x: lax.cummin(x, 1), lambda jl, x: jl.cummin(x, 1), "distinct"),
    "cummin_rev": (lambda x: lax.cummin(x, 1, True),
                   lambda jl, x: jl.cummin(x, 1, True), "distinct"),
    # JAX is slow to differentiate cumlogsumexp: compared with it in the edge cases only
    "cumlogsumexp": (lambda x: lax.cumlogsumexp(x, 1), None, "normal"),
    "cumlogsumexp_rev": (lambda x: lax.cumlogsumexp(x, 2, True), None, "normal"),
    "sort": (lambda x: lax.sort(x, 1), lambda jl, x: jl.sort(x, dimension=1), "distinct"),
    "sort_last": (lambda x: lax.sort(x), lambda jl, x: jl.sort(x), "distinct"),
    "top_k": (lambda x: lax.top_k(x, 3)[0], lambda jl, x: jl.top_k(x, 3)[0], "distinct"),
    "top_k_axis0": (lambda x: lax.top_k(x, 1, axis=0)[0], None, "distinct"),
}
SHAPES = [(3, 7, 4), (2, 1, 5), (1, 8, 3), (4, 5, 6)]


def make_input(kind, rng, shape):
    if kind == "distinct":
        return distinct(rng, shape)
    return rng.standard_normal(shape)


@pytest.mark.parametrize("shape", SHAPES, ids=str)
@pytest.mark.parametrize("name", sorted(CASES))
def test_jvp_matches_finite_differences(name, shape):
    f, _, kind = CASES[name]
    rng = np.random.default_rng(seed_of((name, shape)))
    with enable_x64():
        x = make_input(kind, rng, shape)
        t = rng.standard_normal(shape)
        p, _ = jvp(f, x, t)
        np.testing.assert_array_equal(np.asarray(p), np.asarray(f(_arr(x))))
        np.testing.assert_allclose(jvp_value(f, x, t), fd(f, x, t), rtol=1e-6, atol=1e-7)


@pytest.mark.parametrize("shape", SHAPES[::2], ids=str)  # JAX compiles every new shape
@pytest.mark.parametrize("name", sorted(n for n in CASES if CASES[n][1] is not None))
def test_jvp_matches_jax(name, shape):
    jax = pytest.importorskip("jax")
    f, jf, kind = CASES[name]
    rng = np.random.default_rng(seed_of((name, shape, 1)))
    with enable_x64(), jax.enable_x64(True):
        x = make_input(kind, rng, shape)
        t = rng.standard_normal(shape)
        _, jt = jax.jvp(lambda a: jf(jax.lax, a), (x,), (t,))
        np.testing.assert_allclose(jvp_value(f, x, t), np.asarray(jt), rtol=1e-12, atol=1e-13)


# ----------------------------------------------------------------------------- edge cases vs JAX

def _ties(rng, shape):
    return rng.integers(-2, 3, shape).astype(np.float64)


EDGE_CASES = {
    # products with one and with several zeros in a group: no division by x
    "reduce_prod_zeros": (lambda x: lax.reduce_prod(x, (1,)),
                          lambda jl, x: jl.reduce_prod_p.bind(x, axes=(1,)), with_zeros),
    "cumprod_zeros": (lambda x: lax.cumprod(x, 1), lambda jl, x: jl.cumprod(x, 1), with_zeros),
    "cumprod_rev_zeros": (lambda x: lax.cumprod(x, 1, True),
                          lambda jl, x: jl.cumprod(x, 1, True), with_zeros),
    # ties: the tangent is shared between the tied elements
    "reduce_max_ties": (lambda x: lax.reduce_max(x, (1,)),
                        lambda jl, x: jl.reduce_max_p.bind(x, axes=(1,)), _ties),
    "reduce_min_ties": (lambda x: lax.reduce_min(x, (0, 1)),
                        lambda jl, x: jl.reduce_min_p.bind(x, axes=(0, 1)), _ties),
    "cummax_ties": (lambda x: lax.cummax(x, 1), lambda jl, x: jl.cummax(x, 1), _ties),
    "cummin_rev_ties": (lambda x: lax.cummin(x, 1, True),
                        lambda jl, x: jl.cummin(x, 1, True), _ties),
    "sort_ties": (lambda x: lax.sort(x, 1), lambda jl, x: jl.sort(x, dimension=1), _ties),
    "top_k_ties": (lambda x: lax.top_k(x, 4)[0], lambda jl, x: jl.top_k(x, 4)[0], _ties),
    # -inf contributes nothing; +inf takes all (JAX's logaddexp JVP)
    "cumlogsumexp_inf": (
        lambda x: lax.cumlogsumexp(x, 1), lambda jl, x: jl.cumlogsumexp(x, 1),
        lambda rng, shape: np.where(rng.random(shape) < 0.3,
                                    rng.choice([-np.inf, np.inf], shape),
                                    rng.standard_normal(shape))),
}


@pytest.mark.parametrize("name,shape", [
    (name, shape) for name in sorted(EDGE_CASES) for shape in [(3, 9), (2, 16)]
    if name != "cumlogsumexp_inf" or shape == (2, 16)], ids=str)
def test_jvp_edge_cases_match_jax(name, shape):
    jax = pytest.importorskip("jax")
    f, jf, make = EDGE_CASES[name]
    rng = np.random.default_rng(seed_of((name, shape, 2)))
    with enable_x64(), jax.enable_x64(True):
        x = make(rng, shape)
        t = rng.standard_normal(shape)
        jp, jt = jax.jvp(lambda a: jf(jax.lax, a), (x,), (t,))
        p, tan = jvp(f, x, t)
        # the primal only to rounding: JAX accumulates in another order
        np.testing.assert_allclose(np.asarray(p), np.asarray(jp), rtol=1e-14)
        np.testing.assert_allclose(np.asarray(instantiate(tan)), np.asarray(jt),
                                   rtol=1e-12, atol=1e-13)


def test_reduce_prod_jvp_with_zeros_is_exact():
    # d/dx_i prod(x) = prod of the others: with one zero, only its own slot is nonzero
    with enable_x64():
        x = np.array([2.0, 0.0, 3.0, 5.0, 7.0])
        for i, expect in enumerate([0.0, 210.0, 0.0, 0.0, 0.0]):
            t = np.eye(5)[i]
            assert jvp_value(lambda a: lax.reduce_prod(a, (0,)), x, t) == expect
        two = np.array([0.0, 3.0, 0.0])
        assert jvp_value(lambda a: lax.reduce_prod(a, (0,)), two, np.ones(3)) == 0.0
        # cumprod: the prefix products of the others
        cp = jvp_value(lambda a: lax.cumprod(a), x, np.eye(5)[1])
        np.testing.assert_array_equal(cp, [0.0, 2.0, 6.0, 30.0, 210.0])


def test_reduce_max_ties_average_the_tangent():
    with enable_x64():
        x = np.array([[1.0, 3.0, 3.0, 0.0], [2.0, 2.0, 2.0, 2.0]])
        t = np.array([[10.0, 1.0, 2.0, 100.0], [1.0, 2.0, 3.0, 4.0]])
        np.testing.assert_array_equal(jvp_value(lambda a: lax.reduce_max(a, (1,)), x, t),
                                      [1.5, 2.5])


@given(st.lists(st.integers(1, 4), min_size=1, max_size=4).map(tuple),
       st.integers(0, 2**32 - 1), st.data())
@settings(max_examples=6, deadline=None)
def test_reductions_random_axes(shape, seed, data):
    jax = pytest.importorskip("jax")
    axes = tuple(sorted(data.draw(st.sets(st.integers(0, len(shape) - 1)))))
    rng = np.random.default_rng(seed)
    with enable_x64(), jax.enable_x64(True):
        for prim, jprim, x in [("reduce_prod", jax.lax.reduce_prod_p, with_zeros(rng, shape)),
                               ("reduce_max", jax.lax.reduce_max_p, _ties(rng, shape)),
                               ("reduce_min", jax.lax.reduce_min_p, distinct(rng, shape)),
                               ("reduce_sum", jax.lax.reduce_sum_p, rng.standard_normal(shape))]:
            t = rng.standard_normal(shape)
            f = getattr(lax, prim)
            _, jt = jax.jvp(lambda a: jprim.bind(a, axes=axes), (x,), (t,))
            np.testing.assert_allclose(jvp_value(lambda a: f(a, axes), x, t), np.asarray(jt),
                                       rtol=1e-12, atol=1e-13, err_msg=prim)


def _cumulative_reference(name, x, t):
    """The tangent of a cumulative op along the last axis, by its defining sum
    (O(n^2), exact with zeros; max/min need distinct values)."""
    n = x.shape[-1]
    out = np.zeros_like(x)
    for i in range(n):
        xs, ts = x[..., :i + 1], t[..., :i + 1]
        if name == "cumprod":
            for j in range(i + 1):
                others = np.prod(np.delete(xs, j, axis=-1), axis=-1)
                out[..., i] += ts[..., j] * others
        elif name in ("cummax", "cummin"):
            pick = np.argmax(xs, -1) if name == "cummax" else np.argmin(xs, -1)
            out[..., i] = np.take_along_axis(ts, pick[..., None], -1)[..., 0]
        elif name == "cumlogsumexp":
            lse = np.log(np.sum(np.exp(xs), -1, keepdims=True))
            out[..., i] = np.sum(ts * np.exp(xs - lse), -1)
        else:
            out[..., i] = np.sum(ts, -1)
    return out


@given(st.integers(1, 40), st.integers(0, 2**32 - 1), st.booleans())
@settings(max_examples=20, deadline=None)
def test_cumulative_random_lengths(n, seed, reverse):
    # the associative scan's odd/even recursion at every length, against the sums
    rng = np.random.default_rng(seed)
    with enable_x64():
        for name, x in [("cumprod", with_zeros(rng, (2, n))),
                        ("cummax", distinct(rng, (2, n))), ("cummin", distinct(rng, (2, n))),
                        ("cumlogsumexp", rng.standard_normal((2, n))),
                        ("cumsum", rng.standard_normal((2, n)))]:
            t = rng.standard_normal((2, n))
            got = jvp_value(lambda a: getattr(lax, name)(a, 1, reverse), x, t)
            if reverse:
                want = _cumulative_reference(name, x[:, ::-1], t[:, ::-1])[:, ::-1]
            else:
                want = _cumulative_reference(name, x, t)
            np.testing.assert_allclose(got, want, rtol=1e-10, atol=1e-12, err_msg=name)


# ----------------------------------------------------------------------------- sort, top_k

def test_sort_multi_operand_jvp():
    rng = np.random.default_rng(0)
    with enable_x64():
        keys, vals = distinct(rng, (3, 6)), rng.standard_normal((3, 6))
        tk, tv = rng.standard_normal((3, 6)), rng.standard_normal((3, 6))
        (pk, pv), (ok, ov) = jvp_flat(lambda k, v: list(lax.sort((k, v), 1)),
                                      [_arr(keys), _arr(vals)], [_arr(tk), _arr(tv)])
        perm = np.argsort(keys, axis=1)
        np.testing.assert_array_equal(np.asarray(pk), np.take_along_axis(keys, perm, 1))
        np.testing.assert_array_equal(np.asarray(pv), np.take_along_axis(vals, perm, 1))
        np.testing.assert_array_equal(np.asarray(ok), np.take_along_axis(tk, perm, 1))
        np.testing.assert_array_equal(np.asarray(ov), np.take_along_axis(tv, perm, 1))

        # a symbolic-zero tangent stays Zero; only the values move
        _, (zk, ov2) = jvp_flat(lambda v: list(lax.sort((_arr(keys), v), 1)),
                                [_arr(vals)], [_arr(tv)])
        assert type(zk) is Zero
        np.testing.assert_array_equal(np.asarray(ov2), np.take_along_axis(tv, perm, 1))


def test_sort_num_keys_and_integer_keys_match_jax():
    jax = pytest.importorskip("jax")
    rng = np.random.default_rng(1)
    with enable_x64(), jax.enable_x64(True):
        k1 = rng.integers(0, 3, (4, 7)).astype(np.float64)
        k2 = distinct(rng, (4, 7))
        v = rng.standard_normal((4, 7))
        ts = [rng.standard_normal((4, 7)) for _ in range(3)]
        _, jts = jax.jvp(lambda a, b, c: jax.lax.sort((a, b, c), dimension=1, num_keys=2),
                         (k1, k2, v), tuple(ts))
        _, outs = jvp_flat(lambda a, b, c: list(lax.sort((a, b, c), 1, num_keys=2)),
                           [_arr(k1), _arr(k2), _arr(v)], [_arr(t) for t in ts])
        for got, want in zip(outs, jts):
            np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
        # integer keys carry no tangent; the float values follow them
        ik = rng.integers(0, 5, (4, 7)).astype(np.int32)
        _, (zk, tv) = jvp_flat(lambda b: list(lax.sort((Array(ik), b), 0)), [_arr(v)],
                               [_arr(ts[0])])
        _, (_, jtv) = jax.jvp(lambda b: jax.lax.sort((ik, b), dimension=0), (v,), (ts[0],))
        assert type(zk) is Zero
        np.testing.assert_array_equal(np.asarray(tv), np.asarray(jtv))


def test_top_k_indices_have_zero_tangent():
    rng = np.random.default_rng(2)
    with enable_x64():
        x, t = distinct(rng, (3, 8)), rng.standard_normal((3, 8))
        (vals, idx), (tv, ti) = jvp_flat(lambda a: list(lax.top_k(a, 3)), [_arr(x)], [_arr(t)])
        assert type(ti) is Zero and ti.aval.shape == (3, 3)
        np.testing.assert_array_equal(np.asarray(tv),
                                      np.take_along_axis(t, np.asarray(idx), 1))


# ----------------------------------------------------------------------------- zero derivatives

@pytest.mark.parametrize("f", [
    lambda x: lax.argmax(x, 1, np.int32),
    lambda x: lax.argmin(x, 0, np.int32),
    lambda x: lax.reduce_and(lax.gt(x, 0.0), (1,)),
    lambda x: lax.reduce_or(lax.gt(x, 0.0), (0,)),
    lambda x: lax.reduce_xor(lax.gt(x, 0.0), (0, 1)),
], ids=["argmax", "argmin", "reduce_and", "reduce_or", "reduce_xor"])
def test_zero_derivative_outputs(f):
    rng = np.random.default_rng(3)
    with enable_x64():
        x = rng.standard_normal((3, 4))
        p, tan = jvp(f, x, rng.standard_normal((3, 4)))
        assert type(tan) is Zero
        assert tan.aval.shape == np.shape(p)


@pytest.mark.parametrize("prim", ["argmax_p", "argmin_p"])
def test_argminmax_rule_gives_zero(prim):
    # called directly (the trace skips rules whose tangents are all Zero)
    from tinyjax.interpreters.ad import jvp_rules
    p = getattr(lax, prim)
    x = Array(np.arange(6.0, dtype=np.float32).reshape(2, 3))
    out, tan = jvp_rules[p]([x], [Array(np.ones((2, 3), np.float32))], axes=(1,),
                            index_dtype=np.dtype(np.int32))
    assert type(tan) is Zero
    assert np.asarray(out).tolist() == ([2, 2] if prim == "argmax_p" else [0, 0])


@pytest.mark.parametrize("prim", ["reduce_and_p", "reduce_or_p", "reduce_xor_p"])
def test_logical_reduction_rules_give_zero(prim):
    from tinyjax.core.ad_util import float0
    from tinyjax.interpreters.ad import jvp_rules
    p = getattr(lax, prim)
    x = Array(np.array([[1, 2], [3, 4]], np.int32))
    _, tan = jvp_rules[p]([x], [np.zeros((2, 2), float0)], axes=(0,))
    assert type(tan) is Zero and tan.aval.shape == (2,)


# ----------------------------------------------------------------------------- second order

SECOND_ORDER = ["reduce_sum", "reduce_prod", "reduce_max", "reduce_min", "cumsum", "cumprod",
                "cumprod_rev", "cummax", "cummin_rev", "cumlogsumexp", "cumlogsumexp_rev",
                "sort", "top_k"]


@pytest.mark.parametrize("name", SECOND_ORDER)
def test_second_order_jvp(name):
    f, _, kind = CASES[name]
    rng = np.random.default_rng(seed_of((name, 3)))
    shape = (2, 5, 3)
    with enable_x64():
        x = make_input(kind, rng, shape)
        t1, t2 = rng.standard_normal(shape), rng.standard_normal(shape)

        def first(a):  # the first-order tangent along t1, as a function of the point
            (_,), (tan,) = jvp_flat(lambda b: [f(b)], [a], [_arr(t1)])
            return instantiate(tan)

        got = jvp_value(first, x, t2)
        want = fd(first, x, t2, eps=1e-5)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


def test_second_order_reduce_prod_with_zero():
    # d2/dx0 dx1 prod(x) = prod(x[2:]) even where x0 == x1 == 0
    with enable_x64():
        x = np.array([0.0, 0.0, 3.0, 5.0])
        e = np.eye(4)

        def first(a):
            (_,), (tan,) = jvp_flat(lambda b: [lax.reduce_prod(b, (0,))], [a], [_arr(e[0])])
            return instantiate(tan)

        assert jvp_value(first, x, e[1]) == 15.0
        assert jvp_value(first, x, e[2]) == 0.0


# ----------------------------------------------------------------------------- transposes

def _transpose(prim, ct, x_aval, **params):
    ct_in, = transpose_rules[prim](_arr(ct), UndefinedPrimal(x_aval), **params)
    return np.asarray(ct_in)


@pytest.mark.parametrize("shape,axes", [((3, 4, 5), (0, 2)), ((3, 4), (1,)), ((2, 3), ()),
                                        ((2, 3), (0, 1)), ((0, 3), (0,))], ids=str)
def test_reduce_sum_transpose(shape, axes):
    rng = np.random.default_rng(4)
    with enable_x64():
        t = rng.standard_normal(shape)
        y = np.asarray(lax.reduce_sum(_arr(t), axes))
        ct = rng.standard_normal(y.shape)
        ct_x = _transpose(lax.reduce_sum_p, ct, ShapedArray(shape, np.dtype(np.float64)),
                          axes=axes)
        assert ct_x.shape == shape and ct_x.dtype == np.float64
        np.testing.assert_allclose(np.sum(ct * y), np.sum(ct_x * t), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("axis", [0, 1])
@pytest.mark.parametrize("reverse", [False, True])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cumsum_transpose(axis, reverse, dtype):
    rng = np.random.default_rng(5)
    with enable_x64():
        t = rng.standard_normal((4, 6)).astype(dtype)
        ct = rng.standard_normal((4, 6)).astype(dtype)
        y = np.asarray(lax.cumsum(_arr(t), axis, reverse))
        ct_x = _transpose(lax.cumsum_p, ct, ShapedArray((4, 6), np.dtype(dtype)), axis=axis,
                          reverse=reverse)
        assert ct_x.dtype == dtype
        np.testing.assert_allclose(np.sum(ct * y, dtype=np.float64),
                                   np.sum(ct_x * t, dtype=np.float64), rtol=1e-5)


# ----------------------------------------------------------------------------- grad vs JAX

GRAD_CASES = {
    "prod": (lambda m: lambda x: m.reduce_prod_p.bind(x, axes=(1,)).sum(), with_zeros),
    "max": (lambda m: lambda x: (m.reduce_max_p.bind(x, axes=(0,)) ** 2).sum(), _ties),
    "cumprod": (lambda m: lambda x: m.cumprod(x, 1).sum(), with_zeros),
    "cummax": (lambda m: lambda x: (m.cummax(x, 1, True) * x).sum(), _ties),
    "cumlogsumexp": (lambda m: lambda x: m.cumlogsumexp(x, 1).sum(),
                     lambda rng, s: rng.standard_normal(s)),
    "sort": (lambda m: lambda x: (m.sort(x, dimension=1) * np.arange(5.0)).sum(), distinct),
    "top_k": (lambda m: lambda x: (m.top_k(x, 2)[0] ** 2).sum(), distinct),
    "cumsum": (lambda m: lambda x: (m.cumsum(x, 0) ** 2).sum(),
               lambda rng, s: rng.standard_normal(s)),
}


@pytest.mark.parametrize("name", sorted(GRAD_CASES))
def test_grad_matches_jax(name):
    jax = pytest.importorskip("jax")
    make_f, make_x = GRAD_CASES[name]
    rng = np.random.default_rng(seed_of((name, 6)))
    with enable_x64(), jax.enable_x64(True):
        x = make_x(rng, (4, 5))
        want = jax.grad(make_f(jax.lax))(x)
        got = tinyjax.grad(make_f(lax))(_arr(x))
        np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-12, atol=1e-13)


HESSIAN_CASES = {
    "prod": lambda m: lambda x: m.reduce_prod_p.bind(x, axes=(0,)),
    "cumprod": lambda m: lambda x: (m.cumprod(x, 0) * np.arange(7.0)).sum(),
    "cummax": lambda m: lambda x: (m.cummax(x, 0) * x).sum(),
    "sort": lambda m: lambda x: (m.sort(x) ** 3 * np.arange(7.0)).sum(),
    "top_k": lambda m: lambda x: (m.top_k(x, 3)[0] ** 3).sum(),
}


@pytest.mark.parametrize("name", sorted(HESSIAN_CASES))
def test_hessian_matches_finite_differences_of_grad(name):
    # second order through the public API (forward over reverse), with a zero in x;
    # the gradient itself is checked against JAX above
    rng = np.random.default_rng(seed_of(name, 7))
    f = HESSIAN_CASES[name](lax)
    with enable_x64():
        x = distinct(rng, (7,)) - 3.0
        x[2] = 0.0
        got = np.asarray(tinyjax.hessian(f)(_arr(x)))
        grad = tinyjax.grad(f)
        want = np.stack([fd(grad, x, e, eps=1e-5) for e in np.eye(7)], axis=1)
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("shape,dim", [((0, 3), 1), ((0, 3), 0), ((3, 0), 1)])
def test_sort_jvp_of_empty_arrays(shape, dim):
    x = np.zeros(shape, np.float32)
    _, tan = jvp(lambda a: lax.sort(a, dim), x, x)
    assert tan.shape == shape and tan.dtype == np.float32
