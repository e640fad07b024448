"""Dashboard: the workspace's projects, a new-project form, and one project's sequences at a glance."""

from __future__ import annotations

from ui.dashboard_view import project_view, workspace_view
from ui.data import access
from ui.state import require_frame, selection

require_frame()

chosen = selection().project
scope = access().project
if scope is not None:  # a reviewer: their project, whatever the URL says
    project_view(scope)
elif chosen:
    project_view(chosen)
else:
    workspace_view()
