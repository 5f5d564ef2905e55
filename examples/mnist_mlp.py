"""Thesis 4.4: handwritten digits (MNIST) with the thesis's multilayer perceptron.

784 pixels -> 64 ReLU units (L2 activity regularization 0.001) -> 32 ReLU units -> 10 classes,
Adam, batches of 128, 10% of the training images held out for validation, 50 epochs.
The thesis's softmax output + categorical cross-entropy is ``CrossEntropyLoss`` on the raw
outputs (logits) with integer labels: the same loss, fused into one stable operation.

Run: python examples/mnist_mlp.py [MNIST_DIR] [EPOCHS]
(MNIST_DIR holds the four IDX files; without it MINITORCH_ES_DATA, the cache, or a download.)
"""

import sys

import numpy as np

import minitorch_es as mt

data_dir = sys.argv[1] if len(sys.argv) > 1 else None
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 50

(x_train, y_train), (x_test, y_test) = mt.data.datasets.load_mnist(data_dir)
# Flattening: each 28 x 28 image becomes a vector of 784 values in [0, 1] (Fig. 78).
x_train = x_train.reshape(-1, 784).astype(np.float32) / 255
x_test = x_test.reshape(-1, 784).astype(np.float32) / 255

mt.manual_seed(0)
model = mt.nn.Sequential(
    mt.nn.Linear(784, 64, activation="relu", activity_regularizer=mt.regularizers.l2(0.001)),
    mt.nn.Linear(64, 32, activation="relu"),
    mt.nn.Linear(32, 10),
)
model.summary()

trainer = mt.Trainer(model, optimizer="adam", loss="categorical_crossentropy", metrics=["accuracy"])
history = trainer.fit(
    x_train, y_train, epochs=epochs, batch_size=128, validation_split=0.1, verbose=2
)
test = trainer.evaluate(x_test, y_test, batch_size=1000)
print(
    f"train {history.history['accuracy'][-1]:.2%}, validation "
    f"{history.history['val_accuracy'][-1]:.2%}, test {test['accuracy']:.2%} "
    f"(thesis: 98%, 96%, 95%)"
)

try:  # Fig. 79
    fig = history.plot(["accuracy"])
    fig.savefig("mnist_mlp_accuracy.png")
    print("saved mnist_mlp_accuracy.png")
except ImportError as e:
    print(e)
