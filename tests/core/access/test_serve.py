"""``storyboard serve`` and ``storyboard passcode set``: the command built in the core, the address
printed, a passcode required before sharing; never bound here (the exec is replaced)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from storyboard_core import cli
from storyboard_core.access import passcode_is_set, serve_plan, verify_passcode
from storyboard_core.access.serve import APP_FILE
from storyboard_core.cli import access as cli_access

SECRET = "correct horse battery"


def test_local_by_default_with_the_safe_options() -> None:
    plan = serve_plan(python="py")
    assert plan.command[:5] == ["py", "-m", "streamlit", "run", str(APP_FILE)]
    assert plan.address == "127.0.0.1" and not plan.gated
    assert plan.url == "http://127.0.0.1:8501"
    for option in (
        "--server.enableXsrfProtection=true",
        "--server.enableCORS=true",
        "--server.enableStaticServing=false",
        "--browser.gatherUsageStats=false",
        "--server.address=127.0.0.1",
    ):
        assert option in plan.command
    # Run from the app's folder, so that its .streamlit/config.toml applies (no error details in
    # the browser, the theme) wherever `storyboard serve` is started.
    assert (plan.folder / ".streamlit" / "config.toml").is_file()


def test_share_listens_everywhere_and_prints_a_reachable_address() -> None:
    plan = serve_plan(share=True, port=8600)
    assert "--server.address=0.0.0.0" in plan.command and plan.gated
    assert plan.url.endswith(":8600") and "0.0.0.0" not in plan.url
    assert serve_plan(address="192.0.2.10").gated
    assert not serve_plan(share=True, address="127.0.0.2").gated


def test_a_missing_app_is_named(tmp_path: Path) -> None:
    with pytest.raises(Exception, match="cannot find the app"):
        serve_plan(app=tmp_path / "app.py")


@pytest.fixture
def execs(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    calls: list[list[str]] = []

    def fake(path: str, argv: list[str], env: dict[str, str]) -> None:
        workspace = f"STORYBOARD_WORKSPACE={env['STORYBOARD_WORKSPACE']}"
        calls.append([path, *argv[1:], f"cwd={Path.cwd()}", workspace])

    monkeypatch.chdir(Path.cwd())  # `serve` moves to the app's folder: back after the test
    monkeypatch.setattr(cli_access.os, "execve", fake)
    return calls


def answers(monkeypatch: pytest.MonkeyPatch, *given: str) -> None:
    replies = iter(given)
    monkeypatch.setattr(cli_access.getpass, "getpass", lambda prompt="": next(replies))


def test_passcode_set_asks_twice(
    workspace: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    answers(monkeypatch, SECRET, "something else")
    assert cli.main(["--workspace", str(workspace), "passcode", "set"]) == 1
    assert not passcode_is_set(workspace)
    answers(monkeypatch, SECRET, SECRET)
    assert cli.main(["--workspace", str(workspace), "passcode", "set"]) == 0
    assert verify_passcode(workspace, SECRET)
    capsys.readouterr()
    answers(monkeypatch, "short")  # refused before it is asked again
    assert cli.main(["--workspace", str(workspace), "passcode", "set"]) == 1
    said, refused = capsys.readouterr().err.splitlines()
    assert said.startswith("The editor passcode: at least 8 characters")  # the rule, up front
    assert refused == "storyboard: passcode: must be at least 8 characters (got 5)"
    assert verify_passcode(workspace, SECRET)  # the earlier one stays
    assert SECRET not in (workspace / "settings.json").read_text("utf-8")


def test_sharing_without_a_passcode_is_refused_when_nobody_can_answer(
    workspace: Path, execs: list[list[str]], capsys: pytest.CaptureFixture[str]
) -> None:
    assert cli.main(["--workspace", str(workspace), "serve", "--share"]) == 1
    assert "storyboard passcode set" in capsys.readouterr().err
    assert execs == []


def test_the_first_share_asks_for_a_passcode(
    workspace: Path,
    execs: list[list[str]],
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setattr(cli_access.sys.stdin, "isatty", lambda: True, raising=False)
    answers(monkeypatch, SECRET, SECRET)
    assert cli.main(["--workspace", str(workspace), "serve", "--share", "--port", "8601"]) == 0
    assert verify_passcode(workspace, SECRET)
    [command] = execs
    assert "--server.address=0.0.0.0" in command and "--server.port=8601" in command
    assert command[-1] == f"STORYBOARD_WORKSPACE={workspace.absolute()}"
    out = capsys.readouterr().out
    assert "on the local network: open http://" in out and ":8601" in out


def test_serving_locally_needs_no_passcode(workspace: Path, execs: list[list[str]]) -> None:
    assert cli.main(["--workspace", str(workspace), "serve"]) == 0
    assert "--server.address=127.0.0.1" in execs[0]
    assert f"cwd={APP_FILE.parent}" in execs[0]  # where Streamlit finds the app's config
    assert not (workspace / "settings.json").exists() or "passcode" not in json.loads(
        (workspace / "settings.json").read_text("utf-8")
    ).get("access", {})
