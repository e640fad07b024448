"""Routing renders over two fakes of different capabilities: studio-1 has the video nodes and the
Wan model, studio-2 only the image nodes. A batch goes where each shot can run, a server that last
loaded the model is preferred, a shot neither can run is refused before anything is sent (naming what
is missing where), and a server that goes down hands its waiting shots to another capable one."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from storyboard_core import Project, Store
from storyboard_core.comfyui.catalog import ServerCatalog
from storyboard_core.comfyui.queue import Renderer
from storyboard_core.comfyui.routing import Router, route_once
from storyboard_core.comfyui.status import StatusMonitor
from storyboard_core.errors import NoCapableServerError
from storyboard_core.settings import ServerConfig
from tests.fake_comfyui.object_info import build_object_info
from tests.fake_comfyui.server import FakeComfyUI

from ..helpers import wait_for
from .render_helpers import CKPT, quick_client
from .video_workflows import video_graph, write_workflow

WAN = "wan2.1_i2v_480p.safetensors"
#: A video workflow that also loads the Wan model (the loader is not on the output's path, so the
#: fake runs it without a model; routing still counts it).
LOADER = {
    "9": {"class_type": "UNETLoader", "inputs": {"unet_name": WAN, "weight_dtype": "default"}}
}


@pytest.fixture
def fakes() -> Iterator[tuple[FakeComfyUI, FakeComfyUI]]:
    with FakeComfyUI(checkpoints=[CKPT]) as one, FakeComfyUI(checkpoints=[CKPT]) as two:
        one.set_models("diffusion_models", [WAN])
        two.offer_only(set(build_object_info([])))  # the image nodes only, no Wan model
        yield one, two


@pytest.fixture
def servers(fakes: tuple[FakeComfyUI, FakeComfyUI]) -> list[ServerConfig]:
    one, two = fakes
    return [
        ServerConfig(name="studio-1", url=one.url),
        ServerConfig(name="studio-2", url=two.url, active=True),
    ]


@dataclass(frozen=True)
class Farm:
    """The two fakes as configured servers, and the project whose four shots they render."""

    store: Store
    workspace: Path
    project: Project
    one: FakeComfyUI
    two: FakeComfyUI
    servers: list[ServerConfig]
    shots: list[str]
    """Sequence 001's four shots: two clips, a still, and one that needs a node no one has."""

    def wan_on_two(self) -> None:
        """studio-2 offers every node and has the Wan model too."""
        self.two.offer_only(None)
        self.two.set_models("diffusion_models", [WAN])

    def renderer(
        self, servers: list[ServerConfig] | None = None, timeout_s: float = 20
    ) -> tuple[Renderer, StatusMonitor]:
        """A renderer routing over ``servers`` (the farm's), their capabilities read and statuses
        polled once."""
        chosen = self.servers if servers is None else servers
        monitor = StatusMonitor(lambda: chosen, client_factory=quick_client)
        monitor.check_now()
        catalog = ServerCatalog(quick_client)
        for server in chosen:
            catalog.get(server)
            assert catalog.wait(server, 5) is not None
        made = Renderer(
            self.store,
            self.workspace,
            lambda: chosen,
            client_factory=quick_client,
            router=Router(catalog, monitor),
            timeout_s=timeout_s,
        )
        return made, monitor


@pytest.fixture
def farm(
    store: Store,
    workspace: Path,
    project: Project,
    fakes: tuple[FakeComfyUI, FakeComfyUI],
    servers: list[ServerConfig],
) -> Farm:
    """The farm, its four shots given their workflows (``wan``, ``wan``, none, ``exotic``)."""
    write_workflow(workspace, "wan", video_graph("SaveVideo", **LOADER))
    unknown = {"8": {"class_type": "NoSuchVideoNode", "inputs": {}}}
    write_workflow(workspace, "exotic", video_graph("SaveVideo", **LOADER, **unknown))
    ids = [s.id for s in store.read_sequence(project.id, "001").shots]
    for shot_id, workflow in zip(ids, ("wan", "wan", "", "exotic"), strict=True):
        generation = {"checkpoint": CKPT, "steps": 1, "width": 64, "height": 64}
        generation["workflow"] = workflow
        store.update_shot(project.id, "001", shot_id, {"duration": 0.5, "generation": generation})
    return Farm(store, workspace, project, *fakes, servers, ids)


def test_a_batch_goes_where_each_shot_can_run(farm: Farm) -> None:
    r, _ = farm.renderer()
    try:
        jobs = r.submit_missing(farm.project.id, "001", farm.shots)
        done = [r.wait(j.id, 30) for j in jobs[:3]]
    finally:
        r.shutdown()
    assert [j.state for j in done] == ["done"] * 3, [j.message for j in done]
    one, two = farm.one.url, farm.two.url
    # Both clips on studio-1 (the only one with SaveVideo and the model); the still, on the
    # less busy studio-2.
    assert [j.server_url for j in done] == [one, one, two]
    refused = jobs[3]
    assert refused.state == "failed"
    assert "node NoSuchVideoNode: on no server" in refused.message
    assert farm.shots[3] in refused.message


def test_a_shot_none_can_run_is_refused_before_anything_is_sent(farm: Farm) -> None:
    r, monitor = farm.renderer()
    try:
        farm.one.go_down()
        monitor.check_now()
        with pytest.raises(NoCapableServerError) as refused:
            r.submit(farm.project.id, "001", farm.shots[0])
        with pytest.raises(NoCapableServerError) as exotic:
            r.submit(farm.project.id, "001", farm.shots[3])
    finally:
        r.shutdown()
    message = str(refused.value)
    assert message.startswith(f"no ComfyUI server can render shot {farm.shots[0]}: ")
    assert "node SaveVideo: only on studio-1, which is offline" in message
    assert f"model {WAN}: only on studio-1, which is offline" in message
    assert "node NoSuchVideoNode: on no server" in str(exotic.value)
    assert farm.two.requests_to("/prompt") == [] and r.jobs() == []


def test_the_server_that_last_loaded_the_model_is_preferred(farm: Farm) -> None:
    farm.wan_on_two()
    r, _ = farm.renderer()
    project, two = farm.project.id, farm.two.url
    try:
        first = r.submit(project, "001", farm.shots[0], server_url=two)  # by hand
        assert r.wait(first.id, 30).state == "done"
        # studio-1 comes first in the settings and both are idle: the warm studio-2 wins.
        second = r.submit(project, "001", farm.shots[1])
        assert r.wait(second.id, 30).state == "done"
    finally:
        r.shutdown()
    assert second.server_url == two


def test_a_server_going_down_hands_its_waiting_shots_over(farm: Farm) -> None:
    farm.wan_on_two()
    farm.two.set_step_delay(0.5)
    shots = farm.shots[:3]
    farm.store.update_shot(farm.project.id, "001", shots[2], {"generation": {"workflow": "wan"}})
    # studio-2 first: it gets the first shot.
    r, _ = farm.renderer(farm.servers[::-1], timeout_s=3.0)
    try:
        jobs = r.submit_missing(farm.project.id, "001", shots)
        assert [j.server_url for j in jobs] == [farm.two.url, farm.one.url, farm.two.url]
        wait_for(lambda: farm.two.executed != [], timeout=10)
        farm.two.go_down()  # with the first shot running, the third waiting behind it
        final = [r.wait(j.id, 30) for j in jobs]
    finally:
        r.shutdown()
    assert final[0].state == "failed"  # it was on studio-2 when it died
    assert final[1].state == "done" and final[2].state == "done", final[2].message
    assert final[2].server_url == farm.one.url


def test_a_one_off_render_is_routed_the_same_way(farm: Farm) -> None:
    # What `storyboard render` does without --server when several servers are configured.
    route = (farm.store, farm.workspace, farm.project.id, "001")
    servers, shots = farm.servers, farm.shots
    assert route_once(*route, shots[0], None, servers, quick_client).name == "studio-1"
    assert route_once(*route, shots[2], "wan", servers[::-1], quick_client).name == "studio-1"
    with pytest.raises(NoCapableServerError, match="node NoSuchVideoNode: on no server"):
        route_once(*route, shots[3], None, servers, quick_client)


def test_a_status_change_refreshes_the_capabilities(
    fakes: tuple[FakeComfyUI, FakeComfyUI], servers: list[ServerConfig]
) -> None:
    one, _ = fakes
    changed: list[str] = []
    monitor = StatusMonitor(
        lambda: servers, client_factory=quick_client, on_change=lambda s: changed.append(s.name)
    )
    monitor.check_now()
    assert changed == ["studio-1", "studio-2"]  # first seen
    monitor.check_now()
    assert changed == ["studio-1", "studio-2"]  # nothing changed
    one.go_down()
    monitor.check_now()
    assert changed[2:] == ["studio-1"]
    monitor.stop()
