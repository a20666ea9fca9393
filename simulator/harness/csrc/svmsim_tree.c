/*
 * libsvmsim_tree: the lstat records of a directory tree, for the harness's tree cache.
 *
 * simulator/harness/mounts.py keeps the trees of mounted file systems between runs and
 * puts one back only when nothing in it changed: it reads every entry's lstat fields
 * before the driver can see the tree and again when the run has ended (signature()). In
 * Python that read costs ~5 us an entry, two thirds of it the interpreter; the seed's
 * 2,000 files made it the largest part of a run's end. This function makes the same
 * records, byte for byte, and mounts.py hashes them; without a C compiler mounts.py
 * makes them itself (tests/harness/test_tree_cache.py compares the two).
 *
 * The records, for each directory from the top, its entries in byte order of their names:
 *     PATH "\0" ino mode uid gid size blocks nlink atime_ns mtime_ns ctime_ns
 * (PATH is "/name" below the top, "/dir/name" deeper; the ten numbers 8 bytes each, little
 * endian: mounts.py's _STAT), then "\1"; then the same for each subdirectory, in the same
 * order. Directories are opened O_NOFOLLOW | O_NOATIME (reading one would set its atime,
 * which the records hold); no link is followed.
 *
 * Returns 0 and a malloc'd buffer (free it with svmsim_tree_free), or an errno.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

struct buf {
    unsigned char *p;
    size_t len, cap;
};

static int put(struct buf *b, const void *data, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 1 << 16;
        while (cap < b->len + n)
            cap *= 2;
        unsigned char *p = realloc(b->p, cap);
        if (p == NULL)
            return ENOMEM;
        b->p = p;
        b->cap = cap;
    }
    memcpy(b->p + b->len, data, n);
    b->len += n;
    return 0;
}

static int put64(struct buf *b, int64_t v)
{
    unsigned char le[8];
    for (int i = 0; i < 8; i++)
        le[i] = (unsigned char)((uint64_t)v >> (8 * i));
    return put(b, le, 8);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static int walk(int fd, const char *rel, struct buf *b, int64_t *newest)
{
    int dfd = dup(fd);
    if (dfd < 0)
        return errno;
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        int err = errno;
        close(dfd);
        return err;
    }
    rewinddir(d);
    char **names = NULL;
    unsigned char *isdir = NULL;
    size_t n = 0, cap = 0;
    int err = 0;
    struct dirent *e;
    errno = 0;
    while ((e = readdir(d)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (n == cap) {
            cap = cap ? cap * 2 : 64;
            char **more = realloc(names, cap * sizeof *names);
            if (more == NULL) {
                err = ENOMEM;
                break;
            }
            names = more;
        }
        if ((names[n] = strdup(e->d_name)) == NULL) {
            err = ENOMEM;
            break;
        }
        n++;
    }
    if (!err && errno)
        err = errno;
    closedir(d);
    if (!err && n)
        qsort(names, n, sizeof *names, by_name);
    if (!err && n && (isdir = calloc(n, 1)) == NULL)
        err = ENOMEM;
    size_t rlen = strlen(rel);
    for (size_t i = 0; !err && i < n; i++) {
        struct stat st;
        if (fstatat(fd, names[i], &st, AT_SYMLINK_NOFOLLOW) != 0) {
            err = errno;
            break;
        }
        isdir[i] = S_ISDIR(st.st_mode) != 0;
        int64_t at = (int64_t)st.st_atim.tv_sec * 1000000000 + st.st_atim.tv_nsec;
        int64_t mt = (int64_t)st.st_mtim.tv_sec * 1000000000 + st.st_mtim.tv_nsec;
        int64_t ct = (int64_t)st.st_ctim.tv_sec * 1000000000 + st.st_ctim.tv_nsec;
        if (ct > *newest)
            *newest = ct;
        err = put(b, rel, rlen);
        err = err ? err : put(b, "/", 1);
        err = err ? err : put(b, names[i], strlen(names[i]) + 1);
        int64_t f[10] = {(int64_t)st.st_ino, (int64_t)st.st_mode, (int64_t)st.st_uid,
                         (int64_t)st.st_gid, (int64_t)st.st_size, (int64_t)st.st_blocks,
                         (int64_t)st.st_nlink, at, mt, ct};
        for (int k = 0; !err && k < 10; k++)
            err = put64(b, f[k]);
    }
    if (!err)
        err = put(b, "\1", 1);
    for (size_t i = 0; !err && i < n; i++) {
        if (!isdir[i])
            continue;
        int sub = openat(fd, names[i],
                         O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NOATIME);
        if (sub < 0) {
            err = errno;
            break;
        }
        size_t plen = rlen + 1 + strlen(names[i]) + 1;
        char *path = malloc(plen);
        if (path == NULL) {
            close(sub);
            err = ENOMEM;
            break;
        }
        memcpy(path, rel, rlen);
        path[rlen] = '/';
        strcpy(path + rlen + 1, names[i]);
        err = walk(sub, path, b, newest);
        free(path);
        close(sub);
    }
    for (size_t i = 0; i < n; i++)
        free(names[i]);
    free(names);
    free(isdir);
    return err;
}

int svmsim_tree_records(int fd, unsigned char **out, size_t *len, int64_t *newest)
{
    struct buf b = {NULL, 0, 0};
    *newest = 0;
    int err = walk(fd, "", &b, newest);
    if (err) {
        free(b.p);
        return err;
    }
    *out = b.p;
    *len = b.len;
    return 0;
}

void svmsim_tree_free(unsigned char *p)
{
    free(p);
}
