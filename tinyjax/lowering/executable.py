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
import threading

import numpy as np
from llvmlite import ir

from ..core.array import Array
from . import llvm_env
from .llvm_codegen import I64, PTR, VOID, emit_kernel_function

_ENTRY = "tj_entry"
_CALL = "tj_call"


def _data_offset():
    """Where NumPy keeps an array's data pointer inside the array object (the
    PyArrayObject layout: 16 on 64-bit CPython); None if this build differs."""
    probe = np.arange(3, dtype=np.float64)[1:]
    try:
        if ctypes.c_void_p.from_address(id(probe) + 16).value == probe.ctypes.data:
            other = np.empty(5, np.int8)
            if ctypes.c_void_p.from_address(id(other) + 16).value == other.ctypes.data:
                return 16
    except Exception:  # pragma: no cover
        pass
    return None


DATA_OFFSET = _data_offset()
_EMPTY = np.empty(0, np.uint8)
_CALLBACK = ctypes.CFUNCTYPE(None, ctypes.c_void_p)


def address(v: np.ndarray) -> int:
    return v.__array_interface__["data"][0]


def contiguous_value(a) -> np.ndarray:
    """The array's data as a C-contiguous NumPy array (copied only if needed)."""
    v = a._value if type(a) is Array else np.asarray(a)
    if type(v) is not np.ndarray:   # e.g. a NumPy scalar wrapped in an Array
        v = np.asarray(v)
        if type(a) is Array:
            a._value = v
    if not v.flags.c_contiguous:
        v = np.ascontiguousarray(v)
        v.flags.writeable = False
        if type(a) is Array:
            a._value = v
    return v


def build_module(name, kernel_infos, slots: dict, plan, n_args: int, n_host: int = 0):
    """LLVM module: one function per kernel plus the entry glue (with the loops and
    branches of control-flow steps)."""
    from .control import EntryEmitter, all_control_steps, all_kernel_infos
    m = llvm_env.new_module(name)
    infos = all_kernel_infos(kernel_infos)
    fn_of = {id(info): emit_kernel_function(m, info.kernel, n_args) for info in infos}
    entry = ir.Function(m, ir.FunctionType(VOID, [PTR]), _ENTRY)
    args = entry.args[0]
    args.add_attribute("noalias")
    b = ir.IRBuilder(entry.append_basic_block("entry"))
    # every buffer's address, computed once in the entry block (it dominates the
    # loops and branches of control steps)
    pointers: dict = {}
    arena = b.load(b.gep(args, [I64(slots["arena"])], source_etype=PTR), typ=PTR)
    bufs = [x for info in infos for x in info.kernel.params] + \
        [x for s in all_control_steps(kernel_infos) for x in s.kernel.params + s.scratch]
    bufs += [x.base for x in bufs if x.role == "view"]   # (a view of a view is in scope)
    for buf in dict.fromkeys(bufs):
        if buf.role == "view":
            continue
        if buf in slots:
            pointers[buf] = b.load(b.gep(args, [I64(slots[buf])], source_etype=PTR), typ=PTR)
        else:
            pointers[buf] = b.gep(arena, [I64(plan.offsets[buf])], source_etype=ir.IntType(8))
    EntryEmitter(b, fn_of, args, pointers.__getitem__).steps(kernel_infos)
    b.ret_void()
    _emit_call_wrapper(m, entry, n_args, n_host)
    return m


def _emit_call_wrapper(m, entry, n_args: int, n_host: int):
    """`tj_call(i64 x0, ..., i64 xn)`: the first n_args are NumPy array objects
    (PyObject*) whose data pointers are read at DATA_OFFSET (when the layout check
    passed) or raw addresses; the rest are raw host-callback addresses."""
    n = n_args + n_host
    fn = ir.Function(m, ir.FunctionType(VOID, [I64] * n), _CALL)
    b = ir.IRBuilder(fn.append_basic_block("entry"))
    arr = b.bitcast(b.alloca(PTR, size=I64(max(n, 1))), PTR)
    for k, x in enumerate(fn.args):
        p = b.inttoptr(x, PTR)
        if k < n_args and DATA_OFFSET is not None:
            p = b.load(b.gep(p, [I64(DATA_OFFSET)], source_etype=ir.IntType(8)), typ=PTR)
        b.store(p, b.gep(arr, [I64(k)], source_etype=PTR))
    b.call(entry, [arr])
    b.ret_void()


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
        n_args = len(in_avals) + len(consts) + n_outputs + 1
        n_all = n_args + len(host_eqns)
        self._fn = ctypes.CFUNCTYPE(None, *([ctypes.c_ssize_t] * n_all))(compiled.address(_CALL))
        self._by_object = DATA_OFFSET is not None
        self._const_ids = [id(c) for c in self.consts] if self._by_object else self.const_ptrs
        self._buf_specs = []
        self._weak = [a.weak_type for a in out_avals]
        self._simple_out = None

    def set_output_buffers(self, specs):
        self._buf_specs = specs            # [(shape, dtype)] per output buffer
        if not self.donate_map and all(k == "buf" for k, _ in self.out_plan) and \
                [k for _, k in self.out_plan] == list(range(len(specs))):
            self._simple_out = list(zip(specs, self._weak))

    def __call__(self, args):
        """Run on a list of Arrays (the jaxpr's invars); returns a list of Arrays."""
        vals = []
        for a in args:
            v = a._value if type(a) is Array else None
            if type(v) is not np.ndarray or not v.flags.c_contiguous:
                v = contiguous_value(a)
            vals.append(v)
        arena = np.empty(self.plan.arena_bytes, np.uint8) if self.plan.arena_bytes else _EMPTY
        simple = self._simple_out
        if simple is not None:
            bufs = [np.empty(shape, dtype) for (shape, dtype), _ in simple]
            if self._by_object:
                self._fn(*map(id, vals), *self._const_ids, *map(id, bufs), id(arena),
                         *self.callback_ptrs)
            else:
                self._fn(*map(address, vals), *self._const_ids, *map(address, bufs),
                         address(arena), *self.callback_ptrs)
            if self.callback_ptrs:
                _raise_callback_errors()
            return [Array(o, w) for o, (_, w) in zip(bufs, simple)]
        bufs = []
        for k, (shape, dtype) in enumerate(self._buf_specs):
            i = self.donate_map.get(k)
            if i is not None:
                bufs.append(_take_donated(args[i], vals[i]))
            else:
                bufs.append(np.empty(shape, dtype))
        conv = id if self._by_object else address
        self._fn(*map(conv, vals), *self._const_ids, *map(conv, bufs), conv(arena),
                 *self.callback_ptrs)
        if self.callback_ptrs:
            _raise_callback_errors()
        outs = []
        for (kind, k), weak in zip(self.out_plan, self._weak):
            if kind == "buf":
                outs.append(Array(bufs[k], weak))
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


class _Errors(threading.local):
    def __init__(self):
        self.list = []


_callback_errors_tl = _Errors()


class _ErrorList:
    """Exceptions raised inside host callbacks of the current thread's call."""

    def append(self, e):
        _callback_errors_tl.list.append(e)

    def pop_all(self):
        errs, _callback_errors_tl.list = _callback_errors_tl.list, []
        return errs


_callback_errors = _ErrorList()


def _raise_callback_errors():
    errs = _callback_errors.pop_all()
    if errs:
        raise errs[0]


def _make_callback(eqn):
    """A C-callable running the primitive's eager (NumPy/LAPACK) implementation on
    whole buffers: `void cb(void **buffers)` with the inputs then the outputs."""
    from ..interpreters.eval import eval_numpy_impl
    in_avals = [a.aval for a in eqn.invars]
    out_avals = [v.aval for v in eqn.outvars]
    prim, params = eqn.primitive, eqn.params
    n_in = len(in_avals)

    def cb(argp):
        try:
            run(argp)
        except BaseException as e:  # ctypes would only print it: keep it for the caller
            _callback_errors.append(e)

    def run(argp):
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
