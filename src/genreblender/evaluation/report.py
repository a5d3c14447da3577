"""A sweep's report: one self-contained HTML file (plots embedded as PNG) beside its results.

People look at the pictures first: the controllability heat maps, the α → α̂ response curve of
every pair, and target-vs-predicted bars for a few telling tracks; the numbers follow.
"""

from __future__ import annotations

import base64
import html
import io
import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from genreblender.evaluation.metrics import METRIC_DOCS
from genreblender.evaluation.summary import read_results, summarize
from genreblender.genres import GENRES
from genreblender.palette import GENRE_COLOURS, REFERENCE_COLOUR, TARGET_COLOUR

REPORT_FILE = "report.html"


def _png(fig) -> str:
    import matplotlib.pyplot as plt

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", dpi=100, bbox_inches="tight")
    plt.close(fig)
    return base64.b64encode(buffer.getvalue()).decode()


def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def heatmaps(summary: dict[str, Any]) -> str:
    """Spearman(α, α̂), mean |α̂ − α| and mean on-target mass per pair on a genre × genre grid
    (the third shows what the first two cannot: whether A and B were heard at all)."""
    plt = _plt()
    n = len(GENRES)
    rho = np.full((n, n), np.nan)
    err = np.full((n, n), np.nan)
    mass = np.full((n, n), np.nan)
    for key, entry in summary["pairs"].items():
        a, b = key.split(":")
        i, j = GENRES.index(a), GENRES.index(b)
        for m, value in (
            (rho, entry.get("spearman")),
            (err, entry.get("mean_abs_alpha_error")),
            (mass, entry.get("mean_on_target_mass")),
        ):
            if value is not None:
                m[i, j] = m[j, i] = value
    fig, axes = plt.subplots(1, 3, figsize=(19.5, 5.6))
    for ax, matrix, title, cmap, (lo, hi) in (
        (
            axes[0],
            rho,
            "Spearman(α, α̂): does the heard blend follow α? (1 = yes)",
            "RdYlGn",
            (-1, 1),
        ),
        (axes[1], err, "mean |α̂ − α|: how far off is it? (0 = exact)", "RdYlGn_r", (0, 0.5)),
        (
            axes[2],
            mass,
            "mean on-target mass p(A) + p(B): were A and B heard? (1 = only them)",
            "RdYlGn",
            (0, 1),
        ),
    ):
        im = ax.imshow(matrix, cmap=cmap, vmin=lo, vmax=hi)
        ax.set_xticks(range(n), GENRES, rotation=45, ha="right")
        ax.set_yticks(range(n), GENRES)
        ax.set_title(title, fontsize=10)
        for i in range(n):
            for j in range(n):
                if not np.isnan(matrix[i, j]):
                    ax.text(j, i, f"{matrix[i, j]:.2f}", ha="center", va="center", fontsize=7)
        fig.colorbar(im, ax=ax, fraction=0.046)
    fig.tight_layout()
    return _png(fig)


def response_curves(results: pd.DataFrame, summary: dict[str, Any]) -> str:
    """α → α̂ per pair: each seed's tracks as dots, the mean as a line, the ideal diagonal."""
    plt = _plt()
    keys = list(summary["pairs"])
    cols = min(5, len(keys))
    rows = int(np.ceil(len(keys) / cols))
    fig, axes = plt.subplots(
        rows, cols, figsize=(2.6 * cols, 2.4 * rows), squeeze=False, sharex=True, sharey=True
    )
    for ax, key in zip(axes.ravel(), keys, strict=False):
        a, b = key.split(":")
        frame = results[(results.genre_a == a) & (results.genre_b == b)]
        # genre colours are for genres only: the curves are neutral ink, the ideal a dashed grey
        ax.plot([0, 1], [0, 1], color=REFERENCE_COLOUR, lw=1, ls="--")
        ax.scatter(frame["alpha"], frame["alpha_hat"], s=8, color=TARGET_COLOUR, alpha=0.35)
        curve = frame.groupby("alpha")["alpha_hat"].mean()
        ax.plot(curve.index, curve.values, color=TARGET_COLOUR, lw=2, label="classifier")
        if "judge_alpha_hat" in frame and frame["judge_alpha_hat"].notna().any():
            judge = frame.groupby("alpha")["judge_alpha_hat"].mean()
            ax.plot(
                judge.index, judge.values, color=REFERENCE_COLOUR, lw=1.5, ls="-.", label="judge"
            )
        rho = summary["pairs"][key].get("spearman")
        ax.set_title(f"{a} vs {b}  ρ={'n/a' if rho is None else f'{rho:.2f}'}", fontsize=8)
        ax.set_xlim(-0.05, 1.05)
        ax.set_ylim(-0.05, 1.05)
    for ax in axes.ravel()[len(keys) :]:
        ax.axis("off")
    axes[0, 0].legend(fontsize=7, loc="upper left")
    fig.supxlabel("α asked (weight of the first genre)")
    fig.supylabel("α̂ heard")
    fig.tight_layout()
    return _png(fig)


def _telling_tracks(results: pd.DataFrame, n_tracks: int) -> pd.DataFrame:
    """The tracks at α = 0.5 (or nearest) closest to and farthest from their target (JS)."""
    mid = results.iloc[(results["alpha"] - 0.5).abs().argsort()]
    mid = mid[np.isclose(mid["alpha"], mid["alpha"].iloc[0])].sort_values("js")
    return pd.concat([mid.head(n_tracks // 2), mid.tail(n_tracks - n_tracks // 2)])


def distribution_bars(results: pd.DataFrame, n_tracks: int = 4) -> str:
    """Target vs predicted for the tracks at α = 0.5 (or nearest) closest to and farthest from
    their target (JS)."""
    plt = _plt()
    chosen = _telling_tracks(results, n_tracks)
    fig, axes = plt.subplots(1, len(chosen), figsize=(3.6 * len(chosen), 3.2), squeeze=False)
    for ax, (_, row) in zip(axes[0], chosen.iterrows(), strict=True):
        target = np.zeros(len(GENRES))
        target[GENRES.index(row.genre_a)] += row.alpha
        target[GENRES.index(row.genre_b)] += 1 - row.alpha
        predicted = [row[f"p_{g}"] for g in GENRES]
        x = np.arange(len(GENRES))
        # predicted bars in each genre's colour (as in the app), the target as an outline
        ax.bar(x, predicted, 0.7, color=[GENRE_COLOURS[g] for g in GENRES], label="predicted")
        ax.bar(x, target, 0.7, fill=False, edgecolor=TARGET_COLOUR, lw=1.2, ls="--", label="target")
        ax.set_xticks(x, GENRES, rotation=60, fontsize=7)
        ax.set_ylim(0, 1)
        ax.set_title(
            f"{row.genre_a} {row.alpha:.0%} · {row.genre_b}, seed {row.seed}\n"
            f"JS {row.js:.2f}, α̂ {row.alpha_hat:.2f}",
            fontsize=8,
        )
    axes[0, 0].legend(fontsize=7)
    fig.tight_layout()
    return _png(fig)


def timelines(results: pd.DataFrame, n_tracks: int = 4) -> str | None:
    """The listener's timeline (its analysis windows: 3 s for mel-cnn) of the same telling
    tracks: p(A) and p(B) over time, and the strongest genre not asked for. None when the
    results carry no timeline (older sweeps) or the tracks are one window long."""
    if "segment_probabilities" not in results.columns:
        return None
    chosen = _telling_tracks(results, n_tracks)
    series = []
    for _, row in chosen.iterrows():
        try:
            starts = np.asarray(json.loads(row.segment_starts_s), dtype=float)
            probs = np.asarray(json.loads(row.segment_probabilities), dtype=float)
        except (TypeError, ValueError):
            return None
        if probs.ndim != 2 or len(starts) != len(probs) or len(probs) < 2:
            return None
        series.append((row, starts, probs))
    plt = _plt()
    fig, axes = plt.subplots(1, len(series), figsize=(3.6 * len(series), 2.8), squeeze=False)
    for ax, (row, starts, probs) in zip(axes[0], series, strict=True):
        a, b = GENRES.index(row.genre_a), GENRES.index(row.genre_b)
        others = np.delete(probs, [a, b], axis=1)
        strongest = GENRES[
            [i for i in range(len(GENRES)) if i not in (a, b)][int(others.mean(axis=0).argmax())]
        ]
        ax.plot(starts, probs[:, a], color=GENRE_COLOURS[row.genre_a], lw=1.6, label=row.genre_a)
        ax.plot(starts, probs[:, b], color=GENRE_COLOURS[row.genre_b], lw=1.6, label=row.genre_b)
        ax.plot(
            starts,
            probs[:, GENRES.index(strongest)],
            color=GENRE_COLOURS[strongest],
            lw=1.0,
            ls=":",
            label=f"{strongest} (not asked)",
        )
        ax.set_ylim(0, 1)
        ax.set_xlabel("window start (s)", fontsize=7)
        ax.set_title(f"{row.genre_a} {row.alpha:.0%} · {row.genre_b}, seed {row.seed}", fontsize=8)
        ax.legend(fontsize=6)
    fig.tight_layout()
    return _png(fig)


def _fmt(value) -> str:
    if value is None:
        return "n/a"
    return f"{value:.3f}" if isinstance(value, float) else str(value)


#: What the headline figures can and cannot show (also in the README).
READING_NOTE = (
    "Spearman(α, α̂) and |α̂ − α| only look at the ratio p(A) / (p(A) + p(B)): they look perfect "
    "when neither genre is heard (a track with p(A) = p(B) = 0.05 has α̂ = 0.5). The landed rate "
    "and the mean on-target mass p(A) + p(B) say whether the genres asked for were heard at all; "
    "read them together. Each ear is a different model: one that did not steer the loop is the "
    "fairer witness."
)
_EAR_HEADS = "<th>Spearman</th><th>|α̂−α|</th><th>landed</th><th>on-target mass</th>"


def _ear_cells(figures: dict[str, Any]) -> str:
    keys = ("spearman", "mean_abs_alpha_error", "landed_rate", "mean_on_target_mass")
    return "".join(f"<td>{_fmt(figures.get(k))}</td>" for k in keys)


def _headline(name: str, figures: dict[str, Any]) -> str:
    note = f" ({html.escape(figures['note'])})" if figures.get("note") else ""
    return (
        f"<p><b>{html.escape(name)}</b>, {figures['n_pairs']} pairs, {figures['n_tracks']} tracks"
        f"{note}: mean Spearman(α, α̂) over pairs <b>{_fmt(figures['spearman'])}</b> over every "
        f"track (of the seed-mean curve: {_fmt(figures.get('curve_spearman'))}) · mean |α̂ − α| "
        f"<b>{_fmt(figures['mean_abs_alpha_error'])}</b> · landed rate "
        f"<b>{_fmt(figures.get('landed_rate'))}</b> (A and B the top two: "
        f"{_fmt(figures.get('top2_rate'))}) · mean on-target mass "
        f"<b>{_fmt(figures.get('mean_on_target_mass'))}</b> · mean JS "
        f"{_fmt(figures.get('mean_js'))} bits</p>"
    )


def _by_alpha_table(overall: dict[str, Any], listener: str, ears: list[str]) -> str:
    views = [(listener, overall)] + [(name, overall["ears"][name]) for name in ears]
    alphas = sorted({a for _, v in views for a in v.get("by_alpha", {})}, key=float)
    head = "".join(f"<th colspan=4>{html.escape(name)}</th>" for name, _ in views)
    sub = "<th>landed</th><th>A,B top-2</th><th>on-target mass</th><th>|α̂−α|</th>" * len(views)
    body = "".join(
        f"<tr><td>{html.escape(a)}</td>"
        + "".join(
            "".join(
                f"<td>{_fmt(v.get('by_alpha', {}).get(a, {}).get(k))}</td>"
                for k in ("landed_rate", "top2_rate", "mean_on_target_mass", "mean_abs_alpha_error")
            )
            for _, v in views
        )
        + "</tr>"
        for a in alphas
    )
    return f"<table><tr><th></th>{head}</tr><tr><th>α</th>{sub}</tr>{body}</table>"


def mix_bars(summary: dict[str, Any], max_mixes: int = 30) -> str:
    """Each mix as two stacked bars: the weights asked for, and the heard weights (the steering
    listener's prediction restricted to the mix's genres and renormalised, mean over seeds),
    each genre in its colour; the on-target mass beside them says how much was heard at all."""
    plt = _plt()
    from genreblender.mixes import parse_mix

    keys = list(summary["mixes"])[:max_mixes]
    fig, ax = plt.subplots(figsize=(10, 0.55 * len(keys) + 1.2))
    labels, y = [], 0.0
    for key in keys:
        entry, mix = summary["mixes"][key], parse_mix(key)
        heard = entry.get("mean_heard_weights") or {}
        for offset, weights, name in (
            (0.0, dict(mix.items()), "asked"),
            (0.38, heard, f"heard (mass {_fmt(entry.get('mean_on_target_mass'))})"),
        ):
            left = 0.0
            for g in mix.genres:
                w = float(weights.get(g, 0.0))
                ax.barh(-(y + offset), w, 0.34, left=left, color=GENRE_COLOURS[g])
                if w >= 0.08:
                    ax.text(left + w / 2, -(y + offset), g, ha="center", va="center", fontsize=6)
                left += w
            labels.append((-(y + offset), f"{name}"))
        y += 1.0
    ax.set_yticks([p for p, _ in labels], [t for _, t in labels], fontsize=7)
    ax.set_xlim(0, 1)
    ax.set_xlabel("weight")
    ax.set_title("Each mix: the weights asked for (upper bar) and heard (lower bar)", fontsize=9)
    fig.tight_layout()
    return _png(fig)


_MIX_KEYS = ("landed_rate", "topk_rate", "mean_on_target_mass", "mean_js", "mean_weight_error")
_MIX_HEADS = "<th>landed</th><th>top-k</th><th>on-target mass</th><th>JS</th><th>weight error</th>"


def _mix_cells(figures: dict[str, Any]) -> str:
    return "".join(f"<td>{_fmt(figures.get(k))}</td>" for k in _MIX_KEYS)


def _mix_headline(name: str, figures: dict[str, Any]) -> str:
    note = f" ({html.escape(figures['note'])})" if figures.get("note") else ""
    return (
        f"<p><b>{html.escape(name)}</b>, {figures.get('n_mixes', 0)} mixes, "
        f"{figures.get('n_tracks', 0)} tracks{note}: the genres asked for are the top k "
        f"<b>{_fmt(figures.get('topk_rate'))}</b> · landed <b>{_fmt(figures.get('landed_rate'))}"
        f"</b> · mean on-target mass <b>{_fmt(figures.get('mean_on_target_mass'))}</b> · mean JS "
        f"{_fmt(figures.get('mean_js'))} bits · mean weight error "
        f"{_fmt(figures.get('mean_weight_error'))}</p>"
    )


def _mix_page(summary: dict[str, Any], plan: dict[str, Any]) -> str:
    overall = summary["overall"]
    ears = list(overall.get("ears", {}))
    listener = html.escape(str(overall.get("listener") or "classifier"))
    headline = _mix_headline(f"{listener} (steering listener)", overall) + "".join(
        _mix_headline(name, overall["ears"][name]) for name in ears
    )
    ear_heads = "".join(f"<th colspan=5>{html.escape(n)} (did not steer)</th>" for n in ears)
    rows = "".join(
        f"<tr><td>{html.escape(entry['label'])}</td>{_mix_cells(entry)}"
        + "".join(_mix_cells(entry.get("ears", {}).get(n, {})) for n in ears)
        + "</tr>"
        for entry in summary["mixes"].values()
    )
    metric_list = "".join(f"<li>{html.escape(v)}</li>" for v in METRIC_DOCS.values())
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>GenreBlender mix sweep</title>
<style>body{{font-family:sans-serif;max-width:1300px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:right}}
td:first-child{{text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>GenreBlender sweep of mixes</h1>
<p>Engine <b>{html.escape(str(plan.get("engine", "?")))}</b>, strategy {html.escape(str(plan.get("strategy", "?")))},
{overall.get("n_mixes", 0)} mixes, {plan.get("seeds", "?")} seed(s), {plan.get("seconds", "?")} s per track;
{overall.get("n_tracks", 0)} tracks.</p>
{headline}
<h2>Asked and heard</h2><img src="data:image/png;base64,{mix_bars(summary)}">
<h2>Per mix</h2><table><tr><th></th><th colspan=5>{listener} (steering listener)</th>{ear_heads}</tr>
<tr><th>mix</th>{_MIX_HEADS}{"".join(_MIX_HEADS for _ in ears)}</tr>{rows}</table>
<h2>Metrics</h2><ul>{metric_list}</ul></body></html>"""


def morph_curves(results: pd.DataFrame, max_curves: int = 12) -> str:
    """Each curve (its first seed): α(t) asked, dashed, beside α̂(t) heard by the steering
    listener over 12-s spans (line) and per window (dots), and by the judge (dash-dot) when it
    scored; for a curve of more genres, each genre's weight in its colour."""
    plt = _plt()
    from genreblender.mixes import parse_mix_curve

    firsts = results.sort_values("seed").drop_duplicates("morph").head(max_curves)
    cols = min(3, len(firsts))
    rows = int(np.ceil(len(firsts) / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(4.6 * cols, 2.8 * rows), squeeze=False)
    for ax, (_, row) in zip(axes.ravel(), firsts.iterrows(), strict=False):
        morph = parse_mix_curve(row["morph"])
        timeline = json.loads(row["morph_timeline"])
        t = np.asarray(timeline["times_s"])
        asked, heard = np.asarray(timeline["asked"]), np.asarray(timeline["heard_smoothed"])
        raw = np.asarray(timeline["heard"])
        judge = {}
        if isinstance(row.get("judge_morph_timeline"), str):
            judge = json.loads(row["judge_morph_timeline"])
        shown = [0] if morph.k == 2 else range(morph.k)
        for g in shown:
            colour = TARGET_COLOUR if morph.k == 2 else GENRE_COLOURS[morph.genres[g]]
            ax.plot(t, asked[:, g], color=REFERENCE_COLOUR if morph.k == 2 else colour, ls="--")
            ax.plot(t, heard[:, g], color=colour, lw=2)
            ax.scatter(t, raw[:, g], s=6, color=colour, alpha=0.4)
            if judge.get("heard_smoothed"):
                j = np.asarray(judge["heard_smoothed"])
                ax.plot(judge["times_s"], j[:, g], color=colour, lw=1.2, ls="-.", alpha=0.8)
        rho, err = row.get("morph_spearman"), row.get("morph_tracking_error")
        name = (
            f"{morph.genres[0]} → {morph.genres[1]}" if morph.k == 2 else " · ".join(morph.genres)
        )
        ax.set_title(
            f"{name}, seed {row['seed']}: ρ {_fmt(rho if pd.notna(rho) else None)}, "
            f"error {_fmt(err)}",
            fontsize=8,
        )
        ax.set_ylim(-0.05, 1.05)
        ax.set_xlabel("s", fontsize=7)
    for ax in axes.ravel()[len(firsts) :]:
        ax.axis("off")
    fig.suptitle(
        "dashed: asked · line: heard over 12-s spans · dots: per window · dash-dot: judge "
        "(for two genres, the first genre's weight α)",
        fontsize=8,
    )
    fig.tight_layout()
    return _png(fig)


_MORPH_KEYS = (
    "mean_tracking_error",
    "mean_spearman",
    "mean_tracking_error_raw",
    "mean_spearman_raw",
    "spearman_at_least_0.8_rate",
    "tracking_error_at_most_0.2_rate",
)
_MORPH_HEADS = (
    "<th>tracking error</th><th>Spearman</th><th>per window: error</th><th>Spearman</th>"
    "<th>ρ ≥ 0.8</th><th>error ≤ 0.2</th>"
)


def _morph_cells(figures: dict[str, Any]) -> str:
    return "".join(f"<td>{_fmt(figures.get(k))}</td>" for k in _MORPH_KEYS)


def _morph_page(results: pd.DataFrame, summary: dict[str, Any], plan: dict[str, Any]) -> str:
    overall = summary["overall"]
    ears = list(overall.get("ears", {}))
    listener = html.escape(str(overall.get("listener") or "classifier"))
    views = [(f"{listener} (steering listener)", overall)] + [
        (
            html.escape(n) + (" (the plan itself: an ideal listener)" if n == "plan" else ""),
            overall["ears"][n],
        )
        for n in ears
    ]
    head_rows = "".join(
        f"<tr><td>{name}</td>{_morph_cells(v)}<td>{v.get('n_tracks', 0)}</td></tr>"
        for name, v in views
    )
    rows = "".join(
        f"<tr><td>{html.escape(entry['label'])}</td>{_morph_cells(entry)}"
        + "".join(_morph_cells(entry.get("ears", {}).get(n, {})) for n in ears)
        + "</tr>"
        for entry in summary["morphs"].values()
    )
    ear_heads = "".join(f"<th colspan=6>{html.escape(n)}</th>" for n in ears)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>GenreBlender curve sweep</title>
<style>body{{font-family:sans-serif;max-width:1300px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:right}}
td:first-child{{text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>GenreBlender sweep of blends that move</h1>
<p>Engine <b>{html.escape(str(plan.get("engine", "?")))}</b>, {overall.get("n_curves", 0)} curves,
{plan.get("seeds", "?")} seed(s), {plan.get("seconds", "?")} s per track; {overall.get("n_tracks", 0)} tracks.
Tracking error: mean over the listener's windows of |α̂(t) − α(t)| (for more genres ½ Σ |ŵ − w|);
Spearman(α(t), α̂(t)) over the windows; both on the heard weights over 12-s spans, and per window.</p>
<table><tr><th></th>{_MORPH_HEADS}<th>tracks</th></tr>{head_rows}</table>
<h2>Asked and heard over time</h2><img src="data:image/png;base64,{morph_curves(results)}">
<h2>Per curve</h2><table><tr><th></th><th colspan=6>{listener} (steering listener)</th>{ear_heads}</tr>
<tr><th>curve</th>{_MORPH_HEADS}{"".join(_MORPH_HEADS for _ in ears)}</tr>{rows}</table>
</body></html>"""


def write_report(sweep_dir: str | Path) -> Path:
    """Write ``sweep_dir/report.html`` from its results; return the path."""
    sweep_dir = Path(sweep_dir)
    results = read_results(sweep_dir / "results.csv")
    summary = summarize(results)
    plan = (
        json.loads((sweep_dir / "plan.json").read_text())
        if (sweep_dir / "plan.json").exists()
        else {}
    )
    if summary.get("kind") == "mixes":
        return _write_page(sweep_dir, _mix_page(summary, plan))
    if summary.get("kind") == "morphs":
        return _write_page(sweep_dir, _morph_page(results, summary, plan))
    overall = summary["overall"]
    ears = list(overall.get("ears", {}))
    listener = html.escape(str(overall.get("listener") or "classifier"))
    rows = "".join(
        f"<tr><td>{html.escape(k)}</td>{_ear_cells(p)}<td>{_fmt(p['mean_js'])}</td>"
        f"<td>{_fmt(p['mean_leakage'])}</td><td>{_fmt(p['top2_rate'])}</td>"
        + "".join(_ear_cells(p.get("ears", {}).get(name, {})) for name in ears)
        + "</tr>"
        for k, p in summary["pairs"].items()
    )
    ear_heads = "".join(f"<th colspan=4>{html.escape(name)} (did not steer)</th>" for name in ears)
    ear_subheads = "".join(_EAR_HEADS for _ in ears)
    headline = "".join(
        _headline(name, figures)
        for name, figures in [(f"{listener} (steering listener)", overall)]
        + [(name, overall["ears"][name]) for name in ears]
    )
    by_alpha = _by_alpha_table(overall, listener, ears)
    metric_list = "".join(f"<li>{html.escape(v)}</li>" for v in METRIC_DOCS.values())
    timeline_png = timelines(results)
    timeline = (
        "<h2>The same tracks over time (the listener's analysis windows)</h2>"
        f'<img src="data:image/png;base64,{timeline_png}">'
        if timeline_png
        else ""
    )
    page = f"""<!doctype html><html><head><meta charset="utf-8"><title>GenreBlender sweep</title>
<style>body{{font-family:sans-serif;max-width:1300px;margin:2em auto;color:#222}}
table{{border-collapse:collapse;font-size:13px}}td,th{{border:1px solid #ddd;padding:3px 8px;text-align:right}}
td:first-child{{text-align:left}}img{{max-width:100%}}</style></head><body>
<h1>GenreBlender sweep</h1>
<p>Engine <b>{html.escape(str(plan.get("engine", "?")))}</b>, strategy {html.escape(str(plan.get("strategy", "?")))},
{overall["n_pairs"]} pairs, α ∈ {html.escape(str(plan.get("alphas", "?")))}, {plan.get("seeds", "?")} seed(s),
{plan.get("seconds", "?")} s per track; {overall["n_tracks"]} tracks.</p>
{headline}
<p>{html.escape(READING_NOTE)}</p>
<h2>Landing by α</h2>{by_alpha}
<h2>Controllability by pair</h2><img src="data:image/png;base64,{heatmaps(summary)}">
<h2>Response curves: α asked → α̂ heard</h2><img src="data:image/png;base64,{response_curves(results, summary)}">
<h2>Tracks at the middle of the blend: closest and farthest from the target</h2>
<img src="data:image/png;base64,{distribution_bars(results)}">
{timeline}
<h2>Per pair</h2><table><tr><th></th><th colspan=7>{listener} (steering listener)</th>{ear_heads}</tr>
<tr><th>pair</th>{_EAR_HEADS}<th>JS</th><th>leakage</th><th>top-2 rate</th>{ear_subheads}</tr>{rows}</table>
<h2>Metrics</h2><ul>{metric_list}</ul></body></html>"""
    return _write_page(sweep_dir, page)


def _write_page(sweep_dir: Path, page: str) -> Path:
    path = sweep_dir / REPORT_FILE
    tmp = path.with_suffix(".html.part")
    tmp.write_text(page, encoding="utf-8")
    tmp.replace(path)
    return path
