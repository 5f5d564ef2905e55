"""The corpus of PyTorch programs: what each one is, how to run it, and how its output is
compared with what PyTorch printed.

A program is kept as its tutorial or example wrote it, with its ``torch`` imports pointed at
``minitorch_es`` (`to_torch` turns them back, mechanically, to run the original under
PyTorch). Each run happens in a fresh temporary directory with the stand-ins of third-party
packages (standins/) on the path; see README.md.

PyTorch's output is recorded by ``record.py`` several times with different seeds. A printed line
that is the same in every recording does not depend on random draws: ours must print it too,
its numbers equal to ``rtol`` (float32 results of a different but exact implementation). A line
that changes between seeds must keep its text (numbers aside). Where a program's result
depends on random draws, ``final`` names the line(s) whose numbers must fall within the range
of PyTorch's recordings, widened by the stated tolerance.
"""

from __future__ import annotations

import dataclasses
import gzip
import json
import math
import os
import pickle
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
PROGRAMS = HERE / "programs"
EXPECTED = HERE / "expected"
STANDINS = HERE / "standins"
DRIVER = HERE / "driver.py"
SEEDS = (0, 1, 2)  # PyTorch recordings per program
TIMEOUT = 300


@dataclasses.dataclass(frozen=True)
class Final:
    """A line (the last match of ``pattern``) whose numbers depend on random draws: each must
    lie within PyTorch's recorded range widened by ``rel`` (relative to the range's ends) or by
    ``abs`` (absolute)."""

    pattern: str
    rel: float = 0.0
    abs: float = 0.0


@dataclasses.dataclass(frozen=True)
class Program:
    name: str  # file stem in programs/
    source: str  # where the original lives
    final: tuple[Final, ...] = ()
    args: tuple[str, ...] = ()  # command-line arguments (the program's own options)
    data: tuple[int, int] | None = None  # (train, test) sizes of the local images if not default
    calls: tuple[str, ...] = ()  # functions to call instead of running it as a script
    setup: str | None = None  # a preparation of the working directory (see SETUPS)
    rtol: float = 1e-4  # for numbers of lines that do not depend on random draws
    atol: float = 1e-6
    xfail: str | None = None  # the precise missing feature(s) while it does not agree yet
    # A program of several files (its modules, a data generator) is kept in programs/FOLDER/;
    # all of them are copied into the working directory, ``script`` is run, after ``before``
    # (run first, as the example's README says: a generator of the data it loads).
    folder: str | None = None
    script: str | None = None
    before: tuple[str, ...] = ()
    env: tuple[tuple[str, str], ...] = ()  # environment variables the program is run with
    timings: tuple[str, ...] = ()  # patterns of printed durations, masked as addresses are

    def files(self) -> list[Path]:
        """The program's source files as kept here (its imports pointed at minitorch_es)."""
        if self.folder:
            return sorted((PROGRAMS / self.folder).glob("*.py"))
        return [PROGRAMS / f"{self.name}.py"]

    @property
    def entry(self) -> str:
        """The file run (in the working directory)."""
        return self.script if self.folder else f"{self.name}.py"


TUTORIALS = "https://github.com/pytorch/tutorials/blob/main/beginner_source"
EXAMPLES = "https://github.com/pytorch/examples/blob/main"
# The two-layer-net series the tutorial used before its 2020 rewrite to polynomials.
JCJ = "https://github.com/jcjohnson/pytorch-examples/blob/master"
LOSS = r"^1999 "
TWO_LAYER_LOSS = r"^499 "


# word_language_model at a small size (its defaults train 40 epochs of a 200-unit network);
# it prints the milliseconds per batch and the seconds per epoch.
WORD_LM = (
    *("--epochs", "1", "--emsize", "16", "--nhid", "16", "--bptt", "10"),
    *("--batch_size", "4", "--log-interval", "5"),
)
WORD_LM_TIMINGS = (r"ms/batch +[\d.]+", r"time: +[\d.]+s")


def _word_language_model(name: str, rel: float, *args: str) -> Program:
    """word_language_model/main.py at the size of ``WORD_LM`` with ``args``; its validation and
    test losses within ``rel`` of PyTorch's range."""
    return Program(
        name,
        f"{EXAMPLES}/word_language_model/main.py",
        (Final(r"valid loss +([\d.]+)", rel=rel), Final(r"test loss +([\d.]+)", rel=rel)),
        args=(*WORD_LM, *args),
        setup="word_language_model_text",
        folder="word_language_model",
        script="main.py",
        timings=WORD_LM_TIMINGS,
    )


def _loss(pattern: str, rel: float) -> tuple[Final, ...]:
    return (Final(pattern, rel=rel),)


CORPUS = (
    Program(
        "polynomial_tensor",
        f"{TUTORIALS}/examples_tensor/polynomial_tensor.py",
        _loss(LOSS, 0.5),
    ),
    Program(
        "polynomial_autograd",
        f"{TUTORIALS}/examples_autograd/polynomial_autograd.py",
        _loss(LOSS, 0.5),
    ),
    Program(
        "polynomial_custom_function",
        f"{TUTORIALS}/examples_autograd/polynomial_custom_function.py",
        rtol=1e-3,
    ),
    Program(
        "polynomial_nn",
        f"{TUTORIALS}/examples_nn/polynomial_nn.py",
        _loss(LOSS, 0.5),
    ),
    Program(
        "polynomial_optim",
        f"{TUTORIALS}/examples_nn/polynomial_optim.py",
        _loss(LOSS, 0.5),
    ),
    Program(
        "polynomial_module",
        f"{TUTORIALS}/examples_nn/polynomial_module.py",
        _loss(LOSS, 0.5),
    ),
    Program(
        "dynamic_net",
        f"{TUTORIALS}/examples_nn/dynamic_net.py",
        _loss(r"^29999 ", 0.5),
    ),
    Program(
        "two_layer_net_tensor",
        f"{JCJ}/tensor/two_layer_net_tensor.py",
        _loss(TWO_LAYER_LOSS, 1.0),
    ),
    Program(
        "two_layer_net_autograd",
        f"{JCJ}/autograd/two_layer_net_autograd.py",
        _loss(TWO_LAYER_LOSS, 1.0),
    ),
    Program(
        "two_layer_net_custom_function",
        f"{JCJ}/autograd/two_layer_net_custom_function.py",
        _loss(TWO_LAYER_LOSS, 1.0),
    ),
    Program(
        "two_layer_net_nn",
        f"{JCJ}/nn/two_layer_net_nn.py",
        _loss(TWO_LAYER_LOSS, 1.0),
    ),
    Program(
        "two_layer_net_optim",
        f"{JCJ}/nn/two_layer_net_optim.py",
        _loss(TWO_LAYER_LOSS, 1.0),
    ),
    Program(
        "two_layer_net_module",
        f"{JCJ}/nn/two_layer_net_module.py",
        _loss(TWO_LAYER_LOSS, 1.0),
    ),
    Program(
        "quickstart_tutorial",
        f"{TUTORIALS}/basics/quickstart_tutorial.py",
        (Final(r"Accuracy: ([\d.]+)%, Avg loss", abs=8.0), Final(r"Avg loss: ", rel=0.02)),
    ),
    Program(
        "tensorqs_tutorial",
        f"{TUTORIALS}/basics/tensorqs_tutorial.py",
    ),
    Program(
        "data_tutorial",
        f"{TUTORIALS}/basics/data_tutorial.py",
    ),
    Program(
        "buildmodel_tutorial",
        f"{TUTORIALS}/basics/buildmodel_tutorial.py",
    ),
    Program(
        "autogradqs_tutorial",
        f"{TUTORIALS}/basics/autogradqs_tutorial.py",
    ),
    Program(
        "optimization_tutorial",
        f"{TUTORIALS}/basics/optimization_tutorial.py",
        (Final(r"Accuracy: ([\d.]+)%, Avg loss", abs=8.0), Final(r"Avg loss: ", rel=0.02)),
    ),
    Program("saveloadrun_tutorial", f"{TUTORIALS}/basics/saveloadrun_tutorial.py"),
    Program(
        "nn_tutorial",
        f"{TUTORIALS}/nn_tutorial.py",
        (Final(r"^1 ", rel=0.5),),
        setup="nn_tutorial_data",
        data=(640, 200),
    ),
    Program("neural_networks_tutorial", f"{TUTORIALS}/blitz/neural_networks_tutorial.py"),
    Program(
        "mnist_main",
        f"{EXAMPLES}/mnist/main.py",
        (Final(r"Test set: Average loss", abs=0.5),),
        args=("--epochs", "1", "--test-batch-size", "100"),
        data=(640, 200),
    ),
    Program(
        "mnist_rnn_main",
        f"{EXAMPLES}/mnist_rnn/main.py",
        (Final(r"Average loss: ([\d.]+)", rel=0.05), Final(r"Accuracy: .*\((\d+)%\)", abs=10)),
        args=("--epochs", "3", "--test-batch-size", "100"),
    ),
    Program(
        "time_sequence_prediction",
        f"{EXAMPLES}/time_sequence_prediction/train.py",
        (Final(r"^test loss: ", rel=0.5),),
        args=("--steps", "1"),
        folder="time_sequence_prediction",
        script="train.py",
        before=("generate_sine_wave.py",),
        # PyTorch 2.6+ refuses its torch.load('traindata.pt') of a NumPy array (weights_only
        # is True by default); PyTorch's variable restores the old default, for both libraries.
        env=(("TORCH_FORCE_NO_WEIGHTS_ONLY_LOAD", "1"),),
    ),
    _word_language_model("word_language_model", 0.1),
    # Plain SGD at lr 20 with tied weights: PyTorch's validation loss spans 1.96-2.64 over
    # eight seeds (three recorded), ours 2.02-2.84.
    _word_language_model("word_language_model_gru_tied", 0.25, "--model", "GRU", "--tied"),
    # The README's learning rate for the Transformer (at the default 20 SGD diverges).
    _word_language_model(
        "word_language_model_transformer",
        0.15,
        "--model",
        "Transformer",
        "--nhead",
        "2",
        "--lr",
        "5",
    ),  # fmt: skip
    Program(
        "vae_main",
        f"{EXAMPLES}/vae/main.py",
        (Final(r"Test set loss", rel=0.15),),
        args=("--epochs", "1"),
    ),
    Program(
        "regression_main",
        f"{EXAMPLES}/regression/main.py",
        (Final(r"^Loss: ([\d.]+) after", abs=1e-3),),
    ),
    Program(
        "micrograd_test_engine",
        "https://github.com/karpathy/micrograd/blob/master/test/test_engine.py",
        calls=("test_sanity_check", "test_more_ops"),
    ),
)
BY_NAME = {p.name: p for p in CORPUS}


# ------------------------------------------------------------------- the import change
_IMPORT = re.compile(r"^\s*(import|from)\s+minitorch_es\b")


def to_torch(source: str) -> str:
    """The program's original form: its ``minitorch_es`` imports pointed back at ``torch``."""
    out = []
    for line in source.splitlines(keepends=True):
        if _IMPORT.match(line):
            line = re.sub(r"\bminitorch_es\b", "torch", line)
            line = line.replace("import torch as torch", "import torch")
        out.append(line)
    return "".join(out)


def changed_lines(source: str) -> list[tuple[str, str]]:
    """``(original, ours)`` for each line the port changed."""
    return [
        (a.rstrip("\n"), b.rstrip("\n"))
        for a, b in zip(to_torch(source).splitlines(True), source.splitlines(True))
        if a != b
    ]


# --------------------------------------------------------------------------- running
def _nn_tutorial_data(workdir: Path, program: Program) -> None:
    """nn_tutorial downloads ``data/mnist/mnist.pkl.gz`` unless it exists: write it from the
    corpus's local images (flattened float32 in [0, 1], int64 labels), as the tutorial's is."""
    sys.path.insert(0, str(STANDINS))
    try:
        import corpus_data
    finally:
        sys.path.remove(str(STANDINS))
    splits = []
    for train, size in zip((True, False), program.data or (None, None)):
        images, labels = corpus_data.mnist(train, size)
        splits.append((images.reshape(len(images), -1).astype("float32") / 255, labels))
    path = workdir / "data" / "mnist"
    path.mkdir(parents=True)
    with gzip.open(path / "mnist.pkl.gz", "wb") as f:
        pickle.dump((splits[0], splits[1], splits[1]), f)


def _word_language_model_text(workdir: Path, program: Program) -> None:
    """word_language_model reads ``data/wikitext-2/{train,valid,test}.txt`` (wikitext-2 is 13 MB,
    not kept here): write small texts of the same form instead, one sentence a line, generated
    from a toy grammar by a fixed arithmetic sequence (the same on every machine), so the
    model has something to learn."""
    subjects = ["the cat", "a dog", "the old man", "my sister", "the teacher", "a bird"]
    verbs = ["sees", "likes", "follows", "feeds", "finds", "calls"]
    objects = ["the ball", "a fish", "the red car", "her friend", "the garden", "a small house"]
    endings = [".", "today .", "again .", "in the morning .", ", @-@ slowly ."]
    state = 7

    def text(sentences: int) -> str:
        nonlocal state
        lines = [""]
        for _ in range(sentences):
            words = []
            for choices in (subjects, verbs, objects, endings):
                state = (state * 1103515245 + 12345) % 2**31
                words.append(choices[(state >> 16) % len(choices)])
            lines.append(" " + " ".join(words) + " ")
        return "\n".join(lines) + "\n"

    folder = workdir / "data" / "wikitext-2"
    folder.mkdir(parents=True)
    for name, sentences in (("train", 240), ("valid", 40), ("test", 40)):
        (folder / f"{name}.txt").write_text(text(sentences), encoding="utf8")


SETUPS = {
    "nn_tutorial_data": _nn_tutorial_data,
    "word_language_model_text": _word_language_model_text,
}


@dataclasses.dataclass
class Run:
    returncode: int
    stdout: str
    stderr: str
    seconds: float


def run(program: Program, library: str = "minitorch_es", seed: int | None = None) -> Run:
    """Run ``program`` against ``library`` (``"torch"`` runs its original form) in a fresh
    temporary directory; ``seed`` seeds the library and shifts the program's own seeds."""
    with tempfile.TemporaryDirectory(prefix=f"corpus-{program.name}-") as tmp:
        workdir = Path(tmp)
        if program.setup:
            SETUPS[program.setup](workdir, program)
        for path in program.files():
            source = path.read_text()
            (workdir / path.name).write_text(to_torch(source) if library == "torch" else source)
        env = {
            **os.environ,
            "CORPUS_TORCH": library,
            "PYTHONPATH": os.pathsep.join(
                [str(STANDINS), *filter(None, [os.environ.get("PYTHONPATH")])]
            ),
            "MPLBACKEND": "Agg",
            "OPENBLAS_NUM_THREADS": "1",
            "OMP_NUM_THREADS": "1",
            "MINITORCH_ES_DISABLE_PLUGIN_AUTOLOAD": "1",
        }
        env.update(program.env)
        if program.data:
            env["CORPUS_TRAIN_SAMPLES"], env["CORPUS_TEST_SAMPLES"] = map(str, program.data)
        start, stdout = time.perf_counter(), ""
        for script in (*program.before, program.entry):
            command = [sys.executable, str(DRIVER), str(workdir / script)]
            if seed is not None:
                command += ["--seed", str(seed)]
            command += [f"--call={c}" for c in program.calls] + ["--"]
            command += program.args if script == program.entry else ()
            try:
                done = subprocess.run(
                    command, cwd=workdir, env=env, capture_output=True, text=True, timeout=TIMEOUT
                )
            except subprocess.TimeoutExpired as e:
                return Run(-1, stdout + (e.stdout or ""), f"timed out after {TIMEOUT} s", TIMEOUT)
            stdout += done.stdout
            if done.returncode != 0:
                break
        return Run(done.returncode, stdout, done.stderr, time.perf_counter() - start)


# ------------------------------------------------------------------------ comparing
_NUMBER = re.compile(r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|\bnan\b|\binf\b")
_ADDRESS = re.compile(r"0x[0-9a-fA-F]+")


def normalize(text: str, timings: tuple[str, ...] = ()) -> list[str]:
    """The printed lines, as compared: object addresses and the durations matched by
    ``timings`` masked (a duration may print alike under three seeds by chance), trailing
    blanks removed. (Our dtypes and sizes print ``torch.float32`` and ``torch.Size`` as
    PyTorch's do.)"""
    for pattern in timings:
        text = re.sub(pattern, "<time>", text)
    lines = [_ADDRESS.sub("0x?", line).rstrip() for line in text.splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def skeleton(line: str) -> str:
    """A line with its numbers replaced by ``#`` and runs of blanks collapsed."""
    return " ".join(_NUMBER.sub("#", line).split())


def numbers(line: str) -> list[float]:
    return [float(m) for m in _NUMBER.findall(line)]


_TOKEN = re.compile(rf"{_NUMBER.pattern}|\w+|\S")


def tokens(lines: list[str]) -> list[tuple[str, float | None, int, str]]:
    """The output as ``(text, number or None, line index, as printed)`` tokens: blanks and
    line breaks do not count, so a tensor wrapped at other columns still compares equal."""
    out = []
    for i, line in enumerate(lines):
        for m in _TOKEN.finditer(line):
            raw = m.group()
            is_number = _NUMBER.fullmatch(raw)
            out.append(("#", float(raw), i, raw) if is_number else (raw, None, i, raw))
    return out


def close(value: float, ref: float, printed: str, program: Program) -> bool:
    """``value`` equals PyTorch's ``ref`` to ``rtol`` / ``atol``, or, for an entry PyTorch
    printed in its tensor format (4 decimals), to that last digit (it may round the other
    way)."""
    if value == ref or math.isclose(value, ref, rel_tol=program.rtol, abs_tol=program.atol):
        return True
    mantissa, _, exponent = printed.lower().partition("e")
    if len(mantissa.partition(".")[2]) != 4 or not math.isfinite(ref):
        return False
    return abs(value - ref) <= 1.5e-4 * 10.0 ** int(exponent or 0)


def expected(program: Program) -> dict:
    """The recorded PyTorch outputs (``{"outputs": [...], "torch": version}``)."""
    path = EXPECTED / f"{program.name}.json"
    if not path.exists():
        raise FileNotFoundError(
            f"no PyTorch recording {path.relative_to(HERE.parent.parent)}: run "
            f"python tests/pytorch_programs/record.py {program.name} (with torch installed)"
        )
    return json.loads(path.read_text())


def compare(program: Program, ours: str, recording: dict) -> list[str]:
    """What differs between our output and PyTorch's, as readable problems (none: agrees).

    When PyTorch printed the same text (numbers aside) under every seed, ours must print that
    text too, token by token (blanks and line breaks aside), and each number that is the same
    under every seed, on a line every seed printed alike, must be ours to ``rtol``. When the
    text itself varies with the seed (a predicted class name), the lines are compared one by one
    instead, skipping those whose text varies. Then the ``final`` values are checked against
    PyTorch's range.
    """
    theirs = [normalize(t, program.timings) for t in recording["outputs"]]
    mine = normalize(ours, program.timings)
    problems = []
    seeds = [tokens(t) for t in theirs]
    if len({tuple(tok[0] for tok in s) for s in seeds}) == 1:
        problems += _compare_tokens(program, mine, tokens(mine), theirs, seeds)
    elif len({len(t) for t in theirs}) == 1:
        problems += _compare_lines(program, mine, theirs)
    for final in program.final:
        problems += _compare_final(final, mine, theirs)
    return problems


def _compare_tokens(program, mine, ours, theirs, seeds) -> list[str]:
    first, reference = seeds[0], theirs[0]
    for k, (text, value, line, _) in enumerate(ours):
        if k >= len(first):
            return [f"line {line + 1}: printed more than PyTorch\n    ours:    {mine[line]}"]
        ref_text, ref_value, ref_line, printed = first[k]
        where = f"\n    ours:    {mine[line]}\n    PyTorch: {reference[ref_line]}"
        if text != ref_text:
            return [f"line {line + 1}: the text differs{where}"]
        # A number is PyTorch's answer when every seed printed it, on a line every seed printed
        # alike: a lone equal value among random ones is a coincidence (a ReLU's zeros).
        stable = all(s[k][1] == ref_value for s in seeds) and (
            len({t[s[k][2]] for t, s in zip(theirs, seeds)}) == 1
        )
        if value is not None and stable and not close(value, ref_value, printed, program):
            return [f"line {line + 1}: {value} differs from PyTorch's {ref_value}{where}"]
    if len(ours) < len(first):
        line = first[len(ours)][2]
        return [f"printed less than PyTorch, which went on with\n    PyTorch: {reference[line]}"]
    return []


def _compare_lines(program, mine, theirs) -> list[str]:
    reference = theirs[0]
    if len(mine) != len(reference):
        return [f"printed {len(mine)} lines, PyTorch printed {len(reference)}"]
    for i, (line, ref) in enumerate(zip(mine, reference)):
        if len({skeleton(t[i]) for t in theirs}) > 1:
            continue  # its text depends on random draws
        where = f"\n    ours:    {line}\n    PyTorch: {ref}"
        if skeleton(line) != skeleton(ref):
            return [f"line {i + 1}: the text differs{where}"]
        if all(t[i] == ref for t in theirs):
            for a, b in zip(numbers(line), _NUMBER.findall(ref)):
                if not close(a, float(b), b, program):
                    return [f"line {i + 1}: {a} differs from PyTorch's {b}{where}"]
    return []


def _last_match(pattern: str, lines: list[str]) -> list[float] | None:
    found = [line for line in lines if re.search(pattern, line)]
    if not found:
        return None
    match = re.search(pattern, found[-1])
    text = match.group(1) if match.groups() else found[-1][match.end() :]
    return numbers(text)


def _compare_final(final: Final, mine: list[str], theirs: list[list[str]]) -> list[str]:
    ours = _last_match(final.pattern, mine)
    refs = [_last_match(final.pattern, t) for t in theirs]
    if any(r is None for r in refs):
        return [f"final {final.pattern!r}: missing from a PyTorch recording (fix the pattern)"]
    if ours is None:
        return [f"final {final.pattern!r}: no such line in our output"]
    problems = []
    for i, value in enumerate(ours[: len(refs[0])]):
        column = [r[i] for r in refs]
        low, high = min(column), max(column)
        low -= final.abs + final.rel * abs(low)
        high += final.abs + final.rel * abs(high)
        if not low <= value <= high:
            problems.append(
                f"final {final.pattern!r}: {value} is outside [{low:.6g}, {high:.6g}] "
                f"(PyTorch's {sorted(column)} widened by rel {final.rel} / abs {final.abs})"
            )
    return problems


def table() -> str:
    """The README's table of programs: source, the lines changed, and status."""
    rows = [
        "| program | source | lines changed (original → ours) | status |",
        "|---|---|---|---|",
    ]
    for p in CORPUS:
        changed = "<br>".join(
            f"{f'{path.name}: ' if p.folder else ''}`{a.strip()}` → `{b.strip()}`"
            for path in p.files()
            for a, b in changed_lines(path.read_text())
        )
        status = f"expected to fail: {p.xfail}" if p.xfail else "agrees"
        source = p.source.rsplit("/blob/", 1)[-1].split("/", 1)[-1]
        args = f" `{' '.join(p.args)}`" if p.args else ""
        program = f"`{p.folder}/{p.script}`{args}" if p.folder else f"`{p.name}.py`"
        rows.append(f"| {program} | [{source}]({p.source}) | {changed} | {status} |")
    return "\n".join(rows) + "\n"


def main(names: list[str]) -> int:
    """Run the programs (all by default) and print whether each runs and agrees."""
    chosen = [BY_NAME[n] for n in names] if names else list(CORPUS)
    ran = agreed = 0
    for program in chosen:
        result = run(program)
        ok = result.returncode == 0
        problems = compare(program, result.stdout, expected(program)) if ok else ["failed"]
        ran += ok
        agreed += not problems
        status = "agrees" if not problems else ("runs, differs" if ok else "fails")
        last = result.stderr.strip().splitlines()[-1:] if not ok else []
        print(f"{program.name:32} {result.seconds:6.1f} s  {status}  {' '.join(last)}")
    print(f"runs: {ran}/{len(chosen)}   agrees with PyTorch: {agreed}/{len(chosen)}")
    return 0


if __name__ == "__main__":
    if sys.argv[1:] == ["--table"]:
        print(table(), end="")
        sys.exit(0)
    sys.exit(main(sys.argv[1:]))
