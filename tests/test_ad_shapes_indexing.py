"""Derivative rules of the shape and indexing primitives (tinyjax/lax/shapes.py and
tinyjax/lax/indexing.py): JVPs against central finite differences and jax.jvp,
transpose rules against the dot-product identity and jax.vjp (out-of-bounds
indices in every gather/scatter mode included), second order, and the zero and
unsupported cases.

Linear cases are tables of (tinyjax function, jax function, float inputs): the
transpose rule is found by tracing the tinyjax function to a jaxpr whose one
equation touching the inputs is the primitive under test.
"""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.array import Array
from tinyjax.core.config import enable_x64
from tinyjax.core.jaxpr import Literal
from tinyjax.interpreters.ad import (
    UndefinedPrimal,
    Zero,
    jvp_flat,
    jvp_rules,
    transpose_rules,
)

jax = pytest.importorskip("jax")
jl = jax.lax

G, JG = lax.GatherDimensionNumbers, jl.GatherDimensionNumbers
S, JS = lax.ScatterDimensionNumbers, jl.ScatterDimensionNumbers
MODES = ["clip", "fill", "promise_in_bounds"]
EPS = 1e-6
FEW = settings(max_examples=15, deadline=None)


def x64():
    """float64 in both tinyjax and the JAX oracle."""
    class _Both:
        def __enter__(self):
            self._a, self._b = enable_x64(), jax.enable_x64(True)
            self._a.__enter__()
            self._b.__enter__()

        def __exit__(self, *exc):
            self._b.__exit__(*exc)
            self._a.__exit__(*exc)
    return _Both()


def rnd(seed, *shape):
    return np.random.default_rng(seed).standard_normal(shape)


def np_(x):
    return np.asarray(x)


def dense(t, like):
    """A tangent/cotangent as a NumPy array (symbolic zeros as zeros)."""
    if type(t) is Zero:
        return np.zeros(np.shape(like), np.asarray(like).dtype)
    return np.asarray(t)


# ----------------------------------------------------------------------------- cases

class Case:
    """f(*xs), linear in the float inputs xs (constant operands are zeros); the tiny
    and jax versions take the same arguments."""

    def __init__(self, name, tiny, jaxf, *xs, prim=None, linear=True):
        self.name, self.tiny, self.jaxf, self.xs, self.prim = name, tiny, jaxf, xs, prim
        # False: affine only (a gather filling out-of-bounds windows with NaN): no
        # f(t) comparisons, only JAX's
        self.linear = linear

    def __repr__(self):
        return self.name


def _gdn(off, col, sim, obd=(), ibd=()):
    return G(off, col, sim, obd, ibd), JG(off, col, sim, obd, ibd)


def _sdn(uwd, iwd, sdod, obd=(), ibd=()):
    return S(uwd, iwd, sdod, obd, ibd), JS(uwd, iwd, sdod, obd, ibd)


def _both(fn_name, *args, **kw):
    """A pair of functions of the float inputs calling lax.<fn_name> in tinyjax / JAX;
    args holding the marker X_k take the k-th float input."""
    def make(mod, which):
        def f(*xs):
            a = [xs[v.k] if isinstance(v, X) else (v[which] if isinstance(v, Pair) else v)
                 for v in args]
            kws = {k: (v[which] if isinstance(v, Pair) else v) for k, v in kw.items()}
            return getattr(mod, fn_name)(*a, **kws)
        return f
    return make(lax, 0), make(jl, 1)


class X:
    def __init__(self, k):
        self.k = k


class Pair(tuple):
    """A value that differs between tinyjax and JAX (dimension numbers)."""


def P(pair):
    return Pair(pair)


def _case(name, prim, fn_name, xs, *args, linear=True, **kw):
    t, j = _both(fn_name, *args, **kw)
    return Case(name, t, j, *xs, prim=prim, linear=linear)


PAD_CFG = [(1, 1, 1), (0, 1, 0)]
IDX_DUP_OOB = np.array([[1], [4], [1], [-2], [7], [3]])   # duplicates, negative, too big
IDX_IN = np.array([[2], [0], [3]])
IDX2 = np.array([[0, 1], [2, 3], [1, 0], [5, -1], [2, 2]])  # (row, col) starts


def linear_cases():
    x = X(0)
    c = [
        # shapes.py
        _case("broadcast_in_dim_new", lax.broadcast_in_dim_p, "broadcast_in_dim",
              [rnd(0, 3)], x, (2, 3, 4), (1,)),
        _case("broadcast_in_dim_unit", lax.broadcast_in_dim_p, "broadcast_in_dim",
              [rnd(1, 2, 1)], x, (2, 5, 3), (0, 2)),
        _case("broadcast_in_dim_unit_to_unit", lax.broadcast_in_dim_p, "broadcast_in_dim",
              [rnd(2, 1, 3)], x, (1, 4, 3), (0, 2)),
        _case("expand_dims", lax.broadcast_in_dim_p, "expand_dims", [rnd(3, 2, 3)], x,
              (0, 2)),
        _case("reshape", lax.reshape_p, "reshape", [rnd(4, 2, 3, 4)], x, (6, 4)),
        _case("reshape_dimensions", lax.reshape_p, "reshape", [rnd(5, 2, 3, 4)], x, (4, 6),
              (2, 0, 1)),
        _case("squeeze", lax.squeeze_p, "squeeze", [rnd(6, 1, 3, 1)], x, (0, 2)),
        _case("transpose", lax.transpose_p, "transpose", [rnd(7, 2, 3, 4)], x, (2, 0, 1)),
        _case("rev", lax.rev_p, "rev", [rnd(8, 2, 3, 4)], x, (0, 2)),
        _case("pad", lax.pad_p, "pad", [rnd(9, 3, 4), rnd(10)], x, X(1),
              [(1, 2, 0), (-1, 1, 2)]),
        _case("pad_negative", lax.pad_p, "pad", [rnd(11, 5), rnd(12)], x, X(1),
              [(-2, -1, 1)]),
        _case("pad_operand_only", lax.pad_p, "pad", [rnd(13, 2, 3)], x, 0.0,
              [(0, 1, 1), (2, -2, 0)]),
        # (JAX's own transpose fails when only the padding value is linear: its oracle
        # here makes the operand depend on the input too, through 0 * pv)
        Case("pad_value_only", lambda pv: lax.pad(np.zeros((2, 2)), pv, PAD_CFG),
             lambda pv: jl.pad(np.zeros((2, 2)) * pv, pv, PAD_CFG), rnd(14),
             prim=lax.pad_p),
        Case("concatenate", lambda a, b, c: lax.concatenate([a, b, c], 1),
             lambda a, b, c: jl.concatenate([a, b, c], 1),
             rnd(15, 2, 1), rnd(16, 2, 3), rnd(17, 2, 2), prim=lax.concatenate_p),
        Case("concatenate_one_linear", lambda b: lax.concatenate([np.zeros((1, 2)), b], 0),
             lambda b: jl.concatenate([np.zeros((1, 2)), b], 0), rnd(18, 3, 2),
             prim=lax.concatenate_p),
        # indexing.py
        _case("slice", lax.slice_p, "slice", [rnd(20, 5, 6)], x, (1, 0), (4, 6)),
        _case("slice_strided", lax.slice_p, "slice", [rnd(21, 7, 6)], x, (1, 0), (7, 5),
              (3, 2)),
        _case("slice_empty", lax.slice_p, "slice", [rnd(22, 4, 3)], x, (2, 1), (2, 3),
              (2, 1)),
    ]
    for name, starts in [("in", (1, 2)), ("clamped", (3, 9)), ("negative", (-1, -4)),
                         ("far", (-100, 100))]:
        c.append(_case(f"dynamic_slice_{name}", lax.dynamic_slice_p, "dynamic_slice",
                       [rnd(23, 4, 5)], x, starts, (2, 3)))
        c.append(_case(f"dynamic_update_slice_{name}", lax.dynamic_update_slice_p,
                       "dynamic_update_slice", [rnd(24, 4, 5), rnd(25, 2, 3)], x, X(1),
                       starts))
    c.append(_case("dynamic_update_slice_update_only", lax.dynamic_update_slice_p,
                   "dynamic_update_slice", [rnd(26, 2, 2)], np.zeros((3, 4)), x, (1, 3)))
    c.append(_case("dynamic_update_slice_operand_only", lax.dynamic_update_slice_p,
                   "dynamic_update_slice", [rnd(27, 3, 4)], x, np.zeros((2, 2)), (2, 1)))
    row = _gdn((1,), (0,), (0,))
    win = _gdn((1, 2), (), (0, 1))
    bat = _gdn((1,), (), (1,), (0,), (0,))
    srow = _sdn((1,), (0,), (0,))
    swin = _sdn((1, 2), (), (0, 1))
    sbat = _sdn((1,), (), (1,), (0,), (0,))
    for mode in MODES:
        nan_fill = dict(linear=mode != "fill")
        c += [
            _case(f"gather_rows_{mode}", lax.gather_p, "gather", [rnd(30, 5, 3)], x,
                  IDX_DUP_OOB, P(row), (1, 3), mode=mode, **nan_fill),
            _case(f"gather_windows_{mode}", lax.gather_p, "gather", [rnd(31, 4, 5)], x,
                  IDX2, P(win), (2, 3), mode=mode, **nan_fill),
            _case(f"gather_batched_{mode}", lax.gather_p, "gather", [rnd(32, 3, 6)], x,
                  np.array([[1], [7], [4]]), P(bat), (1, 2), mode=mode, **nan_fill),
            _case(f"scatter_add_rows_{mode}", lax.scatter_add_p, "scatter_add",
                  [rnd(33, 5, 3), rnd(34, 6, 3)], x, IDX_DUP_OOB, X(1), P(srow), mode=mode),
            _case(f"scatter_add_windows_{mode}", lax.scatter_add_p, "scatter_add",
                  [rnd(35, 4, 5), rnd(36, 5, 2, 3)], x, IDX2, X(1), P(swin), mode=mode),
            _case(f"scatter_add_batched_{mode}", lax.scatter_add_p, "scatter_add",
                  [rnd(37, 3, 6), rnd(38, 3, 2)], x, np.array([[1], [7], [4]]), X(1),
                  P(sbat), mode=mode),
            _case(f"scatter_sub_rows_{mode}", lax.scatter_sub_p, "scatter_sub",
                  [rnd(39, 5, 3), rnd(40, 6, 3)], x, IDX_DUP_OOB, X(1), P(srow), mode=mode),
            _case(f"scatter_unique_{mode}", lax.scatter_p, "scatter",
                  [rnd(41, 5, 3), rnd(42, 3, 3)], x, np.array([[3], [0], [9]]), X(1),
                  P(srow), mode=mode, unique_indices=True),
            _case(f"scatter_unique_windows_{mode}", lax.scatter_p, "scatter",
                  [rnd(43, 4, 5), rnd(44, 2, 2, 3)], x, np.array([[0, 0], [2, 3]]), X(1),
                  P(swin), mode=mode, unique_indices=True),
            # linear in the operand for fixed updates
            _case(f"scatter_mul_operand_{mode}", lax.scatter_mul_p, "scatter_mul",
                  [rnd(45, 5, 3)], x, IDX_DUP_OOB, rnd(46, 6, 3), P(srow), mode=mode),
        ]
    c.append(_case("gather_rows_fill_zero", lax.gather_p, "gather", [rnd(29, 5, 3)], x,
                   IDX_DUP_OOB, P(row), (1, 3), mode="fill", fill_value=0.0))
    c.append(_case("gather_windows_fill_zero", lax.gather_p, "gather", [rnd(28, 4, 5)], x,
                   IDX2, P(win), (2, 3), mode="fill", fill_value=0.0))
    c.append(_case("gather_default_mode", lax.gather_p, "gather", [rnd(47, 5, 3)], x,
                   IDX_DUP_OOB, P(row), (1, 3)))
    c[-1].name += "_promise_in_bounds"
    c.append(_case("scatter_add_default_mode", lax.scatter_add_p, "scatter_add",
                   [rnd(48, 5, 3), rnd(49, 6, 3)], x, IDX_DUP_OOB, X(1), P(srow)))
    c.append(_case("scatter_add_updates_only", lax.scatter_add_p, "scatter_add",
                   [rnd(50, 6, 3)], np.zeros((5, 3)), IDX_DUP_OOB, x, P(srow), mode="clip"))
    return c


LINEAR = linear_cases()


def _literal(v):
    return Array(np.asarray(v.val, v.aval.dtype), v.aval.weak_type)


def _transpose_via_rule(case, ct):
    """Trace case.tiny, find the one equation that depends on the inputs, and call its
    transpose rule with UndefinedPrimal for the linear operands."""
    cj = tinyjax.make_jaxpr(case.tiny)(*case.xs)
    jaxpr = cj.jaxpr
    env = dict(zip(jaxpr.constvars, cj.consts))
    linear = set(jaxpr.invars)
    target = None
    for eqn in jaxpr.eqns:
        if any(not isinstance(v, Literal) and v in linear for v in eqn.invars):
            assert target is None, f"two equations use the inputs in {jaxpr}"
            target = eqn
            continue
        vals = [_literal(v) if isinstance(v, Literal) else env[v] for v in eqn.invars]
        out = eqn.primitive.bind(*vals, **eqn.params)
        outs = out if eqn.primitive.multiple_results else [out]
        env.update(zip(eqn.outvars, outs))
    assert target is not None and target.primitive is case.prim, jaxpr
    assert jaxpr.outvars == target.outvars, jaxpr
    args = []
    for v in target.invars:
        if isinstance(v, Literal):
            args.append(_literal(v))
        elif v in linear:
            args.append(UndefinedPrimal(v.aval))
        else:
            args.append(env[v])
    cts = transpose_rules[target.primitive](ct, *args, **target.params)
    assert len(cts) == len(args)
    by_var = {}
    for v, a, g in zip(target.invars, args, cts):
        if isinstance(a, UndefinedPrimal):
            assert g is not None
            assert g.shape == a.aval.shape and g.dtype == a.aval.dtype, (g, a)
            by_var[v] = np.asarray(g)
        else:
            assert g is None
    return [by_var[v] for v in jaxpr.invars]


@pytest.mark.parametrize("case", LINEAR, ids=repr)
def test_linear_jvp(case):
    with x64():
        ts = [rnd(100 + i, *np.shape(x)) for i, x in enumerate(case.xs)]
        (out,), (tan,) = jvp_flat(lambda *a: [case.tiny(*a)], list(case.xs), ts)
        np.testing.assert_allclose(np_(out), np_(case.jaxf(*case.xs)), rtol=1e-12)
        # linear: the tangent is f applied to the tangents; and it is JAX's
        if case.linear:
            np.testing.assert_allclose(dense(tan, out), np_(case.tiny(*ts)), rtol=1e-12)
        _, jt = jax.jvp(case.jaxf, case.xs, tuple(ts))
        np.testing.assert_allclose(dense(tan, out), np_(jt), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("case", LINEAR, ids=repr)
def test_linear_transpose(case):
    with x64():
        out = case.tiny(*case.xs)
        ct = rnd(200, *out.shape)
        cts = _transpose_via_rule(case, ct)
        # the dot-product identity <ct, f(t)> == <f^T(ct), t>
        # JAX's cotangents, value for value (out-of-bounds windows included)
        _, vjp = jax.vjp(case.jaxf, *case.xs)
        for g, jg in zip(cts, vjp(ct)):
            np.testing.assert_allclose(g, np_(jg), rtol=1e-12, atol=1e-14)
        # the dot-product identity <ct, f(t)> == <f^T(ct), t>; except where a broken
        # PROMISE_IN_BOUNDS promise makes JAX's transpose no adjoint (the gather
        # clamps, the scatter-add transposing it drops), which we follow
        if case.linear and not case.name.endswith("promise_in_bounds"):
            ts = [rnd(300 + i, *np.shape(x)) for i, x in enumerate(case.xs)]
            lhs = np.sum(ct * np_(case.tiny(*ts)))
            rhs = sum(np.sum(g * t) for g, t in zip(cts, ts))
            np.testing.assert_allclose(lhs, rhs, rtol=1e-10)


def test_broadcast_in_dim_unordered_dims_transpose():
    # tinyjax (unlike JAX) accepts broadcast_dimensions out of order: an implicit transpose
    x = rnd(0, 3, 2)
    case = Case("bid", lambda a: lax.broadcast_in_dim(a, (2, 4, 3), (2, 0)), None, x,
                prim=lax.broadcast_in_dim_p)
    with x64():
        ct = rnd(1, 2, 4, 3)
        (g,) = _transpose_via_rule(case, ct)
        np.testing.assert_allclose(g, ct.sum(1).T)


# ----------------------------------------------------------------------------- nonlinear

def nonlinear_cases():
    """(name, tiny, jax, xs, finite-differences valid)."""
    x, u = X(0), X(1)
    srow = _sdn((1,), (0,), (0,))
    swin = _sdn((1, 2), (), (0, 1))
    dup = np.array([[1], [3], [1], [7], [-1], [1]])
    out = []
    xr, ur = rnd(60, 5, 3), rnd(61, 6, 3)
    ties = ur.copy()
    ties[2] = ties[0]          # two updates tie for row 1
    xt = xr.copy()
    xt[3] = np.maximum(ur[1], xt[3]) + 0.0  # operand ties with the winner of row 3
    for mode in MODES:
        kw = dict(mode=mode)
        for name, fn in [("scatter", "scatter"), ("scatter_max", "scatter_max"),
                         ("scatter_min", "scatter_min")]:
            t, j = _both(fn, x, dup, u, P(srow), **kw)
            out.append((f"{name}_dup_{mode}", t, j, (xr, ur), True))
            t, j = _both(fn, x, IDX2[:3], u, P(swin), **kw)
            # (under CLIP, JAX counts the tied winners with FILL_OR_DROP, so a clamped
            # window's weights are not the true derivative; we follow JAX there)
            fd_ok = name == "scatter" or mode != "clip"
            out.append((f"{name}_windows_{mode}", t, j, (rnd(62, 4, 5), rnd(63, 3, 2, 3)),
                        fd_ok))
        for name in ("scatter_max", "scatter_min"):
            t, j = _both(name, x, dup, u, P(srow), **kw)
            out.append((f"{name}_ties_{mode}", t, j, (xt, ties), False))
        t, j = _both("scatter_mul", x, np.array([[4], [0], [2]]), u, P(srow),
                     unique_indices=True, **kw)
        out.append((f"scatter_mul_unique_{mode}", t, j, (xr, rnd(64, 3, 3)), True))
    return out


NONLINEAR = nonlinear_cases()


@pytest.mark.parametrize("name,tiny,jaxf,xs,fd_ok", NONLINEAR, ids=[c[0] for c in NONLINEAR])
def test_nonlinear_jvp(name, tiny, jaxf, xs, fd_ok):
    with x64():
        for k in range(3):  # both tangents, then each alone (symbolic zeros)
            ts = [rnd(70 + i, *np.shape(a)) for i, a in enumerate(xs)]
            if k:
                ts[k - 1] = Zero.from_value(np.asarray(xs[k - 1]))
            (out,), (tan,) = jvp_flat(lambda *a: [tiny(*a)], list(xs), ts)
            np.testing.assert_allclose(np_(out), np_(jaxf(*xs)), rtol=1e-12)
            dts = [dense(t, a) for t, a in zip(ts, xs)]
            _, jt = jax.jvp(jaxf, tuple(xs), tuple(dts))
            np.testing.assert_allclose(dense(tan, out), np_(jt), rtol=1e-10, atol=1e-12)
            if fd_ok:
                hi = tiny(*[a + EPS * t for a, t in zip(xs, dts)])
                lo = tiny(*[a - EPS * t for a, t in zip(xs, dts)])
                fd = (np_(hi) - np_(lo)) / (2 * EPS)
                finite = np.isfinite(dense(tan, out))
                np.testing.assert_allclose(dense(tan, out)[finite], fd[finite], rtol=1e-6,
                                           atol=1e-7)


def test_scatter_extremal_ties_share_the_tangent():
    # two updates and the operand all equal to the max: each gets a third
    dn = S((), (0,), (0,))
    with x64():
        x, u = np.array([1.0, 2.0]), np.array([2.0, 2.0])
        (_,), (t,) = jvp_flat(
            lambda a, b: [lax.scatter_max(a, np.array([[1], [1]]), b, dn)], [x, u],
            [np.array([0.0, 3.0]), np.array([6.0, 9.0])])
        np.testing.assert_allclose(np_(t), [0.0, 6.0])


def test_scatter_last_writer_wins_tangent():
    dn = S((), (0,), (0,))
    with x64():
        (out,), (t,) = jvp_flat(
            lambda a, b: [lax.scatter(a, np.array([[2], [0], [2]]), b, dn)],
            [np.zeros(3), np.array([1.0, 2.0, 3.0])],
            [np.array([10.0, 20.0, 30.0]), np.array([1.0, 2.0, 3.0])])
        np.testing.assert_allclose(np_(out), [2.0, 0.0, 3.0])
        np.testing.assert_allclose(np_(t), [2.0, 20.0, 3.0])


def test_scatter_mul_non_unique_updates_unsupported():
    dn = S((), (0,), (0,))
    idx = np.array([[1], [1]])
    with x64():
        f = lambda a, b: [lax.scatter_mul(a, idx, b, dn)]  # noqa: E731
        with pytest.raises(NotImplementedError, match="unique_indices=True"):
            jvp_flat(f, [np.ones(3), np.ones(2)], [Zero.from_value(np.ones(3)), np.ones(2)])
        # the operand alone is fine: linear for fixed updates
        (_,), (t,) = jvp_flat(f, [np.ones(3), np.array([2.0, 3.0])],
                              [np.array([1.0, 1.0, 1.0]), Zero.from_value(np.ones(2))])
        np.testing.assert_allclose(np_(t), [1.0, 6.0, 1.0])
        with pytest.raises(NotImplementedError):
            jax.jvp(lambda a, b: jl.scatter_mul(a, idx, b, JS((), (0,), (0,))),
                    (np.ones(3), np.ones(2)), (np.zeros(3), np.ones(2)))


def test_scatter_transpose_needs_unique_indices():
    dn = S((), (0,), (0,))
    with pytest.raises(NotImplementedError, match="unique_indices=True"):
        transpose_rules[lax.scatter_p](
            np.ones(3, np.float32), UndefinedPrimal(tinyjax.core.abstract.ShapedArray(
                (3,), np.dtype(np.float32))), np.array([[0]]), np.ones(1, np.float32),
            dimension_numbers=dn, indices_are_sorted=False, unique_indices=False,
            mode=lax.GatherScatterMode.FILL_OR_DROP)


# ----------------------------------------------------------------------------- zeros

def test_zero_derivatives():
    with x64():
        x = np.arange(3.0)
        # iota has no inputs; integer indices and integer operands carry no tangent
        (_,), (t,) = jvp_flat(lambda a: [lax.iota(np.float64, 3)], [x], [np.ones(3)])
        assert type(t) is Zero
        out, tans = jvp_rules[lax.iota_p]([], [], dtype=np.dtype(np.float64), shape=(3,),
                                          dimension=0)
        assert type(tans) is Zero and tans.aval.shape == (3,)
        ints = np.arange(12, dtype=np.int64).reshape(4, 3)
        (_, o2), (t1, t2) = jvp_flat(
            lambda a, i: [lax.dynamic_slice(a, (i, 0), (2, 3)),
                          lax.dynamic_slice(ints, (i, 0), (2, 3))],
            [np.ones((4, 3)), np.array(1)], [np.ones((4, 3)), Zero.from_value(np.array(1))])
        np.testing.assert_allclose(np_(t1), np.ones((2, 3)))
        assert type(t2) is Zero and np_(o2).dtype == np.int64
        dn = G((1,), (0,), (0,))
        (_,), (t,) = jvp_flat(lambda a: [lax.gather(ints, np.array([[1]]), dn, (1, 3))],
                              [x], [np.ones(3)])
        assert type(t) is Zero


def test_gather_fill_tangent_is_zero_out_of_bounds():
    dn = G((), (0,), (0,))
    with x64():
        (out,), (t,) = jvp_flat(
            lambda a: [lax.gather(a, np.array([[1], [9]]), dn, (1,), mode="fill",
                                  fill_value=5.0)], [np.arange(3.0)], [np.ones(3)])
        np.testing.assert_allclose(np_(out), [1.0, 5.0])
        np.testing.assert_allclose(np_(t), [1.0, 0.0])


# ----------------------------------------------------------------------------- second order

SECOND = ["pad", "slice_strided", "dynamic_slice_clamped", "dynamic_update_slice_negative",
          "gather_windows_fill_zero", "scatter_add_rows_clip", "concatenate", "reshape_dimensions",
          "broadcast_in_dim_unit", "scatter_unique_promise_in_bounds"]


@pytest.mark.parametrize("case", [c for c in LINEAR if c.name in SECOND], ids=repr)
def test_second_order_linear(case):
    # jvp of (x, t) -> jvp(f)(x; t): for linear f the tangent output is f(dt), and the
    # rules must run with the outer JVP's tracers as tangents
    n = len(case.xs)
    with x64():
        def first(*a):
            _, (t,) = jvp_flat(lambda *p: [case.tiny(*p)], list(a[:n]), list(a[n:]))
            return [t]
        ts = [rnd(10 + i, *np.shape(x)) for i, x in enumerate(case.xs)]
        dxs = [rnd(20 + i, *np.shape(x)) for i, x in enumerate(case.xs)]
        dts = [rnd(30 + i, *np.shape(x)) for i, x in enumerate(case.xs)]
        (t,), (tt,) = jvp_flat(first, list(case.xs) + ts, dxs + dts)
        np.testing.assert_allclose(np_(t), np_(case.tiny(*ts)), rtol=1e-12)
        np.testing.assert_allclose(dense(tt, t), np_(case.tiny(*dts)), rtol=1e-12)


def _needs(*names):
    have = {p.name for p in jvp_rules}
    missing = [n for n in names if n not in have]
    assert not missing, f"JVP rules missing: {missing}"


@pytest.mark.parametrize("name", ["scatter_dup_clip", "scatter_max_dup_fill",
                                  "scatter_min_windows_fill", "scatter_mul_unique_fill"])
def test_second_order_nonlinear(name):
    _needs("mul", "div", "add", "sub", "select_n", "eq", "neg")
    _, tiny, _, xs, _ = next(c for c in NONLINEAR if c[0] == name)
    with x64():
        ts = [rnd(40 + i, *np.shape(a)) for i, a in enumerate(xs)]
        ss = [rnd(50 + i, *np.shape(a)) for i, a in enumerate(xs)]

        def first(*a):
            _, (t,) = jvp_flat(lambda *p: [tiny(*p)], list(a), ts)
            return [t]
        (t,), (tt,) = jvp_flat(first, list(xs), ss)
        hi = first(*[a + EPS * s for a, s in zip(xs, ss)])[0]
        lo = first(*[a - EPS * s for a, s in zip(xs, ss)])[0]
        fd = (dense(hi, t) - dense(lo, t)) / (2 * EPS)
        np.testing.assert_allclose(dense(tt, t), fd, rtol=1e-6, atol=1e-7)


# ----------------------------------------------------------------------------- property

@FEW
@given(seed=st.integers(0, 2**31 - 1), n_idx=st.integers(0, 6),
       mode=st.sampled_from(MODES), window=st.integers(1, 3))
def test_gather_scatter_add_random_indices(seed, n_idx, mode, window):
    # random in- and out-of-bounds starts, duplicates included: JVP and transpose of
    # gather and scatter-add match JAX's
    rng = np.random.default_rng(seed)
    idx = rng.integers(-3, 8, size=(n_idx, 1))
    x = rng.standard_normal((5, 4))
    gd, jgd = _gdn((1, 2), (), (0,))
    sd, jsd = _sdn((1, 2), (), (0,))
    g = Case(f"g_{mode}", lambda a: lax.gather(a, idx, gd, (window, 4), mode=mode),
             lambda a: jl.gather(a, idx, jgd, (window, 4), mode=mode), x, prim=lax.gather_p,
             linear=mode != "fill")
    u = rng.standard_normal((n_idx, window, 4))
    s = Case(f"s_{mode}", lambda a, b: lax.scatter_add(a, idx, b, sd, mode=mode),
             lambda a, b: jl.scatter_add(a, idx, b, jsd, mode=mode), x, u,
             prim=lax.scatter_add_p)
    for case in (g, s):
        test_linear_jvp(case)
        test_linear_transpose(case)


# ----------------------------------------------------------------------------- public API

def _grad_api():
    assert hasattr(tinyjax, "grad") and hasattr(tinyjax, "vjp")


GRAD_CASES = [c for c in LINEAR if c.name in SECOND + ["gather_rows_promise_in_bounds",
                                                       "gather_default_mode",
                                                       "scatter_sub_rows_fill",
                                                       "transpose", "rev", "squeeze"]]


@pytest.mark.parametrize("case", GRAD_CASES, ids=repr)
def test_vjp_matches_jax(case):
    _grad_api()
    with x64():
        ct = rnd(5, *np.shape(case.tiny(*case.xs)))
        _, vjp = tinyjax.vjp(case.tiny, *case.xs)
        _, jvjp = jax.vjp(case.jaxf, *case.xs)
        for g, jg in zip(vjp(ct), jvjp(ct)):
            np.testing.assert_allclose(np_(g), np_(jg), rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["scatter_dup_fill", "scatter_max_dup_clip",
                                  "scatter_min_ties_fill", "scatter_mul_unique_clip"])
def test_grad_nonlinear_matches_jax(name):
    _grad_api()
    _needs("mul", "div", "add", "sub", "select_n", "eq", "neg")
    _, tiny, jaxf, xs, _ = next(c for c in NONLINEAR if c[0] == name)
    w = rnd(6, *np.shape(jaxf(*xs)))
    with x64():
        g = tinyjax.grad(lambda *a: lax.reduce_sum(lax.mul(tiny(*a), w), (0, 1)),
                         argnums=tuple(range(len(xs))))(*xs)
        jg = jax.grad(lambda *a: (jaxf(*a) * w).sum(), argnums=tuple(range(len(xs))))(*xs)
        for a, b in zip(g, jg):
            np.testing.assert_allclose(np_(a), np_(b), rtol=1e-10, atol=1e-12)


def _jnp_fns():
    idx = np.array([0, 7, -1, 0])   # a duplicate, one past the end, a negative
    w = rnd(7, 4, 3)
    return {
        "getitem": lambda m, x, v: (m.asarray(x)[idx] * w).sum(),
        "take_fill": lambda m, x, v: (m.take(x, idx, axis=0, mode="fill", fill_value=0)
                                      * w).sum(),
        "take_clip": lambda m, x, v: (m.take(x, idx, axis=0, mode="clip") * w).sum(),
        "at_set": lambda m, x, v: (m.asarray(x).at[idx].set(v) ** 2).sum(),
        "at_add": lambda m, x, v: (m.asarray(x).at[idx].add(v) ** 2).sum(),
        "at_max": lambda m, x, v: (m.asarray(x).at[idx].max(v) ** 2).sum(),
        "at_min_clip": lambda m, x, v: (m.asarray(x).at[idx].min(v, mode="clip") ** 2).sum(),
        "at_get_fill": lambda m, x, v: (m.asarray(x).at[idx].get(mode="fill", fill_value=0.0)
                                        * w).sum(),
        "pad": lambda m, x, v: (m.pad(x, ((1, 2), (0, 1))) ** 3).sum(),
        "concatenate_roll": lambda m, x, v: (m.roll(m.concatenate([x, v]), 3, axis=0) ** 2
                                             * m.arange(27.0).reshape(9, 3)).sum(),
    }


@pytest.mark.parametrize("name", sorted(_jnp_fns()))
def test_numpy_indexing_grad_matches_jax(name):
    # the rules reached through tinyjax.numpy (indexing, .at[], take, pad, roll)
    _grad_api()
    import jax.numpy as jjnp

    import tinyjax.numpy as tnp
    f = _jnp_fns()[name]
    x, v = rnd(8, 5, 3), rnd(9, 4, 3)
    with x64():
        g = tinyjax.grad(lambda a, b: f(tnp, a, b), argnums=(0, 1))(x, v)
        jg = jax.grad(lambda a, b: f(jjnp, a, b), argnums=(0, 1))(x, v)
        for a, b in zip(g, jg):
            np.testing.assert_allclose(np_(a), np_(b), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("name", ["scatter_dup_fill", "scatter_max_windows_fill",
                                  "scatter_mul_unique_clip"])
def test_check_grads_order2_nonlinear(name):
    # forward and reverse to second order, composed with an elementwise nonlinearity
    _grad_api()
    _needs("mul", "sin", "select_n", "eq", "div")
    from tinyjax.test_util import check_grads
    _, tiny, _, xs, _ = next(c for c in NONLINEAR if c[0] == name)
    check_grads(lambda *a: lax.sin(tiny(*a)), xs, order=2, modes=("fwd", "rev"),
                atol=1e-5, rtol=1e-5)
