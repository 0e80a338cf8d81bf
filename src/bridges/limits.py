"""Limits on what a page may hold, each refused with a message that names the
file, the line and the fix (`bridges.engine.checks`) and enforced again where
the work is done (`bridges.pipeline.pdf`), so no input can exhaust memory or
Python's recursion limit.
"""

# Lists and quotes nested deeper than this cannot be laid out in the PDF
# (WeasyPrint's layout recurses once per level; at 100 it exceeded Python's
# limit) and, far deeper, not even converted by Python-Markdown (about 400).
# Twenty levels is more than any text needs.
NESTING_LIMIT = 20

# Images larger than this are refused before anything decodes them: a
# 9000 x 9000 PNG took 731 MB to put in the PDF, and Pillow refuses to open one
# of 20000 x 20000 at all. 40 megapixels is more than a page needs (the PDF
# shows at most about 2500 pixels across).
IMAGE_PIXEL_LIMIT = 40_000_000

# A page longer than this is refused: the PDF lays out a chapter in one part
# however long it is (bridges.pipeline.pdf, PART_CHARACTERS), about 110 MiB of
# memory per 350,000 characters of HTML, and the full build's memory budget is
# 300 MiB. 200,000 bytes of Markdown is about 30,000 words, a short book.
PAGE_SIZE_LIMIT = 200_000
