"""The PDF storyboard, read back with pypdf and rasterised with Poppler's pdftoppm."""

from __future__ import annotations

import io
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from PIL import Image
from pypdf import PdfReader

from storyboard_core import Store
from storyboard_core.demo import create_demo_project
from storyboard_core.exports import ExportOptions, export_bytes
from storyboard_core.review.comments import add_comment, resolve_comment

from .conftest import Board

DOCS = Path(__file__).resolve().parents[3] / "docs" / "screenshots"


def pdf(board: Board, *sequences: str, **options: object) -> PdfReader:
    data = export_bytes(
        board.store,
        board.project,
        "pdf",
        sequences=sequences,
        options=ExportOptions.parse(**options),
    )
    assert data.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(data))


def text(reader: PdfReader, page: int) -> str:
    return reader.pages[page].extract_text()


def test_cover_then_one_grid_page_per_sequence(board: Board) -> None:
    reader = pdf(board, layout="3x2")
    assert len(reader.pages) == 3  # cover + sequence 1 (2 shots) + sequence 2 (2 shots)
    cover = text(reader, 0)
    assert "L'Orage d'été" in cover
    assert "Un court-métrage — œuvre d’essai « été »" in cover
    assert "Shots" in cover and "4" in cover and "0:07" in cover
    assert "Page 1 of 3" in cover


def test_accented_text_under_the_frames_is_selectable(board: Board) -> None:
    reader = pdf(board, fields=["title", "prompt", "notes", "duration", "status"])
    first = text(reader, 1)
    assert "1.1 Léa à la fenêtre" in first
    assert "1.2 Le cœur « battant »" in first
    assert "prompt de Léa à la fenêtre: ça déchire" in first
    assert "note : Le cœur « battant »" in first
    assert "2 s · review" in first
    assert "Page 2 of 3" in first and "Sequence 1" in first
    assert "2.2 L’éclair — enfin" in text(reader, 2)


def test_only_the_chosen_fields_are_printed(board: Board) -> None:
    first = text(pdf(board, fields=["title"]), 1)
    assert "Léa à la fenêtre" in first
    assert "ça déchire" not in first and "note :" not in first and "review" not in first


def test_open_comments_are_printed_when_chosen(board: Board) -> None:
    shot_id = board.shots["Léa à la fenêtre"]
    seq = board.sequences[0]
    add_comment(board.store, board.project, seq, shot_id, author="Zoé", text="Plus sombre")
    done = add_comment(board.store, board.project, seq, shot_id, author="Yann", text="Réglé")
    resolve_comment(board.store, board.project, seq, shot_id, done.id, resolved_by="Zoé")
    page = text(pdf(board, fields=["title", "comments"]), 1)
    assert "Zoé: Plus sombre" in page and "Réglé" not in page


def test_dialogue_is_printed_under_the_frame_when_chosen(board: Board) -> None:
    shot_id = board.shots["Léa à la fenêtre"]
    patch = {"dialogue": "Tu viens <vraiment> ?", "speaker": "Léa"}
    board.store.update_shot(board.project, board.sequences[0], shot_id, patch)
    assert "Tu viens" not in text(pdf(board, fields=["title", "prompt"]), 1)
    assert "Léa: Tu viens <vraiment> ?" in text(pdf(board, fields=["title", "dialogue"]), 1)


@pytest.mark.parametrize(("layout", "pages"), [("1x1", 5), ("2x2", 3), ("3x3", 3)])
def test_layouts_set_the_frames_per_page(board: Board, layout: str, pages: int) -> None:
    assert len(pdf(board, layout=layout).pages) == pages


def test_one_per_page_shows_all_text(board: Board) -> None:
    page = text(pdf(board, board.sequences[0], layout="1x1", fields=["title"]), 1)
    assert "prompt de Léa à la fenêtre" in page and "note : Léa à la fenêtre" in page


@pytest.mark.parametrize(
    ("paper", "orientation", "size"),
    [
        ("a4", "landscape", (842, 595)),
        ("a4", "portrait", (595, 842)),
        ("letter", "portrait", (612, 792)),
    ],
)
def test_paper_and_orientation(
    board: Board, paper: str, orientation: str, size: tuple[int, int]
) -> None:
    box = pdf(board, paper=paper, orientation=orientation).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == size


def test_fonts_are_embedded_and_frames_are_images(board: Board) -> None:
    reader = pdf(board)
    fonts = reader.pages[1]["/Resources"]["/Font"]
    for ref in fonts.values():
        font = ref.get_object()
        assert "DejaVuSans" in font["/BaseFont"]
        if "/DescendantFonts" in font:
            font = font["/DescendantFonts"][0].get_object()
        assert "/FontFile2" in font["/FontDescriptor"], font["/BaseFont"]  # the TrueType is inside
    images = reader.pages[1].images
    assert len(images) == 2  # both shots of sequence 1 have a frame
    assert images[0].image.size == (320, 180)  # embedded at the frame's own pixel size


def rasterise(data: bytes, tmp_path: Path, page: int, dpi: int = 40) -> Image.Image:
    source = tmp_path / "board.pdf"
    source.write_bytes(data)
    pdftoppm = shutil.which("pdftoppm")
    assert pdftoppm, "pdftoppm is missing: make install installs poppler-utils"
    subprocess.run(
        [
            pdftoppm,
            "-r",
            str(dpi),
            "-png",
            "-f",
            str(page),
            "-l",
            str(page),
            "-singlefile",
            source,
            tmp_path / "page",
        ],
        check=True,
        timeout=120,
    )
    return Image.open(tmp_path / "page.png").convert("RGB")


def test_first_page_and_a_grid_page_rasterise_to_something(board: Board, tmp_path: Path) -> None:
    data = export_bytes(board.store, board.project, "pdf")
    cover = rasterise(data, tmp_path, 1)
    assert cover.getextrema() != ((255, 255), (255, 255), (255, 255)), "the cover is blank"
    grid = rasterise(data, tmp_path, 2)
    colours = {colour for _, colour in grid.getcolors(1 << 20) or []}
    near = lambda c, ref: all(abs(a - b) < 40 for a, b in zip(c, ref, strict=True))  # noqa: E731
    assert any(near(c, (220, 30, 30)) for c in colours), "the red frame is not on page 2"
    assert any(near(c, (30, 200, 40)) for c in colours), "the green frame is not on page 2"


def test_readme_page_image(store: Store, tmp_path: Path) -> None:
    """``UPDATE_SCREENSHOTS=1`` writes the README's PDF page: the demo's first sequence, 2×2."""
    demo = create_demo_project(store)
    folder = store.project_dir(demo.id) / "renders"
    folder.mkdir()
    shots = store.read_shots(demo.id, "001")
    for n, shot in enumerate(shots[:-1]):  # the last one keeps its placeholder
        top, bottom = [(40, 60, 90), (200, 120, 60)][n % 2], (20 + 60 * n, 30, 50)
        gradient = Image.linear_gradient("L").resize((1024, 576))
        frame = Image.composite(
            Image.new("RGB", (1024, 576), bottom), Image.new("RGB", (1024, 576), top), gradient
        )
        frame.save(folder / f"{shot.id}.png")
        store.update_shot(demo.id, "001", shot.id, {"render": {"image": f"renders/{shot.id}.png"}})
    options = ExportOptions(layout="2x2", fields=("title", "duration", "status", "prompt", "notes"))
    data = export_bytes(store, demo.id, "pdf", sequences=["001"], options=options)
    page = rasterise(data, tmp_path, 2, dpi=70)
    colours = len(page.getcolors(1 << 20) or [])
    assert colours > 100, "the page has no frames"
    if os.environ.get("UPDATE_SCREENSHOTS") == "1":
        DOCS.mkdir(parents=True, exist_ok=True)
        page.save(DOCS / "pdf-page.png", optimize=True)
