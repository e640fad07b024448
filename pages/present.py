"""Present: the storyboard as stakeholders see it, one shot at a time, full-size, with Play."""

from __future__ import annotations

from ui.frame.state import require_frame, selection
from ui.views.present import present

require_frame()

present(selection())
