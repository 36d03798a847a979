#!/usr/bin/env bash
# Compute Engine instances through gcloud: real sandboxed process trees.
# create (host and busybox images, a startup script from the instance's
# metadata and one from the project's), list, describe, the serial
# console with --start, GCE's errors for bad input, and delete, after
# which no process, cgroup or file of the instance is left.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=us-central1-a
C=/compute/v1/projects/stimulator-project

# Instances outlive the daemon by design: whatever this test made goes,
# also when it fails half-way.
stim_on_exit() {
	gcloud compute instances delete vm-host vm-b1 vm-b2 --zone $Z >/dev/null 2>&1
	gcloud compute instances delete vm-bb --zone europe-west1-b >/dev/null 2>&1
}

cat >"$STIM_TMP/startup.sh" <<'SCRIPT'
#!/bin/bash
echo "hello from $(hostname), bash ${BASH_VERSINFO[0]}"
grep -c . /etc/os-release >/dev/null && echo os-release
sleep 1000 &
SCRIPT
check "create on the default image (debian-12 -> host)" \
	gcloud compute instances create vm-host --zone $Z \
	--metadata-from-file=startup-script="$STIM_TMP/startup.sh"
cat >"$STIM_TMP/project.sh" <<'SCRIPT'
echo from the project
echo boot >>/root/boots
echo "boots $(wc -l </root/boots)"
(while true; do echo tick; sleep 0.1; done) &
SCRIPT
check "project-wide startup script for the next one" \
	gcloud compute project-info add-metadata --metadata-from-file=startup-script="$STIM_TMP/project.sh"
check "create on busybox, e2-micro, in another zone" \
	gcloud compute instances create vm-bb --zone europe-west1-b --machine-type e2-micro \
	--image busybox --image-project stimulator-project
expect_eq "both listed RUNNING" \
	"$(gcloud compute instances list --format='value(name,zone.basename(),machineType.basename(),status)' | tr '\t' ' ' | tr '\n' ';')" \
	"vm-bb europe-west1-b e2-micro RUNNING;vm-host us-central1-a n1-standard-1 RUNNING;"
expect_eq "describe" \
	"$(gcloud compute instances describe vm-host --zone $Z --format='value(name,status,disks[0].boot,metadata.items[0].key)')" \
	"vm-host	RUNNING	True	startup-script"

serial() {
	gcloud compute instances get-serial-port-output "$1" --zone "$2" "${@:3}" 2>/dev/null
}
for _ in $(seq 1 100); do
	serial vm-host $Z | grep -q 'startup-script exit status' && break
	sleep 0.1
done
expect_contains "the startup script ran inside, in bash, with its hostname" \
	"$(serial vm-host $Z)" "startup-script: hello from vm-host, bash 5"
expect_contains "the host image has the host's os-release" "$(serial vm-host $Z)" \
	"startup-script: os-release"
for _ in $(seq 1 100); do
	serial vm-bb europe-west1-b | grep -q 'startup-script exit status' && break
	sleep 0.1
done
expect_contains "busybox ran the project's script" "$(serial vm-bb europe-west1-b)" \
	"startup-script: from the project"
len=$(http GET "$C/zones/$Z/instances/vm-host/serialPort" | tail -n +2 | jq -r .next)
expect_eq "--start at the end gives nothing new" \
	"$(http GET "$C/zones/$Z/instances/vm-host/serialPort?start=$len" | tail -n +2 | jq -c '[.contents, .start, .next]')" \
	"[\"\",\"$len\",\"$len\"]"

# The instance is a real process tree: its PID 1 is stim-init, with the
# startup script's background sleep below it, in its own cgroup.
expect_eq "a PID 1 per instance on the host" "$(live_procs stim-init)" 2
expect_eq "its sleep lives on" "$(pgrep -c -f '^sleep 1000$')" 1

# GCE's answers to bad input.
google_error "a name taken in the zone" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"vm-host","machineType":"zones/'$Z'/machineTypes/n1-standard-1"}')" \
	409 alreadyExists ALREADY_EXISTS
google_error "a bad name" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"Bad_Name","machineType":"n1-standard-1"}')" \
	400 invalid INVALID_ARGUMENT
google_error "an unknown machine type" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"vm-x","machineType":"zones/'$Z'/machineTypes/n9-huge-1"}')" \
	400 invalid INVALID_ARGUMENT
google_error "an unknown image" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"vm-x","machineType":"n1-standard-1","disks":[{"boot":true,"initializeParams":{"sourceImage":"projects/p/global/images/windows-95"}}]}')" \
	404 notFound NOT_FOUND
google_error "an unknown zone" \
	"$(http POST "$C/zones/mars-1a/instances" -d '{"name":"vm-x","machineType":"n1-standard-1"}')" \
	404 notFound NOT_FOUND
google_error "get of a missing instance" "$(http GET "$C/zones/$Z/instances/nope")" \
	404 notFound NOT_FOUND
check_fails "gcloud describe of a missing instance" \
	gcloud compute instances describe nope --zone $Z

# Metadata: add and remove through gcloud (GET, setMetadata with the
# fingerprint, GET), and a stale fingerprint refused.
check "add-metadata" gcloud compute instances add-metadata vm-host --zone $Z --metadata=role=web,tier=1
expect_eq "the keys are there" \
	"$(gcloud compute instances describe vm-host --zone $Z --format='value(metadata.items.map().extract(key).flatten())')" \
	"role,startup-script,tier"
check "remove-metadata" gcloud compute instances remove-metadata vm-host --zone $Z --keys=tier
fp=$(http GET "$C/zones/$Z/instances/vm-host" | tail -n +2 | jq -r .metadata.fingerprint)
check "a change with the current fingerprint" \
	gcloud compute instances add-metadata vm-host --zone $Z --metadata=tier=2
google_error "setMetadata with a stale fingerprint" \
	"$(http POST "$C/zones/$Z/instances/vm-host/setMetadata" -d "{\"fingerprint\":\"$fp\",\"items\":[]}")" \
	412 conditionNotMet FAILED_PRECONDITION
expect_eq "which changed nothing" \
	"$(gcloud compute instances describe vm-host --zone $Z --format='value(metadata.items.map().extract(key).flatten())')" \
	"role,startup-script,tier"

# Lifecycle: stop keeps the disk, start boots it again; suspend freezes
# every process (the console stops ticking), resume thaws them.
B=europe-west1-b
check "stop vm-bb" gcloud compute instances stop vm-bb --zone $B
expect_eq "it is TERMINATED" \
	"$(gcloud compute instances describe vm-bb --zone $B --format='value(status)')" TERMINATED
expect_eq "its PID 1 is gone" "$(live_procs stim-init)" 1
check "stopping it again is a no-op" gcloud compute instances stop vm-bb --zone $B
google_error "suspend of a stopped instance" \
	"$(http POST "$C/zones/$B/instances/vm-bb/suspend")" 400 resourceNotReady INVALID_ARGUMENT
check "start vm-bb" gcloud compute instances start vm-bb --zone $B
for _ in $(seq 1 100); do
	serial vm-bb $B | grep -q 'boots 2' && break
	sleep 0.1
done
expect_contains "the disk kept its writes across the stop" "$(serial vm-bb $B)" \
	"startup-script: boots 2"
check "suspend vm-bb" gcloud compute instances suspend vm-bb --zone $B
expect_eq "it is SUSPENDED" \
	"$(gcloud compute instances describe vm-bb --zone $B --format='value(status)')" SUSPENDED
a=$(serial vm-bb $B | grep -c tick)
sleep 0.5
b=$(serial vm-bb $B | grep -c tick)
expect_eq "a suspended instance does not run" "$a" "$b"
check "resume vm-bb" gcloud compute instances resume vm-bb --zone $B
sleep 0.5
expect_eq "it runs again" "$(( $(serial vm-bb $B | grep -c tick) > b ))" 1
check "reset vm-host" gcloud compute instances reset vm-host --zone $Z
for _ in $(seq 1 100); do
	[ "$(serial vm-host $Z | grep -c 'stim-init: booting')" -ge 2 ] && break
	sleep 0.1
done
expect_eq "a reset boots PID 1 again" "$(serial vm-host $Z | grep -c 'stim-init: booting')" 2
expect_eq "and still RUNNING" \
	"$(gcloud compute instances describe vm-host --zone $Z --format='value(status)')" RUNNING

# Commands that make two or more calls go through the batch endpoint:
# two creates, the waits and GETs that follow, list --zones, two deletes.
check "create two at once (a batch of inserts, waits and GETs)" \
	gcloud compute instances create vm-b1 vm-b2 --zone $Z --image busybox \
	--image-project stimulator-project
expect_eq "list --zones (a batch of zonal lists)" \
	"$(gcloud compute instances list --zones $Z,europe-west1-b --format='value(name)' | sort | tr '\n' ' ')" \
	"vm-b1 vm-b2 vm-bb vm-host "
check "delete two at once (a batch of deletes and waits)" \
	gcloud compute instances delete vm-b1 vm-b2 --zone $Z
expect_eq "both gone" "$(gcloud compute instances list --zones $Z --format='value(name)')" "vm-host"
resp=$(curl -sS -X POST "$STIM_URL/batch/compute/v1" \
	-H 'Content-Type: multipart/mixed; boundary="xyz"' \
	--data-binary $'--xyz\nContent-ID: <q+0>\n\nGET /compute/v1/projects/stimulator-project/zones/mars-1a HTTP/1.1\n\n\n--xyz--\n')
expect_contains "a batch answers each part in its own HTTP response" "$resp" \
	"Content-ID: <response-q+0>"
expect_contains "with the part's own status" "$resp" "HTTP/1.1 404 Not Found"

check "delete vm-host" gcloud compute instances delete vm-host --zone $Z
check "delete vm-bb" gcloud compute instances delete vm-bb --zone europe-west1-b
expect_eq "none listed" "$(gcloud compute instances list --format='value(name)')" ""
expect_eq "no stim-init left" "$(live_procs stim-init)" 0
expect_eq "no process of theirs left" "$(pgrep -c -f '^sleep 1000$' || true)" 0
expect_eq "no instance files left" "$(ls "$STIM_DATA/instances")" ""
expect_eq "no instance cgroup left" "$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" >/dev/null 2>&1; echo $?)" 0
finish
