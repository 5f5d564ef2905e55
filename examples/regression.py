"""Thesis 4.1: temperature -> ice creams sold, one neuron trained by gradient descent.

The thesis adds a column of ones to the inputs as the bias; ``Linear(1, 1)`` has that bias built
in. Run: python examples/regression.py   (the full experiment with Figs. 67-68:
minitorch-es thesis regression)
"""

import numpy as np

import minitorch_es as mt

# The data of Fig. 65, divided by 10 as in the thesis (small inputs, stable gradients).
temperature, ice_creams = mt.data.datasets.thesis_regression()
x = mt.tensor(temperature.astype(np.float64) / 10)
y = mt.tensor(ice_creams.astype(np.float64) / 10)

model = mt.nn.Linear(1, 1, dtype=mt.float64)  # y_hat = w * x + bias
optimizer = mt.optim.SGD(model.parameters(), lr=0.01)  # plain gradient descent
sum_of_squares = mt.nn.MSELoss(reduction="sum")  # the thesis's error: sum((y_hat - y)^2)

for epoch in range(1500):
    error = sum_of_squares(model(x), y)  # forward propagation
    optimizer.zero_grad()
    # The thesis's update (y_hat - y).T @ x is the gradient of error / 2; with the full error
    # the steps would be twice as long and lr 0.01 would diverge.
    (error / 2).backward()  # backpropagation
    optimizer.step()  # w -= lr * gradient
    if epoch % 300 == 0:
        print(f"epoch {epoch:4d}  error {error.item():.4f}")

w, b = model.weight.item(), model.bias.item()
design = np.hstack([np.ones_like(x.numpy()), x.numpy()])
(b_ls, w_ls), *_ = np.linalg.lstsq(design, y.numpy().ravel(), rcond=None)
print(f"gradient descent: y = {w:.4f} x {b:+.4f}")
print(f"least squares:    y = {w_ls:.4f} x {b_ls:+.4f}")
