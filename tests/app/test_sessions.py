"""Ten sessions at once through the app layer (a short run of ``bench/sessions.py``): six editors
saving their shots of one sequence file and four reviewers commenting on it; no error page, no
exception, every editor's last save and every comment on disk once."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.sessions import run_sessions

pytestmark = pytest.mark.slow


def test_ten_sessions_lose_nothing(tmp_path: Path) -> None:
    result = run_sessions(tmp_path, seconds=8, editors=6, reviewers=4)
    assert result.problems == []
    assert len([w for w in result.workers if w.latencies]) == 6  # every editor saved
    assert len([w for w in result.workers if w.comment_ids]) == 4  # every reviewer commented
    assert result.comments >= 4 and len(result.saves) >= 6
