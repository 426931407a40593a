// tapenet io: a self-contained HTML page of texts with every word shaded by its attention weight,
// like the figures of Hierarchical Attention Networks (Yang et al., 2016).
//
//   tn::AttentionPage page;
//   page.title = "SpamAssassin: attention over words";
//   page.class_names = {"ham", "spam"};
//   page.texts.push_back({.words = {"", "free", "money"}, .weights = {0, 0.8f, 0.2f},
//                         .label = 1, .probability = 0.97f, .source = "spam/0001.txt"});
//   tn::write_attention_html(page, "out/text_classifier/attention.html");
//
// Each text is one box: its true class, the predicted class with the predicted probability of
// class 1, how peaked its attention is (the largest weight as a multiple of the uniform 1/words:
// 1x is flat), where it came from, then its words. A word's background is a red whose opacity is
// weight / (largest weight of that text), so every text shows where its own attention went; the
// exact weight is the word's tooltip. Positions whose word is "" (padding) are not shown. Wrong
// predictions come first, then the correct ones, each in the order given.
//
// Everything is escaped (html_escape), so a text can hold any bytes: invalid UTF-8 becomes U+FFFD
// and the file is always valid UTF-8. The page has no scripts and loads nothing (inline CSS only).
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace tn {

struct AttentionText {
    std::vector<std::string> words;  // one per position; "" marks padding (not shown)
    std::vector<float> weights;      // one per position: the attention weights, finite and >= 0
    int label = 0;                   // the true class: index into AttentionPage::class_names
    float probability = 0;           // the predicted probability of class 1, in [0, 1]
    std::string source;              // where the text came from (a file name), "" for none
};

struct AttentionPage {
    std::string title;                     // the page's <title> and heading
    std::string summary;                   // one paragraph of plain text under the heading ("" for none)
    std::vector<std::string> class_names;  // exactly two: class 0 and class 1
    std::vector<AttentionText> texts;
};

// The predicted class of a probability of class 1, as the models' accuracy counts it: p > 0.5.
inline int predicted_class(float probability) { return probability > 0.5f ? 1 : 0; }

// Text made safe for HTML content and attribute values: & < > " ' become entities; every byte
// that is not part of a well-formed UTF-8 sequence (and every C0 control character except tab,
// newline and carriage return, and DEL) becomes U+FFFD.
std::string html_escape(std::string_view text);

// The whole page. Throws tn::ValueError when class_names does not hold two names, a label is not
// 0 or 1, a probability is outside [0, 1] or a weight is negative or not finite; tn::ShapeError
// when a text's words and weights differ in length.
std::string render_attention_html(const AttentionPage& page);

// render_attention_html written atomically to `path` (std::runtime_error naming the path on failure).
void write_attention_html(const AttentionPage& page, const std::string& path);

}  // namespace tn
