"""The floor of the click benchmarks: a minimal Streamlit app doing what each interaction does.

``streamlit run bench/minimal_app.py`` serves five pages: an editor (a text input and a Save that writes
a JSON file atomically and toasts "Saved", and Previous/Next callbacks that change the heading), a grid
(a data editor of 100 rows and a Save), a comment box with its Save, and two pages that link to each
other. Nothing else: what our app
costs above these is what the benchmark reports.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import pandas as pd
import streamlit as st

OUT = Path(os.environ.get("BENCH_MINIMAL_OUT", tempfile.gettempdir())) / "bench-minimal.json"


def write_atomic(data: object) -> None:
    """What a save costs at the least: a temporary file, fsync, rename."""
    fd, tmp = tempfile.mkstemp(dir=OUT.parent, suffix=".tmp")
    with os.fdopen(fd, "w", encoding="utf-8") as f:
        json.dump(data, f, indent=2)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, OUT)


def step(by: int) -> None:
    """Move to another item before the run (a callback: one script run per click)."""
    st.session_state["n"] += by


def editor() -> None:
    n = st.session_state.setdefault("n", int(st.query_params.get("start", 1)))
    st.title(f"Item {n}")
    title = st.text_input("Title", key="title")
    if st.button("Save"):
        write_atomic({"n": n, "title": title})
        st.toast("Saved")
    st.button("Previous", on_click=step, args=(-1,))
    st.button("Next", on_click=step, args=(1,))


def comment() -> None:
    st.title("Comments")
    text = st.text_area("Your comment", key="comment")
    if st.button("Comment"):
        write_atomic({"comment": text})
        st.toast("Comment added")


def grid() -> None:
    st.title("Grid")
    frame = pd.DataFrame({"title": [f"Shot {i}" for i in range(1, 101)], "seconds": 5.0})
    edited = st.data_editor(frame, key="grid", hide_index=True, num_rows="fixed")
    if st.button("Save"):
        write_atomic(edited.to_dict("records"))
        st.toast("Saved 1 shot(s)")


def page_a() -> None:
    st.title("Page A")
    st.page_link(PAGE_B, label="Open page B")


def page_b() -> None:
    st.title("Page B")
    st.page_link(PAGE_A, label="Open page A")


PAGE_A = st.Page(page_a, title="A", url_path="a")
PAGE_B = st.Page(page_b, title="B", url_path="b")
st.navigation(
    [
        st.Page(editor, title="Editor", default=True),
        st.Page(grid, url_path="grid"),
        st.Page(comment, url_path="comment"),
        PAGE_A,
        PAGE_B,
    ],
    position="hidden",
).run()
