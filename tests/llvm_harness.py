"""Test helper: compile a loop applying one generated math function over arrays and
run it through ctypes, so math code can be checked without the rest of the compiler."""
import ctypes

import numpy as np
from llvmlite import ir

from tinyjax.lowering import llvm_env
from tinyjax.lowering.llvm_mathbase import F32, F64, math_call

_cache = {}


def compiled_map(name: str, dtype, nargs: int = 1):
    """A callable `f(*arrays) -> array` applying math function `name` elementwise."""
    dtype = np.dtype(dtype)
    key = (name, dtype, nargs)
    if key in _cache:
        return _cache[key]
    ty = {np.dtype(np.float32): F32, np.dtype(np.float64): F64}[dtype]
    m = llvm_env.new_module(f"test_{name}_{dtype}")
    ptr = ir.PointerType()
    i64 = ir.IntType(64)
    fn = ir.Function(m, ir.FunctionType(ir.VoidType(), [ptr] * (nargs + 1) + [i64]), "kernel")
    for a in fn.args[: nargs + 1]:
        a.add_attribute("noalias")
    entry = fn.append_basic_block("entry")
    loop = fn.append_basic_block("loop")
    done = fn.append_basic_block("done")
    b = ir.IRBuilder(entry)
    n = fn.args[-1]
    b.cbranch(b.icmp_signed(">", n, i64(0)), loop, done)
    b.position_at_end(loop)
    i = b.phi(i64)
    i.add_incoming(i64(0), entry)
    xs = [b.load(b.gep(fn.args[k], [i], source_etype=ty), typ=ty) for k in range(nargs)]
    y = math_call(b, name, xs)
    b.store(y, b.gep(fn.args[nargs], [i], source_etype=ty))
    nxt = b.add(i, i64(1))
    i.add_incoming(nxt, loop)
    b.cbranch(b.icmp_signed("<", nxt, n), loop, done)
    b.position_at_end(done)
    b.ret_void()
    cm = llvm_env.compile_module(m)
    cfn = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * (nargs + 1)), ctypes.c_int64)(
        cm.address("kernel"))

    def run(*arrays):
        arrays = [np.ascontiguousarray(a, dtype=dtype) for a in arrays]
        shape = np.broadcast_shapes(*(a.shape for a in arrays))
        arrays = [np.ascontiguousarray(np.broadcast_to(a, shape)) for a in arrays]
        out = np.empty(shape, dtype)
        cfn(*[a.ctypes.data for a in arrays], out.ctypes.data, out.size)
        return out

    run.module = cm  # keeps the code alive
    _cache[key] = run
    return run


def ulp_error(got, want, dtype):
    """Distance in units in the last place of `dtype` (inf/nan must match exactly)."""
    dtype = np.dtype(dtype)
    got = np.asarray(got, dtype)
    want = np.asarray(want, np.float64).astype(dtype)
    same_special = (np.isnan(got) & np.isnan(want)) | (got == want)
    itype = {4: np.int32, 8: np.int64}[dtype.itemsize]
    gi = got.view(itype).astype(np.int64)
    wi = want.view(itype).astype(np.int64)
    # map sign-magnitude to a monotone integer line
    mn = np.iinfo(itype).min
    gi = np.where(gi < 0, mn - gi, gi)
    wi = np.where(wi < 0, mn - wi, wi)
    d = np.abs(gi.astype(object) - wi.astype(object)).astype(np.float64)
    d = np.where(same_special, 0.0, d)
    d = np.where(np.isnan(got) != np.isnan(want), np.inf, d)
    return d
