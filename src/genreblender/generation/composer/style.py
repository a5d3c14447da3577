"""Genre styles as probability distributions over musical choices, and the rule that blends two.

A style (``styles/<genre>.json``) holds

- onset probabilities on a 16-step bar grid per drum voice, for the bass and for the comping;
- categorical distributions (melody scale, tonic, bass note choice, chord extension, comping
  style, chord progressions with weights, instrument programs, the ending: a held final chord
  or a fade-out);
- continuous parameters (tempo range, swing, melody density and register, levels, mix).

Learned statistics from the MIDI corpus (``styles/learned.json``, rebuilt by
``scripts/build_style_tables.py``: tempo quartiles, drum onset grids, melody step/leap ratio) are
merged into the hand-written priors at load time, each weighted by how much data supports it
(see :func:`load_style`). Each genre's production reference, the long-term spectrum of its typical
GTZAN recording (``styles/reference_spectra.json``, rebuilt by
``scripts/build_reference_spectra.py``), enters as ``mix.reference_mfcc``; the master bus matches
the track's tonal balance to it (:func:`genreblender.generation.composer.mix.match_reference`).

Blend rule (:func:`blend_styles`), for weight ``alpha`` on genre A:

- probabilities (categorical distributions) mix: ``alpha * P_A + (1 - alpha) * P_B``;
- rhythm (the onset grids of drums, bass and comping) is the same mixture sampled as a mixture
  model is: each bar first draws its component (A's groove with probability ``alpha``), then its
  onsets from that genre's grids. Every step's onset probability is still
  ``alpha * p_A + (1 - alpha) * p_B``, but a bar grooves like one genre instead of scattering
  metal's sixteenth-note kicks at 30% density under a jazz ride;
- continuous parameters interpolate linearly (the reference spectrum too: MFCCs are linear in
  dB, so a blend's reference is the dB-interpolation of the two curves), tempo geometrically (a blend of 70 and 140 BPM
  is 99, not 105: tempo is perceived as a ratio);
- instrumentation is a categorical choice per part (bass, comping, pad, lead): the part is played
  by one of A's instruments with probability ``alpha``, else by one of B's (one draw per part, so
  raising ``alpha`` only hands parts over from B to A);
- meter cannot be mixed: it is that of the genre with the larger weight (A on a tie). All ten
  shipped styles are in 4/4; the rule matters for user styles.
- key (tonic and scale) is drawn from the mixed distributions, so it is A's with probability
  ``alpha`` where the genres disagree.

``alpha = 1`` gives exactly A's distributions and ``alpha = 0`` exactly B's.
"""

from __future__ import annotations

import functools
import json
import math
from importlib import resources
from typing import Any

from genreblender.genres import GENRES, validate_genre

#: Dict keys that hold categorical distributions or probability grids (missing entries are 0).
_PROBABILITY_KEYS = {"scale", "note_choice", "extension", "comp_style", "grid", "ending"}
#: Keys that hold [program, weight] lists: kept per genre as layers, not mixed into one.
_LAYER_KEYS = {"programs", "pad_programs", "kit"}

# How many files a learned statistic needs to count as much as the prior. Drum grids get a
# stronger prior: a per-step frequency over all bars of a file blurs grooves, breaks and fills
# together, while the prior is the idiomatic groove itself.
PRIOR_STRENGTH = 20.0
DRUM_PRIOR_STRENGTH = 100.0


def _styles_dir():
    return resources.files("genreblender.generation.composer") / "styles"


@functools.cache
def _learned() -> dict[str, Any]:
    path = _styles_dir() / "learned.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text())


@functools.cache
def _reference_spectra() -> dict[str, Any]:
    path = _styles_dir() / "reference_spectra.json"
    if not path.is_file():
        return {}
    return json.loads(path.read_text()).get("genres", {})


@functools.cache
def _prior(genre: str) -> dict[str, Any]:
    return json.loads((_styles_dir() / f"{genre}.json").read_text())


def load_style(genre: str) -> dict[str, Any]:
    """The style of ``genre``: the hand-written prior merged with the corpus statistics.

    A learned quantity estimated from ``n`` files enters with weight ``n / (n + 20)`` against
    the prior, so genres the corpus covers well (pop, rock, jazz, country, classical) lean on
    data and those it lacks (blues, metal, reggae) stay with musical knowledge.
    """
    genre = validate_genre(genre)
    style = json.loads(json.dumps(_prior(genre)))  # deep copy of the cached prior
    reference = _reference_spectra().get(genre)
    if reference is not None:
        style["mix"]["reference_mfcc"] = list(reference["mfcc_mean"])
    learned = _learned().get("genres", {}).get(genre)
    if not learned:
        style["learned_from"] = None
        return style
    n = float(learned["n_files"])
    w = n / (n + PRIOR_STRENGTH)
    lo, hi = style["tempo_bpm"]
    if "tempo_bpm_quartiles" in learned:
        q1, q3 = learned["tempo_bpm_quartiles"]
        style["tempo_bpm"] = [round((1 - w) * lo + w * q1, 1), round((1 - w) * hi + w * q3, 1)]
    grid = style["drums"]["grid"]
    n_drums = float(learned.get("n_drum_files", 0))
    if n_drums >= 5 and style["drums"]["level"] > 0:
        wd = n_drums / (n_drums + DRUM_PRIOR_STRENGTH)
        for voice, probs in learned.get("drum_grid", {}).items():
            probs = list(probs)
            if style["swing"] >= 0.2:
                # a swung off-beat eighth is quantised by the corpus analysis to the last
                # sixteenth of the beat; the composer's grid has it on the eighth and swings it
                for beat in range(4):
                    probs[4 * beat + 2] = max(probs[4 * beat + 2], probs[4 * beat + 3])
                    probs[4 * beat + 3] = 0.0
            prior = grid.get(voice, [0.0] * 16)
            grid[voice] = [
                round((1 - wd) * p + wd * q, 3) for p, q in zip(prior, probs, strict=True)
            ]
    if learned.get("melody_step_prob") is not None:
        step = style["melody"]["step_prob"]
        style["melody"]["step_prob"] = round((1 - w) * step + w * learned["melody_step_prob"], 3)
    style["learned_from"] = {
        "n_files": learned["n_files"],
        "weight": round(w, 3),
        "sources": learned.get("sources", []),
    }
    return style


def _mix_value(a: Any, b: Any, alpha: float, key: str = "") -> Any:
    if a is None and isinstance(b, bool):
        a = False  # a flag one style lacks is "no" for it
    if b is None and isinstance(a, bool):
        b = False
    if a is None:
        return b
    if b is None:
        return a
    if key in _LAYER_KEYS:
        return {"layers": [(a, alpha), (b, 1.0 - alpha)]}
    if key == "tempo_bpm":
        return [
            math.exp(alpha * math.log(x) + (1 - alpha) * math.log(y))
            for x, y in zip(a, b, strict=True)
        ]
    if key == "progressions":
        return [[w * alpha, *rest] for w, *rest in a] + [[w * (1 - alpha), *rest] for w, *rest in b]
    if isinstance(a, bool) or isinstance(b, bool):
        # a yes/no choice becomes the probability of "yes"
        return alpha * float(a) + (1 - alpha) * float(b)
    if isinstance(a, (int, float)) and isinstance(b, (int, float)):
        return alpha * a + (1 - alpha) * b
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        return [_mix_value(x, y, alpha) for x, y in zip(a, b, strict=True)]
    if isinstance(a, dict) and isinstance(b, dict):
        keys = list(dict.fromkeys([*a, *b]))
        if key in _PROBABILITY_KEYS:
            zero = _zero_like(next(iter(a.values()), next(iter(b.values()), 0.0)))
            return {k: _mix_value(a.get(k, zero), b.get(k, zero), alpha) for k in keys}
        return {k: _mix_value(a.get(k), b.get(k), alpha, k) for k in keys}
    return a if alpha >= 0.5 else b


def _zero_like(example: Any) -> Any:
    return [0.0] * len(example) if isinstance(example, list) else 0.0


def blend_styles(genre_a: str, genre_b: str, alpha: float) -> dict[str, Any]:
    """The blended style ``alpha * A + (1 - alpha) * B`` (see the module docstring)."""
    a, b = load_style(genre_a), load_style(genre_b)
    if genre_a == genre_b:
        b = a
    blended = {k: _mix_value(a.get(k), b.get(k), alpha, k) for k in dict.fromkeys([*a, *b])}
    blended["genre"] = f"{a['genre']}|{b['genre']}"
    blended["meter"] = a["meter"] if alpha >= 0.5 else b["meter"]
    blended["genres"] = (a["genre"], b["genre"])
    blended["alpha"] = alpha
    blended["groove_components"] = [(_groove(a), alpha), (_groove(b), 1.0 - alpha)]
    return blended


def _groove(style: dict[str, Any]) -> dict[str, Any]:
    return {
        "genre": style["genre"],
        "drums": style["drums"]["grid"],
        "bass": style["bass"]["onsets"],
        "comp": style["harmony"]["comp_onsets"],
    }


def available_styles() -> tuple[str, ...]:
    return GENRES
