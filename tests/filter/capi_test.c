/*
 * The C API of libpwpolicyfilt, from C: every function, the error returns,
 * and the shared verdict vectors (same cases file as the filter harness).
 *
 *   capi_test CASES POLICYFILE
 *
 * Prints "N passed, M failed".
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pwpolicy.h"

static long passed, failed;

static void expect(int ok, const char *what) {
    if (ok) passed++;
    else {
        failed++;
        fprintf(stderr, "FAILED: %s\n", what);
    }
}

static char *from_hex(const char *hex) {
    size_t n = strlen(hex) / 2;
    char *out = malloc(n + 1);
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        out[i] = (char)v;
    }
    out[n] = 0;
    return out;
}

int main(int argc, char **argv) {
    if (argc < 3) return 2;
    pwpolicy_policy *def = pwpolicy_policy_default();
    pwpolicy_result r;

    expect(pwpolicy_check_utf8(def, "erin", "Erin Hagens", "erin", &r) == 0, "check returns 0");
    expect(!r.accepted, "erin is refused");
    expect(r.violations == (PWPOLICY_V_TOO_SHORT | PWPOLICY_V_TOO_FEW_CLASSES |
                            PWPOLICY_V_CONTAINS_ACCOUNT_NAME | PWPOLICY_V_CONTAINS_NAME_PART),
           "every reason is reported");
    expect(strcmp(pwpolicy_violation_name(PWPOLICY_V_CONTAINS_NAME_PART), "contains_name_part") == 0,
           "names of bits");
    expect(pwpolicy_violation_name(3) == NULL && pwpolicy_violation_name(0) == NULL, "no name for non-bits");
    expect(pwpolicy_check_utf8(def, NULL, NULL, "Blue-Kettle-42", &r) == 0 && r.accepted && !r.violations,
           "a good password");
    expect(pwpolicy_check_utf8(def, NULL, NULL, NULL, &r) == -1, "NULL password");
    expect(pwpolicy_check_utf8(NULL, NULL, NULL, "x", &r) == -1, "NULL policy");
    expect(pwpolicy_check_utf8(def, NULL, NULL, "ab\xff", &r) == -2, "invalid UTF-8");

    char err[256] = "";
    expect(pwpolicy_policy_load("/nonexistent/policy.toml", err, sizeof err) == NULL && strstr(err, "cannot read"),
           "missing file");
    pwpolicy_policy *custom = pwpolicy_policy_load(argv[2], err, sizeof err);
    expect(custom != NULL, err);

    /* The shared vectors: EXPECT, ACCOUNT, FULL NAME, PASSWORD (hex UTF-8). */
    FILE *f = fopen(argv[1], "r");
    if (!f || !custom) return 2;
    static char line[65536];
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        char *fields[4], *p = line;
        for (int i = 0; i < 4; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if (p) *p++ = 0;
        }
        char *user = from_hex(fields[1]), *full = from_hex(fields[2]), *pw = from_hex(fields[3]);
        int rc = pwpolicy_check_utf8(custom, user, full, pw, &r);
        expect(rc == 0 && r.accepted == atoi(fields[0]) && (r.accepted == (r.violations == 0)), fields[3]);
        free(user);
        free(full);
        free(pw);
    }
    fclose(f);
    pwpolicy_policy_free(custom);
    pwpolicy_policy_free(def);
    pwpolicy_policy_free(NULL);
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
