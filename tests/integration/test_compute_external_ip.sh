#!/usr/bin/env bash
# External IPs: gcloud's default access config gives an instance an
# address from 198.18.0.0/15, routed from the host to its network's router
# and NATed to the instance, so curl on the host reaches the instance's
# port exactly when an ingress rule allows it; the host's connections
# come from its address on the router's link (the range's last /20). A
# chosen natIP is honoured and never given twice; --no-address gives
# none; a stop gives an ephemeral IP back and a start takes a new one;
# deleting the instance takes the address away. Static addresses
# (gcloud compute addresses) reserve from the same pool, are used by
# --address NAME, show IN_USE with their user, and cannot go while used.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
P=stimulator-project
Z=us-central1-a
BB=(--image busybox --image-project $P)

stim_on_exit() {
	gcloud compute instances delete ext1 ext2 ext3 ext4 --zone $Z >/dev/null 2>&1
	gcloud compute firewall-rules delete ext-8080 ext-9000 --quiet >/dev/null 2>&1
	gcloud compute addresses delete st1 st2 --region us-central1 --quiet >/dev/null 2>&1
}
addr() { # addr NAME FIELD
	gcloud compute addresses describe "$1" --region us-central1 --format="value($2)"
}

cat >"$STIM_TMP/web.sh" <<'SCRIPT'
mkdir -p /tmp/www
echo "hello from $(hostname)" >/tmp/www/index.html
for p in 22 8080 9000; do httpd -p $p -h /tmp/www; done
echo listening
SCRIPT

nat_ip() {
	gcloud compute instances describe "$1" --zone $Z \
		--format='value(networkInterfaces[0].accessConfigs[0].natIP)'
}
# fetch IP PORT: the page, or nothing when no connection opens.
fetch() {
	curl -s --max-time 2 "http://$1:$2/" || true
}
wait_fetch() { # wait_fetch IP PORT: the page once the instance serves it
	local got=
	for _ in $(seq 1 40); do
		got=$(fetch "$1" "$2")
		[ -n "$got" ] && break
		sleep 0.25
	done
	echo "$got"
}

check "ext1 with gcloud's default access config" gcloud compute instances create ext1 \
	--zone $Z "${BB[@]}" --metadata-from-file=startup-script="$STIM_TMP/web.sh"
EXT=$(nat_ip ext1)
expect_contains "an external IP from 198.18.0.0/15" "$EXT" "198.18."
expect_eq "reached from the host where default-allow-ssh allows (tcp:22)" \
	"$(wait_fetch "$EXT" 22)" "hello from ext1"
expect_eq "the implied deny elsewhere (tcp:8080)" "$(fetch "$EXT" 8080)" ""
check "allow tcp:8080 from anywhere" gcloud compute firewall-rules create ext-8080 \
	--allow tcp:8080 --source-ranges 0.0.0.0/0
expect_eq "now it answers" "$(fetch "$EXT" 8080)" "hello from ext1"
check "allow tcp:9000 from the routers' links only" gcloud compute firewall-rules create \
	ext-9000 --allow tcp:9000 --source-ranges 198.19.240.0/20
expect_eq "the host comes from its address on the router's link" \
	"$(fetch "$EXT" 9000)" "hello from ext1"
check "stop ext1" gcloud compute instances stop ext1 --zone $Z
expect_eq "its ephemeral IP went back to the pool" "$(nat_ip ext1)" ""
expect_eq "its access config stays" \
	"$(gcloud compute instances describe ext1 --zone $Z --format='value(networkInterfaces[0].accessConfigs[0].type)')" \
	ONE_TO_ONE_NAT
check "start ext1" gcloud compute instances start ext1 --zone $Z
EXT=$(nat_ip ext1)
expect_contains "a new one at the start" "$EXT" "198.18."
expect_eq "reached there" "$(wait_fetch "$EXT" 22)" "hello from ext1"

check "ext2 asks for 198.18.1.7" gcloud compute instances create ext2 --zone $Z "${BB[@]}" \
	--address 198.18.1.7
expect_eq "and has it" "$(nat_ip ext2)" "198.18.1.7"
google_error "an address already taken" \
	"$(http POST "/compute/v1/projects/$P/zones/$Z/instances" -d '{"name":"x1","machineType":"e2-micro","networkInterfaces":[{"accessConfigs":[{"type":"ONE_TO_ONE_NAT","natIP":"198.18.1.7"}]}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "an address outside the range" \
	"$(http POST "/compute/v1/projects/$P/zones/$Z/instances" -d '{"name":"x1","machineType":"e2-micro","networkInterfaces":[{"accessConfigs":[{"natIP":"8.8.8.8"}]}]}')" \
	400 invalid INVALID_ARGUMENT
check "ext3 without one" gcloud compute instances create ext3 --zone $Z "${BB[@]}" --no-address
expect_eq "has no access config" "$(nat_ip ext3)" ""

check "a static address st1" gcloud compute addresses create st1 --region us-central1
ST1=$(addr st1 address)
expect_contains "from the same pool" "$ST1" "198.18."
expect_eq "RESERVED" "$(addr st1 status)" "RESERVED"
check "st2 at a chosen address" gcloud compute addresses create st2 --region us-central1 \
	--addresses 198.18.2.9
expect_eq "has it" "$(addr st2 address)" "198.18.2.9"
check_fails "an address an instance has" gcloud compute addresses create st3 \
	--region us-central1 --addresses 198.18.1.7
expect_eq "gcloud lists both" \
	"$(gcloud compute addresses list --format='value(name)' | tr '\n' ' ')" "st1 st2 "
check "ext4 uses st1 by name" gcloud compute instances create ext4 --zone $Z "${BB[@]}" \
	--address st1
expect_eq "its natIP is st1's" "$(nat_ip ext4)" "$ST1"
expect_eq "st1 is IN_USE" "$(addr st1 status)" "IN_USE"
expect_contains "by ext4" "$(addr st1 'users[0]')" "/zones/$Z/instances/ext4"
check "stop ext4" gcloud compute instances stop ext4 --zone $Z
expect_eq "a static address stays the stopped instance's" "$(nat_ip ext4)" "$ST1"
check_fails "an address in use cannot go" gcloud compute addresses delete st1 \
	--region us-central1 --quiet
check "delete ext4" gcloud compute instances delete ext4 --zone $Z
expect_eq "st1 is RESERVED again" "$(addr st1 status)" "RESERVED"
check "delete the addresses" gcloud compute addresses delete st1 st2 --region us-central1 --quiet

check "delete ext1" gcloud compute instances delete ext1 --zone $Z
expect_eq "its address answers no more" "$(fetch "$EXT" 22)" ""
check "delete the rest" gcloud compute instances delete ext2 ext3 --zone $Z
check "and the rules" gcloud compute firewall-rules delete ext-8080 ext-9000 --quiet
expect_eq "no link to a router left on the host" \
	"$(ip -o link show | grep -c ': stimu' || true)" 0
expect_eq "nothing of theirs left on the host" \
	"$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" 2>&1)" ""
finish
