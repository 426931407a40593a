// tapenet io: words to integer sequences, as Keras' Tokenizer and pad_sequences.
//
//   tn::Tokenizer tok(10000);                     // keep the 10000 - 2 most frequent words
//   tok.fit(train.texts());                       // the vocabulary comes from the training split only
//   auto seqs = tok.texts_to_sequences(test.texts());
//   tn::Tensor x = tn::pad_sequences(seqs, 200);  // (B, 200) float-coded word indices for Embedding
//   tok.index_to_word(int(x.at({0, 199})));       // the word behind the last position
//
// Indices: 0 = padding, 1 = out of vocabulary (a word not seen in fit, or too rare), then the
// words from 2 on, most frequent first; ties go to the word seen first in the texts (Keras orders
// its word_index the same way). With num_words = N the indices run over 0..N-1, so an Embedding
// needs input_dim = vocab_size() (= N once the texts hold at least N - 2 distinct words).
//
// Words (tokenize): the text is lowercased (ASCII A-Z only) and split into maximal runs of word
// characters: ASCII letters and digits, and every byte >= 0x80, so that UTF-8 letters such as
// "é" stay inside their word and invalid UTF-8 is carried along instead of crashing anything.
// An apostrophe between two word characters stays in the word ("don't", "o'neil"); any other
// character separates words. "It's 5 o'clock, isn't it?" -> it's 5 o'clock isn't it.
// (Keras splits on spaces after deleting punctuation; it keeps every apostrophe, even a quote's.)
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/tensor.h"

namespace tn {

using Sequence = std::vector<int>;

// Where pad_sequences pads or cuts: before the sequence (Keras' default) or after it.
enum class PadSide { pre, post };

class Tokenizer {
public:
    static constexpr int kPad = 0;
    static constexpr int kOov = 1;

    // num_words = N: the vocabulary is padding, OOV and the N - 2 most frequent words. N >= 2.
    explicit Tokenizer(int num_words);

    // The words of one text, in order (see the rules at the top).
    static std::vector<std::string> tokenize(std::string_view text);

    // Counts the words of `texts` and builds the vocabulary, replacing any earlier one.
    void fit(const std::vector<std::string>& texts);

    int num_words() const { return num_words_; }
    // Indices in use: 2 + the words kept (<= num_words). What an Embedding's input_dim must hold.
    int vocab_size() const { return static_cast<int>(words_.size()); }
    // The index of a word (already lowercase): 2..vocab_size()-1, or kOov.
    int word_index(const std::string& word) const;
    // The word of an index: "<pad>" for 0, "<oov>" for 1. Throws tn::ValueError out of range.
    const std::string& index_to_word(int index) const;
    // How often fit saw a word (0 if never), whether or not it made the vocabulary.
    int64_t word_count(const std::string& word) const;

    Sequence text_to_sequence(std::string_view text) const;
    std::vector<Sequence> texts_to_sequences(const std::vector<std::string>& texts) const;

    // The words of `text` laid out as pad_sequences(.., maxlen, padding, truncating) lays out its
    // indices: "" at padded positions, the original word (even an OOV one) elsewhere.
    // For printing words next to attention weights.
    static std::vector<std::string> padded_words(std::string_view text, int64_t maxlen,
                                                 PadSide padding = PadSide::pre,
                                                 PadSide truncating = PadSide::pre);

    // The vocabulary as a text file, one word per line in index order (lines 0 and 1 hold
    // "<pad>" and "<oov>"), so that a saved model can read new text the same way.
    void save(const std::string& path) const;
    static Tokenizer load(const std::string& path);

private:
    int num_words_;
    std::vector<std::string> words_;                  // index -> word
    std::unordered_map<std::string, int> index_;      // word -> index (words in the vocabulary)
    std::unordered_map<std::string, int64_t> counts_; // every word fit saw
};

// Keras' pad_sequences: a (B, maxlen) tensor of float-coded indices. A sequence shorter than
// maxlen is filled with `value` (padding=pre: in front); a longer one keeps its last maxlen
// entries (truncating=pre) or its first (post). maxlen must be > 0 (tn::ValueError).
// Example, maxlen 3: {5, 6} -> [0, 5, 6];  {1, 2, 3, 4} -> [2, 3, 4].
Tensor pad_sequences(const std::vector<Sequence>& seqs, int64_t maxlen, PadSide padding = PadSide::pre,
                     PadSide truncating = PadSide::pre, float value = 0.0f);

}  // namespace tn
