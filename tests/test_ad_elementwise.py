"""Derivative rules of the elementwise primitives (tinyjax/lax/elementwise.py): JVPs
against central finite differences (float64) and real JAX, JAX's conventions at kinks
and special points, symbolic zeros, second order, transpose rules by the dot-product
identity, and tinyjax.grad against jax.grad."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.abstract import ShapedArray
from tinyjax.core.ad_util import float0
from tinyjax.core.array import Array
from tinyjax.core.config import enable_x64
from tinyjax.interpreters.ad import UndefinedPrimal, Zero, jvp_flat, jvp_rules, transpose_rules
from tinyjax.lax import elementwise as ew

EPS = 1e-6
SHAPES = [(), (3,), (2, 3)]


# ----------------------------------------------------------------------------- input domains

def _draw(rng, domain, shape):
    u = lambda lo, hi: rng.uniform(lo, hi, size=shape)
    if domain == "real":
        return u(-2.0, 2.0)
    if domain == "pos":
        return u(0.3, 3.0)
    if domain == "unit":
        return u(-0.8, 0.8)
    if domain == "ge1":
        return u(1.2, 3.0)
    if domain == "p01":
        return u(0.1, 0.9)
    if domain == "nonzero":
        return u(0.4, 2.0) * np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    if domain == "notiny":  # bessel_i1e: its rule switches form below eps
        return u(0.2, 3.0) * np.where(rng.random(shape) < 0.5, -1.0, 1.0)
    raise ValueError(domain)


def _j(path):
    """A JAX function by dotted path under the jax module, looked up when needed."""
    def get(jax):
        obj = jax
        for part in path.split("."):
            obj = getattr(obj, part)
        return obj
    return get


# name, tinyjax function of the differentiated args, JAX function (getter), domains
SMOOTH = [
    ("neg", lax.neg, _j("lax.neg"), ["real"]),
    ("abs", lax.abs, _j("lax.abs"), ["nonzero"]),
    ("exp", lax.exp, _j("lax.exp"), ["real"]),
    ("exp2", lax.exp2, _j("lax.exp2"), ["real"]),
    ("expm1", lax.expm1, _j("lax.expm1"), ["real"]),
    ("log", lax.log, _j("lax.log"), ["pos"]),
    ("log1p", lax.log1p, _j("lax.log1p"), ["pos"]),
    ("sqrt", lax.sqrt, _j("lax.sqrt"), ["pos"]),
    ("rsqrt", lax.rsqrt, _j("lax.rsqrt"), ["pos"]),
    ("cbrt", lax.cbrt, _j("lax.cbrt"), ["nonzero"]),
    ("sin", lax.sin, _j("lax.sin"), ["real"]),
    ("cos", lax.cos, _j("lax.cos"), ["real"]),
    ("tan", lax.tan, _j("lax.tan"), ["unit"]),
    ("asin", lax.asin, _j("lax.asin"), ["unit"]),
    ("acos", lax.acos, _j("lax.acos"), ["unit"]),
    ("atan", lax.atan, _j("lax.atan"), ["real"]),
    ("sinh", lax.sinh, _j("lax.sinh"), ["real"]),
    ("cosh", lax.cosh, _j("lax.cosh"), ["real"]),
    ("tanh", lax.tanh, _j("lax.tanh"), ["real"]),
    ("asinh", lax.asinh, _j("lax.asinh"), ["real"]),
    ("acosh", lax.acosh, _j("lax.acosh"), ["ge1"]),
    ("atanh", lax.atanh, _j("lax.atanh"), ["unit"]),
    ("logistic", lax.logistic, _j("lax.logistic"), ["real"]),
    ("erf", lax.erf, _j("lax.erf"), ["real"]),
    ("erfc", lax.erfc, _j("lax.erfc"), ["real"]),
    ("erf_inv", lax.erf_inv, _j("lax.erf_inv"), ["unit"]),
    ("lgamma", lax.lgamma, _j("lax.lgamma"), ["pos"]),
    ("digamma", lax.digamma, _j("lax.digamma"), ["pos"]),
    ("bessel_i0e", lax.bessel_i0e, _j("lax.bessel_i0e"), ["nonzero"]),
    ("bessel_i1e", lax.bessel_i1e, _j("lax.bessel_i1e"), ["notiny"]),
    ("square", lax.square, _j("lax.square"), ["real"]),
    ("integer_pow3", lambda x: lax.integer_pow(x, 3), lambda J: lambda x: J.lax.integer_pow(x, 3),
     ["real"]),
    ("integer_pow-2", lambda x: lax.integer_pow(x, -2),
     lambda J: lambda x: J.lax.integer_pow(x, -2), ["nonzero"]),
    ("integer_pow1", lambda x: lax.integer_pow(x, 1), lambda J: lambda x: J.lax.integer_pow(x, 1),
     ["real"]),
    ("integer_pow2", lambda x: lax.integer_pow(x, 2), lambda J: lambda x: J.lax.integer_pow(x, 2),
     ["real"]),
    ("add", lax.add, _j("lax.add"), ["real", "real"]),
    ("sub", lax.sub, _j("lax.sub"), ["real", "real"]),
    ("mul", lax.mul, _j("lax.mul"), ["real", "real"]),
    ("div", lax.div, _j("lax.div"), ["real", "nonzero"]),
    ("pow", lax.pow, _j("lax.pow"), ["pos", "real"]),
    ("atan2", lax.atan2, _j("lax.atan2"), ["nonzero", "nonzero"]),
    ("igamma", lax.igamma, _j("lax.igamma"), ["pos", "pos"]),
    ("igammac", lax.igammac, _j("lax.igammac"), ["pos", "pos"]),
    ("zeta_q", lambda q: lax.zeta(np.float64(3.0), q),
     lambda J: lambda q: J.scipy.special.zeta(3.0, q), ["pos"]),
    ("polygamma_x", lambda x: lax.polygamma(np.float64(2.0), x),
     lambda J: lambda x: J.lax.polygamma(2.0, x), ["pos"]),
    ("betainc_x", lambda x: lax.betainc(np.float64(1.5), np.float64(2.5), x),
     lambda J: lambda x: J.lax.betainc(1.5, 2.5, x), ["p01"]),
    ("clamp_x", lambda x: lax.clamp(np.float64(-0.5), x, np.float64(0.5)),
     lambda J: lambda x: J.lax.clamp(-0.5, x, 0.5), ["real"]),
    ("select_n", lambda a, b: lax.select_n(np.array([True, False, True]), a, b),
     lambda J: lambda a, b: J.lax.select_n(np.array([True, False, True]), a, b),
     ["real", "real"]),
]
# fixed shapes for rows whose constants fix them
_FIXED_SHAPE = {"select_n": (3,)}
# tolerances where the reference (special functions in float64) limits finite differences
_TOL = {"igamma": 2e-6, "igammac": 2e-6, "zeta_q": 1e-5, "polygamma_x": 1e-5,
        "betainc_x": 1e-5, "erf_inv": 1e-5, "lgamma": 1e-5, "digamma": 1e-5,
        "bessel_i0e": 1e-5, "bessel_i1e": 1e-5}


def _args(rng, row, shape):
    return [_draw(rng, d, _FIXED_SHAPE.get(row[0], shape)) for d in row[3]]


def _clamp_safe(name, args):
    if name == "clamp_x":  # away from the clamp's corners
        x = args[0]
        args[0] = np.where(np.abs(np.abs(x) - 0.5) < 0.05, x + 0.2, x)
    return args


def _jvp(f, primals, tangents):
    wrap = lambda v: v if type(v) is Zero else Array(np.asarray(v))
    outs, touts = jvp_flat(lambda *a: [f(*a)], [wrap(p) for p in primals],
                           [wrap(t) for t in tangents])
    return outs[0], touts[0]


def _fd(f, primals, tangents, eps=EPS):
    plus = f(*[Array(p + eps * t) for p, t in zip(primals, tangents)])
    minus = f(*[Array(p - eps * t) for p, t in zip(primals, tangents)])
    return (np.asarray(plus) - np.asarray(minus)) / (2 * eps)


@pytest.mark.parametrize("row", SMOOTH, ids=lambda r: r[0])
@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31 - 1), shape=st.sampled_from(SHAPES))
def test_jvp_matches_finite_differences(row, seed, shape):
    name, f = row[0], row[1]
    rng = np.random.default_rng(seed)
    with enable_x64():
        primals = _clamp_safe(name, _args(rng, row, shape))
        tangents = [rng.standard_normal(np.shape(p)) for p in primals]
        out, t_out = _jvp(f, primals, tangents)
        want_out = np.asarray(f(*[Array(p) for p in primals]))
        fd = _fd(f, primals, tangents)
    np.testing.assert_array_equal(np.asarray(out), want_out)
    assert np.asarray(t_out).dtype == np.float64
    assert np.shape(t_out) == np.shape(want_out)
    tol = _TOL.get(name, 1e-6)
    np.testing.assert_allclose(np.asarray(t_out), fd, rtol=tol, atol=tol)


@pytest.mark.parametrize("row", [r for r in SMOOTH if r[2] is not None], ids=lambda r: r[0])
def test_jvp_matches_jax(row):
    jax = pytest.importorskip("jax")
    name, f, jf = row[0], row[1], row[2](jax)
    rng = np.random.default_rng(0)
    for shape in SHAPES:
        with enable_x64(), jax.enable_x64(True):
            primals = _clamp_safe(name, _args(rng, row, shape))
            tangents = [rng.standard_normal(np.shape(p)) for p in primals]
            _, got = _jvp(f, primals, tangents)
            _, want = jax.jvp(jf, tuple(primals), tuple(tangents))
            np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-9,
                                       atol=1e-12, err_msg=name)


def test_float32_tangents_keep_float32():
    x = np.linspace(0.2, 2.0, 5).astype(np.float32)
    for f in (lax.sin, lax.sqrt, lax.erf, lax.lgamma, lambda x: lax.pow(x, x),
              lambda x: lax.max(x, np.float32(1.0)), lambda x: lax.igamma(x, x)):
        _, t = _jvp(f, [x], [np.ones_like(x)])
        assert np.asarray(t).dtype == np.float32


# ----------------------------------------------------------------------------- broadcasting

@pytest.mark.parametrize("name", ["add", "sub", "mul", "div", "rem", "max", "min", "pow",
                                  "atan2", "igamma", "igammac", "nextafter"])
def test_binary_jvp_broadcasts_rank0_and_size1(name):
    f = getattr(lax, name)
    rng = np.random.default_rng(1)
    with enable_x64():
        for xs, ys in [((), (3,)), ((3,), ()), ((2, 1), (2, 3)), ((1, 3), (2, 1))]:
            x = rng.uniform(0.5, 2.0, xs)
            y = rng.uniform(2.5, 4.0, ys)
            tx, ty = rng.standard_normal(xs), rng.standard_normal(ys)
            out_shape = np.broadcast_shapes(xs, ys)
            for tangents in ([tx, Zero.from_value(Array(y))], [Zero.from_value(Array(x)), ty],
                             [tx, ty]):
                _, t = _jvp(f, [x, y], tangents)
                t = np.zeros(out_shape) if type(t) is Zero else np.asarray(t)
                assert t.shape == out_shape
                dense = [np.zeros(np.shape(p)) if type(tt) is Zero else tt
                         for p, tt in zip([x, y], tangents)]
                if name != "nextafter":
                    np.testing.assert_allclose(t, _fd(f, [x, y], dense), rtol=1e-5, atol=1e-6)


# ----------------------------------------------------------------------------- conventions

def _jax():
    jax = pytest.importorskip("jax")
    return jax


def _both(f, jf, primals, tangents):
    """Our tangent and JAX's for the same inputs (float64)."""
    jax = _jax()
    with enable_x64(), jax.enable_x64(True):
        _, got = _jvp(f, primals, tangents)
        _, want = jax.jvp(jf, tuple(map(np.asarray, primals)), tuple(map(np.asarray, tangents)))
        got = np.zeros(np.shape(want)) if type(got) is Zero else np.asarray(got)
        return got, np.asarray(want)


def test_abs_at_zero_matches_jax():
    jax = _jax()
    x = np.array([-0.0, 0.0, -1.0, 2.0])
    got, want = _both(lax.abs, jax.lax.abs, [x], [np.ones(4)])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, [1.0, 1.0, -1.0, 1.0])  # JAX: select(x >= 0, g, -g)


def test_max_min_split_ties_evenly():
    jax = _jax()
    x = np.array([1.0, 2.0, 3.0, np.nan])
    y = np.array([1.0, 1.0, 4.0, 1.0])
    tx, ty = np.array([1.0, 1.0, 1.0, 1.0]), np.array([3.0, 3.0, 3.0, 3.0])
    for ours, theirs in ((lax.max, jax.lax.max), (lax.min, jax.lax.min)):
        got, want = _both(ours, theirs, [x, y], [tx, ty])
        np.testing.assert_array_equal(got, want)
    got, _ = _both(lax.max, jax.lax.max, [x, y], [tx, ty])
    np.testing.assert_array_equal(got[:3], [2.0, 1.0, 3.0])


def test_pow_special_points_match_jax():
    jax = _jax()
    x = np.array([0.0, 0.0, 0.0, 2.0, -2.0])
    y = np.array([0.0, 1.0, 2.5, 0.0, 3.0])
    tx, ty = np.ones(5), np.full(5, 2.0)
    got, want = _both(lax.pow, jax.lax.pow, [x, y], [tx, ty])
    np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    np.testing.assert_allclose(got, want, equal_nan=True)
    # an integer exponent: y x^(y-1), exactly 0 where y == 0
    yi = np.array([0, 1, 2, 3, -1], np.int32)
    with enable_x64(), jax.enable_x64(True):
        _, got = _jvp(lax.pow, [x, yi], [tx, Zero.from_value(Array(yi))])
        _, want = jax.jvp(lambda x: jax.lax.pow(x, yi), (x,), (tx,))
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), equal_nan=True)
    # rank-0 integer exponent against a vector base
    with enable_x64(), jax.enable_x64(True):
        _, got = _jvp(lax.pow, [x[3:], np.int32(3)], [tx[3:], Zero.from_value(Array(np.int32(3)))])
        _, want = jax.jvp(lambda x: jax.lax.pow(x, np.int32(3)), (x[3:],), (tx[3:],))
    np.testing.assert_allclose(np.asarray(got), np.asarray(want))


def test_sqrt_at_zero_is_inf_and_integer_pow_zero_is_zero():
    with enable_x64():
        _, t = _jvp(lax.sqrt, [np.array([0.0, 4.0])], [np.ones(2)])
        np.testing.assert_array_equal(np.asarray(t), [np.inf, 0.25])
        _, t = _jvp(lambda x: lax.integer_pow(x, 0), [np.array([0.0, 4.0])], [np.ones(2)])
        assert type(t) is Zero


def test_rem_derivatives():
    jax = _jax()
    rng = np.random.default_rng(3)
    y = _draw(rng, "nonzero", (6,))
    x = (rng.integers(-2, 3, 6) + rng.uniform(0.2, 0.8, 6)) * y  # x / y away from integers
    tx, ty = rng.standard_normal(6), rng.standard_normal(6)
    got, want = _both(lax.rem, jax.lax.rem, [x, y], [tx, ty])
    np.testing.assert_allclose(got, want)
    with enable_x64():
        np.testing.assert_allclose(got, _fd(lax.rem, [x, y], [tx, ty]), rtol=1e-6, atol=1e-7)
    np.testing.assert_allclose(got, tx - ty * np.trunc(x / y))


def test_clamp_jvp_all_arguments():
    jax = _jax()
    lo = np.array([-1.0, -1.0, -1.0, 0.5, 0.0])
    x = np.array([-2.0, 0.3, 2.0, 0.0, 0.0])
    hi = np.array([1.0, 1.0, 1.0, 0.2, 0.0])  # last two: lo > hi, and a three-way tie
    ts = [np.full(5, 1.0), np.full(5, 10.0), np.full(5, 100.0)]
    got, want = _both(lax.clamp, jax.lax.clamp, [lo, x, hi], ts)
    np.testing.assert_array_equal(got, want)
    # scalar bounds broadcast their tangents (JAX's own rule fails on this case)
    with enable_x64():
        _, got = _jvp(lax.clamp, [np.float64(-0.5), x, np.float64(0.5)],
                      [np.float64(1.0), np.ones(5), np.float64(3.0)])
    np.testing.assert_array_equal(np.asarray(got), [1.0, 1.0, 3.0, 1.0, 1.0])


def test_bessel_i1e_at_zero():
    jax = _jax()
    x = np.array([0.0, 1e-20, -1e-20, 1.0])
    got, want = _both(lax.bessel_i1e, jax.lax.bessel_i1e, [x], [np.ones(4)])
    np.testing.assert_allclose(got, want)
    assert got[0] == 0.5


def test_erf_inv_and_logistic_forms():
    with enable_x64():
        x = np.array([-0.5, 0.1, 0.7])
        _, t = _jvp(lax.erf_inv, [x], [np.ones(3)])
        e = np.asarray(lax.erf_inv(Array(x)))
        np.testing.assert_allclose(np.asarray(t), 0.5 * np.sqrt(np.pi) * np.exp(e * e))
        _, t = _jvp(lax.logistic, [x], [np.ones(3)])
        s = 1 / (1 + np.exp(-x))
        np.testing.assert_allclose(np.asarray(t), s * (1 - s))


@pytest.mark.parametrize("prim_fun,args", [
    (lax.sign, [np.array([-1.5, 0.0, 2.0])]),
    (lax.floor, [np.array([-1.5, 0.2, 2.0])]),
    (lax.ceil, [np.array([-1.5, 0.2, 2.0])]),
    (lax.round, [np.array([-1.5, 0.2, 2.5])]),
    (lambda x: lax.round(x, lax.RoundingMethod.TO_NEAREST_EVEN), [np.array([-1.5, 0.2, 2.5])]),
    (lax.is_finite, [np.array([1.0, np.inf, np.nan])]),
    (lax.nextafter, [np.array([1.0, 2.0]), np.array([3.0, -1.0])]),
    (lax.eq, [np.array([1.0, 2.0]), np.array([1.0, -1.0])]),
    (lax.ne, [np.array([1.0, 2.0]), np.array([1.0, -1.0])]),
    (lax.lt, [np.array([1.0, 2.0]), np.array([1.0, -1.0])]),
    (lax.le, [np.array([1.0, 2.0]), np.array([1.0, -1.0])]),
    (lax.gt, [np.array([1.0, 2.0]), np.array([1.0, -1.0])]),
    (lax.ge, [np.array([1.0, 2.0]), np.array([1.0, -1.0])]),
    (lambda x: lax.bitcast_convert_type(x, np.int64), [np.array([1.0, 2.0])]),
    (lambda x: lax.convert_element_type(x, np.int32), [np.array([1.7, -2.2])]),
    (lambda x: lax.convert_element_type(x, np.bool_), [np.array([1.7, 0.0])]),
    (lax.stop_gradient, [np.array([1.7, 0.0])]),
])
def test_zero_derivative_primitives_give_symbolic_zeros(prim_fun, args):
    with enable_x64():
        out, t = _jvp(prim_fun, args, [np.ones_like(a) for a in args])
    assert type(t) is Zero
    assert t.aval.shape == np.shape(out)
    assert t.aval.dtype == (np.asarray(out).dtype if np.asarray(out).dtype.kind == "f"
                            else float0)


@pytest.mark.parametrize("prim,args", [
    (ew.not_p, [np.array([1, 2], np.int32)]),
    (ew.population_count_p, [np.array([1, 7], np.int32)]),
    (ew.clz_p, [np.array([1, 7], np.int32)]),
    (ew.and_p, [np.array([1, 7], np.int32)] * 2),
    (ew.or_p, [np.array([True, False])] * 2),
    (ew.xor_p, [np.array([1, 7], np.int32)] * 2),
    (ew.shift_left_p, [np.array([1, 7], np.int32)] * 2),
    (ew.shift_right_logical_p, [np.array([1, 7], np.int32)] * 2),
    (ew.shift_right_arithmetic_p, [np.array([1, 7], np.int32)] * 2),
    (ew.add_p, [np.array([1, 7], np.int32)] * 2),
    (ew.sub_p, [np.array([1, 7], np.int32)] * 2),
    (ew.mul_p, [np.array([1, 7], np.int32)] * 2),
    (ew.div_p, [np.array([1, 7], np.int32)] * 2),
    (ew.rem_p, [np.array([1, 7], np.int32)] * 2),
    (ew.max_p, [np.array([1, 7], np.int32)] * 2),
    (ew.min_p, [np.array([1, 7], np.int32)] * 2),
    (ew.neg_p, [np.array([1, 7], np.int32)]),
    (ew.abs_p, [np.array([1, -7], np.int32)]),
    (ew.square_p, [np.array([1, -7], np.int32)]),
    (ew.sign_p, [np.array([1, -7], np.int32)]),
])
def test_integer_rules_with_float0_tangents(prim, args):
    # a rule may be handed concrete float0 tangents for integer operands: no derivative
    primals = [Array(a) for a in args]
    tangents = [np.zeros(a.shape, float0) for a in args]
    out, t = jvp_rules[prim](primals, tangents)
    assert type(t) is Zero and t.aval.dtype == float0
    np.testing.assert_array_equal(np.asarray(out), np.asarray(prim.bind(*primals)))


def test_select_n_and_convert_int_cases():
    which = np.array([0, 2, 1], np.int32)
    cases = [np.array([1.0, 2.0, 3.0]), np.array([4.0, 5.0, 6.0]), np.array([7.0, 8.0, 9.0])]
    with enable_x64():
        # only the middle case has a tangent; the others are symbolic zeros
        tangents = [Zero.from_value(Array(which)), Zero.from_value(Array(cases[0])),
                    np.array([10.0, 20.0, 30.0]), Zero.from_value(Array(cases[2]))]
        _, t = _jvp(lax.select_n, [which] + cases, tangents)
        np.testing.assert_array_equal(np.asarray(t), [0.0, 0.0, 30.0])
        # int -> float: the integer input has no tangent, so neither has the output
        i = np.array([1, 2], np.int32)
        _, t = _jvp(lambda i: lax.convert_element_type(i, np.float64), [i],
                    [Zero.from_value(Array(i))])
        assert type(t) is Zero
        # float32 -> float64 converts the tangent
        _, t = _jvp(lambda x: lax.convert_element_type(x, np.float64),
                    [np.array([1.5], np.float32)], [np.array([2.0], np.float32)])
        assert np.asarray(t).dtype == np.float64 and np.asarray(t)[0] == 2.0


def test_reduce_precision_rounds_tangents_like_jax():
    jax = _jax()
    x = np.array([2.1, -0.3, 1e-3])
    t = np.array([1.1, 0.123456789, 3.3])
    got, want = _both(lambda x: lax.reduce_precision(x, 5, 10),
                      lambda x: jax.lax.reduce_precision(x, 5, 10), [x], [t])
    np.testing.assert_array_equal(got, want)
    np.testing.assert_array_equal(got, t.astype(np.float16).astype(np.float64))


# ----------------------------------------------------------------------------- special functions

def test_igamma_grad_a_matches_jax():
    jax = _jax()
    rng = np.random.default_rng(5)
    a = np.concatenate([rng.uniform(0.05, 30, 200), [0.1, 0.5, 1.0, 5.0, 100.0, 2.0, 1.0]])
    x = np.concatenate([rng.uniform(0.01, 40, 200), [50.0, 1e-3, 1.0, 5.5, 90.0, 0.0, np.inf]])
    with enable_x64(), jax.enable_x64(True):
        got = np.asarray(lax.igamma_grad_a(Array(a), Array(x)))
        want = np.asarray(jax.lax.igamma_grad_a(a, x))
    np.testing.assert_allclose(got[:-1], want[:-1], rtol=1e-10, atol=1e-14)
    assert got[-1] == 0.0  # P(a, inf) = 1 for every a (JAX gives NaN here)
    # float32 in, float32 out, still accurate
    got32 = np.asarray(lax.igamma_grad_a(Array(a.astype(np.float32)), Array(x.astype(np.float32))))
    assert got32.dtype == np.float32
    # domain errors give NaN
    bad = np.asarray(lax.igamma_grad_a(Array(np.array([-1.0, 1.0, np.nan])),
                                       Array(np.array([1.0, -1.0, 1.0]))))
    assert np.isnan(bad).all()


def test_igamma_grad_a_derivative_in_x():
    rng = np.random.default_rng(6)
    with enable_x64():
        a, x = rng.uniform(0.5, 4, 5), rng.uniform(0.2, 6, 5)
        t = rng.standard_normal(5)
        f = lambda x: lax.igamma_grad_a(Array(a), x)
        _, got = _jvp(f, [x], [t])
        np.testing.assert_allclose(np.asarray(got), _fd(f, [x], [t]), rtol=1e-5, atol=1e-8)
        with pytest.raises(NotImplementedError, match="igamma_grad_a with respect to a"):
            _jvp(lambda a: lax.igamma_grad_a(a, Array(x)), [a], [t])


def test_unsupported_special_function_derivatives_raise():
    with enable_x64():
        two, three = np.float64(2.0), np.float64(3.0)
        with pytest.raises(NotImplementedError, match="zeta.*respect to s"):
            _jvp(lambda s: lax.zeta(s, two), [three], [1.0])
        with pytest.raises(ValueError, match="polygamma gradient with respect to n"):
            _jvp(lambda n: lax.polygamma(n, two), [three], [1.0])
        with pytest.raises(ValueError, match="Betainc gradient with respect to a and b"):
            _jvp(lambda a: lax.betainc(a, two, np.float64(0.5)), [three], [1.0])
        with pytest.raises(ValueError, match="Betainc gradient with respect to a and b"):
            _jvp(lambda b: lax.betainc(two, b, np.float64(0.5)), [three], [1.0])


# ----------------------------------------------------------------------------- stop_gradient

def test_stop_gradient():
    x = np.array([1.0, 2.0], np.float32)
    out = lax.stop_gradient(Array(x))
    np.testing.assert_array_equal(np.asarray(out), x)
    tree = {"a": Array(x), "b": (np.array([1, 2], np.int32), 3), "c": 2.5}
    res = lax.stop_gradient(tree)
    assert res["b"][0] is tree["b"][0] and res["b"][1] == 3  # non-float leaves unchanged
    np.testing.assert_array_equal(np.asarray(res["c"]), 2.5)
    jaxpr = tinyjax.make_jaxpr(lax.stop_gradient)(x)
    assert [e.primitive.name for e in jaxpr.eqns] == ["stop_gradient"]
    assert jaxpr.out_avals[0].shape == (2,) and jaxpr.out_avals[0].dtype == np.float32
    with enable_x64():
        # x * stop_gradient(x): derivative x, not 2x
        _, t = _jvp(lambda x: lax.mul(x, lax.stop_gradient(x)), [np.array([3.0])], [np.ones(1)])
        np.testing.assert_array_equal(np.asarray(t), [3.0])

        # nested: the inner stop_gradient also stops the outer derivative
        def inner(x):
            _, t = jvp_flat(lambda a: [lax.mul(a, lax.stop_gradient(a))], [x], [Array(np.ones(1))])
            return t[0]
        _, tt = _jvp(inner, [np.array([3.0])], [np.ones(1)])
        assert type(tt) is Zero or np.all(np.asarray(tt) == 0.0)


def test_stop_gradient_grad_matches_jax():
    jax = _jax()
    f = lambda x: lax.mul(lax.sin(x), lax.stop_gradient(lax.exp(x)))
    jf = lambda x: jax.lax.sin(x) * jax.lax.stop_gradient(jax.lax.exp(x))
    got = tinyjax.grad(f)(np.float32(0.7))
    want = jax.grad(jf)(np.float32(0.7))
    np.testing.assert_allclose(np.asarray(got), np.asarray(want), rtol=1e-6)


# ----------------------------------------------------------------------------- second order

SECOND = ["exp", "log", "sqrt", "rsqrt", "cbrt", "sin", "cos", "tan", "asin", "acos", "atan",
          "tanh", "acosh", "atanh", "logistic", "erf", "erf_inv", "lgamma", "bessel_i0e",
          "bessel_i1e", "integer_pow3", "integer_pow-2", "mul", "div", "pow", "atan2",
          "igamma", "zeta_q", "betainc_x", "abs", "expm1", "log1p", "asinh", "erfc"]
_SECOND_TOL = {"igamma": 1e-4, "zeta_q": 1e-4, "betainc_x": 1e-4, "bessel_i0e": 1e-5,
               "bessel_i1e": 1e-5, "erf_inv": 1e-5, "lgamma": 1e-5}


@pytest.mark.parametrize("row", [r for r in SMOOTH if r[0] in SECOND], ids=lambda r: r[0])
def test_second_order_jvp(row):
    name, f = row[0], row[1]
    if name == "igamma":  # second order in a is not available (as in JAX): vary x only
        f = lambda x, _a=np.float64(1.7): lax.igamma(_a, x)
        domains = ["pos"]
    else:
        domains = row[3]
    rng = np.random.default_rng(11)
    with enable_x64():
        primals = [_draw(rng, d, (4,)) for d in domains]
        t1 = [rng.standard_normal(4) for _ in primals]
        t2 = [rng.standard_normal(4) for _ in primals]

        def first(*xs):  # the directional derivative along t1, as a function of the point
            _, t = jvp_flat(lambda *a: [f(*a)], list(xs), [Array(t) for t in t1])
            return t[0]

        _, got = _jvp(first, primals, t2)
        got = np.zeros(4) if type(got) is Zero else np.asarray(got)
        fd = _fd(first, primals, t2, eps=1e-5)
    tol = _SECOND_TOL.get(name, 2e-6)
    np.testing.assert_allclose(np.asarray(got), fd, rtol=tol, atol=tol)


# ----------------------------------------------------------------------------- transposes

def _undef(a):
    a = np.asarray(a)
    return UndefinedPrimal(ShapedArray(a.shape, a.dtype, False))


def _check_transpose(prim, args, linear, params=None, seed=0, rtol=1e-10):
    """<ct, f(t)> == sum_i <ct_i, t_i> for f the primitive as a function of the args in
    `linear` (the others fixed), called through its transpose rule."""
    params = params or {}
    rng = np.random.default_rng(seed)
    ts = {i: rng.standard_normal(np.shape(args[i])).astype(np.asarray(args[i]).dtype)
          for i in linear}
    full = [Array(np.asarray(ts[i])) if i in ts else Array(np.asarray(a))
            for i, a in enumerate(args)]
    out = np.asarray(prim.bind(*full, **params))
    ct = rng.standard_normal(out.shape).astype(out.dtype)
    ins = [_undef(a) if i in linear else Array(np.asarray(a)) for i, a in enumerate(args)]
    cts = transpose_rules[prim](Array(ct), *ins, **params)
    assert len(cts) == len(args)
    lhs = float(np.sum(ct.astype(np.float64) * out))
    rhs = 0.0
    for i, a in enumerate(args):
        if i not in linear:
            assert cts[i] is None
            continue
        c = np.asarray(cts[i])
        assert c.shape == np.shape(a) and c.dtype == np.asarray(a).dtype, (c.shape, c.dtype)
        rhs += float(np.sum(c.astype(np.float64) * np.asarray(ts[i], np.float64)))
    np.testing.assert_allclose(lhs, rhs, rtol=rtol, atol=rtol)


_BCAST = [((3,), (3,)), ((), (3,)), ((2, 3), ()), ((2, 1), (2, 3)), ((1, 3), (2, 1))]


@pytest.mark.parametrize("xs,ys", _BCAST)
def test_transpose_add_sub_mul_div(xs, ys):
    rng = np.random.default_rng(2)
    with enable_x64():
        x, y = rng.standard_normal(xs), rng.uniform(1.0, 2.0, ys)
        for prim in (ew.add_p, ew.sub_p):
            _check_transpose(prim, [x, y], {0, 1})
            # with one operand fixed the map is affine: fix it at zero to make it linear
            _check_transpose(prim, [x, np.zeros(ys)], {0})
            _check_transpose(prim, [np.zeros(xs), y], {1})
        _check_transpose(ew.mul_p, [x, y], {0})
        _check_transpose(ew.mul_p, [x, y], {1})
        _check_transpose(ew.div_p, [x, y], {0})


def test_transpose_neg_convert_reduce_precision():
    with enable_x64():
        x = np.random.default_rng(3).standard_normal((2, 3))
        _check_transpose(ew.neg_p, [x], {0})
        _check_transpose(ew.convert_element_type_p, [x.astype(np.float32)], {0},
                         dict(new_dtype=np.dtype(np.float64), weak_type=False), rtol=1e-6)
        _check_transpose(ew.convert_element_type_p, [x], {0},
                         dict(new_dtype=np.dtype(np.float32), weak_type=False), rtol=1e-6)
        # reduce_precision is only approximately linear; the identity holds up to its rounding
        ct = Array(np.ones((2, 3)))
        (c,) = transpose_rules[ew.reduce_precision_p](ct, _undef(x), exponent_bits=5,
                                                      mantissa_bits=10)
        np.testing.assert_array_equal(np.asarray(c), np.ones((2, 3)))


def test_transpose_select_n():
    rng = np.random.default_rng(4)
    with enable_x64():
        a, b, c = (rng.standard_normal((2, 3)) for _ in range(3))
        pred = rng.random((2, 3)) < 0.5
        _check_transpose(ew.select_n_p, [pred, a, b], {1, 2})
        _check_transpose(ew.select_n_p, [pred, np.zeros((2, 3)), b], {2})
        _check_transpose(ew.select_n_p, [np.bool_(True), a, b], {1, 2})
        which = rng.integers(0, 3, (2, 3)).astype(np.int32)
        _check_transpose(ew.select_n_p, [which, a, b, c], {1, 2, 3})
        _check_transpose(ew.select_n_p, [which, a, np.zeros((2, 3)), c], {1, 3})


def test_transpose_rejects_nonlinear_uses():
    x = np.ones(3)
    with pytest.raises(ValueError, match="not linear"):
        transpose_rules[ew.mul_p](Array(x), _undef(x), _undef(x))
    with pytest.raises(ValueError, match="not linear"):
        transpose_rules[ew.div_p](Array(x), _undef(x), _undef(x))


def test_convert_transpose_of_integer_input_is_zero():
    (c,) = transpose_rules[ew.convert_element_type_p](
        Array(np.ones(2, np.float32)), _undef(np.ones(2, np.int32)),
        new_dtype=np.dtype(np.float32), weak_type=False)
    assert type(c) is Zero and c.aval.dtype == float0


# ----------------------------------------------------------------------------- grad vs jax.grad

def _scalar_funs(L):
    """The same scalar functions written against `L` (tinyjax.lax or jax.lax)."""
    def f1(x, y):
        return L.add(L.mul(L.atan2(L.sin(x), L.max(y, x)), L.logistic(L.mul(x, y))),
                     L.pow(L.abs(y), L.sub(x, L.exp2(y))))

    def f2(x, y):
        s = L.select_n(L.gt(x, y), L.erf(x), L.tanh(y))
        return L.div(L.add(s, L.lgamma(L.add(L.square(x), L.integer_pow(y, 2)))),
                     L.sqrt(L.add(L.cosh(y), L.rem(x, L.add(y, L.abs(y))))))

    def f3(x, y):
        c = L.clamp(L.neg(L.abs(y)), x, L.abs(y))
        z = L.convert_element_type(L.mul(c, y), np.float32)
        return L.add(L.igamma(L.add(L.abs(x), 0.5), L.add(L.abs(y), 0.1)),
                     L.mul(L.log1p(L.square(z)), L.bessel_i1e(x)))

    return [f1, f2, f3]


@pytest.mark.parametrize("k", [0, 1, 2])
def test_grad_matches_jax_grad(k):
    jax = _jax()
    rng = np.random.default_rng(7 + k)
    ours, theirs = _scalar_funs(lax)[k], _scalar_funs(jax.lax)[k]
    for _ in range(4):
        x, y = (np.float32(v) for v in rng.uniform(-1.5, 1.5, 2))
        got = tinyjax.grad(ours, argnums=(0, 1))(x, y)
        want = jax.grad(theirs, argnums=(0, 1))(x, y)
        for g, w in zip(got, want):
            np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=2e-5, atol=1e-6)


def test_vjp_matches_jax_vjp_with_broadcasting():
    jax = _jax()
    rng = np.random.default_rng(9)
    x = rng.uniform(0.5, 1.5, (2, 3)).astype(np.float32)
    y = rng.uniform(0.5, 1.5, (1, 3)).astype(np.float32)
    ct = rng.standard_normal((2, 3)).astype(np.float32)

    def make(L):
        return lambda x, y: L.sub(L.div(L.mul(x, y), L.add(y, np.float32(2.0))),
                                  L.min(L.neg(x), L.neg(y)))

    _, vjp = tinyjax.vjp(make(lax), x, y)
    got = vjp(ct)
    _, jvjp = jax.vjp(make(jax.lax), x, y)
    want = jvjp(ct)
    for g, w in zip(got, want):
        assert np.shape(g) == np.shape(w)
        np.testing.assert_allclose(np.asarray(g), np.asarray(w), rtol=1e-5, atol=1e-6)
