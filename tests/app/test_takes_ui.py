"""Takes in the app: two takes compared side by side with the diff of their inputs, either picked as
the frame; an image uploaded as a take (and broken or mislabelled ones refused by name); stale shots
marked on the card and in the editor, and "Render stale" rendering just those."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

from PIL import Image
from streamlit.testing.v1 import AppTest

from storyboard_core import BUILTIN, Project, Renderer, Shot, Store, current_take, is_stale, takes
from storyboard_core.models import now
from storyboard_core.takes import record_takes, render_take, take_inputs
from tests.fake_comfyui.server import FakeComfyUI
from ui.frame.registry import SEQUENCE, SHOT
from ui.frame.text import html, md

from . import test_render_ui as render_ui
from .conftest import OpenPage, storyboard_view
from .test_render_ui import captions, ok, prepare, rerun_until, wait_done

# The app with a fake ComfyUI as its server, and the app's renderer: the render tests' fixtures.
app, fake, renderer = render_ui.app, render_ui.fake, render_ui.renderer

HOSTILE = "**bold**\n\n![x](http://pixel.invalid/x.png) <script>alert(1)</script>"


def png(colour: tuple[int, int, int] = (10, 120, 200), fmt: str = "PNG") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 18), colour).save(out, format=fmt)
    return out.getvalue()


def take_of(store: Store, project: str, shot_id: str, name: str, patch: dict[str, Any]) -> Shot:
    """Change the shot by ``patch``, then record a take of it (an image on disk, inputs recorded)."""
    shot = store.update_shot(project, "001", shot_id, patch)
    image = f"renders/{shot_id}/{name}.png"
    path = store.project_dir(project) / image
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(png())
    inputs = take_inputs(
        shot, seed=shot.generation.seed, workflow=BUILTIN, server="http://gpu.invalid:8188"
    )
    made = render_take(shot, inputs, image=image, prompt_id=name, at=now())
    return record_takes(store, project, "001", shot_id, [made])


def first_shot(store: Store, demo: Project) -> Shot:
    return store.read_shots(demo.id, "001")[0]


def editor(open_page: OpenPage, demo: Project, shot: Shot) -> AppTest:
    return ok(open_page(SHOT, project=demo.id, seq="001", shot=shot.id))


def diff_blocks(at: AppTest) -> list[str]:
    return [m.value for m in at.main.markdown if "line-height:1.8" in m.value]


# -- compare -------------------------------------------------------------------------------------------


def test_two_takes_compared_side_by_side_and_either_picked(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = first_shot(store, demo)
    base = {"generation": {"seed": 123, "cfg_scale": 7}}
    take_of(store, demo.id, shot.id, "a", {"prompt": "storm over the bay", **base})
    later = {"generation": {"seed": 456, "cfg_scale": 5.5}}
    take_of(store, demo.id, shot.id, "b", {"prompt": "storm over the bay, heavy rain", **later})
    image_a, image_b = (t.image for t in takes(store.read_shot(demo.id, "001", shot.id)))
    at = editor(open_page, demo, shot)

    # By default the current take (B) is compared with the one before it (A).
    assert at.selectbox(key=f"cmp_a:{shot.id}:2").value == image_a
    assert at.selectbox(key=f"cmp_b:{shot.id}:2").value == image_b
    summary = md("prompt: + heavy rain · CFG 7 → 5.5 · seed 123 → 456")
    assert summary in captions(at)
    (block,) = diff_blocks(at)
    assert f">{html(', heavy rain')}</ins>" in block and ">7</del> → <ins" in block
    assert at.button(key=f"cmp_use_b:{shot.id}").disabled  # B is the frame
    assert len(at.main.image) >= 3  # the frame, and both takes side by side

    ok(at.button(key=f"cmp_use_a:{shot.id}").click().run())
    saved = store.read_shot(demo.id, "001", shot.id)
    assert saved.render is not None and saved.render.image == image_a
    assert len(takes(saved)) == 2
    assert at.button(key=f"cmp_use_a:{shot.id}").disabled
    # A is the frame now, and the shot asks for B's inputs: it is stale, and says what changed.
    assert any("Stale" in w.value and "heavy rain" in w.value for w in at.main.warning)

    ok(at.selectbox(key=f"cmp_a:{shot.id}:2").set_value(image_b).run())
    assert "The same take on both sides." in captions(at)
    assert diff_blocks(at) == []


def test_hostile_prompts_are_shown_as_text_in_the_compare_view(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = first_shot(store, demo)
    take_of(store, demo.id, shot.id, "a", {"prompt": "calm"})
    take_of(store, demo.id, shot.id, "b", {"prompt": f"calm {HOSTILE}"})
    at = editor(open_page, demo, shot)
    (block,) = diff_blocks(at)
    assert "<script>" not in block and html("<script>alert(1)</script>") in block
    # One HTML block, without a line break that would let Markdown parse the image after it.
    assert "\n" not in block
    assert html("**bold**") + "<br><br>" + html("![x](http://pixel.invalid/x.png)") in block
    assert md(f"prompt: + {HOSTILE}") in captions(at)


def test_old_takes_compare_by_what_they_recorded(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = first_shot(store, demo)
    folder = store.project_dir(demo.id) / "renders" / shot.id
    folder.mkdir(parents=True)
    old = [
        {"image": f"renders/{shot.id}/{n}.png", "seed": seed, "workflow": "built-in"}
        for n, seed in (("one", 1), ("two", 2))
    ]
    for take in old:
        (store.project_dir(demo.id) / take["image"]).write_bytes(png())
    store.update_shot(demo.id, "001", shot.id, {"render": {**old[1], "versions": old}})
    at = editor(open_page, demo, shot)
    assert md("seed 1 → 2") in captions(at)
    assert not any("Stale" in w.value for w in at.main.warning)


# -- upload --------------------------------------------------------------------------------------------


def test_an_uploaded_image_becomes_a_take_and_the_frame(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = store.update_shot(demo.id, "001", first_shot(store, demo).id, {"status": "rejected"})
    at = editor(open_page, demo, shot)
    data = png(fmt="JPEG")
    uploader = at.file_uploader(key=f"upload:{shot.id}:0")
    ok(uploader.set_value(("board sketch.jpg", data, "image/jpeg")).run())
    saved = store.read_shot(demo.id, "001", shot.id)
    take = current_take(saved)
    assert take is not None and take.source == "upload" and take.original_name == "board sketch.jpg"
    assert (store.project_dir(demo.id) / take.image).read_bytes() == data
    assert take.image.startswith(f"renders/{shot.id}/") and take.image.endswith(".jpg")
    assert saved.status == "review", "a new take of a rejected shot goes back to review"
    assert md("Uploaded · board sketch.jpg") in captions(at)
    assert [t.value for t in at.toast] == [md("Added board sketch.jpg as a take")]
    # A fresh uploader: the same file is not added twice on the next rerun.
    assert at.file_uploader(key=f"upload:{shot.id}:1").value is None
    ok(at.run())
    assert len(takes(store.read_shot(demo.id, "001", shot.id))) == 1


def test_a_mislabelled_or_broken_upload_is_refused_by_name(
    demo: Project,
    store: Store,
    open_page: OpenPage,
    snapshot: Callable[[], dict[str, bytes]],
) -> None:
    shot = first_shot(store, demo)
    at = editor(open_page, demo, shot)
    before = snapshot()
    uploader = at.file_uploader(key=f"upload:{shot.id}:0")
    ok(uploader.set_value(("frame.png", png(fmt="GIF"), "image/png")).run())
    uploader = at.file_uploader(key=f"upload:{shot.id}:0")  # the same one: nothing was added
    errors = [e.value for e in at.main.error]
    assert md("frame.png: a GIF image, not PNG, JPEG or WebP") in errors, errors
    ok(uploader.set_value(("notes.jpg", b"not a picture at all", "image/jpeg")).run())
    errors = [e.value for e in at.main.error]
    assert md("notes.jpg: not an image (PNG, JPEG or WebP expected)") in errors, errors
    assert snapshot() == before
    assert not (store.project_dir(demo.id) / "renders").exists()


# -- stale ---------------------------------------------------------------------------------------------


def test_stale_shots_are_marked_and_render_stale_renders_just_those(
    demo: Project,
    store: Store,
    fake: FakeComfyUI,
    renderer: Renderer,
    open_page: OpenPage,
) -> None:
    first, second, *_ = store.read_shots(demo.id, "001")
    for shot in (first, second):
        prepare(store, demo.id, "001", shot.id)
        take_of(store, demo.id, shot.id, "old", {"generation": {"seed": 7}})
    store.update_shot(demo.id, "001", second.id, {"prompt": "the prompt changed"})
    assert [is_stale(s) for s in store.read_shots(demo.id, "001")[:2]] == [False, True]

    at = ok(storyboard_view(open_page(SEQUENCE, project=demo.id, seq="001")))
    stale_cards = [c for c in captions(at) if "⚠️ stale" in c]
    assert len(stale_cards) == 1 and stale_cards[0].startswith(f"#{second.position} ")
    button = at.button(key="render_stale")
    assert button.label == "Render stale (1)" and not button.disabled
    ok(button.click().run())
    job = wait_done(renderer, demo.id, "001", second.id)
    assert job.state == "done", job.message
    assert [j.shot_id for j in renderer.jobs(demo.id, "001")] == [second.id]
    saved = store.read_shot(demo.id, "001", second.id)
    assert not is_stale(saved) and len(takes(saved)) == 2
    rerun_until(at, lambda a: a.button(key="render_stale").disabled, "no stale shot left")
    assert at.button(key="render_stale").label == "Render stale (0)"
    assert not any("⚠️ stale" in c for c in captions(at))
    assert len(fake.requests_to("/prompt")) == 1


def test_the_editor_says_a_shot_is_stale_and_what_changed(
    demo: Project, store: Store, open_page: OpenPage
) -> None:
    shot = first_shot(store, demo)
    take_of(store, demo.id, shot.id, "a", {"prompt": "storm", "generation": {"steps": 20}})
    at = editor(open_page, demo, shot)
    assert not any("Stale" in w.value for w in at.main.warning)
    store.update_shot(demo.id, "001", shot.id, {"generation": {"steps": 30}})
    ok(at.run())
    (warning,) = [w.value for w in at.main.warning if "Stale" in w.value]
    assert md("steps 20 → 30") in warning
