#!/usr/bin/env bash
# Compute Engine instances through gcloud: real sandboxed process trees.
# create (host and busybox images, a startup script from the instance's
# metadata and one from the project's), list, describe, the serial
# console with --start, GCE's errors for bad input, and delete, after
# which no process, cgroup or file of the instance is left.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	echo "1..0 # SKIP instances need root"
	exit 77
fi
stim_start
gcloud_env
Z=us-central1-a
C=/compute/v1/projects/stimulator-project

# Instances outlive the daemon by design: whatever this test made goes,
# also when it fails half-way.
stim_on_exit() {
	gcloud compute instances delete vm-host --zone $Z >/dev/null 2>&1
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
check "project-wide startup script for the next one" \
	gcloud compute project-info add-metadata --metadata=startup-script='echo from the project'
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
expect_eq "a PID 1 per instance on the host" "$(pgrep -c -x stim-init)" 2
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

check "delete vm-host" gcloud compute instances delete vm-host --zone $Z
check "delete vm-bb" gcloud compute instances delete vm-bb --zone europe-west1-b
expect_eq "none listed" "$(gcloud compute instances list --format='value(name)')" ""
expect_eq "no stim-init left" "$(pgrep -c -x stim-init || true)" 0
expect_eq "no process of theirs left" "$(pgrep -c -f '^sleep 1000$' || true)" 0
expect_eq "no instance files left" "$(ls "$STIM_DATA/instances")" ""
expect_eq "no instance cgroup left" "$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" >/dev/null 2>&1; echo $?)" 0
finish
