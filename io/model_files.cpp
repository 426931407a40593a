#include "io/model_files.h"

#include <unistd.h>

#include <bit>
#include <cctype>
#include <cmath>
#include <filesystem>
#include <limits>

#include <nlohmann/json.hpp>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/crc32.h"
#include "io/json_text.h"

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

// The size of the regular file `file`; a FormatError naming `model` for a directory or a device.
// 0 for a missing file (reading it reports that).
int64_t regular_file_size(const std::string& file, const std::string& model) {
    std::error_code ec;
    const auto status = std::filesystem::status(file, ec);
    if (ec || !std::filesystem::exists(status)) return 0;  // reading it reports the error
    if (!std::filesystem::is_regular_file(status))
        format_error(model, "'" + file + "' is not a regular file; tapenet reads models from regular files only");
    const auto size = static_cast<int64_t>(std::filesystem::file_size(file, ec));
    if (ec) throw FormatError(file + ": cannot read its size: " + ec.message());
    return size;
}

// A manifest path must stay inside the model's directory: relative, with no ".." component.
bool safe_relative_path(const std::string& p) {
    if (p.empty() || p.front() == '/' || p.find('\0') != std::string::npos) return false;
    for (const auto& part : std::filesystem::path(p))
        if (part == "..") return false;
    return true;
}

// The weights files the model.json at `path` names now (if it exists and parses), to delete after
// a new save has committed. Anything unreadable means there is nothing to clean up.
std::vector<std::string> current_weight_files(const std::string& path) {
    std::vector<std::string> files;
    try {
        const ordered_json j = parse_json_text(read_file(path), path);
        for (const ordered_json& group : j.at("weightsManifest"))
            for (const ordered_json& p : group.at("paths"))
                if (p.is_string() && safe_relative_path(p.get<std::string>())) files.push_back(p.get<std::string>());
    } catch (const std::exception&) {
        files.clear();
    }
    return files;
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

    const std::string dir = parent_dir(path);
    const std::vector<std::string> old_files = current_weight_files(path);

    // 1. The weights, under a name no file has yet.
    const std::string base = std::filesystem::path(path).stem().string() + ".weights." + crc32_hex(crc);
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

    // 3. Only now is the old weights file unused.
    bool removed = false;
    for (const std::string& old : old_files)
        if (old != name) removed |= ::unlink(join_path(dir, old).c_str()) == 0;
    if (removed) sync_directory(dir.empty() ? "." : dir);
    return name;
}

// ---- reading ----

ModelFiles read_model_files(const std::string& path) {
    ModelFiles f;
    f.path = path;
    std::string text;
    try {
        if (regular_file_size(path, path) > kMaxJsonBytes)
            format_error(path, "holds " + std::to_string(regular_file_size(path, path)) + " bytes, more than the " +
                                   std::to_string(kMaxJsonBytes >> 20) + " MiB a model.json may hold (kMaxJsonBytes)");
        text = read_file(path);
    } catch (const std::runtime_error& e) {
        throw FormatError(e.what());
    }
    f.model_json = std::make_shared<const ordered_json>(parse_json_text(text, path));
    const ordered_json& j = *f.model_json;
    if (j.is_object() && j.contains("generatedBy") && j.at("generatedBy").is_string())
        f.generated_by = j.at("generatedBy").get<std::string>();
    if (!j.is_object()) format_error(path, "must hold a JSON object {format, modelTopology, weightsManifest, ...}");
    if (j.contains("format") && !j.at("format").is_null() && j.at("format") != "layers-model")
        format_error(path, "format is " + j.at("format").dump() + "; tapenet reads \"layers-model\" (TensorFlow.js Layers)");

    const std::string dir = parent_dir(path);
    if (j.contains("weightsManifest") && !j.at("weightsManifest").is_null()) {
        const ordered_json& manifest = j.at("weightsManifest");
        if (!manifest.is_array()) format_error(path, "weightsManifest must be an array of {paths, weights} groups");
        std::string all;
        for (size_t g = 0; g < manifest.size(); ++g) {
            const std::string where = "weightsManifest[" + std::to_string(g) + "]";
            const ordered_json& group = manifest[g];
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

            std::vector<std::string> group_files;
            for (const ordered_json& p : group.at("paths")) {
                if (!p.is_string()) format_error(path, where + ".paths must hold file names, got " + p.dump());
                const std::string rel = p.get<std::string>();
                if (!safe_relative_path(rel))
                    format_error(path, where + ": path '" + rel + "' must be relative and stay in the model's directory");
                group_files.push_back(join_path(dir, rel));
            }
            // Sizes first: nothing is read (or allocated) for files larger than the manifest says.
            std::string data, files;
            int64_t on_disk = 0;
            for (const std::string& file : group_files) {
                on_disk += regular_file_size(file, path);
                files += (files.empty() ? "'" : " + '") + file + "'";
            }
            if (on_disk > listed) throw FormatError(too_long_or_short(files, on_disk, listed, path, where, entries.size()));
            files.clear();
            data.reserve(static_cast<size_t>(listed));
            for (const std::string& file : group_files) {
                try {
                    data += read_file(file);
                } catch (const std::runtime_error& e) {
                    format_error(path, std::string("weights file: ") + e.what());
                }
                f.weight_files.push_back(file);
                files += (files.empty() ? "'" : " + '") + file + "'";
            }
            if (static_cast<int64_t>(data.size()) != listed)
                throw FormatError(too_long_or_short(files, static_cast<int64_t>(data.size()), listed, path, where,
                                                    entries.size()));
            size_t offset = 0;
            for (WeightEntry& e : entries) {
                const auto n = static_cast<size_t>(4 * shape_numel(e.shape));
                e.bytes = data.substr(offset, n);
                offset += n;
                f.weights.push_back(std::move(e));
            }
            all += data;
        }
        f.weights_bytes = static_cast<int64_t>(all.size());
        f.weights_crc32 = crc32(all.data(), all.size());
    }
    verify_tapenet_block(f);
    return f;
}

}  // namespace tn
