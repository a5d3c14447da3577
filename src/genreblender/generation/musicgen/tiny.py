"""A tiny, randomly initialised MusicGen and a word-level tokenizer for it, built from configs.

For tests and benchmarks of the engine's plumbing where no real weights can be downloaded: it
has MusicGen's architecture (T5 text encoder, EnCodec, multi-codebook decoder) at toy sizes
(8 kHz audio, 500 frames per second, 5 codebooks) and makes noise, not music.
"""

from __future__ import annotations

TINY_VOCABULARY = [
    "<pad>",
    "</s>",
    "<unk>",
    "a",
    "music",
    "track",
    "that",
    "is",
    "and",
    "%",
    ".",
    "hip",
    "hop",
    "blues",
    "classical",
    "country",
    "disco",
    "jazz",
    "metal",
    "pop",
    "reggae",
    "rock",
    *[str(i) for i in range(0, 101, 10)],
]


def build_tiny(seed: int = 0):
    """A randomly initialised MusicGen (1-layer T5, tiny EnCodec, 1-layer decoder) and a
    word-level tokenizer over the words our prompts use."""
    from tokenizers import Tokenizer, pre_tokenizers
    from tokenizers.models import WordLevel
    from transformers import (
        EncodecConfig,
        MusicgenDecoderConfig,
        PreTrainedTokenizerFast,
        T5Config,
    )

    vocab = {w: i for i, w in enumerate(TINY_VOCABULARY)}
    core = Tokenizer(WordLevel(vocab, unk_token="<unk>"))
    core.pre_tokenizer = pre_tokenizers.Sequence(
        [pre_tokenizers.Whitespace(), pre_tokenizers.Digits(individual_digits=False)]
    )
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=core, pad_token="<pad>", eos_token="</s>", unk_token="<unk>"
    )
    tokenizer.backend_tokenizer.normalizer = None
    text = T5Config(
        vocab_size=len(TINY_VOCABULARY), d_model=16, d_kv=4, d_ff=32, num_layers=1, num_heads=2
    )
    audio = EncodecConfig(
        target_bandwidths=[10.0],
        sampling_rate=8000,
        audio_channels=1,
        normalize=False,
        chunk_length_s=None,
        overlap=None,
        hidden_size=8,
        num_filters=4,
        num_residual_layers=1,
        upsampling_ratios=[4, 4],
        codebook_size=16,
        codebook_dim=8,
        num_lstm_layers=1,
    )
    decoder = MusicgenDecoderConfig(
        vocab_size=16,
        hidden_size=16,
        num_hidden_layers=1,
        num_attention_heads=2,
        ffn_dim=32,
        num_codebooks=audio.num_quantizers,
        max_position_embeddings=4096,
        pad_token_id=16,
        bos_token_id=16,
    )
    return random_musicgen(text, audio, decoder, seed), tokenizer


def random_musicgen(text_config, audio_config, decoder_config, seed: int = 0):
    """A randomly initialised ``MusicgenForConditionalGeneration`` from its three sub-configs,
    ready to generate (the decoder's pad/BOS token, ``decoder_config.pad_token_id``, starts)."""
    import torch
    from transformers import MusicgenConfig, MusicgenForConditionalGeneration

    config = MusicgenConfig(
        text_encoder=text_config.to_dict(),
        audio_encoder=audio_config.to_dict(),
        decoder=decoder_config.to_dict(),
    )
    torch.manual_seed(seed)
    model = MusicgenForConditionalGeneration(config).eval()
    # EnCodec's codebooks start as zeros (k-means fills them in training): give them random
    # vectors so that different codes decode to different audio
    with torch.no_grad():
        for layer in model.audio_encoder.quantizer.layers:
            layer.codebook.embed.normal_()
    token = decoder_config.pad_token_id
    model.generation_config.decoder_start_token_id = token
    model.generation_config.pad_token_id = token
    model.generation_config.bos_token_id = token
    return model
