"""Control flow in compiled code: `cond`, `while` and `scan` become LLVM branches
and loops in the entry function, around the fused kernels of their bodies — one
module, no per-iteration Python, no unrolling.

Each control-flow equation becomes a `ControlStep`: its bodies are compiled into
steps of their own (kernels, or nested control steps) by the same fusion and
kernel-IR path. Buffers:
- loop carries live in the equation's output buffers; a body computes the next
  carry into buffers of its own, copied back each iteration (double buffering);
- scan reads `xs[i]` and writes `ys[i]` in place through `ViewBuffer`s, whose
  address is `base + i * slice` computed inside the loop;
- every buffer of a body is alive for the whole step in the memory plan.
"""
from __future__ import annotations

import numpy as np
from llvmlite import ir

from ..core.jaxpr import Literal
from . import kir
from .rules import LoweringRule, lowering_rules


class ViewBuffer(kir.Buffer):
    """Slice `i` of `base` along its leading axis (scan's xs and ys)."""

    __slots__ = ("base",)

    def __init__(self, name, base: kir.Buffer, size: int):
        super().__init__(name, base.dtype, size, role="view")
        self.base = base


class _StepKernel:
    """What the memory plan, donation and listings see of a control step."""

    __slots__ = ("params", "body", "text")

    def __init__(self, params, text):
        self.params, self.body, self.text = params, [], text

    def __repr__(self):
        return self.text


class ControlStep:
    __slots__ = ("kind", "kernel", "scratch", "outputs", "prims", "data")

    def __init__(self, kind, outer_buffers, scratch, outputs, data, text):
        self.kind = kind
        self.kernel = _StepKernel([b for b in dict.fromkeys(outer_buffers)
                                   if not isinstance(b, ViewBuffer)], text)
        self.scratch = scratch
        self.outputs = outputs
        self.prims = [kind]
        self.data = data


def def_control(prim, build):
    """`build(cctx, eqn, buffers) -> ControlStep`."""
    lowering_rules[prim] = LoweringRule("control", build)


def _indent(text: str, n: int = 2) -> str:
    return "\n".join(" " * n + line for line in text.splitlines())


def _listing(steps) -> str:
    return "\n".join(repr(s.kernel) for s in steps)


def _atom_buffer(buffers, a):
    return None if isinstance(a, Literal) else buffers[a]


# ----------------------------------------------------------------------------- builders

def build_cond(cctx, eqn, buffers):
    branches = eqn.params["branches"]
    index, *ops = eqn.invars
    outs = [buffers[v] for v in eqn.outvars]
    progs = [cctx.build_program(br.jaxpr, ops, outs, buffers) for br in branches]
    scratch = [b for p in progs for b in p.buffers]
    idx = ("lit", int(np.asarray(index.val))) if isinstance(index, Literal) else \
        ("buf", buffers[index])
    outer = [b for b in [_atom_buffer(buffers, a) for a in eqn.invars] + outs if b is not None]
    text = "cond on {}:\n{}".format(
        "literal" if idx[0] == "lit" else f"%{idx[1].name}",
        "\n".join(f"  branch {k}:\n{_indent(_listing(p.steps), 4)}" for k, p in enumerate(progs)))
    return ControlStep("cond", outer, scratch, list(eqn.outvars),
                       {"index": idx, "branches": progs}, text)


def build_while(cctx, eqn, buffers):
    p = eqn.params
    nc, nb = p["cond_nconsts"], p["body_nconsts"]
    cconsts, bconsts, init = eqn.invars[:nc], eqn.invars[nc:nc + nb], eqn.invars[nc + nb:]
    carry = [buffers[v] for v in eqn.outvars]             # the loop state lives here
    init_steps = [cctx.copy_step(c, a, buffers) for c, a in zip(carry, init)]
    carry_atoms = [cctx.buffer_atom(b) for b in carry]
    pred = cctx.new_temp(np.dtype(bool), 1)
    cond = cctx.build_program(p["cond_jaxpr"].jaxpr, list(cconsts) + carry_atoms, [pred],
                              buffers)
    nxt = [cctx.new_temp(b.dtype, b.size) for b in carry]
    body = cctx.build_program(p["body_jaxpr"].jaxpr, list(bconsts) + carry_atoms, nxt, buffers)
    back = [cctx.copy_buffer_step(c, n) for c, n in zip(carry, nxt)]
    scratch = [pred] + nxt + cond.buffers + body.buffers + \
        [b for s in init_steps + back for b in s.scratch]
    outer = [b for b in [_atom_buffer(buffers, a) for a in eqn.invars] + carry if b is not None]
    text = "while:\n  init:\n{}\n  cond -> %{}:\n{}\n  body:\n{}\n  carry <- next:\n{}".format(
        _indent(_listing(init_steps), 4), pred.name, _indent(_listing(cond.steps), 4),
        _indent(_listing(body.steps), 4), _indent(_listing(back), 4))
    return ControlStep("while", outer, scratch, list(eqn.outvars),
                       {"init": init_steps, "cond": cond, "pred": pred, "body": body,
                        "back": back}, text)


def build_scan(cctx, eqn, buffers):
    p = eqn.params
    n_c, n_k, length = p["num_consts"], p["num_carry"], p["length"]
    consts = eqn.invars[:n_c]
    init = eqn.invars[n_c:n_c + n_k]
    xs = eqn.invars[n_c + n_k:]
    carry = [buffers[v] for v in eqn.outvars[:n_k]]
    ys = [buffers[v] for v in eqn.outvars[n_k:]]
    init_steps = [cctx.copy_step(c, a, buffers) for c, a in zip(carry, init)]
    carry_atoms = [cctx.buffer_atom(b) for b in carry]
    x_views = []
    for k, a in enumerate(xs):
        if isinstance(a, Literal):   # a literal xs can only be 0-length... keep general
            raise NotImplementedError("scan over a literal xs")
        base = buffers[a]
        x_views.append(ViewBuffer(f"{base.name}_x{k}", base, base.size // max(length, 1)))
    y_views = [ViewBuffer(f"{b.name}_y{k}", b, b.size // max(length, 1))
               for k, b in enumerate(ys)]
    nxt = [cctx.new_temp(b.dtype, b.size) for b in carry]
    body = cctx.build_program(p["jaxpr"].jaxpr,
                              list(consts) + carry_atoms + [cctx.buffer_atom(v) for v in x_views],
                              nxt + y_views, buffers)
    back = [cctx.copy_buffer_step(c, n) for c, n in zip(carry, nxt)]
    scratch = nxt + body.buffers + [b for s in init_steps + back for b in s.scratch]
    outer = [b for b in [_atom_buffer(buffers, a) for a in eqn.invars] + carry + ys
             if b is not None]
    text = "scan length={}{}:\n  init:\n{}\n  body:\n{}\n  carry <- next:\n{}".format(
        length, " reverse" if p["reverse"] else "", _indent(_listing(init_steps), 4),
        _indent(_listing(body.steps), 4), _indent(_listing(back), 4))
    return ControlStep("scan", outer, scratch, list(eqn.outvars),
                       {"init": init_steps, "body": body, "back": back, "length": length,
                        "reverse": p["reverse"], "unroll": p.get("unroll", 1),
                        "x_views": x_views, "y_views": y_views}, text)


def register():
    # (lax.cond / lax.scan are also the names of functions: import the primitives)
    from ..lax.cond import cond_p
    from ..lax.loops import while_p
    from ..lax.scan import scan_p
    def_control(cond_p, build_cond)
    def_control(while_p, build_while)
    def_control(scan_p, build_scan)


# ----------------------------------------------------------------------------- codegen

I64 = ir.IntType(64)
I32 = ir.IntType(32)


class EntryEmitter:
    """Emits a list of steps (kernel calls and control flow) into the entry function."""

    def __init__(self, b, fn_of, args, base_pointer):
        self.b = b
        self.fn_of = fn_of            # KernelInfo -> ir.Function
        self.args = args
        self.base_pointer = base_pointer   # Buffer -> ptr (slots and arena), entry block
        self.views: dict = {}          # ViewBuffer -> ptr in the current loop body

    def pointer(self, buf):
        if isinstance(buf, ViewBuffer):
            return self.views[buf]
        return self.base_pointer(buf)

    def steps(self, steps):
        for s in steps:
            if isinstance(s, ControlStep):
                getattr(self, "_" + s.kind)(s)
            else:
                self.b.call(self.fn_of[id(s)], [self.pointer(x) for x in s.kernel.params]
                            + [self.args])

    def _load_bool(self, buf):
        v = self.b.load(self.pointer(buf), typ=ir.IntType(8))
        return self.b.icmp_unsigned("!=", v, ir.IntType(8)(0))

    def _cond(self, s):
        b = self.b
        kind, idx = s.data["index"]
        progs = s.data["branches"]
        if kind == "lit":
            self.steps(progs[max(0, min(idx, len(progs) - 1))].steps)
            return
        ity = ir.IntType(idx.dtype.itemsize * 8) if idx.dtype != np.bool_ else ir.IntType(8)
        v = b.load(self.pointer(idx), typ=ity)
        v = b.sext(v, I64) if ity.width < 64 else v
        exit_ = b.append_basic_block("cond.exit")
        blocks = [b.append_basic_block(f"cond.branch{k}") for k in range(len(progs))]
        sw = b.switch(v, blocks[-1])
        for k, blk in enumerate(blocks[:-1]):
            sw.add_case(ir.Constant(I64, k), blk)
        # indices are clamped by lax.cond/switch; anything else falls to the last branch
        for k, (blk, prog) in enumerate(zip(blocks, progs)):
            b.position_at_end(blk)
            self.steps(prog.steps)
            b.branch(exit_)
        b.position_at_end(exit_)

    def _while(self, s):
        b = self.b
        d = s.data
        self.steps(d["init"])
        head = b.append_basic_block("while.cond")
        body = b.append_basic_block("while.body")
        exit_ = b.append_basic_block("while.exit")
        b.branch(head)
        b.position_at_end(head)
        self.steps(d["cond"].steps)
        b.cbranch(self._load_bool(d["pred"]), body, exit_)
        b.position_at_end(body)
        self.steps(d["body"].steps)
        self.steps(d["back"])
        b.branch(head)
        b.position_at_end(exit_)

    def _scan(self, s):
        b = self.b
        d = s.data
        self.steps(d["init"])
        n = d["length"]
        u = max(1, min(int(d.get("unroll", 1) or 1), n)) if n else 1
        if n == 0:
            return

        def iteration(i):
            """One step of the scan at (int64 SSA) position `i` of the iteration order."""
            step = b.sub(I64(n - 1), i) if d["reverse"] else i
            saved = dict(self.views)
            for v in d["x_views"] + d["y_views"]:
                self.views[v] = b.gep(self.pointer(v.base), [b.mul(step, I64(v.size))],
                                      source_etype=_mem_type(v.dtype))
            self.steps(d["body"].steps)
            self.steps(d["back"])
            self.views = saved

        trips = n // u
        pre = b.block
        body = b.append_basic_block("scan.body")
        exit_ = b.append_basic_block("scan.exit")
        b.branch(body)
        b.position_at_end(body)
        t = b.phi(I64, name="scan.t")
        t.add_incoming(I64(0), pre)
        for k in range(u):              # unroll=u: u copies of the body per trip
            iteration(b.add(b.mul(t, I64(u)), I64(k)))
        nxt = b.add(t, I64(1))
        t.add_incoming(nxt, b.block)
        b.cbranch(b.icmp_signed("<", nxt, I64(trips)), body, exit_)
        b.position_at_end(exit_)
        for k in range(trips * u, n):   # the remainder
            iteration(I64(k))


def _mem_type(dt):
    from .llvm_codegen import llvm_type
    return llvm_type(dt, memory=True)


def _sub_steps(s):
    d = s.data
    if s.kind == "cond":
        return [x for p in d["branches"] for x in p.steps]
    return list(d["init"]) + (d["cond"].steps if s.kind == "while" else []) + \
        d["body"].steps + list(d["back"])


def all_kernel_infos(steps):
    """Every KernelInfo under `steps`, nested bodies included."""
    out = []
    for s in steps:
        if isinstance(s, ControlStep):
            out += all_kernel_infos(_sub_steps(s))
        else:
            out.append(s)
    return out


def all_control_steps(steps):
    """Every ControlStep under `steps`, nested ones included."""
    out = []
    for s in steps:
        if isinstance(s, ControlStep):
            out.append(s)
            out += all_control_steps(_sub_steps(s))
    return out
