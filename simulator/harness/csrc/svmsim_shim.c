/*
 * svmsim_shim.c - the fake Solaris command as seen by the driver script.
 *
 * Why C: a backup script may call metastat hundreds of times; this client
 * must cost about as much as exec'ing /bin/true.  It forwards argv, the
 * environment, the cwd, getuid() and fds 0/1/2 (SCM_RIGHTS) to the svmsim
 * harness over the unix socket named by $SVMSIM_SOCKET, then exits with the
 * status the harness sends back.  The command name is basename(argv[0]), so
 * one binary serves every command through hard links or symlinks.  Without
 * $SVMSIM_SOCKET (a script that ran `env -i`) it tries the sandbox's fixed
 * /usr/lib/svmsim/run/svmsim.sock.
 * While the call runs the harness may ask this client to open, unlink, stat or
 * readlink a file: the client does it itself, as the driver, in the driver's
 * view, and passes an opened descriptor back (SCM_RIGHTS), so that the harness
 * never touches a path of the driver's on its own.
 * Wire format: simulator/harness/protocol.py.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

extern char **environ;

static char *out;
static size_t len;

static void put32(uint32_t v) {
    unsigned char b[4] = {v & 255, (v >> 8) & 255, (v >> 16) & 255, v >> 24};
    memcpy(out + len, b, 4);
    len += 4;
}

static void putstr(const char *s) {
    size_t n = strlen(s);
    put32((uint32_t)n);
    memcpy(out + len, s, n);
    len += n;
}

static int fail(const char *name, const char *what) {
    const char *parts[] = {name, ": ", what, "\n"};
    for (int i = 0; i < 4; i++)
        if (write(2, parts[i], strlen(parts[i])) < 0)
            break;
    return 127;
}

static int read_full(int s, void *buf, size_t n) {
    size_t got = 0;
    while (got < n) {
        ssize_t k = read(s, (char *)buf + got, n - got);
        if (k < 0 && errno == EINTR)
            continue;
        if (k <= 0)
            return -1;
        got += (size_t)k;
    }
    return 0;
}

static uint32_t get32(const unsigned char *b) {
    return b[0] | b[1] << 8 | b[2] << 16 | (uint32_t)b[3] << 24;
}

static void set32(unsigned char *b, uint32_t v) {
    b[0] = v & 255, b[1] = (v >> 8) & 255, b[2] = (v >> 16) & 255, b[3] = v >> 24;
}

/* One file request (after its 4-byte magic): do it, send the answer. */
static int file_request(int s) {
    unsigned char h[16], ans[24 + 4096];
    static char path[4096];
    if (read_full(s, h, sizeof h) < 0)
        return -1;
    uint32_t op = get32(h), flags = get32(h + 4), mode = get32(h + 8), plen = get32(h + 12);
    if (plen == 0 || plen >= sizeof path || read_full(s, path, plen) < 0)
        return -1;
    path[plen] = 0;
    int32_t result = 0;
    uint32_t st_mode = 0, dlen = 0;
    uint64_t st_size = 0;
    int fd = -1;
    struct stat st;
    /* SYMLINK (10) and RENAME (11) carry two paths: FIRST NUL SECOND */
    size_t first = strlen(path);
    int two = op == 10 || op == 11;
    if (two ? (first + 1 >= plen || strlen(path + first + 1) != plen - first - 1)
            : first != plen) {
        result = -EINVAL;
    } else if (op == 1) {
        fd = open(path, (int)flags | O_CLOEXEC, (mode_t)mode);
        if (fd < 0)
            result = -errno;
    } else if (op == 2) {
        if (unlink(path) < 0)
            result = -errno;
    } else if (op == 3 || op == 4) {
        if ((op == 3 ? stat(path, &st) : lstat(path, &st)) < 0)
            result = -errno;
        else
            st_mode = st.st_mode, st_size = (uint64_t)st.st_size;
    } else if (op == 5) {
        ssize_t n = readlink(path, (char *)ans + 24, 4095);
        if (n < 0)
            result = -errno;
        else
            dlen = (uint32_t)n;
    } else if (op == 6) {
        if (mkdir(path, (mode_t)mode) < 0)
            result = -errno;
    } else if (op == 7) {
        if (rmdir(path) < 0)
            result = -errno;
    } else if (op == 8) {
        if (chmod(path, (mode_t)mode) < 0)
            result = -errno;
    } else if (op == 9) {
        struct timespec ts[2] = {{.tv_sec = (time_t)flags}, {.tv_sec = (time_t)flags}};
        if (utimensat(AT_FDCWD, path, ts, 0) < 0)
            result = -errno;
    } else if (op == 10) {
        if (symlink(path, path + first + 1) < 0)
            result = -errno;
    } else if (op == 11) {
        if (rename(path, path + first + 1) < 0)
            result = -errno;
    } else {
        result = -ENOSYS;
    }
    memcpy(ans, "SVMA", 4);
    set32(ans + 4, (uint32_t)result);
    set32(ans + 8, st_mode);
    set32(ans + 12, (uint32_t)st_size);
    set32(ans + 16, (uint32_t)(st_size >> 32));
    set32(ans + 20, dlen);
    union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } ctl;
    struct iovec iov = {.iov_base = ans, .iov_len = 24 + dlen};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (fd >= 0) {
        msg.msg_control = ctl.buf;
        msg.msg_controllen = CMSG_SPACE(sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(sizeof(int));
        memcpy(CMSG_DATA(c), &fd, sizeof(int));
    }
    ssize_t n;
    do
        n = sendmsg(s, &msg, MSG_NOSIGNAL);
    while (n < 0 && errno == EINTR);
    if (fd >= 0)
        close(fd);
    if (n == (ssize_t)iov.iov_len)
        return 0;
    if (n < 0)
        return -1;
    return write(s, ans + n, iov.iov_len - (size_t)n) == (ssize_t)(iov.iov_len - (size_t)n) ? 0 : -1;
}

int main(int argc, char **argv) {
    const char *name = argc > 0 && argv[0] ? argv[0] : "svmsim-shim";
    const char *slash = strrchr(name, '/');
    if (slash)
        name = slash + 1;
    const char *path = getenv("SVMSIM_SOCKET");
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (!path || !*path) /* the environment was cleared: the sandbox's fixed path */
        path = "/usr/lib/svmsim/run/svmsim.sock";
    if (strlen(path) >= sizeof sa.sun_path)
        return fail(name, "svmsim server not reachable");
    strcpy(sa.sun_path, path);

    char *cwd = getcwd(NULL, 0);
    if (!cwd)
        cwd = getenv("PWD") ? getenv("PWD") : "";
    size_t need = 12 + 16 + strlen(cwd) + 4, envc = 0;
    for (int i = 0; i < argc; i++)
        need += 4 + strlen(argv[i]);
    for (char **e = environ; *e; e++, envc++)
        need += 4 + strlen(*e);
    out = malloc(need);
    if (!out)
        return fail(name, "out of memory");

    uint32_t mask = 0;
    int fds[3], nfds = 0;
    for (int fd = 0; fd < 3; fd++)
        if (fcntl(fd, F_GETFD) != -1) {
            mask |= 1u << fd;
            fds[nfds++] = fd;
        }
    memcpy(out, "SVMQ", 4);
    len = 4;
    put32(1);
    put32((uint32_t)(need - 12));
    put32((uint32_t)getuid());
    put32(mask);
    put32((uint32_t)argc);
    for (int i = 0; i < argc; i++)
        putstr(argv[i]);
    put32((uint32_t)envc);
    for (char **e = environ; *e; e++)
        putstr(*e);
    putstr(cwd);

    int s = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof sa) < 0)
        return fail(name, "svmsim server not reachable");

    union { char buf[CMSG_SPACE(sizeof fds)]; struct cmsghdr align; } ctl;
    struct iovec iov = {.iov_base = out, .iov_len = len};
    struct msghdr msg = {.msg_iov = &iov, .msg_iovlen = 1};
    if (nfds) {
        msg.msg_control = ctl.buf;
        msg.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
        struct cmsghdr *c = CMSG_FIRSTHDR(&msg);
        c->cmsg_level = SOL_SOCKET;
        c->cmsg_type = SCM_RIGHTS;
        c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
        memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
    }
    size_t sent = 0;
    while (sent < len) {
        ssize_t n = sent ? send(s, out + sent, len - sent, MSG_NOSIGNAL)
                         : sendmsg(s, &msg, MSG_NOSIGNAL);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            return fail(name, "svmsim server closed the connection");
        sent += (size_t)n;
    }

    unsigned char reply[16];
    for (;;) {
        if (read_full(s, reply, 4) < 0)
            return fail(name, "svmsim server closed the connection");
        if (memcmp(reply, "SVMF", 4) == 0) {
            if (file_request(s) < 0)
                return fail(name, "svmsim server closed the connection");
            continue;
        }
        if (memcmp(reply, "SVMR", 4) != 0 || read_full(s, reply + 4, 12) < 0)
            return fail(name, "svmsim server closed the connection");
        break;
    }
    int32_t status = (int32_t)(reply[4] | reply[5] << 8 | reply[6] << 16 | (uint32_t)reply[7] << 24);
    if (status >= 256) {
        int sig = status - 256;
        sigset_t set;
        sigemptyset(&set);
        sigaddset(&set, sig);
        signal(sig, SIG_DFL);
        sigprocmask(SIG_UNBLOCK, &set, NULL);
        raise(sig);
        return 128 + sig;
    }
    return status & 255;
}
