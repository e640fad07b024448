"""settings.json: defaults, env override, editing servers, validation, unknown keys, token secrecy."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core.errors import BrokenFileError, InvalidDataError, NotFoundError
from storyboard_core.files import FileArea
from storyboard_core.settings import (
    DEFAULT_URL,
    ENV_URL,
    ServerConfig,
    Settings,
    active_server,
    add_server,
    configured_servers,
    load_settings,
    mask_token,
    redact_url,
    remove_server,
    set_active_server,
    set_poll_seconds,
    update_server,
)

TOKEN = "tok-SECRET-0123456789-wxyz"


def read(workspace: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((workspace / "settings.json").read_text("utf-8"))
    return data


def servers_on_disk(workspace: Path) -> list[dict[str, object]]:
    comfyui = read(workspace)["comfyui"]
    assert isinstance(comfyui, dict)
    servers: list[dict[str, object]] = comfyui["servers"]
    return servers


def test_missing_file_gives_defaults_and_the_local_server(tmp_path: Path) -> None:
    settings = load_settings(tmp_path)
    assert settings.comfyui.servers == []
    assert settings.comfyui.poll_seconds == 5
    server = active_server(settings, env={})
    assert (server.name, server.url, server.token, server.active) == (
        "local",
        DEFAULT_URL,
        "",
        True,
    )
    assert not (tmp_path / "settings.json").exists()  # reading never creates the file


def test_env_var_overrides_the_active_servers_url(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_server(tmp_path, "a", "http://a:8188")
    add_server(tmp_path, "b", "http://b:8188", make_active=True)
    settings = load_settings(tmp_path)
    monkeypatch.setenv(ENV_URL, "http://override:9000/")
    assert active_server(settings).url == "http://override:9000"
    assert active_server(settings).name == "b"
    urls = {s.name: s.url for s in configured_servers(settings)}
    assert urls == {"a": "http://a:8188", "b": "http://override:9000"}
    # The override is not written back.
    assert [s["url"] for s in servers_on_disk(tmp_path)] == ["http://a:8188", "http://b:8188"]
    monkeypatch.delenv(ENV_URL)
    assert active_server(settings).url == "http://b:8188"


def test_env_var_overrides_the_default_server_too() -> None:
    server = active_server(Settings(), env={ENV_URL: "https://gpu.example:443"})
    assert server.url == "https://gpu.example:443"
    assert server.name == "local"


def test_bad_env_var_names_the_variable() -> None:
    with pytest.raises(InvalidDataError) as caught:
        active_server(Settings(), env={ENV_URL: "gpu-box:8188"})
    assert ENV_URL in caught.value.by_field()


def test_first_server_added_is_active_and_file_has_the_documented_shape(tmp_path: Path) -> None:
    add_server(tmp_path, "local", "http://127.0.0.1:8188/")
    assert read(tmp_path) == {
        "comfyui": {
            "servers": [
                {"name": "local", "url": "http://127.0.0.1:8188", "token": "", "active": True}
            ],
            "poll_seconds": 5,
        }
    }


def test_add_edit_activate_remove(tmp_path: Path) -> None:
    add_server(tmp_path, "local", "http://127.0.0.1:8188")
    settings = add_server(tmp_path, "gpu", "https://gpu.example", token=TOKEN)
    assert [(s.name, s.active) for s in settings.comfyui.servers] == [
        ("local", True),
        ("gpu", False),
    ]

    settings = set_active_server(tmp_path, "gpu")
    assert [s.active for s in settings.comfyui.servers] == [False, True]
    assert active_server(settings, env={}).name == "gpu"

    settings = update_server(tmp_path, "gpu", new_name="big-gpu", url="https://gpu2.example:8443")
    server = settings.comfyui.servers[1]
    assert (server.name, server.url, server.token, server.active) == (
        "big-gpu",
        "https://gpu2.example:8443",
        TOKEN,  # None keeps the token
        True,
    )
    settings = update_server(tmp_path, "big-gpu", token="")
    assert settings.comfyui.servers[1].token == ""

    settings = remove_server(tmp_path, "big-gpu")
    assert [(s.name, s.active) for s in settings.comfyui.servers] == [("local", True)]
    settings = remove_server(tmp_path, "local")
    assert settings.comfyui.servers == []
    assert load_settings(tmp_path) == settings


def test_make_active_moves_the_flag(tmp_path: Path) -> None:
    add_server(tmp_path, "a", "http://a")
    add_server(tmp_path, "b", "http://b", make_active=True)
    assert [s["active"] for s in servers_on_disk(tmp_path)] == [False, True]


def test_unknown_server_is_not_found_and_nothing_is_written(tmp_path: Path) -> None:
    add_server(tmp_path, "a", "http://a")
    before = (tmp_path / "settings.json").read_bytes()
    calls: list[Callable[[], Settings]] = [
        lambda: update_server(tmp_path, "nope", url="http://x"),
        lambda: remove_server(tmp_path, "nope"),
        lambda: set_active_server(tmp_path, "nope"),
    ]
    for call in calls:
        with pytest.raises(NotFoundError, match="no ComfyUI server named 'nope'"):
            call()
    assert (tmp_path / "settings.json").read_bytes() == before


def test_unknown_server_on_a_missing_file_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match="'nope'"):
        set_active_server(tmp_path, "nope")
    assert not (tmp_path / "settings.json").exists()


@pytest.mark.parametrize(
    "url",
    ["ftp://host:21", "127.0.0.1:8188", "http://", "http://ho st:8188", "", "http://host:99999"],
)
def test_bad_url_is_refused_naming_the_field_and_server(tmp_path: Path, url: str) -> None:
    with pytest.raises(InvalidDataError) as caught:
        add_server(tmp_path, "gpu", url)
    assert "url" in caught.value.by_field()
    assert "gpu" in str(caught.value)
    assert "http://" in caught.value.by_field()["url"]  # says what would be right
    assert not (tmp_path / "settings.json").exists()


def test_bad_url_on_update_keeps_the_file(tmp_path: Path) -> None:
    add_server(tmp_path, "gpu", "http://gpu:8188")
    before = (tmp_path / "settings.json").read_bytes()
    with pytest.raises(InvalidDataError, match="server 'gpu'") as caught:
        update_server(tmp_path, "gpu", url="gopher://gpu")
    assert "must start with http:// or https://" in caught.value.by_field()["url"]
    assert (tmp_path / "settings.json").read_bytes() == before


def test_password_in_a_bad_url_is_not_echoed(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataError) as caught:
        add_server(tmp_path, "gpu", "ftp://me:hunter2@gpu")
    assert "hunter2" not in str(caught.value)
    assert redact_url("http://me:hunter2@gpu:8188") == "http://me:••••@gpu:8188"


@pytest.mark.parametrize(("name", "problem"), [("", "must not be empty"), ("  ", "empty")])
def test_empty_name_is_refused(tmp_path: Path, name: str, problem: str) -> None:
    with pytest.raises(InvalidDataError) as caught:
        add_server(tmp_path, name, "http://a")
    assert problem in caught.value.by_field()["name"]


def test_duplicate_names_are_refused(tmp_path: Path) -> None:
    add_server(tmp_path, "gpu", "http://a")
    add_server(tmp_path, "cpu", "http://b")
    with pytest.raises(InvalidDataError, match="already named 'gpu'"):
        add_server(tmp_path, "GPU", "http://c")
    with pytest.raises(InvalidDataError, match="already named 'gpu'"):
        update_server(tmp_path, "cpu", new_name="gpu")
    # Renaming a server to its own name is fine.
    update_server(tmp_path, "gpu", new_name="gpu")


@pytest.mark.parametrize("seconds", [0, 301, -5])
def test_poll_seconds_out_of_range(tmp_path: Path, seconds: int) -> None:
    with pytest.raises(InvalidDataError, match="between 1 and 300") as caught:
        set_poll_seconds(tmp_path, seconds)
    assert "poll_seconds" in caught.value.by_field()


def test_poll_seconds_must_be_whole(tmp_path: Path) -> None:
    with pytest.raises(InvalidDataError, match="whole number"):
        set_poll_seconds(tmp_path, 2.5)  # type: ignore[arg-type]
    assert set_poll_seconds(tmp_path, 30).comfyui.poll_seconds == 30
    assert load_settings(tmp_path).comfyui.poll_seconds == 30


def test_unknown_keys_are_kept_on_write(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text(
        json.dumps(
            {
                "theme": "dark",
                "comfyui": {
                    "servers": [
                        {"name": "a", "url": "http://a", "token": "", "active": True, "x": 1}
                    ],
                    "poll_seconds": 5,
                    "future": {"k": [1, 2]},
                },
            }
        ),
        "utf-8",
    )
    add_server(tmp_path, "b", "http://b")
    data = read(tmp_path)
    assert data["theme"] == "dark"
    comfyui = data["comfyui"]
    assert isinstance(comfyui, dict)
    assert comfyui["future"] == {"k": [1, 2]}
    assert servers_on_disk(tmp_path)[0]["x"] == 1


def test_every_write_keeps_the_previous_version(tmp_path: Path) -> None:
    add_server(tmp_path, "a", "http://a")
    add_server(tmp_path, "b", "http://b")
    set_active_server(tmp_path, "b")
    versions = FileArea(tmp_path).versions("settings.json")
    assert len(versions) == 2
    assert len(json.loads(versions[0].read_text("utf-8"))["comfyui"]["servers"]) == 2


def test_hand_edited_file_without_an_active_server_gets_one(tmp_path: Path) -> None:
    servers = [{"name": n, "url": f"http://{n}", "active": False} for n in ("a", "b")]
    (tmp_path / "settings.json").write_text(json.dumps({"comfyui": {"servers": servers}}), "utf-8")
    settings = load_settings(tmp_path)
    assert [s.active for s in settings.comfyui.servers] == [True, False]


def test_mask_token() -> None:
    assert mask_token("") == ""
    assert mask_token(None) == ""
    assert mask_token("short") == "••••"
    assert mask_token(TOKEN) == "••••wxyz"
    assert ServerConfig(name="a", url="http://a", token=TOKEN).masked_token == "••••wxyz"


def test_token_is_stored_plainly_but_never_shown_or_logged(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    add_server(tmp_path, "gpu", "https://gpu.example", token=TOKEN)
    settings = update_server(tmp_path, "gpu", token=TOKEN + "2")
    assert servers_on_disk(tmp_path)[0]["token"] == TOKEN + "2"
    server = settings.comfyui.servers[0]
    for shown in (repr(server), str(server), repr(settings), str(settings), caplog.text):
        assert "SECRET" not in shown
    assert "added ComfyUI server 'gpu'" in caplog.text


def test_broken_json_is_reported_with_its_position_and_never_overwritten(tmp_path: Path) -> None:
    (tmp_path / "settings.json").write_text('{"comfyui": {\n  "servers": [,]}}', "utf-8")
    with pytest.raises(BrokenFileError) as caught:
        load_settings(tmp_path)
    assert caught.value.line == 2
    assert "settings.json" in str(caught.value)
    with pytest.raises(BrokenFileError):
        add_server(tmp_path, "a", "http://a")
    assert (tmp_path / "settings.json").read_text("utf-8") == '{"comfyui": {\n  "servers": [,]}}'


def test_schema_break_names_file_and_field(tmp_path: Path) -> None:
    bad = {"comfyui": {"servers": [{"name": "a", "url": "ftp://a"}], "poll_seconds": "often"}}
    (tmp_path / "settings.json").write_text(json.dumps(bad), "utf-8")
    with pytest.raises(InvalidDataError) as caught:
        load_settings(tmp_path)
    fields = caught.value.by_field()
    assert set(fields) == {"comfyui.servers[0].url", "comfyui.poll_seconds"}
    assert str(caught.value).startswith("settings.json: ")


def test_duplicate_names_in_the_file_are_reported(tmp_path: Path) -> None:
    servers = [{"name": "a", "url": "http://a"}, {"name": "A", "url": "http://b"}]
    (tmp_path / "settings.json").write_text(json.dumps({"comfyui": {"servers": servers}}), "utf-8")
    with pytest.raises(InvalidDataError, match="names must be unique"):
        load_settings(tmp_path)
