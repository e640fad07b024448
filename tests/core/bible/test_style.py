"""A shot's effective prompt and settings from the bible, the project and sequence styles and its
own values; takes going stale when those change; a render refused for an unknown mention and the
expanded prompt being what ComfyUI receives and the take records."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from storyboard_core import InvalidDataError, Project, Shot, Store
from storyboard_core.bible.entries import add_entry, update_entry
from storyboard_core.bible.style import ShotContext, effective, own_settings, update_style
from storyboard_core.comfyui.render import render_shot
from storyboard_core.models import Bible, BibleEntry, Generation, Style, StyleSettings
from storyboard_core.settings import ServerConfig
from storyboard_core.takes import current_take, fingerprint, is_stale, take_inputs
from tests.fake_comfyui.server import FakeComfyUI

CKPT = "sd15.safetensors"


def context(
    project: dict[str, Any] | None = None,
    sequence: dict[str, Any] | None = None,
    **descriptions: str,
) -> ShotContext:
    bible = Bible(characters=[BibleEntry(name=n, description=d) for n, d in descriptions.items()])
    seq = None if sequence is None else Style.model_validate(sequence)
    return ShotContext(bible, Style.model_validate(project or {}), seq)


# --- effective values -----------------------------------------------------------------------------


def test_a_shot_on_its_own_renders_exactly_its_own_values() -> None:
    shot = Shot(id="s", prompt="  storm ", negative_prompt="blur", generation=Generation(steps=9))
    made = effective(shot)
    assert made.prompt == "  storm " and made.negative_prompt == "blur"
    assert made.generation == shot.generation.model_dump(mode="json")
    assert made.sources["steps"] == "shot" and made.sources["cfg_scale"] == "default"


def test_prompt_gets_mentions_expanded_and_the_style_suffix() -> None:
    ctx = context({"prompt_suffix": "35mm, film grain", "negative_suffix": "text"}, Léa="a woman")
    shot = Shot(id="s", prompt="@Léa in the rain,", negative_prompt="blur")
    made = effective(shot, ctx)
    assert made.prompt == "a woman in the rain, 35mm, film grain"
    assert made.negative_prompt == "blur, text"
    assert made.sources["prompt_suffix"] == "project"
    assert made.used == ("Léa",)


def test_negatives_of_mentioned_entries_are_added_once() -> None:
    bible = Bible(
        characters=[BibleEntry(name="Léa", description="a woman @Coat", negative="long hair")],
        props=[BibleEntry(name="Coat", description="a red coat", negative="blue coat")],
    )
    made = effective(Shot(id="s", prompt="@Léa and @Léa"), ShotContext(bible))
    assert made.prompt == "a woman a red coat and a woman a red coat"
    assert made.negative_prompt == "long hair, blue coat"


def test_the_sequence_overrides_the_project_field_by_field_and_the_shot_wins() -> None:
    ctx = context(
        {"prompt_suffix": "P", "settings": {"steps": 30, "cfg_scale": 5.0, "checkpoint": "p.ckpt"}},
        {"prompt_suffix": "S", "settings": {"steps": 40}},
    )
    shot = Shot(id="s", prompt="x", generation=Generation(cfg_scale=9.0))
    made = effective(shot, ctx)
    assert made.prompt == "x, S"
    assert (made.generation["steps"], made.sources["steps"]) == (40, "sequence")
    assert (made.generation["cfg_scale"], made.sources["cfg_scale"]) == (9.0, "shot")
    assert (made.generation["checkpoint"], made.sources["checkpoint"]) == ("p.ckpt", "project")
    assert (made.generation["sampler"], made.sources["sampler"]) == ("euler", "default")


def test_an_empty_sequence_suffix_turns_the_project_suffix_off() -> None:
    made = effective(
        Shot(id="s", prompt="x"), context({"prompt_suffix": "P"}, {"prompt_suffix": ""})
    )
    assert made.prompt == "x" and made.sources["prompt_suffix"] == "sequence"


def test_own_settings_say_explicitly_what_the_shot_sets() -> None:
    ctx = context({"settings": {"steps": 30, "width": 512}})
    old = Shot(id="s", generation=Generation(steps=25))  # an older file: no own_settings
    assert own_settings(old) == {"steps"}
    assert effective(old, ctx).generation["steps"] == 25
    # Listed as its own even at the default value: the style does not take it over.
    listed = Shot(id="s", generation=Generation(width=1024), own_settings=["width"])
    assert effective(listed, ctx).generation["width"] == 1024
    assert effective(listed, ctx).generation["steps"] == 30
    # Not listed: a stored value is not used, the style (or the default) is.
    inherits = Shot(id="s", generation=Generation(steps=99), own_settings=[])
    assert effective(inherits, ctx).generation["steps"] == 30
    assert effective(inherits).generation["steps"] == 20


def test_a_sequence_seed_lock_gives_every_shot_one_seed_unless_it_sets_its_own() -> None:
    ctx = context(sequence={"settings": {"seed": 4242}})
    shots = [Shot(id=f"s{i}") for i in range(3)] + [Shot(id="own", generation=Generation(seed=7))]
    seeds = [effective(s, ctx).generation["seed"] for s in shots]
    assert seeds == [4242, 4242, 4242, 7]
    assert effective(shots[0], ctx).sources["seed"] == "sequence"


def test_problems_are_reported_not_raised() -> None:
    made = effective(Shot(id="s", prompt="@Léa and @Bob"), context(Léa="L"))
    assert not made.ok
    assert made.problem_message() == "@Bob is not in the bible"


def test_bad_style_values_are_refused_naming_the_field(store: Store, project: Project) -> None:
    before = (store.project_dir(project.id) / "project.json").read_bytes()
    with pytest.raises(InvalidDataError) as caught:
        update_style(store, project.id, None, {"settings": {"steps": 0, "width": 100}})
    fields = sorted(p.field for p in caught.value.problems)
    assert fields == ["settings.steps", "settings.width"]
    assert (store.project_dir(project.id) / "project.json").read_bytes() == before


def test_styles_are_saved_sparse_and_cleared_with_none(store: Store, project: Project) -> None:
    update_style(store, project.id, "002", {"prompt_suffix": "noir", "settings": {"seed": 5}})
    path = store.project_dir(project.id) / "sequences/sequence_002.json"
    assert json.loads(path.read_text())["style"] == {
        "prompt_suffix": "noir",
        "settings": {"seed": 5},
    }
    update_style(store, project.id, "002", {"settings": {"seed": None}})
    assert json.loads(path.read_text())["style"] == {"prompt_suffix": "noir"}
    style = store.read_sequence(project.id, "002").style
    assert style.settings == StyleSettings() and style.prompt_suffix == "noir"


# --- what a render takes, stale takes -------------------------------------------------------------


def test_take_inputs_hold_the_expanded_prompt_and_inherited_settings() -> None:
    ctx = context({"settings": {"steps": 33}}, {"settings": {"seed": 11}}, Léa="a woman")
    shot = Shot(id="s", prompt="@Léa")
    inputs = take_inputs(shot, seed=11, workflow="built-in", server="", context=ctx)
    assert inputs["prompt"] == "a woman"
    assert inputs["generation"]["steps"] == 33 and inputs["generation"]["seed"] == 11


def test_old_takes_keep_their_fingerprint_without_bible_or_style() -> None:
    shot = Shot(id="s", prompt="storm", generation=Generation(steps=12, seed=3))
    assert fingerprint(shot) == fingerprint(shot, ShotContext())


def test_changing_the_bible_or_a_style_the_shot_uses_changes_its_fingerprint() -> None:
    shot = Shot(id="s", prompt="@Léa")
    base = fingerprint(shot, context(Léa="a woman"))
    assert fingerprint(shot, context(Léa="a tall woman")) != base
    assert fingerprint(shot, context({"prompt_suffix": "noir"}, Léa="a woman")) != base
    assert fingerprint(shot, context(None, {"settings": {"seed": 1}}, Léa="a woman")) != base
    # An entry the shot does not mention changes nothing.
    assert fingerprint(shot, context(Léa="a woman", Bob="a man")) == base


@pytest.fixture
def server(fake_comfyui: FakeComfyUI) -> ServerConfig:
    fake_comfyui.set_checkpoints([CKPT])
    return ServerConfig(name="local", url=fake_comfyui.url, active=True)


@pytest.fixture
def shot(store: Store, project: Project) -> Shot:
    first = store.read_sequence(project.id, "001").shots[0]
    return store.update_shot(
        project.id,
        "001",
        first.id,
        {
            "prompt": "@Léa at @[Café de Flore]",
            "generation": {"checkpoint": CKPT, "steps": 2, "width": 64, "height": 64},
        },
    )


def test_a_render_with_an_unknown_mention_is_refused_naming_it(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman")
    job = render_shot(store, workspace, project.id, "001", shot.id, server=server, timeout_s=20)
    assert job.state == "failed"
    assert "@[Café de Flore] is not in the bible" in job.message
    assert fake_comfyui.posted_graphs() == [], "nothing was queued"
    assert store.read_shot(project.id, "001", shot.id).render is None


def test_a_render_sends_and_records_the_expanded_prompt_and_goes_stale_on_bible_changes(
    store: Store,
    workspace: Path,
    project: Project,
    shot: Shot,
    server: ServerConfig,
    fake_comfyui: FakeComfyUI,
) -> None:
    add_entry(store, project.id, "characters", "Léa", "a woman in a red coat")
    add_entry(store, project.id, "places", "Café de Flore", "a Paris café")
    update_style(
        store, project.id, None, {"prompt_suffix": "film grain", "settings": {"cfg_scale": 4}}
    )
    update_style(store, project.id, "001", {"settings": {"seed": 777}})
    job = render_shot(store, workspace, project.id, "001", shot.id, server=server, timeout_s=20)
    assert job.state == "done", job.message
    graph = fake_comfyui.posted_graphs()[-1]
    assert graph["6"]["inputs"]["text"] == "a woman in a red coat at a Paris café, film grain"
    assert graph["3"]["inputs"]["seed"] == 777 and graph["3"]["inputs"]["cfg"] == 4.0
    saved = store.read_shot(project.id, "001", shot.id)
    take = current_take(saved)
    assert take is not None and take.inputs is not None
    assert take.inputs.prompt == "a woman in a red coat at a Paris café, film grain"
    ctx = ShotContext.read(store, project.id, "001")
    assert not is_stale(saved, ctx)
    update_entry(store, project.id, "Léa", description="a woman in a blue coat")
    assert is_stale(saved, ShotContext.read(store, project.id, "001"))
    update_entry(store, project.id, "Léa", description="a woman in a red coat")
    update_style(store, project.id, "001", {"settings": {"seed": 778}})
    assert is_stale(saved, ShotContext.read(store, project.id, "001"))


def test_the_context_follows_the_files_it_is_read_from(store: Store, project: Project) -> None:
    assert ShotContext.read(store, project.id, "002").sequence_style == Style()
    update_style(store, project.id, "002", {"prompt_suffix": "noir"})
    add_entry(store, project.id, "props", "Lamp", "a brass lamp")
    ctx = ShotContext.read(store, project.id, "002")
    assert ctx.sequence_style is not None and ctx.sequence_style.prompt_suffix == "noir"
    assert [e.name for e in ctx.bible.props] == ["Lamp"]
    ctx.sequence_style.prompt_suffix = "changed by a caller"
    again = ShotContext.read(store, project.id, "002").sequence_style
    assert again is not None and again.prompt_suffix == "noir", "the cache is not shared out"
    assert ShotContext.read(store, project.id, None).sequence_style is None
