"""Fuzzing the name normaliser and the matcher: any text in, a sane answer out, no crash."""

from hypothesis import given, settings
from hypothesis import strategies as st

from assessments.screening.matcher import IndexEntry, NameIndex, score_names
from assessments.screening.normalise import (
    fold,
    former_names,
    looks_like_acronym,
    parse_name,
    split_qualifiers,
    to_latin,
)

FUZZ = settings(max_examples=150, deadline=None, derandomize=True)
# Names as people type them: any script, brackets, punctuation, abbreviations, stray controls.
PIECES = [
    *"abcdefghijklmnopqrstuvwxyz ABCXYZ.&'()[]（）-,/0123456789",
    *"大学工程技术研究院国防科北京哈尔滨",
    *["Univ.", "Tech.", "Nat'l", " of ", " the ", "PLA ", "\u200b", "\x00", "ＢＥＩ"],
]
name_text = st.one_of(
    st.text(max_size=120),
    st.lists(st.sampled_from(PIECES), max_size=25).map("".join),
)
INDEX = NameIndex(
    [
        IndexEntry(
            "nudt", "National University of Defense Technology", ("国防科技大学", "NUDT"), "CN"
        ),
        IndexEntry("buaa", "Beihang University", ("北京航空航天大学",), "CN"),
        IndexEntry("hit", "Harbin Institute of Technology", ("哈尔滨工业大学",), "CN"),
    ]
)


@FUZZ
@given(text=name_text)
def test_any_text_parses_into_a_name_without_crashing(text):
    parsed = parse_name(text)
    assert isinstance(parsed.signature, str)
    assert all(isinstance(note, str) for note in parsed.notes)
    assert fold(fold(text)) == fold(text)
    split_qualifiers(text)
    latin, _notes = to_latin(text)
    assert isinstance(latin, str)
    looks_like_acronym(text)
    former_names(text)


@FUZZ
@given(text=name_text)
def test_parsing_is_deterministic(text):
    assert parse_name(text) == parse_name(text)


@FUZZ
@given(a=name_text, b=name_text)
def test_any_two_names_score_at_most_one_and_the_same_name_scores_highest(a, b):
    score, reasons = score_names(parse_name(a), parse_name(b))
    assert score <= 1.0
    assert all(isinstance(reason, str) for reason in reasons)
    same, _ = score_names(parse_name(a), parse_name(a))
    assert same >= score or not parse_name(a).signature


@FUZZ
@given(query=name_text, country=st.one_of(st.none(), st.sampled_from(["CN", "GB", "", "zz"])))
def test_searching_any_text_returns_explained_matches_best_first(query, country):
    matches = INDEX.search(query, country=country, threshold=0.0)
    scores = [match.score for match in matches]
    assert scores == sorted(scores, reverse=True)
    assert all(0.0 <= score <= 1.0 for score in scores)
    assert all(match.explanation for match in matches)


@FUZZ
@given(names=st.lists(name_text, min_size=1, max_size=5), query=name_text)
def test_an_index_of_any_names_answers_any_query(names, query):
    index = NameIndex(IndexEntry(i, name) for i, name in enumerate(names))
    for match in index.search(query, threshold=0.0):
        assert match.entry.key in range(len(names))
