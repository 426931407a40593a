// tapenet io: writing files so that a crash or a full disk never leaves a half-written file in
// place of a good one.
//
//   tn::write_file_atomically("out/model.json", text);   // readers see the old file or the new one
//   if (!tn::write_new_file("out/w.1.bin", bytes)) ...   // false: that name exists; nothing written
//
// write_file_atomically writes a temporary file beside the target, fsyncs it, renames it over the
// target (rename is atomic within one file system, so that is the commit point) and fsyncs the
// directory so the rename itself survives a power loss. write_new_file creates a file that must
// not exist yet (O_EXCL) and fsyncs it. On any error both remove what they wrote and throw a
// std::runtime_error naming the file and the system's reason ("No space left on device", ...).
#pragma once

#include <string>
#include <string_view>

namespace tn {

void write_file_atomically(const std::string& path, std::string_view bytes);

// Returns false, writing nothing, when `path` already exists.
bool write_new_file(const std::string& path, std::string_view bytes);

// fsync of a directory: makes the creations, renames and deletions in it durable.
void sync_directory(const std::string& dir);

// The whole content of a file. Throws a std::runtime_error naming the file when it cannot be read.
std::string read_file(const std::string& path);

}  // namespace tn
