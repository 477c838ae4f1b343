"""Benchmarks (not tests): each figure printed beside its baseline measured in the same run, and
their ratio. ``make bench``; ``--only NAME[,NAME]`` runs some of them.

These machines differ 3x or more from one to the next, so a figure alone says little: the goals
(issues #4 and #16) are ratios to a baseline measured here, in the same run, on the same Redis and
PostgreSQL (loopback). The first column is end to end -- what a user waits for, ``chordflow run
--wait``'s wall time with its process start -- and the run's span in the store (``start_date`` to
``end_date``) comes after it, as a secondary figure.

- ``embedded``: 1000-way map + reduce, ``run --wait`` on the embedded default (goal <= 1.8 s),
  beside a 1-way map's (the fixed cost of a run);
- ``chain``: a chain of 100 one-line tasks, time per task-to-task hop, embedded (goal <= 10 ms) and
  on Redis + PostgreSQL with one worker (goal <= 20 ms), beside a raw Celery chain of the same
  length on the same broker;
- ``unbatched``: a 2000-way map with ``batch_size=1`` (one message per index) + reduce, on a worker
  of the default prefork pool and on one of ``--pool solo -c 2``, beside a raw Celery chord of one
  INSERT per task with stock settings, all end to end from a new process (goal >= 1.2x), medians
  of interleaved rounds, and where the last round's time went;
- ``batched``: a 20,000-way map of tiny tasks + reduce, automatic batching, beside PostgreSQL's own
  bulk rate for the same rows (``execute_values`` of the run's N state rows + N XCom rows into
  copies of the tables; goal >= 50 % of it);
- ``million``: a 100,000-way and a 1,000,000-way map + reduce on one worker ``-c 2`` (goal: the
  1M wall <= 15x the 100k wall), peak RSS of the CLI, the worker and a scheduler running beside
  (goal < 300 MB each), ``runs show`` / ``tasks list --limit 50``, the web UI's API requests and
  its pages in Chromium (``bench/web_bench.py``'s) at 1M beside the same at 100k (goal < 300 ms),
  the store's bytes per instance;
- ``sweep``: time per instance at N = 1k, 10k, 100k (issue #4's goal: flat within 20 %);
- ``scaling``: 0.1 s sleeping tasks, 1 worker then 8 workers, ``-c 1`` each (goal >= 7x shorter
  makespan);
- ``web``: the web UI's requests and pages at 100,000 instances beside 1,000 (``bench/web_bench.py``).

A benchmark that meets a fault prints ``FAILED`` and why, never a figure (``bench/harness.py``);
``make bench`` then exits 1.
"""
from __future__ import annotations

import json
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
import traceback
from pathlib import Path

import psycopg2
import psycopg2.extras

sys.path.insert(0, str(Path(__file__).resolve().parent))

import web_bench  # noqa: E402
from harness import (  # noqa: E402
    BROKER,
    CELERY,
    CHORDFLOW,
    ROOT,
    BenchmarkFailed,
    Cluster,
    Database,
    Timed,
    chordflow_run,
    cli,
    figure,
    flush_broker,
    free_port,
    header,
    peak_rss_mb,
    scaled,
    seconds,
    start,
    stop,
    timed_cli,
    wait_http,
    write_chain,
    write_dag,
)


def ratio(x: float, y: float) -> str:
    return f"{x / y:.2f}x" if y else "-"


# -- embedded ---------------------------------------------------------------------------------
def embedded_env(home: Path) -> dict[str, str]:
    return {"CHORDFLOW_HOME": str(home), "PATH": os.environ.get("PATH", "/usr/bin:/bin")}


def bench_embedded(tmp: Path) -> None:
    n = scaled(1000)
    env = embedded_env(tmp / "embedded")
    fixed = chordflow_run(write_dag(tmp / "embedded" / "one", 1), env, {"add": 1})
    timed = chordflow_run(write_dag(tmp / "embedded", n), env, {"add": n, "total": 1})
    figure(f"embedded {n}-way map + reduce, `run --wait` wall", f"{timed.wall:.2f} s", f"{fixed.wall:.2f} s",
           ratio(timed.wall, fixed.wall), "goal <= 1.8 s; baseline: a 1-way map (a run's fixed cost)")


# -- chain: task-to-task latency ----------------------------------------------------------------
def raw_chain_seconds(n: int, folder: Path) -> float:
    """Seconds per hop of a raw Celery chain of ``n`` one-line tasks on a worker ``-c 2`` (best of 3)."""
    flush_broker()
    env = {**os.environ, "BENCH_BROKER": BROKER, "BENCH_DATABASE": ""}
    worker = start([CELERY, "-A", "bench.raw_celery", "worker", "-c", "2", "--loglevel", "INFO"], env,
                   folder / "raw-chain-worker.log")
    try:
        from celery import chain
        from raw_celery import app, inc

        app.conf.broker_url = app.conf.result_backend = BROKER
        best = float("inf")
        for _ in range(3):
            started = time.perf_counter()
            value = chain(inc.s(0), *[inc.s() for _ in range(n - 1)]).apply_async().get(timeout=120)
            took = time.perf_counter() - started
            if value != n:
                raise BenchmarkFailed(f"raw chain returned {value}, not {n}")
            best = min(best, took)
        return best / n
    finally:
        stop(worker)


def chain_hop(path: Path, env: dict[str, str], n: int) -> tuple[float, float]:
    """Seconds per hop of the chain DAG (best of 3): the run's span over ``n``, and the mean gap
    between one task's end and the next one's start."""
    best_span, best_gap = float("inf"), float("inf")
    for _ in range(3):
        timed = chordflow_run(path, env)
        rows = json.loads(cli(env, "tasks", "list", timed.run_id, "--output", "json").stdout)
        if len(rows) != n or any(row["state"] != "success" for row in rows):
            raise BenchmarkFailed(f"chain run {timed.run_id}: not every one of {n} tasks succeeded")
        rows.sort(key=lambda row: seconds(row["start_date"]))
        gaps = [seconds(b["start_date"]) - seconds(a["end_date"]) for a, b in zip(rows, rows[1:], strict=False)]
        best_span, best_gap = min(best_span, timed.span / n), min(best_gap, statistics.mean(gaps or [0.0]))
    return best_span, best_gap


def bench_chain(tmp: Path) -> None:
    n = max(2, scaled(100))
    raw = raw_chain_seconds(n, tmp)
    env = embedded_env(tmp / "chain-embedded")
    hop, gap = chain_hop(write_chain(tmp / "chain-embedded", n), env, n)
    figure(f"chain of {n} one-line tasks, embedded, per hop", f"{hop * 1000:.1f} ms", f"{raw * 1000:.1f} ms",
           ratio(hop, raw), f"goal <= 10 ms; end-to-start gap {gap * 1000:.1f} ms; baseline: raw Celery chain on Redis")
    cluster = Cluster(tmp / "chain", "chain")
    try:
        hop, gap = chain_hop(write_chain(cluster.dags, n), cluster.env, n)
    finally:
        cluster.close()
    figure(f"chain of {n} one-line tasks, Redis + PostgreSQL, 1 worker -c 2", f"{hop * 1000:.1f} ms",
           f"{raw * 1000:.1f} ms", ratio(hop, raw), f"goal <= 20 ms; end-to-start gap {gap * 1000:.1f} ms")


# -- batch_size=1 beside a raw chord --------------------------------------------------------------
def raw_celery_chord(n: int, folder: Path, ack_emulation: bool = True, solo: bool = False) -> float:
    """Seconds, end to end from a new client process, for a raw chord of ``n`` one-INSERT tasks on
    a worker ``-c 2`` (``ack_emulation``: kombu's default; off is the setting Chordflow's workers use;
    ``solo``: on two workers ``-P solo`` instead)."""
    db = Database("chordflow_bench_raw")
    flush_broker()
    conn = psycopg2.connect(db.dsn)
    conn.autocommit = True
    with conn.cursor() as cur:
        cur.execute("CREATE TABLE raw_result (i int, value int)")
        cur.execute("CREATE TABLE raw_done (n int)")
    conn.close()
    env = {**os.environ, "BENCH_BROKER": BROKER, "BENCH_DATABASE": db.dsn,
           "BENCH_ACK_EMULATION": "1" if ack_emulation else "0"}
    pools = [("-P", "solo", "-n", f"raw{i}@%h") for i in (1, 2)] if solo else [("-c", "2")]
    workers = [start([CELERY, "-A", "bench.raw_celery", "worker", *pool, "--loglevel", "INFO"], env,
                     folder / f"raw-worker{i}.log") for i, pool in enumerate(pools)]
    try:
        started = time.perf_counter()
        client = subprocess.run([sys.executable, "-m", "bench.raw_celery", "chord", str(n)], env=env, cwd=ROOT,
                                capture_output=True, text=True, timeout=900)
        took = time.perf_counter() - started
        if client.returncode != 0:
            raise BenchmarkFailed(f"raw chord client failed: {client.stderr[-600:]}")
        return took
    finally:
        for worker in workers:
            stop(worker)
        db.drop()


#: Rounds of the ``unbatched`` benchmark: each runs the raw chord and ours once, one after the other.
UNBATCHED_ROUNDS = 5
#: Rounds of the auto-batched map and PostgreSQL's bulk rate (``bench_batched``).
BATCHED_ROUNDS = 3


def batch_of_one(tmp: Path, n: int, name: str,
                 worker_options: tuple[str, ...] = ()) -> tuple[Timed, list[tuple[str, float]]]:
    """A ``n``-way ``batch_size=1`` map + reduce on a fresh cluster of one worker ``-c 2`` (and
    ``worker_options``), and where its time went (:func:`phases`)."""
    cluster = Cluster(tmp / name, name, worker_options=worker_options)
    try:
        timed = chordflow_run(write_dag(cluster.dags, n, batch="1"), cluster.env, {"add": n, "total": 1})
        return timed, phases(cluster.db, timed)
    finally:
        cluster.close()


def bench_unbatched(tmp: Path) -> None:
    """Rounds of the raw chord, ours on the default prefork pool, ours on ``--pool solo -c 2``,
    the raw chord with ack emulation off, the raw chord on two solo workers: the same machine
    drifts by 20 % from one minute to the next, so each figure is the median of its rounds, and
    the rounds interleave (a slow minute slows every side alike)."""
    n = scaled(2000)
    raw, prefork, solo, raw_tuned, raw_solo = [], [], [], [], []
    for _ in range(UNBATCHED_ROUNDS):
        raw.append(raw_celery_chord(n, tmp))
        prefork.append(batch_of_one(tmp, n, "unbatched")[0].wall)
        timed, where = batch_of_one(tmp, n, "unbatched_solo", ("--pool", "solo"))
        solo.append(timed.wall)
        raw_tuned.append(raw_celery_chord(n, tmp, ack_emulation=False))
        raw_solo.append(raw_celery_chord(n, tmp, solo=True))
    raw_s, tuned_s = statistics.median(raw), statistics.median(raw_tuned)
    for label, ours in (("1 worker -c 2 (prefork, the default)", prefork),
                        ("1 worker --pool solo -c 2 (for short tasks)", solo)):
        ours_s = statistics.median(ours)
        rounds = ", ".join(f"{raw_wall / our_wall:.2f}" for raw_wall, our_wall in zip(raw, ours, strict=True))
        figure(f"batch_size=1, {n}-way map + reduce, {label}", f"{n / ours_s:,.0f}/s", f"{n / raw_s:,.0f}/s",
               ratio(raw_s, ours_s), f"goal >= 1.2x a raw Celery chord + 1 INSERT/task (worker -c 2), stock "
               f"settings, both from a new process; medians of {UNBATCHED_ROUNDS} interleaved rounds (each "
               f"round's ratio: {rounds}); ours {ours_s:.2f} s")
    for name, took in where:
        figure(f"    {name}", f"{took * 1000:,.0f} ms", "", f"{took / timed.wall:.0%}",
               "of the last --pool solo round's wall")
    figure("  raw chord again, kombu ack emulation off (as our workers)", "", f"{n / tuned_s:,.0f}/s",
           ratio(tuned_s, statistics.median(solo)), "for reference, beside --pool solo")
    raw_solo_s = statistics.median(raw_solo)
    figure("  raw chord again, on two workers -P solo (stock otherwise)", "", f"{n / raw_solo_s:,.0f}/s",
           ratio(raw_solo_s, statistics.median(solo)), "for reference, beside --pool solo")


# -- auto-batched beside PostgreSQL's bulk rate ---------------------------------------------------
def bulk_rate(db: Database, run_id: str, n: int) -> float:
    """Rows/s at which PostgreSQL takes the run's ``n`` state rows and ``n`` XCom rows of ``add``
    by ``execute_values`` (pages of 1,000, one commit) into empty copies of the tables: the bound
    a store writing those rows cannot beat. Returns instances per second."""
    conn = psycopg2.connect(db.dsn)
    try:
        psycopg2.extras.register_default_json(conn, loads=lambda text: text)
        psycopg2.extras.register_default_jsonb(conn, loads=lambda text: text)
        with conn.cursor() as cur:
            cur.execute("SELECT * FROM task_instance WHERE run_id = %s AND task_id = 'add'", (run_id,))
            states = cur.fetchall()
            cur.execute("SELECT * FROM xcom WHERE run_id = %s AND task_id = 'add'", (run_id,))
            xcoms = cur.fetchall()
            if len(states) != n or len(xcoms) != n:
                raise BenchmarkFailed(f"run {run_id}: {len(states)} state rows and {len(xcoms)} XComs, not {n}")
            cur.execute("CREATE TABLE bulk_ti (LIKE task_instance INCLUDING ALL)")
            cur.execute("CREATE TABLE bulk_xcom (LIKE xcom INCLUDING ALL)")
            conn.commit()
            started = time.perf_counter()
            psycopg2.extras.execute_values(cur, "INSERT INTO bulk_ti VALUES %s", states, page_size=1000)
            psycopg2.extras.execute_values(cur, "INSERT INTO bulk_xcom VALUES %s", xcoms, page_size=1000)
            conn.commit()
            took = time.perf_counter() - started
            cur.execute("DROP TABLE bulk_ti, bulk_xcom")
            conn.commit()
            return n / took
    finally:
        conn.close()


def phases(db: Database, timed: Timed, mapped: str = "add", reduce: str = "total") -> list[tuple[str, float]]:
    """Where a map + reduce run's end-to-end time went, from the store's timestamps and the
    CLI's start and exit (one clock: the same host): ``[(phase, seconds)]`` in order, summing
    to the wall time."""
    def edge(which: str) -> str:
        return f"(SELECT EXTRACT(EPOCH FROM {which}) FROM task_instance WHERE run_id = r.run_id AND task_id = %s)"

    (created, first, last, reduce_start, reduce_end, ended), = db.query(
        f"SELECT EXTRACT(EPOCH FROM r.start_date), {edge('min(start_date)')}, {edge('max(end_date)')}, "
        f"{edge('min(start_date)')}, {edge('max(end_date)')}, EXTRACT(EPOCH FROM r.end_date) "
        "FROM dag_run r WHERE r.run_id = %s", mapped, mapped, reduce, reduce, timed.run_id)
    marks = [timed.launched, float(created), float(first), float(last), float(reduce_start), float(reduce_end),
             float(ended), timed.exited]
    names = ["CLI start -> run row written (process start, DAG file parsed)",
             "run row -> first instance starts (expansion, publish, pickup)",
             "the map: first instance starts -> last one ends",
             "last map instance ends -> reduce starts (chord join, advance step)",
             "the reduce runs",
             "reduce ends -> run ends (advance step)",
             "run ends -> `run --wait` exits (the client's wait)"]
    return [(name, b - a) for name, a, b in zip(names, marks[:-1], marks[1:], strict=True)]


def bench_batched(tmp: Path) -> None:
    """Rounds of: a DAG of its own run twice -- the first run knows nothing of the task's
    duration, the second sizes its batches by the first's -- then PostgreSQL's bulk rate for the
    second run's rows. Each figure is the median of its rounds' (the bulk rate alone drifted from
    13,000 to 18,000 rows/s between two runs of this benchmark), the ratio the median of the
    rounds' own ratios."""
    n = scaled(20_000)
    cluster = Cluster(tmp / "batched", "batched")
    firsts, seconds, bounds = [], [], []
    try:
        for round_ in range(BATCHED_ROUNDS):
            dag = write_dag(cluster.dags / f"round{round_}", n, dag_id=f"bench_map_{round_}")
            firsts.append(chordflow_run(dag, cluster.env, {"add": n, "total": 1}))
            seconds.append(chordflow_run(dag, cluster.env, {"add": n, "total": 1}))
            bounds.append(bulk_rate(cluster.db, seconds[-1].run_id, n))
        where = phases(cluster.db, seconds[-1])
    finally:
        cluster.close()
    bound = statistics.median(bounds)
    for label, runs in ((f"auto-batched {n:,}-way map + reduce, 1 worker -c 2", firsts),
                        ("  the same, batches sized by the first run's durations", seconds)):
        shares = [n / timed.wall / rate for timed, rate in zip(runs, bounds, strict=True)]
        wall = statistics.median(timed.wall for timed in runs)
        figure(label, f"{n / wall:,.0f}/s", f"{bound:,.0f}/s", f"{statistics.median(shares):.0%}",
               f"goal >= 50 % of PostgreSQL's bulk rate; medians of {BATCHED_ROUNDS} rounds (each round's: "
               f"{', '.join(f'{share:.0%}' for share in shares)}); wall {wall:.2f} s, "
               f"span {n / statistics.median(timed.span for timed in runs):,.0f}/s")
    for name, took in where:
        figure(f"    {name}", f"{took * 1000:,.0f} ms", "", f"{took / seconds[-1].wall:.0%}",
               "of the last round's second run's wall")


# -- a million-way map --------------------------------------------------------------------------
def reads_at(cluster: Cluster, run_id: str) -> dict[str, float]:
    """Milliseconds of the CLI reads a user makes of a run (process start included, best of 3)."""
    reads = {}
    for name, args in (("runs list --limit 1", ("runs", "list", "--limit", "1", "--output", "json")),
                       ("runs show", ("runs", "show", run_id, "--output", "json")),
                       ("tasks list --limit 50", ("tasks", "list", run_id, "--task-id", "add", "--limit", "50",
                                                  "--output", "json"))):
        best = min(timed_cli(cluster.env, *args)[0] for _ in range(3))
        reads[f"`{name}` (CLI, process start included)"] = best * 1000
    return reads


def bench_million(tmp: Path) -> None:
    small, big = scaled(100_000), scaled(1_000_000)
    cluster = Cluster(tmp / "million", "million")
    try:
        scheduler = cluster.start_scheduler()
        port = free_port()
        web = subprocess.Popen([CHORDFLOW, "webserver", "--port", str(port)], env=cluster.env, cwd=ROOT,
                               stdout=open(cluster.folder / "web.log", "wb"), stderr=subprocess.STDOUT,
                               start_new_session=True)
        cluster.others.append(web)
        base = f"http://127.0.0.1:{port}"
        wait_http(base + "/api/v1/dags")
        first = chordflow_run(write_dag(cluster.dags / "small", small), cluster.env, {"add": small, "total": 1})
        before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
        second = chordflow_run(write_dag(cluster.dags / "big", big), cluster.env, {"add": big, "total": 1})
        cli_rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        worker_rss, scheduler_rss = peak_rss_mb(cluster.workers[0]), peak_rss_mb(scheduler)
        small_reads, big_reads = reads_at(cluster, first.run_id), reads_at(cluster, second.run_id)
        # The web UI's requests and pages (bench/web_bench.py's), this run's map beside the 100k one's.
        wide, narrow = (second.run_id, big), (first.run_id, small)
        web_reads = [(f"API: {name}", *times) for name, *times in web_bench.requests_ms(base, "bench_map", "add",
                                                                                        wide, narrow)]
        web_reads += [(f"web: {name} page in Chromium, data shown", *times)
                      for name, *times in web_bench.browser_ms(base, "bench_map", "add", wide, narrow)]
        small_where, big_where = phases(cluster.db, first), phases(cluster.db, second)
        size = cluster.db.query("SELECT pg_total_relation_size('task_instance') + pg_total_relation_size('xcom')")[0][0]
        instances = cluster.db.query("SELECT count(*) FROM task_instance")[0][0]
    finally:
        cluster.close()
    figure(f"{big:,}-way map + reduce, 1 worker -c 2, `run --wait` wall", f"{second.wall:.1f} s",
           f"{first.wall:.1f} s", ratio(second.wall, first.wall),
           f"goal <= 15x the {small:,}-way wall ({big / small:.0f}x the work); span {second.span:.1f} s")
    figure(f"  instances/s end to end, {big:,} beside {small:,}", f"{big / second.wall:,.0f}/s",
           f"{small / first.wall:,.0f}/s", ratio(big / second.wall, small / first.wall), "")
    for (name, took), (_, took_small) in zip(big_where, small_where, strict=True):
        figure(f"    {name}", f"{took:,.2f} s", f"{took_small:,.2f} s", ratio(took, took_small),
               f"where the time grows: {big / small:.0f}x the work")
    cli_note = "" if cli_rss * 1024 > before else " (an earlier command peaked higher)"
    for name, mb in (("CLI (`run --wait`)", cli_rss), ("worker", worker_rss), ("scheduler", scheduler_rss)):
        note = cli_note if name.startswith("CLI") else ""
        figure(f"  peak RSS at {big:,}: {name}", f"{mb:.0f} MB", "", "", "goal < 300 MB" + note)
    floor = "`runs list --limit 1` (CLI, process start included)"
    for name in big_reads:
        note = (" (a command's fixed cost: Python, imports, connect)" if name == floor else
                f"; {big_reads[name] - big_reads[floor]:.0f} ms above the CLI's fixed cost" if "CLI" in name else "")
        figure(f"  {name}", f"{big_reads[name]:.0f} ms", f"{small_reads[name]:.0f} ms",
               ratio(big_reads[name], small_reads[name]), f"goal < 300 ms at {big:,}; baseline at {small:,}{note}")
    for name, at_big, at_small in web_reads:
        figure(f"  {name}", f"{at_big:.0f} ms", f"{at_small:.0f} ms", ratio(at_big, at_small),
               f"goal < 300 ms at {big:,}; baseline at {small:,}")
    figure("  store size per instance (task_instance + xcom, with indexes)", f"{size / instances:.0f} B", "", "", "")


# -- time per instance over N -------------------------------------------------------------------
def map_span(db: Database, run_id: str, task_id: str = "add") -> float:
    """First start to last end of a mapped task's instances (the map itself, without the run's fixed cost)."""
    rows = db.query("SELECT EXTRACT(EPOCH FROM max(end_date) - min(start_date)) FROM task_instance "
                    "WHERE run_id = %s AND task_id = %s", run_id, task_id)
    return float(rows[0][0])


def bench_sweep(tmp: Path) -> None:
    """Time per instance by the map's own span over N; best of five below 100k, of three at 100k
    (a single run there against the best of five was biased: on a VM whose speed swings, one slow
    100k run alone moved the ratio from 1.06x to 1.28x, old commit and new alike)."""
    cluster = Cluster(tmp / "sweep", "sweep")
    per: dict[int, float] = {}
    try:
        for n, tries in ((scaled(1_000), 5), (scaled(10_000), 5), (scaled(100_000), 3)):
            runs = [chordflow_run(write_dag(cluster.dags, n), cluster.env, {"add": n}) for _ in range(tries)]
            per[n] = min(map_span(cluster.db, r.run_id) for r in runs) / n * 1e6
            wall = min(r.wall for r in runs)
            figure(f"time per instance, N = {n:,}, 1 worker -c 2", f"{wall / n * 1e6:.0f} us", "", "",
                   f"by the map's span: {per[n]:.0f} us")
    finally:
        cluster.close()
    smallest = min(per.values())
    figure("time per instance by span: largest over smallest", f"{max(per.values()) / smallest:.2f}x", "", "",
           "goal <= 1.20x (issue #4)")


# -- scaling ------------------------------------------------------------------------------------
def bench_scaling(tmp: Path) -> None:
    """0.1 s sleeping tasks, one message each, on 1 then 8 workers with one process each: 40 rounds
    on 8 slots, so a run's fixed cost is small beside the work being spread."""
    n = max(8, scaled(320))
    spans = {}
    walls = {}
    for workers in (1, 8):
        cluster = Cluster(tmp / f"scale{workers}", f"scale{workers}", workers=workers, concurrency=1)
        try:
            dag = write_dag(cluster.dags, n, batch="1", body="time.sleep(0.1)")
            timed = chordflow_run(dag, cluster.env, {"add": n})
            spans[workers], walls[workers] = map_span(cluster.db, timed.run_id), timed.wall
        finally:
            cluster.close()
    figure(f"{n} x 0.1 s tasks, 8 workers -c 1 beside 1 worker -c 1, wall", f"{walls[8]:.2f} s", f"{walls[1]:.2f} s",
           ratio(walls[1], walls[8]), f"makespan {spans[8]:.2f} s vs {spans[1]:.2f} s = "
           f"{spans[1] / spans[8]:.2f}x shorter (goal >= 7x)")


def bench_web(tmp: Path) -> None:
    """The web UI's requests and pages at 100,000 instances (``bench/web_bench.py``)."""
    from web_bench import bench_web as run

    run()


BENCHES = {"embedded": bench_embedded, "chain": bench_chain, "unbatched": bench_unbatched, "batched": bench_batched,
           "million": bench_million, "sweep": bench_sweep, "scaling": bench_scaling, "web": bench_web}


def compile_sources() -> None:
    """Byte-compile the project's own modules first: an editable install has no ``.pyc`` until an
    import writes them (never, under ``PYTHONDONTWRITEBYTECODE``), and every CLI process would
    compile them again -- about 60 ms of each command's start that an installed package does not pay."""
    import compileall

    for name in ("orchestrator", "executor", "workers", "webserver"):
        compileall.compile_dir(str(ROOT / name), quiet=1)
    for path in ROOT.glob("cli*.py"):
        compileall.compile_file(str(path), quiet=1)


def main() -> int:
    chosen = list(BENCHES)
    if "--only" in sys.argv:
        chosen = sys.argv[sys.argv.index("--only") + 1].split(",")
        unknown = [name for name in chosen if name not in BENCHES]
        if unknown:
            print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(BENCHES)}", file=sys.stderr)
            return 2
    header()
    compile_sources()
    failed = []
    with tempfile.TemporaryDirectory() as tmp:
        for name in chosen:
            try:
                BENCHES[name](Path(tmp))
            except BenchmarkFailed as exc:
                failed.append(name)
                print(f"FAILED {name}: {exc}", flush=True)
            except Exception:
                failed.append(name)
                print(f"FAILED {name}: {traceback.format_exc(limit=3)}", flush=True)
    if failed:
        print(f"{len(failed)} benchmark(s) failed, their figures not printed: {', '.join(failed)}")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
