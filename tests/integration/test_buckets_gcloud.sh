#!/usr/bin/env bash
# Cloud Storage buckets through the real gcloud, configured only by
# `stimulator env`: create (with flags), list, describe, update (versioning,
# labels, lifecycle, classes), conflicts and refusals, ls, bucket IAM,
# delete, and state that survives a daemon restart.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
B=itest-bkt-$$
B2=itest-bkt2-$$
OTHER=itest-other-$$

out=$(gcloud storage buckets create "gs://$B" --location=US 2>&1) || true
expect_contains "buckets create" "$out" "Creating gs://$B/"
check "buckets create with a class, uniform access and a region" \
	gcloud storage buckets create "gs://$B2" --location=us-central1 \
	--default-storage-class=nearline --uniform-bucket-level-access

list=$(gcloud storage buckets list --format='value(name)')
expect_contains "buckets list shows the first bucket" "$list" "$B"
expect_contains "buckets list shows the second bucket" "$list" "$B2"
expect_contains "ls lists buckets" "$(gcloud storage ls 2>&1)" "gs://$B2/"

desc=$(gcloud storage buckets describe "gs://$B" --raw --format=json)
expect_eq "describe: name" "$(jq -r .name <<<"$desc")" "$B"
expect_eq "describe: id" "$(jq -r .id <<<"$desc")" "$B"
expect_eq "describe: location" "$(jq -r .location <<<"$desc")" US
expect_eq "describe: locationType" "$(jq -r .locationType <<<"$desc")" multi-region
expect_eq "describe: default class" "$(jq -r .storageClass <<<"$desc")" STANDARD
expect_eq "describe: metageneration" "$(jq -r .metageneration <<<"$desc")" 1
expect_eq "describe: etag" "$(jq -r .etag <<<"$desc")" "CAE="
expect_eq "describe: rpo" "$(jq -r .rpo <<<"$desc")" DEFAULT
expect_eq "describe: soft delete" "$(jq -r .softDeletePolicy.retentionDurationSeconds <<<"$desc")" \
	604800
expect_eq "describe: selfLink" "$(jq -r .selfLink <<<"$desc")" "$STIM_URL/storage/v1/b/$B"
number=$(jq -r .projectNumber <<<"$desc")
expect_eq "describe: the default project's number" "$number" \
	"$(gcloud projects describe stimulator-project --format='value(projectNumber)')"

desc=$(gcloud storage buckets describe "gs://$B2" --format=json)
expect_eq "describe: region upper-cased" "$(jq -r .location <<<"$desc")" US-CENTRAL1
expect_eq "describe: region type" "$(jq -r .location_type <<<"$desc")" region
expect_eq "describe: --default-storage-class" "$(jq -r .default_storage_class <<<"$desc")" \
	NEARLINE
expect_eq "describe: --uniform-bucket-level-access" \
	"$(jq -r .uniform_bucket_level_access <<<"$desc")" true

check "update --versioning" gcloud storage buckets update "gs://$B" --versioning
check "update --update-labels" gcloud storage buckets update "gs://$B" \
	--update-labels=env=dev,team=core
desc=$(gcloud storage buckets describe "gs://$B" --raw --format=json)
expect_eq "versioning is on" "$(jq -r .versioning.enabled <<<"$desc")" true
expect_eq "labels are set" "$(jq -c .labels <<<"$desc")" '{"env":"dev","team":"core"}'
expect_eq "each update adds one to the metageneration" "$(jq -r .metageneration <<<"$desc")" 3
check "update --remove-labels" gcloud storage buckets update "gs://$B" --remove-labels=team
expect_eq "a removed label is gone (patch: null)" \
	"$(gcloud storage buckets describe "gs://$B" --raw --format=json | jq -c .labels)" \
	'{"env":"dev"}'
check "update --clear-labels" gcloud storage buckets update "gs://$B" --clear-labels
expect_eq "cleared labels are gone" \
	"$(gcloud storage buckets describe "gs://$B" --raw --format=json | jq -c .labels)" null

cat >"$STIM_TMP/lifecycle.json" <<'EOF'
{"rule": [{"action": {"type": "Delete"}, "condition": {"age": 30, "matchesPrefix": ["tmp/"]}},
          {"action": {"type": "SetStorageClass", "storageClass": "COLDLINE"},
           "condition": {"age": 90, "isLive": true}}]}
EOF
check "update --lifecycle-file" gcloud storage buckets update "gs://$B" \
	--lifecycle-file="$STIM_TMP/lifecycle.json"
expect_eq "lifecycle rules are stored as given" \
	"$(gcloud storage buckets describe "gs://$B" --raw --format=json | jq -cS .lifecycle)" \
	"$(jq -cS . "$STIM_TMP/lifecycle.json")"
check "update --default-storage-class" gcloud storage buckets update "gs://$B" \
	--default-storage-class=archive
expect_eq "the class changed" \
	"$(gcloud storage buckets describe "gs://$B" --format='value(default_storage_class)')" ARCHIVE

out=$(gcloud storage buckets create "gs://$B" 2>&1) && rc=0 || rc=$?
expect_eq "a duplicate name is refused" "$rc" 1
expect_contains "gcloud reports the conflict with GCS's words" "$out" \
	"ALREADY_EXISTS: Your previous request to create the named bucket succeeded and you already own it."
gcloud projects create "$OTHER" >/dev/null 2>&1
out=$(gcloud storage buckets create "gs://$B" --project "$OTHER" 2>&1) && rc=0 || rc=$?
expect_contains "names are global: another project cannot take one" "$out" \
	"The requested bucket name is not available."
for bad in Bad_Name goog-bucket my-google-bucket 192.168.5.4 -dash; do
	out=$(gcloud storage buckets create "gs://$bad" 2>&1) && rc=0 || rc=$?
	expect_eq "an invalid name is refused: $bad" "$rc" 1
done
out=$(gcloud storage buckets describe "gs://nope-$$" 2>&1) && rc=0 || rc=$?
expect_contains "a missing bucket is 404" "$out" "gs://nope-$$ not found: 404."

check "add-iam-policy-binding" gcloud storage buckets add-iam-policy-binding "gs://$B" \
	--member=user:alice@example.com --role=roles/storage.objectViewer
policy=$(gcloud storage buckets get-iam-policy "gs://$B" --format=json)
expect_eq "get-iam-policy shows the new binding" \
	"$(jq -r '.bindings[] | select(.role == "roles/storage.objectViewer") | .members[]' \
		<<<"$policy")" user:alice@example.com
expect_eq "get-iam-policy keeps the default owners" \
	"$(jq -r '.bindings[] | select(.role == "roles/storage.legacyBucketOwner") | .members | join(",")' \
		<<<"$policy")" "projectEditor:stimulator-project,projectOwner:stimulator-project"
check "a second binding (read-modify-write with the new etag)" \
	gcloud storage buckets add-iam-policy-binding "gs://$B" \
	--member=group:ops@example.com --role=roles/storage.objectAdmin
check "remove-iam-policy-binding" gcloud storage buckets remove-iam-policy-binding "gs://$B" \
	--member=user:alice@example.com --role=roles/storage.objectViewer
members=$(gcloud storage buckets get-iam-policy "gs://$B" --format=json |
	jq -r '[.bindings[].members[]] | join(",")')
expect_contains "the other binding stays" "$members" group:ops@example.com
case "$members" in
*alice*) fail "the removed member is gone" "members: $members" ;;
*) pass "the removed member is gone" ;;
esac

# rm -r reads the object list, which the objects work serves; until then
# delete the (empty) bucket directly.
if curl -fs -o /dev/null "$STIM_URL/storage/v1/b/$B2/o"; then
	check "rm -r on an empty bucket" gcloud storage rm -r "gs://$B2"
else
	echo "# skip rm -r: GET /storage/v1/b/{bucket}/o is not served yet"
	check "buckets delete" gcloud storage buckets delete "gs://$B2"
fi
list=$(gcloud storage buckets list --format='value(name)')
case "$list" in
*"$B2"*) fail "a deleted bucket leaves the list" "list: $list" ;;
*) pass "a deleted bucket leaves the list" ;;
esac
out=$(gcloud storage buckets delete "gs://$B2" 2>&1) && rc=0 || rc=$?
expect_contains "deleting it again is 404" "$out" "not found: 404"

# Restart: the same data dir, everything as it was.
stim_stop && rc=0 || rc=$?
expect_eq "SIGTERM stops the daemon cleanly" "$rc" 0
stim_start
gcloud_env
desc=$(gcloud storage buckets describe "gs://$B" --raw --format=json)
expect_eq "after a restart: versioning" "$(jq -r .versioning.enabled <<<"$desc")" true
expect_eq "after a restart: the class" "$(jq -r .storageClass <<<"$desc")" ARCHIVE
expect_eq "after a restart: the lifecycle" "$(jq -cS .lifecycle <<<"$desc")" \
	"$(jq -cS . "$STIM_TMP/lifecycle.json")"
expect_eq "after a restart: the project number" "$(jq -r .projectNumber <<<"$desc")" "$number"
expect_contains "after a restart: the IAM policy" \
	"$(gcloud storage buckets get-iam-policy "gs://$B" --format=json)" group:ops@example.com
check "buckets delete after a restart" gcloud storage buckets delete "gs://$B"
check_fails "and it is gone" gcloud storage buckets describe "gs://$B"

finish
