"""Re-record every PyTorch fixture of the test suite (see tests/torch_parity.py).

Needs PyTorch (``pip install torch==2.13.0``, CPU). Runs the suite with recording switched on,
so every `reference(...)` call stores what PyTorch answers for its inputs; then runs it again
without PyTorch's help, reading the files back. Extra arguments go to pytest (for example a
test file, to re-record only its fixtures).

    python tests/record_torch_fixtures.py [pytest args]
"""

import os
import subprocess
import sys

if __name__ == "__main__":
    import torch  # noqa: F401  (fail early, with a clear ImportError, when it is missing)

    args = sys.argv[1:] or ["tests"]
    env = {**os.environ, "MINITORCH_ES_RECORD_TORCH": "1"}
    code = subprocess.call(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args], env=env
    )
    if code == 0:
        code = subprocess.call([sys.executable, "-m", "pytest", "-q", *args])
    sys.exit(code)
