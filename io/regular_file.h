// tapenet io: reading a file that may be hostile (a model.json or weights file from anywhere)
// without blocking, without following it into a device, and without reading more than asked.
//
//   tn::RegularFile f("out/model.weights.bb2d46e5.bin");   // throws unless a regular file
//   if (f.size() > declared) ...                           // fstat's size, nothing read yet
//   std::string bytes = f.read(declared);                  // at most `declared` bytes
//   bool inside = tn::path_is_inside(f.real_path(), tn::real_directory("out"));
//
// The file is opened with O_NONBLOCK (opening a FIFO does not wait for a writer) and, when asked,
// O_NOFOLLOW; then fstat decides: anything but a regular file (FIFO, socket, character or block
// device such as /dev/zero, directory) is refused before a byte is read. What is checked is the
// opened descriptor, so swapping the path afterwards changes nothing. Every error is a
// std::runtime_error naming the file and the reason.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>

namespace tn {

class RegularFile {
public:
    // Opens `path` for reading; `follow_links` false refuses a path whose last component is a link.
    explicit RegularFile(const std::string& path, bool follow_links = true);
    ~RegularFile();
    RegularFile(RegularFile&& other) noexcept;
    RegularFile(const RegularFile&) = delete;
    RegularFile& operator=(const RegularFile&) = delete;
    RegularFile& operator=(RegularFile&&) = delete;

    const std::string& path() const { return path_; }
    int64_t size() const { return size_; }     // fstat's st_size when opened
    dev_t device() const { return device_; }   // with inode(): which file this is, whatever its name
    ino_t inode() const { return inode_; }
    // The absolute path, links resolved, of the file this descriptor reads (/proc/self/fd).
    std::string real_path() const;
    // The whole file from its start. Throws, reading at most max_bytes + 1 bytes, when it holds
    // more than max_bytes (it grew since size() or was larger than the caller allows).
    std::string read(int64_t max_bytes) const;

private:
    std::string path_;
    int fd_ = -1;
    int64_t size_ = 0;
    dev_t device_ = 0;
    ino_t inode_ = 0;
};

// The whole content of the regular file `path` (links followed), at most max_bytes of it.
std::string read_file(const std::string& path, int64_t max_bytes = INT64_MAX);

// realpath(3) of a directory ("" is "."); throws naming it when it cannot be resolved.
std::string real_directory(const std::string& dir);
// True when the absolute, resolved `path` lies in the resolved `dir` or below it.
bool path_is_inside(const std::string& path, const std::string& dir);

}  // namespace tn
