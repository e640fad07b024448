"""storyboard_core: the data layer of Storyboard Studio.

It owns every byte on disk and every call to ComfyUI; the Streamlit app and the ``storyboard`` CLI are
skins over it, and it never imports Streamlit.

>>> from storyboard_core import Store
>>> store = Store("workspace")                                      # doctest: +SKIP
>>> project = store.create_project("Orage", format_id="court-metrage", shots_per_sequence=3)
"""

from .comfyui.catalog import Catalog, ServerCatalog
from .comfyui.queue import Renderer
from .comfyui.render import RenderJob, render_shot, render_versions, use_render_version
from .comfyui.workflows import BUILTIN, PLACEHOLDERS, WorkflowInfo, list_workflows, load_workflow
from .errors import (
    BrokenFileError,
    ComfyUIError,
    ComfyUIRejectedError,
    ComfyUIUnavailableError,
    ConflictError,
    FieldProblem,
    ImportRefusedError,
    InvalidDataError,
    LockTimeoutError,
    NotFoundError,
    RenderFailedError,
    StoryboardError,
    UnsafePathError,
)
from .formats import CUSTOM, FORMAT_IDS, FORMATS, ProjectFormat, resolve_format
from .models import (
    CAMERA_MOVEMENTS,
    SHOT_STATUSES,
    SHOT_TYPES,
    Generation,
    Project,
    Render,
    Sequence,
    Shot,
)
from .shotlist import ImportPlan, apply_import, plan_import, project_csv
from .store import Finding, Store, Version
from .storycore import ImportReport, import_storycore
from .summaries import ProjectSummary, SequenceSummary, ShotCounts
from .workspace import default_workspace

__all__ = [
    "BUILTIN",
    "CAMERA_MOVEMENTS",
    "CUSTOM",
    "FORMATS",
    "FORMAT_IDS",
    "PLACEHOLDERS",
    "SHOT_STATUSES",
    "SHOT_TYPES",
    "BrokenFileError",
    "Catalog",
    "ComfyUIError",
    "ComfyUIRejectedError",
    "ComfyUIUnavailableError",
    "ConflictError",
    "FieldProblem",
    "Finding",
    "Generation",
    "ImportPlan",
    "ImportRefusedError",
    "ImportReport",
    "InvalidDataError",
    "LockTimeoutError",
    "NotFoundError",
    "Project",
    "ProjectFormat",
    "ProjectSummary",
    "Render",
    "RenderFailedError",
    "RenderJob",
    "Renderer",
    "Sequence",
    "SequenceSummary",
    "ServerCatalog",
    "Shot",
    "ShotCounts",
    "Store",
    "StoryboardError",
    "UnsafePathError",
    "Version",
    "WorkflowInfo",
    "apply_import",
    "default_workspace",
    "import_storycore",
    "list_workflows",
    "load_workflow",
    "plan_import",
    "project_csv",
    "render_shot",
    "render_versions",
    "resolve_format",
    "use_render_version",
]
