"""numba-rnn classify FILE: a user's labelled sequences from a CSV (long or wide) or .ts file."""

import importlib.util

import numpy as np
import pandas as pd
import pytest
import xarray as xr

from experiments import cli
from experiments.sequence_files import read_labelled


def _sequences(n=24, seed=0):
    """n sequences of 10-19 steps x 2 features, slow or fast waves (labels "slow", "fast")."""
    rng = np.random.default_rng(seed)
    y = np.array(["slow", "fast"] * (n // 2))
    X = []
    for label in y:
        t = np.arange(int(rng.integers(10, 20)))[:, None] + rng.uniform(0, 6)
        X.append(np.sin((0.25 if label == "slow" else 0.6) * t * np.array([1.0, 2.0])))
    return X, y


def _long(X, y, path, **names):
    """One row per step: the sequence, its time, its label and the features."""
    rows = [{names.get("id", "sequence"): f"s{i}", "time": t, names.get("label", "label"): label,
             "a": step[0], "b": step[1]}
            for i, (x, label) in enumerate(zip(X, y)) for t, step in enumerate(x)]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def test_a_long_table_reads_back_its_sequences_and_labels(tmp_path):
    X, y = _sequences()
    got_X, got_y = read_labelled(_long(X, y, tmp_path / "long.csv"))
    assert got_y.tolist() == y.tolist() and len(got_X) == len(X)
    for a, b in zip(got_X, X):
        np.testing.assert_array_equal(a, b)  # the time column is not a feature
    shuffled = pd.read_csv(tmp_path / "long.csv", float_precision="round_trip")
    shuffled = shuffled.sample(frac=1.0, random_state=0)  # the time column orders the steps
    shuffled.to_csv(tmp_path / "shuffled.csv", index=False)
    by_id = {f"s{i}": x for i, x in enumerate(X)}
    order = shuffled["sequence"].drop_duplicates().tolist()  # sequences by first appearance
    for key, a in zip(order, read_labelled(tmp_path / "shuffled.csv")[0], strict=True):
        np.testing.assert_array_equal(a, by_id[key])
    named = _long(X, y, tmp_path / "named.csv", id="who", label="speaker")
    got_X, got_y = read_labelled(named, id_column="who", label_column="speaker")
    assert got_y.tolist() == y.tolist() and got_X[3].shape == X[3].shape


def test_a_wide_headerless_table_is_a_sequence_per_row(tmp_path):
    X, y = _sequences()
    lines = ["\t".join([label] + [repr(float(v)) for v in x[:, 0]] + [""] * (19 - len(x)))
             for x, label in zip(X, y)]  # the UCR layout: label first, shorter rows padded
    path = tmp_path / "ucr.tsv"
    path.write_text("\n".join(lines) + "\n")
    got_X, got_y = read_labelled(path)
    assert got_y.tolist() == y.tolist()
    for a, b in zip(got_X, X):
        np.testing.assert_array_equal(a, b[:, :1])
    named = tmp_path / "named.csv"  # a header whose step columns are numbers is a header
    named.write_text("label,0,1,2\nslow,1.0,2.0,3.0\nfast,4.0,5.0,\n")
    got_X, got_y = read_labelled(named)
    assert got_y.tolist() == ["slow", "fast"] and got_X[1].tolist() == [[4.0], [5.0]]


def test_bad_files_say_what_to_change(tmp_path):
    X, y = _sequences()
    path = _long(X, y, tmp_path / "t.csv", label="speaker")
    with pytest.raises(ValueError, match="no column named like labels.*--label-column.*speaker"):
        read_labelled(path)
    with pytest.raises(ValueError, match=r"no column 'nope' \(--id-column\)"):
        read_labelled(path, label_column="speaker", id_column="nope")
    frame = pd.read_csv(path)
    frame.loc[5, "speaker"] = "other"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="sequence 's0' has several labels"):
        read_labelled(path, label_column="speaker")
    frame["note"] = "x"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="column 'note' holds text that is not a number in "
                                         r"\d+ row.*'x' at row 0; fix those rows, drop"):
        read_labelled(path, label_column="speaker")
    frame = frame.drop(columns="note")
    frame.loc[5, "speaker"] = frame.loc[4, "speaker"]
    frame.loc[3, "time"] = 2
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="sequence 's0' has two rows at the same 'time'"):
        read_labelled(path, label_column="speaker")
    frame["sequence"] = frame["sequence"].str[1:].astype(int)  # numbered sequences
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="sequence 0 has two rows at the same 'time'"):
        read_labelled(path, label_column="speaker")
    frame["time"] = "soon"
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'time' holds neither numbers nor dates"):
        read_labelled(path, label_column="speaker")
    (tmp_path / "gap.csv").write_text("label,0,1,2\na,1.0,,3.0\nb,1.0,2.0,\n")
    with pytest.raises(ValueError, match="row 0 has an empty or non-finite field before"):
        read_labelled(tmp_path / "gap.csv")
    (tmp_path / "x.json").write_text("{}")
    with pytest.raises(ValueError, match="must be .ts or a table"):
        read_labelled(tmp_path / "x.json")
    (tmp_path / "unlabelled.csv").write_text("label,0,1\na,1.0,2.0\n,3.0,4.0\n")
    with pytest.raises(ValueError, match="the label .or target. column 'label' is empty at row "
                                         "1; every sequence needs one"):
        read_labelled(tmp_path / "unlabelled.csv")


def test_gaps_inside_sequences_are_filled_on_request(tmp_path):
    (tmp_path / "gap.csv").write_text("label,0,1,2,3\na,1.0,,3.0,\nb,,2.0,2.5,4.0\n")
    with pytest.raises(ValueError, match="before its last value.*--fill interpolate or ffill"):
        read_labelled(tmp_path / "gap.csv")
    X, _ = read_labelled(tmp_path / "gap.csv", fill="interpolate")  # trailing empties: shorter
    assert [x[:, 0].tolist() for x in X] == [[1.0, 2.0, 3.0], [2.0, 2.0, 2.5, 4.0]]
    X, _ = read_labelled(tmp_path / "gap.csv", fill="ffill")
    assert [x[:, 0].tolist() for x in X] == [[1.0, 1.0, 3.0], [2.0, 2.0, 2.5, 4.0]]
    X, y = _sequences(4)
    path = _long(X, y, tmp_path / "long.csv")
    frame = pd.read_csv(path, float_precision="round_trip")
    frame.loc[2, "a"] = np.nan  # inside sequence s0
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="'a' is empty or non-finite at row 2; fill the gaps "
                                         "with --fill"):
        read_labelled(path)
    got = read_labelled(path, fill="interpolate")[0][0]
    assert got[2, 0] == (X[0][1, 0] + X[0][3, 0]) / 2
    np.testing.assert_array_equal(np.delete(got, 2, axis=0), np.delete(X[0], 2, axis=0))
    frame.loc[frame["sequence"] == "s1", "b"] = np.nan  # nothing to fill from
    frame.to_csv(path, index=False)
    with pytest.raises(ValueError, match="sequence 's1' has no value of 'b' to fill its gaps"):
        read_labelled(path, fill="ffill")
    with pytest.raises(ValueError, match="fill must be 'interpolate', 'ffill' or None"):
        read_labelled(path, fill="zero")
    with pytest.raises(SystemExit, match="--fill are for a file of your own"):
        cli.main(["classify", "gunpoint", "--fill", "ffill", "--out", str(tmp_path)])


def test_cli_classifies_a_file_with_a_test_file_or_a_stratified_hold_out(tmp_path):
    X, y = _sequences(32)
    train = _long(X[:24], y[:24], tmp_path / "train.csv")
    test = _long(X[24:], y[24:], tmp_path / "test.csv")
    out = tmp_path / "out"
    common = ["--n-reservoir", "30", "--out", str(out), "--no-plot", "--quiet"]
    assert cli.main(["classify", str(train), "--test", str(test)] + common) == 0
    ds = xr.open_dataset(out / "classify_train_seed0.nc")
    assert (ds.attrs["n_train"], ds.attrs["n_test"]) == (24, 8)
    assert int(ds["confusion"].sum()) == 8 and ds.attrs["errors"] <= 1
    assert cli.main(["classify", str(train), "--test-size", "0.5"] + common) == 0
    ds = xr.open_dataset(out / "classify_train_seed0.nc")
    assert (ds.attrs["n_train"], ds.attrs["n_test"]) == (12, 12)
    assert sorted(ds["confusion"].sum("predicted_class").values) == [6, 6]  # stratified


@pytest.mark.parametrize("args, message", [
    (["tiny.csv"], "too few to hold out"),
    (["tiny.csv", "--test", "other.csv"], r"labels \['other'\] that no training"),
    (["gunpoint", "--test", "tiny.csv"], "comes split as published"),
    (["gunpoint", "--test-size", "0.5"], "comes split as published"),
    (["tiny.csv", "--test", "tiny.csv", "--test-size", "0.5"], "either a test file"),
    (["tiny.csv", "--test-size", "2"], r"test_size must be in \(0, 1\)"),
    (["gun-point"], "neither a set"),
    (["tiny.csv", "--test", "narrow.csv"], "narrow.csv has 1 feature.s. a step, tiny.csv 2: give "
                                           "the test file the training file's feature columns"),
])
def test_cli_file_errors(tmp_path, args, message):
    X, y = _sequences(4)
    _long(X, y, tmp_path / "tiny.csv")
    _long(X[:2], np.array(["slow", "other"]), tmp_path / "other.csv")
    narrow = pd.read_csv(_long(X, y, tmp_path / "narrow.csv")).drop(columns="b")
    narrow.to_csv(tmp_path / "narrow.csv", index=False)  # one feature where training has two
    args = [str(tmp_path / a) if a.endswith(".csv") else a for a in args]
    with pytest.raises(SystemExit, match=message):
        cli.main(["classify"] + args + ["--n-reservoir", "20", "--out", str(tmp_path / "o"),
                                        "--no-plot", "--quiet"])


@pytest.mark.skipif(importlib.util.find_spec("sktime") is None,
                    reason="reading .ts files needs sktime (the archives extra)")
def test_a_ts_file_reads_like_the_archives(tmp_path):
    path = tmp_path / "waves.ts"
    path.write_text("@problemName waves\n@timeStamps false\n@univariate true\n"
                    "@classLabel true slow fast\n@data\n1.0,2.0,3.0:slow\n4.0,5.0:fast\n")
    X, y = read_labelled(path)
    assert y.tolist() == ["slow", "fast"]
    np.testing.assert_array_equal(X[1], [[4.0], [5.0]])
    path.write_text("@problemName waves\n@data\n1.0,2.0,3.0:slow\n")  # no header
    with pytest.raises(ValueError, match="waves.ts is not a .ts file sktime can read: .* The "
                                         "format: a header of @-lines"):
        read_labelled(path)
