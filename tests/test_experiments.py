import numpy as np
import pytest
import xarray as xr

from experiments import anbncn, cli, lorenz, mackey_glass, memory, narma
from experiments.results import plain_attrs, save


@pytest.mark.parametrize("argv, variable", [
    (["mackey-glass", "--n-reservoir", "200", "--n-train", "300", "--trials", "2"], "error84"),
    (["lorenz", "--n-reservoir", "200", "--n-train", "400", "--trials", "2"], "valid_time"),
    (["narma", "--n-reservoir", "40", "--n-train", "300"], "prediction"),
    (["memory-capacity", "--sizes", "10", "20", "--n-train", "300"], "memory_capacity"),
    (["adding", "--length", "10", "--n-train", "400", "--chunk", "200", "--seeds", "2",
      "--n-test", "50"], "sequences"),
    (["temporal-order", "--events", "3", "--model", "lstm", "--n-train", "200", "--chunk",
      "100", "--seeds", "1", "--n-test", "20"], "test_right"),
    (["binary-addition", "--n-train", "20", "--epochs", "1", "--gradient", "snap1"], "correct"),
    (["reber", "--n-train", "20", "--epochs", "1", "--n-hidden", "3"], "string_correct"),
    (["rtrl-vs-esn", "--n-train", "300", "--epochs", "1"], "prediction"),
    (["lstm-vs-esn", "--n-train", "300", "--epochs", "1", "--n-blocks", "2"], "prediction"),
    (["reber-lstm", "--n-train", "20", "--seeds", "1"], "strings_to_success"),
    (["anbncn", "--n-train", "200", "--seeds", "2", "--max-n", "30", "--language", "anbn"],
     "generalisation"),
])
def test_cli_end_to_end(tmp_path, capsys, argv, variable):
    assert cli.main(argv + ["--out", str(tmp_path), "--quiet", "--no-plot"]) == 0
    out = capsys.readouterr().out
    assert "results:" in out
    assert "published" in out or argv[0].endswith("-vs-esn")  # no published figure there
    (nc,) = tmp_path.glob("*.nc")
    ds = xr.open_dataset(nc, engine="scipy")
    assert variable in ds and ds.attrs["seed"] == 0 and "numba_rnn_version" in ds.attrs
    assert not list(tmp_path.glob("*.png"))
    if argv[0] in ("rtrl-vs-esn", "lstm-vs-esn", "reber-lstm", "adding", "temporal-order"):
        assert "model" in ds[variable].dims and not any("rate_" in k for k in ds.attrs)


def test_every_protocol_module_is_registered_and_every_sub_command_takes_device():
    import pkgutil

    import experiments
    from experiments.protocol import MODULES, protocols

    declaring = {info.name for info in pkgutil.iter_modules(experiments.__path__)
                 if info.name != "__main__"
                 and hasattr(__import__(f"experiments.{info.name}", fromlist=["_"]), "PROTOCOLS")}
    assert declaring == set(MODULES)
    parser = cli.build_parser()
    for name in protocols():
        extra = {"search": ["narma", "--grid", "ridge=1e-6"], "classify": ["gunpoint"],
                 "regress": ["tecator"], "forecast": ["series.csv"]}.get(name, [])
        assert parser.parse_args([name, *extra, "--device", "parallel"]).device == "parallel"


@pytest.mark.parametrize("argv", [
    ["mackey-glass", "--n-reservoir", "200", "--n-train", "300", "--trials", "1"],
    ["lorenz", "--n-reservoir", "200", "--n-train", "400", "--trials", "1"],
])
def test_cli_draws_the_forecast(tmp_path, argv):
    pytest.importorskip("matplotlib", reason="figures need the plot extra")
    assert cli.main(argv + ["--out", str(tmp_path), "--quiet"]) == 0
    assert len(list(tmp_path.glob("*.png"))) == 1


def test_cli_anbncn_network_options(tmp_path):
    def attrs(options, out):
        argv = ["anbncn", "--n-train", "50", "--seeds", "1", "--max-n", "12", *options]
        assert cli.main(argv + ["--out", str(out), "--quiet", "--no-plot"]) == 0
        (nc,) = out.glob("*.nc")
        a = xr.open_dataset(nc, engine="scipy").attrs
        return tuple(a[k] for k in ("forget_gate", "peepholes", "jacobian", "input_gate_bias",
                                    "init_scale", "r_end", "q_end"))

    assert attrs([], tmp_path / "default") == (0, 0, "full", -1.5, 1e-3, 1e-9, 1e-5)
    gers = ["--forget-gate", "--peepholes", "--jacobian", "truncated", "--input-gate-bias",
            "-0.5", "--init-scale", "0.1", "--r-end", "1", "--q-end", "1e-6"]
    assert attrs(gers, tmp_path / "gers") == (1, 1, "truncated", -0.5, 0.1, 1.0, 1e-6)


def test_cli_rejects_bad_arguments(capsys):
    for argv in (["mackey-glass", "--n-reservoir", "0"], ["no-such-experiment"],
                 ["narma", "--dtype", "float16"], ["memory-capacity", "--sizes", "-3"],
                 ["adding", "--model", "bptt"], ["temporal-order", "--events", "4"],
                 ["reber", "--n-reservoir", "5"]):
        with pytest.raises(SystemExit) as exc:
            cli.main(argv)
        assert exc.value.code == 2
    assert "invalid" in capsys.readouterr().err


def test_netcdf_round_trip(tmp_path):
    ds = narma.run(n_reservoir=30, n_train=300, n_test=100, washout=50)
    path = save(ds, tmp_path / "sub" / "narma.nc")
    back = xr.open_dataset(path, engine="scipy")
    xr.testing.assert_allclose(ds, back)
    assert back.attrs["test_nrmse"] == ds.attrs["test_nrmse"]
    assert plain_attrs({"a": True, "b": None, "c": np.float32(1.5), "d": (1, 2)}) == \
        {"a": 1, "b": "none", "c": 1.5, "d": "(1, 2)"}


def test_protocols_on_small_sizes():
    mg = mackey_glass.run(n_reservoir=200, n_train=2000, n_trials=3, density=0.05, ridge=1e-10)
    assert mg["forecast"].shape == (3, 84) and mg.attrs["nrmse84"] < 1e-2
    assert mg.attrs["n_diverged"] == 0 and "diverged" not in mackey_glass.summary(mg)
    few = mackey_glass.run(n_reservoir=100, n_train=5, n_trials=2, context=200, density=0.1)
    assert np.isnan(few.attrs["nrmse84"]) and few.attrs["n_diverged"] == 2  # said, not silent
    assert "2 of 2 trials diverged" in mackey_glass.summary(few)
    lz = lorenz.run(n_reservoir=200, n_train=2000, n_trials=2, horizon=300)
    assert lz["valid_time"].shape == (2,) and lz.attrs["median_valid_time"] > 1
    mc = memory.run(sizes=(20,), n_train=500, n_test=300)
    assert 5 < float(mc["memory_capacity"].sel(regime="tanh", n_reservoir=20)) <= 20


def test_cli_search_writes_dataset_and_heatmap(tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="the heat map needs the plot extra")
    argv = ["search", "narma", "--grid", "spectral_radius=0.5:1.0:2", "ridge=1e-8:1e-4:2:log",
            "leak_rate=1", "--n-reservoir", "20", "--n-train", "600", "--splits", "2",
            "--out", str(tmp_path), "--quiet"]
    assert cli.main(argv) == 0
    assert "best score" in capsys.readouterr().out
    ds = xr.open_dataset(tmp_path / "search_narma_seed0.nc", engine="scipy")
    assert ds["mean_test_score"].dims == ("spectral_radius", "ridge", "leak_rate")
    assert (tmp_path / "search_narma_seed0.png").exists()
    for bad in (["search", "narma", "--grid", "spectral_radius"],
                ["search", "narma", "--grid", "ridge=1:2:x"]):
        with pytest.raises(SystemExit):
            cli.main(bad)
    with pytest.raises(SystemExit, match="numba-rnn search: error: The .spectral_radius. "
                       "parameter of ESNRegressor must be"):
        cli.main(["search", "narma", "--grid", "spectral_radius=-1,1", "--out", str(tmp_path),
                  "--quiet", "--no-plot"])
    with pytest.raises(SystemExit, match="unknown parameter"):
        cli.main(["search", "narma", "--grid", "no_such=1,2", "--out", str(tmp_path)])
    with pytest.raises(SystemExit, match="needs a forecaster's task"):
        cli.main(["search", "narma", "--grid", "ridge=1", "--closed-loop", "10", "--out",
                  str(tmp_path)])
    assert cli.main(["search", "mackey-glass", "--grid", "ridge=1e-8,1e-4", "--closed-loop",
                     "20", "--n-reservoir", "20", "--n-train", "800", "--splits", "2",
                     "--out", str(tmp_path), "--quiet", "--no-plot"]) == 0


class _Rejects:
    """Stands for a trained network that rejects the strings of the given n."""

    def __init__(self, rejected):
        self.rejected = set(rejected)

    def first_error(self, symbols, allowed):
        return 0 if (len(symbols) - 1) // 3 in self.rejected else -1  # S a^n b^n c^n


@pytest.mark.parametrize("n_jobs", [1, 2, 3])
@pytest.mark.parametrize("rejected, expected", [
    ((), 50), ((1,), 0), ((7, 40), 6), ((40, 7), 6), ((9, 10), 8), ((50,), 49), ((51,), 50)])
def test_generalisation_stops_before_the_first_rejected_n(rejected, expected, n_jobs):
    assert anbncn.generalisation(_Rejects(rejected), "anbncn", 50, n_jobs=n_jobs) == expected


def test_cli_reports_a_bad_value_without_a_traceback(tmp_path):
    argv = ["anbncn", "--r-end", "-1", "--n-train", "10", "--seeds", "1", "--quiet", "--no-plot",
            "--out", str(tmp_path)]
    with pytest.raises(SystemExit, match="numba-rnn anbncn: error: The .r. parameter of "
                       "KalmanLSTMClassifier must be a finite number > 0"):
        cli.main(argv)


def test_ngrc_lorenz_runs_both_models():
    from experiments import ngrc

    ds = ngrc.run(n_trials=4, n_reservoir=200)
    assert ds["nrmse"].dims == ("model", "trial") and ds.sizes["trial"] == 4
    assert ds.attrs["median_nvar"] < 0.05  # a diverged or broken NVAR is far above
    assert "NVAR" in ngrc.summary(ds)


def test_long_lag_seeds_side_by_side_give_the_results_of_seeds_in_turn():
    from experiments import long_lag

    kw = dict(model="lstm", length=20, n_seeds=2, max_sequences=2000, chunk=500, n_test=100,
              seed=3)
    ds = long_lag.run_adding(**kw)
    par = long_lag.run_adding(**kw, n_jobs=2)
    for name in ("sequences", "test_right", "trials"):
        np.testing.assert_array_equal(par[name].values, ds[name].values)
    right = ds["test_right"].values[0]
    assert right[0] != right[1] and right.min() > 0  # two different, tested networks
    with pytest.raises(ValueError, match="n_jobs=2 trains seeds side by side.*device='cpu'"):
        long_lag.run_adding(**kw, n_jobs=2, device="parallel")
    with pytest.raises(ValueError, match="n_jobs=0 would train no seed"):
        long_lag.run_adding(**dict(kw, model="guess"), n_jobs=0)  # the guesser alone, too


def test_long_lag_guessing_solves_parity_and_the_lstm_learns_the_adding_problem():
    from experiments import long_lag

    ds = long_lag.run_parity(model="guess", n_seeds=2, n_test=300)
    assert np.all(ds["sequences"].values == long_lag.GUESS_SET)  # solved, within the draws
    assert np.all(ds["trials"].values < 100000)
    assert np.all(ds["test_right"].values == 300)  # right on strings of 1 to 1000 bits
    report = long_lag.summary(ds)
    assert "guess solved 2/2" in report and "2906" in report
    ds = long_lag.run_adding(model="lstm", length=20, n_seeds=1, max_sequences=4000,
                             chunk=1000, n_test=300)
    assert ds["test_right"].item() > 200  # the mean alone gets about 50 of 300 right


def test_grid_items_read_numbers_ranges_words_and_flags():
    import argparse

    from experiments.grid import grid_item

    assert grid_item("ridge=1e-6,1") == ("ridge", [1e-6, 1.0])
    assert grid_item("leak_rate=0.1:0.3:3") == ("leak_rate", [0.1, 0.2, 0.3])
    assert grid_item("ridge=0.01:1:3:log") == ("ridge", [0.01, 0.1, 1.0])
    assert grid_item("n_reservoir=100,300") == ("n_reservoir", [100, 300])
    assert grid_item("representation=last_mean,model") == ("representation",
                                                           ["last_mean", "model"])
    assert grid_item("bidirectional=false,True") == ("bidirectional", [False, True])
    for bad in ("ridge", "ridge=abc", "bidirectional=yes,no", "ridge=1:2"):
        with pytest.raises(argparse.ArgumentTypeError):
            grid_item(bad)
    with pytest.raises(argparse.ArgumentTypeError, match="asks for 0 values"):
        grid_item("ridge=1e-6:1e-3:0:log")  # was an empty grid, refused later as "empty"
    assert grid_item("n_reservoir=100:1000:3:log") == ("n_reservoir", [100, 316, 1000])
    with pytest.raises(argparse.ArgumentTypeError, match="n_reservoir takes whole numbers"):
        grid_item("n_reservoir=50.5")  # was read as 50
