"""numba-rnn forecast FILE: a user's CSV or netCDF series searched, refitted and forecast."""

import argparse
import importlib.util

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from experiments import cli
from experiments.forecast import calendar_season, read_series, read_times, season_option
from experiments.metrics import interval_score
from experiments.tables import regular_grid


@pytest.fixture
def table(tmp_path):
    t = np.arange(240)
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"month": t, "label": ["x"] * 240,
                          "temperature": 15 + 8 * np.sin(2 * np.pi * t / 12)
                          + rng.normal(0, 0.3, 240),
                          "sales": 100 + 0.5 * t + 10 * np.cos(2 * np.pi * t / 12)})
    path = tmp_path / "shop.csv"
    frame.to_csv(path, index=False)
    return path, frame


def test_csv_and_netcdf_series_read_with_clear_errors(table, tmp_path):
    path, frame = table
    values, names = read_series(path)
    assert names == ["temperature", "sales"] and values.shape == (240, 2)  # no time, no text
    nc = tmp_path / "sst.nc"
    xr.Dataset({"sst": ("time", frame["temperature"].to_numpy())}).to_netcdf(nc, engine="scipy")
    np.testing.assert_array_equal(read_series(nc)[0][:, 0], frame["temperature"])
    with pytest.raises(ValueError, match=r"no column \['nope'\]; its columns are"):
        read_series(path, ["nope"])
    with pytest.raises(ValueError, match="'label' holds text that is not a number in 240 "
                                         "row.*'x' at row 0; fix.*choose among"):
        read_series(path, ["label"])
    typo = frame.astype({"sales": object})
    typo.loc[[3, 9], "sales"] = ["12,5", "?"]
    typo.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'sales' holds text that is not a number in 2 row.*"
                                         "'12,5' at row 3"):
        read_series(path, ["sales"])
    frame.loc[7, "sales"] = np.nan
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"'sales' has 1 missing value \(the first at row "
                                         r"7\); fill them with --fill"):
        read_series(path)
    other = tmp_path / "series.json"
    other.write_text("{}")
    with pytest.raises(ValueError, match=r"\(.csv, .tsv or .txt\) or .nc, got .json"):
        read_series(other)


def test_csv_dialects_are_read_like_the_plain_table(table, tmp_path):
    path, frame = table
    plain = read_series(path)
    for name, kw in (("semicolons.csv", dict(sep=";", decimal=",")), ("tabs.tsv", dict(sep="\t")),
                     ("bars.csv", dict(sep="|"))):
        frame.to_csv(tmp_path / name, index=False, **kw)
        np.testing.assert_array_equal(read_series(tmp_path / name)[0], plain[0])
        assert read_series(tmp_path / name)[1] == plain[1]
    frame[["temperature"]].to_csv(tmp_path / "bare.csv", index=False, header=False)
    values, names = read_series(tmp_path / "bare.csv")  # no header: the first row is data
    np.testing.assert_array_equal(values[:, 0], plain[0][:, 0])
    assert names == ["0"]
    (tmp_path / "empty.csv").write_text("")
    with pytest.raises(ValueError, match="empty.csv is empty"):
        read_series(tmp_path / "empty.csv")
    (tmp_path / "header.csv").write_text("month,temperature\n")
    with pytest.raises(ValueError, match="header.csv has a header line but no rows"):
        read_series(tmp_path / "header.csv")
    frame[["month", "label"]].to_csv(tmp_path / "words.csv", index=False)
    with pytest.raises(ValueError, match=r"no numeric column to forecast \(it has \['month', "):
        read_series(tmp_path / "words.csv")


def test_a_failed_command_leaves_no_empty_output_folder(tmp_path):
    out = tmp_path / "results"
    with pytest.raises(SystemExit, match="There is no file"):
        cli.main(["forecast", str(tmp_path / "missing.csv"), "--out", str(out), "--quiet"])
    assert not out.exists()
    out.mkdir()  # a folder that was there before stays
    with pytest.raises(SystemExit, match="There is no file"):
        cli.main(["forecast", str(tmp_path / "missing.csv"), "--out", str(out), "--quiet"])
    assert out.is_dir()


def test_ctrl_c_and_sizes_beyond_memory_end_a_command_without_a_traceback(table, tmp_path,
                                                                           capsys, monkeypatch):
    import dataclasses

    from experiments.protocol import protocols
    from reservoir.common import memory

    path, _ = table
    argv = ["forecast", str(path), "--out", str(tmp_path / "out"), "--quiet", "--no-plot"]
    monkeypatch.setattr(memory, "physical_memory", lambda: 2**34)  # a 16 GiB machine
    with pytest.raises(SystemExit, match="error: Drawing the 9e\\+13 recurrent weights of "
                                         "n_reservoir=30000000 .* Lower n_reservoir"):
        cli.main(argv + ["--grid", "n_reservoir=30000000"])

    def interrupted(**kw):
        raise KeyboardInterrupt

    stopped = dataclasses.replace(protocols()["forecast"], run=interrupted)
    monkeypatch.setattr(cli, "protocols", lambda: {"forecast": stopped})
    assert cli.main(argv) == 130
    assert "interrupted; no results written" in capsys.readouterr().err
    assert not (tmp_path / "out").exists()


def test_cli_forecasts_a_users_csv(table, tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the figure needs the plot extra")
    path, _ = table
    argv = ["forecast", str(path), "--column", "temperature", "--horizon", "12", "--grid",
            "spectral_radius=0.5,0.9", "leak_rate=0.3,1", "--n-reservoir", "50",
            "--out", str(tmp_path), "--quiet"]
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "held-out NRMSE over 12 steps" in out
    ds = xr.open_dataset(tmp_path / "forecast_shop_seed0.nc", engine="scipy")
    assert ds["future_forecast"].shape == (12, 1) and ds["series"].shape == (240, 1)
    assert ds.attrs["nrmse_test"] < ds.attrs["nrmse_persistence"]
    assert (tmp_path / "forecast_shop_seed0.png").exists()
    assert cli.main(["forecast", str(path), "--column", "sales", "--model", "nvar",
                     "--closed-loop", "--out", str(tmp_path), "--quiet", "--no-plot"]) == 0
    assert "by nvar" in capsys.readouterr().out
    with pytest.raises(SystemExit, match="numba-rnn forecast: error: There is no file"):
        cli.main(["forecast", str(tmp_path / "none.csv"), "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="horizon=200 leaves too little"):
        cli.main(["forecast", str(path), "--horizon", "200", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="--splits 3 leaves validation folds of 1 step of the "
                                         "5 steps searched.*use fewer --splits, or more steps"):
        cli.main(["forecast", str(path), "--n-train", "5", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="--splits 20 leaves validation folds of 10 steps of the "
                                         "228 steps searched, and the search scores folds of at "
                                         "least 12"):
        cli.main(["forecast", str(path), "--splits", "20", "--closed-loop", "--out",
                  str(tmp_path)])


def test_the_search_chooses_whether_to_remove_a_season_named_on_the_command_line(table, tmp_path,
                                                                               capsys):
    path, _ = table
    argv = ["forecast", str(path), "--column", "temperature", "--seasonal-period", "12", "--grid",
            "leak_rate=1", "ridge=1e-3,1", "--n-reservoir", "40", "--out", str(tmp_path),
            "--quiet", "--no-plot"]
    assert cli.main(argv) == 0
    assert "'seasonal_period': 12" in capsys.readouterr().out  # noise on a yearly cycle
    ds = xr.open_dataset(tmp_path / "forecast_shop_seed0.nc", engine="scipy")
    assert ds.attrs["chosen_seasonal_period"] == 12 and ds.sizes["seasonal_period"] == 2
    assert ds.attrs["nrmse_test"] < ds.attrs["nrmse_persistence"]
    with pytest.raises(SystemExit, match="seasonal_period=200 is more than half of the 228 "
                                         "steps before the held-out ones"):
        cli.main(argv[:5] + ["200"] + argv[6:])


def test_the_search_chooses_whether_to_take_a_box_cox_transform_named_on_the_command_line(
        table, tmp_path, capsys):
    path, _ = table
    argv = ["forecast", str(path), "--column", "sales", "--box-cox", "0", "--grid", "leak_rate=1",
            "ridge=1e-3,1", "--n-reservoir", "40", "--out", str(tmp_path), "--no-plot"]
    assert cli.main(argv) == 0
    ds = xr.open_dataset(tmp_path / "forecast_shop_seed0.nc", engine="scipy")
    assert ds.attrs["box_cox"] == "0.0" and ds.sizes["box_cox"] == 2
    chosen = "applied" if ds.attrs["chosen_box_cox"] == 0.0 else "not applied"
    assert f"a Box-Cox transform (lambda 0.0): {chosen} (chosen by the search)" in \
        capsys.readouterr().out
    with pytest.raises(SystemExit):
        cli.main(argv[:4] + ["--box-cox", "1.5"] + argv[6:])


@pytest.mark.parametrize("freq, steps", [("MS", 12), ("ME", 12), ("QS", 4), ("D", 7), ("B", 5),
                                         ("h", 24), ("W", None), ("2MS", None), ("YS", None)])
def test_the_calendar_cycle_of_a_files_dates(freq, steps):
    times = pd.date_range("2000-01-03", periods=30, freq=freq).to_numpy()
    assert calendar_season(times) == steps
    assert calendar_season(np.arange(30)) is None and calendar_season(None) is None


def test_the_season_option_reads_auto_none_or_steps(table, tmp_path, capsys):
    assert [season_option(t) for t in ("auto", "None", "12")] == ["auto", "none", 12]
    for bad in ("1", "x", "-3"):
        with pytest.raises(argparse.ArgumentTypeError, match="auto, none or a number of steps"):
            season_option(bad)
    path, _ = table
    argv = ["forecast", str(path), "--column", "temperature", "--grid", "ridge=1e-3",
            "--n-reservoir", "20", "--out", str(tmp_path), "--quiet", "--no-plot"]
    assert cli.main(argv + ["--seasonal-period", "12"]) == 0
    assert "a season of 12 steps" in capsys.readouterr().out
    assert cli.main(argv + ["--seasonal-period", "none"]) == 0
    assert "a season of" not in capsys.readouterr().out


def test_covariates_known_ahead_are_read_from_the_rows_after_the_series(tmp_path, capsys):
    rng = np.random.default_rng(0)
    temperature = 10 + 8 * np.sin(2 * np.pi * np.arange(312) / 37) + 2 * rng.normal(size=312)
    load = np.zeros(312)
    for t in range(1, 312):
        load[t] = 0.7 * load[t - 1] + 0.8 * (20 - temperature[t - 1]) + 0.3 * rng.normal()
    frame = pd.DataFrame({"date": pd.date_range("2024-01-01", periods=312, freq="D"),
                          "load": load, "temperature": temperature})
    frame.loc[300:, "load"] = np.nan  # the days ahead: their temperature forecast only
    path = tmp_path / "heat.csv"
    frame.to_csv(path, index=False)
    argv = ["forecast", str(path), "--column", "load", "--covariates", "temperature",
            "--grid", "ridge=1e-4,1", "--n-reservoir", "40", "--seasonal-period", "none",
            "--out", str(tmp_path), "--quiet", "--no-plot"]
    assert cli.main(argv) == 0
    assert "by esn with temperature known ahead: 300 steps" in capsys.readouterr().out
    ds = xr.open_dataset(tmp_path / "forecast_heat_seed0.nc", engine="scipy")
    assert ds["series"].shape == (300, 1) and ds["covariates"].shape == (300, 1)
    np.testing.assert_allclose(ds["future_covariates"].values[:, 0], temperature[300:])
    assert ds["future_forecast"].shape == (12, 1)
    assert str(ds["future_time"].values[0])[:10] == "2024-10-27"
    assert ds.attrs["nrmse_test"] < 0.5 * ds.attrs["nrmse_persistence"]
    assert cli.main(argv + ["--interval", "0.8"]) == 0  # calibrated with the covariates too
    ds = xr.open_dataset(tmp_path / "forecast_heat_seed0.nc", engine="scipy")
    assert ds["future_upper"].shape == (12, 1) and 0 < ds.attrs["n_held"] <= 12
    nvar = ["forecast", str(path), "--column", "load", "--covariates", "temperature", "--model",
            "nvar", "--grid", "delays=1,2", "ridge=1e-4,1", "--seasonal-period", "none",
            "--out", str(tmp_path), "--quiet", "--no-plot"]
    assert cli.main(nvar) == 0  # next-generation RC reads them too
    ds = xr.open_dataset(tmp_path / "forecast_heat_seed0.nc", engine="scipy")
    assert ds["future_forecast"].shape == (12, 1) and ds.attrs["model"] == "nvar"
    assert ds.attrs["nrmse_test"] < 0.5 * ds.attrs["nrmse_persistence"]
    frame.iloc[:305].to_csv(path, index=False)  # 5 days ahead for a horizon of 12
    with pytest.raises(SystemExit, match=r"heat.csv gives the covariates \['temperature'\] for "
                                         "5 steps after the last value of the forecast columns; "
                                         "the forecast after the end needs 12"):
        cli.main(argv)
    frame.loc[303, "temperature"] = np.nan
    frame.to_csv(path, index=False)
    with pytest.raises(SystemExit, match="the covariate 'temperature' has no value at row 303"):
        cli.main(argv)
    with pytest.raises(SystemExit, match="'load' is both a column to forecast and a covariate"):
        cli.main(argv + ["--covariates", "load"])
    with pytest.raises(SystemExit, match=r"the covariates \['load', 'temperature'\] leave no "
                                         "column to forecast"):
        cli.main([a for a in argv if a not in ("--column", "load")]
                 + ["--covariates", "load", "temperature"])


def test_gaps_in_a_users_file_are_filled_on_request(table, tmp_path, capsys):
    path, frame = table
    frame.loc[[0, 7, 8], "sales"] = np.nan  # one at the start, two in a row inside
    frame.loc[239, "temperature"] = np.nan  # one at the end
    frame.to_csv(path, index=False)
    sales, temperature = frame["sales"].to_numpy(), frame["temperature"].to_numpy()
    values, _ = read_series(path, fill="interpolate")
    np.testing.assert_allclose(values[[0, 7, 8], 1], [sales[1], *np.interp([7, 8], [6, 9],
                                                                          sales[[6, 9]])])
    assert values[239, 0] == temperature[238]
    values, _ = read_series(path, fill="ffill")
    np.testing.assert_array_equal(values[[0, 7, 8], 1], [sales[1], sales[6], sales[6]])
    with pytest.raises(ValueError, match="fill must be 'interpolate', 'ffill' or None"):
        read_series(path, fill="mean")
    empty = frame.assign(sales=np.nan)
    empty.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'sales' has no value to fill its gaps from"):
        read_series(path, fill="ffill")
    frame.loc[3, "sales"] = np.inf
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match=r"'sales' has 1 infinite value \(the first at row 3\); "
                                         "fix or drop"):
        read_series(path, fill="interpolate")
    frame.loc[3, "sales"] = 1.0
    frame.to_csv(path, index=False)
    argv = ["forecast", str(path), "--horizon", "6", "--grid", "ridge=1e-6,1", "--n-reservoir",
            "30", "--out", str(tmp_path), "--quiet", "--no-plot"]
    with pytest.raises(SystemExit, match="4 missing|3 missing"):
        cli.main(argv)
    assert cli.main(argv + ["--fill", "interpolate"]) == 0
    assert "4 missing values filled (interpolate)" in capsys.readouterr().out
    ds = xr.open_dataset(tmp_path / "forecast_shop_seed0.nc", engine="scipy")
    assert ds.attrs["n_filled"] == 4 and np.isfinite(ds["series"].values).all()


def test_the_files_dates_label_the_series_and_its_forecasts(tmp_path, capsys):
    t = np.arange(120)
    values = 10 + np.sin(2 * np.pi * t / 12)
    path = tmp_path / "monthly.csv"
    pd.DataFrame({"date": pd.date_range("2000-01-01", periods=120, freq="MS").strftime(
        "%Y-%m-%d"), "value": values}).to_csv(path, index=False)
    times = read_times(path)
    assert times.dtype.kind == "M" and str(times[-1])[:10] == "2009-12-01"
    argv = ["forecast", str(path), "--horizon", "6", "--grid", "ridge=1e-6,1", "--n-reservoir",
            "30", "--out", str(tmp_path), "--quiet"]
    if importlib.util.find_spec("matplotlib") is None:  # the figure needs the plot extra
        argv.append("--no-plot")
    assert cli.main(argv) == 0
    out = capsys.readouterr().out
    assert "6 steps, 2010-01-01 to 2010-06-01)" in out
    assert "a season of 12 steps: " in out  # monthly dates: the year searched by default
    ds = xr.open_dataset(tmp_path / "forecast_monthly_seed0.nc", engine="scipy")
    assert ds.attrs["season"] == 12 and ds.sizes["seasonal_period"] == 2
    np.testing.assert_array_equal(ds["time"].values, times)
    np.testing.assert_array_equal(ds["test_time"].values, times[-6:])
    assert [str(d)[:7] for d in ds["future_time"].values] == [f"2010-0{k}" for k in range(1, 7)]
    # numbers (years) continue by their step; no time column, or times that go back: none
    years = tmp_path / "yearly.csv"
    pd.DataFrame({"year": 1900 + t, "value": values}).to_csv(years, index=False)
    assert cli.main(argv[:1] + [str(years)] + argv[2:] + ["--no-plot"]) == 0
    assert "a season of" not in capsys.readouterr().out  # years: no calendar cycle
    ds = xr.open_dataset(tmp_path / "forecast_yearly_seed0.nc", engine="scipy")
    assert ds.attrs["season"] == 0 and "seasonal_period" not in ds.dims
    assert ds["future_time"].values.tolist() == list(range(2020, 2026))
    pd.DataFrame({"value": values}).to_csv(tmp_path / "bare.csv", index=False)
    assert read_times(tmp_path / "bare.csv") is None
    zoned = tmp_path / "zoned.csv"  # dates with a time zone: the same instants in UTC
    hours = pd.date_range("2000-01-01", periods=120, freq="h", tz="Europe/Paris")
    pd.DataFrame({"time": hours.astype(str), "value": values}).to_csv(zoned, index=False)
    assert str(read_times(zoned)[0]).startswith("1999-12-31T23:00")
    nc = tmp_path / "monthly.nc"
    xr.Dataset({"value": ("time", values)}, coords={"time": times}).to_netcdf(nc, engine="scipy")
    np.testing.assert_array_equal(read_times(nc), times)


@pytest.mark.parametrize("freq, form", [("MS", "%d/%m/%Y"), ("D", "%d.%m.%Y"), ("D", "%m/%d/%Y"),
                                        ("h", "%d/%m/%Y %H:%M"), ("D", "%Y-%m-%d")])
def test_dates_are_read_day_first_when_only_that_spaces_them_evenly(freq, form, tmp_path):
    dates = pd.date_range("2001-01-01", periods=40, freq=freq)
    path = tmp_path / "dates.csv"  # a column of dates not named like time: still the time axis
    pd.DataFrame({"Datum": dates.strftime(form), "Last": np.arange(40.0)}).to_csv(
        path, index=False, sep=";")
    np.testing.assert_array_equal(read_times(path), dates.to_numpy())
    assert read_series(path)[1] == ["Last"]


def test_cli_forecasts_come_with_prediction_intervals_on_request(table, tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the figure needs the plot extra")
    path, frame = table
    argv = ["forecast", str(path), "--column", "temperature", "sales", "--horizon", "12",
            "--grid", "ridge=1e-3,1", "--n-reservoir", "40", "--out", str(tmp_path), "--quiet"]
    assert cli.main(argv + ["--interval", "0.9"]) == 0
    ds = xr.open_dataset(tmp_path / "forecast_shop_seed0.nc", engine="scipy")
    for part in ("test", "future"):
        lower, upper = ds[f"{part}_lower"].values, ds[f"{part}_upper"].values
        assert lower.shape == (12, 2) and np.all(lower < ds[f"{part}_forecast"].values)
        np.testing.assert_allclose(upper - ds[f"{part}_forecast"].values,
                                   ds[f"{part}_forecast"].values - lower)
    truth = frame[["temperature", "sales"]].to_numpy()[-12:]
    held = int(np.sum((ds["test_lower"].values <= truth) & (truth <= ds["test_upper"].values)))
    assert ds.attrs["interval"] == 0.9 and ds.attrs["n_held"] == held
    spread = frame[["temperature", "sales"]].to_numpy()[:-12].std(axis=0).mean()
    assert ds.attrs["interval_score_test"] == pytest.approx(interval_score(
        truth, ds["test_lower"].values, ds["test_upper"].values, 0.9) / spread)
    assert f"90% prediction interval: held {held} of 24 held-out values" in capsys.readouterr().out
    assert (tmp_path / "forecast_shop_seed0.png").exists()
    for bad in ("1", "0", "x"):
        with pytest.raises(SystemExit):
            cli.main(argv + ["--interval", bad])
    assert "--interval: must be a number between 0 and 1, got 1" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="coverage=0.99 needs at least 99 calibration origins"):
        cli.main(argv + ["--interval", "0.99"])


def test_dates_missing_from_a_file_are_named_and_inserted_on_request(tmp_path, capsys):
    t = np.arange(120)
    values = 10 + np.sin(2 * np.pi * t / 12)
    dates = pd.date_range("2000-01-01", periods=120, freq="MS")
    kept = np.setdiff1d(t, [30, 31, 70])  # three months without a row
    path = tmp_path / "monthly.csv"
    pd.DataFrame({"date": dates[kept].strftime("%Y-%m-%d"), "value": values[kept]}).to_csv(
        path, index=False)
    with pytest.warns(UserWarning, match=r"monthly.csv: 3 steps of the times' even spacing are "
                                         r"missing \(the first after 2002-06-01\), so the rows "
                                         r"are read as consecutive steps\. --fill"):
        assert read_series(path)[0].shape == (117, 1)
    series, _ = read_series(path, fill="interpolate")
    np.testing.assert_allclose(series[kept, 0], values[kept])
    np.testing.assert_allclose(series[[30, 31], 0], np.interp([30, 31], [29, 32],
                                                              values[[29, 32]]))
    argv = ["forecast", str(path), "--horizon", "6", "--grid", "ridge=1e-6,1", "--n-reservoir",
            "30", "--out", str(tmp_path), "--quiet", "--no-plot", "--fill", "ffill"]
    assert cli.main(argv) == 0
    assert "3 missing steps inserted; 3 missing values filled (ffill)" in capsys.readouterr().out
    ds = xr.open_dataset(tmp_path / "forecast_monthly_seed0.nc", engine="scipy")
    np.testing.assert_array_equal(ds["time"].values, dates.to_numpy())
    assert ds.attrs["n_inserted"] == 3 and str(ds["future_time"].values[0])[:7] == "2010-01"


@pytest.mark.parametrize("grid, dropped, n_grid", [
    (pd.bdate_range("2020-01-01", periods=60), [7], 60),       # business days, one missing
    (pd.date_range("2020-01-31", periods=24, freq="ME"), [5, 6, 10], 24),   # month ends
    (pd.date_range("2020-01-01", periods=300, freq="h"), [5, 100, 101], 300),
    (pd.Index(np.arange(1900.0, 1950.0)), [3, 40], 50),        # years as numbers
    (pd.bdate_range("2020-01-01", periods=60), [], 60)])        # none missing
def test_the_even_grid_of_a_files_times(grid, dropped, n_grid):
    times = np.delete(grid.to_numpy(), dropped)
    found, positions = regular_grid(times)
    assert len(found) == n_grid
    np.testing.assert_array_equal(found[positions], times)
    assert regular_grid(np.array([0.0, 1.5, 2.0, 3.7])) == (None, None)   # no common step


def test_rows_are_read_in_time_order_and_repeated_or_constant_series_refused(tmp_path, capsys):
    t = np.arange(100)
    values = np.sin(0.3 * t) + 0.01 * t
    dates = pd.date_range("2001-01-01", periods=100, freq="D").strftime("%Y-%m-%d")
    shuffled = np.random.default_rng(0).permutation(100)
    for name, order, how in (("back", t[::-1], "the file runs backwards: read in time order"),
                             ("shuffled", shuffled, "the rows sorted by time")):
        path = tmp_path / f"{name}.csv"
        pd.DataFrame({"date": dates[order], "value": values[order]}).to_csv(path, index=False)
        np.testing.assert_array_equal(read_series(path)[0][:, 0], values)
        assert str(read_times(path)[0])[:10] == "2001-01-01"
        assert cli.main(["forecast", str(path), "--horizon", "5", "--grid", "ridge=1e-6,1",
                         "--n-reservoir", "20", "--out", str(tmp_path), "--quiet",
                         "--no-plot"]) == 0
        assert how in capsys.readouterr().out
    twice = tmp_path / "twice.csv"
    pd.DataFrame({"date": np.r_[dates[:50], dates[49:99]], "value": values}).to_csv(
        twice, index=False)
    with pytest.raises(ValueError, match=r"twice.csv: the time 2001-02-19 appears 2 times "
                                         r"\(rows 49, 50\); a series needs one row per time"):
        read_series(twice)
    pd.DataFrame({"date": np.r_[dates[:50], [""], dates[51:]], "value": values}).to_csv(
        twice, index=False)
    with pytest.raises(ValueError, match="the time column 'date' has an empty field at row 50"):
        read_series(twice)
    flat = tmp_path / "flat.csv"
    pd.DataFrame({"date": dates, "a": np.ones(100), "b": np.zeros(100)}).to_csv(flat, index=False)
    with pytest.raises(SystemExit, match="'a', 'b' are constant over the 95 steps before the "
                                         "held-out ones: there is nothing to learn"):
        cli.main(["forecast", str(flat), "--horizon", "5", "--out", str(tmp_path)])
