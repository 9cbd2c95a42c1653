"""The names of the apps real automations use, counted from the template corpus.

Levqor reaches an app it has no integration for (Telegram, Google Drive, Postgres, Airtable…)
through `http.request`. Which names are apps is learned from data rather than listed by hand:
every n8n node type that `node_map.json` does not map to one of Levqor's own integrations, and
that is not a utility node, is an app; its type name is turned into the words people type
("googleDrive" → "google drive", matched with or without the space). `levqor corpus apps`
rebuilds `app_names.json` from template snapshots; the planner loads the shipped file.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from agents.learned.corpus import CorpusError, template_nodes
from agents.learned.node_map import node_map, short_type

APP_NAMES_FILE = "app_names.json"
MIN_TEMPLATES = 3

# Type names that are everyday words or not one product, so seeing them in a request says
# nothing about an app ("a linear process", "one shot", "close the deal").
_AMBIGUOUS = frozenset(
    {
        "cal", "dart", "matrix", "linear", "ghost", "octave", "close", "box", "wise", "drive",
        "code", "html", "crypto", "compression", "one shot", "one shot synch", "form", "flow",
        "git", "ssh", "xml", "markdown", "jwt", "totp", "graph", "webhook", "n8n", "evaluation",
        "hunter", "twenty", "orbit", "bubble", "mcp client", "uproc", "date time", "filter",
        "medium", "templated", "harvest", "autopilot", "coda", "the hive", "pd fco api", "beex",
        "gowa", "gemini search tool", "cortex", "drift", "line", "segment", "twist", "vero",
        "e2e test", "sse", "npm", "post bin", "i calendar", "open thesaurus", "u proc", "cockpit",
        "misp", "grist", "paddle", "workable", "simulate", "oura",
        # self-hosted apps named by everyday words, names or other languages' words
        "plane", "shelf", "element", "manifest", "middleware", "leon", "halo", "october",
        "conduit", "coral", "bracket", "relate", "ocular", "shaper", "stoat", "synapse", "druid",
        "offen", "kirby", "monica", "vince", "fava", "spectrum 2", "mumble", "gibbon", "umami",
        "superset", "affine", "apostrophe", "apprise", "aleph", "lago", "shhh", "sync-in",
        "i, librarian", "enigma 1/2 bbs", "christmas community", "open source pos", "solidus",
        "kill bill", "timetracker", "homebox",
    }
)  # fmt: skip
# Sources Levqor reads as feeds (social mentions, news): reading them is `rss`, not an app call.
_FEEDS = frozenset(
    {"reddit", "hacker news", "bluesky", "rss feed read", "mastodon", "lemmy", "misskey",
     "pixelfed", "friendica", "diaspora"}
)  # fmt: skip
# Names people shorten: the type name is "facebookGraphApi", people say "Facebook".
_SPOKEN = {
    "facebook graph api": "facebook",
    "you tube": "youtube",
    "linked in": "linkedin",
    "whats app": "whatsapp",
    "my sql": "mysql",
    "mongo db": "mongodb",
    "noco db": "nocodb",
    "woo commerce": "woocommerce",
    "monday com": "monday.com",
    "aws s3": "aws s3",
    "microsoft sql": "sql server",
    "next cloud": "nextcloud",
    "open weather map": "openweathermap",
    "quickbooks": "quickbooks",
    "pay pal": "paypal",
    "elastic search": "elasticsearch",
    "home assistant": "home assistant",
    "service now": "servicenow",
    "microsoft one drive": "onedrive",
    "microsoft share point": "sharepoint",
    "google firebase cloud firestore": "firestore",
    "google big query": "bigquery",
    "url scan io": "urlscan",
    "customer io": "customer.io",
    "data for seo": "dataforseo",
    "sentry io": "sentry",
    "magento2": "magento",
    "e rp next": "erpnext",
    "quick books": "quickbooks",
    "circle ci": "circleci",
    "rabbit mq": "rabbitmq",
    "profit well": "profitwell",
    "post hog": "posthog",
    "survey monkey": "surveymonkey",
    "help scout": "help scout",
    "go to webinar": "gotowebinar",
    "message bird": "messagebird",
    "ko bo toolbox": "kobotoolbox",
}


def spoken(type_name: str) -> str:
    """`googleDrive` → "google drive"; `whatsApp` → "whatsapp"; `awsS3` → "aws s3"."""
    words = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", " ", type_name)
    words = re.sub(r"[^A-Za-z0-9.]+", " ", words).strip().lower()
    return _SPOKEN.get(words, words)


def pattern_of(name: str) -> str:
    """A regex for the name, its words joined by optional space ("google\\s*drive")."""
    parts = [re.escape(part) for part in name.split()]
    return r"\s*".join(parts)


def _base(type_name: str) -> str:
    return re.sub(r"(?:Trigger|Tool)$", "", type_name) or type_name


def _is_app(node_type: str) -> bool:
    """A node that stands for some outside product, not a utility or one of our integrations."""
    n8n = node_map()["n8n"]
    name = short_type(node_type)
    base = _base(name)
    if {name, base} & (set(n8n["integrations"]) | set(n8n["ignore"]) | set(n8n["triggers"])):
        return False
    if base in n8n["weak_triggers"] or name in n8n["weak_triggers"]:
        return False
    package = node_type.rsplit(".", 1)[0] if "." in node_type else ""
    return package not in n8n["ai_packages"]


def count_apps(roots: Iterable[Path]) -> Counter[str]:
    """How many templates use each app, by spoken name; a template counts once per app."""
    counts: Counter[str] = Counter()
    seen: set[str] = set()
    for root in roots:
        for template_id, nodes in template_nodes(root):
            if template_id in seen:
                continue
            seen.add(template_id)
            names = {spoken(_base(short_type(t))) for t in nodes if _is_app(t)}
            counts.update(n for n in names if n and n not in _AMBIGUOUS and n not in _FEEDS)
    return counts


def catalogue_apps(package_json: Path) -> set[str]:
    """The apps of a node package's catalogue (`n8n.nodes` of its package.json), by spoken name.

    Every product the catalogue has a node for, whether or not a template uses it yet: people
    name the tools they have, not the ones templates happen to show.
    """
    try:
        data = json.loads(package_json.read_text(encoding="utf-8"))
        paths = data["n8n"]["nodes"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise CorpusError(f"{package_json} is not a node package's package.json: {error}") from None
    names: set[str] = set()
    for path in paths:
        file_name = str(path).rsplit("/", 1)[-1].split(".", 1)[0]
        type_name = file_name[:1].lower() + file_name[1:]
        if not type_name or not _is_app(f"n8n-nodes-base.{type_name}"):
            continue
        name = spoken(_base(type_name))
        if name and name not in _AMBIGUOUS and name not in _FEEDS:
            names.add(name)
    return names


# awesome-selfhosted-data (software/*.yml, CC BY-SA 3.0): the business apps small firms run
# themselves (helpdesks, CRMs, invoicing, time tracking…), which have no n8n node to be counted.
SELFHOSTED_TAGS = frozenset(
    {
        "Analytics", "Booking and Scheduling", "Conference Management",
        "Communication - Custom Communication Systems",
        "Communication - Email - Mailing Lists and Newsletters",
        "Customer Relationship Management (CRM)", "Document Management", "E-commerce",
        "Human Resources Management (HRM)", "Inventory Management",
        "Money, Budgeting & Management", "Polls and Events", "Resource Planning",
        "Software Development - Project Management", "Task Management & To-do Lists",
        "Ticketing", "Time Tracking", "Content Management Systems (CMS)", "Blogging Platforms",
        "Knowledge Management Tools", "Learning and Courses", "Groupware",
        "Communication - Social Networks and Forums",
    }
)  # fmt: skip
MIN_STARS = 300
# A word the template corpus writes in lower case this often is an everyday word ("plane",
# "answer", "docs"), not a product name people would type to mean the app.
EVERYDAY_AT = 2
_EDITION = re.compile(r"\s*(?:\(.*?\)|community\s+edition|open\s+source)\s*$", re.IGNORECASE)


def everyday_words(texts: Iterable[str]) -> Counter[str]:
    """How often each word is written in lower case in these texts (template titles and
    descriptions, which write product names capitalised)."""
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in re.findall(r"[A-Za-z][\w.!*-]*", text) if w.islower())
    return counts


def selfhosted_apps(root: Path, everyday: Counter[str]) -> set[str]:
    """Business apps of an awesome-selfhosted-data snapshot (`software/*.yml`): tagged with one of
    SELFHOSTED_TAGS, at least MIN_STARS stars, not archived; a name made only of everyday words
    is left out."""
    software = root / "software"
    if not software.is_dir():
        raise CorpusError(f"{root} has no software/ folder (an awesome-selfhosted-data snapshot)")
    names: set[str] = set()
    for path in sorted(software.glob("*.yml")):
        try:
            entry = yaml.safe_load(path.read_text(encoding="utf-8"))
        except (OSError, yaml.YAMLError) as error:
            raise CorpusError(f"{path} is not readable YAML: {error}") from None
        if not isinstance(entry, dict) or entry.get("archived"):
            continue
        tags = set(entry.get("tags") or [])
        stars = entry.get("stargazers_count") or 0
        if not tags & SELFHOSTED_TAGS or not isinstance(stars, int) or stars < MIN_STARS:
            continue
        name = _EDITION.sub("", str(entry.get("name", ""))).strip().lower().rstrip("!*")
        words = name.split()
        if len(name) < 4 or len(words) > 3 or name in _AMBIGUOUS or name in _FEEDS:
            continue
        if all(everyday[w] >= EVERYDAY_AT or len(w) < 3 for w in words):
            continue
        names.add(name)
    return names


def shipped_counts() -> Counter[str]:
    """The template counts of the shipped table (to add catalogue names without the snapshots)."""
    text = resources.files("agents.learned").joinpath(APP_NAMES_FILE).read_text("utf-8")
    return Counter({str(a["name"]): int(a["templates"]) for a in json.loads(text)["apps"]})


def table(
    counts: Counter[str], minimum: int = MIN_TEMPLATES, catalogue: Iterable[str] = ()
) -> dict[str, Any]:
    """The JSON shipped beside this module: apps used by at least `minimum` templates, and
    every app of the node catalogue (with its template count, often 0)."""
    listed = set(catalogue)
    apps = [
        {"name": name, "templates": count}
        for name, count in sorted(
            ((n, counts.get(n, 0)) for n in set(counts) | listed), key=lambda i: (-i[1], i[0])
        )
        if (count >= minimum or name in listed) and len(name) >= 3
    ]
    return {
        "about": (
            "Apps named by n8n node types in the public template corpus (docs/drafting-corpus.md), "
            f"used by at least {minimum} templates, every app of the n8n node catalogue "
            "(n8n-nodes-base's package.json), and the business apps of awesome-selfhosted-data "
            f"with at least {MIN_STARS} stars (CC BY-SA 3.0); rebuilt by `levqor corpus apps`."
        ),
        "apps": apps,
    }


def write_table(
    counts: Counter[str], out: Path, minimum: int = MIN_TEMPLATES, catalogue: Iterable[str] = ()
) -> int:
    """Write the table; returns how many apps it lists."""
    data = table(counts, minimum, catalogue)
    out.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return len(data["apps"])


@cache
def shipped_app_names() -> tuple[str, ...]:
    """The app names shipped with Levqor, most used first."""
    text = resources.files("agents.learned").joinpath(APP_NAMES_FILE).read_text("utf-8")
    return tuple(str(app["name"]) for app in json.loads(text)["apps"])


def apps_pattern(names: Iterable[str]) -> str:
    """One alternation over the names, longest first so "google drive" wins over "google"."""
    ordered = sorted(set(names), key=lambda name: (-len(name), name))
    return r"\b(?:" + "|".join(pattern_of(name) for name in ordered) + r")\b"
