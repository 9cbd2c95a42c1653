"""`levqor corpus build`, `levqor train-drafter` and `levqor train-risk`: rebuild the drafting
models from data."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from agents.learned.app_names import (
    catalogue_apps,
    count_apps,
    everyday_words,
    selfhosted_apps,
    shipped_counts,
    write_table,
)
from agents.learned.corpus import CorpusError, build, excluded_ids, write_jsonl
from agents.learned.dataset import DatasetError
from agents.learned.model import MODEL_PATH
from agents.learned.recipe import DEFAULT_CORPUS, Recipe, train_shipped
from agents.learned.risk import (
    FALSE_ALARMS,
    RISK_PATH,
    RISK_SETS,
    VAGUE_PATH,
    VAGUE_SETS,
    RiskTrain,
    fit_risk,
    read_risk_examples,
)
from agents.learned.vocabulary import WORDS_PATH, build_words, write_words

REQUEST_SETS = Path("tests/agents")


def register(app: typer.Typer) -> None:
    """Add the `corpus` group and the `train-drafter` command to `app`."""
    corpus = typer.Typer(help="The labelled drafting corpus.", no_args_is_help=True)
    corpus.command("build")(build_command)
    corpus.command("apps")(apps_command)
    corpus.command("words")(words_command)
    app.add_typer(corpus, name="corpus")
    app.command("train-drafter")(train_command)
    app.command("train-risk")(train_risk_command)


def build_command(
    sources: Annotated[
        list[Path],
        typer.Option("--from", help="A snapshot directory (repeat for several mirrors)."),
    ],
    out: Annotated[Path, typer.Option("--out", help="Where to write the JSONL corpus.")],
    exclude: Annotated[
        list[Path] | None,
        typer.Option(
            "--exclude-source-ids",
            help="JSONL file whose `source` fields name templates to leave out (repeatable).",
        ),
    ] = None,
) -> None:
    """Turn template snapshots into labelled JSONL: {source, source_id, text, trigger, ...}."""
    try:
        ids = excluded_ids(exclude or [])
        examples, dropped = build(sources, ids)
    except CorpusError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    written = write_jsonl(examples, out)
    by_source = Counter(e.source for e in examples)
    typer.echo(f"wrote {written} examples to {out} ({dropped} excluded by id)")
    for source, count in sorted(by_source.items()):
        typer.echo(f"  {source}: {count}")


def apps_command(
    sources: Annotated[
        list[Path] | None,
        typer.Option(
            "--from",
            help="A template snapshot directory (repeat for several mirrors); "
            "without it the shipped table's template counts are kept.",
        ),
    ] = None,
    nodes: Annotated[
        Path | None,
        typer.Option(
            "--nodes", help="n8n-nodes-base's package.json: add every app it has a node for."
        ),
    ] = None,
    selfhosted: Annotated[
        Path | None,
        typer.Option(
            "--selfhosted",
            help="An awesome-selfhosted-data snapshot: add its business apps (needs --corpus).",
        ),
    ] = None,
    corpus: Annotated[
        Path | None,
        typer.Option(
            "--corpus", help="The corpus JSONL whose texts tell everyday words from app names."
        ),
    ] = None,
    out: Annotated[
        Path,
        typer.Option("--out", help="Where to write the app-name table."),
    ] = Path("agents/learned/app_names.json"),
) -> None:
    """Count the apps the templates use and write the names the planner recognises."""
    try:
        counts = count_apps(sources) if sources else shipped_counts()
        catalogue = catalogue_apps(nodes) if nodes else set()
        if not sources and nodes is None:
            catalogue |= set(counts)  # the shipped table stays as it is, names only added
        if selfhosted is not None:
            if corpus is None:
                raise CorpusError("--selfhosted needs --corpus to tell everyday words apart")
            texts = (json.loads(line).get("text", "") for line in _lines(corpus))
            catalogue |= selfhosted_apps(selfhosted, everyday_words(texts)) - set(counts)
    except CorpusError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    written = write_table(counts, out, catalogue=catalogue)
    typer.echo(f"wrote {written} app names to {out}")


def words_command(
    ranked: Annotated[
        Path,
        typer.Option(
            "--ranked",
            help="English words, one per line, most common first (wordfreq's large list).",
        ),
    ],
    corpus: Annotated[
        Path, typer.Option("--corpus", help="The corpus JSONL: words it writes in lower case.")
    ],
    out: Annotated[
        Path, typer.Option("--out", help="Where to write the gzipped word list.")
    ] = WORDS_PATH,
) -> None:
    """Write the everyday words that tell a tool nobody listed from a word."""
    try:
        ranked_words = _lines(ranked)
        texts = (json.loads(line).get("text", "") for line in _lines(corpus))
        written = write_words(build_words(ranked_words, texts), out)
    except (OSError, ValueError, CorpusError) as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    typer.echo(f"wrote {written} everyday words to {out}")


def train_command(
    corpus: Annotated[
        list[Path] | None,
        typer.Option("--corpus", help=f"Corpus JSONL (repeatable; default {DEFAULT_CORPUS})."),
    ] = None,
    labelled: Annotated[
        list[Path] | None,
        typer.Option("--labelled", help="Our own labelled request set to mix in (repeatable)."),
    ] = None,
    labelled_weight: Annotated[
        float, typer.Option("--labelled-weight", help="Weight of each mixed-in request.")
    ] = Recipe().labelled_weight,
    seed: Annotated[int, typer.Option("--seed", help="Seed for shuffling and augmentation.")] = 7,
    out: Annotated[Path, typer.Option("--out", help="Where to write the model.")] = MODEL_PATH,
) -> None:
    """Train the drafting model from the corpus (and optional labelled sets) and save it."""
    recipe = Recipe(
        corpus=tuple(corpus or [DEFAULT_CORPUS]),
        labelled=tuple(labelled or []),
        labelled_weight=labelled_weight,
        seed=seed,
    )
    try:
        model = train_shipped(recipe)
    except DatasetError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    model.save(out)
    typer.echo(f"saved {model.version} ({model.meta['examples']} examples) to {out}")


def train_risk_command(
    labelled: Annotated[
        list[Path] | None,
        typer.Option(
            "--labelled",
            help="A labelled request set (repeatable; default: the sets in "
            "agents.learned.risk.RISK_SETS, or VAGUE_SETS with --vague, under tests/agents/).",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed for the order of examples.")] = 7,
    vague: Annotated[
        bool,
        typer.Option("--vague", help="Train the vagueness model (is it too vague to draft?)."),
    ] = False,
    out: Annotated[
        Path | None,
        typer.Option("--out", help="Where to write the model (default: the shipped file)."),
    ] = None,
) -> None:
    """Train the risk model (is a request risky?), or with --vague the vagueness model, on
    labelled request sets and save it."""
    default_sets = VAGUE_SETS if vague else RISK_SETS
    paths = labelled or [REQUEST_SETS / f"{name}.jsonl" for name in default_sets]
    reading = "vague" if vague else "risky"
    out = out or (VAGUE_PATH if vague else RISK_PATH)
    try:
        examples = read_risk_examples(paths, reading)
        train = RiskTrain(seed=seed, false_alarms=FALSE_ALARMS[reading])
        model = fit_risk(examples, train=train, reading=reading)
    except DatasetError as error:
        typer.echo(f"Error: {error}", err=True)
        raise typer.Exit(1) from error
    model.save(out)
    meta = model.meta
    typer.echo(
        f"saved {model.version} ({meta['examples']} requests, {meta['risky']} {reading}) to "
        f"{out}; "
        f"threshold {meta['threshold']}: with each set left out, {meta['held_out_recall']:.0%} "
        f"of {reading} requests caught, {meta['held_out_false_alarms']:.1%} of others flagged"
    )
    if vague:
        typer.echo(
            f"stricter line {meta['strict_threshold']} (where a request names a start or one "
            f"tool): {meta['strict_recall']:.0%} caught, {meta['strict_false_alarms']:.2%} of "
            "others flagged"
        )


def _lines(path: Path) -> list[str]:
    try:
        return [line for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    except OSError as error:
        raise CorpusError(f"{path} cannot be read: {error}") from None
