"""What shorter audio costs: classify excerpts of the 12 shared GTZAN clips.

    .venv/bin/python benchmarks/window_length_study.py [--lengths 3,5,10,15,20,30]

For each length, excerpts are cut from the start, middle and end of each clip and analysed as
one window of their own length (what the shipped 30-s model does with short audio). Reported per
length: agreement of the excerpt's top genre with the full clip's, the mean Jensen-Shannon
divergence between the two distributions, and accuracy against the GTZAN label.

The 12 clips are training tracks of the shipped model, so the model here is retrained with the
shipped recipe on the table *without* those 12 tracks (their artists may still be in it): the
figures measure the cost of shorter windows, not the model's accuracy on unseen artists.
"""

import argparse

import _common

import numpy as np
import pandas as pd

from genreblender.classification import GenreClassifier
from genreblender.classification.features import FEATURE_NAMES, extract_windows
from genreblender.classification.training import TrainConfig
from genreblender.evaluation.metrics import _kl
from genreblender.paths import shared_data_dir


def js(p, q):
    m = 0.5 * (p + q)
    return 0.5 * _kl(p, m, 2) + 0.5 * _kl(q, m, 2)


def main():
    import soundfile as sf

    parser = argparse.ArgumentParser()
    parser.add_argument("--lengths", default="3,5,10,15,20,30")
    args = parser.parse_args()
    _common.one_thread_torch()
    gtzan = shared_data_dir() / "gtzan"
    clips = sorted((gtzan / "audio").glob("*/*.wav"))
    table = pd.read_csv(gtzan / "features_30_sec.csv")
    keep = ~table["filename"].isin([c.name for c in clips])
    shipped = GenreClassifier.load()
    epochs = shipped.artifacts_.provenance.get("train_config", {}).get("epochs", 20)
    model = GenreClassifier(config=TrainConfig(epochs=epochs, seed=0))
    model.fit(table.loc[keep, list(FEATURE_NAMES)].to_numpy(), table.loc[keep, "label"].to_numpy())
    model.artifacts_.temperature = shipped.artifacts_.temperature
    print(
        f"model: shipped recipe, {int(keep.sum())} tracks (the 12 clips left out), "
        f"{epochs} epochs, T={shipped.artifacts_.temperature:.2f}\n"
    )

    audio = {c: sf.read(c, dtype="float32")[0] for c in clips}
    full = {
        c: model.predict_proba(extract_windows(y, 22050, 30.0).features)[0]
        for c, y in audio.items()
    }
    print(
        f"{'length':>6s} {'excerpts':>8s} {'same top as full':>17s} {'JS to full':>10s} {'accuracy':>9s}"
    )
    for length in [float(x) for x in args.lengths.split(",")]:
        agree, divergences, correct = [], [], []
        for clip, y in audio.items():
            n = int(length * 22050)
            starts = sorted({0, max(0, (len(y) - n) // 2), max(0, len(y) - n)})
            for s in starts:
                excerpt = y[s : s + n]
                p = model.predict_proba(
                    extract_windows(excerpt, 22050, window_s=len(excerpt) / 22050).features
                )[0]
                agree.append(p.argmax() == full[clip].argmax())
                divergences.append(js(p, full[clip]))
                correct.append(model.labels[p.argmax()] == clip.parent.name)
        print(
            f"{length:5.0f}s {len(agree):8d} {np.mean(agree):17.0%} {np.mean(divergences):10.3f} "
            f"{np.mean(correct):9.0%}"
        )


if __name__ == "__main__":
    main()
