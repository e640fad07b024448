"""The frames a page serves by URL: a JPEG that fits as it is, anything else as a scaled copy."""

from __future__ import annotations

from pathlib import Path

import pytest
from PIL import Image

from storyboard_core.media.frames import STAGE, FrameError, served_frame


def picture(path: Path, size: tuple[int, int], *, rotated: bool = False) -> Path:
    image = Image.new("RGB", size, "navy")
    exif = Image.Exif()
    if rotated:
        exif[0x0112] = 6  # shown turned a quarter
    image.save(path, exif=exif)
    return path


def test_a_jpeg_that_fits_the_stage_is_served_as_it_is(tmp_path: Path) -> None:
    poster = picture(tmp_path / "poster.jpg", (1280, 720))
    assert served_frame(tmp_path, poster, STAGE) == poster
    assert not (tmp_path / ".cache").exists()  # nothing scaled, nothing written


@pytest.mark.parametrize(
    ("name", "size", "rotated"),
    [
        ("frame.png", (1280, 720), False),  # not a JPEG: a PNG is many times the bytes
        ("big.jpg", (3840, 2160), False),  # larger than the stage
        ("phone.jpg", (1280, 720), True),  # turned by its EXIF: the copy is upright
    ],
)
def test_anything_else_is_served_as_its_stage_sized_copy(
    tmp_path: Path, name: str, size: tuple[int, int], rotated: bool
) -> None:
    source = picture(tmp_path / name, size, rotated=rotated)
    served = served_frame(tmp_path, source, STAGE)
    assert served.parent == tmp_path / ".cache" / "frames"
    with Image.open(served) as copy:
        assert copy.format == "JPEG"
        assert copy.width <= STAGE.width and copy.height <= STAGE.height
        assert (copy.width < copy.height) == rotated


def test_a_file_that_is_not_an_image_is_refused_naming_it(tmp_path: Path) -> None:
    broken = tmp_path / "poster.jpg"
    broken.write_bytes(b"not a picture")
    with pytest.raises(FrameError, match=r"poster\.jpg"):
        served_frame(tmp_path, broken, STAGE)
