"""The minutes as a PDF for the reader's agency: pure Python (fpdf2, as the
packs are), with a title, the language (en-GB) and a document outline, every
page marked OFFICIAL-SENSITIVE. Built on request from the ``MinutesView`` the
gate built for the reader's agency; never stored."""

from __future__ import annotations

from dataclasses import dataclass

from sharehub.meetings.packs import _PackPDF, _wrapped


@dataclass(frozen=True)
class Section:
    heading: str
    paragraphs: list[str]
    level: int = 1


def render(title: str, marking: str, sections: list[Section]) -> bytes:
    pdf = _PackPDF(marking)
    pdf.set_title(title)
    pdf.set_lang("en-GB")
    pdf.set_author("sharehub")
    pdf.set_subject(marking)
    pdf.add_page()
    pdf.set_font("DejaVu", "B", 16)
    pdf.start_section(title, level=0)
    pdf.multi_cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    for section in sections:
        pdf.set_font("DejaVu", "B", 13 if section.level == 1 else 11)
        pdf.start_section(section.heading, level=section.level)
        pdf.multi_cell(0, 7, section.heading, new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
        pdf.set_font("DejaVu", "", 10)
        for text in section.paragraphs:
            for paragraph in text.splitlines():
                for line in _wrapped(pdf, paragraph):
                    pdf.cell(0, 5, line, new_x="LMARGIN", new_y="NEXT")
            pdf.ln(1)
    return bytes(pdf.output())
