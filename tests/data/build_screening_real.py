"""Build the real-list screening evaluation: tests/data/screening_real_*.json (run once, committed).

    python tests/data/build_screening_real.py /path/to/shared/data

Listed entries come from three real lists (ASPI's China Defence Universities Tracker as a MISP
galaxy, Canada's Named Research Organizations page, the US DoD 1260H list); every positive
query is a variant of one of their names or aliases, written the ways papers and forms write
them (templated affiliations, seeded typos, abbreviations, run-together pinyin, traditional
characters). Negatives are real institutions from a ROR sample that none of the lists names
(nor contains: a campus of a listed university is not a negative). Postcodes in affiliations
are generated 6-digit numbers, not real ones. Queries are split into a tuning part and a
held-out part by institution (all variants of one institution fall in one part) with SEED.
"""

from __future__ import annotations

import csv
import html
import json
import random
import re
import sys
from pathlib import Path

import opencc
from pypinyin import lazy_pinyin

SEED = 21
HELD_OUT_SHARE = 0.5
OUT = Path(__file__).resolve().parent
T2S = opencc.OpenCC("t2s")
S2T = opencc.OpenCC("s2t")
CJK = re.compile(r"[\u4e00-\u9fff]")
CITIES = [
    "Beijing", "Harbin", "Xi'an", "Nanjing", "Changsha", "Wuhan", "Shanghai", "Chengdu",
    "Dalian", "Tianjin", "Shijiazhuang", "Hefei", "Guangzhou", "Shenzhen", "Chongqing",
    "Mianyang", "Hangzhou", "Qingdao", "Zhengzhou", "Changchun", "Shenyang", "Lanzhou",
    "Taiyuan", "Jinan", "Nanchang", "Kunming", "Guilin", "Xuzhou", "Luoyang", "Yantai",
    "Hengyang", "Baoding", "Suzhou", "Ningbo", "Xiamen", "Fuzhou", "Hohhot", "Urumqi",
]  # fmt: skip
CITY_SPELLINGS = {"xian": "Xi'an", "haerbin": "Harbin", "xi'an": "Xi'an"}
DEPARTMENTS = [
    "Automation", "Materials Science and Engineering", "Electronic Engineering", "Physics",
    "Computer Science and Technology", "Mechanical Engineering", "Chemistry",
    "Aerospace Engineering", "Information and Communication Engineering", "Mathematics",
    "Optoelectronic Engineering", "Energy and Power Engineering", "Control Science",
]  # fmt: skip
ABBREVIATE = {
    "University": "Univ.", "Technology": "Technol.", "Aeronautics": "Aeronaut.",
    "Astronautics": "Astronaut.", "Telecommunications": "Telecom.", "Institute": "Inst.",
    "Engineering": "Eng.", "Science": "Sci.", "Sciences": "Sci.", "National": "Natl.",
    "Academy": "Acad.", "Polytechnical": "Polytech.", "Laboratory": "Lab.",
    "Corporation": "Corp.", "Company": "Co.", "Limited": "Ltd.", "Research": "Res.",
    "Electronics": "Electron.", "Industry": "Ind.", "International": "Int.",
    "Information": "Inf.", "Defense": "Def.", "Defence": "Def.", "Military": "Mil.",
    "Chinese": "Chin.", "Aviation": "Aviat.", "Communications": "Commun.",
}  # fmt: skip


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.casefold()).strip("-")[:60]


def _key(text: str) -> str:
    text = T2S.convert(text).casefold()
    return re.sub(r"[\W_]+", "", text)


def _city(address: str) -> str:
    for word in re.findall(r"[A-Za-z']+", address):
        folded = word.casefold()
        if folded in CITY_SPELLINGS:
            return CITY_SPELLINGS[folded]
        for city in CITIES:
            if folded == city.casefold():
                return city
    return ""


def read_lists(shared: Path) -> list[dict]:
    lists = shared / "lists"
    entries = []
    aspi = json.loads((lists / "aspi-china-defence-universities.misp.json").read_text("utf-8"))
    for value in aspi["values"]:
        name = re.sub(r"\s*\([^)]*[\u4e00-\u9fff][^)]*\)\s*$", "", value["value"]).strip()
        aliases = [a.strip() for a in value["meta"].get("aliases", []) if a.strip()]
        entries.append(
            {
                "id": f"aspi:{value['uuid'][:8]}",
                "name": name,
                "aliases": [a for a in dict.fromkeys(aliases) if a != name],
                "country": "CN",
                "city": _city(value["meta"].get("address", "")),
                "source": "aspi",
            }
        )
    page = (lists / "canada-named-research-organizations.html").read_text("utf-8")
    for item in re.findall(r"<li><strong>(.*?)</strong>(.*?)</li>", page, re.S):
        name = html.unescape(re.sub("<[^>]+>", "", item[0])).strip()
        rest = html.unescape(re.sub("<[^>]+>", " ", item[1]))
        aliases = []
        if "alias" in rest:
            tail = rest.split(":", 1)[1]
            aliases = [a.strip() for a in tail.split(";") if a.strip()]
        country = "CN" if "China" in rest.split("Known")[0] else ""
        if "Iran" in rest.split("Known")[0]:
            country = "IR"
        if "Russia" in rest.split("Known")[0]:
            country = "RU"
        entries.append(
            {
                "id": f"canada:{_slug(name)}",
                "name": name,
                "aliases": aliases,
                "country": country,
                "city": _city(name + " " + " ".join(aliases)),
                "source": "canada",
            }
        )
    seen = {}
    with open(lists / "us-dod-1260h-chinese-military-companies.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            name = row["Clean Name"].strip() or row["Name"].strip()
            entry = seen.setdefault(
                _key(name),
                {
                    "id": f"1260h:{_slug(name)}",
                    "name": name,
                    "aliases": [],
                    "former": [],
                    "country": "CN",
                    "city": _city(name),
                    "source": "1260h",
                },
            )
            for alias in re.split(r"[,;]", row["Alias"]):
                if alias.strip() and alias.strip() not in entry["aliases"]:
                    entry["aliases"].append(alias.strip())
            for old in re.split(r";", row["Previous Name"]):
                if old.strip() and old.strip() not in entry["former"]:
                    entry["former"].append(old.strip())
    for entry in seen.values():
        entry["aliases"] = entry["aliases"] + entry.pop("former")
        entry["former_names"] = [a for a in entry["aliases"] if a not in entry["aliases"][:0]]
    entries.extend(seen.values())
    return entries


def _same_groups(entries: list[dict]) -> dict[str, list[str]]:
    """Entries that share a name or alias (one institution on two lists) answer for each other."""
    by_key: dict[str, set[str]] = {}
    for e in entries:
        for text in [e["name"], *e["aliases"]]:
            if len(_key(text)) >= 4:
                by_key.setdefault(_key(text), set()).add(e["id"])
    groups = {e["id"]: {e["id"]} for e in entries}
    for ids in by_key.values():
        merged = set().union(*(groups[i] for i in ids))
        for i in merged:
            groups[i] = merged
    return {k: sorted(v) for k, v in groups.items()}


def _typo(text: str, rng: random.Random, edits: int) -> str:
    words = text.split(" ")
    for _ in range(edits):
        choices = [i for i, w in enumerate(words) if len(w) >= 5 and w.isalpha()]
        if not choices:
            return ""
        i = rng.choice(choices)
        w = words[i]
        p = rng.randrange(1, len(w) - 1)
        op = rng.choice(["delete", "swap", "replace", "insert"])
        letter = rng.choice("aeiounrstl")
        if op == "delete":
            w = w[:p] + w[p + 1 :]
        elif op == "swap":
            w = w[:p] + w[p + 1] + w[p] + w[p + 2 :]
        elif op == "replace":
            w = w[:p] + (letter if letter != w[p] else "x") + w[p + 1 :]
        else:
            w = w[:p] + letter + w[p:]
        words[i] = w
    out = " ".join(words)
    return out if out != text else ""


def _abbreviate(text: str) -> str:
    words = text.split(" ")
    out = [ABBREVIATE.get(w.strip(","), w) for w in words]
    return " ".join(out) if out != words else ""


def _pinyin(han: str, rng: random.Random) -> str:
    syllables = [s for s in lazy_pinyin(han) if s.isalpha()]
    if len(syllables) < 2:
        return ""
    style = rng.choice(["joined", "pairs", "pairs"])
    if style == "joined":
        return "".join(syllables).capitalize()
    pairs = ["".join(syllables[i : i + 2]).capitalize() for i in range(0, len(syllables), 2)]
    return " ".join(pairs)


def _affiliation(name: str, city: str, rng: random.Random, country: str = "China") -> str:
    dept = rng.choice(DEPARTMENTS)
    postcode = f"{rng.randrange(100000, 850000):06d}"
    place = city or ""
    shapes = [
        f"Department of {dept}, {name}, {place}, China",
        f"School of {dept}, {name}, {place} {postcode}, People's Republic of China",
        f"State Key Laboratory of {dept}, {name}, {place}, {postcode}, China",
        f"College of {dept}, {name}",
        f"Key Laboratory of {dept}, {name}, {place} {postcode}, P.R. China",
    ]
    text = rng.choice(shapes)
    if country != "China":
        text = re.sub(r"(People's Republic of China|P\.R\. China|China)$", country, text)
    return re.sub(r"\s+,", ",", re.sub(r", ,", ",", text)).replace("  ", " ").strip(", ")


def positives(entries: list[dict], groups: dict, rng: random.Random) -> list[dict]:
    rows = []

    def add(query, entry, kind):
        if query and query.strip():
            rows.append({"query": query, "expected": groups[entry["id"]], "class": kind})

    for e in entries:
        english = [a for a in e["aliases"] if not CJK.search(a)]
        chinese = [a for a in e["aliases"] if CJK.search(a)]
        add(e["name"], e, "exact")
        for alias in english:
            if len(alias) >= 4 and alias not in e.get("former_names", []):
                add(alias, e, "alias")
        for old in e.get("former_names", []):
            add(old, e, "former name")
        if chinese:
            add(chinese[0], e, "alias")
            trad = S2T.convert(chinese[0])
            if trad != chinese[0]:
                add(trad, e, "traditional")
            add(_pinyin(chinese[0], rng), e, "pinyin")
        add(_typo(e["name"], rng, rng.choice([1, 1, 2])), e, "typo")
        add(_abbreviate(e["name"]), e, "abbreviation")
        add(_affiliation(e["name"], e["city"], rng), e, "affiliation")
        if e["source"] == "aspi" and e["city"] and rng.random() < 0.5:
            campus = rng.choice([c for c in CITIES if c != e["city"]])
            add(f"{e['name']} ({campus} Campus)", e, "affiliation")
    # One row per distinct query text (the first kind that produced it).
    seen = set()
    out = []
    for row in rows:
        if row["query"] in seen:
            continue
        seen.add(row["query"])
        out.append(row)
    return out


def negatives(shared: Path, entries: list[dict], rng: random.Random) -> list[dict]:
    listed_keys = set()
    listed_han = set()
    for e in entries:
        for text in [e["name"], *e["aliases"]]:
            listed_keys.add(_key(text))
            if CJK.search(text):
                listed_han.add(_key(text))
    records = json.loads((shared / "ror-sample" / "records.json").read_text("utf-8"))
    rows = []
    for record in records:
        names = [n["value"] for n in record["names"] if "acronym" not in n["types"]]
        keys = [_key(n) for n in names]
        # Listed, or a part of something listed (a campus, a hospital of a listed university).
        if any(k in listed_keys for k in keys):
            continue
        if any(h and h in k for k in keys for h in listed_han if len(h) >= 4):
            continue
        if any(lk and len(lk) >= 10 and lk in k for k in keys for lk in listed_keys):
            continue
        display = next(n["value"] for n in record["names"] if "ror_display" in n["types"])
        details = record["locations"][0]["geonames_details"]
        city = details.get("name", "")
        country = details.get("country_name", "China")
        group = f"ror:{record['id'].rsplit('/', 1)[-1]}"
        for name in names:
            rows.append({"query": name, "expected": [], "class": "negative", "group": group})
            if CJK.search(name):
                trad = S2T.convert(name)
                if trad != name:
                    rows.append(
                        {"query": trad, "expected": [], "class": "negative", "group": group}
                    )
                pinyin = _pinyin(name, rng)
                if pinyin:
                    rows.append(
                        {"query": pinyin, "expected": [], "class": "negative", "group": group}
                    )
        affiliation = _affiliation(display, city, rng, country)
        rows.append({"query": affiliation, "expected": [], "class": "negative", "group": group})
        abbreviated = _abbreviate(display)
        if abbreviated:
            rows.append({"query": abbreviated, "expected": [], "class": "negative", "group": group})
    seen = set()
    return [r for r in rows if not (r["query"] in seen or seen.add(r["query"]))]


def main(shared: Path) -> None:
    rng = random.Random(SEED)
    entries = read_lists(shared)
    groups = _same_groups(entries)
    rows = positives(entries, groups, rng) + negatives(shared, entries, rng)
    for row in rows:
        row.setdefault("group", row["expected"][0] if row["expected"] else "")
    group_ids = sorted({r["group"] for r in rows})
    split = random.Random(SEED)
    held = {g for g in group_ids if split.random() < HELD_OUT_SHARE}
    for row in rows:
        row["part"] = "held-out" if row["group"] in held else "tuning"
    watchlist = [{k: e[k] for k in ("id", "name", "aliases", "country", "source")} for e in entries]
    (OUT / "screening_real_watchlist.json").write_text(
        json.dumps({"source": __doc__.split("\n")[0], "watchlist": watchlist}, indent=1,
                   ensure_ascii=False) + "\n",
        "utf-8",
    )  # fmt: skip
    (OUT / "screening_real_eval.json").write_text(
        json.dumps({"seed": SEED, "held_out_share": HELD_OUT_SHARE, "queries": rows},
                   indent=1, ensure_ascii=False) + "\n",
        "utf-8",
    )  # fmt: skip
    held_rows = [r for r in rows if r["part"] == "held-out"]
    print(f"{len(entries)} entries, {len(rows)} queries, {len(held_rows)} held out")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "../shared/data"))
