// tapenet io: CSV tensors (io/tensor_csv.h).
#include "io/tensor_csv.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>
#include <vector>

#include "core/error.h"
#include "io/atomic_file.h"
#include "io/float32_values.h"

namespace tn {

namespace {

std::string_view trim_csv_field(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) s.remove_suffix(1);
    return s;
}

enum class CsvNumber { ok, not_a_number, beyond_double };

// The number a field holds (from_chars accepts nan and inf, not a leading '+'). A value beyond
// double's range is reported as such; one below its smallest denormal reads as 0 (strtod's rounding).
CsvNumber parse_csv_number(std::string_view field, double& value) {
    if (!field.empty() && field.front() == '+') field.remove_prefix(1);
    if (field.empty()) return CsvNumber::not_a_number;
    const auto [end, ec] = std::from_chars(field.data(), field.data() + field.size(), value);
    if (end != field.data() + field.size()) return CsvNumber::not_a_number;
    if (ec == std::errc::result_out_of_range) {
        value = std::strtod(std::string(field).c_str(), nullptr);
        return std::isinf(value) ? CsvNumber::beyond_double : CsvNumber::ok;
    }
    return ec == std::errc() ? CsvNumber::ok : CsvNumber::not_a_number;
}

std::vector<std::string_view> split_csv_line(std::string_view line) {
    std::vector<std::string_view> fields;
    for (size_t start = 0;;) {
        const size_t comma = line.find(',', start);
        fields.push_back(trim_csv_field(line.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start)));
        if (comma == std::string_view::npos) return fields;
        start = comma + 1;
    }
}

// The tensor shape of `rows` rows of `cols` values, given the sample shape asked for.
Shape csv_tensor_shape(int64_t rows, int64_t cols, const std::optional<Shape>& asked, const std::string& name) {
    if (!asked) return {rows, cols};
    const Shape& sample_shape = *asked;
    for (int64_t d : sample_shape)
        if (d < 0) {
            if (sample_shape.size() == 1) return {rows, cols};
            format_error(name, "a CSV row cannot say the shape of a sample of shape " + shape_str(sample_shape) +
                                   " (a dimension of any size besides the batch): use .npy or .json");
        }
    const int64_t per_sample = shape_numel(sample_shape);
    if (cols != per_sample)
        format_error(name, "each row holds " + std::to_string(cols) + " values, a sample of shape " +
                               shape_str(sample_shape) + " needs " + std::to_string(per_sample) +
                               " (a row is one sample, its values in row-major order)");
    Shape shape{rows};
    shape.insert(shape.end(), sample_shape.begin(), sample_shape.end());
    return shape;
}

}  // namespace

Tensor parse_tensor_csv(const std::string& text, const std::string& name, const std::optional<Shape>& sample_shape) {
    std::vector<float> values;
    int64_t cols = -1, rows = 0, first_line = 0;
    size_t line_start = 0;
    for (int64_t line_no = 1; line_start < text.size(); ++line_no) {
        size_t end = text.find('\n', line_start);
        if (end == std::string::npos) end = text.size();
        const std::string_view line = trim_csv_field(std::string_view(text).substr(line_start, end - line_start));
        line_start = end + 1;
        if (line.empty() || line.front() == '#') continue;
        const std::vector<std::string_view> fields = split_csv_line(line);
        std::vector<double> row(fields.size());
        size_t numbers = 0;
        for (size_t f = 0; f < fields.size(); ++f) numbers += parse_csv_number(fields[f], row[f]) != CsvNumber::not_a_number;
        if (cols < 0 && numbers == 0 && rows == 0 && first_line == 0) {  // a header
            first_line = line_no;
            continue;
        }
        if (cols < 0) cols = static_cast<int64_t>(fields.size()), first_line = line_no;
        const std::string where = name + ": line " + std::to_string(line_no);
        if (static_cast<int64_t>(fields.size()) != cols)
            throw FormatError(where + " holds " + std::to_string(fields.size()) + " values, line " +
                              std::to_string(first_line) + " holds " + std::to_string(cols));
        for (size_t f = 0; f < fields.size(); ++f) {
            const std::string at = where + ", field " + std::to_string(f + 1);
            const CsvNumber kind = parse_csv_number(fields[f], row[f]);
            if (kind == CsvNumber::not_a_number)
                throw FormatError(at + (fields[f].empty() ? " is empty" : ": '" + std::string(fields[f]) + "' is not a number"));
            const std::string problem = kind == CsvNumber::beyond_double ? std::string(fields[f]) + ", beyond the range of float32"
                                                                         : float32_problem(row[f]);
            if (!problem.empty()) throw FormatError(at + " is " + problem);
            values.push_back(static_cast<float>(row[f]));
        }
        ++rows;
    }
    if (rows == 0) format_error(name, "holds no rows of numbers");
    return Tensor::from_vector(std::move(values), csv_tensor_shape(rows, cols, sample_shape, name));
}

Tensor read_tensor_csv(const std::string& path, const std::optional<Shape>& sample_shape) {
    std::string text;
    try {
        text = read_file(path);
    } catch (const std::runtime_error& e) {
        throw FormatError(e.what());
    }
    return parse_tensor_csv(text, path, sample_shape);
}

std::string tensor_csv_text(const Tensor& t) {
    const int64_t rows = t.ndim() == 0 ? 1 : t.dim(0);
    const int64_t cols = rows == 0 ? 0 : t.numel() / rows;
    std::string out;
    char buf[32];
    for (int64_t r = 0; r < rows; ++r) {
        for (int64_t c = 0; c < cols; ++c) {
            if (c) out += ',';
            out.append(buf, std::to_chars(buf, buf + sizeof buf, t[r * cols + c]).ptr);
        }
        out += '\n';
    }
    return out;
}

void write_tensor_csv(const std::string& path, const Tensor& t) { write_file_atomically(path, tensor_csv_text(t)); }

}  // namespace tn
