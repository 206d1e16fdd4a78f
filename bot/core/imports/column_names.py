"""Header cells that name a text file's columns (Front/Back, Frage/Antwort, English/Deutsch...)."""

from __future__ import annotations

__all__ = [
    "column_role",
    "is_column_titles",
]


# Header cells naming a column, compared case-insensitively without surrounding punctuation.


def _names(text: str) -> frozenset[str]:
    return frozenset(name.strip() for name in text.split("|") if name.strip())


_QUESTION_NAMES = _names(
    "front|question|term|word|prompt|side 1|side a|q|recto|expression|phrase|"
    "vorderseite|frage|begriff|wort|vokabel|"
    "pregunta|término|termino|anverso|frente|palabra|"
    "terme|mot|domanda|termine|parola|pergunta|termo|"
    "vraag|voorkant|woord|pytanie|słowo|pojęcie|"
    "вопрос|термин|слово|лицевая сторона|問題|表面|単語|问题|正面|单词|术语"
)
_ANSWER_NAMES = _names(
    "back|answer|definition|meaning|translation|side 2|side b|a|verso|"
    "rückseite|antwort|definition|bedeutung|übersetzung|"
    "respuesta|definición|definicion|reverso|significado|traducción|traduccion|"
    "réponse|reponse|définition|traduction|risposta|definizione|traduzione|"
    "resposta|definição|tradução|antwoord|achterkant|betekenis|vertaling|"
    "odpowiedź|definicja|tłumaczenie|"
    "ответ|определение|перевод|значение|оборотная сторона|答え|裏面|意味|答案|背面|释义|翻译"
)
_TAGS_NAMES = _names(
    "tags|tag|labels|etiquetas|etiqueta|schlagwörter|schlagworte|étiquettes|etichette|"
    "tags anki|теги|метки|タグ|标签"
)
# A first row of two language names titles the columns ("English;Deutsch").
_LANGUAGE_NAMES = _names(
    "english|spanish|french|german|italian|portuguese|russian|ukrainian|polish|dutch|"
    "swedish|norwegian|danish|finnish|czech|greek|turkish|arabic|hebrew|hindi|chinese|"
    "mandarin|japanese|korean|vietnamese|thai|indonesian|latin|"
    "inglés|ingles|español|espanol|francés|frances|alemán|aleman|italiano|portugués|"
    "englisch|spanisch|französisch|deutsch|italienisch|russisch|"
    "anglais|espagnol|français|allemand|italien|russe|inglese|spagnolo|francese|tedesco|"
    "inglês|espanhol|francês|alemão|português|"
    "английский|испанский|французский|немецкий|русский|українська|англійська|"
    "polski|angielski|nederlands|engels|svenska|engelska|türkçe|ingilizce|"
    "中文|英语|日本語|英語|한국어|영어"
)
_GUID_NAMES = _names("guid|note id|anki guid")


def column_role(name: str) -> str | None:
    cleaned = name.strip().strip(":#*\"'").strip().casefold()
    for role, names in (
        ("question", _QUESTION_NAMES),
        ("answer", _ANSWER_NAMES),
        ("tags", _TAGS_NAMES),
        ("guid", _GUID_NAMES),
    ):
        if cleaned in names:
            return role
    return None


def is_column_titles(first: str, second: str) -> bool:
    if column_role(first) == "question" and column_role(second) == "answer":
        return True
    return _language(first) is not None and _language(second) not in (None, _language(first))


def _language(cell: str) -> str | None:
    cleaned = cell.strip().strip(":#*\"'").strip().casefold()
    return cleaned if cleaned in _LANGUAGE_NAMES else None
