#!/usr/bin/env bash
# Instances outlive their daemon: after `kill -9` of the daemon, a new one
# adopts the instance whose PID 1 still runs (RUNNING, and it can stop
# and start it), and marks TERMINATED the one whose processes ended
# meanwhile (its disk kept, startable again).
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=us-central1-a
stim_on_exit() {
	gcloud compute instances delete vm-a vm-b --zone $Z >/dev/null 2>&1
}

check "create vm-a and vm-b" gcloud compute instances create vm-a vm-b --zone $Z \
	--image busybox --image-project stimulator-project --metadata=startup-script='sleep 1000 &'
id_b=$(gcloud compute instances describe vm-b --zone $Z --format='value(id)')

# The processes of one instance: those in its cgroup.
procs_of() {
	grep -l "stim-i-$1\$" /proc/[0-9]*/cgroup 2>/dev/null | cut -d/ -f3
}
expect_eq "vm-b has processes" "$(procs_of "$id_b" | wc -l | tr -d ' ' | grep -c '^[1-9]')" 1

kill -KILL "$STIM_PID"
wait "$STIM_PID" 2>/dev/null || true
STIM_PID=
# While no daemon runs, vm-b's processes end (they are this test's).
for p in $(procs_of "$id_b"); do kill -KILL "$p" 2>/dev/null || true; done
sleep 0.2

stim_start
gcloud_env # the new daemon listens on a new port
expect_eq "vm-a was adopted: RUNNING" \
	"$(gcloud compute instances describe vm-a --zone $Z --format='value(status)')" RUNNING
expect_eq "vm-b could not be: TERMINATED, and it says why" \
	"$(gcloud compute instances describe vm-b --zone $Z --format='value(status,statusMessage)')" \
	"TERMINATED	Its processes ended while the daemon was not running."
expect_contains "the new daemon said so in its log" "$(cat "$STIM_LOG")" "adopted 1 running instances"
check "the adopted instance can be stopped" gcloud compute instances stop vm-a --zone $Z
expect_eq "and is stopped" "$(live_procs stim-init)" 0
check "both start again" gcloud compute instances start vm-a vm-b --zone $Z
expect_eq "two PID 1s" "$(live_procs stim-init)" 2
check "delete both" gcloud compute instances delete vm-a vm-b --zone $Z
expect_eq "nothing left" "$(live_procs stim-init)" 0
finish
