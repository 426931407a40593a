#include "io/char_encoder.h"

#include "core/error.h"

namespace tn {

int char_index(char c) {
    if (c >= 'a' && c <= 'z') return c - 'a' + 1;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 1;
    return kCharOther;
}

char index_to_char(int index) {
    if (index < 0 || index >= kCharVocabSize)
        value_error("index_to_char", "index " + std::to_string(index) + " is outside [0, " +
                                         std::to_string(kCharVocabSize) + ")");
    if (index == kCharPad) return '\0';
    if (index == kCharOther) return '?';
    return static_cast<char>('a' + index - 1);
}

Sequence chars_to_sequence(std::string_view text) {
    Sequence seq;
    seq.reserve(text.size());
    for (char c : text) seq.push_back(char_index(c));
    return seq;
}

Tensor encode_chars(const std::vector<std::string>& texts, int64_t maxlen) {
    std::vector<Sequence> seqs;
    seqs.reserve(texts.size());
    for (const auto& t : texts) seqs.push_back(chars_to_sequence(t));
    return pad_sequences(seqs, maxlen);
}

}  // namespace tn
