/*
 * The C API's breached-password list, from C: loads one policy file with
 * pwpolicy_policy_load and checks passwords with it, in one process.
 *
 *   capi_breached POLICYFILE STEP...
 *
 * Each STEP is a password to check, or `--rename FROM TO` (rename(2), as a
 * publisher replaces a list) between two checks. Prints one line per check:
 * "RC ACCEPTED CODES" (CODES comma-separated, "-" for none), never the
 * password. A policy that does not load prints "load failed: MESSAGE" and
 * exits 2.
 */
#include <stdio.h>
#include <string.h>

#include "pwpolicy.h"

int main(int argc, char **argv) {
    if (argc < 2) return 2;
    char err[512] = "";
    pwpolicy_policy *policy = pwpolicy_policy_load(argv[1], err, sizeof err);
    if (!policy) {
        printf("load failed: %s\n", err);
        return 2;
    }
    for (int i = 2; i < argc; i++) {
        if (strcmp(argv[i], "--rename") == 0 && i + 2 < argc) {
            if (rename(argv[i + 1], argv[i + 2]) != 0) {
                perror("rename");
                return 2;
            }
            i += 2;
            continue;
        }
        pwpolicy_result r = {-1, 0};
        int rc = pwpolicy_check_utf8(policy, NULL, NULL, argv[i], &r);
        printf("%d %d ", rc, r.accepted);
        if (!r.violations) printf("-");
        for (unsigned bit = 1, first = 1; bit; bit <<= 1)
            if (r.violations & bit) {
                printf("%s%s", first ? "" : ",", pwpolicy_violation_name(bit));
                first = 0;
            }
        printf("\n");
    }
    pwpolicy_policy_free(policy);
    return 0;
}
