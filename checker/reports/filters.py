"""Escaping filters, one per output format, applied to every string that enters a report.

XML-illegal characters are replaced for JUnit (autoescape does not remove them); ``|``,
newlines and HTML are neutralised for Markdown; control characters are shown escaped on the
terminal.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from checker.codearts.endpoints import TRUSTED_DOMAINS
from checker.codearts.wire import cut_marker
from checker.diagnostics.problem import printable
from checker.gate.failures import LogTail
from checker.gate.results import CheckResult

_AUTOLINK_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*)://")
_WWW = re.compile(r"(?i)\b(www)\.")
# A link target with only these characters cannot close a Markdown link or an HTML attribute.
_LINK_SAFE = re.compile(r"[A-Za-z0-9\-._~:/?#@!$&'*+,;=%]+")
# XML 1.0 allows tab, newline, carriage return and most of the BMP and astral planes.
_XML_ILLEGAL = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_clean(value: object) -> str:
    """Replace characters XML 1.0 cannot carry with a visible ``\\xNN`` escape."""
    return _XML_ILLEGAL.sub(lambda m: f"\\x{ord(m.group()):02x}", str(value))


def terminal(value: object) -> str:
    """One line for a terminal or CI log: control characters shown escaped."""
    return printable(str(value))


def md_cell(value: object) -> str:
    """Text that stays text in a GFM table cell, under GitHub's extensions too: one line,
    pipes and emphasis escaped, HTML shown as text, no strikethrough, no autolinks."""
    cells = []
    for line in str(value).splitlines():
        text = xml_clean(printable(" ".join(line.split())))
        text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        for special in "\\|`*_[]~":
            text = text.replace(special, "\\" + special)
        # GFM links bare URLs, www. hosts and e-mail addresses. An escape breaks the first two;
        # e-mail links are found after escapes are read, so an empty comment splits them.
        text = _AUTOLINK_SCHEME.sub(lambda m: m.group(1) + ":\\/\\/", text)
        text = _WWW.sub(lambda m: m.group(1) + "\\.", text).replace("@", "<!-- -->@")
        if text:
            cells.append(text)
    return "<br>".join(cells) or " "


def classname(result: CheckResult) -> str:
    """Dotted and stable: ``checker.<manifest file stem>``."""
    stem = re.sub(r"[^A-Za-z0-9_-]", "_", Path(result.manifest).stem) or "manifest"
    return f"checker.{stem}"


def safe_link(url: str | None) -> str | None:
    """``url`` if a report may link to it: https on a Huawei Cloud host, and nothing that
    could end a Markdown or HTML link early. An API string never becomes an arbitrary link."""
    if not url:
        return None
    try:
        parts = urlsplit(url)
    except ValueError:
        return None
    host = (parts.hostname or "").lower()
    huawei = any(host.endswith("." + domain) for domain in TRUSTED_DOMAINS)
    if parts.scheme != "https" or not huawei or not _LINK_SAFE.fullmatch(url):
        return None
    return url


def run_cell(result: CheckResult) -> str:
    """The run ID, and its run number linked to the CodeArts console when that is safe."""
    ident = f"`{result.pipeline_run_id}`"
    run = result.run
    if run is None or run.run_number is None:
        return ident
    link = safe_link(run.detail_url)
    number = f"#{run.run_number}"
    return f"[{number}]({link})<br>{ident}" if link else f"{number}<br>{ident}"


MAX_LOG_LINE = 2_000
"""A log line longer than this is cut where it is shown (a minified bundle, a base64 blob)."""


def log_text(tail: LogTail) -> str:
    """A log tail as text: ``… N earlier lines`` first, each line cut at :data:`MAX_LOG_LINE`
    and prefixed so none starts a line of its own (a CI runner reads ``::error::`` at the
    start of a line as a command)."""
    lines = [f"… {tail.truncated:,} earlier lines"] if tail.truncated else []
    for line in tail.lines:
        cut = line
        if len(line) > MAX_LOG_LINE:
            cut = f"{line[:MAX_LOG_LINE]}{cut_marker(MAX_LOG_LINE, len(line))}"
        lines.append(printable(cut))  # ANSI colours, bidi overrides: shown, never obeyed
    return "\n".join(f"| {line}" for line in lines)


FILTERS = {
    "xml_clean": xml_clean,
    "md_cell": md_cell,
    "terminal": terminal,
    "classname": classname,
    "run_cell": run_cell,
    "safe_link": safe_link,
    "ljust": lambda text, width: str(text).ljust(width),
    "log_text": log_text,
}
