"""Lay out one part of the chair's report with Typst: `python reports/typst_child.py
TEMPLATE FONT_DIR tagged|untagged`, the part's data as JSON on standard input, the PDF on
standard output.

A process of its own (reports.pdf explains why); it imports neither Django nor anything of
Talanoa, so it starts in a moment.
"""

import sys

import typst


def main() -> None:
    template, font_dir, tags = sys.argv[1:4]
    fonts = typst.Fonts(
        include_system_fonts=False, include_embedded_fonts=False, font_paths=[font_dir]
    )
    pdf = typst.compile(
        template,
        font_paths=fonts,
        ignore_system_fonts=True,
        sys_inputs={"data": sys.stdin.buffer.read().decode("utf-8")},
        format="pdf",
        pdf_tags=tags == "tagged",
    )
    sys.stdout.buffer.write(pdf)


if __name__ == "__main__":
    main()
