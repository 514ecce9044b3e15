"""The model layer in Dagster: the dbt project in assets/dbt/, loaded with dagster-dbt.

Every staging and mart model is an asset whose upstream edges come from its ref()/source()
calls, and every dbt test is an asset check on it (severity error: blocking; warn: WARN). The
project runs as one step, `dbt_models`, and one `dbt build` (issue 39: a second dbt process cost
about 4 s a run). A failing blocking check on staging still stops the marts:

- a dbt test of severity error: dbt runs a model's tests before its children and skips every
  model built on it;
- the Python contract checks on staging (`StagingGate`: the GX suites, unique keys and no raw
  BSN of checks/contract_checks.py) are judged in this step before dbt starts, on the rows the
  staging model is about to hold (its SQL, read from raw); when one fails, dbt builds staging
  but no mart, and the step fails, so the publish never runs.

Either way the marts that were not built have no materialization in that run, and the UI shows
them as not materialized. Every check on a mart runs before the publish step.

dbt runs as a subprocess on the working file; no connection of this process is open meanwhile
(DuckDB allows one writer). Row counts, column labels and previews are read after dbt is done.
"""


import contextlib
import fcntl
import json
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dagster as dg
import jinja2
from dagster_dbt import (
    DagsterDbtTranslator,
    DagsterDbtTranslatorSettings,
    DbtCliInvocation,
    DbtCliResource,
    DbtProject,
)
from dagster_dbt.asset_utils import (
    DAGSTER_DBT_PROJECT_METADATA_KEY,
    DAGSTER_DBT_SELECT_METADATA_KEY,
    build_dbt_specs,
)

from foundation.asset_groups import LAYERS
from foundation.fingerprint import FULL_REBUILD_TAG, new_since_publication, unchanged_since_publication
from foundation.sql import data_through, metadata_table, table_metadata
from foundation.warehouse import PUBLISHED_DB_NAME, Warehouse
from foundation.warn_checks import warn_metadata

DBT_DIR = Path(__file__).parent / "dbt"
DBT_PROJECT = DbtProject(project_dir=DBT_DIR)
# the dbt installed beside this Python: `make` runs .venv/bin/python without activating the venv
DBT_EXECUTABLE = str(Path(sys.executable).parent / "dbt")


def ensure_manifest(project: DbtProject = DBT_PROJECT) -> Path:
    """Parse the project when its manifest is missing, older than any of its files, or was parsed
    from another set of files (a model deleted, or copied in with an old date, would otherwise
    linger in the manifest, and a run would wait for a model that no longer exists).

    `dagster dev` would do this only in development; `make run`, the tests and CI load the
    definitions without it, so the check runs at every load (a parse takes a few seconds, and
    only after a model, macro or YAML changed)."""
    manifest = project.manifest_path
    # .md: the docs blocks (tests/generic/test_kinds.md), which the check descriptions read
    sources = sorted(p for p in project.project_dir.rglob("*") if p.suffix in {".sql", ".yml", ".py", ".md"}
                     and project.target_path.name not in p.relative_to(project.project_dir).parts)
    listing = "\n".join(str(p.relative_to(project.project_dir)) for p in sources)
    # the project's target folder (project.target_path is relative: to the project, not to this process)
    target = manifest.parent
    parsed_from = target / ".parsed_from"

    def stale() -> bool:
        return (not manifest.exists() or max(p.stat().st_mtime for p in sources) > manifest.stat().st_mtime
                or not parsed_from.exists() or parsed_from.read_text() != listing)

    if stale():
        # one parse at a time: two processes loading the definitions together (pytest's workers, the
        # webserver and the daemon) would otherwise write manifest.json over each other
        target.mkdir(parents=True, exist_ok=True)
        with (target / ".parse.lock").open("w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            if stale():
                dbt_cli(project).cli(["parse", "--quiet"], target_path=project.target_path).wait()
                parsed_from.write_text(listing)
    return manifest


class SubprocessDbt(DbtCliResource):
    """dbt as a subprocess and nothing else. dagster-dbt also loads dbt's adapter into this process at
    every call (3.5 s) for its row-count and column-metadata fetches; those would open the working
    file while dbt holds it, so this project reads its metadata after dbt is done (build_layer)."""

    def _initialize_dbt_core_adapter(self, args: Sequence[str]) -> None:
        return None


_CLIS: dict[Path, SubprocessDbt] = {}


def dbt_cli(project: DbtProject = DBT_PROJECT) -> SubprocessDbt:
    """One per project and process: it asks `dbt --version` once (3 s), not at every call."""
    if project.project_dir not in _CLIS:
        _CLIS[project.project_dir] = SubprocessDbt(project_dir=project, dbt_executable=DBT_EXECUTABLE)
    return _CLIS[project.project_dir]


MANIFEST: dict[str, Any] = json.loads(ensure_manifest().read_text())
MODELS: dict[str, dict[str, Any]] = {
    n["name"]: n for n in MANIFEST["nodes"].values() if n["resource_type"] == "model"}


def test_kind_why(manifest: Mapping[str, Any], kind: str) -> str:
    """Why a kind of dbt test is there: its docs block test_<kind> (assets/dbt/tests/generic/test_kinds.md),
    on one line; empty for a kind without one."""
    doc = manifest["docs"].get(f"doc.{manifest['metadata']['project_name']}.test_{kind}")
    return " ".join(doc["block_contents"].split()) if doc else ""


# what a failing dbt test asks of a person, by its model and name (a readable test name, such as
# provider_is_known, recurs across models), from its config.meta.what_to_do in the YAML:
# a WARN test's result carries it, as the Python WARN checks' results do
WHAT_TO_DO: dict[tuple[str, str], str] = {
    (MANIFEST["nodes"][node["attached_node"]]["name"], node["name"]): node["config"]["meta"]["what_to_do"]
    for node in MANIFEST["nodes"].values()
    if node["resource_type"] == "test" and (node["config"].get("meta") or {}).get("what_to_do")}


def with_what_to_do(result: Any) -> Any:
    """A failing dbt test's result with the what-to-do its YAML gives; anything else as it is."""
    key = (result.asset_key.to_user_string(), result.check_name) if isinstance(result, dg.AssetCheckResult) else None
    if key in WHAT_TO_DO and not result.passed:
        return result._replace(metadata={**result.metadata, "what_to_do": dg.MetadataValue.text(WHAT_TO_DO[key])})
    return result


def models_in(layer: str) -> list[str]:
    """Names of the models in a layer (the folder under models/), in file-name order."""
    return sorted(name for name, node in MODELS.items() if node["fqn"][1] == layer)


# columns every table shows on a suppressed row: what the row is about, never how many or how much
KEY_COLUMNS = {"municipality_code", "municipality_name", "youth_care_region", "year", "month", "product_category",
               "provider_agb", "provider_name", "duration_band", "duration_band_order", "age_band_order", "suppressed"}


def shown_when_suppressed(model: str) -> set[str]:
    """The columns a suppressed row of `model` still shows: the keys, its grain, and what its YAML
    names in meta.shown_when_suppressed (a region's value, a public margin, a half of the row with
    its own small-cell rule). Everything else is a measure and is empty on a suppressed row."""
    meta = meta_of(MODELS[model])
    return KEY_COLUMNS | set(meta.get("grain") or []) | set(meta.get("shown_when_suppressed") or [])


def rollups(model: str) -> list[dict[str, Any]]:
    """Where `model`'s additive columns add up (its YAML's meta.rolls_up): per entry the parent mart
    (`to`, which may be `model` itself where a total sits on every row), the columns that pick the
    parent's row (`by`), the columns summed, each with the parent's column it must equal (a name alone:
    the same name; no list: every additive column the parent also has), and `not_shown`, the mart that
    publishes what suppressed rows leave out (its remainder table), where there is one."""
    declared = []
    for r in meta_of(MODELS[model]).get("rolls_up") or []:
        columns = ({k: v for c in r["columns"] for k, v in (c.items() if isinstance(c, dict) else [(c, c)])}
                   if "columns" in r else {c: c for c in additive_columns(model) if c in MODELS[r["to"]]["columns"]})
        declared.append({**r, "columns": columns})
    return declared


def additive_columns(model: str) -> list[str]:
    """The columns of `model` whose YAML marks them additive (meta.additive: true): a BI tool may SUM them."""
    return [c for c, spec in MODELS[model]["columns"].items() if meta_of(spec).get("additive") is True]


def run_time_columns(model: str) -> list[str]:
    """The columns of `model` whose YAML marks them a value of the run, not of the data (meta.run_time:
    true: when it ran, its run id): two builds of the same data differ there and nowhere else."""
    return [c for c, spec in MODELS[model]["columns"].items() if meta_of(spec).get("run_time") is True]


def breakdowns_of(not_shown: str) -> list[str]:
    """The marts whose rows a remainder table (meta.remainder) labels: those whose rolls_up names it."""
    return [name for name in models_in("marts") if any(r.get("not_shown") == not_shown for r in rollups(name))]


def relation(model: str) -> str:
    """schema.table of a model in the working file."""
    node = MODELS[model]
    return f"{node['schema']}.{node['alias']}"


def storage_name(node: Mapping[str, Any]) -> str:
    """Where the UI says a model (its manifest node) is stored: a mart where BI tools open it, in
    the published file (DuckDB names a file's catalog after the file: jeugdzorg.marts.<table>); a
    staging model in the working file dbt builds it in (pipeline.staging.<table>)."""
    database = Path(PUBLISHED_DB_NAME).stem if node["fqn"][1] == "marts" else node["database"]
    return f"{database}.{node['schema']}.{node['alias']}"


class LayerTranslator(DagsterDbtTranslator):
    """Asset key = model name; group = its layer; description = its grain, what it answers and its
    Dutch label; a model that reads registry.files depends on every asset that writes it."""

    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        if dbt_resource_props["resource_type"] == "model":
            return dg.AssetKey(dbt_resource_props["name"])
        return super().get_asset_key(dbt_resource_props)

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        if dbt_resource_props["resource_type"] == "model":
            return LAYERS[dbt_resource_props["fqn"][1]]
        return super().get_group_name(dbt_resource_props)

    def get_description(self, dbt_resource_props: Mapping[str, Any]) -> str:
        meta = meta_of(dbt_resource_props)
        parts = [_grain_header(dbt_resource_props.get("raw_code", "")),
                 f"Answers: {meta['council_question']}" if meta.get("council_question") else "",
                 f"Label (NL): {dbt_resource_props.get('description', '')}"]
        return "\n\n".join(p for p in parts if p)

    def get_owners(self, dbt_resource_props: Mapping[str, Any]) -> list[str]:
        return ["team:data"]

    def get_asset_check_spec(self, asset_spec: dg.AssetSpec, manifest: Mapping[str, Any], unique_id: str,
                             project: DbtProject | None) -> dg.AssetCheckSpec | None:
        """dbt tests carry no description of their own: say which test on which columns, why its kind
        is there (test_kind_why), and whether a failure stops the run, so the Checks tab explains itself."""
        spec = super().get_asset_check_spec(asset_spec, manifest, unique_id, project)
        if spec is None:
            return spec
        test = manifest["nodes"][unique_id]
        if not spec.blocking:  # severity warn: a WARN check, with the Dutch label its config.meta gives
            spec = spec._replace(metadata={**(spec.metadata or {}),
                                           **warn_metadata((test["config"].get("meta") or {}).get("label_nl", ""))})
        if spec.description:
            return spec
        kind = (test.get("test_metadata") or {}).get("name", "singular")
        kwargs = (test.get("test_metadata") or {}).get("kwargs", {})
        column = test.get("column_name")
        args = ", ".join(f"{k}={v}" for k, v in kwargs.items() if k not in ("model", "column_name"))
        text = f"dbt test `{kind}`" + (f" on {column}" if column else "") + (f" ({args})" if args else "")
        why = test_kind_why(manifest, kind)
        text += f": {why}" if why else ""
        text += ". Blocking: a failure stops the later steps." if spec.blocking else \
            ". WARN: reported, the run goes on."
        return spec._replace(description=f"{text} See checks/README.md.")

    def get_asset_spec(self, manifest: Mapping[str, Any], unique_id: str, project: DbtProject | None) -> dg.AssetSpec:
        spec = super().get_asset_spec(manifest, unique_id, project)
        # dagster-dbt files the DbtProject object itself among the metadata, which the UI shows as
        # "[DbtProject] (unserializable)". It reads it back only to hand a selection of more than 200
        # models and tests to dbt through a copy of the project; without it the selection goes on
        # dbt's command line (the project's path reaches dbt from the resource either way).
        metadata = {k: v for k, v in spec.metadata.items() if k != DAGSTER_DBT_PROJECT_METADATA_KEY}
        if not unique_id.startswith("model."):
            return spec.replace_attributes(metadata=metadata)
        spec = spec.replace_attributes(metadata={**metadata,
                                                 "dagster/table_name": storage_name(manifest["nodes"][unique_id])})
        sources = [manifest["sources"][p] for p in manifest["parent_map"].get(unique_id, []) if p.startswith("source.")]
        deps = list(spec.deps)
        shared = [s for s in sources if meta_of(s).get("written_by")]
        if shared:
            shared_keys = {self.get_asset_key(s) for s in shared}
            deps = [d for d in deps if d.asset_key not in shared_keys]
            if not any(s["source_name"] == "raw" for s in sources):
                deps += [dg.AssetDep(w) for s in shared for w in meta_of(s)["written_by"]]
        # Reference data reaches every other asset a model is built on (ingestion validates against
        # it, and every model descends from ingestion or from it), so a model with another parent gets
        # it through that one: the graph draws reference data to the raw tables and the dimensions,
        # not an edge to nearly every mart. Dagster's order and staleness follow the longer path.
        reference = {self.get_asset_key(s) for s in manifest["sources"].values() if s["source_name"] == "ref"}
        if any(d.asset_key not in reference for d in deps):
            deps = [d for d in deps if d.asset_key not in reference]
        return spec.replace_attributes(deps=deps)


def _grain_header(sql: str) -> str:
    """The model's leading comment (`--` in SQL, `#` in a Python model): its grain and what it
    computes, in the code where it is true."""
    lines = []
    for line in sql.splitlines():
        marker = next((m for m in ("--", "#") if line.startswith(m)), None)
        if marker is None:
            break
        lines.append(line[len(marker):].strip())
    return " ".join(lines)


def meta_of(props: Mapping[str, Any]) -> Mapping[str, Any]:
    """A manifest node's or column's YAML meta (dbt keeps it under config.meta, or meta)."""
    return props.get("config", {}).get("meta") or props.get("meta") or {}


def model_meta(model: str) -> Mapping[str, Any]:
    """A model's YAML meta, as the dbt manifest has it."""
    return meta_of(MODELS[model])


def model_declaring(key: str, among: Sequence[str] | None = None, what: str = "model") -> str:
    """The one model (of `among`, else of all; `what` they are, for the error) whose YAML declares
    meta.<key>: how code and the messages it writes find a table by its role (the publication's
    record, the per-rule quarantine table) without naming it. None, or two, is an error: a message
    would point nowhere, or at a table nobody chose."""
    found = [m for m in (MODELS if among is None else among) if model_meta(m).get(key)]
    if len(found) != 1:
        raise RuntimeError(f"one {what} must declare meta.{key} in its YAML, not {len(found)}: {found}")
    return found[0]


TRANSLATOR = LayerTranslator(settings=DagsterDbtTranslatorSettings(enable_duplicate_source_asset_keys=True))


@contextlib.contextmanager
def _environment(values: dict[str, str]) -> Iterator[None]:
    """Set variables for the dbt subprocess, which takes this process's environment when it starts.

    A test runs when all its parents are in the build or built before it ("buildable"): a run that
    builds only some models (the quality tables after an ingestion) leaves out a test that also
    reads a model it does not build. dagster-dbt overrides this when it runs a chosen subset of
    checks."""
    values = {"DBT_INDIRECT_SELECTION": "buildable", **values}
    before = {k: os.environ.get(k) for k in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for k, v in before.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def artifacts_dir(warehouse: Warehouse, step: str) -> Path:
    """Where dbt keeps the artifacts (run results, catalog, logs) of one step: beside the working file
    they describe, one folder per step, reused night after night so dbt's partial parse stays
    valid. Runs on other working files (tests, the benchmark) never share a folder."""
    return warehouse.warehouse_dir / "dbt" / step


def _metadata(warehouse: Warehouse, outputs: list[dg.Output]) -> list[dg.Output]:
    """Row count and labelled schema for every model; for marts (aggregates only) a preview and how
    current the data is, and the rows per rule for quarantine tables. Staging holds client rows:
    never a preview."""
    enriched = []
    with warehouse.connect() as con:
        through = data_through(con)
        for out in outputs:
            model = out.output_name
            table = relation(model)
            is_mart = MODELS[model]["fqn"][1] == "marts"
            meta = table_metadata(con, table, preview=is_mart) | (through if is_mart else {})
            meta["dagster/table_name"] = dg.MetadataValue.text(storage_name(MODELS[model]))
            if table.startswith("quarantine."):
                by_rule = con.execute(f"SELECT rule_id, count(*) AS rows FROM {table} GROUP BY ALL ORDER BY 1").df()
                meta["rows_by_rule"] = metadata_table(by_rule)
            enriched.append(out.with_metadata({**out.metadata, **meta}))
    return enriched


def _failures(invocation: DbtCliInvocation) -> str:
    """The models and tests that failed or errored, with dbt's message, for the step's error."""
    try:
        results = invocation.get_artifact("run_results.json")["results"]
    except Exception:  # no artifact when dbt could not start at all; its error says why
        return (invocation.get_error() and str(invocation.get_error())) or "dbt build failed"
    bad = [f"{r['unique_id']}: {r['status']}: {(r.get('message') or '').strip()}"
           for r in results if r["status"] in ("error", "fail")]
    return "; ".join(bad) or "dbt build failed"


def _start(warehouse: Warehouse, args: list[str], project: DbtProject, step: str,
           context: dg.AssetExecutionContext | None = None) -> DbtCliInvocation:
    """Start dbt on this warehouse's working file with its limits and k, keeping the artifacts of `step`.

    JEUGDZORG_FILES_AFTER tells the incremental models which files are new since the last complete
    publish; when everything counts as new ("all": a run of the job full_rebuild, new code, a
    retraction), a build gets --full-refresh and they are built again from nothing, in their
    current shape."""
    full = context is not None and context.run.tags.get(FULL_REBUILD_TAG) == "true"
    with warehouse.connect() as con:  # the schema is in place, and a run that holds the file has finished
        news = new_since_publication(con, full_rebuild=full)
    if context is not None:  # the terminal page (INFO) says it once
        context.log.info(f"New since the last complete publish: {news.reason}")
    if news.everything and args[:1] in (["build"], ["run"]):
        args = [*args, "--full-refresh"]
    environment = warehouse.dbt_environment() | {
        "JEUGDZORG_FILES_AFTER": "all" if news.everything else str(news.files_after)}
    with _environment(environment):
        return dbt_cli(project).cli(args, context=context, raise_on_error=False,
                                    target_path=artifacts_dir(warehouse, step))


@contextlib.contextmanager
def _quiet_dbt() -> Iterator[None]:
    """dagster-dbt echoes each dbt line to stdout, the terminal of `make ui`, `make run` or `make
    docs`; the step's dbt.log (artifacts_dir) keeps them all, and the steps log what they built."""
    with open(os.devnull, "w") as quiet, contextlib.redirect_stdout(quiet):
        yield


def build_layer(context: dg.AssetExecutionContext, warehouse: Warehouse,
                extra_args: Sequence[str] = ()) -> Iterator[Any]:
    """`dbt build` of the selected models and their tests; progress is logged as dbt goes. Returns
    (as the generator's value) what failed, or None when dbt succeeded: the caller raises, after it
    has yielded its own checks' results."""
    # dbt's unit tests test the SQL, not the night's data: they run in the test suite (tests/test_dbt_unit_tests.py)
    invocation = _start(warehouse, ["build", "--exclude", "test_type:unit", *extra_args], DBT_PROJECT,
                        context.op_execution_context.op.name, context=context)
    outputs, checks = [], []
    with _quiet_dbt():
        for event in invocation.stream():
            if isinstance(event, dg.Output):
                outputs.append(event)
                # each model in the run log; the terminal page (INFO and up) gets the count below
                context.log.debug(f"built {relation(event.output_name)}")
            else:
                checks.append(with_what_to_do(event))
    if outputs:
        context.log.info(f"built {len(outputs)} models (the run log names each at DEBUG level)")
    yield from _metadata(warehouse, outputs)
    yield from checks
    return None if invocation.is_successful() else _failures(invocation)


def run_dbt(warehouse: Warehouse, *args: str, project: DbtProject = DBT_PROJECT) -> DbtCliInvocation:
    """dbt outside a Dagster run (tests, the benchmark, `make docs`) on this warehouse's working file,
    with the same profile settings and k as inside one; raises when dbt fails."""
    invocation = _start(warehouse, list(args), project, "cli")
    with _quiet_dbt():
        invocation.wait()
    if not invocation.is_successful():
        raise RuntimeError(f"dbt {' '.join(args)} failed: {_failures(invocation)}")
    return invocation


def staged_sql(model: str) -> str:
    """The SELECT of a staging model as dbt runs it, rendered from its code in the manifest with
    the names its source() and ref() calls stand for: the rows the model is about to hold, read
    before dbt starts (a StagingGate judges them). Only config(), source() and ref() are known; any
    other Jinja raises (StrictUndefined), so a model that outgrows this is never judged on
    something else than dbt would build (tests/test_blocking_checks.py compares the two)."""
    node = MODELS[model]
    sources = {(s["source_name"], s["name"]): f"{s['schema']}.{s['identifier']}"
               for s in MANIFEST["sources"].values()}
    env = jinja2.Environment(undefined=jinja2.StrictUndefined, autoescape=False)  # SQL, not HTML
    return env.from_string(node["raw_code"]).render(
        config=lambda **_: "", source=lambda s, t: sources[(s, t)], ref=relation).strip()


@dataclass(frozen=True)
class StagingGate:
    """A blocking Python check on a staging model that must stop the marts: judged in the dbt step
    before dbt starts, on `staged_sql(spec.asset_key)`, since a check step after the step would
    come too late (one dbt build builds the marts too). `judge(warehouse, sql, full_rebuild)`
    returns its result; the check keeps its name, asset and description in the UI (`spec`)."""
    spec: dg.AssetCheckSpec
    judge: Callable[[Warehouse, str, bool], dg.AssetCheckResult]


def _judge(context: dg.AssetExecutionContext, warehouse: Warehouse,
           gates: Sequence[StagingGate]) -> list[dg.AssetCheckResult]:
    """The verdicts of the gates this run selected, judged now (before dbt), each as its check."""
    full = context.run.tags.get(FULL_REBUILD_TAG) == "true"
    verdicts = []
    for gate in gates:
        if gate.spec.key not in context.selected_asset_check_keys:
            continue
        result = gate.judge(warehouse, staged_sql(gate.spec.asset_key.to_user_string()), full)
        verdicts.append(result._replace(asset_key=gate.spec.asset_key, check_name=gate.spec.name))
    return verdicts


def dbt_models_asset(gates: Sequence[StagingGate] = ()) -> dg.AssetsDefinition:
    """The one dbt step: every model of the project, its dbt tests, and the `gates` (the Python
    checks on staging that must block the marts, checks/contract_checks.py: they are passed in by
    the code location, pipelines/definitions.py, because checks sit above the model layer).

    What @dbt_assets would build, with the gates' check specs added to it."""
    specs, dbt_checks = build_dbt_specs(translator=TRANSLATOR, manifest=MANIFEST, select="fqn:*", exclude="",
                                        selector="", io_manager_key=None, project=DBT_PROJECT)

    @dg.multi_asset(name="dbt_models", specs=specs, check_specs=[*dbt_checks, *(g.spec for g in gates)],
                    can_subset=True, op_tags={DAGSTER_DBT_SELECT_METADATA_KEY: "fqn:*"},
                    allow_arbitrary_check_specs=True)
    def dbt_models(context: dg.AssetExecutionContext, warehouse: Warehouse):
        """Staging, quarantine and mart models in one `dbt build`. With nothing new since the last
        publish it builds nothing, and every later step is skipped (foundation/fingerprint.py)."""
        if not context.selected_asset_keys and context.selected_asset_check_keys <= {g.spec.key for g in gates}:
            # only gates were asked for (the UI's "execute" on a contract check): judged without dbt,
            # which dagster-dbt could not select them in anyway (they are not dbt tests)
            yield from _judge(context, warehouse, gates)
            return
        if context.run.tags.get(FULL_REBUILD_TAG) != "true":
            with warehouse.connect() as con:
                same = unchanged_since_publication(con, warehouse)
            if same:
                context.log.info(f"Nothing new since the file published at {same[0]} (run {same[1]}): the same "
                                 "files, reference data, settings and code. No model is rebuilt and the published "
                                 "file stands; the job full_rebuild (`make run FULL=1`) rebuilds everything anyway.")
                # the published file is as current as this run: its freshness check counts this
                yield dg.AssetObservation(asset_key="published_warehouse", metadata={
                    "dagster/last_updated_timestamp": dg.MetadataValue.timestamp(time.time()),
                    "unchanged_since": f"{same[0]} (run {same[1]})"})
                return
        verdicts = _judge(context, warehouse, gates)
        stopped = [v.check_name for v in verdicts if not v.passed]
        if stopped:
            context.log.error(f"{', '.join(stopped)} failed: staging is built, no mart is (the BI file stays)")
        # a failed gate: staging only, so the working file's marts keep the figures of the last good build
        failed = yield from build_layer(context, warehouse, ["--exclude", "path:models/marts"] if stopped else [])
        yield from verdicts
        if stopped or failed:
            reasons = [f"{name} failed on staging, so no mart was built" for name in stopped]
            raise dg.Failure(description="; ".join([*reasons, *([f"dbt build failed: {failed}"] if failed else [])]))

    return dbt_models


MART_KEYS = [dg.AssetKey(name) for name in models_in("marts")]
