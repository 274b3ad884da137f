"""Every llvmlite call that sets LLVM up, optimizes and JIT-compiles sits here, so a
change of llvmlite version is made in one place (see ../shared/notes/llvmlite.md).

- `target_machine()` is the host's, with its CPU name and features (AVX2 and so on).
- `new_module(name)` returns an `ir.Module` with the host triple and data layout.
- `compile_module(ir_module)` parses, verifies, optimizes at level 3, emits an
  object file and links it into the process's OrcJIT (LLJIT) as a library of its
  own, under one lock. It returns a `CompiledModule`; when that object is
  collected, LLVM unloads the library, so code of dead executables is freed
  (MCJIT never frees code).
"""
from __future__ import annotations

import itertools
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
        lljit = llvm.create_lljit_compiler(tm)
        _state.update(tm=tm, lljit=lljit, cpu=cpu, features=features,
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
    """A module linked into the JIT as its own library. The machine code is
    unloaded when this object is collected, so keep it alive while calling its
    function addresses (executables hold theirs)."""

    __slots__ = ("_tracker", "ir_text", "_optimized_text", "_asm", "object_bytes",
                 "__weakref__")

    def __init__(self, tracker, ir_text, optimized_text, object_bytes):
        self._tracker = tracker
        self.ir_text = ir_text
        self._optimized_text = optimized_text
        self.object_bytes = object_bytes
        self._asm = None

    def address(self, name: str) -> int:
        return self._tracker[name]

    @property
    def optimized_text(self) -> str:
        if self._optimized_text is None:
            raise ValueError("this module was compiled without keeping its text "
                             "(use jit(f).lower(...).compile() for listings)")
        return self._optimized_text

    def asm(self) -> str:
        if self._asm is None:
            with COMPILE_LOCK:
                mod = llvm.parse_assembly(self.optimized_text)
                self._asm = target_machine().emit_assembly(mod)
        return self._asm


_library_ids = itertools.count()


def compile_module(module: ir.Module | str, opt_level: int = 3,
                   keep_text: bool = True) -> CompiledModule:
    """Verify, optimize and compile `module` to an object, then link it into the
    JIT as a new library exporting its external functions. Raises RuntimeError on
    invalid IR. `keep_text=False` drops the IR texts (listings) to save memory."""
    _init()
    text = str(module)
    with COMPILE_LOCK:
        mod = llvm.parse_assembly(text)
        mod.name = getattr(module, "name", "tinyjax") or "tinyjax"
        mod.verify()
        optimize(mod, opt_level)
        exports = [f.name for f in mod.functions
                   if not f.is_declaration and f.linkage == llvm.Linkage.external]
        obj = _state["tm"].emit_object(mod)
        optimized = str(mod) if keep_text else None
        builder = llvm.JITLibraryBuilder().add_object_img(obj)
        for name in exports:
            builder.export_symbol(name)
        tracker = builder.link(_state["lljit"], f"tj{next(_library_ids)}")
        return CompiledModule(tracker, text if keep_text else None, optimized,
                              obj if keep_text else None)
