#!/usr/bin/env bash
# IAM roles through gcloud: the predefined catalogue with its real
# permissions, custom roles made, listed, updated by etag, deleted and
# undeleted, their refusals, testable permissions and grantable roles
# (gcloud asks for the former before making a role).
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=stimulator-project
R=/v1/projects/$P/roles

expect_eq "roles/storage.objectViewer, as GCP has it" \
	"$(gcloud iam roles describe roles/storage.objectViewer --format=json |
		jq -c '[.title, .stage, (.includedPermissions | map(select(startswith("storage."))))]')" \
	'["Storage Object Viewer","GA",["storage.objects.get","storage.objects.list"]]'
expect_contains "the list holds the basic roles" \
	"$(gcloud iam roles list --format='value(name)' | tr '\n' ' ')" "roles/editor roles/iam."
expect_eq "a list's BASIC view leaves the permissions out" \
	"$(curl -sS "$STIM_URL/v1/roles?pageSize=2" | jq -c '[.roles[] | has("includedPermissions")]')" \
	'[false,false]'
page=$(curl -sS "$STIM_URL/v1/roles?pageSize=2&view=FULL")
expect_eq "pages, by name" \
	"$(curl -sS "$STIM_URL/v1/roles?pageSize=1&pageToken=$(jq -r .nextPageToken <<<"$page")" | jq -r '.roles[0].name')" \
	"$(curl -sS "$STIM_URL/v1/roles?pageSize=3" | jq -r '.roles[2].name')"
rc=0
out=$(gcloud iam roles describe roles/storage.nothing 2>&1) || rc=$?
expect_contains "an unknown role: not found" "$rc $out" "1 ERROR: (gcloud.iam.roles.describe) Roles instance [storage.nothing] not found"

check "a custom role" gcloud iam roles create reader --project $P --title "Reader" \
	--description "reads objects" --permissions storage.objects.get,storage.objects.list --stage GA
json=$(gcloud iam roles describe reader --project $P --format=json)
expect_eq "as given" "$(jq -c '[.name, .title, .description, .stage, .includedPermissions]' <<<"$json")" \
	"[\"projects/$P/roles/reader\",\"Reader\",\"reads objects\",\"GA\",[\"storage.objects.get\",\"storage.objects.list\"]]"
rc=0
out=$(gcloud iam roles create reader --project $P --title "Again" --permissions storage.objects.get 2>&1) || rc=$?
expect_contains "the same id again: refused" "$rc $out" "already exists"
rc=0
out=$(gcloud iam roles create flyer --project $P --title "F" --permissions storage.objects.fly 2>&1) || rc=$?
expect_contains "a permission that is none: refused" "$rc $out" "Permission storage.objects.fly is not valid."
google_error "an id with a hyphen" \
	"$(http POST "$R" -d '{"roleId":"bad-id","role":{"title":"t"}}')" 400 badRequest INVALID_ARGUMENT
google_error "no title" "$(http POST "$R" -d '{"roleId":"untitled","role":{}}')" 400 required INVALID_ARGUMENT
check "a second role, stage left to IAM" gcloud iam roles create writer --project $P --title "Writer" \
	--permissions storage.objects.create
expect_eq "which is ALPHA" "$(gcloud iam roles describe writer --project $P --format='value(stage)')" ALPHA
expect_eq "both listed" "$(gcloud iam roles list --project $P --format='value(name)' | tr '\n' ' ')" \
	"projects/$P/roles/reader projects/$P/roles/writer "

check "a permission added" gcloud iam roles update reader --project $P --add-permissions storage.objects.create
expect_eq "kept, sorted" \
	"$(gcloud iam roles describe reader --project $P --format=json | jq -c .includedPermissions)" \
	'["storage.objects.create","storage.objects.get","storage.objects.list"]'
etag=$(curl -sS "$STIM_URL$R/reader" | jq -r .etag)
expect_eq "a patch with the current etag" \
	"$(http PATCH "$R/reader?updateMask=title" -d "{\"title\":\"Reader 2\",\"etag\":\"$etag\"}" | head -n1)" 200
google_error "the same etag again: stale" \
	"$(http PATCH "$R/reader?updateMask=title" -d "{\"title\":\"Reader 3\",\"etag\":\"$etag\"}")" \
	409 aborted ABORTED
expect_eq "the title of the write that was taken" \
	"$(gcloud iam roles describe reader --project $P --format='value(title)')" "Reader 2"

check "deleted" gcloud iam roles delete writer --project $P
expect_eq "gone from the list" "$(gcloud iam roles list --project $P --format='value(name)')" \
	"projects/$P/roles/reader"
expect_eq "but shown with --show-deleted, as deleted" \
	"$(gcloud iam roles list --project $P --show-deleted --format=json | jq -c 'map(select(.deleted)) | map(.name)')" \
	"[\"projects/$P/roles/writer\"]"
rc=0
out=$(gcloud iam roles update writer --project $P --title X 2>&1) || rc=$?
expect_contains "a deleted role is not updated" "$rc $out" "deleted role"
check "undeleted" gcloud iam roles undelete writer --project $P
expect_eq "listed again" "$(gcloud iam roles list --project $P --format='value(name)' | wc -l)" 2

n=$(gcloud iam list-testable-permissions "//cloudresourcemanager.googleapis.com/projects/$P" \
	--format='value(name)' | wc -l)
expect_eq "every permission is testable on a project" "$((n > 200))" 1
expect_eq "only storage's on a bucket" \
	"$(gcloud iam list-testable-permissions //storage.googleapis.com/projects/_/buckets/b1 \
		--format='value(name)' | grep -vc '^storage\.')" 0
expect_contains "roles grantable on a service account" \
	"$(gcloud iam list-grantable-roles "//iam.googleapis.com/projects/$P/serviceAccounts/x@$P.iam.gserviceaccount.com" \
		--format='value(name)' | tr '\n' ' ')" "roles/iam.serviceAccountUser"
google_error "a resource that is none" \
	"$(http POST /v1/permissions:queryTestablePermissions -d '{"fullResourceName":"projects/x"}')" \
	400 badRequest INVALID_ARGUMENT
finish
