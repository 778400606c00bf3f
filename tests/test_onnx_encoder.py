"""Questions embedded by the ONNX export give the torch model's vectors; a bad export is
never used; options that choose the device refuse what they do not know."""
from __future__ import annotations

import json
import re
import subprocess
import sys

import numpy as np
import pytest

from index.embedder import (SentenceTransformerEmbedder, check_device, default_model_path,
                            set_compute_threads)
from index.onnx_encoder import exportable

TEXTS = ["Why do B12 injections sometimes cause cramps?", "x",
         "Muscle pain after a shot is common and usually mild; see a doctor if it lasts "
         "more than a few days or comes with swelling."]


def test_an_unknown_device_is_refused():
    with pytest.raises(ValueError, match="Unknown device 'tpu': use one of cpu, cuda"):
        check_device("tpu")
    with pytest.raises(ValueError, match="Unknown device"):
        SentenceTransformerEmbedder(device="gpu")


@pytest.mark.parametrize("environ, message", [
    ({"QUOTECHAT_DEVICE": "tpu"}, "Unknown device 'tpu': use one of cpu, cuda, mps, auto"),
    ({"QUOTECHAT_ONNX": "yes"}, "QUOTECHAT_ONNX='yes': use 1 (ONNX for questions) or 0"),
])
def test_settings_refuse_an_unknown_device_or_onnx_value(environ, message):
    from assistant.settings import Settings
    with pytest.raises(ValueError, match=re.escape(message)):
        Settings.from_env(environ)


def test_settings_pass_the_device_and_onnx_choice_to_the_encoder():
    from assistant.service import make_encoder
    from assistant.settings import Settings
    encoder = make_encoder(Settings.from_env({"QUOTECHAT_ONNX": "0"}, device="auto"))
    assert encoder.device == "auto" and encoder._onnx_folder() is None  # torch only


def test_the_command_line_refuses_an_unknown_device():
    done = subprocess.run([sys.executable, "-m", "ui.cli", "ask", "--device", "tpu", "hi"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "invalid choice: 'tpu'" in done.stderr


def test_only_mean_pooled_normalised_models_are_exported(tmp_path):
    assert exportable(__import__("pathlib").Path(default_model_path())) is None
    (tmp_path / "modules.json").write_text(json.dumps(
        [{"type": "sentence_transformers.models.Transformer", "path": ""},
         {"type": "sentence_transformers.models.Pooling", "path": "1_Pooling"}]))
    (tmp_path / "1_Pooling").mkdir()
    (tmp_path / "1_Pooling" / "config.json").write_text(json.dumps(
        {"pooling_mode_cls_token": True, "pooling_mode_mean_tokens": False}))
    (tmp_path / "sentence_bert_config.json").write_text('{"max_seq_length": 128}')
    assert "not transformer, pooling, normalise" in exportable(tmp_path)
    assert "no modules" not in exportable(tmp_path / "missing")


@pytest.mark.integration
def test_the_onnx_export_gives_the_torch_vectors_and_a_bad_one_is_dropped(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    torch_model = SentenceTransformerEmbedder(onnx=True)
    torch_model.warm_up()  # no export yet: torch, and it writes the export
    assert torch_model.backend == "torch"
    expected = torch_model.encode(TEXTS)
    fast = SentenceTransformerEmbedder()
    fast.warm_up()
    assert fast.backend == "onnx" and "_model" not in vars(fast)  # torch not loaded
    assert fast.dimension == 384 and fast.max_tokens == 256
    assert np.abs(fast.encode(TEXTS) - expected).max() < 1e-5
    assert fast.weights_hash == torch_model.weights_hash  # same index, same manifest
    set_compute_threads(1)  # as `quotechat serve` does: one thread per question
    try:
        one = SentenceTransformerEmbedder()
        one.warm_up()
        assert one._fast._session.get_session_options().intra_op_num_threads == 1
        assert np.abs(one.encode(TEXTS) - expected).max() < 1e-5
    finally:
        set_compute_threads(0)
    probes = next(tmp_path.glob("quotechat/onnx/*/probes.json"))
    data = json.loads(probes.read_text())
    data["vectors"][0][0] += 0.5  # an export that no longer matches the model
    probes.write_text(json.dumps(data))
    damaged = SentenceTransformerEmbedder()
    damaged.warm_up()
    assert damaged.backend == "torch"
    assert np.abs(damaged.encode(TEXTS) - expected).max() < 1e-6
