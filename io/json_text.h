// tapenet io: reading a JSON text that may be hostile (a model.json from anywhere).
//
//   nlohmann::ordered_json j = tn::parse_json_text(text, "out/model.json");
//
// nlohmann/json builds the document; before it does, a first pass over the text (nlohmann's SAX
// parser, which allocates nothing per value) refuses texts whose document would be too large or
// too deep to hold, so the memory a load takes is bounded by the limits below, not by the input:
//   * at most kMaxJsonBytes of text (a model.json holds the topology and the manifest: a few MB for
//     the largest real models);
//   * at most kMaxJsonValues values (numbers, strings, arrays, objects, ...): each costs the
//     document about 16-80 bytes, so a text at the limit takes a few hundred MB at most;
//   * at most kMaxJsonDepth levels of nesting (no model.json nests beyond ~8; the bound keeps the
//     recursive walks of a hostile document, such as dump, off the end of the stack).
// Every error is a tn::FormatError naming the file, and the line and column of a syntax error:
//   "out/model.json: malformed JSON: line 3, column 7: syntax error while parsing object separator ..."
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include <nlohmann/json_fwd.hpp>

namespace tn {

inline constexpr int64_t kMaxJsonBytes = int64_t{64} << 20;   // 64 MiB
inline constexpr int64_t kMaxJsonValues = int64_t{1} << 20;   // 1 Mi values
inline constexpr int kMaxJsonDepth = 64;

nlohmann::ordered_json parse_json_text(const std::string& text, const std::string& file);

// "malformed JSON: line L, column C: <problem>" for nlohmann's parse error `message` at byte
// `position` of `text` (what a SAX parser's parse_error receives).
std::string json_syntax_error(const std::string& text, size_t position, const std::string& message);

}  // namespace tn
