"""Rebuild ``generation/composer/styles/learned.json`` from the genre-labelled MIDI corpus.

    .venv/bin/python scripts/build_style_tables.py [--midi ../shared/data/midi] [--jobs 2]

Estimates, per GTZAN genre the corpus covers, what the files can teach: the declared tempo
(quartiles), the drum onset probability per 16th step of a 4/4 bar and per drum voice, the
melody's step-vs-leap ratio and note density, and the instrument programs by share of notes.
The MIDI files themselves are never copied. Corpus labels map onto GTZAN genres as below;
folk and rhythm_and_blues have no GTZAN counterpart (R&B is not the blues) and are left out.
"""

from __future__ import annotations

import argparse
import json
import warnings
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import numpy as np

CORPUS_TO_GTZAN = {
    "classical": "classical",
    "classics": "classical",
    "country": "country",
    "jazz": "jazz",
    "pop": "pop",
    "rock": "rock",
    "rap": "hiphop",
    "dance": "disco",
}
DRUM_VOICES = {
    35: "kick",
    36: "kick",
    37: "side_stick",
    38: "snare",
    40: "snare",
    39: "clap",
    42: "hat_closed",
    44: "hat_pedal",
    46: "hat_open",
    51: "ride",
    53: "ride",
    59: "ride",
    49: "crash",
    57: "crash",
    54: "tambourine",
    56: "cowbell",
    69: "shaker",
    70: "shaker",
    82: "shaker",
}
OUT = (
    Path(__file__).resolve().parents[1] / "src/genreblender/generation/composer/styles/learned.json"
)


def corpus_files(root: Path) -> list[tuple[Path, str, str]]:
    files = []
    for sub in sorted((root / "cjnolet_midi_genre_corpus").glob("*/midi")):
        label = sub.parent.name
        files += [(p, label, "cjnolet") for p in sorted(sub.glob("*.mid*"))]
    for sub in sorted((root / "di01096_midi_genre" / "mu").iterdir()):
        if sub.is_dir():
            files += [(p, sub.name, "di01096") for p in sorted(sub.glob("*.mid*"))]
    return [(p, label, src) for p, label, src in files if label in CORPUS_TO_GTZAN]


def analyse(path: Path) -> dict | None:
    import pretty_midi

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            pm = pretty_midi.PrettyMIDI(str(path))
    except Exception:  # corrupt files exist in the wild; skip them
        return None
    _, tempi = pm.get_tempo_changes()
    out: dict = {"tempo": float(tempi[0]) if len(tempi) else None}
    four_four = (
        all(ts.numerator == 4 for ts in pm.time_signature_changes) or not pm.time_signature_changes
    )
    beats = pm.get_beats()
    drums = [i for i in pm.instruments if i.is_drum]
    if four_four and drums and len(beats) > 16:
        n_bars = len(beats) // 4
        hits = defaultdict(lambda: np.zeros((n_bars, 16), dtype=bool))
        for inst in drums:
            for note in inst.notes:
                voice = DRUM_VOICES.get(note.pitch)
                if voice is None:
                    continue
                b = int(np.searchsorted(beats, note.start, side="right")) - 1
                if b < 0 or b + 1 >= len(beats):
                    continue
                frac = (note.start - beats[b]) / (beats[b + 1] - beats[b])
                step = (b % 4) * 4 + int(round(frac * 4))
                bar = b // 4 + step // 16
                if bar < n_bars:
                    hits[voice][bar, step % 16] = True
        active = np.zeros(n_bars, dtype=bool)
        for grid in hits.values():
            active |= grid.any(axis=1)
        if active.sum() >= 4:  # bars where the drummer plays
            out["drum_grid"] = {v: g[active].mean(axis=0).tolist() for v, g in hits.items()}
    pitched = [i for i in pm.instruments if not i.is_drum and len(i.notes) >= 20]
    if pitched:
        programs = defaultdict(int)
        for inst in pitched:
            programs[inst.program] += len(inst.notes)
        out["programs"] = dict(programs)
        lead = max(pitched, key=lambda i: np.mean([n.pitch for n in i.notes]))
        starts = sorted(lead.notes, key=lambda n: n.start)
        # monophonic line: highest note per onset
        line, last_t = [], None
        for note in starts:
            if last_t is not None and abs(note.start - last_t) < 1e-3:
                line[-1] = max(line[-1], note.pitch)
            else:
                line.append(note.pitch)
                last_t = note.start
        intervals = np.abs(np.diff(line))
        intervals = intervals[intervals > 0]
        if len(intervals) >= 20:
            out["step_prob"] = float(np.mean(intervals <= 2))
            duration_bars = max(pm.get_end_time() / (4 * 60.0 / max(out["tempo"] or 120, 1)), 1)
            out["notes_per_bar"] = float(len(line) / duration_bars)
    return out


def main() -> None:
    from tqdm import tqdm

    from genreblender.paths import shared_data_dir

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--midi", default=None)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    root = Path(args.midi) if args.midi else shared_data_dir() / "midi"
    files = corpus_files(root)
    with ProcessPoolExecutor(args.jobs) as pool:
        results = list(
            tqdm(
                pool.map(analyse, [f for f, _, _ in files], chunksize=4),
                total=len(files),
                desc="MIDI files",
                unit="file",
            )
        )
    per_genre: dict[str, dict] = {}
    for (_, label, source), result in zip(files, results, strict=True):
        genre = CORPUS_TO_GTZAN[label]
        acc = per_genre.setdefault(
            genre,
            {
                "n_files": 0,
                "n_failed": 0,
                "tempi": [],
                "grids": [],
                "steps": [],
                "density": [],
                "programs": defaultdict(int),
                "sources": set(),
            },
        )
        acc["sources"].add(f"{source}/{label}")
        if result is None:
            acc["n_failed"] += 1
            continue
        acc["n_files"] += 1
        if result["tempo"] and 40 <= result["tempo"] <= 240:
            acc["tempi"].append(result["tempo"])
        if "drum_grid" in result:
            acc["grids"].append(result["drum_grid"])
        if "step_prob" in result:
            acc["steps"].append(result["step_prob"])
            acc["density"].append(result["notes_per_bar"])
        for program, count in result.get("programs", {}).items():
            acc["programs"][program] += count
    genres = {}
    for genre, acc in sorted(per_genre.items()):
        voices = sorted({v for g in acc["grids"] for v in g})
        grid = (
            {
                v: [
                    round(float(x), 3)
                    for x in np.mean([g.get(v, [0.0] * 16) for g in acc["grids"]], axis=0)
                ]
                for v in voices
            }
            if acc["grids"]
            else {}
        )
        total = sum(acc["programs"].values()) or 1
        top = sorted(acc["programs"].items(), key=lambda kv: -kv[1])[:8]
        genres[genre] = {
            "n_files": acc["n_files"],
            "n_failed": acc["n_failed"],
            "sources": sorted(acc["sources"]),
            "tempo_bpm_quartiles": [
                round(float(q), 1) for q in np.percentile(acc["tempi"], [25, 75])
            ]
            if len(acc["tempi"]) >= 5
            else None,
            "n_drum_files": len(acc["grids"]),
            "drum_grid": grid,
            "melody_step_prob": round(float(np.median(acc["steps"])), 3) if acc["steps"] else None,
            "melody_notes_per_bar": round(float(np.median(acc["density"])), 2)
            if acc["density"]
            else None,
            "programs_by_note_share": [[int(p), round(c / total, 3)] for p, c in top],
        }
        if genres[genre]["tempo_bpm_quartiles"] is None:
            del genres[genre]["tempo_bpm_quartiles"]
    OUT.write_text(
        json.dumps(
            {
                "about": __doc__.strip().splitlines()[0],
                "corpus_to_gtzan": CORPUS_TO_GTZAN,
                "genres": genres,
            },
            indent=1,
        )
        + "\n"
    )
    for genre, g in genres.items():
        print(
            f"{genre:10s} files {g['n_files']:3d} (failed {g['n_failed']}), drum files "
            f"{g['n_drum_files']:3d}, tempo IQR {g.get('tempo_bpm_quartiles')}, "
            f"step {g['melody_step_prob']}, notes/bar {g['melody_notes_per_bar']}"
        )
    print(f"wrote {OUT}")


if __name__ == "__main__":
    main()
