"""One table of every lax primitive: how to call it, on which inputs, and an
independent NumPy reference. It drives the eager-vs-NumPy property tests now, and
the JVP/VJP, vmap and jit checks of later milestones: a new primitive gets all of
them by adding one row.
"""
from __future__ import annotations

import dataclasses
import math
from typing import Callable

import numpy as np
from scipy import special as sp

from tinyjax import lax

FLOATS = ("float16", "float32")
INTS = ("int8", "int16", "int32", "uint8", "uint16", "uint32")
SIGNED = ("int8", "int16", "int32")
BOOL = ("bool",)
NUMERIC = FLOATS + INTS
ALL = NUMERIC + BOOL


@dataclasses.dataclass(frozen=True)
class Arg:
    """One operand: allowed dtypes and value domain."""

    dtypes: tuple
    domain: str = "any"  # any | real | positive | unit | open_unit | ge1 | nonzero | small_int
    # | shift | index
    shape: str = "elementwise"  # elementwise | scalar | same


@dataclasses.dataclass(frozen=True)
class Case:
    name: str  # the primitive's name (primitive.name)
    fun: Callable  # tinyjax call on arrays
    ref: Callable  # NumPy reference on numpy arrays (float64 for floats)
    args: tuple
    rtol: float = 1e-6  # for float32; float16 uses max(rtol, 2e-3)
    atol: float = 0.0
    same_dtype: bool = True  # all operands share one dtype (drawn once)
    shapes: Callable | None = None  # custom: rng -> list of shapes
    params: dict = dataclasses.field(default_factory=dict)
    exact: bool = False  # integer-valued results compared exactly
    note: str = ""


def _ref_int_div(x, y):
    if x.dtype.kind == "f":
        return x / y
    with np.errstate(all="ignore"):
        q = np.trunc(x.astype(np.float64) / np.where(y == 0, 1, y).astype(np.float64))
    q = np.where(y == 0, -1 if x.dtype.kind == "i" else np.iinfo(x.dtype).max, q)
    return q.astype(np.int64).astype(x.dtype) if x.dtype.kind == "i" else q.astype(x.dtype)


def _ref_rem(x, y):
    if x.dtype.kind == "f":
        return np.fmod(x, y)
    safe = np.where(y == 0, 1, y)
    r = np.fmod(x.astype(np.int64), safe.astype(np.int64))
    return np.where(y == 0, x, r).astype(x.dtype)


def _ref_round(x):
    return np.where(x >= 0, np.floor(x + 0.5), np.ceil(x - 0.5)) if x.dtype.kind == "f" else x


def _ref_logistic(x):
    return sp.expit(x)


def _ref_shift_left(x, y):
    nbits = x.dtype.itemsize * 8
    out = np.left_shift(x.astype(np.int64), np.clip(y, 0, 63).astype(np.int64))
    out = np.where((y < 0) | (y >= nbits), 0, out)
    return out.astype(np.uint64).astype(x.dtype) if x.dtype.kind == "u" else \
        (out & ((1 << nbits) - 1)).astype(np.uint64).astype(f"u{x.dtype.itemsize}").view(x.dtype)


def _ref_shift_right_logical(x, y):
    nbits = x.dtype.itemsize * 8
    u = x.view(f"u{x.dtype.itemsize}").astype(np.uint64)
    out = u >> np.clip(y, 0, 63).astype(np.uint64)
    out = np.where((y < 0) | (y >= nbits), 0, out)
    return out.astype(f"u{x.dtype.itemsize}").view(x.dtype)


def _ref_shift_right_arithmetic(x, y):
    nbits = x.dtype.itemsize * 8
    s = x.view(f"i{x.dtype.itemsize}").astype(np.int64)
    sh = np.where((y < 0) | (y >= nbits), nbits - 1, y).astype(np.int64)
    return (s >> sh).astype(f"i{x.dtype.itemsize}").view(x.dtype)


def _ref_popcount(x):
    u = x.view(f"u{x.dtype.itemsize}")
    return np.array([bin(int(v)).count("1") for v in u.ravel()], np.int64).reshape(
        x.shape).astype(x.dtype)


def _ref_clz(x):
    nbits = x.dtype.itemsize * 8
    u = x.view(f"u{x.dtype.itemsize}")
    return np.array([nbits - int(v).bit_length() for v in u.ravel()], np.int64).reshape(
        x.shape).astype(x.dtype)


def _ref_convert(x, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return x != 0
    if x.dtype.kind == "f" and dtype.kind in "iu":
        info = np.iinfo(dtype)
        t = np.trunc(np.nan_to_num(x.astype(np.float64), nan=0.0))
        return np.clip(t, info.min, info.max).astype(dtype)
    return x.astype(dtype)


def _convert_target(x):
    # float -> int32 (truncation, saturation, NaN), everything else -> float32
    return np.dtype(np.int32) if x.dtype.kind == "f" else np.dtype(np.float32)


def _ref_digamma(x):
    out = sp.psi(x)
    return np.where((x <= 0) & (x == np.floor(x)), np.nan, out)


def _unary(name, fn, ref, dtypes=FLOATS, domain="any", **kw):
    return Case(name, fn, ref, (Arg(dtypes, domain),), **kw)


def _binary(name, fn, ref, dtypes=FLOATS, domains=("any", "any"), **kw):
    return Case(name, fn, ref, (Arg(dtypes, domains[0]), Arg(dtypes, domains[1])), **kw)


ELEMENTWISE = [
    _unary("neg", lax.neg, np.negative, NUMERIC, exact=True),
    _unary("stop_gradient", lax.stop_gradient, lambda x: x, exact=True),
    _unary("abs", lax.abs, np.abs, NUMERIC, exact=True),
    _unary("sign", lax.sign, np.sign, NUMERIC, exact=True),
    _unary("floor", lax.floor, np.floor, exact=True),
    _unary("ceil", lax.ceil, np.ceil, exact=True),
    _unary("round", lax.round, _ref_round, exact=True),
    _unary("is_finite", lax.is_finite, np.isfinite, exact=True),
    _unary("exp", lax.exp, np.exp, rtol=2e-6),
    _unary("exp2", lax.exp2, np.exp2, rtol=2e-6),
    _unary("expm1", lax.expm1, np.expm1, rtol=2e-6),
    _unary("log", lax.log, np.log, domain="positive"),
    _unary("log1p", lax.log1p, np.log1p, domain="positive"),
    _unary("sqrt", lax.sqrt, np.sqrt, domain="positive"),
    _unary("rsqrt", lax.rsqrt, lambda x: 1 / np.sqrt(x), domain="positive", rtol=2e-6),
    _unary("cbrt", lax.cbrt, np.cbrt),
    _unary("sin", lax.sin, np.sin, domain="real", atol=1e-6),
    _unary("cos", lax.cos, np.cos, domain="real", atol=1e-6),
    _unary("tan", lax.tan, np.tan, domain="unit", rtol=2e-6),
    _unary("asin", lax.asin, np.arcsin, domain="unit"),
    _unary("acos", lax.acos, np.arccos, domain="unit"),
    _unary("atan", lax.atan, np.arctan),
    _unary("sinh", lax.sinh, np.sinh, domain="real", rtol=2e-6),
    _unary("cosh", lax.cosh, np.cosh, domain="real", rtol=2e-6),
    _unary("tanh", lax.tanh, np.tanh, atol=1e-7),
    _unary("asinh", lax.asinh, np.arcsinh, rtol=2e-6),
    _unary("acosh", lax.acosh, np.arccosh, domain="ge1", rtol=2e-6),
    _unary("atanh", lax.atanh, np.arctanh, domain="open_unit", rtol=2e-6),
    _unary("logistic", lax.logistic, _ref_logistic, rtol=2e-6, atol=1e-7),
    _unary("erf", lax.erf, sp.erf, rtol=2e-6, atol=1e-7),
    _unary("erfc", lax.erfc, sp.erfc, domain="real", rtol=1e-5),
    _unary("erf_inv", lax.erf_inv, sp.erfinv, domain="open_unit", rtol=1e-5),
    _unary("lgamma", lax.lgamma, sp.gammaln, domain="positive", rtol=1e-5, atol=1e-6),
    _unary("digamma", lax.digamma, _ref_digamma, domain="positive", rtol=1e-5, atol=1e-6),
    _unary("bessel_i0e", lax.bessel_i0e, sp.i0e, domain="real", rtol=1e-5),
    _unary("bessel_i1e", lax.bessel_i1e, sp.i1e, domain="real", rtol=1e-5, atol=1e-7),
    _unary("square", lax.square, np.square, NUMERIC, domain="real", exact=True),
    _unary("not", lax.bitwise_not, lambda x: ~x, INTS + BOOL, exact=True),
    _unary("population_count", lax.population_count, _ref_popcount, INTS, exact=True),
    _unary("clz", lax.clz, _ref_clz, INTS, exact=True),
    _unary("integer_pow", lambda x: lax.integer_pow(x, 3), lambda x: x.astype(np.float64) ** 3
           if x.dtype.kind == "f" else x ** 3, NUMERIC, domain="real", rtol=2e-6, exact=False),
    _binary("add", lax.add, np.add, NUMERIC, exact=True),
    _binary("sub", lax.sub, np.subtract, NUMERIC, exact=True),
    _binary("mul", lax.mul, np.multiply, NUMERIC, exact=True),
    _binary("div", lax.div, _ref_int_div, NUMERIC, domains=("any", "nonzero"), rtol=2e-6),
    _binary("rem", lax.rem, _ref_rem, NUMERIC, domains=("real", "nonzero"), rtol=1e-5, atol=1e-5),
    _binary("max", lax.max, np.maximum, ALL, exact=True),
    _binary("min", lax.min, np.minimum, ALL, exact=True),
    _binary("pow", lax.pow, np.power, domains=("positive", "real"), rtol=1e-5),
    _binary("atan2", lax.atan2, np.arctan2, rtol=2e-6),
    _binary("nextafter", lax.nextafter, np.nextafter, exact=True),
    _binary("and", lax.bitwise_and, np.bitwise_and, INTS + BOOL, exact=True),
    _binary("or", lax.bitwise_or, np.bitwise_or, INTS + BOOL, exact=True),
    _binary("xor", lax.bitwise_xor, np.bitwise_xor, INTS + BOOL, exact=True),
    _binary("shift_left", lax.shift_left, _ref_shift_left, INTS, domains=("any", "shift"),
            exact=True),
    _binary("shift_right_logical", lax.shift_right_logical, _ref_shift_right_logical, INTS,
            domains=("any", "shift"), exact=True),
    _binary("shift_right_arithmetic", lax.shift_right_arithmetic, _ref_shift_right_arithmetic,
            INTS, domains=("any", "shift"), exact=True),
    _binary("igamma", lax.igamma, sp.gammainc, domains=("positive", "positive"), rtol=1e-4,
            atol=1e-6),
    _binary("igammac", lax.igammac, sp.gammaincc, domains=("positive", "positive"), rtol=1e-4,
            atol=1e-6),
    _binary("zeta", lax.zeta, sp.zeta, domains=("ge1", "positive"), rtol=1e-4),
    _binary("polygamma", lax.polygamma,
            lambda n, x: sp.polygamma(np.round(n), x), domains=("small_int", "positive"),
            rtol=1e-4, atol=1e-5),
    _binary("eq", lax.eq, np.equal, ALL, exact=True),
    _binary("ne", lax.ne, np.not_equal, ALL, exact=True),
    _binary("lt", lax.lt, np.less, ALL, exact=True),
    _binary("le", lax.le, np.less_equal, ALL, exact=True),
    _binary("gt", lax.gt, np.greater, ALL, exact=True),
    _binary("ge", lax.ge, np.greater_equal, ALL, exact=True),
    Case("regularized_incomplete_beta", lax.betainc, sp.betainc,
         (Arg(FLOATS, "positive"), Arg(FLOATS, "positive"), Arg(FLOATS, "open01")),
         rtol=1e-4, atol=1e-6),
    Case("select_n", lambda p, a, b: lax.select_n(p, a, b), lambda p, a, b: np.where(p, b, a),
         (Arg(BOOL, "any", "same"), Arg(ALL, "any", "same"), Arg(ALL, "any", "same")),
         same_dtype=False, exact=True),
    Case("clamp", lambda x: lax.clamp(np.asarray(-0.5, x.dtype), x, np.asarray(0.5, x.dtype)),
         lambda x: np.clip(x, -0.5, 0.5), (Arg(FLOATS, "real"),), exact=True),
    Case("convert_element_type",
         lambda x: lax.convert_element_type(x, _convert_target(x)),
         lambda x: _ref_convert(x, _convert_target(x)),
         (Arg(ALL),), exact=True),
    Case("bitcast_convert_type",
         lambda x: lax.bitcast_convert_type(x, np.dtype(f"u{x.dtype.itemsize}")),
         lambda x: x.view(f"u{x.dtype.itemsize}"), (Arg(NUMERIC),), exact=True),
    Case("reduce_precision", lambda x: lax.reduce_precision(x, 5, 10),
         lambda x: x.astype(np.float16).astype(x.dtype), (Arg(("float32",), "real"),),
         exact=True),
]


# ----------------------------------------------------------------------------- helpers for
# structured primitives: shapes are drawn by `shapes(rng)`, parameters derived from them.

def _pick(rng, options):
    return options[rng.integers(len(options))]


def _nd_shapes(*options):
    return lambda rng: [_pick(rng, options)]


def _axes(x):
    return tuple(range(0, x.ndim, 2))


def _identity(kind, dtype):
    dtype = np.dtype(dtype)
    if dtype == np.bool_:
        return kind == "min"
    if dtype.kind == "f":
        return -np.inf if kind == "max" else np.inf
    info = np.iinfo(dtype)
    return info.min if kind == "max" else info.max


def _ref_reduce(np_fn, kind=None):
    def ref(x):
        axes = _axes(x)
        if kind is not None:
            return np_fn(x, axis=axes, initial=_identity(kind, x.dtype))
        if x.dtype.kind in "iu":
            return np_fn(x, axis=axes, dtype=x.dtype)
        return np_fn(x, axis=axes)
    return ref


def _ref_top_k(x, k=2):
    def key(v):
        v = float(v) if x.dtype.kind == "f" else int(v)
        if x.dtype.kind == "f":
            return (1, 0.0, 0) if math.isnan(v) else (0, v, 0 if math.copysign(1, v) < 0 else 1)
        return (0, v, 0)
    rows = x.reshape(-1, x.shape[-1])
    vals, idxs = [], []
    for r in rows:
        order = sorted(range(len(r)), key=lambda i: (tuple(-t for t in key(r[i])), i))[:k]
        vals.append(r[order])
        idxs.append(order)
    shape = x.shape[:-1] + (k,)
    return np.array(vals, x.dtype).reshape(shape), np.array(idxs, np.int32).reshape(shape)


def _ref_pad(x, value, config):
    for ax, (lo, hi, interior) in enumerate(config):
        n = x.shape[ax]
        size = n + max(n - 1, 0) * interior
        full = np.full(x.shape[:ax] + (size,) + x.shape[ax + 1:], value, x.dtype)
        idx = [slice(None)] * x.ndim
        idx[ax] = slice(0, size, interior + 1)
        full[tuple(idx)] = x
        x = full
        x = np.concatenate([np.full(x.shape[:ax] + (max(lo, 0),) + x.shape[ax + 1:], value,
                                    x.dtype), x,
                            np.full(x.shape[:ax] + (max(hi, 0),) + x.shape[ax + 1:], value,
                                    x.dtype)], axis=ax)
        idx = [slice(None)] * x.ndim
        idx[ax] = slice(-lo if lo < 0 else 0, x.shape[ax] + hi if hi < 0 else x.shape[ax])
        x = x[tuple(idx)]
    return x


def _pad_config(x):
    return tuple((1, -1 if d > 1 else 0, 1 if d > 2 else 0) for d in x.shape)


def _gather_rows(x, idx):
    dn = lax.GatherDimensionNumbers(offset_dims=tuple(range(1, x.ndim)), collapsed_slice_dims=(0,),
                                    start_index_map=(0,))
    return lax.gather(x, idx[:, None], dn, (1,) + tuple(x.shape[1:]),
                      mode=lax.GatherScatterMode.CLIP)


def _scatter_rows(fn):
    def f(x, idx, upd):
        dn = lax.ScatterDimensionNumbers(update_window_dims=tuple(range(1, x.ndim)),
                                         inserted_window_dims=(0,),
                                         scatter_dims_to_operand_dims=(0,))
        return fn(x, idx[:, None], upd, dn, mode=lax.GatherScatterMode.FILL_OR_DROP)
    return f


def _ref_scatter(np_ufunc):
    def ref(x, idx, upd):
        out = x.copy()
        ok = (idx >= 0) & (idx < x.shape[0])
        if np_ufunc is None:
            for i, u in zip(idx[ok], upd[ok]):
                out[i] = u
        else:
            np_ufunc.at(out, idx[ok], upd[ok])
        return out
    return ref


def _scatter_shapes(rng):
    base = _pick(rng, [(5,), (4, 3), (3, 2, 2)])
    n = int(rng.integers(0, 6))
    return [base, (n,), (n,) + base[1:]]


def _ref_matmul(a, b):
    if a.dtype.kind in "iu":
        return (a.astype(np.int64) @ b.astype(np.int64)).astype(a.dtype)
    return a.astype(np.float64) @ b.astype(np.float64)


def _ref_conv(lhs, rhs):
    # NCHW x OIHW, stride 1, SAME padding, by an explicit sum over the window
    n, c, h, w = lhs.shape
    o, _, kh, kw = rhs.shape
    ph, pw = (kh - 1) // 2, (kw - 1) // 2
    xp = np.pad(lhs.astype(np.float64), ((0, 0), (0, 0), (ph, kh - 1 - ph), (pw, kw - 1 - pw)))
    out = np.zeros((n, o, h, w))
    for i in range(kh):
        for j in range(kw):
            out += np.einsum("nchw,oc->nohw", xp[:, :, i:i + h, j:j + w],
                             rhs[:, :, i, j].astype(np.float64))
    return out


def _ref_window(np_fn):
    def ref(x):
        v = np.lib.stride_tricks.sliding_window_view(x, (2, 2))
        return np_fn(v, axis=(-2, -1))
    return ref


def _spd(x):
    # a symmetric positive-definite matrix built from any square input
    a = lax.dot_general(x, x, (((x.ndim - 1,), (x.ndim - 1,)), ((), ()))) if x.ndim == 2 else \
        lax.dot_general(x, x, (((2,), (2,)), ((0,), (0,))))
    n = x.shape[-1]
    eye = lax.broadcast_in_dim(lax.convert_element_type(
        lax.eq(lax.broadcasted_iota(np.int32, (n, n), 0),
               lax.broadcasted_iota(np.int32, (n, n), 1)), x.dtype), a.shape,
        (a.ndim - 2, a.ndim - 1))
    return lax.add(a, lax.mul(eye, lax.full_like(eye, n)))


def _np_spd(x):
    x = x.astype(np.float64)
    return x @ np.swapaxes(x, -1, -2) + x.shape[-1] * np.eye(x.shape[-1])


def _mm(a, b):
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 2,)),
                                  (tuple(range(a.ndim - 2)), tuple(range(b.ndim - 2)))))


def _mT(a):
    return lax.transpose(a, tuple(range(a.ndim - 2)) + (a.ndim - 1, a.ndim - 2))


def _square_shapes(rng):
    return [_pick(rng, [(3, 3), (2, 4, 4), (1, 1)])]


def _eye_like(x, n):
    return np.broadcast_to(np.eye(n), x.shape[:-2] + (n, n))


def _lu_reconstruct(x):
    lu_, piv, perm = lax.linalg.lu(x)
    n = x.shape[-1]
    lower = lax.add(_tri(lu_, -1, True), lax.broadcast_in_dim(_eye(n, x.dtype), lu_.shape,
                                                              (x.ndim - 2, x.ndim - 1)))
    upper = _tri(lu_, 0, False)
    pa = lax.convert_element_type(perm, np.int32)
    return _mm(lower, upper), pa


def _tri(x, k, lower):
    n, m = x.shape[-2:]
    r = lax.broadcasted_iota(np.int32, (n, m), 0)
    c = lax.broadcasted_iota(np.int32, (n, m), 1)
    d = lax.sub(c, r)
    mask = lax.le(d, lax.full_like(d, k)) if lower else lax.ge(d, lax.full_like(d, k))
    mask = lax.broadcast_in_dim(mask, x.shape, (x.ndim - 2, x.ndim - 1))
    return lax.select(mask, x, lax.full_like(x, 0))


def _eye(n, dtype):
    return lax.convert_element_type(lax.eq(lax.broadcasted_iota(np.int32, (n, n), 0),
                                           lax.broadcasted_iota(np.int32, (n, n), 1)), dtype)


def _ref_lu(x):
    import scipy.linalg as sla
    xs = x.astype(np.float64).reshape((-1,) + x.shape[-2:])
    recon, perms = [], []
    for a in xs:
        p, lo, up = sla.lu(a)
        perm = np.argmax(p.T, axis=1)
        recon.append(a[perm])
        perms.append(perm)
    return (np.array(recon).reshape(x.shape), np.array(perms, np.int32).reshape(x.shape[:-1]))


def _clamp_start(i, n, size):
    # JAX: a negative start counts from the end (once), then the window is clamped in range
    i = int(i)
    i = i + n if i < 0 else i
    return int(np.clip(i, 0, n - size))


def _ref_pivots_to_perm(piv):
    perm = np.arange(6, dtype=np.int32)
    for i, p in enumerate(piv):
        perm[i], perm[p] = perm[p], perm[i]
    return perm



def _ref_dus(x, u, i):
    out = x.copy()
    s = _clamp_start(i, x.shape[0], u.shape[0])
    out[s:s + u.shape[0]] = u
    return out


F32 = ("float32",)

STRUCTURED = [
    # reductions
    Case("reduce_sum", lambda x: lax.reduce_sum(x, _axes(x)), _ref_reduce(np.sum),
         (Arg(NUMERIC, "real"),), rtol=1e-5, atol=1e-4),
    Case("reduce_prod", lambda x: lax.reduce_prod(x, _axes(x)), _ref_reduce(np.prod),
         (Arg(NUMERIC, "unit"),), rtol=1e-5, atol=1e-6),
    Case("reduce_max", lambda x: lax.reduce_max(x, _axes(x)), _ref_reduce(np.max, "max"),
         (Arg(ALL),), exact=True),
    Case("reduce_min", lambda x: lax.reduce_min(x, _axes(x)), _ref_reduce(np.min, "min"),
         (Arg(ALL),), exact=True),
    Case("reduce_and", lambda x: lax.reduce_and(x, _axes(x)),
         lambda x: np.bitwise_and.reduce(x, axis=_axes(x)), (Arg(INTS + BOOL),), exact=True),
    Case("reduce_or", lambda x: lax.reduce_or(x, _axes(x)),
         lambda x: np.bitwise_or.reduce(x, axis=_axes(x)), (Arg(INTS + BOOL),), exact=True),
    Case("reduce_xor", lambda x: lax.reduce_xor(x, _axes(x)),
         lambda x: np.bitwise_xor.reduce(x, axis=_axes(x)), (Arg(INTS + BOOL),), exact=True),
    Case("argmax", lambda x: lax.argmax(x, 0, np.int32), lambda x: np.argmax(x, 0).astype(np.int32),
         (Arg(NUMERIC),), shapes=_nd_shapes((5,), (3, 4), (1,), (2, 3, 2)), exact=True),
    Case("argmin", lambda x: lax.argmin(x, 0, np.int32), lambda x: np.argmin(x, 0).astype(np.int32),
         (Arg(NUMERIC),), shapes=_nd_shapes((5,), (3, 4), (1,), (2, 3, 2)), exact=True),
    Case("cumsum", lambda x: lax.cumsum(x, 0), lambda x: np.cumsum(x, 0, dtype=x.dtype),
         (Arg(NUMERIC, "real"),), shapes=_nd_shapes((5,), (3, 4), (0,), (2, 0)), rtol=1e-5,
         atol=1e-4),
    Case("cumprod", lambda x: lax.cumprod(x, 0), lambda x: np.cumprod(x, 0, dtype=x.dtype),
         (Arg(NUMERIC, "unit"),), shapes=_nd_shapes((5,), (3, 4), (0,)), rtol=1e-5, atol=1e-6),
    Case("cummax", lambda x: lax.cummax(x, 0), lambda x: np.maximum.accumulate(x, 0),
         (Arg(NUMERIC),), shapes=_nd_shapes((5,), (3, 4), (0,)), exact=True),
    Case("cummin", lambda x: lax.cummin(x, 0), lambda x: np.minimum.accumulate(x, 0),
         (Arg(NUMERIC),), shapes=_nd_shapes((5,), (3, 4), (0,)), exact=True),
    Case("cumlogsumexp", lambda x: lax.cumlogsumexp(x, 0),
         lambda x: np.logaddexp.accumulate(x, 0), (Arg(FLOATS, "real"),),
         shapes=_nd_shapes((5,), (3, 4), (0,)), rtol=1e-5, atol=1e-5),
    Case("sort", lambda x: lax.sort(x), lambda x: np.sort(x, -1), (Arg(ALL),),
         shapes=_nd_shapes((5,), (3, 4), (0,), (2, 1, 3)), exact=True),
    Case("top_k", lambda x: lax.top_k(x, 2), _ref_top_k, (Arg(NUMERIC),),
         shapes=_nd_shapes((5,), (3, 4), (2, 2)), exact=True),
    # shapes
    Case("broadcast_in_dim", lambda x: lax.broadcast_in_dim(x, (2,) + x.shape,
                                                            tuple(range(1, x.ndim + 1))),
         lambda x: np.broadcast_to(x, (2,) + x.shape), (Arg(ALL),), exact=True),
    Case("reshape", lambda x: lax.reshape(x, (x.size, 1)), lambda x: x.reshape(-1, 1),
         (Arg(ALL),), exact=True),
    Case("squeeze", lambda x: lax.squeeze(x, tuple(i for i, d in enumerate(x.shape) if d == 1)),
         lambda x: np.squeeze(x), (Arg(ALL),), shapes=_nd_shapes((3, 1, 2), (1,), (1, 1), (0, 1)),
         exact=True),
    Case("transpose", lambda x: lax.transpose(x, tuple(reversed(range(x.ndim)))),
         lambda x: np.transpose(x), (Arg(ALL),), shapes=_nd_shapes((2, 3), (3, 1, 2), (0, 2)),
         exact=True),
    Case("rev", lambda x: lax.rev(x, tuple(range(x.ndim))), lambda x: np.flip(x), (Arg(ALL),),
         exact=True),
    Case("pad", lambda x: lax.pad(x, np.zeros((), x.dtype), _pad_config(x)),
         lambda x: _ref_pad(x, 0, _pad_config(x)), (Arg(ALL),), exact=True),
    Case("concatenate", lambda x, y: lax.concatenate([x, y, x], 0),
         lambda x, y: np.concatenate([x, y, x], 0), (Arg(ALL, "any", "same"), Arg(ALL)),
         shapes=lambda rng: [(3, 2), (_pick(rng, [0, 1, 4]), 2)], exact=True),
    Case("iota", lambda x: lax.add(x, lax.broadcasted_iota(x.dtype, x.shape, 0)),
         lambda x: x + np.arange(x.shape[0], dtype=x.dtype).reshape((-1,) + (1,) * (x.ndim - 1)),
         (Arg(NUMERIC, "small_int"),), shapes=_nd_shapes((5,), (3, 4), (0, 2)), exact=True),
    # indexing
    Case("slice", lambda x: lax.slice(x, (1,) * x.ndim, x.shape, (2,) * x.ndim),
         lambda x: x[(slice(1, None, 2),) * x.ndim], (Arg(ALL),),
         shapes=_nd_shapes((5,), (3, 4), (1,), (2, 3, 4)), exact=True),
    Case("dynamic_slice", lambda x, i: lax.dynamic_slice(x, (i,) + (np.int32(0),) * (x.ndim - 1),
                                                          (2,) + x.shape[1:]),
         lambda x, i: x[_clamp_start(i, x.shape[0], 2):][:2],
         (Arg(ALL), Arg(("int32",), "index")), same_dtype=False,
         shapes=lambda rng: [_pick(rng, [(5,), (4, 3)]), ()], exact=True),
    Case("dynamic_update_slice",
         lambda x, u, i: lax.dynamic_update_slice(x, u, (i,) + (np.int32(0),) * (x.ndim - 1)),
         lambda x, u, i: _ref_dus(x, u, i), (Arg(ALL), Arg(ALL), Arg(("int32",), "index")),
         same_dtype=False, shapes=lambda rng: [(5, 2), (2, 2), ()], exact=True),
    Case("gather", _gather_rows, lambda x, i: x[np.clip(i, 0, x.shape[0] - 1)],
         (Arg(ALL), Arg(("int32",), "index")), same_dtype=False,
         shapes=lambda rng: [_pick(rng, [(5,), (4, 3)]), (int(rng.integers(0, 6)),)], exact=True),
    Case("scatter", _scatter_rows(lax.scatter), _ref_scatter(None),
         (Arg(ALL), Arg(("int32",), "index"), Arg(ALL)), same_dtype=False,
         shapes=_scatter_shapes, exact=True),
    Case("scatter-add", _scatter_rows(lax.scatter_add), _ref_scatter(np.add),
         (Arg(NUMERIC, "small_int"), Arg(("int32",), "index"), Arg(NUMERIC, "small_int")),
         same_dtype=False, shapes=_scatter_shapes, exact=True),
    Case("scatter-sub", _scatter_rows(lax.scatter_sub), _ref_scatter(np.subtract),
         (Arg(NUMERIC, "small_int"), Arg(("int32",), "index"), Arg(NUMERIC, "small_int")),
         same_dtype=False, shapes=_scatter_shapes, exact=True),
    Case("scatter-mul", _scatter_rows(lax.scatter_mul), _ref_scatter(np.multiply),
         (Arg(NUMERIC, "small_int"), Arg(("int32",), "index"), Arg(NUMERIC, "small_int")),
         same_dtype=False, shapes=_scatter_shapes, exact=True),
    Case("scatter-min", _scatter_rows(lax.scatter_min), _ref_scatter(np.minimum),
         (Arg(NUMERIC), Arg(("int32",), "index"), Arg(NUMERIC)), same_dtype=False,
         shapes=_scatter_shapes, exact=True),
    Case("scatter-max", _scatter_rows(lax.scatter_max), _ref_scatter(np.maximum),
         (Arg(NUMERIC), Arg(("int32",), "index"), Arg(NUMERIC)), same_dtype=False,
         shapes=_scatter_shapes, exact=True),
    # dot, convolution, windows
    Case("dot_general", lambda a, b: lax.dot_general(a, b, (((1,), (0,)), ((), ()))), _ref_matmul,
         (Arg(NUMERIC, "real"), Arg(NUMERIC, "real")),
         shapes=lambda rng: (lambda m, k, n: [(m, k), (k, n)])(*rng.integers(0, 5, size=3)),
         rtol=1e-5, atol=1e-4),
    Case("conv_general_dilated",
         lambda x, w: lax.conv_general_dilated(x, w, (1, 1), "SAME"), _ref_conv,
         (Arg(FLOATS, "real"), Arg(FLOATS, "real")),
         shapes=lambda rng: [(2, 3, 5, 4), (4, 3, int(rng.integers(1, 4)), 3)], rtol=1e-5,
         atol=1e-4),
    Case("reduce_window_sum", lambda x: lax.reduce_window(x, np.zeros((), x.dtype), lax.add,
                                                          (2, 2), (1, 1), "VALID"),
         _ref_window(np.sum), (Arg(FLOATS + SIGNED, "small_int"),),
         shapes=_nd_shapes((3, 4), (2, 2), (5, 3)), exact=True),
    Case("reduce_window_max", lambda x: lax.reduce_window(x, np.asarray(_identity(
        "max", x.dtype), x.dtype), lax.max, (2, 2), (1, 1), "VALID"),
         _ref_window(np.max), (Arg(NUMERIC),), shapes=_nd_shapes((3, 4), (2, 2)), exact=True),
    Case("reduce_window_min", lambda x: lax.reduce_window(x, np.asarray(_identity(
        "min", x.dtype), x.dtype), lax.min, (2, 2), (1, 1), "VALID"),
         _ref_window(np.min), (Arg(NUMERIC),), shapes=_nd_shapes((3, 4), (2, 2)), exact=True),
    # linear algebra: checked through identities (conventions such as signs are free)
    Case("cholesky", lambda x: (lambda c: (_mm(c, _mT(c)), _tri(c, 1, False)))(
        lax.linalg.cholesky(_spd(x))),
         lambda x: (_np_spd(x), np.zeros(x.shape)), (Arg(F32, "real"),), shapes=_square_shapes,
         rtol=1e-4, atol=1e-4),
    Case("triangular_solve", lambda a, b: _mm(_tri(_spd(a), 0, True), lax.linalg.triangular_solve(
        _tri(_spd(a), 0, True), b, left_side=True, lower=True)), lambda a, b: b,
         (Arg(F32, "real"), Arg(F32, "real")),
         shapes=lambda rng: [(3, 3), (3, int(rng.integers(1, 4)))], rtol=1e-4, atol=1e-4),
    Case("lu", _lu_reconstruct, _ref_lu, (Arg(F32, "real"),), shapes=_square_shapes,
         rtol=1e-4, atol=1e-4),
    Case("qr", lambda x: (lambda q, r: (_mm(q, r), _mm(_mT(q), q), _tri(r, -1, True)))(
        *lax.linalg.qr(x)), lambda x: (x, _eye_like(x, x.shape[-2]), np.zeros(x.shape)),
         (Arg(F32, "real"),), shapes=_square_shapes, rtol=1e-4, atol=1e-4),
    Case("eigh", lambda x: (lambda v, w: (_mm(lax.mul(v, lax.broadcast_in_dim(
        w, v.shape, tuple(range(v.ndim - 2)) + (v.ndim - 1,))), _mT(v)), w))(
        *lax.linalg.eigh(_spd(x))),
         lambda x: (_np_spd(x), np.linalg.eigvalsh(_np_spd(x))), (Arg(F32, "real"),),
         shapes=_square_shapes, rtol=1e-4, atol=1e-3),
    Case("lu_pivots_to_permutation",
         lambda p: lax.linalg.lu_pivots_to_permutation(p, 6), _ref_pivots_to_perm,
         (Arg(("int32",), "pivot"),), shapes=lambda rng: [(int(rng.integers(0, 7)),)], exact=True),
    Case("svd", lambda x: lax.linalg.svd(x, full_matrices=False, compute_uv=False),
         lambda x: np.linalg.svd(x.astype(np.float64), compute_uv=False), (Arg(F32, "real"),),
         shapes=_square_shapes, rtol=1e-4, atol=1e-4),
]


# Every primitive that exists in tinyjax.lax must appear here (test_primitives checks).
ALL_CASES = list(ELEMENTWISE) + STRUCTURED


def cases_by_name():
    return {c.name: c for c in ALL_CASES}


def domain_values(rng, domain, dtype, shape):
    """Random values of `dtype` inside `domain`, with edge values mixed in."""
    dtype = np.dtype(dtype)
    n = math.prod(shape)
    if dtype == np.bool_:
        return rng.random(shape) < 0.5
    if dtype.kind in "iu":
        info = np.iinfo(dtype)
        if domain == "pivot":
            return np.array([rng.integers(i, 6) for i in range(math.prod(shape))],
                            dtype).reshape(shape)
        if domain == "index":
            return rng.integers(-3, 9, size=shape).astype(dtype)
        if domain == "shift":
            return rng.integers(-2, info.bits + 3, size=shape).clip(info.min, info.max).astype(
                dtype)
        if domain == "nonzero":
            v = rng.integers(max(info.min, -100), min(info.max, 100), size=shape, endpoint=True)
            return np.where(v == 0, 1, v).astype(dtype)
        if domain in ("real", "positive", "small_int"):
            lo = 0 if (domain == "positive" or dtype.kind == "u") else -10
            return rng.integers(lo, 11, size=shape).astype(dtype)
        edges = np.array([info.min, info.max, 0, 1, -1 if info.min < 0 else 2], np.int64)
        v = rng.integers(info.min, info.max, size=shape, endpoint=True, dtype=np.int64)
        if n:
            mask = rng.random(shape) < 0.2
            v = np.where(mask, edges[rng.integers(0, len(edges), size=shape)], v)
        return v.astype(dtype)
    # floats
    lo_hi = {"any": (-50.0, 50.0), "real": (-5.0, 5.0), "positive": (0.05, 20.0),
             "unit": (-1.0, 1.0), "open_unit": (-0.99, 0.99), "ge1": (1.05, 20.0),
             "nonzero": (0.5, 10.0), "small_int": (0.0, 3.0), "open01": (0.01, 0.99)}
    lo, hi = lo_hi[domain]
    v = rng.uniform(lo, hi, size=shape)
    if domain == "nonzero":
        v *= np.where(rng.random(shape) < 0.5, -1, 1)
    if domain == "small_int":
        v = np.round(v)
    if domain == "any" and n:
        finfo = np.finfo(dtype)
        edges = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0, float(finfo.max),
                          float(finfo.tiny), -float(finfo.tiny), 1.0, -1.0])
        mask = rng.random(shape) < 0.25
        v = np.where(mask, edges[rng.integers(0, len(edges), size=shape)], v)
    return v.astype(dtype)
