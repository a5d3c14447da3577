"""Sweeps: plan, resumable store, summary, report, and the runner on local processes and Ray."""

import json

import numpy as np
import pandas as pd
import pytest

from genreblender.errors import InvalidInputError
from genreblender.evaluation.executors import InlineExecutor, LocalExecutor
from genreblender.evaluation.summary import summarize
from genreblender.evaluation.sweep import (
    ResultStore,
    SweepSpec,
    all_pairs,
    parse_alphas,
    parse_pairs,
    run_sweep,
)


def test_plan_has_every_input_and_unique_keys():
    assert len(all_pairs()) == 45
    spec = SweepSpec(
        pairs=(("jazz", "metal"), ("classical", "hiphop")), alphas=(0.0, 0.5, 1.0), seeds=2
    )
    jobs = spec.jobs()
    assert len(jobs) == 12 and len({j["key"] for j in jobs}) == 12
    assert {"engine", "genre_a", "genre_b", "alpha", "seed", "seconds", "strategy"} <= set(jobs[0])


def test_parsing_and_validation():
    assert parse_pairs("jazz:metal, Hip-Hop:rock") == [("jazz", "metal"), ("hiphop", "rock")]
    assert len(parse_pairs(None)) == 45
    assert parse_alphas("1,0,0.5,0.5") == [0.0, 0.5, 1.0]
    for bad in ("jazz", "jazz:jazz", "jazz:polka"):
        with pytest.raises(InvalidInputError):
            parse_pairs(bad)
    with pytest.raises(InvalidInputError):
        parse_alphas("0,2")
    with pytest.raises(InvalidInputError, match="strategy"):
        SweepSpec(strategy="magic")


def test_store_survives_a_torn_line(tmp_path):
    store = ResultStore(tmp_path / "r.csv")
    store.append({"key": "a", "x": 1})
    store.append({"key": "b", "x": 2})
    store.append({"key": "a", "x": 9})  # already there: not counted twice
    with open(tmp_path / "r.csv", "a") as handle:
        handle.write("c,3")  # killed mid-row
    again = ResultStore(tmp_path / "r.csv")
    assert again.done == {"a", "b"}
    again.append({"key": "c", "x": 3})
    frame = pd.read_csv(tmp_path / "r.csv")
    assert frame["key"].tolist() == ["a", "b", "c"]


def test_sweep_runs_and_resumes_without_duplicates(tmp_path, fake_parts):
    spec = SweepSpec(
        pairs=(("jazz", "metal"), ("pop", "rock")),
        alphas=(0.0, 0.25, 0.5, 0.75, 1.0),
        seeds=2,
        seconds=3.0,
    )
    out = tmp_path / "sweep"

    class Dies(InlineExecutor):
        def map_unordered(self, fn, items):
            for i, row in enumerate(super().map_unordered(fn, items)):
                if i == 7:
                    raise KeyboardInterrupt  # killed after 7 finished jobs
                yield row

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, out, Dies(), progress=False, report=False)
    assert len(pd.read_csv(out / "results.csv")) == 7
    n_before = len(fake_parts.calls)
    summary = run_sweep(spec, out, InlineExecutor(), progress=False, report=True)
    frame = pd.read_csv(out / "results.csv")
    assert len(frame) == 20 and frame["key"].is_unique
    assert len(fake_parts.calls) - n_before == 13  # only the missing jobs ran
    assert summary["overall"]["n_tracks"] == 20
    # the fake engine hears alpha monotonically (noise aside): controllable
    assert summary["overall"]["spearman"] > 0.9
    assert set(summary["pairs"]) == {"jazz:metal", "pop:rock"}
    saved = json.loads((out / "summary.json").read_text())
    assert saved["overall"]["spearman"] == pytest.approx(summary["overall"]["spearman"])
    html = (out / "report.html").read_text()
    assert html.count("data:image/png;base64,") == 3 and "jazz:metal" in html


def test_a_sweep_made_by_another_engine_version_is_not_resumed_into(tmp_path, fake_parts):
    spec = SweepSpec(pairs=(("jazz", "metal"),), alphas=(0.0, 0.5, 1.0), seeds=2, seconds=3.0)

    class Dies(InlineExecutor):
        def map_unordered(self, fn, items):
            for i, row in enumerate(super().map_unordered(fn, items)):
                if i == 3:
                    raise KeyboardInterrupt
                yield row

    with pytest.raises(KeyboardInterrupt):
        run_sweep(spec, tmp_path, Dies(), progress=False, report=False)
    before = (tmp_path / "results.csv").read_bytes()
    fake_parts.model_version = "fake-2"  # the engine changed between the runs
    with pytest.raises(InvalidInputError, match="another version.*'fake-1', this run 'fake-2'"):
        run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    assert (tmp_path / "results.csv").read_bytes() == before  # the old results are untouched
    fake_parts.model_version = "fake-1"  # the same version again: it resumes
    run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    assert len(pd.read_csv(tmp_path / "results.csv")) == 6


def test_a_finished_sweep_is_not_reported_as_another_versions(tmp_path, fake_parts):
    # every row done: no new row is made, so only the check before resuming can see the change
    spec = SweepSpec(pairs=(("jazz", "metal"),), alphas=(0.0, 1.0), seeds=1, seconds=3.0)
    run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    before = (tmp_path / "results.csv").read_bytes()
    fake_parts.model_version = "fake-2"
    with pytest.raises(InvalidInputError, match="another version.*'fake-1', this run 'fake-2'"):
        run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    assert (tmp_path / "results.csv").read_bytes() == before
    fake_parts.model_version = "fake-1"
    run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)  # same: resumes
    assert (tmp_path / "results.csv").read_bytes() == before


def test_sweep_refuses_a_folder_with_other_settings(tmp_path, fake_parts):
    spec = SweepSpec(pairs=(("jazz", "metal"),), alphas=(0.0, 1.0), seeds=1, seconds=3.0)
    run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    other = SweepSpec(pairs=(("jazz", "metal"),), alphas=(0.0, 1.0), seeds=1, seconds=4.0)
    with pytest.raises(InvalidInputError, match="different settings"):
        run_sweep(other, tmp_path, InlineExecutor(), progress=False, report=False)


def test_summary_figures():
    rows = []
    for alpha in (0.0, 0.5, 1.0):
        for seed in range(2):
            rows.append(
                {
                    "genre_a": "jazz",
                    "genre_b": "metal",
                    "alpha": alpha,
                    "seed": seed,
                    "alpha_hat": alpha * 0.8 + 0.1,
                    "js": 0.2,
                    "leakage": 0.1,
                    "top2_match": True,
                    "judge_alpha_hat": np.nan,
                }
            )
            rows.append(
                {
                    "genre_a": "pop",
                    "genre_b": "rock",
                    "alpha": alpha,
                    "seed": seed,
                    "alpha_hat": 0.5,
                    "js": 0.4,
                    "leakage": 0.3,
                    "top2_match": False,
                    "judge_alpha_hat": np.nan,
                }
            )
    summary = summarize(pd.DataFrame(rows))
    jm = summary["pairs"]["jazz:metal"]
    assert jm["spearman"] == pytest.approx(1.0)
    assert jm["curve_spearman"] == pytest.approx(1.0)
    assert summary["pairs"]["pop:rock"]["curve_spearman"] is None
    assert jm["mean_abs_alpha_error"] == pytest.approx(np.mean([0.1, 0.0, 0.1]))
    assert jm["curve"] == {"0": 0.1, "0.5": 0.5, "1": pytest.approx(0.9)}
    assert summary["pairs"]["pop:rock"]["spearman"] is None  # flat response: undefined
    assert summary["overall"]["spearman"] == pytest.approx(1.0)  # mean over defined pairs
    assert summary["overall"]["n_pairs_with_spearman"] == 1
    assert "judge" not in summary["overall"]


@pytest.mark.slow
def test_real_sweep_on_two_local_processes(tmp_path):
    spec = SweepSpec(pairs=(("classical", "metal"),), alphas=(0.0, 1.0), seeds=1, seconds=4.0)
    summary = run_sweep(spec, tmp_path, LocalExecutor(2), progress=False)
    frame = pd.read_csv(tmp_path / "results.csv")
    assert len(frame) == 2 and set(frame["alpha"]) == {0.0, 1.0}
    assert {f"p_{g}" for g in ("jazz", "metal")} <= set(frame.columns)
    assert frame["model_version"].str.startswith("genreblender-composer").all()
    assert summary["overall"]["n_tracks"] == 2


@pytest.mark.slow
def test_sweep_on_local_ray(tmp_path):
    ray = pytest.importorskip("ray", reason="the optional 'ray' extra is not installed")
    from genreblender.evaluation.executors import RayExecutor

    try:
        executor = RayExecutor("local", num_cpus=1)
        spec = SweepSpec(pairs=(("classical", "metal"),), alphas=(0.0, 1.0), seeds=1, seconds=3.0)
        summary = run_sweep(spec, tmp_path, executor, progress=False, report=False)
    finally:
        ray.shutdown()
    assert summary["overall"]["n_tracks"] == 2
    assert len(pd.read_csv(tmp_path / "results.csv")) == 2


@pytest.mark.slow
def test_sweep_and_report_commands(tmp_path, capsys):
    from genreblender.cli.main import main

    out = tmp_path / "sw"
    args = [
        "sweep",
        "--pairs",
        "jazz:metal",
        "--alphas",
        "0,1",
        "--seeds",
        "1",
        "--seconds",
        "3",
        "--jobs",
        "1",
        "--out",
        str(out),
    ]
    assert main(args) == 0
    overall = json.loads((out / "summary.json").read_text())["overall"]
    assert overall["n_tracks"] == 2 and "spearman" in overall and "mean_abs_alpha_error" in overall
    (out / "report.html").unlink()
    assert main(["report", str(out)]) == 0
    assert (out / "report.html").stat().st_size > 10_000
    assert main(["report", str(tmp_path)]) == 2
    assert "no results.csv" in capsys.readouterr().err


def test_track_spearman_counts_seed_spread_and_curve_spearman_does_not():
    rows = []
    # the seed-mean curve rises strictly, but seed 1 sits far above seed 0 at every alpha
    for alpha in (0.0, 0.25, 0.5, 0.75, 1.0):
        for seed, offset in ((0, 0.0), (1, 0.6)):
            rows.append(
                {
                    "genre_a": "jazz",
                    "genre_b": "metal",
                    "alpha": alpha,
                    "seed": seed,
                    "alpha_hat": min(1.0, 0.1 * alpha + offset),
                    "js": 0.2,
                    "leakage": 0.1,
                    "top2_match": True,
                }
            )
    figures = summarize(pd.DataFrame(rows))["pairs"]["jazz:metal"]
    assert figures["curve_spearman"] == pytest.approx(1.0)
    assert figures["spearman"] < 0.5
