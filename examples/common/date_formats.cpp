#include "examples/date_formats.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>

#include "core/error.h"
#include "core/rng.h"

namespace tn::examples {
namespace {

constexpr const char* kMonths[] = {"January", "February", "March",     "April",   "May",      "June",
                                   "July",    "August",   "September", "October", "November", "December"};
constexpr const char* kWeekdays[] = {"Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"};

bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int y, int m) {
    constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    return m == 2 && is_leap(y) ? 29 : kDays[m - 1];
}

std::string upper(std::string s) {
    for (char& c : s) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    return s;
}

std::string month_abbrev(const Date& d) { return std::string(kMonths[d.month - 1]).substr(0, 3); }

// printf into a std::string (every format here is at most a few dozen characters).
template <typename... Args>
std::string print(const char* format, Args... args) {
    char buffer[64];
    std::snprintf(buffer, sizeof buffer, format, args...);
    return buffer;
}

void check_date(const Date& d) {
    if (d.year < kFirstYear || d.year > kLastYear || d.month < 1 || d.month > 12 || d.day < 1 ||
        d.day > days_in_month(d.year, d.month))
        value_error("format_date", print("%d-%d-%d is not a date of %d..%d", d.year, d.month, d.day,
                                               kFirstYear, kLastYear));
}

Tensor encode(const std::vector<std::string>& texts, int64_t length, const char* what,
              int (*index_of)(char)) {
    Tensor out = Tensor::zeros({static_cast<int64_t>(texts.size()), length});
    float* p = out.data();
    for (size_t n = 0; n < texts.size(); ++n) {
        if (static_cast<int64_t>(texts[n].size()) > length)
            value_error(what, "'" + texts[n] + "' is longer than " + std::to_string(length) + " characters");
        for (size_t t = 0; t < texts[n].size(); ++t) {
            const int index = index_of(texts[n][t]);
            if (index < 0)
                value_error(what, "'" + texts[n] + "' has a character outside the alphabet");
            p[static_cast<int64_t>(n) * length + static_cast<int64_t>(t)] = static_cast<float>(index);
        }
    }
    return out;
}

int input_index(char c) {
    const auto at = kInputAlphabet.find(static_cast<char>(std::tolower(static_cast<unsigned char>(c))));
    return at == std::string_view::npos ? -1 : 1 + static_cast<int>(at);
}

int output_index(char c) {
    const auto at = kOutputAlphabet.find(c);
    return at == std::string_view::npos ? -1 : 2 + static_cast<int>(at);
}

}  // namespace

const std::vector<std::string>& date_format_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> out;
        for (int f = 0; f < date_format_count(); ++f) out.push_back(format_date({2019, 1, 20}, f));
        return out;
    }();
    return names;
}

int date_format_count() { return 12; }

std::string format_date(const Date& d, int format) {
    check_date(d);
    const std::string month = kMonths[d.month - 1];
    const int yy = d.year % 100;
    switch (format) {
        case 0: return print("%02d%s%d", d.day, upper(month_abbrev(d)).c_str(), d.year);       // 20JAN2019
        case 1: return print("%s %d, %d", upper(month_abbrev(d)).c_str(), d.day, d.year);      // JAN 20, 2019
        case 2: return print("%02d/%02d/%02d", d.month, d.day, yy);                            // 01/20/19
        case 3: return print("%02d.%02d.%d", d.day, d.month, d.year);                          // 20.01.2019
        case 4: return print("%s, %s %d, %d", kWeekdays[weekday(d)], month.c_str(), d.day, d.year);
        case 5: return print("%s %d, %d", month.c_str(), d.day, d.year);                       // January 20, 2019
        case 6: return print("%d %s %d", d.day, month.c_str(), d.year);                        // 20 January 2019
        case 7: return print("%d %s %d", d.day, month_abbrev(d).c_str(), d.year);              // 20 Jan 2019
        case 8: return print("%02d/%02d/%d", d.month, d.day, d.year);                          // 01/20/2019
        case 9: return print("%02d-%02d-%d", d.day, d.month, d.year);                          // 20-01-2019
        case 10: return print("%s %d %d", month_abbrev(d).c_str(), d.day, d.year);             // Jan 20 2019
        case 11: return print("%d.%d.%02d", d.day, d.month, yy);                               // 20.1.19
        default:
            value_error("format_date", "format " + std::to_string(format) + " is not in [0, " +
                                                 std::to_string(date_format_count()) + ")");
    }
}

std::string iso_date(const Date& d) {
    check_date(d);
    return print("%04d-%02d-%02d", d.year, d.month, d.day);
}

// Days since 1970-01-01 by Howard Hinnant's days_from_civil; 1970-01-01 was a Thursday (3).
int weekday(const Date& d) {
    const int y = d.month <= 2 ? d.year - 1 : d.year;
    const int era = (y >= 0 ? y : y - 399) / 400;
    const int yoe = y - era * 400;
    const int doy = (153 * (d.month + (d.month > 2 ? -3 : 9)) + 2) / 5 + d.day - 1;
    const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    const long days = static_cast<long>(era) * 146097 + doe - 719468;
    return static_cast<int>(((days % 7) + 7 + 3) % 7);
}

std::vector<Date> all_dates() {
    std::vector<Date> out;
    for (int y = kFirstYear; y <= kLastYear; ++y)
        for (int m = 1; m <= 12; ++m)
            for (int day = 1; day <= days_in_month(y, m); ++day) out.push_back({y, m, day});
    return out;
}

DateSplit split_dates(uint64_t seed, double held_out) {
    if (!(held_out > 0.0 && held_out < 1.0))
        value_error("split_dates", "held_out must be in (0, 1), got " + std::to_string(held_out));
    std::vector<Date> dates = all_dates();
    Rng rng(seed);
    for (size_t i = dates.size() - 1; i > 0; --i) std::swap(dates[i], dates[rng.below(i + 1)]);  // Fisher-Yates
    const auto n_test = static_cast<size_t>(std::lround(held_out * static_cast<double>(dates.size())));
    DateSplit split;
    split.test.assign(dates.begin(), dates.begin() + static_cast<std::ptrdiff_t>(n_test));
    split.train.assign(dates.begin() + static_cast<std::ptrdiff_t>(n_test), dates.end());
    return split;
}

Tensor encode_human_dates(const std::vector<std::string>& texts) {
    return encode(texts, kInputLength, "encode_human_dates", input_index);
}

Tensor encode_iso_dates(const std::vector<std::string>& isos) {
    return encode(isos, kOutputLength, "encode_iso_dates", output_index);
}

Tensor shift_right_with_start(const Tensor& targets) {
    if (targets.ndim() != 2) shape_error("shift_right_with_start", "targets must be (N, T)");
    const int64_t n = targets.dim(0), t = targets.dim(1);
    Tensor out = Tensor::zeros({n, t});
    for (int64_t r = 0; r < n; ++r) {
        out.data()[r * t] = static_cast<float>(kOutputStart);
        for (int64_t k = 1; k < t; ++k) out.data()[r * t + k] = targets.data()[r * t + k - 1];
    }
    return out;
}

char input_char(int index) {
    if (index == 0) return '\0';
    if (index < 1 || index >= kInputVocabSize) value_error("input_char", "index " + std::to_string(index));
    return kInputAlphabet[static_cast<size_t>(index - 1)];
}

char output_char(int index) {
    if (index == 0) return '\0';
    if (index == kOutputStart) return '^';
    if (index < 2 || index >= kOutputVocabSize) value_error("output_char", "index " + std::to_string(index));
    return kOutputAlphabet[static_cast<size_t>(index - 2)];
}

}  // namespace tn::examples
