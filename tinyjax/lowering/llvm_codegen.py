"""Kernel IR -> LLVM IR with llvmlite.

Each `Kernel` becomes a function `void k(ptr noalias %buf0, ..., ptr %args)`; the
entry function `void tj_entry(ptr %args)` reads the buffer addresses from the
argument vector (inputs, constants, outputs, then the arena, then host callbacks),
places temporaries at their arena offsets and calls the kernels in order.
The same expression emitter is meant for the NVPTX backend (only the entry glue
and the thread indexing differ).
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from . import kir
from .llvm_mathbase import MATH_FUNCS, _load_all, math_call

I1, I8, I16, I32, I64 = (ir.IntType(n) for n in (1, 8, 16, 32, 64))
F16, F32, F64 = ir.HalfType(), ir.FloatType(), ir.DoubleType()
PTR = ir.PointerType()
VOID = ir.VoidType()

REDUCE_FLAGS = ("reassoc", "nsz", "contract")  # lets LLVM vectorize float sums


def llvm_type(dt, memory: bool = False):
    dt = np.dtype(dt)
    if dt == np.bool_:
        return I8 if memory else I1
    if dt.kind in "iu":
        return ir.IntType(dt.itemsize * 8)
    return {2: F16, 4: F32, 8: F64}[dt.itemsize]


def _intrinsic(b, name, ty, nargs=1, ret=None):
    m = b.module
    fn = m.globals.get(name)
    if fn is None:
        fn = ir.Function(m, ir.FunctionType(ret or ty, [ty] * nargs), name)
    return fn


def _fsuffix(ty):
    return {F16: "f16", F32: "f32", F64: "f64"}[ty]


def _isuffix(ty):
    return f"i{ty.width}"


def _float_const(ty, v):
    return ir.Constant(ty, float(v))


class FunctionEmitter:
    """Emits statements and expressions into one LLVM function."""

    def __init__(self, builder: ir.IRBuilder, buffers: dict, args_ptr=None, host_base=0):
        self.b = builder
        self.buffers = buffers          # Buffer -> ptr value
        self.args_ptr = args_ptr        # the entry argument vector (host calls)
        self.host_base = host_base      # its slot of host function 0
        self.env: dict = {}             # loop-var name -> SSA value
        self.locals: dict = {}          # local name -> alloca
        self.memo = [{}]
        self._has_local: dict = {}
        fn = builder.function
        # allocas go to the entry block, which holds only them and a branch to the code
        self._alloca_builder = ir.IRBuilder(fn.entry_basic_block)

    # ------------------------------------------------------------------ statements
    def stmts(self, stmts):
        for s in stmts:
            self.stmt(s)

    def stmt(self, s):
        b = self.b
        if isinstance(s, kir.Store):
            ptr = self.buffers[s.buf]
            v = self.expr(s.value)
            if s.value.dtype == np.bool_:
                v = b.zext(v, I8)
            b.store(v, b.gep(ptr, [self.expr(s.index)],
                             source_etype=llvm_type(s.buf.dtype, memory=True)))
            self._invalidate()   # memoized loads of this buffer may be stale now
        elif isinstance(s, kir.For):
            self._for(s.var, s.start, s.stop, lambda: self.stmts(s.body))
        elif isinstance(s, kir.Local):
            ty = llvm_type(s.var.dtype)
            slot = self._alloca(ty, name=s.var.attr)
            self.locals[s.var.attr] = (slot, ty)
            b.store(self.expr(s.init), slot)
            self._invalidate()
        elif isinstance(s, kir.Assign):
            slot, _ = self.locals[s.var.attr]
            b.store(self.expr(s.value), slot)
            self._invalidate()
        elif isinstance(s, kir.If):
            c = self.expr(s.cond)
            if s.orelse:
                with b.if_else(c) as (then, orelse):
                    with then:
                        self._scoped(self.stmts, s.then)
                    with orelse:
                        self._scoped(self.stmts, s.orelse)
            else:
                with b.if_then(c):
                    self._scoped(self.stmts, s.then)
            self._invalidate()
        elif isinstance(s, kir.HostCall):
            # an opaque `ptr` array (an alloca of an ArrayType is a typed pointer,
            # which llvmlite's gep/store then reject)
            blk = self._alloca_builder.function.entry_basic_block
            self._alloca_builder.position_before(blk.terminator)
            arr = self._alloca_builder.alloca(PTR, size=I64(max(1, len(s.buffers))))
            for k, buf in enumerate(s.buffers):
                b.store(self.buffers[buf], b.gep(arr, [I64(k)], source_etype=PTR))
            slot = self.host_base + s.slot
            self._indirect_call(b.gep(self.args_ptr, [I64(slot)], source_etype=PTR), [arr])
            self._invalidate()
        else:
            raise TypeError(f"unknown kernel statement {s!r}")

    def _alloca(self, ty, name=""):
        """An alloca at the top of the entry block (so mem2reg promotes it)."""
        blk = self._alloca_builder.function.entry_basic_block
        self._alloca_builder.position_before(blk.terminator)
        return self._alloca_builder.alloca(ty, name=name)

    def _indirect_call(self, fptr_addr, args):
        """Call the `void (ptr)` function whose address is stored at `fptr_addr`
        (loaded as a typed function pointer: llvmlite's call needs its type)."""
        fnty = ir.FunctionType(VOID, [PTR])
        return self.b.call(self.b.load(fptr_addr, typ=fnty.as_pointer()), args)

    def _scoped(self, fn, *a):
        self.memo.append({})
        try:
            return fn(*a)
        finally:
            self.memo.pop()

    def _invalidate(self):
        for m in self.memo:
            m.clear()

    def _for(self, var, start, stop, body_fn):
        """A rotated counted loop: guard, body with phi, latch."""
        b = self.b
        lo = self.expr(start)
        hi = self.expr(stop)
        pre = b.block
        body = b.append_basic_block(f"{var.attr}.body")
        exit_ = b.append_basic_block(f"{var.attr}.exit")
        b.cbranch(b.icmp_signed("<", lo, hi), body, exit_)
        b.position_at_end(body)
        i = b.phi(I64, name=var.attr)
        i.add_incoming(lo, pre)
        self.env[var.attr] = i
        self.memo.append({})
        try:
            body_fn()
        finally:
            self.memo.pop()
        nxt = b.add(i, I64(1))
        i.add_incoming(nxt, b.block)
        b.cbranch(b.icmp_signed("<", nxt, hi), body, exit_)
        b.position_at_end(exit_)
        del self.env[var.attr]

    # ------------------------------------------------------------------ expressions
    def has_local(self, e) -> bool:
        r = self._has_local.get(id(e))
        if r is None:
            if e.kind == "var":
                r = e.attr in self.locals
            else:
                r = any(self.has_local(a) for a in e.args)
            self._has_local[id(e)] = (r, e)
            return r
        return r[0]

    def expr(self, e):
        for m in reversed(self.memo):
            v = m.get(id(e))
            if v is not None:
                return v
        v = self._expr(e)
        if not self.has_local(e):
            self.memo[-1][id(e)] = v
        return v

    def _expr(self, e):
        b = self.b
        k = e.kind
        if k == "const":
            ty = llvm_type(e.dtype)
            if e.dtype.kind == "f":
                return ir.Constant(ty, float(e.attr))
            if e.dtype == np.bool_:
                return I1(int(bool(e.attr)))
            return ir.Constant(ty, int(e.attr) & ((1 << ty.width) - 1))
        if k == "var":
            name = e.attr
            if name in self.env:
                return self.env[name]
            if name in self.locals:
                slot, ty = self.locals[name]
                return b.load(slot, typ=ty)
            raise KeyError(f"kernel variable {name} is not bound")
        if k == "load":
            buf = e.attr
            mty = llvm_type(buf.dtype, memory=True)
            v = b.load(b.gep(self.buffers[buf], [self.expr(e.args[0])], source_etype=mty),
                       typ=mty)
            return b.icmp_unsigned("!=", v, I8(0)) if buf.dtype == np.bool_ else v
        if k == "select":
            c, x, y = (self.expr(a) for a in e.args)
            return b.select(c, x, y)
        if k == "cast":
            return emit_cast(b, self.expr(e.args[0]), e.args[0].dtype, e.dtype)
        if k == "bitcast":
            src = e.args[0].dtype
            v = self.expr(e.args[0])
            if src == np.bool_:
                return b.zext(v, llvm_type(e.dtype))
            if e.dtype == np.bool_:
                return b.icmp_unsigned("!=", v, ir.Constant(v.type, 0))
            return b.bitcast(v, llvm_type(e.dtype))
        if k == "op":
            return emit_op(self, e.attr, e.args, e.dtype)
        if k == "reduce":
            return self._reduce(e)
        raise TypeError(f"unknown kernel expression kind {k}")

    def _reduce(self, e):
        b = self.b
        op_name, names = e.attr
        init, body, *extents = e.args
        ty = llvm_type(e.dtype)
        acc = self._alloca(ty)
        b.store(self.expr(init), acc)
        dt = e.dtype

        def nest(k):
            if k == len(names):
                cur = b.load(acc, typ=ty)
                val = self.expr(body)
                b.store(combine(self, op_name, cur, val, dt, reduction=True), acc)
                return
            self._for(kir.var(names[k]), kir.const(0), extents[k], lambda: nest(k + 1))

        nest(0)
        return b.load(acc, typ=ty)


# ----------------------------------------------------------------------------- ops

def combine(em, name, x, y, dt, reduction=False):
    """Binary `name` on LLVM values of dtype `dt`."""
    b = em.b
    if dt.kind == "f":
        if name == "add":
            return b.fadd(x, y, flags=REDUCE_FLAGS if reduction else ())
        if name == "mul":
            return b.fmul(x, y, flags=REDUCE_FLAGS if reduction else ())
        if name in ("max", "min"):
            # NumPy: (a >= b or isnan(a)) ? a : b   (and <= for min)
            c = b.fcmp_ordered(">=" if name == "max" else "<=", x, y)
            nan_x = b.fcmp_unordered("uno", x, x)
            return b.select(b.or_(c, nan_x), x, y)
    if dt == np.bool_:
        if name in ("add", "or", "max"):
            return b.or_(x, y)
        if name in ("mul", "and", "min"):
            return b.and_(x, y)
        if name == "xor":
            return b.xor(x, y)
    signed = dt.kind == "i"
    if name == "add":
        return b.add(x, y)
    if name == "mul":
        return b.mul(x, y)
    if name in ("max", "min"):
        pred = ">=" if name == "max" else "<="
        c = b.icmp_signed(pred, x, y) if signed else b.icmp_unsigned(pred, x, y)
        return b.select(c, x, y)
    if name == "and":
        return b.and_(x, y)
    if name == "or":
        return b.or_(x, y)
    if name == "xor":
        return b.xor(x, y)
    raise NotImplementedError(f"combine '{name}' for {dt}")


_FCMP = {"eq": "==", "ne": "!=", "lt": "<", "le": "<=", "gt": ">", "ge": ">="}


def emit_op(em, name, args, out_dt):
    b = em.b
    dt = args[0].dtype
    ty = llvm_type(dt)

    def v(i):
        return em.expr(args[i])

    if name in ("add", "mul", "max", "min", "and", "or", "xor"):
        return combine(em, name, v(0), v(1), dt)
    if name == "sub":
        if dt.kind == "f":
            return b.fsub(v(0), v(1))
        if dt == np.bool_:
            return b.xor(v(0), v(1))
        return b.sub(v(0), v(1))
    if name in _FCMP:
        x, y = v(0), v(1)
        if dt.kind == "f":
            return b.fcmp_unordered("!=", x, y) if name == "ne" else \
                b.fcmp_ordered(_FCMP[name], x, y)
        if dt.kind == "i":
            return b.icmp_signed(_FCMP[name], x, y)
        return b.icmp_unsigned(_FCMP[name], x, y)
    if name == "div":
        return _emit_div(em, args, dt, ty)
    if name == "rem":
        return _emit_rem(em, args, dt, ty)
    if name == "neg":
        if dt.kind == "f":
            return b.fneg(v(0))
        return b.sub(ir.Constant(ty, 0), v(0))
    if name == "not":
        return b.xor(v(0), ir.Constant(ty, -1 if dt != np.bool_ else 1))
    if name == "abs":
        x = v(0)
        if dt.kind == "f":
            return b.call(_intrinsic(b, f"llvm.fabs.{_fsuffix(ty)}", ty), [x])
        if dt.kind == "u" or dt == np.bool_:
            return x
        return b.select(b.icmp_signed("<", x, ir.Constant(ty, 0)),
                        b.sub(ir.Constant(ty, 0), x), x)
    if name == "sign":
        x = v(0)
        if dt.kind == "f":
            one = _float_const(ty, 1.0)
            pos = b.fcmp_ordered(">", x, _float_const(ty, 0.0))
            neg = b.fcmp_ordered("<", x, _float_const(ty, 0.0))
            return b.select(pos, one, b.select(neg, _float_const(ty, -1.0), x))
        if dt.kind == "u" or dt == np.bool_:
            return b.zext(b.icmp_unsigned("!=", x, ir.Constant(ty, 0)), ty) \
                if dt != np.bool_ else x
        pos = b.zext(b.icmp_signed(">", x, ir.Constant(ty, 0)), ty)
        neg = b.zext(b.icmp_signed("<", x, ir.Constant(ty, 0)), ty)
        return b.sub(pos, neg)
    if name in ("floor", "ceil", "trunc", "rint", "sqrt"):
        iname = {"rint": "roundeven"}.get(name, name)
        return b.call(_intrinsic(b, f"llvm.{iname}.{_fsuffix(ty)}", ty), [v(0)])
    if name == "round":  # half away from zero, exact
        x = v(0)
        t = b.call(_intrinsic(b, f"llvm.trunc.{_fsuffix(ty)}", ty), [x])
        d = b.call(_intrinsic(b, f"llvm.fabs.{_fsuffix(ty)}", ty), [b.fsub(x, t)])
        one = b.call(_intrinsic(b, f"llvm.copysign.{_fsuffix(ty)}", ty, 2),
                     [_float_const(ty, 1.0), x])
        # t + (0 or ±1): like NumPy's formulation, round(-0.3) is +0.0
        return b.fadd(t, b.select(b.fcmp_ordered(">=", d, _float_const(ty, 0.5)), one,
                                  _float_const(ty, 0.0)))
    if name == "rsqrt":
        s = b.call(_intrinsic(b, f"llvm.sqrt.{_fsuffix(ty)}", ty), [v(0)])
        return b.fdiv(_float_const(ty, 1.0), s)
    if name == "copysign":
        return b.call(_intrinsic(b, f"llvm.copysign.{_fsuffix(ty)}", ty, 2), [v(0), v(1)])
    if name == "fma":
        return b.call(_intrinsic(b, f"llvm.fma.{_fsuffix(ty)}", ty, 3), [v(0), v(1), v(2)])
    if name == "isnan":
        x = v(0)
        return b.fcmp_unordered("uno", x, x)
    if name == "is_finite":
        x = v(0)
        a = b.call(_intrinsic(b, f"llvm.fabs.{_fsuffix(ty)}", ty), [x])
        return b.fcmp_ordered("<", a, _float_const(ty, float("inf")))
    if name in ("shl", "shr", "lshr"):
        x, y = v(0), v(1)
        bits = ir.Constant(ty, ty.width)
        big = b.icmp_unsigned(">=", y, bits)
        safe = b.select(big, ir.Constant(ty, 0), y)
        if name == "shl":
            return b.select(big, ir.Constant(ty, 0), b.shl(x, safe))
        if name == "lshr":
            return b.select(big, ir.Constant(ty, 0), b.lshr(x, safe))
        return b.ashr(x, b.select(big, ir.Constant(ty, ty.width - 1), y))
    if name == "clz":
        fn = b.module.globals.get(f"llvm.ctlz.{_isuffix(ty)}") or ir.Function(
            b.module, ir.FunctionType(ty, [ty, I1]), f"llvm.ctlz.{_isuffix(ty)}")
        return b.call(fn, [v(0), I1(0)])
    if name == "popcnt":
        return b.call(_intrinsic(b, f"llvm.ctpop.{_isuffix(ty)}", ty), [v(0)])
    if name == "nextafter":
        return _emit_nextafter(em, v(0), v(1), dt, ty)
    if dt.kind == "f":
        if name not in MATH_FUNCS:
            _load_all()
        if name in MATH_FUNCS:
            return math_call(b, name, [v(i) for i in range(len(args))])
    raise NotImplementedError(f"kernel op '{name}' on {dt} has no LLVM code generator")


def _const_divisor(e):
    return e.kind == "const" and int(e.attr) not in (0, -1)


def _emit_div(em, args, dt, ty):
    b = em.b
    x, y = em.expr(args[0]), em.expr(args[1])
    if dt.kind == "f":
        return b.fdiv(x, y)
    if dt == np.bool_:
        return x
    if _const_divisor(args[1]):
        return b.sdiv(x, y) if dt.kind == "i" else b.udiv(x, y)
    zero = ir.Constant(ty, 0)
    is0 = b.icmp_unsigned("==", y, zero)
    if dt.kind == "u":
        safe = b.select(is0, ir.Constant(ty, 1), y)
        return b.select(is0, ir.Constant(ty, -1), b.udiv(x, safe))
    m1 = b.icmp_signed("==", y, ir.Constant(ty, -1))
    safe = b.select(b.or_(is0, m1), ir.Constant(ty, 1), y)
    q = b.sdiv(x, safe)
    q = b.select(m1, b.sub(zero, x), q)
    return b.select(is0, ir.Constant(ty, -1), q)


def _emit_rem(em, args, dt, ty):
    b = em.b
    x, y = em.expr(args[0]), em.expr(args[1])
    if dt.kind == "f":
        return b.frem(x, y)
    if dt == np.bool_:
        return b.and_(x, b.xor(y, I1(1)))
    if _const_divisor(args[1]):
        return b.srem(x, y) if dt.kind == "i" else b.urem(x, y)
    zero = ir.Constant(ty, 0)
    is0 = b.icmp_unsigned("==", y, zero)
    if dt.kind == "u":
        safe = b.select(is0, ir.Constant(ty, 1), y)
        return b.select(is0, x, b.urem(x, safe))
    m1 = b.icmp_signed("==", y, ir.Constant(ty, -1))
    safe = b.select(b.or_(is0, m1), ir.Constant(ty, 1), y)
    r = b.srem(x, safe)
    r = b.select(m1, zero, r)
    return b.select(is0, x, r)


def _emit_nextafter(em, x, y, dt, ty):
    b = em.b
    ity = ir.IntType({F16: 16, F32: 32, F64: 64}[ty])
    nan = b.or_(b.fcmp_unordered("uno", x, x), b.fcmp_unordered("uno", y, y))
    eq = b.fcmp_ordered("==", x, y)
    is0 = b.fcmp_ordered("==", x, _float_const(ty, 0.0))
    tiny = b.bitcast(ir.Constant(ity, 1), ty)
    tiny = b.call(_intrinsic(b, f"llvm.copysign.{_fsuffix(ty)}", ty, 2), [tiny, y])
    bits = b.bitcast(x, ity)
    up = b.icmp_unsigned("==", b.fcmp_ordered("<", x, y), b.fcmp_ordered(">", x, _float_const(ty, 0.0)))
    stepped = b.bitcast(b.select(up, b.add(bits, ir.Constant(ity, 1)),
                                 b.sub(bits, ir.Constant(ity, 1))), ty)
    r = b.select(is0, tiny, stepped)
    r = b.select(eq, y, r)
    return b.select(nan, b.fadd(x, y), r)


def emit_cast(b, v, src, dst):
    """convert_element_type with XLA's semantics (float->int saturates, NaN -> 0)."""
    src, dst = np.dtype(src), np.dtype(dst)
    if src == dst:
        return v
    sty, dty = llvm_type(src), llvm_type(dst)
    if dst == np.bool_:
        if src.kind == "f":
            return b.fcmp_unordered("!=", v, ir.Constant(sty, 0.0))
        return b.icmp_unsigned("!=", v, ir.Constant(sty, 0))
    if src == np.bool_:
        return b.uitofp(v, dty) if dst.kind == "f" else b.zext(v, dty)
    if src.kind == "f" and dst.kind == "f":
        if dty == F16 and sty == F64:
            return b.fptrunc(b.fptrunc(v, F32), F16)
        if src.itemsize < dst.itemsize:
            return b.fpext(v, dty)
        return b.fptrunc(v, dty)
    if src.kind == "f":  # float -> int: saturating, NaN -> 0
        if sty == F16:
            v, sty = b.fpext(v, F32), F32
        nm = "fptosi" if dst.kind == "i" else "fptoui"
        fname = f"llvm.{nm}.sat.{_isuffix(dty)}.{_fsuffix(sty)}"
        fn = b.module.globals.get(fname) or ir.Function(
            b.module, ir.FunctionType(dty, [sty]), fname)
        return b.call(fn, [v])
    if dst.kind == "f":  # int -> float
        via = F32 if dty == F16 else dty
        r = b.sitofp(v, via) if src.kind == "i" else b.uitofp(v, via)
        return b.fptrunc(r, F16) if dty == F16 else r
    # int -> int
    if dty.width < sty.width:
        return b.trunc(v, dty)
    if dty.width > sty.width:
        return b.sext(v, dty) if src.kind == "i" else b.zext(v, dty)
    return v


# ----------------------------------------------------------------------------- modules

def emit_kernel_function(module: ir.Module, kernel: kir.Kernel, host_base: int = 0) -> ir.Function:
    """`host_base`: the slot of host function 0 in the entry's argument vector."""
    n = len(kernel.params)
    fn = ir.Function(module, ir.FunctionType(VOID, [PTR] * (n + 1)), kernel.name)
    fn.linkage = "internal"
    # each kernel is optimized on its own: inlining hundreds of loop nests into the
    # entry function makes LLVM's passes superlinear in the program's size
    fn.attributes.add("noinline")
    fn.attributes.add("nounwind")
    for a in fn.args[:n]:
        a.add_attribute("noalias")
    entry = fn.append_basic_block("allocas")
    start = fn.append_basic_block("start")
    ir.IRBuilder(entry).branch(start)
    b = ir.IRBuilder(start)
    em = FunctionEmitter(b, dict(zip(kernel.params, fn.args[:n])), fn.args[n], host_base)
    em.stmts(kernel.body)
    b.ret_void()
    return fn
