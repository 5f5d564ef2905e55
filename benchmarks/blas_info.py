"""Which OpenBLAS kernels NumPy runs on this CPU, for the benchmarks' environment lines.

OpenBLAS picks its kernels once, when it loads: from ``OPENBLAS_CORETYPE`` when that is set,
from its own CPU detection otherwise. A CPU with AVX-512 running OpenBLAS's AVX2 kernels
(Haswell, Zen) does NumPy's matrix products at about half the speed PyTorch's MKL / oneDNN
kernels reach on the same CPU, which changes every ratio to PyTorch: the environment says so.
"""

from __future__ import annotations

import ctypes
import glob
import os

import numpy as np

AVX512_FLAGS = ("avx512f", "avx512bw", "avx512vl", "avx512dq")  # what OpenBLAS's SkylakeX needs
AVX512_CORES = {"skylakex", "cooperlake", "sapphirerapids"}
AVX2_CORES = {"haswell", "zen"}


def cpu_identity() -> dict:
    """Vendor, family, model and flags of the first CPU in /proc/cpuinfo (empty off Linux)."""
    fields = {}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if not line.strip():
                    break  # the end of the first processor's block
                key, _, value = line.partition(":")
                fields[key.strip()] = value.strip()
    except OSError:
        pass
    return fields


def has_avx512(cpu: dict) -> bool:
    return set(AVX512_FLAGS) <= set(cpu.get("flags", "").split())


def _openblas_library() -> ctypes.CDLL | None:
    """The OpenBLAS NumPy loaded: in NumPy 2.x wheels ``numpy.libs/libscipy_openblas*.so``.
    The mapped files of this process name it; opening the same path again returns the loaded
    copy, not a second one."""
    paths = []
    try:
        with open("/proc/self/maps") as f:
            paths = [line.split()[-1] for line in f if "openblas" in line.lower()]
    except OSError:
        pass
    site = os.path.dirname(os.path.dirname(np.__file__))
    paths += glob.glob(os.path.join(site, "numpy.libs", "*openblas*"))  # no /proc/self/maps
    for path in paths:
        try:
            return ctypes.CDLL(path)
        except OSError:
            continue
    return None


def _call(lib: ctypes.CDLL, name: str) -> str | None:
    """``openblas_<name>()``, under whichever symbol the build exports: scipy-openblas
    prefixes ``scipy_`` and 64-bit-integer builds append ``64_``."""
    for prefix in ("scipy_", ""):
        for suffix in ("64_", ""):
            function = getattr(lib, f"{prefix}openblas_{name}{suffix}", None)
            if function is not None:
                function.restype = ctypes.c_char_p
                return function().decode(errors="replace").strip()
    return None


def openblas_core() -> tuple[str, str | None]:
    """The core name OpenBLAS selected (``"unknown"`` when NumPy's BLAS is not an OpenBLAS
    this can query) and its configuration string (None when unavailable)."""
    lib = _openblas_library()
    if lib is None:
        return "unknown", None
    return _call(lib, "get_corename") or "unknown", _call(lib, "get_config")


def _kernels(core: str) -> str:
    if core.lower() in AVX512_CORES:
        return "AVX-512"
    return "AVX2" if core.lower() in AVX2_CORES else "pre-AVX2 or unknown"


def lines(coretype_source: str) -> list[str]:
    """The CPU's identity, OpenBLAS's core and how it was chosen (``coretype_source`` says who
    set ``OPENBLAS_CORETYPE``), and a note when an AVX-512 CPU runs other kernels."""
    cpu, (core, config) = cpu_identity(), openblas_core()
    family = cpu.get("cpu family", "?")
    family += f" (0x{int(family):X})" if family.isdigit() else ""
    avx512 = has_avx512(cpu)
    coretype = os.environ.get("OPENBLAS_CORETYPE")
    chosen = (
        f"OPENBLAS_CORETYPE={coretype}, {coretype_source}"
        if coretype is not None
        else f"OpenBLAS's own CPU detection ({coretype_source})"
    )
    out = [
        f"cpu: {cpu.get('vendor_id', '?')} family {family} model {cpu.get('model', '?')}; "
        f"AVX-512 ({'/'.join(AVX512_FLAGS)}): {'yes' if avx512 else 'no'}",
        f"OpenBLAS core: {core} ({_kernels(core)} kernels; {chosen})",
    ]
    if config:
        out.append(f"OpenBLAS config: {' '.join(config.split())}")
    if avx512 and core != "unknown" and core.lower() not in AVX512_CORES:
        why = f"because OPENBLAS_CORETYPE={coretype}" if coretype else "as its CPU detection chose"
        speed = "at AVX2 speed" if core.lower() in AVX2_CORES else "without AVX-512"
        out.append(
            f"note: this CPU has AVX-512 but OpenBLAS runs its {core} kernels ({why}): NumPy's "
            f"matrix products run {speed} while PyTorch's use AVX-512; "
            "`--openblas-coretype auto` lets OpenBLAS detect the CPU, `SKYLAKEX` selects its "
            "AVX-512 kernels"
        )
    return out
