"""Benchmark of the operator directory: import, search speed and top-3 accuracy.

Generates a directory of 100 000 operators (French, Belgian and German company names
with accents, small words and legal forms) as CSV and JSON, then measures:

- ``tracesguide operators import`` of each file (whole process);
- whole-process ``tracesguide operators search`` runs against the imported index and
  with ``--directory`` (start-up included);
- in-process ``search()`` time and the share of degraded queries (no accents, no small
  words, no legal form; then also one typo) whose operator is in the top 3.

Targets (2-core machine): import ≤ 10 s, search on the index ≤ 300 ms, ``--directory``
≤ 2 s, the right operator in the top 3.

    python benchmarks/bench_operators.py [--rows 100000] [--queries 300] [--seed 7]
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


def timed(args: list[str], env: dict[str, str], expect: int | None = 0) -> float:
    start = time.perf_counter()
    done = subprocess.run(args, env=env, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if expect is not None and done.returncode != expect:
        raise SystemExit(f"{' '.join(args[-4:])}: exit {done.returncode}\n{done.stderr}")
    return elapsed


def median_ms(values: Sequence[float]) -> str:
    return f"{statistics.median(values) * 1000:.0f} ms (min {min(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=300)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--runs", type=int, default=7)
    options = parser.parse_args()

    from tracesguide.operators import load_default_directory, search

    work = Path(tempfile.mkdtemp(prefix="bench-operators-"))
    try:
        env = {**os.environ, "TRACESGUIDE_DATA_DIR": str(work / "data")}
        env.pop("TRACESGUIDE_DIRECTORY", None)
        os.environ["TRACESGUIDE_DATA_DIR"] = env["TRACESGUIDE_DATA_DIR"]
        os.environ.pop("TRACESGUIDE_DIRECTORY", None)
        items = generate(options.rows, options.seed)
        csv_path, json_path = work / "annuaire.csv", work / "directory.json"
        write_csv(items, csv_path)
        write_json(items, json_path)
        print(f"{len(items):,} operators; CSV {csv_path.stat().st_size / 2**20:.1f} MiB, "
              f"JSON {json_path.stat().st_size / 2**20:.1f} MiB")  # fmt: skip
        base = command()

        import_json = timed([*base, "operators", "import", str(json_path)], env)
        import_csv = timed([*base, "operators", "import", str(csv_path)], env)
        index_file = work / "data" / "operators-index.txt"
        print(f"import JSON (whole process): {import_json:.2f} s")
        print(f"import CSV  (whole process): {import_csv:.2f} s; "
              f"index {index_file.stat().st_size / 2**20:.1f} MiB")  # fmt: skip

        rng = random.Random(options.seed + 1)
        sample = rng.sample(range(len(items)), options.queries)
        queries = [degraded(items[i], rng, typo=False) for i in sample[:5]]
        for label, extra in (
            ("search on index, text", []),
            ("search on index, text --json", ["--json"]),
            ("search on index, text --country", ["--country", "FR"]),
        ):
            runs = [
                timed([*base, "operators", "search", queries[n % len(queries)], *extra], env, None)
                for n in range(options.runs)
            ]
            print(f"{label} (whole process): {median_ms(runs)}")
        runs = [
            timed([*base, "operators", "search", "--traces-number", "BE-ORG-OP-77"], env, None)
            for _ in range(options.runs)
        ]
        print(f"search on index, --traces-number (whole process): {median_ms(runs)}")
        startup = [timed([*base, "--version"], env) for _ in range(options.runs)]
        print(f"for comparison, tracesguide --version: {median_ms(startup)}")
        for label, path in (("CSV", csv_path), ("JSON", json_path)):
            runs = [
                timed([*base, "operators", "search", queries[0], "--directory", str(path)], env)
                for _ in range(3)
            ]
            print(f"search --directory {label} (whole process): {median_ms(runs)}")

        directory = load_default_directory()
        for typo in (False, True):
            hits = 0
            first = 0
            elapsed: list[float] = []
            for position in sample:
                query = degraded(items[position], rng, typo)
                start = time.perf_counter()
                matches = search(directory, query, limit=3)
                elapsed.append(time.perf_counter() - start)
                names = [m.operator.name for m in matches]
                hits += items[position].name in names
                first += bool(names) and names[0] == items[position].name
            kind = "with one typo" if typo else "no accents/small words/legal form"
            print(
                f"top-3 accuracy, {kind}: {hits}/{len(sample)} ({100 * hits / len(sample):.1f} %), "
                f"first: {100 * first / len(sample):.1f} %; search() {median_ms(elapsed)}"
            )
        print("example queries:", "; ".join(degraded(items[i], rng, True) for i in sample[:3]))
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
