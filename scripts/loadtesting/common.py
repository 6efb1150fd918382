"""What every part of the load test shares."""

from __future__ import annotations

import os
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parents[2]
HOST = "127.0.0.1"
# seconds, per set-up command (GFMD_LOADTEST_SETUP_TIMEOUT: more on a busy machine)
SETUP_TIMEOUT = float(os.environ.get("GFMD_LOADTEST_SETUP_TIMEOUT", "120"))


def log(message: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {message}", flush=True)


class SetupError(RuntimeError):
    pass
