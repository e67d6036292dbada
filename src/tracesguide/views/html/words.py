"""Templates whose fixed words are constants: ``L.key`` compiled as the word itself.

A page drawn row by row (``folder_page``: ten thousand rows) repeats its fixed words (the
``data-label`` of each cell) in every row; read from ``L`` they are looked up and escaped
again for each one. ``with_words(words)`` gives an environment (``views.html``'s, with
its autoescape) in which the lexer turns ``L.key`` into the string of ``words[key]``
before the parser sees it: Jinja then folds the constant output at compile time,
escaped by the same autoescape, so the text drawn is the same, made once. A key that is
not in *words* stays an attribute of ``L``, read when it is drawn.

Imported only where a page is drawn (it imports Jinja2).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping

from jinja2 import Environment
from jinja2.ext import Extension
from jinja2.lexer import Token, TokenStream

from tracesguide.views.html import environment


class _Words(Extension):
    words: Mapping[str, str] = {}

    def filter_stream(self, stream: TokenStream) -> Iterator[Token]:
        words = self.words
        while not stream.eos:
            token = next(stream)
            if (
                token.test("name:L")
                and stream.current.test("dot")
                and stream.look().type == "name"
                and stream.look().value in words
            ):
                next(stream)  # the dot
                yield Token(token.lineno, "string", words[next(stream).value])
            else:
                yield token


def with_words(words: Mapping[str, str]) -> Environment:
    """``views.html.environment()`` with ``L.key`` compiled as ``words[key]``; its own
    templates (no cache shared with the usual environment: each compiled here, once)."""
    overlay = environment().overlay(extensions=[_Words], cache_size=0)
    extension = overlay.extensions[_Words.identifier]
    assert isinstance(extension, _Words)
    extension.words = dict(words)
    return overlay
