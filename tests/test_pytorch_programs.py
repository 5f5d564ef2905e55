"""Real PyTorch programs run on minitorch_es with only their imports changed, and print what
PyTorch printed (tests/pytorch_programs/: the programs, their sources and the comparison rules
in README.md and corpus.py; PyTorch's outputs recorded in expected/).

A program that does not agree yet is a strict xfail naming the missing feature: when it starts
agreeing the test fails, so the mark gets removed."""

import concurrent.futures
import re
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent / "pytorch_programs"))
import corpus  # noqa: E402

PARAMS = [
    pytest.param(
        p,
        id=p.name,
        marks=[pytest.mark.xfail(strict=True, reason=p.xfail)] if p.xfail else [],
    )
    for p in corpus.CORPUS
]


@pytest.fixture(scope="module")
def runs():
    """Every program started at once, two at a time, in the background: each test waits only
    for its own."""
    with concurrent.futures.ThreadPoolExecutor(max_workers=2) as pool:
        yield {p.name: pool.submit(corpus.run, p) for p in corpus.CORPUS}


@pytest.mark.parametrize("program", PARAMS)
def test_program_prints_what_pytorch_printed(program, runs):
    recording = corpus.expected(program)
    result = runs[program.name].result()
    assert result.returncode == 0, f"{program.name} failed:\n{result.stderr[-3000:]}"
    problems = corpus.compare(program, result.stdout, recording)
    assert not problems, "\n".join(problems[:12])


@pytest.mark.parametrize("program", corpus.CORPUS, ids=lambda p: p.name)
def test_only_the_imports_were_changed(program):
    for path in program.files():
        source = path.read_text()
        changes = corpus.changed_lines(source)
        assert changes, f"{path.name} imports minitorch_es where it imported torch"
        for original, _ in changes:
            assert re.match(r"\s*(import|from) torch\b", original), original
        # Nothing else names the port: the rest of the program is PyTorch's.
        ported = {ours for _, ours in changes}
        assert [ln for ln in source.splitlines() if "minitorch_es" in ln and ln not in ported] == []


def test_the_readme_table_is_current():
    assert corpus.table() in (corpus.HERE / "README.md").read_text(), (
        "regenerate the table of tests/pytorch_programs/README.md: "
        "python tests/pytorch_programs/corpus.py --table"
    )


def test_the_recordings_are_pytorchs():
    for program in corpus.CORPUS:
        recording = corpus.expected(program)
        assert recording["torch"].startswith("2.13") and len(recording["outputs"]) == len(
            corpus.SEEDS
        )


def test_import_lines_round_trip():
    source = "import minitorch_es as torch\nfrom minitorch_es.utils.data import DataLoader\n"
    assert corpus.to_torch(source) == "import torch\nfrom torch.utils.data import DataLoader\n"
    assert corpus.changed_lines("x = 1\nimport minitorch_es.nn as nn\n") == [
        ("import torch.nn as nn", "import minitorch_es.nn as nn")
    ]


def _program(**kwargs):
    return corpus.Program("probe", "here", **kwargs)


def _recording(*outputs):
    return {"outputs": list(outputs)}


def test_the_text_must_match_and_the_numbers_that_do_not_depend_on_draws():
    rec = _recording(
        "Epoch 1\nloss 0.5\nw tensor([1., 2.])\n", "Epoch 1\nloss 0.7\nw tensor([1., 2.])\n"
    )
    program = _program(rtol=1e-3)
    # Blanks and line breaks aside; the loss varies between PyTorch's seeds, so any value goes.
    assert corpus.compare(program, "Epoch 1\nloss 9.0\nw tensor([1.0005,\n   2.])\n", rec) == []
    (problem,) = corpus.compare(program, "Epoch 1\nloss 9.0\nw tensor([1.1, 2.])\n", rec)
    assert "line 3: 1.1 differs from PyTorch's 1.0" in problem
    (problem,) = corpus.compare(program, "Epoch 1\nLoss 9.0\nw tensor([1., 2.])\n", rec)
    assert "line 2: the text differs" in problem and "PyTorch: loss 0.5" in problem
    (problem,) = corpus.compare(program, "Epoch 1\nloss 1\nw tensor([1., 2.])\nmore\n", rec)
    assert "line 4: printed more than PyTorch" in problem
    (problem,) = corpus.compare(program, "Epoch 1\n", rec)
    assert "printed less than PyTorch, which went on with\n    PyTorch: loss 0.5" in problem


def test_a_number_agrees_to_the_last_digit_pytorch_printed():
    rec = _recording("x 0.1725\ny 1.2345e+03 2.5\n", "x 0.1725\ny 1.2345e+03 2.5\n")
    assert corpus.compare(_program(), "x 0.17254902\ny 1.23461e+03 2.5\n", rec) == []
    (problem,) = corpus.compare(_program(), "x 0.1729\ny 1.2345e+03 2.5\n", rec)
    assert "0.1729 differs" in problem
    (problem,) = corpus.compare(_program(), "x 0.1725\ny 1.2348e+03 2.5\n", rec)
    assert "1234.8 differs from PyTorch's 1234.5" in problem
    (problem,) = corpus.compare(_program(), "x 0.1725\ny 1.2345e+03 2.501\n", rec)
    assert "2.501 differs" in problem


def test_lines_whose_words_vary_with_the_seed_are_skipped():
    rec = _recording('Epoch 1\nPredicted: "Bag"\nx 2.0\n', 'Epoch 1\nPredicted: "Coat"\nx 2.0\n')
    assert corpus.compare(_program(), 'Epoch 1\nPredicted: "Shirt"\nx 2.0\n', rec) == []
    (problem,) = corpus.compare(_program(), 'Epoch 1\nPredicted: "Shirt"\nx 3.0\n', rec)
    assert "line 3: 3.0 differs from PyTorch's 2.0" in problem
    (problem,) = corpus.compare(_program(), 'Epoch 1\nPredicted: "Shirt"\n', rec)
    assert "printed 2 lines, PyTorch printed 3" in problem


def test_normalizing_masks_addresses_and_keeps_library_prefixes():
    assert corpus.normalize("<AddBackward0 object at 0x7f3a>\ntorch.float32  \n\n") == [
        "<AddBackward0 object at 0x?>",
        "torch.float32",
    ]
    # our dtypes print as PyTorch's: a program printing mt.float32 must show torch.float32
    assert corpus.normalize("float32 mt.float32") == ["float32 mt.float32"]


def test_printed_durations_are_masked():
    rec = _recording("ms/batch  1.20 | loss 3.5\n", "ms/batch  1.20 | loss 3.5\n")
    program = _program(timings=(r"ms/batch +[\d.]+",))
    assert corpus.compare(program, "ms/batch  9.75 | loss 3.5\n", rec) == []
    (problem,) = corpus.compare(_program(), "ms/batch  9.75 | loss 3.5\n", rec)
    assert "9.75 differs from PyTorch's 1.2" in problem


def test_a_program_of_several_files_is_kept_in_a_folder():
    program = corpus.BY_NAME["word_language_model"]
    assert [p.name for p in program.files()] == ["data.py", "main.py", "model.py"]
    assert program.entry == "main.py" and corpus.BY_NAME["mnist_main"].entry == "mnist_main.py"
    sine = corpus.BY_NAME["time_sequence_prediction"]
    assert sine.before == ("generate_sine_wave.py",)
    assert {p.name for p in sine.files()} == {"generate_sine_wave.py", "train.py"}


def test_final_values_must_fall_in_pytorchs_range_widened():
    rec = _recording("acc 50%\nacc 70%\n", "acc 60%\nacc 80%\n")
    program = _program(final=(corpus.Final(r"^acc ([\d.]+)", abs=5),))
    assert corpus.compare(program, "acc 10%\nacc 84%\n", rec) == []
    (problem,) = corpus.compare(program, "acc 10%\nacc 86%\n", rec)
    assert "86.0 is outside [65, 85]" in problem
    problems = corpus.compare(program, "nothing\nhere\n", rec)
    assert "the text differs" in problems[0] and "no such line in our output" in problems[1]


def test_a_missing_recording_says_how_to_make_it():
    with pytest.raises(FileNotFoundError, match="record.py probe"):
        corpus.expected(_program())
