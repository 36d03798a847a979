#!/usr/bin/env bash
# The Cloud Storage bucket API through curl: Google-shaped errors for bad
# names, bad JSON, bad fields, missing buckets and projects, conflicts and
# failed preconditions (412, and 304 on GET), IAM etags in either base64
# alphabet, paging, and the small resources gcloud reads around a delete.
. "$(dirname "$0")/lib.sh"

stim_start
P=stimulator-project
B=itest-curl-$$

insert() {
	http POST "/storage/v1/b?project=$P" -H 'Content-Type: application/json' -d "$1"
}

resp=$(insert "{\"name\": \"$B\", \"location\": \"eu\", \"labels\": {\"env\": \"dev\"}}")
expect_eq "insert: 200" "$(head -n1 <<<"$resp")" 200
body=$(tail -n +2 <<<"$resp")
expect_eq "insert: the resource" \
	"$(jq -c '[.kind, .id, .location, .locationType, .metageneration, .etag, .labels.env]' \
		<<<"$body")" \
	"[\"storage#bucket\",\"$B\",\"EU\",\"multi-region\",\"1\",\"CAE=\",\"dev\"]"
expect_eq "insert: selfLink" "$(jq -r .selfLink <<<"$body")" "$STIM_URL/storage/v1/b/$B"

# Names GCS refuses, checked by the daemon itself.
for bad in ab Bad_Name "has space" -start end- goog-x my-google-x my-g00gle-x 10.1.2.3 a..b \
	"$(printf 'x%.0s' $(seq 64))"; do
	google_error "invalid name '$bad'" "$(insert "{\"name\": \"$bad\"}")" 400 invalid
done
google_error "duplicate name" "$(insert "{\"name\": \"$B\"}")" 409 conflict
google_error "bad JSON" "$(insert '{"name": ')" 400 badRequest
google_error "JSON that is not an object" "$(insert '[1]')" 400 badRequest
google_error "unknown field" "$(insert '{"name": "itest-x-1", "colour": 1}')" 400 badRequest
google_error "a real field the emulator lacks" \
	"$(insert '{"name": "itest-x-1", "cors": [{"origin": ["*"]}]}')" 400 invalid
google_error "wrong type" "$(insert '{"name": "itest-x-1", "versioning": {"enabled": 1}}')" \
	400 badRequest
google_error "bad location" "$(insert '{"name": "itest-x-1", "location": "mars"}')" 400 invalid
google_error "bad storage class" "$(insert '{"name": "itest-x-1", "storageClass": "HOT"}')" \
	400 invalid
google_error "bad lifecycle action" \
	"$(insert '{"name": "itest-x-1", "lifecycle": {"rule": [{"action": {"type": "Nuke"}, "condition": {"age": 1}}]}}')" \
	400 invalid
google_error "lifecycle rule without a condition" \
	"$(insert '{"name": "itest-x-1", "lifecycle": {"rule": [{"action": {"type": "Delete"}}]}}')" \
	400 invalid
resp=$(http POST /storage/v1/b -d '{"name": "itest-x-1"}')
google_error "no project parameter" "$resp" 400 required
expect_contains "no project parameter: GCS's words" "$resp" "Required parameter: project"
google_error "unknown project" \
	"$(http POST /storage/v1/b?project=no-such-project -d '{"name": "itest-x-1"}')" 404 notFound
google_error "list of an unknown project" "$(http GET /storage/v1/b?project=no-such-project)" \
	404 notFound

google_error "missing bucket" "$(http GET /storage/v1/b/itest-missing-$$)" 404 notFound
google_error "patch of a missing bucket" "$(http PATCH /storage/v1/b/itest-missing-$$ -d '{}')" \
	404 notFound
google_error "layout of a missing bucket" \
	"$(http GET /storage/v1/b/itest-missing-$$/storageLayout)" 404 notFound
google_error "IAM of a missing bucket" "$(http GET /storage/v1/b/itest-missing-$$/iam)" 404 \
	notFound
google_error "wrong method" "$(http POST /storage/v1/b/$B)" 405 methodNotAllowed

# Preconditions: 412 conditionNotMet, and 304 for a GET whose NotMatch holds.
google_error "GET ifMetagenerationMatch wrong" \
	"$(http GET "/storage/v1/b/$B?ifMetagenerationMatch=7")" 412 conditionNotMet
expect_eq "GET ifMetagenerationMatch right" \
	"$(http GET "/storage/v1/b/$B?ifMetagenerationMatch=1" | head -n1)" 200
expect_eq "GET ifMetagenerationNotMatch current: 304" \
	"$(http GET "/storage/v1/b/$B?ifMetagenerationNotMatch=1" | head -n1)" 304
google_error "PATCH ifMetagenerationMatch wrong" \
	"$(http PATCH "/storage/v1/b/$B?ifMetagenerationMatch=2" -d '{"versioning": {"enabled": true}}')" \
	412 conditionNotMet
google_error "PATCH ifMetagenerationNotMatch current" \
	"$(http PATCH "/storage/v1/b/$B?ifMetagenerationNotMatch=1" -d '{}')" 412 conditionNotMet
google_error "bad precondition value" "$(http GET "/storage/v1/b/$B?ifMetagenerationMatch=x")" \
	400 invalid

resp=$(http PATCH "/storage/v1/b/$B?ifMetagenerationMatch=1&projection=full" \
	-d '{"labels": {"env": null, "team": "core"}, "versioning": {"enabled": true}}')
expect_eq "PATCH with the right precondition" "$(head -n1 <<<"$resp")" 200
expect_eq "PATCH: labels merged, null removes" "$(tail -n +2 <<<"$resp" | jq -c .labels)" \
	'{"team":"core"}'
expect_eq "PATCH: metageneration and etag move together" \
	"$(tail -n +2 <<<"$resp" | jq -c '[.metageneration, .etag, .versioning.enabled]')" \
	'["2","CAI=",true]'
google_error "PATCH cannot move a bucket" "$(http PATCH "/storage/v1/b/$B" -d '{"location": "US"}')" \
	400 invalid
resp=$(http PUT "/storage/v1/b/$B" -d "{\"name\": \"$B\", \"storageClass\": \"COLDLINE\"}")
expect_eq "PUT replaces: absent labels and versioning are reset" \
	"$(tail -n +2 <<<"$resp" | jq -c '[.storageClass, .labels, .versioning.enabled, .metageneration]')" \
	'["COLDLINE",null,false,"3"]'

# Bucket IAM: the etag is a bytes field; gcloud sends it back URL-safe.
policy=$(http GET "/storage/v1/b/$B/iam?optionsRequestedPolicyVersion=3" | tail -n +2)
expect_eq "IAM policy: shape" "$(jq -c '[.kind, .resourceId, .version, .etag]' <<<"$policy")" \
	"[\"storage#policy\",\"projects/_/buckets/$B\",1,\"CAM=\"]"
stale=$(jq -r .etag <<<"$policy")
urlsafe=$(tr '+/' '-_' <<<"$stale" | tr -d '=')
new=$(jq -c --arg e "$urlsafe" '.etag = $e | .version = 3 |
	.bindings += [{"role": "roles/storage.objectViewer", "members": ["user:a@example.com"]}]' \
	<<<"$policy")
resp=$(http PUT "/storage/v1/b/$B/iam" -d "$new")
expect_eq "setIamPolicy with the etag re-encoded URL-safe" "$(head -n1 <<<"$resp")" 200
expect_eq "setIamPolicy: a new etag" "$(tail -n +2 <<<"$resp" | jq -r .etag)" "CAQ="
google_error "setIamPolicy with a stale etag" "$(http PUT "/storage/v1/b/$B/iam" -d "$new")" \
	412 conditionNotMet
google_error "setIamPolicy with a bad member" \
	"$(http PUT "/storage/v1/b/$B/iam" -d '{"bindings": [{"role": "roles/x", "members": ["bob"]}]}')" \
	400 invalid
expect_eq "the bucket's metageneration moved with the policy" \
	"$(http GET "/storage/v1/b/$B" | tail -n +2 | jq -r .metageneration)" 4

expect_eq "storageLayout" "$(http GET "/storage/v1/b/$B/storageLayout" | tail -n +2 | jq -c .)" \
	"{\"kind\":\"storage#storageLayout\",\"bucket\":\"$B\",\"location\":\"EU\",\"locationType\":\"multi-region\",\"hierarchicalNamespace\":{\"enabled\":false}}"
expect_eq "managedFolders: an empty list" \
	"$(http GET "/storage/v1/b/$B/managedFolders?pageSize=1000" | tail -n +2 | jq -c .)" \
	'{"kind":"storage#managedFolders"}'

# Paging: five buckets with a prefix, two a page, each once.
for i in 1 2 3 4 5; do
	insert "{\"name\": \"$B-page-$i\"}" >/dev/null
done
seen=$(paginate "/storage/v1/b?project=$P&prefix=$B-page-&maxResults=2" '.items[]?.name')
expect_eq "paging visits each bucket once" "$seen" \
	"$B-page-1 $B-page-2 $B-page-3 $B-page-4 $B-page-5 "
number=$(http GET "/storage/v1/b/$B" | tail -n +2 | jq -r .projectNumber)
expect_eq "list by project number" \
	"$(http GET "/storage/v1/b?project=$number&prefix=$B-page-" | tail -n +2 | jq '.items | length')" 5
expect_eq "an empty list has no items" \
	"$(http GET "/storage/v1/b?project=$P&prefix=nothing-here" | tail -n +2 | jq -c .)" \
	'{"kind":"storage#buckets"}'
google_error "a bad page token" "$(http GET "/storage/v1/b?project=$P&pageToken=!!")" 400 invalid

google_error "DELETE ifMetagenerationMatch wrong" \
	"$(http DELETE "/storage/v1/b/$B?ifMetagenerationMatch=1")" 412 conditionNotMet
resp=$(http DELETE "/storage/v1/b/$B?ifMetagenerationMatch=4")
expect_eq "DELETE: 204" "$(head -n1 <<<"$resp")" 204
expect_eq "DELETE: no body" "$(tail -n +2 <<<"$resp")" ""
google_error "DELETE again" "$(http DELETE "/storage/v1/b/$B")" 404 notFound
expect_eq "the daemon lives on after all of the above" "$(http GET /health/live | head -n1)" 200

finish
