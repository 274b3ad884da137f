"""Contractions and windowed operations: dot_general, conv_general_dilated and
the monoid reduce_window primitives (sum, max, min).

Each primitive sits in one block: the primitive, its public function(s), its
shape/dtype rule and its eager (NumPy) implementation. The eager
implementations reproduce XLA's CPU numerics: integer contractions wrap,
float16 contractions accumulate in float32 and round once, and boolean
contractions are an OR of ANDs.
"""
from __future__ import annotations

import enum
import functools
import itertools
import math
import operator
from typing import Any, NamedTuple, Sequence

import numpy as np

from ..core import dtypes
from ..core.config import config
from ..core.jaxpr import pp_param_rules
from ..core.trace import Tracer
from ..interpreters import batching
from ..interpreters.ad import (
    Zero,
    add_tangents,
    deflinear,
    float0,
    is_undefined_primal,
    jvp_rules,
    transpose_rules,
)
from . import elementwise as _ew
from . import indexing as _ix
from . import reductions as _red
from . import shapes as _shapes
from ._base import asarray, aval, def_primitive, dtype_str, type_error, value_error

__all__ = [
    'ConvDimensionNumbers',
    'ConvGeneralDilatedDimensionNumbers',
    'DotDimensionNumbers',
    'Precision',
    'batch_matmul',
    'conv',
    'conv_dimension_numbers',
    'conv_general_dilated',
    'conv_general_dilated_p',
    'conv_general_permutations',
    'conv_general_shape_tuple',
    'conv_shape_tuple',
    'conv_transpose',
    'conv_transpose_shape_tuple',
    'conv_with_general_padding',
    'dot',
    'dot_general',
    'dot_general_p',
    'padtype_to_pads',
    'reduce_window',
    'reduce_window_max_p',
    'reduce_window_min_p',
    'reduce_window_shape_tuple',
    'reduce_window_sum_p',
]

DotDimensionNumbers = tuple  # ((lhs_contracting, rhs_contracting), (lhs_batch, rhs_batch))


# ----------------------------------------------------------------------------- precision

class Precision(enum.Enum):
    """Matmul/conv precision hint (lax.Precision). tinyjax's CPU kernels always
    compute at full precision of the accumulation type, so this only travels
    through jaxprs.

    >>> Precision('highest')  # doctest: +SKIP
    <Precision.HIGHEST: 2>
    """

    DEFAULT = 0
    HIGH = 1
    HIGHEST = 2

    @classmethod
    def _missing_(cls, value):
        if isinstance(value, str):
            name = _PRECISION_STRINGS.get(value.lower())
            if name is not None:
                return cls[name]
        return None

    def __str__(self) -> str:
        return f"Precision.{self.name}"


_PRECISION_STRINGS = {
    "highest": "HIGHEST", "float32": "HIGHEST",
    "high": "HIGH", "bfloat16_3x": "HIGH", "tensorfloat32": "HIGH",
    "default": "DEFAULT", "bfloat16": "DEFAULT", "fastest": "DEFAULT",
}


def _canonicalize_precision(precision):
    """None, a Precision, a precision string, or a pair of them -> None or a pair."""
    if precision is None:
        default = config.read("jax_default_matmul_precision")
        return None if default is None else _canonicalize_precision(default)
    if isinstance(precision, Precision):
        return (precision, precision)
    if isinstance(precision, str) and precision.lower() in _PRECISION_STRINGS:
        p = Precision(precision)
        return (p, p)
    if (isinstance(precision, (list, tuple)) and len(precision) == 2
            and all(isinstance(p, (Precision, str)) for p in precision)):
        try:
            return tuple(p if isinstance(p, Precision) else Precision(p) for p in precision)
        except ValueError:
            pass
    raise value_error(
        "Precision argument must be one of: None, a string in "
        f"{sorted(_PRECISION_STRINGS)}, a lax.Precision value, or a tuple of two "
        f"lax.Precision values or strings; but got {precision}."
    )


def _canonicalize_preferred(preferred_element_type, name):
    if preferred_element_type is None:
        return None
    try:
        return dtypes.canonicalize_dtype(preferred_element_type)
    except TypeError as e:
        raise type_error(f"{name}: invalid preferred_element_type: {e}") from None


# ----------------------------------------------------------------------------- helpers

def _bit_width(dt: np.dtype) -> int:
    return 1 if dt == np.bool_ else dt.itemsize * 8


def _index_tuple(x, what: str) -> tuple:
    if isinstance(x, (int, np.integer)) and not isinstance(x, bool):
        return (int(x),)
    try:
        return tuple(operator.index(d) for d in x)
    except TypeError:
        raise type_error(f"{what} must be a sequence of integers, got {x!r}") from None


@functools.lru_cache(maxsize=256)
def _compute_dtype(in_dtype: np.dtype, out_dtype: np.dtype) -> np.dtype:
    """The dtype a contraction of `in_dtype` operands accumulates in before
    rounding to `out_dtype` (XLA CPU: half precision accumulates in float32)."""
    if out_dtype.kind == "f":
        wide = max([out_dtype] + ([in_dtype] if in_dtype.kind == "f" else []),
                   key=lambda d: d.itemsize)
        return np.dtype(np.float32) if wide.itemsize < 4 else wide
    if in_dtype.kind == "f":  # float operands, integer/bool output: convert at the end
        return np.dtype(np.float32) if in_dtype.itemsize < 4 else in_dtype
    # Integers and bools: exact arithmetic modulo 2**64, then wrap to the output.
    return np.dtype(np.int64)


def _finish(acc: np.ndarray, out_dtype: np.dtype) -> np.ndarray:
    """Round/wrap the accumulator to the output dtype with XLA's conversions."""
    if out_dtype == np.bool_:
        return acc != 0
    if acc.dtype.kind == "f" and out_dtype.kind in "iu":
        return _ew.convert_values(acc, out_dtype)
    return acc.astype(out_dtype, copy=False)


def _dilate_and_pad(x: np.ndarray, axes, pads, interior, fill) -> np.ndarray:
    """lax.pad on `axes` of `x`: interior padding (dilation - 1), then low/high
    padding, where negative padding crops what the padded array holds."""
    x = np.asarray(x)
    if any(d > 0 for d in interior):
        shape = list(x.shape)
        index = [slice(None)] * x.ndim
        for ax, d in zip(axes, interior):
            if d > 0 and shape[ax] > 0:
                shape[ax] = (shape[ax] - 1) * (d + 1) + 1
                index[ax] = slice(None, None, d + 1)
        out = np.full(shape, fill, x.dtype)
        out[tuple(index)] = x
        x = out
    if any(lo > 0 or hi > 0 for lo, hi in pads):
        width = [(0, 0)] * x.ndim
        for ax, (lo, hi) in zip(axes, pads):
            width[ax] = (max(lo, 0), max(hi, 0))
        x = np.pad(x, width, constant_values=np.asarray(fill, x.dtype))
    if any(lo < 0 or hi < 0 for lo, hi in pads):  # crop after padding, as lax.pad
        index = [slice(None)] * x.ndim
        for ax, (lo, hi) in zip(axes, pads):
            index[ax] = slice(max(-lo, 0), x.shape[ax] - max(-hi, 0))
        x = x[tuple(index)]
    return x


def _dilate_dim(d: int, dilation: int) -> int:
    return 0 if d == 0 else 1 + dilation * (d - 1)


def _stride_dim(d: int, window: int, stride: int) -> int:
    return max((d - window) // stride + 1, 0)


def _windows(x: np.ndarray, axes, window, strides, window_dilation) -> np.ndarray:
    """A strided view of `x` with one new trailing axis per window dimension:
    shape x.shape (with `axes` reduced to the output size) + window."""
    dilated = [_dilate_dim(k, d) for k, d in zip(window, window_dilation)]
    view = np.lib.stride_tricks.sliding_window_view(x, dilated, axis=tuple(axes))
    index = [slice(None)] * x.ndim + [slice(None)] * len(axes)
    for i, (ax, s, d) in enumerate(zip(axes, strides, window_dilation)):
        index[ax] = slice(None, None, s)
        index[x.ndim + i] = slice(None, None, d)
    return view[tuple(index)]


def _is_zero_tangent(t) -> bool:
    """A tangent that contributes nothing: a symbolic Zero, or concrete float0 zeros."""
    return type(t) is Zero or getattr(t, "dtype", None) == float0


def _as_dtype(x, dtype):
    """`x` converted to `dtype` (no-op when it already has it)."""
    dtype = np.dtype(dtype)
    if np.dtype(x.dtype) == dtype:
        return x
    return _ew.convert_element_type_p.bind(x, new_dtype=dtype, weak_type=False)


# ----------------------------------------------------------------------------- dot_general

def _dot_type_key(dt: np.dtype):
    # XLA's "higher precision type" order (shape_inference.cc), as lax uses it.
    if dt.kind == "f":
        fi = np.finfo(dt)
        return (fi.maxexp, fi.nmant, _bit_width(dt), True)
    return (-1, -1, _bit_width(dt), dt.kind != "u")


@functools.lru_cache(maxsize=256)
def _dot_result_dtype(name, lhs_dtype, rhs_dtype, preferred):
    lk, rk = _dot_type_key(lhs_dtype), _dot_type_key(rhs_dtype)
    if lk > rk:
        result = lhs_dtype
    elif rk > lk:
        result = rhs_dtype
    else:
        if lhs_dtype != rhs_dtype:
            raise type_error(f"{name} argument type error: {dtype_str([lhs_dtype, rhs_dtype])}")
        result = lhs_dtype
    if preferred is None or preferred == result:
        return result
    if result.kind != "f" and _bit_width(preferred) < _bit_width(result):
        raise type_error(
            "`preferred_element_type` must not be narrower than the original type, got "
            f"preferred_element_type of {preferred.name} for result type of {result.name}."
        )
    return preferred


def _dot_general_rule(lhs, rhs, *, dimension_numbers, precision=None,
                      preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    for side, nd, contract, batch in (("lhs", lhs.ndim, lc, lb), ("rhs", rhs.ndim, rc, rb)):
        if not all(0 <= d < nd for d in tuple(contract) + tuple(batch)):
            raise type_error(
                f"dot_general requires {side} dimension numbers to be nonnegative and less "
                f"than the number of axes of the {side} value, got {side}_batch of "
                f"{tuple(batch)} and {side}_contracting of {tuple(contract)} for {side} of "
                f"rank {nd}"
            )
    if len(lb) != len(rb):
        raise type_error(
            f"dot_general requires equal numbers of lhs_batch and rhs_batch dimensions, "
            f"got lhs_batch {lb} and rhs_batch {rb}."
        )
    for side, contract, batch in (("lhs", lc, lb), ("rhs", rc, rb)):
        if len(set(batch)) != len(batch):
            raise type_error(
                f"dot_general requires {side} batch dimensions to be distinct, got "
                f"{side}_batch {batch}.")
        if len(set(contract)) != len(contract):
            raise type_error(
                f"dot_general requires {side} contracting dimensions to be distinct, got "
                f"{side}_contracting {contract}.")
        if set(batch) & set(contract):
            raise type_error(
                f"dot_general requires {side} batch dimensions to be disjoint from "
                f"contracting dimensions, got {side}_batch {batch} and {side}_contracting "
                f"{contract}.")
    lbs = tuple(lhs.shape[d] for d in lb)
    rbs = tuple(rhs.shape[d] for d in rb)
    if lbs != rbs:
        raise type_error(
            f"dot_general requires lhs batch dimensions and rhs batch dimensions to have "
            f"the same shape, got {lbs} and {rbs}.")
    lcs = tuple(lhs.shape[d] for d in lc)
    rcs = tuple(rhs.shape[d] for d in rc)
    if lcs != rcs:
        raise type_error(
            f"dot_general requires contracting dimensions to have the same shape, got "
            f"{lcs} and {rcs}.")
    lfree = tuple(lhs.shape[d] for d in range(lhs.ndim) if d not in lc and d not in lb)
    rfree = tuple(rhs.shape[d] for d in range(rhs.ndim) if d not in rc and d not in rb)
    out_dtype = _dot_result_dtype("lax.dot_general", lhs.dtype, rhs.dtype,
                                  preferred_element_type)
    return aval(lbs + lfree + rfree, out_dtype, lhs.weak_type and rhs.weak_type)


def _dot_general_impl(lhs, rhs, *, dimension_numbers, precision=None,
                      preferred_element_type=None):
    (lc, rc), (lb, rb) = dimension_numbers
    out_dtype = _dot_result_dtype("lax.dot_general", lhs.dtype, rhs.dtype,
                                  preferred_element_type)
    if lhs.dtype != rhs.dtype:
        # Mixed operand dtypes: XLA's CPU lowering converts both to the output
        # dtype first (so a float operand of an integer dot is truncated).
        lhs = _ew.convert_values(lhs, out_dtype)
        rhs = _ew.convert_values(rhs, out_dtype)
    acc_dtype = _compute_dtype(lhs.dtype, out_dtype)
    if not lb and lhs.ndim == 2 and rhs.ndim == 2 and len(lc) == 1:
        # plain matrix product: hand BLAS transposed views instead of copying
        a = (lhs if lc[0] == 1 else lhs.T).astype(acc_dtype, copy=False)
        b = (rhs if rc[0] == 0 else rhs.T).astype(acc_dtype, copy=False)
        return _finish(np.matmul(a, b), out_dtype)
    lfree = [d for d in range(lhs.ndim) if d not in lc and d not in lb]
    rfree = [d for d in range(rhs.ndim) if d not in rc and d not in rb]
    batch_shape = tuple(lhs.shape[d] for d in lb)
    lfree_shape = tuple(lhs.shape[d] for d in lfree)
    rfree_shape = tuple(rhs.shape[d] for d in rfree)
    nb = math.prod(batch_shape)
    m = math.prod(lfree_shape)
    n = math.prod(rfree_shape)
    k = math.prod(lhs.shape[d] for d in lc)
    # Canonical (batch, M, K) @ (batch, K, N): one BLAS call per batch for floats.
    a = np.transpose(lhs, tuple(lb) + tuple(lfree) + tuple(lc)).astype(acc_dtype, copy=False)
    b = np.transpose(rhs, tuple(rb) + tuple(rc) + tuple(rfree)).astype(acc_dtype, copy=False)
    out = np.matmul(a.reshape(nb, m, k), b.reshape(nb, k, n))
    out = out.reshape(batch_shape + lfree_shape + rfree_shape)
    return _finish(out, out_dtype)


dot_general_p = def_primitive("dot_general", _dot_general_rule, _dot_general_impl)


def _pp_dot_general(params):
    # JAX prints contracting/batch dims as lists and hides precision=None
    (lc, rc), (lb, rb) = params["dimension_numbers"]
    shown = dict(params, dimension_numbers=((list(lc), list(rc)), (list(lb), list(rb))))
    if shown.get("precision") is None:
        shown.pop("precision", None)
    return shown


pp_param_rules[dot_general_p] = _pp_dot_general


def _dot_general_jvp(primals, tangents, *, dimension_numbers, precision=None,
                     preferred_element_type=None):
    # Bilinear: d(x . y) = dx . y + x . dy, each side skipped when its tangent is zero.
    lhs, rhs = primals
    g_lhs, g_rhs = tangents
    params = dict(dimension_numbers=dimension_numbers, precision=precision,
                  preferred_element_type=preferred_element_type)
    out = dot_general_p.bind(lhs, rhs, **params)
    t_out = Zero.from_value(out)
    if t_out.aval.dtype == float0:  # integer/bool result: no derivative
        return out, t_out
    if not _is_zero_tangent(g_lhs):
        t_out = add_tangents(t_out, _as_dtype(dot_general_p.bind(g_lhs, rhs, **params),
                                              t_out.aval.dtype))
    if not _is_zero_tangent(g_rhs):
        t_out = add_tangents(t_out, _as_dtype(dot_general_p.bind(lhs, g_rhs, **params),
                                              t_out.aval.dtype))
    return out, t_out


def _dot_transpose_operand(ct, other, operand_aval, operand_is_lhs, dimension_numbers,
                           precision):
    """Cotangent of one operand x of out = dot_general(x, y) (or (y, x)): contract ct
    with y over y's free dimensions, batch over the batch dimensions, then permute the
    result (batch, x free, x contracting in y's order) into x's layout."""
    (lc, rc), (lb, rb) = dimension_numbers
    if operand_is_lhs:
        x_c, y_c, x_b, y_b = lc, rc, lb, rb
    else:
        x_c, y_c, x_b, y_b = rc, lc, rb, lb
    x_nd = len(operand_aval.shape)
    y_nd = len(other.shape)
    nb = len(x_b)
    x_free = [d for d in range(x_nd) if d not in x_c and d not in x_b]
    y_free = [d for d in range(y_nd) if d not in y_c and d not in y_b]
    # ct's layout: batch, lhs free, rhs free
    if operand_is_lhs:
        ct_y_free = tuple(range(nb + len(x_free), nb + len(x_free) + len(y_free)))
    else:
        ct_y_free = tuple(range(nb, nb + len(y_free)))
    y_c_sorted = sorted(y_c)
    # Two equivalent contractions: (ct, y) gives (batch, x free, x contracting) and
    # (y, ct) gives (batch, x contracting, x free). Pick one that needs no transpose
    # of the result when there is one (e.g. the weights' cotangent x^T @ ct).
    perm_a = [0] * x_nd
    perm_b = [0] * x_nd
    for i, d in enumerate(x_b):
        perm_a[d] = perm_b[d] = i
    for i, d in enumerate(x_free):
        perm_a[d] = nb + i
        perm_b[d] = nb + len(y_c) + i
    for xd, yd in zip(x_c, y_c):
        perm_a[xd] = nb + len(x_free) + y_c_sorted.index(yd)
        perm_b[xd] = nb + y_c_sorted.index(yd)
    identity = list(range(x_nd))
    if perm_b == identity and perm_a != identity:
        dn = ((tuple(y_free), ct_y_free), (tuple(y_b), tuple(range(nb))))
        res = dot_general_p.bind(other, ct, dimension_numbers=dn, precision=precision,
                                 preferred_element_type=None)
        perm = perm_b
    else:
        dn = ((ct_y_free, tuple(y_free)), (tuple(range(nb)), tuple(y_b)))
        res = dot_general_p.bind(ct, other, dimension_numbers=dn, precision=precision,
                                 preferred_element_type=None)
        perm = perm_a
    if perm != identity:
        res = _shapes.transpose(res, tuple(perm))
    return _as_dtype(res, operand_aval.dtype)


def _dot_general_transpose(ct, lhs, rhs, *, dimension_numbers, precision=None,
                           preferred_element_type=None):
    if is_undefined_primal(lhs) and is_undefined_primal(rhs):
        raise ValueError("dot_general is bilinear: transposing it needs one known operand")
    if is_undefined_primal(lhs):
        return [_dot_transpose_operand(ct, rhs, lhs.aval, True, dimension_numbers,
                                       precision), None]
    return [None, _dot_transpose_operand(ct, lhs, rhs.aval, False, dimension_numbers,
                                         precision)]


jvp_rules[dot_general_p] = _dot_general_jvp
transpose_rules[dot_general_p] = _dot_general_transpose


def _dot_general_batch(vals, dims, *, dimension_numbers, **params):
    # Never a loop and never a transpose of the operands: a batch dimension on both
    # sides becomes the leading dot batch dimension; on one side only it is one more
    # free dimension of that side, whose place in the output we compute.
    lhs, rhs = vals
    ld, rd = dims
    (lc, rc), (lb, rb) = dimension_numbers

    def shift(ds, b):  # dimension numbers of the unbatched operand -> of the batched one
        return tuple(d + (b is not None and d >= b) for d in ds)

    lc2, lb2, rc2, rb2 = shift(lc, ld), shift(lb, ld), shift(rc, rd), shift(rb, rd)
    if ld is not None and rd is not None:
        dn = ((lc2, rc2), ((ld,) + lb2, (rd,) + rb2))
        return dot_general_p.bind(lhs, rhs, dimension_numbers=dn, **params), 0
    dn = ((lc2, rc2), (lb2, rb2))
    out = dot_general_p.bind(lhs, rhs, dimension_numbers=dn, **params)
    # output layout: batch dims, lhs free dims (in order), rhs free dims (in order)
    if ld is not None:
        before = sum(1 for d in range(ld) if d not in lc2 and d not in lb2)
        return out, len(lb) + before
    lfree = lhs.ndim - len(lc) - len(lb)
    before = sum(1 for d in range(rd) if d not in rc2 and d not in rb2)
    return out, len(lb) + lfree + before


batching.batching_rules[dot_general_p] = _dot_general_batch

def dot_general(lhs, rhs, dimension_numbers, precision=None, preferred_element_type=None):
    """General tensor contraction (lax.dot_general).

    `dimension_numbers` is ``((lhs_contracting, rhs_contracting), (lhs_batch,
    rhs_batch))``. The result's dimensions are the batch dimensions, then the
    lhs free dimensions, then the rhs free dimensions.

    >>> x = jnp.ones((2, 3, 4)); y = jnp.ones((2, 4, 5))  # doctest: +SKIP
    >>> lax.dot_general(x, y, (((2,), (1,)), ((0,), (0,)))).shape  # doctest: +SKIP
    (2, 3, 5)
    """
    return dot(lhs, rhs, dimension_numbers=dimension_numbers, precision=precision,
               preferred_element_type=preferred_element_type)


def dot(lhs, rhs, *, dimension_numbers=None, precision=None, preferred_element_type=None):
    """Vector/matrix products, or any contraction given `dimension_numbers` (lax.dot).

    Without `dimension_numbers`, the operands must be 1-D or 2-D and the last
    axis of `lhs` is contracted with the first axis of `rhs`.

    >>> lax.dot(jnp.ones((2, 3)), jnp.ones(3))  # doctest: +SKIP
    Array([3., 3.], dtype=float32)
    """
    lhs, rhs = asarray(lhs), asarray(rhs)
    if dimension_numbers is None:
        ls, rs = lhs.shape, rhs.shape
        if 1 <= len(ls) <= 2 and 1 <= len(rs) <= 2 and ls[-1] == rs[0]:
            dimension_numbers = (((len(ls) - 1,), (0,)), ((), ()))
        else:
            raise value_error(
                "lax.dot: dimension_numbers must be specified when not performing simple "
                "un-batched matrix-matrix, matrix-vector, or vector-vector products; got "
                f"lhs_shape={ls} rhs_shape={rs}")
    try:
        (lc, rc), (lb, rb) = dimension_numbers
    except (TypeError, ValueError):
        raise type_error(
            "dot_general dimension_numbers must be ((lhs_contracting, rhs_contracting), "
            f"(lhs_batch, rhs_batch)), got {dimension_numbers!r}") from None
    dn = ((_index_tuple(lc, "lhs_contracting"), _index_tuple(rc, "rhs_contracting")),
          (_index_tuple(lb, "lhs_batch"), _index_tuple(rb, "rhs_batch")))
    return dot_general_p.bind(
        lhs, rhs, dimension_numbers=dn, precision=_canonicalize_precision(precision),
        preferred_element_type=_canonicalize_preferred(preferred_element_type, "dot_general"))


def batch_matmul(lhs, rhs, precision=None):
    """Batched matrix product over all leading dimensions (lax.batch_matmul).

    >>> lax.batch_matmul(jnp.ones((5, 2, 3)), jnp.ones((5, 3, 4))).shape  # doctest: +SKIP
    (5, 2, 4)
    """
    lhs, rhs = asarray(lhs), asarray(rhs)
    if min(lhs.ndim, rhs.ndim) < 2:
        raise value_error(
            f"Arguments to batch_matmul must be at least 2D, got {lhs.ndim}, {rhs.ndim}")
    if lhs.ndim != rhs.ndim:
        raise value_error(
            f"Arguments to batch_matmul must have same ndim, got {lhs.ndim}, {rhs.ndim}")
    batch = tuple(range(lhs.ndim - 2))
    return dot_general(lhs, rhs, (((lhs.ndim - 1,), (rhs.ndim - 2,)), (batch, batch)),
                       precision=precision)


# ----------------------------------------------------------------------------- padding

def padtype_to_pads(in_shape, window_shape, window_strides, padding) -> list:
    """Explicit (low, high) pads for 'SAME', 'SAME_LOWER' or 'VALID' padding.

    'SAME' gives output size ceil(in / stride), with the odd extra pad at the end;
    'SAME_LOWER' puts it at the start.

    >>> lax.padtype_to_pads((5,), (3,), (2,), 'SAME')  # doctest: +SKIP
    [(1, 1)]
    """
    if not isinstance(padding, str):
        raise type_error(f"Unknown padding type: {padding}.")
    mode = padding.upper()
    if mode not in ("SAME", "SAME_LOWER", "VALID"):
        raise RuntimeError(
            f"Unrecognized padding type: expected 'VALID', 'SAME', or 'SAME_LOWER', got "
            f"{padding}.")
    if mode == "VALID":
        return [(0, 0)] * len(in_shape)
    pads = []
    for d, w, s in zip(in_shape, window_shape, window_strides):
        d, w, s = int(d), int(w), int(s)
        out = -(-d // s)
        total = max((out - 1) * s + w - d, 0)
        small, big = total // 2, total - total // 2
        pads.append((small, big) if mode == "SAME" else (big, small))
    return pads


def _explicit_pads(padding, what: str) -> tuple:
    try:
        return tuple((operator.index(lo), operator.index(hi)) for lo, hi in padding)
    except (ValueError, TypeError):
        raise value_error(
            f"padding argument to {what} should be a string or a sequence of (low, high) "
            f"pairs, got {padding}") from None


# ----------------------------------------------------------------------------- conv

class ConvDimensionNumbers(NamedTuple):
    """Positions of the (batch, feature, *spatial) dims in lhs and out, and of the
    (out feature, in feature, *spatial) dims in rhs."""

    lhs_spec: tuple
    rhs_spec: tuple
    out_spec: tuple


ConvGeneralDilatedDimensionNumbers = Any  # None | ConvDimensionNumbers | (str, str, str)


def conv_general_permutations(dimension_numbers):
    """Dimension permutations of string specs such as ('NHWC', 'HWIO', 'NHWC').

    Spatial dimensions are ordered as they appear in the rhs spec.

    >>> lax.conv_general_permutations(('NHWC', 'HWIO', 'NHWC'))  # doctest: +SKIP
    ((0, 3, 1, 2), (3, 2, 0, 1), (0, 3, 1, 2))
    """
    lhs_spec, rhs_spec, out_spec = dimension_numbers
    charpairs = (("N", "C"), ("O", "I"), ("N", "C"))
    for i, (a, b) in enumerate(charpairs):
        spec = dimension_numbers[i]
        if not spec.count(a) == spec.count(b) == 1:
            raise type_error(
                f"convolution dimension_numbers[{i}] must contain the characters '{a}' and "
                f"'{b}' exactly once, got {spec}.")
        if len(spec) != len(set(spec)):
            raise type_error(
                f"convolution dimension_numbers[{i}] cannot have duplicate characters, "
                f"got {spec}.")
    if not (set(lhs_spec) - {"N", "C"} == set(rhs_spec) - {"O", "I"}
            == set(out_spec) - {"N", "C"}):
        raise type_error(
            "convolution dimension_numbers elements must each have the same set of spatial "
            f"characters, got {tuple(dimension_numbers)}.")

    def perm(spec, pair):
        spatial = [i for i, c in enumerate(spec) if c not in pair]
        if spec is not rhs_spec:
            spatial.sort(key=lambda i: rhs_spec.index(spec[i]))
        return (spec.index(pair[0]), spec.index(pair[1])) + tuple(spatial)

    return tuple(perm(s, p) for s, p in zip(dimension_numbers, charpairs))


def conv_dimension_numbers(lhs_shape, rhs_shape, dimension_numbers) -> ConvDimensionNumbers:
    """Canonicalize None, string specs or a ConvDimensionNumbers to ConvDimensionNumbers.

    >>> lax.conv_dimension_numbers((1, 5, 5, 3), (3, 3, 3, 8), ('NHWC', 'HWIO', 'NHWC'))  # doctest: +SKIP
    ConvDimensionNumbers(lhs_spec=(0, 3, 1, 2), rhs_spec=(3, 2, 0, 1), out_spec=(0, 3, 1, 2))
    """
    if isinstance(dimension_numbers, ConvDimensionNumbers):
        return ConvDimensionNumbers(*(tuple(int(d) for d in s) for s in dimension_numbers))
    if len(lhs_shape) != len(rhs_shape):
        raise type_error(
            f"convolution requires lhs and rhs ndim to be equal, got {len(lhs_shape)} and "
            f"{len(rhs_shape)}.")
    if dimension_numbers is None:
        iota = tuple(range(len(lhs_shape)))
        return ConvDimensionNumbers(iota, iota, iota)
    if isinstance(dimension_numbers, (list, tuple)):
        if len(dimension_numbers) != 3:
            raise type_error(
                "convolution dimension_numbers list/tuple must be length 3, got "
                f"{len(dimension_numbers)}.")
        if not all(isinstance(s, str) for s in dimension_numbers):
            raise type_error(
                "convolution dimension_numbers elements must be strings, got "
                f"{tuple(type(s).__name__ for s in dimension_numbers)}.")
        for i, s in enumerate(dimension_numbers):
            if len(s) != len(lhs_shape):
                raise type_error(
                    f"convolution dimension_numbers[{i}] must have len equal to the ndim of "
                    f"lhs and rhs, got {len(s)} for lhs and rhs shapes {tuple(lhs_shape)} and "
                    f"{tuple(rhs_shape)}.")
        return ConvDimensionNumbers(*conv_general_permutations(dimension_numbers))
    raise type_error(
        "convolution dimension_numbers must be tuple/list or None, got "
        f"{type(dimension_numbers).__name__}.")


def conv_shape_tuple(lhs_shape, rhs_shape, strides, pads, batch_group_count=1) -> tuple:
    """Output shape of a conv with lhs (N, C, ...) and rhs (O, I, ...) layouts."""
    if isinstance(pads, str):
        pads = padtype_to_pads(lhs_shape[2:], rhs_shape[2:], strides, pads)
    if len(pads) != len(lhs_shape) - 2:
        raise type_error(
            f"Wrong number of explicit pads for convolution: expected {len(lhs_shape) - 2}, "
            f"got {len(pads)}.")
    padded = [d + lo + hi for d, (lo, hi) in zip(lhs_shape[2:], pads)]
    if any(p < 0 for p in padded):
        raise value_error(
            "Negative padding is larger than the size of the corresponding dimension: got "
            f"padding={tuple(pads)} for lhs_shape[2:]={tuple(lhs_shape[2:])}")
    space = tuple(_stride_dim(p, k, s) for p, k, s in zip(padded, rhs_shape[2:], strides))
    return (lhs_shape[0] // batch_group_count, rhs_shape[0]) + space


def conv_general_shape_tuple(lhs_shape, rhs_shape, window_strides, padding,
                             dimension_numbers) -> tuple:
    """Output shape of conv_general_dilated (no dilation) for string dimension numbers."""
    lp, rp, op = conv_general_permutations(dimension_numbers)
    out = conv_shape_tuple([lhs_shape[i] for i in lp], [rhs_shape[i] for i in rp],
                           window_strides, padding)
    return tuple(out[i] for i in np.argsort(op))


def conv_transpose_shape_tuple(lhs_shape, rhs_shape, window_strides, padding,
                               dimension_numbers) -> tuple:
    """Output shape of conv_transpose for string dimension numbers."""
    lp, rp, op = conv_general_permutations(dimension_numbers)
    lhs_t = [lhs_shape[i] for i in lp]
    rhs_t = [rhs_shape[i] for i in rp]
    if isinstance(padding, str):
        padding = [_conv_transpose_padding(k, s, padding)
                   for k, s in zip(rhs_t[2:], window_strides)]
    space = [(i - 1) * s - k + 2 + lo + hi
             for i, k, s, (lo, hi) in zip(lhs_t[2:], rhs_t[2:], window_strides, padding)]
    out = (lhs_t[0], rhs_t[0]) + tuple(space)
    return tuple(out[i] for i in np.argsort(op))


def _check_positive_seq(name, what, seq, n):
    if len(seq) != n:
        raise value_error(
            f"{name} {what} must have one entry per spatial dimension ({n}), got {seq}.")
    if not all(d >= 1 for d in seq):
        raise value_error(f"{name} {what} must be positive integers, got {seq}.")


def _conv_rule(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
               dimension_numbers, feature_group_count, batch_group_count, precision=None,
               preferred_element_type=None):
    name = "conv_general_dilated"
    if lhs.ndim != rhs.ndim:
        raise value_error(
            f"{name} lhs and rhs must have the same number of dimensions, but got "
            f"{lhs.shape} and {rhs.shape}.")
    if lhs.ndim < 2:
        raise value_error(f"{name} needs operands of rank at least 2, got {lhs.shape}.")
    lsp, rsp, osp = dimension_numbers
    for spec in dimension_numbers:
        if sorted(spec) != list(range(lhs.ndim)):
            raise value_error(
                f"{name} dimension_numbers {dimension_numbers} are not permutations of the "
                f"{lhs.ndim} operand dimensions.")
    if lhs.dtype != rhs.dtype:
        raise type_error(
            f"lax.{name} requires arguments to have the same dtypes, got "
            f"{dtype_str([lhs.dtype, rhs.dtype])}.")
    G, B = feature_group_count, batch_group_count
    if not G > 0:
        raise value_error(f"{name} feature_group_count must be a positive integer, got {G}.")
    C = lhs.shape[lsp[1]]
    q, r = divmod(C, G)
    if r:
        raise value_error(
            f"{name} feature_group_count must divide lhs feature dimension size, but {G} "
            f"does not divide {C}.")
    I, O = rhs.shape[rsp[1]], rhs.shape[rsp[0]]
    if q != I:
        raise value_error(
            f"{name} lhs feature dimension size divided by feature_group_count must equal "
            f"the rhs input feature dimension size, but {C} // {G} != {I}.")
    if O % G:
        raise value_error(
            f"{name} rhs output feature dimension size must be a multiple of "
            f"feature_group_count, but {O} is not a multiple of {G}.")
    if not B > 0:
        raise value_error(f"{name} batch_group_count must be a positive integer, got {B}.")
    N = lhs.shape[lsp[0]]
    if B > 1 and N % B:
        raise value_error(
            f"{name} batch_group_count must divide lhs batch dimension size, but {B} does "
            f"not divide {N}.")
    if O % B:
        raise value_error(
            f"{name} rhs output feature dimension size must be a multiple of "
            f"batch_group_count, but {O} is not a multiple of {B}.")
    if B > 1 and G > 1:
        raise value_error(
            "At most one of batch_group_count and feature_group_count may be > 1, got "
            f"batch_group_count={B} and feature_group_count={G}")
    nsp = lhs.ndim - 2
    if len(window_strides) != nsp:
        raise value_error(
            f"{name} window and window_strides must have the same number of dimensions, "
            f"but got {nsp} and {len(window_strides)}")
    _check_positive_seq(name, "window_strides", window_strides, nsp)
    _check_positive_seq(name, "lhs_dilation", lhs_dilation, nsp)
    _check_positive_seq(name, "rhs_dilation", rhs_dilation, nsp)
    lhs_t = [lhs.shape[i] for i in lsp]
    rhs_t = [rhs.shape[i] for i in rsp]
    lhs_t = lhs_t[:2] + [_dilate_dim(d, k) for d, k in zip(lhs_t[2:], lhs_dilation)]
    rhs_t = rhs_t[:2] + [_dilate_dim(d, k) for d, k in zip(rhs_t[2:], rhs_dilation)]
    out_t = conv_shape_tuple(lhs_t, rhs_t, window_strides, padding, B)
    out_shape = tuple(out_t[i] for i in np.argsort(osp))
    if preferred_element_type is None:
        out_dtype = lhs.dtype
    else:
        _validate_preferred(lhs.dtype, preferred_element_type)
        out_dtype = preferred_element_type
    return aval(out_shape, out_dtype, lhs.weak_type and rhs.weak_type)


def _validate_preferred(input_dtype: np.dtype, preferred: np.dtype):
    if not (input_dtype.kind in "iu" and preferred.kind == "f"):
        for kinds in ("iu", "f"):
            if input_dtype.kind in kinds and preferred.kind not in kinds:
                raise type_error(
                    "Input type is incompatible with `preferred_element_type`. The compatible "
                    "combinations of (input_type, preferred_element_type) are (integral, "
                    "integral), (integral, floating), (floating, floating); got "
                    f"({input_dtype.name}, {preferred.name}).")
        if input_dtype.kind == "i" and preferred.kind != "i":
            raise type_error(
                "`preferred_element_type` must have the same signedness as the original "
                f"type; got {preferred.name} for {input_dtype.name}.")
    if preferred.itemsize < input_dtype.itemsize:
        raise type_error(
            "`preferred_element_type` must not be narrower than the original type; got "
            f"{preferred.name} for {input_dtype.name}.")


def _conv_impl(lhs, rhs, *, window_strides, padding, lhs_dilation, rhs_dilation,
               dimension_numbers, feature_group_count, batch_group_count, precision=None,
               preferred_element_type=None):
    lsp, rsp, osp = dimension_numbers
    out_dtype = lhs.dtype if preferred_element_type is None else preferred_element_type
    acc_dtype = _compute_dtype(lhs.dtype, out_dtype)
    nsp = lhs.ndim - 2
    spatial = tuple(range(2, 2 + nsp))
    # Canonical layouts: lhs (N, C, *spatial), rhs (O, I, *window).
    x = np.transpose(lhs, lsp).astype(acc_dtype)
    w = np.transpose(rhs, rsp).astype(acc_dtype)
    x = _dilate_and_pad(x, spatial, padding, [d - 1 for d in lhs_dilation], 0)
    N, C = x.shape[:2]
    O, I = w.shape[:2]
    window = w.shape[2:]
    G, B = feature_group_count, batch_group_count
    dilated = [_dilate_dim(k, d) for k, d in zip(window, rhs_dilation)]
    out_sp = tuple(_stride_dim(p, k, s) for p, k, s in zip(x.shape[2:], dilated, window_strides))
    canon_shape = (N // B, O) + out_sp
    if 0 in canon_shape or 0 in window or I == 0:
        out = np.zeros(canon_shape, acc_dtype)
    else:
        # Crop so every remaining position starts a full window, then gather.
        x = x[(slice(None), slice(None)) + tuple(
            slice(0, (o - 1) * s + k) for o, s, k in zip(out_sp, window_strides, dilated))]
        patches = _windows(x, spatial, window, window_strides, rhs_dilation)
        # patches: (N, C, *out_sp, *window). im2col per group, then one batched matmul.
        kprod = int(np.prod(window))
        oprod = int(np.prod(out_sp))
        if B > 1:
            p = patches.reshape((B, N // B, C) + out_sp + tuple(window))
            p = np.moveaxis(p, 2, 2 + nsp)  # (B, N/B, *out, C, *window)
            p = p.reshape(B, (N // B) * oprod, C * kprod)
            k = w.reshape(B, O // B, I * kprod).transpose(0, 2, 1)
            res = np.matmul(p, k)  # (B, N/B * out, O/B)
            res = res.reshape((B, N // B) + out_sp + (O // B,))
            res = np.moveaxis(res, 0, -2).reshape((N // B,) + out_sp + (O,))
        else:
            p = patches.reshape((N, G, C // G) + out_sp + tuple(window))
            p = np.moveaxis(p, 1, 0)  # (G, N, C/G, *out, *window)
            p = np.moveaxis(p, 2, 2 + nsp)  # (G, N, *out, C/G, *window)
            p = p.reshape(G, N * oprod, (C // G) * kprod)
            k = w.reshape(G, O // G, I * kprod).transpose(0, 2, 1)
            res = np.matmul(p, k)  # (G, N * out, O/G)
            res = res.reshape((G, N) + out_sp + (O // G,))
            res = np.moveaxis(res, 0, -2).reshape((N,) + out_sp + (O,))
        out = np.moveaxis(res, -1, 1)  # (N', O, *out)
    out = _finish(out, out_dtype)
    return np.transpose(out, np.argsort(osp))


conv_general_dilated_p = def_primitive("conv_general_dilated", _conv_rule, _conv_impl)


def _conv_jvp(primals, tangents, **params):
    # Bilinear in (lhs, rhs), like dot_general.
    lhs, rhs = primals
    g_lhs, g_rhs = tangents
    out = conv_general_dilated_p.bind(lhs, rhs, **params)
    t_out = Zero.from_value(out)
    if t_out.aval.dtype == float0:
        return out, t_out
    if not _is_zero_tangent(g_lhs):
        t_out = add_tangents(t_out, _as_dtype(conv_general_dilated_p.bind(g_lhs, rhs, **params),
                                              t_out.aval.dtype))
    if not _is_zero_tangent(g_rhs):
        t_out = add_tangents(t_out, _as_dtype(conv_general_dilated_p.bind(lhs, g_rhs, **params),
                                              t_out.aval.dtype))
    return out, t_out


def _spec_swap(spec) -> tuple:
    """A dimension spec with its first two roles exchanged (batch <-> feature, O <-> I)."""
    return (spec[1], spec[0]) + tuple(spec[2:])


def _split_axis(x, axis: int, size: int):
    """Reshape `axis` of length size * rest into two axes (size, rest)."""
    shape = list(x.shape)
    shape[axis:axis + 1] = [size, shape[axis] // size]
    return _shapes.reshape(x, tuple(shape))


def _merge_axis_into(x, src: int, dst: int):
    """Fold axis `src` into axis `dst` (numbered with `src` removed) as its major part."""
    perm = [i for i in range(x.ndim) if i != src]
    perm.insert(dst, src)
    shape = [d for i, d in enumerate(x.shape) if i != src]
    shape[dst] *= x.shape[src]
    return _shapes.reshape(_shapes.transpose(x, tuple(perm)), tuple(shape))


def _conv_vjp_lhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation,
                          rhs_dilation):
    """Padding of the convolution of the (stride-dilated) cotangent with the reversed
    kernel that gives back an input-sized result: every input position sees exactly
    the output positions whose windows covered it."""
    pads = []
    for i, k, s, o, (lo, _), ld, rd in zip(in_shape, window, strides, out_shape, padding,
                                           lhs_dilation, rhs_dilation):
        in_d, k_d, out_d = _dilate_dim(i, ld), _dilate_dim(k, rd), _dilate_dim(o, s)
        before = k_d - lo - 1
        pads.append((before, in_d + k_d - 1 - out_d - before))
    return tuple(pads)


def _conv_vjp_rhs_padding(in_shape, window, strides, out_shape, padding, lhs_dilation,
                          rhs_dilation):
    """Padding of the convolution of the input with the (stride-dilated) cotangent as
    kernel that gives back a kernel-sized result (the forward low padding, and a high
    padding cropping the input rows no window reached)."""
    pads = []
    for i, k, s, o, (lo, _), ld, rd in zip(in_shape, window, strides, out_shape, padding,
                                           lhs_dilation, rhs_dilation):
        in_d, k_d, out_d = _dilate_dim(i, ld), _dilate_dim(k, rd), _dilate_dim(o, s)
        pads.append((lo, out_d - in_d + k_d - lo - 1))
    return tuple(pads)


def _conv_transpose_lhs(ct, rhs, lhs_aval, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision):
    # The input gradient is a convolution of the cotangent (dilated by the forward
    # strides) with the spatially reversed kernel whose in/out features are swapped.
    lsp, rsp, osp = dimension_numbers
    G, B = feature_group_count, batch_group_count
    in_sp = [lhs_aval.shape[i] for i in lsp[2:]]
    k_sp = [rhs.shape[i] for i in rsp[2:]]
    out_sp = [ct.shape[i] for i in osp[2:]]
    w = _as_dtype(rhs, ct.dtype)
    groups = max(G, B)
    if groups > 1:
        # Each group's output features become that group's input features.
        w = _merge_axis_into(_split_axis(w, rsp[0], groups), rsp[0], rsp[1])
    pads = _conv_vjp_lhs_padding(in_sp, k_sp, window_strides, out_sp, padding, lhs_dilation,
                                 rhs_dilation)
    w = _shapes.rev(w, tuple(rsp[2:]))
    out = conv_general_dilated_p.bind(
        ct, w, window_strides=tuple(lhs_dilation), padding=pads,
        lhs_dilation=tuple(window_strides), rhs_dilation=tuple(rhs_dilation),
        dimension_numbers=ConvDimensionNumbers(tuple(osp), _spec_swap(rsp), tuple(lsp)),
        feature_group_count=groups, batch_group_count=1, precision=precision,
        preferred_element_type=None)
    if B > 1:  # the batch groups came out stacked along the feature dimension
        out = _merge_axis_into(_split_axis(out, lsp[1], B), lsp[1], lsp[0])
    return _as_dtype(out, lhs_aval.dtype)


def _conv_transpose_rhs(ct, lhs, rhs_aval, *, window_strides, padding, lhs_dilation,
                        rhs_dilation, dimension_numbers, feature_group_count,
                        batch_group_count, precision):
    # The kernel gradient is a convolution of the input with the cotangent as kernel,
    # contracting over the batch: batch and feature roles swap, and so do the two
    # kinds of grouping.
    lsp, rsp, osp = dimension_numbers
    if 0 in ct.shape:
        return _shapes.full(rhs_aval.shape, 0, rhs_aval.dtype)
    in_sp = [lhs.shape[i] for i in lsp[2:]]
    k_sp = [rhs_aval.shape[i] for i in rsp[2:]]
    out_sp = [ct.shape[i] for i in osp[2:]]
    pads = _conv_vjp_rhs_padding(in_sp, k_sp, window_strides, out_sp, padding, lhs_dilation,
                                 rhs_dilation)
    out = conv_general_dilated_p.bind(
        _as_dtype(lhs, ct.dtype), ct, window_strides=tuple(rhs_dilation), padding=pads,
        lhs_dilation=tuple(lhs_dilation), rhs_dilation=tuple(window_strides),
        dimension_numbers=ConvDimensionNumbers(_spec_swap(lsp), _spec_swap(osp),
                                               _spec_swap(rsp)),
        feature_group_count=batch_group_count, batch_group_count=feature_group_count,
        precision=precision, preferred_element_type=None)
    return _as_dtype(out, rhs_aval.dtype)


def _conv_transpose(ct, lhs, rhs, *, preferred_element_type=None, **params):
    if is_undefined_primal(lhs) and is_undefined_primal(rhs):
        raise ValueError("conv_general_dilated is bilinear: transposing it needs one known "
                         "operand")
    if is_undefined_primal(lhs):
        return [_conv_transpose_lhs(ct, rhs, lhs.aval, **params), None]
    return [None, _conv_transpose_rhs(ct, lhs, rhs.aval, **params)]


jvp_rules[conv_general_dilated_p] = _conv_jvp
transpose_rules[conv_general_dilated_p] = _conv_transpose


def _fold_groups(x, bdim: int, dim: int, groups: int):
    """Fold batch axis `bdim` of x into axis `dim` (numbered without the batch axis),
    inside each of `groups` major groups of `dim`: a dim laid out (groups, rest) becomes
    (groups, batch, rest). With groups == 1 the batch is simply the major part."""
    if groups == 1:
        return _merge_axis_into(x, bdim, dim)
    at = dim + (bdim <= dim)  # `dim` in x's numbering
    x = _split_axis(x, at, groups)  # ..., groups, rest, ...
    bdim += bdim > at
    x = _merge_axis_into(x, bdim, at + 1 - (bdim < at + 1))  # rest -> (batch, rest)
    return _merge_axis_into(x, dim, dim)  # groups back in front


def _unfold_groups(x, dim: int, size: int, groups: int):
    """Inverse of _fold_groups on an output: axis `dim` laid out (groups, size, rest)
    becomes a batch axis of `size` at `dim`, followed by (groups, rest) at dim + 1."""
    if groups == 1:
        return _split_axis(x, dim, size)
    x = _split_axis(x, dim, groups)  # groups, size * rest
    x = _split_axis(x, dim + 1, size)  # groups, size, rest
    return _merge_axis_into(x, dim, dim + 1)  # size, groups * rest


def _conv_batch(vals, dims, *, dimension_numbers, feature_group_count, batch_group_count,
                **params):
    # One convolution for the whole batch: a batched lhs folds the batch into its batch
    # dimension N; a batched rhs into its output features O (inside the feature or
    # batch groups, which must stay outermost); both batched, into the feature groups
    # (or the batch groups when those are in use), so each example sees its own kernel.
    lhs, rhs = vals
    ld, rd = dims
    lsp, rsp, osp = dimension_numbers
    G, B = feature_group_count, batch_group_count

    def conv(x, w, g, b):
        return conv_general_dilated_p.bind(
            x, w, dimension_numbers=dimension_numbers, feature_group_count=g,
            batch_group_count=b, **params)

    if ld is not None and rd is not None:
        size = lhs.shape[ld]
        if B > 1:
            x, G2, B2 = _merge_axis_into(lhs, ld, lsp[0]), G, B * size
        else:
            x, G2, B2 = _merge_axis_into(lhs, ld, lsp[1]), G * size, B
        w = _merge_axis_into(rhs, rd, rsp[0])
        return _split_axis(conv(x, w, G2, B2), osp[1], size), osp[1]
    if ld is not None:
        size = lhs.shape[ld]
        # with batch groups, N is (B, N / B) and the output batch is N / B
        x = _fold_groups(lhs, ld, lsp[0], B)
        return _split_axis(conv(x, rhs, G, B), osp[0], size), osp[0]
    size = rhs.shape[rd]
    groups = max(G, B)  # O is (groups, O / groups) for either kind of grouping
    w = _fold_groups(rhs, rd, rsp[0], groups)
    return _unfold_groups(conv(lhs, w, G, B), osp[1], size, groups), osp[1]


batching.batching_rules[conv_general_dilated_p] = _conv_batch


def conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=None,
                         rhs_dilation=None, dimension_numbers=None, feature_group_count=1,
                         batch_group_count=1, precision=None, preferred_element_type=None):
    """General n-D convolution with strides, padding, dilations and groups.

    `padding` is 'SAME', 'SAME_LOWER', 'VALID' or a sequence of (low, high) pairs
    (negative pads crop). `dimension_numbers` is None (NCHW / OIHW / NCHW), a
    ConvDimensionNumbers, or string specs such as ('NHWC', 'HWIO', 'NHWC').

    >>> x = jnp.ones((1, 8, 8, 3)); k = jnp.ones((3, 3, 3, 4))  # doctest: +SKIP
    >>> lax.conv_general_dilated(x, k, (1, 1), 'SAME',  # doctest: +SKIP
    ...                          dimension_numbers=('NHWC', 'HWIO', 'NHWC')).shape
    (1, 8, 8, 4)
    """
    lhs, rhs = asarray(lhs), asarray(rhs)
    dnums = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    nsp = lhs.ndim - 2
    window_strides = _index_tuple(window_strides, "window_strides")
    if lhs_dilation is None:
        lhs_dilation = (1,) * nsp
    else:
        lhs_dilation = _index_tuple(lhs_dilation, "lhs_dilation")
        if isinstance(padding, str) and any(d != 1 for d in lhs_dilation):
            raise value_error(
                "String padding is not implemented for transposed convolution using this "
                "op. Please either exactly specify the required padding or use "
                "conv_transpose.")
    rhs_dilation = (1,) * nsp if rhs_dilation is None else _index_tuple(
        rhs_dilation, "rhs_dilation")
    if isinstance(padding, str):
        rhs_t = [rhs.shape[i] for i in dnums.rhs_spec][2:]
        lhs_t = [lhs.shape[i] for i in dnums.lhs_spec][2:]
        eff = [_dilate_dim(k, r) for k, r in zip(rhs_t, rhs_dilation)]
        padding = padtype_to_pads(lhs_t, eff, window_strides, padding)
    padding = _explicit_pads(padding, "conv_general_dilated")
    return conv_general_dilated_p.bind(
        lhs, rhs, window_strides=window_strides, padding=padding,
        lhs_dilation=lhs_dilation, rhs_dilation=rhs_dilation, dimension_numbers=dnums,
        feature_group_count=operator.index(feature_group_count),
        batch_group_count=operator.index(batch_group_count),
        precision=_canonicalize_precision(precision),
        preferred_element_type=_canonicalize_preferred(preferred_element_type,
                                                       "conv_general_dilated"))


def conv(lhs, rhs, window_strides, padding, precision=None, preferred_element_type=None):
    """Convolution in NCHW / OIHW layout (lax.conv).

    >>> lax.conv(jnp.ones((1, 3, 8, 8)), jnp.ones((4, 3, 3, 3)), (1, 1), 'VALID').shape  # doctest: +SKIP
    (1, 4, 6, 6)
    """
    return conv_general_dilated(lhs, rhs, window_strides, padding, precision=precision,
                                preferred_element_type=preferred_element_type)


def conv_with_general_padding(lhs, rhs, window_strides, padding, lhs_dilation,
                              rhs_dilation, precision=None, preferred_element_type=None):
    """Convolution in NCHW / OIHW layout with dilations (lax.conv_with_general_padding).

    >>> lax.conv_with_general_padding(jnp.ones((1, 1, 5)), jnp.ones((1, 1, 2)), (1,),  # doctest: +SKIP
    ...                               ((1, 1),), (2,), None).shape
    (1, 1, 10)
    """
    return conv_general_dilated(lhs, rhs, window_strides, padding, lhs_dilation=lhs_dilation,
                                rhs_dilation=rhs_dilation, precision=precision,
                                preferred_element_type=preferred_element_type)


def _conv_transpose_padding(k, s, padding):
    """(before, after) padding of one dimension of a transposed convolution."""
    if padding == "SAME":
        pad_len = k + s - 2
        pad_a = k - 1 if s > k - 1 else -(-pad_len // 2)
    elif padding == "VALID":
        pad_len = k + s - 2 + max(k - s, 0)
        pad_a = k - 1
    elif isinstance(padding, tuple):
        pads = tuple(k - p - 1 for p in padding)
        pad_a = pads[0]
        pad_len = sum(pads)
    else:
        raise value_error(f"Invalid padding mode: {padding}")
    return pad_a, pad_len - pad_a


def conv_transpose(lhs, rhs, strides, padding, rhs_dilation=None, dimension_numbers=None,
                   transpose_kernel=False, precision=None, preferred_element_type=None,
                   use_consistent_padding=False):
    """Transposed ("fractionally strided") convolution (lax.conv_transpose).

    Dimension numbers default to TensorFlow's layouts (NHWC, HWIO, NHWC).
    'SAME'/'VALID' padding name the forward convolution's padding; explicit pairs
    are the transposed convolution's own padding unless `use_consistent_padding`.

    >>> lax.conv_transpose(jnp.ones((1, 4, 4, 3)), jnp.ones((3, 3, 3, 8)), (2, 2),  # doctest: +SKIP
    ...                    'SAME').shape
    (1, 8, 8, 8)
    """
    lhs, rhs = asarray(lhs), asarray(rhs)
    if lhs.ndim != rhs.ndim or lhs.ndim < 2:
        raise value_error(
            f"conv_transpose needs lhs and rhs of equal rank >= 2, got {lhs.shape} and "
            f"{rhs.shape}")
    nd = lhs.ndim
    if dimension_numbers is None:
        defaults = {2: ("NC", "IO", "NC"), 3: ("NHC", "HIO", "NHC"),
                    4: ("NHWC", "HWIO", "NHWC"), 5: ("NHWDC", "HWDIO", "NHWDC")}
        if nd not in defaults:
            raise value_error("No 4+ dimensional dimension_number defaults.")
        dimension_numbers = defaults[nd]
    dn = conv_dimension_numbers(lhs.shape, rhs.shape, dimension_numbers)
    strides = _index_tuple(strides, "strides")
    k_sdims = [rhs.shape[i] for i in dn.rhs_spec[2:]]
    if rhs_dilation is None:
        rhs_dilation = (1,) * (nd - 2)
    rhs_dilation = _index_tuple(rhs_dilation, "rhs_dilation")
    if use_consistent_padding or (isinstance(padding, str) and padding in ("SAME", "VALID")):
        eff = [_dilate_dim(k, r) for k, r in zip(k_sdims, rhs_dilation)]
        rep = [padding] * len(strides) if isinstance(padding, str) else [
            tuple(p) for p in padding]
        pads = tuple(_conv_transpose_padding(k, s, p) for k, s, p in zip(eff, strides, rep))
    else:
        pads = padding
    if transpose_kernel:
        rhs = _shapes.rev(rhs, tuple(dn.rhs_spec[2:]))
        perm = list(range(nd))
        perm[dn.rhs_spec[0]], perm[dn.rhs_spec[1]] = perm[dn.rhs_spec[1]], perm[dn.rhs_spec[0]]
        rhs = _shapes.transpose(rhs, tuple(perm))
    return conv_general_dilated(lhs, rhs, (1,) * (nd - 2), pads, strides, rhs_dilation, dn,
                                precision=precision,
                                preferred_element_type=preferred_element_type)


# ----------------------------------------------------------------------------- reduce_window

def reduce_window_shape_tuple(operand_shape, window_dimensions, window_strides, padding,
                              base_dilation=None, window_dilation=None) -> tuple:
    """Output shape of a windowed reduction."""
    if base_dilation is not None:
        operand_shape = [_dilate_dim(d, b) for d, b in zip(operand_shape, base_dilation)]
    if window_dilation is not None:
        window_dimensions = [_dilate_dim(w, d) for w, d in zip(window_dimensions,
                                                                window_dilation)]
    padded = [d + lo + hi for d, (lo, hi) in zip(operand_shape, padding)]
    return tuple(_stride_dim(p, w, s) for p, w, s in zip(padded, window_dimensions,
                                                          window_strides))


def _identity(kind: str, dtype: np.dtype):
    if kind == "sum":
        return np.zeros((), dtype)[()]
    big = kind == "min"
    if dtype == np.bool_:
        return np.bool_(big)
    if dtype.kind == "f":
        return dtype.type(np.inf if big else -np.inf)
    info = np.iinfo(dtype)
    return dtype.type(info.max if big else info.min)


def _reduce_window_rule(kind):
    name = f"reduce_window_{kind}"

    def rule(operand, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        if kind == "sum" and operand.dtype.kind not in "iuf":
            raise type_error(
                f"operand to {name} must have a number dtype, got {operand.dtype.name}")
        n = len(window_dimensions)
        if operand.ndim != n:
            raise type_error(
                "reduce_window got the wrong number of window_dimensions for operand: got "
                f"operand shape {operand.shape} with window_dimensions {window_dimensions}.")
        for what, seq, low in (("window_dimensions", window_dimensions, 1),
                               ("window_strides", window_strides, 1),
                               ("base_dilation", base_dilation, 1),
                               ("window_dilation", window_dilation, 1)):
            if len(seq) != n:
                raise type_error(
                    f"reduce_window got inconsistent {what} and window_dimensions: got "
                    f"{what} {seq} and window_dimensions {window_dimensions}.")
            if not all(d >= low for d in seq):
                raise type_error(
                    f"reduce_window {what} must have every element be strictly positive, "
                    f"got {seq}.")
        if len(padding) != n:
            raise type_error(
                f"reduce_window got inconsistent padding and window_dimensions: got padding "
                f"{padding} and window_dimensions {window_dimensions}.")
        dil = [_dilate_dim(d, b) for d, b in zip(operand.shape, base_dilation)]
        if any(d + lo + hi < 0 for d, (lo, hi) in zip(dil, padding)):
            raise value_error(
                f"reduce_window negative padding {padding} is larger than the operand "
                f"shape {operand.shape}.")
        shape = reduce_window_shape_tuple(operand.shape, window_dimensions, window_strides,
                                          padding, base_dilation, window_dilation)
        return aval(shape, operand.dtype, operand.weak_type)

    return rule


def _reduce_window_impl(kind):
    def impl(operand, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        dt = operand.dtype
        ident = _identity(kind, dt)
        axes = tuple(range(operand.ndim))
        out_shape = reduce_window_shape_tuple(operand.shape, window_dimensions,
                                              window_strides, padding, base_dilation,
                                              window_dilation)
        if 0 in out_shape or operand.ndim == 0:
            if operand.ndim == 0:
                return operand.copy()
            return np.full(out_shape, ident, dt)
        x = _dilate_and_pad(operand, axes, padding, [b - 1 for b in base_dilation], ident)
        dilated = [_dilate_dim(w, d) for w, d in zip(window_dimensions, window_dilation)]
        x = x[tuple(slice(0, (o - 1) * s + k)
                    for o, s, k in zip(out_shape, window_strides, dilated))]
        win = _windows(x, axes, window_dimensions, window_strides, window_dilation)
        red_axes = tuple(range(operand.ndim, 2 * operand.ndim))
        if kind == "sum":
            acc = np.float32 if dt == np.float16 else (np.int64 if dt.kind in "iu" else dt)
            return np.sum(win, axis=red_axes, dtype=acc).astype(dt)
        if kind == "max":
            return np.max(win, axis=red_axes)
        return np.min(win, axis=red_axes)

    return impl


reduce_window_sum_p = def_primitive("reduce_window_sum", _reduce_window_rule("sum"),
                                    _reduce_window_impl("sum"))
reduce_window_max_p = def_primitive("reduce_window_max", _reduce_window_rule("max"),
                                    _reduce_window_impl("max"))
reduce_window_min_p = def_primitive("reduce_window_min", _reduce_window_rule("min"),
                                    _reduce_window_impl("min"))



def _reduce_window_sum_transpose(ct, operand, *, window_dimensions, window_strides, padding,
                                 base_dilation, window_dilation):
    # Each input element received the sum over the windows covering it: spread the
    # cotangent back (dilate it by the strides, pad as for a convolution's input
    # gradient) and sum it over the same, symmetric, all-ones window.
    in_shape = operand.aval.shape
    n = len(in_shape)
    pads = _conv_vjp_lhs_padding(in_shape, window_dimensions, window_strides, ct.shape,
                                 padding, base_dilation, window_dilation)
    config = [(lo, hi, s - 1) for (lo, hi), s in zip(pads, window_strides)]
    padded = _shapes.pad(ct, _identity("sum", np.dtype(ct.dtype)), config)
    res = reduce_window_sum_p.bind(padded, window_dimensions=tuple(window_dimensions),
                                   window_strides=tuple(base_dilation),
                                   padding=((0, 0),) * n, base_dilation=(1,) * n,
                                   window_dilation=tuple(window_dilation))
    return [res]


deflinear(reduce_window_sum_p, _reduce_window_sum_transpose)


def _window_stack(x, fill, *, window_dimensions, window_strides, padding, base_dilation,
                  window_dilation, out_shape):
    """Every window of `x` side by side: shape out_shape + (prod(window),), the last
    axis running over the window positions in row-major order. Built from pad (base
    dilation and padding, holes filled with `fill`) and one strided slice per window
    position, so it is differentiable and transposable like any lax code."""
    n = len(window_dimensions)
    config = [(lo, hi, b - 1) for (lo, hi), b in zip(padding, base_dilation)]
    if any(c != (0, 0, 0) for c in config):
        x = _shapes.pad(x, fill, config)
    pieces = []
    for offsets in itertools.product(*(range(w) for w in window_dimensions)):
        start = tuple(o * d for o, d in zip(offsets, window_dilation))
        limit = tuple(st + (m - 1) * s + 1 for st, m, s in zip(start, out_shape,
                                                                window_strides))
        piece = _ix.slice(x, start, limit, tuple(window_strides))
        pieces.append(_shapes.expand_dims(piece, (n,)))
    return pieces[0] if len(pieces) == 1 else _shapes.concatenate(pieces, n)


def _reduce_window_chooser_jvp(kind, prim):
    # The output is one element of each window (the first maximal/minimal one in
    # window order), so its tangent is that element's tangent.
    def jvp(primals, tangents, **params):
        (x,), (t,) = primals, tangents
        out = prim.bind(x, **params)
        out_shape = tuple(out.shape)
        n = len(out_shape)
        if n == 0:  # a rank-0 operand is its own window
            return out, t
        dt = np.dtype(x.dtype)
        if 0 in out_shape or dt.kind != "f":
            return out, Zero.from_value(out)
        xs = _window_stack(x, _identity(kind, dt), out_shape=out_shape, **params)
        ts = _window_stack(t, _identity("sum", dt), out_shape=out_shape, **params)
        choose = _red.argmax if kind == "max" else _red.argmin
        idx = choose(xs, n, np.int32)
        hit = _ew.eq(_shapes.broadcasted_iota(np.int32, xs.shape, n),
                     _shapes.broadcast_in_dim(idx, xs.shape, tuple(range(n))))
        picked = _ew.select(hit, ts, _shapes.full_like(ts, 0))
        return out, _red.reduce_sum(picked, (n,))
    return jvp


jvp_rules[reduce_window_max_p] = _reduce_window_chooser_jvp("max", reduce_window_max_p)
jvp_rules[reduce_window_min_p] = _reduce_window_chooser_jvp("min", reduce_window_min_p)


def _reduce_window_batch_rule(prim):
    # The batch dimension gets a trivial window: size 1, stride 1, no padding or dilation.
    def rule(vals, dims, *, window_dimensions, window_strides, padding, base_dilation,
             window_dilation):
        (x,), (d,) = vals, dims

        def ins(seq, v):
            return tuple(seq[:d]) + (v,) + tuple(seq[d:])

        out = prim.bind(x, window_dimensions=ins(window_dimensions, 1),
                        window_strides=ins(window_strides, 1), padding=ins(padding, (0, 0)),
                        base_dilation=ins(base_dilation, 1),
                        window_dilation=ins(window_dilation, 1))
        return out, d
    return rule


for _p in (reduce_window_sum_p, reduce_window_max_p, reduce_window_min_p):
    batching.batching_rules[_p] = _reduce_window_batch_rule(_p)
del _p

_MONOIDS = {
    _ew.add: ("sum", reduce_window_sum_p),
    _ew.max: ("max", reduce_window_max_p),
    _ew.min: ("min", reduce_window_min_p),
}


def _concrete_scalar(x):
    if isinstance(x, Tracer):
        v = x.to_concrete_value()
        return None if v is None else np.asarray(v)
    return np.asarray(x)


def reduce_window(operand, init_value, computation, window_dimensions,
                  window_strides: Sequence[int] | None = None, padding="VALID",
                  base_dilation=None, window_dilation=None):
    """Reduce each window of `operand` with lax.add, lax.max or lax.min.

    `init_value` must be the identity of `computation` (0 for add, -inf / the
    dtype's minimum / False for max, +inf / maximum / True for min); padding
    and base-dilation holes hold that identity.

    >>> lax.reduce_window(jnp.arange(5.0), 0.0, lax.add, (2,), (1,), 'VALID')  # doctest: +SKIP
    Array([1., 3., 5., 7.], dtype=float32)
    """
    fn = computation
    while hasattr(fn, "__wrapped__"):  # public lax functions are api_boundary wrappers
        fn = fn.__wrapped__
    entry = _MONOIDS.get(fn)
    if entry is None:
        raise NotImplementedError(
            "tinyjax.lax.reduce_window supports computation in (lax.add, lax.max, "
            f"lax.min) only, got {computation!r}. General reductions (the reduce_window "
            "primitive with a jaxpr) are not implemented.")
    kind, prim = entry
    if isinstance(operand, (list, tuple)):
        raise NotImplementedError(
            "tinyjax.lax.reduce_window supports a single operand array, not a pytree of "
            "operands.")
    operand = asarray(operand)
    init = _concrete_scalar(init_value)
    if init is None or init.shape != ():
        raise NotImplementedError(
            "tinyjax.lax.reduce_window needs a concrete scalar init_value (the identity of "
            f"the computation), got {init_value!r}.")
    ident = _identity(kind, operand.dtype)
    op = "add" if kind == "sum" else kind
    if not bool(init == ident):
        raise NotImplementedError(
            f"tinyjax.lax.reduce_window with computation lax.{op} needs init_value equal to "
            f"its identity ({ident!r} for {operand.dtype.name}), got {init_value!r}. Reduce "
            f"with the identity and combine init_value afterwards, e.g. "
            f"lax.{op}(result, init_value).")
    window_dimensions = _index_tuple(window_dimensions, "window_dimensions")
    n = len(window_dimensions)
    if isinstance(padding, str):
        dil = window_dimensions if window_dilation is None else [
            _dilate_dim(w, d) for w, d in zip(window_dimensions,
                                              _index_tuple(window_dilation, "window_dilation"))]
        padding = padtype_to_pads(operand.shape, dil, window_strides or (1,) * n, padding)
    padding = _explicit_pads(padding, "reduce_window")
    window_strides = (1,) * n if window_strides is None else _index_tuple(
        window_strides, "window_strides")
    base_dilation = (1,) * n if base_dilation is None else _index_tuple(
        base_dilation, "base_dilation")
    window_dilation = (1,) * n if window_dilation is None else _index_tuple(
        window_dilation, "window_dilation")
    return prim.bind(operand, window_dimensions=window_dimensions,
                     window_strides=window_strides, padding=padding,
                     base_dilation=base_dilation, window_dilation=window_dilation)
