"""Figures of the reproductions (optional extra ``plot``: matplotlib)."""

import pathlib

import numpy as np


def _pyplot():
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as err:
        raise ImportError("Plots need matplotlib: pip install 'numba-rnn[plot]', or pass "
                          "--no-plot.") from err
    return plt


def _save(plt, fig, path):
    """Write ``fig`` as a PNG at ``path`` (folders created), close it, return the path."""
    fig.tight_layout()
    path = pathlib.Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=100)
    plt.close(fig)
    return path


def forecast_figure(ds, path, *, variable=None, trial=0, valid_steps=None, ylabel="value"):
    """Forecast vs truth of one trial, the absolute error below; writes a PNG.

    Parameters
    ----------
    ds : xarray.Dataset
        Variables ``forecast`` and ``truth`` over ``trial`` and ``step`` (and ``variable``).
    path : str or pathlib.Path
        The PNG file.
    variable : str or None, default=None
        Which variable of a multivariate forecast to draw.
    trial : int, default=0
        Which trial to draw.
    valid_steps : int or None, default=None
        Draw a valid-time marker at this step.
    ylabel : str, default="value"
        Label of the value axis.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    plt = _pyplot()
    forecast = ds["forecast"].isel(trial=trial)
    truth = ds["truth"].isel(trial=trial)
    if variable is not None:
        forecast, truth = forecast.sel(variable=variable), truth.sel(variable=variable)
    t = ds["step"].values * ds.attrs.get("dt", 1.0)
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(8, 5), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1]})
    top.plot(t, truth.values, color="black", lw=1.5, label="truth")
    top.plot(t, forecast.values, color="tab:red", lw=1, ls="--", label="ESN forecast")
    top.set_ylabel(ylabel)
    top.legend(loc="lower right", bbox_to_anchor=(1.0, 1.0), ncol=2, frameon=False, fontsize=9)
    top.set_title(ds.attrs.get("title", ""), loc="left")
    bottom.semilogy(t, np.abs(forecast.values - truth.values) + 1e-300, color="tab:blue")
    bottom.set_ylabel("|error|")
    bottom.set_xlabel(f"time ({ds.attrs.get('time_unit', 'steps')})")
    if valid_steps is not None:
        for ax in (top, bottom):
            ax.axvline(t[min(valid_steps, len(t) - 1)], color="gray", ls=":",
                       label="valid time")
    return _save(plt, fig, path)


def heatmap(ds, x, y, path, *, variable="mean_test_score", r2=False):
    """A grid-search score over two parameters, the others at their best values; writes a PNG.

    Parameters
    ----------
    ds : xarray.Dataset
        A grid-search Dataset (see :func:`experiments.search.grid_search`), with ``best_*``
        attributes.
    x, y : str
        Parameters on the horizontal and vertical axes.
    path : str or pathlib.Path
        The PNG file.
    variable : str, default="mean_test_score"
        The variable drawn.
    r2 : bool, default=False
        For scores that are R^2, draw log10(1 - R^2), which separates good configurations.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    plt = _pyplot()
    # the other parameters at their best values (attributes hold flags as 0/1: netCDF has no
    # bool)
    others = {d: bool(ds.attrs[f"best_{d}"]) if ds[d].dtype == bool else ds.attrs[f"best_{d}"]
              for d in ds[variable].dims if d not in (x, y)}
    data = ds[variable].sel(others).transpose(y, x)
    values = np.log10(np.clip(1.0 - data.values, 1e-16, None)) if r2 else data.values
    fig, ax = plt.subplots(figsize=(6, 4.5))
    mesh = ax.imshow(values, origin="lower", aspect="auto",
                     cmap="viridis_r" if r2 else "viridis")
    ax.set_xticks(range(ds.sizes[x]), [f"{v:.3g}" for v in ds[x].values])
    ax.set_yticks(range(ds.sizes[y]), [f"{v:.3g}" for v in ds[y].values])
    ax.set_xlabel(x)
    ax.set_ylabel(y)
    fixed = ", ".join(f"{k}={v:.3g}" for k, v in others.items())
    label = f"log10(1 - {variable})" if r2 else variable
    ax.set_title(label + (f" ({fixed})" if fixed else ""), fontsize=9)
    fig.colorbar(mesh, ax=ax)
    return _save(plt, fig, path)


def confusion_figure(ds, path, *, variable="confusion"):
    """A confusion matrix (true class down, predicted class across), counts written in the
    cells; writes a PNG.

    Parameters
    ----------
    ds : xarray.Dataset
        With ``variable`` over (``true_class``, ``predicted_class``).
    path : str or pathlib.Path
        The PNG file.
    variable : str, default="confusion"
        The counts drawn.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    plt = _pyplot()
    counts = ds[variable].transpose("true_class", "predicted_class").values
    labels = [str(v) for v in ds["true_class"].values]
    n = len(labels)
    fig, ax = plt.subplots(figsize=(1.2 + 0.45 * n, 1.0 + 0.45 * n))
    ax.imshow(np.log1p(counts), cmap="Blues")
    for i in range(n):
        for j in range(n):
            if counts[i, j]:
                dark = np.log1p(counts[i, j]) > 0.6 * np.log1p(counts.max())
                ax.text(j, i, int(counts[i, j]), ha="center", va="center", fontsize=8,
                        color="white" if dark else "black")
    ax.set_xticks(range(n), labels)
    ax.set_yticks(range(n), labels)
    ax.set_xlabel("predicted class")
    ax.set_ylabel("true class")
    errors = int(counts.sum() - np.trace(counts))
    ax.set_title(f"{ds.attrs.get('archive', '')}: {errors}/{int(counts.sum())} errors",
                 fontsize=9)
    return _save(plt, fig, path)


def prediction_figure(ds, path):
    """Each test sequence's prediction against its target, with the diagonal; writes a PNG.

    Parameters
    ----------
    ds : xarray.Dataset
        With ``target`` and ``prediction`` over ``sequence`` (and ``lower``, ``upper``: drawn
        as bars), and the ``rmse`` and ``rmse_mean`` attributes
        (:func:`experiments.regress.run`).
    path : str or pathlib.Path
        The PNG file.

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    plt = _pyplot()
    target, predicted = ds["target"].values, ds["prediction"].values
    fig, ax = plt.subplots(figsize=(4.2, 4.0))
    ax.scatter(target, predicted, s=12, alpha=0.7)
    if "lower" in ds:  # the prediction intervals, as vertical bars
        ax.vlines(target, ds["lower"].values, ds["upper"].values, color="C0", alpha=0.25,
                  lw=1.0, label=f"{ds.attrs['interval']:.0%} interval")
        ax.legend(fontsize=8, loc="upper left")
    ends = [min(target.min(), predicted.min()), max(target.max(), predicted.max())]
    ax.plot(ends, ends, color="0.5", lw=0.8)
    ax.set_xlabel("target")
    ax.set_ylabel("prediction")
    ax.set_title(f"{ds.attrs.get('data', '')}: test RMSE {ds.attrs['rmse']:.3g} (the training "
                 f"mean {ds.attrs['rmse_mean']:.3g})", fontsize=9)
    return _save(plt, fig, path)


def series_forecast_figure(ds, path, *, history=None):
    """A user's series (its last steps), the held-out steps with their forecast, and the
    forecast after the end, one panel per variable (at most four); writes a PNG.

    Parameters
    ----------
    ds : xarray.Dataset
        What :func:`experiments.forecast.run` returned.
    path : str or pathlib.Path
        The PNG file.
    history : int or None, default=None
        Steps of the series shown before the held-out ones (default: five horizons).

    Returns
    -------
    path : pathlib.Path
        The file written.
    """
    plt = _pyplot()
    h, T = ds.sizes["lead"], ds.sizes["time"]
    start = max(0, T - h - (history or 5 * h))
    names = [str(v) for v in ds["variable"].values][:4]
    fig, axes = plt.subplots(len(names), 1, figsize=(8, 2.6 * len(names) + 0.6), sharex=True,
                             squeeze=False)
    if "future_time" in ds.coords:  # the file's own times (dates or numbers)
        times = ds["time"].values
        t, lead, future = times[start:], ds["test_time"].values, ds["future_time"].values
        cut = times[T - h - 1] + (times[T - h] - times[T - h - 1]) / 2
    else:
        t, lead, future = np.arange(start, T), np.arange(T - h, T), np.arange(T, T + h)
        cut = T - h - 0.5
    for ax, name in zip(axes[:, 0], names):
        ax.plot(t, ds["series"].sel(variable=name).values[start:], color="black", lw=1.2,
                label="series")
        ax.plot(lead, ds["test_forecast"].sel(variable=name).values, color="tab:red", ls="--",
                lw=1.2, label="forecast of the held-out steps")
        ax.plot(future, ds["future_forecast"].sel(variable=name).values, color="tab:blue",
                lw=1.2, label="forecast after the end")
        if "future_lower" in ds:  # prediction intervals
            for when, part, color in ((lead, "test", "tab:red"), (future, "future", "tab:blue")):
                ax.fill_between(when, ds[f"{part}_lower"].sel(variable=name).values,
                                ds[f"{part}_upper"].sel(variable=name).values, color=color,
                                alpha=0.15, lw=0, label=f"{ds.attrs['interval']:.0%} interval"
                                * (part == "future"))
        ax.axvline(cut, color="gray", ls=":", lw=0.8)
        ax.set_ylabel(name)
    axes[0, 0].legend(loc="lower right", bbox_to_anchor=(1.0, 1.0),
                      ncol=2 if "future_lower" in ds else 3, frameon=False,
                      fontsize=8)
    axes[0, 0].set_title(f"NRMSE {ds.attrs['nrmse_test']:.3g} (persistence "
                         f"{ds.attrs['nrmse_persistence']:.3g})", loc="left", fontsize=9)
    axes[-1, 0].set_xlabel("time" if "future_time" in ds.coords else "step")
    return _save(plt, fig, path)
