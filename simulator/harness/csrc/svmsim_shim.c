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
    size_t got = 0;
    while (got < sizeof reply) {
        ssize_t n = read(s, reply + got, sizeof reply - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    if (got != sizeof reply || memcmp(reply, "SVMR", 4) != 0)
        return fail(name, "svmsim server closed the connection");
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
