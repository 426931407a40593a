// tapenet io: the two files behind a saved model (docs/format.md): `model.json` and the weights
// file its manifest names. This layer knows bytes, manifests, sizes and checksums, and nothing
// about layers: io/model_format.h turns a Network into these and back.
//
//   std::vector<tn::WeightEntry> weights = {tn::float_entry("dense/kernel", kernel), ...};
//   tn::write_model_files("out/model.json", model_json, weights, {});
//   tn::ModelFiles files = tn::read_model_files("out/model.json");   // sizes and CRC-32 verified
//   tn::Tensor k = tn::entry_tensor(files.weights[0], files.path);    // finite float32 values
//
// Saving is atomic (write_model_files): the weights go to a NEW file "<stem>.weights.<crc>.bin"
// (".<k>.bin" appended while that name is taken), fsynced; then model.json is replaced through a
// temporary file, fsync and rename: the commit point. Only after it is the weights file the old
// model.json named deleted. A crash or an error at any step leaves the old pair loadable; an error
// also removes the new weights file and is thrown as a std::runtime_error naming the file.
//
// Reading (read_model_files) throws a tn::FormatError for anything wrong, naming the file and what
// is wrong: unreadable file, malformed JSON, a manifest that is not [{paths, weights}], a path
// leaving the model's directory, weights files shorter or longer than the manifest says, and, when
// model.json carries the tapenet block {format_version, weights_crc32, weights_bytes}, a version
// tapenet does not know or a size or CRC-32 that does not match.
#pragma once

#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <memory>
#include <optional>

#include <nlohmann/json_fwd.hpp>

#include "core/error.h"  // tn::FormatError
#include "core/tensor.h"

namespace tn {

inline constexpr const char* kTapenetVersion = "0.1.0";  // written as generatedBy "tapenet 0.1.0"
inline constexpr int kFormatVersion = 1;                 // userDefinedMetadata.tapenet.format_version

// One tensor of the weights manifest and its bytes.
struct WeightEntry {
    std::string name;               // "lstm/kernel", or an optimizer entry such as "iter", "lstm/kernel/m"
    Shape shape;                    // [] for a scalar
    std::string dtype = "float32";  // or "int32" (only the optimizer's "iter")
    std::string group;              // "" for model weights, "optimizer" for optimizer state
    std::string bytes;              // the values, 4 bytes each, little-endian, row-major
};

// A float32 entry holding t's values; throws a tn::ValueError naming the entry if one is NaN or infinite.
WeightEntry float_entry(const std::string& name, const Tensor& t, const std::string& group = "");
// A scalar int32 entry (the optimizer's step count "iter").
WeightEntry int32_entry(const std::string& name, int32_t value, const std::string& group);

// The values of a float32 entry as a tensor. Throws a FormatError naming `file` and the entry
// when the dtype is not float32 or a value is NaN or infinite (tapenet refuses such weights).
Tensor entry_tensor(const WeightEntry& entry, const std::string& file);
// The value of a scalar int32 (or integral float32) entry; throws a FormatError otherwise.
int64_t entry_integer(const WeightEntry& entry, const std::string& file);

// Writes `model_json` (without weightsManifest: it is added here) and the weights, atomically, as
// described above. `tapenet_extra` keys join userDefinedMetadata.tapenet (checkpoints put their
// epoch there). Returns the name of the weights file written (relative to model.json's directory).
std::string write_model_files(const std::string& path, nlohmann::ordered_json model_json,
                              const std::vector<WeightEntry>& weights, const nlohmann::ordered_json& tapenet_extra);

// What read_model_files found.
struct ModelFiles {
    std::string path;                       // model.json as given
    std::shared_ptr<const nlohmann::ordered_json> model_json;  // the whole parsed file
    std::vector<WeightEntry> weights;       // every manifest entry in order, with its bytes
    std::vector<std::string> weight_files;  // the manifest's paths, resolved against model.json's directory
    int64_t weights_bytes = 0;              // their total size
    uint32_t weights_crc32 = 0;             // computed over all of them, in manifest order
    int format_version = 0;                 // 0: no tapenet block (a file from TF.js or a converter)
    // userDefinedMetadata.tapenet inside *model_json when format_version > 0, else null.
    const nlohmann::ordered_json* tapenet = nullptr;
    std::string generated_by;               // generatedBy, or "" when absent
    std::optional<int64_t> epoch;           // userDefinedMetadata.tapenet.epoch (a checkpoint's), if any
};

ModelFiles read_model_files(const std::string& path);

}  // namespace tn
