"""Run by tests/test_distributed_resize.py, on 1 rank (plain python) or 2 (mpiexec -n 2):
``python resize_child.py OUT TASK [TASK ...]`` with tasks

* ``full``: fit 4 epochs (shuffled) with a global batch of 16, writing a checkpoint at the end
  of each epoch (``<world>-<epoch>.h5``) and one after 2 steps of epoch 2 (``<world>-mid.h5``);
* ``resume:<file>``: the same fit resumed from ``OUT/<file>`` by a model built differently;
* ``evaluate:<file>``: ``evaluate`` and ``predict`` of the weights in ``OUT/<file>``.

Rank 0 saves each task's results as ``OUT/<task>-on<world>.npz``."""

import sys

import numpy as np

import minitorch_es as mt

out, tasks = sys.argv[1], sys.argv[2:]
world = mt.distributed.world_size()
rank = mt.distributed.rank()
GLOBAL_BATCH = 16

rng = np.random.default_rng(0)
x, y = rng.normal(size=(96, 5)).astype(np.float32), rng.integers(0, 3, 96)
xv, yv = rng.normal(size=(20, 5)).astype(np.float32), rng.integers(0, 3, 20)
xt, yt = rng.normal(size=(45, 5)).astype(np.float32), rng.integers(0, 3, 45)


def model(seed):
    mt.manual_seed(seed)
    return mt.nn.Sequential(mt.nn.Linear(5, 12), mt.nn.Tanh(), mt.nn.Linear(12, 3))


class SaveMidEpoch(mt.Callback):  # after 2 steps of epoch 2: 32 samples of its order
    def __init__(self, path):
        self.path = path

    def on_batch_end(self, batch, logs=None):
        if self.trainer._epoch_index == 1 and batch == 1:
            t = self.trainer
            mt.save_checkpoint(self.path, model=t.model, optimizer=t.optimizer, trainer=t)


def fit(resume_from=None):
    net = model(0 if resume_from is None else 7)
    tag = f"{world}" if resume_from is None else f"resumed-{world}"
    callbacks = [
        mt.callbacks.ModelCheckpoint(f"{out}/{tag}-{{epoch}}.h5"),
        SaveMidEpoch(f"{out}/{tag}-mid.h5"),
    ]
    trainer = mt.Trainer(net, mt.optim.Adam(net.parameters(), lr=0.02), metrics=["accuracy"])
    trainer.fit(
        x,
        y,
        epochs=4,
        batch_size=GLOBAL_BATCH // world,
        validation_data=(xv, yv),
        callbacks=callbacks,
        verbose=0,
        resume_from=resume_from,
    )
    weights = {k: v.numpy() for k, v in net.state_dict().items()}
    history = {k: np.array(v) for k, v in trainer.history.history.items()}
    return {**weights, **{f"history {k}": v for k, v in history.items()}}


def evaluate(path):
    net = model(3)
    mt.load_checkpoint(path, model=net, restore_rng=False)
    trainer = mt.Trainer(net, "sgd", metrics=["accuracy"])
    logs = trainer.evaluate(xt, yt, batch_size=7)
    return {
        "loss": np.array(logs["loss"]),
        "accuracy": np.array(logs["accuracy"]),
        "predict": trainer.predict(xt, batch_size=7),
        "predict dataset": trainer.predict(mt.utils.data.TensorDataset(mt.tensor(xt)), 6),
    }


for task in tasks:
    name, _, arg = task.partition(":")
    found = {
        "full": lambda _: fit(),
        "resume": lambda f: fit(f"{out}/{f}"),
        "evaluate": lambda f: evaluate(f"{out}/{f}"),
    }[name](arg)
    if rank == 0:
        np.savez(f"{out}/{task.replace(':', '-')}-on{world}.npz", **found)
