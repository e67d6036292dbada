"""The state file: round trip, privacy, atomicity, locking, refusal of bad files."""

from __future__ import annotations

import multiprocessing
import stat
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from tracesguide.state import SCHEMA_VERSION, State, schema
from tracesguide.state import store as state_module
from tracesguide.system.errors import StateError

T0 = datetime(2026, 1, 31, 10, 2, tzinfo=UTC)


def sample_state() -> State:
    st = State.new(now=T0)
    st.answer("first_name", "Prénom", step="eu-login.form", now=T0)
    st.answer("email", "prenom.nom@exemple.fr", step="eu-login.form", now=T0)
    st.answer("phone_masked", "+33 6 •• •• •• 78", now=T0)
    st.record("done", "eu-login.welcome", now=T0)
    st.record("blocked", "operator.certificate", "en attente du certificat", now=T0)
    st.record("note", detail="appel à Certipaq BIO", now=T0)
    return st


def test_round_trip_keeps_everything(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    original = sample_state()
    state_module.save(original, path)
    loaded = state_module.load(path)
    assert loaded == original
    assert loaded.steps["operator.certificate"].reason == "en attente du certificat"
    assert [e.kind for e in loaded.events] == [
        "answer",
        "answer",
        "answer",
        "done",
        "blocked",
        "note",
    ]


def test_file_is_private_in_a_private_new_folder(tmp_path: Path) -> None:
    path = tmp_path / "new" / "deeper" / "state.toml"
    state_module.save(sample_state(), path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700


def test_write_leaves_no_temporary_file(tmp_path: Path) -> None:
    path = tmp_path / "folder" / "state.toml"
    for _ in range(3):
        state_module.save(sample_state(), path)
    assert sorted(p.name for p in path.parent.iterdir()) == ["state.toml", "state.toml.lock"]


def test_secret_answers_are_never_written(tmp_path: Path) -> None:
    st = State.new(now=T0)
    with pytest.raises(ValueError):
        st.answer("phone", "+33612345678")
    st.answers["phone"] = "+33612345678"  # even when set behind the API's back
    with pytest.raises(ValueError):
        state_module.save(st, tmp_path / "state.toml")
    assert not (tmp_path / "state.toml").exists()


def test_a_file_holding_a_secret_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    text = (
        state_module.dumps(sample_state())
        .decode()
        .replace("[answers]\n", '[answers]\npassword = "hunter2hunter2"\n')
    )
    path.write_text(text)
    with pytest.raises(StateError, match="password"):
        state_module.load(path)


def test_newer_schema_is_refused_with_an_upgrade_hint(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    text = state_module.dumps(sample_state()).decode()
    path.write_text(text.replace(f"schema_version = {SCHEMA_VERSION}", "schema_version = 99"))
    with pytest.raises(StateError) as info:
        state_module.load(path)
    assert "plus récente" in info.value.message
    assert info.value.hint is not None and "upgrade" in info.value.hint


def test_older_schema_is_migrated(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A future schema 2 that renames answers.name to answers.first_name: the chain
    # must run every migration from the file's version up to the current one.
    def one_to_two(doc: dict[str, Any]) -> dict[str, Any]:
        answers = doc.get("answers", {})
        if "name" in answers:
            answers["first_name"] = answers.pop("name")
        return doc

    monkeypatch.setattr(schema, "SCHEMA_VERSION", 2)
    monkeypatch.setitem(schema.MIGRATIONS, 1, one_to_two)
    path = tmp_path / "state.toml"
    old = state_module.dumps(State.new(now=T0)).decode()
    path.write_text(old.replace("[answers]\n", '[answers]\nname = "Prénom"\n'))
    before = path.read_bytes()
    loaded = state_module.load(path)
    assert loaded.schema_version == 2
    assert loaded.answers == {"first_name": "Prénom"}
    assert path.read_bytes() == before  # reading never rewrites


def test_missing_migration_is_a_clear_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(schema, "SCHEMA_VERSION", 3)
    path = tmp_path / "state.toml"
    path.write_text(state_module.dumps(State.new(now=T0)).decode())
    with pytest.raises(StateError, match="migration"):
        state_module.load(path)


def _writer(path: str, n: int, worker: int) -> None:
    for i in range(n):
        st = State.new(now=T0)
        for j in range(50):
            st.record("note", detail=f"writer {worker} round {i} note {j}", now=T0)
        state_module.save(st, Path(path))


def test_concurrent_writers_never_interleave(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    context = multiprocessing.get_context("spawn")
    workers = [context.Process(target=_writer, args=(str(path), 30, w)) for w in range(3)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(60)
        assert w.exitcode == 0
    loaded = state_module.load(path)  # always one whole file, never a mix
    assert len({e.detail.split(" round")[0] for e in loaded.events}) == 1
    assert len(loaded.events) == 50


def _hold_lock(path: str, ready: Any, release: Any) -> None:
    with state_module.locked(Path(path)):
        ready.set()
        release.wait(30)


def test_lock_held_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    context = multiprocessing.get_context("spawn")
    ready, release = context.Event(), context.Event()
    holder = context.Process(target=_hold_lock, args=(str(path), ready, release))
    holder.start()
    try:
        assert ready.wait(30)
        with (
            pytest.raises(StateError, match="autre tracesguide"),
            state_module.locked(path, timeout=0.2),
        ):
            pass
    finally:
        release.set()
        holder.join(30)
    with state_module.locked(path, timeout=5):  # free again once the other one is done
        pass


def test_the_lock_is_reentrant_within_one_process(tmp_path: Path) -> None:
    path = tmp_path / "state.toml"
    with state_module.locked(path):
        state_module.save(sample_state(), path)  # save takes the lock again: no deadlock
    assert state_module.load(path) == sample_state()


def test_the_engine_imports_only_the_state_model() -> None:
    import subprocess
    import sys

    code = (
        "import sys, tracesguide.engine; "
        "print(sorted(m for m in sys.modules if m.startswith('tracesguide.')))"
    )
    loaded = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert "tracesguide.state.model" in loaded
    for io_module in ("state.store", "state.schema", "files", "filelock"):
        assert f"'tracesguide.{io_module}'" not in loaded


def test_any_sequence_of_wizard_actions_gives_a_state_every_reader_accepts() -> None:
    import tempfile

    from hypothesis import given, settings
    from hypothesis import strategies as st

    from tracesguide.content import load
    from tracesguide.reports.check import Checked, run
    from tracesguide.state import EVENT_KINDS, FORBIDDEN_ANSWERS, MAX_ANSWER, MAX_TEXT
    from tracesguide.system.errors import TooLong

    content = load()
    keys = sorted({q.key for s in content.steps for q in s.ask} - FORBIDDEN_ANSWERS)
    steps = [s.id for s in content.steps]
    text = st.text(st.characters(codec="utf-8"), max_size=40) | st.text(
        st.sampled_from('aé\n"\\\x1b\u200b'), min_size=MAX_ANSWER - 2, max_size=MAX_TEXT + 2
    )
    action = st.tuples(
        st.sampled_from(["answer", *EVENT_KINDS]),
        st.sampled_from(steps),
        st.sampled_from(keys),
        text,
    )

    @settings(max_examples=60, deadline=None)
    @given(st.lists(action, max_size=30))
    def check(actions: list[tuple[str, str, str, str]]) -> None:
        saved = State.new(now=T0)
        for kind, step, key, value in actions:
            try:
                if kind == "answer":
                    saved.answer(key, value, step)
                else:
                    saved.record(kind, step, value)
            except TooLong:
                continue  # refused on write, as the reader would refuse it
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "s.toml"
            state_module.save(saved, path)
            assert state_module.load(path) == saved
            assert isinstance(next(run(content, [path], None)), Checked)

    check()
