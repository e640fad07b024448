"""Dashboard: the workspace's projects, a new-project form, and one project's sequences at a glance."""

from __future__ import annotations

from ui.dashboard_view import project_view, workspace_view
from ui.state import require_frame, selection

require_frame()

chosen = selection().project
if chosen:
    project_view(chosen)
else:
    workspace_view()
