"""The rules of ``@mentions``: as examples, and as properties over any names and texts (hypothesis)."""

from __future__ import annotations

import unicodedata

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from storyboard_core.bible.mentions import (
    MAX_EXPANDED_CHARS,
    expand,
    find_mentions,
    mention_of,
    name_key,
    rename_mentions,
)
from storyboard_core.models import BibleEntry


def entries(*pairs: tuple[str, str]) -> dict[str, BibleEntry]:
    return {name_key(n): BibleEntry(name=n, description=d) for n, d in pairs}


# --- examples -------------------------------------------------------------------------------------


def test_a_plain_mention_expands_to_the_description() -> None:
    out = expand("@Léa runs in the rain.", entries(("Léa", "a woman of 30, short black hair")))
    assert out.text == "a woman of 30, short black hair runs in the rain."
    assert out.used == ("Léa",) and out.ok


def test_brackets_hold_names_with_spaces_and_accents() -> None:
    out = expand("Night at @[Café de Flore].", entries(("Café de Flore", "a Paris café")))
    assert out.text == "Night at a Paris café."


def test_names_match_whatever_the_case_and_normalisation() -> None:
    known = entries(("Léa", "LEA"))
    decomposed = unicodedata.normalize("NFD", "@léa")
    assert expand(decomposed, known).text == "LEA"
    assert expand("@[ LÉA ]", known).text == "LEA"


def test_double_at_is_a_literal_at_and_mail_addresses_are_text() -> None:
    known = entries(("Léa", "X"))
    assert expand("write @@Léa or mail lea@example.com", known).text == (
        "write @Léa or mail lea@example.com"
    )
    assert expand("@@@Léa", known).text == "@X"
    assert expand("a lone @ sign, @ 5pm", known).text == "a lone @ sign, @ 5pm"


def test_a_name_ends_at_punctuation_and_keeps_inner_hyphens() -> None:
    known = entries(("Léa", "L"), ("Jean-Luc", "J"))
    assert expand("@Léa's coat, @Jean-Luc.", known).text == "L's coat, J."


def test_unknown_names_are_kept_and_reported_by_name() -> None:
    out = expand("@Léa meets @Bob at @[Le Dôme]", entries(("Léa", "L")))
    assert out.text == "L meets @Bob at @[Le Dôme]"
    assert out.unknown == ("Bob", "Le Dôme")
    assert not out.ok
    assert [str(p) for p in out.problems] == [
        "@Bob is not in the bible",
        "@[Le Dôme] is not in the bible",
    ]


def test_nested_mentions_expand_at_any_depth() -> None:
    known = entries(
        ("Léa", "a woman in @[Red Coat]"), ("Red Coat", "a @Wool coat"), ("Wool", "red")
    )
    out = expand("@Léa", known)
    assert out.text == "a woman in a red coat"
    assert out.used == ("Léa", "Red Coat", "Wool")


def test_an_unknown_name_inside_a_description_says_where() -> None:
    out = expand("@Léa", entries(("Léa", "with @Bob")))
    assert str(out.problems[0]) == "@Bob is not in the bible (in the description of @Léa)"


def test_a_cycle_is_refused_with_its_path() -> None:
    out = expand("@A", entries(("A", "a @B"), ("B", "b @A")))
    assert not out.ok
    assert str(out.problems[0]) == "@A mentions itself: @A → @B → @A (in the description of @B)"
    assert out.text == "a b @A"


def test_an_explosive_expansion_is_refused() -> None:
    names = [f"N{i}" for i in range(30)]
    known = entries(*[(n, f"@{names[i + 1]} @{names[i + 1]}") for i, n in enumerate(names[:-1])])
    out = expand("@N0", known)
    assert not out.ok and out.text == "@N0"
    assert f"more than {MAX_EXPANDED_CHARS} characters" in str(out.problems[0])


def test_rename_rewrites_every_spelling_and_nothing_else() -> None:
    text = "@léa and @[Léa], not @Léas nor @@Léa"
    assert rename_mentions(text, "Léa", "Léa Martin") == (
        "@[Léa Martin] and @[Léa Martin], not @Léas nor @@Léa"
    )


# --- properties -----------------------------------------------------------------------------------

LETTERS = st.characters(categories=("Lu", "Ll", "Nd"), exclude_characters="ǅǈǋǲ")
plain_names = st.text(LETTERS, min_size=1, max_size=12).filter(lambda n: n == n.strip())
spaced_names = st.lists(plain_names, min_size=2, max_size=3).map(" ".join)
names = st.one_of(plain_names, spaced_names, st.sampled_from(["Léa", "Café de Flore", "Zoë"]))
# Text with no "@" at all: what surrounds mentions.
filler = st.text(st.characters(exclude_characters="@[]", exclude_categories=("Cs",)), max_size=20)


@settings(max_examples=200, deadline=None)
@given(name=names)
def test_any_name_can_be_mentioned_and_found_again(name: str) -> None:
    text = f"x {mention_of(name)} y"
    found = find_mentions(text)
    assert [name_key(m.name) for m in found] == [name_key(name)]


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.tuples(filler, names), max_size=4), tail=filler, description=filler)
def test_every_known_mention_is_replaced_and_the_rest_kept(
    parts: list[tuple[str, str]], tail: str, description: str
) -> None:
    known = entries(*[(n, description) for _f, n in parts])
    # A separator keeps the mention from gluing onto the filler before it ("a@b" is text).
    text = "".join(f"{f} {mention_of(n)} " for f, n in parts) + tail
    out = expand(text, known)
    assert out.ok
    expected = "".join(f"{f} {description or known[name_key(n)].name} " for f, n in parts)
    assert out.text == expected + tail


@settings(max_examples=200, deadline=None)
@given(text=filler, name=names)
def test_double_at_always_gives_a_literal_at(text: str, name: str) -> None:
    escaped = text.replace("x", "@@") + f" @@{name}"
    out = expand(escaped, entries((name, "EXPANDED")))
    assert out.ok and "EXPANDED" not in out.text
    assert out.text == text.replace("x", "@") + f" @{name}"


@settings(max_examples=200, deadline=None)
@given(known=st.lists(names, max_size=3), unknown=names)
def test_an_unknown_name_is_always_reported_and_never_expanded(
    known: list[str], unknown: str
) -> None:
    table = entries(*[(n, "K") for n in known if name_key(n) != name_key(unknown)])
    out = expand(f"see {mention_of(unknown)}", table)
    assert not out.ok
    assert [name_key(u) for u in out.unknown] == [name_key(unknown)]
    assert out.text == f"see {mention_of(unknown)}"


@settings(max_examples=100, deadline=None)
@given(chain=st.lists(names, min_size=1, max_size=5, unique_by=name_key), loop=st.booleans())
def test_nested_chains_expand_fully_and_loops_are_always_refused(
    chain: list[str], loop: bool
) -> None:
    # Each entry mentions the next; the last one mentions the first (loop) or says "END".
    pairs = [(n, f"<{mention_of(chain[i + 1])}>") for i, n in enumerate(chain[:-1])]
    pairs.append((chain[-1], f"<{mention_of(chain[0])}>" if loop else "<END>"))
    out = expand(mention_of(chain[0]), entries(*pairs))
    if loop:
        assert [p.kind for p in out.problems] == ["cycle"]
        assert out.problems[0].chain[0] == out.problems[0].chain[-1]
    else:
        assert out.ok
        assert out.text == "<" * len(chain) + "END" + ">" * len(chain)
        assert len(out.used) == len(chain)


@settings(max_examples=200, deadline=None)
@given(parts=st.lists(st.tuples(filler, names), max_size=4), old=names, new=names)
def test_renaming_then_expanding_is_expanding_under_the_old_name(
    parts: list[tuple[str, str]], old: str, new: str
) -> None:
    assume(name_key(old) == name_key(new) or all(name_key(n) != name_key(new) for _f, n in parts))
    text = "".join(f"{f} {mention_of(n)} " for f, n in parts)
    others = [n for _f, n in parts if name_key(n) not in {name_key(old), name_key(new)}]
    before = entries(*[(n, "O") for n in others], (old, "RENAMED"))
    after = entries(*[(n, "O") for n in others], (new, "RENAMED"))
    assert expand(rename_mentions(text, old, new), after).text == expand(text, before).text
