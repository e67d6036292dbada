"""The one TOML reader of the whole tool: TOML 1.1.0, through tomli (>= 2.4).

Content, state files, answers files, operator files and the message catalog are all
parsed by ``loads`` below, so a file means the same thing wherever it is read
(``docs/state-file.md`` says which TOML version is accepted). tomli is the library the
standard ``tomllib`` was taken from; its wheels are compiled with mypyc and parse about
three times faster, which the reading commands' start-up and ``check`` feel. There is
deliberately no fallback to ``tomllib``: on Python < 3.15 it reads TOML 1.0, another
dialect.
"""

from tomli import TOMLDecodeError, loads

__all__ = ["TOMLDecodeError", "loads"]
