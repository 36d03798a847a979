#pragma once
/*
 * The `ssh-keys` metadata value as the GCE guest agent reads it (pure,
 * unit-tested): one key per line, "USER:TYPE BASE64 [COMMENT]", where a
 * comment "google-ssh {"userName":...,"expireOn":"2026-11-22T15:13:25+0000"}"
 * makes the key expire. Lines that do not parse are skipped, as the agent
 * skips them. The legacy `sshKeys` key has the same form.
 */

#include <stdbool.h>
#include <time.h>

#include "src/strv.h"

/* A user name the agent would make an account for: letters, digits, '.',
 * '_' and '-', not starting with '-', at most 32. */
bool stim_ssh_user_valid(const char *user);

/* Whether pub (a public key line, as in a .pub file: "TYPE BASE64
 * [COMMENT]") is one of user's keys in value, unexpired at now. */
bool stim_ssh_keys_allow(const char *value, const char *user, const char *pub, time_t now);

/* The valid users with an unexpired key in value, each once, appended to
 * out. */
void stim_ssh_keys_users(const char *value, time_t now, struct stim_strv *out);
