#include "io/atomic_file.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <stdexcept>

namespace tn {

namespace {

[[noreturn]] void fail(const std::string& what, const std::string& path, int err) {
    throw std::runtime_error(what + " '" + path + "': " + std::strerror(err));
}

std::string directory_of(const std::string& path) {
    const std::string dir = std::filesystem::path(path).parent_path().string();
    return dir.empty() ? "." : dir;
}

// Writes all bytes to fd (write may write less than asked, or be interrupted), then fsyncs.
// Returns 0 or the errno of the failure.
int write_all_and_sync(int fd, std::string_view bytes) {
    const char* p = bytes.data();
    size_t left = bytes.size();
    while (left > 0) {
        const ssize_t n = ::write(fd, p, left);
        if (n < 0) {
            if (errno == EINTR) continue;
            return errno;
        }
        p += n;
        left -= static_cast<size_t>(n);
    }
    return ::fsync(fd) == 0 ? 0 : errno;
}

// Writes into a file just opened as fd at path; on failure closes and removes it, then throws.
void fill_or_remove(int fd, const std::string& path, std::string_view bytes) {
    int err = write_all_and_sync(fd, bytes);
    if (::close(fd) != 0 && err == 0) err = errno;
    if (err != 0) {
        ::unlink(path.c_str());
        fail("cannot write", path, err);
    }
}

}  // namespace

void sync_directory(const std::string& dir) {
    const int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0) fail("cannot open directory", dir, errno);
    const int err = ::fsync(fd) == 0 ? 0 : errno;
    ::close(fd);
    if (err != 0) fail("cannot sync directory", dir, err);
}

bool write_new_file(const std::string& path, std::string_view bytes) {
    const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (fd < 0) {
        if (errno == EEXIST) return false;
        fail("cannot create", path, errno);
    }
    fill_or_remove(fd, path, bytes);
    return true;
}

void write_file_atomically(const std::string& path, std::string_view bytes) {
    std::string temp = path + ".tmp.XXXXXX";
    const int fd = ::mkostemp(temp.data(), O_CLOEXEC);
    if (fd < 0) fail("cannot create", temp, errno);
    if (::fchmod(fd, 0644) != 0) {  // mkstemp creates 0600; a saved file is as readable as any other
        const int err = errno;
        ::close(fd);
        ::unlink(temp.c_str());
        fail("cannot set the mode of", temp, err);
    }
    fill_or_remove(fd, temp, bytes);
    if (::rename(temp.c_str(), path.c_str()) != 0) {
        const int err = errno;
        ::unlink(temp.c_str());
        fail("cannot rename '" + temp + "' to", path, err);
    }
    sync_directory(directory_of(path));
}

// The lock file exists only while it is held, so a save leaves nothing behind. Removing it safely
// takes two rules. The holder unlinks the path before it closes (releases), so only a holder ever
// unlinks. And a waiter that gets the lock checks that the path still names the file it locked:
// if a holder unlinked it meanwhile (the waiter locked an orphan) or it was since created anew, the
// waiter starts again on the current file. Without the check, a waiter on the orphan and a newcomer
// on the new file would both hold "the" lock. The check cannot be fooled by inode reuse: the
// waiter's open descriptor keeps its inode alive. A holder that dies leaves the file; the next
// holder removes it.
FileLock::FileLock(const std::string& path) : path_(path) {
    for (;;) {
        fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0644);
        if (fd_ < 0) fail("cannot open the lock file", path, errno);
        int err = 0;
        while (::flock(fd_, LOCK_EX) != 0)
            if (errno != EINTR) {
                err = errno;
                break;
            }
        struct stat locked {}, named {};
        if (err == 0 && ::fstat(fd_, &locked) != 0) err = errno;
        if (err == 0 && !S_ISREG(locked.st_mode)) err = EINVAL;  // a FIFO or a device planted there
        if (err != 0) {
            ::close(fd_);
            fail("cannot lock", path, err);
        }
        if (::lstat(path.c_str(), &named) == 0 && named.st_dev == locked.st_dev && named.st_ino == locked.st_ino)
            return;  // the path still names the file we locked
        ::close(fd_);
    }
}

FileLock::~FileLock() {
    ::unlink(path_.c_str());  // while still held (see above); a failure only leaves an empty file
    ::close(fd_);             // closing the last descriptor releases the lock
}

}  // namespace tn
