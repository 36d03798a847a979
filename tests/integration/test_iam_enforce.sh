#!/usr/bin/env bash
# serve --auth enforce through real gcloud: the owner --owner names, with
# a token from `stimulator token` in CLOUDSDK_AUTH_ACCESS_TOKEN_FILE, sets
# things up; a service account activated from its key file is denied
# without a binding, reads but does not write with objectViewer, writes
# only the bucket a bucket-level binding names; a custom role grants what
# it holds; conditions on the object's name and on the time hold; a disabled key and a bad token get 401 with Google's error;
# allUsers opens a bucket to callers without a token; whoever makes a
# project owns it.
. "$(dirname "$0")/lib.sh"

stim_start --auth enforce --owner user:admin@example.com
gcloud_env
P=stimulator-project
E=enf-sa@$P.iam.gserviceaccount.com
cd "$STIM_TMP"
"$STIMULATOR" token --principal user:admin@example.com --data-dir "$STIM_DATA" >admin.tok

expect_eq "stimulator env leaves gcloud's credentials on under enforce" \
	"${CLOUDSDK_AUTH_DISABLE_CREDENTIALS:-unset}" unset
google_error "no token: 401" "$(http GET "/storage/v1/b?project=$P")" 401 required UNAUTHENTICATED
google_error "a token that is none of ours: 401" \
	"$(http GET "/storage/v1/b?project=$P" -H 'Authorization: Bearer ya29.forged')" \
	401 authError UNAUTHENTICATED
expect_eq "the owner --owner named" \
	"$(http POST "/v1/projects/$P:getIamPolicy" -H "Authorization: Bearer $(cat admin.tok)" |
		tail -n +2 | jq -c '.bindings')" '[{"role":"roles/owner","members":["user:admin@example.com"]}]'

# The owner sets up, with its token in a file, as gcloud reads one.
as_admin() { CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$STIM_TMP/admin.tok "$@"; }
echo one >one.txt
check "the owner makes two buckets" as_admin gcloud storage buckets create gs://enf-one gs://enf-two
check "and writes an object in each" as_admin gcloud storage cp one.txt gs://enf-one/a.txt
check "..." as_admin gcloud storage cp one.txt gs://enf-two/a.txt
check "an account" as_admin gcloud iam service-accounts create enf-sa
check "and its key" as_admin gcloud iam service-accounts keys create key.json --iam-account "$E"

check "gcloud auth activate-service-account" gcloud auth activate-service-account --key-file=key.json
sa_token=$(gcloud auth print-access-token)
rc=0
out=$(gcloud storage ls gs://enf-one 2>&1) || rc=$?
expect_contains "without a binding: denied, the permission named" "$rc $out" \
	"does not have storage.objects.list access"
check "objectViewer on the project" as_admin gcloud projects add-iam-policy-binding $P \
	--member "serviceAccount:$E" --role roles/storage.objectViewer
expect_eq "then it reads one bucket" "$(gcloud storage cat gs://enf-one/a.txt)" one
expect_eq "and the other" "$(gcloud storage cat gs://enf-two/a.txt)" one
rc=0
out=$(gcloud storage cp one.txt gs://enf-one/b.txt 2>&1) || rc=$?
expect_contains "but writes neither" "$rc $out" "does not have storage.objects.create access"
check "objectAdmin on enf-two alone" as_admin gcloud storage buckets add-iam-policy-binding \
	gs://enf-two --member "serviceAccount:$E" --role roles/storage.objectAdmin
check "a write to enf-two" gcloud storage cp one.txt gs://enf-two/b.txt
expect_eq "testIamPermissions on the project: what the account holds" \
	"$(http POST "/v1/projects/$P:testIamPermissions" -H "Authorization: Bearer $sa_token" \
		-d '{"permissions":["storage.objects.get","storage.objects.create"]}' | tail -n +2 | jq -c .)" \
	'{"permissions":["storage.objects.get"]}'
expect_eq "and on enf-two, Cloud Storage's way" \
	"$(http GET "/storage/v1/b/enf-two/iam/testPermissions?permissions=storage.objects.create&permissions=storage.buckets.delete" \
		-H "Authorization: Bearer $sa_token" | tail -n +2 | jq -c .permissions)" '["storage.objects.create"]'

rc=0
out=$(gcloud storage cp one.txt gs://enf-one/b.txt 2>&1) || rc=$?
expect_contains "none to enf-one" "$rc $out" "does not have storage.objects.create access"
rc=0
out=$(gcloud storage buckets create gs://enf-three 2>&1) || rc=$?
expect_contains "nor a bucket of its own" "$rc $out" "storage.buckets.create"
expect_eq "the owner reads what the account wrote (the default object ACL)" \
	"$(as_admin gcloud storage cat gs://enf-two/b.txt)" one

# A user with a custom role, by token.
check "a custom role holding storage.objects.get" as_admin gcloud iam roles create objGetter \
	--project $P --title "Object getter" --permissions storage.objects.get
check "granted to carol" as_admin gcloud projects add-iam-policy-binding $P \
	--member user:carol@example.com --role "projects/$P/roles/objGetter"
carol=$("$STIMULATOR" token --principal user:carol@example.com --data-dir "$STIM_DATA")
expect_eq "carol gets an object" \
	"$(http GET /storage/v1/b/enf-one/o/a.txt?alt=media -H "Authorization: Bearer $carol")" "200
one"
google_error "but lists nothing" \
	"$(http GET /storage/v1/b/enf-one/o -H "Authorization: Bearer $carol")" 403 forbidden \
	PERMISSION_DENIED
check "the role deleted" as_admin gcloud iam roles delete objGetter --project $P
google_error "then it grants nothing" \
	"$(http GET /storage/v1/b/enf-one/o/a.txt -H "Authorization: Bearer $carol")" 403 forbidden \
	PERMISSION_DENIED

# Conditions: evaluated on the object asked for, and on the time.
check "a public/ prefix in enf-one" as_admin gcloud storage cp one.txt gs://enf-one/pub/p.txt
check "dave may read under it, by a condition" as_admin gcloud storage buckets add-iam-policy-binding \
	gs://enf-one --member user:dave@example.com --role roles/storage.objectViewer \
	--condition='expression=resource.name.startsWith("projects/_/buckets/enf-one/objects/pub/"),title=pub only'
dave=$("$STIMULATOR" token --principal user:dave@example.com --data-dir "$STIM_DATA")
expect_eq "dave reads pub/p.txt" \
	"$(http GET /storage/v1/b/enf-one/o/pub%2Fp.txt?alt=media -H "Authorization: Bearer $dave")" "200
one"
google_error "but not a.txt, outside the prefix" \
	"$(http GET /storage/v1/b/enf-one/o/a.txt?alt=media -H "Authorization: Bearer $dave")" \
	403 forbidden PERMISSION_DENIED
check "erin, until a time already past" as_admin gcloud storage buckets add-iam-policy-binding \
	gs://enf-one --member user:erin@example.com --role roles/storage.objectViewer \
	--condition='expression=request.time < timestamp("2020-01-01T00:00:00Z"),title=expired'
erin=$("$STIMULATOR" token --principal user:erin@example.com --data-dir "$STIM_DATA")
google_error "erin's grant has expired" \
	"$(http GET /storage/v1/b/enf-one/o/a.txt?alt=media -H "Authorization: Bearer $erin")" \
	403 forbidden PERMISSION_DENIED

# Anyone, with allUsers.
google_error "no token, a private object" "$(http GET /storage/v1/b/enf-one/o/a.txt?alt=media)" \
	401 required UNAUTHENTICATED
check "allUsers may read enf-one" as_admin gcloud storage buckets add-iam-policy-binding \
	gs://enf-one --member allUsers --role roles/storage.objectViewer --condition=None
expect_eq "then anyone does, without a token" \
	"$(http GET /storage/v1/b/enf-one/o/a.txt?alt=media)" "200
one"

# Whoever makes a project owns it.
check "the account makes a project" gcloud projects create enf-sa-made --no-enable-cloud-apis
expect_eq "and owns it" \
	"$(gcloud projects get-iam-policy enf-sa-made --format=json | jq -c '.bindings')" \
	"[{\"members\":[\"serviceAccount:$E\"],\"role\":\"roles/owner\"}]"
# objectViewer holds resourcemanager.projects.get, as in GCP.
expect_eq "the account lists its own project and the one it views objects in" \
	"$(gcloud projects list --format='value(projectId)' | sort | tr '\n' ' ')" "enf-sa-made $P "
expect_eq "the owner's: the ones it owns" \
	"$(as_admin gcloud projects list --format='value(projectId)')" $P
rc=0
out=$(as_admin gcloud projects get-iam-policy enf-sa-made 2>&1) || rc=$?
expect_contains "which the daemon's owner is not" "$rc $out" "resourcemanager.projects.getIamPolicy"

# A disabled key ends the account's tokens.
key=$(as_admin gcloud iam service-accounts keys list --iam-account "$E" --format='value(name.basename())')
check "the key disabled" as_admin gcloud iam service-accounts keys disable "$key" --iam-account "$E"
rc=0
out=$(gcloud storage cat gs://enf-two/a.txt 2>&1) || rc=$?
google_error "its token, sent by hand: 401" \
	"$(http GET /storage/v1/b/enf-two/o/a.txt -H "Authorization: Bearer $sa_token")" 401 authError \
	UNAUTHENTICATED
# gcloud's cached token gets a 401, and its refresh with the key is refused.
expect_contains "the cached token is refused, and no new one granted" "$rc $out" \
	"invalid_grant: Invalid JWT Signature."
finish
