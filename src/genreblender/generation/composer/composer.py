"""The ``composer`` engine: blended style → song form → parts → MIDI → SoundFont audio → master."""

from __future__ import annotations

import hashlib
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import partial
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from genreblender.cores import cores_for_one_job
from genreblender.errors import InvalidInputError
from genreblender.generation.base import (
    GenerationResult,
    fit_length,
    request_metadata,
    validate_mix_request,
    validate_morph_request,
)
from genreblender.generation.composer import mix, render, singing, vocals
from genreblender.generation.composer.arrangement import arrange_sections, is_excerpt, plan_song
from genreblender.generation.composer.bass import bass_part
from genreblender.generation.composer.drums import drum_part
from genreblender.generation.composer.harmony import comp_part, pad_part
from genreblender.generation.composer.melody import answer_part, answer_spec, melody_part
from genreblender.generation.composer.sections import plan_mix_pieces, plan_morph_pieces
from genreblender.generation.composer.style import blend_styles, heaviest, load_style, mix_styles
from genreblender.generation.controls import Controls
from genreblender.mixes import Mix, Morph

#: Versions: 2.1 sung vocals, bass tone; 2.2 mixes of k genres, morphs, α = 0 or 1 is that
#: genre's own song; 2.3 the singer sings the notes as composed, not as read back from the MIDI
#: file (they move by under a tick), and a faster master bus (the same sound to -96 dB); 2.4
#: (helpers' style work, one version) a style may double its comping with a second instrument
#: (``harmony.double``: program, level share): reggae's guitar skank is doubled by a percussive
#: organ, the Wailers' guitar-and-organ offbeat, and pop's piano by a saw synth; the drum kit a
#: style names (``drums.kit``, General MIDI bank 128: it was always the standard kit) is played:
#: TR-808 for pop (2000s programmed drums) and hip-hop, brushes for jazz, an electronic kit for
#: disco; metal washes in crash cymbals instead of a hi-hat tick, with harder-driven, louder
#: rhythm guitars over a quieter lead (a wall of guitar, not a disco hat pulse); hip-hop is a
#: dry, sparse keys loop under the rap with no lead line (boom-bap leaves the melody to the MC);
#: disco's lead is a string or horn section line, a little lower, never a saw synth lead;
#: 2.5 (helpers' style work) blues: a lead guitar answers each sung line in the bars the
#: singer leaves open (``melody.answer``; notes may carry a pitch bend and a vibrato, written
#: as MIDI pitch-bend events), the rhythm guitar plays the low 5-6 shuffle figure
#: (``comp_style`` shuffle), a short-plucked, mostly upright bass, a drier, darker old-record
#: tone; reggae: straight sixteenths, the singer further back, more space in the vocal line;
#: the singer: the male voice's source tilted down above 1.5 kHz (a popular singer's voice, not
#: the tenor table's operatic ring) and double tracking (``vocals.double_track``: pop, reggae);
#: 2.6 (helpers' style work, style values only) disco: a sixteenth-note funk (chicken-scratch)
#: guitar instead of the bare off-beat skank, sixteenth closed hats accented on the beat, a drier
#: room; reggae: steppers drums (a kick on every beat, snare with the rim on 3) instead of the
#: one-drop, a deep, round bass (finger or upright, tone 110 Hz), the skank in the guitar's
#: middle register;
#: 2.7 disco's sixteenth comping is played by the funk guitar or the electric piano, no longer by
#: strings: sixteenth string chords with their long release outran the synthesizer's 64 voices,
#: which stole notes from the mix (stems' sum off by -30 dB), and disco's strings play the pad and
#: (with brass, no solo trumpet) the lead line; (helpers' style work, style values only) pop: a sustained bass locked to
#: the kick, held chords on acoustic or bright piano (no electric piano), a cleaner,
#: double-tracked vocal, a shorter room; blues: the answering lead guitar louder with wider bends
#: and vibrato, the rhythm guitar further back, a fade-out ending; rock: mostly distorted power
#: chords struck on the beats and left ringing, more drive, a live drum room, a crash on every
#: section; jazz: short piano comping stabs, mostly ninth chords; country: the acoustic rhythm
#: guitar's chords left ringing and louder, the drums further back, a slightly faster tempo range;
#: metal: thrash tempos, low-string chugs on distortion only over a low bass, the lead under the
#: rhythm guitars, a brighter, harder-driven, more compressed mix;
#: 2.8 (helpers' style work, style values only) jazz: the horn lead up front; hip-hop: a
#: syncopated boom-bap kick (one, the last sixteenth of two, the and of three, a pickup) with the
#: bass locked to it, ghosted sixteenth hats, a quieter keys loop; long tracks and stems render
#: on several cores (``workers``), which changes no sample (2.8's note named a disco change too,
#: a tambourine on the eighths, the bass on the root, a clavinet: it was never committed, and
#: 2.8's figures were measured without it);
#: 2.9 a track shorter than 45 s is an excerpt (``arrangement.EXCERPT_BELOW_S``): it plays on to
#: a short fade instead of ringing a held final chord for one to two bars; a sectioned blend's
#: heavier genre no longer closes with a stub (a sliver of a bar at the end, whose short song
#: had rung its ending in the piece before), and its closing piece takes the rest of the time;
#: 2.10 the heavier genre opens and closes only if each of its pieces can last 4 s
#: (``sections.MIN_HEAVY_PIECE_S``), else it opens alone: an equal 3-genre mix of 20 s is
#: ``A B C``, not ``A B C A`` with A in two pieces of one listening window each;
#: (2.11 was a disco style change, reverted: ``README.md``)
#: 2.12 (style values only) blues: the singer's vibrato slow and wide (±1 semitone at 3.5 Hz
#: instead of ±0.45 at 5 Hz), the wobble of a blues shouter's held notes;
#: 2.13 (style values only, from ``benchmarks/draw_audit.py``: draws every ear heard as less of
#: the genre on development seeds, confirmed on seeds they were not found on) disco's tempo at
#: least 116 BPM, country's at most 120, hip-hop's at least 94 (``tempo_bpm_limits`` on the
#: corpus's tempo range); jazz's lead no longer a vibraphone, rock's rhythm guitar always the
#: distortion guitar, classical's pad always String Ensemble 1 and its lead never the piano;
#: 2.14 (style values only, the same audit) blues' bass always the acoustic bass, never the
#: electric finger bass (every ear lower with it on three sets of development seeds, and higher
#: without it on a fourth);
#: 2.15 each genre of a sectioned blend, mix or morph plays in its own song's key (the key that
#: genre's song draws for the seed), no longer moved to the opening genre's key; a key the user
#: sets (``Controls.key``) still holds for every genre;
#: 2.16 (style values only) blues' singer louder over the band (``vocals.level`` 1.3 → 1.7): a
#: blues record is led by its voice; every ear heard more blues on two sets of seeds;
#: 2.17 (style values only) metal's lead guitar always on the overdriven guitar, never on the
#: distortion guitar of the rhythm wall: a lead tone apart from the chugs it plays over; on the
#: distortion guitar every ear heard the song as less metal on all five draw audits (200 songs)
VERSION = "2.17"
#: How genres are combined: ``sections`` (default) alternates stretches of each genre's own
#: music, each genre's share of the time following its weight; ``fuse`` mixes the styles'
#: probabilities into one song (the rule of composer 1.x)
BLEND_MODES = ("sections", "fuse")
#: Tracks at least this long render and master on several threads by default (``workers``):
#: shorter ones take under a few seconds on one core, and sweeps already run one per core
PARALLEL_FROM_S = 60.0
#: The key of a written song's file that the synthesizer plays as the mix (the others are parts)
_MIX_FILE = "mix"
#: Crossfade at a section boundary: long enough not to click, short enough to keep the downbeat
CROSSFADE_S = 0.03
#: General MIDI programs that sound as a voice (Choir Aahs, Voice Oohs, Synth Voice)
GM_VOICE_PROGRAMS = (52, 53, 54)
#: The MIDI program a sung lead is written with (Voice Oohs): the file's vocal line
SUNG_LEAD_PROGRAM = 53
_GOLDEN_FRACTION = (5**0.5 - 1) / 2
#: The parts a track is split into by ``stems=True``, one stereo stem each (a part the song does
#: not play is a silent stem): the synthesizer's parts, then the vocals (rap or sung: a sung lead is
#: in "voice", and "lead" is then silent)
STEM_PARTS = ("drums", "bass", "comp", "pad", "lead", "voice")
#: Length of a fade-out ending (at most a tenth of the track)
FADE_OUT_S = 2.0
_NOTE_NAMES = ("C", "C#", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B")
# Independent random streams per decision, so that the same seed at a different alpha reuses
# the same draws (common random numbers): a blend then changes only where the mixed
# probabilities cross the draws, and alpha moves the music smoothly.
_STREAMS = (
    "plan",
    "drums",
    "bass",
    "comp",
    "pad",
    "melody",
    "programs",
    "timing",
    "mix",
    "groove",
    "vocals",
    "answer",
)


def _style_tables_digest() -> str:
    digest = hashlib.sha256()
    folder = resources.files("genreblender.generation.composer") / "styles"
    for entry in sorted(folder.iterdir(), key=lambda p: p.name):
        if entry.name.endswith(".json"):
            digest.update(entry.name.encode() + entry.read_bytes())
    return digest.hexdigest()[:12]


class Composer:
    """Embedded offline composer (the default engine).

    Parameters
    ----------
    soundfont : path, optional
        A General MIDI ``.sf2`` to render with (default: see :func:`render.find_soundfont`).
    sample_rate : int
        Output rate (44100 by default; the synthesizer runs at 48 kHz).
    workers : int, optional
        Threads that render and master a track's songs and parts (the same audio for any
        number). Default: one for tracks shorter than :data:`PARALLEL_FROM_S` without stems,
        and one in a worker of a process pool (a sweep's or the HTTP API's, which already run one
        track per core: :mod:`genreblender.cores`), else every core this process may use.
    """

    name = "composer"
    output_licence = (
        "Audio and MIDI made by the embedded composer carry no licence restriction: they are "
        "yours to use, including commercially."
    )

    def __init__(
        self,
        soundfont: str | Path | None = None,
        sample_rate: int = 44100,
        blend: str = "sections",
        workers: int | None = None,
    ):
        if blend not in BLEND_MODES:
            raise InvalidInputError(
                f"unknown blend mode {blend!r}; accepted: {', '.join(BLEND_MODES)}"
            )
        if workers is not None and (
            isinstance(workers, bool) or not isinstance(workers, int) or workers < 1
        ):
            raise InvalidInputError(f"workers must be a whole number >= 1, got {workers!r}")
        self.workers = workers
        self.soundfont, self._soundfont_bytes = render.find_soundfont(soundfont)
        self.sample_rate = int(sample_rate)
        self.blend = blend
        self.model_version = f"genreblender-composer {VERSION} (styles {_style_tables_digest()})"

    def compose(
        self,
        genre_a: str,
        genre_b: str,
        alpha: float,
        duration_s: float,
        seed: int,
        tonic_pc: int | None = None,
        controls: Controls | None = None,
    ):
        """One song of the fused style ``alpha * A + (1 - alpha) * B`` (a pure genre when
        ``alpha`` is 1 or A = B): ``(score, tracks, style, streams)``, no audio. ``controls``
        impose the tempo and key (its tonic before ``tonic_pc``)."""
        return self.compose_mix(
            Mix.pair(genre_a, genre_b, alpha), duration_s, seed, tonic_pc, controls
        )

    def compose_mix(
        self,
        target: Mix,
        duration_s: float,
        seed: int,
        tonic_pc: int | None = None,
        controls: Controls | None = None,
        excerpt: bool | None = None,
    ):
        """One song of the fused style of ``target`` (:func:`style.mix_styles`):
        ``(score, tracks, style, streams)``, no audio; ``controls`` as in :meth:`compose`,
        ``excerpt`` as in :func:`arrangement.plan_song`."""
        request = validate_mix_request(target, duration_s, seed, min_duration_s=0)
        streams = self._streams(request.seed)
        style = mix_styles(request.mix.items())
        controls = controls or Controls()
        if controls.key is not None:
            tonic_pc = controls.key.tonic_pc
        mode = controls.key.mode if controls.key is not None else None
        score = plan_song(
            style, request.duration_s, streams["plan"], tonic_pc, controls.bpm, mode, excerpt
        )
        return self._arrange(style, score, streams)

    @staticmethod
    def _streams(seed: int) -> dict[str, np.random.Generator]:
        return dict(
            zip(
                _STREAMS,
                (
                    np.random.default_rng(s)
                    for s in np.random.SeedSequence(seed).spawn(len(_STREAMS))
                ),
                strict=True,
            )
        )

    def _arrange(self, style, score, streams):
        # one threshold per bar against the cumulative weights (for two genres: u < alpha is
        # A's bar), so raising A's weight only ever turns B-bars into A-bars. The thresholds are
        # a golden-ratio (Weyl) sequence from one random start, not independent draws: each bar
        # is still genre i's with probability w_i, but the share of its bars in any one song
        # stays within a bar or so of w_i instead of scattering by chance (stratified sampling
        # of the mixture)
        grooves = [groove for groove, _ in style["groove_components"]]
        weights = [w for _, w in style["groove_components"]]
        start = streams["groove"].random()
        thresholds = (start + _GOLDEN_FRACTION * np.arange(score.n_bars + 1)) % 1.0
        score.grooves = [grooves[i] for i in _components(thresholds, weights)]
        parts = {
            "drums": drum_part(style, score, streams["drums"]),
            "bass": bass_part(style, score, streams["bass"]),
            "comp": comp_part(style, score, streams["comp"]),
            "pad": pad_part(style, score, streams["pad"]),
            "lead": melody_part(style, score, streams["melody"]),
        }
        answer = answer_spec(style)
        if answer is not None:  # call and response: licks in the bars the singer leaves open
            parts["answer"] = answer_part(style, score, streams["answer"])
        parts = arrange_sections(score, parts)
        score.parts = parts
        levels = {
            "bass": (style["bass"]["programs"], style["bass"]["level"]),
            "comp": (style["harmony"]["programs"], style["harmony"]["level"]),
            "pad": (style["harmony"]["pad_programs"], style["harmony"]["pad_level"]),
            "lead": (style["melody"]["programs"], style["melody"]["level"]),
        }
        kit = _kit(style["drums"]["kit"], weights, streams["drums"])
        tracks = [render.Track("drums", kit, True, float(style["drums"]["level"]), parts["drums"])]
        # which genre's instrument plays each part: genre i's with probability w_i, one
        # threshold per part (raising A's weight only hands parts from B's instruments to A's).
        # Systematic sampling: the thresholds are (start + rank / n) mod 1 over a random order
        # of the parts, so a song has round(w_i * n) of its n parts from genre i, give or take one
        start = streams["programs"].random()
        ranks = streams["programs"].permutation(len(levels))
        part_thresholds = (start + ranks / len(levels)) % 1.0
        chosen_layers = _components(part_thresholds, weights)
        for (part, (programs, level)), chosen in zip(levels.items(), chosen_layers, strict=True):
            for layer, ((choices, _), genre) in enumerate(
                zip(programs["layers"], style["genres"], strict=True)
            ):
                u = streams["programs"].random()  # drawn even when unused: streams stay aligned
                if layer != chosen or level < 0.01:
                    continue
                program = _pick(choices, u)
                tracks.append(render.Track(f"{part}:{genre}", program, False, level, parts[part]))
                double = load_style(genre)["harmony"].get("double") if part == "comp" else None
                if double:  # a second instrument doubling the comping (reggae: organ on the skank)
                    program, share = int(double[0]), float(double[1])
                    tracks.append(
                        render.Track(
                            f"comp:{genre}:double", program, False, level * share, parts[part]
                        )
                    )
        if answer is not None:
            # the answering instrument is in the comping's stem (the band's guitar, not the
            # singer's line); one draw from its own stream picks it
            program = _pick(answer["programs"], streams["answer"].random())
            tracks.append(
                render.Track(
                    f"comp:{style['genres'][heaviest(style['weights'])]}:answer",
                    program,
                    False,
                    float(answer["level"]),
                    parts["answer"],
                )
            )
        return score, tracks, style, streams

    def _song(self, target: Mix, duration_s, seed, controls=None, stems=False):
        """One song of ``target``'s fused style rendered and mastered at
        :data:`render.RENDER_RATE` (no end fade): ``(audio, midi, description, score)``
        (``midi`` a ``pretty_midi.PrettyMIDI``, written to a file only where one is wanted).

        With ``stems`` the audio carries, after the mix's two channels, two channels per part of
        :data:`STEM_PARTS`: every later edit of the track (cuts, crossfades, resampling, fades)
        is linear and per channel, so the stems follow the mix's sections exactly."""
        song = self._written_song(target, duration_s, seed, None, controls, stems)
        return self._performed([song], stems, self._threads(duration_s, stems))[0]

    def _threads(self, duration_s: float, stems: bool) -> int:
        """How many threads render and master a track (see ``workers``)."""
        if self.workers is not None:
            return self.workers
        if duration_s < PARALLEL_FROM_S and not stems:
            return 1
        return cores_for_one_job()

    def _written_song(
        self, target: Mix, duration_s, seed, loudness, controls, stems, excerpt=None
    ) -> _WrittenSong:
        """A song composed and written as the MIDI files its audio is rendered from;
        ``loudness`` (else the style's) is the master's target RMS."""
        score, tracks, style, streams = self.compose_mix(
            target, duration_s, seed, None, controls, excerpt
        )
        if loudness is not None:
            style["mix"]["loudness_rms"] = float(loudness)
        sung = (style.get("vocals") or {}).get("kind") == "sung"
        if sung:  # the melody is the singer's: its MIDI track says so with a voice program
            for track in tracks:
                if track.name.startswith("lead"):
                    track.program = SUNG_LEAD_PROGRAM
        # a bass with its own tone (rolled-off highs: a dub or boom-bap bass) is rendered on
        # its own and filtered before it joins the mix, as a bass channel's EQ would; the
        # singer, not the SoundFont, performs a sung lead. With stems, one file per part too
        bass_tone = style["bass"].get("tone_hz")
        tone_bass = bool(bass_tone) and any(t.name.startswith("bass") and t.notes for t in tracks)
        held_out = tuple(p for p, out in (("lead", sung), ("bass", tone_bass)) if out)
        midi, played, part_midis = render.build_midi_files(
            tracks,
            score.bpm,
            score.swing,
            streams["timing"],
            unplayed=held_out,
            parts=True if stems else (("bass",) if tone_bass else False),
        )
        if sung:
            part_midis.pop("lead", None)
        files = {_MIX_FILE: played, **part_midis}
        return _WrittenSong(
            score, tracks, style, streams, midi, files, float(bass_tone) if tone_bass else None
        )

    def _performed(self, songs: list[_WrittenSong], stems: bool, threads: int) -> list[tuple]:
        """Each written song rendered and mastered: ``(audio, midi, description, score)``.

        Every MIDI file of every song is rendered first, then every song is mastered; with
        ``threads`` > 1 each stage runs on that many threads (each render in a child process,
        see :func:`render.render_midi_apart`; the master bus's large-array work releases the
        GIL). Each song draws only from its own random streams, so the result does not depend
        on ``threads``."""
        jobs = [(i, name) for i, song in enumerate(songs) for name in song.files]

        def rendered(job, how=render.render_midi):
            i, name = job
            return how(songs[i].files[name], self._soundfont_bytes)

        def mastered(i):
            audios = {name: audio for (j, name), audio in zip(jobs, renders, strict=True) if j == i}
            return self._mastered(songs[i], audios, stems)

        if threads <= 1 or len(jobs) == 1:
            renders = [rendered(job) for job in jobs]
            return [mastered(i) for i in range(len(songs))]
        with ThreadPoolExecutor(max_workers=threads) as pool:
            # the synthesizer holds the GIL: side by side, each render runs in its own process
            renders = list(pool.map(partial(rendered, how=render.render_midi_apart), jobs))
            return list(pool.map(mastered, range(len(songs))))

    def _mastered(self, song: _WrittenSong, audios: dict[str, np.ndarray], stems: bool) -> tuple:
        """One written song's rendered files mixed (tone bass, vocals) and mastered."""
        score, tracks, style, streams = song.score, song.tracks, song.style, song.streams
        audio = audios.pop(_MIX_FILE)
        if song.bass_tone is not None:
            bass = mix.roll_off(
                _padded(audios.pop("bass"), len(audio)), render.RENDER_RATE, song.bass_tone
            )
            audio += bass
        voice, line = self._vocals(audio, score, tracks, style, streams["vocals"], song.midi)
        if line is not None:
            audio += line
        if stems:
            parts = {p: np.zeros_like(audio) for p in STEM_PARTS}
            for part, rendered in audios.items():
                parts[part] = _padded(rendered, len(audio))
            if song.bass_tone is not None:
                parts["bass"] = bass
            if line is not None:
                parts["voice"] = line
            audio, parts = mix.master_with_stems(
                audio, parts, render.RENDER_RATE, style["mix"], streams["mix"]
            )
            audio = np.concatenate([audio, *(parts[p] for p in STEM_PARTS)], axis=1)
        else:
            audio = mix.master(audio, render.RENDER_RATE, style["mix"], streams["mix"])
        description = {
            "tempo_bpm": round(score.bpm, 2),
            "key": f"{_NOTE_NAMES[score.tonic % 12]} {score.scale}",
            "swing": round(score.swing, 3),
            "form": [f"{s.kind}:{s.bars}" for s in score.sections],
            "ending": score.ending,
            "instruments": [
                {"part": t.name, "program": t.program, "level": round(t.level, 3)}
                for t in tracks
                if t.notes
            ],
            "vocals": voice,
            "style_learned_from": style.get("learned_from"),
        }
        return audio, song.midi, description, score

    @staticmethod
    def _vocals(audio, score, tracks, style, rng, midi) -> tuple[dict | None, np.ndarray | None]:
        """The style's vocals to lay over the rendered beat (stereo, ``audio``'s shape) or None,
        and the vocals' description.

        Rap: spoken lines (``vocals.rap_part``); sung: the lead melody as the MIDI file plays it,
        sung by the formant voice (``singing.sing``; the lead is then not rendered by the
        SoundFont). The voice sits at ``level`` times the beat's RMS (a sung line measured while
        it sings) before the master bus, riding on top of the beat as a singer does.
        """
        spec = style.get("vocals") or {}
        level = float(spec.get("level", 0.0))
        kind = spec.get("kind")
        if kind in ("rap", "sung") and level > 0.01:
            n = len(audio)
            if kind == "rap":
                line = vocals.rap_part(score, spec, n, render.RENDER_RATE, rng)
                voice_rms = float(np.sqrt(np.mean(line**2)))
            else:
                notes = singing.sung_notes(midi, "lead")
                line = singing.sing(notes, spec, n, render.RENDER_RATE, rng)
                voice_rms = _active_rms(line, render.RENDER_RATE)
            beat_rms = float(np.sqrt(np.mean(mix.mono(audio) ** 2)))
            if voice_rms > 0 and beat_rms > 0:
                voice = np.repeat((level * beat_rms / voice_rms * line)[:, None], 2, axis=1)
                return {
                    "kind": kind,
                    "engine": vocals.ENGINE if kind == "rap" else singing.ENGINE,
                    "voice": spec.get("voice"),
                    "level_vs_beat_rms": round(level, 3),
                }, voice
        sung = [t for t in tracks if t.name.startswith("lead") and t.notes]
        if sung and sung[0].program in GM_VOICE_PROGRAMS:
            return {"kind": "sung", "engine": "General MIDI", "program": sung[0].program}, None
        return None, None

    def _bar_seconds(self, genre: str, seed: int, controls: Controls) -> float:
        """Bar length of ``genre``'s own song for ``seed`` (its tempo does not depend on the
        song's length, so a short plan tells it)."""
        style = blend_styles(genre, genre, 1.0)
        score = plan_song(style, 10.0, self._streams(seed)["plan"], bpm=controls.bpm)
        return style["meter"] * 60.0 / score.bpm

    def _sectioned(self, request, controls: Controls, stems: bool):
        """A blend as stretches of each genre's own song taking turns (see ``sections``); a
        morph's pieces follow its curve (:func:`sections.plan_morph_pieces`)."""
        genres, weights = request.mix.genres, request.mix.weights
        bars = [self._bar_seconds(g, request.seed, controls) for g in genres]
        if request.morph is not None:
            pieces = plan_morph_pieces(request.morph, request.duration_s, bars)
        else:
            pieces = plan_mix_pieces(weights, request.duration_s, bars)
        # output start of every piece, in seconds (accumulated exactly, no rounding drift)
        starts = np.concatenate([[0.0], np.cumsum([p.bars * bars[p.genre] for p in pieces])])
        last = pieces[-1].genre
        heavy = pieces[0].genre
        # the genre heard last plays its own song's end at the track's end; the others' songs
        # run two bars past their last piece, so their endings (a held chord) are never heard
        lengths = {}
        for g in dict.fromkeys(p.genre for p in pieces):
            mine = [(p, starts[i]) for i, p in enumerate(pieces) if p.genre == g]
            p, t0 = mine[-1]
            if g == last:
                lengths[g] = p.source_start_bar * bars[g] + (request.duration_s - t0)
            else:
                lengths[g] = (p.source_start_bar + p.bars + 2) * bars[g]
            lengths[g] = float(np.clip(lengths[g], 1.0, request.duration_s + 4 * bars[g]))
        # every genre at one loudness (the weighted blend of the genres' typical levels; a
        # morph's time average): sections of a song do not jump by 10 dB. Each plays in its own
        # song's key, as a medley changes key with the song: moved to the opening genre's key,
        # a genre left the keys its players favour (rock's open-string E and A, a horn
        # section's flats), and its sections were heard as less of it (composer 2.15, README)
        loudness = 0.0
        for g, w in request.mix.items():
            loudness += w * float(blend_styles(g, g, 1.0)["mix"]["loudness_rms"])
        order = [heavy] + [g for g in lengths if g != heavy]
        written = [
            self._written_song(
                Mix.pure(genres[g]),
                lengths[g],
                request.seed,
                loudness,
                controls,
                stems,
                excerpt=is_excerpt(request.duration_s),
            )
            for g in order
        ]
        performed = self._performed(written, stems, self._threads(request.duration_s, stems))
        songs = dict(zip(order, performed, strict=True))
        sr = render.RENDER_RATE
        n_out = int(round(request.duration_s * sr))
        out = np.zeros((n_out, songs[heavy][0].shape[1]), dtype=np.float32)
        xf = int(CROSSFADE_S * sr)
        ramp = np.linspace(0.0, 1.0, xf, dtype=np.float32)[:, None]
        layout = []
        for i, piece in enumerate(pieces):
            a, b = int(round(starts[i] * sr)), min(n_out, int(round(starts[i + 1] * sr)))
            if a >= n_out:
                break
            source = songs[piece.genre][0]
            s0 = int(round(piece.source_start_bar * bars[piece.genre] * sr))
            seg = _padded(source[s0 : s0 + (b - a) + xf], (b - a) + xf).copy()
            if i > 0:
                seg[:xf] *= ramp  # fade in under the previous piece's tail
            if b < n_out:
                seg[b - a :] *= ramp[::-1]  # tail fades out under the next piece
            end = min(n_out, a + len(seg))
            out[a:end] += seg[: end - a]
            section = {
                "genre": genres[piece.genre],
                "bars": piece.bars,
                "start_s": round(a / sr, 3),
                "end_s": round(b / sr, 3),
            }
            if request.morph is not None:  # what the curve asks for in the middle of it
                middle = request.morph.weights_at(0.5 * (a + b) / sr)
                section["asked"] = {g: round(w, 4) for g, w in zip(genres, middle, strict=True)}
            layout.append(section)
        shares = {
            g: round(
                sum(x["end_s"] - x["start_s"] for x in layout if x["genre"] == g)
                / request.duration_s,
                4,
            )
            for g in genres
        }
        midi = _merge_midi(
            [(songs[p.genre][1], p, starts[i], bars[p.genre]) for i, p in enumerate(pieces)],
            request.duration_s,
            songs[heavy][3].bpm,
        )
        description = {
            "tempo_bpm": songs[heavy][2]["tempo_bpm"],
            "key": songs[heavy][2]["key"],
            "swing": songs[heavy][2]["swing"],
            "form": [f"{x['genre']}:{x['bars']}" for x in layout],
            "ending": songs[last][2]["ending"],
            "instruments": [i for g in order for i in songs[g][2]["instruments"]],
            "vocals": next((songs[g][2]["vocals"] for g in order if songs[g][2]["vocals"]), None),
            "style_learned_from": {genres[g]: songs[g][2]["style_learned_from"] for g in order},
            "blend": {
                "mode": "sections" if request.morph is None else "morph",
                # the first genre's share (A's, for two genres) and every genre's
                "share_a": shares[genres[0]],
                "shares": shares,
                "sections": layout,
                "songs": {
                    genres[g]: {k: v for k, v in songs[g][2].items() if k != "style_learned_from"}
                    for g in order
                },
            },
        }
        return out, midi, description

    def generate(
        self,
        genre_a: str,
        genre_b: str,
        alpha: float,
        duration_s: float,
        seed: int,
        controls: Controls | None = None,
        stems: bool = False,
    ) -> GenerationResult:
        """Compose and render ``alpha * A + (1 - alpha) * B``; deterministic in all arguments.

        ``controls`` impose the tempo and key (:mod:`genreblender.generation.controls`). With
        ``stems`` the result also holds one stereo track per part of :data:`STEM_PARTS`,
        mastered with the mix (:func:`mix.master_with_stems`); the mix is the same as without.
        """
        return self.generate_mix(
            Mix.pair(genre_a, genre_b, alpha), duration_s, seed, controls=controls, stems=stems
        )

    def generate_mix(
        self,
        target: Mix,
        duration_s: float,
        seed: int,
        controls: Controls | None = None,
        stems: bool = False,
    ) -> GenerationResult:
        """Compose and render the mix ``target``; deterministic in all arguments; ``controls``
        and ``stems`` as in :meth:`generate`.

        A mix with one genre of weight > 0 is that genre's own song (``blend.mode`` ``pure``);
        otherwise the genres take turns in sections (default) or share one fused style.
        """
        request = validate_mix_request(target, duration_s, seed, min_duration_s=0)
        controls = controls or Controls()
        active = request.mix.active
        if len(active) > 1 and self.blend == "sections":
            audio, midi, description = self._sectioned(request, controls, stems)
        else:
            song = Mix.pure(active[0]) if len(active) == 1 else request.mix
            audio, midi, description, _ = self._song(
                song, request.duration_s, request.seed, controls=controls, stems=stems
            )
            description["blend"] = {"mode": "pure" if len(active) == 1 else self.blend}
            midi = render.midi_bytes(midi)
        return self._finish(request, audio, midi, description, controls, stems)

    def generate_morph(
        self,
        morph: Morph,
        duration_s: float,
        seed: int,
        controls: Controls | None = None,
        stems: bool = False,
    ) -> GenerationResult:
        """Compose and render a blend that follows ``morph``'s curve: sections of each genre's
        own song whose share of the time follows the curve frame by frame
        (:func:`sections.plan_morph_pieces`; grooves, parts, instruments and production change
        with them, joined by crossfades on bar lines); deterministic in all arguments;
        ``controls`` and ``stems`` as in :meth:`generate`.

        (A fused morph is not offered: ``blend="fuse"`` engines are refused, not approximated.)
        """
        if self.blend != "sections":
            raise InvalidInputError(
                "a morph is made of sections (blend='sections'); the fused mode cannot follow "
                "a curve"
            )
        request = validate_morph_request(morph, duration_s, seed, min_duration_s=0)
        controls = controls or Controls()
        audio, midi, description = self._sectioned(request, controls, stems)
        return self._finish(request, audio, midi, description, controls, stems)

    def _finish(self, request, audio, midi, description, controls, stems) -> GenerationResult:
        """Resample, keep the peak under 0.99, cut to length, fade the end; split the stems
        off; add the sidecar."""
        import librosa

        if self.sample_rate != render.RENDER_RATE:
            audio = librosa.resample(
                audio.T, orig_sr=render.RENDER_RATE, target_sr=self.sample_rate, res_type="soxr_hq"
            ).T
        # resampling and crossfades can overshoot the limiter's ceiling: keep the promise of 0.99
        peak = float(np.max(np.abs(audio[:, :2])))
        if peak > 0.99:
            audio *= 0.99 / peak
        n = int(round(request.duration_s * self.sample_rate))
        audio = fit_length(audio, n)
        # a held final chord only needs de-clicking; a fade-out ending is a real fade
        fade_s = FADE_OUT_S if description["ending"] == "fade" else 0.5
        fade = min(n, int(min(fade_s, 0.1 * request.duration_s) * self.sample_rate))
        audio[n - fade :] *= np.linspace(1.0, 0.0, fade, dtype=np.float32)[:, None]
        metadata = request_metadata(self.name, request, self.model_version, self.output_licence)
        metadata |= {"prompt": None, "controls": controls.to_dict(), **description}
        metadata["soundfont"] = {"name": self.soundfont.name, "sha256_16": self.soundfont.sha256}
        parts = None
        if stems:
            parts = {
                p: np.ascontiguousarray(audio[:, 2 + 2 * i : 4 + 2 * i], dtype=np.float32)
                for i, p in enumerate(STEM_PARTS)
            }
            audio = audio[:, :2]
            metadata["stems"] = stems_record(audio, parts)
        return GenerationResult(
            audio=np.ascontiguousarray(audio, dtype=np.float32),
            sample_rate=self.sample_rate,
            metadata=json.loads(json.dumps(metadata, default=str)),
            midi=midi,
            stems=parts,
        )


@dataclass
class _WrittenSong:
    """A song composed and written to MIDI, not yet rendered: ``files`` maps the mix
    (:data:`_MIX_FILE`) and each part rendered on its own to its MIDI file."""

    score: Any
    tracks: list
    style: dict
    streams: dict[str, np.random.Generator]
    midi: Any  # pretty_midi.PrettyMIDI
    files: dict[str, bytes]
    bass_tone: float | None  # the roll-off of a bass rendered on its own, or None


def _kit(kit, weights, rng: np.random.Generator) -> int:
    """The drum kit (General MIDI bank 128 program: 0 standard, 8 room, 16 power, 24 electronic,
    25 TR-808, 32 jazz, 40 brush) of the style's ``kit`` layers: genre i's with probability w_i,
    then one of its kits by weight. Two draws from the drum stream after the drum part is made,
    whatever the kits: the notes and every other stream are as they were."""
    u_layer, u_kit = rng.random(2)
    # one style alone naming a kit (a user style may lack it) leaves it unlayered
    layers = kit["layers"] if isinstance(kit, dict) else [(kit, 1.0)]
    return _pick(layers[_components([u_layer], weights[: len(layers)])[0]][0], u_kit)


def _pick(choices, u: float) -> int:
    """The program of the ``[program, weight]`` choices on which uniform ``u`` falls, by
    weight."""
    w = np.array([c[1] for c in choices], dtype=float)
    index = int(np.searchsorted(np.cumsum(w / w.sum()), u, side="right"))
    return int(choices[min(index, len(choices) - 1)][0])


def _components(thresholds, weights) -> list[int]:
    """The mixture component of each uniform threshold in [0, 1): the first ``i`` with ``u <
    w_0 + ... + w_i`` (for two genres: 0 when ``u < alpha``, else 1)."""
    edges = np.cumsum(np.asarray(weights, dtype=float))
    index = np.searchsorted(edges, np.asarray(thresholds, dtype=float), side="right")
    return [int(i) for i in np.minimum(index, len(weights) - 1)]


def _active_rms(x: np.ndarray, sr: int, frame_s: float = 0.05) -> float:
    """RMS of ``x`` over its frames louder than a tenth of its loudest: the level of a part
    while it plays, not diluted by its rests."""
    n = max(1, int(frame_s * sr))
    frames = len(x) // n
    if frames == 0:
        return float(np.sqrt(np.mean(x**2))) if len(x) else 0.0
    rms = np.sqrt(np.mean(x[: frames * n].reshape(frames, n) ** 2, axis=1))
    active = rms > 0.1 * rms.max()
    return float(np.sqrt(np.mean(rms[active] ** 2))) if np.any(active) else 0.0


def stems_record(audio: np.ndarray, stems: dict[str, np.ndarray]) -> dict:
    """The sidecar's ``stems``: the parts, which are silent, and how far their sum is from the
    mix (RMS of the difference, dB re the mix's RMS; the synthesizer's 16-bit output rounds
    each part's rendering on its own, so the sum cannot be exact)."""
    residual = -audio.astype(np.float64)  # summed in place: no stack of every stem at once
    for stem in stems.values():
        residual += stem
    ref = float(np.sqrt(np.mean(np.square(audio, dtype=np.float64))))
    diff = float(np.sqrt(np.mean(np.square(residual))))
    return {
        "parts": list(stems),
        "silent": [p for p, s in stems.items() if not np.any(s)],
        "sum_residual_db": round(20 * np.log10(max(diff, 1e-12) / max(ref, 1e-12)), 1),
        "method": "each part rendered alone; the mix's own master bus run on each, its "
        "non-linear stages as the gain they applied to the mix",
    }


def _padded(x: np.ndarray, n: int) -> np.ndarray:
    if len(x) >= n:
        return x[:n]
    return np.concatenate([x, np.zeros((n - len(x), *x.shape[1:]), dtype=x.dtype)])


def _merge_midi(pieces, duration_s: float, bpm: float) -> bytes:
    """One MIDI file of a sectioned blend: each piece's notes from its genre's own song,
    moved to where the piece plays (one instrument per genre and part, as rendered)."""
    import pretty_midi

    out = pretty_midi.PrettyMIDI(initial_tempo=bpm)
    merged: dict[tuple, pretty_midi.Instrument] = {}
    by_start: dict[int, tuple[list, np.ndarray]] = {}  # an instrument's notes in start order
    for song, piece, out_start, bar_s in pieces:
        src0 = piece.source_start_bar * bar_s
        shift = out_start - src0
        # the last piece's whole bars may run past the track's end, where its audio is cut
        src1 = min(src0 + piece.bars * bar_s, duration_s - shift)
        for inst in song.instruments:
            key = (inst.name, inst.program, inst.is_drum)
            if key not in merged:
                merged[key] = pretty_midi.Instrument(inst.program, inst.is_drum, inst.name)
                merged[key].control_changes = list(inst.control_changes)
            if id(inst) not in by_start:
                notes = sorted(inst.notes, key=lambda n: n.start)
                by_start[id(inst)] = notes, np.array([n.start for n in notes])
            notes, starts = by_start[id(inst)]
            first, last = np.searchsorted(starts, [src0, src1])
            merged[key].notes.extend(
                pretty_midi.Note(n.velocity, n.pitch, n.start + shift, min(n.end, src1) + shift)
                for n in notes[first:last]
            )
            bends = [b for b in inst.pitch_bends if src0 <= b.time < src1]
            if bends:  # a bent lead line, back to centre where the piece ends
                merged[key].pitch_bends.extend(
                    pretty_midi.PitchBend(b.pitch, b.time + shift) for b in bends
                )
                merged[key].pitch_bends.append(pretty_midi.PitchBend(0, src1 + shift))
    out.instruments = [inst for inst in merged.values() if inst.notes]
    return render.midi_bytes(out)
