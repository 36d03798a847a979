/* sudo's pure part: command line, request, rule, words, environment (see
 * sudo.h). libc and jansson only. */
#include "sandbox/sudo.h"

#include <ctype.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

const char stim_sudo_usage[] =
	"usage: sudo -h | -K | -k | -V\n"
	"usage: sudo -v [-knS] [-g group] [-u user]\n"
	"usage: sudo -l [-knS] [-g group] [-u user] [command [arg ...]]\n"
	"usage: sudo [-EHknPS] [-g group] [-u user] [-i | -s] [command [arg ...]]\n";

/* The static binary has no xmalloc (src/util.c needs OpenSSL); running out
 * of memory ends sudo, as it ends sudo itself. */
static void *must(void *p)
{
	if (p == NULL) {
		fputs("sudo: unable to allocate memory\n", stderr);
		abort();
	}
	return p;
}

static char *fmt(const char *f, ...) __attribute__((format(printf, 1, 2)));
static char *fmt(const char *f, ...)
{
	va_list ap;
	char *s = NULL;
	int n;

	va_start(ap, f);
	n = vasprintf(&s, f, ap);
	va_end(ap);
	return must(n < 0 ? NULL : s);
}

/* getopt's words for an option refused: "sudo: invalid option -- 'x'". */
static int complain(char *why, size_t why_size, const char *what, char c)
{
	snprintf(why, why_size, "sudo: %s -- '%c'", what, c);
	return -1;
}

/* One short option; *value set for those taking one. -1: refused. */
static int short_option(struct stim_sudo_opts *o, char c, const char **value, char *why,
			size_t why_size)
{
	switch (c) {
	case 'u':
		o->user = *value;
		return 1;
	case 'g':
		o->group = *value;
		return 1;
	case 'i':
		o->login = true;
		return 0;
	case 's':
		o->shell = true;
		return 0;
	case 'E':
		o->preserve_env = true;
		return 0;
	case 'l':
		o->action = STIM_SUDO_LIST;
		return 0;
	case 'v':
		o->action = STIM_SUDO_VALIDATE;
		return 0;
	case 'K':
		o->action = STIM_SUDO_FORGET;
		return 0;
	case 'k':
		o->reset_timestamp = true;
		return 0;
	case 'V':
		o->action = STIM_SUDO_VERSION;
		return 0;
	case 'h':
		o->action = STIM_SUDO_HELP;
		return 0;
	case 'n':
	case 'H':
	case 'S':
	case 'P':
		return 0;
	case 'b':
		return complain(why, why_size, "option not supported in an instance", c);
	default:
		return complain(why, why_size, "invalid option", c);
	}
}

static const struct {
	const char *name;
	char c;
} long_options[] = {
	{ "user", 'u' },
	{ "group", 'g' },
	{ "login", 'i' },
	{ "shell", 's' },
	{ "preserve-env", 'E' },
	{ "list", 'l' },
	{ "validate", 'v' },
	{ "reset-timestamp", 'k' },
	{ "remove-timestamp", 'K' },
	{ "version", 'V' },
	{ "help", 'h' },
	{ "non-interactive", 'n' },
	{ "set-home", 'H' },
	{ "stdin", 'S' },
	{ "preserve-groups", 'P' },
};

static bool takes_value(char c)
{
	return c == 'u' || c == 'g';
}

/* "--name" or "--name=value" as its short option; 0 when unknown. */
static char long_option(const char *arg, const char **value)
{
	const char *eq = strchr(arg, '=');
	size_t len = eq != NULL ? (size_t)(eq - arg) : strlen(arg);

	*value = eq != NULL ? eq + 1 : NULL;
	for (size_t i = 0; i < ARRAY_SIZE(long_options); i++)
		if (strlen(long_options[i].name) == len &&
		    strncmp(arg, long_options[i].name, len) == 0)
			return long_options[i].c;
	return 0;
}

int stim_sudo_parse(int argc, char **argv, struct stim_sudo_opts *o, char *why, size_t why_size)
{
	int i = 1;

	memset(o, 0, sizeof(*o));
	why[0] = '\0';
	for (; i < argc && argv[i][0] == '-' && argv[i][1] != '\0'; i++) {
		const char *arg = argv[i];

		if (strcmp(arg, "--") == 0) {
			i++;
			break;
		}
		if (arg[1] == '-') {
			const char *value;
			char c = long_option(arg + 2, &value);

			if (c == 0) {
				snprintf(why, why_size, "sudo: unrecognized option '%s'", arg);
				return -1;
			}
			if (takes_value(c) && value == NULL) {
				if (i + 1 >= argc)
					return complain(why, why_size,
							"option requires an argument", c);
				value = argv[++i];
			}
			if (short_option(o, c, &value, why, why_size) < 0)
				return -1;
			continue;
		}
		for (const char *c = arg + 1; *c != '\0'; c++) {
			const char *value = NULL;

			if (takes_value(*c)) {
				if (c[1] != '\0')
					value = c + 1;
				else if (i + 1 < argc)
					value = argv[++i];
				else
					return complain(why, why_size,
							"option requires an argument", *c);
			}
			if (short_option(o, *c, &value, why, why_size) < 0)
				return -1;
			if (value != NULL)
				break;
		}
	}
	o->argv = argv + i;
	o->argc = argc - i;
	if (o->login && o->shell) {
		snprintf(why, why_size, "sudo: you may not specify both the -i and -s options");
		return -1;
	}
	if (o->action == STIM_SUDO_RUN && o->argc == 0 && !o->login && !o->shell &&
	    o->reset_timestamp)
		o->action = STIM_SUDO_FORGET;
	if (o->action == STIM_SUDO_RUN && o->argc == 0 && !o->login && !o->shell) {
		snprintf(why, why_size, "%s", stim_sudo_usage);
		return -1;
	}
	return 0;
}

/* The words as a JSON array (n < 0: up to a NULL). JSON carries only
 * UTF-8: a word that is not is left out when skip_bad, and otherwise
 * makes the whole array NULL. */
static json_t *strv_json(char *const *v, int n, bool skip_bad)
{
	json_t *a = must(json_array());

	for (int i = 0; v != NULL && (n < 0 ? v[i] != NULL : i < n); i++) {
		json_t *s = json_string(v[i]);

		if (s == NULL && !skip_bad) {
			json_decref(a);
			return NULL;
		}
		if (s != NULL)
			json_array_append_new(a, s);
	}
	return a;
}

char *stim_sudo_request_encode(const struct stim_sudo_opts *o, char *const *env, bool tty)
{
	json_t *argv = strv_json(o->argv, o->argc, false);
	json_t *j;
	char *text;

	if (argv == NULL)
		return NULL;
	j = json_pack("{s:o, s:b, s:b, s:b, s:b, s:o}", "argv", argv, "login", o->login, "shell",
		      o->shell, "preserveEnv", o->preserve_env, "tty", tty, "env",
		      strv_json(env, -1, true));
	if (j == NULL)
		return NULL;
	/* A name JSON cannot carry must not turn into no name (root). */
	if ((o->user != NULL && json_object_set_new(j, "user", json_string(o->user)) < 0) ||
	    (o->group != NULL && json_object_set_new(j, "group", json_string(o->group)) < 0)) {
		json_decref(j);
		return NULL;
	}
	text = json_dumps(j, JSON_COMPACT);
	json_decref(j);
	return text;
}

/* A JSON array of strings as a NULL-terminated vector; NULL when it is
 * not one. */
static char **json_strv(json_t *a)
{
	char **v;

	if (!json_is_array(a))
		return NULL;
	v = must(calloc(json_array_size(a) + 1, sizeof(*v)));
	for (size_t i = 0; i < json_array_size(a); i++) {
		const char *s = json_string_value(json_array_get(a, i));

		if (s == NULL) {
			stim_sudo_strv_free(v);
			return NULL;
		}
		v[i] = must(strdup(s));
	}
	return v;
}

static char *opt_string(json_t *j, const char *key)
{
	const char *s = json_string_value(json_object_get(j, key));

	return s != NULL ? must(strdup(s)) : NULL;
}

int stim_sudo_request_decode(const char *text, struct stim_sudo_request *r)
{
	json_t *j = json_loads(text, 0, NULL);

	memset(r, 0, sizeof(*r));
	if (!json_is_object(j)) {
		json_decref(j);
		return -1;
	}
	r->argv = json_strv(json_object_get(j, "argv"));
	r->env = json_strv(json_object_get(j, "env"));
	r->user = opt_string(j, "user");
	r->group = opt_string(j, "group");
	r->login = json_is_true(json_object_get(j, "login"));
	r->shell = json_is_true(json_object_get(j, "shell"));
	r->preserve_env = json_is_true(json_object_get(j, "preserveEnv"));
	r->tty = json_is_true(json_object_get(j, "tty"));
	json_decref(j);
	if (r->argv == NULL || r->env == NULL || (r->argv[0] == NULL && !r->login && !r->shell)) {
		stim_sudo_request_fini(r);
		return -1;
	}
	return 0;
}

void stim_sudo_request_fini(struct stim_sudo_request *r)
{
	free(r->user);
	free(r->group);
	stim_sudo_strv_free(r->argv);
	stim_sudo_strv_free(r->env);
	memset(r, 0, sizeof(*r));
}

void stim_sudo_strv_free(char **v)
{
	for (size_t i = 0; v != NULL && v[i] != NULL; i++)
		free(v[i]);
	free(v);
}

bool stim_sudo_allowed(const char *group, const struct stim_account *caller)
{
	gid_t gids[64];
	gid_t sudoers;
	size_t n;

	if (caller->uid == 0)
		return true;
	if (!stim_group_find(group, STIM_SUDO_GROUP, &sudoers))
		return false;
	n = stim_account_groups(group, caller->name, caller->gid, gids, 64);
	for (size_t i = 0; i < n; i++)
		if (gids[i] == sudoers)
			return true;
	return false;
}

/* The command's words joined for a shell's -c, each character sudo
 * escapes behind a backslash. */
static char *escaped(char *const *argv)
{
	size_t len = 1;
	char *out;
	char *w;

	for (size_t i = 0; argv[i] != NULL; i++)
		len += 2 * strlen(argv[i]) + 1;
	out = must(malloc(len));
	w = out;
	for (size_t i = 0; argv[i] != NULL; i++) {
		if (i > 0)
			*w++ = ' ';
		for (const char *c = argv[i]; *c != '\0'; c++) {
			if (!isalnum((unsigned char)*c) && *c != '_' && *c != '-' && *c != '$')
				*w++ = '\\';
			*w++ = *c;
		}
	}
	*w = '\0';
	return out;
}

/* NAME's value in env, or NULL. */
static const char *env_get(char *const *env, const char *name)
{
	size_t n = strlen(name);

	for (size_t i = 0; env != NULL && env[i] != NULL; i++)
		if (strncmp(env[i], name, n) == 0 && env[i][n] == '=')
			return env[i] + n + 1;
	return NULL;
}

char **stim_sudo_argv(const struct stim_sudo_request *r, const struct stim_account *caller,
		      const struct stim_account *target, char **program)
{
	size_t n = 0;
	char **v;

	while (r->argv[n] != NULL)
		n++;
	v = must(calloc(n + 4, sizeof(*v)));
	if (r->login || r->shell) {
		const char *shell = r->login ? target->shell : env_get(r->env, "SHELL");
		const char *base;

		if (shell == NULL || shell[0] == '\0')
			shell = caller->shell;
		base = strrchr(shell, '/') != NULL ? strrchr(shell, '/') + 1 : shell;
		*program = must(strdup(shell));
		v[0] = r->login ? fmt("-%s", base) : must(strdup(shell));
		if (n > 0) {
			v[1] = must(strdup("-c"));
			v[2] = escaped(r->argv);
		}
		return v;
	}
	for (size_t i = 0; i < n; i++)
		v[i] = must(strdup(r->argv[i]));
	*program = must(strdup(r->argv[0]));
	return v;
}

/* Variables env_reset keeps from the caller (sudoers(5)'s defaults that
 * matter in an instance); a name ending in '*' is a prefix. */
static const char *const kept[] = { "TERM",	"COLORTERM", "COLORS",	  "DISPLAY", "LANG",
				    "LANGUAGE", "LC_*",	     "LS_COLORS", "TZ",	     "XAUTHORITY" };

/* Variables sudo's env_delete strips even with -E: they change what a
 * program loads or runs behind its back. */
static const char *const stripped[] = { "LD_*",	     "IFS", "BASH_ENV", "ENV",	     "BASH_FUNC_*",
					"SHELLOPTS", "PS4", "PERL5LIB", "PYTHONPATH" };

static bool matches(const char *entry, const char *const *names, size_t n)
{
	size_t name_len = strcspn(entry, "=");

	for (size_t i = 0; i < n; i++) {
		size_t len = strlen(names[i]);

		if (names[i][len - 1] == '*'
			    ? strncmp(entry, names[i], len - 1) == 0
			    : name_len == len && strncmp(entry, names[i], len) == 0)
			return true;
	}
	return false;
}

/* Whether entry sets a variable sudo sets itself. */
static const char *const set_by_sudo[] = { "PATH",    "HOME", "SHELL",	"USER",
					   "LOGNAME", "MAIL", "SUDO_*", "USERNAME" };

char **stim_sudo_env(const struct stim_sudo_request *r, const struct stim_account *caller,
		     const struct stim_account *target, const char *command)
{
	size_t n = 0;
	size_t k = 0;
	char **v;

	while (r->env[n] != NULL)
		n++;
	v = must(calloc(n + 11, sizeof(*v)));
	for (size_t i = 0; i < n; i++)
		if (!matches(r->env[i], set_by_sudo, ARRAY_SIZE(set_by_sudo)) &&
		    !matches(r->env[i], stripped, ARRAY_SIZE(stripped)) &&
		    (r->preserve_env || matches(r->env[i], kept, ARRAY_SIZE(kept))))
			v[k++] = must(strdup(r->env[i]));
	v[k++] = must(strdup("PATH=" STIM_SUDO_SECURE_PATH));
	v[k++] = fmt("HOME=%s", target->home);
	v[k++] = fmt("SHELL=%s", target->shell);
	v[k++] = fmt("USER=%s", target->name);
	v[k++] = fmt("LOGNAME=%s", target->name);
	v[k++] = fmt("MAIL=/var/mail/%s", target->name);
	v[k++] = fmt("SUDO_COMMAND=%s", command);
	v[k++] = fmt("SUDO_USER=%s", caller->name);
	v[k++] = fmt("SUDO_UID=%u", (unsigned)caller->uid);
	v[k++] = fmt("SUDO_GID=%u", (unsigned)caller->gid);
	return v;
}
