"""The embedded composer: style blending rule, determinism, every genre, output and errors."""

import io

import numpy as np
import pytest

from genreblender.errors import InvalidInputError
from genreblender.generation import get_generator
from genreblender.generation.composer import Composer
from genreblender.generation.composer.score import step_to_seconds
from genreblender.generation.composer.style import blend_styles, load_style
from genreblender.genres import GENRES


@pytest.fixture(scope="module")
def composer():
    return Composer()


def _grid(style, voice):
    return np.asarray(style["drums"]["grid"].get(voice, [0.0] * 16))


def test_alpha_one_is_pure_a_and_zero_is_pure_b():
    jazz, metal = load_style("jazz"), load_style("metal")
    at_one, at_zero = blend_styles("jazz", "metal", 1.0), blend_styles("jazz", "metal", 0.0)
    for voice in ("kick", "ride", "snare"):
        np.testing.assert_allclose(_grid(at_one, voice), _grid(jazz, voice))
        np.testing.assert_allclose(_grid(at_zero, voice), _grid(metal, voice))
    assert at_one["swing"] == jazz["swing"] and at_zero["swing"] == metal["swing"]
    assert at_one["tempo_bpm"] == pytest.approx(jazz["tempo_bpm"])
    assert {k: v for k, v in at_one["scale"].items() if v} == jazz["scale"]


def test_half_blend_mixes_probabilities_and_interpolates_parameters():
    jazz, metal = load_style("jazz"), load_style("metal")
    half = blend_styles("jazz", "metal", 0.5)
    np.testing.assert_allclose(
        _grid(half, "kick"), 0.5 * _grid(jazz, "kick") + 0.5 * _grid(metal, "kick")
    )
    assert half["mix"]["drive"] == pytest.approx(
        0.5 * jazz["mix"]["drive"] + 0.5 * metal["mix"]["drive"]
    )
    # tempo interpolates geometrically
    assert half["tempo_bpm"][0] == pytest.approx(
        np.sqrt(jazz["tempo_bpm"][0] * metal["tempo_bpm"][0])
    )
    assert sum(half["scale"].values()) == pytest.approx(1.0)
    layers = half["melody"]["programs"]["layers"]
    assert [w for _, w in layers] == [0.5, 0.5]


def test_swing_moves_only_offbeat_eighths():
    straight = step_to_seconds([0, 2, 4], 120, 0.0)
    swung = step_to_seconds([0, 2, 4], 120, 1 / 3)
    np.testing.assert_allclose(straight, [0, 0.25, 0.5])
    np.testing.assert_allclose(swung, [0, 1 / 3, 0.5])  # triplet feel: 2/3 of the beat


def test_same_request_same_audio(composer):
    a = composer.generate("jazz", "metal", 0.7, 4.0, 3)
    b = composer.generate("jazz", "metal", 0.7, 4.0, 3)
    np.testing.assert_array_equal(a.audio, b.audio)
    assert a.midi == b.midi
    c = composer.generate("jazz", "metal", 0.7, 4.0, 4)
    assert not np.array_equal(a.audio, c.audio)


@pytest.mark.slow
@pytest.mark.parametrize("genre", GENRES)
def test_every_genre_renders_real_music(composer, genre):
    import pretty_midi

    result = composer.generate(genre, genre, 1.0, 8.0, 0)
    audio, sr, meta = result
    assert sr == 44100 and audio.shape == (8 * 44100, 2) and audio.dtype == np.float32
    assert np.isfinite(audio).all() and np.abs(audio).max() <= 1.0
    assert np.sqrt(np.mean(audio**2)) > 0.01  # not silent
    midi = pretty_midi.PrettyMIDI(io.BytesIO(result.midi))
    assert sum(len(i.notes) for i in midi.instruments) > 20
    has_drums = any(i.is_drum for i in midi.instruments)
    assert has_drums == (genre != "classical")
    for key in ("engine", "genre_a", "genre_b", "alpha", "seed", "duration_s", "model_version"):
        assert key in meta
    assert meta["engine"] == "composer" and meta["genre_a"] == genre


def test_parts_take_instruments_of_either_genre_monotonically(composer):
    def genres_of(alpha, seed):
        meta = composer.compose("jazz", "metal", alpha, 4.0, seed)[1]
        return {t.name.split(":")[0]: t.name.split(":")[1] for t in meta if ":" in t.name}

    assert set(genres_of(1.0, 1).values()) == {"jazz"}
    assert set(genres_of(0.0, 1).values()) == {"metal"}
    seen = set()
    for seed in range(6):
        low, high = genres_of(0.3, seed), genres_of(0.7, seed)
        assert all(high[p] == "jazz" for p, g in low.items() if g == "jazz" and p in high)
        seen |= set(genres_of(0.5, seed).values())
    assert seen == {"jazz", "metal"}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("polka", "jazz", 0.5, 5, 0), "unknown genre"),
        (("jazz", "metal", 1.5, 5, 0), r"\[0, 1\]"),
        (("jazz", "metal", 0.5, 0, 0), "duration"),
        (("jazz", "metal", 0.5, 10_000, 0), "duration"),
        (("jazz", "metal", 0.5, 5, -3), "seed"),
    ],
)
def test_bad_requests(composer, args, message):
    with pytest.raises(InvalidInputError, match=message):
        composer.generate(*args)


def test_soundfont_option(tmp_path):
    with pytest.raises(InvalidInputError, match="does not exist"):
        Composer(soundfont=tmp_path / "none.sf2")
    fake = tmp_path / "fake.sf2"
    fake.write_bytes(b"not a soundfont")
    with pytest.raises(InvalidInputError, match="SoundFont 2"):
        Composer(soundfont=fake)


def test_registry_builds_the_composer():
    assert isinstance(get_generator("composer"), Composer)
    with pytest.raises(InvalidInputError, match="accepted: composer, musicgen"):
        get_generator("nope")


def test_bar_grooves_follow_alpha_monotonically(composer):
    def a_bars(alpha):
        score = composer.compose("jazz", "metal", alpha, 30.0, 5)[0]
        return [g["genre"] == "jazz" for g in score.grooves]

    assert all(a_bars(1.0)) and not any(a_bars(0.0))
    low, high = a_bars(0.3), a_bars(0.7)
    n = min(len(low), len(high))
    assert all(h for lo, h in zip(low[:n], high[:n], strict=True) if lo)  # A-bars only grow
    assert sum(low[:n]) < sum(high[:n])


def test_reference_spectrum_blends_in_db_and_is_exact_at_the_ends():
    jazz, metal = load_style("jazz"), load_style("metal")
    assert len(jazz["mix"]["reference_mfcc"]) == 20
    np.testing.assert_allclose(
        blend_styles("jazz", "metal", 1.0)["mix"]["reference_mfcc"], jazz["mix"]["reference_mfcc"]
    )
    np.testing.assert_allclose(
        blend_styles("jazz", "metal", 0.0)["mix"]["reference_mfcc"], metal["mix"]["reference_mfcc"]
    )
    np.testing.assert_allclose(
        blend_styles("jazz", "metal", 0.3)["mix"]["reference_mfcc"],
        0.3 * np.asarray(jazz["mix"]["reference_mfcc"])
        + 0.7 * np.asarray(metal["mix"]["reference_mfcc"]),
    )


def test_reference_match_moves_the_tonal_balance_onto_the_reference():
    from genreblender.generation.composer import mix

    rng = np.random.default_rng(0)
    sr = 48000
    noise = rng.normal(size=(sr * 4, 2)) * 0.1  # white: far brighter than any genre's reference
    for genre in ("classical", "metal"):
        target = mix.mfcc_to_db(load_style(genre)["mix"]["reference_mfcc"])

        def shape_error(audio, target=target):
            curve = mix.mfcc_to_db(mix.long_term_mfcc(audio, sr))
            diff = curve - target
            return float(np.sqrt(np.mean((diff - diff.mean()) ** 2)))

        before = shape_error(noise)
        after = shape_error(
            mix.match_reference(noise, sr, load_style(genre)["mix"]["reference_mfcc"])
        )
        assert after < 0.5 * before, (genre, before, after)
    # strength 0 leaves the audio untouched; silence stays silence
    reference = load_style("jazz")["mix"]["reference_mfcc"]
    np.testing.assert_array_equal(mix.match_reference(noise, sr, reference, strength=0.0), noise)
    silent = np.zeros((sr, 2))
    np.testing.assert_array_equal(mix.match_reference(silent, sr, reference), silent)


def test_reference_match_gain_is_bounded():
    from genreblender.generation.composer import mix

    sr = 48000
    t = np.arange(sr * 2) / sr
    tone = np.stack([np.sin(2 * np.pi * 440 * t)] * 2, axis=1) * 0.1
    extreme = np.zeros(20)
    extreme[1] = 1e4  # a reference no real recording has: thousands of dB of tilt
    out = mix.match_reference(tone, sr, extreme)
    gain_db = 20 * np.log10(np.sqrt(np.mean(out**2)) / np.sqrt(np.mean(tone**2)))
    assert abs(gain_db) <= mix.MAX_MATCH_DB + 0.5


def test_endings_follow_the_styles_and_alpha_monotonically(composer):
    # a whole song (45 s and longer): classical always ends on a held chord; a fading ending
    # appears as pop's weight grows and, for one seed, never turns back into a final chord
    for seed in range(6):
        endings = [
            composer.compose("pop", "classical", alpha, 50, seed)[0].ending
            for alpha in np.linspace(0, 1, 6)
        ]
        assert endings[0] == "final_chord"
        first_fade = endings.index("fade") if "fade" in endings else len(endings)
        assert all(e == "fade" for e in endings[first_fade:]), endings
    score = None
    for seed in range(20):
        score = composer.compose("pop", "pop", 1.0, 50, seed)[0]
        if score.ending == "fade":
            break
    assert score.ending == "fade"
    assert all(s.kind != "outro" for s in score.sections)
    bar_s = 4 * 60.0 / score.bpm
    assert score.n_bars * bar_s >= 50  # the body plays to the end of the track


def test_a_short_track_is_an_excerpt_that_fades(composer):
    # under EXCERPT_BELOW_S even classical plays on to the end and fades (no held chord), the
    # same notes as its whole song up to there: only the form's end changes
    from genreblender.generation.composer.arrangement import EXCERPT_BELOW_S

    for seed in range(3):
        short = composer.compose("classical", "classical", 1.0, 20, seed)[0]
        assert short.ending == "fade" and all(s.kind != "outro" for s in short.sections)
        assert short.n_bars * 4 * 60.0 / short.bpm >= 20
        assert composer.compose("classical", "classical", 1.0, EXCERPT_BELOW_S, seed)[0].ending == (
            "final_chord"
        )
    # the rendered track fades out over its last seconds instead of ringing a chord
    result = composer.generate("classical", "classical", 1.0, 20, 0)
    assert result.metadata["ending"] == "fade"
    tail = np.abs(result.audio[-int(0.05 * result.sample_rate) :]).max()
    body = np.abs(result.audio[-int(4 * result.sample_rate) : -int(2 * result.sample_rate)]).max()
    assert tail < 0.1 * body


def test_drum_kit_and_comp_doubling_follow_the_style(composer):
    # the kit a style names is the drum track's program (bank 128); a pure song plays its own
    for genre in ("pop", "rock"):
        tracks = composer.compose(genre, genre, 1.0, 8.0, 3)[1]
        (drums,) = [t for t in tracks if t.is_drum]
        assert drums.program == int(load_style(genre)["drums"]["kit"][0][0])
    # reggae's skank is doubled: a second comping track with the same notes, the style's program
    tracks = composer.compose("reggae", "reggae", 1.0, 8.0, 3)[1]
    comp = [t for t in tracks if t.name.startswith("comp")]
    program, share = load_style("reggae")["harmony"]["double"]
    assert len(comp) == 2 and comp[1].name.endswith(":double")
    assert comp[1].program == program and comp[1].notes == comp[0].notes
    assert comp[1].level == pytest.approx(share * comp[0].level)
    # a style without one has no doubling
    assert not any(
        t.name.endswith(":double") for t in composer.compose("rock", "rock", 1.0, 8.0, 3)[1]
    )


@pytest.mark.parametrize("kit", [24, 25, 40])
def test_the_drum_kits_the_styles_name_sound_and_differ_from_the_standard_kit(kit):
    """A kit missing from the SoundFont would leave the drums silent or on the standard kit."""
    from genreblender.generation.composer import render
    from genreblender.generation.composer.score import Note

    _, soundfont = render.find_soundfont()
    notes = [Note(step, 2, pitch, 100) for step in range(0, 16, 4) for pitch in (36, 38, 42)]

    def play(program: int) -> np.ndarray:
        track = render.Track("drums", program, True, 1.0, notes)
        midi = render.build_midi([track], 120.0, 0.0, np.random.default_rng(0))
        return render.render_midi(midi, soundfont)

    standard, other = play(0), play(kit)
    assert np.sqrt(np.mean(other**2)) > 0.1 * np.sqrt(np.mean(standard**2)) > 0
    n = min(len(standard), len(other))
    assert np.sqrt(np.mean((other[:n] - standard[:n]) ** 2)) > 0.05 * np.sqrt(np.mean(standard**2))


def test_blues_lead_guitar_answers_the_singer_in_the_bars_it_leaves_open(composer):
    score, tracks, _, _ = composer.compose("blues", "blues", 1.0, 40.0, 5)
    (answer,) = [t for t in tracks if t.name.endswith(":answer")]
    assert answer.name == "comp:blues:answer" and answer.notes
    spec = load_style("blues")["melody"]["answer"]
    assert answer.program in [int(p) for p, _ in spec["programs"]]
    lead = [t for t in tracks if t.name.startswith("lead")]
    sung_bars = {int(n.start // 16) for t in lead for n in t.notes}
    answer_bars = {int(n.start // 16) for n in answer.notes}
    # call and response: the licks start in bars the singer leaves open
    assert {int(n.start // 16) for n in answer.notes if n.start % 16 < 8}.isdisjoint(sung_bars)
    assert answer_bars
    # minor pentatonic over the tonic, inside the register; bends and a held vibrato occur
    pentatonic = {(score.tonic + i) % 12 for i in (0, 3, 5, 7, 10)}
    assert {n.pitch % 12 for n in answer.notes} <= pentatonic
    low, high = spec["register"]
    assert all(low <= n.pitch <= high for n in answer.notes)
    assert any(n.bend > 0 for n in answer.notes) and any(n.vibrato > 0 for n in answer.notes)
    # styles without an answer have none, and their singer is not silenced for one
    rock = composer.compose("rock", "rock", 1.0, 40.0, 5)[1]
    assert not any(t.name.endswith(":answer") for t in rock)
    # a fused blend plays the answer of the genre leading it, and names that genre
    led_by_blues = composer.compose("rock", "blues", 0.4, 40.0, 5)[1]
    assert [t.name for t in led_by_blues if t.name.endswith(":answer")] == ["comp:blues:answer"]
    led_by_rock = composer.compose("blues", "rock", 0.4, 40.0, 5)[1]
    assert not any(t.name.endswith(":answer") for t in led_by_rock)


def test_a_bent_note_is_written_as_pitch_bends_and_the_synth_plays_them():
    import librosa
    import pretty_midi

    from genreblender.generation.composer import render
    from genreblender.generation.composer.score import Note

    rng = np.random.default_rng(0)
    # a flute (program 73) holding A4 for two beats at 120 bpm, bent up a whole step into it
    bent = render.Track("lead", 73, False, 1.0, [Note(0.0, 8.0, 69, 100, bend=2.0)])
    midi = render.build_midi([bent], 120.0, 0.0, rng)
    bends = pretty_midi.PrettyMIDI(io.BytesIO(midi)).instruments[0].pitch_bends
    assert bends[0].pitch == -8191 and bends[-1].pitch == 0  # from a whole step below to centre
    assert np.all(np.diff([b.pitch for b in bends]) >= 0)  # no vibrato: it only rises
    y = render.render_midi(midi, _soundfont()).mean(axis=1)
    sr = render.RENDER_RATE
    f0 = librosa.yin(y[: int(0.9 * sr)], fmin=300, fmax=600, sr=sr, frame_length=4096)
    early, late = np.median(f0[2:5]), np.median(f0[-8:])
    assert late == pytest.approx(440.0, rel=0.02)
    assert early < 0.97 * late  # heard below the note while the bend rises


def _soundfont():
    from genreblender.generation.composer import render

    return render.find_soundfont()[1]


def test_threads_and_child_renders_give_the_same_track_as_one_thread():
    """``workers`` only changes where the work runs: a blend with a tone bass (rendered on its
    own), a rap and stems comes out bit for bit the same on one thread and on two (whose
    renders run in child processes)."""
    one = Composer(workers=1).generate("hiphop", "jazz", 0.5, 8.0, 3, stems=True)
    two = Composer(workers=2).generate("hiphop", "jazz", 0.5, 8.0, 3, stems=True)
    assert np.array_equal(one.audio, two.audio)
    assert one.stems.keys() == two.stems.keys()
    for part in one.stems:
        assert np.array_equal(one.stems[part], two.stems[part]), part
    assert one.midi == two.midi
    assert one.metadata == two.metadata


def test_a_render_in_a_child_process_is_the_same_audio():
    from genreblender.generation.composer import render

    midi = Composer().generate("blues", "blues", 1.0, 3.0, 0).midi
    _, soundfont = render.find_soundfont()
    here = render.render_midi(midi, soundfont)
    assert here.shape[1] == 2 and np.abs(here).max() > 0.01
    assert np.array_equal(here, render.render_midi_apart(midi, soundfont))


def test_a_failed_child_render_says_so():
    from genreblender.generation.composer import render

    with pytest.raises(RuntimeError, match="child process failed"):
        render.render_midi_apart(b"not a midi file", b"RIFF not a soundfont")


def test_threads_by_default_only_for_long_tracks_or_stems(monkeypatch):
    from genreblender import cores
    from genreblender.generation.composer.composer import PARALLEL_FROM_S

    monkeypatch.delenv(cores.POOL_WORKER_ENV, raising=False)
    monkeypatch.setattr(cores, "available_cores", lambda: 4)
    auto = Composer()
    assert auto._threads(30.0, stems=False) == 1  # a sweep's tracks: one per core already
    assert auto._threads(PARALLEL_FROM_S, stems=False) == 4
    assert auto._threads(10.0, stems=True) == 4
    assert Composer(workers=1)._threads(600.0, stems=True) == 1
    assert Composer(workers=3)._threads(10.0, stems=False) == 3


def test_one_thread_by_default_in_a_pool_worker(monkeypatch):
    """A sweep's or the API's worker is one core of a pool: a long track with stems made
    there must not spread over every core again."""
    from genreblender import cores

    monkeypatch.setattr(cores, "available_cores", lambda: 4)
    monkeypatch.setenv(cores.POOL_WORKER_ENV, "0")  # recorded, so the mark is undone after
    cores.mark_pool_worker()
    assert Composer()._threads(600.0, stems=True) == 1
    assert Composer(workers=2)._threads(600.0, stems=True) == 2  # asked for: as asked


@pytest.mark.parametrize("workers", [0, -2, 1.5, True, "2"])
def test_bad_worker_counts_are_refused(workers):
    with pytest.raises(InvalidInputError, match="workers must be a whole number"):
        Composer(workers=workers)


def test_a_priors_tempo_limits_bound_the_learned_tempo_range(monkeypatch):
    from genreblender.generation.composer import style as style_module

    prior = style_module._prior("disco")
    learned = style_module._learned()["genres"]["disco"]
    limits = prior["tempo_bpm_limits"]
    assert learned["tempo_bpm_quartiles"][0] < limits[0]  # the corpus alone would go slower
    lo, hi = load_style("disco")["tempo_bpm"]
    assert limits[0] <= lo < hi <= limits[1]
    assert "tempo_bpm_limits" not in load_style("disco")  # the blend rule never sees it
    unbounded = {k: v for k, v in prior.items() if k != "tempo_bpm_limits"}
    monkeypatch.setattr(style_module, "_prior", lambda genre: unbounded)
    assert load_style("disco")["tempo_bpm"][0] < limits[0]


def test_tempo_limits_hold_without_corpus_data_and_replace_a_range_they_miss(monkeypatch):
    from genreblender.generation.composer import style as style_module

    metal = dict(style_module._prior("metal"))  # metal has no corpus data
    assert style_module._learned()["genres"].get("metal") is None
    monkeypatch.setattr(
        style_module, "_prior", lambda genre: {**metal, "tempo_bpm_limits": [170, 240]}
    )
    assert load_style("metal")["tempo_bpm"] == [170, metal["tempo_bpm"][1]]
    monkeypatch.setattr(
        style_module, "_prior", lambda genre: {**metal, "tempo_bpm_limits": [60, 80]}
    )
    assert load_style("metal")["tempo_bpm"] == [60, 80]  # no overlap: the limits
