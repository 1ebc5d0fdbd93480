"""Speed of tradebot's option pricing against QuantLib and py_vollib_vectorized, in one run.

Run: ``.venv/bin/python benchmarks/option_pricing.py [--options 1000000] [--ql-greeks 100000]
[--ql-iv 10000] [--runs 5] [--skip-vollib]``.

Workload: European options on a BTC-like spot (30,000), log-moneyness ~ N(0, 0.25) clipped to
K/S in [0.5, 2], expiries log-uniform from one hour to two years, vols 0.3-1.5, r = 3 %, q = 0,
calls and puts half and half (seeded). Tasks: price + delta, gamma, vega, theta, rho; implied
vol from our own prices of those options. Ours runs after a warm-up call (Numba's compile or
cache load, shown apart), best of ``--runs``. QuantLib 1.44 runs as a Python loop over the first
``--ql-greeks`` options (``BlackCalculator``: value and five greeks, the lean path the
``AnalyticEuropeanEngine`` itself uses) and ``--ql-iv`` options (``blackFormulaImpliedStdDev``),
scaled to options per second. py_vollib_vectorized 0.1.1 does not import with current Numba; it
runs in its own virtual environment (numba 0.58.1, numpy 1.26, py_vollib 1.0.1,
py_lets_be_rational 1.0.1), built once under ``~/.cache/tradebot-bench/vollib-venv`` with
``python3 -m venv`` and pip, and called in a subprocess on the same options. If that environment
cannot be built the reason is printed and the rest still runs. Goals: >= 5 M price+greeks/s
(stretch 30 M) and >= 1 M implied vols/s (stretch 5 M) on 2 cores.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np
import QuantLib as ql
from rich.console import Console
from rich.table import Table

from tradebot.options.pricing import bs_greeks, bs_price, implied_vol

console = Console(width=120)

VOLLIB_PINS = [
    "numba==0.58.1",
    "numpy==1.26.4",
    "py_vollib==1.0.1",
    "py_lets_be_rational==1.0.1",
    "py_vollib_vectorized==0.1.1",
]
WORKER = Path(__file__).resolve().parent / "peers" / "vollib_worker.py"


def make_options(n: int, seed: int = 11) -> dict[str, np.ndarray]:
    rng = np.random.default_rng(seed)
    spot = 30_000.0 * np.exp(rng.normal(0.0, 0.002, n))
    log_moneyness = np.clip(rng.normal(0.0, 0.25, n), math.log(0.5), math.log(2.0))
    return {
        "S": spot,
        "K": np.round(spot * np.exp(log_moneyness), -2),
        "T": np.exp(rng.uniform(math.log(1 / 8760), math.log(2.0), n)),
        "r": np.full(n, 0.03),
        "q": np.zeros(n),
        "sigma": rng.uniform(0.3, 1.5, n),
        "is_call": rng.random(n) < 0.5,
    }


def best_of(fn: Callable[[], Any], runs: int) -> float:
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def ours(o: dict[str, np.ndarray], runs: int) -> dict[str, float]:
    args = (o["S"], o["K"], o["T"], o["r"], o["q"], o["sigma"], o["is_call"])
    t0 = time.perf_counter()
    small = tuple(a[:1000] for a in args)
    bs_greeks(*small)
    implied_vol(bs_price(*small), *small[:5], small[6])
    warm = time.perf_counter() - t0
    greeks = best_of(lambda: bs_greeks(*args), runs)
    price = o["price"]
    iv_args = (price, o["S"], o["K"], o["T"], o["r"], o["q"], o["is_call"])
    iv = best_of(lambda: implied_vol(*iv_args), runs)
    return {"warm": warm, "greeks": greeks, "iv": iv}


def quantlib(o: dict[str, np.ndarray], n_greeks: int, n_iv: int) -> dict[str, float]:
    call, put = ql.Option.Call, ql.Option.Put
    s, k, t, r, q, v, c = (o[x] for x in ("S", "K", "T", "r", "q", "sigma", "is_call"))
    s, k, t, r, q, v, c = (
        s.tolist(),
        k.tolist(),
        t.tolist(),
        r.tolist(),
        q.tolist(),
        v.tolist(),
        c.tolist(),
    )
    values = np.empty(n_greeks)
    t0 = time.perf_counter()
    for i in range(n_greeks):
        forward = s[i] * math.exp((r[i] - q[i]) * t[i])
        calc = ql.BlackCalculator(
            ql.PlainVanillaPayoff(call if c[i] else put, k[i]),
            forward,
            v[i] * math.sqrt(t[i]),
            math.exp(-r[i] * t[i]),
        )
        values[i] = calc.value()
        calc.delta(s[i]), calc.gamma(s[i]), calc.vega(t[i]), calc.theta(s[i], t[i]), calc.rho(t[i])
    greeks = time.perf_counter() - t0
    price = o["price"].tolist()
    failed = 0
    t0 = time.perf_counter()
    for i in range(n_iv):
        forward = s[i] * math.exp((r[i] - q[i]) * t[i])
        try:
            ql.blackFormulaImpliedStdDev(
                call if c[i] else put,
                k[i],
                forward,
                price[i],
                math.exp(-r[i] * t[i]),
                0.0,
                ql.nullDouble(),
                1e-10,
                100,
            )
        except RuntimeError:
            failed += 1
    iv = time.perf_counter() - t0
    agree = float(np.max(np.abs(values - o["price"][:n_greeks]) / o["S"][:n_greeks]))
    return {"greeks": greeks, "iv": iv, "iv_failed": failed, "max_rel_price_diff": agree}


def vollib_python() -> tuple[Path | None, str]:
    """The cached environment's interpreter, building it first if needed; else why not."""
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    venv = cache / "tradebot-bench" / "vollib-venv"
    python = venv / "bin" / "python"
    marker = venv / "tradebot-pins.txt"
    pins = "\n".join(VOLLIB_PINS)
    if python.exists() and marker.exists() and marker.read_text() == pins:
        return python, "cached"
    base = shutil.which("python3") or sys.executable
    console.print(f"building the py_vollib environment in {venv} (once) ...")
    shutil.rmtree(venv, ignore_errors=True)
    try:
        subprocess.run([base, "-m", "venv", str(venv)], check=True, capture_output=True, text=True)
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", *VOLLIB_PINS],
            check=True,
            capture_output=True,
            text=True,
            timeout=1800,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired, OSError) as exc:
        detail = getattr(exc, "stderr", "") or str(exc)
        lines = [ln for ln in str(detail).splitlines() if ln.strip() and "WARNING" not in ln]
        return None, "could not build it: " + (lines[-1] if lines else str(exc))
    marker.write_text(pins)
    return python, "built"


def vollib(o: dict[str, np.ndarray], runs: int) -> dict[str, Any]:
    python, how = vollib_python()
    if python is None:
        return {"error": how}
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "options.npz"
        np.savez(path, **o)
        try:
            done = subprocess.run(
                [str(python), str(WORKER), str(path), str(runs)],
                check=True,
                capture_output=True,
                text=True,
                timeout=3600,
            )
        except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
            tail = (getattr(exc, "stderr", "") or str(exc)).strip().splitlines()[-1:]
            return {"error": "py_vollib run failed: " + " ".join(tail)}
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    result["env"] = how
    return result


def rate(n: int, seconds: float) -> float:
    return n / seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--options", type=int, default=1_000_000)
    parser.add_argument("--ql-greeks", type=int, default=100_000)
    parser.add_argument("--ql-iv", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--skip-vollib", action="store_true")
    args = parser.parse_args()
    n = args.options
    o = make_options(n)
    o["price"] = bs_price(o["S"], o["K"], o["T"], o["r"], o["q"], o["sigma"], o["is_call"])
    g = bs_greeks(o["S"], o["K"], o["T"], o["r"], o["q"], o["sigma"], o["is_call"])
    forward = o["S"] * np.exp((o["r"] - o["q"]) * o["T"])
    payoff = np.where(o["is_call"], forward - o["K"], o["K"] - forward)
    time_value = o["price"] - np.maximum(payoff, 0.0) * np.exp(-o["r"] * o["T"])
    # As in the tests: the price reacts to sigma and the time value is not lost to underflow.
    o["identifiable"] = (g["vega"] * o["sigma"] >= 1e-6 * g["price"]) & (
        time_value > 1e-250 * o["S"]
    )
    mine = ours(o, args.runs)
    iv = implied_vol(o["price"], o["S"], o["K"], o["T"], o["r"], o["q"], o["is_call"])
    ident = o["identifiable"]
    console.print(
        f"{n:,} options; Numba warm-up (compile or cache load) {mine['warm']:.2f} s; "
        f"implied vol: {int(np.isnan(iv[ident]).sum())} NaN among {int(ident.sum()):,} "
        f"identifiable, max |error| {np.nanmax(np.abs(iv - o['sigma'])[ident]):.1e}"
    )
    ql_n_greeks, ql_n_iv = min(args.ql_greeks, n), min(args.ql_iv, n)
    peer = quantlib(o, ql_n_greeks, ql_n_iv)
    console.print(
        f"QuantLib prices vs ours on {ql_n_greeks:,}: max |difference| / spot "
        f"{peer['max_rel_price_diff']:.1e}; QuantLib IV failures {peer['iv_failed']} of {ql_n_iv:,}"
    )
    ours_greeks, ours_iv = rate(n, mine["greeks"]), rate(n, mine["iv"])
    rows = [
        ("tradebot (Numba, 2 cores)", "price + 5 greeks", n, mine["greeks"], ours_greeks),
        ("tradebot (Numba, 2 cores)", "implied vol", n, mine["iv"], ours_iv),
        (
            "QuantLib (Python loop)",
            "price + 5 greeks",
            ql_n_greeks,
            peer["greeks"],
            rate(ql_n_greeks, peer["greeks"]),
        ),
        ("QuantLib (Python loop)", "implied vol", ql_n_iv, peer["iv"], rate(ql_n_iv, peer["iv"])),
    ]
    if args.skip_vollib:
        console.print("py_vollib_vectorized: skipped (--skip-vollib)")
    else:
        v = vollib(o, min(args.runs, 3))
        if "error" in v:
            console.print(f"py_vollib_vectorized: {v['error']}")
        else:
            console.print(
                f"py_vollib_vectorized (environment {v['env']}): implied vol {v['iv_nan']} NaN "
                f"among the identifiable, max |error| {v['iv_max_abs_error']:.1e}"
            )
            rows.append(
                (
                    "py_vollib_vectorized 0.1.1",
                    "price + 5 greeks",
                    v["options"],
                    v["greeks_seconds"],
                    rate(v["options"], v["greeks_seconds"]),
                )
            )
            rows.append(
                (
                    "py_vollib_vectorized 0.1.1",
                    "implied vol",
                    v["options"],
                    v["iv_seconds"],
                    rate(v["options"], v["iv_seconds"]),
                )
            )
    table = Table(title=f"European options: price + greeks and implied vol (best of {args.runs})")
    for col in ("library", "task", "options", "seconds", "options / s", "tradebot / this"):
        table.add_column(col, justify="left" if col in ("library", "task") else "right")
    for lib, task, count, seconds, per_second in rows:
        mine_rate = ours_greeks if task.startswith("price") else ours_iv
        ratio = "—" if lib.startswith("tradebot") else f"{mine_rate / per_second:,.1f}x"
        table.add_row(
            lib, task, f"{count:,}", f"{seconds:.3f}", f"{per_second / 1e6:,.3f} M", ratio
        )
    console.print(table)
    console.print(
        f"goals: price+greeks >= 5 M/s (stretch 30 M): {ours_greeks / 1e6:.1f} M/s; "
        f"implied vol >= 1 M/s (stretch 5 M): {ours_iv / 1e6:.1f} M/s"
    )


if __name__ == "__main__":
    main()
