"""Everything that talks to ComfyUI: the HTTP client, the status monitor, the model catalog, workflows,
one render's protocol (``render``) and the background render queue (``queue``)."""

from .catalog import Catalog, ServerCatalog
from .client import ComfyUIClient
from .queue import Renderer, server_for_url
from .render import RenderJob, render_shot
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
    "server_for_url",
]
