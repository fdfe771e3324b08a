"""Where the per-article function runs: in this process, or on a Dask cluster.

An engine takes chunks of articles and gives back, for each article, what
``geo.pipeline.process_chunk`` made of it.  Only the ingest's one writer touches the
store; the engines only compute.  Dask is an optional extra
(``pip install -r requirements-dask.txt``).
"""

from __future__ import annotations

from typing import Any, Protocol

from geo.errors import ConfigurationError
from geo.pipeline import process_chunk, warm_up

ENGINES = ("local", "dask")
# Articles per Dask task: enough that the scheduler's and the transfers' share per task is
# small beside the pipeline's work (128 ingested 5-8% faster than 64 on 2 workers), few
# enough that progress stays smooth.
DASK_CHUNK = 128


class Engine(Protocol):
    """What the ingest asks of an engine: chunks in, ``ChunkItem`` lists out, in submission order."""

    chunk_size: int  # articles per submitted chunk
    window: int  # chunks that may be in flight before the ingest waits for the oldest
    online: Any  # the opt-in online geocoder it runs with, or None

    def submit(self, articles, known_country, corrections=None) -> Any: ...

    def result(self, handle) -> list: ...

    def close(self) -> None: ...


class LocalEngine:
    """The pipeline in this process, a few articles at a time, each chunk written as soon as it is done."""

    # The event classifier is cheaper in bulk (see ``geo.pipeline.CLASSIFY_BATCH``); a chunk this
    # small still updates the progress bar several times a second.
    chunk_size = 64
    window = 0  # nothing in flight: a chunk is done the moment it is submitted

    def __init__(self, gazetteer=None, online=None):
        self.gazetteer = gazetteer
        self.online = online  # an opt-in OnlineGeocoder: rate-limited, so it stays in this one process
        # A gazetteer given by the caller is loaded already; the models then load at their first use.
        self._warm = gazetteer is not None

    def submit(self, articles, known_country, corrections=None):
        if not self._warm:
            # At the first article, not before: a folder that has not changed loads nothing.
            warm_up()
            self._warm = True
        return process_chunk(articles, known_country, self.gazetteer, self.online, corrections)

    def result(self, handle):
        return handle

    def close(self) -> None:
        pass


class DaskEngine:
    """The pipeline on Dask workers (processes): a local cluster of ``workers``, or the one at ``scheduler``.

    Each worker loads the gazetteer once and keeps it; chunks come back in the order
    they were submitted, so the writer stores whole files in order.
    """

    chunk_size = DASK_CHUNK
    online = None  # rate-limited online geocoding stays in one process: never on a cluster

    def __init__(self, scheduler: str | None = None, workers: int = 2, connect_timeout_s: float = 10.0):
        try:
            from dask.distributed import Client, LocalCluster
        except ImportError:
            raise ConfigurationError("--engine dask needs Dask: pip install -r requirements-dask.txt") from None
        self._cluster = None
        if scheduler:
            try:
                self.client = Client(scheduler, timeout=f"{connect_timeout_s}s")
            except OSError as exc:
                raise ConfigurationError(f"no Dask scheduler answers at {scheduler} ({exc}); start one with "
                                         "`dask scheduler` and `dask worker ADDRESS`, or leave out --scheduler "
                                         "for a local cluster") from None
        else:
            # Processes, one thread each: the pipeline is pure Python and would share one GIL in threads.
            self._cluster = LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                         host="127.0.0.1", dashboard_address=None)
            self.client = Client(self._cluster)
        self._warm = False
        workers_now = max(1, len(self.client.scheduler_info().get("workers", {})) or workers)
        # Two chunks per worker in flight: one being computed, one waiting, so no worker idles.
        self.window = 2 * workers_now

    def submit(self, articles, known_country, corrections=None):
        if not self._warm:
            # Every worker loads the gazetteer and the models at once, before the first chunk,
            # rather than each while its first chunk waits; and only when there is work to do.
            # As a task, not client.run: that would block the worker's event loop for the load.
            workers = list(self.client.scheduler_info().get("workers", {}))
            self.client.gather([self.client.submit(warm_up, workers=[worker], allow_other_workers=False,
                                                   pure=False) for worker in workers])
            self._warm = True
        # pure=False: two chunks of the same articles (a re-run) are both computed, never merged.
        return self.client.submit(process_chunk, articles, known_country, None, None, corrections, pure=False)

    def result(self, handle):
        return handle.result()

    def close(self) -> None:
        self.client.close()
        if self._cluster is not None:
            self._cluster.close()


def make_engine(name: str = "local", scheduler: str | None = None, workers: int = 2, gazetteer=None,
                online=None):
    """The engine called ``name`` (``local`` or ``dask``); ``online`` geocoding runs locally only."""
    if name == "local":
        if scheduler:
            raise ConfigurationError("--scheduler goes with --engine dask")
        return LocalEngine(gazetteer, online)
    if name == "dask":
        if online is not None:
            # Each worker would keep its own rate limit, and together break the provider's.
            raise ConfigurationError("an online geocoder runs in one process only: leave out --engine dask, "
                                     "or use the offline gazetteer")
        return DaskEngine(scheduler, workers)
    raise ConfigurationError(f"unknown engine {name!r}; choose one of {', '.join(ENGINES)}")
