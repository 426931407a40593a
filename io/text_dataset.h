// tapenet io: labelled text datasets read from disk, and a seeded train/test split.
//
//   tn::TextDataset all = tn::load_text_folder("data/spam");           // classes ham=0, spam=1
//   auto [train, test] = tn::train_test_split(all, 0.2, /*seed=*/42);  // 80% / 20%, shuffled
//   train.texts();                     // the raw texts, for the Tokenizer (io/tokenizer.h)
//   train.label_tensor();              // (B, 1) float labels for the losses of optim/loss.h
//
// Two layouts on disk:
//  * a text folder (load_text_folder): one subfolder per class, one example per file, e.g.
//        data/spam/ham/*.txt, data/spam/spam/*.txt     or IMDB's aclImdb/train/{neg,pos}/*.txt
//  * name lists (load_name_lists): one <class>.txt per class, one example per line, e.g.
//        data/names/female.txt, data/names/male.txt
// Texts are kept as the raw bytes of the files: no decoding, so invalid UTF-8 is carried through
// unchanged (the tokenizer treats bytes >= 0x80 as letters). Files and folders whose name starts
// with '.' are ignored. A folder or file that cannot be read throws std::runtime_error naming it.
// A text file or name list larger than kMaxTextBytes is refused before it is read (training on a
// text multiplies its size: a 200 MB text took 2.7 GB); so is anything but a regular file (a FIFO
// would block the loader).
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "core/tensor.h"

namespace tn {

inline constexpr int64_t kMaxTextBytes = int64_t{16} << 20;  // 16 MiB: one example file, or one name list

struct TextExample {
    std::string text;    // the file's bytes, or one line of a name list
    int label = 0;       // index into TextDataset::class_names
    std::string source;  // where it came from: the file path, or "path:line"
};

struct TextDataset {
    std::vector<std::string> class_names;  // label i is class_names[i]
    std::vector<TextExample> examples;

    size_t size() const { return examples.size(); }
    std::vector<std::string> texts() const;
    std::vector<int> labels() const;
    // The labels as a (B, 1) float tensor: what binary_crossentropy and
    // sparse_categorical_crossentropy take as y_true.
    Tensor label_tensor() const;
    // How many examples each class has, indexed by label.
    std::vector<size_t> class_counts() const;
};

// Reads a text folder. By default every subfolder of `dir` is a class, in sorted (byte) order,
// label = position; files at the top of `dir` are ignored. `classes` picks the class folders and
// their order instead (as Keras' class_names): IMDB's aclImdb/train also holds an unlabelled
// `unsup` folder, so load it with {"neg", "pos"}. Inside a class folder every regular file is one
// example (any extension), in sorted order; subfolders are not searched. Empty files give empty
// texts. Throws std::runtime_error naming the path if `dir` or a requested class folder does not
// exist, if there is no class folder, or if a class folder holds no files.
TextDataset load_text_folder(const std::string& dir, const std::vector<std::string>& classes = {});

// Reads name lists: every `<class>.txt` in `dir` is a class (sorted by class name), every
// non-blank line of it one example (surrounding spaces and a '\r' are trimmed). A name repeated
// within one list is kept once (its first line). A name that appears in two lists (compared
// case-insensitively, e.g. "Jody" in female.txt and male.txt) is ambiguous and is dropped from
// all of them. Throws std::runtime_error naming the path if `dir` is missing, holds no .txt
// file, or a list has no names left.
TextDataset load_name_lists(const std::string& dir);

// The indices 0..n-1 in a random order: a Fisher-Yates shuffle drawing from tn::Rng(seed).
std::vector<size_t> shuffled_indices(size_t n, uint64_t seed);

// Splits into (train, test): the examples are shuffled with shuffled_indices(size, seed), the
// first round(test_fraction * size) of them form the test set and the rest the training set, each
// in that shuffled order. The same seed always gives the same split. test_fraction must lie in
// [0, 1] (tn::ValueError otherwise). Not stratified: class ratios hold only on average.
std::pair<TextDataset, TextDataset> train_test_split(const TextDataset& all, double test_fraction,
                                                     uint64_t seed);

}  // namespace tn
