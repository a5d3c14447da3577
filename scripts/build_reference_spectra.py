"""Rebuild ``generation/composer/styles/reference_spectra.json`` from the GTZAN feature table.

    .venv/bin/python scripts/build_reference_spectra.py [--table ../shared/data/gtzan/features_30_sec.csv]

A genre's sound is as much its production as its notes: a 1950s blues record, a concert-hall
recording and a modern pop master have different long-term spectra. The composer's master bus
matches each track's tonal balance to its genre's typical GTZAN recording (a reference-matching
mastering EQ, see ``composer/mix.py``). The reference is the per-genre median of the table's
``mfcc1_mean .. mfcc20_mean``: an MFCC mean is the DCT of the mean log-mel spectrum, so 20 of
them describe a smoothed long-term spectrum in dB. Only these 10 x 20 medians ship, never the
table.
"""

from __future__ import annotations

import argparse
import hashlib
import json
from pathlib import Path

import numpy as np
import pandas as pd

OUT = (
    Path(__file__).resolve().parents[1]
    / "src/genreblender/generation/composer/styles/reference_spectra.json"
)


def main() -> None:
    from genreblender.classification.features import N_MFCC
    from genreblender.genres import GENRES
    from genreblender.paths import shared_data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--table", default=None, help="GTZAN features_30_sec.csv")
    args = parser.parse_args()
    if args.table:
        path = Path(args.table)
    else:
        shared = shared_data_dir()
        if shared is None:
            raise SystemExit("../shared/data not found; pass --table PATH")
        path = shared / "gtzan" / "features_30_sec.csv"
    table = pd.read_csv(path)
    columns = [f"mfcc{i}_mean" for i in range(1, N_MFCC + 1)]
    genres = {}
    for genre in GENRES:
        rows = table.loc[table["label"] == genre, columns].to_numpy(dtype=np.float64)
        if len(rows) == 0:
            raise SystemExit(f"{path} has no rows labelled {genre!r}")
        genres[genre] = {
            "n_tracks": int(len(rows)),
            "mfcc_mean": [round(float(v), 4) for v in np.median(rows, axis=0)],
        }
    OUT.write_text(
        json.dumps(
            {
                "about": __doc__.strip().splitlines()[0],
                "statistic": "per-genre median over tracks of mfcc1_mean..mfcc20_mean "
                "(librosa defaults: sr 22050, n_fft 2048, hop 512, 128 mel bands, "
                "power_to_db with top_db 80, DCT-II ortho)",
                "source": path.name,
                "source_sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
                "genres": genres,
            },
            indent=1,
        )
        + "\n"
    )
    print(
        f"wrote {OUT} ({len(genres)} genres, {sum(g['n_tracks'] for g in genres.values())} tracks)"
    )


if __name__ == "__main__":
    main()
