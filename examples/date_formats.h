// tapenet examples: the data of date_translation, dates written the way people write them, paired
// with their ISO form (the task of TensorFlow.js' "date conversion with attention" example).
//
//   tn::examples::Date d{2019, 1, 20};
//   tn::examples::format_date(d, 0);    // "20JAN2019"
//   tn::examples::format_date(d, 4);    // "Sunday, January 20, 2019"
//   tn::examples::iso_date(d);          // "2019-01-20"
//   auto split = tn::examples::split_dates(/*seed=*/7, /*held_out=*/0.1);
//   // split.train and split.test: every date of 1950-2049 exactly once, never in both
//
// Two-digit years ("01/20/19") are unambiguous because the dates span exactly one century:
// 50..99 are 1950..1999 and 00..49 are 2000..2049.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/tensor.h"

namespace tn::examples {

inline constexpr int kFirstYear = 1950;
inline constexpr int kLastYear = 2049;

struct Date {
    int year;   // kFirstYear..kLastYear
    int month;  // 1..12
    int day;    // 1..days_in_month
    bool operator==(const Date&) const = default;
};

// The human formats, in the order format_date numbers them ("20JAN2019", "JAN 20, 2019", ...:
// each name is 2019-01-20 written in that format).
const std::vector<std::string>& date_format_names();
int date_format_count();

// `d` written in human format `format` (0 <= format < date_format_count()).
std::string format_date(const Date& d, int format);
// "YYYY-MM-DD".
std::string iso_date(const Date& d);
// 0 = Monday .. 6 = Sunday (proleptic Gregorian calendar).
int weekday(const Date& d);
// Every date from 1950-01-01 to 2049-12-31, in order.
std::vector<Date> all_dates();

struct DateSplit {
    std::vector<Date> train;
    std::vector<Date> test;
};
// All dates shuffled with `seed`; the first round(held_out * count) are the test set.
// Throws tn::ValueError unless 0 < held_out < 1.
DateSplit split_dates(uint64_t seed, double held_out);

// ---- characters to indices ----
// Input: 0 is padding, then the characters a human date uses, lowercased (kInputAlphabet).
// Output: 0 is padding, 1 the start token the decoder is fed first, then "0123456789-".
inline constexpr std::string_view kInputAlphabet = " ,-./0123456789abcdefghijklmnopqrstuvwxyz";
inline constexpr std::string_view kOutputAlphabet = "0123456789-";
inline constexpr int kInputVocabSize = 1 + static_cast<int>(kInputAlphabet.size());
inline constexpr int kOutputStart = 1;
inline constexpr int kOutputVocabSize = 2 + static_cast<int>(kOutputAlphabet.size());
inline constexpr int kInputLength = 32;   // longer than the longest format ("Wednesday, September 20, 2019")
inline constexpr int kOutputLength = 10;  // "YYYY-MM-DD"

// (N, kInputLength) indices, post-padded with 0 (a mask_zero Embedding masks the padding).
// Throws tn::ValueError on a character outside the alphabet or a text longer than kInputLength.
Tensor encode_human_dates(const std::vector<std::string>& texts);
// (N, kOutputLength) indices of the ISO strings: the decoder's targets.
Tensor encode_iso_dates(const std::vector<std::string>& isos);
// The decoder's inputs under teacher forcing: the targets shifted right by one, kOutputStart first.
Tensor shift_right_with_start(const Tensor& targets);
// Index -> character (padding '\0', start '^').
char input_char(int index);
char output_char(int index);

}  // namespace tn::examples
