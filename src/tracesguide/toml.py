"""One TOML reader for the whole package.

tomli is the library the standard ``tomllib`` was taken from; its wheels are compiled
with mypyc and parse about three times faster (1.4 ms against 4 ms for the French
content here), which the reading commands' start-up and ``check`` over thousands of
files feel. Where no compiled wheel exists, the standard library is the same parser.
"""

try:
    from tomli import TOMLDecodeError, loads
except ImportError:  # pragma: no cover - tomli is a dependency; this keeps us honest
    from tomllib import TOMLDecodeError, loads  # type: ignore[assignment]

__all__ = ["TOMLDecodeError", "loads"]
