"""Training and fitting the learned parts: the encoder (train_encoder, cross_validate),
the follow-up and triage models (fit_follow_up, fit_triage) and their shipped weights;
and an experiment that was not shipped, a cross-encoder trained on the MedQuAD pool
(train, pairs), which lost to the cross-validated similarity ranking (see README.md here).
"""
from __future__ import annotations

import argparse
from pathlib import Path


def existing_file(raw: str) -> Path:
    """argparse type: a path that must be a file, so a typo is a usage error."""
    path = Path(raw)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {raw}")
    return path
