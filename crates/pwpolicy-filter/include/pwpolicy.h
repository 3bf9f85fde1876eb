/*
 * pwpolicy.h: the small C API of libpwpolicyfilt (pwpolicyfilt.dll on
 * Windows). It checks a password against the organisation's policy exactly
 * as the `pwpolicy` CLI, the PAM module and the Windows password filter do.
 *
 *   pwpolicy_policy *p = pwpolicy_policy_default();
 *   pwpolicy_result r;
 *   if (pwpolicy_check_utf8(p, "ehagens", "Erin M. Hagens", password, &r) == 0 && !r.accepted)
 *       for (unsigned bit = 1; bit; bit <<= 1)
 *           if (r.violations & bit) puts(pwpolicy_violation_name(bit));
 *   pwpolicy_policy_free(p);
 *
 * Thread-safe: a policy may be shared by any number of threads. No function
 * keeps or logs the password. Link with -lpwpolicyfilt.
 *
 * A policy file with `[breached] file = "..."` also screens against that
 * breached-password list (built with `pwpolicy breach build`). Publish a new
 * list by writing it under a temporary name and renaming it over the old one:
 * a loaded policy picks it up at its next check. It fails closed: loading a
 * policy whose list cannot be opened returns NULL, and a check whose lookup
 * cannot read the list returns PWPOLICY_E_LIST; deciding to go on without the
 * list is the caller's choice (the Windows filter's is `[filter] on_error`).
 */
#ifndef PWPOLICY_H
#define PWPOLICY_H

#ifdef __cplusplus
extern "C" {
#endif

#include <stddef.h>

/* One bit per stable violation code (see pwpolicy_violation_name). */
#define PWPOLICY_V_TOO_SHORT             (1u << 0)
#define PWPOLICY_V_TOO_LONG              (1u << 1)
#define PWPOLICY_V_TOO_FEW_CLASSES       (1u << 2)
#define PWPOLICY_V_CONTAINS_ACCOUNT_NAME (1u << 3)
#define PWPOLICY_V_CONTAINS_NAME_PART    (1u << 4)
#define PWPOLICY_V_REUSED                (1u << 5) /* needs history: never set by this API */
#define PWPOLICY_V_TOO_RECENT            (1u << 6) /* needs history: never set by this API */
#define PWPOLICY_V_BREACHED              (1u << 7) /* in the policy's [breached] list */
#define PWPOLICY_V_TOO_GUESSABLE         (1u << 8) /* [guessability] min_score */
#define PWPOLICY_V_CONTAINS_BANNED_WORD  (1u << 9) /* [banned] words, file */
#define PWPOLICY_V_SIMILAR_TO_HISTORY    (1u << 10) /* needs history: never set by this API */
#define PWPOLICY_V_TOO_MANY_REPEATS      (1u << 11) /* [quality] max_repeat */
#define PWPOLICY_V_CONTAINS_SEQUENCE     (1u << 12) /* [quality] max_sequence */

/* What pwpolicy_check_utf8 returns. */
#define PWPOLICY_OK          0
#define PWPOLICY_E_NULL      (-1) /* policy, password or out is NULL */
#define PWPOLICY_E_NOT_UTF8  (-2) /* a string is not UTF-8 */
#define PWPOLICY_E_INTERNAL  (-3) /* an internal error */
#define PWPOLICY_E_LIST      (-4) /* the breached-password list cannot be read */

/* An opaque, immutable policy. */
typedef struct pwpolicy_policy pwpolicy_policy;

/* The outcome of a check. */
typedef struct {
    int accepted;          /* 1 when the password passed, else 0 */
    unsigned int violations; /* PWPOLICY_V_* bits */
} pwpolicy_result;

/* The built-in default policy (the organisation's). NULL only on allocation failure. */
pwpolicy_policy *pwpolicy_policy_default(void);

/* A policy from a TOML policy file; NULL on error, with the reason (naming
   the line, or the breached-password list and what is wrong with it) written
   to err (at most err_len bytes, NUL-terminated; err may be NULL). A policy
   naming a [breached] file opens it here: a list that is missing, damaged,
   not a filter, or built with a higher --min-count than the policy's
   min_count is an error. */
pwpolicy_policy *pwpolicy_policy_load(const char *path, char *err, size_t err_len);

/* Frees a policy; NULL is ignored. */
void pwpolicy_policy_free(pwpolicy_policy *policy);

/* Checks a UTF-8 password for a user (user and full_name may be NULL), and
   looks it up in the policy's breached-password list if it names one.
   Returns 0 (PWPOLICY_OK) and fills *out; -1 (PWPOLICY_E_NULL) when policy,
   password or out is NULL; -2 (PWPOLICY_E_NOT_UTF8) when a string is not
   UTF-8; -3 (PWPOLICY_E_INTERNAL) on an internal error; -4 (PWPOLICY_E_LIST)
   when the list cannot be read (replaced by a damaged or unusable file, removed,
   or damaged where the lookup read): *out then holds accepted = 0 and the
   text rules' violations, so a caller that ignores the code still refuses. */
int pwpolicy_check_utf8(const pwpolicy_policy *policy, const char *user, const char *full_name,
                        const char *password, pwpolicy_result *out);

/* The stable code of one PWPOLICY_V_* bit, e.g. "too_short"; NULL otherwise. */
const char *pwpolicy_violation_name(unsigned int bit);

#ifdef __cplusplus
}
#endif

#endif /* PWPOLICY_H */
