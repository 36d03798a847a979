#!/usr/bin/env bash
# The metadata server from inside an instance, with real gcloud around it:
# stim-init reads the startup script from it; metadata.google.internal
# answers hostname, id, zone, attributes, network interfaces, tags,
# project values, directory listings, recursive JSON, a token the daemon
# then takes as the instance's account (under --auth enforce, which the
# whole test runs with), and an identity token it signs; it
# wants Metadata-Flavor: Google and refuses X-Forwarded-For; a
# wait_for_change returns when gcloud changes the metadata; a shutdown
# script added after boot runs at stop. All on a network whose only rule
# denies every egress: the metadata server is reachable whatever the
# rules say, as on GCE.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
# Under enforcement, with the owner's token for gcloud: the instance's
# own token is then checked like any caller's.
stim_start --auth enforce --owner user:admin@example.com
gcloud_env
"$STIMULATOR" token --principal user:admin@example.com --data-dir "$STIM_DATA" >"$STIM_TMP/admin.tok"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$STIM_TMP/admin.tok
P=stimulator-project
Z=us-central1-a
BB=(--image busybox --image-project $P)

stim_on_exit() {
	gcloud compute instances delete md1 --zone $Z >/dev/null 2>&1
	gcloud compute firewall-rules delete md-no-egress --quiet >/dev/null 2>&1
	gcloud compute networks subnets delete mds1 --region us-central1 --quiet >/dev/null 2>&1
	gcloud compute networks delete mdn --quiet >/dev/null 2>&1
}

cat >"$STIM_TMP/md.sh" <<'SCRIPT'
M=http://metadata.google.internal/computeMetadata/v1
get() { wget -q -O - --header 'Metadata-Flavor: Google' "$M/$1"; }
echo "hostname=$(get instance/hostname)"
echo "id=$(get instance/id)"
echo "zone=$(get instance/zone)"
echo "ip=$(get instance/network-interfaces/0/ip)"
echo "gateway=$(get instance/network-interfaces/0/gateway)"
echo "tags=$(get instance/tags)"
echo "color=$(get instance/attributes/color)"
echo "project=$(get project/project-id)"
echo "listing=$(get instance/ | tr '\n' ',')"
echo "recursive=$(get 'instance/network-interfaces/?recursive=true')"
echo "token=$(get instance/service-accounts/default/token)"
echo "identity=$(get 'instance/service-accounts/default/identity?audience=https://example.com&format=full')"
if get instance/service-accounts/default/identity >/dev/null 2>&1; then echo "no-audience=served"; else echo "no-audience=refused"; fi
if wget -q -O - "$M/instance/hostname" >/dev/null 2>&1; then echo "no-flavor=served"; else echo "no-flavor=refused"; fi
if wget -q -O - --header 'Metadata-Flavor: Google' --header 'X-Forwarded-For: 1.2.3.4' \
	"$M/instance/hostname" >/dev/null 2>&1; then echo "forwarded=served"; else echo "forwarded=refused"; fi
echo "waiting"
echo "changed=$(get 'instance/attributes/color?wait_for_change=true&timeout_sec=60')"
SCRIPT

serial() {
	gcloud compute instances get-serial-port-output md1 --zone $Z 2>/dev/null
}
# The value the startup script printed for KEY.
value() {
	serial | grep -o "startup-script: $1=.*" | head -n 1 | cut -d= -f2-
}
wait_for() {
	for _ in $(seq 1 100); do
		serial | grep -q "$1" && return 0
		sleep 0.2
	done
}

check "network mdn" gcloud compute networks create mdn --subnet-mode=custom
check "subnet mds1" gcloud compute networks subnets create mds1 --network mdn \
	--region us-central1 --range 10.70.0.0/24
check "a rule denying every egress" gcloud compute firewall-rules create md-no-egress \
	--network mdn --direction EGRESS --action deny --rules all --priority 0
check "md1, its script in metadata" gcloud compute instances create md1 --zone $Z "${BB[@]}" \
	--subnet mds1 --tags web,db --metadata color=blue \
	--metadata-from-file=startup-script="$STIM_TMP/md.sh"
ID=$(gcloud compute instances describe md1 --zone $Z --format='value(id)')
wait_for "startup-script: waiting"

expect_contains "stim-init read the script from the metadata server" "$(serial)" \
	"startup-script read from the metadata server"
expect_eq "hostname" "$(value hostname)" "md1.$Z.c.$P.internal"
expect_eq "id" "$(value id)" "$ID"
expect_contains "zone" "$(value zone)" "/zones/$Z"
expect_eq "its address" "$(value ip)" "10.70.0.2"
expect_eq "its gateway" "$(value gateway)" "10.70.0.1"
expect_eq "tags, as JSON" "$(value tags)" '["db","web"]'
expect_eq "an attribute" "$(value color)" "blue"
expect_eq "the project" "$(value project)" "$P"
expect_contains "a directory lists its entries" "$(value listing)" "attributes/,"
expect_contains "and hyphenates them" "$(value listing)" "network-interfaces/,"
expect_contains "recursive=true is JSON" "$(value recursive)" '"ip":"10.70.0.2"'
expect_contains "a token for the default service account" "$(value token)" '"access_token":"'
TOKEN=$(value token | jq -r .access_token)
SA=$(curl -sS "$STIM_URL/tokeninfo?access_token=$TOKEN" | jq -r .email)
expect_contains "which the daemon takes as that account's (curl, tokeninfo)" "$SA" \
	'-compute@developer.gserviceaccount.com'
INST=/compute/v1/projects/$P/zones/$Z/instances/md1
google_error "with curl: denied while the account has no role" \
	"$(http GET "$INST" -H "Authorization: Bearer $TOKEN")" 403 forbidden PERMISSION_DENIED
check "compute.viewer for the account" gcloud projects add-iam-policy-binding $P \
	--member "serviceAccount:$SA" --role roles/compute.viewer
expect_eq "then it reads its own instance" \
	"$(http GET "$INST" -H "Authorization: Bearer $TOKEN" | tail -n +2 | jq -r .name)" md1
# The identity token's claims, base64url between its two dots.
CLAIMS=$(value identity | python3 -c 'import base64,sys; p=sys.stdin.read().strip().split(".")[1]; print(base64.urlsafe_b64decode(p + "=" * (-len(p) % 4)).decode())')
expect_contains "an identity token for the audience asked" "$CLAIMS" '"aud":"https://example.com"'
expect_contains "naming the instance's account" "$CLAIMS" '-compute@developer.gserviceaccount.com"'
expect_contains "and, with format=full, the instance" "$CLAIMS" '"instance_name":"md1"'
expect_eq "no audience: refused" "$(value no-audience)" "refused"
expect_eq "no Metadata-Flavor: refused" "$(value no-flavor)" "refused"
expect_eq "X-Forwarded-For: refused" "$(value forwarded)" "refused"

check "gcloud changes the attribute" gcloud compute instances add-metadata md1 --zone $Z \
	--metadata color=green
wait_for "startup-script: changed="
expect_eq "wait_for_change returned the new value" "$(value changed)" "green"

check "a shutdown script added after boot" gcloud compute instances add-metadata md1 --zone $Z \
	--metadata shutdown-script='echo bye from the metadata server'
check "stop md1" gcloud compute instances stop md1 --zone $Z
expect_contains "it ran at stop, read then" "$(serial)" \
	"shutdown-script: bye from the metadata server"

check "delete md1" gcloud compute instances delete md1 --zone $Z
check "the rule" gcloud compute firewall-rules delete md-no-egress --quiet
check "the subnet" gcloud compute networks subnets delete mds1 --region us-central1 --quiet
check "the network" gcloud compute networks delete mdn --quiet
expect_eq "nothing of theirs left on the host" \
	"$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" 2>&1)" ""
finish
