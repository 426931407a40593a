#include "io/terminal_text.h"

#include <cstdio>

namespace tn {

std::string terminal_safe(const std::string& text, bool keep_newlines) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        const auto c = static_cast<unsigned char>(text[i]);
        const bool c1 = c == 0xC2 && i + 1 < text.size() && static_cast<unsigned char>(text[i + 1]) >= 0x80 &&
                        static_cast<unsigned char>(text[i + 1]) <= 0x9F;
        if ((c < 0x20 && !(keep_newlines && c == '\n')) || c == 0x7F || c1) {
            char buf[16];
            if (c1)
                std::snprintf(buf, sizeof buf, "\\xc2\\x%02x", static_cast<unsigned char>(text[++i]));
            else
                std::snprintf(buf, sizeof buf, "\\x%02x", c);
            out += buf;
        } else {
            out += static_cast<char>(c);
        }
    }
    return out;
}

}  // namespace tn
