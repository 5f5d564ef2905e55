"""The ``minitorch-es`` command's own surface: --version, --help without markup, plugins
--kind, lines within 100 columns, and a quiet exit when the reader of its output goes away."""

import os
import subprocess
import sys

import pytest

import minitorch_es as mt
from minitorch_es.cli import build_parser, main


def test_version(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["--version"])
    assert exit_info.value.code == 0
    assert capsys.readouterr().out == f"minitorch-es {mt.__version__}\n"


@pytest.mark.parametrize(
    "command", [[], ["thesis"], ["plugins"], ["demo"], ["inspect"], ["export"]]
)
def test_help_has_no_markup(command, capsys):
    with pytest.raises(SystemExit):
        main([*command, "--help"])
    text = capsys.readouterr().out
    assert "usage: minitorch-es" in text and "``" not in text


def test_plugins_kind_lists_one_kind_in_100_columns(capsys):
    assert main(["plugins", "--kind", "losses"]) == 0  # the plural works too
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("loss (") and max(map(len, lines)) <= 100
    names = [line.split()[0] for line in lines[1:] if not line.startswith(" " * 31)]
    assert names == sorted((e.name for e in mt.registry.entries("loss")), key=str.lower)
    assert main(["plugins"]) == 0
    assert max(map(len, capsys.readouterr().out.splitlines())) <= 100


def test_plugins_unknown_kind_is_a_usage_error(capsys):
    assert main(["plugins", "--kind", "widgets"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("minitorch-es plugins: no entries of kind 'widgets'; the kinds are")
    assert "layer" in err and "optimizer" in err


def test_a_closed_pipe_ends_quietly():
    read_end, write_end = os.pipe()
    os.close(read_end)  # the reader is gone before the first line (`| head -0`)
    try:
        done = subprocess.run(
            [sys.executable, "-m", "minitorch_es.cli", "plugins"],
            stdout=write_end,
            stderr=subprocess.PIPE,
            check=False,
        )
    finally:
        os.close(write_end)
    assert done.returncode == 0 and done.stderr.decode() == ""


def test_every_subcommand_is_described():
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    assert set(sub.choices) == {"demo", "plugins", "inspect", "thesis", "export", "gpt"}
    assert all(action.help for action in sub._choices_actions)
