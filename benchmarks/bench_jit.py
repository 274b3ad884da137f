"""jit benchmarks (and JAX side by side when it is installed):

1. dispatch cost of a cached jit call on f32[8] (`x + y`), in microseconds;
2. cold compile time of an MLP train step (784-512-512-10, batch 128, grad + SGD);
3. steady-state time of that train step;
4. resident-memory growth while compiling 1,000 distinct small functions.

Run with:  python benchmarks/bench_jit.py   (add --skip-memory to skip 4)
"""
import gc
import os
import sys
import time
import timeit

import numpy as np


def per_call_us(fn, number, repeat=7):
    fn()
    return min(timeit.repeat(fn, number=number, repeat=repeat)) / number * 1e6


def rss_mib() -> float:
    with open("/proc/self/statm") as f:
        pages = int(f.read().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


def mlp_params(rng, sizes=(784, 512, 512, 10)):
    return [(rng.standard_normal((a, b)).astype(np.float32) * np.float32(1 / np.sqrt(a)),
             np.zeros(b, np.float32)) for a, b in zip(sizes[:-1], sizes[1:])]


def make_step(jax_mod, jnp):
    def loss(params, x, y):
        h = x
        for w, b in params[:-1]:
            h = jnp.maximum(h @ w + b, 0.0)
        w, b = params[-1]
        logits = h @ w + b
        logits = logits - jnp.max(logits, axis=1, keepdims=True)
        logp = logits - jnp.log(jnp.sum(jnp.exp(logits), axis=1, keepdims=True))
        return -jnp.mean(jnp.sum(logp * y, axis=1))

    def step(params, x, y):
        g = jax_mod.grad(loss)(params, x, y)
        return [(w - 0.01 * gw, b - 0.01 * gb) for (w, b), (gw, gb) in zip(params, g)]

    return step


def bench(jax_mod, jnp, label):
    out = {}
    x = jnp.asarray(np.ones(8, np.float32))
    y = jnp.asarray(np.ones(8, np.float32))
    add = jax_mod.jit(lambda a, b: a + b)
    add(x, y)
    out["dispatch_us"] = per_call_us(lambda: add(x, y).block_until_ready(), 20_000)

    rng = np.random.default_rng(0)
    params = [(jnp.asarray(w), jnp.asarray(b)) for w, b in mlp_params(rng)]
    xb = jnp.asarray(rng.standard_normal((128, 784)).astype(np.float32))
    yb = jnp.asarray(np.eye(10, dtype=np.float32)[rng.integers(0, 10, 128)])
    step = jax_mod.jit(make_step(jax_mod, jnp))
    t0 = time.perf_counter()
    new = step(params, xb, yb)
    jax_mod.block_until_ready(new)
    out["cold_compile_ms"] = (time.perf_counter() - t0) * 1e3

    def run():
        jax_mod.block_until_ready(step(params, xb, yb))

    out["step_ms"] = min(timeit.repeat(run, number=5, repeat=5)) / 5 * 1e3
    print(f"[{label}] jit dispatch f32[8]: {out['dispatch_us']:.2f} us; MLP train step "
          f"cold compile {out['cold_compile_ms']:.0f} ms, run {out['step_ms']:.2f} ms")
    return out


def memory_growth(n=1000):
    import tinyjax
    import tinyjax.numpy as jnp
    x = jnp.ones(16)
    # warm up the compiler (first-use costs are not growth)
    for k in range(20):
        tinyjax.jit(lambda a, k=k: a * (k + 0.5) + 1.0)(x)
    gc.collect()
    before = rss_mib()
    t0 = time.perf_counter()
    for k in range(n):
        f = tinyjax.jit(lambda a, k=k: jnp.sin(a * (k + 0.25)) + k)
        f(x)
    gc.collect()
    after = rss_mib()
    dt = time.perf_counter() - t0
    print(f"[tinyjax] compiling {n} distinct small functions: RSS +{after - before:.1f} MiB "
          f"({(after - before) / n * 1024:.1f} KiB each), {dt / n * 1e3:.1f} ms per compile")
    return after - before


def main():
    import tinyjax
    import tinyjax.numpy as tjnp
    ours = bench(tinyjax, tjnp, "tinyjax")
    try:
        import jax
        import jax.numpy as jjnp
    except ImportError:
        jax = None
    if jax is not None:
        theirs = bench(jax, jjnp, "jax")
        print(f"ratios (jax / tinyjax): dispatch {theirs['dispatch_us'] / ours['dispatch_us']:.2f}x,"
              f" cold compile {theirs['cold_compile_ms'] / ours['cold_compile_ms']:.2f}x,"
              f" step {theirs['step_ms'] / ours['step_ms']:.2f}x")
    else:
        print("(jax not installed: no side-by-side figures)")
    if "--skip-memory" not in sys.argv:
        memory_growth()


if __name__ == "__main__":
    main()
