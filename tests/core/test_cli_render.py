"""``storyboard render``: prints the saved image's absolute path; exit 1 with one line on failure."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from storyboard_core import Project, Shot, Store
from storyboard_core.cli import build_parser, main
from storyboard_core.settings import ENV_URL, add_server
from tests.fake_comfyui.server import FakeComfyUI

CKPT = "sd15.safetensors"
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(autouse=True)
def no_env_server(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(ENV_URL, raising=False)


@pytest.fixture
def fake(fake_comfyui: FakeComfyUI) -> FakeComfyUI:
    fake_comfyui.set_checkpoints([CKPT])
    return fake_comfyui


def ready(store: Store, project: str, seq_id: str | None, shot_id: str) -> Shot:
    gen = {"checkpoint": CKPT, "steps": 2, "width": 64, "height": 64, "seed": 7}
    return store.update_shot(project, seq_id, shot_id, {"prompt": "fog", "generation": gen})


@pytest.fixture
def shot(store: Store, project: Project) -> Shot:
    return ready(store, project.id, "001", store.read_sequence(project.id, "001").shots[0].id)


def run(workspace: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    code = main(["--workspace", str(workspace), *args])
    out, err = capsys.readouterr()
    return code, out, err


RenderOn = Callable[..., tuple[int, str, str]]


@pytest.fixture
def render_on(
    workspace: Path, project: Project, shot: Shot, capsys: pytest.CaptureFixture[str]
) -> RenderOn:
    """``render_on(url, *options, as_json=False)``: run ``storyboard render`` of ``shot`` with
    ``--server url`` and the options; returns (exit code, stdout, stderr)."""

    def call(server: str, *options: str, as_json: bool = False) -> tuple[int, str, str]:
        json_flag = ["--json"] if as_json else []
        command = ["render", project.id, "001", shot.id, "--server", server, *options]
        return run(workspace, capsys, *json_flag, *command)

    return call


def test_render_prints_the_absolute_path_of_the_image(
    workspace: Path,
    store: Store,
    project: Project,
    shot: Shot,
    fake: FakeComfyUI,
    capsys: pytest.CaptureFixture[str],
) -> None:
    add_server(workspace, "local", fake.url)
    code, out, err = run(workspace, capsys, "render", project.id, "001", shot.id)
    assert (code, err) == (0, "")
    path = Path(out.strip())
    assert out == f"{path}\n" and path.is_absolute()
    assert path.read_bytes().startswith(PNG_MAGIC)
    saved = store.read_shot(project.id, "001", shot.id)
    assert saved.render is not None
    assert path == (store.project_dir(project.id) / saved.render.image).absolute()
    assert saved.render.seed == 7


def test_render_a_loose_shot_on_the_env_server(
    workspace: Path,
    store: Store,
    project: Project,
    fake: FakeComfyUI,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(ENV_URL, fake.url)  # no settings file: the default server, moved by $ENV
    loose = store.add_shot(project.id, None)
    ready(store, project.id, None, loose.id)
    code, out, err = run(workspace, capsys, "render", project.id, "-", loose.id)
    assert code == 0, err
    assert Path(out.strip()).is_file()
    assert store.read_shot(project.id, None, loose.id).render is not None


def test_server_option_uses_the_configured_token(workspace: Path, render_on: RenderOn) -> None:
    with FakeComfyUI(checkpoints=[CKPT], require_token="tok-0123456789") as guarded:
        add_server(workspace, "local", "http://127.0.0.1:9")  # active, but not the one asked for
        add_server(workspace, "guarded", guarded.url + "/", token="tok-0123456789")
        code, out, err = render_on(guarded.url)
        assert code == 0, err
        assert Path(out.strip()).is_file()
        assert "tok-0123456789" not in out + err


def test_json_output(shot: Shot, fake: FakeComfyUI, render_on: RenderOn) -> None:
    code, out, _ = render_on(fake.url, as_json=True)
    assert code == 0
    data = json.loads(out)
    assert data["state"] == "done" and data["seed"] == 7 and Path(data["path"]).is_file()
    assert data["image"].startswith(f"renders/{shot.id}/")


def assert_one_line(err: str, *words: str) -> None:
    assert err.startswith("storyboard: ") and err.count("\n") == 1, err
    for word in words:
        assert word in err, (word, err)


def test_missing_checkpoint_is_exit_1_with_the_reason(
    fake: FakeComfyUI, render_on: RenderOn
) -> None:
    fake.set_checkpoints([])
    code, out, err = render_on(fake.url)
    assert (code, out) == (1, "")
    assert err == (
        f"storyboard: Checkpoint '{CKPT}' is not installed on {fake.url}; the server has none\n"
    )


def test_execution_error_is_exit_1(fake: FakeComfyUI, render_on: RenderOn) -> None:
    fake.fail_next_run("out of memory")
    code, out, err = render_on(fake.url)
    assert (code, out) == (1, "")
    assert_one_line(err, "out of memory")


@pytest.mark.parametrize(
    ("where", "words"),
    [
        (["nope", "001", "shot-x"], ["no project 'nope'"]),
        (["{project}", "009", "shot-x"], ["no sequence 009"]),
        (["{project}", "001", "shot-x"], ["no shot shot-x"]),
    ],
)
def test_not_found_is_exit_1(
    workspace: Path,
    project: Project,
    fake: FakeComfyUI,
    capsys: pytest.CaptureFixture[str],
    where: list[str],
    words: list[str],
) -> None:
    args = [w.format(project=project.id) for w in where]
    code, out, err = run(workspace, capsys, "render", *args, "--server", fake.url)
    assert (code, out) == (1, "")
    assert_one_line(err, *words)
    assert fake.requests_to("/prompt") == []


def test_offline_server_and_bad_url_are_exit_1(refused_url: str, render_on: RenderOn) -> None:
    code, _, err = render_on(refused_url)
    assert code == 1
    assert_one_line(err, refused_url, "connection refused")
    code, _, err = render_on("ftp://x")
    assert code == 1
    assert_one_line(err, "server", "http://")


def test_unknown_workflow_is_exit_1(fake: FakeComfyUI, render_on: RenderOn) -> None:
    code, _, err = render_on(fake.url, "--workflow", "portrait")
    assert code == 1
    assert_one_line(err, "no workflow 'portrait'")


def test_help_says_the_path_is_absolute() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    render = sub.choices["render"]  # type: ignore[index]
    text = render.format_help()
    assert "absolute path" in text
    assert "--workflow NAME" in text and "--server URL" in text
    assert "example: storyboard render" in text
