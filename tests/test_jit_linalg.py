"""jit of the linear-algebra primitives equals eager.

triangular_solve and lu_pivots_to_permutation are generated code: every
combination of left_side / lower / transpose_a / conjugate_a / unit_diagonal,
batch dimensions, empty shapes, float16/32/64, NaN and singular matrices. The
decompositions (cholesky, eigh, lu, qr, svd) call the eager implementation on
whole buffers through a host callback: their results are identical to eager,
including batch dimensions, failures (NaN), concurrent calls from several threads
and use inside jit(grad(...))."""
import itertools
import threading

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from test_jit_table import assert_ulp_close

import tinyjax
from tinyjax.core.config import enable_x64
from tinyjax.lax import linalg
from tinyjax.lowering.rules import lowering_rules


def _np(x):
    return [np.asarray(o) for o in (x if isinstance(x, (list, tuple)) else (x,))]


def _jit_vs_eager(f, *args, exact=False, ulp=8, atol_eps=16):
    eager = _np(f(*args))
    got = _np(tinyjax.jit(f)(*args))
    assert len(got) == len(eager)
    for g, e in zip(got, eager):
        assert g.shape == e.shape and g.dtype == e.dtype, (g.shape, g.dtype, e.shape, e.dtype)
        if exact or e.dtype.kind != "f":
            np.testing.assert_array_equal(g, e)
        else:
            mag = max([1.0] + [float(np.nanmax(np.abs(np.where(np.isfinite(a), a, 0))))
                               for a in list(args) + [e] if np.size(a)])
            assert_ulp_close(g, e, ulp, atol_eps * float(np.finfo(e.dtype).eps) * mag)
    return got


def test_rule_kinds():
    for p in (linalg.cholesky_p, linalg.eigh_p, linalg.lu_p, linalg.qr_p, linalg.svd_p):
        assert lowering_rules[p].kind == "host"
    for p in (linalg.triangular_solve_p, linalg.lu_pivots_to_permutation_p):
        assert lowering_rules[p].kind == "kernel"


# ----------------------------------------------------------------------------- triangular_solve

def _tri_inputs(rng, batch, m, n, left, dtype):
    a = rng.standard_normal(batch + (m, m)) + 3 * np.eye(m)
    b = rng.standard_normal(batch + ((m, n) if left else (n, m)))
    return a.astype(dtype), b.astype(dtype)


def _solve(left, lower, trans, conj, unit):
    def f(a, b):
        return linalg.triangular_solve_p.bind(a, b, left_side=left, lower=lower,
                                              transpose_a=trans, conjugate_a=conj,
                                              unit_diagonal=unit)
    return f


FLAGS = list(itertools.product([True, False], repeat=4))


@pytest.mark.parametrize("left,lower,trans,unit", FLAGS)
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_triangular_solve_flags(left, lower, trans, unit, dtype):
    rng = np.random.default_rng(0)
    for batch, m, n in [((), 4, 3), ((2,), 3, 1), ((2, 3), 2, 4), ((), 1, 1)]:
        a, b = _tri_inputs(rng, batch, m, n, left, dtype)
        _jit_vs_eager(_solve(left, lower, trans, False, unit), a, b)


@pytest.mark.parametrize("left,lower,trans,unit", FLAGS[::3])
def test_triangular_solve_float64(left, lower, trans, unit):
    rng = np.random.default_rng(1)
    with enable_x64():
        a, b = _tri_inputs(rng, (2,), 5, 3, left, "float64")
        got = _jit_vs_eager(_solve(left, lower, trans, False, unit), a, b)
        assert got[0].dtype == np.float64


def test_triangular_solve_conjugate_a_is_a_no_op_for_reals():
    rng = np.random.default_rng(2)
    a, b = _tri_inputs(rng, (2,), 4, 3, True, "float32")
    for conj in (False, True):
        _jit_vs_eager(_solve(True, True, True, conj, False), a, b)
    np.testing.assert_array_equal(tinyjax.jit(_solve(True, True, True, True, False))(a, b),
                                  tinyjax.jit(_solve(True, True, True, False, False))(a, b))


def test_triangular_solve_reads_one_triangle():
    # garbage (NaN) in the triangle that is not named must not reach the result
    rng = np.random.default_rng(3)
    a, b = _tri_inputs(rng, (), 4, 2, True, "float32")
    for lower in (True, False):
        bad = a.copy()
        iu = np.triu_indices(4, 1) if lower else np.tril_indices(4, -1)
        bad[iu] = np.nan
        for unit in (False, True):
            if unit:
                np.fill_diagonal(bad, np.nan)
            got = _jit_vs_eager(_solve(True, lower, False, False, unit), bad, b)
            assert np.isfinite(got[0]).all()


def test_triangular_solve_nan_inf_and_singular():
    a = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)      # zero pivot: inf / nan
    b = np.array([[1.0, 0.0], [np.nan, 1.0]], np.float32)
    for left, lower in itertools.product([True, False], repeat=2):
        _jit_vs_eager(_solve(left, lower, False, False, False), a, b)


@pytest.mark.parametrize("batch,m,n", [((), 0, 3), ((), 3, 0), ((0,), 2, 2), ((2, 0), 1, 1),
                                       ((), 0, 0)])
@pytest.mark.parametrize("left", [True, False])
def test_triangular_solve_empty(batch, m, n, left):
    rng = np.random.default_rng(4)
    a, b = _tri_inputs(rng, batch, m, n, left, "float32")
    got = _jit_vs_eager(_solve(left, True, False, False, False), a, b)
    assert got[0].shape == b.shape


def test_triangular_solve_vector_rhs_public_function():
    rng = np.random.default_rng(5)
    a, _ = _tri_inputs(rng, (), 4, 1, True, "float32")
    v = rng.standard_normal(4).astype(np.float32)
    for left in (True, False):
        _jit_vs_eager(lambda a, v, left=left: linalg.triangular_solve(
            a, v, left_side=left, lower=True, transpose_a=True), a, v)


@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_triangular_solve_property(data):
    left, lower, trans, unit = (data.draw(st.booleans()) for _ in range(4))
    batch = data.draw(st.sampled_from([(), (1,), (3,), (2, 2)]))
    m, n = data.draw(st.integers(0, 6)), data.draw(st.integers(0, 4))
    dtype = data.draw(st.sampled_from(["float16", "float32"]))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    a, b = _tri_inputs(rng, batch, m, n, left, dtype)
    _jit_vs_eager(_solve(left, lower, trans, False, unit), a, b)


def test_triangular_solve_fuses_with_producers():
    # the operands computed inside the same jit (tril of a product, a scaled rhs)
    rng = np.random.default_rng(6)
    x = rng.standard_normal((3, 3)).astype(np.float32)
    b = rng.standard_normal((3, 2)).astype(np.float32)

    def f(x, b):
        a = tinyjax.numpy.tril(x @ x.T + 3 * tinyjax.numpy.eye(3, dtype=x.dtype))
        return linalg.triangular_solve(a, b * 2.0, left_side=True, lower=True)
    _jit_vs_eager(f, x, b)


# ----------------------------------------------------------------------------- lu_pivots_to_permutation

@pytest.mark.parametrize("pivots,size", [
    ([2, 2, 2], 5), ([0, 1, 2], 3), ([], 4), ([], 0), ([3, -1, 0, 3], 4),
    ([9, -7, 100, -2], 6), ([-2147483648, 2147483647], 3), ([1], 1),
])
def test_lu_pivots_to_permutation_cases(pivots, size):
    p = np.array(pivots, np.int32)
    _jit_vs_eager(lambda p: linalg.lu_pivots_to_permutation(p, size), p)


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_lu_pivots_to_permutation_property(data):
    batch = data.draw(st.sampled_from([(), (1,), (3,), (2, 0), (2, 3)]))
    k = data.draw(st.integers(0, 6))
    size = data.draw(st.integers(k, 8))
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31 - 1)))
    p = rng.integers(-size - 2, size + 3, size=batch + (k,)).astype(np.int32)
    _jit_vs_eager(lambda p: linalg.lu_pivots_to_permutation(p, size), p, exact=True)


def test_lu_pivots_to_permutation_of_lu():
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 5, 5)).astype(np.float32)

    def f(x):
        _, piv, perm = linalg.lu(x)
        return linalg.lu_pivots_to_permutation(piv, 5), perm
    got = _jit_vs_eager(f, x, exact=True)
    np.testing.assert_array_equal(got[0], got[1])


# ----------------------------------------------------------------------------- host decompositions

def _spd(rng, shape, dtype):
    x = rng.standard_normal(shape)
    return (x @ np.swapaxes(x, -1, -2) + shape[-1] * np.eye(shape[-1])).astype(dtype)


DECOMPS = {
    "cholesky": (lambda x: linalg.cholesky(x), True),
    "cholesky_nosym": (lambda x: linalg.cholesky(x, symmetrize_input=False), True),
    "eigh": (lambda x: linalg.eigh(x), True),
    "eigh_upper_subset": (lambda x: linalg.eigh(x, lower=False, symmetrize_input=False,
                                                subset_by_index=(0, 1)), True),
    "lu": (lambda x: linalg.lu(x), False),
    "qr": (lambda x: linalg.qr(x), False),
    "qr_reduced": (lambda x: linalg.qr(x, full_matrices=False), False),
    "svd": (lambda x: linalg.svd(x), False),
    "svd_reduced": (lambda x: linalg.svd(x, full_matrices=False), False),
    "svd_values": (lambda x: linalg.svd(x, compute_uv=False), False),
}


def _decomp_input(name, rng, shape, dtype):
    square = DECOMPS[name][1]
    if square:
        return _spd(rng, shape[:-1] + (shape[-2],), dtype)
    return rng.standard_normal(shape).astype(dtype)


SHAPES = [(3, 3), (2, 4, 4), (2, 3, 2, 2), (1, 1), (0, 0), (0, 3, 3), (4, 2), (2, 5)]
DECOMP_PARAMS = [(name, shape) for name in sorted(DECOMPS) for shape in SHAPES
                 if not (DECOMPS[name][1] and shape[-1] != shape[-2])   # square only
                 and not (name == "eigh_upper_subset" and shape[-1] < 1)]


@pytest.mark.parametrize("name,shape", DECOMP_PARAMS)
@pytest.mark.parametrize("dtype", ["float16", "float32"])
def test_decompositions_match_eager_exactly(name, shape, dtype):
    fn, _ = DECOMPS[name]
    rng = np.random.default_rng(8)
    x = _decomp_input(name, rng, shape, dtype)
    _jit_vs_eager(fn, x, exact=True)


@pytest.mark.parametrize("name", sorted(DECOMPS))
def test_decompositions_float64(name):
    rng = np.random.default_rng(9)
    with enable_x64():
        x = _decomp_input(name, rng, (2, 3, 3), "float64")
        got = _jit_vs_eager(DECOMPS[name][0], x, exact=True)
        assert all(g.dtype in (np.float64, np.int32) for g in got)


def test_decomposition_failures_give_nan_like_eager():
    # not positive definite: NaN lower triangle, per matrix of the batch
    x = np.stack([np.eye(3), -np.eye(3), np.full((3, 3), np.nan)]).astype(np.float32)
    got = _jit_vs_eager(lambda x: linalg.cholesky(x), x, exact=True)
    assert np.isnan(got[0][1]).any() and not np.isnan(got[0][0]).any()
    _jit_vs_eager(lambda x: linalg.lu(x), x, exact=True)
    _jit_vs_eager(lambda x: linalg.qr(x), x, exact=True)


def test_host_call_inside_a_fused_program():
    # host calls between generated kernels: their inputs are computed, their outputs consumed
    rng = np.random.default_rng(10)
    x = rng.standard_normal((2, 4, 4)).astype(np.float32)

    def f(x):
        a = x @ tinyjax.numpy.swapaxes(x, -1, -2) + 4 * tinyjax.numpy.eye(4, dtype=x.dtype)
        c = linalg.cholesky(a)
        v, w = linalg.eigh(a)
        q, r = linalg.qr(c * 2.0)
        s = linalg.svd(a, compute_uv=False)
        lu_, _, perm = linalg.lu(a)
        return (tinyjax.numpy.sum(c, axis=-1) + w, q @ r, s * 3.0, lu_, perm,
                tinyjax.numpy.exp(-v))
    _jit_vs_eager(f, x, ulp=16, atol_eps=64)
    text = tinyjax.jit(f).lower(x).compile().as_text()
    for name in ("cholesky", "eigh", "qr", "svd", "lu"):
        assert "host_call" in text and name in text


def test_host_calls_from_several_threads():
    rng = np.random.default_rng(11)
    xs = [_spd(rng, (2, 5, 5), np.float32) for _ in range(8)]

    def f(x):
        c = linalg.cholesky(x)
        v, w = linalg.eigh(x)
        return c, w, linalg.svd(x, compute_uv=False)

    jf = tinyjax.jit(f)
    want = [_np(f(x)) for x in xs]
    jf(xs[0])  # compile once up front
    results = [None] * len(xs)
    errors = []
    barrier = threading.Barrier(len(xs))

    def work(k):
        try:
            barrier.wait()
            for _ in range(20):
                results[k] = _np(jf(xs[k]))
        except Exception as e:  # noqa: BLE001 - reported below
            errors.append(e)

    threads = [threading.Thread(target=work, args=(k,)) for k in range(len(xs))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    for got, exp in zip(results, want):
        for g, e in zip(got, exp):
            np.testing.assert_array_equal(g, e)


def test_jit_of_vmap_of_decompositions():
    rng = np.random.default_rng(12)
    x = _spd(rng, (3, 4, 4), np.float32)
    f = tinyjax.vmap(lambda a: (linalg.cholesky(a), linalg.eigh(a)[1], linalg.qr(a)[1]))
    _jit_vs_eager(f, x, exact=True)


# ----------------------------------------------------------------------------- inside jit(grad)

GRAD_FUNS = {
    "cholesky": lambda x: tinyjax.numpy.sum(tinyjax.numpy.sin(linalg.cholesky(x))),
    "eigh": lambda x: tinyjax.numpy.sum(linalg.eigh(x)[1] * tinyjax.numpy.arange(3.0)),
    "qr": lambda x: tinyjax.numpy.sum(tinyjax.numpy.cos(linalg.qr(x)[1])),
    "lu": lambda x: tinyjax.numpy.sum(linalg.lu(x)[0] ** 2),
    "svd": lambda x: tinyjax.numpy.sum(linalg.svd(x, compute_uv=False) ** 2),
    "triangular_solve": lambda x: tinyjax.numpy.sum(linalg.triangular_solve(
        x, tinyjax.numpy.ones((3, 2), x.dtype), left_side=True, lower=True) ** 2),
}


@pytest.mark.parametrize("name", sorted(GRAD_FUNS))
def test_jit_of_grad(name):
    rng = np.random.default_rng(13)
    x = _spd(rng, (3, 3), np.float32)
    _jit_vs_eager(tinyjax.grad(GRAD_FUNS[name]), x, ulp=64, atol_eps=256)
    _jit_vs_eager(tinyjax.vmap(tinyjax.grad(GRAD_FUNS[name])), np.stack([x, 2 * x]), ulp=64,
                  atol_eps=256)
