"""Independent judges of generated audio: models not used in the generation loop.

:class:`MusicnnJudge` runs the pretrained musicnn taggers (ported from TensorFlow, weights in
``weights/``) and maps their tags onto the GTZAN genres with the table in :mod:`.tag_map`.
"""

from genreblender.evaluation.judges.judge import JudgeOutput, MusicnnJudge

__all__ = ["JudgeOutput", "MusicnnJudge"]
