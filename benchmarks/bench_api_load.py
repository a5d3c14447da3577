"""A bounded load on the HTTP API over loopback: what concurrency, /health and memory look like.

    .venv/bin/python benchmarks/bench_api_load.py [--workers N] [--clients 8] [--skip-long]

Starts ``genreblender.app.api`` under uvicorn on 127.0.0.1 (a free port), then, with a fixed
number of requests and a timeout on each, measures:

1. classify of 8 distinct 30-s clips one at a time, then all 8 at once (throughput, p50/p95
   latency), with ``/health`` polled every 50 ms during the concurrent part;
2. 4 concurrent ``/generate`` of 10-s blends (latency, throughput);
3. the 64-channel Ogg "bomb" (60 s at 48 kHz): time to refusal and RSS growth;
4. a 20-minute upload (Ogg Vorbis, 44.1 kHz stereo): time and peak RSS (``--skip-long`` skips it).

RSS is the server process plus its worker processes (from /proc; Linux only), sampled every
20 ms. The clips are GTZAN recordings when ``../shared/data`` is there, else seeded noise and
tones. The server is stopped at the end whatever happens.
"""

import argparse
import io
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np

import _common  # noqa: F401  (one math thread in this client process)
import contextlib

ROOT = Path(__file__).resolve().parents[1]
TIMEOUT_S = 300.0


# -- the server and its memory --------------------------------------------------------------------
def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _tree(pid: int) -> list[int]:
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*"):
            with contextlib.suppress(OSError):
                todo += [int(c) for c in (task / "children").read_text().split()]
    return out


def _rss_mb(pid: int) -> float:
    total = 0
    for p in _tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            pass
    return total / 1024


class RssSampler:
    """Peak of the server tree's RSS while a block runs."""

    def __init__(self, pid: int):
        self.pid, self.peak, self._stop = pid, 0.0, threading.Event()

    def __enter__(self):
        self.start = _rss_mb(self.pid)
        self.peak = self.start
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()
        return self

    def _run(self):
        while not self._stop.wait(0.02):
            self.peak = max(self.peak, _rss_mb(self.pid))

    def __exit__(self, *exc):
        self._stop.set()
        self._thread.join()
        self.end = _rss_mb(self.pid)


def start_server(port: int, workers: int | None) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT / "src"))
    if workers:
        env["GENREBLENDER_API_WORKERS"] = str(workers)
    cmd = [sys.executable, "-m", "uvicorn", "genreblender.app.api:app"]
    cmd += ["--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"]
    return subprocess.Popen(cmd, env=env, cwd=ROOT)


# -- the inputs -----------------------------------------------------------------------------------
def clips(n: int) -> list[tuple[str, bytes]]:
    import soundfile as sf

    from genreblender.paths import shared_data_dir

    shared = shared_data_dir()
    out = []
    if shared is not None:
        files = sorted((shared / "gtzan" / "audio").glob("*/*.wav"))
        for path in files[:: max(1, len(files) // n)][:n]:
            out.append((path.name, path.read_bytes()))
        return out
    rng = np.random.default_rng(0)
    t = np.arange(30 * 22050) / 22050
    for i in range(n):
        y = 0.2 * np.sin(2 * np.pi * (110 + 40 * i) * t) + 0.05 * rng.standard_normal(t.size)
        buffer = io.BytesIO()
        sf.write(buffer, y.astype(np.float32), 22050, format="WAV")
        out.append((f"clip{i}.wav", buffer.getvalue()))
    return out


def ogg(seconds: int, rate: int, channels: int, noise: float) -> bytes:
    import soundfile as sf

    rng = np.random.default_rng(1)
    with tempfile.NamedTemporaryFile(suffix=".ogg") as handle:
        # block by block: libsndfile cannot take many channels of Vorbis in one call
        with sf.SoundFile(handle.name, "w", rate, channels, format="OGG", subtype="VORBIS") as f:
            t = np.arange(10 * rate) / rate
            for i in range(0, seconds, 10):
                tone = 0.2 * np.sin(2 * np.pi * (220 + i) * t)[:, None]
                f.write((tone + noise * rng.standard_normal((t.size, channels))).astype("f4"))
        return Path(handle.name).read_bytes()


# -- measuring ------------------------------------------------------------------------------------
def pct(values, q):
    return float(np.percentile(values, q)) if values else float("nan")


def timed(fn, *args, **kwargs):
    t0 = time.perf_counter()
    response = fn(*args, **kwargs)
    return time.perf_counter() - t0, response


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=None, help="API workers (default: cores)")
    parser.add_argument("--clients", type=int, default=8, help="concurrent classify requests")
    parser.add_argument("--skip-long", action="store_true", help="skip the 20-minute upload")
    args = parser.parse_args()
    import httpx

    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    files = clips(args.clients)
    server = start_server(port, args.workers)
    try:
        client = httpx.Client(base_url=base, timeout=TIMEOUT_S)
        deadline = time.monotonic() + 120
        while True:
            try:
                if client.get("/health").status_code == 200:
                    break
            except httpx.TransportError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not start in 120 s")
            time.sleep(0.2)
        health = client.get("/health").json()
        print(f"server up: {health['workers']['size']} workers, queue {health['workers']['queue']}")

        busy = []

        def classify(item):
            name, data = item
            t0 = time.perf_counter()
            with httpx.Client(base_url=base, timeout=TIMEOUT_S) as c:
                for _ in range(10):  # as a client should: wait as told when the queue is full
                    r = c.post("/classify", files={"file": (name, data)})
                    if r.status_code != 503:
                        break
                    busy.append(name)
                    time.sleep(float(r.headers["retry-after"]))
            assert r.status_code == 200, r.text
            return time.perf_counter() - t0

        # warm-up: every worker has loaded the classifier, the first request pays nothing extra
        with ThreadPoolExecutor(health["workers"]["size"]) as pool:
            list(pool.map(classify, files[: health["workers"]["size"]]))
        rss_idle = _rss_mb(server.pid)
        print(f"server RSS after warm-up (server + workers): {rss_idle:.0f} MB")

        t0 = time.perf_counter()
        one_by_one = [classify(item) for item in files]
        seq_wall = time.perf_counter() - t0

        health_ms, stop = [], threading.Event()

        def poll_health():
            with httpx.Client(base_url=base, timeout=TIMEOUT_S) as c:
                while not stop.is_set():
                    seconds, r = timed(c.get, "/health")
                    assert r.status_code == 200
                    health_ms.append(1000 * seconds)
                    stop.wait(0.05)

        poller = threading.Thread(target=poll_health, daemon=True)
        with RssSampler(server.pid) as rss:
            poller.start()
            t0 = time.perf_counter()
            with ThreadPoolExecutor(args.clients) as pool:
                together = list(pool.map(classify, files))
            par_wall = time.perf_counter() - t0
            stop.set()
            poller.join()
        print(f"\nclassify {len(files)} distinct 30-s clips")
        print(
            f"  one at a time : {len(files) / seq_wall:.2f} req/s, "
            f"p50 {statistics.median(one_by_one):.2f} s"
        )
        print(
            f"  {args.clients} at once     : {len(files) / par_wall:.2f} req/s "
            f"({seq_wall / par_wall:.2f}x), p50 {pct(together, 50):.2f} s, "
            f"p95 {pct(together, 95):.2f} s"
        )
        print(
            f"  /health under that load: p50 {pct(health_ms, 50):.1f} ms, "
            f"p95 {pct(health_ms, 95):.1f} ms, max {max(health_ms):.1f} ms "
            f"({len(health_ms)} probes)"
        )
        print(f"  RSS: {rss.start:.0f} MB before, peak {rss.peak:.0f} MB, {rss.end:.0f} MB after")
        print(f"  503 busy answers (retried): {len(busy)}")

        def generate(seed):
            body = {"genre_a": "jazz", "genre_b": "metal", "alpha": 0.7, "seconds": 10}
            body |= {"seed": seed, "include_audio": False}
            with httpx.Client(base_url=base, timeout=TIMEOUT_S) as c:
                seconds, r = timed(c.post, "/generate", json=body)
            assert r.status_code == 200, r.text
            return seconds

        n_gen = 4
        with RssSampler(server.pid) as rss:
            t0 = time.perf_counter()
            with ThreadPoolExecutor(n_gen) as pool:
                latencies = list(pool.map(generate, range(n_gen)))
            wall = time.perf_counter() - t0
        print(f"\ngenerate {n_gen} x 10-s blends at once (compose + classify)")
        print(
            f"  {n_gen / wall:.2f} req/s, p50 {pct(latencies, 50):.2f} s, "
            f"p95 {pct(latencies, 95):.2f} s; RSS {rss.start:.0f} -> peak {rss.peak:.0f} MB"
        )

        bomb = ogg(60, 48000, 64, noise=0.0)
        with RssSampler(server.pid) as rss:
            seconds, r = timed(client.post, "/classify", files={"file": ("bomb.ogg", bomb)})
        print(
            f"\n64-channel 60-s Ogg ({len(bomb) / 1024:.0f} KB): HTTP {r.status_code} in "
            f"{seconds:.3f} s, RSS growth {rss.peak - rss.start:+.0f} MB"
        )
        print(f"  {r.json()['detail']}")

        if not args.skip_long:
            long = ogg(20 * 60, 44100, 2, noise=0.05)
            with RssSampler(server.pid) as rss:
                seconds, r = timed(client.post, "/classify", files={"file": ("long.ogg", long)})
            print(
                f"\n20-min upload ({len(long) / 2**20:.1f} MiB Ogg, 44.1 kHz stereo): HTTP "
                f"{r.status_code} in {seconds:.1f} s; RSS {rss.start:.0f} MB before, peak "
                f"{rss.peak:.0f} MB (+{rss.peak - rss.start:.0f} MB)"
            )
        print(f"\nserver RSS at the end: {_rss_mb(server.pid):.0f} MB")
    finally:
        server.terminate()
        try:
            server.wait(30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


if __name__ == "__main__":
    main()
