"""The gettext catalogues' tools, with Babel (a development dependency: the Lambda package does not need it).

``python -m devstack.translations update`` (``make translations``) extracts every text of the code and the
templates (``babel.cfg``) and updates ``chalicelib/locale/<language>/LC_MESSAGES/baken.po``: a new or changed
Dutch text appears in the English catalogue untranslated or marked fuzzy, and an obsolete one is dropped. The
Dutch catalogue mirrors the message ids, which are the Dutch texts themselves. ``compile`` writes the ``.mo``
files the runtime reads (``make setup`` does that, and so every target that needs Baken to run).
"""

from __future__ import annotations

import argparse
import io
import os
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import CommandLineInterface, parse_keywords, parse_mapping_cfg
from babel.messages.pofile import read_po, write_po

ROOT = Path(__file__).resolve().parents[1]
MAPPING = ROOT / "babel.cfg"
LOCALE_DIR = ROOT / "chalicelib" / "locale"
DOMAIN = "baken"
TEMPLATE = ROOT / "build" / f"{DOMAIN}.pot"
SOURCE_LANGUAGE = "nl"
LANGUAGES = ("nl", "en")
# Besides Babel's defaults (_, gettext, ngettext, pgettext, N_, ...): NP_, a text with a context (chalicelib/i18n.py).
KEYWORDS = ("NP_:1c,2",)
COMMENT_TAG = "Translators:"
SOURCES = ("chalicelib", "templates")


def catalogue(language: str) -> Path:
    """The ``.po`` file of ``language``."""
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"


def pybabel(*arguments: str | Path) -> None:
    """Run a ``pybabel`` command in the project root (paths relative to it, as the catalogues name them)."""
    here = Path.cwd()
    os.chdir(ROOT)
    try:
        CommandLineInterface().run(["pybabel", *(str(a.relative_to(ROOT)) if isinstance(a, Path) else a for a in arguments)])
    finally:
        os.chdir(here)


def extract(output: Path = TEMPLATE) -> None:
    """Every text of the code and the templates, into the ``.pot`` template ``output``."""
    output.parent.mkdir(parents=True, exist_ok=True)
    keywords = [argument for keyword in KEYWORDS for argument in ("-k", keyword)]
    pybabel(
        "extract", "-F", MAPPING, *keywords, "-c", COMMENT_TAG, "--add-location=file", "--sort-output", "--no-wrap",
        "--project=Baken", "-o", output, *SOURCES,
    )  # fmt: skip


def extracted() -> Catalog:
    """What ``extract`` finds, read with Babel's API (no file written): the same mapping and keywords."""
    with MAPPING.open(encoding="utf-8") as file:
        method_map, options_map = parse_mapping_cfg(file, str(MAPPING))
    keywords = {**DEFAULT_KEYWORDS, **parse_keywords(list(KEYWORDS))}
    found = Catalog(project="Baken")
    for source in SOURCES:
        for filename, line, message, comments, context in extract_from_dir(
            ROOT / source, method_map, options_map, keywords, comment_tags=(COMMENT_TAG,), strip_comment_tags=True
        ):
            found.add(message, None, [(f"{source}/{filename}", line)], auto_comments=comments, context=context)
    return found


def mirror_source(path: Path) -> None:
    """The Dutch catalogue: each message's translation is its id, the Dutch text itself."""
    with path.open("rb") as file:
        source: Catalog = read_po(file)
    for message in source:
        if message.id:
            message.string = message.id
            message.flags.discard("fuzzy")
            message.previous_id = []
    with path.open("wb") as file:
        write_po(file, source, width=0, sort_output=True, include_previous=False)


def update() -> None:
    """Extract, then bring each catalogue up to date with the texts in the code. A catalogue whose entries did
    not change keeps its file as it was (only the extraction date in its header would differ)."""
    extract()
    before = {language: catalogue(language).read_bytes() for language in LANGUAGES if catalogue(language).exists()}
    for language in LANGUAGES:
        if language not in before:
            pybabel("init", "-i", TEMPLATE, "-d", LOCALE_DIR, "-D", DOMAIN, "-l", language, "--no-wrap")
    pybabel(
        "update", "-i", TEMPLATE, "-d", LOCALE_DIR, "-D", DOMAIN, "--ignore-obsolete", "--previous", "--no-wrap"
    )  # fmt: skip
    mirror_source(catalogue(SOURCE_LANGUAGE))
    for language, content in before.items():
        if _entries(catalogue(language).read_bytes()) == _entries(content):
            catalogue(language).write_bytes(content)


def _entries(content: bytes) -> list[tuple[object, ...]]:
    """What a catalogue says, without its header: each entry's id, context, translation, flags and comments."""
    parsed = read_po(io.BytesIO(content))
    return [(m.id, m.context, m.string, sorted(m.flags), m.auto_comments, m.locations) for m in parsed if m.id]


def compile_catalogues() -> None:
    """The ``.mo`` file of every catalogue, which the runtime reads with the standard library."""
    pybabel("compile", "-d", LOCALE_DIR, "-D", DOMAIN, "--statistics")


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m devstack.translations", description=__doc__.split("\n\n")[0])
    parser.add_argument("command", choices=("update", "compile"))
    if parser.parse_args().command == "update":
        update()
    else:
        compile_catalogues()


if __name__ == "__main__":
    main()
