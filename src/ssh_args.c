/* ssh's and scp's command lines (see ssh_args.h). */
#include "src/ssh_args.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "src/util.h"

/* OpenSSH's option letters (ssh(1), scp(1) of OpenSSH 9): those that take
 * a value, and those that do not. */
static const char ssh_valued[] = "BbcDEeFIiJLlmOoPpQRSWw";
static const char ssh_flags[] = "46AaCfGgKkMNnqsTtVvXxYy";
static const char scp_valued[] = "cDFiJlPSoX";
static const char scp_flags[] = "346ABCOpqRrsTv";

static void push(const char ***v, size_t *n, const char *s)
{
	if (*n == 0 || (*n & (*n - 1)) == 0)
		*v = xrealloc(*v, (*n == 0 ? 4 : *n * 2) * sizeof(**v));
	(*v)[(*n)++] = s;
}

/* A port number as ssh takes one. */
static int port_of(const char *s)
{
	char *end;
	long v = strtol(s, &end, 10);

	return *s != '\0' && *end == '\0' && v > 0 && v <= 65535 ? (int)v : -1;
}

/* One option letter with its value (NULL for a flag) is the caller's. */
typedef int (*option_fn)(void *out, char letter, const char *value, stim_error_t *err);

/* The options starting at argv[*i] (clusters such as -tt or -p22 too),
 * up to the first word that is not one, or past "--" (*dashes set). */
static int options(int argc, char *const *argv, int *i, const char *valued, const char *flags,
		   option_fn fn, void *out, bool *dashes, stim_error_t *err)
{
	while (*i < argc && argv[*i][0] == '-' && argv[*i][1] != '\0') {
		const char *w = argv[(*i)++];

		if (strcmp(w, "--") == 0) {
			*dashes = true;
			return 0;
		}
		for (const char *c = w + 1; *c != '\0'; c++) {
			const char *value = NULL;

			if (strchr(valued, *c) != NULL) {
				if (c[1] != '\0')
					value = c + 1;
				else if (*i < argc)
					value = argv[(*i)++];
				else
					return stim_err(err, STIM_INVALID_ARGUMENT,
							"option -%c needs a value", *c);
			} else if (strchr(flags, *c) == NULL) {
				return stim_err(err, STIM_INVALID_ARGUMENT, "unknown option -%c",
						*c);
			}
			if (fn(out, *c, value, err) < 0)
				return -1;
			if (value != NULL)
				break;
		}
	}
	return 0;
}

/* -i, -o and the port letter's value: 1 when letter was one of them. */
static int common_option(struct stim_ssh_common *c, char port_letter, char letter,
			 const char *value, stim_error_t *err)
{
	if (letter == 'i') {
		c->identity = value;
	} else if (letter == 'o') {
		push(&c->options, &c->noptions, value);
	} else if (letter == port_letter) {
		c->port = port_of(value);
		if (c->port < 0)
			return stim_err(err, STIM_INVALID_ARGUMENT, "bad port '%s'", value);
	} else {
		return 0;
	}
	return 1;
}

static int ssh_option(void *out, char letter, const char *value, stim_error_t *err)
{
	struct stim_ssh_args *a = out;
	int ret = common_option(&a->c, 'p', letter, value, err);

	if (ret != 0)
		return ret < 0 ? -1 : 0;
	switch (letter) {
	case 'T':
		a->tty = STIM_SSH_TTY_NO;
		break;
	case 't':
		a->tty = STIM_SSH_TTY_YES;
		break;
	case 'l':
		if (a->user == NULL) /* the first user given wins, as in ssh */
			a->user = xstrdup(value);
		break;
	default:
		break;
	}
	return 0;
}

/* [user@]host, or ssh://[user@]host[:port]. The user is the part before
 * the last '@', as ssh reads it, unless -l came first. */
static int destination(const char *d, struct stim_ssh_args *a, stim_error_t *err)
{
	bool uri = strncmp(d, "ssh://", 6) == 0;
	const char *host = uri ? d + 6 : d;
	const char *at = strrchr(host, '@');
	size_t len;

	if (at != NULL) {
		if (at == host)
			return stim_err(err, STIM_INVALID_ARGUMENT, "no user before '@' in '%s'",
					d);
		if (a->user == NULL)
			a->user = xstrndup(host, (size_t)(at - host));
		host = at + 1;
	}
	len = strlen(host);
	if (uri && strrchr(host, ':') != NULL) {
		const char *colon = strrchr(host, ':');

		a->c.port = port_of(colon + 1);
		if (a->c.port < 0)
			return stim_err(err, STIM_INVALID_ARGUMENT, "bad port in '%s'", d);
		len = (size_t)(colon - host);
	}
	if (len == 0)
		return stim_err(err, STIM_INVALID_ARGUMENT, "no host in '%s'", d);
	a->host = xstrndup(host, len);
	return 0;
}

/* Words joined by single spaces. */
static char *join(int n, char *const *words)
{
	size_t len = 1;
	char *s;
	char *p;

	for (int i = 0; i < n; i++)
		len += strlen(words[i]) + 1;
	p = s = xmalloc(len);
	for (int i = 0; i < n; i++) {
		size_t w = strlen(words[i]);

		if (i > 0)
			*p++ = ' ';
		memcpy(p, words[i], w);
		p += w;
	}
	*p = '\0';
	return s;
}

int stim_ssh_args_parse(int argc, char *const *argv, struct stim_ssh_args *out, stim_error_t *err)
{
	int i = 1;
	bool dashes = false;

	memset(out, 0, sizeof(*out));
	if (options(argc, argv, &i, ssh_valued, ssh_flags, ssh_option, out, &dashes, err) < 0)
		goto fail;
	if (i >= argc) {
		stim_err(err, STIM_INVALID_ARGUMENT, "no destination");
		goto fail;
	}
	if (destination(argv[i++], out, err) < 0)
		goto fail;
	if (!dashes &&
	    options(argc, argv, &i, ssh_valued, ssh_flags, ssh_option, out, &dashes, err) < 0)
		goto fail;
	if (i < argc)
		out->command = join(argc - i, argv + i);
	return 0;
fail:
	stim_ssh_args_fini(out);
	return -1;
}

void stim_ssh_args_fini(struct stim_ssh_args *a)
{
	free(a->user);
	free(a->host);
	free(a->c.options);
	free(a->command);
	memset(a, 0, sizeof(*a));
}

const char *stim_ssh_option(const struct stim_ssh_common *c, const char *key)
{
	size_t klen = strlen(key);
	const char *found = NULL;

	for (size_t i = 0; i < c->noptions; i++) {
		const char *o = c->options[i];

		if (strncasecmp(o, key, klen) == 0 && (o[klen] == '=' || o[klen] == ' '))
			found = o + klen + 1;
	}
	return found;
}

static int scp_option(void *out, char letter, const char *value, stim_error_t *err)
{
	struct stim_scp_args *a = out;
	int ret = common_option(&a->c, 'P', letter, value, err);

	if (ret == 0 && letter == 'r')
		a->recursive = true;
	return ret < 0 ? -1 : 0;
}

/* [user@]host:path is remote when its first ':' comes before any '/'
 * (scp's own test: "./a:b" is a local file). */
static void operand(const char *w, struct stim_scp_operand *o)
{
	const char *colon = strchr(w, ':');
	const char *slash = strchr(w, '/');
	const char *at;

	memset(o, 0, sizeof(*o));
	if (colon == NULL || colon == w || (slash != NULL && slash < colon)) {
		o->path = xstrdup(w);
		return;
	}
	at = memrchr(w, '@', (size_t)(colon - w));
	if (at != NULL)
		o->user = xstrndup(w, (size_t)(at - w));
	o->host = xstrndup(at != NULL ? at + 1 : w, (size_t)(colon - (at != NULL ? at + 1 : w)));
	o->path = xstrdup(colon + 1);
}

int stim_scp_args_parse(int argc, char *const *argv, struct stim_scp_args *out, stim_error_t *err)
{
	int i = 1;
	bool dashes = false;

	memset(out, 0, sizeof(*out));
	if (options(argc, argv, &i, scp_valued, scp_flags, scp_option, out, &dashes, err) < 0)
		goto fail;
	if (argc - i < 2) {
		stim_err(err, STIM_INVALID_ARGUMENT, "a source and a target are needed");
		goto fail;
	}
	out->operands = xcalloc((size_t)(argc - i), sizeof(*out->operands));
	for (; i < argc; i++)
		operand(argv[i], &out->operands[out->noperands++]);
	return 0;
fail:
	stim_scp_args_fini(out);
	return -1;
}

void stim_scp_args_fini(struct stim_scp_args *a)
{
	for (size_t i = 0; i < a->noperands; i++) {
		free(a->operands[i].user);
		free(a->operands[i].host);
		free(a->operands[i].path);
	}
	free(a->operands);
	free(a->c.options);
	memset(a, 0, sizeof(*a));
}
