"""Questions embedded without torch: the same model exported once to ONNX and run by
onnxruntime, tokenized by `tokenizers` from the model's own tokenizer.json.

Why: importing sentence-transformers (torch, transformers, scikit-learn) is most of a
cold start (about 9 of 12 s on the 2-core machine); onnxruntime and tokenizers load
in well under a second. The export is float32, checked against the torch model on
probe texts when written and again each time it is loaded, so its vectors are the
index's vectors (they agree to about 1e-6), not a second vector space: an index built
with either answers the same. Models other than "transformer, mean pooling,
normalise" (the all-MiniLM / all-mpnet family) are not exported and keep torch.
"""
from __future__ import annotations

import json
import logging
import os
import shutil
import tempfile
import warnings
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from index.storage import cache_folder

logger = logging.getLogger(__name__)

EXPORT_VERSION = 1
PROBES = ("Can B12 shots cause cramps?",
          "Muscle aches after an injection usually pass within a day or two.", "x")
TOLERANCE = 1e-4
_MODULES = ["sentence_transformers.models.Transformer", "sentence_transformers.models.Pooling",
            "sentence_transformers.models.Normalize"]
_INPUTS = ("input_ids", "attention_mask", "token_type_ids")


def cache_dir(weights_hash: str) -> Path:
    return cache_folder("onnx") / f"v{EXPORT_VERSION}-{weights_hash[:16]}"


def exportable(model_dir: Path) -> str | None:
    """Why the model cannot take the ONNX path, or None when it can."""
    try:
        modules = [m["type"] for m in json.loads((model_dir / "modules.json").read_text())]
        pooling_dir = next(m["path"] for m in json.loads(
            (model_dir / "modules.json").read_text()) if m["type"].endswith("Pooling"))
        pooling = json.loads((model_dir / pooling_dir / "config.json").read_text())
        json.loads((model_dir / "sentence_bert_config.json").read_text())["max_seq_length"]
    except (OSError, ValueError, KeyError, StopIteration, TypeError):
        return "not a sentence-transformers folder with pooling and window settings"
    if modules != _MODULES:
        return f"modules {modules} are not transformer, pooling, normalise"
    if not pooling.get("pooling_mode_mean_tokens") or any(
            v for k, v in pooling.items() if k.startswith("pooling_mode_")
            and k != "pooling_mode_mean_tokens"):
        return "its pooling is not the mean of the tokens"
    if not (model_dir / "tokenizer.json").is_file():
        return "it has no tokenizer.json"
    return None


def export(st_model: Any, model_dir: Path, folder: Path) -> None:
    """Write model.onnx and the probe vectors into `folder` (atomically); torch here."""
    import torch

    class LastHidden(torch.nn.Module):
        def __init__(self, transformer: Any) -> None:
            super().__init__()
            self.transformer = transformer

        def forward(self, input_ids, attention_mask, token_type_ids):
            return self.transformer(input_ids=input_ids, attention_mask=attention_mask,
                                    token_type_ids=token_type_ids).last_hidden_state

    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".export-", dir=folder.parent))
    try:
        sample = st_model.tokenizer(list(PROBES[:2]), padding=True, return_tensors="pt")
        if "token_type_ids" not in sample:
            raise ValueError("the tokenizer gives no token_type_ids")
        with torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")  # the tracer's notes on the model's code
            torch.onnx.export(
                LastHidden(st_model[0].auto_model.eval()),
                tuple(sample[name] for name in _INPUTS), str(tmp / "model.onnx"),
                input_names=list(_INPUTS), output_names=["last_hidden_state"],
                dynamic_axes={n: {0: "batch", 1: "tokens"}
                              for n in (*_INPUTS, "last_hidden_state")},
                opset_version=17, dynamo=False)
        expected = st_model.encode(list(PROBES), normalize_embeddings=True)
        shutil.copy(model_dir / "tokenizer.json", tmp / "tokenizer.json")
        (tmp / "probes.json").write_text(json.dumps(
            {"texts": list(PROBES), "vectors": np.asarray(expected).tolist(),
             "max_tokens": int(st_model.max_seq_length)}))
        OnnxEncoder(tmp)  # checks the probes; raises when they disagree
        try:
            os.rename(tmp, folder)
        except OSError:  # another process wrote it first; a reader may be using it
            if not (folder / "probes.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


class OnnxEncoder:
    """encode() of an exported model; raises ValueError when the export is unusable."""

    def __init__(self, folder: Path, *, threads: int = 0) -> None:
        import onnxruntime
        from tokenizers import Tokenizer
        probes = json.loads((folder / "probes.json").read_text())
        self.max_tokens = int(probes["max_tokens"])
        self._tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
        self._tokenizer.enable_truncation(self.max_tokens)
        self._tokenizer.enable_padding()
        options = onnxruntime.SessionOptions()
        options.log_severity_level = 3
        options.intra_op_num_threads = threads  # 0: onnxruntime's default
        self._session = onnxruntime.InferenceSession(
            str(folder / "model.onnx"), options, providers=["CPUExecutionProvider"])
        expected = np.asarray(probes["vectors"], dtype=np.float32)
        got = self.encode(probes["texts"])
        if got.shape != expected.shape or float(np.abs(got - expected).max()) > TOLERANCE:
            raise ValueError(f"the ONNX export in {folder} does not reproduce the model")
        self.dimension = int(expected.shape[1])

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               progress: bool = False) -> np.ndarray:
        out = [self._batch(list(texts[i:i + batch_size]))
               for i in range(0, len(texts), batch_size)]
        return np.vstack(out) if out else np.zeros((0, self.dimension), dtype=np.float32)

    def _batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        feed = {name: np.array([getattr(e, attr) for e in encodings], dtype=np.int64)
                for name, attr in zip(_INPUTS, ("ids", "attention_mask", "type_ids"))}
        hidden = self._session.run(None, feed)[0]
        mask = feed["attention_mask"][..., None].astype(np.float32)
        mean = (hidden * mask).sum(axis=1) / np.clip(mask.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(mean, axis=1, keepdims=True)
        return np.ascontiguousarray(mean / np.clip(norms, 1e-12, None), dtype=np.float32)
