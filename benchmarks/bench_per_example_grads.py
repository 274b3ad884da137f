"""Per-example gradients of a logistic-regression loss (batch 256, dim 1024): vmap(grad)
against a Python loop over grad, both eager.

Run with:  python benchmarks/bench_per_example_grads.py
"""
import time

import numpy as np


def best(fn, repeat=7):
    fn()
    t_best = float("inf")
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        t_best = min(t_best, time.perf_counter() - t)
    return t_best


def main():
    import tinyjax
    import tinyjax.numpy as jnp

    rng = np.random.default_rng(0)
    n, d = 256, 1024
    w = jnp.asarray(rng.normal(size=d).astype(np.float32) * 0.01)
    xs = jnp.asarray(rng.normal(size=(n, d)).astype(np.float32))
    ys = jnp.asarray((rng.random(n) < 0.5).astype(np.float32))

    def loss(w, x, y):
        z = jnp.dot(x, w)
        return jnp.logaddexp(0.0, z) - y * z

    g = tinyjax.grad(loss)
    per_example = tinyjax.vmap(g, in_axes=(None, 0, 0))
    t_vmap = best(lambda: per_example(w, xs, ys))
    t_loop = best(lambda: [g(w, xs[i], ys[i]) for i in range(n)], repeat=3)
    a = np.asarray(per_example(w, xs, ys))
    b = np.stack([np.asarray(g(w, xs[i], ys[i])) for i in range(n)])
    assert np.allclose(a, b, rtol=1e-4, atol=1e-6)
    print(f"vmap(grad): {t_vmap * 1e3:8.2f} ms   loop over grad: {t_loop * 1e3:8.2f} ms   "
          f"speed-up {t_loop / t_vmap:6.1f}x (target >= 20x)")


if __name__ == "__main__":
    main()
