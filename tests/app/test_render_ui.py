"""Rendering from the app against the fake ComfyUI: the shot editor's Render, the sequence page's
"Render selected" / "Render missing", job states on the cards, failures and Cancel.

Renders run in the app's background renderer (a ``st.cache_resource`` per workspace), so a test
waits for them on disk through its own ``Store``, then reruns the page to see the result.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from storyboard_core import Project, Render, Renderer, RenderJob, Shot, Store
from storyboard_core.comfyui.workflows import builtin_workflow
from storyboard_core.settings import configured_servers, load_settings
from tests.fake_comfyui.server import FakeComfyUI
from tests.hostile import as_read
from ui.frame import services
from ui.frame.registry import SEQUENCE, SHOT
from ui.frame.text import md

from .conftest import APP, TIMEOUT, OpenPage, storyboard_view

CHECKPOINT = "sdxl.safetensors"
SMALL = {"checkpoint": CHECKPOINT, "width": 64, "height": 64, "steps": 4}


@pytest.fixture
def fake(request: pytest.FixtureRequest) -> Iterator[FakeComfyUI]:
    """A fake ComfyUI that has one checkpoint, or the ones a test gives (``indirect``)."""
    checkpoints: list[str] = getattr(request, "param", [CHECKPOINT])
    server = FakeComfyUI(checkpoints=checkpoints).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def app(
    workspace: Path, serving: None, fake: FakeComfyUI, monkeypatch: pytest.MonkeyPatch
) -> Iterator[AppTest]:
    """The app with the fake as its ComfyUI (set before the monitor's first poll).

    Afterwards this workspace's renderer, monitor and catalog are stopped (before the fake is).
    """
    monkeypatch.setenv("STORYBOARD_COMFYUI_URL", fake.url)
    at = AppTest.from_file(APP, default_timeout=TIMEOUT).run()
    assert not at.exception, [e.value for e in at.exception]
    yield at
    services._renderer(str(workspace)).shutdown(timeout=5)
    services._monitor(str(workspace)).stop()
    services._catalog(str(workspace)).close(timeout=5)


@pytest.fixture
def renderer(app: AppTest, workspace: Path) -> Renderer:
    """The app's renderer (the same cached instance the pages use)."""
    return services._renderer(str(workspace))


def ok(at: AppTest) -> AppTest:
    assert not at.exception, [e.value for e in at.exception]
    return at


PATIENCE = 60.0  # seconds: a render on the in-process fake, on a machine busy with other tests


def until(condition: Callable[[], object], what: str, *, seconds: float = PATIENCE) -> None:
    """Wait (at most ``seconds``) until ``condition()`` is true."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)


def rerun_until(at: AppTest, condition: Callable[[AppTest], object], what: str) -> AppTest:
    """Rerun the page until ``condition(at)`` holds (for at most ``PATIENCE`` seconds)."""
    deadline = time.monotonic() + PATIENCE
    while time.monotonic() < deadline:
        ok(at.run())
        if condition(at):
            return at
        time.sleep(0.1)
    raise AssertionError(f"the page never showed {what}")


def prepare(store: Store, project: str, seq: str | None, shot: str, **generation: object) -> Shot:
    """Give a shot small generation settings (and the fake's checkpoint) on disk."""
    return store.update_shot(project, seq, shot, {"generation": {**SMALL, **generation}})


def rendered(store: Store, project: str, seq: str | None, shot: str) -> bool:
    return store.read_shot(project, seq, shot).render is not None


def saved_render(store: Store, project: str, seq: str | None, shot: str) -> Render:
    """The shot's render as saved on disk (there must be one)."""
    render = store.read_shot(project, seq, shot).render
    assert render is not None
    return render


def wait_done(renderer: Renderer, project: str, seq: str | None, shot: str) -> RenderJob:
    until(
        lambda: (job := renderer.latest(project, seq, shot)) is not None and not job.active,
        f"the render of {shot} to end",
    )
    job = renderer.latest(project, seq, shot)
    assert job is not None
    return job


def render_in_editor(at: AppTest, renderer: Renderer, project: str, shot: str) -> RenderJob:
    """Click the shot editor's Render and wait for that render to end."""
    ok(at.button(key="shot_render").click().run())
    return wait_done(renderer, project, "001", shot)


def render_failures(at: AppTest) -> list[str]:
    return [as_read(str(e.value)) for e in at.error if "Render failed" in str(e.value)]


def captions(at: AppTest) -> list[str]:
    return [c.value for c in at.main.caption]


@pytest.fixture
def shots(demo: Project, store: Store) -> list[Shot]:
    """The demo's sequence 001, every shot with the fake's checkpoint and a small frame size."""
    return [prepare(store, demo.id, "001", s.id) for s in store.read_shots(demo.id, "001")]


def editor(open_page: OpenPage, project: str, shot: Shot) -> AppTest:
    return open_page(SHOT, project=project, seq="001", shot=shot.id)


# -- the shot editor -----------------------------------------------------------------------------------


def test_render_from_the_shot_editor_saves_and_shows_the_frame(
    demo: Project,
    store: Store,
    shots: list[Shot],
    workspace: Path,
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    first = shots[0]
    at = editor(open_page, demo.id, first)
    assert "No frame rendered yet." in captions(at)
    assert len(at.main.image) == 0
    ok(at.button(key="shot_render").click().run())

    until(lambda: rendered(store, demo.id, "001", first.id), "the render on disk")
    render = saved_render(store, demo.id, "001", first.id)
    image = workspace / demo.id / render.image
    assert image.is_file() and image.read_bytes().startswith(b"\x89PNG")
    assert image.parent == workspace / demo.id / "renders" / first.id
    assert render.server == fake.url and render.workflow == "built-in"
    assert render.seed is not None and render.seed >= 0  # -1 became a recorded random seed
    (post,) = fake.requests_to("/prompt")
    assert post.method == "POST"

    rerun_until(at, lambda a: len(a.main.image) == 1, "the new frame")
    assert "No frame rendered yet." not in captions(at)
    assert md(f"Seed {render.seed} · built-in · {fake.url}") in captions(at)
    assert wait_done(renderer, demo.id, "001", first.id).state == "done"


def test_render_is_disabled_while_there_are_unsaved_edits(
    demo: Project, store: Store, shots: list[Shot], fake: FakeComfyUI, open_page: OpenPage
) -> None:
    at = editor(open_page, demo.id, shots[0])
    assert not at.button(key="shot_render").disabled
    prompt_key = f"shot:{demo.id}/001/{shots[0].id}:0:prompt"
    ok(at.text_area(key=prompt_key).input("a different prompt").run())
    assert at.button(key="shot_render").disabled
    ok(at.button(key="shot_save").click().run())
    assert store.read_shot(demo.id, "001", shots[0].id).prompt == "a different prompt"
    assert not at.button(key="shot_render").disabled
    assert fake.requests_to("/prompt") == []  # nothing was rendered by the edit


def test_checkpoint_becomes_a_choice_of_the_servers_checkpoints(
    demo: Project, shots: list[Shot], open_page: OpenPage
) -> None:
    at = editor(open_page, demo.id, shots[0])
    choice_key = f"shot:{demo.id}/001/{shots[0].id}:0:generation.checkpoint:choice"
    rerun_until(
        at, lambda a: any(s.key == choice_key for s in a.selectbox), "the Checkpoint choice"
    )
    checkpoint = at.selectbox(key=choice_key)
    assert checkpoint.label == "Checkpoint"
    assert list(checkpoint.options) == [CHECKPOINT]
    assert checkpoint.value == CHECKPOINT
    samplers = [s for s in at.selectbox if s.label == "Sampler"]
    assert samplers and "euler" in samplers[0].options  # from the fake's /object_info
    assert not [t for t in at.text_input if t.label == "Checkpoint"]
    assert not any("has no checkpoints" in as_read(w.value) for w in at.warning)


def test_the_choices_stay_while_the_server_is_briefly_offline(
    demo: Project, shots: list[Shot], fake: FakeComfyUI, workspace: Path, open_page: OpenPage
) -> None:
    # A poll that times out on a busy machine says "offline" for a moment. The generation fields
    # keep the choices last read, instead of turning into other widgets and back (whose values,
    # seeded again, could count as an edit and keep Render disabled).
    at = editor(open_page, demo.id, shots[0])
    choice_key = f"shot:{demo.id}/001/{shots[0].id}:0:generation.checkpoint:choice"
    rerun_until(
        at, lambda a: any(s.key == choice_key for s in a.selectbox), "the Checkpoint choice"
    )
    fake.go_down()
    until(lambda: not services._monitor(str(workspace)).status(fake.url).online, "offline")
    services._catalog(str(workspace)).close(timeout=5)  # the catalog's refetch has failed
    ok(at.run())
    assert any(s.key == choice_key for s in at.selectbox)
    assert not [t for t in at.text_input if t.label == "Checkpoint"]
    assert not at.button(key="shot_render").disabled


# None from the start: emptied during the test, the app's first run may already have read the
# catalog, kept for a minute (it once took 60 s, the whole patience, on a quiet machine).
@pytest.mark.parametrize("fake", [[]], indirect=True)
def test_a_server_without_checkpoints_is_said_plainly(
    demo: Project, shots: list[Shot], fake: FakeComfyUI, open_page: OpenPage
) -> None:
    at = editor(open_page, demo.id, shots[0])
    rerun_until(
        at,
        lambda a: any(
            f"{fake.url} has no checkpoints installed" in as_read(w.value) for w in a.warning
        ),
        "that the server has no checkpoints",
    )
    (checkpoint,) = [t for t in at.text_input if t.label == "Checkpoint"]
    assert checkpoint.value == CHECKPOINT  # still the shot's own value, typed


def test_a_failed_render_shows_comfyuis_message(
    demo: Project,
    store: Store,
    shots: list[Shot],
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    fake.fail_next_run("boom: CUDA out of memory")
    at = editor(open_page, demo.id, shots[0])
    job = render_in_editor(at, renderer, demo.id, shots[0].id)
    assert job.state == "failed"
    ok(at.run())
    failures = render_failures(at)
    assert len(failures) == 1 and "boom: CUDA out of memory" in failures[0]
    assert store.read_shot(demo.id, "001", shots[0].id).render is None
    assert len(at.main.image) == 0


def test_a_missing_checkpoint_is_refused_before_anything_is_sent(
    demo: Project,
    store: Store,
    workspace: Path,
    shots: list[Shot],
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    """No server has the model: the click says so at once, and nothing reaches ComfyUI."""
    prepare(store, demo.id, "001", shots[1].id, checkpoint="missing.safetensors")
    at = editor(open_page, demo.id, shots[1])
    # Refused once the server's offer is read (before that, an online server is tried): the
    # catalog's first read may still be under way on a busy machine.
    # A page run asks for it only once the status monitor has seen the server online.
    (server,) = configured_servers(load_settings(workspace))
    catalog = services._catalog(str(workspace))
    rerun_until(at, lambda _: catalog.wait(server, timeout=1.0) is not None, "the server's offer")
    at.button(key="shot_render").click().run()
    (refusal,) = [as_read(str(e.value)) for e in at.error]
    assert "model missing.safetensors: on no server" in refusal
    assert renderer.latest(demo.id, "001", shots[1].id) is None  # no job was queued
    assert not [r for r in fake.requests if r.method == "POST" and r.path == "/prompt"]
    assert not (store.project_dir(demo.id) / "renders" / shots[1].id).exists()


def test_earlier_renders_can_be_chosen_as_the_frame(
    demo: Project,
    store: Store,
    shots: list[Shot],
    workspace: Path,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    first = shots[0]
    at = editor(open_page, demo.id, first)
    images = []
    for _ in range(2):
        job = render_in_editor(at, renderer, demo.id, first.id)
        assert job.state == "done", job.message  # a failure says why
        images.append(saved_render(store, demo.id, "001", first.id).image)
        ok(at.run())
    assert images[0] != images[1]
    assert all((workspace / demo.id / image).is_file() for image in images)
    assert "Takes (2)" in captions(at)
    use = {b.key: b for b in at.button if b.key and b.key.startswith("use:")}
    assert all(b.label == "Use as frame" for b in use.values())
    assert set(use) == {f"use:{image}" for image in images}
    assert use[f"use:{images[1]}"].disabled  # the current frame
    ok(use[f"use:{images[0]}"].click().run())
    render = saved_render(store, demo.id, "001", first.id)
    assert render.image == images[0]
    assert [v["image"] for v in render.versions] == images  # both kept
    assert at.button(key=f"use:{images[0]}").disabled
    assert not at.button(key=f"use:{images[1]}").disabled


def test_a_user_workflow_is_chosen_saved_and_rendered_with(
    demo: Project,
    store: Store,
    shots: list[Shot],
    workspace: Path,
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    folder = workspace / "workflows"
    folder.mkdir()
    (folder / "mine.json").write_text(json.dumps(builtin_workflow()), encoding="utf-8")
    (folder / "broken.json").write_text('{"1": {"inputs": {}}', encoding="utf-8")
    first = shots[0]
    at = editor(open_page, demo.id, first)
    assert any(
        c.startswith(f"⚠️ Workflow file {md('broken.json')} cannot be used:") for c in captions(at)
    )
    workflow = at.selectbox(key=f"shot:{demo.id}/001/{first.id}:0:generation.workflow")
    assert workflow.label == "Workflow"
    assert list(workflow.options) == ["built-in", "mine"]
    assert workflow.value == "built-in"
    ok(workflow.set_value("mine").run())
    ok(at.button(key="shot_save").click().run())
    assert store.read_shot(demo.id, "001", first.id).generation.workflow == "mine"

    job = render_in_editor(at, renderer, demo.id, first.id)
    assert job.state == "done", job.message
    assert saved_render(store, demo.id, "001", first.id).workflow == "mine"
    (post,) = fake.requests_to("/prompt")
    graph = json.loads(post.body)["prompt"]
    loader = next(n for n in graph.values() if n["class_type"] == "CheckpointLoaderSimple")
    assert loader["inputs"]["ckpt_name"] == CHECKPOINT  # the placeholder was filled
    sampler = next(n for n in graph.values() if n["class_type"] == "KSampler")
    assert sampler["inputs"]["steps"] == 4  # a number, not "4"
    rerun_until(at, lambda a: len(a.main.image) == 1, "the new frame")
    assert any(" · mine · " in c for c in captions(at))


# -- the sequence page ---------------------------------------------------------------------------------


@pytest.fixture
def seq2(demo: Project, store: Store) -> list[Shot]:
    """The demo's sequence 002 (its last shot has no prompt), ready to render."""
    return [prepare(store, demo.id, "002", s.id) for s in store.read_shots(demo.id, "002")]


def test_render_missing_renders_every_shot_with_a_prompt_and_no_frame(
    demo: Project,
    store: Store,
    seq2: list[Shot],
    workspace: Path,
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    fake.set_step_delay(0.25)  # slow enough to catch the jobs on the cards, even on a busy machine
    with_prompt = [s.id for s in seq2 if s.prompt.strip()]
    assert len(with_prompt) == 3 and not seq2[3].prompt.strip()
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="002"))
    missing = at.button(key="render_missing")
    assert missing.label == "Render missing (3)"
    ok(missing.click().run())

    # While they run, the cards say so (from the click's run or, the queue being a thread, the next).
    rerun_until(
        at,
        lambda a: any(s in " ".join(captions(a)) for s in ("⏳ queued", "🎨 rendering")),
        "a card saying its render is queued or under way",
    )

    until(
        lambda: all(rendered(store, demo.id, "002", s) for s in with_prompt),
        "every shot with a prompt to be rendered",
        seconds=2 * PATIENCE,
    )
    assert not rendered(store, demo.id, "002", seq2[3].id)
    assert len(fake.requests_to("/prompt")) == 3
    for shot_id in with_prompt:
        render = saved_render(store, demo.id, "002", shot_id)
        assert (workspace / demo.id / render.image).is_file()
        assert render.image.startswith(f"renders/{shot_id}/")

    rerun_until(at, lambda a: len(a.main.image) == 3, "the three frames on the cards")
    assert sum("✅ done" in c for c in captions(at)) == 3
    assert at.button(key="render_missing").label == "Render missing (0)"
    assert at.button(key="render_missing").disabled


def test_render_selected_renders_only_the_chosen_shots(
    demo: Project,
    store: Store,
    seq2: list[Shot],
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="002"))
    assert at.button(key="render_selected").disabled  # nothing chosen yet
    chosen = [seq2[0].id, seq2[2].id]
    ok(at.multiselect(key="render_selection").set_value(chosen).run())
    ok(at.button(key="render_selected").click().run())
    until(
        lambda: all(rendered(store, demo.id, "002", s) for s in chosen),
        "the chosen shots to be rendered",
    )
    for shot_id in chosen:
        assert wait_done(renderer, demo.id, "002", shot_id).state == "done"
    assert not rendered(store, demo.id, "002", seq2[1].id)
    assert len(fake.requests_to("/prompt")) == 2
    rerun_until(at, lambda a: len(a.main.image) == 2, "the two frames on the cards")


def test_cancel_on_the_sequence_page_stops_a_slow_render(
    demo: Project,
    store: Store,
    seq2: list[Shot],
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    fake.set_step_delay(0.3)  # a render takes seconds: time to cancel it
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="002"))
    shot_id = seq2[0].id
    ok(at.multiselect(key="render_selection").set_value([shot_id]).run())
    ok(at.button(key="render_selected").click().run())
    until(
        lambda: (
            (job := renderer.latest(demo.id, "002", shot_id)) is not None
            and job.state == "rendering"
            and job.prompt_id is not None
        ),
        "the render to start",
    )
    job = renderer.latest(demo.id, "002", shot_id)
    assert job is not None
    ok(at.run())
    assert any("🎨 rendering" in c for c in captions(at))
    assert at.main.get("progress")  # the progress bar of the running job
    ok(at.button(key=f"cancel:seq:{job.id}").click().run())

    final = wait_done(renderer, demo.id, "002", shot_id)
    assert final.state == "cancelled"
    interrupts = fake.requests_to("/interrupt")
    deletes = [r for r in fake.requests_to("/queue") if r.method == "POST" and b"delete" in r.body]
    assert interrupts or deletes
    assert not rendered(store, demo.id, "002", shot_id)
    ok(at.run())
    assert any("⏹️ cancelled" in c for c in captions(at))
    assert not [b for b in at.button if b.key and b.key.startswith("cancel:")]


def test_render_missing_with_the_server_down_says_so(
    demo: Project,
    store: Store,
    seq2: list[Shot],
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    at = storyboard_view(open_page(SEQUENCE, project=demo.id, seq="002"))
    fake.go_down()
    ok(at.button(key="render_missing").click().run())
    (message,) = [as_read(str(e.value)) for e in at.error]
    assert message.startswith("no ComfyUI server is online")
    assert "connection refused" in message
    assert renderer.jobs(demo.id) == []
