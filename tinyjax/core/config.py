"""Global configuration: the `config` singleton, x64 switches and change hooks.

Reads and writes mirror JAX::

    config.update("jax_enable_x64", True)
    config.jax_enable_x64            # -> True
    with enable_x64(): ...           # like jax.experimental.enable_x64
    with config.override("jax_debug_nans", True): ...

Hot paths call `x64_enabled()`, which reads one module global.

This module imports nothing from tinyjax.
"""

from __future__ import annotations

import contextlib
import os
import threading
from typing import Any, Callable, Iterator

__all__ = [
    "config",
    "Config",
    "x64_enabled",
    "enable_x64",
    "disable_x64",
]

_TRUTHY = ("1", "true", "True", "TRUE", "yes", "Yes", "YES", "on", "On")


def _env_flag(*names: str, default: bool = False) -> bool:
    """The first of `names` set in the environment, read as a boolean."""
    for name in names:
        value = os.environ.get(name)
        if value is not None:
            return value.strip() in _TRUTHY
    return default


def _to_bool(name: str, value: Any) -> bool:
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("1", "true", "yes", "on"):
            return True
        if lowered in ("0", "false", "no", "off", ""):
            return False
        raise ValueError(f"config option '{name}' expects a boolean, got {value!r}")
    if isinstance(value, (bool, int)) and value in (0, 1):
        return bool(value)
    raise ValueError(f"config option '{name}' expects a boolean, got {value!r}")


def _one_of(*choices: Any) -> Callable[[str, Any], Any]:
    def check(name: str, value: Any) -> Any:
        if value not in choices:
            raise ValueError(
                f"config option '{name}' must be one of {choices!r}, got {value!r}")
        return value
    return check


def _optional_str(name: str, value: Any) -> Any:
    if value is None or isinstance(value, str):
        return value
    raise ValueError(f"config option '{name}' expects a string or None, got {value!r}")


def _any_str(name: str, value: Any) -> Any:
    if isinstance(value, str):
        return value
    raise ValueError(f"config option '{name}' expects a string, got {value!r}")


# Fast mirror of config.jax_enable_x64 for hot paths; kept in sync by Config._set.
_x64: bool = False


def x64_enabled() -> bool:
    """Whether 64-bit types are enabled (a single global read)."""
    return _x64


class Config:
    """The option table. Use the module singleton `config`, not new instances."""

    def __init__(self) -> None:
        # Set through object.__setattr__-free plain dicts: __getattr__ only fires
        # for names missing from the instance, so these are found directly.
        self._values: dict[str, Any] = {}
        self._validators: dict[str, Callable[[str, Any], Any]] = {}
        self._callbacks: list[Callable[[str, Any], None]] = []
        self._lock = threading.RLock()

    # -- defining options ---------------------------------------------------
    def define(self, name: str, default: Any,
               validator: Callable[[str, Any], Any] | None = None) -> None:
        """Adds an option. `validator(name, value)` returns the value to store or raises."""
        if name in self._values:
            raise ValueError(f"config option '{name}' is already defined")
        if name.startswith("_") or name in type(self).__dict__:
            raise ValueError(f"'{name}' cannot be used as a config option name")
        check = validator or (lambda _n, v: v)
        self._validators[name] = check
        self._values[name] = check(name, default)

    # -- reading --------------------------------------------------------------
    def __getattr__(self, name: str) -> Any:
        # Only called for names not found normally, i.e. options (or typos).
        values = self.__dict__.get("_values")
        if values is not None and name in values:
            return values[name]
        raise AttributeError(f"Unrecognized config option: '{name}'")

    def read(self, name: str) -> Any:
        try:
            return self._values[name]
        except KeyError:
            raise AttributeError(f"Unrecognized config option: '{name}'") from None

    @property
    def values(self) -> dict[str, Any]:
        """A snapshot of every option and its current value."""
        return dict(self._values)

    @property
    def x64_enabled(self) -> bool:
        return _x64

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()) | set(self._values))

    def __repr__(self) -> str:
        body = ", ".join(f"{k}={v!r}" for k, v in sorted(self._values.items()))
        return f"Config({body})"

    # -- writing --------------------------------------------------------------
    def __setattr__(self, name: str, value: Any) -> None:
        if name.startswith("_"):
            object.__setattr__(self, name, value)
        else:
            raise AttributeError(
                f"use config.update({name!r}, value) to change config options")

    def update(self, name: str, value: Any) -> None:
        """Sets option `name`; runs the change hooks if the value changed."""
        self._set(name, value)

    def _set(self, name: str, value: Any) -> Any:
        """Sets `name` and returns its previous value."""
        global _x64
        with self._lock:
            if name not in self._values:
                raise AttributeError(f"Unrecognized config option: '{name}'")
            value = self._validators[name](name, value)
            old = self._values[name]
            self._values[name] = value
            if name == "jax_enable_x64":
                _x64 = value
            callbacks = list(self._callbacks) if old != value else ()
        for callback in callbacks:
            callback(name, value)
        return old

    def on_change(self, callback: Callable[[str, Any], None]) -> Callable[[str, Any], None]:
        """Registers `callback(name, new_value)`, run after any option changes value.

        Returns the callback, so this works as a decorator.
        """
        with self._lock:
            self._callbacks.append(callback)
        return callback

    def remove_on_change(self, callback: Callable[[str, Any], None]) -> None:
        with self._lock:
            self._callbacks.remove(callback)

    # -- scoped changes -------------------------------------------------------
    @contextlib.contextmanager
    def override(self, name: str, value: Any) -> Iterator[None]:
        """Sets `name` to `value` inside the `with` block, restoring the old value after.

        Nested overrides restore in stack order. The value is global, not per
        thread: another thread running at the same time sees the override too.
        """
        old = self._set(name, value)
        try:
            yield
        finally:
            self._set(name, old)

    def enable_x64(self, new_val: bool = True) -> contextlib.AbstractContextManager:
        return self.override("jax_enable_x64", new_val)

    def disable_x64(self) -> contextlib.AbstractContextManager:
        return self.override("jax_enable_x64", False)


config = Config()

config.define("jax_enable_x64",
              _env_flag("TINYJAX_ENABLE_X64", "JAX_ENABLE_X64"), _to_bool)
config.define("jax_numpy_rank_promotion", "allow", _one_of("allow", "warn", "raise"))
config.define("jax_default_matmul_precision", None, _optional_str)
config.define("jax_debug_nans", False, _to_bool)
config.define("jax_disable_jit", False, _to_bool)
config.define("tinyjax_log_compiles", _env_flag("TINYJAX_LOG_COMPILES"), _to_bool)
config.define("jax_default_prng_impl", "threefry2x32", _any_str)
config.define("jax_threefry_partitionable", True, _to_bool)

_x64 = config.jax_enable_x64


def enable_x64(new_val: bool = True) -> contextlib.AbstractContextManager:
    """Context manager turning 64-bit types on (or to `new_val`) inside its block."""
    return config.override("jax_enable_x64", new_val)


def disable_x64() -> contextlib.AbstractContextManager:
    """Context manager turning 64-bit types off inside its block."""
    return config.override("jax_enable_x64", False)
