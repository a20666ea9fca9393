/*
 * svmsim-setup: a sandbox's mounts and its pivot_root, in one process.
 *
 * The sandbox's setup script (simulator/harness/sandbox.py, Sandbox._write_setup_script)
 * runs inside fresh user, mount and PID namespaces. It used to call mount(8) once per
 * mount: some 35 execs of 2-4 ms each, the largest fixed cost of a run. This program makes
 * the same mount(2) calls from a plan the harness writes, and the script calls it once.
 * It is hand-written C for the same reason as the shim: it runs before any Python could,
 * in every run, and an exec of a static binary costs a fraction of a millisecond.
 *
 * The plan (argv[1]) is a sequence of records of six NUL-terminated fields:
 *
 *     op, source, target, fstype, data, on_failure
 *
 * op:   "bind"  mount --bind SOURCE TARGET         (MS_BIND)
 *       "rbind" mount --rbind SOURCE TARGET        (MS_BIND | MS_REC)
 *       "mount" mount -t FSTYPE -o DATA SOURCE TARGET
 *       "ro"    mount -o remount,bind,ro TARGET, keeping the flags the kernel locks on a
 *               mount made in another user namespace (nosuid, nodev, noexec, atime
 *               flags: statvfs), which a remount may not clear
 *       "pivot" cd TARGET && pivot_root . . && umount -l .
 * on_failure: ""  ignore the failure;
 *             "|" the next record is the alternative: run it only if this one failed;
 *             else the message of `svmsim: sandbox setup failed: MESSAGE` (stderr, exit
 *             125), what the script's fail() prints.
 *
 * Exit status: 0 when every step that had to succeed did; 125 otherwise (or on a plan it
 * cannot read).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#define FIELDS 6

static int fail(const char *what)
{
    fprintf(stderr, "svmsim: sandbox setup failed: %s\n", what);
    return 125;
}

static char *read_plan(const char *path, size_t *len)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return NULL;
    size_t cap = 1 << 16, n = 0;
    char *buf = malloc(cap);
    for (;;) {
        if (buf == NULL)
            break;
        if (n == cap) {
            char *more = realloc(buf, cap * 2);
            if (more == NULL) {
                free(buf);
                buf = NULL;
                break;
            }
            buf = more;
            cap *= 2;
        }
        ssize_t got = read(fd, buf + n, cap - n);
        if (got < 0 && errno == EINTR)
            continue;
        if (got < 0) {
            free(buf);
            buf = NULL;
            break;
        }
        if (got == 0)
            break;
        n += (size_t)got;
    }
    close(fd);
    *len = n;
    return buf;
}

static unsigned long locked_flags(const char *target)
{
    struct statvfs sv;
    unsigned long flags = 0;
    if (statvfs(target, &sv) != 0)
        return 0;
    if (sv.f_flag & ST_NOSUID)
        flags |= MS_NOSUID;
    if (sv.f_flag & ST_NODEV)
        flags |= MS_NODEV;
    if (sv.f_flag & ST_NOEXEC)
        flags |= MS_NOEXEC;
    if (sv.f_flag & ST_NOATIME)
        flags |= MS_NOATIME;
    if (sv.f_flag & ST_NODIRATIME)
        flags |= MS_NODIRATIME;
    if (sv.f_flag & ST_RELATIME)
        flags |= MS_RELATIME;
    return flags;
}

static int step(const char *op, const char *src, const char *target, const char *fstype,
                const char *data)
{
    if (strcmp(op, "bind") == 0)
        return mount(src, target, NULL, MS_BIND, NULL);
    if (strcmp(op, "rbind") == 0)
        return mount(src, target, NULL, MS_BIND | MS_REC, NULL);
    if (strcmp(op, "mount") == 0)
        return mount(src, target, fstype, 0, *data ? data : NULL);
    if (strcmp(op, "ro") == 0)
        return mount(NULL, target, NULL,
                     MS_REMOUNT | MS_BIND | MS_RDONLY | locked_flags(target), NULL);
    if (strcmp(op, "pivot") == 0) {
        if (chdir(target) != 0)
            return -1;
        if (syscall(SYS_pivot_root, ".", ".") != 0)
            return -1;
        return umount2(".", MNT_DETACH);
    }
    errno = EINVAL;
    return -1;
}

int main(int argc, char **argv)
{
    if (argc != 2)
        return fail("usage: svmsim-setup PLAN");
    size_t len = 0;
    char *plan = read_plan(argv[1], &len);
    if (plan == NULL)
        return fail("cannot read the plan");
    size_t pos = 0;
    int skip = 0;
    while (pos < len) {
        const char *f[FIELDS];
        for (int i = 0; i < FIELDS; i++) {
            const char *end = memchr(plan + pos, '\0', len - pos);
            if (pos >= len || end == NULL)
                return fail("the plan is cut short");
            f[i] = plan + pos;
            pos = (size_t)(end - plan) + 1;
        }
        if (skip) {             /* the alternative of a step that succeeded */
            skip = 0;
            continue;
        }
        int ok = step(f[0], f[1], f[2], f[3], f[4]) == 0;
        const char *on_failure = f[5];
        if (strcmp(on_failure, "|") == 0) {
            skip = ok;
            continue;
        }
        if (!ok && *on_failure)
            return fail(on_failure);
    }
    return 0;
}
