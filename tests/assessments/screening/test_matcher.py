from pathlib import Path

import pytest

from assessments.screening.evaluation import evaluate, load_evaluation
from assessments.screening.matcher import IndexEntry, NameIndex

DATA = Path(__file__).resolve().parents[2] / "data"
THRESHOLD = 0.85


@pytest.fixture(scope="module")
def index():
    entries, _ = load_evaluation(DATA)
    return NameIndex(entries)


def top(index, query, **kwargs):
    matches = index.search(query, threshold=THRESHOLD, **kwargs)
    return matches[0].entry.key if matches else None


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Beihang Univ.", "beihang"),  # abbreviation
        ("Nat. Univ. of Defense Tech.", "nudt"),
        ("National University of Defence Technology", "nudt"),  # spelling
        ("Beijing University of Aeronautics and Astronautics", "beihang"),  # former name
        ("Nanjing Aeronautical Institute", "nuaa"),
        ("BUAA", "beihang"),  # acronym listed as an alias
        ("NUST", "njust"),  # acronym derived from the name
        ("Harbin Institute of Technology (Shenzhen)", "hit"),  # qualifier
        ("Beihang University (China)", "beihang"),
        ("Bejing Institute of Technology", "bit"),  # typo
        ("Xian Jiaotong University", "xjtu"),  # apostrophe
        ("Shanghai Jiaotong University", "sjtu"),  # spacing
        ("北京理工大学", "bit"),  # Chinese characters
        ("北京航空航天大學", "beihang"),  # traditional characters
        ("Beijing Ligong Daxue", "bit"),  # pinyin
        ("哈尔滨工业大学（深圳）", "hit"),
    ],
)
def test_it_finds_variants_of_listed_names(index, query, expected):
    assert top(index, query) == expected


@pytest.mark.parametrize(
    "query",
    [
        "Beijing University of Technology",
        "Harbin University of Science and Technology",
        "Nanjing University",
        "北京工业大学",
        "哈尔滨理工大学",
        "Beijing Normal University",
        "National Tsing Hua University",
        "Xi'an Jiaotong-Liverpool University",
        "HRBUST",
        "Southwest University",
    ],
)
def test_it_does_not_flag_look_alikes(index, query):
    assert top(index, query) is None


def test_it_works_in_both_directions():
    listed_lookalike = NameIndex([IndexEntry("bjut", "Beijing University of Technology")])
    assert top(listed_lookalike, "Beijing Institute of Technology") is None
    assert top(listed_lookalike, "Beijing Univ. of Tech.") == "bjut"
    listed_short = NameIndex([IndexEntry("nju", "Nanjing University", ("南京大学",))])
    assert top(listed_short, "Nanjing University of Science and Technology") is None
    assert top(listed_short, "南京理工大学") is None
    assert top(listed_short, "南京大学") == "nju"


def test_the_explanation_names_the_alias_and_what_was_normalised(index):
    match = index.search("Beijing Univ. of Aeronautics & Astronautics")[0]
    assert match.matched_name == "Beijing University of Aeronautics and Astronautics"
    assert "alias 'Beijing University of Aeronautics and Astronautics'" in match.explanation
    assert "read 'univ' as 'university'" in match.explanation
    assert "descriptors agree: aeronautics, astronautics" in match.explanation


def test_the_explanation_says_what_differed(index):
    match = next(
        m for m in index.search("Beijing University of Technology") if m.entry.key == "bit"
    )
    assert "institution type differs: university vs institute" in match.explanation
    chinese = index.search("北京工业大学")[0]
    assert "Chinese characters differ" in chinese.explanation


def test_a_different_country_lowers_the_score_and_says_so(index):
    same = index.search("Harbin Institute of Technology", country="CN")[0]
    other = index.search("Harbin Institute of Technology", country="US")[0]
    assert same.score == 1.0
    assert other.score == pytest.approx(0.9)
    assert "partner country US differs from the entry's CN: -0.1" in other.explanation


def test_a_different_kind_of_body_lowers_the_score(index):
    match = index.search("Harbin Institute of Technology", org_type="company")[0]
    assert match.score == pytest.approx(0.95)
    assert (
        "the partner's type (company) does not fit the entry (academic body): -0.05"
        in match.explanation
    )
    pla = index.search("Air Force Engineering University", org_type="university")[0]
    assert pla.score == 1.0  # a PLA university is both academic and military


def test_scores_stay_between_zero_and_one(index):
    for query in ["Harbin Institute of Technology", "x", "University"]:
        for match in index.search(query, country="CN"):
            assert 0.0 <= match.score <= 1.0


def test_it_returns_nothing_for_an_empty_query(index):
    assert index.search("   ") == []


def test_retrieval_does_not_score_every_name(index, monkeypatch):
    import assessments.screening.matcher as matcher

    scored = []
    original = matcher.score_names
    monkeypatch.setattr(matcher, "score_names", lambda q, n: scored.append(n) or original(q, n))
    index.search("Harbin Institute of Technology")
    assert 0 < len(scored) < len(index.names) / 4


def test_the_evaluation_set_meets_its_targets():
    entries, queries = load_evaluation(DATA)
    assert len(queries) >= 150
    assert sum(1 for q in queries if q["expected"] is None) >= 50
    index = NameIndex(entries)
    result = evaluate(
        "ours", queries, lambda q: [m.entry.key for m in index.search(q, threshold=THRESHOLD)]
    )
    assert result.recall >= 0.98, result.misses
    assert result.false_alarm_rate <= 0.05, result.alarms


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Harbin Institute of Technology Shenzhen", "hit"),
        ("Northwestern Polytechnical University Xi'an", "nwpu"),
        ("National University of Defense Technology Changsha", "nudt"),
        ("Beijing Normal University Zhuhai", None),
        ("University of Science and Technology Beijing", None),
        ("Nanjing University Jincheng", None),
    ],
)
def test_a_trailing_place_is_read_as_a_campus_only_when_the_rest_agrees(index, query, expected):
    assert top(index, query) == expected


def test_a_trailing_place_costs_a_little_and_is_explained(index):
    match = index.search("Harbin Institute of Technology Shenzhen")[0]
    assert match.score == pytest.approx(0.95)
    assert "read trailing 'shenzhen' as a campus or place: -0.05" in match.explanation


@pytest.fixture(scope="module")
def campuses():
    return NameIndex(
        [
            IndexEntry("cug", "China University of Geosciences (Wuhan)", ("中国地质大学(武汉)",)),
            IndexEntry("smic-bj", "Semiconductor Manufacturing International (Beijing) Corp."),
            IndexEntry("smic-sz", "Semiconductor Manufacturing International (Shenzhen) Corp."),
            IndexEntry("aecc", "Aero Engine Corporation of China", ("中国航空发动机集团有限公司",)),
            IndexEntry("anhui", "Anhui University"),
            IndexEntry("nwpu", "Northwestern Polytechnical University"),
            IndexEntry("buaa", "Beijing University of Aeronautics and Astronautics"),
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("Department of Automation, Northwestern Polytechnical University, Xi'an 710072, China",
         "nwpu"),
        ("State Key Laboratory of X, Aero Engine Corporation of China, Beijing, 100097, P.R. China",
         "aecc"),
        ("Northwestern Polytechnical University (Taicang Campus)", "nwpu"),
        ("Semiconductor Manufacturing International (Shenzhen) Corporation", "smic-sz"),
        ("中國航空發動機集團有限公司", "aecc"),  # traditional, OpenCC
        ("ＡＮＨＵＩ　ＵＮＩＶＥＲＳＩＴＹ", "anhui"),  # full-width forms
        ("Aenhui University", "anhui"),  # a typo in a short proper word
        ("Northwestern Polytechncial Univerity", "nwpu"),  # typos in institution words
        ("Beijing Univ. of Aeronaut. & Astronaut.", "buaa"),  # abbreviations
    ],
)  # fmt: skip
def test_it_reads_names_as_papers_and_forms_write_them(campuses, query, expected):
    assert top(campuses, query) == expected


def test_an_affiliation_explains_which_part_matched_and_what_it_ignored(campuses):
    (match, *_) = campuses.search(
        "Department of Automation, Northwestern Polytechnical University, Xi'an 710072, China",
        threshold=THRESHOLD,
    )
    assert "institution part 'Northwestern Polytechnical University'" in match.explanation
    assert "department 'Department of Automation'" in match.explanation
    assert "country 'China'" in match.explanation


def test_a_campus_is_explained_as_a_campus_of_the_institution(campuses):
    (match, *_) = campuses.search("Northwestern Polytechnical University (Taicang Campus)")
    assert "campus of" in match.explanation


@pytest.mark.parametrize(
    "query",
    [
        "Wuhan Institute of Physics and Mathematics",  # the bracketed 武汉 is not a name
        "武汉大学",
        "China University of Geosciences (Beijing)",  # another campus, another body
        "Semiconductor Manufacturing International (Tianjin) Corporation",
        "Northwestern University",  # a look-alike, not a typo
        "Shaanxi University",
        "Tower Limited",
        "Ltd.",
    ],
)
def test_qualifiers_and_look_alikes_raise_no_alarm(campuses, query):
    assert top(campuses, query) is None


@pytest.fixture(scope="module")
def companies():
    return NameIndex(
        [
            IndexEntry("ccc", "China National Chemical Corporation Ltd."),
            IndexEntry("cosco", "China Ocean Shipping Company Ltd."),
            IndexEntry("ct", "China Telecom Group Co., Ltd."),
            IndexEntry("bbm", "Beijing Beiji Mechanical and Electrical Industry Co., Ltd."),
            IndexEntry("seu", "Space Engineering University"),
            IndexEntry("hubei", "Hubei University of Technology"),
            *(IndexEntry(f"d{n}", f"China Sample{n} Company Ltd.") for n in range(200)),
        ]
    )


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (
            "Cina National Chemical Corporation Ltd.",
            "ccc",
        ),  # a short word, never a candidate before
        ("China Ocuen Shipping Company Ltd.", "cosco"),  # a misspelt descriptor word
        ("Beijing Beiji Mechanical and Elctricl Industry Co., Ltd.", "bbm"),  # two edits, 8 letters
        ("Spce Engineering Unviersity", "seu"),
        ("China Telecom Gruop Co., Ltd.", "ct"),
    ],
)
def test_typing_mistakes_in_any_word_are_found(companies, query, expected):
    assert top(companies, query) == expected


def test_a_typing_mistake_is_explained(companies):
    (match, *_) = companies.search("China Ocuen Shipping Company Ltd.", threshold=THRESHOLD)
    assert "typing mistake(s): 'ocuen'→'ocean'" in match.explanation


@pytest.mark.parametrize(
    "query",
    [
        "Hebei University of Technology",  # another province, one letter apart
        "China National Chemistry Corp.",
        "China Occidental Shipping Company Ltd.",  # an unknown word is not a typo of a listed one
        "Cina Telecom Group Trading Co., Ltd.",  # a word more and a typo: another body
        "Time Engineering University",
    ],
)
def test_typing_mistake_candidates_raise_no_alarm_on_look_alikes(companies, query):
    assert top(companies, query) is None


def test_every_explanation_names_what_matched_and_what_was_ignored():
    """Over the tuning part of the real-list evaluation: each flagged match says which listed
    name matched, and whatever the query carried besides the name (a qualifier, the other
    parts of an affiliation, a trailing place) is named as ignored or read as a campus."""
    from assessments.screening.evaluation import load_real_evaluation
    from assessments.screening.normalise import affiliation_parts, parse_name

    entries, data = load_real_evaluation(DATA)
    real = NameIndex(entries)
    checked = 0
    for item in data["queries"]:
        if item["part"] != "tuning":
            continue
        for match in real.search(item["query"], threshold=THRESHOLD)[:1]:
            checked += 1
            explanation = match.explanation
            assert explanation.startswith("matched ") or "is the acronym of" in explanation
            assert f"'{match.matched_name}'" in explanation
            parsed = parse_name(item["query"])
            if parsed.qualifiers or affiliation_parts(item["query"]):
                assert any(
                    said in explanation for said in ("ignored", "campus of", "read trailing")
                ), explanation
            if parsed.notes:
                assert "query normalised: " in explanation
    assert checked > 1000


def test_cities_one_first_letter_apart_are_not_typing_mistakes():
    listed = NameIndex([IndexEntry("x", "Xuzhou University"), IndexEntry("f", "Fuzhou University")])
    for other_city in ("Suzhou University", "Huzhou University", "Wuzhou University"):
        assert top(listed, other_city) is None
    assert top(listed, "Fuzhuo University") == "f"
