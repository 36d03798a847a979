#!/usr/bin/env bash
# Instances in a user namespace (serve --userns): their root is root only
# inside; on the host their processes and files belong to uid 1879048192
# and up. It still writes its whole disk, binds port 80, and is refused
# the host's sysctls; the busybox and host images both boot; ssh makes a
# user's account and session inside the namespace, where sudo works.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start --userns
gcloud_env
Z=us-central1-a
BASE=1879048192

stim_on_exit() {
	gcloud compute instances delete n1 n2 --zone $Z >/dev/null 2>&1
}

cat >"$STIM_TMP/probe.sh" <<'SCRIPT'
#!/bin/sh
echo "uid $(id -u) map $(tr -s ' ' </proc/self/uid_map)"
echo hi >/etc/mine && echo wrote-etc
mkdir -p /root && touch /root/x && echo wrote-root
(echo 1 >/proc/sys/vm/drop_caches) 2>/dev/null || echo sysctl-refused
SCRIPT
cat "$STIM_TMP/probe.sh" >"$STIM_TMP/busybox.sh"
echo 'nc -l -p 80 -e true & sleep 0.3; netstat -ltn | grep -q ":80 " && echo port-80' \
	>>"$STIM_TMP/busybox.sh"
# /usr/bin is the guest layer's (sudo's, src/guest_layer.h): root's here too.
echo 'touch /usr/bin/mine && echo wrote-usr-bin' >>"$STIM_TMP/busybox.sh"

serial() {
	gcloud compute instances get-serial-port-output "$1" --zone $Z 2>/dev/null
}
wait_script() {
	for _ in $(seq 1 100); do
		serial "$1" | grep -q 'startup-script exit status' && return 0
		sleep 0.1
	done
}

check "create on busybox" gcloud compute instances create n1 --zone $Z --image busybox \
	--image-project stimulator-project --metadata-from-file=startup-script="$STIM_TMP/busybox.sh"
check "create on the host image" gcloud compute instances create n2 --zone $Z --image host \
	--image-project stimulator-project --metadata-from-file=startup-script="$STIM_TMP/probe.sh"
wait_script n1
wait_script n2
for vm in n1 n2; do
	out=$(serial $vm)
	expect_contains "$vm: root inside, mapped to $BASE" "$out" "startup-script: uid 0 map  0 $BASE 65536"
	expect_contains "$vm: writes /etc" "$out" "startup-script: wrote-etc"
	expect_contains "$vm: writes /root" "$out" "startup-script: wrote-root"
	expect_contains "$vm: the host's sysctls refused" "$out" "startup-script: sysctl-refused"
	id=$(gcloud compute instances describe $vm --zone $Z --format='value(id)')
	expect_eq "$vm: its files are the mapped root's on the host" \
		"$(stat -c %u:%g "$STIM_DATA/instances/$id/disk/upper/etc/mine")" "$BASE:$BASE"
	dir=$(find /sys/fs/cgroup -maxdepth 4 -type d -name "stim-i-$id" | head -1)
	pid=
	for p in $(cat "$dir/cgroup.procs"); do
		[ "$(cat /proc/"$p"/comm)" = stim-init ] && pid=$p
	done
	expect_eq "$vm: its PID 1 runs as uid $BASE on the host" "$(stat -c %u /proc/"$pid")" $BASE
done
expect_contains "a low port, as root could" "$(serial n1)" "startup-script: port-80"
expect_contains "writes /usr/bin, under the guest layer's directories" "$(serial n1)" \
	"startup-script: wrote-usr-bin"

# ssh into one: the shim becomes the namespace's root, so the account it
# makes belongs to the user there (and to BASE + its uid on the host).
out=$(gcloud compute ssh alice@n1 --zone $Z --command 'id -un; stat -c %U ~' 2>/dev/null | tail -n 2)
expect_eq "ssh: alice's session and home, inside the namespace" "$out" "alice
alice"
expect_eq "her sudo: the namespace's root, its sudo root's" \
	"$(gcloud compute ssh alice@n1 --zone $Z --command 'sudo id -u; stat -c %U /usr/bin/sudo' 2>/dev/null)" \
	"0
root"

check "delete both" gcloud compute instances delete n1 n2 --zone $Z
expect_eq "no stim-init left" "$(live_procs stim-init)" 0
finish
