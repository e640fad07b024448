"""Who may reach the app and what they may do: the editor passcode, review links, the throttle on
wrong tries, roles, the guarded store a reviewer's session uses, and how ``storyboard serve`` starts
the app. Never imports Streamlit.
"""

from .gate import IDLE_TIMEOUT, Gate, gate_required, is_loopback
from .guard import GuardedStore, check_review_change, guarded
from .links import DEFAULT_DAYS, check_token, create_link, list_links, revoke_link
from .passcode import check_new_passcode, passcode_is_set, set_passcode, verify_passcode
from .records import LinkRecord, Role
from .roles import EDITOR, Access
from .serve import ServePlan, lan_address, serve_plan
from .session import COOKIE, check_session, end_session, issue_session, session_max_age
from .throttle import Throttle

__all__ = [
    "COOKIE",
    "DEFAULT_DAYS",
    "EDITOR",
    "IDLE_TIMEOUT",
    "Access",
    "Gate",
    "GuardedStore",
    "LinkRecord",
    "Role",
    "ServePlan",
    "Throttle",
    "check_new_passcode",
    "check_review_change",
    "check_session",
    "check_token",
    "create_link",
    "end_session",
    "gate_required",
    "guarded",
    "is_loopback",
    "issue_session",
    "lan_address",
    "list_links",
    "passcode_is_set",
    "revoke_link",
    "serve_plan",
    "session_max_age",
    "set_passcode",
    "verify_passcode",
]
