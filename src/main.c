/* stimulator: a local Google Cloud. Dispatches to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "src/commands.h"

struct command {
	const char *name;
	int (*run)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "serve", stim_cmd_serve, "run the daemon (the APIs on one HTTP port)" },
	{ "env", stim_cmd_env, "print export lines that point gcloud and SDKs at the daemon" },
	{ "doctor", stim_cmd_doctor, "report which host features work here" },
	{ "gc", stim_cmd_gc, "remove every host object the daemon owns" },
	{ "token", stim_cmd_token, "mint an access token for a principal (serve --auth enforce)" },
	{ "ssh", stim_cmd_ssh, "the ssh shim: ssh's arguments, into an instance (see env)" },
	{ "scp", stim_cmd_scp, "the scp shim: scp's arguments, to and from an instance" },
};

static void usage(FILE *out)
{
	fprintf(out, "usage: stimulator COMMAND [OPTIONS]\n\ncommands:\n");
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		fprintf(out, "  %-8s %s\n", commands[i].name, commands[i].help);
	fprintf(out, "\n'stimulator COMMAND --help' describes a command's options.\n");
}

int main(int argc, char **argv)
{
	const char *self = strrchr(argv[0], '/');

	/* Run through the shim directory's links (stimulator env). */
	self = self != NULL ? self + 1 : argv[0];
	if (strcmp(self, "ssh") == 0)
		return stim_cmd_ssh(argc, argv);
	if (strcmp(self, "scp") == 0)
		return stim_cmd_scp(argc, argv);
	if (argc < 2) {
		usage(stderr);
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		usage(stdout);
		return 0;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++) {
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].run(argc - 1, argv + 1);
	}
	fprintf(stderr, "stimulator: unknown command '%s'\n\n", argv[1]);
	usage(stderr);
	return 2;
}
