"""The JSON HTTP API: endpoints, validation and clear 4xx errors."""

import base64
import io

import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from genreblender.app import api, services
from genreblender.genres import GENRES


@pytest.fixture(scope="module")
def client():
    return TestClient(api.app)


def _wav(tone_clip_data):
    y, sr = tone_clip_data
    buffer = io.BytesIO()
    sf.write(buffer, y, sr, format="WAV")
    return buffer.getvalue()


def test_health_and_genres(client):
    health = client.get("/health").json()
    assert health["status"] == "ok"
    assert health["engines"]["composer"]["available"] is True
    assert "CC-BY-NC" in health["engines"]["musicgen"]["licence"]
    assert client.get("/genres").json()["genres"] == list(GENRES)
    assert "/generate" in client.get("/openapi.json").json()["paths"]


def test_generate_returns_audio_and_measurement(client):
    body = {"genre_a": "jazz", "genre_b": "metal", "alpha": 0.7, "seconds": 4, "seed": 2}
    out = client.post("/generate", json=body)
    assert out.status_code == 200, out.text
    data = out.json()
    assert data["evaluation"]["target"]["jazz"] == pytest.approx(0.7)
    assert sum(data["evaluation"]["predicted"].values()) == pytest.approx(1.0)
    audio, sr = sf.read(io.BytesIO(base64.b64decode(data["audio_wav_base64"])))
    assert sr == 44100 and len(audio) == 4 * 44100
    assert data["metadata"]["seed"] == 2 and data["metadata"]["engine"] == "composer"
    # same request, same numbers (the page shows these too)
    again = client.post("/generate", json=body | {"include_audio": False}).json()
    assert again["evaluation"]["metrics"] == data["evaluation"]["metrics"]
    assert "audio_wav_base64" not in again


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"genre_a": "polka"}, 400, "unknown genre 'polka'"),
        ({"alpha": 1.5}, 422, "less than or equal to 1"),
        ({"seconds": 600}, 422, "less than or equal to 60"),
        ({"engine": "other"}, 422, "composer"),
    ],
)
def test_generate_rejects_bad_input(client, body, status, message):
    out = client.post("/generate", json=body)
    assert out.status_code == status
    assert message in out.text


def test_classify_upload(client, tone_clip):
    out = client.post("/classify", files={"file": ("tone.wav", _wav(tone_clip), "audio/wav")})
    assert out.status_code == 200, out.text
    data = out.json()
    # 5 s: three 3-s windows by the default mel-cnn, one window by the 30-s feature MLP
    assert data["top_genre"] in GENRES and len(data["segments"]) == 3
    assert data["model"]["listener"] == "mel-cnn"
    out = client.post(
        "/classify",
        files={"file": ("tone.wav", _wav(tone_clip), "audio/wav")},
        data={"listener": "features-mlp"},
    )
    assert out.status_code == 200, out.text
    assert out.json()["model"]["listener"] == "features-mlp" and len(out.json()["segments"]) == 1
    out = client.post(
        "/classify",
        files={"file": ("tone.wav", _wav(tone_clip), "audio/wav")},
        data={"listener": "resnet"},
    )
    assert out.status_code == 422


@pytest.mark.parametrize(
    ("name", "data", "status", "message"),
    [
        ("notes.txt", b"hello", 415, "unsupported format"),
        ("empty.wav", b"", 400, "empty"),
        ("bad.wav", b"RIFF....WAVEjunk" * 10, 400, "cannot decode"),
    ],
)
def test_classify_bad_uploads(client, name, data, status, message):
    out = client.post("/classify", files={"file": (name, data, "application/octet-stream")})
    assert out.status_code == status
    assert message in out.json()["detail"]


def test_classify_too_large(client, monkeypatch, tone_clip):
    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 1000)
    out = client.post("/classify", files={"file": ("tone.wav", _wav(tone_clip), "audio/wav")})
    assert out.status_code == 413
    assert "limit" in out.json()["detail"]


def test_evaluate_scores_against_requested_blend(client, tone_clip):
    out = client.post(
        "/evaluate",
        files={"file": ("tone.wav", _wav(tone_clip), "audio/wav")},
        data={"genre_a": "classical", "genre_b": "jazz", "alpha": "0.5"},
    )
    assert out.status_code == 200, out.text
    data = out.json()
    p = data["predicted"]
    assert data["metrics"]["alpha_hat"] == pytest.approx(
        p["classical"] / (p["classical"] + p["jazz"])
    )
    bad = client.post(
        "/evaluate",
        files={"file": ("tone.wav", _wav(tone_clip), "audio/wav")},
        data={"genre_a": "classical", "genre_b": "jazz", "alpha": "2"},
    )
    assert bad.status_code == 400 and "[0, 1]" in bad.json()["detail"]
