"""Redaction at ingest: the detectors (payment cards, IBANs, US SSNs, chosen regular
expressions) and the policy that applies them to what an interaction carries (transcript text,
email subject and bodies, subject, comment, chosen attributes and user data).

Pure functions: services apply a `Redaction` to interactions and patches before the store
sees them (docs/privacy-redaction.md). A match becomes a visible marker without digits; text
without a match comes back as the same string. `redact_text` repeats its detectors until
nothing changes, so redacting twice is redacting once.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from functools import partial
from typing import Any

from openucs.domain.models import Interaction, InteractionPatch, JsonObject
from openucs.errors import InvalidInput

CARD_MARKER = "[card redacted]"
IBAN_MARKER = "[iban redacted]"
SSN_MARKER = "[ssn redacted]"
PATTERN_MARKER = "[redacted]"
KINDS = ("card", "iban", "ssn")

# A marker is never redacted again: text is redacted between the markers.
_MARKERS = re.compile(r"\[(?:card |iban |ssn )?redacted\]")

# Digits joined by single spaces or dashes: a card number is 13-19 of them, written in groups.
_DIGIT_RUN = re.compile(r"(?<![0-9])[0-9]+(?:[ -][0-9]+)*(?![0-9])")
_GROUP = re.compile(r"[0-9]+")
_CARD_HINT = re.compile(r"[0-9](?:[ -]?[0-9]){12}")
_DIGIT = re.compile(r"[0-9]")
CARD_MIN, CARD_MAX = 13, 19

_IBAN = re.compile(r"(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}(?: ?[A-Z0-9]){11,30}(?![A-Za-z0-9])")
IBAN_MIN, IBAN_MAX = 15, 34

_SSN = re.compile(r"(?<![0-9-])([0-9]{3})-([0-9]{2})-([0-9]{4})(?![0-9]|-[0-9])")

# What each kind needs at least: one scan for all of them rules out most texts.
_HINTS = {
    "card": r"[0-9](?:[ -]?[0-9]){12}",
    "iban": r"[A-Z]{2}[0-9]{2} ?[A-Z0-9]",
    "ssn": r"[0-9]{3}-[0-9]{2}-[0-9]{4}",
}

# Chosen patterns are applied a line at a time, in pieces of at most this many characters:
# Python's `re` has no timeout, so this (and `check_pattern`) bounds the cost of a pattern.
PATTERN_PIECE = 4096


def luhn_valid(digits: str) -> bool:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = ord(char) - 48
        if position % 2:
            value = value * 2 - 9 if value > 4 else value * 2
        total += value
    return total % 10 == 0


def iban_valid(candidate: str) -> bool:
    """ISO 13616: the country code and check digits moved to the end, letters as numbers
    (A=10...), the whole mod 97 is 1."""
    compact = candidate.replace(" ", "").upper()
    if not IBAN_MIN <= len(compact) <= IBAN_MAX or not compact.isascii():
        return False
    rearranged = compact[4:] + compact[:4]
    return int("".join(str(int(char, 36)) for char in rearranged)) % 97 == 1


def ssn_valid(area: str, group: str, serial: str) -> bool:
    """Area 000, 666 and 900-999, group 00 and serial 0000 are never issued."""
    return area not in {"000", "666"} and area[0] != "9" and group != "00" and serial != "0000"


def redact_cards(text: str) -> str:
    if _CARD_HINT.search(text) is None:  # one scan in C: most texts hold no 13 digits together
        return text
    return _DIGIT_RUN.sub(_cards_in_run, text)


def _cards_in_run(match: re.Match[str]) -> str:
    """Within one run of digit groups, the leftmost, then longest, windows of whole groups
    that can be a card (see `_card_window`) and pass the Luhn check become markers."""
    run = match.group()
    groups = [(g.start(), g.end(), g.group()) for g in _GROUP.finditer(run)]
    pieces: list[str] = []
    done = 0  # characters of `run` already in `pieces`
    index = 0
    while index < len(groups):
        end = _card_window(run, groups, index)
        if end is None:
            index += 1
            continue
        pieces += [run[done : groups[index][0]], CARD_MARKER]
        done = groups[end][1]
        index = end + 1
    return "".join([*pieces, run[done:]]) if pieces else run


def _card_window(run: str, groups: Sequence[tuple[int, int, str]], first: int) -> int | None:
    """The last group of the longest card starting at group `first`, if any. A card is one
    group of 13-19 digits, or groups of 3-6 digits (the last may be shorter) joined by one
    kind of separator, as cards are printed (4-4-4-4, 4-6-5, 4-4-4-1...): the expiry and code
    printed after a card do not hide it, and lists of short numbers (`078-05-1120
    219-09-9999`) are not read as cards."""
    digits = groups[first][2]
    if CARD_MIN <= len(digits) <= CARD_MAX:
        return first if luhn_valid(digits) else None
    if not 3 <= len(digits) <= 6:
        return None
    separator = run[groups[first][1] : groups[first][1] + 1]
    found = None
    for last in range(first + 1, len(groups)):
        start, _end, group = groups[last]
        if run[start - 1] != separator or len(group) > 6:
            break
        digits += group
        if len(digits) > CARD_MAX:
            break
        if len(digits) >= CARD_MIN and luhn_valid(digits):
            found = last
        if len(group) < 3:  # a short group only ends a card (`4222 2222 2222 2`)
            break
    return found


def redact_ibans(text: str) -> str:
    return _IBAN.sub(_iban_marker, text)


def _iban_marker(match: re.Match[str]) -> str:
    """The longest valid IBAN the match starts with, ending at a space or at its end (the
    words after a printed IBAN may look like more of its groups)."""
    found = match.group()
    ends = [len(found)] + [i for i in range(len(found) - 1, 0, -1) if found[i] == " "]
    for end in ends:
        if iban_valid(found[:end]):
            return IBAN_MARKER + found[end:]
    return found


def redact_ssns(text: str) -> str:
    def replace(match: re.Match[str]) -> str:
        return SSN_MARKER if ssn_valid(*match.groups()) else match.group()

    return _SSN.sub(replace, text)


_DETECTORS: dict[str, Callable[[str], str]] = {
    "card": redact_cards,
    "iban": redact_ibans,
    "ssn": redact_ssns,
}


def check_pattern(setting: str, source: str) -> re.Pattern[str]:
    """A chosen pattern, compiled; InvalidInput naming `setting` when it does not compile,
    can match empty text, refers back to a group or repeats a repetition or an alternation
    (the shapes whose backtracking can take exponential time)."""
    try:
        pattern = re.compile(source)
    except re.error as exc:
        raise InvalidInput(setting, f"{source!r} is not a regular expression: {exc}") from None
    if pattern.fullmatch("") is not None:
        raise InvalidInput(setting, f"{source!r} matches empty text")
    problem = _risky_shape(source)
    if problem:
        raise InvalidInput(setting, f"{source!r} {problem}")
    return pattern


def _risky_shape(source: str) -> str | None:
    from re import _parser  # the standard parser (3.11+), which `re.compile` uses

    return _risky_in(_parser.parse(source), inside_repeat=False)


def _risky_in(tokens: Iterable[Any], *, inside_repeat: bool) -> str | None:
    for op, arg in tokens:
        name = str(op)
        if name in {"GROUPREF", "GROUPREF_EXISTS"}:
            return "refers back to a group"
        if name in {"MAX_REPEAT", "MIN_REPEAT", "POSSESSIVE_REPEAT"}:
            _low, high, body = arg
            unbounded = high > 100
            if unbounded and inside_repeat:
                return "repeats a repetition (catastrophic backtracking)"
            problem = _risky_in(body, inside_repeat=inside_repeat or unbounded)
            if problem:
                return problem
        elif name == "BRANCH":
            if inside_repeat:
                return "repeats an alternation (catastrophic backtracking)"
            for branch in arg[1]:
                problem = _risky_in(branch, inside_repeat=inside_repeat)
                if problem:
                    return problem
        elif name in {"SUBPATTERN", "ASSERT", "ASSERT_NOT", "ATOMIC_GROUP"}:
            body = arg[-1]
            problem = _risky_in(body, inside_repeat=inside_repeat)
            if problem:
                return problem
    return None


@dataclass(frozen=True, slots=True)
class Redaction:
    """What to redact: built-in `kinds` (of `KINDS`), chosen `patterns`, and the custom
    attributes and user data keys named in `attributes`. The default redacts nothing.
    Picklable (an import's preparing process gets it)."""

    kinds: frozenset[str] = frozenset()
    patterns: tuple[re.Pattern[str], ...] = ()
    attributes: frozenset[str] = frozenset()
    _order: tuple[str, ...] = field(default=(), init=False, repr=False, compare=False)
    _hint: re.Pattern[str] | None = field(default=None, init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        unknown = self.kinds - set(KINDS)
        if unknown:
            raise InvalidInput(
                "redact", f"unknown kind {sorted(unknown)[0]!r} ({', '.join(KINDS)})"
            )
        order = tuple(k for k in KINDS if k in self.kinds)
        object.__setattr__(self, "_order", order)
        if order:
            hint = re.compile("|".join(f"(?:{_HINTS[k]})" for k in order))
            object.__setattr__(self, "_hint", hint)

    @classmethod
    def parse(cls, *, kinds: str, patterns: Sequence[str], attributes: str) -> Redaction:
        """From the settings: comma-separated kinds and attribute names, pattern sources."""
        return cls(
            kinds=frozenset(_names(kinds)),
            patterns=tuple(check_pattern("redact_patterns", p) for p in patterns),
            attributes=frozenset(_names(attributes)),
        )

    @property
    def active(self) -> bool:
        return bool(self._order or self.patterns)

    def reaches(self, item: Interaction) -> bool:
        """Whether `item` carries any text at all (most call records carry none)."""
        return bool(
            item.subject
            or item.comment
            or item.messages
            or item.email
            or (self.attributes and (item.custom_attributes or item.user_data))
        )

    def text(self, value: str) -> str:
        return redact_text(value, self) if self.active else value

    def optional(self, value: str | None) -> str | None:
        return value if value is None or not self.active else redact_text(value, self)


def _names(value: str) -> list[str]:
    return [name.strip() for name in value.split(",") if name.strip()]


NO_REDACTION = Redaction()


def redact_text(text: str, policy: Redaction) -> str:
    """`text` with every match of `policy` replaced by its marker; the same string when
    nothing matches. Repeated until nothing changes (each round replaces non-empty text
    outside the markers with a marker, so it ends), hence idempotent."""
    if not _may_match(text, policy):
        return text
    while True:
        redacted = _one_round(text, policy)
        if redacted == text:
            return text
        text = redacted


def _may_match(text: str, policy: Redaction) -> bool:
    """One scan in C that rules out most texts: none of the chosen kinds' shapes, and no
    pattern matches (a long text is left to the pieces of `_redact_pattern`)."""
    if policy._hint is not None and policy._hint.search(text) is not None:
        return True
    if not policy.patterns:
        return False
    if len(text) > PATTERN_PIECE:
        return True
    return any(pattern.search(text) is not None for pattern in policy.patterns)


def _one_round(text: str, policy: Redaction) -> str:
    if _DIGIT.search(text) is not None:  # every built-in kind needs digits
        for kind in policy._order:
            text = _between_markers(text, _DETECTORS[kind])
    for pattern in policy.patterns:
        text = _between_markers(text, partial(_redact_pattern, pattern))
    return text


def _between_markers(text: str, detector: Callable[[str], str]) -> str:
    """`detector` applied to the text between the markers, which stay as they are."""
    if "redacted]" not in text:
        return detector(text)
    parts: list[str] = []
    done = 0
    for marker in _MARKERS.finditer(text):
        parts += [detector(text[done : marker.start()]), marker.group()]
        done = marker.end()
    if not parts:
        return detector(text)
    return "".join([*parts, detector(text[done:])])


def _redact_pattern(pattern: re.Pattern[str], piece: str) -> str:
    """A chosen pattern applied a line, and at most PATTERN_PIECE characters, at a time."""
    if len(piece) <= PATTERN_PIECE and "\n" not in piece:
        return pattern.sub(_pattern_marker, piece)
    lines = piece.split("\n")
    for number, line in enumerate(lines):
        if line:
            chunks = range(0, len(line), PATTERN_PIECE)
            lines[number] = "".join(
                pattern.sub(_pattern_marker, line[i : i + PATTERN_PIECE]) for i in chunks
            )
    return "\n".join(lines)


def _pattern_marker(match: re.Match[str]) -> str:
    return PATTERN_MARKER if match.group() else ""


# --- what an interaction carries -----------------------------------------------------------


def redact_interaction(item: Interaction, policy: Redaction) -> None:
    """Redact the texts of `item` in place (a million-row import must not copy every row):
    subject, comment, transcript text, email subject and bodies, the chosen custom attributes
    and user data keys."""
    if not (policy.active and policy.reaches(item)):
        return
    item.subject = policy.optional(item.subject)
    item.comment = policy.optional(item.comment)
    item.custom_attributes = redact_attributes(item.custom_attributes, policy)
    item.user_data = redact_user_data(item.user_data, policy)
    for message in item.messages or ():
        message.text = policy.optional(message.text)
    if item.email is not None:
        email = item.email
        email.subject = policy.optional(email.subject)
        email.body = policy.optional(email.body)
        email.body_as_plain_text = policy.optional(email.body_as_plain_text)


def redact_patch(patch: InteractionPatch, policy: Redaction) -> InteractionPatch:
    """The patch with its subject, comment, chosen attributes and user data redacted."""
    if not policy.active:
        return patch
    return replace(
        patch,
        subject=policy.optional(patch.subject),
        comment=policy.optional(patch.comment),
        custom_attributes=None
        if patch.custom_attributes is None
        else redact_attributes(patch.custom_attributes, policy),
        user_data=redact_user_data(patch.user_data, policy),
    )


def redact_attributes(values: dict[str, str], policy: Redaction) -> dict[str, str]:
    if not (policy.attributes and policy.active):
        return values
    chosen = policy.attributes
    return {k: redact_text(v, policy) if k in chosen else v for k, v in values.items()}


def redact_user_data(data: JsonObject | None, policy: Redaction) -> JsonObject | None:
    """The chosen keys' string values (top level) redacted."""
    if not data or not (policy.attributes and policy.active):
        return data
    chosen = policy.attributes
    return {
        k: redact_text(v, policy) if k in chosen and isinstance(v, str) else v
        for k, v in data.items()
    }
