"""The fake's video save nodes agree with the recordings (names, history, run-time errors)."""

from __future__ import annotations

from typing import Any

import pytest

from storyboard_core.comfyui.outputs import output_files
from storyboard_core.media.video import ClipExpectation, check_clip

from .recorded import transcript
from .video_nodes import (
    VIDEO_SAVE_NODES,
    RunError,
    check_runtime_values,
    history_output,
    save_video,
    saved_name,
    video_object_info,
)

#: Each recorded save: history prefix, node type.
RECORDED = {
    "106": "SaveVideo",
    "111": "SaveWEBM",
    "115": "SaveAnimatedWEBP",
    "119": "SaveAnimatedPNG",
}


def recorded_entry(prefix: str) -> dict[str, Any]:
    (entry,) = transcript(prefix)["json"].values()
    return dict(entry)


@pytest.mark.parametrize("prefix", sorted(RECORDED))
def test_names_and_history_as_recorded(prefix: str) -> None:
    entry = recorded_entry(prefix)
    (node,) = entry["outputs"]
    graph_node = entry["prompt"][2][node]
    assert graph_node["class_type"] == RECORDED[prefix]
    filename, subfolder = saved_name(
        graph_node["inputs"]["filename_prefix"], 1, VIDEO_SAVE_NODES[RECORDED[prefix]]
    )
    assert {node: history_output(filename, subfolder)} == entry["outputs"]


@pytest.mark.parametrize("node_type", sorted(VIDEO_SAVE_NODES))
def test_each_node_writes_a_clip_the_core_keeps(node_type: str) -> None:
    data, suffix = save_video(
        node_type, {"format": "auto", "codec": "auto"}, frames=24, fps=24, width=320, height=192
    )
    clip = check_clip(data, f"x.{suffix}", ClipExpectation(fps=24, width=320, height=192))
    assert clip.suffix == f".{suffix}" and clip.frames == 24
    filename, subfolder = saved_name("video/x", 1, suffix)
    (found,) = output_files({"outputs": {"3": history_output(filename, subfolder)}})
    assert found.kind == "video"


def test_a_bad_format_fails_while_running_as_recorded() -> None:
    error = next(
        m["msg"]["data"]
        for m in transcript("145")["messages"]
        if m["msg"]["type"] == "execution_error"
    )
    with pytest.raises(RunError) as caught:
        check_runtime_values("SaveVideo", {"format": "webm", "codec": "auto"})
    assert (caught.value.node_type, caught.value.exception_type) == (
        error["node_type"],
        error["exception_type"],
    )
    assert caught.value.exception_message == error["exception_message"]


def test_the_recorded_video_nodes_are_offered() -> None:
    info = video_object_info()
    assert set(VIDEO_SAVE_NODES) <= set(info)
    assert {"CreateVideo", "WanImageToVideo", "UNETLoader"} <= set(info)
