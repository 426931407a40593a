// tapenet io: a tensor as a JSON object {"shape": [...], "data": [...]}.
//
//   tn::Tensor x = tn::read_tensor_json("x.json");
//   std::string text = tn::tensor_json_text(y);     // {"shape": [2, 1], "data": [0.25, -1]}
//
// "shape" lists the dimensions (non-negative integers; [] for a single value). "data" holds the
// values in row-major order, either flat ([1, 2, 3, 4] for shape [2, 2]) or nested as
// numpy's tolist() writes them ([[1, 2], [3, 4]]): nested lists must have exactly the shape. An
// optional "dtype" names what the numbers were ("float32", "float64", "int32", "int64"); any other
// key is refused (a misspelt "shape" is not silently ignored). Values are float32 as
// io/float32_values.h says; JSON has no NaN or infinity, so they are written as the strings
// "NaN", "Infinity" and "-Infinity" (Python's spelling) and read back from them or from null (NaN).
//
// Reading streams through nlohmann/json's SAX parser straight into the tensor's values: no JSON
// document is built, so a file costs its text and its floats. Nesting deeper than 64 levels is
// refused. Errors are tn::FormatErrors naming the file, e.g.
//   "x.json: \"data\" holds 5 values, the shape [2, 3] needs 6"
//   "x.json: malformed JSON: line 1, column 14: syntax error while parsing value ..."
//
// Writing gives one line, the data flat, each value the shortest text that reads back as the same
// float32 (std::to_chars), so a round trip keeps every bit.
#pragma once

#include <string>

#include "core/tensor.h"

namespace tn {

// `name` (a file name) starts every error message.
Tensor parse_tensor_json(const std::string& text, const std::string& name);
Tensor read_tensor_json(const std::string& path);

// One line, without a trailing newline.
std::string tensor_json_text(const Tensor& t);
void write_tensor_json(const std::string& path, const Tensor& t);

}  // namespace tn
