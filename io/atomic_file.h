// tapenet io: writing files so that a crash or a full disk never leaves a half-written file in
// place of a good one, and so that concurrent saves of one file take turns.
//
//   tn::write_file_atomically("out/model.json", text);   // readers see the old file or the new one
//   if (!tn::write_new_file("out/w.1.bin", bytes)) ...   // false: that name exists; nothing written
//   tn::FileLock lock("out/model.save.lock");            // other holders, threads or processes, wait;
//                                                        // the file goes when the lock does
//
// write_file_atomically writes a temporary file beside the target, "<path>.tmp.XXXXXX" (mkstemp:
// a fresh name for every call, so two threads or processes never share one), fsyncs it, renames it
// over the target (rename is atomic within one file system, so that is the commit point) and
// fsyncs the directory so the rename itself survives a power loss. write_new_file creates a file
// that must not exist yet (O_EXCL) and fsyncs it. On any error both remove what they wrote and
// throw a std::runtime_error naming the file and the system's reason ("No space left on device", ...).
#pragma once

#include <string>
#include <string_view>

#include "io/regular_file.h"  // tn::read_file

namespace tn {

void write_file_atomically(const std::string& path, std::string_view bytes);

// Returns false, writing nothing, when `path` already exists.
bool write_new_file(const std::string& path, std::string_view bytes);

// fsync of a directory: makes the creations, renames and deletions in it durable.
void sync_directory(const std::string& dir);

// An exclusive flock(2) on the file `path`, held until destruction: the file is created empty when
// the lock is taken and removed when it is released (a holder that dies leaves it; the next holder
// removes it). flock locks belong to the open file, so two FileLocks on one path wait for each
// other across threads of one process as across processes; the kernel drops the lock when its
// holder dies. Throws a std::runtime_error naming the file when it cannot be opened.
class FileLock {
public:
    explicit FileLock(const std::string& path);
    ~FileLock();
    FileLock(const FileLock&) = delete;
    FileLock& operator=(const FileLock&) = delete;

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace tn
