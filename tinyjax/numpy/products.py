"""Products of arrays: dot, matmul, tensordot, einsum and friends.

Every contraction lowers to a single `lax.dot_general` (plus transposes,
reshapes and, for einsum, reductions of indices that only one operand carries).
Broadcast batch dimensions are never materialised: a size-1 batch dimension of
one operand is squeezed away and the other operand's dimension becomes one of
its free dimensions, so `matmul` of shapes (2, 1, 3, 4) and (5, 4, 2) is one
dot_general and one transpose.

einsum chooses a pairwise contraction order with its own path optimizer
(greedy by default, exhaustive with ``optimize='optimal'`` for up to six
operands); opt_einsum is not used.
"""
from __future__ import annotations

import itertools
import math
import operator

import numpy as np

from .. import lax
from ..core import dtypes
from ..lax._base import type_error, value_error
from . import ufuncs
from ._convert import asarray, check_arraylike, check_out, move_axis, promote_dtypes

__all__ = [
    "cross",
    "dot",
    "einsum",
    "einsum_path",
    "inner",
    "kron",
    "matmul",
    "matvec",
    "outer",
    "tensordot",
    "vdot",
    "vecdot",
    "vecmat",
]


# ----------------------------------------------------------------------------- helpers

def _result_dtype(name: str, operands, preferred_element_type):
    """Promote the operands to their common dtype and pick the output dtype."""
    ops = promote_dtypes(*operands)
    if preferred_element_type is None:
        out_dtype = ops[0].dtype if ops else dtypes.default_float_dtype()
    else:
        try:
            out_dtype = dtypes.canonicalize_dtype(preferred_element_type)
        except TypeError as e:
            raise type_error(f"jnp.{name}: invalid preferred_element_type: {e}") from None
    return ops, out_dtype


def _canon_axis(name: str, axis, ndim: int, what: str = "axis") -> int:
    try:
        a = operator.index(axis)
    except TypeError:
        raise type_error(f"jnp.{name}: {what} must be an integer, got {axis!r}") from None
    if not -ndim <= a < ndim:
        raise value_error(
            f"jnp.{name}: {what} {axis} is out of bounds for array of dimension {ndim}")
    return a % ndim


def _reduce_labels(x, labels: tuple, drop):
    """Sum `x` over the dimensions whose label is in `drop` (logical or for bool)."""
    axes = tuple(i for i, lab in enumerate(labels) if lab in drop)
    if not axes:
        return x, labels
    x = lax.reduce_or(x, axes) if x.dtype == np.bool_ else lax.reduce_sum(x, axes)
    return x, tuple(lab for lab in labels if lab not in drop)


def _squeeze_labels(x, labels: tuple, drop):
    axes = tuple(i for i, lab in enumerate(labels) if lab in drop)
    if not axes:
        return x, labels
    return lax.squeeze(x, axes), tuple(lab for lab in labels if lab not in drop)


def _contract(name: str, a, la: tuple, b, lb: tuple, keep, *, broadcast=None,
              precision=None, preferred_element_type=None):
    """Contract labelled operands with one dot_general.

    `la`/`lb` name each dimension (distinct within an operand); `keep` holds the
    labels the result must keep. Labels carried by both operands are batch
    dimensions if kept, contracted otherwise; a label of size 1 in one operand
    and size n in the other is broadcast (only labels in `broadcast`, all if
    None). Returns the result and its labels: batch, then a's free, then b's free.
    """
    sa, sb = dict(zip(la, a.shape)), dict(zip(lb, b.shape))
    squeeze_a, squeeze_b = set(), set()
    for lab in la:
        if lab not in sb or sa[lab] == sb[lab]:
            continue
        if broadcast is None or lab in broadcast:
            if sa[lab] == 1:
                squeeze_a.add(lab)
                continue
            if sb[lab] == 1:
                squeeze_b.add(lab)
                continue
        raise value_error(
            f"jnp.{name}: size of {_label_str(lab)} differs between operands: "
            f"{sa[lab]} in shape {tuple(a.shape)} and {sb[lab]} in shape {tuple(b.shape)}.")
    a, la = _squeeze_labels(a, la, squeeze_a)
    b, lb = _squeeze_labels(b, lb, squeeze_b)
    # indices only one side carries and nobody needs: sum them out first
    a, la = _reduce_labels(a, la, {lab for lab in la if lab not in lb and lab not in keep})
    b, lb = _reduce_labels(b, lb, {lab for lab in lb if lab not in la and lab not in keep})
    shared = [lab for lab in la if lab in lb]
    batch = [lab for lab in shared if lab in keep]
    contract = [lab for lab in shared if lab not in keep]
    dn = ((tuple(la.index(lab) for lab in contract), tuple(lb.index(lab) for lab in contract)),
          (tuple(la.index(lab) for lab in batch), tuple(lb.index(lab) for lab in batch)))
    out = lax.dot_general(a, b, dn, precision=precision,
                          preferred_element_type=preferred_element_type)
    labels = (tuple(batch) + tuple(lab for lab in la if lab not in lb)
              + tuple(lab for lab in lb if lab not in la))
    return out, labels


def _to_order(x, labels: tuple, order: tuple):
    perm = tuple(labels.index(lab) for lab in order)
    return x if perm == tuple(range(len(perm))) else lax.transpose(x, perm)


def _finish_dtype(x, out_dtype):
    return x if x.dtype == out_dtype else lax.convert_element_type(x, out_dtype)


def _batched(name: str, a, la: tuple, b, lb: tuple, out_labels: tuple, precision,
             preferred_element_type):
    """Shared by matmul, matvec, vecmat and vecdot: string labels are core
    dimensions (never broadcast), negative int labels are right-aligned batch
    dimensions, broadcast NumPy-style without being materialised."""
    (a, b), out_dtype = _result_dtype(name, (a, b), preferred_element_type)
    batch = {lab for lab in la + lb if isinstance(lab, int) and lab < 0}
    out, labels = _contract(name, a, la, b, lb, set(out_labels), broadcast=batch,
                            precision=precision, preferred_element_type=out_dtype)
    return _to_order(out, labels, tuple(lab for lab in out_labels if lab in labels))


def _batch_labels(ndim_batch: int) -> tuple:
    return tuple(range(-ndim_batch, 0))


# ----------------------------------------------------------------------------- dot & co

def dot(a, b, *, precision=None, preferred_element_type=None):
    """Dot product of two arrays, as numpy.dot: the last axis of `a` is contracted
    with the second-to-last axis of `b` (its only axis if 1-D); 0-d operands
    multiply elementwise.

    >>> import tinyjax.numpy as jnp
    >>> jnp.dot(jnp.array([[1., 2.], [3., 4.]]), jnp.array([1., 1.]))
    Array([3., 7.], dtype=float32)
    """
    check_arraylike("dot", a, b)
    (a, b), out_dtype = _result_dtype("dot", (a, b), preferred_element_type)
    if a.ndim == 0 or b.ndim == 0:
        return _finish_dtype(ufuncs.multiply(a, b), out_dtype)
    ca, cb = a.ndim - 1, max(b.ndim - 2, 0)
    if a.shape[ca] != b.shape[cb]:
        raise type_error(
            f"jnp.dot: shapes {tuple(a.shape)} and {tuple(b.shape)} are not aligned: "
            f"{a.shape[ca]} (dim {ca}) != {b.shape[cb]} (dim {cb}).")
    return lax.dot_general(a, b, (((ca,), (cb,)), ((), ())), precision=precision,
                           preferred_element_type=out_dtype)


def vdot(a, b, *, precision=None, preferred_element_type=None):
    """Dot product of the flattened arrays (numpy.vdot; no complex conjugation is
    needed since tinyjax has no complex dtypes).

    >>> import tinyjax.numpy as jnp
    >>> jnp.vdot(jnp.array([[1., 2.], [3., 4.]]), jnp.ones((2, 2)))
    Array(10., dtype=float32)
    """
    check_arraylike("vdot", a, b)
    a, b = asarray(a), asarray(b)
    if a.size != b.size:
        raise type_error(
            f"jnp.vdot: arrays must have the same number of elements, got shapes "
            f"{tuple(a.shape)} ({a.size}) and {tuple(b.shape)} ({b.size}).")
    return dot(lax.reshape(a, (a.size,)), lax.reshape(b, (b.size,)), precision=precision,
               preferred_element_type=preferred_element_type)


def matmul(a, b, *, precision=None, preferred_element_type=None):
    """Matrix product with NumPy's broadcasting of the leading (batch) dimensions;
    a 1-D `a` is a row vector and a 1-D `b` a column vector, whose added
    dimension is removed from the result.

    >>> import tinyjax.numpy as jnp
    >>> jnp.matmul(jnp.ones((5, 2, 3)), jnp.ones((3, 4))).shape
    (5, 2, 4)
    """
    check_arraylike("matmul", a, b)
    a, b = asarray(a), asarray(b)
    for i, x in enumerate((a, b)):
        if x.ndim == 0:
            raise value_error(
                f"jnp.matmul: input operand {i} must have ndim at least 1, but it has ndim 0")
    M, K, N = "m", "k", "n"
    nb = max(a.ndim - 2, b.ndim - 2, 0)
    la = _batch_labels(a.ndim - 2) + (M, K) if a.ndim > 1 else (K,)
    lb = _batch_labels(b.ndim - 2) + (K, N) if b.ndim > 1 else (K,)
    if a.shape[-1] != b.shape[0 if b.ndim == 1 else -2]:
        raise type_error(
            f"jnp.matmul: contracting dimensions differ: shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)} ({a.shape[-1]} != {b.shape[0 if b.ndim == 1 else -2]}).")
    if a.ndim <= 2 and b.ndim <= 2:
        # no batch dimensions: a single dot_general, without the labelling machinery
        (a, b), out_dtype = _result_dtype("matmul", (a, b), preferred_element_type)
        return lax.dot_general(a, b, (((a.ndim - 1,), (0,)), ((), ())), precision=precision,
                               preferred_element_type=out_dtype)
    _check_broadcast("matmul", a.shape[:-2], b.shape[:-2])
    out = _batch_labels(nb) + ((M,) if a.ndim > 1 else ()) + ((N,) if b.ndim > 1 else ())
    return _batched("matmul", a, la, b, lb, out, precision, preferred_element_type)


def _check_broadcast(name: str, *shapes) -> tuple:
    nd = max(len(s) for s in shapes)
    out = []
    for i in range(-nd, 0):
        ds = {s[i] for s in shapes if len(s) >= -i} - {1}
        if len(ds) > 1:
            raise value_error(
                f"jnp.{name}: incompatible batch shapes for broadcasting: "
                + ", ".join(str(tuple(s)) for s in shapes))
        out.append(ds.pop() if ds else 1)
    return tuple(out)


def matvec(x1, x2, /):
    """Batched matrix-vector product: (..., m, n) times (..., n) gives (..., m),
    with the leading dimensions broadcast.

    >>> import tinyjax.numpy as jnp
    >>> jnp.matvec(jnp.ones((5, 2, 3)), jnp.ones(3)).shape
    (5, 2)
    """
    check_arraylike("matvec", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    if x1.ndim < 2 or x2.ndim < 1:
        raise value_error(
            f"jnp.matvec: x1 must have ndim >= 2 and x2 ndim >= 1, got shapes "
            f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    if x1.shape[-1] != x2.shape[-1]:
        raise type_error(
            f"jnp.matvec: contracting dimensions differ: shapes {tuple(x1.shape)} and "
            f"{tuple(x2.shape)}")
    bshape = _check_broadcast("matvec", x1.shape[:-2], x2.shape[:-1])
    la = _batch_labels(x1.ndim - 2) + ("m", "n")
    lb = _batch_labels(x2.ndim - 1) + ("n",)
    return _batched("matvec", x1, la, x2, lb, _batch_labels(len(bshape)) + ("m",), None, None)


def vecmat(x1, x2, /):
    """Batched vector-matrix product: (..., m) times (..., m, n) gives (..., n),
    with the leading dimensions broadcast.

    >>> import tinyjax.numpy as jnp
    >>> jnp.vecmat(jnp.ones(3), jnp.ones((5, 3, 2))).shape
    (5, 2)
    """
    check_arraylike("vecmat", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    if x1.ndim < 1 or x2.ndim < 2:
        raise value_error(
            f"jnp.vecmat: x1 must have ndim >= 1 and x2 ndim >= 2, got shapes "
            f"{tuple(x1.shape)} and {tuple(x2.shape)}")
    if x1.shape[-1] != x2.shape[-2]:
        raise type_error(
            f"jnp.vecmat: contracting dimensions differ: shapes {tuple(x1.shape)} and "
            f"{tuple(x2.shape)}")
    bshape = _check_broadcast("vecmat", x1.shape[:-1], x2.shape[:-2])
    la = _batch_labels(x1.ndim - 1) + ("m",)
    lb = _batch_labels(x2.ndim - 2) + ("m", "n")
    return _batched("vecmat", x1, la, x2, lb, _batch_labels(len(bshape)) + ("n",), None, None)


def vecdot(x1, x2, /, *, axis: int = -1, precision=None, preferred_element_type=None):
    """Vector dot product along `axis` of each operand, broadcasting the other
    dimensions (Array API vecdot).

    >>> import tinyjax.numpy as jnp
    >>> jnp.vecdot(jnp.ones((4, 3)), jnp.arange(3.0))
    Array([3., 3., 3., 3.], dtype=float32)
    """
    check_arraylike("vecdot", x1, x2)
    x1, x2 = asarray(x1), asarray(x2)
    if x1.ndim == 0 or x2.ndim == 0:
        raise value_error(
            f"jnp.vecdot: arguments must have ndim >= 1, got shapes {tuple(x1.shape)} "
            f"and {tuple(x2.shape)}")
    a1 = _canon_axis("vecdot", axis, x1.ndim)
    a2 = _canon_axis("vecdot", axis, x2.ndim)
    if x1.shape[a1] != x2.shape[a2]:
        raise value_error(
            f"jnp.vecdot: axes must match; got shapes {tuple(x1.shape)} and "
            f"{tuple(x2.shape)} with axis={axis}")
    x1, x2 = move_axis(x1, a1, -1), move_axis(x2, a2, -1)
    bshape = _check_broadcast("vecdot", x1.shape[:-1], x2.shape[:-1])
    la = _batch_labels(x1.ndim - 1) + ("k",)
    lb = _batch_labels(x2.ndim - 1) + ("k",)
    return _batched("vecdot", x1, la, x2, lb, _batch_labels(len(bshape)), precision,
                    preferred_element_type)


def inner(a, b, *, precision=None, preferred_element_type=None):
    """Inner product over the last axes of `a` and `b` (numpy.inner); 0-d operands
    multiply.

    >>> import tinyjax.numpy as jnp
    >>> jnp.inner(jnp.ones((2, 3)), jnp.ones((4, 3))).shape
    (2, 4)
    """
    check_arraylike("inner", a, b)
    (a, b), out_dtype = _result_dtype("inner", (a, b), preferred_element_type)
    if a.ndim == 0 or b.ndim == 0:
        return _finish_dtype(ufuncs.multiply(a, b), out_dtype)
    if a.shape[-1] != b.shape[-1]:
        raise type_error(
            f"jnp.inner: last dimensions differ: shapes {tuple(a.shape)} and "
            f"{tuple(b.shape)}.")
    return lax.dot_general(a, b, (((a.ndim - 1,), (b.ndim - 1,)), ((), ())),
                           precision=precision, preferred_element_type=out_dtype)


def outer(a, b, out=None):
    """Outer product of the flattened inputs: result[i, j] = a[i] * b[j].

    >>> import tinyjax.numpy as jnp
    >>> jnp.outer(jnp.array([1, 2]), jnp.array([3, 4, 5]))
    Array([[ 3,  4,  5],
           [ 6,  8, 10]], dtype=int32)
    """
    check_out("outer", out)
    check_arraylike("outer", a, b)
    a, b = asarray(a), asarray(b)
    a = lax.reshape(a, (a.size, 1))
    b = lax.reshape(b, (1, b.size))
    return ufuncs.multiply(a, b)


def _tensordot_axes(a, b, axes):
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        n = int(axes)
        if n > min(a.ndim, b.ndim):
            raise type_error(
                f"jnp.tensordot: number of contracting axes {n} exceeds the rank of an "
                f"operand: shapes {tuple(a.shape)} and {tuple(b.shape)}.")
        if n <= 0:
            return (), ()
        return tuple(range(a.ndim - n, a.ndim)), tuple(range(n))
    try:
        ax_a, ax_b = axes
    except (TypeError, ValueError):
        raise type_error(
            "jnp.tensordot: axes must be an int or a pair of sequences of axes, got "
            f"{axes!r}") from None

    def seq(x):
        if isinstance(x, (int, np.integer)):
            return (int(x),)
        return tuple(operator.index(d) for d in x)

    ax_a, ax_b = seq(ax_a), seq(ax_b)
    if len(ax_a) != len(ax_b):
        raise type_error(
            f"jnp.tensordot: the two axes sequences must have the same length, got "
            f"{ax_a} and {ax_b}.")
    ax_a = tuple(_canon_axis("tensordot", d, a.ndim) for d in ax_a)
    ax_b = tuple(_canon_axis("tensordot", d, b.ndim) for d in ax_b)
    return ax_a, ax_b


def tensordot(a, b, axes=2, *, precision=None, preferred_element_type=None):
    """Sum of products over the given axes (numpy.tensordot): an int `axes` n
    contracts the last n axes of `a` with the first n of `b`; a pair of
    sequences names the axes. The result has `a`'s free axes, then `b`'s.

    >>> import tinyjax.numpy as jnp
    >>> jnp.tensordot(jnp.ones((2, 3, 4)), jnp.ones((4, 3, 5)), axes=([1, 2], [1, 0])).shape
    (2, 5)
    """
    check_arraylike("tensordot", a, b)
    (a, b), out_dtype = _result_dtype("tensordot", (a, b), preferred_element_type)
    ax_a, ax_b = _tensordot_axes(a, b, axes)
    sa = tuple(a.shape[d] for d in ax_a)
    sb = tuple(b.shape[d] for d in ax_b)
    if sa != sb:
        raise type_error(
            f"jnp.tensordot: contracting dimensions differ: axes {ax_a} of shape "
            f"{tuple(a.shape)} are {sa}, axes {ax_b} of shape {tuple(b.shape)} are {sb}.")
    return lax.dot_general(a, b, ((ax_a, ax_b), ((), ())), precision=precision,
                           preferred_element_type=out_dtype)


def kron(a, b):
    """Kronecker product: blocks of `b` scaled by the elements of `a`.

    >>> import tinyjax.numpy as jnp
    >>> jnp.kron(jnp.eye(2, dtype=int), jnp.array([[1, 2], [3, 4]]))
    Array([[1, 2, 0, 0],
           [3, 4, 0, 0],
           [0, 0, 1, 2],
           [0, 0, 3, 4]], dtype=int32)
    """
    check_arraylike("kron", a, b)
    a, b = promote_dtypes(a, b)
    nd = max(a.ndim, b.ndim)
    if a.ndim < nd:
        a = lax.reshape(a, (1,) * (nd - a.ndim) + tuple(a.shape))
    if b.ndim < nd:
        b = lax.reshape(b, (1,) * (nd - b.ndim) + tuple(b.shape))
    # interleave: a[i0, 1, i1, 1, ...] * b[1, j0, 1, j1, ...]
    a2 = lax.reshape(a, tuple(itertools.chain.from_iterable((d, 1) for d in a.shape)))
    b2 = lax.reshape(b, tuple(itertools.chain.from_iterable((1, d) for d in b.shape)))
    prod = ufuncs.multiply(a2, b2)
    return lax.reshape(prod, tuple(x * y for x, y in zip(a.shape, b.shape)))


def _component(x, i: int):
    """x[..., i] for a static i."""
    return lax.squeeze(lax.slice_in_dim(x, i, i + 1, axis=x.ndim - 1), (x.ndim - 1,))


def cross(a, b, axisa: int = -1, axisb: int = -1, axisc: int = -1, axis: int | None = None):
    """Cross product of 2- or 3-element vectors along `axisa` of `a` and `axisb`
    of `b` (both `axis` if given), broadcasting the other dimensions; the result
    vectors lie along `axisc` (2-vectors give the scalar z component).

    >>> import tinyjax.numpy as jnp
    >>> jnp.cross(jnp.array([1., 0., 0.]), jnp.array([0., 1., 0.]))
    Array([0., 0., 1.], dtype=float32)
    """
    check_arraylike("cross", a, b)
    a, b = promote_dtypes(a, b)
    if a.dtype == np.bool_:
        raise type_error("jnp.cross does not accept boolean arrays")
    if axis is not None:
        axisa = axisb = axisc = axis
    if a.ndim == 0 or b.ndim == 0:
        raise value_error("jnp.cross: arguments must have ndim >= 1")
    a = move_axis(a, _canon_axis("cross", axisa, a.ndim, "axisa"), -1)
    b = move_axis(b, _canon_axis("cross", axisb, b.ndim, "axisb"), -1)
    if a.shape[-1] not in (2, 3) or b.shape[-1] not in (2, 3):
        raise value_error(
            "jnp.cross: incompatible dimensions for cross product (dimension must be 2 or 3), "
            f"got vector lengths {a.shape[-1]} and {b.shape[-1]}")
    if a.shape[-1] == 2 and b.shape[-1] == 2:
        a0, a1 = _component(a, 0), _component(a, 1)
        b0, b1 = _component(b, 0), _component(b, 1)
        return ufuncs.subtract(ufuncs.multiply(a0, b1), ufuncs.multiply(a1, b0))
    a0, a1, a2 = _components3(a)
    b0, b1, b2 = _components3(b)
    parts = [ufuncs.subtract(ufuncs.multiply(a1, b2), ufuncs.multiply(a2, b1)),
             ufuncs.subtract(ufuncs.multiply(a2, b0), ufuncs.multiply(a0, b2)),
             ufuncs.subtract(ufuncs.multiply(a0, b1), ufuncs.multiply(a1, b0))]
    res = lax.concatenate([lax.expand_dims(c, (c.ndim,)) for c in parts], parts[0].ndim)
    return move_axis(res, -1, _canon_axis("cross", axisc, res.ndim, "axisc"))


def _components3(x):
    """The three components of vectors along the last axis (a 2-vector's z is 0)."""
    c = [_component(x, 0), _component(x, 1)]
    c.append(_component(x, 2) if x.shape[-1] == 3 else lax.full_like(c[0], 0))
    return c


# ----------------------------------------------------------------------------- einsum parsing

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _sublist_to_str(sub) -> str:
    out = []
    for s in sub:
        if s is Ellipsis:
            out.append("...")
            continue
        try:
            i = operator.index(s)
        except TypeError:
            raise type_error(
                f"jnp.einsum: sublist entries must be integers in [0, 52) or Ellipsis, "
                f"got {s!r}") from None
        if not 0 <= i < 52:
            raise value_error(f"jnp.einsum: sublist entry {i} is outside [0, 52)")
        out.append(_LETTERS[i])
    return "".join(out)


def _interleaved(args):
    """einsum(op0, sub0, op1, sub1, ..., [subout]) -> (subscripts, operands)."""
    args = list(args)
    out_sub = args.pop() if len(args) % 2 == 1 else None
    ops = args[0::2]
    subs = [_sublist_to_str(s) for s in args[1::2]]
    spec = ",".join(subs)
    if out_sub is not None:
        spec += "->" + _sublist_to_str(out_sub)
    return spec, ops


def _split_term(term: str, what: str) -> tuple:
    """'ab...c' -> ('a', 'b', Ellipsis, 'c')."""
    if term.count("...") > 1 or term.replace("...", "").count(".") > 0:
        raise value_error(f"jnp.einsum: invalid ellipsis in subscript '{term}' ({what})")
    labels = []
    i = 0
    while i < len(term):
        if term.startswith("...", i):
            labels.append(Ellipsis)
            i += 3
            continue
        c = term[i]
        if c not in _LETTERS:
            raise value_error(
                f"jnp.einsum: invalid subscript character {c!r} in '{term}' ({what}); "
                "subscripts must be letters")
        labels.append(c)
        i += 1
    return tuple(labels)


def _parse(subscripts: str, shapes) -> tuple:
    """Parse an einsum spec against operand shapes.

    Returns (inputs, output, sizes): per-operand label tuples with ellipsis
    dimensions expanded to negative int labels (-1 the last), the output labels,
    and a dict label -> size (the broadcast size for size-1 conflicts).
    """
    spec = subscripts.replace(" ", "")
    if "->" in spec:
        lhs, out_term = spec.split("->", 1)
        if "->" in out_term:
            raise value_error(f"jnp.einsum: subscripts '{subscripts}' contain '->' twice")
    else:
        lhs, out_term = spec, None
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise value_error(
            f"jnp.einsum: {len(terms)} operand subscript(s) in '{subscripts}' but "
            f"{len(shapes)} operand(s) given")
    inputs = []
    ell_ndim = 0
    for k, (term, shape) in enumerate(zip(terms, shapes)):
        labs = _split_term(term, f"operand {k}")
        named = [lab for lab in labs if lab is not Ellipsis]
        if Ellipsis in labs:
            n_ell = len(shape) - len(named)
            if n_ell < 0:
                raise value_error(
                    f"jnp.einsum: subscript '{term}' has more indices than operand {k} "
                    f"has dimensions ({len(shape)})")
            pos = labs.index(Ellipsis)
            labs = labs[:pos] + tuple(range(-n_ell, 0)) + labs[pos + 1:]
            ell_ndim = max(ell_ndim, n_ell)
        elif len(named) != len(shape):
            raise value_error(
                f"jnp.einsum: subscript '{term}' does not contain the correct number of "
                f"indices for operand {k} (which has shape {tuple(shape)})")
        inputs.append(labs)
    counts: dict = {}
    for labs in inputs:
        for lab in labs:
            if isinstance(lab, str):
                counts[lab] = counts.get(lab, 0) + 1
    if out_term is None:
        singles = sorted(lab for lab, c in counts.items() if c == 1)
        output = tuple(range(-ell_ndim, 0)) + tuple(singles)
    else:
        out_labs = _split_term(out_term, "output")
        for lab in out_labs:
            if lab is Ellipsis:
                continue
            if lab not in counts:
                raise value_error(
                    f"jnp.einsum: output subscript '{lab}' does not appear in the input "
                    f"subscripts '{lhs}'")
            if out_labs.count(lab) > 1:
                raise value_error(
                    f"jnp.einsum: output subscript '{lab}' appears more than once in "
                    f"'{out_term}'")
        if Ellipsis in out_labs:
            pos = out_labs.index(Ellipsis)
            output = out_labs[:pos] + tuple(range(-ell_ndim, 0)) + out_labs[pos + 1:]
        else:
            output = out_labs
    sizes: dict = {}
    for k, (labs, shape) in enumerate(zip(inputs, shapes)):
        for lab, d in zip(labs, shape):
            prev = sizes.get(lab)
            if prev is None or prev == 1:
                sizes[lab] = d
            elif d != prev and d != 1:
                raise value_error(
                    f"jnp.einsum: size of {_label_str(lab)} for operand {k} ({d}) does "
                    f"not match previous terms ({prev}).")
    return inputs, tuple(output), sizes


def _label_str(lab) -> str:
    return f"label '{lab}'" if isinstance(lab, str) else f"(ellipsis/batch dimension {lab})"


# ----------------------------------------------------------------------------- contraction paths

def _prod(xs) -> int:
    return math.prod(xs)


def _flops(labels, sizes, n_terms: int, inner: bool) -> int:
    """Multiply-adds estimate of one contraction (numpy's einsum_path formula)."""
    factor = max(1, n_terms - 1) + (1 if inner else 0)
    return _prod(sizes[lab] for lab in labels) * factor


def _pair_result(sets, i: int, j: int, output: frozenset):
    """Labels the contraction of operands i and j keeps, and its union."""
    union = sets[i] | sets[j]
    others = set(output)
    for k, s in enumerate(sets):
        if k != i and k != j:
            others |= s
    return union & others, union


def _greedy_path(sets, output: frozenset, sizes) -> list:
    sets = list(sets)
    path = []
    while len(sets) > 1:
        best, best_key = None, None
        for i, j in itertools.combinations(range(len(sets)), 2):
            keep, union = _pair_result(sets, i, j, output)
            size_out = _prod(sizes[lab] for lab in keep)
            removed = _prod(sizes[lab] for lab in sets[i]) + _prod(sizes[lab] for lab in sets[j])
            key = (not (sets[i] & sets[j]), size_out - removed,
                   _prod(sizes[lab] for lab in union))
            if best_key is None or key < best_key:
                best, best_key = (i, j), key
        i, j = best
        keep, _ = _pair_result(sets, i, j, output)
        sets = [s for k, s in enumerate(sets) if k not in (i, j)] + [frozenset(keep)]
        path.append((i, j))
    return path


def _path_cost(sets, path, output, sizes):
    sets = list(sets)
    flops, largest = 0, 0
    for i, j in path:
        keep, union = _pair_result(sets, i, j, output)
        flops += _flops(union, sizes, 2, bool(union - keep))
        largest = max(largest, _prod(sizes[lab] for lab in keep))
        sets = [s for k, s in enumerate(sets) if k not in (i, j)] + [frozenset(keep)]
    return flops, largest


def _optimal_path(sets, output: frozenset, sizes) -> list:
    """Exhaustive search over pairwise orders, minimising total flops."""
    best = [None, None]
    memo: dict = {}

    def search(cur, path, flops):
        if best[0] is not None and flops >= best[0][0]:
            return
        if len(cur) == 1:
            cost = (flops, 0)
            if best[0] is None or cost < best[0]:
                best[0], best[1] = cost, list(path)
            return
        key = tuple(sorted(tuple(sorted(map(str, s))) for s in cur))
        if memo.get(key, math.inf) <= flops:
            return
        memo[key] = flops
        for i, j in itertools.combinations(range(len(cur)), 2):
            keep, union = _pair_result(cur, i, j, output)
            step = _flops(union, sizes, 2, bool(union - keep))
            nxt = [s for k, s in enumerate(cur) if k not in (i, j)] + [frozenset(keep)]
            path.append((i, j))
            search(nxt, path, flops + step)
            path.pop()

    search(list(sets), [], 0)
    return best[1]


def _left_to_right_path(n: int) -> list:
    # the result is appended at the end; contract it with the next operand (now first)
    return [(0, 1)] + [(0, n - 2 - k) for k in range(n - 2)] if n > 1 else []


def _normalize_path(optimize, n: int):
    """An explicit path (numpy's ['einsum_path', (0, 1), ...] or a list of tuples)
    -> list of tuples, or None for a named strategy."""
    if isinstance(optimize, (list, tuple)) and not isinstance(optimize, str):
        steps = list(optimize)
        if steps and steps[0] == "einsum_path":
            steps = steps[1:]
        out = []
        remaining = n
        for st in steps:
            try:
                st = tuple(operator.index(k) for k in st)
            except TypeError:
                raise type_error(f"jnp.einsum: invalid contraction path step {st!r}") from None
            if not st or len(set(st)) != len(st) or not all(0 <= k < remaining for k in st):
                raise value_error(
                    f"jnp.einsum: invalid contraction path step {st} with {remaining} "
                    f"operands left")
            out.append(st)
            remaining -= len(st) - 1
        if remaining != 1 and n > 0:
            raise value_error(
                f"jnp.einsum: contraction path {steps} leaves {remaining} operands; it must "
                f"contract all {n} operands into one")
        return out
    return None


def _choose_path(optimize, sets, output, sizes) -> list:
    n = len(sets)
    explicit = _normalize_path(optimize, n)
    if explicit is not None:
        return explicit
    if n <= 1:
        return [(0,)] if n == 1 else []
    if optimize is False:
        return _left_to_right_path(n)
    if optimize is True or optimize is None:
        optimize = "greedy"
    if not isinstance(optimize, str):
        raise type_error(f"jnp.einsum: invalid optimize argument {optimize!r}")
    if optimize == "optimal" and n <= 6:
        return _optimal_path(sets, output, sizes)
    if optimize in ("optimal", "greedy", "auto", "dp", "dynamic-programming", "branch-all",
                    "branch-2", "branch-1", "auto-hq", "random-greedy"):
        return _greedy_path(sets, output, sizes)
    raise value_error(
        f"jnp.einsum: unknown optimize strategy {optimize!r}; use 'greedy', 'optimal', "
        "'auto', True, False or an explicit contraction path")


# ----------------------------------------------------------------------------- einsum

def _diagonals(x, labels: tuple):
    """Collapse repeated labels of one operand to their diagonal (iota masks)."""
    while True:
        dup = next((lab for k, lab in enumerate(labels) if lab in labels[:k]), None)
        if dup is None:
            return x, labels
        i = labels.index(dup)
        j = labels.index(dup, i + 1)
        if x.shape[i] != x.shape[j]:
            raise value_error(
                f"jnp.einsum: repeated {_label_str(dup)} has different sizes "
                f"{x.shape[i]} and {x.shape[j]} in one operand")
        shape = tuple(x.shape)
        eye = lax.eq(lax.broadcasted_iota(np.int32, shape, i),
                     lax.broadcasted_iota(np.int32, shape, j))
        x = lax.select(eye, x, lax.full_like(x, 0))
        x = lax.reduce_or(x, (j,)) if x.dtype == np.bool_ else lax.reduce_sum(x, (j,))
        labels = labels[:j] + labels[j + 1:]


def _needed_sets(inputs, out_set) -> list:
    """Per operand, the labels that survive its own diagonal/sum step: those in
    the output or in another operand (what the path optimizer sees)."""
    sets = []
    for k, labs in enumerate(inputs):
        elsewhere = set(out_set).union(*(set(o) for m, o in enumerate(inputs) if m != k))
        sets.append(frozenset(lab for lab in labs if lab in elsewhere))
    return sets


def _swap_helps(la: tuple, lb: tuple, output: tuple) -> bool:
    """Whether the last contraction should take its operands in the other order:
    dot_general puts lhs free dimensions before rhs ones, so the operand owning
    the first free output dimension goes first (saving a final transpose)."""
    for lab in output:
        if (lab in la) != (lab in lb):
            return lab in lb
    return False


def _einsum_operands(name, subscripts, operands):
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved((subscripts,) + tuple(operands))
    check_arraylike(name, *operands)
    return subscripts, [asarray(o) for o in operands]


def einsum(subscripts, /, *operands, out=None, optimize="auto", precision=None,
           preferred_element_type=None):
    """Einstein summation (numpy.einsum), as a sequence of pairwise contractions,
    each one `lax.dot_general`.

    Supports explicit ('ij,jk->ik') and implicit ('ij,jk') outputs, ellipses,
    repeated indices within an operand (diagonals), indices summed within one
    operand, and the interleaved form ``einsum(x, [0, 1], y, [1, 2], [0, 2])``.
    `optimize` picks the contraction order: 'auto'/'greedy'/True (greedy),
    'optimal' (exhaustive, up to 6 operands), False (left to right) or an
    explicit path as returned by `einsum_path`.

    >>> import tinyjax.numpy as jnp
    >>> jnp.einsum('ij,jk->ik', jnp.ones((2, 3)), jnp.ones((3, 4))).shape
    (2, 4)
    >>> jnp.einsum('ii', jnp.eye(3))
    Array(3., dtype=float32)
    """
    check_out("einsum", out)
    subscripts, ops = _einsum_operands("einsum", subscripts, operands)
    inputs, output, sizes = _parse(subscripts, [o.shape for o in ops])
    ops, out_dtype = _result_dtype("einsum", ops, preferred_element_type)
    if not ops:
        raise value_error("jnp.einsum: at least one operand is required")
    out_set = frozenset(output)
    # per operand: diagonals, then sum indices no one else needs
    work = []
    for k, (x, labs) in enumerate(zip(ops, inputs)):
        x, labs = _diagonals(x, labs)
        elsewhere = set(out_set)
        for m, other in enumerate(inputs):
            if m != k:
                elsewhere |= set(other)
        x, labs = _reduce_labels(x, labs, {lab for lab in labs if lab not in elsewhere})
        work.append((x, labs))
    path = _choose_path(optimize, _needed_sets(inputs, out_set), out_set, sizes)
    for step in path:
        group = [work[k] for k in step]
        work = [w for k, w in enumerate(work) if k not in step]
        if not work and len(group) == 2 and _swap_helps(group[0][1], group[1][1], output):
            group.reverse()
        x, labs = group[0]
        for k, (y, ylabs) in enumerate(group[1:], start=1):
            keep = set(out_set)
            for _, other in work:
                keep |= set(other)
            for _, other in group[k + 1:]:
                keep |= set(other)
            x, labs = _contract("einsum", x, labs, y, ylabs, keep, precision=precision,
                                preferred_element_type=out_dtype)
        work.append((x, labs))
    (x, labs), = work
    # anything not in the output (only possible for a single operand path step)
    x, labs = _reduce_labels(x, labs, {lab for lab in labs if lab not in out_set})
    x = _finish_dtype(x, out_dtype)
    return _to_order(x, labs, output)


def _term_str(labels) -> str:
    out, in_ell = [], False
    for lab in labels:
        if isinstance(lab, str):
            out.append(lab)
            in_ell = False
        elif not in_ell:
            out.append("...")
            in_ell = True
    return "".join(out)


def einsum_path(subscripts, /, *operands, optimize="greedy"):
    """The contraction order einsum would use, and a report of its cost, as
    numpy.einsum_path: returns (['einsum_path', (i, j), ...], description).

    Operands may be arrays or anything with a `.shape`.

    >>> import numpy as np
    >>> import tinyjax.numpy as jnp
    >>> a = np.ones((3, 3))
    >>> jnp.einsum_path('ij,jk,kl->il', a, a, a)[0]
    ['einsum_path', (0, 1), (0, 1)]
    """
    if not isinstance(subscripts, str):
        subscripts, operands = _interleaved((subscripts,) + tuple(operands))
    shapes = [tuple(np.shape(o)) for o in operands]
    inputs, output, sizes = _parse(subscripts, shapes)
    out_set = frozenset(output)
    sets = [frozenset(labs) for labs in inputs]
    path = _choose_path(optimize, _needed_sets(inputs, out_set), out_set, sizes)
    all_labels = set().union(*sets) if sets else set()
    naive = _flops(all_labels, sizes, len(sets), bool(all_labels - out_set))
    cur = [tuple(dict.fromkeys(labs)) for labs in inputs]
    rows, opt_flops, largest, scaling = [], 0, 0, 0
    for step in path:
        group = [cur[k] for k in step]
        rest = [c for k, c in enumerate(cur) if k not in step]
        union = set().union(*map(set, group))
        keep = set(out_set).union(*map(set, rest)) & union
        new = tuple(lab for lab in output if lab in keep) + tuple(
            sorted((lab for lab in keep if lab not in out_set), key=str))
        opt_flops += _flops(union, sizes, len(group), bool(union - keep))
        largest = max(largest, _prod(sizes[lab] for lab in keep))
        scaling = max(scaling, len(union))
        cur = rest + [new]
        current = ",".join(_term_str(g) for g in group) + "->" + _term_str(new)
        remaining = ",".join(_term_str(c) for c in cur) + "->" + _term_str(output)
        rows.append((len(union), current, remaining))
    speedup = naive / opt_flops if opt_flops else 1.0
    lines = [
        "  Complete contraction:  " + ",".join(_term_str(t) for t in inputs) + "->"
        + _term_str(output),
        f"         Naive scaling:  {len(all_labels)}",
        f"     Optimized scaling:  {scaling}",
        f"      Naive FLOP count:  {naive:.3e}",
        f"  Optimized FLOP count:  {opt_flops:.3e}",
        f"   Theoretical speedup:  {speedup:.3f}",
        f"  Largest intermediate:  {float(largest):.3e} elements",
        "-" * 74,
        f"{'scaling':<25}{'current':<40}{'remaining':>9}",
        "-" * 74,
    ]
    for sc, current, remaining in rows:
        lines.append(f"{sc:>4}    {current:>24}    {remaining:>36}")
    return ["einsum_path"] + [tuple(st) for st in path], "\n".join(lines)
