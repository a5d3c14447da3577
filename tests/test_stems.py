"""Stems: one track per part, mastered with the mix, summing to it; files, zip, API, engines
without stems."""

import base64
import io
import json
import zipfile

import numpy as np
import pytest
import soundfile as sf

from genreblender.errors import InvalidInputError
from genreblender.generation.composer import Composer
from genreblender.generation.composer.composer import STEM_PARTS
from genreblender.generation.composer.mix import master, master_with_stems
from genreblender.generation.registry import check_stems
from genreblender.generation.writer import stems_zip, write_track
from genreblender.genres import GENRES

#: The stems' sum is within -60 dB of these songs (RMS of the difference re the mix's RMS); what
#: is left is the synthesizer's 16-bit rounding of each part's own rendering. Denser songs reach
#: -50 dB (README: the synthesizer's voice limit in the whole mix).
SUM_BOUND_DB = -60.0
#: ... and within this of any genre's own music; a note lost to the voice limit costs 20 dB more
DENSE_SUM_BOUND_DB = -50.0


def _residual_db(mix: np.ndarray, parts) -> float:
    diff = np.sum([p.astype(np.float64) for p in parts], axis=0) - mix
    return 20 * np.log10(np.sqrt(np.mean(diff**2)) / np.sqrt(np.mean(mix.astype(np.float64) ** 2)))


@pytest.fixture(scope="module")
def composer():
    return Composer()


@pytest.fixture(scope="module")
def sectioned(composer):
    """A sectioned blend with rap in one genre: hip-hop 60%, jazz 40%."""
    return composer.generate("hiphop", "jazz", 0.6, 14.0, 2, stems=True)


def test_master_bus_carries_stems_exactly_when_they_sum_to_the_input():
    rng = np.random.default_rng(0)
    sr = 48000
    t = np.arange(sr * 2) / sr
    a = 0.3 * np.sin(2 * np.pi * 110 * t)[:, None] * np.ones((1, 2))
    b = 0.2 * rng.normal(size=(len(t), 2)) * (np.sin(2 * np.pi * 2 * t) > 0)[:, None]
    settings = {
        "brightness": 0.7,
        "drive": 0.6,
        "compression": 0.7,
        "reverb": 0.5,
        "loudness_rms": 0.2,
        "reference_mfcc": None,
    }
    alone = master(a + b, sr, settings, np.random.default_rng(5))
    mixed, stems = master_with_stems(
        a + b, {"a": a, "b": b, "none": np.zeros_like(a)}, sr, settings, np.random.default_rng(5)
    )
    np.testing.assert_array_equal(mixed, alone)  # the mix is the same with or without stems
    assert _residual_db(mixed, stems.values()) < -100  # float rounding only
    assert not np.any(stems["none"])
    # a driven, compressed stem is not its part scaled by a constant: the bus shaped it
    ratio = stems["a"][sr // 2 :: 997, 0] / np.where(
        a[sr // 2 :: 997, 0] == 0, 1, a[sr // 2 :: 997, 0]
    )
    assert np.std(ratio) > 0.01


def test_stems_are_one_per_part_sum_to_the_mix_and_leave_it_unchanged(composer, sectioned):
    assert list(sectioned.stems) == list(STEM_PARTS)
    for stem in sectioned.stems.values():
        assert stem.shape == sectioned.audio.shape and stem.dtype == np.float32
    assert _residual_db(sectioned.audio, sectioned.stems.values()) < SUM_BOUND_DB
    record = sectioned.metadata["stems"]
    assert record["parts"] == list(STEM_PARTS) and record["sum_residual_db"] < SUM_BOUND_DB
    plain = composer.generate("hiphop", "jazz", 0.6, 14.0, 2)
    np.testing.assert_array_equal(plain.audio, sectioned.audio)
    assert plain.stems is None and "stems" not in plain.metadata


def test_stems_follow_the_sections(sectioned):
    """The rap is hip-hop's: the voice stem sounds in hip-hop's sections and not in jazz's."""
    sr = sectioned.sample_rate
    voice = sectioned.stems["voice"]
    inside = {"hiphop": [], "jazz": []}
    for section in sectioned.metadata["blend"]["sections"]:
        a, b = int((section["start_s"] + 0.1) * sr), int((section["end_s"] - 0.1) * sr)
        inside[section["genre"]].append(np.sqrt(np.mean(voice[a:b] ** 2)))
    assert max(inside["hiphop"]) > 0.01  # (its intro and ending have no rap)
    assert max(inside["jazz"]) < 1e-4


def test_pure_classical_has_silent_drums_and_voice(composer):
    result = composer.generate("classical", "classical", 1.0, 5.0, 0, stems=True)
    assert set(result.metadata["stems"]["silent"]) >= {"drums", "voice"}
    assert not np.any(result.stems["drums"])
    assert _residual_db(result.audio, result.stems.values()) < SUM_BOUND_DB


@pytest.mark.parametrize("genre", GENRES)
def test_no_genre_outruns_the_synthesizers_voices(composer, genre):
    """Each genre's own music sums from its stems: a style whose parts sound more notes at
    once than the synthesizer has voices loses notes in the mix that its stems keep (composer
    2.6's disco, sixteenth string chords with a long release: -29 dB on this track). The
    bound is the dense songs' (pop here: -58 dB), not the rounding floor of ``SUM_BOUND_DB``."""
    result = composer.generate(genre, genre, 1.0, 8.0, 0, stems=True)
    assert result.metadata["stems"]["sum_residual_db"] < DENSE_SUM_BOUND_DB


def test_written_stems_beside_the_mix_sum_to_it(tmp_path, sectioned):
    written = write_track(sectioned, tmp_path / "song.wav")
    assert {p.name for p in written.stem_paths.values()} == {f"song.{p}.wav" for p in STEM_PARTS}
    meta = json.loads(written.sidecar_path.read_text())
    assert meta["files"]["stems"] == {p: f"song.{p}.wav" for p in STEM_PARTS}
    assert meta["stems"]["sum_residual_db"] < SUM_BOUND_DB
    mix, sr = sf.read(written.audio_path)
    stems = [sf.read(path)[0] for path in written.stem_paths.values()]
    assert sr == sectioned.sample_rate
    # 16-bit files add their own rounding, well below the bound
    assert _residual_db(mix, stems) < SUM_BOUND_DB + 2


def test_stems_zip_holds_stems_mix_midi_and_sidecar(sectioned):
    data = stems_zip(sectioned, "blend", {"seed": 2, "stems": sectioned.metadata["stems"]})
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = set(archive.namelist())
        expected = {f"blend.{p}.wav" for p in STEM_PARTS} | {"blend.wav", "blend.mid", "blend.json"}
        assert names == expected
        sidecar = json.loads(archive.read("blend.json"))
        assert sidecar["files"]["stems"]["drums"] == "blend.drums.wav"
        drums, sr = sf.read(io.BytesIO(archive.read("blend.drums.wav")))
    assert sr == sectioned.sample_rate and drums.shape == sectioned.audio.shape


def test_no_stems_no_zip(composer):
    with pytest.raises(InvalidInputError, match="no stems"):
        stems_zip(composer.generate("pop", "pop", 1.0, 3.0, 0), "x", {})


def test_musicgen_refuses_stems_before_generating():
    with pytest.raises(InvalidInputError, match="musicgen engine makes no stems"):
        check_stems("musicgen", True)
    check_stems("musicgen", False)
    check_stems("composer", True)


def test_cli_generate_stems(tmp_path, capsys):
    from genreblender.cli.main import main

    out = tmp_path / "x.wav"
    assert main(["generate", "--a", "rock", "--b", "rock", "--seconds", "4", "--stems",
                 "-o", str(out)]) == 0  # fmt: skip
    printed = capsys.readouterr().out
    assert "x.drums.wav" in printed and "stems sum to the mix within" in printed
    assert all((tmp_path / f"x.{p}.wav").is_file() for p in STEM_PARTS)
    assert main(["generate", "--engine", "musicgen", "--stems", "-o", str(out)]) == 2
    assert "makes no stems" in capsys.readouterr().err


class _ConstantListener:
    """Hears every track as the same blend: enough for the loop to keep a trial."""

    name = "constant"

    def classify(self, audio, sr=None):
        from genreblender.genres import GENRES
        from tests.fakes import one_window_result

        p = np.full(len(GENRES), 0.02)
        p[GENRES.index("jazz")], p[GENRES.index("metal")] = 0.5, 0.34
        return one_window_result(p / p.sum(), len(audio) / sr, "constant")


def test_closed_loop_stems_are_those_of_the_kept_track(composer, tmp_path):
    from genreblender.generation.controls import validate_controls
    from genreblender.pipeline import blend

    outcome = blend(
        "jazz",
        "metal",
        0.6,
        seconds=4,
        seed=5,
        strategy="best_of_n",
        n_candidates=2,
        generator=composer,
        classifier=_ConstantListener(),
        controls=validate_controls(110, "G minor"),
        stems=True,
        output=tmp_path / "b.wav",
    )
    kept = outcome.result
    assert kept.stems is not None and kept.metadata["controls"]["bpm"] == 110.0
    assert _residual_db(kept.audio, kept.stems.values()) < SUM_BOUND_DB
    again = composer.generate(
        "jazz", "metal", outcome.internal_alpha, 4, kept.metadata["seed"],
        controls=validate_controls(110, "G minor"),
    )  # fmt: skip
    np.testing.assert_array_equal(again.audio, kept.audio)
    assert outcome.written.stem_paths["drums"].is_file()


def test_api_generate_with_stems_and_controls():
    from fastapi.testclient import TestClient

    from genreblender.app import api, workers

    previous = api.set_pool(workers.WorkPool(workers=1, kind="thread"))
    try:
        client = TestClient(api.app, raise_server_exceptions=False)
        body = {"genre_a": "rock", "genre_b": "rock", "alpha": 1.0, "seconds": 3, "seed": 1}
        out = client.post("/generate", json=body | {"stems": True, "bpm": 100.0, "key": "E minor"})
        assert out.status_code == 200, out.text
        data = out.json()
        assert data["request"]["bpm"] == 100.0 and data["request"]["key"] == "E minor"
        assert data["metadata"]["controls"] == {"bpm": 100.0, "key": "E minor"}
        with zipfile.ZipFile(io.BytesIO(base64.b64decode(data["stems_zip_base64"]))) as archive:
            assert {f"blend.{p}.wav" for p in STEM_PARTS} <= set(archive.namelist())
        for bad, status, message in [
            ({"stems": True, "engine": "musicgen"}, 400, "makes no stems"),
            ({"key": "X minor"}, 400, "accepted: a note A-G"),
            ({"bpm": 500.0}, 422, "less than or equal to 240"),
            ({"stems": True, "include_audio": False}, 400, "include_audio"),
        ]:
            out = client.post("/generate", json=body | bad)
            assert out.status_code == status and message in out.text, out.text
    finally:
        api.set_pool(previous)


def test_a_sung_lead_is_the_voice_stem_and_the_lead_stem_is_silent(composer):
    result = composer.generate("country", "country", 1.0, 8.0, 1, stems=True)
    assert result.metadata["vocals"]["kind"] == "sung"
    silent = set(result.metadata["stems"]["silent"])
    assert "lead" in silent and "voice" not in silent
    assert np.sqrt(np.mean(result.stems["voice"] ** 2)) > 0.005
    assert _residual_db(result.audio, result.stems.values()) < SUM_BOUND_DB


def test_the_synthesized_parts_are_written_from_the_same_notes_as_the_stems(composer):
    """A sung pop song: the synthesizer plays the file without the lead. Read back and written
    again, that file paired overlapping notes of one pitch differently from the stems' files,
    and the sum missed the mix by -22 dB; written from the same notes, by about -60 dB (pop is
    dense: the synthesizer's voice limit, README)."""
    result = composer.generate("pop", "pop", 1.0, 12.0, 0, stems=True)
    assert result.metadata["vocals"]["kind"] == "sung"
    assert _residual_db(result.audio, result.stems.values()) < -55


def test_a_bass_with_its_own_tone_has_its_treble_rolled_off(composer):
    """Hip-hop's bass is rolled off above 250 Hz (its style's ``tone_hz``); rock's is not."""

    def treble_share(result):
        bass = result.stems["bass"].mean(axis=1)
        spectrum = np.abs(np.fft.rfft(bass)) ** 2
        freqs = np.fft.rfftfreq(len(bass), 1 / result.sample_rate)
        return spectrum[freqs > 1000].sum() / spectrum.sum()

    hiphop = composer.generate("hiphop", "hiphop", 1.0, 6.0, 0, stems=True)
    rock = composer.generate("rock", "rock", 1.0, 6.0, 0, stems=True)
    assert treble_share(hiphop) < 1e-3 < treble_share(rock)
    assert _residual_db(hiphop.audio, hiphop.stems.values()) < SUM_BOUND_DB
