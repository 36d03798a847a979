#!/usr/bin/env bash
# gcloud compute ssh and scp through the shim (`stimulator env` puts
# DATA/bin, with its ssh and scp links, first on PATH): the command runs
# inside the instance and its status comes back; stdin, large output and
# signals pass; a user named in the key gets an account; --internal-ip,
# compute.ID (no external IP: gcloud's IAP form), and plain ssh with
# gcloud's key on the external IP, work; files and
# directories copy both ways; an interactive session (driven through
# tmux) has a terminal of the instance's, the caller's window size and
# its changes, ^C, and leaves the caller's terminal as it was; a key that
# is not in ssh-keys is refused, and so is the project's once the
# instance blocks project keys; with OS Login on, gcloud's key goes into
# the OS Login profile and only it counts; an address that is no
# instance's goes to the real ssh; the same under --auth enforce; a
# stopped instance is refused with a
# clear message.
. "$(dirname "$0")/lib.sh"

stim_require_root "instances need root"
stim_start
gcloud_env
Z=(--zone us-central1-a)

TMUX_SOCK=stimtest-ssh-$$
stim_on_exit() {
	tmux -L "$TMUX_SOCK" kill-server >/dev/null 2>&1
	gcloud compute instances delete sshvm sshvm2 "${Z[@]}" --quiet >/dev/null 2>&1
}

# An interactive session in tmux (a private server, which inherits this
# environment), typed into as a person would. pane: what it shows now.
pane() { tmux -L "$TMUX_SOCK" capture-pane -p -t tty -S -200; }
keys() { tmux -L "$TMUX_SOCK" send-keys -t tty "$@"; }
# wait_pane TEXT: until the pane shows TEXT (at most 30 s).
wait_pane() {
	for _ in $(seq 1 150); do
		case "$(pane)" in *"$1"*) return 0 ;; esac
		sleep 0.2
	done
	return 1
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
# Every namespace and cgroup of the instance's PID 1, and its limits:
# the same bounding set, no_new_privs and seccomp filter (mount refused).
limits='grep -e CapBnd -e NoNewPrivs -e Seccomp: /proc/$p/status'
out=$(gcloud compute ssh sshvm "${Z[@]}" --command "for n in net mnt pid uts ipc cgroup; do \
[ \"\$(readlink /proc/self/ns/\$n)\" = \"\$(readlink /proc/1/ns/\$n)\" ] || echo outside-\$n; done; \
cmp -s /proc/self/cgroup /proc/1/cgroup || echo outside-its-cgroup; \
for p in self 1; do ${limits}; done; mount -t tmpfs t /mnt 2>/dev/null || echo mount-refused" 2>/dev/null)
expect_eq "the session is in every namespace and cgroup of PID 1, with its limits" \
	"$(grep -c outside <<<"$out"):$(sed -n 1,3p <<<"$out" | sort | tr '\n' ' ')" \
	"0:$(sed -n 4,6p <<<"$out" | sort | tr '\n' ' ')"
expect_contains "no_new_privs and a seccomp filter" "$out" "NoNewPrivs:	1
Seccomp:	2"
expect_contains "mount refused" "$out" mount-refused
expect_eq "in the instance's pid namespace" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'cat /proc/1/comm' 2>/dev/null)" stim-init

out=$(gcloud compute ssh alice@sshvm "${Z[@]}" --command 'id -un; pwd; id -Gn' 2>/dev/null)
expect_eq "alice gets an account, her home, google-sudoers" "$out" "alice
/home/alice
alice google-sudoers"
expect_contains "as the guest agent writes it" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'grep alice /etc/passwd' 2>/dev/null)" \
	"alice:x:1000:1000::/home/alice:/bin/sh"

# sudo: no_new_privs leaves a setuid sudo powerless, so the instance's
# init runs the command for google-sudoers' members (sandbox/sudo.h).
as_alice() { gcloud compute ssh alice@sshvm "${Z[@]}" --command "$1" 2>&1; }
expect_eq "alice's sudo makes her root" "$(as_alice 'sudo -n id -u; sudo id -un')" "0
root"
expect_eq "in her directory, with the instance's limits: no_new_privs, root's capabilities" \
	"$(as_alice 'cd /tmp && sudo sh -c "pwd; grep -e CapBnd -e NoNewPrivs /proc/self/status"')" \
	"/tmp
CapBnd:	$(gcloud compute ssh sshvm "${Z[@]}" --command 'grep CapBnd /proc/self/status' 2>/dev/null | cut -f2)
NoNewPrivs:	1"
gcloud compute ssh sshvm "${Z[@]}" --command 'mkdir -m 711 /tmp/sealed' >/dev/null 2>&1
expect_eq "in a directory she may enter but not list" \
	"$(as_alice 'cd /tmp/sealed && sudo pwd')" /tmp/sealed
expect_eq "with sudo's environment" \
	"$(as_alice 'sudo env' | grep -E '^(HOME|USER|SUDO_USER|SUDO_UID|SUDO_COMMAND|PATH)=' | sort)" \
	"HOME=/root
PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin
SUDO_COMMAND=/usr/bin/env
SUDO_UID=1000
SUDO_USER=alice
USER=root"
expect_eq "root's writes are root's" \
	"$(as_alice 'sudo touch /etc/alice-was-here && stat -c %U /etc/alice-was-here')" root
expect_eq "-i: root's login shell, in its home" "$(as_alice 'sudo -i pwd')" /root
expect_eq "-u: as another user" "$(as_alice 'sudo -u alice id -un')" alice
expect_eq "stdin passes through sudo" "$(echo through | gcloud compute ssh alice@sshvm "${Z[@]}" \
	--command 'sudo cat' 2>/dev/null)" through
rc=0
as_alice 'sudo sh -c "exit 5"' >/dev/null || rc=$?
expect_eq "the command's exit status is sudo's" "$rc" 5
rc=0
as_alice 'sudo sh -c "kill -TERM \$\$"' >/dev/null || rc=$?
expect_eq "and its signal" "$rc" 143
expect_contains "-l lists the guest agent's rule" "$(as_alice 'sudo -l')" "(ALL : ALL) NOPASSWD: ALL"
rc=0
out=$(as_alice 'sudo no-such-command') || rc=$?
expect_eq "a missing command" "$rc:$out" "1:sudo: no-such-command: command not found"
# bob is no google-sudoer: an account made by hand, not by the agent.
check "an account outside google-sudoers" gcloud compute ssh sshvm "${Z[@]}" --command \
	'echo bob:x:1500:1500::/tmp:/bin/sh >>/etc/passwd; echo bob:x:1500: >>/etc/group'
rc=0
out=$(gcloud compute ssh sshvm "${Z[@]}" --command "su bob -c 'sudo -n id -u'" 2>&1) || rc=$?
expect_eq "is refused" "$rc:$out" "1:bob is not in the sudoers file."
expect_eq "so it stays bob" "$(gcloud compute ssh sshvm "${Z[@]}" --command "su bob -c 'id -un'" 2>&1)" bob

expect_eq "--internal-ip (gcloud's check of the instance id answered)" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --internal-ip --command hostname 2>/dev/null)" sshvm

# No external IP: gcloud goes for compute.ID through an IAP tunnel's
# ProxyCommand, which the shim has no need of.
check "an instance with no external IP" gcloud compute instances create sshvm2 "${Z[@]}" \
	--image busybox --image-project stimulator-project --no-address
out=$(gcloud compute ssh sshvm2 "${Z[@]}" --command hostname 2>&1)
expect_contains "gcloud says it tunnels" "$out" "defaulting to using IAP tunneling"
expect_eq "and the command runs in it" "$(tail -n 1 <<<"$out")" sshvm2
check "delete it" gcloud compute instances delete sshvm2 "${Z[@]}" --quiet

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

# gcloud compute scp, both ways, through the scp link beside ssh.
printf 'line one\nline two\n' >"$STIM_TMP/up.txt"
check "scp a file up" gcloud compute scp "$STIM_TMP/up.txt" sshvm:/tmp/ "${Z[@]}"
expect_eq "it is there, whole" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'cat /tmp/up.txt' 2>/dev/null)" "line one
line two"
check "and down again" gcloud compute scp sshvm:/tmp/up.txt "$STIM_TMP/down.txt" "${Z[@]}"
expect_eq "the same bytes" "$(cat "$STIM_TMP/down.txt")" "$(cat "$STIM_TMP/up.txt")"
head -c 3000000 /dev/urandom >"$STIM_TMP/big.bin"
check "3 MB up, to a new name" gcloud compute scp "$STIM_TMP/big.bin" sshvm:/tmp/big.copy "${Z[@]}"
expect_eq "its checksum inside" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'md5sum < /tmp/big.copy' 2>/dev/null | cut -d' ' -f1)" \
	"$(md5sum <"$STIM_TMP/big.bin" | cut -d' ' -f1)"
mkdir -p "$STIM_TMP/tree/sub"
echo leaf >"$STIM_TMP/tree/sub/file"
check "a directory up (--recurse)" gcloud compute scp --recurse "$STIM_TMP/tree" sshvm:/tmp/ "${Z[@]}"
expect_eq "arrives whole" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'cat /tmp/tree/sub/file' 2>/dev/null)" leaf
check "and down to a new directory" gcloud compute scp --recurse sshvm:/tmp/tree \
	"$STIM_TMP/back" "${Z[@]}"
expect_eq "with its contents" "$(cat "$STIM_TMP/back/sub/file")" leaf
check "as alice, to her home" gcloud compute scp "$STIM_TMP/up.txt" alice@sshvm: "${Z[@]}"
expect_eq "hers" \
	"$(gcloud compute ssh alice@sshvm "${Z[@]}" --command 'stat -c %U ~/up.txt' 2>/dev/null)" alice
rc=0
out=$(gcloud compute scp sshvm:/tmp/no-such-file "$STIM_TMP/" "${Z[@]}" 2>&1) || rc=$?
expect_eq "a missing file fails" "$rc" 1
expect_contains "saying so" "$out" "no-such-file"

cat >"$STIM_TMP/interactive.sh" <<SCRIPT
gcloud compute ssh sshvm --zone us-central1-a
echo "rc=\$?"
stty -a | grep -o -- '-\?icanon'
sleep 600
SCRIPT
tmux -L "$TMUX_SOCK" new-session -d -s tty -x 120 -y 40 "bash $STIM_TMP/interactive.sh"
wait_pane '~ #' # busybox's prompt (capture-pane trims its trailing space)
keys 'echo mark-$((6*7)); tty' Enter
wait_pane mark-42
expect_contains "an interactive session answers" "$(pane)" mark-42
expect_contains "on a terminal of the instance" "$(pane)" /dev/pts/
keys 'stty size' Enter
wait_pane '40 120'
expect_contains "of the caller's size" "$(pane)" '40 120'
tmux -L "$TMUX_SOCK" resize-window -t tty -x 100 -y 30
sleep 0.5
keys 'stty size' Enter
wait_pane '30 100'
expect_contains "which follows the caller's window" "$(pane)" '30 100'
keys 'sudo -u alice sh -c "echo who-\$(id -un); tty"' Enter
wait_pane who-alice
expect_contains "sudo from a terminal gives the command a terminal" \
	"$(pane | grep -A1 '^who-alice' | tail -n 1)" /dev/pts/
keys 'sudo sleep 100' Enter
sleep 0.5
keys C-c
keys 'echo after-sudo-$((2+2))' Enter
wait_pane after-sudo-4
expect_contains "^C reaches the command sudo runs" "$(pane)" after-sudo-4
keys 'sleep 100' Enter
sleep 0.5
keys C-c
keys 'echo after-$((1+1))' Enter
wait_pane after-2
expect_contains "^C reaches the session, not the shim" "$(pane)" after-2
keys 'exit 7' Enter
wait_pane rc=7
expect_contains "its exit status comes back" "$(pane)" rc=7
expect_contains "and the caller's terminal is cooked again" "$(pane | grep -- icanon)" icanon
expect_eq "not raw" "$(pane | grep -c -- -icanon)" 0

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
ssh -i "$HOME/.ssh/google_compute_engine" "root@$ip" true 2>/dev/null || rc=$?
expect_eq "then the metadata's keys count for nothing" "$rc" 255
# gcloud imports its key into the OS Login profile of its account (None,
# with no credentials) and logs in as the profile's user.
out=$(gcloud compute ssh sshvm "${Z[@]}" --command 'id -un; id -u; pwd' 2>/dev/null)
uid=$(gcloud compute os-login describe-profile --format='value(posixAccounts[0].uid)')
expect_eq "OS Login: the profile's user, its uid, its home" "$out" "none
$uid
/home/none"
# Listed by fingerprint: the SHA-256 of the key's type and blob.
expect_eq "the key is in the profile" \
	"$(gcloud compute os-login ssh-keys list --format='value(key)')" \
	"$(awk '{ printf "%s %s", $1, $2 }' "$HOME/.ssh/google_compute_engine.pub" | sha256sum | cut -d' ' -f1)"
check "and off" gcloud compute instances add-metadata sshvm "${Z[@]}" \
	--metadata enable-oslogin=FALSE

# The same daemon again under --auth enforce, the instance adopted:
# gcloud's calls carry the owner's token, and the shim still finds its way.
if stim_stop; then pass "the daemon stopped"; else fail "the daemon stopped"; fi
stim_start --auth enforce --owner user:admin@example.com
gcloud_env
"$STIMULATOR" token --principal user:admin@example.com --data-dir "$STIM_DATA" >"$STIM_TMP/admin.tok"
export CLOUDSDK_AUTH_ACCESS_TOKEN_FILE=$STIM_TMP/admin.tok
expect_eq "gcloud compute ssh under --auth enforce" \
	"$(gcloud compute ssh sshvm "${Z[@]}" --command 'echo enforced' 2>/dev/null)" enforced

check "stop it" gcloud compute instances stop sshvm "${Z[@]}"
rc=0
out=$(gcloud compute ssh sshvm "${Z[@]}" --command true 2>&1) || rc=$?
expect_eq "a stopped instance is refused" "$rc" 255
expect_contains "saying why" "$out" "instance sshvm in us-central1-a is TERMINATED: start it first"

check "delete it" gcloud compute instances delete sshvm "${Z[@]}" --quiet
expect_eq "nothing of it left on the host" "$("$STIMULATOR" gc --check --data-dir "$STIM_DATA" 2>&1)" ""
finish
