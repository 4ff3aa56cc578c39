"""How long the crisis check takes on a 2,000-character text: ``python -m bench.safety``.

Every place people write calls ``portal.core.safety.check_text`` inside the request, so it must
stay cheap. Texts of exactly 2,000 characters are put together from the labelled batches in
``tests/core/data/crisis_batches`` (tuning batches only), in three kinds:

* everyday: calm phrases joined as sentences, as a family writes an update;
* run-on: the same kind of phrases with no full stops at all, as people type on a phone;
* crisis-dense: crisis and calm phrases mixed, so that many rules are tried and fire.

Each text is checked five times and the CPU time of the fastest run is kept (CPU time of this
thread, so another process on the machine does not count against the detector). The report
gives the median and the 95th percentile per kind against the 1 ms target.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from portal.core.safety import check_text
from tests.core.crisis_batches import load_batches

TARGET_MS = 1.0
LENGTH = 2000


def texts(kind: str, count: int, seed: int) -> list[str]:
    tuning = [b for b in load_batches() if b.status == "tuning"]
    calm = [p.text for b in tuning for p in b.calm]
    crisis = [p.text for b in tuning for p in b.crisis]
    pool = calm if kind in ("everyday", "run-on") else calm + crisis
    rng = random.Random(seed)
    out = []
    for _ in range(count):
        text = ""
        while len(text) < LENGTH:
            phrase = rng.choice(pool).rstrip(".!? ")
            if kind == "run-on":
                phrase = phrase.replace(".", " ").replace("!", " ").replace("?", " ")
                text += phrase + " "
            else:
                text += phrase + ". "
        out.append(text[:LENGTH])
    return out


def cpu_ms(text: str, repeats: int = 5) -> float:
    best = float("inf")
    for _ in range(repeats):
        start = time.thread_time()
        check_text(text)
        best = min(best, time.thread_time() - start)
    return best * 1000


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300, help="texts of each kind")
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args(argv)
    check_text("warm up: compile the rules")
    print(f"crisis check on {LENGTH}-character texts, CPU ms (target {TARGET_MS} ms)")
    print(f"{'kind':<14}{'median':>8}{'p95':>8}{'max':>8}")
    met = True
    for kind in ("everyday", "run-on", "crisis-dense"):
        times = sorted(cpu_ms(t) for t in texts(kind, args.count, args.seed))
        p95 = times[int(len(times) * 0.95) - 1]
        print(f"{kind:<14}{statistics.median(times):>8.3f}{p95:>8.3f}{times[-1]:>8.3f}")
        met = met and statistics.median(times) < TARGET_MS
    print("target met (median under 1 ms for every kind)" if met else "target NOT met")
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
