"""tinyjax quickstart: NumPy-style eager computation and traced programs (jaxprs).

Run with:  python examples/quickstart.py
"""
import numpy as np

import tinyjax
import tinyjax.numpy as jnp
from tinyjax import lax


def predict(w, b, x):
    return jnp.tanh(x @ w + b)


def loss(params, x, y):
    w, b = params["w"], params["b"]
    return jnp.mean((predict(w, b, x) - y) ** 2)


def main():
    rng = np.random.default_rng(0)
    x = jnp.asarray(rng.normal(size=(8, 3)))
    y = jnp.asarray(rng.normal(size=(8, 2)))
    params = {"w": jnp.ones((3, 2)) * 0.1, "b": jnp.zeros(2)}

    print("x.shape, dtype:", x.shape, x.dtype)
    print("loss:", loss(params, x, y))
    print("column means:", jnp.mean(x, axis=0))
    print("sorted first row:", jnp.sort(x[0]))
    print("functional update:", jnp.zeros(4).at[1:3].set(7.0))
    print("einsum trace:", jnp.einsum("ii->", jnp.eye(3) * 2.0))
    print("pytree leaves:", [a.shape for a in tinyjax.tree_util.tree_leaves(params)])

    # Differentiation: gradients of pytrees, higher order, Jacobians.
    grads = tinyjax.grad(loss)(params, x, y)
    print("grad shapes:", tinyjax.tree_util.tree_map(lambda g: g.shape, grads))
    print("d3/dx3 sin at 0:", tinyjax.grad(tinyjax.grad(tinyjax.grad(jnp.sin)))(0.0))
    print("jacobian:", tinyjax.jacfwd(lambda v: v ** 2)(jnp.arange(3.0)))

    # The traced program of a function, printed the way JAX prints it.
    print(tinyjax.make_jaxpr(lambda v: jnp.sin(v) * 2.0)(jnp.ones(3)))
    print(tinyjax.make_jaxpr(loss)(params, x, y))
    print(tinyjax.make_jaxpr(lambda v: lax.reduce_max(v, (0,)))(jnp.ones((4, 3))))
    print(tinyjax.make_jaxpr(tinyjax.grad(lambda v: jnp.sum(jnp.sin(v) * v)))(jnp.ones(3)))

    # jit: compiled once per input signature with tinyjax's compiler, then native code.
    step = tinyjax.jit(lambda p, x, y: tinyjax.tree_util.tree_map(
        lambda a, g: a - 0.1 * g, p, tinyjax.grad(loss)(p, x, y)))
    new_params = step(params, x, y)
    print("after one jitted SGD step:", loss(new_params, x, y))
    fused = tinyjax.jit(lambda v: jnp.exp(v) * 2.0 + 1.0).lower(jnp.ones(8)).compile()
    print(fused.as_text("kernels"))

    # Python control flow on traced values is an error that explains the fix.
    try:
        tinyjax.make_jaxpr(lambda v: v if v.sum() > 0 else -v)(jnp.ones(3))
    except TypeError as e:
        print("as expected:", type(e).__name__)


if __name__ == "__main__":
    main()
