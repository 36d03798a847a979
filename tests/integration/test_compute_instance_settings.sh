#!/usr/bin/env bash
# An instance's settings through gcloud: labels (add-labels,
# remove-labels, list --filter), network tags (add-tags, remove-tags),
# the machine type (only while stopped, and the next boot takes its
# limits), each with GCE's fingerprint checks; and the INSTANCES quota.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start --instance-quota 2
gcloud_env
Z=us-central1-a
C=/compute/v1/projects/stimulator-project
BB=(--image busybox --image-project stimulator-project)

stim_on_exit() {
	gcloud compute instances delete s1 s2 s3 --zone $Z >/dev/null 2>&1
	gcloud compute instances delete s4 --zone us-east1-b >/dev/null 2>&1
}

describe() {
	gcloud compute instances describe "$1" --zone $Z --format="$2"
}

check "create with labels and tags" \
	gcloud compute instances create s1 --zone $Z "${BB[@]}" --labels env=dev,team=a \
	--tags web,ssh
expect_eq "labels as given" "$(describe s1 'value(labels)')" "env=dev;team=a"
expect_eq "tags as given, sorted" "$(describe s1 'value(tags.items)')" "ssh;web"

# Labels: gcloud reads the instance and sends every label back with the
# fingerprint it read.
check "add-labels" gcloud compute instances add-labels s1 --zone $Z --labels tier=1
check "remove-labels" gcloud compute instances remove-labels s1 --zone $Z --labels env
expect_eq "labels after both" "$(describe s1 'value(labels)')" "team=a;tier=1"
check "create one more, unlabelled" gcloud compute instances create s2 --zone $Z "${BB[@]}"
expect_eq "list --filter on a label" \
	"$(gcloud compute instances list --filter='labels.team=a' --format='value(name)')" "s1"
lfp=$(http GET "$C/zones/$Z/instances/s1" | tail -n +2 | jq -r .labelFingerprint)
check "another label change" gcloud compute instances add-labels s1 --zone $Z --labels tier=2
google_error "setLabels with the fingerprint of before" \
	"$(http POST "$C/zones/$Z/instances/s1/setLabels" -d "{\"labelFingerprint\":\"$lfp\",\"labels\":{}}")" \
	412 conditionNotMet FAILED_PRECONDITION
google_error "setLabels without a fingerprint" \
	"$(http POST "$C/zones/$Z/instances/s1/setLabels" -d '{"labels":{}}')" \
	412 conditionNotMet FAILED_PRECONDITION
lfp=$(http GET "$C/zones/$Z/instances/s1" | tail -n +2 | jq -r .labelFingerprint)
google_error "a label key GCP refuses" \
	"$(http POST "$C/zones/$Z/instances/s1/setLabels" -d "{\"labelFingerprint\":\"$lfp\",\"labels\":{\"Bad\":\"x\"}}")" \
	400 badRequest INVALID_ARGUMENT
expect_eq "which changed nothing" "$(describe s1 'value(labels)')" "team=a;tier=2"

# Network tags, which firewall rules will target.
check "add-tags" gcloud compute instances add-tags s1 --zone $Z --tags db
check "remove-tags" gcloud compute instances remove-tags s1 --zone $Z --tags web
expect_eq "tags after both" "$(describe s1 'value(tags.items)')" "db;ssh"
tfp=$(http GET "$C/zones/$Z/instances/s1" | tail -n +2 | jq -r .tags.fingerprint)
google_error "a tag that is no RFC 1035 name" \
	"$(http POST "$C/zones/$Z/instances/s1/setTags" -d "{\"fingerprint\":\"$tfp\",\"items\":[\"Web_1\"]}")" \
	400 invalid INVALID_ARGUMENT
check "add-tags again" gcloud compute instances add-tags s1 --zone $Z --tags cache
google_error "setTags with the fingerprint of before" \
	"$(http POST "$C/zones/$Z/instances/s1/setTags" -d "{\"fingerprint\":\"$tfp\",\"items\":[]}")" \
	412 conditionNotMet FAILED_PRECONDITION
expect_eq "which changed nothing" "$(describe s1 'value(tags.items)')" "cache;db;ssh"

# The machine type: refused while running, taken while stopped, and the
# next boot runs under the new type's memory limit.
check_fails "set-machine-type while running" \
	gcloud compute instances set-machine-type s1 --zone $Z --machine-type e2-small
google_error "the same through the API" \
	"$(http POST "$C/zones/$Z/instances/s1/setMachineType" -d '{"machineType":"zones/'$Z'/machineTypes/e2-small"}')" \
	400 resourceNotReady INVALID_ARGUMENT
check "stop s1" gcloud compute instances stop s1 --zone $Z
google_error "an unknown machine type" \
	"$(http POST "$C/zones/$Z/instances/s1/setMachineType" -d '{"machineType":"zones/'$Z'/machineTypes/n9-huge-1"}')" \
	400 invalid INVALID_ARGUMENT
check "set-machine-type while stopped" \
	gcloud compute instances set-machine-type s1 --zone $Z --machine-type e2-small
expect_eq "the new type" "$(describe s1 'value(machineType.basename())')" e2-small
check "start s1" gcloud compute instances start s1 --zone $Z
id=$(describe s1 'value(id)')
mem=$(find /sys/fs/cgroup -maxdepth 5 -type d -name "stim-i-$id" \
	-exec cat {}/memory.max {}/memory.limit_in_bytes \; 2>/dev/null | head -1)
# A host that cannot limit memory says so in the statusMessage instead.
if describe s1 'value(statusMessage)' | grep -q memory; then
	mem=2147483648
fi
expect_eq "its cgroup has e2-small's 2 GiB" "$mem" 2147483648

# GCE's INSTANCES quota, per project and region (--instance-quota 2 here):
# a third in us-central1 is refused, one in another region is not.
check_fails "a third instance in the region" \
	gcloud compute instances create s3 --zone us-central1-b "${BB[@]}"
google_error "refused with GCE's quota error" \
	"$(http POST "$C/zones/us-central1-b/instances" -d '{"name":"s3","machineType":"n1-standard-1"}')" \
	403 quotaExceeded RESOURCE_EXHAUSTED
expect_contains "which names the quota and region" \
	"$(http POST "$C/zones/us-central1-b/instances" -d '{"name":"s3","machineType":"n1-standard-1"}')" \
	"Quota 'INSTANCES' exceeded.  Limit: 2.0 in region us-central1."
check "another region has its own" gcloud compute instances create s4 --zone us-east1-b "${BB[@]}"

check "delete them" gcloud compute instances delete s1 s2 --zone $Z
check "and s4" gcloud compute instances delete s4 --zone us-east1-b
expect_eq "no stim-init left" "$(live_procs stim-init)" 0
finish
