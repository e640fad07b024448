"""storyboard_core: the data layer of Storyboard Studio.

It owns every byte on disk and every call to ComfyUI; the Streamlit app and the ``storyboard`` CLI are
skins over it, and it never imports Streamlit.

>>> from storyboard_core import Store
>>> store = Store("workspace")                                      # doctest: +SKIP
>>> project = store.create_project("Orage", format_id="court-metrage", shots_per_sequence=3)
"""

from .comfyui.catalog import Catalog, ServerCatalog
from .comfyui.queue import Renderer
from .comfyui.render import RenderJob, render_shot
from .comfyui.workflows import BUILTIN, PLACEHOLDERS, WorkflowInfo, list_workflows, load_workflow
from .errors import (
    BrokenFileError,
    ChangedMeanwhileError,
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
    WriteError,
)
from .exports import (
    EXPORT_FORMATS,
    ExportFormat,
    ExportOptions,
    Handout,
    export_bytes,
    export_file,
    gather_handout,
)
from .formats import CUSTOM, FORMAT_IDS, FORMATS, ProjectFormat, resolve_format
from .history import (
    Change,
    FileHistory,
    HistoryEntry,
    diff_versions,
    file_history,
    history_file,
    restore_shot_version,
)
from .images import MAX_IMAGE_BYTES, MAX_IMAGE_SIDE, check_image
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
from .paths import image_in_project
from .player import (
    Slide,
    player_css,
    player_document,
    player_js,
    project_slides,
    sequence_slides,
    slides_stamp,
)
from .shotlist import ImportPlan, apply_import, plan_import, project_csv
from .store import Finding, Store, Version
from .storycore import ImportReport, import_storycore
from .summaries import ProjectSummary, SequenceSummary, ShotCounts
from .take_diff import InputChange, changes_since_take, diff_summary, diff_takes
from .takes import (
    Take,
    TakeInputs,
    current_take,
    fingerprint,
    is_stale,
    record_takes,
    render_versions,
    stale_shots,
    take_inputs,
    takes,
    upload_take,
    use_render_version,
)
from .workspace import default_workspace

__all__ = [
    "BUILTIN",
    "CAMERA_MOVEMENTS",
    "CUSTOM",
    "EXPORT_FORMATS",
    "FORMATS",
    "FORMAT_IDS",
    "MAX_IMAGE_BYTES",
    "MAX_IMAGE_SIDE",
    "PLACEHOLDERS",
    "SHOT_STATUSES",
    "SHOT_TYPES",
    "BrokenFileError",
    "Catalog",
    "Change",
    "ChangedMeanwhileError",
    "ComfyUIError",
    "ComfyUIRejectedError",
    "ComfyUIUnavailableError",
    "ConflictError",
    "ExportFormat",
    "ExportOptions",
    "FieldProblem",
    "FileHistory",
    "Finding",
    "Generation",
    "Handout",
    "HistoryEntry",
    "ImportPlan",
    "ImportRefusedError",
    "ImportReport",
    "InputChange",
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
    "Slide",
    "Store",
    "StoryboardError",
    "Take",
    "TakeInputs",
    "UnsafePathError",
    "Version",
    "WorkflowInfo",
    "WriteError",
    "apply_import",
    "changes_since_take",
    "check_image",
    "current_take",
    "default_workspace",
    "diff_summary",
    "diff_takes",
    "diff_versions",
    "export_bytes",
    "export_file",
    "file_history",
    "fingerprint",
    "gather_handout",
    "history_file",
    "image_in_project",
    "import_storycore",
    "is_stale",
    "list_workflows",
    "load_workflow",
    "plan_import",
    "player_css",
    "player_document",
    "player_js",
    "project_csv",
    "project_slides",
    "record_takes",
    "render_shot",
    "render_versions",
    "resolve_format",
    "restore_shot_version",
    "sequence_slides",
    "slides_stamp",
    "stale_shots",
    "take_inputs",
    "takes",
    "upload_take",
    "use_render_version",
]
