"""jit of every lax primitive in the table equals eager: `tinyjax.jit(case.fun)(*xs)`
against `case.fun(*xs)` on hypothesis-drawn inputs, every dtype a row allows, 0-d
and empty shapes, and 64-bit types under x64. Integer and bool results must be
identical; float results within a few ULP (with a small absolute tolerance, scaled
to the inputs' magnitude, for the rows whose results suffer cancellation), with
NaN, infinities and zeros (up to sign) in the same places.

`test_every_primitive_has_a_lowering_rule` lists the primitives the compiler
cannot lower yet."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from primitive_table import ALL_CASES, domain_values
from test_primitives import COLLECTIVES, _all_lax_primitives, _draw_args, _shapes_for

import tinyjax
from tinyjax.core.array import Array
from tinyjax.core.config import enable_x64

# ----------------------------------------------------------------------------- tolerances

# per row: (max ULP, absolute tolerance in units of eps(dtype) * magnitude). The
# magnitude is the largest finite |input| or |eager output| (at least 1), or the
# `_MAG` function below. Rows not listed: DEFAULT.
DEFAULT = (4, 0)
TOL = {
    # cancellation near zeros of the function (sin(pi), log1p, lgamma(1), ...)
    **{n: (4, 4) for n in ("sin", "cos", "tan", "sinh", "expm1", "log", "log1p", "asin",
                           "atan", "atan2", "asinh", "atanh", "acosh", "erf", "erf_inv",
                           "cbrt", "tanh", "logistic", "pow", "rem", "exp", "exp2", "cosh",
                           "acos", "sqrt", "rsqrt", "erfc", "div", "integer_pow")},
    # special functions: different algorithms from the float64 eager ones are allowed a bit more
    **{n: (16, 16) for n in ("lgamma", "digamma", "igamma", "igammac", "zeta", "polygamma",
                             "regularized_incomplete_beta", "bessel_i0e", "bessel_i1e")},
    # accumulations: the order of summation may differ from NumPy's
    **{n: (8, 16) for n in ("reduce_sum", "reduce_prod", "cumsum", "cumprod", "cumlogsumexp",
                            "dot_general", "conv_general_dilated", "reduce_window_sum")},
    # linear algebra rows: reconstructions through dot_general of LAPACK factors
    **{n: (16, 64) for n in ("cholesky", "triangular_solve", "lu", "qr", "eigh", "svd")},
}
# float16 results: at least this many ULP (one rounding of a float32 result)
F16_MIN_ULP = 2


def _max_finite(arrays):
    m = 1.0
    for a in arrays:
        a = np.asarray(a)
        if a.dtype.kind in "fiu" and a.size:
            v = np.abs(a.astype(np.float64))
            v = v[np.isfinite(v)]
            if v.size:
                m = max(m, float(v.max()))
    return m


def _mag_products(xs, outs):
    # dot_general / conv: a sum of products of the two operands
    a, b = np.asarray(xs[0]), np.asarray(xs[1])
    k = max(1, b.size // max(1, b.shape[-1])) if b.ndim else 1
    return max(_max_finite([a]) * _max_finite([b]) * k, _max_finite(outs))


_MAG = {"dot_general": _mag_products, "conv_general_dilated": _mag_products}


def ordered_int(x: np.ndarray) -> np.ndarray:
    """Floats mapped to int64 so that adjacent floats differ by 1 (and -0 == +0)."""
    x = np.asarray(x)
    bits = x.view(f"i{x.dtype.itemsize}").astype(np.int64)
    mag = bits & np.int64((1 << (8 * x.dtype.itemsize - 1)) - 1)
    return np.where(bits < 0, -mag, mag)


def ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """|a - b| in units in the last place of their common float dtype (as float64)."""
    oa, ob = ordered_int(a), ordered_int(b)
    same = (oa >= 0) == (ob >= 0)
    # same sign: an exact int64 difference; opposite signs: the sum of the two
    # magnitudes (as float64, it may exceed int64)
    with np.errstate(over="ignore"):
        d_same = np.abs(np.where(same, oa, 0) - np.where(same, ob, 0)).astype(np.float64)
    d_opp = np.abs(oa.astype(np.float64)) + np.abs(ob.astype(np.float64))
    return np.where(same, d_same, d_opp)


def assert_ulp_close(got, want, max_ulp=4, atol=0.0, err_msg=""):
    """Integer/bool: equal. Floats: same NaN / inf positions, and each finite element
    within `max_ulp` ULP or `atol` of the reference."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape, err_msg)
    assert got.dtype == want.dtype, (got.dtype, want.dtype, err_msg)
    if got.dtype.kind != "f":
        np.testing.assert_array_equal(got, want, err_msg=err_msg)
        return
    gn, wn = np.isnan(got), np.isnan(want)
    np.testing.assert_array_equal(gn, wn, err_msg=f"NaN positions differ {err_msg}")
    gi, wi = np.isinf(got), np.isinf(want)
    np.testing.assert_array_equal(got[gi | wi], want[gi | wi],
                                  err_msg=f"infinities differ {err_msg}")
    fin = ~(gn | gi | wi)
    g, w = got[fin], want[fin]
    d = ulp_distance(g, w)
    with np.errstate(all="ignore"):
        ad = np.abs(g.astype(np.float64) - w.astype(np.float64))
    bad = (d > max_ulp) & ~(ad <= atol)
    if bad.any():
        k = np.flatnonzero(bad)[:5]
        raise AssertionError(
            f"{int(bad.sum())}/{bad.size} elements differ by more than {max_ulp} ULP "
            f"(atol {atol:.3g}) {err_msg}: got {g[k]!r}, want {w[k]!r}, "
            f"ulp {d[k]!r}")


# ----------------------------------------------------------------------------- the check

def _as_tuple(x):
    return tuple(x) if isinstance(x, (list, tuple)) else (x,)


def _desc(args):
    return ", ".join(f"{a.dtype}{list(a.shape)}" for a in args)


def check_jit_matches_eager(case, args):
    eager = [np.asarray(o) for o in _as_tuple(case.fun(*[Array(a) for a in args]))]
    got = [np.asarray(o) for o in _as_tuple(tinyjax.jit(case.fun)(*[a.copy() for a in args]))]
    assert len(got) == len(eager)
    ulps, atol_eps = TOL.get(case.name, DEFAULT)
    mag = _MAG.get(case.name, lambda xs, outs: _max_finite(list(xs) + list(outs)))(args, eager)
    for k, (g, w) in enumerate(zip(got, eager)):
        msg = f"[{case.name} output {k} on {_desc(args)}; inputs {args!r}]"
        if w.dtype.kind == "f":
            u = max(ulps, F16_MIN_ULP) if w.dtype == np.float16 else ulps
            atol = atol_eps * float(np.finfo(w.dtype).eps) * mag
            assert_ulp_close(g, w, u, atol, msg)
        else:
            assert_ulp_close(g, w, err_msg=msg)


def _values(rng, domain, dtype, shape):
    dtype = np.dtype(dtype)
    if dtype.kind in "iu" and dtype.itemsize == 8 and domain not in (
            "pivot", "index", "shift", "nonzero", "real", "positive", "small_int"):
        # the table's generator draws through int64: 64-bit edges here
        info = np.iinfo(dtype)
        v = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=dtype)
        edges = np.array([info.min, info.max, 0, 1, info.max // 2 + 1], dtype)
        return np.where(rng.random(shape) < 0.2, edges[rng.integers(0, 5, size=shape)], v)
    return domain_values(rng, domain, dtype, shape)


def _args_with(case, shapes, dtype_of_group, rng):
    return [_values(rng, arg.domain, dtype_of_group(arg.dtypes), shape)
            for arg, shape in zip(case.args, shapes)]


def _groups(case):
    out = []
    for arg in case.args:
        if arg.dtypes not in out:
            out.append(arg.dtypes)
    return out


# ----------------------------------------------------------------------------- tests

@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
@settings(max_examples=6, deadline=None)
@given(data=st.data())
def test_jit_matches_eager(case, data):
    check_jit_matches_eager(case, _draw_args(case, data))


def _main_group(case):
    return max(_groups(case), key=len)


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda c: c.name)
def test_jit_every_dtype(case):
    """One example for each dtype of the row's widest dtype group (others: their first)."""
    main = _main_group(case)
    rng = np.random.default_rng(0)
    plain_shapes = [(2, 3), (4,), (3, 1, 2), (5,)]
    for k, dt in enumerate(main):
        if case.shapes is not None:
            shapes = case.shapes(rng)
        else:
            shapes = _shapes_for(case, plain_shapes[k % len(plain_shapes)], rng)
        args = _args_with(case, shapes, lambda g, dt=dt: dt if g == main else g[0], rng)
        check_jit_matches_eager(case, args)


def _edge_shape_lists(case, limit=3):
    """Shape lists with a 0-d or zero-size operand that the row's shapes allow."""
    rng = np.random.default_rng(1)
    if case.shapes is None:
        return [_shapes_for(case, base, rng) for base in [(), (0,), (2, 0, 3)]]
    found = []
    for _ in range(300):
        shapes = [tuple(s) for s in case.shapes(rng)]
        if any(len(s) == 0 or 0 in s for s in shapes) and shapes not in found:
            found.append(shapes)
            if len(found) == limit:
                break
    return found


EDGE_PARAMS = [pytest.param(case, shapes, id=f"{case.name}-{'-'.join(map(str, shapes))}")
               for case in ALL_CASES for shapes in _edge_shape_lists(case)]


@pytest.mark.parametrize("case,shapes", EDGE_PARAMS)
def test_jit_zero_d_and_empty(case, shapes):
    rng = np.random.default_rng(2)
    args = _args_with(case, shapes, lambda g: g[-1] if "float32" in g else g[0], rng)
    check_jit_matches_eager(case, args)


_WIDEN = {"float32": "float64", "int32": "int64", "uint32": "uint64"}


def _x64_dtypes(case):
    """The 64-bit types to try for the row's widest group: one per 32-bit member."""
    main = _main_group(case)
    if main == ("float32",):
        return ["float64"]
    return [_WIDEN[d] for d in main if d in _WIDEN and len(main) > 1]


def _x64_other(g):
    # other groups: float32-only becomes float64; int32 indices and pivots stay
    return "float64" if g == ("float32",) else g[0]


X64_CASES = [c for c in ALL_CASES if _x64_dtypes(c)]


@pytest.mark.parametrize("case", X64_CASES, ids=lambda c: c.name)
def test_jit_x64(case):
    """float64 / int64 / uint64 operands under x64."""
    rng = np.random.default_rng(3)
    main = _main_group(case)
    with enable_x64():
        for k, dt in enumerate(_x64_dtypes(case)):
            if case.shapes is not None:
                shapes = case.shapes(rng)
            else:
                shapes = _shapes_for(case, [(2, 3), (5,), (3, 1, 2)][k % 3], rng)
            args = _args_with(case, shapes, lambda g, dt=dt: dt if g == main else _x64_other(g),
                              rng)
            check_jit_matches_eager(case, args)


def test_every_primitive_has_a_lowering_rule():
    from tinyjax.lowering.rules import lowering_rules
    missing = sorted(n for n, p in _all_lax_primitives().items()
                     if p not in lowering_rules and n not in COLLECTIVES)
    assert not missing, f"primitives without a jit lowering rule: {missing}"


# ----------------------------------------------------------------------------- the helper

def test_ulp_helper():
    f = np.float32
    one = f(1)
    nxt = np.nextafter(one, f(2))
    assert ulp_distance(np.array([one]), np.array([nxt]))[0] == 1
    assert ulp_distance(np.array([f(-0.0)]), np.array([f(0.0)]))[0] == 0
    tiny = np.array([np.nextafter(f(0), f(1))])
    assert ulp_distance(-tiny, tiny)[0] == 2
    for dt in (np.float16, np.float64):
        a = np.array([1.5], dt)
        assert ulp_distance(a, np.nextafter(a, dt(3)))[0] == 1
    assert_ulp_close(np.array([np.nan, np.inf, 1.0], f), np.array([np.nan, np.inf, nxt], f))
    with pytest.raises(AssertionError, match="NaN positions"):
        assert_ulp_close(np.array([np.nan], f), np.array([1.0], f))
    with pytest.raises(AssertionError, match="infinities"):
        assert_ulp_close(np.array([np.inf], f), np.array([-np.inf], f))
    with pytest.raises(AssertionError, match="ULP"):
        assert_ulp_close(np.array([1.0], f), np.array([1.001], f))
    assert_ulp_close(np.array([1e-9], f), np.array([0.0], f), atol=1e-8)
    with pytest.raises(AssertionError):
        assert_ulp_close(np.array([1, 2], np.int32), np.array([1, 3], np.int32))
