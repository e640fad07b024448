"""Everything that talks to ComfyUI: the HTTP client, the status monitor, the model catalog, workflows,
one render's protocol (``render``) and the background render queue (``queue``).

Import from the module (``from storyboard_core.comfyui.client import ComfyUIClient``): the names below
resolve here too, imported on first use, so that reading a workflow does not load httpx.
"""

import typing

from .. import lazy

_LAZY = lazy.LazyNames(
    __name__,
    {
        ".catalog": "Catalog ServerCatalog",
        ".client": "ComfyUIClient",
        ".queue": "Renderer server_for_url",
        ".render": "RenderJob render_shot",
        ".status": "ServerStatus StatusMonitor",
        ".workflows": "BUILTIN PLACEHOLDERS WorkflowInfo list_workflows load_workflow",
    },
)


def __getattr__(name: str) -> typing.Any:
    """A name this package re-exports, imported from its module on first use."""
    return _LAZY.resolve(name)


def __dir__() -> list[str]:
    return _LAZY.dir()
