"""``F.conv1d``, ``F.conv_transpose1d`` and ``F.conv_transpose2d`` on the 2-D convolution
kernels (`conv_kernels`, `conv_ops`).

A 1-D convolution is a 2-D one over a unit height: the input ``(N, C, L)`` is seen as
``(N, C, 1, L)`` and the weight ``(O, C/g, K)`` as ``(O, C/g, 1, K)`` (views, so the
gradients reach the original tensors). A transposed convolution is the convolution's input
gradient as an op of its own, `conv_ops.ConvTranspose2dFunction`, whose derivatives are the
convolution and its weight gradient: every order of derivative runs on the same kernels.
``output_padding`` extends the output at the bottom/right: into the rows that ``padding``
would crop (a smaller bottom/right padding), beyond them as zeros.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from minitorch_es.validation import check_int, check_tensor

from .conv import resolve_padding
from .conv_ops import Conv2dFunction, ConvTranspose2dFunction
from .im2col import output_size
from .pad import pad

if TYPE_CHECKING:
    from minitorch_es import Tensor

IntOrTuple = int | Sequence[int]


class ConvTransposeFunction(ConvTranspose2dFunction):
    """`conv_ops.ConvTranspose2dFunction` called as a layer (PyTorch names its node as it
    names a convolution's)."""

    backward_name = "ConvolutionBackward0"  # PyTorch's node name (grad_fn)


def ntuple(value: IntOrTuple, n: int, name: str, where: str, low: int = 0) -> tuple:
    """An int or ``n`` ints (each ``>= low``) as an ``n``-tuple (PyTorch's ``_ntuple``)."""
    items = list(value) if isinstance(value, (tuple, list)) else [value] * n
    if len(items) != n:
        raise ValueError(
            f"{where}: {name} must be an int or a tuple of {n} ints, got {len(items)} values "
            f"{tuple(items)}"
        )
    return tuple(check_int(v, name, where, low=low) for v in items)


def check_input(op: str, input: Tensor, weight: Tensor, dims: int, transposed: bool) -> None:
    """PyTorch's checks of a convolution's input rank and channels against its weight."""
    check_tensor(input, "input", op)
    check_tensor(weight, "weight", op)
    if input.ndim not in (dims + 1, dims + 2):
        raise RuntimeError(
            f"Expected {dims + 1}D (unbatched) or {dims + 2}D (batched) input to {op}, but got "
            f"input of size: {list(input.shape)}"
        )
    if weight.ndim != dims + 2:
        raise RuntimeError(f"{op}: expected a {dims + 2}-D weight, got shape {list(weight.shape)}")


def _channels_error(op: str, input: Tensor, weight: Tensor, groups: int, expected: int) -> None:
    got = input.shape[-weight.ndim + 1]
    if got != expected:
        kind = "transposed=1, " if "transpose" in op else ""
        raise RuntimeError(
            f"{op}: Given {kind}groups={groups}, weight of size {list(weight.shape)}, expected "
            f"input{list(input.shape)} to have {expected} channels, but got {got} channels "
            f"instead"
        )


def padding_1d(where: str, padding: IntOrTuple | str, kernel: int, stride: int, dilation: int):  # noqa: ANN201
    """``(left, right)`` zero padding of a 1-D convolution: an int (or one-int tuple),
    ``'valid'``, or ``'same'`` (stride 1 only; the odd extra element on the right)."""
    if not isinstance(padding, str):
        (p,) = ntuple(padding, 1, "padding", where)
        return p, p
    if padding == "same" and stride != 1:
        raise ValueError(
            f"{where}: padding='same' is not supported for strided convolutions (got "
            f"stride={stride})"
        )
    return resolve_padding(where, padding, (1, kernel), (1, 1), (1, dilation))[2:]


def conv1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple | str = 0,
    dilation: IntOrTuple = 1,
    groups: int = 1,
) -> Tensor:
    """``F.conv1d`` on ``(N, C, L)`` (or ``(C, L)``) input with zero padding (an int,
    ``'valid'`` or ``'same'``)."""
    check_input("conv1d", input, weight, 1, False)
    groups = check_int(groups, "groups", "conv1d", low=1)
    _channels_error("conv1d", input, weight, groups, weight.shape[1] * groups)
    (s,) = ntuple(stride, 1, "stride", "conv1d", 1)
    (d,) = ntuple(dilation, 1, "dilation", "conv1d", 1)
    left, right = padding_1d("conv1d", padding, weight.shape[2], s, d)
    x = input if input.ndim == 3 else input.unsqueeze(0)
    length = x.shape[-1] + left + right
    if output_size(length, weight.shape[2], 1, 0, d) < 1:
        raise RuntimeError(
            f"conv1d: Calculated padded input size per channel: ({length}). Kernel size: "
            f"({d * (weight.shape[2] - 1) + 1}). Kernel size can't be greater than actual "
            f"input size"
        )
    out = Conv2dFunction.apply(
        x.unsqueeze(2),
        weight.unsqueeze(2),
        bias,
        stride=(1, s),
        pads=(0, 0, left, right),
        dilation=(1, d),
        groups=groups,
    ).squeeze(2)
    return out if input.ndim == 3 else out.squeeze(0)


def transposed_size(
    size: int, kernel: int, stride: int, padding: int, out_pad: int, dilation: int
) -> int:
    """The output length of a transposed convolution (PyTorch's formula)."""
    return (size - 1) * stride - 2 * padding + dilation * (kernel - 1) + out_pad + 1


def conv_transpose(
    op: str,
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None,
    stride: IntOrTuple,
    padding: IntOrTuple,
    output_padding: IntOrTuple,
    groups: int,
    dilation: IntOrTuple,
    dims: int,
) -> Tensor:
    """The transposed convolution of ``dims`` (1 or 2) spatial dimensions."""
    check_input(op, input, weight, dims, True)
    groups = check_int(groups, "groups", op, low=1)
    _channels_error(op, input, weight, groups, weight.shape[0])
    s, p, op_, d = (
        ntuple(v, dims, name, op, low)
        for v, name, low in (
            (stride, "stride", 1),
            (padding, "padding", 0),
            (output_padding, "output_padding", 0),
            (dilation, "dilation", 1),
        )
    )
    if any(o >= max(st, di) for o, st, di in zip(op_, s, d)):
        raise RuntimeError(
            f"{op}: output padding must be smaller than either stride or dilation, but got "
            f"output_padding={op_}, stride={s}, dilation={d}"
        )
    batched = input.ndim == dims + 2
    x = input if batched else input.unsqueeze(0)
    w = weight
    if dims == 1:  # a unit height
        x, w = x.unsqueeze(2), weight.unsqueeze(2)
        s, p, op_, d = (1, *s), (0, *p), (0, *op_), (1, *d)
    kernel = tuple(w.shape[2:])
    full = tuple(transposed_size(*a) for a in zip(x.shape[2:], kernel, s, p, op_, d))
    if min(full) < 1:
        raise RuntimeError(
            f"{op}: Given input size per channel: {tuple(input.shape[-dims:])}. Calculated "
            f"output size per channel: {full[-dims:]}. Output size is too small"
        )
    # output_padding first uses up the bottom/right padding, then adds zeros (see the notes)
    inner = tuple(max(pi - oi, 0) for pi, oi in zip(p, op_))
    zeros = tuple(max(oi - pi, 0) for pi, oi in zip(p, op_))
    shape = (x.shape[0], w.shape[1] * groups, *(f - z for f, z in zip(full, zeros)))
    pads = (p[0], inner[0], p[1], inner[1])
    out = ConvTransposeFunction.apply(x, w, input_shape=shape, options=(s, pads, d, groups))
    if any(zeros):
        out = pad(out, (0, zeros[1], 0, zeros[0]))
    if bias is not None:
        out = out + bias.reshape(-1, 1, 1)
    if dims == 1:
        out = out.squeeze(2)
    return out if batched else out.squeeze(0)


def conv_transpose2d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> Tensor:
    """``F.conv_transpose2d``: the transposed convolution of ``(N, C_in, H, W)`` (or
    unbatched) input with a ``(C_in, C_out / groups, kh, kw)`` weight."""
    return conv_transpose(
        "conv_transpose2d",
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        2,
    )


def conv_transpose1d(
    input: Tensor,
    weight: Tensor,
    bias: Tensor | None = None,
    stride: IntOrTuple = 1,
    padding: IntOrTuple = 0,
    output_padding: IntOrTuple = 0,
    groups: int = 1,
    dilation: IntOrTuple = 1,
) -> Tensor:
    """``F.conv_transpose1d``: the transposed convolution of ``(N, C_in, L)`` (or unbatched)
    input with a ``(C_in, C_out / groups, K)`` weight."""
    return conv_transpose(
        "conv_transpose1d",
        input,
        weight,
        bias,
        stride,
        padding,
        output_padding,
        groups,
        dilation,
        1,
    )
