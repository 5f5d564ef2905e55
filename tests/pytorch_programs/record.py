"""Record what PyTorch prints for each corpus program (needs ``pip install torch==2.13.0``):

    python tests/pytorch_programs/record.py [NAME ...]

Each program's original form (`corpus.to_torch`) runs once per seed of `corpus.SEEDS`; the
outputs are stored in expected/NAME.json, which the test compares our output with.
"""

import json
import sys

import corpus


def record(program: corpus.Program) -> None:
    import torch

    outputs = []
    for seed in corpus.SEEDS:
        result = corpus.run(program, library="torch", seed=seed)
        if result.returncode != 0:
            raise SystemExit(f"{program.name} failed under PyTorch (seed {seed}):\n{result.stderr}")
        outputs.append(result.stdout)
    data = {
        "program": program.name,
        "torch": torch.__version__,
        "seeds": list(corpus.SEEDS),
        "outputs": outputs,
    }
    path = corpus.EXPECTED / f"{program.name}.json"
    path.write_text(json.dumps(data, indent=1) + "\n")
    print(f"recorded {path.name} ({result.seconds:.1f} s per run)")


if __name__ == "__main__":
    names = sys.argv[1:] or [p.name for p in corpus.CORPUS]
    for name in names:
        record(corpus.BY_NAME[name])
