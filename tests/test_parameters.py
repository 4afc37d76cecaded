"""Declared parameters (scikit-learn's ``_parameter_constraints``): every estimator refuses a bad
value in fit and partial_fit with an error naming the parameter and its allowed range, and
accepts numpy scalars."""

import numpy as np
import pytest
from sklearn.utils._param_validation import InvalidParameterError

from lstm import KalmanLSTMClassifier, KalmanLSTMRegressor
from reservoir import ESNForecaster, ESNRegressor
from rtrl import RTRLRegressor

ESTIMATORS = [ESNRegressor, ESNForecaster, RTRLRegressor, KalmanLSTMRegressor,
              KalmanLSTMClassifier]
SMALL = {ESNRegressor: dict(n_reservoir=10, washout=5), ESNForecaster: dict(n_reservoir=10,
                                                                            washout=5),
         RTRLRegressor: dict(n_hidden=3, epochs=1), KalmanLSTMRegressor: dict(n_blocks=1,
                                                                              epochs=1),
         KalmanLSTMClassifier: dict(n_blocks=1, epochs=1)}


def _data(cls):
    u = np.random.default_rng(0).uniform(-1, 1, size=(30, 1))
    if cls is ESNForecaster:
        return (u,)
    if cls is KalmanLSTMClassifier:
        return u, (u[:, 0] > 0).astype(int)
    return u, u[:, 0]


def _fit(cls, method="fit", **params):
    model = cls(random_state=0, **{**SMALL[cls], **params})
    return getattr(model, method)(*_data(cls))


BAD = [
    (ESNRegressor, "ridge", [1e-8, 1e-4], r"ridge.*must be a float in the range \[0.0, inf\)"),
    (ESNRegressor, "ridge", np.nan, "ridge"),
    (ESNRegressor, "forgetting", 1.5, r"forgetting.*\(0.0, 1.0\]"),
    (ESNRegressor, "n_jobs", 0, "n_jobs"),
    (ESNRegressor, "n_jobs", 1.5, "n_jobs"),
    (ESNRegressor, "washout", 2.5, "washout"),
    (ESNRegressor, "squares", "yes", "squares"),
    (ESNForecaster, "spectral_radius", np.inf, "spectral_radius"),
    (ESNForecaster, "input_density", 0.0, "input_density"),
    (RTRLRegressor, "recurrent_scale", np.nan, "recurrent_scale"),
    (RTRLRegressor, "recurrent_scale", np.inf, "recurrent_scale"),
    (RTRLRegressor, "update_every", 0, "update_every"),
    (RTRLRegressor, "teacher_forcing", "no", "teacher_forcing"),
    (KalmanLSTMRegressor, "anneal_steps", -1, "anneal_steps"),
    (KalmanLSTMRegressor, "anneal_steps", np.nan, "anneal_steps"),
    (KalmanLSTMRegressor, "anneal_steps", 2.5, "anneal_steps"),
    (KalmanLSTMRegressor, "anneal_steps", "a", "anneal_steps"),
    (KalmanLSTMRegressor, "learning_rate", -1, "learning_rate"),
    (KalmanLSTMRegressor, "momentum", 2, r"momentum.*\[0.0, 1.0\)"),
    (KalmanLSTMRegressor, "output", "softmax", "output"),
    (KalmanLSTMClassifier, "q", (1e-3, np.nan), "q"),
    (KalmanLSTMClassifier, "q", (1e-3, 1e-4, 1e-5), "q"),
    (KalmanLSTMClassifier, "p0", 0.0, "p0"),
    (KalmanLSTMClassifier, "input_gate_bias", -np.inf, "input_gate_bias"),
    (KalmanLSTMRegressor, "forget_gate_bias", np.nan, "forget_gate_bias"),
]


@pytest.mark.parametrize("cls, name, value, match", BAD,
                         ids=[f"{c.__name__}-{n}={v!r}" for c, n, v, _ in BAD])
def test_a_bad_value_names_the_parameter(cls, name, value, match):
    with pytest.raises(ValueError, match=match):
        _fit(cls, **{name: value})


@pytest.mark.parametrize("cls", [ESNRegressor, RTRLRegressor, KalmanLSTMRegressor,
                                 KalmanLSTMClassifier])
def test_partial_fit_checks_the_parameters_too(cls):
    name = {ESNRegressor: "leak_rate", RTRLRegressor: "learning_rate"}.get(cls, "epochs")
    with pytest.raises(InvalidParameterError, match=name):
        _fit(cls, "partial_fit", **{name: -1})


GOOD = [
    (ESNRegressor, dict(n_jobs=np.int64(1), forgetting=np.float32(0.9),
                        n_reservoir=np.int32(10), spectral_radius=np.float32(0.9))),
    (ESNForecaster, dict(washout=np.int64(5), ridge=np.float64(1e-6), dtype=np.float32)),
    (RTRLRegressor, dict(n_hidden=np.int64(3), learning_rate=np.float32(1e-3),
                         clip=np.float64(1.0))),
    (KalmanLSTMRegressor, dict(q=np.float32(1e-3), r=(np.float32(1.0), 0.5),
                               anneal_steps=np.int64(10))),
    (KalmanLSTMClassifier, dict(q=np.float32(1e-3), p0=np.float32(10.0))),
]


@pytest.mark.parametrize("cls, params", GOOD, ids=[c.__name__ for c, _ in GOOD])
def test_numpy_scalars_are_accepted(cls, params):
    _fit(cls, **params)


def test_every_init_parameter_is_declared():
    for cls in ESTIMATORS:
        assert set(cls._parameter_constraints) == set(cls().get_params()), cls.__name__


def test_device_and_n_jobs_mean_the_same_in_every_family():
    from reservoir.common.device import DEVICES

    for cls in ESTIMATORS:
        (device,) = cls._parameter_constraints["device"]
        assert device.options == set(DEVICES), cls.__name__
        assert "n_jobs" in cls().get_params(), cls.__name__
    for cls in (RTRLRegressor, KalmanLSTMRegressor, ESNRegressor):
        serial = _fit(cls, device="cpu")
        threaded = _fit(cls, device="parallel", n_jobs=2)
        np.testing.assert_array_equal(serial.predict(_data(cls)[0]),
                                      threaded.predict(_data(cls)[0]))
