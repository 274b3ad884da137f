"""Public transformations and device helpers."""
from __future__ import annotations

import functools

import numpy as np

from .core import dtypes, pytree
from .core.array import Array, Device, devices
from .core.errors import api_boundary
from .core.jaxpr import ClosedJaxpr, Jaxpr, dce_jaxpr
from .interpreters.partial_eval import trace_pytree_fn


def make_jaxpr(fun, static_argnums=(), return_shape: bool = False):
    """Trace `fun` and return its jaxpr, printed the way JAX prints it.

    >>> import tinyjax, tinyjax.numpy as jnp
    >>> print(tinyjax.make_jaxpr(lambda x: jnp.sin(x) * 2.0)(jnp.ones(3)))
    { lambda ; a:f32[3]. let b:f32[3] = sin a; c:f32[3] = mul b 2.0:f32[] in (c,) }
    """
    if isinstance(static_argnums, int):
        static_argnums = (static_argnums,)
    static_argnums = tuple(static_argnums)

    @api_boundary
    @functools.wraps(fun)
    def make_jaxpr_f(*args, **kwargs) -> ClosedJaxpr:
        n = len(args)
        statics = {i % n if n else i for i in static_argnums}
        dyn_idx = [i for i in range(n) if i not in statics]

        def f_dyn(*dyn_args, **kw):
            full = list(args)
            for i, a in zip(dyn_idx, dyn_args):
                full[i] = a
            return fun(*full, **kw)

        name = f"make_jaxpr({getattr(fun, '__name__', 'fun')})"
        closed, out_tree = trace_pytree_fn(f_dyn, [args[i] for i in dyn_idx], kwargs, name)
        closed = _dce_closed(closed)
        if return_shape:
            shapes = [ShapeDtypeStruct(a.shape, a.dtype, a.weak_type) for a in closed.out_avals]
            return closed, pytree.tree_unflatten(out_tree, shapes)
        return closed

    return make_jaxpr_f


def _dce_closed(closed: ClosedJaxpr) -> ClosedJaxpr:
    """Drop dead equations (e.g. the primal output a gradient discards) and unused consts."""
    j = dce_jaxpr(closed.jaxpr)
    used = {id(v) for e in j.eqns for v in e.invars} | {id(v) for v in j.outvars}
    keep = [(v, c) for v, c in zip(j.constvars, closed.consts) if id(v) in used]
    return ClosedJaxpr(Jaxpr([v for v, _ in keep], j.invars, j.outvars, j.eqns),
                       [c for _, c in keep])


class ShapeDtypeStruct:
    """A shape and dtype standing in for an array (as jax.ShapeDtypeStruct)."""

    __slots__ = ("shape", "dtype", "weak_type")

    def __init__(self, shape, dtype, weak_type: bool = False):
        self.shape = tuple(shape)
        self.dtype = np.dtype(dtype)
        self.weak_type = weak_type

    ndim = property(lambda self: len(self.shape))
    size = property(lambda self: int(np.prod(self.shape, dtype=np.int64)))

    def __repr__(self):
        return f"ShapeDtypeStruct(shape={self.shape}, dtype={self.dtype.name})"

    def __eq__(self, other):
        return (isinstance(other, ShapeDtypeStruct) and self.shape == other.shape
                and self.dtype == other.dtype)

    def __hash__(self):
        return hash((self.shape, self.dtype))


def device_put(x, device: Device | None = None, *, donate: bool = False):
    """Place a pytree of arrays on a device (the CPU here), converting NumPy values.

    >>> import tinyjax
    >>> tinyjax.device_put(np.arange(3.0))
    Array([0., 1., 2.], dtype=float32)
    """
    if device is not None and device not in devices():
        raise ValueError(f"device_put: unknown device {device!r}; available: {devices()}")

    def put(leaf):
        if isinstance(leaf, Array):
            return leaf
        dt, weak = dtypes.dtype_and_weak(leaf)
        return Array(np.array(leaf, dtype=dt), weak)

    return pytree.tree_map(put, x)


def block_until_ready(x):
    """Wait for every array in a pytree to be computed (eager arrays already are)."""
    return pytree.tree_map(lambda a: a.block_until_ready() if hasattr(a, "block_until_ready")
                           else a, x)


def eval_shape(fun, *args, **kwargs):
    """The output shapes/dtypes of `fun(*args)` as ShapeDtypeStructs, without computing."""
    closed, out = make_jaxpr(fun, return_shape=True)(*args, **kwargs)
    return out
