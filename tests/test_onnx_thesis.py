"""The thesis's MNIST models exported: the graphs, and a trained CNN that classifies in ONNX
Runtime exactly as in minitorch_es. (The full MNIST run is examples/onnx_mnist_cnn.py.)"""

import numpy as np
from onnx_helpers import check, expected, op_types, session, with_statistics

import minitorch_es as mt
from minitorch_es.thesis import mnist


def test_the_thesis_models(rng):
    check(mnist.mlp(), rng.uniform(size=(3, 784)).astype(np.float32))
    cnn = mnist.cnn()
    for layer in cnn:
        if isinstance(layer, mt.nn.BatchNorm2d):
            with_statistics(layer, rng)
    proto = check(cnn, rng.uniform(size=(2, 1, 28, 28)).astype(np.float32))
    assert op_types(proto) == [
        *["Conv", "BatchNormalization", "Relu", "MaxPool"] * 2,
        "Reshape",
        "Gemm",
        "Relu",
        "Gemm",
    ]
    dims = proto.graph.input[0].type.tensor_type.shape.dim
    assert dims[0].dim_param == "batch" and [d.dim_value for d in dims[1:]] == [1, 28, 28]
    out = proto.graph.output[0].type.tensor_type.shape.dim
    assert out[0].dim_param == "batch" and out[1].dim_value == 10


def squares(rng, n):
    """Ten classes of 28 x 28 images: a bright square at one of ten places, in noise."""
    labels = rng.integers(0, 10, size=n)
    x = rng.uniform(0, 0.4, size=(n, 1, 28, 28)).astype(np.float32)
    for image, k in zip(x, labels):
        row, col = divmod(int(k), 5)
        image[0, 3 + 12 * row : 11 + 12 * row, 1 + 5 * col : 6 + 5 * col] += 0.6
    return x, labels


def test_a_trained_cnn_classifies_as_in_minitorch_es(rng):
    x, y = squares(rng, 700)
    mt.manual_seed(0)
    model = mnist.cnn()
    optimizer, _ = mnist.cnn_optimizer(model, 1)
    mt.Trainer(model, optimizer=optimizer, loss="cross_entropy").fit(
        x[:500], y[:500], epochs=1, batch_size=50, verbose=0
    )
    proto = mt.onnx.export(
        model, mt.tensor(x[:2]), None, input_names=["image"], dynamic_axes={"image": [0]}
    )
    test, labels = x[500:], y[500:]
    (theirs,) = session(proto).run(None, {"image": test})
    (ours,) = expected(model, test)
    accuracy = np.mean(ours.argmax(1) == labels)
    assert accuracy > 0.9  # a trained model, not a random one
    assert np.mean(theirs.argmax(1) == labels) == accuracy
    assert np.array_equal(theirs.argmax(1), ours.argmax(1))
    np.testing.assert_allclose(theirs, ours, rtol=0, atol=1e-5)


def test_the_xor_network_written_as_one_function(rng):
    from minitorch_es.thesis import xor

    wih, who = rng.uniform(size=(2, 5)), rng.uniform(size=(5, 1))
    x = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
    function_xor = xor.FunctionXOR(wih.astype(np.float32), who.astype(np.float32))
    proto = check(function_xor, x)
    assert op_types(proto) == ["MatMul", "Sigmoid", "MatMul", "Sigmoid"]
    layers = xor.layer_xor(wih.astype(np.float32), who.astype(np.float32))
    np.testing.assert_allclose(expected(layers, x)[0], expected(function_xor, x)[0], atol=1e-6)
