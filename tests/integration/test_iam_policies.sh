#!/usr/bin/env bash
# IAM policies of projects and service accounts through gcloud's
# read-modify-write (add/remove-iam-policy-binding, set-iam-policy) and
# curl: bindings and conditions kept and returned, version 3 needed to
# read a conditional policy, a stale etag refused with 409 as IAM does, an
# etag gcloud re-encoded URL-safe taken, bad members and roles refused,
# unknown projects and accounts answered as GCP answers them.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=stimulator-project
E=sa-pol@$P.iam.gserviceaccount.com
CRM=/v1/projects/$P
cd "$STIM_TMP"

json=$(gcloud projects get-iam-policy $P --format=json)
expect_eq "a project never given a policy: IAM's empty one" "$(jq -c . <<<"$json")" \
	'{"etag":"ACAB","version":1}'
check "add a binding" gcloud projects add-iam-policy-binding $P --member=user:bob@example.com \
	--role=roles/storage.admin
check "and another member to it" gcloud projects add-iam-policy-binding $P \
	--member=serviceAccount:$E --role=roles/storage.admin
json=$(gcloud projects get-iam-policy $P --format=json)
expect_eq "both members, sorted, under the role" \
	"$(jq -c '.bindings | map({role, members})' <<<"$json")" \
	"[{\"role\":\"roles/storage.admin\",\"members\":[\"serviceAccount:$E\",\"user:bob@example.com\"]}]"
expect_eq "version 1 while nothing is conditional" "$(jq .version <<<"$json")" 1
check "a conditional binding" gcloud projects add-iam-policy-binding $P \
	--member=user:ann@example.com --role=roles/storage.objectViewer \
	--condition='expression=request.time < timestamp("2030-01-01T00:00:00Z"),title=until2030,description=for now'
json=$(gcloud projects get-iam-policy $P --format=json)
expect_eq "kept with its condition" \
	"$(jq -c '.bindings[] | select(.role == "roles/storage.objectViewer") | .condition' <<<"$json")" \
	'{"description":"for now","expression":"request.time < timestamp(\"2030-01-01T00:00:00Z\")","title":"until2030"}'
expect_eq "and the policy is version 3" "$(jq .version <<<"$json")" 3
google_error "read at version 1, it is refused" \
	"$(http POST "$CRM:getIamPolicy" -d '{"options":{"requestedPolicyVersion":1}}')" \
	400 badRequest INVALID_ARGUMENT
check "the conditional binding removed" gcloud projects remove-iam-policy-binding $P \
	--member=user:ann@example.com --role=roles/storage.objectViewer --all
expect_eq "and version 1 again" "$(gcloud projects get-iam-policy $P --format='value(version)')" 1

# The etag, read-modify-write.
etag=$(http POST "$CRM:getIamPolicy" | tail -n +2 | jq -r .etag)
body() { # ETAG MEMBER
	printf '{"policy":{"version":1,"etag":"%s","bindings":[{"role":"roles/viewer","members":["%s"]}]}}' "$1" "$2"
}
expect_eq "a write with the etag just read" \
	"$(http POST "$CRM:setIamPolicy" -d "$(body "$etag" user:a@example.com)" | head -n1)" 200
google_error "the same etag again: someone wrote since" \
	"$(http POST "$CRM:setIamPolicy" -d "$(body "$etag" user:b@example.com)")" 409 aborted ABORTED
expect_contains "and nothing of it was kept" "$(gcloud projects get-iam-policy $P --format=json)" \
	'"user:a@example.com"'
gcloud projects get-iam-policy $P --format=json >policy.json
check "gcloud set-iam-policy with what it read" gcloud projects set-iam-policy $P policy.json
rc=0
out=$(gcloud projects set-iam-policy $P policy.json 2>&1) || rc=$?
expect_contains "the same file again: gcloud's conflict message" "$rc $out" \
	"There were concurrent policy changes"
etag=$(http POST "$CRM:getIamPolicy" | tail -n +2 | jq -r .etag)
urlsafe=$(tr '+/' '-_' <<<"$etag" | tr -d '=')
expect_eq "an etag in the URL-safe alphabet, unpadded, as gcloud re-encodes it" \
	"$(http POST "$CRM:setIamPolicy" -d "$(body "$urlsafe" user:c@example.com)" | head -n1)" 200

# What IAM refuses.
google_error "a member of no known type" \
	"$(http POST "$CRM:setIamPolicy" -d "$(body "" bob@example.com)")" 400 invalid INVALID_ARGUMENT
google_error "a role that is no role name" \
	"$(http POST "$CRM:setIamPolicy" -d '{"policy":{"bindings":[{"role":"admin","members":["user:a@example.com"]}]}}')" \
	400 invalid INVALID_ARGUMENT
google_error "no policy" "$(http POST "$CRM:setIamPolicy" -d '{}')" 400 required INVALID_ARGUMENT
role_body() { # ROLE
	printf '{"policy":{"bindings":[{"role":"%s","members":["user:a@example.com"]}]}}' "$1"
}
google_error "a predefined role that does not exist" \
	"$(http POST "$CRM:setIamPolicy" -d "$(role_body roles/storage.nothing)")" 400 badRequest INVALID_ARGUMENT
check "a custom role" gcloud iam roles create polReader --project $P --title R \
	--permissions storage.objects.get
expect_eq "the project's own custom role can be granted" \
	"$(http POST "$CRM:setIamPolicy" -d "$(role_body "projects/$P/roles/polReader")" | head -n1)" 200
google_error "another project's cannot" \
	"$(http POST "$CRM:setIamPolicy" -d "$(role_body projects/other-project/roles/polReader)")" \
	400 badRequest INVALID_ARGUMENT
check "the custom role deleted" gcloud iam roles delete polReader --project $P
google_error "nor a deleted one" \
	"$(http POST "$CRM:setIamPolicy" -d "$(role_body "projects/$P/roles/polReader")")" \
	400 badRequest INVALID_ARGUMENT
google_error "an unknown project: as CRM answers" \
	"$(http POST /v1/projects/no-such-project:getIamPolicy)" 403 forbidden PERMISSION_DENIED
expect_eq "Resource Manager v3 answers the same policy" \
	"$(http POST /v3/projects/$P:getIamPolicy | tail -n +2 | jq -c .bindings)" \
	"$(http POST "$CRM:getIamPolicy" | tail -n +2 | jq -c .bindings)"

# testIamPermissions: with --auth off the caller holds everything.
expect_eq "testIamPermissions answers every permission asked" \
	"$(http POST "$CRM:testIamPermissions" \
		-d '{"permissions":["compute.instances.get","storage.objects.get"]}' | tail -n +2 | jq -c .)" \
	'{"permissions":["compute.instances.get","storage.objects.get"]}'
google_error "a permission that is none" \
	"$(http POST "$CRM:testIamPermissions" -d '{"permissions":["storage.objects.fly"]}')" \
	400 badRequest INVALID_ARGUMENT
google_error "an unknown project, as CRM answers" \
	"$(http POST /v1/projects/no-such-project:testIamPermissions -d '{"permissions":["storage.objects.get"]}')" \
	403 forbidden PERMISSION_DENIED

# Service accounts.
check "an account" gcloud iam service-accounts create sa-pol
check "a binding on it" gcloud iam service-accounts add-iam-policy-binding "$E" \
	--member=user:bob@example.com --role=roles/iam.serviceAccountUser
expect_eq "read back" \
	"$(gcloud iam service-accounts get-iam-policy "$E" --format=json | jq -c '.bindings')" \
	'[{"members":["user:bob@example.com"],"role":"roles/iam.serviceAccountUser"}]'
uid=$(gcloud iam service-accounts describe "$E" --format='value(uniqueId)')
expect_eq "the same by unique id, under projects/-" \
	"$(http POST "/v1/projects/-/serviceAccounts/$uid:getIamPolicy" | tail -n +2 | jq -r '.bindings[0].role')" \
	roles/iam.serviceAccountUser
google_error "a role that grants nothing on an account is not taken there" \
	"$(http POST "/v1/projects/-/serviceAccounts/$E:setIamPolicy" -d "$(role_body roles/storage.admin)")" \
	400 badRequest INVALID_ARGUMENT
google_error "a compute permission cannot be tested on an account" \
	"$(http POST "/v1/projects/-/serviceAccounts/$E:testIamPermissions" -d '{"permissions":["compute.instances.get"]}')" \
	400 badRequest INVALID_ARGUMENT
check "removed" gcloud iam service-accounts remove-iam-policy-binding "$E" \
	--member=user:bob@example.com --role=roles/iam.serviceAccountUser
check "a binding again" gcloud iam service-accounts add-iam-policy-binding "$E" \
	--member=user:bob@example.com --role=roles/iam.serviceAccountUser
check "the account deleted" gcloud iam service-accounts delete "$E" --quiet
google_error "a deleted account has no policy to read" \
	"$(http POST "/v1/projects/-/serviceAccounts/$E:getIamPolicy")" 404 notFound NOT_FOUND
check "made again under the same email" gcloud iam service-accounts create sa-pol
expect_eq "it starts with no policy of the old one's" \
	"$(gcloud iam service-accounts get-iam-policy "$E" --format=json | jq -c .)" \
	'{"etag":"ACAB","version":1}'
finish
