"""A stand-in for pandas, which is not installed: the corpus's data tutorial imports it for a
Dataset class it defines but never instantiates."""


def read_csv(*args, **kwargs):
    raise NotImplementedError("the corpus stand-in of pandas cannot read files")
