"""Time py_vollib_vectorized on the options in an .npz file; print the figures as one JSON line.

Runs inside the separate environment that ``benchmarks/option_pricing.py`` builds (numba 0.58.1,
numpy 1.26, py_vollib 1.0.1, py_lets_be_rational 1.0.1, py_vollib_vectorized 0.1.1): the
package does not import with current numba. Usage: ``python vollib_worker.py OPTIONS.npz RUNS``.
"""

from __future__ import annotations

import json
import sys
import time
import warnings

import numpy as np


def best_of(fn, runs):
    best = float("inf")
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    warnings.simplefilter("ignore")
    import py_vollib_vectorized as pvv

    data = np.load(sys.argv[1])
    runs = int(sys.argv[2])
    s, k, t, r, q, sigma = (data[name] for name in ("S", "K", "T", "r", "q", "sigma"))
    flag = np.where(data["is_call"], "c", "p")
    price = data["price"]
    m = 1000  # warm-up: Numba compiles on first use

    def greeks(n: int) -> None:
        sl = slice(0, n)
        pvv.vectorized_black_scholes_merton(
            flag[sl], s[sl], k[sl], t[sl], r[sl], sigma[sl], q[sl], return_as="numpy"
        )
        pvv.get_all_greeks(
            flag[sl],
            s[sl],
            k[sl],
            t[sl],
            r[sl],
            sigma[sl],
            q[sl],
            model="black_scholes_merton",
            return_as="dict",
        )

    def implied(n: int) -> np.ndarray:
        sl = slice(0, n)
        return pvv.vectorized_implied_volatility(
            price[sl],
            s[sl],
            k[sl],
            t[sl],
            r[sl],
            flag[sl],
            q=q[sl],
            model="black_scholes_merton",
            return_as="numpy",
        )

    greeks(m)
    implied(m)
    n = len(s)
    out = {
        "version": pvv.__version__ if hasattr(pvv, "__version__") else "0.1.1",
        "greeks_seconds": best_of(lambda: greeks(n), runs),
        "iv_seconds": best_of(lambda: implied(n), runs),
        "options": n,
    }
    iv = np.asarray(implied(n), dtype=float).ravel()
    identifiable = data["identifiable"]
    out["iv_nan"] = int(np.isnan(iv[identifiable]).sum())
    out["iv_max_abs_error"] = float(np.nanmax(np.abs(iv - sigma)[identifiable]))
    print(json.dumps(out))


if __name__ == "__main__":
    main()
