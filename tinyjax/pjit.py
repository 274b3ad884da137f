"""jit: trace once per input signature, compile with tinyjax's compiler, cache,
then call native code.

`jit_p` is a higher-order primitive carrying a closed jaxpr (printed `jit[name=f
jaxpr={...}]`, as JAX does), with a rule for every interpreter: eager evaluation
compiles and runs the jaxpr; JVP, partial evaluation (linearize), transposition and
batching each build a new jaxpr and bind `jit_p` again, so `grad(jit(f))`,
`vmap(jit(f))`, `jit(grad(f))` run compiled code too; the compiler inlines nested
jits.
"""
from __future__ import annotations

import collections
import functools
import inspect
import logging
import threading

import numpy as np

from .core import dtypes, pytree
from .core import trace as core
from .core.abstract import raise_to_shaped
from .core.ad_util import Zero, instantiate, tangent_aval
from .core.array import Array
from .core.config import config
from .core.errors import api_boundary
from .core.jaxpr import ClosedJaxpr, Jaxpr, pp_param_rules
from .core.trace import Primitive, Tracer, abstract_eval_rules
from .interpreters import ad
from .interpreters.call_rules import (
    bind_traced,
    call_batch,
    call_jvp,
    call_partial_eval,
    consts_as_args,
)
from .interpreters.eval import array_impl_rules
from .interpreters.partial_eval import (
    partial_eval_rules,
    trace_to_jaxpr,
)
from .lowering.compiler import compile_jaxpr

logger = logging.getLogger("tinyjax")
_state = core._state
_cfg = config._values
_LEAF_TREE = pytree.tree_flatten(0)[1]

config.define("jax_log_compiles", False, lambda name, v: bool(v))

jit_p = Primitive("jit", multiple_results=True)
jit_p.inline_jaxpr_param = "jaxpr"   # the compiler inlines nested jits


def _jit_abstract_eval(*avals, jaxpr, name, donated=(), inline=False):
    return [v.aval for v in jaxpr.jaxpr.outvars]


abstract_eval_rules[jit_p] = _jit_abstract_eval
pp_param_rules[jit_p] = lambda params: {"name": params["name"], "jaxpr": params["jaxpr"]}


# ----------------------------------------------------------------------------- compile cache

class LRUCache:
    """A bounded, thread-safe mapping (least recently used entries leave first)."""

    def __init__(self, maxsize: int):
        self.maxsize = maxsize
        self._d: collections.OrderedDict = collections.OrderedDict()
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, key):
        with self._lock:
            v = self._d.get(key)
            if v is not None:
                self._d.move_to_end(key)
                self.hits += 1
            else:
                self.misses += 1
            return v

    def put(self, key, value):
        with self._lock:
            self._d[key] = value
            self._d.move_to_end(key)
            while len(self._d) > self.maxsize:
                self._d.popitem(last=False)

    def clear(self):
        with self._lock:
            self._d.clear()

    def __len__(self):
        return len(self._d)


# compiled code per jaxpr object (jit_p evaluated eagerly: vmap/grad of jit, ...)
_jaxpr_executables = LRUCache(512)


def _compiled_for_jaxpr(jaxpr: ClosedJaxpr, name: str):
    key = id(jaxpr)
    hit = _jaxpr_executables.get(key)
    if hit is not None and hit[0] is jaxpr:
        return hit[1]
    _log_compile(name, "a new jaxpr (from a transformation of jit)")
    cf = compile_jaxpr(jaxpr, name)
    _jaxpr_executables.put(key, (jaxpr, cf))   # keeps the jaxpr alive: ids stay unique
    return cf


def _jit_impl(*args, jaxpr, name, donated=(), inline=False):
    if config.jax_disable_jit:
        from .core.jaxpr import eval_jaxpr
        return eval_jaxpr(jaxpr.jaxpr, jaxpr.consts, *args)
    cf = _compiled_for_jaxpr(jaxpr, name)
    return cf([_to_array(a) for a in args])


array_impl_rules[jit_p] = _jit_impl


def _log_compile(name, why):
    if config.tinyjax_log_compiles or config.jax_log_compiles:
        logger.warning("Compiling %s: %s", name, why)


# ----------------------------------------------------------------------------- rules

_closed_to_args = consts_as_args


def _jit_jvp(primals, tangents, *, jaxpr, name, donated=(), inline=False):
    return call_jvp(jit_p, jaxpr, primals, tangents, {"name": f"jvp({name})"}, "jit jvp")


ad.jvp_rules[jit_p] = _jit_jvp


def _eval(closed, args):
    from .core.jaxpr import eval_jaxpr
    return eval_jaxpr(closed.jaxpr, closed.consts, *args)


def _jit_partial_eval(trace, tracers, *, jaxpr, name, donated=(), inline=False):
    return call_partial_eval(jit_p, trace, tracers, jaxpr, {"name": name}, "jit partial eval")


partial_eval_rules[jit_p] = _jit_partial_eval


def _jit_transpose(cts, *args, jaxpr, name, donated=(), inline=False):
    undefined = [ad.is_undefined_primal(a) for a in args]
    res = [a for a, u in zip(args, undefined) if not u]
    nz_cts = [c for c in cts if type(c) is not Zero]
    ct_nonzero = [type(c) is not Zero for c in cts]
    out_avals = [v.aval for v in jaxpr.jaxpr.outvars]
    if not any(undefined):
        return [None] * len(args)

    def transposed(*vals):
        it = iter(vals[:len(res)])
        full = [ad.UndefinedPrimal(a.aval) if u else next(it) for a, u in zip(args, undefined)]
        cit = iter(vals[len(res):])
        cts_full = [next(cit) if nz else Zero(tangent_aval(a))
                    for a, nz in zip(out_avals, ct_nonzero)]
        cts_in = ad.backward_pass(jaxpr.jaxpr, jaxpr.consts, full, cts_full)
        return [instantiate(c) if type(c) is Zero else c
                for c, u in zip(cts_in, undefined) if u]

    in_avals = [raise_to_shaped(r) for r in res] + [raise_to_shaped(c) for c in nz_cts]
    outs = iter(bind_traced(jit_p, transposed, in_avals, res + nz_cts,
                            {"name": f"transpose({name})"}, "jit transpose"))
    return [next(outs) if u else None for u in undefined]


ad.transpose_rules[jit_p] = _jit_transpose


def _jit_batch(trace, vals, dims, *, jaxpr, name, donated=(), inline=False):
    return call_batch(jit_p, jaxpr, vals, dims, {"name": f"vmap({name})"}, "jit vmap",
                      frame=trace.frame)


def _register_batching():
    # a collective rule: it sees the vmap's trace, so collectives over its axis name
    # inside the jitted function resolve in the batched jaxpr
    from .interpreters.batching import collective_rules
    collective_rules[jit_p] = _jit_batch


_register_batching()


# ----------------------------------------------------------------------------- the API

def _to_array(x):
    if type(x) is Array:
        return x
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        dt, weak = dtypes.dtype_and_weak(x)
        return Array(np.array(x, dt), weak)
    if isinstance(x, (np.ndarray, np.generic)):
        return Array(np.array(x, dtypes.canonicalize_dtype(np.asarray(x).dtype)), False)
    if isinstance(x, Tracer):
        return x
    raise TypeError(
        f"Argument {x!r} of type {type(x).__name__} is not a valid JAX type: pass arrays, "
        f"scalars or pytrees of them, or mark the argument static with static_argnums.")


def _describe_miss(old_keys, key, argnames) -> str:
    """Which part of the call signature differs from the closest cached one."""
    if not old_keys:
        return "first call"
    tree, avals, static, x64 = key
    reasons = []
    for old in old_keys[-4:]:
        otree, oavals, ostatic, ox64 = old
        if ox64 != x64:
            reasons.append(f"jax_enable_x64 changed to {x64}")
        elif ostatic != static:
            reasons.append(f"static arguments changed from {ostatic} to {static}")
        elif otree != tree:
            reasons.append(f"argument structure changed from {otree} to {tree}")
        else:
            for k, (a, b) in enumerate(zip(oavals, avals)):
                if a != b:
                    what = ("shape" if a.shape != b.shape else
                            "dtype" if a.dtype != b.dtype else "weak type")
                    reasons.append(f"{what} of flat argument {k} changed: "
                                   f"{a.str_short()} -> {b.str_short()}")
                    break
    return "; ".join(dict.fromkeys(reasons)) or "signature not seen before"


class _CacheEntry:
    __slots__ = ("closed", "out_tree", "compiled", "bind_jaxpr", "bind_consts", "name",
                 "cacheable")


class Lowered:
    """`jit(f).lower(*args)`: the traced program, before compilation."""

    def __init__(self, wrapped, entry, in_tree, donate):
        self._wrapped, self._entry, self.in_tree, self._donate = wrapped, entry, in_tree, donate
        self.out_tree = entry.out_tree

    def as_text(self, dialect=None) -> str:
        return str(self._entry.closed)

    def jaxpr(self):
        return self._entry.closed

    def compile(self) -> "Compiled":
        e = self._entry
        if e.compiled is None or e.compiled.texts["llvm"] is None:
            # ahead-of-time: compile with every listing kept
            e.compiled = compile_jaxpr(e.closed, e.name, self._donate, keep_text=True)
        return Compiled(e, self.in_tree)


class Compiled:
    """`jit(f).lower(*args).compile()`: callable native code and its listings."""

    def __init__(self, entry, in_tree):
        self._entry, self.in_tree = entry, in_tree
        self.out_tree = entry.out_tree

    def as_text(self, stage: str = "kernels") -> str:
        """stage: "jaxpr" (simplified), "kernels" (fused kernels), "llvm", "llvm_opt",
        "asm"."""
        return self._entry.compiled.as_text(stage)

    def cost_analysis(self):
        cf = self._entry.compiled
        return {"kernels": cf.n_kernels, "compile_seconds": cf.compile_seconds,
                "arena_bytes": cf.executable.plan.arena_bytes}

    def __call__(self, *args, **kwargs):
        flat, tree = pytree.tree_flatten((args, kwargs))
        if tree != self.in_tree:
            raise TypeError(f"compiled function called with argument structure {tree}, "
                            f"but it was compiled for {self.in_tree}")
        outs = self._entry.compiled([_to_array(x) for x in flat])
        return pytree.tree_unflatten(self.out_tree, outs)


class JitWrapped:
    """The callable `jit(fun)` returns."""

    def __init__(self, fun, static_argnums, static_argnames, donate_argnums, donate_argnames,
                 inline):
        # name/doc/__wrapped__ only: merging fun.__dict__ would copy the state of
        # a jitted function wrapped inside (vmap(jit(f))) over ours
        functools.update_wrapper(self, fun, updated=())
        self.fun = fun
        self._name = getattr(fun, "__name__", type(fun).__name__)
        try:
            self._sig = inspect.signature(fun)
        except (TypeError, ValueError):
            self._sig = None
        static_argnums = _as_tuple(static_argnums)
        static_argnames = _as_tuple(static_argnames)
        donate_argnums = _as_tuple(donate_argnums)
        donate_argnames = _as_tuple(donate_argnames)
        params = list(self._sig.parameters.values()) if self._sig else []
        names = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY,
                                                      p.POSITIONAL_OR_KEYWORD)]
        static_argnums = set(static_argnums) | {names.index(n) for n in static_argnames
                                                if n in names}
        static_argnames = set(static_argnames) | {names[i] for i in static_argnums
                                                  if 0 <= i < len(names)}
        donate_argnums = set(donate_argnums) | {names.index(n) for n in donate_argnames
                                                if n in names}
        self._static_argnums = frozenset(static_argnums)
        self._static_argnames = frozenset(static_argnames)
        self._donate_argnums = frozenset(donate_argnums)
        self._inline = inline
        self._cache = LRUCache(256)
        self._keys: list = []
        # fast path: all-positional Array arguments, no static/donated arguments
        self._fast: dict = {}
        self._fast_ok = not (self._static_argnums or self._static_argnames or
                             self._donate_argnums)

    def __get__(self, obj, objtype=None):
        if obj is None:
            return self
        return functools.partial(self, obj)

    def __repr__(self):
        return f"<jitted function {self._name}>"

    # -- signature
    def _split(self, args, kwargs):
        n = len(args)
        for i in self._static_argnums:
            if i >= n and not (self._sig and i < len(self._sig.parameters)):
                raise ValueError(
                    f"jitted function {self._name} has static_argnums={sorted(self._static_argnums)}"
                    f" but was called with only {n} positional arguments")
        static_pos = tuple((i, args[i]) for i in sorted(self._static_argnums) if i < n)
        static_kw = tuple(sorted((k, v) for k, v in kwargs.items()
                                 if k in self._static_argnames))
        dyn_args = tuple(a for i, a in enumerate(args) if i not in self._static_argnums)
        dyn_kwargs = {k: v for k, v in kwargs.items() if k not in self._static_argnames}
        static = static_pos + static_kw
        try:
            hash(static)
        except TypeError as e:
            bad = next((v for _, v in static if not _hashable(v)), None)
            raise ValueError(
                f"Non-hashable static arguments are not supported: jitted function "
                f"{self._name} got a static argument of type {type(bad).__name__}: {bad!r} "
                f"({e}). Pass a hashable value (a tuple instead of a list, for example), or "
                f"make the argument dynamic (remove it from static_argnums)."
            ) from None
        return static, dyn_args, dyn_kwargs

    def _prepare(self, args, kwargs):
        static, dyn_args, dyn_kwargs = self._split(args, kwargs)
        flat, in_tree = pytree.tree_flatten((dyn_args, dyn_kwargs))
        flat = [_to_array(x) for x in flat]
        avals = tuple(x.aval if type(x) is Array else raise_to_shaped(x) for x in flat)
        return (in_tree, avals, static, config.jax_enable_x64), flat, in_tree, static

    def _dyn_argnums_donated(self, args, in_tree, flat):
        """Flat positions of donated leaves."""
        if not self._donate_argnums:
            return ()
        out, pos = [], 0
        for i, a in enumerate(args):
            if i in self._static_argnums:
                continue
            k = len(pytree.tree_leaves(a))
            if i in self._donate_argnums:
                out.extend(range(pos, pos + k))
            pos += k
        return tuple(out)

    def _entry(self, key, args, kwargs, static, flat):
        entry = self._cache.get(key)
        if entry is not None:
            return entry
        _log_compile(self._name, _describe_miss(self._keys, key, None))
        static_map = dict(static)
        in_tree = key[0]
        store = {}

        def flat_fun(*leaves):
            dyn_args, dyn_kwargs = pytree.tree_unflatten(in_tree, leaves)
            it = iter(dyn_args)
            n = len(args)
            full = [static_map[i] if i in static_map else next(it) for i in range(n)]
            kw = dict(dyn_kwargs)
            kw.update({k: v for k, v in static if isinstance(k, str)})
            out = self.fun(*full, **kw)
            out_leaves, store["tree"] = pytree.tree_flatten(out)
            for o in out_leaves:
                if not isinstance(o, (Array, Tracer, np.ndarray, np.generic, bool, int, float)):
                    raise TypeError(
                        f"jitted function {self._name} returned a value of type "
                        f"{type(o).__name__}, which is not a valid JAX type: {o!r}")
            return [_to_array(o) if not isinstance(o, Tracer) else o for o in out_leaves]

        closed = trace_to_jaxpr(flat_fun, list(key[1]), name=f"jit({self._name})")
        entry = _CacheEntry()
        entry.closed = closed
        entry.out_tree = store["tree"]
        entry.compiled = None
        entry.name = self._name
        entry.bind_jaxpr, entry.bind_consts = _closed_to_args(closed)
        entry.cacheable = not any(isinstance(c, Tracer) for c in closed.consts)
        if entry.cacheable:
            self._cache.put(key, entry)   # consts from an outer trace must not be reused
            self._keys.append(key)
            if len(self._keys) > 64:
                del self._keys[:32]
        return entry

    def __call__(self, *args, **kwargs):
        if not kwargs and self._fast_ok and _state.eager_only:
            key = []
            for a in args:
                if type(a) is not Array:
                    break
                key.append(a._aval or a.aval)
            else:
                hit = self._fast.get(tuple(key))
                if hit is not None and hit[2] == _cfg["jax_enable_x64"] and \
                        not _cfg["jax_disable_jit"]:
                    outs = hit[0](args)
                    return outs[0] if hit[1] is None else pytree.tree_unflatten(hit[1], outs)
        return self._call(args, kwargs)

    @api_boundary
    def _call(self, args, kwargs):
        if config.jax_disable_jit:
            return self.fun(*args, **kwargs)
        key, flat, in_tree, static = self._prepare(args, kwargs)
        concrete = core._state.eager_only and not any(isinstance(x, Tracer) for x in flat)
        if self._inline and not concrete:
            return self.fun(*args, **kwargs)   # inline=True: trace into the caller
        entry = self._entry(key, args, kwargs, static, flat)
        if concrete:
            cf = entry.compiled
            if cf is None:
                donate = self._dyn_argnums_donated(args, in_tree, flat)
                cf = entry.compiled = compile_jaxpr(entry.closed, self._name, donate)
                for note in cf.donation_notes:
                    logger.warning("jit(%s): %s", self._name, note)
            outs = cf(flat)
            if self._fast_ok and not kwargs and entry.cacheable and \
                    all(type(a) is Array for a in args):
                if len(self._fast) > 256:
                    self._fast.clear()
                single = entry.out_tree == _LEAF_TREE
                self._fast[key[1]] = (cf.executable, None if single else entry.out_tree,
                                      config.jax_enable_x64)
        else:
            outs = jit_p.bind(*entry.bind_consts, *flat, jaxpr=entry.bind_jaxpr,
                              name=self._name)
        return pytree.tree_unflatten(entry.out_tree, outs)

    def lower(self, *args, **kwargs) -> Lowered:
        key, flat, in_tree, static = self._prepare(args, kwargs)
        entry = self._entry(key, args, kwargs, static, flat)
        return Lowered(self, entry, in_tree, self._dyn_argnums_donated(args, in_tree, flat))

    def trace(self, *args, **kwargs):
        return self.lower(*args, **kwargs)

    def eval_shape(self, *args, **kwargs):
        from .api import eval_shape
        return eval_shape(self.fun, *args, **kwargs)

    def clear_cache(self):
        self._fast.clear()
        self._cache.clear()
        self._keys.clear()

    def _cache_size(self) -> int:
        return len(self._cache)


def _hashable(v) -> bool:
    try:
        hash(v)
        return True
    except TypeError:
        return False


def _as_tuple(x):
    if x is None:
        return ()
    if isinstance(x, (int, str)):
        return (x,)
    return tuple(x)


def jit(fun=None, *, static_argnums=None, static_argnames=None, donate_argnums=None,
        donate_argnames=None, inline: bool = False, **unsupported):
    """Compile `fun` with tinyjax's compiler (jax.jit).

    >>> f = jit(lambda x: x * 2 + 1)  # doctest: +SKIP
    """
    if unsupported:
        bad = ", ".join(sorted(unsupported))
        raise TypeError(f"jit() got unsupported keyword arguments: {bad}")
    if fun is None:
        return functools.partial(jit, static_argnums=static_argnums,
                                 static_argnames=static_argnames,
                                 donate_argnums=donate_argnums,
                                 donate_argnames=donate_argnames, inline=inline)
    if not callable(fun):
        raise TypeError(f"jit expects a callable, got {type(fun).__name__}: {fun!r}")
    return JitWrapped(fun, static_argnums, static_argnames, donate_argnums, donate_argnames,
                      inline)


class disable_jit:
    """Context manager (and decorator) running jitted functions eagerly."""

    def __init__(self, disable: bool = True):
        self._disable = disable

    def __enter__(self):
        self._cm = config.override("jax_disable_jit", self._disable)
        self._cm.__enter__()
        return self

    def __exit__(self, *exc):
        return self._cm.__exit__(*exc)



# ----------------------------------------------------------------------------- compiled eager control flow

_eqn_executables = LRUCache(256)


def _param_key(v):
    if isinstance(v, ClosedJaxpr):
        return ("jaxpr", id(v))
    if isinstance(v, tuple):
        return tuple(_param_key(x) for x in v)
    return v


def compiled_eqn_impl(prim, python_impl):
    """Eager evaluation of `prim` through the compiler (as JAX runs eager control
    flow): one equation compiled per (params, input types), cached. Under
    disable_jit it falls back to `python_impl`."""
    from .core.jaxpr import JaxprEqn, Var

    def impl(*args, **params):
        if _cfg["jax_disable_jit"]:
            return python_impl(*args, **params)
        arrays = [_to_array(a) for a in args]
        avals = tuple(a.aval for a in arrays)
        key = (prim, avals, tuple((k, _param_key(v)) for k, v in sorted(params.items())),
               _cfg["jax_enable_x64"])
        hit = _eqn_executables.get(key)
        if hit is None:
            invars = [Var(a) for a in avals]
            outs = abstract_eval_rules[prim](*avals, **params)
            outvars = [Var(a) for a in (outs if prim.multiple_results else [outs])]
            j = Jaxpr([], invars, outvars, [JaxprEqn(prim, invars, outvars, params)])
            hit = (params, compile_jaxpr(ClosedJaxpr(j, []), prim.name))   # params kept alive
            _eqn_executables.put(key, hit)
        outs = hit[1](arrays)
        return outs if prim.multiple_results else outs[0]

    return impl


def _register_compiled_control_flow():
    from .lowering.rules import lowering_rules
    for prim in list(lowering_rules):
        if lowering_rules[prim].kind == "control" and prim in array_impl_rules:
            python_impl = array_impl_rules[prim]
            if not getattr(python_impl, "_compiled", False):
                impl = compiled_eqn_impl(prim, python_impl)
                impl._compiled = True
                array_impl_rules[prim] = impl


_register_compiled_control_flow()
