"""The API's worker pool: bounded admission (503 + Retry-After past the queue), /health answers
while the workers are busy, and the real process pool carries results and errors back."""

import asyncio
import io
import threading
import time

import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from genreblender.app import api, workers
from genreblender.errors import BusyError, EngineUnavailableError
from genreblender.generation.musicgen import loading


def test_pool_admits_workers_plus_queue_then_refuses():
    pool = workers.WorkPool(workers=1, queue=1, kind="thread")
    release = threading.Event()

    async def scenario():
        first = asyncio.ensure_future(pool.run(release.wait))
        second = asyncio.ensure_future(pool.run(release.wait))
        await asyncio.sleep(0.05)
        assert pool.admitted == 2
        with pytest.raises(BusyError) as refused:
            await pool.run(release.wait)
        assert refused.value.retry_after_s == workers.RETRY_AFTER_S
        release.set()
        assert await first and await second
        assert pool.admitted == 0
        assert await pool.run(lambda: 7) == 7  # room again

    try:
        asyncio.run(scenario())
    finally:
        release.set()
        pool.shutdown()


def test_busy_server_answers_503_with_retry_after_and_health_stays_up(monkeypatch, tone_clip):
    release, started = threading.Event(), threading.Event()

    def stuck(*args):
        started.set()
        release.wait(30)
        raise AssertionError("released")

    monkeypatch.setattr(workers, "classify_job", stuck)
    previous = api.set_pool(workers.WorkPool(workers=1, queue=0, kind="thread"))
    client = TestClient(api.app, raise_server_exceptions=False)
    y, sr = tone_clip
    buffer = io.BytesIO()
    sf.write(buffer, y, sr, format="WAV")
    upload = {"file": ("tone.wav", buffer.getvalue())}
    first = threading.Thread(target=client.post, args=("/classify",), kwargs={"files": upload})
    try:
        first.start()
        assert started.wait(10)
        busy = client.post("/classify", files=upload)
        assert busy.status_code == 503 and busy.headers["retry-after"] == str(workers.RETRY_AFTER_S)
        assert busy.json()["error"] == "busy"
        health = client.get("/health")
        assert health.status_code == 200 and health.json()["workers"]["admitted"] == 1
    finally:
        release.set()
        first.join(30)
        api.set_pool(previous).shutdown()


@pytest.mark.slow
def test_process_pool_returns_results_and_errors(tone_clip):
    previous = api.set_pool(workers.WorkPool(workers=2, kind="process"))
    try:
        with TestClient(api.app, raise_server_exceptions=False) as client:  # runs the lifespan
            y, sr = tone_clip
            buffer = io.BytesIO()
            sf.write(buffer, y, sr, format="WAV")
            ok = client.post("/classify", files={"file": ("tone.wav", buffer.getvalue())})
            assert ok.status_code == 200 and ok.json()["segments"]
            assert sum(ok.json()["probabilities"].values()) == pytest.approx(1.0)
            # an error raised in a worker process comes back typed, with the upload's name
            bad = client.post("/classify", files={"file": ("x.wav", b"RIFF....WAVEjunk" * 10)})
            assert bad.status_code == 400 and bad.json()["detail"].startswith("x.wav: cannot")
            made = client.post("/generate", json={"seconds": 3, "include_audio": False})
            assert made.status_code == 200 and made.json()["request"]["seconds"] == 3.0
    finally:
        pool = api.set_pool(previous)
        if pool is not None:
            pool.shutdown()


# -- MusicGen unavailable: said at once, before any hub call -------------------------------------
@pytest.fixture
def no_hub_calls(monkeypatch, tmp_path):
    import transformers

    def refuse(*args, **kwargs):
        raise AssertionError("the hub client was called")

    monkeypatch.setattr(transformers.MusicgenForConditionalGeneration, "from_pretrained", refuse)
    monkeypatch.setattr(transformers.AutoTokenizer, "from_pretrained", refuse)
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    loading.load.cache_clear()
    yield
    loading.load.cache_clear()


def test_offline_musicgen_fails_before_any_hub_call(no_hub_calls, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    with pytest.raises(EngineUnavailableError, match="HF_HUB_OFFLINE is set"):
        loading.load("facebook/musicgen-small", "cpu")


def test_unreachable_hub_fails_before_any_hub_call(no_hub_calls, monkeypatch):
    monkeypatch.delenv("HF_HUB_OFFLINE", raising=False)
    monkeypatch.delenv("TRANSFORMERS_OFFLINE", raising=False)
    monkeypatch.setattr(loading, "hub_reachable", lambda: False)
    with pytest.raises(EngineUnavailableError, match="the hub cannot be reached") as exc:
        loading.load("facebook/musicgen-small", "cpu")
    assert "--model" in str(exc.value)


def test_hub_probe(monkeypatch):
    import socket

    with socket.socket() as server:  # a port that is open, then one that is closed
        server.bind(("127.0.0.1", 0))
        server.listen()
        monkeypatch.setenv("HF_ENDPOINT", f"http://127.0.0.1:{server.getsockname()[1]}")
        monkeypatch.delenv("HTTPS_PROXY", raising=False)
        monkeypatch.delenv("https_proxy", raising=False)
        assert loading.hub_reachable()
    started = time.monotonic()
    assert not loading.hub_reachable()  # the port is closed now
    assert time.monotonic() - started <= loading.HUB_PROBE_TIMEOUT_S + 0.5


def test_local_folder_is_loaded_from_disk_only(tmp_path):
    (tmp_path / "config.json").write_text("{}")
    assert loading.check_loadable(str(tmp_path)) is True
