#!/usr/bin/env bash
# Images through gcloud: the list over Google's public image projects
# (debian-cloud's Debian 12, and busybox and host in the user's project),
# describe, describe-from-family (debian-12 resolves to host until Debian
# is built), instances from a family; then the Debian 12 image built with
# mmdebstrap on first use (about a minute and 200 MB from deb.debian.org),
# its insert RUNNING with progress meanwhile, and the default family
# taking it once it is there.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=us-central1-a
C=/compute/v1/projects/stimulator-project
DEB=debian-12-bookworm-v20261101

stim_on_exit() {
	gcloud compute instances delete i1 i2 i3 --zone $Z >/dev/null 2>&1
}

list=$(gcloud compute images list --format='value(name,selfLink.scope(projects).segment(0),family,status)' 2>"$STIM_TMP/list.err")
expect_eq "images list" "$(tr '\t' ' ' <<<"$list" | tr '\n' ';')" \
	"$DEB debian-cloud debian-12 READY;busybox stimulator-project busybox READY;host stimulator-project host READY;"
expect_eq "every public image project answered" "$(grep -c 'did not succeed' "$STIM_TMP/list.err" || true)" 0
expect_eq "describe" "$(gcloud compute images describe busybox --format='value(name,family,diskSizeGb)')" \
	"busybox	busybox	10"
expect_eq "describe a public image" \
	"$(gcloud compute images describe $DEB --project debian-cloud --format='value(family,architecture)')" \
	"debian-12	X86_64"
expect_eq "debian-12 resolves to host until Debian is built" \
	"$(gcloud compute images describe-from-family debian-12 --project debian-cloud --format='value(name)')" host
check_fails "describe a missing image" gcloud compute images describe windows-95
google_error "a family the project lacks" "$(http GET "$C/global/images/family/debian-12")" \
	404 notFound NOT_FOUND
google_error "images of a project that does not exist" "$(http GET /compute/v1/projects/no-such-proj/global/images)" \
	404 notFound NOT_FOUND
expect_eq "a family view" \
	"$(http GET "/compute/v1/projects/debian-cloud/zones/$Z/imageFamilyViews/debian-12" | tail -n +2 | jq -r .image.name)" host

check "create from a family" gcloud compute instances create i1 --zone $Z --image-family busybox
check_fails "create from a family that does not exist" \
	gcloud compute instances create i2 --zone $Z --image-family nope
check "delete i1" gcloud compute instances delete i1 --zone $Z

# Debian 12, built on first use. The insert answers at once; the build
# runs on a worker and the operation reports its progress.
cat >"$STIM_TMP/os.sh" <<'SCRIPT'
#!/bin/bash
. /etc/os-release
echo "os: $PRETTY_NAME"
command -v mmdebstrap >/dev/null && echo "has the host's programs" || echo "a Debian of its own"
echo "sudo: $(sudo -u daemon id -un), Debian's diverted to $(dpkg-divert --truename /usr/bin/sudo)"
SCRIPT
body=$(jq -n --arg s "$(cat "$STIM_TMP/os.sh")" --arg img "projects/debian-cloud/global/images/$DEB" \
	'{name: "i2", machineType: "e2-small", disks: [{boot: true, initializeParams: {sourceImage: $img}}],
	  metadata: {items: [{key: "startup-script", value: $s}]}}')
op=$(http POST "$C/zones/$Z/instances" -d "$body" | tail -n +2 | jq -r .name)
expect_eq "the insert answers at once, RUNNING" \
	"$(http GET "$C/zones/$Z/operations/$op" | tail -n +2 | jq -r .status)" RUNNING
seen=0
for _ in $(seq 1 600); do
	o=$(http GET "$C/zones/$Z/operations/$op" | tail -n +2)
	[ "$(jq -r .status <<<"$o")" = DONE ] && break
	p=$(jq -r .progress <<<"$o")
	[ "$p" -gt 0 ] && [ "$p" -lt 100 ] && seen=1
	sleep 0.5
done
expect_eq "the build is done" "$(jq -r '[.status, .error == null] | @tsv' <<<"$o")" "DONE	true"
expect_eq "its progress showed while it built" "$seen" 1
for _ in $(seq 1 100); do
	gcloud compute instances get-serial-port-output i2 --zone $Z 2>/dev/null | grep -q 'exit status' && break
	sleep 0.1
done
serial=$(gcloud compute instances get-serial-port-output i2 --zone $Z 2>/dev/null)
expect_contains "it boots Debian 12" "$serial" "startup-script: os: Debian GNU/Linux 12 (bookworm)"
expect_contains "of its own" "$serial" "startup-script: a Debian of its own"
# Debian's own sudo is setuid, which no_new_privs makes powerless: the
# guest layer's lies over it (sandbox/sudo.h).
expect_contains "whose sudo works, safe from upgrades" "$serial" \
	"startup-script: sudo: daemon, Debian's diverted to /usr/bin/sudo.distrib"
expect_eq "debian-12 now resolves to Debian" \
	"$(gcloud compute images describe-from-family debian-12 --project debian-cloud --format='value(name)')" $DEB
check "the default image is now Debian" gcloud compute instances create i3 --zone $Z \
	--metadata-from-file=startup-script="$STIM_TMP/os.sh"
for _ in $(seq 1 100); do
	gcloud compute instances get-serial-port-output i3 --zone $Z 2>/dev/null | grep -q 'exit status' && break
	sleep 0.1
done
expect_contains "booted from the cache at once" \
	"$(gcloud compute instances get-serial-port-output i3 --zone $Z 2>/dev/null)" \
	"startup-script: a Debian of its own"
check "delete them" gcloud compute instances delete i2 i3 --zone $Z
expect_eq "no stim-init left" "$(live_procs stim-init)" 0
finish
