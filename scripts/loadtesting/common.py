"""What every part of the load test shares."""

from __future__ import annotations

import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
SETUP_TIMEOUT = 120  # seconds, per set-up command


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


class SetupError(RuntimeError):
    pass
