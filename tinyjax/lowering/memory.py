"""Memory planning: every intermediate buffer and kernel scratch space gets an
offset in one arena, reusing the space of buffers that are dead (liveness over the
kernel order). Outputs are separate arrays, since they outlive the call."""
from __future__ import annotations

ALIGN = 64


def _align(n: int) -> int:
    return (n + ALIGN - 1) // ALIGN * ALIGN


class MemoryPlan:
    __slots__ = ("offsets", "arena_bytes", "naive_bytes")

    def __init__(self, offsets, arena_bytes, naive_bytes):
        self.offsets, self.arena_bytes, self.naive_bytes = offsets, arena_bytes, naive_bytes

    def describe(self) -> str:
        return (f"arena: {self.arena_bytes} bytes for {len(self.offsets)} buffers "
                f"({self.naive_bytes} bytes without reuse)")


def plan_memory(kernel_infos, arena_roles=("temp", "scratch")) -> MemoryPlan:
    """First-fit placement of arena buffers; a buffer lives from the first kernel
    that touches it to the last (scratch: its own kernel only)."""
    first, last = {}, {}
    for k, info in enumerate(kernel_infos):
        for b in list(info.kernel.params) + list(info.scratch):
            if b.role in arena_roles:
                first.setdefault(b, k)
                last[b] = k
    live: list = []   # (offset, size, buffer)
    offsets: dict = {}
    top = 0
    naive = 0
    by_start: dict = {}
    for b, k in first.items():
        by_start.setdefault(k, []).append(b)
    for k in range(len(kernel_infos)):
        for b in sorted(by_start.get(k, []), key=lambda b: -b.nbytes):
            size = _align(max(b.nbytes, 1))
            naive += size
            live.sort(key=lambda t: t[0])
            pos = 0
            for off, sz, _ in live:
                if off - pos >= size:
                    break
                pos = max(pos, off + sz)
            offsets[b] = pos
            live.append((pos, size, b))
            top = max(top, pos + size)
        live = [t for t in live if last[t[2]] > k]
    return MemoryPlan(offsets, top, naive)
