"""vmap of the shape and indexing primitives (tinyjax/lax/shapes.py and
tinyjax/lax/indexing.py): `vmap(f, in_axes, out_axes)` equals a Python loop of
eager calls stacked with NumPy, for batched/unbatched mixes of operands, batch
sizes 1 and 3, several in_axes and out_axes, nested vmap, and jax.vmap as an
oracle. Indices include out-of-bounds values, so each example keeps the clamp /
fill / drop semantics of its mode. Batched start indices turn dynamic_slice and
dynamic_update_slice into one gather / scatter; derivatives compose with vmap.

Each case is a function of the lax module (`L`), so the same code runs under
tinyjax and under JAX.
"""
import dataclasses
import functools
from typing import Callable

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.interpreters.batching import batching_rules

FEW = settings(max_examples=15, deadline=None)
F32, I32 = np.float32, np.int32


# ----------------------------------------------------------------------------- helpers

def loop_vmap(f, in_axes, out_axes=0):
    """The reference: f on each example (eagerly), stacked along out_axes."""
    def g(*args):
        n = next(np.shape(a)[ax] for a, ax in zip(args, in_axes) if ax is not None)
        # (0-d arrays, not NumPy scalars: those would count as static Python indices)
        outs = [np.asarray(f(*[a if ax is None else np.asarray(np.take(a, b, axis=ax))
                                for a, ax in zip(args, in_axes)]))
                for b in range(n)]
        return np.stack(outs, axis=out_axes)
    return g


def draw(make, k, rng, axes, sizes):
    """Operand k batched along each of `axes` (innermost first; None: not batched at
    that level) with the matching `sizes`: independent examples stacked."""
    if not axes:
        return np.asarray(make(rng)[k])
    *inner, outer = axes
    *inner_sizes, size = sizes
    if outer is None:
        return draw(make, k, rng, inner, inner_sizes)
    parts = [draw(make, k, rng, inner, inner_sizes) for _ in range(size)]
    return np.stack(parts, axis=outer)


def batched_args(case, in_axes_levels, sizes, seed=0):
    rng = np.random.default_rng(seed)
    n = len(case.make(rng))
    return [draw(case.make, k, rng, [ia[k] for ia in in_axes_levels], sizes)
            for k in range(n)]


def assert_same(got, want):
    got = np.asarray(got)
    assert got.shape == want.shape
    assert got.dtype == want.dtype
    np.testing.assert_allclose(got, want, rtol=1e-6, atol=0, equal_nan=True)


def eqn_names(f, *args):
    return [e.primitive.name for e in tinyjax.make_jaxpr(f)(*args).jaxpr.eqns]


def needs(*names):
    """Every named primitive has a vmap rule (a missing one is a failure)."""
    have = {p.name for p in batching_rules}
    missing = [n for n in names if n not in have]
    assert not missing, f"vmap rules missing: {missing}"


# ----------------------------------------------------------------------------- cases

@dataclasses.dataclass
class Case:
    name: str
    fn: Callable            # fn(L, *args) with L the lax module (tinyjax's or JAX's)
    make: Callable          # rng -> one example's operands (NumPy)
    in_axes: list           # in_axes choices, one entry per operand
    jax: bool = True        # compare with jax.vmap too

    def __str__(self):
        return self.name


def f32(rng, *shape):
    return rng.standard_normal(shape).astype(F32)


def ints(rng, lo, hi, *shape):
    return rng.integers(lo, hi, size=shape).astype(I32)


def ix(rng, lo, hi):
    return np.asarray(rng.integers(lo, hi), I32)


UNARY = [(0,), (1,), (-1,)]

G = lax.GatherDimensionNumbers
S = lax.ScatterDimensionNumbers


def _dn(L, cls, **kw):
    return getattr(L, cls)(**kw)


def _gather_rows(mode):
    def fn(L, x, i):
        dn = _dn(L, "GatherDimensionNumbers", offset_dims=(1,), collapsed_slice_dims=(0,),
                 start_index_map=(0,))
        return L.gather(x, i, dn, (1, 4), mode=mode, fill_value=-1.0 if mode == "fill" else None)
    return fn


def _gather_windows(mode):
    # 2-D start points, (1, 2) windows, two batch dims of indices
    def fn(L, x, i):
        dn = _dn(L, "GatherDimensionNumbers", offset_dims=(2,), collapsed_slice_dims=(0,),
                 start_index_map=(0, 1))
        return L.gather(x, i, dn, (1, 2), mode=mode)
    return fn


def _gather_batching_dims(mode):
    # a gather that already pairs operand dim 0 with indices dim 0
    def fn(L, x, i):
        dn = _dn(L, "GatherDimensionNumbers", offset_dims=(), collapsed_slice_dims=(1,),
                 start_index_map=(1,), operand_batching_dims=(0,),
                 start_indices_batching_dims=(0,))
        return L.gather(x, i, dn, (1, 1), mode=mode)
    return fn


SCATTERS = ["scatter", "scatter_add", "scatter_sub", "scatter_mul", "scatter_min",
            "scatter_max"]


def _scatter_rows(name, mode):
    def fn(L, x, i, u):
        dn = _dn(L, "ScatterDimensionNumbers", update_window_dims=(1,),
                 inserted_window_dims=(0,), scatter_dims_to_operand_dims=(0,))
        return getattr(L, name)(x, i, u, dn, mode=mode)
    return fn


def _scatter_batching_dims(name, mode):
    def fn(L, x, i, u):
        dn = _dn(L, "ScatterDimensionNumbers", update_window_dims=(),
                 inserted_window_dims=(1,), scatter_dims_to_operand_dims=(1,),
                 operand_batching_dims=(0,), scatter_indices_batching_dims=(0,))
        return getattr(L, name)(x, i, u, dn, mode=mode)
    return fn


# mixes of batched (an axis) and unbatched (None) operands
TWO = [(0, None), (None, 0), (1, 1), (-1, 0), (0, -1)]
THREE = [(0, None, None), (None, 0, None), (None, None, 0), (1, 0, 1), (0, 0, 0),
         (None, -1, -1), (-1, None, 0)]


def _dyn_slice(L, x, i, j):
    return L.dynamic_slice(x, (i, j), (2, 3), allow_negative_indices=False)


def _dyn_update(L, x, u, i, j):
    return L.dynamic_update_slice(x, u, (i, j), allow_negative_indices=False)


CASES = [
    Case("broadcast_in_dim", lambda L, x: L.broadcast_in_dim(x, (2, 3, 4), (1, 2)),
         lambda r: [f32(r, 3, 1)], UNARY),
    Case("broadcast_in_dim_scalar", lambda L, x: L.broadcast_in_dim(x, (2, 3), ()),
         lambda r: [f32(r)], [(0,)]),
    Case("broadcast_in_dim_gaps", lambda L, x: L.broadcast_in_dim(x, (3, 2, 5, 4), (0, 3)),
         lambda r: [f32(r, 3, 4)], UNARY + [(2,)]),
    Case("reshape", lambda L, x: L.reshape(x, (6, 4)), lambda r: [f32(r, 2, 3, 4)],
         UNARY + [(2,)]),
    Case("reshape_dimensions", lambda L, x: L.reshape(x, (4, 6), (2, 0, 1)),
         lambda r: [f32(r, 2, 3, 4)], UNARY + [(2,)]),
    Case("reshape_scalar", lambda L, x: L.reshape(x, (1, 1)), lambda r: [f32(r)], [(0,)]),
    Case("squeeze", lambda L, x: L.squeeze(x, (0, 2)), lambda r: [f32(r, 1, 3, 1)],
         UNARY + [(2,)]),
    Case("transpose", lambda L, x: L.transpose(x, (2, 0, 1)), lambda r: [f32(r, 2, 3, 4)],
         UNARY + [(2,)]),
    Case("rev", lambda L, x: L.rev(x, (0, 2)), lambda r: [f32(r, 2, 3, 4)], UNARY + [(2,)]),
    Case("pad", lambda L, x, p: L.pad(x, p, ((1, 2, 1), (-1, 0, 2))),
         lambda r: [f32(r, 3, 4), f32(r)],
         [(0, None), (1, None), (-1, None), (None, 0), (0, 0), (-1, 0)]),
    Case("pad_int", lambda L, x, p: L.pad(x, p, ((0, 1, 0), (2, -1, 1))),
         lambda r: [ints(r, -9, 9, 2, 3), ix(r, -9, 9)], [(0, None), (None, 0), (1, 0)]),
    Case("concatenate",
         lambda L, a, b, c: L.concatenate([a, b, c], 0),
         lambda r: [f32(r, 2, 3), f32(r, 4, 3), f32(r, 1, 3)],
         [(0, None, 1), (None, None, 0), (1, 1, 1), (-1, 0, None), (0, 0, 0)]),
    Case("concatenate_dim1",
         lambda L, a, b: L.concatenate([a, b], 1),
         lambda r: [f32(r, 2, 3), f32(r, 2, 1)], TWO),
    Case("iota_in_concatenate",
         lambda L, x: L.concatenate([x, L.iota(F32, 2)], 0), lambda r: [f32(r, 3)], [(0,)]),
    Case("slice", lambda L, x: L.slice(x, (1, 0), (4, 6), (2, 3)), lambda r: [f32(r, 5, 6)],
         UNARY),
    Case("slice_nostrides", lambda L, x: L.slice(x, (1, 2), (3, 6)), lambda r: [f32(r, 5, 6)],
         UNARY),
    # starts from -3 to 8 for a (5, 6) operand: negatives and overflows are clamped
    Case("dynamic_slice", _dyn_slice,
         lambda r: [f32(r, 5, 6), ix(r, -3, 8), ix(r, -3, 8)],
         [(0, None, None), (None, 0, None), (1, 0, 0), (None, 0, 0), (-1, None, 0)]),
    Case("dynamic_update_slice", _dyn_update,
         lambda r: [f32(r, 5, 6), f32(r, 2, 3), ix(r, -3, 8), ix(r, -3, 8)],
         [(0, None, None, None), (None, 0, None, None), (1, 0, None, None),
          (None, None, 0, None), (0, None, 0, 0), (None, 1, None, 0), (-1, 0, 0, 0)]),
]

for _mode in ["clip", "fill", "promise_in_bounds"]:
    # out-of-bounds rows (-2, 5, 6) only where the mode defines them the same in JAX
    lo, hi = (0, 5) if _mode == "promise_in_bounds" else (-2, 7)
    CASES += [
        Case(f"gather_rows_{_mode}", _gather_rows(_mode),
             functools.partial(lambda lo, hi, r: [f32(r, 5, 4), ints(r, lo, hi, 3, 1)], lo, hi),
             TWO),
        Case(f"gather_windows_{_mode}", _gather_windows(_mode),
             functools.partial(lambda lo, hi, r: [f32(r, 5, 6), ints(r, lo, hi, 2, 3, 2)],
                               lo, hi), TWO + [(None, 2)]),
        Case(f"gather_batching_dims_{_mode}", _gather_batching_dims(_mode),
             functools.partial(lambda lo, hi, r: [f32(r, 3, 5), ints(r, lo, hi, 3, 2, 1)],
                               lo, hi), TWO),
    ]
    for _name in SCATTERS:
        CASES += [
            Case(f"{_name}_rows_{_mode}", _scatter_rows(_name, _mode),
                 functools.partial(lambda lo, hi, r: [f32(r, 5, 4), ints(r, lo, hi, 4, 1),
                                                      f32(r, 4, 4)], lo, hi),
                 THREE, jax=_name not in ("scatter",)),  # JAX: duplicates in any order
            Case(f"{_name}_batching_dims_{_mode}", _scatter_batching_dims(_name, _mode),
                 functools.partial(lambda lo, hi, r: [f32(r, 3, 5), ints(r, lo, hi, 3, 2, 1),
                                                      f32(r, 3, 2)], lo, hi),
                 THREE, jax=_name not in ("scatter",)),
        ]

CASE_AXES = [pytest.param(c, ia, id=f"{c.name}-{ia}") for c in CASES for ia in c.in_axes]


# ----------------------------------------------------------------------------- vmap vs loop

@pytest.mark.parametrize("case,in_axes", CASE_AXES)
def test_vmap_matches_loop(case, in_axes):
    f = functools.partial(case.fn, lax)
    rank = np.ndim(f(*case.make(np.random.default_rng(1))))
    for size in (1, 3):
        args = batched_args(case, [in_axes], [size], seed=size)
        for out_axes in (0, 1, -1):
            if not -(rank + 1) <= out_axes <= rank:
                continue
            got = tinyjax.vmap(f, in_axes, out_axes)(*args)
            assert_same(got, loop_vmap(f, in_axes, out_axes)(*args))


@pytest.mark.parametrize("case", CASES, ids=str)
def test_nested_vmap_matches_loop(case):
    f = functools.partial(case.fn, lax)
    inner, outer = case.in_axes[0], case.in_axes[-1]
    args = batched_args(case, [inner, outer], [2, 3])
    got = tinyjax.vmap(tinyjax.vmap(f, inner), outer, -1)(*args)
    assert_same(got, loop_vmap(loop_vmap(f, inner), outer, -1)(*args))


@pytest.mark.parametrize("case", [c for c in CASES if c.jax], ids=str)
def test_vmap_matches_jax(case):
    jax = pytest.importorskip("jax")
    for in_axes in case.in_axes[:3]:
        args = batched_args(case, [in_axes], [3], seed=7)
        got = tinyjax.vmap(functools.partial(case.fn, lax), in_axes)(*args)
        want = jax.vmap(functools.partial(case.fn, jax.lax), in_axes)(*args)
        assert_same(got, np.asarray(want))


# ----------------------------------------------------------------------------- details

@FEW
@given(st.data())
def test_transpose_reshape_squeeze_random(data):
    # a random rank-3 operand with a batch dim anywhere; random permutation / sizes
    rank = 3
    shape = tuple(data.draw(st.lists(st.integers(1, 3), min_size=rank, max_size=rank)))
    bdim = data.draw(st.integers(0, rank))
    perm = tuple(data.draw(st.permutations(range(rank))))
    rng = np.random.default_rng(0)
    x = np.stack([f32(rng, *shape) for _ in range(2)], axis=bdim)
    for f in (lambda x: lax.transpose(x, perm),
              lambda x: lax.reshape(x, (int(np.prod(shape)),), perm),
              lambda x: lax.squeeze(lax.reshape(x, shape[:1] + (1,) + shape[1:]), (1,)),
              lambda x: lax.broadcast_in_dim(x, (2,) + tuple(shape[p] for p in perm),
                                             tuple(1 + np.argsort(perm)))):
        assert_same(tinyjax.vmap(f, bdim)(x), loop_vmap(f, (bdim,))(x))


def test_iota_never_batched():
    # iota has no operands: inside vmap it stays unbatched and is broadcast on output
    out = tinyjax.vmap(lambda _: lax.iota(I32, 4), in_axes=None, axis_size=3)(1.0)
    np.testing.assert_array_equal(out, np.tile(np.arange(4, dtype=I32), (3, 1)))
    assert lax.iota_p not in batching_rules


def test_one_primitive_per_batched_op():
    # batched start indices become one gather / scatter, never a loop over the batch
    x, u = np.zeros((3, 5, 6), F32), np.ones((3, 2, 3), F32)
    i = np.array([0, 4, 9], I32)
    assert eqn_names(tinyjax.vmap(lambda x, i: _dyn_slice(lax, x, i, i)), x, i).count(
        "gather") == 1
    names = eqn_names(tinyjax.vmap(lambda x, u, i: _dyn_update(lax, x, u, i, i)), x, u, i)
    assert names.count("scatter") == 1
    # an unbatched start stays a dynamic_slice / dynamic_update_slice
    j = np.int32(2)
    assert eqn_names(tinyjax.vmap(lambda x: _dyn_slice(lax, x, j, j)), x) == ["dynamic_slice"]
    assert eqn_names(tinyjax.vmap(lambda x, u: _dyn_update(lax, x, u, j, j)), x, u) == [
        "dynamic_update_slice"]
    # gather / scatter with everything batched: one gather / scatter, no transposes
    idx = np.zeros((3, 2, 3, 2), I32)
    assert eqn_names(tinyjax.vmap(functools.partial(_gather_windows("clip"), lax)), x, idx) == ["gather"]
    xs, ii, us = np.zeros((3, 5, 4), F32), np.zeros((3, 4, 1), I32), np.zeros((3, 4, 4), F32)
    assert eqn_names(tinyjax.vmap(functools.partial(_scatter_rows("scatter_add", "clip"), lax)),
                     xs, ii, us) == ["scatter-add"]


def test_pad_batched_value_uses_select():
    names = eqn_names(tinyjax.vmap(lambda x, p: lax.pad(x, p, [(1, 1, 1)])),
                      np.zeros((3, 4), F32), np.ones(3, F32))
    assert "select_n" in names and names.count("pad") == 2


def test_dynamic_slice_negative_starts_normalized():
    # the public functions wrap negative starts (select_n on a batched predicate)
    needs("lt", "add", "select_n")
    x = np.arange(30, dtype=F32).reshape(3, 10)
    i = np.array([-2, -20, 3], I32)
    f = lambda x, i: lax.dynamic_slice(x, (i,), (3,))  # noqa: E731
    assert_same(tinyjax.vmap(f)(x, i), loop_vmap(f, (0, 0))(x, i))
    g = lambda x, i: lax.dynamic_update_slice(x, np.ones(3, F32), (i,))  # noqa: E731
    assert_same(tinyjax.vmap(g)(x, i), loop_vmap(g, (0, 0))(x, i))


def test_gather_fill_is_per_example():
    # the same index is in bounds for one example's window and out for none: each
    # example fills only its own out-of-bounds windows
    x = np.arange(20, dtype=F32).reshape(5, 4)
    i = np.array([[[1]], [[5]], [[-1]]], I32)  # (3, 1, 1): one row index per example
    out = tinyjax.vmap(functools.partial(_gather_rows("fill"), lax), (None, 0))(x, i)
    np.testing.assert_array_equal(out[0], x[1:2])
    np.testing.assert_array_equal(out[1:], -np.ones((2, 1, 4), F32))


# ----------------------------------------------------------------------------- with autodiff

def _first(y):
    # a scalar out of an array with shape primitives only (no reductions)
    y = lax.reshape(y, (int(np.prod(np.shape(y))),))
    return lax.index_in_dim(y, 0, keepdims=False)


def _pad_slice(x, i):
    y = lax.pad(x, F32(0), ((1, 2, 1),))
    return _first(lax.dynamic_slice(y, (i,), (2,), allow_negative_indices=False))


def test_vmap_of_grad():
    x = np.random.default_rng(0).standard_normal((3, 4)).astype(F32)
    i = np.array([0, 3, 20], I32)
    got = tinyjax.vmap(tinyjax.grad(_pad_slice))(x, i)
    assert_same(got, loop_vmap(tinyjax.grad(_pad_slice), (0, 0))(x, i))
    jax = pytest.importorskip("jax")
    want = jax.vmap(jax.grad(lambda x, i: jax.lax.index_in_dim(
        jax.lax.dynamic_slice(jax.lax.pad(x, F32(0), ((1, 2, 1),)), (i,), (2,)), 0,
        keepdims=False)))(x, i)
    assert_same(got, np.asarray(want))


def _gather_after_scatter(L, vmap, first):
    gat = functools.partial(_gather_rows("fill"), L)
    sca = functools.partial(_scatter_rows("scatter_add", "clip"), L)

    def f(x, u, i):
        y = vmap(lambda x, i, u: gat(sca(x, i, u), i))(x, i, u)
        return first(L.rev(y, (0, 2)))
    return f


def test_grad_of_vmap_gather_scatter():
    rng = np.random.default_rng(1)
    x, u = f32(rng, 3, 5, 4), f32(rng, 3, 4, 4)
    i = ints(rng, -2, 7, 3, 4, 1)
    got = tinyjax.grad(_gather_after_scatter(lax, tinyjax.vmap, _first), (0, 1))(x, u, i)
    jax = pytest.importorskip("jax")
    jfirst = lambda y: jax.lax.index_in_dim(jax.lax.reshape(y, (y.size,)), 0,  # noqa: E731
                                            keepdims=False)
    want = jax.grad(_gather_after_scatter(jax.lax, jax.vmap, jfirst), (0, 1))(x, u, i)
    for g, w in zip(got, want):
        assert_same(g, np.asarray(w))


def test_vmap_of_vjp_dynamic_update_slice():
    # cotangents of a batched-index dynamic_update_slice (a scatter) per example
    rng = np.random.default_rng(2)
    x, u, ct = f32(rng, 3, 5, 6), f32(rng, 3, 2, 3), f32(rng, 3, 5, 6)
    i = np.array([0, 4, -1], I32)

    def per_example(x, u, i, ct):
        _, pull = tinyjax.vjp(lambda x, u: _dyn_update(lax, x, u, i, i), x, u)
        return lax.concatenate([lax.reshape(c, (c.size,)) for c in pull(ct)], 0)

    got = tinyjax.vmap(per_example)(x, u, i, ct)
    assert_same(got, loop_vmap(per_example, (0, 0, 0, 0))(x, u, i, ct))
