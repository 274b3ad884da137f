"""Inline LLVM code for sin, cos, tan, asin, acos, atan and atan2 (float32, float64).

Everything is straight-line code (`select`, no branches, no calls), so a loop over
these functions vectorizes after inlining. Only the intrinsics fma, sqrt, fabs,
floor, rint and copysign are used.

Argument reduction (sin, cos, tan) is exact-enough over the whole floating range:
a Payne-Hanek style reduction driven by tables of 2/pi bits built at import time
from an integer computation of pi (Machin's formula), so there is no separate
small-argument (Cody-Waite) path and no domain restriction.

- float32: |x| = M 2^e with M < 2^24. A table indexed by the biased exponent holds
  B(e) = (2^e 2/pi) mod 8 as a double-double (B0, B1). x 2/pi mod 8 = M B0 + M B1:
  M B0 is split exactly with an fma (two-product); the integer parts are dropped
  (their value mod 4 is the quadrant). The reduced argument is correct to about
  2^-79 absolute in quarter turns, against a smallest |r| of about 2^-29 over all
  float32. The kernels then run in double (short polynomials), rounded once.
- float64: |x| = Z 2^E_j with E_j = -80 + 32 j, Z = M 2^s (s < 32, Z < 2^85). A
  33-entry table holds G_j = (2^E_j 2/pi) mod 8 in four fixed-point chunks of 53
  bits (2^2..2^-50, 2^-51..2^-103, ...). The products Z*D_i are split exactly with
  fma, their integer parts removed (mod 4 -> quadrant), and the fractions summed
  with exact additions / two-sums in an order where cancellation is exact. The
  result (a double-double in turns) has an absolute error below about 2^-120,
  against a smallest |r| of about 2^-62 over all doubles; it is valid for
  |x| >= 2^-27 (below that sin x = tan x = x, cos x = 1 to the last bit).

Kernels: float64 sin/cos return (hi, lo) pairs; tan = sin/cos (or -cos/sin in odd
quadrants) with one reciprocal and an fma residual correction; asin/acos use
asin(x) = pi/2 - 2 asin(sqrt((1-|x|)/2)) for |x| > 1/2 with the sqrt's residual;
atan reduces to |v| <= tan(pi/8) via (u-1)/(u+1) or -1/u with the division's
residual; atan2 divides min(|y|,|x|) by max(...) keeping the quotient's residual.
float32 versions compute in double and round once. Measured: <= 1 ULP against
NumPy and against correctly rounded values (see tests/test_llvm_trig.py).

Cost: being branch-free, the full-range reduction is paid for every element
(float64 sin ~35 instructions/element incl. 4 gathers; float32 sin ~16 incl. 2
gathers, computed 4 lanes wide in double).

Polynomial coefficients are minimax fits made offline with a Remez exchange in
mpmath (relative error of the kernel, e.g. sin r = r + r z S(z), z = r^2):
sin 2^-58, cos 2^-64, atan 2^-64 on |v| <= tan(pi/8), asin 2^-60 on |s| <= 1/2 for
float64; the float32 versions (evaluated in double) are below 2^-43.

Special values follow NumPy: nan -> nan, sin/cos/tan(+-inf) = nan, asin/acos
outside [-1, 1] = nan, signed zeros kept, atan2 has the C99/NumPy table for zeros
and infinities.
"""
from __future__ import annotations

from fractions import Fraction

from llvmlite import ir

from .llvm_mathbase import F32, F64, register

I32, I64 = ir.IntType(32), ir.IntType(64)


# ---------------------------------------------------------------- constants

def _pi_fixed(bits: int) -> int:
    """floor(pi * 2^bits) (up to a few units in the last place), integers only."""
    guard = 32
    one = 1 << (bits + guard)

    def atan_inv(n: int) -> int:      # atan(1/n) * one
        total, term, k, n2 = 0, one // n, 0, n * n
        while term:
            total += term // (2 * k + 1) if k % 2 == 0 else -(term // (2 * k + 1))
            term //= n2
            k += 1
        return total

    return (16 * atan_inv(5) - 4 * atan_inv(239)) >> guard


_PBITS = 1500                                 # bits of 2/pi kept (enough for e <= 1024)
_PI = _pi_fixed(_PBITS + 8)                   # pi * 2^(PBITS+8)
_TWO_OVER_PI = (1 << (2 * _PBITS + 9)) // _PI  # floor(2/pi * 2^PBITS)


def _frac_pi(mult: Fraction) -> Fraction:
    return mult * Fraction(_PI, 1 << (_PBITS + 8))


def _dd(v: Fraction):
    hi = float(v)
    return hi, float(v - Fraction(hi))


PIO2_HI, PIO2_LO = _dd(_frac_pi(Fraction(1, 2)))
PIO4_HI, PIO4_LO = _dd(_frac_pi(Fraction(1, 4)))
PI_HI, PI_LO = _dd(_frac_pi(Fraction(1)))
PI3O4_HI, PI3O4_LO = _dd(_frac_pi(Fraction(3, 4)))


def _two_over_pi_times_pow2_mod8(e: int) -> Fraction:
    """(2^e * 2/pi) mod 8 as an exact fraction (2/pi truncated at PBITS bits)."""
    num, den = _TWO_OVER_PI, 1 << _PBITS
    if e >= 0:
        num <<= e
    else:
        den <<= -e
    return Fraction(num % (8 * den), den)


def _table_f32() -> list:
    """Index = biased float32 exponent 0..254: (B0, B1) double-double of B(e)."""
    out = []
    for be in range(255):
        e = max(be, 1) - 150
        hi, lo = _dd(_two_over_pi_times_pow2_mod8(e))
        out += [hi, lo]
    return out


_E0_F64, _NJ_F64 = -80, 33


def _table_f64() -> list:
    """Entry j: G_j = (2^(E0+32j) 2/pi) mod 8 in 4 fixed-point chunks of 53 bits."""
    out = []
    for j in range(_NJ_F64):
        g = _two_over_pi_times_pow2_mod8(_E0_F64 + 32 * j)
        for k in range(4):
            scale = 1 << (50 + 53 * k)
            chunk = Fraction(int(g * scale), scale)
            out.append(float(chunk))      # exact: at most 53 significant bits
            g -= chunk
    return out


_TABLES = {"f32": None, "f64": None}


def _table(module, which: str):
    name = f"tj.trig.two_over_pi_{which}"
    gv = module.globals.get(name)
    if gv is not None:
        return gv
    if _TABLES[which] is None:
        _TABLES[which] = _table_f32() if which == "f32" else _table_f64()
    vals = _TABLES[which]
    aty = ir.ArrayType(F64, len(vals))
    gv = ir.GlobalVariable(module, aty, name)
    gv.initializer = ir.Constant(aty, vals)
    gv.global_constant = True
    gv.linkage = "private"
    gv.align = 64
    return gv


# Minimax coefficients (constant term first), see the module docstring.
# float64
SIN64 = [-0.16666666666666632, 0.008333333333322424, -0.0001984126982981674,
         2.7557313695149388e-06, -2.5050758640708744e-08, 1.5896827174460006e-10]
COS64 = [0.0416666666666666, -0.0013888888888874138, 2.480158728949161e-05,
         -2.7557314355176117e-07, 2.087572367513039e-09, -1.1359669368039825e-11]
ATAN64 = [-0.33333333333333326, 0.19999999999997684, -0.14285714285389658,
          0.11111111088280404, -0.09090908148225939, 0.07692282842189703,
          -0.06666227990022547, 0.05877033862278252, -0.05218482015483815,
          0.04503864960759863, -0.033481800712286625, 0.01520261002570022]
ASIN64 = [0.16666666666666763, 0.07499999999970261, 0.04464285717512157,
          0.03038194268358697, 0.02237221566100598, 0.017351600081262148,
          0.013980961559813343, 0.011397775209285118, 0.010786532991096585,
          0.0036830282112903993, 0.02176353077071384, -0.02107733501657112,
          0.032676915553667]
# float32 (evaluated in double)
SIN32 = [-0.16666666666631624, 0.008333333325277019, -0.00019841263825774228,
         2.7555358341918346e-06, -2.4761694453521473e-08]
COS32 = [0.04166666662282738, -0.0013888883753354628, 2.4799519994632793e-05,
         -2.721023662433204e-07]
ATAN32 = [-0.33333333331691467, 0.19999999684674774, -0.14285693543525724,
          0.11110448617517583, -0.09079118763166476, 0.07568398060678791,
          -0.05890507088647171, 0.03088606937585754]
ASIN32 = [0.16666666669695795, 0.07499999525595696, 0.04464311246866659,
          0.030375233262825797, 0.02247130218792168, 0.016477801477700102,
          0.018630059622872588, -0.0028574131829426767, 0.031958450779170755]

TAN_PI_8 = 0.41421356237309503     # ~ sqrt(2) - 1
TAN_3PI_8 = 2.414213562373095      # ~ sqrt(2) + 1


# ---------------------------------------------------------------- IR helpers

def _intrinsic(module, name: str, ty, nargs: int):
    fname = f"llvm.{name}.{'f32' if ty == F32 else 'f64'}"
    fn = module.globals.get(fname)
    if fn is None:
        fn = ir.Function(module, ir.FunctionType(ty, [ty] * nargs), fname)
    return fn


class _E:
    """Small arithmetic DSL over one IRBuilder and one float type (no fast-math)."""

    def __init__(self, b: ir.IRBuilder, ty):
        self.b, self.ty = b, ty

    def v(self, x):
        return ir.Constant(self.ty, float(x)) if isinstance(x, (int, float)) else x

    def _call(self, name, *args):
        args = [self.v(a) for a in args]
        return self.b.call(_intrinsic(self.b.module, name, self.ty, len(args)), args)

    def add(self, x, y): return self.b.fadd(self.v(x), self.v(y))
    def sub(self, x, y): return self.b.fsub(self.v(x), self.v(y))
    def mul(self, x, y): return self.b.fmul(self.v(x), self.v(y))
    def div(self, x, y): return self.b.fdiv(self.v(x), self.v(y))
    def neg(self, x): return self.b.fneg(self.v(x))
    def fma(self, x, y, z): return self._call("fma", x, y, z)
    def abs(self, x): return self._call("fabs", x)
    def rint(self, x): return self._call("rint", x)
    def floor(self, x): return self._call("floor", x)
    def sqrt(self, x): return self._call("sqrt", x)
    def copysign(self, x, y): return self._call("copysign", x, y)

    def cmp(self, op, x, y): return self.b.fcmp_ordered(op, self.v(x), self.v(y))
    def isnan(self, x): return self.b.fcmp_unordered("uno", x, x)
    def sel(self, c, x, y): return self.b.select(c, self.v(x), self.v(y))
    def or_(self, p, q): return self.b.or_(p, q)
    def and_(self, p, q): return self.b.and_(p, q)

    def two_sum(self, x, y):
        s = self.add(x, y)
        bb = self.sub(s, x)
        err = self.add(self.sub(x, self.sub(s, bb)), self.sub(y, bb))
        return s, err

    def fast_two_sum(self, x, y):       # |x| >= |y| (or x == 0)
        s = self.add(x, y)
        return s, self.sub(y, self.sub(s, x))

    def two_prod(self, x, y):
        p = self.mul(x, y)
        return p, self.fma(x, y, self.neg(p))

    def poly(self, z, coeffs):
        """Horner with fma; coeffs constant term first."""
        acc = self.v(coeffs[-1])
        for c in reversed(coeffs[:-1]):
            acc = self.fma(acc, z, c)
        return acc

    def mod4(self, n):
        """n - 4 floor(n/4) for an integer-valued double (exact)."""
        return self.fma(self.floor(self.mul(n, 0.25)), -4.0, n)

    def isinf(self, x): return self.cmp("==", self.abs(x), float("inf"))
    def finite(self, x): return self.cmp("<", self.abs(x), float("inf"))

    def signbit(self, x):
        ity = I32 if self.ty == F32 else I64
        return self.b.icmp_signed("<", self.b.bitcast(x, ity), ir.Constant(ity, 0))


def _gather(b: ir.IRBuilder, gv, idx):
    ptr = b.gep(gv, [ir.Constant(idx.type, 0), idx], inbounds=True,
                source_etype=gv.value_type)
    return b.load(ptr, typ=F64)


# ---------------------------------------------------------------- reduction

def _reduce_f32(b: ir.IRBuilder, x):
    """x float32 -> (quadrant as double 0..3, r double radians) for |x|, exact to
    ~2^-50 relative. Valid for every finite x (garbage for inf/nan)."""
    d = _E(b, F64)
    bits = b.and_(b.bitcast(x, I32), I32(0x7FFFFFFF))
    be = b.lshr(bits, I32(23))
    idx = b.select(b.icmp_unsigned(">", be, I32(254)), I32(254), be)
    m = b.and_(bits, I32(0x7FFFFF))
    m = b.or_(m, b.select(b.icmp_unsigned("==", be, I32(0)), I32(0), I32(0x800000)))
    md = b.sitofp(m, F64)
    tab = _table(b.module, "f32")
    i0 = b.shl(idx, I32(1))
    b0 = _gather(b, tab, i0)
    b1 = _gather(b, tab, b.or_(i0, I32(1)))
    h0, l0 = d.two_prod(md, b0)
    h1 = d.mul(md, b1)
    n0 = d.rint(h0)
    a = d.sub(h0, n0)
    s, t = d.two_sum(a, l0)
    n1 = d.rint(s)
    s = d.sub(s, n1)
    r = d.add(s, d.add(t, h1))
    quad = d.mod4(d.add(n0, n1))
    return quad, d.mul(r, PIO2_HI)


def _reduce_f64(b: ir.IRBuilder, ax):
    """ax = |x| float64 >= 2^-27 -> (quadrant double 0..3, yh, yl) with
    yh + yl = ax mod pi/2 in [-pi/4, pi/4] to ~2^-120 absolute."""
    e = _E(b, F64)
    bits = b.bitcast(ax, I64)
    ex = b.lshr(bits, I64(52))
    t = b.sub(ex, I64(1075 + _E0_F64))
    t = b.select(b.icmp_signed("<", t, I64(0)), I64(0), t)
    tmax = 32 * _NJ_F64 - 1
    t = b.select(b.icmp_signed(">", t, I64(tmax)), I64(tmax), t)
    j = b.lshr(t, I64(5))
    sh = b.and_(t, I64(31))
    zbits = b.or_(b.and_(bits, I64((1 << 52) - 1)), b.shl(b.add(sh, I64(1075)), I64(52)))
    z = b.bitcast(zbits, F64)                       # M * 2^s
    tab = _table(b.module, "f64")
    j4 = b.shl(j, I64(2))
    dch = [_gather(b, tab, b.or_(j4, I64(k))) for k in range(4)]
    h0, l0 = e.two_prod(z, dch[0])
    h1, l1 = e.two_prod(z, dch[1])
    h2, l2 = e.two_prod(z, dch[2])
    h3 = e.mul(z, dch[3])
    n0 = e.rint(h0)
    a = e.sub(h0, n0)
    n1 = e.rint(l0)
    bq = e.sub(l0, n1)
    n2 = e.rint(h1)
    c = e.sub(h1, n2)
    u = e.add(a, bq)                                # exact: multiples of 2^(s-50), |u| <= 1
    nu = e.rint(u)
    u = e.sub(u, nu)
    p, terr = e.two_sum(u, c)
    np_ = e.rint(p)
    p = e.sub(p, np_)                               # exact (Sterbenz)
    q, e1 = e.two_sum(p, l1)
    w, e2 = e.two_sum(q, h2)
    nw = e.rint(w)
    w = e.sub(w, nw)
    lo = e.add(e.add(e.add(terr, e1), e2), e.add(l2, h3))
    # quadrant: n0 may reach 2^88 (reduce it mod 4 first); n1, n2 < 2^36 add exactly
    nsum = e.add(e.mod4(n0), e.add(n1, n2))
    nsum = e.add(nsum, e.add(e.add(nu, np_), nw))
    quad = e.mod4(nsum)
    # (w + lo) * pi/2 in double-double
    yh = e.mul(w, PIO2_HI)
    yl = e.add(e.fma(w, PIO2_HI, e.neg(yh)), e.fma(w, PIO2_LO, e.mul(lo, PIO2_HI)))
    yh, yl = e.fast_two_sum(yh, yl)
    return quad, yh, yl


# ---------------------------------------------------------------- sin/cos kernels

def _sincos_k64(e: _E, yh, yl):
    """(sin, cos) of yh + yl, |yh| <= pi/4 (+tiny), float64, each as an unsummed
    pair (hi, lo) with |lo| << |hi|."""
    z = e.mul(yh, yh)
    zl = e.fma(yh, yh, e.neg(z))
    # sin: yh + (yh z S(z) + yl (1 - z/2))
    sp = e.mul(e.mul(yh, z), e.poly(z, SIN64))
    sn_lo = e.fma(yl, e.fma(z, -0.5, 1.0), sp)
    # cos: 1 - z/2 + z^2 C(z) - yh yl
    hz = e.mul(z, 0.5)
    w = e.sub(1.0, hz)
    corr = e.sub(e.sub(e.sub(1.0, w), hz), e.mul(zl, 0.5))
    cp = e.fma(e.mul(z, z), e.poly(z, COS64), e.neg(e.mul(yh, yl)))
    return (yh, sn_lo), (w, e.add(corr, cp))


def _sincos_k32(e: _E, r):
    z = e.mul(r, r)
    sn = e.fma(e.mul(r, z), e.poly(z, SIN32), r)
    cs = e.fma(z, e.fma(z, e.poly(z, COS32), -0.5), 1.0)
    return sn, cs


def _trig_f64(b, x, which):
    e = _E(b, F64)
    ax = e.abs(x)
    quad, yh, yl = _reduce_f64(b, ax)
    (sh, sl), (ch, cl) = _sincos_k64(e, yh, yl)
    if which == "tan":
        # tan = sin/cos (even quadrant) or -cos/sin (odd), from the unsummed pairs
        # (hi, lo): t0 = n / d with one division (a reciprocal), then one correction
        # with the residual n - t0 d (fma), which removes t0's rounding errors
        odd = e.or_(e.cmp("==", quad, 1.0), e.cmp("==", quad, 3.0))
        nh = e.sel(odd, e.neg(ch), sh)
        nl = e.sel(odd, e.neg(cl), sl)
        dh = e.sel(odd, sh, ch)
        dl = e.sel(odd, sl, cl)
        rcp = e.div(1.0, e.add(dh, dl))
        t0 = e.mul(e.add(nh, nl), rcp)
        res = e.sub(e.add(e.fma(e.neg(t0), dh, nh), nl), e.mul(t0, dl))
        val = e.fma(res, rcp, t0)
        val = e.sel(e.signbit(x), e.neg(val), val)
        val = e.sel(e.cmp("<", ax, 2.0 ** -27), x, val)
        return e.sel(e.finite(x), val, float("nan"))
    return _finish(e, x, ax, quad, e.add(sh, sl), e.add(ch, cl), which, tiny=2.0 ** -27)


def _trig_f32(b, x, which):
    e = _E(b, F64)
    quad, r = _reduce_f32(b, x)
    sn, cs = _sincos_k32(e, r)
    xd = b.fpext(x, F64)
    res = _finish(e, xd, e.abs(xd), quad, sn, cs, which, tiny=None)
    return b.fptrunc(res, F32)


def _finish(e: _E, x, ax, quad, sn, cs, which, tiny):
    odd = e.or_(e.cmp("==", quad, 1.0), e.cmp("==", quad, 3.0))
    if which == "sin":
        val = e.sel(odd, cs, sn)
        neg = e.cmp(">=", quad, 2.0)
        val = e.sel(neg, e.neg(val), val)
        val = e.sel(e.signbit(x), e.neg(val), val)
        if tiny is not None:
            val = e.sel(e.cmp("<", ax, tiny), x, val)
    elif which == "cos":
        val = e.sel(odd, sn, cs)
        neg = e.or_(e.cmp("==", quad, 1.0), e.cmp("==", quad, 2.0))
        val = e.sel(neg, e.neg(val), val)
        if tiny is not None:
            val = e.sel(e.cmp("<", ax, tiny), 1.0, val)
    else:  # tan = sin/cos, or -cos/sin in odd quadrants
        num = e.sel(odd, e.neg(cs), sn)
        den = e.sel(odd, sn, cs)
        val = e.div(num, den)
        val = e.sel(e.signbit(x), e.neg(val), val)
        if tiny is not None:
            val = e.sel(e.cmp("<", ax, tiny), x, val)
    return e.sel(e.finite(x), val, float("nan"))


def _trig(which):
    def emit(b, args):
        x = args[0]
        return (_trig_f32 if x.type == F32 else _trig_f64)(b, x, which)
    emit.__name__ = f"emit_{which}"
    return emit


register("sin")(_trig("sin"))
register("cos")(_trig("cos"))
register("tan")(_trig("tan"))


# ---------------------------------------------------------------- atan

def _atan_kernel(e: _E, u, ul, dd: bool):
    """atan(u + ul) for u >= 0 (u may be +inf; ul tiny or 0). Returns (hi, lo).
    dd=False (float32 in double): plain evaluation, lo = 0-ish terms folded."""
    a_small = e.cmp("<=", u, TAN_PI_8)
    a_mid = e.cmp("<=", u, TAN_3PI_8)
    one = e.v(1.0)
    if dd:
        nm, nml = e.two_sum(u, -1.0)
        dn, dnl = e.two_sum(u, 1.0)
    else:
        nm, dn = e.sub(u, 1.0), e.add(u, 1.0)
    num = e.sel(a_small, u, e.sel(a_mid, nm, -1.0))
    den = e.sel(a_small, one, e.sel(a_mid, dn, u))
    v = e.div(num, den)
    ch = e.sel(a_small, 0.0, e.sel(a_mid, PIO4_HI, PIO2_HI))
    z = e.mul(v, v)
    coeffs = ATAN64 if dd else ATAN32
    pv = e.mul(e.mul(v, z), e.poly(z, coeffs))
    if not dd:
        return e.add(ch, e.add(v, pv)), None
    cl = e.sel(a_small, 0.0, e.sel(a_mid, PIO4_LO, PIO2_LO))
    numl = e.sel(a_mid, e.sel(a_small, 0.0, nml), 0.0)
    denl = e.sel(a_mid, e.sel(a_small, 0.0, dnl), 0.0)
    # v correction: (num + numl - v (den + denl)) / den, plus ul * dv/du
    res = e.add(e.fma(e.neg(v), den, num), e.sub(numl, e.mul(v, denl)))
    vl = e.div(res, den)
    omv = e.sub(1.0, v)
    dvdu = e.sel(a_small, 1.0, e.sel(a_mid, e.mul(e.mul(omv, omv), 0.5), z))
    vl = e.fma(ul, dvdu, vl)
    vl = e.sel(e.finite(u), vl, 0.0)
    hi, err = e.two_sum(ch, v)
    lo = e.add(e.add(err, cl), e.fma(vl, e.sub(1.0, z), pv))
    return hi, lo


@register("atan")
def emit_atan(b, args):
    x = args[0]
    f32 = x.type == F32
    e = _E(b, F64)
    xd = b.fpext(x, F64) if f32 else x
    u = e.abs(xd)
    hi, lo = _atan_kernel(e, u, e.v(0.0), dd=not f32)
    r = hi if f32 else e.add(hi, lo)
    r = e.sel(e.isinf(xd), PIO2_HI, r)
    r = e.copysign(r, xd)
    r = e.sel(e.isnan(xd), xd, r)
    return b.fptrunc(r, F32) if f32 else r


@register("atan2", nargs=2)
def emit_atan2(b, args):
    y, x = args
    f32 = x.type == F32
    e = _E(b, F64)
    if f32:
        y, x = b.fpext(y, F64), b.fpext(x, F64)
    ay, ax = e.abs(y), e.abs(x)
    swap = e.cmp(">", ay, ax)
    num = e.sel(swap, ax, ay)
    den = e.sel(swap, ay, ax)
    u = e.div(num, den)
    xneg = e.signbit(x)
    # base + sgn * atan(u): (0,+), swap: (pi/2,-), x<0: (pi,-), x<0&swap: (pi/2,+)
    bh = e.sel(swap, PIO2_HI, e.sel(xneg, PI_HI, 0.0))
    bl = e.sel(swap, PIO2_LO, e.sel(xneg, PI_LO, 0.0))
    minus = b.xor(swap, xneg)
    if f32:
        a, _ = _atan_kernel(e, u, None, dd=False)
        r = e.add(bh, e.sel(minus, e.neg(a), a))
    else:
        ul = e.div(e.fma(e.neg(u), den, num), den)
        ul = e.sel(e.cmp("<", u, 2.0 ** -960), 0.0, ul)   # residual inexact when tiny
        ah, al = _atan_kernel(e, u, ul, dd=True)
        ah = e.sel(minus, e.neg(ah), ah)
        al = e.sel(minus, e.neg(al), al)
        h, err = e.two_sum(bh, ah)
        r = e.add(h, e.add(e.add(err, bl), al))
    # special cases
    both_inf = e.and_(e.isinf(x), e.isinf(y))
    r = e.sel(both_inf, e.sel(xneg, PI3O4_HI, PIO4_HI), r)
    both_zero = e.and_(e.cmp("==", ay, 0.0), e.cmp("==", ax, 0.0))
    r = e.sel(both_zero, e.sel(xneg, PI_HI, 0.0), r)
    r = e.copysign(r, y)
    r = e.sel(e.or_(e.isnan(x), e.isnan(y)), float("nan"), r)
    return b.fptrunc(r, F32) if f32 else r


# ---------------------------------------------------------------- asin / acos

def _asin_parts(e: _E, xd, dd: bool):
    """Shared part of asin/acos on |x|: returns (ax, small, s, sl, z, poly term)."""
    ax = e.abs(xd)
    small = e.cmp("<=", ax, 0.5)
    zb = e.mul(e.sub(1.0, ax), 0.5)                 # exact for ax >= 1/2
    z = e.sel(small, e.mul(xd, xd), zb)
    s = e.sqrt(zb)
    if dd:
        sl = e.div(e.fma(e.neg(s), s, zb), e.add(s, s))
        sl = e.sel(e.cmp(">", s, 0.0), sl, 0.0)
    else:
        sl = None
    base = e.sel(small, ax, s)                       # asin(base) = base + base z P(z)
    pz = e.mul(e.mul(base, z), e.poly(z, ASIN64 if dd else ASIN32))
    return ax, small, s, sl, pz


@register("asin")
def emit_asin(b, args):
    x = args[0]
    f32 = x.type == F32
    e = _E(b, F64)
    xd = b.fpext(x, F64) if f32 else x
    ax, small, s, sl, pz = _asin_parts(e, xd, dd=not f32)
    r_small = e.add(ax, pz)
    if f32:
        r_big = e.sub(PIO2_HI, e.mul(e.add(s, pz), 2.0))
    else:
        h, err = e.two_sum(PIO2_HI, e.mul(s, -2.0))
        r_big = e.add(h, e.sub(e.add(err, PIO2_LO), e.mul(e.add(sl, pz), 2.0)))
    r = e.sel(small, r_small, r_big)
    r = e.copysign(r, xd)
    r = e.sel(e.cmp("<=", ax, 1.0), r, float("nan"))
    return b.fptrunc(r, F32) if f32 else r


@register("acos")
def emit_acos(b, args):
    x = args[0]
    f32 = x.type == F32
    e = _E(b, F64)
    xd = b.fpext(x, F64) if f32 else x
    ax, small, s, sl, pz = _asin_parts(e, xd, dd=not f32)
    neg = e.cmp("<", xd, 0.0)
    if f32:
        r_small = e.sub(PIO2_HI, e.copysign(e.add(ax, pz), xd))
        t = e.mul(e.add(s, pz), 2.0)
        r_big = e.sel(neg, e.sub(PI_HI, t), t)
    else:
        xs = e.copysign(ax, xd)
        ps = e.copysign(pz, xd)
        h, err = e.two_sum(PIO2_HI, e.neg(xs))
        r_small = e.add(h, e.sub(e.add(err, PIO2_LO), ps))
        tl = e.mul(e.add(sl, pz), 2.0)
        t2 = e.mul(s, 2.0)
        h2, err2 = e.two_sum(PI_HI, e.neg(t2))
        r_neg = e.add(h2, e.sub(e.add(err2, PI_LO), tl))
        r_big = e.sel(neg, r_neg, e.add(t2, tl))
    r = e.sel(small, r_small, r_big)
    r = e.sel(e.cmp("<=", ax, 1.0), r, float("nan"))
    return b.fptrunc(r, F32) if f32 else r
