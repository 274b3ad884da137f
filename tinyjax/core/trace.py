"""Primitives, `bind`, and the trace stack: the whole dispatch mechanism.

`bind` finds the innermost active trace among the arguments (and the dynamic
trace, used when tracing to a jaxpr) and asks it to process the primitive.
Eager evaluation is the trace at the bottom of the stack; when it is the only
one, `bind` goes straight to the eager implementation.
"""
from __future__ import annotations

import contextlib
import threading

from .abstract import ShapedArray
from .errors import (
    TracerArrayConversionError,
    TracerBoolConversionError,
    TracerIntegerConversionError,
    UnexpectedTracerError,
)

# primitive -> rule(*avals, **params) -> ShapedArray (or a list when multiple_results)
abstract_eval_rules: dict = {}


class Primitive:
    """A named operation; transformations act on it through their rule tables."""

    __slots__ = ("name", "multiple_results", "inline_jaxpr_param", "__weakref__")

    def __init__(self, name: str, multiple_results: bool = False):
        self.name = name
        self.multiple_results = multiple_results
        # call-like primitives (jit, checkpoint) name the param holding their jaxpr,
        # which the compiler inlines
        self.inline_jaxpr_param = None

    def __repr__(self):
        return self.name

    def bind(self, *args, **params):
        st = _state
        if st.eager_only:
            for a in args:
                if isinstance(a, Tracer):
                    break
            else:
                return _eval_apply(self, args, params)
        return bind_with_trace(self, args, params)

    def abstract_eval(self, *avals, **params):
        try:
            rule = abstract_eval_rules[self]
        except KeyError:
            raise NotImplementedError(f"abstract evaluation rule for '{self}' is not implemented")
        return rule(*avals, **params)


class MainTrace:
    """One active transformation: its level in the stack, its Trace type and data."""

    __slots__ = ("level", "trace_type", "payload", "_trace")

    def __init__(self, level, trace_type, payload=None):
        self.level = level
        self.trace_type = trace_type
        self.payload = payload
        self._trace = None

    def trace(self) -> "Trace":
        t = self._trace
        if t is None or type(t) is not self.trace_type:
            t = self._trace = self.trace_type(self)
        return t

    def __repr__(self):
        return f"MainTrace({self.level}, {self.trace_type.__name__})"


class _TraceState(threading.local):
    def __init__(self):
        base = MainTrace(0, _base_trace_type[0])
        self.stack = [base]
        self.dynamic = base
        self.eager_only = True


_base_trace_type: list = [None]  # set by interpreters.eval
_eval_apply = None  # set by interpreters.eval: (prim, args, params) -> result
_state = _TraceState()


def set_eval_interpreter(trace_type, apply_fn):
    """Installed by `interpreters.eval`: the bottom-of-stack trace and its fast path."""
    global _eval_apply
    _base_trace_type[0] = trace_type
    _state.stack[0].trace_type = trace_type
    _eval_apply = apply_fn


def _refresh():
    st = _state
    st.eager_only = len(st.stack) == 1 and st.dynamic is st.stack[0]


@contextlib.contextmanager
def new_main(trace_type, dynamic: bool = False, payload=None):
    """Push a transformation onto the trace stack for the duration of the block."""
    st = _state
    main = MainTrace(len(st.stack), trace_type, payload)
    st.stack.append(main)
    prev_dynamic = st.dynamic
    if dynamic:
        st.dynamic = main
    _refresh()
    try:
        yield main
    finally:
        st.dynamic = prev_dynamic
        st.stack.pop()
        _refresh()


def current_main() -> MainTrace:
    return _state.stack[-1]


def is_active(main: MainTrace) -> bool:
    stack = _state.stack
    return main.level < len(stack) and stack[main.level] is main


def find_top_trace(args) -> "Trace":
    st = _state
    top = st.dynamic
    for a in args:
        if isinstance(a, Tracer):
            m = a._trace.main
            if m.level > top.level:
                top = m
    if not is_active(top):
        leaked = next(a for a in args if isinstance(a, Tracer) and a._trace.main is top)
        raise UnexpectedTracerError(leaked)
    return top.trace()


def bind_with_trace(prim: Primitive, args, params):
    trace = find_top_trace(args)
    tracers = [trace.full_raise(a) for a in args]
    out = trace.process_primitive(prim, tracers, params)
    if prim.multiple_results:
        return [full_lower(o) for o in out]
    return full_lower(out)


def full_lower(x):
    return x.full_lower() if isinstance(x, Tracer) else x


class Trace:
    """Base of every interpreter. Subclasses define pure/lift/process_primitive."""

    __slots__ = ("main",)

    def __init__(self, main: MainTrace):
        self.main = main

    def pure(self, val):
        raise NotImplementedError(f"{type(self).__name__}.pure is not implemented")

    lift = pure

    def full_raise(self, val):
        if not isinstance(val, Tracer):
            return self.pure(val)
        main = val._trace.main
        if main is self.main:
            return val
        if not is_active(main):
            raise UnexpectedTracerError(val)
        if main.level < self.main.level:
            return self.lift(val)
        raise UnexpectedTracerError(
            val, "\n  (a tracer from an inner transformation reached an outer one)"
        )

    def process_primitive(self, prim, tracers, params):
        raise NotImplementedError(f"{type(self).__name__} rule for '{prim}' is not implemented")

    def process_custom_jvp_call(self, fun, jvp, tracers, symbolic_zeros=False):
        """A function with a custom JVP rule: only differentiation uses the rule."""
        return fun(*tracers)

    def process_custom_vjp_call(self, fun, fwd, bwd, tracers, out_avals_fn):
        """A function with a custom VJP rule: only differentiation uses fwd/bwd."""
        return fun(*tracers)

    def description(self) -> str:
        return type(self).__name__


class Tracer:
    """A value seen by a transformation. Array operators are installed by tinyjax.numpy."""

    __slots__ = ("_trace", "__weakref__")
    __array_priority__ = 1000

    @property
    def aval(self) -> ShapedArray:
        raise NotImplementedError(f"{type(self).__name__}.aval is not implemented")

    def full_lower(self):
        return self

    def to_concrete_value(self):
        """The concrete value behind this tracer, or None if it is abstract."""
        return None

    def _trace_description(self) -> str:
        return self._trace.description()

    shape = property(lambda self: self.aval.shape)
    dtype = property(lambda self: self.aval.dtype)
    weak_type = property(lambda self: self.aval.weak_type)
    ndim = property(lambda self: len(self.aval.shape))
    size = property(lambda self: self.aval.size)

    def __len__(self):
        if not self.aval.shape:
            raise TypeError("len() of unsized object (a 0-d traced array)")
        return self.aval.shape[0]

    def __iter__(self):
        if not self.aval.shape:
            raise TypeError("iteration over a 0-d traced array")
        return (self[i] for i in range(self.aval.shape[0]))

    def __bool__(self):
        v = self.to_concrete_value()
        if v is None:
            raise TracerBoolConversionError(self)
        return bool(v)

    def _concrete_scalar(self, kind, err):
        v = self.to_concrete_value()
        if v is None:
            raise err(self)
        return kind(v)

    def __int__(self):
        return self._concrete_scalar(int, TracerIntegerConversionError)

    def __index__(self):
        return self._concrete_scalar(int, TracerIntegerConversionError)

    def __float__(self):
        return self._concrete_scalar(float, TracerBoolConversionError)

    def __complex__(self):
        return self._concrete_scalar(complex, TracerBoolConversionError)

    def __array__(self, dtype=None, copy=None):
        raise TracerArrayConversionError(self)

    def __hash__(self):
        raise TypeError(f"unhashable type: traced array ({self.aval.str_short()})")

    def __setitem__(self, idx, value):
        raise TypeError(
            "tinyjax arrays are immutable: `x[idx] = y` is not supported. "
            "Use `x = x.at[idx].set(y)` instead."
        )

    def __repr__(self):
        return f"Traced<{self.aval}>with<{self._trace_description()}>"
