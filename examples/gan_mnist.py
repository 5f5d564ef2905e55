"""Beyond the thesis (section 3.9): a generative adversarial network (GAN) that draws digits.

Two networks compete. The generator turns random noise into 28 x 28 images; the discriminator
(the "detective") says whether an image is a real MNIST digit or a generated one. Each has its
own optimizer. The discriminator learns from real images (label 1) and generated ones (label
0); the generated images are ``detach()``-ed for that step, so its loss does not reach the
generator. The generator then learns to make the discriminator answer 1.

Run: python examples/gan_mnist.py [MNIST_DIR] [EPOCHS] [OUT.png]   (about 8 s per epoch on an
idle 2-core machine; the digits are recognisable after about 30 epochs, the default)
"""

import sys
import time

import numpy as np

import minitorch_es as mt

data_dir = sys.argv[1] if len(sys.argv) > 1 else None
epochs = int(sys.argv[2]) if len(sys.argv) > 2 else 30
out_png = sys.argv[3] if len(sys.argv) > 3 else "gan_digits.png"
NOISE, BATCH = 64, 128

(x_train, _), _ = mt.data.datasets.load_mnist(data_dir)
# Pixels scaled to [-1, 1], the range of the generator's tanh output.
real_images = x_train.reshape(-1, 784).astype(np.float32) / 127.5 - 1

mt.manual_seed(0)
generator = mt.nn.Sequential(
    mt.nn.Linear(NOISE, 256),
    mt.nn.LeakyReLU(0.2),
    mt.nn.Linear(256, 512),
    mt.nn.LeakyReLU(0.2),
    mt.nn.Linear(512, 784),
    mt.nn.Tanh(),
)
discriminator = mt.nn.Sequential(
    mt.nn.Linear(784, 512),
    mt.nn.LeakyReLU(0.2),
    mt.nn.Linear(512, 256),
    mt.nn.LeakyReLU(0.2),
    mt.nn.Linear(256, 1),
)  # a logit: "how real does this look?"
opt_g = mt.optim.Adam(generator.parameters(), lr=2e-4, betas=(0.5, 0.999))
opt_d = mt.optim.Adam(discriminator.parameters(), lr=2e-4, betas=(0.5, 0.999))
bce = mt.nn.BCEWithLogitsLoss()  # sigmoid + binary cross-entropy, fused
ones, zeros = mt.ones(BATCH, 1), mt.zeros(BATCH, 1)
loader = mt.data.DataLoader(
    mt.data.TensorDataset(real_images), batch_size=BATCH, shuffle=True, drop_last=True
)

for epoch in range(epochs):
    start = time.perf_counter()
    for (real,) in loader:
        fake = generator(mt.randn(BATCH, NOISE))
        # 1) The discriminator: real -> 1, generated -> 0 (detach: leave the generator alone).
        loss_d = bce(discriminator(real), ones) + bce(discriminator(fake.detach()), zeros)
        opt_d.zero_grad()
        loss_d.backward()
        opt_d.step()
        # 2) The generator: make the discriminator say 1 for its images.
        loss_g = bce(discriminator(fake), ones)
        opt_g.zero_grad()
        loss_g.backward()
        opt_g.step()
    print(
        f"epoch {epoch + 1}/{epochs}: discriminator loss {loss_d.item():.3f}, generator loss "
        f"{loss_g.item():.3f} ({time.perf_counter() - start:.0f} s)",
        flush=True,
    )

# A grid of 8 x 8 generated digits.
generator.eval()
with mt.no_grad():
    digits = generator(mt.randn(64, NOISE)).numpy().reshape(8, 8, 28, 28)
grid = (digits.transpose(0, 2, 1, 3).reshape(8 * 28, 8 * 28) + 1) / 2
grid = np.kron(grid, np.ones((3, 3)))  # each pixel 3 x 3: easier to look at
try:
    import matplotlib.image
except ImportError:
    np.save(out_png.replace(".png", ".npy"), grid)
    print("matplotlib missing (pip install minitorch-es[plot]): saved the grid as .npy")
else:
    matplotlib.image.imsave(out_png, grid, cmap="gray_r")
    print(f"saved {out_png}")
