#!/usr/bin/env bash
# What a guest does by itself, seen through gcloud: its own reboot (the
# instance boots again and stays RUNNING), its own poweroff (TERMINATED,
# nothing left), a PID 1 killed from outside (TERMINATED, saying why),
# a console that keeps only its last megabyte (GCE's serial port), and an
# instance adopted after a daemon crash still watched; the shutdown
# script at a stop.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=us-central1-a
C=/compute/v1/projects/stimulator-project
BB=(--image busybox --image-project stimulator-project)

stim_on_exit() {
	gcloud compute instances delete g1 g2 g3 g5 --zone $Z >/dev/null 2>&1
}

describe() {
	gcloud compute instances describe "$1" --zone $Z --format="$2"
}
serial() {
	gcloud compute instances get-serial-port-output "$1" --zone $Z "${@:2}" 2>/dev/null
}
# wait_for DESC CMD...: retries CMD for up to 10 s.
wait_for() {
	for _ in $(seq 1 100); do
		"${@:2}" >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	echo "# gave up waiting: $1" >&2
	return 1
}
# The host pid of an instance's PID 1: the stim-init in its cgroup.
init_pid() {
	local id dir p
	id=$(describe "$1" 'value(id)')
	dir=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "stim-i-$id" | head -1)
	for p in $(cat "$dir/cgroup.procs"); do
		[ "$(cat /proc/"$p"/comm 2>/dev/null)" = stim-init ] && echo "$p" && return
	done
}
status_is() { [ "$(describe "$1" 'value(status)')" = "$2" ]; }

# A guest that reboots itself once, then runs on until a file appears,
# then powers off.
cat >"$STIM_TMP/reboot.sh" <<'SCRIPT'
#!/bin/sh
if [ -e /root/booted ]; then
	echo second boot
	(while [ ! -e /tmp/off ]; do sleep 0.1; done; poweroff) &
	touch /tmp/ready
else
	touch /root/booted
	echo first boot
	reboot
fi
SCRIPT
check "create g1" gcloud compute instances create g1 --zone $Z "${BB[@]}" \
	--metadata-from-file=startup-script="$STIM_TMP/reboot.sh"
wait_for "the second boot" sh -c "gcloud compute instances get-serial-port-output g1 --zone $Z 2>/dev/null | grep -q 'second boot'"
expect_contains "the guest's reboot booted it again" "$(serial g1)" "startup-script: second boot"
expect_eq "two boots" "$(serial g1 | grep -c 'stim-init: booting g1')" 2
expect_eq "and it is RUNNING" "$(describe g1 'value(status)')" RUNNING
expect_eq "one PID 1" "$(live_procs stim-init)" 1

# Its poweroff, run by the guest once the test touches /tmp/off inside
# it (through its mount namespace, as the ssh shim will enter it).
pid=$(init_pid g1)
check "the guest's PID 1 is found" test -n "$pid"
nsenter -t "$pid" -m -p -- /bin/busybox touch /tmp/off
wait_for "TERMINATED after poweroff" status_is g1 TERMINATED
expect_eq "the guest's poweroff leaves it TERMINATED" "$(describe g1 'value(status)')" TERMINATED
expect_eq "saying nothing, as GCE" "$(describe g1 'value(statusMessage)' | grep -c init || true)" 0
expect_eq "no process left" "$(live_procs stim-init)" 0
check "start g1 again" gcloud compute instances start g1 --zone $Z

# PID 1 killed from outside: TERMINATED, and the statusMessage says so.
cat >"$STIM_TMP/idle.sh" <<'SCRIPT'
#!/bin/sh
sleep 1000 &
SCRIPT
check "create g2" gcloud compute instances create g2 --zone $Z "${BB[@]}" \
	--metadata-from-file=startup-script="$STIM_TMP/idle.sh"
kill -KILL "$(init_pid g2)"
wait_for "TERMINATED after SIGKILL" status_is g2 TERMINATED
expect_eq "a killed PID 1 leaves it TERMINATED" "$(describe g2 'value(status)')" TERMINATED
expect_eq "saying why" "$(describe g2 'value(statusMessage)')" "Its init was killed by signal 9."
check "start g2 again" gcloud compute instances start g2 --zone $Z
expect_eq "the message goes with the new boot" \
	"$(describe g2 'value(statusMessage)' | grep -c killed || true)" 0

# The console keeps its last megabyte: 5 MiB written, about 1 MiB kept on
# disk, offsets unchanged, a read from 0 starting at the first byte kept.
cat >"$STIM_TMP/loud.sh" <<'SCRIPT'
#!/bin/sh
i=0
while [ $i -lt 40 ]; do head -c 131072 /dev/zero | tr '\0' x; echo; i=$((i + 1)); done
echo LOUD-END
SCRIPT
check "create g3" gcloud compute instances create g3 --zone $Z "${BB[@]}" \
	--metadata-from-file=startup-script="$STIM_TMP/loud.sh"
console="$STIM_DATA/instances/$(describe g3 'value(id)')/console"
capped() { [ "$(stat -c %s "$console")" -gt 5000000 ] && [ "$(du -k "$console" | cut -f1)" -le 2200 ]; }
wait_for "the console capped" capped
check "5 MiB written, at most ~2 MiB kept" capped
from=$(http GET "$C/zones/$Z/instances/g3/serialPort?start=0" | tail -n +2 | jq -r .start)
expect_eq "a read from 0 starts where the kept tail does" "$(( from > 3000000 ))" 1
size=$(stat -c %s "$console")
wait_for "the end line" sh -c "gcloud compute instances get-serial-port-output g3 --zone $Z --start=$((size - 200)) 2>/dev/null | grep -q LOUD-END"
expect_contains "the end is there" "$(serial g3 --start=$((size - 200)))" "LOUD-END"

# The shutdown script runs when gcloud stops the instance, its output on
# the console before PID 1 goes.
echo 'echo bye from $(hostname)' >"$STIM_TMP/bye.sh"
check "g5 with a shutdown script" gcloud compute instances create g5 --zone $Z "${BB[@]}" \
	--metadata-from-file=shutdown-script="$STIM_TMP/bye.sh"
check "stop g5" gcloud compute instances stop g5 --zone $Z
expect_contains "the shutdown script ran at the stop" "$(serial g5)" \
	"shutdown-script: bye from g5"
check "delete g5" gcloud compute instances delete g5 --zone $Z

# A crash of the daemon; the next adopts g2 and still watches it: a
# poweroff signalled from outside ends it, and the daemon sees it.
kill -KILL "$STIM_PID"
wait "$STIM_PID" 2>/dev/null || true
STIM_PID=
stim_start
gcloud_env
expect_eq "g2 adopted RUNNING" "$(describe g2 'value(status)')" RUNNING
kill -USR2 "$(init_pid g2)"
wait_for "the adopted one TERMINATED" status_is g2 TERMINATED
expect_eq "an adopted instance's poweroff is seen" "$(describe g2 'value(status)')" TERMINATED

check "delete all three" gcloud compute instances delete g1 g2 g3 --zone $Z
expect_eq "no stim-init left" "$(live_procs stim-init)" 0
expect_eq "nothing of theirs left on the host" \
	"$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" >/dev/null 2>&1; echo $?)" 0
finish
