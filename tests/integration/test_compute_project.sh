#!/usr/bin/env bash
# Compute Engine's project resource and operations through gcloud and curl:
# project-info describe / add-metadata / remove-metadata with fingerprints
# (a stale one is 412), the global operations those writes leave, get,
# wait, list (also aggregated), delete, and GCE's 404s.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=stimulator-project
C=/compute/v1/projects/$P

num=$(gcloud projects describe $P --format='value(projectNumber)')
expect_eq "project-info describe" \
	"$(gcloud compute project-info describe --format='value(name,defaultServiceAccount)')" \
	"$P	$num-compute@developer.gserviceaccount.com"
check "add-metadata" gcloud compute project-info add-metadata --metadata=foo=bar,team=core
check "add-metadata from a file" gcloud compute project-info add-metadata \
	--metadata-from-file=startup-script=<(printf '#!/bin/sh\necho hi\n')
expect_eq "the items are stored" \
	"$(gcloud compute project-info describe --format=json | jq -c '[.commonInstanceMetadata.items[] | [.key, .value]]')" \
	'[["foo","bar"],["startup-script","#!/bin/sh\necho hi\n"],["team","core"]]'
check "remove-metadata" gcloud compute project-info remove-metadata --keys=foo,startup-script
expect_eq "one key left" \
	"$(gcloud compute project-info describe --format='value(commonInstanceMetadata.items.map().extract(key).flatten())')" \
	"team"

# Fingerprints: a write with the current one succeeds and changes it; a
# stale one is refused with 412 and changes nothing.
fp=$(http GET "$C" | tail -n +2 | jq -r .commonInstanceMetadata.fingerprint)
resp=$(http POST "$C/setCommonInstanceMetadata" -d "{\"fingerprint\":\"$fp\",\"items\":[{\"key\":\"a\",\"value\":\"1\"}]}")
expect_eq "setCommonInstanceMetadata with the current fingerprint" "$(head -n1 <<<"$resp")" 200
op=$(tail -n +2 <<<"$resp" | jq -r .name)
expect_eq "it answers a DONE global operation" \
	"$(tail -n +2 <<<"$resp" | jq -c '[.kind, .operationType, .status, .progress, (.targetLink | endswith("/compute/v1/projects/'$P'")), (.selfLink | endswith("/global/operations/'$op'"))]')" \
	'["compute#operation","setCommonInstanceMetadata","DONE",100,true,true]'
resp=$(http POST "$C/setCommonInstanceMetadata" -d "{\"fingerprint\":\"$fp\",\"items\":[]}")
google_error "a stale fingerprint" "$resp" 412 conditionNotMet FAILED_PRECONDITION
expect_eq "it changed nothing" \
	"$(http GET "$C" | tail -n +2 | jq -c '.commonInstanceMetadata.items')" '[{"key":"a","value":"1"}]'
url_safe=$(http GET "$C" | tail -n +2 | jq -r .commonInstanceMetadata.fingerprint | tr '+/' '-_')
expect_eq "a fingerprint sent back URL-safe is the same bytes" \
	"$(http POST "$C/setCommonInstanceMetadata" -d "{\"fingerprint\":\"$url_safe\"}" | head -n1)" 200
expect_eq "a body without items clears them (gcloud's last remove)" \
	"$(http GET "$C" | tail -n +2 | jq -c '.commonInstanceMetadata.items')" null
google_error "a bad key" \
	"$(http POST "$C/setCommonInstanceMetadata" -d '{"items":[{"key":"no spaces","value":"x"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "a key twice" \
	"$(http POST "$C/setCommonInstanceMetadata" -d '{"items":[{"key":"k","value":"1"},{"key":"k","value":"2"}]}')" \
	400 invalid INVALID_ARGUMENT

# Operations: get, wait (DONE at once), list, aggregated, delete.
expect_eq "operations get" "$(http GET "$C/global/operations/$op" | tail -n +2 | jq -r .status)" DONE
expect_eq "operations wait" \
	"$(http POST "$C/global/operations/$op/wait" | tail -n +2 | jq -r .status)" DONE
expect_contains "gcloud compute operations list (aggregated)" \
	"$(gcloud compute operations list --format='value(name,operationType,status)')" \
	"$op	setCommonInstanceMetadata	DONE"
expect_eq "global list pages by 2" \
	"$(paginate "$C/global/operations?maxResults=2" '.items[]?.name' | wc -w)" \
	"$(gcloud compute operations list --format='value(name)' | wc -l)"
google_error "a global operation is not zonal" \
	"$(http GET "$C/zones/us-central1-a/operations/$op")" 404 notFound NOT_FOUND
google_error "an operation in an unknown zone" \
	"$(http GET "$C/zones/mars-1a/operations/$op")" 404 notFound NOT_FOUND
expect_eq "operations delete" "$(http DELETE "$C/global/operations/$op" | head -n1)" 204
google_error "a deleted operation is gone" \
	"$(http GET "$C/global/operations/$op")" 404 notFound NOT_FOUND
check_fails "gcloud on an unknown project" \
	gcloud compute project-info describe --project no-such-project-1
finish
