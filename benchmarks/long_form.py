"""How repetitive a long song is: pure songs of every genre, measured bar by bar.

    .venv/bin/python benchmarks/long_form.py [--seconds 300] [--seeds 1] [--json out.json]

Run it against another checkout (``PYTHONPATH=<checkout>/src``) for a before/after figure: it
uses only ``Composer.compose`` and ``Composer.generate``.

Per song, from the audio (mono 22050 Hz, 40-band log-mel, averaged over each bar of the song's
tempo):

- **distinct bars**: the share of bars (after the first 16) with no near-copy among the bars at
  least 8 bars earlier, a near-copy being a bar whose mel spectrum is within 1.5 dB RMS of it.
  A loop played for ten minutes has near 0; a song whose texture keeps changing, near 1.
- **self-similarity**: the median RMS dB distance between bars at least 8 bars apart (higher
  is more varied) and the spread of the bars' loudness (std of bar RMS, dB).

From the score: the share of bars in sections other than verse and chorus, and the variation
of the drums' density (coefficient of variation of drum notes per bar).
"""

import argparse
import json
import statistics

import _common  # noqa: F401  (one thread before numpy is imported)
import numpy as np

from genreblender.generation.composer import Composer
from genreblender.genres import GENRES

NEAR_COPY_DB = 1.5
MIN_GAP_BARS = 8


def bar_spectra(audio: np.ndarray, sr: int, bpm: float, meter: int = 4) -> np.ndarray:
    import librosa

    mono = librosa.resample(audio.mean(axis=1), orig_sr=sr, target_sr=22050, res_type="soxr_hq")
    mel = librosa.feature.melspectrogram(y=mono, sr=22050, n_mels=40, hop_length=512)
    frames_per_s = 22050 / 512
    bar_frames = meter * 60.0 / bpm * frames_per_s
    n_bars = int(mel.shape[1] // bar_frames)
    bars = [
        mel[:, int(round(i * bar_frames)) : int(round((i + 1) * bar_frames))].mean(axis=1)
        for i in range(n_bars)
    ]
    return 10 * np.log10(np.asarray(bars) + 1e-10)


def audio_measures(spectra: np.ndarray) -> dict:
    n = len(spectra)
    dist = np.sqrt(np.mean((spectra[:, None, :] - spectra[None, :, :]) ** 2, axis=2))
    far = np.abs(np.arange(n)[:, None] - np.arange(n)[None, :]) >= MIN_GAP_BARS
    distinct = [not np.any(dist[j, : j - MIN_GAP_BARS + 1] < NEAR_COPY_DB) for j in range(16, n)]
    loudness = 10 * np.log10(np.mean(10 ** (spectra / 10), axis=1))
    return {
        "distinct_bars": float(np.mean(distinct)) if distinct else float("nan"),
        "median_bar_distance_db": float(np.median(dist[far])),
        "bar_loudness_std_db": float(np.std(loudness)),
    }


def score_measures(score) -> dict:
    bars = score.n_bars
    other = sum(s.bars for s in score.sections if s.kind not in ("verse", "chorus"))
    counts = np.zeros(bars)
    for note in score.parts.get("drums", []):
        counts[min(int(note.start // 16), bars - 1)] += 1
    cv = float(np.std(counts) / np.mean(counts)) if counts.mean() > 0 else float("nan")
    return {
        "sections": len(score.sections),
        "section_kinds": sorted({s.kind for s in score.sections}),
        "share_not_verse_chorus": other / bars,
        "drum_density_cv": cv,
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=300.0)
    parser.add_argument("--seeds", type=int, default=1)
    parser.add_argument("--genres", default=",".join(GENRES))
    parser.add_argument("--json", default=None, help="write every song's figures here")
    args = parser.parse_args()
    composer = Composer()
    rows = []
    for genre in args.genres.split(","):
        for seed in range(args.seeds):
            score, *_ = composer.compose(genre, genre, 1.0, args.seconds, seed)
            result = composer.generate(genre, genre, 1.0, args.seconds, seed)
            spectra = bar_spectra(result.audio, result.sample_rate, result.metadata["tempo_bpm"])
            row = {"genre": genre, "seed": seed, **audio_measures(spectra), **score_measures(score)}
            rows.append(row)
            print(
                f"{genre:10s} seed {seed}: distinct bars {row['distinct_bars']:.2f}, median "
                f"bar distance {row['median_bar_distance_db']:.2f} dB, loudness std "
                f"{row['bar_loudness_std_db']:.2f} dB, not verse/chorus "
                f"{row['share_not_verse_chorus']:.0%}, drum density CV {row['drum_density_cv']:.2f}",
                flush=True,
            )
    print(f"\n{len(rows)} songs of {args.seconds:g} s (median [min, max] over songs):")
    for key in (
        "distinct_bars",
        "median_bar_distance_db",
        "bar_loudness_std_db",
        "share_not_verse_chorus",
        "drum_density_cv",
    ):
        values = [r[key] for r in rows if r[key] == r[key]]
        print(f"  {key:24s} {statistics.median(values):.3f} [{min(values):.3f}, {max(values):.3f}]")
    if args.json:
        with open(args.json, "w") as handle:
            json.dump(rows, handle, indent=2)


if __name__ == "__main__":
    main()
