#include "io/regular_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdlib>
#include <cstring>
#include <stdexcept>
#include <utility>

namespace tn {

namespace {

[[noreturn]] void fail_reading(const std::string& what, const std::string& path, int err) {
    throw std::runtime_error(what + " '" + path + "': " + std::strerror(err));
}

const char* kind_of(mode_t mode) {
    if (S_ISDIR(mode)) return "a directory";
    if (S_ISFIFO(mode)) return "a FIFO";
    if (S_ISCHR(mode)) return "a character device";
    if (S_ISBLK(mode)) return "a block device";
    if (S_ISSOCK(mode)) return "a socket";
    return "a special file";
}

}  // namespace

RegularFile::RegularFile(const std::string& path, bool follow_links) : path_(path) {
    const int flags = O_RDONLY | O_NONBLOCK | O_CLOEXEC | (follow_links ? 0 : O_NOFOLLOW);
    fd_ = ::open(path.c_str(), flags);
    if (fd_ < 0) {
        const int err = errno;
        if (err == ELOOP && !follow_links)
            throw std::runtime_error("cannot open '" + path + "': it is a symbolic link, which tapenet does not follow here");
        fail_reading("cannot open", path, err);
    }
    struct stat st {};
    if (::fstat(fd_, &st) != 0) {
        const int err = errno;
        ::close(fd_);
        fail_reading("cannot read", path, err);
    }
    if (!S_ISREG(st.st_mode)) {
        ::close(fd_);
        throw std::runtime_error("'" + path + "' is not a regular file but " + kind_of(st.st_mode) +
                                 "; tapenet reads models from regular files only");
    }
    size_ = static_cast<int64_t>(st.st_size);
    device_ = st.st_dev;
    inode_ = st.st_ino;
}

RegularFile::~RegularFile() {
    if (fd_ >= 0) ::close(fd_);
}

RegularFile::RegularFile(RegularFile&& other) noexcept
    : path_(std::move(other.path_)), fd_(other.fd_), size_(other.size_), device_(other.device_), inode_(other.inode_) {
    other.fd_ = -1;
}

std::string RegularFile::real_path() const {
    char buf[PATH_MAX];
    const std::string proc = "/proc/self/fd/" + std::to_string(fd_);
    const ssize_t n = ::readlink(proc.c_str(), buf, sizeof buf - 1);
    if (n > 0) return std::string(buf, static_cast<size_t>(n));
    char* resolved = ::realpath(path_.c_str(), nullptr);  // no /proc: resolve the name instead
    if (!resolved) fail_reading("cannot resolve", path_, errno);
    std::string out(resolved);
    std::free(resolved);
    return out;
}

std::string RegularFile::read(int64_t max_bytes) const {
    std::string bytes;
    if (size_ <= max_bytes) bytes.reserve(static_cast<size_t>(size_));
    char buf[1 << 16];
    for (off_t offset = 0;;) {
        const int64_t left = max_bytes - static_cast<int64_t>(bytes.size());  // one byte more shows "too long"
        const size_t want = left >= static_cast<int64_t>(sizeof buf) ? sizeof buf : static_cast<size_t>(left) + 1;
        const ssize_t n = ::pread(fd_, buf, want, offset);
        if (n < 0) {
            if (errno == EINTR) continue;
            fail_reading("cannot read", path_, errno);
        }
        if (n == 0) break;
        bytes.append(buf, static_cast<size_t>(n));
        offset += n;
        if (static_cast<int64_t>(bytes.size()) > max_bytes)
            throw std::runtime_error("cannot read '" + path_ + "': it holds more than the " + std::to_string(max_bytes) +
                                     " bytes expected");
    }
    return bytes;
}

std::string read_file(const std::string& path, int64_t max_bytes) { return RegularFile(path).read(max_bytes); }

std::string real_directory(const std::string& dir) {
    const std::string d = dir.empty() ? "." : dir;
    char* resolved = ::realpath(d.c_str(), nullptr);
    if (!resolved) fail_reading("cannot resolve directory", d, errno);
    std::string out(resolved);
    std::free(resolved);
    return out;
}

bool path_is_inside(const std::string& path, const std::string& dir) {
    if (dir == "/") return path.starts_with("/");
    return path.size() > dir.size() && path.starts_with(dir) && path[dir.size()] == '/';
}

}  // namespace tn
