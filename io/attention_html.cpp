#include "io/attention_html.h"

#include <algorithm>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "io/atomic_file.h"

namespace tn {

namespace {

// The length of the well-formed UTF-8 sequence that starts at s[i] (Unicode's Table 3-7: no
// overlong forms, no surrogates, nothing above U+10FFFF), or 0 if the bytes there are not one.
size_t utf8_sequence_length(std::string_view s, size_t i) {
    const auto byte = [&](size_t k) { return static_cast<unsigned char>(s[k]); };
    const auto in = [&](size_t k, unsigned lo, unsigned hi) { return k < s.size() && byte(k) >= lo && byte(k) <= hi; };
    const unsigned b0 = byte(i);
    if (b0 < 0x80) return 1;
    if (b0 >= 0xC2 && b0 <= 0xDF) return in(i + 1, 0x80, 0xBF) ? 2 : 0;
    if (b0 >= 0xE0 && b0 <= 0xEF) {
        const unsigned lo = b0 == 0xE0 ? 0xA0 : 0x80, hi = b0 == 0xED ? 0x9F : 0xBF;
        return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) ? 3 : 0;
    }
    if (b0 >= 0xF0 && b0 <= 0xF4) {
        const unsigned lo = b0 == 0xF0 ? 0x90 : 0x80, hi = b0 == 0xF4 ? 0x8F : 0xBF;
        return in(i + 1, lo, hi) && in(i + 2, 0x80, 0xBF) && in(i + 3, 0x80, 0xBF) ? 4 : 0;
    }
    return 0;  // a continuation byte out of place, C0, C1 or F5..FF
}

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

std::string format(const char* fmt, double v) {
    char buf[64];
    std::snprintf(buf, sizeof buf, fmt, v);
    return buf;
}

void validate(const AttentionPage& page) {
    const std::string who = "attention_html";
    if (page.class_names.size() != 2)
        value_error(who, "needs exactly 2 class names (class 0 and class 1), got " +
                             std::to_string(page.class_names.size()));
    for (size_t i = 0; i < page.texts.size(); ++i) {
        const AttentionText& t = page.texts[i];
        const std::string which = "text " + std::to_string(i) + (t.source.empty() ? "" : " (" + t.source + ")");
        if (t.words.size() != t.weights.size())
            shape_error(who, which + " has " + std::to_string(t.words.size()) + " words but " +
                                 std::to_string(t.weights.size()) + " weights");
        if (t.label != 0 && t.label != 1)
            value_error(who, which + ": label must be 0 or 1, got " + std::to_string(t.label));
        if (!(t.probability >= 0.0f && t.probability <= 1.0f))
            value_error(who, which + ": probability must lie in [0, 1], got " + std::to_string(t.probability));
        for (float w : t.weights)
            if (!std::isfinite(w) || w < 0.0f)
                value_error(who, which + ": attention weights must be finite and >= 0, got " + std::to_string(w));
    }
}

void render_text(const AttentionText& t, const AttentionPage& page, std::string& html) {
    const int predicted = predicted_class(t.probability);
    html += predicted == t.label ? "<div class=\"text correct\">\n" : "<div class=\"text wrong\">\n";
    html += "<div class=\"meta\">true: <b>" + html_escape(page.class_names[static_cast<size_t>(t.label)]) +
            "</b> &middot; predicted: <b>" + html_escape(page.class_names[static_cast<size_t>(predicted)]) +
            "</b> (p(" + html_escape(page.class_names[1]) + ") = " + format("%.3f", t.probability) + ")";
    float largest = 0.0f;
    int shown = 0;
    for (size_t k = 0; k < t.words.size(); ++k)
        if (!t.words[k].empty()) {
            largest = std::max(largest, t.weights[k]);
            ++shown;
        }
    // How peaked the attention is: the largest weight against the uniform 1/words (1x = flat).
    html += " &middot; largest weight " + format("%.3g", largest) + " = " + format("%.1f", largest * shown) +
            "&times; uniform (" + std::to_string(shown) + " words)";
    if (!t.source.empty()) html += " &middot; <span class=\"source\">" + html_escape(t.source) + "</span>";
    html += "</div>\n";
    bool first = true;
    for (size_t k = 0; k < t.words.size(); ++k) {
        if (t.words[k].empty()) continue;
        const double opacity = largest > 0.0f ? t.weights[k] / largest : 0.0;
        if (!first) html += ' ';
        first = false;
        html += "<span style=\"background:rgba(214,39,40," + format("%.2f", opacity) + ")\" title=\"" +
                format("%.3g", t.weights[k]) + "\">" + html_escape(t.words[k]) + "</span>";
    }
    html += "\n</div>\n";
}

}  // namespace

std::string html_escape(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (size_t i = 0; i < text.size();) {
        const size_t n = utf8_sequence_length(text, i);
        if (n == 0) {
            out += kReplacement;
            ++i;
            continue;
        }
        if (n > 1) {
            out.append(text.substr(i, n));
            i += n;
            continue;
        }
        const char c = text[i++];
        switch (c) {
            case '&': out += "&amp;"; break;
            case '<': out += "&lt;"; break;
            case '>': out += "&gt;"; break;
            case '"': out += "&quot;"; break;
            case '\'': out += "&#39;"; break;
            case '\t': case '\n': case '\r': out += c; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7F) out += kReplacement;
                else out += c;
        }
    }
    return out;
}

std::string render_attention_html(const AttentionPage& page) {
    validate(page);
    std::vector<const AttentionText*> wrong, correct;
    for (const AttentionText& t : page.texts)
        (predicted_class(t.probability) == t.label ? correct : wrong).push_back(&t);

    std::string html =
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<title>" + html_escape(page.title) +
        "</title>\n<style>\n"
        "body { font-family: sans-serif; max-width: 60em; margin: 2em auto; padding: 0 1em; color: #222; }\n"
        ".text { border: 1px solid #ccc; border-radius: 4px; padding: 0.5em 0.8em; margin: 0.8em 0; line-height: 1.8; }\n"
        ".wrong { border-left: 6px solid #c62828; }\n"
        ".correct { border-left: 6px solid #2e7d32; }\n"
        ".meta { font-size: 0.85em; color: #555; }\n"
        ".source { font-family: monospace; }\n"
        "span[title] { padding: 0.1em 0.15em; border-radius: 2px; }\n"
        "</style>\n</head>\n<body>\n<h1>" + html_escape(page.title) + "</h1>\n";
    if (!page.summary.empty()) html += "<p>" + html_escape(page.summary) + "</p>\n";
    html += "<p class=\"meta\">Each word's background shows its attention weight relative to the largest weight in "
            "the same text (";
    for (double level : {0.1, 0.25, 0.5, 0.75, 1.0})
        html += "<span style=\"background:rgba(214,39,40," + format("%.2f", level) + ")\" title=\"" +
                format("%.2f", level) + "\">" + format("%.2f", level) + "</span> ";
    html += "of the largest); hover over a word for its weight. Padding is not shown.</p>\n";

    const auto section = [&](const char* heading, const std::vector<const AttentionText*>& texts) {
        html += "<h2>" + std::string(heading) + " (" + std::to_string(texts.size()) + ")</h2>\n";
        if (texts.empty()) html += "<p>None.</p>\n";
        for (const AttentionText* t : texts) render_text(*t, page, html);
    };
    section("Wrong predictions", wrong);
    section("Correct predictions", correct);
    html += "</body>\n</html>\n";
    return html;
}

void write_attention_html(const AttentionPage& page, const std::string& path) {
    write_file_atomically(path, render_attention_html(page));
}

}  // namespace tn
