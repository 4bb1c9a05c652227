"""What a Markdown string shows a reader, and the links and images it would make.

CommonMark (markdown-it, with GitHub's tables and strike-through) stands in for
Streamlit's renderer; GitHub's bare autolinks ("www.x.org", "https://x.org", "a@x.org")
and Streamlit's directives are looked for in the raw text, since markdown-it leaves them
to plugins.
"""

import html
import re

from markdown_it import MarkdownIt

PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
TAG = re.compile(r"<[^>]+>")
# What GitHub's autolink extension and Streamlit's directives read in raw Markdown.
RAW_MARKUP = re.compile(
    r"(?:https?://|www\.|mailto:)\S+|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # autolinks
    r"|:[a-z][\w-]*\[|:material/\w+:|:streamlit:|\$[^$]+\$"  # directives, icons, math
)


def shown(body: str) -> str:
    """The text a reader sees (tags dropped, character references decoded, no word joiner)."""
    return html.unescape(TAG.sub("", PARSER.render(body))).replace("\u2060", "").strip()


def links(body: str) -> list[str]:
    """Every link, image and raw HTML element the Markdown makes, and any raw markup."""
    made = []
    for token in PARSER.parse(body):
        for child in [token, *(token.children or [])]:
            if child.type in ("link_open", "image"):
                made.append(f"{child.type}: {child.attrs}")
            if child.type in ("html_inline", "html_block"):
                made.append(f"html: {child.content}")
    return made + [f"raw: {m.group()}" for m in RAW_MARKUP.finditer(body)]
