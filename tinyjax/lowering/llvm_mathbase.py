"""The registry of transcendental functions generated as inline LLVM code.

`llvm_math.py` (exp, log, trig, ...) and `llvm_special.py` (lgamma, igamma, ...)
register *body emitters* here; code generation calls `math_call`, which defines
the function once per module (internal linkage, `alwaysinline` unless it holds a
loop) and emits a call. After inlining, LLVM's loop vectorizer turns a loop of
such calls into vector code: no libm call per element. The same emitters serve
the NVPTX backend, since both backends produce LLVM IR.

An emitter is `fn(b: ir.IRBuilder, args: list[ir.Value]) -> ir.Value`; every arg
and the result have the same scalar type, `ir.FloatType()` or `ir.DoubleType()`.
Half precision is computed in float32 and rounded once (what NumPy does).
"""
from __future__ import annotations

from llvmlite import ir

F16, F32, F64 = ir.HalfType(), ir.FloatType(), ir.DoubleType()

MATH_FUNCS: dict = {}   # name -> (emitter, nargs, inline)


def register(name: str, nargs: int = 1, inline: bool = True):
    """Decorator: register the body emitter of math function `name`."""
    def deco(fn):
        MATH_FUNCS[name] = (fn, nargs, inline)
        return fn
    return deco


def _type_suffix(ty) -> str:
    return {F32: "f32", F64: "f64"}[ty]


def get_function(module: ir.Module, name: str, ty) -> ir.Function:
    """The module's definition of math function `name` at type `ty` (made on first use)."""
    fname = f"tj.{name}.{_type_suffix(ty)}"
    fn = module.globals.get(fname)
    if fn is not None:
        return fn
    if name not in MATH_FUNCS:
        _load_all()
    if name not in MATH_FUNCS:
        raise NotImplementedError(f"no LLVM code generator for math function '{name}'")
    emit, nargs, inline = MATH_FUNCS[name]
    fn = ir.Function(module, ir.FunctionType(ty, [ty] * nargs), fname)
    fn.linkage = "internal"
    fn.attributes.add("nounwind")
    if inline:
        fn.attributes.add("alwaysinline")
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    result = emit(b, list(fn.args))
    if result.type != ty:
        raise TypeError(f"math emitter '{name}' returned {result.type}, expected {ty}")
    b.ret(result)
    return fn


def math_call(b: ir.IRBuilder, name: str, args: list) -> ir.Value:
    """Emit `name(*args)`; args share one float type (half is computed in float)."""
    ty = args[0].type
    if ty == F16:
        wide = [b.fpext(a, F32) for a in args]
        return b.fptrunc(math_call(b, name, wide), F16)
    fn = get_function(b.module, name, ty)
    return b.call(fn, args)


def _load_all():
    from . import llvm_math, llvm_special, llvm_trig  # noqa: F401  (they register)
