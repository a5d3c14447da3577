"""Mixes through the HTTP API: /generate with a mix, /evaluate against one, and clear errors."""

import pytest
from fastapi.testclient import TestClient

from genreblender.app import api, workers


@pytest.fixture(scope="module")
def client():
    previous = api.set_pool(workers.WorkPool(workers=1, kind="thread"))
    yield TestClient(api.app, raise_server_exceptions=False)
    api.set_pool(previous)


def test_generate_a_mix_round_trip(client):
    body = {"mix": {"jazz": 5, "metal": 3, "reggae": 2}, "seconds": 4, "include_audio": False}
    out = client.post("/generate", json=body)
    assert out.status_code == 200, out.text
    data = out.json()
    echo = data["request"]
    assert echo["genre_a"] is None and echo["mix"]["normalised"] is True
    assert echo["mix"]["weights"] == pytest.approx({"jazz": 0.5, "metal": 0.3, "reggae": 0.2})
    assert data["metadata"]["mix"] == echo["mix"] and data["metadata"]["requested_alpha"] is None
    assert data["evaluation"]["target"]["reggae"] == pytest.approx(0.2)
    metrics = data["evaluation"]["metrics"]
    assert set(metrics["heard_weights"]) == {"jazz", "metal", "reggae"}
    assert 0.0 <= metrics["weight_error"] <= 1.0 and isinstance(metrics["topk_match"], bool)


@pytest.mark.parametrize(
    ("body", "status", "message"),
    [
        ({"mix": {"jazz": 1, "metal": -1}}, 400, "weight of metal must be a non-negative number"),
        ({"mix": {"jazz": 0, "metal": 0}}, 400, "are all 0"),
        ({"mix": {"jazz": 1}}, 400, "a mix names 2 to 10 genres, got 1"),
        ({"mix": {"jazz": 1, "polka": 1}}, 400, "unknown genre 'polka'"),
        ({"mix": {"jazz": 1, "hiphop": 1, "rap": 1}}, 400, "hiphop appears twice"),
        ({"mix": {"jazz": "1", "metal": 1}}, 422, "mix.jazz: Input should be a valid number"),
        ({"mix": {"jazz": 1, "metal": 1}, "alpha": 0.3}, 400, "give either mix or alpha"),
    ],
)
def test_bad_mixes_are_refused_with_the_reason(client, body, status, message):
    out = client.post("/generate", json=body | {"seconds": 3})
    assert out.status_code == status, out.text
    assert message in out.json()["detail"]


def test_evaluate_against_a_mix(client, tone_clip):
    import io

    import soundfile as sf

    y, sr = tone_clip
    buffer = io.BytesIO()
    sf.write(buffer, y, sr, format="WAV")
    files = {"file": ("tone.wav", buffer.getvalue())}
    out = client.post("/evaluate", data={"mix": "jazz=2,metal=1,rock=1"}, files=files)
    assert out.status_code == 200, out.text
    data = out.json()
    assert data["mix"]["weights"] == {"jazz": 0.5, "metal": 0.25, "rock": 0.25}
    assert data["target"]["rock"] == 0.25 and "weight_error" in data["metrics"]
    both = client.post("/evaluate", data={"mix": "jazz=1,rock=1", "genre_a": "jazz"}, files=files)
    assert both.status_code == 400 and "not both" in both.json()["detail"]


def test_a_mix_is_calibrated_and_every_trial_names_its_internal_weights(client):
    body = {"mix": {"jazz": 1, "metal": 1, "rock": 1}, "strategy": "calibrate", "seconds": 3}
    out = client.post("/generate", json=body)
    assert out.status_code == 200, out.text[:300]
    loop = out.json()["metadata"]["closed_loop"]
    assert loop["strategy"] == "calibrate" and loop["trials"]
    assert all(set(t["internal_weights"]) == {"jazz", "metal", "rock"} for t in loop["trials"])
    kept = [t for t in loop["trials"] if t["kept"]]
    assert len(kept) == 1 and loop["internal_weights"] == kept[0]["internal_weights"]
    # the first trial is the mix as asked; later ones move its weights
    assert loop["trials"][0]["internal_weights"] == pytest.approx({g: 1 / 3 for g in body["mix"]})
