"""``gongkai --help`` in the user's language: the Chinese of every command and option comes from
:data:`gongkai.messages.HELP` (the English is the command's own text), and the words of the help
page itself (``Usage:``, ``Options`` …) from :data:`gongkai.messages.HELP_WORDS`.

:func:`localize` sets a command's help texts (and those of its parameters and subcommands) for one
language; the help formatter it installs writes the page's own words in that language too. The
language is the one the user asked for: ``--lang en`` anywhere on the command line, else
``GONGKAI_LANG``, else Chinese (:func:`gongkai.cli._english`).
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING, Any

from typer._click import Context
from typer._click.formatting import HelpFormatter

from .messages import HELP_WORDS, help_text, language, say, usage_error

if TYPE_CHECKING:
    from typer._click import Command

__all__ = ["localize", "short_help", "show_usage_error"]

_FIRST_SENTENCE = re.compile(r"^(.+?[。.；;])(?:\s|$)")


def short_help(text: str | None) -> str | None:
    """The line of ``gongkai --help`` for a command: its help's first sentence."""
    if not text:
        return text
    found = _FIRST_SENTENCE.match(text.strip())
    return (found.group(1) if found else text.strip()).rstrip("。.；;")


class _ChineseFormatter(HelpFormatter):
    """Typer's help page with its own words in Chinese."""

    def write_usage(self, prog: str, args: str = "", prefix: str | None = None) -> None:
        for english, chinese in HELP_WORDS.items():
            args = args.replace(english, chinese)
        super().write_usage(prog, args, HELP_WORDS["Usage: "] if prefix is None else prefix)

    def write_heading(self, heading: str) -> None:
        self.write(f"{'':>{self.current_indent}}{HELP_WORDS.get(heading, heading)}：\n")

    def write_text(self, text: str) -> None:
        indent = " " * self.current_indent
        for paragraph in re.split(r"\n\s*\n", text.strip()):
            for line in wrap(" ".join(paragraph.split()), self.width - self.current_indent):
                self.write(f"{indent}{line}\n")
            self.write("\n")
        self.buffer.pop()  # no blank line after the last paragraph

    def write_dl(self, rows: Any, col_max: int = 30, col_spacing: int = 2) -> None:
        """Options and commands, wrapped by the width a terminal gives each character (a Chinese
        character takes two columns; typer counts one)."""
        rows = [(term, _chinese_words(text or "")) for term, text in rows]
        first_col = min(max((cell_len(term) for term, _ in rows), default=0), col_max) + col_spacing
        text_width = max(self.width - first_col - 2, 10)
        for term, text in rows:
            self.write(f"{'':>{self.current_indent}}{term}")
            if not text:
                self.write("\n")
                continue
            if cell_len(term) <= first_col - col_spacing:
                self.write(" " * (first_col - cell_len(term)))
            else:
                self.write("\n" + " " * (first_col + self.current_indent))
            lines = wrap(" ".join(text.split()), text_width) or [""]
            self.write(f"{lines[0]}\n")
            for line in lines[1:]:
                self.write(f"{'':>{first_col + self.current_indent}}{line}\n")


# no line starts with these (a closing mark stays with the text before it)
_NO_START = set("，。；：、）」』》！？,.;:)]}%")


def cell_len(text: str) -> int:
    """Columns ``text`` takes in a terminal: two for a wide (CJK) character."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def wrap(text: str, width: int) -> list[str]:
    """``text`` cut into lines of at most ``width`` columns: between words of Latin script, between
    any two Chinese characters (never before a closing mark)."""
    pieces = re.findall(r"[\x21-\x7e]+|\s+|.", text)  # a word of Latin script stays whole
    lines: list[str] = []
    line, used = "", 0
    for piece in pieces:
        size = cell_len(piece)
        if piece.isspace():
            if line:
                line, used = line + " ", used + 1
            continue
        if used + size > width and line.strip():
            # a closing mark cannot start a line: the character before it goes down with it
            carry = line[-1] if piece[0] in _NO_START and len(line.strip()) > 1 else ""
            lines.append(line[:len(line) - len(carry)].rstrip())
            line, used = carry, cell_len(carry)
        line, used = line + piece, used + size
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _chinese_words(text: str) -> str:
    for english, chinese in HELP_WORDS.items():
        text = text.replace(english, chinese)
    return text


class _ChineseContext(Context):
    formatter_class = _ChineseFormatter


def localize(command: Command, lang: str | None, path: str = "") -> None:
    """Set the help of ``command`` (at ``path``: "" for ``gongkai`` itself, "roster import" …), of its
    parameters and of its subcommands for ``lang``; the English texts are kept to switch back."""
    chinese = language(lang) == "zh"
    original = _originals(command)
    command.help = help_text(path, None, original["help"], lang)
    command.short_help = short_help(command.help) if chinese else original["short_help"]
    # the page's own words: a context class per command (click reads it when --help is parsed)
    command.context_class = _ChineseContext if chinese else Context  # type: ignore[misc]
    for param in command.params:
        if param.name is None or not hasattr(param, "help"):
            continue
        kept = _originals(param)
        param.help = help_text(path, param.name, kept["help"], lang)
    for name, sub in (getattr(command, "commands", None) or {}).items():
        localize(sub, lang, f"{path} {name}".strip())


def _originals(thing: Any) -> dict[str, Any]:
    """The English help a command or parameter was defined with, remembered on first use."""
    kept = getattr(thing, "_gongkai_english", None)
    if kept is None:
        kept = {"help": getattr(thing, "help", None), "short_help": getattr(thing, "short_help", None)}
        thing._gongkai_english = kept
    return kept


def show_usage_error(error: Any, lang: str | None) -> None:
    """A usage error as typer shows it (the usage line, where to find help, what is wrong), in
    ``lang``."""
    import typer

    ctx = getattr(error, "ctx", None)
    if ctx is not None:
        hint = ""
        if ctx.command.get_help_option(ctx) is not None:
            hint = say("usage.try", lang, command=ctx.command_path, option=ctx.help_option_names[0]) + "\n"
        typer.echo(f"{ctx.get_usage()}\n{hint}", err=True)
    typer.echo(say("usage.error", lang, message=usage_error(error.format_message(), lang)), err=True)
