"""Beyond the thesis (section 3.9): a small convolutional network on MNIST, >= 99% test accuracy.

Convolution (3x3 kernels) -> batch normalization -> ReLU -> max pooling, twice, then flattening
and a fully connected network, as in Fig. 63. Each kernel slides over the image and fills a
feature map (Figs. 60-61); max pooling keeps the largest value of each 2x2 window (Fig. 62).
Batch normalization (not in the thesis) rescales each feature map over the batch, which lets
the network reach 99% in about half the epochs.

Run: python examples/mnist_cnn.py [MNIST_DIR] [EPOCHS]
"""

import sys

import numpy as np

import minitorch_es as mt

data_dir = sys.argv[1] if len(sys.argv) > 1 else None
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5

(x_train, y_train), (x_test, y_test) = mt.data.datasets.load_mnist(data_dir)
# Images keep their grid: (batch, channels=1, 28, 28).
x_train = x_train[:, None].astype(np.float32) / 255
x_test = x_test[:, None].astype(np.float32) / 255

mt.manual_seed(0)
model = mt.nn.Sequential(
    mt.nn.Conv2d(1, 16, kernel_size=3, bias=False),  # 16 feature maps of 26 x 26
    mt.nn.BatchNorm2d(16),
    mt.nn.ReLU(),
    mt.nn.MaxPool2d(2),  # 13 x 13
    mt.nn.Conv2d(16, 32, kernel_size=3, bias=False),  # 32 feature maps of 11 x 11
    mt.nn.BatchNorm2d(32),
    mt.nn.ReLU(),
    mt.nn.MaxPool2d(2),  # 5 x 5
    mt.nn.Flatten(),  # 32 * 5 * 5 = 800 values
    mt.nn.Linear(800, 64, activation="relu"),
    mt.nn.Linear(64, 10),
)
model.summary()

optimizer = mt.optim.Adam(model.parameters(), lr=2e-3)
scheduler = mt.optim.lr_scheduler.CosineAnnealingLR(optimizer, T_max=epochs)  # lr -> 0
trainer = mt.Trainer(
    model, optimizer=optimizer, loss="cross_entropy", metrics=["accuracy"], scheduler=scheduler
)
trainer.fit(x_train, y_train, epochs=epochs, batch_size=128, validation_split=0.1, verbose=2)
print(f"test accuracy: {trainer.evaluate(x_test, y_test, batch_size=1000)['accuracy']:.2%}")
