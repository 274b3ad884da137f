"""The primitive table drives these checks for every lax primitive: eager result vs
an independent NumPy reference on hypothesis-drawn shapes (0-d, empty,
broadcasting), dtypes and edge values; and tracing gives the same output types."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_table import ALL_CASES, domain_values

import tinyjax
from tinyjax import lax
from tinyjax.core import Primitive
from tinyjax.core.array import Array

BASE_SHAPES = [(), (0,), (1,), (4,), (2, 3), (2, 0, 3), (3, 1, 2)]


def _shapes_for(case, base, rng):
    shapes = []
    for arg in case.args:
        if arg.shape == "same" or not base or len(case.args) == 1:
            shapes.append(base)
            continue
        r = rng.random()
        if r < 0.2:
            shapes.append(())
        elif r < 0.45:
            shapes.append(tuple(1 if rng.random() < 0.5 else d for d in base))
        else:
            shapes.append(base)
    if all(s != base for s in shapes):
        shapes[0] = base
    return shapes


def _draw_args(case, data):
    seed = data.draw(st.integers(0, 2**31 - 1), label="seed")
    rng = np.random.default_rng(seed)
    if case.shapes is not None:
        shapes = case.shapes(rng)
    else:
        base = data.draw(st.sampled_from(BASE_SHAPES), label="shape")
        shapes = _shapes_for(case, base, rng)
    chosen = {}
    args = []
    for arg, shape in zip(case.args, shapes):
        if arg.dtypes not in chosen:
            chosen[arg.dtypes] = data.draw(st.sampled_from(arg.dtypes), label="dtype")
        args.append(domain_values(rng, arg.domain, chosen[arg.dtypes], shape))
    return args


def _ref_inputs(case, args):
    if case.exact:
        return args
    return [a.astype(np.float64) if a.dtype.kind == "f" else a for a in args]


def _check_close(case, got, want):
    got_np = np.asarray(got)
    assert got_np.shape == np.shape(want), (got_np.shape, np.shape(want))
    want = np.asarray(want)
    if got_np.dtype.kind in "biu":
        np.testing.assert_array_equal(got_np, want.astype(got_np.dtype))
        return
    with np.errstate(all="ignore"):
        want_cast = want.astype(got_np.dtype).astype(np.float64)
    g = got_np.astype(np.float64)
    if case.exact:
        np.testing.assert_array_equal(g, want_cast)
        return
    f16 = got_np.dtype == np.float16
    rtol = max(case.rtol, 4e-3) if f16 else case.rtol
    atol = max(case.atol, 1e-3) if f16 else case.atol
    np.testing.assert_allclose(g, want_cast, rtol=rtol, atol=atol, equal_nan=True)


def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_eager_matches_numpy(case, data):
    args = _draw_args(case, data)
    got = _as_tuple(case.fun(*[Array(a) for a in args]))
    with np.errstate(all="ignore"):
        want = _as_tuple(case.ref(*_ref_inputs(case, [a.copy() for a in args])))
    assert len(got) == len(want)
    for g, w in zip(got, want):
        _check_close(case, g, w)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
@settings(max_examples=5, deadline=None)
@given(data=st.data())
def test_traced_types_match_eager(case, data):
    args = _draw_args(case, data)
    eager = _as_tuple(case.fun(*[Array(a) for a in args]))
    jaxpr = tinyjax.make_jaxpr(case.fun)(*args)
    tinyjax.core.check_jaxpr(jaxpr)
    assert [(a.shape, a.dtype) for a in jaxpr.out_avals] == [(e.shape, e.dtype) for e in eager]
    assert case.name in {e.primitive.name for e in jaxpr.eqns}


def _all_lax_primitives():
    prims = {}
    for mod in (lax, lax.linalg):
        for name in dir(mod):
            obj = getattr(mod, name)
            if isinstance(obj, Primitive):
                prims[obj.name] = obj
    return prims


# collectives act across a named axis, so they cannot run on their own: they are
# checked under vmap in tests/test_vmap_collectives.py
COLLECTIVES = {"psum", "pmax", "pmin", "all_gather", "ppermute", "axis_index"}
# higher-order primitives take functions, not arrays: tests/test_control_flow_*.py
HIGHER_ORDER = {"cond", "while", "scan"}


def test_every_primitive_is_in_the_table():
    table = {c.name for c in ALL_CASES}
    missing = sorted(set(_all_lax_primitives()) - table - COLLECTIVES - HIGHER_ORDER)
    assert not missing, f"primitives without a row in tests/primitive_table.py: {missing}"
