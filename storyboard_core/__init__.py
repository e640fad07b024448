"""storyboard_core: the data layer of Storyboard Studio.

It owns every byte on disk and every call to ComfyUI; the Streamlit app and the ``storyboard`` CLI are
skins over it, and it never imports Streamlit.

The root exports the stable names: the errors, the models and their constants, ``Store`` (with
``Finding`` and ``Version``) and the shared aliases of ``types``. Feature functions live in their
modules (``from storyboard_core.review.comments import add_comment``); the names the root used to export still
resolve here, imported on first use, so that ``import storyboard_core`` loads no pandas, PIL or httpx.

>>> from storyboard_core import Store
>>> store = Store("workspace")                                      # doctest: +SKIP
>>> project = store.create_project("Orage", format_id="court-metrage", shots_per_sequence=3)
"""

# Modules, not names, so that the root's public names are ``__all__`` (and the old names below).
import typing

from . import errors, lazy, models, types
from .errors import *
from .models import *
from .store import Finding, Store, Version

# The function shares its module's name: bound here, or importing the module would shadow it.
from .takes import takes as takes
from .types import *

# Each name is listed once, in its own module; the root adds the store's.
__all__ = ["Finding", "Store", "Version"]
__all__ += errors.__all__
__all__ += models.__all__
__all__ += types.__all__

#: What the root exported before the feature functions moved out of it: name -> its module.
_LAZY = lazy.LazyNames(
    __name__,
    {
        ".access": (
            "EDITOR IDLE_TIMEOUT Access Gate GuardedStore LinkRecord Throttle create_link guarded "
            "list_links passcode_is_set revoke_link set_passcode"
        ),
        ".bible.entries": (
            "MentionPlace add_entry add_reference delete_entry entry_map find_entry mentioned_in "
            "remove_reference rename_entry rename_preview update_entry"
        ),
        ".comfyui.catalog": "Catalog ServerCatalog",
        ".comfyui.queue": "Renderer",
        ".comfyui.render": "RenderJob render_shot",
        ".comfyui.workflows": "PLACEHOLDERS WorkflowInfo list_workflows load_workflow",
        ".exports": (
            "EXPORT_FORMATS ExportFormat ExportOptions Handout export_bytes export_file "
            "gather_handout"
        ),
        ".formats": "CUSTOM FORMAT_IDS FORMATS ProjectFormat resolve_format",
        ".history": (
            "Change FileHistory HistoryEntry diff_versions file_history history_file "
            "restore_shot_version"
        ),
        ".media.images": "MAX_IMAGE_BYTES MAX_IMAGE_SIDE check_image",
        ".bible.mentions": "Expansion expand find_mentions mention_of name_key",
        ".paths": "image_in_project",
        ".player.document": (
            "Slide player_css player_document player_js project_slides sequence_slides slides_stamp"
        ),
        ".bible.references": "REFERENCES_DIR clear_shot_reference set_shot_reference",
        ".review.comments": (
            "Remark Retake ReviewSummary ShotRef add_comment clean_author markdown_literal "
            "open_comments resolve_comment review_summary summary_markdown takes_of"
        ),
        ".bible.rewrite": "TextChange apply_changes preview_changes replacer",
        ".shotlist": "ImportPlan apply_import plan_import project_csv",
        ".storycore": "ImportReport import_storycore",
        ".bible.style": "Effective ShotContext effective own_settings update_style",
        ".summaries": "ProjectSummary SequenceSummary ShotCounts",
        ".take_diff": "InputChange changes_since_take diff_summary diff_takes",
        ".takes": (
            "Take TakeInputs current_take fingerprint is_stale record_takes render_versions "
            "stale_shots take_inputs upload_take use_render_version"
        ),
        ".workspace": "default_workspace",
    },
)


def __getattr__(name: str) -> typing.Any:
    """A name the root exported before, imported from its module on first use."""
    return _LAZY.resolve(name)


def __dir__() -> list[str]:
    return _LAZY.dir()
