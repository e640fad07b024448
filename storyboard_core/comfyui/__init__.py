"""Everything that talks to ComfyUI: the HTTP client, the status monitor, the model catalog, workflows,
one render's protocol (``render``) and the background render queue (``queue``)."""

from .catalog import Catalog, ServerCatalog
from .client import ComfyUIClient
from .queue import Renderer, server_for_url
from .render import RenderJob, render_shot, render_versions, use_render_version
from .status import ServerStatus, StatusMonitor
from .workflows import BUILTIN, PLACEHOLDERS, WorkflowInfo, list_workflows, load_workflow

__all__ = [
    "BUILTIN",
    "PLACEHOLDERS",
    "Catalog",
    "ComfyUIClient",
    "RenderJob",
    "Renderer",
    "ServerCatalog",
    "ServerStatus",
    "StatusMonitor",
    "WorkflowInfo",
    "list_workflows",
    "load_workflow",
    "render_shot",
    "render_versions",
    "server_for_url",
    "use_render_version",
]
