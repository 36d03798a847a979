#!/usr/bin/env bash
# Firewall rules through gcloud: every project's default network with
# GCE's four rules, create (ingress and egress, allow and deny, ports,
# ranges, tags, priority), describe with GCE's defaults filled in, update
# (gcloud's whole-rule PATCH), disable and logging, delete (one and a
# batch), a network kept while a rule names it, and GCE's refusals.
# (Enforcement on packets comes with the bridges.)
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
C=/compute/v1/projects/stimulator-project

expect_eq "a project starts with the default network" \
	"$(gcloud compute networks list --format='value(name,autoCreateSubnetworks)')" "default	True"
expect_eq "and GCE's four rules on it" \
	"$(gcloud compute firewall-rules list --format='value(name,priority,sourceRanges.list(),allowed[].map().firewall_rule().list())' 2>/dev/null | tr '\t' ' ' | tr '\n' ';')" \
	"default-allow-icmp 65534 0.0.0.0/0 icmp;default-allow-internal 65534 10.128.0.0/9 tcp:0-65535,udp:0-65535,icmp;default-allow-rdp 65534 0.0.0.0/0 tcp:3389;default-allow-ssh 65534 0.0.0.0/0 tcp:22;"
check "a new project gets its own" gcloud projects create fw-proj-1
expect_eq "four rules there too" \
	"$(gcloud compute firewall-rules list --project fw-proj-1 --format='value(name)' 2>/dev/null | wc -l)" 4

check "a custom network" gcloud compute networks create n1 --subnet-mode=custom
check "ingress allow with tags" gcloud compute firewall-rules create fw1 --network=n1 \
	--allow=tcp:22 --source-ranges=0.0.0.0/0 --target-tags=web
check "several protocols and a priority" gcloud compute firewall-rules create fw2 --network=n1 \
	--allow=tcp:80,tcp:443,icmp --priority=900
check "an egress deny" gcloud compute firewall-rules create fw3 --network=n1 --direction=EGRESS \
	--action=DENY --rules=udp:53 --destination-ranges=8.8.8.8/32
expect_eq "listed as gcloud shows them" \
	"$(gcloud compute firewall-rules list --filter='network.basename()=n1' --format='value(name,direction,priority,allowed[].map().firewall_rule().list(),denied[].map().firewall_rule().list())' 2>/dev/null | tr '\t' ' ' | tr '\n' ';')" \
	"fw1 INGRESS 1000 tcp:22 ;fw2 INGRESS 900 tcp:80,tcp:443,icmp ;fw3 EGRESS 1000  udp:53;"
expect_eq "GCE's defaults filled in" \
	"$(gcloud compute firewall-rules describe fw2 --format='value(sourceRanges.list(),disabled,logConfig.enable)')" \
	"0.0.0.0/0	False	False"
check "update the ports" gcloud compute firewall-rules update fw2 --allow=tcp:8080
check "disable it, with logging" gcloud compute firewall-rules update fw2 --disabled --enable-logging
expect_eq "what update left" \
	"$(gcloud compute firewall-rules describe fw2 --format='value(allowed[].map().firewall_rule().list(),priority,disabled,logConfig.enable)')" \
	"tcp:8080	900	True	True"

check_fails "a port out of range" gcloud compute firewall-rules create bad --network=n1 --allow=tcp:99999
google_error "an unknown protocol" \
	"$(http POST "$C/global/firewalls" -d '{"name":"bad","network":"global/networks/n1","allowed":[{"IPProtocol":"foo"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "both allowed and denied" \
	"$(http POST "$C/global/firewalls" -d '{"name":"bad","network":"n1","allowed":[{"IPProtocol":"tcp"}],"denied":[{"IPProtocol":"udp"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "source tags on an egress rule" \
	"$(http POST "$C/global/firewalls" -d '{"name":"bad","network":"n1","direction":"EGRESS","sourceTags":["web"],"allowed":[{"IPProtocol":"tcp"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "target tags with target service accounts" \
	"$(http POST "$C/global/firewalls" -d '{"name":"bad","network":"n1","targetTags":["a"],"targetServiceAccounts":["s@p.iam.gserviceaccount.com"],"allowed":[{"IPProtocol":"tcp"}]}')" \
	400 invalid INVALID_ARGUMENT
google_error "a network that does not exist" \
	"$(http POST "$C/global/firewalls" -d '{"name":"bad","network":"nope","allowed":[{"IPProtocol":"tcp"}]}')" \
	404 notFound NOT_FOUND
google_error "a name taken" \
	"$(http POST "$C/global/firewalls" -d '{"name":"fw1","network":"n1","allowed":[{"IPProtocol":"tcp"}]}')" \
	409 alreadyExists ALREADY_EXISTS
google_error "a patch that moves the rule" \
	"$(http PATCH "$C/global/firewalls/fw1" -d '{"network":"default"}')" 400 invalid INVALID_ARGUMENT

check_fails "a network a rule names is kept" gcloud compute networks delete n1 --quiet
google_error "resourceInUseByAnotherResource" "$(http DELETE "$C/global/networks/n1")" \
	400 resourceInUseByAnotherResource INVALID_ARGUMENT
check "delete one" gcloud compute firewall-rules delete fw1 --quiet
out=$(gcloud compute firewall-rules delete fw2 fw3 --quiet 2>&1)
expect_contains "delete two (a batch), links under the daemon's address" "$out" \
	"Deleted [$STIM_URL/compute/v1/projects/stimulator-project/global/firewalls/fw3]"
check "then the network goes" gcloud compute networks delete n1 --quiet
check_fails "a missing rule" gcloud compute firewall-rules describe fw1
finish
