"""Read the boards' marks from a page as a person reads them: for a row, each category's
colour class, its symbol, the count beside it and the words a screen reader says."""

import re
from dataclasses import dataclass

CELL = re.compile(
    r'data-category="(?P<category>\w+)">(?:<a class="zmark-link" href="(?P<url>[^"]*)">)?'
    r'<span class="zmark zmark-(?P<mark>\w+)"><span class="zmark-symbol" aria-hidden="true">'
    r"(?P<symbol>[^<]*)</span>(?:<span class=\"zmark-count\" aria-hidden=\"true\">"
    r'(?P<count>\d+)</span>)?<span class="visually-hidden">(?P<spoken>[^<]*)</span>'
)


@dataclass
class Shown:
    mark: str
    symbol: str
    count: int
    spoken: str
    url: str


def row(html: str, row_id: str) -> str:
    found = re.search(rf'<tr id="{row_id}"[^>]*>(.*?)</tr>', html, re.S)
    assert found, f"no row {row_id} on the page"
    return found.group(1)


def marks(html: str, row_id: str) -> dict[str, Shown]:
    """{category: Shown} for the board row with this id ("estate-3", "building-7")."""
    return {
        m["category"]: Shown(
            m["mark"],
            m["symbol"],
            int(m["count"] or 0),
            m["spoken"],
            (m["url"] or "").replace("&amp;", "&"),
        )
        for m in CELL.finditer(row(html, row_id))
    }


def grid_cells(html: str, estate_id: int) -> list[str]:
    """The twelve month cells of the year's picture for an estate: 'zero', 'not_zero',
    'unknown' or 'future', with ' so-far' added to the month still running."""
    cells = re.findall(r'<td class="zg zg-(\w+)( zg-so-far)?">', row(html, f"grid-{estate_id}"))
    return [mark + (" so-far" if so_far else "") for mark, so_far in cells]
