"""Hand-outs: the PDF storyboard, the animatic video and the editor's timeline of a project.

``handout`` gathers what a hand-out shows; ``pdf``, ``video`` and ``timeline`` each write formats of
it; ``registry`` is the table of formats that the CLI and the app offer, and the call that makes one.
"""

from .handout import ExportWarning, Handout, HandoutSection, HandoutShot, gather_handout
from .options import LAYOUTS, ORIENTATIONS, PAPERS, TEXT_FIELDS, ExportOptions
from .registry import EXPORT_FORMATS, ExportFormat, export_bytes, export_file, export_format

__all__ = [
    "EXPORT_FORMATS",
    "LAYOUTS",
    "ORIENTATIONS",
    "PAPERS",
    "TEXT_FIELDS",
    "ExportFormat",
    "ExportOptions",
    "ExportWarning",
    "Handout",
    "HandoutSection",
    "HandoutShot",
    "export_bytes",
    "export_file",
    "export_format",
    "gather_handout",
]
