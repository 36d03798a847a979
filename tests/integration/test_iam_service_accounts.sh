#!/usr/bin/env bash
# IAM service accounts through gcloud (and curl where gcloud checks on its
# own side first): create, the same again refused, describe by email and
# by unique id, list and its pages, update, disable and enable, delete,
# undelete within 30 days, and GCP's refusals.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=stimulator-project
E=sa-one@$P.iam.gserviceaccount.com
IAM=$STIM_URL/v1/projects

check "create sa-one" gcloud iam service-accounts create sa-one --display-name "SA one" \
	--description "the first"
rc=0
out=$(gcloud iam service-accounts create sa-one 2>&1) || rc=$?
expect_contains "the same again is refused" "$out" "already exists"
json=$(gcloud iam service-accounts describe "$E" --format=json)
expect_eq "its email" "$(jq -r .email <<<"$json")" "$E"
expect_eq "its name" "$(jq -r .name <<<"$json")" "projects/$P/serviceAccounts/$E"
expect_eq "its display name" "$(jq -r .displayName <<<"$json")" "SA one"
expect_eq "its description" "$(jq -r .description <<<"$json")" "the first"
uid=$(jq -r .uniqueId <<<"$json")
expect_eq "a unique id of 19 digits" "${#uid}" 19
expect_eq "found by unique id too" \
	"$(gcloud iam service-accounts describe "$uid" --format='value(email)')" "$E"
expect_eq "under projects/- as gcloud asks" \
	"$(curl -sS "$IAM/-/serviceAccounts/$E" | jq -r .uniqueId)" "$uid"

check "two more" gcloud iam service-accounts create sa-two
check "and" gcloud iam service-accounts create sa-three
expect_eq "listed by email" "$(gcloud iam service-accounts list --format='value(email)' | tr '\n' ' ')" \
	"sa-one@$P.iam.gserviceaccount.com sa-three@$P.iam.gserviceaccount.com sa-two@$P.iam.gserviceaccount.com "
page=$(curl -sS "$IAM/$P/serviceAccounts?pageSize=2")
expect_eq "a page of two" "$(jq '.accounts | length' <<<"$page")" 2
expect_eq "then the rest" \
	"$(curl -sS "$IAM/$P/serviceAccounts?pageSize=2&pageToken=$(jq -r .nextPageToken <<<"$page")" |
		jq -r '.accounts[].email')" "sa-two@$P.iam.gserviceaccount.com"

check "update its display name" gcloud iam service-accounts update "$E" --display-name "SA 1"
expect_eq "renamed" "$(gcloud iam service-accounts describe "$E" --format='value(displayName)')" "SA 1"
expect_eq "its description kept" \
	"$(gcloud iam service-accounts describe "$E" --format='value(description)')" "the first"
etag1=$(jq -r .etag <<<"$json")
expect_eq "a new etag" "$([ "$(curl -sS "$IAM/-/serviceAccounts/$E" | jq -r .etag)" != "$etag1" ] && echo new)" new

check "disable it" gcloud iam service-accounts disable "$E"
expect_eq "disabled" "$(gcloud iam service-accounts describe "$E" --format='value(disabled)')" True
check "enable it" gcloud iam service-accounts enable "$E"
expect_eq "enabled" "$(curl -sS "$IAM/-/serviceAccounts/$E" | jq -r '.disabled // false')" false

check "delete it" gcloud iam service-accounts delete "$E" --quiet
rc=0
out=$(gcloud iam service-accounts describe "$E" 2>&1) || rc=$?
expect_contains "gone" "$out" "NOT_FOUND"
expect_eq "undelete by unique id" \
	"$(curl -sS -X POST "$IAM/-/serviceAccounts/$uid:undelete" -d '{}' | jq -r .restoredAccount.email)" "$E"
expect_eq "back, as it was" "$(gcloud iam service-accounts describe "$E" --format='value(displayName)')" "SA 1"

expect_eq "a bad account id is refused" \
	"$(curl -sS -X POST "$IAM/$P/serviceAccounts" -d '{"accountId":"Bad_Id"}' | jq -r .error.status)" \
	INVALID_ARGUMENT
expect_eq "in an unknown project too" \
	"$(curl -sS -X POST "$IAM/no-such-project/serviceAccounts" -d '{"accountId":"sa-four"}' | jq -r .error.code)" \
	404
for a in sa-one sa-two sa-three; do
	check "delete $a" gcloud iam service-accounts delete "$a@$P.iam.gserviceaccount.com" --quiet
done
finish
