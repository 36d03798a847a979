#!/usr/bin/env bash
# The subcommands around the daemon: env (with and without a daemon),
# serve's refusals, doctor and gc.
. "$(dirname "$0")/lib.sh"

S=$STIMULATOR

# env with no daemon: settings for the defaults, and a warning on stderr.
out=$("$S" env --listen 127.0.0.1:1 2>"$STIM_TMP/env.err")
expect_contains "env without a daemon warns" "$(cat "$STIM_TMP/env.err")" "no daemon answers"
expect_contains "env without a daemon: compute override" "$out" \
	"export CLOUDSDK_API_ENDPOINT_OVERRIDES_COMPUTE='http://127.0.0.1:1/compute/v1/'"
expect_contains "env --auth enforce points gcloud at the token endpoint" \
	"$("$S" env --listen 127.0.0.1:1 --auth enforce 2>/dev/null)" \
	"export CLOUDSDK_AUTH_TOKEN_HOST='http://127.0.0.1:1/token'"
check_fails "env refuses a bad --listen" "$S" env --listen nonsense

stim_start --default-project itest-default
out=$("$S" env --listen "$STIM_ADDR")
expect_contains "env asks the daemon for its default project" "$out" \
	"export CLOUDSDK_CORE_PROJECT='itest-default'"
expect_contains "env: auth off disables gcloud credentials" "$out" \
	"export CLOUDSDK_AUTH_DISABLE_CREDENTIALS='true'"
expect_contains "env: client libraries' emulator host" "$out" \
	"export STORAGE_EMULATOR_HOST='http://$STIM_ADDR'"
for api in IAM CLOUDRESOURCEMANAGER SERVICEUSAGE OSLOGIN; do
	expect_contains "env: $api at the host root" "$out" \
		"export CLOUDSDK_API_ENDPOINT_OVERRIDES_$api='http://$STIM_ADDR/'"
done
check "env output works with eval" bash -c "eval \"\$1\" && [ \"\$CLOUDSDK_CORE_PROJECT\" = itest-default ]" _ "$out"

out=$("$S" serve --listen 127.0.0.1:0 --data-dir "$STIM_DATA" 2>&1) && rc=0 || rc=$?
expect_eq "a second daemon on the same data dir is refused" "$rc" 1
expect_contains "and says why" "$out" "in use by another stimulator daemon"
out=$("$S" serve --listen 127.0.0.1:"${STIM_ADDR##*:}" --data-dir "$STIM_TMP/other" 2>&1) && rc=0 || rc=$?
expect_eq "a taken port is refused" "$rc" 1
expect_contains "and says which" "$out" "cannot listen on 127.0.0.1:${STIM_ADDR##*:}"
stim_stop

expect_eq "the data dir is private (0700)" "$(stat -c %a "$STIM_DATA")" 700
for bad in "--auth maybe" "--log xml" "--listen 127.0.0.1" "--threads 0" "--bogus"; do
	# shellcheck disable=SC2086
	out=$("$S" serve $bad 2>&1) && rc=0 || rc=$?
	expect_eq "serve $bad is a usage error" "$rc" 2
done
check "serve --help" "$S" serve --help
out=$("$S" serve --owner user:a@example.com --data-dir "$STIM_TMP/owner" 2>&1) && rc=0 || rc=$?
expect_eq "serve --owner without --auth enforce is a usage error" "$rc" 2
expect_contains "and says why" "$out" "--owner needs --auth enforce"
out=$("$S" serve --auth enforce --owner bob --data-dir "$STIM_TMP/owner" 2>&1) && rc=0 || rc=$?
expect_eq "serve --owner that is no member is a usage error" "$rc" 2

out=$("$S" doctor 2>&1) && rc=0 || rc=$?
expect_eq "doctor: every required feature is here" "$rc" 0
for item in root namespace.net overlayfs cgroup.mode seccomp nftables bridge br_netfilter \
	image.host.sudo; do
	expect_contains "doctor reports $item" "$out" "$item"
done
check "doctor --json is a JSON array" bash -c "\"\$1\" doctor --json | jq -e 'type == \"array\"'" _ "$S"

check "gc --check with a private prefix finds nothing" "$S" gc --check --prefix "stimt$$"
check_fails "gc refuses a short prefix" "$S" gc --check --prefix st

finish
