/*
 * passwdqc's side of the side-by-side run (benches/peers/run.sh).
 *
 * Usage: passwdqc_bench CORPUS.tsv ROUNDS
 *
 * Checks every record of the corpus (user \t full name \t password) ROUNDS
 * times and prints, in the format all three harnesses share:
 *
 *   passwdqc checks=<N> seconds=<S> checks_per_sec=<R> rejected=<K>
 *
 * K is the number of rejections in one pass. One untimed warm-up pass counts
 * K; the timed passes must reach the same count.
 *
 * Mapping pwpolicy's default policy (8+ characters, 3 of 4 classes, no
 * account or full name) onto passwdqc(5) options, starting from
 * passwdqc_params_reset() so no /etc/passwdqc.conf is read:
 *
 *   min=disabled,disabled,disabled,8,8
 *       min=N0,N1,N2,N3,N4 gives the shortest password allowed with 1 class
 *       (N0), 2 classes (N1), a passphrase (N2), 3 classes (N3) and 4
 *       classes (N4). "3 of 4 classes, 8 long" is N3=N4=8 with every kind
 *       below 3 classes disabled. N2 is not "3 classes": it is for
 *       passphrases, which pwpolicy has no exemption for, so it is disabled
 *       too (and passphrase=0 below).
 *   passphrase=0
 *       no "N words" passphrase exemption from the class rule.
 *   max=256
 *       pwpolicy's default maximum. passwdqc's own default (72) would reject
 *       long UTF-8 passwords that pwpolicy accepts, since it counts bytes.
 *   match=4 (left at its default)
 *       the personal-information check: a password is rejected when a common
 *       substring of 4+ characters with the user name or GECOS field makes it
 *       too weak once that substring is discounted. It is the closest passwdqc
 *       has to the name rule, and it cannot be switched off without also
 *       switching off the check against passwdqc's built-in list of 4096
 *       short English words and keyboard/number sequences, which pwpolicy
 *       does not have. Both are kept: that is passwdqc as people run it.
 *
 * Rules that still differ from pwpolicy (they explain different "rejected"):
 *  - a capital first letter and a digit as last character do not count
 *    towards the classes ("Password1" has 1 class, not 3);
 *  - a password also needs "enough different characters" for its class;
 *  - non-ASCII bytes form one extra class only for passwords with no other
 *    class or with only digits; lengths are in bytes;
 *  - names, dictionary words and sequences are matched as above (substrings,
 *    reversed, "leetspeak" folded) rather than as whole name tokens.
 *
 * Build: gcc -O2 -o passwdqc_bench passwdqc_bench.c -lpasswdqc
 */

#define _POSIX_C_SOURCE 200809L

#include <errno.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <passwdqc.h>

/* Not const: struct passwd's fields are char *. */
struct record {
	char *user;
	char *full_name;
	char *password;
};

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
		fprintf(stderr, "passwdqc_bench: %s: %s\n", path, strerror(errno));
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
		fprintf(stderr, "passwdqc_bench: %s: no records\n", path);
		free(recs);
		free(data);
		return -1;
	}
	*buf = data;
	*out = recs;
	*count = n;
	return 0;

fail:
	fprintf(stderr, "passwdqc_bench: %s: %s\n", path,
	    errno ? strerror(errno) : "read error");
	if (f)
		fclose(f);
	free(recs);
	free(data);
	return -1;
}

/*
 * One pass over the corpus; returns the number of rejections.
 *
 * The struct passwd is built per check, as pam_passwdqc gets one from
 * getpwnam per password change: pw_name is the account name and pw_gecos
 * the full name, which passwdqc takes as given (unlike libpwquality, it
 * does not look the user up itself). pw_dir must not be NULL, since
 * passwdqc checks it too; it is left empty so that both tools see the same
 * personal information pwpolicy does (account name and full name).
 */
static long one_pass(const passwdqc_params_t *params,
    const struct record *recs, size_t n)
{
	long rejected = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		struct passwd pw = {
			.pw_name = recs[i].user,
			.pw_passwd = "",
			.pw_gecos = recs[i].full_name,
			.pw_dir = "",
			.pw_shell = "",
		};

		/* NULL means accepted; anything else is the reason rejected. */
		if (passwdqc_check(&params->qc, recs[i].password, NULL, &pw))
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
	static const char *const options[] = {
		"min=disabled,disabled,disabled,8,8",
		"passphrase=0",
		"max=256",
	};
	passwdqc_params_t params;
	struct record *recs;
	struct timespec start, stop;
	char *buf, *end, *reason = NULL;
	size_t n;
	long rounds, r, rejected, total = 0;
	double seconds;
	int status = 1;

	if (argc != 3) {
		fprintf(stderr, "usage: passwdqc_bench CORPUS.tsv ROUNDS\n");
		return 1;
	}
	errno = 0;
	rounds = strtol(argv[2], &end, 10);
	if (errno || *end || end == argv[2] || rounds <= 0) {
		fprintf(stderr,
		    "passwdqc_bench: ROUNDS must be a positive integer, got \"%s\"\n",
		    argv[2]);
		return 1;
	}
	if (load_corpus(argv[1], &buf, &recs, &n))
		return 1;

	passwdqc_params_reset(&params);
	/* Parsed rather than assigned to params.qc so passwdqc validates them. */
	if (passwdqc_params_parse(&params, &reason,
	    (int)(sizeof(options) / sizeof(options[0])), options)) {
		fprintf(stderr, "passwdqc_bench: %s\n",
		    reason ? reason : "invalid parameters");
		free(reason);
		goto out;
	}

	rejected = one_pass(&params, recs, n);

	clock_gettime(CLOCK_MONOTONIC, &start);
	for (r = 0; r < rounds; r++)
		total += one_pass(&params, recs, n);
	clock_gettime(CLOCK_MONOTONIC, &stop);
	seconds = seconds_between(&start, &stop);

	if (total != rejected * rounds) {
		fprintf(stderr,
		    "passwdqc_bench: verdicts changed between passes: %ld rejected "
		    "in the warm-up pass, %ld over %ld timed passes\n",
		    rejected, total, rounds);
		goto out;
	}
	printf("passwdqc checks=%lu seconds=%.6f checks_per_sec=%.0f rejected=%ld\n",
	    (unsigned long)n * (unsigned long)rounds, seconds,
	    (double)n * (double)rounds / seconds, rejected);
	status = 0;

out:
	passwdqc_params_free(&params);
	free(recs);
	free(buf);
	return status;
}
