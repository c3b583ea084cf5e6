"""Per-village operations on household arrays that are kept sorted by village.

Every village's numbers are computed from its own households alone, in array order,
bit for bit the same whatever other villages share the arrays. The compiled kernels
(`group_sums`, ...) are what the phases call inside their own kernels; `VillageSegments` holds
the village segments that numpy-level code passes to them.

>>> g = VillageSegments(np.array([0, 0, 1]), 2)
>>> g.bounds.tolist(), g.count.tolist(), group_sums(g.village, np.array([1.0, 2.0, 5.0]), 2).tolist()
([0, 2, 3], [2, 1], [3.0, 5.0])
>>> segment_order(g.bounds, np.array([0.0, -0.0, 5.0])).tolist()  # stably: -0.0 ties with 0.0
[0, 1, 2]
"""

from __future__ import annotations

import numpy as np

from .jit import jit


@jit
def group_sums(index, x, n):
    """Sums of `x` by `index` into `n` bins, in array order (as `np.bincount` with weights);
    entries with an index outside 0..n-1 are left out (a spare bin for the masked)."""
    out = np.zeros(n)
    # the running total of the current bin stays in a register while the index repeats (arrays are
    # mostly sorted by group); each bin still adds its entries in array order, so the bits are the same
    k = -1
    s = 0.0
    for i in range(index.size):
        j = index[i]
        if j != k:
            if 0 <= k < n:
                out[k] = s
            k = j
            s = out[k] if 0 <= k < n else 0.0
        s += x[i]
    if 0 <= k < n:
        out[k] = s
    return out


@jit
def segment_starts(village, n_villages):
    """Start of each village's segment in arrays sorted by village (length n_villages + 1)."""
    start = np.zeros(n_villages + 1, dtype=np.int64)
    for i in range(village.size):
        start[village[i] + 1] += 1
    for v in range(n_villages):
        start[v + 1] += start[v]
    return start


# --- sorting ----------------------------------------------------------------------------------------
# A comparison sort of fresh data mispredicts about every other branch, which on a few hundred values
# costs more than the arithmetic; a radix sort on integer keys does the same work whatever the data.

_LOW = 0x7FFFFFFFFFFFFFFF  # every bit but the sign; also the key of NaN (after every number)
_SIGN = -0x8000000000000000  # the sign bit: xor with it turns the keys' order into their bits' unsigned order
_SHORT = 24  # segments shorter than this are sorted by insertion (a radix pass costs its 256 counters)
_LONG = 4096  # segments longer than this are sorted on every bit (24 leave too much to insertion)


@jit
def order_keys(x, a, b, keys):
    """Write to keys[:b - a] int64 keys of x[a:b] that order as a comparison sort orders the floats:
    -0.0 ties with 0.0, NaN comes after +inf (NaNs tie)."""
    f = keys.view(np.float64)
    for j in range(b - a):
        f[j] = x[a + j]
    for j in range(b - a):
        k = keys[j]
        # negative floats order backwards by their bits: flip all but the sign
        k ^= (k >> 63) & _LOW
        if f[j] == 0.0:
            k = 0
        if f[j] != f[j]:
            k = _LOW
        keys[j] = k


@jit
def key_values(keys, n, out):
    """The floats of keys[:n] (see `order_keys`; zeros come back as 0.0, NaNs as one NaN) into out[:n]."""
    f = out.view(np.int64)
    for j in range(n):
        k = keys[j]
        f[j] = k ^ ((k >> 63) & _LOW)


@jit
def _radix_passes(keys, index, n, tmp_keys, tmp_index, with_index, diff, top, passes):
    """Sort keys[:n] (and index[:n] alongside, if `with_index`) stably by their bits top-8*passes+1..top
    (`diff`: the bits that vary): one counting pass per 8 bits from the lowest, skipping bits all
    keys share. The windows start at the top bit that varies, so the first pass spreads the keys."""
    count = np.zeros((passes, 256), dtype=np.int64)
    for j in range(n):
        u = keys[j] ^ _SIGN  # unsigned order of the bits
        for p in range(passes):
            count[p, (u >> max(top - 7 - 8 * p, 0)) & 255] += 1
    src_k, dst_k, src_i, dst_i = keys, tmp_keys, index, tmp_index
    swapped = False
    for p in range(passes - 1, -1, -1):
        shift = max(top - 7 - 8 * p, 0)
        if ((diff >> shift) & 255) == 0:
            continue
        c = count[p]
        total = 0
        for d in range(256):
            t = c[d]
            c[d] = total
            total += t
        for j in range(n):
            k = src_k[j]
            d = ((k ^ _SIGN) >> shift) & 255
            at = c[d]
            dst_k[at] = k
            if with_index:
                dst_i[at] = src_i[j]
            c[d] = at + 1
        src_k, dst_k, src_i, dst_i = dst_k, src_k, dst_i, src_i
        swapped = not swapped
    if swapped:
        keys[:n] = tmp_keys[:n]
        if with_index:
            index[:n] = tmp_index[:n]


@jit
def _insertion(keys, index, n, with_index, budget):
    """Insertion sort of keys[:n] (index alongside), stable; gives up (returning False, the keys
    still in a stable order of their own) once more than `budget` keys have been moved."""
    moved = 0
    for j in range(1, n):
        k = keys[j]
        if keys[j - 1] <= k:
            continue
        v = index[j]
        i = j - 1
        while i >= 0 and keys[i] > k:
            keys[i + 1] = keys[i]
            if with_index:
                index[i + 1] = index[i]
            i -= 1
        keys[i + 1] = k
        if with_index:
            index[i + 1] = v
        moved += j - 1 - i
        if moved > budget:
            return False
    return True


@jit
def _sort(keys, index, n, tmp_keys, tmp_index, with_index):
    """Sort keys[:n] ascending, stably, carrying index[:n] along if `with_index`."""
    if n < _SHORT:
        _insertion(keys, index, n, with_index, n * n)
        return
    diff = 0
    for j in range(n):
        diff |= keys[j] ^ keys[0]
    if diff == 0:
        return
    top = 63
    while ((diff >> top) & 1) == 0:
        top -= 1
    full = (top + 8) // 8
    # 24 bits from the top one that varies leave a few hundred numbers all but sorted (two coincide
    # only within 2^-24 of their spread, or tie); an insertion pass finishes, unless that moves too much
    if n > _LONG or full <= 3:
        _radix_passes(keys, index, n, tmp_keys, tmp_index, with_index, diff, top, full)
    else:
        _radix_passes(keys, index, n, tmp_keys, tmp_index, with_index, diff, top, 3)
        if not _insertion(keys, index, n, with_index, n):
            _radix_passes(keys, index, n, tmp_keys, tmp_index, with_index, diff, top, full)


@jit
def sort_keys(keys, n, tmp):
    """Sort keys[:n] ascending in place (tmp: scratch of at least n)."""
    _sort(keys, keys, n, tmp, tmp, False)


@jit
def argsort_keys(keys, index, n, tmp_keys, tmp_index):
    """Sort keys[:n] ascending in place, stably, carrying index[:n] along (scratch of at least n)."""
    _sort(keys, index, n, tmp_keys, tmp_index, True)


@jit
def max_segment(start):
    """Length of the longest segment."""
    m = 0
    for v in range(start.size - 1):
        m = max(m, start[v + 1] - start[v])
    return m


@jit
def segment_order(start, key):
    """Permutation sorting each segment by `key` ascending, stably (a segment's order depends on
    its own keys alone); as np.argsort(kind="stable") of each segment, -0.0 tying with 0.0 and NaN last."""
    out = np.empty(key.size, dtype=np.int64)
    m = max_segment(start)
    keys = np.empty(m, dtype=np.int64)
    tmp_keys = np.empty(m, dtype=np.int64)
    tmp_index = np.empty(m, dtype=np.int64)
    for v in range(start.size - 1):
        a, b = start[v], start[v + 1]
        order_keys(key, a, b, keys)
        index = out[a:b]
        for j in range(b - a):
            index[j] = a + j
        argsort_keys(keys, index, b - a, tmp_keys, tmp_index)
    return out


@jit
def ration_kernel(village, n_villages, supply, demand):
    """What each seller sells and each buyer gets in his village's market (see `ration`)."""
    s = group_sums(village, supply, n_villages)
    d = group_sums(village, demand, n_villages)
    sold = np.empty_like(supply)
    got = np.empty_like(demand)
    for i in range(village.size):
        v = village[i]
        q = min(s[v], d[v])
        sold[i] = supply[i] * (q / s[v] if s[v] > 0 else 0.0)
        got[i] = demand[i] * (q / d[v] if d[v] > 0 else 0.0)
    return sold, got


@jit
def fill_in_order_kernel(village, start, supply, total, priority):
    """Take `total[v]` from the suppliers of each village v (segments `start`), highest `priority`
    first; returns what each supplier gives. Used where buyers pick whom they deal with (employers
    take on the hands most in need of work, full time, before others)."""
    order = segment_order(start, -priority)
    out = np.empty_like(supply)
    for v in range(start.size - 1):
        c = 0.0
        for j in range(start[v], start[v + 1]):
            i = order[j]
            s = supply[i]
            c += s
            # what the suppliers ahead of this one gave, computed as the cumulative sum less his own
            out[i] = min(max(total[v] - (c - s), 0.0), s)
    return out


class VillageSegments:
    """Village segments of arrays sorted by village."""

    def __init__(self, village: np.ndarray, n_villages: int):
        self.village = village
        self.n_villages = n_villages
        self.bounds = segment_starts(village, n_villages)
        self.count = self.bounds[1:] - self.bounds[:-1]  # households per village (np.diff, without its overhead)


def ration(g: VillageSegments, supply: np.ndarray, demand: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Clear a village market at a fixed price by proportional rationing of the long side.

    Each village trades min(total supply, total demand); every seller sells the same
    share of his offer and every buyer gets the same share of his bid, so what is
    sold equals what is bought in each village.
    """
    return ration_kernel(g.village, g.n_villages, supply, demand)
