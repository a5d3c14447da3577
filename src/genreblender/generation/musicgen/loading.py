"""Finding a device and loading MusicGen weights (lazily, once per process)."""

from __future__ import annotations

import functools
from pathlib import Path

from genreblender.errors import EngineUnavailableError, InvalidInputError

DEFAULT_MODEL = "facebook/musicgen-small"

HOW_TO_PROVIDE = (
    "to provide the weights, either run once on a machine with network access "
    '`python -c "from transformers import AutoProcessor, MusicgenForConditionalGeneration as M; '
    "M.from_pretrained('{model}'); AutoProcessor.from_pretrained('{model}')\"` (fills the Hugging "
    "Face cache, ~/.cache/huggingface; copy it over for offline use), or download the model folder "
    "and pass it with --model /path/to/folder. The embedded composer (--engine composer) needs no "
    "download."
)


def select_device(device: str | None = None) -> str:
    """``cuda`` if available, else Apple ``mps``, else ``cpu`` (or the one asked for)."""
    import torch

    if device:
        try:
            torch.device(device)
        except (RuntimeError, TypeError):
            raise InvalidInputError(
                f"unknown device {device!r}; accepted: cuda, mps, cpu"
            ) from None
        return device
    if torch.cuda.is_available():
        return "cuda"
    if getattr(torch.backends, "mps", None) is not None and torch.backends.mps.is_available():
        return "mps"
    return "cpu"


def availability(model_id: str = DEFAULT_MODEL) -> tuple[bool, str]:
    """Whether the weights can be loaded without a network, without loading them."""
    path = Path(model_id).expanduser()
    if path.exists():
        if (path / "config.json").is_file():
            return True, f"local folder {path}"
        return False, f"{path} has no config.json; it is not a saved MusicGen model"
    try:
        from huggingface_hub import try_to_load_from_cache
    except ImportError:
        return False, "huggingface_hub is not installed"
    cached = try_to_load_from_cache(model_id, "config.json")
    if isinstance(cached, str):
        return True, f"{model_id} in the Hugging Face cache"
    return False, f"{model_id} is not in the Hugging Face cache and there is no network here; " + (
        HOW_TO_PROVIDE.format(model=model_id)
    )


@functools.lru_cache(maxsize=2)
def load(model_id: str, device: str, revision: str | None = None):
    """``(model, tokenizer, revision)``; fp16 on a GPU. Raises :class:`EngineUnavailableError`
    with how to provide the weights when they cannot be had."""
    import torch
    from transformers import AutoTokenizer, MusicgenForConditionalGeneration

    dtype = torch.float16 if device in ("cuda",) else torch.float32
    try:
        model = MusicgenForConditionalGeneration.from_pretrained(
            model_id, revision=revision, dtype=dtype
        )
        tokenizer = AutoTokenizer.from_pretrained(model_id, revision=revision)
    except (OSError, ValueError) as exc:
        raise EngineUnavailableError(
            f"MusicGen weights '{model_id}' could not be loaded ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200]}); " + HOW_TO_PROVIDE.format(model=model_id)
        ) from None
    model = model.to(device).eval()
    commit = getattr(model.config, "_commit_hash", None) or revision
    return model, tokenizer, commit
