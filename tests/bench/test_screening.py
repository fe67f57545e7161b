"""Screening accuracy (ours vs nomenklatura logic-v2 vs rapidfuzz WRatio) and speed at 100,000 entries."""

import gc
import itertools
import json
import os
import random
import statistics
import time
from pathlib import Path

from rapidfuzz import fuzz, utils

from assessments.screening.evaluation import (
    evaluate,
    evaluate_by_kind,
    load_evaluation,
    load_real_evaluation,
)
from assessments.screening.matcher import IndexEntry, NameIndex

DATA = Path(__file__).resolve().parents[1] / "data"
OUR_THRESHOLD = 0.85
NOMENKLATURA_THRESHOLD = 0.7  # logic-v2's default match threshold
WRATIO_THRESHOLD = 0.85


# Entity ids unique across every search built in this process: logic-v2 caches by id.
_ENTITY_IDS = itertools.count()


def _nomenklatura_search(entries):
    from followthemoney import model
    from nomenklatura.matching import LogicV2

    config = LogicV2.default_config()
    counter = _ENTITY_IDS

    def entity(name, aliases=(), country=None):
        # Fresh ids: logic-v2 caches work per entity id.
        proxy = model.make_entity("Organization")
        proxy.id = f"e{next(counter)}"
        proxy.add("name", name)
        for alias in aliases:
            proxy.add("alias", alias)
        if country:
            proxy.add("country", country)
        return proxy

    listed = [(e.key, entity(e.name, e.aliases, e.country)) for e in entries]

    def search(query):
        probe = entity(query)
        scored = [(LogicV2.compare(probe, proxy, config).score, key) for key, proxy in listed]
        return [
            key for score, key in sorted(scored, reverse=True) if score >= NOMENKLATURA_THRESHOLD
        ]

    return search


def _wratio_search(entries):
    names = [(e.key, [e.name, *e.aliases]) for e in entries]

    def search(query):
        scored = []
        for key, all_names in names:
            best = max(
                fuzz.WRatio(query, name, processor=utils.default_process) for name in all_names
            )
            scored.append((best / 100, key))
        return [key for score, key in sorted(scored, reverse=True) if score >= WRATIO_THRESHOLD]

    return search


def test_accuracy_table(bench_record):
    entries, queries = load_evaluation(DATA)
    index = NameIndex(entries)
    rows = [
        evaluate(
            f"ukcn screening (threshold {OUR_THRESHOLD})",
            queries,
            lambda q: [m.entry.key for m in index.search(q, threshold=OUR_THRESHOLD)],
        ),
        evaluate(
            f"nomenklatura logic-v2 (threshold {NOMENKLATURA_THRESHOLD})",
            queries,
            _nomenklatura_search(entries),
        ),
        evaluate(
            f"rapidfuzz WRatio (threshold {WRATIO_THRESHOLD})", queries, _wratio_search(entries)
        ),
    ]
    print("\n\nScreening accuracy on tests/data/screening_eval.json")
    print(f"{'matcher':45} {'recall':>8} {'false alarms':>13}   (positives / negatives)")
    for row in rows:
        print(
            f"{row.name:45} {row.recall:8.3f} {row.false_alarm_rate:13.3f}   "
            f"({row.positives} / {row.negatives})"
        )
    bench_record("screening_accuracy", {"queries": len(queries), "rows": [r.row() for r in rows]})
    assert rows[0].recall >= 0.98 and rows[0].false_alarm_rate <= 0.05


# logic-v2 compares every listed entity per query in Python (~1 s a query on 489 entries):
# it runs on a fixed-seed sample of each part; ukcn and rapidfuzz run on every query.
NOMENKLATURA_SAMPLE = 150


def _sample(queries: list[dict], count: int) -> list[dict]:
    return random.Random(21).sample(queries, min(count, len(queries)))


def test_accuracy_on_the_real_lists_by_part_and_kind(bench_record):
    """tests/data/screening_real_*.json: variants of real ASPI, Canada NRO and US 1260H entries
    and ROR look-alike negatives, split (seed 21) into a tuning and a held-out part."""
    entries, data = load_real_evaluation(DATA)
    index = NameIndex(entries)
    ours = f"ukcn screening (threshold {OUR_THRESHOLD})"
    figures = {"seed": data["seed"], "parts": {}}
    for part in ("tuning", "held-out"):
        queries = [q for q in data["queries"] if q["part"] == part]
        matchers = [
            (
                ours,
                queries,
                lambda q: [m.entry.key for m in index.search(q, threshold=OUR_THRESHOLD)],
            ),
            (
                f"rapidfuzz WRatio (threshold {WRATIO_THRESHOLD})",
                queries,
                _wratio_search(entries),
            ),
            (
                f"nomenklatura logic-v2 (threshold {NOMENKLATURA_THRESHOLD}, "
                f"{NOMENKLATURA_SAMPLE}-query sample)",
                _sample(queries, NOMENKLATURA_SAMPLE),
                _nomenklatura_search(entries),
            ),
        ]
        figures["parts"][part] = {}
        print(f"\n\nReal-list screening, {part} part ({len(queries)} queries)")
        for name, asked, search in matchers:
            results = evaluate_by_kind(name, asked, search)
            figures["parts"][part][name] = {k: r.row() for k, r in results.items()}
            print(f"  {name}")
            for kind, result in sorted(results.items()):
                measure = (
                    f"false alarms {result.false_alarm_rate:.3f} of {result.negatives}"
                    if kind == "negative"
                    else f"recall {result.recall:.3f} of {result.positives}"
                )
                if kind == "all":
                    measure += f", false alarms {result.false_alarm_rate:.3f}"
                print(f"    {kind:14} {measure}")
    bench_record("screening_real_accuracy", figures)
    held_out = figures["parts"]["held-out"][ours]
    assert held_out["all"]["recall"] >= 0.95
    assert held_out["all"]["false_alarm_rate"] <= 0.03
    for kind, row in held_out.items():
        if kind != "negative":
            assert row["recall"] >= 0.90, kind


SYLLABLES = [
    "an",
    "ba",
    "bai",
    "bao",
    "bei",
    "ben",
    "bin",
    "bo",
    "cai",
    "can",
    "cang",
    "chang",
    "chao",
    "chen",
    "cheng",
    "chong",
    "chu",
    "da",
    "dai",
    "dan",
    "dang",
    "de",
    "deng",
    "di",
    "dian",
    "dong",
    "du",
    "duan",
    "fan",
    "fang",
    "fei",
    "feng",
    "fu",
    "gan",
    "gang",
    "gao",
    "ge",
    "geng",
    "gong",
    "gu",
    "guan",
    "guang",
    "gui",
    "guo",
    "hai",
    "han",
    "hang",
    "hao",
    "he",
    "hei",
    "heng",
    "hong",
    "hou",
    "hu",
    "hua",
    "huai",
    "huan",
    "huang",
    "hui",
    "jia",
    "jian",
    "jiang",
    "jiao",
    "jie",
    "jin",
    "jing",
    "jiu",
    "ju",
    "kai",
    "kang",
    "ke",
    "kun",
    "lan",
    "lang",
    "lei",
    "li",
    "lian",
    "liang",
    "lin",
    "ling",
    "liu",
    "long",
    "lu",
    "luo",
    "ma",
    "mao",
    "mei",
    "meng",
    "mian",
    "min",
    "ming",
    "mu",
    "nan",
    "ning",
    "pan",
    "peng",
    "ping",
    "pu",
    "qi",
    "qian",
    "qiang",
    "qiao",
    "qin",
    "qing",
    "qiu",
    "qu",
    "quan",
    "ren",
    "rong",
    "ru",
    "rui",
    "sai",
    "san",
    "shan",
    "shang",
    "shao",
    "shen",
    "sheng",
    "shi",
    "shou",
    "shu",
    "shuang",
    "song",
    "su",
    "sui",
    "tai",
    "tan",
    "tang",
    "tao",
    "tian",
    "tie",
    "ting",
    "tong",
    "wan",
    "wang",
    "wei",
    "wen",
    "wu",
    "xi",
    "xia",
    "xian",
    "xiang",
    "xiao",
    "xin",
    "xing",
    "xiong",
    "xu",
    "xuan",
    "xue",
    "ya",
    "yan",
    "yang",
    "yao",
    "ye",
    "yi",
    "yin",
    "ying",
    "yong",
    "you",
    "yu",
    "yuan",
    "yue",
    "yun",
    "zhang",
    "zhao",
    "zhen",
    "zheng",
    "zhi",
    "zhong",
    "zhou",
    "zhu",
    "zhuang",
    "zi",
    "zong",
    "zou",
]
DESCRIPTORS = [
    "Technology",
    "Science and Technology",
    "Aeronautics and Astronautics",
    "Engineering",
    "Posts and Telecommunications",
    "Electronic Science and Technology",
    "Chemical Technology",
    "Information Engineering",
    "Defence Technology",
    "Medical Sciences",
    "Agricultural Sciences",
    "Materials Science",
    "Nuclear Physics",
    "Ocean Engineering",
    "Optics and Precision Mechanics",
    "Petroleum",
    "Mining",
]
TYPES = ["University", "Institute", "College", "Academy", "Research Institute", "Corporation"]
HAN = "北京南西东中华天海山江河湖光明大学工业理科技航空天电子信息国防军事研究院所集团有限公司人民交通师范农林医药化石油矿机械船舶兵器核物理材料计算"


def _synthetic_entries(count: int, rng: random.Random) -> list[IndexEntry]:
    entries = []
    for number in range(count):
        place = "".join(rng.sample(SYLLABLES, 2)).capitalize()
        second = "".join(rng.sample(SYLLABLES, 2)).capitalize() if rng.random() < 0.4 else ""
        proper = f"{place} {second}".strip()
        kind = rng.choice(TYPES)
        name = (
            f"{proper} {kind} of {rng.choice(DESCRIPTORS)}"
            if rng.random() < 0.7
            else f"{proper} {kind}"
        )
        acronym = "".join(w[0] for w in name.split() if w[0].isupper())
        han = "".join(rng.choice(HAN) for _ in range(rng.randint(5, 9)))
        entries.append(
            IndexEntry(key=number, name=name, aliases=(acronym, han), country="CN", payload=None)
        )
    return entries


def _rss_bytes() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[1]) * 4096


def _variant(name: str, rng: random.Random) -> str:
    choice = rng.random()
    if choice < 0.3:
        return name.replace("University", "Univ.").replace("Institute", "Inst.")
    if choice < 0.6 and len(name) > 8:
        position = rng.randrange(1, 6)
        return name[:position] + name[position + 1 :]  # a typo in the proper name
    return name.upper()


def _smaps_rollup(pid: str = "self") -> dict[str, float]:
    """Resident, proportional (shared pages divided among their sharers) and private memory, MB."""
    figures = {}
    with open(f"/proc/{pid}/smaps_rollup") as rollup:
        for line in rollup:
            parts = line.split()
            if parts[0] in ("Rss:", "Pss:", "Private_Clean:", "Private_Dirty:"):
                figures[parts[0][:-1].lower()] = round(int(parts[1]) / 1024, 1)
    return figures


# A gunicorn master with preload: a fresh process loads the snapshot as
# assessments/screening/snapshot.py does (collector off, then frozen), forks workers, and each
# worker screens queries and reports its memory. Shared pages count once in the machine's total.
_MASTER = """
import gc, json, os, pickle, sys, time
sys.path.insert(0, sys.argv[3])
from tests.bench.test_screening import _smaps_rollup, OUR_THRESHOLD
gc.disable()
started, cpu_started = time.perf_counter(), time.process_time()
with open(sys.argv[1], "rb") as stream:
    index = pickle.load(stream)
load = (time.perf_counter() - started, time.process_time() - cpu_started)
gc.enable(); gc.collect(); gc.freeze()
queries = json.load(open(sys.argv[2]))
master = _smaps_rollup()
workers = []
for _ in range(3):
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read)
        for query in queries:
            index.search(query, threshold=OUR_THRESHOLD)
        os.write(write, json.dumps(_smaps_rollup()).encode())
        os._exit(0)
    os.close(write)
    with os.fdopen(read) as stream:
        workers.append(json.loads(stream.read()))
    os.waitpid(pid, 0)
print(json.dumps({"load_seconds": load[0], "load_cpu_seconds": load[1],
                  "master": master, "workers": workers}))
"""


def _preloaded_workers(snapshot, queries, tmp_path) -> dict:
    import subprocess
    import sys

    asked = tmp_path / "queries.json"
    asked.write_text(json.dumps(queries))
    root = str(Path(__file__).resolve().parents[2])
    done = subprocess.run(
        [sys.executable, "-c", _MASTER, str(snapshot), str(asked), root],
        capture_output=True,
        text=True,
        check=False,
        env={**os.environ, "UKCN_BENCH": "1"},
    )
    assert done.returncode == 0, done.stderr[-2000:]
    return json.loads(done.stdout.strip().splitlines()[-1])


def _queries(entries, rng, count: int) -> list[str]:
    share = count // 10
    queries = [_variant(rng.choice(entries).name, rng) for _ in range(share * 7)]
    queries += [rng.choice(entries).aliases[1] for _ in range(share)]
    queries += [
        f"{''.join(rng.sample(SYLLABLES, 3)).capitalize()} University of Technology"
        for _ in range(share * 2)
    ]
    rng.shuffle(queries)
    return queries


def _measure_scale(count: int, query_count: int, tmp_path) -> dict:
    import pickle

    rng = random.Random(6)
    entries = _synthetic_entries(count, rng)
    names = sum(1 + len(e.aliases) for e in entries)
    gc.collect()
    before = _rss_bytes()
    started, cpu_started = time.perf_counter(), time.process_time()
    index = NameIndex(entries)
    build_seconds = time.perf_counter() - started
    build_cpu_seconds = time.process_time() - cpu_started
    gc.collect()
    memory = _rss_bytes() - before
    # The snapshot every worker of a machine loads instead of building (assessments/screening/
    # snapshot.py writes it with this pickle protocol).
    snapshot = tmp_path / "index.pickle"
    started = time.perf_counter()
    with snapshot.open("wb") as stream:
        pickle.dump(index, stream, protocol=pickle.HIGHEST_PROTOCOL)
    save_seconds = time.perf_counter() - started
    queries = _queries(entries, rng, query_count)
    del entries
    gc.collect()
    timings, cpu_timings = [], []
    for query in queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        index.search(query, threshold=OUR_THRESHOLD)
        timings.append((time.perf_counter() - started) * 1000)
        cpu_timings.append((time.process_time() - cpu_started) * 1000)
    timings.sort()
    cpu_timings.sort()
    p95 = int(len(timings) * 0.95)
    machine = _preloaded_workers(snapshot, queries[:300], tmp_path)
    workers = machine["workers"]
    return {
        "entries": count,
        "names_with_aliases": names,
        "indexed_names": len(index.names),
        "queries": len(queries),
        "build_seconds": round(build_seconds, 2),
        "build_cpu_seconds": round(build_cpu_seconds, 2),
        "index_memory_mb": round(memory / 2**20, 1),
        "snapshot_mb": round(snapshot.stat().st_size / 2**20, 1),
        "snapshot_save_seconds": round(save_seconds, 2),
        "snapshot_load_seconds": round(machine["load_seconds"], 2),
        "snapshot_load_cpu_seconds": round(machine["load_cpu_seconds"], 2),
        "preloaded_master": machine["master"],
        "forked_workers": workers,
        "worker_private_mb_max": max(w["private_dirty"] + w["private_clean"] for w in workers),
        "machine_total_mb_master_and_3_workers": round(
            machine["master"]["pss"] + sum(w["pss"] for w in workers), 1
        ),
        "median_ms": round(statistics.median(timings), 3),
        "p95_ms": round(timings[p95], 3),
        "max_ms": round(timings[-1], 3),
        "cpu_median_ms": round(statistics.median(cpu_timings), 3),
        "cpu_p95_ms": round(cpu_timings[p95], 3),
        "load_average_1min": os.getloadavg()[0],
        "cpus": os.cpu_count(),
    }


def test_speed_at_one_hundred_thousand_entries(bench_record, tmp_path):
    figures = _measure_scale(100_000, 1000, tmp_path)
    figures["targets"] = {"median_ms": 3, "p95_ms": 8}
    bench_record("screening_speed", figures)
    # Wall-clock figures include time the scheduler gave to other processes; on a shared,
    # loaded machine the CPU time this process used is the figure that measures our code.
    assert figures["cpu_median_ms"] <= 3 and figures["cpu_p95_ms"] <= 8
    assert figures["snapshot_load_cpu_seconds"] < figures["build_cpu_seconds"]
    # Workers forked from the preloaded master share the index: each adds far less than one.
    assert figures["worker_private_mb_max"] < figures["index_memory_mb"] / 2


def test_scale_at_one_million_entries(bench_record, tmp_path):
    """An OpenSanctions-sized list (a million names with their aliases): what one machine needs.
    UKCN_BENCH_MILLION=0 leaves it out (it takes minutes and several GB)."""
    if os.environ.get("UKCN_BENCH_MILLION", "1") == "0":
        import pytest

        pytest.skip("UKCN_BENCH_MILLION=0")
    figures = _measure_scale(1_000_000, 300, tmp_path)
    bench_record("screening_speed_million", figures)
    # No target was set at this size: a guard against a regression of several times.
    assert figures["cpu_p95_ms"] <= 150
