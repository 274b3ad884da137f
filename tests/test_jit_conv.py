"""jit of dot_general, conv_general_dilated and reduce_window_{sum,max,min} equals
eager: hypothesis-drawn dimension numbers, layouts, paddings (negative too),
strides, dilations, groups, dtypes (bool, int8, uint8, uint32, float16, ... and the
64-bit types under x64), preferred_element_type, NaN/inf, 0-d and empty shapes.

Integer and bool results must be identical; float results may differ from eager by
a few rounding errors of the accumulation (whose order differs from BLAS's), so the
tolerance is relative to the same contraction of the absolute values; max/min
windows are exact."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import tinyjax
from tinyjax import lax
from tinyjax.core.config import enable_x64
from tinyjax.lax import convolution as cv

SETTINGS = settings(max_examples=30, deadline=None)
DTYPES = [np.bool_, np.int8, np.uint8, np.int16, np.int32, np.uint32, np.float16,
          np.float32]
DTYPES64 = [np.int64, np.uint64, np.float64]


def rand(rng, shape, dtype, specials=False):
    return np.asarray(_rand(rng, shape, dtype, specials))


def _rand(rng, shape, dtype, specials):
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.integers(0, 2, shape).astype(bool)
    if dt.kind in "iu":
        info = np.iinfo(dt)
        if rng.random() < 0.5:  # full range: products and sums wrap
            return rng.integers(info.min, info.max, shape, dtype=dt, endpoint=True)
        return rng.integers(max(info.min, -4), min(info.max, 4), shape,
                            endpoint=True).astype(dt)
    x = (rng.standard_normal(shape) * 2).astype(dt)
    if specials and x.size:
        flat = x.reshape(-1)
        for v in (np.nan, np.inf, -np.inf):
            if rng.random() < 0.3:
                flat[rng.integers(0, flat.size)] = v
    return x


def _eps(dt):
    return float(np.finfo(dt).eps)


def check(got, want, bound=None, exact=False):
    """jit result `got` against eager `want`. `bound`: per-element sum of |terms|
    (the scale of the rounding errors of a float accumulation)."""
    got, want = np.asarray(got), np.asarray(want)
    assert got.shape == want.shape, (got.shape, want.shape)
    assert got.dtype == want.dtype, (got.dtype, want.dtype)
    if got.dtype.kind != "f" or exact:
        np.testing.assert_array_equal(got, want)
        return
    g, w = got.astype(np.float64), want.astype(np.float64)
    fin = np.isfinite(w)
    np.testing.assert_array_equal(g[~fin], w[~fin])  # NaN and infinities in place
    if bound is None:
        bound = np.abs(w)
    b = np.broadcast_to(np.abs(np.asarray(bound, np.float64)), w.shape)
    eps = _eps(got.dtype)
    acc_eps = max(_eps(np.float32), eps) if got.dtype != np.float64 else eps
    tol = 2 * eps * np.abs(w[fin]) + 8 * acc_eps * b[fin] + np.finfo(got.dtype).tiny
    err = np.abs(g[fin] - w[fin])
    assert np.all(err <= tol), f"max err {err.max()} (tol {tol[np.argmax(err - tol)]})"


def jit_vs_eager(f, *args):
    want = f(*args)
    got = tinyjax.jit(f)(*args)
    return got, want


def abs_f(x):
    x = np.asarray(x)
    return np.asarray(np.abs(x.astype(np.float64 if x.dtype.itemsize == 8 else np.float32)))


# ============================================================================= dot_general

@st.composite
def dot_problem(draw, max_size=4):
    """Shapes and dimension numbers with any mix of batch/contracting/free dims,
    in arbitrary axis orders."""
    nb, nc = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    nlf, nrf = draw(st.integers(0, 2)), draw(st.integers(0, 2))
    size = st.sampled_from(list(range(1, max_size + 1)) + [0])
    bsz = [draw(size) for _ in range(nb)]
    csz = [draw(size) for _ in range(nc)]
    lf = [draw(size) for _ in range(nlf)]
    rf = [draw(size) for _ in range(nrf)]
    lperm = draw(st.permutations(range(nb + nc + nlf)))
    rperm = draw(st.permutations(range(nb + nc + nrf)))
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


def _check_dot(x, y, dn, preferred=None):
    def f(a, b):
        return lax.dot_general(a, b, dn, preferred_element_type=preferred)
    got, want = jit_vs_eager(f, x, y)
    bound = None
    if np.asarray(want).dtype.kind == "f":
        bound = lax.dot_general(abs_f(x), abs_f(y), dn)
    check(got, want, bound)


@SETTINGS
@given(prob=dot_problem(), dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31))
def test_dot_general(prob, dtype, seed):
    lshape, rshape, dn = prob
    rng = np.random.default_rng(seed)
    _check_dot(rand(rng, lshape, dtype), rand(rng, rshape, dtype), dn)


MIXED = [
    (np.int8, np.int8, np.int32), (np.int8, np.int8, np.float32), (np.uint8, np.uint8, np.int32),
    (np.int8, np.int8, np.uint32), (np.int8, np.int16, None), (np.uint8, np.int8, None),
    (np.uint16, np.int8, None), (np.bool_, np.int8, None), (np.float16, np.float32, None),
    (np.int32, np.float16, None), (np.float16, np.float16, np.float32),
    (np.float32, np.float32, np.int32), (np.float32, np.float32, np.float16),
    (np.bool_, np.bool_, np.int8), (np.bool_, np.bool_, np.uint8), (np.int32, np.int32, np.int8),
    (np.uint32, np.int32, None), (np.float32, np.int8, np.int16), (np.bool_, np.bool_, np.float32),
    (np.float32, np.float32, np.bool_), (np.uint8, np.uint8, np.float16),
]


@SETTINGS
@given(prob=dot_problem(max_size=3), types=st.sampled_from(MIXED), seed=st.integers(0, 2**31))
def test_dot_general_mixed_and_preferred(prob, types, seed):
    lshape, rshape, dn = prob
    lt, rt, pref = types
    rng = np.random.default_rng(seed)
    x, y = rand(rng, lshape, lt), rand(rng, rshape, rt)
    try:
        lax.dot_general(x, y, dn, preferred_element_type=pref)
    except TypeError:  # a combination eager refuses
        return
    _check_dot(x, y, dn, pref)


@settings(max_examples=15, deadline=None)
@given(prob=dot_problem(max_size=3), dtype=st.sampled_from(DTYPES64 + [np.int32, np.float32]),
       pref=st.sampled_from([None, np.int64, np.float64]), seed=st.integers(0, 2**31))
def test_dot_general_x64(prob, dtype, pref, seed):
    lshape, rshape, dn = prob
    rng = np.random.default_rng(seed)
    with enable_x64():
        x, y = rand(rng, lshape, dtype), rand(rng, rshape, dtype)
        try:
            lax.dot_general(x, y, dn, preferred_element_type=pref)
        except TypeError:
            return
        _check_dot(x, y, dn, pref)


@settings(max_examples=20, deadline=None)
@given(prob=dot_problem(max_size=3), dtype=st.sampled_from([np.float16, np.float32]),
       seed=st.integers(0, 2**31))
def test_dot_general_nan_inf(prob, dtype, seed):
    lshape, rshape, dn = prob
    rng = np.random.default_rng(seed)
    _check_dot(rand(rng, lshape, dtype, True), rand(rng, rshape, dtype, True), dn)


@pytest.mark.parametrize("dtype", [np.float32, np.int32, np.bool_, np.float16])
@pytest.mark.parametrize("lshape,rshape,dn", [
    ((), (), (((), ()), ((), ()))),                      # scalar product
    ((), (3, 4), (((), ()), ((), ()))),                  # scalar times a matrix
    ((2, 3), (), (((), ()), ((), ()))),
    ((3, 0), (0, 5), (((1,), (0,)), ((), ()))),          # empty contraction: zeros
    ((0, 4), (4, 5), (((1,), (0,)), ((), ()))),          # empty output
    ((2, 0, 3), (2, 3, 4), (((2,), (1,)), ((0,), (0,)))),
    ((7,), (7,), (((0,), (0,)), ((), ()))),              # vector dot
    ((6, 7), (7,), (((1,), (0,)), ((), ()))),            # matrix-vector
    ((7,), (7, 9), (((0,), (0,)), ((), ()))),            # vector-matrix
    ((9, 7), (13, 7), (((1,), (1,)), ((), ()))),         # a @ b.T
    ((7, 9), (7, 13), (((0,), (0,)), ((), ()))),         # a.T @ b
    ((2, 9, 7), (2, 7, 13), (((2,), (1,)), ((0,), (0,)))),
    ((3, 5), (5, 2, 6), (((1,), (0,)), ((), ()))),       # two rhs free dims
    ((3, 5), (2, 5, 6), (((1,), (1,)), ((), ()))),       # rhs free dims not adjacent
    ((5, 3), (2, 5), (((0,), (1,)), ((), ()))),          # rhs last dim contracting
    ((4, 2, 3), (3, 4, 5), (((0, 2), (1, 0)), ((), ()))),
])
def test_dot_general_shapes(dtype, lshape, rshape, dn):
    rng = np.random.default_rng(0)
    _check_dot(rand(rng, lshape, dtype), rand(rng, rshape, dtype), dn)


def test_dot_general_sizes_around_blocks():
    # the row accumulation works on blocks of 4 rows and 4 contracting positions
    # with remainders: every residue of m and k
    rng = np.random.default_rng(1)
    for m in (1, 3, 4, 5, 8, 11):
        for k in (1, 4, 6, 9):
            x = rand(rng, (m, k), np.int32)
            y = rand(rng, (k, 5), np.int32)
            got = tinyjax.jit(lambda a, b: a @ b)(x, y)
            want = lax.dot_general(x, y, (((1,), (0,)), ((), ())))
            check(got, want)
    x, y = rand(rng, (7, 11), np.float16), rand(rng, (11, 6), np.float16)
    _check_dot(x, y, (((1,), (0,)), ((), ())))


def test_dot_general_float16_accumulates_in_float32():
    # 2048 * 1 + many small terms: a float16 accumulator would lose the small terms
    x = np.full((1, 4097), 0.25, np.float16)
    x[0, 0] = 2048
    y = np.ones((4097, 8), np.float16)
    f = lambda a, b: lax.dot_general(a, b, (((1,), (0,)), ((), ())))
    got, want = jit_vs_eager(f, x, y)
    np.testing.assert_array_equal(np.asarray(got), np.asarray(want))
    assert float(np.asarray(got)[0, 0]) == 3072.0


def test_dot_general_with_fused_operands():
    # transposed / broadcast / converted operands are read through fused readers
    rng = np.random.default_rng(2)
    x = rand(rng, (5, 6), np.float32)
    y = rand(rng, (7, 6), np.float32)
    v = rand(rng, (6,), np.int8)

    def f(x, y, v):
        a = lax.dot_general(x * 2, y.T, (((1,), (0,)), ((), ())))
        b = lax.dot_general(x, lax.broadcast_in_dim(v.astype(np.float32), (6, 4), (0,)),
                            (((1,), (0,)), ((), ())))
        return a + 1, b
    got, want = jit_vs_eager(f, x, y, v)
    for g, w in zip(got, want):
        check(g, w, bound=np.abs(w) + 100)


# ============================================================================= conv

@st.composite
def conv_problem(draw, dtypes=DTYPES):
    nsp = draw(st.integers(0, 2))
    nd = nsp + 2
    G = draw(st.integers(1, 2))
    B = 1 if G > 1 else draw(st.integers(1, 2))
    small = st.sampled_from([1, 2, 3, 0])   # empty sizes now and then
    I = draw(small)
    C = I * G   # with batch groups G == 1
    O = draw(small) * max(G, B)
    N = draw(small) * B
    in_sp = [draw(st.sampled_from([3, 4, 5, 1, 2, 0])) for _ in range(nsp)]
    win = [draw(small) for _ in range(nsp)]
    strides = tuple(draw(st.integers(1, 3)) for _ in range(nsp))
    lhs_dil = tuple(draw(st.integers(1, 3)) for _ in range(nsp))
    rhs_dil = tuple(draw(st.integers(1, 3)) for _ in range(nsp))
    pads = []
    for d, ld in zip(in_sp, lhs_dil):
        dd = 0 if d == 0 else (d - 1) * ld + 1
        lo = draw(st.integers(-2, 3))
        hi = draw(st.integers(-2, 3))
        if dd + lo + hi < 0:
            lo, hi = max(lo, 0), max(hi, 0)
        pads.append((lo, hi))
    lsp = tuple(draw(st.permutations(range(nd))))
    rsp = tuple(draw(st.permutations(range(nd))))
    osp = tuple(draw(st.permutations(range(nd))))
    lshape = [0] * nd
    for j, s in enumerate([N, C] + in_sp):
        lshape[lsp[j]] = s
    rshape = [0] * nd
    for j, s in enumerate([O, I] + win):
        rshape[rsp[j]] = s
    dtype = draw(st.sampled_from(dtypes))
    params = dict(window_strides=strides, padding=tuple(pads), lhs_dilation=lhs_dil,
                  rhs_dilation=rhs_dil,
                  dimension_numbers=cv.ConvDimensionNumbers(lsp, rsp, osp),
                  feature_group_count=G, batch_group_count=B)
    return tuple(lshape), tuple(rshape), dtype, params


def _check_conv(x, w, params, preferred=None, specials=False):
    def f(a, b):
        return lax.conv_general_dilated(a, b, preferred_element_type=preferred, **params)
    got, want = jit_vs_eager(f, x, w)
    bound = None
    if np.asarray(want).dtype.kind == "f":
        bound = lax.conv_general_dilated(abs_f(x), abs_f(w), **params)
    check(got, want, bound)


@settings(max_examples=40, deadline=None)
@given(prob=conv_problem(), seed=st.integers(0, 2**31))
def test_conv_general_dilated(prob, seed):
    lshape, rshape, dtype, params = prob
    rng = np.random.default_rng(seed)
    _check_conv(rand(rng, lshape, dtype), rand(rng, rshape, dtype), params)


@settings(max_examples=20, deadline=None)
@given(prob=conv_problem(dtypes=[np.int8, np.uint8, np.int16, np.float16, np.float32,
                                 np.bool_]),
       pref=st.sampled_from([np.int32, np.uint32, np.float32, np.int16]),
       seed=st.integers(0, 2**31))
def test_conv_preferred_element_type(prob, pref, seed):
    lshape, rshape, dtype, params = prob
    rng = np.random.default_rng(seed)
    x, w = rand(rng, lshape, dtype), rand(rng, rshape, dtype)
    try:
        lax.conv_general_dilated(x, w, preferred_element_type=pref, **params)
    except TypeError:
        return
    _check_conv(x, w, params, pref)


@settings(max_examples=15, deadline=None)
@given(prob=conv_problem(dtypes=[np.float16, np.float32]), seed=st.integers(0, 2**31))
def test_conv_nan_inf(prob, seed):
    # padding is a zero operand: 0 * inf in the kernel is NaN in eager and in jit
    lshape, rshape, dtype, params = prob
    rng = np.random.default_rng(seed)
    _check_conv(rand(rng, lshape, dtype, True), rand(rng, rshape, dtype, True), params)


@settings(max_examples=10, deadline=None)
@given(prob=conv_problem(dtypes=DTYPES64), seed=st.integers(0, 2**31))
def test_conv_x64(prob, seed):
    lshape, rshape, dtype, params = prob
    rng = np.random.default_rng(seed)
    with enable_x64():
        _check_conv(rand(rng, lshape, dtype), rand(rng, rshape, dtype), params)


def test_conv_edge_cases():
    nchw = cv.ConvDimensionNumbers((0, 1, 2), (0, 1, 2), (0, 1, 2))
    base = dict(window_strides=(1,), lhs_dilation=(1,), rhs_dilation=(1,),
                dimension_numbers=nchw, feature_group_count=1, batch_group_count=1)
    # empty spatial input, padded: only padding is read, 0 * inf = NaN
    x = np.zeros((1, 1, 0), np.float32)
    w = np.array([[[np.inf, 1.0]]], np.float32)
    _check_conv(x, w, dict(base, padding=((2, 1),)))
    # no input features / empty window: zeros
    _check_conv(np.ones((2, 0, 3), np.float32), np.ones((3, 0, 2), np.float32),
                dict(base, padding=((1, 1),)))
    _check_conv(np.ones((2, 1, 3), np.int32), np.ones((3, 1, 0), np.int32),
                dict(base, padding=((0, 0),)))
    # negative padding crops
    rng = np.random.default_rng(3)
    _check_conv(rand(rng, (2, 3, 9), np.float32), rand(rng, (4, 3, 2), np.float32),
                dict(base, padding=((-2, -3),), window_strides=(2,)))
    # no spatial dims at all: a matmul
    _check_conv(rand(rng, (3, 4), np.int8), rand(rng, (5, 4), np.int8),
                dict(base, padding=(), window_strides=(), lhs_dilation=(), rhs_dilation=(),
                     dimension_numbers=cv.ConvDimensionNumbers((0, 1), (0, 1), (0, 1))))


def test_conv_nhwc_fused_with_epilogue():
    rng = np.random.default_rng(4)
    x = rand(rng, (2, 8, 8, 3), np.float32)
    w = rand(rng, (3, 3, 3, 5), np.float32)
    b = rand(rng, (5,), np.float32)

    def f(x, w, b):
        y = lax.conv_general_dilated(x, w, (1, 1), "SAME",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC"))
        return lax.max(y + b, 0.0)
    got, want = jit_vs_eager(f, x, w, b)
    bound = lax.conv_general_dilated(np.abs(x), np.abs(w), (1, 1), "SAME",
                                     dimension_numbers=("NHWC", "HWIO", "NHWC")) + np.abs(b)
    check(got, want, bound)


# ============================================================================= reduce_window

PRIMS = {"sum": cv.reduce_window_sum_p, "max": cv.reduce_window_max_p,
         "min": cv.reduce_window_min_p}


@st.composite
def window_problem(draw):
    nd = draw(st.integers(0, 3))
    shape = tuple(draw(st.sampled_from([3, 4, 5, 1, 2, 0])) for _ in range(nd))
    window = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    strides = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    base = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    wdil = tuple(draw(st.integers(1, 3)) for _ in range(nd))
    pads = []
    for d, b in zip(shape, base):
        dd = 0 if d == 0 else (d - 1) * b + 1
        lo, hi = draw(st.integers(-2, 3)), draw(st.integers(-2, 3))
        if dd + lo + hi < 0:
            lo, hi = max(lo, 0), max(hi, 0)
        pads.append((lo, hi))
    params = dict(window_dimensions=window, window_strides=strides, padding=tuple(pads),
                  base_dilation=base, window_dilation=wdil)
    return shape, params


def _check_window(kind, x, params):
    prim = PRIMS[kind]

    def f(a):
        return prim.bind(a, **params)
    got, want = jit_vs_eager(f, x)
    if kind == "sum" and np.asarray(want).dtype.kind == "f":
        check(got, want, prim.bind(abs_f(x), **params))
    else:
        check(got, want, exact=True)


@settings(max_examples=40, deadline=None)
@given(prob=window_problem(), kind=st.sampled_from(["sum", "max", "min"]),
       dtype=st.sampled_from(DTYPES), seed=st.integers(0, 2**31))
def test_reduce_window(prob, kind, dtype, seed):
    shape, params = prob
    if kind == "sum" and dtype == np.bool_:
        dtype = np.int8
    rng = np.random.default_rng(seed)
    _check_window(kind, rand(rng, shape, dtype, specials=True), params)


@settings(max_examples=10, deadline=None)
@given(prob=window_problem(), kind=st.sampled_from(["sum", "max", "min"]),
       dtype=st.sampled_from(DTYPES64), seed=st.integers(0, 2**31))
def test_reduce_window_x64(prob, kind, dtype, seed):
    shape, params = prob
    rng = np.random.default_rng(seed)
    with enable_x64():
        _check_window(kind, rand(rng, shape, dtype, specials=True), params)


@pytest.mark.parametrize("kind", ["sum", "max", "min"])
@pytest.mark.parametrize("dtype", [np.float32, np.int8, np.uint32, np.bool_, np.float16])
def test_reduce_window_edge_cases(kind, dtype):
    if kind == "sum" and dtype == np.bool_:
        return
    one = dict(window_strides=(1,), base_dilation=(1,), window_dilation=(1,))
    # rank 0: the operand is its own window
    _check_window(kind, np.asarray(rand(np.random.default_rng(0), (), dtype)),
                  dict(window_dimensions=(), window_strides=(), padding=(),
                       base_dilation=(), window_dilation=()))
    # empty operand, padded: every window holds only padding (the identity)
    _check_window(kind, np.zeros((0,), dtype), dict(one, window_dimensions=(2,),
                                                    padding=((2, 3),)))
    # empty output
    _check_window(kind, np.ones((2,), dtype), dict(one, window_dimensions=(3,),
                                                   padding=((0, 0),)))
    # windows entirely in the padding, and negative padding
    x = rand(np.random.default_rng(1), (6, 3), dtype)
    _check_window(kind, x, dict(window_dimensions=(2, 1), window_strides=(1, 2),
                                padding=((3, 3), (-1, 2)), base_dilation=(2, 1),
                                window_dilation=(1, 1)))


def test_reduce_window_nan_positions():
    x = np.array([1.0, np.nan, 3.0, -np.inf, np.inf, 2.0], np.float32)
    for kind in ("sum", "max", "min"):
        _check_window(kind, x, dict(window_dimensions=(2,), window_strides=(1,),
                                    padding=((1, 1),), base_dilation=(1,),
                                    window_dilation=(1,)))


def test_reduce_window_fused_pooling():
    # max pool of relu(x) and average pool through the public API
    rng = np.random.default_rng(5)
    x = rand(rng, (2, 9, 9, 3), np.float32)

    def f(x):
        m = lax.reduce_window(lax.max(x, 0.0), -np.inf, lax.max, (1, 3, 3, 1), (1, 2, 2, 1),
                              "SAME")
        s = lax.reduce_window(x * 2, 0.0, lax.add, (1, 2, 2, 1), (1, 2, 2, 1), "VALID")
        return m, s / 4
    got, want = jit_vs_eager(f, x)
    check(got[0], want[0], exact=True)
    check(got[1], want[1], bound=np.abs(want[1]) + 10)
