def set_trace(*args, **kwargs):
    raise NotImplementedError("the corpus stand-in of IPython has no debugger")
