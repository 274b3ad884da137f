"""Error types and the machinery that points errors at the user's line."""
from __future__ import annotations

import functools
import linecache
import os
import sys

_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def _is_internal(filename: str) -> bool:
    return filename.startswith(_PKG_DIR)


def user_frame():
    """The innermost stack frame that is not inside tinyjax (or None)."""
    f = sys._getframe(1)
    while f is not None and _is_internal(f.f_code.co_filename):
        f = f.f_back
    return f


def user_location() -> str:
    """'  at file.py:12 in fn:  source' for the user's line, or '' if none is found."""
    f = user_frame()
    if f is None:
        return ""
    fn, line = f.f_code.co_filename, f.f_lineno
    src = linecache.getline(fn, line).strip()
    where = f"  at {os.path.basename(fn)}:{line} in {f.f_code.co_name}"
    return f"\n{where}:  {src}" if src else f"\n{where}"


def filter_traceback(tb):
    """Drop tinyjax's own frames from a traceback chain, keeping the user's
    (unless TINYJAX_TRACEBACK_FILTERING=off)."""
    if os.environ.get("TINYJAX_TRACEBACK_FILTERING", "on") == "off":
        return tb
    frames = []
    while tb is not None:
        if not _is_internal(tb.tb_frame.f_code.co_filename):
            frames.append(tb)
        tb = tb.tb_next
    head = None
    for t in reversed(frames):
        t.tb_next = head
        head = t
    return head


def api_boundary(fun):
    """Decorator for public entry points: errors surface with tinyjax frames removed.

    Set TINYJAX_TRACEBACK_FILTERING=off to see the full traceback.
    """
    if os.environ.get("TINYJAX_TRACEBACK_FILTERING", "on") == "off":
        return fun

    @functools.wraps(fun)
    def wrapper(*args, **kwargs):
        try:
            return fun(*args, **kwargs)
        except Exception as e:
            raise e.with_traceback(filter_traceback(e.__traceback__)) from e.__cause__

    wrapper.__wrapped__ = fun
    return wrapper


def wrap_namespace(namespace: dict, package: str = "tinyjax") -> None:
    """Put every public function of a module namespace behind `api_boundary`."""
    import types
    for name, obj in list(namespace.items()):
        if (not name.startswith("_") and isinstance(obj, types.FunctionType)
                and obj.__module__.startswith(package)
                and not hasattr(obj, "__wrapped__")):
            namespace[name] = api_boundary(obj)


def reraise_filtered(e: Exception):
    """Re-raise `e` with tinyjax's frames removed (for hot paths that cannot afford
    a wrapper call)."""
    if os.environ.get("TINYJAX_TRACEBACK_FILTERING", "on") == "off":
        raise e
    raise e.with_traceback(filter_traceback(e.__traceback__))


class JAXTypeError(TypeError):
    pass


class ConcretizationTypeError(TypeError):
    """A traced value was used where a concrete (Python) value is needed."""

    def __init__(self, tracer, context: str = ""):
        aval = getattr(tracer, "aval", None)
        what = aval.str_short() if aval is not None else repr(tracer)
        msg = (
            f"Abstract tracer value encountered where a concrete value is expected: {what}"
            f" (from {tracer._trace_description()}).\n{context}"
            "The problem arose because a concrete Python value was needed from a traced array. "
            "Use tinyjax.lax.cond / jnp.where for value-dependent choices, or mark the argument "
            "static with static_argnums / static_argnames." + user_location()
        )
        super().__init__(msg)


class TracerBoolConversionError(ConcretizationTypeError):
    def __init__(self, tracer):
        aval = tracer.aval
        TypeError.__init__(
            self,
            f"TracerBoolConversionError: `if`/`while`/`bool()` on a traced value "
            f"({aval.str_short()}) inside {tracer._trace_description()}."
            + user_location()
            + "\n  Use tinyjax.lax.cond / lax.while_loop / jnp.where, or mark the argument "
            "static with static_argnums.",
        )


class TracerIntegerConversionError(ConcretizationTypeError):
    def __init__(self, tracer):
        TypeError.__init__(
            self,
            f"TracerIntegerConversionError: a traced value ({tracer.aval.str_short()}) inside "
            f"{tracer._trace_description()} was used as a Python int (e.g. an index, a shape or "
            f"range())." + user_location() + "\n  Use static_argnums for values that fix shapes, "
            "or lax.dynamic_slice / jnp.take for traced indices.",
        )


class TracerArrayConversionError(TypeError):
    def __init__(self, tracer):
        super().__init__(
            f"TracerArrayConversionError: a traced value ({tracer.aval.str_short()}) inside "
            f"{tracer._trace_description()} was converted to a NumPy array (np.asarray / "
            f"np function)." + user_location() + "\n  Use tinyjax.numpy (jnp) functions inside "
            "transformed code instead of numpy ones."
        )


class UnexpectedTracerError(Exception):
    def __init__(self, tracer, extra: str = ""):
        super().__init__(
            f"UnexpectedTracerError: encountered a tracer ({tracer.aval.str_short()}) from "
            f"{tracer._trace_description()} after that transformation had finished: the value "
            f"leaked out (stored in a global, a closure or an attribute)." + user_location()
            + "\n  Return values from the transformed function instead of storing them; "
            "pass them explicitly as arguments." + extra
        )


class JaxprTypeError(TypeError):
    """A jaxpr failed type checking."""
