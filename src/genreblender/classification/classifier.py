"""The genre classifier: features → input transform → standardiser → MLP → tempered softmax.

sklearn-style: :meth:`GenreClassifier.fit`, :meth:`~GenreClassifier.predict_proba` and
:meth:`~GenreClassifier.predict` work on feature matrices (columns as
:data:`~genreblender.classification.features.FEATURE_NAMES`); :func:`classify` takes audio.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.classification import artifacts as artifact_io
from genreblender.classification.calibration import fit_temperature, softmax
from genreblender.classification.preprocessing import (
    Standardizer,
    Whitener,
    apply_input_transform,
)
from genreblender.classification.result import ClassificationResult
from genreblender.classification.training import (
    TrainConfig,
    fit_linear,
    network_logits,
    train_network,
)
from genreblender.errors import InvalidInputError
from genreblender.genres import GENRES, label_indices
from genreblender.paths import MODELS_DIR

#: The model shipped in the package (trained on the 30-s GTZAN table).
SHIPPED_MODEL = MODELS_DIR / "model_30sec.pth"


class GenreClassifier:
    """The MLP genre classifier over the 57 GTZAN features of one analysis window.

    Parameters
    ----------
    window_s : float
        Analysis window the features are computed over (30 s for the shipped model, 3 s for the
        original design); audio is cut into such windows at inference.
    config : TrainConfig
        Training settings (used by :meth:`fit`).
    """

    name = "features-mlp"

    def __init__(self, window_s: float = 30.0, config: TrainConfig | None = None):
        self.window_s = float(window_s)
        self.config = config or TrainConfig()
        self.labels: tuple[str, ...] = GENRES
        self.state_dict_: dict | None = None
        self.artifacts_: artifact_io.ModelArtifacts | None = None
        self.history_: list[dict] = []
        self.best_epoch_: int | None = None
        self.source: str = "unfitted"

    # -- training -----------------------------------------------------------------------------
    def fit(
        self,
        x: np.ndarray,
        y,
        x_valid: np.ndarray | None = None,
        y_valid=None,
        on_epoch: Callable[[int, dict], None] | None = None,
        provenance: dict[str, Any] | None = None,
        groups=None,
    ) -> GenreClassifier:
        """Fit the input transform and standardiser on ``x`` only, then the network.

        ``y`` holds genre names or label indices. With a validation part, the softmax
        temperature is fitted on it, and with ``config.keep_epoch == "best_valid_loss"`` so is
        the epoch kept; without one the temperature stays 1 (the caller may set it, e.g. by
        cross-fitting, :func:`genreblender.classification.recipe.cross_fitted_temperature`).
        ``groups`` (a fold id or track per row; default: every row its own) are kept whole in
        the folds in which the linear model behind ``config.regularisation`` cross-validates
        its C (:func:`~genreblender.classification.table.artist_proxy_folds` for GTZAN).
        """
        from genreblender.classification.features import EXTRACTOR_VERSION, FEATURE_NAMES

        self.config.check()
        x = self._check_features(x)
        y_idx = self._label_indices(y)
        transformed = apply_input_transform(x, FEATURE_NAMES, self.config.input_transform)
        scaler = Standardizer.fit(transformed)
        xv = yv = None
        if x_valid is not None and len(x_valid):
            xv = scaler.transform(
                apply_input_transform(
                    self._check_features(x_valid), FEATURE_NAMES, self.config.input_transform
                )
            )
            yv = self._label_indices(y_valid)
        xt = scaler.transform(transformed)
        whitener = None
        if self.config.whitening == "within_genre_lw":
            whitener = Whitener.fit(xt, y_idx)
        elif self.config.whitening != "none":
            raise InvalidInputError(f"unknown whitening {self.config.whitening!r}")
        net_inputs = whitener.transform(xt) if whitener else xt
        init_state, l2, linear_info = None, 0.0, {}
        if self.config.regularisation != "none":
            linear = fit_linear(net_inputs, y_idx, groups, self.config.seed, len(GENRES))
            l2 = linear.l2_strength
            linear_info = {"linear_C": linear.C, "l2_strength": l2}
            if self.config.regularisation == "anchor_linear_cv":
                from genreblender.classification.model import linear_embedding_state  # torch

                init_state = linear_embedding_state(linear.coef, linear.intercept, self.config.seed)
        trained = train_network(
            net_inputs,
            y_idx,
            whitener.transform(xv) if whitener and xv is not None else xv,
            yv,
            self.config,
            len(GENRES),
            on_epoch,
            init_state=init_state,
            l2=l2,
        )
        # folded into layer 0: same architecture, it takes standardised features as before
        self.state_dict_ = (
            whitener.fold_into_first_layer(trained.state_dict) if whitener else trained.state_dict
        )
        self.history_ = trained.history
        self.best_epoch_ = trained.best_epoch
        temperature = 1.0
        if xv is not None:
            temperature = fit_temperature(network_logits(self.state_dict_, xv), yv)
        self.artifacts_ = artifact_io.ModelArtifacts(
            labels=GENRES,
            feature_names=FEATURE_NAMES,
            window_s=self.window_s,
            hop_s=self.window_s / 2,
            extractor_version=EXTRACTOR_VERSION,
            input_transform=self.config.input_transform,
            scaler_mean=scaler.mean,
            scaler_scale=scaler.scale,
            temperature=temperature,
            provenance={"train_config": self.config.to_dict(), "best_epoch": trained.best_epoch}
            | linear_info
            | (provenance or {}),
        )
        self.source = "fitted in this process"
        return self

    # -- inference ----------------------------------------------------------------------------
    def decision_function(self, x: np.ndarray) -> np.ndarray:
        """Untempered logits, shape ``(n, 10)``."""
        art = self._fitted()
        x = apply_input_transform(self._check_features(x), art.feature_names, art.input_transform)
        scaler = Standardizer(art.scaler_mean, art.scaler_scale)
        return network_logits(self.state_dict_, scaler.transform(x), len(art.labels))

    def predict_proba(self, x: np.ndarray, calibrated: bool = True) -> np.ndarray:
        """P(genre | window) per row, shape ``(n, 10)``, tempered unless ``calibrated=False``."""
        temperature = self._fitted().temperature if calibrated else 1.0
        return softmax(self.decision_function(x), temperature)

    def predict(self, x: np.ndarray) -> np.ndarray:
        """Genre name per row."""
        return np.asarray(self.labels)[self.predict_proba(x).argmax(axis=1)]

    def classify_windows(self, windows) -> ClassificationResult:
        """Track-level result from the features of a track's analysis windows.

        The track distribution is the mean of the window distributions: the genre mix a randomly
        chosen moment of the track has. Unlike a product of window posteriors (mean of log-
        probabilities), it does not turn a track that is half jazz and half metal over time into
        a confident vote for one of them, which is what blend measurement needs.
        """
        art = self._fitted()
        probs = self.predict_proba(windows.features)
        return ClassificationResult(
            genres=art.labels,
            probabilities=probs.mean(axis=0),
            segment_probabilities=probs,
            segment_starts_s=np.asarray(windows.starts_s),
            segment_ends_s=np.asarray(windows.ends_s),
            duration_s=float(windows.duration_s),
            model=self.describe(),
        )

    def classify(self, audio: Any, sr: int | None = None) -> ClassificationResult:
        """Classify a file path or a sample array (``sr`` required for arrays)."""
        from genreblender.audio import load_audio
        from genreblender.classification.features import extract_file, extract_windows

        art = self._fitted()
        if isinstance(audio, (str, Path)):
            windows = extract_file(audio, window_s=art.window_s, hop_s=art.hop_s)
        else:
            loaded = load_audio(audio, sr=sr)
            windows = extract_windows(loaded.samples, loaded.sr, art.window_s, art.hop_s)
        return self.classify_windows(windows)

    # -- persistence --------------------------------------------------------------------------
    def save(self, weights_path: str | Path) -> Path:
        """Write ``model_<window>sec.pth`` + ``.json``; returns the JSON path."""
        return artifact_io.save(weights_path, self.state_dict_, self._fitted())

    @classmethod
    def load(cls, path: str | Path | None = None) -> GenreClassifier:
        """Load a model (the shipped one by default; cached per process and path)."""
        return _load_cached(str(Path(path or SHIPPED_MODEL).resolve()))

    def describe(self) -> dict[str, Any]:
        art = self._fitted()
        return {
            "listener": self.name,
            "name": self.source,
            "window_s": art.window_s,
            "hop_s": art.hop_s,
            "extractor_version": art.extractor_version,
            "temperature": art.temperature,
        }

    # -- helpers ------------------------------------------------------------------------------
    def _fitted(self) -> artifact_io.ModelArtifacts:
        if self.artifacts_ is None or self.state_dict_ is None:
            raise InvalidInputError("this GenreClassifier is not fitted; call fit() or load()")
        return self.artifacts_

    @staticmethod
    def _check_features(x) -> np.ndarray:
        from genreblender.classification.features import FEATURE_NAMES

        x = np.asarray(x, dtype=np.float64)
        if x.ndim != 2 or x.shape[1] != len(FEATURE_NAMES):
            raise InvalidInputError(
                f"features must have shape (n, {len(FEATURE_NAMES)}), got {x.shape}"
            )
        if not np.isfinite(x).all():
            raise InvalidInputError("features contain NaN or infinite values")
        return x

    @staticmethod
    def _label_indices(y) -> np.ndarray:
        return label_indices(y)


@functools.lru_cache(maxsize=4)
def _load_cached(path: str) -> GenreClassifier:
    state, art = artifact_io.load(path)
    model = GenreClassifier(window_s=art.window_s)
    model.state_dict_ = state
    model.artifacts_ = art
    model.source = Path(path).name
    return model


def classify(audio: Any, sr: int | None = None, listener: Any = None) -> ClassificationResult:
    """Genre distribution of ``audio`` (a file path, or samples with ``sr``).

    ``listener`` is a listener object, a listener name (``"mel-cnn"``, ``"features-mlp"``) or a
    model path; default :data:`~genreblender.classification.listeners.DEFAULT_LISTENER`.
    Returns the track-level distribution, the top genre and the per-window distributions.
    """
    from genreblender.classification.listeners import get_listener

    if listener is None or isinstance(listener, (str, Path)):
        listener = get_listener(listener)
    return listener.classify(audio, sr=sr)
