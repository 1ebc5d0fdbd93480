"""Makes the REST transport stub of ``tests/integration/ccxt`` (``ccxt_stub``) importable."""

from __future__ import annotations

import sys
from pathlib import Path

_CCXT_TESTS = str(Path(__file__).resolve().parent.parent / "ccxt")
if _CCXT_TESTS not in sys.path:
    sys.path.insert(0, _CCXT_TESTS)
