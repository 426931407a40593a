// tapenet io: text taken from a file (a layer name, a path, a message quoting them) made safe to
// print on a terminal.
//
//   std::cerr << "tapenet-predict: " << tn::terminal_safe(e.what()) << "\n";
//
// The bytes a terminal would act on are written as \xHH: C0 controls and DEL, and the C1 controls
// U+0080-U+009F as UTF-8 (0xC2 0x80-0x9F), so a hostile model name cannot move the cursor, set a
// mode or retitle the window. Newlines are kept when asked (a summary table's line breaks: a
// newline inside a name then breaks a line, which moves no cursor and sets no mode).
#pragma once

#include <string>

namespace tn {

std::string terminal_safe(const std::string& text, bool keep_newlines = false);

}  // namespace tn
