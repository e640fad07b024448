"""The render journal (``<project>/.renders/queue.json``) and resuming from it, against the fake ComfyUI.

A renderer that died leaves entries whose owner holds no lock; here they are written as such a renderer
would have left them (the real kill, of the real app, is ``tests/e2e/test_render_restart.py``). Each
case checks what the server was asked to do: nothing is rendered twice when the server already has the
result, and nothing is lost.
"""

from __future__ import annotations

import json
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import httpx
import pytest

from storyboard_core import Project, Store, StoryboardError
from storyboard_core.comfyui.client import ComfyUIClient, JsonDict
from storyboard_core.comfyui.job import new_job
from storyboard_core.comfyui.journal import QUEUE_FILE, QueuedRender, QueueFile, RenderJournal
from storyboard_core.comfyui.queue import Renderer
from storyboard_core.comfyui.render import SERVER_SUBFOLDER, RenderJob
from storyboard_core.comfyui.workflows import builtin_workflow, fill_workflow, placeholder_values
from storyboard_core.settings import ServerConfig
from storyboard_core.store import PROJECT_GITIGNORE
from storyboard_core.takes import take_inputs
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for

CKPT = "sd15.safetensors"


@pytest.fixture
def fake(fake_comfyui: FakeComfyUI) -> FakeComfyUI:
    fake_comfyui.set_checkpoints([CKPT])
    return fake_comfyui


@pytest.fixture
def servers(fake: FakeComfyUI) -> list[ServerConfig]:
    return [ServerConfig(name="local", url=fake.url, active=True)]


def quick_client(server: ServerConfig) -> ComfyUIClient:
    return ComfyUIClient(server.url, timeout=httpx.Timeout(5.0))


Make = Callable[..., Renderer]


@pytest.fixture
def make(store: Store, workspace: Path, servers: list[ServerConfig]) -> Iterator[Make]:
    """Make renderers on the test's workspace and fake (all shut down after the test)."""
    made: list[Renderer] = []

    def renderer(**options: Any) -> Renderer:
        options.setdefault("client_factory", quick_client)
        made.append(Renderer(store, workspace, lambda: servers, timeout_s=30, **options))
        return made[-1]

    yield renderer
    for one in made:
        one.shutdown()


def ready(store: Store, project: Project, count: int = 2) -> list[str]:
    """The first ``count`` shots of sequence 001 with a prompt and small settings; their ids."""
    ids = [s.id for s in store.read_sequence(project.id, "001").shots][:count]
    gen = {"checkpoint": CKPT, "steps": 3, "seed": 11, "width": 64, "height": 64}
    store.update_shots(project.id, "001", {i: {"prompt": "a quay", "generation": gen} for i in ids})
    return ids


def queue_file(store: Store, project: Project) -> Path:
    return store.project_dir(project.id) / QUEUE_FILE


def left_behind(store: Store, project: Project, *entries: QueuedRender) -> None:
    """A journal as a renderer that died would leave it (its owner holds no lock)."""
    path = queue_file(store, project)
    path.parent.mkdir(exist_ok=True)
    path.write_text(QueueFile(jobs=list(entries)).model_dump_json(indent=2), "utf-8")


def entry(shot_id: str, url: str, **fields: Any) -> QueuedRender:
    return QueuedRender(
        id=uuid.uuid4().hex[:12],
        seq_id="001",
        shot_id=shot_id,
        server_url=url,
        created_at=time.time(),
        owner="dead0000dead0000",
        **fields,
    )


def post_as_before(store: Store, project: Project, fake: FakeComfyUI, shot_id: str) -> QueuedRender:
    """Send the shot's prompt to the fake as the dead renderer did; the journal entry it wrote."""
    shot = store.read_shot(project.id, "001", shot_id)
    inputs = take_inputs(shot, seed=11, workflow="built-in", server=fake.url)
    values = placeholder_values(inputs, filename_prefix=f"{SERVER_SUBFOLDER}/{shot_id}")
    prompt_id, client_id = str(uuid.uuid4()), uuid.uuid4().hex
    with ComfyUIClient(fake.url) as client:
        client.post_prompt(fill_workflow(builtin_workflow(), values), client_id, prompt_id)
    return entry(
        shot_id,
        fake.url,
        state="rendering",
        prompt_id=prompt_id,
        client_id=client_id,
        seed=11,
        workflow="built-in",
    )


def posts(fake: FakeComfyUI) -> list[JsonDict]:
    return [json.loads(r.body) for r in fake.requests_to("/prompt") if r.method == "POST"]


def finish(renderer: Renderer, project: Project) -> list[RenderJob]:
    """Wait for the resume, then for every job it took up; the jobs as they ended."""
    wait_for(lambda: renderer.jobs(project.id), timeout=10)
    return [renderer.wait(job.id, 60) for job in renderer.jobs(project.id)]


def takes(store: Store, project: Project, shot_id: str) -> list[dict[str, Any]]:
    shot = store.read_shot(project.id, "001", shot_id)
    return [] if shot.render is None else list(shot.render.versions)


# -- what is written -----------------------------------------------------------------------------------


def test_active_jobs_are_on_disk_until_they_end(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.2)
    first, second = ready(store, project)
    renderer = make()
    a = renderer.submit(project.id, "001", first)
    b = renderer.submit(project.id, "001", second)
    path = queue_file(store, project)
    wait_for(lambda: renderer.job(a.id).state == "rendering")  # type: ignore[union-attr]
    jobs = json.loads(path.read_text("utf-8"))["jobs"]
    assert [j["id"] for j in jobs] == [a.id, b.id]
    running, waiting = jobs
    assert running["state"] == "rendering" and running["shot_id"] == first
    assert running["prompt_id"] == renderer.job(a.id).prompt_id  # type: ignore[union-attr]
    assert running["client_id"] and running["seed"] == 11 and running["workflow"] == "built-in"
    assert waiting["state"] == "queued" and waiting["prompt_id"] is None
    assert running["owner"] == waiting["owner"] != ""
    assert (path.parent / ".gitignore").read_text("utf-8").splitlines()[-1] == "*"

    assert renderer.wait(a.id, 30).state == "done"
    assert [j["id"] for j in json.loads(path.read_text("utf-8"))["jobs"]] == [b.id]
    assert renderer.wait(b.id, 30).state == "done"
    assert not path.exists()  # an empty queue leaves no file
    assert not list(store.project_dir(project.id).glob(".history/.renders/**/*.json"))


def test_an_update_writes_only_what_the_journal_keeps_when_it_changed(
    store: Store, project: Project
) -> None:
    """A job is updated on every progress step; the file is written only when its state or the
    ids it was sent with change (a step's message alone is not kept)."""
    journal = RenderJournal(store)
    (shot,) = ready(store, project, 1)
    job = new_job(project.id, "001", shot, server_url="http://comfy.invalid:8188")
    journal.record([job])
    path = queue_file(store, project)
    written = path.stat().st_ino  # each write replaces the file: a new inode
    journal.update(replace(job, message="step 2 of 20"))
    assert path.stat().st_ino == written
    journal.update(replace(job, state="rendering", prompt_id="p-1"))
    assert path.stat().st_ino != written
    (entry,) = json.loads(path.read_text("utf-8"))["jobs"]
    assert (entry["state"], entry["prompt_id"]) == ("rendering", "p-1")
    journal.close()


def test_the_prompt_id_is_on_disk_before_the_post(
    make: Make, store: Store, project: Project
) -> None:
    (shot,) = ready(store, project, 1)
    seen: list[tuple[str, list[Any]]] = []
    path = queue_file(store, project)

    class Watching(ComfyUIClient):
        def post_prompt(
            self, graph: JsonDict, client_id: str, prompt_id: str | None = None, **kw: Any
        ) -> str:
            assert prompt_id is not None
            seen.append((prompt_id, json.loads(path.read_text("utf-8"))["jobs"]))
            return super().post_prompt(graph, client_id, prompt_id, **kw)

    renderer = make(client_factory=lambda server: Watching(server.url))
    job = renderer.wait(renderer.submit(project.id, "001", shot).id, 30)
    assert job.state == "done", job.message
    ((prompt_id, on_disk),) = seen
    assert prompt_id == job.prompt_id
    assert [(j["prompt_id"], j["client_id"]) for j in on_disk] == [(prompt_id, job.client_id)]


def test_cancel_and_shutdown_take_jobs_off_the_journal(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.2)
    ids = ready(store, project, 3)
    renderer = make()
    jobs = [renderer.submit(project.id, "001", shot) for shot in ids]
    wait_for(lambda: renderer.job(jobs[0].id).state == "rendering")  # type: ignore[union-attr]
    assert renderer.cancel(jobs[2].id).state == "cancelled"  # waiting: dropped
    assert [j["id"] for j in json.loads(queue_file(store, project).read_text())["jobs"]] == [
        jobs[0].id,
        jobs[1].id,
    ]
    renderer.shutdown()
    assert not queue_file(store, project).exists()


def test_a_journal_that_cannot_be_written_queues_nothing(
    make: Make, store: Store, project: Project
) -> None:
    (shot,) = ready(store, project, 1)
    (store.project_dir(project.id) / ".renders").write_text("a file where the folder goes")
    renderer = make()
    with pytest.raises(StoryboardError) as caught:
        renderer.submit(project.id, "001", shot)
    assert str(caught.value) == (
        f"cannot write the render queue {project.id}/{QUEUE_FILE}: Not a directory"
    )
    assert renderer.jobs() == []


def test_renders_stay_out_of_git_in_new_and_old_projects(
    store: Store, project: Project, tmp_path: Path
) -> None:
    assert ".renders/" in PROJECT_GITIGNORE.splitlines()
    folder = store.project_dir(project.id)
    (folder / ".gitignore").write_text(".locks/\n.history/\n")  # a project made before the journal
    (shot,) = ready(store, project, 1)
    left_behind(store, project, entry(shot, "http://127.0.0.1:1"))
    # The journal writes its own ignore file on its first write.
    from storyboard_core.comfyui.journal import RenderJournal

    journal = RenderJournal(store)
    try:
        journal.claim(project.id)
    finally:
        journal.close()
    subprocess.run(["git", "init", "-q", str(folder)], check=True)
    ignored = subprocess.run(
        ["git", "-C", str(folder), "check-ignore", "-q", QUEUE_FILE], check=False
    )
    assert ignored.returncode == 0, "the render queue is not ignored by git"


# -- resuming --------------------------------------------------------------------------------------------


def test_queued_jobs_are_sent_again(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    first, second = ready(store, project)
    left_behind(store, project, entry(first, fake.url), entry(second, fake.url))
    renderer = make()
    renderer.resume().join(10)
    ended = finish(renderer, project)
    assert [(j.shot_id, j.state) for j in ended] == [(first, "done"), (second, "done")]
    assert len(fake.executed) == 2
    assert len(takes(store, project, first)) == len(takes(store, project, second)) == 1
    assert not queue_file(store, project).exists()


def test_a_finished_prompt_is_taken_from_history_not_rendered_again(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    (shot,) = ready(store, project, 1)
    sent = post_as_before(store, project, fake, shot)
    assert sent.prompt_id is not None
    wait_for(lambda: fake.history_entry(sent.prompt_id or ""))  # it ran while the app was down
    left_behind(store, project, sent)
    renderer = make()
    renderer.resume()
    (job,) = finish(renderer, project)
    assert job.state == "done", job.message
    assert job.prompt_id == sent.prompt_id and job.seed == 11
    assert len(posts(fake)) == 1 and fake.executed == [sent.prompt_id]  # not sent again
    (take,) = takes(store, project, shot)
    assert take["prompt_id"] == sent.prompt_id and take["seed"] == 11
    assert not queue_file(store, project).exists()


def test_a_running_prompt_is_followed_to_its_end(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.3)
    first, second = ready(store, project)
    sent = post_as_before(store, project, fake, first)
    wait_for(lambda: fake.executed)  # running now
    left_behind(store, project, sent, entry(second, fake.url))
    renderer = make()
    updates: list[RenderJob] = []
    renderer.resume()
    job_id = wait_for(lambda: renderer.jobs(project.id))[0].id
    while (current := renderer.wait(job_id, 0.05)).active:
        updates.append(current)
    assert current.state == "done", current.message
    # Its socket reconnected with the same client id: the run's progress came through again.
    assert any(u.state == "rendering" and "step" in u.message for u in updates)
    assert fake.requests_to("/ws")[-1].query["clientId"] == sent.client_id
    ended = finish(renderer, project)
    assert [j.state for j in ended] == ["done", "done"]
    assert len(posts(fake)) == 2  # the running one was not sent again; the waiting one was
    assert fake.executed[0] == sent.prompt_id and len(fake.executed) == 2
    assert len(takes(store, project, first)) == len(takes(store, project, second)) == 1


def test_a_prompt_the_server_forgot_is_sent_again(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    (shot,) = ready(store, project, 1)
    # The app died between writing the prompt id and its POST (or the server restarted since).
    forgotten = entry(
        shot, fake.url, prompt_id=str(uuid.uuid4()), client_id=uuid.uuid4().hex, seed=11
    )
    left_behind(store, project, forgotten)
    renderer = make()
    renderer.resume()
    (job,) = finish(renderer, project)
    assert job.state == "done", job.message
    assert [p["prompt_id"] for p in posts(fake)] == [forgotten.prompt_id]
    assert len(fake.executed) == 1 and len(takes(store, project, shot)) == 1


def test_a_take_already_recorded_is_not_recorded_twice(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    (shot,) = ready(store, project, 1)
    renderer = make()
    done = renderer.wait(renderer.submit(project.id, "001", shot).id, 30)
    assert done.state == "done", done.message
    # The app died after recording the take, before forgetting the job.
    left_behind(
        store,
        project,
        entry(
            shot,
            fake.url,
            state="rendering",
            prompt_id=done.prompt_id,
            client_id=done.client_id,
            seed=done.seed,
        ),
    )
    views = len(fake.requests_to("/view"))
    again = make()
    again.resume()
    (job,) = finish(again, project)
    assert job.state == "done" and job.image == done.image
    assert len(takes(store, project, shot)) == 1
    assert len(fake.requests_to("/view")) == views and len(fake.executed) == 1


def test_a_prompt_that_failed_meanwhile_fails_with_its_reason(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    (shot,) = ready(store, project, 1)
    before = store.read_shot(project.id, "001", shot)
    fake.fail_next_run("out of memory")
    sent = post_as_before(store, project, fake, shot)
    wait_for(lambda: fake.history_entry(sent.prompt_id or ""))
    left_behind(store, project, sent)
    renderer = make()
    renderer.resume()
    (job,) = finish(renderer, project)
    assert job.state == "failed"
    assert job.message.startswith(f"ComfyUI at {fake.url} failed to render the shot: out of memory")
    assert store.read_shot(project.id, "001", shot) == before
    assert len(posts(fake)) == 1 and not queue_file(store, project).exists()


def test_a_live_renderers_jobs_are_not_taken_over(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    fake.set_step_delay(0.2)
    (shot,) = ready(store, project, 1)
    alive = make()
    job = alive.submit(project.id, "001", shot)
    wait_for(lambda: alive.job(job.id).state == "rendering")  # type: ignore[union-attr]
    other = make()  # a second app on the same workspace
    other.resume().join(10)
    assert other.jobs() == []
    assert alive.wait(job.id, 30).state == "done"
    assert len(fake.executed) == 1 and len(takes(store, project, shot)) == 1


def test_a_broken_journal_is_set_aside(make: Make, store: Store, project: Project) -> None:
    (shot,) = ready(store, project, 1)
    path = queue_file(store, project)
    path.parent.mkdir()
    path.write_text('{"jobs": [{"id": ')
    renderer = make()
    renderer.resume().join(10)
    assert renderer.jobs() == []
    (aside,) = path.parent.glob("queue.broken-*.json")
    assert aside.read_text() == '{"jobs": [{"id": '  # kept for a look, not lost
    job = renderer.wait(renderer.submit(project.id, "001", shot).id, 30)
    assert job.state == "done", job.message


def test_a_submit_waits_for_the_resume_so_a_shot_is_not_queued_twice(
    make: Make, store: Store, project: Project, fake: FakeComfyUI
) -> None:
    (shot,) = ready(store, project, 1)
    left_behind(store, project, entry(shot, fake.url))
    renderer = make()
    submitted: list[RenderJob] = []
    thread = threading.Thread(
        target=lambda: submitted.append(renderer.submit(project.id, "001", shot))
    )
    renderer.resume()
    thread.start()  # whichever comes first, the shot has one job
    thread.join(20)
    (job,) = renderer.jobs(project.id)
    assert [j.id for j in submitted] == [job.id]
    assert renderer.wait(job.id, 30).state == "done"
    assert len(fake.executed) == 1


def test_a_resumed_job_waits_for_its_server_to_come_back(
    make: Make,
    store: Store,
    project: Project,
    fake: FakeComfyUI,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr("storyboard_core.comfyui.queue.RESUME_POLL_S", 0.1)
    (shot,) = ready(store, project, 1)
    left_behind(store, project, entry(shot, fake.url))
    fake.refuse()  # after a reboot the app can be up before ComfyUI is
    renderer = make()
    renderer.resume()
    job_id = wait_for(lambda: renderer.jobs(project.id))[0].id
    expected = f"waiting for {fake.url} to come back"
    wait_for(lambda: renderer.wait(job_id, 0).message == expected)
    assert fake.executed == []
    fake.come_back()
    job = renderer.wait(job_id, 30)
    assert job.state == "done", job.message
    assert len(fake.executed) == 1 and len(takes(store, project, shot)) == 1
