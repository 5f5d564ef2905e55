"""``Value``: a scalar with reverse-mode autodiff, micrograd's interface (data, grad, + - * /
**, relu, backward), implemented here for the corpus."""


class Value:
    def __init__(self, data, _parents=(), _local_grads=()):
        self.data = data
        self.grad = 0.0
        self._parents = _parents
        self._local_grads = _local_grads  # d self / d parent, one per parent

    @staticmethod
    def _wrap(other):
        return other if isinstance(other, Value) else Value(other)

    def __add__(self, other):
        other = self._wrap(other)
        return Value(self.data + other.data, (self, other), (1.0, 1.0))

    def __mul__(self, other):
        other = self._wrap(other)
        return Value(self.data * other.data, (self, other), (other.data, self.data))

    def __pow__(self, exponent):
        assert isinstance(exponent, (int, float)), "only numeric exponents"
        local = exponent * self.data ** (exponent - 1)
        return Value(self.data**exponent, (self,), (local,))

    def relu(self):
        positive = self.data > 0
        return Value(self.data if positive else 0.0, (self,), (1.0 if positive else 0.0,))

    def backward(self):
        order, seen = [], set()
        stack = [(self, False)]
        while stack:  # iterative topological sort: parents before children
            node, expanded = stack.pop()
            if expanded:
                order.append(node)
            elif id(node) not in seen:
                seen.add(id(node))
                stack.append((node, True))
                stack.extend((p, False) for p in node._parents)
        self.grad = 1.0
        for node in reversed(order):
            for parent, local in zip(node._parents, node._local_grads):
                parent.grad += local * node.grad

    def __neg__(self):
        return self * -1

    def __radd__(self, other):
        return self + other

    def __sub__(self, other):
        return self + (-other)

    def __rsub__(self, other):
        return other + (-self)

    def __rmul__(self, other):
        return self * other

    def __truediv__(self, other):
        return self * self._wrap(other) ** -1

    def __rtruediv__(self, other):
        return other * self**-1

    def __repr__(self):
        return f"Value(data={self.data}, grad={self.grad})"
