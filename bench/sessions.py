"""Several people at once, through the app layer: editors saving shots and reviewers commenting on
the same project, each an ``AppTest`` session of ``app.py`` in a process of its own.

Editors sign in with the passcode, open the shot editor on a shot of their own (all in one sequence
file, so every save contends for the same file lock), type a new prompt and press Save, again and
again. Reviewers open the review link, give their name, open the storyboard and comment on the
shots with ``review.add_comment`` on their session's guarded store (what the comment thread calls,
on the store ``ui.frame.services.store()`` gives a reviewer), again and again. Afterwards every editor's last save and every comment must be on disk, no page may have
shown an error or raised, and every comment id must be there once.

``python -m bench.sessions [--seconds 120] [--editors 6] [--reviewers 4]`` prints the figures;
``make bench`` runs it as row 10 for 2 minutes.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import secrets
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

APP = Path(__file__).resolve().parent.parent / "app.py"
PASSCODE = "bench passcode 1234"
SEQ = "001"


@dataclass
class WorkerResult:
    """What one session did: its saves (latency each) or comments, and anything that went wrong."""

    role: str
    index: int
    latencies: list[float] = field(default_factory=list)
    last_prompt: str = ""
    shot_id: str = ""
    comment_ids: list[str] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)


@dataclass
class SessionsResult:
    """The whole run: per-session results, the wall time, and what the files say afterwards."""

    seconds: float
    workers: list[WorkerResult]
    missing: list[str]

    @property
    def saves(self) -> list[float]:
        """Every save's latency, seconds."""
        return [t for w in self.workers if w.role == "editor" for t in w.latencies]

    @property
    def comments(self) -> int:
        """How many comments the reviewers added."""
        return sum(len(w.comment_ids) for w in self.workers)

    @property
    def problems(self) -> list[str]:
        """Every error page, exception or lost write."""
        return [p for w in self.workers for p in w.problems] + self.missing

    def p95(self) -> float:
        """The 95th percentile of the save latency."""
        saves = sorted(self.saves)
        if len(saves) < 2:
            return saves[0] if saves else float("nan")
        return statistics.quantiles(saves, n=20, method="inclusive")[18]


def prepare(workspace: Path, shots: int) -> tuple[str, str]:
    """A project with one sequence of ``shots`` shots, a passcode and a review link; (project, token)."""
    from storyboard_core import Store
    from storyboard_core.access import create_link, set_passcode

    store = Store(workspace)
    project = store.create_project(
        "Load", format_id="custom", sequences=1, seconds_per_sequence=600, shots_per_sequence=shots
    )
    # The review thread: a list on every shot (what the review work writes on new shots).
    path = store.sequence_path(project.id, SEQ)
    data = json.loads(path.read_text("utf-8"))
    for shot in data["shots"]:
        shot.setdefault("comments", [])
    path.write_text(json.dumps(data, indent=2), "utf-8")
    set_passcode(workspace, PASSCODE)
    _, token = create_link(store, project.id)
    return project.id, token


def _check(at: Any, where: str, result: WorkerResult) -> bool:
    problems = [f"{where}: {e.value}" for e in at.exception] + [
        f"{where}: error shown: {e.value}" for e in at.error
    ]
    result.problems += problems
    return not problems


_barrier: Any = None  # set in each worker process by ``_init``


def _init(barrier: Any) -> None:
    global _barrier
    _barrier = barrier


def _all_ready(seconds: float) -> float:
    """Wait until every session has opened its page; then the clock starts. Returns the deadline."""
    _barrier.wait(timeout=900)
    return time.time() + seconds


def _editor(index: int, project: str, seconds: float, result: WorkerResult) -> None:
    from streamlit.testing.v1 import AppTest

    from storyboard_core import Store

    shot = Store(os.environ["STORYBOARD_WORKSPACE"]).read_shots(project, SEQ)[index]
    result.shot_id = shot.id
    at = AppTest.from_file(str(APP), default_timeout=120).run()
    at.text_input[0].input(PASSCODE)
    at.button[0].click().run()
    at.switch_page("pages/shot.py")
    at.query_params.update(project=project, seq=SEQ, shot=shot.id)
    at.run()
    ready = _check(at, "open the shot editor", result)
    deadline = _all_ready(seconds)
    if not ready:
        return
    n = 0
    while time.time() < deadline:
        n += 1
        prompt = f"editor {index} edit {n} {secrets.token_hex(3)}"
        area = next(a for a in at.text_area if a.key and a.key.endswith(":prompt"))
        area.input(prompt).run()
        started = time.perf_counter()
        at.button(key="shot_save").click().run()
        elapsed = time.perf_counter() - started
        if not _check(at, f"save {n}", result):
            return
        result.latencies.append(elapsed)
        result.last_prompt = prompt


def _reviewer(index: int, project: str, token: str, seconds: float, result: WorkerResult) -> None:
    from streamlit.testing.v1 import AppTest

    from storyboard_core import Store
    from storyboard_core.access import guarded
    from storyboard_core.review.comments import add_comment
    from ui.frame.state import ACCESS

    at = AppTest.from_file(str(APP), default_timeout=120)
    at.query_params["review"] = token
    at.run()
    at.text_input[0].input(f"Reviewer {index}")
    at.button[0].click().run()
    at.switch_page("pages/sequence.py")
    at.query_params.update(project=project, seq=SEQ)
    at.run()
    ready = _check(at, "open the storyboard", result)
    if not ready:
        _all_ready(seconds)
        return
    access = at.session_state[ACCESS]
    store = guarded(Store(os.environ["STORYBOARD_WORKSPACE"]), access)
    shots = [s.id for s in store.read_shots(project, SEQ)]
    deadline = _all_ready(seconds)
    n = 0
    while time.time() < deadline:
        n += 1
        shot_id = shots[(index + n) % len(shots)]
        try:
            comment = add_comment(
                store,
                project,
                SEQ,
                shot_id,
                author=access.name,
                text=f"note {n} from {access.name}",
            )
        except Exception as exc:  # every failure is a finding of the run
            result.problems.append(f"comment {n}: {type(exc).__name__}: {exc}")
            return
        comment_id = comment.id
        result.comment_ids.append(comment_id)
        at.run()  # the reviewer's page follows (a rerun, as after a click)
        if not _check(at, f"storyboard after comment {n}", result):
            return


def _work(args: tuple[str, int, str, str, float, str]) -> WorkerResult:
    role, index, project, token, seconds, workspace = args
    os.environ["STORYBOARD_WORKSPACE"] = workspace
    os.environ.setdefault("STREAMLIT_LOGGER_LEVEL", "error")
    sys.path.insert(0, str(APP.parent))
    from tests.app.serving import as_running_server, runs_awaited

    result = WorkerResult(role, index)
    try:
        with as_running_server(), runs_awaited():
            if role == "editor":
                _editor(index, project, seconds, result)
            else:
                _reviewer(index, project, token, seconds, result)
    except Exception as exc:  # reported, not raised: the run goes on and says what broke
        result.problems.append(f"{role} {index}: {type(exc).__name__}: {exc}")
        _barrier.abort()  # the others stop waiting for this one
    return result


def run_sessions(
    workspace: Path, *, seconds: float, editors: int = 6, reviewers: int = 4
) -> SessionsResult:
    """Run ``editors`` + ``reviewers`` sessions at once for ``seconds``; check the files after."""
    from storyboard_core import Store

    project, token = prepare(workspace, max(editors, 1) + 2)
    jobs = [("editor", i, project, token, seconds, str(workspace)) for i in range(editors)]
    jobs += [("reviewer", i, project, token, seconds, str(workspace)) for i in range(reviewers)]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(jobs))
    with context.Pool(len(jobs), initializer=_init, initargs=(barrier,)) as pool:
        workers = pool.map(_work, jobs)
    store = Store(workspace)
    on_disk = {s.id: s.model_dump(mode="json") for s in store.read_shots(project, SEQ)}
    missing = []
    for w in workers:
        if w.role == "editor" and w.last_prompt and on_disk[w.shot_id]["prompt"] != w.last_prompt:
            missing.append(f"editor {w.index}: last save lost ({w.last_prompt!r})")
    ids = [c["id"] for shot in on_disk.values() for c in shot.get("comments", [])]
    for w in workers:
        for comment_id in w.comment_ids:
            if ids.count(comment_id) != 1:
                missing.append(
                    f"reviewer {w.index}: comment {comment_id} found {ids.count(comment_id)}×"
                )
    return SessionsResult(seconds, workers, missing)


def sessions_rows(seconds: float) -> list[Any]:
    """Row 10 of ``make bench``: saves per second and p95 save latency under 10 sessions."""
    from .report import Row

    with tempfile.TemporaryDirectory(prefix="storyboard-sessions-") as folder:
        result = run_sessions(Path(folder), seconds=seconds)
    saves = result.saves
    ok = not result.problems
    for problem in result.problems[:10]:
        print(f"[bench] sessions: {problem}", file=sys.stderr)
    label = f"6 editors + 4 reviewers, {seconds:.0f} s"
    return [
        Row(
            "saves per second under 10 sessions (every write on disk)",
            label,
            len(saves) / seconds,
            unit="/s",
            target="no error, nothing lost",
            ok=ok,
            n=len(saves),
        ),
        Row(
            "p95 save latency under 10 sessions", label, result.p95(), target="report", n=len(saves)
        ),
        Row(
            "comments added meanwhile",
            label,
            result.comments / seconds,
            unit="/s",
            target="no error, nothing lost",
            ok=ok,
            n=result.comments,
        ),
    ]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.sessions", description=__doc__)
    parser.add_argument("--seconds", type=float, default=120)
    parser.add_argument("--editors", type=int, default=6)
    parser.add_argument("--reviewers", type=int, default=4)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="storyboard-sessions-") as folder:
        result = run_sessions(
            Path(folder), seconds=args.seconds, editors=args.editors, reviewers=args.reviewers
        )
    saves = result.saves
    print(
        f"{len(saves)} saves, {len(saves) / args.seconds:.2f} saves/s, "
        f"p95 {result.p95() * 1000:.0f} ms, median {statistics.median(saves) * 1000 if saves else 0:.0f} ms; "
        f"{result.comments} comments; {len(result.problems)} problem(s)"
    )
    for problem in result.problems:
        print(f"  {problem}")
    return 1 if result.problems else 0


if __name__ == "__main__":
    sys.exit(main())
