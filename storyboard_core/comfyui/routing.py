"""Which configured server a shot's render goes to, from cached capabilities and queue lengths.

``shot_requirements`` reads what a shot's filled graph needs (its node types and model files: the
workflow, the shot's checkpoint, its video values); ``Router`` turns the configured servers into
``capabilities.Candidate``s from caches only: each server's capabilities from the ``ServerCatalog``
(fetched in the background, refreshed when the server's status changes), its queue length from the
``StatusMonitor``'s last poll (or a ``/queue`` probe given by the caller), plus the renders of ours
not yet sent to it. ``choose_server`` then picks, or refuses naming what is missing where.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ..bible.style import ShotContext, effective
from ..errors import ComfyUIError, NoCapableServerError, StoryboardError
from ..settings import ServerConfig
from ..store import StoreView
from ..takes import take_inputs
from .capabilities import Candidate, Requirements, choose_server, requirements
from .catalog import ServerCatalog
from .client import ClientFactory, default_client_factory
from .status import StatusMonitor
from .workflows import BUILTIN, fill_workflow, load_workflow_file, placeholder_values, video_values

#: How long a first routing waits for a server's capabilities that are being fetched.
CAPABILITIES_WAIT_S = 3.0
#: The model folders whose file is "the model" a server keeps loaded (the big one to load).
_MAIN_FOLDERS = ("diffusion_models", "checkpoints")


def shot_requirements(
    store: StoreView,
    workspace: Path,
    project: str,
    seq_id: str | None,
    shot_id: str,
    workflow: str | None = None,
) -> Requirements:
    """What rendering ``shot_id`` with ``workflow`` (default: its own) needs of a server.

    The graph is filled as a render fills it (images excepted: they are uploaded, not needed), so
    the shot's own checkpoint and other settings count. Raises like ``load_workflow_file``.
    """
    shot = store.read_shot(project, seq_id, shot_id)
    name = workflow or shot.generation.workflow or BUILTIN
    loaded = load_workflow_file(workspace, name)
    context = ShotContext.read(store, project, seq_id)
    seed = max(0, int(effective(shot, context).generation["seed"]))
    inputs = take_inputs(shot, seed=seed, workflow=name, server="", context=context)
    values = {
        **placeholder_values(inputs, filename_prefix="x"),
        **video_values(loaded, shot.duration),
    }
    return requirements(fill_workflow(loaded.graph, values))


def main_model(needs: Requirements) -> str | None:
    """The model file a server loading ``needs`` keeps warm: a diffusion model or checkpoint."""
    for folder in _MAIN_FOLDERS:
        found = next((m.file for m in needs.models if m.folder == folder), None)
        if found is not None:
            return found
    return needs.models[0].file if needs.models else None


class Router:
    """The configured servers as ``Candidate``s, from caches (thread-safe: the caches are).

    ``queue_lengths`` gives a server's running + pending prompts, ``None`` when offline; by default
    the ``monitor``'s last poll (a server not polled yet counts as idle).
    """

    def __init__(
        self,
        catalog: ServerCatalog,
        monitor: StatusMonitor | None = None,
        *,
        wait_s: float = CAPABILITIES_WAIT_S,
    ) -> None:
        self.catalog = catalog
        self.monitor = monitor
        self._wait_s = wait_s

    def candidate(self, server: ServerConfig) -> Candidate:
        """``server`` with its cached capabilities and queue length (no other load yet)."""
        entry = self.catalog.get(server)
        if entry is None and self._wait_s > 0:
            entry = self.catalog.wait(server, self._wait_s)
        caps = entry.capabilities if entry is not None else None
        return Candidate(server, caps, self._length(server, answered=caps is not None))

    def _length(self, server: ServerConfig, *, answered: bool) -> int | None:
        if self.monitor is None:
            return 0 if answered else None
        status = self.monitor.status(server.url)
        if status.state == "checking":
            # Not polled yet: tried (ComfyUI itself refuses what it cannot run), not refused here.
            return 0
        if not status.online or status.info is None:
            return None
        return int(status.info.queue_total)


class RoutingBook:
    """What a renderer remembers to route its jobs: each job's needs, the jobs whose server was
    named by hand (never moved), and the model each server last loaded for us. The renderer's lock
    guards it; ``router`` reads the caches."""

    def __init__(self, router: Router) -> None:
        self.router = router
        self.needs: dict[str, Requirements] = {}
        self.pinned: set[str] = set()
        self.last_model: dict[str, str] = {}

    def note(self, job_id: str, needs: Requirements | None, *, pinned: bool) -> None:
        """Remember what a new job needs and whether its server was named."""
        if needs is not None:
            self.needs[job_id] = needs
        if pinned:
            self.pinned.add(job_id)

    def done(self, job_id: str, url: str) -> None:
        """The job finished on the server at ``url``: that server has its model loaded now."""
        needs = self.needs.get(job_id)
        warm = main_model(needs) if needs is not None else None
        if warm is not None:
            self.last_model[url] = warm

    def forget(self, job_id: str) -> None:
        """The renderer forgot the job."""
        self.needs.pop(job_id, None)
        self.pinned.discard(job_id)

    def movable(self, job_ids: Sequence[str]) -> list[tuple[str, Requirements]]:
        """Of ``job_ids`` (not yet sent), those that may go to another server, with their needs."""
        return [(j, self.needs[j]) for j in job_ids if j in self.needs and j not in self.pinned]


def loaded(
    base: Sequence[Candidate],
    load: Mapping[str, int],
    last_models: Mapping[str, str],
    *,
    lengths: Mapping[str, int | None] | None = None,
    down: frozenset[str] = frozenset(),
) -> list[Candidate]:
    """``base`` (``Router.candidate``) with our unsent renders added to each queue (``load``, by
    URL), the model each server last loaded for us, fresher queue ``lengths`` (a ``/queue`` probe)
    where given, and the servers in ``down`` (URLs) counted as offline."""
    found = []
    for server, caps, length, _ in base:
        if lengths is not None and server.url in lengths:
            length = lengths[server.url]
        if server.url in down:
            length = None
        if length is not None:
            length += load.get(server.url, 0)
        found.append(Candidate(server, caps, length, last_models.get(server.url)))
    return found


def check_named(needs: Requirements, named: Candidate, what: str) -> None:
    """Refuse (``NoCapableServerError``) a server named by hand that lacks what ``needs`` says;
    one whose capabilities are not known yet is trusted."""
    lacks = named.capabilities.missing(needs) if named.capabilities is not None else []
    if lacks:
        raise NoCapableServerError(what, [f"{', '.join(lacks)}: not on {named.server.name}"])


def hand_over_plan(
    base: Sequence[Candidate],
    waiting: Sequence[tuple[str, Requirements]],
    load: Mapping[str, int],
    last_models: Mapping[str, str],
) -> list[tuple[str, ServerConfig]]:
    """Where each waiting job (id, needs) of a server that went down goes among ``base`` (the
    other servers); a job no other server can run is left out (it waits for its own)."""
    load = dict(load)
    plan = []
    for job_id, needs in waiting:
        try:
            target = choose_server(needs, loaded(base, load, last_models))
        except NoCapableServerError:
            continue
        load[target.url] = load.get(target.url, 0) + 1
        plan.append((job_id, target))
    return plan


@dataclass(frozen=True)
class BatchRoutes:
    """What each shot of a batch needs (or why it cannot be known) and every server's candidate."""

    needs: dict[str, Requirements]
    refused: dict[str, str]
    base: list[Candidate]

    def choose(
        self, shot_id: str, load: Mapping[str, int], last_models: Mapping[str, str]
    ) -> ServerConfig | str:
        """The server for ``shot_id``, or why none can run it.

        ``load`` is each online server's queue and our unsent renders (by URL, fresh from a probe);
        a server missing from it did not answer and counts as offline.
        """
        if shot_id in self.refused:
            return self.refused[shot_id]
        down = frozenset(c.server.url for c in self.base if c.server.url not in load)
        found = loaded(self.base, {}, last_models, lengths=load, down=down)
        try:
            return choose_server(self.needs[shot_id], found, what=f"shot {shot_id}")
        except NoCapableServerError as exc:
            return str(exc)


def batch_routes(
    router: Router,
    store: StoreView,
    workspace: Path,
    project: str,
    seq_id: str | None,
    shot_ids: Sequence[str],
    servers: Sequence[ServerConfig],
) -> BatchRoutes:
    """``BatchRoutes`` for ``shot_ids``: each shot's needs with its own workflow (a broken workflow
    file refuses that shot only) and every server of ``servers`` from the caches."""
    needs: dict[str, Requirements] = {}
    refused: dict[str, str] = {}
    for shot_id in shot_ids:
        try:
            needs[shot_id] = shot_requirements(store, workspace, project, seq_id, shot_id)
        except StoryboardError as exc:
            refused[shot_id] = str(exc)
    return BatchRoutes(needs, refused, [router.candidate(s) for s in servers])


def queue_length(server: ServerConfig, client_factory: ClientFactory) -> int | None:
    """Running + pending prompts on ``server`` (``GET /queue``), ``None`` when it does not answer."""
    try:
        with client_factory(server) as client:
            queue = client.queue()
    except ComfyUIError:
        return None
    return len(queue.running) + len(queue.pending)


def route_once(
    store: StoreView,
    workspace: Path,
    project: str,
    seq_id: str | None,
    shot_id: str,
    workflow: str | None,
    servers: Sequence[ServerConfig],
    client_factory: ClientFactory = default_client_factory,
) -> ServerConfig:
    """The server for one render outside the app (the CLI): every server's capabilities and
    ``/queue`` asked now, in parallel. Raises ``NoCapableServerError`` naming what is missing where."""
    needs = shot_requirements(store, workspace, project, seq_id, shot_id, workflow)
    catalog = ServerCatalog(client_factory)
    for server in servers:
        catalog.get(server)  # every fetch starts now; the waits below overlap
    with ThreadPoolExecutor(max_workers=max(1, len(servers))) as pool:
        lengths = dict(
            zip(
                (s.url for s in servers),
                pool.map(lambda s: queue_length(s, client_factory), servers),
                strict=True,
            )
        )
    router = Router(catalog, wait_s=CAPABILITIES_WAIT_S)
    base = [router.candidate(s) for s in servers]
    catalog.close()
    return choose_server(needs, loaded(base, {}, {}, lengths=lengths), what=f"shot {shot_id}")


__all__ = [
    "CAPABILITIES_WAIT_S",
    "BatchRoutes",
    "Router",
    "RoutingBook",
    "batch_routes",
    "check_named",
    "hand_over_plan",
    "loaded",
    "main_model",
    "queue_length",
    "route_once",
    "shot_requirements",
]
