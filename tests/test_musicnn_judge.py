"""The musicnn port: parity with the original TensorFlow outputs, preprocessing, tag map, judge API."""

from __future__ import annotations

import json
import os

import numpy as np
import pytest
import soundfile as sf
import torch

from genreblender.errors import AudioError, InvalidInputError
from genreblender.evaluation.judges import MusicnnJudge, tag_map
from genreblender.evaluation.judges.musicnn import (
    MODELS,
    N_MELS,
    PATCH_FRAMES,
    WEIGHTS_DIR,
    load_tagger,
    log_mel_patches,
    taggram,
)
from genreblender.genres import GENRES

# The reference file rounds to 1e-6; float32 CPU kernels differ from TensorFlow's by a few 1e-6
# (worst seen 4.0e-6 per patch, 3.2e-6 on the mean). 2e-5 leaves room for other BLAS builds
# while still catching any layout, padding or preprocessing mistake (those move tags by >1e-2).
PARITY_TOL = 2e-5


@pytest.fixture(scope="module")
def reference(shared_data):
    path = shared_data.parent / "reference" / "musicnn_gtzan_clips.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    return json.loads(path.read_text())


@pytest.fixture(scope="module")
def judge():
    return MusicnnJudge("MSD_musicnn+MTT_musicnn")


def _clip(gtzan_dir, name):
    y, sr = sf.read(str(gtzan_dir / "audio" / name), dtype="float32")
    return y, sr


@pytest.mark.slow
def test_port_matches_original_tensorflow_outputs(reference, gtzan_dir):
    nets = {m: load_tagger(m) for m in MODELS}
    worst = {m: [0.0, 0.0] for m in MODELS}
    for clip, per_model in reference["clips"].items():
        y, sr = _clip(gtzan_dir, clip)
        patches = log_mel_patches(y, sr)
        for model, (net, tags) in nets.items():
            ref = per_model[model]
            assert list(tags) == ref["tags"]
            got = taggram(net, patches)
            ref_taggram = np.asarray(ref["taggram"])
            assert got.shape == ref_taggram.shape, clip
            worst[model][0] = max(worst[model][0], np.abs(got - ref_taggram).max())
            worst[model][1] = max(worst[model][1], np.abs(got.mean(0) - ref["mean"]).max())
    for model, (patch_dev, mean_dev) in worst.items():
        # Shown with `pytest -s`: the parity figures quoted in reports.
        print(f"{model}: worst |port - TF| per patch {patch_dev:.2e}, on the mean {mean_dev:.2e}")
        assert patch_dev < PARITY_TOL, f"{model}: per-patch deviation {patch_dev:.2e}"
        assert mean_dev < PARITY_TOL, f"{model}: mean deviation {mean_dev:.2e}"


def test_judge_tags_match_reference_mean(reference, gtzan_dir):
    y, sr = _clip(gtzan_dir, "metal/metal.00000.wav")
    tags = MusicnnJudge("MSD_musicnn").tags(y, sr)
    ref = reference["clips"]["metal/metal.00000.wav"]["MSD_musicnn"]
    np.testing.assert_allclose([tags[t] for t in ref["tags"]], ref["mean"], atol=PARITY_TOL)


def test_loud_audio_does_not_overflow_and_tracks_differ(gtzan_dir):
    # The original's float16 cast sends loud spectra to inf and every track to the same tags.
    judge = MusicnnJudge("MSD_musicnn")
    outs = []
    for name in ("metal/metal.00000.wav", "classical/classical.00000.wav"):
        y, sr = _clip(gtzan_dir, name)
        loud = y / np.abs(y).max()
        patches = log_mel_patches(loud, sr)
        assert np.isfinite(patches).all() and patches.max() > np.log10(65504.0)
        outs.append(np.array(list(judge.tags(loud, sr).values())))
    assert np.abs(outs[0] - outs[1]).max() > 0.1


def test_patching_follows_the_extractor(tone_clip):
    y, sr = tone_clip  # 5 s at 22050 Hz
    assert log_mel_patches(y[: 3 * sr], sr).shape == (1, PATCH_FRAMES, N_MELS)
    assert log_mel_patches(y, sr).shape == (1, PATCH_FRAMES, N_MELS)  # trailing 2 s dropped
    six = np.concatenate([y, y[:sr]])
    assert log_mel_patches(six, sr).shape == (2, PATCH_FRAMES, N_MELS)
    assert log_mel_patches(y, sr).dtype == np.float32


def test_stereo_is_averaged_and_other_rates_resampled(tone_clip):
    import librosa

    y, sr = tone_clip
    stereo = np.stack([y, 0.5 * y], axis=1)
    np.testing.assert_allclose(
        log_mel_patches(stereo, sr), log_mel_patches(0.75 * y, sr), atol=1e-5
    )
    y16 = librosa.resample(y, orig_sr=sr, target_sr=16000, res_type="soxr_hq")
    np.testing.assert_allclose(log_mel_patches(y16, 16000), log_mel_patches(y, sr), atol=1e-4)


@pytest.mark.parametrize(
    ("audio", "sr", "match"),
    [
        (np.full(2 * 22050, 0.1, dtype=np.float32), 22050, "too short"),
        (np.zeros(5 * 22050, dtype=np.float32), 22050, "silent"),
        (np.full(5 * 22050, np.nan, dtype=np.float32), 22050, "NaN"),
        (np.ones(5 * 22050, dtype=np.float32), 0, "sample rate"),
        (np.ones(5 * 22050, dtype=np.float32), 22050.5, "sample rate"),
        (np.ones((2, 3, 22050 * 5), dtype=np.float32), 22050, "1-D or 2-D"),
        ([0.1] * (5 * 22050), 22050, "numpy array"),
    ],
)
def test_bad_audio_is_rejected(judge, audio, sr, match):
    with pytest.raises(AudioError, match=match):
        judge.genre_scores(audio, sr)


def test_genre_scores_and_alpha_hat(judge, tone_clip):
    y, sr = tone_clip
    scores = judge.genre_scores(y, sr)
    assert tuple(scores) == judge.visible_genres
    assert sum(scores.values()) == pytest.approx(1.0)
    assert all(v > 0 for v in scores.values())
    a = judge.alpha_hat(y, sr, "jazz", "metal")
    assert a == pytest.approx(scores["jazz"] / (scores["jazz"] + scores["metal"]))
    assert a + judge.alpha_hat(y, sr, "metal", "jazz") == pytest.approx(1.0)
    assert judge.alpha_hat(y, sr, "Hip-Hop", "hiphop") == 1.0
    assert judge.alpha_hat(y, sr, "reggae", "jazz") is None
    assert judge.alpha_hat(y, sr, "jazz", "reggae") is None
    with pytest.raises(InvalidInputError, match="unknown genre"):
        judge.alpha_hat(y, sr, "polka", "jazz")


def test_cached_result_is_not_reused_for_other_audio(judge, tone_clip):
    y, sr = tone_clip
    first = judge.tags(y, sr)
    rng = np.random.default_rng(1)
    noise = (0.1 * rng.standard_normal(y.size)).astype(np.float32)
    assert judge.tags(noise, sr) != first
    assert judge.tags(y, sr) == first
    with pytest.raises(ValueError, match="read-only"):
        judge.judge(y, sr).scores[0] = 1.0


def test_genre_score_is_max_of_mapped_tags(tone_clip):
    y, sr = tone_clip
    judge = MusicnnJudge("MSD_musicnn")
    out = judge.judge(y, sr)
    raw = {
        g: max(out.tags[t] for t in r.tags)
        for g, r in zip(out.genres, tag_map.rules_for("MSD_musicnn"), strict=True)
    }
    total = sum(raw.values())
    np.testing.assert_allclose(out.scores, [raw[g] / total for g in out.genres], rtol=1e-9)
    assert out.patch_scores.shape == (1, len(out.genres))
    np.testing.assert_allclose(out.patch_scores.sum(axis=1), 1.0)


def test_visible_genres_never_include_reggae():
    assert tag_map.visible_genres("MSD_musicnn") == (
        "blues",
        "country",
        "disco",
        "hiphop",
        "jazz",
        "metal",
        "pop",
        "rock",
    )
    assert tag_map.visible_genres("MTT_musicnn") == (
        "classical",
        "country",
        "disco",
        "metal",
        "pop",
        "rock",
    )
    both = tag_map.visible_genres("MSD_musicnn+MTT_musicnn")
    assert both == tuple(g for g in GENRES if g != "reggae")
    for judge in tag_map.JUDGE_MODELS:
        assert "reggae" in tag_map.invisible_genres(judge)
    # Combined judges read each genre from the first model that sees it.
    assert {
        r.model for r in tag_map.rules_for("MSD_musicnn+MTT_musicnn") if r.genre != "classical"
    } == {"MSD_musicnn"}


def test_tag_map_names_real_tags_once_per_genre():
    for model in MODELS:
        _, tags = load_tagger(model)
        rules = [r for r in tag_map.RULES if r.model == model]
        assert len({r.genre for r in rules}) == len(rules)
        for rule in rules:
            assert rule.genre in GENRES
            assert set(rule.tags) <= set(tags), rule
            assert rule.reason
    assert "| MSD_musicnn | hiphop | `Hip-Hop` |" in tag_map.as_markdown()


def test_unknown_model_and_device_are_rejected():
    with pytest.raises(InvalidInputError, match="accepted: MSD_musicnn"):
        MusicnnJudge("MSD_vgg")
    with pytest.raises(InvalidInputError, match="device"):
        MusicnnJudge("MSD_musicnn", device="toaster")


def test_shipped_weights_are_small_float32_with_licence():
    for model in MODELS:
        path = WEIGHTS_DIR / f"{model}.pth"
        assert path.stat().st_size < 4e6
        payload = torch.load(path, weights_only=True)
        assert payload["model"] == model and len(payload["tags"]) == 50
        floats = [v for v in payload["state_dict"].values() if v.is_floating_point()]
        assert floats and all(v.dtype == torch.float32 for v in floats)
    licence = (WEIGHTS_DIR / "LICENSE-musicnn.md").read_text()
    assert "Jordi Pons" in licence and "Permission to use, copy, modify" in licence


def _converter():
    import importlib.util
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "scripts" / "convert_musicnn_weights.py"
    spec = importlib.util.spec_from_file_location("convert_musicnn_weights", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _varint(n: int) -> bytes:
    out = bytearray()
    while True:
        byte, n = n & 0x7F, n >> 7
        out.append(byte | (0x80 if n else 0))
        if not n:
            return bytes(out)


def _block(entries: list[tuple[bytes, bytes]]) -> bytes:
    """A LevelDB table block with prefix-compressed keys and a single restart point."""
    body, previous = bytearray(), b""
    for key, value in entries:
        shared = len(os.path.commonprefix([previous, key]))
        body += _varint(shared) + _varint(len(key) - shared) + _varint(len(value))
        body += key[shared:] + value
        previous = key
    return bytes(body) + (0).to_bytes(4, "little") + (1).to_bytes(4, "little")


def _field(number: int, payload: bytes) -> bytes:
    """A length-delimited protobuf field."""
    return _varint(number << 3 | 2) + _varint(len(payload)) + payload


def _tensor_entry(shape: tuple[int, ...], offset: int, size: int) -> bytes:
    """BundleEntryProto: dtype DT_FLOAT, shape, offset and size in the data shard."""
    shape_proto = b"".join(_field(2, b"\x08" + _varint(n)) for n in shape)
    return (
        b"\x08\x01" + _field(2, shape_proto) + b"\x20" + _varint(offset) + b"\x28" + _varint(size)
    )


def test_checkpoint_reader_reads_a_tensor_bundle(tmp_path):
    # A hand-made TensorFlow V2 checkpoint in musicnn's layout (prefix = folder + "/").
    conv = np.arange(24, dtype=np.float32).reshape(2, 3, 1, 4)
    bias = np.array([0.5, -1.5], dtype=np.float32)
    data = bias.tobytes() + conv.tobytes()
    entries = [
        (b"", b"\x08\x01"),  # BundleHeaderProto, skipped
        (b"conv2d/bias", _tensor_entry(bias.shape, 0, bias.nbytes)),
        (b"conv2d/kernel", _tensor_entry(conv.shape, bias.nbytes, conv.nbytes)),
    ]
    folder = tmp_path / "MSD_musicnn"
    folder.mkdir()
    (folder / ".data-00000-of-00001").write_bytes(data)
    data_block = _block(entries)
    index = bytearray(data_block + b"\x00" + b"\x00" * 4)
    meta_offset = len(index)
    meta_block = _block([])
    index += meta_block + b"\x00" * 5
    index_offset = len(index)
    index_block = _block([(b"conv2d/kernel\x00", _varint(0) + _varint(len(data_block)))])
    index += index_block + b"\x00" * 5
    handles = (
        _varint(meta_offset)
        + _varint(len(meta_block))
        + _varint(index_offset)
        + _varint(len(index_block))
    )
    index += handles.ljust(40, b"\x00") + (0xDB4775248B80FB57).to_bytes(8, "little")
    (folder / ".index").write_bytes(bytes(index))

    tensors = _converter().read_checkpoint(str(folder) + "/")
    assert set(tensors) == {"conv2d/bias", "conv2d/kernel"}
    np.testing.assert_array_equal(tensors["conv2d/bias"], bias)
    np.testing.assert_array_equal(tensors["conv2d/kernel"], conv)


def test_command_line_prints_top_genre_and_rejects_bad_files(tmp_path, tone_clip, capsys):
    from genreblender.evaluation.judges.__main__ import main

    y, sr = tone_clip
    path = tmp_path / "tone.wav"
    sf.write(path, y, sr)
    assert main([str(path), "--model", "MSD_musicnn"]) == 0
    out = capsys.readouterr().out
    assert "visible genres blues, country" in out
    top = max(MusicnnJudge("MSD_musicnn").genre_scores(y, sr).items(), key=lambda kv: kv[1])[0]
    assert f"{path}: {top} [" in out
    assert main([str(tmp_path / "missing.wav")]) == 2
    assert "no such audio file" in capsys.readouterr().err
