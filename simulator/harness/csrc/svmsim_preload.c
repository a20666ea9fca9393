/*
 * svmsim_preload.c - virtual time for every process of the driver script.
 *
 * Why: builtin sleeps (ksh93's sleep, perl's sleep/select, python's
 * time.sleep) never exec a command we could fake, and a backup script that
 * waits 600 s for a resync must finish at once.  Loaded with LD_PRELOAD, this
 * library turns every sleep into a SLEEP request to the svmsim harness
 * ($SVMSIM_SOCKET; the harness advances its virtual clock) and answers the
 * wall-clock functions from the clock file the harness keeps ($SVMSIM_CLOCK,
 * layout in simulator/harness/protocol.py, read through mmap with a seqlock).
 *
 * Clock choices:
 *  - CLOCK_REALTIME (time, gettimeofday, clock_gettime, timespec_get) is the
 *    virtual epoch itself: it stands still between sleeps, so `date` agrees
 *    with the simulation to the nanosecond.
 *  - CLOCK_MONOTONIC/BOOTTIME (and their COARSE/RAW forms) are the real
 *    clock plus every forward step the virtual clock made.  They keep
 *    advancing in real time, so a busy loop waiting on them still ends, and
 *    they jump by each virtual sleep, so "deadline = now + 60; sleep until
 *    deadline" loops end after one virtual sleep instead of spinning.
 *  - CPU-time clocks are untouched.
 * When the harness cannot be reached (no socket, no clock file) every
 * function falls back to the real one.  Without the environment variables
 * (`env -i`) the sandbox's fixed paths under /usr/lib/svmsim/run are tried;
 * the sandbox also lists this library in its /etc/ld.so.preload.
 *
 * With SVMSIM_STATX=emulate (set under proot, whose 5.1 release does not
 * translate paths for the statx system call) statx() is answered from
 * fstatat(), which proot does translate.
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#define NS 1000000000LL
/* Used when a script cleared the environment; they exist only in a sandbox. */
#define DEFAULT_SOCKET "/usr/lib/svmsim/run/svmsim.sock"
#define DEFAULT_CLOCK "/usr/lib/svmsim/run/svmsim.clock"
#define REAL(ret, name, args) \
    static ret(*real_fn) args; \
    if (!real_fn) real_fn = (ret(*) args)dlsym(RTLD_NEXT, name)

struct clockfile {
    char magic[4];
    uint32_t version;
    uint64_t seq;
    int64_t realtime_ns;
    int64_t mono_offset_ns;
};

static const struct clockfile *clock_map;
static int clock_state; /* 0 untried, 1 mapped, 2 unavailable */

static const struct clockfile *clockfile(void) {
    int st = __atomic_load_n(&clock_state, __ATOMIC_ACQUIRE);
    if (st)
        return st == 1 ? clock_map : NULL;
    const struct clockfile *map = NULL;
    const char *path = getenv("SVMSIM_CLOCK");
    if (!path || !*path)
        path = DEFAULT_CLOCK;
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    struct stat sb;
    if (fd >= 0 && fstat(fd, &sb) == 0 && sb.st_size >= (off_t)sizeof *map) {
        void *m = mmap(NULL, sizeof *map, PROT_READ, MAP_SHARED, fd, 0);
        if (m != MAP_FAILED) {
            map = m;
            if (memcmp(map->magic, "SVMC", 4) != 0 || map->version != 1) {
                munmap(m, sizeof *map);
                map = NULL;
            }
        }
    }
    if (fd >= 0)
        close(fd);
    clock_map = map;
    __atomic_store_n(&clock_state, map ? 1 : 2, __ATOMIC_RELEASE);
    return map;
}

static int read_clock(int64_t *rt, int64_t *mono) {
    int saved = errno;
    const struct clockfile *c = clockfile();
    errno = saved;
    if (!c)
        return -1;
    for (int tries = 0;; tries++) {
        uint64_t s1 = __atomic_load_n(&c->seq, __ATOMIC_ACQUIRE);
        int64_t a = __atomic_load_n(&c->realtime_ns, __ATOMIC_RELAXED);
        int64_t b = __atomic_load_n(&c->mono_offset_ns, __ATOMIC_RELAXED);
        __atomic_thread_fence(__ATOMIC_ACQUIRE);
        /* Each field is one aligned store, so after many tries (a writer that
         * died mid-update) the values are still whole, just maybe unpaired. */
        if ((!(s1 & 1) && __atomic_load_n(&c->seq, __ATOMIC_RELAXED) == s1) || tries > 10000) {
            *rt = a;
            *mono = b;
            return 0;
        }
    }
}

/* One SLEEP round trip; 0 when the harness answered, -1 to fall back. */
static int virtual_sleep(double seconds) {
    const char *path = getenv("SVMSIM_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || !*path)
        path = DEFAULT_SOCKET;
    if (strlen(path) >= sizeof sa.sun_path || !(seconds > 0))
        return -1;
    strcpy(sa.sun_path, path);
    int saved = errno, ok = -1;
    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s >= 0 && connect(s, (struct sockaddr *)&sa, sizeof sa) == 0) {
        unsigned char req[20] = {'S', 'V', 'M', 'Q', 2, 0, 0, 0, 8, 0, 0, 0};
        memcpy(req + 12, &seconds, 8); /* little-endian hosts only */
        unsigned char reply[16];
        size_t got = 0;
        if (send(s, req, sizeof req, MSG_NOSIGNAL) == (ssize_t)sizeof req) {
            while (got < sizeof reply) {
                ssize_t n = read(s, reply + got, sizeof reply - got);
                if (n < 0 && errno == EINTR)
                    continue;
                if (n <= 0)
                    break;
                got += (size_t)n;
            }
        }
        if (got == sizeof reply && memcmp(reply, "SVMR", 4) == 0)
            ok = 0;
    }
    if (s >= 0)
        close(s);
    errno = saved;
    return ok;
}

static int is_realtime(clockid_t c) {
    return c == CLOCK_REALTIME || c == CLOCK_REALTIME_COARSE;
}

static int is_monotonic(clockid_t c) {
    return c == CLOCK_MONOTONIC || c == CLOCK_MONOTONIC_COARSE || c == CLOCK_MONOTONIC_RAW ||
           c == CLOCK_BOOTTIME;
}

int clock_gettime(clockid_t clk, struct timespec *ts) {
    REAL(int, "clock_gettime", (clockid_t, struct timespec *));
    int64_t rt, mono;
    if ((is_realtime(clk) || is_monotonic(clk)) && read_clock(&rt, &mono) == 0) {
        if (is_realtime(clk)) {
            ts->tv_sec = rt / NS;
            ts->tv_nsec = rt % NS;
            return 0;
        }
        int r = real_fn(clk, ts);
        if (r == 0) {
            int64_t t = (int64_t)ts->tv_sec * NS + ts->tv_nsec + mono;
            ts->tv_sec = t / NS;
            ts->tv_nsec = t % NS;
        }
        return r;
    }
    return real_fn(clk, ts);
}

time_t time(time_t *out) {
    int64_t rt, mono;
    time_t t;
    if (read_clock(&rt, &mono) == 0) {
        t = (time_t)(rt / NS);
    } else {
        REAL(time_t, "time", (time_t *));
        t = real_fn(NULL);
    }
    if (out)
        *out = t;
    return t;
}

int gettimeofday(struct timeval *restrict tv, void *restrict tz) {
    int64_t rt, mono;
    if (read_clock(&rt, &mono) == 0) {
        tv->tv_sec = rt / NS;
        tv->tv_usec = (rt % NS) / 1000;
        if (tz)
            memset(tz, 0, 2 * sizeof(int));
        return 0;
    }
    REAL(int, "gettimeofday", (struct timeval *, void *));
    return real_fn(tv, tz);
}

int timespec_get(struct timespec *ts, int base) {
    if (base == TIME_UTC && clock_gettime(CLOCK_REALTIME, ts) == 0)
        return base;
    REAL(int, "timespec_get", (struct timespec *, int));
    return real_fn(ts, base);
}

static double seconds_of(const struct timespec *ts) {
    return (double)ts->tv_sec + (double)ts->tv_nsec / 1e9;
}

static int valid(const struct timespec *ts) {
    return ts && ts->tv_nsec >= 0 && ts->tv_nsec < NS && ts->tv_sec >= 0;
}

int nanosleep(const struct timespec *req, struct timespec *rem) {
    if (valid(req) && virtual_sleep(seconds_of(req)) == 0) {
        if (rem)
            rem->tv_sec = rem->tv_nsec = 0;
        return 0;
    }
    REAL(int, "nanosleep", (const struct timespec *, struct timespec *));
    return real_fn(req, rem);
}

int clock_nanosleep(clockid_t clk, int flags, const struct timespec *req, struct timespec *rem) {
    if ((is_realtime(clk) || is_monotonic(clk)) && req && req->tv_nsec >= 0 && req->tv_nsec < NS) {
        double secs = seconds_of(req);
        struct timespec now;
        if (flags & TIMER_ABSTIME) {
            if (clock_gettime(clk, &now) != 0)
                goto real;
            secs -= seconds_of(&now);
            if (secs <= 0)
                return 0;
            /* The real time that passed between computing a monotonic
             * deadline and sleeping would shorten the virtual sleep by a few
             * microseconds: round up to the next 10 ms. */
            if (is_monotonic(clk))
                secs = ceil(secs * 100 - 1e-6) / 100;
        }
        if (virtual_sleep(secs) == 0) {
            if (rem && !(flags & TIMER_ABSTIME))
                rem->tv_sec = rem->tv_nsec = 0;
            return 0;
        }
    }
real:;
    REAL(int, "clock_nanosleep", (clockid_t, int, const struct timespec *, struct timespec *));
    return real_fn(clk, flags, req, rem);
}

unsigned int sleep(unsigned int seconds) {
    if (virtual_sleep((double)seconds) == 0)
        return 0;
    REAL(unsigned int, "sleep", (unsigned int));
    return real_fn(seconds);
}

int usleep(useconds_t usec) {
    if (virtual_sleep((double)usec / 1e6) == 0)
        return 0;
    REAL(int, "usleep", (useconds_t));
    return real_fn(usec);
}

/* select()/pselect()/poll() with nothing to watch are sleeps (perl's
 * select(undef, undef, undef, 0.25) idiom). */
int select(int nfds, fd_set *r, fd_set *w, fd_set *e, struct timeval *tv) {
    if (tv && (nfds == 0 || (!r && !w && !e)) && tv->tv_sec >= 0 && tv->tv_usec >= 0 &&
        virtual_sleep((double)tv->tv_sec + (double)tv->tv_usec / 1e6) == 0) {
        tv->tv_sec = tv->tv_usec = 0;
        return 0;
    }
    REAL(int, "select", (int, fd_set *, fd_set *, fd_set *, struct timeval *));
    return real_fn(nfds, r, w, e, tv);
}

int pselect(int nfds, fd_set *r, fd_set *w, fd_set *e, const struct timespec *ts, const sigset_t *mask) {
    if (valid(ts) && (nfds == 0 || (!r && !w && !e)) && virtual_sleep(seconds_of(ts)) == 0)
        return 0;
    REAL(int, "pselect", (int, fd_set *, fd_set *, fd_set *, const struct timespec *, const sigset_t *));
    return real_fn(nfds, r, w, e, ts, mask);
}

int poll(struct pollfd *fds, nfds_t nfds, int timeout) {
    if (nfds == 0 && timeout > 0 && virtual_sleep((double)timeout / 1e3) == 0)
        return 0;
    REAL(int, "poll", (struct pollfd *, nfds_t, int));
    return real_fn(fds, nfds, timeout);
}

static int emulate_statx(void) {
    static int state; /* 0 unknown, 1 yes, 2 no */
    if (!state) {
        const char *v = getenv("SVMSIM_STATX");
        state = v && strcmp(v, "emulate") == 0 ? 1 : 2;
    }
    return state == 1;
}

int statx(int dirfd, const char *restrict path, int flags, unsigned int mask, struct statx *restrict buf) {
    if (!emulate_statx()) {
        REAL(int, "statx", (int, const char *, int, unsigned int, struct statx *));
        return real_fn(dirfd, path, flags, mask, buf);
    }
    struct stat st;
    if (fstatat(dirfd, path, &st, flags & (AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH | AT_NO_AUTOMOUNT)) != 0)
        return -1;
    memset(buf, 0, sizeof *buf);
    buf->stx_mask = STATX_BASIC_STATS;
    buf->stx_blksize = (uint32_t)st.st_blksize;
    buf->stx_nlink = (uint32_t)st.st_nlink;
    buf->stx_uid = st.st_uid;
    buf->stx_gid = st.st_gid;
    buf->stx_mode = (uint16_t)st.st_mode;
    buf->stx_ino = st.st_ino;
    buf->stx_size = (uint64_t)st.st_size;
    buf->stx_blocks = (uint64_t)st.st_blocks;
    buf->stx_atime.tv_sec = st.st_atim.tv_sec;
    buf->stx_atime.tv_nsec = (uint32_t)st.st_atim.tv_nsec;
    buf->stx_mtime.tv_sec = st.st_mtim.tv_sec;
    buf->stx_mtime.tv_nsec = (uint32_t)st.st_mtim.tv_nsec;
    buf->stx_ctime.tv_sec = st.st_ctim.tv_sec;
    buf->stx_ctime.tv_nsec = (uint32_t)st.st_ctim.tv_nsec;
    buf->stx_rdev_major = major(st.st_rdev);
    buf->stx_rdev_minor = minor(st.st_rdev);
    buf->stx_dev_major = major(st.st_dev);
    buf->stx_dev_minor = minor(st.st_dev);
    return 0;
}
