"""The ``musicgen`` engine behind the generator interface."""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numpy as np

from genreblender.errors import InvalidInputError
from genreblender.generation.base import (
    GenerationResult,
    fit_length,
    request_metadata,
    validate_request,
)
from genreblender.generation.musicgen import conditioning, loading
from genreblender.generation.musicgen.prompts import genre_prompt, weighted_prompt, with_controls

MODES = ("prompt", "embedding")
LICENCE = (
    "MusicGen's weights are licensed CC-BY-NC 4.0: audio made with this engine is for "
    "non-commercial use only."
)


def _step_progress(total: int, callback: Callable[[int, int], None] | None):
    """A stopping criterion that never stops and reports every decoder step.

    (MusicGen's ``generate`` in transformers 5 hands its ``streamer`` only the prompt, not the
    steps; stopping criteria are called after every step.)
    """
    import torch
    from tqdm import tqdm
    from transformers import StoppingCriteria

    class StepProgress(StoppingCriteria):
        def __init__(self):
            self.done = 0
            self.bar = tqdm(
                total=total,
                desc="MusicGen",
                unit="step",
                leave=False,
                disable=callback is not None or total < 100,
            )

        def __call__(self, input_ids, scores, **kwargs):
            self.done += 1
            self.bar.update(1)
            if callback:
                callback(min(self.done, total), total)
            if self.done >= total:
                self.bar.close()
            return torch.zeros(input_ids.shape[0], dtype=torch.bool, device=input_ids.device)

    return StepProgress()


class MusicGenGenerator:
    """MusicGen through ``transformers`` (``MusicgenForConditionalGeneration``).

    Parameters
    ----------
    model_id : str
        Hub id or local folder (default ``facebook/musicgen-small``). Weights load lazily, once.
    mode : {"prompt", "embedding"}
        ``prompt``: the weighted text prompt of the original design ("A music track that is 70%
        classical and 30% hip hop."). ``embedding``: the α-interpolation of the text-encoder
        states of "A classical music track." and "A hip hop music track.".
    guidance_scale, top_k, temperature : float, int, float
        Sampling: classifier-free guidance weight (> 1 turns it on), top-k, temperature.
    device : str, optional
        ``cuda``, ``mps`` or ``cpu``; chosen automatically by default (fp16 on CUDA).
    model, tokenizer : optional
        Already-built objects (tests use a tiny random model); bypass loading.
    progress : callable(done, total), optional
        Called after every decoder step.
    """

    name = "musicgen"
    output_licence = LICENCE

    def __init__(
        self,
        model_id: str = loading.DEFAULT_MODEL,
        mode: str = "embedding",
        guidance_scale: float = 3.0,
        top_k: int = 250,
        temperature: float = 1.0,
        device: str | None = None,
        revision: str | None = None,
        model=None,
        tokenizer=None,
        progress: Callable[[int, int], None] | None = None,
    ):
        if mode not in MODES:
            raise InvalidInputError(f"unknown MusicGen mode {mode!r}; accepted: {', '.join(MODES)}")
        if not guidance_scale >= 0 or top_k < 0 or not temperature > 0:
            raise InvalidInputError(
                "guidance_scale must be >= 0, top_k >= 0 and temperature > 0; got "
                f"{guidance_scale}, {top_k}, {temperature}"
            )
        self.model_id, self.mode, self.revision = str(model_id), mode, revision
        self.guidance_scale, self.top_k, self.temperature = guidance_scale, int(top_k), temperature
        self.device = loading.select_device(device)
        self._model, self._tokenizer, self._commit = model, tokenizer, revision
        self.progress = progress

    @staticmethod
    def availability(model_id: str = loading.DEFAULT_MODEL) -> tuple[bool, str]:
        """Whether the weights can be loaded here, without loading them."""
        return loading.availability(model_id)

    def _parts(self):
        if self._model is None:
            self._model, self._tokenizer, self._commit = loading.load(
                self.model_id, self.device, self.revision
            )
        return self._model, self._tokenizer

    @property
    def sample_rate(self) -> int:
        return int(self._parts()[0].config.audio_encoder.sampling_rate)

    def n_tokens(self, duration_s: float) -> int:
        """Decoder steps for ``duration_s`` of audio: one per frame, plus the codebook delay
        pattern's ``num_codebooks - 1`` steps that produce no new audio frame."""
        model = self._parts()[0]
        frame_rate = model.config.audio_encoder.frame_rate
        return math.ceil(duration_s * frame_rate) + model.decoder.config.num_codebooks - 1

    def conditioning(self, genre_a: str, genre_b: str, alpha: float, controls=None):
        """The text conditioning of a request, and the prompt(s) behind it (the tempo and key
        of ``controls`` in words, :func:`prompts.with_controls`)."""
        model, tokenizer = self._parts()
        device = model.device
        if self.mode == "prompt":
            prompt = with_controls(weighted_prompt(genre_a, genre_b, alpha), controls)
            return conditioning.encode(model, tokenizer, prompt, device), [prompt]
        prompts = [with_controls(genre_prompt(g), controls) for g in (genre_a, genre_b)]
        a = conditioning.encode(model, tokenizer, prompts[0], device)
        b = a if genre_a == genre_b else conditioning.encode(model, tokenizer, prompts[1], device)
        return conditioning.interpolate(a, b, alpha), prompts

    def generate(
        self,
        genre_a: str,
        genre_b: str,
        alpha: float,
        duration_s: float,
        seed: int,
        controls=None,
        stems: bool = False,
    ) -> GenerationResult:
        """``controls`` (tempo, key) go into the prompt text as words; ``stems`` is refused:
        MusicGen generates one mixed waveform, with no parts to split."""
        import torch
        from transformers.modeling_outputs import BaseModelOutput

        from genreblender.generation.registry import check_stems

        check_stems(self.name, stems)
        request = validate_request(genre_a, genre_b, alpha, duration_s, seed, min_duration_s=0)
        model, _ = self._parts()
        cond, prompts = self.conditioning(request.genre_a, request.genre_b, request.alpha, controls)
        hidden, mask = conditioning.guidance_batch(cond, self.guidance_scale)
        n_tokens = self.n_tokens(request.duration_s)
        from transformers import StoppingCriteriaList

        progress = StoppingCriteriaList([_step_progress(n_tokens, self.progress)])
        torch.manual_seed(request.seed)
        with torch.no_grad():
            audio = model.generate(
                input_ids=cond.input_ids,
                encoder_outputs=BaseModelOutput(last_hidden_state=hidden),
                attention_mask=mask,
                max_new_tokens=n_tokens,
                do_sample=True,
                guidance_scale=self.guidance_scale,
                top_k=self.top_k,
                temperature=self.temperature,
                stopping_criteria=progress,
            )
        samples = audio[0, 0].float().cpu().numpy()
        sr = int(model.config.audio_encoder.sampling_rate)
        n = int(round(request.duration_s * sr))
        samples = fit_length(samples, n)
        version = f"{self.model_id}@{self._commit or 'unknown revision'}"
        metadata: dict[str, Any] = request_metadata(
            self.name, request, version, self.output_licence
        )
        metadata |= {
            "model_id": self.model_id,
            "revision": self._commit,
            "mode": self.mode,
            "prompt": prompts[0] if self.mode == "prompt" else None,
            "prompts": prompts,
            "sampling": {
                "guidance_scale": self.guidance_scale,
                "top_k": self.top_k,
                "temperature": self.temperature,
                "n_tokens": n_tokens,
            },
            "device": self.device,
            "controls": controls.to_dict() if controls is not None else {"bpm": None, "key": None},
            "controls_applied_as": "prompt text"
            if controls is not None and not controls.empty
            else None,
        }
        return GenerationResult(audio=samples.astype(np.float32), sample_rate=sr, metadata=metadata)
