"""Finding a device and loading MusicGen weights (lazily, once per process)."""

from __future__ import annotations

import functools
import os
import socket
import threading
from pathlib import Path
from urllib.parse import urlsplit

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


#: Longest wait for the hub to answer a connection before the engine is called unavailable.
HUB_PROBE_TIMEOUT_S = 1.5
_TRUE = {"1", "on", "yes", "true"}


def _offline() -> bool:
    return any(
        os.environ.get(name, "").strip().lower() in _TRUE
        for name in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def hub_reachable(timeout_s: float = HUB_PROBE_TIMEOUT_S) -> bool:
    """Whether a TCP connection to the hub (or the HTTPS proxy in use) opens within
    ``timeout_s``. Run on a thread so that a hanging DNS lookup cannot hold us longer."""
    proxy = os.environ.get("HTTPS_PROXY") or os.environ.get("https_proxy")
    url = urlsplit(proxy or os.environ.get("HF_ENDPOINT") or "https://huggingface.co")
    host, port = url.hostname, url.port or (443 if url.scheme == "https" else 80)
    if not host:
        return False
    answer: list[bool] = []

    def probe() -> None:
        try:
            socket.create_connection((host, port), timeout=timeout_s).close()
            answer.append(True)
        except OSError:
            answer.append(False)

    thread = threading.Thread(target=probe, daemon=True, name="hub-probe")
    thread.start()
    thread.join(timeout_s)
    return bool(answer and answer[0])


def check_loadable(model_id: str = DEFAULT_MODEL, revision: str | None = None) -> bool:
    """True when the weights are to be read from disk only (a local folder, or the Hugging Face
    cache holds the model); False when they may be downloaded. Raises
    :class:`EngineUnavailableError` at once when they are neither here nor downloadable: the
    hub client would otherwise retry for a minute before saying so."""
    if Path(model_id).expanduser().exists():
        return True
    try:
        from huggingface_hub import try_to_load_from_cache

        cached = try_to_load_from_cache(model_id, "config.json", revision=revision)
    except Exception:  # not a valid hub id (e.g. a folder that does not exist)
        cached = None
    if isinstance(cached, str):
        return True
    if _offline():
        reason = "it is not in the Hugging Face cache and HF_HUB_OFFLINE is set"
    elif not hub_reachable():
        reason = "it is not in the Hugging Face cache and the hub cannot be reached"
    else:
        return False
    raise EngineUnavailableError(
        f"MusicGen weights '{model_id}' could not be loaded ({reason}); "
        + HOW_TO_PROVIDE.format(model=model_id)
    )


@functools.lru_cache(maxsize=2)
def load(model_id: str, device: str, revision: str | None = None):
    """``(model, tokenizer, revision)``; fp16 on a GPU. Raises :class:`EngineUnavailableError`
    with how to provide the weights when they cannot be had (within ~2 s when offline)."""
    local_only = check_loadable(model_id, revision)  # before importing transformers (seconds)
    import torch
    from transformers import AutoTokenizer, MusicgenForConditionalGeneration

    dtype = torch.float16 if device in ("cuda",) else torch.float32
    try:
        model = MusicgenForConditionalGeneration.from_pretrained(
            model_id, revision=revision, dtype=dtype, local_files_only=local_only
        )
        tokenizer = AutoTokenizer.from_pretrained(
            model_id, revision=revision, local_files_only=local_only
        )
    except (OSError, ValueError) as exc:
        raise EngineUnavailableError(
            f"MusicGen weights '{model_id}' could not be loaded ({type(exc).__name__}: "
            f"{str(exc).splitlines()[0][:200]}); " + HOW_TO_PROVIDE.format(model=model_id)
        ) from None
    model = model.to(device).eval()
    commit = getattr(model.config, "_commit_hash", None) or revision
    return model, tokenizer, commit
