"""What the rap vocals do to pure hip-hop: the same songs with and without them, by every ear.

    .venv/bin/python benchmarks/vocals_effect.py [--seeds 6] [--seconds 30]
        [--judge MSD_musicnn+MTT_musicnn]

Prints, per seed and in total, p(hip-hop) and the top genre from our classifier and the musicnn
judge, for composer hip-hop (alpha = 1) with its eSpeak NG rap and with the vocal level set to 0.
"""

import argparse

import _common  # noqa: F401  (sets one thread before numpy is imported)

import numpy as np

from genreblender import defaults
from genreblender.classification import GenreClassifier
from genreblender.evaluation.judges import MusicnnJudge
from genreblender.generation.composer import Composer
from genreblender.generation.composer import style as style_module


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", type=int, default=6)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--judge", default=defaults.JUDGE)
    args = parser.parse_args()
    _common.one_thread_torch()
    ears = {"ours": GenreClassifier.load(), "judge": MusicnnJudge(args.judge)}
    composer = Composer()
    with_vocals = style_module.load_style

    def without_vocals(genre):
        style = with_vocals(genre)
        style["vocals"]["level"] = 0.0
        return style

    for label, loader in (("with rap", with_vocals), ("no vocals", without_vocals)):
        style_module.load_style = loader  # blend_styles looks it up at call time
        heard = {ear: [] for ear in ears}
        for seed in range(args.seeds):
            result = composer.generate("hiphop", "hiphop", 1.0, args.seconds, seed)
            mono = result.audio.mean(axis=1)
            scores = {
                "ours": ears["ours"].classify(mono, sr=result.sample_rate).distribution,
                "judge": ears["judge"].genre_scores(mono, result.sample_rate),
            }
            line = [f"{label:9s} seed {seed}"]
            for ear, p in scores.items():
                heard[ear].append((p["hiphop"], max(p, key=p.get)))
                line.append(f"{ear} p(hiphop) {p['hiphop']:.2f} top {heard[ear][-1][1]}")
            print(" | ".join(line), flush=True)
        for ear, rows in heard.items():
            on_top = sum(top == "hiphop" for _, top in rows)
            mean_p = float(np.mean([p for p, _ in rows]))
            print(f"{label:9s} {ear:5s}: hip-hop on top {on_top}/{len(rows)}, mean p {mean_p:.2f}")
    style_module.load_style = with_vocals


if __name__ == "__main__":
    main()
