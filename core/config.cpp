#include "core/config.h"

#include "core/error.h"

namespace tn {

void ConfigReader::unsupported_if_true(std::string_view key) const {
    if (boolean(key, false)) fail("'" + std::string(key) + ": true' is not supported by tapenet");
}

bool ConfigReader::is_null(std::string_view) const { return false; }

void ConfigReader::fail(const std::string& message) const { value_error(where(), message); }

}  // namespace tn
