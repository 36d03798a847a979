#!/usr/bin/env bash
# Cloud Storage through the official Node.js client, @google-cloud/storage,
# at the exact version pinned in node/package.json + package-lock.json.
# The package is installed with `npm ci` into a cache outside the tree
# (STIM_NODE_CACHE, default /var/cache/stimulator-node), again only when the
# lock file changes; without the npm registry the test is skipped (77).
# node/storage.mjs prints "ok NAME" / "not ok NAME: ERROR" per step; every
# step must pass.
. "$(dirname "$0")/lib.sh"

NODE_SRC=$(cd "$(dirname "$0")/node" && pwd)
if [ -n "${STIM_NODE_CACHE:-}" ]; then
	NODE_CACHE=$STIM_NODE_CACHE
elif mkdir -p /var/cache/stimulator-node 2>/dev/null && [ -w /var/cache/stimulator-node ]; then
	NODE_CACHE=/var/cache/stimulator-node
else
	NODE_CACHE=${XDG_CACHE_HOME:-$HOME/.cache}/stimulator-node
fi

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
	echo "node and npm are needed for this test; skipping"
	exit 77
fi

# node_prepare: NODE_CACHE holds the pinned package; npm ci runs only when
# node_modules is missing or package.json / the lock file changed.
node_prepare() {
	local sum log=$STIM_TMP/npm.log

	sum=$(cat "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" | sha256sum | cut -d' ' -f1)
	mkdir -p "$NODE_CACHE"
	# One installer at a time; the lock goes with the fd when the test ends.
	exec 9>"$NODE_CACHE/.install.lock"
	flock 9
	if [ -d "$NODE_CACHE/node_modules/@google-cloud/storage" ] &&
		[ "$(cat "$NODE_CACHE/.lock-sha256" 2>/dev/null)" = "$sum" ]; then
		return 0
	fi
	rm -rf "$NODE_CACHE/node_modules" "$NODE_CACHE/.lock-sha256"
	cp "$NODE_SRC/package.json" "$NODE_SRC/package-lock.json" "$NODE_CACHE/"
	if ! (cd "$NODE_CACHE" && npm ci --no-audit --no-fund --loglevel=error \
		--fetch-retry-mintimeout=2000 --fetch-retry-maxtimeout=10000) >"$log" 2>&1; then
		if grep -Eq 'ENOTFOUND|EAI_AGAIN|ECONNREFUSED|ECONNRESET|ETIMEDOUT|ENETUNREACH|network' "$log"; then
			echo "npm cannot reach the registry ($(npm config get registry 2>/dev/null)); skipping:"
			tail -n 5 "$log"
			exit 77
		fi
		echo "npm ci failed in $NODE_CACHE:"
		cat "$log"
		exit 1
	fi
	echo "$sum" >"$NODE_CACHE/.lock-sha256"
}

node_prepare
# ESM resolves bare imports from the script's own folder up, so the script
# runs from a private folder whose node_modules links to the cache.
mkdir -p "$STIM_TMP/node"
cp "$NODE_SRC/storage.mjs" "$STIM_TMP/node/"
ln -s "$NODE_CACHE/node_modules" "$STIM_TMP/node/node_modules"
echo "# @google-cloud/storage $(node -p 'require(process.argv[1]).version' \
	"$NODE_CACHE/node_modules/@google-cloud/storage/package.json") on node $(node --version)"

stim_start
gcloud_env
# No credentials of any kind: the client must not need them.
unset GOOGLE_APPLICATION_CREDENTIALS
B=itest-node-$$

expect_eq "bucket for the SDK made with curl" \
	"$(http POST "/storage/v1/b?project=$GOOGLE_CLOUD_PROJECT" -H 'Content-Type: application/json' \
		--data "{\"name\":\"$B\"}" | head -n1)" 200

rc=0
out=$(cd "$STIM_TMP/node" && timeout 120 node storage.mjs "$B" 2>&1) || rc=$?
steps=0
while IFS= read -r line; do
	case "$line" in
	"ok "*)
		steps=$((steps + 1))
		pass "sdk: ${line#ok }"
		;;
	"not ok "*)
		steps=$((steps + 1))
		line=${line#not ok }
		fail "sdk: ${line%%: *}" "${line#*: }"
		;;
	"#"*) echo "$line" ;;
	*) [ -z "$line" ] || echo "#   node: $line" ;;
	esac
done <<<"$out"

# 0: all ok; 1: a failed step, which a "not ok" line above already counts;
# anything else is a crash.
case $rc in
0) ;;
1) [ "$FAILED" -gt 0 ] || fail "storage.mjs exited 1 without a failed step" ;;
*) fail "storage.mjs exited $rc" "output: $(tail -n 20 <<<"$out")" ;;
esac
[ "$steps" -ge 40 ] || fail "storage.mjs ran only $steps steps" "output: $(tail -n 20 <<<"$out")"
finish
