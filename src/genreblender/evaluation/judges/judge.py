"""The independent judge: musicnn's tags seen through the documented tag map.

It is not used in any generation loop and never learned from our tables, so its alpha_hat is a
check on the project's own classifier rather than a second opinion of the same model.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import numpy as np
import torch

from genreblender.errors import ArtifactError, InvalidInputError
from genreblender.evaluation.judges import tag_map
from genreblender.evaluation.judges.musicnn import (
    HOP,
    PATCH_FRAMES,
    SR,
    load_tagger,
    log_mel_patches,
    taggram,
)
from genreblender.genres import validate_genre

#: Seconds of audio per musicnn patch (187 frames of 256 samples at 16 kHz).
PATCH_SECONDS = PATCH_FRAMES * HOP / SR
# Floor of a genre score before normalising, so that a track where every mapped tag is ~0 still
# yields a finite distribution (uniform over the visible genres) instead of 0/0.
_SCORE_FLOOR = 1e-12


@dataclass(frozen=True)
class JudgeOutput:
    """Everything the judge computed for one piece of audio.

    Attributes
    ----------
    tags : dict of str to float
        Mean tag probability over patches (keys ``model:tag`` when several models run).
    patch_tags : dict of str to np.ndarray
        Per model, the taggram ``(n_patches, n_tags)`` of sigmoid outputs.
    genres : tuple of str
        The visible genres, order of the score vectors.
    scores : np.ndarray, shape (n_genres,)
        Track-level genre scores, normalised to sum to 1.
    patch_scores : np.ndarray, shape (n_patches, n_genres)
        The same per 3-s patch (each row sums to 1).
    """

    tags: dict[str, float]
    patch_tags: dict[str, np.ndarray]
    genres: tuple[str, ...]
    scores: np.ndarray
    patch_scores: np.ndarray


def _normalise(raw: np.ndarray) -> np.ndarray:
    raw = np.maximum(raw, _SCORE_FLOOR)
    return _read_only(raw / raw.sum(axis=-1, keepdims=True))


def _read_only(array: np.ndarray) -> np.ndarray:
    # Outputs are cached and handed out again: a caller must not be able to alter them.
    array.setflags(write=False)
    return array


class MusicnnJudge:
    """Genre judge built on the pretrained musicnn tagger (Pons & Serra 2019), run in PyTorch.

    Parameters
    ----------
    model : str
        ``"MSD_musicnn"`` (default; Million Song Dataset tags), ``"MTT_musicnn"``
        (MagnaTagATune tags) or ``"MSD_musicnn+MTT_musicnn"`` (MSD's genres plus MTT's classical).
    device : str
        Torch device for the network (``"cpu"``, ``"cuda"``...).

    Attributes
    ----------
    visible_genres : tuple of str
        The GTZAN genres this tagger can see through its tags (never reggae; see
        :mod:`genreblender.evaluation.judges.tag_map`).

    Raises
    ------
    InvalidInputError
        For an unknown model or device.
    ArtifactError
        If the converted weights are missing or unreadable.

    Examples
    --------
    >>> judge = MusicnnJudge("MSD_musicnn+MTT_musicnn")
    >>> judge.alpha_hat(y, 22050, "jazz", "metal")  # doctest: +SKIP
    0.83
    """

    def __init__(self, model: str = "MSD_musicnn", device: str = "cpu"):
        self.model = model
        self._rules = tag_map.rules_for(model)  # validates the name
        try:
            self.device = str(torch.device(device))
        except (RuntimeError, TypeError) as exc:
            raise InvalidInputError(f"unknown torch device {device!r} ({exc})") from None
        self._nets = {}
        self._tag_names: dict[str, tuple[str, ...]] = {}
        for name in tag_map.JUDGE_MODELS[model]:
            self._nets[name], self._tag_names[name] = load_tagger(name, self.device)
        for rule in self._rules:
            missing = set(rule.tags) - set(self._tag_names[rule.model])
            if missing:  # a typo in the table must not silently score 0
                raise ArtifactError(
                    f"the tag map names {sorted(missing)}, which {rule.model}'s weights lack"
                )
        self.visible_genres: tuple[str, ...] = tuple(rule.genre for rule in self._rules)
        # (key of the last audio, its output), one attribute so that a reader never pairs one
        # call's key with another's output.
        self._last: tuple[str, JudgeOutput] | None = None

    def __repr__(self) -> str:
        return f"MusicnnJudge(model={self.model!r}, device={self.device!r})"

    def judge(self, audio: np.ndarray, sr: int) -> JudgeOutput:
        """Run the tagger(s) on ``audio`` (any length >= 3 s, mono or ``(n, channels)``).

        The last result is kept, so that ``tags``, ``genre_scores`` and ``alpha_hat`` on the same
        audio run the network once.

        Raises
        ------
        AudioError
            If the audio is shorter than 3 s, silent, not finite or ``sr`` is not a positive int.
        """
        patches = log_mel_patches(audio, sr)
        key = hashlib.sha1(patches.tobytes()).hexdigest()
        last = self._last
        if last is not None and last[0] == key:
            return last[1]
        patch_tags = {
            name: _read_only(taggram(net, patches, self.device)) for name, net in self._nets.items()
        }
        several = len(self._nets) > 1
        tags = {
            (f"{name}:{tag}" if several else tag): float(probs[:, i].mean())
            for name, probs in patch_tags.items()
            for i, tag in enumerate(self._tag_names[name])
        }
        raw = np.stack(
            [
                np.max(
                    patch_tags[rule.model][
                        :, [self._tag_names[rule.model].index(t) for t in rule.tags]
                    ],
                    axis=1,
                )
                for rule in self._rules
            ],
            axis=1,
        )  # (n_patches, n_genres): per patch, the largest mapped tag probability
        # Track level from the mean tags (like the tags themselves), not the mean of patch scores.
        mean_raw = np.array(
            [max(tags[(f"{r.model}:{t}" if several else t)] for t in r.tags) for r in self._rules]
        )
        out = JudgeOutput(
            tags=tags,
            patch_tags=patch_tags,
            genres=self.visible_genres,
            scores=_normalise(mean_raw),
            patch_scores=_normalise(raw),
        )
        self._last = (key, out)
        return out

    def tags(self, audio: np.ndarray, sr: int) -> dict[str, float]:
        """Mean tag probabilities over the 3-s patches (``model:tag`` keys for combined judges)."""
        return dict(self.judge(audio, sr).tags)

    def genre_scores(self, audio: np.ndarray, sr: int) -> dict[str, float]:
        """Scores of :attr:`visible_genres` only, normalised to sum to 1."""
        out = self.judge(audio, sr)
        return {g: float(s) for g, s in zip(out.genres, out.scores, strict=True)}

    def alpha_hat(self, audio: np.ndarray, sr: int, genre_a: str, genre_b: str) -> float | None:
        """Estimated blend weight of A: ``s(A) / (s(A) + s(B))``.

        Returns None when A or B is not in :attr:`visible_genres` (the judge does not guess), and
        1.0 when A and B are the same genre (the whole blend is A); neither case runs the network.

        Raises
        ------
        InvalidInputError
            For an unknown genre name.
        """
        genre_a, genre_b = validate_genre(genre_a), validate_genre(genre_b)
        if genre_a not in self.visible_genres or genre_b not in self.visible_genres:
            return None
        if genre_a == genre_b:
            return 1.0
        scores = self.genre_scores(audio, sr)
        return scores[genre_a] / (scores[genre_a] + scores[genre_b])
