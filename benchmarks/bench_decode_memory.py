"""Peak memory and time of decoding a long upload: the bounded block-wise decoder against
reading the whole file as float32 first (the old way), each in a fresh process.

    .venv/bin/python benchmarks/bench_decode_memory.py [--minutes 20]

The file is a seeded Ogg Vorbis, 44.1 kHz stereo, written to a temporary folder.
"""

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

import _common  # noqa: F401

ROOT = Path(__file__).resolve().parents[1]
_MEASURE = """
import resource, sys, time
import soundfile as sf
from genreblender.audio import load_audio, to_mono_resampled
base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
t0 = time.perf_counter()
if sys.argv[2] == "bounded":
    n = load_audio(sys.argv[1]).samples.size
else:
    data, sr = sf.read(sys.argv[1], dtype="float32")
    n = to_mono_resampled(data, sr).size
seconds = time.perf_counter() - t0
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(f"{seconds:.1f} {(peak - base) / 1024:.0f} {n}")
"""


def write_ogg(path: Path, minutes: int) -> None:
    import soundfile as sf

    rate, rng = 44100, np.random.default_rng(0)
    t = np.arange(10 * rate) / rate
    with sf.SoundFile(path, "w", rate, 2, format="OGG", subtype="VORBIS") as handle:
        for i in range(6 * minutes):
            tone = 0.2 * np.sin(2 * np.pi * (220 + i) * t)[:, None]
            handle.write((tone + 0.05 * rng.standard_normal((t.size, 2))).astype(np.float32))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "long.ogg"
        write_ogg(path, args.minutes)
        print(f"{args.minutes}-min Ogg, 44.1 kHz stereo, {path.stat().st_size / 2**20:.1f} MiB")
        env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
        for way in ("bounded", "whole-file"):
            out = subprocess.run(
                [sys.executable, "-c", _MEASURE, str(path), way],
                capture_output=True,
                text=True,
                check=True,
                env=env,
            ).stdout.split()
            print(f"  {way:10s}: {out[0]} s, peak RSS growth {out[1]} MB ({out[2]} samples out)")


if __name__ == "__main__":
    main()
