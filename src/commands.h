#pragma once
/*
 * The subcommands of the one `stimulator` binary, one file each
 * (src/cmd_<verb>.c), like crun's src/<verb>.c: each parses its own argv and
 * calls into the library. Each returns the process exit code and prints its
 * own errors: this is the top, where errors are finally handled.
 */

int stim_cmd_serve(int argc, char **argv);
int stim_cmd_env(int argc, char **argv);
int stim_cmd_doctor(int argc, char **argv);
int stim_cmd_gc(int argc, char **argv);
int stim_cmd_token(int argc, char **argv);
/* The ssh shim: argv as ssh gets it (argv[0] is ssh). */
int stim_cmd_ssh(int argc, char **argv);
/* The scp shim: argv as scp gets it. */
int stim_cmd_scp(int argc, char **argv);
