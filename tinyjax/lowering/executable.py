"""The executable: one LLVM module per compiled function, and the Python callable
that passes raw buffer addresses to its entry point.

Argument vector of `tj_entry(ptr %args)`, one address per slot:
    [inputs..., constants..., outputs..., arena, host callbacks...]
Temporaries live in the arena at the offsets of the memory plan. Constants
(closed-over arrays) are arguments too: no address is baked into the code, so the
module text depends only on types.
"""
from __future__ import annotations

import ctypes

import numpy as np
from llvmlite import ir

from ..core.array import Array
from . import llvm_env
from .llvm_codegen import I64, PTR, VOID, emit_kernel_function

_ENTRY = "tj_entry"
_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def address(v: np.ndarray) -> int:
    return v.__array_interface__["data"][0]


def contiguous_value(a) -> np.ndarray:
    """The array's data as a C-contiguous NumPy array (copied only if needed)."""
    v = a._value if type(a) is Array else np.asarray(a)
    if not v.flags.c_contiguous:
        v = np.ascontiguousarray(v)
        v.flags.writeable = False
        if type(a) is Array:
            a._value = v
    return v


def build_module(name, kernel_infos, slots: dict, plan, n_args: int):
    """LLVM module: one function per kernel plus the entry glue."""
    m = llvm_env.new_module(name)
    fns = [emit_kernel_function(m, info.kernel) for info in kernel_infos]
    entry = ir.Function(m, ir.FunctionType(VOID, [PTR]), _ENTRY)
    args = entry.args[0]
    args.add_attribute("noalias")
    b = ir.IRBuilder(entry.append_basic_block("entry"))
    arena = None
    cache: dict = {}

    def pointer(buf):
        p = cache.get(buf)
        if p is not None:
            return p
        if buf in slots:
            p = b.load(b.gep(args, [I64(slots[buf])], source_etype=PTR), typ=PTR)
        else:
            nonlocal arena
            if arena is None:
                arena = b.load(b.gep(args, [I64(slots["arena"])], source_etype=PTR), typ=PTR)
            p = b.gep(arena, [I64(plan.offsets[buf])], source_etype=ir.IntType(8))
        cache[buf] = p
        return p

    for fn, info in zip(fns, kernel_infos):
        b.call(fn, [pointer(buf) for buf in info.kernel.params] + [args])
    b.ret_void()
    return m


class Executable:
    """A compiled function of flat arrays. Thread-safe: each call allocates its
    own outputs and arena."""

    def __init__(self, name, compiled, in_avals, out_plan, out_avals, consts, plan,
                 host_eqns, kernel_infos, n_outputs, donate_map=None):
        self.name = name
        self.compiled = compiled            # keeps the machine code alive
        self.in_avals = list(in_avals)
        self.out_avals = list(out_avals)
        self.out_plan = out_plan            # per output: ("buf", k) | ("in", i) | ("const", j) | ("lit", np value)
        self.consts = [contiguous_value(c) for c in consts]
        self.const_ptrs = [address(c) for c in self.consts]
        self.plan = plan
        self.kernel_infos = kernel_infos
        self.n_outputs = n_outputs
        self.out_shapes = []
        self.donate_map = donate_map or {}  # output buffer index -> input index
        self._callbacks = [_make_callback(e) for e in host_eqns]
        self.callback_ptrs = [ctypes.cast(c, ctypes.c_void_p).value for c in self._callbacks]
        n_slots = len(in_avals) + len(consts) + n_outputs + 1 + len(host_eqns)
        self._argv_type = ctypes.c_void_p * n_slots
        self._fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p)(compiled.address(_ENTRY))
        self._buf_specs = []
        self._weak = [a.weak_type for a in out_avals]

    def set_output_buffers(self, specs):
        self._buf_specs = specs            # [(shape, dtype)] per output buffer

    def __call__(self, args):
        vals = [contiguous_value(a) for a in args]
        ptrs = [address(v) for v in vals]
        bufs = []
        for k, (shape, dtype) in enumerate(self._buf_specs):
            i = self.donate_map.get(k)
            if i is not None:
                bufs.append(_take_donated(args[i], vals[i]))
            else:
                bufs.append(np.empty(shape, dtype))
        arena = np.empty(self.plan.arena_bytes, np.uint8) if self.plan.arena_bytes else None
        argv = self._argv_type(*ptrs, *self.const_ptrs, *[address(o) for o in bufs],
                               address(arena) if arena is not None else 0,
                               *self.callback_ptrs)
        self._fn(argv)
        outs = []
        for (kind, k), weak in zip(self.out_plan, self._weak):
            if kind == "buf":
                o = bufs[k]
                outs.append(Array(o, weak))
            elif kind == "in":
                a = args[k]
                outs.append(a if type(a) is Array and a.weak_type == weak else Array(vals[k], weak))
            elif kind == "const":
                outs.append(Array(self.consts[k], weak))
            else:
                outs.append(Array(np.array(k), weak))
        return outs


def _take_donated(arr, val):
    """Reuse a donated input's memory as an output buffer and mark the input deleted."""
    if type(arr) is Array:
        arr._delete()
    return val


def _from_address(ptr: int, aval) -> np.ndarray:
    dt = np.dtype(aval.dtype)
    n = int(np.prod(aval.shape, dtype=np.int64)) * dt.itemsize
    if n == 0:
        return np.empty(aval.shape, dt)
    raw = (ctypes.c_char * n).from_address(ptr)
    return np.frombuffer(raw, dtype=dt).reshape(aval.shape)


def _make_callback(eqn):
    """A C-callable running the primitive's eager (NumPy/LAPACK) implementation on
    whole buffers: `void cb(void **buffers)` with the inputs then the outputs."""
    from ..interpreters.eval import eval_numpy_impl
    in_avals = [a.aval for a in eqn.invars]
    out_avals = [v.aval for v in eqn.outvars]
    prim, params = eqn.primitive, eqn.params
    n_in = len(in_avals)

    def cb(argp):
        ptrs = (ctypes.c_void_p * (n_in + len(out_avals))).from_address(argp)
        ins = [_from_address(ptrs[i], a).copy() for i, a in enumerate(in_avals)]
        res = eval_numpy_impl(prim, ins, params)
        if not prim.multiple_results:
            res = [res]
        for j, (r, a) in enumerate(zip(res, out_avals)):
            if a.size if hasattr(a, "size") else int(np.prod(a.shape)):
                dst = _from_address(ptrs[n_in + j], a)
                np.copyto(dst, np.asarray(r._value if type(r) is Array else r, a.dtype))

    return _CALLBACK(cb)
