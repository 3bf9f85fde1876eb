/*
 * Drives the pwpolicyfilt library through its real exports, as LSASS does:
 * loads it (LoadLibraryW on Windows, dlopen elsewhere), looks up
 * InitializeChangeNotify, PasswordFilter and PasswordChangeNotify, and runs
 * every case of a vector file through PasswordFilter from several threads.
 *
 *   harness LIBRARY CASES [THREADS] [ROUNDS] [NEW TARGET CASES_AFTER]
 *
 * CASES has one case per line: EXPECT<TAB>ACCOUNT<TAB>FULLNAME<TAB>PASSWORD,
 * EXPECT 1 (accept) or 0 (refuse), the strings as hex of their UTF-8 bytes
 * (so any character, tab or newline survives). Prints "N passed, M failed"
 * and exits non-zero when anything failed.
 *
 * With NEW TARGET CASES_AFTER, after the threads are done it publishes a new
 * file as administrators do, in this process and between two calls: renames
 * NEW over TARGET (MoveFileExW with MOVEFILE_REPLACE_EXISTING on Windows,
 * rename(2) elsewhere), prints "renamed" (or why not, counted as a failure),
 * then runs CASES_AFTER once.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifdef _WIN32
#include <windows.h>
#else
#include <dlfcn.h>
#include <pthread.h>
#endif

typedef struct {
    uint16_t Length;        /* bytes, not characters */
    uint16_t MaximumLength;
    uint16_t *Buffer;       /* not NUL-terminated */
} UNICODE_STRING;

#ifdef _WIN32
#define API __stdcall
#else
#define API
#endif

typedef unsigned char (API *init_fn)(void);
typedef unsigned char (API *filter_fn)(UNICODE_STRING *, UNICODE_STRING *, UNICODE_STRING *, unsigned char);
typedef long (API *notify_fn)(UNICODE_STRING *, unsigned long, UNICODE_STRING *);

static filter_fn password_filter;

typedef struct {
    int expect;
    UNICODE_STRING account, full_name, password;
} Case;

static Case *cases;
static size_t ncases;
static int rounds = 1;

/* Hex of UTF-8 → UTF-16 (the harness must not depend on a locale). */
static UNICODE_STRING utf16_from_hex(const char *hex) {
    size_t n = strlen(hex) / 2, len = 0;
    unsigned char *bytes = malloc(n + 1);
    uint16_t *out = malloc((n + 1) * sizeof(uint16_t));
    for (size_t i = 0; i < n; i++) {
        unsigned v;
        sscanf(hex + 2 * i, "%2x", &v);
        bytes[i] = (unsigned char)v;
    }
    for (size_t i = 0; i < n;) {
        uint32_t c = bytes[i];
        int extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        c &= extra == 3 ? 0x07 : extra == 2 ? 0x0F : extra == 1 ? 0x1F : 0x7F;
        for (int k = 1; k <= extra && i + k < n; k++) c = (c << 6) | (bytes[i + k] & 0x3F);
        i += 1 + extra;
        if (c >= 0x10000) {
            c -= 0x10000;
            out[len++] = (uint16_t)(0xD800 | (c >> 10));
            out[len++] = (uint16_t)(0xDC00 | (c & 0x3FF));
        } else {
            out[len++] = (uint16_t)c;
        }
    }
    free(bytes);
    UNICODE_STRING s = {(uint16_t)(len * 2), (uint16_t)(len * 2), out};
    return s;
}

static int load_cases(const char *path) {
    FILE *f = fopen(path, "r");
    if (!f) return -1;
    static char line[65536];
    size_t cap = 64;
    ncases = 0;
    cases = malloc(cap * sizeof(Case));
    while (fgets(line, sizeof line, f)) {
        line[strcspn(line, "\r\n")] = 0;
        if (!*line) continue;
        char *fields[4];
        char *p = line;
        for (int i = 0; i < 4; i++) {
            fields[i] = p;
            p = strchr(p, '\t');
            if (p) *p++ = 0;
            else if (i < 3) return -2;
        }
        if (ncases == cap) cases = realloc(cases, (cap *= 2) * sizeof(Case));
        Case *c = &cases[ncases++];
        c->expect = atoi(fields[0]);
        c->account = utf16_from_hex(fields[1]);
        c->full_name = utf16_from_hex(fields[2]);
        c->password = utf16_from_hex(fields[3]);
    }
    fclose(f);
    return 0;
}

/* Runs every case `rounds` times; returns the number of wrong verdicts. */
static long run_cases(void) {
    long failed = 0;
    for (int r = 0; r < rounds; r++)
        for (size_t i = 0; i < ncases; i++) {
            Case *c = &cases[i];
            unsigned char got = password_filter(&c->account, &c->full_name, &c->password, 0);
            if ((got != 0) != (c->expect != 0)) {
                if (r == 0) fprintf(stderr, "case %zu: expected %s\n", i + 1, c->expect ? "accept" : "refuse");
                failed++;
            }
        }
    return failed;
}

#ifdef _WIN32
static DWORD WINAPI worker(LPVOID out) {
    *(long *)out = run_cases();
    return 0;
}
#else
static void *worker(void *out) {
    *(long *)out = run_cases();
    return NULL;
}
#endif

int main(int argc, char **argv) {
    if (argc < 3 || (argc > 5 && argc != 8)) {
        fprintf(stderr, "usage: harness LIBRARY CASES [THREADS] [ROUNDS] [NEW TARGET CASES_AFTER]\n");
        return 2;
    }
    int threads = argc > 3 ? atoi(argv[3]) : 1;
    rounds = argc > 4 ? atoi(argv[4]) : 1;
    if (threads < 1 || threads > 64 || rounds < 1) return 2;

#ifdef _WIN32
    wchar_t wpath[1024];
    MultiByteToWideChar(CP_UTF8, 0, argv[1], -1, wpath, 1024);
    HMODULE lib = LoadLibraryW(wpath);
    if (!lib) {
        fprintf(stderr, "LoadLibraryW(%s) failed: %lu\n", argv[1], GetLastError());
        return 2;
    }
#define SYM(name) (void *)GetProcAddress(lib, name)
#else
    void *lib = dlopen(argv[1], RTLD_NOW | RTLD_LOCAL);
    if (!lib) {
        fprintf(stderr, "dlopen: %s\n", dlerror());
        return 2;
    }
#define SYM(name) dlsym(lib, name)
#endif
    init_fn init = (init_fn)SYM("InitializeChangeNotify");
    password_filter = (filter_fn)SYM("PasswordFilter");
    notify_fn notify = (notify_fn)SYM("PasswordChangeNotify");
    if (!init || !password_filter || !notify) {
        fprintf(stderr, "missing export\n");
        return 2;
    }
    if (load_cases(argv[2]) != 0) {
        fprintf(stderr, "cannot read cases from %s\n", argv[2]);
        return 2;
    }

    long passed = 0, failed = 0;
    if (!init()) {
        fprintf(stderr, "InitializeChangeNotify returned FALSE\n");
        failed++;
    }
    /* Malformed input, as LSASS should never send but a filter must survive:
       NULL everything, an odd length, an unpaired surrogate: all refused. */
    uint16_t text[] = {'B', 'l', 'u', 'e', '-', 'K', 'e', 't', 't', 'l', 'e', '-', '4', '2'};
    uint16_t lone[] = {'A', 0xD800, 'b', 'c', 'd', 'e', 'f', '1', '!'};
    UNICODE_STRING odd = {5, 28, text}, surrogate = {sizeof lone, sizeof lone, lone};
    UNICODE_STRING null_buffer = {8, 8, NULL};
    if (password_filter(NULL, NULL, NULL, 0) == 0 && password_filter(NULL, NULL, &odd, 0) == 0 &&
        password_filter(NULL, NULL, &surrogate, 1) == 0 && password_filter(&odd, &null_buffer, &null_buffer, 0) == 0)
        passed++;
    else {
        fprintf(stderr, "malformed input was not refused\n");
        failed++;
    }
    if (notify(NULL, 0, NULL) == 0) passed++;
    else failed++;

    long *results = calloc((size_t)threads, sizeof(long));
#ifdef _WIN32
    HANDLE *handles = calloc((size_t)threads, sizeof(HANDLE));
    for (int t = 0; t < threads; t++) handles[t] = CreateThread(NULL, 0, worker, &results[t], 0, NULL);
    WaitForMultipleObjects((DWORD)threads, handles, TRUE, INFINITE);
#else
    pthread_t *handles = calloc((size_t)threads, sizeof(pthread_t));
    for (int t = 0; t < threads; t++) pthread_create(&handles[t], NULL, worker, &results[t]);
    for (int t = 0; t < threads; t++) pthread_join(handles[t], NULL);
#endif
    for (int t = 0; t < threads; t++) {
        failed += results[t];
        passed += (long)(ncases * (size_t)rounds) - results[t];
    }
    if (argc == 8) {
#ifdef _WIN32
        wchar_t from[1024], to[1024];
        MultiByteToWideChar(CP_UTF8, 0, argv[5], -1, from, 1024);
        MultiByteToWideChar(CP_UTF8, 0, argv[6], -1, to, 1024);
        int renamed = MoveFileExW(from, to, MOVEFILE_REPLACE_EXISTING) != 0;
        if (!renamed) printf("rename failed: error %lu\n", GetLastError());
#else
        int renamed = rename(argv[5], argv[6]) == 0;
        if (!renamed) perror("rename failed");
#endif
        if (renamed) puts("renamed");
        else failed++;
        if (load_cases(argv[7]) != 0) {
            fprintf(stderr, "cannot read cases from %s\n", argv[7]);
            return 2;
        }
        rounds = 1;
        long wrong = run_cases();
        failed += wrong;
        passed += (long)ncases - wrong;
    }
    printf("%ld passed, %ld failed\n", passed, failed);
    return failed ? 1 : 0;
}
