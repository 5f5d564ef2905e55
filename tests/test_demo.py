from minitorch_es.cli import main
from minitorch_es.demos import train_xor


def test_xor_with_tensor_ops_reaches_low_loss():
    pred, losses = train_xor(seed=0)
    assert losses[-1] < 0.01
    assert losses[-1] < losses[0]
    assert ((pred.numpy().ravel() > 0.5) == [False, True, True, False]).all()


def test_cli_demo_prints_predictions(capsys):
    assert main(["demo", "--seed", "0"]) == 0
    out = capsys.readouterr().out
    assert "final MSE loss" in out and "1 1 ->" in out
