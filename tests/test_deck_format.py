"""Deck file format: the shipped seed deck, every malformed case, and folder loading."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from bot.core.deck_format import (
    ANSWER_MAX_CHARS,
    QUESTION_MAX_CHARS,
    CardSpec,
    DeckFormatError,
    DeckSpec,
    deck_file_slugs,
    is_deck_file_slug,
    load_deck_dir,
    load_deck_file,
    parse_deck,
)
from bot.core.markup import to_plain_text, to_telegram_html

DECKS_DIR = Path(__file__).resolve().parents[1] / "decks"
SEED_DECK = DECKS_DIR / "deep-learning-tools.md"
# shared/ sits beside the checkout (for developers and for CI's clean clone).
_SEED_CANDIDATES = [
    Path(__file__).resolve().parents[2] / "shared" / "seed" / "deep-learning-tools.txt",
    Path("/work/shared/seed/deep-learning-tools.txt"),
]
SEED_SCRAPE = next((p for p in _SEED_CANDIDATES if p.exists()), _SEED_CANDIDATES[0])

# The scraped study-set page the seed deck was transcribed from, kept here so the test does not
# depend on a file outside the repository. Its first five lines are the page's chrome.
SEED_TEXT = """\
1/15
Flashcards for reviewing the tools of deep learning, focusing on TensorFlow, Keras, and related concepts.
Name | Mastery | Learn | Test | Matching | Spaced |
---|
No study sessions yet.
What are the primary deep learning frameworks mentioned?
TensorFlow, Keras, and PyTorch are the primary deep learning frameworks. TensorFlow is developed by Google and is known for its scalability and production readiness. Keras is a high-level API that runs on top of TensorFlow (though it supports other backends as well) and is designed for rapid experimentation and ease of use. PyTorch, developed by Facebook, is favored for its dynamic computation graph and research flexibility.
What is the de-facto language for deep learning?
Python is the de-facto language for deep learning due to its simplicity, extensive libraries (such as NumPy, SciPy, Pandas, Matplotlib, and scikit-learn), and frameworks specifically designed for deep learning (like TensorFlow, Keras, and PyTorch). Its large community and extensive documentation make it easy for researchers and developers to prototype and deploy deep learning models.
What is the underlying language for framework backends?
The underlying languages for deep learning framework backends are primarily C++ and CUDA. C++ is used for its performance and compatibility across different hardware platforms. CUDA (Compute Unified Device Architecture) is a parallel computing platform and programming model developed by NVIDIA, which is used to leverage the power of GPUs for accelerating computations
What is the core object in TensorFlow?
The core object in TensorFlow is the Tensor, which is a multidimensional array. Tensors are similar to NumPy arrays but can run on GPUs or TPUs, making them suitable for deep learning computations. Tensors can have various data types, including float32, int32, and string.
In TensorFlow, what should be used for storing constant values such as input data?
In TensorFlow, Tensors are fundamental for storing constant values such as input data. They are immutable, meaning their values cannot be changed once created, which makes them suitable for holding fixed data like input datasets or pre-defined numerical constants used throughout the model.
In TensorFlow, what should be used for values that will be updated, such as model weights?
In TensorFlow, tf.Variable
should be used for values that need to be updated during training, such as model weights and biases. Unlike tf.constant
, tf.Variable
allows you to change the stored value. They hold stateful values that persist across multiple executions of a graph. Variables must be initialized before use, and they can be updated using methods like .assign()
.
How are element-wise addition and multiplication performed in TensorFlow?
Using operators like + and *
How is matrix multiplication performed in TensorFlow?
Using the @ operator
What is the purpose of tf.math.reduce_sum
in TensorFlow?
To compute the sum of elements across specified axes of a tensor.
How does broadcasting work in TensorFlow?
TensorFlow's broadcasting mechanism is similar to NumPy's, allowing operations between tensors with different shapes under certain conditions. Specifically:
Dimensions Compatibility: Two dimensions are compatible when they are equal or one of them is 1.
Broadcasting Rules: If the number of dimensions of two tensors are different, the tensor with fewer dimensions is padded with ones on its leading (left) side.
Computation: When performing an operation, TensorFlow stretches the tensor with dimension 1 to match the size of the other tensor along that dimension. This stretching doesn't involve copying data, thus it's memory efficient.
For example, adding a scalar to a matrix involves broadcasting the scalar to every element in the matrix. Similarly, operations between tensors of shapes (m, n) and (1, n) or (m, 1) are possible due to broadcasting.
Broadcasting allows for more concise code and efficient computations when dealing with tensors of different shapes that have a clear mathematical relationship.
How are images represented in deep learning?
In deep learning, images are typically represented by a 3D tensor with the shape [height, width, channel]. Height and width denote the dimensions of the image in pixels, while the channel represents color depth. Common representations include RGB (3 channels) or grayscale (1 channel).
What dimension is added during minibatch gradient descent?
During minibatch gradient descent, a fourth dimension is added to the image tensor to represent the batch size. This transforms the shape from [height, width, channel] for a single image to [batch, height, width, channel] for a batch of images. This allows the model to process multiple images in parallel, improving training efficiency. Each batch consists of multiple independent samples that the model processes simultaneously to compute the gradient of the loss function.
What do tf.expand_dims
and tf.squeeze
do?
tf.expand_dims
is used to increase the rank of a tensor by inserting a new dimension of size one at the specified axis. This is useful for aligning tensors with different shapes or preparing data for operations that require a specific number of dimensions. tf.squeeze
removes dimensions of size one from the shape of a tensor. It is helpful for simplifying tensors and removing unnecessary dimensions that do not contribute to the data.
How can you force TensorFlow to run computations on the CPU?
You can force TensorFlow to run computations on the CPU by using tf.device('CPU:0')
within a with
statement. This ensures that all operations within that block are executed on the CPU, which is useful for debugging or when certain operations are not supported on GPUs. For example:
with tf.device('CPU:0'):
# Perform TensorFlow operations here
result = tf.matmul(tensor1, tensor2)
This code explicitly tells TensorFlow to use the CPU for the matrix multiplication operation.
What does tf.GradientTape()
do?
tf.GradientTape()
is a context in TensorFlow that records all operations performed inside it for automatic differentiation. This is particularly useful for computing gradients of a computation with respect to some inputs, typically variables. You start a tf.GradientTape()
context, perform operations involving tensors and variables that you want to differentiate, and then use the tape to compute the gradients of a target (e.g., a loss function) with respect to some sources (e.g., model parameters). This is a fundamental tool for training neural networks using backpropagation.
Name three components included in the Keras framework.
Keras includes modular components for neural network building and training: 1. Layers: Define network structure (core, convolutional, recurrent). 2. Models: Organize layers (Sequential, Functional API). 3. Optimizers: Update weights (Adam, SGD, RMSprop). 4. Losses: Quantify prediction errors (Crossentropy, MSE). 5. Metrics: Evaluate performance (Accuracy, Precision, Recall). 6. Callbacks: Utilities during training (EarlyStopping, ModelCheckpoint, TensorBoard). 7. Datasets: Provide pre-loaded data for benchmarking. 8. Applications: Include pre-trained models for transfer learning."""
SEED_CHROME_LINES = 5

SEED_KEYS = [
    "frameworks",
    "de-facto-language",
    "backend-languages",
    "core-object",
    "constant-values",
    "updatable-values",
    "elementwise-ops",
    "matrix-multiplication",
    "reduce-sum",
    "broadcasting",
    "image-representation",
    "batch-dimension",
    "expand-dims-squeeze",
    "force-cpu",
    "gradient-tape",
    "keras-components",
]

SOURCE = "decks/x.md"
HEADER = "---\nslug: x\ntitle: X\ndescription: A test deck.\n---\n"  # lines 1-5


@pytest.fixture(scope="module")
def seed() -> DeckSpec:
    return load_deck_file(SEED_DECK)


def card(deck: DeckSpec, key: str) -> CardSpec:
    return next(c for c in deck.cards if c.key == key)


# --- the seed deck -------------------------------------------------------------------------


def test_embedded_seed_is_the_scraped_file() -> None:
    if not SEED_SCRAPE.exists():
        pytest.skip("scraped seed not present on this machine")
    assert SEED_SCRAPE.read_text(encoding="utf-8") == SEED_TEXT


def test_seed_header(seed: DeckSpec) -> None:
    assert seed.slug == "deep-learning-tools"
    assert seed.title == "Deep Learning Tools"
    assert seed.description == SEED_TEXT.splitlines()[1]
    assert seed.source == str(SEED_DECK)


def test_seed_has_sixteen_cards_in_seed_order(seed: DeckSpec) -> None:
    assert [c.key for c in seed.cards] == SEED_KEYS
    assert [c.position for c in seed.cards] == list(range(16))


def test_seed_variable_card_is_repaired(seed: DeckSpec) -> None:
    variable = card(seed, "updatable-values")
    assert variable.question == (
        "In TensorFlow, what should be used for values that will be updated, such as model weights?"
    )
    assert variable.answer == (
        "In TensorFlow, `tf.Variable` should be used for values that need to be updated during "
        "training, such as model weights and biases. Unlike `tf.constant`, `tf.Variable` allows "
        "you to change the stored value. They hold stateful values that persist across multiple "
        "executions of a graph. Variables must be initialized before use, and they can be "
        "updated using methods like `.assign()`."
    )


def test_seed_questions_broken_around_code_are_one_line(seed: DeckSpec) -> None:
    assert card(seed, "reduce-sum").question == (
        "What is the purpose of `tf.math.reduce_sum` in TensorFlow?"
    )
    assert card(seed, "expand-dims-squeeze").question == (
        "What do `tf.expand_dims` and `tf.squeeze` do?"
    )
    assert card(seed, "gradient-tape").question == "What does `tf.GradientTape()` do?"
    assert card(seed, "gradient-tape").answer.count("`tf.GradientTape()`") == 2
    assert to_telegram_html(card(seed, "reduce-sum").question) == (
        "What is the purpose of <code>tf.math.reduce_sum</code> in TensorFlow?"
    )


def test_seed_cpu_answer_has_a_python_block(seed: DeckSpec) -> None:
    answer = card(seed, "force-cpu").answer
    assert "by using `tf.device('CPU:0')` within a `with` statement. This ensures" in answer
    assert (
        "For example:\n"
        "```python\n"
        "with tf.device('CPU:0'):\n"
        "    # Perform TensorFlow operations here\n"
        "    result = tf.matmul(tensor1, tensor2)\n"
        "```\n"
        "This code explicitly tells TensorFlow"
    ) in answer
    rendered = to_telegram_html(answer)
    assert (
        '<pre><code class="language-python">'
        "with tf.device('CPU:0'):\n"
        "    # Perform TensorFlow operations here\n"
        "    result = tf.matmul(tensor1, tensor2)"
        "</code></pre>"
    ) in rendered
    assert "<code>tf.device('CPU:0')</code> within a <code>with</code> statement" in rendered


def test_seed_keras_answer_keeps_eight_numbered_lines(seed: DeckSpec) -> None:
    lines = card(seed, "keras-components").answer.splitlines()
    numbered = [line for line in lines if re.match(r"\d+\. ", line)]
    assert [line.split(".")[0] for line in numbered] == [str(n) for n in range(1, 9)]
    assert numbered[0] == "1. Layers: Define network structure (core, convolutional, recurrent)."
    assert lines[0] == "Keras includes modular components for neural network building and training:"


def test_seed_broadcasting_answer_keeps_list_and_paragraphs(seed: DeckSpec) -> None:
    answer = card(seed, "broadcasting").answer
    bullets = [line for line in answer.splitlines() if line.startswith("- ")]
    assert [b.split(":")[0] for b in bullets] == [
        "- Dimensions Compatibility",
        "- Broadcasting Rules",
        "- Computation",
    ]
    assert len(answer.split("\n\n")) == 3
    assert to_plain_text(answer).count("\n• ") == 3


def test_seed_backends_answer_keeps_the_authors_missing_period(seed: DeckSpec) -> None:
    # Not a scrape loss (the scrape only broke lines around inline code), so left as written.
    assert card(seed, "backend-languages").answer.endswith("for accelerating computations")


def _collapse(text: str) -> str:
    return " ".join(text.split())


def _seed_body_normalised() -> str:
    # The scrape put a line break after every inline code span, so a "," or "." that followed
    # the code starts the next line; it belongs to the line before, with no space.
    lines: list[str] = []
    for line in SEED_TEXT.splitlines()[SEED_CHROME_LINES:]:
        if line[:1] in (",", ".") and lines:
            lines[-1] += line
        else:
            lines.append(line)
    return _collapse(" ".join(lines))


def _card_part_normalised(text: str) -> str:
    plain = to_plain_text(text)
    # Bullets are the one thing added to the author's text: the scrape lost the list markers.
    return _collapse(re.sub(r"^• ", "", plain, flags=re.MULTILINE))


def test_seed_cards_are_verbatim_apart_from_repairs(seed: DeckSpec) -> None:
    remaining = _seed_body_normalised()
    for spec in seed.cards:
        for part in (spec.question, spec.answer):
            expected = _card_part_normalised(part)
            assert remaining.startswith(expected), (spec.key, expected, remaining[: len(expected)])
            remaining = remaining[len(expected) :].lstrip()
    assert remaining == ""


def _as_scraped(part: str) -> str:
    """A card part as the scrape would have shown it: the repairs undone, line for line.

    The scrape broke the line after every inline code span (eating one space after it), lost
    list markers, code-fence lines and indentation, kept one line break between paragraphs
    and ran a numbered list into one line.
    """
    lines = [
        re.sub(r"^- ", "", line.strip())
        for line in part.split("\n")
        if not line.strip().startswith("```")
    ]
    text = "\n".join(line for line in lines if line)
    text = re.sub(r"\n(?=\d+\. )", " ", text)
    return re.sub(r"`([^`]+)` ?", "\\1\n", text)


def test_seed_line_breaks_are_exactly_the_scrapes(seed: DeckSpec) -> None:
    # Stronger than the whitespace-blind check above: every line the scrape broke must be an
    # inline code span's end or a block boundary in the deck, and every code span's end a
    # break in the scrape, so no span is missing, misplaced or invented.
    remaining = "\n".join(SEED_TEXT.splitlines()[SEED_CHROME_LINES:]) + "\n"
    for spec in seed.cards:
        for part in (spec.question, spec.answer):
            expected = _as_scraped(part).rstrip("\n") + "\n"
            assert remaining.startswith(expected), (spec.key, expected, remaining[: len(expected)])
            remaining = remaining[len(expected) :]
    assert remaining == ""


def test_seed_cards_fit_their_limits_and_render(seed: DeckSpec) -> None:
    for spec in seed.cards:
        assert len(spec.question) <= QUESTION_MAX_CHARS
        assert len(spec.answer) <= ANSWER_MAX_CHARS
        assert "`" not in to_plain_text(spec.question + "\n" + spec.answer)


def test_decks_folder_loads_cleanly() -> None:
    decks, errors = load_deck_dir(DECKS_DIR)
    assert errors == []
    assert "deep-learning-tools" in [d.slug for d in decks]


def test_the_example_in_format_md_parses() -> None:
    doc = (DECKS_DIR / "FORMAT.md").read_text(encoding="utf-8")
    example = re.search(r"^````markdown\n(.*?)^````$", doc, flags=re.MULTILINE | re.DOTALL)
    assert example is not None
    deck = parse_deck(example[1], source="FORMAT.md")
    assert [c.key for c in deck.cards] == ["frameworks", "force-cpu"]
    assert '<pre><code class="language-python">' in to_telegram_html(deck.cards[1].answer)


# --- the format ----------------------------------------------------------------------------


def test_multiline_parts_blank_lines_and_line_endings() -> None:
    text = (
        HEADER
        + "\n"
        + "## first\n"
        + "Q: Line one\n"
        + "line two   \n"
        + "\n"
        + "A:\n"
        + "\n"
        + "Para one.\n"
        + "\n"
        + "Para two.\n"
        + "\n\n"
        + "##   second-2  \n"
        + "Q:What?\n"
        + "A: This.\n"
    )
    deck = parse_deck(text, source=SOURCE)
    assert deck == DeckSpec(
        slug="x",
        title="X",
        description="A test deck.",
        cards=(
            CardSpec(
                key="first",
                question="Line one\nline two",
                answer="Para one.\n\nPara two.",
                position=0,
            ),
            CardSpec(key="second-2", question="What?", answer="This.", position=1),
        ),
        source=SOURCE,
    )
    windows = "\ufeff" + text.replace("\n", "\r\n")
    assert parse_deck(windows, source=SOURCE) == deck


def test_syntax_inside_a_code_fence_is_just_code() -> None:
    text = HEADER + (
        "## code\n"
        "Q: What does this print?\n"
        "~~~ not a fence\n"
        "```text\n"
        "## not-a-card\n"
        "A: not the answer\n"
        "Q: not a question\n"
        "```\n"
        "A: Nothing.\n"
    )
    (only,) = parse_deck(text, source=SOURCE).cards
    assert only.question.endswith(
        "```text\n## not-a-card\nA: not the answer\nQ: not a question\n```"
    )
    assert only.answer == "Nothing."


def test_headings_of_other_levels_are_text() -> None:
    text = HEADER + "## a\nQ: q\nA: a\n### Not a card\n# nor this\n"
    (only,) = parse_deck(text, source=SOURCE).cards
    assert only.answer == "a\n### Not a card\n# nor this"


def test_escaped_marks_are_answer_text() -> None:
    text = HEADER + "## a\nQ: Which line?\nA: This one:\nQ\\: not a question\nA\\: nor an answer\n"
    (only,) = parse_deck(text, source=SOURCE).cards
    assert to_plain_text(only.answer) == "This one:\nQ: not a question\nA: nor an answer"


def test_longest_slug_and_key_are_accepted() -> None:
    slug, key = "s" * 41, "k" * 24
    text = f"---\nslug: {slug}\ntitle: T\ndescription: D\n---\n## {key}\nQ: q\nA: a\n"
    deck = parse_deck(text, source=SOURCE)
    assert (deck.slug, deck.cards[0].key) == (slug, key)


def test_limits_are_inclusive() -> None:
    text = HEADER + f"## a\nQ: {'q' * QUESTION_MAX_CHARS}\nA: {'a' * ANSWER_MAX_CHARS}\n"
    (only,) = parse_deck(text, source=SOURCE).cards
    assert len(only.question) == QUESTION_MAX_CHARS


def test_specs_are_frozen() -> None:
    deck = parse_deck(HEADER + "## a\nQ: q\nA: a\n", source=SOURCE)
    with pytest.raises(dataclasses.FrozenInstanceError):
        deck.slug = "y"  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        deck.cards[0].answer = "b"  # type: ignore[misc]


def test_error_reads_like_a_compiler_message() -> None:
    error = DeckFormatError("decks/x.md", 12, "duplicate card key 'foo'")
    assert str(error) == "decks/x.md:12: duplicate card key 'foo'"
    assert (error.source, error.line, error.message) == (
        "decks/x.md",
        12,
        "duplicate card key 'foo'",
    )
    assert str(DeckFormatError("decks/x.md", None, "cannot read")) == "decks/x.md: cannot read"


CARD = "## a\nQ: q\nA: a\n"  # a valid card, three lines

MALFORMED = [
    # (text, line, fragment of the message)
    pytest.param("slug: x\n" + CARD, 1, "starts with a '---' line", id="no-header"),
    pytest.param("", 1, "starts with a '---' line", id="empty-file"),
    pytest.param("---\nslug: x\ntitle: X\n", 1, "never closed", id="unclosed-header"),
    pytest.param(
        "---\nslug: x\ntitle: X\ndescription: D\n" + CARD,
        5,
        "the header is not closed with '---' before this card",
        id="header-into-card",
    ),
    pytest.param(
        "---\nslug: x\ntitle: X\ndescription: D\nauthor: me\n---\n" + CARD,
        5,
        "unknown header field 'author'",
        id="unknown-field",
    ),
    pytest.param(
        "---\nslug: x\ntitle: X\ntitle: Y\ndescription: D\n---\n" + CARD,
        4,
        "duplicate header field 'title' (first on line 3)",
        id="duplicate-field",
    ),
    pytest.param(
        "---\nslug: x\ntitle: X\n---\n" + CARD, 4, "missing 'description'", id="missing-field"
    ),
    pytest.param(
        "---\n---\n" + CARD, 2, "missing 'slug', 'title', 'description'", id="missing-all-fields"
    ),
    pytest.param(
        "---\nslug: x\njust words\n---\n",
        3,
        "expected 'field: value'",
        id="header-line-without-colon",
    ),
    pytest.param(
        "---\nslug: Deep_Learning\ntitle: X\ndescription: D\n---\n" + CARD,
        2,
        "bad slug 'Deep_Learning'",
        id="bad-slug",
    ),
    pytest.param(
        f"---\nslug: {'a' * 42}\ntitle: X\ndescription: D\n---\n" + CARD,
        2,
        "bad slug",
        id="slug-too-long",
    ),
    pytest.param(
        "---\nslug: -x\ntitle: X\ndescription: D\n---\n" + CARD,
        2,
        "bad slug",
        id="slug-starts-with-dash",
    ),
    pytest.param(
        "---\nslug: x\ntitle:\ndescription: D\n---\n" + CARD,
        3,
        "header field 'title' is empty",
        id="empty-title",
    ),
    pytest.param(
        f"---\nslug: x\ntitle: {'t' * 81}\ndescription: D\n---\n" + CARD,
        3,
        "title is 81 characters; the limit is 80",
        id="title-too-long",
    ),
    pytest.param(HEADER, 5, "the deck has no cards", id="no-cards"),
    pytest.param(HEADER + "\n\n", 5, "the deck has no cards", id="no-cards-blank-lines"),
    pytest.param(
        HEADER + "Some notes\n" + CARD, 6, "text before the first card", id="text-before-first-card"
    ),
    pytest.param(
        HEADER + "## Frameworks\nQ: q\nA: a\n", 6, "bad card key 'Frameworks'", id="key-uppercase"
    ),
    pytest.param(
        HEADER + "## two words\nQ: q\nA: a\n", 6, "bad card key 'two words'", id="key-with-space"
    ),
    pytest.param(HEADER + f"## {'k' * 25}\nQ: q\nA: a\n", 6, "bad card key", id="key-too-long"),
    pytest.param(HEADER + "##\nQ: q\nA: a\n", 6, "missing card key", id="key-missing"),
    pytest.param(
        HEADER + "## foo\nQ: q\nA: a\n\n## bar\nQ: q\nA: a\n## foo\nQ: q\nA: a\n",
        13,
        "duplicate card key 'foo' (first used on line 6)",
        id="duplicate-key",
    ),
    pytest.param(HEADER + "## a\nA: a\n", 7, "expected 'Q:'", id="answer-before-question"),
    pytest.param(HEADER + "## a\nq: lower case\nA: a\n", 7, "expected 'Q:'", id="lowercase-q"),
    pytest.param(
        HEADER + "## a\n\n## b\nQ: q\nA: a\n",
        6,
        "card 'a' has no 'Q:' line",
        id="card-without-question",
    ),
    pytest.param(
        HEADER + "## a\nQ: q\nthe answer, but 'A:' was forgotten\n\n" + "## b\nQ: q\nA: a\n",
        7,
        "question of card 'a' has no 'A:' line",
        id="missing-answer-mark",
    ),
    pytest.param(
        HEADER + CARD + "## b\nQ: q\n",
        10,
        "question of card 'b' has no 'A:' line",
        id="missing-answer-mark-at-end",
    ),
    pytest.param(
        HEADER + "## a\nQ:   \nA: a\n", 7, "card 'a' has an empty question", id="empty-question"
    ),
    pytest.param(
        HEADER + "## a\nQ: q\nA:\n\n\n## b\nQ: q\nA: a\n",
        8,
        "card 'a' has an empty answer",
        id="empty-answer",
    ),
    pytest.param(HEADER + "## a\nQ: q\nQ: again\nA: a\n", 8, "second 'Q:'", id="second-q"),
    pytest.param(
        HEADER + "## a\nQ: q\nA: a\nQ: next question\nA: b\n",
        9,
        "'Q:' inside the answer of card 'a'",
        id="missing-heading",
    ),
    pytest.param(HEADER + "## a\nQ: q\nA: a\nA: b\n", 9, "second 'A:'", id="second-a"),
    pytest.param(
        HEADER + "## a\nQ: q\nA: Example:\n```python\nx = 1\n\n## b\nQ: q\nA: a\n",
        9,
        "code fence opened here is never closed",
        id="unterminated-fence",
    ),
    pytest.param(
        HEADER + "## a\nQ: ```\nA: a\n",
        7,
        "code fence opened here is never closed",
        id="unterminated-fence-in-question",
    ),
    pytest.param(
        HEADER + "## a\nQ: q\nA: ````\ncode\n```\n",
        8,
        "code fence opened here is never closed",
        id="fence-closed-by-fewer-ticks",
    ),
    pytest.param(
        HEADER + f"## a\nQ: {'q' * (QUESTION_MAX_CHARS + 1)}\nA: a\n",
        7,
        "the question of card 'a' is 1001 characters; the limit is 1000",
        id="question-too-long",
    ),
    pytest.param(
        HEADER + "## a\nQ: q\nA: " + "a\n" * 1800,
        8,
        "the answer of card 'a' is 3599 characters; the limit is 3500",
        id="answer-too-long",
    ),
]


@pytest.mark.parametrize(("text", "line", "fragment"), MALFORMED)
def test_malformed_deck_names_file_and_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(DeckFormatError) as caught:
        parse_deck(text, source=SOURCE)
    error = caught.value
    assert (error.source, error.line) == (SOURCE, line), str(error)
    assert str(error).startswith(f"{SOURCE}:{line}: ")
    assert fragment in error.message


# --- files and folders ---------------------------------------------------------------------


def deck_text(slug: str, key: str = "a") -> str:
    return f"---\nslug: {slug}\ntitle: {slug.title()}\ndescription: About {slug}.\n---\n\n" + (
        f"## {key}\nQ: q\nA: a\n"
    )


def test_load_deck_file_reports_bad_utf8_with_its_line(tmp_path: Path) -> None:
    path = tmp_path / "latin1.md"
    path.write_bytes(deck_text("latin").replace("A: a", "A: caf\xe9").encode("latin-1"))
    with pytest.raises(DeckFormatError) as caught:
        load_deck_file(path)
    assert str(caught.value).startswith(f"{path}:9: not valid UTF-8 (byte 0xe9 at byte 7 ")


def test_load_deck_file_accepts_a_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.md"
    path.write_bytes(b"\xef\xbb\xbf" + deck_text("bom").replace("A: a", "A: café").encode())
    deck = load_deck_file(path)
    assert (deck.slug, deck.cards[0].answer, deck.source) == ("bom", "café", str(path))


def test_load_deck_dir_keeps_good_decks_when_one_is_bad(tmp_path: Path) -> None:
    (tmp_path / "b-bad.md").write_text(
        deck_text("bad") + "## a\nQ: q\nA: a\n", encoding="utf-8"
    )  # key 'a' twice: line 11
    (tmp_path / "a-good.md").write_text(deck_text("good"), encoding="utf-8")
    (tmp_path / "c-latin1.md").write_bytes("---\nslug: caf\xe9\n".encode("latin-1"))
    (tmp_path / "d-good.md").write_text(deck_text("also-good"), encoding="utf-8")
    (tmp_path / "FORMAT.md").write_text("# The format\n", encoding="utf-8")
    (tmp_path / "README.md").write_text("# Decks\n", encoding="utf-8")
    (tmp_path / ".draft.md").write_text("half-written\n", encoding="utf-8")
    (tmp_path / "notes.txt").write_text("not a deck\n", encoding="utf-8")
    (tmp_path / "folder.md").mkdir()

    decks, errors = load_deck_dir(tmp_path)

    assert [d.slug for d in decks] == ["good", "also-good"]
    # Named relative to the folder's parent, as its editor sees them ('decks/x.md').
    folder = tmp_path.name
    assert [d.source for d in decks] == [f"{folder}/a-good.md", f"{folder}/d-good.md"]
    assert [str(e).split(": ")[0] for e in errors] == [
        f"{folder}/b-bad.md:10",
        f"{folder}/c-latin1.md:2",
    ]
    assert "duplicate card key 'a'" in errors[0].message


def test_load_deck_dir_rejects_two_files_with_one_slug(tmp_path: Path) -> None:
    (tmp_path / "one.md").write_text(deck_text("same"), encoding="utf-8")
    (tmp_path / "two.md").write_text(deck_text("same", key="b"), encoding="utf-8")
    (tmp_path / "other.md").write_text(deck_text("other"), encoding="utf-8")

    decks, errors = load_deck_dir(tmp_path)

    assert [d.slug for d in decks] == ["other"]
    folder = tmp_path.name
    assert [str(e) for e in errors] == [
        f"{folder}/one.md:2: duplicate deck slug 'same' (also in {folder}/two.md)",
        f"{folder}/two.md:2: duplicate deck slug 'same' (also in {folder}/one.md)",
    ]


def test_load_deck_dir_of_an_empty_folder(tmp_path: Path) -> None:
    assert load_deck_dir(tmp_path) == ([], [])


def test_the_slugs_a_folder_claims_include_broken_files(tmp_path):
    (tmp_path / "good.md").write_text("---\nslug: good\ntitle: G\ndescription: d\n---\n")
    (tmp_path / "broken.md").write_text("---\nslug: other-name\ntitle: oops\n")
    (tmp_path / "README.md").write_text("slug: not-a-deck\n")
    assert deck_file_slugs(tmp_path) == {"good", "broken", "other-name"}
    assert is_deck_file_slug("good") and not is_deck_file_slug("~12")


def test_errors_of_the_decks_folder_read_as_decks_slash_file(tmp_path: Path) -> None:
    """However DECKS_DIR is given (absolute, as in the default), the log says 'decks/x.md:N'."""
    decks_dir = tmp_path / "decks"
    decks_dir.mkdir()
    (decks_dir / "x.md").write_text(deck_text("x") + "## a\nQ: q\nA: a\n", encoding="utf-8")
    _decks, [error] = load_deck_dir(decks_dir.resolve())
    assert str(error).startswith("decks/x.md:10: duplicate card key 'a'")
