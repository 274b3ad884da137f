"""Operators and methods of `Array` and `Tracer` (installed here, since the core
layer knows nothing of numerics). Methods delegate to the tinyjax.numpy function
of the same name."""
from __future__ import annotations

import numpy as np

from .. import lax
from ..core import dtypes
from ..core.array import Array
from ..core.errors import api_boundary, filter_traceback
from ..core.trace import Tracer
from . import ufuncs


def _defer(name):
    @api_boundary
    def method(self, *args, **kwargs):
        from .. import numpy as jnp
        return getattr(jnp, name)(self, *args, **kwargs)
    method.__name__ = name
    method.__doc__ = f"Same as tinyjax.numpy.{name}(self, ...)."
    return method


def _binop(fn, swap=False):
    _ok = (Array, Tracer, np.ndarray, np.generic, bool, int, float)

    if swap:
        def op(self, other):
            if not isinstance(other, _ok):
                return NotImplemented
            try:
                return fn(other, self)
            except Exception as e:
                raise e.with_traceback(filter_traceback(e.__traceback__)) from e.__cause__
    else:
        def op(self, other):
            if not isinstance(other, _ok):
                return NotImplemented
            try:
                return fn(self, other)
            except Exception as e:
                raise e.with_traceback(filter_traceback(e.__traceback__)) from e.__cause__
    return op


def _matmul(a, b):
    from .. import numpy as jnp
    return jnp.matmul(a, b)


def _astype(self, dtype, copy: bool = False, device=None):
    """Convert to another dtype (jnp.astype)."""
    dt = dtypes.canonicalize_dtype(dtype)
    if dt == self.dtype and not self.weak_type:
        return self
    return lax.convert_element_type(self, dt)


def _reshape(self, *shape, order="C", **kw):
    from .. import numpy as jnp
    if "shape" in kw:
        shape = kw.pop("shape")
    elif "newshape" in kw:
        shape = kw.pop("newshape")
    elif len(shape) == 1 and not isinstance(shape[0], int):
        shape = shape[0]
    return jnp.reshape(self, shape, order=order)


def _transpose(self, *axes):
    from .. import numpy as jnp
    if len(axes) == 1 and (axes[0] is None or not isinstance(axes[0], int)):
        axes = axes[0]
    return jnp.transpose(self, axes or None)


def _getitem(self, idx):
    from .indexing import getitem
    return getitem(self, idx)


def _at(self):
    from .indexing import IndexUpdateHelper
    return IndexUpdateHelper(self)


def _T(self):
    return lax.transpose(self, tuple(reversed(range(self.ndim)))) if self.ndim > 1 else self


def _mT(self):
    if self.ndim < 2:
        raise ValueError(f"x.mT requires ndim >= 2, got ndim={self.ndim}")
    perm = tuple(range(self.ndim - 2)) + (self.ndim - 1, self.ndim - 2)
    return lax.transpose(self, perm)


_OPERATORS = {
    "add": ufuncs.add, "sub": ufuncs.subtract, "mul": ufuncs.multiply,
    "truediv": ufuncs.true_divide, "floordiv": ufuncs.floor_divide, "mod": ufuncs.remainder,
    "divmod": ufuncs.divmod, "pow": ufuncs.power, "matmul": _matmul,
    "and": ufuncs.bitwise_and, "or": ufuncs.bitwise_or, "xor": ufuncs.bitwise_xor,
    "lshift": ufuncs.left_shift, "rshift": ufuncs.right_shift,
}
_COMPARISONS = {
    "eq": ufuncs.equal, "ne": ufuncs.not_equal, "lt": ufuncs.less, "le": ufuncs.less_equal,
    "gt": ufuncs.greater, "ge": ufuncs.greater_equal,
}
_METHODS = (
    "all any argmax argmin argpartition argsort choose clip compress conj conjugate cumprod "
    "cumsum diagonal dot max mean min nonzero prod ptp ravel repeat round searchsorted sort "
    "squeeze std sum swapaxes take trace var"
).split()


def install(cls):
    for name, fn in _OPERATORS.items():
        setattr(cls, f"__{name}__", _binop(fn))
        setattr(cls, f"__r{name}__", _binop(fn, swap=True))
    for name, fn in _COMPARISONS.items():
        setattr(cls, f"__{name}__", _binop(fn))
    cls.__neg__ = lambda self: ufuncs.negative(self)
    cls.__pos__ = lambda self: ufuncs.positive(self)
    cls.__abs__ = lambda self: ufuncs.absolute(self)
    cls.__invert__ = lambda self: ufuncs.bitwise_not(self)
    cls.__round__ = lambda self, ndigits=None: ufuncs.round(self, ndigits or 0)
    cls.__getitem__ = api_boundary(_getitem)
    cls.at = property(_at)
    cls.T = property(_T)
    cls.mT = property(_mT)
    cls.real = property(lambda self: self)
    cls.imag = property(lambda self: lax.full_like(self, 0))
    cls.astype = api_boundary(_astype)
    cls.reshape = api_boundary(_reshape)
    cls.transpose = api_boundary(_transpose)
    cls.flatten = _defer("ravel")
    for name in _METHODS:
        setattr(cls, name, _defer(name))


def _tracer_hash(self):
    raise TypeError(f"unhashable type: traced array ({self.aval.str_short()})")


def _array_hash(self):
    raise TypeError(f"unhashable type: 'Array' (shape {self.shape}); use .item() or a tuple")


install(Array)
install(Tracer)
Array.__hash__ = _array_hash
Tracer.__hash__ = _tracer_hash
