"""The player: slides from a project, frames scaled and cached, and one self-contained document."""

from __future__ import annotations

import base64
import io
import json
import re
from pathlib import Path

import pytest
from PIL import Image

import storyboard_core.player.document as player_module
from storyboard_core import Project, Store
from storyboard_core.media import frames
from storyboard_core.media.frames import CACHE_DIR, STAGE, THUMB
from storyboard_core.player.document import (
    Slide,
    player_document,
    player_js,
    project_slides,
    sequence_slides,
    slides_stamp,
)

HOSTILE = "</script><img src=x onerror=alert(1)><!-- & \u2028 **bold** {{x}}"


def render(store: Store, project: str, seq: str, n: int, image: str, **fields: object) -> str:
    """Record ``image`` (a path inside the project) as shot ``n``'s frame; return the shot id."""
    shot = store.read_shots(project, seq)[n]
    store.update_shot(
        project,
        seq,
        shot.id,
        {"render": {"image": image}, **fields},
        base_updated_at=shot.updated_at,
    )
    return shot.id


def picture(path: Path, size: tuple[int, int], mode: str = "RGB") -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.new(mode, size, (200, 40, 40, 128) if mode == "RGBA" else (200, 40, 40)).save(path)
    return path


def decoded(uri: str) -> Image.Image:
    prefix = "data:image/jpeg;base64,"
    assert uri.startswith(prefix)
    return Image.open(io.BytesIO(base64.b64decode(uri[len(prefix) :])))


def embedded(document: str) -> dict[str, object]:
    """The slides JSON as the page's script reads it."""
    found = re.search(
        r'<script type="application/json" id="storyboard-slides">(.*?)</script>', document, re.S
    )
    assert found, "no slides block"
    data: dict[str, object] = json.loads(found.group(1))
    return data


# --------------------------------------------------------------------------- slides
def test_a_sequence_gives_one_slide_per_shot_in_order(store: Store, project: Project) -> None:
    seq = store.read_sequence(project.id, "002")
    slides = sequence_slides(store, project.id, "002")
    assert [s.shot for s in slides] == [s.id for s in seq.shots]
    assert [s.number for s in slides] == [1, 2, 3, 4]
    assert {(s.seq, s.seq_name, s.duration) for s in slides} == {("002", seq.name, 15.0)}


def test_the_project_gives_every_sequence_in_order(store: Store, project: Project) -> None:
    store.reorder_sequences(project.id, ["003", "001", "002"])
    slides = project_slides(store, project.id)
    assert [s.seq for s in slides] == ["003"] * 4 + ["001"] * 4 + ["002"] * 4


def test_a_broken_sequence_is_left_out_of_the_project(store: Store, project: Project) -> None:
    store.sequence_path(project.id, "002").write_text("{ not json", encoding="utf-8")
    assert [s.seq for s in project_slides(store, project.id)] == ["001"] * 4 + ["003"] * 4


def test_loose_shots_are_a_slide_list_of_their_own(store: Store, project: Project) -> None:
    loose = store.add_shot(project.id, None, {"title": "Insert"})
    slides = sequence_slides(store, project.id, None)
    assert [(s.seq, s.shot, s.title) for s in slides] == [("-", loose.id, "Insert")]


def test_a_shot_without_a_frame_is_a_placeholder(store: Store, project: Project) -> None:
    shot = store.read_shots(project.id, "001")[0]
    store.update_shot(
        project.id,
        "001",
        shot.id,
        {"title": "Harbour", "prompt": "boats at dusk", "notes": "slow"},
        base_updated_at=shot.updated_at,
    )
    slide = sequence_slides(store, project.id, "001")[0]
    assert (slide.image, slide.thumb, slide.missing) == ("", "", "")
    assert (slide.title, slide.prompt, slide.notes) == ("Harbour", "boats at dusk", "slow")


# --------------------------------------------------------------------------- frames
def test_a_frame_is_inlined_at_stage_and_thumbnail_size(store: Store, project: Project) -> None:
    folder = store.project_dir(project.id)
    picture(folder / "renders" / "a" / "big.png", (3000, 2000), "RGBA")
    render(store, project.id, "001", 0, "renders/a/big.png")
    slide = sequence_slides(store, project.id, "001")[0]
    stage, thumb = decoded(slide.image), decoded(slide.thumb)
    assert stage.size == (1620, 1080)  # fits 1920×1080, the aspect ratio kept
    assert thumb.size == (270, 180)
    assert stage.mode == "RGB"


def test_frames_are_cached_on_disk_out_of_git(
    store: Store, project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = store.project_dir(project.id)
    source = picture(folder / "renders" / "a" / "f.png", (800, 450))
    render(store, project.id, "001", 0, "renders/a/f.png")
    first = sequence_slides(store, project.id, "001")[0]
    cached = sorted((folder / CACHE_DIR / "frames").iterdir())
    assert len(cached) == 2  # stage and thumbnail
    assert (folder / CACHE_DIR / ".gitignore").read_text().splitlines()[-1] == "*"

    def no_encoding(image: Path, size: frames.FrameSize) -> bytes:
        raise AssertionError("a cached frame was encoded again")

    monkeypatch.setattr(frames, "_scaled_jpeg", no_encoding)
    assert sequence_slides(store, project.id, "001")[0] == first

    monkeypatch.undo()
    picture(source, (400, 400))  # a new frame in the same file: a new cache entry
    again = sequence_slides(store, project.id, "001")[0]
    assert decoded(again.image).size == (400, 400)
    assert len(list((folder / CACHE_DIR / "frames").iterdir())) == 4


def test_an_unreadable_frame_says_why_and_shows_the_placeholder(
    store: Store, project: Project
) -> None:
    folder = store.project_dir(project.id)
    (folder / "renders").mkdir()
    (folder / "renders" / "broken.png").write_bytes(b"\x89PNG not really")
    render(store, project.id, "001", 0, "renders/broken.png")
    render(store, project.id, "001", 1, "renders/gone.png")
    render(store, project.id, "001", 2, "../../outside.png")
    broken, gone, outside = sequence_slides(store, project.id, "001")[:3]
    assert broken.image == "" and "broken.png: not a readable image" in broken.missing
    assert gone.image == "" and "renders/gone.png is missing or outside" in gone.missing
    assert outside.image == "" and "../../outside.png is missing or outside" in outside.missing


def test_the_stamp_changes_when_the_sequence_is_saved(store: Store, project: Project) -> None:
    before = slides_stamp(store, project.id, "001")
    render(store, project.id, "001", 0, "renders/x.png")
    assert slides_stamp(store, project.id, "001") != before
    assert slides_stamp(store, project.id, None) == slides_stamp(store, project.id, None)


def test_sizes_are_screen_and_strip_sized() -> None:
    assert (STAGE.width, STAGE.height) == (1920, 1080)
    assert THUMB.width <= 320


# --------------------------------------------------------------------------- the document
def slide(**fields: object) -> Slide:
    base: dict[str, object] = {
        "seq": "001",
        "seq_name": "Harbour",
        "shot": "shot-1",
        "number": 1,
        "title": "Dusk",
        "duration": 2.5,
    }
    return Slide.model_validate({**base, **fields})


def test_hostile_text_reaches_the_document_only_as_json_text() -> None:
    document = player_document(
        [slide(title=HOSTILE, prompt=HOSTILE, notes=HOSTILE, seq_name=HOSTILE)], title=HOSTILE
    )
    assert "<img" not in document
    assert "onerror=alert" in document  # there, but only as escaped JSON text
    assert document.count("</script>") == 2  # the slides block and the script, nothing else
    assert "<!--" not in document
    assert "<title>&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;" in document
    data = embedded(document)
    assert data["slides"] == [
        slide(title=HOSTILE, prompt=HOSTILE, notes=HOSTILE, seq_name=HOSTILE).model_dump()
    ]


def test_the_script_inserts_text_only_as_text() -> None:
    script = player_js()
    for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval("):
        assert sink not in script, sink
    assert "textContent" in script


def test_the_document_requests_nothing(store: Store, project: Project) -> None:
    folder = store.project_dir(project.id)
    picture(folder / "renders" / "a" / "f.png", (640, 360))
    render(store, project.id, "001", 0, "renders/a/f.png")
    document = player_document(project_slides(store, project.id), title="Orage")
    assert document.count("data:image/jpeg;base64,") == 2  # the stage image and its thumbnail
    text = re.sub(r"data:image/jpeg;base64,[A-Za-z0-9+/=]+", "", document)
    assert re.search(r"https?:|//[a-z0-9]", text, re.I) is None
    for fetching in ("@import", "url(", "<link", " src=", "fetch(", "XMLHttpRequest", "WebSocket"):
        assert fetching not in text, fetching
    assert "default-src 'none'" in document  # and the browser is told so


def test_the_document_starts_on_the_shot_asked_for() -> None:
    slides = [slide(shot="shot-1"), slide(shot="shot-2", number=2)]
    data = embedded(player_document(slides, start="shot-2"))
    assert data["start"] == "shot-2"
    assert [s["shot"] for s in data["slides"]] == ["shot-1", "shot-2"]  # type: ignore[attr-defined]


def test_an_empty_storyboard_still_makes_a_document() -> None:
    document = player_document([])
    assert embedded(document)["slides"] == []
    assert "createPlayer(" in document


def test_extensions_follow_the_player_in_name_order() -> None:
    assets = Path(player_module.__file__).parent / "assets"
    made = [assets / "player-zz-test.js", assets / "player-aa-test.js"]
    try:
        for path in made:
            path.write_text(f"registerPlayerExtension(() => {{}}); // {path.name}\n", "utf-8")
        player_js.cache_clear()
        script = player_js()
        assert script.index("function createPlayer(") < script.index("player-aa-test.js")
        assert script.index("player-aa-test.js") < script.index("player-zz-test.js")
    finally:
        for path in made:
            path.unlink(missing_ok=True)
        player_js.cache_clear()
    assert "player-aa-test.js" not in player_js()
