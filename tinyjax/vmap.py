"""vmap: map a function over a batch axis by batching every primitive (no Python
loop over examples), with JAX's in_axes/out_axes semantics and named axes."""
from __future__ import annotations

import functools

import numpy as np

from .autodiff import _as_array
from .core import pytree
from .core.abstract import raise_to_shaped
from .core.errors import api_boundary
from .interpreters.batching import batch_flat


def _is_none(x):
    return x is None


def _check_axes_spec(spec, what):
    for leaf in pytree.tree_leaves(spec, is_leaf=_is_none):
        if leaf is not None and not isinstance(leaf, (int, np.integer)):
            raise TypeError(f"vmap {what} must be an int, None, or (nested) container with "
                            f"those types as leaves, but got {leaf!r}.")


def vmap(fun, in_axes=0, out_axes=0, axis_name=None, axis_size=None, spmd_axis_name=None):
    """Vectorize `fun` over a batch axis of its inputs.

    >>> vmap(lambda x, y: x @ y, in_axes=(0, None))(jnp.ones((5, 3)), jnp.ones(3)).shape
    (5,)
    """
    if isinstance(in_axes, list):
        # JAX: a list is a pytree here only when it matches the args; keep it a tuple
        in_axes = tuple(in_axes)
    if not (in_axes is None or isinstance(in_axes, (int, np.integer, tuple, dict))) and \
            not hasattr(in_axes, "_fields"):
        raise TypeError("vmap in_axes must be an int, None, or a tuple of entries "
                        "corresponding to the positional arguments passed to the function, "
                        f"but got {in_axes!r}.")
    _check_axes_spec(in_axes, "in_axes")
    _check_axes_spec(out_axes, "out_axes")

    @api_boundary
    @functools.wraps(fun)
    def vmapped(*args, **kwargs):
        if isinstance(in_axes, tuple) and len(in_axes) != len(args):
            raise ValueError(f"vmap in_axes specification must be a tree prefix of the "
                             f"corresponding value, got specification {in_axes} for value "
                             f"tree of {len(args)} positional arguments.")
        flat, in_tree = pytree.tree_flatten((args, kwargs))
        try:
            axes_flat = pytree.broadcast_prefix((in_axes, 0), (args, kwargs), is_leaf=_is_none)
        except ValueError as e:
            raise ValueError(f"vmap in_axes specification must be a tree prefix of the "
                             f"corresponding value: {e}") from None
        flat = [_as_array(x) if a is not None else x for x, a in zip(flat, axes_flat)]
        dims, sizes = [], []
        names = _arg_names(args, kwargs)
        for i, (x, a) in enumerate(zip(flat, axes_flat)):
            if a is None:
                dims.append(None)
                continue
            shape = raise_to_shaped(x).shape
            nd = len(shape)
            if not -nd <= a < nd:
                raise ValueError(
                    f"vmap was requested to map its argument along axis {a}, which implies "
                    f"that its rank should be at least {a + 1 if a >= 0 else -a}, but is "
                    f"only {nd} (its shape is {shape})")
            dims.append(a % nd)
            sizes.append((shape[a % nd], names[i], a, raise_to_shaped(x).str_short()))
        size_set = {s[0] for s in sizes}
        if len(size_set) > 1:
            lines = "\n".join(f"  * one axis had size {s}: axis {a} of {n} of type {t};"
                              for s, n, a, t in sizes)
            raise ValueError(f"vmap got inconsistent sizes for array axes to be mapped:\n"
                             f"{lines}")
        if not sizes:
            if axis_size is None:
                raise ValueError("vmap must have at least one non-None value in in_axes")
            size = axis_size
        else:
            size = size_set.pop()
            if axis_size is not None and axis_size != size:
                raise ValueError(f"vmap got axis_size={axis_size} but the mapped axes have "
                                 f"size {size}")
        store = {}

        def flat_fun(*leaves):
            a, k = pytree.tree_unflatten(in_tree, leaves)
            out = fun(*a, **k)
            out_leaves, store["tree"] = pytree.tree_flatten(out)
            return out_leaves

        def out_dims(n):
            try:
                return pytree.broadcast_prefix(out_axes, pytree.tree_unflatten(
                    store["tree"], [0] * n), is_leaf=_is_none)
            except ValueError as e:
                raise ValueError(f"vmap out_axes specification must be a tree prefix of the "
                                 f"corresponding value: {e}") from None

        outs = batch_flat(flat_fun, flat, dims, out_dims, size, axis_name)
        return pytree.tree_unflatten(store["tree"], outs)

    return vmapped


def _arg_names(args, kwargs):
    """'argument i' labels for every leaf, for error messages."""
    names = []
    for i, a in enumerate(args):
        names.extend([f"argument {i}"] * len(pytree.tree_leaves(a)))
    for k, v in kwargs.items():
        names.extend([f"keyword argument {k!r}"] * len(pytree.tree_leaves(v)))
    return names


__all__ = ["vmap"]
