"""The GTZAN mel images of one artist-disjoint list, and a mel-CNN that learnt from one list only.

Shared by the studies that need a listener which never heard a list's artists
(``mel_reference_study.py``, ``gtzan_blend_reference.py``, ``temperature_by_training_size.py``).
"""

from pathlib import Path

from genreblender.classification.mel_images import MelImageSet, read_mel_image_folder
from genreblender.classification.mel_listener import MelCNNClassifier
from genreblender.paths import shared_data_dir

#: the lists of ``../shared/data/gtzan/splits`` (``<name>_filtered.txt``)
LISTS = ("train", "valid")


def list_model_path(learn_list: str) -> Path:
    """Where the seed-0 network trained on ``learn_list`` is cached."""
    return Path(f"out/bench/mel_{learn_list}_list_model.pth")


def mel_list(name: str, parser=None) -> MelImageSet:
    """The decoded images of the ``name`` list; a clear error (through ``parser`` when given)
    if the shared GTZAN data is not beside the project."""
    if name not in LISTS:
        raise ValueError(f"no GTZAN list {name!r}; accepted: {', '.join(LISTS)}")
    shared = shared_data_dir()
    if shared is None:
        message = "needs the GTZAN mel images in ../shared/data (or $GENREBLENDER_SHARED_DATA)"
        if parser is not None:
            parser.error(message)
        raise SystemExit(message)
    gtzan = shared / "gtzan"
    lines = (gtzan / "splits" / f"{name}_filtered.txt").read_text().splitlines()
    return read_mel_image_folder(gtzan / "mel_images", {Path(x.strip()).stem for x in lines if x})


def list_model(learn_list: str, path: Path | None = None, parser=None) -> MelCNNClassifier:
    """The shipped recipe's network (seed 0) trained on ``learn_list`` alone, loaded from
    ``path`` (default :func:`list_model_path`), trained and saved there first if missing."""
    path = Path(path or list_model_path(learn_list))
    if not path.exists():
        from genreblender.classification.cnn import CNNConfig

        images = mel_list(learn_list, parser)
        print(f"training on {len(images)} {learn_list}-list images (seed 0, shipped recipe)...")
        fitted = MelCNNClassifier(CNNConfig(seed=0)).fit(images.levels, images.labels)
        path.parent.mkdir(parents=True, exist_ok=True)
        fitted.save(path)
    return MelCNNClassifier.load(path)
