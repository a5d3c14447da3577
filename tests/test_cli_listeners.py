"""``--listener`` on the command line, and evaluate-classifier on images, audio and tables."""

from __future__ import annotations

import json

import numpy as np
import pytest
import soundfile as sf

from genreblender.classification import melspec
from genreblender.classification.listeners import DEFAULT_LISTENER
from genreblender.cli.main import main
from genreblender.genres import GENRES

from .test_classifier import synthetic_table
from .test_melspec import _render_image


def test_classify_with_each_listener(tmp_path, tone_clip, capsys):
    y, sr = tone_clip
    path = tmp_path / "tone.wav"
    sf.write(path, y, sr)
    for name, windows in (("features-mlp", 1), ("mel-cnn", 3)):
        assert main(["classify", "--json", "--listener", name, str(path)]) == 0
        data = json.loads(capsys.readouterr().out)
        assert data["model"]["listener"] == name
        assert len(data["segments"]) == windows  # 5 s: one 30-s window, or 3-s windows
    assert main(["classify", "--listener", "resnet", str(path)]) == 2
    assert "accepted: mel-cnn, features-mlp" in capsys.readouterr().err


def test_default_listener_gives_a_timeline_of_at_least_10_points_for_20_s(tmp_path, capsys):
    sr = 22050
    rng = np.random.default_rng(0)
    t = np.arange(20 * sr) / sr
    y = (0.2 * np.sin(2 * np.pi * 220 * t) + 0.05 * rng.normal(size=t.size)).astype(np.float32)
    path = tmp_path / "twenty.wav"
    sf.write(path, y, sr)
    assert main(["classify", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["model"]["listener"] == DEFAULT_LISTENER
    assert len(data["segments"]) >= 10


def _image_folder(root, rng, genres=("jazz", "metal"), per_genre=2):
    for genre in genres:
        (root / genre).mkdir(parents=True)
        for i in range(per_genre):
            _render_image(
                rng.integers(0, 256, (128, melspec.IMAGE_WIDTH), dtype=np.uint8),
                root / genre / f"{genre}.{i:05d}.png",
            )


def test_evaluate_classifier_on_a_mel_image_folder(tmp_path, capsys):
    rng = np.random.default_rng(0)
    _image_folder(tmp_path / "images", rng)
    (tmp_path / "images" / "jazz" / "jazz.00099.png").write_bytes(b"broken")
    assert main(["evaluate-classifier", str(tmp_path / "images"), "--json"]) == 0
    captured = capsys.readouterr()
    report = json.loads(captured.out)
    assert report["input_kind"] == "mel_images"
    assert report["listener"]["listener"] == "mel-cnn"
    assert report["n_tracks"] == 4
    assert 0.0 <= report["track_accuracy"] <= 1.0 and 0.0 <= report["ece"] <= 1.0
    assert set(report["per_genre"]) == set(GENRES)
    assert [s["file"].endswith("jazz.00099.png") for s in report["skipped"]] == [True]
    assert "blues" in report["missing_genres"]
    assert "jazz.00099.png" in captured.err
    # the feature MLP cannot read images: a clear error, exit 2
    assert main(["evaluate-classifier", str(tmp_path / "images"), "--listener",
                 "features-mlp"]) == 2
    assert "cannot read a mel images input" in capsys.readouterr().err


def test_evaluate_classifier_on_an_audio_folder_with_both_listeners(tmp_path, tone_clip, capsys):
    y, sr = tone_clip
    for genre in ("blues", "rock"):
        (tmp_path / genre).mkdir()
        sf.write(tmp_path / genre / f"{genre}.00000.wav", y, sr)
    (tmp_path / "rock" / "rock.00001.wav").write_bytes(b"")
    for name in ("mel-cnn", "features-mlp"):
        assert main(["evaluate-classifier", str(tmp_path), "--listener", name, "--json"]) == 0
        report = json.loads(capsys.readouterr().out)
        assert report["input_kind"] == "audio" and report["n_tracks"] == 2
        assert report["listener"]["listener"] == name
        assert len(report["skipped"]) == 1 and "empty" in report["skipped"][0]["reason"]


def test_evaluate_classifier_on_a_table_uses_the_feature_mlp(tmp_path, capsys):
    csv = tmp_path / "table.csv"
    synthetic_table(n_per_genre=3).to_csv(csv, index=False)
    assert main(["evaluate-classifier", str(csv), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["listener"]["listener"] == "features-mlp" and report["n_tracks"] == 30
    assert main(["evaluate-classifier", str(csv), "--listener", "mel-cnn"]) == 2
    assert "cannot read a table input" in capsys.readouterr().err
    (tmp_path / "notes.txt").write_text("x")
    assert main(["evaluate-classifier", str(tmp_path / "notes.txt")]) == 2
    assert "expected a feature table" in capsys.readouterr().err


@pytest.mark.needs_shared
@pytest.mark.slow
def test_evaluate_default_listener_on_shared_images(gtzan_dir, tmp_path, capsys):
    """The command the shipped default is checked with, on a few of the shared images."""
    import shutil

    for genre in ("blues", "metal", "classical"):
        (tmp_path / genre).mkdir()
        for png in sorted((gtzan_dir / "mel_images" / genre).glob("*.png"))[:3]:
            shutil.copy(png, tmp_path / genre / png.name)  # a scratch copy, outside the repo
    assert main(["evaluate-classifier", str(tmp_path), "--json"]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["n_tracks"] == 9 and report["skipped"] == []
    # training tracks of the shipped model: this checks the image path end to end
    assert report["track_accuracy"] >= 0.6
