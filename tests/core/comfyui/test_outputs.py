"""Video outputs in ``/history`` as ComfyUI 0.3.64 recorded them, and fetching a clip with ``/view``."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from storyboard_core.comfyui.client import ComfyUIClient
from storyboard_core.comfyui.outputs import (
    OutputFile,
    expected_clip,
    fetch_clip,
    kept_outputs,
    output_files,
)
from storyboard_core.errors import RenderFailedError
from storyboard_core.media.video import ClipExpectation
from tests.fake_comfyui.recorded import transcript
from tests.fake_comfyui.video_clips import video_clip

#: Each recorded video node's history (prefix), and the file it reported.
RECORDED = {
    "106": ("SaveVideo", "clip_00001_.mp4", "video"),
    "111": ("SaveWEBM", "clip_webm_00001_.webm", "video"),
    "115": ("SaveAnimatedWEBP", "anim_webp_00001_.webp", ""),
    "119": ("SaveAnimatedPNG", "anim_png_00001_.png", ""),
    "123": ("SaveVideo two-colour", "twocolour_00001_.mp4", "video"),
    "126": ("SaveAnimatedWEBP two-colour", "anim_webp_two_colour_00001_.webp", ""),
    "129": ("SaveAnimatedPNG two-colour", "anim_png_two_colour_00001_.png", ""),
}


def history(prefix: str) -> dict[str, Any]:
    body: dict[str, Any] = transcript(prefix)["json"]
    (entry,) = body.values()
    return entry


@pytest.mark.parametrize("prefix", sorted(RECORDED))
def test_every_recorded_video_node_reports_a_clip(prefix: str) -> None:
    entry = history(prefix)
    (found,) = output_files(entry)
    assert found.kind == "video"
    assert found.type == "output"
    # The file as recorded (the name is checked against the history itself, not guessed).
    ((node, node_output),) = entry["outputs"].items()
    assert node_output["animated"] == [True]
    (item,) = node_output["images"]
    assert (found.filename, found.subfolder, found.node) == (
        item["filename"],
        item["subfolder"],
        node,
    )
    assert kept_outputs(entry) == [found]


def test_the_recorded_names_are_the_expected_ones() -> None:
    for prefix, (_, name, subfolder) in RECORDED.items():
        (found,) = output_files(history(prefix))
        assert found.where == (f"{subfolder}/{name}" if subfolder else name), prefix


def test_a_still_image_is_an_image_and_a_failed_run_has_no_files() -> None:
    (still,) = output_files(history("23"))
    assert still.kind == "image" and still.filename.endswith(".png")
    assert output_files(history("146")) == []


def test_video_helper_suite_reports_clips_under_gifs() -> None:
    entry = {
        "outputs": {
            "9": {
                "gifs": [
                    {
                        "filename": "AnimateDiff_00001.mp4",
                        "subfolder": "",
                        "type": "output",
                        "format": "video/h264-mp4",
                        "frame_rate": 8.0,
                    }
                ]
            }
        }
    }
    assert output_files(entry) == [OutputFile("AnimateDiff_00001.mp4", "", "output", "video", "9")]


def test_kept_outputs_prefer_saved_files_and_clips_first() -> None:
    entry = {
        "outputs": {
            "1": {"images": [{"filename": "poster.png", "subfolder": "", "type": "output"}]},
            "2": {
                "images": [{"filename": "c.mp4", "subfolder": "v", "type": "output"}],
                "animated": [True],
            },
            "3": {"images": [{"filename": "preview.png", "subfolder": "", "type": "temp"}]},
            "4": "not an output",
            "5": {"images": [{"subfolder": "no file name"}]},
        }
    }
    assert [f.filename for f in kept_outputs(entry)] == ["c.mp4", "poster.png"]
    previews = {"outputs": {"3": entry["outputs"]["3"]}}
    assert [f.filename for f in kept_outputs(previews)] == ["preview.png"]


def test_a_video_suffix_is_a_clip_even_without_the_flag() -> None:
    entry = {"outputs": {"1": {"images": [{"filename": "x.WEBM", "type": "output"}]}}}
    assert output_files(entry)[0].kind == "video"


# --- fetching ---------------------------------------------------------------------------------------


def serving(body: bytes, status: int = 200) -> ComfyUIClient:
    transport = httpx.MockTransport(lambda request: httpx.Response(status, content=body))
    return ComfyUIClient("http://studio-2:8188", transport=transport)


CLIP = OutputFile("clip_00001_.mp4", "video", "output", "video", "3")


def test_fetch_clip_checks_what_came() -> None:
    data = video_clip("mp4")
    with serving(data) as client:
        body, clip = fetch_clip(client, CLIP, shot_id="sh-1", expect=ClipExpectation(fps=24))
    assert body == data and clip.frames == 24 and clip.suffix == ".mp4"


def test_a_clip_that_cannot_be_kept_names_server_shot_and_file() -> None:
    with serving(b"<html>not a video</html>") as client, pytest.raises(RenderFailedError) as caught:
        fetch_clip(client, CLIP, shot_id="sh-1")
    message = str(caught.value)
    assert message.startswith(
        "ComfyUI at http://studio-2:8188 sent 'video/clip_00001_.mp4' for shot sh-1, "
        "which cannot be kept: not a video"
    )
    assert message.endswith("; nothing was saved")


def test_a_clip_of_the_wrong_fps_names_both_rates() -> None:
    with serving(video_clip("mp4", fps=24)) as client, pytest.raises(RenderFailedError) as caught:
        fetch_clip(client, CLIP, shot_id="sh-1", expect=ClipExpectation(fps=16))
    assert "24 fps, but 16 fps was asked for" in str(caught.value)


def test_a_server_that_cannot_send_the_clip() -> None:
    def refuse(request: httpx.Request) -> httpx.Response:
        raise httpx.ConnectError("connection refused", request=request)

    client = ComfyUIClient("http://studio-2:8188", transport=httpx.MockTransport(refuse))
    with client, pytest.raises(RenderFailedError) as caught:
        fetch_clip(client, CLIP, shot_id="sh-1")
    assert str(caught.value) == (
        "ComfyUI at http://studio-2:8188 rendered shot sh-1 but could not send the clip "
        "'video/clip_00001_.mp4': connection refused; nothing was saved"
    )


def test_only_what_the_graph_takes_from_the_shot_is_expected() -> None:
    values = {"fps": 16.0, "frames": 33, "width": 832, "height": 480}
    wan = {
        "1": {"class_type": "W", "inputs": {"width": "{{width}}", "height": "{{height}}"}},
        "2": {"class_type": "V", "inputs": {"fps": "{{fps}}", "length": "{{frames}}"}},
    }
    assert expected_clip(wan, values) == ClipExpectation(fps=16.0, width=832, height=480, frames=33)
    fixed = {"1": {"class_type": "W", "inputs": {"width": 640, "height": "{{height}}"}}}
    assert expected_clip(fixed, values) == ClipExpectation()
