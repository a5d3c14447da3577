"""What the mel listener's dB-reference rule and shorter audio cost, on unseen artists.

    .venv/bin/python benchmarks/mel_reference_study.py [--model PATH] [--lengths 3,5,10,20,30]

A GTZAN mel image is in dB re its own 30-s clip's maximum; audio that is not a 30-s clip has to
be referenced to something (melspec's rule: the whole audio up to 33 s, else the 30-s span
around each frame). This study takes the 197 validation-list images (artists the model never
saw: it is trained on the training list, seed 0, with the shipped recipe, unless --model is
given) and compares, per excerpt length (cut from the start, middle and end of each track):

- ``clip ref``: the excerpt's levels as in the image (referenced to the whole 30-s clip);
- ``own ref``: the excerpt re-referenced to its own maximum, which is what the rule gives for a
  track that is only that long (levels shifted up so the excerpt's loudest bin is 0 dB; the
  floor, unknown below the clip's -80 dB, stays at the clip's floor).

Printed per length: track accuracy for both, their top-genre agreement and mean JS divergence,
and the agreement of each with the whole clip's top genre.
"""

import argparse
import os
from pathlib import Path

import _common
from _mel_lists import list_model, mel_list

import numpy as np

from genreblender.classification.calibration import softmax
from genreblender.classification.melspec import COLUMNS_PER_SECOND, N_LEVELS
from genreblender.evaluation.metrics import _kl


def js(p, q):
    m = 0.5 * (p + q)
    return 0.5 * _kl(p, m, 2) + 0.5 * _kl(q, m, 2)


def own_reference(levels: np.ndarray) -> np.ndarray:
    shift = (N_LEVELS - 1) - int(levels.max())
    return np.clip(levels.astype(np.int64) + shift, 0, N_LEVELS - 1).astype(np.uint8)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--model", default=None, help="a mel-CNN .pth trained on the train list")
    parser.add_argument("--lengths", default="3,5,10,20,30")
    parser.add_argument("--cache", default="out/bench/mel_train_list_model.pth")
    args = parser.parse_args()
    _common.one_thread_torch()
    import torch

    torch.set_num_threads(min(2, os.cpu_count() or 1))
    model_path = Path(args.model or args.cache)
    model = list_model("train", model_path, parser)
    valid = mel_list("valid", parser)
    print(f"model {model_path} (T={model.temperature:.2f}); {len(valid)} validation images\n")

    whole = model.predict_proba(list(valid.levels))
    width = valid.levels.shape[2]
    print(
        f"{'excerpt':>8} {'acc clip ref':>12} {'acc own ref':>11} {'same top':>9} "
        f"{'JS bits':>8} {'top = whole (clip/own)':>23}"
    )
    for length in [float(x) for x in args.lengths.split(",")]:
        cols = min(width, int(round(length * COLUMNS_PER_SECOND)))
        acc_c, acc_o, same, div, whole_c, whole_o = [], [], [], [], [], []
        for track, label, p_whole in zip(valid.levels, valid.labels, whole, strict=True):
            for start in sorted({0, (width - cols) // 2, width - cols}):
                excerpt = np.ascontiguousarray(track[:, start : start + cols])
                pc = softmax(model.track_logits([excerpt])[0], model.temperature).mean(0)
                po = softmax(
                    model.track_logits([own_reference(excerpt)])[0], model.temperature
                ).mean(0)
                acc_c.append(pc.argmax() == label)
                acc_o.append(po.argmax() == label)
                same.append(pc.argmax() == po.argmax())
                div.append(js(pc, po))
                whole_c.append(pc.argmax() == p_whole.argmax())
                whole_o.append(po.argmax() == p_whole.argmax())
        print(
            f"{length:7g}s {np.mean(acc_c):12.1%} {np.mean(acc_o):11.1%} {np.mean(same):9.1%} "
            f"{np.mean(div):8.3f} {np.mean(whole_c):11.1%} / {np.mean(whole_o):.1%}"
            f"   (n={len(acc_c)})"
        )


if __name__ == "__main__":
    main()
