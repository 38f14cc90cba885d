/*
 * benchspawn: the measuring end of bench/bench.py, built by it on the fly with the C
 * compiler (the same one Rust links with).
 *
 * Why not measure from Python: on Linux a child's ru_maxrss starts at the resident size
 * of the address space it was forked from (exec records the old mm's high-water mark), so
 * a child of a 10 MiB Python interpreter can never report less than ~10 MiB. Forked from
 * this small static program, the floor is a few dozen KiB of copied anonymous pages; the
 * harness reports that floor next to the figures.
 *
 * Modes:
 *   benchspawn serve
 *       Reads requests on stdin, each a list of NUL-terminated fields:
 *         mode, timeout_ms, argc, path, argv[0] .. argv[argc-1]
 *       runs the command (stdin, stdout, stderr on /dev/null, own process group) and
 *       answers one line per request on stdout:
 *         status wall_ns utime_us stime_us maxrss_kib timed_out
 *       status is the raw wait status. Wall time runs from just before the process is
 *       created to the return of wait4; CPU time and peak RSS are wait4's figures for the
 *       child (which include the descendants it reaped itself).
 *       mode "spawn" uses posix_spawn (clone with CLONE_VM|CLONE_VFORK, as Go's os/exec
 *       in NPD does): the cheapest start, right for timing, but the child's peak RSS is
 *       at least this helper's own. mode "fork" copies only this helper's few anonymous
 *       pages: a little slower to start, right for peak RSS.
 *   benchspawn keep N path argv...
 *       Starts N copies of the command (each dies with this process: PR_SET_PDEATHSIG),
 *       prints "ready N" once all of them have exec'd, then waits for EOF on stdin or a
 *       signal, kills and reaps every copy, prints "done" and exits.
 *   benchspawn noop
 *       Exits 0 at once: the cost floor of starting a static program.
 *
 * It is not a general process supervisor; it serves one harness over a pipe.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static volatile sig_atomic_t got_signal;

static void on_signal(int sig) { got_signal = sig; }

/* SIGINT (Ctrl-C reaches the whole foreground group) is left to the harness, which then
 * stops this helper with SIGTERM or EOF. A handler rather than SIG_IGN, so that the
 * commands it starts get the default disposition back at exec. */
static void on_interrupt(int sig) { (void)sig; }

static void set_handler(int sig, void (*fn)(int), int flags) {
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = fn;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = flags; /* without SA_RESTART, blocking calls return EINTR */
    sigaction(sig, &sa, NULL);
}

static int write_all(int fd, const char *buf, size_t len) {
    while (len > 0) {
        ssize_t n = write(fd, buf, len);
        if (n < 0) {
            if (errno == EINTR) continue;
            return -1;
        }
        buf += n;
        len -= (size_t)n;
    }
    return 0;
}

/* ---- serve ---------------------------------------------------------------------- */

#define MAX_ARGS 256
#define MAX_REQ (64 * 1024)

static char req[MAX_REQ];

static char inbuf[4096];
static size_t inpos, inlen;

/* Reads one NUL-terminated field from stdin into req at *used; 0 on EOF, -1 on error. */
static int read_field(size_t *used, char **out) {
    size_t start = *used;
    for (;;) {
        if (inpos == inlen) {
            ssize_t n = read(0, inbuf, sizeof inbuf);
            if (n == 0) return 0;
            if (n < 0) {
                if (errno == EINTR && !got_signal) continue;
                return -1;
            }
            inpos = 0;
            inlen = (size_t)n;
        }
        char c = inbuf[inpos++];
        if (*used >= MAX_REQ) return -1;
        req[(*used)++] = c;
        if (c == '\0') {
            *out = req + start;
            return 1;
        }
    }
}

static void on_alarm(int sig) { (void)sig; }

static int serve(void) {
    int devnull = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (devnull < 0) {
        perror("benchspawn: /dev/null");
        return 1;
    }
    set_handler(SIGALRM, on_alarm, 0);
    posix_spawn_file_actions_t fa;
    posix_spawnattr_t attr;
    posix_spawn_file_actions_init(&fa);
    for (int fd = 0; fd < 3; fd++) posix_spawn_file_actions_adddup2(&fa, devnull, fd);
    posix_spawnattr_init(&attr);
    posix_spawnattr_setpgroup(&attr, 0);
    posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
    for (;;) {
        size_t used = 0;
        char *field, *mode, *path, *argv[MAX_ARGS + 1];
        int r = read_field(&used, &mode);
        if (r == 0) return 0;
        if (r < 0) break;
        int use_fork = strcmp(mode, "fork") == 0;
        if (!use_fork && strcmp(mode, "spawn") != 0) break;
        if (read_field(&used, &field) <= 0) break;
        long timeout_ms = strtol(field, NULL, 10);
        if (read_field(&used, &field) <= 0) break;
        long argc = strtol(field, NULL, 10);
        if (argc < 1 || argc > MAX_ARGS) break;
        if (read_field(&used, &path) <= 0) break;
        long i;
        for (i = 0; i < argc; i++)
            if (read_field(&used, &argv[i]) <= 0) break;
        if (i < argc) break;
        argv[argc] = NULL;

        struct timespec t0, t1;
        pid_t pid;
        clock_gettime(CLOCK_MONOTONIC, &t0);
        if (use_fork) {
            pid = fork();
            if (pid < 0) {
                perror("benchspawn: fork");
                return 1;
            }
            if (pid == 0) {
                setpgid(0, 0);
                dup2(devnull, 0);
                dup2(devnull, 1);
                dup2(devnull, 2);
                signal(SIGALRM, SIG_DFL);
                execve(path, argv, environ);
                _exit(127);
            }
            setpgid(pid, pid);
        } else {
            int e = posix_spawn(&pid, path, &fa, &attr, argv, environ);
            if (e != 0) {
                /* exec failed: answer as the shell would, with 127 */
                char line[64];
                int n = snprintf(line, sizeof line, "%d 0 0 0 0 0\n", 127 << 8);
                if (write_all(1, line, (size_t)n) < 0) return 1;
                continue;
            }
        }

        struct itimerval it;
        memset(&it, 0, sizeof it);
        it.it_value.tv_sec = timeout_ms / 1000;
        it.it_value.tv_usec = (timeout_ms % 1000) * 1000;
        setitimer(ITIMER_REAL, &it, NULL);

        int status = 0, timed_out = 0;
        struct rusage ru;
        for (;;) {
            pid_t w = wait4(pid, &status, 0, &ru);
            if (w == pid) break;
            if (w < 0 && errno == EINTR) {
                if (got_signal) {
                    kill(-pid, SIGKILL);
                    waitpid(pid, NULL, 0);
                    return 128 + got_signal;
                }
                timed_out = 1;
                kill(-pid, SIGKILL);
                continue;
            }
            perror("benchspawn: wait4");
            return 1;
        }
        clock_gettime(CLOCK_MONOTONIC, &t1);
        memset(&it, 0, sizeof it);
        setitimer(ITIMER_REAL, &it, NULL);
        /* whatever the command left behind in its group goes too */
        kill(-pid, SIGKILL);

        long long wall_ns = (long long)(t1.tv_sec - t0.tv_sec) * 1000000000LL +
                            (t1.tv_nsec - t0.tv_nsec);
        long long ut = (long long)ru.ru_utime.tv_sec * 1000000LL + ru.ru_utime.tv_usec;
        long long st = (long long)ru.ru_stime.tv_sec * 1000000LL + ru.ru_stime.tv_usec;
        char line[160];
        int n = snprintf(line, sizeof line, "%d %lld %lld %lld %ld %d\n", status, wall_ns,
                         ut, st, ru.ru_maxrss, timed_out);
        if (write_all(1, line, (size_t)n) < 0) return 1;
    }
    if (got_signal) return 128 + got_signal;
    fprintf(stderr, "benchspawn: malformed request\n");
    return 1;
}

/* ---- keep ----------------------------------------------------------------------- */

static int keep(long count, char *path, char **argv) {
    pid_t *pids = calloc((size_t)count, sizeof *pids);
    if (!pids) return 1;
    pid_t self = getpid();
    long started = 0;
    int err = 0;
    for (; started < count && !got_signal; started++) {
        int p[2];
        if (pipe2(p, O_CLOEXEC) < 0) {
            err = errno;
            break;
        }
        pid_t pid = fork();
        if (pid < 0) {
            err = errno;
            close(p[0]);
            close(p[1]);
            break;
        }
        if (pid == 0) {
            close(p[0]);
            prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (getppid() != self) _exit(0);
            int devnull = open("/dev/null", O_RDWR);
            dup2(devnull, 0);
            dup2(devnull, 1);
            execve(path, argv, environ);
            int e = errno;
            (void)!write(p[1], &e, sizeof e);
            _exit(127);
        }
        close(p[1]);
        int e = 0;
        ssize_t n;
        do n = read(p[0], &e, sizeof e); while (n < 0 && errno == EINTR && !got_signal);
        close(p[0]);
        pids[started] = pid;
        if (n > 0) {
            err = e;
            started++;
            break;
        }
    }
    if (err == 0 && !got_signal) {
        /* a copy that exits at once (bad arguments) would leave a zombie, not a process */
        struct timespec pause = {0, 200 * 1000 * 1000};
        nanosleep(&pause, NULL);
        int st;
        pid_t gone = waitpid(-1, &st, WNOHANG);
        if (gone > 0) {
            for (long i = 0; i < started; i++)
                if (pids[i] == gone) pids[i] = 0;
            printf("failed %ld copies started, one exited at once (status %d)\n", started, st);
            fflush(stdout);
            err = -1;
        }
    }
    if (err == 0 && !got_signal) {
        printf("ready %ld\n", started);
        fflush(stdout);
        char buf[64];
        while (!got_signal) {
            ssize_t n = read(0, buf, sizeof buf);
            if (n == 0 || (n < 0 && errno != EINTR)) break;
        }
    } else if (err > 0) {
        printf("failed %ld %s\n", started, strerror(err));
        fflush(stdout);
    }
    for (long i = 0; i < started; i++)
        if (pids[i] > 0) kill(pids[i], SIGKILL);
    while (waitpid(-1, NULL, 0) > 0 || errno == EINTR) {
    }
    printf("done\n");
    fflush(stdout);
    return err ? 1 : 0;
}

int main(int argc, char **argv) {
    set_handler(SIGTERM, on_signal, 0);
    set_handler(SIGHUP, on_signal, 0);
    set_handler(SIGINT, on_interrupt, SA_RESTART);
    if (argc == 2 && strcmp(argv[1], "noop") == 0) return 0;
    if (argc == 2 && strcmp(argv[1], "serve") == 0) return serve();
    if (argc >= 5 && strcmp(argv[1], "keep") == 0) {
        long n = strtol(argv[2], NULL, 10);
        if (n > 0) return keep(n, argv[3], argv + 4);
    }
    fprintf(stderr, "usage: benchspawn serve | keep N path argv... | noop\n");
    return 2;
}
