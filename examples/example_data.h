// tapenet examples: finding the downloaded datasets of the text examples (docs/data.md).
//
//   tn::examples::ensure_dataset(args.data, "data/spam", "text_classifier");
//
// When the folder an example reads is missing and it is the example's default (data/...), the
// data has simply not been fetched yet: run tools/fetch_data.sh (what `make data` runs), saying
// so. A folder the user named is never fetched; loading it reports what is missing.
#pragma once

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <stdexcept>
#include <string>

namespace tn::examples {

inline void ensure_dataset(const std::string& dir, const std::string& default_dir, const std::string& program) {
    if (dir != default_dir || std::filesystem::exists(dir)) return;
    const std::string script = "tools/fetch_data.sh";
    if (!std::filesystem::exists(script))
        throw std::runtime_error("'" + dir + "' is missing and " + script +
                                 " is not here; run `make data` in the tapenet folder, or pass --data DIR");
    std::cout << program << ": '" << dir << "' is missing; fetching the datasets with " << script
              << " (what `make data` runs; needs npm and network access)\n"
              << std::flush;
    if (std::system(script.c_str()) != 0 || !std::filesystem::exists(dir))
        throw std::runtime_error(script + " did not produce '" + dir + "' (see its message above)");
}

}  // namespace tn::examples
