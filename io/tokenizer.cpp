#include "io/tokenizer.h"

#include <algorithm>
#include <fstream>
#include <stdexcept>

#include "core/error.h"

namespace tn {

static const std::string kPadWord = "<pad>";
static const std::string kOovWord = "<oov>";
// Indices travel as floats (Embedding's input), which hold integers exactly up to 2^24.
static constexpr int kMaxNumWords = 1 << 24;

static bool is_word_char(unsigned char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c >= 0x80;
}

Tokenizer::Tokenizer(int num_words) : num_words_(num_words), words_{kPadWord, kOovWord} {
    if (num_words < 2 || num_words > kMaxNumWords)
        value_error("Tokenizer", "num_words must lie in [2, 2^24] (0 = padding, 1 = OOV), got " +
                                     std::to_string(num_words));
}

std::vector<std::string> Tokenizer::tokenize(std::string_view text) {
    std::vector<std::string> words;
    std::string word;
    for (size_t i = 0; i < text.size(); i++) {
        const auto c = static_cast<unsigned char>(text[i]);
        if (is_word_char(c)) {
            word += (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : static_cast<char>(c);
        } else if (c == '\'' && !word.empty() && i + 1 < text.size() &&
                   is_word_char(static_cast<unsigned char>(text[i + 1]))) {
            word += '\'';  // inside a word: don't, o'clock
        } else if (!word.empty()) {
            words.push_back(std::move(word));
            word.clear();
        }
    }
    if (!word.empty()) words.push_back(std::move(word));
    return words;
}

void Tokenizer::fit(const std::vector<std::string>& texts) {
    counts_.clear();
    std::vector<std::string> first_seen;  // distinct words in order of first appearance
    for (const auto& text : texts)
        for (auto& w : tokenize(text))
            if (counts_[w]++ == 0) first_seen.push_back(std::move(w));

    // Most frequent first; the stable sort leaves ties in order of first appearance.
    std::stable_sort(first_seen.begin(), first_seen.end(),
                     [&](const std::string& a, const std::string& b) { return counts_.at(a) > counts_.at(b); });

    const size_t kept = std::min(first_seen.size(), static_cast<size_t>(num_words_ - 2));
    words_.assign({kPadWord, kOovWord});
    index_.clear();
    for (size_t k = 0; k < kept; k++) {
        index_[first_seen[k]] = static_cast<int>(words_.size());
        words_.push_back(first_seen[k]);
    }
}

int Tokenizer::word_index(const std::string& word) const {
    const auto it = index_.find(word);
    return it == index_.end() ? kOov : it->second;
}

const std::string& Tokenizer::index_to_word(int index) const {
    if (index < 0 || index >= vocab_size())
        value_error("Tokenizer::index_to_word",
                    "index " + std::to_string(index) + " is outside [0, " + std::to_string(vocab_size()) + ")");
    return words_[static_cast<size_t>(index)];
}

int64_t Tokenizer::word_count(const std::string& word) const {
    const auto it = counts_.find(word);
    return it == counts_.end() ? 0 : it->second;
}

Sequence Tokenizer::text_to_sequence(std::string_view text) const {
    Sequence seq;
    for (const auto& w : tokenize(text)) seq.push_back(word_index(w));
    return seq;
}

std::vector<Sequence> Tokenizer::texts_to_sequences(const std::vector<std::string>& texts) const {
    std::vector<Sequence> seqs;
    seqs.reserve(texts.size());
    for (const auto& t : texts) seqs.push_back(text_to_sequence(t));
    return seqs;
}

// Where a sequence of `len` entries lands in a row of `maxlen`: entries [from, from + count) of the
// sequence go to positions [to, to + count) of the row; the other positions are padding.
struct Placement {
    size_t from, to, count;
};

static Placement place(size_t len, size_t maxlen, PadSide padding, PadSide truncating) {
    const size_t count = std::min(len, maxlen);
    return {truncating == PadSide::pre ? len - count : 0, padding == PadSide::pre ? maxlen - count : 0, count};
}

std::vector<std::string> Tokenizer::padded_words(std::string_view text, int64_t maxlen, PadSide padding,
                                                 PadSide truncating) {
    if (maxlen <= 0) value_error("Tokenizer::padded_words", "maxlen must be > 0, got " + std::to_string(maxlen));
    const auto words = tokenize(text);
    std::vector<std::string> row(static_cast<size_t>(maxlen));
    const auto p = place(words.size(), row.size(), padding, truncating);
    std::copy_n(words.begin() + static_cast<std::ptrdiff_t>(p.from), p.count,
                row.begin() + static_cast<std::ptrdiff_t>(p.to));
    return row;
}

void Tokenizer::save(const std::string& path) const {
    std::ofstream out(path, std::ios::binary);
    for (const auto& w : words_) out << w << '\n';
    out.close();
    if (!out) throw std::runtime_error("Tokenizer::save: cannot write " + path);
}

Tokenizer Tokenizer::load(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw std::runtime_error("Tokenizer::load: cannot read " + path);
    std::vector<std::string> words;
    for (std::string line; std::getline(in, line);) words.push_back(line);
    if (words.size() < 2 || words[0] != kPadWord || words[1] != kOovWord)
        value_error("Tokenizer::load", path + " is not a vocabulary file (its first lines must be <pad> and <oov>)");
    if (words.size() > static_cast<size_t>(kMaxNumWords))
        value_error("Tokenizer::load", path + " holds more than 2^24 words");
    Tokenizer tok(static_cast<int>(words.size()));
    for (size_t k = 2; k < words.size(); k++) {
        const auto& w = words[k];
        if (w.empty() || tokenize(w) != std::vector<std::string>{w})
            value_error("Tokenizer::load", path + ":" + std::to_string(k + 1) + ": '" + w + "' is not a word");
        if (!tok.index_.emplace(w, static_cast<int>(k)).second)
            value_error("Tokenizer::load", path + ":" + std::to_string(k + 1) + ": '" + w + "' appears twice");
        tok.words_.push_back(w);
    }
    return tok;
}

Tensor pad_sequences(const std::vector<Sequence>& seqs, int64_t maxlen, PadSide padding, PadSide truncating,
                     float value) {
    if (maxlen <= 0) value_error("pad_sequences", "maxlen must be > 0, got " + std::to_string(maxlen));
    Tensor out = Tensor::full({static_cast<int64_t>(seqs.size()), maxlen}, value);
    float* row = out.data();
    for (const auto& seq : seqs) {
        const auto p = place(seq.size(), static_cast<size_t>(maxlen), padding, truncating);
        for (size_t k = 0; k < p.count; k++) row[p.to + k] = static_cast<float>(seq[p.from + k]);
        row += maxlen;
    }
    return out;
}

}  // namespace tn
