// tapenet io: tensors as CSV text, one sample per row.
//
//   tn::Tensor x = tn::read_tensor_csv("x.csv");               // (rows, values per row)
//   tn::Tensor s = tn::read_tensor_csv("x.csv", {20, 1});      // (rows, 20, 1): 20 values per row
//   tn::write_tensor_csv("y.csv", y);
//
// What a CSV file means: each row is one sample, its values separated by commas. A sample of rank
// > 1 (a sequence (T, D)) is its values in row-major order: row i of a (N, T, D) tensor is
// x[i, 0, 0], x[i, 0, 1], ..., x[i, T-1, D-1]. Reading gives (rows, values per row) unless a
// `sample_shape` is given, in which case every row must hold exactly its element count and the
// tensor is (rows, sample_shape...): () for one value per row gives (rows). A sample shape of one
// dimension of any size (-1) takes rows of any width; with more dimensions, one of any size is
// refused (a row cannot say where a time step ends).
//
// Reading, as numpy.loadtxt(delimiter=",") and pandas read: lines starting with '#' and blank lines
// are skipped; a first row with no number in it is a header and skipped; spaces around a value are
// ignored; "\r\n" line ends are fine; nan, inf and -inf (any case) are numbers. Every row must hold
// as many values as the first one. Values are float32 as io/float32_values.h says. Errors are
// tn::FormatErrors naming the file, line and field: "x.csv: line 4, field 2: 'abc' is not a number".
//
// Writing: one row per sample (axis 0), its values in row-major order; a 1-D tensor writes one
// value per row, a 0-d tensor one row of one value. No header. Each value is the shortest text that
// reads back as the same float32 (std::to_chars), so a round trip keeps every bit; NaN and
// infinities are written nan, inf, -inf.
#pragma once

#include <optional>
#include <string>

#include "core/tensor.h"

namespace tn {

// `name` (a file name) starts every error message.
Tensor parse_tensor_csv(const std::string& text, const std::string& name,
                        const std::optional<Shape>& sample_shape = std::nullopt);
Tensor read_tensor_csv(const std::string& path, const std::optional<Shape>& sample_shape = std::nullopt);

std::string tensor_csv_text(const Tensor& t);
void write_tensor_csv(const std::string& path, const Tensor& t);

}  // namespace tn
