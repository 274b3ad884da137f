"""Generic operations the batching interpreter needs itself: moving a batch axis and
broadcasting an unbatched value along a new axis. The primitives they use live in lax;
lax installs them here at import (the interpreter layer knows nothing of lax)."""
from __future__ import annotations

_ops: dict = {}


def install(moveaxis, broadcast):
    """Called by lax: moveaxis(x, src, dst) and broadcast(x, size, axis)."""
    _ops["moveaxis"] = moveaxis
    _ops["broadcast"] = broadcast


def moveaxis(x, src: int, dst: int):
    if src == dst:
        return x
    return _ops["moveaxis"](x, src, dst)


def broadcast(x, size: int, axis: int):
    """x with a new axis of `size` inserted at `axis`."""
    return _ops["broadcast"](x, size, axis)


# ----------------------------------------------------------------------------- axis env
# Named axes currently bound by vmap (and later pmap): innermost last.

import threading  # noqa: E402


class AxisFrame:
    __slots__ = ("name", "size", "main")

    def __init__(self, name, size, main):
        self.name = name
        self.size = size
        self.main = main


class _AxisEnv(threading.local):
    def __init__(self):
        self.frames = []


_env = _AxisEnv()


def push_axis(frame: AxisFrame):
    _env.frames.append(frame)


def pop_axis():
    _env.frames.pop()


def axis_frame(name) -> AxisFrame:
    for f in reversed(_env.frames):
        if f.name == name:
            return f
    raise NameError(f"unbound axis name: {name}. The axis name must be bound by an enclosing "
                    f"vmap (axis_name=...) or pmap.")
