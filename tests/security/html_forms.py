"""The forms on a page as a browser would submit them untouched: action, method, fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urljoin, urlparse

UNSENT = ("submit", "button", "reset", "image", "file")


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)  # name → values, in page order
    choices: dict[str, list[str]] = field(default_factory=dict)  # select/radio name → its options
    hidden: set[str] = field(default_factory=set)


class _Parser(HTMLParser):
    def __init__(self, page: str):
        super().__init__(convert_charrefs=True)
        self.page, self.forms, self.form, self.select, self.option, self.textarea = page, [], None, None, None, None

    def handle_starttag(self, tag, attrs):
        a = {k: (v if v is not None else "") for k, v in attrs}
        if tag == "form":
            action = urlparse(urljoin("http://testserver" + self.page, a.get("action") or self.page)).path
            self.form = Form(action, (a.get("method") or "get").upper())
            self.forms.append(self.form)
        elif self.form is None or "name" not in a and tag in ("input", "select", "textarea"):
            return
        elif tag == "input" and a.get("type", "text") not in UNSENT:
            kind, name = a.get("type", "text"), a["name"]
            if kind in ("checkbox", "radio"):
                self.form.choices.setdefault(name, []).append(a.get("value", "on"))
                if "checked" not in a:
                    return
            if kind == "hidden":
                self.form.hidden.add(name)
            self.form.fields.setdefault(name, []).append(a.get("value", ""))
        elif tag == "select":
            self.select = a["name"]
            self.form.choices.setdefault(self.select, [])
        elif tag == "option" and self.select:
            value = a.get("value")
            self.option = [value, "selected" in a, ""]
            if value is not None:
                self._option_done()
        elif tag == "textarea":
            self.textarea = a["name"]
            self.form.fields.setdefault(self.textarea, []).append("")

    def _option_done(self):
        value, selected, _ = self.option
        self.form.choices[self.select].append(value)
        if selected:
            self.form.fields.setdefault(self.select, []).append(value)
        self.option = None

    def handle_data(self, data):
        if self.textarea and self.form:
            self.form.fields[self.textarea][-1] += data
        elif self.option is not None and self.option[0] is None:
            self.option[2] += data

    def handle_endtag(self, tag):
        if tag == "form":
            self.form = None
        elif tag == "textarea":
            self.textarea = None
        elif tag == "option" and self.option is not None:
            self.option[0] = self.option[2].strip()
            self._option_done()
        elif tag == "select" and self.select and self.form:
            if self.select not in self.form.fields and self.form.choices[self.select]:
                self.form.fields[self.select] = [self.form.choices[self.select][0]]
            self.select = None


def forms_on(html: str, page: str = "/") -> list[Form]:
    parser = _Parser(page)
    parser.feed(html)
    return parser.forms


def submit_untouched(client, page: str, action_suffix: str):
    """Submit the form of `page` whose action ends with `action_suffix`, as it was rendered."""
    html = client.get(page).content.decode()
    form = next(f for f in forms_on(html, page) if f.action.endswith(action_suffix))
    return client.post(form.action, form.fields) if form.method == "POST" else client.get(form.action, form.fields)
