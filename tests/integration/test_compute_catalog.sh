#!/usr/bin/env bash
# Compute Engine's catalog through gcloud and curl: zones, regions and
# machine types (GCE's real vCPU and memory figures), paging, and the 404s
# GCE gives for an unknown zone, region, machine type or project.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=stimulator-project
C=/compute/v1/projects/$P

expect_contains "zones list" "$(gcloud compute zones list --format='value(name,region,status)')" \
	"us-central1-f	us-central1	UP"
expect_eq "zones describe" \
	"$(gcloud compute zones describe europe-west1-b --format='value(name,region.basename(),status)')" \
	"europe-west1-b	europe-west1	UP"
expect_contains "regions list (quotas as CPUS usage/limit)" \
	"$(gcloud compute regions list --filter=name=us-east1 --format='value(name,quotas[0].limit)')" \
	"us-east1	24.0"
expect_eq "regions describe: its zones" \
	"$(gcloud compute regions describe us-east1 --format='value(zones.map().basename().list())')" \
	"us-east1-b,us-east1-c,us-east1-d"

# Machine types: GCE's figures, shared-core types marked.
expect_eq "n1-standard-4" \
	"$(gcloud compute machine-types describe n1-standard-4 --zone us-central1-a --format='value(guestCpus,memoryMb,description)')" \
	"4	15360	4 vCPUs, 15 GB RAM"
expect_eq "e2-micro is shared-core" \
	"$(gcloud compute machine-types describe e2-micro --zone us-central1-a --format='value(guestCpus,memoryMb,isSharedCpu)')" \
	"2	1024	True"
expect_eq "n1-highcpu-8 (0.9 GB per vCPU, rounded as GCE does)" \
	"$(gcloud compute machine-types describe n1-highcpu-8 --zone us-central1-a --format='value(memoryMb)')" \
	"7373"
expect_eq "machine-types list --zones (zonal list)" \
	"$(gcloud compute machine-types list --zones us-west1-b --filter='name~^c3-standard' --format='value(name)' | tr '\n' ' ')" \
	"c3-standard-176 c3-standard-22 c3-standard-4 c3-standard-44 c3-standard-8 c3-standard-88 "
expect_eq "machine-types list (aggregated) holds every zone" \
	"$(gcloud compute machine-types list --filter='name=n2-standard-2' --format='value(zone)' | wc -l)" \
	"$(gcloud compute zones list --format='value(name)' | wc -l)"

# Paging: 500 at most, a token for the rest, each name once.
seen=$(paginate "$C/zones/us-central1-a/machineTypes?maxResults=40" '.items[]?.name' | wc -w)
expect_eq "machine types page by 40, each once" "$seen" \
	"$(http GET "$C/zones/us-central1-a/machineTypes" | tail -n +2 | jq '.items | length')"
google_error "maxResults over 500" "$(http GET "$C/zones?maxResults=501")" 400 invalid

# GCE's not-found answers.
google_error "unknown zone" "$(http GET "$C/zones/mars-1a")" 404 notFound NOT_FOUND
google_error "unknown region" "$(http GET "$C/regions/mars-1")" 404 notFound NOT_FOUND
google_error "unknown machine type" \
	"$(http GET "$C/zones/us-central1-a/machineTypes/n9-huge-1")" 404 notFound NOT_FOUND
google_error "machine types of an unknown zone" \
	"$(http GET "$C/zones/mars-1a/machineTypes")" 404 notFound NOT_FOUND
resp=$(http GET "/compute/v1/projects/no-such-project/zones")
google_error "unknown project" "$resp" 404 notFound NOT_FOUND
expect_eq "it names the project" "$(tail -n +2 <<<"$resp" | jq -r .error.message)" \
	"The resource 'projects/no-such-project' was not found"
check_fails "gcloud says so too" gcloud compute zones list --project no-such-project
finish
