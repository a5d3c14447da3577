"""The MusicGen engine on a tiny randomly initialised model and tokenizer made here (no download)."""

import numpy as np
import pytest
import torch

from genreblender.errors import EngineUnavailableError, InvalidInputError
from genreblender.generation.musicgen import MusicGenGenerator, conditioning, loading
from genreblender.generation.musicgen.prompts import genre_prompt, weighted_prompt
from genreblender.generation.musicgen.tiny import build_tiny


@pytest.fixture(scope="module")
def tiny():
    return build_tiny()


def engine(tiny, **kw):
    model, tokenizer = tiny
    return MusicGenGenerator(
        model_id="tiny-test", model=model, tokenizer=tokenizer, device="cpu", top_k=8, **kw
    )


def test_prompts():
    assert weighted_prompt("classical", "hiphop", 0.7) == (
        "A music track that is 70% classical and 30% hip hop."
    )
    assert weighted_prompt("jazz", "metal", 1.0) == "A jazz music track."
    assert weighted_prompt("jazz", "metal", 0.0) == "A metal music track."
    assert genre_prompt("hiphop") == "A hip hop music track."


def test_shapes_rate_duration_and_metadata(tiny):
    gen = engine(tiny, mode="prompt")
    audio, sr, meta = gen.generate("classical", "hiphop", 0.7, 0.25, seed=3)
    assert sr == 8000 and audio.dtype == np.float32 and audio.shape == (2000,)
    assert np.isfinite(audio).all()
    assert meta["prompt"] == "A music track that is 70% classical and 30% hip hop."
    assert meta["mode"] == "prompt" and meta["engine"] == "musicgen"
    assert meta["sampling"]["guidance_scale"] == 3.0 and "CC-BY-NC" in meta["licence"]
    # one decoder step per frame plus the delay pattern of the codebooks
    assert gen.n_tokens(1.0) == 500 + tiny[0].decoder.config.num_codebooks - 1


def test_seed_determinism(tiny):
    gen = engine(tiny)
    a = gen.generate("jazz", "metal", 0.5, 0.1, seed=1).audio
    b = gen.generate("jazz", "metal", 0.5, 0.1, seed=1).audio
    c = gen.generate("jazz", "metal", 0.5, 0.1, seed=2).audio
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, c)


def test_embedding_ends_equal_single_prompts(tiny):
    model, tokenizer = tiny
    gen = engine(tiny, mode="embedding")
    only_a = conditioning.encode(model, tokenizer, genre_prompt("jazz"), model.device)
    only_b = conditioning.encode(model, tokenizer, genre_prompt("metal"), model.device)
    at_one, _ = gen.conditioning("jazz", "metal", 1.0)
    at_zero, _ = gen.conditioning("jazz", "metal", 0.0)
    assert torch.equal(at_one.hidden, only_a.hidden) and torch.equal(at_one.mask, only_a.mask)
    assert torch.equal(at_zero.hidden, only_b.hidden)
    # and so does the audio: alpha = 1 in embedding mode is a plain "A" prompt
    via_embedding = gen.generate("jazz", "metal", 1.0, 0.1, seed=5).audio
    via_prompt = engine(tiny, mode="prompt").generate("jazz", "jazz", 1.0, 0.1, seed=5).audio
    np.testing.assert_array_equal(via_embedding, via_prompt)


def test_intermediate_alpha_lies_between(tiny):
    gen = engine(tiny, mode="embedding")
    a, _ = gen.conditioning("jazz", "metal", 1.0)
    b, _ = gen.conditioning("jazz", "metal", 0.0)
    length = max(a.hidden.shape[1], b.hidden.shape[1])
    ha = torch.nn.functional.pad(a.hidden, (0, 0, 0, length - a.hidden.shape[1]))
    hb = torch.nn.functional.pad(b.hidden, (0, 0, 0, length - b.hidden.shape[1]))
    distances = []
    for alpha in (0.1, 0.3, 0.5, 0.7, 0.9):
        mid, _ = gen.conditioning("jazz", "metal", alpha)
        torch.testing.assert_close(mid.hidden, alpha * ha + (1 - alpha) * hb)
        distances.append(float((mid.hidden - ha).norm()))
    assert distances == sorted(distances, reverse=True)  # closer to A as alpha grows
    mid_audio = gen.generate("jazz", "metal", 0.5, 0.1, seed=5).audio
    assert not np.array_equal(mid_audio, gen.generate("jazz", "metal", 1.0, 0.1, seed=5).audio)


def test_guidance_runs_and_matters(tiny):
    model, tokenizer = tiny
    cond = conditioning.encode(model, tokenizer, genre_prompt("jazz"), model.device)
    hidden, mask = conditioning.guidance_batch(cond, 3.0)
    assert hidden.shape[0] == 2 and not hidden[1].any() and not mask[1].any()
    assert conditioning.guidance_batch(cond, 1.0)[0].shape[0] == 1
    guided = engine(tiny, guidance_scale=3.0).generate("jazz", "metal", 0.5, 0.1, seed=4).audio
    plain = engine(tiny, guidance_scale=1.0).generate("jazz", "metal", 0.5, 0.1, seed=4).audio
    assert guided.shape == plain.shape and not np.array_equal(guided, plain)


def test_progress_reports_every_step(tiny):
    steps = []
    gen = engine(tiny, progress=lambda done, total: steps.append((done, total)))
    gen.generate("jazz", "metal", 0.5, 0.05, seed=0)
    total = gen.n_tokens(0.05)
    assert steps[-1] == (total, total) and len(steps) >= total - 1


def test_bad_options_and_missing_weights(tmp_path, monkeypatch):
    with pytest.raises(InvalidInputError, match="mode"):
        MusicGenGenerator(mode="telepathy")
    with pytest.raises(InvalidInputError, match="temperature"):
        MusicGenGenerator(temperature=0)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    ok, reason = MusicGenGenerator.availability("facebook/musicgen-small")
    assert not ok and "--model" in reason and "composer" in reason
    loading.load.cache_clear()
    with pytest.raises(EngineUnavailableError, match="could not be loaded"):
        MusicGenGenerator(model_id=str(tmp_path / "nowhere-model"), device="cpu").generate(
            "jazz", "metal", 0.5, 1.0, 0
        )
    (tmp_path / "folder").mkdir()
    assert not MusicGenGenerator.availability(str(tmp_path / "folder"))[0]


def test_tempo_and_key_are_prompt_words_and_stems_are_refused(tiny):
    from genreblender.generation.controls import validate_controls

    controls = validate_controls(120, "A minor")
    gen = engine(tiny, mode="prompt")
    meta = gen.generate("jazz", "metal", 0.7, 0.1, seed=1, controls=controls).metadata
    assert meta["prompt"] == "A music track that is 70% jazz and 30% metal at 120 BPM in A minor."
    assert meta["controls"] == {"bpm": 120.0, "key": "A minor"}
    assert meta["controls_applied_as"] == "prompt text"
    _, prompts = engine(tiny, mode="embedding").conditioning("jazz", "metal", 0.5, controls)
    assert prompts == [
        "A jazz music track at 120 BPM in A minor.",
        "A metal music track at 120 BPM in A minor.",
    ]
    with pytest.raises(InvalidInputError, match="makes no stems"):
        gen.generate("jazz", "metal", 0.7, 0.1, seed=1, stems=True)
