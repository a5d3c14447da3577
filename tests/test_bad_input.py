"""Bad input over the CLI and the HTTP API, from one table of files and one of requests: every
case gets the right exit code or status, one JSON error shape or one line of stderr, never a
traceback and never a 500."""

import io
import json

import numpy as np
import pytest
import soundfile as sf
from fastapi.testclient import TestClient

from genreblender.app import api, workers
from genreblender.cli.main import main

SR = 22050


def _tone(seconds, sr=SR, channels=1):
    t = np.arange(int(seconds * sr)) / sr
    y = (0.3 * np.sin(2 * np.pi * 330 * t) * (1 + 0.5 * np.sin(2 * np.pi * 2 * t))).astype(
        np.float32
    )
    return y if channels == 1 else np.repeat(y[:, None], channels, axis=1)


def _write_blocks(path, seconds, sr, channels, fmt, subtype):
    # block by block: libsndfile cannot take many channels of Vorbis in one call
    with sf.SoundFile(path, "w", sr, channels, format=fmt, subtype=subtype) as handle:
        block = np.zeros((sr, channels), dtype=np.float32)
        for _ in range(int(seconds)):
            handle.write(block)


def _make(kind, tmp_path):
    """A bad file of the given kind (and the name an upload of it would have)."""
    path = (
        tmp_path
        / {
            "notes": "limit.txt",
            "empty": "limit.wav",
            "corrupt": "bad.wav",
            "channels64": "bomb.ogg",
            "channels17": "many.wav",
            "too_long": "long.flac",
            "short": "short.wav",
            "silent": "silent.wav",
            "nan": "nan.wav",
            "missing": "missing.wav",
        }[kind]
    )
    if kind == "notes":
        path.write_text("hello")
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "corrupt":
        path.write_bytes(b"RIFF....WAVEjunk" * 10)
    elif kind == "channels64":
        # the header is what is refused: 1 s is enough (60 s of it takes a minute to encode)
        _write_blocks(path, 1, 48000, 64, "OGG", "VORBIS")
    elif kind == "channels17":
        sf.write(path, _tone(4, channels=17), SR)
    elif kind == "too_long":
        _write_blocks(path, 1201, 4000, 1, "FLAC", "PCM_16")
    elif kind == "short":
        sf.write(path, _tone(1), SR)
    elif kind == "silent":
        sf.write(path, np.zeros(4 * SR, dtype=np.float32), SR)
    elif kind == "nan":
        y = _tone(4)
        y[100] = np.nan
        sf.write(path, y, SR, subtype="FLOAT")
    return path


#: kind of bad file -> what the message says, and the HTTP status of an upload of it
BAD_FILES = {
    "notes": ("unsupported format '.txt'", 415),
    "empty": ("the file is empty", 400),
    "corrupt": ("cannot decode audio", 400),
    "channels64": ("64 channels; at most 16", 400),
    "channels17": ("17 channels; at most 16", 400),
    "too_long": ("the limit is 1200 s", 400),
    "short": ("too short", 400),
    "silent": ("silent", 400),
    "nan": ("NaN", 400),
}


def _assert_one_line_error(err, message):
    assert "Traceback" not in err
    lines = [line for line in err.splitlines() if line.strip()]
    assert len(lines) == 1 and "error:" in lines[0] and message in lines[0], err


# -- the CLI --------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", [*BAD_FILES, "missing"])
def test_cli_classify_bad_file(tmp_path, capsys, kind):
    path = _make(kind, tmp_path)
    assert main(["classify", str(path)]) == 1
    message = BAD_FILES.get(kind, ("no such audio file",))[0]
    _assert_one_line_error(capsys.readouterr().err, message)


def test_cli_classify_batch_goes_on_past_an_unreadable_file(tmp_path, capsys, monkeypatch):
    good = tmp_path / "good.wav"
    sf.write(good, _tone(4), SR)
    locked = tmp_path / "locked.wav"
    sf.write(locked, _tone(4), SR)
    real_open = open

    def no_permission(file, *args, **kwargs):
        if str(file) == str(locked):
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    # (a chmod would not stop root, who runs CI here)
    monkeypatch.setattr("builtins.open", no_permission)
    assert main(["classify", str(locked), str(_make("corrupt", tmp_path)), str(good)]) == 1
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "locked.wav: error: " in captured.err and "Permission denied" in captured.err
    assert "bad.wav: error: " in captured.err and "good.wav\n  top:" in captured.out


_GENERATE = ["generate", "--a", "jazz", "--b", "metal", "--seconds", "3"]


@pytest.mark.parametrize(
    ("argv", "code", "message"),
    [
        (
            ["generate", "--a", "jazz", "--b", "metal", "--seconds", "0.001", "-o", "{tmp}/x.wav"],
            2,
            "duration must be in [3, 600]",
        ),
        (
            ["generate", "--a", "jazz", "--b", "metal", "--seconds", "nan", "-o", "{tmp}/x.wav"],
            2,
            "duration must be in",
        ),
        ([*_GENERATE, "--alpha", "2", "-o", "{tmp}/x.wav"], 2, "alpha must be a number in [0, 1]"),
        (["generate", "--a", "polka", "--b", "metal", "-o", "{tmp}/x.wav"], 2, "unknown genre"),
        ([*_GENERATE, "--seed", "-1", "-o", "{tmp}/x.wav"], 2, "seed must be in [0, 2**32)"),
        ([*_GENERATE, "-o", "/proc/x.wav"], 2, "cannot write files in /proc"),
        ([*_GENERATE, "-o", "{tmp}/x.ogg"], 2, "unsupported extension '.ogg'"),
        ([*_GENERATE, "-o", "{tmp}/file.txt/x.wav"], 2, "is not a directory"),
        ([*_GENERATE, "--engine", "musicgen", "-o", "{tmp}/x.wav"], 3, "could not be loaded"),
        (["blend", "--seconds", "1", "-o", "{tmp}/x.wav"], 2, "duration must be in [3, 600]"),
        (["sweep", "--alphas", "0,2", "--out", "{tmp}/s"], 2, "alphas must be numbers"),
        (["sweep", "--seconds", "1", "--out", "{tmp}/s"], 2, "seconds must be in [3, 600]"),
        (["sweep", "--pairs", "jazz:jazz", "--out", "{tmp}/s"], 2, "must differ"),
        (["serve", "--port", "0"], 2, "port must be in 1..65535"),
    ],
)
def test_cli_bad_arguments(tmp_path, capsys, monkeypatch, argv, code, message):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")  # MusicGen: no weights here, and no hub
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    (tmp_path / "file.txt").write_text("x")
    assert main([arg.replace("{tmp}", str(tmp_path)) for arg in argv]) == code
    captured = capsys.readouterr()
    _assert_one_line_error(
        "\n".join(line for line in captured.err.splitlines() if not line.startswith("note:")),
        message,
    )
    assert not (tmp_path / "x.wav").exists()  # nothing generated in vain


def test_cli_unexpected_error_is_one_line(monkeypatch, capsys):
    import genreblender.cli.serve as serve

    def broken(args):
        raise RuntimeError("something\nbroke")

    monkeypatch.setattr(serve, "run", broken)
    assert main(["serve"]) == 1
    _assert_one_line_error(capsys.readouterr().err, "RuntimeError: something broke")
    with pytest.raises(RuntimeError):  # -v shows the traceback
        main(["-v", "serve"])


# -- the HTTP API ---------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def client():
    previous = api.set_pool(workers.WorkPool(workers=2, kind="thread"))
    yield TestClient(api.app, raise_server_exceptions=False)
    api.set_pool(previous)


def _assert_error_shape(response, status, message):
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"status", "error", "detail"} and body["status"] == status
    assert message in body["detail"], body["detail"]
    # never the server's own files
    assert "/tmp" not in body["detail"] and "genreblender-upload" not in body["detail"]


@pytest.mark.parametrize("kind", list(BAD_FILES))
def test_api_classify_bad_upload(client, tmp_path, kind):
    path = _make(kind, tmp_path)
    message, status = BAD_FILES[kind]
    response = client.post("/classify", files={"file": (path.name, path.read_bytes())})
    _assert_error_shape(response, status, message)
    assert response.json()["detail"].startswith(path.name)  # the upload's name


def _json(text):
    return {"content": text, "headers": {"content-type": "application/json"}}


@pytest.mark.parametrize(
    ("request_kwargs", "status", "message"),
    [
        (_json(b'{"alpha": NaN, "seconds": 5}'), 422, "alpha: Input should be a finite number"),
        (_json(b'{"seconds": Infinity}'), 422, "seconds: Input should be a finite number"),
        (_json(b'{"seconds": -Infinity}'), 422, "seconds: Input should be a finite number"),
        ({"json": {"seed": True}}, 422, "seed: Input should be a valid integer"),
        ({"json": {"seed": "1"}}, 422, "seed: Input should be a valid integer"),
        ({"json": {"seed": 1.5}}, 422, "seed: Input should be a valid integer"),
        ({"json": {"alpha": "0.5"}}, 422, "alpha: Input should be a valid number"),
        ({"json": {"include_audio": "yes"}}, 422, "include_audio: Input should be a valid boolean"),
        ({"json": {"seconds": 1}}, 422, "seconds: Input should be greater than or equal to 3"),
        ({"json": {"seconds": 0.001}}, 422, "greater than or equal to 3"),
        ({"json": {"seconds": 61}}, 422, "less than or equal to 60"),
        ({"json": {"sed": 1}}, 422, "sed: Extra inputs are not permitted"),
        ({"json": [1, 2]}, 422, "valid dictionary"),
        (_json(b'{"alpha": 0.5'), 422, "the body is not valid JSON"),
        (_json(b'{"genre_a": "' + b"x" * (10 * 2**20) + b'"}'), 413, "64 KiB limit"),
        ({"json": {"genre_a": "polka"}}, 400, "unknown genre 'polka'"),
        ({"json": {"engine": "musicgen", "seconds": 3}}, 503, "could not be loaded"),
    ],
)
def test_api_generate_bad_request(client, monkeypatch, tmp_path, request_kwargs, status, message):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    _assert_error_shape(client.post("/generate", **request_kwargs), status, message)


def test_api_json_body_without_length_is_counted(client):
    def chunks():  # chunked transfer: no Content-Length to check in advance
        yield b'{"genre_a": "'
        for _ in range(100):
            yield b"x" * 1024
        yield b'"}'

    response = client.post(
        "/generate", content=chunks(), headers={"content-type": "application/json"}
    )
    _assert_error_shape(response, 413, "over the 64 KiB limit")


@pytest.mark.parametrize(
    ("data", "files", "status", "message"),
    [
        ({"genre_a": "jazz", "genre_b": "metal", "alpha": "nan"}, True, 400, "alpha must be"),
        ({"genre_a": "jazz", "genre_b": "metal", "alpha": "inf"}, True, 400, "alpha must be"),
        ({"genre_a": "jazz", "genre_b": "metal", "alpha": "abc"}, True, 422, "alpha:"),
        (
            {"genre_a": "jazz", "alpha": "0.5"},
            True,
            400,
            "give genre A, genre B and alpha, or a mix",
        ),
        ({"genre_a": "polka", "genre_b": "metal", "alpha": "0.5"}, True, 400, "unknown genre"),
        (
            {"genre_a": "jazz", "genre_b": "metal", "alpha": "0.5"},
            False,
            422,
            "file: Field required",
        ),
    ],
)
def test_api_evaluate_bad_form(client, data, files, status, message):
    upload = {"file": ("tone.wav", b"RIFF")} if files else None
    _assert_error_shape(client.post("/evaluate", data=data, files=upload), status, message)


def test_api_classify_without_a_file_and_wrong_routes(client):
    _assert_error_shape(client.post("/classify"), 422, "file: Field required")
    _assert_error_shape(client.get("/nope"), 404, "Not Found")
    _assert_error_shape(client.put("/generate"), 405, "Method Not Allowed")
    _assert_error_shape(
        client.post(
            "/generate",
            content=b"{}",
            headers={"content-type": "application/json", "content-length": "x"},
        ),
        400,
        "Content-Length",
    )


def test_body_limit_refuses_by_content_length_before_reading():
    """The middleware answers from the header alone: the app never runs, no byte is read."""
    import asyncio

    reached, sent = [], []

    async def app(scope, receive, send):
        reached.append(True)

    async def receive():
        raise AssertionError("the body was read")

    async def send(message):
        sent.append(message)

    limit = api.BodyLimit(app, limits={"/classify": api.MAX_MULTIPART_BYTES}, default=10)
    scope = {
        "type": "http",
        "path": "/classify",
        "method": "POST",
        "headers": [(b"content-length", str(60 * 2**20).encode())],
    }
    asyncio.run(limit(scope, receive, send))
    assert not reached and sent[0]["status"] == 413
    body = json.loads(sent[1]["body"])
    assert body["error"] == "too_large" and "of 60.0 MiB is over the limit" in body["detail"]


def test_upload_size_message_gives_the_real_size(client, monkeypatch):
    from genreblender.app import services

    monkeypatch.setattr(services, "MAX_UPLOAD_BYTES", 2**20)
    buffer = io.BytesIO()
    sf.write(buffer, _tone(30), SR, format="WAV")  # 1.3 MiB
    response = client.post("/classify", files={"file": ("big.wav", buffer.getvalue())})
    _assert_error_shape(response, 413, "big.wav: the upload is 1.3 MiB; the limit is 1 MiB")
