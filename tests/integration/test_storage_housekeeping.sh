#!/usr/bin/env bash
# Cloud Storage chores and limits against a daemon started with a one
# second housekeeping interval and a 1 MiB object limit: lifecycle rules
# set with gcloud and acted on by the sweeper, 413 for every upload path
# past --max-object-size, and one writer at a time per resumable session.
. "$(dirname "$0")/lib.sh"

stim_start --housekeeping-interval 1 --max-object-size 1MiB
gcloud_env
export CLOUDSDK_STORAGE_MAX_RETRIES=0
B=itest-hk-$$
W=$STIM_TMP/work
U=/upload/storage/v1/b/$B/o
mkdir -p "$W"

check "bucket" gcloud storage buckets create "gs://$B"

# Lifecycle: rules from a file, as gcloud sends them; age 0 acts at the
# next sweep.
cat >"$W/rules.json" <<'JSON'
{"rule": [
  {"action": {"type": "Delete"}, "condition": {"age": 0, "matchesPrefix": ["tmp/"]}},
  {"action": {"type": "SetStorageClass", "storageClass": "NEARLINE"},
   "condition": {"age": 0, "matchesSuffix": [".log"]}}
]}
JSON
printf 'x' >"$W/x"
check "cp tmp/x" gcloud storage cp "$W/x" "gs://$B/tmp/x"
check "cp keep/x" gcloud storage cp "$W/x" "gs://$B/keep/x"
check "cp app.log" gcloud storage cp "$W/x" "gs://$B/app.log"
check "buckets update --lifecycle-file" gcloud storage buckets update "gs://$B" \
	--lifecycle-file="$W/rules.json"
expect_eq "the rules are stored" \
	"$(gcloud storage buckets describe "gs://$B" --format=json | jq -c '[.lifecycle_config.rule[].action.type]')" \
	'["Delete","SetStorageClass"]'
names() { gcloud storage ls -r "gs://$B/**" | tr '\n' ' '; }
for _ in $(seq 1 50); do
	[ "$(names)" = "gs://$B/app.log gs://$B/keep/x " ] && break
	sleep 0.2
done
expect_eq "the sweeper deleted tmp/x only" "$(names)" "gs://$B/app.log gs://$B/keep/x "
for _ in $(seq 1 50); do
	class=$(gcloud storage objects describe "gs://$B/app.log" --format='value(storage_class)')
	[ "$class" = NEARLINE ] && break
	sleep 0.2
done
expect_eq "app.log moved to NEARLINE" "$class" NEARLINE
expect_eq "keep/x is untouched" \
	"$(gcloud storage objects describe "gs://$B/keep/x" --format='value(storage_class)')" STANDARD
check "buckets update --clear-lifecycle" gcloud storage buckets update "gs://$B" --clear-lifecycle

# --max-object-size 1MiB: every upload path says 413, nothing is kept.
head -c 1048576 /dev/urandom >"$W/limit.bin"
head -c 1048577 /dev/urandom >"$W/over.bin"
expect_eq "media upload of exactly the limit" \
	"$(http POST "$U?uploadType=media&name=limit" --data-binary "@$W/limit.bin" | head -n1)" 200
resp=$(http POST "$U?uploadType=media&name=over" --data-binary "@$W/over.bin")
google_error "media upload one byte over" "$resp" 413 uploadTooLarge
resp=$(http POST "$U?uploadType=media&name=over" -H 'Transfer-Encoding: chunked' \
	--data-binary "@$W/over.bin")
google_error "chunked media upload one byte over" "$resp" 413 uploadTooLarge
resp=$(http POST "$U?uploadType=resumable" -H 'Content-Type: application/json' \
	-H 'X-Upload-Content-Length: 1048577' -d '{"name":"over"}')
google_error "resumable start announcing too much" "$resp" 413 uploadTooLarge
loc=$(curl -sS -D - -o /dev/null -X POST "$STIM_URL$U?uploadType=resumable" \
	-H 'Content-Type: application/json' -d '{"name":"over"}' | tr -d '\r' |
	sed -n 's/^Location: //Ip')
resp=$(curl -sS -w '%{http_code}' -o "$STIM_TMP/body" -X PUT "$loc" \
	-H 'Content-Range: bytes 0-1048576/1048577' --data-binary "@$W/over.bin")
expect_eq "a chunk past the limit is 413" "$resp" 413
resp=$(curl -sS -w '%{http_code}' -o "$STIM_TMP/body" -X PUT "$loc" \
	-H 'Content-Range: bytes 0-*/*' --data-binary "@$W/over.bin")
expect_eq "an open-ended chunk past the limit is 413" "$resp" 413
check_fails "gcloud cp of a file over the limit" gcloud storage cp "$W/over.bin" "gs://$B/over"
expect_eq "no object 'over' exists" \
	"$(http GET "/storage/v1/b/$B/o/over" | head -n1)" 404

# One writer per session: a second PUT while a slow one runs gets 503, and
# the first still completes whole.
loc=$(curl -sS -D - -o /dev/null -X POST "$STIM_URL$U?uploadType=resumable" \
	-H 'Content-Type: application/json' -d '{"name":"slow"}' | tr -d '\r' |
	sed -n 's/^Location: //Ip')
curl -sS -o "$STIM_TMP/slow.json" -w '%{http_code}' --limit-rate 256K -X PUT "$loc" \
	-H 'Content-Range: bytes 0-1048575/1048576' --data-binary "@$W/limit.bin" \
	>"$STIM_TMP/slow.code" &
slow=$!
sleep 1
resp=$(curl -sS -w '%{http_code}' -o "$STIM_TMP/body" -X PUT "$loc" \
	-H 'Content-Range: bytes 0-1048575/1048576' --data-binary "@$W/limit.bin")
expect_eq "a second writer to the session is told to retry (503)" "$resp" 503
expect_contains "it says why" "$(cat "$STIM_TMP/body")" "Another request is writing"
wait "$slow"
expect_eq "the first writer finishes" "$(cat "$STIM_TMP/slow.code")" 200
expect_eq "with every byte" \
	"$(curl -sS "$STIM_URL/storage/v1/b/$B/o/slow?alt=media" | cmp - "$W/limit.bin" && echo same)" same

check "rm -r the bucket" gcloud storage rm -r "gs://$B"
expect_eq "no partial uploads are left over but the abandoned one" \
	"$(find "$STIM_DATA/blobs/partial" -type f | wc -l)" 1
finish
