/*
 * A C program using libpwpolicyfilt: checks the password on standard input
 * for a user and prints the verdict with the stable codes.
 *
 *   cc -I crates/pwpolicy-filter/include check.c -L target/release -lpwpolicyfilt -o check
 *   echo 'Hagens2024!' | LD_LIBRARY_PATH=target/release ./check ehagens "Erin M. Hagens"
 *
 * With a policy file naming a [breached] list, a password in it is refused
 * ("refused: breached") and a list that cannot be read is an error.
 *
 * Exit status: 0 accepted, 1 refused, 2 error (as `pwpolicy check`).
 */
#include <stdio.h>
#include <string.h>

#include "pwpolicy.h"

int main(int argc, char **argv) {
    const char *user = argc > 1 ? argv[1] : NULL;
    const char *full_name = argc > 2 ? argv[2] : NULL;
    const char *policy_file = argc > 3 ? argv[3] : NULL;

    char password[4096];
    if (!fgets(password, sizeof password, stdin)) {
        fprintf(stderr, "check: no password on standard input\n");
        return 2;
    }
    password[strcspn(password, "\r\n")] = 0;

    char err[256];
    pwpolicy_policy *policy = policy_file ? pwpolicy_policy_load(policy_file, err, sizeof err)
                                          : pwpolicy_policy_default();
    if (!policy) {
        fprintf(stderr, "check: %s\n", policy_file ? err : "out of memory");
        return 2;
    }
    pwpolicy_result result;
    int rc = pwpolicy_check_utf8(policy, user, full_name, password, &result);
    memset(password, 0, sizeof password); /* do not keep the password around */
    pwpolicy_policy_free(policy);
    if (rc == PWPOLICY_E_LIST) {
        fprintf(stderr, "check: the breached-password list cannot be read\n");
        return 2;
    }
    if (rc != 0) {
        fprintf(stderr, "check: error %d\n", rc);
        return 2;
    }
    if (result.accepted) {
        puts("accepted");
        return 0;
    }
    printf("refused:");
    for (unsigned bit = 1; bit; bit <<= 1)
        if (result.violations & bit) printf(" %s", pwpolicy_violation_name(bit));
    printf("\n");
    return 1;
}
