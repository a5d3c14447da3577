"""Genre styles as probability distributions over musical choices, and the rule that blends two.

A style (``styles/<genre>.json``) holds

- onset probabilities on a 16-step bar grid per drum voice, for the bass and for the comping;
- categorical distributions (melody scale, tonic, bass note choice, chord extension, comping
  style, chord progressions with weights, instrument programs and the drum kit, the ending: a
  held final chord or a fade-out);
- optionally ``harmony.double``, ``[program, level share]``: a second instrument doubling the
  comping (reggae's organ on the guitar skank, pop's synth on the piano);
- optionally ``melody.answer`` (``level``, ``programs``, ``register``, ``scale``, ``bend_prob``,
  ``vibrato``): call and response, an instrument answering each sung line with a lick in the
  bars the singer leaves open (blues: a lead guitar), taken from the heaviest genre of a blend;
- continuous parameters (tempo range, swing, melody density and register, levels, mix).

Learned statistics from the MIDI corpus (``styles/learned.json``, rebuilt by
``scripts/build_style_tables.py``: tempo quartiles, drum onset grids, melody step/leap ratio) are
merged into the hand-written priors at load time, each weighted by how much data supports it
(see :func:`load_style`); a prior's optional ``tempo_bpm_limits`` bounds the merged tempo range
(the corpus's quartiles include files whose written tempo is not the genre's pulse). Each
genre's production reference, the long-term spectrum of its typical GTZAN recording
(``styles/reference_spectra.json``, rebuilt by ``scripts/build_reference_spectra.py``), enters as
``mix.reference_mfcc``; the master bus matches the track's tonal balance to it
(:func:`genreblender.generation.composer.mix.match_reference`).

Blend rule (:func:`blend_styles`), for weight ``alpha`` on genre A; a mix of k genres with
weights ``w_i`` (:func:`mix_styles`) follows the same rule k-way (``Σ w_i P_i``, ``Σ w_i x_i``,
tempo ``Π x_i^w_i``, one instrument layer and one groove component per genre, the meter and any
other unmixable choice of the heaviest genre, the first of them on a tie):

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
#: Entries a blend takes whole from its heaviest genre, or goes without when that genre has
#: none: a part one genre plays (blues' answering guitar) belongs to the genre leading the blend
_HEAVIEST_KEYS = {"answer"}

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


def _bounded(tempo: list[float], limits: list[float] | None) -> list[float]:
    """``tempo`` (a ``[lo, hi]`` BPM range) within ``limits``; the limits themselves where the
    two ranges do not overlap."""
    if not limits:
        return list(tempo)
    lo, hi = max(tempo[0], limits[0]), min(tempo[1], limits[1])
    return [lo, hi] if lo < hi else list(limits)


def load_style(genre: str) -> dict[str, Any]:
    """The style of ``genre``: the hand-written prior merged with the corpus statistics.

    A learned quantity estimated from ``n`` files enters with weight ``n / (n + 20)`` against
    the prior, so genres the corpus covers well (pop, rock, jazz, country, classical) lean on
    data and those it lacks (blues, metal, reggae) stay with musical knowledge.
    """
    genre = validate_genre(genre)
    style = json.loads(json.dumps(_prior(genre)))  # deep copy of the cached prior
    limits = style.pop("tempo_bpm_limits", None)
    reference = _reference_spectra().get(genre)
    if reference is not None:
        style["mix"]["reference_mfcc"] = list(reference["mfcc_mean"])
    learned = _learned().get("genres", {}).get(genre)
    if not learned:
        style["learned_from"] = None
        style["tempo_bpm"] = _bounded(style["tempo_bpm"], limits)
        return style
    n = float(learned["n_files"])
    w = n / (n + PRIOR_STRENGTH)
    lo, hi = style["tempo_bpm"]
    if "tempo_bpm_quartiles" in learned:
        q1, q3 = learned["tempo_bpm_quartiles"]
        lo, hi = round((1 - w) * lo + w * q1, 1), round((1 - w) * hi + w * q3, 1)
    # a MIDI file's tempo is what its sequencer wrote, not always the groove's pulse
    style["tempo_bpm"] = _bounded([lo, hi], limits)
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


def _mix_values(values: list[Any], weights: list[float], key: str = "") -> Any:
    """The k-way mixture of one entry of k styles with these weights (module docstring)."""
    if key in _HEAVIEST_KEYS:
        return values[heaviest(weights)]
    if any(isinstance(v, bool) for v in values):
        values = [False if v is None else v for v in values]  # a flag a style lacks is "no"
    present = [(v, w) for v, w in zip(values, weights, strict=True) if v is not None]
    if not present:
        return None
    if len(present) == 1:
        return present[0][0]  # what only one style has is taken as it is
    if len(present) < len(values):
        # mixed among the styles that have it (a user style may lack an entry)
        total = sum(w for _, w in present)
        present = [(v, w / total) for v, w in present] if total > 0 else present
    values, weights = [v for v, _ in present], [w for _, w in present]
    if key in _LAYER_KEYS:
        return {"layers": list(zip(values, weights, strict=True))}
    if key == "tempo_bpm":
        return [
            math.exp(sum(w * math.log(x) for x, w in zip(column, weights, strict=True)))
            for column in zip(*values, strict=True)
        ]
    if key == "progressions":
        return [
            [w * weight, *rest] for v, weight in zip(values, weights, strict=True) for w, *rest in v
        ]
    if all(isinstance(v, bool) for v in values) or (
        any(isinstance(v, bool) for v in values)
        and all(isinstance(v, (bool, int, float)) for v in values)
    ):
        # a yes/no choice becomes the probability of "yes"
        return _weighted_sum([float(v) for v in values], weights)
    if all(isinstance(v, (int, float)) for v in values):
        return _weighted_sum(values, weights)
    if all(isinstance(v, list) for v in values) and len({len(v) for v in values}) == 1:
        return [_mix_values(list(column), weights) for column in zip(*values, strict=True)]
    if all(isinstance(v, dict) for v in values):
        keys = list(dict.fromkeys(k for v in values for k in v))
        if key in _PROBABILITY_KEYS:
            first = next((x for v in values for x in v.values()), 0.0)
            zero = _zero_like(first)
            return {k: _mix_values([v.get(k, zero) for v in values], weights) for k in keys}
        return {k: _mix_values([v.get(k) for v in values], weights, k) for k in keys}
    # a choice that cannot be mixed: the heaviest genre's
    return values[heaviest(weights)]


def heaviest(weights) -> int:
    """Index of the heaviest genre of a blend's weights (the first of them on a tie)."""
    return max(range(len(weights)), key=lambda i: (weights[i], -i))


def _weighted_sum(values: list[float], weights: list[float]) -> float:
    # in order from the first genre, so a pair gives exactly alpha * a + (1 - alpha) * b
    total = 0.0
    for x, w in zip(values, weights, strict=True):
        total += w * x
    return total


def _zero_like(example: Any) -> Any:
    return [0.0] * len(example) if isinstance(example, list) else 0.0


def blend_styles(genre_a: str, genre_b: str, alpha: float) -> dict[str, Any]:
    """The blended style ``alpha * A + (1 - alpha) * B`` (see the module docstring)."""
    return mix_styles([(genre_a, alpha), (genre_b, 1.0 - alpha)])


def mix_styles(components) -> dict[str, Any]:
    """The style of a mix: ``[(genre, weight), ...]`` with weights summing to 1, mixed by the
    rule of the module docstring (k-way: probabilities ``Σ w_i P_i``, parameters ``Σ w_i x_i``,
    tempo ``Π x_i^w_i``, one instrument layer per genre, the heaviest genre's meter).

    One genre alone is the pair (A, A) at weight 1, as a pure song always was: its style keeps
    two (identical) instrument layers, so its random draws, and every pure song, are unchanged.
    """
    components = [(str(g), float(w)) for g, w in components]
    if len(components) == 1:
        components = [components[0], (components[0][0], 0.0)]
    styles = [load_style(g) for g, _ in components]
    weights = [w for _, w in components]
    keys = list(dict.fromkeys(k for style in styles for k in style))
    blended = {k: _mix_values([s.get(k) for s in styles], weights, k) for k in keys}
    blended["genre"] = "|".join(s["genre"] for s in styles)
    blended["meter"] = styles[heaviest(weights)]["meter"]
    blended["genres"] = tuple(s["genre"] for s in styles)
    blended["weights"] = tuple(weights)
    blended["alpha"] = weights[0]
    blended["groove_components"] = [(_groove(s), w) for s, w in zip(styles, weights, strict=True)]
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
