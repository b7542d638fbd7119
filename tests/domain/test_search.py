"""The `q` language: parsing (each construct, precedence, errors at their columns, limits),
rendering back to text, the attribute comparison rule, and the reference evaluator."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from openucs.domain.enums import InteractionType, MediaType, State
from openucs.domain.models import ChatMessage, EmailContent, Interaction
from openucs.domain.search import (
    MAX_CLAUSES,
    MAX_DEPTH,
    MAX_QUERY_LENGTH,
    And,
    AttrCompare,
    AttrOp,
    AttrRange,
    DateRange,
    FieldMatch,
    Node,
    Not,
    Or,
    Phrase,
    Term,
    ValueKind,
    classify,
    compare_values,
    html_text,
    matches,
    parse_query,
    render,
    searchable_texts,
    words_of,
)
from openucs.errors import InvalidInput

PARIS = timezone(timedelta(hours=1))
T = Term
A, B, C = Term("a"), Term("b"), Term("c")


def parse(text: str) -> Node:
    return parse_query(text, zone=UTC)


def at(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


# --- parsing -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("refund", T("refund")),
        ("Refund", T("refund")),
        ("Über", T("uber")),
        ("ŻÓŁW", T("zolw")),
        ("refun*", T("refun", prefix=True)),
        ('"full refund"', Phrase(("full", "refund"))),
        ('"Full, REFUND!"', Phrase(("full", "refund"))),
        ('"refund"', T("refund")),
        ('"refun*"', T("refun")),  # quoted: literal words, no prefix
        ("e-mail", Phrase(("e", "mail"))),
        ("12:30", Phrase(("12", "30"))),  # not a field name: a word like any other
        ("a b", And((A, B))),
        ("a AND b", And((A, B))),
        ("a OR b", Or((A, B))),
        ("and or not", And((T("and"), T("or"), T("not")))),  # operators only in capitals
        ("NOT a", Not(A)),
        ("-a", Not(A)),
        ("-(a b)", Not(And((A, B)))),
        ('-"a b"', Not(Phrase(("a", "b")))),
        ("NOT NOT a", Not(Not(A))),
        ("(a)", A),
        ("((a OR b))", Or((A, B))),
        ("subject:refund", T("refund", field="subject")),
        ("comment:refun*", T("refun", prefix=True, field="comment")),
        ('text:"charge back"', Phrase(("charge", "back"), field="text")),
        ("TEXT:x", T("x", field="text")),  # field names in any case
        ("mediaType:chat", FieldMatch("mediaType", MediaType.CHAT)),
        ("mediatype:CHAT", FieldMatch("mediaType", MediaType.CHAT)),
        ("state:inprocess", FieldMatch("state", State.IN_PROCESS)),
        ("typeId:Inbound", FieldMatch("typeId", InteractionType.INBOUND)),
        ("agent:alice", FieldMatch("agent", "alice")),
        ('agent:"Alice Smith"', FieldMatch("agent", "Alice Smith")),
        ("userId:u-1", FieldMatch("userId", "u-1")),
        ("contactId:c1", FieldMatch("contactId", "c1")),
        ("threadId:t1", FieldMatch("threadId", "t1")),
        ("attr.Case:1000", AttrCompare("Case", AttrOp.EQ, "1000")),
        ('attr.Case:"a b"', AttrCompare("Case", AttrOp.EQ, "a b")),
        ('attr.Case:""', AttrCompare("Case", AttrOp.EQ, "")),
        ('attr.Case:"x*"', AttrCompare("Case", AttrOp.EQ, "x*")),  # quoted: a literal star
        ("attr.Case:!=x", AttrCompare("Case", AttrOp.NE, "x")),
        ("-attr.Case:x", Not(AttrCompare("Case", AttrOp.EQ, "x"))),
        ("attr.Case:>5", AttrCompare("Case", AttrOp.GT, "5")),
        ("attr.Case:>=5", AttrCompare("Case", AttrOp.GE, "5")),
        ("attr.Case:<5", AttrCompare("Case", AttrOp.LT, "5")),
        ('attr.Case:<="a b"', AttrCompare("Case", AttrOp.LE, "a b")),
        ("attr.Case:*", AttrCompare("Case", AttrOp.EXISTS)),
        ("-attr.Case:*", AttrCompare("Case", AttrOp.MISSING)),
        ("NOT attr.Case:*", AttrCompare("Case", AttrOp.MISSING)),
        ("attr.Case:abc*", AttrCompare("Case", AttrOp.PREFIX, "abc")),
        ('attr.Case:"a b"*', AttrCompare("Case", AttrOp.PREFIX, "a b")),
        ("attr.Case:[1000 TO 2000]", AttrRange("Case", "1000", "2000")),
        ('attr.Case:[ "a b"  TO z ]', AttrRange("Case", "a b", "z")),
        ("attr.Case:[5 TO *]", AttrCompare("Case", AttrOp.GE, "5")),
        ("attr.Case:[* TO 5]", AttrCompare("Case", AttrOp.LE, "5")),
        ("attr.Case:[* TO *]", AttrCompare("Case", AttrOp.EXISTS)),
        ("attr.a.b:1", AttrCompare("a.b", AttrOp.EQ, "1")),  # the name runs to the colon
        ("ATTR.Case:1", AttrCompare("Case", AttrOp.EQ, "1")),
    ],
)
def test_each_construct_parses_to_its_tree(text: str, tree: Node) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("a b OR c", Or((And((A, B)), C))),
        ("a OR b c", Or((A, And((B, C))))),
        ("a OR b AND c", Or((A, And((B, C))))),
        ("NOT a b", And((Not(A), B))),
        ("NOT a OR b", Or((Not(A), B))),
        ("-a -b", And((Not(A), Not(B)))),
        ("a (b OR c)", And((A, Or((B, C))))),
        ("(a b) c", And((And((A, B)), C))),  # parentheses are kept as written
        ("a OR b OR c", Or((A, B, C))),
    ],
)
def test_not_binds_tighter_than_and_and_and_than_or(text: str, tree: Node) -> None:
    assert parse(text) == tree


def test_a_date_range_takes_whole_days_in_the_given_zone() -> None:
    tree = parse_query("startDate:[2026-01-01 TO 2026-03-31]", zone=PARIS)
    assert tree == DateRange(
        datetime(2026, 1, 1, tzinfo=PARIS), datetime(2026, 4, 1, tzinfo=PARIS), True, False
    )


@pytest.mark.parametrize(
    ("text", "tree"),
    [
        ("startDate:>=2026-01-01", DateRange(at(2026, 1, 1), None, True, False)),
        ("startDate:>2026-01-01", DateRange(at(2026, 1, 2), None, True, False)),
        ("startDate:<2026-01-01", DateRange(None, at(2026, 1, 1), True, False)),
        ("startDate:<=2026-01-01", DateRange(None, at(2026, 1, 2), True, False)),
        ("startDate:2026-01-01", DateRange(at(2026, 1, 1), at(2026, 1, 2), True, False)),
        (
            "startDate:>2026-01-01T10:30:00Z",
            DateRange(at(2026, 1, 1, 10, 30), None, False, False),
        ),
        (
            'startDate:<="2026-01-01 10:30"',
            DateRange(None, at(2026, 1, 1, 10, 30), True, True),
        ),
        (
            "startDate:{2026-01-01 TO 2026-01-31}",
            DateRange(at(2026, 1, 2), at(2026, 1, 31), True, False),
        ),
        ("startDate:[2026-01-01 TO *]", DateRange(at(2026, 1, 1), None, True, True)),
        (
            "startDate:[2026-01-01T08:00:00+02:00 TO 2026-01-01T10:00:00Z]",
            DateRange(at(2026, 1, 1, 6), at(2026, 1, 1, 10), True, True),
        ),
    ],
)
def test_date_bounds(text: str, tree: DateRange) -> None:
    assert parse(text) == tree


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a AND (b OR c))", "q: unexpected ')' at column 15"),
        (")", "q: unexpected ')' at column 1"),
        ("()", "q: unexpected ')' at column 2"),
        ("(a OR (b c)", "q: unmatched '(' at column 1"),
        ("a (b", "q: unmatched '(' at column 3"),
        ("a (", "q: unexpected end of query at column 4"),
        ('a "b c', "q: unterminated quote starting at column 3"),
        ('subject:"b c', "q: unterminated quote starting at column 9"),
        ("", "q: empty query at column 1"),
        ("   ", "q: empty query at column 1"),
        ("NOT", "q: NOT needs a term after it at column 1"),
        ("a NOT", "q: NOT needs a term after it at column 3"),
        ("(NOT) a", "q: NOT needs a term after it at column 2"),
        ("a OR", "q: OR needs a term after it at column 3"),
        ("a AND OR b", "q: AND needs a term after it at column 3"),
        ("AND a", "q: unexpected 'AND' at column 1"),
        ("a OR OR b", "q: OR needs a term after it at column 3"),
        ("a -", "q: '-' has no letters or digits to search for at column 3"),
        ("a & b", "q: '&' has no letters or digits to search for at column 3"),
        ("*", "q: '*' has no letters or digits to search for at column 1"),
        ("e-ma*", "q: a prefix must be one word: 'e-ma*' at column 1"),
        ("a colour:red", "q: unknown field 'colour' (known: subject, comment, text, "),
        ("mediaType:fax", "q: mediaType: unknown value 'fax' (allowed: call, chat, "),
        ("x state:closed", "q: state: unknown value 'closed' (allowed: New, Pending"),
        ("typeId:sideways", "q: typeId: unknown value 'sideways'"),
        ("startDate:2026-13-01", "q: startDate: invalid date '2026-13-01' at column 1"),
        ("startDate:>=yesterday", "q: startDate: malformed date-time 'yesterday'"),
        ("startDate:[2026-01-01 TO later]", "q: startDate: malformed date-time 'later'"),
        ("startDate:!=2026-01-01", "q: startDate takes >, >=, <, <= or a range at column 1"),
        ("startDate:[2026-01-01 2026-02-01]", "q: expected TO in the range at column 23"),
        ("startDate:[2026-01-01 TO", "q: unterminated range starting at column 11"),
        (
            "a startDate:[2026-03-01 TO 2026-01-31]",
            "q: startDate: the range ends before it starts at column 3",
        ),
        ("startDate:{2026-01-01 TO 2026-01-01}", "q: startDate: the range ends before it starts"),
        ("attr.x:[1 TO 2", "q: unterminated range starting at column 8"),
        ("attr.x:[1 TO 2 3]", "q: expected ] or } to close the range at column 16"),
        ("attr.x:[ TO 2]", "q: expected TO in the range at column 13"),
        ("attr.x:{1 TO 2]", "q: an attribute range is inclusive: write [a TO b] at column 1"),
        ("attr.:1", "q: attr. needs an attribute name at column 1"),
        ("a attr.x:", "q: attr.x: needs a value at column 3"),
        ("mediaType:>chat", "q: mediaType takes a single value, not a range or comparison"),
        ("agent:[a TO b]", "q: agent takes a single value, not a range or comparison"),
        ('subject:"a"*', "q: subject takes a single value, not a range or comparison"),
    ],
)
def test_errors_name_q_the_problem_and_the_column(text: str, message: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        parse(text)
    assert raised.value.field == "q"
    assert str(raised.value).startswith(message)
    assert " at column " in str(raised.value)


def test_unknown_field_points_at_the_field() -> None:
    with pytest.raises(InvalidInput, match=r"unknown field 'colour' .* at column 3$"):
        parse("a colour:red")


def test_a_bad_value_points_at_its_clause() -> None:
    with pytest.raises(InvalidInput, match=r"at column 3$"):
        parse("a mediaType:fax")


def test_limits_are_refused_naming_q() -> None:
    with pytest.raises(InvalidInput, match=r"^q: is 2001 characters long \(at most 2000\)$"):
        parse("a" * (MAX_QUERY_LENGTH + 1))
    parse("a" * MAX_QUERY_LENGTH)
    deep = "(" * MAX_DEPTH + "a" + ")" * MAX_DEPTH
    assert parse(deep) == A
    with pytest.raises(InvalidInput, match=r"^q: nested more than 32 deep at column 33$"):
        parse("(" + deep + ")")
    with pytest.raises(InvalidInput, match=r"^q: nested more than 32 deep at column 33$"):
        parse("-" * (MAX_DEPTH + 1) + "a")
    with pytest.raises(InvalidInput, match=r"^q: nested more than 32 deep"):
        parse("NOT " * 400 + "a")  # no RecursionError on the way
    many = " ".join(["a"] * MAX_CLAUSES)
    assert isinstance(parse(many), And)
    with pytest.raises(InvalidInput, match=r"^q: more than 64 clauses at column 129$"):
        parse(many + " b")


# --- words -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("Über-Straße", ["uber", "strasse"]),
        ("O'Brien e-mail", ["o", "brien", "e", "mail"]),
        ("order_id=A-17", ["order", "id", "a", "17"]),
        ("żółw, ŻÓŁW!", ["zolw", "zolw"]),
        ("3.14", ["3", "14"]),
        ("東京 tower", ["東京", "tower"]),
        ("  ", []),
    ],
)
def test_words_are_folded_and_split_on_anything_but_letters_and_digits(
    text: str, words: list[str]
) -> None:
    assert words_of(text) == words


# --- rendering ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "a b OR -c",
        '"x y" subject:z* mediaType:email',
        'attr.k:"say \\"hi\\" \\\\ bye"',
        "startDate:[2026-01-01 TO 2026-02-01] attr.n:[1 TO 9] -attr.m:*",
        "NOT (a OR b) attr.p:abc* attr.q:!=x",
    ],
)
def test_render_parses_back_to_the_same_tree(text: str) -> None:
    tree = parse(text)
    assert parse(render(tree)) == tree


def test_render_escapes_quotes_and_backslashes() -> None:
    assert render(AttrCompare("k", AttrOp.EQ, 'a"b\\c')) == 'attr.k:"a\\"b\\\\c"'
    assert parse('attr.k:"a\\"b\\\\c"') == AttrCompare("k", AttrOp.EQ, 'a"b\\c')


# --- comparing attribute values ----------------------------------------------------------


@pytest.mark.parametrize(
    ("stored", "given", "order"),
    [
        ("10", "9", 1),  # numbers
        ("-2.5", "-10", 1),
        ("1000", "1000.0", 0),
        ("007", "7", 0),
        ("10", "9a", -1),  # a number and a string: strings
        ("1e3", "5", -1),  # no exponents: "1e3" is a string
        ("+5", "3", -1),  # no plus sign
        (" 5", "3", -1),  # no spaces
        ("1234567890123456", "999", -1),  # 16 digits: a string
        ("123456789012345", "999", 1),  # 15 digits: a number
        ("2026-01-10", "2026-01-09", 1),  # dates
        ("2026-01-01", "2026-01-01T00:00", 0),  # a date is its midnight, UTC
        ("2026-01-01T10:00+02:00", "2026-01-01T08:00Z", 0),
        ("2026-01-01 09:00:00.5", "2026-01-01T09:00:00Z", 1),
        ("2026-02-30", "2026-03-01", -1),  # no such day: strings, and "2" < "3"
        ("2026-1-5", "2026-01-05", 1),  # not yyyy-mm-dd: strings
        ("2026-01-01", "5", -1),  # a date and a number: strings
        ("abc", "abd", -1),
        ("B", "a", -1),  # code point order, case-sensitive
        ("é", "f", 1),
        ("same", "same", 0),
    ],
)
def test_compare_values(stored: str, given: str, order: int) -> None:
    assert compare_values(stored, given) == order
    assert compare_values(given, stored) == -order


def test_classify_names_the_kind_and_the_key() -> None:
    assert classify("-1.50") == (ValueKind.NUMBER, Decimal("-1.50"))
    assert classify("2026-01-01T02:00+02:00") == (ValueKind.DATE, at(2026, 1, 1))
    assert classify("A-17") == (ValueKind.STRING, "A-17")


# --- the reference evaluator -------------------------------------------------------------


def interaction(**fields: Any) -> Interaction:
    base: dict[str, Any] = {
        "id": "i1",
        "media_type": MediaType.CALL,
        "type_id": InteractionType.INBOUND,
        "state": State.STOPPED,
        "start_date": at(2026, 3, 31, 23, 30),
    }
    return Interaction(**(base | fields))


def chat(*texts: str, **fields: Any) -> Interaction:
    messages = [
        ChatMessage(index=i, type="Text", timestamp=at(2026, 1, 1), text=text)
        for i, text in enumerate(texts)
    ]
    return interaction(**({"media_type": MediaType.CHAT, "messages": messages} | fields))


def found(text: str, item: Interaction, owner_name: str | None = None) -> bool:
    return matches(parse(text), item, owner_name=owner_name)


def test_words_are_found_whatever_their_case_and_diacritics() -> None:
    item = interaction(subject="Über den Żółw", comment="Chargeback requested")
    assert found("uber", item)
    assert found("zolw ZÓŁW", item)
    assert found("charge*", item)
    assert not found("charge", item)
    assert found('"den zolw"', item)
    assert not found('"zolw den"', item)


def test_a_phrase_does_not_span_two_pieces_of_text() -> None:
    item = interaction(subject="refund", comment="please")
    assert found("refund please", item)
    assert not found('"refund please"', item)


def test_transcripts_are_searched_for_chat_like_media_only() -> None:
    assert found("chargeback", chat("I want a chargeback"))
    as_call = chat("I want a chargeback", media_type=MediaType.CALL)
    assert searchable_texts(as_call, None) == []
    assert not found("chargeback", as_call)
    sms = chat("hello", media_type=MediaType.SMSSESSION)
    assert found("hello", sms)


def test_email_subject_and_body_plain_text_else_html() -> None:
    plain = interaction(
        media_type=MediaType.EMAIL,
        email=EmailContent(subject="Invoice", body_as_plain_text="Refund", body="<p>html</p>"),
    )
    assert found("invoice refund", plain)
    assert not found("html", plain)
    html = interaction(
        media_type=MediaType.EMAIL,
        email=EmailContent(body="<p>Gr&uuml;&szlig;e<br>aus <b>M&uuml;nchen</b></p>"),
    )
    assert found('"grusse aus munchen"', html)
    assert not found("p", html)
    assert html_text("<div>a</div><div>b</div>") == "a b"


def test_user_data_strings_are_searched_at_any_depth() -> None:
    item = interaction(user_data={"a": {"b": ["x", {"c": "Kraków"}]}, "n": 5, "t": True})
    assert found("krakow", item)
    assert not found("5", item)
    assert not found("text:krakow", item)


def test_field_text_clauses_look_only_in_their_field() -> None:
    item = chat(
        "transcript words",
        subject="subject words",
        comment="comment words",
        email=EmailContent(subject="mail subject", body_as_plain_text="mail body"),
    )
    assert found("subject:subject subject:mail", item)
    assert not found("subject:transcript", item)
    assert found("comment:comment", item)
    assert not found("comment:subject", item)
    assert found("text:transcript text:body", item)
    assert not found("text:subject", item)
    assert not found("text:comment", item)


def test_field_matches() -> None:
    item = chat("hi", state=State.IN_PROCESS, owner_id="u1", contact_id="c1", thread_id="t1")
    assert found("mediaType:chat state:InProcess typeId:inbound", item)
    assert not found("mediaType:email", item)
    assert found("agent:alice userId:u1 contactId:c1 threadId:t1", item, owner_name="alice")
    assert not found("agent:alice", item, owner_name=None)
    assert not found("agent:Alice", item, owner_name="alice")


def test_date_ranges_include_the_whole_last_day() -> None:
    item = interaction(start_date=at(2026, 3, 31, 23, 30))
    assert found("startDate:[2026-01-01 TO 2026-03-31]", item)
    assert not found("startDate:[2026-01-01 TO 2026-03-30]", item)
    assert found("startDate:2026-03-31", item)
    assert found("startDate:<=2026-03-31 startDate:>2026-03-30", item)
    assert not found("startDate:>2026-03-31", item)
    assert not found("startDate:<2026-03-31", item)
    assert found("startDate:<=2026-03-31T23:30:00Z", item)
    assert not found("startDate:<2026-03-31T23:30:00Z", item)
    in_paris = parse_query("startDate:2026-04-01", zone=PARIS)  # 23:30 UTC is 00:30 there
    assert matches(in_paris, item, owner_name=None)


def test_attribute_operators() -> None:
    item = interaction(custom_attributes={"n": "1500", "d": "2026-02-01", "s": "Gold"})
    assert found("attr.n:[1000 TO 2000] attr.n:>999 attr.n:<=1500", item)
    assert not found("attr.n:>1500", item)
    assert found("attr.n:1500 attr.s:Gold attr.s:G* attr.s:!=gold", item)
    assert not found("attr.n:1500.0", item)  # equality is on the exact string
    assert not found("attr.s:gold", item)
    assert found("attr.d:[2026-01-01 TO 2026-12-31] attr.d:>2026-01-31T23:59Z", item)
    assert found("attr.s:>Apple attr.s:<Zebra", item)
    assert found("attr.n:* -attr.missing:*", item)
    assert not found("attr.missing:*", item)


def test_not_equal_needs_the_attribute_but_not_equals_does_not() -> None:
    without = interaction()
    assert not found("attr.tier:!=gold", without)
    assert found("-attr.tier:gold", without)
    assert not found("attr.tier:<5", without)
    assert not found("attr.tier:[1 TO 5]", without)


# --- properties --------------------------------------------------------------------------

WORD = st.text(alphabet="abcxyz019\u03c3ж東", min_size=1, max_size=5)
ATTR_NAME = st.text(alphabet="abkN_.-7", min_size=1, max_size=6)
ANY_TEXT = st.text(max_size=8)
TEXT_FIELD = st.sampled_from([None, "subject", "comment", "text"])
MOMENT = st.datetimes(  # hypothesis takes naive bounds and adds the zone
    min_value=at(1900, 1, 1).replace(tzinfo=None),
    max_value=at(2100, 1, 1).replace(tzinfo=None),
    timezones=st.just(UTC),
)
PLAIN_OPS = [op for op in AttrOp if op not in (AttrOp.EXISTS, AttrOp.MISSING)]


def _attr_compare(name: str, op: AttrOp, value: str) -> AttrCompare:
    return AttrCompare(name, op, "" if op in (AttrOp.EXISTS, AttrOp.MISSING) else value)


def _date_range(
    a: datetime | None, b: datetime | None, lower_inclusive: bool, upper_inclusive: bool
) -> DateRange:
    if a is not None and b is not None and a > b:  # the parser refuses a range that ends first
        a, b = b, a
    return DateRange(a, b, lower_inclusive, upper_inclusive)


def _field_match() -> st.SearchStrategy[FieldMatch]:
    enums = st.one_of(
        st.builds(FieldMatch, st.just("mediaType"), st.sampled_from(list(MediaType))),
        st.builds(FieldMatch, st.just("state"), st.sampled_from(list(State))),
        st.builds(FieldMatch, st.just("typeId"), st.sampled_from(list(InteractionType))),
    )
    names = st.sampled_from(["agent", "userId", "contactId", "threadId"])
    return st.one_of(enums, st.builds(FieldMatch, names, ANY_TEXT))


LEAVES: st.SearchStrategy[Node] = st.one_of(
    st.builds(Term, WORD, st.booleans(), TEXT_FIELD),
    st.builds(Phrase, st.lists(WORD, min_size=2, max_size=3).map(tuple), TEXT_FIELD),
    _field_match(),
    st.builds(_date_range, st.none() | MOMENT, st.none() | MOMENT, st.booleans(), st.booleans()),
    st.builds(_attr_compare, ATTR_NAME, st.sampled_from(list(AttrOp)), ANY_TEXT),
    st.builds(AttrRange, ATTR_NAME, ANY_TEXT, ANY_TEXT),
)


def _negated(item: Node) -> Node:
    # The parser reads `NOT attr.x:*` as the missing operator, so no tree holds that Not.
    if isinstance(item, AttrCompare) and item.op is AttrOp.EXISTS:
        return AttrCompare(item.name, AttrOp.MISSING)
    return Not(item)


def _compound(children: st.SearchStrategy[Node]) -> st.SearchStrategy[Node]:
    several = st.lists(children, min_size=2, max_size=3).map(tuple)
    return st.one_of(st.builds(And, several), st.builds(Or, several), children.map(_negated))


TREES = st.recursive(LEAVES, _compound, max_leaves=8)


@settings(max_examples=400)
@given(TREES)
def test_any_tree_rendered_parses_back_to_itself(tree: Node) -> None:
    assert parse(render(tree)) == tree


GRAMMAR_BITS = st.sampled_from(
    [
        "a", "Ü", " ", "(", ")", '"', "\\", "-", "*", ":", "[", "]", "{", "}", " TO ", "AND",
        "OR", "NOT", ">", ">=", "!=", "<", "attr.", "attr.x:", "startDate:", "mediaType:",
        "subject:", "2026-01-01", "T10:00Z", "foo:", "5", ".", "_", "\t",
    ]
)  # fmt: skip


@settings(max_examples=500)
@given(st.one_of(st.text(max_size=60), st.lists(GRAMMAR_BITS, max_size=25).map("".join)))
def test_any_string_parses_or_is_refused_as_invalid_q(text: str) -> None:
    try:
        tree = parse(text)
    except InvalidInput as refused:
        assert refused.field == "q"
    else:
        assert parse(render(tree)) == tree


VOCABULARY = ["apple", "Äpfel", "żółw", "refund", "東京"]
ATTR_VALUES = ["5", "10", "-2.5", "2026-01-01", "2026-01-01T12:00Z", "abc", "Abd", ""]


@st.composite
def interactions(draw: st.DrawFn) -> Interaction:
    phrase = st.lists(st.sampled_from(VOCABULARY), max_size=4).map(" ".join)
    attrs = st.dictionaries(st.sampled_from(["n", "k"]), st.sampled_from(ATTR_VALUES))
    return interaction(
        media_type=draw(st.sampled_from([MediaType.CHAT, MediaType.CALL])),
        subject=draw(st.none() | phrase),
        comment=draw(st.none() | phrase),
        messages=[ChatMessage(index=0, type="Text", timestamp=at(2026, 1, 1), text=draw(phrase))],
        custom_attributes=draw(attrs),
        start_date=draw(st.sampled_from([at(2025, 12, 31), at(2026, 1, 1, 12), at(2026, 2, 1)])),
    )


SMALL_LEAVES: st.SearchStrategy[Node] = st.one_of(
    st.builds(Term, st.sampled_from(["apple", "apfel", "zolw", "ref", "東京"]), st.booleans()),
    st.builds(Phrase, st.lists(st.sampled_from(["apple", "refund"]), min_size=2, max_size=2)
              .map(tuple)),
    st.builds(_attr_compare, st.sampled_from(["n", "k"]), st.sampled_from(list(AttrOp)),
              st.sampled_from(ATTR_VALUES)),
    st.builds(AttrRange, st.just("n"), st.sampled_from(ATTR_VALUES), st.sampled_from(ATTR_VALUES)),
    st.just(DateRange(at(2026, 1, 1), at(2026, 1, 2))),
)  # fmt: skip
SMALL_TREES = st.recursive(SMALL_LEAVES, _compound, max_leaves=5)


@settings(max_examples=300)
@given(SMALL_TREES, SMALL_TREES, interactions())
def test_boolean_laws_hold(x: Node, y: Node, item: Interaction) -> None:
    def m(node: Node) -> bool:
        return matches(node, item, owner_name=None)

    assert m(Not(x)) is (not m(x))
    assert m(And((x, y))) is (m(x) and m(y))
    assert m(Or((x, y))) is (m(x) or m(y))
    assert m(Not(And((x, y)))) is m(Or((Not(x), Not(y))))  # De Morgan
    assert m(Not(Or((x, y)))) is m(And((Not(x), Not(y))))
    assert m(parse(render(x))) is m(x)


@settings(max_examples=300)
@given(interactions(), st.sampled_from(["apple", "apfel", "zolw", "ref", "東京"]))
def test_a_word_matches_as_brute_force_says(item: Interaction, word: str) -> None:
    pieces = [item.subject or "", item.comment or ""]
    if item.media_type is MediaType.CHAT:
        pieces += [m.text or "" for m in item.messages or []]
    # Brute force: fold by hand the few letters the vocabulary has, split on spaces.
    spelled = " ".join(pieces).lower().replace("ä", "a").replace("ż", "z").replace("ó", "o")
    words = spelled.replace("ł", "l").split()
    assert matches(Term(word), item, owner_name=None) is (word in words)
    prefixed = any(w.startswith(word) for w in words)
    assert matches(Term(word, prefix=True), item, owner_name=None) is prefixed


@settings(max_examples=300)
@given(interactions(), st.sampled_from(PLAIN_OPS), st.sampled_from(ATTR_VALUES))
def test_attribute_comparisons_as_brute_force_says(
    item: Interaction, op: AttrOp, given_value: str
) -> None:
    stored = item.custom_attributes.get("n")
    expected = stored is not None and _brute_force(stored, op, given_value)
    assert matches(AttrCompare("n", op, given_value), item, owner_name=None) is expected


def _brute_force(stored: str, op: AttrOp, given_value: str) -> bool:
    def key(value: str) -> tuple[int, Any]:
        try:
            return 0, float(value)
        except ValueError:
            pass
        try:
            moment = datetime.fromisoformat(value)
        except ValueError:
            return 2, value
        return 1, (moment if moment.tzinfo else moment.replace(tzinfo=UTC))

    (kind_a, a), (kind_b, b) = key(stored), key(given_value)
    if kind_a != kind_b:
        a, b = stored, given_value
    checks: dict[AttrOp, bool] = {
        AttrOp.EQ: stored == given_value,
        AttrOp.NE: stored != given_value,
        AttrOp.PREFIX: stored.startswith(given_value),
        AttrOp.GT: bool(a > b),
        AttrOp.GE: bool(a >= b),
        AttrOp.LT: bool(a < b),
        AttrOp.LE: bool(a <= b),
    }
    return checks[op]
