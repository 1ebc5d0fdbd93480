"""Turn the public functions' scalar-or-array arguments into the flat arrays the kernels take.

NumPy broadcasting rules apply, but no argument is copied to the broadcast shape unless it has
to be: an argument that is a scalar (size 1) stays one element and the kernel reads it with a
stride of 0; one that already has the full shape is passed as a flat view.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float64]
FlagArray = npt.NDArray[np.int8]

PARALLEL_THRESHOLD = 4096
"""Batches at least this large run on every core; smaller ones in the calling thread."""


@dataclass(frozen=True, slots=True)
class Batch:
    """Flat kernel arguments, the broadcast shape and whether every argument was a scalar."""

    values: tuple[FloatArray, ...]
    flags: FlagArray
    shape: tuple[int, ...]
    scalar: bool

    @property
    def size(self) -> int:
        return int(np.prod(self.shape))

    @property
    def parallel(self) -> bool:
        return self.size >= PARALLEL_THRESHOLD


def _flags(name: str, value: npt.ArrayLike) -> FlagArray:
    """1 for a call, 0 for a put, −1 (priced as NaN) for anything else, e.g. a NaN."""
    raw = np.asarray(value)
    if raw.dtype == np.bool_:
        return raw.astype(np.int8)
    if raw.dtype.kind not in "iuf":
        raise TypeError(f"{name} must be bool (True for a call), got dtype {raw.dtype}")
    return np.where(raw == 1, 1, np.where(raw == 0, 0, -1)).astype(np.int8)


def _flat(array: npt.NDArray[np.generic], shape: tuple[int, ...]) -> npt.NDArray[np.generic]:
    if array.size == 1:
        return array.reshape(1)
    if array.shape == shape:
        return np.ascontiguousarray(array).reshape(-1)
    return np.ascontiguousarray(np.broadcast_to(array, shape)).reshape(-1)


def prepare(
    names: tuple[str, ...], values: tuple[npt.ArrayLike, ...], flag_name: str, flag: npt.ArrayLike
) -> Batch:
    """Check that the arguments broadcast together and flatten them for a kernel.

    Raises
    ------
    ValueError
        If an argument's shape does not broadcast with the ones before it; names it.
    TypeError
        If ``flag`` is neither boolean nor numeric.
    """
    arrays = [np.asarray(v, dtype=np.float64) for v in values]
    flags = _flags(flag_name, flag)
    shapes = [(name, a.shape) for name, a in zip(names, arrays, strict=True)]
    shapes.append((flag_name, flags.shape))
    shape: tuple[int, ...] = ()
    for name, own in shapes:
        try:
            shape = np.broadcast_shapes(shape, own)
        except ValueError:
            raise ValueError(
                f"{name} has shape {own}, which does not broadcast with the shape "
                f"{shape} of the arguments before it"
            ) from None
    scalar = all(a.ndim == 0 for a in arrays) and flags.ndim == 0
    flat = tuple(_flat(a, shape).astype(np.float64, copy=False) for a in arrays)
    flat_flags = _flat(flags, shape).astype(np.int8, copy=False)
    return Batch(flat, flat_flags, shape, scalar)


def finish(batch: Batch, out: FloatArray) -> float | FloatArray:
    """A Python float for all-scalar input, else ``out`` in the broadcast shape."""
    if batch.scalar:
        return float(out[0])
    return out.reshape(batch.shape)
