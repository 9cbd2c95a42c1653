"""The template library: ready-made workflows with named parameters, instantiated into specs."""

from __future__ import annotations

import builtins
import difflib
import json
import re
from collections.abc import Iterable
from functools import lru_cache
from importlib import resources
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from workflows.spec import CATEGORIES, Category, WorkflowSpec

SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"
PARAM_NAME_PATTERN = r"^[a-z][a-z0-9_]*$"
_PLACEHOLDER = re.compile(r"\$\{([a-z][a-z0-9_]*)\}")
_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "list": (list,),
}
ParamType = Literal["string", "integer", "number", "boolean", "list"]


class UnknownTemplateError(KeyError):
    """A template id the catalog does not have; the message suggests close ids."""

    def __str__(self) -> str:
        return str(self.args[0])


class TemplateParamsError(ValueError):
    """Parameters that do not fit a template (unknown, missing, wrong type, or invalid result)."""


def _type_ok(value: Any, type_: str) -> bool:
    if isinstance(value, bool) and type_ != "boolean":
        return False
    return isinstance(value, _TYPES[type_])


class TemplateParameter(BaseModel):
    """One named parameter: what it means, its type, and a default unless it is required."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    description: str = Field(min_length=1)
    type: ParamType
    default: Any = None
    required: bool = False
    example: Any = None

    @model_validator(mode="after")
    def _default_or_required(self) -> TemplateParameter:
        has_default = "default" in self.model_fields_set
        if self.required == has_default:
            raise ValueError("a parameter needs exactly one of `default` or `required: true`")
        if has_default and self.default is not None and not _type_ok(self.default, self.type):
            raise ValueError(f"default {self.default!r} is not of type {self.type}")
        if self.example is not None and not _type_ok(self.example, self.type):
            raise ValueError(f"example {self.example!r} is not of type {self.type}")
        return self


class Template(BaseModel):
    """A template file: metadata, parameters, and a WorkflowSpec with `${param}` placeholders."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: str = Field(pattern=SLUG_PATTERN)
    name: str = Field(min_length=1, max_length=200)
    category: Category
    description: str = Field(min_length=1, max_length=500)
    ask: str | None = Field(default=None, min_length=1, max_length=120)
    tags: list[str] = Field(default_factory=list)
    parameters: dict[str, TemplateParameter] = Field(default_factory=dict)
    spec: dict[str, Any]

    @model_validator(mode="after")
    def _placeholders_declared(self) -> Template:
        for name in self.parameters:
            if not re.match(PARAM_NAME_PATTERN, name):
                raise ValueError(f"parameter name {name!r} must be lower_snake_case")
        for name in sorted(set(placeholders(self.spec))):
            if name not in self.parameters:
                raise ValueError(f"spec uses ${{{name}}} but no parameter {name!r} is declared")
        return self

    def resolve(self, params: dict[str, Any]) -> dict[str, Any]:
        """Check `params` against the declared parameters and fill in defaults."""
        unknown = sorted(set(params) - set(self.parameters))
        if unknown:
            raise TemplateParamsError(
                f"template {self.id!r} has no parameter {unknown[0]!r}; "
                f"its parameters are: {', '.join(self.parameters) or 'none'}"
            )
        values: dict[str, Any] = {}
        for name, param in self.parameters.items():
            if name not in params or params[name] is None:
                if param.required:
                    raise TemplateParamsError(
                        f"template {self.id!r} needs parameter {name!r}: {param.description}"
                    )
                values[name] = param.default
                continue
            value = params[name]
            if not _type_ok(value, param.type):
                raise TemplateParamsError(
                    f"parameter {name!r} of template {self.id!r} must be a {param.type}, "
                    f"got {type(value).__name__} {value!r}"
                )
            values[name] = value
        return values

    def in_zone(self, params: dict[str, Any], zone: str | None) -> dict[str, Any]:
        """`params` with the workspace's timezone for a `timezone` parameter left unset.

        New drafts use the workspace's zone; a stored workflow keeps the zone it was made with.
        """
        if "timezone" not in self.parameters or params.get("timezone") or not zone:
            return params
        return {**params, "timezone": zone}

    def instantiate(self, params: dict[str, Any] | None = None) -> WorkflowSpec:
        """The WorkflowSpec this template describes with `params` (defaults for the rest)."""
        values = self.resolve(params or {})
        raw = substitute(self.spec, values)
        raw.setdefault("name", self.name)
        raw.setdefault("description", self.description)
        raw["category"] = self.category
        try:
            return WorkflowSpec.model_validate(raw)
        except ValidationError as exc:
            raise TemplateParamsError(self._explain(exc)) from exc

    def _explain(self, exc: ValidationError) -> str:
        problems = []
        for error in exc.errors():
            names = sorted(set(placeholders(_at(self.spec, error["loc"]))))
            where = ".".join(str(part) for part in error["loc"]) or "spec"
            blame = f"parameter {', '.join(map(repr, names))}" if names else f"spec.{where}"
            problems.append(f"{blame}: {error['msg']}")
        return f"template {self.id!r} gives an invalid workflow: " + "; ".join(problems)


def placeholders(value: Any) -> list[str]:
    """Every `${name}` used in a JSON-like value, in order of appearance."""
    if isinstance(value, str):
        return _PLACEHOLDER.findall(value)
    if isinstance(value, dict):
        return [name for v in value.values() for name in placeholders(v)]
    if isinstance(value, list):
        return [name for v in value for name in placeholders(v)]
    return []


def substitute(value: Any, params: dict[str, Any]) -> Any:
    """Replace `${name}`: a whole-string placeholder keeps the value's type, else it becomes text.

    Inside text, strings go in as they are and other values as JSON (`["a", "b"]`, `true`),
    which also reads as a literal in a `when` condition. `{{ ... }}` is left for run time.
    """
    if isinstance(value, str):
        whole = _PLACEHOLDER.fullmatch(value)
        if whole:
            return params[whole.group(1)]
        return _PLACEHOLDER.sub(lambda m: _as_text(params[m.group(1)]), value)
    if isinstance(value, dict):
        return {k: substitute(v, params) for k, v in value.items()}
    if isinstance(value, list):
        return [substitute(v, params) for v in value]
    return value


def _as_text(value: Any) -> str:
    if value is None:
        return ""
    return value if isinstance(value, str) else json.dumps(value)


def _at(spec: Any, loc: tuple[int | str, ...]) -> Any:
    """The part of the raw spec an error location points to (skipping union tags)."""
    node = spec
    for part in loc:
        in_dict = isinstance(node, dict) and part in node
        in_list = isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node)
        if in_dict or in_list:
            node = node[part]
    return node


def parse_template(file_name: str, text: str) -> Template:
    """Parse one YAML template file; its `id` must equal the file name's stem."""
    data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError(f"{file_name}: a template file must hold a mapping")
    template = Template.model_validate(data)
    stem = file_name.rsplit(".", 1)[0]
    if template.id != stem:
        raise ValueError(f"{file_name}: id {template.id!r} must equal the file name {stem!r}")
    return template


@lru_cache(maxsize=1)
def _package_templates() -> tuple[Template, ...]:
    folder = resources.files("workflows.templates")
    entries = sorted(folder.iterdir(), key=lambda entry: entry.name)
    return tuple(
        parse_template(entry.name, entry.read_text(encoding="utf-8"))
        for entry in entries
        if entry.name.endswith((".yaml", ".yml"))
    )


class TemplateCatalog:
    """Templates by id, with search, per-category counts and instantiation."""

    def __init__(self, templates: Iterable[Template]) -> None:
        self._templates: dict[str, Template] = {}
        for template in templates:
            if template.id in self._templates:
                raise ValueError(f"template {template.id!r} defined twice")
            self._templates[template.id] = template

    @classmethod
    def load(cls) -> TemplateCatalog:
        """The built-in templates shipped in `workflows/templates/` (files read once)."""
        return cls(_package_templates())

    def __len__(self) -> int:
        return len(self._templates)

    def __contains__(self, template_id: object) -> bool:
        return template_id in self._templates

    def ids(self) -> builtins.list[str]:
        """Every template id, sorted."""
        return sorted(self._templates)

    def get(self, template_id: str) -> Template:
        """The template with this id, or UnknownTemplateError suggesting close ids."""
        try:
            return self._templates[template_id]
        except KeyError:
            close = difflib.get_close_matches(template_id, self.ids(), n=3, cutoff=0.5)
            hint = (
                f"did you mean {', '.join(close)}?" if close else f"known: {', '.join(self.ids())}"
            )
            raise UnknownTemplateError(f"unknown template {template_id!r}; {hint}") from None

    def list(
        self, category: str | None = None, query: str | None = None
    ) -> builtins.list[Template]:
        """Templates in `category` whose name, description or tags match every word of `query`."""
        if category is not None and category not in CATEGORIES:
            raise ValueError(f"unknown category {category!r}; known: {', '.join(CATEGORIES)}")
        terms = (query or "").lower().split()
        scored: builtins.list[tuple[int, str, Template]] = []
        for template in self._templates.values():
            if category is not None and template.category != category:
                continue
            score = _match_score(template, terms)
            if score is not None:
                scored.append((-score, template.id, template))
        return [template for _, _, template in sorted(scored, key=lambda row: row[:2])]

    def instantiate(self, template_id: str, params: dict[str, Any]) -> WorkflowSpec:
        """A validated WorkflowSpec from a template and parameters (defaults fill the rest)."""
        return self.get(template_id).instantiate(params)

    def categories(self) -> dict[str, int]:
        """How many templates each category has (every category listed, even when empty)."""
        counts = dict.fromkeys(CATEGORIES, 0)
        for template in self._templates.values():
            counts[template.category] += 1
        return counts


def _match_score(template: Template, terms: builtins.list[str]) -> int | None:
    """None unless every term matches; higher for tag and name hits."""
    tags = [tag.lower() for tag in template.tags]
    name = f"{template.id} {template.name}".lower()
    text = template.description.lower()
    score = 0
    for term in terms:
        if term in tags:
            score += 3
        elif term in name or any(term in tag for tag in tags):
            score += 2
        elif term in text:
            score += 1
        else:
            return None
    return score
