// Tests for date_translation's data (examples/date_formats.h): the formats, the calendar, the split
// into never-overlapping train and test dates, and the character encodings.
#include <doctest/doctest.h>

#include <set>

#include "core/error.h"
#include "examples/date_formats.h"

using namespace tn::examples;

namespace date_format_tests {

int days_between_epochs() { return static_cast<int>(all_dates().size()); }

}  // namespace date_format_tests

TEST_CASE("date formats: 2019-01-20 in every human format, each one different") {
    const std::vector<std::string> expected = {
        "20JAN2019",        "JAN 20, 2019",     "01/20/19",    "20.01.2019", "Sunday, January 20, 2019",
        "January 20, 2019", "20 January 2019",  "20 Jan 2019", "01/20/2019", "20-01-2019",
        "Jan 20 2019",      "20.1.19"};
    CHECK(date_format_names() == expected);
    CHECK(date_format_count() >= 10);
    CHECK(std::set<std::string>(expected.begin(), expected.end()).size() == expected.size());
    CHECK(iso_date({2019, 1, 20}) == "2019-01-20");
    CHECK(format_date({1950, 3, 5}, 2) == "03/05/50");
    CHECK(format_date({2049, 12, 31}, 11) == "31.12.49");
    CHECK_THROWS_AS(format_date({2019, 1, 20}, 12), tn::ValueError);
    CHECK_THROWS_AS(format_date({2019, 2, 29}, 0), tn::ValueError);
    CHECK_THROWS_AS(format_date({1949, 12, 31}, 0), tn::ValueError);
    CHECK(format_date({2020, 2, 29}, 3) == "29.02.2020");
}

TEST_CASE("date formats: weekdays and the calendar of 1950-2049") {
    CHECK(weekday({2019, 1, 20}) == 6);    // Sunday
    CHECK(weekday({1970, 1, 1}) == 3);     // Thursday
    CHECK(weekday({2000, 2, 29}) == 1);    // Tuesday
    CHECK(weekday({1950, 1, 1}) == 6);     // Sunday
    // 100 years of 365 days plus the leap days 1952..2048 (2000 is one: divisible by 400).
    CHECK(date_format_tests::days_between_epochs() == 100 * 365 + 25);
    CHECK(all_dates().front() == Date{1950, 1, 1});
    CHECK(all_dates().back() == Date{2049, 12, 31});
    // The longest human date fits the encoder's input.
    size_t longest = 0;
    for (const Date& d : all_dates())
        for (int f = 0; f < date_format_count(); ++f) longest = std::max(longest, format_date(d, f).size());
    CHECK(longest == 29);  // "Wednesday, September 20, 2000"
    CHECK(longest <= static_cast<size_t>(kInputLength));
}

TEST_CASE("date formats: the split holds out dates, never the same date in both, and depends on the seed") {
    const DateSplit a = split_dates(7, 0.1);
    CHECK(a.test.size() == 3653);
    CHECK(a.train.size() + a.test.size() == all_dates().size());
    std::set<std::string> train;
    for (const Date& d : a.train) train.insert(iso_date(d));
    CHECK(train.size() == a.train.size());
    for (const Date& d : a.test) CHECK_FALSE(train.count(iso_date(d)));
    CHECK(split_dates(7, 0.1).test == a.test);
    CHECK_FALSE(split_dates(8, 0.1).test == a.test);
    CHECK_THROWS_AS(split_dates(7, 0.0), tn::ValueError);
    CHECK_THROWS_AS(split_dates(7, 1.0), tn::ValueError);
}

TEST_CASE("date formats: characters to indices and back") {
    const tn::Tensor x = encode_human_dates({"20JAN2019", "Jan 20 2019"});
    REQUIRE(x.shape() == tn::Shape{2, kInputLength});
    std::string back;
    for (int t = 0; t < kInputLength; ++t) {
        const int index = static_cast<int>(x.data()[t]);
        if (index != 0) back += input_char(index);
    }
    CHECK(back == "20jan2019");
    CHECK(x.data()[9] == 0.0f);                                     // post-padded
    CHECK(x.data()[kInputLength + 3] == 1.0f);                      // ' ' is index 1
    CHECK_THROWS_AS(encode_human_dates({"20 Jan 2019!"}), tn::ValueError);
    CHECK_THROWS_AS(encode_human_dates({std::string(33, '1')}), tn::ValueError);

    const tn::Tensor y = encode_iso_dates({"2019-01-20"});
    std::string iso;
    for (int t = 0; t < kOutputLength; ++t) iso += output_char(static_cast<int>(y.data()[t]));
    CHECK(iso == "2019-01-20");
    const tn::Tensor decoder_in = shift_right_with_start(y);
    CHECK(decoder_in.data()[0] == static_cast<float>(kOutputStart));
    for (int t = 1; t < kOutputLength; ++t) CHECK(decoder_in.data()[t] == y.data()[t - 1]);
    CHECK(output_char(kOutputStart) == '^');
    CHECK_THROWS_AS(output_char(kOutputVocabSize), tn::ValueError);
}
