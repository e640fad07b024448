"""Review summary: shots by status, the shots to retake with their open comments, who said what."""

from __future__ import annotations

from ui.frame.state import require_frame, selection
from ui.views.review import review_page

require_frame()

review_page(selection())
