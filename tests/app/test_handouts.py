"""The hand-outs section: built on click with a progress bar, then downloaded; bad choices say why."""

from __future__ import annotations

import io
import re
from collections.abc import Callable

from pypdf import PdfReader
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Store
from ui.frame.registry import DASHBOARD, SEQUENCE

from ..hostile import RAW_MARKERS, SHOT_TEXT, arrange, as_read
from .conftest import OpenPage


def downloads(at: AppTest) -> list[object]:
    return [b for b in at.download_button if b.proto.label.startswith("⬇️ Download")]


def opened(at: AppTest, key: str) -> AppTest:
    """Open the hand-outs section (it builds nothing while closed)."""
    at.session_state[f"{key}_open"] = True
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def build(at: AppTest, key: str) -> AppTest:
    at.button(key=f"{key}_build").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_nothing_is_built_until_the_button_is_pressed(
    media: Callable[[str], bytes], demo: Project, open_page: OpenPage
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    assert not [b for b in at.selectbox if b.key == "dash_handout_format"]  # closed: not built
    opened(at, "dash_handout")
    assert at.selectbox(key="dash_handout_format").value == "pdf"
    assert not downloads(at)


def test_dashboard_builds_a_pdf_of_chosen_sequences(
    media: Callable[[str], bytes], demo: Project, store: Store, open_page: OpenPage
) -> None:
    at = open_page(DASHBOARD, project=demo.id)
    opened(at, "dash_handout")
    at.multiselect(key="dash_handout_sequences").set_value(["002"]).run()
    at.selectbox(key="dash_handout_layout").set_value("2x2").run()
    build(at, "dash_handout")
    (button,) = downloads(at)
    reader = PdfReader(io.BytesIO(media(button.proto.url)))
    seq = store.read_sequence(demo.id, "002")
    assert len(reader.pages) == 1 + -(-len(seq.shots) // 4)
    assert seq.shots[0].title in reader.pages[1].extract_text()
    # A rerun keeps the built file; changing the choice drops it.
    at.run()
    assert downloads(at)
    at.selectbox(key="dash_handout_layout").set_value("3x3").run()
    assert not downloads(at)


def test_sequence_page_builds_a_timeline_of_chosen_shots(
    media: Callable[[str], bytes], demo: Project, store: Store, open_page: OpenPage
) -> None:
    shots = store.read_shots(demo.id, "001")
    at = open_page(SEQUENCE, project=demo.id, seq="001")
    opened(at, "seq_handout")
    at.selectbox(key="seq_handout_format").set_value("edl").run()
    at.multiselect(key="seq_handout_shots").set_value([shots[1].id]).run()
    build(at, "seq_handout")
    (button,) = downloads(at)
    edl = media(button.proto.url).decode("utf-8")
    assert edl.count(" V     C ") == 1
    assert shots[1].title in edl


def test_an_empty_sequence_is_refused_with_a_message(
    media: Callable[[str], bytes], demo: Project, store: Store, open_page: OpenPage
) -> None:
    empty = store.add_sequence(demo.id, "Vide", shots=0)
    at = open_page(DASHBOARD, project=demo.id)
    opened(at, "dash_handout")
    at.multiselect(key="dash_handout_sequences").set_value([empty.id]).run()
    build(at, "dash_handout")
    assert any("no shot to export" in e.value for e in at.error)
    assert not downloads(at)


def test_hostile_text_prints_as_typed_and_errors_quote_it_as_text(
    media: Callable[[str], bytes], store: Store, open_page: OpenPage
) -> None:
    bad = arrange(store)
    at = open_page(SEQUENCE, project=bad.project, seq=bad.seq)
    opened(at, "seq_handout")
    build(at, "seq_handout")
    (button,) = downloads(at)
    pages = PdfReader(io.BytesIO(media(button.proto.url))).pages
    text = "".join(page.extract_text() for page in pages)
    # ReportLab's paragraph markup is not parsed from the title either: it prints as typed.
    flat = "".join(text.split())  # wrapped lines come back with spaces where they broke
    for piece in ("**Bold** ![x](http://img.hostile.invalid/x.png)", '<img src="http://htm'):
        assert piece in SHOT_TEXT["title"]
        assert "".join(piece.split()) in flat, piece
    # A broken frame: the message names the shot by its hostile title, escaped for Markdown. (On the
    # dashboard: the sequence page's storyboard card cannot show a broken frame yet.)
    (store.project_dir(bad.project) / "renders" / "a.png").write_bytes(b"not a png")
    at = open_page(DASHBOARD, project=bad.project)
    opened(at, "dash_handout")
    build(at, "dash_handout")
    (error,) = at.error
    assert "is not a readable image" in as_read(error.value)
    assert not re.search("|".join(f"(?<!\\\\){re.escape(m)}" for m in RAW_MARKERS), error.value)
