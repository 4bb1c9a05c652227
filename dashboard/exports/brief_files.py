"""The briefing pack as a file: PDF or PPTX bytes from the content `brief` gathers."""

from exports import brief as briefing
from exports import brief_pdf, brief_pptx

FORMATS = {
    "pdf": "application/pdf",
    "pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
}


def document(brief: briefing.Brief, fmt: str) -> bytes:
    """The brief as PDF or PPTX bytes."""
    if fmt == "pdf":
        return brief_pdf.render(brief, briefing.images(brief))
    if fmt == "pptx":
        return brief_pptx.render(brief, briefing.images(brief))
    raise ValueError(f"unknown brief format {fmt!r}; choose from: {', '.join(FORMATS)}")
