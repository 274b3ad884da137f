"""Inline LLVM code for the elementary math functions (exp/log family, pow, cbrt,
logistic, hyperbolic functions) in float32 and float64.

Everything here is straight-line code (selects, no branches, no libm calls), so a
loop over these functions vectorizes after inlining. Only "instruction" intrinsics
are used: fma, sqrt, fabs, floor, rint, copysign.

Design:
- exp: k = rint(x/ln2), r = x - k*ln2 (Cody-Waite split, ln2_hi with trailing zero
  bits so k*ln2_hi is exact), exp(r) = 1 + r + r^2*Q(r) on |r| <= ln2/2, then
  scaled by 2^k in two steps built from exponent bits (correct overflow,
  gradual underflow with a single rounding).
- log: x = 2^e * m with m in [sqrt(1/2), sqrt(2)), f = m - 1, s = f/(2+f),
  log(1+f) = f - f^2/2 + s*(f^2/2 + R(s^2)) (the classic atanh series).
- pow (float64): log|x| in double-double (s, s^3 terms carried in two doubles),
  y*log|x| as a double-double, exp of a double-double.
- float32 exp/log/tanh/logistic use float32 polynomials; the other float32
  functions are computed in float64 and rounded once.

Polynomial coefficients are Chebyshev fits (mpmath.chebyfit) of the smooth
remainders Q(r) = (e^r - 1 - r)/r^2 and R(z)/z = sum_k 2 z^(k-1)/(2k+1); the fits'
max errors are noted next to them.
"""
from __future__ import annotations

import math
import struct
from fractions import Fraction

from llvmlite import ir

from .llvm_mathbase import F32, F64, math_call, register

I32, I64 = ir.IntType(32), ir.IntType(64)


# ---------------------------------------------------------------------------
# small IR helpers
# ---------------------------------------------------------------------------

def _f32(v: float) -> float:
    return struct.unpack("<f", struct.pack("<f", v))[0]


def _trunc_bits(v: float, ty, zero_bits: int) -> float:
    """`v` rounded to `ty` with the low `zero_bits` mantissa bits cleared."""
    if ty == F32:
        i = struct.unpack("<I", struct.pack("<f", v))[0] & ~((1 << zero_bits) - 1)
        return struct.unpack("<f", struct.pack("<I", i))[0]
    i = struct.unpack("<Q", struct.pack("<d", v))[0] & ~((1 << zero_bits) - 1)
    return struct.unpack("<d", struct.pack("<Q", i))[0]


def _c(ty, v):
    """A float constant of type ty (float32 constants are rounded to float32)."""
    if ty == F32:
        v = _f32(float(v)) if math.isfinite(v) else float(v)
    return ir.Constant(ty, float(v))


def _intrinsic(b, name, ty, nargs):
    suffix = "f32" if ty == F32 else "f64"
    full = f"llvm.{name}.{suffix}"
    fn = b.module.globals.get(full)
    if fn is None:
        fn = ir.Function(b.module, ir.FunctionType(ty, [ty] * nargs), full)
    return fn


def _fma(b, x, y, z):
    return b.call(_intrinsic(b, "fma", x.type, 3), [x, y, z])


def _fabs(b, x):
    return b.call(_intrinsic(b, "fabs", x.type, 1), [x])


def _sqrt(b, x):
    return b.call(_intrinsic(b, "sqrt", x.type, 1), [x])


def _floor(b, x):
    return b.call(_intrinsic(b, "floor", x.type, 1), [x])


def _rint(b, x):
    return b.call(_intrinsic(b, "rint", x.type, 1), [x])


def _copysign(b, mag, sgn):
    return b.call(_intrinsic(b, "copysign", mag.type, 2), [mag, sgn])


def _horner(b, x, coeffs):
    """c0 + c1*x + ... + cn*x^n (coeffs low to high) with fma."""
    ty = x.type
    acc = _c(ty, coeffs[-1])
    for cf in reversed(coeffs[:-1]):
        acc = _fma(b, acc, x, _c(ty, cf))
    return acc


def _lt(b, x, y):
    return b.fcmp_ordered("<", x, y)


def _gt(b, x, y):
    return b.fcmp_ordered(">", x, y)


def _eq(b, x, y):
    return b.fcmp_ordered("==", x, y)


def _isnan(b, x):
    return b.fcmp_unordered("uno", x, x)


def _clamp(b, x, lo, hi):
    """Clamp to [lo, hi]; NaN becomes hi (callers fix NaN at the end)."""
    ty = x.type
    x = b.select(_lt(b, x, _c(ty, hi)), x, _c(ty, hi))
    return b.select(_gt(b, x, _c(ty, lo)), x, _c(ty, lo))


def _itype(ty):
    return I32 if ty == F32 else I64


def _mant_bits(ty):
    return 23 if ty == F32 else 52


def _bias(ty):
    return 127 if ty == F32 else 1023


def _pow2i(b, ki, ty):
    """2^ki for an integer ki in the normal exponent range of ty."""
    it = _itype(ty)
    e = b.add(ki, ir.Constant(it, _bias(ty)))
    return b.bitcast(b.shl(e, ir.Constant(it, _mant_bits(ty))), ty)


def _scale(b, y, k):
    """y * 2^k for an integer-valued float k with |k| <= 2*(max exponent) (two steps:
    y*2^k1 is exact, the second product rounds once, also into subnormals)."""
    ty = y.type
    it = _itype(ty)
    ki = b.fptosi(k, it)
    k1 = b.ashr(ki, ir.Constant(it, 1))
    k2 = b.sub(ki, k1)
    return b.fmul(b.fmul(y, _pow2i(b, k1, ty)), _pow2i(b, k2, ty))


def _nan(ty):
    return _c(ty, float("nan"))


def _inf(ty):
    return _c(ty, float("inf"))


def _wide_call(b, name, args):
    """float32 function computed by its float64 version, rounded once."""
    wide = [b.fpext(a, F64) for a in args]
    return b.fptrunc(math_call(b, name, wide), F32)


# ---------------------------------------------------------------------------
# constants
# ---------------------------------------------------------------------------

LN2 = math.log(2.0)
INVLN2 = 1.0 / LN2
# Cody-Waite splits: ln2_hi has trailing zero bits so k*ln2_hi is exact
_LN2_EXACT = Fraction(
    "0.6931471805599453094172321214581765680755001343602552541206800094933936219696947")
LN2HI_64 = _trunc_bits(LN2, F64, 21)
LN2LO_64 = float(_LN2_EXACT - Fraction(LN2HI_64))
LN2HI_32 = _trunc_bits(LN2, F32, 12)
LN2LO_32 = _f32(float(_LN2_EXACT - Fraction(LN2HI_32)))
# ln2 as a double-double (for pow)
LN2_DD_HI = LN2
LN2_DD_LO = float(_LN2_EXACT - Fraction(LN2))

# Q(r) = (e^r - 1 - r)/r^2 on |r| <= ln2/2
EXP_Q32 = [0.5, 0.1666657702559799, 0.041666554662050534, 0.008363173074513711,
           0.001392617611993558]                                  # fit err 6.5e-8
EXP_Q64 = [0.5, 0.1666666666666667, 0.04166666666666667, 0.008333333333326141,
           0.0013888888888883752, 0.00019841269874800493, 2.4801587325533363e-05,
           2.7557255425746435e-06, 2.7557273661348637e-07, 2.510520637395701e-08,
           2.0914679376583935e-09]                                # fit err 1.4e-18
# P(z) = R(z)/z = sum_k>=1 2 z^(k-1)/(2k+1), z = s^2 in [0, 0.0295]
LOG_P32 = [0.6666666655449709, 0.40000121839806124, 0.28550820815960665,
           0.23330467216303835]                                   # fit err 1.2e-9
LOG_P64 = [0.6666666666666666, 0.4000000000000088, 0.28571428570803614,
           0.22222222391713917, 0.18181795640132906, 0.15386239702814658,
           0.13268773138656886, 0.13086626147840102]              # fit err 2.1e-18


# ---------------------------------------------------------------------------
# exp
# ---------------------------------------------------------------------------

def _exp_reduced(b, r, c=None):
    """exp(r + c) for |r| <= ln2/2 (c a tiny correction, or None).

    float32: 1 + r + r^2 Q(r) with 1 + r split exactly. float64: 1 + r + r^2/2 kept
    as an unevaluated sum (error-free r^2 via fma) plus r^3 Q3(r), so the result is
    within ~0.52 ulp (pow relies on it)."""
    ty = r.type
    one = _c(ty, 1.0)
    if ty == F32:
        q = _horner(b, r, EXP_Q32)
        t = b.fmul(b.fmul(r, r), q)
        if c is not None:
            t = b.fadd(t, _fma(b, c, r, c))
        h = b.fadd(one, r)                    # 1 + r = h + l exactly (|r| < 1)
        l = b.fadd(b.fsub(one, h), r)
        return b.fadd(h, b.fadd(l, t))
    r2h = b.fmul(r, r)
    r2l = _fma(b, r, r, b.fneg(r2h))
    h2 = b.fmul(r2h, _c(ty, 0.5))
    t = b.fmul(b.fmul(r2h, r), _horner(b, r, EXP_Q64[1:]))
    t = _fma(b, r2l, _c(ty, 0.5), t)
    if c is not None:
        t = b.fadd(t, _fma(b, c, r, c))
    s1 = b.fadd(one, r)
    e1 = b.fadd(b.fsub(one, s1), r)
    s2 = b.fadd(s1, h2)
    e2 = b.fadd(b.fsub(s1, s2), h2)
    return b.fadd(s2, b.fadd(b.fadd(e1, e2), t))


def _exp_core(b, x, lo=None, kadj=0):
    """2^kadj * exp(x + lo) without the NaN fix-up (x any non-NaN value; lo, if
    given, a small low part, ignored where x is clamped). kadj in {0, -1}."""
    ty = x.type
    if ty == F32:
        xc = _clamp(b, x, -104.0, 89.0 - 0.7 * kadj)
        k = _rint(b, b.fmul(xc, _c(ty, INVLN2)))
        nk = b.fneg(k)
        r = _fma(b, nk, _c(ty, LN2HI_32), xc)
        r = _fma(b, nk, _c(ty, LN2LO_32), r)
        if lo is not None:
            r = b.fadd(r, lo)
        p = _exp_reduced(b, r)
    else:
        xc = _clamp(b, x, -746.0, 710.0 - 0.7 * kadj)
        k = _rint(b, b.fmul(xc, _c(ty, INVLN2)))
        nk = b.fneg(k)
        hi = _fma(b, nk, _c(ty, LN2HI_64), xc)          # exact
        lo2 = b.fmul(nk, _c(ty, LN2LO_64))
        if lo is not None:
            inside = _lt(b, _fabs(b, x), _c(ty, 746.0))
            lo2 = b.fadd(lo2, b.select(inside, lo, _c(ty, 0.0)))
        r = b.fadd(hi, lo2)
        c = b.fadd(b.fsub(hi, r), lo2)
        p = _exp_reduced(b, r, c)
    if kadj:
        k = b.fadd(k, _c(ty, kadj))
    return _scale(b, p, k)


@register("exp")
def _exp(b, args):
    x, = args
    return b.select(_isnan(b, x), x, _exp_core(b, x))


# ---------------------------------------------------------------------------
# log
# ---------------------------------------------------------------------------

def _log_split(b, x):
    """For finite x > 0: (e, f) with x = 2^e * (1 + f), 1 + f in [sqrt(1/2), sqrt(2)).
    e is returned as a float; f = m - 1 is exact."""
    ty = x.type
    it = _itype(ty)
    mb = _mant_bits(ty)
    tiny = 2.0 ** (-126 if ty == F32 else -1022)
    boost = 25 if ty == F32 else 54
    sub = _lt(b, x, _c(ty, tiny))
    xs = b.select(sub, b.fmul(x, _c(ty, 2.0 ** boost)), x)
    ix = b.bitcast(xs, it)
    ebits = b.lshr(ix, ir.Constant(it, mb))
    mbits = b.or_(b.and_(ix, ir.Constant(it, (1 << mb) - 1)),
                  ir.Constant(it, _bias(ty) << mb))
    m = b.bitcast(mbits, ty)                                   # in [1, 2)
    big = _gt(b, m, _c(ty, math.sqrt(2.0)))
    m = b.select(big, b.fmul(m, _c(ty, 0.5)), m)
    e = b.sitofp(b.sub(ebits, ir.Constant(it, _bias(ty))), ty)
    e = b.fadd(e, b.select(big, _c(ty, 1.0), _c(ty, 0.0)))
    e = b.fsub(e, b.select(sub, _c(ty, boost), _c(ty, 0.0)))
    f = b.fsub(m, _c(ty, 1.0))
    return e, f


def _log_core(b, x, corr=None, eadd=None):
    """log(x) + corr + eadd*ln2 for finite x > 0 (corr: a small correction)."""
    ty = x.type
    e, f = _log_split(b, x)
    if eadd is not None:
        e = b.fadd(e, eadd)
    s = b.fdiv(f, b.fadd(_c(ty, 2.0), f))
    z = b.fmul(s, s)
    R = b.fmul(z, _horner(b, z, LOG_P32 if ty == F32 else LOG_P64))
    hfsq = b.fmul(_c(ty, 0.5), b.fmul(f, f))
    lnhi, lnlo = (LN2HI_32, LN2LO_32) if ty == F32 else (LN2HI_64, LN2LO_64)
    # e*ln2_hi + (f - (hfsq - (s*(hfsq + R) + e*ln2_lo)))
    lo = b.fmul(e, _c(ty, lnlo))
    if corr is not None:
        lo = b.fadd(lo, corr)
    t = _fma(b, s, b.fadd(hfsq, R), lo)
    t = b.fsub(f, b.fsub(hfsq, t))
    return _fma(b, e, _c(ty, lnhi), t)


def _log1p_core(b, v):
    """log(1 + v) for v > -1 finite: log of u = 1 + v plus the rounding correction."""
    ty = v.type
    u = b.fadd(_c(ty, 1.0), v)
    corr = b.fdiv(b.fsub(v, b.fsub(u, _c(ty, 1.0))), u)
    return u, corr


def _log_fixup(b, x, res):
    """Special values of log: x<0 or NaN -> NaN, 0 -> -inf, +inf -> +inf."""
    ty = x.type
    res = b.select(_eq(b, x, _inf(ty)), x, res)
    res = b.select(_eq(b, x, _c(ty, 0.0)), _c(ty, float("-inf")), res)
    return b.select(b.fcmp_unordered("<", x, _c(ty, 0.0)), _nan(ty), res)


@register("log")
def _log(b, args):
    x, = args
    return _log_fixup(b, x, _log_core(b, x))


# ---------------------------------------------------------------------------
# exp2, expm1, log1p
# ---------------------------------------------------------------------------

@register("exp2")
def _exp2(b, args):
    x, = args
    ty = x.type
    lim = (-151.0, 129.0) if ty == F32 else (-1080.0, 1025.0)
    xc = _clamp(b, x, *lim)
    k = _rint(b, xc)
    f = b.fsub(xc, k)                                   # exact, |f| <= 1/2
    r = b.fmul(f, _c(ty, LN2))
    lo = _fma(b, f, _c(ty, LN2), b.fneg(r))
    lo = _fma(b, f, _c(ty, float(_LN2_EXACT - Fraction(_f32(LN2))) if ty == F32
                       else LN2_DD_LO), lo)
    p = _exp_reduced(b, r, lo)
    return b.select(_isnan(b, x), x, _scale(b, p, k))


def _expm1_core(b, x):
    """expm1(x) for non-NaN x (float64)."""
    ty = x.type
    xc = _clamp(b, x, -40.0, 40.0)
    k = _rint(b, b.fmul(xc, _c(ty, INVLN2)))
    nk = b.fneg(k)
    hi = _fma(b, nk, _c(ty, LN2HI_64), xc)
    lo = b.fmul(nk, _c(ty, LN2LO_64))
    r = b.fadd(hi, lo)
    c = b.fadd(b.fsub(hi, r), lo)
    q = _horner(b, r, EXP_Q64)
    t = _fma(b, b.fmul(r, r), q, _fma(b, c, r, c))
    p = b.fadd(r, t)                                    # expm1(r + c)
    ki = b.fptosi(k, I64)
    s = _pow2i(b, ki, ty)
    res = _fma(b, s, p, b.fsub(s, _c(ty, 1.0)))         # 2^k - 1 + 2^k p
    return b.select(_gt(b, x, _c(ty, 40.0)), _exp_core(b, x), res)


@register("expm1")
def _expm1(b, args):
    x, = args
    if x.type == F32:
        return _wide_call(b, "expm1", args)
    res = _expm1_core(b, x)
    res = b.select(_eq(b, x, _c(x.type, 0.0)), x, res)
    return b.select(_isnan(b, x), x, res)


def _log1p_fixup(b, v, res):
    ty = v.type
    res = b.select(_eq(b, v, _inf(ty)), v, res)
    res = b.select(_eq(b, v, _c(ty, 0.0)), v, res)
    res = b.select(_eq(b, v, _c(ty, -1.0)), _c(ty, float("-inf")), res)
    return b.select(b.fcmp_unordered("<", v, _c(ty, -1.0)), _nan(ty), res)


@register("log1p")
def _log1p(b, args):
    x, = args
    if x.type == F32:
        return _wide_call(b, "log1p", args)
    u, corr = _log1p_core(b, x)
    return _log1p_fixup(b, x, _log_core(b, u, corr))


def _two_sum(b, x, y):
    s = b.fadd(x, y)
    bb = b.fsub(s, x)
    err = b.fadd(b.fsub(x, b.fsub(s, bb)), b.fsub(y, bb))
    return s, err


def _div_dd(b, n, dh, dl):
    """n / (dh + dl) for a double-double denominator (|dl| << |dh|)."""
    q = b.fdiv(n, dh)
    return _fma(b, b.fneg(q), b.fdiv(dl, dh), q)


# ---------------------------------------------------------------------------
# logistic, tanh, sinh, cosh
# ---------------------------------------------------------------------------

@register("logistic")
def _logistic(b, args):
    x, = args
    ty = x.type
    t = _exp_core(b, b.fneg(_fabs(b, x)))              # e^-|x| in (0, 1]
    num = b.select(_lt(b, x, _c(ty, 0.0)), t, _c(ty, 1.0))
    res = b.fdiv(num, b.fadd(_c(ty, 1.0), t))
    return b.select(_isnan(b, x), x, res)


TANH_P32 = [-0.3333333329502591, 0.13333324200007313, -0.0539647004451583,
            0.021818449128639904, -0.00852633305780133, 0.0025263907105745136]  # err 3.8e-10


@register("tanh")
def _tanh(b, args):
    x, = args
    ty = x.type
    a = _fabs(b, x)
    if ty == F32:
        z = b.fmul(x, x)
        small = _fma(b, b.fmul(z, x), _horner(b, z, TANH_P32), x)
        ac = _clamp(b, a, 0.0, 10.0)
        e = _exp_core(b, b.fmul(ac, _c(ty, 2.0)))
        big = b.fsub(_c(ty, 1.0), b.fdiv(_c(ty, 2.0), b.fadd(e, _c(ty, 1.0))))
        res = _copysign(b, b.select(_lt(b, a, _c(ty, 0.55)), small, big), x)
    else:
        ac = _clamp(b, a, 0.0, 22.0)
        e = _expm1_core(b, b.fmul(ac, _c(ty, 2.0)))
        e2, e2l = _two_sum(b, _c(ty, 2.0), e)
        mid = _div_dd(b, e, e2, e2l)                    # e / (e + 2)
        big = b.fsub(_c(ty, 1.0), b.fdiv(_c(ty, 2.0), e2))
        res = _copysign(b, b.select(_lt(b, ac, _c(ty, 1.0)), mid, big), x)
    return b.select(_isnan(b, x), x, res)


@register("sinh")
def _sinh(b, args):
    x, = args
    ty = x.type
    if ty == F32:
        return _wide_call(b, "sinh", args)
    a = _fabs(b, x)
    e = _expm1_core(b, _clamp(b, a, 0.0, 22.0))
    e1, e1l = _two_sum(b, _c(ty, 1.0), e)
    small = b.fmul(_c(ty, 0.5), b.fadd(e, _div_dd(b, e, e1, e1l)))
    big = _exp_core(b, a, kadj=-1)                      # e^a / 2
    res = _copysign(b, b.select(_lt(b, a, _c(ty, 22.0)), small, big), x)
    return b.select(_isnan(b, x), x, res)


@register("cosh")
def _cosh(b, args):
    x, = args
    ty = x.type
    if ty == F32:
        return _wide_call(b, "cosh", args)
    a = _fabs(b, x)
    h = _exp_core(b, a, kadj=-1)                        # e^a / 2
    res = b.fadd(h, b.fdiv(_c(ty, 0.25), h))
    return b.select(_isnan(b, x), a, res)


# ---------------------------------------------------------------------------
# inverse hyperbolic functions (float64; float32 through float64)
# ---------------------------------------------------------------------------

@register("asinh")
def _asinh(b, args):
    x, = args
    ty = x.type
    if ty == F32:
        return _wide_call(b, "asinh", args)
    one = _c(ty, 1.0)
    a = _fabs(b, x)
    huge = _gt(b, a, _c(ty, 2.0 ** 28))
    small = _lt(b, a, _c(ty, 2.0))
    ac = _clamp(b, a, 0.0, 2.0 ** 28)
    a2 = b.fmul(ac, ac)
    sq = _sqrt(b, b.fadd(a2, one))
    # a <= 2: log1p(a + a^2/(1 + sqrt(1 + a^2)))
    v = b.fadd(ac, b.fdiv(a2, b.fadd(one, sq)))
    u, corr = _log1p_core(b, v)
    # 2 < a <= 2^28: log(2a + 1/(a + sqrt(a^2 + 1))); a > 2^28: log(a) + ln2
    w = _fma(b, _c(ty, 2.0), ac, b.fdiv(one, b.fadd(ac, sq)))
    w = b.select(huge, a, w)
    arg = b.select(small, u, w)
    corr = b.select(small, corr, _c(ty, 0.0))
    eadd = b.select(huge, one, _c(ty, 0.0))
    inf_or_nan = b.fcmp_unordered("==", a, _inf(ty))
    arg = b.select(inf_or_nan, one, arg)
    res = _log_core(b, arg, corr, eadd)
    res = b.select(inf_or_nan, a, res)
    res = b.select(_eq(b, a, _c(ty, 0.0)), a, res)
    return _copysign(b, res, x)


@register("acosh")
def _acosh(b, args):
    x, = args
    ty = x.type
    if ty == F32:
        return _wide_call(b, "acosh", args)
    one = _c(ty, 1.0)
    huge = _gt(b, x, _c(ty, 2.0 ** 28))
    small = _lt(b, x, _c(ty, 2.0))
    xc = _clamp(b, x, 1.0, 2.0 ** 28)
    t = b.fsub(xc, one)                                  # exact for x <= 2
    # x < 2: log1p(t + sqrt(2t + t^2))
    v = b.fadd(t, _sqrt(b, _fma(b, t, t, b.fadd(t, t))))
    u, corr = _log1p_core(b, v)
    # 2 <= x <= 2^28: log(2x - 1/(x + sqrt(x^2 - 1))); x > 2^28: log(x) + ln2
    w = b.fsub(b.fmul(_c(ty, 2.0), xc),
               b.fdiv(one, b.fadd(xc, _sqrt(b, _fma(b, xc, xc, _c(ty, -1.0))))))
    w = b.select(huge, x, w)
    arg = b.select(small, u, w)
    corr = b.select(small, corr, _c(ty, 0.0))
    eadd = b.select(huge, one, _c(ty, 0.0))
    bad = b.fcmp_unordered("==", x, _inf(ty))
    arg = b.select(bad, one, arg)
    res = _log_core(b, arg, corr, eadd)
    res = b.select(bad, x, res)
    res = b.select(_eq(b, x, one), _c(ty, 0.0), res)
    return b.select(b.fcmp_unordered("<", x, one), _nan(ty), res)


@register("atanh")
def _atanh(b, args):
    x, = args
    ty = x.type
    if ty == F32:
        return _wide_call(b, "atanh", args)
    one = _c(ty, 1.0)
    a = _fabs(b, x)
    ac = _clamp(b, a, 0.0, 1.0)
    d = b.fsub(one, ac)
    a2 = b.fadd(ac, ac)
    # a < 0.5: log1p(2a + 2a*a/(1-a)); else log1p(2a/(1-a))
    v_small = _fma(b, a2, b.fdiv(ac, d), a2)
    v_big = b.fdiv(a2, d)
    v = b.select(_lt(b, ac, _c(ty, 0.5)), v_small, v_big)
    v = b.select(_eq(b, ac, one), _c(ty, 0.0), v)       # keep it finite
    u, corr = _log1p_core(b, v)
    res = b.fmul(_c(ty, 0.5), _log_core(b, u, corr))
    res = b.select(_eq(b, a, one), _inf(ty), res)
    res = b.select(_eq(b, a, _c(ty, 0.0)), a, res)
    res = b.select(b.fcmp_unordered(">", a, one), _nan(ty), res)
    return _copysign(b, res, x)


# ---------------------------------------------------------------------------
# cbrt
# ---------------------------------------------------------------------------

CBRT_P = [0.47514693623890253, 0.8317431442479309, -0.4602977267696209,
          0.19665479701360078, -0.04831832068166114, 0.005072953325277491]  # err 1.7e-6


@register("cbrt")
def _cbrt(b, args):
    x, = args
    ty = x.type
    if ty == F32:
        return _wide_call(b, "cbrt", args)
    a = _fabs(b, x)
    sub = _lt(b, a, _c(ty, 2.0 ** -1022))
    asc = b.select(sub, b.fmul(a, _c(ty, 2.0 ** 162)), a)
    ix = b.bitcast(asc, I64)
    e = b.sitofp(b.sub(b.lshr(ix, ir.Constant(I64, 52)), ir.Constant(I64, 1023)), ty)
    m = b.bitcast(b.or_(b.and_(ix, ir.Constant(I64, (1 << 52) - 1)),
                        ir.Constant(I64, 1023 << 52)), ty)     # [1, 2)
    q = _floor(b, b.fmul(b.fadd(e, _c(ty, 0.5)), _c(ty, 1.0 / 3.0)))
    rem = b.fsub(e, b.fmul(q, _c(ty, 3.0)))              # 0, 1, 2
    r1 = _eq(b, rem, _c(ty, 1.0))
    r2 = _eq(b, rem, _c(ty, 2.0))
    mm = b.fmul(m, b.select(r2, _c(ty, 4.0), b.select(r1, _c(ty, 2.0), _c(ty, 1.0))))
    y = b.fmul(_horner(b, m, CBRT_P),
               b.select(r2, _c(ty, 1.5874010519681996),
                        b.select(r1, _c(ty, 1.2599210498948732), _c(ty, 1.0))))
    third = _c(ty, 1.0 / 3.0)
    # one Newton step: y -= (y^3 - mm) / (3 y^2)
    y2 = b.fmul(y, y)
    y = b.fsub(y, b.fmul(b.fdiv(_fma(b, y2, y, b.fneg(mm)), y2), third))
    # final step with the residual y^3 - mm computed exactly (double-double)
    y2h = b.fmul(y, y)
    y2l = _fma(b, y, y, b.fneg(y2h))
    y3h = b.fmul(y2h, y)
    y3l = _fma(b, y2h, y, b.fneg(y3h))
    res = b.fadd(b.fsub(y3h, mm), _fma(b, y2l, y, y3l))
    y = b.fsub(y, b.fmul(b.fdiv(res, y2h), third))
    qi = b.fptosi(b.fsub(q, b.select(sub, _c(ty, 54.0), _c(ty, 0.0))), I64)
    out = b.fmul(y, _pow2i(b, qi, ty))
    special = b.fcmp_unordered("!=", b.fmul(a, _c(ty, 0.0)), _c(ty, 0.0))   # inf, nan
    out = b.select(special, a, out)
    out = b.select(_eq(b, a, _c(ty, 0.0)), a, out)
    out = b.select(_isnan(b, x), x, out)
    return _copysign(b, out, x)


# ---------------------------------------------------------------------------
# pow
# ---------------------------------------------------------------------------

# P2(z) = sum_k>=2 2 z^(k-2)/(2k+1): log(1+f) = 2s + 2s^3/3 + s^5 P2(s^2)
LOG_P2_64 = [0.4, 0.28571428571429364, 0.22222222221656232, 0.18181818335314404,
             0.15384594970895457, 0.13334804238225345, 0.11706248540922386,
             0.11723051028097753]                                 # fit err 1.9e-18
TWO_THIRDS_HI, TWO_THIRDS_LO = 0.6666666666666666, 3.700743415417188e-17


def _log_dd(b, a):
    """log(a) as a double-double (hi, lo), relative error ~2^-64, finite a > 0."""
    ty = F64
    e, f = _log_split(b, a)
    two = _c(ty, 2.0)
    uh = b.fadd(two, f)
    ul = b.fsub(f, b.fsub(uh, two))                       # exact
    sh = b.fdiv(f, uh)
    rr = b.fsub(_fma(b, b.fneg(sh), uh, f), b.fmul(sh, ul))
    sl = b.fdiv(rr, uh)                                   # s = sh + sl = f/(2+f)
    z = b.fmul(sh, sh)
    zl = _fma(b, sh, sh, b.fneg(z))
    s3h = b.fmul(z, sh)
    s3l = b.fadd(_fma(b, z, sh, b.fneg(s3h)),
                 _fma(b, zl, sh, b.fmul(b.fmul(_c(ty, 3.0), z), sl)))
    t3h = b.fmul(_c(ty, TWO_THIRDS_HI), s3h)
    t3l = b.fadd(_fma(b, _c(ty, TWO_THIRDS_HI), s3h, b.fneg(t3h)),
                 _fma(b, _c(ty, TWO_THIRDS_HI), s3l, b.fmul(_c(ty, TWO_THIRDS_LO), s3h)))
    tail = b.fmul(b.fmul(s3h, z), _horner(b, z, LOG_P2_64))
    eh = b.fmul(e, _c(ty, LN2_DD_HI))
    el = _fma(b, e, _c(ty, LN2_DD_LO), _fma(b, e, _c(ty, LN2_DD_HI), b.fneg(eh)))
    h, l1 = _two_sum(b, eh, b.fmul(two, sh))
    h, l2 = _two_sum(b, h, t3h)
    low = b.fadd(b.fadd(el, b.fmul(two, sl)), b.fadd(t3l, tail))
    low = b.fadd(b.fadd(l1, l2), low)
    hi = b.fadd(h, low)
    return hi, b.fsub(low, b.fsub(hi, h))


def _pow_f64(b, x, y, precise):
    ty = F64
    one, zero = _c(ty, 1.0), _c(ty, 0.0)
    inf = _inf(ty)
    a = _fabs(b, x)
    a_special = b.fcmp_unordered("!=", b.fmul(a, zero), zero)      # inf or nan
    a_special = b.or_(a_special, _eq(b, a, zero))
    ac = b.select(a_special, one, a)
    if precise:
        lh, ll = _log_dd(b, ac)
        zh = b.fmul(y, lh)
        zl = _fma(b, y, ll, _fma(b, y, lh, b.fneg(zh)))
        mag = _exp_core(b, zh, zl)
    else:
        mag = _exp_core(b, b.fmul(y, _log_core(b, ac)))
    # |x| in {0, inf}: 0 or inf depending on the signs
    big = b.icmp_unsigned("==", _eq(b, a, inf), _gt(b, y, zero))
    mag = b.select(a_special, b.select(big, inf, zero), mag)
    # sign and domain for x < 0 (and x = -0)
    fy = _floor(b, y)
    is_int = _eq(b, fy, y)
    hy = b.fmul(y, _c(ty, 0.5))
    odd = b.and_(is_int, b.fcmp_ordered("!=", _floor(b, hy), hy))
    xneg = b.icmp_signed("<", b.bitcast(x, I64), ir.Constant(I64, 0))
    res = b.select(b.and_(xneg, odd), b.fneg(mag), mag)
    nonint = b.fcmp_ordered("!=", fy, y)                 # finite non-integer
    finite_neg = b.and_(_lt(b, x, zero), _gt(b, x, _c(ty, float("-inf"))))
    res = b.select(b.and_(finite_neg, nonint), _nan(ty), res)
    res = b.select(b.or_(_isnan(b, x), _isnan(b, y)), _nan(ty), res)
    res = b.select(b.and_(_eq(b, x, _c(ty, -1.0)), _eq(b, _fabs(b, y), inf)), one, res)
    res = b.select(_eq(b, x, one), one, res)
    return b.select(_eq(b, y, zero), one, res)


@register("pow", nargs=2)
def _pow(b, args):
    x, y = args
    if x.type == F32:
        return b.fptrunc(_pow_f64(b, b.fpext(x, F64), b.fpext(y, F64), False), F32)
    return _pow_f64(b, x, y, True)
