"""Sweep summaries: per pair and overall, for our classifier and (when used) the judge."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd


def _spearman(x, y) -> float | None:
    from scipy.stats import spearmanr

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None  # undefined: a constant response has no rank order
    return float(spearmanr(x, y).statistic)


def _pair_figures(frame: pd.DataFrame, column: str) -> dict[str, Any]:
    frame = frame[frame[column].notna()]
    if frame.empty:
        return {}
    alphas, heard = frame["alpha"].to_numpy(float), frame[column].to_numpy(float)
    curve = frame.groupby("alpha")[column].mean()
    return {
        # over every track: seed-to-seed spread at one alpha counts against it
        "spearman": _spearman(alphas, heard),
        # over the seed-mean response curve: does the expected alpha_hat rise with alpha?
        "curve_spearman": _spearman(curve.index.to_numpy(float), curve.to_numpy(float)),
        "mean_abs_alpha_error": float(np.mean(np.abs(heard - alphas))),
        "curve": {f"{a:g}": float(v) for a, v in curve.items()},
        "n_tracks": int(len(frame)),
    }


def summarize(results: pd.DataFrame) -> dict[str, Any]:
    """Per-pair and overall figures of a results table (one row per track)."""
    results = results.copy()
    has_judge = "judge_alpha_hat" in results and results["judge_alpha_hat"].notna().any()
    pairs: dict[str, Any] = {}
    for (a, b), frame in results.groupby(["genre_a", "genre_b"], sort=True):
        entry = _pair_figures(frame, "alpha_hat")
        entry["mean_js"] = float(frame["js"].mean())
        entry["mean_leakage"] = float(frame["leakage"].mean())
        entry["top2_rate"] = float(frame["top2_match"].astype(str).str.lower().eq("true").mean())
        if has_judge:
            judged = _pair_figures(frame, "judge_alpha_hat")
            if judged:
                entry["judge"] = judged
        pairs[f"{a}:{b}"] = entry

    def mean_of(values):
        values = [v for v in values if v is not None and not math.isnan(v)]
        return float(np.mean(values)) if values else None

    overall = {
        "spearman": mean_of([p["spearman"] for p in pairs.values()]),
        "curve_spearman": mean_of([p["curve_spearman"] for p in pairs.values()]),
        "mean_abs_alpha_error": float(np.mean(np.abs(results["alpha_hat"] - results["alpha"]))),
        "mean_js": float(results["js"].mean()),
        "mean_leakage": float(results["leakage"].mean()),
        "n_pairs": len(pairs),
        "n_pairs_with_spearman": sum(p["spearman"] is not None for p in pairs.values()),
        "n_tracks": int(len(results)),
    }
    if has_judge:
        judged = results[results["judge_alpha_hat"].notna()]
        overall["judge"] = {
            "spearman": mean_of([p["judge"]["spearman"] for p in pairs.values() if "judge" in p]),
            "curve_spearman": mean_of(
                [p["judge"]["curve_spearman"] for p in pairs.values() if "judge" in p]
            ),
            "mean_abs_alpha_error": float(
                np.mean(np.abs(judged["judge_alpha_hat"] - judged["alpha"]))
            ),
            "n_pairs": sum("judge" in p for p in pairs.values()),
            "n_tracks": int(len(judged)),
            "note": "pairs with a genre the judge cannot see (reggae) are left out",
        }
    return {"overall": overall, "pairs": pairs}


def read_results(path: str | Path) -> pd.DataFrame:
    frame = pd.read_csv(path)
    if "judge_alpha_hat" in frame:
        frame["judge_alpha_hat"] = pd.to_numeric(frame["judge_alpha_hat"], errors="coerce")
    return frame


def summarize_file(path: str | Path) -> dict[str, Any]:
    return summarize(read_results(path))
