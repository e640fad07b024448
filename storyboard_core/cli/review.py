"""``storyboard review``: where the review stands, as lines or as the Markdown the Review page gives;
``storyboard import-feedback``: a reviewer's answers from the offline player, back as comments."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .commands import command
from .options import PROJECT, Context, arg, import_arguments, preview_then_apply, sequence_arg

if TYPE_CHECKING:
    from ..review.comments import ReviewSummary
    from ..review.feedback import FeedbackPlan


def _review_text(summary: ReviewSummary) -> str:
    """The review summary as plain lines for a terminal."""
    from ..review.comments import when

    lines = [
        f"{summary.scope}: {summary.shots} shots, open comments: {summary.open_comments}",
        "  ".join(f"{status} {n}" for status, n in summary.counts.items()),
    ]
    for item in summary.retakes:
        lines.append(f"retake\t{item.shot.label}\topen comments: {len(item.open_comments)}")
    for remark in summary.remarks:
        c = remark.comment
        state = "resolved" if c.resolved else "open"
        verdict = f"\t{c.verdict}" if c.verdict else ""
        lines.append(
            f"{when(c.created_at)}\t{c.author}\t{remark.shot.label}{verdict}\t{state}\t{' '.join(c.text.split())}"
        )
    lines += [f"BROKEN: {b}" for b in summary.broken]
    return "\n".join(lines)


@command(
    "review",
    help="where the review stands: shots by status, shots to retake, every comment",
    example="storyboard review l-orage 001 --markdown > review.md",
    arguments=(
        PROJECT,
        sequence_arg(optional=True, help="sequence id such as 001 (default: all)"),
        arg("--markdown", action="store_true", help="print it as a Markdown document"),
    ),
)
def review(ctx: Context) -> int:
    """The summary of a sequence or of the whole project."""
    from ..review.comments import review_summary, summary_markdown
    from ..review.drawing_image import summary_drawings

    summary = review_summary(ctx.store, ctx.args.project, ctx.args.sequence)
    if ctx.args.markdown:
        ctx.print(summary_markdown(summary, summary_drawings(ctx.store, summary)), end="")
    else:
        ctx.emit(summary.as_json(), _review_text(summary))
    return 0


@command(
    "import-feedback",
    help="import a reviewer's feedback from the one-file player (preview; --apply writes)",
    description="Check a feedback file exported from a one-file HTML player hand-out and print "
    "what it would add, shot by shot: a comment (and an Approve or Retake verdict) under the "
    "reviewer's name. A file from another project or hand-out, for shots deleted since, or edited "
    "by hand is refused; with --apply, everything is added or nothing. Exit 1 when refused.",
    example="storyboard import-feedback l-orage feedback-l-orage-Ana.json --apply",
    arguments=import_arguments(
        file_help="the .json file the player's Export feedback downloaded",
        apply_help="add the comments and verdicts",
    ),
)
def import_feedback(ctx: Context) -> int:
    """The preview, and with ``--apply`` the import; exit 1 when anything is refused."""
    from ..review.feedback import apply_feedback, plan_feedback

    store, project = ctx.store, ctx.args.project
    return preview_then_apply(
        ctx,
        lambda data: plan_feedback(store, project, data),
        ok=lambda plan: plan.ok,
        writable=lambda plan: plan.ok,  # whole or not at all
        write=lambda _, data: len(apply_feedback(store, project, data).to_add),
        as_json=lambda plan: plan.as_json(),
        describe=_feedback_text,
    )


def _feedback_text(plan: FeedbackPlan, apply: bool, applied: int) -> str:
    """The plan as lines: the file's problems, then one line per shot."""
    lines = [f"feedback from {plan.reviewer} (hand-out {plan.export}) for {plan.project}"]
    lines += [f"REFUSED: {problem}" for problem in plan.problems]
    for item in plan.shots:
        verdict = item.verdict or "note"
        state = {"new": "add", "already": "already imported", "problem": "REFUSED"}[item.state]
        detail = f"\t{item.problem}" if item.problem else f"\t{' '.join(item.text.split())}"
        lines.append(f"{state}\t{item.label}\t{verdict}{detail}")
    if not plan.ok:
        lines.append("nothing written: the file is imported whole or not at all")
    elif apply:
        lines.append(f"applied: {applied} comment(s) added")
    elif plan.to_add:
        lines.append("nothing written: run again with --apply to add these comments")
    else:
        lines.append("nothing to add: every answer is already in the threads")
    return "\n".join(lines)
