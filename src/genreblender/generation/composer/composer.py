"""The ``composer`` engine: blended style → song form → parts → MIDI → SoundFont audio → master."""

from __future__ import annotations

import hashlib
import json
from importlib import resources
from pathlib import Path

import numpy as np

from genreblender.generation.base import (
    GenerationResult,
    fit_length,
    request_metadata,
    validate_request,
)
from genreblender.generation.composer import mix, render
from genreblender.generation.composer.arrangement import plan_song
from genreblender.generation.composer.bass import bass_part
from genreblender.generation.composer.drums import drum_part
from genreblender.generation.composer.harmony import comp_part, pad_part
from genreblender.generation.composer.melody import melody_part
from genreblender.generation.composer.style import blend_styles

VERSION = "1.3"
_GOLDEN_FRACTION = (5**0.5 - 1) / 2
#: Length of a fade-out ending (at most a tenth of the track)
FADE_OUT_S = 2.0
_NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# Independent random streams per decision, so that the same seed at a different alpha reuses
# the same draws (common random numbers): a blend then changes only where the mixed
# probabilities cross the draws, and alpha moves the music smoothly.
_STREAMS = (
    "plan",
    "drums",
    "bass",
    "comp",
    "pad",
    "melody",
    "programs",
    "timing",
    "mix",
    "groove",
)


def _style_tables_digest() -> str:
    digest = hashlib.sha256()
    folder = resources.files("genreblender.generation.composer") / "styles"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:12]


class Composer:
    """Embedded offline composer (the default engine).

    Parameters
    ----------
    soundfont : path, optional
        A General MIDI ``.sf2`` to render with (default: see :func:`render.find_soundfont`).
    sample_rate : int
        Output rate (44100 by default; the synthesizer runs at 48 kHz).
    """

    name = "composer"
    output_licence = (
        "Audio and MIDI made by the embedded composer carry no licence restriction: they are "
        "yours to use, including commercially."
    )

    def __init__(self, soundfont: str | Path | None = None, sample_rate: int = 44100):
        self.soundfont, self._soundfont_bytes = render.find_soundfont(soundfont)
        self.sample_rate = int(sample_rate)
        self.model_version = f"genreblender-composer {VERSION} (styles {_style_tables_digest()})"

    def compose(self, genre_a: str, genre_b: str, alpha: float, duration_s: float, seed: int):
        """The symbolic song: ``(score, tracks, style)`` without rendering audio."""
        request = validate_request(genre_a, genre_b, alpha, duration_s, seed, min_duration_s=0)
        streams = dict(
            zip(
                _STREAMS,
                (
                    np.random.default_rng(s)
                    for s in np.random.SeedSequence(request.seed).spawn(len(_STREAMS))
                ),
                strict=True,
            )
        )
        style = blend_styles(request.genre_a, request.genre_b, request.alpha)
        score = plan_song(style, request.duration_s, streams["plan"])
        # one threshold per bar against alpha: raising alpha only ever turns B-bars into A-bars.
        # The thresholds are a golden-ratio (Weyl) sequence from one random start, not
        # independent draws: each bar is still A's with probability alpha, but the share of
        # A-bars in any one song stays within a bar or so of alpha instead of scattering by
        # chance (stratified sampling of the mixture)
        (groove_a, _), (groove_b, _) = style["groove_components"]
        start = streams["groove"].random()
        thresholds = (start + _GOLDEN_FRACTION * np.arange(score.n_bars + 1)) % 1.0
        score.grooves = [groove_a if u < request.alpha else groove_b for u in thresholds]
        parts = {
            "drums": drum_part(style, score, streams["drums"]),
            "bass": bass_part(style, score, streams["bass"]),
            "comp": comp_part(style, score, streams["comp"]),
            "pad": pad_part(style, score, streams["pad"]),
            "lead": melody_part(style, score, streams["melody"]),
        }
        score.parts = parts
        levels = {
            "bass": (style["bass"]["programs"], style["bass"]["level"]),
            "comp": (style["harmony"]["programs"], style["harmony"]["level"]),
            "pad": (style["harmony"]["pad_programs"], style["harmony"]["pad_level"]),
            "lead": (style["melody"]["programs"], style["melody"]["level"]),
        }
        tracks = [render.Track("drums", 0, True, float(style["drums"]["level"]), parts["drums"])]
        # which genre's instrument plays each part: A's with probability alpha, one threshold
        # per part (raising alpha only hands parts from B's instruments to A's). Systematic
        # sampling: the thresholds are (start + rank / n) mod 1 over a random order of the
        # parts, so a song has round(alpha * n) of its n parts from A, give or take one
        start = streams["programs"].random()
        ranks = streams["programs"].permutation(len(levels))
        part_thresholds = (start + ranks / len(levels)) % 1.0
        for (part, (programs, level)), u_part in zip(levels.items(), part_thresholds, strict=True):
            chosen = 0 if u_part < request.alpha else 1
            for layer, ((choices, _), genre) in enumerate(
                zip(programs["layers"], style["genres"], strict=True)
            ):
                u = streams["programs"].random()  # drawn even when unused: streams stay aligned
                if layer != chosen or level < 0.01:
                    continue
                weights = np.array([c[1] for c in choices], dtype=float)
                index = int(np.searchsorted(np.cumsum(weights / weights.sum()), u, side="right"))
                program = int(choices[min(index, len(choices) - 1)][0])
                tracks.append(render.Track(f"{part}:{genre}", program, False, level, parts[part]))
        return score, tracks, style, streams

    def generate(
        self, genre_a: str, genre_b: str, alpha: float, duration_s: float, seed: int
    ) -> GenerationResult:
        """Compose and render ``alpha * A + (1 - alpha) * B``; deterministic in all arguments."""
        import librosa

        score, tracks, style, streams = self.compose(genre_a, genre_b, alpha, duration_s, seed)
        request = validate_request(genre_a, genre_b, alpha, duration_s, seed, min_duration_s=0)
        midi = render.build_midi(tracks, score.bpm, score.swing, streams["timing"])
        audio = render.render_midi(midi, self._soundfont_bytes)
        audio = mix.master(audio, render.RENDER_RATE, style["mix"], streams["mix"])
        if self.sample_rate != render.RENDER_RATE:
            audio = librosa.resample(
                audio.T, orig_sr=render.RENDER_RATE, target_sr=self.sample_rate, res_type="soxr_hq"
            ).T
            # resampling can overshoot between the limiter's samples: keep the promise of <= 0.99
            peak = float(np.max(np.abs(audio)))
            if peak > 0.99:
                audio *= 0.99 / peak
        n = int(round(request.duration_s * self.sample_rate))
        audio = fit_length(audio, n)
        # a held final chord only needs de-clicking; a fade-out ending is a real fade
        fade_s = FADE_OUT_S if score.ending == "fade" else 0.5
        fade = min(n, int(min(fade_s, 0.1 * request.duration_s) * self.sample_rate))
        audio[n - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
        metadata = request_metadata(self.name, request, self.model_version, self.output_licence)
        metadata |= {
            "prompt": None,
            "tempo_bpm": round(score.bpm, 2),
            "key": f"{_NOTE_NAMES[score.tonic % 12]} {score.scale}",
            "swing": round(score.swing, 3),
            "form": [f"{s.kind}:{s.bars}" for s in score.sections],
            "ending": score.ending,
            "instruments": [
                {"part": t.name, "program": t.program, "level": round(t.level, 3)}
                for t in tracks
                if t.notes
            ],
            "soundfont": {"name": self.soundfont.name, "sha256_16": self.soundfont.sha256},
            "style_learned_from": style.get("learned_from"),
        }
        return GenerationResult(
            audio=np.ascontiguousarray(audio, dtype=np.float32),
            sample_rate=self.sample_rate,
            metadata=json.loads(json.dumps(metadata, default=str)),
            midi=midi,
        )
