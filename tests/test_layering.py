"""The architecture's import rules (../shared/DESIGN.md): imports point down the layer
list, and the package never imports another array compiler or scipy."""
import ast
import pathlib

import pytest

PKG = pathlib.Path(__file__).resolve().parents[1] / "tinyjax"

# layer -> the tinyjax layers it may import (itself included)
ALLOWED = {
    "core": {"core"},
    "interpreters": {"core", "interpreters"},
    "lax": {"core", "interpreters", "lax"},
    "numpy": {"core", "lax", "numpy"},
    "scipy": {"core", "lax", "numpy", "scipy"},
    "lowering": {"core", "interpreters", "lax", "lowering"},
    # nn and random sit on the public API (custom_jvp is part of it)
    "nn": {"core", "lax", "numpy", "scipy", "random", "nn", "tree_util", "tree",
           "custom_derivatives"},
    "random": {"core", "lax", "numpy", "scipy", "custom_derivatives", "_random_extra",
               "random"},
    "_random_extra": {"core", "lax", "numpy", "scipy", "random", "vmap", "custom_derivatives"},
    "optim": {"core", "lax", "numpy", "optim", "tree_util", "tree"},
    # jnp.vectorize: numpy on top of vmap, installed as tinyjax.numpy.vectorize
    "_vectorize": {"core", "lax", "numpy", "vmap", "_vectorize"},
}
FORBIDDEN_TOP = {"jax", "jaxlib", "numba", "torch", "tensorflow", "cupy", "scipy"}


def _modules():
    return sorted(p for p in PKG.rglob("*.py"))


def _layer(path: pathlib.Path) -> str:
    rel = path.relative_to(PKG).parts
    return rel[0] if len(rel) > 1 else rel[0].removesuffix(".py")


def _imports(path: pathlib.Path):
    """(absolute tinyjax layer or external top-level package) for every import."""
    tree = ast.parse(path.read_text())
    pkg_parts = path.relative_to(PKG.parent).with_suffix("").parts[:-1]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for a in node.names:
                yield a.name.split(".")[0], a.name
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(pkg_parts[: len(pkg_parts) - node.level + 1])
                full = ".".join(base + ([node.module] if node.module else []))
                if not node.module:  # `from . import x` / `from .. import numpy`
                    for a in node.names:
                        yield "tinyjax", f"{full}.{a.name}"
                    continue
                yield "tinyjax", full
            else:
                yield node.module.split(".")[0], node.module


@pytest.mark.parametrize("path", _modules(), ids=lambda p: str(p.relative_to(PKG)))
def test_imports_point_down(path):
    layer = _layer(path)
    for top, full in _imports(path):
        assert top not in FORBIDDEN_TOP, f"{path.name} imports {full}"
        if top != "tinyjax" or layer not in ALLOWED:
            continue
        parts = full.split(".")
        target = parts[1] if len(parts) > 1 else "tinyjax"
        if target in ("tinyjax",):
            continue
        assert target in ALLOWED[layer], (
            f"{path.relative_to(PKG)} (layer {layer}) imports {full} (layer {target})")
