"""Elementwise primitives: arithmetic, transcendental and special functions,
comparisons, logical/bitwise ops, shifts, select_n, clamp, conversions.

Each primitive is defined in one block: the primitive, its public function, its
shape/dtype rule and its eager (NumPy) implementation. Binary operations follow
lax's rules: equal dtypes (Python scalars become weakly typed arrays of their
default dtype), and shapes of equal rank that broadcast over size-1 dimensions,
or rank-0 operands.
"""
from __future__ import annotations

import numpy as np

from ..core import dtypes, pytree
from ..core.abstract import raise_to_shaped
from ..core.ad_util import Zero, add_any_p, add_tangents, float0, tangent_aval
from ..core.array import Array
from ..interpreters.ad import defjvp_zero, is_undefined_primal, jvp_rules, transpose_rules
from ..interpreters.batching import (
    batching_rules,
    defbroadcasting,
    defvectorized,
    matchaxis,
    moveaxis,
    not_mapped,
)
from ..interpreters.eval import array_impl_rules, eval_numpy_impl
from ._base import (
    asarray,
    aval,
    broadcast_shapes_lax,
    def_primitive,
    dtype_str,
    shape_str,
    type_error,
)

__all__ = [
    'RoundingMethod',
    'abs',
    'abs_p',
    'acos',
    'acos_p',
    'acosh',
    'acosh_p',
    'add',
    'add_p',
    'and_p',
    'asin',
    'asin_p',
    'asinh',
    'asinh_p',
    'atan',
    'atan2',
    'atan2_p',
    'atan_p',
    'atanh',
    'atanh_p',
    'bessel_i0e',
    'bessel_i0e_p',
    'bessel_i1e',
    'bessel_i1e_p',
    'betainc',
    'bitcast_convert_type',
    'bitcast_convert_type_p',
    'bitwise_and',
    'bitwise_not',
    'bitwise_or',
    'bitwise_xor',
    'cbrt',
    'cbrt_p',
    'ceil',
    'ceil_p',
    'clamp',
    'clamp_p',
    'clz',
    'clz_p',
    'convert_element_type',
    'convert_element_type_p',
    'convert_values',
    'cos',
    'cos_p',
    'cosh',
    'cosh_p',
    'digamma',
    'digamma_p',
    'div',
    'div_p',
    'eq',
    'eq_p',
    'erf',
    'erf_inv',
    'erf_inv_p',
    'erf_p',
    'erfc',
    'erfc_p',
    'exp',
    'exp2',
    'exp2_p',
    'exp_p',
    'expm1',
    'expm1_p',
    'floor',
    'floor_p',
    'ge',
    'ge_p',
    'gt',
    'gt_p',
    'igamma',
    'igamma_grad_a',
    'igamma_p',
    'igammac',
    'igammac_p',
    'integer_pow',
    'integer_pow_p',
    'is_finite',
    'is_finite_p',
    'le',
    'le_p',
    'lgamma',
    'lgamma_p',
    'log',
    'log1p',
    'log1p_p',
    'log_p',
    'logistic',
    'logistic_p',
    'lt',
    'lt_p',
    'max',
    'max_p',
    'min',
    'min_p',
    'mul',
    'mul_p',
    'ne',
    'ne_p',
    'neg',
    'neg_p',
    'nextafter',
    'nextafter_p',
    'not_p',
    'or_p',
    'polygamma',
    'polygamma_p',
    'population_count',
    'population_count_p',
    'pow',
    'pow_p',
    'reduce_precision',
    'reduce_precision_p',
    'reciprocal',
    'regularized_incomplete_beta_p',
    'rem',
    'rem_p',
    'round',
    'round_p',
    'rsqrt',
    'rsqrt_p',
    'select',
    'select_n',
    'select_n_p',
    'shift_left',
    'shift_left_p',
    'shift_right_arithmetic',
    'shift_right_arithmetic_p',
    'shift_right_logical',
    'shift_right_logical_p',
    'sign',
    'sign_p',
    'sin',
    'sin_p',
    'sinh',
    'sinh_p',
    'sqrt',
    'sqrt_p',
    'square',
    'square_p',
    'stop_gradient',
    'stop_gradient_p',
    'sub',
    'sub_p',
    'tan',
    'tan_p',
    'tanh',
    'tanh_p',
    'xor_p',
    'zeta',
    'zeta_p',
]

# dtype kinds accepted by each family ('b' bool, 'i' signed, 'u' unsigned, 'f' float)
FLOAT = "f"
INT = "iu"
NUMERIC = "iuf"
INT_OR_BOOL = "biu"
ANY = "biuf"

_KIND_NAMES = {FLOAT: "floating-point", INT: "integer", NUMERIC: "numeric",
               INT_OR_BOOL: "integer or boolean", ANY: "any"}


def _check_kind(name, dtype, kinds):
    if dtype.kind not in kinds:
        raise type_error(
            f"{name} does not accept dtype {dtype.name}; it requires {_KIND_NAMES[kinds]} "
            f"arguments."
        )


# ----------------------------------------------------------------------------- autodiff helpers
# Rules are written with lax functions (never NumPy) so they can be traced and
# differentiated again. lax's binary ops broadcast rank-0 and size-1 operands, so a
# JVP contribution is broadcast to the output shape and a cotangent summed back to
# its operand's shape.

def _const(x, c):
    """The scalar `c` in x's dtype, weakly typed so it never changes a result's type."""
    return Array(np.array(c, dtype=x.dtype), True)


def _zeros(x):
    """Zeros of x's shape and dtype (a broadcast constant, staged like JAX's full_like)."""
    from .shapes import full_like
    return full_like(x, 0)


def _bcast_to(t, shape):
    if tuple(t.shape) == tuple(shape):
        return t
    from .shapes import broadcast_in_dim
    dims = tuple(range(len(shape))) if t.ndim else ()
    return broadcast_in_dim(t, shape, dims)


def _unbroadcast(aval_, ct):
    """Sum the cotangent `ct` of a broadcast result back to an operand of type `aval_`."""
    if tuple(ct.shape) == tuple(aval_.shape):
        return ct
    from .reductions import reduce_sum
    from .shapes import reshape
    if not aval_.shape:
        return reduce_sum(ct, tuple(range(ct.ndim)))
    dims = tuple(i for i, (a, b) in enumerate(zip(ct.shape, aval_.shape)) if a != b)
    return reshape(reduce_sum(ct, dims), aval_.shape)


def _no_tangent(t) -> bool:
    # symbolic zeros, and the float0 tangents of integer and boolean values
    return type(t) is Zero or t.dtype == float0


def _defjvp(prim, *rules, with_ans=False):
    """One rule per argument, `rule(g, *primals, **params)` (with `with_ans`:
    `rule(g, ans, *primals, **params)`), giving that argument's contribution to the
    output tangent; None marks an argument that is not differentiable. Unlike
    ad.defjvp, contributions are broadcast to the output shape, and integer/bool
    outputs get a symbolic zero without calling any rule."""
    def jvp(primals, tangents, **params):
        out = prim.bind(*primals, **params)
        acc = Zero.from_value(out)
        if out.dtype.kind != "f":
            return out, acc
        for rule, t in zip(rules, tangents):
            if rule is None or _no_tangent(t):
                continue
            c = rule(t, out, *primals, **params) if with_ans else rule(t, *primals, **params)
            if type(c) is not Zero:
                c = _bcast_to(c, out.shape)
            acc = add_tangents(acc, c)
        return out, acc
    jvp_rules[prim] = jvp


def _defjvp2(prim, *rules):
    _defjvp(prim, *rules, with_ans=True)


# ----------------------------------------------------------------------------- vmap helpers

def _shape(x):
    return raise_to_shaped(x).shape


def _batch_size(vals, dims):
    return next(_shape(v)[d] for v, d in zip(vals, dims) if d is not not_mapped)


def _add_any_batch(vals, dims):
    # add_any (core's sum of tangents) wants operands of one type, so unlike lax's
    # binary ops an unbatched operand is broadcast along the batch, not left size-1
    (x, y), (xd, yd) = vals, dims
    size = _batch_size(vals, dims)
    d = yd if xd is not_mapped else xd
    return add_any_p.bind(matchaxis(x, xd, d, size), matchaxis(y, yd, d, size)), d


batching_rules[add_any_p] = _add_any_batch


# ----------------------------------------------------------------------------- unary

class _Special:
    # special_np is imported on first use (it is larger than everything else here)
    def __getattr__(self, name):
        from . import special_np as mod
        return getattr(mod, name)


special_np = _Special()


def unop_rule(name, kinds, out_dtype=None):
    def rule(x):
        _check_kind(name, x.dtype, kinds)
        if out_dtype is None:
            return aval(x.shape, x.dtype, x.weak_type)
        return aval(x.shape, out_dtype, False)
    return rule


def _unop(name, np_fn, kinds, out_dtype=None):
    p = def_primitive(name, unop_rule(name, kinds, out_dtype), np_fn)

    def fn(x):
        return p.bind(asarray(x))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (lax.{name}).\n\n>>> lax.{name}(x)  # doctest: +SKIP\n"
    return p, fn


def _round_impl(x, rounding_method=0):
    if int(rounding_method) == 1:
        return np.rint(x)
    t = np.trunc(x)
    frac = x - t
    return t + np.where(np.abs(frac) >= 0.5, np.sign(x), 0).astype(x.dtype)


def _logistic(x):
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e)).astype(x.dtype)


def _sign(x):
    if x.dtype.kind == "u":
        return (x > 0).astype(x.dtype)
    if x.dtype.kind == "f":
        return np.where(x == 0, x, np.sign(x))  # XLA keeps the sign of zero; np.sign does not
    return np.sign(x)


def _bits(dtype):
    return np.dtype(dtype).itemsize * 8


def _population_count(x):
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    out = np.zeros(x.shape, np.uint64)
    for _ in range(_bits(x.dtype)):
        out += u & np.uint64(1)
        u >>= np.uint64(1)
    return out.astype(x.dtype)


def _clz(x):
    nbits = _bits(x.dtype)
    u = x.view(np.dtype(f"u{x.dtype.itemsize}")).astype(np.uint64)
    out = np.full(x.shape, nbits, np.int64)
    for b in range(nbits):
        hit = ((u >> np.uint64(b)) & np.uint64(1)).astype(bool)
        out = np.where(hit, nbits - 1 - b, out)
    return out.astype(x.dtype)


def _not(x):
    return np.logical_not(x) if x.dtype == np.bool_ else np.invert(x)


def _bessel_i1e_jvp(g, y, x):
    # i1e'(x) = i0e(x) - i1e(x) (sign(x) + 1/x); near 0 the limit 1/2, avoiding 0/0
    eps = _const(x, np.finfo(x.dtype).eps)
    not_tiny = gt(abs(x), eps)
    safe_x = select(not_tiny, x, _bcast_to(eps, x.shape))
    dy = sub(bessel_i0e(safe_x), mul(y, add(sign(safe_x), reciprocal(safe_x))))
    return mul(g, select(not_tiny, dy, _bcast_to(_const(x, 0.5), x.shape)))


neg_p, neg = _unop("neg", np.negative, NUMERIC)
_defjvp(neg_p, lambda g, x: neg(g))
transpose_rules[neg_p] = lambda ct, x: [neg(ct)]
defvectorized(neg_p)
abs_p, abs = _unop("abs", np.abs, NUMERIC)
# as JAX: the derivative at 0 is +1 (select on x >= 0), not sign(0) = 0
_defjvp(abs_p, lambda g, x: select(ge(x, _const(x, 0)), g, neg(g)))
defvectorized(abs_p)
sign_p, sign = _unop("sign", _sign, NUMERIC)
defjvp_zero(sign_p)
defvectorized(sign_p)
floor_p, floor = _unop("floor", np.floor, FLOAT)
defjvp_zero(floor_p)
defvectorized(floor_p)
ceil_p, ceil = _unop("ceil", np.ceil, FLOAT)
defjvp_zero(ceil_p)
defvectorized(ceil_p)
is_finite_p, is_finite = _unop("is_finite", np.isfinite, FLOAT, np.dtype(bool))
defjvp_zero(is_finite_p)
defvectorized(is_finite_p)
exp_p, exp = _unop("exp", np.exp, FLOAT)
_defjvp2(exp_p, lambda g, ans, x: mul(g, ans))
defvectorized(exp_p)
exp2_p, exp2 = _unop("exp2", np.exp2, FLOAT)
_defjvp2(exp2_p, lambda g, ans, x: mul(_const(x, np.log(2)), mul(g, ans)))
defvectorized(exp2_p)
expm1_p, expm1 = _unop("expm1", np.expm1, FLOAT)
_defjvp2(expm1_p, lambda g, ans, x: mul(g, add(ans, _const(ans, 1))))
defvectorized(expm1_p)
log_p, log = _unop("log", np.log, FLOAT)
_defjvp(log_p, lambda g, x: div(g, x))
defvectorized(log_p)
log1p_p, log1p = _unop("log1p", np.log1p, FLOAT)
_defjvp(log1p_p, lambda g, x: div(g, add(x, _const(x, 1))))
defvectorized(log1p_p)
sqrt_p, sqrt = _unop("sqrt", np.sqrt, FLOAT)
_defjvp2(sqrt_p, lambda g, ans, x: mul(g, div(_const(x, 0.5), ans)))
defvectorized(sqrt_p)
rsqrt_p, rsqrt = _unop("rsqrt", lambda x: 1 / np.sqrt(x), FLOAT)
_defjvp2(rsqrt_p, lambda g, ans, x: mul(g, mul(_const(x, -0.5), div(ans, x))))
defvectorized(rsqrt_p)
cbrt_p, cbrt = _unop("cbrt", np.cbrt, FLOAT)
_defjvp2(cbrt_p, lambda g, ans, x: mul(g, mul(_const(x, 1 / 3), integer_pow(ans, -2))))
defvectorized(cbrt_p)
sin_p, sin = _unop("sin", np.sin, FLOAT)
_defjvp(sin_p, lambda g, x: mul(g, cos(x)))
defvectorized(sin_p)
cos_p, cos = _unop("cos", np.cos, FLOAT)
_defjvp(cos_p, lambda g, x: neg(mul(g, sin(x))))
defvectorized(cos_p)
tan_p, tan = _unop("tan", np.tan, FLOAT)
_defjvp2(tan_p, lambda g, ans, x: mul(g, add(_const(x, 1), square(ans))))
defvectorized(tan_p)
asin_p, asin = _unop("asin", np.arcsin, FLOAT)
_defjvp(asin_p, lambda g, x: mul(g, rsqrt(sub(_const(x, 1), square(x)))))
defvectorized(asin_p)
acos_p, acos = _unop("acos", np.arccos, FLOAT)
_defjvp(acos_p, lambda g, x: mul(g, neg(rsqrt(sub(_const(x, 1), square(x))))))
defvectorized(acos_p)
atan_p, atan = _unop("atan", np.arctan, FLOAT)
_defjvp(atan_p, lambda g, x: div(g, add(_const(x, 1), square(x))))
defvectorized(atan_p)
sinh_p, sinh = _unop("sinh", np.sinh, FLOAT)
_defjvp(sinh_p, lambda g, x: mul(g, cosh(x)))
defvectorized(sinh_p)
cosh_p, cosh = _unop("cosh", np.cosh, FLOAT)
_defjvp(cosh_p, lambda g, x: mul(g, sinh(x)))
defvectorized(cosh_p)
tanh_p, tanh = _unop("tanh", np.tanh, FLOAT)
# g * (1 - ans^2): the factor depends only on the primal, so linearize computes it once
# and the backward pass is a single multiply
_defjvp2(tanh_p, lambda g, ans, x: mul(g, sub(_const(x, 1), mul(ans, ans))))
defvectorized(tanh_p)
asinh_p, asinh = _unop("asinh", np.arcsinh, FLOAT)
_defjvp(asinh_p, lambda g, x: mul(g, rsqrt(add(square(x), _const(x, 1)))))
defvectorized(asinh_p)
acosh_p, acosh = _unop("acosh", np.arccosh, FLOAT)
_defjvp(acosh_p, lambda g, x: mul(g, rsqrt(sub(square(x), _const(x, 1)))))
defvectorized(acosh_p)
atanh_p, atanh = _unop("atanh", np.arctanh, FLOAT)
_defjvp(atanh_p, lambda g, x: mul(reciprocal(add(_const(x, 1), x)),
                                  div(g, sub(_const(x, 1), x))))
defvectorized(atanh_p)
logistic_p, logistic = _unop("logistic", _logistic, FLOAT)
_defjvp2(logistic_p, lambda g, ans, x: mul(g, mul(ans, sub(_const(ans, 1), ans))))
defvectorized(logistic_p)
erf_p, erf = _unop("erf", lambda *a: special_np.erf(*a), FLOAT)
_defjvp(erf_p, lambda g, x: mul(_const(x, 2 / np.sqrt(np.pi)), mul(g, exp(neg(square(x))))))
defvectorized(erf_p)
erfc_p, erfc = _unop("erfc", lambda *a: special_np.erfc(*a), FLOAT)
_defjvp(erfc_p, lambda g, x: mul(_const(x, -2 / np.sqrt(np.pi)), mul(g, exp(neg(square(x))))))
defvectorized(erfc_p)
erf_inv_p, erf_inv = _unop("erf_inv", lambda *a: special_np.erf_inv(*a), FLOAT)
_defjvp2(erf_inv_p, lambda g, ans, x: mul(_const(x, np.sqrt(np.pi) / 2),
                                           mul(g, exp(square(ans)))))
defvectorized(erf_inv_p)
lgamma_p, lgamma = _unop("lgamma", lambda *a: special_np.lgamma(*a), FLOAT)
_defjvp(lgamma_p, lambda g, x: mul(g, digamma(x)))
defvectorized(lgamma_p)
digamma_p, digamma = _unop("digamma", lambda *a: special_np.digamma(*a), FLOAT)
_defjvp(digamma_p, lambda g, x: mul(g, polygamma(_const(x, 1), x)))
defvectorized(digamma_p)
bessel_i0e_p, bessel_i0e = _unop("bessel_i0e", lambda *a: special_np.bessel_i0e(*a), FLOAT)
_defjvp2(bessel_i0e_p, lambda g, y, x: mul(g, sub(bessel_i1e(x), mul(sign(x), y))))
defvectorized(bessel_i0e_p)
bessel_i1e_p, bessel_i1e = _unop("bessel_i1e", lambda *a: special_np.bessel_i1e(*a), FLOAT)
_defjvp2(bessel_i1e_p, lambda g, y, x: _bessel_i1e_jvp(g, y, x))
defvectorized(bessel_i1e_p)
square_p, square = _unop("square", np.square, NUMERIC)
_defjvp(square_p, lambda g, x: mul(g, mul(_const(x, 2), x)))
defvectorized(square_p)
not_p, bitwise_not = _unop("not", _not, INT_OR_BOOL)
defjvp_zero(not_p)
defvectorized(not_p)
population_count_p, population_count = _unop("population_count", _population_count, INT)
defjvp_zero(population_count_p)
defvectorized(population_count_p)
clz_p, clz = _unop("clz", _clz, INT)
defjvp_zero(clz_p)
defvectorized(clz_p)

round_p = def_primitive("round", lambda x, rounding_method=0: unop_rule("round", FLOAT)(x),
                        _round_impl)
defjvp_zero(round_p)
defvectorized(round_p)


class RoundingMethod:
    AWAY_FROM_ZERO = 0
    TO_NEAREST_EVEN = 1


def round(x, rounding_method=RoundingMethod.AWAY_FROM_ZERO):
    """Round to the nearest integer; ties away from zero (default) or to even."""
    return round_p.bind(asarray(x), rounding_method=int(rounding_method))


def _integer_pow_rule(x, y):
    if y < 0 and x.dtype.kind != "f":
        raise type_error(
            f"Integers cannot be raised to negative powers, got integer_pow("
            f"{x.dtype.name}[{','.join(map(str, x.shape))}], {y})")
    return unop_rule("integer_pow", NUMERIC)(x)


def _integer_pow_impl(x, y):
    if y < 0:
        return np.power(x, np.asarray(y, x.dtype))
    if x.dtype.kind in "iu":
        # repeated squaring keeps wrap-around integer semantics
        acc = np.ones_like(x)
        base = x.copy()
        n = y
        while n:
            if n & 1:
                acc = acc * base
            base = base * base
            n >>= 1
        return acc
    return np.power(x, np.asarray(y, x.dtype))


integer_pow_p = def_primitive("integer_pow", _integer_pow_rule, _integer_pow_impl)


def _integer_pow_jvp(g, x, *, y):
    if y == 0:
        return Zero.from_value(g)
    if y == 1:
        return g
    if y == 2:
        return mul(g, mul(_const(x, 2), x))
    return mul(g, mul(_const(x, y), integer_pow(x, y - 1)))


_defjvp(integer_pow_p, _integer_pow_jvp)
defvectorized(integer_pow_p)


def reciprocal(x):
    """1 / x elementwise (lax.reciprocal), as integer_pow(x, -1)."""
    return integer_pow(x, -1)


def integer_pow(x, y: int):
    """x ** y for a static Python int y."""
    if not isinstance(y, (int, np.integer)) or isinstance(y, bool):
        raise type_error(f"integer_pow requires a Python int exponent, got {y!r}")
    return integer_pow_p.bind(asarray(x), y=int(y))


# ----------------------------------------------------------------------------- binary

def binop_rule(name, kinds, out_dtype=None):
    def rule(x, y):
        if x.dtype != y.dtype:
            raise type_error(
                f"lax.{name} requires arguments to have the same dtypes, got "
                f"{dtype_str([x.dtype, y.dtype])}. (Tip: jnp.{name} is a similar function "
                f"that does automatic type promotion on inputs)."
            )
        _check_kind(name, x.dtype, kinds)
        shape = x.shape if x.shape == y.shape else broadcast_shapes_lax(name, x.shape, y.shape)
        if out_dtype is None:
            return aval(shape, x.dtype, x.weak_type and y.weak_type)
        return aval(shape, out_dtype, False)
    return rule


def _binop(name, np_fn, kinds, out_dtype=None):
    p = def_primitive(name, binop_rule(name, kinds, out_dtype), np_fn)
    array_impl_rules[p] = _fast_binop_impl(p, np_fn, kinds, out_dtype)

    def fn(x, y):
        return p.bind(asarray(x), asarray(y))

    fn.__name__ = name
    fn.__doc__ = f"Elementwise {name} (lax.{name}).\n\n>>> lax.{name}(x, y)  # doctest: +SKIP\n"
    return p, fn


def _fast_binop_impl(p, np_fn, kinds, out_dtype):
    # Eager fast path for the common case (two Arrays of one dtype and shape):
    # skips building abstract values; everything else takes the checked path.
    def impl(x, y):
        if type(x) is Array and type(y) is Array:
            xv = x._value
            yv = y._value
            dt = xv.dtype
            if dt == yv.dtype and dt.kind in kinds and (
                    xv.shape == yv.shape or not yv.ndim or not xv.ndim):
                with np.errstate(all="ignore"):
                    out = np_fn(xv, yv)
                want = dt if out_dtype is None else out_dtype
                if type(out) is not np.ndarray or out.dtype != want:
                    out = np.asarray(out, want)
                return Array(out, out_dtype is None and x.weak_type and y.weak_type)
        return eval_numpy_impl(p, (x, y), {})
    return impl


def _int_div(x, y):
    if x.dtype.kind == "f":
        return np.true_divide(x, y)
    zero = y == 0
    safe_y = np.where(zero, np.ones_like(y), y)
    if x.dtype.kind == "i":
        # avoid INT_MIN // -1 overflow trap: result wraps to INT_MIN as in XLA
        minus1 = safe_y == -1
        safe_y = np.where(minus1, np.ones_like(y), safe_y)
        q = np.floor_divide(x, safe_y)
        q = np.where((np.remainder(x, safe_y) != 0) & ((x < 0) != (safe_y < 0)), q + 1, q)
        q = np.where(minus1, np.negative(x), q)
        return np.where(zero, np.asarray(-1, x.dtype), q)
    q = np.floor_divide(x, safe_y)
    return np.where(zero, np.asarray(np.iinfo(x.dtype).max, x.dtype), q)


def _rem(x, y):
    if x.dtype.kind == "f":
        return np.fmod(x, y)
    zero = y == 0
    safe_y = np.where(zero, np.ones_like(y), y)
    if x.dtype.kind == "i":
        safe_y = np.where(safe_y == -1, np.ones_like(y), safe_y)
    r = np.fmod(x, safe_y)
    return np.where(zero, x, r)


def _shift_left(x, y):
    nbits = _bits(x.dtype)
    u = np.dtype(f"u{x.dtype.itemsize}")
    yy = y.astype(u, copy=False) if y.dtype.kind == "i" else y
    big = (y < 0) | (yy >= nbits) if y.dtype.kind == "i" else yy >= nbits
    s = np.where(big, 0, yy).astype(u)
    out = np.left_shift(x.view(u) if x.ndim else np.asarray(x).view(u), s)
    return np.where(big, 0, out).astype(u).view(x.dtype)


def _shift_right_logical(x, y):
    nbits = _bits(x.dtype)
    u = np.dtype(f"u{x.dtype.itemsize}")
    yy = y.astype(u)
    big = (y < 0) | (yy >= nbits) if y.dtype.kind == "i" else yy >= nbits
    s = np.where(big, 0, yy).astype(u)
    out = np.right_shift(np.asarray(x).view(u), s)
    return np.where(big, 0, out).astype(u).view(x.dtype)


def _shift_right_arithmetic(x, y):
    nbits = _bits(x.dtype)
    sdt = np.dtype(f"i{x.dtype.itemsize}")
    yy = y.astype(np.dtype(f"u{x.dtype.itemsize}"))
    big = (y < 0) | (yy >= nbits) if y.dtype.kind == "i" else yy >= nbits
    s = np.where(big, nbits - 1, yy).astype(sdt)
    return np.right_shift(np.asarray(x).view(sdt), s).view(x.dtype)


def _logical(np_logical, np_bitwise):
    return lambda x, y: (np_logical if x.dtype == np.bool_ else np_bitwise)(x, y)


def _pow(x, y):
    return np.power(x, y.astype(x.dtype) if y.dtype != x.dtype else y)


add_p, add = _binop("add", np.add, NUMERIC)


def _add_sub_jvp(prim, sign_y):
    # linear: no rule calls, and a lone tangent is only broadcast (never added to zeros)
    def jvp(primals, tangents):
        out = prim.bind(*primals)
        xd, yd = tangents
        if out.dtype.kind != "f" or (_no_tangent(xd) and _no_tangent(yd)):
            return out, Zero.from_value(out)
        if _no_tangent(yd):
            return out, _bcast_to(xd, out.shape)
        if _no_tangent(xd):
            return out, _bcast_to(yd if sign_y > 0 else neg(yd), out.shape)
        return out, prim.bind(xd, yd)
    return jvp


def _add_transpose(ct, x, y):
    return [_unbroadcast(x.aval, ct) if is_undefined_primal(x) else None,
            _unbroadcast(y.aval, ct) if is_undefined_primal(y) else None]


jvp_rules[add_p] = _add_sub_jvp(add_p, 1)
transpose_rules[add_p] = _add_transpose
defbroadcasting(add_p)

sub_p, sub = _binop("sub", np.subtract, NUMERIC)


def _sub_transpose(ct, x, y):
    return [_unbroadcast(x.aval, ct) if is_undefined_primal(x) else None,
            _unbroadcast(y.aval, neg(ct)) if is_undefined_primal(y) else None]


jvp_rules[sub_p] = _add_sub_jvp(sub_p, -1)
transpose_rules[sub_p] = _sub_transpose
defbroadcasting(sub_p)

mul_p, mul = _binop("mul", np.multiply, NUMERIC)


def _mul_transpose(ct, x, y):
    # bilinear: linear in whichever operand is undefined, the other is a constant factor
    if is_undefined_primal(x) and is_undefined_primal(y):
        raise ValueError("mul of two linear values is not linear and cannot be transposed")
    if is_undefined_primal(x):
        return [_unbroadcast(x.aval, mul(ct, y)), None]
    return [None, _unbroadcast(y.aval, mul(x, ct))]


_defjvp(mul_p, lambda g, x, y: mul(g, y), lambda g, x, y: mul(x, g))
transpose_rules[mul_p] = _mul_transpose
defbroadcasting(mul_p)

div_p, div = _binop("div", _int_div, NUMERIC)


def _div_transpose(ct, x, y):
    if is_undefined_primal(y):
        raise ValueError("div is not linear in its denominator and cannot be transposed")
    return [_unbroadcast(x.aval, div(ct, y)), None]


_defjvp(div_p, lambda g, x, y: div(g, y),
        lambda g, x, y: mul(mul(neg(g), x), integer_pow(y, -2)))
transpose_rules[div_p] = _div_transpose
defbroadcasting(div_p)

rem_p, rem = _binop("rem", _rem, NUMERIC)
# rem(x, y) = x - y * trunc(x / y); trunc written as sign * floor(abs), as JAX does
_defjvp(rem_p, lambda g, x, y: g,
        lambda g, x, y: mul(neg(g), mul(sign(div(x, y)), floor(abs(div(x, y))))))
defbroadcasting(rem_p)


def _zero_signed(np_fn, zero_pick):
    # NumPy's maximum/minimum return either operand for (+0.0, -0.0); XLA gives +0.0
    # for max and -0.0 for min.
    def fn(x, y):
        out = np_fn(x, y)
        if x.dtype.kind == "f":
            both_zero = (x == 0) & (y == 0)
            if np.any(both_zero):
                out = np.where(both_zero, zero_pick(x, y), out)
        return out
    return fn


def _balanced_eq(x, ans, y):
    """The share of max/min's derivative that goes to x: 1 where x alone attains the
    result, 1/2 each where x and y tie (as JAX), 0 where y does."""
    hit_x = convert_element_type_p.bind(eq(x, ans), new_dtype=ans.dtype, weak_type=False)
    hit_y = convert_element_type_p.bind(eq(y, ans), new_dtype=ans.dtype, weak_type=False)
    return div(hit_x, add(_const(ans, 1), hit_y))


max_p, max = _binop("max", _zero_signed(np.maximum, lambda x, y: np.where(
    np.signbit(x) & np.signbit(y), -0.0, 0.0).astype(x.dtype)), ANY)
_defjvp2(max_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
         lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
defbroadcasting(max_p)
min_p, min = _binop("min", _zero_signed(np.minimum, lambda x, y: np.where(
    np.signbit(x) | np.signbit(y), -0.0, 0.0).astype(x.dtype)), ANY)
_defjvp2(min_p, lambda g, ans, x, y: mul(g, _balanced_eq(x, ans, y)),
         lambda g, ans, x, y: mul(g, _balanced_eq(y, ans, x)))
defbroadcasting(min_p)
atan2_p, atan2 = _binop("atan2", np.arctan2, FLOAT)
_defjvp(atan2_p, lambda g, x, y: mul(g, div(y, add(square(x), square(y)))),
        lambda g, x, y: mul(g, div(neg(x), add(square(x), square(y)))))
defbroadcasting(atan2_p)
nextafter_p, nextafter = _binop("nextafter", np.nextafter, FLOAT)
defjvp_zero(nextafter_p)  # JAX has no rule (it raises); a step function, like floor
defbroadcasting(nextafter_p)
and_p, bitwise_and = _binop("and", _logical(np.logical_and, np.bitwise_and), INT_OR_BOOL)
defjvp_zero(and_p)
defbroadcasting(and_p)
or_p, bitwise_or = _binop("or", _logical(np.logical_or, np.bitwise_or), INT_OR_BOOL)
defjvp_zero(or_p)
defbroadcasting(or_p)
xor_p, bitwise_xor = _binop("xor", _logical(np.logical_xor, np.bitwise_xor), INT_OR_BOOL)
defjvp_zero(xor_p)
defbroadcasting(xor_p)
shift_left_p, shift_left = _binop("shift_left", _shift_left, INT)
defjvp_zero(shift_left_p)
defbroadcasting(shift_left_p)
shift_right_logical_p, shift_right_logical = _binop(
    "shift_right_logical", _shift_right_logical, INT)
defjvp_zero(shift_right_logical_p)
defbroadcasting(shift_right_logical_p)
shift_right_arithmetic_p, shift_right_arithmetic = _binop(
    "shift_right_arithmetic", _shift_right_arithmetic, INT)
defjvp_zero(shift_right_arithmetic_p)
defbroadcasting(shift_right_arithmetic_p)


def _igamma_dx(a, x):
    # dP(a, x)/dx = x^(a-1) e^-x / Gamma(a)
    return exp(sub(sub(mul(sub(a, _const(a, 1)), log(x)), x), lgamma(a)))


igamma_p, igamma = _binop("igamma", lambda *a: special_np.igamma(*a), FLOAT)
_defjvp(igamma_p, lambda g, a, x: mul(g, igamma_grad_a(a, x)),
        lambda g, a, x: mul(g, _igamma_dx(a, x)))
defbroadcasting(igamma_p)
igammac_p, igammac = _binop("igammac", lambda *a: special_np.igammac(*a), FLOAT)
_defjvp(igammac_p, lambda g, a, x: neg(mul(g, igamma_grad_a(a, x))),
        lambda g, a, x: neg(mul(g, _igamma_dx(a, x))))
defbroadcasting(igammac_p)


def _dP_da_series(a, x):
    # P = e^L S with L = a log x - x - lgamma(a + 1) and S = sum_n t_n,
    # t_n = x^n / ((a+1)...(a+n)); dt_n/da = -t_n h_n with h_n = sum_{k<=n} 1/(a+k).
    s, ds, t, h, ap = np.ones_like(a), np.zeros_like(a), np.ones_like(a), \
        np.zeros_like(a), a.copy()
    idx = np.arange(a.size)
    eps = special_np._EPS
    for it in range(20000):
        ap_i = ap[idx] + 1.0
        ap[idx] = ap_i
        t_i = t[idx] * x[idx] / ap_i
        t[idx] = t_i
        h_i = h[idx] + 1.0 / ap_i
        h[idx] = h_i
        s_i = s[idx] + t_i
        s[idx] = s_i
        ds_i = ds[idx] - t_i * h_i
        ds[idx] = ds_i
        if (it & 15) == 15:
            going = (np.abs(t_i) > eps * 0.25 * np.abs(s_i)) | \
                (np.abs(t_i * h_i) > eps * 0.25 * np.abs(ds_i))
            idx = idx[going]
            if idx.size == 0:
                break
    dL = np.log(x) - special_np._digamma64(a + 1.0)
    return np.exp(special_np._log_gamma_prefix(a, x)) * (s * dL + ds)


def _dP_da_cf(a, x):
    # Q = 1 - P = x^a e^-x / Gamma(a) * h, h the Legendre continued fraction evaluated
    # by modified Lentz; r = d(log h)/da sums d(log c)/da + d(log d)/da of each step.
    tiny = 1e-300
    eps = special_np._EPS
    b = x + 1.0 - a  # db/da = -1 at every step
    c, dc = np.full_like(a, 1.0 / tiny), np.zeros_like(a)
    d = 1.0 / b
    dd = d * d
    h, r = d.copy(), d.copy()
    idx = np.arange(a.size)
    for i in range(1, 20000):
        ai, bi, ci, dci, di, ddi = a[idx], b[idx] + 2.0, c[idx], dc[idx], d[idx], dd[idx]
        an = -i * (i - ai)
        den = an * di + bi
        dden = i * di + an * ddi - 1.0
        small = np.abs(den) < tiny
        den, dden = np.where(small, tiny, den), np.where(small, 0.0, dden)
        cn = bi + an / ci
        dcn = -1.0 + i / ci - an * dci / (ci * ci)
        small = np.abs(cn) < tiny
        cn, dcn = np.where(small, tiny, cn), np.where(small, 0.0, dcn)
        dn = 1.0 / den
        ddn = -dden * dn * dn
        step = dcn / cn + ddn / dn
        b[idx], c[idx], dc[idx], d[idx], dd[idx] = bi, cn, dcn, dn, ddn
        h[idx] = h[idx] * (cn * dn)
        r_i = r[idx] + step
        r[idx] = r_i
        if (i & 7) == 7:
            going = (np.abs(cn * dn - 1.0) > eps) | (np.abs(step) > eps * np.abs(r_i))
            idx = idx[going]
            if idx.size == 0:
                break
    q = np.exp(special_np._log_gamma_prefix(a, x) + np.log(a)) * h
    return -q * (np.log(x) - special_np._digamma64(a) + r)


def _igamma_grad_a_impl(a, x):
    """dP(a, x)/da in float64, by differentiating igamma's own series (x < a + 1) or
    continued fraction (otherwise) term by term in a."""
    a64, x64 = (np.array(v, np.float64) for v in np.broadcast_arrays(a, x))
    shape = a64.shape
    a64, x64 = a64.reshape(-1), x64.reshape(-1)
    out = np.full(a64.shape, np.nan)
    ok = (a64 > 0) & (x64 >= 0)  # False for NaN
    out[ok & ((x64 == 0) | (x64 == np.inf))] = 0.0
    gen = ok & (x64 > 0) & np.isfinite(x64) & np.isfinite(a64)
    ser = gen & (x64 < a64 + 1.0)
    cf = gen & ~ser
    out[ser] = _dP_da_series(a64[ser], x64[ser])
    out[cf] = _dP_da_cf(a64[cf], x64[cf])
    return out.reshape(shape).astype(a.dtype)


# The a-derivative of igamma (lax.igamma_grad_a in JAX). Not exported with the other
# primitives: it only appears in derivatives of igamma/igammac.
igamma_grad_a_p, igamma_grad_a = _binop("igamma_grad_a", _igamma_grad_a_impl, FLOAT)


def _igamma_grad_a_jvp_a(g, a, x):
    raise NotImplementedError(
        "the derivative of igamma_grad_a with respect to a (a second derivative of igamma "
        "in a) is not implemented; JAX does not implement it either")


# d/dx dP/da = d/da dP/dx = dP/dx (log x - digamma(a))
_defjvp(igamma_grad_a_p, _igamma_grad_a_jvp_a,
        lambda g, a, x: mul(g, mul(_igamma_dx(a, x), sub(log(x), digamma(a)))))
defbroadcasting(igamma_grad_a_p)


def _zeta_jvp_s(g, s, q):
    raise NotImplementedError(
        "the derivative of zeta(s, q) with respect to s is not implemented (as in jax.lax); "
        "only the derivative with respect to q is")


zeta_p, zeta = _binop("zeta", lambda *a: special_np.zeta(*a), FLOAT)
_defjvp(zeta_p, _zeta_jvp_s,
        lambda g, s, q: mul(g, mul(neg(s), zeta(add(s, _const(s, 1)), q))))
defbroadcasting(zeta_p)


def _polygamma_jvp_n(g, n, x):
    raise ValueError("polygamma gradient with respect to n is not supported")


polygamma_p, polygamma = _binop("polygamma", lambda *a: special_np.polygamma(*a), FLOAT)
_defjvp(polygamma_p, _polygamma_jvp_n,
        lambda g, n, x: mul(g, polygamma(add(n, _const(n, 1)), x)))
defbroadcasting(polygamma_p)

_BOOL = np.dtype(bool)
eq_p, eq = _binop("eq", np.equal, ANY, _BOOL)
defjvp_zero(eq_p)
defbroadcasting(eq_p)
ne_p, ne = _binop("ne", np.not_equal, ANY, _BOOL)
defjvp_zero(ne_p)
defbroadcasting(ne_p)
lt_p, lt = _binop("lt", np.less, ANY, _BOOL)
defjvp_zero(lt_p)
defbroadcasting(lt_p)
le_p, le = _binop("le", np.less_equal, ANY, _BOOL)
defjvp_zero(le_p)
defbroadcasting(le_p)
gt_p, gt = _binop("gt", np.greater, ANY, _BOOL)
defjvp_zero(gt_p)
defbroadcasting(gt_p)
ge_p, ge = _binop("ge", np.greater_equal, ANY, _BOOL)
defjvp_zero(ge_p)
defbroadcasting(ge_p)


def _pow_rule(x, y):
    _check_kind("pow", x.dtype, FLOAT)
    if y.dtype != x.dtype and y.dtype.kind not in INT:
        raise type_error(
            f"lax.pow requires a floating-point base and an exponent of the same dtype or an "
            f"integer dtype, got {dtype_str([x.dtype, y.dtype])}."
        )
    shape = x.shape if x.shape == y.shape else broadcast_shapes_lax("pow", x.shape, y.shape)
    return aval(shape, x.dtype, x.weak_type and y.weak_type)


pow_p = def_primitive("pow", _pow_rule, _pow)


def _replace_zero(x):
    return select(eq(x, _const(x, 0)), _bcast_to(_const(x, 1), x.shape), x)


def _pow_jvp_x(g, ans, x, y):
    if y.dtype.kind in INT:
        # an integer exponent: y x^(y-1), exactly 0 where y == 0 (even at x == 0)
        yf = convert_element_type_p.bind(y, new_dtype=x.dtype, weak_type=y.weak_type)
        xb, yf = _bcast_to(x, ans.shape), _bcast_to(yf, ans.shape)
        jac = select(eq(yf, _const(yf, 0)), _zeros(yf),
                     mul(_replace_zero(yf), pow(xb, sub(yf, _const(yf, 1)))))
    else:
        jac = mul(y, pow(x, sub(y, _const(y, 1))))
    return mul(g, jac)


# d/dy x^y = log(x) x^y, taken as 0 at x == 0 (log(0) replaced by log(1)), as JAX
_defjvp2(pow_p, _pow_jvp_x, lambda g, ans, x, y: mul(g, mul(log(_replace_zero(x)), ans)))
defbroadcasting(pow_p)


def pow(x, y):
    """x ** y elementwise, for a floating-point x (y float of the same dtype, or int)."""
    return pow_p.bind(asarray(x), asarray(y))


def _betainc_rule(a, b, x):
    if not (a.dtype == b.dtype == x.dtype):
        raise type_error(
            f"regularized_incomplete_beta requires arguments of one dtype, got "
            f"{dtype_str([a.dtype, b.dtype, x.dtype])}."
        )
    _check_kind("regularized_incomplete_beta", a.dtype, FLOAT)
    shape = broadcast_shapes_lax("regularized_incomplete_beta", a.shape, b.shape, x.shape)
    return aval(shape, a.dtype, a.weak_type and b.weak_type and x.weak_type)


regularized_incomplete_beta_p = def_primitive(
    "regularized_incomplete_beta", _betainc_rule, lambda *a: special_np.betainc(*a))


def _betainc_jvp_ab(g, a, b, x):
    raise ValueError("Betainc gradient with respect to a and b not supported.")


def _betainc_jvp_x(g, a, b, x):
    # dI_x(a, b)/dx = x^(a-1) (1-x)^(b-1) / B(a, b)
    lbeta = sub(add(lgamma(a), lgamma(b)), lgamma(add(a, b)))
    one = _const(x, 1)
    return mul(g, exp(sub(add(mul(sub(b, one), log1p(neg(x))), mul(sub(a, one), log(x))),
                          lbeta)))


_defjvp(regularized_incomplete_beta_p, _betainc_jvp_ab, _betainc_jvp_ab, _betainc_jvp_x)
defbroadcasting(regularized_incomplete_beta_p)


def betainc(a, b, x):
    """The regularized incomplete beta function I_x(a, b)."""
    return regularized_incomplete_beta_p.bind(asarray(a), asarray(b), asarray(x))


# ----------------------------------------------------------------------------- select, clamp

def _select_n_rule(which, *cases):
    if not cases:
        raise type_error("select_n requires at least one case")
    c0 = cases[0]
    for c in cases[1:]:
        if c.shape != c0.shape or c.dtype != c0.dtype:
            raise type_error(
                f"select_n cases must have the same shapes and dtypes, got shapes "
                f"{shape_str([c.shape for c in cases])} and dtypes "
                f"{dtype_str([c.dtype for c in cases])}."
            )
    if which.dtype != np.bool_ and which.dtype != np.int32:
        raise type_error(f"select_n which must be bool or int32, got {which.dtype.name}")
    if which.dtype == np.bool_ and len(cases) > 2:
        raise type_error(f"select_n with a boolean which takes at most 2 cases, got {len(cases)}")
    if which.shape and which.shape != c0.shape:
        raise type_error(
            f"select_n which must be scalar or have the same shape as the cases, got "
            f"{which.shape} and {c0.shape}."
        )
    return aval(c0.shape, c0.dtype, all(c.weak_type for c in cases))


def _select_n_impl(which, *cases):
    if len(cases) == 1:
        return cases[0]
    if which.dtype == np.bool_:
        return np.where(which, cases[1], cases[0])
    idx = np.clip(which, 0, len(cases) - 1)
    return np.choose(np.broadcast_to(idx, cases[0].shape), cases)


select_n_p = def_primitive("select_n", _select_n_rule, _select_n_impl,
    quiet_impl=False)  # moves data only: no floating-point warnings


def _select_n_jvp(primals, tangents):
    which, *cases = primals
    out = select_n_p.bind(which, *cases)
    case_ts = tangents[1:]
    if out.dtype.kind != "f" or all(_no_tangent(t) for t in case_ts):
        return out, Zero.from_value(out)
    some = next(t for t in case_ts if not _no_tangent(t))
    case_ts = [_zeros(some) if _no_tangent(t) else t for t in case_ts]
    return out, select_n_p.bind(which, *case_ts)


def _select_n_transpose(ct, which, *cases):
    # linear in the cases: each undefined case gets ct where it was chosen, 0 elsewhere
    if is_undefined_primal(which):
        raise ValueError("select_n is not linear in its predicate and cannot be transposed")
    zeros = _zeros(ct)
    return [None] + [
        select_n_p.bind(which, *[ct if j == i else zeros for j in range(len(cases))])
        if is_undefined_primal(c) else None
        for i, c in enumerate(cases)]


jvp_rules[select_n_p] = _select_n_jvp
transpose_rules[select_n_p] = _select_n_transpose


def _select_n_batch(vals, dims):
    # One select_n on operands that all carry the batch at dim `d` (a batched case's, to
    # avoid a transpose). A scalar predicate stays scalar when unbatched; batched, it
    # is one value per example and must be broadcast to the cases' shape.
    which, *cases = vals
    wd, *cds = dims
    size = _batch_size(vals, dims)
    d = next((cd for cd in cds if cd is not not_mapped), 0)
    cases = [matchaxis(c, cd, d, size) for c, cd in zip(cases, cds)]
    case_shape = _shape(cases[0])
    which_rank = len(_shape(which)) - (wd is not not_mapped)
    if wd is not_mapped and which_rank == 0:
        pass
    elif which_rank == len(case_shape) - 1:
        which = matchaxis(which, wd, d, size)
    else:
        from .shapes import broadcast_in_dim
        which = broadcast_in_dim(which, case_shape, (d,))
    return select_n_p.bind(which, *cases), d


batching_rules[select_n_p] = _select_n_batch


def select_n(which, *cases):
    """cases[which] elementwise; `which` is bool (two cases) or int32."""
    return select_n_p.bind(asarray(which), *map(asarray, cases))


def select(pred, on_true, on_false):
    """on_true where pred else on_false (lax.select)."""
    return select_n(pred, on_false, on_true)


def _clamp_rule(lo, x, hi):
    for name, b in (("min", lo), ("max", hi)):
        if b.dtype != x.dtype:
            raise type_error(
                f"clamp requires min, operand and max of one dtype, got "
                f"{dtype_str([lo.dtype, x.dtype, hi.dtype])}."
            )
        if b.shape and b.shape != x.shape:
            raise type_error(
                f"clamp {name} must be a scalar or have the operand's shape {x.shape}, "
                f"got {b.shape}."
            )
    _check_kind("clamp", x.dtype, NUMERIC + "b")
    return aval(x.shape, x.dtype, x.weak_type)


clamp_p = def_primitive("clamp", _clamp_rule, lambda lo, x, hi: np.minimum(np.maximum(x, lo), hi))
# the derivative goes to whichever of min, x, max is the result (x on ties), as JAX
_defjvp(clamp_p,
        lambda g, lo, x, hi: select(bitwise_and(gt(lo, x), lt(lo, hi)),
                                    _bcast_to(g, x.shape), _zeros(x)),
        lambda g, lo, x, hi: select(bitwise_and(gt(x, lo), lt(x, hi)), g, _zeros(x)),
        lambda g, lo, x, hi: select(lt(hi, x), _bcast_to(g, x.shape), _zeros(x)))




def _clamp_batch(vals, dims):
    # min and max are scalars or x-shaped: an unbatched scalar stays as it is, a batched
    # one (one value per example) is broadcast to x's batched shape, x-shaped ones move
    # to x's batch dim. x itself is broadcast when only a bound is batched.
    (lo, x, hi), (lod, xd, hid) = vals, dims
    size = _batch_size(vals, dims)
    d = 0 if xd is not_mapped else xd
    x = matchaxis(x, xd, d, size)
    shape = _shape(x)
    bounds = []
    for b, bd in ((lo, lod), (hi, hid)):
        rank = len(_shape(b)) - (bd is not not_mapped)
        if bd is not_mapped and rank == 0:
            pass
        elif rank == len(shape) - 1:
            b = matchaxis(b, bd, d, size)
        else:
            from .shapes import broadcast_in_dim
            b = broadcast_in_dim(b, shape, (d,))
        bounds.append(b)
    return clamp_p.bind(bounds[0], x, bounds[1]), d


batching_rules[clamp_p] = _clamp_batch


def clamp(min, x, max):
    """min(max(x, min), max) elementwise."""
    return clamp_p.bind(asarray(min), asarray(x), asarray(max))


# ----------------------------------------------------------------------------- conversions

def _convert_rule(x, new_dtype, weak_type=False):
    if new_dtype.kind == "c":
        raise type_error("tinyjax does not support complex dtypes")
    return aval(x.shape, new_dtype, weak_type)


def convert_values(x: np.ndarray, new_dtype: np.dtype) -> np.ndarray:
    """NumPy conversion with XLA's semantics: float -> int truncates toward zero,
    saturates out-of-range values and maps NaN to 0; anything -> bool is `!= 0`."""
    if new_dtype == np.bool_:
        return x != 0
    if x.dtype.kind == "f" and new_dtype.kind in "iu":
        info = np.iinfo(new_dtype)
        t = np.trunc(x.astype(np.float64))
        t = np.where(np.isnan(t), 0, t)
        out = np.where(t <= info.min, info.min, 0).astype(new_dtype)
        big = t >= float(info.max)
        mid = ~big & (t > info.min)
        np.copyto(out, np.where(mid, t, 0).astype(new_dtype), where=mid)
        np.copyto(out, np.asarray(info.max, new_dtype), where=big)
        return out
    return x.astype(new_dtype)


convert_element_type_p = def_primitive(
    "convert_element_type", _convert_rule,
    lambda x, new_dtype, weak_type=False: convert_values(x, new_dtype))


def _convert_element_type_jvp(primals, tangents, *, new_dtype, weak_type=False):
    # float -> float converts the tangent; anything to or from int/bool has none
    (x,), (t,) = primals, tangents
    out = convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=weak_type)
    if new_dtype.kind != "f" or _no_tangent(t):
        return out, Zero.from_value(out)
    return out, convert_element_type_p.bind(t, new_dtype=new_dtype, weak_type=weak_type)


def _convert_element_type_transpose(ct, x, *, new_dtype, weak_type=False):
    old = x.aval
    if old.dtype.kind != "f" or new_dtype.kind != "f":
        return [Zero(tangent_aval(old))]
    return [convert_element_type_p.bind(ct, new_dtype=old.dtype, weak_type=old.weak_type)]


jvp_rules[convert_element_type_p] = _convert_element_type_jvp
transpose_rules[convert_element_type_p] = _convert_element_type_transpose
defvectorized(convert_element_type_p)


def convert_element_type(x, new_dtype):
    """Convert to `new_dtype` (canonicalized: 64-bit types need x64)."""
    x = asarray(x)
    new_dtype = dtypes.canonicalize_dtype(new_dtype)
    if x.dtype == new_dtype and not x.weak_type:
        return x
    return convert_element_type_p.bind(x, new_dtype=new_dtype, weak_type=False)


def _bitcast_rule(x, new_dtype):
    old, new = x.dtype.itemsize, new_dtype.itemsize
    if old == new:
        shape = x.shape
    elif old > new:
        shape = x.shape + (old // new,)
    else:
        if not x.shape or x.shape[-1] != new // old:
            raise type_error(
                f"bitcast_convert_type from {x.dtype.name} to {new_dtype.name} needs a last "
                f"dimension of size {new // old}, got shape {x.shape}."
            )
        shape = x.shape[:-1]
    return aval(shape, new_dtype, False)


def _bitcast_impl(x, new_dtype):
    old, new = x.dtype.itemsize, new_dtype.itemsize
    x = np.array(x, copy=None, order="C")
    if old == new:
        return x.view(new_dtype)
    if old > new:
        return x.reshape(x.shape + (1,)).view(new_dtype).reshape(x.shape + (old // new,))
    return x.view(new_dtype).reshape(x.shape[:-1])


bitcast_convert_type_p = def_primitive("bitcast_convert_type", _bitcast_rule, _bitcast_impl)
defjvp_zero(bitcast_convert_type_p)  # as JAX: reinterpreted bits carry no derivative


def _bitcast_convert_type_batch(vals, dims, *, new_dtype):
    # a narrowing cast appends a trailing dim and a widening one consumes the last dim,
    # so the batch dim stays where it is unless it is that last dim
    (x,), (d,) = vals, dims
    x_aval = raise_to_shaped(x)
    if new_dtype.itemsize > x_aval.dtype.itemsize and d == len(x_aval.shape) - 1:
        x, d = moveaxis(x, d, 0), 0
    return bitcast_convert_type_p.bind(x, new_dtype=new_dtype), d


batching_rules[bitcast_convert_type_p] = _bitcast_convert_type_batch


def bitcast_convert_type(x, new_dtype):
    """Reinterpret the bits of x as `new_dtype` (shape changes if widths differ)."""
    return bitcast_convert_type_p.bind(asarray(x), new_dtype=dtypes.canonicalize_dtype(new_dtype))


def _reduce_precision_impl(x, exponent_bits, mantissa_bits):
    finfo = np.finfo(x.dtype)
    src_m = finfo.nmant
    src_e = _bits(x.dtype) - 1 - src_m
    u = np.dtype(f"u{x.dtype.itemsize}")
    bits = np.array(x, copy=None, order="C").view(u).copy()
    one = u.type(1)
    if mantissa_bits < src_m:
        shift = u.type(src_m - mantissa_bits)
        last = (bits >> shift) & one
        bias = (one << (shift - one)) - one + last
        bits = (bits + bias) & ~((one << shift) - one)
    if exponent_bits < src_e:
        sign = bits & (one << u.type(_bits(x.dtype) - 1))
        exp_mask = ((one << u.type(src_e)) - one) << u.type(src_m)
        exp_field = ((bits & exp_mask) >> u.type(src_m)).astype(np.int64)
        src_bias = (1 << (src_e - 1)) - 1
        dst_bias = (1 << (exponent_bits - 1)) - 1
        e = exp_field - src_bias
        over = e > dst_bias
        under = e <= -dst_bias
        inf_bits = exp_mask
        bits = np.where(over, sign | inf_bits, bits)
        bits = np.where(under, sign, bits)
    out = bits.view(x.dtype)
    return np.where(np.isnan(x), x, out)


def _reduce_precision_rule(x, exponent_bits, mantissa_bits):
    _check_kind("reduce_precision", x.dtype, FLOAT)
    if exponent_bits < 1 or mantissa_bits < 0:
        raise type_error(
            f"reduce_precision needs exponent_bits >= 1 and mantissa_bits >= 0, got "
            f"{exponent_bits} and {mantissa_bits}"
        )
    return aval(x.shape, x.dtype, x.weak_type)


reduce_precision_p = def_primitive("reduce_precision", _reduce_precision_rule,
                                   _reduce_precision_impl)
# treated as linear, as JAX: tangents and cotangents are rounded the same way
_defjvp(reduce_precision_p, lambda g, x, **params: reduce_precision_p.bind(g, **params))
transpose_rules[reduce_precision_p] = lambda ct, x, **params: [
    reduce_precision_p.bind(ct, **params)]
defvectorized(reduce_precision_p)


def reduce_precision(x, exponent_bits: int, mantissa_bits: int):
    """Round x to a float format with the given exponent and mantissa widths."""
    return reduce_precision_p.bind(asarray(x), exponent_bits=int(exponent_bits),
                                   mantissa_bits=int(mantissa_bits))


# ----------------------------------------------------------------------------- stop_gradient

stop_gradient_p = def_primitive("stop_gradient", lambda x: x, lambda x: x)


def _stop_gradient_jvp(primals, tangents):
    # bind again on the primal, so enclosing differentiations stop here too
    (x,) = primals
    return stop_gradient_p.bind(x), Zero.from_value(x)


jvp_rules[stop_gradient_p] = _stop_gradient_jvp
defvectorized(stop_gradient_p)


def stop_gradient(x):
    """The identity on values, but a constant to differentiation: every floating-point
    leaf of the pytree `x` gets a zero derivative (other leaves are returned unchanged).

    >>> tinyjax.grad(lambda x: x * lax.stop_gradient(x))(3.0)  # doctest: +SKIP
    Array(3., dtype=float32, weak_type=True)
    """
    def stop(leaf):
        if dtypes.dtype_and_weak(leaf)[0].kind != "f":
            return leaf
        return stop_gradient_p.bind(asarray(leaf))
    return pytree.tree_map(stop, x)
