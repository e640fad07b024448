"""The app's pages, registered once: the entrypoint, page links and tests all use this list."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class PageSpec:
    """One page: its script, title, emoji icon (no icon fonts: the app works offline) and URL path.

    ``reviewers``: whether a reviewer's session (a review link) may open it at all.
    """

    key: str
    path: str
    title: str
    icon: str
    url_path: str
    default: bool = False
    reviewers: bool = True


DASHBOARD = PageSpec("dashboard", "pages/dashboard.py", "Dashboard", "🎬", "", default=True)
SEQUENCE = PageSpec("sequence", "pages/sequence.py", "Sequence", "🎞️", "sequence")
SHOT = PageSpec("shot", "pages/shot.py", "Shot editor", "✏️", "shot")
PRESENT = PageSpec("present", "pages/present.py", "Present", "▶️", "present")
REVIEW = PageSpec("review", "pages/review.py", "Review", "📝", "review")
BIBLE = PageSpec("bible", "pages/bible.py", "Bible", "📖", "bible", reviewers=False)
SETTINGS = PageSpec("settings", "pages/settings.py", "Settings", "⚙️", "settings", reviewers=False)

PAGES: tuple[PageSpec, ...] = (DASHBOARD, SEQUENCE, SHOT, PRESENT, REVIEW, BIBLE, SETTINGS)
