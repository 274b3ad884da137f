"""`jnp.vectorize`: NumPy's generalized-ufunc style broadcasting, built on vmap.

It lives here rather than in `tinyjax.numpy` because it needs `vmap`, which sits
above the numpy layer; `tinyjax/__init__.py` installs it as `tinyjax.numpy.vectorize`.
"""
from __future__ import annotations

import functools
import re
import warnings

from . import numpy as jnp
from .core.config import config
from .lax import broadcast_shapes
from .vmap import vmap

# the gufunc signature grammar: "(m,n),(n)->(m)"
_DIM = r"\w+"
_CORE_DIMS = rf"(?:{_DIM}(?:,{_DIM})*)?"
_ARG = rf"\({_CORE_DIMS}\)"
_ARGS = rf"{_ARG}(?:,{_ARG})*"
_SIGNATURE = rf"^{_ARGS}->{_ARGS}$"


def _parse_signature(signature: str):
    """'(m,n),(n)->(m)' -> ([('m', 'n'), ('n',)], [('m',)])."""
    if not re.match(_SIGNATURE, signature):
        raise ValueError(f"not a valid gufunc signature: {signature}")
    ins, outs = signature.split("->")
    return ([tuple(re.findall(_DIM, a)) for a in re.findall(_ARG, side)]
            for side in (ins, outs))


def _bind_core_dims(sizes: dict, shape: tuple, core: tuple, context: str, is_input: bool):
    """Check `shape`'s trailing core dimensions against (and record them in) `sizes`."""
    if is_input and len(shape) < len(core):
        raise ValueError(f"input with shape {shape!r} does not have enough dimensions for all "
                         f"core dimensions {core!r} {context}")
    if not is_input and len(shape) != len(core):
        raise ValueError(f"output shape {shape!r} does not match core dimensions {core!r} "
                         f"{context}")
    for name, size in zip(core, shape[len(shape) - len(core):]):
        if sizes.setdefault(name, size) != size:
            raise ValueError(f"inconsistent size for core dimension {name!r}: {size!r} vs "
                             f"{sizes[name]!r} {context}")


def _checking_outputs(fun, sizes: dict, out_core: list, context: str):
    """`fun`, checking that its outputs have the signature's core dimensions."""
    def checked(*args):
        out = fun(*args)
        outs = out if isinstance(out, tuple) else (out,)
        if len(out_core) > 1 and not isinstance(out, tuple):
            raise TypeError(f"output must be a tuple when multiple outputs are expected, "
                            f"got: {out!r}\n{context}")
        if len(outs) != len(out_core):
            raise TypeError(f"wrong number of output arguments: expected {len(out_core)}, "
                            f"got {len(outs)} {context}")
        local = dict(sizes)
        for o, core in zip(outs, out_core):
            _bind_core_dims(local, tuple(jnp.shape(o)), core, context, is_input=False)
        return out
    return checked


def _partial_static(fun, static_pos: dict, static_kw: dict):
    """`fun` with the arguments at `static_pos` (position -> value) and the keyword
    arguments `static_kw` filled in."""
    if not static_pos and not static_kw:
        return fun

    def inner(*args, **kwargs):
        args = list(args)
        for i in sorted(static_pos):
            args.insert(i, static_pos[i])
        return fun(*args, **kwargs, **static_kw)
    return inner


def vectorize(pyfunc, *, excluded=frozenset(), signature=None):
    """Vectorize `pyfunc` over leading (broadcast) dimensions, as jax.numpy.vectorize.

    Without `signature`, `pyfunc` is applied to scalars; with a gufunc signature such
    as ``"(m,n),(n)->(m)"`` it receives arrays with those trailing core dimensions.
    The other dimensions broadcast as in NumPy, and become `vmap`s (no Python loop).
    Positional arguments whose index is in `excluded`, and keyword arguments whose name
    is, are passed through unchanged. Other keyword arguments are also passed through
    unchanged (JAX drops them; NumPy vectorizes them).

    >>> import tinyjax.numpy as jnp
    >>> mv = jnp.vectorize(lambda m, v: m @ v, signature="(n,k),(k)->(n)")
    >>> mv(jnp.ones((4, 2, 3)), jnp.ones(3)).shape
    (4, 2)
    """
    if any(not isinstance(e, (str, int)) for e in excluded):
        raise TypeError("jax.numpy.vectorize can only exclude integer or string arguments, "
                        f"but excluded={excluded!r}")
    if any(isinstance(e, int) and e < 0 for e in excluded):
        raise ValueError(f"excluded={excluded!r} contains negative numbers")

    @functools.wraps(pyfunc)
    def wrapped(*args, **kwargs):
        context = (f"on vectorized function with excluded={excluded!r} and "
                   f"signature={signature!r}")
        static_pos = {i: a for i, a in enumerate(args) if i in excluded}
        static_kw = dict(kwargs)
        fun = _partial_static(pyfunc, static_pos, static_kw)
        args = [a for i, a in enumerate(args) if i not in excluded]

        if signature is not None:
            in_core, out_core = _parse_signature(signature)
        else:
            in_core, out_core = [()] * len(args), None

        # None arguments pass through (they cannot be broadcast)
        nones = {i for i, a in enumerate(args) if a is None}
        if nones:
            if any(in_core[i] != () for i in nones if i < len(in_core)):
                raise ValueError(f"Cannot pass None at locations {nones} with "
                                 f"signature={signature!r}")
            fun = _partial_static(fun, {i: None for i in nones}, {})
            args = [a for i, a in enumerate(args) if i not in nones]
            in_core = [c for i, c in enumerate(in_core) if i not in nones]

        args = [jnp.asarray(a) for a in args]
        if len(args) != len(in_core):
            raise TypeError(f"wrong number of positional arguments: expected {len(in_core)}, "
                            f"got {len(args)} {context}")
        sizes: dict = {}
        loop_shapes = []
        for a, core in zip(args, in_core):
            _bind_core_dims(sizes, a.shape, core, context, is_input=True)
            loop_shapes.append(a.shape[:a.ndim - len(core)])
        batch_shape = broadcast_shapes(*loop_shapes)
        if out_core is not None:
            fun = _checking_outputs(fun, sizes, out_core, context)

        ranks = {len(s) for a, s in zip(args, loop_shapes) if a.ndim}
        promotion = config.jax_numpy_rank_promotion
        if promotion != "allow" and len(ranks) > 1:
            msg = (f"operands with shapes {[a.shape for a in args]} require rank promotion "
                   f"for jnp.vectorize function with signature {signature}. Set the "
                   f"jax_numpy_rank_promotion config option to 'allow' to disable this "
                   f"message.")
            if promotion == "raise":
                raise ValueError(msg)
            warnings.warn(msg, stacklevel=2)

        # one vmap per broadcast dimension (outermost first). An argument of size 1 (or
        # missing) along a dimension is not mapped there, so nothing is materialized at
        # the broadcast size; a dimension mapped by no argument is added at the end.
        nb = len(batch_shape)
        squeezed, padded = [], []
        for a, shape in zip(args, loop_shapes):
            ones = tuple(i for i, d in enumerate(shape) if d == 1)
            squeezed.append(jnp.squeeze(a, axis=ones) if ones else a)
            padded.append((1,) * (nb - len(shape)) + tuple(shape))
        f = fun
        expand = []
        for dim in reversed(range(nb)):
            in_axes = tuple(None if p[dim] == 1 else 0 for p in padded)
            if all(ax is None for ax in in_axes):
                expand.append(dim)
            else:
                f = vmap(f, in_axes)
        out = f(*squeezed)
        if not expand:
            return out
        axes = tuple(sorted(expand))
        if isinstance(out, tuple):
            return tuple(jnp.expand_dims(o, axes) for o in out)
        return jnp.expand_dims(out, axes)

    return wrapped


__all__ = ["vectorize"]
