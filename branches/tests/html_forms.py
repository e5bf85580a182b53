"""Read a page's forms as a browser would submit them, so a test posts a page back exactly as
it was given: every field with its value, checked boxes, the selected option (or a single
select's first one), textareas, inline formsets' management forms and their empty rows.

Only the standard library's html.parser. Not handled, because our pages have none: fields
outside their <form> (the `form` attribute), file uploads, <optgroup disabled>.
"""

from dataclasses import dataclass, field
from html.parser import HTMLParser

NEVER_SENT = {"submit", "button", "reset", "image", "file"}  # a submit is sent only if clicked


@dataclass
class Option:
    value: str
    selected: bool
    disabled: bool


@dataclass
class Field:
    name: str
    kind: str  # an input's type, "select", "select-multiple" or "textarea"
    value: str = ""
    checked: bool = False
    disabled: bool = False
    options: list[Option] = field(default_factory=list)


class Form:
    def __init__(self, attrs: dict):
        self.attrs = attrs
        self.fields: list[Field] = []

    def names(self) -> set[str]:
        return {f.name for f in self.fields if f.kind not in NEVER_SENT}

    def set(self, name: str, value) -> None:
        """What a user can do to a field: type into it, tick it, choose an offered option.
        A field the page does not have, or an option it does not offer, is an error."""
        fields = [f for f in self.fields if f.name == name and f.kind not in NEVER_SENT]
        if not fields:
            raise KeyError(f"the form has no field {name!r}")
        if any(f.disabled for f in fields):
            raise ValueError(f"{name!r} is disabled")
        kind = fields[0].kind
        if kind == "checkbox" and isinstance(value, bool):  # tick or untick
            for f in fields:
                f.checked = value
        elif kind in ("checkbox", "radio"):
            wanted = _strings(value)
            _offered(name, wanted, {f.value or "on" for f in fields})
            if kind == "radio" and len(wanted) != 1:
                raise ValueError(f"{name!r} takes one option, not {wanted}")
            for f in fields:
                f.checked = (f.value or "on") in wanted
        elif kind in ("select", "select-multiple"):
            (select,) = fields
            wanted = _strings(value)
            _offered(name, wanted, {o.value for o in select.options if not o.disabled})
            if kind == "select" and len(wanted) != 1:
                raise ValueError(f"{name!r} takes one option, not {wanted}")
            for option in select.options:
                option.selected = option.value in wanted
        else:
            if len(fields) != 1:
                raise ValueError(f"{name!r} names {len(fields)} fields")
            fields[0].value = str(value)

    def add_row(self, prefix: str) -> int:
        """What the admin's "Add another" link does: a copy of the formset's empty form
        (`<prefix>-__prefix__-…`) as the next row, and one more in TOTAL_FORMS."""
        (total,) = [f for f in self.fields if f.name == f"{prefix}-TOTAL_FORMS"]
        index = int(total.value)
        template = f"{prefix}-__prefix__-"
        copies = [
            Field(
                name=f"{prefix}-{index}-{f.name.removeprefix(template)}",
                kind=f.kind,
                value=f.value,
                checked=f.checked,
                disabled=f.disabled,
                options=[Option(o.value, o.selected, o.disabled) for o in f.options],
            )
            for f in self.fields
            if f.name.startswith(template)
        ]
        if not copies:
            raise KeyError(f"the form has no empty {prefix!r} row to copy")
        self.fields.extend(copies)
        total.value = str(index + 1)
        return index

    def data(self, submit: str | None = None) -> dict[str, list[str]]:
        """The submission, as the browser sends it when the `submit` button is clicked."""
        sent: dict[str, list[str]] = {}
        if submit is not None and not any(
            f.name == submit and f.kind == "submit" for f in self.fields
        ):
            raise KeyError(f"the form has no submit button {submit!r}")
        for f in self.fields:
            if f.disabled:
                continue
            if f.kind in NEVER_SENT:
                if f.kind == "submit" and f.name == submit:
                    sent.setdefault(f.name, []).append(f.value)
                continue
            if f.kind in ("checkbox", "radio"):
                if f.checked:
                    sent.setdefault(f.name, []).append(f.value or "on")
            elif f.kind in ("select", "select-multiple"):
                chosen = [o.value for o in f.options if o.selected]
                if not chosen and f.kind == "select":
                    # A single select shows, and sends, its first option when none is selected.
                    chosen = [o.value for o in f.options if not o.disabled][:1]
                for value in chosen:
                    sent.setdefault(f.name, []).append(value)
            else:
                sent.setdefault(f.name, []).append(f.value)
        return sent


def _strings(value) -> set[str]:
    if isinstance(value, (list, tuple, set)):
        return {str(v) for v in value}
    return {str(value)}


def _offered(name: str, wanted: set[str], offered: set[str]) -> None:
    missing = wanted - offered
    if missing:
        raise ValueError(f"{name!r} does not offer {sorted(missing)}; it offers {sorted(offered)}")


class _FormReader(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.forms: list[Form] = []
        self.form: Form | None = None
        self.select: Field | None = None
        self.option: dict | None = None  # the open <option>: its attributes and text so far
        self.textarea: Field | None = None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":
            self.form = Form(a)
            self.forms.append(self.form)
            return
        if self.form is None:
            return
        disabled = "disabled" in a
        if tag == "input" and a.get("name"):
            self.form.fields.append(
                Field(
                    name=a["name"],
                    kind=(a.get("type") or "text").lower(),
                    value=a.get("value") or "",
                    checked="checked" in a,
                    disabled=disabled,
                )
            )
        elif tag == "select" and a.get("name"):
            self.select = Field(
                name=a["name"],
                kind="select-multiple" if "multiple" in a else "select",
                disabled=disabled,
            )
            self.form.fields.append(self.select)
        elif tag == "option" and self.select is not None:
            self._close_option()
            self.option = {"attrs": a, "text": ""}
        elif tag == "textarea" and a.get("name"):
            self.textarea = Field(name=a["name"], kind="textarea", disabled=disabled)
            self.form.fields.append(self.textarea)

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "option":
            self._close_option()
        elif tag == "select":
            self._close_option()
            self.select = None
        elif tag == "textarea" and self.textarea is not None:
            # A newline right after <textarea> is not part of its value.
            self.textarea.value = self.textarea.value.removeprefix("\n")
            self.textarea = None

    def handle_data(self, data):
        if self.option is not None:
            self.option["text"] += data
        elif self.textarea is not None:
            self.textarea.value += data

    def _close_option(self):
        if self.option is None:
            return
        a = self.option["attrs"]
        value = a["value"] if a.get("value") is not None else self.option["text"].strip()
        self.select.options.append(Option(value, "selected" in a, "disabled" in a))
        self.option = None


def read_forms(html: str) -> list[Form]:
    reader = _FormReader()
    reader.feed(html)
    reader.close()
    return reader.forms


def read_form(html: str, form_id: str) -> Form:
    """The form with this id on the page (the admin's is `<model name>_form`)."""
    found = [f for f in read_forms(html) if f.attrs.get("id") == form_id]
    if len(found) != 1:
        ids = [f.attrs.get("id") for f in read_forms(html)]
        raise LookupError(f"{len(found)} forms with id {form_id!r}; the page has {ids}")
    return found[0]
