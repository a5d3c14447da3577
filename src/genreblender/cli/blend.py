"""``genreblender blend``: the main job — compose a blend, classify it, show target beside predicted."""

from __future__ import annotations

import argparse
import json
import sys

from genreblender import defaults
from genreblender.cli.generate import add_blend_arguments, check_blend_arguments, engine_options
from genreblender.cli.listener_option import add_listener_argument


def register(subparsers) -> None:
    parser = subparsers.add_parser(
        "blend",
        help="compose a blend, classify it and print target vs predicted (the main job)",
        description=(
            "Compose alpha*A + (1-alpha)*B (or a mix of several genres, --mix) with the chosen "
            "engine (the embedded composer by default), listen to it with the shipped genre "
            "classifier, and print the target distribution beside the predicted one with the "
            "blend metrics."
        ),
    )
    add_blend_arguments(parser)
    parser.add_argument(
        "--strategy",
        choices=("plain", "best_of_n", "calibrate"),
        default=defaults.STRATEGY,
        help="plain: one generation (default); best_of_n: keep the closest of N seeds; "
        "calibrate: search the internal weight(s) so the measured blend matches the one asked for",
    )
    parser.add_argument(
        "--n",
        type=int,
        default=defaults.N_CANDIDATES,
        help=f"candidates for best_of_n (default {defaults.N_CANDIDATES})",
    )
    parser.add_argument(
        "-o", "--output", default="out/blend.wav", help="output .wav (default out/blend.wav)"
    )
    add_listener_argument(parser)
    parser.add_argument(
        "--no-judge",
        dest="judge",
        action="store_false",
        help="skip the independent musicnn judge (by default it scores the kept track beside "
        "the steering listener, as the other listeners do; no ear but the steering one steers)",
    )
    parser.add_argument(
        "--json",
        action="store_true",
        help="print the measurement, the verdict and every closed-loop trial as JSON",
    )
    parser.set_defaults(func=run)


def _bar(p: float, width: int = 24) -> str:
    filled = int(round(p * width))
    return "█" * filled + "·" * (width - filled)


def run(args: argparse.Namespace) -> int:
    check_blend_arguments(args)
    from tqdm import tqdm

    from genreblender.errors import InvalidInputError
    from genreblender.generation.base import validate_mix_request, validate_morph_request
    from genreblender.generation.composer.composer import STEM_PARTS
    from genreblender.generation.writer import check_output_path
    from genreblender.pipeline import blend

    # bad arguments are reported before the progress bar appears
    target = args.target
    validate_mix_request(target, args.seconds, args.seed)
    if args.morph is not None:
        validate_morph_request(args.morph, args.seconds, args.seed)
        if args.strategy != "plain":
            raise InvalidInputError(
                f"a curve is generated once (--strategy plain); {args.strategy} steers a "
                "fixed blend"
            )
    check_output_path(args.output, stems=STEM_PARTS if args.stems else ())
    options = engine_options(args)
    if args.engine == "musicgen":
        print("note: MusicGen weights are CC-BY-NC 4.0 (non-commercial use only)", file=sys.stderr)
    total = args.n if args.strategy == "best_of_n" else (1 if args.strategy == "plain" else 9)
    from genreblender.classification.listeners import get_listener
    from genreblender.evaluation.ears import other_listener_ears

    # the steering listener, and every other ear: the other listeners, then the judge
    classifier = get_listener(args.listener)
    ears = other_listener_ears(classifier.name)
    if args.judge:
        from genreblender.evaluation.judges import MusicnnJudge

        ears.append(MusicnnJudge(defaults.JUDGE))  # --no-judge skips it
    # a bar only on a terminal: in a log or a pipe its carriage returns would run into the
    # next line (an error message); it stays on screen when done, as a record of the work
    show_bar = not args.json and sys.stderr.isatty()
    with tqdm(total=total, desc="generating", unit="track", disable=not show_bar) as bar:

        def progress(done: int, total: int) -> None:
            bar.total = total
            bar.n = done
            bar.refresh()

        outcome = blend(
            seconds=args.seconds,
            seed=args.seed,
            engine=args.engine,
            strategy=args.strategy,
            n_candidates=args.n,
            output=args.output,
            engine_options=options,
            classifier=classifier,
            progress=progress,
            ears=ears,
            controls=args.controls,
            stems=args.stems,
            **_target_arguments(args),
        )
    evaluation = outcome.evaluation
    if args.json:
        record = {k: v for k, v in outcome.blend_record().items() if k != "measurement"}
        print(json.dumps(evaluation.to_dict() | record | {"files": _files(outcome)}, indent=2))
        return 0
    metrics = evaluation.metrics
    meta = outcome.result.metadata
    given = ""
    if args.strategy == "calibrate":
        from genreblender.evaluation.closed_loop import internal_weight_text

        given = ", " + internal_weight_text(outcome.loop, outcome.internal_alpha)
    print(
        f"\n{target.label}  "
        f"({args.engine}, seed {meta['seed']}, {args.seconds:g} s, strategy {args.strategy}"
        f"{given}, heard by {evaluation.classification.model.get('listener', '?')})"
    )
    print(f"\n{'genre':<10} {'target':>7} {'predicted':>9}")
    genres = evaluation.classification.genres
    for g, t, p in zip(genres, metrics.target, metrics.predicted, strict=True):
        mark = " ◀" if g in target.genres else ""
        print(f"{g:<10} {t:7.2f} {p:9.3f}  {_bar(p)}{mark}")
    print(f"\n{_figures_line(metrics, target)}")
    print(f"\n{_verdict_line(f'{classifier.name} (steering)', metrics.landing)}")
    if evaluation.caution:
        print(f"    caution: {evaluation.caution}")
    for view in evaluation.ears:
        print(_ear_line(view, target))
    if evaluation.morph is not None:
        _print_morph(evaluation, classifier.name)
    if outcome.loop is not None:
        _print_loop(outcome.loop)
    if args.strategy == "plain" and args.morph is None and not metrics.landing.landed:
        # one seed's blend is one draw of tempo, key and instruments: another draw may land
        print(
            f"tip: --strategy best_of_n composes {args.n} seeds (--n) and keeps the one "
            f"{classifier.name} hears land best; the other ears still report on it"
        )
    for kind, path in _files(outcome).items():
        print(f"wrote {kind}: {path}")
    return 0


def _target_arguments(args: argparse.Namespace) -> dict:
    """The blend asked for, as :func:`genreblender.pipeline.blend` takes it: the pair as typed
    (A = B keeps its alpha), the mix, or the curve."""
    if args.morph is not None:
        return {"morph": args.morph}
    if args.mix is None:
        return {"genre_a": args.genre_a, "genre_b": args.genre_b, "alpha": args.alpha}
    return {"mix": args.target}


def _figures_line(metrics, target) -> str:
    """The figures of one track against the target, on one line."""
    common = (
        f"JS {metrics.js:.3f} bits   KL {metrics.kl:.3f}   TV {metrics.tv:.3f}   "
        f"leakage {metrics.leakage:.3f}   on-target mass {metrics.on_target_mass:.2f}"
    )
    if target.is_pair:
        alpha = target.as_pair()[2]
        return (
            f"alpha_hat {metrics.alpha_hat:.3f} (asked {alpha:.2f})   {common}   "
            f"A,B top-2: {'yes' if metrics.top2_match else 'no'}"
        )
    heard = " · ".join(f"{g} {w:.2f}" for g, w in metrics.heard_weights.items())
    return (
        f"heard weights {heard} (asked {target.label})\nweight error "
        f"{metrics.weight_error:.3f}   {common}   the {target.k} asked for on top: "
        f"{'yes' if metrics.topk_match else 'no'}"
    )


def _timeline_figures(timeline: dict | None) -> str:
    if timeline is None:
        return "no timeline"

    def f(x):
        return "n/a" if x is None else f"{x:.2f}"

    return (
        f"tracking error {f(timeline['tracking_error'])}, Spearman {f(timeline['spearman'])} "
        f"(heard weights over {timeline['span_s']:g}-s spans); per window "
        f"{f(timeline['tracking_error_raw'])}, {f(timeline['spearman_raw'])} "
        f"({timeline['n_windows']} windows)"
    )


def _print_morph(evaluation, listener: str, every_s: float = 5.0) -> None:
    """How the heard weights followed the curve: the figures of every ear, then the steering
    listener's curve asked beside heard, one row per ``every_s`` seconds."""
    timeline = evaluation.morph["timeline"]
    genres = timeline["genres"]
    print("\nthe curve, heard over time (the track-level figures above are against its mean)")
    print(f"  {listener} (steering): {_timeline_figures(timeline)}")
    for view in evaluation.ears:
        figures = _timeline_figures(view.get("morph")) if view.get("morph") else view["note"]
        print(f"  {view['name']}: {figures}")
    first = genres[0]
    print(f"\n{'time':>6}  {first + ' asked':>14} {'heard (span)':>13} {'(window)':>9}")
    next_t = 0.0
    for t, asked, smooth, raw in zip(
        timeline["times_s"],
        timeline["asked"],
        timeline["heard_smoothed"],
        timeline["heard"],
        strict=True,
    ):
        if t + 1e-9 >= next_t:
            print(
                f"{t:6.1f}  {asked[0]:14.2f} {smooth[0]:13.2f} {raw[0]:9.2f}  {_bar(smooth[0], 20)}"
            )
            next_t = t + every_s


def _verdict_line(who: str, landing) -> str:
    if landing.landed:
        return f"{who}: LANDED"
    return f"{who}: DID NOT LAND; missed by " + "; ".join(landing.reasons)


def _ear_line(view: dict, target) -> str:
    """Another ear's view of the same track, one or two lines (it chose nothing)."""
    who = f"{view['name']} ({view['kind']}, did not steer)"
    if view["metrics"] is None:
        return f"{who}: {view['note']}"
    m, landing = view["metrics"], view["landing"]
    if target.is_pair:
        heard = f"alpha_hat {m['alpha_hat']:.3f} (asked {target.as_pair()[2]:.2f})"
    else:
        heard = f"weight error {m['weight_error']:.3f}"
    figures = f"{heard}   JS {m['js']:.3f}   on-target mass {m['on_target_mass']:.2f}"
    verdict = (
        "LANDED"
        if landing["landed"]
        else "DID NOT LAND; missed by " + "; ".join(landing["reasons"])
    )
    return f"{who}: {verdict}\n    {figures}"


def _print_loop(loop: dict) -> None:
    print(f"\nclosed loop ({loop['strategy']}): {loop['message']}")
    print(f"objective: {loop['objective']}")
    genres = list(loop["trials"][0]["heard_weights"]) if loop["trials"] else []
    if len(genres) > 2:
        _print_mix_trials(loop["trials"], genres)
        return
    print(f"{'trial':>5} {'seed':>6} {'alpha_int':>9} {'alpha_hat':>9} {_OUTCOME_HEADER}")
    for t in loop["trials"]:
        print(
            f"{t['trial'] + 1:>5} {t['seed']:>6} {t['internal_alpha']:9.3f} {t['alpha_hat']:9.3f} "
            f"{_outcome_columns(t)}"
        )


def _print_mix_trials(trials: list[dict], genres: list[str]) -> None:
    """A mix's trials: the weights the engine was given (calibration moves them; best-of-N
    gives the asked ones) beside the weights heard, in the mix's genre order."""

    def weights(w: dict | None) -> str:
        return "/".join(f"{w[g]:.2f}" for g in genres) if w else "as asked"

    width = max(5 * len(genres) - 1, len("as asked"))
    print(f"weights in the order {' / '.join(genres)}")
    print(
        f"{'trial':>5} {'seed':>6} {'given':>{width}} {'heard':>{width}} {'w.err':>5} "
        f"{_OUTCOME_HEADER}"
    )
    for t in trials:
        print(
            f"{t['trial'] + 1:>5} {t['seed']:>6} {weights(t.get('internal_weights')):>{width}} "
            f"{weights(t['heard_weights']):>{width}} {t['weight_error']:5.3f} "
            f"{_outcome_columns(t)}"
        )


#: the trial table's last columns, the same for pairs and mixes
_OUTCOME_HEADER = f"{'mass':>5} {'JS':>6} {'landed':>6} {'goal':>5}"


def _outcome_columns(t: dict) -> str:
    return (
        f"{t['on_target_mass']:5.2f} {t['js']:6.3f} {'yes' if t['landed'] else 'no':>6} "
        f"{'yes' if t['goal_met'] else 'no':>5}{'  ◀ kept' if t['kept'] else ''}"
    )


def _files(outcome) -> dict[str, str]:
    written = outcome.written
    if written is None:
        return {}
    files = {"wav": str(written.audio_path), "sidecar": str(written.sidecar_path)}
    if written.midi_path:
        files["midi"] = str(written.midi_path)
    files |= {f"stem {part}": str(path) for part, path in written.stem_paths.items()}
    return files
