"""The example video workflow shipped with the package loads as a user's workflow and says what it
needs: its frame rule, its placeholders and the models a server must have."""

from __future__ import annotations

import shutil
from pathlib import Path

import storyboard_core
from storyboard_core.comfyui.capabilities import requirements
from storyboard_core.comfyui.workflows import (
    PLACEHOLDERS,
    list_workflows,
    load_workflow_file,
    used_placeholders,
    video_values,
    workflows_dir,
)

EXAMPLE = Path(storyboard_core.__file__).parent / "examples" / "workflows" / "wan2.1-i2v.json"
README = Path(__file__).parents[3] / "README.md"


def test_the_example_loads_from_the_workflows_folder(workspace: Path) -> None:
    folder = workflows_dir(workspace)
    folder.mkdir()
    shutil.copy(EXAMPLE, folder)
    (info,) = list_workflows(workspace)
    assert info.ok and info.name == "wan2.1-i2v"
    loaded = load_workflow_file(workspace, info.name)
    assert "storyboard" not in loaded.graph
    assert video_values(loaded, 5.0) == {"fps": 16, "frames": 81}  # 80 snapped to 4n+1
    assert video_values(loaded, 2.0) == {"fps": 16, "frames": 33}
    used = used_placeholders(loaded.graph)
    assert {"fps", "frames", "init_image", "prompt"} <= used
    assert {f"{{{{{name}}}}}" for name in used} <= set(PLACEHOLDERS)
    needs = requirements(loaded.graph)
    assert {"WanImageToVideo", "SaveVideo", "CreateVideo"} <= needs.nodes
    folders = {m.file: m.folder for m in needs.models}
    assert folders["wan2.1_i2v_480p_14B_fp8_e4m3fn.safetensors"] == "diffusion_models"
    assert folders["wan_2.1_vae.safetensors"] == "vae"


def test_the_readme_points_at_the_example() -> None:
    text = README.read_text("utf-8")
    assert "### Video workflows" in text
    assert "storyboard_core/examples/workflows/wan2.1-i2v.json" in text
