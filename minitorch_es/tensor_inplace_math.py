"""In-place variants of the elementwise, activation and index-writing methods of `Tensor`
(a mixin): ``exp_``, ``sigmoid_``, ``masked_fill_``, ``scatter_add_`` ... Each runs through
``_inplace`` (see `minitorch_es.tensor_inplace`): a version bump, PyTorch's refusal on a leaf
that requires grad, and the out-of-place op recorded in the graph when autograd is on."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from numpy.typing import ArrayLike

    from .tensor import Tensor


class TensorInplaceMath:
    """In-place elementwise and index-writing methods of `Tensor`."""

    __slots__ = ()

    # ------------------------------------------------------------------- elementwise
    def exp_(self) -> Tensor:
        """`exp` in place."""
        return self._inplace("exp_", lambda s: s.exp())

    def log_(self) -> Tensor:
        """`log` in place."""
        return self._inplace("log_", lambda s: s.log())

    def sqrt_(self) -> Tensor:
        """`sqrt` in place."""
        return self._inplace("sqrt_", lambda s: s.sqrt())

    def abs_(self) -> Tensor:
        """`abs` in place."""
        return self._inplace("abs_", lambda s: s.abs())

    def sin_(self) -> Tensor:
        """`sin` in place."""
        return self._inplace("sin_", lambda s: s.sin())

    def cos_(self) -> Tensor:
        """`cos` in place."""
        return self._inplace("cos_", lambda s: s.cos())

    def reciprocal_(self) -> Tensor:
        """`reciprocal` in place."""
        return self._inplace("reciprocal_", lambda s: s.reciprocal())

    def rsqrt_(self) -> Tensor:
        """`rsqrt` in place."""
        return self._inplace("rsqrt_", lambda s: s.rsqrt())

    def square_(self) -> Tensor:
        """`square` in place."""
        return self._inplace("square_", lambda s: s.square())

    def floor_(self) -> Tensor:
        """`floor` in place."""
        return self._inplace("floor_", lambda s: s.floor())

    def ceil_(self) -> Tensor:
        """`ceil` in place."""
        return self._inplace("ceil_", lambda s: s.ceil())

    def round_(self, decimals: int = 0) -> Tensor:
        """`round` in place."""
        return self._inplace("round_", lambda s: s.round(decimals))

    def trunc_(self) -> Tensor:
        """`trunc` in place."""
        return self._inplace("trunc_", lambda s: s.trunc())

    def frac_(self) -> Tensor:
        """`frac` in place."""
        return self._inplace("frac_", lambda s: s.frac())

    def sign_(self) -> Tensor:
        """`sign` in place."""
        return self._inplace("sign_", lambda s: s.sign())

    def fmod_(self, other: Tensor | ArrayLike) -> Tensor:
        """`fmod` in place."""
        return self._inplace("fmod_", lambda s, o: s.fmod(o), other)

    def remainder_(self, other: Tensor | ArrayLike) -> Tensor:
        """`remainder` in place; the operator ``%=``."""
        return self._inplace("remainder_", lambda s, o: s.remainder(o), other)

    __imod__ = remainder_

    def clamp_min_(self, min: float | Tensor) -> Tensor:
        """`clamp_min` in place."""
        return self._inplace("clamp_min_", lambda s: s.clamp(min=min))

    def clamp_max_(self, max: float | Tensor) -> Tensor:
        """`clamp_max` in place."""
        return self._inplace("clamp_max_", lambda s: s.clamp(max=max))

    def lerp_(self, end: Tensor | ArrayLike, weight: float | Tensor) -> Tensor:
        """`lerp` in place."""
        return self._inplace("lerp_", lambda s, e, w: s.lerp(e, w), end, weight)

    def addcmul_(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        """`addcmul` in place."""
        return self._inplace(
            "addcmul_", lambda s, a, b: s.addcmul(a, b, value=value), tensor1, tensor2
        )

    def addcdiv_(self, tensor1: Tensor, tensor2: Tensor, *, value: float = 1) -> Tensor:
        """`addcdiv` in place."""
        return self._inplace(
            "addcdiv_", lambda s, a, b: s.addcdiv(a, b, value=value), tensor1, tensor2
        )

    def addmm_(self, mat1: Tensor, mat2: Tensor, *, beta: float = 1, alpha: float = 1) -> Tensor:
        """`addmm` in place."""
        return self._inplace(
            "addmm_", lambda s, a, b: s.addmm(a, b, beta=beta, alpha=alpha), mat1, mat2
        )

    # ------------------------------------------------------------------ index writes
    def masked_fill_(self, mask: Tensor | ArrayLike, value: float | Tensor) -> Tensor:
        """`masked_fill` in place (``mask`` broadcasts to this tensor's shape)."""
        return self._inplace("masked_fill_", lambda s, v: s.masked_fill(mask, v), value)

    def index_fill_(self, dim: int, index: Tensor, value: float | Tensor) -> Tensor:
        """`index_fill` in place."""
        return self._inplace("index_fill_", lambda s, v: s.index_fill(dim, index, v), value)

    def index_add_(self, dim: int, index: Tensor, source: Tensor, *, alpha: float = 1) -> Tensor:
        """`index_add` in place."""
        return self._inplace(
            "index_add_", lambda s, src: s.index_add(dim, index, src, alpha=alpha), source
        )

    def index_copy_(self, dim: int, index: Tensor, source: Tensor) -> Tensor:
        """`index_copy` in place."""
        return self._inplace("index_copy_", lambda s, src: s.index_copy(dim, index, src), source)

    def scatter_(
        self,
        dim: int,
        index: Tensor,
        src: Tensor | float | None = None,
        *,
        value: float | None = None,
        reduce: str | None = None,
    ) -> Tensor:
        """`scatter` in place."""
        return self._inplace(
            "scatter_", lambda s, v: s.scatter(dim, index, v, value=value, reduce=reduce), src
        )

    def scatter_add_(self, dim: int, index: Tensor, src: Tensor) -> Tensor:
        """`scatter_add` in place."""
        return self._inplace("scatter_add_", lambda s, v: s.scatter_add(dim, index, v), src)

    def masked_scatter_(self, mask: Tensor, source: Tensor) -> Tensor:
        """`masked_scatter` in place."""
        return self._inplace("masked_scatter_", lambda s, src: s.masked_scatter(mask, src), source)

    def fill_diagonal_(self, fill_value: float, wrap: bool = False) -> Tensor:
        """Set the main diagonal (all indices equal) to ``fill_value``; for a tall matrix,
        ``wrap=True`` restarts the diagonal every ``ncols + 1`` rows, as NumPy."""
        import numpy as np

        if self.ndim < 2 or (self.ndim > 2 and len(set(self.shape)) != 1):
            raise RuntimeError(
                f"fill_diagonal_: dimensions must be larger than 1 and all equal, got shape "
                f"{tuple(self.shape)}"
            )
        mask = np.zeros(self.shape, dtype=bool)
        np.fill_diagonal(mask, True, wrap=wrap)
        return self.masked_fill_(mask, fill_value)

    # --------------------------------------------------------- shape, in place
    def t_(self) -> Tensor:
        """`t` in place: this tensor becomes its transpose."""
        return _reshaped(self, "t_", lambda s: s.t())

    def transpose_(self, dim0: int, dim1: int) -> Tensor:
        """`transpose` in place."""
        return _reshaped(self, "transpose_", lambda s: s.transpose(dim0, dim1))

    def unsqueeze_(self, dim: int) -> Tensor:
        """`unsqueeze` in place."""
        return _reshaped(self, "unsqueeze_", lambda s: s.unsqueeze(dim))

    def squeeze_(self, dim: int | tuple[int, ...] | None = None) -> Tensor:
        """`squeeze` in place."""
        return _reshaped(self, "squeeze_", lambda s: s.squeeze(dim))


def _reshaped(t: TensorInplaceMath, name: str, view: object) -> Tensor:
    """Make ``t`` the view ``view(t)`` of its own memory (a new shape or order of dims);
    inside the graph ``t`` takes over the view's node, as PyTorch's in-place view ops."""
    from .autograd import grad_mode
    from .tensor_inplace import _point_output

    if not (grad_mode._enabled and t._requires_grad):
        t._data = view(t.detach())._data
        return t
    if t._ctx is None:
        raise RuntimeError(
            f"{name}: a leaf Variable that requires grad is being used in an in-place "
            f"operation. (Wrap the update in mt.no_grad(), or use the out-of-place form.)"
        )
    old = t._wrap(t._data)
    old._version, old._requires_grad, old._ctx, old._out = t._version, True, t._ctx, t._out
    _point_output(old._ctx, old._out, old)
    out = view(old)
    t._data, t._ctx, t._out = out._data, out._ctx, out._out
    _point_output(out._ctx, out._out, t)
    return t
