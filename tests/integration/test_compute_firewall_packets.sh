#!/usr/bin/env bash
# Firewall rules made with gcloud decide real connections between running
# instances, and a change reaches them before gcloud returns: GCE's implied
# deny, allow by target and source tag, deny beating allow at a lower
# number and at an equal one, disabled rules, egress denies, target and
# source service accounts, routing between subnets, a tag removed from a
# running instance, and logging of ingress and egress rules (GCE's
# entries in DATA/logs/firewall.log). srv listens; cli (tag client, same
# subnet) and far (no tag, another subnet and region, a service account
# of its own) each run a prober that prints every
# change of state of srv's ports on their serial console. Replies pass
# although each prober's own ingress is the implied deny: the firewall is
# stateful.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
P=stimulator-project
SA=web-sa@$P.iam.gserviceaccount.com
FAR_SA=far-sa@$P.iam.gserviceaccount.com
BB=(--image busybox --image-project $P)
RULES=(fw-web fw-no-8080 fw-81-allow fw-81-deny fw-ssh fw-no-ssh-out fw-sa)

stim_on_exit() {
	gcloud compute instances delete srv cli --zone us-central1-a >/dev/null 2>&1
	gcloud compute instances delete far --zone us-east1-b >/dev/null 2>&1
	gcloud compute firewall-rules delete "${RULES[@]}" --quiet >/dev/null 2>&1
	gcloud compute networks subnets delete fws1 --region us-central1 --quiet >/dev/null 2>&1
	gcloud compute networks subnets delete fws2 --region us-east1 --quiet >/dev/null 2>&1
	gcloud compute networks delete fwn --quiet >/dev/null 2>&1
}

cat >"$STIM_TMP/listen.sh" <<'SCRIPT'
mkdir -p /tmp/www
for p in 22 80 81 8080 9000; do httpd -p $p -h /tmp/www; done
echo listening
SCRIPT
# One prober per port, each printing "ADDR:PORT open|closed" when it changes.
cat >"$STIM_TMP/probe.sh" <<'SCRIPT'
probe() {
	last=
	while true; do
		if nc -w 1 $1 $2 </dev/null >/dev/null 2>&1; then s=open; else s=closed; fi
		[ "$s" != "$last" ] && echo "$1:$2 $s" && last=$s
		sleep 0.2
	done
}
for p in 22 80 81 8080 9000; do probe 10.60.0.2 $p & done
wait
SCRIPT

# The last state the instance's prober printed for srv's port.
state() {
	gcloud compute instances get-serial-port-output "$1" --zone "$2" 2>/dev/null |
		grep -o "10.60.0.2:$3 [a-z]*" | tail -n 1 | cut -d' ' -f2
}
# expect_state WHAT INSTANCE ZONE PORT open|closed: waits for the prober.
expect_state() {
	local got=
	for _ in $(seq 1 60); do
		got=$(state "$2" "$3" "$4")
		[ "$got" = "$5" ] && break
		sleep 0.25
	done
	expect_eq "$1" "$got" "$5"
}
rule() {
	check "$1" gcloud compute firewall-rules create "${@:2}" --network fwn
}

check "network fwn" gcloud compute networks create fwn --subnet-mode=custom
check "subnet fws1" gcloud compute networks subnets create fws1 --network fwn \
	--region us-central1 --range 10.60.0.0/24
check "subnet fws2, another region" gcloud compute networks subnets create fws2 --network fwn \
	--region us-east1 --range 10.60.1.0/24
check "srv listens (tag web, its own service account)" gcloud compute instances create srv \
	--zone us-central1-a "${BB[@]}" --subnet fws1 --private-network-ip 10.60.0.2 --tags web \
	--service-account "$SA" --scopes cloud-platform \
	--metadata-from-file=startup-script="$STIM_TMP/listen.sh"
expect_eq "its service account is kept" \
	"$(gcloud compute instances describe srv --zone us-central1-a --format='value(serviceAccounts[0].email)')" "$SA"
check "cli probes it (tag client)" gcloud compute instances create cli --zone us-central1-a \
	"${BB[@]}" --subnet fws1 --tags client \
	--metadata-from-file=startup-script="$STIM_TMP/probe.sh"
check "far probes it from us-east1" gcloud compute instances create far --zone us-east1-b \
	"${BB[@]}" --subnet fws2 --service-account "$FAR_SA" --scopes cloud-platform \
	--metadata-from-file=startup-script="$STIM_TMP/probe.sh"

expect_state "no rule: GCE's implied deny" cli us-central1-a 80 closed
expect_state "no rule: from another subnet too" far us-east1-b 80 closed

rule "allow tcp:80 and 8080-8090 to web from client, logged" fw-web --allow tcp:80,tcp:8080-8090 \
	--target-tags web --source-tags client --enable-logging
expect_state "cli reaches srv:80" cli us-central1-a 80 open
expect_state "and srv:8080" cli us-central1-a 8080 open
expect_state "a port the rule does not name stays shut" cli us-central1-a 81 closed
expect_state "far has not the source tag" far us-east1-b 80 closed

expect_contains "the allowed connection is logged" \
	"$(grep '"network:fwn/firewall:fw-web"' "$STIM_DATA/logs/firewall.log" | grep -E '"dest_port":80[,}]' | head -n 1)" \
	'"disposition":"ALLOWED"'
expect_contains "with the instance it reached" \
	"$(grep '"network:fwn/firewall:fw-web"' "$STIM_DATA/logs/firewall.log" | head -n 1)" '"vm_name":"srv"'
rule "deny tcp:8080 at priority 500, logged" fw-no-8080 --action deny --rules tcp:8080 \
	--priority 500 --enable-logging
expect_state "the lower number wins" cli us-central1-a 8080 closed
expect_contains "the denied connection is logged" \
	"$(grep '"network:fwn/firewall:fw-no-8080"' "$STIM_DATA/logs/firewall.log" | head -n 1)" \
	'"disposition":"DENIED"'
check "disable the deny" gcloud compute firewall-rules update fw-no-8080 --disabled
expect_state "a disabled rule counts for nothing" cli us-central1-a 8080 open

rule "allow tcp:81 from the whole network" fw-81-allow --allow tcp:81 \
	--source-ranges 10.60.0.0/16 --priority 1000
rule "deny tcp:81 from fws1, same priority" fw-81-deny --action deny --rules tcp:81 \
	--source-ranges 10.60.0.0/24 --priority 1000
expect_state "at equal priority the deny wins" cli us-central1-a 81 closed
expect_state "far, only allowed, is routed between subnets" far us-east1-b 81 open
expect_eq "an unlogged rule writes nothing" \
	"$(grep -c 'firewall:fw-81' "$STIM_DATA/logs/firewall.log" || true)" 0

rule "allow ssh from anywhere" fw-ssh --allow tcp:22 --source-ranges 0.0.0.0/0
expect_state "cli reaches srv:22" cli us-central1-a 22 open
check "an egress deny for client to fws1, logged" gcloud compute firewall-rules create \
	fw-no-ssh-out --network fwn --direction EGRESS --action deny --rules tcp:22 \
	--target-tags client --destination-ranges 10.60.0.0/24 --enable-logging
expect_state "cli's own egress stops it" cli us-central1-a 22 closed
expect_state "far has no such egress rule" far us-east1-b 22 open
egress_entry=$(grep '"network:fwn/firewall:fw-no-ssh-out"' "$STIM_DATA/logs/firewall.log" | head -n 1)
expect_contains "the egress deny is logged" "$egress_entry" '"direction":"EGRESS"'
expect_contains "as denied" "$egress_entry" '"disposition":"DENIED"'
expect_contains "with the instance that sent" "$egress_entry" '"vm_name":"cli"'

rule "allow tcp:9000 from far's service account to srv's" fw-sa --allow tcp:9000 \
	--target-service-accounts "$SA" --source-service-accounts "$FAR_SA"
expect_state "the source service account matches far" far us-east1-b 9000 open
# far's prober has seen the rule; cli's, as often, would have by now.
sleep 2
expect_eq "and not cli, which runs as another" "$(state cli us-central1-a 9000)" closed

check "cli loses its client tag" gcloud compute instances remove-tags cli --zone us-central1-a \
	--tags client
expect_state "the source tag no longer matches" cli us-central1-a 80 closed
expect_state "and its egress deny no longer targets it" cli us-central1-a 22 open

check "delete the rules" gcloud compute firewall-rules delete "${RULES[@]}" --quiet
expect_state "back to the implied deny" far us-east1-b 81 closed

check "delete the instances" gcloud compute instances delete srv cli --zone us-central1-a
check "and far" gcloud compute instances delete far --zone us-east1-b
check "the subnets" gcloud compute networks subnets delete fws1 --region us-central1 --quiet
check "and fws2" gcloud compute networks subnets delete fws2 --region us-east1 --quiet
check "the network" gcloud compute networks delete fwn --quiet
expect_eq "nothing of theirs left on the host" \
	"$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" 2>&1)" ""
finish
