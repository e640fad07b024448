"""Present: the storyboard as stakeholders see it, one shot at a time, full-size, with Play."""

from __future__ import annotations

from ui.present_view import present
from ui.state import require_frame, selection

require_frame()

present(selection())
