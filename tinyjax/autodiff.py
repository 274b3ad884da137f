"""The differentiation API: jvp, linearize, vjp, grad, value_and_grad, jacfwd, jacrev,
hessian, linear_transpose, with JAX's signatures and semantics (pytrees in and out)."""
from __future__ import annotations

import functools

import numpy as np

from .core import dtypes, pytree
from .core.abstract import raise_to_shaped
from .core.ad_util import Zero, float0, instantiate, tangent_aval, zeros_like_aval
from .core.array import Array
from .core.errors import api_boundary
from .interpreters import ad
from .interpreters.partial_eval import PartialVal, partial_eval_flat


def _as_array(x):
    if isinstance(x, (bool, int, float)) and not isinstance(x, np.generic):
        dt, weak = dtypes.dtype_and_weak(x)
        return Array(np.array(x, dt), weak)
    if isinstance(x, (np.ndarray, np.generic)):
        if x.dtype == float0:  # tangents of integer values stay as they are
            return x
        return Array(np.array(x, dtypes.canonicalize_dtype(np.asarray(x).dtype)), False)
    return x


def _check_arg(x, what):
    if not (hasattr(x, "dtype") or isinstance(x, (bool, int, float, np.generic))):
        raise TypeError(f"{what}: {x!r} of type {type(x).__name__} is not a valid array "
                        f"value (pass arrays or pytrees of arrays)")


def _flatten_fun(fun, in_tree, kwargs=None, has_aux=False):
    """fun on flat leaves -> flat outputs; the output tree (and aux) land in `store`."""
    store = {}

    def flat(*leaves):
        args = pytree.tree_unflatten(in_tree, leaves)
        out = fun(*args, **(kwargs or {}))
        if has_aux:
            if not (isinstance(out, (tuple, list)) and len(out) == 2):
                raise TypeError("has_aux=True requires the function to return a pair "
                                "(output, auxiliary data)")
            out, aux = out
            store["aux"] = aux
        leaves_out, store["tree"] = pytree.tree_flatten(out)
        return leaves_out

    return flat, store


def _tangent_value(t, primal):
    """Materialize a tangent (zeros of the right tangent type for symbolic zeros)."""
    if type(t) is Zero:
        return zeros_like_aval(t.aval)
    return t


@api_boundary
def jvp(fun, primals, tangents, has_aux: bool = False):
    """Forward-mode derivative: (fun(*primals), J(primals) @ tangents).

    >>> jvp(jnp.sin, (0.0,), (1.0,))  # doctest: +SKIP
    (Array(0., dtype=float32, weak_type=True), Array(1., dtype=float32, weak_type=True))
    """
    if not isinstance(primals, (tuple, list)) or not isinstance(tangents, (tuple, list)):
        raise TypeError("primal and tangent arguments to jvp must be tuples or lists; found "
                        f"{type(primals).__name__} and {type(tangents).__name__}.")
    flat_p, tree_p = pytree.tree_flatten(tuple(primals))
    flat_t, tree_t = pytree.tree_flatten(tuple(tangents))
    if tree_p != tree_t:
        raise TypeError("primal and tangent arguments to jvp must have the same tree "
                        f"structure; primals have tree structure {tree_p} whereas tangents "
                        f"have tree structure {tree_t}.")
    flat_p = [_as_array(p) for p in flat_p]
    flat_t_in = []
    for p, t in zip(flat_p, flat_t):
        pa, ta = raise_to_shaped(p), _tangent_aval_of(t)
        want = tangent_aval(pa)
        if ta.shape != pa.shape:
            raise ValueError(f"jvp called with different primal and tangent shapes; got primal "
                             f"shape {pa.shape} and tangent shape {ta.shape}")
        if ta.dtype != want.dtype:
            raise TypeError(f"primal and tangent arguments to jvp do not match; dtypes must be "
                            f"equal, or in case of int/bool primal dtype the tangent dtype "
                            f"must be float0. Got primal dtype {pa.dtype.name} and so expected "
                            f"tangent dtype {want.dtype}, but got tangent dtype {ta.dtype}.")
        flat_t_in.append(Zero(want) if want.dtype == float0 else _as_array(t))
    flat_fun, store = _flatten_fun(fun, tree_p, has_aux=has_aux)
    outs, touts = ad.jvp_flat(flat_fun, flat_p, flat_t_in)
    out_tree = store["tree"]
    out = pytree.tree_unflatten(out_tree, outs)
    tout = pytree.tree_unflatten(out_tree, [_tangent_value(t, o) for t, o in zip(touts, outs)])
    if has_aux:
        return out, tout, store["aux"]
    return out, tout


def _tangent_aval_of(t):
    if isinstance(t, np.ndarray) and t.dtype == float0:
        return raise_to_shaped_float0(t)
    return raise_to_shaped(_as_array(t))


def raise_to_shaped_float0(t):
    from .core.abstract import ShapedArray
    return ShapedArray(t.shape, float0, False)


@api_boundary
def linearize(fun, *primals, has_aux: bool = False):
    """(fun(*primals), f_jvp) where f_jvp(*tangents) applies the linearization.

    >>> y, f_jvp = linearize(jnp.sin, 1.0)  # doctest: +SKIP
    """
    flat_p, tree_p = pytree.tree_flatten(primals)
    flat_p = [_as_array(p) for p in flat_p]
    flat_fun, store = _flatten_fun(fun, tree_p, has_aux=has_aux)
    outs, jaxpr, consts, out_info, diff = ad.linearize_flat(flat_fun, flat_p)
    out_tree = store["tree"]

    def f_jvp(*tangents):
        flat_t, tree_t = pytree.tree_flatten(tangents)
        if tree_t != tree_p:
            raise TypeError(f"linearized function called with tangents of structure {tree_t}, "
                            f"expected {tree_p}")
        touts = ad.eval_linear(jaxpr, consts, out_info, [_as_array(t) for t in flat_t], diff)
        return pytree.tree_unflatten(out_tree, [_tangent_value(t, o)
                                                for t, o in zip(touts, outs)])

    out = pytree.tree_unflatten(out_tree, outs)
    if has_aux:
        return out, f_jvp, store["aux"]
    return out, f_jvp


@api_boundary
def vjp(fun, *primals, has_aux: bool = False):
    """(fun(*primals), vjp_fun) where vjp_fun(ct) gives the cotangents of the primals.

    >>> y, f_vjp = vjp(jnp.sin, 0.5)  # doctest: +SKIP
    >>> f_vjp(1.0)  # doctest: +SKIP
    (Array(0.87758255, dtype=float32, weak_type=True),)
    """
    for p in pytree.tree_leaves(primals):
        _check_arg(p, "vjp")
    flat_p, tree_p = pytree.tree_flatten(primals)
    flat_p = [_as_array(p) for p in flat_p]
    flat_fun, store = _flatten_fun(fun, tree_p, has_aux=has_aux)
    outs, f_vjp_flat = ad.vjp_flat(flat_fun, flat_p)
    out_tree = store["tree"]
    out_avals = [raise_to_shaped(o) for o in outs]
    p_avals = [raise_to_shaped(p) for p in flat_p]

    def vjp_fun(ct):
        flat_ct, tree_ct = pytree.tree_flatten(ct)
        if tree_ct != out_tree:
            raise TypeError(f"Tree structure of cotangent input {tree_ct}, does not match "
                            f"structure of primal output {out_tree}.")
        cts = []
        for c, a in zip(flat_ct, out_avals):
            c = _as_array(c)
            ca = raise_to_shaped_float0(c) if isinstance(c, np.ndarray) else raise_to_shaped(c)
            if ca.shape != a.shape:
                raise ValueError(f"unexpected cotangent shape {ca.shape} for primal output of "
                                 f"shape {a.shape}")
            cts.append(c)
        cts_in = f_vjp_flat(cts)
        out_cts = []
        for c, a in zip(cts_in, p_avals):
            if type(c) is Zero:
                c = zeros_like_aval(tangent_aval(a))
            out_cts.append(c)
        return pytree.tree_unflatten(tree_p, out_cts)

    out = pytree.tree_unflatten(out_tree, outs)
    if has_aux:
        return out, vjp_fun, store["aux"]
    return out, vjp_fun


def _argnums_tuple(argnums, nargs, fname):
    single = isinstance(argnums, int)
    nums = (argnums,) if single else tuple(argnums)
    for a in nums:
        if not isinstance(a, int):
            raise TypeError(f"{fname}: argnums must be an int or a tuple of ints, got {argnums!r}")
        if not -nargs <= a < nargs:
            raise TypeError(f"{fname}: differentiating with respect to argnums={argnums} "
                            f"requires at least {max(a, -a - 1) + 1} positional arguments, "
                            f"but the function was called with {nargs}.")
    return single, tuple(a % nargs for a in nums)


def _check_input_dtype(x, argnum, fun, allow_int, holomorphic, fname):
    dt = raise_to_shaped(_as_array(x)).dtype
    if holomorphic:
        raise TypeError(f"{fname} with holomorphic=True requires complex-valued inputs, but "
                        f"tinyjax has no complex dtypes (got {dt.name}).")
    if dt.kind != "f" and not allow_int:
        name = _arg_name(fun, argnum)
        raise TypeError(
            f"{fname} requires real-valued inputs (input dtype that is a sub-dtype of "
            f"np.floating), but got {dt.name} for argument {argnum}{name}. If you want to use "
            f"Boolean- or integer-valued inputs, use vjp or set allow_int to True.")


def _arg_name(fun, argnum):
    try:
        import inspect
        params = list(inspect.signature(fun).parameters)
        return f" ('{params[argnum]}')" if argnum < len(params) else ""
    except (TypeError, ValueError):
        return ""


def value_and_grad(fun, argnums=0, has_aux: bool = False, holomorphic: bool = False,
                   allow_int: bool = False, reduce_axes=()):
    """A function returning (fun(*args), gradient of fun w.r.t. the args in argnums).

    >>> value_and_grad(lambda x: x ** 2)(3.0)  # doctest: +SKIP
    (Array(9., dtype=float32, weak_type=True), Array(6., dtype=float32, weak_type=True))
    """
    fname = "value_and_grad"

    @api_boundary
    @functools.wraps(fun)
    def value_and_grad_f(*args, **kwargs):
        return _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, fname,
                               args, kwargs)

    return value_and_grad_f


def _diff_args(fun, argnums, args, kwargs, fname, allow_int, holomorphic):
    """Check the differentiated arguments; return (single, their values, fun of them)."""
    single, nums = _argnums_tuple(argnums, len(args), fname)
    for a in nums:
        for leaf in pytree.tree_leaves(args[a]):
            _check_arg(leaf, fname)
            _check_input_dtype(leaf, a, fun, allow_int, holomorphic, fname)

    def f_partial(*dargs):
        full = list(args)
        for a, d in zip(nums, dargs):
            full[a] = d
        return fun(*full, **kwargs)

    return single, tuple(args[a] for a in nums), f_partial


def _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, fname, args, kwargs):
    single, diff_args, f_partial = _diff_args(fun, argnums, args, kwargs, fname, allow_int,
                                              holomorphic)

    if has_aux:
        out, f_vjp, aux = vjp(f_partial, *diff_args, has_aux=True)
    else:
        out, f_vjp = vjp(f_partial, *diff_args)
    shape = np.shape(out) if not hasattr(out, "shape") else out.shape
    if not hasattr(out, "dtype") and not isinstance(out, (int, float)):
        raise TypeError(f"Gradient only defined for scalar-output functions. Output was "
                        f"{out!r}.")
    if tuple(shape) != ():
        raise TypeError(f"Gradient only defined for scalar-output functions. Output had "
                        f"shape: {tuple(shape)}.")
    out_dt = raise_to_shaped(_as_array(out)).dtype
    if out_dt.kind != "f":
        raise TypeError(
            f"{fname} requires real-valued outputs (output dtype that is a sub-dtype of "
            f"np.floating), but got {out_dt.name}. For differentiation of functions with "
            f"integer outputs, use jax.vjp directly.")
    ones = Array(np.ones((), out_dt), raise_to_shaped(_as_array(out)).weak_type)
    g = f_vjp(ones)
    g = g[0] if single else tuple(g)
    if has_aux:
        return (out, aux), g
    return out, g


def grad(fun, argnums=0, has_aux: bool = False, holomorphic: bool = False,
         allow_int: bool = False, reduce_axes=()):
    """The gradient of a scalar function w.r.t. its argnums arguments.

    >>> grad(lambda x: x ** 3)(2.0)  # doctest: +SKIP
    Array(12., dtype=float32, weak_type=True)
    """
    @api_boundary
    @functools.wraps(fun)
    def grad_f(*args, **kwargs):
        res = _value_and_grad(fun, argnums, has_aux, holomorphic, allow_int, "grad", args,
                              kwargs)
        if has_aux:
            (_, aux), g = res
            return g, aux
        return res[1]

    return grad_f


# ----------------------------------------------------------------------------- jacobians

def _basis(leaves):
    """Stacked standard basis over all entries of the leaves: one array per leaf with a
    leading axis of the total size (row k is the k-th unit vector)."""
    from . import numpy as jnp
    sizes = [int(np.prod(x.shape, dtype=np.int64)) for x in leaves]
    total = sum(sizes)
    eye = jnp.eye(total, dtype=leaves[0].dtype if leaves else np.float32)
    out, off = [], 0
    for x, n in zip(leaves, sizes):
        out.append(jnp.reshape(eye[:, off:off + n].astype(x.dtype), (total,) + tuple(x.shape)))
        off += n
    return out, sizes


def jacfwd(fun, argnums=0, has_aux: bool = False, holomorphic: bool = False):
    """The Jacobian by forward mode: vmap of the JVP over the standard basis.

    Output leaves have shape out_leaf.shape + in_leaf.shape, in pytrees mirroring JAX.
    """
    @api_boundary
    def jacfun(*args, **kwargs):
        from . import numpy as jnp
        from .vmap import vmap
        single, dargs, f_partial = _diff_args(fun, argnums, args, kwargs, "jacfwd", False,
                                              holomorphic)
        flat_in, in_tree = pytree.tree_flatten(dargs)
        flat_in = [_as_array(x) for x in flat_in]
        res = linearize(f_partial, *pytree.tree_unflatten(in_tree, flat_in), has_aux=has_aux)
        out, f_jvp = res[0], res[1]
        basis, sizes = _basis(flat_in)
        cols = vmap(lambda *b: f_jvp(*pytree.tree_unflatten(in_tree, b)))(*basis)
        flat_out, out_tree = pytree.tree_flatten(out)
        cols_flat = pytree.tree_leaves(cols)
        jac_leaves = []
        for o, c in zip(flat_out, cols_flat):
            o_shape = tuple(np.shape(o))
            per_in, off = [], 0
            for x, n in zip(flat_in, sizes):
                block = c[off:off + n]  # (n,) + o.shape
                off += n
                block = jnp.moveaxis(block, 0, -1) if o_shape else block
                per_in.append(jnp.reshape(block, o_shape + tuple(x.shape)))
            jac_leaves.append(pytree.tree_unflatten(in_tree, per_in))
        jac = pytree.tree_unflatten(out_tree, [j[0] if single else j for j in jac_leaves])
        return (jac, res[2]) if has_aux else jac

    return jacfun


def jacrev(fun, argnums=0, has_aux: bool = False, holomorphic: bool = False,
           allow_int: bool = False):
    """The Jacobian by reverse mode: vmap of the VJP over the standard basis."""
    @api_boundary
    def jacfun(*args, **kwargs):
        from . import numpy as jnp
        from .vmap import vmap
        single, dargs, f_partial = _diff_args(fun, argnums, args, kwargs, "jacrev", allow_int,
                                              holomorphic)
        res = vjp(f_partial, *dargs, has_aux=has_aux)
        out, f_vjp = res[0], res[1]
        flat_out, out_tree = pytree.tree_flatten(out)
        flat_out = [_as_array(o) for o in flat_out]
        flat_in, in_tree = pytree.tree_flatten(dargs)
        flat_in = [_as_array(x) for x in flat_in]
        basis, sizes = _basis(flat_out)
        rows = vmap(lambda *b: f_vjp(pytree.tree_unflatten(out_tree, b)))(*basis)
        rows_flat = pytree.tree_leaves(rows)  # per input leaf: (total_out,) + x.shape
        jac_leaves, off = [], 0
        for o, n in zip(flat_out, sizes):
            per_in = [jnp.reshape(r[off:off + n], tuple(o.shape) + tuple(x.shape))
                      for r, x in zip(rows_flat, flat_in)]
            off += n
            jac_leaves.append(pytree.tree_unflatten(in_tree, per_in))
        jac = pytree.tree_unflatten(out_tree, [j[0] if single else j for j in jac_leaves])
        return (jac, res[2]) if has_aux else jac

    return jacfun


def hessian(fun, argnums=0, has_aux: bool = False, holomorphic: bool = False):
    """The Hessian: jacfwd(jacrev(fun))."""
    return jacfwd(jacrev(fun, argnums, has_aux=has_aux, holomorphic=holomorphic), argnums,
                  has_aux=has_aux, holomorphic=holomorphic)


def linear_transpose(fun, *primals, reduce_axes=()):
    """The transpose of the linear function `fun` (with inputs shaped like `primals`).

    >>> f_t = linear_transpose(lambda x: 2.0 * x, 1.0)  # doctest: +SKIP
    >>> f_t(1.0)  # doctest: +SKIP
    (Array(2., dtype=float32, weak_type=True),)
    """
    flat_p, tree_p = pytree.tree_flatten(primals)
    in_avals = [raise_to_shaped(_as_array(p)) for p in flat_p]
    for a in in_avals:
        if a.dtype.kind != "f":
            raise TypeError(f"linear_transpose only supports floating-point inputs, got "
                            f"{a.dtype.name}")
    flat_fun, store = _flatten_fun(fun, tree_p)
    jaxpr, pvals_out, consts = partial_eval_flat(
        flat_fun, [PartialVal.unknown(a) for a in in_avals])
    out_tree = store["tree"]
    out_known = [pv.is_known for pv in pvals_out]

    @api_boundary
    def transposed(ct):
        flat_ct, tree_ct = pytree.tree_flatten(ct)
        if tree_ct != out_tree:
            raise TypeError(f"cotangent tree structure {tree_ct} does not match the output "
                            f"structure {out_tree}")
        cts = [_as_array(c) for c, k in zip(flat_ct, out_known) if not k]
        args = [ad.UndefinedPrimal(a) for a in in_avals]
        cts_in = ad.backward_pass(jaxpr, consts, args, cts)
        return pytree.tree_unflatten(tree_p, [instantiate(c) if type(c) is Zero else c
                                              for c in cts_in])

    return transposed


__all__ = ["grad", "hessian", "jacfwd", "jacrev", "jvp", "linear_transpose", "linearize",
           "value_and_grad", "vjp"]
