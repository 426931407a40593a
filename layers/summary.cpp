#include "layers/summary.h"

#include <algorithm>
#include <array>
#include <sstream>

#include "core/error.h"

namespace tn {

namespace {

// Columns count characters, not bytes: a UTF-8 continuation byte (10xxxxxx) starts no character.
bool starts_character(char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }

size_t width_of(const std::string& s) {
    return static_cast<size_t>(std::count_if(s.begin(), s.end(), starts_character));
}

// The bytes of the first `width` characters of s.
size_t bytes_of_first(const std::string& s, size_t width) {
    size_t bytes = 0;
    for (size_t chars = 0; bytes < s.size(); ++bytes) {
        if (starts_character(s[bytes]) && chars++ == width) break;
    }
    return bytes;
}

// One row of the table, over as many lines as its longest column needs (Keras 2's print_row): each
// column takes what fits before the next column's start less a two-space gap (and the first
// column's leading space), breaking early after the end of a list item ("),", "',", ...); the rest
// continues on the next line. `ends` are the columns' end positions.
void print_row(std::ostream& os, std::vector<std::string> left, const std::vector<size_t>& ends) {
    static const std::array<std::string, 4> breaks = {"),", "},", "],", "',"};
    while (std::any_of(left.begin(), left.end(), [](const std::string& s) { return !s.empty(); })) {
        std::string line;
        for (size_t col = 0; col < left.size(); ++col) {
            const bool last = col + 1 == ends.size();
            const size_t start = col == 0 ? 0 : ends[col - 1];
            const size_t width = ends[col] - start - (last ? 0 : 2) - (col == 0 ? 1 : 0);
            size_t cut = bytes_of_first(left[col], width);
            const std::string fits = left[col].substr(0, cut);
            for (const std::string& b : breaks)
                if (const size_t at = fits.find(b); at != std::string::npos) cut = std::min(cut, at + b.size());
            if (col == 0) line += ' ';
            line += left[col].substr(0, cut);
            left[col].erase(0, cut);
            if (!last) line.append(ends[col] - std::min(ends[col], width_of(line)), ' ');
        }
        line.erase(line.find_last_not_of(' ') + 1);
        os << line << "\n";
    }
}

// ["a", "b"] as Python prints a list of strings: "['a', 'b']".
std::string python_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (size_t i = 0; i < items.size(); ++i) out += (i ? ", '" : "'") + items[i] + "'";
    return out + "]";
}

}  // namespace

std::string keras_shape(const Shape& s) {
    std::string out = "(";
    for (size_t i = 0; i < s.size(); ++i) {
        if (i) out += ", ";
        out += s[i] < 0 ? "None" : std::to_string(s[i]);
    }
    if (s.size() == 1) out += ",";
    return out + ")";
}

std::string keras_shapes(const std::vector<Shape>& shapes) {
    std::string out = "[";
    for (size_t i = 0; i < shapes.size(); ++i) out += (i ? ", " : "") + keras_shape(shapes[i]);
    return out + "]";
}

std::string format_thousands(int64_t n) {
    std::string digits = std::to_string(n < 0 ? -n : n);
    std::string out;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
        out += digits[i];
    }
    return n < 0 ? "-" + out : out;
}

std::string summary(const std::vector<Layer*>& layers, const Shape& input_shape, const std::string& title) {
    Shape shape = input_shape;
    std::vector<SummaryRow> rows;
    for (size_t k = 0; k < layers.size(); ++k) {
        Layer* layer = layers[k];
        if (!layer) value_error("summary", "layer " + std::to_string(k) + " is null");
        if (!layer->built()) layer->build(shape);
        shape = layer->output_shape(shape);
        rows.push_back({layer->name(), layer->class_name(), keras_shape(shape), layer->count_params(), {}});
    }
    return summary_table(rows, title);
}

std::string summary_table(const std::vector<SummaryRow>& rows, const std::string& title, bool connections) {
    // Keras 2's positions: {.45, .85, 1} of 65 characters, or {.33, .55, .67, 1} of 98.
    const std::vector<size_t> ends = connections ? std::vector<size_t>{32, 53, 65, 98} : std::vector<size_t>{29, 55, 65};
    const size_t line_length = ends.back();
    const std::string thin(line_length, '_'), thick(line_length, '=');
    std::vector<std::string> header = {"Layer (type)", "Output Shape", "Param #"};
    if (connections) header.push_back("Connected to");
    std::ostringstream os;
    if (!title.empty()) os << "Model: \"" << title << "\"\n";
    os << thin << "\n";
    print_row(os, header, ends);
    os << thick << "\n";
    int64_t total = 0;
    for (const SummaryRow& row : rows) {
        total += row.params;
        std::vector<std::string> fields = {row.name + " (" + row.class_name + ")", row.output_shape,
                                           std::to_string(row.params)};
        if (connections) fields.push_back(python_list(row.connected_to));
        print_row(os, fields, ends);
    }
    os << thick << "\n"
       << "Total params: " << format_thousands(total) << "\n"
       << "Trainable params: " << format_thousands(total) << "\n"
       << "Non-trainable params: 0\n"
       << thin << "\n";
    return os.str();
}

}  // namespace tn
