/* A test shim, preloaded into the PAM test driver: libpam's syslog calls
 * (pam_syslog ends in __syslog_chk under _FORTIFY_SOURCE, else syslog)
 * append each message and a newline to the file $PWPOLICY_TEST_SYSLOG, as a
 * plain syslog file would hold it. The tests read what pam_pwpolicy logs
 * without a syslog daemon and without the host's /dev/log. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>

static void record(const char *fmt, va_list ap) {
    const char *path = getenv("PWPOLICY_TEST_SYSLOG");
    if (path == NULL) {
        return;
    }
    FILE *f = fopen(path, "a");
    if (f == NULL) {
        return;
    }
    vfprintf(f, fmt, ap);
    fputc('\n', f);
    fclose(f);
}

void vsyslog(int priority, const char *fmt, va_list ap) {
    (void)priority;
    record(fmt, ap);
}

void syslog(int priority, const char *fmt, ...) {
    va_list ap;
    va_start(ap, fmt);
    vsyslog(priority, fmt, ap);
    va_end(ap);
}

void __vsyslog_chk(int priority, int flag, const char *fmt, va_list ap) {
    (void)flag;
    vsyslog(priority, fmt, ap);
}

void __syslog_chk(int priority, int flag, const char *fmt, ...) {
    va_list ap;
    (void)flag;
    va_start(ap, fmt);
    vsyslog(priority, fmt, ap);
    va_end(ap);
}
