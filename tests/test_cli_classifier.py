"""The classifier's command line: classify, train (table and audio folder), evaluate-classifier."""

import json

import numpy as np
import pytest
import soundfile as sf

from genreblender.cli.main import main
from genreblender.genres import GENRES

from .test_classifier import synthetic_table


def test_classify_prints_table_and_json(tmp_path, tone_clip, capsys):
    y, sr = tone_clip
    path = tmp_path / "tone.wav"
    sf.write(path, y, sr)
    assert main(["classify", str(path)]) == 0
    out = capsys.readouterr().out
    assert "top:" in out and "3 windows" in out and "mel-cnn" in out  # 5 s in 3-s windows
    assert main(["classify", "--json", str(path)]) == 0
    data = json.loads(capsys.readouterr().out)
    assert set(data["probabilities"]) == set(GENRES)
    assert sum(data["probabilities"].values()) == pytest.approx(1.0)


def test_classify_bad_file_reports_and_continues(tmp_path, tone_clip, capsys):
    y, sr = tone_clip
    good = tmp_path / "good.wav"
    sf.write(good, y, sr)
    bad = tmp_path / "bad.wav"
    bad.write_bytes(b"")
    assert main(["classify", str(bad), str(good)]) == 1
    captured = capsys.readouterr()
    assert "bad.wav: error:" in captured.err and "empty" in captured.err
    assert "good.wav" in captured.out


@pytest.mark.slow
def test_train_on_table_writes_model_and_report(tmp_path, capsys):
    table = synthetic_table(n_per_genre=8)
    csv = tmp_path / "table.csv"
    table.to_csv(csv, index=False)
    out = tmp_path / "model"
    code = main(
        ["train", str(csv), "--split", "group", "--seeds", "2", "--epochs", "40", "--out", str(out)]
    )
    assert code == 0
    report = json.loads((out / "model_30sec_metrics.json").read_text())
    assert report["validation"]["track_accuracy"]["mean"] > 0.1
    assert len(report["validation"]["track_accuracy"]["values"]) == 2
    assert (out / "model_30sec_confusion.png").stat().st_size > 1000
    assert (out / "model_30sec.pth").exists()
    assert "validation track accuracy" in capsys.readouterr().out

    assert (
        main(["evaluate-classifier", str(csv), "--model", str(out / "model_30sec.pth"), "--json"])
        == 0
    )
    scored = json.loads(capsys.readouterr().out)
    assert 0.0 <= scored["track_accuracy"] <= 1.0 and scored["n_tracks"] == len(table)


def test_evaluate_segments_groups_by_track(tmp_path, capsys):
    table = synthetic_table(n_per_genre=3, segments=4)
    csv = tmp_path / "seg.csv"
    table.to_csv(csv, index=False)
    assert main(["evaluate-classifier", str(csv), "--json"]) == 0
    scored = json.loads(capsys.readouterr().out)
    assert scored["n_rows"] == 120 and scored["n_tracks"] == 30
    assert "segment_accuracy" in scored


def test_train_refuses_bad_table(tmp_path, capsys):
    csv = tmp_path / "bad.csv"
    csv.write_text("a,b\n1,2\n")
    assert main(["train", str(csv)]) == 2
    assert "missing columns" in capsys.readouterr().err


@pytest.mark.slow
def test_train_on_audio_folder_skips_bad_files(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GENREBLENDER_CACHE", str(tmp_path / "cache"))
    rng = np.random.default_rng(0)
    sr = 22050
    t = np.arange(int(6.5 * sr)) / sr
    for g, genre in enumerate(GENRES[:4]):
        (tmp_path / "data" / genre).mkdir(parents=True)
        for k in range(3):
            f0 = 110 * (g + 1) * (1 + 0.05 * k)
            y = 0.3 * np.sin(2 * np.pi * f0 * t) + 0.02 * rng.normal(size=t.size)
            sf.write(tmp_path / "data" / genre / f"{genre}.{k:05d}.wav", y, sr)
    (tmp_path / "data" / "blues" / "blues.00009.wav").write_bytes(b"broken")
    out = tmp_path / "model"
    code = main(
        [
            "train",
            str(tmp_path / "data"),
            "--window",
            "3",
            "--split",
            "group",
            "--seeds",
            "1",
            "--epochs",
            "3",
            "--out",
            str(out),
            "--jobs",
            "1",
        ]
    )
    assert code == 0
    err = capsys.readouterr().err
    assert "skipped" in err and "blues.00009.wav" in err
    assert "no files for genres" in err
    meta = json.loads((out / "model_3sec.json").read_text())
    assert meta["window_s"] == 3.0
