"""Build the labelled drafting corpus (JSONL) from snapshots of public template collections."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from agents.learned.node_map import labels_for_catalogue, labels_for_template
from agents.learned.overview import overview, plain

N8N_SOURCE = "n8n-gallery"
CATALOGUE_SOURCE = "automatisch"
# Collections of numbered workflow files (`0001_Telegram_..._Scheduled.json`) are kept out.
_NUMBERED = re.compile(r"^\d{3,5}_\w+\.json$")
_METADA = re.compile(r"^metada(?:ta)?-(\d+)\.json$")
_CATALOGUE_ENTRY = re.compile(r"apps/([\w-]+)/(triggers|actions)/([\w-]+)/index\.(?:js|ts|mjs)$")
_ID_PATTERNS = (
    re.compile(r"n8n\.io/workflows/(\d+)"),
    re.compile(r"workflows/[^;\n]*?-(\d+)(?=$|[\s;)/,])"),
    re.compile(r"^(\d+)$"),
)


class CorpusError(ValueError):
    """A snapshot or exclusion file that cannot be used; the message says why."""


@dataclass(frozen=True)
class Example:
    """One labelled corpus line."""

    source: str
    source_id: str
    text: str
    trigger: str | None
    integrations: list[str]

    def to_json(self) -> str:
        """One JSONL line."""
        return json.dumps(asdict(self), ensure_ascii=False)


def template_text(title: str, description: str) -> str:
    """Title plus the description's overview paragraph."""
    title = plain(title).strip()
    first = overview(description)
    return f"{title}. {first}" if first else title


def template_example(template_id: str, title: str, description: str, nodes: list[str]) -> Example:
    """A corpus line for one n8n template."""
    text = template_text(title, description)
    labels = labels_for_template(title, nodes, text)
    return Example(N8N_SOURCE, template_id, text, labels.trigger, list(labels.integrations))


def _read_json(path: Path) -> dict[str, Any] | None:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) else None


def _node_types(data: dict[str, Any]) -> list[str]:
    """Node types from any of the shapes the mirrors use."""
    if isinstance(data.get("nodeTypes"), dict):
        return list(data["nodeTypes"])
    if isinstance(data.get("nodeDetails"), list):
        return [str(n.get("type", "")) for n in data["nodeDetails"] if isinstance(n, dict)]
    inner = data.get("workflow")
    if isinstance(inner, dict):
        info = inner.get("workflowInfo")
        if isinstance(info, dict) and isinstance(info.get("nodeTypes"), dict):
            return list(info["nodeTypes"])
        graph = inner.get("workflow", inner)
        if isinstance(graph, dict) and isinstance(graph.get("nodes"), list):
            return [str(n.get("type", "")) for n in graph["nodes"] if isinstance(n, dict)]
    return []


def _from_flat(path: Path) -> Example | None:
    """`<id>.json` holding title, description and node types (the n8nworkflow.com data)."""
    data = _read_json(path)
    if data is None:
        return None
    inner = data.get("workflow") if isinstance(data.get("workflow"), dict) else data
    assert isinstance(inner, dict)
    title = str(inner.get("title") or inner.get("name") or "")
    nodes = _node_types(data)
    if not title or not nodes:
        return None
    return template_example(path.stem, title, str(inner.get("description") or ""), nodes)


def _from_folder(meta_path: Path, template_id: str) -> Example | None:
    """A `<Title>-<id>/` folder with `metada-<id>.json` and `readme-<id>.md`."""
    data = _read_json(meta_path)
    if data is None:
        return None
    nodes = _node_types(data)
    readme = meta_path.with_name(f"readme-{template_id}.md")
    text = readme.read_text(encoding="utf-8") if readme.exists() else ""
    title = str(data.get("title") or "")
    heading = re.match(r"\s*#\s+(.+)", text)
    if heading:
        title = title or heading.group(1)
        text = text[heading.end() :]
    title = title or re.sub(rf"-{template_id}$", "", meta_path.parent.name)
    if not nodes:
        return None
    return template_example(template_id, title, text, nodes)


def _quoted(source: str, key: str) -> str:
    found = re.search(rf"\b{key}\s*:\s*(['\"`])((?:\\.|(?!\1).)*)\1", source, re.DOTALL)
    return found.group(2).replace("\\'", "'").replace('\\"', '"') if found else ""


def _from_catalogue(path: Path, match: re.Match[str]) -> Example | None:
    """One trigger or action of an automation catalogue app (name + description)."""
    source = path.read_text(encoding="utf-8", errors="replace")
    name, description = _quoted(source, "name"), _quoted(source, "description")
    if not name:
        return None
    app, kind, entry = match.group(1), match.group(2), match.group(3)
    labels = labels_for_catalogue(app, "trigger" if kind == "triggers" else "action", name)
    text = f"{name}. {description}".strip() if description else name
    return Example(
        CATALOGUE_SOURCE,
        f"{app}/{kind}/{entry}",
        text,
        labels.trigger,
        list(labels.integrations),
    )


def read_snapshot(root: Path) -> Iterator[Example]:
    """Every example a snapshot directory holds, in a stable (sorted) order."""
    if not root.is_dir():
        raise CorpusError(f"{root} is not a directory")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    numbered = [p for p in files if _NUMBERED.match(p.name)]
    if numbered:
        raise CorpusError(
            f"{root} holds numbered workflow files such as {numbered[0].name}; "
            "collections of that kind are kept out of the corpus"
        )
    folders_with_meta = {p.parent for p in files if _METADA.match(p.name)}
    for path in files:
        relative = path.relative_to(root).as_posix()
        meta = _METADA.match(path.name)
        catalogue = _CATALOGUE_ENTRY.search(relative)
        example: Example | None = None
        if meta:
            example = _from_folder(path, meta.group(1))
        elif catalogue:
            example = _from_catalogue(path, catalogue)
        elif (
            path.suffix == ".json" and path.stem.isdigit() and path.parent not in folders_with_meta
        ):
            example = _from_flat(path)
        if example is not None and example.text:
            yield example


def template_nodes(root: Path) -> Iterator[tuple[str, list[str]]]:
    """(template id, node types) of every n8n template a snapshot holds, in a stable order."""
    if not root.is_dir():
        raise CorpusError(f"{root} is not a directory")
    files = sorted(p for p in root.rglob("*") if p.is_file())
    if any(_NUMBERED.match(p.name) for p in files):
        raise CorpusError(f"{root} holds numbered workflow files; they are kept out of the corpus")
    folders_with_meta = {p.parent for p in files if _METADA.match(p.name)}
    for path in files:
        meta = _METADA.match(path.name)
        flat = path.suffix == ".json" and path.stem.isdigit()
        if not meta and not (flat and path.parent not in folders_with_meta):
            continue
        data = _read_json(path)
        nodes = _node_types(data) if data is not None else []
        if nodes:
            yield (meta.group(1) if meta else path.stem), nodes


def excluded_ids(paths: Iterable[Path]) -> set[str]:
    """Template ids named in the `source` fields of labelled JSONL files."""
    ids: set[str] = set()
    for path in paths:
        if not path.exists():
            raise CorpusError(f"exclusion file {path} does not exist")
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip():
                continue
            try:
                source = str(json.loads(line).get("source") or "")
            except (ValueError, AttributeError) as error:
                raise CorpusError(f"{path}:{number} is not a JSON object") from error
            for part in re.split(r"[;\n]", source):
                for pattern in _ID_PATTERNS:
                    ids.update(pattern.findall(part.strip()))
    return ids


def build(roots: Iterable[Path], exclude: set[str] | None = None) -> tuple[list[Example], int]:
    """Examples from all snapshots, deduplicated by (source, id); also how many were excluded."""
    seen: dict[tuple[str, str], Example] = {}
    dropped = 0
    for root in roots:
        for example in read_snapshot(root):
            if example.source == N8N_SOURCE and example.source_id in (exclude or set()):
                dropped += 1
                continue
            seen.setdefault((example.source, example.source_id), example)
    return list(seen.values()), dropped


def write_jsonl(examples: Iterable[Example], out: Path) -> int:
    """Write examples as JSONL; returns the number written."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for example in examples:
            handle.write(example.to_json() + "\n")
            count += 1
    return count
