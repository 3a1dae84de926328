"""The page, as a package of small rooms; the only part of the project that imports Streamlit.

Each module owns its widgets and exposes one function that draws them; session state is
read and written only through the names declared in :mod:`simulator.ui.state`.
"""
