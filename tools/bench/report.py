#!/usr/bin/env python3
"""Turns tools/bench/run's RESULT/CHECK lines into the markdown table of ratios and the plot.

  report.py RESULTS OUT_DIR WALL_S COMMAND     writes OUT_DIR/latest.md and OUT_DIR/bench.png
  report.py --readme README.md latest.md       puts latest.md into README's "## Benchmarks"
"""
import os
import re
import subprocess
import sys


def parse(path):
    results, checks = {}, {}
    for line in open(path):
        kind, _, rest = line.strip().partition(" ")
        if kind not in ("RESULT", "CHECK"):
            continue
        fields = dict(f.split("=", 1) for f in rest.split() if "=" in f)
        if kind == "RESULT":
            key = fields["name"] + ("@" + fields["load_pct"] if "load_pct" in fields else "")
            results[key] = fields
        else:
            checks[fields["workload"]] = fields
    return results, checks


def num(results, key, field="rate"):
    try:
        return float(results[key][field])
    except (KeyError, ValueError):
        return float("nan")


def div(a, b):
    return a / b if b and b == b else float("nan")


def fmt(x, digits=0):
    if x != x:
        return "—"
    return f"{x:,.{digits}f}"


def verdict(ok):
    return "met" if ok else "**missed**"


def table(results, checks, wall_s, command):
    r = results
    rows = []

    def row(what, ours, peer, ratio, goal, ok):
        rows.append(f"| {what} | {ours} | {peer} | {ratio} | {goal} | {verdict(ok)} |")

    lc, pg_lc = num(r, "lifecycle.command"), num(r, "pg.lifecycle.command")
    pg_lc_clients = r.get("pg.lifecycle.command", {}).get("clients", "?")
    pg_hot_clients = r.get("pg.hot-task.claim", {}).get("clients", "?")
    row("lifecycle commands/s (claim, submit, approve; 64 conns)", fmt(lc),
        fmt(pg_lc) + f" (PostgreSQL, best at {pg_lc_clients} clients of 4–64)",
        fmt(div(lc, pg_lc), 1) + "×", "≥ 10× PostgreSQL", div(lc, pg_lc) >= 10)
    hot, pg_hot = num(r, "hot-task.claim"), num(r, "pg.hot-task.claim")
    oversold = checks.get("hot-task", {}).get("oversold", "?")
    pg_oversold = checks.get("pg.hot-task", {}).get("oversold", "?")
    row("hot task claims/s (1 task, distinct workers, 1,000 conns)", fmt(hot),
        fmt(pg_hot) + f" (PostgreSQL, best at {pg_hot_clients} clients of 4–64)",
        fmt(div(hot, pg_hot), 1) + "×", "≥ 50,000/s and ≥ 20×", hot >= 50_000 and div(hot, pg_hot) >= 20)
    row("hot task oversold slots", oversold + " (" + checks.get("hot-task", {}).get("result", "?") + ")",
        pg_oversold + " (PostgreSQL)", "", "0", oversold == "0")
    p99_half = num(r, "lifecycle_open.command@50", "p99_ms")
    row("p99 command latency at 50 % of peak (open loop)", fmt(p99_half, 2) + " ms",
        "p99 per cycle at peak: " + fmt(num(r, "pg.lifecycle.command", "p99_ms"), 1) + " ms (PostgreSQL)", "",
        "≤ 2 ms", p99_half <= 2)
    lag = num(r, "lifecycle_open.projection_lag@50", "p99_ms")
    row("projection lag p99 at 50 % of peak (write answered → read sees it)", fmt(lag, 2) + " ms", "", "", "≤ 1 ms",
        lag <= 1)
    claim_p999 = num(r, "hot-task_open.claim@50", "p999_ms")
    row("p99.9 claim latency in the hot task at 50 % of peak (open loop, 1,000 conns)",
        fmt(claim_p999, 2) + " ms", f"closed loop at peak: {fmt(num(r, 'hot-task.claim', 'p999_ms'), 2)} ms", "",
        "≤ 20 ms", claim_p999 <= 20)
    per_claim = num(r, "hot-task.memory", "bytes_per_claim")
    in_memtables = num(r, "hot-task.memory", "memtable_bytes_per_claim")
    row("memory per held claim with its worker (server RSS growth over the hot task ÷ claims)",
        fmt(per_claim) + " B", f"of which memtables (bounded by `--memtable-mb`, 256 MB): {fmt(in_memtables)} B",
        "", "≤ 256 B", per_claim <= 256)
    rebuild, parse_only = num(r, "replay.rebuild"), num(r, "replay.parse_only")
    events = r.get("replay.rebuild", {}).get("events", "?")
    row(f"rebuild events/s ({int(events):,} events)" if events != "?" else "rebuild events/s", fmt(rebuild),
        fmt(parse_only) + " (parse-only pass)", fmt(div(rebuild, parse_only), 2) + "×",
        "≥ 1,000,000/s and ≥ 0.3× parse-only", rebuild >= 1e6 and div(rebuild, parse_only) >= 0.3)
    audit = num(r, "audit.verify")
    row("microjobs audit, events/s verified (chains, ledger, domain invariants; 2 threads)", fmt(audit),
        fmt(parse_only) + " (parse-only pass)", fmt(div(audit, parse_only), 2) + "×",
        "≥ 1,000,000/s", audit >= 1e6)
    feed, nginx = num(r, "wrk.microjobs_feed"), num(r, "wrk.nginx_static")
    page = r.get("wrk.microjobs_feed", {}).get("page_bytes", "?")
    row(f"feed page/s (wrk -t2 -c64, {page} B page)", fmt(feed), fmt(nginx) + " (nginx, static file)",
        fmt(div(feed, nginx), 2) + "×", "≥ 0.5× nginx", div(feed, nginx) >= 0.5)
    stop_s, crash_s = num(r, "restart.after_stop", "seconds"), num(r, "restart.after_crash", "seconds")
    restart_events = r.get("restart.after_stop", {}).get("events", "?")
    row(f"restart with {int(restart_events):,} events, `serve` to `/readyz` 200, after a clean stop"
        if restart_events != "?" else "restart, to `/readyz` 200, after a clean stop",
        fmt(stop_s, 2) + " s", "after a crash (tails since the snapshots): " + fmt(crash_s, 2) + " s", "",
        "≤ 5 s, both", stop_s <= 5 and crash_s <= 5)

    info = [
        ("loadgen feed pages/s (64 conns, following cursors)", fmt(num(r, "feed.page"))),
        ("bulk review decisions/s (10,000 submissions, POST /v1/reviews in calls of 1,000)",
         fmt(num(r, "review.bulk-review"))),
        ("hot task: worker registrations/s over HTTP (1,000 conns)", fmt(num(r, "hot-task.register"))),
        ("hot task claims/s without HTTP (bus_bench, 1,000 in flight)", fmt(num(r, "bus.hot-task.claim"))),
        ("hot task claims/s over HTTP, per_item task vs plain task (1,000 conns)",
         fmt(num(r, "hot-task-per-item.claim")) + " vs " + fmt(num(r, "hot-task.claim"))),
        ("items upload, items/s (1,000 per call, 8 calls in flight, without HTTP)", fmt(num(r, "items.upload"))),
        ("hot claims/s without HTTP, per_item vs plain task (items_bench, 1,000 in flight)",
         fmt(num(r, "items.claim_per_item")) + " vs " + fmt(num(r, "items.claim_plain"))),
        ("write-side memory per item (partition state, bytes)",
         fmt(num(r, "items.state_memory", "bytes_per_item"), 1)),
        ("write-side memory per held claim with its registered worker (partition state, bytes)",
         fmt(num(r, "claims.state_memory", "bytes_per_claim"))),
        ("lifecycle p50 / p99 / p99.9 at peak (closed loop)",
         " / ".join(fmt(num(r, "lifecycle.command", f), 2) for f in ("p50_ms", "p99_ms", "p999_ms")) + " ms"),
        ("hot task claim p50 / p99 / p99.9 (closed loop, 1,000 conns)",
         " / ".join(fmt(num(r, "hot-task.claim", f), 2) for f in ("p50_ms", "p99_ms", "p999_ms")) + " ms"),
        ("replay: generating the log through the write side, events/s", fmt(num(r, "replay.generate"))),
        ("replay: read only / read + SHA-256, events/s",
         fmt(num(r, "replay.read_only")) + " / " + fmt(num(r, "replay.read_sha256"))),
        ("real Kafka (1 node, fenced writers): lifecycle commands/s over HTTP (64 conns), p50 / p99",
         fmt(num(r, "kafka_lifecycle.command")) + ", " +
         " / ".join(fmt(num(r, "kafka_lifecycle.command", f), 1) for f in ("p50_ms", "p99_ms")) + " ms"),
        ("real Kafka (1 node, fenced writers): hot task claims/s over HTTP (1,000 conns), p50 / p99",
         fmt(num(r, "kafka_hot-task.claim")) + ", " +
         " / ".join(fmt(num(r, "kafka_hot-task.claim", f), 1) for f in ("p50_ms", "p99_ms")) + " ms"),
        ("real Kafka appends, records/s: raw librdkafka / KafkaEventLog / fenced (batches of 1,024)",
         " / ".join(fmt(num(r, f"kafka_real.{k}")) for k in ("raw", "adapter", "fenced"))),
        ("micro: decide+evolve, commands/s (claim, submit, approve)",
         fmt(num(r, "micro.BM_DecideEvolve_Lifecycle", "items_per_second"))),
        ("micro: /metrics bookkeeping per command request, 1 / 2 threads",
         " / ".join(fmt(num(r, f"micro.BM_Metrics_Request/threads:{t}", "ns_per_iter")) for t in (1, 2)) + " ns"),
        ("micro: envelope encode / decode / SHA-256, per event",
         " / ".join(fmt(num(r, f"micro.BM_{b}_Approval", "ns_per_iter")) for b in ("Encode", "Decode", "Sha256")) + " ns"),
        ("micro: projector fold into memory, events/s", fmt(num(r, "micro.BM_ProjectorApply", "items_per_second"))),
        ("micro: synced log append, records/s at batch 1 / 64 / 1024 / 4096",
         " / ".join(fmt(num(r, f"micro.BM_LogAppend/{b}", "items_per_second")) for b in (1, 64, 1024, 4096))),
    ]
    lines = [
        f"`{command}` — {wall_s // 60} min {wall_s % 60} s wall time on this 2-core machine, every figure "
        "measured in the same run (server, load generator and peer share the two cores).",
        "",
        "| measure | microjobs | peer | ratio | goal | |",
        "|---|---:|---:|---:|---|---|",
        *rows,
        "",
        "| also measured | |",
        "|---|---:|",
        *[f"| {a} | {b} |" for a, b in info],
        "",
        "Latency versus load (lifecycle, open loop, 64 connections; latency from when each request was due):",
        "",
        "| load | cycles/s offered | commands/s done | p50 | p99 | p99.9 | projection lag p99 |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for pct in ("25", "50", "75", "90"):
        key = f"lifecycle_open.command@{pct}"
        if key not in r:
            continue
        lines.append(f"| {pct} % | {fmt(num(r, key, 'done') / max(num(r, key, 'seconds'), 1e-9))} | {fmt(num(r, key))} | "
                     f"{fmt(num(r, key, 'p50_ms'), 2)} ms | {fmt(num(r, key, 'p99_ms'), 2)} ms | "
                     f"{fmt(num(r, key, 'p999_ms'), 2)} ms | "
                     f"{fmt(num(r, f'lifecycle_open.projection_lag@{pct}', 'p99_ms'), 2)} ms |")
    failed = [w for w, c in checks.items() if c.get("result") != "ok"]
    lines += ["", "Correctness checks: " + (", ".join(f"{w} {c.get('result')}" for w, c in sorted(checks.items()))
                                          + ("" if not failed else f" — FAILED: {', '.join(failed)}")), ""]
    return "\n".join(lines)


def plot(results, out_dir):
    batch = sorted((int(k.split("/")[1]), num(results, k, "items_per_second"))
                   for k in results if k.startswith("micro.BM_LogAppend/"))
    load = sorted((num(results, k), num(results, k, "p50_ms"), num(results, k, "p99_ms"))
                  for k in results if k.startswith("lifecycle_open.command@"))
    with open(os.path.join(out_dir, "batch.dat"), "w") as f:
        f.writelines(f"{b} {v}\n" for b, v in batch)
    with open(os.path.join(out_dir, "load.dat"), "w") as f:
        f.writelines(f"{a} {b} {c}\n" for a, b, c in load)
    script = f"""
set terminal pngcairo size 1200,500 font ",10"
set output '{out_dir}/bench.png'
set multiplot layout 1,2
set title 'Synced log append: throughput vs batch size'
set logscale xy
set xlabel 'records per append (one fsync)'
set ylabel 'records/s'
set grid
plot '{out_dir}/batch.dat' using 1:2 with linespoints lw 2 title 'LocalEventLog::append'
unset logscale
set title 'Lifecycle over HTTP: latency vs load (open loop)'
set xlabel 'commands/s done'
set ylabel 'latency (ms)'
set logscale y
plot '{out_dir}/load.dat' using 1:3 with linespoints lw 2 title 'p99', '' using 1:2 with linespoints lw 2 title 'p50'
unset multiplot
"""
    try:
        subprocess.run(["gnuplot"], input=script, text=True, check=True)
    except (OSError, subprocess.CalledProcessError) as e:
        print(f"plot failed: {e}", file=sys.stderr)


def update_readme(readme, table_path):
    text = open(readme).read()
    body = open(table_path).read().rstrip()
    section = ("## Benchmarks\n\n"
               "Made by `tools/bench/run` (after the setup of \"The two commands\"; it installs its own extra Debian\n"
               "packages with `tools/bench/install-deps`: PostgreSQL, nginx, wrk, gnuplot). Raw output goes to\n"
               "`build/bench/<time>/`; the table below and the plot `tools/bench/results/bench.png` are rewritten\n"
               "by every run. The peer is PostgreSQL 15 with default durability running the same commands as SQL\n"
               "functions (`tools/bench/pg/`), driven by pgbench at 4 to 64 clients, compared at its best count. See `tools/bench/README.md`.\n\n"
               + body + "\n\n![throughput vs batch size, latency vs load](tools/bench/results/bench.png)\n")
    pattern = re.compile(r"^## Benchmarks\n.*?(?=^## |\Z)", re.S | re.M)
    if pattern.search(text):
        text = pattern.sub(lambda _: section + "\n", text)
    else:
        text = text.rstrip() + "\n\n" + section
    open(readme, "w").write(text)


def main():
    if sys.argv[1] == "--readme":
        update_readme(sys.argv[2], sys.argv[3])
        return
    raw, out_dir, wall_s, command = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
    results, checks = parse(raw)
    with open(os.path.join(out_dir, "latest.md"), "w") as f:
        f.write(table(results, checks, wall_s, command) + "\n")
    plot(results, out_dir)


if __name__ == "__main__":
    main()
