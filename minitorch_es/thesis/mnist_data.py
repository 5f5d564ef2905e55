"""MNIST for the thesis's experiment: the images scaled to [0, 1], or why they cannot be had
(`Unavailable`: a short reason for the table, the details for the report, what to do)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

import minitorch_es as mt


@dataclass
class Unavailable:
    """Why MNIST cannot be used: ``short`` for the table, ``detail`` (where it looked, what
    failed) for the report, ``hint`` saying what to do."""

    short: str
    detail: str
    hint: str


SKIP = "or skip it with --skip mnist"
NOT_FOUND = f"pass --data-dir DIR or set MINITORCH_ES_DATA, {SKIP}"
CHECKSUM = "use the original files, --no-verify for your own, or --skip mnist"


def load(config):
    """``((x_train, y_train), (x_test, y_test))`` scaled to [0, 1] (flattened later), or an
    `Unavailable` saying why MNIST cannot be used."""
    datasets = mt.data.datasets
    try:
        (x_train, y_train), (x_test, y_test) = datasets.load_mnist(
            config.data_dir, download=config.download, verify=config.verify
        )
    except datasets.ChecksumError as e:
        return Unavailable("MNIST fails its SHA-256 check", str(e), CHECKSUM)
    except FileNotFoundError as e:
        return Unavailable("MNIST not found", str(e), NOT_FOUND)
    except (OSError, ValueError) as e:  # unreadable or malformed files
        why = f"{type(e).__name__}: {e}"
        return Unavailable(f"MNIST unreadable ({type(e).__name__})", why, f"see report.md, {SKIP}")
    scale = np.float32(1 / 255)
    return (
        (x_train.astype(np.float32) * scale, y_train),
        (x_test.astype(np.float32) * scale, y_test),
    )
