"""``operators fetch``: download the public directory into the index, slice by slice,
with a progress bar on a terminal; ``print_fetch_info`` is ``operators info`` for it.
"""

from typing import TYPE_CHECKING

from tracesguide.cli.operators.output import (
    clean,
    date_text,
    number,
    operators,
    report_problems,
    say,
    slice_line,
)
from tracesguide.system.errors import TracesguideError, shorten
from tracesguide.views.progress import fetch_progress

if TYPE_CHECKING:
    from tracesguide.operators import IndexInfo


def fetch(
    countries: list[str] | None,
    statuses: list[str] | None,
    delay: float,
    timeout: float,
    restart: bool,
    max_time: float = 21_600.0,
) -> None:
    """Download the public directory into the index; its help is in the catalog."""
    from tracesguide.i18n import t
    from tracesguide.operators.fetch import Settings, base_url_from_env, fetch_directory

    for name, value in (("--delay", delay), ("--timeout", timeout), ("--max-time", max_time)):
        _finite(name, value)
    countries = _fetch_countries(countries or ["FR"])
    statuses = _fetch_statuses(statuses or ["ISSUED"])
    settings = Settings(base_url_from_env(), delay=delay, timeout=timeout, max_time=max_time)
    say(t("fetch.starting", url=clean(settings.query_url)))
    with fetch_progress() as progress:
        result = fetch_directory(countries, statuses, settings, progress=progress, restart=restart)
    if result.resumed_records:
        say(t("fetch.resumed", records=number(result.resumed_records)))
    info = result.info
    print(t("fetch.done", operators=operators(info.rows), url=clean(settings.query_url)))
    for count in result.slices:
        print(slice_line(count.country, count.status, count.records, count.total))
        if count.unreachable:
            print(t("fetch.slice_unreachable", missing=number(count.unreachable)))
    print(t("fetch.index", path=clean(str(info.path))))
    report_problems(result.problems)


def _finite(option: str, value: float) -> None:
    """click's ranges let ``nan`` through (every comparison with it is false)."""
    import math

    from tracesguide.i18n import t

    if not math.isfinite(value):
        raise TracesguideError(t("fetch.bad_number", option=option, value=str(value)))


def _fetch_countries(values: list[str]) -> list[str]:
    from tracesguide.i18n import t
    from tracesguide.operators.normalize import country_code

    codes: list[str] = []
    for value in values:
        code = country_code(value)
        if len(code) != 2 or not code.isascii() or not code.isalpha():
            raise TracesguideError(
                t("fetch.bad_country", value=shorten(clean(value))), t("fetch.bad_country_hint")
            )
        codes.append(code.upper())
    return list(dict.fromkeys(codes))


def _fetch_statuses(values: list[str]) -> list[str]:
    import re

    from tracesguide.i18n import t

    statuses = [value.strip().upper() for value in values]
    for value, status in zip(values, statuses, strict=True):
        if not re.fullmatch(r"[A-Z_]{3,30}", status):
            raise TracesguideError(
                t("fetch.bad_status", value=shorten(clean(value))), t("fetch.bad_status_hint")
            )
    return list(dict.fromkeys(statuses))


def print_fetch_info(info: "IndexInfo") -> None:
    """``operators info`` for a downloaded index: source URL, date, slices and counts."""
    from tracesguide.i18n import t

    fetched = info.fetch or {}
    print(t("fetch.info_source", url=clean(str(fetched.get("url", info.origin)))))
    print(t("fetch.info_when", operators=operators(info.rows), date=date_text(info.imported_at)))
    if info.skipped:
        print(t("fetch.info_skipped", records=number(info.skipped)))
    slices = fetched.get("slices")
    for item in slices if isinstance(slices, list) else []:
        if isinstance(item, dict):
            get = item.get
            print(slice_line(get("country"), get("status"), get("records"), get("total")))
    print(t("fetch.index", path=clean(str(info.path))))
