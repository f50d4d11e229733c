#!/usr/bin/env bash
# Build sheetbot's container image for real and run it the way it is deployed.
#
#   sudo .ci/container.sh            (called by .ci/run; needs root: apt-get, debootstrap,
#                                     rootful podman)
#
# No container registry is reachable from CI, so the Dockerfile's BASE is swapped for a
# stand-in: a Debian bookworm made with debootstrap (python3, venv, pip, useradd), holding
# this machine's CA bundle and an /etc/pip.conf pointing pip at it, so that `pip install .`
# inside the build reaches PyPI as the host does. The stand-in is cached as a tarball under
# $SHEETBOT_CI_CACHE (default /var/cache/sheetbot-ci), keyed by a hash of its recipe, with
# podman's own storage (and so its layer cache) beside it; from nothing it is rebuilt.
#
# Then the image is checked as deployed: read-only root filesystem, config mounted
# read-only, all capabilities dropped:
#   1. `sheetbot --help` works;
#   2. it runs as a non-root user;
#   3. `sheetbot demo` works;
#   4. `sheetbot run --dry-run` against the fake Google API, served on the host's loopback
#      with the demo sheet, reads the sheet, prints a JSON report without personal data and
#      sends no write request.
# Any failure stops the script with a message naming the step. Timings are printed.
#
# Environment: SHEETBOT_CI_CACHE (cache directory), SHEETBOT_CI_IMAGE (the tag built),
# SHEETBOT_CI_MIRROR (Debian mirror for debootstrap), SHEETBOT_CI_KEEP=1 (keep the temp dir).
set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
CACHE=${SHEETBOT_CI_CACHE:-/var/cache/sheetbot-ci}
IMAGE=${SHEETBOT_CI_IMAGE:-localhost/sheetbot:ci}
MIRROR=${SHEETBOT_CI_MIRROR:-http://deb.debian.org/debian}
SUITE=bookworm
INCLUDE=python3,python3-venv,python3-pip,ca-certificates,passwd
HOST_CA=/etc/ssl/certs/ca-certificates.crt
PY=$ROOT/.venv/bin/python
AS_OF=2025-06-01 # the demo sheet's dates are relative to this day
RECIPE_VERSION=1 # bump to rebuild every cached base

STEP="start"
T0=$(date +%s.%N)
T_STEP=$T0
TIMINGS=()
WORK=""
FAKE_PID=""

say() { printf 'container.sh: %s\n' "$*" >&2; }
DIED=""
die() {
    say "FAILED in step '$STEP': $*"
    DIED=1
    exit 1
}
elapsed() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }
step() {
    if [[ $STEP != start ]]; then
        TIMINGS+=("$(printf '%7ss  %s' "$(elapsed "$T_STEP")" "$STEP")")
    fi
    STEP=$1
    T_STEP=$(date +%s.%N)
    say "== $STEP"
}
on_exit() {
    local code=$?
    set +e
    if [[ -n $FAKE_PID ]] && kill -0 "$FAKE_PID" 2>/dev/null; then
        kill "$FAKE_PID"
        wait "$FAKE_PID" 2>/dev/null
    fi
    if [[ -n $WORK && ${SHEETBOT_CI_KEEP:-} != 1 ]]; then
        # A failed debootstrap can leave /proc or /sys mounted in the rootfs: unmount first.
        findmnt -rn -o TARGET | grep "^$WORK/" | sort -r | xargs -r umount -l
        rm -rf --one-file-system "$WORK"
    fi
    if ((code != 0)) && [[ -z $DIED ]]; then
        say "FAILED in step '$STEP' (exit $code) after $(elapsed "$T0")s"
    fi
    exit "$code"
}
trap on_exit EXIT
trap 'say "command failed (line $LINENO): $BASH_COMMAND"' ERR

[[ $EUID -eq 0 ]] || die "run as root (apt-get, debootstrap and rootful podman need it)"
[[ -x $PY ]] || die "no $PY: create the project's virtual environment first"
[[ -r $HOST_CA ]] || die "no CA bundle at $HOST_CA"
mkdir -p "$CACHE"
# One CI run at a time on this machine: they share the cache and podman's storage.
exec 9>"$CACHE/lock"
flock -w 1200 9 || die "another container.sh held $CACHE/lock for 20 minutes"
WORK=$(mktemp -d /tmp/sheetbot-ci.XXXXXX)
chmod 755 "$WORK"

# ------------------------------------------------------------------ tools
step "install podman, buildah, runc, debootstrap"
missing=()
for pkg in podman buildah runc debootstrap; do
    if [[ $(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true) != "install ok installed" ]]; then
        missing+=("$pkg")
    fi
done
if ((${#missing[@]})); then
    say "installing ${missing[*]}"
    apt-get update -qq || die "apt-get update failed"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
        "${missing[@]}" >/dev/null || die "apt-get install ${missing[*]} failed"
else
    say "already installed"
fi

# crun (podman's default) refuses this machine's rlimits and cgroups: use runc, cgroupfs,
# no default ulimits, and file-based events (there is no systemd journal here).
CONF=$WORK/containers.conf
cat >"$CONF" <<'EOF'
[containers]
default_ulimits = []

[engine]
cgroup_manager = "cgroupfs"
events_logger = "file"
runtime = "runc"
EOF
export CONTAINERS_CONF=$CONF
RUNROOT=/run/sheetbot-ci/$(printf '%s' "$CACHE" | sha256sum | cut -c1-8) # tmpfs: state of this boot
STORAGE=(--root "$CACHE/storage" --runroot "$RUNROOT" --storage-driver vfs)
PODMAN=(podman "${STORAGE[@]}" --cgroup-manager cgroupfs --runtime runc)
podman() { command "${PODMAN[@]}" "$@"; }
# A storage left by an older version of this script (or a crash) that podman refuses is
# only a cache: start it afresh (the base tarball survives).
if ! podman images >/dev/null 2>"$WORK/probe.log"; then
    say "podman's storage is unusable ($(head -n 1 "$WORK/probe.log")): starting afresh"
    rm -rf --one-file-system "$CACHE/storage"
fi

# ------------------------------------------------------------------ stand-in base image
step "stand-in base image"
# pip settings the image needs to reach the package index as the host does: the CA bundle
# always; index URLs only when they are http(s) (file:// indexes and find-links are this
# machine's disk, absent in the image).
pip_conf=$'[global]\ncert = /etc/ssl/certs/ca-certificates.crt\n'
index_url=${PIP_INDEX_URL:-$("$PY" -m pip config get global.index-url 2>/dev/null || true)}
extra_urls=${PIP_EXTRA_INDEX_URL:-$("$PY" -m pip config get global.extra-index-url 2>/dev/null || true)}
if [[ $index_url == http://* || $index_url == https://* ]]; then
    pip_conf+="index-url = $index_url"$'\n'
    say "the image's pip uses the host's index-url"
fi
kept_extra=()
for url in $extra_urls; do
    if [[ $url == http://* || $url == https://* ]]; then
        kept_extra+=("$url")
    else
        say "not carried into the image (local to this machine): extra-index-url $url"
    fi
done
if ((${#kept_extra[@]})); then
    pip_conf+="extra-index-url = ${kept_extra[*]}"$'\n'
fi

recipe=$(
    printf 'v%s\n%s\n%s\n%s\nminbase\n' "$RECIPE_VERSION" "$SUITE" "$MIRROR" "$INCLUDE"
    sha256sum <"$HOST_CA"
    printf '%s' "$pip_conf"
)
HASH=$(printf '%s' "$recipe" | sha256sum | cut -c1-16)
BASE_TAR=$CACHE/base-$HASH.tar
BASE_IMAGE=localhost/sheetbot-ci-base:$HASH
if [[ -s $BASE_TAR ]]; then
    say "cached: $BASE_TAR"
else
    say "debootstrap $SUITE ($INCLUDE) from $MIRROR"
    rootfs=$WORK/rootfs
    debootstrap --variant=minbase --include="$INCLUDE" "$SUITE" "$rootfs" "$MIRROR" \
        >"$WORK/debootstrap.log" 2>&1 ||
        { tail -n 30 "$WORK/debootstrap.log" >&2; die "debootstrap failed"; }
    cp "$HOST_CA" "$rootfs/etc/ssl/certs/ca-certificates.crt"
    printf '%s' "$pip_conf" >"$rootfs/etc/pip.conf"
    rm -rf "$rootfs"/var/cache/apt/archives/*.deb "$rootfs"/var/lib/apt/lists/*
    tar -C "$rootfs" -cf "$BASE_TAR.part" . || die "could not write $BASE_TAR"
    mv "$BASE_TAR.part" "$BASE_TAR"
    rm -rf "$rootfs"
    # Older recipes' tarballs and images are of no further use.
    find "$CACHE" -maxdepth 1 -name 'base-*.tar' ! -name "base-$HASH.tar" -delete
fi
if ! podman image exists "$BASE_IMAGE"; then
    podman import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV LANG=C.UTF-8' \
        --change 'CMD ["/bin/bash"]' \
        "$BASE_TAR" "$BASE_IMAGE" >"$WORK/import.log" 2>&1 ||
        { cat "$WORK/import.log" >&2; die "podman import of $BASE_TAR failed"; }
    for old in $(podman images --format '{{.Repository}}:{{.Tag}}' localhost/sheetbot-ci-base); do
        [[ $old == "$BASE_IMAGE" ]] || podman rmi "$old" >/dev/null 2>&1 || true
    done
fi

# ------------------------------------------------------------------ build
step "build the image (podman build, BASE=$BASE_IMAGE)"
podman build --isolation chroot --network host --layers --pull=never \
    --build-arg BASE="$BASE_IMAGE" \
    -f "$ROOT/Dockerfile" -t "$IMAGE" "$ROOT" >"$WORK/build.log" 2>&1 ||
    { tail -n 40 "$WORK/build.log" >&2; die "podman build failed (log above)"; }
grep -E "STEP [0-9]|COMMIT|Using cache" "$WORK/build.log" | sed 's/^/  /' >&2 || true
say "image size: $(podman image inspect --format '{{.Size}}' "$IMAGE" | awk '{ printf "%.0f MB", $1 / 1e6 }')"

# The image as deployed: read-only root, nothing but the config mount, no capabilities.
# shellcheck disable=SC2054 # the commas belong to --tmpfs options
RUN_OPTS=(--rm --pull=never --network host --read-only --cap-drop ALL
    --security-opt no-new-privileges --tmpfs /tmp:rw,size=16m)
crun_() { timeout 300 "${PODMAN[@]}" run "${RUN_OPTS[@]}" "$@"; }

# ------------------------------------------------------------------ checks
step "check: sheetbot --help"
crun_ "$IMAGE" --help >"$WORK/help.txt" 2>&1 ||
    { cat "$WORK/help.txt" >&2; die "sheetbot --help failed in the container"; }
grep -q '^Usage: sheetbot' "$WORK/help.txt" || { cat "$WORK/help.txt" >&2; die "no usage text"; }
for command in run demo; do
    grep -qE "^  $command( |$)" "$WORK/help.txt" || die "sheetbot --help lists no '$command' command"
done

step "check: runs as a non-root user, SHEETBOT_CONFIG set, no source tree"
# shellcheck disable=SC2016 # expanded in the container
facts=$(crun_ --entrypoint sh "$IMAGE" -c 'id -u; echo "$SHEETBOT_CONFIG"; ls -d /src 2>&1 || true') ||
    die "sh failed in the container"
uid=$(sed -n 1p <<<"$facts")
[[ $uid =~ ^[0-9]+$ ]] || die "id -u said '$uid'"
((uid != 0)) || die "the image runs as root"
[[ $(sed -n 2p <<<"$facts") == /config/sheetbot.toml ]] || die "SHEETBOT_CONFIG is not /config/sheetbot.toml"
[[ $(sed -n 3p <<<"$facts") == *"No such file"* ]] || die "the build's source tree /src is in the image"
say "uid $uid"

step "check: sheetbot demo"
code=0
crun_ "$IMAGE" demo --as-of "$AS_OF" >"$WORK/demo.txt" 2>"$WORK/demo.err" || code=$?
if ((code != 0 && code != 3)); then
    cat "$WORK/demo.err" >&2
    die "sheetbot demo exited $code (expected 0, or 3 for records needing attention)"
fi
grep -q 'Dry run: nothing was written.' "$WORK/demo.txt" || die "the demo's report has no dry-run line"
say "sheetbot demo exited $code"

step "check: sheetbot run --dry-run against the fake Google API"
# The fake, on the host's loopback, serving the demo sheet; on SIGTERM it prints how many
# write requests it received.
"$PY" - "$AS_OF" >"$WORK/fake.log" 2>&1 <<'PY' &
import datetime as dt
import signal
import sys

from sheetbot import demo_sheet
from sheetbot.fake_google import FakeGoogle
from sheetbot.fake_google.__main__ import main

as_of = dt.date.fromisoformat(sys.argv[1])
fake = FakeGoogle(user_email="sheetbot-ci@ci-project.iam.gserviceaccount.com")
fake.add_spreadsheet(
    "1CiSheetbotContainerCheck",
    title="CI sheet (invented data)",
    locale="en_GB",
    time_zone="Europe/London",
    tabs={"Records": demo_sheet.rows(as_of)},
    owner="chair@example.org",
)


def stop(signum: int, frame: object) -> None:
    print(f"requests={len(fake.requests)} writes={len(fake.writes())}", flush=True)
    raise SystemExit(0)


signal.signal(signal.SIGTERM, stop)
sys.exit(main(["--host", "127.0.0.1", "--port", "0"], fake=fake))
PY
FAKE_PID=$!
API_ROOT=""
for _ in $(seq 100); do
    API_ROOT=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$WORK/fake.log" | head -n 1 || true)
    [[ -n $API_ROOT ]] && break
    kill -0 "$FAKE_PID" 2>/dev/null || { cat "$WORK/fake.log" >&2; die "the fake did not start"; }
    sleep 0.1
done
[[ -n $API_ROOT ]] || { cat "$WORK/fake.log" >&2; die "the fake did not start in 10 s"; }
say "fake Google API at $API_ROOT"

CONFDIR=$WORK/config
mkdir -m 755 "$CONFDIR"
cat >"$CONFDIR/sheetbot.toml" <<'EOF'
[spreadsheet]
id = "1CiSheetbotContainerCheck"
timezone = "Europe/London"
EOF
chmod 644 "$CONFDIR/sheetbot.toml"
code=0
crun_ -v "$CONFDIR:/config:ro" -e SHEETBOT_GOOGLE_API_ROOT="$API_ROOT" \
    "$IMAGE" run --dry-run --as-of "$AS_OF" --format json \
    >"$WORK/run.json" 2>"$WORK/run.err" || code=$?
if ((code != 0 && code != 3)); then
    cat "$WORK/run.err" >&2
    die "sheetbot run --dry-run exited $code (expected 0, or 3 for records needing attention)"
fi
kill "$FAKE_PID"
wait "$FAKE_PID" || true
FAKE_PID=""
"$PY" - "$AS_OF" "$WORK/run.json" "$WORK/run.err" "$WORK/fake.log" <<'PY' ||
import datetime as dt
import json
import re
import sys
from pathlib import Path

from sheetbot import demo_sheet

as_of = dt.date.fromisoformat(sys.argv[1])
out, err, fake_log = (Path(p).read_text() for p in sys.argv[2:5])
report = json.loads(out)
assert report["dry_run"] is True, "dry_run is not true"
assert report["as_of"] == as_of.isoformat(), report["as_of"]
expected = len(demo_sheet.records(as_of))
assert len(report["records"]) == expected, f"{len(report['records'])} records, not {expected}"
leaks = sorted(v for v in demo_sheet.personal_data(as_of) if v in out or v in err)
assert not leaks, f"{len(leaks)} personal-data values in the output"
counts = re.search(r"requests=(\d+) writes=(\d+)", fake_log)
assert counts, "the fake did not report its requests"
assert int(counts.group(1)) > 0, "the fake received no request"
assert int(counts.group(2)) == 0, f"the dry run sent {counts.group(2)} write requests"
print(f"{expected} records planned; {counts.group(1)} read requests, no write")
PY
    die "the dry run's report is wrong (see above)"
say "sheetbot run --dry-run exited $code"

step "done"
TIMINGS+=("$(printf '%7ss  total' "$(elapsed "$T0")")")
say "timings:"
printf '  %s\n' "${TIMINGS[@]}" >&2
# Keep podman's storage from growing without end: drop images no longer tagged, older
# than a day (the current build's layers stay, for the next run's cache).
podman image prune -f --filter until=24h >/dev/null 2>&1 || true
say "OK: $IMAGE"
