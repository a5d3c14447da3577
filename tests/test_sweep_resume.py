"""A killed and corrupted sweep resumes to exactly the rows of an uninterrupted one; its pool
workers end with it."""

import contextlib
import csv
import io
import logging
import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from genreblender.errors import InvalidInputError
from genreblender.evaluation.executors import InlineExecutor
from genreblender.evaluation.sweep import ResultStore, SweepSpec, run_sweep

SPEC = SweepSpec(
    pairs=(("jazz", "metal"), ("pop", "rock")), alphas=(0.0, 0.5, 1.0), seeds=2, seconds=3.0
)


class _DiesAfter(InlineExecutor):
    def __init__(self, n):
        self.n = n

    def map_unordered(self, fn, items):
        for i, row in enumerate(super().map_unordered(fn, items)):
            if i == self.n:
                raise KeyboardInterrupt
            yield row


def _rows(path):
    frame = pd.read_csv(path).drop(columns=["seconds_taken"])
    return frame.sort_values("key").reset_index(drop=True)


def _corrupt(path):
    """What a probe found could be done to results.csv by a crash or a bad disk."""
    lines = path.read_bytes().split(b"\n")
    header, rows = lines[0], [line for line in lines[1:] if line]
    columns = next(csv.reader([header.decode()]))
    first = next(csv.reader([rows[0].decode()]))
    first[columns.index("alpha_hat")] = "0.3x"  # a corrupted value
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(first)
    rows[0] = buffer.getvalue().rstrip("\n").encode()
    rows[1] = rows[1][:10] + b"\xff\xfe" + rows[1][12:]  # invalid UTF-8
    rows.append(rows[2][: len(rows[2]) // 2])  # a half row, with its newline
    rows.append(b"hello,world")  # junk
    body = b"\n".join([header, *rows]) + b"\n"
    path.write_bytes(body + rows[3][:20])  # and a torn last line


def test_killed_and_corrupted_sweep_resumes_to_the_uninterrupted_rows(tmp_path, fake_parts, caplog):
    reference = tmp_path / "reference"
    run_sweep(SPEC, reference, InlineExecutor(), progress=False, report=False)
    resumed = tmp_path / "resumed"
    with pytest.raises(KeyboardInterrupt):
        run_sweep(SPEC, resumed, _DiesAfter(7), progress=False, report=False)
    _corrupt(resumed / "results.csv")
    n_before = len(fake_parts.calls)
    with caplog.at_level(logging.WARNING, logger="genreblender.evaluation.sweep"):
        summary = run_sweep(SPEC, resumed, InlineExecutor(), progress=False, report=False)
    dropped = [r.message for r in caplog.records if "dropped" in r.message]
    # the two damaged rows, the half row, the junk line and the torn tail
    assert len(dropped) == 5, dropped
    assert any("alpha_hat='0.3x' is not a number" in m for m in dropped)
    assert any("not valid UTF-8" in m for m in dropped)
    # 12 jobs, 7 done before the kill, 2 of them damaged: 7 run again
    assert len(fake_parts.calls) - n_before == 12 - 7 + 2
    pd.testing.assert_frame_equal(_rows(resumed / "results.csv"), _rows(reference / "results.csv"))
    assert summary["overall"]["n_tracks"] == 12


def test_rows_must_belong_to_the_plan_and_parse(tmp_path, fake_parts):
    run_sweep(SPEC, tmp_path, InlineExecutor(), progress=False, report=False)
    path = tmp_path / "results.csv"
    jobs = SPEC.jobs()
    assert len(ResultStore(path, jobs).done) == 12 and not ResultStore(path, jobs).dropped
    # the same file against another plan: no row is one of its jobs
    other = SweepSpec(pairs=(("jazz", "metal"),), alphas=(0.25,), seeds=1, seconds=3.0)
    store = ResultStore(path, other.jobs())
    assert not store.done and all("not a job of this sweep" in r for r in store.dropped)


def test_inputs_that_disagree_with_the_key_and_nonfinite_values(tmp_path, fake_parts):
    run_sweep(SPEC, tmp_path, InlineExecutor(), progress=False, report=False)
    path = tmp_path / "results.csv"
    frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    frame.loc[0, "genre_a"] = "blues"
    frame.loc[1, "kl"] = "inf"
    frame.to_csv(path, index=False)
    store = ResultStore(path, SPEC.jobs())
    assert len(store.done) == 10
    assert any("genre_a='blues' does not match its key" in r for r in store.dropped)
    assert any("kl='inf' is not finite" in r for r in store.dropped)


def test_unusable_header_is_set_aside(tmp_path):
    path = tmp_path / "results.csv"
    path.write_bytes(b"\xff\xfe not a header\n1,2,3\n")
    store = ResultStore(path, SPEC.jobs())
    assert not store.done and not path.exists()
    assert (tmp_path / "results.csv.corrupt").read_bytes().startswith(b"\xff")


def test_damaged_plan_is_a_clear_error(tmp_path):
    (tmp_path / "plan.json").write_bytes(b"\xff{")
    with pytest.raises(InvalidInputError, match="damaged"):
        run_sweep(SPEC, tmp_path, InlineExecutor(), progress=False, report=False)


_SWEEP_SCRIPT = textwrap.dedent(
    """
    import os, sys, time
    from genreblender.evaluation.executors import LocalExecutor

    def job(i):
        with open(os.path.join(sys.argv[1], f"worker-{os.getpid()}"), "w"):
            pass
        time.sleep(600)  # a long job: the workers would outlive a killed parent without a watchdog

    if __name__ == "__main__":
        for _ in LocalExecutor(2).map_unordered(job, range(4)):
            pass
    """
)


def _alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # a zombie is dead for our purpose
    with open(f"/proc/{pid}/stat") as handle:
        return handle.read().split()[2] != "Z"


@pytest.mark.slow
@pytest.mark.skipif(not os.path.isdir("/proc"), reason="reads /proc")
def test_workers_end_when_the_sweep_is_killed(tmp_path):
    script = tmp_path / "sweep.py"
    script.write_text(_SWEEP_SCRIPT)
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(sys.path))
    parent = subprocess.Popen([sys.executable, str(script), str(tmp_path)], env=env)
    try:
        deadline = time.monotonic() + 60
        while len(list(tmp_path.glob("worker-*"))) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)
        pids = [int(p.name.split("-")[1]) for p in tmp_path.glob("worker-*")]
        assert len(pids) == 2 and all(_alive(pid) for pid in pids)
        parent.send_signal(signal.SIGKILL)
        parent.wait()
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in pids)
    finally:
        parent.kill()
        for p in tmp_path.glob("worker-*"):
            with contextlib.suppress(ProcessLookupError):
                os.kill(int(p.name.split("-")[1]), signal.SIGKILL)
