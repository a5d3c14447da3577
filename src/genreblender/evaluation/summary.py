"""Sweep summaries: per pair and overall, for the steering listener and every other ear.

Each ear's figures sit side by side because each can fool on its own: Spearman(α, α̂) and
|α̂ − α| look perfect when neither genre is heard (α̂ is a ratio of two tiny numbers), so the
landed rate and the mean on-target mass p(A) + p(B) are reported beside them.

Columns: the steering listener's are unprefixed (``alpha_hat``, ``landed``...); every other ear
writes ``<name>_alpha_hat``, ``<name>_landed``... (``judge_`` for the musicnn judge), and is
summarised under ``ears[<name>]``.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

#: per-ear columns read as numbers (empty cells, e.g. a judge that cannot see reggae, are NaN)
_NUMERIC = (
    "alpha_hat",
    "abs_alpha_error",
    "on_target_mass",
    "js",
    "weight_error",
    "morph_tracking_error",
    "morph_spearman",
    "morph_tracking_error_raw",
    "morph_spearman_raw",
)
_BOOLEAN = ("landed", "top2_match", "topk_match")
_TRUTH = {"true": 1.0, "1": 1.0, "1.0": 1.0, "false": 0.0, "0": 0.0, "0.0": 0.0}
_NOTES = {"judge": "pairs with a genre the judge cannot see (reggae) are left out"}


def _spearman(x, y) -> float | None:
    from scipy.stats import spearmanr

    x, y = np.asarray(x, dtype=float), np.asarray(y, dtype=float)
    if len(x) < 3 or np.ptp(x) == 0 or np.ptp(y) == 0:
        return None  # undefined: a constant response has no rank order
    return float(spearmanr(x, y).statistic)


def _mean(series: pd.Series | None) -> float | None:
    if series is None:
        return None
    values = series.dropna()
    return float(values.mean()) if len(values) else None


def ear_prefixes(results: pd.DataFrame) -> dict[str, str]:
    """``{ear name: column prefix}`` of the ears other than the steering listener."""
    return {
        column[: -len("_alpha_hat")]: column[: -len("alpha_hat")]
        for column in results.columns
        if column.endswith("_alpha_hat") and results[column].notna().any()
    }


def _view(frame: pd.DataFrame, prefix: str) -> dict[str, Any]:
    """One ear's figures over the rows it could score."""
    column = f"{prefix}alpha_hat"
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
        # the two figures leakage cannot fool (None for results written before they existed)
        "landed_rate": _mean(frame.get(f"{prefix}landed")),
        "top2_rate": _mean(frame.get(f"{prefix}top2_match")),
        "mean_on_target_mass": _mean(frame.get(f"{prefix}on_target_mass")),
        "mean_js": _mean(frame.get(f"{prefix}js")),
        "curve": {f"{a:g}": float(v) for a, v in curve.items()},
        "n_tracks": int(len(frame)),
    }


def _landing_view(group: pd.DataFrame, prefix: str) -> dict[str, Any]:
    """Landed rate, top-two rate, mean on-target mass and mean |α̂ − α| of a group of tracks
    that one ear scored."""
    return {
        "landed_rate": _mean(group.get(f"{prefix}landed")),
        "top2_rate": _mean(group.get(f"{prefix}top2_match")),
        "mean_on_target_mass": _mean(group.get(f"{prefix}on_target_mass")),
        "mean_abs_alpha_error": float(
            np.mean(np.abs(group[f"{prefix}alpha_hat"] - group["alpha"]))
        ),
        "n_tracks": int(len(group)),
    }


def _by_alpha(frame: pd.DataFrame, prefix: str) -> dict[str, Any]:
    """Landed rate and mean on-target mass at each α (e.g. the α = 0.5 landing target)."""
    frame = frame[frame[f"{prefix}alpha_hat"].notna()]
    return {f"{alpha:g}": _landing_view(group, prefix) for alpha, group in frame.groupby("alpha")}


def _listener_name(results: pd.DataFrame) -> str | None:
    if "classifier" not in results or results["classifier"].dropna().empty:
        return None
    try:
        model = json.loads(results["classifier"].dropna().iloc[0])
        return model.get("listener") or model.get("name")
    except (ValueError, AttributeError):
        return None


def is_mix_sweep(results: pd.DataFrame) -> bool:
    return "mix" in results.columns and results["mix"].notna().any()


def is_morph_sweep(results: pd.DataFrame) -> bool:
    return "morph" in results.columns and results["morph"].notna().any()


def summarize(results: pd.DataFrame) -> dict[str, Any]:
    """Per-pair (per-mix, for a sweep of mixes) and overall figures of a results table (one
    row per track)."""
    results = coerce_columns(results)
    if is_morph_sweep(results):
        return summarize_morphs(results)
    if is_mix_sweep(results):
        return summarize_mixes(results)
    ears = ear_prefixes(results)
    pairs: dict[str, Any] = {}
    for (a, b), frame in results.groupby(["genre_a", "genre_b"], sort=True):
        entry = _view(frame, "")
        entry["mean_leakage"] = float(frame["leakage"].mean())
        entry["ears"] = {}
        for name, prefix in ears.items():
            view = _view(frame, prefix)
            if view:
                entry["ears"][name] = view
        pairs[f"{a}:{b}"] = entry

    def mean_of(values):
        values = [v for v in values if v is not None and not math.isnan(v)]
        return float(np.mean(values)) if values else None

    def overall_of(prefix: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
        scored = results[results[f"{prefix}alpha_hat"].notna()]
        return {
            "spearman": mean_of([p["spearman"] for p in entries]),
            "curve_spearman": mean_of([p["curve_spearman"] for p in entries]),
            "mean_abs_alpha_error": float(
                np.mean(np.abs(scored[f"{prefix}alpha_hat"] - scored["alpha"]))
            ),
            "landed_rate": _mean(scored.get(f"{prefix}landed")),
            "top2_rate": _mean(scored.get(f"{prefix}top2_match")),
            "mean_on_target_mass": _mean(scored.get(f"{prefix}on_target_mass")),
            "mean_js": _mean(scored.get(f"{prefix}js")),
            "by_alpha": _by_alpha(scored, prefix),
            # one seed draws every genre's song for all pairs: the seed-to-seed spread
            "by_seed": {
                str(seed): _landing_view(group, prefix) for seed, group in scored.groupby("seed")
            },
            "n_pairs": len(entries),
            "n_pairs_with_spearman": sum(p["spearman"] is not None for p in entries),
            "n_tracks": int(len(scored)),
        }

    overall = overall_of("", list(pairs.values()))
    overall["listener"] = _listener_name(results)
    overall["mean_leakage"] = float(results["leakage"].mean())
    overall["ears"] = {}
    for name, prefix in ears.items():
        entries = [p["ears"][name] for p in pairs.values() if name in p["ears"]]
        overall["ears"][name] = overall_of(prefix, entries)
        if name in _NOTES:
            overall["ears"][name]["note"] = _NOTES[name]
    return {"overall": overall, "pairs": pairs}


def _mix_view(frame: pd.DataFrame, prefix: str) -> dict[str, Any]:
    """One ear's figures over the mix rows it could score (:data:`METRIC_DOCS` names them)."""
    frame = frame[frame[f"{prefix}weight_error"].notna()]
    if frame.empty:
        return {}
    return {
        "landed_rate": _mean(frame.get(f"{prefix}landed")),
        # the genres asked for are the k most probable
        "topk_rate": _mean(frame.get(f"{prefix}topk_match")),
        "mean_on_target_mass": _mean(frame.get(f"{prefix}on_target_mass")),
        "mean_js": _mean(frame.get(f"{prefix}js")),
        "mean_weight_error": _mean(frame.get(f"{prefix}weight_error")),
        "n_tracks": int(len(frame)),
    }


def _mean_heard(frame: pd.DataFrame) -> dict[str, float] | None:
    if "heard_weights" not in frame:
        return None
    rows = [json.loads(x) for x in frame["heard_weights"].dropna()]
    if not rows:
        return None
    return {g: float(np.mean([r[g] for r in rows])) for g in rows[0]}


def summarize_mixes(results: pd.DataFrame) -> dict[str, Any]:
    """Per-mix and overall figures of a sweep of mixes, for the steering listener and every
    other ear (an ear that cannot see a genre of a mix leaves that mix out), and the overall
    figures per seed (their spread is the seed-to-seed spread of the sweep)."""
    from genreblender.mixes import parse_mix

    results = coerce_columns(results)
    ears = ear_prefixes(results)
    mixes: dict[str, Any] = {}
    for text, frame in results.groupby("mix", sort=False):
        mix = parse_mix(text)
        entry = {"label": mix.label, "k": mix.k, **_mix_view(frame, "")}
        entry["mean_heard_weights"] = _mean_heard(frame)
        entry["ears"] = {}
        for name, prefix in ears.items():
            view = _mix_view(frame, prefix)
            if view:
                entry["ears"][name] = view
        mixes[text] = entry

    def overall_of(prefix: str) -> dict[str, Any]:
        scored = results[results[f"{prefix}weight_error"].notna()]
        out = _mix_view(scored, prefix)
        out["n_mixes"] = int(scored["mix"].nunique())
        out["by_seed"] = {
            str(seed): _mix_view(group, prefix) for seed, group in scored.groupby("seed")
        }
        return out

    overall = overall_of("")
    overall["listener"] = _listener_name(results)
    overall["ears"] = {}
    for name, prefix in ears.items():
        overall["ears"][name] = overall_of(prefix)
        if name in _NOTES:
            overall["ears"][name]["note"] = _NOTES[name].replace("pairs", "mixes")
    return {"kind": "mixes", "overall": overall, "mixes": mixes}


#: a curve's figures, per ear (``<prefix>morph_<figure>``)
_MORPH = ("tracking_error", "spearman", "tracking_error_raw", "spearman_raw")


def _morph_view(frame: pd.DataFrame, prefix: str) -> dict[str, Any]:
    """One ear's curve figures over the tracks it could score: the mean of each, and how many
    tracks meet issue 13's bounds (Spearman ≥ 0.8, tracking error ≤ 0.2; over 12-s spans)."""
    column = f"{prefix}morph_tracking_error"
    if column not in frame:
        return {}
    frame = frame[frame[column].notna()]
    if frame.empty:
        return {}
    out = {f"mean_{name}": _mean(frame.get(f"{prefix}morph_{name}")) for name in _MORPH}
    rho = frame.get(f"{prefix}morph_spearman")
    # a track without a Spearman (too few windows, a flat curve) does not meet the bound
    out["spearman_at_least_0.8_rate"] = (
        float((rho.fillna(-2) >= 0.8).mean()) if rho is not None and rho.notna().any() else None
    )
    out["tracking_error_at_most_0.2_rate"] = float((frame[column] <= 0.2).mean())
    out["mean_on_target_mass"] = _mean(frame.get(f"{prefix}on_target_mass"))
    out["n_tracks"] = int(len(frame))
    return out


def summarize_morphs(results: pd.DataFrame) -> dict[str, Any]:
    """Per-curve and overall figures of a sweep of curves (blends that move) for the steering
    listener, every other ear, and the plan itself (``plan``: an ideal listener hearing each
    window's time shares, the bound the plan sets), with the overall figures per seed."""
    from genreblender.mixes import parse_mix_curve

    results = coerce_columns(results)
    for name in _MORPH:
        if f"plan_morph_{name}" in results:
            results[f"plan_morph_{name}"] = pd.to_numeric(
                results[f"plan_morph_{name}"], errors="coerce"
            )
    ears = ear_prefixes(results)
    views = {"": None, **{p: n for n, p in ears.items()}, "plan_": "plan"}
    curves: dict[str, Any] = {}
    for text, frame in results.groupby("morph", sort=False):
        entry = {"label": parse_mix_curve(text).label, **_morph_view(frame, "")}
        entry["ears"] = {}
        for prefix, name in views.items():
            if name is not None and (view := _morph_view(frame, prefix)):
                entry["ears"][name] = view
        curves[text] = entry

    def overall_of(prefix: str) -> dict[str, Any]:
        out = _morph_view(results, prefix)
        if not out:
            return {}
        scored = results[results[f"{prefix}morph_tracking_error"].notna()]
        out["n_curves"] = int(scored["morph"].nunique())
        out["by_seed"] = {
            str(seed): _morph_view(group, prefix) for seed, group in scored.groupby("seed")
        }
        return out

    overall = overall_of("")
    overall["listener"] = _listener_name(results)
    overall["ears"] = {}
    for prefix, name in views.items():
        if name is not None and (view := overall_of(prefix)):
            overall["ears"][name] = view
            if name in _NOTES:
                view["note"] = _NOTES[name].replace("pairs", "curves")
    return {"kind": "morphs", "overall": overall, "morphs": curves}


def coerce_columns(results: pd.DataFrame) -> pd.DataFrame:
    """Numbers as floats and verdicts as 0/1 (NaN where empty), whatever CSV reading made."""
    results = results.copy()
    prefixes = ["", *ear_prefixes_raw(results)]
    for prefix in prefixes:
        for name in _NUMERIC:
            if f"{prefix}{name}" in results:
                results[f"{prefix}{name}"] = pd.to_numeric(
                    results[f"{prefix}{name}"], errors="coerce"
                )
        for name in _BOOLEAN:
            if f"{prefix}{name}" in results:
                text = results[f"{prefix}{name}"].astype(str).str.strip().str.lower()
                results[f"{prefix}{name}"] = text.map(_TRUTH)
    return results


def ear_prefixes_raw(results: pd.DataFrame) -> list[str]:
    return [c[: -len("alpha_hat")] for c in results.columns if c.endswith("_alpha_hat")]


def read_results(path: str | Path) -> pd.DataFrame:
    return coerce_columns(pd.read_csv(path))


def summarize_file(path: str | Path) -> dict[str, Any]:
    return summarize(read_results(path))
