#!/usr/bin/env bash
# VPC networks and subnetworks through gcloud: auto mode (a subnet per
# region from GCE's table) and custom mode, subnets with overlaps refused,
# expand-ip-range, private Google access, the switch to custom mode,
# routing mode, the aggregated list, system routes, and GCE's refusals of what is in use
# or malformed. (The bridges and namespaces that carry packets come next.)
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
C=/compute/v1/projects/stimulator-project
R=us-central1

check "create a custom mode network" gcloud compute networks create n1 --subnet-mode=custom
check "create an auto mode network" gcloud compute networks create n2 --subnet-mode=auto
expect_eq "both listed with their modes" \
	"$(gcloud compute networks list --format='value(name,autoCreateSubnetworks,routingConfig.routingMode,mtu)' | tr '\t' ' ' | tr '\n' ';')" \
	"default True REGIONAL 1460;n1 False REGIONAL 1460;n2 True REGIONAL 1460;"
expect_eq "auto mode has a subnet in every region" \
	"$(gcloud compute networks describe n2 --format='value(subnetworks.len())')" 15
expect_eq "from GCE's table of ranges" \
	"$(gcloud compute networks subnets describe n2 --region $R --format='value(ipCidrRange,gatewayAddress)')" \
	"10.128.0.0/20	10.128.0.1"
expect_eq "europe-west1 too" \
	"$(gcloud compute networks subnets describe n2 --region europe-west1 --format='value(ipCidrRange)')" \
	"10.132.0.0/20"

check "a subnet in n1" gcloud compute networks subnets create s1 --network=n1 --range=10.0.0.0/24 --region=$R
check "another in another region" gcloud compute networks subnets create s2 --network=n1 \
	--range=10.0.16.0/24 --region=us-east1
check_fails "an overlapping range is refused" gcloud compute networks subnets create s3 \
	--network=n1 --range=10.0.0.128/25 --region=europe-west1
google_error "with GCE's error" \
	"$(http POST "$C/regions/europe-west1/subnetworks" -d '{"name":"s3","network":"global/networks/n1","ipCidrRange":"10.0.0.128/25"}')" \
	400 invalid INVALID_ARGUMENT
expect_contains "naming the subnet in the way" \
	"$(http POST "$C/regions/europe-west1/subnetworks" -d '{"name":"s3","network":"global/networks/n1","ipCidrRange":"10.0.0.128/25"}')" \
	"conflicts with existing subnetwork 's1' in region 'us-central1'"
check "the same range in another network" gcloud compute networks subnets create s9 \
	--network=n2 --range=10.0.0.0/24 --region=$R
google_error "a range not at its first address" \
	"$(http POST "$C/regions/$R/subnetworks" -d '{"name":"s4","network":"n1","ipCidrRange":"10.5.0.1/24"}')" \
	400 invalid INVALID_ARGUMENT
google_error "a subnet too small" \
	"$(http POST "$C/regions/$R/subnetworks" -d '{"name":"s4","network":"n1","ipCidrRange":"10.5.0.0/30"}')" \
	400 invalid INVALID_ARGUMENT
google_error "a network that does not exist" \
	"$(http POST "$C/regions/$R/subnetworks" -d '{"name":"s4","network":"nope","ipCidrRange":"10.5.0.0/24"}')" \
	404 notFound NOT_FOUND
google_error "a legacy network" "$(http POST "$C/global/networks" -d '{"name":"old","IPv4Range":"10.0.0.0/16"}')" \
	400 invalid INVALID_ARGUMENT
google_error "a name taken" "$(http POST "$C/global/networks" -d '{"name":"n1","autoCreateSubnetworks":false}')" \
	409 alreadyExists ALREADY_EXISTS

expect_eq "subnets list --filter" \
	"$(gcloud compute networks subnets list --filter='network:n1' --format='value(name,region.basename(),ipCidrRange)' | tr '\t' ' ' | tr '\n' ';')" \
	"s1 us-central1 10.0.0.0/24;s2 us-east1 10.0.16.0/24;"
expect_eq "the aggregated list has every subnet (default's 15 too)" \
	"$(gcloud compute networks subnets list --format='value(name)' | wc -l)" 33
check "expand-ip-range" gcloud compute networks subnets expand-ip-range s1 --region $R \
	--prefix-length=20 --quiet
expect_eq "grown" "$(gcloud compute networks subnets describe s1 --region $R --format='value(ipCidrRange)')" \
	"10.0.0.0/20"
check_fails "not over a neighbour" gcloud compute networks subnets expand-ip-range s2 \
	--region us-east1 --prefix-length=19 --quiet
check "private Google access" gcloud compute networks subnets update s1 --region $R \
	--enable-private-ip-google-access
expect_eq "is on" \
	"$(gcloud compute networks subnets describe s1 --region $R --format='value(privateIpGoogleAccess)')" True
fp=$(http GET "$C/regions/$R/subnetworks/s1" | tail -n +2 | jq -r .fingerprint)
check "a patch with the fingerprint" \
	test "$(http PATCH "$C/regions/$R/subnetworks/s1" -d "{\"fingerprint\":\"$fp\",\"description\":\"web\"}" | head -1)" = 200
google_error "and again with the old one" \
	"$(http PATCH "$C/regions/$R/subnetworks/s1" -d "{\"fingerprint\":\"$fp\",\"description\":\"x\"}")" \
	412 conditionNotMet FAILED_PRECONDITION

# System routes: one to the internet per network, one per subnet.
expect_eq "routes list" \
	"$(gcloud compute routes list --filter='network.basename()=n1' --format='value(destRange,priority)' | sort | tr '\t' ' ' | tr '\n' ';')" \
	"0.0.0.0/0 1000;10.0.0.0/20 0;10.0.16.0/24 0;"
expect_eq "every network's" "$(gcloud compute routes list --format='value(name)' | wc -l)" 36
r=$(gcloud compute routes list --filter='network.basename()=n1 AND priority=1000' --format='value(name)')
expect_eq "describe" "$(gcloud compute routes describe "$r" --format='value(nextHopGateway.basename(),routeType)')" \
	"default-internet-gateway	STATIC"
expect_eq "pages of 10 (four of them)" \
	"$(paginate "$C/global/routes?maxResults=10" '.items | length')" "10 10 10 6 "

check_fails "a network with subnets cannot go" gcloud compute networks delete n1 --quiet
google_error "resourceInUseByAnotherResource" "$(http DELETE "$C/global/networks/n1")" \
	400 resourceInUseByAnotherResource INVALID_ARGUMENT
check_fails "nor an auto subnet alone" gcloud compute networks subnets delete n2 --region $R --quiet
check "global routing" gcloud compute networks update n2 --bgp-routing-mode=global
check "switch to custom mode" gcloud compute networks update n2 --switch-to-custom-subnet-mode --quiet
expect_eq "now custom and global" \
	"$(gcloud compute networks describe n2 --format='value(autoCreateSubnetworks,routingConfig.routingMode)')" \
	"False	GLOBAL"

check "delete the subnets" gcloud compute networks subnets delete s1 --region $R --quiet
check "and s2" gcloud compute networks subnets delete s2 --region us-east1 --quiet
check "then n1" gcloud compute networks delete n1 --quiet
expect_eq "gone" "$(gcloud compute networks list --format='value(name)' | tr '\n' ' ')" "default n2 "
finish
