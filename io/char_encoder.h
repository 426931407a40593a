// tapenet io: names (or any short text) to character indices, for character-level models.
//
//   tn::Tensor x = tn::encode_chars({"Anna-Maria", "Bob"}, 12);   // (2, 12), pre-padded
//   // row 0: [0, 0, 1, 14, 14, 1, 27, 13, 1, 18, 9, 1]   row 1: [0 x 9, 2, 15, 2]
//
// Every byte becomes exactly one index, so position k of a name is its k-th character (a heatmap
// can label its cells with the name's own letters):
//   0        padding
//   1..26    the letters a..z, either case
//   27       any other byte (hyphen, apostrophe, space, digit, every byte >= 0x80, ...)
// An Embedding over these needs input_dim = kCharVocabSize (28).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"
#include "io/tokenizer.h"

namespace tn {

inline constexpr int kCharPad = 0;
inline constexpr int kCharOther = 27;
inline constexpr int kCharVocabSize = 28;

// The index of one byte (1..26 or kCharOther).
int char_index(char c);
// The character an index stands for: 'a'..'z', '?' for kCharOther, '\0' for padding.
// Throws tn::ValueError outside [0, kCharVocabSize).
char index_to_char(int index);
// One index per byte of `text`.
Sequence chars_to_sequence(std::string_view text);
// pad_sequences(chars_to_sequence(text) for each text, maxlen): pre-padding, and a text longer
// than maxlen keeps its last maxlen characters (a name's ending carries most of its gender).
Tensor encode_chars(const std::vector<std::string>& texts, int64_t maxlen);

}  // namespace tn
