"""Benchmark of the operator directory: import, search, top-3 accuracy, in paired runs.

Generates a directory of ``--rows`` operators (French, Belgian and German company names
with accents, small words and legal forms) as CSV and JSON, then, each command taking
turns with its yardstick (A B A B..., whole processes), prints the ratio of the medians:

- ``tracesguide operators import`` of the CSV, against reading it with ``csv.reader``;
  of the JSON, against ``json.load`` of it; with each import's peak memory;
- ``tracesguide operators search QUERY --json`` on the imported index, against a bare
  rapidfuzz ``process.extract`` over every normalised name (a process that reads the
  names from a text file and compares them all: what a search without an index costs);
- in process: the share of degraded queries (no accents, no small words, no legal form;
  then also one letter missing) whose operator is in the top 3, through the index's
  prefilter and by comparing every name, and how often the prefilter fell back to that.

Targets (issue 21, 2-core machine): search ≤ 1.0x the bare extract at 100 000 rows and
≤ 0.5x at 1 000 000, peak memory ≤ 150 MiB; import of 1 000 000 rows ≤ 10 s (CSV, JSON),
JSON peak ≤ 1 GiB; the same top-3 accuracy as comparing every name.

    python benchmarks/bench_operators.py [--rows 100000] [--pairs 7] [--queries 300]
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

FR_SURNAMES = (
    "Lefèvre Dupré Gérard Rivière Béranger Mérieux Chevalier Lemaître Faure Girard Bérard "
    "Durand Mercier Boucher Roussel Lambert Fontaine Chauvin Légaré Hébert Théron Céline "
    "Brosseau Périer Ménard Gauthier Marchand Vidal Clément Noël Besançon Dufrêne Guérin "
    "Barthélemy Poirier Delorme Renaud Bécaud Jourdain Laforêt Sénéchal Valéry Thibault"
).split()
FR_PLACES = (
    "Saint-Étienne Sèvres Nîmes Orléans Évreux Montélimar Pézenas Angoulême Béziers Mâcon "
    "Château-Thierry Forêt-Noire Île-de-Ré Val-d'Oise Genève Périgord Lorient Rodez Aubenas "
    "Gâtinais Vendée Quercy Cévennes Ardèche Morvan Léman Brière Aurillac Sarlat Millau "
    "Étampes Dieppe Fécamp Honfleur Valréas Apt Céret Prades Foix Oloron Dax Lectoure"
).split()
FR_THINGS = (
    "Coopérative agricole|Ferme|Les Jardins|Domaine|Moulin|L'Huilerie|La Fromagerie|"
    "Les Vergers|Biocoop|Épicerie fine|Maison|Comptoir des épices|Torréfaction|Brasserie|"
    "Miellerie|Les Salaisons|Distillerie|Conserverie|Pâtisserie|Verger bio|Herboristerie"
).split("|")
FR_FORMS = ("SARL", "SAS", "SA", "EURL", "SCEA", "EARL", "GAEC", "S.A.R.L.", "SASU")
NL_SURNAMES = (
    "Vermeulen Peeters Janssens Claes Maes Jacobs Mertens Willems Goossens Wouters De Smet "
    "Dubois Lambrechts Verstraete Van Damme Desmet Declercq Vandenberghe Hermans Coppens"
).split()
NL_PLACES = (
    "Wevelgem Gent Brugge Leuven Verrebroek Berchem Lichtervelde Kortrijk Roeselare Aalst "
    "Mechelen Hasselt Genk Lier Tielt Ieper Oostende Lokeren Geel Mol"
).split()
NL_THINGS = ("Biohoeve", "Trading", "Koffiebranderij", "Groenten", "Zaden en Granen", "Bakkerij")
NL_FORMS = ("bvba", "BV", "NV", "Comm.V.A.", "CVBA", "VOF")
DE_SURNAMES = (
    "Müller Schäfer Größer Köhler Böhm Jäger Krüger Weiß Schröder Bäumer Fuchs Hoffmann "
    "Schmitt Wölfle Käßmann Löffler Brückner Gärtner Hölzl Sänger Strauß Mößner Fürst"
).split()
DE_PLACES = (
    "Lüneburg München Würzburg Göttingen Tübingen Nürnberg Düsseldorf Köln Lübeck Fürth "
    "Gießen Bückeburg Schwäbisch Hall Öhringen Überlingen Mühldorf"
).split()
DE_THINGS = ("Ökohof", "Naturkost", "Bäckerei", "Mühle", "Biohof", "Gewürzhandel", "Kelterei")
DE_FORMS = ("GmbH", "GmbH & Co. KG", "AG", "KG", "e.K.", "UG")
FR_SMALL = ("de", "du", "des", "de la", "de l'")
SMALL_WORDS = frozenset({"de", "des", "du", "la", "le", "les", "l", "et", "en"})


@dataclass(frozen=True)
class Generated:
    body: str  # the name without its legal form
    form: str
    core: tuple[str, ...]  # the words a person would type (no small words, no legal form)
    country: str
    address: str

    @property
    def name(self) -> str:
        return f"{self.body} {self.form}"


def _fr(rng: random.Random) -> Generated:
    thing = rng.choice(FR_THINGS)
    surname, place = rng.choice(FR_SURNAMES), rng.choice(FR_PLACES)
    small = rng.choice(FR_SMALL)
    form = rng.choice(FR_FORMS)
    glue = small if small.endswith("'") else small + " "
    if rng.random() < 0.5:
        body = f"{thing} {glue}{place}"
        core = (*thing.replace("L'", "").replace("La ", "").replace("Les ", "").split(), place)
    else:
        body = f"{thing} {surname} et Fils"
        core = (*thing.replace("L'", "").replace("La ", "").replace("Les ", "").split(), surname)
        core = (*core, "Fils")
    number = rng.randint(1, 120)
    address = f"{number} rue {rng.choice(FR_SURNAMES)} {rng.randint(10, 95)}000 {place} France"
    return Generated(body, form, core, "FR", address)


def _be(rng: random.Random) -> Generated:
    thing, surname, form = rng.choice(NL_THINGS), rng.choice(NL_SURNAMES), rng.choice(NL_FORMS)
    place = rng.choice(NL_PLACES)
    body = f"{surname} {thing} {place}"
    core = (*surname.split(), *thing.replace(" en ", " ").split(), place)
    street = f"{rng.choice(NL_SURNAMES)}straat {rng.randint(1, 200)}"
    address = f"{street} {rng.randint(1000, 9999)} {place} Belgium"
    return Generated(body, form, core, "BE", address)


def _de(rng: random.Random) -> Generated:
    thing, surname, form = rng.choice(DE_THINGS), rng.choice(DE_SURNAMES), rng.choice(DE_FORMS)
    place = rng.choice(DE_PLACES)
    body = f"{thing} {surname} {place}"
    core = (thing, surname, *place.split())
    street = f"{rng.choice(DE_SURNAMES)}straße {rng.randint(1, 99)}"
    address = f"{street} {rng.randint(10000, 99999)} {place} Deutschland"
    return Generated(body, form, core, "DE", address)


def _plain(word: str) -> str:
    decomposed = unicodedata.normalize("NFKD", word.replace("ß", "ss"))
    return "".join(c for c in decomposed if not unicodedata.combining(c)).lower()


def generate(rows: int, seed: int) -> list[Generated]:
    """*rows* operators with distinct typed forms, so that the right answer is unambiguous."""
    rng = random.Random(seed)
    makers = (_fr, _fr, _be, _de)
    seen: set[str] = set()
    result: list[Generated] = []
    while len(result) < rows:
        item = rng.choice(makers)(rng)
        key = " ".join(_plain(w) for w in item.core if _plain(w) not in SMALL_WORDS)
        while key in seen:
            # Tell near-identical companies apart the way real ones are: by another place
            # (as many as it takes: a million names need two or three).
            extra = rng.choice(FR_PLACES + NL_PLACES + DE_PLACES)
            item = Generated(
                f"{item.body} {extra}", item.form, (*item.core, extra), item.country, item.address
            )
            key = " ".join(_plain(w) for w in item.core if _plain(w) not in SMALL_WORDS)
        seen.add(key)
        result.append(item)
    return result


def write_csv(items: Sequence[Generated], path: Path) -> None:
    # As a French spreadsheet exports it: UTF-8 with BOM, ";" separated, French headers.
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, delimiter=";")
        writer.writerow(["Nom", "Numéro TRACES", "Adresse", "Pays", "Activités"])
        for i, item in enumerate(items):
            writer.writerow(
                [
                    item.name,
                    f"{item.country}-ORG-OP-{i + 1}",
                    item.address,
                    item.country,
                    "Organic Importer (ORGANIC IMPORTER)",
                ]
            )


def write_json(items: Sequence[Generated], path: Path) -> None:
    records = [
        {
            "reference": f"{item.country}-BIO-01.528-{i:07d}.2025.001",
            "operatorIdentifier": f"{item.country}-ORG-OP-{i + 1}",
            "status": "VALID",
            "issuingBody": {"code": f"{item.country}-BIO-01", "name": "Control body"},
            "operator": {"name": item.name, "address": item.address},
            "activities": [{"name": "Import"}],
            "categoriesOfProduct": ["d"],
            "issuedOn": "2025-01-15",
            "expiresOn": "2026-06-30",
        }
        for i, item in enumerate(items)
    ]
    path.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")


def degraded(item: Generated, rng: random.Random, typo: bool) -> str:
    words = [_plain(w) for w in item.core if _plain(w) not in SMALL_WORDS]
    if typo:
        position = max(range(len(words)), key=lambda i: len(words[i]))
        word = words[position]
        cut = rng.randrange(1, len(word) - 1)
        words[position] = word[:cut] + word[cut + 1 :]  # one letter missing
    return " ".join(words)


def command() -> list[str]:
    """The tracesguide command; wires the operators group when cli.py does not yet."""
    from tracesguide.cli import app

    if any(group.name == "operators" for group in app.registered_groups):
        script = Path(sys.executable).with_name("tracesguide")
        return [str(script)] if script.exists() else [sys.executable, "-m", "tracesguide"]
    shim = (
        "from tracesguide.cli import app, main\n"
        "from tracesguide.cli.operators import operators_app\n"
        "app.add_typer(operators_app, name='operators')\n"
        "main()\n"
    )
    return [sys.executable, "-c", shim]


def median_ms(values: Sequence[float]) -> str:
    return f"{statistics.median(values) * 1000:.1f} ms (min {min(values) * 1000:.1f})"


# Runs a command and reports its own wall time and peak memory: forked from this small
# process, not from the benchmark (a child forked from a big process counts its pages).
MEASURED = """
import os, sys, time
start = time.perf_counter()
pid = os.fork()
if pid == 0:
    os.execv(sys.argv[1], sys.argv[1:])
_, status, usage = os.wait4(pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run(args: list[str], env: dict[str, str]) -> tuple[float, float]:
    """Wall time (s) and peak memory (MiB) of one whole process."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *args], env=env, capture_output=True, text=True
    )
    elapsed, peak, code = done.stdout.split()[-3:]
    if int(code) not in (0, 1):
        raise SystemExit(f"{' '.join(args[-4:])}: exit {code}\n{done.stderr}")
    return float(elapsed), int(peak) / 1024


def paired(
    label: str,
    commands: Sequence[list[str]],
    yardsticks: Sequence[list[str]],
    env: dict[str, str],
    yardstick_label: str,
) -> tuple[float, float]:
    """Run each command then its yardstick, in turns; print and return (ratio, peak MiB)."""
    times: list[float] = []
    bases: list[float] = []
    peaks: list[float] = []
    for command, yardstick in zip(commands, yardsticks, strict=True):
        elapsed, peak = run(command, env)
        times.append(elapsed)
        peaks.append(peak)
        bases.append(run(yardstick, env)[0])
    ratio = statistics.median(times) / statistics.median(bases)
    print(
        f"{label}: {ratio:.2f}x {yardstick_label} (median {statistics.median(times):.3f} s "
        f"against {statistics.median(bases):.3f} s, {len(times)} pairs, "
        f"pair ratios {min(t / b for t, b in zip(times, bases, strict=True)):.2f}-"
        f"{max(t / b for t, b in zip(times, bases, strict=True)):.2f}); "
        f"peak {max(peaks):.0f} MiB"
    )
    return ratio, max(peaks)


BARE_EXTRACT = """
import sys
from rapidfuzz import fuzz, process
names = open(sys.argv[1], encoding="utf-8").read().split("\\n")
print(process.extract(sys.argv[2], names, scorer=fuzz.WRatio, processor=None, limit=10))
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--pairs", type=int, default=7)
    parser.add_argument("--import-pairs", type=int, default=3)
    parser.add_argument("--queries", type=int, default=300, help="accuracy queries (in process)")
    parser.add_argument("--seed", type=int, default=7)
    options = parser.parse_args()

    from tracesguide.operators import load_default_directory, load_directory, name_key, search

    work = Path(tempfile.mkdtemp(prefix="bench-operators-"))
    try:
        env = {**os.environ, "TRACESGUIDE_DATA_DIR": str(work / "data")}
        env.pop("TRACESGUIDE_DIRECTORY", None)
        os.environ["TRACESGUIDE_DATA_DIR"] = env["TRACESGUIDE_DATA_DIR"]
        os.environ.pop("TRACESGUIDE_DIRECTORY", None)
        items = generate(options.rows, options.seed)
        csv_path, json_path = work / "annuaire.csv", work / "directory.json"
        names_path = work / "names.txt"
        write_csv(items, csv_path)
        write_json(items, json_path)
        names_path.write_text("\n".join(name_key(item.name) for item in items), "utf-8")
        print(f"{len(items):,} operators; CSV {csv_path.stat().st_size / 2**20:.1f} MiB, "
              f"JSON {json_path.stat().st_size / 2**20:.1f} MiB; "
              f"load {os.getloadavg()[0]:.2f}")  # fmt: skip
        base = command()
        python = [sys.executable, "-c"]
        n = options.import_pairs
        paired(
            "import JSON",
            [[*base, "operators", "import", str(json_path)]] * n,
            [[*python, f"import json; json.load(open({str(json_path)!r}, 'rb'))"]] * n,
            env,
            "json.load",
        )
        paired(
            "import CSV",
            [[*base, "operators", "import", str(csv_path)]] * n,
            [
                [
                    *python,
                    f"import csv\nfor row in csv.reader(open({str(csv_path)!r}, "
                    "encoding='utf-8-sig', newline=''), delimiter=';'): pass",
                ]
            ]
            * n,
            env,
            "csv.reader",
        )
        index_file = work / "data" / "operators-index.sqlite"
        print(f"index {index_file.stat().st_size / 2**20:.1f} MiB")

        rng = random.Random(options.seed + 1)
        sample = rng.sample(range(len(items)), max(options.queries, options.pairs))
        for label, typo in (("search, exact words", False), ("search, one letter missing", True)):
            queries = [degraded(items[i], rng, typo) for i in sample[: options.pairs]]
            paired(
                label,
                [[*base, "operators", "search", q, "--json"] for q in queries],
                [[*python, BARE_EXTRACT, str(names_path), name_key(q)] for q in queries],
                env,
                "a bare rapidfuzz extract over all names",
            )
        short = [items[i].core[-1] for i in sample[: options.pairs]]
        paired(
            "search, one word",
            [[*base, "operators", "search", q, "--json"] for q in short],
            [[*python, BARE_EXTRACT, str(names_path), name_key(q)] for q in short],
            env,
            "a bare rapidfuzz extract over all names",
        )
        paired(
            "search --traces-number",
            [[*base, "operators", "search", "--traces-number", "BE-ORG-OP-77"]] * options.pairs,
            [[*base, "--version"]] * options.pairs,
            env,
            "--version",
        )

        indexed = load_default_directory()
        direct = load_directory(csv_path) if options.queries else None
        for typo in (False, True) if options.queries else ():
            hits = full_hits = first = fallbacks = 0
            elapsed: list[float] = []
            for position in sample[: options.queries]:
                query = degraded(items[position], rng, typo)
                start = time.perf_counter()
                matches = search(indexed, query, limit=3)
                elapsed.append(time.perf_counter() - start)
                assert direct is not None
                full = search(direct, query, limit=3)
                names = [m.operator.name for m in matches]
                hits += items[position].name in names
                full_hits += items[position].name in [m.operator.name for m in full]
                first += matches[:1] == full[:1]
                fallbacks += bool(matches) and matches[0].full_scan
            kind = "with one letter missing" if typo else "no accents/small words/legal form"
            count = options.queries
            print(
                f"top-3 accuracy, {kind}: index {hits}/{count}, every name {full_hits}/{count}; "
                f"same first result {first}/{count}; full scan {fallbacks}/{count}; "
                f"search() in process {median_ms(elapsed)}"
            )
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
