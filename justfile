# broadcast: a Maelstrom broadcast node and a local Maelstrom-compatible bench.
# Every recipe is a thin wrapper: the README gives the plain go commands too.

set shell := ["bash", "-euo", "pipefail", "-c"]

# The 3d/3e configuration (Fly.io Gossip Glomers): the main job.
challenge := "--node-count 25 --time-limit 20 --rate 100 --latency 100"

# List the recipes.
default:
    @just --list

# Build the node and the bench into bin/.
build:
    go build -o bin/ ./cmd/...

# Run every test (unit, simulation, end-to-end on the bench). Same as CI.
test:
    go test ./...

# The race detector on the packages with concurrency.
race:
    go test -race ./node/... ./store/... ./maelstrom/...

# gofmt, go vet.
lint:
    test -z "$(gofmt -l $(git ls-files '*.go'))" || { gofmt -l $(git ls-files '*.go'); exit 1; }
    go vet ./...

# Benchmarks: store throughput and recovery, set memory, gossip core, merkle, node loop and reads, node memory per value, the flood, bench lateness, the 3d/3e run, the journal's cost and the diagram's render times.
bench:
    go test -run '^$' -bench . -benchtime 1x ./tests/...
    go test -run '^$' -bench . ./store/... ./merkle/... ./gossip/... ./node/... ./maelstrom/...

# Run WORKLOAD (broadcast) on a real Maelstrom if $MAELSTROM names one, else on the local bench,
# with the same flags. PARTITION=true adds --nemesis partition. Extra flags go last and win.
# Examples: just maelstrom-run broadcast; just maelstrom-run broadcast true; just maelstrom-run broadcast false --node-count 5 --rate 10
maelstrom-run WORKLOAD="broadcast" PARTITION=env("PARTITION", "false") *FLAGS: build
    #!/usr/bin/env bash
    set -euo pipefail
    args=(test -w "{{WORKLOAD}}" --bin "$PWD/bin/broadcast" {{challenge}})
    if [ "{{PARTITION}}" = true ]; then args+=(--nemesis partition); fi
    args+=({{FLAGS}})
    if [ -n "${MAELSTROM:-}" ]; then
        echo "running real Maelstrom: $MAELSTROM ${args[*]}" >&2
        exec "$MAELSTROM" "${args[@]}"
    fi
    exec ./bin/maelstrom-local "${args[@]}"

# Browse the runs in STORE (default store) at http://127.0.0.1:PORT/: index, run pages, diagram, timeline.
serve STORE="store" PORT="8080": build
    ./bin/maelstrom-local serve --port {{PORT}} {{STORE}}

# The diagram's targets: render times in headless Chromium on a 3d/3e run, journal CPU cost, messages.svg size.
bench-viz:
    go test -run '^$' -bench BrowserRender -benchtime 1x -timeout 20m ./maelstrom/serve/
    go test -run '^$' -bench JournalCost -benchtime 1x -timeout 40m ./maelstrom/runner/

# Pipe the sample transcript through the node, by hand-debugging style (debug logs on stderr).
debug: build
    ./bin/broadcast -durability none -log-level debug < tests/testdata/debug.jsonl

# The full end-to-end challenge set: every configuration, 5 seeds, 20 s time limits (~30 min).
e2e-full:
    E2E_SEEDS=5 E2E_TIME_LIMIT=20 go test -count=1 -timeout 3h -run 'Challenge|Durab' -v ./tests/

# Every node process is sampled every 10 s: procs.jsonl, procs-*.png and
# stable-latency-per-minute.png in the run directory. Extra flags go last and win,
# e.g. a short check: just soak --time-limit 90 --rate 200
# The soak (25 nodes, rate 500, latency 100, 5 min, partitions, pauses and kills; compact delta history); prints its figures next to their targets.
soak *FLAGS: build
    ./bin/maelstrom-local test -w broadcast --bin "$PWD/bin/broadcast" --node-count 25 --time-limit 300 --rate 500 --latency 100 --nemesis partition,pause,kill --sample-procs 10s --history-format delta {{FLAGS}}
