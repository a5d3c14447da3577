"""Where the landing verdict and the closed loop's trials reach people: the pipeline's sidecar,
``blend --json`` and its text, sweep columns, summaries, the HTML report and the HTTP API."""

import json

import numpy as np
import pandas as pd
import pytest

from genreblender.evaluation import sweep as sweep_mod
from genreblender.evaluation.executors import InlineExecutor
from genreblender.evaluation.summary import read_results, summarize
from genreblender.evaluation.sweep import SweepSpec, run_sweep
from genreblender.genres import GENRES
from genreblender.pipeline import blend

from .fakes import ResponseClassifier, ResponseGenerator
from .test_closed_loop import jumpy


class FakeJudge:
    """Sees every genre but reggae; hears what the response classifier hears."""

    name = "fake-judge"

    def genre_scores(self, audio, sr):
        p = ResponseClassifier().classify(audio, sr).distribution
        p.pop("reggae")
        total = sum(p.values())
        return {g: v / total for g, v in p.items()}


# -- pipeline and sidecar -------------------------------------------------------------------------
def test_sidecar_names_requested_and_internal_alpha_apart(tmp_path):
    out = tmp_path / "cal.wav"
    outcome = blend(
        "classical",
        "hiphop",
        0.5,
        seconds=3.0,
        seed=3,
        strategy="calibrate",
        output=out,
        generator=ResponseGenerator(jumpy),
        classifier=ResponseClassifier(),
        ears=[FakeJudge()],
    )
    meta = json.loads(out.with_suffix(".json").read_text())
    assert "alpha" not in meta  # the engine's key held α', which is not what was asked
    assert meta["requested_alpha"] == 0.5
    assert meta["internal_alpha"] == pytest.approx(outcome.internal_alpha)
    assert meta["internal_alpha"] != 0.5  # calibration moved it
    loop = meta["closed_loop"]
    assert loop["reached"] is True and loop["goal"].startswith("landed")
    assert "JS" in loop["objective"]
    assert len(loop["trials"]) == len(outcome.trials) > 1
    for trial in loop["trials"]:
        assert {"seed", "internal_alpha", "alpha_hat", "js", "on_target_mass", "landed"} <= set(
            trial
        )
    kept = [t for t in loop["trials"] if t["kept"]]
    assert len(kept) == 1 and kept[0]["internal_alpha"] == meta["internal_alpha"]
    assert meta["verdict"] == "landed" == outcome.verdict
    assert meta["measurement"]["landing"]["landed"] is True
    (judge,) = meta["measurement"]["ears"]
    assert judge["name"] == "fake-judge" and judge["metrics"]["landed"] is True


def test_plain_sidecar_has_the_verdict_and_no_loop(tmp_path):
    out = tmp_path / "plain.wav"
    leaky = ResponseGenerator(lambda internal, seed: (internal, 0.1))
    outcome = blend(
        "jazz",
        "metal",
        0.5,
        seconds=3.0,
        output=out,
        generator=leaky,
        classifier=ResponseClassifier(),
    )
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["requested_alpha"] == meta["internal_alpha"] == 0.5
    assert meta["closed_loop"] is None
    assert not outcome.landed
    assert meta["verdict"].startswith("did not land; missed by ")
    assert "not among the two most probable genres" in meta["verdict"]
    assert "on-target mass 0.10 < 0.5 (short by 0.40)" in meta["verdict"]


# -- the CLI ------------------------------------------------------------------------------------
@pytest.fixture
def fake_engine(monkeypatch):
    from genreblender import pipeline
    from genreblender.classification import GenreClassifier, listeners

    def engine(response):
        monkeypatch.setattr(
            pipeline, "get_generator", lambda name, **_: ResponseGenerator(response)
        )

    monkeypatch.setattr(GenreClassifier, "load", staticmethod(lambda *_: ResponseClassifier()))
    monkeypatch.setattr(
        listeners, "get_listener", lambda name=None: ResponseClassifier(name or "x")
    )
    return engine


def test_blend_json_exposes_every_trial(tmp_path, capsys, fake_engine):
    from genreblender.cli.main import main

    fake_engine(lambda internal, seed: (0.2, 0.8))  # α' changes nothing: calibration must miss
    out = tmp_path / "b.wav"
    args = ["blend", "--a", "jazz", "--b", "metal", "--alpha", "0.5", "--seconds", "3"]
    args += ["--strategy", "calibrate", "--no-judge", "-o", str(out)]
    assert main([*args, "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["requested_alpha"] == 0.5
    assert report["closed_loop"]["reached"] is False
    assert report["closed_loop"]["missed_by"]["alpha_tolerance"] == pytest.approx(0.27)
    assert len(report["closed_loop"]["trials"]) == len(
        {t["internal_alpha"] for t in report["closed_loop"]["trials"]}
    )
    assert report["landing"]["landed"] is False
    assert report["verdict"].startswith("did not land; missed by |α̂ − α| 0.30 > 0.15")
    # the text says it plainly too
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "DID NOT LAND; missed by |α̂ − α| 0.30 > 0.15 (by 0.15)" in text
    assert "not reached; missed by" in text and "◀ kept" in text
    assert "tip:" not in text  # a loop already tried: no advice to try again
    # one plain blend that missed points to the loop that tries other seeds
    plain = [a for a in args if a not in ("--strategy", "calibrate")]
    assert main(plain) == 0
    text = capsys.readouterr().out
    assert "tip: --strategy best_of_n composes 4 seeds (--n) and keeps the one x hears" in text


def test_blend_text_says_landed(tmp_path, capsys, fake_engine):
    from genreblender.cli.main import main

    fake_engine(lambda internal, seed: (internal, 0.9))
    out = tmp_path / "b.wav"
    args = ["blend", "--alpha", "0.6", "--seconds", "3", "--no-judge", "-o", str(out)]
    assert main(args) == 0
    text = capsys.readouterr().out
    assert "x (steering): LANDED" in text and "on-target mass 0.90" in text
    assert "tip:" not in text
    # every other registered listener heard the same track and says so
    assert "mel-cnn (listener, did not steer): LANDED" in text


# -- sweep columns, summary, report -------------------------------------------------------------
def test_sweep_writes_landing_columns_for_the_listener_and_the_judge(tmp_path, monkeypatch):
    generator = ResponseGenerator(lambda internal, seed: (internal, 0.3 + 0.6 * internal))
    monkeypatch.setattr(
        sweep_mod, "_worker_parts", lambda *_: (generator, ResponseClassifier(), FakeJudge())
    )
    spec = SweepSpec(
        pairs=(("jazz", "metal"), ("jazz", "reggae")),
        alphas=(0.0, 0.5, 1.0),
        seeds=1,
        seconds=3.0,
        strategy="best_of_n",
        n_candidates=2,
        judge="fake",
    )
    summary = run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=True)
    frame = read_results(tmp_path / "results.csv")
    for column in ("landed", "on_target_mass", "abs_alpha_error", "judge_landed", "trials"):
        assert column in frame
    assert frame["on_target_mass"].to_numpy() == pytest.approx(0.3 + 0.6 * frame["alpha"])
    trials = json.loads(frame["trials"].iloc[0])
    assert len(trials) == 2 and {"seed", "internal_alpha", "js", "kept"} <= set(trials[0])
    reggae = frame[frame["genre_b"] == "reggae"]
    assert reggae["judge_alpha_hat"].isna().all() and reggae["judge_landed"].isna().all()
    judge = summary["overall"]["ears"]["judge"]
    assert judge["n_pairs"] == 1 and judge["n_tracks"] == 3
    assert "reggae" in judge["note"]
    # mass 0.3 at α = 0 (not landed), 0.6 and 0.9 at 0.5 and 1 (landed)
    assert summary["overall"]["landed_rate"] == pytest.approx(2 / 3)
    assert summary["overall"]["by_alpha"]["0.5"]["landed_rate"] == 1.0
    html = (tmp_path / "report.html").read_text()
    assert "landed rate" in html and "on-target mass" in html and "Landing by α" in html
    assert "judge (did not steer)" in html


def _row(pair, alpha, seed, alpha_hat, mass, landed, judge=None):
    a, b = pair
    row = {
        "genre_a": a,
        "genre_b": b,
        "alpha": alpha,
        "seed": seed,
        "alpha_hat": alpha_hat,
        "js": 0.3,
        "leakage": 1 - mass,
        "top2_match": landed,
        "landed": landed,
        "on_target_mass": mass,
        "classifier": json.dumps({"name": "mlp"}),
    }
    row.update({"judge_alpha_hat": "", "judge_landed": "", "judge_on_target_mass": ""})
    if judge is not None:
        row.update(
            {
                "judge_alpha_hat": judge[0],
                "judge_on_target_mass": judge[1],
                "judge_landed": judge[2],
            }
        )
    return row


def test_summary_puts_landing_beside_spearman_per_pair_and_overall(tmp_path):
    rows = []
    for alpha in (0.0, 0.5, 1.0):
        # jazz:metal: α̂ follows α exactly, but nothing of either genre is heard at α = 0.5
        mass = 0.1 if alpha == 0.5 else 0.8
        rows.append(
            _row(("jazz", "metal"), alpha, 0, alpha, mass, alpha != 0.5, (alpha, 0.6, True))
        )
        rows.append(_row(("pop", "reggae"), alpha, 0, 0.2 + 0.6 * alpha, 0.7, True))
    path = tmp_path / "results.csv"
    pd.DataFrame(rows).to_csv(path, index=False)  # as a sweep writes it: "True", "", ...
    summary = summarize(read_results(path))
    jm = summary["pairs"]["jazz:metal"]
    assert jm["spearman"] == pytest.approx(1.0) and jm["mean_abs_alpha_error"] == 0.0
    assert jm["landed_rate"] == pytest.approx(2 / 3)  # what Spearman could not show
    assert jm["mean_on_target_mass"] == pytest.approx(np.mean([0.8, 0.1, 0.8]))
    assert jm["ears"]["judge"]["landed_rate"] == 1.0
    assert "judge" not in summary["pairs"]["pop:reggae"]["ears"]
    overall = summary["overall"]
    assert overall["listener"] == "mlp"
    assert overall["landed_rate"] == pytest.approx(5 / 6)
    assert overall["mean_on_target_mass"] == pytest.approx(np.mean([0.8, 0.1, 0.8, 0.7, 0.7, 0.7]))
    assert overall["by_alpha"]["0.5"] == {
        "landed_rate": 0.5,
        "top2_rate": 0.5,
        "mean_on_target_mass": pytest.approx(0.4),
        "mean_abs_alpha_error": pytest.approx(0.0),
        "n_tracks": 2,
    }
    assert overall["ears"]["judge"]["n_pairs"] == 1
    assert overall["ears"]["judge"]["mean_on_target_mass"] == pytest.approx(0.6)


def test_summary_gives_each_seeds_landing_for_the_seed_to_seed_spread(tmp_path):
    # seed 0 lands everywhere, seed 1 nowhere; the judge cannot see pop:reggae
    rows = []
    for seed, landed, mass in ((0, True, 0.8), (1, False, 0.3)):
        for alpha in (0.0, 0.5, 1.0):
            judge = (alpha, mass, landed)
            rows.append(_row(("jazz", "metal"), alpha, seed, alpha, mass, landed, judge))
            rows.append(_row(("pop", "reggae"), alpha, seed, alpha + 0.1, mass, landed))
    path = tmp_path / "results.csv"
    pd.DataFrame(rows).to_csv(path, index=False)
    overall = summarize(read_results(path))["overall"]
    assert set(overall["by_seed"]) == {"0", "1"}
    assert overall["by_seed"]["0"]["landed_rate"] == 1.0
    assert overall["by_seed"]["1"]["top2_rate"] == 0.0
    assert overall["by_seed"]["1"]["mean_on_target_mass"] == pytest.approx(0.3)
    assert overall["by_seed"]["0"]["mean_abs_alpha_error"] == pytest.approx(0.05)
    assert overall["by_seed"]["0"]["n_tracks"] == 6
    judge = overall["ears"]["judge"]["by_seed"]
    assert judge["1"]["landed_rate"] == 0.0 and judge["1"]["n_tracks"] == 3  # jazz:metal only


def test_summary_of_results_without_landing_columns_says_none():
    # a results file written before the landing columns existed still summarises
    rows = [
        {
            "genre_a": "jazz",
            "genre_b": "metal",
            "alpha": a,
            "seed": 0,
            "alpha_hat": a,
            "js": 0.1,
            "leakage": 0.2,
            "top2_match": True,
        }
        for a in (0.0, 0.5, 1.0)
    ]
    overall = summarize(pd.DataFrame(rows))["overall"]
    assert overall["landed_rate"] is None and overall["mean_on_target_mass"] is None
    assert overall["spearman"] == pytest.approx(1.0) and overall["ears"] == {}


# -- the HTTP API ---------------------------------------------------------------------------------
def test_api_evaluate_returns_the_verdict(tone_clip):
    import io

    import soundfile as sf
    from fastapi.testclient import TestClient

    from genreblender.app import api

    y, sr = tone_clip
    buffer = io.BytesIO()
    sf.write(buffer, y, sr, format="WAV")
    out = TestClient(api.app).post(
        "/evaluate",
        files={"file": ("tone.wav", buffer.getvalue(), "audio/wav")},
        data={"genre_a": "jazz", "genre_b": "metal", "alpha": "0.5"},
    )
    assert out.status_code == 200, out.text
    data = out.json()
    metrics = data["metrics"]
    mass = data["predicted"]["jazz"] + data["predicted"]["metal"]
    assert metrics["on_target_mass"] == pytest.approx(mass)
    assert data["landing"]["landed"] == metrics["landed"]
    assert data["verdict"].startswith("landed" if metrics["landed"] else "did not land; missed by")
    assert set(GENRES) == set(data["predicted"])


def test_api_generate_exposes_the_closed_loop(monkeypatch, request):
    from fastapi.testclient import TestClient

    from genreblender.app import api, workers

    monkeypatch.setattr(workers, "_generator", lambda engine: ResponseGenerator(jumpy))
    monkeypatch.setattr(workers, "_classifier", lambda name=None: ResponseClassifier())
    monkeypatch.setattr("genreblender.evaluation.ears.other_listener_ears", lambda name: [])
    # threads, not processes: the jobs see what the test patches in
    previous = api.set_pool(workers.WorkPool(workers=1, kind="thread"))
    request.addfinalizer(lambda: api.set_pool(previous))
    body = {"genre_a": "classical", "genre_b": "hiphop", "alpha": 0.5, "seconds": 3, "seed": 3}
    out = TestClient(api.app).post("/generate", json=body | {"strategy": "calibrate"})
    assert out.status_code == 200, out.text
    data = out.json()
    loop = data["closed_loop"]
    assert loop["reached"] is True and data["verdict"] == "landed"
    assert data["trials"] == loop["trials"] and len(loop["trials"]) > 1
    kept = next(t for t in loop["trials"] if t["kept"])
    assert data["metadata"]["requested_alpha"] == 0.5 and "alpha" not in data["metadata"]
    assert data["metadata"]["internal_alpha"] == kept["internal_alpha"]
    assert data["evaluation"]["landing"]["landed"] is True
    plain = TestClient(api.app).post("/generate", json=body | {"include_audio": False}).json()
    assert plain["closed_loop"] is None and plain["trials"] == []
