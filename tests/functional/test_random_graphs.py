"""Property: any graph of Inputs, (shared) Dense layers, merges and nested models survives
``to_json``/``model_from_json`` and ``save``/``load_model`` with identical predictions."""
import warnings

import numpy as np
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tinygrad_keras.layers import Dense, Input, merge
from tinygrad_keras.models import Model, load_model, model_from_json

WIDTH = 3


def build_graph(data) -> Model:
    """Every tensor is (None, WIDTH), so any step may use any earlier tensors."""
    inputs = [Input(shape=(WIDTH,)) for _ in range(data.draw(st.integers(1, 2), label="inputs"))]
    tensors, dense_layers = list(inputs), []
    for _ in range(data.draw(st.integers(1, 6), label="steps")):
        kind = data.draw(st.sampled_from(["dense", "shared", "merge", "nested"]), label="kind")
        pick = data.draw(st.integers(0, len(tensors) - 1), label="pick")
        if kind == "merge" and len(tensors) > 1:
            other = data.draw(st.integers(0, len(tensors) - 1), label="other")
            mode = data.draw(st.sampled_from(["sum", "mul", "ave", "max"]), label="mode")
            tensors.append(merge([tensors[pick], tensors[other]], mode=mode))
        elif kind == "shared" and dense_layers:
            layer = dense_layers[data.draw(st.integers(0, len(dense_layers) - 1), label="layer")]
            tensors.append(layer(tensors[pick]))
        elif kind == "nested":
            x = Input(shape=(WIDTH,))
            inner = Model(x, Dense(WIDTH, activation="tanh")(x))
            tensors.append(inner(tensors[pick]))
        else:
            dense_layers.append(Dense(WIDTH, activation="tanh"))
            tensors.append(dense_layers[-1](tensors[pick]))
    outputs = [tensors[-1]]
    extra = data.draw(st.integers(0, len(tensors) - 1), label="extra output")
    if tensors[extra] is not tensors[-1] and not any(tensors[extra] is t for t in inputs):
        outputs.append(tensors[extra])
    used = [t for t in inputs if _depends_on(outputs, t)]
    return Model(input=used or inputs[:1], output=outputs if used else [inputs[0]])


def _depends_on(outputs, tensor) -> bool:
    from tinygrad_keras.engine.container import get_source_inputs
    return any(any(s is tensor for s in get_source_inputs(o)) for o in outputs)


def predictions(model, xs):
    out = model.predict(xs)
    return out if isinstance(out, list) else [out]


@settings(max_examples=25, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data())
def test_random_graph_round_trips(tmp_path, data):
    model = build_graph(data)
    xs = [np.random.uniform(-1, 1, (2, WIDTH)).astype("float32") for _ in model.inputs]
    expected = predictions(model, xs)
    rebuilt = model_from_json(model.to_json())
    rebuilt.set_weights(model.get_weights())
    path = str(tmp_path / "graph.h5")
    model.save(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        loaded = load_model(path)
    assert [la.name for la in loaded.layers] == [la.name for la in model.layers]
    for other in (rebuilt, loaded):
        for a, b in zip(predictions(other, xs), expected):
            np.testing.assert_array_equal(a, b)
