"""numba-rnn regress: one number per sequence from a set or a user's file, and the errors of
bad files and options."""

import importlib.util

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from experiments import cli
from experiments.regress import numbers


def _long(n, path, seed=0):
    """n sequences of 10-19 steps x 2 features, one row per step; the target of each is its
    frequency (a column ``target``, the same on every row of the sequence)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i, f in enumerate(rng.uniform(0.1, 0.6, n)):
        t = np.arange(int(rng.integers(10, 20)))
        rows += [{"sequence": f"s{i}", "time": k, "target": f, "a": np.sin(f * k),
                  "b": np.cos(2 * f * k)} for k in t]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_cli_regresses_a_file_with_a_test_file_or_a_hold_out(tmp_path, capsys):
    train, test = _long(40, tmp_path / "train.csv"), _long(12, tmp_path / "test.csv", seed=1)
    out = tmp_path / "out"
    common = ["--n-reservoir", "50", "--out", str(out), "--no-plot", "--quiet"]
    assert cli.main(["regress", str(train), "--test", str(test)] + common) == 0
    ds = xr.open_dataset(out / "regress_train_seed0.nc")
    assert (ds.attrs["n_train"], ds.attrs["n_test"]) == (40, 12)
    assert ds["prediction"].dims == ("sequence",)
    assert ds.attrs["rmse"] < 0.2 * ds.attrs["rmse_mean"]  # the frequency is learnt
    want = pd.read_csv(test).groupby("sequence", sort=False)["target"].first().to_numpy()
    np.testing.assert_allclose(ds["target"].values, want, rtol=1e-15)
    assert "interval" not in ds.attrs and "lower" not in ds
    assert cli.main(["regress", str(train), "--test", str(test), "--interval", "0.8"]
                    + common[:-1]) == 0
    assert "80% prediction intervals (jackknife, half-width" in capsys.readouterr().out
    ds = xr.open_dataset(out / "regress_train_seed0.nc")
    held = (ds["lower"] <= ds["target"]) & (ds["target"] <= ds["upper"])
    assert ds.attrs["n_held"] == int(held.sum()) and ds.attrs["interval"] == 0.8
    np.testing.assert_allclose(ds["upper"] - ds["prediction"], ds.attrs["half_width"])
    assert cli.main(["regress", str(train), "--test-size", "0.25", "--grid",
                     "leak_rate=0.3,1"] + common[:-1]) == 0
    assert "chosen by 2-configuration search (RMSE)" in capsys.readouterr().out
    ds = xr.open_dataset(out / "regress_train_seed0.nc")
    assert (ds.attrs["n_train"], ds.attrs["n_test"]) == (30, 10)
    assert ds["mean_test_score"].dims == ("leak_rate",)


@pytest.mark.parametrize("args, message", [
    (["words.csv"], "words.csv: a sequence's target is '(slow|fast)', not a number"),
    (["tiny.csv"], "too few to hold out test_size=0.25 of them and train on at least 2"),
    (["tecator", "--test-size", "0.5"], "comes split as published"),
    (["tecator", "--target-column", "y"], "--target-column, --id-column"),
    (["tec"], "neither a set"),
])
def test_cli_errors(tmp_path, args, message):
    _long(2, tmp_path / "tiny.csv")
    frame = pd.read_csv(_long(8, tmp_path / "words.csv"))
    frame["target"] = np.where(frame["sequence"] == "s0", "slow", "fast")
    frame.to_csv(tmp_path / "words.csv", index=False)
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    with pytest.raises(SystemExit, match=message):
        cli.main(["regress"] + args + ["--n-reservoir", "20", "--out", str(tmp_path / "o"),
                                       "--no-plot", "--quiet"])


def test_targets_read_as_text_become_numbers():
    assert numbers(np.array(["1.5", "2"]), "a.ts").tolist() == [1.5, 2.0]
    with pytest.raises(ValueError, match=r"a\.ts: a sequence's target is 'x', not a number"):
        numbers(np.array(["1.5", "x"]), "a.ts")


@pytest.mark.skipif(importlib.util.find_spec("sktime") is None or
                    importlib.util.find_spec("matplotlib") is None,
                    reason="the sets need the archives extra, the figure the plot extra")
def test_cli_regresses_a_set_and_draws_the_predictions(tmp_path, capsys):
    assert cli.main(["regress", "covid-3-month", "--n-reservoir", "30", "--interval", "0.9",
                     "--out", str(tmp_path)]) == 0
    assert "Regression, Covid3Month: 140 training, 61 test sequences" in capsys.readouterr().out
    assert (tmp_path / "regress_covid_3_month_seed0.png").exists()
