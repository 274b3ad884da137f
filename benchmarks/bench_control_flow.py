"""Control flow in compiled code (and JAX side by side when installed):

1. compile time of `fori_loop` with 10 and with 10,000 iterations (should be the
   same: the loop stays a loop), against a Python-unrolled loop that grows;
2. an RK4 ODE integration written with `scan` (1,000 steps), differentiated with
   `grad` w.r.t. a parameter and jitted: compile time and run time.

Run with:  python benchmarks/bench_control_flow.py
"""
import time
import timeit

import numpy as np


def compile_time(jax_mod, f, *args):
    g = jax_mod.jit(f)
    t0 = time.perf_counter()
    jax_mod.block_until_ready(g(*args))
    return (time.perf_counter() - t0) * 1e3


def fori_body(i, x):
    return x * 0.999 + 0.001 * i


def bench_fori(jax_mod, jnp, label):
    x = jnp.ones(64)
    out = {}
    for n in (10, 10_000):
        out[n] = compile_time(jax_mod, lambda v, n=n: jax_mod.lax.fori_loop(0, n, fori_body, v), x)

    def unrolled(v, n):
        for i in range(n):
            v = fori_body(i, v)
        return v

    out["unrolled 10"] = compile_time(jax_mod, lambda v: unrolled(v, 10), x)
    out["unrolled 300"] = compile_time(jax_mod, lambda v: unrolled(v, 300), x)
    print(f"[{label}] compile ms: fori_loop 10 iters {out[10]:.0f}, 10,000 iters "
          f"{out[10_000]:.0f}; Python-unrolled 10 iters {out['unrolled 10']:.0f}, "
          f"300 iters {out['unrolled 300']:.0f}")
    return out


def rk4_loss(jax_mod, jnp):
    def f(y, k):   # a damped oscillator: y = (position, velocity)
        return jnp.stack([y[1], -k * y[0] - 0.1 * y[1]])

    def solve(k, y0, dt=0.01, steps=1000):
        def step(y, _):
            k1 = f(y, k)
            k2 = f(y + 0.5 * dt * k1, k)
            k3 = f(y + 0.5 * dt * k2, k)
            k4 = f(y + dt * k3, k)
            y = y + dt / 6.0 * (k1 + 2 * k2 + 2 * k3 + k4)
            return y, y[0]
        y, traj = jax_mod.lax.scan(step, y0, None, length=steps)
        return jnp.sum(traj ** 2) * dt

    return solve


def bench_rk4(jax_mod, jnp, label):
    solve = rk4_loss(jax_mod, jnp)
    g = jax_mod.jit(jax_mod.grad(solve))
    y0 = jnp.asarray(np.array([1.0, 0.0], np.float32))
    t0 = time.perf_counter()
    val = g(2.0, y0)
    jax_mod.block_until_ready(val)
    compile_ms = (time.perf_counter() - t0) * 1e3
    run_ms = min(timeit.repeat(lambda: jax_mod.block_until_ready(g(2.0, y0)), number=20,
                               repeat=5)) / 20 * 1e3
    eps = 1e-3
    fd = (float(solve(2.0 + eps, y0)) - float(solve(2.0 - eps, y0))) / (2 * eps)
    print(f"[{label}] RK4 scan (1,000 steps) grad+jit: compile {compile_ms:.0f} ms, run "
          f"{run_ms:.3f} ms; d loss/dk = {float(val):.6f} (central difference {fd:.6f})")
    return compile_ms, run_ms


def main():
    import tinyjax
    import tinyjax.numpy as tjnp
    bench_fori(tinyjax, tjnp, "tinyjax")
    bench_rk4(tinyjax, tjnp, "tinyjax")
    try:
        import jax
        import jax.numpy as jjnp
    except ImportError:
        print("(jax not installed: no side-by-side figures)")
        return
    bench_fori(jax, jjnp, "jax")
    bench_rk4(jax, jjnp, "jax")


if __name__ == "__main__":
    main()
