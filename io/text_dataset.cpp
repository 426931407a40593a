#include "io/text_dataset.h"

#include <algorithm>
#include <cmath>
#include <filesystem>
#include <sstream>
#include <map>
#include <set>
#include <stdexcept>

#include "core/error.h"
#include "core/rng.h"
#include "io/regular_file.h"

namespace tn {

namespace fs = std::filesystem;

std::vector<std::string> TextDataset::texts() const {
    std::vector<std::string> out;
    out.reserve(examples.size());
    for (const auto& e : examples) out.push_back(e.text);
    return out;
}

std::vector<int> TextDataset::labels() const {
    std::vector<int> out;
    out.reserve(examples.size());
    for (const auto& e : examples) out.push_back(e.label);
    return out;
}

Tensor TextDataset::label_tensor() const {
    std::vector<float> values;
    values.reserve(examples.size());
    for (const auto& e : examples) values.push_back(static_cast<float>(e.label));
    return Tensor::from_vector(std::move(values), {static_cast<int64_t>(examples.size()), 1});
}

std::vector<size_t> TextDataset::class_counts() const {
    std::vector<size_t> counts(class_names.size(), 0);
    for (const auto& e : examples) counts.at(static_cast<size_t>(e.label))++;
    return counts;
}

static bool hidden(const fs::path& p) { return p.filename().string().starts_with('.'); }

// The sorted entries of `dir` that pass `keep`; throws naming `dir` if it cannot be listed.
template <class Keep>
static std::vector<fs::path> list_dir(const std::string& who, const fs::path& dir, Keep keep) {
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) throw std::runtime_error(who + ": no such directory: " + dir.string());
    std::vector<fs::path> out;
    fs::directory_iterator it(dir, ec);
    if (ec) throw std::runtime_error(who + ": cannot list " + dir.string() + ": " + ec.message());
    for (const auto& entry : it)
        if (!hidden(entry.path()) && keep(entry)) out.push_back(entry.path());
    std::sort(out.begin(), out.end());  // path order is byte order of the names here
    return out;
}

// The bytes of one text file, at most kMaxTextBytes of them; throws naming the file otherwise.
static std::string read_text(const std::string& who, const fs::path& path) {
    try {
        const RegularFile file(path.string());
        if (file.size() > kMaxTextBytes)
            throw std::runtime_error("'" + path.string() + "' holds " + std::to_string(file.size()) +
                                     " bytes, more than the " + std::to_string(kMaxTextBytes >> 20) +
                                     " MiB one text may hold (kMaxTextBytes); split it into smaller files");
        return file.read(kMaxTextBytes);
    } catch (const std::runtime_error& e) {
        throw std::runtime_error(who + ": " + e.what());
    }
}

TextDataset load_text_folder(const std::string& dir, const std::vector<std::string>& classes) {
    const std::string who = "load_text_folder";
    const fs::path root(dir);
    std::vector<fs::path> class_dirs;
    if (classes.empty()) {
        class_dirs = list_dir(who, root, [](const fs::directory_entry& e) { return e.is_directory(); });
        if (class_dirs.empty())
            throw std::runtime_error(who + ": " + dir + " has no class folders (expected one subfolder per class)");
    } else {
        if (!fs::is_directory(root)) throw std::runtime_error(who + ": no such directory: " + dir);
        for (const auto& name : classes) {
            if (std::count(classes.begin(), classes.end(), name) > 1)
                throw ValueError(who + ": class '" + name + "' is listed twice");
            const fs::path class_dir = root / name;
            if (!fs::is_directory(class_dir))
                throw std::runtime_error(who + ": class folder " + class_dir.string() + " does not exist");
            class_dirs.push_back(class_dir);
        }
    }

    TextDataset ds;
    for (const auto& class_dir : class_dirs) {
        const int label = static_cast<int>(ds.class_names.size());
        ds.class_names.push_back(class_dir.filename().string());
        const auto files = list_dir(who, class_dir, [](const fs::directory_entry& e) { return e.is_regular_file(); });
        if (files.empty()) throw std::runtime_error(who + ": class folder " + class_dir.string() + " holds no files");
        for (const auto& file : files) ds.examples.push_back({read_text(who, file), label, file.string()});
    }
    return ds;
}

static std::string ascii_lower(std::string s) {
    for (char& c : s)
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    return s;
}

static std::string trim(const std::string& s) {
    const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; };
    size_t b = 0, e = s.size();
    while (b < e && space(s[b])) b++;
    while (e > b && space(s[e - 1])) e--;
    return s.substr(b, e - b);
}

TextDataset load_name_lists(const std::string& dir) {
    const std::string who = "load_name_lists";
    const auto lists = list_dir(who, fs::path(dir), [](const fs::directory_entry& e) {
        return e.is_regular_file() && e.path().extension() == ".txt";
    });
    if (lists.empty()) throw std::runtime_error(who + ": " + dir + " holds no <class>.txt name list");

    // Read every list, keeping the first line of each (case-insensitive) name within a list.
    TextDataset all;
    std::map<std::string, std::set<int>> classes_of;  // lowercased name -> labels it appears under
    for (const auto& list : lists) {
        const int label = static_cast<int>(all.class_names.size());
        all.class_names.push_back(list.stem().string());
        std::istringstream in(read_text(who, list));
        std::string line;
        for (int line_no = 1; std::getline(in, line); line_no++) {
            std::string name = trim(line);
            if (name.empty()) continue;
            auto& labels = classes_of[ascii_lower(name)];
            if (labels.insert(label).second)
                all.examples.push_back({std::move(name), label, list.string() + ":" + std::to_string(line_no)});
        }
    }

    // Drop the names that more than one list claims.
    TextDataset ds;
    ds.class_names = all.class_names;
    for (auto& e : all.examples)
        if (classes_of[ascii_lower(e.text)].size() == 1) ds.examples.push_back(std::move(e));
    const auto counts = ds.class_counts();
    for (size_t c = 0; c < counts.size(); c++)
        if (counts[c] == 0) throw std::runtime_error(who + ": " + lists[c].string() + " has no names of its own");
    return ds;
}

std::vector<size_t> shuffled_indices(size_t n, uint64_t seed) {
    std::vector<size_t> idx(n);
    for (size_t i = 0; i < n; i++) idx[i] = i;
    Rng rng(seed);
    for (size_t i = n; i > 1; i--) {  // Fisher-Yates: swap position i-1 with a uniform j in [0, i)
        const size_t j = static_cast<size_t>(rng.below(i));
        std::swap(idx[i - 1], idx[j]);
    }
    return idx;
}

std::pair<TextDataset, TextDataset> train_test_split(const TextDataset& all, double test_fraction, uint64_t seed) {
    if (!(test_fraction >= 0.0 && test_fraction <= 1.0))
        value_error("train_test_split", "test_fraction must lie in [0, 1], got " + std::to_string(test_fraction));
    const auto order = shuffled_indices(all.size(), seed);
    const auto n_test = static_cast<size_t>(std::llround(test_fraction * static_cast<double>(all.size())));
    std::pair<TextDataset, TextDataset> out;
    auto& [train, test] = out;
    train.class_names = test.class_names = all.class_names;
    for (size_t k = 0; k < order.size(); k++) (k < n_test ? test : train).examples.push_back(all.examples[order[k]]);
    return out;
}

}  // namespace tn
