"""The JSON HTTP API: endpoints, validation and clear 4xx errors."""

import base64
import io

import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from genreblender.app import api, services, workers
from genreblender.genres import GENRES


@pytest.fixture(scope="module")
def client():
    # threads, not processes: quick to start, and the jobs see what a test patches in
    previous = api.set_pool(workers.WorkPool(workers=2, kind="thread"))
    yield TestClient(api.app, raise_server_exceptions=False)
    api.set_pool(previous)


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
        ({"seconds": 1}, 422, "greater than or equal to 3"),
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
    data = _wav(tone_clip)
    out = client.post("/classify", files={"file": ("tone.wav", data, "audio/wav")})
    assert out.status_code == 413
    # the upload's own size, not the limit plus one byte
    assert f"tone.wav: the upload is {len(data) / 2**20:.1f} MiB" in out.json()["detail"]


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


def test_openapi_schema_lists_genres_and_types_every_response(client):
    schema = client.get("/openapi.json").json()
    components = schema["components"]["schemas"]
    for prop in ("genre_a", "genre_b"):
        assert components["GenerateRequest"]["properties"][prop]["enum"] == list(GENRES)
    evaluate_form = components["Body_evaluate_evaluate_post"]["properties"]
    assert evaluate_form["genre_a"]["enum"] == list(GENRES)
    expected = {
        ("/generate", "post"): "GenerateResponse",
        ("/classify", "post"): "ClassifyResponse",
        ("/evaluate", "post"): "EvaluateResponse",
        ("/genres", "get"): "GenresResponse",
        ("/health", "get"): "HealthResponse",
    }
    for (path, method), model in expected.items():
        ok = schema["paths"][path][method]["responses"]["200"]["content"]["application/json"]
        assert ok["schema"] == {"$ref": f"#/components/schemas/{model}"}, path
    metrics = components["Metrics"]["properties"]
    assert {"kl", "js", "tv", "alpha_hat", "leakage", "top2_match"} <= set(metrics)


def test_genre_aliases_still_accepted(client):
    out = client.post(
        "/generate",
        json={"genre_a": "hip-hop", "genre_b": "jazz", "seconds": 3, "include_audio": False},
    )
    assert out.status_code == 200, out.text
    assert out.json()["request"]["genre_a"] == "hiphop"


def test_defaults_are_the_projects(client):
    from genreblender import defaults

    props = client.get("/openapi.json").json()["components"]["schemas"]["GenerateRequest"]
    got = {k: props["properties"][k]["default"] for k in ("genre_a", "genre_b", "alpha", "seed")}
    assert got == {
        "genre_a": defaults.GENRE_A,
        "genre_b": defaults.GENRE_B,
        "alpha": defaults.ALPHA,
        "seed": defaults.SEED,
    }
    assert props["properties"]["seconds"]["default"] == defaults.SECONDS


@pytest.mark.parametrize("page", ["/docs", "/redoc"])
def test_docs_pages_load_their_assets_from_this_server(client, page):
    import re

    html = client.get(page)
    assert html.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', html.text)
    assert assets, html.text
    for asset in assets:
        assert asset.startswith("/"), f"{page} loads {asset} from elsewhere"
        got = client.get(asset)
        assert got.status_code == 200 and len(got.content) > 1000, asset


def test_a_miss_on_a_genre_the_listener_seldom_recognises_comes_with_a_caution(client):
    body = {"genre_a": "pop", "genre_b": "blues", "alpha": 0.5, "seconds": 4, "seed": 2}
    evaluation = client.post("/generate", json=body | {"include_audio": False}).json()["evaluation"]
    predicted = evaluation["predicted"]
    top_two = sorted(predicted, key=predicted.get, reverse=True)[:2]
    # this short blend does not land, and blues is not among the two genres heard most
    assert not evaluation["metrics"]["landed"] and "blues" not in top_two
    assert "names blues right only 12%" in evaluation["caution"]
