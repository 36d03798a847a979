#!/usr/bin/env bash
# Resource Manager and Service Usage through the real gcloud, configured only
# by `stimulator env`: create, list, describe, update, delete, undelete,
# refusals, services, and state that survives a daemon restart.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=itest-proj-$$

out=$(gcloud projects create "$P" --name="Integration One" --labels=env=dev 2>&1) || true
expect_contains "projects create waits for the operation" "$out" "Waiting for [operations/cp."
expect_contains "projects create enables cloudapis" "$out" \
	"Enabling service [cloudapis.googleapis.com] on project [$P]"

expect_eq "the default project exists from the first start" \
	"$(gcloud projects describe stimulator-project --format='value(lifecycleState)')" ACTIVE

list=$(gcloud projects list --format='value(projectId)')
expect_contains "projects list shows the new project" "$list" "$P"
expect_contains "projects list shows the default project" "$list" stimulator-project

desc=$(gcloud projects describe "$P" --format=json)
expect_eq "describe: name" "$(jq -r .name <<<"$desc")" "Integration One"
expect_eq "describe: labels" "$(jq -c .labels <<<"$desc")" '{"env":"dev"}'
expect_eq "describe: state" "$(jq -r .lifecycleState <<<"$desc")" ACTIVE
number=$(jq -r .projectNumber <<<"$desc")
check "describe: a twelve-digit project number" grep -Eq '^[1-9][0-9]{11}$' <<<"$number"
expect_eq "describe by number finds the same project" \
	"$(gcloud projects describe "$number" --format='value(projectId)')" "$P"

check "projects update --name" gcloud projects update "$P" --name="Renamed One"
expect_eq "the new name is stored" \
	"$(gcloud projects describe "$P" --format='value(name)')" "Renamed One"
expect_eq "update keeps the labels" \
	"$(gcloud projects describe "$P" --format='value(labels.env)')" dev

out=$(gcloud projects create "$P" 2>&1) && rc=0 || rc=$?
expect_eq "a duplicate id is refused" "$rc" 1
expect_contains "gcloud reports the conflict (409)" "$out" "already in use by another project"

out=$(gcloud projects describe no-such-project-$$ 2>&1) && rc=0 || rc=$?
expect_eq "an unknown project is an error" "$rc" 1
expect_contains "an unknown project reads as permission denied, as on GCP" "$out" \
	"does not have permission to access projects instance [no-such-project-$$]"

# gcloud checks ids itself; the daemon must refuse them too (curl below).
check_fails "gcloud refuses an invalid id" gcloud projects create Bad_Id

check "services enable (two at once: batchEnable)" \
	gcloud services enable compute.googleapis.com storage.googleapis.com --project "$P"
enabled=$(gcloud services list --project "$P" --format='value(config.name)')
expect_contains "services list shows compute" "$enabled" compute.googleapis.com
expect_contains "services list shows storage" "$enabled" storage.googleapis.com
expect_contains "services list shows cloudapis (from create)" "$enabled" cloudapis.googleapis.com
check "services disable" gcloud services disable storage.googleapis.com --project "$P"
enabled=$(gcloud services list --project "$P" --format='value(config.name)')
case "$enabled" in
*storage.googleapis.com*) fail "disabled service left the list" "list: $enabled" ;;
*) pass "disabled service left the list" ;;
esac
check_fails "an unknown service is refused" gcloud services enable not-a-service --project "$P"

check "projects delete" gcloud projects delete "$P"
expect_eq "a deleted project is DELETE_REQUESTED" \
	"$(gcloud projects describe "$P" --format='value(lifecycleState)')" DELETE_REQUESTED
list=$(gcloud projects list --format='value(projectId)')
case "$list" in
*"$P"*) fail "projects list hides deleted projects" "list: $list" ;;
*) pass "projects list hides deleted projects" ;;
esac
check_fails "a deleted project's id cannot be reused" gcloud projects create "$P"
check_fails "a deleted project cannot be deleted again" gcloud projects delete "$P"
check "projects undelete" gcloud projects undelete "$P"
expect_eq "an undeleted project is ACTIVE" \
	"$(gcloud projects describe "$P" --format='value(lifecycleState)')" ACTIVE
check_fails "an active project cannot be undeleted" gcloud projects undelete "$P"

# gcloud pushes --filter down to the server, wrapped as
# `lifecycleState:ACTIVE AND (...)`, with OR, NOT and parentheses.
gcloud projects create "$P-a" --name="Filter Alpha" --labels=env=dev,team=core >/dev/null 2>&1
gcloud projects create "$P-b" --name="Filter Beta" --labels=env=prod >/dev/null 2>&1
filtered() {
	gcloud projects list --filter="$1 AND id:$P-*" --format='value(projectId)' | tr '\n' ' '
}
expect_eq "filter labels.env=dev" "$(filtered 'labels.env=dev')" "$P-a "
expect_eq "filter quoted name prefix" "$(filtered 'name:"Filter B*"')" "$P-b "
expect_eq "filter label present" "$(filtered 'labels.team:*')" "$P-a "
expect_eq "filter OR" "$(filtered '(labels.env=dev OR labels.env=prod)')" "$P-a $P-b "
expect_eq "filter NOT" "$(filtered 'NOT labels.env=dev')" "$P-b "
expect_eq "filter !=" "$(filtered 'labels.env!=prod')" "$P-a "

# Restart: SIGTERM, a clean exit, then the same data dir.
stim_stop && rc=0 || rc=$?
expect_eq "SIGTERM stops the daemon cleanly" "$rc" 0
stim_start
gcloud_env
desc=$(gcloud projects describe "$P" --format=json)
expect_eq "after a restart: the name" "$(jq -r .name <<<"$desc")" "Renamed One"
expect_eq "after a restart: the same number" "$(jq -r .projectNumber <<<"$desc")" "$number"
expect_eq "after a restart: the labels" "$(jq -c .labels <<<"$desc")" '{"env":"dev"}'
enabled=$(gcloud services list --project "$P" --format='value(config.name)')
expect_contains "after a restart: enabled services" "$enabled" compute.googleapis.com

finish
