"""Fault suite, inputs half: hostile files per reader, keyring backends, the sanitizer.

Every hostile input to a reader (answers file, operator CSV, operator JSON, the index)
must end the same way: exit 2, one French line on stderr, no traceback, and nothing
written. Every keyring backend that does not keep secrets with the OS must leave no
form of the phone number in any file. The sanitizer must show every invisible format
character and every undecodable file-name byte as a visible escape. The last test
prints how many cases each class ran (docs/reliability.md reports them).
"""

from __future__ import annotations

import base64
import os
import sys
import tomllib
import unicodedata
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import ClassVar

import keyring
import pytest
from hypothesis import given
from hypothesis import strategies as st
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from conftest import FAULT_COUNTS
from keyring_backends import MemoryKeyring
from tracesguide.operators.formats import MAX_FILE_BYTES
from tracesguide.operators.index import MAX_INDEX_BYTES, index_path
from tracesguide.state import validate
from tracesguide.system import secrets
from tracesguide.system.sanitize import hidden_characters, hidden_rule, inert, visible
from tracesguide.wizard.answers import MAX_BYTES as ANSWERS_MAX

ROOT = Path(__file__).resolve().parents[1]
EXAMPLE = ROOT / "docs" / "examples" / "answers.toml"


class _Counts:
    """How many cases each class ran, kept in the run's summary (``faults: inputs, …``),
    which adds up every test worker's counts."""

    def __getitem__(self, name: str) -> int:
        return FAULT_COUNTS.get(f"inputs, {name}", 0)

    def __setitem__(self, name: str, value: int) -> None:
        FAULT_COUNTS[f"inputs, {name}"] = value


COUNTS = _Counts()

# --- hostile files ---------------------------------------------------------------------

Maker = Callable[[Path], Path]


def _bytes(data: bytes) -> Maker:
    def make(path: Path) -> Path:
        path.write_bytes(data)
        return path

    return make


def _fifo(path: Path) -> Path:
    os.mkfifo(path)
    return path


def _dev_zero(path: Path) -> Path:
    path.symlink_to("/dev/zero")
    return path


def _folder(path: Path) -> Path:
    path.mkdir()
    return path


def _huge(limit: int) -> Maker:
    def make(path: Path) -> Path:
        with path.open("wb") as handle:  # sparse: no disk used
            handle.truncate(limit + 1)
        return path

    return make


def _sqlite(path: Path, damage: Callable[[bytes], bytes] | None) -> Path:
    """A SQLite database at *path*: another program's (no damage), or our index damaged."""
    import sqlite3

    from tracesguide.operators.index import Described, write_index
    from tracesguide.operators.model import Operator

    if damage is None:
        with sqlite3.connect(path) as connection:
            connection.execute("CREATE TABLE operators (name TEXT)")
        connection.close()
        return path
    write_index([Operator("Moulin")] * 300, 0, Described("x"), path)
    path.write_bytes(damage(path.read_bytes()))
    return path


DIGITS = "1" * 4400
JUNK = bytes(range(256)) * 8
COMMON: dict[str, Maker] = {
    "fifo": _fifo,
    "dev_zero": _dev_zero,
    "folder": _folder,
    "binary_junk": _bytes(JUNK),
    "dangling_link": lambda path: (path.symlink_to(path.parent / "gone"), path)[1],
}
HOSTILE: dict[str, dict[str, Maker]] = {
    "answers": {
        **COMMON,
        "huge": _huge(ANSWERS_MAX),
        "deep_nesting": _bytes(b"a = " + b"[" * 5000 + b"]" * 5000),
        "deep_tables": _bytes(b"a = " + b"{b = " * 3000 + b"1" + b"}" * 3000),
        "huge_integer": _bytes(f"first_name = {DIGITS}\n".encode()),
        "bad_utf8": _bytes(b'first_name = "\xff\xfe"\n'),
    },
    "csv": {
        **COMMON,
        "huge": _huge(MAX_FILE_BYTES),
        "bad_utf8": _bytes(b"name\n\x81\x8d\x8f\n"),
        "field_past_csv_limit": _bytes(b'name\n"' + b"x\n" * 70_000 + b'"\n'),
        "no_name_column": _bytes(b"a,b\n1,2\n"),
        "empty": _bytes(b"   \n"),
    },
    "json": {
        **COMMON,
        "huge": _huge(MAX_FILE_BYTES),
        "deep_nesting": _bytes(b"[" * 100_000 + b"]" * 100_000),
        "huge_integer": _bytes(f'[{{"name": {DIGITS}}}]'.encode()),
        "bad_utf8": _bytes(b'[{"name": "\x81\x8d"}]'),
        "truncated": _bytes(b'[{"name": "a'),
        "not_a_list": _bytes(b'{"name": "a"}'),
    },
    "index": {
        **COMMON,
        "huge": _huge(MAX_INDEX_BYTES),
        "deep_nesting": _bytes(b"[" * 100_000 + b"]" * 100_000 + b"\n"),
        "old_text_index": _bytes(
            b'{"format": "tracesguide-operators-index", "version": 1, "rows": '
            + DIGITS.encode()
            + b', "blocks": [0, 0, 1, 0]}\n\n'
        ),
        "foreign_database": lambda path: _sqlite(path, None),
        "cut_database": lambda path: _sqlite(path, lambda data: data[: len(data) // 2]),
        "newer_database": lambda path: _sqlite(
            path, lambda data: data[:60] + (9).to_bytes(4, "big") + data[64:]
        ),
        "scribbled_database": lambda path: _sqlite(
            path, lambda data: data[:4096] + b"\xa5" * (len(data) - 4096)
        ),
        "bad_utf8": _bytes(b"\xff\xfe\n"),
    },
}
CASES = [(reader, kind) for reader, kinds in HOSTILE.items() for kind in kinds]


def assert_one_french_line(result: object) -> None:
    code, out, err = result.code, result.out, result.err  # type: ignore[attr-defined]
    assert code == 2, (code, out, err)
    assert "Traceback" not in err and "Error" not in err, err
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("tracesguide: erreur"), err


@pytest.mark.parametrize(("reader", "kind"), CASES, ids=[f"{r}-{k}" for r, k in CASES])
def test_a_hostile_file_is_one_french_line_and_nothing_written(
    cli, tmp_path: Path, reader: str, kind: str
) -> None:  # type: ignore[no-untyped-def]
    make = HOSTILE[reader][kind]
    state = tmp_path / "state.toml"
    if reader == "answers":
        result = cli(
            "setup", "--answers", str(make(tmp_path / "answers.toml")), "--state", str(state)
        )
        assert not state.exists()
    elif reader in ("csv", "json"):
        result = cli("operators", "import", str(make(tmp_path / f"directory.{reader}")))
        assert not index_path().exists() and not index_path().is_symlink()
        assert not index_path().parent.exists() or not list(index_path().parent.iterdir())
    else:
        index_path().parent.mkdir(parents=True)
        make(index_path())
        before = sorted(index_path().parent.iterdir())
        result = cli("operators", "search", "moulin")
        assert sorted(index_path().parent.iterdir()) == before
    if kind == "dangling_link" and reader == "index":  # no index: the sample is searched
        assert result.code in (0, 1), result.err
    else:
        assert_one_french_line(result)
    COUNTS[f"hostile file: {reader}"] += 1


def test_index_info_on_hostile_headers(cli) -> None:  # type: ignore[no-untyped-def]
    index_path().parent.mkdir(parents=True)
    kinds = ("folder", "fifo", "deep_nesting", "old_text_index", "bad_utf8", "binary_junk")
    for kind in (*kinds, "foreign_database", "cut_database", "newer_database"):
        for leftover in index_path().parent.iterdir():
            leftover.rmdir() if leftover.is_dir() else leftover.unlink()
        HOSTILE["index"][kind](index_path())
        assert_one_french_line(cli("operators", "info"))
        COUNTS["hostile file: index"] += 1


def test_an_operator_name_the_state_would_refuse_is_never_stored(cli, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    """501 characters, or 500 that grow past 500 once their invisible characters are shown."""
    too_long = "A" * (validate.ANSWER_MAX_CHARS + 1)
    hidden = "B" * (validate.ANSWER_MAX_CHARS - 2) + "\u200b"
    csv = tmp_path / "d.csv"
    csv.write_text(f"name,traces_number\n{too_long},X-1\n{hidden},X-2\nGood,X-3\n", "utf-8")
    result = cli("operators", "search", "--directory", str(csv), "--traces-number", "X-1")
    assert result.code == 1 and "2 lignes invalides ignorées" in result.err
    answers = tomllib.loads(EXAMPLE.read_text("utf-8"))
    answers.pop("problems", None)
    for name in (too_long, "Cam\u200bille SARL"):
        answers["operator_name"] = name
        file = tmp_path / "answers.toml"
        file.write_text("".join(f'{k} = "{v}"\n' for k, v in answers.items()), "utf-8")
        state = tmp_path / "state.toml"
        assert_one_french_line(cli("setup", "--answers", str(file), "--state", str(state)))
        # refused when the file is read, or at its step (the steps before it saved): the
        # name never reaches the state, which stays readable
        if state.exists():
            assert name not in state.read_text("utf-8")
            assert cli("status", "--state", str(state)).code in (0, 1)
            state.unlink()
        COUNTS["bounds: answer refused on write"] += 1
    answers["operator_name"] = "C" * validate.ANSWER_MAX_CHARS  # the longest accepted
    file.write_text("".join(f'{k} = "{v}"\n' for k, v in answers.items()), "utf-8")
    assert cli("setup", "--answers", str(file), "--state", str(state)).code == 0
    assert cli("status", "--state", str(state)).code in (0, 1)  # and read back
    COUNTS["bounds: answer refused on write"] += 1


# --- keyring backends ------------------------------------------------------------------

NUMBER = "+33612345678"


def forms_of_the_number() -> set[bytes]:
    texts = {NUMBER, NUMBER[1:], "0612345678", "612345678", "06 12 34 56 78", "+33 6 12 34 56 78"}
    forms: set[bytes] = set()
    for text in texts:
        raw = text.encode()
        forms |= {raw, raw.hex().encode(), raw.hex().upper().encode()}
        forms |= {base64.b64encode(raw), base64.urlsafe_b64encode(raw)}
        forms.add(base64.b64encode(raw).rstrip(b"="))
    return forms


def files_holding_the_number(root: Path) -> list[Path]:
    forms = forms_of_the_number()
    found = []
    for path in root.rglob("*"):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if any(form in data for form in forms):
                found.append(path)
    return found


def _plaintext() -> KeyringBackend:
    from keyrings.alt.file import PlaintextKeyring

    return PlaintextKeyring()  # type: ignore[no-untyped-call]


def _chainer_of(*members: Callable[[], KeyringBackend]) -> KeyringBackend:
    class Chain(chainer.ChainerBackend):
        backends: ClassVar[list[KeyringBackend]] = [make() for make in members]  # type: ignore[misc]

    return Chain()


class UnknownKeyring(MemoryKeyring):
    """A backend we know nothing about: not an OS keyring, so not used."""


UNSAFE: dict[str, Callable[[], KeyringBackend]] = {
    "keyrings.alt plaintext": _plaintext,
    "chainer of keyrings.alt plaintext": lambda: _chainer_of(_plaintext),
    "null": null.Keyring,
    "fail": fail.Keyring,
    "unknown backend": UnknownKeyring,
}


@pytest.fixture
def keyring_backend() -> Iterator[Callable[[KeyringBackend], None]]:
    previous = keyring.get_keyring()
    yield keyring.set_keyring
    keyring.set_keyring(previous)


@pytest.mark.parametrize("name", list(UNSAFE))
def test_no_file_ever_holds_the_number_without_an_os_keyring(
    cli, tmp_path: Path, isolated_home: Path, keyring_backend, name: str
) -> None:  # type: ignore[no-untyped-def]
    keyring_backend(UNSAFE[name]())
    state = isolated_home / "state.toml"
    result = cli("setup", "--answers", str(EXAMPLE), "--state", str(state))
    assert result.code == 0, result.err
    assert result.out.count("Aucun trousseau") == 1  # said once
    assert secrets.read_phone() is None
    assert state.is_file() and not files_holding_the_number(tmp_path)
    COUNTS["keyring: unsafe backend refused"] += 1


def test_the_default_keyring_with_keyrings_alt_installed_is_refused(
    tmp_path: Path, isolated_home: Path
) -> None:
    """A fresh process, keyring choosing its own backend: keyrings.alt's, never used."""
    import subprocess

    env = {**os.environ, "TRACESGUIDE_TRUSTED_KEYRING": ""}
    env.pop("PYTHON_KEYRING_BACKEND", None)
    state = isolated_home / "state.toml"
    command = [sys.executable, "-m", "tracesguide", "setup", "--answers", str(EXAMPLE)]
    done = subprocess.run(
        [*command, "--state", str(state)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert "Aucun trousseau" in done.stdout
    assert not files_holding_the_number(tmp_path)
    COUNTS["keyring: unsafe backend refused"] += 1


def test_the_chainer_is_resolved_to_its_os_member(keyring_backend) -> None:  # type: ignore[no-untyped-def]
    memory = MemoryKeyring()
    keyring_backend(_chainer_of(_plaintext, lambda: memory))
    assert secrets.store_phone(NUMBER)
    assert memory.store == {(secrets.SERVICE, secrets.PHONE): NUMBER}
    assert secrets.read_phone() == NUMBER
    secrets.forget_phone()
    assert memory.store == {}
    for name in sorted(secrets.OS_BACKENDS):
        assert name.startswith("keyring.backends.")
    COUNTS["keyring: chainer resolved"] += 1


# --- untrusted text --------------------------------------------------------------------

ALL_CF = [chr(c) for c in range(0x110000) if unicodedata.category(chr(c)) == "Cf"]


def test_the_list_of_hidden_characters_holds_every_cf_character() -> None:

    hidden = hidden_rule()
    assert all(hidden.match(c) for c in ALL_CF)
    COUNTS["sanitizer: cases"] += len(ALL_CF)


@given(
    st.text(st.characters(blacklist_categories=("Cc",))),
    st.lists(st.sampled_from([*ALL_CF, "\udce9", "\udc80", "\ud800"]), min_size=1),
)
def test_invisible_characters_are_always_shown(text: str, hidden: list[str]) -> None:
    mixed = "".join(a + b for a, b in zip(text + " " * len(hidden), hidden, strict=False)) + text
    for shown in (inert(mixed), inert(mixed, single_line=True), visible(mixed)):
        assert not any(unicodedata.category(c) in ("Cf", "Cs") for c in shown)
        assert shown.count("⟨") >= len(hidden)
        shown.encode("utf-8")  # printable: no lone surrogate left
    for check in (validate.name, validate.stored_text, validate.email):
        with pytest.raises(validate.Invalid, match="invisible"):
            check(mixed)
    COUNTS["sanitizer: cases"] += 1


def test_zero_width_names_are_refused_with_the_character_shown() -> None:
    with pytest.raises(validate.Invalid) as caught:
        validate.name("Cam\u200bille")
    assert "⟨U+200B⟩" in str(caught.value)
    assert inert("Cam\u200bille") == "Cam⟨U+200B⟩ille"
    assert inert("caf\udce9.toml") == "caf⟨0xE9⟩.toml"  # a Latin-1 byte of a file name
    assert hidden_characters("ok") == []
    COUNTS["sanitizer: cases"] += 3
