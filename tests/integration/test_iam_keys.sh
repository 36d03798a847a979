#!/usr/bin/env bash
# Service account keys and the token endpoint, through gcloud, curl and
# openssl: a key file gcloud writes, whose private key is a real RSA-2048
# key the daemon does not keep and whose token_uri is the daemon;
# gcloud auth activate-service-account with it, access and ID tokens,
# tokeninfo; a disabled key, a disabled account and a deleted key grant
# nothing and end the tokens they granted; forged, expired and
# wrong-audience assertions refused as Google refuses them; the limit of
# ten keys; tokens from `stimulator token`.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
P=stimulator-project
E=sa-keys@$P.iam.gserviceaccount.com
KEYS=$STIM_URL/v1/projects/-/serviceAccounts/$E/keys
cd "$STIM_TMP"

# tokeninfo TOKEN: the email tokeninfo gives for TOKEN, or its error.
tokeninfo() {
	curl -sS "$STIM_URL/tokeninfo?access_token=$1" | jq -r '.email // .error'
}
b64url() {
	base64 -w0 | tr '+/' '-_' | tr -d '='
}
# assertion KEYFILE KID CLAIMS: a JWT-bearer assertion signed RS256 with
# KEYFILE's private key, as client libraries make them.
assertion() {
	local head body
	head=$(printf '{"alg":"RS256","typ":"JWT","kid":"%s"}' "$2" | b64url)
	body=$(printf '%s' "$3" | b64url)
	printf '%s.%s.%s' "$head" "$body" \
		"$(printf '%s.%s' "$head" "$body" | openssl dgst -sha256 -sign "$1" -binary | b64url)"
}
# grant ASSERTION: the token endpoint's answer, "STATUS\nBODY".
grant() {
	http POST /token --data-urlencode "grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer" \
		--data-urlencode "assertion=$1"
}
NOW=$(date +%s)
SCOPE=https://www.googleapis.com/auth/cloud-platform
claims() { # AUD IAT EXP
	printf '{"iss":"%s","aud":"%s","iat":%s,"exp":%s,"scope":"%s"}' "$E" "$1" "$2" "$3" "$SCOPE"
}

check "an account" gcloud iam service-accounts create sa-keys
check "a key, written by gcloud" gcloud iam service-accounts keys create key.json \
	--iam-account "$E"
expect_eq "the file is gcloud's, mode 0600" "$(stat -c %a key.json)" 600
expect_eq "a service account key file" \
	"$(jq -r '[.type, .client_email, .project_id, .universe_domain] | join(" ")' key.json)" \
	"service_account $E $P googleapis.com"
expect_eq "whose token_uri is the daemon" "$(jq -r .token_uri key.json)" "$STIM_URL/token"
KID=$(jq -r .private_key_id key.json)
jq -r .private_key key.json >key.pem
expect_contains "a real RSA-2048 private key" "$(openssl pkey -in key.pem -text -noout | head -n1)" \
	"2048 bit"
expect_eq "listed under its id" \
	"$(gcloud iam service-accounts keys list --iam-account "$E" --format='value(name.basename())')" \
	"$KID"
check "its certificate, from the beta track" gcloud beta iam service-accounts keys get-public-key \
	"$KID" --iam-account "$E" --output-file=cert.pem
expect_eq "holds the public half of the key file's key" \
	"$(openssl x509 -in cert.pem -noout -pubkey)" "$(openssl pkey -in key.pem -pubout)"
body=$(sed -n 2p key.pem)
expect_eq "the daemon keeps no copy of the private key" \
	"$(grep -rlF -- "$body" "$STIM_DATA" 2>/dev/null | wc -l)" 0
expect_eq "nor does a key listing show it" "$(curl -sS "$KEYS" | jq '.keys[0] | has("privateKeyData")')" \
	false

# gcloud with the key, as a user would: credentials on.
unset CLOUDSDK_AUTH_DISABLE_CREDENTIALS
check "gcloud auth activate-service-account --key-file" \
	gcloud auth activate-service-account --key-file=key.json
expect_eq "the account is gcloud's active one" \
	"$(gcloud auth list --filter=status:ACTIVE --format='value(account)')" "$E"
TOKEN=$(gcloud auth print-access-token)
expect_eq "its access token is the account's" "$(tokeninfo "$TOKEN")" "$E"
idt=$(gcloud auth print-identity-token --audiences=https://svc.example.com 2>/dev/null ||
	gcloud auth print-identity-token)
expect_contains "an ID token names the account" \
	"$(cut -d. -f2 <<<"$idt" | tr '_-' '/+' | base64 -d 2>/dev/null)" "\"email\":\"$E\""
check "gcloud calls the APIs with it" gcloud iam service-accounts describe "$E"

check "the key disabled" gcloud iam service-accounts keys disable "$KID" --iam-account "$E"
expect_eq "listed as disabled" \
	"$(gcloud iam service-accounts keys list --iam-account "$E" --format='value(disabled)')" True
rc=0
out=$(gcloud auth activate-service-account --key-file=key.json 2>&1) || rc=$?
expect_contains "a disabled key grants nothing" "$rc $out" "invalid_grant: Invalid JWT Signature."
expect_eq "and its token stops working" "$(tokeninfo "$TOKEN")" invalid_token
check "enabled again" gcloud iam service-accounts keys enable "$KID" --iam-account "$E"
expect_eq "the token works again" "$(tokeninfo "$TOKEN")" "$E"

check "the account disabled" gcloud iam service-accounts disable "$E"
expect_contains "a disabled account is granted nothing" \
	"$(grant "$(assertion key.pem "$KID" "$(claims https://oauth2.googleapis.com/token "$NOW" $((NOW + 600)))")")" \
	"Invalid grant: account not found"
expect_eq "and its tokens stop working" "$(tokeninfo "$TOKEN")" invalid_token
check "enabled again" gcloud iam service-accounts enable "$E"

# Assertions made by hand, as client libraries send them.
resp=$(grant "$(assertion key.pem "$KID" "$(claims https://oauth2.googleapis.com/token "$NOW" $((NOW + 600)))")")
expect_eq "a library's assertion for Google's token URL is granted" "$(head -n1 <<<"$resp")" 200
expect_eq "an hour's Bearer token" \
	"$(tail -n +2 <<<"$resp" | jq -r '[.token_type, .expires_in] | join(" ")')" "Bearer 3599"
expect_eq "one for the daemon's own token URL too" \
	"$(grant "$(assertion key.pem "$KID" "$(claims "$STIM_URL/token" "$NOW" $((NOW + 600)))")" | head -n1)" 200
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out other.pem 2>/dev/null
resp=$(grant "$(assertion other.pem "$KID" "$(claims https://oauth2.googleapis.com/token "$NOW" $((NOW + 600)))")")
expect_eq "signed by another key under this key's id: refused" "$(tail -n +2 <<<"$resp" | jq -c .)" \
	'{"error":"invalid_grant","error_description":"Invalid JWT Signature."}'
expect_eq "with 400" "$(head -n1 <<<"$resp")" 400
expect_contains "expired: refused" \
	"$(grant "$(assertion key.pem "$KID" "$(claims https://oauth2.googleapis.com/token $((NOW - 7200)) $((NOW - 3600)))")")" \
	"Token must be a short-lived token (60 minutes)"
expect_contains "longer than an hour: refused" \
	"$(grant "$(assertion key.pem "$KID" "$(claims https://oauth2.googleapis.com/token "$NOW" $((NOW + 7200)))")")" \
	"Token must be a short-lived token (60 minutes)"
expect_contains "for another audience: refused" \
	"$(grant "$(assertion key.pem "$KID" "$(claims https://elsewhere.example.com/token "$NOW" $((NOW + 600)))")")" \
	"Failed audience check"
expect_contains "another grant type: refused" \
	"$(http POST /token --data-urlencode grant_type=password --data-urlencode assertion=x)" \
	'"error":"unsupported_grant_type"'
expect_contains "no assertion: refused" \
	"$(http POST /token --data-urlencode grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer)" \
	'"error":"invalid_request"'
expect_contains "not a JWT: refused" "$(grant not.a-jwt)" '"error":"invalid_grant"'
expect_eq "a forged access token is no token" "$(tokeninfo "${TOKEN%?}x")" invalid_token

# Keys, as the API refuses them.
export CLOUDSDK_AUTH_DISABLE_CREDENTIALS=true
google_error "a key of an unknown account" \
	"$(http POST "/v1/projects/-/serviceAccounts/nobody@$P.iam.gserviceaccount.com/keys" -d '{}')" \
	404 notFound NOT_FOUND
google_error "a PKCS#12 key" "$(http POST "/v1/projects/-/serviceAccounts/$E/keys" \
	-d '{"privateKeyType":"TYPE_PKCS12_FILE"}')" 400 badRequest INVALID_ARGUMENT
google_error "an unknown key" "$(http GET "/v1/projects/-/serviceAccounts/$E/keys/0123abcd")" \
	404 notFound NOT_FOUND
for _ in $(seq 2 10); do
	curl -sS -o /dev/null -X POST "$KEYS" -d '{}'
done
expect_eq "ten keys" "$(curl -sS "$KEYS" | jq '.keys | length')" 10
google_error "an eleventh is refused" "$(http POST "/v1/projects/-/serviceAccounts/$E/keys" -d '{}')" \
	400 failedPrecondition FAILED_PRECONDITION

check "the key deleted" gcloud iam service-accounts keys delete "$KID" --iam-account "$E" --quiet
expect_eq "gone from the list" "$(curl -sS "$KEYS" | jq --arg k "$KID" '[.keys[].name | endswith($k)] | any')" \
	false
expect_eq "its token stops working" "$(tokeninfo "$TOKEN")" invalid_token
expect_contains "and it grants nothing" \
	"$(grant "$(assertion key.pem "$KID" "$(claims https://oauth2.googleapis.com/token "$NOW" $((NOW + 600)))")")" \
	"Invalid JWT Signature."

# Tokens minted by root for any principal.
T=$("$STIMULATOR" token --principal user:admin@example.com --data-dir "$STIM_DATA")
expect_eq "stimulator token: the daemon takes it as the user's" "$(tokeninfo "$T")" admin@example.com
T=$("$STIMULATOR" token --principal user:brief@example.com --lifetime 1 --data-dir "$STIM_DATA")
sleep 2
expect_eq "an expired one is no token" "$(tokeninfo "$T")" invalid_token
check_fails "a principal that is not one is refused" "$STIMULATOR" token --principal bob \
	--data-dir "$STIM_DATA"
expect_eq "no token asked of tokeninfo reached the log" "$(grep -cF "${TOKEN#ya29.stim.}" "$STIM_LOG")" 0
finish
