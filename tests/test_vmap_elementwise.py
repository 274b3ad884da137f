"""vmap of the elementwise primitives (tinyjax/lax/elementwise.py) and core's add_any.

Every elementwise row of the primitive table is checked against a Python loop of eager
calls stacked with NumPy: hypothesis picks per-example shapes (rank 0 operands and
size-1 broadcasting mixed in), in_axes 0 / 1 / -1 / None per operand, out_axes 0 / 1 /
-1, batch sizes 1 and 3, and two nested vmaps. select_n, clamp, bitcast_convert_type and
add_any get their own cases (scalar/full predicates and bounds, batched or not; width
changes; unbatched tangents), JAX's vmap is the oracle where the semantics are shared,
and grad composes with vmap both ways.
"""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_table import ELEMENTWISE, domain_values
from test_primitives import _shapes_for

import tinyjax
from tinyjax import lax
from tinyjax.core.ad_util import add_any_p

BASE_SHAPES = [(), (2,), (2, 3), (3, 1, 2)]
CASES = list(ELEMENTWISE)


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _check(got, want, exact=False):
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if got.dtype.kind != "f" or exact:
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64),
                                   rtol=2e-5, atol=1e-6, equal_nan=True)


def _draw_case_inputs(case, data):
    """Per-example shapes and dtypes for a table row, and a generator of values."""
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1), label="seed"))
    base = data.draw(st.sampled_from(BASE_SHAPES), label="shape")
    shapes = _shapes_for(case, base, rng)
    chosen, dts = {}, []
    for arg in case.args:
        if arg.dtypes not in chosen:
            chosen[arg.dtypes] = data.draw(st.sampled_from(arg.dtypes), label="dtype")
        dts.append(chosen[arg.dtypes])

    def values(k, lead):
        """Operand k for `lead` (a tuple of batch sizes) examples, stacked in front."""
        arg = case.args[k]
        return domain_values(rng, arg.domain, dts[k], tuple(lead) + tuple(shapes[k]))
    return shapes, values


def _axis_choices(rank, allow_none):
    """in_axes for an operand whose batched form has `rank` dims."""
    opts = [0, -1] + ([1] if rank >= 2 else [])
    return opts + ([None] if allow_none else [])


def _place(stacked, axis):
    """`stacked` has the batch in front; put it at `axis` (None: take example 0)."""
    if axis is None:
        return stacked[0]
    return np.moveaxis(stacked, 0, axis % stacked.ndim)


# ----------------------------------------------------------------------------- table: one vmap

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_vmap_matches_loop(case, data):
    n = data.draw(st.sampled_from([1, 3]), label="batch")
    shapes, values = _draw_case_inputs(case, data)
    nargs = len(shapes)
    in_axes = [data.draw(st.sampled_from(_axis_choices(len(s) + 1, nargs > 1)),
                         label=f"in_axis{k}") for k, s in enumerate(shapes)]
    if all(a is None for a in in_axes):
        in_axes[0] = 0
    stacked = [values(k, (n,)) for k in range(nargs)]
    examples = [[s[i] if a is not None else s[0] for s, a in zip(stacked, in_axes)]
                for i in range(n)]
    outs = [case.fun(*ex) for ex in examples]
    out_rank = np.ndim(outs[0])
    out_axis = data.draw(st.sampled_from([0, -1] + ([1] if out_rank >= 1 else [])),
                         label="out_axis")
    want = np.stack([np.asarray(o) for o in outs], axis=out_axis % (out_rank + 1))
    args = [_place(s, a) for s, a in zip(stacked, in_axes)]
    got = tinyjax.vmap(case.fun, in_axes=tuple(in_axes), out_axes=out_axis)(*args)
    _check(got, want, case.exact)


# ----------------------------------------------------------------------------- table: nested

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_nested_vmap_matches_loop(case, data):
    n1, n2 = 2, 3
    shapes, values = _draw_case_inputs(case, data)
    nargs = len(shapes)
    # which levels batch each operand: "both", "outer", "inner" or "none"
    modes = [data.draw(st.sampled_from(["both", "outer", "inner", "none"] if nargs > 1
                                       else ["both"]), label=f"mode{k}")
             for k in range(nargs)]
    if not any(m in ("both", "inner") for m in modes):
        modes[0] = "both" if modes[0] == "outer" else "inner"
    if not any(m in ("both", "outer") for m in modes):
        modes[-1] = "both" if modes[-1] == "inner" else "outer"
    raw = [values(k, (n1, n2)) for k in range(nargs)]
    inner_axes, outer_axes, args = [], [], []
    for k, (m, r) in enumerate(zip(modes, raw)):
        rank = len(shapes[k])
        ai = (data.draw(st.sampled_from(_axis_choices(rank + 1, False)), label=f"ai{k}")
              if m in ("both", "inner") else None)
        ao = (data.draw(st.sampled_from(_axis_choices(rank + 1 + (ai is not None), False)),
                        label=f"ao{k}") if m in ("both", "outer") else None)
        inner = [_place(r[i], ai) for i in range(n1)]
        args.append(_place(np.stack(inner), ao))
        inner_axes.append(ai)
        outer_axes.append(ao)
        if m in ("inner", "none"):
            r[:] = r[0]
        if m in ("outer", "none"):
            r[:] = r[:, :1]
    outs = [[case.fun(*[r[i, j] for r in raw]) for j in range(n2)] for i in range(n1)]
    out_rank = np.ndim(outs[0][0])
    oi = data.draw(st.sampled_from([0, -1] + ([1] if out_rank >= 1 else [])), label="oi")
    oo = data.draw(st.sampled_from([0, 1, -1]), label="oo")
    want = np.stack([np.stack([np.asarray(o) for o in row], axis=oi % (out_rank + 1))
                     for row in outs], axis=oo % (out_rank + 2))
    f = tinyjax.vmap(tinyjax.vmap(case.fun, in_axes=tuple(inner_axes), out_axes=oi),
                     in_axes=tuple(outer_axes), out_axes=oo)
    _check(f(*args), want, case.exact)


# ----------------------------------------------------------------------------- no loops

@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_one_equation_per_primitive(case):
    """The batch is one application of the primitive, never a loop over examples."""
    rng = np.random.default_rng(0)
    args = [domain_values(rng, a.domain, a.dtypes[0], (4, 2, 3)) for a in case.args]
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(case.fun))(*args)
    assert [e.primitive.name for e in jaxpr.eqns].count(case.name) == 1, jaxpr


def test_unary_keeps_the_batch_dim_in_place():
    x = np.ones((2, 5, 3), np.float32)
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lax.sin, in_axes=1, out_axes=1))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["sin"]
    jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lambda v: lax.convert_element_type(v, np.int32),
                                            in_axes=-1, out_axes=-1))(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["convert_element_type"]


# ----------------------------------------------------------------------------- select_n

PRED_MODES = ["scalar", "scalar_batched", "full", "full_batched"]


def _select_inputs(rng, n, ncases, pred_mode, case_batched, shape):
    if ncases == 2:
        def pred(lead):
            return rng.random(lead) < 0.5
    else:
        def pred(lead):
            return rng.integers(0, ncases, size=lead).astype(np.int32)
    p_shape = () if pred_mode.startswith("scalar") else shape
    p = pred(((n,) if pred_mode.endswith("batched") else ()) + p_shape)
    cases = [rng.normal(size=((n,) if b else ()) + shape).astype(np.float32)
             for b in case_batched]
    return p, cases


@pytest.mark.parametrize("ncases", [2, 3])
@pytest.mark.parametrize("pred_mode", PRED_MODES)
@pytest.mark.parametrize("shape", [(), (2, 3)])
def test_select_n_predicate_and_case_batching(ncases, pred_mode, shape):
    rng = np.random.default_rng(ncases * 10 + len(shape))
    n = 3
    for case_batched in itertools.product([False, True], repeat=ncases):
        if not any(case_batched) and not pred_mode.endswith("batched"):
            continue
        p, cases = _select_inputs(rng, n, ncases, pred_mode, case_batched, shape)
        p_axis = 0 if pred_mode.endswith("batched") else None
        c_axes = [(-1 if b else None) for b in case_batched]
        args = [p] + [_place(c, a) if a is not None else c for c, a in zip(cases, c_axes)]
        got = tinyjax.vmap(lax.select_n, in_axes=(p_axis, *c_axes))(*args)
        want = np.stack([np.asarray(lax.select_n(
            p[i] if p_axis is not None else p,
            *[c[i] if b else c for c, b in zip(cases, case_batched)])) for i in range(n)])
        _check(got, want, exact=True)
        jaxpr = tinyjax.make_jaxpr(tinyjax.vmap(lax.select_n, in_axes=(p_axis, *c_axes)))(
            *args)
        assert [e.primitive.name for e in jaxpr.eqns].count("select_n") == 1


def test_select_n_nested_scalar_predicate():
    # the predicate is one value per (outer, inner) example; the cases vary only with the
    # outer batch (one of them) or not at all
    rng = np.random.default_rng(2)
    p = rng.integers(0, 3, size=(3, 2)).astype(np.int32)   # inner batch last
    a = rng.normal(size=(2, 4)).astype(np.float32)         # outer-batched, (4,) each
    b = rng.normal(size=(4,)).astype(np.float32)
    c = rng.normal(size=(4,)).astype(np.float32)
    inner = tinyjax.vmap(lax.select_n, in_axes=(0, None, None, None))
    got = tinyjax.vmap(inner, in_axes=(1, 0, None, None), out_axes=1)(p, a, b, c)
    want = np.stack([np.stack([np.asarray(lax.select_n(p[j, i], a[i], b, c))
                               for j in range(3)]) for i in range(2)], axis=1)
    _check(got, want, exact=True)


@pytest.mark.parametrize("pred_mode", PRED_MODES)
def test_select_n_matches_jax(pred_mode):
    jax = pytest.importorskip("jax")
    rng = np.random.default_rng(1)
    n, shape = 4, (3, 2)
    p, (a, b) = _select_inputs(rng, n, 2, pred_mode, (True, False), shape)
    p_axis = 0 if pred_mode.endswith("batched") else None
    a = np.moveaxis(a, 0, 1)
    in_axes = (p_axis, 1, None)
    got = tinyjax.vmap(lax.select_n, in_axes=in_axes, out_axes=-1)(p, a, b)
    want = jax.vmap(jax.lax.select_n, in_axes=in_axes, out_axes=-1)(p, a, b)
    _check(got, np.asarray(want), exact=True)


# ----------------------------------------------------------------------------- clamp

BOUND_MODES = ["scalar", "scalar_batched", "full", "full_batched"]


def _bound(rng, mode, n, shape, offset):
    b_shape = () if mode.startswith("scalar") else shape
    lead = (n,) if mode.endswith("batched") else ()
    return (rng.normal(size=lead + b_shape) + offset).astype(np.float32)


CLAMP_MODES = [(x_batched, lo, hi) for x_batched in (False, True)
               for lo, hi in itertools.product(BOUND_MODES, BOUND_MODES)
               if x_batched or lo.endswith("batched") or hi.endswith("batched")]


@pytest.mark.parametrize("shape", [(), (2, 3)])
@pytest.mark.parametrize("x_batched,lo_mode,hi_mode", CLAMP_MODES)
def test_clamp_bounds_batched_or_not(shape, x_batched, lo_mode, hi_mode):
    rng = np.random.default_rng(len(shape) + 2 * x_batched)
    n = 3
    lo = _bound(rng, lo_mode, n, shape, -0.5)
    hi = _bound(rng, hi_mode, n, shape, 0.5)
    x = (rng.normal(size=((n,) if x_batched else ()) + shape) * 2).astype(np.float32)
    axes = tuple(0 if m else None for m in (lo_mode.endswith("batched"), x_batched,
                                             hi_mode.endswith("batched")))
    # the batch of x goes last, to check it stays there
    x_arg = np.moveaxis(x, 0, -1) if x_batched else x
    in_axes = (axes[0], -1 if x_batched else None, axes[2])
    got = tinyjax.vmap(lax.clamp, in_axes=in_axes)(lo, x_arg, hi)
    want = np.stack([np.asarray(lax.clamp(*[v[i] if a is not None else v
                                            for v, a in zip((lo, x, hi), axes)]))
                     for i in range(n)])
    _check(got, want, exact=True)
    jax = pytest.importorskip("jax")
    if not shape and in_axes[:2] == (None, None):
        return  # jax 0.10.2's clamp rule fails here (unbatched scalar x, only max batched)
    _check(got, np.asarray(jax.vmap(jax.lax.clamp, in_axes=in_axes)(lo, x_arg, hi)),
           exact=True)


# ----------------------------------------------------------------------------- bitcast

@pytest.mark.parametrize("src,dst,shape", [
    ("float32", "uint8", (2, 3)),     # narrowing: a trailing dim of 4 appears
    ("int32", "int16", ()),
    ("uint8", "float32", (2, 4)),     # widening: the trailing dim of 4 is consumed
    ("int16", "int32", (2,)),
    ("float32", "int32", (2, 3)),     # same width
])
@pytest.mark.parametrize("in_axis", [0, 1, -1])
def test_bitcast_convert_type_width_changes(src, dst, shape, in_axis):
    rng = np.random.default_rng(0)
    n = 3
    if in_axis == 1 and not shape:
        in_axis = -1
    size = np.dtype(src).itemsize
    xs = rng.integers(0, 256, size=(n,) + shape + (size,)).astype(np.uint8)
    xs = xs.view(src).reshape((n,) + shape)

    def f(v):
        return lax.bitcast_convert_type(v, np.dtype(dst))
    want = np.stack([np.asarray(f(x)) for x in xs])
    for out_axis in (0, -1):
        got = tinyjax.vmap(f, in_axes=in_axis, out_axes=out_axis)(_place(xs, in_axis))
        _check(np.moveaxis(np.asarray(got), out_axis, 0), want, exact=True)
    nested = tinyjax.vmap(tinyjax.vmap(f, in_axes=-1), in_axes=0)
    got = nested(np.moveaxis(np.stack([xs, xs[::-1]]), 1, -1))
    _check(got, np.stack([want, want[::-1]]), exact=True)
    jax = pytest.importorskip("jax")
    _check(got[0], np.asarray(jax.vmap(lambda v: jax.lax.bitcast_convert_type(v, dst))(xs)),
           exact=True)


# ----------------------------------------------------------------------------- add_any

ADD_ANY_AXES = [(0, 0), (0, None), (None, -1), (-1, 0)]


@pytest.mark.parametrize("in_axes,shape", [(a, ()) for a in ADD_ANY_AXES] +
                         [(a, (2, 3)) for a in ADD_ANY_AXES + [(None, 1), (1, -1)]])
def test_add_any(in_axes, shape):
    rng = np.random.default_rng(0)
    n = 3
    xs = [rng.normal(size=(n,) + shape).astype(np.float32) for _ in in_axes]
    args = [_place(x, a) for x, a in zip(xs, in_axes)]
    got = tinyjax.vmap(add_any_p.bind, in_axes=in_axes)(*args)
    want = np.stack([np.asarray(add_any_p.bind(*[np.asarray(x[i] if a is not None else x[0])
                                                 for x, a in zip(xs, in_axes)]))
                     for i in range(n)])
    _check(got, want)


def test_add_any_from_cotangents_of_a_shared_input():
    # x feeds two branches, so grad accumulates its cotangent with add_any; one branch
    # only sees the unbatched y, the other the batched x
    def f(x, y):
        return lax.mul(lax.sin(x), y) + lax.mul(x, x)

    xs = np.linspace(-1, 1, 5).astype(np.float32)
    y = np.float32(0.7)
    jaxpr = tinyjax.make_jaxpr(tinyjax.grad(f))(xs[0], y)
    assert "add_any" in {e.primitive.name for e in jaxpr.eqns}
    got = tinyjax.vmap(tinyjax.grad(f), in_axes=(0, None))(xs, y)
    np.testing.assert_allclose(got, np.cos(xs) * y + 2 * xs, rtol=1e-6)


# ----------------------------------------------------------------------------- with grad

def _scalar_fn(x, y):
    # select_n, clamp, integer_pow, atan2, pow, exp, convert_element_type on scalars
    z = lax.select(lax.gt(x, y), lax.mul(x, y), lax.sin(x))
    z = lax.add(z, lax.clamp(np.float32(-0.5), lax.integer_pow(x, 3), np.float32(0.5)))
    z = lax.add(z, lax.atan2(x, lax.add(y, np.float32(2.0))))
    z = lax.add(z, lax.pow(lax.exp(y), x))
    return lax.add(z, lax.convert_element_type(lax.round(x), np.float32))


def _jax_scalar_fn(jax):
    jl = jax.lax

    def f(x, y):
        z = jl.select(jl.gt(x, y), jl.mul(x, y), jl.sin(x))
        z = jl.add(z, jl.clamp(np.float32(-0.5), jl.integer_pow(x, 3), np.float32(0.5)))
        z = jl.add(z, jl.atan2(x, jl.add(y, np.float32(2.0))))
        z = jl.add(z, jl.pow(jl.exp(y), x))
        return jl.add(z, jl.convert_element_type(jl.round(x), np.float32))
    return f


@pytest.mark.parametrize("in_axes", [(0, 0), (0, None), (None, 0)])
def test_vmap_of_grad(in_axes):
    rng = np.random.default_rng(3)
    xs = rng.uniform(-1, 1, 6).astype(np.float32)
    ys = rng.uniform(-1, 1, 6).astype(np.float32)
    args = [v if a is not None else v[0] for v, a in zip((xs, ys), in_axes)]
    g = tinyjax.vmap(tinyjax.grad(_scalar_fn, argnums=(0, 1)), in_axes=in_axes)(*args)
    loop = [tinyjax.grad(_scalar_fn, argnums=(0, 1))(
        *[v[i] if a is not None else v for v, a in zip(args, in_axes)]) for i in range(6)]
    for k in range(2):
        want = np.stack([np.asarray(lp[k]) for lp in loop])
        if in_axes[k] is None:
            assert np.asarray(g[k]).shape == (6,)  # batched: it depends on the other input
        _check(g[k], want)
    jax = pytest.importorskip("jax")
    jg = jax.vmap(jax.grad(_jax_scalar_fn(jax), argnums=(0, 1)), in_axes=in_axes)(*args)
    for k in range(2):
        np.testing.assert_allclose(np.asarray(g[k]), np.asarray(jg[k]), rtol=1e-5, atol=1e-6)


def test_grad_of_vmap():
    rng = np.random.default_rng(4)
    xs = rng.uniform(-1, 1, 5).astype(np.float32)
    y = np.float32(0.3)

    def total(xs, y):
        out = tinyjax.vmap(_scalar_fn, in_axes=(0, None))(xs, y)
        return lax.reduce_sum(out, (0,))
    gx, gy = tinyjax.grad(total, argnums=(0, 1))(xs, y)
    lx = [tinyjax.grad(_scalar_fn, argnums=(0, 1))(x, y) for x in xs]
    _check(gx, np.stack([np.asarray(v[0]) for v in lx]))
    np.testing.assert_allclose(np.asarray(gy), sum(float(v[1]) for v in lx), rtol=1e-5)
    jax = pytest.importorskip("jax")
    jf = _jax_scalar_fn(jax)
    jgx, jgy = jax.grad(lambda xs, y: jax.vmap(jf, in_axes=(0, None))(xs, y).sum(),
                        argnums=(0, 1))(xs, y)
    np.testing.assert_allclose(np.asarray(gx), np.asarray(jgx), rtol=1e-5, atol=1e-6)
    np.testing.assert_allclose(np.asarray(gy), np.asarray(jgy), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- JAX as oracle

JAX_CASES = [
    ("sin", 1), ("exp", 1), ("logistic", 1), ("round", 1), ("not", 1), ("clz", 1),
    ("add", 2), ("sub", 2), ("max", 2), ("div", 2), ("rem", 2), ("pow", 2), ("atan2", 2),
    ("nextafter", 2), ("shift_left", 2), ("shift_right_arithmetic", 2), ("lt", 2),
    ("xor", 2), ("igamma", 2), ("regularized_incomplete_beta", 3),
]


@pytest.mark.parametrize("name,nargs", JAX_CASES, ids=[c[0] for c in JAX_CASES])
def test_matches_jax_vmap(name, nargs):
    jax = pytest.importorskip("jax")
    case = next(c for c in ELEMENTWISE if c.name == name)
    jfun = {"not": jax.lax.bitwise_not, "xor": jax.lax.bitwise_xor,
            "regularized_incomplete_beta": jax.lax.betainc}.get(name) or getattr(jax.lax, name)
    rng = np.random.default_rng(5)
    dt = "float32" if "float32" in case.args[0].dtypes else "int32"
    if dt not in case.args[0].dtypes:
        dt = case.args[0].dtypes[0]
    shapes = [(3, 2, 4), (3, 4), ()][:nargs]  # batched at 1; unbatched; unbatched scalar
    args = [domain_values(rng, a.domain, dt, s) for a, s in zip(case.args, shapes)]
    in_axes = (1, None, None)[:nargs]
    got = tinyjax.vmap(case.fun, in_axes=in_axes, out_axes=-1)(*args)
    want = jax.vmap(jfun, in_axes=in_axes, out_axes=-1)(*args)
    _check(got, np.asarray(want), exact=case.exact and name not in ("rem", "pow"))
