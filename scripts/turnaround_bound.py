#!/usr/bin/env python3
"""How short a gpt2 layer's turnaround could be if the layer streamed (docs/flow.md, "Datapath v2").

A streaming layer would start each head as soon as its own k, v and q beats are in, and send each
head's result beats as soon as they are ready, in any head order after the packet's header.
With the twin's cycle counts of gpt2 (quant 3, write 10, then QK 15 + AV 15 + READOUT 16 +
accumulate 1 + scale 2 = 49 from the start of QK to the header's cycle, 2 result beats a head)
this model gives the turnaround (first input beat to last result beat, counted as `gca report`
counts `layer_turnaround_cycles`) of a packet layout, for the present layout and for the best
layout a random search finds. It ignores everything that would only make the layer slower
(writes waiting for the previous token, back-pressure).

    python3 scripts/turnaround_bound.py [iterations]
"""

import random
import sys

HEADS = 12
QUANT, WRITE, TAIL = 3, 10, 15 + 15 + 16 + 1 + 2
BEATS_PER_HEAD = 2


def turnaround(order):
    """Turnaround of one token for a data-beat order (header in cycle 0, data from cycle 1)."""
    at = {beat: i + 1 for i, beat in enumerate(order)}
    ready = []
    for h in range(HEADS):
        kv = max(at[("k", h)], at[("v", h)])
        qk = max(kv + QUANT + WRITE, at[("q", h)] + QUANT)
        ready.append(qk + TAIL)
    ready.sort()
    last = ready[0]  # the header's cycle
    for r in ready:
        first = max(last + 1, r + 1)
        last = first + BEATS_PER_HEAD - 1
    return last + 1


def main():
    iterations = int(sys.argv[1]) if len(sys.argv) > 1 else 200_000
    present = [(kind, h) for h in range(HEADS) for kind in "qkv"]
    kv_first = [(kind, h) for kind in "kv" for h in range(HEADS)] + [("q", h) for h in range(HEADS)]
    print(f"present layout (q, k, v of head 0, then head 1, ...), streamed: {turnaround(present)}")
    print(f"all k and v first, then the q's, streamed: {turnaround(kv_first)}")
    # The last data beat is accepted in cycle 36 at the earliest; if it is a q beat whose head
    # is written, that head's header time is 36 + QUANT + TAIL and its beats follow it.
    bound = 36 + QUANT + TAIL + BEATS_PER_HEAD + 1
    print(f"lower bound of any layout: {bound}")
    rng = random.Random(1)
    cur, cur_t = present[:], turnaround(present)
    best = cur_t
    for _ in range(iterations):
        i, j = rng.randrange(len(cur)), rng.randrange(len(cur))
        nxt = cur[:]
        nxt[i], nxt[j] = nxt[j], nxt[i]
        t = turnaround(nxt)
        if t <= cur_t or rng.random() < 0.001:
            cur, cur_t = nxt, t
            best = min(best, t)
    print(f"best layout found by a random search ({iterations} steps, seed 1): {best}")


if __name__ == "__main__":
    main()
