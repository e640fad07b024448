"""Review summary: shots by status, the shots to retake with their open comments, who said what."""

from __future__ import annotations

from ui.review_view import review_page
from ui.state import require_frame, selection

require_frame()

review_page(selection())
