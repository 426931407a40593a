// tapenet io: reading and writing a tensor in the format its file name says: .npy (io/npy.h),
// .csv (io/tensor_csv.h) or .json (io/tensor_json.h), the extension in any case.
//
//   tn::Tensor x = tn::read_tensor_file("x.csv", /*csv_sample_shape=*/{20, 1});
//   tn::write_tensor_file("y.npy", y);
//
// A CSV row is one sample: `csv_sample_shape` (the shape of one sample, e.g. a model input's shape
// without its batch axis) says how to fold a row's values; .npy and .json files carry their shape.
// Every error is a tn::FormatError naming the file.
#pragma once

#include <optional>
#include <string>

#include "core/tensor.h"

namespace tn {

enum class TensorFormat { npy, csv, json };

// The format of a file name by its extension, or nullopt for any other name.
std::optional<TensorFormat> tensor_format_of(const std::string& path);

// Throws a FormatError for a name without a known extension.
Tensor read_tensor_file(const std::string& path, const std::optional<Shape>& csv_sample_shape = std::nullopt);
// Throws a ValueError for a name without a known extension (nothing is written).
void write_tensor_file(const std::string& path, const Tensor& t);

}  // namespace tn
