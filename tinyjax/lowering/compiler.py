"""The compiler driver: jaxpr -> simplify -> fuse -> kernel IR -> memory plan ->
LLVM IR -> machine code -> `Executable`.

`compile_jaxpr(closed_jaxpr)` returns a `CompiledFunction` holding the callable and
every intermediate stage as text (`as_text(stage)`), which is what
`jit(f).lower(x).compile().as_text(...)` shows.
"""
from __future__ import annotations

import itertools
import sys
import time

import numpy as np

from ..core.jaxpr import DropVar, Literal, Var, pp_jaxpr
from . import kir, llvm_env
from .executable import Executable, build_module
from .fusion import Assembler, plan_fusion
from .memory import plan_memory
from .passes import simplify

_ids = itertools.count()

# fused expression trees are walked recursively (depth bounded by fusion.MAX_DEPTH)
if sys.getrecursionlimit() < 10000:
    sys.setrecursionlimit(10000)


class CompiledFunction:
    __slots__ = ("executable", "texts", "compile_seconds", "n_kernels", "donation_notes")

    def __init__(self, executable, texts, compile_seconds, n_kernels, donation_notes):
        self.executable = executable
        self.texts = texts
        self.compile_seconds = compile_seconds
        self.n_kernels = n_kernels
        self.donation_notes = donation_notes

    def __call__(self, args):
        return self.executable(args)

    def as_text(self, stage: str = "kernels") -> str:
        if stage == "asm":
            return self.executable.compiled.asm()
        if stage in ("llvm", "llvm_ir"):
            return self.texts["llvm"]
        if stage in ("llvm_opt", "optimized"):
            return self.executable.compiled.optimized_text
        if stage in ("llvm", "llvm_ir") and self.texts["llvm"] is None:
            raise ValueError("compiled without listings: use jit(f).lower(...).compile()")
        if stage not in self.texts:
            raise ValueError(f"unknown stage {stage!r}; choose one of "
                             f"{sorted(self.texts) + ['asm', 'llvm_opt']}")
        t = self.texts[stage]
        if callable(t):   # made on demand: printing big kernels is slow
            t = self.texts[stage] = t()
        return t


def _listing(infos, plan) -> str:
    lines = []
    for info in infos:
        lines.append(repr(info.kernel))
        lines.append("")
    lines.append(f"# {len(infos)} kernels; {plan.describe()}")
    return "\n".join(lines)


class BufAtom:
    """An inner jaxpr input bound to an existing buffer (a loop carry, a scan slice)."""

    __slots__ = ("buf",)

    def __init__(self, buf):
        self.buf = buf


class Program:
    """The steps computing one (inner) jaxpr, and every buffer they own."""

    __slots__ = ("steps", "buffers")

    def __init__(self, steps, buffers):
        self.steps, self.buffers = steps, buffers


class CompileContext:
    """State shared by a compilation and the bodies of its control flow."""

    def __init__(self, consts):
        self.host_eqns: list = []
        self.consts = list(consts)        # values, in const-slot order
        self.const_buffers: list = []
        self._temps = itertools.count()
        self._copies = itertools.count()
        self.kernel_names = itertools.count()

    def add_const(self, value, aval) -> kir.Buffer:
        b = kir.Buffer(f"const{len(self.consts)}", aval.dtype, _size(aval), "const")
        self.consts.append(value)
        self.const_buffers.append(b)
        return b

    def new_temp(self, dtype, size) -> kir.Buffer:
        return kir.Buffer(f"t{next(self._temps)}", dtype, size, "temp")

    @staticmethod
    def buffer_atom(buf) -> BufAtom:
        return BufAtom(buf)

    def copy_step(self, dst, atom, buffers):
        """A kernel setting `dst` to an atom's value (a Var's buffer or a literal)."""
        if isinstance(atom, Literal):
            kb = kir.KernelBuilder()
            with kb.loop(dst.size) as i:
                kb.store(dst, i, kir.const(atom.val, dst.dtype))
            return self._kernel(kb, [dst], "fill")
        src = atom.buf if isinstance(atom, BufAtom) else buffers[atom]
        return self.copy_buffer_step(dst, src)

    def copy_buffer_step(self, dst, src):
        kb = kir.KernelBuilder()
        with kb.loop(dst.size) as i:
            kb.store(dst, i, kir.load(src, i))
        return self._kernel(kb, [src, dst], "copy")

    def _kernel(self, kb, params, label):
        from .fusion import KernelInfo, collect_buffers
        name = f"c{next(self._copies)}_{label}"
        return KernelInfo(kir.Kernel(name, collect_buffers(kb.body), kb.body, label), [],
                          [label], [])

    def build_program(self, jaxpr, in_atoms, out_bufs, outer_buffers) -> Program:
        """Steps computing `jaxpr` from `in_atoms` (outer Vars, Literals or BufAtoms)
        into `out_bufs`."""
        lits = {v: a for v, a in zip(jaxpr.invars, in_atoms) if isinstance(a, Literal)}
        if lits:
            jaxpr = _substitute(jaxpr, lits)
        buffers: dict = {}
        for v, a in zip(jaxpr.invars, in_atoms):
            if isinstance(a, BufAtom):
                buffers[v] = a.buf
            elif not isinstance(a, Literal):
                buffers[v] = outer_buffers[a]
        jaxpr, consts = simplify(jaxpr, [])
        for v, c in zip(jaxpr.constvars, consts):
            buffers[v] = self.add_const(c, v.aval)
        inline = plan_fusion(jaxpr)
        own: list = []
        copies = []
        for v, ob in zip(jaxpr.outvars, out_bufs):
            if isinstance(v, Var) and v not in buffers:
                buffers[v] = ob
            else:
                copies.append((ob, v))
        for e in jaxpr.eqns:
            for v in e.outvars:
                if v not in buffers and (isinstance(v, DropVar) or v not in inline):
                    buffers[v] = self.new_temp(v.aval.dtype, _size(v.aval))
                    own.append(buffers[v])
        steps = Assembler(jaxpr, buffers, inline, self.host_eqns, self).kernels()
        steps += [self.copy_step(ob, v, buffers) for ob, v in copies]
        for st in steps:
            own += list(st.scratch)
        return Program(steps, own)


def _substitute(jaxpr, env):
    """`jaxpr` with some invars replaced by literals in its equations."""
    from ..core.jaxpr import Jaxpr, JaxprEqn

    def sub(a):
        return env.get(a, a) if isinstance(a, Var) else a

    eqns = [JaxprEqn(e.primitive, [sub(a) for a in e.invars], e.outvars, e.params)
            for e in jaxpr.eqns]
    return Jaxpr(jaxpr.constvars, jaxpr.invars, [sub(v) for v in jaxpr.outvars], eqns)


def compile_jaxpr(closed, name: str = "jit", donate_argnums=(),
                  keep_text: bool = False) -> CompiledFunction:
    """Compile a ClosedJaxpr whose invars are the call's flat arguments.
    `keep_text` keeps the LLVM IR and assembly listings (ahead-of-time use)."""
    t0 = time.perf_counter()
    with llvm_env.COMPILE_LOCK:
        kir.reset_intern_table()
        jaxpr, consts = simplify(closed.jaxpr, list(closed.consts))
        inline = plan_fusion(jaxpr)
        cctx = CompileContext([])

        buffers: dict = {}
        for i, v in enumerate(jaxpr.invars):
            buffers[v] = kir.Buffer(f"in{i}", v.aval.dtype, _size(v.aval), "input")
        for v, c in zip(jaxpr.constvars, consts):
            buffers[v] = cctx.add_const(c, v.aval)
        in_pos = {v: i for i, v in enumerate(jaxpr.invars)}
        const_pos = {v: i for i, v in enumerate(jaxpr.constvars)}

        # outputs: each distinct computed Var gets an output buffer
        out_plan, out_buf_vars = [], []
        for v in jaxpr.outvars:
            if isinstance(v, Literal):
                out_plan.append(("lit", np.asarray(v.val, v.aval.dtype)))
            elif v in in_pos:
                out_plan.append(("in", in_pos[v]))
            elif v in const_pos:
                out_plan.append(("const", const_pos[v]))
            else:
                if v not in out_buf_vars:
                    out_buf_vars.append(v)
                out_plan.append(("buf", out_buf_vars.index(v)))
        for k, v in enumerate(out_buf_vars):
            buffers[v] = kir.Buffer(f"out{k}", v.aval.dtype, _size(v.aval), "output")
        for e in jaxpr.eqns:
            for v in e.outvars:
                if v not in buffers and (isinstance(v, DropVar) or v not in inline):
                    buffers[v] = cctx.new_temp(v.aval.dtype, _size(v.aval))

        infos = Assembler(jaxpr, buffers, inline, cctx.host_eqns, cctx).kernels()
        host_eqns = cctx.host_eqns
        plan = plan_memory(infos)

        # donation: an output may take over a donated input's buffer when types
        # match and no kernel reads the input after the output's kernel starts
        donate_map, notes = _plan_donation(jaxpr, infos, buffers, out_buf_vars, donate_argnums)

        slots: dict = {}
        n_in, n_c, n_o = len(jaxpr.invars), len(cctx.consts), len(out_buf_vars)
        for v in jaxpr.invars:
            slots[buffers[v]] = in_pos[v]
        for k, b in enumerate(cctx.const_buffers):
            slots[b] = n_in + k
        for k, v in enumerate(out_buf_vars):
            slots[buffers[v]] = n_in + n_c + k
        slots["arena"] = n_in + n_c + n_o
        mod_name = f"tj_{_sanitize(name)}_{next(_ids)}"
        module = build_module(mod_name, infos, slots, plan, n_in + n_c + n_o + 1, len(host_eqns))
        compiled = llvm_env.compile_module(module, keep_text=keep_text)
        exe = Executable(name, compiled, [v.aval for v in jaxpr.invars], out_plan,
                         [v.aval for v in jaxpr.outvars], cctx.consts, plan, host_eqns, infos,
                         n_o, donate_map)
        exe.set_output_buffers([(tuple(v.aval.shape), np.dtype(v.aval.dtype))
                                for v in out_buf_vars])
        texts = {"jaxpr": lambda: pp_jaxpr(jaxpr), "kernels": lambda: _listing(infos, plan),
                 "llvm": compiled.ir_text}
        kir.reset_intern_table()
    return CompiledFunction(exe, texts, time.perf_counter() - t0, len(infos), notes)


def _size(aval) -> int:
    return int(np.prod(aval.shape, dtype=np.int64))


def _sanitize(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name)[:40]


def _plan_donation(jaxpr, infos, buffers, out_buf_vars, donate_argnums):
    donate_map, notes = {}, []
    if not donate_argnums:
        return donate_map, notes
    last_read = {}
    first_write = {}
    for k, info in enumerate(infos):
        for b in info.kernel.params:
            last_read[b] = k
        for v in info.outputs:
            first_write.setdefault(buffers.get(v), k)
    taken = set()
    for i in donate_argnums:
        if i >= len(jaxpr.invars):
            continue
        v = jaxpr.invars[i]
        ib = buffers[v]
        why = "no output has its shape and dtype"
        for k, ov in enumerate(out_buf_vars):
            if k in taken or ov.aval.shape != v.aval.shape or ov.aval.dtype != v.aval.dtype:
                continue
            ob = buffers[ov]
            k_out = first_write.get(ob, 0)
            lr = last_read.get(ib, -1)
            if lr > k_out or (lr == k_out and not _reads_in_place(infos[k_out].kernel, ib, ob)):
                why = "the input is still read while that output is written"
                continue
            donate_map[k] = i
            taken.add(k)
            break
        else:
            notes.append(f"donated argument {i} ({v.aval.str_short()}) was not reused: {why}")
    return donate_map, notes


def _reads_in_place(kernel, ib, ob) -> bool:
    """True if `kernel` stores `ob` once and reads `ib` only at that same index, so
    `ob` may overwrite `ib` element by element."""
    stores, loads = [], []

    def walk_expr(e):
        loads.extend(x.args[0] for x in kir.iter_nodes(e) if x.kind == "load" and x.attr is ib)

    def walk(stmts):
        for st in stmts:
            if isinstance(st, kir.Store):
                if st.buf is ob:
                    stores.append(st.index)
                walk_expr(st.value)
                walk_expr(st.index)
            elif isinstance(st, kir.For):
                walk(st.body)
            else:
                return False
        return True

    if not walk(kernel.body) or len(stores) != 1:
        return False
    return all(i is stores[0] for i in loads)


def is_var(a) -> bool:
    return isinstance(a, Var)
