"""Checking typed answers: normalisation, typo tolerance and the few phrasings we also accept.

Rules (also in RULES.md):

* `normalise`: Unicode NFKC, casefold, apostrophes dropped ("don't" == "dont"), other
  punctuation turned into spaces, whitespace collapsed, one leading article dropped: English,
  Spanish, French, German, Italian or Portuguese ("the", "el", "l'", "die", "gli", "um"...;
  the one-letter "o" and "i" only before a word of two or more characters, so "O(n)" stays).
  The symbols ``@ # % & * _ \\`` are content, not punctuation ("C#", "@ operator", "50%").
  A text that is nothing but punctuation ("?!") is kept as typed, so it can still be compared.
* A missing or extra article is forgiven ("gato" for "el gato"), a *different* one is not
  ("la gato" for "el gato", "die See" for "der See"): in a language deck the article is often
  what is being learned. English a/an/the count as one; "l'" agrees with le/la/lo, "un'" with una.
* Typo tolerance is the Damerau-Levenshtein distance (rapidfuzz; insert, delete, substitute,
  swap two neighbours) between normalised texts, allowed by the expected text's length:
  0 up to 3 characters, 1 up to 7, 2 up to 20, 3 beyond. Digits never get tolerance: the
  numbers in both texts must be identical ("1945" is not "1946"). Nor do symbols (what is left
  that is neither letter, digit nor space: "@", "*", "+", "#"...): they must be the same, in the
  same order, since in "Using the @ operator" the "@" is the whole answer ("*" is not a typo).
* Also accepted, because flashcard answers are written loosely:
  - a parenthesised part of the expected answer is optional: "Paris (France)" accepts "Paris";
  - one leading "using/by/via/with/to" is optional on either side: "Using the @ operator"
    accepts "@ operator" and "to run" accepts "run".
  Token-set containment is deliberately *not* accepted: "not X" contains "X".
* Empty input (or input that normalises to nothing) is never correct.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from rapidfuzz.distance import DamerauLevenshtein

__all__ = [
    "DISTANCE_CAP",
    "Verdict",
    "allowed_typos",
    "check_written",
    "damerau_levenshtein",
    "normalise",
]

DISTANCE_CAP = 10  # distances beyond this are reported as DISTANCE_CAP; they only mean "wrong"

_APOSTROPHES = frozenset("'\u2018\u2019\u02bc`\u00b4")
_CONTENT_PUNCTUATION = frozenset("@#%&*_\\")
_ENGLISH_ARTICLES = frozenset({"a", "an", "the"})
# Definite and indefinite articles, every gender, number and case; an elided one keeps its "'".
_ARTICLES_BY_LANGUAGE = {
    "en": _ENGLISH_ARTICLES,
    "es": {"el", "la", "los", "las", "un", "una", "unos", "unas"},
    "fr": {"le", "la", "les", "l'", "un", "une", "des"},
    "de": {"der", "die", "das", "den", "dem", "des", "ein", "eine", "einen", "einem", "einer",
           "eines"},
    "it": {"il", "lo", "la", "i", "gli", "le", "l'", "un", "uno", "una", "un'"},
    "pt": {"o", "a", "os", "as", "um", "uma", "uns", "umas"},
}  # fmt: skip
_ARTICLES = frozenset().union(*_ARTICLES_BY_LANGUAGE.values())
_SHORT_ARTICLES = frozenset({"o", "i"})  # only before a real word: "O(n)" is not "the n"
_ELISIONS = frozenset({("l'", "le"), ("l'", "la"), ("l'", "lo"), ("un'", "una")})
_ELIDED = re.compile(r"(l|un)[\'\u2018\u2019\u02bc`\u00b4](?=\w)")
_OPTIONAL_LEADS = frozenset({"using", "by", "via", "with", "to"})
_PARENTHESISED = re.compile(r"\([^()]*\)")
_NUMBER = re.compile(r"\d+")


@dataclass(frozen=True, slots=True)
class Verdict:
    """How a typed answer compares with the expected one.

    `exact` means equal after normalisation; `distance` is the edit distance to the closest
    accepted form (capped at DISTANCE_CAP), or to the normalised expected text when wrong.
    """

    correct: bool
    exact: bool
    distance: int


def _fold(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def _words(text: str) -> list[str]:
    """The words of a text as `normalise` compares them, before any article is dropped.

    An elided leading article ("l'eau", "un'amica") is split off as its own word first, since
    dropping the apostrophe would glue it to the noun.
    """
    folded = _fold(text)
    elided = _ELIDED.match(folded)
    head = [f"{elided.group(1)}'"] if elided else []
    chars = []
    for ch in folded[elided.end() if elided else 0 :]:
        if ch in _APOSTROPHES:
            continue
        if unicodedata.category(ch).startswith("P") and ch not in _CONTENT_PUNCTUATION:
            chars.append(" ")
        else:
            chars.append(ch)
    return head + "".join(chars).split()


def _leading_article(words: list[str]) -> str | None:
    """The article `normalise` would drop from these words, if any."""
    if len(words) < 2 or words[0] not in _ARTICLES:
        return None
    if words[0] in _SHORT_ARTICLES and len(words[1]) < 2:
        return None
    return words[0]


def normalise(text: str) -> str:
    """The comparable form of an answer: see the module docstring for the rules."""
    words = _words(text)
    if not words:
        return _fold(text)  # only punctuation: that punctuation is the answer
    if _leading_article(words) is not None:
        words = words[1:]
    return " ".join(words)


def _articles_agree(expected: str | None, given: str | None) -> bool:
    """Whether two leading articles may stand for each other (a missing one always may)."""
    if expected is None or given is None or expected == given:
        return True
    if expected in _ENGLISH_ARTICLES and given in _ENGLISH_ARTICLES:
        return True
    return (expected, given) in _ELISIONS or (given, expected) in _ELISIONS


def allowed_typos(expected_normalised: str) -> int:
    """How many edits are forgiven for an expected answer of this (normalised) length."""
    n = len(expected_normalised)
    if n <= 3:
        return 0
    if n <= 7:
        return 1
    if n <= 20:
        return 2
    return 3


def damerau_levenshtein(a: str, b: str, *, limit: int | None = None) -> int:
    """Unrestricted Damerau-Levenshtein distance (rapidfuzz's; insert, delete, substitute,
    swap two neighbours). With `limit`, any distance above it is returned as ``limit + 1``
    and the work stops early."""
    return DamerauLevenshtein.distance(a, b, score_cutoff=limit)


def _symbols(normalised: str) -> list[str]:
    """The symbols of a normalised text, in order: typo tolerance never covers them."""
    return [ch for ch in normalised if not ch.isalnum() and not ch.isspace()]


def _strip_optional_lead(normalised: str) -> str:
    words = normalised.split()
    if len(words) > 1 and words[0] in _OPTIONAL_LEADS:
        return normalise(" ".join(words[1:]))  # re-drop an article: "using the @" -> "@"
    return normalised


def _forms(text: str, *, parentheses_optional: bool) -> list[str]:
    """Accepted forms of a text, the plain normalised form first, without empties or repeats."""
    raws = [text]
    if parentheses_optional:
        raws.append(_PARENTHESISED.sub(" ", text))
    forms: list[str] = []
    for raw in raws:
        base = normalise(raw)
        for form in (base, _strip_optional_lead(base)):
            if form.strip() and form not in forms:
                forms.append(form)
    return forms


def check_written(expected: str, given: str) -> Verdict:
    """Compare a typed answer with the expected one; ValueError if `expected` is blank."""
    expected_forms = _forms(expected, parentheses_optional=True)
    if not expected_forms:
        raise ValueError("expected answer is empty")
    primary_expected = expected_forms[0]
    given_forms = _forms(given, parentheses_optional=False)
    if not given_forms:
        return Verdict(
            correct=False, exact=False, distance=min(len(primary_expected), DISTANCE_CAP)
        )
    primary_given = given_forms[0]
    expected_words, given_words = _words(expected), _words(given)
    if not _articles_agree(_leading_article(expected_words), _leading_article(given_words)):
        # "la gato" for "el gato": the article typed is a different one, so it is wrong.
        full_distance = damerau_levenshtein(
            " ".join(expected_words), " ".join(given_words), limit=DISTANCE_CAP
        )
        return Verdict(correct=False, exact=False, distance=min(full_distance, DISTANCE_CAP))
    if primary_given == primary_expected:
        return Verdict(correct=True, exact=True, distance=0)

    best_accepted: int | None = None
    for exp in expected_forms:
        allowed = allowed_typos(exp)
        for giv in given_forms:
            if _NUMBER.findall(exp) != _NUMBER.findall(giv) or _symbols(exp) != _symbols(giv):
                continue
            distance = damerau_levenshtein(exp, giv, limit=allowed)
            if distance <= allowed and (best_accepted is None or distance < best_accepted):
                best_accepted = distance
    if best_accepted is not None:
        return Verdict(correct=True, exact=False, distance=best_accepted)
    distance = damerau_levenshtein(primary_expected, primary_given, limit=DISTANCE_CAP)
    return Verdict(correct=False, exact=False, distance=min(distance, DISTANCE_CAP))
