"""tinyjax.numpy elementwise functions against NumPy (values) and JAX's dtype rules."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
import tinyjax.numpy as jnp

F = ["float32"]
I = ["int32", "int8", "uint8"]
B = ["bool"]

# name, numpy reference, arity, dtypes, domain
UFUNCS = [
    ("add", np.add, 2, F + I + B, "any"), ("subtract", np.subtract, 2, F + I, "any"),
    ("multiply", np.multiply, 2, F + I + B, "any"), ("divide", np.divide, 2, F + I, "nonzero"),
    ("true_divide", np.true_divide, 2, F, "nonzero"),
    ("floor_divide", np.floor_divide, 2, F + I, "nonzero"),
    ("remainder", np.remainder, 2, F + I, "nonzero"), ("mod", np.mod, 2, F + I, "nonzero"),
    ("fmod", np.fmod, 2, F + I, "nonzero"), ("power", np.power, 2, F, "pos"),
    ("float_power", np.float_power, 2, F, "pos"),
    ("maximum", np.maximum, 2, F + I + B, "any"), ("minimum", np.minimum, 2, F + I + B, "any"),
    ("fmax", np.fmax, 2, F + I, "any"), ("fmin", np.fmin, 2, F + I, "any"),
    ("arctan2", np.arctan2, 2, F, "any"), ("hypot", np.hypot, 2, F, "any"),
    ("copysign", np.copysign, 2, F, "any"), ("nextafter", np.nextafter, 2, F, "any"),
    ("logaddexp", np.logaddexp, 2, F, "any"), ("logaddexp2", np.logaddexp2, 2, F, "any"),
    ("heaviside", np.heaviside, 2, F, "any"),
    ("equal", np.equal, 2, F + I + B, "any"), ("not_equal", np.not_equal, 2, F + I, "any"),
    ("less", np.less, 2, F + I, "any"), ("less_equal", np.less_equal, 2, F + I, "any"),
    ("greater", np.greater, 2, F + I, "any"),
    ("greater_equal", np.greater_equal, 2, F + I, "any"),
    ("logical_and", np.logical_and, 2, F + I + B, "any"),
    ("logical_or", np.logical_or, 2, F + I + B, "any"),
    ("logical_xor", np.logical_xor, 2, F + I + B, "any"),
    ("bitwise_and", np.bitwise_and, 2, I + B, "any"),
    ("bitwise_or", np.bitwise_or, 2, I + B, "any"),
    ("bitwise_xor", np.bitwise_xor, 2, I + B, "any"),
    ("left_shift", np.left_shift, 2, ["int32", "uint8"], "shift"),
    ("right_shift", np.right_shift, 2, ["int32", "uint8"], "shift"),
    ("gcd", np.gcd, 2, ["int32"], "any"), ("lcm", np.lcm, 2, ["int32"], "small"),
    ("negative", np.negative, 1, F + I, "any"), ("positive", np.positive, 1, F + I, "any"),
    ("absolute", np.absolute, 1, F + I, "any"), ("abs", np.abs, 1, F + I, "any"),
    ("fabs", np.fabs, 1, F, "any"), ("sign", np.sign, 1, F + I, "any"),
    ("exp", np.exp, 1, F + I, "small"), ("exp2", np.exp2, 1, F, "small"),
    ("expm1", np.expm1, 1, F, "small"), ("log", np.log, 1, F, "pos"),
    ("log2", np.log2, 1, F + I, "pos"), ("log10", np.log10, 1, F, "pos"),
    ("log1p", np.log1p, 1, F, "pos"), ("sqrt", np.sqrt, 1, F + I, "pos"),
    ("cbrt", np.cbrt, 1, F, "any"), ("square", np.square, 1, F + I, "small"),
    ("reciprocal", np.reciprocal, 1, F, "nonzero"),
    ("sin", np.sin, 1, F, "any"), ("cos", np.cos, 1, F, "any"), ("tan", np.tan, 1, F, "unit"),
    ("arcsin", np.arcsin, 1, F, "unit"), ("arccos", np.arccos, 1, F, "unit"),
    ("arctan", np.arctan, 1, F, "any"), ("sinh", np.sinh, 1, F, "small"),
    ("cosh", np.cosh, 1, F, "small"), ("tanh", np.tanh, 1, F, "any"),
    ("arcsinh", np.arcsinh, 1, F, "any"), ("arccosh", np.arccosh, 1, F, "ge1"),
    ("arctanh", np.arctanh, 1, F, "unit"), ("deg2rad", np.deg2rad, 1, F, "any"),
    ("rad2deg", np.rad2deg, 1, F, "any"), ("radians", np.radians, 1, F, "any"),
    ("degrees", np.degrees, 1, F, "any"), ("sinc", np.sinc, 1, F, "any"),
    ("floor", np.floor, 1, F + I, "any"), ("ceil", np.ceil, 1, F + I, "any"),
    ("trunc", np.trunc, 1, F + I, "any"), ("fix", np.fix, 1, F, "any"),
    ("rint", np.rint, 1, F, "any"), ("round", np.round, 1, F, "any"),
    ("isfinite", np.isfinite, 1, F + I, "edge"), ("isinf", np.isinf, 1, F + I, "edge"),
    ("isnan", np.isnan, 1, F + I, "edge"), ("isposinf", np.isposinf, 1, F, "edge"),
    ("isneginf", np.isneginf, 1, F, "edge"), ("signbit", np.signbit, 1, F + I, "edge"),
    ("logical_not", np.logical_not, 1, F + I + B, "any"),
    ("bitwise_not", np.bitwise_not, 1, I + B, "any"), ("invert", np.invert, 1, I + B, "any"),
    ("bitwise_count", np.bitwise_count, 1, ["int32", "uint8"], "any"),
    ("spacing", np.spacing, 1, F, "any"), ("nan_to_num", np.nan_to_num, 1, F, "edge"),
    ("conjugate", np.conjugate, 1, F, "any"), ("real", np.real, 1, F, "any"),
    ("imag", np.imag, 1, F, "any"), ("angle", np.angle, 1, F, "any"),
]


def _values(rng, dtype, domain, shape):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        lo, hi = {"shift": (0, 7), "small": (-6, 6), "pos": (1, 50), "nonzero": (1, 20),
                  "ge1": (1, 20)}.get(domain, (-50, 50))
        if dtype.kind == "u":
            lo = max(lo, 0)
        v = rng.integers(lo, hi + 1, size=shape)
        if domain == "nonzero":
            v = v * rng.choice([-1, 1] if dtype.kind == "i" else [1], size=shape)
        return v.astype(dtype)
    lo, hi = {"small": (-3, 3), "pos": (0.1, 10), "unit": (-0.95, 0.95), "ge1": (1.1, 10),
              "nonzero": (0.5, 5), "shift": (0, 5)}.get(domain, (-10, 10))
    v = rng.uniform(lo, hi, size=shape)
    if domain == "nonzero":
        v = v * rng.choice([-1, 1], size=shape)
    if domain == "edge":
        v = np.where(rng.random(shape) < 0.5, rng.choice(
            [np.nan, np.inf, -np.inf, -0.0, 0.0], size=shape), v)
    if domain == "any":
        v = np.where(rng.random(shape) < 0.2, np.round(v), v)
    return v.astype(dtype)


SHAPES = [((), ()), ((3,), (3,)), ((2, 3), (3,)), ((2, 1), (1, 3)), ((0,), (0,)), ((4,), ())]


@pytest.mark.parametrize("name,ref,arity,dts,domain", UFUNCS, ids=[u[0] for u in UFUNCS])
@settings(max_examples=12, deadline=None)
@given(data=st.data())
def test_ufunc_matches_numpy(name, ref, arity, dts, domain, data):
    dtype = data.draw(st.sampled_from(dts))
    shapes = data.draw(st.sampled_from(SHAPES))[:arity]
    rng = np.random.default_rng(data.draw(st.integers(0, 2**31)))
    args = [_values(rng, dtype, domain, s) for s in shapes]
    got = getattr(jnp, name)(*[jnp.asarray(a) for a in args])
    with np.errstate(all="ignore"):
        want = ref(*args)
    got = np.asarray(got)
    if got.dtype.kind == "f" and any(a.dtype.kind in "iub" for a in args):
        with np.errstate(all="ignore"):  # NumPy computes int8 -> float16; compare in float64
            want = ref(*[a.astype(np.float64) for a in args])
    assert got.shape == np.shape(want)
    if got.dtype.kind == "f":
        np.testing.assert_allclose(got, np.asarray(want).astype(got.dtype), rtol=3e-6,
                                   atol=1e-6, equal_nan=True)
    else:
        np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("name,ref,arity,dts,domain", UFUNCS, ids=[u[0] for u in UFUNCS])
def test_ufunc_dtypes_match_jax(name, ref, arity, dts, domain):
    jax = pytest.importorskip("jax")
    jjnp = jax.numpy
    if not hasattr(jjnp, name):
        pytest.skip(f"jax.numpy has no {name}")
    rng = np.random.default_rng(0)
    for dtype in dts:
        args = [_values(rng, dtype, domain, (3,)) for _ in range(arity)]
        got = getattr(jnp, name)(*args)
        want = getattr(jjnp, name)(*args)
        assert got.dtype == want.dtype, (name, dtype, got.dtype, want.dtype)
        np.testing.assert_allclose(np.asarray(got, np.float64), np.asarray(want, np.float64),
                                   rtol=2e-6, atol=1e-6, equal_nan=True)
        # weak-typed Python scalar second operand
        if arity == 2 and dtype != "bool" and name not in ("ldexp", "left_shift",
                                                            "right_shift", "gcd", "lcm"):
            s = 2.0 if np.dtype(dtype).kind == "f" else 2
            g2, w2 = getattr(jnp, name)(args[0], s), getattr(jjnp, name)(args[0], s)
            assert g2.dtype == w2.dtype and g2.weak_type == w2.weak_type, (name, dtype)


def test_promotion_in_binary_ops():
    x8 = jnp.asarray(np.array([1, 2], np.uint8))
    i8 = jnp.asarray(np.array([1, 2], np.int8))
    assert (x8 + i8).dtype == np.int16
    assert (jnp.ones(2) * 2.0).dtype == np.float32
    assert (jnp.asarray(np.array([1], np.int32)) * 2.0).dtype == np.float32
    assert (jnp.asarray(np.array([True])) + 1).dtype == np.int32
    assert (i8 + 2).dtype == np.int8
    assert (jnp.asarray(np.ones(2, np.float16)) + 2.0).dtype == np.float16


def test_ufunc_errors():
    with pytest.raises(TypeError, match="incompatible shapes"):
        jnp.add(jnp.ones(3), jnp.ones(4))
    with pytest.raises(TypeError, match="boolean"):
        jnp.subtract(jnp.asarray([True]), jnp.asarray([False]))
    with pytest.raises(TypeError, match="integer"):
        jnp.bitwise_and(jnp.ones(2), jnp.ones(2))
    with pytest.raises(TypeError):
        jnp.sin("a")
    with pytest.raises(ValueError, match="both or neither"):
        jnp.where(jnp.ones(2) > 0, 1.0)


def test_where_clip_divmod_modf_frexp():
    c = np.array([True, False, True])
    np.testing.assert_array_equal(np.asarray(jnp.where(c, 1.0, jnp.arange(3.0))), [1, 1, 1])
    x = np.array([-3.5, 0.2, 7.0], np.float32)
    np.testing.assert_array_equal(np.asarray(jnp.clip(x, -1, 2)), np.clip(x, -1, 2))
    np.testing.assert_array_equal(np.asarray(jnp.clip(x, max=0.0)), np.minimum(x, 0))
    q, r = jnp.divmod(jnp.asarray(np.array([7, -7], np.int32)), 3)
    np.testing.assert_array_equal(np.asarray(q), [2, -3])
    np.testing.assert_array_equal(np.asarray(r), [1, 2])
    frac, whole = jnp.modf(x)
    np.testing.assert_allclose(np.asarray(frac), np.modf(x)[0])
    m, e = jnp.frexp(np.array([8.0, 0.3, -5.0, 0.0, np.inf], np.float32))
    em, ee = np.frexp(np.array([8.0, 0.3, -5.0, 0.0, np.inf], np.float32))
    np.testing.assert_allclose(np.asarray(m), em)
    np.testing.assert_array_equal(np.asarray(e)[:4], ee[:4])
    np.testing.assert_array_equal(np.asarray(jnp.round(np.float32([1.234, 2.5]), 1)),
                                  np.round(np.float32([1.234, 2.5]), 1))


def test_ldexp():
    x = np.array([1.5, -0.25, 3.0], np.float32)
    e = np.array([2, -3, 0], np.int32)
    np.testing.assert_array_equal(np.asarray(jnp.ldexp(x, e)), np.ldexp(x, e))
    with pytest.raises(TypeError, match="integer"):
        jnp.ldexp(x, x)


def test_integer_power_exact():
    b = np.array([3, -2, 0, 7, 1, -1], np.int32)
    e = np.array([4, 3, 5, 0, 9, 3], np.int32)
    np.testing.assert_array_equal(np.asarray(jnp.power(b, e)), b ** e)
    np.testing.assert_array_equal(np.asarray(jnp.asarray(b) ** 3), b ** 3)


def test_ufuncs_trace():
    jaxpr = tinyjax.make_jaxpr(lambda x, y: jnp.logaddexp(x, y) + jnp.hypot(x, y))(
        np.ones(3, np.float32), np.ones(3, np.float32))
    assert jaxpr.out_avals[0].shape == (3,)


def test_division_by_zero_and_signed_zero_follow_jax():
    # expected values printed by JAX 0.10.2
    x = np.array([-5, -1, 0, 3, 7, -2147483648], np.int32)
    y = np.array([0, 0, 0, 0, -1, -1], np.int32)
    np.testing.assert_array_equal(np.asarray(jnp.floor_divide(x, y)),
                                  [-2, -2, -1, -2, -7, -2147483648])
    np.testing.assert_array_equal(np.asarray(jnp.remainder(x, y)), [0, 0, 0, 0, 0, 0])
    np.testing.assert_array_equal(np.asarray(jnp.fmod(x, y)), [0, 0, 0, 0, 0, 0])
    u = np.array([0, 5, 255], np.uint8)
    np.testing.assert_array_equal(np.asarray(jnp.floor_divide(u, np.uint8(0))), [255, 255, 255])
    a = np.array([-5.0, 0.0, 3.0, -0.0, 0.0, 1.0, -1.0], np.float32)
    b = np.array([0.0, 0.0, 0.0, 2.0, -2.0, 0.1, 0.1], np.float32)
    q = np.asarray(jnp.floor_divide(a, b))
    np.testing.assert_array_equal(q, [-np.inf, np.nan, np.inf, 0.0, -0.0, 9.0, -10.0])
    np.testing.assert_array_equal(np.signbit(q[3:5]), [False, True])
    assert np.isnan(np.asarray(jnp.remainder(a[:3], b[:3]))).all()
    s = np.asarray(jnp.sign(np.array([-0.0, 0.0, -3.0, np.nan], np.float32)))
    np.testing.assert_array_equal(np.signbit(s[:3]), [True, False, True])
    assert np.isnan(s[3])


def test_integer_negative_power():
    with pytest.raises(TypeError, match=r"negative powers.*integer_pow\(int32\[1\], -1\)"):
        jnp.power(jnp.array([2]), -1)
    np.testing.assert_array_equal(
        np.asarray(jnp.power(jnp.array([2, 1, -1, -1, 0]), jnp.array([-1, -3, -3, -2, -1]))),
        [0, 1, -1, 1, 0])
    np.testing.assert_allclose(np.asarray(jnp.power(jnp.array([2.0]), -1)), [0.5])
