#include "io/model_files.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cctype>
#include <cmath>
#include <cstddef>
#include <cstdio>
#include <filesystem>
#include <limits>
#include <new>
#include <optional>
#include <set>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/crc32.h"
#include "io/json_text.h"
#include "io/regular_file.h"

namespace tn {

namespace {

using ordered_json = nlohmann::ordered_json;

// No single tensor or weights file may claim more values than this (2^36 floats = 256 GiB): keeps
// every size computation far from int64 overflow whatever the manifest says.
constexpr int64_t kMaxValues = int64_t{1} << 36;

std::string join_path(const std::string& dir, const std::string& name) { return dir.empty() ? name : dir + "/" + name; }
std::string parent_dir(const std::string& path) { return std::filesystem::path(path).parent_path().string(); }

std::string u32_le(uint32_t v) {
    return {static_cast<char>(v & 0xFF), static_cast<char>((v >> 8) & 0xFF), static_cast<char>((v >> 16) & 0xFF),
            static_cast<char>((v >> 24) & 0xFF)};
}
uint32_t read_u32_le(const std::string& bytes, size_t offset) {
    const auto b = [&](size_t k) { return static_cast<uint32_t>(static_cast<unsigned char>(bytes[offset + k])); };
    return b(0) | (b(1) << 8) | (b(2) << 16) | (b(3) << 24);
}


// "'a.bin': weights file too short: holds 8 bytes, but model.json (weightsManifest[0]) lists 12 bytes for 2 weights"
std::string too_long_or_short(const std::string& files, int64_t held, int64_t listed, const std::string& model,
                              const std::string& where, size_t weights) {
    return files + ": weights file too " + (held < listed ? "short" : "long") + ": holds " + std::to_string(held) +
           " bytes, but " + model + " (" + where + ") lists " + std::to_string(listed) + " bytes for " +
           std::to_string(weights) + " weights";
}

// A manifest path must stay inside the model's directory: relative, with no ".." component.
bool safe_relative_path(const std::string& p) {
    if (p.empty() || p.front() == '/' || p.find('\0') != std::string::npos) return false;
    for (const auto& part : std::filesystem::path(p))
        if (part == "..") return false;
    return true;
}

int64_t checked_numel(const Shape& shape, const std::string& file, const std::string& what) {
    int64_t n = 1;
    for (int64_t d : shape) {
        if (d < 0) format_error(file, what + " has a negative dimension " + std::to_string(d));
        if (d != 0 && n > kMaxValues / d) format_error(file, what + " has a shape too large to be real: " + shape_str(shape));
        n *= d;
    }
    return n;
}

// One manifest entry {name, shape, dtype[, group]}, checked.
WeightEntry parse_entry(const ordered_json& e, const std::string& file, const std::string& where) {
    if (!e.is_object()) format_error(file, where + " must be an object {name, shape, dtype}, got " + e.dump());
    for (const char* key : {"name", "shape", "dtype"})
        if (!e.contains(key)) format_error(file, where + " is missing the key '" + key + "'");
    WeightEntry w;
    if (!e.at("name").is_string()) format_error(file, where + ".name must be a string");
    w.name = e.at("name").get<std::string>();
    const std::string what = where + " ('" + w.name + "')";
    const ordered_json& shape = e.at("shape");
    if (!shape.is_array()) format_error(file, what + ": shape must be an array of sizes, got " + shape.dump());
    for (const ordered_json& d : shape) {
        if (!d.is_number_integer()) format_error(file, what + ": shape must hold integers, got " + shape.dump());
        w.shape.push_back(d.get<int64_t>());
    }
    if (!e.at("dtype").is_string()) format_error(file, what + ": dtype must be a string");
    w.dtype = e.at("dtype").get<std::string>();
    if (w.dtype != "float32" && w.dtype != "int32")
        format_error(file, what + ": dtype '" + w.dtype + "' is not supported (float32, or int32 for 'iter')");
    if (e.contains("quantization") && !e.at("quantization").is_null())
        format_error(file, what + " is quantized; tapenet reads only unquantized float32 weights");
    if (e.contains("group") && !e.at("group").is_null()) {
        if (!e.at("group").is_string()) format_error(file, what + ": group must be a string");
        w.group = e.at("group").get<std::string>();
    }
    checked_numel(w.shape, file, what);
    return w;
}

// Checks userDefinedMetadata.tapenet against what the weights files hold.
void verify_tapenet_block(ModelFiles& f) {
    const ordered_json& j = *f.model_json;
    const auto meta = j.find("userDefinedMetadata");
    if (meta == j.end() || !meta->is_object() || !meta->contains("tapenet")) return;
    const ordered_json& t = meta->at("tapenet");
    const std::string where = "userDefinedMetadata.tapenet";
    if (!t.is_object()) format_error(f.path, where + " must be an object, got " + t.dump());
    for (const char* key : {"format_version", "weights_bytes", "weights_crc32"})
        if (!t.contains(key)) format_error(f.path, where + " is missing the key '" + key + "'");
    const ordered_json& version = t.at("format_version");
    if (!version.is_number_integer()) format_error(f.path, where + ".format_version must be an integer, got " + version.dump());
    if (version.get<int64_t>() != kFormatVersion)
        format_error(f.path, "format_version " + version.dump() + " is not supported by tapenet " + kTapenetVersion +
                                 ", which reads version " + std::to_string(kFormatVersion));
    const ordered_json& bytes = t.at("weights_bytes");
    if (!bytes.is_number_integer()) format_error(f.path, where + ".weights_bytes must be an integer, got " + bytes.dump());
    if (bytes.get<int64_t>() != f.weights_bytes)
        format_error(f.path, "records weights_bytes " + bytes.dump() + " but the weights files hold " +
                                 std::to_string(f.weights_bytes) + " bytes");
    const ordered_json& crc = t.at("weights_crc32");
    if (!crc.is_string()) format_error(f.path, where + ".weights_crc32 must be 8 hex digits, got " + crc.dump());
    std::string stored = crc.get<std::string>();
    for (char& c : stored) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    if (stored != crc32_hex(f.weights_crc32)) {
        std::string files;
        for (const auto& w : f.weight_files) files += (files.empty() ? "'" : ", '") + w + "'";
        format_error(f.path, "CRC-32 mismatch: model.json records " + crc.get<std::string>() + " but the weights (" +
                                 files + ") have " + crc32_hex(f.weights_crc32) +
                                 ": the weights file is corrupt or belongs to another save");
    }
    f.format_version = kFormatVersion;
    f.tapenet = &t;
    if (t.contains("epoch")) {
        const ordered_json& epoch = t.at("epoch");
        if (!epoch.is_number_integer() || epoch.get<int64_t>() < 0 || epoch.get<int64_t>() > 1'000'000'000)
            format_error(f.path, where + ".epoch must be a non-negative integer, got " + epoch.dump());
        f.epoch = epoch.get<int64_t>();
    }
}

}  // namespace

// ---- entries ----

WeightEntry float_entry(const std::string& name, const Tensor& t, const std::string& group) {
    WeightEntry e{name, t.shape(), "float32", group, {}};
    e.bytes.reserve(static_cast<size_t>(t.numel()) * 4);
    for (int64_t i = 0; i < t.numel(); ++i) {
        if (!std::isfinite(t[i]))
            value_error("save", "weight '" + name + "' holds " + std::to_string(t[i]) + " at index " + std::to_string(i) +
                                    "; refusing to save non-finite weights");
        e.bytes += u32_le(std::bit_cast<uint32_t>(t[i]));
    }
    return e;
}

WeightEntry int32_entry(const std::string& name, int32_t value, const std::string& group) {
    return {name, {}, "int32", group, u32_le(static_cast<uint32_t>(value))};
}

Tensor entry_tensor(const WeightEntry& entry, const std::string& file) {
    if (entry.dtype != "float32")
        format_error(file, "weight '" + entry.name + "' has dtype " + entry.dtype + ", expected float32");
    const int64_t n = shape_numel(entry.shape);
    if (static_cast<int64_t>(entry.bytes.size()) != 4 * n)
        format_error(file, "weight '" + entry.name + "' holds " + std::to_string(entry.bytes.size()) + " bytes for shape " +
                               shape_str(entry.shape));
    Tensor t(entry.shape);
    for (int64_t i = 0; i < n; ++i) {
        const float v = std::bit_cast<float>(read_u32_le(entry.bytes, static_cast<size_t>(4 * i)));
        if (!std::isfinite(v))
            format_error(file, "weight '" + entry.name + "' holds " + std::to_string(v) + " at index " + std::to_string(i) +
                                   "; tapenet refuses non-finite weights");
        t[i] = v;
    }
    return t;
}

int64_t entry_integer(const WeightEntry& entry, const std::string& file) {
    if (!entry.shape.empty() || entry.bytes.size() != 4)
        format_error(file, "'" + entry.name + "' must be a scalar (shape []), got shape " + shape_str(entry.shape));
    const uint32_t raw = read_u32_le(entry.bytes, 0);
    if (entry.dtype == "int32") return static_cast<int32_t>(raw);
    const float v = std::bit_cast<float>(raw);  // TF.js also accepts a float32 iteration count
    if (!std::isfinite(v) || std::floor(v) != v || std::abs(v) > 1e9f)
        format_error(file, "'" + entry.name + "' must hold an integer, got " + std::to_string(v));
    return static_cast<int64_t>(v);
}

// ---- writing ----

namespace {

bool lower_hex(const std::string& s) {
    return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}
bool decimal(const std::string& s) {
    return !s.empty() && s.size() <= 9 && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "<stem>.weights.<8 hex digits>.bin" or "<stem>.weights.<8 hex digits>.<k>.bin": the names
// write_model_files gives weights files, and the only weights files a save ever deletes.
bool is_weights_name(const std::string& name, const std::string& stem) {
    const std::string head = stem + ".weights.";
    if (!name.starts_with(head) || !name.ends_with(".bin")) return false;
    const std::string middle = name.substr(head.size(), name.size() - head.size() - 4);
    const size_t dot = middle.find('.');
    const std::string crc = middle.substr(0, dot);
    return crc.size() == 8 && lower_hex(crc) && (dot == std::string::npos || decimal(middle.substr(dot + 1)));
}

// "<file>.tmp.<suffix>": write_file_atomically's temp files for `file` (mkstemp's 6 characters, or
// the process id earlier versions used).
bool is_temp_name(const std::string& name, const std::string& file) {
    const std::string head = file + ".tmp.";
    if (!name.starts_with(head) || name.size() == head.size() || name.size() > head.size() + 10) return false;
    return std::all_of(name.begin() + static_cast<std::ptrdiff_t>(head.size()), name.end(),
                       [](char c) { return std::isalnum(static_cast<unsigned char>(c)) != 0; });
}

// The names of the regular files (not links) of the directory open as dir_fd.
std::vector<std::string> regular_files_in(int dir_fd) {
    std::vector<std::string> names;
    const int fd = ::openat(dir_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    DIR* d = fd >= 0 ? ::fdopendir(fd) : nullptr;
    if (!d) {
        if (fd >= 0) ::close(fd);
        return names;
    }
    while (const dirent* e = ::readdir(d)) {
        struct stat st {};
        if (::fstatat(dir_fd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode)) names.push_back(e->d_name);
    }
    ::closedir(d);
    return names;
}

// Every weights path the *.json files of the directory name (a file that is no model.json names
// none); nullopt when one cannot be read, in which case no weights file is known to be unused.
std::optional<std::set<std::string>> names_in_use(const std::string& dir, const std::vector<std::string>& files) {
    std::set<std::string> used;
    for (const std::string& name : files) {
        if (!name.ends_with(".json")) continue;
        try {
            RegularFile f(join_path(dir, name), /*follow_links=*/false);
            if (f.size() > kMaxJsonBytes) return std::nullopt;
            const ordered_json j = parse_json_text(f.read(kMaxJsonBytes), name);
            if (!j.is_object() || !j.contains("weightsManifest") || !j.at("weightsManifest").is_array()) continue;
            for (const ordered_json& group : j.at("weightsManifest"))
                if (group.is_object() && group.contains("paths") && group.at("paths").is_array())
                    for (const ordered_json& p : group.at("paths"))
                        if (p.is_string()) used.insert(std::filesystem::path(p.get<std::string>()).lexically_normal().string());
        } catch (const FormatError&) {
            continue;  // malformed JSON names nothing a loader would read
        } catch (const std::exception&) {
            return std::nullopt;
        }
    }
    return used;
}

// After a committed save of `path` (its saves' lock held): removes its pattern's leftovers, the
// temp files of write_file_atomically and the regular weights files named "<stem>.weights.<crc>
// [.<k>].bin" that no *.json file of the directory names (the previous save's weights and the
// orphans of interrupted saves). Never follows a link, never leaves the directory, never throws.
void remove_leftovers(const std::string& path) {
    const std::string dir = parent_dir(path);
    const std::string file = std::filesystem::path(path).filename().string();
    const std::string stem = std::filesystem::path(path).stem().string();
    const int dir_fd = ::open(dir.empty() ? "." : dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dir_fd < 0) return;
    const std::vector<std::string> files = regular_files_in(dir_fd);
    const auto used = names_in_use(dir, files);
    bool removed = false;
    for (const std::string& name : files) {
        const bool unused_weights = used && is_weights_name(name, stem) && !used->contains(name);
        if (unused_weights || is_temp_name(name, file)) removed |= ::unlinkat(dir_fd, name.c_str(), 0) == 0;
    }
    if (removed) ::fsync(dir_fd);
    ::close(dir_fd);
}

}  // namespace

std::string write_model_files(const std::string& path, ordered_json model_json, const std::vector<WeightEntry>& weights,
                              const ordered_json& tapenet_extra) {
    std::string bytes;
    ordered_json manifest = ordered_json::array();
    for (const WeightEntry& w : weights) {
        if (static_cast<int64_t>(w.bytes.size()) != 4 * shape_numel(w.shape))
            value_error("save", "weight '" + w.name + "' has " + std::to_string(w.bytes.size()) + " bytes for shape " +
                                    shape_str(w.shape));
        ordered_json e = {{"name", w.name}, {"shape", w.shape}, {"dtype", w.dtype}};
        if (!w.group.empty()) e["group"] = w.group;
        manifest.push_back(e);
        bytes += w.bytes;
    }
    const uint32_t crc = crc32(bytes.data(), bytes.size());

    // Saves of one stem take turns (threads and processes alike): each sees the last one's pair.
    const std::string dir = parent_dir(path);
    const std::string stem = std::filesystem::path(path).stem().string();
    const FileLock lock(join_path(dir, stem + ".save.lock"));

    // 1. The weights, under a name no file has yet.
    const std::string base = stem + ".weights." + crc32_hex(crc);
    std::string name;
    for (int k = 0; name.empty(); ++k) {
        const std::string candidate = base + (k == 0 ? "" : "." + std::to_string(k)) + ".bin";
        if (write_new_file(join_path(dir, candidate), bytes)) name = candidate;
        if (k > 10000) throw std::runtime_error("save: no free name for the weights file beside '" + path + "'");
    }

    // 2. model.json, atomically: the commit point.
    model_json["weightsManifest"] = ordered_json::array({{{"paths", ordered_json::array({name})}, {"weights", manifest}}});
    ordered_json block = {{"format_version", kFormatVersion},
                          {"weights_crc32", crc32_hex(crc)},
                          {"weights_bytes", static_cast<int64_t>(bytes.size())}};
    if (tapenet_extra.is_object())  // null (`{}`) adds nothing
        for (const auto& [key, value] : tapenet_extra.items()) block[key] = value;
    model_json["userDefinedMetadata"]["tapenet"] = std::move(block);
    try {
        write_file_atomically(path, model_json.dump(1) + "\n");
    } catch (...) {
        ::unlink(join_path(dir, name).c_str());
        throw;
    }

    // 3. Only now are the old weights file and any leftover of an interrupted save unused.
    remove_leftovers(path);
    return name;
}

// ---- reading ----

namespace {

// How often read_model_files starts again when a save replaced model.json while it read.
constexpr int kReadAttempts = 20;

// model.json, opened and read (at most kMaxJsonBytes); every error a FormatError naming it.
std::string read_model_json(const RegularFile& file) {
    if (file.size() > kMaxJsonBytes)
        format_error(file.path(), "holds " + std::to_string(file.size()) + " bytes, more than the " +
                                      std::to_string(kMaxJsonBytes >> 20) + " MiB a model.json may hold (kMaxJsonBytes)");
    try {
        return file.read(kMaxJsonBytes);
    } catch (const std::runtime_error& e) {
        throw FormatError(e.what());
    }
}

// n bytes as "12345 bytes (11.8 GiB)" for messages about sizes.
std::string bytes_str(int64_t n) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%lld bytes (%.1f GiB)", static_cast<long long>(n), static_cast<double>(n) / (1 << 30));
    return buf;
}

// The bytes this process may hold at most: the machine's memory, or less under setrlimit.
int64_t memory_limit() {
    int64_t limit = static_cast<int64_t>(::sysconf(_SC_PHYS_PAGES)) * ::sysconf(_SC_PAGESIZE);
    for (int resource : {RLIMIT_AS, RLIMIT_DATA}) {
        rlimit r{};
        if (::getrlimit(resource, &r) == 0 && r.rlim_cur != RLIM_INFINITY)
            limit = std::min(limit, static_cast<int64_t>(r.rlim_cur));
    }
    return limit;
}

// Refuses weights of `total` bytes that this process could not hold: a load keeps about twice
// their size while the tensors are filled from the bytes.
void check_memory(int64_t total, const std::string& model, const std::string& where) {
    const int64_t limit = memory_limit();
    if (limit > 0 && total > limit / 2)
        format_error(model, where + " brings the weights to " + bytes_str(total) + "; loading them needs twice that, " +
                                "more than the " + bytes_str(limit) + " this process may use");
}

// The weights files of one manifest group, opened (regular files only, inside the model's
// directory, none twice), before any is read.
std::vector<RegularFile> open_group_files(const ordered_json& paths, const std::string& model, const std::string& dir,
                                          const std::string& real_dir, const std::string& where) {
    std::vector<RegularFile> files;
    for (const ordered_json& p : paths) {
        if (!p.is_string()) format_error(model, where + ".paths must hold file names, got " + p.dump());
        const std::string rel = p.get<std::string>();
        if (!safe_relative_path(rel))
            format_error(model, where + ": path '" + rel + "' must be relative and stay in the model's directory");
        try {
            files.emplace_back(join_path(dir, rel));
        } catch (const std::runtime_error& e) {
            format_error(model, std::string("weights file: ") + e.what());
        }
        const std::string real = files.back().real_path();
        if (!path_is_inside(real, real_dir))
            format_error(model, where + ": path '" + rel + "' leads to '" + real +
                                    "' through a symbolic link, outside the model's directory '" + real_dir + "'");
        for (size_t k = 0; k + 1 < files.size(); ++k)
            if (files[k].device() == files.back().device() && files[k].inode() == files.back().inode())
                format_error(model, where + ": paths lists the file '" + rel + "' twice");
    }
    return files;
}

// A manifest group's weights files, checked against the `listed` bytes before a byte is read
// (and before anything is allocated for them), then read, at most `listed` bytes in all.
std::string read_group(const std::vector<RegularFile>& files, int64_t listed, const std::string& model,
                       const std::string& where, size_t weights) {
    std::string names;
    int64_t on_disk = 0;
    for (const RegularFile& file : files) {
        on_disk += file.size();
        names += (names.empty() ? "'" : " + '") + file.path() + "'";
    }
    if (on_disk != listed) throw FormatError(too_long_or_short(names, on_disk, listed, model, where, weights));
    std::string data;
    try {
        data.reserve(static_cast<size_t>(listed));
        for (const RegularFile& file : files) data += file.read(file.size());
    } catch (const std::bad_alloc&) {
        format_error(model, where + " asks for " + bytes_str(listed) + " of weights, more than this process can allocate");
    } catch (const std::runtime_error& e) {
        format_error(model, std::string("weights file: ") + e.what());
    }
    if (static_cast<int64_t>(data.size()) != listed)
        throw FormatError(too_long_or_short(names, static_cast<int64_t>(data.size()), listed, model, where, weights));
    return data;
}

// One manifest group {paths, weights}: its entries, with their bytes, appended to f.
void read_manifest_group(ModelFiles& f, const ordered_json& group, const std::string& dir, const std::string& real_dir,
                         const std::string& where) {
    const std::string& path = f.path;
    if (!group.is_object() || !group.contains("paths") || !group.contains("weights"))
        format_error(path, where + " must be an object with 'paths' and 'weights'");
    if (!group.at("paths").is_array() || !group.at("weights").is_array())
        format_error(path, where + ": 'paths' and 'weights' must be arrays");
    std::vector<WeightEntry> entries;
    int64_t listed = 0;
    for (size_t k = 0; k < group.at("weights").size(); ++k) {
        entries.push_back(parse_entry(group.at("weights")[k], path, where + ".weights[" + std::to_string(k) + "]"));
        listed += 4 * shape_numel(entries.back().shape);
        if (listed > 4 * kMaxValues) format_error(path, where + " lists more weights than any real model has");
    }
    check_memory(f.weights_bytes + listed, path, where);
    const std::vector<RegularFile> files = open_group_files(group.at("paths"), path, dir, real_dir, where);
    for (const RegularFile& file : files) {
        for (const std::string& seen : f.weight_files)
            if (seen == file.path()) format_error(path, "weightsManifest lists the file '" + seen + "' in two groups");
        f.weight_files.push_back(file.path());
    }
    std::string data = read_group(files, listed, path, where, entries.size());
    f.weights_crc32 = crc32(data.data(), data.size(), f.weights_crc32);
    f.weights_bytes += static_cast<int64_t>(data.size());
    size_t offset = 0;
    for (WeightEntry& e : entries) {
        const auto n = static_cast<size_t>(4 * shape_numel(e.shape));
        e.bytes = data.substr(offset, n);
        offset += n;
        f.weights.push_back(std::move(e));
    }
}

// One attempt of read_model_files over the model.json open as `file`.
ModelFiles read_model_files_once(const std::string& path, const RegularFile& file) {
    ModelFiles f;
    f.path = path;
    f.model_json = std::make_shared<const ordered_json>(parse_json_text(read_model_json(file), path));
    const ordered_json& j = *f.model_json;
    if (j.is_object() && j.contains("generatedBy") && j.at("generatedBy").is_string())
        f.generated_by = j.at("generatedBy").get<std::string>();
    if (!j.is_object()) format_error(path, "must hold a JSON object {format, modelTopology, weightsManifest, ...}");
    if (j.contains("format") && !j.at("format").is_null() && j.at("format") != "layers-model")
        format_error(path, "format is " + j.at("format").dump() + "; tapenet reads \"layers-model\" (TensorFlow.js Layers)");
    if (j.contains("userDefinedMetadata") && !j.at("userDefinedMetadata").is_null() &&
        !j.at("userDefinedMetadata").is_object())
        format_error(path, "userDefinedMetadata must be an object, got " + j.at("userDefinedMetadata").dump());

    const std::string dir = parent_dir(path);
    if (j.contains("weightsManifest") && !j.at("weightsManifest").is_null()) {
        const ordered_json& manifest = j.at("weightsManifest");
        if (!manifest.is_array()) format_error(path, "weightsManifest must be an array of {paths, weights} groups");
        std::string real_dir;
        try {
            real_dir = real_directory(dir);
        } catch (const std::runtime_error& e) {
            format_error(path, e.what());
        }
        for (size_t g = 0; g < manifest.size(); ++g)
            read_manifest_group(f, manifest[g], dir, real_dir, "weightsManifest[" + std::to_string(g) + "]");
    }
    verify_tapenet_block(f);
    return f;
}

// True when `path` now names another file than `file` (a save renamed a new model.json over it).
bool replaced(const std::string& path, const RegularFile& file) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && (st.st_dev != file.device() || st.st_ino != file.inode());
}

}  // namespace

ModelFiles read_model_files(const std::string& path) {
    for (int attempt = 1;; ++attempt) {
        std::optional<RegularFile> file;
        try {
            file.emplace(path);
        } catch (const std::runtime_error& e) {
            throw FormatError(e.what());
        }
        try {
            return read_model_files_once(path, *file);
        } catch (const FormatError&) {
            // A save committed meanwhile and deleted the weights this model.json named: read the new pair.
            if (attempt == kReadAttempts || !replaced(path, *file)) throw;
        }
    }
}

}  // namespace tn
