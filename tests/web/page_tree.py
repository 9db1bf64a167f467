"""The pages parsed into a tree (stdlib `html.parser`), so tests read elements, not regexes.

root = parse(html)
row = one(root, "tr", data_meeting="muro-call")
[o.text for o in row.find(cls="clash")]
"""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser

VOID = frozenset(
    ["area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source", "track", "wbr"]
)


@dataclass(eq=False)
class Node:
    tag: str
    attrs: dict[str, str]
    children: list[Node | str] = field(default_factory=list)

    @property
    def classes(self) -> set[str]:
        return set(self.attrs.get("class", "").split())

    @property
    def text(self) -> str:
        """The text inside, with runs of white space made one space."""
        return " ".join(self._raw().split())

    def _raw(self) -> str:
        return "".join(c if isinstance(c, str) else c._raw() for c in self.children)

    def find(self, tag: str | None = None, cls: str | None = None, **attrs: str) -> list[Node]:
        """Every element below (document order) with the tag, the class and the attributes
        (`data_meeting="x"` for `data-meeting="x"`)."""
        wanted = {k.replace("_", "-"): v for k, v in attrs.items()}
        found: list[Node] = []
        for c in self.children:
            if isinstance(c, str):
                continue
            if (
                (tag is None or c.tag == tag)
                and (cls is None or cls in c.classes)
                and all(c.attrs.get(k) == v for k, v in wanted.items())
            ):
                found.append(c)
            found += c.find(tag, cls, **attrs)
        return found


def one(root: Node, tag: str | None = None, cls: str | None = None, **attrs: str) -> Node:
    """The only element that matches (an assertion error when there are none or several)."""
    found = root.find(tag, cls, **attrs)
    assert len(found) == 1, f"{len(found)} elements match {tag} .{cls} {attrs}"
    return found[0]


class _Builder(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse(html: str) -> Node:
    builder = _Builder()
    builder.feed(html)
    builder.close()
    return builder.root


__all__ = ["Node", "one", "parse"]
