#!/usr/bin/env bash
# Shared harness for integration tests: starts the real daemon on a port the
# kernel picks, with a temporary data dir, points a private gcloud config at
# it through `stimulator env` alone, and cleans everything up on exit.
#
# A test sources this file, calls stim_start, runs checks with `check` /
# `expect_*`, and ends with `finish`, which prints "N passed, M failed".

set -euo pipefail

: "${STIMULATOR:?set STIMULATOR to the stimulator binary (ctest does)}"

STIM_TMP=$(mktemp -d /tmp/stim-it-XXXXXX)
STIM_DATA=$STIM_TMP/data
STIM_LOG=$STIM_TMP/daemon.log
STIM_PID=
STIM_ADDR=
STIM_URL=
PASSED=0
FAILED=0

stim_cleanup() {
	local rc=$?

	# A test's own teardown (deleting its instances, which outlive the
	# daemon by design) runs while the daemon is still up.
	if declare -F stim_on_exit >/dev/null; then
		stim_on_exit || true
	fi
	stim_stop || true
	if [ "$FAILED" -gt 0 ] || [ "$rc" -ne 0 ]; then
		echo "--- daemon log (last 40 lines) ---"
		tail -n 40 "$STIM_LOG" 2>/dev/null || true
	fi
	rm -rf "$STIM_TMP"
}
trap stim_cleanup EXIT

# stim_require_root WHY: skips the test (exit 77) unless it runs as root.
stim_require_root() {
	if [ "$(id -u)" != 0 ]; then
		echo "1..0 # SKIP $1"
		exit 77
	fi
}

# live_procs NAME: how many processes named NAME run on this host, zombies
# left out (an instance whose daemon died is re-parented to the host's
# init, which may be slow to reap it).
live_procs() {
	ps -C "$1" -o stat= | grep -vc '^Z' || true
}

# stim_start [serve flags...]: starts the daemon (keeping the data dir of a
# previous start) and waits until it writes its address.
stim_start() {
	rm -f "$STIM_TMP/ready"
	"$STIMULATOR" serve --listen 127.0.0.1:0 --data-dir "$STIM_DATA" \
		--ready-file "$STIM_TMP/ready" --log-level debug "$@" >>"$STIM_LOG" 2>&1 &
	STIM_PID=$!
	for _ in $(seq 1 200); do
		if [ -s "$STIM_TMP/ready" ]; then
			STIM_ADDR=$(cat "$STIM_TMP/ready")
			STIM_URL=http://$STIM_ADDR
			return 0
		fi
		if ! kill -0 "$STIM_PID" 2>/dev/null; then
			echo "daemon exited during start" >&2
			STIM_PID=
			return 1
		fi
		sleep 0.05
	done
	echo "daemon did not become ready" >&2
	return 1
}

# stim_stop: SIGTERM to our own daemon (by PID), then waits for it.
# Returns the daemon's exit status.
stim_stop() {
	local rc=0

	if [ -n "$STIM_PID" ]; then
		kill -TERM "$STIM_PID" 2>/dev/null || true
		wait "$STIM_PID" || rc=$?
		STIM_PID=
	fi
	return "$rc"
}

# gcloud_env: a private gcloud configured only by `stimulator env`.
gcloud_env() {
	export HOME=$STIM_TMP/home
	export CLOUDSDK_CONFIG=$STIM_TMP/gcloud
	mkdir -p "$HOME" "$CLOUDSDK_CONFIG"
	eval "$("$STIMULATOR" env --listen "$STIM_ADDR")"
	# Scripts cannot answer prompts (gcloud projects delete asks).
	export CLOUDSDK_CORE_DISABLE_PROMPTS=1
}

pass() {
	PASSED=$((PASSED + 1))
	echo "ok - $1"
}

fail() {
	FAILED=$((FAILED + 1))
	echo "not ok - $1"
	shift
	for line in "$@"; do
		echo "#   $line"
	done
}

# check DESC CMD...: passes when CMD exits 0.
check() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		pass "$desc"
	else
		fail "$desc" "command: $*" "output: $out"
	fi
}

# check_fails DESC CMD...: passes when CMD exits non-zero.
check_fails() {
	local desc=$1 out
	shift
	if out=$("$@" 2>&1); then
		fail "$desc" "command succeeded but should fail: $*" "output: $out"
	else
		pass "$desc"
	fi
}

# expect_eq DESC ACTUAL EXPECTED
expect_eq() {
	if [ "$2" = "$3" ]; then
		pass "$1"
	else
		fail "$1" "expected: $3" "actual:   $2"
	fi
}

# expect_contains DESC HAYSTACK NEEDLE
expect_contains() {
	case "$2" in
	*"$3"*) pass "$1" ;;
	*) fail "$1" "expected to contain: $3" "actual: $2" ;;
	esac
}

# http METHOD PATH [curl args...]: prints "STATUS\nBODY" for a daemon call.
http() {
	local method=$1 path=$2
	shift 2
	curl -sS -o "$STIM_TMP/body" -w '%{http_code}' -X "$method" "$STIM_URL$path" "$@"
	echo
	cat "$STIM_TMP/body"
}

# google_error DESC RESPONSE CODE REASON [STATUS]: RESPONSE (from `http`)
# carries HTTP CODE and Google's JSON error shape: error.code, the reason
# and domain "global" in errors[0], the same non-empty message at both
# levels, and error.status: STATUS when given, otherwise any non-empty one.
google_error() {
	local desc=$1 resp=$2 code=$3 reason=$4 status=${5:-} want=true body
	body=$(tail -n +2 <<<"$resp")
	[ -z "$status" ] || want=\"$status\"
	expect_eq "$desc: HTTP $code" "$(head -n1 <<<"$resp")" "$code"
	expect_eq "$desc: error shape" \
		"$(jq -c --arg status "$status" '[.error.code,
			(if $status == "" then (.error.status | length > 0) else .error.status end),
			.error.errors[0].reason, .error.errors[0].domain,
			(.error.message == .error.errors[0].message),
			(.error.message | length > 0)]' \
			<<<"$body" 2>&1)" \
		"[$code,$want,\"$reason\",\"global\",true,true]"
}

# paginate PATH JQ: follows nextPageToken from PATH (which has a query
# string) and prints what JQ picks from each page, space-separated. Stops
# after 100 pages, so a token that never ends fails the test, not hangs it.
paginate() {
	local path=$1 pick=$2 token= page out= n=0
	while [ $n -lt 100 ]; do
		n=$((n + 1))
		page=$(http GET "$path&pageToken=$token" | tail -n +2)
		out="$out$(jq -r "$pick" <<<"$page" | tr '\n' ' ')"
		token=$(jq -r '.nextPageToken // empty' <<<"$page")
		[ -n "$token" ] || break
	done
	printf '%s' "$out"
}

finish() {
	echo "$PASSED passed, $FAILED failed"
	[ "$FAILED" -eq 0 ]
}
