"""A warm kernel: one Jupyter kernel per build worker, reused for every report, isolated between them.

Starting a kernel and importing pandas, matplotlib and ``sbk.analysis`` costs about a second per report,
several times the analysis itself. A worker therefore starts one kernel, imports once, and before each
notebook puts the kernel back to the state a fresh one would have at that point:

- the user namespace, ``In``/``Out`` and the output cache are cleared (IPython's ``%reset -f``);
- the execution counter restarts at 1 (a report numbers its cells as a fresh kernel would);
- matplotlib's figures are closed and its rcParams, the warnings filters, pandas' options and the
  working folder are restored to what they were right after the imports;
- caches stay: they are keyed by what they read (the catalog reloads when a file of it changes).

Modules stay imported; that is the point. A test builds reports in a reused kernel and in fresh ones
and asserts the files are byte-identical, so any state that leaks shows up there.

Execution still goes through papermill (parameters, report mode, error handling); this module only
hands papermill's nbclient engine a kernel that is already running (a custom papermill engine, the
documented extension point). Host side: :class:`WarmKernel`. Kernel side: :func:`warm_up`, :func:`restore`.
"""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from jupyter_client.asynchronous import AsyncKernelClient

__all__ = ["ENGINE", "WarmKernel", "remove_orphan_socket_folders", "restore", "warm_up"]

ENGINE = "sbk-warm"
_SOCKETS_PREFIX = "sbk-kernel-"  # + the pid of the process that owns the kernel + "-" + mkdtemp's letters

# Run in the kernel. ``%reset -f`` empties the namespace, so everything else lives in this module.
_WARM_UP = "import sbk.warm\nsbk.warm.warm_up()\ndel sbk"
_RESET = ("get_ipython().run_line_magic('reset', '-f')\n"
          "import sbk.warm as _sbk_warm\n_sbk_warm.restore(get_ipython())\ndel _sbk_warm")

_snapshot: dict[str, Any] = {}


def warm_up() -> None:
    """Kernel side: import what the analysis notebooks import, then record the state to restore."""
    import copy
    import gc
    import io
    import os
    import warnings

    import matplotlib
    import matplotlib.pyplot  # activates the inline backend, as the notebook's first import would
    import pandas

    import sbk.analysis.applications
    import sbk.analysis.banks
    import sbk.analysis.bulletin
    import sbk.analysis.cardholder_db
    import sbk.analysis.charts
    import sbk.analysis.common
    import sbk.analysis.coverage
    import sbk.analysis.issuance
    import sbk.catalog

    _snapshot.update(
        rc=copy.deepcopy(dict(matplotlib.rcParams)),
        warnings=list(warnings.filters),
        cwd=os.getcwd(),
    )

    # First-use costs a fresh kernel would pay inside the first report: font lookup and text metrics,
    # the catalog, the HTML table formatter. Caches only: the state to restore was taken before, and is put back after.
    sbk.analysis.common.house_style()
    fig = matplotlib.pyplot.figure()
    fig.text(0.5, 0.5, "社会保障卡 0123")
    fig.savefig(io.BytesIO(), format="png")
    matplotlib.pyplot.close(fig)
    sbk.catalog.milestones()
    pandas.DataFrame({"a": [1.5]})._repr_html_()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        matplotlib.rcParams.update(_snapshot["rc"])
    # %reset runs full garbage collections; with the imported libraries moved out of the collector's
    # view they scan only what notebooks created (a reset drops from ~0.2 s to a few hundredths).
    gc.collect()
    gc.freeze()


def restore(shell: Any) -> None:
    """Kernel side: put back what :func:`warm_up` recorded, after the namespace has been reset."""
    import os
    import warnings

    import matplotlib
    import matplotlib.pyplot as plt
    import pandas as pd

    plt.close("all")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # some default rcParams are deprecated aliases
        matplotlib.rcParams.update(_snapshot["rc"])
        pd.reset_option("all")
    # resetwarnings() is the public way to mark every module's record of warnings already shown as stale (so they
    # show again, as in a new process); then the filters the kernel started with go back.
    warnings.resetwarnings()
    cast(list, warnings.filters)[:] = _snapshot["warnings"]  # exactly as recorded (typeshed types it read-only)
    os.chdir(_snapshot["cwd"])
    shell.execution_count = 1


def remove_orphan_socket_folders(tmp: str | Path | None = None) -> int:
    """Delete socket folders whose owning process is gone (a build killed with SIGKILL cannot remove its own);
    return how many. A folder whose owner still runs, or whose pid now belongs to another process, is kept."""
    import os
    import re
    import tempfile

    n = 0
    for folder in Path(tmp or tempfile.gettempdir()).glob(_SOCKETS_PREFIX + "*"):
        m = re.fullmatch(re.escape(_SOCKETS_PREFIX) + r"(\d+)-\w+", folder.name)
        if not m or not folder.is_dir():
            continue
        try:
            os.kill(int(m.group(1)), 0)  # signal 0: only asks whether the process exists
            continue
        except ProcessLookupError:
            pass
        except PermissionError:  # exists, another user's
            continue
        shutil.rmtree(folder, ignore_errors=True)
        n += 1
    return n


class WarmKernel:
    """Host side: a running kernel with the imports done, and the client that talks to it."""

    def __init__(self, kernel_name: str, cwd: str | Path, startup_timeout: int = 60) -> None:
        import os
        import subprocess
        import tempfile

        import nbformat
        from jupyter_client.manager import AsyncKernelManager
        from jupyter_core.utils import run_sync
        from nbclient import NotebookClient

        self.kernel_name = kernel_name
        # ipc: Unix sockets in a private folder, not TCP ports on localhost (no port races between workers,
        # nothing listening on the network, and no "running over TCP without encryption" warning per kernel).
        # The socket paths must be absolute (the kernel runs in another folder) and short (Unix limit ~100 bytes).
        self._sockets = tempfile.mkdtemp(prefix=f"{_SOCKETS_PREFIX}{os.getpid()}-")
        self.km = AsyncKernelManager(kernel_name=kernel_name, transport="ipc", ip=os.path.join(self._sockets, "k"))
        boot = NotebookClient(nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(_WARM_UP)]), km=self.km,
                              kernel_name=kernel_name, startup_timeout=startup_timeout, timeout=120)
        # Starts the kernel as nbclient would (history in memory) and its client, which stay up afterwards;
        # the warm-up is not counted in the kernel's history, so the first report's cells number from 1.
        try:
            # The kernel's own stderr is not the build's: when a build is interrupted and its workers stopped, the
            # kernel says "Parent appears to have exited" there, after the one line that reports the interruption.
            # Everything a notebook prints reaches the report through the kernel's messages, not stderr.
            # SBK_DEBUG=1 keeps it (to see why a kernel would not start).
            quiet = {} if os.environ.get("SBK_DEBUG") else {"stderr": subprocess.DEVNULL}
            with boot.setup_kernel(cwd=str(cwd), **quiet):
                boot.execute_cell(boot.nb.cells[0], 0, store_history=False)
        except BaseException:
            if boot.kc is not None:
                boot.kc.stop_channels()
            if self.km.has_kernel:
                run_sync(self.km.shutdown_kernel)(now=True)
            shutil.rmtree(self._sockets, ignore_errors=True)
            raise
        if boot.kc is None:  # setup_kernel always starts a client; None would be a change in nbclient
            raise RuntimeError("the warm kernel started without a client")
        self.kc = cast("AsyncKernelClient", boot.kc)  # NotebookClient's client is the asynchronous one
        self.reports = 0
        self._pending: str | None = None  # msg_id of a reset sent but not yet waited for

    def alive(self) -> bool:
        from jupyter_core.utils import run_sync

        return bool(run_sync(self.km.is_alive)())

    def reset(self) -> None:
        """Isolate the next notebook from the previous one, now (raises if the kernel cannot be reset)."""
        self._begin_reset()
        self._finish_reset()

    def _begin_reset(self) -> None:
        # Sent without waiting: IPython's %reset takes ~0.2 s (garbage collection), which the kernel spends
        # while this process renders and writes the report just executed.
        self._pending = self.kc.execute(_RESET, silent=False, store_history=False, allow_stdin=False)

    def _finish_reset(self, timeout: float = 120) -> None:
        import queue
        import time

        from jupyter_core.utils import run_sync

        msg_id, self._pending = self._pending, None
        if msg_id is None:
            return

        async def wait() -> dict:
            deadline = time.monotonic() + timeout
            while True:
                try:
                    reply = await self.kc.get_shell_msg(timeout=1)
                except queue.Empty:
                    if not await self.km.is_alive():
                        raise RuntimeError("warm kernel died during its reset") from None
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"warm kernel reset took over {timeout} s") from None
                    continue
                if reply["parent_header"].get("msg_id") == msg_id:
                    return reply["content"]

        content = run_sync(wait)()
        if content.get("status") != "ok":
            raise RuntimeError(f"warm kernel reset failed: {content.get('ename')}: {content.get('evalue')}")

    def execute(self, input_path: str | Path, parameters: dict, cwd: str | Path, reset: bool = True) -> Any:
        """Run one notebook through papermill on this kernel; return the executed notebook.

        The kernel is reset after each notebook (finished before the next one starts); ``reset=False``
        skips the wait when the caller has just called :meth:`reset` itself.
        """
        import papermill as pm

        _register_engine()
        if reset:
            self._finish_reset()
        self.reports += 1
        try:
            return pm.execute_notebook(str(input_path), None, parameters=parameters, cwd=str(cwd),
                                       kernel_name=self.kernel_name, engine_name=ENGINE, progress_bar=False,
                                       log_output=False, report_mode=True, warm_kernel=self)
        finally:
            self._begin_reset()

    def shutdown(self) -> None:
        from jupyter_core.utils import run_sync

        try:
            self.kc.stop_channels()
        finally:
            try:
                run_sync(self.km.shutdown_kernel)(now=True)  # nothing to save: no graceful shutdown needed
            finally:
                shutil.rmtree(self._sockets, ignore_errors=True)


_registered = False


def _register_engine() -> None:
    """papermill's nbclient engine, handed the warm kernel's manager and client instead of starting its own."""
    global _registered
    if _registered:
        return
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, papermill_engines

    class WarmEngine(NBClientEngine):
        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None, stderr_file=None,
                                     start_timeout=60, execution_timeout=None, **kwargs):
            warm: WarmKernel = kwargs.pop("warm_kernel")
            client = PapermillNotebookClient(nb_man, km=warm.km, kernel_name=kernel_name, timeout=execution_timeout,
                                             startup_timeout=start_timeout, log_output=log_output,
                                             stdout_file=stdout_file, stderr_file=stderr_file)
            client.kc = warm.kc  # reuse the running client: nbclient neither starts nor stops one
            return client.execute()

    papermill_engines.register(ENGINE, WarmEngine)
    _registered = True
