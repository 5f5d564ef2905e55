"""Deploy the thesis's MNIST CNN: train it, export it to ONNX, and classify the MNIST test set
with ONNX Runtime and with minitorch_es: the two accuracies are the same.

The exported file (mnist_cnn.onnx) opens in Netron (https://netron.app) and runs anywhere ONNX
Runtime does; the checkpoint (mnist_cnn.h5) also exports from the command line with
``minitorch-es export mnist_cnn.h5 --out mnist_cnn.onnx``.

Run: python examples/onnx_mnist_cnn.py [MNIST_DIR] [EPOCHS]
(needs the onnx extra: pip install 'minitorch-es[onnx]')
"""

import sys
import time

import numpy as np
import onnxruntime as ort

import minitorch_es as mt
from minitorch_es.thesis import mnist

data_dir = sys.argv[1] if len(sys.argv) > 1 else None
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 5

(x_train, y_train), (x_test, y_test) = mt.data.datasets.load_mnist(data_dir)
x_train = x_train[:, None].astype(np.float32) / 255  # (N, 1, 28, 28)
x_test = x_test[:, None].astype(np.float32) / 255

mt.manual_seed(0)
model = mnist.cnn()  # conv-bn-relu-pool x 2, flatten, 800 -> 64 -> 10 (thesis Fig. 63)
optimizer, scheduler = mnist.cnn_optimizer(model, epochs)
trainer = mt.Trainer(model, optimizer=optimizer, loss="cross_entropy", scheduler=scheduler)
start = time.perf_counter()
trainer.fit(x_train, y_train, epochs=epochs, batch_size=128, verbose=0)
print(f"trained {epochs} epochs in {time.perf_counter() - start:.0f} s")
mt.save_checkpoint("mnist_cnn.h5", model=model, input_shape=[1, 28, 28])

mt.onnx.export(
    model,
    mt.tensor(x_test[:2]),  # an example batch: the graph is traced on it
    "mnist_cnn.onnx",
    input_names=["image"],
    output_names=["logits"],
    dynamic_axes={"image": {0: "batch"}, "logits": {0: "batch"}},
)

session = ort.InferenceSession("mnist_cnn.onnx", providers=["CPUExecutionProvider"])
model.eval()
ours, theirs = [], []
with mt.no_grad():
    for i in range(0, len(x_test), 1000):
        batch = x_test[i : i + 1000]
        ours.append(model(mt.tensor(batch)).numpy())
        theirs.append(session.run(["logits"], {"image": batch})[0])
ours, theirs = np.concatenate(ours), np.concatenate(theirs)
for name, logits in (("minitorch_es", ours), ("ONNX Runtime", theirs)):
    print(f"{name:>12}: test accuracy {np.mean(logits.argmax(1) == y_test):.2%}")
print(
    f"same class for {np.sum(ours.argmax(1) == theirs.argmax(1))} of {len(y_test)} images; "
    f"largest logit difference {np.abs(ours - theirs).max():.1e}"
)
