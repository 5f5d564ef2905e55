"""A stand-in for IPython (not installed): nn_tutorial imports ``set_trace`` and leaves the
call commented out."""
