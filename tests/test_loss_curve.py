"""The loss curve: a long history is thinned to real steps, and the plot has no white box of its own."""

import numpy as np

from simulator.views.figures import MAX_CURVE_POINTS, loss_curve_figure


def test_a_20000_step_history_is_drawn_from_at_most_2000_of_its_own_steps():
    losses = np.exp(-np.arange(20_001) / 3_000.0)
    (trace,) = loss_curve_figure(losses, first=5).data
    x, y = np.asarray(trace.x), np.asarray(trace.y)
    assert len(x) <= MAX_CURVE_POINTS
    assert x[0] == 5 and x[-1] == 5 + 20_000  # the first and the last step are always drawn
    assert np.all(np.diff(x) > 0)
    np.testing.assert_array_equal(y, losses[x - 5])  # every point is a real step's loss


def test_a_short_history_keeps_every_step():
    losses = np.linspace(1.0, 0.5, 101)
    (trace,) = loss_curve_figure(losses).data
    np.testing.assert_array_equal(np.asarray(trace.x), np.arange(101))
    np.testing.assert_array_equal(np.asarray(trace.y), losses)


def test_the_plot_background_follows_the_page():
    assert loss_curve_figure(np.array([1.0, 0.5])).layout.plot_bgcolor == "rgba(0,0,0,0)"
