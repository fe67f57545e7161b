from assessments.screening.normalise import (
    derive_acronym,
    former_names,
    looks_like_acronym,
    parse_name,
    split_qualifiers,
)


def test_it_folds_case_and_unicode_width():
    assert parse_name("ＢＥＩＨＡＮＧ University").proper == ("beihang",)


def test_it_expands_abbreviations_and_says_so():
    parsed = parse_name("Nat'l Univ. of Defense Tech.")
    assert parsed.descriptors == {"national", "defence", "technology"}
    assert parsed.types == {"university"}
    assert "read 'univ' as 'university' (abbreviation)" in parsed.notes


def test_it_reads_ampersand_as_and():
    assert (
        parse_name("Nanjing University of Science & Technology").signature
        == parse_name("Nanjing University of Science and Technology").signature
    )


def test_it_folds_british_and_american_spelling():
    assert parse_name("Defense Center").signature == parse_name("Defence Centre").signature


def test_it_keeps_look_alike_descriptors_apart():
    assert (
        parse_name("Nanjing University").signature
        != parse_name("Nanjing University of Science and Technology").signature
    )


def test_it_joins_proper_words_so_spacing_does_not_matter():
    assert (
        parse_name("Shanghai Jiao Tong University").proper_key
        == parse_name("Shanghai Jiaotong University").proper_key
    )


def test_it_drops_apostrophes():
    assert parse_name("Xi'an Jiaotong University").proper_key == "xianjiaotong"
    assert parse_name("Xi’an Jiaotong University").proper_key == "xianjiaotong"


def test_it_removes_bracketed_and_trailing_qualifiers():
    assert split_qualifiers("harbin institute of technology (shenzhen)") == (
        "harbin institute of technology",
        ("shenzhen",),
    )
    assert split_qualifiers("sichuan university, chengdu") == ("sichuan university", ("chengdu",))
    assert split_qualifiers("哈尔滨工业大学（深圳）")[0] == "哈尔滨工业大学"


def test_it_keeps_a_trailing_phrase_that_names_the_body():
    assert split_qualifiers("institute of physics, chinese academy of sciences")[1] == ()


def test_it_transliterates_chinese_to_pinyin_and_keeps_the_characters():
    parsed = parse_name("北京理工大学")
    assert parsed.cjk_key == "北京理工大学"
    assert parsed.proper_key == "beijingligongdaxue"
    assert parsed.transliterated


def test_it_simplifies_traditional_characters():
    assert parse_name("國防科技大學").cjk_key == "国防科技大学"


def test_it_uses_conventional_spellings_of_places():
    assert parse_name("哈尔滨工业大学").proper_key.startswith("harbin")


def test_it_transliterates_other_scripts():
    assert parse_name("Московский университет").proper == ("moskovskiy", "universitet")


def test_it_derives_acronyms_from_significant_words():
    assert derive_acronym(["harbin", "institute", "of", "technology"]) == "hit"
    assert parse_name("National University of Defense Technology").acronym == "nudt"
    assert parse_name("Beijing University of Aeronautics and Astronautics").acronym == "buaa"


def test_it_recognises_acronym_queries_but_not_words():
    assert looks_like_acronym("NUDT")
    assert not looks_like_acronym("Beihang")


def test_it_knows_former_names():
    assert "beijing university of aeronautics and astronautics" in former_names(
        "Beihang University"
    )
    assert former_names("Nanjing University") == []


def test_it_ignores_the_pla_parent():
    assert (
        parse_name("PLA Air Force Engineering University").signature
        == parse_name("Air Force Engineering University").signature
    )
    assert parse_name("中国人民解放军国防科技大学").cjk_key == "国防科技大学"


def test_it_corrects_typos_in_institution_words_only():
    assert parse_name("Harbin Insitute of Technolgy").types == {"institute"}
    assert parse_name("Xidian University").proper == ("xidian",)
