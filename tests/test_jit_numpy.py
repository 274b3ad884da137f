"""jit of tinyjax.numpy functions equals eager: for a broad sample of jnp functions
(elementwise, reductions, manipulation, indexing, sorting and set operations,
products, polynomials, statistics, jnp.linalg), `tinyjax.jit(f)(*xs)` against
`f(*xs)`. Integer and bool results must be identical, float results within a few
ULP (or a small absolute tolerance scaled to the inputs for results that suffer
cancellation), NaN in the same places."""
import dataclasses
from typing import Callable

import numpy as np
import pytest
from test_jit_table import _max_finite, assert_ulp_close

import tinyjax
import tinyjax.nn
import tinyjax.numpy as jnp
import tinyjax.scipy.linalg
import tinyjax.scipy.special
from tinyjax.core.config import enable_x64
from tinyjax.tree_util import tree_leaves

F32 = np.float32


# ----------------------------------------------------------------------------- inputs

def f(shape=(3, 4), lo=-3.0, hi=3.0, dtype=F32, special=False):
    """Uniform floats; `special` mixes in NaN, +-inf, -0 and 0."""
    def gen(rng):
        v = rng.uniform(lo, hi, size=shape)
        if special and v.size:
            edges = np.array([np.nan, np.inf, -np.inf, -0.0, 0.0])
            mask = rng.random(shape) < 0.25
            v = np.where(mask, edges[rng.integers(0, 5, size=shape)], v)
        return np.asarray(v, dtype)
    return gen


def pos(shape=(3, 4), lo=0.1, hi=5.0):
    return f(shape, lo, hi)


def i(shape=(3, 4), lo=-5, hi=6, dtype=np.int32):
    return lambda rng: rng.integers(lo, hi, size=shape).astype(dtype)


def b(shape=(3, 4)):
    return lambda rng: rng.random(shape) < 0.5


def sq(n=3, batch=()):
    """A well-conditioned square matrix."""
    return lambda rng: (rng.standard_normal(batch + (n, n)) + 2 * n * np.eye(n)).astype(F32)


def spd(n=3):
    def gen(rng):
        x = rng.standard_normal((n, n))
        return (x @ x.T + n * np.eye(n)).astype(F32)
    return gen


def sorted_f(n=6):
    return lambda rng: np.sort(rng.uniform(-3, 3, size=n)).astype(F32)


def const(v):
    return lambda rng: np.asarray(v)


@dataclasses.dataclass
class C:
    name: str
    fun: Callable
    args: tuple
    ulp: int = 8
    atol: float = 16.0      # in eps(dtype) * magnitude of inputs and outputs


def c(name, fun, *args, **kw):
    return C(name, fun, args, **kw)


def u(name, *args, **kw):
    """jnp.<name> applied to the arguments."""
    return C(name, getattr(jnp, name), args or (f(),), **kw)


# ----------------------------------------------------------------------------- the sample

UNARY_ANY = ["abs", "absolute", "negative", "positive", "sign", "floor", "ceil", "rint",
             "trunc", "fix", "exp", "exp2", "expm1", "cbrt", "square", "sin", "cos", "tan",
             "arctan", "sinh", "cosh", "tanh", "arcsinh", "deg2rad", "rad2deg", "degrees",
             "radians", "sinc", "isnan", "isinf", "isfinite", "isneginf", "isposinf",
             "signbit", "fabs", "real", "imag", "conj", "conjugate", "spacing", "i0",
             "nan_to_num", "around", "round", "reciprocal", "logical_not", "angle",
             "atan", "asinh", "isreal"]
UNARY_POS = ["log", "log2", "log10", "log1p", "sqrt", "arccosh", "acosh"]
UNARY_UNIT = ["arcsin", "arccos", "arctanh", "asin", "acos", "atanh"]
BINARY_F = ["add", "subtract", "multiply", "divide", "true_divide", "floor_divide", "mod",
            "remainder", "fmod", "maximum", "minimum", "fmax", "fmin", "arctan2", "atan2",
            "hypot", "copysign", "nextafter", "logaddexp", "logaddexp2", "heaviside",
            "equal", "not_equal", "less", "less_equal", "greater", "greater_equal",
            "float_power", "isclose"]
BINARY_I = ["bitwise_and", "bitwise_or", "bitwise_xor", "left_shift", "right_shift",
            "bitwise_left_shift", "bitwise_right_shift", "gcd", "lcm", "floor_divide",
            "remainder", "add", "multiply", "maximum"]
UNARY_I = ["bitwise_not", "invert", "bitwise_invert", "bitwise_count", "abs", "negative",
           "sign", "square"]
LOGICAL = ["logical_and", "logical_or", "logical_xor"]

CASES = (
    [u(n, f(special=True)) for n in UNARY_ANY]
    + [u(n, pos()) for n in UNARY_POS]
    + [u(n, f(lo=-0.99, hi=0.99)) for n in UNARY_UNIT]
    + [u(n, f(special=True), f((4,))) for n in BINARY_F]
    + [u(n, i(), i((4,), 1, 9)) for n in BINARY_I]
    + [u(n, i(lo=-100, hi=100)) for n in UNARY_I]
    + [u(n, b(), b()) for n in LOGICAL]
    + [
        u("power", pos(), f((4,), -2, 2)),
        u("pow", pos(), f((4,), -2, 2)),
        u("ldexp", f(), i((4,), -4, 5)),
        u("frexp", f(special=True)),
        u("modf", f(special=True)),
        u("divmod", f(), f((4,), 0.5, 2)),
        u("divmod", i(), i((4,), 1, 5)),
        u("clip", f(special=True), const(np.float32(-1)), const(np.float32(1))),
        c("where", lambda p, x, y: jnp.where(p, x, y), b(), f(), f((4,))),
        c("where_size", lambda p: jnp.where(p, size=6, fill_value=-1), b()),
        c("astype", lambda x: jnp.astype(x, jnp.int16), f(special=True)),
        c("float_to_uint8", lambda x: x.astype(jnp.uint8), f(lo=-300, hi=300)),
        c("int_to_float16", lambda x: x.astype(jnp.float16), i(lo=-70000, hi=70000)),
        # reductions
        *[c(f"{n}_axis{ax}", lambda x, n=n, ax=ax: getattr(jnp, n)(x, axis=ax), f(), ulp=16)
          for n in ["sum", "prod", "mean", "var", "std", "max", "min", "amax", "amin", "ptp",
                    "argmax", "argmin", "all", "any", "median", "count_nonzero", "cumsum",
                    "cumprod", "cumulative_sum", "cumulative_prod", "average"]
          for ax in ([None, 0, 1] if n not in ("cumulative_sum", "cumulative_prod") else [0, 1])],
        *[c(f"{n}_nan", lambda x, n=n: getattr(jnp, n)(x, axis=1), f(special=True), ulp=16)
          for n in ["nansum", "nanprod", "nanmean", "nanvar", "nanstd", "nanmax", "nanmin",
                    "nanargmax", "nanargmin", "nancumsum", "nancumprod", "nanmedian"]],
        c("sum_keepdims_int8", lambda x: jnp.sum(x, axis=0, keepdims=True), i(dtype=np.int8)),
        c("mean_ints", lambda x: jnp.mean(x, axis=1), i()),
        c("var_ddof", lambda x: jnp.var(x, axis=0, ddof=1), f()),
        c("max_where_initial", lambda x, m: jnp.max(x, axis=1, where=m, initial=-10.0), f(), b()),
        c("quantile", lambda x: jnp.quantile(x, jnp.array([0.1, 0.5, 0.9]), axis=1), f()),
        c("percentile", lambda x: jnp.percentile(x, 30.0), f()),
        c("nanquantile", lambda x: jnp.nanquantile(x, 0.25, axis=0), f(special=True)),
        c("nanpercentile", lambda x: jnp.nanpercentile(x, 75.0, axis=1), f(special=True)),
        c("average_weights", lambda x, w: jnp.average(x, axis=1, weights=w), f(), pos((4,))),
        c("logsumexp", lambda x: tinyjax.scipy.special.logsumexp(x, axis=1), f(lo=-50, hi=50)),
        c("allclose", lambda x, y: jnp.allclose(x, y), f(), f()),
        c("array_equal", lambda x, y: jnp.array_equal(x, y), i(lo=0, hi=2), i(lo=0, hi=2)),
        # manipulation
        c("reshape", lambda x: jnp.reshape(x, (2, -1)), f()),
        c("ravel", jnp.ravel, f()),
        c("transpose", lambda x: jnp.transpose(x, (2, 0, 1)), f((2, 3, 4))),
        c("permute_dims", lambda x: jnp.permute_dims(x, (1, 0, 2)), f((2, 3, 4))),
        c("matrix_transpose", jnp.matrix_transpose, f((2, 3, 4))),
        c("swapaxes", lambda x: jnp.swapaxes(x, 0, 2), f((2, 3, 4))),
        c("moveaxis", lambda x: jnp.moveaxis(x, 0, -1), f((2, 3, 4))),
        c("rollaxis", lambda x: jnp.rollaxis(x, 2), f((2, 3, 4))),
        c("flip", lambda x: jnp.flip(x, 1), f()),
        c("fliplr", jnp.fliplr, f()),
        c("flipud", jnp.flipud, f()),
        c("rot90", lambda x: jnp.rot90(x, 3), f()),
        c("roll", lambda x: jnp.roll(x, 5, axis=1), f()),
        c("roll_flat", lambda x: jnp.roll(x, -2), f()),
        c("concatenate", lambda x, y: jnp.concatenate([x, y, x], axis=0), f(), f((1, 4))),
        c("concat", lambda x, y: jnp.concat([x, y], axis=1), f(), f((3, 2))),
        c("append", lambda x, y: jnp.append(x, y), f(), f((5,))),
        c("stack", lambda x, y: jnp.stack([x, y], axis=1), f(), f()),
        c("hstack", lambda x, y: jnp.hstack([x, y]), f(), f()),
        c("vstack", lambda x, y: jnp.vstack([x, y]), f(), f()),
        c("row_stack", lambda x, y: jnp.row_stack([x, y]), f(), f()),
        c("dstack", lambda x, y: jnp.dstack([x, y]), f(), f()),
        c("column_stack", lambda x, y: jnp.column_stack([x, y]), f((4,)), f((4, 2))),
        c("block", lambda x, y: jnp.block([[x, y], [y, x]]), f((2, 2)), f((2, 2))),
        c("unstack", lambda x: jnp.unstack(x, axis=1), f()),
        c("split", lambda x: jnp.split(x, 2, axis=1), f()),
        c("array_split", lambda x: jnp.array_split(x, 3, axis=1), f()),
        c("hsplit", lambda x: jnp.hsplit(x, [1, 3]), f()),
        c("vsplit", lambda x: jnp.vsplit(x, 2), f((4, 3))),
        c("dsplit", lambda x: jnp.dsplit(x, 2), f((2, 2, 4))),
        c("tile", lambda x: jnp.tile(x, (2, 1, 2)), f((2, 3))),
        c("repeat", lambda x: jnp.repeat(x, 2, axis=0), f()),
        c("repeat_array", lambda x: jnp.repeat(x, jnp.array([1, 0, 3]), axis=0,
                                               total_repeat_length=4), f()),
        c("resize", lambda x: jnp.resize(x, (5, 5)), f()),
        c("expand_dims", lambda x: jnp.expand_dims(x, (0, 2)), f()),
        c("squeeze", lambda x: jnp.squeeze(x), f((1, 3, 1))),
        c("atleast_3d", jnp.atleast_3d, f((4,))),
        c("broadcast_to", lambda x: jnp.broadcast_to(x, (2, 3, 4)), f((3, 1))),
        c("broadcast_arrays", lambda x, y: jnp.broadcast_arrays(x, y), f((3, 1)), f((4,))),
        c("pad_constant", lambda x: jnp.pad(x, ((1, 2), (0, 3)), constant_values=7.0), f()),
        *[c(f"pad_{m}", lambda x, m=m: jnp.pad(x, ((2, 1), (1, 3)), mode=m), f())
          for m in ("edge", "reflect", "symmetric", "wrap", "linear_ramp", "maximum", "mean")],
        c("diag", jnp.diag, f((4, 4))),
        c("diag_vector", lambda x: jnp.diag(x, k=1), f((3,))),
        c("diagflat", jnp.diagflat, f((2, 2))),
        c("diagonal", lambda x: jnp.diagonal(x, offset=-1, axis1=1, axis2=2), f((2, 4, 3))),
        c("trace", lambda x: jnp.trace(x, offset=1), f((4, 4))),
        c("tril", lambda x: jnp.tril(x, -1), f((4, 4))),
        c("triu", lambda x: jnp.triu(x, 1), f((2, 4, 4))),
        c("fill_diagonal", lambda x: jnp.fill_diagonal(x, 5.0, inplace=False), f((4, 4))),
        c("delete", lambda x: jnp.delete(x, 1, axis=1), f()),
        c("insert", lambda x: jnp.insert(x, 2, 9.0, axis=1), f()),
        c("copy", jnp.copy, f()),
        c("zeros_like", jnp.zeros_like, f()),
        c("ones_like", jnp.ones_like, i()),
        c("full_like", lambda x: jnp.full_like(x, 3.5), f()),
        c("arange_plus", lambda x: x + jnp.arange(4.0), f()),
        c("linspace_times", lambda x: x * jnp.linspace(0.0, 1.0, 4), f()),
        c("eye_plus", lambda x: x + jnp.eye(4, k=1), f((4, 4))),
        c("tri", lambda x: x * jnp.tri(3, 4), f()),
        c("vander", lambda x: jnp.vander(x, 4), f((5,))),
        c("meshgrid", lambda x, y: jnp.meshgrid(x, y), f((3,)), f((2,))),
        # indexing and selection
        c("getitem_slices", lambda x: x[::-1, 1:3], f()),
        c("getitem_array", lambda x, k: x[k], f(), i((5,), -3, 3)),
        c("getitem_mask_where", lambda x: jnp.where(x > 0, x, 0.0)[:, None, 1], f()),
        c("at_set", lambda x, k: x.at[k].set(1.0), f(), i((3,), 0, 3)),
        c("at_add", lambda x, k: x.at[k, 1].add(2.0), f(), i((5,), 0, 3)),
        c("at_mul", lambda x, k: x.at[k].multiply(2.0), f((5,)), i((4,), -5, 5)),
        c("at_min", lambda x, k: x.at[k].min(0.0), f((5,)), i((4,), 0, 5)),
        c("at_max", lambda x, k: x.at[k].max(0.0), f((5,)), i((4,), 0, 5)),
        c("at_get_fill", lambda x, k: x.at[k].get(mode="fill", fill_value=-1.0), f((5,)),
          i((6,), -8, 8)),
        c("take", lambda x, k: jnp.take(x, k, axis=1), f(), i((5,), -4, 4)),
        c("take_flat_clip", lambda x, k: jnp.take(x, k, mode="clip"), f(), i((5,), -20, 20)),
        c("take_fill", lambda x, k: jnp.take(x, k, axis=0, mode="fill", fill_value=0.5), f(),
          i((5,), -5, 5)),
        c("take_along_axis", lambda x, k: jnp.take_along_axis(x, k, axis=1), f(),
          i((3, 2), 0, 4)),
        c("put_along_axis", lambda x, k: jnp.put_along_axis(x, k, 9.0, axis=1, inplace=False),
          f(), i((3, 1), 0, 4)),
        c("put", lambda x, k: jnp.put(x, k, 1.5, inplace=False), f(), i((3,), 0, 12)),
        c("place", lambda x, m: jnp.place(x, m, jnp.array([1.0, 2.0]), inplace=False), f(),
          b()),
        c("choose", lambda k, x, y: jnp.choose(k, [x, y], mode="clip"), i((3, 4), -1, 3), f(),
          f()),
        c("select", lambda x: jnp.select([x < -1, x > 1], [x * 2, x * 3], default=-5.0), f()),
        c("piecewise", lambda x: jnp.piecewise(x, [x < 0, x > 1], [lambda v: -v, 2.0, 0.5]),
          f()),
        c("compress", lambda m, x: jnp.compress(m, x, axis=1, size=3), b((4,)), f()),
        c("extract", lambda m, x: jnp.extract(m, x, size=5), b(), f()),
        c("nonzero", lambda x: jnp.nonzero(x, size=5, fill_value=-1), i(lo=0, hi=2)),
        c("argwhere", lambda x: jnp.argwhere(x, size=4), i(lo=0, hi=2)),
        c("flatnonzero", lambda x: jnp.flatnonzero(x, size=6), i(lo=0, hi=2)),
        c("count_nonzero_bool", lambda x: jnp.count_nonzero(x, axis=0), b()),
        c("diag_indices", lambda x: x[jnp.diag_indices(3)], f((3, 3))),
        c("tril_indices", lambda x: x[jnp.tril_indices(4, -1)], f((4, 4))),
        c("triu_indices_from", lambda x: x[jnp.triu_indices_from(x, 1)], f((4, 4))),
        c("unravel_index", lambda k: jnp.unravel_index(k, (3, 4)), i((5,), 0, 12)),
        c("ravel_multi_index", lambda a, bb: jnp.ravel_multi_index((a, bb), (3, 4), mode="clip"),
          i((5,), -1, 4), i((5,), 0, 6)),
        c("indices", lambda x: x + jnp.indices((3, 4))[0], f()),
        # sorting, searching, sets
        c("sort", lambda x: jnp.sort(x, axis=0), f(special=True)),
        c("sort_flat", lambda x: jnp.sort(x, axis=None), i()),
        c("argsort", lambda x: jnp.argsort(x, axis=1), i(lo=0, hi=4)),
        c("argsort_descending", lambda x: jnp.argsort(x, descending=True, stable=True), i((7,), 0, 3)),
        c("lexsort", lambda a, bb: jnp.lexsort((a, bb)), i((6,), 0, 3), i((6,), 0, 3)),
        c("partition", lambda x: jnp.partition(x, 2, axis=1), f()),
        c("argpartition", lambda x: jnp.sort(jnp.argpartition(x, 1, axis=1)[:, :2], axis=1), f()),
        c("searchsorted", lambda a, v: jnp.searchsorted(a, v), sorted_f(), f((5,))),
        c("searchsorted_right", lambda a, v: jnp.searchsorted(a, v, side="right",
                                                              method="compare_all"),
          lambda rng: np.array([0, 1, 1, 2, 3], np.int32), i((6,), -1, 5)),
        c("digitize", lambda x, bins: jnp.digitize(x, bins), f((7,)), sorted_f(4)),
        c("unique_size", lambda x: jnp.unique(x, size=6, fill_value=-1), i((8,), 0, 5)),
        c("unique_all", lambda x: tuple(jnp.unique_all(x, size=5)), i((7,), 0, 4)),
        c("unique_counts", lambda x: tuple(jnp.unique_counts(x, size=4)), i((7,), 0, 4)),
        c("unique_inverse", lambda x: tuple(jnp.unique_inverse(x, size=4)), i((7,), 0, 4)),
        c("unique_values", lambda x: jnp.unique_values(x, size=4), i((7,), 0, 4)),
        c("isin", lambda x, y: jnp.isin(x, y), i(lo=0, hi=6), i((3,), 0, 6)),
        c("intersect1d", lambda x, y: jnp.intersect1d(x, y, size=4), i((6,), 0, 6),
          i((5,), 0, 6)),
        c("union1d", lambda x, y: jnp.union1d(x, y, size=8), i((6,), 0, 6), i((5,), 0, 6)),
        c("setdiff1d", lambda x, y: jnp.setdiff1d(x, y, size=4), i((6,), 0, 6), i((5,), 0, 6)),
        c("setxor1d", lambda x, y: jnp.setxor1d(x, y, size=6), i((6,), 0, 6), i((5,), 0, 6)),
        c("bincount", lambda x, w: jnp.bincount(x, w, length=6), i((8,), 0, 6), f((8,))),
        c("histogram", lambda x: jnp.histogram(x, bins=4, range=(-3.0, 3.0)), f((10,))),
        c("histogram_bin_edges", lambda x: jnp.histogram_bin_edges(x, bins=3, range=(0.0, 1.0)),
          f((5,))),
        c("histogram2d", lambda x, y: jnp.histogram2d(x, y, bins=3, range=((-3, 3), (-3, 3))),
          f((8,)), f((8,))),
        # products and contractions
        c("matmul", jnp.matmul, f((2, 3, 4)), f((4, 5)), ulp=16, atol=32),
        c("matmul_vec", jnp.matmul, f((4,)), f((4, 3)), ulp=16, atol=32),
        c("matmul_int", jnp.matmul, i(), i((4, 2))),
        c("dot", jnp.dot, f(), f((4, 2)), ulp=16, atol=32),
        c("vdot", jnp.vdot, f(), f(), ulp=16, atol=32),
        c("vecdot", lambda x, y: jnp.vecdot(x, y), f(), f((4,)), ulp=16, atol=32),
        c("matvec", jnp.matvec, f(), f((4,)), ulp=16, atol=32),
        c("vecmat", jnp.vecmat, f((3,)), f(), ulp=16, atol=32),
        c("inner", jnp.inner, f(), f((2, 4)), ulp=16, atol=32),
        c("outer", jnp.outer, f((3,)), f((4,))),
        c("kron", jnp.kron, f((2, 2)), f((2, 3))),
        c("tensordot", lambda x, y: jnp.tensordot(x, y, axes=([1, 2], [0, 1])), f((2, 3, 4)),
          f((3, 4, 2)), ulp=16, atol=32),
        c("einsum", lambda x, y: jnp.einsum("ij,jk->ik", x, y), f(), f((4, 2)), ulp=16, atol=32),
        c("einsum_batch", lambda x, y: jnp.einsum("bij,bjk->bik", x, y), f((2, 3, 4)),
          f((2, 4, 2)), ulp=16, atol=32),
        c("einsum_trace", lambda x: jnp.einsum("ii", x), f((4, 4)), ulp=16, atol=32),
        c("cross", jnp.cross, f((4, 3)), f((4, 3)), ulp=16, atol=32),
        c("convolve", jnp.convolve, f((6,)), f((3,)), ulp=16, atol=32),
        c("correlate_same", lambda x, y: jnp.correlate(x, y, mode="same"), f((6,)), f((3,)),
          ulp=16, atol=32),
        c("multi_dot", lambda a, bb, cc: jnp.linalg.multi_dot([a, bb, cc]), f((2, 3)), f((3, 4)),
          f((4, 2)), ulp=16, atol=64),
        # differences, polynomials, signal
        c("diff", lambda x: jnp.diff(x, n=2, axis=1), f()),
        c("diff_prepend", lambda x: jnp.diff(x, prepend=0.0), f((5,))),
        c("ediff1d", lambda x: jnp.ediff1d(x, to_begin=jnp.array([1.0])), f((5,))),
        c("gradient", lambda x: jnp.gradient(x), f((3, 5))),
        c("trapezoid", lambda x: jnp.trapezoid(x, dx=0.5, axis=1), f()),
        c("interp", lambda x, xp, fp: jnp.interp(x, xp, fp), f((7,), -4, 4), sorted_f(5),
          f((5,))),
        c("unwrap", lambda x: jnp.unwrap(x * 3.0), f((6,))),
        c("cumsum_int8_dtype", lambda x: jnp.cumsum(x, dtype=jnp.int32), i((6,), dtype=np.int8)),
        c("polyval", jnp.polyval, f((4,)), f((5,)), ulp=16, atol=64),
        c("polyadd", jnp.polyadd, f((3,)), f((4,))),
        c("polysub", jnp.polysub, f((3,)), f((4,))),
        c("polymul", jnp.polymul, f((3,)), f((4,)), ulp=16, atol=32),
        c("polyder", lambda p: jnp.polyder(p, 2), f((5,))),
        c("polyint", lambda p: jnp.polyint(p), f((4,))),
        c("poly", jnp.poly, f((3,)), ulp=16, atol=64),
        c("polydiv", lambda p, q: jnp.polydiv(p, q), f((5,)),
          lambda rng: np.array([1.0, 0.5, -1.0], F32), ulp=16, atol=64),
        c("polyfit", lambda x, y: jnp.polyfit(x, y, 2), sorted_f(6), f((6,)), ulp=256,
          atol=4096),
        c("hanning_window", lambda x: x * jnp.hanning(4), f()),
        c("kaiser_window", lambda x: x * jnp.kaiser(4, 3.0), f()),
        c("packbits", lambda x: jnp.packbits(x, axis=1), b((3, 10))),
        c("unpackbits", lambda x: jnp.unpackbits(x, axis=0), i((2, 3), 0, 256, np.uint8)),
        # statistics
        c("cov", jnp.cov, f((3, 6)), ulp=16, atol=64),
        c("corrcoef", jnp.corrcoef, f((3, 6)), ulp=16, atol=64),
        c("histogram_weights", lambda x, w: jnp.histogram(x, bins=3, range=(-3, 3), weights=w),
          f((8,)), pos((8,))),
        # linalg
        c("inv", jnp.linalg.inv, sq(3, (2,)), ulp=64, atol=256),
        c("det", jnp.linalg.det, sq(3, (2,)), ulp=64, atol=256),
        c("slogdet", lambda x: tuple(jnp.linalg.slogdet(x)), sq(3), ulp=64, atol=256),
        c("solve", jnp.linalg.solve, sq(3), f((3, 2)), ulp=64, atol=256),
        c("cholesky", jnp.linalg.cholesky, spd(4), ulp=16, atol=64),
        c("eigh", lambda x: tuple(jnp.linalg.eigh(x)), spd(3), ulp=64, atol=256),
        c("eigvalsh", jnp.linalg.eigvalsh, spd(3), ulp=64, atol=256),
        c("qr", lambda x: tuple(jnp.linalg.qr(x)), f((4, 3)), ulp=64, atol=256),
        c("svd", lambda x: tuple(jnp.linalg.svd(x, full_matrices=False)), f((4, 3)), ulp=64,
          atol=256),
        c("svdvals", jnp.linalg.svdvals, f((4, 3)), ulp=64, atol=256),
        c("pinv", jnp.linalg.pinv, f((4, 3)), ulp=256, atol=1024),
        c("lstsq", lambda a, bb: jnp.linalg.lstsq(a, bb)[0], sq(3), f((3,)), ulp=256,
          atol=1024),
        c("matrix_power", lambda x: jnp.linalg.matrix_power(x, 3), f((3, 3)), ulp=16, atol=64),
        c("matrix_power_neg", lambda x: jnp.linalg.matrix_power(x, -2), sq(3), ulp=64,
          atol=256),
        c("matrix_rank", jnp.linalg.matrix_rank, f((4, 3))),
        c("norm", lambda x: jnp.linalg.norm(x), f(), ulp=16, atol=32),
        c("norm_ord", lambda x: jnp.linalg.norm(x, ord=1, axis=1), f(), ulp=16, atol=32),
        c("norm_fro", lambda x: jnp.linalg.norm(x, "fro"), f(), ulp=16, atol=32),
        c("norm_2", lambda x: jnp.linalg.norm(x, 2), f(), ulp=64, atol=256),
        c("matrix_norm_nuc", lambda x: jnp.linalg.matrix_norm(x, ord="nuc"), f(), ulp=64,
          atol=256),
        c("vector_norm_inf", lambda x: jnp.linalg.vector_norm(x, ord=jnp.inf, axis=0), f()),
        c("cond", jnp.linalg.cond, sq(3), ulp=256, atol=1024),
        c("tensorinv", lambda x: jnp.linalg.tensorinv(x, ind=1), sq(4), ulp=64, atol=256),
        c("tensorsolve", lambda a, bb: jnp.linalg.tensorsolve(a, bb), sq(4), f((4,)), ulp=64,
          atol=256),
        c("linalg_cross", jnp.linalg.cross, f((2, 3)), f((2, 3))),
        c("linalg_trace", lambda x: jnp.linalg.trace(x, offset=-1), f((2, 3, 3))),
        c("linalg_diagonal", jnp.linalg.diagonal, f((2, 3, 3))),
        c("linalg_outer", jnp.linalg.outer, f((3,)), f((2,))),
        c("linalg_tensordot", lambda x, y: jnp.linalg.tensordot(x, y, axes=1), f(), f((4, 2)),
          ulp=16, atol=32),
        c("linalg_vecdot", jnp.linalg.vecdot, f(), f(), ulp=16, atol=32),
        c("linalg_matmul", jnp.linalg.matmul, f(), f((4, 2)), ulp=16, atol=32),
        c("linalg_matrix_transpose", jnp.linalg.matrix_transpose, f((2, 3, 4))),
        c("linalg_qr_r", lambda x: jnp.linalg.qr(x, mode="r"), f((3, 3)), ulp=64, atol=256),
        c("scipy_solve_triangular", lambda a, bb: tinyjax.scipy.linalg.solve_triangular(
            a, bb, lower=True), sq(3), f((3, 2)), ulp=64, atol=256),
        c("scipy_lu_factor", lambda a: tuple(tinyjax.scipy.linalg.lu_factor(a)), sq(3),
          ulp=16, atol=64),
        c("scipy_expit", tinyjax.scipy.special.expit, f(special=True)),
        c("scipy_logit", tinyjax.scipy.special.logit, f(lo=0.01, hi=0.99)),
        c("scipy_gammaln", tinyjax.scipy.special.gammaln, pos(), ulp=16, atol=64),
        c("scipy_xlogy", tinyjax.scipy.special.xlogy, f(lo=0, hi=3), pos()),
        c("scipy_ndtri", tinyjax.scipy.special.ndtri, f(lo=0.01, hi=0.99), ulp=16, atol=64),
        c("scipy_log_ndtr", tinyjax.scipy.special.log_ndtr, f(lo=-20, hi=5), ulp=16, atol=64),
        c("scipy_softmax", lambda x: tinyjax.nn.softmax(x, axis=1), f(lo=-20, hi=20)),
    ]
)

# a few functions again in other dtypes (float16, ints, bools, 64-bit under x64)
DTYPE_CASES = [
    c("f16_exp", jnp.exp, f(dtype=np.float16)),
    c("f16_tanh", jnp.tanh, f(dtype=np.float16)),
    c("f16_sum", lambda x: jnp.sum(x, axis=1), f(dtype=np.float16)),
    c("f16_mean", jnp.mean, f(dtype=np.float16)),
    c("f16_matmul", jnp.matmul, f(dtype=np.float16), f((4, 2), dtype=np.float16), ulp=16,
      atol=32),
    c("f16_sort", jnp.sort, f(dtype=np.float16, special=True)),
    c("f16_cumsum", lambda x: jnp.cumsum(x, axis=1), f(dtype=np.float16), ulp=16),
    c("u8_add", jnp.add, i(lo=0, hi=256, dtype=np.uint8), i(lo=0, hi=256, dtype=np.uint8)),
    c("u32_mul", jnp.multiply, i(lo=0, hi=2**31, dtype=np.uint32),
      i(lo=0, hi=2**31, dtype=np.uint32)),
    c("i8_floor_divide", jnp.floor_divide, i(lo=-128, hi=128, dtype=np.int8),
      i(lo=-128, hi=128, dtype=np.int8)),
    c("i16_sum", lambda x: jnp.sum(x, axis=0), i(lo=-30000, hi=30000, dtype=np.int16)),
    c("bool_sum", lambda x: jnp.sum(x, axis=1), b()),
    c("bool_cumsum", lambda x: jnp.cumsum(x), b()),
    c("bool_sort", jnp.sort, b()),
    c("int_true_divide", jnp.true_divide, i(), i((4,), 1, 5)),
    c("int_power", lambda x: jnp.power(x, 3), i()),
    c("mixed_promote", lambda x, y: x + y, i(dtype=np.int8), f()),
]

X64_CASES = [
    c("f64_sin", jnp.sin, f(dtype=np.float64)),
    c("f64_log1p", jnp.log1p, pos(lo=0.0, hi=3.0)),
    c("f64_sum", lambda x: jnp.sum(x, axis=1), f(dtype=np.float64)),
    c("f64_matmul", jnp.matmul, f(dtype=np.float64), f((4, 2), dtype=np.float64), ulp=16,
      atol=32),
    c("f64_inv", jnp.linalg.inv, lambda rng: sq(3)(rng).astype(np.float64), ulp=64, atol=256),
    c("i64_cumprod", lambda x: jnp.cumprod(x, axis=1), i(lo=-100, hi=100, dtype=np.int64)),
    c("u64_xor", jnp.bitwise_xor, i(lo=0, hi=2**62, dtype=np.uint64),
      i(lo=0, hi=2**62, dtype=np.uint64)),
    c("i64_argsort", jnp.argsort, i((9,), -5, 5, np.int64)),
    c("f64_to_f16", lambda x: x.astype(jnp.float16), f(lo=-70000, hi=70000, dtype=np.float64)),
    c("f64_arange", lambda x: x * jnp.arange(4.0), f(dtype=np.float64)),
]


# ----------------------------------------------------------------------------- the check

def check(case, seed=0):
    rng = np.random.default_rng(seed)
    args = [jnp.asarray(g(rng)) for g in case.args]
    eager = [np.asarray(o) for o in tree_leaves(case.fun(*args))]
    got = [np.asarray(o) for o in tree_leaves(tinyjax.jit(case.fun)(*args))]
    assert len(got) == len(eager)
    mag = _max_finite(list(args) + eager)
    for k, (g, e) in enumerate(zip(got, eager)):
        msg = f"[{case.name} output {k}]"
        assert g.shape == e.shape, (g.shape, e.shape, msg)
        assert g.dtype == e.dtype, (g.dtype, e.dtype, msg)
        if e.dtype.kind == "f":
            atol = case.atol * float(np.finfo(e.dtype).eps) * mag
            ulp = max(case.ulp, 2) if e.dtype == np.float16 else case.ulp
            assert_ulp_close(g, e, ulp, atol, msg)
        else:
            assert_ulp_close(g, e, err_msg=msg)


def _ids(cases):
    seen: dict = {}
    out = []
    for cs in cases:
        n = seen.get(cs.name, 0)
        seen[cs.name] = n + 1
        out.append(cs.name if not n else f"{cs.name}-{n}")
    return out


@pytest.mark.parametrize("case", CASES, ids=_ids(CASES))
def test_jit_matches_eager(case):
    check(case)


@pytest.mark.parametrize("case", DTYPE_CASES, ids=_ids(DTYPE_CASES))
def test_jit_matches_eager_dtypes(case):
    check(case, seed=1)


@pytest.mark.parametrize("case", X64_CASES, ids=_ids(X64_CASES))
def test_jit_matches_eager_x64(case):
    with enable_x64():
        check(case, seed=2)


def test_sample_is_broad():
    names = {cs.name.split("_")[0] for cs in CASES}
    assert len(CASES) >= 250 and len(names) >= 150, (len(CASES), len(names))
