"""The jaxpr IR: variables, literals, equations, jaxprs; a printer in JAX's format
and a type checker."""
from __future__ import annotations

import numpy as np

from .abstract import ShapedArray
from .errors import JaxprTypeError
from .trace import abstract_eval_rules

# primitive -> function(params) -> the params to print (JAX hides some, e.g. shapes
# already visible in the output type)
pp_param_rules: dict = {}


class Var:
    """A jaxpr variable. Names are given at print time, in order of appearance."""

    __slots__ = ("aval", "count")
    _counter = 0

    def __init__(self, aval: ShapedArray):
        self.aval = aval
        Var._counter += 1
        self.count = Var._counter

    def __repr__(self):
        return f"Var(id={self.count}):{self.aval.str_short()}"


class DropVar(Var):
    """An equation output nobody reads (printed `_`)."""

    def __repr__(self):
        return "_"


class Literal:
    """A scalar constant written inline in a jaxpr (e.g. `2.0:f32[]`)."""

    __slots__ = ("val", "aval", "_array")

    def __init__(self, val, aval: ShapedArray):
        self.val = val
        self.aval = aval
        self._array = None

    def value(self):
        """The literal as an Array of its type (what primitives are applied to)."""
        if self._array is None:
            from .array import Array
            self._array = Array(np.array(self.val, dtype=self.aval.dtype), self.aval.weak_type)
        return self._array

    def __repr__(self):
        return f"{_fmt_scalar(self.val, self.aval.dtype)}:{self.aval.str_short()}"


def _fmt_scalar(val, dtype) -> str:
    v = np.asarray(val).item()
    if dtype == np.bool_:
        return "True" if v else "False"
    if isinstance(v, float):
        return repr(v) if np.isfinite(v) else {"inf": "inf", "-inf": "-inf"}.get(str(v), "nan")
    return str(v)


class JaxprEqn:
    __slots__ = ("primitive", "invars", "outvars", "params")

    def __init__(self, primitive, invars, outvars, params):
        self.primitive = primitive
        self.invars = invars
        self.outvars = outvars
        self.params = params

    def __repr__(self):
        return _pp_eqn(self, _Namer())


class Jaxpr:
    """`{ lambda constvars ; invars. let eqns in (outvars) }`."""

    __slots__ = ("constvars", "invars", "outvars", "eqns")

    def __init__(self, constvars, invars, outvars, eqns):
        self.constvars = list(constvars)
        self.invars = list(invars)
        self.outvars = list(outvars)
        self.eqns = list(eqns)

    @property
    def in_avals(self):
        return [v.aval for v in self.invars]

    @property
    def out_avals(self):
        return [v.aval for v in self.outvars]

    def __str__(self):
        return pp_jaxpr(self)

    __repr__ = __str__

    def pretty_print(self, width: int = 80) -> str:
        return pp_jaxpr(self, width=width)


class ClosedJaxpr:
    """A jaxpr together with the values of its constvars."""

    __slots__ = ("jaxpr", "consts")

    def __init__(self, jaxpr: Jaxpr, consts):
        self.jaxpr = jaxpr
        self.consts = list(consts)

    in_avals = property(lambda self: self.jaxpr.in_avals)
    out_avals = property(lambda self: self.jaxpr.out_avals)
    eqns = property(lambda self: self.jaxpr.eqns)

    def __str__(self):
        return pp_jaxpr(self.jaxpr)

    __repr__ = __str__

    def pretty_print(self, width: int = 80) -> str:
        return pp_jaxpr(self.jaxpr, width=width)


# ----------------------------------------------------------------------------- printer

class _Namer:
    def __init__(self):
        self.names: dict = {}

    def __call__(self, v) -> str:
        if isinstance(v, Literal):
            return repr(v)
        if isinstance(v, DropVar):
            return "_"
        name = self.names.get(id(v))
        if name is None:
            name = self.names[id(v)] = _alpha(len(self.names))
        return name

    def binder(self, v) -> str:
        return f"{self(v)}:{v.aval.str_short()}"


def _alpha(n: int) -> str:
    s = ""
    while True:
        s = chr(ord("a") + n % 26) + s
        n //= 26
        if n == 0:
            return s


def _fmt_param(v, namer, indent) -> str:
    if isinstance(v, ClosedJaxpr):
        return _pp_jaxpr_lines(v.jaxpr, _Namer(), indent + 2, force_multi=False)
    if isinstance(v, Jaxpr):
        return _pp_jaxpr_lines(v, _Namer(), indent + 2, force_multi=False)
    if isinstance(v, np.dtype):
        return v.name
    if isinstance(v, type) and issubclass(v, np.generic):
        return np.dtype(v).name
    if isinstance(v, tuple):
        inner = ", ".join(_fmt_param(x, namer, indent) for x in v)
        return f"({inner},)" if len(v) == 1 else f"({inner})"
    if isinstance(v, np.ndarray):
        return np.array2string(v, separator=", ").replace("\n", "")
    return str(v)


def _pp_eqn(eqn: JaxprEqn, namer: _Namer, indent: int = 0, width: int = 80) -> str:
    ins = " ".join(namer(v) for v in eqn.invars)
    outs = " ".join(namer.binder(v) for v in eqn.outvars)
    shown = pp_param_rules.get(eqn.primitive)
    params = shown(eqn.params) if shown is not None else eqn.params
    items = [f"{k}={_fmt_param(v, namer, indent)}" for k, v in sorted(params.items())]
    params = f"[{' '.join(items)}]" if items else ""
    line = f"{outs} = {eqn.primitive.name}{params} {ins}".rstrip()
    if items and (len(line) + indent + 4 > width or "\n" in params):
        pad = " " * (indent + 4)
        params = "[" + "".join(f"\n{pad}  {it}" for it in items) + f"\n{pad}]"
        line = f"{outs} = {eqn.primitive.name}{params} {ins}".rstrip()
    return line


def _pp_jaxpr_lines(jaxpr: Jaxpr, namer: _Namer, indent: int = 0, width: int = 80,
                    force_multi: bool = False) -> str:
    consts = " ".join(namer.binder(v) for v in jaxpr.constvars)
    ins = " ".join(namer.binder(v) for v in jaxpr.invars)
    head = f"{{ lambda {consts}; {ins}. let" if consts else f"{{ lambda ; {ins}. let"
    eqns = [_pp_eqn(e, namer, indent, width) for e in jaxpr.eqns]
    outs = ", ".join(namer(v) for v in jaxpr.outvars)
    tail = f"in ({outs},) }}" if len(jaxpr.outvars) == 1 else f"in ({outs}) }}"
    one_line = head + (" " + "; ".join(eqns) if eqns else " ") + " " + tail
    if not force_multi and len(one_line) + indent <= width and "\n" not in one_line:
        return one_line
    pad = " " * indent
    body = "".join(f"\n{pad}    {e}" for e in eqns)
    return f"{head}{body}\n{pad}  {tail}"


def pp_jaxpr(jaxpr: Jaxpr, width: int = 80) -> str:
    """Print like JAX: one line when it fits in `width`, else one equation per line."""
    return _pp_jaxpr_lines(jaxpr, _Namer(), 0, width)


# ----------------------------------------------------------------------------- type checker

def _same_type(a: ShapedArray, b: ShapedArray) -> bool:
    return a.shape == b.shape and a.dtype == b.dtype


def check_jaxpr(jaxpr) -> None:
    """Type-check a Jaxpr or ClosedJaxpr; raise JaxprTypeError naming the bad equation."""
    if isinstance(jaxpr, ClosedJaxpr):
        if len(jaxpr.consts) != len(jaxpr.jaxpr.constvars):
            raise JaxprTypeError(
                f"ClosedJaxpr has {len(jaxpr.consts)} consts for "
                f"{len(jaxpr.jaxpr.constvars)} constvars"
            )
        jaxpr = jaxpr.jaxpr
    namer = _Namer()
    defined: set = set()

    def define(v, where):
        if isinstance(v, DropVar):
            return
        if not isinstance(v, Var):
            raise JaxprTypeError(f"{where}: expected a Var binder, got {v!r}")
        if id(v) in defined:
            raise JaxprTypeError(f"{where}: variable '{namer(v)}' is defined twice")
        defined.add(id(v))

    def read(v, where):
        if isinstance(v, Literal):
            if np.shape(v.val) != v.aval.shape:
                raise JaxprTypeError(f"{where}: literal {v!r} has the wrong shape")
            return v.aval
        if id(v) not in defined:
            raise JaxprTypeError(f"{where}: variable '{namer(v)}' is used before it is defined")
        return v.aval

    for v in jaxpr.constvars:
        define(v, "constvars")
    for v in jaxpr.invars:
        define(v, "invars")
    for i, eqn in enumerate(jaxpr.eqns):
        where = f"equation {i} ({_pp_eqn(eqn, namer)})"
        in_avals = [read(v, where) for v in eqn.invars]
        rule = abstract_eval_rules.get(eqn.primitive)
        if rule is None:
            raise JaxprTypeError(f"{where}: no abstract evaluation rule for '{eqn.primitive}'")
        try:
            out = rule(*in_avals, **eqn.params)
        except (TypeError, ValueError) as e:
            raise JaxprTypeError(f"{where}: {e}") from None
        outs = out if eqn.primitive.multiple_results else [out]
        if len(outs) != len(eqn.outvars):
            raise JaxprTypeError(
                f"{where}: primitive returns {len(outs)} values but binds {len(eqn.outvars)}"
            )
        for o, v in zip(outs, eqn.outvars):
            if not _same_type(o, v.aval):
                raise JaxprTypeError(
                    f"{where}: output '{namer(v)}' is declared {v.aval.str_short()} but "
                    f"{eqn.primitive} produces {o.str_short()}"
                )
            define(v, where)
    for v in jaxpr.outvars:
        read(v, "outvars")


# ----------------------------------------------------------------------------- evaluation, DCE

def eval_jaxpr(jaxpr: Jaxpr, consts, *args):
    """Run a jaxpr by binding its equations in order (so any active transformation,
    eager evaluation included, processes them). Returns the list of outputs."""
    env: dict = {}

    def read(v):
        return v.value() if isinstance(v, Literal) else env[id(v)]

    for v, c in zip(jaxpr.constvars, consts):
        env[id(v)] = c
    for v, a in zip(jaxpr.invars, args):
        env[id(v)] = a
    for eqn in jaxpr.eqns:
        outs = eqn.primitive.bind(*map(read, eqn.invars), **eqn.params)
        if not eqn.primitive.multiple_results:
            outs = [outs]
        for v, o in zip(eqn.outvars, outs):
            if not isinstance(v, DropVar):
                env[id(v)] = o
    return [read(v) for v in jaxpr.outvars]


def dce_jaxpr(jaxpr: Jaxpr, used_outputs=None) -> Jaxpr:
    """Drop equations none of whose outputs are needed (all primitives are pure).
    Unused outputs of kept equations become `_`; inputs are kept."""
    outvars = jaxpr.outvars if used_outputs is None else [
        v for v, u in zip(jaxpr.outvars, used_outputs) if u]
    live = {id(v) for v in outvars if isinstance(v, Var)}
    kept = []
    for eqn in reversed(jaxpr.eqns):
        if any(id(v) in live for v in eqn.outvars):
            kept.append(eqn)
            live.update(id(v) for v in eqn.invars if isinstance(v, Var))
    kept.reverse()
    new_eqns = []
    for eqn in kept:
        if all(id(v) in live for v in eqn.outvars):
            new_eqns.append(eqn)
        else:
            outs = [v if id(v) in live else DropVar(v.aval) for v in eqn.outvars]
            new_eqns.append(JaxprEqn(eqn.primitive, eqn.invars, outs, eqn.params))
    constvars = jaxpr.constvars
    return Jaxpr(constvars, jaxpr.invars, outvars, new_eqns)
