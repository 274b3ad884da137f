"""dot_general / dot / batch_matmul, conv_general_dilated and friends, reduce_window.

References: NumPy einsum in exact (int64 / float64) arithmetic for dot_general,
a Python-loop convolution and a Python-loop windowed reduction on small cases,
and (where JAX is installed) jax.lax on hypothesis-chosen dimension numbers,
layouts, paddings, dilations, groups and dtypes.
"""
import itertools

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.config import enable_x64

INTS = [np.int8, np.int16, np.int32, np.uint8, np.uint16, np.uint32]
FLOATS = [np.float16, np.float32]
DTYPES = [np.bool_] + INTS + FLOATS
SETTINGS = settings(max_examples=25, deadline=None)
JAX_SETTINGS = settings(max_examples=15, deadline=None)


def jax_lax():
    return pytest.importorskip("jax").lax


def rand(rng, shape, dtype):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if rng.random() < 0.5:  # full range: products and sums wrap
            return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
        return rng.integers(max(info.min, -4), min(info.max, 4), shape, endpoint=True).astype(dt)
    return (rng.standard_normal(shape) * 2).astype(dt)


def assert_matches(got, want, rtol=None):
    """Exact for ints/bools; for floats, close relative to the result's scale."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if got.dtype.kind != "f":
        np.testing.assert_array_equal(got, want)
        return
    if rtol is None:
        rtol = 4e-3 if got.dtype == np.float16 else 2e-5
    g, w = got.astype(np.float64), want.astype(np.float64)
    fin = np.isfinite(w)
    np.testing.assert_array_equal(g[~fin], w[~fin])  # inf, -inf and NaN in the same places
    scale = max(1.0, float(np.max(np.abs(w[fin]), initial=0)))
    np.testing.assert_allclose(g[fin], w[fin], rtol=rtol, atol=rtol * scale)


def out_aval(f, *args):
    jaxpr = tinyjax.make_jaxpr(f)(*args)
    (a,) = jaxpr.out_avals
    return a


# ============================================================================= dot_general

@st.composite
def dot_problem(draw):
    """Shapes and dimension numbers with any mix of batch/contracting/free dims,
    in arbitrary axis orders."""
    nb, nc = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    nlf, nrf = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    size = st.integers(0, 3)
    bsz = [draw(size) for _ in range(nb)]
    csz = [draw(size) for _ in range(nc)]
    lf = [draw(size) for _ in range(nlf)]
    rf = [draw(size) for _ in range(nrf)]
    lperm = draw(st.permutations(range(nb + nc + nlf)))
    rperm = draw(st.permutations(range(nb + nc + nrf)))
    # logical axis i (batch, then contracting, then free) lives at position lperm[i]
    lshape = [0] * len(lperm)
    for i, s in enumerate(bsz + csz + lf):
        lshape[lperm[i]] = s
    rshape = [0] * len(rperm)
    for i, s in enumerate(bsz + csz + rf):
        rshape[rperm[i]] = s
    lb = tuple(lperm[i] for i in range(nb))
    rb = tuple(rperm[i] for i in range(nb))
    lc = tuple(lperm[nb + i] for i in range(nc))
    rc = tuple(rperm[nb + i] for i in range(nc))
    return tuple(lshape), tuple(rshape), ((lc, rc), (lb, rb))


def einsum_reference(x, y, dn, out_dtype):
    """dot_general through np.einsum in int64 (wrapping) or float64 arithmetic."""
    (lc, rc), (lb, rb) = dn
    letters = iter("abcdefghijklmnop")
    ls = [None] * x.ndim
    rs = [None] * y.ndim
    for a, b in zip(lb, rb):
        ls[a] = rs[b] = next(letters)
    for a, b in zip(lc, rc):
        ls[a] = rs[b] = next(letters)
    lfree = [i for i in range(x.ndim) if ls[i] is None]
    rfree = [i for i in range(y.ndim) if rs[i] is None]
    for i in lfree:
        ls[i] = next(letters)
    for i in rfree:
        rs[i] = next(letters)
    out = "".join(ls[a] for a in lb) + "".join(ls[i] for i in lfree) + "".join(
        rs[i] for i in rfree)
    wide = np.float64 if np.dtype(out_dtype).kind == "f" or x.dtype.kind == "f" else np.int64
    r = np.einsum(f"{''.join(ls)},{''.join(rs)}->{out}", x.astype(wide), y.astype(wide))
    if np.dtype(out_dtype) == np.bool_:
        return r != 0
    return np.asarray(r).astype(out_dtype)


@SETTINGS
@given(prob=dot_problem(), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31))
def test_dot_general_vs_einsum(prob, dtype, seed):
    lshape, rshape, dn = prob
    rng = np.random.default_rng(seed)
    x, y = rand(rng, lshape, dtype), rand(rng, rshape, dtype)
    got = lax.dot_general(x, y, dn)
    assert_matches(got, einsum_reference(x, y, dn, dtype))
    a = out_aval(lambda a, b: lax.dot_general(a, b, dn), x, y)
    assert a.shape == got.shape and a.dtype == np.dtype(dtype) and not a.weak_type


MIXED = [
    (np.int8, np.int8, np.int32), (np.int8, np.int8, np.float32), (np.uint8, np.uint8, np.int32),
    (np.int8, np.int8, np.uint32), (np.int8, np.int16, None), (np.uint8, np.int8, None),
    (np.uint16, np.int8, None), (np.bool_, np.int8, None), (np.float16, np.float32, None),
    (np.int32, np.float16, None), (np.float16, np.float16, np.float32),
    (np.float32, np.float32, np.int32), (np.float32, np.float32, np.float16),
    (np.bool_, np.bool_, np.int8), (np.bool_, np.bool_, np.uint8), (np.int32, np.int32, np.int8),
    (np.uint32, np.int32, None), (np.float32, np.int8, np.int16),
]


@JAX_SETTINGS
@given(prob=dot_problem(), dtypes=st.sampled_from(MIXED + [(d, d, None) for d in DTYPES]),
       seed=st.integers(0, 2**31))
def test_dot_general_vs_jax(prob, dtypes, seed):
    jl = jax_lax()
    lshape, rshape, dn = prob
    ldt, rdt, pref = dtypes
    rng = np.random.default_rng(seed)
    x, y = rand(rng, lshape, ldt), rand(rng, rshape, rdt)
    try:
        want = np.asarray(jl.dot_general(x, y, dn, preferred_element_type=pref))
    except TypeError as e:
        with pytest.raises(TypeError, match="preferred_element_type"):
            lax.dot_general(x, y, dn, preferred_element_type=pref)
        assert "preferred_element_type" in str(e)
        return
    got = lax.dot_general(x, y, dn, preferred_element_type=pref)
    if want.dtype.kind in "iu" and x.dtype == y.dtype and x.dtype.kind == "f":
        # float accumulation, then float->int conversion: compare away from integers
        ref = einsum_reference(x.astype(np.float64), y.astype(np.float64), dn, np.float64)
        safe = np.abs(ref - np.round(ref)) > 1e-3  # (mixed dtypes convert first: exact)
        np.testing.assert_array_equal(np.asarray(got)[safe], want[safe])
        assert np.asarray(got).dtype == want.dtype
    else:
        assert_matches(got, want)


def test_dot_general_float16_accumulates_in_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((3, 2000)).astype(np.float16)
    y = rng.standard_normal((2000, 2)).astype(np.float16)
    got = np.asarray(lax.dot_general(x, y, (((1,), (0,)), ((), ()))))
    want = (x.astype(np.float32) @ y.astype(np.float32)).astype(np.float16)
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, want)


def test_dot_general_integer_wraps_and_bool():
    a = np.full((1, 4), 100, np.int8)
    dn = (((1,), (0,)), ((), ()))
    assert np.asarray(lax.dot_general(a, a.T, dn)).tolist() == [[64]]  # 40000 mod 256
    assert np.asarray(lax.dot_general(a, a.T, dn, preferred_element_type=np.int32)).tolist() == [
        [40000]]
    b = np.ones((1, 300), bool)
    assert np.asarray(lax.dot_general(b, b.T, dn)).tolist() == [[True]]
    assert np.asarray(lax.dot_general(b, b.T, dn, preferred_element_type=np.uint8)).tolist() == [
        [44]]  # 300 mod 256
    f = np.full((1, 4), 0.75, np.float32)  # 2.25 in float, then converted
    assert np.asarray(lax.dot_general(f, f.T, dn, preferred_element_type=np.int32)).tolist() == [
        [2]]


def test_dot_general_x64():
    with enable_x64():
        rng = np.random.default_rng(1)
        x = rng.integers(-2**62, 2**62, (3, 4), dtype=np.int64)
        y = rng.integers(-2**62, 2**62, (4, 2), dtype=np.int64)
        got = lax.dot_general(x, y, (((1,), (0,)), ((), ())))
        assert got.dtype == np.int64
        np.testing.assert_array_equal(np.asarray(got), x @ y)  # NumPy int64 matmul wraps too
        xf = rng.standard_normal((5, 6))
        got = lax.dot(xf, xf.T)
        assert got.dtype == np.float64
        np.testing.assert_allclose(np.asarray(got), xf @ xf.T, rtol=1e-13)
        assert lax.dot(xf.astype(np.float32), xf.T, preferred_element_type=np.float64).dtype == (
            np.float64)


def test_dot_general_weak_type_and_params():
    weak = lax.broadcast(2.0, (3,))
    strong = np.ones(3, np.float32)
    dn = (((0,), (0,)), ((), ()))
    assert weak.weak_type
    assert lax.dot_general(weak, weak, dn).weak_type  # weak only if both operands are
    assert not lax.dot_general(weak, strong, dn).weak_type
    assert out_aval(lambda a: lax.dot_general(a, weak, dn), weak).weak_type
    wc = lax.broadcast(2.0, (1, 1, 3))
    assert lax.conv_general_dilated(wc, wc, (1,), "VALID").weak_type
    assert lax.reduce_window(weak, 0.0, lax.add, (2,)).weak_type
    jaxpr = tinyjax.make_jaxpr(
        lambda a: lax.dot_general(a, a, (([1], [0]), ([], [])), precision="highest",
                                  preferred_element_type=np.float32))(np.ones((2, 2), np.float32))
    (eqn,) = jaxpr.jaxpr.eqns
    assert eqn.primitive is lax.dot_general_p
    assert eqn.params["dimension_numbers"] == (((1,), (0,)), ((), ()))
    assert eqn.params["precision"] == (lax.Precision.HIGHEST, lax.Precision.HIGHEST)
    assert eqn.params["preferred_element_type"] == np.dtype(np.float32)
    assert "Precision.HIGHEST" in str(jaxpr)
    assert lax.Precision("tensorfloat32") is lax.Precision.HIGH


@pytest.mark.parametrize("lshape,rshape", [((3,), (3,)), ((2, 3), (3,)), ((3,), (3, 4)),
                                           ((2, 3), (3, 4)), ((0, 3), (3, 0)), ((2, 0), (0,))])
def test_dot_shapes(lshape, rshape):
    rng = np.random.default_rng(0)
    x, y = rand(rng, lshape, np.float32), rand(rng, rshape, np.float32)
    assert_matches(lax.dot(x, y), np.dot(x.astype(np.float64), y).astype(np.float32))


def test_batch_matmul():
    rng = np.random.default_rng(0)
    x, y = rand(rng, (2, 3, 4, 5), np.int32), rand(rng, (2, 3, 5, 2), np.int32)
    assert_matches(lax.batch_matmul(x, y), np.matmul(x.astype(np.int64), y).astype(np.int32))
    with pytest.raises(ValueError, match="at least 2D"):
        lax.batch_matmul(np.ones(3), np.ones((3, 3)))
    with pytest.raises(ValueError, match="same ndim"):
        lax.batch_matmul(np.ones((2, 3, 3)), np.ones((3, 3)))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: lax.dot_general(np.ones((2, 3)), np.ones((4, 2)), (((1,), (0,)), ((), ()))),
     TypeError, "contracting dimensions to have the same shape"),
    (lambda: lax.dot_general(np.ones((3, 3)), np.ones((3, 3)), (((1,), (0,)), ((1,), (1,)))),
     TypeError, "disjoint"),
    (lambda: lax.dot_general(np.ones((2, 3)), np.ones((4, 3)), (((1,), (1,)), ((0,), (0,)))),
     TypeError, "batch dimensions to have the same shape"),
    (lambda: lax.dot_general(np.ones((2, 3)), np.ones((3,)), (((2,), (0,)), ((), ()))),
     TypeError, "lhs dimension numbers to be nonnegative"),
    (lambda: lax.dot_general(np.ones((2, 3)), np.ones((3,)), (((1,), (0,)), ((0,), ()))),
     TypeError, "equal numbers of lhs_batch"),
    (lambda: lax.dot_general(np.ones((3, 3)), np.ones((3, 3)), (((0, 0), (0, 1)), ((), ()))),
     TypeError, "distinct"),
    (lambda: lax.dot_general(np.ones((2, 3), np.int32), np.ones((3,), np.int32),
                             (((1,), (0,)), ((), ())), preferred_element_type=np.int8),
     TypeError, "must not be narrower"),
    (lambda: lax.dot(np.ones((2, 3, 4)), np.ones((4, 5))), ValueError,
     "dimension_numbers must be specified"),
    (lambda: lax.dot(np.ones((2, 3)), np.ones((4,))), ValueError,
     "dimension_numbers must be specified"),
    (lambda: lax.dot(np.ones(3), np.ones(3), precision="bogus"), ValueError, "Precision"),
])
def test_dot_general_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ============================================================================= conv

def naive_conv(x, w, strides, pads, lhs_dil, rhs_dil, G, B):
    """Direct-definition convolution on canonical layouts: x (N, C, *S), w (O, I, *K),
    in float64 / int64; output (N // B, O, *out)."""
    wide = np.float64 if x.dtype.kind == "f" else np.int64
    x, w = x.astype(wide), w.astype(wide)
    N, C = x.shape[:2]
    O, I = w.shape[:2]
    S, K = x.shape[2:], w.shape[2:]
    dil_shape = [0 if s == 0 else (s - 1) * d + 1 for s, d in zip(S, lhs_dil)]
    xd = np.zeros((N, C, *dil_shape), wide)
    for idx in itertools.product(*map(range, S)):
        xd[(slice(None), slice(None)) + tuple(i * d for i, d in zip(idx, lhs_dil))] = x[
            (slice(None), slice(None)) + idx]
    padded = [d + lo + hi for d, (lo, hi) in zip(dil_shape, pads)]
    kd = [(k - 1) * d + 1 for k, d in zip(K, rhs_dil)]
    out_sp = [max((p - k) // s + 1, 0) for p, k, s in zip(padded, kd, strides)]
    out = np.zeros((N // B, O, *out_sp), wide)
    Og, Ob = O // G, O // B
    with np.errstate(over="ignore"):  # int64 wraps, as the XLA result does
        _naive_conv_loop(xd, w, out, strides, pads, rhs_dil, dil_shape, out_sp, N, O, I, K,
                         Og, Ob, B)
    return out


def _naive_conv_loop(xd, w, out, strides, pads, rhs_dil, dil_shape, out_sp, N, O, I, K, Og,
                     Ob, B):
    for n, o in itertools.product(range(N // B), range(O)):
        g, bg = o // Og, o // Ob
        src_n = bg * (N // B) + n
        for pos in itertools.product(*map(range, out_sp)):
            acc = 0
            for i in range(I):
                c = g * I + i
                for k in itertools.product(*map(range, K)):
                    # position in the padded, dilated input
                    q = [p * s + kk * rd - lo for p, s, kk, rd, (lo, _) in
                         zip(pos, strides, k, rhs_dil, pads)]
                    if all(0 <= qq < dd for qq, dd in zip(q, dil_shape)):
                        acc += xd[(src_n, c) + tuple(q)] * w[(o, i) + k]
            out[(n, o) + pos] = acc


@st.composite
def conv_problem(draw, max_spatial=3, small=False):
    nsp = draw(st.integers(1, max_spatial))
    G = draw(st.sampled_from([1, 1, 2]))
    B = 1 if G > 1 else draw(st.sampled_from([1, 1, 2]))
    N = B * draw(st.integers(0 if not small else 1, 2))
    I = draw(st.integers(1, 2))
    C = I * G
    O = G * B * draw(st.integers(1, 2))
    limit = 4 if nsp < 3 else 3
    S = [draw(st.integers(0, limit)) for _ in range(nsp)]
    K = [draw(st.integers(1, 3)) for _ in range(nsp)]
    strides = tuple(draw(st.integers(1, 2)) for _ in range(nsp))
    lhs_dil = tuple(draw(st.integers(1, 2)) for _ in range(nsp))
    rhs_dil = tuple(draw(st.integers(1, 2)) for _ in range(nsp))
    pads = []
    for s, d in zip(S, lhs_dil):
        dil = 0 if s == 0 else (s - 1) * d + 1
        lo = draw(st.integers(-min(dil, 1), 2))
        hi = draw(st.integers(-min(dil + lo, 1), 2))
        pads.append((lo, hi))
    # layouts: random permutations of the canonical (N, C, *S) / (O, I, *K) / out dims
    nd = nsp + 2
    lspec = tuple(draw(st.permutations(range(nd))))
    rspec = tuple(draw(st.permutations(range(nd))))
    ospec = tuple(draw(st.permutations(range(nd))))
    return dict(N=N, C=C, O=O, I=I, S=S, K=K, strides=strides, lhs_dil=lhs_dil,
                rhs_dil=rhs_dil, pads=tuple(pads), G=G, B=B,
                dn=lax.ConvDimensionNumbers(lspec, rspec, ospec))


def make_operands(p, dtype, seed):
    rng = np.random.default_rng(seed)
    xc = rand(rng, (p["N"], p["C"], *p["S"]), dtype)
    wc = rand(rng, (p["O"], p["I"], *p["K"]), dtype)
    dn = p["dn"]
    # place canonical dim i at position spec[i]
    x = np.transpose(xc, np.argsort(dn.lhs_spec))
    w = np.transpose(wc, np.argsort(dn.rhs_spec))
    return xc, wc, x, w


def call_conv(mod, p, x, w, **kw):
    return mod.conv_general_dilated(
        x, w, p["strides"], p["pads"], lhs_dilation=p["lhs_dil"], rhs_dilation=p["rhs_dil"],
        dimension_numbers=mod.ConvDimensionNumbers(*p["dn"]), feature_group_count=p["G"], batch_group_count=p["B"], **kw)


@SETTINGS
@given(p=conv_problem(max_spatial=2, small=True), seed=st.integers(0, 2**31),
       dtype=st.sampled_from([np.float32, np.int32, np.int8]))
def test_conv_vs_naive_loop(p, seed, dtype):
    xc, wc, x, w = make_operands(p, dtype, seed)
    got = call_conv(lax, p, x, w)
    ref = naive_conv(xc, wc, p["strides"], p["pads"], p["lhs_dil"], p["rhs_dil"], p["G"], p["B"])
    ref = np.transpose(ref, np.argsort(p["dn"].out_spec)).astype(dtype)
    assert_matches(got, ref)
    a = out_aval(lambda a, b: call_conv(lax, p, a, b), x, w)
    assert a.shape == ref.shape and a.dtype == np.dtype(dtype)


@JAX_SETTINGS
@given(p=conv_problem(), seed=st.integers(0, 2**31),
       dtype=st.sampled_from([np.float32, np.float16, np.int32, np.uint8, np.bool_]))
def test_conv_vs_jax(p, seed, dtype):
    jl = jax_lax()
    _, _, x, w = make_operands(p, dtype, seed)
    want = np.asarray(call_conv(jl, p, x, w))
    assert_matches(call_conv(lax, p, x, w), want)


@JAX_SETTINGS
@given(p=conv_problem(max_spatial=2), seed=st.integers(0, 2**31),
       padding=st.sampled_from(["SAME", "VALID", "SAME_LOWER"]),
       specs=st.sampled_from([None, ("NHWC", "HWIO", "NHWC"), ("NCHW", "OIHW", "NCHW"),
                              ("HNCW", "WOHI", "CWNH"), ("NWHC", "HWIO", "NCWH")]))
def test_conv_string_padding_and_specs_vs_jax(p, seed, padding, specs):
    jl = jax_lax()
    nsp = len(p["S"])
    if specs is not None and nsp == 1:
        specs = tuple(s.replace("H", "") for s in specs)
    x = np.random.default_rng(seed).standard_normal((p["N"], p["C"], *p["S"])).astype(np.float32)
    w = np.random.default_rng(seed + 1).standard_normal((p["O"], p["I"], *p["K"])).astype(
        np.float32)
    dn = lax.conv_dimension_numbers(x.shape, w.shape, specs)
    assert tuple(dn) == tuple(jl.conv_dimension_numbers(x.shape, w.shape, specs))
    # reuse the random canonical operands in the requested layouts
    x = np.transpose(x, np.argsort(dn.lhs_spec))
    w = np.transpose(w, np.argsort(dn.rhs_spec))
    kw = dict(rhs_dilation=p["rhs_dil"], dimension_numbers=specs,
              feature_group_count=p["G"], batch_group_count=p["B"])
    want = np.asarray(jl.conv_general_dilated(x, w, p["strides"], padding, **kw))
    assert_matches(lax.conv_general_dilated(x, w, p["strides"], padding, **kw), want)


@pytest.mark.parametrize("in_shape,window,strides", [
    ((5, 7), (3, 2), (2, 3)), ((1,), (4,), (1,)), ((0, 4), (1, 5), (1, 2)), ((8,), (8,), (3,))])
@pytest.mark.parametrize("padding", ["SAME", "VALID", "SAME_LOWER", "same"])
def test_padtype_to_pads(in_shape, window, strides, padding):
    jl = jax_lax()
    want = jl.padtype_to_pads(in_shape, window, strides, padding)
    assert lax.padtype_to_pads(in_shape, window, strides, padding) == [tuple(p) for p in want]


def test_padtype_to_pads_values():
    assert lax.padtype_to_pads((5,), (3,), (2,), "SAME") == [(1, 1)]
    assert lax.padtype_to_pads((4,), (2,), (1,), "SAME") == [(0, 1)]
    assert lax.padtype_to_pads((4,), (2,), (1,), "SAME_LOWER") == [(1, 0)]
    assert lax.padtype_to_pads((4, 4), (2, 2), (1, 1), "VALID") == [(0, 0), (0, 0)]
    with pytest.raises(RuntimeError, match="Unrecognized padding type"):
        lax.padtype_to_pads((4,), (2,), (1,), "FULL")


@pytest.mark.parametrize("dtype,pref", [(np.int8, np.int32), (np.int8, np.float32),
                                        (np.float16, np.float32), (np.bool_, np.int32),
                                        (np.uint8, np.uint16), (np.float32, np.int32),
                                        (np.int32, np.int8), (np.int8, np.uint32)])
def test_conv_preferred_element_type_vs_jax(dtype, pref):
    jl = jax_lax()
    rng = np.random.default_rng(0)
    x, w = rand(rng, (2, 3, 6), dtype), rand(rng, (4, 3, 3), dtype)
    try:
        want = np.asarray(jl.conv_general_dilated(x, w, (1,), "SAME", preferred_element_type=pref))
    except TypeError as e:
        with pytest.raises(TypeError, match="preferred_element_type"):
            lax.conv_general_dilated(x, w, (1,), "SAME", preferred_element_type=pref)
        assert "preferred_element_type" in str(e)
        return
    got = lax.conv_general_dilated(x, w, (1,), "SAME", preferred_element_type=pref)
    assert_matches(got, want)


def test_conv_float16_accumulates_in_float32():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((1, 1, 4096)).astype(np.float16)
    k = rng.standard_normal((1, 1, 4096)).astype(np.float16)
    got = np.asarray(lax.conv_general_dilated(x, k, (1,), "VALID"))
    want = np.dot(x.astype(np.float32).ravel(), k.astype(np.float32).ravel()).astype(np.float16)
    assert got.dtype == np.float16 and got.ravel()[0] == want


@pytest.mark.parametrize("padding", ["SAME", "VALID", ((1, 0), (2, 1)), ((0, 0), (0, 0))])
@pytest.mark.parametrize("transpose_kernel", [False, True])
@pytest.mark.parametrize("use_consistent_padding", [False, True])
def test_conv_transpose_vs_jax(padding, transpose_kernel, use_consistent_padding):
    jl = jax_lax()
    rng = np.random.default_rng(3)
    x = rng.standard_normal((2, 5, 4, 3)).astype(np.float32)
    w = rng.standard_normal((3, 2, 4 if transpose_kernel else 3,
                             3 if transpose_kernel else 4)).astype(np.float32)
    kw = dict(transpose_kernel=transpose_kernel, use_consistent_padding=use_consistent_padding,
              rhs_dilation=(1, 2))
    want = np.asarray(jl.conv_transpose(x, w, (2, 1), padding, **kw))
    assert_matches(lax.conv_transpose(x, w, (2, 1), padding, **kw), want)
    if isinstance(padding, str):
        assert lax.conv_transpose_shape_tuple(x.shape, w.shape, (2, 1), padding,
                                              ("NHWC", "HWIO", "NHWC")) == tuple(
            jl.conv_transpose_shape_tuple(x.shape, w.shape, (2, 1), padding,
                                          ("NHWC", "HWIO", "NHWC")))


def test_conv_transpose_1d_and_3d_vs_jax():
    jl = jax_lax()
    rng = np.random.default_rng(4)
    for xs, ws in [((2, 5, 3), (3, 3, 2)), ((1, 3, 4, 2, 2), (2, 2, 2, 2, 3))]:
        x, w = rng.standard_normal(xs).astype(np.float32), rng.standard_normal(ws).astype(
            np.float32)
        s = (2,) * (len(xs) - 2)
        assert_matches(lax.conv_transpose(x, w, s, "SAME"), np.asarray(
            jl.conv_transpose(x, w, s, "SAME")))


def test_conv_and_conv_with_general_padding_vs_jax():
    jl = jax_lax()
    rng = np.random.default_rng(5)
    x = rng.standard_normal((2, 3, 7, 6)).astype(np.float32)
    w = rng.standard_normal((4, 3, 3, 2)).astype(np.float32)
    for pad in ["SAME", "VALID"]:
        assert_matches(lax.conv(x, w, (2, 1), pad), np.asarray(jl.conv(x, w, (2, 1), pad)))
    args = (x, w, (1, 2), ((1, 2), (0, -1)), (2, 1), (1, 2))
    assert_matches(lax.conv_with_general_padding(*args),
                   np.asarray(jl.conv_with_general_padding(*args)))


def test_conv_shape_helpers_vs_jax():
    jl = jax_lax()
    specs = ("NHWC", "HWIO", "NHWC")
    assert lax.conv_general_permutations(specs) == jl.conv_general_permutations(specs)
    assert lax.conv_general_shape_tuple((2, 9, 8, 3), (3, 2, 3, 5), (2, 1), "SAME", specs) == (
        tuple(jl.conv_general_shape_tuple((2, 9, 8, 3), (3, 2, 3, 5), (2, 1), "SAME", specs)))
    assert lax.conv_shape_tuple((2, 3, 9), (4, 3, 2), (2,), [(1, 0)]) == tuple(
        jl.conv_shape_tuple((2, 3, 9), (4, 3, 2), (2,), [(1, 0)]))


def test_conv_empty_and_degenerate():
    x = np.ones((0, 2, 5), np.float32)
    w = np.ones((3, 2, 2), np.float32)
    assert lax.conv_general_dilated(x, w, (1,), "VALID").shape == (0, 3, 4)
    x = np.ones((2, 0, 5), np.float32)
    w = np.ones((3, 0, 2), np.float32)
    np.testing.assert_array_equal(np.asarray(lax.conv_general_dilated(x, w, (1,), "SAME")),
                                  np.zeros((2, 3, 5), np.float32))
    x = np.ones((1, 1, 2), np.float32)
    w = np.ones((1, 1, 3), np.float32)  # window larger than the input
    assert lax.conv_general_dilated(x, w, (1,), "VALID").shape == (1, 1, 0)
    # 3-D, with everything non-trivial at once, against the loop
    rng = np.random.default_rng(7)
    x = rng.standard_normal((2, 4, 3, 4, 3)).astype(np.float32)
    w = rng.standard_normal((4, 2, 2, 2, 1)).astype(np.float32)
    args = ((1, 2, 1), ((1, 0), (0, 1), (-1, 1)), (2, 1, 1), (1, 2, 1))
    got = lax.conv_general_dilated(x, w, *args, feature_group_count=2)
    assert_matches(got, naive_conv(x, w, args[0], args[1], args[2], args[3], 2, 1).astype(
        np.float32))


def test_conv_jaxpr():
    x = np.ones((1, 8, 8, 3), np.float32)
    w = np.ones((3, 3, 3, 4), np.float32)
    jaxpr = tinyjax.make_jaxpr(lambda a, b: lax.conv_general_dilated(
        a, b, (1, 1), "SAME", dimension_numbers=("NHWC", "HWIO", "NHWC")))(x, w)
    (eqn,) = jaxpr.jaxpr.eqns
    assert eqn.primitive is lax.conv_general_dilated_p
    p = eqn.params
    assert p["dimension_numbers"] == lax.ConvDimensionNumbers((0, 3, 1, 2), (3, 2, 0, 1),
                                                              (0, 3, 1, 2))
    assert p["padding"] == ((1, 1), (1, 1))
    assert p["lhs_dilation"] == (1, 1) and p["rhs_dilation"] == (1, 1)
    assert p["window_strides"] == (1, 1)
    assert p["feature_group_count"] == 1 and p["batch_group_count"] == 1
    assert p["precision"] is None and p["preferred_element_type"] is None
    (a,) = jaxpr.out_avals
    assert a.shape == (1, 8, 8, 4) and a.dtype == np.float32


@pytest.mark.parametrize("call,exc,match", [
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2), np.float16),
                                      (1,), "SAME"), TypeError, "same dtypes"),
    (lambda: lax.conv_general_dilated(np.ones((1, 3, 5)), np.ones((3, 2, 2)), (1,), "SAME"),
     ValueError, "rhs input feature dimension"),
    (lambda: lax.conv_general_dilated(np.ones((1, 4, 5)), np.ones((3, 2, 2)), (1,), "SAME",
                                      feature_group_count=2),
     ValueError, "multiple of feature_group_count"),
    (lambda: lax.conv_general_dilated(np.ones((1, 3, 5)), np.ones((3, 1, 2)), (1,), "SAME",
                                      feature_group_count=2),
     ValueError, "feature_group_count must divide"),
    (lambda: lax.conv_general_dilated(np.ones((3, 2, 5)), np.ones((4, 2, 2)), (1,), "SAME",
                                      batch_group_count=2),
     ValueError, "batch_group_count must divide"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2)), (1,), "SAME",
                                      lhs_dilation=(2,)),
     ValueError, "String padding is not implemented"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2)), (1,),
                                      [(-4, -3)]),
     ValueError, "Negative padding is larger"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2)), (1,),
                                      [(0, 0), (0, 0)]),
     TypeError, "Wrong number of explicit pads"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2)), (1, 1), "VALID"),
     ValueError, "window_strides"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2, 2)), (1,), "VALID"),
     TypeError, "ndim to be equal"),
    (lambda: lax.conv_general_dilated(np.ones((1, 5, 5, 2)), np.ones((2, 2, 2, 3)), (1, 1),
                                      "VALID", dimension_numbers=("NHWC", "HWIO", "NHCW", "x")),
     TypeError, "must be length 3"),
    (lambda: lax.conv_general_dilated(np.ones((1, 5, 5, 2)), np.ones((2, 2, 2, 3)), (1, 1),
                                      "VALID", dimension_numbers=("NHWC", "HWIX", "NHWC")),
     TypeError, "exactly once"),
    (lambda: lax.conv_general_dilated(np.ones((1, 5, 5, 2)), np.ones((2, 2, 2, 3)), (1, 1),
                                      "VALID", dimension_numbers=("NHWC", "HDIO", "NHWC")),
     TypeError, "same set of spatial characters"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2)), (1,), "FULL"),
     RuntimeError, "Unrecognized padding type"),
    (lambda: lax.conv_general_dilated(np.ones((1, 2, 5)), np.ones((3, 2, 2)), (0,), "VALID"),
     ValueError, "positive"),
])
def test_conv_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()


# ============================================================================= reduce_window

IDENT = {
    "add": lambda dt: np.zeros((), dt)[()],
    "max": lambda dt: (False if dt == np.bool_ else -np.inf if dt.kind == "f"
                       else np.iinfo(dt).min),
    "min": lambda dt: (True if dt == np.bool_ else np.inf if dt.kind == "f"
                       else np.iinfo(dt).max),
}


def loop_reduce_window(x, kind, window, strides, pads, base_dil, win_dil):
    """Windowed reduction by enumerating every window element (float64 / int64)."""
    dt = x.dtype
    ident = IDENT[kind](dt)
    dil = [0 if s == 0 else (s - 1) * b + 1 for s, b in zip(x.shape, base_dil)]
    padded = [d + lo + hi for d, (lo, hi) in zip(dil, pads)]
    wd = [(w - 1) * d + 1 for w, d in zip(window, win_dil)]
    out_shape = [max((p - w) // s + 1, 0) for p, w, s in zip(padded, wd, strides)]
    out = np.zeros(out_shape, object)
    for pos in itertools.product(*map(range, out_shape)):
        vals = []
        for k in itertools.product(*map(range, window)):
            q = [p * s + kk * d - lo for p, s, kk, d, (lo, _) in
                 zip(pos, strides, k, win_dil, pads)]
            if all(0 <= qq < dd and qq % b == 0 for qq, dd, b in zip(q, dil, base_dil)):
                v = x[tuple(qq // b for qq, b in zip(q, base_dil))]
                vals.append(v.item())
            else:
                vals.append(ident.item() if hasattr(ident, "item") else ident)
        if kind == "add":
            out[pos] = sum(vals)
        elif any(v != v for v in vals):  # XLA's max/min propagate NaN
            out[pos] = np.nan
        else:
            out[pos] = (max if kind == "max" else min)(vals) if vals else ident
    if not out_shape:
        out = np.asarray(out.item() if out.size else ident)
    if dt.kind in "iu":  # exact Python-int sums, wrapped modulo 2**64 then to dt
        wrapped = [int(v) % 2**64 for v in np.asarray(out, dtype=object).ravel()]
        return np.array(wrapped, np.uint64).astype(dt).reshape(np.shape(out))
    return np.asarray(out, dtype=np.float64 if dt.kind == "f" else dt).astype(dt)


@st.composite
def window_problem(draw):
    nd = draw(st.integers(0, 3))
    shape = [draw(st.integers(0, 4)) for _ in range(nd)]
    window = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    strides = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    base = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    wdil = tuple(draw(st.integers(1, 2)) for _ in range(nd))
    pads = []
    for s, b in zip(shape, base):
        dil = 0 if s == 0 else (s - 1) * b + 1
        lo = draw(st.integers(-min(dil, 1), 2))
        hi = draw(st.integers(-min(dil + lo, 1), 2))
        pads.append((lo, hi))
    return tuple(shape), window, strides, tuple(pads), base, wdil


def _kind_fn(kind):
    return {"add": lax.add, "max": lax.max, "min": lax.min}[kind]


@SETTINGS
@given(prob=window_problem(), kind=st.sampled_from(["add", "max", "min"]),
       dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31))
def test_reduce_window_vs_loop(prob, kind, dtype, seed):
    shape, window, strides, pads, base, wdil = prob
    dt = np.dtype(dtype)
    if kind == "add" and dt == np.bool_:
        dt = np.dtype(np.int32)
    x = rand(np.random.default_rng(seed), shape, dt)
    if dt.kind == "f" and x.size:
        x.flat[0] = np.nan if seed % 3 == 0 else x.flat[0]
    init = IDENT[kind](dt)
    got = lax.reduce_window(x, init, _kind_fn(kind), window, strides, pads, base, wdil)
    want = loop_reduce_window(x, kind, window, strides, pads, base, wdil)
    if dt.kind == "f":
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want))
    assert_matches(got, want)
    a = out_aval(lambda v: lax.reduce_window(v, init, _kind_fn(kind), window, strides, pads,
                                             base, wdil), x)
    assert a.shape == want.shape and a.dtype == dt


@JAX_SETTINGS
@given(prob=window_problem(), kind=st.sampled_from(["add", "max", "min"]),
       dtype=st.sampled_from([np.float32, np.int8, np.uint16, np.bool_]),
       padding=st.sampled_from([None, "SAME", "VALID", "SAME_LOWER"]), seed=st.integers(0, 2**31))
def test_reduce_window_vs_jax(prob, kind, dtype, padding, seed):
    jl = jax_lax()
    shape, window, strides, pads, base, wdil = prob
    dt = np.dtype(dtype)
    if kind == "add" and dt == np.bool_:
        dt = np.dtype(np.int32)
    if padding is not None:
        pads = padding
    x = rand(np.random.default_rng(seed), shape, dt)
    if dt.kind == "f" and x.size and seed % 3 == 0:
        x.flat[-1] = np.nan
    init = np.asarray(IDENT[kind](dt), dt)
    want = np.asarray(jl.reduce_window(x, init, getattr(jl, kind), window, strides, pads, base,
                                       wdil))
    assert_matches(lax.reduce_window(x, init, _kind_fn(kind), window, strides, pads, base,
                                     wdil), want)


def test_reduce_window_jaxpr_and_defaults():
    x = np.arange(12, dtype=np.float32).reshape(3, 4)
    jaxpr = tinyjax.make_jaxpr(
        lambda v: lax.reduce_window(v, -np.inf, lax.max, (2, 2), (1, 1), "SAME"))(x)
    (eqn,) = jaxpr.jaxpr.eqns
    assert eqn.primitive is lax.reduce_window_max_p
    assert eqn.params == dict(window_dimensions=(2, 2), window_strides=(1, 1),
                              padding=((0, 1), (0, 1)), base_dilation=(1, 1),
                              window_dilation=(1, 1))
    got = lax.reduce_window(x, 0.0, lax.add, (2, 2))  # default strides 1, 'VALID'
    assert_matches(got, (x[:-1, :-1] + x[1:, :-1] + x[:-1, 1:] + x[1:, 1:]))
    assert lax.reduce_window(np.full((10,), 100, np.int8), np.int8(0), lax.add, (10,),
                             (1,), "VALID").tolist() == [-24]  # 1000 wraps mod 256
    assert not lax.reduce_window(np.ones(3, np.float32), 0.0, lax.add, (2,)).weak_type


def test_conv_and_reduce_window_x64():
    with enable_x64():
        rng = np.random.default_rng(0)
        x, w = rng.standard_normal((2, 3, 7)), rng.standard_normal((4, 3, 2))
        got = lax.conv_general_dilated(x, w, (2,), ((1, 0),))
        assert got.dtype == np.float64
        want = naive_conv(x, w, (2,), ((1, 0),), (1,), (1,), 1, 1)
        np.testing.assert_allclose(np.asarray(got), want, rtol=1e-12, atol=1e-12)
        xi = rng.integers(-2**62, 2**62, (2, 3, 7), dtype=np.int64)
        wi = rng.integers(-3, 4, (4, 3, 2), dtype=np.int64)
        got = lax.conv_general_dilated(xi, wi, (1,), "VALID")
        assert got.dtype == np.int64
        np.testing.assert_array_equal(np.asarray(got),
                                      naive_conv(xi, wi, (1,), ((0, 0),), (1,), (1,), 1, 1))
        r = lax.reduce_window(xi, np.int64(0), lax.add, (1, 1, 3), (1, 1, 2))
        assert r.dtype == np.int64
        np.testing.assert_array_equal(
            np.asarray(r), loop_reduce_window(xi, "add", (1, 1, 3), (1, 1, 2),
                                              ((0, 0),) * 3, (1, 1, 1), (1, 1, 1)))


@pytest.mark.parametrize("call,exc,match", [
    (lambda: lax.reduce_window(np.ones(4), 1.0, lax.add, (2,)), NotImplementedError,
     "identity"),
    (lambda: lax.reduce_window(np.ones(4), 0.0, lax.max, (2,)), NotImplementedError,
     "identity"),
    (lambda: lax.reduce_window(np.ones(4), 1.0, lax.mul, (2,)), NotImplementedError,
     "lax.add, lax.max, lax.min"),
    (lambda: lax.reduce_window(np.ones(4, bool), False, lax.add, (2,)), TypeError,
     "number dtype"),
    (lambda: lax.reduce_window(np.ones(4), 0.0, lax.add, (2, 2)), TypeError,
     "wrong number of window_dimensions"),
    (lambda: lax.reduce_window(np.ones(4), 0.0, lax.add, (2,), (1, 1)), TypeError,
     "inconsistent window_strides"),
    (lambda: lax.reduce_window(np.ones(4), 0.0, lax.add, (0,)), TypeError,
     "strictly positive"),
    (lambda: lax.reduce_window(np.ones(4), 0.0, lax.add, (2,), None, "BAD"), RuntimeError,
     "Unrecognized padding"),
])
def test_reduce_window_errors(call, exc, match):
    with pytest.raises(exc, match=match):
        call()
