"""Real sequence classification and regression sets (the ``archives`` extra): the loaders, and
what the classifier's and the sequence regressor's defaults reach on them."""

import sys

import numpy as np
import pytest

from experiments import archives
from experiments.archives import load_archive
from experiments.search import grid_search
from reservoir import ESNClassifier, ESNSequenceRegressor

pytest.importorskip("sktime", reason="the UEA/UCR sets need the archives extra (sktime)")


@pytest.mark.parametrize("name, n_train, n_test, n_features, n_classes", [
    ("japanese-vowels", 270, 370, 12, 9),
    ("basic-motions", 40, 40, 6, 4),
    ("gunpoint", 50, 150, 1, 2),
])
def test_archives_load_as_published(name, n_train, n_test, n_features, n_classes):
    X, y = load_archive(name, "train")
    X_test, y_test = load_archive(name, "test")
    assert (len(X), len(X_test)) == (n_train, n_test)
    assert {x.shape[1] for x in X + X_test} == {n_features}
    assert len(np.unique(y)) == n_classes and set(y_test) <= set(y)
    assert all(np.isfinite(x).all() and x.dtype == np.float64 for x in X)


def test_japanese_vowels_have_their_published_lengths():
    X, _ = load_archive("japanese-vowels")
    lengths = [len(x) for x in X]
    assert (min(lengths), max(lengths)) == (7, 26)
    X[0][:] = 0  # a copy: the next load is untouched
    assert np.any(load_archive("japanese-vowels")[0][0] != 0)


def test_classifier_defaults_on_japanese_vowels():
    X, y = load_archive("japanese-vowels")
    X_test, y_test = load_archive("japanese-vowels", "test")
    errors = int(np.sum(ESNClassifier(random_state=0).fit(X, y).predict(X_test) != y_test))
    assert errors <= 6  # the target for defaults, no search


@pytest.mark.parametrize("name, n_train, n_test, n_steps", [
    ("covid-3-month", 140, 61, 84), ("tecator", 172, 43, 100)])
def test_regression_archives_load_as_published(name, n_train, n_test, n_steps):
    X, y = load_archive(name, "train")
    X_test, y_test = load_archive(name, "test")
    assert (len(X), len(X_test)) == (n_train, n_test)
    assert {x.shape for x in X + X_test} == {(n_steps, 1)}
    assert y.dtype == y_test.dtype == np.float64 and np.isfinite(np.r_[y, y_test]).all()


def test_sequence_regressor_defaults_on_tecator():
    X, y = load_archive("tecator")
    X_test, y_test = load_archive("tecator", "test")
    model = ESNSequenceRegressor(random_state=0).fit(X, y)
    rmse = np.sqrt(np.mean((model.predict(X_test) - y_test) ** 2))
    assert rmse < 3.0  # fat %: 12.9 predicting the training mean; 2.74 measured


def test_kalman_lstm_classifier_defaults_learn_japanese_vowels():
    from lstm import KalmanLSTMClassifier

    X, y = load_archive("japanese-vowels")
    X_test, y_test = load_archive("japanese-vowels", "test")
    model = KalmanLSTMClassifier(random_state=0).fit(X, y)  # raw inputs, one label a sequence
    assert int(np.sum(model.predict(X_test) != y_test)) <= 20  # 257 with 2 blocks of 1 cell


def test_unknown_archive_and_missing_extra_are_named(monkeypatch):
    with pytest.raises(ValueError, match="japanese-vowels"):
        load_archive("japanese_vowels")
    archives._read.cache_clear()
    monkeypatch.setitem(sys.modules, "sktime", None)
    monkeypatch.setitem(sys.modules, "sktime.datasets", None)
    with pytest.raises(ImportError, match=r"numba-rnn\[archives\]"):
        load_archive("gunpoint")
    archives._read.cache_clear()


def test_cli_classify_searches_on_the_training_split(tmp_path, capsys):
    import xarray as xr

    from experiments import cli

    pytest.importorskip("matplotlib", reason="the confusion matrix needs the plot extra")
    argv = ["classify", "basic-motions", "--grid", "leak_rate=0.3,1",
            "representation=last_mean,model", "--n-reservoir", "30", "--splits", "2",
            "--out", str(tmp_path), "--quiet"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "test errors" in out and "chosen by 4-configuration search" in out
    ds = xr.open_dataset(tmp_path / "classify_basic_motions_seed0.nc", engine="scipy")
    assert ds["mean_test_score"].dims == ("leak_rate", "representation")
    assert int(ds["confusion"].sum()) == 40
    assert int(ds["confusion"].sum()) - int(np.trace(ds["confusion"].values)) == ds.attrs["errors"]
    assert (tmp_path / "classify_basic_motions_seed0.png").exists()
    assert cli.main(argv[:-3] + ["--vote", "--no-plot"] + argv[-3:]) == 0  # no search
    out = capsys.readouterr().out
    assert "the soft vote of all 4 configurations" in out and "chosen by" not in out
    ds = xr.open_dataset(tmp_path / "classify_basic_motions_seed0.nc", engine="scipy")
    assert ds.attrs["vote"] == 4 and "mean_test_score" not in ds
    assert int(ds["confusion"].sum()) == 40
    with pytest.raises(SystemExit, match="vote averages the configurations of a grid"):
        cli.main(["classify", "basic-motions", "--vote", "--out", str(tmp_path), "--quiet"])


def test_cli_classify_searches_by_the_scoring_given(tmp_path, capsys):
    import xarray as xr

    from experiments import cli

    X, y = load_archive("basic-motions")
    grid = {"leak_rate": [0.3, 1.0], "representation": ["last_mean", "model"]}
    argv = ["classify", "basic-motions", "--grid", "leak_rate=0.3,1",
            "representation=last_mean,model", "--n-reservoir", "30", "--n-components", "5",
            "--splits", "2", "--scoring", "neg_log_loss", "--out", str(tmp_path), "--quiet",
            "--no-plot"]
    assert cli.main(argv) == 0
    assert "search (neg_log_loss) on the training split" in capsys.readouterr().out
    ds = xr.open_dataset(tmp_path / "classify_basic_motions_seed0.nc", engine="scipy")
    assert (ds.attrs["scoring"], ds.attrs["n_components"]) == ("neg_log_loss", 5)
    expected = grid_search(ESNClassifier(30, n_components=5, random_state=0), grid, X, y, cv=2,
                           scoring="neg_log_loss", refit=False)
    np.testing.assert_allclose(ds["mean_test_score"].values,
                               expected.dataset["mean_test_score"].values)
    assert ds["mean_test_score"].values.max() < 0  # a log-loss, not an accuracy
    with pytest.raises(SystemExit):
        cli.main(argv[:-5] + ["--scoring", "f1", "--out", str(tmp_path), "--quiet"])
    for extra in ([], ["--vote", "--grid", "leak_rate=0.3,1"]):
        with pytest.raises(SystemExit, match="scoring chooses among the configurations"):
            cli.main(["classify", "basic-motions", "--scoring", "neg_log_loss", "--out",
                      str(tmp_path), "--quiet"] + extra)


def test_cli_classify_sets_each_reservoirs_weights(tmp_path):
    import xarray as xr

    from experiments import cli

    weights = dict(spectral_radius=0.5, leak_rate=1.0, input_scaling=0.5, density=1.0)
    argv = ["classify", "basic-motions", "--n-reservoir", "10", "--n-estimators", "3",
            "--bidirectional", "--out", str(tmp_path), "--quiet", "--no-plot"]
    for k, v in weights.items():
        argv += [f"--{k.replace('_', '-')}", str(v)]
    assert cli.main(argv) == 0
    ds = xr.open_dataset(tmp_path / "classify_basic_motions_seed0.nc", engine="scipy")
    assert {k: ds.attrs[k] for k in weights} == weights
    X, y = load_archive("basic-motions")
    X_test, y_test = load_archive("basic-motions", "test")
    model = ESNClassifier(10, n_estimators=3, bidirectional=True, random_state=0, **weights)
    assert ds.attrs["errors"] == int(np.sum(model.fit(X, y).predict(X_test) != y_test))
