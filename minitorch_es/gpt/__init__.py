"""``minitorch-es gpt``: a character-level GPT (decoder-only Transformer) trained on any UTF-8
text (the thesis by default in the docs), with the registered layers and ``mt.Trainer``.

    from minitorch_es.gpt import CharGPT, TrainConfig, read_text, sample_text, train
    model, tokenizer, history = train(read_text("tesis.txt"), "run", {"d_model": 128},
                                      TrainConfig(epochs=10))
    print(sample_text(model, tokenizer, "La red", 200, temperature=0.8, top_k=10))
"""

from .data import read_text, split_tokens, windows
from .model import CharGPT, sample, sequence_cross_entropy
from .tokenizer import CharTokenizer
from .train import TrainConfig, bits_per_character, load_run, sample_text, save_run, train

__all__ = [
    "CharGPT",
    "CharTokenizer",
    "TrainConfig",
    "bits_per_character",
    "load_run",
    "read_text",
    "sample",
    "sample_text",
    "save_run",
    "sequence_cross_entropy",
    "split_tokens",
    "train",
    "windows",
]
