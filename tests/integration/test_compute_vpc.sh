#!/usr/bin/env bash
# Instances on VPC networks, with real packets: NICs on the default
# network get addresses from its subnet in their region and reach each
# other; --private-network-ip is honoured and never given twice; a custom
# network is a world apart even where it could route; GCE's refusals for
# NICs and for networks and subnets in use; the address survives stop and
# start; no router namespace is left once nothing runs.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=us-central1-a
C=/compute/v1/projects/stimulator-project
BB=(--image busybox --image-project stimulator-project)

stim_on_exit() {
	gcloud compute instances delete a1 a2 a3 c1 --zone $Z >/dev/null 2>&1
	gcloud compute networks subnets delete s1 --region us-central1 --quiet >/dev/null 2>&1
	gcloud compute networks delete n1 --quiet >/dev/null 2>&1
}

serial() {
	gcloud compute instances get-serial-port-output "$1" --zone $Z 2>/dev/null
}
wait_script() {
	for _ in $(seq 1 100); do
		serial "$1" | grep -q 'startup-script exit status' && return 0
		sleep 0.1
	done
}
# ping.sh TARGET: what the guest sees of its NIC, then whether TARGET answers.
cat >"$STIM_TMP/ping.sh" <<'SCRIPT'
#!/bin/sh
ip -4 addr show ens4 | grep -o 'inet [0-9./]*'
ip route | grep default
for i in 1 2 3 4 5 6 7 8 9 10; do
	ping -c 1 -W 1 TARGET >/dev/null 2>&1 && echo reached TARGET && exit 0
	sleep 0.2
done
echo "no answer from TARGET"
SCRIPT
sed 's/TARGET/10.128.0.2/g' "$STIM_TMP/ping.sh" >"$STIM_TMP/to-a1.sh"

check "a1 on the default network" gcloud compute instances create a1 --zone $Z "${BB[@]}"
check "a2 pings it" gcloud compute instances create a2 --zone $Z "${BB[@]}" \
	--metadata-from-file=startup-script="$STIM_TMP/to-a1.sh"
expect_eq "addresses from us-central1's 10.128.0.0/20, in order" \
	"$(gcloud compute instances list --format='value(name,networkInterfaces[0].networkIP,networkInterfaces[0].subnetwork.basename())' | tr '\t' ' ' | tr '\n' ';')" \
	"a1 10.128.0.2 default;a2 10.128.0.3 default;"
wait_script a2
expect_contains "ens4 inside, with its address" "$(serial a2)" "startup-script: inet 10.128.0.3/20"
expect_contains "the gateway as its default route" "$(serial a2)" "startup-script: default via 10.128.0.1 dev ens4"
expect_contains "a real packet reached a1 and came back" "$(serial a2)" "startup-script: reached 10.128.0.2"

check "a chosen address" gcloud compute instances create a3 --zone $Z "${BB[@]}" \
	--private-network-ip 10.128.0.50
expect_eq "is the one it has" \
	"$(gcloud compute instances describe a3 --zone $Z --format='value(networkInterfaces[0].networkIP)')" 10.128.0.50
google_error "an address already taken" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"x1","machineType":"e2-micro","networkInterfaces":[{"networkIP":"10.128.0.50"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "an address outside the subnet" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"x1","machineType":"e2-micro","networkInterfaces":[{"networkIP":"10.200.0.5"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "the gateway's address" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"x1","machineType":"e2-micro","networkInterfaces":[{"networkIP":"10.128.0.1"}]}')" \
	400 invalid INVALID_ARGUMENT

# A custom network: its subnet must be named, in the instance's region.
check "custom network n1" gcloud compute networks create n1 --subnet-mode=custom
check "its subnet s1" gcloud compute networks subnets create s1 --network=n1 \
	--range=10.128.0.0/24 --region=us-central1
check_fails "a custom network without a subnet" gcloud compute instances create x2 --zone $Z \
	"${BB[@]}" --network n1
google_error "a subnet of another region" \
	"$(http POST "$C/zones/$Z/instances" -d '{"name":"x2","machineType":"e2-micro","networkInterfaces":[{"subnetwork":"regions/us-east1/subnetworks/s1"}]}')" \
	400 invalid INVALID_ARGUMENT
# The same addresses as the default network's, and no path between them.
sed 's/TARGET/10.128.0.3/g' "$STIM_TMP/ping.sh" >"$STIM_TMP/to-a2.sh"
check "c1 on n1/s1" gcloud compute instances create c1 --zone $Z "${BB[@]}" --network n1 \
	--subnet s1 --metadata-from-file=startup-script="$STIM_TMP/to-a2.sh"
expect_eq "the first address of s1 (a1's, in another world)" \
	"$(gcloud compute instances describe c1 --zone $Z --format='value(networkInterfaces[0].networkIP,networkInterfaces[0].network.basename())')" \
	"10.128.0.2	n1"
wait_script c1
expect_contains "networks do not reach each other" "$(serial c1)" "startup-script: no answer from 10.128.0.3"

check_fails "a network with an instance is in use" gcloud compute networks delete n1 --quiet
google_error "and its subnet" "$(http DELETE "$C/regions/us-central1/subnetworks/s1")" \
	400 resourceInUseByAnotherResource INVALID_ARGUMENT

check "stop a1" gcloud compute instances stop a1 --zone $Z
check "start a1" gcloud compute instances start a1 --zone $Z
expect_eq "its address kept" \
	"$(gcloud compute instances describe a1 --zone $Z --format='value(networkInterfaces[0].networkIP)')" 10.128.0.2

check "delete them all" gcloud compute instances delete a1 a2 a3 c1 --zone $Z
check "then the subnet" gcloud compute networks subnets delete s1 --region us-central1 --quiet
check "and the network" gcloud compute networks delete n1 --quiet
expect_eq "no router namespace left" "$(ls /run/netns 2>/dev/null | grep -c '^stim-net-' || true)" 0
expect_eq "nothing of theirs left on the host" \
	"$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" 2>&1)" ""
finish
