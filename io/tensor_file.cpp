#include "io/tensor_file.h"

#include <algorithm>
#include <cctype>

#include "core/error.h"
#include "io/npy.h"
#include "io/tensor_csv.h"
#include "io/tensor_json.h"

namespace tn {

namespace {

const char* kTensorFormats = "tapenet reads and writes .npy, .csv and .json";

}  // namespace

std::optional<TensorFormat> tensor_format_of(const std::string& path) {
    const size_t dot = path.rfind('.');
    if (dot == std::string::npos || path.find('/', dot) != std::string::npos) return std::nullopt;
    std::string ext = path.substr(dot + 1);
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    if (ext == "npy") return TensorFormat::npy;
    if (ext == "csv") return TensorFormat::csv;
    if (ext == "json") return TensorFormat::json;
    return std::nullopt;
}

Tensor read_tensor_file(const std::string& path, const std::optional<Shape>& csv_sample_shape) {
    const std::optional<TensorFormat> format = tensor_format_of(path);
    if (!format) format_error(path, std::string("unknown format: the name does not end in .npy, .csv or .json (") + kTensorFormats + ")");
    switch (*format) {
        case TensorFormat::npy: return read_npy(path);
        case TensorFormat::csv: return read_tensor_csv(path, csv_sample_shape);
        case TensorFormat::json: return read_tensor_json(path);
    }
    return {};
}

void write_tensor_file(const std::string& path, const Tensor& t) {
    const std::optional<TensorFormat> format = tensor_format_of(path);
    if (!format) value_error(path, std::string("unknown format: the name does not end in .npy, .csv or .json (") + kTensorFormats + ")");
    switch (*format) {
        case TensorFormat::npy: return write_npy(path, t);
        case TensorFormat::csv: return write_tensor_csv(path, t);
        case TensorFormat::json: return write_tensor_json(path, t);
    }
}

}  // namespace tn
