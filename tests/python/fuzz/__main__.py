"""python -m tests.python.fuzz --n 10000 --seed 1: the differential fuzzer from the command line
(see README's "Tests"). Exits 1 if any graph mismatched or crashed."""

import argparse
import os
import sys

from .minimize import REGRESSIONS
from .run import fuzz


def main(argv=None):
    ap = argparse.ArgumentParser(prog="python -m tests.python.fuzz", description=__doc__)
    ap.add_argument("--n", type=int, default=1000, help="graphs to check (a fifth gradients)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--batch", type=int, default=25,
                    help="graphs compiled together (one generated module per batch)")
    ap.add_argument("--cxx", default=os.environ.get("CXX", "g++"),
                    help="compiler for the generated kernels; '' runs the precompiled ones")
    ap.add_argument("--fast-math", action="store_true", help="also run the fast_math rewrites")
    ap.add_argument("--save", default=REGRESSIONS,
                    help="where minimized failures go ('' keeps none)")
    args = ap.parse_args(argv)
    counts = fuzz(args.n, args.seed, batch=args.batch, cxx=args.cxx, fast_math=args.fast_math,
                  save=args.save or None)
    print(f"seed {args.seed}: {counts['graphs']} graphs, {counts['gradients']} gradients, "
          f"{counts['mismatches']} mismatches, {counts['crashes']} crashes, "
          f"{counts['seconds']:.0f} s ({counts['stabilized']} graphs where only the "
          f"stabilizing rewrites differ, by design)")
    for op, why in counts["not_built"].items():
        print(f"  NumPy computes but Theon does not build {op}: {why}")
    for what in counts["type_differs"]:
        print(f"  dtype or rank differs from NumPy: {what}")
    return 1 if counts["mismatches"] or counts["crashes"] else 0


if __name__ == "__main__":
    sys.exit(main())
