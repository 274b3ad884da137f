"""The kernel IR: a small loop-level language both backends read.

A `Kernel` is a list of statements over flat, row-major `Buffer`s:

    For(var, start, stop, body)   a counted loop; `var` is an int64 `Var`
    Store(buf, index, value)      buf[index] = value
    Local(var, init) / Assign     a mutable scalar (accumulators, cursors)
    If(cond, then, orelse)
    HostCall(slot, buffers)       call host function `slot` (LAPACK) on whole buffers

Expressions are frozen and hash-consed (`Expr` nodes are unique per structure, so
equal subexpressions are the same object and code generation computes them once):

    const  value            var   name (loop index or local)
    load   buf[index]       op    name(args)  (the ALU and math vocabulary below)
    select c ? a : b        cast / bitcast  to a dtype
    reduce op over loops    (init, body): an accumulator loop used as a value

An expression is evaluated where a statement uses it: a load that follows a
Store to the same buffer reads the stored value (carry values across stores in
a Local). Indices are int64 element offsets. The op vocabulary, with lax's semantics:
  arithmetic  add sub mul div rem neg abs sign max min pow nextafter copysign fma
              (integer div/rem never trap: x/0 = -1 (unsigned: max), x%0 = x,
              INT_MIN/-1 = INT_MIN; float max/min propagate NaN like NumPy)
  rounding    floor ceil round (half away from zero) rint (half to even) trunc
  compare     eq ne lt le gt ge  -> bool;  isnan is_finite -> bool
  bitwise     and or xor not shl shr (arithmetic) lshr (logical); shifts by
              >= bit width give 0 (shr: the sign); clz popcnt
  math        sqrt rsqrt and every name registered in llvm_mathbase (exp, log,
              sin, lgamma, ...), evaluated on floats
"""
from __future__ import annotations

import itertools

import numpy as np

INDEX = np.dtype(np.int64)
BOOL = np.dtype(np.bool_)

COMPARISONS = frozenset({"eq", "ne", "lt", "le", "gt", "ge"})
PREDICATES = frozenset({"isnan", "is_finite"})
REDUCE_OPS = frozenset({"add", "mul", "max", "min", "and", "or", "xor"})

_intern: dict = {}


def reset_intern_table() -> None:
    """Forget hash-consed nodes (called at the start of each compilation)."""
    _intern.clear()


class Expr:
    """A frozen expression node; build with the functions below, not directly."""

    __slots__ = ("kind", "dtype", "args", "attr", "__weakref__")

    def __new__(cls, kind, dtype, args=(), attr=None, key_attr=None):
        key = (kind, dtype, key_attr if key_attr is not None else attr,
               tuple(id(a) for a in args))
        node = _intern.get(key)
        if node is not None:
            return node
        node = object.__new__(cls)
        node.kind = kind
        node.dtype = dtype
        node.args = tuple(args)
        node.attr = attr
        _intern[key] = node
        # keep the children alive as long as the key names them
        return node

    # operator sugar, mostly for index arithmetic; python ints become constants
    def __add__(self, o): return op("add", self, o)
    def __radd__(self, o): return op("add", o, self)
    def __sub__(self, o): return op("sub", self, o)
    def __rsub__(self, o): return op("sub", o, self)
    def __mul__(self, o): return op("mul", self, o)
    def __rmul__(self, o): return op("mul", o, self)
    def __neg__(self): return op("neg", self)
    def __floordiv__(self, o): return op("div", self, o)   # index math: non-negative
    def __mod__(self, o): return op("rem", self, o)
    def __lt__(self, o): return op("lt", self, o)
    def __le__(self, o): return op("le", self, o)
    def __gt__(self, o): return op("gt", self, o)
    def __ge__(self, o): return op("ge", self, o)
    def __and__(self, o): return op("and", self, o)
    def __or__(self, o): return op("or", self, o)
    def __invert__(self): return op("not", self)
    __hash__ = object.__hash__

    def __eq__(self, o):  # identity: nodes are hash-consed
        return self is o

    def __bool__(self):
        raise TypeError("a kernel-IR expression has no truth value; use select/If")

    @property
    def is_const(self) -> bool:
        return self.kind == "const"

    @property
    def value(self):
        return self.attr

    def __repr__(self):
        return format_expr(self)


def const(value, dtype=INDEX) -> Expr:
    dtype = np.dtype(dtype)
    v = np.asarray(value).astype(dtype)[()] if not isinstance(value, np.generic) or \
        value.dtype != dtype else value
    return Expr("const", dtype, (), v, key_attr=(v.tobytes(),))


def var(name: str, dtype=INDEX) -> Expr:
    return Expr("var", np.dtype(dtype), (), name)


def load(buf: "Buffer", index: Expr) -> Expr:
    index = as_expr(index)
    return Expr("load", buf.dtype, (index,), buf)


def as_expr(x, dtype=INDEX) -> Expr:
    if isinstance(x, Expr):
        return x
    return const(x, dtype)


def _fold(name, a, b):
    """Constant folding and identities for int64 index arithmetic."""
    if a.dtype != INDEX:
        return None
    if a.kind == "const" and b is not None and b.kind == "const":
        x, y = int(a.attr), int(b.attr)
        if name == "add":
            return const(x + y)
        if name == "sub":
            return const(x - y)
        if name == "mul":
            return const(x * y)
        if name == "div" and y > 0 and x >= 0:
            return const(x // y)
        if name == "rem" and y > 0 and x >= 0:
            return const(x % y)
        if name == "max":
            return const(max(x, y))
        if name == "min":
            return const(min(x, y))
        return None
    if b is None:
        return None
    if name == "add":
        if a.kind == "const" and int(a.attr) == 0:
            return b
        if b.kind == "const" and int(b.attr) == 0:
            return a
    elif name == "sub":
        if b.kind == "const" and int(b.attr) == 0:
            return a
    elif name == "mul":
        for p, q in ((a, b), (b, a)):
            if p.kind == "const":
                if int(p.attr) == 1:
                    return q
                if int(p.attr) == 0:
                    return p
    elif name in ("div",):
        if b.kind == "const" and int(b.attr) == 1:
            return a
    elif name == "rem":
        if b.kind == "const" and int(b.attr) == 1:
            return const(0)
    return None


def op(name: str, *args) -> Expr:
    """An ALU or math operation; operands share a dtype (Python numbers adopt it)."""
    ref = next((a for a in args if isinstance(a, Expr)), None)
    dt = ref.dtype if ref is not None else INDEX
    args = tuple(as_expr(a, dt) for a in args)
    if len(args) == 2:
        folded = _fold(name, args[0], args[1])
        if folded is not None:
            return folded
    if name in COMPARISONS or name in PREDICATES:
        out = BOOL
    else:
        out = args[0].dtype
    if name in ("shl", "shr", "lshr", "pow") and len(args) == 2:
        pass  # operands may differ only where the primitive says so
    elif len(args) > 1 and any(a.dtype != args[0].dtype for a in args[1:]):
        raise TypeError(f"kernel op '{name}' got mixed dtypes {[str(a.dtype) for a in args]}")
    return Expr("op", out, args, name)


def select(c: Expr, a, b) -> Expr:
    ref = a if isinstance(a, Expr) else b
    a, b = as_expr(a, ref.dtype), as_expr(b, ref.dtype)
    if c.kind == "const":
        return a if bool(c.attr) else b
    if a is b:
        return a
    return Expr("select", a.dtype, (c, a, b))


def cast(x: Expr, dtype) -> Expr:
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    if x.kind == "const" and dtype.kind != "f" and x.dtype.kind in "iub" and \
            dtype.kind in "iu":
        return const(np.asarray(x.attr).astype(dtype)[()], dtype)
    return Expr("cast", dtype, (x,))


def bitcast(x: Expr, dtype) -> Expr:
    dtype = np.dtype(dtype)
    if x.dtype == dtype:
        return x
    if x.dtype.itemsize != dtype.itemsize:
        raise TypeError(f"bitcast between {x.dtype} and {dtype}: sizes differ")
    return Expr("bitcast", dtype, (x,))


def reduce(op_name: str, init: Expr, loops, body: Expr) -> Expr:
    """The `op`-combination of `body` over the loop nest `loops` = [(var, extent)],
    starting from `init`; a value (code generation emits the loops in place)."""
    if op_name not in REDUCE_OPS:
        raise ValueError(f"unknown reduction '{op_name}'")
    loops = tuple((v, as_expr(n)) for v, n in loops)
    return Expr("reduce", init.dtype, (init, body) + tuple(n for _, n in loops),
                (op_name, tuple(v.attr for v, _ in loops)))


def iter_nodes(*roots, seen=None):
    """Every node of the expression DAGs under `roots`, each once (pass a shared
    `seen` set to skip nodes visited by earlier calls)."""
    seen = set() if seen is None else seen
    stack = list(roots)
    while stack:
        x = stack.pop()
        if id(x) in seen:
            continue
        seen.add(id(x))
        yield x
        stack.extend(x.args)


_counter = itertools.count()


def fresh(prefix: str = "i", dtype=INDEX) -> Expr:
    return var(f"{prefix}{next(_counter)}", dtype)


# ----------------------------------------------------------------------------- statements

class Buffer:
    """A flat array in memory: `size` elements of `dtype`. Identity is the buffer."""

    __slots__ = ("name", "dtype", "size", "role")

    def __init__(self, name: str, dtype, size: int, role: str = "temp"):
        self.name = name
        self.dtype = np.dtype(dtype)
        self.size = int(size)
        self.role = role  # input | const | output | temp | scratch

    @property
    def nbytes(self) -> int:
        return self.size * self.dtype.itemsize

    def __repr__(self):
        return f"%{self.name}:{short_dtype(self.dtype)}[{self.size}]"


class Stmt:
    __slots__ = ()


class For(Stmt):
    __slots__ = ("var", "start", "stop", "body", "parallel")

    def __init__(self, var, start, stop, body, parallel=False):
        self.var, self.start, self.stop = var, as_expr(start), as_expr(stop)
        self.body, self.parallel = body, parallel


class Store(Stmt):
    __slots__ = ("buf", "index", "value")

    def __init__(self, buf, index, value):
        if value.dtype != buf.dtype:
            raise TypeError(f"store of {value.dtype} into {buf!r}")
        self.buf, self.index, self.value = buf, as_expr(index), value


class Local(Stmt):
    """Declare mutable scalar `var` (a `var` Expr of its dtype) with an initial value."""
    __slots__ = ("var", "init")

    def __init__(self, var, init):
        self.var, self.init = var, as_expr(init, var.dtype)


class Assign(Stmt):
    __slots__ = ("var", "value")

    def __init__(self, var, value):
        self.var, self.value = var, as_expr(value, var.dtype)


class If(Stmt):
    __slots__ = ("cond", "then", "orelse")

    def __init__(self, cond, then, orelse=None):
        self.cond, self.then, self.orelse = cond, then, orelse or []


class HostCall(Stmt):
    """Call host function number `slot` with the addresses of `buffers`."""
    __slots__ = ("slot", "buffers", "label")

    def __init__(self, slot, buffers, label=""):
        self.slot, self.buffers, self.label = slot, list(buffers), label


class Kernel:
    """One loop nest (or statement list) over `params` buffers."""

    __slots__ = ("name", "params", "body", "label")

    def __init__(self, name, params, body, label=""):
        self.name, self.params, self.body, self.label = name, list(params), body, label

    def __repr__(self):
        return format_kernel(self)


# ----------------------------------------------------------------------------- builder

class KernelBuilder:
    """Imperative helper for kernels that are more than one expression:

        kb = KernelBuilder()
        with kb.loop(n) as i:
            acc = kb.local(f32, 0.0)
            with kb.loop(m) as j:
                kb.assign(acc, acc + x.load((i, j)))
            out.store(kb, (i,), acc)
    """

    def __init__(self):
        self.body: list = []
        self._stack = [self.body]
        self.scratch: list = []   # Buffers the memory plan must provide

    def emit(self, stmt: Stmt) -> None:
        self._stack[-1].append(stmt)

    class _Block:
        def __init__(self, kb, stmts, value=None):
            self.kb, self.stmts, self.value = kb, stmts, value

        def __enter__(self):
            self.kb._stack.append(self.stmts)
            return self.value

        def __exit__(self, *exc):
            self.kb._stack.pop()
            return False

    def loop(self, stop, start=0, prefix="i"):
        v = fresh(prefix)
        f = For(v, start, stop, [])
        self.emit(f)
        return self._Block(self, f.body, v)

    def local(self, dtype, init, prefix="t") -> Expr:
        v = fresh(prefix, dtype)
        self.emit(Local(v, as_expr(init, np.dtype(dtype))))
        return v

    def assign(self, v: Expr, value) -> None:
        self.emit(Assign(v, value))

    def if_(self, cond):
        s = If(cond, [], [])
        self.emit(s)
        self._last_if = s
        return self._Block(self, s.then)

    def else_(self):
        """Right after `with kb.if_(c): ...`, `with kb.else_(): ...`."""
        return self._Block(self, self._last_if.orelse)

    def store(self, buf: Buffer, index, value) -> None:
        self.emit(Store(buf, index, value))

    def new_scratch(self, dtype, size, name="scratch") -> Buffer:
        b = Buffer(f"{name}{next(_counter)}", dtype, size, role="scratch")
        self.scratch.append(b)
        return b


# ----------------------------------------------------------------------------- printing

def short_dtype(dt) -> str:
    dt = np.dtype(dt)
    return "bool" if dt == BOOL else f"{dt.kind}{dt.itemsize * 8}"


def format_expr(e: Expr, depth: int = 0) -> str:
    if depth > 12:
        return "…"
    k = e.kind
    if k == "const":
        return f"{e.attr.item()!r}" if e.dtype == INDEX else f"{e.attr.item()!r}:{short_dtype(e.dtype)}"
    if k == "var":
        return e.attr
    if k == "load":
        return f"%{e.attr.name}[{format_expr(e.args[0], depth + 1)}]"
    if k == "op":
        return f"{e.attr}({', '.join(format_expr(a, depth + 1) for a in e.args)})"
    if k == "select":
        c, a, b = (format_expr(x, depth + 1) for x in e.args)
        return f"select({c}, {a}, {b})"
    if k in ("cast", "bitcast"):
        return f"{k}<{short_dtype(e.dtype)}>({format_expr(e.args[0], depth + 1)})"
    if k == "reduce":
        op_name, names = e.attr
        init, body, *ext = e.args
        loops = ", ".join(f"{n}<{format_expr(x, depth + 1)}" for n, x in zip(names, ext))
        return f"reduce_{op_name}[{loops}](init={format_expr(init, depth + 1)}, " \
               f"{format_expr(body, depth + 1)})"
    return f"<{k}>"


def format_stmts(stmts, indent: int = 1) -> list:
    pad = "  " * indent
    out = []
    for s in stmts:
        if isinstance(s, For):
            out.append(f"{pad}for {s.var.attr} in [{format_expr(s.start)}, "
                       f"{format_expr(s.stop)}):")
            out += format_stmts(s.body, indent + 1)
        elif isinstance(s, Store):
            out.append(f"{pad}%{s.buf.name}[{format_expr(s.index)}] = {format_expr(s.value)}")
        elif isinstance(s, Local):
            out.append(f"{pad}local {s.var.attr}:{short_dtype(s.var.dtype)} = "
                       f"{format_expr(s.init)}")
        elif isinstance(s, Assign):
            out.append(f"{pad}{s.var.attr} = {format_expr(s.value)}")
        elif isinstance(s, If):
            out.append(f"{pad}if {format_expr(s.cond)}:")
            out += format_stmts(s.then, indent + 1)
            if s.orelse:
                out.append(f"{pad}else:")
                out += format_stmts(s.orelse, indent + 1)
        elif isinstance(s, HostCall):
            out.append(f"{pad}host_call #{s.slot} {s.label}"
                       f"({', '.join('%' + b.name for b in s.buffers)})")
    return out


def format_kernel(k: Kernel) -> str:
    params = ", ".join(repr(b) for b in k.params)
    head = f"kernel {k.name}({params})" + (f"  # {k.label}" if k.label else "")
    return "\n".join([head] + format_stmts(k.body))
