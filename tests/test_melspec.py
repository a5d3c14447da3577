"""The mel representation: native computation from audio, image decoding, and their parity."""

from __future__ import annotations

import numpy as np
import pytest

from genreblender.classification import melspec
from genreblender.classification.mel_images import (
    MelImageError,
    decode_mel_image,
    read_mel_image_folder,
)
from genreblender.errors import InvalidInputError


def _render_image(levels: np.ndarray, path) -> None:
    """Draw ``(128, 387)`` levels as a GTZAN mel image would look (magma, ~3 rows a band)."""
    import matplotlib
    from PIL import Image

    rgb = np.round(matplotlib.colormaps["magma"](np.linspace(0, 1, 256))[:, :3] * 255)
    bands = np.floor(
        (melspec.IMAGE_HEIGHT - np.arange(melspec.IMAGE_HEIGHT) - 0.5)
        * melspec.N_MELS
        / melspec.IMAGE_HEIGHT
    ).astype(int)
    pixels = rgb[levels[bands]].astype(np.uint8)  # (385, 387, 3)
    Image.fromarray(pixels, "RGB").save(path)


def test_timebase_is_the_images_column_rate():
    assert abs(melspec.COLUMNS_PER_SECOND - 12.906) < 1e-3
    # a 1293-frame GTZAN clip: the fixed time base is exactly the image's column mapping
    np.testing.assert_array_equal(
        melspec.timebase_columns(melspec.GTZAN_FRAMES), melspec.image_columns(1293)
    )
    # 3 s of audio is one 39-column window
    n_frames = 1 + int(3.0 * 22050) // melspec.HOP_LENGTH
    assert len(melspec.timebase_columns(n_frames)) == 39


def test_quantisation_matches_power_to_db_and_the_colormap_rule(rng):
    import librosa

    power = rng.gamma(0.5, size=(128, 200)).astype(np.float32)
    power[:, :20] = 1e-12  # below the -80 dB floor
    levels = melspec.quantise_db(power)
    db = librosa.power_to_db(power, ref=np.max)
    assert db.min() == pytest.approx(-80.0)
    expected = np.clip(np.floor((db + 80) / 80 * 256), 0, 255)
    np.testing.assert_array_equal(levels, expected)
    assert levels.max() == 255 and levels.min() == 0


def test_a_clip_with_less_than_80_db_of_range_is_normalised_to_its_own_minimum(rng):
    power = rng.uniform(1.0, 10.0, size=(128, 100)).astype(np.float32)  # 10 dB range
    levels = melspec.quantise_db(power)
    assert levels.min() == 0 and levels.max() == 255  # matplotlib stretches [min, max]


def test_long_audio_is_referenced_to_the_30_s_around_each_frame(rng):
    span = 100
    power = rng.uniform(1e-5, 1e-4, size=(128, 1000)).astype(np.float32)
    power[:, 10] = 1.0  # one loud moment near the start
    power[:, 500:] *= 0.01  # a quieter second half
    local = melspec.quantise_db(power, span_frames=span)
    whole = melspec.quantise_db(power, span_frames=None)
    # far from the loud moment the quiet half is referenced to its own neighbourhood
    assert (local[:, 800] > whole[:, 800]).all()
    assert local[:, 600:].max() == 255 and whole[:, 600:].max() < 100
    # each frame is quantised as if its span were a clip of its own
    np.testing.assert_array_equal(local[:, 40], melspec.quantise_db(power[:, :span])[:, 40])
    np.testing.assert_array_equal(
        local[:, 800], melspec.quantise_db(power[:, 750 : 750 + span])[:, 50]
    )
    # short audio (within the slack) is referenced as a whole
    np.testing.assert_array_equal(
        melspec.quantise_db(power[:, :105], span_frames=span), melspec.quantise_db(power[:, :105])
    )


def test_mel_levels_of_audio(tone_clip):
    y, sr = tone_clip
    levels = melspec.mel_levels(y, sr)
    assert levels.dtype == np.uint8 and levels.shape[0] == 128
    assert levels.shape[1] == len(melspec.timebase_columns(1 + len(y) // 512))
    with pytest.raises(InvalidInputError, match="22050"):
        melspec.mel_levels(y, 44100)
    with pytest.raises(InvalidInputError, match="columns"):
        melspec.mel_levels(y, sr, columns="pixels")


def test_windows_cover_the_track_and_the_last_is_aligned_to_the_end():
    levels = np.zeros((128, 100), dtype=np.uint8)
    windows, starts = melspec.frame_windows(levels, 39, 19)
    np.testing.assert_array_equal(starts, [0, 19, 38, 57, 61])
    assert windows.shape == (5, 128, 39)
    assert melspec.frame_windows(levels[:, :39], 39, 19)[1].tolist() == [0]
    with pytest.raises(InvalidInputError, match="shorter than one"):
        melspec.frame_windows(levels[:, :38], 39, 19)


def test_decoder_round_trips_a_rendered_image(tmp_path, rng):
    levels = rng.integers(0, 256, size=(128, 387), dtype=np.uint8)
    path = tmp_path / "x.png"
    _render_image(levels, path)
    np.testing.assert_array_equal(decode_mel_image(path), levels)


def test_decoder_refuses_wrong_size_off_colormap_and_unreadable(tmp_path, rng):
    from PIL import Image

    small = tmp_path / "small.png"
    Image.new("RGB", (100, 100)).save(small)
    with pytest.raises(MelImageError, match="100x100.*387x385"):
        decode_mel_image(small)
    levels = rng.integers(0, 256, size=(128, 387), dtype=np.uint8)
    off = tmp_path / "off.png"
    _render_image(levels, off)
    pixels = np.asarray(Image.open(off)).copy()
    pixels[5, 7] = (0, 255, 0)  # green is not in magma
    Image.fromarray(pixels).save(off)
    with pytest.raises(MelImageError, match="not magma colours.*row 5, column 7"):
        decode_mel_image(off)
    junk = tmp_path / "junk.png"
    junk.write_bytes(b"not a png")
    with pytest.raises(MelImageError, match="cannot read"):
        decode_mel_image(junk)


def test_folder_reader_skips_bad_files_and_reports_missing_genres(tmp_path, rng):
    for genre, n in (("jazz", 2), ("metal", 1)):
        (tmp_path / genre).mkdir()
        for i in range(n):
            _render_image(
                rng.integers(0, 256, (128, 387), dtype=np.uint8),
                tmp_path / genre / f"{genre}.{i:05d}.png",
            )
    (tmp_path / "metal" / "metal.00009.png").write_bytes(b"broken")
    seen = []
    images = read_mel_image_folder(tmp_path, on_error=lambda p, m: seen.append(p.name))
    assert images.tracks == ("jazz.00000", "jazz.00001", "metal.00000")
    assert images.levels.shape == (3, 128, 387)
    assert seen == ["metal.00009.png"] and len(images.skipped) == 1
    assert "blues" in images.missing_genres and "jazz" not in images.missing_genres
    (tmp_path / "polka").mkdir()
    with pytest.raises(InvalidInputError, match="polka"):
        read_mel_image_folder(tmp_path)


@pytest.mark.needs_shared
@pytest.mark.slow
def test_parity_with_the_shared_gtzan_images(gtzan_dir):
    """The representation computed from the 12 shared clips equals their decoded images."""
    from genreblender.audio import load_audio

    clips = sorted((gtzan_dir / "audio").glob("*/*.wav"))
    assert len(clips) == 12
    exact, worst = 0, 1.0
    for clip in clips:
        image = decode_mel_image(gtzan_dir / "mel_images" / clip.parent.name / f"{clip.stem}.png")
        native = melspec.mel_levels(load_audio(clip).samples, columns="image")
        assert native.shape == image.shape == (128, 387)
        agree = float((native == image).mean())
        exact += agree == 1.0
        worst = min(worst, agree)
    assert exact >= 10
    assert worst >= 0.999
