"""Settings page: the ComfyUI servers (add, edit, make active, remove, test), the poll interval.

Every change is checked in ``<workspace>/settings.json``; a token typed into the page is never sent
back to the browser in full.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from streamlit.testing.v1 import AppTest
from streamlit.testing.v1.element_tree import Block, Node

from storyboard_core.settings import remove_server
from tests.fake_comfyui.server import FakeComfyUI
from tests.hostile import as_read
from ui.frame import services
from ui.frame.registry import SETTINGS

from .conftest import OpenPage

TOKEN = "sk-proxy-SECRET-0123456789-wxyz"


@pytest.fixture(autouse=True)
def _stop_monitor(workspace: Path) -> Iterator[None]:
    """Stop this workspace's status monitor after the test, so its thread does not poll on."""
    yield
    services._monitor(str(workspace)).stop()


@pytest.fixture
def settings_page(open_page: OpenPage) -> AppTest:
    return open_page(SETTINGS)


def saved(workspace: Path) -> dict[str, Any]:
    """The ``comfyui`` section of settings.json as written."""
    data = json.loads((workspace / "settings.json").read_text(encoding="utf-8"))
    section: dict[str, Any] = data["comfyui"]
    return section


def servers(workspace: Path) -> list[tuple[str, str, str, bool]]:
    return [(s["name"], s["url"], s["token"], s["active"]) for s in saved(workspace)["servers"]]


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


def submit(at: AppTest, label: str) -> AppTest:
    """Click the one form submit button labelled ``label`` and rerun."""
    (button,) = [b for b in at.button if b.label == label]
    button.click()
    return ok(at.run())


def add(at: AppTest, name: str, url: str, token: str = "", *, active: bool = True) -> AppTest:
    (name_in,) = [t for t in at.text_input if t.label == "Server name"]
    (url_in,) = [t for t in at.text_input if t.label == "Server URL"]
    (token_in,) = [t for t in at.text_input if t.label == "Token (optional)"]
    name_in.input(name)
    url_in.input(url)
    token_in.input(token)
    (check,) = [c for c in at.checkbox if c.label == "Make it the active server"]
    check.check() if active else check.uncheck()
    return submit(at, "Add server")


def expander_of(at: AppTest, name: str) -> Block:
    """The expander of one configured server (its title starts with the name, after a star)."""
    found = [
        e for e in at.expander if as_read(e.label).removeprefix("⭐ ").startswith(f"{name} — ")
    ]
    assert len(found) == 1, [as_read(e.label) for e in at.expander]
    return found[0]


def errors(at: AppTest) -> list[str]:
    return [as_read(str(e.value)) for e in at.error]


def walk(node: Node) -> Iterator[Node]:
    yield node
    if isinstance(node, Block):
        for child in node.children.values():
            yield from walk(child)


def everything_sent(at: AppTest) -> str:
    """Every element the page sent to the browser, as text (protobuf text and raw bytes)."""
    parts = []
    for node in walk(at._tree):
        proto = getattr(node, "proto", None)
        if proto is not None:
            parts.append(str(proto))
            parts.append(proto.SerializeToString().decode("utf-8", "replace"))
    return "\n".join(parts)


def test_add_a_server_writes_it_as_the_active_one(workspace: Path, settings_page: AppTest) -> None:
    assert not (workspace / "settings.json").exists()
    add(settings_page, "studio", "http://10.0.0.5:8188/", TOKEN)
    assert servers(workspace) == [("studio", "http://10.0.0.5:8188", TOKEN, True)]
    add(settings_page, "laptop", "https://laptop.local:8443", active=False)
    assert servers(workspace) == [
        ("studio", "http://10.0.0.5:8188", TOKEN, True),
        ("laptop", "https://laptop.local:8443", "", False),
    ]
    assert errors(settings_page) == []
    labels = [as_read(e.label) for e in settings_page.expander]
    assert "⭐ studio — http://10.0.0.5:8188" in labels
    assert "laptop — https://laptop.local:8443" in labels
    (table,) = settings_page.table
    rows = table.value.to_dict("records")
    assert [(as_read(r["Name"]), as_read(r["URL"]), r["Active"]) for r in rows] == [
        ("studio", "http://10.0.0.5:8188", "⭐"),
        ("laptop", "https://laptop.local:8443", ""),
    ]


@pytest.mark.parametrize("url", ["ftp://x", "http://", "not a url"])
def test_a_bad_url_is_refused_naming_the_field(
    workspace: Path, settings_page: AppTest, url: str
) -> None:
    add(settings_page, "studio", url)
    (message,) = errors(settings_page)
    assert "url" in message
    assert "http://" in message  # says what a good address looks like
    assert not (workspace / "settings.json").exists()
    # What the user typed stays in the form, to be corrected rather than typed again.
    typed = {t.label: t.value for t in settings_page.text_input}
    assert (typed["Server name"], typed["Server URL"]) == ("studio", url)


def test_a_bad_url_in_an_edit_is_refused_and_nothing_changes(
    workspace: Path, settings_page: AppTest
) -> None:
    add(settings_page, "studio", "http://10.0.0.5:8188")
    before = (workspace / "settings.json").read_bytes()
    box = expander_of(settings_page, "studio")
    (url_in,) = [t for t in box.text_input if t.label == "URL"]
    url_in.input("ftp://x")
    submit(settings_page, "Save server")
    (message,) = errors(settings_page)
    assert "url" in message and "ftp://x" in message
    assert (workspace / "settings.json").read_bytes() == before


def test_an_empty_or_duplicate_name_is_refused(workspace: Path, settings_page: AppTest) -> None:
    add(settings_page, "", "http://10.0.0.5:8188")
    (message,) = errors(settings_page)
    assert "name" in message
    assert not (workspace / "settings.json").exists()
    add(settings_page, "studio", "http://10.0.0.5:8188")
    add(settings_page, "Studio", "http://10.0.0.6:8188")
    (message,) = errors(settings_page)
    assert "already named 'studio'" in message
    assert [s[0] for s in servers(workspace)] == ["studio"]


def test_the_token_is_never_shown_in_full(workspace: Path, settings_page: AppTest) -> None:
    add(settings_page, "studio", "http://10.0.0.5:8188", TOKEN)
    assert servers(workspace)[0][2] == TOKEN
    settings_page.run()  # a fresh run, and one with the editor of the server open
    box = expander_of(settings_page, "studio")
    (token_in,) = [t for t in box.text_input if t.label == "Token"]
    assert token_in.value == ""  # the edit form does not hold the token either
    sent = everything_sent(ok(settings_page))
    assert "••••wxyz" in sent and "http://10.0.0.5:8188" in sent  # the scan sees the page
    assert TOKEN not in sent
    assert TOKEN[:-4] not in sent  # not even most of it
    (table,) = settings_page.table
    assert table.value["Token"].tolist() == ["••••wxyz"]


def test_edit_a_server_keeps_the_token_unless_changed(
    workspace: Path, settings_page: AppTest
) -> None:
    add(settings_page, "studio", "http://10.0.0.5:8188", TOKEN)
    box = expander_of(settings_page, "studio")
    (name_in,) = [t for t in box.text_input if t.label == "Name"]
    (url_in,) = [t for t in box.text_input if t.label == "URL"]
    name_in.input("gpu-box")
    url_in.input("https://gpu.example:8443/")
    submit(settings_page, "Save server")
    assert errors(settings_page) == []
    assert servers(workspace) == [("gpu-box", "https://gpu.example:8443", TOKEN, True)]
    box = expander_of(settings_page, "gpu-box")
    (token_in,) = [t for t in box.text_input if t.label == "Token"]
    token_in.input("new-token-abcdefgh")
    submit(settings_page, "Save server")
    assert servers(workspace)[0][2] == "new-token-abcdefgh"
    box = expander_of(settings_page, "gpu-box")
    (clear,) = [c for c in box.checkbox if c.label == "Remove the token"]
    clear.check()
    submit(settings_page, "Save server")
    assert servers(workspace)[0][2] == ""


def test_make_active_and_remove(workspace: Path, settings_page: AppTest) -> None:
    add(settings_page, "studio", "http://10.0.0.5:8188")
    add(settings_page, "laptop", "http://10.0.0.6:8188", active=False)
    assert settings_page.button(key="activate_studio").disabled
    ok(settings_page.button(key="activate_laptop").click().run())
    assert [(s[0], s[3]) for s in servers(workspace)] == [("studio", False), ("laptop", True)]
    assert settings_page.button(key="activate_laptop").disabled
    ok(settings_page.button(key="remove_laptop").click().run())
    # The active one was removed: the remaining server takes over.
    assert [(s[0], s[3]) for s in servers(workspace)] == [("studio", True)]
    assert [as_read(e.label) for e in settings_page.expander] == [
        "⭐ studio — http://10.0.0.5:8188"
    ]
    ok(settings_page.button(key="remove_studio").click().run())
    assert servers(workspace) == []
    assert any("No server configured" in as_read(c.value) for c in settings_page.caption)


def test_poll_interval_is_saved(workspace: Path, settings_page: AppTest) -> None:
    (seconds,) = [n for n in settings_page.number_input if n.label == "Poll interval (seconds)"]
    assert seconds.value == 5
    seconds.set_value(12)
    submit(settings_page, "Save interval")
    assert saved(workspace)["poll_seconds"] == 12
    (seconds,) = [n for n in settings_page.number_input if n.label == "Poll interval (seconds)"]
    assert seconds.value == 12
    assert seconds.min == 1 and seconds.max == 300


def test_test_connection_reports_version_device_and_queue(
    workspace: Path, settings_page: AppTest, fake_comfyui: FakeComfyUI
) -> None:
    add(settings_page, "fake", fake_comfyui.url)
    ok(settings_page.button(key="test_fake").click().run())
    (message,) = [as_read(str(s.value)) for s in settings_page.success]
    assert message.startswith(f"Connected to {fake_comfyui.url}: ComfyUI 0.3.64 on cpu")
    assert "GiB free of" in message
    assert "queue 0 running / 0 pending" in message
    assert errors(settings_page) == []


def test_test_connection_says_why_it_failed(
    workspace: Path, settings_page: AppTest, refused_url: str
) -> None:
    add(settings_page, "gone", refused_url)
    ok(settings_page.button(key="test_gone").click().run())
    assert errors(settings_page) == [f"Cannot use {refused_url}: offline — connection refused"]
    assert not list(settings_page.success)


def test_test_connection_of_the_default_server(
    workspace: Path,
    settings_page: AppTest,
    fake_comfyui: FakeComfyUI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", fake_comfyui.url)
    ok(settings_page.run())
    assert any("STORYBOARD_COMFYUI_URL" in as_read(i.value) for i in settings_page.info)
    ok(settings_page.button(key="test_default").click().run())
    (message,) = [as_read(str(s.value)) for s in settings_page.success]
    assert "ComfyUI 0.3.64" in message


def test_a_broken_settings_file_is_named_without_a_traceback(
    workspace: Path, open_page: OpenPage
) -> None:
    path = workspace / "settings.json"
    path.write_text('{"comfyui": {"servers": [', encoding="utf-8")
    at = open_page(SETTINGS)
    assert not at.exception
    (message,) = errors(at)
    assert message.startswith("settings.json cannot be used:")
    assert "Fix or delete the file" in message
    assert path.read_text(encoding="utf-8") == '{"comfyui": {"servers": ['  # left alone
    path.write_text('{"comfyui": {"poll_seconds": 0}}', encoding="utf-8")
    ok(at.run())
    (message,) = errors(at)
    assert "poll_seconds" in message


def test_a_bad_override_url_is_named_without_a_traceback(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, open_page: OpenPage
) -> None:
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", "not a url")
    at = ok(open_page(SETTINGS))
    (message,) = errors(at)
    assert "STORYBOARD_COMFYUI_URL" in message and "http://" in message


def test_a_server_removed_in_another_tab_just_disappears(
    workspace: Path, settings_page: AppTest
) -> None:
    add(settings_page, "studio", "http://10.0.0.5:8188")
    add(settings_page, "laptop", "http://10.0.0.6:8188", active=False)
    remove_server(workspace, "laptop")  # another tab; this page still shows it
    ok(settings_page.button(key="activate_laptop").click().run())
    assert errors(settings_page) == []
    assert [as_read(e.label) for e in settings_page.expander] == [
        "⭐ studio — http://10.0.0.5:8188"
    ]
    assert servers(workspace) == [("studio", "http://10.0.0.5:8188", "", True)]
