"""PyRCN's ESNClassifier on one set, run by benchmarks/classification.py in PyRCN's own
environment (``PYRCN_PYTHON``: it pins torch): ``python pyrcn_recipe.py DATA.npz`` prints a
JSON line with the test errors and the fit + predict seconds of 2 runs after a warm-up.

The recipe of PyRCN's Japanese Vowels example: inputs standardised, 500 units, identity input
activation, leaky tanh reservoir, ridge readout (``alpha=1e-5``), winner-takes-all over each
sequence's outputs.
"""

import json
import sys
import time

import numpy as np
from pyrcn.echo_state_network import ESNClassifier
from sklearn.preprocessing import StandardScaler


def objects(items):
    """A 1-D object array of the items (PyRCN's layout of sequences)."""
    out = np.empty(len(items), dtype=object)
    for i, item in enumerate(items):
        out[i] = item
    return out


def main(path):
    data = np.load(path, allow_pickle=True)
    X, y, X_test, y_test = data["X"], data["y"], data["X_test"], data["y_test"]
    scaler = StandardScaler().fit(np.concatenate(list(X)))
    X = objects([scaler.transform(x) for x in X])
    X_test = objects([scaler.transform(x) for x in X_test])
    labels = objects([np.atleast_1d(v) for v in y])  # one label (an array of 1) per sequence

    def run():
        model = ESNClassifier(hidden_layer_size=500, input_activation="identity",
                              input_scaling=0.1, bias_scaling=0.0, spectral_radius=0.9,
                              leakage=0.1, alpha=1e-5, random_state=42,
                              decision_strategy="winner_takes_all", verbose=False)
        return model.fit(X, labels).predict(X_test)

    predicted = run()  # warm-up
    times = []
    for _ in range(2):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    classes = np.unique(y)  # PyRCN predicts the index of each sequence's class

    def label(p):
        value = np.ravel(p)[0]
        return classes[int(value)] if isinstance(value, (int, np.integer)) else value

    errors = int(sum(str(label(p)) != str(t) for p, t in zip(predicted, y_test)))
    print(json.dumps({"errors": errors, "times": times}))


if __name__ == "__main__":
    main(sys.argv[1])
