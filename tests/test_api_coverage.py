"""The public API's table of contents: how many jax.numpy functions tinyjax has,
and that every one of them is exercised by some test (by name)."""
import inspect
import pathlib
import re

import tinyjax.numpy as jnp
import tinyjax.scipy.linalg as tsl
import tinyjax.scipy.special as tss

TESTS = pathlib.Path(__file__).parent


def public_functions(module):
    out = []
    for name in getattr(module, "__all__", dir(module)):
        if name.startswith("_"):
            continue
        obj = getattr(module, name)
        if inspect.isfunction(obj) or (callable(obj) and type(obj).__name__ == "function"):
            out.append(name)
    return sorted(out)


def _test_text():
    return "\n".join(p.read_text() for p in TESTS.glob("test_*.py"))


def _untested(names, text):
    return [n for n in names
            if not re.search(rf"(\.{n}\b|[\"']{n}[\"'])", text)]


def test_numpy_function_count_and_coverage():
    names = public_functions(jnp) + ["linalg." + n for n in public_functions(jnp.linalg)]
    assert len(names) >= 250, len(names)
    text = _test_text()
    missing = _untested([n.split(".")[-1] for n in names], text)
    assert not missing, f"tinyjax.numpy functions no test mentions: {missing}"


def test_scipy_function_coverage():
    text = _test_text()
    for mod in (tss, tsl):
        missing = _untested(public_functions(mod), text)
        assert not missing, f"{mod.__name__} functions no test mentions: {missing}"
