/*
 * libpwquality's side of the side-by-side run (benches/peers/run.sh).
 *
 * Usage: pwquality_bench CORPUS.tsv ROUNDS [dict]
 *
 * With `dict`, cracklib's dictionary check is on as well (dictcheck=1, the
 * dictionary of cracklib-runtime), printed as `pwqualitydict`: the peer of
 * pwpolicy's opt-in guessability (zxcvbn) in the second table of run.sh.
 *
 * Checks every record of the corpus (user \t full name \t password) ROUNDS
 * times and prints, in the format all three harnesses share:
 *
 *   pwquality checks=<N> seconds=<S> checks_per_sec=<R> rejected=<K>
 *
 * K is the number of rejections in one pass. One untimed warm-up pass counts
 * K (and lets the NSS modules behind getpwnam load); the timed passes must
 * reach the same count.
 *
 * Settings, chosen to be as close to pwpolicy's default policy (8+ characters,
 * 3 of 4 classes, no account or full name) as libpwquality allows:
 *   minlen=8 minclass=3 usercheck=1 gecoscheck=1 dictcheck=0
 *   dcredit=ucredit=lcredit=ocredit=0
 * The credits are pinned to 0 because a positive credit lets each character
 * of a class count towards minlen, which would make "8" mean something else.
 * No configuration file is read (pwquality_read_config is never called), so
 * /etc/security/pwquality.conf on the machine running this cannot skew it.
 *
 * The same work on both sides: pwpolicy's harness builds each record's names
 * from the corpus, with no lookup. libpwquality takes the full name only from
 * getpwnam_r (gecoscheck), so this program defines getpwnam_r itself: it
 * answers from the record being checked, in memory, and never reaches NSS.
 * (libpwquality.so's reference binds to the executable's definition, as an
 * interposed malloc would.) An earlier version let the lookup go through
 * every NSS source for corpus users that do not exist: 88 us a check, most of
 * libpwquality's measured time, and no full name was ever checked.
 *
 * Rules that still differ from pwpolicy (they explain different "rejected"):
 *  - length and classes are counted in bytes: each byte of a non-ASCII UTF-8
 *    character counts towards minlen and as an "other" character;
 *  - the user name is matched whole and only when it is 4+ bytes long, and
 *    full-name words only when 4+ bytes long (pwpolicy: 3+ characters);
 *  - a palindrome is always rejected.
 *
 * Build: gcc -O2 -o pwquality_bench pwquality_bench.c -lpwquality
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pwd.h>
#include <pwquality.h>

struct record {
	const char *user;
	const char *full_name; /* given to libpwquality by getpwnam_r below */
	const char *password;
};

/* The record pwquality_check is checking, for getpwnam_r. */
static const struct record *checking;

/*
 * libpwquality's only way to a full name (gecoscheck), answered from the
 * record being checked: no NSS, no file, no allocation, as pwpolicy's side
 * builds its names from the corpus. Any other name is not found.
 */
int getpwnam_r(const char *name, struct passwd *pwd, char *buf, size_t buflen,
    struct passwd **result)
{
	(void)buf;
	(void)buflen;
	*result = NULL;
	if (!checking || strcmp(name, checking->user) != 0)
		return 0;
	memset(pwd, 0, sizeof(*pwd));
	pwd->pw_name = (char *)checking->user;
	pwd->pw_passwd = (char *)"x";
	pwd->pw_uid = 1000;
	pwd->pw_gid = 1000;
	pwd->pw_gecos = (char *)checking->full_name;
	pwd->pw_dir = (char *)"/nonexistent";
	pwd->pw_shell = (char *)"/bin/sh";
	*result = pwd;
	return 0;
}

/*
 * Reads the whole corpus into *buf and points each record into it, with the
 * same rules as pwpolicy_benches::parse: fields are split on the first two
 * tabs (a password may contain more), a trailing \r is dropped, and a line
 * with fewer than three fields is skipped.
 */
static int load_corpus(const char *path, char **buf, struct record **out,
    size_t *count)
{
	FILE *f = fopen(path, "rb");
	char *data = NULL, *line, *next;
	size_t len = 0, cap = 0, n = 0, got;
	struct record *recs = NULL;

	if (!f) {
		fprintf(stderr, "pwquality_bench: %s: %s\n", path, strerror(errno));
		return -1;
	}
	errno = 0;
	do {
		if (cap - len < 65536) {
			char *grown = realloc(data, cap = cap * 2 + 65536);
			if (!grown)
				goto fail;
			data = grown;
		}
		got = fread(data + len, 1, cap - len - 1, f);
		len += got;
	} while (got > 0);
	if (ferror(f))
		goto fail;
	fclose(f);
	f = NULL;
	data[len] = '\0';

	/* One record per newline, plus a last line that may lack one. */
	for (line = data; (line = strchr(line, '\n')); line++)
		n++;
	if (!(recs = calloc(n + 1, sizeof(*recs))))
		goto fail;
	n = 0;
	for (line = data; *line; line = next) {
		char *end = strchr(line, '\n'), *tab1, *tab2;

		next = end ? end + 1 : line + strlen(line);
		if (end)
			*end = '\0';
		else
			end = next;
		if (end > line && end[-1] == '\r')
			end[-1] = '\0';
		if (!(tab1 = strchr(line, '\t')) || !(tab2 = strchr(tab1 + 1, '\t')))
			continue;
		*tab1 = *tab2 = '\0';
		recs[n].user = line;
		recs[n].full_name = tab1 + 1;
		recs[n].password = tab2 + 1;
		n++;
	}
	if (!n) {
		fprintf(stderr, "pwquality_bench: %s: no records\n", path);
		free(recs);
		free(data);
		return -1;
	}
	*buf = data;
	*out = recs;
	*count = n;
	return 0;

fail:
	fprintf(stderr, "pwquality_bench: %s: %s\n", path,
	    errno ? strerror(errno) : "read error");
	if (f)
		fclose(f);
	free(recs);
	free(data);
	return -1;
}

static int set_int(pwquality_settings_t *pwq, int setting, int value,
    const char *name)
{
	if (pwquality_set_int_value(pwq, setting, value) != 0) {
		fprintf(stderr, "pwquality_bench: cannot set %s=%d\n", name, value);
		return -1;
	}
	return 0;
}

/*
 * One pass over the corpus; returns the number of rejections, or -1 if the
 * library failed (out of memory) rather than judged a password, since such a
 * run would measure nothing useful.
 */
static long one_pass(pwquality_settings_t *pwq, const struct record *recs,
    size_t n)
{
	long rejected = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		/*
		 * For the error codes pwquality_check returns, auxerror is an
		 * integer or a static string, never allocated, so it needs no
		 * pwquality_strerror call to be released.
		 *
		 * gecoscheck makes libpwquality call getpwnam_r on every
		 * check: ours (above) answers from this record.
		 */
		void *aux = NULL;
		int rc;

		checking = &recs[i];
		rc = pwquality_check(pwq, recs[i].password, NULL, recs[i].user,
		    &aux);
		checking = NULL;

		if (rc == PWQ_ERROR_MEM_ALLOC || rc == PWQ_ERROR_FATAL_FAILURE) {
			fprintf(stderr, "pwquality_bench: pwquality_check failed (%d)\n",
			    rc);
			return -1;
		}
		/* A score (0..100) means accepted; a negative code, rejected. */
		if (rc < 0)
			rejected++;
	}
	return rejected;
}

static double seconds_between(const struct timespec *a,
    const struct timespec *b)
{
	return (double)(b->tv_sec - a->tv_sec) +
	    (double)(b->tv_nsec - a->tv_nsec) / 1e9;
}

int main(int argc, char **argv)
{
	pwquality_settings_t *pwq;
	struct record *recs;
	struct timespec start, stop;
	char *buf, *end;
	size_t n;
	long rounds, r, rejected, total = 0, got;
	double seconds;
	int status = 1;
	int dict = argc == 4 && strcmp(argv[3], "dict") == 0;

	if (argc != 3 && !dict) {
		fprintf(stderr, "usage: pwquality_bench CORPUS.tsv ROUNDS [dict]\n");
		return 1;
	}
	errno = 0;
	rounds = strtol(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || rounds <= 0) {
		fprintf(stderr,
		    "pwquality_bench: ROUNDS must be a positive integer, got \"%s\"\n",
		    argv[2]);
		return 1;
	}
	if (load_corpus(argv[1], &buf, &recs, &n))
		return 1;

	if (!(pwq = pwquality_default_settings())) {
		fprintf(stderr, "pwquality_bench: out of memory\n");
		goto out_corpus;
	}
	if (set_int(pwq, PWQ_SETTING_MIN_LENGTH, 8, "minlen") ||
	    set_int(pwq, PWQ_SETTING_MIN_CLASS, 3, "minclass") ||
	    set_int(pwq, PWQ_SETTING_DIG_CREDIT, 0, "dcredit") ||
	    set_int(pwq, PWQ_SETTING_UP_CREDIT, 0, "ucredit") ||
	    set_int(pwq, PWQ_SETTING_LOW_CREDIT, 0, "lcredit") ||
	    set_int(pwq, PWQ_SETTING_OTH_CREDIT, 0, "ocredit") ||
	    set_int(pwq, PWQ_SETTING_USER_CHECK, 1, "usercheck") ||
	    set_int(pwq, PWQ_SETTING_GECOS_CHECK, 1, "gecoscheck") ||
	    /* pwpolicy's default has no dictionary either (it is opt-in). */
	    set_int(pwq, PWQ_SETTING_DICT_CHECK, dict, "dictcheck"))
		goto out_settings;
	/* A dictionary that cannot be loaded refuses everything: say so. */
	if (dict) {
		void *aux = NULL;
		if (pwquality_check(pwq, "qV7#mL2!xR9$kT4&", NULL, NULL, &aux) ==
		    PWQ_ERROR_CRACKLIB_CHECK && aux != NULL &&
		    strstr((const char *)aux, "dictionary") != NULL) {
			fprintf(stderr, "pwquality_bench: cracklib's dictionary cannot be "
			    "loaded (apt-get install cracklib-runtime)\n");
			goto out_settings;
		}
	}

	if ((rejected = one_pass(pwq, recs, n)) < 0)
		goto out_settings;

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (r = 0; r < rounds; r++) {
		if ((got = one_pass(pwq, recs, n)) < 0)
			goto out_settings;
		total += got;
	}
	clock_gettime(CLOCK_MONOTONIC, &stop);
	seconds = seconds_between(&start, &stop);

	if (total != rejected * rounds) {
		fprintf(stderr,
		    "pwquality_bench: verdicts changed between passes: %ld rejected "
		    "in the warm-up pass, %ld over %ld timed passes\n",
		    rejected, total, rounds);
		goto out_settings;
	}
	printf("%s checks=%lu seconds=%.6f checks_per_sec=%.0f rejected=%ld\n",
	    dict ? "pwqualitydict" : "pwquality",
	    (unsigned long)n * (unsigned long)rounds, seconds,
	    (double)n * (double)rounds / seconds, rejected);
	status = 0;

out_settings:
	pwquality_free_settings(pwq);
out_corpus:
	free(recs);
	free(buf);
	return status;
}
