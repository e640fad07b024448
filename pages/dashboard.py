"""Dashboard: the workspace's projects, a new-project form, and one project's sequences at a glance."""

from __future__ import annotations

from ui.frame.gate import outside_project
from ui.frame.services import access
from ui.frame.state import require_frame, selection
from ui.views.dashboard.projects import project_view, workspace_view

require_frame()

chosen = selection().project
scope = access().project
if scope is not None:  # a reviewer: their project, whatever the URL says (and they are told)
    if chosen and chosen != scope:
        outside_project(chosen)
    project_view(scope)
elif chosen:
    project_view(chosen)
else:
    workspace_view()
