"""How fast the CLI answers a mistake: wall time from start to the error message, per case.

    .venv/bin/python benchmarks/bench_cli_errors.py [--runs 5]

Each case is a fresh ``python -m genreblender.cli.main`` process (interpreter start-up
included), so it is what a user waits for. Target: <= 0.3 s for every case. The CPU time
(user + system) of the process is printed beside the wall time: on a machine busy with other
work the wall time grows, the CPU time does not.
"""

import argparse
import resource
import statistics
import subprocess
import sys
import time

CASES = {
    "--help": ["--help"],
    "blend, unknown genre": ["blend", "--a", "jaz"],
    "blend, alpha out of range": ["blend", "--alpha", "1.5"],
    "generate, unknown genre": ["generate", "--b", "polka", "-o", "x.wav"],
    "classify, missing file": ["classify", "/nonexistent/song.wav"],
    "evaluate-classifier, missing table": ["evaluate-classifier", "/nonexistent/t.csv"],
    "train, missing data": ["train", "/nonexistent/data"],
}


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    print(f"{'case':<38} {'wall s':>7} {'max s':>7} {'cpu s':>7}  exit")
    worst = 0.0
    for name, argv in CASES.items():
        times, cpu, code = [], [], None
        for _ in range(args.runs):
            before = resource.getrusage(resource.RUSAGE_CHILDREN)
            start = time.perf_counter()
            done = subprocess.run(
                [sys.executable, "-m", "genreblender.cli.main", *argv],
                capture_output=True,
                check=False,
            )
            times.append(time.perf_counter() - start)
            after = resource.getrusage(resource.RUSAGE_CHILDREN)
            cpu.append(after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime)
            code = done.returncode
        worst = max(worst, statistics.median(times))
        print(
            f"{name:<38} {statistics.median(times):7.3f} {max(times):7.3f} "
            f"{statistics.median(cpu):7.3f}  {code}"
        )
    print(f"worst median wall time: {worst:.3f} s (target <= 0.3 s)")


if __name__ == "__main__":
    main()
