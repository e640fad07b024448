"""``storyboard review``: where the review stands, as lines or as the Markdown the Review page gives."""

from __future__ import annotations

from typing import TYPE_CHECKING

from .commands import command
from .options import PROJECT, Context, arg, sequence_arg

if TYPE_CHECKING:
    from ..review import ReviewSummary


def _review_text(summary: ReviewSummary) -> str:
    """The review summary as plain lines for a terminal."""
    from ..review import when

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
    from ..drawing_image import summary_drawings
    from ..review import review_summary, summary_markdown

    summary = review_summary(ctx.store, ctx.args.project, ctx.args.sequence)
    if ctx.args.markdown:
        ctx.print(summary_markdown(summary, summary_drawings(ctx.store, summary)), end="")
    else:
        ctx.emit(summary.as_json(), _review_text(summary))
    return 0
