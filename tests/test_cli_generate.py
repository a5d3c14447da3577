"""``genreblender generate`` and ``genreblender blend`` (the main job) end to end."""

import json

import pytest
import soundfile as sf

from genreblender.classification.listeners import LISTENER_NAMES
from genreblender.cli.main import main


def test_generate_writes_wav_midi_sidecar(tmp_path, capsys):
    out = tmp_path / "song.wav"
    code = main(
        [
            "generate",
            "--a",
            "jazz",
            "--b",
            "metal",
            "--alpha",
            "0.7",
            "--seconds",
            "4",
            "--seed",
            "1",
            "-o",
            str(out),
        ]
    )
    assert code == 0
    audio, sr = sf.read(out)
    assert sr == 44100 and len(audio) == 4 * 44100
    meta = json.loads(out.with_suffix(".json").read_text())
    assert (meta["engine"], meta["genre_a"], meta["genre_b"], meta["alpha"], meta["seed"]) == (
        "composer",
        "jazz",
        "metal",
        0.7,
        1,
    )
    assert meta["model_version"].startswith("genreblender-composer")
    assert out.with_suffix(".mid").read_bytes()[:4] == b"MThd"


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--a", "polka", "--b", "jazz"], "unknown genre 'polka'; accepted: blues"),
        (["--a", "jazz", "--b", "metal", "--alpha", "2"], "alpha must be a number in [0, 1]"),
        (["--a", "jazz", "--b", "metal", "--seconds", "0"], "duration must be in"),
    ],
)
def test_generate_bad_input(tmp_path, capsys, args, message):
    assert main(["generate", *args, "-o", str(tmp_path / "x.wav")]) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.wav").exists()


def test_generate_refuses_bad_output_before_work(tmp_path, capsys):
    assert main(["generate", "--a", "jazz", "--b", "rock", "-o", str(tmp_path / "x.ogg")]) == 2
    assert "accepted: .wav, .mp3" in capsys.readouterr().err


@pytest.mark.slow
def test_blend_main_job_prints_target_beside_prediction(tmp_path, capsys):
    out = tmp_path / "blend.wav"
    assert main(["blend", "--seconds", "8", "--seed", "1", "-o", str(out), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["target"]["jazz"] == pytest.approx(0.7)
    assert sum(report["predicted"].values()) == pytest.approx(1.0)
    assert 0.0 <= report["metrics"]["alpha_hat"] <= 1.0
    meta = json.loads(out.with_suffix(".json").read_text())
    assert meta["measurement"]["metrics"] == report["metrics"]
    assert meta["requested_alpha"] == meta["internal_alpha"] == 0.7 and "alpha" not in meta
    # the other listener and the musicnn judge scored the same track, by default
    kinds = [ear["kind"] for ear in report["ears"]]
    assert kinds[-1] == "judge" and report["ears"][-1]["metrics"]["alpha_hat"] is not None
    others = {ear["name"] for ear in report["ears"] if ear["kind"] == "listener"}
    assert others == set(LISTENER_NAMES) - {report["listener"]}
    assert report["verdict"] == report["landing"]["summary"]
    assert main(["blend", "--seconds", "6", "--seed", "1", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "target" in text and "predicted" in text and "alpha_hat" in text
    assert "(steering): LANDED" in text or "(steering): DID NOT LAND; missed by" in text
    assert "(judge, did not steer)" in text


def test_blend_says_how_far_to_trust_a_miss_on_a_genre_the_listener_seldom_recognises(
    tmp_path, capsys
):
    out = tmp_path / "blend.wav"
    args = ["blend", "--a", "pop", "--b", "blues", "--alpha", "0.5", "--seconds", "4"]
    assert main([*args, "--seed", "2", "--no-judge", "-o", str(out)]) == 0
    text = capsys.readouterr().out
    assert "(steering): DID NOT LAND" in text
    assert (
        "    caution: on real GTZAN tracks by artists it never heard, mel-cnn names blues" in text
    )
    meta = json.loads(out.with_suffix(".json").read_text())
    assert "names blues right only 12%" in meta["measurement"]["caution"]
