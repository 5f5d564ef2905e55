"""An optimizer's ``state_dict()["state"][i]["step"]`` is a 0-d float32 tensor, as PyTorch's
``tensor(3.)``; state dicts with a number there (older files) load too, and a bad step is an
error naming the parameter. LBFGS keeps no step, and its vectors and scalars are tensors where
PyTorch's are (so its state dict loads with ``weights_only=True``)."""

import numpy as np
import pytest
from torch_parity import reference

import minitorch_es as mt

W0 = np.array([[0.5, -1.0], [2.0, 0.25]])
GRADS = np.array([[[0.1, -0.2], [0.3, 0.4]], [[-0.5, 0.2], [0.1, 0.0]], [[0.3, 0.3], [-0.1, 0.2]]])


def _adam_steps(lib, grads):
    w = lib.nn.Parameter(lib.tensor(W0.copy()))
    opt = lib.optim.Adam([w], lr=0.1)
    for g in grads:
        w.grad = lib.tensor(np.array(g))
        opt.step()
    return w, opt


def _torch_step_state(torch, grads):
    w, opt = _adam_steps(torch, grads)
    step = opt.state_dict()["state"][0]["step"]
    return {"step": step, "dtype": str(step.dtype), "ndim": step.dim(), "w": w}


def test_step_is_a_0d_float32_tensor_as_pytorchs():
    want = reference("optim/state_step_adam", _torch_step_state, grads=GRADS)
    w, opt = _adam_steps(mt, GRADS)
    for step in (opt.state_dict()["state"][0]["step"], opt.state[w]["step"]):
        assert isinstance(step, mt.Tensor) and str(step.dtype) == str(want["dtype"])
        assert step.dim() == int(want["ndim"]) and step.item() == float(want["step"]) == 3.0
    np.testing.assert_allclose(w.numpy(force=True), want["w"], rtol=1e-12)


@pytest.mark.parametrize(
    "step",
    [3.0, 3, np.float64(3.0), np.array(3), mt.tensor(3.0), mt.tensor(3)],
    ids=["float", "int", "numpy-scalar", "0d-array", "tensor", "int-tensor"],
)
def test_a_number_or_a_0d_tensor_step_loads_and_training_resumes_the_same(step):
    _, first = _adam_steps(mt, GRADS)
    saved = first.state_dict()
    saved["state"][0]["step"] = step
    w, opt = _adam_steps(mt, [])
    w.data.copy_(first.param_groups[0]["params"][0].data)
    opt.load_state_dict(saved)
    assert opt.state[w]["step"].item() == 3.0
    w.grad = mt.tensor(GRADS[0])
    opt.step()
    whole, _ = _adam_steps(mt, [*GRADS, GRADS[0]])
    np.testing.assert_array_equal(w.numpy(force=True), whole.numpy(force=True))


@pytest.mark.parametrize("step", [-1.0, 2.5, float("nan"), [1, 2], "3", mt.ones(2), None], ids=repr)
def test_a_bad_step_is_an_error_naming_the_parameter(step):
    _, opt = _adam_steps(mt, GRADS)
    saved = opt.state_dict()
    saved["state"][0]["step"] = step
    with pytest.raises(ValueError, match=r"'step' of parameter 0 must be a non-negative whole"):
        opt.load_state_dict(saved)


def test_a_saved_state_dict_loads_with_weights_only(tmp_path):
    _, opt = _adam_steps(mt, GRADS)
    mt.save(opt.state_dict(), tmp_path / "opt.pt")
    back = mt.load(tmp_path / "opt.pt")
    assert isinstance(back["state"][0]["step"], mt.Tensor)
    assert back["state"][0]["step"].dtype == mt.float32


def _lbfgs_state(lib):
    w = lib.nn.Parameter(lib.tensor(W0.copy()))
    opt = lib.optim.LBFGS([w], lr=0.5, max_iter=3)

    def closure():
        opt.zero_grad()
        loss = ((w - 1.0) ** 4).sum()
        loss.backward()
        return loss

    opt.step(closure)
    return w, opt


def _kinds(torch_or_mt, state):
    """The type of each entry PyTorch and we both keep (``al`` is PyTorch's scratch list)."""
    kinds = {}
    for key, value in state.items():
        if key in ("al", "t"):
            continue
        items = value if isinstance(value, list) else [value]
        tensor = [isinstance(v, torch_or_mt.Tensor) for v in items]
        kinds[key] = "tensor" if all(tensor) else "number" if not any(tensor) else "mixed"
    return kinds


def test_lbfgs_state_has_no_step_and_pytorchs_tensors():
    want = reference(
        "optim/state_lbfgs_kinds",
        lambda torch, w0: _kinds(torch, _lbfgs_state(torch)[1].state_dict()["state"][0]),
        w0=W0,
    )
    w, opt = _lbfgs_state(mt)
    state = opt.state_dict()["state"][0]
    assert "step" not in state
    assert _kinds(mt, state) == {str(k): str(v) for k, v in want.items()}


def test_lbfgs_state_dict_round_trips_through_a_weights_only_load(tmp_path):
    w, opt = _lbfgs_state(mt)
    mt.save(opt.state_dict(), tmp_path / "lbfgs.pt")
    w2 = mt.nn.Parameter(w.detach().clone())
    opt2 = mt.optim.LBFGS([w2], lr=0.5, max_iter=3)
    opt2.load_state_dict(mt.load(tmp_path / "lbfgs.pt"))
    again = opt2.state_dict()["state"][0]
    for key, value in opt.state_dict()["state"][0].items():
        if isinstance(value, list):
            for a, b in zip(value, again[key], strict=True):
                np.testing.assert_array_equal(np.asarray(a), np.asarray(b))
        else:
            np.testing.assert_array_equal(np.asarray(value), np.asarray(again[key]))


def test_a_pytorch_sgd_state_without_step_continues_and_adam_needs_one():
    # PyTorch's SGD keeps only momentum_buffer; its presence means a step was taken, so the
    # next step uses the buffer (b = momentum * b + g) instead of starting it afresh (b = g).
    param = mt.nn.Parameter(mt.tensor([1.0, 2.0]))
    sgd = mt.optim.SGD([param], lr=0.1, momentum=0.9)
    groups = [{**{k: v for k, v in sgd.param_groups[0].items() if k != "params"}, "params": [0]}]
    sgd.load_state_dict(
        {"state": {0: {"momentum_buffer": mt.tensor([1.0, 1.0])}}, "param_groups": groups}
    )
    param.grad = mt.tensor([0.5, 0.5])
    sgd.step()
    expected = np.array([1.0, 2.0]) - 0.1 * (0.9 * 1.0 + 0.5)
    np.testing.assert_allclose(param.numpy(force=True), expected, rtol=1e-6)

    adam = mt.optim.Adam([mt.nn.Parameter(mt.ones(2))])
    state = {0: {"exp_avg": mt.zeros(2), "exp_avg_sq": mt.zeros(2)}}
    with pytest.raises(ValueError, match=r"parameter 0 has no 'step' .*Adam needs the number"):
        adam.load_state_dict({"state": state, "param_groups": [{"params": [0]}]})
