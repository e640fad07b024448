"""Takes: what each render records, stale detection, the diff of two takes, uploads refused with a
clear message (broken, huge, mislabelled files), and no take lost to concurrent writers (processes)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from storyboard_core import InvalidDataError, NotFoundError, Project, Shot, Store
from storyboard_core.comfyui.render import RenderJob, render_shot
from storyboard_core.settings import ServerConfig
from storyboard_core.take_diff import diff_summary, diff_takes, word_diff
from storyboard_core.takes import (
    Take,
    TakeInputs,
    current_take,
    fingerprint,
    is_stale,
    stale_shots,
    take_inputs,
    takes,
    upload_take,
    use_render_version,
)
from tests.fake_comfyui.server import FakeComfyUI

from .comfyui.render_fixtures import fake_fixture, server_fixture, shot_fixture
from .comfyui.render_helpers import CKPT
from .conftest import snapshot
from .helpers import run_together

# A fake ComfyUI with the checkpoint, and a small shot on it ready to render: the render tests' fixtures.
__all__ = ["fake_fixture", "server_fixture", "shot_fixture"]


@pytest.fixture
def render(
    store: Store, workspace: Path, project: Project, shot: Shot, server: ServerConfig
) -> Callable[[], RenderJob]:
    """``render_shot`` of the shot on the fake; the render must succeed."""

    def go() -> RenderJob:
        job = render_shot(store, workspace, project.id, "001", shot.id, server=server, timeout_s=20)
        assert job.state == "done", job.message
        return job

    return go


def reread(store: Store, project: Project, shot: Shot) -> Shot:
    return store.read_shot(project.id, "001", shot.id)


def edit(store: Store, project: Project, shot: Shot, patch: dict[str, Any]) -> Shot:
    return store.update_shot(project.id, "001", shot.id, patch)


def image_bytes(fmt: str, size: tuple[int, int] = (16, 9)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (200, 40, 40)).save(out, format=fmt)
    return out.getvalue()


def png_claiming(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims ``width``×``height`` pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00" * 64))
        + chunk(b"IEND", b"")
    )


# -- Store.change_shot ---------------------------------------------------------------------------------


def test_change_shot_receives_the_current_shot_and_replaces_fields_whole(
    store: Store, project: Project, shot: Shot
) -> None:
    edit(store, project, shot, {"render": {"image": "a.png", "seed": 1, "extra": "old"}})
    seen: list[Shot] = []

    def change(current: Shot) -> dict[str, Any]:
        seen.append(current)
        return {"render": {"image": "b.png"}, "notes": current.notes + "!"}

    saved = store.change_shot(project.id, "001", shot.id, change)
    assert seen[0].render is not None and seen[0].render.image == "a.png"
    assert saved.render is not None and saved.render.image == "b.png"
    assert saved.render.seed is None and "extra" not in saved.render.model_dump()  # not merged
    assert saved.notes == "keep me!" and saved.updated_at > seen[0].updated_at
    assert reread(store, project, shot) == saved


def test_change_shot_that_raises_or_is_invalid_writes_nothing(
    store: Store, workspace: Path, project: Project, shot: Shot
) -> None:
    before = snapshot(workspace)

    def fails(current: Shot) -> dict[str, Any]:
        raise NotFoundError("no such take")

    with pytest.raises(NotFoundError):
        store.change_shot(project.id, "001", shot.id, fails)
    with pytest.raises(InvalidDataError) as bad:
        store.change_shot(project.id, "001", shot.id, lambda s: {"duration": -1})
    assert "duration" in str(bad.value)
    with pytest.raises(NotFoundError):
        store.change_shot(project.id, "001", "shot-000000000000", lambda s: {"notes": "x"})
    after = snapshot(workspace)
    assert {k: v for k, v in after.items() if ".locks" not in k} == {
        k: v for k, v in before.items() if ".locks" not in k
    }


# -- what a render records ------------------------------------------------------------------------------


def test_a_render_records_exactly_what_was_sent(
    render: Callable[[], RenderJob],
    store: Store,
    project: Project,
    shot: Shot,
    fake: FakeComfyUI,
) -> None:
    edit(store, project, shot, {"negative_prompt": "blurry"})
    job = render()
    saved = reread(store, project, shot)
    (take,) = takes(saved)
    assert take.image == job.image and take.source == "render"
    assert take.seed == 1234 and take.workflow == "built-in" and take.server == fake.url
    assert take.rendered_at is not None and take.prompt_id == job.prompt_id
    assert take.inputs == TakeInputs(
        prompt="storm over the bay",
        negative_prompt="blurry",
        generation={
            "checkpoint": CKPT,
            "steps": 4,
            "cfg_scale": 7.0,
            "sampler": "euler",
            "scheduler": "normal",
            "seed": 1234,
            "width": 64,
            "height": 64,
            "denoise": 1.0,
        },
        workflow="built-in",
        server=fake.url,
    )
    assert take.fingerprint == fingerprint(saved)
    # The graph posted carries the very values recorded.
    (post,) = [r for r in fake.requests_to("/prompt") if r.method == "POST"]
    graph = json.loads(post.body)["prompt"]
    assert graph["6"]["inputs"]["text"] == take.inputs.prompt
    assert graph["7"]["inputs"]["text"] == take.inputs.negative_prompt
    assert graph["3"]["inputs"]["seed"] == take.inputs.generation["seed"]
    assert graph["3"]["inputs"]["cfg"] == take.inputs.generation["cfg_scale"]
    # On disk: the current frame carries the same record as its take.
    raw = json.loads(store.sequence_path(project.id, "001").read_text("utf-8"))["shots"][0]
    assert raw["render"]["inputs"] == raw["render"]["versions"][0]["inputs"]
    assert raw["render"]["versions"][0]["source"] == "render"
    assert "original_name" not in raw["render"]["versions"][0]


def test_a_random_seed_is_recorded_as_used(
    render: Callable[[], RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    edit(store, project, shot, {"generation": {"seed": -1}})
    job = render()
    take = current_take(reread(store, project, shot))
    assert take is not None and take.inputs is not None
    assert take.inputs.generation["seed"] == take.seed == job.seed and job.seed != -1
    assert not is_stale(reread(store, project, shot)), "a new random seed is not a change"


def test_take_inputs_is_every_setting_with_the_seed_used(shot: Shot) -> None:
    inputs = take_inputs(shot, seed=77, workflow="portrait", server="http://gpu.invalid:8188")
    assert inputs["generation"]["seed"] == 77 and "workflow" not in inputs["generation"]
    assert set(inputs["generation"]) == set(shot.generation.model_dump()) - {"workflow"}
    assert (inputs["workflow"], inputs["server"]) == ("portrait", "http://gpu.invalid:8188")


def test_old_takes_without_inputs_are_still_read(
    store: Store, project: Project, shot: Shot
) -> None:
    old = {
        "image": "renders/x/old.png",
        "server": "http://old.invalid",
        "prompt_id": "p1",
        "seed": 5,
        "workflow": "built-in",
        "rendered_at": "2026-11-01T10:00:00.000000Z",
    }
    hand = {"image": "hand.png", "seed": 9}
    edit(store, project, shot, {"render": {**old, "versions": [old, hand]}})
    saved = reread(store, project, shot)
    first, second = takes(saved)
    assert (first.source, first.seed, first.inputs, first.fingerprint) == ("render", 5, None, None)
    assert second.image == "hand.png"
    assert not is_stale(saved), "nothing known to compare with"
    assert diff_summary(first, second) == "seed 5 → 9", "what both recorded is compared"


# -- stale ---------------------------------------------------------------------------------------------


def test_stale_when_inputs_change_and_not_for_other_fields(
    render: Callable[[], RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    assert not is_stale(shot), "no frame: nothing to be stale"
    render()
    assert not is_stale(reread(store, project, shot))
    for patch in ({"title": "New title"}, {"notes": "n"}, {"duration": 3}, {"status": "review"}):
        assert not is_stale(edit(store, project, shot, patch)), patch
    for patch, undo in (
        ({"prompt": "storm over the bay, heavy rain"}, {"prompt": "storm over the bay"}),
        ({"negative_prompt": "blurry"}, {"negative_prompt": ""}),
        ({"generation": {"cfg_scale": 5.5}}, {"generation": {"cfg_scale": 7}}),
        ({"generation": {"seed": 456}}, {"generation": {"seed": 1234}}),
        ({"generation": {"checkpoint": "xl.safetensors"}}, {"generation": {"checkpoint": CKPT}}),
        ({"generation": {"workflow": "portrait"}}, {"generation": {"workflow": ""}}),
        ({"generation": {"width": 128}}, {"generation": {"width": 64}}),
    ):
        assert is_stale(edit(store, project, shot, patch)), patch
        assert not is_stale(edit(store, project, shot, undo)), undo
    edit(store, project, shot, {"prompt": "changed"})
    seq = store.read_sequence(project.id, "001")
    assert [s.id for s in stale_shots(seq.shots)] == [shot.id]


def test_a_fingerprint_takes_any_setting_a_file_may_hold(shot: Shot) -> None:
    odd = Shot.model_validate(
        {**shot.model_dump(mode="json"), "prompt": "\ud800", "generation": {"huge": 2**70}}
    )
    assert fingerprint(odd) != fingerprint(shot)
    assert len(fingerprint(odd)) == 64


def test_an_upload_is_never_stale(store: Store, project: Project, shot: Shot) -> None:
    upload_take(store, project.id, "001", shot.id, image_bytes("PNG"), "board.png")
    assert not is_stale(edit(store, project, shot, {"prompt": "something else"}))


# -- the diff of two takes ------------------------------------------------------------------------------


def a_take(prompt: str, **generation: Any) -> Take:
    settings = {"checkpoint": CKPT, "steps": 20, "cfg_scale": 7.0, "seed": 123, **generation}
    return Take(
        image=f"renders/s/{len(prompt)}.png",
        inputs=TakeInputs(
            prompt=prompt, generation=settings, workflow="built-in", server="http://a.invalid"
        ),
    )


def test_the_diff_reads_as_words_added_and_values_changed() -> None:
    old = a_take("storm over the bay")
    new = a_take("storm over the bay, heavy rain", seed=456, cfg_scale=5.5)
    assert diff_summary(old, new) == "prompt: + heavy rain · CFG 7 → 5.5 · seed 123 → 456"
    assert word_diff("storm over the bay", "storm over the bay, heavy rain") == (
        ("=", "storm over the bay"),
        ("+", ", heavy rain"),
    )
    assert diff_summary(a_take("a calm sea at dawn"), a_take("a sea at dawn")) == "prompt: − calm"
    assert diff_summary(old, old) == "no recorded input differs"
    (change,) = diff_takes(a_take("x"), a_take("x", checkpoint="xl.safetensors"))
    assert (change.label, change.old, change.new) == ("checkpoint", CKPT, "xl.safetensors")


def test_word_diff_keeps_the_words_in_reading_order() -> None:
    old, new = "rain on the roof, at night", "heavy rain on a roof,\n\nat  night"
    runs = word_diff(old, new)
    assert [(op, " ".join(text.split())) for op, text in runs] == [
        ("+", "heavy"),
        ("=", "rain on"),
        ("-", "the"),
        ("+", "a"),
        ("=", "roof, at night"),
    ]
    assert "".join(text for op, text in runs if op != "-") == new  # the new text, exactly
    spaced = diff_takes(a_take("a  b"), a_take("a b"))
    assert [str(c) for c in spaced] == ["prompt: − a  b + a b"], "spacing alone still shows"


def test_a_render_compared_with_an_upload_says_so() -> None:
    upload = Take(image="renders/s/u.png", source="upload", original_name="board.jpg")
    assert diff_summary(a_take("x"), upload) == "source render → upload"


# -- uploads -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("fmt", "suffix"), [("PNG", ".png"), ("JPEG", ".jpg"), ("WEBP", ".webp")])
def test_an_upload_becomes_the_frame_stored_beside_the_renders(
    store: Store, project: Project, shot: Shot, fmt: str, suffix: str
) -> None:
    data = image_bytes(fmt)
    saved = upload_take(store, project.id, "001", shot.id, data, "C:\\boards\\my board.bin")
    take = current_take(saved)
    assert take is not None and take.source == "upload"
    assert take.original_name == "my board.bin"  # the name, not the sender's folders
    assert take.image.startswith(f"renders/{shot.id}/") and take.image.endswith(suffix)
    assert take.inputs is None and take.fingerprint is None and take.rendered_at is not None
    assert (store.project_dir(project.id) / take.image).read_bytes() == data  # kept as it came
    assert reread(store, project, shot) == saved


def refused(store: Store, project: Project, shot: Shot, data: bytes, name: str) -> str:
    """Upload ``data`` as ``name``: it must be refused with nothing written; the message."""
    folder = store.project_dir(project.id)
    before = snapshot(folder)
    with pytest.raises(InvalidDataError) as caught:
        upload_take(store, project.id, "001", shot.id, data, name)
    assert snapshot(folder) == before
    message = str(caught.value)
    assert name in message, message
    return message


def test_mislabelled_files_are_refused_by_what_they_are(
    store: Store, project: Project, shot: Shot
) -> None:
    gif = refused(store, project, shot, image_bytes("GIF"), "frame.png")
    assert "frame.png: a GIF image, not PNG, JPEG or WebP" in gif
    bmp = refused(store, project, shot, image_bytes("BMP"), "frame.webp")
    assert "frame.webp: a BMP image" in bmp
    text = refused(store, project, shot, b"just some notes\n" * 10, "notes.jpg")
    assert "notes.jpg: not an image (PNG, JPEG or WebP expected)" in text
    assert "empty.png: an empty file" in refused(store, project, shot, b"", "empty.png")


def test_broken_files_are_refused(store: Store, project: Project, shot: Shot) -> None:
    png = image_bytes("PNG", (64, 64))
    assert "half.png: a damaged image" in refused(
        store, project, shot, png[: len(png) // 2], "half.png"
    )
    jpeg = image_bytes("JPEG", (64, 64))
    assert "cut.jpg: a damaged image" in refused(store, project, shot, jpeg[:200], "cut.jpg")


def test_huge_files_and_images_are_refused(store: Store, project: Project, shot: Shot) -> None:
    big = refused(store, project, shot, b"\x89PNG\r\n\x1a\n" + b"\0" * (20 * 2**20), "big.png")
    assert "big.png: 20.0 MB; an image can be at most 20 MB" in big
    wide = refused(store, project, shot, image_bytes("PNG", (8200, 8)), "wide.png")
    assert "wide.png: 8200×8 pixels; at most 8192 on a side" in wide
    bomb = refused(store, project, shot, png_claiming(100_000, 100_000), "bomb.png")
    assert "bomb.png: claims far too many pixels" in bomb
    # Above Pillow's warning threshold but below its hard limit: refused the same way.
    almost = refused(store, project, shot, png_claiming(9500, 9500), "almost.png")
    assert "almost.png: claims far too many pixels" in almost


def test_the_largest_allowed_side_is_accepted(store: Store, project: Project, shot: Shot) -> None:
    saved = upload_take(store, project.id, "001", shot.id, image_bytes("PNG", (8192, 4)), "x.png")
    assert saved.render is not None


# -- status and choosing the frame -----------------------------------------------------------------------


def test_a_new_take_of_a_rejected_shot_goes_back_to_review(
    render: Callable[[], RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    edit(store, project, shot, {"status": "rejected"})
    render()
    assert reread(store, project, shot).status == "review"
    edit(store, project, shot, {"status": "rejected"})
    saved = upload_take(store, project.id, "001", shot.id, image_bytes("PNG"), "b.png")
    assert saved.status == "review"
    edit(store, project, shot, {"status": "approved"})
    render()
    assert reread(store, project, shot).status == "approved", "only a rejected shot moves"


def test_use_as_frame_takes_the_whole_record_of_that_take(
    render: Callable[[], RenderJob], store: Store, project: Project, shot: Shot
) -> None:
    upload = upload_take(store, project.id, "001", shot.id, image_bytes("PNG"), "b.png")
    render()
    edit(store, project, shot, {"status": "rejected"})
    board = current_take(upload)
    assert board is not None
    chosen = use_render_version(store, project.id, "001", shot.id, board.image)
    assert chosen.status == "rejected", "choosing a frame is not a new take"
    assert current_take(chosen) == board
    assert chosen.render is not None
    assert chosen.render.model_dump().get("fingerprint") is None  # not the render's, left over
    assert len(takes(chosen)) == 2
    with pytest.raises(NotFoundError, match="no take"):
        use_render_version(store, project.id, "001", shot.id, "renders/nope.png")


# -- no take lost --------------------------------------------------------------------------------------

TAKERS = 4
TAKES_EACH = 25

RECORDER = r"""
import sys
from storyboard_core import Store, record_takes
from storyboard_core.takes import Take

workspace, project, shot_id, i, count = sys.argv[1], sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
store = Store(workspace)
print("ready", flush=True)
sys.stdin.readline()  # start together
for n in range(count):
    take = Take(image=f"renders/{shot_id}/p{i}-{n}.png", prompt_id=f"p{i}-{n}", seed=n)
    record_takes(store, project, "001", shot_id, [take])
"""


@pytest.mark.slow
def test_four_processes_recording_takes_on_one_shot_lose_none(
    store: Store, project: Project, shot: Shot
) -> None:
    run_together(
        RECORDER,
        [[str(store.root), project.id, shot.id, str(i), str(TAKES_EACH)] for i in range(TAKERS)],
    )
    saved = reread(store, project, shot)
    images = [t.image for t in takes(saved)]
    assert len(images) == TAKERS * TAKES_EACH
    expected = {f"renders/{shot.id}/p{i}-{n}.png" for i in range(TAKERS) for n in range(TAKES_EACH)}
    assert set(images) == expected
    for i in range(TAKERS):  # each process's takes in the order it recorded them
        mine = [im for im in images if f"/p{i}-" in im]
        assert mine == [f"renders/{shot.id}/p{i}-{n}.png" for n in range(TAKES_EACH)]
    assert saved.render is not None and saved.render.image == images[-1]
    assert store.validate(project.id) == []


def test_keys_a_take_does_not_know_are_kept_when_takes_are_added(
    store: Store, project: Project, shot: Shot
) -> None:
    odd = {"image": "renders/x/odd.png", "source": "ai-upscale", "seed": "n/a", "by": "tool"}
    edit(store, project, shot, {"render": {"image": odd["image"], "versions": [odd]}})
    assert [t.image for t in takes(reread(store, project, shot))] == [odd["image"]]  # still shown
    upload_take(store, project.id, "001", shot.id, image_bytes("PNG"), "b.png")
    raw = json.loads(store.sequence_path(project.id, "001").read_text("utf-8"))["shots"][0]
    assert raw["render"]["versions"][0] == odd, "an earlier take is never rewritten"
    assert len(raw["render"]["versions"]) == 2
