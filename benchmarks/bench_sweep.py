"""The sweep the issue sets a time target for: 45 pairs x 11 alphas x 1 seed of 10-s tracks with
the embedded composer, on all local cores (target: <= 5 minutes on 2 cores).

    .venv/bin/python benchmarks/bench_sweep.py [--out out/bench/sweep_45x11] [--judge]

Starts from an empty folder (a previous run's folder is moved aside), prints the wall time and
the overall figures; the report is DIR/report.html.
"""

import argparse
import json
import shutil
import time
from pathlib import Path

from genreblender import defaults
from genreblender.evaluation.executors import LocalExecutor
from genreblender.evaluation.sweep import SweepSpec, all_pairs, run_sweep


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="out/bench/sweep_45x11")
    parser.add_argument("--jobs", type=int, default=None)
    parser.add_argument("--judge", action="store_true", help="also run the musicnn judge")
    args = parser.parse_args()
    out = Path(args.out)
    if out.exists():
        shutil.rmtree(out)
    spec = SweepSpec(
        pairs=tuple(all_pairs()),
        alphas=tuple(i / 10 for i in range(11)),
        seeds=1,
        seconds=10.0,
        judge=defaults.JUDGE if args.judge else None,
    )
    t0 = time.perf_counter()
    summary = run_sweep(spec, out, LocalExecutor(args.jobs), report=False)
    elapsed = time.perf_counter() - t0
    from genreblender.evaluation.report import write_report

    write_report(out)
    print(json.dumps(summary["overall"], indent=2))
    print(
        f"\n{summary['overall']['n_tracks']} tracks in {elapsed:.0f} s "
        f"({elapsed / 60:.1f} min) on {LocalExecutor(args.jobs).n_jobs} processes; "
        f"report: {out / 'report.html'}"
    )


if __name__ == "__main__":
    main()
