"""deckbuilder.yaml and front matter: settings that steer the deck, validated for people."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import SEED_NOTES, card_texts, copy_seed, import_apkg, run_cli


def write(folder: Path, text: str) -> Path:
    path = folder / "deckbuilder.yaml"
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    "yaml_text, message",
    [
        ("extractors:\n  star: maybe\n", "deckbuilder.yaml: extractors.star: expected true or false"),
        ("extractors:\n  stars: false\n", "deckbuilder.yaml: extractors.stars: unknown extractor; expected one of:"),
        ("extractors: [star]\n", "deckbuilder.yaml: extractors: expected a mapping of extractor names"),
        ("deck: ''\n", "deckbuilder.yaml: deck: expected a non-empty text"),
        ("output: out/deck.zip\n", "deckbuilder.yaml: output: expected a file name ending in .apkg"),
        ("tag_prefix: my tags\n", "deckbuilder.yaml: tag_prefix: expected letters, digits"),
        ("templates: nowhere\n", "deckbuilder.yaml: templates: no such folder"),
        ("documents:\n  a.md:\n    skip: 1\n", "deckbuilder.yaml: documents.a.md.skip: expected true or false"),
        ("- just\n- a list\n", "expected a mapping of settings"),
    ],
)
def test_validation_messages(tmp_path: Path, yaml_text: str, message: str) -> None:
    copy_seed(tmp_path)
    write(tmp_path, yaml_text)
    result = run_cli("build", str(tmp_path), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 1
    assert message in result.stderr
    assert not (tmp_path / "d.apkg").exists()


def test_all_problems_are_reported_at_once(tmp_path: Path) -> None:
    copy_seed(tmp_path)
    write(tmp_path, "deck: ''\nextractors:\n  star: maybe\n  themes: 0\n")
    errors = [x for x in run_cli("build", str(tmp_path)).stderr.splitlines() if x.startswith("error:")]
    assert len(errors) == 3


def test_unknown_keys_warn(tmp_path: Path) -> None:
    copy_seed(tmp_path)
    write(tmp_path, "colour: blue\n")
    result = run_cli("build", str(tmp_path), "-o", str(tmp_path / "d.apkg"))
    assert result.exit_code == 0
    assert "warning: deckbuilder.yaml: unknown key 'colour' (ignored" in result.stderr


def test_settings_shape_the_deck(tmp_path: Path, collection) -> None:
    guides = tmp_path / "guides"
    copy_seed(guides)
    (guides / "skipped.md").write_text("# Other\n\n## Common Questions\n1. Why do you want this job?\n")
    write(guides, (
        "deck: My Prep\noutput: prep.apkg\ntag_prefix: prep\n"
        "extractors:\n  metrics: false\n"
        "documents:\n  initiative-proactivity.md:\n    deck: Initiative\n  skipped.md:\n    skip: true\n"
    ))
    out = tmp_path / "out"
    result = run_cli("build", str(guides), "-o", str(out))
    assert result.exit_code == 0, result.output
    assert f"{SEED_NOTES - 6} notes" in result.stdout  # less the 6 metrics
    import_apkg(collection, out / "prep.apkg")
    cards = card_texts(collection)
    assert {c["deck"] for c in cards} == {"My Prep::Initiative"}
    assert all(tag.startswith("prep::") for c in cards for tag in c["tags"].split())
    assert not any("Why do you want this job" in c["q"] for c in cards)


def test_front_matter_takes_document_settings(tmp_path: Path) -> None:
    guides = tmp_path / "guides"
    seed = copy_seed(guides)
    seed.write_text("---\ndeck: Initiative\nextractors:\n  questions: false\n---\n" + seed.read_text())
    (guides / "draft.md").write_text("---\nskip: true\n---\n# Draft\n\n## Common Questions\n1. Why us?\n")
    result = run_cli("cards", str(guides), "--format", "json")
    assert result.exit_code == 0
    import json

    rows = json.loads(result.stdout)
    assert {r["deck"] for r in rows} == {"Interview Prep::Initiative"}
    assert not [r for r in rows if r["kind"] == "question"]
    assert len(rows) == SEED_NOTES - 24
    assert rows[0]["source"].endswith("initiative-proactivity.md:37")  # lines count from the file's top


def test_bad_front_matter_setting(tmp_path: Path) -> None:
    (tmp_path / "a.md").write_text("---\nskip: sometimes\n---\n# A\n")
    result = run_cli("build", str(tmp_path))
    assert result.exit_code == 1
    assert "a.md: front matter.skip: expected true or false" in result.stderr


def test_explicit_config_option(tmp_path: Path) -> None:
    copy_seed(tmp_path / "g")
    config = write(tmp_path, "deck: Elsewhere\n")
    result = run_cli("cards", str(tmp_path / "g"), "--config", str(config), "--format", "json")
    assert '"deck": "Elsewhere::Initiative & Proactivity"' in result.stdout
