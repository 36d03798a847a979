#!/usr/bin/env bash
# gcloud compute ssh through the shim (`stimulator env` puts DATA/bin/ssh
# first on PATH): the command runs inside the instance and its status
# comes back; stdin, large output and signals pass; a user named in the
# key gets an account; --internal-ip, and plain ssh with gcloud's key on
# the external IP, work; a key that is not in ssh-keys is refused, and so
# is the project's once the instance blocks project keys; OS Login is
# refused, saying so; an address that is no instance's goes to the real
# ssh; a stopped instance is refused with a clear message.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=(--zone us-central1-a)

stim_on_exit() {
	gcloud compute instances delete sshvm "${Z[@]}" --quiet >/dev/null 2>&1
}

expect_eq "ssh on PATH is the shim" "$(command -v ssh)" "$STIM_DATA/bin/ssh"
check "an instance" gcloud compute instances create sshvm "${Z[@]}" --image busybox \
	--image-project stimulator-project

# The first time gcloud also runs ssh-keygen, whose words go to stdout.
out=$(gcloud compute ssh sshvm "${Z[@]}" --command 'echo hi; hostname' 2>/dev/null | tail -n 2)
expect_eq "the command runs inside, after gcloud adds the key" "$out" "hi
sshvm"
expect_contains "the key is in the project's ssh-keys" \
	"$(gcloud compute project-info describe --format='value(commonInstanceMetadata.items)')" \
	"root:ssh-rsa "
rc=0
gcloud compute ssh sshvm "${Z[@]}" --command 'exit 3' 2>/dev/null || rc=$?
expect_eq "its exit status is gcloud's" "$rc" 3
rc=0
gcloud compute ssh sshvm "${Z[@]}" --command 'kill -TERM $$' 2>/dev/null || rc=$?
expect_eq "a signal is 128 + n" "$rc" 143
expect_eq "the words gcloud split are one command again" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command "printf '%s|' one  two" 2>/dev/null)" \
	"one|two|"
expect_eq "stdin passes" "$(echo piped | gcloud compute ssh sshvm "${Z[@]}" --command cat 2>/dev/null)" \
	piped
expect_eq "5 MB of output pass" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'head -c 5000000 /dev/zero' 2>/dev/null | wc -c)" \
	5000000
expect_eq "in the instance's pid namespace" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'cat /proc/1/comm' 2>/dev/null)" stim-init

out=$(gcloud compute ssh alice@sshvm "${Z[@]}" --command 'id -un; pwd; id -Gn' 2>/dev/null)
expect_eq "alice gets an account, her home, google-sudoers" "$out" "alice
/home/alice
alice google-sudoers"
expect_contains "as the guest agent writes it" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'grep alice /etc/passwd' 2>/dev/null)" \
	"alice:x:1000:1000::/home/alice:/bin/sh"

expect_eq "--internal-ip (gcloud's check of the instance id answered)" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --internal-ip --command hostname 2>/dev/null)" sshvm

ip=$(gcloud compute instances describe sshvm "${Z[@]}" \
	--format='value(networkInterfaces[0].accessConfigs[0].natIP)')
expect_eq "plain ssh with gcloud's key on the external IP" \
	"$(ssh -i "$HOME/.ssh/google_compute_engine" "root@$ip" echo direct 2>&1)" direct
ssh-keygen -q -N '' -t ed25519 -f "$STIM_TMP/stranger"
rc=0
out=$(ssh -i "$STIM_TMP/stranger" "root@$ip" true 2>&1) || rc=$?
expect_eq "a key not in ssh-keys is refused" "$rc" 255
expect_contains "as ssh says it" "$out" "root@$ip: Permission denied (publickey)."
rc=0
out=$(ssh -o BatchMode=yes -o ConnectTimeout=2 -p 1 127.0.0.2 true 2>&1) || rc=$?
expect_contains "an address that is no instance's is the real ssh's" "$out" \
	"ssh: connect to host 127.0.0.2 port 1"
expect_eq "which fails as ssh does" "$rc" 255

check "block the project's keys" gcloud compute instances add-metadata sshvm "${Z[@]}" \
	--metadata block-project-ssh-keys=TRUE
rc=0
ssh -i "$HOME/.ssh/google_compute_engine" "root@$ip" true 2>/dev/null || rc=$?
expect_eq "then the project's key no longer lets root in" "$rc" 255
expect_eq "gcloud adds it to the instance's own ssh-keys instead" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'echo in' 2>/dev/null | tail -n 1)" in
expect_contains "where it now is" \
	"$(gcloud compute instances describe sshvm "${Z[@]}" --format='value(metadata.items)')" \
	"root:ssh-rsa "
check "turn OS Login on" gcloud compute instances add-metadata sshvm "${Z[@]}" \
	--metadata enable-oslogin=TRUE
rc=0
out=$(ssh -i "$HOME/.ssh/google_compute_engine" "root@$ip" true 2>&1) || rc=$?
expect_eq "OS Login is refused" "$rc" 255
expect_contains "saying it is not emulated" "$out" "OS Login is not emulated here"
check "and off" gcloud compute instances add-metadata sshvm "${Z[@]}" \
	--metadata enable-oslogin=FALSE

check "stop it" gcloud compute instances stop sshvm "${Z[@]}"
rc=0
out=$(gcloud compute ssh sshvm "${Z[@]}" --command true 2>&1) || rc=$?
expect_eq "a stopped instance is refused" "$rc" 255
expect_contains "saying why" "$out" "instance sshvm in us-central1-a is TERMINATED: start it first"

check "delete it" gcloud compute instances delete sshvm "${Z[@]}" --quiet
expect_eq "nothing of it left on the host" "$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" 2>&1)" ""
finish
