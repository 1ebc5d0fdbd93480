"""The JSON file of fitted IV-model parameters, written by ``tradebot calibrate`` and read by
``--skew``: the bridge from a calibration on a real chain to the backtests that use it.

Format (extra keys, such as the fit's statistics under ``"fit"``, are kept but ignored)::

    {"format": "tradebot.iv_model/1", "iv_multiplier": 1.12,
     "skew": {"a": -0.05, "b": 0.02, "term": 0.1, "lo": 0.5, "hi": 3.0, "x_clip": 3.0},
     "floor": 0.2, "cap": 3.0}
"""

from __future__ import annotations

import dataclasses
import json
import math
import os
import tempfile
from pathlib import Path
from typing import Any

from tradebot.errors import DataError
from tradebot.options.synthetic.iv_model import IVModel, SkewModel

FORMAT = "tradebot.iv_model/1"
_SKEW_KEYS = ("a", "b", "term", "lo", "hi", "x_clip", "min_term_years")


def iv_model_to_dict(model: IVModel, **extra: Any) -> dict[str, Any]:
    """The JSON-ready form of ``model`` (``extra`` keys are added at the top level)."""
    skew = {k: getattr(model.skew, k) for k in _SKEW_KEYS}
    out: dict[str, Any] = {
        "format": FORMAT,
        "iv_multiplier": model.multiplier,
        "skew": skew,
        "floor": model.floor,
        "cap": model.cap,
        "max_iv": model.max_iv,
    }
    out.update(extra)
    return out


def write_iv_model(path: Path, model: IVModel, **extra: Any) -> None:
    """Write ``model`` as JSON atomically (a temporary file renamed into place)."""
    text = json.dumps(iv_model_to_dict(model, **extra), indent=2, allow_nan=False) + "\n"
    write_text_atomic(path, text)


def write_text_atomic(path: Path, text: str) -> None:
    """Write ``text`` to ``path`` so that a reader sees the old file or the new, never half."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            fh.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def read_iv_model(path: Path) -> IVModel:
    """Read a fitted-parameter file.

    Raises
    ------
    DataError
        Naming the file and the key when it is missing, not JSON or holds a bad value.
    """
    where = str(path)
    if not path.is_file():
        raise DataError(where, "no such file (write one with `tradebot calibrate`)")
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise DataError(where, f"not a JSON file of fitted parameters ({exc})") from None
    if not isinstance(raw, dict):
        raise DataError(where, "expected a JSON object with 'iv_multiplier' and 'skew'")
    skew_raw = raw.get("skew", {})
    if not isinstance(skew_raw, dict):
        raise DataError(where, "'skew' must be an object of a, b, term, ...", field="skew")
    try:
        skew_kwargs = {k: _number(skew_raw[k], f"skew.{k}") for k in _SKEW_KEYS if k in skew_raw}
        kwargs: dict[str, Any] = {
            k: _number(raw[k], k) for k in ("floor", "cap", "max_iv") if k in raw
        }
        if "iv_multiplier" not in raw:
            raise ValueError("'iv_multiplier' is missing")
        kwargs["multiplier"] = _number(raw["iv_multiplier"], "iv_multiplier")
        return IVModel(skew=SkewModel(**skew_kwargs), **kwargs)
    except (TypeError, ValueError) as exc:
        raise DataError(where, str(exc)) from None


def with_multiplier(model: IVModel, multiplier: float) -> IVModel:
    """``model`` with another realised-to-implied multiplier."""
    return dataclasses.replace(model, multiplier=multiplier)


def _number(value: Any, key: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise ValueError(f"'{key}' must be a finite number, got {value!r}")
    return float(value)


__all__ = [
    "FORMAT",
    "iv_model_to_dict",
    "read_iv_model",
    "with_multiplier",
    "write_iv_model",
    "write_text_atomic",
]
