"""The report build: papermill runs each notebook on a warm kernel, nbconvert renders HTML, with provenance.

A job is (analysis, period, province). Its output lives in
``reports/<period>/<province>/<analysis>.{ipynb,html,json}``; the ``.json`` is
the build record (inputs with sha256, code version, parameters, citation) and
holds the input hash that makes the build incremental. Outputs are
deterministic: papermill's timings are stripped, no wall-clock time is shown
(a date is shown only when SOURCE_DATE_EPOCH is set), and each file is
replaced atomically.

The steps, one module each:

- ``registry``: the analyses (title, periods, tables read) and the national reports;
- ``planning``: the jobs for a period and province, parameters checked;
- ``record``: what a report depends on (slices of tables with hashes, code, parameters), the build record
  written beside it, its provenance block and citation; whether a report is current;
- ``render``: a run notebook as self-contained HTML, and the index page;
- ``runner``: building one report, and many on a local process pool or a Dask cluster;
- ``verification``: rebuilding reports and listing those that differ.

(``planning`` and ``verification``, not ``plan`` and ``verify``: a submodule would be shadowed by the function
of the same name imported here.)
"""

from sbk.build.planning import ALL_PROVINCES, Job, ParameterError, has_data, national_period, plan, validate_parameters
from sbk.build.record import (
    BuildRecord,
    CodeVersion,
    Input,
    ReportRecord,
    input_record,
    is_current,
    provenance_html,
    read_record,
    slice_hash,
)
from sbk.build.registry import (
    ANALYSES,
    NATIONAL,
    NATIONAL_ANALYSES,
    NATIONAL_TABLES,
    NOTEBOOKS,
    REPO,
    ROLLUP_ANALYSES,
    Analysis,
)
from sbk.build.render import index_records, render_html, write_index
from sbk.build.runner import build_job, main_progress, run_jobs
from sbk.build.verification import verify

__all__ = [
    "ALL_PROVINCES",
    "ANALYSES",
    "NATIONAL",
    "NATIONAL_ANALYSES",
    "NATIONAL_TABLES",
    "NOTEBOOKS",
    "REPO",
    "ROLLUP_ANALYSES",
    "Analysis",
    "BuildRecord",
    "CodeVersion",
    "Input",
    "Job",
    "ParameterError",
    "ReportRecord",
    "build_job",
    "has_data",
    "index_records",
    "input_record",
    "is_current",
    "main_progress",
    "national_period",
    "plan",
    "provenance_html",
    "read_record",
    "render_html",
    "run_jobs",
    "slice_hash",
    "validate_parameters",
    "verify",
    "write_index",
]
