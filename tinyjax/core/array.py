"""`Array`: the one value type that crosses every layer.

Operators and methods (`+`, `@`, indexing, `.sum()`, `.at[]` ...) are installed
by `tinyjax.numpy`, since this layer knows nothing of numerics.
"""
from __future__ import annotations

import numpy as np

from .abstract import ShapedArray


class Device:
    """A device arrays live on. On CPU, device i is thread i of the host."""

    __slots__ = ("id", "platform", "process_index")

    def __init__(self, id: int = 0, platform: str = "cpu"):
        self.id = id
        self.platform = platform
        self.process_index = 0

    device_kind = property(lambda self: self.platform)

    def __repr__(self):
        return f"CpuDevice(id={self.id})" if self.platform == "cpu" else f"{self.platform}:{self.id}"

    def __eq__(self, other):
        return isinstance(other, Device) and (self.id, self.platform) == (other.id, other.platform)

    def __hash__(self):
        return hash((self.id, self.platform))


_CPU0 = Device(0, "cpu")


class _DeletedValue:
    """Stands in for the data of a deleted (donated) array: any use raises."""

    __slots__ = ("shape_", "dtype_")

    def __init__(self, shape, dtype):
        self.shape_, self.dtype_ = shape, dtype

    def __getattr__(self, name):
        raise RuntimeError(
            f"Array has been deleted (its buffer was donated to a jit-compiled call): "
            f"{np.dtype(self.dtype_).name}{list(self.shape_)}. Do not use an argument "
            f"after passing it in donate_argnums, or drop donate_argnums.")

    def __array__(self, *a, **k):
        self.__getattr__("data")


class Array:
    """An immutable array on a device. On CPU it wraps a read-only NumPy array.

    >>> import tinyjax.numpy as jnp
    >>> jnp.array([1.0, 2.0])
    Array([1., 2.], dtype=float32)
    """

    __slots__ = ("_value", "weak_type", "_aval", "__weakref__")
    __array_priority__ = 100

    def __init__(self, value: np.ndarray, weak_type: bool = False):
        # value must already have a canonical dtype; callers own the conversion.
        if value.flags.writeable:
            value.flags.writeable = False
        self._value = value
        self.weak_type = weak_type
        self._aval = None

    # -- deletion (buffer donation)
    def _delete(self) -> None:
        """Give this array's memory away (jit donation); later use raises."""
        self._value = _DeletedValue(self._value.shape, self._value.dtype)

    def is_deleted(self) -> bool:
        return type(self._value) is _DeletedValue

    def delete(self) -> None:
        self._delete()

    # -- attributes
    @property
    def dtype(self) -> np.dtype:
        return self._value.dtype

    @property
    def shape(self) -> tuple:
        return self._value.shape

    @property
    def ndim(self) -> int:
        return self._value.ndim

    @property
    def size(self) -> int:
        return self._value.size

    @property
    def nbytes(self) -> int:
        return self._value.nbytes

    @property
    def itemsize(self) -> int:
        return self._value.itemsize

    @property
    def aval(self) -> ShapedArray:
        a = self._aval
        if a is None:
            v = self._value
            a = self._aval = ShapedArray(v.shape, v.dtype, self.weak_type)
        return a

    @property
    def device(self) -> Device:
        return _CPU0

    def devices(self) -> set:
        return {_CPU0}

    @property
    def sharding(self):
        return None

    is_fully_addressable = True
    is_fully_replicated = True

    def block_until_ready(self) -> "Array":
        return self

    def unsafe_buffer_pointer(self) -> int:
        return self._value.ctypes.data

    # -- conversion
    def __array__(self, dtype=None, copy=None):
        v = self._value
        if dtype is not None and np.dtype(dtype) != v.dtype:
            return v.astype(dtype)
        if copy:
            return v.copy()
        return v

    def to_concrete_value(self):
        return self._value

    def item(self, *args):
        return self._value.item(*args)

    def tolist(self):
        return self._value.tolist()

    def __bool__(self):
        return bool(self._value)

    def __int__(self):
        return int(self._value)

    def __float__(self):
        return float(self._value)

    def __complex__(self):
        return complex(self._value)

    def __index__(self):
        if self._value.dtype.kind not in "iub":
            raise TypeError(
                f"only integer arrays can be used as an index, got dtype {self._value.dtype}"
            )
        return int(self._value)

    def __len__(self):
        if not self._value.shape:
            raise TypeError("len() of unsized object (a 0-d array)")
        return self._value.shape[0]

    def __iter__(self):
        if not self._value.shape:
            raise TypeError("iteration over a 0-d array")
        wt = self.weak_type
        return (Array(np.asarray(r), wt) for r in self._value)

    def __hash__(self):
        raise TypeError(f"unhashable type: 'Array' (shape {self.shape}); use .item() or a tuple")

    def __setitem__(self, idx, value):
        raise TypeError(
            "tinyjax arrays are immutable: `x[idx] = y` is not supported. "
            "Use `x = x.at[idx].set(y)` instead."
        )

    def __repr__(self):
        v = self._value
        prefix = "Array("
        if v.size == 0:
            body = f"[], shape={v.shape}"
        else:
            body = np.array2string(v, separator=", ", prefix=prefix)
        return f"{prefix}{body}, dtype={v.dtype.name}{', weak_type=True' if self.weak_type else ''})"

    def __str__(self):
        return str(self._value)

    def __format__(self, spec):
        if self._value.ndim == 0:
            return format(self._value.item(), spec)
        return format(str(self), spec)

    def __reduce__(self):
        return (Array, (np.array(self._value), self.weak_type))

    def __copy__(self):
        return self

    def __deepcopy__(self, memo):
        return self

    def copy(self) -> "Array":
        return Array(self._value.copy(), self.weak_type)

    def __dlpack__(self, *args, **kwargs):
        return self._value.__dlpack__(*args, **kwargs)

    def __dlpack_device__(self):
        return self._value.__dlpack_device__()


def devices(backend: str | None = None) -> list:
    """The devices of this process: `[CpuDevice(id=0)]`.

    >>> import tinyjax
    >>> tinyjax.devices()
    [CpuDevice(id=0)]
    """
    if backend not in (None, "cpu"):
        raise RuntimeError(f"Unknown backend {backend!r}: tinyjax has only 'cpu' here.")
    return [_CPU0]


def local_devices(process_index=None, backend=None) -> list:
    return devices(backend)


def device_count(backend=None) -> int:
    return len(devices(backend))
