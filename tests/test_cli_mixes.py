"""Mixes end to end: the CLI (generate, blend, sweep), the Python API, sweeps and their report."""

import json

import pytest

from genreblender.cli.main import main
from genreblender.mixes import parse_mix

from .fakes import MixClassifier, MixGenerator


def test_generate_a_mix_records_it_and_says_it_was_normalised(tmp_path, capsys):
    out = tmp_path / "mix.wav"
    argv = ["generate", "--mix", "jazz=5,metal=3,reggae=2", "--seconds", "4", "-o", str(out)]
    assert main(argv) == 0
    assert "weights sum to 10, not 1; normalised to 50% jazz · 30% metal · 20% reggae" in (
        capsys.readouterr().err
    )
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["mix"]["normalised"] is True and meta["mix"]["requested"]["jazz"] == 5.0
    assert meta["mix"]["weights"] == pytest.approx({"jazz": 0.5, "metal": 0.3, "reggae": 0.2})
    assert {s["genre"] for s in meta["blend"]["sections"]} <= {"jazz", "metal", "reggae"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--mix", "jazz=1,jazz=2"], "jazz appears twice"),
        (["--mix", "jazz=1,metal=-1"], "weight of metal must be a non-negative number"),
        (["--mix", "jazz=0,metal=0"], "are all 0"),
        (["--mix", "jazz=1,polka=1"], "unknown genre 'polka'"),
        (["--mix", "jazz=1,metal=1", "--a", "rock"], "give either --mix or --a, not both"),
    ],
)
def test_blend_refuses_bad_mixes_with_exit_2(tmp_path, capsys, args, message):
    assert main(["blend", *args, "--no-judge", "-o", str(tmp_path / "x.wav")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


@pytest.mark.slow
def test_blend_a_mix_main_job(tmp_path, capsys):
    out = tmp_path / "mix.wav"
    argv = ["blend", "--mix", "jazz=0.5,metal=0.3,rock=0.2", "--seconds", "6", "--no-judge"]
    assert main([*argv, "--json", "-o", str(out)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["target"]["rock"] == pytest.approx(0.2) and report["mix"]["normalised"] is False
    metrics = report["metrics"]
    assert set(metrics["heard_weights"]) == {"jazz", "metal", "rock"}
    assert sum(metrics["heard_weights"].values()) == pytest.approx(1.0)
    assert report["requested_mix"]["weights"]["metal"] == pytest.approx(0.3)
    assert report["requested_alpha"] is None
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["measurement"]["metrics"] == metrics and meta["mix"] == report["requested_mix"]
    assert report["ears"][0]["metrics"]["weight_error"] is not None  # the other listener too


def test_pipeline_blend_of_a_mix_with_best_of_n():
    from genreblender.pipeline import blend

    gen = MixGenerator()
    outcome = blend(
        mix="jazz=0.5,metal=0.3,reggae=0.2",
        seconds=3,
        strategy="best_of_n",
        n_candidates=3,
        generator=gen,
        classifier=MixClassifier(),
    )
    assert [seed for _, seed in gen.calls] == [0, 1, 2]
    assert outcome.mix == parse_mix("jazz=0.5,metal=0.3,reggae=0.2")
    assert outcome.evaluation.metrics.topk_match and len(outcome.trials) == 3
    record = outcome.blend_record()
    assert record["requested_mix"]["weights"]["reggae"] == pytest.approx(0.2)
    assert record["requested_alpha"] is None


def test_pipeline_calibrates_a_mix_and_the_sidecar_names_the_internal_weights(tmp_path):
    from genreblender.pipeline import blend

    # an engine that over-hears the heaviest genre: plain generation misses the asked weights
    gen = MixGenerator(power=2.0)
    out = tmp_path / "cal.wav"
    outcome = blend(
        mix="jazz=0.5,metal=0.3,reggae=0.2",
        seconds=3,
        strategy="calibrate",
        generator=gen,
        classifier=MixClassifier(),
        output=out,
    )
    plain = blend(
        mix="jazz=0.5,metal=0.3,reggae=0.2", seconds=3, generator=gen, classifier=MixClassifier()
    )
    assert plain.evaluation.metrics.weight_error > 0.1
    assert outcome.evaluation.metrics.weight_error < 0.5 * plain.evaluation.metrics.weight_error
    assert len(gen.calls) - 1 == len(outcome.trials) > 1  # one seed, several weights
    meta = json.loads(out.with_suffix(".json").read_text())
    loop = meta["closed_loop"]
    kept = [t for t in loop["trials"] if t["kept"]]
    assert loop["internal_weights"] == kept[0]["internal_weights"]
    assert set(loop["internal_weights"]) == {"jazz", "metal", "reggae"}
    # to be heard at 0.2 the light genre needs more than 0.2 of the engine's weight
    assert loop["internal_weights"]["reggae"] > 0.2
    assert meta["requested_mix"]["weights"]["reggae"] == pytest.approx(0.2)
    assert meta["internal_alpha"] == pytest.approx(loop["internal_weights"]["jazz"])


@pytest.fixture
def mix_parts(monkeypatch):
    from genreblender.evaluation import sweep as sweep_mod

    generator, classifier = MixGenerator(), MixClassifier()
    monkeypatch.setattr(sweep_mod, "_worker_parts", lambda *a: (generator, classifier, None))
    return generator


def test_sweep_of_mixes_summary_report_and_resume(tmp_path, mix_parts, capsys):
    from genreblender.evaluation.executors import InlineExecutor
    from genreblender.evaluation.sweep import SweepSpec, run_sweep

    spec = SweepSpec(
        mixes=("jazz=5,metal=3,reggae=2", "blues=1,rock=1,pop=1"), seeds=2, seconds=3.0
    )
    assert [j["mix"] for j in spec.jobs()][::2] == [
        "jazz=0.5,metal=0.3,reggae=0.2",
        "blues=0.3333333333,rock=0.3333333333,pop=0.3333333333",
    ]
    summary = run_sweep(spec, tmp_path / "s", InlineExecutor(), progress=False)
    assert summary["kind"] == "mixes" and summary["overall"]["n_tracks"] == 4
    assert summary["overall"]["topk_rate"] == 1.0 and set(summary["overall"]["by_seed"]) == {
        "0",
        "1",
    }
    entry = summary["mixes"]["jazz=0.5,metal=0.3,reggae=0.2"]
    assert entry["mean_heard_weights"]["jazz"] == pytest.approx(0.5, abs=0.05)
    assert entry["mean_on_target_mass"] > 0.7
    page = (tmp_path / "s" / "report.html").read_text()
    assert "sweep of mixes" in page and "50% jazz · 30% metal · 20% reggae" in page
    # resumed: nothing runs twice
    run_sweep(spec, tmp_path / "s", InlineExecutor(), progress=False)
    assert len(mix_parts.calls) == 4
    rows = (tmp_path / "s" / "results.csv").read_text().splitlines()
    assert len(rows) == 5 and rows[0].startswith("engine,engine_options,mix,")


def test_sweep_command_takes_mixes_not_both(tmp_path, capsys):
    argv = ["sweep", "--mix", "jazz=1,rock=1", "--pairs", "jazz:rock", "--out", str(tmp_path)]
    assert main(argv) == 2
    assert "either --mix or --pairs/--alphas" in capsys.readouterr().err


def test_a_sweep_of_mixes_can_calibrate_them(tmp_path, mix_parts):
    import csv

    from genreblender.evaluation.executors import InlineExecutor
    from genreblender.evaluation.sweep import SweepSpec, run_sweep

    mix_parts.power = 2.0  # over-hears the heaviest genre: calibration has work to do
    spec = SweepSpec(mixes=("jazz=5,metal=3,reggae=2",), seeds=1, seconds=3.0, strategy="calibrate")
    run_sweep(spec, tmp_path / "s", InlineExecutor(), progress=False)
    with open(tmp_path / "s" / "results.csv") as f:
        (row,) = list(csv.DictReader(f))
    assert int(row["n_generations"]) == len(mix_parts.calls) > 1
    assert float(row["weight_error"]) < 0.05
    # the engine was given more than jazz's asked 0.5 less: what it over-hears is turned down
    assert float(row["internal_alpha"]) < 0.5


def test_a_sweep_begun_before_the_mix_figures_resumes_with_its_own_columns(tmp_path, fake_parts):
    import csv

    from genreblender.evaluation.executors import InlineExecutor
    from genreblender.evaluation.sweep import SweepSpec, run_sweep

    spec = SweepSpec(pairs=(("jazz", "metal"),), alphas=(0.2, 0.8), seeds=1, seconds=3.0)
    run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    path = tmp_path / "results.csv"
    rows = list(csv.DictReader(path.open()))
    old = [c for c in rows[0] if c not in ("topk_match", "heard_weights", "weight_error")]
    with path.open("w", newline="") as handle:  # as an older version wrote it, one job short
        writer = csv.DictWriter(handle, fieldnames=old, extrasaction="ignore", lineterminator="\n")
        writer.writeheader()
        writer.writerow(rows[0])
    summary = run_sweep(spec, tmp_path, InlineExecutor(), progress=False, report=False)
    again = list(csv.DictReader(path.open()))
    assert len(again) == 2 and list(again[1]) == old and summary["overall"]["n_tracks"] == 2


def test_a_calibrated_mix_prints_the_weights_given_and_heard_per_trial(capsys):
    from genreblender.cli.blend import _print_loop
    from genreblender.evaluation.closed_loop import calibrate_mix

    loop = calibrate_mix(
        MixGenerator(power=2.0), parse_mix("jazz=5,metal=3,reggae=2"), 3.0, 0, MixClassifier()
    )
    _print_loop(loop.to_dict())
    out = capsys.readouterr().out
    assert "weights in the order jazz / metal / reggae" in out
    first = loop.trials[0]
    assert "0.50/0.30/0.20" in out  # trial 1 is given the mix as asked
    heard = "/".join(f"{first['heard_weights'][g]:.2f}" for g in ("jazz", "metal", "reggae"))
    assert heard in out and out.count("◀ kept") == 1
