"""Derivative rules of the contraction / windowed family (dot_general,
conv_general_dilated, reduce_window_{sum,max,min}) and of lax.linalg.

JVPs are checked in float64 against central finite differences and against
`jax.jvp`; transpose rules by the dot-product identity and against `jax.vjp`;
second derivatives by nesting the JVP; a few whole functions with `tinyjax.grad`
against `jax.grad` and with `check_grads`.
"""
import contextlib
import itertools

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

try:
    import jax
except ImportError:  # the oracle is optional: those checks skip without it
    jax = None

needs_jax = pytest.mark.skipif(jax is None, reason="needs jax as the oracle")
EPS = 1e-6
RTOL = 1e-6
ATOL = 1e-8
LA = lax.linalg


@contextlib.contextmanager
def x64():
    with contextlib.ExitStack() as stack:
        stack.enter_context(enable_x64())
        if jax is not None:
            stack.enter_context(jax.enable_x64(True))
        yield


def _arr(x):
    return Array(np.asarray(x))


def _listify(out):
    return list(out) if isinstance(out, (tuple, list)) else [out]


def jvp(f, primals, tangents):
    """(outputs, tangents) of f (any number of outputs) as lists; tangents may be Zero."""
    return jvp_flat(lambda *a: _listify(f(*a)), [_arr(p) for p in primals],
                    [_arr(t) for t in tangents])


def jvp_values(f, primals, tangents):
    return [np.asarray(instantiate(t)) for t in jvp(f, primals, tangents)[1]]


def fd(f, primals, tangents, eps=EPS):
    with np.errstate(invalid="ignore"):  # inf - inf in windows of padding only
        return _fd(f, primals, tangents, eps)


def _fd(f, primals, tangents, eps):
    plus = _listify(f(*[_arr(p + eps * t) for p, t in zip(primals, tangents)]))
    minus = _listify(f(*[_arr(p - eps * t) for p, t in zip(primals, tangents)]))
    return [(np.asarray(a) - np.asarray(b)) / (2 * eps) for a, b in zip(plus, minus)]


def close(got, want, rtol=RTOL, atol=ATOL):
    assert len(got) == len(want)
    for g, w in zip(got, want):
        np.testing.assert_allclose(np.asarray(g, np.float64), np.asarray(w, np.float64),
                                   rtol=rtol, atol=atol)


def check_jvp(f, jf, primals, rng, *, fd_tol=(1e-6, 1e-7), float_outs=None):
    """JVP of tinyjax f vs central differences and (if jax is there and jf is given)
    jax.jvp of jf."""
    primals = [np.asarray(p, np.float64) for p in primals]
    tangents = [rng.standard_normal(np.shape(p)) for p in primals]
    with x64():
        got = jvp_values(f, primals, tangents)
        keep = float_outs or range(len(got))
        num = fd(f, primals, tangents)
        # windows made only of padding have -inf - -inf differences: compare elsewhere
        num = [np.where(np.isfinite(num[i]), num[i], got[i]) for i in keep]
        close([got[i] for i in keep], num, *fd_tol)
        if jax is not None and jf is not None:
            _, want = jax.jvp(jf, tuple(primals), tuple(tangents))
            close([got[i] for i in keep], [_listify(want)[i] for i in keep], 1e-9, 1e-11)
    return got


def check_jvp2(f, primals, rng, rtol=1e-5, atol=1e-7):
    """Second order: the JVP (along u) of x -> jvp(f, x, t) vs its central differences."""
    primals = [np.asarray(p, np.float64) for p in primals]
    ts = [rng.standard_normal(np.shape(p)) for p in primals]
    us = [rng.standard_normal(np.shape(p)) for p in primals]

    def first(*xs):
        _, tans = jvp_flat(lambda *a: _listify(f(*a)), list(xs), [_arr(t) for t in ts])
        return [instantiate(t) for t in tans]

    with x64():
        got = jvp_values(first, primals, us)
        close(got, fd(first, primals, us, eps=1e-5), rtol, atol)


def check_transpose(prim, ct_shape, args, linear, params, rng):
    """<ct, f(t)> == <f^T(ct), t> for the linear argument positions `linear`."""
    with x64():
        ct = rng.standard_normal(ct_shape)
        for i in linear:
            t = rng.standard_normal(np.shape(args[i]))
            call = [_arr(a) for a in args]
            call[i] = _arr(t)
            fwd = np.asarray(prim.bind(*call, **params))
            undef = [_arr(a) for a in args]
            undef[i] = UndefinedPrimal(ShapedArray(np.shape(t), np.dtype(np.float64)))
            cts = transpose_rules[prim](_arr(ct), *undef, **params)
            assert all(c is None for j, c in enumerate(cts) if j != i)
            back = np.asarray(cts[i])
            assert back.shape == np.shape(t) and back.dtype == np.float64
            np.testing.assert_allclose(np.vdot(ct, fwd), np.vdot(back, t), rtol=1e-10)


def _params(f, *args):
    """The parameters tinyjax's public function gives its (single) primitive."""
    with x64():
        eqns = tinyjax.make_jaxpr(f)(*args).jaxpr.eqns
    (eqn,) = [e for e in eqns if e.primitive.name in
              ("dot_general", "conv_general_dilated", "reduce_window_sum")]
    return eqn.primitive, eqn.params


# ----------------------------------------------------------------------------- dot_general

DOT_CASES = [  # lhs shape, rhs shape, ((lc, rc), (lb, rb))
    ((3, 4), (4, 5), (((1,), (0,)), ((), ()))),
    ((4,), (4,), (((0,), (0,)), ((), ()))),
    ((3, 2), (4,), (((), ()), ((), ()))),
    ((2, 3, 4), (2, 4, 5), (((2,), (1,)), ((0,), (0,)))),
    ((2, 3, 4), (5, 4, 2), (((2,), (1,)), ((0,), (2,)))),
    ((2, 3, 4, 6), (6, 5, 2, 4), (((3, 2), (0, 3)), ((0,), (2,)))),
    ((3, 2, 4), (4, 3, 2), (((1, 2), (2, 0)), ((), ()))),
]


@pytest.mark.parametrize("ls,rs,dn", DOT_CASES)
def test_dot_general_jvp_and_transpose(ls, rs, dn):
    rng = np.random.default_rng(0)
    x, y = rng.standard_normal(ls), rng.standard_normal(rs)
    f = lambda a, b: lax.dot_general(a, b, dn)  # noqa: E731
    jf = None if jax is None else (lambda a, b: jax.lax.dot_general(a, b, dn))
    check_jvp(f, jf, [x, y], rng)
    prim, params = _params(f, x, y)
    out_shape = np.shape(f(x, y))
    check_transpose(prim, out_shape, [x, y], [0, 1], params, rng)


def test_dot_general_one_sided_tangent_and_second_order():
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((3, 4)), rng.standard_normal((4, 2))
    with x64():
        _, (t,) = jvp(lambda a: lax.dot(a, _arr(y)), [x], [np.ones((3, 4))])
        np.testing.assert_allclose(np.asarray(t), np.ones((3, 4)) @ y)
    # x -> x @ x^T y is quadratic in x: its second derivative is not zero
    z = rng.standard_normal((3, 2))
    check_jvp2(lambda a, b: lax.dot(lax.dot(a, lax.transpose(a, (1, 0))), b), [x, z], rng)


@needs_jax
def test_dot_general_mixed_dtypes_transpose():
    rng = np.random.default_rng(2)
    x = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((4, 5)).astype(np.float32)
    with x64():
        dn = (((1,), (0,)), ((), ()))
        ct = rng.standard_normal((3, 5))  # float64 cotangent of a float64 result
        p = lax.dot_general_p
        params = dict(dimension_numbers=dn, precision=None,
                      preferred_element_type=np.dtype(np.float64))
        cx, _ = transpose_rules[p](_arr(ct), UndefinedPrimal(ShapedArray((3, 4), np.float32)),
                                   _arr(y), **params)
        assert np.asarray(cx).dtype == np.float32
        np.testing.assert_allclose(np.asarray(cx), ct @ y.T.astype(np.float64), rtol=1e-6)
        # the tangent of the result has the result's dtype
        (out,), (t,) = jvp(lambda a: lax.dot_general(a, _arr(y), dn,
                                                     preferred_element_type=np.float64),
                           [x], [np.ones_like(x)])
        assert np.asarray(out).dtype == np.asarray(t).dtype == np.float64
    # float operand times integer operand: only the float side has a cotangent
    yi = rng.integers(-3, 4, (4, 5)).astype(np.int32)
    ct32 = rng.standard_normal((3, 5)).astype(np.float32)
    params = dict(dimension_numbers=dn, precision=None, preferred_element_type=None)
    cx, _ = transpose_rules[lax.dot_general_p](
        _arr(ct32), UndefinedPrimal(ShapedArray((3, 4), np.float32)), _arr(yi), **params)
    assert np.asarray(cx).dtype == np.float32
    np.testing.assert_allclose(np.asarray(cx), ct32 @ yi.T.astype(np.float32), rtol=1e-5)
    # integer results carry no tangent
    xi = rng.integers(-3, 4, (3, 4)).astype(np.int32)
    _, (t,) = jvp(lambda a: lax.dot(a, _arr(yi)), [xi], [np.zeros((3, 4))])
    assert type(t) is Zero


# ----------------------------------------------------------------------------- conv

# lhs shape, rhs shape, strides, padding, lhs_dilation, rhs_dilation, dimension_numbers,
# feature_group_count, batch_group_count
CONV_CASES = [
    ((2, 3, 7, 6), (4, 3, 3, 2), (1, 1), "VALID", (1, 1), (1, 1), None, 1, 1),
    ((2, 3, 9, 8), (4, 3, 3, 2), (2, 3), ((1, 2), (0, 1)), (1, 1), (2, 1), None, 1, 1),
    ((1, 2, 6, 5), (3, 2, 2, 3), (3, 2), "SAME", (1, 1), (1, 1), None, 1, 1),
    ((2, 4, 9, 8), (6, 2, 3, 2), (2, 1), ((1, -1), (2, 0)), (2, 1), (1, 2), None, 2, 1),
    ((4, 3, 9, 8), (6, 3, 3, 2), (2, 1), ((1, 1), (2, 0)), (1, 2), (1, 2), None, 1, 2),
    ((2, 9, 8, 4), (3, 2, 2, 6), (2, 1), ((1, 1), (2, 0)), (1, 1), (1, 1),
     ("NHWC", "HWIO", "NHWC"), 2, 1),
    ((4, 9, 8, 3), (3, 2, 3, 6), (2, 1), ((1, 1), (2, 0)), (1, 1), (2, 1),
     ("NHWC", "HWIO", "NCHW"), 1, 2),
    ((2, 3, 10), (4, 3, 3), (3,), ((1, 1),), (1,), (1,), None, 1, 1),
    ((2, 6, 10), (6, 1, 4), (2,), ((2, 3),), (3,), (2,), ("NCH", "OIH", "NCH"), 6, 1),
    ((3, 5, 4, 2), (2, 4, 2, 3), (1, 2), ((0, 0), (1, 1)), (1, 1), (1, 1),
     ("HWCN", "OIHW", "CNHW"), 1, 1),
    ((2, 3, 5, 4, 6), (4, 3, 2, 2, 3), (1, 2, 2), ((0, 0), (1, 1), (1, 0)), (1, 1, 2),
     (1, 1, 1), None, 1, 1),
]


def _conv_kwargs(strides, padding, ld, rd, dn, G, B):
    return dict(window_strides=strides, padding=padding, lhs_dilation=ld, rhs_dilation=rd,
                dimension_numbers=dn, feature_group_count=G, batch_group_count=B)


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}x{c[1]}")
def test_conv_jvp_and_transpose(case):
    ls, rs, *config = case
    kw = _conv_kwargs(*config)
    rng = np.random.default_rng(3)
    x, w = rng.standard_normal(ls), rng.standard_normal(rs)
    f = lambda a, b: lax.conv_general_dilated(a, b, **kw)  # noqa: E731
    jf = None if jax is None else (lambda a, b: jax.lax.conv_general_dilated(a, b, **kw))
    # bilinear, so finite differences are exact up to rounding: no need for jax.jvp
    check_jvp(f, None, [x, w], rng)
    prim, params = _params(f, x, w)
    with x64():
        out_shape = np.shape(f(x, w))
    check_transpose(prim, out_shape, [x, w], [0, 1], params, rng)
    if jax is not None:  # the cotangents themselves, against jax.vjp
        ct = rng.standard_normal(out_shape)
        with x64():
            _, vjp = jax.vjp(jf, x, w)
            want = vjp(ct)
            got_x = transpose_rules[prim](_arr(ct), UndefinedPrimal(ShapedArray(ls, np.float64)),
                                          _arr(w), **params)[0]
            got_w = transpose_rules[prim](_arr(ct), _arr(x),
                                          UndefinedPrimal(ShapedArray(rs, np.float64)),
                                          **params)[1]
        close([got_x, got_w], want, 1e-10, 1e-12)


def test_conv_second_order_and_dtypes():
    rng = np.random.default_rng(4)
    x, w = rng.standard_normal((1, 2, 5, 4)), rng.standard_normal((3, 2, 2, 2))
    # conv(x, x-dependent kernel): second derivative through both bilinear sides
    check_jvp2(lambda a, b: lax.conv_general_dilated(a, lax.mul(b, b), (2, 1), "SAME"),
               [x, w], rng)
    # preferred float64 result of float32 operands: cotangents come back in float32
    with x64():
        params = _params(lambda a, b: lax.conv_general_dilated(
            a, b, (1, 1), "VALID", preferred_element_type=np.float64),
            x.astype(np.float32), w.astype(np.float32))[1]
        ct = rng.standard_normal((1, 3, 4, 3))
        cx, _ = transpose_rules[lax.conv_general_dilated_p](
            _arr(ct), UndefinedPrimal(ShapedArray(x.shape, np.float32)),
            _arr(w.astype(np.float32)), **params)
        _, cw = transpose_rules[lax.conv_general_dilated_p](
            _arr(ct), _arr(x.astype(np.float32)),
            UndefinedPrimal(ShapedArray(w.shape, np.float32)), **params)
        assert np.asarray(cx).dtype == np.asarray(cw).dtype == np.float32
        want = transpose_rules[lax.conv_general_dilated_p](
            _arr(ct), UndefinedPrimal(ShapedArray(x.shape, np.float64)), _arr(w),
            **dict(params, preferred_element_type=None))[0]
        np.testing.assert_allclose(np.asarray(cx), np.asarray(want), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- reduce_window

RW_CASES = [  # shape, window, strides, padding, base_dilation, window_dilation
    ((5, 6), (2, 3), (1, 2), "VALID", None, None),
    ((5, 6), (2, 3), (2, 1), ((1, 0), (2, 1)), (2, 1), (1, 2)),
    ((2, 7, 6), (1, 3, 2), (1, 2, 2), "SAME", (1, 1, 2), (1, 2, 1)),
    ((7,), (3,), (2,), ((-1, 2),), (1,), (1,)),
    ((4, 4), (4, 4), (1, 1), "VALID", None, None),
    ((6,), (2,), (3,), ((3, 3),), (1,), (2,)),
]
_RW = {"sum": (0.0, "add"), "max": (-np.inf, "max"), "min": (np.inf, "min")}


def _rw(mod, kind, win, strides, pad, bd, wd):
    init, op = _RW[kind]
    return lambda a: mod.reduce_window(a, init, getattr(mod, op), win, strides, pad, bd, wd)


def _distinct(rng, shape):
    n = int(np.prod(shape))
    return rng.permutation(n).reshape(shape) + 0.3 * rng.random(shape)


@pytest.mark.parametrize("kind", ["sum", "max", "min"])
@pytest.mark.parametrize("case", RW_CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_reduce_window_jvp(kind, case):
    rng = np.random.default_rng(5)
    x = _distinct(rng, case[0])  # no ties: max/min are smooth here
    f = _rw(lax, kind, *case[1:])
    jf = None if jax is None else _rw(jax.lax, kind, *case[1:])
    check_jvp(f, jf, [x], rng)


@pytest.mark.parametrize("case", RW_CASES, ids=lambda c: f"{c[0]}-{c[1]}")
def test_reduce_window_sum_transpose(case):
    rng = np.random.default_rng(6)
    x = rng.standard_normal(case[0])
    f = _rw(lax, "sum", *case[1:])
    prim, params = _params(f, x)
    with x64():
        out_shape = np.shape(f(x))
    check_transpose(prim, out_shape, [x], [0], params, rng)
    if jax is not None:
        ct = rng.standard_normal(out_shape)
        with x64():
            (got,) = transpose_rules[prim](_arr(ct), UndefinedPrimal(
                ShapedArray(x.shape, np.float64)), **params)
            want = jax.vjp(_rw(jax.lax, "sum", *case[1:]), x)[1](ct)
        close([got], want, 1e-12, 1e-12)


@needs_jax
@settings(max_examples=20, deadline=None)
@given(st.integers(0, 2**31 - 1), st.sampled_from(["max", "min"]),
       st.sampled_from(RW_CASES))
def test_reduce_window_chooser_ties_match_jax(seed, kind, case):
    # Ties pick the first chosen element in window order, as JAX.
    rng = np.random.default_rng(seed)
    x = rng.integers(0, 3, case[0]).astype(np.float64)
    t = rng.standard_normal(case[0])
    with x64():
        got = jvp_values(_rw(lax, kind, *case[1:]), [x], [t])
        _, want = jax.jvp(_rw(jax.lax, kind, *case[1:]), (x,), (t,))
    close(got, [want], 0, 0)


def test_reduce_window_max_second_order_and_edges():
    rng = np.random.default_rng(7)
    x = _distinct(rng, (4, 5))
    f = _rw(lax, "max", (2, 2), (1, 2), ((1, 0), (0, 1)), (1, 1), (1, 1))
    # max of squares: a second derivative that is not zero
    check_jvp2(lambda a: f(lax.mul(a, a)), [x], rng)
    check_jvp2(lambda a: _rw(lax, "min", (3,), (1,), "SAME", None, None)(lax.exp(a)),
               [x[0]], rng)
    with x64():
        # rank 0: the operand is its own window
        (_, ), (t,) = jvp(_rw(lax, "max", (), (), (), None, None), [np.float64(2.0)],
                          [np.float64(3.0)])
        assert float(np.asarray(t)) == 3.0
        # integer operands have no tangent
        xi = np.arange(6, dtype=np.int32).reshape(2, 3)
        f = lambda a: lax.reduce_window(a, np.iinfo(np.int32).min, lax.max,  # noqa: E731
                                        (1, 2), (1, 1), "VALID")
        _, (t,) = jvp(f, [xi], [np.zeros((2, 3))])
        assert type(t) is Zero


# ----------------------------------------------------------------------------- linalg

def _spd(rng, batch, n):
    a = rng.standard_normal(batch + (n, n))
    return a @ np.swapaxes(a, -1, -2) + n * np.eye(n)


def _sym(rng, batch, n):
    a = rng.standard_normal(batch + (n, n))
    return (a + np.swapaxes(a, -1, -2)) / 2


def _J(name):
    return None if jax is None else getattr(jax.lax.linalg, name)


@pytest.mark.parametrize("batch", [(), (2,)])
def test_cholesky_jvp(batch):
    rng = np.random.default_rng(8)
    x = _spd(rng, batch, 4)
    check_jvp(LA.cholesky, _J("cholesky"), [x], rng)


def _tri(rng, n, lower):
    a = rng.standard_normal((n, n)) + 3 * np.eye(n)
    return np.tril(a) if lower else np.triu(a)


TRI_CASES = list(itertools.product([True, False], [True, False], [True, False],
                                   [True, False], ["tall", "wide"]))


@pytest.mark.parametrize("left,lower,trans,unit,form", TRI_CASES)
def test_triangular_solve_jvp_and_transpose(left, lower, trans, unit, form):
    rng = np.random.default_rng(9)
    n = 4
    k = 2 if form == "tall" else 6
    bshape = (n, k) if left else (k, n)
    a = _tri(rng, n, lower)
    # a full matrix: the other triangle must not matter
    a_full = a + (np.triu(rng.standard_normal((n, n)), 1) if lower
                  else np.tril(rng.standard_normal((n, n)), -1))
    b = rng.standard_normal(bshape)
    kw = dict(left_side=left, lower=lower, transpose_a=trans, unit_diagonal=unit)
    f = lambda p, q: LA.triangular_solve(p, q, **kw)  # noqa: E731
    jf = None if jax is None else (lambda p, q: jax.lax.linalg.triangular_solve(p, q, **kw))
    check_jvp(f, jf, [a_full, b], rng, fd_tol=(1e-5, 1e-7))
    params = dict(kw, conjugate_a=False)
    check_transpose(LA.triangular_solve_p, bshape, [a_full, b], [1], params, rng)


@pytest.mark.parametrize("shape,oracle", [((4, 4), True), ((5, 3), False), ((3, 5), True),
                                          ((2, 3, 3), False)])
def test_lu_jvp(shape, oracle):
    # (jax.jvp of lu is slow to compile: it is the oracle for some shapes only)
    rng = np.random.default_rng(10)
    x = rng.standard_normal(shape)
    check_jvp(LA.lu, _J("lu") if oracle else None, [x], rng, fd_tol=(1e-5, 1e-7),
              float_outs=[0])
    with x64():
        _, tans = jvp(LA.lu, [x], [np.ones(shape)])
    assert type(tans[1]) is Zero and type(tans[2]) is Zero


def test_lu_pivots_to_permutation_zero():
    piv = np.array([2, 2, 2], np.int32)
    _, (t,) = jvp(lambda p: LA.lu_pivots_to_permutation(p, 5), [piv], [np.zeros(3)])
    assert type(t) is Zero


@pytest.mark.parametrize("shape,full", [((4, 4), False), ((5, 3), False), ((5, 3), True),
                                        ((3, 5), False), ((2, 4, 3), False), ((2, 4, 3), True)])
def test_qr_jvp(shape, full):
    rng = np.random.default_rng(11)
    x = rng.standard_normal(shape)
    f = lambda a: LA.qr(a, full_matrices=full)  # noqa: E731
    jf = None if jax is None else (lambda a: jax.lax.linalg.qr(a, full_matrices=full))
    check_jvp(f, jf, [x], rng, fd_tol=(1e-5, 1e-7))


@pytest.mark.parametrize("batch", [(), (2,)])
@pytest.mark.parametrize("symmetrize", [True, False])
def test_eigh_jvp(batch, symmetrize):
    rng = np.random.default_rng(12)
    x = _sym(rng, batch, 4)
    f = lambda a: LA.eigh(a, symmetrize_input=symmetrize)  # noqa: E731
    jf = None if jax is None else (
        lambda a: jax.lax.linalg.eigh(a, symmetrize_input=symmetrize))
    # eigenvector signs are fixed by LAPACK continuously near x, so FD works; the
    # tangent is symmetric when the input is symmetrized
    primals = [x]
    tangents = [_sym(rng, batch, 4)]
    with x64():
        got = jvp_values(f, primals, tangents)
        close(got, fd(f, primals, tangents), 1e-5, 1e-7)
        if jax is not None:
            close(got, _listify(jax.jvp(jf, (x,), tuple(tangents))[1]), 1e-9, 1e-11)
            # a non-symmetric tangent is used as given, as JAX
            t = rng.standard_normal(x.shape)
            close(jvp_values(f, [x], [t]), _listify(jax.jvp(jf, (x,), (t,))[1]), 1e-9, 1e-11)
    with x64(), pytest.raises(NotImplementedError):
        jvp(lambda a: LA.eigh(a, subset_by_index=(0, 2)), [x], [x])


@pytest.mark.parametrize("shape,mode", [
    ((4, 4), "reduced"), ((4, 4), "full"), ((4, 4), "values"), ((5, 3), "reduced"),
    ((5, 3), "full"), ((5, 3), "values"), ((3, 5), "reduced"), ((3, 5), "full"),
    ((2, 3, 4), "reduced")])
def test_svd_jvp(shape, mode):
    rng = np.random.default_rng(13)
    x = rng.standard_normal(shape)
    kw = dict(full_matrices=mode == "full", compute_uv=mode != "values")
    f = lambda a: LA.svd(a, **kw)  # noqa: E731
    jf = None if jax is None else (lambda a: jax.lax.linalg.svd(a, **kw))
    if mode == "full" and shape[-1] != shape[-2]:
        with pytest.raises(NotImplementedError):  # as JAX
            jvp(f, [x], [x])
        if jax is not None:
            with pytest.raises(NotImplementedError):
                jax.jvp(jf, (x,), (x,))
        return
    check_jvp(f, jf, [x], rng, fd_tol=(1e-5, 1e-7))


def test_linalg_second_order():
    rng = np.random.default_rng(14)
    check_jvp2(LA.cholesky, [_spd(rng, (), 3)], rng)
    a = _tri(rng, 3, True)
    check_jvp2(lambda p, q: LA.triangular_solve(p, q, left_side=True, lower=True),
               [a, rng.standard_normal((3, 2))], rng)
    check_jvp2(lambda p: LA.eigh(p)[1], [_sym(rng, (), 3)], rng)
    check_jvp2(lambda p: LA.svd(p, full_matrices=False)[1], [rng.standard_normal((4, 3))],
               rng)
    check_jvp2(lambda p: LA.qr(p, full_matrices=False)[1], [rng.standard_normal((4, 3))],
               rng)
    check_jvp2(lambda p: LA.lu(p)[0], [rng.standard_normal((3, 3))], rng)


# ----------------------------------------------------------------------------- grad

@needs_jax
def test_grad_of_convnet_matches_jax():
    import jax.numpy as jnp

    import tinyjax.numpy as tnp
    rng = np.random.default_rng(15)
    x, w = rng.standard_normal((2, 3, 6, 6)), rng.standard_normal((4, 3, 3, 3))
    v = rng.standard_normal((4 * 3 * 3, 5))

    def make(L, np_):
        def f(x, w, v):
            y = L.conv_general_dilated(x, w, (1, 1), "SAME")
            y = L.reduce_window(y, -np_.inf, L.max, (1, 1, 2, 2), (1, 1, 2, 2), "VALID")
            y = L.reduce_window(y, 0.0, L.add, (1, 1, 2, 2), (1, 1, 1, 1), "SAME")
            z = L.dot(np_.reshape(y, (2, -1)), v)
            return np_.sum(np_.tanh(z))
        return f

    with x64():
        got = tinyjax.grad(make(lax, tnp), argnums=(0, 1, 2))(x, w, v)
        want = jax.grad(make(jax.lax, jnp), argnums=(0, 1, 2))(x, w, v)
    close(got, want, 1e-9, 1e-11)


def test_grad_of_linalg_agrees_with_jvp():
    # Reverse mode transposes the linearized JVP rules: <grad f(a, s), t> == jvp along t.
    import tinyjax.numpy as tnp
    rng = np.random.default_rng(16)
    a, s = rng.standard_normal((4, 3)), _spd(rng, (), 3)

    def f(a, s):
        c = LA.cholesky(s)
        q, r = LA.qr(a, full_matrices=False)
        v, e = LA.eigh(s)
        u, sv, vh = LA.svd(a, full_matrices=False)
        lu_, _, _ = LA.lu(a[:3])
        t = LA.triangular_solve(c, tnp.transpose(a), left_side=True, lower=True)
        return (tnp.sum(c) + tnp.sum(q[:3] * r) + tnp.sum(v[0] ** 2 * e)
                + tnp.sum(u[:3] * vh) + tnp.sum(sv ** 3) + tnp.sum(lu_ ** 2)
                + tnp.sum(tnp.sin(t)))

    ta, ts = rng.standard_normal(a.shape), _sym(rng, (), 3)
    with x64():
        ga, gs = tinyjax.grad(f, argnums=(0, 1))(a, s)
        (want,) = jvp_values(f, [a, s], [ta, ts])
        np.testing.assert_allclose(np.vdot(ga, ta) + np.vdot(gs, ts), want, rtol=1e-10)
        (num,) = fd(f, [a, s], [ta, ts])
        np.testing.assert_allclose(want, num, rtol=1e-6)


def test_check_grads_second_order():
    from tinyjax.test_util import check_grads
    rng = np.random.default_rng(17)
    x, w = rng.standard_normal((1, 2, 4, 4)), rng.standard_normal((2, 2, 2, 2))
    check_grads(lambda a, b: lax.conv_general_dilated(a, b, (2, 1), ((1, 0), (0, 1)),
                                                      rhs_dilation=(1, 2)),
                (x, w), order=2)
    check_grads(_rw(lax, "max", (2, 2), (1, 1), "SAME", None, None),
                (_distinct(rng, (3, 4)),), order=2)
    check_grads(_rw(lax, "sum", (2, 3), (2, 1), ((0, 1), (1, 1)), (1, 2), None),
                (rng.standard_normal((3, 4)),), order=2)
    check_grads(lambda p: LA.cholesky(p), (_spd(rng, (), 3),), order=2, modes=("rev",),
                atol=1e-4, rtol=1e-4)
