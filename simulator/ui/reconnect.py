"""After a reconnect, a full rerun: what makes a page survive the death of its server process.

When Streamlit's page reconnects (its replica died and the load balancer sent it to another one, or
the network dropped), the frontend asks for a full rerun only if its last run was a fragment run or
the page has an auto-rerunning fragment. A page whose last run was a full run asks for nothing, and
the new process, which never ran the stepper's fragment, drops the next Next click or key press
("The fragment with id … does not exist anymore"). This empty fragment with a long ``run_every`` is
that auto-rerunning fragment: the frontend then asks for a full rerun on every reconnect, the new
session rebuilds every fragment, and the view comes back from the URL. Its timer fires once a day,
an empty fragment run costing nothing.
"""

from __future__ import annotations

from datetime import timedelta

import streamlit as st

# Under the browser's setTimeout limit of 2**31 ms (24.8 days), beyond which an interval fires at once.
INTERVAL = timedelta(days=1)


@st.fragment(run_every=INTERVAL)
def rerun_after_reconnect() -> None:
    """Mount once in the main script, outside any fragment; shows nothing."""
