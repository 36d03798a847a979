#!/usr/bin/env bash
# Cloud Storage objects through gcloud storage and curl: uploads (media,
# multipart) streamed to disk, downloads with ranges and hash checks,
# listings with prefixes and pages, preconditions, versions, deletes, a
# client that vanishes mid-upload, the orphan sweep, and a restart.
. "$(dirname "$0")/lib.sh"

stim_start
gcloud_env
export CLOUDSDK_STORAGE_MAX_RETRIES=0
B=itest-objects-$$
W=$STIM_TMP/work
mkdir -p "$W"
blobs() { find "$STIM_DATA/blobs" -type f | wc -l; }

check "bucket for the objects" gcloud storage buckets create "gs://$B"

# gcloud: multipart for small files (reference/gcloud/storage.md).
printf 'small file\n' >"$W/small.txt"
head -c 3000000 /dev/urandom >"$W/mid.bin"
: >"$W/empty"
check "cp a small file up" gcloud storage cp "$W/small.txt" "gs://$B/"
check "cp 3 MB into a folder" gcloud storage cp "$W/mid.bin" "gs://$B/data/mid.bin"
check "cp an empty file" gcloud storage cp "$W/empty" "gs://$B/data/empty"
expect_eq "cat" "$(gcloud storage cat "gs://$B/small.txt")" "small file"
check "cp down (gcloud checks md5Hash)" gcloud storage cp "gs://$B/data/mid.bin" "$W/back.bin"
check "the bytes came back the same" cmp "$W/mid.bin" "$W/back.bin"
check "cp down an empty object" gcloud storage cp "gs://$B/data/empty" "$W/empty.back"
expect_eq "ls groups by folder" "$(gcloud storage ls "gs://$B" | tr '\n' ' ')" \
	"gs://$B/small.txt gs://$B/data/ "
expect_contains "ls -l shows sizes" "$(gcloud storage ls -l "gs://$B/data/")" "3000000"
desc=$(gcloud storage objects describe "gs://$B/data/mid.bin" --format=json)
expect_eq "describe: size" "$(jq -r .size <<<"$desc")" 3000000
expect_eq "describe: md5" "$(jq -r .md5_hash <<<"$desc")" \
	"$(openssl md5 -binary "$W/mid.bin" | base64)"

# Names with spaces, '%', '/' and non-ASCII survive the round trip.
printf 'odd\n' >"$W/odd"
check "cp to an odd name" gcloud storage cp "$W/odd" "gs://$B/a b/ü%25 x.txt"
expect_eq "cat an odd name" "$(gcloud storage cat "gs://$B/a b/ü%25 x.txt")" "odd"

# curl: the JSON API underneath.
U="/upload/storage/v1/b/$B/o"
resp=$(http POST "$U?uploadType=media&name=m1" -H 'Content-Type: text/csv' --data-binary 'a,b')
expect_eq "media upload" "$(head -n1 <<<"$resp")" 200
gen1=$(tail -n +2 <<<"$resp" | jq -r .generation)
expect_eq "media upload keeps the Content-Type" "$(tail -n +2 <<<"$resp" | jq -r .contentType)" \
	text/csv
printf -- '--xyz\r\nContent-Type: application/json\r\n\r\n{"name":"m2","metadata":{"k":"v"}}\r\n--xyz\r\nContent-Type: image/png\r\n\r\nPNGDATA\r\n--xyz--\r\n' >"$W/mp"
resp=$(http POST "$U?uploadType=multipart" -H 'Content-Type: multipart/related; boundary="xyz"' \
	--data-binary @"$W/mp")
expect_eq "multipart upload (CRLF)" "$(tail -n +2 <<<"$resp" | jq -c '[.name, .size, .contentType, .metadata.k]')" \
	'["m2","7","image/png","v"]'
expect_eq "range request" "$(curl -sS -H 'Range: bytes=1-2' "$STIM_URL/storage/v1/b/$B/o/m2?alt=media")" NG
expect_eq "suffix range" "$(curl -sS -H 'Range: bytes=-4' "$STIM_URL/download/storage/v1/b/$B/o/m2")" DATA
expect_eq "a range past the end is 416" \
	"$(curl -sS -o /dev/null -w '%{http_code}' -H 'Range: bytes=100-' "$STIM_URL/storage/v1/b/$B/o/m2?alt=media")" 416

expect_eq "ifGenerationMatch=0 on an existing name is 412" \
	"$(http POST "$U?uploadType=media&name=m1&ifGenerationMatch=0" --data-binary x | tail -n +2 | jq -r '.error.code, .error.errors[0].reason' | tr '\n' ' ')" \
	"412 conditionNotMet "
expect_eq "ifGenerationMatch=<current> replaces" \
	"$(http POST "$U?uploadType=media&name=m1&ifGenerationMatch=$gen1" --data-binary 'c,d' | head -n1)" 200
expect_eq "the replaced object reads new" "$(curl -sS "$STIM_URL/storage/v1/b/$B/o/m1?alt=media")" "c,d"
expect_eq "its old generation is gone (unversioned bucket)" \
	"$(http GET "/storage/v1/b/$B/o/m1?generation=$gen1" | head -n1)" 404
expect_eq "a missing object is 404" "$(http GET "/storage/v1/b/$B/o/nope" | head -n1)" 404
expect_eq "a missing bucket is 404" \
	"$(http POST "/upload/storage/v1/b/no-such-bucket-$$/o?uploadType=media&name=x" --data-binary x | head -n1)" 404
expect_eq "a wrong md5Hash refuses the upload" \
	"$(printf -- '--b\n\n{"name":"bad","md5Hash":"AAAAAAAAAAAAAAAAAAAAAA=="}\n--b\n\nbytes\n--b--\n' | http POST "$U?uploadType=multipart" -H "Content-Type: multipart/related; boundary=b" --data-binary @- | head -n1)" 400
expect_eq "and leaves no object" "$(http GET "/storage/v1/b/$B/o/bad" | head -n1)" 404

# Resumable: gcloud uses it from 8 MiB on, one PUT of the whole file, and
# chunks of 8 MiB with 308 answers when it streams stdin.
head -c 20971520 /dev/urandom >"$W/big.bin"
check "cp 20 MiB up (resumable)" gcloud storage cp "$W/big.bin" "gs://$B/big.bin"
check "cp it down" gcloud storage cp "gs://$B/big.bin" "$W/big.back"
check "20 MiB came back the same" cmp "$W/big.bin" "$W/big.back"
check "cp from stdin in 8 MiB chunks" bash -c \
	"CLOUDSDK_STORAGE_UPLOAD_CHUNK_SIZE=8Mi gcloud storage cp - gs://$B/streamed <'$W/big.bin'"
expect_eq "the streamed object is whole" \
	"$(gcloud storage cat "gs://$B/streamed" | cmp - "$W/big.bin" && echo same)" same

R="/resumable/upload/storage/v1/b/$B/o?uploadType=resumable"
head -c 200 /dev/urandom >"$W/r200"
loc=$(curl -sS -D - -o /dev/null -X POST "$STIM_URL$R" -H 'X-Upload-Content-Length: 200' \
	-H 'X-Upload-Content-Type: application/x-test' -d '{"name":"res"}' |
	tr -d '\r' | sed -n 's/^Location: //Ip')
expect_contains "a session's Location names its upload_id" "$loc" "upload_id="
S=${loc#http://*/}
S=/$S
chunk() { # chunk RANGE FIRST LEN: PUT bytes FIRST..FIRST+LEN-1 of r200
	tail -c +$(($2 + 1)) "$W/r200" | head -c "$3" >"$W/piece"
	curl -sS -o "$W/chunk.out" -D "$W/chunk.h" -w '%{http_code}' -X PUT "$STIM_URL$S" \
		-H "Content-Range: $1" --data-binary @"$W/piece"
}
expect_eq "first chunk: 308" "$(chunk 'bytes 0-99/*' 0 100)" 308
expect_eq "and its Range" "$(tr -d '\r' <"$W/chunk.h" | sed -n 's/^Range: //Ip')" "bytes=0-99"
expect_eq "status query: 308" \
	"$(curl -sS -o /dev/null -w '%{http_code}' -X PUT "$STIM_URL$S" -H 'Content-Range: bytes */*')" 308
expect_eq "a chunk past the held bytes is 400" "$(chunk 'bytes 150-199/200' 150 50)" 400
expect_eq "an overlapping retransmit is fine" "$(chunk 'bytes 50-149/200' 50 100)" 308
expect_eq "a chunk over the total is 400" "$(chunk 'bytes 150-249/200' 150 50)" 400

# The session outlives a restart; the rest comes after it.
stim_stop
stim_start
gcloud_env
expect_eq "after a restart the session resumes" "$(chunk 'bytes 150-199/200' 150 50)" 200
expect_eq "and the object has the right bytes" \
	"$(jq -r .md5Hash "$W/chunk.out")" "$(openssl md5 -binary "$W/r200" | base64)"
expect_eq "and the session's content type" "$(jq -r .contentType "$W/chunk.out")" application/x-test
expect_eq "a finished session is gone" "$(chunk 'bytes */200' 0 0)" 404

loc=$(curl -sS -D - -o /dev/null -X POST "$STIM_URL$R&name=cancelled" |
	tr -d '\r' | sed -n 's/^Location: //Ip')
S=/${loc#http://*/}
expect_eq "cancel a session: 499" "$(http DELETE "$S" | head -n1)" 499
expect_eq "a cancelled session is gone" "$(chunk 'bytes 0-9/*' 0 10)" 404
expect_eq "and left no partial file" "$(find "$STIM_DATA/blobs/partial" -type f | wc -l)" 0

# Compose: gcloud's parallel composite upload (from 150 MB by default;
# lowered here as in reference/gcloud/storage.md) and the JSON call itself.
check "cp with a parallel composite upload" env \
	CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_ENABLED=True \
	CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_THRESHOLD=15M \
	CLOUDSDK_STORAGE_PARALLEL_COMPOSITE_UPLOAD_COMPONENT_SIZE=11M \
	gcloud storage cp "$W/big.bin" "gs://$B/pcu.bin"
comp=$(http GET "/storage/v1/b/$B/o/pcu.bin" | tail -n +2)
expect_eq "a composite has components and a CRC32C, no MD5" \
	"$(jq -c '[.componentCount, (.crc32c | length > 0), .md5Hash]' <<<"$comp")" '[2,true,null]'
check "its download is checked by CRC32C" gcloud storage cp "gs://$B/pcu.bin" "$W/pcu.back"
check "and is whole" cmp "$W/big.bin" "$W/pcu.back"
for part in c1 c2 c3; do
	http POST "$U?uploadType=media&name=$part" --data-binary "$part-" >/dev/null
done
resp=$(http POST "/storage/v1/b/$B/o/joined/compose" -d \
	'{"destination":{"contentType":"text/plain"},"sourceObjects":[{"name":"c1"},{"name":"c2"},{"name":"c3"}]}')
expect_eq "compose three objects" "$(tail -n +2 <<<"$resp" | jq -c '[.componentCount, .size, .contentType]')" \
	'[3,"9","text/plain"]'
expect_eq "the composite reads in order" "$(curl -sS "$STIM_URL/storage/v1/b/$B/o/joined?alt=media")" "c1-c2-c3-"
expect_eq "a composite of a composite counts all components" \
	"$(http POST "/storage/v1/b/$B/o/twice/compose" -d \
		'{"sourceObjects":[{"name":"joined"},{"name":"c1"}]}' | tail -n +2 | jq .componentCount)" 4
expect_eq "a source precondition that fails is 412" \
	"$(http POST "/storage/v1/b/$B/o/x/compose" -d \
		'{"sourceObjects":[{"name":"c1","objectPreconditions":{"ifGenerationMatch":"1"}}]}' | head -n1)" 412
expect_eq "a missing source is 404" \
	"$(http POST "/storage/v1/b/$B/o/x/compose" -d '{"sourceObjects":[{"name":"nope"}]}' | head -n1)" 404
many=$(printf '{"name":"c1"},%.0s' $(seq 1 33))
expect_eq "more than 32 sources is 400" \
	"$(http POST "/storage/v1/b/$B/o/x/compose" -d "{\"sourceObjects\":[${many%,}]}" | head -n1)" 400

# Metadata: PATCH merges (null clears; a null metadata value removes its
# key, as GCS documents), PUT replaces; each bumps the metageneration.
check "objects update --content-type" gcloud storage objects update "gs://$B/m1" \
	--content-type=text/x-updated --custom-metadata=a=1,b=2
expect_eq "the update is stored" \
	"$(http GET "/storage/v1/b/$B/o/m1" | tail -n +2 | jq -c '[.contentType, .metadata, .metageneration]')" \
	'["text/x-updated",{"a":"1","b":"2"},"2"]'
expect_eq "PATCH merges metadata; null removes a key" \
	"$(http PATCH "/storage/v1/b/$B/o/m1" -d '{"metadata":{"a":null,"c":"3"},"cacheControl":"no-cache"}' | tail -n +2 | jq -c '[.metadata, .cacheControl, .contentType]')" \
	'[{"b":"2","c":"3"},"no-cache","text/x-updated"]'
expect_eq "ifMetagenerationMatch on a stale metageneration is 412" \
	"$(http PATCH "/storage/v1/b/$B/o/m1?ifMetagenerationMatch=1" -d '{}' | head -n1)" 412
expect_eq "PUT replaces what it does not name" \
	"$(http PUT "/storage/v1/b/$B/o/m1" -d '{"contentType":"text/plain"}' | tail -n +2 | jq -c '[.contentType, .metadata, .cacheControl, .metageneration]')" \
	'["text/plain",null,null,"4"]'
expect_eq "metadata changes keep the bytes" "$(curl -sS "$STIM_URL/storage/v1/b/$B/o/m1?alt=media")" "c,d"

# Copy and rewrite share the source's bytes; each copy stands alone.
check "a second bucket" gcloud storage buckets create "gs://$B-2"
check "cp between buckets (rewrite)" gcloud storage cp "gs://$B/small.txt" "gs://$B-2/copy.txt"
check "mv within a bucket" gcloud storage mv "gs://$B-2/copy.txt" "gs://$B-2/moved.txt"
expect_eq "the moved copy reads" "$(gcloud storage cat "gs://$B-2/moved.txt")" "small file"
resp=$(http POST "/storage/v1/b/$B/o/m2/copyTo/b/$B-2/o/m2copy" -d '{"contentType":"text/x-copy"}')
expect_eq "copyTo: the body's fields win, the rest is the source's" \
	"$(tail -n +2 <<<"$resp" | jq -c '[.contentType, .metadata.k, .size]')" '["text/x-copy","v","7"]'
expect_eq "rewriteTo finishes in one call" \
	"$(http POST "/storage/v1/b/$B/o/m2/rewriteTo/b/$B-2/o/m2re" | tail -n +2 | jq -c '[.done, .totalBytesRewritten, .resource.name]')" \
	'[true,"7","m2re"]'
expect_eq "a failed source precondition is 412" \
	"$(http POST "/storage/v1/b/$B/o/m2/copyTo/b/$B-2/o/x?ifSourceGenerationMatch=1" | head -n1)" 412
check "delete the source" gcloud storage rm "gs://$B/m2"
expect_eq "the copy is unaffected" "$(curl -sS "$STIM_URL/storage/v1/b/$B-2/o/m2copy?alt=media")" PNGDATA
check "rm -r the second bucket" gcloud storage rm -r "gs://$B-2"

# Listing: pages of two through five names under a prefix.
for i in 1 2 3 4 5; do
	http POST "$U?uploadType=media&name=page/p$i" --data-binary "$i" >/dev/null
done
seen=$(paginate "/storage/v1/b/$B/o?prefix=page/&maxResults=2" '.items[]?.name')
expect_eq "pages visit each object once" "$seen" "page/p1 page/p2 page/p3 page/p4 page/p5 "

expect_eq "fields= trims a page to what it names" \
	"$(http GET "/storage/v1/b/$B/o?prefix=page/&maxResults=2&fields=items(name),nextPageToken" | tail -n +2 | jq -c '[.items, (.nextPageToken | type), .kind]')" \
	'[[{"name":"page/p1"},{"name":"page/p2"}],"string",null]'
expect_eq "fields= on an object" \
	"$(http GET "/storage/v1/b/$B/o/page%2Fp1?fields=name,size" | tail -n +2 | jq -c .)" \
	'{"name":"page/p1","size":"1"}'
google_error "a malformed fields= selection" \
	"$(http GET "/storage/v1/b/$B/o?fields=items(name")" 400 invalidParameter INVALID_ARGUMENT
expect_eq "startOffset and endOffset bound a listing" \
	"$(http GET "/storage/v1/b/$B/o?prefix=page/&startOffset=page/p2&endOffset=page/p4" | tail -n +2 | jq -r '[.items[].name] | join(" ")')" \
	"page/p2 page/p3"
http POST "$U?uploadType=media&name=page/sub/" --data-binary "" >/dev/null
http POST "$U?uploadType=media&name=page/sub/p9.txt" --data-binary 9 >/dev/null
expect_eq "matchGlob: ** crosses '/', * does not" \
	"$(http GET "/storage/v1/b/$B/o?matchGlob=page/**.txt" | tail -n +2 | jq -r '[.items[].name] | join(" ")') | $(http GET "/storage/v1/b/$B/o?matchGlob=page/*9*" | tail -n +2 | jq -c '.items')" \
	"page/sub/p9.txt | null"
expect_eq "matchGlob: braces and classes" \
	"$(http GET "/storage/v1/b/$B/o?matchGlob=page/p%7B1,%5B3-4%5D%7D" | tail -n +2 | jq -r '[.items[].name] | join(" ")')" \
	"page/p1 page/p3 page/p4"
resp=$(http GET "/storage/v1/b/$B/o?matchGlob=page/%5Bab")
google_error "an unclosed '[' in matchGlob" "$resp" 400 invalid INVALID_ARGUMENT
expect_eq "the message names the pattern" "$(tail -n +2 <<<"$resp" | jq -r .error.message)" \
	"Invalid matchGlob 'page/[ab': unclosed '['."
expect_eq "includeTrailingDelimiter lists page/sub/ as an item and a prefix" \
	"$(http GET "/storage/v1/b/$B/o?prefix=page/&delimiter=/&includeTrailingDelimiter=true&startOffset=page/p5" | tail -n +2 | jq -c '[[.items[].name], .prefixes]')" \
	'[["page/p5","page/sub/"],["page/sub/"]]'
expect_eq "without it, only the prefix" \
	"$(http GET "/storage/v1/b/$B/o?prefix=page/sub&delimiter=/" | tail -n +2 | jq -c '[.items, .prefixes]')" \
	'[null,["page/sub/"]]'
check "rm the glob objects" gcloud storage rm "gs://$B/page/sub/" "gs://$B/page/sub/p9.txt"

# Versions: a versioned bucket keeps what is replaced or deleted.
check "turn on versioning" gcloud storage buckets update "gs://$B" --versioning
http POST "$U?uploadType=media&name=v" --data-binary one >/dev/null
http POST "$U?uploadType=media&name=v" --data-binary two >/dev/null
vers=$(http GET "/storage/v1/b/$B/o?prefix=v&versions=true" | tail -n +2)
expect_eq "two versions listed" "$(jq '.items | length' <<<"$vers")" 2
old=$(jq -r '.items[0].generation' <<<"$vers")
expect_eq "the old version still reads" \
	"$(curl -sS "$STIM_URL/storage/v1/b/$B/o/v?alt=media&generation=$old")" one
expect_eq "delete the live version" "$(http DELETE "/storage/v1/b/$B/o/v" | head -n1)" 204
expect_eq "it is no longer live" "$(http GET "/storage/v1/b/$B/o/v" | head -n1)" 404
expect_eq "but kept as a version" \
	"$(http GET "/storage/v1/b/$B/o?prefix=v&versions=true" | tail -n +2 | jq '.items | length')" 2

# A client that vanishes mid-upload leaves no bytes behind.
before=$(blobs)
head -c 20000000 /dev/zero >"$W/big"
curl -sS -o /dev/null --limit-rate 2M --max-time 1 -X POST \
	"$STIM_URL$U?uploadType=media&name=gone" --data-binary @"$W/big" 2>/dev/null || true
sleep 0.5
expect_eq "a vanished upload leaves no object" "$(http GET "/storage/v1/b/$B/o/gone" | head -n1)" 404
expect_eq "and no blob" "$(blobs)" "$before"

check "gcloud storage rm" gcloud storage rm "gs://$B/small.txt"
expect_eq "a non-empty bucket cannot be deleted" \
	"$(http DELETE "/storage/v1/b/$B" | head -n1)" 409

# Restart: objects survive; a stray blob nobody names is swept.
printf stray >"$STIM_DATA/blobs/0123456789abcdef0123456789abcdef"
stim_stop
stim_start
gcloud_env
expect_eq "after a restart: cat" "$(gcloud storage cat "gs://$B/data/mid.bin" | cmp - "$W/mid.bin" && echo same)" same
check_fails "after a restart: the orphaned blob is gone" \
	test -e "$STIM_DATA/blobs/0123456789abcdef0123456789abcdef"

check "rm -r empties and deletes the bucket" gcloud storage rm -r "gs://$B"
expect_eq "and it is gone" "$(http GET "/storage/v1/b/$B" | head -n1)" 404
expect_eq "with every blob" "$(blobs)" 0

finish
