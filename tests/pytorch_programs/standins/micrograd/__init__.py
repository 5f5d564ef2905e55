"""A stand-in for micrograd (karpathy/micrograd, not installed): ``engine.Value`` with the API
micrograd's test against PyTorch uses, written for the corpus."""
