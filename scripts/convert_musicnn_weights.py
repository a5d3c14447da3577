"""Convert the pretrained musicnn taggers (TensorFlow 1 checkpoints) to PyTorch state_dicts.

One command, run from the project root::

    .venv/bin/python scripts/convert_musicnn_weights.py

It fetches the ``musicnn==0.1.0`` wheel from PyPI with ``pip download --no-deps`` (the package's
own pins, numpy<1.17, cannot install on Python 3.11, and we need only its data), reads the
checkpoints of MSD_musicnn and MTT_musicnn with a small reader of TensorFlow's tensor-bundle
format written here (so neither this script nor the product needs TensorFlow), renames the
variables to the PyTorch module in ``genreblender.evaluation.judges.musicnn`` and writes
``src/genreblender/evaluation/judges/weights/<model>.pth`` (float32; the Adam slots and training
counters of the checkpoint are dropped) plus the wheel's ISC licence.

``--wheel PATH`` uses an already downloaded wheel instead of fetching it.
"""

from __future__ import annotations

import argparse
import io
import os
import struct
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

WHEEL_SPEC = "musicnn==0.1.0"
MODELS = ("MSD_musicnn", "MTT_musicnn")
OUT_DIR = (
    Path(__file__).resolve().parent.parent
    / "src"
    / "genreblender"
    / "evaluation"
    / "judges"
    / "weights"
)

# TensorFlow DataType enum values -> numpy dtypes we may meet in these checkpoints.
_TF_DTYPES = {1: np.float32, 2: np.float64, 3: np.int32, 9: np.int64}
_TABLE_MAGIC = 0xDB4775248B80FB57


# --------------------------------------------------------------------------------------------
# Reading a TensorFlow V2 checkpoint (".index" is a LevelDB-style table of BundleEntryProto
# records keyed by variable name; ".data-00000-of-00001" holds the raw little-endian tensors).
# --------------------------------------------------------------------------------------------


def _varint(buf: bytes, pos: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        byte = buf[pos]
        pos += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, pos
        shift += 7


def _proto_fields(buf: bytes):
    """Yield ``(field_number, wire_type, value)`` of a serialized protobuf message."""
    pos = 0
    while pos < len(buf):
        key, pos = _varint(buf, pos)
        field, wire = key >> 3, key & 7
        if wire == 0:
            value, pos = _varint(buf, pos)
        elif wire == 1:
            value = buf[pos : pos + 8]
            pos += 8
        elif wire == 2:
            length, pos = _varint(buf, pos)
            value = buf[pos : pos + length]
            pos += length
        elif wire == 5:
            value = buf[pos : pos + 4]
            pos += 4
        else:
            raise ValueError(f"unsupported protobuf wire type {wire}")
        yield field, wire, value


def _block_entries(block: bytes):
    """Yield ``(key, value)`` of one table block (prefix-compressed keys, restart array at end)."""
    (num_restarts,) = struct.unpack_from("<I", block, len(block) - 4)
    end = len(block) - 4 - 4 * num_restarts
    pos, key = 0, b""
    while pos < end:
        shared, pos = _varint(block, pos)
        non_shared, pos = _varint(block, pos)
        value_len, pos = _varint(block, pos)
        key = key[:shared] + block[pos : pos + non_shared]
        pos += non_shared
        yield key, block[pos : pos + value_len]
        pos += value_len


def _read_block(data: bytes, handle: bytes) -> bytes:
    offset, pos = _varint(handle, 0)
    size, _ = _varint(handle, pos)
    # Each block is followed by a 1-byte compression type and a 4-byte CRC.
    if data[offset + size] != 0:
        raise ValueError("compressed checkpoint index blocks are not supported")
    return data[offset : offset + size]


def _parse_entry(value: bytes) -> dict:
    entry = {"dtype": 0, "shape": [], "shard": 0, "offset": 0, "size": 0}
    for field, _, v in _proto_fields(value):
        if field == 1:
            entry["dtype"] = v
        elif field == 2:
            for dim_field, _, dim in _proto_fields(v):
                if dim_field == 2:
                    size = next((s for f, _, s in _proto_fields(dim) if f == 1), 0)
                    entry["shape"].append(size)
        elif field == 3:
            entry["shard"] = v
        elif field == 4:
            entry["offset"] = v
        elif field == 5:
            entry["size"] = v
        elif field == 7:
            raise ValueError("partitioned (sliced) variables are not supported")
    return entry


def read_checkpoint(prefix: str) -> dict[str, np.ndarray]:
    """Read every tensor of the TensorFlow V2 checkpoint ``<prefix>.index`` / ``<prefix>.data-*``.

    ``prefix`` is a string, not a Path: musicnn's prefix is a directory with a trailing slash
    (files ``MSD_musicnn/.index`` ...), which a Path would drop.
    """
    index = Path(prefix + ".index").read_bytes()
    (magic,) = struct.unpack_from("<Q", index, len(index) - 8)
    if magic != _TABLE_MAGIC:
        raise ValueError(f"{prefix}.index is not a TensorFlow checkpoint index")
    footer = index[-48:]
    _, pos = _varint(footer, 0)  # metaindex offset
    _, pos = _varint(footer, pos)  # metaindex size
    index_block = _read_block(index, footer[pos:])
    folder, stem = os.path.split(prefix)
    data_files = sorted(Path(folder).glob(stem + ".data-*"))
    shards = [p.read_bytes() for p in data_files]
    tensors = {}
    for _, handle in _block_entries(index_block):
        for key, value in _block_entries(_read_block(index, handle)):
            if key == b"":  # the BundleHeaderProto
                continue
            entry = _parse_entry(value)
            dtype = _TF_DTYPES.get(entry["dtype"])
            if dtype is None:
                continue  # strings and the like: not weights
            raw = shards[entry["shard"]][entry["offset"] : entry["offset"] + entry["size"]]
            tensors[key.decode()] = np.frombuffer(
                raw, dtype=np.dtype(dtype).newbyteorder("<")
            ).reshape(entry["shape"])
    return tensors


# --------------------------------------------------------------------------------------------
# Mapping TensorFlow variables onto MusicnnNet.
# --------------------------------------------------------------------------------------------

# tf.compat.v1.layers numbers layers in creation order (see musicnn's models.build_musicnn):
# conv2d..conv2d_1 timbral (7x38, 7x67), conv2d_2..4 temporal (128, 64, 32), conv2d_5..7 mid-end;
# batch_normalization is the input's, _1.._8 follow the convs, _9 the pooled vector, _10 dense.
_CONVS = {
    "conv2d": "timbral.0.conv",
    "conv2d_1": "timbral.1.conv",
    "conv2d_2": "temporal.0.conv",
    "conv2d_3": "temporal.1.conv",
    "conv2d_4": "temporal.2.conv",
    "conv2d_5": "midend.0.conv",
    "conv2d_6": "midend.1.conv",
    "conv2d_7": "midend.2.conv",
}
_BATCH_NORMS = {
    "batch_normalization": "input_bn",
    "batch_normalization_1": "timbral.0.bn",
    "batch_normalization_2": "timbral.1.bn",
    "batch_normalization_3": "temporal.0.bn",
    "batch_normalization_4": "temporal.1.bn",
    "batch_normalization_5": "temporal.2.bn",
    "batch_normalization_6": "midend.0.bn",
    "batch_normalization_7": "midend.1.bn",
    "batch_normalization_8": "midend.2.bn",
    "batch_normalization_9": "pool_bn",
    "batch_normalization_10": "dense_bn",
}
_DENSES = {"dense": "dense", "dense_1": "out"}
_BN_FIELDS = {
    "gamma": "weight",
    "beta": "bias",
    "moving_mean": "running_mean",
    "moving_variance": "running_var",
}


def to_state_dict(tensors: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    """Rename and transpose the checkpoint's variables to MusicnnNet's parameter layout."""
    out: dict[str, np.ndarray] = {}
    for tf_name, ours in _CONVS.items():
        kernel = tensors[f"{tf_name}/kernel"]  # (k_time, k_freq, in, out)
        if ours.startswith("midend"):
            # A TF conv spanning the whole feature axis with one input channel is a Conv1d whose
            # input channels are that axis: (7, features, 1, out) -> (out, features, 7).
            out[f"{ours}.weight"] = kernel[:, :, 0, :].transpose(2, 1, 0)
        else:
            out[f"{ours}.weight"] = kernel.transpose(3, 2, 0, 1)
        out[f"{ours}.bias"] = tensors[f"{tf_name}/bias"]
    for tf_name, ours in _BATCH_NORMS.items():
        for tf_field, field in _BN_FIELDS.items():
            out[f"{ours}.{field}"] = tensors[f"{tf_name}/{tf_field}"]
    for tf_name, ours in _DENSES.items():
        out[f"{ours}.weight"] = tensors[f"{tf_name}/kernel"].T
        out[f"{ours}.bias"] = tensors[f"{tf_name}/bias"]
    return {k: np.ascontiguousarray(v, dtype=np.float32) for k, v in out.items()}


def _labels(configuration_py: str, model: str) -> list[str]:
    """The tag list of ``model`` from the wheel's configuration.py, read without importing it."""
    import ast

    name = "MSD_LABELS" if model.startswith("MSD") else "MTT_LABELS"
    for node in ast.parse(configuration_py).body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == name for t in node.targets
        ):
            return list(ast.literal_eval(node.value))
    raise ValueError(f"{name} not found in musicnn/configuration.py")


def _atomic_write(path: Path, write) -> None:
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=path.name + ".", suffix=".tmp")
    os.close(fd)
    try:
        write(tmp)
        os.chmod(tmp, 0o644)  # mkstemp creates 0600; the shipped files must be readable
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def fetch_wheel(dest: Path) -> Path:
    """``pip download --no-deps musicnn==0.1.0`` into ``dest``; returns the wheel's path."""
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "download",
            "--no-deps",
            "--only-binary=:all:",
            WHEEL_SPEC,
            "-d",
            str(dest),
        ],
        check=True,
    )
    wheels = sorted(dest.glob("musicnn-0.1.0-*.whl"))
    if not wheels:
        raise SystemExit(f"pip did not leave a musicnn 0.1.0 wheel in {dest}")
    return wheels[0]


def convert(wheel: Path, out_dir: Path = OUT_DIR) -> list[Path]:
    """Write ``<model>.pth`` for each of :data:`MODELS` and the licence into ``out_dir``."""
    import hashlib

    import torch

    # Imported here so that the script's reader works without the package installed.
    from genreblender.evaluation.judges.musicnn import MusicnnNet

    sha256 = hashlib.sha256(wheel.read_bytes()).hexdigest()
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    with tempfile.TemporaryDirectory() as tmp:
        with zipfile.ZipFile(wheel) as zf:
            zf.extractall(tmp)
        root = Path(tmp)
        configuration = (root / "musicnn" / "configuration.py").read_text()
        licence = (root / "musicnn-0.1.0.dist-info" / "LICENSE.md").read_text()
        for model in MODELS:
            tags = _labels(configuration, model)
            tensors = read_checkpoint(str(root / "musicnn" / model) + "/")
            arrays = to_state_dict(tensors)
            net = MusicnnNet(n_tags=len(tags))
            state = net.state_dict()
            unexpected = set(arrays) - set(state)
            if unexpected:
                raise SystemExit(f"{model}: variables without a place: {sorted(unexpected)}")
            for key, value in arrays.items():
                if tuple(state[key].shape) != value.shape:
                    raise SystemExit(
                        f"{model}: {key} is {value.shape} in the checkpoint, "
                        f"{tuple(state[key].shape)} in MusicnnNet"
                    )
                state[key] = torch.from_numpy(value.copy())
            net.load_state_dict(state, strict=True)
            payload = {
                "model": model,
                "tags": tags,
                "source": f"{WHEEL_SPEC} wheel (sha256 {sha256}), {model}/ checkpoint",
                "state_dict": net.state_dict(),
            }
            path = out_dir / f"{model}.pth"
            # Serialised in memory: torch.save names the zip's root after the file, and the
            # temporary file's random name would make every conversion differ byte for byte.
            buffer = io.BytesIO()
            torch.save(payload, buffer)
            data = buffer.getvalue()
            _atomic_write(path, lambda p, data=data: Path(p).write_bytes(data))
            written.append(path)
            print(f"{path}: {path.stat().st_size / 1e6:.2f} MB, {len(arrays)} tensors")
    licence_path = out_dir / "LICENSE-musicnn.md"
    _atomic_write(
        licence_path,
        lambda p: Path(p).write_text(
            "The weights in this folder (MSD_musicnn.pth, MTT_musicnn.pth) are converted from the\n"
            f"pretrained models in the {WHEEL_SPEC} wheel on PyPI (sha256 {sha256}) by\n"
            "scripts/convert_musicnn_weights.py. Model and weights: Jordi Pons and Xavier Serra,\n"
            '"musicnn: pre-trained convolutional neural networks for music audio tagging",\n'
            "ISMIR 2019 late-breaking/demo; https://github.com/jordipons/musicnn.\n"
            "They are distributed under the package's ISC licence, reproduced below.\n\n" + licence
        ),
    )
    written.append(licence_path)
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="use this musicnn-0.1.0 wheel, do not fetch")
    parser.add_argument("--out", type=Path, default=OUT_DIR, help="output folder")
    args = parser.parse_args(argv)
    if args.wheel is not None:
        convert(args.wheel, args.out)
        return 0
    with tempfile.TemporaryDirectory() as tmp:
        convert(fetch_wheel(Path(tmp)), args.out)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
