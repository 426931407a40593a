// Tests for the text data helpers: io/text_dataset, io/tokenizer, io/char_encoder.
// The fixtures live in tests/fixtures/text (see its README.md); nothing is downloaded.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <limits>
#include <map>
#include <set>

#include "core/error.h"
#include "io/char_encoder.h"
#include "io/text_dataset.h"
#include "io/tokenizer.h"

using namespace tn;

static const std::string kFixtures = "tests/fixtures/text";

static std::vector<float> row(const Tensor& t, int64_t r) {
    const auto v = t.to_vector();
    const int64_t w = t.dim(1);
    return {v.begin() + r * w, v.begin() + (r + 1) * w};
}

static std::vector<std::string> sources(const TextDataset& ds) {
    std::vector<std::string> out;
    for (const auto& e : ds.examples) out.push_back(e.source);
    return out;
}

TEST_CASE("text data: load_text_folder reads one class per subfolder, sorted, label = index") {
    const TextDataset ds = load_text_folder(kFixtures + "/folder");
    CHECK(ds.class_names == std::vector<std::string>{"neg", "pos"});
    // notes.txt at the top and pos/.hidden.txt are not examples; files come in name order.
    REQUIRE(ds.size() == 5);
    CHECK(sources(ds) == std::vector<std::string>{kFixtures + "/folder/neg/a.txt", kFixtures + "/folder/neg/b.txt",
                                                  kFixtures + "/folder/neg/empty.txt", kFixtures + "/folder/pos/c.txt",
                                                  kFixtures + "/folder/pos/d.txt"});
    CHECK(ds.labels() == std::vector<int>{0, 0, 0, 1, 1});
    CHECK(ds.examples[0].text == "The movie was bad. Bad, bad acting!\n");
    CHECK(ds.examples[2].text.empty());                                  // an empty file is an empty text
    CHECK(ds.examples[4].text == std::string("Caf\xe9 movie \xff\xfe was GOOD\n"));  // raw bytes, kept
    CHECK(ds.class_counts() == std::vector<size_t>{3, 2});

    const Tensor y = ds.label_tensor();
    CHECK(y.shape() == Shape{5, 1});
    CHECK(y.to_vector() == std::vector<float>{0, 0, 0, 1, 1});
}

TEST_CASE("text data: load_text_folder with explicit classes follows their order") {
    const TextDataset ds = load_text_folder(kFixtures + "/folder", {"pos", "neg"});
    CHECK(ds.class_names == std::vector<std::string>{"pos", "neg"});
    CHECK(ds.labels() == std::vector<int>{0, 0, 1, 1, 1});
    CHECK(ds.examples[0].source == kFixtures + "/folder/pos/c.txt");
}

TEST_CASE("text data: load_text_folder names the path in its errors") {
    const std::string missing = kFixtures + "/does_not_exist";
    CHECK_THROWS_WITH_AS(load_text_folder(missing), doctest::Contains(("no such directory: " + missing).c_str()),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_text_folder(missing, {"neg"}),
                         doctest::Contains(("no such directory: " + missing).c_str()), std::runtime_error);
    // A requested class folder that is not there.
    CHECK_THROWS_WITH_AS(load_text_folder(kFixtures + "/folder", {"neg", "spam"}),
                         doctest::Contains(("class folder " + kFixtures + "/folder/spam does not exist").c_str()),
                         std::runtime_error);
    // A class folder with no files (only a hidden .gitkeep).
    CHECK_THROWS_WITH_AS(load_text_folder(kFixtures + "/empty_class"),
                         doctest::Contains(("class folder " + kFixtures + "/empty_class/b holds no files").c_str()),
                         std::runtime_error);
    // A folder with files but no subfolders.
    CHECK_THROWS_WITH_AS(load_text_folder(kFixtures + "/no_classes"),
                         doctest::Contains((kFixtures + "/no_classes has no class folders").c_str()),
                         std::runtime_error);
    CHECK_THROWS_AS(load_text_folder(kFixtures + "/folder", {"neg", "neg"}), ValueError);
}

TEST_CASE("text data: load_name_lists drops duplicates and names claimed by two lists") {
    const TextDataset ds = load_name_lists(kFixtures + "/names");
    CHECK(ds.class_names == std::vector<std::string>{"female", "male"});
    // female.txt: Anna, "  Jody  ", "Mary-Jo\r", anna (repeat), blank, Zoë.  male.txt: Bob, JODY, Jean-Luc.
    // Jody/JODY is in both lists, so it goes; "anna" repeats "Anna" and keeps the first line.
    CHECK(ds.texts() == std::vector<std::string>{"Anna", "Mary-Jo", "Zo\xc3\xab", "Bob", "Jean-Luc"});
    CHECK(ds.labels() == std::vector<int>{0, 0, 0, 1, 1});
    CHECK(ds.examples[1].source == kFixtures + "/names/female.txt:3");
    CHECK(ds.examples[4].source == kFixtures + "/names/male.txt:3");

    CHECK_THROWS_WITH_AS(load_name_lists(kFixtures + "/names_shared"),
                         doctest::Contains((kFixtures + "/names_shared/a.txt has no names of its own").c_str()),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_name_lists(kFixtures + "/empty_class"),
                         doctest::Contains((kFixtures + "/empty_class holds no <class>.txt").c_str()),
                         std::runtime_error);
    CHECK_THROWS_WITH_AS(load_name_lists(kFixtures + "/nope"),
                         doctest::Contains(("no such directory: " + kFixtures + "/nope").c_str()), std::runtime_error);
}

TEST_CASE("text data: shuffled_indices is a seeded, uniform Fisher-Yates permutation") {
    const auto a = shuffled_indices(10, 7);
    CHECK(a == shuffled_indices(10, 7));
    CHECK(a != shuffled_indices(10, 8));
    CHECK(std::set<size_t>(a.begin(), a.end()).size() == 10);
    CHECK(*std::max_element(a.begin(), a.end()) == 9);
    CHECK(shuffled_indices(0, 1).empty());
    CHECK(shuffled_indices(1, 1) == std::vector<size_t>{0});

    // Each of the 3! orders of 3 items must come up 1/6 of the time. 24000 draws: expected 4000
    // each, standard deviation 58; the classic bugs (j drawn from all n: counts 4/27 and 5/27 of
    // 24000 = 3556 / 4444; Sattolo's j < i: only 2 orders) miss the +-240 band by far.
    std::map<std::vector<size_t>, int> seen;
    for (uint64_t seed = 0; seed < 24000; seed++) seen[shuffled_indices(3, seed)]++;
    CHECK(seen.size() == 6);
    for (const auto& [order, count] : seen) CHECK(std::abs(count - 4000) < 240);
}

TEST_CASE("text data: train_test_split is deterministic by seed and partitions the data") {
    const TextDataset all = load_text_folder(kFixtures + "/folder");
    const auto [train, test] = train_test_split(all, 0.4, 3);
    CHECK(test.size() == 2);  // round(0.4 * 5)
    CHECK(train.size() == 3);
    CHECK(train.class_names == all.class_names);
    CHECK(test.class_names == all.class_names);

    std::set<std::string> both;
    for (const auto& s : sources(train)) both.insert(s);
    for (const auto& s : sources(test)) both.insert(s);
    CHECK(both.size() == 5);  // disjoint, and nothing lost
    for (const auto& e : test.examples) {  // each example keeps its own label
        const auto it = std::find_if(all.examples.begin(), all.examples.end(),
                                     [&](const TextExample& a) { return a.source == e.source; });
        REQUIRE(it != all.examples.end());
        CHECK(it->label == e.label);
    }

    // The split order is the shuffled order: test = the first 2 of shuffled_indices(5, 3).
    const auto order = shuffled_indices(5, 3);
    CHECK(test.examples[0].source == all.examples[order[0]].source);
    CHECK(test.examples[1].source == all.examples[order[1]].source);
    CHECK(train.examples[0].source == all.examples[order[2]].source);

    const auto again = train_test_split(all, 0.4, 3);
    CHECK(sources(again.first) == sources(train));
    CHECK(sources(again.second) == sources(test));
    const auto other = train_test_split(all, 0.4, 4);
    CHECK(sources(other.first) != sources(train));

    CHECK(train_test_split(all, 0.0, 1).second.size() == 0);
    CHECK(train_test_split(all, 1.0, 1).first.size() == 0);
    CHECK_THROWS_AS(train_test_split(all, 1.5, 1), ValueError);
    CHECK_THROWS_AS(train_test_split(all, -0.1, 1), ValueError);
    CHECK_THROWS_AS(train_test_split(all, std::numeric_limits<double>::quiet_NaN(), 1), ValueError);
}

TEST_CASE("text data: tokenize lowercases, splits on non-word bytes, keeps inner apostrophes") {
    using W = std::vector<std::string>;
    CHECK(Tokenizer::tokenize("It's 5 o'clock, isn't it?") == W{"it's", "5", "o'clock", "isn't", "it"});
    CHECK(Tokenizer::tokenize("'Quoted' words'' and rock'n'roll_2x") == W{"quoted", "words", "and", "rock'n'roll", "2x"});
    CHECK(Tokenizer::tokenize("<br /><br />Hello-World") == W{"br", "br", "hello", "world"});
    CHECK(Tokenizer::tokenize("").empty());
    CHECK(Tokenizer::tokenize(" \n\t.,!").empty());
    // Bytes >= 0x80 are letters: UTF-8 words stay whole, invalid bytes do not crash anything.
    CHECK(Tokenizer::tokenize("Caf\xc3\xa9 CAF\xe9 \xff\xfe!") == W{"caf\xc3\xa9", "caf\xe9", "\xff\xfe"});
}

TEST_CASE("text data: Tokenizer counts words and orders the vocabulary by count, then first appearance") {
    const TextDataset all = load_text_folder(kFixtures + "/folder");
    Tokenizer tok(100);
    tok.fit(all.texts());
    // Worked out by hand from the five fixture files:
    //   good 4; movie 3, was 3, bad 3; the 2, acting 2, plot 2; then the words seen once, in order.
    const std::vector<std::string> expected{"<pad>", "<oov>", "good",   "movie", "was",  "bad",
                                            "the",   "acting", "plot",  "i",     "didn't", "like",
                                            "it",    "thin",  "a",      "caf\xe9", "\xff\xfe"};
    REQUIRE(tok.vocab_size() == static_cast<int>(expected.size()));
    for (int i = 0; i < tok.vocab_size(); i++) CHECK(tok.index_to_word(i) == expected[static_cast<size_t>(i)]);
    CHECK(tok.word_count("good") == 4);
    CHECK(tok.word_count("bad") == 3);
    CHECK(tok.word_count("the") == 2);
    CHECK(tok.word_count("thin") == 1);
    CHECK(tok.word_count("absent") == 0);
    CHECK(tok.word_index("acting") == 7);
    CHECK(tok.word_index("absent") == Tokenizer::kOov);
    CHECK_THROWS_AS(tok.index_to_word(17), ValueError);
    CHECK_THROWS_AS(tok.index_to_word(-1), ValueError);

    // num_words = 8 keeps 8 - 2 = 6 words (good..acting); the rest becomes OOV = 1.
    Tokenizer small(8);
    small.fit(all.texts());
    CHECK(small.vocab_size() == 8);
    CHECK(small.word_index("acting") == 7);
    CHECK(small.word_index("plot") == Tokenizer::kOov);
    CHECK(small.word_count("plot") == 2);  // counted, just not kept
    CHECK(small.text_to_sequence("I didn't like it; the plot was thin.") == Sequence{1, 1, 1, 1, 6, 1, 4, 1});
    CHECK(small.texts_to_sequences({"The movie was bad. Bad, bad acting!", "", "unseen GOOD"}) ==
          std::vector<Sequence>{{6, 3, 4, 5, 5, 5, 7}, {}, {1, 2}});

    // Refitting replaces the vocabulary.
    small.fit({"zebra zebra yak"});
    CHECK(small.vocab_size() == 4);
    CHECK(small.word_index("zebra") == 2);
    CHECK(small.word_index("good") == Tokenizer::kOov);

    CHECK_THROWS_AS(Tokenizer(1), ValueError);
}

TEST_CASE("text data: pad_sequences pads and truncates like Keras (pre by default)") {
    const std::vector<Sequence> seqs{{6, 3, 4, 5, 5, 5, 7}, {}, {2, 3}, {9, 8, 7, 6, 5}};
    const Tensor x = pad_sequences(seqs, 5);
    CHECK(x.shape() == Shape{4, 5});
    CHECK(row(x, 0) == std::vector<float>{4, 5, 5, 5, 7});  // the last 5 kept
    CHECK(row(x, 1) == std::vector<float>{0, 0, 0, 0, 0});
    CHECK(row(x, 2) == std::vector<float>{0, 0, 0, 2, 3});  // zeros in front
    CHECK(row(x, 3) == std::vector<float>{9, 8, 7, 6, 5});  // exactly maxlen: unchanged

    const Tensor post = pad_sequences(seqs, 5, PadSide::post, PadSide::post, -1.0f);
    CHECK(row(post, 0) == std::vector<float>{6, 3, 4, 5, 5});  // the first 5 kept
    CHECK(row(post, 1) == std::vector<float>{-1, -1, -1, -1, -1});
    CHECK(row(post, 2) == std::vector<float>{2, 3, -1, -1, -1});

    const Tensor mixed = pad_sequences(seqs, 3, PadSide::post, PadSide::pre);
    CHECK(row(mixed, 0) == std::vector<float>{5, 5, 7});
    CHECK(row(mixed, 2) == std::vector<float>{2, 3, 0});

    CHECK(pad_sequences({}, 4).shape() == Shape{0, 4});
    CHECK_THROWS_AS(pad_sequences(seqs, 0), ValueError);
}

TEST_CASE("text data: padded_words lines words up with pad_sequences' positions") {
    Tokenizer tok(4);
    tok.fit({"b a b"});  // b = 2, a = 3
    const std::string text = "x a b a y";
    const auto words = Tokenizer::padded_words(text, 4);
    CHECK(words == std::vector<std::string>{"a", "b", "a", "y"});
    CHECK(row(pad_sequences({tok.text_to_sequence(text)}, 4), 0) == std::vector<float>{3, 2, 3, 1});
    CHECK(Tokenizer::padded_words("a b", 4) == std::vector<std::string>{"", "", "a", "b"});
    CHECK(Tokenizer::padded_words("x a b a y", 3, PadSide::pre, PadSide::post) ==
          std::vector<std::string>{"x", "a", "b"});
}

TEST_CASE("text data: Tokenizer save and load keep the same indices") {
    const TextDataset all = load_text_folder(kFixtures + "/folder");
    Tokenizer tok(10);
    tok.fit(all.texts());
    const std::string path = (std::filesystem::temp_directory_path() / "tapenet_test_vocab.txt").string();
    tok.save(path);
    const Tokenizer back = Tokenizer::load(path);
    CHECK(back.vocab_size() == 10);
    for (int i = 0; i < 10; i++) CHECK(back.index_to_word(i) == tok.index_to_word(i));
    CHECK(back.texts_to_sequences(all.texts()) == tok.texts_to_sequences(all.texts()));

    {
        std::ofstream bad(path);
        bad << "hello\nworld\n";
    }
    CHECK_THROWS_WITH_AS(Tokenizer::load(path), doctest::Contains((path + " is not a vocabulary file").c_str()),
                         ValueError);
    {
        std::ofstream dup(path);
        dup << "<pad>\n<oov>\nword\nword\n";
    }
    CHECK_THROWS_WITH_AS(Tokenizer::load(path), doctest::Contains((path + ":4: 'word' appears twice").c_str()),
                         ValueError);
    std::remove(path.c_str());
    CHECK_THROWS_WITH_AS(Tokenizer::load(path), doctest::Contains(("cannot read " + path).c_str()),
                         std::runtime_error);
}

TEST_CASE("text data: encode_chars maps a-z to 1..26, anything else to 27, pre-pads and pre-truncates") {
    CHECK(char_index('a') == 1);
    CHECK(char_index('Z') == 26);
    CHECK(char_index('-') == kCharOther);
    CHECK(char_index('\xc3') == kCharOther);
    CHECK(index_to_char(1) == 'a');
    CHECK(index_to_char(26) == 'z');
    CHECK(index_to_char(kCharOther) == '?');
    CHECK(index_to_char(kCharPad) == '\0');
    CHECK_THROWS_AS(index_to_char(28), ValueError);

    // A n n a - M a r i a -> 1 14 14 1 27 13 1 18 9 1;  B o b -> 2 15 2;  "ndra" of Alexandra -> 14 4 18 1.
    const Tensor x = encode_chars({"Anna-Maria", "Bob", "Alexandra", "Zo\xc3\xab"}, 12);
    CHECK(x.shape() == Shape{4, 12});
    CHECK(row(x, 0) == std::vector<float>{0, 0, 1, 14, 14, 1, 27, 13, 1, 18, 9, 1});
    CHECK(row(x, 1) == std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 0, 2, 15, 2});
    CHECK(row(x, 3) == std::vector<float>{0, 0, 0, 0, 0, 0, 0, 0, 26, 15, 27, 27});  // one index per byte
    CHECK(row(encode_chars({"Alexandra"}, 4), 0) == std::vector<float>{14, 4, 18, 1});
}
