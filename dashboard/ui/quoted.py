"""Text quoted as supplied (a file's, an account's, a data licence's) beside the UI's words.

A user's name, an imported estimate's source or a file name stays as it was supplied,
whatever the UI language. Each is written in a container keyed `quoted_<key>` (its class is
`st-key-quoted_<key>`), apart from the sentence around it, which comes from the catalogue:
a reader, and tests/test_browser_khmer.py, can tell the UI's own words from quoted data.
"""

import streamlit as st

from indicators import formatting

MARK = "\u0000"  # where the quoted text goes in a sentence: i18n.t(..., name=quoted.MARK)


def line(sentence: str, text: object, key: str, *, caption: bool = True) -> None:
    """A sentence of the UI with quoted text at its MARK, on one line where it fits.

    Args:
        sentence: the sentence in the UI language, holding MARK once (or not at all: the
            quoted text then follows it).
        text: the quoted text (shown as itself: plain text).
        key: names the quoted container (`quoted_<key>`) and its line (`<key>_line`).
        caption: a caption (True) or ordinary text.
    """
    before, _, after = sentence.partition(MARK)
    write = st.caption if caption else st.markdown
    with st.container(horizontal=True, gap="xxsmall", key=f"{key}_line"):
        if before.strip():
            write(before.strip(), width="content")
        with st.container(key=f"quoted_{key}", width="content"):
            write(formatting.plain(text), width="content")
        if after.strip():
            write(after.strip(), width="content")
