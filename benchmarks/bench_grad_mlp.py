"""The cheap-gradient principle, eagerly: grad of an MLP loss (784-512-512-10, batch 128)
against the forward pass alone (and JAX's eager ratio, side by side, when installed).

Run with:  python benchmarks/bench_grad_mlp.py
"""
import time

import numpy as np


def best_of(*fns, repeat=30):
    """Best time of each function, measured in interleaved rounds (so a burst of
    machine load affects them alike)."""
    for fn in fns:
        fn()
    best = [float("inf")] * len(fns)
    for _ in range(repeat):
        for i, fn in enumerate(fns):
            t = time.perf_counter()
            fn()
            best[i] = min(best[i], time.perf_counter() - t)
    return best


def make(np_mod, grad):
    rng = np.random.default_rng(0)
    sizes = [784, 512, 512, 10]
    params = [(np_mod.asarray(rng.normal(size=(m, n)).astype(np.float32) / np.sqrt(m)),
               np_mod.asarray(np.zeros(n, np.float32))) for m, n in zip(sizes[:-1], sizes[1:])]
    x = np_mod.asarray(rng.normal(size=(128, 784)).astype(np.float32))
    labels = rng.integers(0, 10, size=128)
    y = np_mod.asarray(np.eye(10, dtype=np.float32)[labels])

    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = np_mod.tanh(h @ w + b)
        w, b = params[-1]
        logits = h @ w + b
        logits = logits - np_mod.max(logits, axis=1, keepdims=True)
        logp = logits - np_mod.log(np_mod.sum(np_mod.exp(logits), axis=1, keepdims=True))
        return -np_mod.mean(np_mod.sum(logp * y, axis=1))

    return (lambda: loss(params, x, y)), (lambda: grad(loss)(params, x, y))


def main():
    import tinyjax
    import tinyjax.numpy as tnp

    fwd, bwd = make(tnp, tinyjax.grad)
    tf, tg = best_of(fwd, bwd)
    print(f"tinyjax eager: forward {tf * 1e3:7.2f} ms   grad {tg * 1e3:7.2f} ms   "
          f"ratio {tg / tf:4.2f}x (target <= 3x)")
    try:
        import jax
        import jax.numpy as jjnp
    except ImportError:
        print("(jax not installed: no side-by-side figure)")
        return
    jf, jg = make(jjnp, jax.grad)
    jtf, jtg = best_of(lambda: jax.block_until_ready(jf()),
                       lambda: jax.block_until_ready(jg()), repeat=10)
    print(f"jax eager:     forward {jtf * 1e3:7.2f} ms   grad {jtg * 1e3:7.2f} ms   "
          f"ratio {jtg / jtf:4.2f}x")


if __name__ == "__main__":
    main()
