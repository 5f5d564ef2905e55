"""``save_image``: accepted and checked, nothing written (the programs' image files are not
part of what the corpus compares)."""


def save_image(tensor, fp, nrow=8, **kwargs):
    if tensor.ndim != 4:
        raise ValueError(
            f"save_image expects a (B, C, H, W) batch, got shape {tuple(tensor.shape)}"
        )
