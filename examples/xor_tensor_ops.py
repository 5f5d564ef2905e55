"""XOR with nothing but Tensor operations: the thesis's 2-layer network, autograd does the rest.

Run: python examples/xor_tensor_ops.py
"""

from minitorch_es.demos import train_xor

if __name__ == "__main__":
    pred, losses = train_xor()
    print("predictions:", pred.numpy().ravel().round(3), "final loss:", round(losses[-1], 5))
