#!/usr/bin/env bash
# The HTTP contract through curl: Google-shaped errors for everything that
# can go wrong (404, 405, 400, 403, 409, 413), request ids, health, metrics,
# JSON logs, and a SIGTERM that lets a request in flight finish.
. "$(dirname "$0")/lib.sh"

stim_start --log json

google_error "unknown route" "$(http GET /v1/nothing/here)" 404 notFound NOT_FOUND
expect_contains "unknown route: the message names the path" "$(http GET /v1/nothing/here)" \
	"/v1/nothing/here"

google_error "wrong method" "$(http PATCH /v1/projects/stimulator-project)" 405 methodNotAllowed \
	UNIMPLEMENTED
allow=$(curl -sS -o /dev/null -D - -X PATCH "$STIM_URL/v1/projects/stimulator-project" |
	tr -d '\r' | sed -n 's/^Allow: //Ip')
expect_eq "wrong method: an Allow header" "$allow" "GET, PUT, DELETE"

resp=$(http POST /v1/projects -H 'Content-Type: application/json' -d '{"projectId": "x",')
google_error "broken JSON" "$resp" 400 badRequest INVALID_ARGUMENT
expect_contains "broken JSON: the message gives the position" "$resp" "(position 18)"

resp=$(http POST /v1/projects -d '{"projectId": "itest-fields", "colour": "blue"}')
google_error "unknown field" "$resp" 400 badRequest INVALID_ARGUMENT
expect_contains "unknown field: named" "$resp" 'Unknown name \"colour\"'

resp=$(http POST /v1/projects -d '{"projectId": 42}')
google_error "wrong type" "$resp" 400 badRequest INVALID_ARGUMENT
expect_contains "wrong type: names the field" "$resp" "Invalid value at 'projectId'"

for bad in p2 Bad_Id 1abcdef trailing-hyphen- this-project-id-is-far-too-long-1; do
	google_error "invalid project id '$bad'" \
		"$(http POST /v1/projects -d "{\"projectId\": \"$bad\"}")" 400 badRequest INVALID_ARGUMENT
done
google_error "invalid label key" \
	"$(http POST /v1/projects -d '{"projectId": "itest-labels", "labels": {"Env": "x"}}')" \
	400 badRequest INVALID_ARGUMENT

check "create for the conflict check" http POST /v1/projects -d '{"projectId": "itest-dup"}'
google_error "duplicate id" "$(http POST /v1/projects -d '{"projectId": "itest-dup"}')" \
	409 alreadyExists ALREADY_EXISTS
google_error "unknown project" "$(http GET /v1/projects/itest-missing)" 403 forbidden \
	PERMISSION_DENIED
google_error "unknown operation" "$(http GET /v1/operations/cp.nope)" 404 notFound NOT_FOUND
google_error "broken percent-escape" "$(http GET /v1/projects/abc%zz)" 400 badRequest \
	INVALID_ARGUMENT
google_error "encoded NUL" "$(http GET /v1/projects/abc%00def)" 400 badRequest INVALID_ARGUMENT
google_error "bad pageSize" "$(http GET '/v1/projects?pageSize=abc')" 400 invalid \
	INVALID_ARGUMENT
google_error "bad filter" "$(http GET '/v1/projects?filter=colour:blue')" 400 badRequest \
	INVALID_ARGUMENT

# 413 both ways: announced by Content-Length, and discovered in a chunked body.
head -c $((8 * 1024 * 1024 + 1)) /dev/zero | tr '\0' ' ' >"$STIM_TMP/big"
google_error "body over the limit (Content-Length)" \
	"$(http POST /v1/projects --data-binary @"$STIM_TMP/big")" 413 badRequest INVALID_ARGUMENT
google_error "body over the limit (chunked)" \
	"$(http POST /v1/projects -H 'Transfer-Encoding: chunked' --data-binary @"$STIM_TMP/big")" \
	413 badRequest INVALID_ARGUMENT
expect_eq "the daemon lives on after all of the above" "$(http GET /health/live | head -n1)" 200

# Pagination through curl: every project once, in pages of two.
for i in 1 2 3 4 5; do
	http POST /v1/projects -d "{\"projectId\": \"itest-page-$i\"}" >/dev/null
done
seen=$(paginate "/v1/projects?pageSize=2&filter=id:itest-page-*" '.projects[]?.projectId')
expect_eq "pagination visits each project once" "$seen" \
	"itest-page-1 itest-page-2 itest-page-3 itest-page-4 itest-page-5 "

id=$(curl -sS -D - -o /dev/null "$STIM_URL/health/live" | tr -d '\r' | sed -n 's/^X-Request-Id: //Ip')
check "responses carry a request id" grep -Eq '^[0-9a-f]{16}$' <<<"$id"

expect_eq "/health/live" "$(http GET /health/live | tail -n +2 | jq -r .status)" live
ready=$(http GET /health/ready | tail -n +2)
expect_eq "/health/ready checks the store" "$(jq -r .status <<<"$ready")" ready
expect_eq "/health/ready reports the auth mode" "$(jq -r .auth <<<"$ready")" off

metrics=$(http GET /metrics | tail -n +2)
expect_contains "metrics: requests by route and status" "$metrics" \
	'stim_http_requests_total{route="GET /health/live",code="200"}'
expect_contains "metrics: errors counted by status" "$metrics" \
	'stim_http_requests_total{route="POST /v1/projects",code="409"}'
expect_contains "metrics: unmatched routes" "$metrics" \
	'stim_http_requests_total{route="unmatched",code="404"}'
expect_contains "metrics: latency histogram" "$metrics" \
	'stim_http_request_duration_seconds_bucket{route="GET /health/live",le="+Inf"}'
expect_contains "metrics: Prometheus type lines" "$metrics" \
	'# TYPE stim_http_request_duration_seconds histogram'

expect_contains "one worker thread per core" "$(cat "$STIM_LOG")" "with $(nproc) worker threads"

# --log json: every line is a JSON object, request lines carry the id.
check "every log line is JSON" jq -e . "$STIM_LOG"
expect_contains "log lines carry the request id" "$(grep -F "\"id\":\"$id\"" "$STIM_LOG")" "$id"

# SIGTERM with a request in flight: its body trickles in for ~2 s, the
# signal lands in the middle, and the request still gets its answer.
{
	printf '{"projectId": "itest-inflight"'
	head -c 40000 /dev/zero | tr '\0' ' '
	printf '}'
} >"$STIM_TMP/slow"
curl -sS -o "$STIM_TMP/slow.out" -w '%{http_code}' --limit-rate 20k \
	-X POST "$STIM_URL/v1/projects" --data-binary @"$STIM_TMP/slow" >"$STIM_TMP/slow.code" &
curl_pid=$!
sleep 0.7
stim_stop && rc=0 || rc=$?
wait "$curl_pid" || true
expect_eq "SIGTERM: the daemon exits 0" "$rc" 0
expect_eq "SIGTERM: the request in flight got its answer" "$(cat "$STIM_TMP/slow.code")" 200
expect_eq "SIGTERM: and it was done" "$(jq -r .response.projectId "$STIM_TMP/slow.out")" \
	itest-inflight
check_fails "SIGTERM: no new connections afterwards" curl -sS --max-time 2 "$STIM_URL/health/live"

finish
