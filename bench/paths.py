"""Where the benchmark keeps its files."""

import sys
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
VENV_BIN = Path(sys.executable).parent
WORK = ROOT / "var" / "bench"  # logs, captured SQL, the SQLite export
RESULTS = BENCH / "results"
