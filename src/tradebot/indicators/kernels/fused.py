"""A fused multiply-add usable inside the kernels: ``fma(a, b, c)`` = a·b + c, rounded once.

TA-Lib's C build fuses the multiply-add of its EMA and Wilder recursions, so only the same
single rounding reproduces its values bit for bit (a separate multiply and add differ in the
last place, and MACD subtracts two EMAs). It is exact arithmetic, not ``fastmath``: the result
is the correctly rounded a·b + c on any CPU (a library call where the CPU lacks FMA).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, cast

import llvmlite.ir as ir  # type: ignore[import-untyped]
from numba import types
from numba.extending import intrinsic


@intrinsic
def _fused(typingctx: Any, a: Any, b: Any, c: Any) -> tuple[Any, Any]:
    signature = types.float64(types.float64, types.float64, types.float64)

    def codegen(context: Any, builder: Any, sig: Any, args: Any) -> Any:
        double = ir.DoubleType()
        fnty = ir.FunctionType(double, [double, double, double])
        return builder.call(builder.module.declare_intrinsic("llvm.fma", [double], fnty), args)

    return signature, codegen


fma = cast("Callable[[float, float, float], float]", _fused)
"""``fma(a, b, c)``: callable from kernels only (it compiles to one LLVM ``llvm.fma``)."""
