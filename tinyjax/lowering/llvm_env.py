"""Every llvmlite call that sets LLVM up, optimizes and JIT-compiles sits here, so a
change of llvmlite version is made in one place (see ../shared/notes/llvmlite.md).

- `target_machine()` is the host's, with its CPU name and features (AVX2 and so on).
- `new_module(name)` returns an `ir.Module` with the host triple and data layout.
- `compile_module(ir_module)` parses, verifies, optimizes at level 3 and adds the
  module to the process's single MCJIT engine, under one lock. It returns a
  `CompiledModule` holding the parsed module (the engine never frees code: the
  caller keeps the object alive as long as it calls the function addresses).
"""
from __future__ import annotations

import threading

import llvmlite
import llvmlite.binding as llvm
from llvmlite import ir

COMPILE_LOCK = threading.RLock()

_state: dict = {}


def _init():
    if _state:
        return
    with COMPILE_LOCK:
        if _state:
            return
        llvm.initialize_native_target()
        llvm.initialize_native_asmprinter()
        target = llvm.Target.from_triple(llvm.get_process_triple())
        features = llvm.get_host_cpu_features().flatten()
        cpu = llvm.get_host_cpu_name()
        tm = target.create_target_machine(cpu=cpu, features=features, opt=3, jit=True)
        engine = llvm.create_mcjit_compiler(llvm.parse_assembly(""), tm)
        _state.update(tm=tm, engine=engine, cpu=cpu, features=features,
                      triple=llvm.get_process_triple())


def target_machine():
    _init()
    return _state["tm"]


def host_description() -> dict:
    """What the generated code is specialised for (part of any on-disk cache key)."""
    _init()
    return {"triple": _state["triple"], "cpu": _state["cpu"],
            "features": _state["features"], "llvmlite": llvmlite.__version__}


def new_module(name: str) -> ir.Module:
    _init()
    m = ir.Module(name=name)
    m.triple = _state["triple"]
    m.data_layout = str(_state["tm"].target_data)
    return m


def optimize(mod, level: int = 3) -> None:
    pto = llvm.create_pipeline_tuning_options(speed_level=level)
    pto.loop_vectorization = level >= 2
    pto.slp_vectorization = level >= 2
    pb = llvm.create_pass_builder(target_machine(), pto)
    pb.getModulePassManager().run(mod, pb)


class CompiledModule:
    """A module added to the engine. Keep it alive while its functions are called."""

    __slots__ = ("llvm_module", "ir_text", "optimized_text", "_asm", "__weakref__")

    def __init__(self, llvm_module, ir_text: str):
        self.llvm_module = llvm_module
        self.ir_text = ir_text
        self.optimized_text = str(llvm_module)
        self._asm = None

    def address(self, name: str) -> int:
        return _state["engine"].get_function_address(name)

    def asm(self) -> str:
        if self._asm is None:
            with COMPILE_LOCK:
                self._asm = target_machine().emit_assembly(self.llvm_module)
        return self._asm


def compile_module(module: ir.Module | str, opt_level: int = 3) -> CompiledModule:
    """Verify, optimize and JIT-compile `module`; raises RuntimeError on invalid IR."""
    _init()
    text = str(module)
    with COMPILE_LOCK:
        mod = llvm.parse_assembly(text)
        mod.name = getattr(module, "name", "tinyjax") or "tinyjax"
        mod.verify()
        optimize(mod, opt_level)
        _state["engine"].add_module(mod)
        _state["engine"].finalize_object()
        return CompiledModule(mod, text)
